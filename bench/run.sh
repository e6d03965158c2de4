#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run.sh -- `make bench`: measure dadns as operators feel it and write BENCHMARKS.md.
#
# usage: bench/run.sh [SECTION...]
#   sections: sqlite ceiling intake latency bulk fleet (default: all of them; with
#   all of them BENCHMARKS.md is regenerated, otherwise the figures are only
#   printed and kept in build/bench/results.tsv); secwatch (only when named:
#   dadnsctl secondaries check of BENCH_SECWATCH_N="1000 10000" zones, and
#   dnsperf's time for the same queries as the floor)
# knobs (environment):
#   BENCH_RUNS=3         runs per figure (the figure is their median)
#   BENCH_SECS=10        seconds per wrk run
#   BENCH_PUSHES=200     pushes per push->served run
#   BENCH_N="1000 10000" zone counts for bulk convergence
#   BENCH_CONNS=8        connections pushing in the bulk runs
#   BENCH_LATENCY_BACKENDS="nsd nsd-local nsd-direct bind knot knot-sign pdns coredns
#                        nsd-direct-served bind-served"
#                        (nsd-local: NSD with its control channel on a unix socket,
#                        nsd-control run per command; nsd-direct: the same socket,
#                        spoken to by the worker itself: control_socket; knot:
#                        knotd's control socket, passthrough; knot-sign: Knot
#                        signs, served = a serial >= the pushed one;
#                        X-served: X with [app] ack = served)
#   BENCH_BULK_BACKENDS="nsd bind knot"
#   BENCH_QUICK=1        RUNS=1 SECS=2 PUSHES=20 N="200 1000": checks the
#                        scripts, figures meaningless (never written to BENCHMARKS.md)
#   BENCH_WRITE=1        with BENCH_QUICK=1: write BENCHMARKS.md anyway, marked provisional
#   BENCH_FLEET_N=1000   new zones for the fleet's convergence (NSD primary ->
#                        BIND and Knot secondaries by the catalog)
#   BENCH_CATALOG_N=10000 zones in the catalog when new zones' push->served is
#                        measured at scale (primary only)
#   BENCH_KEEP=1         keep each run's temporary directory
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/bench/lib.sh"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_RUNS:=1}" "${BENCH_SECS:=2}" "${BENCH_PUSHES:=20}" "${BENCH_N:=200 1000}"
	: "${BENCH_FLEET_N:=200}" "${BENCH_CATALOG_N:=1000}"
	export BENCH_QUICK BENCH_N
fi
RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_SECS:-10}
PUSHES=${BENCH_PUSHES:-200}
NS=${BENCH_N:-1000 10000}
CONNS=${BENCH_CONNS:-8}
export SECS PUSHES BENCH_CONNS=$CONNS
LAT_BACKENDS=${BENCH_LATENCY_BACKENDS:-nsd nsd-local nsd-direct bind knot knot-sign pdns coredns nsd-direct-served bind-served}
BULK_BACKENDS=${BENCH_BULK_BACKENDS:-nsd bind knot}
ALL="sqlite ceiling intake latency bulk fleet"
FLEET_N=${BENCH_FLEET_N:-1000}
CATALOG_N=${BENCH_CATALOG_N:-10000}
export FLEET_N CATALOG_N
SECTIONS=${*:-$ALL}
mkdir -p "$BENCH_BIN"
BENCH_RESULTS=$BENCH_BIN/results.tsv
: >"$BENCH_RESULTS"
export BENCH_RESULTS

for s in $SECTIONS; do
	case " $ALL secwatch " in *" $s "*) ;; *) echo "run.sh: unknown section $s" >&2; exit 2 ;; esac
done
for p in wrk nginx spawn-fcgi nsd named mariadbd pdns_server knotd; do
	command -v "$p" >/dev/null || { echo "run.sh: $p is missing (make bench-deps)" >&2; exit 1; }
done
[ -x "$BENCHTOOL" ] && [ -x "$BENCH_BIN/noop_fcgi" ] || { echo "run.sh: build with make bench" >&2; exit 1; }

T_START=$(date +%s)

# --- 1. ceilings ------------------------------------------------------------------

