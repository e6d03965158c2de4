#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# ack.bats -- [app] ack = served through the real stack: nginx -> dadns-intake
# -> SQLite -> dadns-worker -> NSD (its control socket, control_socket) and
# named. With ack = served a rawsave or delete is answered only once every
# enabled backend serves it: the moment curl returns, dig sees it.
# ACK_TEST_MODE=committed runs the first test with today's default instead:
# it then fails on a zone or two that curl returned before it was served.

load helpers
load dns_helpers

# ini_app LINE...: lines into [app].
ini_app() {
	local l
	for l in "$@"; do
		sed -i "/^\[app\]/a $l" "$INI"
	done
}

# setup_served TIMEOUT_MS: NSD (control_socket) and named, ack = served.
setup_served() {
	ini_app "ack = ${ACK_TEST_MODE:-served}" "ack_timeout_ms = $1"
	ini_worker "retry_backoff = 1,1,1,1,1" "lease_seconds = 3" "poll_interval_ms = 200"
	start_nsd pattern
	start_named
	NSD_DIRECT=1 ini_nsd_backend nsd
	ini_bind_backend bind
	start_stack
	start_worker
}

setup() { dadns_setup; }
teardown() { dadns_teardown; }

# push_ok DOMAIN FILE: a rawsave answered error=0.
push_ok() {
	push_zone "$1" "$2" || return 1
	[ "$(answer error)" = 0 ] || { echo "push $1: $HTTP_BODY" >&2; return 1; }
}

# served_now DOMAIN SERIAL: NSD and named both serve SERIAL, asked once
# each, right now (no waiting, no retry but dig's own over UDP).
served_now() {
	local n b
	n=$(soa_serial "$NSD_PORT" "$1")
	b=$(soa_serial "$BIND_PORT" "$1")
	[ "$n" = "$2" ] && [ "$b" = "$2" ] && return 0
	echo "$1: want $2, NSD $n, BIND $b" >&2
	return 1
}

# metric NAME LABELS: the value of one /metrics sample (a subshell: it
# leaves HTTP_BODY as it was).
metric() {
	req /metrics >/dev/null || return 1
	echo "$HTTP_BODY" | awk -v k="$1{$2}" '$1 == k {print $2}'
}

@test "ack = served: 50 new serials of one zone and 50 new zones are served by NSD and BIND the moment curl returns" {
	setup_served 10000
	local i serial ok_serials=0 ok_zones=0 d
	for ((i = 1; i <= 50; i++)); do
		serial=$((2024010100 + i))
		make_zone one.test "$serial" "$TMP/one.db"
		push_ok one.test "$TMP/one.db"
		served_now one.test "$serial" && ok_serials=$((ok_serials + 1))
	done
	for ((i = 1; i <= 50; i++)); do
		d=new$i.test
		make_zone "$d" 2024020200 "$TMP/$d.db"
		push_ok "$d" "$TMP/$d.db"
		served_now "$d" 2024020200 && ok_zones=$((ok_zones + 1))
	done
	echo "# served at the answer: $ok_serials/50 serials, $ok_zones/50 new zones" >&3
	[ "$ok_serials" = 50 ]
	[ "$ok_zones" = 50 ]
	# a delete is answered once neither server has the zone
	req --data-binary "action=delete&cluster=yes&hostname=$DA_HOST&select0=new7.test&select1=new8.test" \
		-H 'Content-Type:' "/CMD_API_DNS_ADMIN"
	[ "$(answer error)" = 0 ]
	for d in new7.test new8.test; do
		[ -z "$(soa_serial "$NSD_PORT" "$d")" ]
		[ -z "$(soa_serial "$BIND_PORT" "$d")" ]
	done
	# every answer counted as served, none timed out; promtool accepts it
	[ "$(metric dadns_acks_total 'mode="served",outcome="served"')" = 101 ]
	[ "$(metric dadns_acks_total 'mode="served",outcome="timeout"')" = 0 ]
	req /metrics
	echo "$HTTP_BODY" | promtool check metrics
	! grep -q "not served by every backend" "$INTAKE_LOG"
}

