#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# limits.bats -- every place input arrives has a clear limit: header and
# request-line sizes (nginx and lighttpd as the examples configure them),
# the Authorization header, the body (max_body_bytes, with and without a
# Content-Length, and the front end's own cap), the number of form pairs and
# of selectN fields, the length of a key, and the records of a zone
# (max_records). Each limit is met exactly once (accepted) and passed by
# one (refused, nothing changed).

load helpers

setup() { dadns_setup; }
teardown() { dadns_teardown; }

# intake_saw PATTERN: the intake logged a request line matching PATTERN.
intake_saw() { grep -q -- "$1" "$INTAKE_LOG"; }

# repeat CHAR N: CHAR N times.
repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; }

# zone_of_records DOMAIN N FILE: a valid zone of exactly N records.
zone_of_records() {
	awk -v d="$1" -v n="$2" 'BEGIN {
		printf "$TTL 3600\n@ IN SOA ns1.%s. hostmaster.%s. 5 3600 600 1209600 300\n", d, d
		printf "@ IN NS ns1.%s.\nns1 IN A 192.0.2.1\n", d
		for (i = 4; i <= n; i++)
			printf "h%d IN A 192.0.2.%d\n", i, i % 250 + 1
	}' >"$3"
}

@test "limits: nginx refuses a header line or request line over 8 KiB before the intake sees it" {
	start_stack
	# Just under the limit: passes through to the intake.
	req -H "X-Pad: $(repeat a 7000)" /CMD_API_LOGIN_TEST
	[ "$HTTP_STATUS" = 200 ]
	[ "$(answer error)" = 0 ]
	req -H "X-Huge: $(repeat b 9000)" "/CMD_API_DNS_ADMIN?action=exists&domain=hdr-limit.test"
	[ "$HTTP_STATUS" = 400 ]
	req "/CMD_API_DNS_ADMIN?action=exists&domain=uri-limit.test&pad=$(repeat c 9000)"
	[ "$HTTP_STATUS" = 414 ]
	sleep 0.2
	! intake_saw "hdr-limit.test"
	! intake_saw "uri-limit.test"
}

@test "limits: lighttpd refuses a header over 8 KiB before the intake sees it" {
	start_intake unix
	start_lighttpd
	req -H "X-Pad: $(repeat a 7000)" /CMD_API_LOGIN_TEST
	[ "$HTTP_STATUS" = 200 ]
	req -H "X-Huge: $(repeat b 9000)" "/CMD_API_DNS_ADMIN?action=exists&domain=hdr-limit.test"
	[ "$HTTP_STATUS" = 431 ] || [ "$HTTP_STATUS" = 400 ]
	sleep 0.2
	! intake_saw "hdr-limit.test"
}

@test "limits: an Authorization header over 4096 octets is refused (401), one under it is read" {
	start_stack
	local user pass
	# base64 of "u:" + 3000 octets is 4004 octets: under the limit, wrong password.
	req -u "u:$(repeat p 3000)" /CMD_API_LOGIN_TEST
	[ "$HTTP_STATUS" = 401 ]
	[ "$(answer details)" = "wrong credentials" ]
	# 3100 octets encode to 4140 (+ "Basic "): over it.
	req -u "u:$(repeat p 3100)" /CMD_API_LOGIN_TEST
	[ "$HTTP_STATUS" = 401 ]
	[ "$(answer details)" = "malformed Authorization header" ]
}

@test "limits: the body: max_body_bytes exactly is read, one octet more is 413, with or without Content-Length; over nginx's cap too" {
	write_ini "max_body_bytes = 65536"
	start_stack
	# A valid zone padded with a comment to exactly 65536 octets.
	zone_of_records body-limit.test 4 "$TMP/z.db"
	local pad=$((65536 - $(stat -c %s "$TMP/z.db") - 3))
	printf '; %s\n' "$(repeat x "$pad")" >>"$TMP/z.db"
	[ "$(stat -c %s "$TMP/z.db")" = 65536 ]
	push_zone body-limit.test "$TMP/z.db"
	[ "$HTTP_STATUS" = 200 ]
	[ "$(answer error)" = 0 ]
	echo "x" >>"$TMP/z.db"
	sed -i 's/ 5 3600 600/ 6 3600 600/' "$TMP/z.db"
	push_zone body-limit.test "$TMP/z.db"
	[ "$HTTP_STATUS" = 413 ]
	[ "$(answer error)" = 1 ]
	# Chunked: no Content-Length from the client.
	push_zone body-limit.test "$TMP/z.db" "$DA_HOST" "$DA_USERNAME" -H 'Transfer-Encoding: chunked'
	[ "$HTTP_STATUS" = 413 ]
	[ "$(answer error)" = 1 ]
	# Far over: nginx's client_max_body_size (16m) answers itself.
	head -c $((17 * 1024 * 1024)) /dev/zero >"$TMP/huge"
	push_zone body-huge.test "$TMP/huge"
	[ "$HTTP_STATUS" = 413 ]
	! intake_saw "body-huge.test"
	[ "$(sqlite3 "$DB" "select serial from zones where domain = 'body-limit.test'")" = 5 ]
}

