# SPDX-License-Identifier: BSD-3-Clause
# dns_helpers.bash -- a real NSD and a real named (BIND) in the test's
# temporary directory, on free 127.0.0.1 ports, with their control channels
# (nsd-control with its own keys from nsd-control-setup -d; rndc with a
# generated key), plus dadns-worker and checks of what a server serves.
#
# Use:  load helpers          # first: free_port, wait_until, stop_pid, ...
#       load dns_helpers
#       setup()    { dadns_setup; start_nsd pattern; start_named; ... }
#       teardown() { dadns_teardown; }   # stops the daemons by pid
#
# Both servers allow AXFR from 127.0.0.1 and ::1 only (dadns verifies the
# record count over loopback with it): NSD through the pattern's (or the
# include file's) provide-xfr, named through options { allow-transfer }.

# --- NSD ------------------------------------------------------------------------

# start_nsd [pattern|include]: NSD in $TMP/nsd (pid file, database, zone list,
# xfrd state, log, control socket all there), listening on 127.0.0.1:$NSD_PORT,
# nsd-control on the unix socket $NSD_DIR/nsd.ctl (NSD >= 4.3: no TLS, no
# keys; ~20 ms less per nsd-control than a TLS handshake). NSD_CTL=tls
# before the first start_nsd: the TLS control port 127.0.0.1:$NSD_CTL_PORT
# with keys from nsd-control-setup instead (NSD's default). Run again after
# stop_nsd it keeps ports and state (a restart). Sets NSD_DIR NSD_CONF
# NSD_PID NSD_PORT NSD_CTL NSD_CTL_PORT NSD_CONTROL NSD_ZONES NSD_INCLUDE
# NSD_MODE NSD_LOG.
# Set NSD_XFR=0 for a pattern without provide-xfr, NSD_PATTERN_EXTRA for
# more pattern lines (notify: ...), NSD_PATTERN_DIR to point
# the pattern's zonefile somewhere else than NSD_ZONES (a misconfiguration).
start_nsd() {
	NSD_MODE=${1:-${NSD_MODE:-pattern}}
	NSD_DIR=$TMP/nsd
	NSD_CONF=$NSD_DIR/nsd.conf
	NSD_ZONES=$NSD_DIR/zones
	NSD_INCLUDE=$NSD_DIR/dadns-zones.conf
	NSD_LOG=$NSD_DIR/nsd.log
	NSD_CTL=${NSD_CTL:-unix}
	mkdir -p "$NSD_ZONES"
	if [ "$NSD_CTL" = tls ] && [ ! -f "$NSD_DIR/nsd_server.key" ]; then
		nsd-control-setup -d "$NSD_DIR" >"$NSD_DIR/setup.log" 2>&1 ||
			{ cat "$NSD_DIR/setup.log" >&2; return 1; }
	fi
	: "${NSD_PORT:=$(free_port)}"
	: "${NSD_CTL_PORT:=$(free_port)}"
	[ -f "$NSD_INCLUDE" ] || : >"$NSD_INCLUDE"
	# username "" and chroot "": as root NSD would otherwise drop to the
	# nsd user and chroot, and could not read the test directory.
	cat >"$NSD_CONF" <<EOF
server:
	ip-address: 127.0.0.1@$NSD_PORT
	port: $NSD_PORT
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$NSD_DIR"
	pidfile: "$NSD_DIR/nsd.pid"
	database: ""
	zonelistfile: "$NSD_DIR/zone.list"
	xfrdfile: "$NSD_DIR/xfrd.state"
	xfrdir: "$NSD_DIR"
	logfile: "$NSD_LOG"
	server-count: 1
	verbosity: 1
	zonefiles-write: 0
remote-control:
	control-enable: yes
$(nsd_control_lines)
pattern:
	name: "dadns"
	zonefile: "${NSD_PATTERN_DIR:-$NSD_ZONES}/%s.zone"
EOF
	if [ "${NSD_XFR:-1}" = 1 ]; then
		printf '\tprovide-xfr: 127.0.0.1 NOKEY\n\tprovide-xfr: ::1 NOKEY\n' >>"$NSD_CONF"
	fi
	# NSD_PATTERN_EXTRA: more lines for the pattern (e.g. notify: to secondaries)
	[ -z "${NSD_PATTERN_EXTRA:-}" ] || printf '%s\n' "$NSD_PATTERN_EXTRA" >>"$NSD_CONF"
	[ "$NSD_MODE" = include ] && echo "include: \"$NSD_INCLUDE\"" >>"$NSD_CONF"
	nsd-checkconf "$NSD_CONF" || return 1
	NSD_CONTROL="nsd-control -c $NSD_CONF"
	nsd -d -c "$NSD_CONF" >>"$NSD_DIR/stdout.log" 2>&1 3>&- &
	NSD_PID=$!
	DADNS_PIDS+=("$NSD_PID")
	if ! wait_until 10 $NSD_CONTROL status; then
		cat "$NSD_LOG" "$NSD_DIR/stdout.log" >&2
		return 1
	fi
}