sec_sqlite() {
	local mode r line d
	d=$(mktemp -d /tmp/dadns-bench.XXXXXX)
	for mode in FULL NORMAL; do
		for ((r = 1; r <= RUNS; r++)); do
			line=$("$BENCHTOOL" sqlite "$d" "$mode" 3)
			result sqlite "commits_per_s.$mode" "$(echo "$line" | awk '{print $4}')"
		done
	done
	rm -rf "$d"
}

# wrk_figures SECTION KEY LINE: rps, p50, p99 and errors of one wrk run.
wrk_figures() {
	[ -n "$3" ] || { echo "run.sh: wrk gave no figures" >&2; result "$1" "errors.$2" -1; return 1; }
	result "$1" "rps.$2" "$(field "$3" rps)"
	result "$1" "p50_ms.$2" "$(field "$3" p50_ms)"
	result "$1" "p99_ms.$2" "$(field "$3" p99_ms)"
	result "$1" "errors.$2" "$(field "$3" errors)"
}

sec_ceiling() {
	local r c
	for ((r = 1; r <= RUNS; r++)); do
		for c in 4 16; do
			(
				bench_env
				start_noop 4 || exit 1
				wrk_figures ceiling "exists.c$c" "$(wrk_run wrk_exists.lua "$c" "$SECS")"
				wrk_figures ceiling "rawsave.c$c" "$(wrk_run wrk_rawsave.lua "$c" "$SECS" n 2024010101)"
			)
		done
	done
}

# --- 3. intake ----------------------------------------------------------------------

sec_intake() {
	local r c dur
	for ((r = 1; r <= RUNS; r++)); do
		for dur in full normal; do
			for c in 4 16; do
				(
					bench_env "durability = $dur"
					start_stack || exit 1
					line=$(wrk_run wrk_rawsave.lua "$c" "$SECS" w 2024010101)
					wrk_figures intake "$dur.c$c" "$line"
					# every request answered error=0 is a stored zone with a queued job
					# (requests in flight when wrk stops are stored, not counted as answered)
					ok=$(sqlite3 "$DB" "select count(*) from zones")
					lost=$(($(field "$line" requests) - $(field "$line" errors) - ok))
					result intake "answered_not_stored.$dur.c$c" "$((lost > 0 ? lost : 0))"
					result intake "rss_kib.$dur.c$c" "$(rss_peak_kib "$INTAKE_PID")"
					if [ "$dur" = full ]; then
						wrk_figures intake "exists.c$c" "$(wrk_run wrk_exists.lua "$c" "$SECS")"
					fi
					result intake "rss_kib_after_exists.$dur.c$c" "$(rss_peak_kib "$INTAKE_PID")"
				)
			done
		done
	done
}

# --- 2. push -> served --------------------------------------------------------------

# ini_mysql_backend NAME TYPE DB: a [backend NAME] on MariaDB "a".
ini_mysql_backend() {
	{
		echo "[backend $1]"
		echo "enabled = 1"
		mysql_backend_args "$2" a "$3" | sed 's/=/ = /'
	} >>"$INI"
}

