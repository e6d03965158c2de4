#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# demo.bats -- `make run` as a new user meets it: the curl it prints pushes
# the zone of the repository (examples/zones/example.com.db) and NSD serves
# it; and a signal to make alone (as timeout(1), a closed terminal or a
# supervisor sends it) stops every process the demo started.
#
# make runs in a session of its own (setsid), so the session's processes are
# exactly what it started; its run directory is $TMP/run (DADNS_DEMO_RUN)
# and its ports are free ones (DADNS_DEMO_HTTP_PORT, DADNS_DEMO_DNS_PORT).

load helpers

MAKE_PID=""

fail() {
	echo "$*" >&2
	return 1
}

# The variables that make this suite's build directory make's.
make_vars() {
	local rel
	rel=$(realpath --relative-to="$DADNS_SRC" "$DADNS_BUILD")
	echo "BUILD=$rel"
	[ "$(basename "$DADNS_BUILD")" = build-san ] && echo SANITIZE=1
	return 0
}

# start_demo: build first (the timings below are about stopping), then
# `make run` in its own session with SIGINT at its default (a background
# job of a script has it ignored), until it prints its instructions.
start_demo() {
	local vars
	mapfile -t vars < <(make_vars)
	make -C "$DADNS_SRC" --no-print-directory "${vars[@]}" all >"$TMP/build.log" 2>&1 ||
		{ tail -20 "$TMP/build.log" >&2; return 1; }
	DEMO_RUN=$TMP/run
	DEMO_OUT=$TMP/demo.out
	(cd "$DADNS_SRC" && DADNS_DEMO_RUN=$DEMO_RUN DADNS_DEMO_HTTP_PORT=$(free_port) \
		DADNS_DEMO_DNS_PORT=$(free_port) exec env --default-signal=INT,QUIT \
		setsid make --no-print-directory "${vars[@]}" run) >"$DEMO_OUT" 2>&1 </dev/null 3>&- &
	MAKE_PID=$!
	wait_until 60 grep -q '^Ctrl-C' "$DEMO_OUT" || { cat "$DEMO_OUT" >&2; return 1; }
	[ "$(ps -o sid= -p "$MAKE_PID" | tr -d ' ')" = "$MAKE_PID" ] ||
		{ echo "make ($MAKE_PID) does not lead its session" >&2; return 1; }
}

# The live (not zombie) processes of make's session, and those naming the
# run directory (none may escape the session).
session_alive() { ps -o pid=,stat=,args= --sid "$MAKE_PID" | awk '$2 !~ /^Z/'; }
run_alive() { ps -eo pid=,stat=,args= | grep -F "$DEMO_RUN/" | awk '$2 !~ /^Z/' | grep -v ' grep ' || true; }
all_gone() { [ -z "$(session_alive)" ] && [ -z "$(run_alive)" ]; }

# The four daemons are up: NSD, the intake, nginx, the worker.
daemons_up() {
	local s
	s=$(session_alive)
	for p in "nsd -d" dadns-intake "nginx: master" dadns-worker; do
		grep -qF -- "$p" <<<"$s" || { echo "not running: $p" >&2; return 1; }
	done
}

# stop_with SIG: SIG to make's pid only; within 5 s nothing it started lives.
stop_with() {
	daemons_up
	kill -"$1" "$MAKE_PID"
	if ! wait_until 5 all_gone; then
		echo "after SIG$1 to make:" >&2
		session_alive >&2
		run_alive >&2
		return 1
	fi
	grep -q 'run-demo: stopped' "$DEMO_OUT" || { cat "$DEMO_OUT" >&2; return 1; }
	# and quietly: no error of the script itself on the way
	! grep 'run-demo: line [0-9]*:' "$DEMO_OUT" >&2
}

teardown() {
	local pid
	if [ -n "$MAKE_PID" ]; then
		for pid in $(ps -o pid= --sid "$MAKE_PID"); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	fi
	dadns_teardown
}

setup() { dadns_setup; }

@test "make run: the printed curl pushes examples/zones/example.com.db and NSD serves it; SIGTERM to make stops all" {
	start_demo
	local push ask serial
	push=$(grep -m1 '^  curl ' "$DEMO_OUT")
	ask=$(grep -m1 '^  dig ' "$DEMO_OUT")
	[[ "$push" == *"@examples/zones/example.com.db"* ]] || fail "curl: $push"
	[ -f "$DADNS_SRC/examples/zones/example.com.db" ]
	# As a user would paste them, from the checkout.
	run bash -c "cd '$DADNS_SRC' && $push 2>/dev/null"
	[ "$output" = "error=0&text=Zone%20saved" ] || fail "push: $output"
	serial=$(named-checkzone -D example.com "$DADNS_SRC/examples/zones/example.com.db" |
		awk '$4 == "SOA" {print $7}')
	[ -n "$serial" ]
	wait_until 10 bash -c "$ask | grep -q ' $serial '" || fail "not served: $(bash -c "$ask")"
	# The worker speaks to NSD's control socket itself.
	grep -q '^control_socket = ' "$DEMO_RUN/dadns.ini"
	! grep -q '^control = ' "$DEMO_RUN/dadns.ini"
	stop_with TERM
}

@test "make run: SIGHUP to make alone stops everything it started" {
	start_demo
	stop_with HUP
}

@test "make run: SIGINT to make alone stops everything it started" {
	start_demo
	stop_with INT
}