stop_nsd() { stop_pid "$NSD_PID"; }

# nsd_control_lines: the remote-control lines of start_nsd for $NSD_CTL.
nsd_control_lines() {
	if [ "$NSD_CTL" = tls ]; then
		cat <<EOF
	control-interface: 127.0.0.1
	control-port: $NSD_CTL_PORT
	server-key-file: "$NSD_DIR/nsd_server.key"
	server-cert-file: "$NSD_DIR/nsd_server.pem"
	control-key-file: "$NSD_DIR/nsd_control.key"
	control-cert-file: "$NSD_DIR/nsd_control.pem"
EOF
	else
		printf '\tcontrol-interface: %s\n' "$NSD_DIR/nsd.ctl"
	fi
}

# --- BIND -----------------------------------------------------------------------

# start_named: named -g in $TMP/bind on 127.0.0.1:$BIND_PORT, rndc on
# 127.0.0.1:$BIND_CTL_PORT with a key made by rndc-confgen. named.conf
# includes $BIND_INCLUDE, the file dadns writes. Run again after stop_named
# it keeps ports and files (a restart). Sets BIND_DIR BIND_CONF BIND_PID
# BIND_PORT BIND_CTL_PORT BIND_CONTROL BIND_ZONES BIND_INCLUDE BIND_LOG.
start_named() {
	BIND_DIR=$TMP/bind
	BIND_CONF=$BIND_DIR/named.conf
	BIND_ZONES=$BIND_DIR/zones
	BIND_INCLUDE=$BIND_DIR/dadns-zones.conf
	BIND_LOG=$BIND_DIR/named.log
	mkdir -p "$BIND_ZONES"
	if [ ! -f "$BIND_DIR/rndc.key" ]; then
		rndc-confgen -a -A hmac-sha256 -k dadns-test -c "$BIND_DIR/rndc.key" \
			>"$BIND_DIR/setup.log" 2>&1 || { cat "$BIND_DIR/setup.log" >&2; return 1; }
	fi
	: "${BIND_PORT:=$(free_port)}"
	: "${BIND_CTL_PORT:=$(free_port)}"
	[ -f "$BIND_INCLUDE" ] || : >"$BIND_INCLUDE"
	cat >"$BIND_DIR/rndc.conf" <<EOF
include "$BIND_DIR/rndc.key";
options { default-key "dadns-test"; default-server 127.0.0.1; default-port $BIND_CTL_PORT; };
EOF
	cat >"$BIND_CONF" <<EOF
include "$BIND_DIR/rndc.key";
controls { inet 127.0.0.1 port $BIND_CTL_PORT allow { 127.0.0.1; } keys { "dadns-test"; }; };
options {
	directory "$BIND_DIR";
	pid-file "$BIND_DIR/named.pid";
	session-keyfile "$BIND_DIR/session.key";
	managed-keys-directory "$BIND_DIR";
	dump-file "$BIND_DIR/named_dump.db";
	statistics-file "$BIND_DIR/named.stats";
	listen-on port $BIND_PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
	allow-transfer { 127.0.0.1; ::1; };
};
include "$BIND_INCLUDE";
EOF
	named-checkconf "$BIND_CONF" || return 1
	BIND_CONTROL="rndc -c $BIND_DIR/rndc.conf"
	named -g -c "$BIND_CONF" >>"$BIND_LOG" 2>&1 3>&- &
	BIND_PID=$!
	DADNS_PIDS+=("$BIND_PID")
	if ! wait_until 15 $BIND_CONTROL status; then
		tail -20 "$BIND_LOG" >&2
		return 1
	fi
}

