/* SPDX-License-Identifier: BSD-3-Clause */
/* zone.c -- validate zone text as DirectAdmin pushes it (libldns) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/domain.h"
#include "lib/util.h"
#include "lib/zone.h"
#include "lib/zone_lex.h"

/*
 * libldns parses every record: ldns_rr_new_frm_fp_l reads one logical
 * record at a time, with the origin / default TTL / previous owner state
 * kept here. In front of it a small lexer only finds where each record
 * starts and ends (quotes, comments, parentheses), so that errors carry the
 * line of the pushed text, and it refuses what ldns 1.8 accepts but BIND or
 * NSD refuse: unbalanced parentheses or quotes, $GENERATE and $include (read
 * by ldns as records), "$TTL garbage" (read as 0), a relative $ORIGIN, an
 * owner "@x" (read as "@"), TTLs like "1x" and numbers too big for their
 * field (silently truncated). After the last record come the zone-wide
 * checks (SOA, apex NS and their address records, CNAME rules).
 */

/* Let ldns read the logical record r (and only it), with the state carried
 * in sc. Returns 0 with *st set, or DADNS_EPARSE. */
static int zone_ldns_read(struct zone_scan *sc, const struct zone_lex *r, ldns_rr **rr,
			  ldns_status *st)
{
	FILE *fp;
	long used;
	size_t rest;
	int ln = 0;

	*rr = NULL;
	if (r->content >= LDNS_MAX_LINELEN)
		return zone_fail(sc, r->line, "record longer than %d octets", LDNS_MAX_LINELEN - 1);
	fp = fmemopen((void *)(sc->buf + r->start), r->end - r->start, "r");
	if (!fp)
		return zone_fail(sc, r->line, "cannot read record (%s)", strerror(errno));
	*st = ldns_rr_new_frm_fp_l(rr, fp, &sc->ttl, &sc->origin, &sc->prev, &ln);
	used = ftell(fp);
	fclose(fp);
	rest = used < 0 ? r->end : r->start + (size_t)used;
	(void)zone_lex_skip(sc->buf, r->end, &rest, &ln);
	if (*st == LDNS_STATUS_OK && rest < r->end) {   /* ldns stopped early */
		ldns_rr_free(*rr);
		*rr = NULL;
		return zone_fail(sc, r->line, "could not parse the whole record");
	}
	return 0;
}

/* What ldns refused: name an unknown record type, else repeat ldns. */
static int zone_fail_ldns(struct zone_scan *sc, const struct zone_lex *r, int directive,
			  ldns_status st)
{
	const char *s = ldns_get_errorstr_by_id(st);
	char t[ZONE_TOK_MAX], msg[160];
	int ttl_i, ti = zone_type_index(sc, r, &ttl_i);

	if (!directive && zone_tok(sc, r, ti, t) && ldns_get_rr_type_by_name(t) == 0)
		return zone_fail(sc, r->line, "unknown record type '%s'", t);
	snprintf(msg, sizeof(msg), "%s", s ? s : "syntax error");
	msg[0] = (char)tolower((unsigned char)msg[0]);
	return zone_fail(sc, r->line, "%s", msg);
}

/* ldns (1.8) appends the origin to a relative name without checking the
 * 255-octet limit of RFC 1035; check every name of the record. */
static int zone_names_ok(const ldns_rr *rr)
{
	size_t i;

	if (ldns_rdf_size(ldns_rr_owner(rr)) > LDNS_MAX_DOMAINLEN)
		return 0;
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);

		if (f && ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME &&
		    ldns_rdf_size(f) > LDNS_MAX_DOMAINLEN)
			return 0;
	}
	return 1;
}

static int zone_owner_in_zone(const struct zone_scan *sc, const ldns_rdf *owner)
{
	return ldns_dname_compare(owner, sc->apex) == 0 || ldns_dname_is_subdomain(owner, sc->apex);
}

