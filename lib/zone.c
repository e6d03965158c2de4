/* SPDX-License-Identifier: BSD-3-Clause */
/* zone.c -- validate zone text as DirectAdmin pushes it (libldns) */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/domain.h"
#include "lib/util.h"
#include "lib/zone.h"

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

#define ZONE_LEX_TOKENS 12
#define ZONE_TOK_MAX 256           /* a name as written, or less */
#define ZONE_TTL_MAX 2147483647u  /* RFC 2181 section 8 */

struct zone_lex {                 /* one logical record, as the lexer saw it */
	size_t start;             /* offset of the line it starts on */
	size_t end;               /* offset just past its last newline */
	int line;                 /* line of its first significant octet */
	int col0;                 /* starts at column 0: owner name or directive */
	int ntok;                 /* tokens seen (only the first are kept) */
	size_t content;           /* octets ldns keeps of it (no comments, parens) */
	struct { size_t off, len; } tok[ZONE_LEX_TOKENS];
};

struct zone_scan {
	char domain[DOMAIN_MAX + 2]; /* absolute: "example.com." */
	const char *buf;          /* the text with CR LF made LF */
	size_t len;
	ldns_rdf *apex;
	ldns_rdf *origin;         /* ldns state carried from record to record */
	ldns_rdf *prev;
	uint32_t ttl;
	int max_records;
	int records;              /* as read, before duplicates are dropped */
	int seen_record;
	int have_origin, have_ttl; /* seen before the first record */
	ldns_rr *soa;
	int64_t serial;
	ldns_rr_list *rrs;        /* file order */
	int *lines;               /* line of each of rrs */
	size_t lines_cap;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 3, 4)))
zone_fail(struct zone_scan *sc, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sc->err && sc->errlen) {
		if (line > 0)
			snprintf(sc->err, sc->errlen, "line %d: %s", line, msg);
		else
			snprintf(sc->err, sc->errlen, "%s", msg);
	}
	return DADNS_EPARSE;
}

/* Refuse NUL and control octets (tab and line feed aside) and a CR that is
 * not part of a CR LF; copy the text with every CR LF made LF into *out
 * (caller frees), with room for one more newline and a NUL. */
