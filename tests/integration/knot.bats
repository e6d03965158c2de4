#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# knot.bats -- the knot backend against a real knotd with a configuration
# database on loopback, fed through the real stack (nginx -> dadns-intake ->
# SQLite -> dadns-worker -> knotd's control socket, libknot) and checked by
# what a DNS client gets: passthrough (the zone as pushed) and sign (Knot
# signs with its own keys; DS for the registrar).

load helpers
load dns_helpers
load knot_helpers

setup() { dadns_setup; }
teardown() { dadns_teardown; }

# setup_knot [passthrough|sign] [LINE...]: knotd, the backend, nginx + intake, the worker.
setup_knot() {
	local mode=${1:-passthrough}
	shift 2>/dev/null || true
	ini_worker "retry_backoff = 1,1,1,1,1" "lease_seconds = 3" "poll_interval_ms = 200"
	start_knot "$mode"
	ini_knot_backend knot "$@"
	start_stack
	start_worker
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

jobs_in() { sqlite3 "$DB" "select count(*) from jobs where state = '$1'"; }
no_open_jobs() { [ "$(sqlite3 "$DB" "select count(*) from jobs where state in ('queued','running')")" = 0 ]; }
ok_on() { [ "$(sqlite3 "$DB" "select result from backend_state where backend = '$1' and domain = '$2'")" = ok ]; }

# serial_at_least PORT ZONE MIN
serial_at_least() { local s; s=$(soa_serial "$1" "$2"); [ -n "$s" ] && [ "$s" -ge "$3" ]; }

@test "knot: every test zone pushed is served, records equal to the zone file; a delete leaves Knot's configuration and answers" {
	setup_knot passthrough
	local d n=0 serial
	for d in $(zone_domains); do
		push_ok "$d" "$DADNS_ZONES/$d.db"
		serial=$(zone_serial "$d" "$DADNS_ZONES/$d.db")
		[ -n "$serial" ]
		wait_until 20 serves_serial "$KNOT_PORT" "$d" "$serial"
		serves_zone "$KNOT_PORT" "$d" "$DADNS_ZONES/$d.db"
		serves_stored "$KNOT_PORT" "$d"
		n=$((n + 1))
	done
	[ "$n" -ge 6 ]
	wait_until 20 no_open_jobs
	[ "$(jobs_in dead)" = 0 ]
	# verified (serial and record count) on every zone
	[ "$(sqlite3 "$DB" "select count(*) from backend_state where result = 'ok' and verified_at is not null")" = "$n" ]
	[ "$(knot_zones | wc -l)" = "$n" ]
	delete_zone example.com
	wait_until 20 not_served "$KNOT_PORT" example.com
	! knot_zones | grep -qx example.com
	[ "$(knot_zones | wc -l)" = $((n - 1)) ]
	[ ! -e "$KNOT_ZONES/example.com.zone" ]
	grep -q "knot knot: .*control commands" "$WORKER_LOG"
}
