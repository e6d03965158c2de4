/* SPDX-License-Identifier: BSD-3-Clause */
/* peer.c -- what dadns nodes tell each other: JSON of /internal/..., serial order, peer URLs */
#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/peer.h"
#include "lib/util.h"
#include "lib/zone.h"

#define SERIAL_MAX 4294967295LL
#define HALF 2147483648LL

int peer_serial_cmp(int64_t a, int64_t b)
{
	if (a < 0 || b < 0 || a > SERIAL_MAX || b > SERIAL_MAX)
		return PEER_SERIAL_UNDEFINED;
	if (a == b)
		return 0;
	/* RFC 1982 3.2: a < b when (a < b and b - a < 2^31) or
	 * (a > b and a - b > 2^31). */
	if ((a < b && b - a < HALF) || (a > b && a - b > HALF))
		return -1;
	if ((a < b && b - a > HALF) || (a > b && a - b < HALF))
		return 1;
	return PEER_SERIAL_UNDEFINED;
}

int peer_zone_newer(int64_t sa, int64_t ua, int64_t sb, int64_t ub)
{
	int c = peer_serial_cmp(sa, sb);

	if (c == -1 || c == 1)
		return c;
	return ua > ub ? 1 : ua < ub ? -1 : 0;
}

/* Bounds on the work before jansson sees a text: its nesting depth and
 * its number of values (commas + 1), counted outside strings. 0 within,
 * 1 too deep, 2 too many values. */
static int json_precheck(const char *s, size_t len, int max, size_t max_values)
{
	int depth = 0, in_str = 0, esc = 0;
	size_t i, values = 1;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '[' || c == '{') {
			if (++depth > max)
				return 1;
		} else if (c == ']' || c == '}') {
			depth--;
		} else if (c == ',' && ++values > max_values) {
			return 2;
		}
	}
	return 0;
}

/* Load body as a JSON value of the wanted type (JSON_ARRAY/JSON_OBJECT). */
static int load(const char *body, size_t len, json_type want, json_t **out, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j;

	*out = NULL;
	if (!body || len == 0) {
		snprintf(err, errlen, "empty answer");
		return DADNS_EPARSE;
	}
	if (len > (size_t)PEER_JSON_MAX) {
		snprintf(err, errlen, "answer of %zu octets is over the limit of %ld", len, PEER_JSON_MAX);
		return DADNS_E2BIG;
	}
	switch (json_precheck(body, len, PEER_JSON_DEPTH, PEER_JSON_VALUES)) {
	case 1:
		snprintf(err, errlen, "JSON nested deeper than %d", PEER_JSON_DEPTH);
		return DADNS_E2BIG;
	case 2:
		snprintf(err, errlen, "JSON with more than %d values", PEER_JSON_VALUES);
		return DADNS_E2BIG;
	}
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		snprintf(err, errlen, "invalid JSON at line %d column %d: %s", je.line, je.column, je.text);
		return DADNS_EPARSE;
	}
	if (json_typeof(j) != want) {
		snprintf(err, errlen, "JSON %s expected", want == JSON_ARRAY ? "array" : "object");
		json_decref(j);
		return DADNS_EPARSE;
	}
	if (want == JSON_ARRAY && json_array_size(j) > PEER_LIST_MAX) {
		snprintf(err, errlen, "list of %zu entries is over the limit of %d", json_array_size(j),
			 PEER_LIST_MAX);
		json_decref(j);
		return DADNS_E2BIG;
	}
	*out = j;
	return 0;
}

/* An integer field in [min, max]. */
static int get_int(json_t *o, const char *key, int64_t min, int64_t max, int64_t *out,
		   char *why, size_t whylen)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	if (!v || !json_is_integer(v)) {
		snprintf(why, whylen, "%s: an integer is required", key);
		return -1;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		snprintf(why, whylen, "%s: %lld out of range", key, (long long)n);
		return -1;
	}
	*out = (int64_t)n;
	return 0;
}

static int get_domain(json_t *o, char out[DOMAIN_MAX + 1], char *why, size_t whylen)
{
	json_t *v = json_object_get(o, "domain");

	if (!v || !json_is_string(v)) {
		snprintf(why, whylen, "domain: a string is required");
		return -1;
	}
	if (domain_normalize(json_string_value(v), json_string_length(v), out) < 0) {
		snprintf(why, whylen, "domain '%.64s': not a valid DNS name", json_string_value(v));
		return -1;
	}
	return 0;
}

/* hostname and username: absent, null or "" are empty; else checked as the
 * intake checks a DA push. */
