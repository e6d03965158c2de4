# SPDX-License-Identifier: BSD-3-Clause
# fleet_helpers.bash -- secondaries of a dadns primary, each a real server
# on a free 127.0.0.1 port in $TMP/sec-NAME, told only the catalog zone:
# they learn every member from it (RFC 9432) and transfer it, TSIG-signed
# when FLEET_KEY is set.
#
# Use:  load helpers; load dns_helpers; load fleet_helpers
#       fleet_key                      # FLEET_KEY / FLEET_SECRET (optional)
#       start_nsd include ...          # the primary (PRIMARY_PORT=$NSD_PORT)
#       start_bind_secondary b1; start_knot_secondary k1; start_pdns_secondary p1
#       SEC_PORT[b1] ...               # their ports
# CATZ is the catalog zone's name; PRIMARY_PORT the primary's port. The
# servers are stopped by dadns_teardown (their pids are in DADNS_PIDS);
# stop_secondary NAME / start_* NAME again restarts one with its state.

declare -gA SEC_PORT SEC_PID SEC_KIND
: "${CATZ:=catalog.dadns.test}"

# fleet_key: a random hmac-sha256 key FLEET_KEY / FLEET_SECRET.
fleet_key() {
	FLEET_KEY=dadns-xfr
	FLEET_SECRET=$(head -c 32 /dev/urandom | base64)
}

# dig_key: dig's -y for the fleet key (empty without one).
dig_key() { [ -n "${FLEET_KEY:-}" ] && echo "-y hmac-sha256:$FLEET_KEY:$FLEET_SECRET"; }

sec_dir() { echo "$TMP/sec-$1"; }

