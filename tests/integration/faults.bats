#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# faults.bats -- dadns when things fail around it: the database's
# filesystem full, a zone directory full or read-only, the SQLite write
# lock held by someone else, nsd-control / rndc hanging or failing, the
# worker and the intake killed with SIGKILL at random moments. Real nginx,
# dadns-intake, dadns-worker, NSD and named; tmpfs mounts need root.

load helpers
load dns_helpers
load faults_helpers

setup() {
	dadns_setup
	faults_setup
}

teardown() { faults_teardown; }

# stack [NSD mode]: NSD, named, both backends, nginx + intake (no worker).
stack() {
	ini_worker "retry_backoff = 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1" "lease_seconds = 2" \
		"poll_interval_ms = 200"
	start_nsd "${1:-pattern}"
	start_named
	ini_nsd_backend nsd
	ini_bind_backend bind
	start_stack
}

@test "faults: database filesystem full: pushes answer error=1, never error=0; then all works, nothing half-written" {
	small_fs "$TMP/dbfs" 8m
	DB=$TMP/dbfs/dadns.db
	write_ini
	stack
	start_worker
	make_zone before.test 1 "$TMP/before.db"
	[ "$(push_answer before.test "$TMP/before.db")" = 0 ]
	local i a
	for i in 1 2 3 4 5; do big_zone "big$i.test" 7 3000 "$TMP/big$i.db"; done
	# Larger than the WAL: SQLite must find new space to take one.
	[ "$(stat -c %s "$DB-wal")" -lt "$(stat -c %s "$TMP/big1.db")" ]
	fill_fs "$TMP/dbfs"
	for i in 1 2 3 4 5; do
		a=$(push_answer "big$i.test" "$TMP/big$i.db")
		[ "$a" = 1 ] || { echo "big$i: answer '$a' ($HTTP_STATUS $HTTP_BODY)" >&2; false; }
	done
	# Small pushes may fit in pages SQLite already has; whatever is
	# acknowledged must be stored.
	for i in 1 2 3; do
		make_zone "small$i.test" 3 "$TMP/small$i.db"
		a=$(push_answer "small$i.test" "$TMP/small$i.db")
		[ "$a" = 1 ] || [ "$(zone_count "small$i.test")" = 1 ]
	done
	grep -q "Database error\|database or disk is full" "$INTAKE_LOG"
	db_ok
	[ "$(zone_count before.test)" = 1 ]
	for i in 1 2 3 4 5; do [ "$(zone_count "big$i.test")" = 0 ]; done
	# Space comes back: the same pushes now succeed, without a restart.
	unfill_fs "$TMP/dbfs"
	for i in 1 2 3 4 5; do
		a=$(push_answer "big$i.test" "$TMP/big$i.db")
		[ "$a" = 0 ] || { echo "big$i after: '$a' ($HTTP_BODY)" >&2; false; }
	done
	db_ok
	[ "$(sqlite3 "$DB" "select count(*) from zones where domain like 'big%' and records = 3003 and serial = 7")" = 5 ]
	wait_until 30 queue_drained
	serves_desired "$NSD_PORT"
	serves_desired "$BIND_PORT"
	serves_stored "$NSD_PORT" big3.test
}

@test "faults: zone directory full (NSD): the backend fails and retries, desired state intact, served once there is space; BIND unaffected" {
	small_fs "$TMP/nsd/zones" 1m
	stack
	start_worker
	fill_fs "$TMP/nsd/zones"
	local i
	for i in 1 2 3 4 5; do
		make_zone "full$i.test" 11 "$TMP/full$i.db"
		[ "$(push_answer "full$i.test" "$TMP/full$i.db")" = 0 ]
	done
	# BIND gets them at once; NSD cannot write the files.
	wait_until 10 all_served "$BIND_PORT" 11 full1.test full2.test full3.test full4.test full5.test
	wait_until 10 grep -q "apply full[1-5].test to nsd failed.*retry" "$WORKER_LOG"
	[ "$(served_any "$NSD_PORT" full1.test full2.test full3.test full4.test full5.test)" = 0 ]
	[ "$(zone_count)" = 5 ]
	[ "$(sqlite3 "$DB" "select count(*) from zones where serial = 11 and records = 10")" = 5 ]
	[ "$(dead_jobs)" = 0 ]
	unfill_fs "$TMP/nsd/zones"
	wait_until 20 all_served "$NSD_PORT" 11 full1.test full2.test full3.test full4.test full5.test
	for i in 1 2 3 4 5; do serves_stored "$NSD_PORT" "full$i.test"; done
	wait_until 10 queue_drained
	[ "$(dead_jobs)" = 0 ]
	# No temporary file left half-written.
	[ "$(ls "$NSD_ZONES" | grep -v '\.zone$' | wc -l)" = 0 ]
}