latency_run() {
	local be=$1 target line s0=2024100100
	# BACKEND-served: the same with [app] ack = served (answered when served)
	if [ "${be%-served}" != "$be" ]; then
		bench_env "ack = served" "ack_timeout_ms = 10000"
	else
		bench_env
	fi
	case ${be%-served} in
	nsd) NSD_CTL=tls start_nsd pattern || return 1; ini_nsd_backend nsd; target="dns 127.0.0.1:$NSD_PORT" ;;
	nsd-local)
		start_nsd pattern || return 1
		nsd_local_control || return 1
		ini_nsd_backend nsd
		target="dns 127.0.0.1:$NSD_PORT"
		;;
	nsd-direct)
		start_nsd pattern || return 1
		nsd_local_control || return 1
		NSD_DIRECT=1 ini_nsd_backend nsd
		target="dns 127.0.0.1:$NSD_PORT"
		;;
	bind) start_named || return 1; ini_bind_backend bind; target="dns 127.0.0.1:$BIND_PORT" ;;
	knot) start_knot passthrough || return 1; ini_knot_backend knot; target="dns 127.0.0.1:$KNOT_PORT" ;;
	knot-sign) start_knot sign || return 1; ini_knot_backend knot; target="dns 127.0.0.1:$KNOT_PORT" ;;
	pdns|coredns)
		bench_mysql || return 1
		mysql_db a bench
		if [ "$be" = pdns ]; then
			ini_mysql_backend pdns powerdns_mysql bench
		else
			ini_mysql_backend coredns coredns_mysql bench
			target="mysql 127.0.0.1:$MYSQL_a_PORT:$MYSQL_USER:$MYSQL_PASS:bench"
		fi
		;;
	esac
	start_stack || return 1
	start_worker || return 1
	# the zone exists first (a new zone is a different path); then updates
	if [ "$be" = pdns ]; then
		# the worker makes the tables at its first write; then PowerDNS
		# (caches off: every answer reflects the database)
		make_zone lat.bench.test "$s0" "$TMP/first.db"
		push_zone lat.bench.test "$TMP/first.db" || return 1
		wait_until 20 mysql_q a bench "select 1 from domains where name = 'lat.bench.test'" || return 1
		pdns_start a bench || return 1
		target="dns 127.0.0.1:$PDNS_PORT"
		wait_until 20 serves_serial "$PDNS_PORT" lat.bench.test "$s0" || return 1
	else
		# shellcheck disable=SC2086
		"$BENCHTOOL" latency "$FRONT_URL" "$DA_USER:$DA_PASS" lat.bench.test "$s0" 1 $target \
			>"$TMP/first.out" 2>&1 || { cat "$TMP/first.out" >&2; echo "run.sh: the first push was not served" >&2; return 1; }
	fi
	# shellcheck disable=SC2086
	line=$("$BENCHTOOL" latency "$FRONT_URL" "$DA_USER:$DA_PASS" lat.bench.test "$((s0 + 1))" \
		"$PUSHES" $target 2>&1 >"$TMP/latency.ms" | grep '^latency:')
	echo "  $be: $line" >&2
	result latency "p50_ms.$be" "$(echo "$line" | sed -n "s/.*pushes, p50 \([0-9.]*\) ms.*/\1/p")"
	result latency "p99_ms.$be" "$(echo "$line" | sed -n 's/.* ms, p99 \([0-9.]*\) ms, max.*/\1/p')"
	result latency "poll_ms.$be" "$(echo "$line" | sed -n 's/.*poll cost p50 \([0-9.]*\) ms.*/\1/p')"
	result latency "errors.$be" "$(echo "$line" | sed -n 's/.*errors \([0-9]*\).*/\1/p')"
	result latency "answer_p50_ms.$be" "$(echo "$line" | sed -n 's/.*answer p50 \([0-9.]*\) ms.*/\1/p')"
	result latency "answer_p99_ms.$be" "$(echo "$line" | sed -n 's/.*answer p99 \([0-9.]*\) ms.*/\1/p')"
	result latency "at_answer.$be" "$(echo "$line" | sed -n 's/.*served at the answer \([0-9]*\).*/\1/p')"
}

sec_latency() {
	local r be
	for ((r = 1; r <= RUNS; r++)); do
		for be in $LAT_BACKENDS; do
			( latency_run "$be" ) || result latency "errors.$be" -1
		done
	done
}

# --- 4. bulk convergence --------------------------------------------------------------

bulk_run() {
	local be=$1 n=$2 port line skip cmds
	bench_env
	case $be in
	nsd) start_nsd pattern || return 1; ini_nsd_backend nsd; port=$NSD_PORT ;;
	bind) start_named || return 1; ini_bind_backend bind; port=$BIND_PORT ;;
	knot) start_knot passthrough || return 1; ini_knot_backend knot; port=$KNOT_PORT ;;
	esac
	start_stack || return 1
	start_worker || return 1
	local round serial=2024070700
	for round in new rewrite; do
		skip=$(ctl_lines "$WORKER_LOG")
		line=$("$BENCHTOOL" bulk "$FRONT_URL" "$DA_USER:$DA_PASS" b "$n" "$serial" "$CONNS" \
			"127.0.0.1:$port") || echo "run.sh: bulk $be $n $round: not all pushed or served" >&2
		echo "$line" | sed 's/^/    /' >&2
		local pushed served
		pushed=$(echo "$line" | awk '$1 == "pushed" {print $3}')
		served=$(echo "$line" | awk '$1 == "served" {print $4}')
		result bulk "push_s.$be.$n.$round" "$pushed"
		result bulk "push_errors.$be.$n.$round" "$(echo "$line" | awk '$1 == "pushed" {print $5}')"
		result bulk "served_count.$be.$n.$round" "$(echo "$line" | awk '$1 == "served" {print $3}')"
		result bulk "served_s.$be.$n.$round" "$served"
		result bulk "per_zone_ms.$be.$n.$round" "$(echo "$served $n" | awk '{printf "%.3f", $1 * 1000 / $2}')"
		# give the worker the moment to write its batch lines
		wait_until 30 queue_idle_db
		cmds=$(ctl_commands "$WORKER_LOG" "$skip")
		result bulk "ctl_commands.$be.$n.$round" "$cmds"
		serial=$((serial + 1))
	done
	result bulk "cpu_s.intake.$be.$n" "$(cpu_s "$INTAKE_PID")"
	result bulk "cpu_s.worker.$be.$n" "$(cpu_s "$WORKER_PID")"
	result bulk "rss_kib.intake.$be.$n" "$(rss_peak_kib "$INTAKE_PID")"
	result bulk "rss_kib.worker.$be.$n" "$(rss_peak_kib "$WORKER_PID")"
}

