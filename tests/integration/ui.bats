#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# ui.bats -- the operator's page (GET /ui/) in Debian's real headless
# Chromium, driven over the DevTools pipe by ui_browser.py: nginx, the
# intake, the worker and a real NSD, 20 zones pushed, a second backend
# failing (its control command quotes the zone files, as a checker would),
# a zone holding markup; the page must show what `dadnsctl status --json`
# says, run none of the markup, and stay behind the operator's credentials.

load helpers
load ops_helpers
load dns_helpers

OPS_USER=ops
OPS_PASS='0ps:s3cret'
PEER_USER=peer
PEER_PASS=peer-pass
HOSTILE=hostile.test
SCRIPT_TXT='<script>window.__x=1</script>'
IMG_TXT='"><img src=x onerror=window.__x=1>'

setup() {
	dadns_setup
	write_ini "operator_username = $OPS_USER" "operator_password = $OPS_PASS" \
		"operator_allow = 192.0.2.1" \
		"[peer_sync]" "auth_username = $PEER_USER" "auth_password = $PEER_PASS"
	ini_worker "retry_backoff = 1"
	start_nsd pattern
	ini_nsd_backend nsd
	broken_backend
}

teardown() {
	dadns_teardown
}

# A bind backend whose control command fails, quoting the TXT records of the
# zone files it was given (as named-checkzone quotes a bad line).
broken_backend() {
	mkdir -p "$TMP/broken/zones"
	: >"$TMP/broken/named.conf"
	cat >"$TMP/broken/rndc" <<EOF
#!/bin/sh
echo "zone check failed: \$(grep -h 'TXT' '$TMP/broken/zones/$HOSTILE.zone' 2>/dev/null | tr '\n' ' ')"
exit 1
EOF
	chmod +x "$TMP/broken/rndc"
	{
		echo "[backend broken]"
		echo "type = bind"
		echo "enabled = 1"
		echo "zones_dir = $TMP/broken/zones"
		echo "named_conf = $TMP/broken/named.conf"
		echo "control = $TMP/broken/rndc"
		echo "server = 127.0.0.1:9"
		echo "timeout = 5"
	} >>"$INI"
}

# The zone with markup in two TXT records.
hostile_zone() {
	make_zone "$HOSTILE" 2026120801 "$1"
	{
		printf '%s.\t3600\tIN\tTXT\t"%s"\n' "$HOSTILE" "$SCRIPT_TXT"
		printf '%s.\t3600\tIN\tTXT\t"%s"\n' "$HOSTILE" "${IMG_TXT//\"/\\\"}"
	} >>"$1"
}

# The stack with 20 zones and the hostile one pushed, NSD serving all 21,
# the broken backend's jobs all dead.
stack_with_zones() {
	start_stack
	start_worker
	hostile_zone "$TMP/hostile.db"
	push_zone "$HOSTILE" "$TMP/hostile.db"
	[ "$(answer error)" = 0 ] || fail "hostile push: $HTTP_BODY"
	mkdir -p "$TMP/z"
	make_zones z.ui.test 20 2026120801 "$TMP/z"
	push_many "$TMP/z" 4
	# shellcheck disable=SC2046
	wait_until 60 all_served "$NSD_PORT" 2026120801 $(cd "$TMP/z" && ls | sed -n 's/\.db$//p') "$HOSTILE"
	wait_until 60 queue_drained
	[ "$(dead_jobs)" -ge 21 ] || fail "dead jobs: $(dead_jobs)"
}

open_jobs() { sqlite3 "$DB" "select count(*) from jobs where state in ('queued','running')"; }
queue_drained() { [ "$(open_jobs)" = 0 ]; }
dead_jobs() { sqlite3 "$DB" "select count(*) from jobs where state = 'dead'"; }

# browse OUT [ARGS...]: the page in Chromium with the operator's credentials.
browse() {
	local out=$1
	shift
	python3 "$BATS_TEST_DIRNAME/ui_browser.py" "$FRONT_URL/ui/" "$out" --auth "$OPS_USER:$OPS_PASS" "$@" ||
		fail "ui_browser.py failed"
}

