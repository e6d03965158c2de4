#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# secondaries.bats -- [secondary NAME] watched: an NSD primary fed through
# nginx, dadns-intake and dadns-worker; real BIND and Knot secondaries told
# each zone by hand, transferring from the NSD; dadns-reconcile and
# dadnsctl secondaries check ask them, /status, dadnsctl status and
# /metrics show what they found.

load helpers
load dns_helpers
load ops_helpers
load secondaries_helpers

setup() {
	dadns_setup
}

teardown() {
	dadns_teardown
}

# sec_ini NAME...: the NSD backend and one [secondary NAME] each, lag 3 s.
sec_ini() {
	local n
	ini_nsd_backend nsd
	{
		echo "[secondary]"
		echo "max_lag_seconds = 3"
		for n in "$@"; do
			echo "[secondary $n]"
			echo "server = 127.0.0.1:${SEC_PORT[$n]}"
		done
	} >>"$INI"
}

# push_serial SERIAL DOMAIN...: push each DOMAIN at SERIAL through nginx.
push_serial() {
	local s=$1 d
	shift
	for d in "$@"; do
		make_zone "$d" "$s" "$TMP/$d.db"
		push_zone "$d" "$TMP/$d.db" || return 1
		[ "$(answer error)" = 0 ] || { echo "push $d: $HTTP_BODY" >&2; return 1; }
	done
}

# counts NAME: "in_sync behind missing extra" of NAME in $SEC_JSON.
counts() {
	echo "$(sec_field "$1" in_sync) $(sec_field "$1" behind) $(sec_field "$1" missing) $(sec_field "$1" extra)"
}

no_open_jobs() { [ "$(sqlite3 "$DB" "select count(*) from jobs where state in ('queued', 'running')")" = 0 ]; }

# counts_are NAME "IN_SYNC BEHIND MISSING EXTRA": a check now counts so.
counts_are() { sec_check; [ "$(counts "$1")" = "$2" ]; }

reasons_have() { dadnsctl --json status | jq -r '.reasons[]' | grep -q -- "$1"; }

