#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# reconcile.bats -- dadns-reconcile against DirectAdmin stand-ins
# (tests/fixtures/da_fixture.py): orphans deleted end to end through the real
# worker and NSD, dry runs, unreachable servers, paging, the Evolution login,
# the mass-delete guard, ownership migration and backfill checked by the real
# intake behind nginx, and the heal pass against NSD and PowerDNS on MariaDB.

load helpers
load dns_helpers
load mysql_helpers
load reconcile_helpers

setup() {
	dadns_setup
	rc_setup
}

teardown() {
	dadns_teardown
	if [ -n "${MYSQL_BASE:-}" ]; then
		mysql_file_teardown
		MYSQL_BASE=
	fi
}

@test "reconcile: --help, --version, a bad option, a bad config" {
	run "$DADNS_BUILD/dadns-reconcile" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--dry-run"* ]]
	run "$DADNS_BUILD/dadns-reconcile" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "dadns-reconcile "* ]]
	run "$DADNS_BUILD/dadns-reconcile" --bogus
	[ "$status" -eq 1 ]
	echo "[reconcile]" >>"$INI"
	echo "max_delete_fraction = 2" >>"$INI"
	run "$DADNS_BUILD/dadns-reconcile" -c "$INI"
	[ "$status" -eq 1 ]
	[[ "$output" == *"max_delete_fraction"* ]]
}

