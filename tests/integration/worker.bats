#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# worker.bats -- dadns-worker with null backends: batching, collapse, retry
# of the failed backend only, dead jobs and dadnsctl retry, crash and stop
# safety, wake-up latency, a slow backend not holding up the others.

load helpers
load worker_helpers

setup() {
	dadns_setup
	worker_setup
}

teardown() {
	dadns_teardown
	# Under SANITIZE=1 a leak or undefined behaviour shows in the worker's log.
	! grep -E "Sanitizer|runtime error" "$WORKER_LOG" "$TMP"/w.log* 2>/dev/null
}

@test "worker: --help and --version" {
	run "$DADNS_BUILD/dadns-worker" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--once"* ]]
	run "$DADNS_BUILD/dadns-worker" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "dadns-worker "* ]]
	run "$DADNS_BUILD/dadns-worker" --bogus
	[ "$status" -ne 0 ]
}

@test "worker: refuses to start without an enabled backend" {
	worker_backend a "zones_dir=$ZA" enabled=0
	worker_ini
	run "$DADNS_BUILD/dadns-worker" -c "$INI" --once
	[ "$status" -eq 1 ]
	[[ "$output" == *"no backend is enabled"* ]]
}

@test "worker: 1200 zones go out in batches of 500, one log line per batch and backend" {
	worker_backend a "zones_dir=$ZA"
	worker_backend b "zones_dir=$ZB"
	worker_ini batch_max=500
	bulk_push 1200 bulk
	[ "$(jobs_in queued)" -eq 1200 ]
	run_worker_once
	[ "$(files_in "$ZA")" -eq 1200 ]
	[ "$(files_in "$ZB")" -eq 1200 ]
	applied "$ZA" bulk-777.test 2024010101
	[ "$(jobs_in done)" -eq 1200 ]
	[ "$(batch_lines a)" -eq 3 ]
	[ "$(batch_lines b)" -eq 3 ]
	[ "$(grep -c 'worker: a: batch of 500 zones: applied 500, failed 0' "$WORKER_LOG")" -eq 2 ]
	[ "$(grep -c 'worker: a: batch of 200 zones: applied 200, failed 0' "$WORKER_LOG")" -eq 1 ]
	grep -E 'worker: b: batch of 500 zones: applied 500, failed 0, [0-9.]+ s, [0-9]+ zones/s' "$WORKER_LOG"
	grep 'batch of 500' "$WORKER_LOG" | sed 's/^/# /' >&3
	[ "$(sqlite3 "$DB" "select count(*) from backend_state where result = 'ok' and serial = 2024010101")" -eq 2400 ]
}

@test "worker: ten pushes of one domain collapse into one apply of the newest" {
	worker_backend a "zones_dir=$ZA"
	worker_ini
	for s in 1 2 3 4 5 6 7 8 9 10; do
		ctl_push example.com "$s"
	done
	[ "$(jobs_in queued)" -eq 10 ]
	run_worker_once
	[ "$(batch_lines a)" -eq 1 ]
	grep -q 'worker: a: batch of 1 zones: applied 1, failed 0' "$WORKER_LOG"
	applied "$ZA" example.com 10
	[ "$(jobs_in done)" -eq 10 ]
	[ "$(sqlite3 "$DB" "select serial from backend_state where backend = 'a' and domain = 'example.com'")" = 10 ]
}

