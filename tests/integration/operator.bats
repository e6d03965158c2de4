#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# operator.bats -- dadns-intake's operator endpoints behind a real nginx:
# GET /health (open), /status (JSON) and /metrics (Prometheus text), both
# behind the DA credentials (or the operator's, or an allow-list); the
# worker check of /health; and dadnsctl status, which shares lib/status.

load helpers
load ops_helpers

setup() {
	DADNS_FRONTEND=${DADNS_FRONTEND:-nginx}
	dadns_setup
	# Two null backends: one enabled, one switched off.
	write_ini "[backend main]" "type = null" "enabled = 1" "zones_dir = $TMP/zones-main" \
		"[backend spare]" "type = null" "enabled = 0"
	mkdir -p "$TMP/zones-main"
}

teardown() {
	dadns_teardown
}

@test "/health answers error=0 without credentials, and HEAD works" {
	hold_worker_lock
	start_stack
	req --no-auth /health
	[ "$HTTP_STATUS" = 200 ] || fail "status $HTTP_STATUS: $HTTP_BODY"
	[ "$HTTP_BODY" = "error=0&text=ok" ] || fail "body: $HTTP_BODY"
	[[ "$(header Content-Type)" == text/plain* ]] || fail "Content-Type: $(header Content-Type)"
	# Wrong credentials do not matter here either.
	req -u "nobody:wrong" /health
	[ "$HTTP_STATUS" = 200 ] || fail "with wrong credentials: $HTTP_STATUS"
	# curl -I: the headers are the whole output; no body is read.
	req --no-auth -I /health
	[ "$HTTP_STATUS" = 200 ] || fail "HEAD: $HTTP_STATUS"
	! grep -q "error=" "$TMP/last-body" || fail "HEAD has a body: $HTTP_BODY"
	[ "$(header Content-Length)" = 15 ] || fail "HEAD Content-Length: $(header Content-Length)"
	# A health check is logged at debug, not as a reject.
	! grep -q "reject GET /health" "$INTAKE_LOG"
}

@test "/health is 503 database unavailable while the database file is moved away, and recovers" {
	hold_worker_lock
	start_stack
	req --no-auth /health
	[ "$HTTP_STATUS" = 200 ] || fail "before: $HTTP_STATUS"
	mv "$DB" "$DB.away"
	req --no-auth /health
	[ "$HTTP_STATUS" = 503 ] || fail "moved: status $HTTP_STATUS: $HTTP_BODY"
	[ "$(answer error)" = 1 ] && [ "$(answer text)" = "database unavailable" ] ||
		fail "moved: body $HTTP_BODY"
	[ "$(tr '&' '\n' <<<"$HTTP_BODY" | wc -l)" = 2 ] || fail "more than error and text: $HTTP_BODY"
	! grep -q "$TMP" "$TMP/last-body" || fail "/health reveals a path: $HTTP_BODY"
	grep -q "health: the database file .* was deleted, moved or replaced" "$INTAKE_LOG" ||
		fail "no reason in the log: $(cat "$INTAKE_LOG")"
	req /status
	[ "$HTTP_STATUS" = 503 ] || fail "/status while moved: $HTTP_STATUS"
	expect_js .overall error
	[ "$(js .zones)" = null ] || fail "/status gives counts of a database it cannot trust"
	req /metrics
	[ "$HTTP_STATUS" = 200 ] || fail "/metrics while moved: $HTTP_STATUS"
	grep -qx 'dadns_up 0' "$TMP/last-body" || fail "no dadns_up 0: $HTTP_BODY"
	grep -qx 'dadns_status{state="error"} 1' "$TMP/last-body" || fail "no error state: $HTTP_BODY"
	mv "$DB.away" "$DB"
	req --no-auth /health
	[ "$HTTP_STATUS" = 200 ] || fail "after: $HTTP_STATUS $HTTP_BODY"
	[ "$HTTP_BODY" = "error=0&text=ok" ]
}

