#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# fleet.bats -- dadns as the hidden primary of a fleet: NSD (include mode,
# the notify / provide-xfr / key statements written by dadns) serves an
# RFC 9432 catalog of every zone; a BIND 9.18, a Knot 3.2 and a PowerDNS
# 4.7 secondary are told the catalog zone only and learn every member from
# it. Every NOTIFY and every transfer to BIND and Knot is TSIG-signed;
# PowerDNS 4.7 cannot sign its members' transfers (fleet_helpers.bash) and
# transfers unsigned from an address of its own. Everything on loopback:
# nginx -> dadns-intake -> SQLite -> dadns-worker -> NSD -> the secondaries.

load helpers
load dns_helpers
load fleet_helpers

SERIAL1=2026120801
SERIAL2=2026120802

setup() {
	dadns_setup
	fleet_key
	# the BIND-primary test sets up its own
	case $BATS_TEST_DESCRIPTION in *"BIND as the primary"*) return 0 ;; esac
	SEC_PORT[bind1]=$(free_port)
	SEC_PORT[knot1]=$(free_port)
	SEC_PORT[pdns1]=$(free_port)
	write_ini "[catalog]" "zone = $CATZ" "group = da_server" \
		"[tsig $FLEET_KEY]" "algorithm = hmac-sha256" "secret = $FLEET_SECRET"
	ini_worker "retry_backoff = 1,1,1,1,1" "lease_seconds = 5" "poll_interval_ms = 200"
	NSD_XFR=0 start_nsd include
	PRIMARY_PORT=$NSD_PORT
	NSD_DIRECT=1 ini_nsd_backend nsd
	{
		echo "notify = 127.0.0.1@${SEC_PORT[bind1]} 127.0.0.1@${SEC_PORT[knot1]}, 127.0.0.1@${SEC_PORT[pdns1]}"
		echo "allow_transfer = 127.0.0.1 nokey:$PDNS_SOURCE"
		echo "tsig_key = $FLEET_KEY"
	} >>"$INI"
	start_stack
	start_worker
	wait_until 20 serves_catalog
	start_bind_secondary bind1
	start_knot_secondary knot1
	start_pdns_secondary pdns1
}

teardown() {
	dadns_teardown
	sanitizer_check "${WORKER_LOG:-}"
}

serves_catalog() { [ -n "$(soa_serial "$NSD_PORT" "$CATZ")" ]; }
serves_catalog_on() { [ -n "$(soa_serial "$1" "$CATZ")" ]; }

