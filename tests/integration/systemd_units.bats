#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-3-Clause
# systemd_units.bats -- the units in systemd/ as `make install` lays them
# out: systemd-analyze verify passes on every one, each runs with the least
# it needs; make install / uninstall with PREFIX and DESTDIR; and the
# installed programs carry a push end to end (nginx -> installed intake ->
# database -> installed worker -> backend, read back by installed dadnsctl).

load helpers
load ops_helpers

setup() {
	dadns_setup
	UNITS=()
	local u
	for u in "$DADNS_SRC"/systemd/*.service "$DADNS_SRC"/systemd/*.socket "$DADNS_SRC"/systemd/*.timer; do
		[ -e "$u" ] && UNITS+=("$(basename "$u")")
	done
}

teardown() {
	dadns_teardown
}

# install_to PREFIX [make variables...]: make install from the tested build.
# "-o all": install what was built (make test built it), build nothing.
install_to() {
	local prefix=$1
	shift
	make -s -C "$DADNS_SRC" -o all install BUILD="$DADNS_BUILD" PREFIX="$prefix" "$@" \
		>"$TMP/install.log" 2>&1 || { cat "$TMP/install.log" >&2; return 1; }
}

@test "make install PREFIX=...: systemd-analyze verify passes on every unit, paths follow PREFIX" {
	local p=$TMP/prefix u
	install_to "$p" SYSCONFDIR="$TMP/etc"
	[ "${#UNITS[@]}" -ge 3 ] || fail "units: ${UNITS[*]}"
	for u in "${UNITS[@]}"; do
		[ -f "$p/lib/systemd/system/$u" ] || fail "$u not installed"
		! grep -q /usr/local/ "$p/lib/systemd/system/$u" || fail "$u keeps /usr/local paths"
		! grep -q ' /etc/dadns/' "$p/lib/systemd/system/$u" || fail "$u keeps /etc/dadns"
	done
	for u in dadns-intake.service dadns-worker.service; do
		grep -qx "ExecStart=$p/bin/${u%.service} -c $TMP/etc/dadns/dadns.ini" "$p/lib/systemd/system/$u" ||
			fail "$u ExecStart: $(grep ExecStart= "$p/lib/systemd/system/$u")"
	done
	# verify needs every unit it names: check them together, from their directory.
	(cd "$p/lib/systemd/system" && systemd-analyze verify --man=no "${UNITS[@]/#/./}") >"$TMP/verify.log" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$TMP/verify.log")"
	[ ! -s "$TMP/verify.log" ] || fail "systemd-analyze verify warns: $(cat "$TMP/verify.log")"
	# The ExecStartPre check passes on the installed example configuration
	# (its NSD pattern checked against the installed example nsd.conf, not
	# this machine's).
	DADNS_BACKEND_NSD_NSD_CONFIG=$p/share/doc/dadns/examples/nsd/nsd.conf \
		run "$p/bin/dadnsctl" -c "$TMP/etc/dadns/dadns.ini" config check
	[ "$status" -eq 0 ] || fail "config check of the example: $output"
}

@test "each service runs with the least it needs (user, no privileges, read-only system, Restart)" {
	local u f
	for u in "${UNITS[@]}"; do
		[[ $u == *.service ]] || continue
		f=$DADNS_SRC/systemd/$u
		for line in "NoNewPrivileges=yes" "ProtectSystem=strict" "PrivateTmp=yes" "ProtectHome=yes" \
			"CapabilityBoundingSet="; do
			grep -qx "$line" "$f" || fail "$u: no $line"
		done
		# Daemons come back after a crash; a timer's one-shot run waits
		# for the next tick instead of looping on a DA server that is down.
		if grep -qx "Type=oneshot" "$f"; then
			[ -f "$DADNS_SRC/systemd/${u%.service}.timer" ] || fail "$u: oneshot without a timer"
		else
			grep -qx "Restart=on-failure" "$f" || fail "$u: no Restart=on-failure"
		fi
		grep -qE '^User=[a-z_][a-z0-9_-]*$' "$f" || fail "$u: no User="
		grep -qE '^RestrictAddressFamilies=AF_' "$f" || fail "$u: no RestrictAddressFamilies"
		grep -q '^ReadWritePaths=/var/lib/dadns' "$f" || fail "$u: does not name the database directory"
		# systemd's own exposure score (0 safe .. 10 unsafe).
		systemd-analyze security --offline=yes --no-pager "$f" >"$TMP/sec.log" 2>&1 || true
		local score
		score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$TMP/sec.log")
		[ -n "$score" ] || fail "$u: no score: $(tail -3 "$TMP/sec.log")"
		awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' || fail "$u: exposure $score"
	done
	# The intake writes the database directory only, and has no network of its own.
	[ "$(grep '^ReadWritePaths=' "$DADNS_SRC/systemd/dadns-intake.service")" = "ReadWritePaths=/var/lib/dadns" ] ||
		fail "intake ReadWritePaths: $(grep '^ReadWritePaths=' "$DADNS_SRC/systemd/dadns-intake.service")"
	grep -qx "RestrictAddressFamilies=AF_UNIX" "$DADNS_SRC/systemd/dadns-intake.service"
	grep -qx "StandardInput=socket" "$DADNS_SRC/systemd/dadns-intake.service"
	grep -qx "ListenStream=/run/dadns/intake.sock" "$DADNS_SRC/systemd/dadns-intake.socket"
	# The worker writes the database and zone directories, nothing else.
	grep '^ReadWritePaths=' "$DADNS_SRC/systemd/dadns-worker.service" | grep -v -E '^ReadWritePaths=(-?/var/lib/dadns|-?/var/lib/bind/dadns|-?/etc/bind/dadns|-?/etc/nsd/dadns| )+$' &&
		fail "worker writes more than the database and zone directories"
	true
}

@test "make install DESTDIR= PREFIX=/usr lays out programs, units, config and docs; uninstall removes them" {
	local r=$TMP/root u
	install_to /usr DESTDIR="$r"
	for u in dadns-intake dadns-worker dadnsctl; do
		[ -x "$r/usr/bin/$u" ] || fail "no $r/usr/bin/$u"
	done
	for u in "${UNITS[@]}"; do
		[ "$(stat -c %a "$r/usr/lib/systemd/system/$u")" = 644 ] || fail "$u mode"
	done
	grep -qx "ExecStart=/usr/bin/dadns-intake -c /etc/dadns/dadns.ini" "$r/usr/lib/systemd/system/dadns-intake.service"
	[ "$(stat -c %a "$r/etc/dadns/dadns.ini")" = 640 ] || fail "dadns.ini mode $(stat -c %a "$r/etc/dadns/dadns.ini")"
	cmp -s "$DADNS_SRC/examples/dadns.ini" "$r/etc/dadns/dadns.ini"
	[ -f "$r/usr/share/doc/dadns/README.md" ] || fail "no README"
	[ -f "$r/usr/share/doc/dadns/docs/protocol.md" ] || fail "no docs/protocol.md (the README links it)"
	for u in dadns.ini nginx/dadns.conf lighttpd/dadns.conf topology-a/dadns.ini topology-b/dadns.ini \
		topology-c/dadns.ini; do
		[ -f "$r/usr/share/doc/dadns/examples/$u" ] || fail "no example $u"
	done
	# A second install keeps the operator's configuration.
	echo "; mine" >>"$r/etc/dadns/dadns.ini"
	install_to /usr DESTDIR="$r"
	[ "$(tail -1 "$r/etc/dadns/dadns.ini")" = "; mine" ] || fail "install overwrote dadns.ini"
	make -s -C "$DADNS_SRC" uninstall PREFIX=/usr DESTDIR="$r" >"$TMP/uninstall.log" 2>&1 ||
		fail "uninstall: $(cat "$TMP/uninstall.log")"
	[ -z "$(find "$r" -type f ! -path "$r/etc/dadns/dadns.ini")" ] ||
		fail "left behind: $(find "$r" -type f)"
	[ -f "$r/etc/dadns/dadns.ini" ] || fail "uninstall removed a changed dadns.ini"
	# An unchanged configuration goes with the rest.
	install_to /usr DESTDIR="$TMP/root2"
	make -s -C "$DADNS_SRC" uninstall PREFIX=/usr DESTDIR="$TMP/root2" >/dev/null 2>&1
	[ -z "$(find "$TMP/root2" -type f)" ] || fail "left behind: $(find "$TMP/root2" -type f)"
}

@test "the installed programs run a push end to end (nginx, intake, worker, dadnsctl)" {
	local p=$TMP/prefix
	install_to "$p" SYSCONFDIR="$TMP/etc"
	write_ini "[backend main]" "type = null" "enabled = 1" "zones_dir = $TMP/zones-main"
	mkdir -p "$TMP/zones-main"
	# From here on every program is the installed one.
	DADNS_BUILD=$p/bin
	start_stack
	start_worker_ops
	push_zone example.com "$DADNS_ZONES/example.com.db"
	[ "$(answer error)" = 0 ] || fail "push: $HTTP_BODY"
	wait_until 10 sql_is "select count(*) from backend_state where backend = 'main' and result = 'ok'" 1
	[ -s "$TMP/zones-main/example.com" ] || [ -n "$(ls "$TMP/zones-main")" ] || fail "nothing applied"
	run "$p/bin/dadnsctl" -c "$INI" --json status
	[ "$status" -eq 0 ] || fail "status: $output"
	[ "$(jq -r '[.overall, .zones, .backends[0].in_sync, .worker.running] | map(tostring) | join(" ")' <<<"$output")" = \
		"ok 1 1 true" ] || fail "status: $output"
	req --no-auth /health
	[ "$HTTP_STATUS" = 200 ] || fail "/health: $HTTP_STATUS $HTTP_BODY"
	stop_worker_ops
}

@test "every unit gives /var/lib/dadns the same mode, one NSD (not in group dadns) may pass through to zones_dir" {
	local modes u d
	modes=$(grep -h '^StateDirectoryMode=' "$DADNS_SRC"/systemd/*.service | sort -u)
	for u in "$DADNS_SRC"/systemd/*.service; do
		! grep -q '^StateDirectory=' "$u" || grep -q '^StateDirectoryMode=' "$u" ||
			fail "$(basename "$u"): StateDirectory= without StateDirectoryMode= (0755 would win or lose by start order)"
	done
	[ "$(wc -l <<<"$modes")" = 1 ] || fail "units disagree (systemd re-applies the mode at each start): $modes"
	# As README "Install" lays it out: the state directory with the units'
	# mode, zones_dir 0755, a zone file the worker wrote (0644). NSD reads
	# it as nsd, or at its start as root without CAP_DAC_OVERRIDE (Debian's
	# nsd.service): "other" either way, as user nobody here.
	grep -q 'install -d -o dadns -g dadns -m 0755 /var/lib/dadns/nsd' "$DADNS_SRC/README.md" ||
		fail "README no longer creates zones_dir as tested here"
	d=$(mktemp -d /tmp/dadns-statedir-XXXXXX)
	chmod 0755 "$d"
	install -d -m "${modes#StateDirectoryMode=}" "$d/dadns"
	install -d -m 0755 "$d/dadns/nsd"
	echo zone >"$d/dadns/nsd/example.com.zone"
	chmod 0644 "$d/dadns/nsd/example.com.zone"
	echo db >"$d/dadns/dadns.db"
	chmod 0660 "$d/dadns/dadns.db"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$d/dadns/nsd/example.com.zone"
	local read_zone=$status
	run setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$d/dadns/dadns.db"
	local read_db=$status
	run setpriv --reuid=nobody --regid=nogroup --clear-groups ls "$d/dadns"
	local list=$status
	rm -rf "$d"
	[ "$read_zone" = 0 ] || fail "NSD cannot read a zone file under the state directory (mode ${modes#*=})"
	[ "$read_db" != 0 ] || fail "NSD can read the database"
	[ "$list" != 0 ] || fail "others may list the state directory"
}

@test "make uninstall removes only what make install put in DOCDIR (DOCDIR may be shared)" {
	local r=$TMP/root
	install_to /usr DESTDIR="$r" DOCDIR=/usr/share/doc
	[ -f "$r/usr/share/doc/README.md" ] && [ -d "$r/usr/share/doc/examples" ] || fail "not installed in DOCDIR"
	mkdir -p "$r/usr/share/doc/other-package"
	echo keep >"$r/usr/share/doc/other-package/copyright"
	make -s -C "$DADNS_SRC" uninstall PREFIX=/usr DESTDIR="$r" DOCDIR=/usr/share/doc >"$TMP/uninstall.log" 2>&1 ||
		fail "uninstall: $(cat "$TMP/uninstall.log")"
	[ -f "$r/usr/share/doc/other-package/copyright" ] || fail "uninstall removed another package's docs"
	[ ! -e "$r/usr/share/doc/README.md" ] && [ ! -e "$r/usr/share/doc/examples" ] &&
		[ ! -e "$r/usr/share/doc/docs" ] || fail "docs left behind"
}
