#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# metrics.bats -- GET /metrics behind a real nginx: promtool accepts it at
# every stage, and the counters move as pushes are accepted and refused,
# as a backend fails, is retried, dies, is retried by hand and recovers.
# The counters live in the database, so they survive an intake restart.

load helpers
load ops_helpers

setup() {
	dadns_setup
	write_ini "[backend main]" "type = null" "enabled = 1" "zones_dir = $TMP/zones-main"
	echo "retry_backoff = 1,1" >>"$INI"
	echo "poll_interval_ms = 200" >>"$INI"
	mkdir -p "$TMP/zones-main"
}

teardown() {
	dadns_teardown
	sanitizer_check "${WORKER_LOG:-}"
}

# scrape: GET /metrics, checked by promtool.
scrape() {
	req /metrics || return 1
	[ "$HTTP_STATUS" = 200 ] || fail "/metrics: $HTTP_STATUS $HTTP_BODY"
	promtool_ok "$TMP/last-body" || fail "$(cat "$TMP/last-body")"
}

# expect_metric SAMPLE WANT: after a scrape, the sample's value is WANT.
expect_metric() {
	local got
	got=$(metric "$1") || fail "no $1 in: $HTTP_BODY"
	[ "$got" = "$2" ] || fail "$1 is $got, want $2"
}

@test "pushes are counted by action and result, in the database (an intake restart keeps them)" {
	hold_worker_lock
	start_stack
	scrape
	expect_metric 'dadns_pushes_total{action="rawsave",result="ok"}' 0
	expect_metric 'dadns_pushes_total{action="delete",result="rejected"}' 0

	push_zone example.com "$DADNS_ZONES/example.com.db"
	push_zone minimal.test "$DADNS_ZONES/minimal.test.db"
	# A re-push is a push too.
	push_zone minimal.test "$DADNS_ZONES/minimal.test.db"
	[ "$(answer error)" = 0 ] || fail "push: $HTTP_BODY"
	# Refused: an invalid zone, a bad domain.
	push_zone broken.test "$DADNS_ZONES/broken.test.db"
	[ "$(answer error)" = 1 ] || fail "broken zone accepted: $HTTP_BODY"
	push_zone 'bad..name' "$DADNS_ZONES/minimal.test.db"
	[ "$(answer error)" = 1 ] || fail "bad name accepted: $HTTP_BODY"
	scrape
	expect_metric 'dadns_pushes_total{action="rawsave",result="ok"}' 3
	expect_metric 'dadns_pushes_total{action="rawsave",result="rejected"}' 2
	expect_metric 'dadns_pushes_total{action="rawsave",result="error"}' 0

	# Deletes: one by its owner; one by another DA server (refused).
	req --data-binary "action=delete&cluster=yes&hostname=da9.example.net&select0=minimal.test" \
		/CMD_API_DNS_ADMIN
	[ "$(answer error)" = 1 ] || fail "delete by a stranger: $HTTP_BODY"
	req --data-binary "action=delete&cluster=yes&hostname=$DA_HOST&select0=minimal.test" \
		/CMD_API_DNS_ADMIN
	[ "$(answer error)" = 0 ] || fail "delete: $HTTP_BODY"
	scrape
	expect_metric 'dadns_pushes_total{action="delete",result="ok"}' 1
	expect_metric 'dadns_pushes_total{action="delete",result="rejected"}' 1
	# Not pushes: an exists check and a login test.
	req "/CMD_API_DNS_ADMIN?action=exists&domain=example.com"
	req /CMD_API_LOGIN_TEST
	restart_intake
	scrape
	expect_metric 'dadns_pushes_total{action="rawsave",result="ok"}' 3
	expect_metric 'dadns_pushes_total{action="rawsave",result="rejected"}' 2
	expect_metric 'dadns_pushes_total{action="delete",result="ok"}' 1
	expect_metric dadns_zones 1
	expect_metric 'dadns_jobs{state="queued"}' 4
}

