# SPDX-License-Identifier: BSD-3-Clause
# peersync_helpers.bash -- several complete dadns nodes on loopback for
# peersync.bats: each node has its own directory, dadns.ini, database,
# nginx port, intake socket, worker and backend (NSD, or a null backend
# for tests that need no DNS server), and dadns-peersync runs against it.
#
# Use (after `load helpers` and `load dns_helpers`):
#   setup()    { dadns_setup; nodes_setup; }
#   teardown() { nodes_teardown; }
#   node_start A nsd; node_start B null; node_peer A B; ...
# The shared helpers work on one node at a time through globals ($TMP,
# $INI, $DB, $NSD_PORT, $FRONT_URL, ...): node_use NAME switches them.

PEER_USER=dadns-peer
PEER_PASS='peer:s3cret&x'

# The globals that make up one node.
NODE_VARS=(TMP INI DB NSD_MODE NSD_DIR NSD_CONF NSD_PID NSD_PORT NSD_CTL_PORT NSD_CONTROL
	NSD_ZONES NSD_INCLUDE NSD_LOG INTAKE_LOG INTAKE_SOCK INTAKE_PID INTAKE_PASS FRONT_PORT
	FRONT_PID FRONT_URL WORKER_LOG WORKER_PID PEERSYNC_LOG NODE_BACKEND)

nodes_setup() {
	NODES_ROOT=$TMP
	NODES=()
	NODE_CUR=
	FIXTURE_PIDS=()
}

# node_save: keep the current node's globals under N_<NAME>_<VAR>.
node_save() {
	local v
	[ -n "$NODE_CUR" ] || return 0
	for v in "${NODE_VARS[@]}"; do
		printf -v "N_${NODE_CUR}_$v" '%s' "${!v-}"
	done
}

# node_use NAME: make NAME's globals current (saving the current node's).
node_use() {
	local v n
	[ "$NODE_CUR" = "$1" ] && return 0
	node_save
	for v in "${NODE_VARS[@]}"; do
		n="N_$1_$v"
		printf -v "$v" '%s' "${!n-}"
	done
	NODE_CUR=$1
}

# node_start NAME [nsd|null]: a new node: dadns.ini ([app], [worker],
# [peer_sync] with the shared peer credentials, one backend), the intake
# behind nginx, the worker. Leaves NAME current.
node_start() {
	local name=$1 backend=${2:-null} v
	node_save
	for v in "${NODE_VARS[@]}"; do unset "$v"; done
	NODE_CUR=$name
	NODES+=("$name")
	TMP=$NODES_ROOT/$name
	mkdir -p "$TMP"
	INI=$TMP/dadns.ini
	DB=$TMP/dadns.db
	NODE_BACKEND=$backend
	PEERSYNC_LOG=$TMP/peersync.log
	: >"$PEERSYNC_LOG"
	write_ini
	{
		echo "[peer_sync]"
		echo "enabled = 1"
		echo "auth_username = $PEER_USER"
		echo "auth_password = $PEER_PASS"
	} >>"$INI"
	if [ "$backend" = nsd ]; then
		start_nsd pattern || return 1
		ini_nsd_backend nsd
	else
		mkdir -p "$TMP/null"
		printf '[backend null]\ntype = null\nzones_dir = %s\n' "$TMP/null" >>"$INI"
	fi
	start_stack unix || return 1
	# the front end's port is known now: the intake reads it again
	sed -i "/^\[peer_sync\]/a advertise_url = $FRONT_URL/" "$INI"
	stop_pid "$INTAKE_PID"
	sanitizer_check "$INTAKE_LOG" || return 1
	start_intake unix || return 1
	start_worker || return 1
	node_save
}

# node_peer FROM TO [NAME]: FROM gets a [peer NAME] (default: TO lower-cased)
# for TO's front end, with the shared peer credentials.
node_peer() {
	local from=$1 to=$2 name=${3:-$(echo "$2" | tr 'A-Z' 'a-z')} url
	url=$(node_get "$to" FRONT_URL)
	node_add_peer "$from" "$name" "$url/"
}

# node_add_peer NODE NAME URL [USER [PASS]]
node_add_peer() {
	local ini
	ini=$(node_get "$1" INI)
	printf '[peer %s]\nurl = %s\nusername = %s\npassword = %s\n' "$2" "$3" "${4-$PEER_USER}" \
		"${5-$PEER_PASS}" >>"$ini"
}

# node_get NAME VAR: a node's variable.
node_get() {
	node_save
	local n="N_$1_$2"
	echo "${!n-}"
}

