/* SPDX-License-Identifier: BSD-3-Clause */
/* xfr.c -- a primary's transfer settings: parse, check, render (xfr.h) */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "lib/xfr.h"

#define XFR_TOKEN_MAX 80

/* Control bytes out of a text shown in a one-line message. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

static char *steal(struct strbuf *b)
{
	char *p = strbuf_steal(b);

	return p ? p : xstrdup("");
}

/* The next item of s (separated by spaces, tabs or commas) into tok;
 * returns the position after it, or NULL at the end. *toolong is set when
 * an item does not fit. */
static const char *next_item(const char *s, char *tok, size_t len, int *toolong)
{
	size_t n;

	s += strspn(s, " \t,");
	if (!*s)
		return NULL;
	n = strcspn(s, " \t,");
	*toolong = n >= len;
	if (*toolong)
		n = len - 1;
	memcpy(tok, s, n);
	tok[n] = '\0';
	return s + strcspn(s, " \t,");
}

/* A numeric address into a (normalized); 0 or -1. */
static int parse_addr(const char *s, struct xfr_addr *a)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1) {
		a->v6 = 0;
	} else if (inet_pton(AF_INET6, s, buf) == 1) {
		a->v6 = 1;
	} else {
		return -1;
	}
	inet_ntop(a->v6 ? AF_INET6 : AF_INET, buf, a->addr, sizeof(a->addr));
	return 0;
}

/* Decimal digits only, lo..hi; the value or -1. */
static int parse_num(const char *s, int lo, int hi)
{
	long v = 0;

	if (!*s || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s))
		return -1;
	v = strtol(s, NULL, 10);
	return v < lo || v > hi ? -1 : (int)v;
}

static int notify_item(char *tok, struct xfr_addr *a)
{
	char *at, *host = tok;

	a->port = 53;
	if (*tok == '[') {
		char *close = strchr(tok, ']');
		if (!close || (close[1] && close[1] != '@'))
			return -1;
		*close = '\0';
		host = tok + 1;
		at = close[1] ? close + 1 : NULL;
	} else {
		at = strrchr(tok, '@');
		if (at)
			*at = '\0';
	}
	if (at && (a->port = parse_num(at + 1, 1, 65535)) < 0)
		return -1;
	return parse_addr(host, a);
}

