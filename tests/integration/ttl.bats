#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# ttl.bats -- zones without $TTL are served with the TTLs BIND gives them
# (named-checkzone -D of the same file: the SOA MINIMUM for a TTL-less SOA,
# RFC 1035's last stated TTL after an SOA with one), by NSD, named and
# PowerDNS (gmysql), all fed through nginx -> intake -> worker. Every record
# of each zone is asked of each server and the answers compared, TTLs
# included.

load helpers
load dns_helpers
load mysql_helpers

setup_file() {
	mysql_file_setup
	mysql_server_start a
}

teardown_file() { mysql_file_teardown; }

setup() { dadns_setup; }

teardown() {
	dadns_teardown
	[ -f "$MYSQL_BASE/pdns-ttl.pid" ] && pdns_stop ttl
	return 0
}

# The zones: TTL-less SOA (MINIMUM 300) and records, one explicit TTL and
# records after it, a late $TTL; an SOA with its own TTL (RFC 1035 mode).
write_zones() {
	cat >"$TMP/min.test.db" <<'EOF'
@	IN	SOA	ns1.min.test. hostmaster.min.test. ( 2024050501 3600 600 1209600 300 )
	IN	NS	ns1.min.test.
	IN	NS	ns2.min.test.
ns1	IN	A	192.0.2.1
ns2	IN	A	192.0.2.2
www	600	IN	A	192.0.2.3
ftp	IN	A	192.0.2.4
@	IN	MX	10 mail.min.test.
mail	IN	A	192.0.2.5
$TTL 900
late	IN	A	192.0.2.6
txt	60	IN	TXT	"sixty"
EOF
	cat >"$TMP/rfc.test.db" <<'EOF'
@	120	IN	SOA	ns1.rfc.test. hostmaster.rfc.test. 2024050502 3600 600 1209600 7200
@	IN	NS	ns1.rfc.test.
ns1	IN	A	192.0.2.1
www	600	IN	A	192.0.2.3
ftp	IN	A	192.0.2.4
EOF
}

# want ZONE: named-checkzone -D of the pushed file, "owner ttl class type rdata".
want() { named-checkzone -q -D -o - "$1" "$TMP/$1.db" 2>/dev/null | canon_rr | LC_ALL=C sort -u; }

# served PORT ZONE: every (owner, type) of want asked of 127.0.0.1:PORT.
served() {
	local name type
	want "$2" | awk '{print $1, $4}' | sort -u | while read -r name type; do
		dig +norec +noall +answer +nosplit +time=2 +tries=2 @127.0.0.1 -p "$1" "$name" "$type" |
			canon_rr
	done | LC_ALL=C sort -u
}

# same PORT ZONE WHO: what the server answers is want, record by record.
same() {
	local w g
	w=$(want "$2")
	g=$(served "$1" "$2")
	[ -n "$w" ] && [ "$w" = "$g" ] && return 0
	echo "$3 $2 differs from named-checkzone -D:" >&2
	diff <(echo "$w") <(echo "$g") >&2
	return 1
}

# ok_rows N: N backend_state rows say ok.
ok_rows() { [ "$(sqlite3 "$DB" "select count(*) from backend_state where result = 'ok'")" = "$1" ]; }

@test "no \$TTL: NSD, BIND and PowerDNS serve the SOA MINIMUM and RFC 1035 TTLs, as named-checkzone -D reads the file" {
	write_zones
	# the reference itself: SOA MINIMUM 300 for the TTL-less SOA and the
	# records after it, 600 and 60 where written, 900 after $TTL 900
	want min.test | grep -q '^min.test. 300 IN SOA '
	want min.test | grep -q '^ftp.min.test. 300 IN A '
	want min.test | grep -q '^late.min.test. 900 IN A '
	want rfc.test | grep -q '^ftp.rfc.test. 600 IN A '
	mysql_db a ttl
	ini_worker "retry_backoff = 1,1,1" "poll_interval_ms = 200"
	start_nsd pattern
	start_named
	NSD_DIRECT=1 ini_nsd_backend nsd
	ini_bind_backend bind
	{
		echo "[backend pdns]"
		mysql_backend_args powerdns_mysql a ttl | sed 's/=/ = /'
	} >>"$INI"
	start_stack
	start_worker
	local d
	for d in min.test rfc.test; do
		push_zone "$d" "$TMP/$d.db"
		[ "$(answer error)" = 0 ]
	done
	wait_until 20 serves_serial "$NSD_PORT" min.test 2024050501
	wait_until 20 serves_serial "$BIND_PORT" rfc.test 2024050502
	wait_until 20 ok_rows 6
	pdns_start a ttl
	for d in min.test rfc.test; do
		same "$NSD_PORT" "$d" NSD
		same "$BIND_PORT" "$d" BIND
		same "$PDNS_PORT" "$d" PowerDNS
	done
	served "$NSD_PORT" min.test | grep '^min.test. .* SOA' | sed 's/^/# NSD: /' >&3
}
