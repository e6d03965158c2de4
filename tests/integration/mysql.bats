#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# mysql.bats -- the coredns_mysql and powerdns_mysql backends against real
# MariaDB servers and a real PowerDNS (gmysql), all on 127.0.0.1 in temporary
# directories: rows as CoreDNS's plugin reads them (golden files), what
# PowerDNS serves (dig against the zone file read by named-checkzone), a dead
# data centre retried and caught up, atomic replacement under a reader, TXT
# byte-exactness, verify, exists, fast failure, connection reuse, TLS.

load helpers
load worker_helpers
load mysql_helpers

setup_file() {
	mysql_file_setup
	mysql_server_start a
	mysql_server_start b
}

teardown_file() {
	mysql_file_teardown
}

setup() {
	dadns_setup
	worker_setup
	T=$BATS_TEST_NUMBER
	ZONES=()
	local f
	for f in "$DADNS_ZONES"/*.db; do
		[ "$(basename "$f")" = broken.test.db ] && continue
		ZONES+=("$f")
	done
}

teardown() {
	dadns_teardown
	local f
	for f in "$MYSQL_BASE"/pdns-*.pid; do
		[ -f "$f" ] && { mysql_stop_pid "$(cat "$f")"; rm -f "$f"; }
	done
	# a test that stopped or froze server b leaves it running for the next
	[ -f "$MYSQL_BASE/b.pid" ] && kill -CONT "$(mysql_server_pid b)" 2>/dev/null
	[ -f "$MYSQL_BASE/b.pid" ] || mysql_server_start b
	! grep -E "Sanitizer|runtime error" "$WORKER_LOG" "$TMP"/*.err 2>/dev/null
}

dom() { basename "$1" .db; }

# golden_match SERVER DB ZONE: the database holds exactly the golden rows.
golden_match() { diff <(coredns_golden "$3") <(coredns_rows "$1" "$2" "$3"); }

all_golden() {
	local server=$1 db=$2 f
	for f in "${ZONES[@]}"; do
		golden_match "$server" "$db" "$(dom "$f")" >/dev/null || return 1
	done
}

# backend NAME TYPE SERVER DB [KEY=VALUE...]: a worker [backend] section.
backend() {
	local name=$1
	shift
	local kv
	mapfile -t kv < <(mysql_backend_args "$@")
	worker_backend "$name" "${kv[@]}"
}

conns() { mysql_root "$1" -e "SHOW GLOBAL STATUS LIKE 'Connections'" | cut -f2; }

driver_apply_all() { # INI SECTION
	local args=() f
	for f in "${ZONES[@]}"; do args+=("$(dom "$f")" "$f"); done
	driver "$1" "$2" apply "${args[@]}"
}

@test "mysql: every zone pushed through intake and worker lands in dc1, dc2 (golden rows) and PowerDNS" {
	mysql_db a "c${T}dc1"
	mysql_db b "c${T}dc2"
	mysql_db a "c${T}pdns"
	backend dc1 coredns_mysql a "c${T}dc1"
	backend dc2 coredns_mysql b "c${T}dc2"
	backend pdns powerdns_mysql a "c${T}pdns"
	worker_backend files "zones_dir=$ZA"
	worker_ini retry_backoff=1,1,1
	before=$(conns b)
	start_stack
	start_worker
	for f in "${ZONES[@]}"; do
		push_zone "$(dom "$f")" "$f"
		[ "$HTTP_STATUS" = 200 ]
		[ "$(answer error)" = 0 ]
	done
	wait_until 30 queue_idle
	# one connection of dc2 for every batch of the run (+1: this query's own)
	after=$(conns b)
	echo "# connections to b: $before -> $after" >&3
	[ $((after - before)) -eq 2 ]
	for f in "${ZONES[@]}"; do
		run golden_match a "c${T}dc1" "$(dom "$f")"
		[ "$status" -eq 0 ] || { echo "dc1 $(dom "$f"): $output"; false; }
		run golden_match b "c${T}dc2" "$(dom "$f")"
		[ "$status" -eq 0 ] || { echo "dc2 $(dom "$f"): $output"; false; }
	done
	# zones and lookup index as the plugin expects
	[ "$(mysql_q a "c${T}dc1" "SELECT COUNT(*) FROM zones WHERE zone_name LIKE '%.'")" -eq ${#ZONES[@]} ]
	mysql_q a "c${T}dc1" "SHOW INDEX FROM records" | grep -q "idx_lookup"
	[ "$(mysql_q a "c${T}dc1" "SELECT COUNT(*) FROM records WHERE online != 1")" -eq 0 ]
	pdns_start a "c${T}pdns"
	for f in "${ZONES[@]}"; do
		pdns_serves_zone "$(dom "$f")" "$f"
	done
	[ "$(mysql_q a "c${T}pdns" "SELECT COUNT(*) FROM domains WHERE type = 'NATIVE'")" -eq ${#ZONES[@]} ]
	grep -q "worker: dc2: batch of" "$WORKER_LOG"
	# a section of another type next to them got every zone too
	[ "$(files_in "$ZA")" -eq ${#ZONES[@]} ]
}

@test "mysql: the CoreDNS lookup checker resolves www, mail, MX, CNAME and wildcard names" {
	mysql_db a "c${T}"
	mysql_ini "$TMP/d.ini" dc1 coredns_mysql a "c${T}"
	driver_apply_all "$TMP/d.ini" dc1
	local z
	for z in example.com shop.example.com xn--mller-kva.example hosted-client.test; do
		ip=203.0.113.10
		[ $z = shop.example.com ] && ip=203.0.113.11
		[ "$(lookup a "c${T}" "www.$z" A)" = "www.$z. 3600 IN A $ip" ]
		[ "$(lookup a "c${T}" "mail.$z" A)" = "mail.$z. 3600 IN A $ip" ]
		[ "$(lookup a "c${T}" "mail.$z" AAAA)" = "mail.$z. 3600 IN AAAA 2001:db8::10" ]
		[ "$(lookup a "c${T}" "$z" MX)" = "$z. 3600 IN MX 10 mail.$z." ]
		[ "$(lookup a "c${T}" "sip.$z" A)" = "sip.$z. 3600 IN CNAME www.$z.
www.$z. 3600 IN A $ip" ]
		[ "$(lookup a "c${T}" "_sip._tcp.$z" SRV)" = "_sip._tcp.$z. 3600 IN SRV 10 60 5060 sip.$z." ]
		[ "$(lookup a "c${T}" "$z" SOA | cut -d' ' -f1-4)" = "$z. 3600 IN SOA" ]
	done
	# the wildcard of hosted-client.test, and none elsewhere
	[ "$(lookup a "c${T}" "anything.hosted-client.test" A)" = "anything.hosted-client.test. 300 IN A 203.0.113.12" ]
	[ "$(lookup a "c${T}" "autodiscover.hosted-client.test" A)" = "autodiscover.hosted-client.test. 3600 IN CNAME mail.hosted-client.test.
mail.hosted-client.test. 3600 IN A 203.0.113.10" ]
	run lookup a "c${T}" "anything.example.com" A
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(lookup a "c${T}" "da-style.test" MX)" = "da-style.test. 3600 IN MX 10 mail.da-style.test." ]
	[ "$(lookup a "c${T}" "sub.da-style.test" MX)" = "sub.da-style.test. 3600 IN MX 10 da-style.test." ]
	[ "$(lookup a "c${T}" "webmail.da-style.test" A)" = "webmail.da-style.test. 3600 IN A 192.0.2.10" ]
	[ "$(lookup a "c${T}" "12.113.0.203.in-addr.arpa" PTR)" = "12.113.0.203.in-addr.arpa. 14400 IN PTR hosted-client.test." ]
	[ "$(lookup a "c${T}" "minimal.test" A)" = "minimal.test. 86400 IN A 192.0.2.3" ]
	[ "$(lookup a "c${T}" "hosted-client.test" NS | sort)" = "hosted-client.test. 3600 IN NS ns1.example.com.hosted-client.test.
hosted-client.test. 3600 IN NS ns2.example.com.hosted-client.test." ]
}

@test "mysql: PowerDNS answers every record, empty non-terminals stay out of the wildcard" {
	mysql_db a "p${T}"
	mysql_ini "$TMP/d.ini" p powerdns_mysql a "p${T}"
	driver_apply_all "$TMP/d.ini" p
	pdns_start a "p${T}"
	for f in "${ZONES[@]}"; do
		pdns_serves_zone "$(dom "$f")" "$f"
	done
	# _tcp.hosted-client.test exists (under _sip._tcp): NOERROR, no data, no wildcard
	run dig +norec +time=2 +tries=1 @127.0.0.1 -p "$PDNS_PORT" _tcp.hosted-client.test A
	[[ "$output" == *"status: NOERROR"* ]]
	[[ "$output" == *"ANSWER: 0,"* ]]
	[ "$(pdns_dig other.hosted-client.test A)" = "other.hosted-client.test. 300 IN A 203.0.113.12" ]
	run dig +norec +time=2 +tries=1 @127.0.0.1 -p "$PDNS_PORT" nothing.example.com A
	[[ "$output" == *"status: NXDOMAIN"* ]]
	[ "$(mysql_q a "p${T}" "SELECT prio, content FROM records WHERE type = 'MX' AND name = 'example.com'")" = "10	mail.example.com" ]
	[ "$(mysql_q a "p${T}" "SELECT COUNT(*) FROM records WHERE content LIKE '%.' OR name LIKE '%.'")" -eq 0 ]
}

@test "mysql: dc2 down -- dc1 updated at once, dc2 retried and caught up after its restart, no new push" {
	mysql_db a "c${T}dc1"
	mysql_db b "c${T}dc2"
	backend dc1 coredns_mysql a "c${T}dc1"
	backend dc2 coredns_mysql b "c${T}dc2"
	worker_ini retry_backoff=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1
	start_stack
	start_worker
	mysql_server_stop b
	t0=$(now_ms)
	for f in "${ZONES[@]}"; do
		push_zone "$(dom "$f")" "$f"
		[ "$(answer error)" = 0 ]
	done
	wait_until 10 all_golden a "c${T}dc1"
	echo "# dc1 complete after $(($(now_ms) - t0)) ms while dc2 is down" >&3
	[ $(($(now_ms) - t0)) -lt 5000 ]
	wait_until 10 grep -q "apply .* to dc2 failed" "$WORKER_LOG"
	grep "to dc2 failed" "$WORKER_LOG" | head -1 | sed 's/^/# /' >&3
	sleep 2
	mysql_server_start b
	pushes=$(grep -c "rawsave" "$TMP/nginx/access.log")
	wait_until 30 all_golden b "c${T}dc2"
	[ "$(grep -c "rawsave" "$TMP/nginx/access.log")" -eq "$pushes" ]
	[ "$pushes" -eq ${#ZONES[@]} ]
	wait_until 10 queue_idle
	[ "$(jobs_in dead)" -eq 0 ]
	# dc2 restarted while idle: the worker's open connection is stale; the
	# next push reconnects on the spot, without a failure or a retry
	mysql_server_stop b
	mysql_server_start b
	failures=$(grep -c "to dc2 failed" "$WORKER_LOG")
	sed 's/2024080801/2024080802/' "$DADNS_ZONES/minimal.test.db" >"$TMP/minimal2.db"
	push_zone minimal.test "$TMP/minimal2.db"
	[ "$(answer error)" = 0 ]
	wait_until 10 eval '[ "$(mysql_q b "c${T}dc2" "SELECT COUNT(*) FROM records WHERE data LIKE '"'"'% 2024080802 %'"'"'")" = 1 ]'
	wait_until 10 queue_idle
	[ "$(grep -c "to dc2 failed" "$WORKER_LOG")" -eq "$failures" ]
	grep -q "dc2: zone minimal.test: .*reconnecting" "$WORKER_LOG"
}

# alt_zone N: a zone of alt.test with hosts h1..hN (plus SOA, NS, ns1 A: N + 3 records).
alt_zone() {
	local n=$1 i
	echo "\$TTL 300"
	echo "@ SOA ns1.alt.test. hm.alt.test. $n 3600 600 86400 300"
	echo "@ NS ns1.alt.test."
	echo "ns1 A 192.0.2.1"
	for ((i = 1; i <= n; i++)); do echo "h$i A 192.0.2.$((i % 250 + 1))"; done
}

# reader SERVER DB SQL OUT STOPFILE: run SQL in batches of 100 until STOPFILE.
reader() {
	local i sql=""
	for ((i = 0; i < 100; i++)); do sql="$sql$3;"; done
	while [ ! -e "$5" ]; do
		mysql_q "$1" "$2" "$sql" >>"$4" || echo "reader failed" >>"$4"
	done
}

@test "mysql: 100 re-pushes with alternating record sets; a reader only ever sees the old or the new zone" {
	local type sql want1 want2
	alt_zone 150 >"$TMP/alt1.db"
	alt_zone 60 >"$TMP/alt2.db"
	for type in coredns_mysql powerdns_mysql; do
		mysql_db a "r${T}$type"
		mysql_ini "$TMP/d.ini" x "$type" a "r${T}$type"
		driver "$TMP/d.ini" x apply alt.test "$TMP/alt1.db"
		if [ $type = coredns_mysql ]; then
			sql="SELECT COUNT(*) FROM records r JOIN zones z ON r.zone_id = z.id WHERE z.zone_name = 'alt.test.'"
		else
			sql="SELECT COUNT(*) FROM records r JOIN domains d ON r.domain_id = d.id WHERE d.name = 'alt.test'"
		fi
		want1=153 want2=63
		[ "$(mysql_q a "r${T}$type" "$sql")" -eq $want1 ]
		rm -f "$TMP/stop" "$TMP/counts"
		reader a "r${T}$type" "$sql" "$TMP/counts" "$TMP/stop" &
		rpid=$!
		run driver "$TMP/d.ini" x repeat 100 alt.test "$TMP/alt2.db" "$TMP/alt1.db"
		touch "$TMP/stop"
		wait "$rpid"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"100 pushes, all ok"* ]]
		n=$(wc -l <"$TMP/counts")
		echo "# $type: $n reads: $(sort "$TMP/counts" | uniq -c | tr '\n' ' ')" >&3
		[ "$n" -ge 200 ]
		# every count is the old or the new zone: never 0, never a mix or a sum
		[ -z "$(grep -v -x -e "$want1" -e "$want2" "$TMP/counts")" ]
		grep -q -x "$want2" "$TMP/counts"
		# the last push (100, even) was alt1
		[ "$(mysql_q a "r${T}$type" "$sql")" -eq $want1 ]
	done
}

@test "mysql: TXT with quotes, backslashes, semicolons and a 2,000-octet DKIM key, byte-exact" {
	local s="" i k
	for ((i = 0; i < 8; i++)); do
		k=$(printf 'MIIB%0246d' "$i" | tr 0-9 A-J)
		s="$s \"$k\""
	done
	s=${s# }
	[ ${#s} -eq 2023 ]
	cat >"$TMP/txt.test.db" <<EOF
\$TTL 3600
@ IN SOA ns1.txt.test. hostmaster.txt.test. 7 3600 600 86400 300
@ IN NS ns1.txt.test.
ns1 IN A 192.0.2.1
q IN TXT "say \"hi\"; then \\\\ one backslash; end"
e IN TXT "v=spf1 include:_spf.example.net ~all" "second;string"
k2048._domainkey IN TXT ( $s )
EOF
	grep -F 'then \\ one' "$TMP/txt.test.db"
	mysql_db a "t${T}"
	mysql_db a "t${T}p"
	mysql_ini "$TMP/d.ini" c coredns_mysql a "t${T}" ";" p powerdns_mysql a "t${T}p"
	driver "$TMP/d.ini" c apply txt.test "$TMP/txt.test.db"
	driver "$TMP/d.ini" p apply txt.test "$TMP/txt.test.db"
	[ "$(mysql_q a "t${T}" "SELECT data FROM records WHERE hostname = 'q'")" = '"say \"hi\"; then \\ one backslash; end"' ]
	[ "$(mysql_q a "t${T}" "SELECT data FROM records WHERE hostname = 'e'")" = '"v=spf1 include:_spf.example.net ~all" "second;string"' ]
	[ "$(mysql_q a "t${T}" "SELECT data FROM records WHERE hostname = 'k2048._domainkey'")" = "$s" ]
	[ "$(mysql_q a "t${T}p" "SELECT content FROM records WHERE name = 'k2048._domainkey.txt.test'")" = "$s" ]
	[ "$(lookup a "t${T}" q.txt.test TXT)" = 'q.txt.test. 3600 IN TXT "say \"hi\"; then \\ one backslash; end"' ]
	pdns_start a "t${T}p"
	pdns_serves_zone txt.test "$TMP/txt.test.db"
	[ "$(pdns_dig k2048._domainkey.txt.test TXT)" = "k2048._domainkey.txt.test. 3600 IN TXT $s" ]
	# the octets on the wire: 8 strings of 250
	dig +norec +short +time=2 +tries=1 @127.0.0.1 -p "$PDNS_PORT" k2048._domainkey.txt.test TXT |
		tr ' ' '\n' | awk '{ if (length($0) != 252) bad = 1 } END { exit bad || NR != 8 }'
}

@test "mysql: verify removes extra rows and counts them, reports missing rows; exists by SQL" {
	mysql_db a "v${T}"
	mysql_db a "v${T}p"
	mysql_ini "$TMP/d.ini" c coredns_mysql a "v${T}" ";" p powerdns_mysql a "v${T}p"
	f=$DADNS_ZONES/example.com.db
	driver "$TMP/d.ini" c apply example.com "$f"
	run driver "$TMP/d.ini" c verify example.com "$f"
	[ "$status" -eq 0 ]
	zid=$(mysql_q a "v${T}" "SELECT id FROM zones WHERE zone_name = 'example.com.'")
	mysql_q a "v${T}" "INSERT INTO records (zone_id, hostname, type, data, ttl, online) VALUES
		($zid, 'www', 'A', '203.0.113.10', 3600, 1), ($zid, 'evil', 'A', '192.0.2.66', 60, 1)"
	run driver "$TMP/d.ini" c verify example.com "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"verify example.com: removed 2 extra rows"* ]]
	golden_match a "v${T}" example.com
	mysql_q a "v${T}" "DELETE FROM records WHERE hostname = 'ftp'"
	run driver "$TMP/d.ini" c verify example.com "$f"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"example.com -1001 "*"1 of 21 rows missing"* ]]
	driver "$TMP/d.ini" c apply example.com "$f"
	driver "$TMP/d.ini" c verify example.com "$f"
	golden_match a "v${T}" example.com
	# exists, and delete
	[ "$(driver "$TMP/d.ini" c exists example.com)" = 1 ]
	[ "$(driver "$TMP/d.ini" c exists EXAMPLE.com)" = 1 ]
	[ "$(driver "$TMP/d.ini" c exists nope.test)" = 0 ]
	driver "$TMP/d.ini" c apply example.com -
	[ "$(driver "$TMP/d.ini" c exists example.com)" = 0 ]
	[ "$(mysql_q a "v${T}" "SELECT COUNT(*) FROM records")" -eq 0 ]
	[ "$(mysql_q a "v${T}" "SELECT COUNT(*) FROM zones")" -eq 0 ]
	# PowerDNS: an extra row and a disabled copy are removed
	driver "$TMP/d.ini" p apply example.com "$f"
	did=$(mysql_q a "v${T}p" "SELECT id FROM domains WHERE name = 'example.com'")
	mysql_q a "v${T}p" "INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth) VALUES
		($did, 'x.example.com', 'A', '192.0.2.1', 60, 0, 0, 1),
		($did, 'www.example.com', 'A', '203.0.113.10', 3600, 0, 1, 1)"
	run driver "$TMP/d.ini" p verify example.com "$f"
	[ "$status" -eq 0 ]
	[[ "$output" == *"removed 2 extra rows"* ]]
	[ "$(driver "$TMP/d.ini" p exists example.com)" = 1 ]
	driver "$TMP/d.ini" p apply example.com -
	[ "$(mysql_q a "v${T}p" "SELECT COUNT(*) FROM records")" -eq 0 ]
	[ "$(mysql_q a "v${T}p" "SELECT COUNT(*) FROM domains")" -eq 0 ]
}

zones_at_least() { [ "$(mysql_q "$1" "$2" "SELECT COUNT(*) FROM zones")" -ge "$3" ]; }

@test "mysql: a dead or hung server fails the whole batch fast with ETEMPFAIL, never half a zone" {
	export MYSQL_nobody_PORT=$(free_port)
	mysql_ini "$TMP/d.ini" dead coredns_mysql nobody x ";" hung coredns_mysql b "h${T}"
	run driver_apply_all "$TMP/d.ini" dead
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(grep -c ' -1001 ' <<<"$output")" -eq ${#ZONES[@]} ]
	# every zone failed within a second of the batch start
	[ -z "$(awk '$3 >= 1000' <<<"$output")" ]
	# a frozen server: connect_timeout (2 s) for the whole batch
	mysql_db b "h${T}"
	kill -STOP "$(mysql_server_pid b)"
	run driver_apply_all "$TMP/d.ini" hung
	kill -CONT "$(mysql_server_pid b)"
	echo "$output"
	[ "$(grep -c ' -1001 ' <<<"$output")" -eq ${#ZONES[@]} ]
	[ -z "$(awk '$3 >= 4000' <<<"$output")" ]
	# frozen in the middle of a batch of 300 zones: read timeout (3 s), then
	# connect timeout (2 s), then the rest at once
	local i args=()
	mkdir -p "$TMP/many"
	alt_zone 40 >"$TMP/alt40.db"
	awk -v dir="$TMP/many" '{ z[NR] = $0 } END {
		for (i = 1; i <= 300; i++) {
			f = dir "/m" i ".test.db"
			for (j = 1; j <= NR; j++) { l = z[j]; gsub(/alt\.test/, "m" i ".test", l); print l > f }
			close(f)
		} }' "$TMP/alt40.db"
	for ((i = 1; i <= 300; i++)); do
		args+=("m$i.test" "$TMP/many/m$i.test.db")
	done
	driver "$TMP/d.ini" hung apply "${args[@]}" >"$TMP/many.out" 2>"$TMP/many.err" &
	dpid=$!
	wait_until 10 zones_at_least b "h${T}" 20
	kill -STOP "$(mysql_server_pid b)"
	wait "$dpid" || true
	kill -CONT "$(mysql_server_pid b)"
	ok=$(grep -c ' 0 ' "$TMP/many.out" || true)
	failed=$(grep -c ' -1001 ' "$TMP/many.out" || true)
	last=$(awk '{ print $3 }' "$TMP/many.out" | sort -n | tail -1)
	echo "# mid-batch freeze: $ok applied, $failed failed, batch ended after $last ms" >&3
	[ $((ok + failed)) -eq 300 ]
	[ "$failed" -gt 0 ]
	[ "$last" -lt 9000 ]
	# atomic: every zone has all its rows (43) or none
	counts=$(mysql_q b "h${T}" "SELECT z.zone_name, COUNT(r.id) FROM zones z LEFT JOIN records r ON r.zone_id = z.id GROUP BY z.id")
	[ -z "$(awk '$2 != 43' <<<"$counts")" ]
	[ "$(wc -l <<<"$counts")" -eq "$ok" ] || [ "$(wc -l <<<"$counts")" -eq $((ok + 1)) ] || [ "$(wc -l <<<"$counts")" -eq $((ok - 1)) ]
}

@test "mysql: tables of the plugin's own schema are used; a record too long for them fails only its zone" {
	mysql_db a "s${T}"
	mysql_q a "s${T}" "CREATE TABLE zones (id INT NOT NULL AUTO_INCREMENT, zone_name VARCHAR(255) NOT NULL,
		PRIMARY KEY (id), UNIQUE KEY (zone_name));
		CREATE TABLE records (id INT NOT NULL AUTO_INCREMENT, zone_id INT NOT NULL,
		hostname VARCHAR(512) NOT NULL, type VARCHAR(10) NOT NULL, data VARCHAR(1024) NOT NULL,
		ttl INT NOT NULL DEFAULT 120, online INT NOT NULL DEFAULT 0, PRIMARY KEY (id),
		FOREIGN KEY (zone_id) REFERENCES zones(id))"
	{
		echo '$TTL 3600'
		echo '@ SOA ns1.long.test. hm.long.test. 1 2 3 4 5'
		echo '@ NS ns1.long.test.'
		echo 'ns1 A 192.0.2.1'
		printf 'k TXT ( "%0250d" "%0250d" "%0250d" "%0250d" "%0250d" )\n' 1 2 3 4 5
	} >"$TMP/long.test.db"
	mysql_ini "$TMP/d.ini" c coredns_mysql a "s${T}"
	run driver "$TMP/d.ini" c apply example.com "$DADNS_ZONES/example.com.db" long.test "$TMP/long.test.db"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"example.com 0 "* ]]
	[[ "$output" == *"long.test -1002 "*"Data too long"* ]]
	golden_match a "s${T}" example.com
	[ "$(mysql_q a "s${T}" "SELECT COUNT(*) FROM zones WHERE zone_name = 'long.test.'")" -eq 0 ]
}

@test "mysql: TLS -- verified server certificate works, a wrong CA or no TLS is refused" {
	local d=$MYSQL_BASE/tls
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dadns test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" \
		-keyout "$d/other.key" -out "$d/other.pem" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" \
		-out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >"$d/ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/ext" -out "$d/server.pem" 2>/dev/null
	mysql_server_start "t${T}" --ssl-ca="$d/ca.pem" --ssl-cert="$d/server.pem" --ssl-key="$d/server.key"
	mysql_root "t${T}" -e "ALTER USER '$MYSQL_USER'@'127.0.0.1' REQUIRE SSL; CREATE DATABASE tlsdb"
	mysql_ini "$TMP/d.ini" good coredns_mysql "t${T}" tlsdb tls=1 "tls_ca=$d/ca.pem" tls_verify=1 \
		";" wrongca coredns_mysql "t${T}" tlsdb tls=1 "tls_ca=$d/other.pem" tls_verify=1 \
		";" plain coredns_mysql "t${T}" tlsdb tls=0
	run driver "$TMP/d.ini" good apply minimal.test "$DADNS_ZONES/minimal.test.db"
	echo "$output"
	[ "$status" -eq 0 ]
	run driver "$TMP/d.ini" wrongca apply minimal.test "$DADNS_ZONES/minimal.test.db"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"minimal.test -1001 "* ]]
	run driver "$TMP/d.ini" plain apply minimal.test "$DADNS_ZONES/minimal.test.db"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Access denied"* ]]
	mysql_server_stop "t${T}"
}
