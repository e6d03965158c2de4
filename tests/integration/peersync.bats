#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# peersync.bats -- dadns nodes heal each other: two or three complete nodes
# on loopback (each its own nginx, intake, worker, backend, database, ports)
# and dadns-peersync --once passes between them.

load helpers
load dns_helpers
load peersync_helpers

setup() {
	dadns_setup
	nodes_setup
}

teardown() {
	nodes_teardown
}

# summary NAME KEY: a figure of the last peersync run of NAME.
summary() { node_sql "$1" "select summary from runs where program = 'peersync' order by id desc limit 1" | jq -r ".$2"; }

@test "a zone pushed to A while B was down is served by B after one pass on B" {
	node_start A nsd
	node_start B nsd
	node_peer A B
	node_peer B A
	node_stop_dadns B
	node_push A down.test 2026010101
	wait_until 15 node_serves A down.test 2026010101
	node_start_dadns B
	[ -z "$(node_serial B down.test)" ]
	run peersync B
	[ "$status" -eq 0 ]
	[ "$(node_serial B down.test)" = 2026010101 ]
	[ "$(node_sql B "select source from zones where domain = 'down.test'")" = peer ]
	[ "$(node_sql B "select count(*) from jobs where domain = 'down.test' and source = 'peer'")" = 1 ]
	# the worker was woken: served well before its 2 s poll would matter
	wait_until 15 node_serves B down.test 2026010101
	# the time of the change travels with the zone: no flip-flop
	[ "$(node_sql B "select updated_at from zones")" = "$(node_sql A "select updated_at from zones")" ]
	[ "$(summary B zones_pulled)" = 1 ]
	run peersync A
	[ "$status" -eq 0 ]
	[ "$(summary A zones_pulled)" = 0 ]
	run peersync B
	[ "$(summary B zones_pulled)" = 0 ]
	[ "$(node_sql A "select count(*) from jobs where source = 'peer'")" = 0 ]
}

@test "a zone deleted at A while B was down is deleted at B; a later re-push at B wins" {
	node_start A nsd
	node_start B nsd
	node_peer A B
	node_peer B A
	node_push A gone.test 2026020101
	node_push B gone.test 2026020101
	wait_until 15 node_serves A gone.test 2026020101
	wait_until 15 node_serves B gone.test 2026020101
	node_stop_dadns B
	node_delete A gone.test
	wait_until 15 node_not_serving A gone.test
	node_start_dadns B
	# A must not take the zone back from B: B's copy is older than A's delete
	run peersync A
	[ "$status" -eq 0 ]
	[ -z "$(node_serial A gone.test)" ]
	run peersync B
	[ "$status" -eq 0 ]
	[ -z "$(node_serial B gone.test)" ]
	[ "$(summary B tombstones_applied)" = 1 ]
	wait_until 15 node_not_serving B gone.test
	[ "$(node_sql B "select deleted_at from tombstones")" = "$(node_sql A "select deleted_at from tombstones")" ]
	# DA pushes the domain again, to B only: newer than the delete
	sleep 0.01
	node_push B gone.test 2026020102
	run peersync B
	[ "$(node_serial B gone.test)" = 2026020102 ]
	run peersync A
	[ "$(node_serial A gone.test)" = 2026020102 ]
	wait_until 15 node_serves A gone.test 2026020102
}

@test "a newer serial is never regressed, in RFC 1982 order (wraparound too)" {
	node_start A null
	node_start B null
	node_peer A B
	node_peer B A
	# the newer serials are pushed first: later pushes of older serials
	# must not win by their time
	node_push B new.test 2026030105
	node_push B wrap.test 10
	node_push A new.test 2026030101
	node_push A wrap.test 4294967290
	# same serial: the later change wins
	node_push B late.test 2026030101
	node_push A late.test 2026030101
	run peersync B
	[ "$status" -eq 0 ]
	[ "$(node_serial B new.test)" = 2026030105 ]
	[ "$(node_serial B wrap.test)" = 10 ]
	[ "$(node_serial B late.test)" = 2026030101 ]
	run peersync A
	[ "$status" -eq 0 ]
	[ "$(node_serial A new.test)" = 2026030105 ]
	[ "$(node_serial A wrap.test)" = 10 ]
	[ "$(node_sql B "select source from zones where domain = 'late.test'")" = peer ]
	[ "$(node_sql A "select source from zones where domain = 'late.test'")" = da ]
	[ "$(summary A zones_pulled)" = 2 ]
	run peersync B
	[ "$(summary B zones_pulled)" = 0 ]
	run peersync A
	[ "$(summary A zones_pulled)" = 0 ]
}