static int get_owner(json_t *o, struct peer_zone_entry *e, char *why, size_t whylen)
{
	json_t *h = json_object_get(o, "hostname"), *u = json_object_get(o, "username");

	e->hostname[0] = e->username[0] = '\0';
	if (h && !json_is_null(h) && (!json_is_string(h) || json_string_length(h) > 0)) {
		if (!json_is_string(h) || json_string_length(h) != strlen(json_string_value(h)) ||
		    zone_owner_hostname(json_string_value(h), e->hostname, sizeof(e->hostname)) < 0) {
			snprintf(why, whylen, "hostname: invalid");
			return -1;
		}
	}
	if (u && !json_is_null(u) && (!json_is_string(u) || json_string_length(u) > 0)) {
		if (!json_is_string(u) || !zone_owner_username_ok(json_string_value(u))) {
			snprintf(why, whylen, "username: invalid");
			return -1;
		}
		snprintf(e->username, sizeof(e->username), "%s", json_string_value(u));
	}
	return 0;
}

static int entry_from(json_t *o, struct peer_zone_entry *e, char *why, size_t whylen)
{
	memset(e, 0, sizeof(*e));
	if (!json_is_object(o)) {
		snprintf(why, whylen, "entry is not an object");
		return -1;
	}
	if (get_domain(o, e->domain, why, whylen) < 0 ||
	    get_int(o, "serial", 0, SERIAL_MAX, &e->serial, why, whylen) < 0 ||
	    get_int(o, "zone_updated_at", 0, INT64_MAX, &e->updated_at, why, whylen) < 0 ||
	    get_owner(o, e, why, whylen) < 0)
		return -1;
	return 0;
}

static void skip(size_t *skipped, char *reason, size_t rlen, size_t i, const char *why)
{
	if ((*skipped)++ == 0)
		snprintf(reason, rlen, "entry %zu: %s", i, why);
}

int peer_parse_zone_list(const char *body, size_t len, struct peer_zone_list *out, char *err,
			 size_t errlen)
{
	char why[128];
	json_t *j, *o;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = load(body, len, JSON_ARRAY, &j, err, errlen);
	if (rc < 0)
		return rc;
	out->v = xcalloc(json_array_size(j) + 1, sizeof(*out->v));
	json_array_foreach(j, i, o) {
		if (entry_from(o, &out->v[out->n], why, sizeof(why)) < 0) {
			skip(&out->skipped, out->skip_reason, sizeof(out->skip_reason), i, why);
			continue;
		}
		out->n++;
	}
	json_decref(j);
	return 0;
}

