# SPDX-License-Identifier: BSD-3-Clause
# mysql_helpers.bash -- private MariaDB servers and a PowerDNS (gmysql) for
# mysql.bats: each in a temporary directory, on a free 127.0.0.1 port, started
# and stopped by pid; plus the backend test driver, row dumps and the CoreDNS
# lookup checker.
#
# Use (per file; the servers live as long as the file's tests):
#   setup_file()    { mysql_file_setup; mysql_server_start a; ... }
#   teardown_file() { mysql_file_teardown; }
# Servers are named (a, b); MYSQL_<name>_PORT (e.g. MYSQL_a_PORT) and
# MYSQL_<name>_SOCK are exported. A restarted server keeps port and data.

MYSQL_USER=dadns
MYSQL_PASS='dadns-pw;1'
PDNS_DBUSER=pdns
PDNS_DBPASS='pdns-pw'

# mysql_file_setup: the base directory (short: unix socket paths are
# limited to 107 octets), the driver built against $DADNS_BUILD.
mysql_file_setup() {
	: "${DADNS_BUILD:=$BATS_TEST_DIRNAME/../../build}"
	DADNS_BUILD=$(cd "$DADNS_BUILD" && pwd)
	export DADNS_BUILD
	MYSQL_BASE=$(mktemp -d /tmp/dadns-mysql.XXXXXX)
	export MYSQL_BASE
	mysql_build_driver
}

mysql_file_teardown() {
	local f
	for f in "$MYSQL_BASE"/*.pid; do
		[ -f "$f" ] || continue
		mysql_stop_pid "$(cat "$f")"
		rm -f "$f"
	done
	rm -rf "$MYSQL_BASE"
}

# mysql_build_driver: tests/integration/mysql_driver.c linked with the
# library under test ($DADNS_BUILD/libdadns.a; sanitizers when it is the
# SANITIZE=1 build). Sets and exports MYSQL_DRIVER.
mysql_build_driver() {
	local src=$BATS_TEST_DIRNAME/../.. san=() pkgs
	# libdadns.a needs what the Makefile links the programs with (PKGS).
	pkgs=$(sed -n 's/^PKGS *= *//p' "$src/Makefile")
	case $DADNS_BUILD in
	*build-san*) san=(-fsanitize=address,undefined -fno-omit-frame-pointer) ;;
	esac
	MYSQL_DRIVER=$MYSQL_BASE/mysql_driver
	export MYSQL_DRIVER
	cc -std=gnu11 -O1 -g -D_GNU_SOURCE -Wall -Werror "${san[@]}" -I"$src" \
		$(pkg-config --cflags ldns libmariadb) \
		-o "$MYSQL_DRIVER" "$src/tests/integration/mysql_driver.c" "$DADNS_BUILD/libdadns.a" \
		$(pkg-config --libs $pkgs) -pthread
}

mysql_stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# mysql_root NAME [mariadb args...]: the root client over the unix socket.
mysql_root() {
	local n=$1
	shift
	mariadb --no-defaults -S "$MYSQL_BASE/$n/sock" -uroot -N -B -r "$@"
}

mysql_ping() { mariadb-admin --no-defaults -S "$MYSQL_BASE/$1/sock" -uroot --connect-timeout=1 ping; }

