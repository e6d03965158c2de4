/* SPDX-License-Identifier: BSD-3-Clause */
/* http.h -- request helpers: strict URL/form decoding, Basic auth, URL-encoded answers */
#ifndef DADNS_HTTP_H
#define DADNS_HTTP_H

#include <stddef.h>

#include "lib/util.h"

#define HTTP_FORM_MAX_PARAMS 10000  /* key=value pairs in one form */
#define HTTP_KEY_MAX 256            /* octets of one decoded key */
#define HTTP_AUTH_MAX 4096          /* octets of an Authorization header */

/* One decoded key=value pair. Both strings are NUL-terminated and hold no
 * NUL byte; value_len is strlen(value), kept because values may be large. */
struct http_param {
	char *key;
	char *value;
	size_t value_len;
};

/* The pairs of one or more URL-encoded strings, in input order; a key may
 * appear more than once. */
struct http_form {
	struct http_param *params;
	size_t n;
	size_t cap;
};

void http_form_init(struct http_form *f);
/* Frees every pair; f may be reused after http_form_init. */
void http_form_deinit(struct http_form *f);

/* Decode len octets of application/x-www-form-urlencoded text (a query
 * string or a body) and append its pairs to f. Strict:
 *   - raw octets must be printable ASCII other than space (0x21-0x7e);
 *   - '%' must be followed by two hex digits; "%00" (a NUL) is refused;
 *   - '+' is a space;
 *   - empty segments ("a=1&&b=2", a leading or trailing '&') are skipped;
 *   - an empty key ("=x", "=") is refused, as is a decoded key longer than
 *     HTTP_KEY_MAX or holding a control or non-ASCII octet; a segment
 *     without '=' is a key with an empty value;
 *   - more than HTTP_FORM_MAX_PARAMS pairs in f is refused (DADNS_E2BIG).
 * Returns 0, DADNS_EPARSE or DADNS_E2BIG; on error f holds the pairs it
 * held before the call. */
int http_form_parse(struct http_form *f, const char *s, size_t len);

/* Move every pair of src behind those of dst; src is left empty. */
void http_form_move(struct http_form *dst, struct http_form *src);

/* The value of the first pair named key, or NULL. Points into f. */
const char *http_form_get(const struct http_form *f, const char *key);

/* As http_form_get, but a key given more than once with different values
 * is ambiguous: returns 0 with *value set (pointing into f), DADNS_ENOENT
 * when key is absent (*value NULL), DADNS_EEXIST when it is given with
 * different values (*value NULL). */
int http_form_get_unique(const struct http_form *f, const char *key, const char **value);

/* Decode one URL-encoded component (len octets) with the rules of
 * http_form_parse for values ('+' is a space, strict '%XX', no NUL, raw
 * octets 0x21-0x7e only). On success *out (caller frees) is NUL-terminated
 * and *outlen (may be NULL) is its length. Returns 0 or DADNS_EPARSE. */
int http_url_decode(const char *s, size_t len, char **out, size_t *outlen);

/* Append len octets of data URL-encoded to sb: A-Z a-z 0-9 - . _ ~ are
 * kept, every other octet (space included) becomes %XX. */
void http_url_encode(struct strbuf *sb, const void *data, size_t len);

/* Append "key=value" to an answer, preceded by '&' when sb is not empty;
 * value is URL-encoded (key is taken as is: use plain ASCII names). */
void http_answer_add(struct strbuf *sb, const char *key, const char *value);

/* Strict standard base64 (RFC 4648 alphabet, "=" padding optional but
 * only at the end, no whitespace, unused bits must be zero). On success
 * *out (caller frees) gets the octets plus a NUL and *outlen their count.
 * Returns 0 or DADNS_EPARSE. */
int http_base64_decode(const char *s, size_t len, unsigned char **out, size_t *outlen);

/* Parse an Authorization header value "Basic <base64 of user:password>"
 * (scheme case-insensitive, blanks around the token allowed). The decoded
 * text must hold a ':' and no NUL or control octet; the user name may not
 * be empty. On success *user and *password are new strings the caller
 * frees with util_free_secret. Returns 0, DADNS_ENOENT when header is NULL
 * or empty, DADNS_EPARSE otherwise. */
int http_basic_auth_parse(const char *header, char **user, char **password);

/* Parse a CGI CONTENT_LENGTH: NULL or "" is 0; otherwise decimal digits
 * only, at most 18 of them. Returns 0 with *out set, or DADNS_EPARSE. */
int http_content_length(const char *s, long long *out);

/* 1 when a Content-Type header value names application/x-www-form-urlencoded
 * (parameters such as "; charset=utf-8" allowed, case-insensitive), else 0. */
int http_is_form_type(const char *content_type);

#endif