@test "/status and /metrics need the DA credentials (401 without, with wrong ones)" {
	start_stack
	local p
	for p in /status /metrics; do
		req --no-auth "$p"
		[ "$HTTP_STATUS" = 401 ] || fail "$p without credentials: $HTTP_STATUS"
		[[ "$(header WWW-Authenticate)" == Basic* ]] || fail "$p: no WWW-Authenticate"
		[[ "$HTTP_BODY" == error=1* ]] || fail "$p: body $HTTP_BODY"
		! grep -q zones "$TMP/last-body" || fail "$p leaks: $HTTP_BODY"
		req -u "$DA_USER:wrong" "$p"
		[ "$HTTP_STATUS" = 401 ] || fail "$p with a wrong password: $HTTP_STATUS"
		req -u "someone:$DA_PASS" "$p"
		[ "$HTTP_STATUS" = 401 ] || fail "$p with a wrong user: $HTTP_STATUS"
	done
	req /status
	[ "$HTTP_STATUS" = 200 ] || fail "/status with credentials: $HTTP_STATUS"
}

@test "only GET and HEAD: POST, PUT, DELETE get 405 with Allow" {
	start_stack
	local p m
	for p in /status /metrics /health; do
		for m in POST PUT DELETE; do
			req -X "$m" --data-binary 'x=1' "$p"
			[ "$HTTP_STATUS" = 405 ] || fail "$m $p: $HTTP_STATUS $HTTP_BODY"
			[ "$(header Allow)" = "GET, HEAD" ] || fail "$m $p: Allow '$(header Allow)'"
			[ "$(answer error)" = 1 ] || fail "$m $p: body $HTTP_BODY"
		done
	done
	# Without credentials a POST to /status is refused as unauthorized first.
	req --no-auth --data-binary x=1 /status
	[ "$HTTP_STATUS" = 401 ] || fail "POST /status without credentials: $HTTP_STATUS"
	req --no-auth --data-binary x=1 /health
	[ "$HTTP_STATUS" = 405 ] || fail "POST /health without credentials: $HTTP_STATUS"
	req -I /status
	[ "$HTTP_STATUS" = 200 ] || fail "HEAD /status: $HTTP_STATUS"
	! grep -q '"overall"' "$TMP/last-body" || fail "HEAD /status has a body: $HTTP_BODY"
	[[ "$(header Content-Type)" == application/json* ]] || fail "HEAD /status: $(header Content-Type)"
}

@test "/status: 3 pushed zones are 3 queued jobs; old jobs and a dead job make it degraded" {
	hold_worker_lock
	start_stack
	req /status
	[ "$HTTP_STATUS" = 200 ] || fail "status $HTTP_STATUS: $HTTP_BODY"
	[[ "$(header Content-Type)" == application/json* ]] || fail "Content-Type: $(header Content-Type)"
	expect_js .overall ok
	expect_js .zones 0
	expect_js .reconcile null
	expect_js .peersync null

	push_three
	req /status
	expect_js .overall ok
	expect_js '.reasons | length' 0
	expect_js .zones 3
	expect_js .tombstones 0
	expect_js .jobs.queued 3
	expect_js .jobs.running 0
	expect_js .jobs.done 0
	expect_js .jobs.dead 0
	expect_js .dead_jobs 0
	expect_js '.backends | length' 2
	expect_js '.backends[0] | [.name, .type, .enabled, .in_sync, .behind, .failing] | join(" ")' \
		"main null true 0 3 0"
	expect_js '.backends[1] | [.name, .enabled, .in_sync, .behind, .failing] | join(" ")' \
		"spare false 0 3 0"
	expect_js '.backends[0].oldest_job_seconds | . >= 0 and . < 60' true
	# Jobs for every backend are not the disabled backend's.
	expect_js '.backends[1].oldest_job_seconds' null

	# Queued for over 5 minutes: the enabled backend lags.
	sqlite3 "$DB" "UPDATE jobs SET created_at = created_at - 600000"
	req /status
	expect_js .overall degraded
	expect_js '.backends[0].oldest_job_seconds >= 600' true
	expect_js '.reasons[0] | test("backend main: oldest job waiting for [0-9]+ s")' true
	sqlite3 "$DB" "UPDATE jobs SET created_at = created_at + 600000"
	req /status
	expect_js .overall ok

	# A dead job (the retries of a job for the switched-off backend spent).
	sqlite3 "$DB" "INSERT INTO jobs(domain, op, backends, source, state, attempt, run_after,
		last_error, created_at, updated_at) VALUES('example.com', 'write', 'spare', 'retry',
		'dead', 5, 0, 'boom', 1, 1)"
	req /status
	[ "$HTTP_STATUS" = 200 ] || fail "degraded is still 200: $HTTP_STATUS"
	expect_js .overall degraded
	expect_js .dead_jobs 1
	expect_js .jobs.dead 1
	expect_js .jobs.queued 3
	expect_js '.reasons | join(";")' "1 dead job"
}

