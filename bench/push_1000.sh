#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# push_1000.sh -- push 1,000 distinct zones through nginx -> dadns-intake ->
# dadns-worker -> NSD (and BIND with --bind) as fast as the intake takes
# them, then print how long it took and how many control commands the
# worker ran. Everything runs from a temporary directory on 127.0.0.1 and is
# stopped at the end (uses the test helpers in tests/integration).
#
# usage: bench/push_1000.sh [--zones N] [--parallel P] [--bind] [--queued]
#                           [--change] [--keep]
#   --queued  push with the worker stopped, then time the worker alone
#             draining the queue (big batches, batch_max 500)
#   --change  then push every zone again with a new serial (changed zones:
#             one reload each) and report that round too
#        (DADNS_BUILD=dir selects the build, default ./build)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=1000 PAR=8 WITH_BIND=0 KEEP=0 QUEUED=0 CHANGE=0
while [ $# -gt 0 ]; do
	case $1 in
	--zones) N=$2; shift ;;
	--parallel) PAR=$2; shift ;;
	--bind) WITH_BIND=1 ;;
	--keep) KEEP=1 ;;
	--queued) QUEUED=1 ;;
	--change) CHANGE=1 ;;
	-h|--help) sed -n '3,16p' "$0"; exit 0 ;;
	*) echo "push_1000.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

BATS_TEST_DIRNAME=$SRC/tests/integration
BATS_TEST_TMPDIR=$(mktemp -d /tmp/dadns-bench.XXXXXX)
: "${DADNS_BUILD:=$SRC/build}"
# shellcheck source=../tests/integration/helpers.bash
. "$BATS_TEST_DIRNAME/helpers.bash"
# shellcheck source=../tests/integration/dns_helpers.bash
. "$BATS_TEST_DIRNAME/dns_helpers.bash"

finish() {
	dadns_teardown
	if [ "$KEEP" = 1 ]; then
		echo "kept $TMP"
	else
		rm -rf "$BATS_TEST_TMPDIR"
	fi
}
trap finish EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

dadns_setup
sed -i 's/^log_level = debug/log_level = info/' "$INI"
start_nsd pattern || exit 1
ini_nsd_backend nsd
if [ "$WITH_BIND" = 1 ]; then
	start_named || exit 1
	ini_bind_backend bind
fi
start_stack || exit 1
start_worker || exit 1

domains=$(seq -f 'z%g.bench.test' 1 "$N")
open_jobs() { sqlite3 "$DB" "select count(*) from jobs where state in ('queued','running')"; }

# report LABEL PORT SERIAL: served zones and this round's control commands.
report() {
	local label=$1 port=$2 serial=$3 served cmds verbs
	served=$(served_count "$port" "$serial" $domains)
	cmds=$(grep "$label: batch of" "$WORKER_LOG" | tail -n +$((${SKIP[$label]:-0} + 1)) |
		sed -n 's/.*; \([0-9]*\) control command(s) (.*/\1/p' | awk '{s += $1} END {print s + 0}')
	verbs=$(grep "$label: batch of" "$WORKER_LOG" | tail -n +$((${SKIP[$label]:-0} + 1)) |
		sed -n 's/.*control command(s) (\([^)]*\)).*/\1/p' | sed 's/, /\n/g' |
		awk '{n = ($2 ~ /^x/) ? substr($2, 2) : 1; c[$1] += n}
		     END {for (v in c) {printf "%s%s x%d", sep, v, c[v]; sep = ", "}}')
	printf '  %-10s served %d of %d at serial %s; %d control commands in %d batches (%s)\n' \
		"$label:" "$served" "$N" "$serial" "$cmds" \
		"$(($(grep -c "$label: batch of" "$WORKER_LOG") - ${SKIP[$label]:-0}))" "$verbs"
}

declare -A SKIP
# round NAME SERIAL: push every zone at SERIAL, wait for the worker, report.
round() {
	local name=$1 serial=$2 t0 t1 t2 dir=$TMP/zones.$2
	mkdir -p "$dir"
	make_zones z.bench.test "$N" "$serial" "$dir"
	SKIP["nsd nsd"]=$(grep -c "nsd nsd: batch of" "$WORKER_LOG")
	SKIP["bind bind"]=$(grep -c "bind bind: batch of" "$WORKER_LOG")
	[ "$QUEUED" = 1 ] && stop_worker
	t0=$(now)
	push_many "$dir" "$PAR" || exit 1
	t1=$(now)
	if [ "$QUEUED" = 1 ]; then
		t0=$(now)
		start_worker || exit 1
		t1=$t0
	fi
	while [ "$(open_jobs)" != 0 ]; do
		sleep 0.05
		[ "$(printf '%.0f' "$(secs "$t0" "$(now)")")" -lt 600 ] ||
			{ echo "not done after 600 s" >&2; exit 1; }
	done
	t2=$(now)
	echo "$name: $N zones"
	if [ "$QUEUED" = 1 ]; then
		echo "  pushed with the worker stopped; timed from the worker's start"
		printf '  all applied and verified after   %6.2f s\n' "$(secs "$t0" "$t2")"
	else
		printf '  pushed (all answered error=0)    %6.2f s  (%.0f pushes/s)\n' \
			"$(secs "$t0" "$t1")" "$(echo "$N / $(secs "$t0" "$t1")" | bc -l)"
		printf '  all applied and verified after   %6.2f s  (%.2f s after the last push)\n' \
			"$(secs "$t0" "$t2")" "$(secs "$t1" "$t2")"
	fi
	report "nsd nsd" "$NSD_PORT" "$serial"
	[ "$WITH_BIND" = 1 ] && report "bind bind" "$BIND_PORT" "$serial"
	return 0
}

echo "dadns bench: $N distinct zones, $PAR pushes in parallel, $(nproc) CPUs"
round "new zones" 2024070700
[ "$CHANGE" = 1 ] && round "changed zones (new serial)" 2024070701
exit 0