/* Checks of one record as ldns read it. */
static int zone_check_rr(struct zone_scan *sc, const struct zone_lex *r, ldns_rr *rr)
{
	ldns_rdf *owner = ldns_rr_owner(rr);
	ldns_rr_type type = ldns_rr_get_type(rr);
	const ldns_rr_descriptor *desc;
	char *name;
	int rc;

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return zone_fail(sc, r->line, "only class IN is supported");
	if (type == 0)
		return zone_fail(sc, r->line, "unknown record type");
	/* ldns skips this check for RFC 3597 "\#" data */
	desc = ldns_rr_descript(type);
	if (desc && ldns_rr_rd_count(rr) < ldns_rr_descriptor_minimum(desc))
		return zone_fail(sc, r->line, "record data incomplete");
	if (!owner || !zone_names_ok(rr))
		return zone_fail(sc, r->line, "name longer than 255 octets");
	if (!zone_owner_in_zone(sc, owner)) {
		name = owner ? ldns_rdf2str(owner) : NULL;
		rc = zone_fail(sc, r->line, "%s is outside the zone", name ? name : "owner");
		free(name);
		return rc;
	}
	if (type == LDNS_RR_TYPE_SOA) {
		if (sc->soa)
			return zone_fail(sc, r->line, "more than one SOA record");
		if (ldns_dname_compare(owner, sc->apex) != 0)
			return zone_fail(sc, r->line, "SOA record not at the zone apex");
		sc->serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
		sc->soa = rr;
	}
	return 0;
}

static void zone_push(struct zone_scan *sc, ldns_rr *rr, int line)
{
	size_t n = ldns_rr_list_rr_count(sc->rrs);

	if (n >= sc->lines_cap) {
		sc->lines_cap = sc->lines_cap ? sc->lines_cap * 2 : 64;
		sc->lines = xrealloc(sc->lines, sc->lines_cap * sizeof(*sc->lines));
	}
	if (!ldns_rr_list_push_rr(sc->rrs, rr)) {
		fprintf(stderr, "zone: out of memory\n");
		abort();
	}
	sc->lines[n] = line;
}

/* One logical record: a directive or a resource record. */
static int zone_record(struct zone_scan *sc, const struct zone_lex *r)
{
	int directive = r->col0 && r->ntok > 0 && sc->buf[r->tok[0].off] == '$';
	int explicit_ttl = 0, rc;
	ldns_status st = LDNS_STATUS_ERR;
	ldns_rr *rr = NULL;

	if (r->ntok == 0)
		return zone_fail(sc, r->line, "empty record");
	rc = directive ? zone_directive(sc, r) : zone_check_tokens(sc, r, &explicit_ttl);
	if (rc == 0)
		rc = zone_ldns_read(sc, r, &rr, &st);
	if (rc != 0)
		return rc;
	if (directive && st == LDNS_STATUS_SYNTAX_TTL)
		zone_ttl_directive(sc);
	if (directive)
		return st == LDNS_STATUS_SYNTAX_TTL || st == LDNS_STATUS_SYNTAX_ORIGIN
			       ? 0 : zone_fail_ldns(sc, r, 1, st);
	if (st != LDNS_STATUS_OK || !rr)
		return zone_fail_ldns(sc, r, 0, st);
	rc = zone_check_numbers(sc, r, rr);
	if (rc == 0)
		rc = zone_ttl_resolve(sc, r, rr, explicit_ttl);
	if (rc == 0)
		rc = zone_check_rr(sc, r, rr);   /* last: it may keep rr as the SOA */
	if (rc != 0) {
		ldns_rr_free(rr);
		return rc;
	}
	sc->seen_record = 1;
	zone_push(sc, rr, r->line);
	sc->records++;
	if (sc->max_records > 0 && sc->records > sc->max_records)
		return zone_fail(sc, r->line, "more than %d records", sc->max_records);
	return 0;
}

struct zone_ent {
	ldns_rr *rr;
	int line;
	size_t idx;
};

/* By owner, then by record (ldns_rr_compare: type, class, RDATA; not the
 * TTL), then by file order so that the first of duplicates comes first. */