# fleet_zones N SERIAL DIR: N zones of the shapes of tests/data (every
# shape in turn, renamed fI.SHAPE), each with SOA serial SERIAL, as DIR/DOMAIN.db.
fleet_zones() {
	local n=$1 serial=$2 dir=$3 shapes=() i shape d old
	mkdir -p "$dir"
	mapfile -t shapes < <(zone_domains)
	for ((i = 1; i <= n; i++)); do
		shape=${shapes[$(((i - 1) % ${#shapes[@]}))]}
		d=f$i.$shape
		old=$(zone_serial "$shape" "$DADNS_ZONES/$shape.db")
		sed -e "s/\b${shape//./\\.}\./$d./g" -e "0,/\b$old\b/s//$serial/" \
			"$DADNS_ZONES/$shape.db" >"$dir/$d.db"
	done
}

domains_of() { ls "$1" | sed -n 's/\.db$//p'; }

# fleet_converged SERIAL DIR: every secondary serves every zone of DIR with SERIAL.
fleet_converged() {
	local zones
	mapfile -t zones < <(domains_of "$2")
	fleet_serves_all "$1" "${zones[@]}"
}

# fleet_records DIR: each secondary transfers each zone of DIR with the
# records of its file (a sample of 10 zones per secondary, and all of
# them on the first).
fleet_records() {
	local s d i=0
	for s in "${!SEC_PORT[@]}"; do
		for d in $(domains_of "$1"); do
			i=$((i + 1))
			[ "$s" = bind1 ] || [ $((i % 10)) = 0 ] || continue
			serves_zone "${SEC_PORT[$s]}" "$d" "$1/$d.db" || { echo "on $s" >&2; return 1; }
		done
	done
}

delete_zone() {
	req --data-binary "action=delete&cluster=yes&hostname=$DA_HOST&select0=$1" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN" || return 1
	[ "$(answer error)" = 0 ] || { echo "delete $1: $HTTP_BODY" >&2; return 1; }
}

@test "fleet: 100 zones reach BIND, Knot and PowerDNS secondaries by the catalog alone; update, delete, re-push" {
	fleet_zones 100 "$SERIAL1" "$TMP/z1"
	push_many "$TMP/z1" 8
	wait_until 240 fleet_converged "$SERIAL1" "$TMP/z1"
	fleet_records "$TMP/z1"
	# the catalog: 100 members, each with the DA hostname as its group
	[ "$(catalog_members "$NSD_PORT" | wc -l)" = 100 ]
	diff <(catalog_members "$NSD_PORT") <(domains_of "$TMP/z1" | LC_ALL=C sort)
	# shellcheck disable=SC2046
	dig +norec $(dig_key) @127.0.0.1 -p "$NSD_PORT" "$CATZ" AXFR | grep -q "^group\..*TXT.*\"$DA_HOST\""
	# an update: the new serial everywhere
	fleet_zones 100 "$SERIAL2" "$TMP/z2"
	local upd del
	upd=$(domains_of "$TMP/z1" | sed -n 7p)
	del=$(domains_of "$TMP/z1" | sed -n 8p)
	push_zone "$upd" "$TMP/z2/$upd.db"
	[ "$(answer error)" = 0 ]
	wait_until 60 fleet_serves_all "$SERIAL2" "$upd"
	serves_zone "${SEC_PORT[knot1]}" "$upd" "$TMP/z2/$upd.db"
	# a delete: gone from every secondary, and from the catalog
	delete_zone "$del"
	wait_until 60 fleet_serves_none "$del"
	! catalog_members "$NSD_PORT" | grep -qx "$del"
	[ "$(catalog_members "$NSD_PORT" | wc -l)" = 99 ]
	# re-pushed: back everywhere (under a new member id)
	push_zone "$del" "$TMP/z2/$del.db"
	[ "$(answer error)" = 0 ]
	wait_until 60 fleet_serves_all "$SERIAL2" "$del"
	catalog_members "$NSD_PORT" | grep -qx "$del"
	serves_zone "${SEC_PORT[pdns1]}" "$del" "$TMP/z2/$del.db"
	[ "$(sqlite3 "$DB" "select count(*) from catalog_members")" = 100 ]
}

@test "fleet: with tsig_key, unsigned transfers of a member and of the catalog are refused by the primary" {
	make_zone signed.test 5 "$TMP/signed.db"
	push_zone signed.test "$TMP/signed.db"
	[ "$(answer error)" = 0 ]
	wait_until 60 fleet_serves_all 5 signed.test
	# shellcheck disable=SC2046
	dig +norec $(dig_key) @127.0.0.1 -p "$NSD_PORT" signed.test AXFR | grep -q "XFR size"
	run dig +norec +time=3 +tries=1 @127.0.0.1 -p "$NSD_PORT" signed.test AXFR
	! echo "$output" | grep -q "XFR size"
	echo "$output" | grep -q -i "refused\|failed"
	run dig +norec +time=3 +tries=1 @127.0.0.1 -p "$NSD_PORT" "$CATZ" AXFR
	! echo "$output" | grep -q "XFR size"
	# the key statements: in a file of their own, not readable by others
	[ "$(stat -c %a "$NSD_INCLUDE.keys")" = 640 ]
	grep -q "secret: \"$FLEET_SECRET\"" "$NSD_INCLUDE.keys"
	! grep -q "$FLEET_SECRET" "$NSD_INCLUDE"
	grep -q "provide-xfr: 127.0.0.1/32 $FLEET_KEY" "$NSD_INCLUDE"
	grep -q "provide-xfr: $PDNS_SOURCE/32 NOKEY" "$NSD_INCLUDE"
	grep -q "notify: 127.0.0.1@${SEC_PORT[knot1]} $FLEET_KEY" "$NSD_INCLUDE"
}

# catalog_check: every member the primary's catalog lists is served by the
# primary; a violation is written to $TMP/violations.
catalog_check() {
	local members f=$TMP/cc.$$ port=$NSD_PORT
	members=$(catalog_members "$port")
	[ -n "$members" ] || return 0
	for z in $members; do
		echo "@127.0.0.1 -p $port $z SOA +noall +answer +norec +time=2 +tries=2"
	done >"$f"
	dig -f "$f" 2>/dev/null | awk '$4 == "SOA" {print $1}' | sed 's/\.$//' | LC_ALL=C sort -u >"$f.ok"
	comm -23 <(echo "$members" | LC_ALL=C sort -u) "$f.ok" | sed 's/^/listed, not served: /' >>"$TMP/violations"
	echo "$members" | wc -l >>"$TMP/samples"
	rm -f "$f" "$f.ok"
}

sampler() {
	while [ ! -f "$TMP/stop-sampler" ]; do
		catalog_check
		sleep 0.3
	done
}

@test "fleet: kill -9 of the worker during 300 pushes; after restart every secondary converges and the catalog never listed an unserved zone" {
	fleet_zones 300 "$SERIAL1" "$TMP/z3"
	: >"$TMP/violations"
	sampler &
	local sp=$!
	DADNS_PIDS+=("$sp")
	push_many "$TMP/z3" 8 &
	local pp=$!
	wait_until 60 log_has "$WORKER_LOG" "catalog $CATZ serial .*: [1-9][0-9]* members"
	kill -9 "$WORKER_PID"
	wait "$pp"
	start_worker
	wait_until 300 fleet_converged "$SERIAL1" "$TMP/z3"
	touch "$TMP/stop-sampler"
	wait "$sp" || true
	[ "$(catalog_members "$NSD_PORT" | wc -l)" = 300 ]
	echo "samples: $(wc -l <"$TMP/samples"), violations: $(wc -l <"$TMP/violations")" >&3
	[ "$(wc -l <"$TMP/samples")" -gt 3 ]
	[ ! -s "$TMP/violations" ] || { head "$TMP/violations" >&2; false; }
}

@test "fleet: BIND as the primary (its include file: also-notify, allow-transfer, key file) feeds a Knot secondary, the catalog by IXFR" {
	SEC_PORT[knot2]=$(free_port)
	write_ini "[catalog]" "zone = $CATZ" \
		"[tsig $FLEET_KEY]" "algorithm = hmac-sha256" "secret = $FLEET_SECRET"
	ini_worker "retry_backoff = 1,1,1,1,1" "lease_seconds = 5" "poll_interval_ms = 200"
	start_named
	# BIND computes the difference of each reloaded zone file: IXFR out
	sed -i 's/^\tnotify no;/\tnotify no;\n\tixfr-from-differences yes;/' "$BIND_CONF"
	$BIND_CONTROL reconfig
	PRIMARY_PORT=$BIND_PORT
	ini_bind_backend bind
	{
		echo "notify = 127.0.0.1@${SEC_PORT[knot2]}"
		echo "allow_transfer = 127.0.0.1"
		echo "tsig_key = $FLEET_KEY"
	} >>"$INI"
	start_stack
	start_worker
	wait_until 30 serves_catalog_on "$BIND_PORT"
	start_knot_secondary knot2
	fleet_zones 10 "$SERIAL1" "$TMP/zb"
	push_many "$TMP/zb" 4
	wait_until 120 fleet_converged "$SERIAL1" "$TMP/zb"
	fleet_records "$TMP/zb"
	grep -q "allow-transfer { !{ !127.0.0.1/32; any; }; key \"$FLEET_KEY\"; };" "$BIND_INCLUDE"
	grep -q "also-notify { 127.0.0.1 port ${SEC_PORT[knot2]} key \"$FLEET_KEY\"; };" "$BIND_INCLUDE"
	[ "$(stat -c %a "$BIND_INCLUDE.keys")" = 640 ]
	# unsigned: refused by the primary
	run dig +norec +time=3 +tries=1 @127.0.0.1 -p "$BIND_PORT" "$CATZ" AXFR
	! echo "$output" | grep -q "XFR size"
	[ "$(catalog_members "$BIND_PORT" | wc -l)" = 10 ]
	# the catalog changed after Knot had it: an incremental transfer
	grep -q "\[$CATZ.\] IXFR, incoming" "$(sec_dir knot2)/knot.log"
}