# start_bind_secondary NAME: named 9.18 with catalog-zones { } for $CATZ.
start_bind_secondary() {
	local n=$1 d key="" keyref=""
	d=$(sec_dir "$n")
	mkdir -p "$d/cat"
	: "${SEC_PORT[$n]:=$(free_port)}"
	if [ -n "${FLEET_KEY:-}" ]; then
		key="key \"$FLEET_KEY\" { algorithm hmac-sha256; secret \"$FLEET_SECRET\"; };"
		keyref="key \"$FLEET_KEY\""
	fi
	cat >"$d/named.conf" <<EOF
$key
controls { };
options {
	directory "$d";
	pid-file "$d/named.pid";
	session-keyfile "$d/session.key";
	managed-keys-directory "$d";
	listen-on port ${SEC_PORT[$n]} { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
	allow-new-zones yes;
	allow-transfer { 127.0.0.1; };
	min-refresh-time 2;
	max-refresh-time 5;
	min-retry-time 1;
	max-retry-time 2;
	catalog-zones {
		zone "$CATZ" default-primaries { 127.0.0.1 port $PRIMARY_PORT $keyref; }
			zone-directory "$d/cat" min-update-interval 1;
	};
};
zone "$CATZ" { type secondary; file "$d/catz.db"; primaries { 127.0.0.1 port $PRIMARY_PORT $keyref; }; };
EOF
	named-checkconf "$d/named.conf" || return 1
	named -g -c "$d/named.conf" >>"$d/named.log" 2>&1 3>&- &
	SEC_PID[$n]=$!
	SEC_KIND[$n]=bind
	DADNS_PIDS+=("${SEC_PID[$n]}")
	sec_wait_up "$n" "$d/named.log"
}

# start_knot_secondary NAME: knotd 3.2 with $CATZ as catalog-role interpret
# and a catalog-template for the members.
start_knot_secondary() {
	local n=$1 d keyref=""
	d=$(sec_dir "$n")
	mkdir -p "$d/zones" "$d/db"
	: "${SEC_PORT[$n]:=$(free_port)}"
	{
		cat <<EOF
server:
    rundir: "$d"
    pidfile: "$d/knot.pid"
    listen: 127.0.0.1@${SEC_PORT[$n]}
    udp-workers: 1
    tcp-workers: 2
    background-workers: 2
database:
    storage: "$d/db"
log:
  - target: "$d/knot.log"
    any: info
EOF
		if [ -n "${FLEET_KEY:-}" ]; then
			printf 'key:\n  - id: %s\n    algorithm: hmac-sha256\n    secret: %s\n' \
				"$FLEET_KEY" "$FLEET_SECRET"
			keyref="    key: $FLEET_KEY"
		fi
		cat <<EOF
remote:
  - id: primary
    address: 127.0.0.1@$PRIMARY_PORT
$keyref
acl:
  - id: primary_notify
    address: 127.0.0.1
$keyref
    action: notify
  - id: local_xfr
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "$d/zones"
    zonefile-sync: -1
    zonefile-load: none
    journal-content: all
  - id: member
    storage: "$d/zones"
    zonefile-sync: -1
    zonefile-load: none
    journal-content: all
    master: primary
    acl: [primary_notify, local_xfr]
    refresh-max-interval: 5
    retry-max-interval: 2
zone:
  - domain: $CATZ
    master: primary
    acl: [primary_notify, local_xfr]
    catalog-role: interpret
    catalog-template: member
    refresh-max-interval: 5
    retry-max-interval: 2
EOF
	} >"$d/knot.conf"
	knotc -c "$d/knot.conf" conf-check >"$d/check.log" 2>&1 || { cat "$d/check.log" >&2; return 1; }
	knotd -c "$d/knot.conf" >>"$d/stdout.log" 2>&1 3>&- &
	SEC_PID[$n]=$!
	SEC_KIND[$n]=knot
	DADNS_PIDS+=("${SEC_PID[$n]}")
	sec_wait_up "$n" "$d/knot.log"
}

# start_pdns_secondary NAME: pdns_server 4.7 (gsqlite3) with $CATZ as a
# consumer zone. PowerDNS 4.7 transfers the members of a consumer zone
# unsigned whatever the catalog's own TSIG (PowerDNS/pdns#13682), so this
# secondary transfers unsigned from its own source address $PDNS_SOURCE
# (127.0.0.3): the primary lets that address in with allow_transfer =
# nokey:127.0.0.3.
PDNS_SOURCE=127.0.0.3
start_pdns_secondary() {
	local n=$1 d
	d=$(sec_dir "$n")
	mkdir -p "$d"
	: "${SEC_PORT[$n]:=$(free_port)}"
	cat >"$d/pdns.conf" <<EOF
launch=gsqlite3
gsqlite3-database=$d/pdns.sqlite3
local-address=127.0.0.1
local-port=${SEC_PORT[$n]}
query-local-address=$PDNS_SOURCE
socket-dir=$d
guardian=no
daemon=no
disable-syslog=yes
loglevel=5
secondary=yes
xfr-cycle-interval=1
allow-notify-from=127.0.0.0/8
allow-axfr-ips=127.0.0.0/8
disable-axfr=no
api=no
webserver=no
EOF
	if [ ! -f "$d/pdns.sqlite3" ]; then
		sqlite3 "$d/pdns.sqlite3" </usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql || return 1
		pdnsutil --config-dir="$d" create-secondary-zone "$CATZ" "127.0.0.1:$PRIMARY_PORT" \
			>>"$d/setup.log" 2>&1 || { cat "$d/setup.log" >&2; return 1; }
		pdnsutil --config-dir="$d" set-kind "$CATZ" consumer >>"$d/setup.log" 2>&1 || return 1
		if [ -n "${FLEET_KEY:-}" ]; then
			# it checks the primary's signed NOTIFYs with it
			pdnsutil --config-dir="$d" import-tsig-key "$FLEET_KEY" hmac-sha256 "$FLEET_SECRET" \
				>>"$d/setup.log" 2>&1 || return 1
		fi
	fi
	pdns_server --config-dir="$d" >>"$d/pdns.log" 2>&1 3>&- &
	SEC_PID[$n]=$!
	SEC_KIND[$n]=pdns
	DADNS_PIDS+=("${SEC_PID[$n]}")
	sec_wait_up "$n" "$d/pdns.log"
}

# sec_wait_up NAME LOG: the server answers a query on its port.
sec_wait_up() {
	if ! wait_until 20 sec_answers "${SEC_PORT[$1]}"; then
		echo "secondary $1 did not come up:" >&2
		tail -20 "$2" >&2
		return 1
	fi
}

sec_answers() { dig +norec +time=1 +tries=1 @127.0.0.1 -p "$1" "$CATZ" SOA 2>/dev/null | grep -q "status: "; }

stop_secondary() { stop_pid "${SEC_PID[$1]}"; }

# --- the catalog as a client sees it ---------------------------------------------

# catalog_members PORT: the member zones the catalog served on PORT lists
# (AXFR, signed with the fleet key when there is one), one a line, sorted.
catalog_members() {
	# shellcheck disable=SC2046
	dig +norec +time=3 +tries=1 $(dig_key) @127.0.0.1 -p "$1" "$CATZ" AXFR 2>/dev/null |
		awk -v z=".zones.$CATZ." '$4 == "PTR" && index($1, z) {print $5}' | sed 's/\.$//' |
		LC_ALL=C sort -u
}

# fleet_serves_all SERIAL ZONE...: every secondary serves every ZONE with SERIAL.
fleet_serves_all() {
	local s serial=$1
	shift
	for s in "${!SEC_PORT[@]}"; do
		all_served "${SEC_PORT[$s]}" "$serial" "$@" 2>/dev/null || return 1
	done
}

# fleet_serves_none ZONE...: no secondary serves any ZONE (an SOA answer).
fleet_serves_none() {
	local s z
	for s in "${!SEC_PORT[@]}"; do
		for z in "$@"; do
			[ -z "$(soa_serial "${SEC_PORT[$s]}" "$z")" ] || return 1
		done
	done
}