@test "faults: zone directory read-only (BIND): the backend fails and retries, desired state intact, served once writable; NSD unaffected" {
	small_fs "$TMP/bind/zones" 4m
	fs_readonly "$TMP/bind/zones"
	stack
	start_worker
	local i
	for i in 1 2 3 4; do
		make_zone "ro$i.test" 21 "$TMP/ro$i.db"
		[ "$(push_answer "ro$i.test" "$TMP/ro$i.db")" = 0 ]
	done
	wait_until 10 all_served "$NSD_PORT" 21 ro1.test ro2.test ro3.test ro4.test
	wait_until 10 grep -q "apply ro[1-4].test to bind failed.*retry" "$WORKER_LOG"
	[ "$(served_any "$BIND_PORT" ro1.test ro2.test ro3.test ro4.test)" = 0 ]
	[ "$(zone_count)" = 4 ]
	[ "$(dead_jobs)" = 0 ]
	fs_writable "$TMP/bind/zones"
	wait_until 20 all_served "$BIND_PORT" 21 ro1.test ro2.test ro3.test ro4.test
	for i in 1 2 3 4; do serves_stored "$BIND_PORT" "ro$i.test"; done
	wait_until 10 queue_drained
	[ "$(dead_jobs)" = 0 ]
}

@test "faults: the SQLite write lock held past busy_timeout: error=1 in bounded time, no request hangs" {
	write_ini "busy_timeout_ms = 500"
	start_stack
	make_zone locked.test 5 "$TMP/locked.db"
	[ "$(push_answer locked.test "$TMP/locked.db")" = 0 ]
	make_zone locked.test 6 "$TMP/locked6.db"
	hold_write_lock 12
	local i t0 t1
	t0=$(date +%s%3N)
	# Eight pushes and two deletes at once, more than the intake's threads.
	for i in 1 2 3 4 5 6 7 8; do
		curl -sS --max-time 20 -u "$DA_USER:$DA_PASS" -H 'Content-Type:' \
			--data-binary "@$TMP/locked6.db" -o "$TMP/lock$i.answer" \
			"$FRONT_URL/CMD_API_DNS_ADMIN?action=rawsave&domain=locked.test&hostname=$DA_HOST" &
	done
	for i in 9 10; do
		curl -sS --max-time 20 -u "$DA_USER:$DA_PASS" -H 'Content-Type:' -o "$TMP/lock$i.answer" \
			--data-binary "action=delete&cluster=yes&hostname=$DA_HOST&select0=locked.test" \
			"$FRONT_URL/CMD_API_DNS_ADMIN" &
	done
	wait_until 15 answers_in "$TMP" lock 10
	t1=$(date +%s%3N)
	echo "# 10 requests answered in $((t1 - t0)) ms with the lock held" >&3
	# busy_timeout 500 ms: queued behind each other on 4 threads, the
	# last answer still comes long before the lock is released (12 s).
	[ $((t1 - t0)) -lt 6000 ]
	for i in 1 2 3 4 5 6 7 8 9 10; do
		grep -q '^error=1&text=Database%20busy' "$TMP/lock$i.answer" ||
			{ cat "$TMP/lock$i.answer" >&2; false; }
	done
	# Readers are not blocked by a writer (WAL).
	req "/CMD_API_DNS_ADMIN?action=exists&domain=locked.test"
	[ "$(answer exists)" = 1 ]
	write_locked
	kill "$LOCK_PID"
	wait_until 5 not_write_locked
	[ "$(push_answer locked.test "$TMP/locked6.db")" = 0 ]
	[ "$(sqlite3 "$DB" "select serial from zones where domain = 'locked.test'")" = 6 ]
	db_ok
}

