# SPDX-License-Identifier: BSD-3-Clause
# faults_helpers.bash -- helpers for faults.bats: small filesystems that
# fill up or turn read-only (tmpfs mounted inside the test's directory:
# needs root), a holder of the SQLite write lock, control-command wrappers
# that hang or fail, and comparisons of what NSD and BIND serve with the
# desired state in the database.
#
# Use (after `load helpers` and `load dns_helpers`):
#   setup()    { dadns_setup; faults_setup; }
#   teardown() { faults_teardown; }   # stops the daemons, then unmounts

faults_setup() {
	FAULT_MOUNTS=()
	LOCK_PID=
	WORKER_LOG=$TMP/worker.log
}

faults_teardown() {
	local m rc=0
	[ -n "${LOCK_PID:-}" ] && kill "$LOCK_PID" 2>/dev/null
	dadns_teardown || rc=1
	for m in "${FAULT_MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	FAULT_MOUNTS=()
	pkill -f "^$TMP/hang-sleep" 2>/dev/null
	# Under SANITIZE=1 a report shows in the worker's log.
	if [ -f "$WORKER_LOG" ] &&
		grep -E -A20 "ERROR: (Address|Leak)Sanitizer|runtime error:" "$WORKER_LOG" >&2; then
		rc=1
	fi
	return $rc
}

# small_fs DIR SIZE: a tmpfs of SIZE (e.g. 4m) mounted on DIR (created).
small_fs() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" || return 1
	FAULT_MOUNTS+=("$1")
}

# fill_fs DIR: write DIR/filler until the filesystem is full.
fill_fs() {
	dd if=/dev/zero of="$1/filler" bs=4k >/dev/null 2>&1 || true
	[ "$(df --output=avail -B1 "$1" | tail -1)" -lt 4096 ]
}

unfill_fs() { rm -f "$1/filler"; }
fs_readonly() { mount -o remount,ro "$1"; }
fs_writable() { mount -o remount,rw "$1"; }

# big_zone DOMAIN SERIAL RECORDS FILE: a valid zone of RECORDS TXT records
# (about 90 octets each), too large for a full filesystem's slack.
big_zone() {
	awk -v d="$1" -v s="$2" -v n="$3" 'BEGIN {
		printf "$TTL 3600\n@ IN SOA ns1.%s. hostmaster.%s. %s 3600 600 1209600 300\n", d, d, s
		printf "@ IN NS ns1.%s.\nns1 IN A 192.0.2.1\n", d
		for (i = 1; i <= n; i++)
			printf "t%d IN TXT \"%070d\"\n", i, i
	}' >"$4"
}

# push_answer DOMAIN FILE: push; echo the answer's error value ("none" when
# there is no URL-encoded answer at all).
push_answer() {
	push_zone "$1" "$2" >/dev/null 2>&1
	answer error 2>/dev/null || echo none
}

# db_ok: SQLite's own integrity check of the database.
db_ok() { [ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]; }

# hold_write_lock SECONDS: another process takes the database's write lock
# (BEGIN IMMEDIATE) and holds it for SECONDS. Returns once it is held.
hold_write_lock() {
	python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
time.sleep(float(sys.argv[2]))' "$DB" "$1" >/dev/null 2>&1 3>&- &
	LOCK_PID=$!
	wait_until 5 write_locked
}

write_locked() { ! sqlite3 "$DB" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1; }
not_write_locked() { ! write_locked; }

# answers_in DIR PREFIX N: N files DIR/PREFIX*.answer hold an answer.
answers_in() { [ "$(grep -l '^error=' "$1/$2"*.answer 2>/dev/null | wc -l)" -eq "$3" ]; }

# log_count_over PATTERN N: the worker's log has more than N lines matching.
log_count_over() { [ "$(grep -c -- "$1" "$WORKER_LOG")" -gt "$2" ]; }