@test "worker: a failing backend is retried alone, the other is unaffected" {
	worker_backend a "zones_dir=$ZA"
	worker_backend b "zones_dir=$ZB"
	worker_ini retry_backoff=1,1,1
	break_dir "$ZA"
	start_worker
	ctl_push example.com 1
	wait_until 3 applied "$ZB" example.com 1
	wait_until 3 log_has "$WORKER_LOG" "apply example.com to a failed (write $ZA/example.com"
	grep -q "retry 1 of 3 in 1 s as job" "$WORKER_LOG"
	# The retry is for a alone; b has nothing to retry.
	[ "$(sqlite3 "$DB" "select count(*) from jobs where source = 'retry' and backends = 'a'")" -eq 1 ]
	[ "$(sqlite3 "$DB" "select count(*) from jobs where source = 'retry' and backends is not 'a'")" -eq 0 ]
	[ "$(sqlite3 "$DB" "select state from jobs where id = 1")" = done ]
	[ "$(sqlite3 "$DB" "select result from backend_state where backend = 'a'")" = fail ]
	fix_dir "$ZA"
	wait_until 5 applied "$ZA" example.com 1
	wait_until 3 queue_idle
	[ "$(jobs_in dead)" -eq 0 ]
	[ "$(batch_lines b)" -eq 1 ]
	[ "$(sqlite3 "$DB" "select result || ' ' || serial || ' ' || attempts from backend_state where backend = 'a'")" = "ok 1 0" ]
}

@test "worker: dead after the last retry; dadnsctl retry ID brings it back" {
	worker_backend a "zones_dir=$ZA"
	worker_backend b "zones_dir=$ZB"
	worker_ini retry_backoff=1,1,1
	break_dir "$ZA"
	start_worker
	ctl_push example.com 1
	wait_until 10 jobs_are dead 1
	# The first try and three retries, then dead.
	[ "$(grep -c 'apply example.com to a failed' "$WORKER_LOG")" -eq 4 ]
	grep -q 'apply example.com to a failed (.*); dead' "$WORKER_LOG"
	id=$(sqlite3 "$DB" "select id from jobs where state = 'dead'")
	[ "$(sqlite3 "$DB" "select backends || ' ' || attempt from jobs where id = $id")" = "a 3" ]
	applied "$ZB" example.com 1
	run dadnsctl jobs --dead
	[ "$status" -eq 0 ]
	[[ "$output" == *example.com* ]]
	fix_dir "$ZA"
	run dadnsctl retry "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"job $id queued again"* ]]
	wait_until 3 applied "$ZA" example.com 1
	wait_until 3 queue_idle
	[ "$(sqlite3 "$DB" "select state from jobs where id = $id")" = done ]
	[ "$(jobs_in dead)" -eq 0 ]
}

@test "worker: dadnsctl retry --dead revives every dead job; a job that is not dead is refused" {
	worker_backend a "zones_dir=$ZA"
	worker_ini retry_backoff=0
	break_dir "$ZA"
	ctl_push one.test 1
	ctl_push two.test 1
	run_worker_once
	[ "$(jobs_in dead)" -eq 2 ]
	run dadnsctl retry 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"not dead"* ]]
	run dadnsctl retry 99999
	[ "$status" -eq 1 ]
	run dadnsctl retry bogus
	[ "$status" -eq 2 ]
	fix_dir "$ZA"
	run dadnsctl retry --dead
	[ "$status" -eq 0 ]
	[[ "$output" == *"2 dead jobs queued again"* ]]
	run_worker_once
	applied "$ZA" one.test 1
	applied "$ZA" two.test 1
	[ "$(jobs_in dead)" -eq 0 ]
	queue_idle
}

@test "worker: a later successful apply retires the domain's dead job" {
	worker_backend a "zones_dir=$ZA"
	worker_ini retry_backoff=0
	break_dir "$ZA"
	ctl_push example.com 1
	run_worker_once
	[ "$(jobs_in dead)" -eq 1 ]
	id=$(sqlite3 "$DB" "select id from jobs where state = 'dead'")
	fix_dir "$ZA"
	ctl_push example.com 2
	run_worker_once
	applied "$ZA" example.com 2
	[ "$(jobs_in dead)" -eq 0 ]
	[ "$(sqlite3 "$DB" "select state from jobs where id = $id")" = done ]
	sqlite3 "$DB" "select last_error from jobs where id = $id" | grep -q superseded
	run dadnsctl jobs --dead
	[[ "$output" != *example.com* ]]
}