static int allow_item(char *tok, struct xfr_addr *a)
{
	char *slash;
	unsigned char buf[16];
	int i;

	a->nokey = !strncmp(tok, "nokey:", 6);
	if (a->nokey)
		tok += 6;
	slash = strchr(tok, '/');

	if (slash)
		*slash = '\0';
	if (parse_addr(tok, a) < 0)
		return -1;
	a->prefix = a->v6 ? 128 : 32;
	if (slash && (a->prefix = parse_num(slash + 1, 0, a->v6 ? 128 : 32)) < 0)
		return -1;
	/* Host bits cleared: BIND refuses 10.1.2.3/8. */
	inet_pton(a->v6 ? AF_INET6 : AF_INET, a->addr, buf);
	for (i = 0; i < (a->v6 ? 16 : 4); i++) {
		int keep = a->prefix - i * 8;
		buf[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
	inet_ntop(a->v6 ? AF_INET6 : AF_INET, buf, a->addr, sizeof(a->addr));
	return 0;
}

static int parse_list(const char *s, const char *what, int (*item)(char *, struct xfr_addr *),
		      struct xfr_addr *out, size_t *n, char *err, size_t errlen)
{
	char tok[XFR_TOKEN_MAX], shown[XFR_TOKEN_MAX];
	int toolong;

	*n = 0;
	while (s && (s = next_item(s, tok, sizeof(tok), &toolong))) {
		if (*n == XFR_MAX_ITEMS) {
			snprintf(err, errlen, "%s: more than %d items", what, XFR_MAX_ITEMS);
			return DADNS_EINVAL;
		}
		memcpy(shown, tok, sizeof(shown));
		if (toolong || item(tok, &out[*n]) < 0) {
			printable(shown);
			snprintf(err, errlen, "%s: '%.*s%s' is not %s", what, 40, shown,
				 toolong || strlen(shown) > 40 ? "..." : "",
				 item == notify_item ? "ADDR[@PORT] (a numeric IPv4 or IPv6 address, "
						       "port 1-65535)"
						     : "[nokey:]ADDR[/LEN] (a numeric address or CIDR)");
			return DADNS_EINVAL;
		}
		(*n)++;
	}
	return 0;
}

int xfr_parse_notify(const char *s, struct xfr_conf *x, char *err, size_t errlen)
{
	return parse_list(s, "notify", notify_item, x->notify, &x->n_notify, err, errlen);
}

int xfr_parse_allow(const char *s, struct xfr_conf *x, char *err, size_t errlen)
{
	return parse_list(s, "allow_transfer", allow_item, x->allow, &x->n_allow, err, errlen);
}

int xfr_key_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n > 0 && n <= 63 && name[0] != '.' && name[0] != '-' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == n;
}

int xfr_conf_load(const struct config_backend *b, struct xfr_conf *x, char *err, size_t errlen)
{
	int rc;

	memset(x, 0, sizeof(*x));
	rc = xfr_parse_notify(b->notify, x, err, errlen);
	if (rc == 0)
		rc = xfr_parse_allow(b->allow_transfer, x, err, errlen);
	if (rc == 0 && b->tsig_key && *b->tsig_key) {
		x->key = b->tsig;
		if (!x->key || !xfr_key_name_ok(x->key->name)) {
			snprintf(err, errlen, "tsig_key: %s is not a [tsig NAME] section with a plain name",
				 b->tsig_key);
			rc = DADNS_EINVAL;
		}
	}
	return rc;
}

int xfr_conf_any(const struct xfr_conf *x)
{
	return x->n_notify || x->n_allow || x->key;
}

char *xfr_render_nsd(const struct xfr_conf *x)
{
	const char *key = x->key ? x->key->name : "NOKEY";
	struct strbuf b;
	size_t i;

	strbuf_init(&b);
	for (i = 0; i < x->n_notify; i++)
		strbuf_printf(&b, "\tnotify: %s@%d %s\n", x->notify[i].addr, x->notify[i].port, key);
	for (i = 0; i < x->n_allow; i++)
		strbuf_printf(&b, "\tprovide-xfr: %s/%d %s\n", x->allow[i].addr, x->allow[i].prefix,
			      x->allow[i].nokey ? "NOKEY" : key);
	if (x->n_allow == 0 && x->key) {
		strbuf_printf(&b, "\tprovide-xfr: 0.0.0.0/0 %s\n\tprovide-xfr: ::/0 %s\n", key, key);
	} else if (x->n_allow == 0) {
		for (i = 0; i < x->n_notify; i++)
			strbuf_printf(&b, "\tprovide-xfr: %s NOKEY\n", x->notify[i].addr);
		strbuf_puts(&b, "\tprovide-xfr: 127.0.0.1 NOKEY\n\tprovide-xfr: ::1 NOKEY\n");
	}
	return steal(&b);
}

char *xfr_render_bind(const struct xfr_conf *x)
{
	struct strbuf b;
	size_t i;

	strbuf_init(&b);
	/* explicit: only the secondaries listed, never every NS name of the zone */
	if (x->n_notify) {
		strbuf_puts(&b, " notify explicit; also-notify {");
		for (i = 0; i < x->n_notify; i++) {
			strbuf_printf(&b, " %s port %d", x->notify[i].addr, x->notify[i].port);
			if (x->key)
				strbuf_printf(&b, " key \"%s\"", x->key->name);
			strbuf_puts(&b, ";");
		}
		strbuf_puts(&b, " };");
	}
	if (x->n_allow || x->key) {
		size_t keyed = 0;

		strbuf_puts(&b, " allow-transfer {");
		/* unsigned ones first: nokey items, or every item without a key */
		for (i = 0; i < x->n_allow; i++) {
			if (x->key && !x->allow[i].nokey) {
				keyed++;
				continue;
			}
			strbuf_printf(&b, " %s/%d;", x->allow[i].addr, x->allow[i].prefix);
		}
		/* address AND key: !{ !A; !B; any; }; key K; (BIND ARM) */
		if (keyed) {
			strbuf_puts(&b, " !{");
			for (i = 0; i < x->n_allow; i++)
				if (!x->allow[i].nokey)
					strbuf_printf(&b, " !%s/%d;", x->allow[i].addr, x->allow[i].prefix);
			strbuf_puts(&b, " any; };");
		}
		if (x->key)
			strbuf_printf(&b, " key \"%s\";", x->key->name);
		strbuf_puts(&b, " };");
	}
	return steal(&b);
}

char *xfr_render_key(const struct xfr_conf *x, int nsd)
{
	if (!x->key)
		return NULL;
	if (nsd)
		return xasprintf("key:\n\tname: \"%s\"\n\talgorithm: %s\n\tsecret: \"%s\"\n", x->key->name,
				 x->key->algorithm, x->key->secret);
	return xasprintf("key \"%s\" { algorithm %s; secret \"%s\"; };\n", x->key->name,
			 x->key->algorithm, x->key->secret);
}
