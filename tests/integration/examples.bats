#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# examples.bats -- the shipped examples work as shipped: nginx with TLS and
# the brake on wrong passwords (examples/nginx/dadns-tls.conf) in front of
# the intake, and every example configuration (examples/dadns.ini, the three
# topologies) passes `dadnsctl config check`.

load helpers
load ops_helpers

setup() {
	dadns_setup
	write_ini "[backend main]" "type = null" "enabled = 1"
}

teardown() {
	dadns_teardown
}

# start_nginx_tls [trusted]: examples/nginx/dadns-tls.conf rendered for the
# test (port, socket, logs, a fresh self-signed certificate for 127.0.0.1);
# without "trusted", 127.0.0.1 is not among the DA servers exempt from the limit.
start_nginx_tls() {
	local d=$TMP/nginx
	mkdir -p "$d/tmp"
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1" -keyout "$d/key.pem" -out "$d/cert.pem" \
		>"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; return 1; }
	FRONT_PORT=$(free_port)
	sed -e "s|^\(\s*\)listen 2222 ssl;.*|\1listen 127.0.0.1:$FRONT_PORT ssl;|" \
	    -e "s|^\(\s*\)access_log .*# dadns: access_log|\1access_log $d/access.log;|" \
	    -e "s|^\(\s*\)error_log .*# dadns: error_log|\1error_log $d/error.log info;|" \
	    -e "s|^\(\s*\)ssl_certificate .*# dadns: ssl_certificate$|\1ssl_certificate $d/cert.pem;|" \
	    -e "s|^\(\s*\)ssl_certificate_key .*# dadns: ssl_certificate_key|\1ssl_certificate_key $d/key.pem;|" \
	    -e "s|fastcgi_pass unix:/run/dadns/intake.sock;|fastcgi_pass $INTAKE_PASS;|g" \
	    "$DADNS_SRC/examples/nginx/dadns-tls.conf" >"$d/dadns.conf"
	[ "${1:-}" = trusted ] || sed -i -e '/# dadns: trusted/d' "$d/dadns.conf"
	grep -q "ssl_certificate $d/cert.pem;" "$d/dadns.conf" && grep -q "ssl_certificate_key $d/key.pem;" "$d/dadns.conf" &&
		grep -q "listen 127.0.0.1:$FRONT_PORT ssl;" "$d/dadns.conf" || { echo "render failed" >&2; return 1; }
	nginx_launch "$d" 1 64 || return 1
	FRONT_URL=https://127.0.0.1:$FRONT_PORT
	wait_until 10 curl -s -o /dev/null --cacert "$d/cert.pem" "$FRONT_URL/health" ||
		{ cat "$d/error.log" >&2; return 1; }
	CACERT=$d/cert.pem
}

@test "nginx TLS example: a push over HTTPS, /status, and 429 after a burst of wrong passwords" {
	hold_worker_lock
	start_intake
	start_nginx_tls
	# The certificate is checked: this is TLS, not plain HTTP on 2222.
	req --cacert "$CACERT" /CMD_API_LOGIN_TEST
	[ "$HTTP_STATUS" = 200 ] && [ "$(answer error)" = 0 ] || fail "login test: $HTTP_STATUS $HTTP_BODY"
	push_zone example.com "$DADNS_ZONES/example.com.db" "$DA_HOST" "$DA_USERNAME" --cacert "$CACERT"
	[ "$(answer error)" = 0 ] || fail "push: $HTTP_BODY"
	[ "$(zone_count example.com)" = 1 ]
	req --cacert "$CACERT" /status
	expect_js .zones 1
	! curl -s -o /dev/null "http://127.0.0.1:$FRONT_PORT/health" -w '%{http_code}' | grep -q 200 ||
		fail "plain HTTP answered"

	# Wrong passwords: 401 with WWW-Authenticate for the first (1 + burst 5),
	# then 429 at once; the right password is never limited.
	local i codes=""
	for i in 1 2 3 4 5 6 7 8 9; do
		req --cacert "$CACERT" -u "$DA_USER:guess$i" /CMD_API_LOGIN_TEST
		codes="$codes $HTTP_STATUS"
		if [ "$i" = 1 ]; then
			[[ "$(header WWW-Authenticate)" == Basic* ]] || fail "no WWW-Authenticate"
			[[ "$HTTP_BODY" == "error=1&text=Unauthorized&details=wrong"* ]] || fail "401 body: $HTTP_BODY"
		fi
	done
	[ "$codes" = " 401 401 401 401 401 401 429 429 429" ] || fail "wrong passwords answered:$codes"
	req --cacert "$CACERT" /CMD_API_LOGIN_TEST
	[ "$HTTP_STATUS" = 200 ] || fail "right password after the burst: $HTTP_STATUS"
	# A reject that is not about credentials passes unchanged (error=1, 200).
	push_zone broken.test "$DADNS_ZONES/broken.test.db" "$DA_HOST" "$DA_USERNAME" --cacert "$CACERT"
	[ "$HTTP_STATUS" = 200 ] && [ "$(answer error)" = 1 ] || fail "invalid zone: $HTTP_STATUS $HTTP_BODY"
	# /health stays open without credentials.
	req --cacert "$CACERT" --no-auth /health
	[ "$HTTP_STATUS" = 200 ] || fail "/health: $HTTP_STATUS"
}

