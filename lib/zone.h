/* SPDX-License-Identifier: BSD-3-Clause */
/* zone.h -- validate zone text as DirectAdmin pushes it (libldns) */
#ifndef DADNS_ZONE_H
#define DADNS_ZONE_H

#include <stddef.h>
#include <stdint.h>
#include <ldns/ldns.h>

#define ZONE_DEFAULT_TTL 3600   /* what ldns reads; zone_ttl.c gives BIND's TTLs */

struct zone_info {
	int64_t serial;  /* SOA serial */
	int records;     /* resource records, SOA included */
	char *text;      /* the zone as stored and served: the pushed text with
	                    "$ORIGIN domain." put first when the text had none
	                    before its first record; when it had no $TTL there,
	                    each record without a TTL gets the one BIND gives it
	                    written in (zone_ttl.c). Owned. */
};

/* Validate the zone text for domain (normalized, see domain.h). len octets
 * of text are read; NUL bytes are refused. Refused, with err set to
 * "line N: reason" (or a reason without a line where none applies):
 * syntax errors, $INCLUDE, $GENERATE, a record whose owner is outside the
 * zone (also after a later $ORIGIN), no SOA, more than one SOA, an SOA not
 * at the apex, more than max_records records (0 = no limit), an empty zone,
 * a first record with no TTL and no $TTL before it unless it is the SOA
 * (BIND refuses it too).
 * On success fills *out (caller calls zone_info_deinit) and returns 0;
 * on refusal returns DADNS_EPARSE and *out is untouched. */
int zone_validate(const char *domain, const char *text, size_t len, int max_records,
		  struct zone_info *out, char *err, size_t errlen);
void zone_info_deinit(struct zone_info *zi);

/* Parse an already validated zone text (as stored) into its records, in
 * file order, SOA first. *out is owned by the caller (ldns_rr_list_deep_free).
 * Returns 0 or DADNS_EPARSE with err set. */
int zone_parse(const char *domain, const char *text, size_t len, ldns_rr_list **out,
	       char *err, size_t errlen);

/* The owner of a push, checked as the intake checks DA's parameters.
 * hostname= (DA's own name): letters, digits, '.', '-', '_' and ':' (an
 * address), 1..ZONE_HOSTNAME_MAX octets; written lower-case to out (outlen
 * > its length). Returns 0 or DADNS_EINVAL. */
#define ZONE_HOSTNAME_MAX 253
#define ZONE_USERNAME_MAX 64
int zone_owner_hostname(const char *in, char *out, size_t outlen);
/* username=: letters, digits, '.', '-' and '_', 1..ZONE_USERNAME_MAX
 * octets. 1 valid, 0 not. */
int zone_owner_username_ok(const char *s);

#endif
