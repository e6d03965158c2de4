#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# knot.bats -- the knot backend against a real knotd with a configuration
# database on loopback, fed through the real stack (nginx -> dadns-intake ->
# SQLite -> dadns-worker -> knotd's control socket, libknot) and checked by
# what a DNS client gets: passthrough (the zone as pushed) and sign (Knot
# signs with its own keys; DS for the registrar).

load helpers
load dns_helpers
load knot_helpers

setup() { dadns_setup; }
teardown() { dadns_teardown; sanitizer_check "${WORKER_LOG:-}"; }

# setup_knot [passthrough|sign] [LINE...]: knotd, the backend, nginx + intake, the worker.
setup_knot() {
	local mode=${1:-passthrough}
	shift 2>/dev/null || true
	ini_worker "retry_backoff = 1,1,1,1,1" "lease_seconds = 3" "poll_interval_ms = 200"
	start_knot "$mode"
	ini_knot_backend knot "$@"
	start_stack
	start_worker
}

push_ok() {
	push_zone "$1" "$2" || return 1
	[ "$(answer error)" = 0 ] || { echo "push $1: $HTTP_BODY" >&2; return 1; }
}

delete_zone() {
	req --data-binary "action=delete&cluster=yes&hostname=$DA_HOST&select0=$1" -H 'Content-Type:' \
		"/CMD_API_DNS_ADMIN" || return 1
	[ "$(answer error)" = 0 ] || { echo "delete $1: $HTTP_BODY" >&2; return 1; }
}

jobs_in() { sqlite3 "$DB" "select count(*) from jobs where state = '$1'"; }
no_open_jobs() { [ "$(sqlite3 "$DB" "select count(*) from jobs where state in ('queued','running')")" = 0 ]; }
ok_on() { [ "$(sqlite3 "$DB" "select result from backend_state where backend = '$1' and domain = '$2'")" = ok ]; }

# serial_at_least PORT ZONE MIN
serial_at_least() { local s; s=$(soa_serial "$1" "$2"); [ -n "$s" ] && [ "$s" -ge "$3" ]; }

@test "knot: every test zone pushed is served, records equal to the zone file; a delete leaves Knot's configuration and answers" {
	setup_knot passthrough
	local d n=0 serial
	for d in $(zone_domains); do
		push_ok "$d" "$DADNS_ZONES/$d.db"
		serial=$(zone_serial "$d" "$DADNS_ZONES/$d.db")
		[ -n "$serial" ]
		wait_until 20 serves_serial "$KNOT_PORT" "$d" "$serial"
		serves_zone "$KNOT_PORT" "$d" "$DADNS_ZONES/$d.db"
		serves_stored "$KNOT_PORT" "$d"
		n=$((n + 1))
	done
	[ "$n" -ge 6 ]
	wait_until 20 no_open_jobs
	[ "$(jobs_in dead)" = 0 ]
	# verified (serial and record count) on every zone
	[ "$(sqlite3 "$DB" "select count(*) from backend_state where result = 'ok' and verified_at is not null")" = "$n" ]
	[ "$(knot_zones | wc -l)" = "$n" ]
	# passthrough: nothing counts as signed by Knot
	[ "$(dadnsctl zones | awk 'NR > 1 && $NF != "-"' | wc -l)" = 0 ]
	req /metrics
	echo "$HTTP_BODY" | grep -qx 'dadns_backend_signed_zones{backend="knot"} 0'
	delete_zone example.com
	wait_until 20 not_served "$KNOT_PORT" example.com
	! knot_zones | grep -qx example.com
	[ "$(knot_zones | wc -l)" = $((n - 1)) ]
	[ ! -e "$KNOT_ZONES/example.com.zone" ]
	grep -q "knot knot: batch of 1 zone(s): 1 new, 0 changed.*; 5 control command(s) (conf-read, conf-begin, conf-set x2, conf-commit)" "$WORKER_LOG"
	grep -q "knot knot: batch of 1 zone(s): 0 new, 0 changed, 1 deleted, 0 failed; 4 control command(s) (zone-purge, conf-begin, conf-unset, conf-commit)" "$WORKER_LOG"
}