@test "worker: a late retry never puts an older zone back" {
	worker_backend a "zones_dir=$ZA"
	worker_backend b "zones_dir=$ZB"
	worker_ini retry_backoff=1,1,1,1,1
	break_dir "$ZA"
	start_worker
	ctl_push example.com 1
	wait_until 3 applied "$ZB" example.com 1
	wait_until 3 log_has "$WORKER_LOG" "apply example.com to a failed"
	ctl_push example.com 2
	wait_until 3 applied "$ZB" example.com 2
	fix_dir "$ZA"
	wait_until 5 applied "$ZA" example.com 2
	wait_until 3 queue_idle
	applied "$ZA" example.com 2
	[ "$(sqlite3 "$DB" "select serial from backend_state where backend = 'a'")" = 2 ]
	[ "$(jobs_in dead)" -eq 0 ]
}

@test "worker: a slow backend does not hold up the others" {
	worker_backend a "zones_dir=$ZA" delay_ms=3000
	worker_backend b "zones_dir=$ZB"
	worker_ini
	start_worker
	ctl_push one.test 1
	wait_until 1 applied "$ZB" one.test 1
	ctl_push two.test 1
	wait_until 1 applied "$ZB" two.test 1
	# a is still in its first batch.
	[ ! -e "$ZA/one.test" ]
	[ "$(batch_lines a)" -eq 0 ]
	[ "$(batch_lines b)" -eq 2 ]
	wait_until 10 applied "$ZA" two.test 1
	applied "$ZA" one.test 1
	wait_until 3 queue_idle
}

@test "worker: kill -9 in the middle of a batch, restart: no job left running, none lost" {
	worker_backend a "zones_dir=$ZA" delay_ms=3000
	# The default 300 s lease: the restarted worker must not wait for it.
	worker_ini batch_max=100
	bulk_push 300 crash
	start_worker
	wait_until 3 jobs_running
	kill -KILL "$WORKER_PID"
	wait "$WORKER_PID" 2>/dev/null || true
	[ "$(jobs_in running)" -gt 0 ]
	[ "$(files_in "$ZA")" -eq 0 ]
	BACKEND_SECTIONS=()
	worker_backend a "zones_dir=$ZA"
	worker_ini batch_max=100
	# Restarted at once: it holds the worker lock, so the dead worker's jobs
	# are given back at start instead of after their leases run out.
	start_worker
	# (start_worker saw the first worker's "started" line: wait for this one's.)
	wait_until 10 grep -qE "released [0-9]+ jobs left running by a previous worker" "$WORKER_LOG"
	wait_until 10 queue_idle
	[ "$(files_in "$ZA")" -eq 300 ]
	[ "$(jobs_in done)" -eq 300 ]
	[ "$(jobs_in running)" -eq 0 ]
}

@test "worker: a second worker daemon on the same database is refused" {
	worker_backend a "zones_dir=$ZA"
	worker_ini
	start_worker
	run "$DADNS_BUILD/dadns-worker" -c "$INI"
	[ "$status" -eq 1 ]
	[[ "$output" == *"another dadns-worker holds"* ]]
}

@test "worker: done jobs older than keep_done_days are pruned, others kept" {
	worker_backend a "zones_dir=$ZA"
	worker_ini keep_done_days=2
	ctl_push old.test 1
	ctl_push new.test 1
	run_worker_once
	[ "$(jobs_in done)" -eq 2 ]
	sqlite3 "$DB" "update jobs set updated_at = updated_at - 3 * 86400000 where domain = 'old.test'"
	sqlite3 "$DB" "insert into jobs(domain, op, source, state, attempt, run_after, created_at, updated_at, last_error) values('dead.test', 'write', 'da', 'dead', 5, 0, 0, 0, 'x')"
	run_worker_once
	[ "$(sqlite3 "$DB" "select count(*) from jobs where domain = 'old.test'")" -eq 0 ]
	[ "$(sqlite3 "$DB" "select count(*) from jobs where domain = 'new.test'")" -eq 1 ]
	[ "$(jobs_in dead)" -eq 1 ]
	grep "pruned 1 done jobs older than 2 days" "$WORKER_LOG"
}

