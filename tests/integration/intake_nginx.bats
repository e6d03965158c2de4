#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# intake_nginx.bats -- dadns-intake's acceptance tests behind a real nginx
# (the cases are in intake_cases.bash, shared with intake_lighttpd.bats).

load helpers
load intake_cases

setup() {
	DADNS_FRONTEND=nginx
	dadns_setup
}

teardown() {
	dadns_teardown
}

@test "nginx: CMD_API_LOGIN_TEST answers error=0" { case_login_test; }
@test "nginx: wrong password and no credentials get 401, nothing changes" { case_auth_refused; }
@test "nginx: every test zone pushed as DA does (raw body, HTTP/1.0) is stored and queued" { case_push_every_zone; }
@test "nginx: every test zone pushed in the form field zone_file is stored and queued" { case_push_form_field; }
@test "nginx: a re-push with the same serial and other records is stored and queued" { case_repush_same_serial; }
@test "nginx: broken.test is refused with a line number, nothing stored" { case_broken_zone; }
@test "nginx: exists answers 0, 1 and 2 by GET and by POST" { case_exists; }
@test "nginx: exists answers 3 with check_subdomain_owner_in_cluster_domainowners" { case_exists_cluster_owner; }
@test "nginx: exists of half-typed and invalid names is exists=0" { case_exists_bad_names; }
@test "nginx: delete exactly as DA sends it (select0, select0+select1, domain=)" { case_delete; }
@test "nginx: delete from a non-owner hostname is refused, the zone stays" { case_delete_refused; }
@test "nginx: a push from another DA hostname moves the zone and is logged" { case_migration; }
@test "nginx: hostile requests get error=1 and store nothing" { case_hostile; }
@test "nginx: a body over max_body_bytes gets 413" { case_body_limit; }
@test "nginx: USER_EXISTS, POP, no action, unknown action" { case_other_commands; }
@test "nginx: 200 zones pushed 16 at a time are all stored" { case_concurrent_pushes; }
@test "nginx: kill -9 during pushes loses no acknowledged push" { case_kill9_durability; }
@test "nginx: SIGTERM stops the intake cleanly" { case_sigterm; }
@test "nginx: a request in flight at SIGTERM is finished and answered" { case_sigterm_in_flight; }
@test "nginx: intake on TCP (spawn-fcgi), on its own --listen socket, socket-activated" { case_intake_modes; }