@test "a peer whose clock is ahead: its future times win no tie, are not pulled again every pass, delete nothing" {
	node_start A null
	node_start B null
	node_peer B A
	node_push A tie.test 2026090101
	node_push A fresh.test 2026090101
	node_push B tie.test 2026090101
	node_push B doomed.test 2026090101
	# A's clock is far ahead (year 2100): its change times and a delete
	node_sql A "update zones set updated_at = 4102444800000"
	node_sql A "insert into tombstones(domain, serial, deleted_at) values('doomed.test', 2026090101, 4102444800000)"
	run peersync B
	[ "$status" -eq 0 ]
	# the same serial at B: A's "later" time is no reason to take A's copy
	[ "$(node_sql B "select source from zones where domain = 'tie.test'")" = da ]
	# absent at B: taken, once
	[ "$(node_serial B fresh.test)" = 2026090101 ]
	# a delete dated in the future does not delete what B has
	[ "$(node_serial B doomed.test)" = 2026090101 ]
	[ "$(summary B tombstones_applied)" = 0 ]
	run peersync B
	[ "$status" -eq 0 ]
	[ "$(summary B zones_pulled)" = 0 ]
	[ "$(node_sql B "select count(*) from jobs where source = 'peer'")" = 1 ]
	[ "$(node_serial B doomed.test)" = 2026090101 ]
}

@test "a chain A->B, B->C becomes a mesh: every node lists the other two" {
	node_start A null
	node_start B null
	node_start C null
	node_peer A B
	node_peer B C
	node_push C chain.test 2026040101
	local a b c
	a=$(node_get A FRONT_URL)/
	b=$(node_get B FRONT_URL)/
	c=$(node_get C FRONT_URL)/
	run peersync A
	[ "$status" -eq 0 ]
	run peersync B
	[ "$status" -eq 0 ]
	run peersync C
	[ "$status" -eq 0 ]
	run peersync A
	[ "$status" -eq 0 ]
	[ "$(node_peers A)" = "$(printf '%s\n' "$b" "$c" | sort)" ]
	[ "$(node_peers B)" = "$(printf '%s\n' "$a" "$c" | sort)" ]
	[ "$(node_peers C)" = "$(printf '%s\n' "$a" "$b" | sort)" ]
	[ "$(node_sql A "select origin || ' ' || coalesce(via, '-') from peers where url = '$c'")" = "discovered b" ]
	[ "$(node_sql A "select origin from peers where url = '$b'")" = config ]
	# no password is stored
	[ "$(node_sql A "select count(*) from peers where url like '%@%' or coalesce(via, '') like '%s3cret%'")" = 0 ]
	# the zone went C -> B (B's pass) and B -> A (A's second pass)
	[ "$(node_serial A chain.test)" = 2026040101 ]
	# what /internal/peers answers on each node
	internal_get C /internal/peers
	[ "$HTTP_STATUS" = 200 ]
	[ "$(echo "$HTTP_BODY" | jq -r '.[]' | sort)" = "$(printf '%s\n' "$a" "$b" "$c" | sort)" ]
}

