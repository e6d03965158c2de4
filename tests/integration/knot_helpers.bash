# SPDX-License-Identifier: BSD-3-Clause
# knot_helpers.bash -- a real knotd with a configuration database in the
# test's temporary directory, on a free 127.0.0.1 port, its control socket
# there too, and the [backend] section for it.
#
# Use (after `load helpers` and `load dns_helpers`):
#   start_knot [passthrough|sign]; ini_knot_backend [NAME]

# start_knot [passthrough|sign]: knotd -C $KNOT_DIR/confdb (imported from
# $KNOT_DIR/knot.conf at the first start), template "dadns" with file
# "$KNOT_ZONES/%s.zone"; sign: the template signs (policy "dadns",
# ECDSA P-256, one KSK and one ZSK), zonefile-load: difference and
# serial-policy: increment (the serial rule, README "Knot DNS"). Run again
# after stop_knot it keeps ports, database and keys (a restart). Sets
# KNOT_DIR KNOT_ZONES KNOT_PORT KNOT_SOCK KNOT_PID KNOT_LOG KNOTC KNOT_MODE.
start_knot() {
	KNOT_MODE=${1:-${KNOT_MODE:-passthrough}}
	KNOT_DIR=$TMP/knot
	KNOT_ZONES=$KNOT_DIR/zones
	KNOT_SOCK=$KNOT_DIR/knot.sock
	KNOT_LOG=$KNOT_DIR/knot.log
	mkdir -p "$KNOT_ZONES" "$KNOT_DIR/db"
	: "${KNOT_PORT:=$(free_port)}"
	KNOTC="knotc -s $KNOT_SOCK -t 30"
	if [ ! -d "$KNOT_DIR/confdb" ]; then
		knot_conf >"$KNOT_DIR/knot.conf"
		knotc -C "$KNOT_DIR/confdb" conf-import "$KNOT_DIR/knot.conf" >"$KNOT_DIR/import.log" 2>&1 ||
			{ cat "$KNOT_DIR/import.log" >&2; return 1; }
	fi
	knotd -C "$KNOT_DIR/confdb" >>"$KNOT_DIR/stdout.log" 2>&1 3>&- &
	KNOT_PID=$!
	DADNS_PIDS+=("$KNOT_PID")
	if ! wait_until 10 $KNOTC status; then
		cat "$KNOT_DIR/stdout.log" "$KNOT_LOG" >&2
		return 1
	fi
}

stop_knot() { stop_pid "$KNOT_PID"; }

# knot_conf: the knot.conf start_knot imports, for $KNOT_MODE.
knot_conf() {
	cat <<EOF
server:
    rundir: "$KNOT_DIR"
    listen: 127.0.0.1@$KNOT_PORT
control:
    listen: "$KNOT_SOCK"
    timeout: 30
database:
    storage: "$KNOT_DIR/db"
log:
  - target: "$KNOT_LOG"
    any: info
acl:
  - id: loopback_xfr
    address: [127.0.0.1, ::1]
    action: transfer
policy:
  - id: dadns
    algorithm: ecdsap256sha256
    ksk-lifetime: 0
    zsk-lifetime: 30d
template:
  - id: default
    storage: "$KNOT_ZONES"
  - id: dadns
    storage: "$KNOT_ZONES"
    file: "$KNOT_ZONES/%s.zone"
    acl: loopback_xfr
    semantic-checks: off
    zonefile-sync: -1
    journal-content: all
EOF
	if [ "$KNOT_MODE" = sign ]; then
		cat <<EOF
    zonefile-load: difference
    serial-policy: increment
    dnssec-signing: on
    dnssec-policy: dadns
EOF
	else
		echo "    zonefile-load: whole"
	fi
}

# ini_knot_backend [NAME [LINE...]]: a [backend NAME] (default knot) for
# start_knot's knotd, dnssec as $KNOT_MODE; LINEs are added to it.
ini_knot_backend() {
	local name=${1:-knot} l
	shift 2>/dev/null || true
	{
		echo "[backend $name]"
		echo "type = knot"
		echo "enabled = 1"
		echo "zones_dir = $KNOT_ZONES"
		echo "control_socket = $KNOT_SOCK"
		echo "template = dadns"
		echo "server = 127.0.0.1:$KNOT_PORT"
		echo "timeout = 10"
		echo "dnssec = $KNOT_MODE"
		for l in "$@"; do echo "$l"; done
	} >>"$INI"
}

# knot_zones: the zones in knotd's configuration, one a line, sorted.
knot_zones() { $KNOTC conf-read zone.domain | sed -n 's/^zone\.domain = //p' | sed 's/\.$//' | LC_ALL=C sort; }

# axfr_file PORT ZONE FILE: the transfer as dig prints it, in FILE.
axfr_file() {
	dig +norec +time=5 +tries=1 @127.0.0.1 -p "$1" "$2" AXFR >"$3" 2>/dev/null && grep -q "XFR size" "$3"
}

# soa_signed PORT ZONE: an RRSIG over the SOA comes with it (DO bit).
soa_signed() {
	dig +norec +dnssec +time=2 +tries=2 @127.0.0.1 -p "$1" "$2" SOA 2>/dev/null |
		awk '$4 == "RRSIG" && $5 == "SOA"' | grep -q .
}

# dnssec_valid PORT ZONE: the transfer validates (kzonecheck --dnssec on).
dnssec_valid() {
	local f=$TMP/axfr-$2
	axfr_file "$1" "$2" "$f" || return 1
	kzonecheck -o "$2" --dnssec on "$f" >&2
}

# ds_of_served_ksk PORT ZONE: dnssec-dsfromkey -2 of every served DNSKEY with
# flags 257 (KSK/CSK), as "TAG ALG 2 DIGEST" lines, sorted.
ds_of_served_ksk() {
	local f=$TMP/dnskey-$2
	dig +norec +time=2 +tries=2 @127.0.0.1 -p "$1" "$2" DNSKEY +noall +answer |
		awk '$4 == "DNSKEY" && $5 == 257' >"$f"
	[ -s "$f" ] || return 1
	dnssec-dsfromkey -2 -f "$f" "$2" | awk '{print $4, $5, $6, toupper($7)}' | LC_ALL=C sort
}

# non_dnssec_canon FILE ZONE: the canonical records of a zone file or a
# transfer without DNSSEC records and without the SOA (whose serial Knot
# may raise when it signs).
non_dnssec_canon() {
	named-checkzone -q -D -o - "$2" "$1" 2>/dev/null | canon_lines |
		awk '$4 !~ /^(RRSIG|NSEC|NSEC3|NSEC3PARAM|DNSKEY|CDS|CDNSKEY|SOA)$/'
}

# wait_secs SECONDS CMD...: run CMD until it succeeds, for at most SECONDS of
# wall-clock time (wait_until counts tries, and a try of a check over
# hundreds of zones takes seconds by itself).
wait_secs() {
	local end=$(($(date +%s) + $1))
	shift
	while [ "$(date +%s)" -le "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "wait_secs: timed out: $*" >&2
	"$@" >&2
	return 1
}
