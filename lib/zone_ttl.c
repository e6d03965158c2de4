/* SPDX-License-Identifier: BSD-3-Clause */
/* zone_ttl.c -- the TTL BIND gives a record written without one */
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "lib/zone_lex.h"

/*
 * BIND (lib/dns/master.c, as `named-checkzone -D` shows it) gives a record
 * written without a TTL: the $TTL in force; without one, the last TTL
 * written on a record (RFC 1035); without one either, for the SOA its
 * MINIMUM field (which then also stands as $TTL for the records after it,
 * and a value above 2^31-1 becomes 0). Any other record is refused ("no
 * TTL specified"). ldns would say 3600 in every one of these cases.
 *
 * A text with no $TTL before its first record is stored with that TTL
 * written into each such record, so that NSD (which reads 3600 there),
 * BIND and the SQL backends all serve what BIND serves from the pushed
 * text. A text with $TTL first is stored as it came.
 */

#define ZONE_TTL_LIMIT 2147483647u  /* BIND: larger TTLs become 0 */

void zone_ttl_directive(struct zone_scan *sc)
{
	sc->dflt_known = 1;
	sc->dflt_ttl = sc->ttl;
}

/* Remember to write ttl in front of the token after the owner of r. */
static void zone_ttl_insert(struct zone_scan *sc, const struct zone_lex *r, uint32_t ttl)
{
	int i = r->col0 ? 1 : 0;

	if (sc->nins == sc->ins_cap) {
		sc->ins_cap = sc->ins_cap ? sc->ins_cap * 2 : 16;
		sc->ins = xrealloc(sc->ins, sc->ins_cap * sizeof(*sc->ins));
	}
	sc->ins[sc->nins].off = r->tok[i].off;
	sc->ins[sc->nins].ttl = ttl;
	sc->nins++;
}

int zone_ttl_check(struct zone_scan *sc)
{
	if (!sc->nottl_line)
		return 0;
	return zone_fail(sc, sc->nottl_line, "no TTL (no $TTL before it, no TTL on a record "
			 "before it, and it is not the SOA)");
}

int zone_ttl_resolve(struct zone_scan *sc, const struct zone_lex *r, ldns_rr *rr,
		     int explicit_ttl)
{
	uint32_t ttl;

	if (explicit_ttl) {
		sc->last_known = 1;
		sc->last_ttl = ldns_rr_ttl(rr);
		return 0;
	}
	if (sc->dflt_known) {
		ttl = sc->dflt_ttl;
	} else if (sc->last_known) {
		ttl = sc->last_ttl;
	} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
		if (ldns_rr_rd_count(rr) < 7)
			return 0;   /* zone_check_rr refuses it */
		ttl = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
		if (ttl > ZONE_TTL_LIMIT)
			ttl = 0;
		sc->dflt_known = 1;
		sc->dflt_ttl = ttl;
	} else {
		if (!sc->nottl_line)   /* refused after the zone-wide checks */
			sc->nottl_line = r->line;
		return 0;
	}
	ldns_rr_set_ttl(rr, ttl);
	if (!sc->have_ttl && r->ntok > (r->col0 ? 1 : 0))
		zone_ttl_insert(sc, r, ttl);
	return 0;
}

void zone_ttl_write(const struct zone_scan *sc, struct strbuf *sb)
{
	size_t pos = 0, i;

	for (i = 0; i < sc->nins; i++) {
		strbuf_append(sb, sc->buf + pos, sc->ins[i].off - pos);
		strbuf_printf(sb, "%u ", (unsigned)sc->ins[i].ttl);
		pos = sc->ins[i].off;
	}
	strbuf_append(sb, sc->buf + pos, sc->len - pos);
}