@test "/status: backend sync after the worker ran, and the last reconcile and peer-sync runs" {
	hold_worker_lock
	start_stack
	push_three
	"$DADNS_BUILD/dadns-worker" -c "$INI" --once 2>>"$TMP/worker.log" ||
		fail "worker: $(cat "$TMP/worker.log")"
	req /status
	expect_js .overall ok
	expect_js .jobs.queued 0
	expect_js .jobs.done 3
	expect_js '.backends[0] | [.in_sync, .behind, .failing, .oldest_job_seconds] | join(" ")' "3 0 0 "
	expect_js '.backends[1] | [.in_sync, .behind, .failing] | join(" ")' "0 3 0"

	# A failure on the enabled backend makes it degraded.
	sqlite3 "$DB" "UPDATE backend_state SET result = 'fail', error = 'boom'
		WHERE backend = 'main' AND domain = 'minimal.test'"
	req /status
	expect_js .overall degraded
	expect_js '.backends[0] | [.in_sync, .behind, .failing] | join(" ")' "2 0 1"
	expect_js '.reasons | join(";")' "backend main: 1 failing zone"
	req /metrics
	grep -qx 'dadns_backend_zones{backend="main",state="failing"} 1' "$TMP/last-body" ||
		fail "metrics: $HTTP_BODY"
	grep -qx 'dadns_backend_zones{backend="main",state="in_sync"} 2' "$TMP/last-body"
	grep -qx 'dadns_status{state="degraded"} 1' "$TMP/last-body"
	sqlite3 "$DB" "UPDATE backend_state SET result = 'ok', error = NULL"

	# Runs: the latest row of each program.
	sqlite3 "$DB" "INSERT INTO runs(program, started_at, finished_at, ok, summary) VALUES
		('reconcile', 1700000000000, 1700000001000, 0, 'da1: connection refused'),
		('reconcile', 1700000600000, 1700000602000, 1,
		 '{\"servers_polled\":3,\"unreachable\":0,\"orphans_found\":1,\"duration_ms\":812}'),
		('peersync', 1700000650000, 1700000651000, 1, '{\"peers\":1,\"zones_pulled\":4}'),
		('peersync', 1700000700000, NULL, NULL, NULL)"
	req /status
	expect_js .overall ok
	expect_js '.reconcile | [.started_at, .finished_at, .ok] | map(tostring) | join(" ")' \
		"2023-11-14T22:23:20Z 2023-11-14T22:23:22Z true"
	# The figures are an object, not a string.
	expect_js '.reconcile.summary | type' object
	expect_js '.reconcile.summary | [.servers_polled, .orphans_found, .duration_ms] | join(" ")' "3 1 812"
	expect_js '.peersync | [.started_at, .finished_at, .ok, .summary] | map(tostring) | join(" ")' \
		"2023-11-14T22:25:00Z null null null"
	expect_js '.peersync.last_ok_at' "2023-11-14T22:24:11Z"
	run dadnsctl status
	[[ "$output" == *"reconcile:  started 2023-11-14T22:23:20Z, finished 2023-11-14T22:23:22Z, ok: servers_polled 3, unreachable 0, orphans_found 1, duration_ms 812"* ]] ||
		fail "dadnsctl status: $output"
	req /metrics
	grep -qx 'dadns_last_run_timestamp_seconds{program="reconcile"} 1700000600' "$TMP/last-body" ||
		fail "metrics: $HTTP_BODY"
	grep -qx 'dadns_last_run_ok{program="reconcile"} 1' "$TMP/last-body"
	! grep -q 'dadns_last_run_ok{program="peersync"}' "$TMP/last-body"
	grep -qx 'dadns_last_success_timestamp_seconds{program="reconcile"} 1700000602' "$TMP/last-body"
	grep -qx 'dadns_last_success_timestamp_seconds{program="peersync"} 1700000651' "$TMP/last-body"
}

