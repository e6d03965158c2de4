# SPDX-License-Identifier: BSD-3-Clause
# ops_helpers.bash -- helpers for the operations tests (operator.bats,
# metrics.bats, ctl.bats, systemd_units.bats): a real dadns-worker or a
# stand-in holding its lock, JSON and Prometheus checks.
#
# Use (after `load helpers`): load ops_helpers

fail() {
	echo "$*" >&2
	return 1
}

# js FILTER: jq -r FILTER on the last answer's body.
js() { jq -r "$1" <<<"$HTTP_BODY"; }

# expect_js FILTER WANT: the filter's value on the last body is WANT.
expect_js() {
	local got
	got=$(js "$1") || fail "not JSON: $HTTP_BODY"
	[ "$got" = "$2" ] || fail "$1 is '$got', want '$2'; body: $HTTP_BODY"
}

# header NAME: the value of a header of the last answer (CR stripped).
header() { grep -i "^$1:" "$HTTP_HEADERS" | head -1 | sed -e 's/^[^:]*: *//' -e 's/\r$//'; }

# metric LINE_PREFIX: the value of the first sample of the last body that
# starts with LINE_PREFIX followed by a blank (e.g. 'dadns_zones').
metric() {
	local v
	v=$(grep -F -- "$1 " "$TMP/last-body" | grep -v '^#' | awk -v p="$1" '$1 == p { print $2; exit }')
	[ -n "$v" ] || { echo "metric $1 absent" >&2; return 1; }
	echo "$v"
}

# promtool_ok FILE: promtool check metrics accepts the exposition in FILE
# (and has nothing to lint).
promtool_ok() {
	local out
	out=$(promtool check metrics <"$1" 2>&1) || { echo "promtool: $out" >&2; return 1; }
	[ -z "$out" ] || { echo "promtool lint: $out" >&2; return 1; }
}

# start_worker_ops [ARGS...]: the real dadns-worker in the background, with
# $INI; waits until it says it started. Sets WORKER_PID and WORKER_LOG.
start_worker_ops() {
	WORKER_LOG=${WORKER_LOG:-$TMP/worker.log}
	"$DADNS_BUILD/dadns-worker" -c "$INI" "$@" 2>>"$WORKER_LOG" 3>&- &
	WORKER_PID=$!
	DADNS_PIDS+=("$WORKER_PID")
	if ! wait_until 10 log_has "$WORKER_LOG" "worker: started"; then
		cat "$WORKER_LOG" >&2
		return 1
	fi
}

stop_worker_ops() {
	stop_pid "$WORKER_PID"
	sanitizer_check "$WORKER_LOG"
}

# hold_worker_lock: a stand-in that holds "$DB.worker.lock" exclusively, as
# a running dadns-worker does, without applying anything (so that tests of
# queued jobs keep their jobs queued). Sets LOCK_PID.
hold_worker_lock() {
	python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(600)
' "$DB.worker.lock" >"$TMP/lock.out" 3>&- &
	LOCK_PID=$!
	DADNS_PIDS+=("$LOCK_PID")
	wait_until 10 grep -q locked "$TMP/lock.out"
}

# The three zones pushed as DirectAdmin does.
push_three() {
	local f
	for f in example.com minimal.test hosted-client.test; do
		push_zone "$f" "$DADNS_ZONES/$f.db" || return 1
		[ "$(answer error)" = 0 ] || fail "push $f: $HTTP_BODY"
	done
}

# sql_is QUERY WANT: the query's answer on $DB is WANT (for wait_until).
sql_is() { [ "$(sqlite3 "$DB" "$1")" = "$2" ]; }