@test "reconcile: a zone dropped from DA's list is deleted end to end: NSD stops serving it" {
	start_nsd pattern
	da_start da1
	rc_server da1 "$DA_HOST"
	rc_ini max_delete_fraction=0.5
	ini_nsd_backend nsd
	start_stack
	start_worker
	local d
	for d in keep1.test keep2.test gone.test; do
		make_zone "$d" 2024010101 "$TMP/$d.db"
		push_zone "$d" "$TMP/$d.db"
		[ "$(answer error)" = 0 ]
	done
	wait_until 20 all_served "$NSD_PORT" 2024010101 keep1.test keep2.test gone.test
	da_list da1 keep1.test keep2.test gone.test
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure orphans_found)" = 0 ]
	[ "$(figure healed)" = 0 ]    # NSD serves everything: nothing to heal
	[ "$(figure zones_in_da)" = 3 ]
	[ "$(figure zones_in_dadns)" = 3 ]
	# DA deleted gone.test while dadns was not told
	da_list da1 keep1.test keep2.test
	reconcile
	[ "$status" -eq 0 ]
	[[ "$output" == *"gone.test: orphan of [directadmin da1]"* ]]
	[ "$(figure orphans_found)" = 1 ]
	[ "$(figure orphans_queued)" = 1 ]
	[ "$(last_run_ok)" = 1 ]
	[ "$(zone_count gone.test)" = 0 ]
	[ "$(sqlite3 "$DB" "select count(*) from tombstones where domain = 'gone.test'")" = 1 ]
	[ "$(jobs_from reconcile delete)" = 1 ]
	wait_until 20 not_served "$NSD_PORT" gone.test
	serves_serial "$NSD_PORT" keep1.test 2024010101
	serves_serial "$NSD_PORT" keep2.test 2024010101
	# the run is in dadnsctl status and GET /status
	run dadnsctl status
	local line
	line=$(grep '^reconcile:' <<<"$output")
	[[ "$line" =~ orphans_queued[\":\ ]+1[,}\ ] ]]
	[[ "$line" =~ servers_polled[\":\ ]+1[,}\ ] ]]
	req /status
	[ "$HTTP_STATUS" = 200 ]
	[ "$(echo "$HTTP_BODY" | jq -r '.reconcile.ok')" = true ]
	[ "$(echo "$HTTP_BODY" | jq -r '.reconcile.summary | if type == "string" then fromjson else . end | .orphans_queued')" = 1 ]
	grep -q "reconcile: done: servers_polled=1 unreachable=0 zones_in_da=2 zones_in_dadns=3 orphans_found=1 orphans_queued=1" "$RC_LOG"
}

@test "reconcile: --dry-run changes nothing, but reports the orphan" {
	da_start da1
	rc_server da1 "$DA_HOST"
	rc_ini max_delete_fraction=0.5
	rc_zones "$DA_HOST" a.test b.test c.test d.test
	rc_zones da9.example.net other.test
	sqlite3 "$DB" "update zones set hostname = '' where domain = 'c.test'"
	da_list da1 a.test b.test c.test new.test
	local before
	before=$(sqlite3 "$DB" "select * from zones order by domain")
	reconcile --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"d.test: orphan of [directadmin da1]"*"dry run, not deleted"* ]]
	[[ "$output" == *"c.test: no owner -> $DA_HOST"*"dry run"* ]]
	[ "$(figure orphans_found)" = 1 ]
	[ "$(figure orphans_queued)" = 0 ]
	[ "$(figure backfilled)" = 1 ]
	[ "$(figure dry_run)" = 1 ]
	[ "$(figure missing)" = 1 ]
	[[ "$output" == *"new.test: listed by DirectAdmin but not in dadns"* ]]
	[ "$(sqlite3 "$DB" "select * from zones order by domain")" = "$before" ]
	[ "$(job_count)" = 0 ]
	[ "$(sqlite3 "$DB" "select count(*) from tombstones")" = 0 ]
	# [reconcile] dry_run = 1 does the same
	rc_ini max_delete_fraction=0.5 dry_run=1
	reconcile
	[ "$status" -eq 0 ]
	[ "$(zone_count)" = 5 ]
	[ "$(job_count)" = 0 ]
	# other.test belongs to a server that is not polled: never an orphan
	reconcile
	[[ "$output" != *"other.test"* ]]
}

@test "reconcile: 500, HTML, a redirect loop, a DA error, a timeout, a refused connection: unreachable, nothing deleted, exit 2" {
	da_start da1
	local closed
	closed=$(free_port)
	rc_server da1 "$DA_HOST"
	rc_server down da2.example.net "$closed"
	rc_ini max_delete_fraction=1 timeout=1 connect_timeout=1
	rc_zones "$DA_HOST" a.test b.test c.test
	rc_zones da2.example.net x.test y.test
	da_list da1 # DA "has" nothing: read as an empty list, all would go
	local m
	for m in 500 html htmlplain redirect deaderror slow; do
		da_mode da1 "$m"
		reconcile
		echo "mode $m: status $status" >&2
		[ "$status" -eq 2 ]
		[[ "$output" == *"da1: unreachable"* ]]
		[[ "$output" == *"down: unreachable"* ]]
		[ "$(figure unreachable)" = 2 ]
		[ "$(figure servers_polled)" = 0 ]
		[ "$(figure orphans_found)" = 0 ]
		[ "$(last_run_ok)" = 0 ]
		[ "$(zone_count)" = 5 ]
		[ "$(job_count)" = 0 ]
	done
	[ "$(da_requests da1 'POST /CMD_LOGIN')" -ge 1 ]   # the redirect loop tried to log in
	# a wrong password (401 from DA) is unreachable too
	da_mode da1 json
	RC_SECTIONS=()
	rc_server da1 "$DA_HOST" "" wrong-password
	rc_ini max_delete_fraction=1
	reconcile
	[ "$status" -eq 2 ]
	[[ "$output" == *"da1: unreachable: "*"401"* ]]
	[ "$(zone_count)" = 5 ]
	# and with the right one, the same empty list does delete (the control)
	RC_SECTIONS=()
	rc_server da1 "$DA_HOST"
	rc_ini max_delete_fraction=1
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure orphans_queued)" = 3 ]
	[ "$(zone_count)" = 2 ]
}

@test "reconcile: 2,500 domains over 3 pages are all seen; none is an orphan; the legacy form too" {
	da_start da1
	rc_server da1 "$DA_HOST"
	rc_ini ipp=1000
	mapfile -t doms < <(seq_domains z 2500)
	rc_zones "$DA_HOST" "${doms[@]}"
	da_list da1 "${doms[@]}"
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure zones_in_da)" = 2500 ]
	[ "$(figure zones_in_dadns)" = 2500 ]
	[ "$(figure orphans_found)" = 0 ]
	[ "$(da_requests da1 'page=1&ipp=1000')" = 1 ]
	[ "$(da_requests da1 'page=2&ipp=1000')" = 1 ]
	[ "$(da_requests da1 'page=3&ipp=1000')" = 1 ]
	[ "$(da_requests da1 'page=4')" = 0 ]
	[ "$(zone_count)" = 2500 ]
	# the legacy form, '&' separated and newline separated
	local sep
	for sep in amp nl; do
		da_start "leg$sep" legacy --sep "$sep"
		da_list "leg$sep" "${doms[@]}"
		RC_SECTIONS=()
		rc_server "leg$sep" "$DA_HOST"
		rc_ini ipp=1000
		reconcile
		[ "$status" -eq 0 ]
		[ "$(figure zones_in_da)" = 2500 ]
		[ "$(figure orphans_found)" = 0 ]
	done
	# one missing from the list is found
	da_list legnl "${doms[@]:1}"
	reconcile --dry-run
	[ "$(figure orphans_found)" = 1 ]
	[[ "$output" == *"z1.test: orphan"* ]]
}

@test "reconcile: a list that changed between pages, or holds a name it cannot read, deletes nothing" {
	da_start da1
	rc_server da1 "$DA_HOST"
	rc_ini ipp=2 max_delete_fraction=1
	rc_zones "$DA_HOST" a.test b.test c.test d.test e.test xn--bcher-kva.test
	da_list da1 a.test b.test c.test d.test e.test xn--bcher-kva.test
	local m
	for m in emptypage shrink; do
		da_mode da1 "$m"
		reconcile
		echo "mode $m: status $status" >&2
		[ "$status" -eq 2 ]
		[[ "$output" == *"da1: unreachable"*"changed while it was read"* ]]
		[ "$(figure orphans_found)" = 0 ]
		[ "$(zone_count)" = 6 ]
		[ "$(job_count)" = 0 ]
	done
	# letter case and a trailing dot are the same name; an IDN in Unicode
	# cannot be read: its punycode zone must not be taken for an orphan
	da_mode da1 json
	da_list da1 A.TEST b.test. c.test d.test e.test "bücher.test"
	reconcile
	[ "$status" -eq 2 ]
	[[ "$output" == *"da1: its list held 1 entries that are not domain names"* ]]
	[ "$(figure orphans_found)" = 1 ]
	[ "$(figure orphans_queued)" = 0 ]
	[ "$(zone_count)" = 6 ]
	[ "$(job_count)" = 0 ]
	# the control: a clean list without it does delete it
	da_list da1 A.TEST b.test. c.test d.test e.test
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure orphans_queued)" = 1 ]
	[ "$(zone_count xn--bcher-kva.test)" = 0 ]
	[ "$(zone_count)" = 5 ]
}