static int zone_clean(struct zone_scan *sc, const char *text, size_t len, char **out,
		      size_t *outlen)
{
	char *buf = xmalloc(len + 2);
	size_t i, n = 0;
	int line = 1, rc = 0;

	for (i = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		if (c == '\0')
			rc = zone_fail(sc, line, "NUL byte in zone text");
		else if (c == '\r')
			rc = zone_fail(sc, line, "carriage return without line feed");
		else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			rc = zone_fail(sc, line, "control character 0x%02x", c);
		line += c == '\n';
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	if (rc != 0) {
		free(buf);
		buf = NULL;
	}
	*out = buf;
	*outlen = n;
	return rc;
}

/* Skip blanks, empty lines and comments from *pos (always a line start).
 * Returns the offset of the line holding the next significant octet. */
static size_t zone_lex_skip(const char *b, size_t len, size_t *pos, int *line)
{
	size_t i = *pos, ls = *pos;

	while (i < len) {
		if (b[i] == ' ' || b[i] == '\t') {
			i++;
		} else if (b[i] == '\n') {
			(*line)++;
			ls = ++i;
		} else if (b[i] == ';') {
			while (i < len && b[i] != '\n')
				i++;
		} else {
			break;
		}
	}
	*pos = i;
	return ls;
}

static void zone_lex_tok_end(struct zone_lex *r, size_t *tstart, size_t i)
{
	if (*tstart == (size_t)-1)
		return;
	if (r->ntok < ZONE_LEX_TOKENS) {
		r->tok[r->ntok].off = *tstart;
		r->tok[r->ntok].len = i - *tstart;
	}
	r->ntok++;
	*tstart = (size_t)-1;
}

/* NSD (4.6) refuses a word that starts with '.' (other than "." alone) and
 * a '$' that starts a word or a label in a record; so do we. */
static int zone_lex_word(struct zone_scan *sc, const struct zone_lex *r, size_t i, size_t ts,
			 int line)
{
	const char *b = sc->buf;

	if (r->col0 && b[r->start] == '$')
		return 0;   /* a directive: checked as a whole */
	if (b[i] == '$' && (ts == (size_t)-1 || b[i - 1] == '.'))
		return zone_fail(sc, line, "'$' at the start of a word or label");
	if (b[i] == '.' && ts == (size_t)-1 && i + 1 < sc->len && !strchr(" \t\n();", b[i + 1]))
		return zone_fail(sc, line, "a word starts with '.'");
	return 0;
}

/* A quoted string or an escape at b[*i]; *i moves to its last octet. */
static int zone_lex_quoted(struct zone_scan *sc, struct zone_lex *r, size_t *i, size_t *ts,
			   int line)
{
	const char *b = sc->buf;
	size_t j = *i, len = sc->len;

	if (b[j] == '\\') {
		if (j + 1 >= len || b[j + 1] == '\n')
			return zone_fail(sc, line, "backslash at end of line");
		if (*ts == (size_t)-1)
			*ts = j;
		*i = j + 1;
		r->content += 2;
		return 0;
	}
	if (*ts != (size_t)-1)
		return zone_fail(sc, line, "quote inside a word");
	for (j++; j < len && b[j] != '"' && b[j] != '\n'; j++)
		if (b[j] == '\\' && j + 1 < len && b[j + 1] != '\n')
			j++;
	if (j >= len || b[j] == '\n')
		return zone_fail(sc, line, "unterminated quoted string");
	r->content += j - *i + 1;
	*ts = *i;
	zone_lex_tok_end(r, ts, j + 1);
	*i = j;
	return 0;
}

/* The next logical record from *pos. Returns 1 and fills *r, 0 at the end
 * of the text, DADNS_EPARSE (err set) for unbalanced quotes/parentheses. */
static int zone_lex_next(struct zone_scan *sc, size_t *pos, int *line, struct zone_lex *r)
{
	const char *b = sc->buf;
	size_t i, ts = (size_t)-1, len = sc->len;
	int depth = 0, pline = 0, rc = 0;

	memset(r, 0, sizeof(*r));
	r->start = zone_lex_skip(b, len, pos, line);
	if (*pos >= len)
		return 0;
	r->line = *line;
	r->col0 = *pos == r->start;
	for (i = *pos; i < len && rc == 0; i++) {
		char c = b[i];

		if (c == '"' || c == '\\') {
			rc = zone_lex_quoted(sc, r, &i, &ts, *line);
			continue;
		}
		if (c && strchr(" \t\n();", c))
			zone_lex_tok_end(r, &ts, i);
		if (c == ';') {
			while (i + 1 < len && b[i + 1] != '\n')
				i++;
		} else if (c == '(') {
			if (depth++ == 0)
				pline = *line;
		} else if (c == ')') {
			if (--depth < 0)
				rc = zone_fail(sc, *line, "')' without '('");
		} else if (c == '\n') {
			(*line)++;
			if (depth == 0) {
				i++;
				break;
			}
		} else {
			rc = c == ' ' || c == '\t' ? 0 : zone_lex_word(sc, r, i, ts, *line);
			if (c != ' ' && c != '\t' && ts == (size_t)-1)
				ts = i;
			r->content++;
		}
	}
	if (rc != 0)
		return rc;
	zone_lex_tok_end(r, &ts, i);
	if (depth > 0)
		return zone_fail(sc, pline, "'(' not closed");
	r->end = i;
	*pos = i;
	return 1;
}

/* Token i of r as a NUL-terminated string in dst; 0 when absent or long. */
static int zone_tok(const struct zone_scan *sc, const struct zone_lex *r, int i, char *dst)
{
	if (i < 0 || i >= r->ntok || i >= ZONE_LEX_TOKENS || r->tok[i].len >= ZONE_TOK_MAX)
		return 0;
	memcpy(dst, sc->buf + r->tok[i].off, r->tok[i].len);
	dst[r->tok[i].len] = '\0';
	return 1;
}

/* A TTL or SOA timer as BIND reads it ("3600", "1h30m"), at most max:
 * ldns must read all of it, and it must not overflow. */
static int zone_period_ok(const char *s, uint64_t max)
{
	static const char units[] = "smhdw";
	static const uint64_t mult[] = { 1, 60, 3600, 86400, 604800 };
	const char *end = NULL, *u;
	uint64_t total = 0, cur = 0;
	int digits = 0, unit = 0;

	if (!*s || !isdigit((unsigned char)*s))
		return 0;
	(void)ldns_str2period(s, &end);
	if (!end || *end)
		return 0;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			cur = cur * 10 + (uint64_t)(*s - '0');
			if (++digits > 10)
				return 0;
			continue;
		}
		u = strchr(units, tolower((unsigned char)*s));
		if (!u || !digits)
			return 0;
		total += cur * mult[u - units];
		cur = 0;
		digits = 0;
		unit = 1;
	}
	if (digits && unit)    /* "1h30": BIND wants a unit after every number */
		return 0;
	total += cur;
	return total <= max;
}