@test "/metrics: Prometheus text format 0.0.4 with the queue, backends and dead jobs" {
	hold_worker_lock
	start_stack
	push_three
	sqlite3 "$DB" "INSERT INTO jobs(domain, op, backends, source, state, attempt, run_after,
		created_at, updated_at) VALUES('example.com', 'write', 'spare', 'retry', 'dead', 5, 0, 1, 1)"
	req /metrics
	[ "$HTTP_STATUS" = 200 ] || fail "status $HTTP_STATUS: $HTTP_BODY"
	[ "$(header Content-Type)" = "text/plain; version=0.0.4; charset=utf-8" ] ||
		fail "Content-Type: $(header Content-Type)"
	cp "$TMP/last-body" "$TMP/metrics.txt"
	promtool_ok "$TMP/metrics.txt" || fail "$(cat "$TMP/metrics.txt")"
	local line
	for line in 'dadns_up 1' 'dadns_zones 3' 'dadns_tombstones 0' 'dadns_jobs{state="queued"} 3' \
		'dadns_jobs{state="running"} 0' 'dadns_jobs{state="done"} 0' 'dadns_jobs{state="dead"} 1' \
		'dadns_dead_jobs 1' 'dadns_status{state="degraded"} 1' 'dadns_status{state="ok"} 0' \
		'dadns_backend_enabled{backend="main",type="null"} 1' \
		'dadns_backend_enabled{backend="spare",type="null"} 0' \
		'dadns_backend_zones{backend="main",state="in_sync"} 0' \
		'dadns_backend_zones{backend="main",state="behind"} 3' \
		'dadns_backend_zones{backend="main",state="failing"} 0' \
		'dadns_backend_oldest_job_seconds{backend="spare"} 0' \
		'# TYPE dadns_jobs gauge' '# TYPE dadns_backend_zones gauge'; do
		grep -qxF "$line" "$TMP/metrics.txt" || fail "no line '$line' in: $(cat "$TMP/metrics.txt")"
	done
	grep -qE '^dadns_backend_oldest_job_seconds\{backend="main"\} [0-9]+$' "$TMP/metrics.txt"
	# One HELP and one TYPE per metric name.
	[ -z "$(grep '^# TYPE' "$TMP/metrics.txt" | sort | uniq -d)" ] || fail "duplicate TYPE lines"
	# A sample's metric and the status counts agree.
	req /status
	expect_js .jobs.queued 3
}

@test "dadnsctl status prints the lines it always printed, and its --json agrees with /status" {
	hold_worker_lock
	start_stack
	push_three
	run dadnsctl status
	[ "$status" -eq 0 ] || fail "exit $status: $output"
	[ "${lines[0]}" = "zones:      3 desired, 0 tombstones" ] || fail "line 0: ${lines[0]}"
	[ "${lines[1]}" = "jobs:       queued 3 running 0 done 0 dead 0" ] || fail "line 1: ${lines[1]}"
	[ "${lines[2]}" = "worker:     running" ] || fail "line 2: ${lines[2]}"
	[ "${lines[3]}" = "backend main         null            enabled:  in sync 0, behind 3, failing 0" ] ||
		fail "line 3: '${lines[3]}'"
	[ "${lines[4]}" = "backend spare        null            disabled: in sync 0, behind 3, failing 0" ] ||
		fail "line 4: '${lines[4]}'"
	[ "${lines[5]}" = "reconcile:  never" ] || fail "line 5: ${lines[5]}"
	[ "${lines[7]}" = "overall:    ok" ] || fail "line 7: ${lines[7]}"

	run dadnsctl status --json
	[ "$status" -eq 0 ] || fail "--json exit $status: $output"
	local ctl=$output
	# The keys scripts rely on.
	[ "$(jq -c '[.zones, .tombstones, .jobs.queued, .jobs.running, .jobs.done, .jobs.dead]' <<<"$ctl")" = \
		"[3,0,3,0,0,0]" ] || fail "counts: $ctl"
	[ "$(jq -c '[.backends[] | [.name, .type, .enabled, .in_sync, .behind, .failing]]' <<<"$ctl")" = \
		'[["main","null",true,0,3,0],["spare","null",false,0,3,0]]' ] || fail "backends: $ctl"
	# The same snapshot logic as the intake's /status (ages aside).
	req /status
	[ "$(jq -S 'del(.backends[].oldest_job_seconds)' <<<"$ctl")" = \
		"$(jq -S 'del(.backends[].oldest_job_seconds)' <<<"$HTTP_BODY")" ] ||
		fail "dadnsctl: $ctl; /status: $HTTP_BODY"

	sqlite3 "$DB" "INSERT INTO jobs(domain, op, backends, source, state, attempt, run_after,
		created_at, updated_at) VALUES('example.com', 'write', 'main', 'retry', 'dead', 5, 0, 1, 1)"
	run dadnsctl status
	[ "${lines[1]}" = "jobs:       queued 3 running 0 done 0 dead 1" ] || fail "line 1: ${lines[1]}"
	[ "${lines[7]}" = "overall:    degraded (1 dead job)" ] || fail "line 7: ${lines[7]}"
}

