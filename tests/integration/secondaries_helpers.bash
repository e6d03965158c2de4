# SPDX-License-Identifier: BSD-3-Clause
# secondaries_helpers.bash -- real secondaries of the test's NSD primary:
# named (BIND) and knotd, each in $TMP/sec-NAME on a free 127.0.0.1 port,
# told every zone by hand (explicit zone statements: type secondary,
# primaries = 127.0.0.1@$NSD_PORT), their copies kept in files so that a
# restart serves the old copy until it has refreshed. Refresh and retry
# are clamped to 1-2 s so that a secondary catches up within seconds.
#
# Use (after helpers and dns_helpers):
#   sec_port ns2                      # pick its port first (NSD notifies it)
#   NSD_PATTERN_EXTRA=$(sec_notify_lines ns2); start_nsd pattern
#   start_bind_secondary ns2 a.test b.test
#   stop_secondary ns2; start_bind_secondary ns2 a.test b.test   # a restart

declare -gA SEC_PORT SEC_PID SEC_KIND

# sec_port NAME: the port of secondary NAME (picked once).
sec_port() {
	[ -n "${SEC_PORT[$1]:-}" ] || SEC_PORT[$1]=$(free_port)
	echo "${SEC_PORT[$1]}"
}

# sec_notify_lines NAME...: NSD pattern lines that NOTIFY those secondaries.
sec_notify_lines() {
	local n
	for n in "$@"; do
		sec_port "$n" >/dev/null
		printf '\tnotify: 127.0.0.1@%s NOKEY\n' "${SEC_PORT[$n]}"
	done
}

# sec_answers NAME: the secondary answers a query (any rcode).
sec_answers() {
	dig +norec +time=1 +tries=1 @127.0.0.1 -p "${SEC_PORT[$1]}" . SOA >/dev/null 2>&1
}

# start_bind_secondary NAME ZONE...: named -g as secondary of every ZONE;
# SEC_BIND_EXTRA: more lines for its named.conf (e.g. a zone of its own).
start_bind_secondary() {
	local name=$1 z
	shift
	local dir=$TMP/sec-$name
	sec_port "$name" >/dev/null
	mkdir -p "$dir"
	{
		cat <<EOC
controls { };
options {
	directory "$dir";
	pid-file "$dir/named.pid";
	session-keyfile "$dir/session.key";
	managed-keys-directory "$dir";
	listen-on port ${SEC_PORT[$name]} { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
	allow-notify { 127.0.0.1; };
	min-refresh-time 1; max-refresh-time 2;
	min-retry-time 1; max-retry-time 2;
};
EOC
		for z in "$@"; do
			printf 'zone "%s" { type secondary; primaries { 127.0.0.1 port %s; }; file "%s.bk"; };\n' \
				"$z" "$NSD_PORT" "$z"
		done
		printf '%s\n' "${SEC_BIND_EXTRA:-}"
	} >"$dir/named.conf"
	named-checkconf "$dir/named.conf" || return 1
	named -g -c "$dir/named.conf" >>"$dir/named.log" 2>&1 3>&- &
	SEC_PID[$name]=$!
	SEC_KIND[$name]=bind
	DADNS_PIDS+=("${SEC_PID[$name]}")
	if ! wait_until 15 sec_answers "$name"; then
		tail -20 "$dir/named.log" >&2
		return 1
	fi
}

# start_knot_secondary NAME ZONE...: knotd as secondary of every ZONE.
start_knot_secondary() {
	local name=$1 z
	shift
	local dir=$TMP/sec-$name
	sec_port "$name" >/dev/null
	mkdir -p "$dir/zones"
	{
		cat <<EOC
server:
    rundir: "$dir"
    pidfile: "$dir/knot.pid"
    listen: 127.0.0.1@${SEC_PORT[$name]}
database:
    storage: "$dir"
log:
  - target: "$dir/knot.log"
    any: info
remote:
  - id: primary
    address: 127.0.0.1@$NSD_PORT
acl:
  - id: notify_from_primary
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: "$dir/zones"
    master: primary
    acl: notify_from_primary
    zonefile-sync: 0
    refresh-min-interval: 2
    refresh-max-interval: 2
    retry-min-interval: 2
    retry-max-interval: 2
zone:
EOC
		for z in "$@"; do
			printf '  - domain: %s\n' "$z"
		done
	} >"$dir/knot.conf"
	knotc -c "$dir/knot.conf" conf-check >/dev/null || return 1
	knotd -c "$dir/knot.conf" >>"$dir/knotd.out" 2>&1 3>&- &
	SEC_PID[$name]=$!
	SEC_KIND[$name]=knot
	DADNS_PIDS+=("${SEC_PID[$name]}")
	if ! wait_until 15 sec_answers "$name"; then
		tail -20 "$dir/knot.log" "$dir/knotd.out" >&2
		return 1
	fi
}

# stop_secondary NAME: stop it (SIGTERM, then SIGKILL after 10 s).
stop_secondary() { stop_pid "${SEC_PID[$1]}"; }

# sec_serves NAME ZONE SERIAL: the secondary serves ZONE at SERIAL.
sec_serves() { serves_serial "${SEC_PORT[$1]}" "$2" "$3"; }

# sec_check: dadnsctl secondaries check --json; the answer in $SEC_JSON, its
# exit status in $SEC_RC (0 all in sync, 3 not).
sec_check() {
	SEC_RC=0
	SEC_JSON=$(dadnsctl --json secondaries check) || SEC_RC=$?
}

# sec_field NAME FIELD: FIELD of secondary NAME in $SEC_JSON.
sec_field() { jq -r --arg n "$1" ".[] | select(.name == \$n) | .$2" <<<"$SEC_JSON"; }

# sec_state_is NAME STATE: a check now finds NAME in STATE.
sec_state_is() { sec_check; [ "$(sec_field "$1" state)" = "$2" ]; }

# all_in_sync: a check now finds every secondary in sync (exit 0).
all_in_sync() { sec_check; [ "$SEC_RC" = 0 ]; }

# status_sec NAME FIELD: FIELD of secondary NAME in `dadnsctl status --json`.
status_sec() {
	dadnsctl --json status | jq -r --arg n "$1" ".secondaries[] | select(.name == \$n) | .$2"
}

# overall_is STATE: dadnsctl status says overall STATE.
overall_is() { [ "$(dadnsctl --json status | jq -r .overall)" = "$1" ]; }
