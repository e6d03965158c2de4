#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# operator.bats -- dadns-intake's operator endpoints behind a real nginx:
# GET /health (open), /status (JSON) and /metrics (Prometheus text), both
# behind the DA credentials; and dadnsctl status, which shares lib/status.

load helpers

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

fail() {
	echo "$*" >&2
	return 1
}

# js FILTER: jq -r FILTER on the last answer's body.
js() { jq -r "$1" <<<"$HTTP_BODY"; }

# expect_js FILTER WANT: the filter's value on the last body is WANT.
expect_js() {
	local got
	got=$(js "$1") || fail "not JSON: $HTTP_BODY"
	[ "$got" = "$2" ] || fail "$1 is '$got', want '$2'; body: $HTTP_BODY"
}

# header NAME: the value of a header of the last answer (CR stripped).
header() { grep -i "^$1:" "$HTTP_HEADERS" | head -1 | sed -e 's/^[^:]*: *//' -e 's/\r$//'; }

# The three zones pushed as DirectAdmin does.
push_three() {
	local f
	for f in example.com minimal.test hosted-client.test; do
		push_zone "$f" "$DADNS_ZONES/$f.db" || return 1
		[ "$(answer error)" = 0 ] || fail "push $f: $HTTP_BODY"
	done
}

# Every line of a Prometheus text exposition (0.0.4) is a HELP or TYPE
# comment, or a sample "name{label="value",...} number"; every sample's
# metric has HELP and TYPE lines before it.
metrics_valid() {
	python3 - "$1" <<'EOF'
import re, sys
name = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"'
sample = re.compile(r'^(%s)(\{%s(?:,%s)*\})? -?[0-9]+(\.[0-9]+)?$' % (name, label, label))
helped, typed = set(), set()
for n, line in enumerate(open(sys.argv[1]).read().split('\n')[:-1], 1):
    m = re.match(r'^# (HELP|TYPE) (%s) (.+)$' % name, line)
    if m:
        (helped if m.group(1) == 'HELP' else typed).add(m.group(2))
        if m.group(1) == 'TYPE' and m.group(3) not in ('gauge', 'counter', 'untyped'):
            sys.exit('line %d: type %s' % (n, m.group(3)))
        continue
    m = sample.match(line)
    if not m:
        sys.exit('line %d malformed: %r' % (n, line))
    if m.group(1) not in helped or m.group(1) not in typed:
        sys.exit('line %d: %s has no HELP/TYPE before it' % (n, m.group(1)))
EOF
}

@test "/health answers error=0 without credentials, and HEAD works" {
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
		('reconcile', 1700000600000, 1700000602000, 1, '3 zones, 0 changed'),
		('peersync', 1700000700000, NULL, NULL, NULL)"
	req /status
	expect_js .overall ok
	expect_js '.reconcile | [.started_at, .finished_at, .ok, .summary] | map(tostring) | join(" ")' \
		"2023-11-14T22:23:20Z 2023-11-14T22:23:22Z true 3 zones, 0 changed"
	expect_js '.peersync | [.started_at, .finished_at, .ok, .summary] | map(tostring) | join(" ")' \
		"2023-11-14T22:25:00Z null null null"
	req /metrics
	grep -qx 'dadns_last_run_timestamp_seconds{program="reconcile"} 1700000600' "$TMP/last-body" ||
		fail "metrics: $HTTP_BODY"
	grep -qx 'dadns_last_run_ok{program="reconcile"} 1' "$TMP/last-body"
	! grep -q 'dadns_last_run_ok{program="peersync"}' "$TMP/last-body"
}

@test "/metrics: Prometheus text format 0.0.4 with the queue, backends and dead jobs" {
	start_stack
	push_three
	sqlite3 "$DB" "INSERT INTO jobs(domain, op, backends, source, state, attempt, run_after,
		created_at, updated_at) VALUES('example.com', 'write', 'spare', 'retry', 'dead', 5, 0, 1, 1)"
	req /metrics
	[ "$HTTP_STATUS" = 200 ] || fail "status $HTTP_STATUS: $HTTP_BODY"
	[ "$(header Content-Type)" = "text/plain; version=0.0.4; charset=utf-8" ] ||
		fail "Content-Type: $(header Content-Type)"
	cp "$TMP/last-body" "$TMP/metrics.txt"
	metrics_valid "$TMP/metrics.txt" || fail "$(cat "$TMP/metrics.txt")"
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
	start_stack
	push_three
	run dadnsctl status
	[ "$status" -eq 0 ] || fail "exit $status: $output"
	[ "${lines[0]}" = "zones:      3 desired, 0 tombstones" ] || fail "line 0: ${lines[0]}"
	[ "${lines[1]}" = "jobs:       queued 3 running 0 done 0 dead 0" ] || fail "line 1: ${lines[1]}"
	[ "${lines[2]}" = "backend main         null            enabled:  in sync 0, behind 3, failing 0" ] ||
		fail "line 2: '${lines[2]}'"
	[ "${lines[3]}" = "backend spare        null            disabled: in sync 0, behind 3, failing 0" ] ||
		fail "line 3: '${lines[3]}'"
	[ "${lines[4]}" = "reconcile:  never" ] || fail "line 4: ${lines[4]}"
	[ "${lines[6]}" = "overall:    ok" ] || fail "line 6: ${lines[6]}"

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
	[ "${lines[6]}" = "overall:    degraded (1 dead job)" ] || fail "line 6: ${lines[6]}"
}
