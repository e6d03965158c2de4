#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# ctl.bats -- every dadnsctl verb, its --json output read by jq, and the
# exit statuses scripts rely on (0 done, 1 failed/not found, 2 usage,
# 3 status --check degraded).

load helpers
load ops_helpers

setup() {
	dadns_setup
	write_ini "[backend main]" "type = null" "enabled = 1" "zones_dir = $TMP/zones-main" \
		"[backend spare]" "type = null" "enabled = 0"
	echo "retry_backoff = 1" >>"$INI"
	mkdir -p "$TMP/zones-main"
}

teardown() {
	dadns_teardown
}

# ctl_json ARGS...: dadnsctl --json ARGS, exit status in $status, output
# in $output, and the output must be JSON.
ctl_json() {
	run dadnsctl --json "$@"
	jq -e . >/dev/null <<<"$output" || fail "dadnsctl --json $*: not JSON: $output"
}

@test "--help is a manual (verbs, options, exit status), --version, VERB --help, usage errors exit 2" {
	run dadnsctl --help
	[ "$status" -eq 0 ] || fail "--help: $status"
	local section
	for section in NAME DESCRIPTION VERBS OPTIONS "EXIT STATUS" ENVIRONMENT EXAMPLES; do
		grep -qx "$section" <<<"$output" || fail "no $section in --help"
	done
	local v
	for v in "status" "zones" "zone show DOMAIN" "jobs" "retry ID|--dead" "push DOMAIN FILE" \
		"delete DOMAIN" "config check"; do
		grep -qF "  dadnsctl $v" <<<"$output" || fail "--help does not describe $v"
	done
	run dadnsctl retry --help
	[ "$status" -eq 0 ] && [[ "${lines[0]}" == "usage: dadnsctl [-c FILE] [--json] retry ID|--dead"* ]] ||
		fail "retry --help: $output"
	run "$DADNS_BUILD/dadnsctl" --version
	[ "$status" -eq 0 ] && [[ "$output" == "dadnsctl "* ]] || fail "--version: $output"
	run dadnsctl
	[ "$status" -eq 2 ] || fail "no verb: $status"
	run dadnsctl frobnicate
	[ "$status" -eq 2 ] && [[ "$output" == *"unknown verb 'frobnicate'"* ]] || fail "unknown: $status $output"
	run dadnsctl zone show
	[ "$status" -eq 2 ] && [[ "$output" == *"usage: dadnsctl zone show DOMAIN"* ]] || fail "$status $output"
	run dadnsctl retry abc
	[ "$status" -eq 2 ] || fail "retry abc: $status"
	run dadnsctl jobs --limit x
	[ "$status" -eq 2 ] || fail "jobs --limit x: $status"
	run dadnsctl push example.com
	[ "$status" -eq 2 ] || fail "push without a file: $status"
	run dadnsctl status extra
	[ "$status" -eq 2 ] || fail "status extra: $status"
}

@test "config check: text and --json; a bad file exits 1 with file and line" {
	run dadnsctl config check
	[ "$status" -eq 0 ] && [[ "$output" == "$INI: OK (database $DB; 2 backends, 1 enabled: main(null);"* ]] ||
		fail "config check: $status $output"
	ctl_json config check
	[ "$status" -eq 0 ] || fail "exit $status"
	[ "$(jq -c '[.ok, .db_path == "'"$DB"'", [.backends[] | [.name, .enabled]], .auth_configured]' <<<"$output")" = \
		'[true,true,[["main",true],["spare",false]],true]' ] || fail "json: $output"
	echo "bogus_key = 1" >>"$INI"
	run dadnsctl config check
	[ "$status" -eq 1 ] && [[ "$output" == *"dadns.ini:"*"bogus_key"* ]] || fail "bad file: $status $output"
	run dadnsctl --json config check
	[ "$status" -eq 1 ] || fail "bad file --json: $status"
	jq -e '.ok == false and (.error | test("bogus_key"))' <<<"$(sed -n '/^{/,/^}/p' <<<"$output")" >/dev/null ||
		fail "bad file --json: $output"
	run dadnsctl -c "$TMP/none.ini" status
	[ "$status" -eq 1 ] || fail "missing file: $status"
}