/* Checks of a directive line ($ORIGIN, $TTL); everything else is refused.
 * ldns itself then reads it and updates its state. */
static int zone_directive(struct zone_scan *sc, const struct zone_lex *r)
{
	char kw[ZONE_TOK_MAX], arg[ZONE_TOK_MAX];
	size_t alen;

	if (!zone_tok(sc, r, 0, kw))
		return zone_fail(sc, r->line, "unknown directive");
	if (strcasecmp(kw, "$INCLUDE") == 0)
		return zone_fail(sc, r->line, "$INCLUDE is not allowed");
	if (strcasecmp(kw, "$GENERATE") == 0)
		return zone_fail(sc, r->line, "$GENERATE is not allowed");
	if (strcmp(kw, "$ORIGIN") != 0 && strcmp(kw, "$TTL") != 0)
		return zone_fail(sc, r->line, "unknown directive %s", kw);
	if (r->ntok != 2 || !zone_tok(sc, r, 1, arg))
		return zone_fail(sc, r->line, "%s takes exactly one argument", kw);
	if (strcmp(kw, "$TTL") == 0) {
		if (!zone_period_ok(arg, ZONE_TTL_MAX))
			return zone_fail(sc, r->line, "invalid $TTL '%s'", arg);
		if (!sc->seen_record)
			sc->have_ttl = 1;
		return 0;
	}
	alen = strlen(arg);
	if (alen < 2 || arg[alen - 1] != '.' || arg[alen - 2] == '\\')
		return zone_fail(sc, r->line, "$ORIGIN must be an absolute name ending in '.'");
	if (!sc->seen_record)
		sc->have_origin = 1;
	return 0;
}

/* Index of the type token of a record, read the way ldns reads it: owner
 * (unless the line starts blank), TTL when it starts with a digit, class
 * when it names one. *ttl_i gets the index of the TTL, or -1. */
static int zone_type_index(const struct zone_scan *sc, const struct zone_lex *r, int *ttl_i)
{
	char t[ZONE_TOK_MAX];
	int i = r->col0 ? 1 : 0;

	*ttl_i = -1;
	if (i < r->ntok && i < ZONE_LEX_TOKENS &&
	    isdigit((unsigned char)sc->buf[r->tok[i].off]))
		*ttl_i = i++;
	if (zone_tok(sc, r, i, t) && ldns_get_rr_class_by_name(t) != 0)
		i++;
	return i;
}

/* Lexical checks ldns does not make: the TTL as written, and an owner
 * for a record that starts blank. *explicit_ttl: the record has a TTL. */
