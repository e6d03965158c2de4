/* SPDX-License-Identifier: BSD-3-Clause */
/* catalog.h -- the RFC 9432 (version 2) catalog zone of the zones a backend serves
 *
 * The membership is desired state: every zone of the store has a member id
 * (table catalog_members, kept by triggers on zones; lib/store.h). What a
 * backend publishes is the subset it serves: a worker lane keeps the members
 * it has listed in a catalog_list, changes it with the outcome of each batch
 * and renders the catalog from it, one serial step per batch (table
 * catalog_serial; RFC 1982 arithmetic, kept across restarts).
 *
 * The zone:
 *   $ORIGIN NAME.
 *   @ 0 IN SOA invalid. invalid. SERIAL 60 10 1209600 0
 *   @ 0 IN NS invalid.
 *   version 0 IN TXT "2"
 *   UID.zones 0 IN PTR MEMBER.
 *   group.UID.zones 0 IN TXT "DA-HOSTNAME"      ([catalog] group = da_server)
 */
#ifndef DADNS_CATALOG_H
#define DADNS_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/store.h"
#include "lib/util.h"

#define CATALOG_UID_MAX 32

/* The members listed: domain -> (uid, group). An open-addressing table. */
struct catalog_entry {
	char *domain;              /* NULL: empty slot; "" : deleted slot */
	char uid[CATALOG_UID_MAX + 1];
	char *group;               /* the DA hostname, "" for none */
};

struct catalog_list {
	struct catalog_entry *slots;
	size_t cap, n, used;       /* used: live + deleted slots */
};

void catalog_list_init(struct catalog_list *l);
void catalog_list_deinit(struct catalog_list *l);
/* Set domain's uid and group. Returns 1 when that changed the list. */
int catalog_list_set(struct catalog_list *l, const char *domain, const char *uid, const char *group);
/* Remove domain. Returns 1 when it was listed. */
int catalog_list_del(struct catalog_list *l, const char *domain);
const struct catalog_entry *catalog_list_get(const struct catalog_list *l, const char *domain);

/* The desired member id and DA hostname of domain: 0, DADNS_ENOENT (not in
 * the desired state), DADNS_EIO. */
int catalog_member_get(struct store *st, const char *domain, char uid[CATALOG_UID_MAX + 1],
		       char *group, size_t glen);

/* Fill l with what backend serves according to the store: zones of the
 * desired state whose backend_state has a serial, less those with a
 * delete job pending (the worker may have applied it and died before
 * recording it). Returns 0 or DADNS_EIO. */
int catalog_list_load(struct store *st, const char *backend, struct catalog_list *l);

/* The next catalog serial of backend (first: the time in seconds; then
 * +1 modulo 2^32), committed before it is used so that it only grows.
 * Returns 0, DADNS_EBUSY, DADNS_EIO. */
int catalog_serial_next(struct store *st, const char *backend, uint32_t *serial);

/* The catalog zone text of l under name (no trailing dot), group TXT
 * records when with_group. *records gets the record count. */
void catalog_render(const struct catalog_list *l, const char *name, uint32_t serial,
		    int with_group, struct strbuf *out, int *records);

#endif
