# SPDX-License-Identifier: BSD-3-Clause
# intake_cases.bash -- the dadns-intake acceptance tests, one function per
# case, run behind a real front end by intake_nginx.bats and
# intake_lighttpd.bats (DADNS_FRONTEND=nginx|lighttpd).

# Fail with a message (bats shows stderr of a failing test).
fail() {
	echo "$*" >&2
	return 1
}

# expect STATUS KEY=VALUE...: the last answer had this HTTP status and
# these decoded values.
expect() {
	local status=$1 kv key want got
	shift
	[ "$HTTP_STATUS" = "$status" ] || fail "HTTP status $HTTP_STATUS, want $status; body: $HTTP_BODY"
	for kv in "$@"; do
		key=${kv%%=*}
		want=${kv#*=}
		got=$(answer "$key") || fail "no '$key' in answer: $HTTP_BODY"
		[ "$got" = "$want" ] || fail "$key is '$got', want '$want'; body: $HTTP_BODY"
	done
}

# The zones a DA server would push: every test zone but the broken one.
good_zones() {
	local f
	for f in "$DADNS_ZONES"/*.db; do
		[ "$(basename "$f")" = broken.test.db ] && continue
		echo "$f"
	done
}

zone_of() { basename "$1" .db; }

# The SOA serial written in a zone file (the first number after "SOA ... (").
file_serial() {
	sed -e 's/;.*//' "$1" | tr -s ' \t\n' ' ' | sed -e 's/.* SOA [^ ]* [^ ]* (\{0,1\} *\([0-9]*\).*/\1/'
}

# A minimal zone for DOMAIN with SERIAL and one extra A record name.
make_zone() {
	local d=$1 serial=$2 extra=${3:-www}
	cat <<EOF
\$TTL 3600
@	IN	SOA	ns1.$d.	hostmaster.$d. ( $serial 3600 3600 1209600 86400 )
$d.	3600	IN	NS	ns1.$d.
$d.	3600	IN	NS	ns2.$d.
ns1	3600	IN	A	192.0.2.1
ns2	3600	IN	A	192.0.2.2
$extra	3600	IN	A	192.0.2.3
EOF
}

# lighttpd answers 400 itself, before any backend, for a URL holding an
# encoded control character (its url-ctrls-reject, on by default and
# global-only); nginx hands those to the intake.
front_refuses() {
	[ "${DADNS_FRONTEND:-nginx}" = lighttpd ] && [ "$HTTP_STATUS" = 400 ] &&
		grep -qiE '%(0[0-9a-f]|1[0-9a-f]|7f)' <<<"$1"
}

# expect_refused VALUE: the request carrying VALUE was refused with error=1
# (or by the front end itself, see front_refuses).
expect_refused() {
	front_refuses "$1" && return 0
	expect 200 error=1
}

nothing_stored() {
	[ "$(zone_count)" = 0 ] || fail "zones stored: $(sqlite3 "$DB" 'select domain from zones')"
	[ "$(job_count)" = 0 ] || fail "jobs queued: $(job_count)"
}

# --- cases --------------------------------------------------------------------------

case_login_test() {
	start_stack
	req "/CMD_API_LOGIN_TEST"
	expect 200 error=0 "text=dadns connection OK" details=none
	grep -qi '^content-type: text/plain' "$HTTP_HEADERS" || fail "not text/plain"
	grep -qi '^content-length: ' "$HTTP_HEADERS" || fail "no Content-Length"
	# DirectAdmin: HTTP/1.0, no User-Agent.
	req --http1.0 -A '' "/CMD_API_LOGIN_TEST"
	expect 200 error=0 "text=dadns connection OK"
	req -X POST --data-binary '' -H 'Content-Type:' "/CMD_API_LOGIN_TEST"
	expect 200 error=0
}

case_auth_refused() {
	start_stack
	local zone=$DADNS_ZONES/example.com.db
	req -u "$DA_USER:wrong" "/CMD_API_LOGIN_TEST"
	expect 401 error=1
	grep -qi '^www-authenticate: Basic realm="dadns"' "$HTTP_HEADERS" || fail "no WWW-Authenticate"
	req --no-auth "/CMD_API_LOGIN_TEST"
	expect 401 error=1
	req -u "someone:$DA_PASS" "/CMD_API_LOGIN_TEST"
	expect 401 error=1
	req -H 'Authorization: Basic !!!' --no-auth "/CMD_API_LOGIN_TEST"
	expect 401 error=1
	# A push with bad credentials changes nothing.
	req -u "$DA_USER:wrong" --data-binary "@$zone" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN?action=rawsave&domain=example.com&hostname=$DA_HOST"
	expect 401 error=1
	req --no-auth --data-binary "@$zone" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN?action=rawsave&domain=example.com&hostname=$DA_HOST"
	expect 401 error=1
	nothing_stored
	# Logged as rejects with the client's address, never the credentials.
	grep -q 'reject GET /CMD_API_LOGIN_TEST from 127.0.0.1: 401' "$INTAKE_LOG" || fail "401 not logged"
	! grep -q 'wrong' <(grep -v 'wrong credentials' "$INTAKE_LOG") || fail "password in the log"
	! grep -q "$(echo -n "$DA_USER:wrong" | base64)" "$INTAKE_LOG" || fail "Authorization in the log"
}

case_push_every_zone() {
	start_stack
	local f d serial n=0
	for f in $(good_zones); do
		d=$(zone_of "$f")
		serial=$(file_serial "$f")
		push_zone "$d" "$f"
		expect 200 error=0 "text=Zone saved"
		run dadnsctl zone show "$d"
		[ "$status" -eq 0 ] || fail "zone show $d: $output"
		grep -q "^serial: *$serial\$" <<<"$output" || fail "$d: serial $serial not shown: $output"
		grep -q "$DA_HOST" <<<"$output" || fail "$d: owner not shown"
		[ "$(job_count "$d" write)" = 1 ] || fail "$d: $(job_count "$d") jobs, want 1"
		# DirectAdmin's HTTP/1.0 push: stored again, one more job.
		push_zone "$d" "$f" "$DA_HOST" "$DA_USERNAME" --http1.0
		expect 200 error=0 "text=Zone saved"
		[ "$(job_count "$d" write)" = 2 ] || fail "$d: $(job_count "$d") jobs after HTTP/1.0, want 2"
		n=$((n + 1))
	done
	[ "$n" -ge 6 ] || fail "only $n zones found in $DADNS_ZONES"
	[ "$(zone_count)" = "$n" ] || fail "$(zone_count) zones stored, want $n"
	grep -q "intake: POST /CMD_API_DNS_ADMIN?action=rawsave&domain=example.com" "$INTAKE_LOG" ||
		fail "push not logged"
}

case_push_form_field() {
	start_stack
	local f d serial
	for f in $(good_zones); do
		d=$(zone_of "$f")
		serial=$(file_serial "$f")
		req --data-urlencode "zone_file@$f" \
			"/CMD_API_DNS_ADMIN?action=rawsave&domain=$d&hostname=$DA_HOST&username=$DA_USERNAME"
		expect 200 error=0 "text=Zone saved"
		run dadnsctl zone show "$d"
		[ "$status" -eq 0 ] || fail "zone show $d: $output"
		grep -q "^serial: *$serial\$" <<<"$output" || fail "$d: serial $serial not shown"
		[ "$(job_count "$d" write)" = 1 ] || fail "$d: $(job_count "$d") jobs, want 1"
	done
	# Everything in the body, as a form (action too).
	make_zone form.test 2024010101 >"$TMP/form.test.db"
	req --data-urlencode "zone_file@$TMP/form.test.db" --data "action=rawsave&domain=form.test&hostname=$DA_HOST" \
		"/CMD_API_DNS_ADMIN"
	expect 200 error=0 "text=Zone saved"
	[ "$(zone_count form.test)" = 1 ] || fail "form.test not stored"
	# A raw zone sent with a form Content-Type is still a raw zone.
	make_zone raw-form.test 2024010101 >"$TMP/raw-form.test.db"
	req --data-binary "@$TMP/raw-form.test.db" -H 'Content-Type: application/x-www-form-urlencoded' \
		"/CMD_API_DNS_ADMIN?action=rawsave&domain=raw-form.test&hostname=$DA_HOST"
	expect 200 error=0 "text=Zone saved"
	[ "$(zone_count raw-form.test)" = 1 ] || fail "raw-form.test not stored"
}

case_repush_same_serial() {
	start_stack
	make_zone same.test 2024050501 www >"$TMP/a.db"
	make_zone same.test 2024050501 changed >"$TMP/b.db"
	push_zone same.test "$TMP/a.db"
	expect 200 error=0
	push_zone same.test "$TMP/b.db"
	expect 200 error=0 "text=Zone saved"
	run dadnsctl zone show same.test
	[ "$status" -eq 0 ] || fail "zone show: $output"
	grep -q '^changed' <<<"$output" || fail "second push not stored: $output"
	! grep -q '^www' <<<"$output" || fail "first push still stored"
	[ "$(job_count same.test write)" = 2 ] || fail "$(job_count same.test) jobs, want 2"
}

case_broken_zone() {
	start_stack
	push_zone broken.test "$DADNS_ZONES/broken.test.db"
	expect 200 error=1 "text=Invalid zone"
	answer details | grep -q 'line [0-9]' || fail "no line number in details: $HTTP_BODY"
	nothing_stored
	grep -q 'reject POST /CMD_API_DNS_ADMIN?action=rawsave&domain=broken.test' "$INTAKE_LOG" ||
		fail "reject not logged"
}

case_exists() {
	write_ini "check_subdomain_owner_in_cluster_domainowners = 0"
	start_stack
	push_zone example.com "$DADNS_ZONES/example.com.db"
	expect 200 error=0
	req "/CMD_API_DNS_ADMIN?action=exists&domain=example.com"
	expect 200 error=0 exists=1 "details=Domain exists on $DA_HOST"
	req "/CMD_API_DNS_ADMIN?action=exists&domain=EXAMPLE.COM."
	expect 200 error=0 exists=1
	req "/CMD_API_DNS_ADMIN?action=exists&domain=other.com"
	expect 200 error=0 exists=0
	req "/CMD_API_DNS_ADMIN?action=exists&domain=shop.example.com"
	expect 200 error=0 exists=0
	req "/CMD_API_DNS_ADMIN?action=exists&domain=shop.example.com&check_for_parent_domain=true"
	expect 200 error=0 exists=2
	answer details | grep -q 'example.com' || fail "details do not name the parent: $HTTP_BODY"
	# An ancestor two labels up, and any non-empty flag value.
	req "/CMD_API_DNS_ADMIN?action=exists&domain=a.b.example.com&check_for_parent_domain=1"
	expect 200 error=0 exists=2
	req "/CMD_API_DNS_ADMIN?action=exists&domain=a.b.example.com&check_for_parent_domain="
	expect 200 error=0 exists=0
	# The same as a POST body (no Content-Type, as DirectSlave tools send it).
	req --data-binary 'action=exists&domain=example.com' -H 'Content-Type:' "/CMD_API_DNS_ADMIN"
	expect 200 error=0 exists=1
	req --data 'action=exists&domain=x.y.example.com&check_for_parent_domain=true' "/CMD_API_DNS_ADMIN"
	expect 200 error=0 exists=2
	req --data 'action=exists&domain=nothere.test&check_for_parent_domain=true' "/CMD_API_DNS_ADMIN"
	expect 200 error=0 exists=0
	# The parent walk stops before the top-level label: "com" is no zone.
	req "/CMD_API_DNS_ADMIN?action=exists&domain=example2.com&check_for_parent_domain=true"
	expect 200 error=0 exists=0
}

case_exists_cluster_owner() {
	write_ini "check_subdomain_owner_in_cluster_domainowners = 1"
	start_stack
	push_zone example.com "$DADNS_ZONES/example.com.db"
	expect 200 error=0
	req "/CMD_API_DNS_ADMIN?action=exists&domain=sub.example.com&check_for_parent_domain=true"
	expect 200 error=0 exists=3 "hostname=$DA_HOST" "username=$DA_USERNAME"
	req --data 'action=exists&domain=a.b.sub.example.com&check_for_parent_domain=true' "/CMD_API_DNS_ADMIN"
	expect 200 error=0 exists=3 "hostname=$DA_HOST" "username=$DA_USERNAME"
	req "/CMD_API_DNS_ADMIN?action=exists&domain=example.com&check_for_parent_domain=true"
	expect 200 error=0 exists=1
	req "/CMD_API_DNS_ADMIN?action=exists&domain=sub.example.com"
	expect 200 error=0 exists=0
}

case_exists_bad_names() {
	start_stack
	push_zone example.com "$DADNS_ZONES/example.com.db"
	local n
	for n in test.l a..b test. . '' '..' a 'ex%20ample.com' '%2e%2e%2fetc' "$(printf 'x%.0s' {1..300}).com" \
		'-bad.example.com' 'a_b.example.com%0a' 'example.com%00'; do
		req "/CMD_API_DNS_ADMIN?action=exists&domain=$n&check_for_parent_domain=true"
		# %00 is malformed URL encoding: error=1; every other name: exists=0.
		if front_refuses "$n"; then
			:
		elif [ "$n" = 'example.com%00' ]; then
			expect 200 error=1
		else
			expect 200 error=0 exists=0
		fi
	done
	req "/CMD_API_DNS_ADMIN?action=exists"
	expect 200 error=0 exists=0
}

da_delete() { # BODY: exactly as DA sends it: POST, no query, no Content-Type
	req --http1.0 -A '' -H 'Content-Type:' --data-binary "$1" "/CMD_API_DNS_ADMIN"
}

case_delete() {
	start_stack
	local d
	for d in example.com minimal.test hosted-client.test; do
		push_zone "$d" "$DADNS_ZONES/$d.db"
		expect 200 error=0
	done
	da_delete "action=delete&cluster=yes&hostname=$DA_HOST&username=$DA_USERNAME&select0=example.com"
	expect 200 error=0
	run dadnsctl zone show example.com
	[ "$status" -ne 0 ] || fail "example.com still in the desired state"
	[ "$(sqlite3 "$DB" "select count(*) from tombstones where domain = 'example.com'")" = 1 ] ||
		fail "no tombstone"
	[ "$(job_count example.com delete)" = 1 ] || fail "no delete job"
	# Two at once; the older DA sends no username.
	da_delete "action=delete&cluster=yes&hostname=$DA_HOST&select0=minimal.test&select1=hosted-client.test"
	expect 200 error=0
	for d in minimal.test hosted-client.test; do
		run dadnsctl zone show "$d"
		[ "$status" -ne 0 ] || fail "$d still in the desired state"
		[ "$(sqlite3 "$DB" "select count(*) from tombstones where domain = '$d'")" = 1 ] ||
			fail "no tombstone for $d"
		[ "$(job_count "$d" delete)" = 1 ] || fail "no delete job for $d"
	done
	[ "$(zone_count)" = 0 ] || fail "zones left"
	# DA does not retry; a repeated delete of an absent zone is fine.
	da_delete "action=delete&cluster=yes&hostname=$DA_HOST&select0=example.com"
	expect 200 error=0
	[ "$(job_count example.com delete)" = 1 ] || fail "a second delete job for an absent zone"
	# domain= is an alias of select0.
	push_zone example.com "$DADNS_ZONES/example.com.db"
	da_delete "action=delete&hostname=$DA_HOST&domain=example.com"
	expect 200 error=0
	[ "$(zone_count example.com)" = 0 ] || fail "domain= alias did not delete"
}

case_delete_refused() {
	start_stack
	push_zone example.com "$DADNS_ZONES/example.com.db"
	push_zone minimal.test "$DADNS_ZONES/minimal.test.db"
	expect 200 error=0
	da_delete "action=delete&cluster=yes&hostname=da2.example.net&username=eve&select0=example.com"
	expect 200 error=1
	[ "$(zone_count example.com)" = 1 ] || fail "zone deleted by a non-owner"
	[ "$(job_count example.com delete)" = 0 ] || fail "delete job queued"
	grep -q "delete example.com from DA server 'da2.example.net' refused" "$INTAKE_LOG" ||
		fail "refusal not logged"
	# All or nothing: one zone of another owner refuses the whole delete.
	push_zone other.test <(make_zone other.test 1) da2.example.net eve
	expect 200 error=0
	da_delete "action=delete&cluster=yes&hostname=$DA_HOST&select0=minimal.test&select1=other.test"
	expect 200 error=1
	[ "$(zone_count minimal.test)" = 1 ] || fail "minimal.test deleted"
	[ "$(zone_count other.test)" = 1 ] || fail "other.test deleted"
	# Without a hostname the owner cannot be checked: refused.
	da_delete "action=delete&cluster=yes&select0=example.com"
	expect 200 error=1
	[ "$(zone_count example.com)" = 1 ] || fail "deleted without a hostname"
	# Bad names refuse the whole request.
	da_delete "action=delete&hostname=$DA_HOST&select0=minimal.test&select1=../../etc/passwd"
	expect 200 error=1
	[ "$(zone_count minimal.test)" = 1 ] || fail "minimal.test deleted"
	[ "$(sqlite3 "$DB" 'select count(*) from tombstones')" = 0 ] || fail "tombstones written"
}

case_migration() {
	start_stack
	push_zone example.com "$DADNS_ZONES/example.com.db"
	expect 200 error=0
	push_zone example.com "$DADNS_ZONES/example.com.db" da2.example.net barney
	expect 200 error=0
	[ "$(sqlite3 "$DB" "select hostname || '/' || username from zones where domain = 'example.com'")" = \
		"da2.example.net/barney" ] || fail "owner not moved"
	grep -q "zone example.com moved from DA server '$DA_HOST' to 'da2.example.net'" "$INTAKE_LOG" ||
		fail "migration not logged"
}

case_hostile() {
	start_stack
	local zone=$DADNS_ZONES/example.com.db d long
	long=$(printf 'a%.0s' {1..300})
	for d in '../../etc/passwd' 'example.com%22' '%22example.com' 'example.com%0a' 'exa%0amle.com' \
		'exam%20ple.com' 'exam+ple.com' "$long.com" '' 'example.com/..' 'example..com' \
		'%2e%2e%2f%2e%2e%2fetc%2fpasswd' 'example.com%00' '*.example.com' 'example.com%0d%0a'; do
		push_zone "$d" "$zone"
		expect_refused "$d"
	done
	# No domain at all.
	req --data-binary "@$zone" -H 'Content-Type:' "/CMD_API_DNS_ADMIN?action=rawsave&hostname=$DA_HOST"
	expect 200 error=1
	# Two different domains.
	req --data-binary "@$zone" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN?action=rawsave&domain=example.com&domain=evil.com&hostname=$DA_HOST"
	expect 200 error=1
	# $INCLUDE and a record of another domain.
	{ cat "$zone"; echo '$INCLUDE /etc/passwd'; } >"$TMP/include.db"
	push_zone example.com "$TMP/include.db"
	expect 200 error=1 "text=Invalid zone"
	{ cat "$zone"; printf 'www.evil.com.\t3600\tIN\tA\t192.0.2.66\n'; } >"$TMP/other.db"
	push_zone example.com "$TMP/other.db"
	expect 200 error=1 "text=Invalid zone"
	# Another domain's zone (absolute names) under this name.
	push_zone example.com "$DADNS_ZONES/hosted-client.test.db"
	expect 200 error=1
	# Broken percent-encoding, in the query and in a body.
	req --data-binary "@$zone" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN?action=rawsave&domain=example.com%zz&hostname=$DA_HOST"
	expect 200 error=1
	# lighttpd re-encodes a stray '%' of the query as %25 before any
	# backend sees it; the intake then refuses the name itself.
	[ "$DADNS_FRONTEND" = lighttpd ] || expect 200 "text=Bad URL encoding"
	req --data-binary "@$zone" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN?action=rawsave&domain=example.com&hostname=$DA_HOST%"
	expect 200 error=1
	req --data-binary "action=delete&hostname=$DA_HOST&select0=example.com%2" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN"
	expect 200 error=1 "text=Bad URL encoding"
	# Unknown action, wrong methods.
	req --data-binary "@$zone" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN?action=rawsafe&domain=example.com&hostname=$DA_HOST"
	expect 200 error=1 "text=Unsupported action"
	req "/CMD_API_DNS_ADMIN?action=rawsave&domain=example.com&hostname=$DA_HOST"
	expect 405 error=1
	grep -qi '^allow: POST' "$HTTP_HEADERS" || fail "no Allow header"
	req "/CMD_API_DNS_ADMIN?action=delete&select0=example.com&hostname=$DA_HOST"
	expect 405 error=1
	req -X PUT --data-binary "@$zone" "/CMD_API_DNS_ADMIN?action=rawsave&domain=example.com&hostname=$DA_HOST"
	expect 405 error=1
	# Bad hostnames and usernames.
	push_zone example.com "$zone" 'da1.example.net%0aforged'
	expect_refused '%0a'
	push_zone example.com "$zone" 'da1.example.net%20forged'
	expect 200 error=1
	push_zone example.com "$zone" "$DA_HOST" "fred%27%3b"
	expect 200 error=1
	nothing_stored
	# Unknown paths.
	req "/CMD_API_SOMETHING"
	expect 404 error=1
	req --path-as-is --data-binary "@$zone" -H 'Content-Type:' \
		"/CMD_API_POP/../CMD_API_DNS_ADMIN?action=rawsave&domain=example.com&hostname=$DA_HOST"
	[ "$HTTP_STATUS" != 500 ] && [ "$HTTP_STATUS" != 200 ] || fail "status $HTTP_STATUS for a dot-dot path"
	nothing_stored
}

case_body_limit() {
	write_ini "max_body_bytes = 4096"
	start_stack
	# 6 KiB: over the intake's limit, far under the front end's.
	{ cat "$DADNS_ZONES/example.com.db"; for i in $(seq 1 200); do printf 'h%d\t3600\tIN\tA\t192.0.2.%d\n' "$i" $((i % 250)); done; } >"$TMP/big.db"
	[ "$(stat -c %s "$TMP/big.db")" -gt 4096 ] || fail "test zone too small"
	push_zone example.com "$TMP/big.db"
	expect 413 error=1
	push_zone example.com "$TMP/big.db" "$DA_HOST" "$DA_USERNAME" --http1.0
	expect 413 error=1
	nothing_stored
	# Under the limit it goes through.
	push_zone example.com "$DADNS_ZONES/example.com.db"
	expect 200 error=0
}

case_other_commands() {
	start_stack
	req "/CMD_API_USER_EXISTS?user=fred"
	expect 200 error=0 exists=0
	req --data 'user=fred' "/CMD_API_POP"
	expect 200 error=0
	req -X POST -H 'Content-Type:' --data-binary '' "/CMD_API_DNS_ADMIN"
	expect 200 error=0 text=OK
	req "/CMD_API_DNS_ADMIN"
	expect 200 error=0 text=OK
	req --data 'named_reload=yes&cluster=yes' "/CMD_API_DNS_ADMIN"
	expect 200 error=0 text=OK
	req --data 'action=create&domain=example.com&ip=192.0.2.1' "/CMD_API_DNS_ADMIN"
	expect 200 error=1 "text=Unsupported action"
	# named_reload and unknown parameters are ignored.
	req --data-binary "@$DADNS_ZONES/example.com.db" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN?action=rawsave&domain=example.com&named_reload=yes&username=$DA_USERNAME&hostname=$DA_HOST&whatever=1"
	expect 200 error=0 "text=Zone saved"
	[ "$(zone_count example.com)" = 1 ] || fail "not stored"
}

case_concurrent_pushes() {
	start_stack
	local i
	mkdir -p "$TMP/many"
	for i in $(seq 1 200); do
		make_zone "zone$i.test" "2024010$((i % 9 + 1))01" >"$TMP/many/zone$i.test.db"
	done
	# 16 at a time, each exactly as DA pushes.
	(cd "$TMP/many" && ls) | sed 's/\.db$//' |
		xargs -P16 -I{} curl -sS --max-time 60 -u "$DA_USER:$DA_PASS" -H 'Content-Type:' \
			--data-binary "@$TMP/many/{}.db" -o "$TMP/many/{}.out" \
			"$FRONT_URL/CMD_API_DNS_ADMIN?action=rawsave&domain={}&hostname=$DA_HOST&username=$DA_USERNAME"
	local ok=0 f
	for f in "$TMP"/many/*.out; do
		[ "$(cat "$f")" = 'error=0&text=Zone%20saved' ] && ok=$((ok + 1))
	done
	[ "$ok" = 200 ] || fail "$ok of 200 answered error=0: $(cat "$TMP"/many/*.out | tr '&' ' ' | sort | uniq -c)"
	[ "$(zone_count)" = 200 ] || fail "$(zone_count) zones stored"
	[ "$(job_count)" = 200 ] || fail "$(job_count) jobs queued"
	! grep -q '^error: \|reject' "$INTAKE_LOG" || fail "errors logged: $(grep '^error: \|reject' "$INTAKE_LOG" | head)"
}

lines_at_least() { [ "$(wc -l <"$1")" -ge "$2" ]; }

# push_loop N: push kN-1.test, kN-2.test, ... until $TMP/k/stop exists;
# the domains answered error=0 go to $TMP/k/acked.
push_loop() {
	local n=$1 i d out
	for ((i = 1; i <= 100; i++)); do
		[ -e "$TMP/k/stop" ] && break
		d=k$n-$i.test
		make_zone "$d" 2024010101 >"$TMP/k/$d.db"
		out=$(curl -sS --max-time 10 -u "$DA_USER:$DA_PASS" -H 'Content-Type:' \
			--data-binary "@$TMP/k/$d.db" \
			"$FRONT_URL/CMD_API_DNS_ADMIN?action=rawsave&domain=$d&hostname=$DA_HOST" 2>/dev/null)
		[ "$out" = 'error=0&text=Zone%20saved' ] && echo "$d" >>"$TMP/k/acked"
	done
}

case_kill9_durability() {
	start_stack
	local n loops=()
	mkdir -p "$TMP/k"
	: >"$TMP/k/acked"
	# Four DA servers pushing at once, so that several pushes are in
	# flight when the intake dies.
	for n in 1 2 3 4; do
		push_loop "$n" 3>&- &
		loops+=($!)
	done
	wait_until 30 lines_at_least "$TMP/k/acked" 40
	kill -KILL "$INTAKE_PID"
	touch "$TMP/k/stop"
	for n in "${loops[@]}"; do wait "$n" || true; done
	local acked missing=0 d
	acked=$(wc -l <"$TMP/k/acked")
	[ "$acked" -ge 40 ] || fail "only $acked pushes acknowledged before the kill"
	[ "$acked" -lt 400 ] || fail "the kill came too late to test anything"
	sqlite3 "$DB" 'select domain from zones' >"$TMP/k/stored"
	sqlite3 "$DB" "select domain from jobs where op = 'write'" >"$TMP/k/queued"
	while read -r d; do
		grep -qFx "$d" "$TMP/k/stored" || { echo "acknowledged but lost: $d" >&2; missing=$((missing + 1)); }
		[ "$(grep -cFx "$d" "$TMP/k/queued")" = 1 ] ||
			{ echo "acknowledged but not one job: $d" >&2; missing=$((missing + 1)); }
	done <"$TMP/k/acked"
	[ "$missing" = 0 ] || fail "$missing of $acked acknowledged pushes lost"
	run dadnsctl zone show "$(head -1 "$TMP/k/acked")"
	[ "$status" -eq 0 ] || fail "zone show after the crash: $output"
	# The database takes pushes again after a restart.
	start_intake
	wait_until 10 login_ok
	push_zone example.com "$DADNS_ZONES/example.com.db"
	expect 200 error=0
}

login_ok() { req "/CMD_API_LOGIN_TEST" && [ "$HTTP_STATUS" = 200 ]; }

case_sigterm() {
	start_stack
	push_zone example.com "$DADNS_ZONES/example.com.db"
	expect 200 error=0
	kill -TERM "$INTAKE_PID"
	local rc=0
	wait "$INTAKE_PID" || rc=$?
	[ "$rc" = 0 ] || fail "intake exited $rc on SIGTERM: $(tail -5 "$INTAKE_LOG")"
	grep -q 'intake: stopped' "$INTAKE_LOG" || fail "no clean stop logged"
}

# A request in flight when SIGTERM comes is finished and answered. The
# request goes straight to the intake's socket through cgi-fcgi (libfcgi's
# CGI-to-FastCGI bridge) with a body that arrives late, so that the intake
# is inside the request when the signal lands.
case_sigterm_in_flight() {
	start_stack
	local zone=$DADNS_ZONES/example.com.db q
	q="action=rawsave&domain=example.com&hostname=$DA_HOST"
	( sleep 2; cat "$zone" ) |
		env -i PATH="$PATH" REQUEST_METHOD=POST REQUEST_URI="/CMD_API_DNS_ADMIN?$q" QUERY_STRING="$q" \
			CONTENT_LENGTH="$(stat -c %s "$zone")" REMOTE_ADDR=127.0.0.1 \
			HTTP_AUTHORIZATION="Basic $(printf '%s' "$DA_USER:$DA_PASS" | base64 -w0)" \
			cgi-fcgi -bind -connect "$INTAKE_SOCK" >"$TMP/inflight.out" 2>&1 3>&- &
	local client=$!
	wait_until 10 log_has "$INTAKE_LOG" "ready on"
	sleep 0.5
	kill -TERM "$INTAKE_PID"
	wait_until 10 log_has "$INTAKE_LOG" "stopping, finishing requests in flight"
	local rc=0
	wait "$client" || rc=$?
	[ "$rc" = 0 ] || fail "cgi-fcgi exited $rc: $(cat "$TMP/inflight.out")"
	grep -q '^error=0&text=Zone%20saved' <(tail -1 "$TMP/inflight.out") ||
		fail "in-flight push not answered error=0: $(cat "$TMP/inflight.out")"
	rc=0
	wait "$INTAKE_PID" || rc=$?
	[ "$rc" = 0 ] || fail "intake exited $rc"
	[ "$(zone_count example.com)" = 1 ] || fail "in-flight push not stored"
	grep -q 'stopping, finishing requests in flight' <(sed -n '/Zone saved/q;p' "$INTAKE_LOG") ||
		fail "the push was not in flight when SIGTERM came"
}

# The intake started by spawn-fcgi on TCP, binding its own socket, and
# socket-activated as systemd does it.
case_intake_modes() {
	local mode
	for mode in tcp listen systemd; do
		start_stack "$mode"
		req "/CMD_API_LOGIN_TEST"
		expect 200 error=0
		[ "$mode" != systemd ] || grep -q "ready on fd 3" "$INTAKE_LOG" || fail "not on fd 3"
		push_zone "$mode.test" <(make_zone "$mode.test" 1)
		expect 200 error=0
		[ "$(zone_count "$mode.test")" = 1 ] || fail "$mode: not stored"
		dadns_teardown
	done
}

# lighttpd starts the intake itself (bin-path, socket on fd 0).
case_lighttpd_binpath() {
	start_lighttpd binpath
	wait_until 10 log_has "$INTAKE_LOG" "ready on fd 0"
	req "/CMD_API_LOGIN_TEST"
	expect 200 error=0
	push_zone example.com "$DADNS_ZONES/example.com.db"
	expect 200 error=0
	[ "$(zone_count example.com)" = 1 ] || fail "not stored"
	req -u "$DA_USER:wrong" "/CMD_API_LOGIN_TEST"
	expect 401 error=1
}
