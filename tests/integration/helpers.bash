# SPDX-License-Identifier: BSD-3-Clause
# helpers.bash -- shared bats helpers: a temporary directory, free loopback
# ports, a test dadns.ini, dadns-intake behind a real nginx or lighttpd,
# wait-for-ready, stop by pid, and DirectAdmin-shaped requests.
#
# Use:  load helpers
#       setup()    { dadns_setup; }         # TMP, INI, DB, DADNS_BUILD
#       teardown() { dadns_teardown; }      # stops everything started here
# Every daemon runs from $TMP on 127.0.0.1, and is stopped by its pid.

: "${DADNS_BUILD:=$BATS_TEST_DIRNAME/../../build}"
DADNS_BUILD=$(cd "$DADNS_BUILD" && pwd)
DADNS_SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# Test zones: the checkout's own (DADNS_ZONES may name another set).
: "${DADNS_ZONES:=$DADNS_SRC/tests/data/zones}"
DA_USER=da-admin
DA_PASS='pa55:w0rd&x'
DA_HOST=da1.example.net
DA_USERNAME=fred

# Pids this test started, stopped in reverse order by dadns_teardown.
DADNS_PIDS=()

dadns_setup() {
	TMP=${BATS_TEST_TMPDIR:-$(mktemp -d)}
	TMP=$(cd "$TMP" && pwd)
	INI=$TMP/dadns.ini
	DB=$TMP/dadns.db
	DADNS_PIDS=()
	write_ini
}

dadns_teardown() {
	local i
	for ((i = ${#DADNS_PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${DADNS_PIDS[$i]}"
	done
	DADNS_PIDS=()
	sanitizer_check "${INTAKE_LOG:-}"
}

# Fail when a log holds an AddressSanitizer/UBSan/LeakSanitizer report
# (make test SANITIZE=1; the programs report at exit, after a SIGTERM).
sanitizer_check() {
	[ -n "$1" ] && [ -f "$1" ] || return 0
	if grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"; then
		grep -E -A20 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1" | head -60 >&2
		return 1
	fi
}

# A port free on 127.0.0.1 for both TCP and UDP (no socket bound to it
# right now): DNS servers want both.
free_port() {
	local p i
	for ((i = 0; i < 100; i++)); do
		p=$(shuf -i 20000-32767 -n 1)
		if [ -z "$(ss -Htuan "( sport = :$p )" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	echo "free_port: no free port found" >&2
	return 1
}

# write_ini [LINE...]: a minimal dadns.ini: [app] (credentials, db_path in
# $TMP, debug log, 4 threads) and [worker] (wake_socket in $TMP). The LINEs
# are written after [app]'s own, raw: "key = value" lines belong to [app],
# and a "[section]" line starts another section (e.g. "[backend n]").
write_ini() {
	{
		echo "[app]"
		echo "auth_username = $DA_USER"
		echo "auth_password = $DA_PASS"
		echo "db_path = $DB"
		echo "log_level = debug"
		echo "threads = 4"
		local l
		for l in "$@"; do echo "$l"; done
		echo "[worker]"
		echo "wake_socket = $TMP/wake.sock"
	} >"$INI"
	chmod 600 "$INI"
}

# wait_until TIMEOUT_SECONDS CMD...: run CMD until it succeeds.
wait_until() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 20; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "wait_until: timed out after ${limit}s: $*" >&2
	return 1
}

alive() { kill -0 "$1" 2>/dev/null; }

# stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL.
stop_pid() {
	local pid=$1 i
	alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 200; i++)); do
		alive "$pid" || return 0
		sleep 0.05
	done
	echo "stop_pid: $pid ignored SIGTERM, killing it" >&2
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# --- dadns-intake -------------------------------------------------------------

log_has() { grep -q -- "$2" "$1"; }

# start_intake [unix|tcp|listen|systemd]: spawn-fcgi gives it the socket on
# fd 0 (unix socket $TMP/intake.sock, or 127.0.0.1:$INTAKE_PORT), "listen"
# makes the intake bind it itself with --listen, "systemd" passes it as
# systemd socket activation does (the intake starts at the first request). Sets INTAKE_PID and
# INTAKE_PASS (what nginx's fastcgi_pass / lighttpd's fastcgi.server need).
start_intake() {
	local mode=${1:-unix}
	INTAKE_LOG=$TMP/intake.log
	: >"$INTAKE_LOG"
	case $mode in
	unix)
		INTAKE_SOCK=$TMP/intake.sock
		rm -f "$INTAKE_SOCK"
		spawn-fcgi -n -s "$INTAKE_SOCK" -M 0666 -- \
			"$DADNS_BUILD/dadns-intake" -c "$INI" >>"$INTAKE_LOG" 2>&1 3>&- &
		INTAKE_PID=$!
		INTAKE_PASS="unix:$INTAKE_SOCK"
		;;
	tcp)
		INTAKE_PORT=$(free_port)
		spawn-fcgi -n -a 127.0.0.1 -p "$INTAKE_PORT" -- \
			"$DADNS_BUILD/dadns-intake" -c "$INI" >>"$INTAKE_LOG" 2>&1 3>&- &
		INTAKE_PID=$!
		INTAKE_PASS="127.0.0.1:$INTAKE_PORT"
		;;
	listen)
		INTAKE_SOCK=$TMP/intake.sock
		"$DADNS_BUILD/dadns-intake" -c "$INI" --listen "unix:$INTAKE_SOCK" --socket-mode 0666 \
			>>"$INTAKE_LOG" 2>&1 3>&- &
		INTAKE_PID=$!
		INTAKE_PASS="unix:$INTAKE_SOCK"
		;;
	systemd)
		# systemd-style socket activation (fd 3, LISTEN_FDS): the tool
		# execs the intake at the first connection, under the same pid.
		INTAKE_SOCK=$TMP/intake.sock
		rm -f "$INTAKE_SOCK"
		systemd-socket-activate -l "$INTAKE_SOCK" "$DADNS_BUILD/dadns-intake" -c "$INI" \
			>>"$INTAKE_LOG" 2>&1 3>&- &
		INTAKE_PID=$!
		INTAKE_PASS="unix:$INTAKE_SOCK"
		DADNS_PIDS+=("$INTAKE_PID")
		wait_until 10 test -S "$INTAKE_SOCK"
		return
		;;
	*)
		echo "start_intake: unknown mode $mode" >&2
		return 1
		;;
	esac
	DADNS_PIDS+=("$INTAKE_PID")
	if ! wait_until 10 log_has "$INTAKE_LOG" "ready on"; then
		cat "$INTAKE_LOG" >&2
		return 1
	fi
}