queue_idle_db() {
	[ "$(sqlite3 "$DB" "select count(*) from jobs where state in ('queued','running')")" = 0 ]
}

sec_bulk() {
	local r be n
	for ((r = 1; r <= RUNS; r++)); do
		for n in $NS; do
			for be in $BULK_BACKENDS; do
				( bulk_run "$be" "$n" ) || result bulk "failed.$be.$n" 1
			done
		done
	done
}

# --- 6. watching secondaries (opt-in: bench/run.sh secwatch) ----------------------------

# secwatch_run N: N zones served by an NSD (loaded from an include file)
# and desired in the database; `dadnsctl secondaries check` against it
# (NSD standing in for a secondary), then the floor: dnsperf asking the
# same N SOA queries with as many in flight (the server alone).
secwatch_run() {
	local n=$1 line
	bench_env
	mkdir -p "$TMP/nsd/zones"
	make_zones "w.sec.test" "$n" 2024080801 "$TMP/nsd/zones"
	(cd "$TMP/nsd/zones" && for f in *.db; do mv "$f" "${f%.db}.zone"; done)
	awk -v n="$n" -v dir="$TMP/nsd/zones" 'BEGIN { for (i = 1; i <= n; i++)
		printf "zone:\n\tname: w%d.sec.test\n\tzonefile: \"%s/w%d.sec.test.zone\"\n", i, dir, i }' \
		>"$TMP/nsd/dadns-zones.conf"
	start_nsd include || return 1
	printf '[secondary nsd]\nserver = 127.0.0.1:%s\n' "$NSD_PORT" >>"$INI"
	dadnsctl status >/dev/null
	awk -v n="$n" 'BEGIN { print "BEGIN;"; for (i = 1; i <= n; i++)
		printf "INSERT INTO zones(domain, zone_text, serial, records, source, created_at, updated_at)" \
		       " VALUES(\x27w%d.sec.test\x27, \x27\x27, 2024080801, 7, \x27cli\x27, 0, 0);\n", i
		print "COMMIT;" }' | sqlite3 "$DB"
	wait_until 120 serves_serial "$NSD_PORT" "w$n.sec.test" 2024080801 || return 1
	line=$(dadnsctl --json secondaries check) || { echo "secwatch: $line" >&2; return 1; }
	result secwatch "check_ms.$n" "$(jq -r '.[0].duration_ms' <<<"$line")"
	result secwatch "in_sync.$n" "$(jq -r '.[0].in_sync' <<<"$line")"
	awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "w%d.sec.test SOA\n", i }' >"$TMP/queries"
	line=$(dnsperf -s 127.0.0.1 -p "$NSD_PORT" -d "$TMP/queries" -n 1 -q 256 -t 5 2>&1)
	result secwatch "floor_dnsperf_ms.$n" "$(echo "$line" | awk '/Run time \(s\)/ {printf "%.0f", $4 * 1000}')"
	result secwatch "floor_dnsperf_lost.$n" "$(echo "$line" | awk '/Queries lost/ {print $3}')"
}

sec_secwatch() {
	local r n
	for ((r = 1; r <= RUNS; r++)); do
		for n in ${BENCH_SECWATCH_N:-1000 10000}; do
			( secwatch_run "$n" ) || result secwatch "failed.$n" 1
		done
	done
}