static int zone_check_tokens(struct zone_scan *sc, const struct zone_lex *r, int *explicit_ttl)
{
	char t[ZONE_TOK_MAX];
	int ttl_i, ti = zone_type_index(sc, r, &ttl_i);

	*explicit_ttl = ttl_i >= 0;
	if (!r->col0 && !sc->prev)
		return zone_fail(sc, r->line, "no owner name (the line starts with a blank)");
	/* ldns reads any owner that starts with '@' as the origin */
	if (r->col0 && sc->buf[r->tok[0].off] == '@' && r->tok[0].len > 1)
		return zone_fail(sc, r->line, "invalid owner name '%.*s'",
				 (int)(r->tok[0].len > 20 ? 20 : r->tok[0].len),
				 sc->buf + r->tok[0].off);
	if (ttl_i >= 0 && (!zone_tok(sc, r, ttl_i, t) || !zone_period_ok(t, ZONE_TTL_MAX)))
		return zone_fail(sc, r->line, "invalid TTL '%.*s'",
				 (int)(r->tok[ttl_i].len > 20 ? 20 : r->tok[ttl_i].len),
				 sc->buf + r->tok[ttl_i].off);
	if (zone_tok(sc, r, ti, t) && isdigit((unsigned char)t[0]))
		return zone_fail(sc, r->line, "the TTL must come before the class");
	return 0;
}

/* ldns (1.8) truncates numbers too big for their field (MX 70000 is read
 * as 4464, a serial of 2^32 as 0): compare the leading numeric fields of
 * the record with their tokens. Stops at the first field that may span
 * several tokens, and for RFC 3597 "\#" data. */
static int zone_check_numbers(struct zone_scan *sc, const struct zone_lex *r, const ldns_rr *rr)
{
	char t[ZONE_TOK_MAX], *end;
	int ttl_i, ti = zone_type_index(sc, r, &ttl_i);
	unsigned long long v, max;
	size_t i;

	if (zone_tok(sc, r, ti + 1, t) && strcmp(t, "\\#") == 0)
		return 0;
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		switch (ldns_rdf_get_type(ldns_rr_rdf(rr, i))) {
		case LDNS_RDF_TYPE_INT8: max = UINT8_MAX; break;
		case LDNS_RDF_TYPE_INT16: max = UINT16_MAX; break;
		case LDNS_RDF_TYPE_INT32: max = UINT32_MAX; break;
		case LDNS_RDF_TYPE_PERIOD: max = 0; break;
		case LDNS_RDF_TYPE_DNAME: case LDNS_RDF_TYPE_A: case LDNS_RDF_TYPE_AAAA:
			continue;
		default:
			return 0;
		}
		if (ti + 1 + (int)i >= r->ntok || ti + 1 + (int)i >= ZONE_LEX_TOKENS)
			return 0;
		if (!zone_tok(sc, r, ti + 1 + (int)i, t))
			return zone_fail(sc, r->line, "number out of range");
		errno = 0;
		v = strtoull(t, &end, 10);
		if (max == 0 ? !zone_period_ok(t, UINT32_MAX)
			     : (!isdigit((unsigned char)t[0]) || *end || errno || v > max))
			return zone_fail(sc, r->line, "number out of range '%s'", t);
	}
	return 0;
}

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
	if (directive)
		return st == LDNS_STATUS_SYNTAX_TTL || st == LDNS_STATUS_SYNTAX_ORIGIN
			       ? 0 : zone_fail_ldns(sc, r, 1, st);
	if (st != LDNS_STATUS_OK || !rr)
		return zone_fail_ldns(sc, r, 0, st);
	rc = zone_check_numbers(sc, r, rr);
	if (rc == 0)
		rc = zone_check_rr(sc, r, rr);   /* last: it may keep rr as the SOA */
	if (rc != 0) {
		ldns_rr_free(rr);
		return rc;
	}
	/* ldns puts its own default (3600) where BIND puts "$TTL 0" */
	if (!explicit_ttl && sc->ttl == 0)
		ldns_rr_set_ttl(rr, 0);
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
	if (!sc.have_ttl)
		strbuf_printf(&sb, "$TTL %d\n", ZONE_DEFAULT_TTL);
	strbuf_append(&sb, sc.buf, sc.len);
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