@test "reconcile: the Evolution login flow works; a wrong password is unreachable, not empty" {
	da_start da1 evo
	rc_server da1 "$DA_HOST"
	rc_ini ipp=2 max_delete_fraction=1
	rc_zones "$DA_HOST" a.test b.test c.test
	da_list da1 a.test b.test c.test
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure zones_in_da)" = 3 ]
	[ "$(figure orphans_found)" = 0 ]
	[ "$(da_requests da1 'POST /CMD_LOGIN auth=0')" = 1 ]
	[ "$(da_requests da1 'page=2&ipp=2 auth=0 cookie=1')" = 1 ]
	# a wrong password: the login is refused, the listing never comes
	RC_SECTIONS=()
	rc_server da1 "$DA_HOST" "" not-the-password
	rc_ini ipp=2 max_delete_fraction=1
	reconcile
	[ "$status" -eq 2 ]
	[[ "$output" == *"da1: unreachable"* ]]
	[ "$(figure unreachable)" = 1 ]
	[ "$(figure orphans_found)" = 0 ]
	[ "$(zone_count)" = 3 ]
	[ "$(job_count)" = 0 ]
}

@test "reconcile: TLS is verified unless verify_ssl = false; ca_file names the CA" {
	rc_tls_cert "$TMP/da.pem"
	da_start da1 json --tls-cert "$TMP/da.pem"
	rc_zones "$DA_HOST" a.test b.test
	da_list da1 a.test b.test
	RC_SCHEME=https rc_server da1 "$DA_HOST"
	rc_ini
	reconcile
	[ "$status" -eq 2 ]
	[[ "$output" == *"da1: unreachable"*"certificate"* ]]
	RC_SECTIONS+=("ca_file = $TMP/da.pem.crt")
	rc_ini
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure zones_in_da)" = 2 ]
	RC_SECTIONS=()
	RC_SCHEME=https rc_server da1 "$DA_HOST"
	RC_SECTIONS+=("verify_ssl = false")
	rc_ini
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure servers_polled)" = 1 ]
	[ "$(zone_count)" = 2 ]
}