@test "secondaries: in sync, unreachable, behind after a restart, caught up with no push; extra, missing; degraded past max_lag_seconds" {
	sec_port ns2 >/dev/null
	NSD_PATTERN_EXTRA=$(sec_notify_lines ns2)
	start_nsd pattern
	sec_ini ns2
	start_stack
	start_worker
	push_serial 2024010101 a1.test a2.test a3.test
	wait_until 30 all_served "$NSD_PORT" 2024010101 a1.test a2.test a3.test
	start_bind_secondary ns2 a1.test a2.test a3.test
	wait_until 60 sec_serves ns2 a1.test 2024010101
	wait_until 60 sec_serves ns2 a2.test 2024010101
	wait_until 60 sec_serves ns2 a3.test 2024010101

	# all in sync: the reconcile run stores it (no [directadmin] here)
	run "$DADNS_BUILD/dadns-reconcile" -c "$INI"
	[ "$status" -eq 0 ]
	[[ "$output" == *"secondaries: ns2 (127.0.0.1:${SEC_PORT[ns2]}): in_sync: in_sync=3 behind=0 missing=0 extra=0"* ]]
	[ "$(status_sec ns2 state)" = in_sync ]
	[ "$(status_sec ns2 in_sync)" = 3 ]
	[ "$(status_sec ns2 behind_since)" = null ]
	[ "$(status_sec ns2 checked_at)" != null ]
	overall_is ok
	req /status
	[ "$HTTP_STATUS" = 200 ]
	expect_js '.secondaries[0].name' ns2
	expect_js '.secondaries[0].server' "127.0.0.1:${SEC_PORT[ns2]}"
	expect_js '.secondaries[0].in_sync' 3
	expect_js '.secondaries[0].missing' 0
	req /metrics
	[ "$HTTP_STATUS" = 200 ]
	promtool_ok "$TMP/last-body"
	[ "$(metric 'dadns_secondary_zones{secondary="ns2",state="in_sync"}')" = 3 ]
	[ "$(metric 'dadns_secondary_zones{secondary="ns2",state="behind"}')" = 0 ]
	[ "$(metric 'dadns_secondary_up{secondary="ns2"}')" = 1 ]

	# stopped: unreachable, never "all missing"
	stop_secondary ns2
	sec_check
	[ "$SEC_RC" -eq 3 ]
	[ "$(sec_field ns2 state)" = unreachable ]
	[ "$(counts ns2)" = "0 0 0 0" ]
	[ "$(status_sec ns2 state)" = unreachable ]
	[ "$(status_sec ns2 behind_since)" != null ]
	run dadnsctl status
	[[ "$output" == *"secondary ns2"*"unreachable"* ]]
	# past max_lag_seconds (3 s) the overall state is degraded, in words
	wait_until 30 reasons_have "secondary ns2 (127.0.0.1:${SEC_PORT[ns2]}): unreachable for"
	overall_is degraded
	req /metrics
	promtool_ok "$TMP/last-body"
	[ "$(metric 'dadns_secondary_up{secondary="ns2"}')" = 0 ]

	# new serials while it is down; the primary then stops answering
	# transfers (stopped) so that the restarted secondary stays behind
	push_serial 2024010102 a1.test a2.test
	wait_until 30 all_served "$NSD_PORT" 2024010102 a1.test a2.test
	wait_until 30 no_open_jobs
	stop_nsd
	start_bind_secondary ns2 a1.test a2.test a3.test
	# its old copies (loaded from its files: the primary is down)
	wait_until 30 counts_are ns2 "1 2 0 0"
	[ "$(sec_field ns2 state)" = behind ]
	sec_serves ns2 a1.test 2024010101
	[ "$(status_sec ns2 state)" = behind ]
	run dadnsctl status
	[[ "$output" == *"secondary ns2"*"behind: in_sync 1, behind 2"* ]]
	wait_until 30 reasons_have "secondary ns2 (127.0.0.1:${SEC_PORT[ns2]}): not in sync for .* 2 zones behind"
	req /status
	expect_js '.overall' degraded
	expect_js '.secondaries[0].state' behind
	expect_js '.secondaries[0].behind' 2

	# the primary back: the secondary catches up by itself, no push
	local jobs
	jobs=$(sqlite3 "$DB" "select count(*) from jobs")
	start_nsd pattern
	wait_until 60 sec_state_is ns2 in_sync
	[ "$(counts ns2)" = "3 0 0 0" ]
	[ "$(sqlite3 "$DB" "select count(*) from jobs")" = "$jobs" ]
	[ "$(status_sec ns2 behind_since)" = null ]
	overall_is ok

	# a zone deleted on the primary that the secondary still serves: extra;
	# a zone the secondary was never told of: missing
	run dadnsctl delete a3.test
	[ "$status" -eq 0 ]
	wait_until 30 not_served "$NSD_PORT" a3.test
	push_serial 2024010101 a4.test
	wait_until 30 serves_serial "$NSD_PORT" a4.test 2024010101
	sec_serves ns2 a3.test 2024010101
	run "$DADNS_BUILD/dadns-reconcile" -c "$INI"
	[ "$status" -eq 0 ]
	[ "$(status_sec ns2 state)" = behind ]
	[ "$(status_sec ns2 extra)" = 1 ]
	[ "$(status_sec ns2 missing)" = 1 ]
	[ "$(status_sec ns2 in_sync)" = 2 ]
	req /metrics
	promtool_ok "$TMP/last-body"
	[ "$(metric 'dadns_secondary_zones{secondary="ns2",state="extra"}')" = 1 ]
	[ "$(metric 'dadns_secondary_zones{secondary="ns2",state="missing"}')" = 1 ]
	wait_until 30 reasons_have "secondary ns2 .*1 missing, 1 extra"
}