# --- 5. fleet: NSD hidden primary -> BIND and Knot secondaries (catalog) ------------

# fleet_env [secondaries]: NSD (include mode, TSIG, notify) with the catalog
# behind the stack and the worker; with "secondaries", a BIND and a Knot
# secondary that know only the catalog (tests/integration/fleet_helpers.bash).
fleet_env() {
	local cat=("[catalog]" "zone = $CATZ")
	fleet_key
	[ "${1:-}" = nocatalog ] && cat=()
	bench_env "${cat[@]}" "[tsig $FLEET_KEY]" "algorithm = hmac-sha256" "secret = $FLEET_SECRET"
	if [ "${1:-}" = secondaries ]; then
		SEC_PORT[bind1]=$(free_port)
		SEC_PORT[knot1]=$(free_port)
	fi
	NSD_XFR=0 start_nsd include || return 1
	PRIMARY_PORT=$NSD_PORT
	NSD_DIRECT=1 ini_nsd_backend nsd
	{
		[ "${1:-}" = secondaries ] &&
			echo "notify = 127.0.0.1@${SEC_PORT[bind1]} 127.0.0.1@${SEC_PORT[knot1]}"
		echo "allow_transfer = 127.0.0.1"
		echo "tsig_key = $FLEET_KEY"
	} >>"$INI"
	start_stack || return 1
	start_worker || return 1
	if [ "${1:-}" != nocatalog ]; then
		wait_until 20 serves_serial_any "$NSD_PORT" "$CATZ" || return 1
	fi
	if [ "${1:-}" = secondaries ]; then
		start_bind_secondary bind1 && start_knot_secondary knot1 || return 1
	fi
}

serves_serial_any() { [ -n "$(soa_serial "$1" "$2")" ]; }

# catalog_ms LOG: the median time the worker took to publish the catalog.
catalog_ms() {
	sed -n 's/.*catalog .* members, published in \([0-9]*\) ms.*/\1/p' "$1" | sort -n |
		awk '{v[n++] = $1} END {print n ? v[int(n / 2)] : "-"}'
}

fleet_latency_run() {
	local s0=2024100100 s t line
	fleet_env secondaries || return 1
	"$BENCHTOOL" latency "$FRONT_URL" "$DA_USER:$DA_PASS" lat.bench.test "$s0" 1 \
		dns "127.0.0.1:$NSD_PORT" >"$TMP/first.out" 2>&1 || return 1
	wait_until 60 serves_serial "${SEC_PORT[bind1]}" lat.bench.test "$s0" || return 1
	wait_until 60 serves_serial "${SEC_PORT[knot1]}" lat.bench.test "$s0" || return 1
	s=$((s0 + 1))
	for t in nsd bind1 knot1; do
		local port=${SEC_PORT[$t]:-$NSD_PORT}
		line=$("$BENCHTOOL" latency "$FRONT_URL" "$DA_USER:$DA_PASS" lat.bench.test "$s" \
			"$PUSHES" dns "127.0.0.1:$port" 2>&1 >"$TMP/latency.$t.ms" | grep '^latency:')
		echo "  fleet $t: $line" >&2
		result fleet "p50_ms.$t" "$(echo "$line" | sed -n "s/.*pushes, p50 \([0-9.]*\) ms.*/\1/p")"
		result fleet "p99_ms.$t" "$(echo "$line" | sed -n 's/.* ms, p99 \([0-9.]*\) ms, max.*/\1/p')"
		s=$((s + PUSHES + 1))
	done
}