# mysql_server_start NAME [mariadbd options...]: install (first time) and
# start a MariaDB with its data, socket, pid and log in $MYSQL_BASE/NAME,
# listening on 127.0.0.1:MYSQL_<NAME>_PORT (kept across restarts).
mysql_server_start() {
	local n=$1 d=$MYSQL_BASE/$1 port pid
	shift
	mkdir -p "$d"
	if [ ! -d "$d/data" ]; then
		# one mariadb-install-db per file; every server starts from a copy
		if [ ! -d "$MYSQL_BASE/template" ]; then
			mariadb-install-db --no-defaults --datadir="$MYSQL_BASE/template" --user=root \
				--auth-root-authentication-method=normal --skip-test-db \
				--innodb-log-file-size=4M --innodb-buffer-pool-size=16M >"$MYSQL_BASE/install.log" 2>&1 ||
				{ cat "$MYSQL_BASE/install.log" >&2; return 1; }
		fi
		cp -a "$MYSQL_BASE/template" "$d/data"
		free_port >"$d/port"
		echo "$*" >"$d/options"
	fi
	port=$(cat "$d/port")
	# (a restart: the old server's TIME_WAIT sockets do not matter, a listener would)
	[ -z "$(ss -Hltn "( sport = :$port )" 2>/dev/null)" ] ||
		{ echo "mysql_server_start: port $port busy" >&2; return 1; }
	# shellcheck disable=SC2046
	mariadbd --no-defaults --datadir="$d/data" --socket="$d/sock" --port="$port" \
		--bind-address=127.0.0.1 --pid-file="$d/mariadbd.pid" --user=root --skip-name-resolve \
		--innodb-log-file-size=4M --innodb-buffer-pool-size=16M --skip-log-bin \
		--log-error="$d/error.log" $(cat "$d/options") >/dev/null 2>&1 3>&- &
	pid=$!
	echo "$pid" >"$MYSQL_BASE/$n.pid"
	local i
	for ((i = 0; i < 300; i++)); do
		mysql_ping "$n" >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if ! mysql_ping "$n" >/dev/null 2>&1; then
		echo "mysql_server_start: $n did not start" >&2
		tail -20 "$d/error.log" >&2
		return 1
	fi
	export "MYSQL_${n}_PORT=$port" "MYSQL_${n}_SOCK=$d/sock"
	mysql_root "$n" -e "CREATE USER IF NOT EXISTS '$MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$MYSQL_PASS';
		GRANT ALL ON *.* TO '$MYSQL_USER'@'127.0.0.1';
		CREATE USER IF NOT EXISTS '$PDNS_DBUSER'@'127.0.0.1' IDENTIFIED BY '$PDNS_DBPASS';
		GRANT SELECT ON *.* TO '$PDNS_DBUSER'@'127.0.0.1';"
}

# mysql_server_stop NAME: SIGTERM by pid, wait for it to end.
mysql_server_stop() {
	local f=$MYSQL_BASE/$1.pid
	[ -f "$f" ] || return 0
	mysql_stop_pid "$(cat "$f")"
	rm -f "$f"
}

mysql_server_pid() { cat "$MYSQL_BASE/$1.pid"; }

# mysql_db NAME DB: a fresh, empty database DB on server NAME.
mysql_db() { mysql_root "$1" -e "DROP DATABASE IF EXISTS \`$2\`; CREATE DATABASE \`$2\`;"; }

# mysql_q NAME DB SQL: run SQL in DB (tab-separated rows, no escaping).
mysql_q() { mysql_root "$1" "$2" -e "$3"; }

# mysql_section BACKEND TYPE SERVER DB [KEY=VALUE...]: the lines of a
# [backend BACKEND] section for a MySQL type, as one string (for
# worker_backend's arguments use mysql_backend_args).
mysql_backend_args() {
	local type=$1 server=$2 db=$3
	shift 3
	local port_var="MYSQL_${server}_PORT"
	echo "type=$type"
	echo "host=127.0.0.1"
	echo "port=${!port_var}"
	echo "database=$db"
	echo "username=$MYSQL_USER"
	echo "password=$MYSQL_PASS"
	echo "connect_timeout=2"
	echo "read_timeout=3"
	echo "write_timeout=3"
	local kv
	for kv in "$@"; do echo "$kv"; done
}