# peersync NAME [ARGS...]: one pass of dadns-peersync on node NAME (its
# log appended to PEERSYNC_LOG); returns its exit status.
peersync() {
	local name=$1
	shift
	node_use "$name"
	"$DADNS_BUILD/dadns-peersync" -c "$INI" --once "$@" 2>>"$PEERSYNC_LOG"
}

# node_stop_dadns NAME: the node's intake and worker stop (nginx and the
# DNS server stay: the node's dadns is down, its front end answers 502).
node_stop_dadns() {
	node_use "$1"
	stop_pid "$INTAKE_PID"
	stop_pid "$WORKER_PID"
	sanitizer_check "$INTAKE_LOG"
	sanitizer_check "$WORKER_LOG"
}

# node_start_dadns NAME: start them again.
node_start_dadns() {
	node_use "$1"
	start_intake unix || return 1
	start_worker || return 1
	node_save
}

# node_push NAME DOMAIN SERIAL: DirectAdmin pushes a small zone to NAME.
node_push() {
	node_use "$1"
	zone_text "$2" "$3" >"$TMP/push-$2.db"
	push_zone "$2" "$TMP/push-$2.db" || return 1
	[ "$(answer error)" = 0 ] || { echo "push to $1: $HTTP_BODY" >&2; return 1; }
}

# node_delete NAME DOMAIN: DirectAdmin deletes DOMAIN at NAME.
node_delete() {
	node_use "$1"
	req --data "action=delete&cluster=yes&hostname=$DA_HOST&select0=$2" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN" || return 1
	[ "$(answer error)" = 0 ] || { echo "delete at $1: $HTTP_BODY" >&2; return 1; }
}

# zone_text DOMAIN SERIAL: a small valid zone.
zone_text() {
	cat <<EOF
\$TTL 3600
@ IN SOA ns1.$1. hostmaster.$1. $2 3600 600 1209600 300
@ IN NS ns1.$1.
ns1 IN A 192.0.2.1
www IN A 192.0.2.2
EOF
}

# node_sql NAME SQL
node_sql() { sqlite3 -cmd ".timeout 5000" "$(node_get "$1" DB)" "$2"; }

# node_serial NAME DOMAIN: the desired serial (empty when absent).
node_serial() { node_sql "$1" "select serial from zones where domain = '$2'"; }

# node_serves NAME DOMAIN SERIAL: the node's NSD serves DOMAIN with SERIAL.
node_serves() { serves_serial "$(node_get "$1" NSD_PORT)" "$2" "$3"; }

# node_not_serving NAME DOMAIN
node_not_serving() { not_served "$(node_get "$1" NSD_PORT)" "$2"; }

# node_idle NAME: nothing queued or running on NAME.
node_idle() {
	[ "$(node_sql "$1" "select count(*) from jobs where state in ('queued', 'running')")" = 0 ]
}

# node_peers NAME: the URLs in NAME's peers table, sorted, one a line.
node_peers() { node_sql "$1" "select url from peers order by url"; }

# internal_get NAME PATH [curl args]: GET PATH on NAME's front end with the
# peer credentials (unless -u or --no-auth is given). Sets HTTP_STATUS, HTTP_BODY.
internal_get() {
	local name=$1 path=$2
	shift 2
	node_use "$name"
	local auth=(-u "$PEER_USER:$PEER_PASS") args=() a
	for a in "$@"; do
		case $a in
		--no-auth) auth=() ;;
		-u) auth=(); args+=("$a") ;;
		*) args+=("$a") ;;
		esac
	done
	HTTP_STATUS=$(curl -sS --max-time 30 "${auth[@]}" "${args[@]}" -o "$TMP/last-body" \
		-w '%{http_code}' "$FRONT_URL$path")
	HTTP_BODY=$(cat "$TMP/last-body")
}

# start_hostile MODE: the hostile fixture peer on a free port; sets HOSTILE_URL.
start_hostile() {
	local port ready
	port=$(free_port)
	ready=$NODES_ROOT/hostile-$1.ready
	python3 "$DADNS_SRC/tests/fixtures/hostile_peer.py" "$port" "$1" "$ready" \
		>>"$NODES_ROOT/hostile.log" 2>&1 3>&- &
	FIXTURE_PIDS+=($!)
	wait_until 10 test -f "$ready" || return 1
	HOSTILE_URL=http://127.0.0.1:$port/
}

nodes_teardown() {
	local name i pids=() rc=0
	node_save
	for ((i = ${#FIXTURE_PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${FIXTURE_PIDS[$i]}"
	done
	dadns_teardown
	for name in "${NODES[@]}"; do
		for i in INTAKE_LOG WORKER_LOG PEERSYNC_LOG; do
			sanitizer_check "$(node_get "$name" "$i")" || rc=1
		done
	done
	return $rc
}