@test "peer credentials cannot push or delete; DA credentials cannot read /internal" {
	node_start A null
	node_push A auth.test 2026050101
	zone_text auth.test 2026050102 >"$TMP/z.db"
	push_zone auth.test "$TMP/z.db" "$DA_HOST" "$DA_USERNAME" -u "$PEER_USER:$PEER_PASS"
	[ "$HTTP_STATUS" = 401 ]
	req -u "$PEER_USER:$PEER_PASS" --data "action=delete&cluster=yes&hostname=$DA_HOST&select0=auth.test" \
		/CMD_API_DNS_ADMIN
	[ "$HTTP_STATUS" = 401 ]
	req -u "$PEER_USER:$PEER_PASS" /CMD_API_LOGIN_TEST
	[ "$HTTP_STATUS" = 401 ]
	[ "$(node_serial A auth.test)" = 2026050101 ]
	local p
	for p in /internal/zones "/internal/zones?domain=auth.test" /internal/tombstones /internal/peers; do
		internal_get A "$p" -u "$DA_USER:$DA_PASS"
		[ "$HTTP_STATUS" = 401 ]
		internal_get A "$p" -u "nobody:$PEER_PASS"
		[ "$HTTP_STATUS" = 401 ]
		internal_get A "$p" --no-auth
		[ "$HTTP_STATUS" = 401 ]
		internal_get A "$p"
		[ "$HTTP_STATUS" = 200 ]
	done
	internal_get A /internal/zones
	[ "$(echo "$HTTP_BODY" | jq -r '.[0] | [.domain, .serial, .hostname, .username] | join(" ")')" = \
	  "auth.test 2026050101 $DA_HOST $DA_USERNAME" ]
	[ "$(echo "$HTTP_BODY" | jq -r '.[0].zone_updated_at')" = "$(node_sql A "select updated_at from zones")" ]
	internal_get A "/internal/zones?domain=AUTH.test."
	[ "$HTTP_STATUS" = 200 ]
	echo "$HTTP_BODY" | jq -r .zone_data | grep -q 'SOA ns1.auth.test. hostmaster.auth.test. 2026050101'
	internal_get A "/internal/zones?domain=absent.test"
	[ "$HTTP_STATUS" = 404 ]
	internal_get A "/internal/zones?domain=..%2Fetc"
	[ "$HTTP_STATUS" = 400 ]
	internal_get A /internal/nothing
	[ "$HTTP_STATUS" = 404 ]
	# a caller announcing a link-local URL is answered, but not recorded as a peer
	internal_get A /internal/peers -H "X-Dadns-Peer-Url: http://169.254.169.254/"
	[ "$HTTP_STATUS" = 200 ]
	internal_get A /internal/peers -H "X-Dadns-Peer-Url: http://127.0.0.9:1/"
	[ "$(node_sql A "select group_concat(url) from peers")" = "http://127.0.0.9:1/" ]
	internal_get A /internal/zones -X POST --data x=1
	[ "$HTTP_STATUS" = 405 ]
	node_delete A auth.test
	internal_get A /internal/tombstones
	[ "$(echo "$HTTP_BODY" | jq -r '.[0] | [.domain, .serial] | join(" ")')" = "auth.test 2026050101" ]
}

@test "a peer that is down is skipped, degraded after 3 passes, recovered when back" {
	node_start A null
	node_start B null
	node_start C null
	node_peer B A
	node_peer B C
	node_stop_dadns A
	node_push C up.test 2026060101
	run peersync B
	[ "$status" -eq 3 ]
	# the pass went on with C
	[ "$(node_serial B up.test)" = 2026060101 ]
	[ "$(summary B peers)" = 2 ]
	[ "$(summary B peers_failed)" = 1 ]
	[ "$(node_sql B "select ok from runs order by id desc limit 1")" = 0 ]
	run peersync B
	[ "$(node_sql B "select failures || ' ' || degraded from peers where name = 'a'")" = "2 0" ]
	[ "$(node_sql B "select degraded from peers where name = 'c'")" = 0 ]
	run peersync B
	[ "$(node_sql B "select failures || ' ' || degraded from peers where name = 'a'")" = "3 1" ]
	node_sql B "select last_error from peers where name = 'a'" | grep -q "HTTP status 502"
	# shown to the operator: dadnsctl status and GET /status
	node_use B
	run dadnsctl status
	echo "$output" | grep -q "^peer a .*(config): degraded, 3 failed passes in a row"
	echo "$output" | grep -q "^peer c .*(config): ok"
	req /status
	[ "$(echo "$HTTP_BODY" | jq -r '.peers[] | select(.name == "a") | .degraded')" = true ]
	[ "$(echo "$HTTP_BODY" | jq -r '.peersync.summary.peers_failed')" = 1 ]
	run peersync B
	[ "$(grep -c 'peer a .* degraded' "$(node_get B PEERSYNC_LOG)")" = 1 ]
	[ "$(grep -c 'recovered' "$(node_get B PEERSYNC_LOG)")" = 0 ]
	node_start_dadns A
	run peersync B
	[ "$status" -eq 0 ]
	[ "$(node_sql B "select failures || ' ' || degraded || ' ' || coalesce(last_error, '-') from peers where name = 'a'")" = "0 0 -" ]
	[ "$(node_sql B "select last_ok_at > 0 from peers where name = 'a'")" = 1 ]
	[ "$(grep -c 'peer a .* recovered' "$(node_get B PEERSYNC_LOG)")" = 1 ]
	[ "$(node_sql B "select ok from runs order by id desc limit 1")" = 1 ]
}