@test "/health is 503 worker not running without a worker, 200 while the real worker runs" {
	start_stack
	req --no-auth /health
	[ "$HTTP_STATUS" = 503 ] || fail "no worker: $HTTP_STATUS $HTTP_BODY"
	[ "$HTTP_BODY" = "error=1&text=worker%20not%20running" ] || fail "no worker: body $HTTP_BODY"
	req /status
	[ "$HTTP_STATUS" = 200 ] || fail "/status without a worker: $HTTP_STATUS"
	expect_js .overall degraded
	expect_js .worker.running false
	expect_js '.reasons | join(";")' "the worker is not running: nothing is applied"
	req /metrics
	grep -qx 'dadns_worker_up 0' "$TMP/last-body" || fail "metrics: $HTTP_BODY"

	start_worker_ops
	req --no-auth /health
	[ "$HTTP_STATUS" = 200 ] || fail "worker running: $HTTP_STATUS $HTTP_BODY"
	req /status
	expect_js .overall ok
	expect_js .worker.running true
	req /metrics
	grep -qx 'dadns_worker_up 1' "$TMP/last-body" || fail "metrics: $HTTP_BODY"
	# The probe writes nothing: the lock file is only opened for reading.
	stop_worker_ops
	req --no-auth /health
	[ "$HTTP_STATUS" = 503 ] || fail "worker stopped: $HTTP_STATUS $HTTP_BODY"
	grep -q "health: no dadns-worker holds" "$INTAKE_LOG" || fail "no log line: $(cat "$INTAKE_LOG")"
}

@test "/status turns degraded when a backend fails (with its last error) and ok when it recovers" {
	write_ini "[backend main]" "type = null" "enabled = 1" "zones_dir = $TMP/zones-main"
	echo "retry_backoff = 1,1,1,1,1,1" >>"$INI"
	echo "poll_interval_ms = 200" >>"$INI"
	# zones_dir is a file: every apply fails (a temporary failure).
	rm -rf "$TMP/zones-main" && : >"$TMP/zones-main"
	start_stack
	start_worker_ops
	push_zone example.com "$DADNS_ZONES/example.com.db"
	[ "$(answer error)" = 0 ] || fail "push: $HTTP_BODY"
	wait_until 15 sql_is "select count(*) from backend_state where result = 'fail'" 1
	req /status
	expect_js .overall degraded
	expect_js '.backends[0] | [.in_sync, .failing] | join(" ")' "0 1"
	expect_js '.backends[0].last_error.domain' example.com
	expect_js '.backends[0].last_error.error | length > 0' true
	expect_js '.reasons | join(";") | test("backend main: 1 failing zone")' true
	run dadnsctl status
	[[ "$output" == *"last error "*" example.com: "* ]] || fail "dadnsctl status: $output"

	# Repaired: the next retry applies it and the state is ok again.
	rm -f "$TMP/zones-main" && mkdir -p "$TMP/zones-main"
	wait_until 20 test -f "$TMP/zones-main/example.com" -o -f "$TMP/zones-main/example.com.zone"
	wait_until 10 sql_is "select count(*) from backend_state where result = 'ok'" 1
	req /status
	expect_js .overall ok
	expect_js '.backends[0] | [.in_sync, .behind, .failing] | join(" ")' "1 0 0"
	expect_js '.backends[0].last_error' null
}