stop_named() { stop_pid "$BIND_PID"; }

# --- dadns configuration and worker -----------------------------------------------

# ini_worker LINE...: put lines into the [worker] section of $INI.
ini_worker() {
	local l
	for l in "$@"; do
		sed -i "/^\[worker\]/a $l" "$INI"
	done
}

# ini_nsd_backend [NAME]: a [backend NAME] (default nsd) for the NSD started
# by start_nsd, in its mode (pattern dadns, or the include file). With
# NSD_DIRECT=1 the worker speaks to NSD's control socket itself
# (control_socket, no control key: nsd-control is never run). nsd_config
# names start_nsd's nsd.conf (the worker checks the pattern against it).
ini_nsd_backend() {
	local name=${1:-nsd}
	{
		echo "[backend $name]"
		echo "type = nsd"
		echo "enabled = 1"
		echo "zones_dir = $NSD_ZONES"
		if [ "$NSD_MODE" = include ]; then
			echo "nsd_conf = $NSD_INCLUDE"
		else
			echo "pattern = dadns"
		fi
		if [ "${NSD_DIRECT:-0}" = 1 ]; then
			echo "control_socket = $NSD_DIR/nsd.ctl"
		else
			echo "control = $NSD_CONTROL"
		fi
		echo "nsd_config = $NSD_CONF"
		echo "server = 127.0.0.1:$NSD_PORT"
		echo "timeout = 10"
	} >>"$INI"
}

# ini_bind_backend [NAME]: a [backend NAME] (default bind) for start_named's named.
ini_bind_backend() {
	local name=${1:-bind}
	{
		echo "[backend $name]"
		echo "type = bind"
		echo "enabled = 1"
		echo "zones_dir = $BIND_ZONES"
		echo "named_conf = $BIND_INCLUDE"
		echo "control = $BIND_CONTROL"
		echo "server = 127.0.0.1:$BIND_PORT"
		echo "timeout = 10"
	} >>"$INI"
}

# start_worker: dadns-worker -c $INI, log in $WORKER_LOG (appended).
start_worker() {
	WORKER_LOG=$TMP/worker.log
	touch "$WORKER_LOG"
	local before
	before=$(grep -c "worker: started" "$WORKER_LOG" || true)
	"$DADNS_BUILD/dadns-worker" -c "$INI" >>"$WORKER_LOG" 2>&1 3>&- &
	WORKER_PID=$!
	DADNS_PIDS+=("$WORKER_PID")
	if ! wait_until 10 worker_started "$before"; then
		tail -20 "$WORKER_LOG" >&2
		return 1
	fi
}

worker_started() { [ "$(grep -c "worker: started" "$WORKER_LOG")" -gt "$1" ]; }

stop_worker() { stop_pid "$WORKER_PID"; }

# --- what a server serves ---------------------------------------------------------

# soa_serial PORT ZONE: the serial 127.0.0.1:PORT serves for ZONE (empty if none).
soa_serial() {
	dig +norec +short +time=2 +tries=2 @127.0.0.1 -p "$1" "$2" SOA 2>/dev/null | awk '{print $3}'
}

# serves_serial PORT ZONE SERIAL
serves_serial() { [ "$(soa_serial "$1" "$2")" = "$3" ]; }