@test "push, zones, zone show, delete: text and --json, exit 1 when absent or invalid" {
	ctl_json push example.com "$DADNS_ZONES/example.com.db" --hostname da1.example.net --username fred
	[ "$status" -eq 0 ] || fail "push: $status $output"
	[ "$(jq -r '[.domain, .result, (.job > 0), (.serial > 0)] | map(tostring) | join(" ")' <<<"$output")" = \
		"example.com stored true true" ] || fail "push json: $output"
	run dadnsctl push minimal.test "$DADNS_ZONES/minimal.test.db"
	[ "$status" -eq 0 ] && [[ "$output" == "minimal.test: serial "*" stored, job "*" queued" ]] ||
		fail "push text: $output"
	ctl_json push minimal.test "$DADNS_ZONES/minimal.test.db"
	[ "$(jq -r .result <<<"$output")" = replaced ] || fail "re-push: $output"
	run dadnsctl push broken.test "$DADNS_ZONES/broken.test.db"
	[ "$status" -eq 1 ] && [[ "$output" == *"invalid zone"* ]] || fail "broken: $status $output"
	run dadnsctl push 'bad name' "$DADNS_ZONES/minimal.test.db"
	[ "$status" -eq 1 ] || fail "bad name: $status"
	run dadnsctl push x.test "$TMP/does-not-exist"
	[ "$status" -eq 1 ] || fail "no file: $status"

	ctl_json zones
	[ "$status" -eq 0 ] || fail "zones: $status"
	[ "$(jq -r '[.[].domain] | join(" ")' <<<"$output")" = "example.com minimal.test" ] || fail "zones: $output"
	[ "$(jq -r '.[0] | [.hostname, .username, .records > 0] | map(tostring) | join(" ")' <<<"$output")" = \
		"da1.example.net fred true" ] || fail "zones owner: $output"
	run dadnsctl zones
	[ "${#lines[@]}" -eq 3 ] && [[ "${lines[0]}" == DOMAIN* ]] && [[ "${lines[1]}" == example.com* ]] ||
		fail "zones text: $output"

	ctl_json zone show EXAMPLE.com.
	[ "$status" -eq 0 ] || fail "zone show: $status"
	[ "$(jq -r '[.domain, .hostname, .source] | join(" ")' <<<"$output")" = "example.com da1.example.net cli" ] ||
		fail "zone show json: $output"
	jq -e '.zone_text | test("SOA")' <<<"$output" >/dev/null || fail "no zone text: $output"
	run dadnsctl zone show absent.test
	[ "$status" -eq 1 ] && [[ "$output" == *"absent.test is not in the desired state"* ]] ||
		fail "absent: $status $output"
	run dadnsctl zone show '../etc'
	[ "$status" -eq 1 ] || fail "invalid name: $status"

	ctl_json delete minimal.test
	[ "$status" -eq 0 ] && [ "$(jq -r '[.domain, .result] | join(" ")' <<<"$output")" = "minimal.test deleted" ] ||
		fail "delete: $status $output"
	run dadnsctl delete minimal.test
	[ "$status" -eq 1 ] || fail "delete again: $status $output"
	[ "$(sqlite3 "$DB" "select count(*) from tombstones where domain = 'minimal.test'")" = 1 ]
	run dadnsctl delete example.com
	[ "$status" -eq 0 ] && [ "$output" = "example.com: deleted, tombstone written, delete queued" ] ||
		fail "delete text: $output"
	ctl_json zones
	[ "$output" = "[]" ] || fail "zones after deletes: $output"
}