static int zone_ent_cmp(const void *a, const void *b)
{
	const struct zone_ent *x = a, *y = b;
	int c = ldns_dname_compare(ldns_rr_owner(x->rr), ldns_rr_owner(y->rr));

	if (c == 0)
		c = ldns_rr_compare(x->rr, y->rr);
	if (c == 0)
		c = x->idx < y->idx ? -1 : x->idx > y->idx;
	return c;
}

/* May stand next to a CNAME (RFC 2181, RFC 4034). */
static int zone_cname_companion(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_CNAME || t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
	       t == LDNS_RR_TYPE_KEY;
}

/* One owner name's records e[0..n) (sorted): CNAME rules. */
static int zone_check_owner(struct zone_scan *sc, const struct zone_ent *e, size_t n,
			    const unsigned char *dup)
{
	size_t i, cnames = 0, other = 0, at = 0;
	char *name;
	int rc;

	for (i = 0; i < n; i++) {
		ldns_rr_type t = ldns_rr_get_type(e[i].rr);

		if (dup[e[i].idx])
			continue;
		if (t == LDNS_RR_TYPE_CNAME && cnames++ == 0)
			at = i;
		else if (!zone_cname_companion(t))
			other++;
	}
	if (cnames == 0 || (cnames == 1 && other == 0))
		return 0;
	name = ldns_rdf2str(ldns_rr_owner(e[at].rr));
	if (cnames > 1)
		rc = zone_fail(sc, e[at].line, "more than one CNAME record for %s", name ? name : "");
	else
		rc = zone_fail(sc, e[at].line, "CNAME and other data at %s", name ? name : "");
	free(name);
	return rc;
}