@test "worker: SIGTERM finishes the batch in hand, gives the rest back and exits 0" {
	worker_backend a "zones_dir=$ZA" delay_ms=1500
	worker_ini batch_max=50
	bulk_push 200 term
	start_worker
	wait_until 3 jobs_running
	kill -TERM "$WORKER_PID"
	rc=0
	wait "$WORKER_PID" || rc=$?
	[ "$rc" -eq 0 ]
	[ "$(jobs_in running)" -eq 0 ]
	[ "$(jobs_in done)" -eq 50 ]
	[ "$(jobs_in queued)" -eq 150 ]
	[ "$(files_in "$ZA")" -eq 50 ]
	grep -q "released 150 unfinished jobs" "$WORKER_LOG"
	BACKEND_SECTIONS=()
	worker_backend a "zones_dir=$ZA"
	worker_ini batch_max=50
	run_worker_once
	[ "$(files_in "$ZA")" -eq 200 ]
	queue_idle
}

@test "worker: a push is applied in well under a second with a 10 s poll interval" {
	worker_backend a "zones_dir=$ZA"
	worker_ini poll_interval_ms=10000
	start_worker
	sleep 0.3
	t0=$(now_ms)
	ctl_push example.com 7
	wait_until 2 applied "$ZA" example.com 7
	t1=$(now_ms)
	echo "# dadnsctl push to applied: $((t1 - t0)) ms" >&3
	[ $((t1 - t0)) -lt 1000 ]
}

@test "worker: a DirectAdmin push through the intake is applied in well under a second" {
	worker_backend a "zones_dir=$ZA"
	worker_ini poll_interval_ms=10000
	start_stack
	start_worker
	sleep 0.3
	t0=$(now_ms)
	push_zone example.com "$DADNS_ZONES/example.com.db"
	[ "$HTTP_STATUS" = 200 ]
	[ "$(answer error)" = 0 ]
	wait_until 2 applied "$ZA" example.com 2024051501
	t1=$(now_ms)
	echo "# HTTP push to applied: $((t1 - t0)) ms" >&3
	[ $((t1 - t0)) -lt 1000 ]
}

@test "worker: a deleted zone is removed from the backend" {
	worker_backend a "zones_dir=$ZA"
	worker_ini
	ctl_push example.com 1
	run_worker_once
	applied "$ZA" example.com 1
	run dadnsctl delete example.com
	[ "$status" -eq 0 ]
	run_worker_once
	[ ! -e "$ZA/example.com" ]
	[ "$(sqlite3 "$DB" "select count(*) from backend_state where domain = 'example.com'")" -eq 0 ]
	queue_idle
}

@test "worker: a job for a backend that is not enabled is closed with a note" {
	worker_backend a "zones_dir=$ZA"
	worker_backend old "zones_dir=$ZB" enabled=0
	worker_ini
	ctl_push example.com 1
	sqlite3 "$DB" "insert into jobs(domain, op, backends, source, state, attempt, run_after, created_at, updated_at) values('example.com', 'write', 'old', 'retry', 'queued', 1, 0, 0, 0)"
	run_worker_once
	applied "$ZA" example.com 1
	[ ! -e "$ZB/example.com" ]
	queue_idle
	sqlite3 "$DB" "select last_error from jobs where backends = 'old'" | grep -q "not enabled"
}

@test "worker: SIGHUP reopens the log file" {
	worker_backend a "zones_dir=$ZA"
	worker_ini
	WORKER_LOG=$TMP/w.log
	start_worker --log-file "$WORKER_LOG"
	mv "$WORKER_LOG" "$TMP/w.log.1"
	kill -HUP "$WORKER_PID"
	wait_until 3 log_has "$WORKER_LOG" "log reopened"
	ctl_push example.com 1
	wait_until 2 applied "$ZA" example.com 1
	wait_until 2 log_has "$WORKER_LOG" "worker: a: batch of 1 zones"
	alive "$WORKER_PID"
}