@test "jobs and retry: --json, --dead, --all, --limit; retry ID and --dead; exit 1 for absent or live jobs" {
	# The only backend fails (zones_dir is a file): the jobs die after one retry.
	rm -rf "$TMP/zones-main" && : >"$TMP/zones-main"
	dadnsctl push example.com "$DADNS_ZONES/example.com.db" >/dev/null
	dadnsctl push minimal.test "$DADNS_ZONES/minimal.test.db" >/dev/null
	ctl_json jobs
	[ "$(jq -r '[.[] | .state] | join(" ")' <<<"$output")" = "queued queued" ] || fail "jobs: $output"
	[ "$(jq -r '.[0] | [.domain, .op, .backend, .source, .attempt] | map(tostring) | join(" ")' <<<"$output")" = \
		"minimal.test write * cli 0" ] || fail "newest first: $output"
	local live
	live=$(jq -r '.[0].id' <<<"$output")
	run dadnsctl retry "$live"
	[ "$status" -eq 1 ] && [[ "$output" == *"job $live is queued, not dead"* ]] || fail "retry live: $status $output"
	run dadnsctl retry 999999
	[ "$status" -eq 1 ] && [[ "$output" == *"no job 999999"* ]] || fail "retry absent: $status $output"

	"$DADNS_BUILD/dadns-worker" -c "$INI" --once 2>>"$TMP/worker.log"
	sleep 1.2
	"$DADNS_BUILD/dadns-worker" -c "$INI" --once 2>>"$TMP/worker.log"
	ctl_json jobs --dead
	[ "$(jq -r 'length' <<<"$output")" = 2 ] || fail "jobs --dead: $output $(cat "$TMP/worker.log")"
	[ "$(jq -r '[.[] | .state + ":" + .backend] | unique | join(" ")' <<<"$output")" = "dead:main" ] ||
		fail "dead jobs: $output"
	jq -e 'all(.[]; .last_error | test("Not a directory"))' <<<"$output" >/dev/null || fail "last_error: $output"
	ctl_json jobs --all --limit 1
	[ "$(jq -r 'length' <<<"$output")" = 1 ] || fail "--limit 1: $output"
	ctl_json jobs --all
	[ "$(jq -r 'length' <<<"$output")" -ge 4 ] || fail "--all: $output"
	run dadnsctl jobs --dead
	[ "${#lines[@]}" -eq 3 ] && [[ "${lines[1]}" == *" dead "* ]] || fail "jobs text: $output"

	run dadnsctl status --check
	[ "$status" -eq 3 ] && [[ "$output" == *"overall:    degraded (2 dead jobs"* ]] || fail "--check: $status $output"
	ctl_json status
	[ "$status" -eq 0 ] || fail "status --json exit $status"
	[ "$(jq -r '[.overall, .dead_jobs, .jobs.dead, .worker.running] | map(tostring) | join(" ")' <<<"$output")" = \
		"degraded 2 2 false" ] || fail "status json: $output"

	local dead
	dead=$(dadnsctl --json jobs --dead | jq -r '.[0].id')
	ctl_json retry "$dead"
	[ "$status" -eq 0 ] && [ "$(jq -c . <<<"$output")" = "{\"id\":$dead,\"state\":\"queued\"}" ] ||
		fail "retry ID: $status $output"
	ctl_json retry --dead
	[ "$status" -eq 0 ] && [ "$(jq -c . <<<"$output")" = '{"queued":1}' ] || fail "retry --dead: $output"
	run dadnsctl retry --dead
	[ "$status" -eq 0 ] && [ "$output" = "0 dead jobs queued again" ] || fail "retry --dead text: $output"

	# Repaired: applied; status --check is 0 again (with a worker running).
	rm -f "$TMP/zones-main" && mkdir -p "$TMP/zones-main"
	"$DADNS_BUILD/dadns-worker" -c "$INI" --once 2>>"$TMP/worker.log"
	hold_worker_lock
	run dadnsctl status --check
	[ "$status" -eq 0 ] && [[ "$output" == *"overall:    ok"* ]] || fail "after repair: $status $output"
	sanitizer_check "$TMP/worker.log"
}

@test "root running dadnsctl before any service gives the new database to its directory's owner" {
	[ "$(id -u)" -eq 0 ] || fail "this test runs as root (as the suite does)"
	# In /tmp: nobody must reach it.
	local d owner wrote kept
	d=$(mktemp -d /tmp/dadns-ctl-owner-XXXXXX)
	chmod 0755 "$d"
	mkdir "$d/state"
	chown nobody:nogroup "$d/state"
	chmod 0751 "$d/state"
	DADNS_APP_DB_PATH=$d/state/dadns.db run dadnsctl status
	[ "$status" -eq 0 ] || { rm -rf "$d"; fail "status: $output"; }
	owner=$(stat -c %U:%G "$d/state/dadns.db")
	# The owner (the services' user) can write it.
	setpriv --reuid=nobody --regid=nogroup --clear-groups sqlite3 "$d/state/dadns.db" \
		"insert into counters(metric, k1, k2, value) values('probe', '', '', 1)" >"$TMP/w.log" 2>&1 &&
		wrote=0 || wrote=$?
	# An existing database keeps its owner.
	chown root:root "$d/state/dadns.db"
	DADNS_APP_DB_PATH=$d/state/dadns.db dadnsctl status >/dev/null 2>&1
	kept=$(stat -c %U "$d/state/dadns.db")
	rm -rf "$d"
	[ "$owner" = nobody:nogroup ] || fail "the new database is $owner: the services could not write it"
	[ "$wrote" = 0 ] || fail "its owner cannot write it: $(cat "$TMP/w.log")"
	[ "$kept" = root ] || fail "an existing database changed owner to $kept"
}