@test "faults: nsd-control hanging, then failing: bounded by the timeout, retried, BIND unaffected" {
	control_wrapper nsd-ctl nsd-control -c "$TMP/nsd/nsd.conf"
	stack
	# The backend's control command is the wrapper, with a 2 s timeout.
	sed -i -e "s|^control = nsd-control -c .*|control = $TMP/nsd-ctl|" \
		-e "/^\[backend nsd\]/,/^\[/ s/^timeout = .*/timeout = 2/" "$INI"
	grep -q "^control = $TMP/nsd-ctl" "$INI"
	echo hang >"$TMP/nsd-ctl.mode"
	start_worker
	local i zones=()
	for i in 1 2 3; do
		make_zone "hang$i.test" 31 "$TMP/hang$i.db"
		[ "$(push_answer "hang$i.test" "$TMP/hang$i.db")" = 0 ]
		zones+=("hang$i.test")
	done
	wait_until 5 all_served "$BIND_PORT" 31 "${zones[@]}"
	wait_until 15 grep -q "apply hang[1-3].test to nsd failed.*retry" "$WORKER_LOG"
	grep "apply hang.* to nsd failed" "$WORKER_LOG" | head -2 | sed 's/^/# /' >&3
	# The hanging command that timed out was killed, and what it started
	# with it: every sleep started so far ends within the 2 s timeout.
	local hung
	hung=$(hung_pids)
	[ -n "$hung" ]
	wait_until 5 hung_gone $hung
	# Still retried while it hangs, and BIND takes new zones meanwhile.
	wait_until 15 log_count_over "to nsd failed.*retry" 1
	make_zone hang4.test 31 "$TMP/hang4.db"
	[ "$(push_answer hang4.test "$TMP/hang4.db")" = 0 ]
	zones+=(hang4.test)
	wait_until 5 all_served "$BIND_PORT" 31 "${zones[@]}"
	# A worker asked to stop while a command hangs stops within its timeout.
	local ms
	ms=$(elapsed_ms stop_worker)
	echo "# worker stopped in $ms ms while nsd-control hangs" >&3
	[ "$ms" -lt 5000 ]
	start_worker
	echo fail >"$TMP/nsd-ctl.mode"
	local before
	before=$(grep -c 'to nsd failed' "$WORKER_LOG")
	wait_until 15 log_count_over "to nsd failed" "$before"
	[ "$(served_any "$NSD_PORT" "${zones[@]}")" = 0 ]
	[ "$(dead_jobs)" = 0 ]
	: >"$TMP/nsd-ctl.mode"
	wait_until 20 all_served "$NSD_PORT" 31 "${zones[@]}"
	wait_until 10 queue_drained
	[ "$(dead_jobs)" = 0 ]
}

@test "faults: rndc hanging: bounded by the timeout, retried, NSD unaffected" {
	control_wrapper rndc-w rndc -c "$TMP/bind/rndc.conf"
	stack
	sed -i -e "s|^control = rndc -c .*|control = $TMP/rndc-w|" \
		-e "/^\[backend bind\]/,/^\[/ s/^timeout = .*/timeout = 2/" "$INI"
	grep -q "^control = $TMP/rndc-w" "$INI"
	echo hang >"$TMP/rndc-w.mode"
	start_worker
	make_zone rhang.test 41 "$TMP/rhang.db"
	[ "$(push_answer rhang.test "$TMP/rhang.db")" = 0 ]
	wait_until 5 serves_serial "$NSD_PORT" rhang.test 41
	wait_until 15 grep -q "apply rhang.test to bind failed.*retry" "$WORKER_LOG"
	local hung
	hung=$(hung_pids)
	[ -n "$hung" ]
	wait_until 5 hung_gone $hung
	: >"$TMP/rndc-w.mode"
	wait_until 20 serves_serial "$BIND_PORT" rhang.test 41
	wait_until 10 queue_drained
	[ "$(dead_jobs)" = 0 ]
}

