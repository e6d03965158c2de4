#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# coredns_lookup.sh -- answer a query from the coredns_mysql tables the way the
# CoreDNS plugin coredns_mysql_extend (cybercinch fork, mysql.go/utils.go)
# does, so tests can check what CoreDNS would serve without building CoreDNS:
#
#   coredns_lookup.sh [mariadb client options...] DATABASE -- QNAME QTYPE
#
# Prints the answer section as the plugin builds it, one RR a line:
# "FQDN TTL IN TYPE DATA" (fmt.Sprintf("%s %d IN %s %s") in the plugin).
# Exit status 0 with answers, 1 without (the plugin falls through to the next
# plugin), 2 on usage or database errors.
#
# The plugin's steps, mirrored here:
#  1. zone and host of QNAME: the zones map (SELECT id, zone_name FROM zones)
#     is tried with QNAME, then QNAME minus its first label, ...; the labels
#     removed are the hostname, "@" when none (getDomainInfo);
#  2. SELECT ... WHERE online!=0 AND zone_id=? AND hostname=? AND type=?;
#  3. none: the CNAME records of that hostname; each CNAME is answered and
#     its target (an absolute name in a zone of the map, else the plugin
#     gives up: exit 1) is looked up for QTYPE the same way;
#  4. still none and QNAME has more than one dot: hostname "*" of the zone
#     named by QNAME minus its first label (only that zone), answered with
#     QNAME as owner.
set -u

args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	args+=("$1")
	shift
done
[ "${1:-}" = "--" ] || { echo "usage: $0 [mariadb options] DATABASE -- QNAME QTYPE" >&2; exit 2; }
shift
[ $# -eq 2 ] || { echo "usage: $0 [mariadb options] DATABASE -- QNAME QTYPE" >&2; exit 2; }
qname=${1,,}
qtype=${2^^}
[ "${qname: -1}" = "." ] || qname="$qname."

sql() { mariadb "${args[@]}" -N -B -r -e "$1"; }
quote() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\'\'}"; }

declare -A zone_id
while IFS=$'\t' read -r id name; do
	zone_id[$name]=$id
done < <(sql "SELECT id, zone_name FROM zones") || exit 2

# domain_info FQDN: sets DI_ID, DI_HOST, DI_ZONE; fails when no zone matches.
domain_info() {
	local fqdn=$1 i zone host
	local -a items
	IFS=. read -r -a items <<<"$fqdn"
	items+=("")   # the plugin's strings.Split keeps the empty label after the root dot
	for ((i = 0; i < ${#items[@]}; i++)); do
		zone=$(IFS=.; echo "${items[*]:i}")
		host=$(IFS=.; echo "${items[*]:0:i}")
		[ -n "$host" ] || host=@
		if [ -n "${zone_id[$zone]+x}" ]; then
			DI_ID=${zone_id[$zone]} DI_HOST=$host DI_ZONE=$zone
			return 0
		fi
	done
	return 1
}

# records ID HOST TYPE ZONE: "FQDN<TAB>TTL<TAB>TYPE<TAB>DATA" lines.
records() {
	local id=$1 host=$2 type=$3 zone=$4
	sql "SELECT hostname, ttl, type, data FROM records WHERE online != 0 AND zone_id = $id
	     AND hostname = $(quote "$host") AND type = $(quote "$type") ORDER BY id" |
	while IFS=$'\t' read -r name ttl t data; do
		if [ "$host" = @ ]; then
			printf '%s\t%s\t%s\t%s\n' "$zone" "$ttl" "$t" "$data"
		else
			printf '%s\t%s\t%s\t%s\n' "$name.$zone" "$ttl" "$t" "$data"
		fi
	done
}

answers=()
emit() { answers+=("$1 $2 IN $3 $4"); }

domain_info "$qname" || exit 1
zid=$DI_ID zhost=$DI_HOST zzone=$DI_ZONE

mapfile -t recs < <(records "$zid" "$zhost" "$qtype" "$zzone")
if [ ${#recs[@]} -eq 0 ]; then
	mapfile -t cnames < <(records "$zid" "$zhost" CNAME "$zzone")
	for c in "${cnames[@]}"; do
		IFS=$'\t' read -r _ ttl t data <<<"$c"
		domain_info "$data" || exit 1
		emit "$qname" "$ttl" "$t" "$data"
		while IFS=$'\t' read -r f ttl2 t2 d2; do
			emit "$f" "$ttl2" "$t2" "$d2"
		done < <(records "$DI_ID" "$DI_HOST" "$qtype" "$DI_ZONE")
	done
fi
for r in "${recs[@]}"; do
	IFS=$'\t' read -r f ttl t data <<<"$r"
	emit "$f" "$ttl" "$t" "$data"
done

dots=${qname//[^.]/}
if [ ${#answers[@]} -eq 0 ] && [ ${#dots} -gt 1 ]; then
	base=${qname#*.}
	[ -n "${zone_id[$base]+x}" ] || exit 1
	while IFS=$'\t' read -r _ ttl t data; do
		emit "$qname" "$ttl" "$t" "$data"
	done < <(records "${zone_id[$base]}" "*" "$qtype" "$base")
fi

[ ${#answers[@]} -gt 0 ] || exit 1
printf '%s\n' "${answers[@]}"