/* Index of the first of the (sorted) entries owned by name, or n. */
static size_t zone_find(const struct zone_ent *e, size_t n, const ldns_rdf *name)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ldns_dname_compare(ldns_rr_owner(e[mid].rr), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#define ZONE_OWNS_ADDR 1
#define ZONE_OWNS_CNAME 2
#define ZONE_OWNS_NS 4
#define ZONE_OWNS_ANY 8

static int zone_owns(const struct zone_ent *e, size_t n, const ldns_rdf *name)
{
	size_t i;
	int m = 0;

	for (i = zone_find(e, n, name);
	     i < n && ldns_dname_compare(ldns_rr_owner(e[i].rr), name) == 0; i++) {
		ldns_rr_type t = ldns_rr_get_type(e[i].rr);

		m |= ZONE_OWNS_ANY;
		if (t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA)
			m |= ZONE_OWNS_ADDR;
		else if (t == LDNS_RR_TYPE_CNAME)
			m |= ZONE_OWNS_CNAME;
		else if (t == LDNS_RR_TYPE_NS)
			m |= ZONE_OWNS_NS;
	}
	return m;
}

/* A name without an address that BIND still accepts as apex NS target:
 * one below a delegation, or one covered by the wildcard of its closest
 * encloser (ancestors are walked up to the apex). */
static int zone_ns_excused(const struct zone_scan *sc, const struct zone_ent *e, size_t n,
			   const ldns_rdf *target)
{
	ldns_rdf *up = ldns_dname_left_chop(target), *next, *star;
	int found = 0, owns, apex;

	while (up && !found) {
		apex = ldns_dname_compare(up, sc->apex) == 0;
		if (!apex && !ldns_dname_is_subdomain(up, sc->apex))
			break;
		star = ldns_dname_new_frm_str("*");
		if (star && ldns_dname_cat(star, up) == LDNS_STATUS_OK)
			found = (zone_owns(e, n, star) & ZONE_OWNS_ADDR) != 0;
		ldns_rdf_deep_free(star);
		owns = zone_owns(e, n, up);
		found = found || (!apex && (owns & ZONE_OWNS_NS));
		if (apex || (owns & ZONE_OWNS_ANY))
			break;
		next = ldns_dname_left_chop(up);
		ldns_rdf_deep_free(up);
		up = next;
	}
	ldns_rdf_deep_free(up);
	return found;
}

/* BIND refuses a zone whose apex NS names a host inside the zone that has
 * no address record, or that is a CNAME. */
static int zone_check_apex_ns(struct zone_scan *sc, const struct zone_ent *e, size_t n,
			      const struct zone_ent *ns)
{
	const ldns_rdf *target = ldns_rr_rdf(ns->rr, 0);
	char *name;
	int m, rc;

	if (!target || !zone_owner_in_zone(sc, target))
		return 0;
	m = zone_owns(e, n, target);
	if ((m & ZONE_OWNS_ADDR) || (!(m & ZONE_OWNS_CNAME) && zone_ns_excused(sc, e, n, target)))
		return 0;
	name = ldns_rdf2str(target);
	if (m & ZONE_OWNS_CNAME)
		rc = zone_fail(sc, ns->line, "NS target %s is a CNAME", name ? name : "");
	else
		rc = zone_fail(sc, ns->line, "NS target %s has no address record (A or AAAA)",
			       name ? name : "");
	free(name);
	return rc;
}

/* Zone-wide checks, after every record is read: SOA and apex NS present,
 * CNAME rules, apex NS targets. Marks exact duplicates in dup (BIND and
 * NSD load one of them). */
static int zone_check_zone(struct zone_scan *sc, unsigned char *dup)
{
	size_t n = ldns_rr_list_rr_count(sc->rrs), i, g;
	struct zone_ent *e;
	int apex_ns = 0, rc = 0;

	if (n == 0)
		return zone_fail(sc, 0, "empty zone (no records)");
	if (!sc->soa)
		return zone_fail(sc, 0, "no SOA record");
	e = xcalloc(n, sizeof(*e));
	for (i = 0; i < n; i++) {
		e[i].rr = ldns_rr_list_rr(sc->rrs, i);
		e[i].line = sc->lines[i];
		e[i].idx = i;
		if (ldns_rr_get_type(e[i].rr) == LDNS_RR_TYPE_NS &&
		    ldns_dname_compare(ldns_rr_owner(e[i].rr), sc->apex) == 0)
			apex_ns = 1;
	}
	qsort(e, n, sizeof(*e), zone_ent_cmp);
	for (i = 1; i < n; i++)
		if (ldns_rr_compare(e[i - 1].rr, e[i].rr) == 0)
			dup[e[i].idx] = 1;
	for (g = 0, i = 1; i <= n && rc == 0; i++) {
		if (i < n && ldns_dname_compare(ldns_rr_owner(e[g].rr), ldns_rr_owner(e[i].rr)) == 0)
			continue;
		rc = zone_check_owner(sc, e + g, i - g, dup);
		g = i;
	}
	if (rc == 0 && !apex_ns)
		rc = zone_fail(sc, 0, "no NS record at the zone apex");
	for (i = 0; i < n && rc == 0; i++)
		if (!dup[e[i].idx] && ldns_rr_get_type(e[i].rr) == LDNS_RR_TYPE_NS &&
		    ldns_dname_compare(ldns_rr_owner(e[i].rr), sc->apex) == 0)
			rc = zone_check_apex_ns(sc, e, n, &e[i]);
	free(e);
	return rc;
}

/* Replace sc->rrs by its records without duplicates, SOA first. */
static void zone_reorder(struct zone_scan *sc, const unsigned char *dup)
{
	size_t n = ldns_rr_list_rr_count(sc->rrs), i;
	ldns_rr_list *out = ldns_rr_list_new();

	if (!out || !ldns_rr_list_push_rr(out, sc->soa)) {
		fprintf(stderr, "zone: out of memory\n");
		abort();
	}
	for (i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(sc->rrs, i);

		if (rr == sc->soa)
			continue;
		if (dup[i])
			ldns_rr_free(rr);
		else if (!ldns_rr_list_push_rr(out, rr))
			abort();
	}
	ldns_rr_list_free(sc->rrs);
	sc->rrs = out;
}

static void zone_scan_deinit(struct zone_scan *sc)
{
	free((char *)sc->buf);
	ldns_rdf_deep_free(sc->apex);
	ldns_rdf_deep_free(sc->origin);
	ldns_rdf_deep_free(sc->prev);
	ldns_rr_list_deep_free(sc->rrs);
	free(sc->lines);
	free(sc->ins);
	memset(sc, 0, sizeof(*sc));
}

/* Read the whole text; on success sc->rrs holds the records (SOA first,
 * no duplicates). The caller calls zone_scan_deinit in any case. */
static int zone_scan(struct zone_scan *sc, const char *domain, const char *text, size_t len,
		     int max_records, char *err, size_t errlen)
{
	char *buf = NULL;
	unsigned char *dup = NULL;
	size_t pos = 0;
	int line = 1, rc;
	struct zone_lex r;

	memset(sc, 0, sizeof(*sc));
	sc->err = err;
	sc->errlen = errlen;
	sc->max_records = max_records;
	sc->ttl = ZONE_DEFAULT_TTL;
	if (err && errlen)
		err[0] = '\0';
	if (!domain || domain_normalize(domain, strlen(domain), sc->domain) != 0)
		return zone_fail(sc, 0, "invalid domain name");
	strcat(sc->domain, ".");
	sc->apex = ldns_dname_new_frm_str(sc->domain);
	sc->origin = ldns_dname_new_frm_str(sc->domain);
	sc->rrs = ldns_rr_list_new();
	if (!sc->apex || !sc->origin || !sc->rrs)
		return zone_fail(sc, 0, "out of memory");
	if (!text || len == 0)
		return zone_fail(sc, 0, "empty zone (no records)");
	rc = zone_clean(sc, text, len, &buf, &sc->len);
	if (rc != 0)
		return rc;
	sc->buf = buf;
	while ((rc = zone_lex_next(sc, &pos, &line, &r)) == 1) {
		rc = zone_record(sc, &r);
		if (rc != 0)
			return rc;
	}
	if (rc != 0)
		return rc;
	dup = xcalloc(ldns_rr_list_rr_count(sc->rrs) + 1, 1);
	rc = zone_check_zone(sc, dup);
	if (rc == 0)
		rc = zone_ttl_check(sc);
	if (rc == 0)
		zone_reorder(sc, dup);
	free(dup);
	return rc;
}

int zone_validate(const char *domain, const char *text, size_t len, int max_records,
		  struct zone_info *out, char *err, size_t errlen)
{
	struct zone_scan sc;
	struct strbuf sb;
	int rc;

	rc = zone_scan(&sc, domain, text, len, max_records, err, errlen);
	if (rc != 0)
		goto out;
	strbuf_init(&sb);
	if (!sc.have_origin)
		strbuf_printf(&sb, "$ORIGIN %s\n", sc.domain);
	zone_ttl_write(&sc, &sb);
	if (sc.len > 0 && sc.buf[sc.len - 1] != '\n')
		strbuf_puts(&sb, "\n");
	out->serial = sc.serial;
	out->records = (int)ldns_rr_list_rr_count(sc.rrs);
	out->text = strbuf_steal(&sb);
out:
	zone_scan_deinit(&sc);
	return rc;
}

void zone_info_deinit(struct zone_info *zi)
{
	if (!zi)
		return;
	free(zi->text);
	memset(zi, 0, sizeof(*zi));
}

int zone_parse(const char *domain, const char *text, size_t len, ldns_rr_list **out,
	       char *err, size_t errlen)
{
	struct zone_scan sc;
	int rc;

	rc = zone_scan(&sc, domain, text, len, 0, err, errlen);
	if (rc == 0) {
		*out = sc.rrs;
		sc.rrs = NULL;
	}
	zone_scan_deinit(&sc);
	return rc;
}

int zone_owner_hostname(const char *in, char *out, size_t outlen)
{
	size_t i, len = strlen(in);

	if (len == 0 || len > ZONE_HOSTNAME_MAX || len >= outlen)
		return DADNS_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (!isalnum(c) && c != '.' && c != '-' && c != '_' && c != ':')
			return DADNS_EINVAL;
		out[i] = (char)tolower(c);
	}
	out[len] = '\0';
	return 0;
}

int zone_owner_username_ok(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > ZONE_USERNAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '.' && c != '-' && c != '_')
			return 0;
	}
	return 1;
}