@test "faults: the worker killed with SIGKILL 20 times during a 500-zone load: served state equals desired state" {
	# Batches of 100: the kills land between batches as well as inside one.
	ini_worker "batch_max = 100"
	stack
	mkdir -p "$TMP/z1" "$TMP/z2"
	make_zones z.kill.test 500 1 "$TMP/z1"
	make_zones z.kill.test 100 2 "$TMP/z2"
	push_many "$TMP/z1" 4 &
	local push1=$! i kills=0 del=() push2=
	for i in $(seq 401 440); do del+=("z$i.kill.test"); done
	for ((i = 1; i <= 20; i++)); do
		"$DADNS_BUILD/dadns-worker" -c "$INI" >>"$WORKER_LOG" 2>&1 3>&- &
		local wpid=$!
		rand_sleep 100 2000
		kill -KILL "$wpid" && kills=$((kills + 1))
		wait "$wpid" 2>/dev/null || true
		if [ "$i" -eq 8 ]; then
			wait "$push1"
			# Updates of 100 zones and 40 deletes while the kills go on.
			push_many "$TMP/z2" 4 &
			push2=$!
			local d
			for d in "${del[@]}"; do
				req --data-binary "action=delete&cluster=yes&hostname=$DA_HOST&select0=$d" \
					-H 'Content-Type:' "/CMD_API_DNS_ADMIN" >/dev/null
				[ "$(answer error)" = 0 ]
			done
		fi
	done
	[ "$kills" -eq 20 ]
	wait "$push2"
	echo "# 20 SIGKILLs; $(grep -c 'worker: started' "$WORKER_LOG") starts; applied so far: nsd $(nsd_zones | wc -l), bind $(bind_zones | wc -l)" >&3
	start_worker
	wait_until 90 queue_drained
	[ "$(dead_jobs)" = 0 ]
	[ "$(zone_count)" = 460 ]
	[ "$(desired_domains 2 | wc -l)" = 100 ]
	# Exactly the desired zones, each with its desired serial.
	[ "$(nsd_zones)" = "$(desired_domains)" ]
	[ "$(bind_zones)" = "$(desired_domains)" ]
	serves_desired "$NSD_PORT"
	serves_desired "$BIND_PORT"
	# No temporary file of a killed worker is left (zone files, include files).
	[ -z "$(find "$NSD_DIR" "$BIND_DIR" -name '*.tmp.*' | head -3)" ]
	[ "$(ls "$NSD_ZONES" | wc -l)" = 460 ]
	[ "$(ls "$BIND_ZONES" | wc -l)" = 460 ]
	[ "$(served_any "$NSD_PORT" "${del[@]}")" = 0 ]
	[ "$(served_any "$BIND_PORT" "${del[@]}")" = 0 ]
	# Every record of a sample, over AXFR.
	local d
	for d in z1.kill.test z77.kill.test z100.kill.test z101.kill.test z399.kill.test z500.kill.test; do
		serves_stored "$NSD_PORT" "$d"
		serves_stored "$BIND_PORT" "$d"
	done
}

@test "faults: the intake killed with SIGKILL at random during pushes: every acknowledged zone is stored" {
	start_stack
	mkdir -p "$TMP/zk"
	make_zones k.intake.test 300 9 "$TMP/zk"
	push_many "$TMP/zk" 6 &
	local push=$! i
	for ((i = 1; i <= 6; i++)); do
		rand_sleep 200 900
		kill -KILL "$INTAKE_PID"
		start_intake unix
	done
	wait "$push" || true
	local acked=0 lost=0 f d
	for f in "$TMP"/zk/*.answer; do
		grep -q '^error=0&' "$f" || continue
		acked=$((acked + 1))
		d=$(basename "$f" .answer)
		[ "$(sqlite3 "$DB" "select serial from zones where domain = '$d'")" = 9 ] ||
			{ echo "acknowledged but not stored: $d" >&2; lost=$((lost + 1)); }
	done
	echo "# 6 SIGKILLs of the intake: $acked of 300 pushes acknowledged, $(zone_count) stored" >&3
	[ "$lost" -eq 0 ]
	[ "$acked" -gt 0 ]
	db_ok
	# Nothing is stored half: every row is a whole zone.
	[ "$(sqlite3 "$DB" "select count(*) from zones where records != 9 or serial != 9")" = 0 ]
	[ "$(sqlite3 "$DB" "select count(*) from zones z where not exists (select 1 from jobs j where j.domain = z.domain)")" = 0 ]
}
