#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# knot_txn.sh -- a changed zone made served by knotd: zone file + zone-reload
# (what the knot backend does) against a zone-begin/zone-set/zone-commit
# transaction, N changes each (default 200), the same knotd.
# usage: bench/knot_txn.sh [N]   (after make bench, or make build/bench/knot_txn)
# The transactions go first: on Knot 3.2.6 a zone-commit after a
# zone-reload of the same zone is refused ("semantic check").
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/bench/lib.sh"
N=${1:-200}
[ -x "$BENCH_BIN/knot_txn" ] || { echo "knot_txn.sh: make build/bench/knot_txn first" >&2; exit 1; }
(
	bench_env
	start_knot passthrough || exit 1
	z=txn.bench.test
	make_zone "$z" 2024010100 "$KNOT_ZONES/$z.zone"
	# www as knot_txn writes it for the serial: 192.0.2.(10 + serial % 200)
	sed -i "s/^www\t3600\tIN\tA\t.*/www\t3600\tIN\tA\t192.0.2.$((10 + 2024010100 % 200))/" "$KNOT_ZONES/$z.zone"
	$KNOTC conf-begin >/dev/null && $KNOTC conf-set "zone[$z]" >/dev/null &&
		$KNOTC conf-set "zone[$z].template" dadns >/dev/null && $KNOTC conf-commit >/dev/null || exit 1
	wait_until 20 serves_serial "$KNOT_PORT" "$z" 2024010100 || exit 1
	s=2024010100
	for mode in ${KNOT_TXN_MODES:-txn txn+file reload}; do
		"$BENCH_BIN/knot_txn" "$KNOT_SOCK" "127.0.0.1:$KNOT_PORT" "$z" "$KNOT_ZONES/$z.zone" "$s" "$N" "$mode" || exit 1
		s=$((s + N))
	done
)