# served_count PORT SERIAL ZONE...: how many of the ZONEs 127.0.0.1:PORT
# serves with SERIAL (one dig for all of them).
served_count() {
	local port=$1 serial=$2 f=$TMP/digq.$$.$RANDOM z
	shift 2
	for z in "$@"; do
		echo "@127.0.0.1 -p $port $z SOA +noall +answer +norec +time=2 +tries=2"
	done >"$f"
	dig -f "$f" 2>/dev/null | awk -v s="$serial" '$4 == "SOA" && $7 == s {print $1}' | sort -u | wc -l
	rm -f "$f"
}

# unserved PORT SERIAL ZONE...: the ZONEs not served with SERIAL, one a line.
unserved() {
	local port=$1 serial=$2 f=$TMP/digq.$$.$RANDOM z
	shift 2
	for z in "$@"; do
		echo "@127.0.0.1 -p $port $z SOA +noall +answer +norec +time=2 +tries=2"
	done >"$f"
	dig -f "$f" 2>/dev/null | awk -v s="$serial" '$4 == "SOA" && $7 == s {print $1}' |
		sed 's/\.$//' | sort -u >"$f.ok"
	printf '%s\n' "$@" | sort -u | comm -23 - "$f.ok"
	rm -f "$f" "$f.ok"
}

# all_served PORT SERIAL ZONE...: every ZONE is served with SERIAL (the
# first few that are not are printed to stderr). The zones a first pass
# missed are asked once more after a second: on a loaded machine a UDP
# query can time out twice, which is not "not served".
all_served() {
	local missing
	missing=$(unserved "$@")
	[ -z "$missing" ] && return 0
	sleep 1
	# shellcheck disable=SC2086
	missing=$(unserved "$1" "$2" $missing)
	[ -z "$missing" ] && return 0
	echo "not served with serial $2 on port $1: $(echo "$missing" | wc -l) zones, e.g. $(echo "$missing" | head -3 | tr '\n' ' ')" >&2
	return 1
}

# make_zones PREFIX N SERIAL DIR: N zones PREFIX1 .. PREFIXN (DOMAIN = PREFIXi
# + the rest of PREFIX after the first '.', e.g. "z.bench.test" gives
# z1.bench.test ...) written as DIR/DOMAIN.db, in one awk.
make_zones() {
	awk -v p="$1" -v n="$2" -v s="$3" -v dir="$4" 'BEGIN {
		split(p, a, "."); head = a[1]; tail = substr(p, length(head) + 1)
		for (i = 1; i <= n; i++) {
			d = head i tail; f = dir "/" d ".db"
			printf "$TTL 3600\n@\tIN\tSOA\tns1.%s.\thostmaster.%s. ( %s 3600 3600 1209600 86400 )\n", d, d, s > f
			printf "%s.\t3600\tIN\tNS\tns1.%s.\n%s.\t3600\tIN\tNS\tns2.%s.\n", d, d, d, d > f
			printf "%s.\t3600\tIN\tA\t192.0.2.10\nwww\t3600\tIN\tA\t192.0.2.10\n", d > f
			printf "ns1\t3600\tIN\tA\t192.0.2.1\nns2\t3600\tIN\tA\t192.0.2.2\n" > f
			printf "%s.\t3600\tIN\tMX\t10 mail\nmail\t3600\tIN\tA\t192.0.2.11\n", d > f
			close(f)
		}
	}'
}