@test "nginx TLS example: the DA servers in geo \$dadns_trusted are never limited" {
	start_intake
	start_nginx_tls trusted
	local i codes=""
	for i in 1 2 3 4 5 6 7 8 9; do
		req --cacert "$CACERT" -u "$DA_USER:guess$i" /CMD_API_LOGIN_TEST
		codes="$codes $HTTP_STATUS"
	done
	[ "$codes" = " 401 401 401 401 401 401 401 401 401" ] || fail "a trusted address was limited:$codes"
}

@test "every example configuration passes dadnsctl config check" {
	local f n=0
	# The NSD backends are checked against the example nsd.conf (its
	# pattern's zonefile must be where they write), not this machine's.
	for f in "$DADNS_SRC"/examples/dadns.ini "$DADNS_SRC"/examples/topology-*/*.ini; do
		DADNS_BACKEND_NSD_NSD_CONFIG=$DADNS_SRC/examples/nsd/nsd.conf \
			run "$DADNS_BUILD/dadnsctl" -c "$f" config check
		[ "$status" -eq 0 ] || fail "$f: $output"
		n=$((n + 1))
	done
	[ "$n" -ge 5 ] || fail "only $n example configurations"
	# Each topology has its description and its configuration.
	for f in a b c; do
		[ -f "$DADNS_SRC/examples/topology-$f/README.md" ] || fail "topology-$f has no README.md"
		[ -f "$DADNS_SRC/examples/topology-$f/dadns.ini" ] || fail "topology-$f has no dadns.ini"
	done
	# Topology B: two MySQL data centres; topology C: peer sync with a peer.
	grep -q '^type = coredns_mysql' "$DADNS_SRC/examples/topology-b/dadns.ini"
	[ "$(grep -c '^\[backend ' "$DADNS_SRC/examples/topology-b/dadns.ini")" -ge 2 ]
	grep -q '^\[peer ' "$DADNS_SRC/examples/topology-c/dadns.ini"
	# The NSD examples use the worker's own control socket client.
	local nsd
	for f in "$DADNS_SRC"/examples/dadns.ini "$DADNS_SRC"/examples/topology-[ac]/*.ini; do
		nsd=$(awk '/^\[/ {sec = $0} sec == "[backend nsd]"' "$f")
		grep -q '^control_socket = /run/nsd/nsd.ctl$' <<<"$nsd" || fail "$f: no control_socket"
		! grep -q '^control = ' <<<"$nsd" || fail "$f: [backend nsd] has control set"
	done
	# Another zones_dir than the pattern's: refused, naming both paths.
	sed 's|^zones_dir = /var/lib/dadns/nsd$|zones_dir = /var/lib/dadns/elsewhere|' \
		"$DADNS_SRC/examples/dadns.ini" >"$TMP/moved.ini"
	DADNS_BACKEND_NSD_NSD_CONFIG=$DADNS_SRC/examples/nsd/nsd.conf \
		run "$DADNS_BUILD/dadnsctl" -c "$TMP/moved.ini" config check
	[ "$status" -eq 1 ] || fail "zones_dir elsewhere passed: $output"
	[[ "$output" == *"/var/lib/dadns/nsd/%s.zone"*"/var/lib/dadns/elsewhere/%s.zone"* ]] ||
		fail "both paths not named: $output"
}

@test "topology D: the secondaries' configurations shown whole are valid, with the primary's key" {
	local d=$DADNS_SRC/examples/topology-d secret
	named-checkconf "$d/named.conf"
	knotc -c "$d/knot.conf" conf-check
	secret=$(sed -n 's/^secret = //p' "$d/dadns.ini")
	[ -n "$secret" ]
	grep -q "secret \"$secret\"" "$d/named.conf"
	grep -q "secret: $secret" "$d/knot.conf"
	grep -q '^tsig_key = dadns-xfr' "$d/dadns.ini"
	grep -q '^zone = catalog.dadns.invalid' "$d/dadns.ini"
	grep -q 'zone "catalog.dadns.invalid"' "$d/named.conf"
	grep -q 'domain: catalog.dadns.invalid' "$d/knot.conf"
}