restart_intake() {
	stop_pid "$INTAKE_PID"
	start_intake "${1:-unix}"
}

# --- front ends -----------------------------------------------------------------

# The examples' marked lines, rewritten for the test's port, socket and logs.
render_nginx_site() {
	local out=$1
	sed -e "s|^\(\s*\)listen 2222;.*|\1listen 127.0.0.1:$FRONT_PORT;|" \
	    -e "s|^\(\s*\)access_log .*# dadns: access_log|\1access_log $TMP/nginx/access.log;|" \
	    -e "s|^\(\s*\)error_log .*# dadns: error_log|\1error_log $TMP/nginx/error.log info;|" \
	    -e "s|fastcgi_pass unix:/run/dadns/intake.sock;|fastcgi_pass $INTAKE_PASS;|" \
	    "$DADNS_SRC/examples/nginx/dadns.conf" >"$out"
	grep -q "listen 127.0.0.1:$FRONT_PORT;" "$out" && grep -q "fastcgi_pass $INTAKE_PASS;" "$out"
}

# The front end answers (any HTTP status; the intake may not be up yet).
port_answers() {
	curl -s -o /dev/null --max-time 2 -u "$DA_USER:$DA_PASS" "http://127.0.0.1:$1/CMD_API_LOGIN_TEST"
}

