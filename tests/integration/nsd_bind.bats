#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# nsd_bind.bats -- the nsd and bind backends against a real NSD and a real
# named on loopback, fed through the real stack: nginx -> dadns-intake ->
# SQLite -> dadns-worker -> NSD's control socket / nsd-control / rndc ->
# what the servers serve. Most tests here have the worker speak to NSD's
# control socket itself (control_socket); the TLS, verification and rewrite
# tests, and the other test files, run nsd-control.

load helpers
load dns_helpers

# setup_stack [nsd mode] [retry_backoff]: NSD (pattern mode unless told),
# named, both backends, nginx + intake, the worker.
setup_stack() {
	local mode=${1:-pattern} backoff=${2:-1,1,1,1,1}
	ini_worker "retry_backoff = $backoff" "lease_seconds = 3" "poll_interval_ms = 200"
	start_nsd "$mode"
	start_named
	if [ "$NSD_CTL" = unix ]; then
		NSD_DIRECT=1 ini_nsd_backend nsd
	else
		ini_nsd_backend nsd
	fi
	ini_bind_backend bind
	start_stack
	start_worker
}

setup() { dadns_setup; }
teardown() { dadns_teardown; }

# within SECONDS CMD...: CMD succeeds within SECONDS of wall-clock time
# from now (tried every 50 ms; a success that took longer is a failure).
within() {
	local limit_ms=$(($1 * 1000)) t0 now
	shift
	t0=$(date +%s%3N)
	while :; do
		if "$@" >/dev/null 2>&1; then
			now=$(date +%s%3N)
			[ $((now - t0)) -le "$limit_ms" ] && return 0
			echo "within: took $((now - t0)) ms: $*" >&2
			return 1
		fi
		now=$(date +%s%3N)
		if [ $((now - t0)) -gt "$limit_ms" ]; then
			echo "within: not within $((limit_ms / 1000)) s: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

push_ok() {
	push_zone "$1" "$2" || return 1
	[ "$(answer error)" = 0 ] || { echo "push $1: $HTTP_BODY" >&2; return 1; }
}

delete_zone() {
	req --data-binary "action=delete&cluster=yes&hostname=$DA_HOST&select0=$1" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN" || return 1
	[ "$(answer error)" = 0 ] || { echo "delete $1: $HTTP_BODY" >&2; return 1; }
}

# jobs_in STATE: how many jobs are in STATE.
jobs_in() { sqlite3 "$DB" "select count(*) from jobs where state = '$1'"; }
no_open_jobs() { [ "$(sqlite3 "$DB" "select count(*) from jobs where state in ('queued','running')")" = 0 ]; }

# control_commands BACKEND: control commands the worker ran for BACKEND so far.
control_commands() {
	grep "$1: batch of" "$WORKER_LOG" | tail -1 | sed -n 's/.*; \([0-9]*\) control command(s) since start.*/\1/p'
}

@test "every test zone pushed is served by NSD and BIND within 2 s, every record" {
	setup_stack
	local d n=0
	for d in $(zone_domains); do
		push_ok "$d" "$DADNS_ZONES/$d.db"
		local serial
		serial=$(zone_serial "$d" "$DADNS_ZONES/$d.db")
		[ -n "$serial" ]
		within 2 serves_serial "$NSD_PORT" "$d" "$serial"
		within 2 serves_serial "$BIND_PORT" "$d" "$serial"
		serves_zone "$NSD_PORT" "$d" "$DADNS_ZONES/$d.db"
		serves_zone "$BIND_PORT" "$d" "$DADNS_ZONES/$d.db"
		serves_stored "$NSD_PORT" "$d"
		serves_stored "$BIND_PORT" "$d"
		[ -f "$NSD_ZONES/$d.zone" ] && [ -f "$BIND_ZONES/$d.zone" ]
		grep -q "^add $d dadns$" "$NSD_DIR/zone.list"
		grep -q "^zone \"$d\" " "$BIND_INCLUDE"
		n=$((n + 1))
	done
	[ "$n" -ge 6 ]
	within 5 no_open_jobs
	[ "$(jobs_in dead)" = 0 ]
	# The record count check is real: every zone verified on both backends.
	[ "$(sqlite3 "$DB" "select count(*) from backend_state where result = 'ok'")" = $((2 * n)) ]
}

@test "NSD's control socket spoken directly: NSD stopped fails with the socket named and is retried; NSD back serves it" {
	setup_stack pattern
	grep -q "^control_socket = $NSD_DIR/nsd.ctl" "$INI"
	! grep -q "^control = nsd-control" "$INI"
	make_zone sock.test 2024010101 "$TMP/s1.db"
	push_ok sock.test "$TMP/s1.db"
	within 2 serves_serial "$NSD_PORT" sock.test 2024010101
	grep -q "nsd nsd: batch of 1 zone(s): 1 new.*1 control command(s) (addzones)" "$WORKER_LOG"
	stop_nsd
	make_zone sock.test 2024010102 "$TMP/s2.db"
	push_ok sock.test "$TMP/s2.db"
	within 5 grep -q "apply sock.test to nsd failed.*nsd.ctl.*retry" "$WORKER_LOG"
	grep "apply sock.test to nsd failed" "$WORKER_LOG" | head -1 | sed 's/^/# /' >&3
	within 2 serves_serial "$BIND_PORT" sock.test 2024010102
	start_nsd pattern
	within 10 serves_serial "$NSD_PORT" sock.test 2024010102
	serves_zone "$NSD_PORT" sock.test "$TMP/s2.db"
	within 5 no_open_jobs
	[ "$(jobs_in dead)" = 0 ]
	delete_zone sock.test
	within 2 not_served "$NSD_PORT" sock.test
	! $NSD_CONTROL zonestatus sock.test
}

@test "a new serial is served within 2 s; a delete is no longer served, file and registration gone" {
	# nsd-control over NSD's TLS control port here (elsewhere its unix socket)
	NSD_CTL=tls setup_stack
	grep -q "control-port: $NSD_CTL_PORT" "$NSD_CONF"
	[ -f "$NSD_DIR/nsd_control.key" ]
	make_zone change.test 2024010101 "$TMP/v1.db"
	push_ok change.test "$TMP/v1.db"
	within 2 serves_serial "$NSD_PORT" change.test 2024010101
	within 2 serves_serial "$BIND_PORT" change.test 2024010101
	make_zone change.test 2024010102 "$TMP/v2.db"
	echo "extra	3600	IN	A	192.0.2.99" >>"$TMP/v2.db"
	push_ok change.test "$TMP/v2.db"
	within 2 serves_serial "$NSD_PORT" change.test 2024010102
	within 2 serves_serial "$BIND_PORT" change.test 2024010102
	serves_zone "$NSD_PORT" change.test "$TMP/v2.db"
	serves_zone "$BIND_PORT" change.test "$TMP/v2.db"
	# A changed zone costs one reload of that zone, never a full reload.
	grep -q "nsd nsd: batch of 1 zone(s): 0 new, 1 changed.*1 control command(s) (reload)" "$WORKER_LOG"
	grep -q "bind bind: batch of 1 zone(s): 0 new, 1 changed.*1 control command(s) (reload)" "$WORKER_LOG"

	delete_zone change.test
	within 2 not_served "$NSD_PORT" change.test
	within 2 not_served "$BIND_PORT" change.test
	within 2 no_open_jobs
	[ ! -e "$NSD_ZONES/change.test.zone" ]
	[ ! -e "$BIND_ZONES/change.test.zone" ]
	! grep -q "change.test" "$BIND_INCLUDE"
	! $NSD_CONTROL zonestatus change.test
	# And named still knows it is gone after a restart.
	stop_named
	start_named
	not_served "$BIND_PORT" change.test
}

@test "NSD include-file mode: add, change, delete with one reconfig per batch" {
	setup_stack include
	make_zone inc.test 2024020201 "$TMP/v1.db"
	push_ok inc.test "$TMP/v1.db"
	within 2 serves_serial "$NSD_PORT" inc.test 2024020201
	serves_zone "$NSD_PORT" inc.test "$TMP/v1.db"
	grep -q "name: \"inc.test\"" "$NSD_INCLUDE"
	grep -q "zonefile: \"$NSD_ZONES/inc.test.zone\"" "$NSD_INCLUDE"
	make_zone inc.test 2024020202 "$TMP/v2.db"
	push_ok inc.test "$TMP/v2.db"
	within 2 serves_serial "$NSD_PORT" inc.test 2024020202
	grep -q "nsd nsd: batch of 1 zone(s): 0 new, 1 changed.*(reload)" "$WORKER_LOG"
	delete_zone inc.test
	within 2 not_served "$NSD_PORT" inc.test
	within 2 no_open_jobs
	! grep -q "inc.test" "$NSD_INCLUDE"
	[ ! -e "$NSD_ZONES/inc.test.zone" ]
	# The registration is NSD's own config: a restarted NSD agrees.
	stop_nsd
	start_nsd include
	not_served "$NSD_PORT" inc.test
}

@test "a reconfig lost to a crash is made up on the next start" {
	setup_stack include
	stop_worker
	# As if the worker died after writing the zone file and the include
	# file but before telling the servers.
	make_zone lost.test 2024030301 "$NSD_ZONES/lost.test.zone"
	cp "$NSD_ZONES/lost.test.zone" "$BIND_ZONES/lost.test.zone"
	printf 'zone:\n\tname: "lost.test"\n\tzonefile: "%s/lost.test.zone"\n' "$NSD_ZONES" >>"$NSD_INCLUDE"
	printf 'zone "lost.test" { type primary; file "%s/lost.test.zone"; };\n' "$BIND_ZONES" >>"$BIND_INCLUDE"
	not_served "$NSD_PORT" lost.test
	not_served "$BIND_PORT" lost.test
	"$DADNS_BUILD/dadnsctl" -c "$INI" push lost.test "$NSD_ZONES/lost.test.zone"
	start_worker
	within 3 serves_serial "$NSD_PORT" lost.test 2024030301
	within 3 serves_serial "$BIND_PORT" lost.test 2024030301
	within 3 no_open_jobs
}

@test "verification: AXFR refused means serial only; a pattern whose zonefile is elsewhere is refused at start" {
	ini_worker "retry_backoff = 1"
	NSD_XFR=0 start_nsd pattern
	ini_nsd_backend nsd
	start_stack
	start_worker
	make_zone noxfr.test 2024031501 "$TMP/noxfr.db"
	push_ok noxfr.test "$TMP/noxfr.db"
	within 2 serves_serial "$NSD_PORT" noxfr.test 2024031501
	within 3 no_open_jobs
	[ "$(jobs_in dead)" = 0 ]
	grep -q "refuses AXFR of noxfr.test: checked the serial only" "$WORKER_LOG"
	stop_worker
	stop_nsd

	# The pattern's zonefile is not where dadns writes: NSD would register
	# every zone and load none. `dadnsctl config check` and the worker ask
	# NSD's configuration and refuse at once, in one line naming both paths.
	NSD_XFR=1 NSD_PATTERN_DIR=$TMP/elsewhere start_nsd pattern
	run "$DADNS_BUILD/dadnsctl" -c "$INI" config check
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(grep -c "NSD reads the zones of pattern dadns from $TMP/elsewhere/%s.zone .* but dadns writes them to $NSD_ZONES/%s.zone" <<<"$output")" = 1 ]
	run timeout 60 "$DADNS_BUILD/dadns-worker" -c "$INI"
	echo "$output"
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
	[ "$(grep -c "^error: .*$TMP/elsewhere/%s.zone.*$NSD_ZONES/%s.zone" <<<"$output")" = 1 ]
}

@test "a zone file NSD cannot find: the worker logs NSD's own words as a warning, and the retry serves it" {
	ini_worker "retry_backoff = 1"
	start_nsd pattern
	ctl_wrapper nsd-w "$NSD_CONTROL"
	NSD_CONTROL=$TMP/nsd-w ini_nsd_backend nsd
	start_stack
	start_worker
	# The next addzones finds the zone's file gone (another hand removed it).
	echo "$NSD_ZONES/lost.test.zone" >"$TMP/lose.nsd-w"
	make_zone lost.test 2024031503 "$TMP/lost.db"
	push_ok lost.test "$TMP/lost.db"
	within 20 grep -q "warning: .*nsd nsd: NSD did not load lost.test: " "$WORKER_LOG"
	grep "NSD did not load" "$WORKER_LOG" | sed 's/^/# /' >&3
	grep -q "NSD did not load lost.test: error: zonefile $NSD_ZONES/lost.test.zone does not exist" "$WORKER_LOG"
	grep -q "apply lost.test to nsd failed.*verify.*(NSD: error: zonefile .* does not exist)" "$WORKER_LOG"
	within 20 no_open_jobs
	serves_serial "$NSD_PORT" lost.test 2024031503
	[ "$(jobs_in dead)" = 0 ]
}

@test "named down: NSD gets zones at once, BIND's jobs are retried and served after named is back" {
	setup_stack pattern
	stop_named
	local d serial
	for d in $(zone_domains); do
		push_ok "$d" "$DADNS_ZONES/$d.db"
		serial=$(zone_serial "$d" "$DADNS_ZONES/$d.db")
		within 2 serves_serial "$NSD_PORT" "$d" "$serial"
	done
	# BIND's jobs failed and are waiting for a retry, with the reason.
	within 3 grep -q "apply .* to bind failed.*retry" "$WORKER_LOG"
	[ "$(sqlite3 "$DB" "select count(*) from jobs where backends = 'bind' and state in ('queued','running') and attempt >= 1")" -ge 1 ]
	sqlite3 "$DB" "select last_error from jobs where backends = 'bind'" | grep -q "rndc"
	start_named
	for d in $(zone_domains); do
		serial=$(zone_serial "$d" "$DADNS_ZONES/$d.db")
		within 5 serves_serial "$BIND_PORT" "$d" "$serial"
		serves_zone "$BIND_PORT" "$d" "$DADNS_ZONES/$d.db"
	done
	within 10 no_open_jobs
	[ "$(jobs_in dead)" = 0 ]
}

@test "retries exhausted: the job is dead; dadnsctl retry brings the zone back" {
	setup_stack pattern
	# Break rndc only (named keeps running): a wrong control port.
	cp "$BIND_DIR/rndc.conf" "$TMP/rndc.conf.good"
	sed -i "s/default-port $BIND_CTL_PORT/default-port $(free_port)/" "$BIND_DIR/rndc.conf"
	make_zone dead.test 2024040401 "$TMP/dead.db"
	push_ok dead.test "$TMP/dead.db"
	within 2 serves_serial "$NSD_PORT" dead.test 2024040401
	within 15 sh -c "'$DADNS_BUILD/dadnsctl' -c '$INI' jobs --dead | grep -q dead.test"
	run "$DADNS_BUILD/dadnsctl" -c "$INI" jobs --dead
	[[ "$output" == *dead.test* ]]
	[[ "$output" == *bind* ]]
	not_served "$BIND_PORT" dead.test
	cp "$TMP/rndc.conf.good" "$BIND_DIR/rndc.conf"
	run "$DADNS_BUILD/dadnsctl" -c "$INI" retry --dead
	[ "$status" -eq 0 ]
	within 3 serves_serial "$BIND_PORT" dead.test 2024040401
	serves_zone "$BIND_PORT" dead.test "$TMP/dead.db"
	within 3 no_open_jobs
	[ "$(jobs_in dead)" = 0 ]
}

# watch_serials PORT ZONE FILE: record every serial served until killed.
watch_serials() {
	while :; do
		soa_serial "$1" "$2" >>"$3"
		sleep 0.02
	done
}

@test "no regression: v1 and v2 fail on BIND; BIND back serves v2, never v1" {
	setup_stack pattern 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1
	make_zone order.test 2024050501 "$TMP/v0.db"
	push_ok order.test "$TMP/v0.db"
	within 2 serves_serial "$BIND_PORT" order.test 2024050501
	stop_named
	make_zone order.test 2024050502 "$TMP/v1.db"
	push_ok order.test "$TMP/v1.db"
	within 2 serves_serial "$NSD_PORT" order.test 2024050502
	within 10 grep -q "order.test to bind failed" "$WORKER_LOG"
	make_zone order.test 2024050503 "$TMP/v2.db"
	push_ok order.test "$TMP/v2.db"
	within 2 serves_serial "$NSD_PORT" order.test 2024050503
	sleep 1.5
	watch_serials "$BIND_PORT" order.test "$TMP/seen" &
	local watcher=$!
	DADNS_PIDS+=("$watcher")
	start_named
	within 5 serves_serial "$BIND_PORT" order.test 2024050503
	within 10 no_open_jobs
	sleep 1
	kill "$watcher"
	serves_serial "$BIND_PORT" order.test 2024050503
	! grep -q 2024050502 "$TMP/seen"
	grep -q 2024050503 "$TMP/seen"
	[ "$(jobs_in dead)" = 0 ]
}

@test "kill -9 of the worker in the middle of a 300-zone batch: all 300 served, none lost" {
	setup_stack pattern
	stop_worker
	mkdir -p "$TMP/k"
	make_zones k.test 300 2024060600 "$TMP/k"
	push_many "$TMP/k" 8
	[ "$(jobs_in queued)" = 300 ]
	start_worker
	# Kill it once it is writing the batch's zone files.
	within 20 sh -c "[ \$(ls '$NSD_ZONES' | wc -l) -ge 30 ] || [ \$(ls '$BIND_ZONES' | wc -l) -ge 30 ]"
	kill -9 "$WORKER_PID"
	local at_kill
	at_kill=$(jobs_in done)
	echo "# killed with $(ls "$NSD_ZONES" | wc -l) NSD and $(ls "$BIND_ZONES" | wc -l) BIND zone files written, $at_kill of 300 jobs done" >&3
	[ "$at_kill" -lt 300 ]
	start_worker
	within 60 no_open_jobs
	local domains
	domains=$(seq -f 'k%g.test' 1 300)
	all_served "$NSD_PORT" 2024060600 $domains
	if ! all_served "$BIND_PORT" 2024060600 $domains; then
		local z
		z=$(unserved "$BIND_PORT" 2024060600 $domains | head -1)
		dig +norec @127.0.0.1 -p "$BIND_PORT" "$z" SOA >&2
		grep "$z" "$WORKER_LOG" | tail -5 >&2
		grep "$z" "$BIND_LOG" | tail -5 >&2
		sqlite3 "$DB" "select * from jobs where domain = '$z'" >&2
		false
	fi
	[ "$(jobs_in running)" = 0 ]
	[ "$(jobs_in dead)" = 0 ]
	[ "$(zone_count)" = 300 ]
	[ "$(grep -c '^add k' "$NSD_DIR/zone.list")" = 300 ]
	[ "$(grep -c '^zone "k' "$BIND_INCLUDE")" = 300 ]
}

@test "1,000 zones pushed as fast as the intake takes them are all served by NSD" {
	ini_worker "retry_backoff = 1,1,1,1,1"
	start_nsd pattern
	NSD_DIRECT=1 ini_nsd_backend nsd
	start_stack
	start_worker
	mkdir -p "$TMP/many"
	make_zones z.bench.test 1000 2024070700 "$TMP/many"
	local t0 t1 t2
	t0=$(date +%s.%N)
	push_many "$TMP/many" 8
	t1=$(date +%s.%N)
	within 60 no_open_jobs
	t2=$(date +%s.%N)
	local served cmds batches
	served=$(served_count "$NSD_PORT" 2024070700 $(seq -f 'z%g.bench.test' 1 1000))
	cmds=$(control_commands "nsd nsd")
	batches=$(grep -c "nsd nsd: batch of" "$WORKER_LOG")
	printf '# 1000 zones: pushed in %.2f s, all applied and verified after %.2f s; %s control commands in %s batches; %d served\n' \
		"$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t0" | bc)" "$cmds" "$batches" "$served" >&3
	[ "$served" = 1000 ]
	[ "$(jobs_in dead)" = 0 ]
	# New zones cost one addzones per batch (per 200 zones of a batch:
	# NSD_BULK_MAX), never one command per zone. How many batches there
	# are is the machine's scheduling (smaller when the worker outruns
	# the intake); the bound per batch is what must hold.
	local allowed
	allowed=$(grep "nsd nsd: batch of" "$WORKER_LOG" |
		sed -n 's/.*batch of \([0-9]*\) zone(s).*/\1/p' | awk '{s += int(($1 + 199) / 200)} END {print s}')
	[ "$cmds" -le "$allowed" ] ||
		{ echo "$cmds control commands for batches allowing $allowed" >&2; false; }
}

# ctl_wrapper NAME CMD...: $TMP/NAME runs CMD with its arguments, after
# appending the arguments to $TMP/NAME.log (one control command a line).
# When $TMP/break.NAME names a zone file, a `reload` without a zone first
# appends a line the servers cannot parse to it (once): a file broken after
# dadns wrote it, as a full disk or another hand could leave it. When
# $TMP/lose.NAME names one, the next `addzones` first removes it.
ctl_wrapper() {
	local name=$1
	shift
	cat >"$TMP/$name" <<W
#!/bin/sh
echo "\$*" >>"$TMP/$name.log"
if [ "\$*" = reload ] && [ -s "$TMP/break.$name" ]; then
	echo 'broken ( ( (' >>"\$(cat "$TMP/break.$name")"
	: >"$TMP/break.$name"
fi
if [ "\$1" = addzones ] && [ -s "$TMP/lose.$name" ]; then
	rm -f "\$(cat "$TMP/lose.$name")"
	: >"$TMP/lose.$name"
fi
exec $* "\$@"
W
	chmod +x "$TMP/$name"
	: >"$TMP/$name.log"
}

# rewrite_stack THRESHOLD: NSD (pattern) and named with their control
# commands logged by ctl_wrapper (nsd-w, rndc-w), reload_batch_threshold set.
rewrite_stack() {
	ini_worker "retry_backoff = 1,1,1,1,1" "lease_seconds = 30" "poll_interval_ms = 200"
	start_nsd pattern
	start_named
	ctl_wrapper nsd-w "$NSD_CONTROL"
	ctl_wrapper rndc-w "$BIND_CONTROL"
	NSD_CONTROL=$TMP/nsd-w ini_nsd_backend nsd
	BIND_CONTROL=$TMP/rndc-w ini_bind_backend bind
	sed -i "/^\[backend /a reload_batch_threshold = $1" "$INI"
	start_stack
}

# reloads NAME: "reload" lines of $TMP/NAME.log; zone_reloads NAME: those with a zone.
reloads() { grep -c '^reload$' "$TMP/$1.log" || true; }
zone_reloads() { grep -c '^reload ' "$TMP/$1.log" || true; }

@test "a rewrite of many zones costs ONE reload per server; every zone is served with its new serial" {
	rewrite_stack 8
	local n=12 domains
	domains=$(seq -f 'rw%g.test' 1 $n)
	mkdir -p "$TMP/v1" "$TMP/v2" "$TMP/v3"
	make_zones rw.test $n 2024080801 "$TMP/v1"
	push_many "$TMP/v1" 4
	start_worker
	within 20 no_open_jobs
	all_served "$NSD_PORT" 2024080801 $domains
	all_served "$BIND_PORT" 2024080801 $domains
	[ "$(reloads nsd-w)" = 0 ]
	[ "$(reloads rndc-w)" = 0 ]

	# DirectAdmin rewrites all zones: one batch of 12 changed zones (> 8).
	stop_worker
	: >"$TMP/nsd-w.log"
	: >"$TMP/rndc-w.log"
	make_zones rw.test $n 2024080802 "$TMP/v2"
	push_many "$TMP/v2" 4
	start_worker
	within 20 no_open_jobs
	cat "$TMP/nsd-w.log" "$TMP/rndc-w.log" | sed 's/^/# /' >&3
	all_served "$NSD_PORT" 2024080802 $domains
	all_served "$BIND_PORT" 2024080802 $domains
	for d in $domains; do
		serves_zone "$NSD_PORT" "$d" "$TMP/v2/$d.db"
		serves_zone "$BIND_PORT" "$d" "$TMP/v2/$d.db"
	done
	[ "$(reloads nsd-w)" = 1 ]
	[ "$(zone_reloads nsd-w)" = 0 ]
	[ "$(reloads rndc-w)" = 1 ]
	[ "$(zone_reloads rndc-w)" = 0 ]
	# nothing else but the reconfig of a worker's first batch
	[ "$(grep -cv '^reconfig$\|^reload$' "$TMP/rndc-w.log")" = 0 ]
	[ "$(jobs_in dead)" = 0 ]
	grep -q "nsd nsd: batch of $n zone(s): 0 new, $n changed, 0 deleted, 0 failed" "$WORKER_LOG"
	grep -q "bind bind: batch of $n zone(s): 0 new, $n changed, 0 deleted, 0 failed" "$WORKER_LOG"

	# Under the threshold: one reload per zone, as before.
	stop_worker
	: >"$TMP/nsd-w.log"
	: >"$TMP/rndc-w.log"
	make_zones rw.test 3 2024080803 "$TMP/v3"
	push_many "$TMP/v3" 3
	start_worker
	within 20 no_open_jobs
	all_served "$NSD_PORT" 2024080803 rw1.test rw2.test rw3.test
	all_served "$BIND_PORT" 2024080803 rw1.test rw2.test rw3.test
	[ "$(reloads nsd-w)" = 0 ]
	[ "$(zone_reloads nsd-w)" = 3 ]
	[ "$(reloads rndc-w)" = 0 ]
	[ "$(zone_reloads rndc-w)" = 3 ]
	grep -qx "reload rw2.test" "$TMP/nsd-w.log"
	grep -qx "reload rw2.test" "$TMP/rndc-w.log"
}

@test "a zone file the server cannot load in a big batch fails alone and is retried" {
	rewrite_stack 4
	local n=10 domains
	domains=$(seq -f 'br%g.test' 1 $n)
	mkdir -p "$TMP/v1" "$TMP/v2"
	make_zones br.test $n 2024090901 "$TMP/v1"
	push_many "$TMP/v1" 4
	start_worker
	within 20 no_open_jobs
	all_served "$NSD_PORT" 2024090901 $domains
	all_served "$BIND_PORT" 2024090901 $domains
	stop_worker
	: >"$TMP/nsd-w.log"
	: >"$TMP/rndc-w.log"
	echo "$NSD_ZONES/br7.test.zone" >"$TMP/break.nsd-w"
	echo "$BIND_ZONES/br7.test.zone" >"$TMP/break.rndc-w"
	make_zones br.test $n 2024090902 "$TMP/v2"
	push_many "$TMP/v2" 4
	start_worker
	# br7 fails its first attempt on both servers (verification), the
	# other nine are served at once and not touched again.
	within 20 grep -q "apply br7.test to nsd failed.*verify" "$WORKER_LOG"
	within 20 grep -q "apply br7.test to bind failed.*verify" "$WORKER_LOG"
	grep "br7.test" "$WORKER_LOG" | sed 's/^/# /' >&3
	# What NSD said of the file, in its words, as a warning.
	grep -q "warning: .*nsd nsd: NSD did not load br7.test: .*$NSD_ZONES/br7.test.zone" "$WORKER_LOG"
	! grep -q "apply br[0-9]*[0-68-9].test to .* failed" "$WORKER_LOG"
	[ "$(reloads nsd-w)" = 1 ]
	[ "$(reloads rndc-w)" = 1 ]
	# The retry (a batch of one) rewrites the file and reloads that zone.
	within 20 no_open_jobs
	all_served "$NSD_PORT" 2024090902 $domains
	all_served "$BIND_PORT" 2024090902 $domains
	grep -qx "reload br7.test" "$TMP/nsd-w.log"
	grep -qx "reload br7.test" "$TMP/rndc-w.log"
	[ "$(jobs_in dead)" = 0 ]
}