@test "[app] operator_username/operator_password replace the DA credentials on /status and /metrics" {
	write_ini "operator_username = prom" "operator_password = s3cret:op" \
		"[backend main]" "type = null" "enabled = 1"
	hold_worker_lock
	start_stack
	local p
	for p in /status /metrics; do
		req -u "prom:s3cret:op" "$p"
		[ "$HTTP_STATUS" = 200 ] || fail "$p with the operator credentials: $HTTP_STATUS"
		req "$p"
		[ "$HTTP_STATUS" = 401 ] || fail "$p with the DA credentials: $HTTP_STATUS"
		req -u "prom:wrong" "$p"
		[ "$HTTP_STATUS" = 401 ] || fail "$p with a wrong password: $HTTP_STATUS"
		req --no-auth "$p"
		[ "$HTTP_STATUS" = 401 ] || fail "$p without credentials: $HTTP_STATUS"
	done
	# The operator credentials open nothing of DirectAdmin's.
	req -u "prom:s3cret:op" /CMD_API_LOGIN_TEST
	[ "$HTTP_STATUS" = 401 ] || fail "operator credentials on the DA API: $HTTP_STATUS"
	req /CMD_API_LOGIN_TEST
	[ "$(answer error)" = 0 ] || fail "DA login test: $HTTP_BODY"
	req --no-auth /health
	[ "$HTTP_STATUS" = 200 ] || fail "/health: $HTTP_STATUS"
	# Only one of the two is a configuration error, with file and line.
	write_ini "operator_username = prom"
	run dadnsctl config check
	[ "$status" -eq 1 ] || fail "half operator credentials: exit $status: $output"
	[[ "$output" == *"dadns.ini:"*"operator_username and operator_password go together"* ]] || fail "$output"
}

@test "[app] operator_allow lets listed addresses read /status and /metrics without credentials" {
	write_ini "operator_allow = 10.0.0.0/8, 127.0.0.0/8" "[backend main]" "type = null"
	hold_worker_lock
	start_stack
	req --no-auth /status
	[ "$HTTP_STATUS" = 200 ] || fail "127.0.0.1 is in 127.0.0.0/8: $HTTP_STATUS $HTTP_BODY"
	expect_js .overall ok
	req --no-auth /metrics
	[ "$HTTP_STATUS" = 200 ] || fail "/metrics from an allowed address: $HTTP_STATUS"
	# The allow-list is for the operator endpoints only.
	req --no-auth /CMD_API_LOGIN_TEST
	[ "$HTTP_STATUS" = 401 ] || fail "DA API from an allowed address: $HTTP_STATUS"

	# Not listed: the credentials are needed again.
	stop_pid "$INTAKE_PID"
	write_ini "operator_allow = 10.0.0.0/8 ::1/128 192.0.2.7" "[backend main]" "type = null"
	start_intake
	req --no-auth /status
	[ "$HTTP_STATUS" = 401 ] || fail "127.0.0.1 not listed: $HTTP_STATUS"
	req /status
	[ "$HTTP_STATUS" = 200 ] || fail "with the DA credentials: $HTTP_STATUS"

	# A malformed list is refused at start with file and line.
	local bad
	for bad in "10.0.0.0/33" "127.0.0.1/" "localhost" "1.2.3.4/-1" "::1/129" "10.0.0.0/8;rm"; do
		write_ini "operator_allow = $bad"
		run dadnsctl config check
		[ "$status" -eq 1 ] || fail "'$bad' accepted: $output"
		[[ "$output" == *"dadns.ini:7: [app] operator_allow: "* ]] || fail "'$bad': $output"
	done
}