@test "knot sign: every test zone is served signed by Knot, the transfer validates, the DS printed is the served KSK's" {
	setup_knot sign
	local d n=0 serial
	for d in $(zone_domains); do
		push_ok "$d" "$DADNS_ZONES/$d.db"
		serial=$(zone_serial "$d" "$DADNS_ZONES/$d.db")
		wait_until 30 ok_on knot "$d"
		serial_at_least "$KNOT_PORT" "$d" "$serial"
		soa_signed "$KNOT_PORT" "$d"
		dnssec_valid "$KNOT_PORT" "$d"
		# the records pushed, nothing else but Knot's DNSSEC records
		axfr_file "$KNOT_PORT" "$d" "$TMP/x-$d"
		sqlite3 "$DB" "select zone_text from zones where domain = '$d'" >"$TMP/stored-$d"
		diff <(non_dnssec_canon "$TMP/stored-$d" "$d") <(non_dnssec_canon "$TMP/x-$d" "$d")
		# the DS for the registrar
		dadnsctl zone ds "$d" >"$TMP/ds-$d"
		grep -q "^$d\. IN DS [0-9]* 13 2 [0-9A-F]\{64\}$" "$TMP/ds-$d"
		diff <(ds_of_served_ksk "$KNOT_PORT" "$d") <(awk '{print $4, $5, $6, $7}' "$TMP/ds-$d" | LC_ALL=C sort)
		n=$((n + 1))
	done
	[ "$n" -ge 6 ]
	dadnsctl zone ds example.com --json | jq -e '.ds[0].digest_type == 2 and (.ds[0].digest | length) == 64'
	wait_until 20 no_open_jobs
	# signed per zone (dadnsctl zones), per backend (/status) and counted (/metrics)
	[ "$(dadnsctl zones | awk 'NR > 1 && $NF == "knot"' | wc -l)" = "$n" ]
	dadnsctl zones --json | jq -e '.[] | select(.domain == "example.com") | .signed_by == ["knot"]'
	req /status
	echo "$HTTP_BODY" | jq -e --argjson n "$n" '.backends[] | select(.name == "knot") | .signed == $n'
	req /metrics
	echo "$HTTP_BODY" | grep -qx "dadns_backend_signed_zones{backend=\"knot\"} $n"
	run dadnsctl zone ds not-here.test
	[ "$status" = 1 ]
	[[ "$output" == *"not-here.test"* ]]
	wait_until 20 no_open_jobs
	[ "$(jobs_in dead)" = 0 ]
}

# make_da_signed DOMAIN SERIAL FILE: a zone signed the way DirectAdmin signs
# (its own keys: ldns-signzone), with DNSKEY, RRSIG and NSEC records.
make_da_signed() {
	local d=$1 dir=$TMP/dakeys-$1 k
	mkdir -p "$dir"
	make_zone "$d" "$2" "$dir/zone"
	k=$(cd "$dir" && ldns-keygen -a ECDSAP256SHA256 -k "$d")
	(cd "$dir" && ldns-signzone -o "$d" zone "$k") || return 1
	cp "$dir/zone.signed" "$3"
	DA_KEYTAG=$(echo "$k" | sed 's/.*+0*\([0-9]*\)$/\1/')
}

@test "knot sign: a zone DirectAdmin signed itself is re-signed by Knot (no RRSIG, DNSKEY or NSEC of DA's served)" {
	setup_knot sign
	make_da_signed dasigned.test 2024010101 "$TMP/das.db"
	grep -q "RRSIG" "$TMP/das.db"
	grep -q "DNSKEY" "$TMP/das.db"
	push_ok dasigned.test "$TMP/das.db"
	wait_until 30 ok_on knot dasigned.test
	soa_signed "$KNOT_PORT" dasigned.test
	dnssec_valid "$KNOT_PORT" dasigned.test
	axfr_file "$KNOT_PORT" dasigned.test "$TMP/x"
	# Knot's keys only: DA's key tag is neither served nor signs anything
	local served_tags sig_tags
	served_tags=$(dig +norec @127.0.0.1 -p "$KNOT_PORT" dasigned.test DNSKEY +noall +answer +multi | sed -n 's/.*key id = \([0-9]*\).*/\1/p' | sort -u)
	[ -n "$served_tags" ]
	! echo "$served_tags" | grep -qx "$DA_KEYTAG"
	sig_tags=$(awk '$4 == "RRSIG" {print $11}' "$TMP/x" | sort -u)
	[ -n "$sig_tags" ]
	for t in $sig_tags; do echo "$served_tags" | grep -qx "$t"; done
	! grep -q "$(grep -m1 'IN	DNSKEY' "$TMP/das.db" | awk '{print $NF}')" "$TMP/x"
	# the non-DNSSEC records are the ones pushed
	diff <(non_dnssec_canon "$TMP/das.db" dasigned.test) <(non_dnssec_canon "$TMP/x" dasigned.test)
}