fleet_bulk_run() {
	local line
	fleet_env secondaries || return 1
	line=$("$BENCHTOOL" bulk "$FRONT_URL" "$DA_USER:$DA_PASS" f "$FLEET_N" 2024070700 "$CONNS" \
		"127.0.0.1:$NSD_PORT,127.0.0.1:${SEC_PORT[bind1]},127.0.0.1:${SEC_PORT[knot1]}") ||
		echo "run.sh: fleet bulk: not all pushed or served" >&2
	echo "$line" | sed 's/^/    /' >&2
	result fleet "push_s.$FLEET_N" "$(echo "$line" | awk '$1 == "pushed" {print $3}')"
	result fleet "served_s.nsd.$FLEET_N" "$(echo "$line" | awk -v p="127.0.0.1:$NSD_PORT" '$1 == "served" && $2 == p {print $4}')"
	result fleet "served_s.bind.$FLEET_N" "$(echo "$line" | awk -v p="127.0.0.1:${SEC_PORT[bind1]}" '$1 == "served" && $2 == p {print $4}')"
	result fleet "served_s.knot.$FLEET_N" "$(echo "$line" | awk -v p="127.0.0.1:${SEC_PORT[knot1]}" '$1 == "served" && $2 == p {print $4}')"
	result fleet "served_n.knot.$FLEET_N" "$(echo "$line" | awk -v p="127.0.0.1:${SEC_PORT[knot1]}" '$1 == "served" && $2 == p {print $3}')"
	result fleet "catalog_ms.$FLEET_N" "$(catalog_ms "$WORKER_LOG")"
}

# A new zone's push->served on the primary with the catalog at SIZE members
# (each new zone is a catalog update): 20 new zones, one at a time.
fleet_scale_point() {
	local size=$1 i line ms=()
	: >"$TMP/scale.log"
	for ((i = 1; i <= 20; i++)); do
		line=$("$BENCHTOOL" bulk "$FRONT_URL" "$DA_USER:$DA_PASS" "n$size-$i-" 1 2024070700 1 \
			"127.0.0.1:$NSD_PORT") || return 1
		ms+=("$(echo "$line" | awk '$1 == "served" {printf "%.1f", $4 * 1000}')")
	done
	printf '%s\n' "${ms[@]}" | sort -n >"$TMP/scale.ms"
	result fleet "new_zone_p50_ms.$size" "$(awk '{v[n++] = $1} END {print v[int(n / 2)]}' "$TMP/scale.ms")"
	result fleet "catalog_ms.at.$size" "$(tail -20 "$WORKER_LOG" | catalog_ms /dev/stdin)"
}

# fleet_scale_run [nocatalog]: the same without the catalog is the floor.
fleet_scale_run() {
	local tag=${1:+nocat.}
	fleet_env "$@" || return 1
	fleet_scale_point "${tag}0" || return 1
	"$BENCHTOOL" bulk "$FRONT_URL" "$DA_USER:$DA_PASS" s "$CATALOG_N" 2024070700 "$CONNS" \
		"127.0.0.1:$NSD_PORT" >"$TMP/fill.out" || return 1
	fleet_scale_point "$tag$CATALOG_N"
}

# BENCH_FLEET_PARTS="latency bulk scale" (default: all three)
sec_fleet() {
	local r p
	for ((r = 1; r <= RUNS; r++)); do
		for p in ${BENCH_FLEET_PARTS:-latency bulk scale}; do
			case $p in
			latency) ( fleet_latency_run ) || result fleet failed.latency 1 ;;
			bulk) ( fleet_bulk_run ) || result fleet failed.bulk 1 ;;
			scale)
				( fleet_scale_run ) || result fleet failed.scale 1
				( fleet_scale_run nocatalog ) || result fleet failed.scale_nocat 1
				;;
			esac
		done
	done
}

for s in $SECTIONS; do
	echo "== $s ($(date -u +%H:%M:%S))" >&2
	"sec_$s"
done
T_END=$(date +%s)
echo "bench: done in $((T_END - T_START)) s; figures in $BENCH_RESULTS" >&2

# A quick run writes BENCHMARKS.md only when asked (BENCH_WRITE=1), marked provisional.
if [ "$SECTIONS" = "$ALL" ] && { [ "${BENCH_QUICK:-0}" != 1 ] || [ "${BENCH_WRITE:-0}" = 1 ]; }; then
	"$SRC/bench/report.sh" "$BENCH_RESULTS" "$((T_END - T_START))" >"$SRC/BENCHMARKS.md.new" &&
		mv "$SRC/BENCHMARKS.md.new" "$SRC/BENCHMARKS.md" && echo "bench: wrote BENCHMARKS.md" >&2
else
	"$SRC/bench/report.sh" "$BENCH_RESULTS" "$((T_END - T_START))" >"$BENCH_BIN/BENCHMARKS.partial.md" &&
		echo "bench: figures of this run in $BENCH_BIN/BENCHMARKS.partial.md (BENCHMARKS.md untouched)" >&2
fi
