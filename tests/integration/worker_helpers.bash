# SPDX-License-Identifier: BSD-3-Clause
# worker_helpers.bash -- helpers for worker.bats: a dadns.ini with null
# backends, zones pushed through dadnsctl or inserted in bulk the way
# store_zone_put does, dadns-worker started and stopped by pid, queue queries.
#
# Use (after `load helpers`):
#   setup()    { dadns_setup; worker_setup; }
#   teardown() { dadns_teardown; }

# worker_setup: $ZA and $ZB (zones_dir of null backends a and b), the log.
worker_setup() {
	ZA=$TMP/zones-a
	ZB=$TMP/zones-b
	mkdir -p "$ZA" "$ZB"
	WORKER_LOG=$TMP/worker.log
	: >"$WORKER_LOG"
	WORKER_SECTION=()
	BACKEND_SECTIONS=()
}

# worker_ini [KEY=VALUE...]: (re)write $INI: [app] (the shared helper's
# settings), [worker] with the given keys plus the wake socket, then every
# backend added with worker_backend. Default poll interval 10 s, so that a
# test passes only if the wake-up (or a computed due time) works.
worker_ini() {
	local kv
	{
		echo "[app]"
		echo "auth_username = $DA_USER"
		echo "auth_password = $DA_PASS"
		echo "db_path = $DB"
		echo "log_level = info"
		echo "[worker]"
		echo "wake_socket = $TMP/wake.sock"
		local have_poll=0
		for kv in "$@"; do
			[ "${kv%%=*}" = poll_interval_ms ] && have_poll=1
			echo "${kv%%=*} = ${kv#*=}"
		done
		[ $have_poll -eq 1 ] || echo "poll_interval_ms = 10000"
		for kv in "${BACKEND_SECTIONS[@]}"; do
			printf '%b\n' "$kv"
		done
	} >"$INI"
	chmod 600 "$INI"
}

# worker_backend NAME [KEY=VALUE...]: a [backend NAME] of type null (unless
# a type= is given); call worker_ini afterwards.
worker_backend() {
	local name=$1 kv s have_type=0
	shift
	s="[backend $name]"
	for kv in "$@"; do
		[ "${kv%%=*}" = type ] && have_type=1
		s="$s\n${kv%%=*} = ${kv#*=}"
	done
	[ $have_type -eq 1 ] || s="$s\ntype = null"
	BACKEND_SECTIONS+=("$s")
}

# start_worker [ARGS...]: dadns-worker in the background; waits until it
# says it started. Sets WORKER_PID.
start_worker() {
	"$DADNS_BUILD/dadns-worker" -c "$INI" "$@" 2>>"$WORKER_LOG" 3>&- &
	WORKER_PID=$!
	DADNS_PIDS+=("$WORKER_PID")
	if ! wait_until 10 log_has "$WORKER_LOG" "worker: started"; then
		cat "$WORKER_LOG" >&2
		return 1
	fi
}

# run_worker_once: dadns-worker --once in the foreground (log appended).
run_worker_once() {
	"$DADNS_BUILD/dadns-worker" -c "$INI" --once 2>>"$WORKER_LOG"
}

# zone_text DOMAIN SERIAL: a small valid zone.
zone_text() {
	local d=$1 s=$2
	cat <<EOF
\$TTL 3600
@ IN SOA ns1.$d. hostmaster.$d. $s 3600 600 1209600 300
@ IN NS ns1.$d.
ns1 IN A 192.0.2.1
www IN A 192.0.2.2
EOF
}

# ctl_push DOMAIN SERIAL: push through `dadnsctl push` (which wakes the worker).
ctl_push() {
	zone_text "$1" "$2" >"$TMP/push.db"
	"$DADNS_BUILD/dadnsctl" -c "$INI" push "$1" "$TMP/push.db" >/dev/null
}

# bulk_push N PREFIX [SERIAL]: N zones PREFIX-1.test .. PREFIX-N.test, each
# stored with a 'write' job for every backend, in one transaction, exactly as
# store_zone_put writes them (the schema is created by a first dadnsctl push).
bulk_push() {
	local n=$1 p=$2 s=${3:-2024010101} i now
	now=$(($(date +%s%N) / 1000000))
	# Opening the database creates the schema.
	"$DADNS_BUILD/dadnsctl" -c "$INI" zones >/dev/null || return 1
	{
		echo "BEGIN IMMEDIATE;"
		for ((i = 1; i <= n; i++)); do
			local d="$p-$i.test"
			local t="\$TTL 3600
@ IN SOA ns1.$d. hostmaster.$d. $s 3600 600 1209600 300
@ IN NS ns1.$d.
ns1 IN A 192.0.2.1
www IN A 192.0.2.2"
			printf "INSERT INTO zones(domain, hostname, username, zone_text, serial, records, source, created_at, updated_at) VALUES('%s', 'da1.example.net', 'fred', '%s', %s, 4, 'da', %s, %s) ON CONFLICT(domain) DO UPDATE SET zone_text = excluded.zone_text, serial = excluded.serial, updated_at = excluded.updated_at;\n" \
				"$d" "$t" "$s" "$now" "$now"
			printf "DELETE FROM tombstones WHERE domain = '%s';\n" "$d"
			printf "INSERT INTO jobs(domain, op, backends, source, state, attempt, run_after, created_at, updated_at) VALUES('%s', 'write', NULL, 'da', 'queued', 0, %s, %s, %s);\n" \
				"$d" "$now" "$now" "$now"
		done
		echo "COMMIT;"
	} | sqlite3 -cmd ".timeout 5000" "$DB"
}

# jobs_in STATE: how many jobs are in STATE.
jobs_in() { sqlite3 "$DB" "select count(*) from jobs where state = '$1'"; }
# jobs_are STATE N: exactly N jobs are in STATE (for wait_until).
jobs_are() { [ "$(jobs_in "$1")" -eq "$2" ]; }
# jobs_running: some job is running (for wait_until).
jobs_running() { [ "$(jobs_in running)" -gt 0 ]; }

# applied DIR DOMAIN SERIAL: the null backend recorded DOMAIN at SERIAL.
applied() { [ "$(cat "$1/$2" 2>/dev/null)" = "$3" ]; }

# files_in DIR: how many zones a null backend holds.
files_in() { find "$1" -maxdepth 1 -type f | wc -l; }

# batch_lines BACKEND: how many batch lines the worker logged for BACKEND.
batch_lines() { grep -c "worker: $1: batch of " "$WORKER_LOG"; }

# queue_idle: nothing queued or running.
queue_idle() { [ "$(sqlite3 "$DB" "select count(*) from jobs where state in ('queued', 'running')")" = 0 ]; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# A null backend made to fail: its zones_dir becomes a regular file.
break_dir() { rm -rf "$1" && : >"$1"; }
fix_dir() { rm -f "$1" && mkdir -p "$1"; }