@test "a hostile peer: nothing it sends is stored, the pass goes on with the others" {
	node_start A null
	node_start B null
	node_peer B A
	node_push A good.test 2026070101
	node_push B keep.test 2026070101
	local mode
	for mode in evil badjson huge deep; do
		start_hostile $mode
		node_add_peer B "h-$mode" "$HOSTILE_URL"
	done
	local t0=$SECONDS
	run peersync B
	[ "$status" -eq 3 ]
	[ $((SECONDS - t0)) -lt 60 ]
	# only the good peer's zone arrived; keep.test survived an old tombstone
	[ "$(node_sql B "select group_concat(domain, ' ') from (select domain from zones order by domain)")" = "good.test keep.test" ]
	[ "$(node_sql B "select count(*) from tombstones")" = 0 ]
	[ "$(node_sql B "select count(*) from peers")" = 5 ]
	# a link-local (cloud metadata) URL is never taken in, in any spelling
	[ "$(node_sql B "select count(*) from peers where url like '%169.254%' or url like '%2852039166%' or url like '%fe80%'")" = 0 ]
	grep -q 'peer h-evil named http://169.254.169.254/: a link-local' "$(node_get B PEERSYNC_LOG)"
	[ "$(summary B peers_failed)" = 3 ]
	[ "$(summary B zones_pulled)" = 1 ]
	[ "$(summary B skipped)" -ge 12 ]
	local log
	log=$(node_get B PEERSYNC_LOG)
	grep -q 'peer h-evil: zone include.test skipped: line .*\$INCLUDE' "$log"
	grep -q 'peer h-evil: zone outside.test skipped' "$log"
	grep -q 'peer h-evil: zone generate.test skipped' "$log"
	grep -q 'peer h-evil: zone badjson.test skipped: invalid JSON' "$log"
	grep -q 'peer h-evil: zone huge.test skipped: answer larger than' "$log"
	grep -q 'peer h-evil: zone deep.test skipped: JSON nested deeper' "$log"
	grep -q 'peer h-evil: zone other.test skipped: the answer is for another domain' "$log"
	grep -q 'peer h-evil: .* zone list entries skipped' "$log"
	grep -q 'peer h-evil: .* peer URLs skipped' "$log"
	grep -q 'peer h-badjson .* failed: zones: invalid JSON' "$log"
	grep -q 'peer h-huge .* failed: zones: answer larger than' "$log"
	grep -q 'peer h-deep .* failed: zones: JSON nested deeper' "$log"
	# a hostile peer that answers its lists is still a peer that answered
	[ "$(node_sql B "select failures from peers where name = 'h-evil'")" = 0 ]
}

@test "peers from the environment: DADNS_PEER_SYNC_PEER_URL and numbered ones" {
	node_start A null
	node_start B null
	node_push A env.test 2026080101
	local a
	a=$(node_get A FRONT_URL)
	DADNS_PEER_SYNC_PEER_1_URL=$a DADNS_PEER_SYNC_PEER_1_USERNAME=$PEER_USER \
		DADNS_PEER_SYNC_PEER_1_PASSWORD=$PEER_PASS run peersync B
	[ "$status" -eq 0 ]
	[ "$(node_serial B env.test)" = 2026080101 ]
	[ "$(node_sql B "select name || ' ' || url || ' ' || origin from peers")" = "env-1 $a/ env" ]
	# wrong credentials from the environment: the peer fails, nothing else
	DADNS_PEER_SYNC_PEER_URL=$a DADNS_PEER_SYNC_PEER_USERNAME=$PEER_USER \
		DADNS_PEER_SYNC_PEER_PASSWORD=wrong run peersync B
	[ "$status" -eq 3 ]
	node_sql B "select last_error from peers where name = 'env'" | grep -q "HTTP status 401"
	# a peer no longer in the environment is forgotten
	[ "$(node_sql B "select count(*) from peers where name = 'env-1'")" = 0 ]
	# a URL with a password in it is not used, and the password is not logged
	DADNS_PEER_SYNC_PEER_3_URL="http://u:t0psecret@127.0.0.1:1/" run peersync B
	grep -q "peer env-3\]: url is not usable" "$(node_get B PEERSYNC_LOG)"
	[ "$(grep -c t0psecret "$(node_get B PEERSYNC_LOG)")" = 0 ]
	# a URL without the rest is refused at start, with the variable named
	DADNS_PEER_SYNC_PEER_2_USERNAME=x run peersync B
	[ "$status" -eq 1 ]
	grep -q "DADNS_PEER_SYNC_PEER_2_URL is required" "$(node_get B PEERSYNC_LOG)"
}