@test "secondaries: a Knot and a BIND secondary watched side by side: one stopped is unreachable, the other stays in sync" {
	sec_port knot1 >/dev/null
	sec_port bind1 >/dev/null
	NSD_PATTERN_EXTRA=$(sec_notify_lines knot1 bind1)
	start_nsd pattern
	sec_ini knot1 bind1
	start_stack
	start_worker
	push_serial 2024020201 k1.test k2.test
	wait_until 30 all_served "$NSD_PORT" 2024020201 k1.test k2.test
	start_knot_secondary knot1 k1.test k2.test
	start_bind_secondary bind1 k1.test k2.test
	wait_until 60 all_in_sync
	[ "$(counts knot1)" = "2 0 0 0" ]
	[ "$(counts bind1)" = "2 0 0 0" ]
	# an update reaches both (NOTIFY or refresh): in sync again
	push_serial 2024020202 k1.test
	wait_until 60 all_in_sync
	sec_serves knot1 k1.test 2024020202
	stop_secondary knot1
	sec_check
	[ "$SEC_RC" -eq 3 ]
	[ "$(sec_field knot1 state)" = unreachable ]
	[ "$(sec_field bind1 state)" = in_sync ]
	[ "$(counts bind1)" = "2 0 0 0" ]
	run dadnsctl secondaries check
	[ "$status" -eq 3 ]
	[[ "$output" == *"secondary knot1"*"unreachable"* ]]
	[[ "$output" == *"secondary bind1"*"in_sync: in_sync 2, behind 0, missing 0, extra 0"* ]]
}

@test "secondaries check: usage, no [secondary NAME], a bad server" {
	run dadnsctl secondaries check extra-arg
	[ "$status" -eq 2 ]
	run dadnsctl secondaries check
	[ "$status" -eq 1 ]
	[[ "$output" == *"no [secondary NAME] section"* ]]
	printf '[secondary broken]\nserver = 127.0.0.1:99999\n' >>"$INI"
	run dadnsctl config check
	[ "$status" -eq 1 ]
	[[ "$output" == *"[secondary broken]: server '127.0.0.1:99999' is not HOST[:PORT]"* ]]
	run "$DADNS_BUILD/dadns-reconcile" -c "$INI"
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$output" | grep -c 'secondary broken')" = 1 ]
}

# primary_catalog ZONE: make sure the primary NSD serves the catalog zone
# (dadns builds none in this branch: a hand-made one, added to NSD by hand).
primary_catalog() {
	[ -n "$(soa_serial "$NSD_PORT" "$1")" ] && return 0
	make_zone "$1" 7 "$NSD_ZONES/$1.zone"
	$NSD_CONTROL addzone "$1" dadns >/dev/null
	wait_until 10 serves_serial "$NSD_PORT" "$1" 7
}

@test "secondaries: the catalog zone is watched too, against the serial the primary serves" {
	sec_port withcat >/dev/null
	sec_port nocat >/dev/null
	NSD_PATTERN_EXTRA=$(sec_notify_lines withcat nocat)
	start_nsd pattern
	sec_ini withcat nocat
	printf '[catalog]\nzone = cat.test\n' >>"$INI"
	start_stack
	start_worker
	push_serial 2024030301 c1.test
	wait_until 30 serves_serial "$NSD_PORT" c1.test 2024030301
	primary_catalog cat.test
	start_bind_secondary withcat c1.test cat.test
	start_bind_secondary nocat c1.test
	# a third serves a stale catalog of its own (serial 3), never transferred
	make_zone cat.test 3 "$TMP/stale-cat.zone"
	sec_port stale >/dev/null
	printf '[secondary stale]\nserver = 127.0.0.1:%s\n' "${SEC_PORT[stale]}" >>"$INI"
	SEC_BIND_EXTRA="zone \"cat.test\" { type primary; file \"$TMP/stale-cat.zone\"; };" \
		start_bind_secondary stale c1.test
	wait_until 60 counts_are withcat "2 0 0 0"   # c1.test and the catalog
	[ "$(sec_field withcat state)" = in_sync ]
	wait_until 60 counts_are nocat "1 0 1 0"     # the catalog is missing there
	[ "$(sec_field nocat state)" = behind ]
	wait_until 60 counts_are stale "1 1 0 0"     # its catalog serial is not the primary's
	[ "$(sec_field stale state)" = behind ]
	# the catalog zone is never counted as a gone zone
	[ "$(sec_field withcat extra)" = 0 ]
}