@test "limits: a delete names at most 1000 zones (select0..select999); 1001 is refused whole" {
	start_stack
	zone_of_records sel-limit.test 5 "$TMP/z.db"
	push_zone sel-limit.test "$TMP/z.db"
	[ "$(answer error)" = 0 ]
	python3 -c "import sys; n = int(sys.argv[1]); print('action=delete&cluster=yes&hostname=$DA_HOST&select0=sel-limit.test&' + '&'.join('select%d=z%d.sel.test' % (i, i) for i in range(1, n)), end='')" 1001 >"$TMP/b1001"
	req --data-binary "@$TMP/b1001" -H 'Content-Type:' /CMD_API_DNS_ADMIN
	[ "$(answer error)" = 1 ]
	[ "$(answer text)" = "Too many zones" ]
	[ "$(zone_count sel-limit.test)" = 1 ]
	python3 -c "import sys; n = int(sys.argv[1]); print('action=delete&cluster=yes&hostname=$DA_HOST&select0=sel-limit.test&' + '&'.join('select%d=z%d.sel.test' % (i, i) for i in range(1, n)), end='')" 1000 >"$TMP/b1000"
	local t0 t1
	t0=$(date +%s%3N)
	req --data-binary "@$TMP/b1000" -H 'Content-Type:' /CMD_API_DNS_ADMIN
	t1=$(date +%s%3N)
	[ "$(answer error)" = 0 ]
	[ "$(answer details)" = "1 zone(s) deleted, 999 already absent" ]
	[ "$(zone_count sel-limit.test)" = 0 ]
	echo "# a delete of 1000 zones answered in $((t1 - t0)) ms" >&3
}

@test "limits: at most 10000 form pairs, keys of at most 256 octets" {
	start_stack
	python3 -c "print('&'.join('k%d=v' % i for i in range(10001)), end='')" >"$TMP/pairs"
	req --data-binary "@$TMP/pairs" -H 'Content-Type:' /CMD_API_DNS_ADMIN
	[ "$HTTP_STATUS" = 200 ]
	[ "$(answer error)" = 1 ]
	[ "$(answer text)" = "Too many parameters" ]
	python3 -c "print('&'.join('k%d=v' % i for i in range(10000)), end='')" >"$TMP/pairs"
	req --data-binary "@$TMP/pairs" -H 'Content-Type:' /CMD_API_DNS_ADMIN
	[ "$(answer error)" = 0 ]
	req "/CMD_API_DNS_ADMIN?action=exists&$(repeat k 256)=1&domain=x.test"
	[ "$(answer error)" = 0 ]
	req "/CMD_API_DNS_ADMIN?action=exists&$(repeat k 257)=1&domain=x.test"
	[ "$(answer error)" = 1 ]
	[ "$(answer text)" = "Bad URL encoding" ]
}

@test "limits: a zone of max_records records is stored, one more is refused and changes nothing" {
	write_ini "max_records = 50"
	start_stack
	zone_of_records rec-limit.test 50 "$TMP/z50.db"
	push_zone rec-limit.test "$TMP/z50.db"
	[ "$(answer error)" = 0 ]
	[ "$(sqlite3 "$DB" "select records from zones where domain = 'rec-limit.test'")" = 50 ]
	zone_of_records rec-limit.test 51 "$TMP/z51.db"
	sed -i 's/ 5 3600 600/ 6 3600 600/' "$TMP/z51.db"
	push_zone rec-limit.test "$TMP/z51.db"
	[ "$(answer error)" = 1 ]
	[ "$(answer text)" = "Invalid zone" ]
	[[ "$(answer details)" == *"50"* ]]
	[ "$(sqlite3 "$DB" "select serial || ' ' || records from zones where domain = 'rec-limit.test'")" = "5 50" ]
}
