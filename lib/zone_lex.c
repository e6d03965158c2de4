/* SPDX-License-Identifier: BSD-3-Clause */
/* zone_lex.c -- the lexer in front of libldns and the token checks of zone.c (see zone_lex.h) */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/util.h"
#include "lib/zone_lex.h"

#define ZONE_TTL_MAX 2147483647u  /* RFC 2181 section 8 */

int zone_fail(struct zone_scan *sc, int line, const char *fmt, ...)
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
int zone_clean(struct zone_scan *sc, const char *text, size_t len, char **out, size_t *outlen)
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
size_t zone_lex_skip(const char *b, size_t len, size_t *pos, int *line)
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
int zone_lex_next(struct zone_scan *sc, size_t *pos, int *line, struct zone_lex *r)
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
int zone_tok(const struct zone_scan *sc, const struct zone_lex *r, int i, char *dst)
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
int zone_directive(struct zone_scan *sc, const struct zone_lex *r)
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
int zone_type_index(const struct zone_scan *sc, const struct zone_lex *r, int *ttl_i)
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

/* "TYPE65534x", "CLASS1x" or "TYPE99999": ldns reads a number, ignoring
 * the rest or wrapping it (then reads the record differently with a TTL in
 * front); BIND refuses them. */
static int zone_generic_bad(const char *t)
{
	size_t p = strncasecmp(t, "TYPE", 4) == 0 ? 4 : strncasecmp(t, "CLASS", 5) == 0 ? 5 : 0;
	unsigned long v = 0;
	size_t digits = 0;

	if (p == 0)
		return 0;
	if (!t[p])
		return 0;   /* plain "TYPE": ldns refuses it itself */
	for (; t[p]; p++, digits++) {
		if (!isdigit((unsigned char)t[p]) || digits >= 5)
			return 1;
		v = v * 10 + (unsigned long)(t[p] - '0');
	}
	return v > 65535;
}

/* Lexical checks ldns does not make: the TTL as written, and an owner
 * for a record that starts blank. *explicit_ttl: the record has a TTL. */
int zone_check_tokens(struct zone_scan *sc, const struct zone_lex *r, int *explicit_ttl)
{
	char t[ZONE_TOK_MAX];
	int i, ttl_i, ti = zone_type_index(sc, r, &ttl_i);

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
	for (i = r->col0 ? 1 : 0; i <= ti; i++)
		if (zone_tok(sc, r, i, t) && zone_generic_bad(t))
			return zone_fail(sc, r->line, "invalid type or class '%.20s'", t);
	return 0;
}

/* ldns (1.8) truncates numbers too big for their field (MX 70000 is read
 * as 4464, a serial of 2^32 as 0): compare the leading numeric fields of
 * the record with their tokens. Stops at the first field that may span
 * several tokens, and for RFC 3597 "\#" data. */
int zone_check_numbers(struct zone_scan *sc, const struct zone_lex *r, const ldns_rr *rr)
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
