/* SPDX-License-Identifier: BSD-3-Clause */
/* peersync.h -- dadns-peersync: pull newer zones and deletes from other dadns nodes
 *
 * Rules (README "Peer sync"):
 * - A peer's zone is taken when it is absent here (and not deleted here
 *   later than the peer last changed it) or newer: a greater SOA serial in
 *   RFC 1982 order, zone_updated_at breaking a tie. It is validated as a
 *   DA push is, stored with source 'peer' and queued for every backend.
 * - zone_updated_at travels with the zone: a pulled zone keeps the time it
 *   was last changed on the node DA pushed it to (never later than now
 *   here), so two nodes holding the same version agree and do not pull it
 *   back and forth. A time later than now here (a peer's clock ahead)
 *   decides nothing until it is no longer in the future: it cannot win a
 *   tie of serials, nor delete with a tombstone.
 * - A peer's tombstone deletes the zone here when it was deleted later
 *   (deleted_at) than the zone here was last changed (updated_at); the
 *   tombstone written here keeps the original deleted_at. A re-push after
 *   the delete is later, so it wins, here and (being absent there and
 *   newer than the tombstone) on the peer.
 */
#ifndef DADNS_PEERSYNC_H
#define DADNS_PEERSYNC_H

#include <stdint.h>

#include "lib/config.h"
#include "lib/peer.h"
#include "lib/peer_http.h"
#include "lib/store.h"

#define PEERSYNC_DEGRADED_AFTER 3      /* consecutive failed passes */
#define PEERSYNC_LIST_MAX (32L * 1024 * 1024)

/* One peer of a pass, as the peers table has it. */
struct ps_peer {
	char name[PEER_URL_MAX];
	char url[PEER_URL_MAX];
	char origin[16];                   /* config, env, discovered */
	char via[PEER_URL_MAX];            /* "" when none */
	const struct config_peer *cred;    /* whose credentials; NULL: [peer_sync]'s own */
	const char *cred_error;            /* set when no credentials can be found */
	int failures;
	int degraded;
};

/* The figures of one pass (runs.summary). */
struct ps_pass {
	int peers, peers_failed, zones_pulled, tombstones_applied, skipped;
};

struct peersync {
	const struct config *cfg;
	struct store *st;
	char self[PEER_URL_MAX];           /* advertise_url normalized, or "" */
	int changed;                       /* something was queued: wake the worker */
};

/* The daemon (--once: one pass). Returns the exit status: 0, 1 on a
 * start-up error, 3 when a --once pass could not reach every peer. */
int peersync_run(const struct config *cfg, int once);
/* 1 when SIGTERM or SIGINT is waiting: finish what is in hand and stop. */
int peersync_stopping(void);

/* peers.c: the peers table. */
/* Bring the config and environment peers into the table (and drop the ones
 * no longer configured). 0 or DADNS_E*. */
int peers_sync_config(struct peersync *ps);
/* The peers to ask this pass (caller frees *out). 0 or DADNS_E*. */
int peers_load(struct peersync *ps, struct ps_peer **out, size_t *n);
/* Record the outcome of a pass for p (health, counters, log). */
int peers_record(struct peersync *ps, struct ps_peer *p, const char *error, int pulled, int tombs);
/* Add the URLs a peer knows that this node does not. *added gets how many. */
int peers_discover(struct peersync *ps, const struct ps_peer *from, const struct peer_url_list *urls,
		   int *added);
/* How to reach p: target filled with pointers into p, ps and the config. */
void peers_target(const struct peersync *ps, const struct ps_peer *p, struct peer_target *t);

/* pull.c: one peer's pass. 0 when the peer answered its lists (zones it
 * sent that were refused are counted in pass->skipped), else DADNS_E* with
 * err set. */
int pull_peer(struct peersync *ps, struct ps_peer *p, struct ps_pass *pass, int *pulled, int *tombs,
	      char *err, size_t errlen);

#endif