@test "reconcile: the mass-delete guard trips when a server suddenly lists 50 % fewer domains" {
	da_start da1
	da_start da2
	rc_server da1 "$DA_HOST"
	rc_server da2 da2.example.net
	rc_ini
	mapfile -t doms < <(seq_domains g 20)
	mapfile -t doms2 < <(seq_domains h 20)
	rc_zones "$DA_HOST" "${doms[@]}"
	rc_zones da2.example.net "${doms2[@]}"
	da_list da1 "${doms[@]:10}"
	da_list da2 "${doms2[@]:1}"    # 1 of 20 (5 %): under the default 10 %
	reconcile
	[ "$status" -eq 2 ]
	[[ "$output" == *"da1: 10 of its 20 zones are listed by no server polled"*"mass-delete guard"* ]]
	[ "$(figure orphans_found)" = 11 ]
	[ "$(figure orphans_queued)" = 1 ]
	[ "$(figure guarded)" = 1 ]
	[ "$(last_run_ok)" = 0 ]
	[ "$(zone_count)" = 39 ]
	[ "$(zone_count h1.test)" = 0 ]
	[ "$(sqlite3 "$DB" "select count(*) from jobs where op = 'delete' and domain like 'g%'")" = 0 ]
}

@test "reconcile: migration and backfill update the owner; a later delete from the old owner is refused" {
	da_start da1
	da_start da2
	rc_server da1 "$DA_HOST"
	rc_server da2 da2.example.net
	rc_ini max_delete_fraction=1
	start_stack
	make_zone moved.test 2024010101 "$TMP/moved.db"
	push_zone moved.test "$TMP/moved.db" "$DA_HOST" fred
	[ "$(answer error)" = 0 ]
	make_zone stay.test 2024010101 "$TMP/stay.db"
	push_zone stay.test "$TMP/stay.db" "$DA_HOST" fred
	rc_zones "" nobody.test
	[ "$(owner nobody.test)" = "" ]
	da_list da1 stay.test
	da_list da2 moved.test nobody.test
	reconcile
	[ "$status" -eq 0 ]
	[[ "$output" == *"moved.test: owner $DA_HOST -> da2.example.net"* ]]
	[[ "$output" == *"nobody.test: no owner -> da2.example.net"* ]]
	[ "$(figure migrated)" = 1 ]
	[ "$(figure backfilled)" = 1 ]
	[ "$(figure orphans_found)" = 0 ]
	[ "$(owner moved.test)" = da2.example.net ]
	[ "$(owner nobody.test)" = da2.example.net ]
	[ "$(owner stay.test)" = "$DA_HOST" ]
	# the old owner's delete is refused by the intake; the new owner's is not
	req --data "action=delete&cluster=yes&hostname=$DA_HOST&select0=moved.test" -H 'Content-Type:' /CMD_API_DNS_ADMIN
	[ "$(answer error)" = 1 ]
	[ "$(zone_count moved.test)" = 1 ]
	req --data "action=delete&cluster=yes&hostname=da2.example.net&select0=moved.test" -H 'Content-Type:' /CMD_API_DNS_ADMIN
	[ "$(answer error)" = 0 ]
	[ "$(zone_count moved.test)" = 0 ]
}

@test "reconcile: heal does not queue again, run after run, what a backend keeps failing while it applies nothing" {
	rc_ini
	mkdir -p "$TMP/null"
	rc_backend nul type=null "zones_dir=$TMP/null"
	rc_zones "$DA_HOST" f1.test f2.test f3.test
	local now
	now=$(($(date +%s%N) / 1000000))
	# the backend is down: the worker's last applies failed, nothing went well since
	sqlite3 "$DB" "insert into backend_state(backend, domain, serial, result, error, attempts, applied_at)
		values('nul', 'x.test', 1, 'ok', NULL, 0, $((now - 60000))),
		('nul', 'f1.test', NULL, 'fail', 'down', 5, $now), ('nul', 'f2.test', NULL, 'fail', 'down', 5, $now)"
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure healed)" = 1 ]
	[ "$(job_count f3.test)" = 1 ]
	[ "$(job_count f1.test)" = 0 ]
	[ "$(job_count f2.test)" = 0 ]
	[[ "$output" == *"backend nul: 2 zones whose last apply failed"* ]]
	# it applied something well since: it works again, they are healed
	sqlite3 "$DB" "update backend_state set applied_at = $((now + 1000)) where domain = 'x.test'"
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure healed)" = 2 ]
	[ "$(job_count f1.test)" = 1 ]
	[ "$(job_count f2.test)" = 1 ]
}