@test "knot sign: the served serial never goes below a pushed one; a re-sign may raise it; a later push is served" {
	setup_knot sign
	make_zone serial.test 10 "$TMP/s10.db"
	push_ok serial.test "$TMP/s10.db"
	wait_until 30 ok_on knot serial.test
	serial_at_least "$KNOT_PORT" serial.test 10
	local before after
	before=$(soa_serial "$KNOT_PORT" serial.test)
	$KNOTC zone-sign serial.test
	wait_until 20 serial_at_least "$KNOT_PORT" serial.test $((before + 1))
	after=$(soa_serial "$KNOT_PORT" serial.test)
	[ "$after" -gt 10 ]
	# DA pushes 11 (at or below what Knot serves now) with a new record
	make_zone serial.test 11 "$TMP/s11.db"
	echo "new11	3600	IN	A	192.0.2.111" >>"$TMP/s11.db"
	push_ok serial.test "$TMP/s11.db"
	wait_until 30 has_a serial.test new11 192.0.2.111
	serial_at_least "$KNOT_PORT" serial.test 11
	[ "$(soa_serial "$KNOT_PORT" serial.test)" -gt "$after" ]
	wait_until 20 no_open_jobs
	ok_on knot serial.test
	# DA jumps far ahead: the served serial follows it
	make_zone serial.test 2024060100 "$TMP/s3.db"
	push_ok serial.test "$TMP/s3.db"
	wait_until 30 serial_at_least "$KNOT_PORT" serial.test 2024060100
	wait_until 20 not_a serial.test new11
	dnssec_valid "$KNOT_PORT" serial.test
	wait_until 20 no_open_jobs
	[ "$(jobs_in dead)" = 0 ]
}

has_a() { [ "$(dig +norec +short @127.0.0.1 -p "$KNOT_PORT" "$2.$1" A)" = "$3" ]; }
not_a() { [ -z "$(dig +norec +short @127.0.0.1 -p "$KNOT_PORT" "$2.$1" A)" ]; }

@test "knot: kill -9 of the worker during a batch of 300 new zones: all 300 served after restart, each once in Knot's configuration" {
	ini_worker "retry_backoff = 1,1,1,1,1" "lease_seconds = 3" "poll_interval_ms = 200" "batch_max = 1000"
	start_knot passthrough
	ini_knot_backend knot
	start_stack
	mkdir -p "$TMP/many"
	make_zones k.many.test 300 2024010101 "$TMP/many"
	push_many "$TMP/many" 8
	[ "$(zone_count)" = 300 ]
	start_worker
	# killed inside the batch's configuration transaction when the timing
	# allows (knotd keeps a transaction open after its connection is gone)
	wait_until 60 knot_started_batch
	kill -9 "$WORKER_PID"
	echo "# killed after $(ls "$KNOT_ZONES" | wc -l) zone files, $(grep -c "received command 'conf-set'" "$KNOT_LOG") conf-set commands" >&3
	start_worker
	local all
	all=$(ls "$TMP/many" | sed -n 's/\.db$//p')
	# shellcheck disable=SC2086
	wait_secs 180 all_served "$KNOT_PORT" 2024010101 $all
	wait_secs 120 no_open_jobs
	[ "$(jobs_in dead)" = 0 ]
	[ "$(knot_zones | wc -l)" = 300 ]
	[ -z "$(knot_zones | uniq -d)" ]
	diff <(echo "$all" | LC_ALL=C sort) <(knot_zones)
}

knot_started_batch() { grep -q "received command 'conf-set'" "$KNOT_LOG" || grep -q "knot knot:" "$WORKER_LOG"; }

@test "knot: a misconfiguration is one line at worker start (socket missing, template unknown to Knot, template file elsewhere)" {
	start_knot passthrough
	ini_knot_backend knot
	sed -i "s|^control_socket = .*|control_socket = $TMP/no/knot.sock|" "$INI"
	run "$DADNS_BUILD/dadns-worker" -c "$INI" --once
	[ "$status" != 0 ]
	[ "$(echo "$output" | grep -vc '^info: ')" = 1 ]
	[[ "$output" == *"backend knot"*"$TMP/no/knot.sock"* ]]
	sed -i "s|^control_socket = .*|control_socket = $KNOT_SOCK|; s|^template = .*|template = nope|" "$INI"
	run "$DADNS_BUILD/dadns-worker" -c "$INI" --once
	[ "$status" != 0 ]
	[ "$(echo "$output" | grep -vc '^info: ')" = 1 ]
	[[ "$output" == *"knotd has no template 'nope'"* ]]
	sed -i "s|^template = .*|template = default|" "$INI"
	run "$DADNS_BUILD/dadns-worker" -c "$INI" --once
	[ "$status" != 0 ]
	[ "$(echo "$output" | grep -vc '^info: ')" = 1 ]
	[[ "$output" == *"template 'default' has file: (unset), want file: $KNOT_ZONES/%s.zone"* ]]
	# config check knows the type and its keys
	sed -i "s|^template = .*|template = dadns|" "$INI"
	dadnsctl config check
	echo "pattern = x" >>"$INI"
	run dadnsctl config check
	[ "$status" = 1 ]
	[[ "$output" == *"key 'pattern' does not apply to type knot"* ]]
}

