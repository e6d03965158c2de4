/* SPDX-License-Identifier: BSD-3-Clause */
/* lane_catalog.h -- a lane's catalog zone: one update per batch, between its additions and deletions
 *
 * A lane whose backend serves the catalog ([catalog] zone set, [backend]
 * catalog = yes, a type that serves DNS) applies a batch in three steps:
 *   1. the zones written (additions and updates), verified as usual;
 *   2. the catalog, when the batch changed what it lists: members added
 *      that now are served, members deleted, ids or groups changed -- one
 *      serial step, whatever the number of members. It is verified served
 *      before step 3 when the batch deletes; a batch of additions only
 *      does not wait for the server to load it (the next batch that
 *      deletes checks it first, and publishes it again if it is not
 *      served);
 *   3. the zones deleted; when the catalog could not be published they
 *      fail (retried): a secondary never learns of a member before the
 *      primary serves it, and is told to drop one before the primary does.
 */
#ifndef DADNS_WORKER_LANE_CATALOG_H
#define DADNS_WORKER_LANE_CATALOG_H

#include "cmd/dadns-worker/lane.h"

/* Set l->cat when l's backend serves the catalog of cfg. 0 or -1 (logged). */
int lane_catalog_open(struct lane *l, const struct config *cfg);
void lane_catalog_close(struct lane *l);

/* Step 2 for the batch zones[0..k), whose writes zones[0..nw) were
 * applied and verified: update the list and publish the catalog when it
 * changed (or was never published by this worker). 0, or an error with
 * err set (the deletions must then not be applied). */
int lane_catalog_step(struct lane *l, const struct backend_zone *zones, size_t nw, size_t k,
		      char *err, size_t errlen);

/* Is domain the catalog zone itself? (never applied as a member) */
int lane_catalog_is_self(const struct lane *l, const char *domain);

#endif