@test "the page shows what dadnsctl status says; no console error; small; screenshot for the README" {
	stack_with_zones
	local shot=$TMP/ui.png
	browse "$TMP/page.json" --zone "$HOSTILE" --screenshot "$shot"
	dadnsctl status --json >"$TMP/status.json"
	dadnsctl jobs --dead --json >"$TMP/dead.json"
	local P=$TMP/page.json S=$TMP/status.json
	[ "$(jq -r .overview_drawn "$P")" = true ] || fail "the page never drew twice: $(jq .overview "$P")"
	[ "$(jq '.console | length' "$P")" = 0 ] || fail "console: $(jq -r '.console[]' "$P")"
	[ "$(jq -r .overview.problem "$P")" = null ] || fail "page problem: $(jq -r .overview.problem "$P")"
	# overall state, its reasons, zone count, per-backend counts, dead jobs
	[ "$(jq -r .overall "$S")" = degraded ] || fail "status: $(cat "$S")"
	[ "$(jq -r .overview.overall "$P")" = "$(jq -r .overall "$S")" ] || fail "overall: $(jq .overview.overall "$P")"
	[ "$(jq -r .overview.overall_state "$P")" = "$(jq -r .overall "$S")" ]
	[ "$(jq -c .overview.reasons "$P")" = "$(jq -c .reasons "$S")" ] || fail "reasons: $(jq -c .overview.reasons "$P")"
	[ "$(jq -r .overview.zones "$P")" = "$(jq -r .zones "$S")" ] || fail "zones: $(jq .overview.zones "$P")"
	[ "$(jq -r .zones "$S")" = 21 ]
	[ "$(jq -r .overview.jobs_dead "$P")" = "$(jq -r .dead_jobs "$S")" ] || fail "dead: $(jq .overview.jobs_dead "$P")"
	local b f
	for b in nsd broken; do
		for f in in_sync behind failing; do
			[ "$(jq -r --arg b $b --arg f $f '.overview.backends[$b][$f]' "$P")" = \
				"$(jq -r --arg b $b --arg f $f '.backends[] | select(.name == $b) | .[$f]' "$S")" ] ||
				fail "$b $f: page $(jq -c --arg b $b '.overview.backends[$b]' "$P"), status $(jq -c --arg b $b '.backends[] | select(.name == $b)' "$S")"
		done
	done
	[ "$(jq -r '.overview.backends.nsd.in_sync' "$P")" = 21 ]
	[ "$(jq -r '.overview.backends.broken.failing' "$P")" = 21 ]
	[ "$(jq -r '.overview.backends.broken.state' "$P")" = failing ]
	# the dead jobs: the same ids, domains and errors as dadnsctl jobs --dead
	[ "$(jq -c '[.overview.dead[] | [(.id | tonumber), .domain, .error]] | sort' "$P")" = \
		"$(jq -c '[.[] | [.id, .domain, .last_error]] | sort' "$TMP/dead.json")" ] ||
		fail "dead jobs differ: $(jq -c '.overview.dead[0]' "$P") vs $(jq -c '.[0]' "$TMP/dead.json")"
	# charts and the push log: one histogram per backend, the 24 h chart, 21 pushes
	[ "$(jq -r '.overview.latency | length' "$P")" = 2 ]
	[ "$(jq -r '.overview.per_minute_svg' "$P")" = 1 ]
	[ "$(jq -r '.overview.recent' "$P")" = 21 ]
	[ "$(jq -r '[.overview.recent_served[] | select(.[0] == "st-served")] | length' "$P")" = 21 ] ||
		fail "served on nsd: $(jq -c .overview.recent_served "$P")"
	[ "$(jq -r '[.overview.recent_served[] | select(.[0] == "st-failing")] | length' "$P")" = 21 ]
	[ "$(jq -r .overview.secondaries_shown "$P")" = false ]
	# the zone view, linkable as /ui/?zone=D
	[ "$(jq -r .zone_drawn "$P")" = true ]
	[ "$(jq -r .zone.zone_view "$P")" = true ]
	[ "$(jq -r .zone.zone_name "$P")" = "$HOSTILE" ]
	[ "$(jq -r .zone.zone_text "$P")" = "$(sqlite3 "$DB" "select zone_text from zones where domain = '$HOSTILE'")" ]
	[ "$(jq -r '.zone.zone_facts.serial' "$P")" = 2026120801 ]
	[ "$(jq -r '.zone.zone_backends.nsd.state' "$P")" = "in sync" ]
	[ "$(jq -r '.zone.zone_backends.broken.state' "$P")" = failing ]
	# size and speed, as the browser measured them (reported, not asserted)
	local weight
	weight=$(jq '.perf.html + ([.perf.resources[] | select(.name | test("/ui/")) | .size] | add)' "$P")
	echo "# page and assets: $weight octets; first contentful paint $(jq '.perf.paint["first-contentful-paint"]' "$P") ms;" \
		"DOMContentLoaded $(jq .perf.dom_content_loaded_ms "$P") ms; load $(jq .perf.load_ms "$P") ms;" \
		"HTML requested at $(jq .perf.html_request_ms "$P") ms, received by $(jq .perf.html_response_ms "$P") ms;" \
		"$(jq -r '[.perf.resources[] | "\(.name | sub(".*/"; "")) at \(.start_ms) ms took \(.ms) ms"] | join(", ")' "$P")" >&3
	[ "$weight" -gt 1000 ] && [ "$weight" -lt 102400 ] || fail "page weight $weight"
	# the screenshot the README shows
	[ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "not a PNG"
	cp "$shot" "$DADNS_SRC/docs/ui.png"
}

@test "markup in zone data and in backend errors is shown as text, never run" {
	stack_with_zones
	# The broken backend's error and the dead jobs quote the markup.
	dadnsctl status --json | jq -r '.backends[] | select(.name == "broken") | .last_error.error' |
		grep -qF "$SCRIPT_TXT" || fail "the backend error does not quote the TXT"
	browse "$TMP/page.json" --zone "$HOSTILE"
	local P=$TMP/page.json view
	[ "$(jq '.console | length' "$P")" = 0 ] || fail "console: $(jq -r '.console[]' "$P")"
	for view in overview zone; do
		[ "$(jq -r ".$view.x" "$P")" = undefined ] || fail "$view: window.__x is set"
		[ "$(jq -r ".$view.imgs" "$P")" = 0 ] || fail "$view: an <img> element was made"
		[ "$(jq -r ".$view.scripts" "$P")" = 1 ] || fail "$view: $(jq .$view.scripts "$P") scripts"
		[ "$(jq -r ".$view.inline_handlers" "$P")" = 0 ] || fail "$view: an element with an on... attribute"
	done
	# Shown literally: in the backend's last error, a dead job, the zone text.
	jq -r '.overview.backends.broken.last_error' "$P" | grep -qF "$SCRIPT_TXT" ||
		fail "last error: $(jq -r .overview.backends.broken.last_error "$P")"
	jq -r '.overview.backends.broken.last_error' "$P" | grep -qF 'img src=x onerror=window.__x=1>'
	jq -r '.overview.dead[0].error' "$P" | grep -qF "$SCRIPT_TXT"
	jq -r '.zone.zone_text' "$P" | grep -qF "\"$SCRIPT_TXT\""
	jq -r '.zone.zone_text' "$P" | grep -qF '"\"><img src=x onerror=window.__x=1>"'
	jq -r '.zone.zone_backends.broken.error' "$P" | grep -qF "$SCRIPT_TXT"
	jq -r '.zone.body_text' "$P" | grep -qF "$SCRIPT_TXT"
}

@test "without the operator's credentials: 401 for the page and all it reads; DA and peer credentials too" {
	start_stack
	local p who
	for p in /ui/ /ui/ui.js /ui/ui.css /ui/icon.svg /ui/nothing /ui /status /status/recent \
		/status/charts "/status/zone?domain=$HOSTILE"; do
		for who in --no-auth "$DA_USER:$DA_PASS" "$PEER_USER:$PEER_PASS" "$OPS_USER:wrong"; do
			if [ "$who" = --no-auth ]; then req --no-auth "$p"; else req -u "$who" "$p"; fi
			[ "$HTTP_STATUS" = 401 ] || fail "$p as $who: $HTTP_STATUS"
			! grep -q -e 'dadns' -e 'zones' "$TMP/last-body" || fail "$p as $who leaks: $HTTP_BODY"
		done
	done
	req -u "$OPS_USER:$OPS_PASS" /ui/
	[ "$HTTP_STATUS" = 200 ] || fail "/ui/ as the operator: $HTTP_STATUS"
}

@test "/ui/ and its JSON: types, security headers, GET and HEAD only, /ui moves to /ui/" {
	start_stack
	local p
	for p in /ui/ /ui/ui.js /ui/ui.css /ui/icon.svg /status/recent /status/charts; do
		req -u "$OPS_USER:$OPS_PASS" "$p"
		[ "$HTTP_STATUS" = 200 ] || fail "$p: $HTTP_STATUS $HTTP_BODY"
		[ "$(header Content-Security-Policy)" = "default-src 'self'; frame-ancestors 'none'" ] ||
			fail "$p CSP: $(header Content-Security-Policy)"
		[ "$(header X-Content-Type-Options)" = nosniff ] || fail "$p nosniff"
		[ "$(header Referrer-Policy)" = no-referrer ] || fail "$p referrer"
	done
	req -u "$OPS_USER:$OPS_PASS" /ui/
	[[ "$(header Content-Type)" == text/html* ]]
	# No inline script or style in the page (the CSP would refuse them).
	! grep -q -e '<script>' -e '<style' -e ' style=' -e ' on[a-z]*=' "$TMP/last-body" || fail "inline code"
	req -u "$OPS_USER:$OPS_PASS" /ui/ui.js
	[[ "$(header Content-Type)" == text/javascript* ]]
	! grep -q -e 'innerHTML' -e 'outerHTML' -e 'insertAdjacentHTML' -e 'document.write' -e 'eval(' \
		"$TMP/last-body" || fail "ui.js writes markup"
	req -u "$OPS_USER:$OPS_PASS" /status/charts
	expect_js '.per_minute.ok | length' 1440
	req -u "$OPS_USER:$OPS_PASS" /ui
	[ "$HTTP_STATUS" = 301 ] && [ "$(header Location)" = ui/ ] || fail "/ui: $HTTP_STATUS $(header Location)"
	for p in /ui/ /status/recent "/status/zone?domain=a.test"; do
		req -u "$OPS_USER:$OPS_PASS" -X POST --data-binary x=1 "$p"
		[ "$HTTP_STATUS" = 405 ] || fail "POST $p: $HTTP_STATUS"
	done
	req -u "$OPS_USER:$OPS_PASS" -I /ui/
	[ "$HTTP_STATUS" = 200 ] && ! grep -q '<html' "$TMP/last-body" || fail "HEAD /ui/: $HTTP_STATUS"
}

@test "/status/zone: hostile domain queries get 400 with a JSON error; a zone not stored is 404" {
	start_stack
	local q long
	long=$(printf 'a%.0s' {1..300}).test
	for q in "domain=%ZZ.test" "domain=%00a.test" "domain=$long" "domain=not_a_name!" "domain=a.test&domain=b.test" \
		"" "domain=" "domain=com" "domain=%3Cscript%3E.test" "domain=a..test"; do
		req -u "$OPS_USER:$OPS_PASS" "/status/zone?$q"
		[ "$HTTP_STATUS" = 400 ] || fail "'$q': $HTTP_STATUS $HTTP_BODY"
		[[ "$(header Content-Type)" == application/json* ]] || fail "'$q': $(header Content-Type)"
		[ "$(js '.error | type')" = string ] || fail "'$q': $HTTP_BODY"
	done
	req -u "$OPS_USER:$OPS_PASS" "/status/zone?domain=Nowhere.TEST."
	[ "$HTTP_STATUS" = 404 ] || fail "absent: $HTTP_STATUS"
	expect_js .domain nowhere.test
	expect_js .tombstone null
}

@test "an address in operator_allow reads the page without credentials; refused pushes are listed" {
	sed -i 's|^operator_allow = .*|operator_allow = 192.0.2.1, 127.0.0.1/32|' "$INI"
	start_stack
	local p
	for p in /ui/ /ui/ui.js /status/recent /status/charts; do
		req --no-auth "$p"
		[ "$HTTP_STATUS" = 200 ] || fail "$p from an allowed address: $HTTP_STATUS"
	done
	# A push the intake refuses: logged with its reason, counted in its minute.
	printf 'this is not a zone\n' >"$TMP/bad.db"
	push_zone refused.test "$TMP/bad.db"
	[ "$(answer error)" = 1 ] || fail "the bad zone was accepted: $HTTP_BODY"
	req --no-auth /status/recent
	expect_js '.pushes[0] | [.domain, .action, .result, .hostname] | join(" ")' \
		"refused.test rawsave rejected $DA_HOST"
	expect_js '.pushes[0].detail | length > 0' true
	req --no-auth /status/charts
	expect_js '.per_minute.refused | add' 1
	expect_js '.per_minute.ok | add' 0
}
