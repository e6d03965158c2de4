/* SPDX-License-Identifier: BSD-3-Clause */
/* zone_lex.h -- internal to the zone module: only zone.c and zone_lex.c include it */
#ifndef DADNS_ZONE_LEX_H
#define DADNS_ZONE_LEX_H

#include <stddef.h>
#include <stdint.h>
#include <ldns/ldns.h>

#include "lib/domain.h"

/*
 * What zone.c and zone_lex.c share: the state of one scan of a zone text
 * (struct zone_scan) and one logical record as the lexer saw it (struct
 * zone_lex), the lexer that finds the records, and the checks of their
 * tokens that ldns does not make. The design is at the top of zone.c; no
 * other file includes this header (the zone module's interface is zone.h).
 */

#define ZONE_LEX_TOKENS 12
#define ZONE_TOK_MAX 256           /* a name as written, or less */

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
	uint32_t ttl;             /* ldns's default TTL */
	int dflt_known, last_known; /* BIND's TTL state (zone_ttl.c) */
	uint32_t dflt_ttl, last_ttl;
	struct { size_t off; uint32_t ttl; } *ins; /* TTLs to write in, by offset */
	size_t nins, ins_cap;
	int nottl_line;           /* first record BIND finds no TTL for */
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

/* Set sc->err to "line N: message" (no line when line <= 0); returns
 * DADNS_EPARSE. */
int __attribute__((format(printf, 3, 4)))
zone_fail(struct zone_scan *sc, int line, const char *fmt, ...);

/* Refuse NUL and control octets and a lone CR; *out (caller frees) gets the
 * text with CR LF made LF. 0 or DADNS_EPARSE. */
int zone_clean(struct zone_scan *sc, const char *text, size_t len, char **out, size_t *outlen);

/* Skip blanks, empty lines and comments from *pos (a line start); returns
 * the offset of the line holding the next significant octet. */
size_t zone_lex_skip(const char *b, size_t len, size_t *pos, int *line);

/* The next logical record from *pos: 1 with *r filled, 0 at the end of the
 * text, DADNS_EPARSE (err set) for unbalanced quotes/parentheses. */
int zone_lex_next(struct zone_scan *sc, size_t *pos, int *line, struct zone_lex *r);

/* Token i of r as a string in dst (ZONE_TOK_MAX octets); 0 when absent or
 * too long. */
int zone_tok(const struct zone_scan *sc, const struct zone_lex *r, int i, char *dst);

/* Index of the type token of a record as ldns reads it; *ttl_i gets the
 * index of the TTL, or -1. */
int zone_type_index(const struct zone_scan *sc, const struct zone_lex *r, int *ttl_i);

/* Checks of a directive line ($ORIGIN, $TTL; anything else is refused). */
int zone_directive(struct zone_scan *sc, const struct zone_lex *r);

/* Checks of a record's tokens ldns does not make (TTL, owner);
 * *explicit_ttl: the record has a TTL. */
int zone_check_tokens(struct zone_scan *sc, const struct zone_lex *r, int *explicit_ttl);

/* Numbers too big for their field, which ldns truncates. */
int zone_check_numbers(struct zone_scan *sc, const struct zone_lex *r, const ldns_rr *rr);

/* A $TTL line was read (ldns set sc->ttl). */
void zone_ttl_directive(struct zone_scan *sc);

/* Give rr (read from r, without a TTL unless explicit_ttl) the TTL BIND
 * gives it; when there is none, zone_ttl_check refuses the zone. 0. */
int zone_ttl_resolve(struct zone_scan *sc, const struct zone_lex *r, ldns_rr *rr,
		     int explicit_ttl);

/* After the zone-wide checks: refuse a record that had no TTL. */
int zone_ttl_check(struct zone_scan *sc);

/* The text as stored: sc->buf with the TTLs of zone_ttl_resolve written in. */
struct strbuf;
void zone_ttl_write(const struct zone_scan *sc, struct strbuf *sb);

#endif