@test "ack = served, NSD stopped: the push is answered error=0 after ack_timeout_ms, counted and logged; served once NSD is back" {
	setup_served 1000
	make_zone late.test 2024030301 "$TMP/l1.db"
	push_ok late.test "$TMP/l1.db"
	served_now late.test 2024030301
	stop_nsd
	make_zone late.test 2024030302 "$TMP/l2.db"
	local t0 t1 ms
	t0=$(date +%s%3N)
	push_ok late.test "$TMP/l2.db"
	t1=$(date +%s%3N)
	ms=$((t1 - t0))
	echo "# answered after $ms ms (ack_timeout_ms = 1000)" >&3
	# The intake cannot answer before its 1000 ms have passed (NSD cannot
	# serve it: it is stopped), so the lower bound is strict (800: the
	# issue's -20 %). The upper bound allows for a loaded machine: past the
	# timeout the answer costs one counter write, the WAL flush and nginx.
	[ "$ms" -ge 800 ]
	[ "$ms" -le 3000 ]
	grep -q "ack: rawsave late.test not served by every backend within ack_timeout_ms = 1000" \
		"$INTAKE_LOG"
	[ "$(metric dadns_acks_total 'mode="served",outcome="timeout"')" = 1 ]
	# committed: BIND has it, and NSD once it is back
	wait_until 10 serves_serial "$BIND_PORT" late.test 2024030302
	start_nsd pattern
	wait_until 20 serves_serial "$NSD_PORT" late.test 2024030302
}

# push_then_look SERIAL: push SERIAL of race.test, then at once ask NSD and
# named; prints "SERIAL NSD-SERIAL BIND-SERIAL ERROR".
push_then_look() {
	local f=$TMP/race-$1.db out
	make_zone race.test "$1" "$f"
	out=$(curl -sS --max-time 30 -u "$DA_USER:$DA_PASS" -H 'Content-Type:' --data-binary "@$f" \
		"$FRONT_URL/CMD_API_DNS_ADMIN?action=rawsave&domain=race.test&hostname=$DA_HOST&username=$DA_USERNAME")
	echo "$1 $(soa_serial "$NSD_PORT" race.test) $(soa_serial "$BIND_PORT" race.test) $(answer error "$out")"
}

@test "ack = served, pushes of one zone racing: each is answered once its serial or a newer one is served" {
	setup_served 10000
	push_then_look 2024060100 >/dev/null
	local s pids=()
	for ((s = 2024060101; s <= 2024060120; s++)); do
		push_then_look "$s" >>"$TMP/race.out" &
		pids+=($!)
	done
	wait "${pids[@]}"   # not a bare wait: the daemons are children too
	cat "$TMP/race.out" | sed 's/^/# /' | head -5 >&3
	[ "$(wc -l <"$TMP/race.out")" = 20 ]
	# every answer error=0, and both servers served that serial or one pushed
	# after it (the intake's log has the job of each serial: jobs are in
	# the order the pushes were stored)
	sed -n 's/.*(race\.test serial \([0-9]*\), .*job \([0-9]*\),.*/\1 \2/p' "$INTAKE_LOG" >"$TMP/jobs"
	[ "$(wc -l <"$TMP/jobs")" = 21 ]
	awk 'NR == FNR {job[$1] = $2; next}
		$4 != 0 || !($2 in job) || !($3 in job) || job[$2] < job[$1] || job[$3] < job[$1] {
			bad++; print "# not served at its answer: " $0
		}
		END {exit bad > 0}' "$TMP/jobs" "$TMP/race.out" >&3
	# the last one stored is served in the end
	wait_until 20 serves_serial "$NSD_PORT" race.test "$(sqlite3 "$DB" "select serial from zones where domain = 'race.test'")"
}