# mysql_ini FILE [SECTION TYPE SERVER DB [KEY=VALUE...] ;]...: a minimal
# dadns.ini for the driver with the given backend sections (";" separates).
mysql_ini() {
	local file=$1
	shift
	{
		echo "[app]"
		echo "auth_username = u"
		echo "auth_password = p"
		echo "db_path = $MYSQL_BASE/unused.db"
		while [ $# -gt 0 ]; do
			local name=$1 args=()
			shift
			while [ $# -gt 0 ] && [ "$1" != ";" ]; do
				args+=("$1")
				shift
			done
			[ $# -gt 0 ] && shift
			echo "[backend $name]"
			mysql_backend_args "${args[@]}" | sed 's/=/ = /'
		done
	} >"$file"
	chmod 600 "$file"
}

# driver INI SECTION ARGS...: the backend test driver.
driver() {
	local ini=$1 sec=$2
	shift 2
	env -u DADNS_BUILD "$MYSQL_DRIVER" -c "$ini" -b "$sec" "$@"
}

# coredns_rows SERVER DB ZONE: the zone's rows as the golden files have
# them: "hostname<TAB>type<TAB>ttl<TAB>data", online rows, sorted.
coredns_rows() {
	mysql_q "$1" "$2" "SELECT r.hostname, r.type, r.ttl, r.data FROM records r JOIN zones z
		ON r.zone_id = z.id WHERE z.zone_name = '$3.' AND r.online = 1" | LC_ALL=C sort
}

# coredns_golden ZONE: the golden rows, comments and blank lines dropped, sorted.
coredns_golden() {
	grep -v -e '^#' -e '^$' "$BATS_TEST_DIRNAME/../data/coredns/$1.rows" | LC_ALL=C sort
}

# lookup SERVER DB QNAME QTYPE: the CoreDNS checker against that database.
lookup() {
	local port_var="MYSQL_${1}_PORT"
	"$BATS_TEST_DIRNAME/coredns_lookup.sh" --no-defaults -h 127.0.0.1 -P "${!port_var}" \
		-u "$MYSQL_USER" "-p$MYSQL_PASS" "$2" -- "$3" "$4"
}

# pdns_start SERVER DB: pdns_server (gmysql on DB of SERVER) on
# 127.0.0.1:$PDNS_PORT, caches off so every answer reflects the database.
# Sets PDNS_PORT, PDNS_PID, PDNS_DIR.
pdns_start() {
	local server=$1 db=$2 port_var="MYSQL_${1}_PORT" i
	PDNS_DIR=$MYSQL_BASE/pdns-$db
	mkdir -p "$PDNS_DIR"
	: >"$PDNS_DIR/pdns.conf"
	PDNS_PORT=$(free_port)
	pdns_server --config-dir="$PDNS_DIR" --socket-dir="$PDNS_DIR" \
		--local-address=127.0.0.1 --local-port="$PDNS_PORT" \
		--launch=gmysql --gmysql-host=127.0.0.1 --gmysql-port="${!port_var}" \
		--gmysql-user="$PDNS_DBUSER" --gmysql-password="$PDNS_DBPASS" --gmysql-dbname="$db" \
		--gmysql-dnssec=no --daemon=no --guardian=no --disable-syslog --write-pid=no \
		--cache-ttl=0 --query-cache-ttl=0 --negquery-cache-ttl=0 --zone-cache-refresh-interval=0 \
		--webserver=no --api=no --primary=no --secondary=no --loglevel=4 \
		>"$PDNS_DIR/pdns.log" 2>&1 3>&- &
	PDNS_PID=$!
	echo "$PDNS_PID" >"$MYSQL_BASE/pdns-$db.pid"
	for ((i = 0; i < 200; i++)); do
		dig +short +time=1 +tries=1 @127.0.0.1 -p "$PDNS_PORT" id.server CH TXT >/dev/null 2>&1 &&
			grep -q "Done launching threads" "$PDNS_DIR/pdns.log" && return 0
		kill -0 "$PDNS_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "pdns_start: pdns_server did not start" >&2
	cat "$PDNS_DIR/pdns.log" >&2
	return 1
}

pdns_stop() { mysql_stop_pid "$PDNS_PID"; rm -f "$MYSQL_BASE/pdns-$1.pid"; }

# pdns_dig NAME TYPE: the answer section from our pdns_server, one RR a
# line, owner/ttl/class/type separated by single blanks.
pdns_dig() {
	dig +norec +noall +answer +nosplit +time=2 +tries=1 @127.0.0.1 -p "$PDNS_PORT" "$1" "$2" |
		canon_rr
}

# canon_rr: "owner ttl class type rdata" with single blanks between the
# first five fields; the rdata itself is kept byte for byte.
canon_rr() {
	sed -E 's/^([^[:space:]]+)[[:space:]]+([^[:space:]]+)[[:space:]]+([^[:space:]]+)[[:space:]]+([^[:space:]]+)[[:space:]]+/\1 \2 \3 \4 /' |
		grep -v '^;' | grep -v '^$'
}

# zone_canon DOMAIN FILE: the zone as BIND reads it (named-checkzone, an
# implementation independent of dadns's libldns), one RR a line, canon_rr.
# TTLs as BIND gives them, with or without $TTL: dadns serves those.
zone_canon() {
	named-checkzone -q -D -o - "$1" "$2" 2>/dev/null | canon_rr | LC_ALL=C sort -u
}

# pdns_serves_zone DOMAIN FILE: pdns_server answers every RRset of the zone
# file exactly (each name and type asked, answers compared as sets).
pdns_serves_zone() {
	local d=$1 f=$2 want got name type
	want=$(zone_canon "$d" "$f")
	[ -n "$want" ] || { echo "no records read from $f" >&2; return 1; }
	got=$(awk '{print $1, $4}' <<<"$want" | sort -u | while read -r name type; do
		pdns_dig "$name" "$type"
	done | LC_ALL=C sort -u)
	if [ "$want" != "$got" ]; then
		diff <(echo "$want") <(echo "$got") >&2
		return 1
	fi
}