# nginx_launch DIR WORKERS CONNECTIONS: write DIR/nginx.conf around the site
# DIR/dadns.conf (logs, pid and temp files in DIR), check it, start nginx
# in the background: FRONT_PID, added to DADNS_PIDS.
nginx_launch() {
	local d=$1 user=""
	# As root, nginx's workers would become "nobody" and could not reach
	# the test directory; keep them as the user running the tests.
	[ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);"
	cat >"$d/nginx.conf" <<EOF
$user
daemon off;
worker_processes $2;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections $3; }
http {
	access_log $d/access.log;
	client_body_temp_path $d/tmp/body;
	fastcgi_temp_path $d/tmp/fastcgi;
	proxy_temp_path $d/tmp/proxy;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	include $d/dadns.conf;
}
EOF
	nginx -t -q -c "$d/nginx.conf" -p "$d/" -e "$d/error.log" || { cat "$d/error.log" >&2; return 1; }
	nginx -c "$d/nginx.conf" -p "$d/" -e "$d/error.log" >"$d/stdout.log" 2>&1 3>&- &
	FRONT_PID=$!
	DADNS_PIDS+=("$FRONT_PID")
}

# start_nginx: nginx with its own nginx.conf, pid file and logs in $TMP/nginx,
# in front of the intake started by start_intake.
start_nginx() {
	local d=$TMP/nginx
	mkdir -p "$d/tmp"
	FRONT_PORT=$(free_port)
	render_nginx_site "$d/dadns.conf" || { echo "start_nginx: cannot render the example" >&2; return 1; }
	nginx_launch "$d" 2 256 || return 1
	FRONT_URL=http://127.0.0.1:$FRONT_PORT
	if ! wait_until 10 port_answers "$FRONT_PORT"; then
		cat "$d/error.log" >&2
		return 1
	fi
}

render_lighttpd_site() {
	local out=$1 binpath=$2
	sed -e "s|\$SERVER\[\"socket\"\] == \":2222\"|\$SERVER[\"socket\"] == \"127.0.0.1:$FRONT_PORT\"|" \
	    -e "s|\"socket\" => \"/run/dadns/intake.sock\",|\"socket\" => \"$LIGHTTPD_FCGI_SOCK\",|" \
	    -e "s|accesslog.filename = .*|accesslog.filename = \"$TMP/lighttpd/access.log\"|" \
	    "$DADNS_SRC/examples/lighttpd/dadns.conf" >"$out"
	if [ -n "$binpath" ]; then
		# Let lighttpd start the intake itself (socket on fd 0).
		sed -i -e "s|^\(\s*\)# \"bin-path\" => .*|\1\"bin-path\" => \"$DADNS_BUILD/dadns-intake -c $INI\",|" \
		       -e "s|^\(\s*\)# \"max-procs\" => .*|\1\"max-procs\" => 1,|" "$out"
		grep -q "\"bin-path\" => \"$DADNS_BUILD/dadns-intake" "$out" || return 1
	fi
	grep -q "127.0.0.1:$FRONT_PORT" "$out" && grep -q "\"socket\" => \"$LIGHTTPD_FCGI_SOCK\"" "$out"
}

# start_lighttpd [binpath]: lighttpd -D with its own config in $TMP/lighttpd,
# in front of the intake started by start_intake (unix socket only), or with
# "binpath", spawning the intake itself (its log is lighttpd's stderr).
start_lighttpd() {
	local d=$TMP/lighttpd binpath=${1:-}
	mkdir -p "$d/www" "$d/upload"
	FRONT_PORT=$(free_port)
	if [ -n "$binpath" ]; then
		LIGHTTPD_FCGI_SOCK=$d/intake.sock
		INTAKE_LOG=$d/stdout.log  # the intake inherits lighttpd's stderr
	else
		LIGHTTPD_FCGI_SOCK=$INTAKE_SOCK
	fi
	render_lighttpd_site "$d/dadns.conf" "$binpath" ||
		{ echo "start_lighttpd: cannot render the example" >&2; return 1; }
	cat >"$d/lighttpd.conf" <<EOF
server.document-root = "$d/www"
server.bind = "127.0.0.1"
server.port = $FRONT_PORT
server.pid-file = "$d/lighttpd.pid"
server.errorlog = "$d/error.log"
server.upload-dirs = ( "$d/upload" )
server.modules = ( )
include "$d/dadns.conf"
EOF
	lighttpd -tt -f "$d/lighttpd.conf" >"$d/check.log" 2>&1 || { cat "$d/check.log" >&2; return 1; }
	lighttpd -D -f "$d/lighttpd.conf" >"$d/stdout.log" 2>&1 3>&- &
	FRONT_PID=$!
	DADNS_PIDS+=("$FRONT_PID")
	FRONT_URL=http://127.0.0.1:$FRONT_PORT
	if ! wait_until 10 port_answers "$FRONT_PORT"; then
		cat "$d/error.log" "$d/stdout.log" >&2
		return 1
	fi
}