# control_wrapper NAME REAL...: $TMP/NAME, a control command that reads its
# mode from $TMP/NAME.mode: "hang" (sleeps in a child process, as a
# wrapper script or sudo would, and records that child's PID in
# $TMP/NAME.sleeps), "fail" (exits 1), else it runs REAL with the
# arguments. Every call is logged to $TMP/NAME.calls.
control_wrapper() {
	local name=$1 w=$TMP/$1
	shift
	{
		echo '#!/bin/sh'
		echo "echo \"\$*\" >>'$w.calls'"
		echo "case \"\$(cat '$w.mode' 2>/dev/null)\" in"
		echo "hang) '$TMP/hang-sleep' 300 & echo \$! >>'$w.sleeps'; wait; exit 0 ;;"
		echo "fail) echo '$name: simulated failure' >&2; exit 1 ;;"
		echo "esac"
		echo "exec $* \"\$@\""
	} >"$w"
	chmod +x "$w"
	cp "$(command -v sleep)" "$TMP/hang-sleep"
	: >"$w.mode"
	: >"$w.calls"
	: >"$w.sleeps"
}

# hung_pids: the PIDs of every sleep the hanging wrappers started so far.
hung_pids() { cat "$TMP"/*.sleeps 2>/dev/null; }
# hung_gone PID...: none of these sleeps is still alive. Only the sleeps of
# attempts that already timed out are asked about: the worker's next retry
# may rightly be hanging in a new one. (A PID reused by another program, or
# a zombie, has no hang-sleep command line.)
hung_gone() {
	local p
	for p; do
		grep -qs hang-sleep "/proc/$p/cmdline" && return 1
	done
	return 0
}

# desired_domains [SERIAL]: the domains in the desired state (with SERIAL).
desired_domains() {
	if [ -n "${1:-}" ]; then
		sqlite3 "$DB" "select domain from zones where serial = $1" | LC_ALL=C sort
	else
		sqlite3 "$DB" "select domain from zones" | LC_ALL=C sort
	fi
}

# serves_desired PORT: every zone of the desired state is served on PORT
# with its desired serial.
serves_desired() {
	local s
	for s in $(sqlite3 "$DB" "select distinct serial from zones"); do
		all_served "$1" "$s" $(desired_domains "$s") || return 1
	done
}

# served_any PORT ZONE...: how many of the ZONEs PORT serves (any serial).
served_any() {
	local port=$1 f=$TMP/digq.$$.$RANDOM z
	shift
	for z in "$@"; do
		echo "@127.0.0.1 -p $port $z SOA +noall +answer +norec +time=2 +tries=2"
	done >"$f"
	dig -f "$f" 2>/dev/null | awk '$4 == "SOA" {print $1}' | sort -u | wc -l
	rm -f "$f"
}

# nsd_zones: the zones NSD has loaded, one a line, sorted.
nsd_zones() { $NSD_CONTROL zonestatus 2>/dev/null | sed -n 's/^zone:[[:space:]]*//p' | LC_ALL=C sort; }

# bind_zones: the zones of the include file dadns owns for named, sorted.
bind_zones() { sed -n 's/^zone "\([^"]*\)".*/\1/p' "$BIND_INCLUDE" | LC_ALL=C sort; }

open_jobs() { sqlite3 "$DB" "select count(*) from jobs where state in ('queued','running')"; }
queue_drained() { [ "$(open_jobs)" = 0 ]; }
dead_jobs() { sqlite3 "$DB" "select count(*) from jobs where state = 'dead'"; }

# rand_ms LOW HIGH: a random number of milliseconds as seconds for sleep.
rand_sleep() {
	local ms=$(($1 + RANDOM % ($2 - $1 + 1)))
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
}

# elapsed_ms CMD...: run CMD, echo how long it took in ms.
elapsed_ms() {
	local t0 t1
	t0=$(date +%s%3N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s%3N)
	echo $((t1 - t0))
}