# push_many DIR PARALLEL: push every DIR/DOMAIN.db (PARALLEL at a time);
# each answer in DIR/DOMAIN.answer. Returns non-zero unless all got error=0.
push_many() {
	local dir=$1 par=${2:-8}
	ls "$dir" | sed -n 's/\.db$//p' | xargs -P "$par" -I{} curl -sS --max-time 30 \
		-u "$DA_USER:$DA_PASS" -H 'Content-Type:' --data-binary "@$dir/{}.db" -o "$dir/{}.answer" \
		"$FRONT_URL/CMD_API_DNS_ADMIN?action=rawsave&domain={}&hostname=$DA_HOST&username=$DA_USERNAME"
	local want got
	want=$(ls "$dir" | grep -c '\.db$')
	got=$(grep -l '^error=0&' "$dir"/*.answer | wc -l)
	[ "$want" = "$got" ] || { echo "push_many: $got of $want pushes answered error=0" >&2; return 1; }
}

# not_served PORT ZONE: the server answers, but not with an SOA for ZONE.
not_served() {
	local out
	out=$(dig +norec +time=2 +tries=2 @127.0.0.1 -p "$1" "$2" SOA 2>/dev/null) || return 1
	echo "$out" | grep -q "status: " || return 1
	[ -z "$(soa_serial "$1" "$2")" ]
}

# canon_file ZONE FILE: the zone's records, canonical, one per line, sorted.
canon_file() {
	named-checkzone -q -D -o - "$1" "$2" 2>/dev/null | canon_lines
}

# canon_axfr PORT ZONE: what the server transfers, canonical like canon_file
# (the SOA that closes the transfer dropped).
canon_axfr() {
	local f=$TMP/axfr.$$.$RANDOM
	dig +norec +time=2 +tries=1 @127.0.0.1 -p "$1" "$2" AXFR >"$f" 2>/dev/null || return 1
	grep -q "XFR size" "$f" || { rm -f "$f"; return 1; }
	named-checkzone -q -D -o - "$2" "$f" 2>/dev/null | canon_lines
	rm -f "$f"
}

# Same spacing, lower-case names as named-checkzone prints them, sorted.
canon_lines() { grep -v '^;' | grep -v '^$' | awk '{$1=$1; print}' | LC_ALL=C sort -u; }


# serves_zone PORT ZONE FILE: every record of FILE is served (and nothing
# else): owner, TTL, class, type and data, the TTLs as BIND reads FILE
# (with or without $TTL: dadns serves what BIND would).
serves_zone() {
	local want got
	want=$(canon_file "$2" "$3") || { echo "serves_zone: $3 does not load" >&2; return 1; }
	got=$(canon_axfr "$1" "$2") || { echo "serves_zone: no AXFR of $2 from port $1" >&2; return 1; }
	[ -n "$want" ] && [ "$want" = "$got" ] && return 0
	echo "serves_zone: $2 on port $1 differs from $3:" >&2
	diff <(echo "$want") <(echo "$got") >&2
	return 1
}

# serves_stored PORT ZONE: the server serves exactly the zone text dadns
# stored for ZONE (TTLs included).
serves_stored() {
	local f=$TMP/stored.$$.$RANDOM rc
	sqlite3 "$DB" "select zone_text from zones where domain = '$2'" >"$f"
	serves_zone "$1" "$2" "$f"
	rc=$?
	rm -f "$f"
	return $rc
}

# zone_domains: the test zones (all but broken), one domain per line.
zone_domains() {
	local f
	for f in "$DADNS_ZONES"/*.db; do
		f=${f##*/}
		f=${f%.db}
		[ "$f" = broken.test ] || echo "$f"
	done
}

# zone_serial FILE: the SOA serial of a zone file (via named-checkzone).
zone_serial() {
	named-checkzone -q -D -o - "$1" "$2" 2>/dev/null | awk '$4 == "SOA" {print $7; exit}'
}

# make_zone DOMAIN SERIAL FILE: a small valid zone, as DA writes one.
make_zone() {
	cat >"$3" <<EOF
\$TTL 3600
@	IN	SOA	ns1.$1.	hostmaster.$1. (
			$2
			3600
			3600
			1209600
			86400 )
$1.	3600	IN	NS	ns1.$1.
$1.	3600	IN	NS	ns2.$1.
$1.	3600	IN	A	192.0.2.10
www	3600	IN	A	192.0.2.10
ns1	3600	IN	A	192.0.2.1
ns2	3600	IN	A	192.0.2.2
mail	3600	IN	A	192.0.2.11
$1.	3600	IN	MX	10 mail
$1.	3600	IN	TXT	"v=spf1 a mx ~all"
EOF
}
