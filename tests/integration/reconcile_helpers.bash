# SPDX-License-Identifier: BSD-3-Clause
# reconcile_helpers.bash -- helpers for reconcile.bats: DirectAdmin stand-ins
# (tests/fixtures/da_fixture.py) on free loopback ports, a dadns.ini with
# [reconcile] and [directadmin NAME] sections, zones inserted as DA pushes
# leave them, dadns-reconcile runs and the figures of the last run.
#
# Use (after `load helpers`):
#   setup()    { dadns_setup; rc_setup; }
#   teardown() { dadns_teardown; }

DA_FIXTURE_USER=admin
DA_FIXTURE_PASS='s3cret&:pw'

rc_setup() {
	RC_LOG=$TMP/reconcile.log
	: >"$RC_LOG"
	RC_SECTIONS=()
}

# da_start NAME [MODE [fixture args...]]: a DirectAdmin stand-in serving the
# domains of $TMP/da-NAME.domains (da_list NAME ... writes them) in MODE
# (json default; da_mode NAME MODE changes it later). Sets DA_PORT_<NAME>.
da_start() {
	local n=$1 mode=${2:-json} pid
	shift 2 2>/dev/null || shift $#
	: >>"$TMP/da-$n.domains"
	echo "$mode" >"$TMP/da-$n.mode"
	rm -f "$TMP/da-$n.port"
	python3 "$DADNS_SRC/tests/fixtures/da_fixture.py" --port-file "$TMP/da-$n.port" \
		--domains "$TMP/da-$n.domains" --mode-file "$TMP/da-$n.mode" --log "$TMP/da-$n.requests" \
		--user "$DA_FIXTURE_USER" --password "$DA_FIXTURE_PASS" "$@" \
		>"$TMP/da-$n.stdout" 2>&1 3>&- &
	pid=$!
	DADNS_PIDS+=("$pid")
	if ! wait_until 10 test -s "$TMP/da-$n.port"; then
		cat "$TMP/da-$n.stdout" >&2
		return 1
	fi
	printf -v "DA_PORT_$n" '%s' "$(cat "$TMP/da-$n.port")"
}

da_mode() { echo "$2" >"$TMP/da-$1.mode"; }

# da_list NAME DOMAIN...: what server NAME lists from now on.
da_list() {
	local n=$1
	shift
	printf '%s\n' "$@" >"$TMP/da-$n.domains"
}

# da_requests NAME PATTERN: how many requests of server NAME matched PATTERN.
da_requests() { grep -c -- "$2" "$TMP/da-$1.requests" 2>/dev/null || true; }

# rc_server NAME HOSTNAME [PORT [PASSWORD]]: a [directadmin NAME] section
# for rc_ini (default: the port of da_start NAME, the fixture's password).
rc_server() {
	local n=$1 h=$2 port_var="DA_PORT_$1"
	local port=${3:-${!port_var}} pw=${4:-$DA_FIXTURE_PASS}
	RC_SECTIONS+=("[directadmin $n]" "url = ${RC_SCHEME:-http}://127.0.0.1:$port/" "username = $DA_FIXTURE_USER"
		"password = $pw" "hostname = $h")
}

# rc_tls_cert FILE: a self-signed certificate for 127.0.0.1 (key in the same PEM).
rc_tls_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1" -keyout "$1.key" -out "$1.crt" >/dev/null 2>&1 &&
		cat "$1.crt" "$1.key" >"$1"
}

# rc_ini [KEY=VALUE...]: (re)write $INI: [app], [reconcile] with the keys
# given (default timeouts 2/3 s), the rc_server sections, [worker].
# Backend sections are appended afterwards (ini_nsd_backend, rc_backend).
rc_ini() {
	local kv lines=("[reconcile]") ct="connect_timeout = 2" to="timeout = 3"
	for kv in "$@"; do
		case ${kv%%=*} in
		connect_timeout) ct="" ;;
		timeout) to="" ;;
		esac
		lines+=("${kv%%=*} = ${kv#*=}")
	done
	[ -n "$ct" ] && lines+=("$ct")
	[ -n "$to" ] && lines+=("$to")
	write_ini "${lines[@]}" "${RC_SECTIONS[@]}"
}

# rc_backend NAME KEY=VALUE...: append a [backend NAME] section to $INI.
rc_backend() {
	local kv
	echo "[backend $1]" >>"$INI"
	shift
	for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}" >>"$INI"; done
}

# rc_zones HOSTNAME DOMAIN...: zones in the desired state as a push from
# HOSTNAME leaves them (no jobs: as if the worker had applied them long ago).
rc_zones() {
	local h=$1 d now
	shift
	now=$(($(date +%s%N) / 1000000 - 60000))
	"$DADNS_BUILD/dadnsctl" -c "$INI" zones >/dev/null || return 1
	{
		echo "BEGIN IMMEDIATE;"
		for d in "$@"; do
			printf "INSERT INTO zones(domain, hostname, username, zone_text, serial, records, source, created_at, updated_at) VALUES('%s', '%s', 'fred', '\$TTL 3600\n@ IN SOA ns1.%s. hostmaster.%s. 2024010101 3600 600 1209600 300\n@ IN NS ns1.%s.\n', 2024010101, 2, 'da', %s, %s);\n" \
				"$d" "$h" "$d" "$d" "$d" "$now" "$now"
		done
		echo "COMMIT;"
	} | sqlite3 -cmd ".timeout 5000" "$DB"
}

# seq_domains PREFIX N: PREFIX1.test .. PREFIXN.test, one a line.
seq_domains() { awk -v p="$1" -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) print p i ".test" }'; }

# reconcile [ARGS...]: dadns-reconcile once, with bats' run (status, output);
# the output is also appended to $RC_LOG.
reconcile() {
	run "$DADNS_BUILD/dadns-reconcile" -c "$INI" "$@"
	printf '%s\n' "$output" >>"$RC_LOG"
	sanitizer_check_output
}

sanitizer_check_output() {
	if grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' <<<"$output"; then
		echo "$output" >&2
		return 1
	fi
}

# figure KEY: KEY of the last reconcile run's summary (runs table).
figure() {
	sqlite3 "$DB" "select json_extract(summary, '$.$1') from runs where program = 'reconcile' order by id desc limit 1"
}

# last_run_ok: ok of the last reconcile run (1 or 0).
last_run_ok() { sqlite3 "$DB" "select ok from runs where program = 'reconcile' order by id desc limit 1"; }

# owner DOMAIN: the recorded DA hostname of a zone.
owner() { sqlite3 "$DB" "select hostname from zones where domain = '$1'"; }

# jobs_from SOURCE [OP]: jobs of that source (and op).
jobs_from() {
	local where="source = '$1'"
	[ -n "${2:-}" ] && where="$where and op = '$2'"
	sqlite3 "$DB" "select count(*) from jobs where $where"
}

# queue_done: nothing queued or running.
queue_done() { [ "$(sqlite3 "$DB" "select count(*) from jobs where state in ('queued', 'running')")" = 0 ]; }