@test "reconcile: heal leaves a backend that does not answer within seconds, exit 2, and still heals the others" {
	start_nsd pattern
	rc_ini
	ini_nsd_backend nsd
	mkdir -p "$TMP/null"
	rc_backend nul type=null "zones_dir=$TMP/null"
	rc_zones "$DA_HOST" $(seq_domains down 12)
	stop_nsd
	local t0 ms
	t0=$(date +%s%3N)
	reconcile
	ms=$(($(date +%s%3N) - t0))
	echo "# heal with NSD down: $ms ms for 12 zones" >&3
	[ "$status" -eq 2 ]
	# What a server that does not answer holds cannot be told: no job for
	# it (the files dadns wrote are no answer), and the run says so.
	[[ "$output" == *"heal: backend nsd: 5 checks failed in a row: 7 more zones left unchecked"* ]]
	[ "$(figure unchecked)" = 12 ]
	[ "$(sqlite3 "$DB" "select count(*) from jobs where backends = 'nsd'")" = 0 ]
	# the null backend has none of the files: all 12 healed there
	[ "$(figure healed)" = 12 ]
	[ "$(sqlite3 "$DB" "select count(*) from jobs where source = 'heal' and backends = 'nul'")" = 12 ]
	[ "$(last_run_ok)" = 0 ]
	# bounded: five checks, not one timeout per zone
	[ "$ms" -lt 15000 ]
	# NSD back: nothing unchecked, the run is ok again
	start_nsd pattern
	reconcile
	[ "$(figure unchecked)" = 0 ]
	[ "$(last_run_ok)" = 1 ]
}

@test "reconcile: heal restores a zone file removed behind NSD's back and a zone's rows deleted from MySQL, with no DA push" {
	mysql_file_setup
	mysql_server_start a
	mysql_db a healpdns
	start_nsd pattern
	rc_ini
	ini_worker "poll_interval_ms = 30000"
	ini_nsd_backend nsd
	rc_backend pdns $(mysql_backend_args powerdns_mysql a healpdns)
	start_stack
	start_worker
	make_zone nsdlost.test 2024010101 "$TMP/a.db"
	make_zone rowslost.test 2024010101 "$TMP/b.db"
	push_zone nsdlost.test "$TMP/a.db"
	push_zone rowslost.test "$TMP/b.db"
	wait_until 20 all_served "$NSD_PORT" 2024010101 nsdlost.test rowslost.test
	wait_until 20 queue_done
	pdns_start a healpdns
	pdns_serves_zone rowslost.test "$TMP/b.db"
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure healed)" = 0 ]
	# behind dadns's back
	# (a reload keeps the zone NSD has in memory when its file is gone: restart)
	rm -f "$NSD_ZONES/nsdlost.test.zone"
	$NSD_CONTROL reload nsdlost.test
	stop_nsd
	start_nsd pattern
	wait_until 10 not_served "$NSD_PORT" nsdlost.test
	mysql_q a healpdns "DELETE FROM records WHERE domain_id = (SELECT id FROM domains WHERE name = 'rowslost.test'); DELETE FROM domains WHERE name = 'rowslost.test'"
	run pdns_dig rowslost.test SOA
	[ -z "$output" ]
	local da_jobs
	da_jobs=$(jobs_from da)
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure healed)" = 2 ]
	[[ "$output" == *"heal: job "*"nsdlost.test on backend nsd: missing"* ]]
	[[ "$output" == *"heal: job "*"rowslost.test on backend pdns: missing"* ]]
	[ "$(sqlite3 "$DB" "select count(*) from jobs where source = 'heal' and domain = 'nsdlost.test' and backends = 'nsd'")" = 1 ]
	[ "$(sqlite3 "$DB" "select count(*) from jobs where source = 'heal' and domain = 'rowslost.test' and backends = 'pdns'")" = 1 ]
	# the worker is woken: restored well before its 30 s poll
	wait_until 8 serves_serial "$NSD_PORT" nsdlost.test 2024010101
	serves_stored "$NSD_PORT" nsdlost.test
	wait_until 8 queue_done
	pdns_serves_zone rowslost.test "$TMP/b.db"
	[ "$(jobs_from da)" = "$da_jobs" ]
	# and the next run finds nothing to heal
	reconcile
	[ "$(figure healed)" = 0 ]
	# NSD serving an older serial (an old file put back) is behind: healed too
	make_zone rowslost.test 2023120101 "$NSD_ZONES/rowslost.test.zone"
	$NSD_CONTROL reload rowslost.test
	wait_until 10 serves_serial "$NSD_PORT" rowslost.test 2023120101
	reconcile
	[ "$status" -eq 0 ]
	[ "$(figure healed)" = 1 ]
	[[ "$output" == *"rowslost.test on backend nsd: behind: "*"2023120101"* ]]
	wait_until 8 serves_serial "$NSD_PORT" rowslost.test 2024010101
	[ "$(jobs_from da)" = "$da_jobs" ]
}