void peer_zone_list_deinit(struct peer_zone_list *l)
{
	if (!l)
		return;
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int peer_parse_zone(const char *body, size_t len, size_t max_zone, struct peer_zone *out, char *err,
		    size_t errlen)
{
	json_t *j, *z;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = load(body, len, JSON_OBJECT, &j, err, errlen);
	if (rc < 0)
		return rc;
	rc = DADNS_EPARSE;
	if (entry_from(j, &out->e, err, errlen) < 0)
		goto out;
	z = json_object_get(j, "zone_data");
	if (!z || !json_is_string(z)) {
		snprintf(err, errlen, "zone_data: a string is required");
		goto out;
	}
	if (json_string_length(z) > max_zone) {
		snprintf(err, errlen, "zone_data of %zu octets is over the limit of %zu",
			 json_string_length(z), max_zone);
		rc = DADNS_E2BIG;
		goto out;
	}
	/* JSON_ALLOW_NUL is not set, so jansson refused "\u0000" already. */
	out->zone_len = json_string_length(z);
	out->zone_data = xstrndup(json_string_value(z), out->zone_len);
	rc = 0;
out:
	json_decref(j);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

void peer_zone_deinit(struct peer_zone *z)
{
	if (!z)
		return;
	free(z->zone_data);
	memset(z, 0, sizeof(*z));
}

int peer_parse_tombstones(const char *body, size_t len, struct peer_tombstone_list *out, char *err,
			  size_t errlen)
{
	char why[128];
	json_t *j, *o;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = load(body, len, JSON_ARRAY, &j, err, errlen);
	if (rc < 0)
		return rc;
	out->v = xcalloc(json_array_size(j) + 1, sizeof(*out->v));
	json_array_foreach(j, i, o) {
		struct peer_tombstone *t = &out->v[out->n];

		if (!json_is_object(o)) {
			skip(&out->skipped, out->skip_reason, sizeof(out->skip_reason), i,
			     "entry is not an object");
			continue;
		}
		if (get_domain(o, t->domain, why, sizeof(why)) < 0 ||
		    get_int(o, "serial", 0, SERIAL_MAX, &t->serial, why, sizeof(why)) < 0 ||
		    get_int(o, "deleted_at", 0, INT64_MAX, &t->deleted_at, why, sizeof(why)) < 0) {
			skip(&out->skipped, out->skip_reason, sizeof(out->skip_reason), i, why);
			continue;
		}
		out->n++;
	}
	json_decref(j);
	return 0;
}

void peer_tombstone_list_deinit(struct peer_tombstone_list *l)
{
	if (!l)
		return;
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int peer_url_normalize(const char *in, char out[PEER_URL_MAX])
{
	size_t skip_len, i, len = strlen(in), n;
	const char *host;

	if (!strncasecmp(in, "http://", 7))
		skip_len = 7;
	else if (!strncasecmp(in, "https://", 8))
		skip_len = 8;
	else
		return DADNS_EINVAL;
	host = in + skip_len;
	if (*host == '\0' || *host == '/' || *host == ':' || len + 2 > PEER_URL_MAX)
		return DADNS_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c <= 0x20 || c >= 0x7f || strchr("\"'\\@?#<>`{}|^", c))
			return DADNS_EINVAL;
	}
	for (i = 0; i < skip_len; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	/* The host part is compared case-insensitively too: lower it up to
	 * the first '/'; a path keeps its case. */
	for (n = skip_len; in[n] && in[n] != '/'; n++)
		out[n] = (char)tolower((unsigned char)in[n]);
	memcpy(out + n, in + n, len - n);
	while (len > skip_len && out[len - 1] == '/')
		len--;
	out[len++] = '/';
	out[len] = '\0';
	return 0;
}

int peer_url_name(const char *url, char *out, size_t outlen)
{
	const char *s = strstr(url, "://");
	size_t len;

	s = s ? s + 3 : url;
	len = strlen(s);
	while (len > 0 && s[len - 1] == '/')
		len--;
	if (len == 0 || len >= outlen)
		return DADNS_EINVAL;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int peer_parse_peer_list(const char *body, size_t len, struct peer_url_list *out, char *err,
			 size_t errlen)
{
	char url[PEER_URL_MAX];
	json_t *j, *o;
	size_t i, k;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = load(body, len, JSON_ARRAY, &j, err, errlen);
	if (rc < 0)
		return rc;
	out->v = xcalloc(json_array_size(j) + 1, sizeof(*out->v));
	json_array_foreach(j, i, o) {
		if (!json_is_string(o) || json_string_length(o) != strlen(json_string_value(o)) ||
		    peer_url_normalize(json_string_value(o), url) < 0) {
			skip(&out->skipped, out->skip_reason, sizeof(out->skip_reason), i,
			     "not an http:// or https:// URL");
			continue;
		}
		for (k = 0; k < out->n && strcmp(out->v[k], url) != 0; k++)
			;
		if (k < out->n)
			continue;
		if (out->n == PEER_PEERS_MAX) {
			skip(&out->skipped, out->skip_reason, sizeof(out->skip_reason), i,
			     "more peers than the limit");
			continue;
		}
		out->v[out->n++] = xstrdup(url);
	}
	json_decref(j);
	return 0;
}

void peer_url_list_deinit(struct peer_url_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int v4_forbidden(const unsigned char *a)
{
	return a[0] == 0 || (a[0] == 169 && a[1] == 254) || a[0] >= 224;
}

int peer_addr_forbidden(int family, const void *addr)
{
	static const unsigned char aws[16] = { 0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54 };
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char zero[16];
	const unsigned char *a = addr;

	if (family == AF_INET)
		return v4_forbidden(a);
	if (family != AF_INET6)
		return 1;
	if (!memcmp(a, mapped, sizeof(mapped)))
		return v4_forbidden(a + 12);
	return !memcmp(a, zero, sizeof(zero)) || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || a[0] == 0xff ||
	       !memcmp(a, aws, sizeof(aws));
}

int peer_url_discoverable(const char *url)
{
	const char *h = strstr(url, "://"), *end;
	char host[PEER_URL_MAX];
	unsigned char a6[16];
	struct in_addr a4;
	size_t len;

	if (!h)
		return DADNS_EPERM;
	h += 3;
	if (*h == '[') {
		end = strchr(++h, ']');
		if (!end)
			return DADNS_EPERM;
	} else {
		end = h + strcspn(h, ":/");
	}
	len = (size_t)(end - h);
	if (len == 0 || len >= sizeof(host))
		return DADNS_EPERM;
	memcpy(host, h, len);
	host[len] = '\0';
	if (inet_pton(AF_INET6, host, a6) == 1)
		return peer_addr_forbidden(AF_INET6, a6) ? DADNS_EPERM : 0;
	/* inet_aton, not inet_pton: it reads "2852039166" and "0xa9fea9fe" as
	 * the resolver and libcurl do. */
	if (inet_aton(host, &a4))
		return peer_addr_forbidden(AF_INET, &a4) ? DADNS_EPERM : 0;
	return 0;
}