@test "applies, retries, dead jobs, manual retries and the apply latency move with the worker" {
	# zones_dir is a file: every apply fails until it is a directory again.
	rm -rf "$TMP/zones-main" && : >"$TMP/zones-main"
	start_stack
	start_worker_ops
	scrape
	expect_metric 'dadns_apply_latency_seconds_count{backend="main"}' 0
	push_zone example.com "$DADNS_ZONES/example.com.db"
	[ "$(answer error)" = 0 ] || fail "push: $HTTP_BODY"
	# First try + 2 retries (backoff 1,1), then dead.
	wait_until 20 sql_is "select count(*) from jobs where state = 'dead'" 1 ||
		fail "no dead job: $(sqlite3 "$DB" "select * from jobs")"
	scrape
	expect_metric 'dadns_applies_total{backend="main",result="tempfail"}' 3
	expect_metric 'dadns_applies_total{backend="main",result="ok"}' 0
	expect_metric 'dadns_retries_total{backend="main"}' 2
	expect_metric 'dadns_dead_jobs_total{backend="main"}' 1
	expect_metric dadns_dead_jobs 1
	expect_metric 'dadns_status{state="degraded"}' 1
	expect_metric 'dadns_backend_zones{backend="main",state="failing"}' 1

	# Repaired, then retried by hand: applied, and its latency measured.
	rm -f "$TMP/zones-main" && mkdir -p "$TMP/zones-main"
	run dadnsctl retry --dead
	[ "$status" -eq 0 ] || fail "retry: $output"
	wait_until 15 sql_is "select count(*) from backend_state where result = 'ok'" 1
	scrape
	expect_metric 'dadns_manual_retries_total' 1
	expect_metric 'dadns_applies_total{backend="main",result="ok"}' 1
	expect_metric 'dadns_apply_latency_seconds_count{backend="main"}' 1
	expect_metric 'dadns_apply_latency_seconds_bucket{backend="main",le="+Inf"}' 1
	# Pushed over two seconds before it was applied: not in the 1 s bucket.
	expect_metric 'dadns_apply_latency_seconds_bucket{backend="main",le="1"}' 0
	local sum
	sum=$(metric 'dadns_apply_latency_seconds_sum{backend="main"}')
	awk -v s="$sum" 'BEGIN { exit !(s >= 2 && s < 120) }' || fail "latency sum $sum"
	expect_metric 'dadns_backend_zones{backend="main",state="in_sync"}' 1
	expect_metric 'dadns_status{state="ok"}' 1

	# A fresh push is applied within a second.
	push_zone minimal.test "$DADNS_ZONES/minimal.test.db"
	wait_until 10 sql_is "select count(*) from backend_state where result = 'ok'" 2
	scrape
	expect_metric 'dadns_apply_latency_seconds_count{backend="main"}' 2
	expect_metric 'dadns_apply_latency_seconds_bucket{backend="main",le="1"}' 1
	expect_metric 'dadns_pushes_total{action="rawsave",result="ok"}' 2
	expect_metric dadns_worker_up 1
}

@test "/metrics with a peer and runs: per-peer gauges and the last successful runs as timestamps" {
	hold_worker_lock
	start_stack
	sqlite3 "$DB" "INSERT INTO peers(name, url, last_run_at, last_ok_at, last_error, failures, degraded,
		origin) VALUES('b', 'https://b.test/', 1700000000000, 1690000000000, 'HTTP 500', 4, 1, 'config');
		INSERT INTO runs(program, started_at, finished_at, ok, summary) VALUES
		('reconcile', 1700000000000, 1700000003000, 1, '{}'),
		('reconcile', 1700000100000, 1700000101000, 0, '{}')"
	scrape
	expect_metric 'dadns_peer_up{peer="b"}' 0
	expect_metric 'dadns_peer_failures{peer="b"}' 4
	expect_metric 'dadns_peer_last_ok_timestamp_seconds{peer="b"}' 1690000000
	expect_metric 'dadns_last_success_timestamp_seconds{program="reconcile"}' 1700000003
	expect_metric 'dadns_last_run_ok{program="reconcile"}' 0
	expect_metric 'dadns_status{state="degraded"}' 1
	req /status
	expect_js '.peers[0] | [.name, .url, .origin, .degraded, .failures, .last_error] | map(tostring) | join(" ")' \
		"b https://b.test/ config true 4 HTTP 500"
	expect_js '.peers[0].last_ok_at' "2023-07-22T04:26:40Z"
	expect_js '.reasons | join(";") | test("peer b: degraded")' true
}
