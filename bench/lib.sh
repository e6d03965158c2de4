# SPDX-License-Identifier: BSD-3-Clause
# lib.sh -- shared pieces of the benchmarks: the test helpers (nginx, the
# intake, the worker, NSD, BIND, MariaDB, PowerDNS on loopback in a
# temporary directory), process figures from /proc, and the results file.
#
# Use (in a subshell per measurement, so that its daemons stop with it):
#   ( bench_env; start_stack; ...; )       # bench_env sets the EXIT trap

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BATS_TEST_DIRNAME=$BENCH_SRC/tests/integration
: "${DADNS_BUILD:=$BENCH_SRC/build}"
BENCH_BIN=${BENCH_BIN:-$DADNS_BUILD/bench}
BENCHTOOL=$BENCH_BIN/benchtool
# shellcheck source=../tests/integration/helpers.bash
. "$BATS_TEST_DIRNAME/helpers.bash"
# shellcheck source=../tests/integration/dns_helpers.bash
. "$BATS_TEST_DIRNAME/dns_helpers.bash"
# shellcheck source=../tests/integration/mysql_helpers.bash
. "$BATS_TEST_DIRNAME/mysql_helpers.bash"
# shellcheck source=../tests/integration/fleet_helpers.bash
. "$BATS_TEST_DIRNAME/fleet_helpers.bash"
# shellcheck source=../tests/integration/knot_helpers.bash
. "$BATS_TEST_DIRNAME/knot_helpers.bash"

AUTH_B64=$(printf '%s' "$DA_USER:$DA_PASS" | base64 -w0)

# bench_env [INI LINE...]: a fresh temporary directory and dadns.ini (info
# log level; extra [app] lines as for write_ini); everything started here is
# stopped (by pid) when the calling subshell exits.
bench_env() {
	BATS_TEST_TMPDIR=$(mktemp -d /tmp/dadns-bench.XXXXXX)
	MYSQL_BASE=
	dadns_setup
	write_ini "$@"
	sed -i 's/^log_level = debug/log_level = info/' "$INI"
	trap bench_env_end EXIT
}

bench_env_end() {
	dadns_teardown
	if [ -n "${MYSQL_BASE:-}" ]; then
		local f
		for f in "$MYSQL_BASE"/*.pid; do
			[ -f "$f" ] && mysql_stop_pid "$(cat "$f")"
		done
		rm -rf "$MYSQL_BASE"
	fi
	[ "${BENCH_KEEP:-0}" = 1 ] && { echo "kept $TMP" >&2; return; }
	rm -rf "$BATS_TEST_TMPDIR"
}

# bench_mysql: a private MariaDB "a" (for the MySQL backends).
bench_mysql() {
	MYSQL_BASE=$(mktemp -d /tmp/dadns-mysql.XXXXXX)
	export MYSQL_BASE
	mysql_server_start a
}

# start_noop THREADS: the no-op FastCGI responder in the intake's place
# (spawn-fcgi, unix socket), then nginx in front of it as for the intake.
start_noop() {
	INTAKE_SOCK=$TMP/intake.sock
	INTAKE_LOG=$TMP/noop.log
	spawn-fcgi -n -s "$INTAKE_SOCK" -M 0666 -- "$BENCH_BIN/noop_fcgi" "${1:-4}" \
		>>"$INTAKE_LOG" 2>&1 3>&- &
	INTAKE_PID=$!
	INTAKE_PASS="unix:$INTAKE_SOCK"
	DADNS_PIDS+=("$INTAKE_PID")
	wait_until 10 log_has "$INTAKE_LOG" "ready on" || return 1
	start_nginx
}

# cpu_s PID: user+system CPU seconds the process used so far.
cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"
}

# rss_peak_kib PID: the peak resident set (VmHWM) in KiB.
rss_peak_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# ctl_commands LOGFILE [SKIP_LINES]: control commands (nsd-control, rndc)
# the worker logged in its batch lines after the first SKIP_LINES of them.
ctl_commands() {
	grep ': batch of .*control command(s)' "$1" | tail -n +$((${2:-0} + 1)) |
		sed -n 's/.*; \([0-9]*\) control command(s) (.*/\1/p' | awk '{s += $1} END {print s + 0}'
}
ctl_lines() { grep -c ': batch of .*control command(s)' "$1"; }

# result SECTION KEY VALUE: one figure of one run, into $BENCH_RESULTS.
result() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$BENCH_RESULTS"
	printf '  %-10s %-40s %s\n' "$1" "$2" "$3" >&2
}

# wrk_run SCRIPT CONNS SECONDS [ARGS...]: wrk against $FRONT_URL; prints
# wrk's "bench:" line (requests, seconds, rps, p50_ms, p99_ms, errors).
wrk_run() {
	local script=$1 conns=$2 secs=$3 threads=2
	shift 3
	[ "$conns" -lt 2 ] && threads=1
	wrk -t "$threads" -c "$conns" -d "${secs}s" --latency -H "Authorization: Basic $AUTH_B64" \
		-s "$BENCH_SRC/bench/$script" "$FRONT_URL" -- "$@" 2>&1 | tee -a "$TMP/wrk.out" |
		grep '^bench:'
}

# field LINE NAME: the value after NAME in a "name value name value" line.
field() { echo "$1" | tr ' ' '\n' | awk -v k="$2" 'p {print; exit} $0 == k {p = 1}'; }

# nsd_local_control: restart the NSD of start_nsd with its control channel
# on a unix socket in $NSD_DIR (NSD >= 4.3: no TLS; nsd-control finds the
# socket in the same nsd.conf), as an operator can configure it.
nsd_local_control() {
	stop_nsd
	sed -i "s|^\(\s*\)control-interface: 127.0.0.1|\1control-interface: $NSD_DIR/nsd.ctl|" "$NSD_CONF"
	grep -q "control-interface: $NSD_DIR/nsd.ctl" "$NSD_CONF" || return 1
	nsd -d -c "$NSD_CONF" >>"$NSD_DIR/stdout.log" 2>&1 3>&- &
	NSD_PID=$!
	DADNS_PIDS+=("$NSD_PID")
	wait_until 10 $NSD_CONTROL status || { tail -5 "$NSD_LOG" >&2; return 1; }
}