# start_stack [intake mode]: the intake behind $DADNS_FRONTEND (nginx or lighttpd).
start_stack() {
	case ${DADNS_FRONTEND:-nginx} in
	nginx)
		start_intake "${1:-unix}" && start_nginx
		;;
	lighttpd)
		start_intake "${1:-unix}" && start_lighttpd
		;;
	*)
		echo "start_stack: DADNS_FRONTEND must be nginx or lighttpd" >&2
		return 1
		;;
	esac
}

# --- requests -------------------------------------------------------------------

# req [curl args...] PATH: a request to the front end with DA's credentials
# (unless the args bring their own -u or --no-auth). Sets HTTP_STATUS,
# HTTP_BODY and HTTP_HEADERS (file). Returns curl's status.
req() {
	local auth=(-u "$DA_USER:$DA_PASS") args=() a
	for a in "$@"; do
		case $a in
		--no-auth) auth=() ;;
		-u) auth=() ; args+=("$a") ;;
		*) args+=("$a") ;;
		esac
	done
	local path=${args[-1]}
	unset 'args[-1]'
	HTTP_HEADERS=$TMP/last-headers
	HTTP_STATUS=$(curl -sS --max-time 30 "${auth[@]}" "${args[@]}" -D "$HTTP_HEADERS" \
		-o "$TMP/last-body" -w '%{http_code}' "$FRONT_URL$path")
	local rc=$?
	HTTP_BODY=$(cat "$TMP/last-body" 2>/dev/null)
	return $rc
}

urldecode() {
	local s=${1//+/ }
	printf '%b' "${s//%/\\x}"
}

# answer KEY [BODY]: the decoded value of KEY in a URL-encoded answer
# (default $HTTP_BODY); fails when KEY is absent.
answer() {
	local key=$1 body=${2-$HTTP_BODY} pair
	local IFS='&'
	for pair in $body; do
		if [ "${pair%%=*}" = "$key" ]; then
			urldecode "${pair#*=}"
			return 0
		fi
	done
	return 1
}

# push_zone DOMAIN FILE [HOSTNAME [USERNAME [curl args...]]]: a rawsave
# exactly as DirectAdmin sends it: POST, the zone as the raw body, no
# Content-Type, parameters in the query string.
push_zone() {
	local d=$1 f=$2 h=${3:-$DA_HOST} u=${4-$DA_USERNAME}
	shift 4 2>/dev/null || shift $#
	local q="action=rawsave&domain=$d&hostname=$h"
	[ -n "$u" ] && q="$q&username=$u"
	req "$@" --data-binary "@$f" -H 'Content-Type:' "/CMD_API_DNS_ADMIN?$q"
}

# zone_count [DOMAIN]: rows in the desired state (all, or for DOMAIN).
zone_count() {
	if [ -n "${1:-}" ]; then
		sqlite3 "$DB" "select count(*) from zones where domain = '$1'"
	else
		sqlite3 "$DB" "select count(*) from zones"
	fi
}

# job_count [DOMAIN [OP]]: queued jobs.
job_count() {
	local where="1"
	[ -n "${1:-}" ] && where="$where and domain = '$1'"
	[ -n "${2:-}" ] && where="$where and op = '$2'"
	sqlite3 "$DB" "select count(*) from jobs where $where"
}

# dadnsctl ARGS...: the operator CLI against the test database.
dadnsctl() { "$DADNS_BUILD/dadnsctl" -c "$INI" "$@"; }