@test "knot: Knot's own words fail the job (template gone from Knot); a zone Knot does not sign fails verification with dnssec = sign" {
	# the template signs nothing: dnssec = sign must not call it done
	KNOT_MODE=passthrough
	ini_worker "retry_backoff = 1,1,1,1,1" "lease_seconds = 3" "poll_interval_ms = 200"
	start_knot passthrough
	ini_knot_backend knot
	sed -i 's/^dnssec = passthrough/dnssec = sign/' "$INI"
	start_stack
	start_worker
	make_zone unsigned.test 2024010101 "$TMP/u.db"
	push_ok unsigned.test "$TMP/u.db"
	wait_until 30 grep -q "unsigned.test.*unsigned (no RRSIG over its SOA)" "$WORKER_LOG"
	! ok_on knot unsigned.test
	# the template removed from Knot behind dadns's back: Knot's answer is the job's error
	$KNOTC conf-begin
	$KNOTC conf-unset 'zone[unsigned.test]'
	$KNOTC conf-unset 'template[dadns]'
	$KNOTC conf-commit
	make_zone gone.test 2024010101 "$TMP/g.db"
	push_ok gone.test "$TMP/g.db"
	wait_until 30 grep -q "apply gone.test to knot failed (knot knot: knotd conf-set: not exists)" "$WORKER_LOG"
	sqlite3 "$DB" "select error from backend_state where domain = 'gone.test'" | grep -q "knotd conf-set: not exists"
}

@test "knot: examples/knot/knot.conf imports into a configuration database, with the templates the README names" {
	mkdir -p "$TMP/ex"
	knotc -C "$TMP/ex/confdb" conf-import "$DADNS_SRC/examples/knot/knot.conf"
	knotc -C "$TMP/ex/confdb" conf-export "$TMP/ex/out.conf"
	# the templates, as knotd will read them from the database
	awk '/id: "dadns"$/,/id: "dadns_signed"/' "$TMP/ex/out.conf" | grep -q 'file: "/var/lib/dadns/knot/%s.zone"'
	sed -n '/id: "dadns_signed"/,/^$/p' "$TMP/ex/out.conf" >"$TMP/ex/signed"
	grep -q 'dnssec-signing: "on"' "$TMP/ex/signed"
	grep -q 'zonefile-load: "difference"' "$TMP/ex/signed"
	grep -q 'serial-policy: "increment"' "$TMP/ex/signed"
	grep -q 'dnssec-policy: "dadns"' "$TMP/ex/signed"
	grep -q '^zones_dir = /var/lib/dadns/knot$' "$DADNS_SRC/examples/dadns.ini"
}

@test "knot passthrough: a zone DirectAdmin signed itself is served exactly as pushed (its RRSIG, DNSKEY, NSEC)" {
	setup_knot passthrough
	make_da_signed dapass.test 2024010101 "$TMP/dap.db"
	push_ok dapass.test "$TMP/dap.db"
	wait_until 30 ok_on knot dapass.test
	serves_serial "$KNOT_PORT" dapass.test 2024010101
	serves_stored "$KNOT_PORT" dapass.test
	axfr_file "$KNOT_PORT" dapass.test "$TMP/x"
	awk '$4 == "RRSIG"' "$TMP/x" | grep -q .
	awk '$4 == "DNSKEY"' "$TMP/x" | grep -q .
	# signed by DA's key only, and valid as DA signed it
	[ "$(awk '$4 == "RRSIG" {print $11}' "$TMP/x" | sort -u)" = "$DA_KEYTAG" ]
	dnssec_valid "$KNOT_PORT" dapass.test
	# not counted as signed by Knot
	[ "$(sqlite3 "$DB" "select signed from backend_state where domain = 'dapass.test'")" = 0 ]
}
