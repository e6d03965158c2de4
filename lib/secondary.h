/* SPDX-License-Identifier: BSD-3-Clause */
/* secondary.h -- watching the [secondary NAME] servers: what each serves against the desired state
 *
 * Each configured secondary is asked (lib/soa_scan.h) for the SOA serial of
 * every desired zone, of the catalog zone when [catalog] zone is set, and
 * of the zones that are gone (tombstones, and zones a backend once applied
 * that are no longer desired), and counted:
 *   in_sync     serves the zone at the desired serial (the catalog: at the
 *               serial the primary serves, the first enabled DNS backend's
 *               `server`)
 *   behind      serves the zone at another serial (lower by RFC 1982, or
 *               any serial not the desired one)
 *   missing     answers REFUSED, NXDOMAIN/NOTAUTH, SERVFAIL, or without an
 *               authoritative SOA, for a desired zone
 *   extra       serves a zone that is gone
 *   unanswered  a desired zone no answer came for although the server
 *               answers others
 * A server that answers none of a few probes (and no query of the scan) is
 * unreachable: then nothing is counted. The state is 'in_sync' when every
 * count but in_sync is 0, 'behind' otherwise, or 'unreachable'.
 * Results are stored in table secondaries (one row per name); behind_since
 * is when the secondary was first seen not in sync (cleared when it is).
 */
#ifndef DADNS_SECONDARY_H
#define DADNS_SECONDARY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/config.h"
#include "lib/store.h"

enum secondary_state { SECONDARY_IN_SYNC = 0, SECONDARY_BEHIND, SECONDARY_UNREACHABLE };

struct secondary_result {
	const char *name;          /* points into the config */
	const char *server;        /* points into the config */
	int state;                 /* enum secondary_state */
	long long in_sync, behind, missing, extra, unanswered;
	long long queries;         /* zones asked about */
	int64_t checked_at;        /* ms since the epoch */
	int64_t behind_since;      /* ms since the epoch; 0 when in sync */
	int64_t duration_ms;
};

/* "in_sync", "behind", "unreachable". */
const char *secondary_state_name(int state);

/* Check every [secondary NAME] of cfg against the desired state in st;
 * save (1) stores the results in table secondaries. *out gets one result
 * per secondary, in config order (caller frees the array). Returns 0, or
 * a negative error when the database could not be read or written (then
 * *out is NULL). */
int secondary_check_all(const struct config *cfg, struct store *st, int save,
			struct secondary_result **out);

#endif
