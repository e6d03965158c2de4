/* SPDX-License-Identifier: BSD-3-Clause */
/* http.c -- request helpers: strict URL/form decoding, Basic auth, URL-encoded answers */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/http.h"

void http_form_init(struct http_form *f)
{
	f->params = NULL;
	f->n = 0;
	f->cap = 0;
}

void http_form_deinit(struct http_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->params[i].key);
		free(f->params[i].value);
	}
	free(f->params);
	http_form_init(f);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int http_url_decode(const char *s, size_t len, char **out, size_t *outlen)
{
	char *buf = xmalloc(len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e)
			goto bad;
		if (c == '+') {
			buf[n++] = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				goto bad;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			buf[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			buf[n++] = (char)c;
		}
	}
	buf[n] = '\0';
	*out = buf;
	if (outlen)
		*outlen = n;
	return 0;
bad:
	free(buf);
	*out = NULL;
	return DADNS_EPARSE;
}

static int key_ok(const char *key, size_t len)
{
	size_t i;

	if (len == 0 || len > HTTP_KEY_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c < 0x20 || c >= 0x7f)
			return 0;
	}
	return 1;
}

static void form_push(struct http_form *f, char *key, char *value, size_t value_len)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->params = xrealloc(f->params, f->cap * sizeof(*f->params));
	}
	f->params[f->n].key = key;
	f->params[f->n].value = value;
	f->params[f->n].value_len = value_len;
	f->n++;
}

/* Decode one "key[=value]" segment (not empty) and append it. */
static int form_segment(struct http_form *f, const char *seg, size_t len)
{
	const char *eq = memchr(seg, '=', len);
	size_t klen = eq ? (size_t)(eq - seg) : len;
	char *key = NULL, *value = NULL;
	size_t key_len = 0, value_len = 0;
	int rc;

	if (f->n >= HTTP_FORM_MAX_PARAMS)
		return DADNS_E2BIG;
	rc = http_url_decode(seg, klen, &key, &key_len);
	if (rc < 0)
		goto out;
	if (!key_ok(key, key_len)) {
		rc = DADNS_EPARSE;
		goto out;
	}
	if (eq)
		rc = http_url_decode(eq + 1, len - klen - 1, &value, &value_len);
	else
		value = xstrdup("");
	if (rc < 0)
		goto out;
	form_push(f, key, value, value_len);
	key = value = NULL;
out:
	free(key);
	free(value);
	return rc;
}

int http_form_parse(struct http_form *f, const char *s, size_t len)
{
	size_t before = f->n, start = 0, i;
	int rc = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '&')
			continue;
		if (i > start) {
			rc = form_segment(f, s + start, i - start);
			if (rc < 0)
				break;
		}
		start = i + 1;
	}
	if (rc < 0) {
		while (f->n > before) {
			f->n--;
			free(f->params[f->n].key);
			free(f->params[f->n].value);
		}
	}
	return rc;
}

void http_form_move(struct http_form *dst, struct http_form *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		form_push(dst, src->params[i].key, src->params[i].value, src->params[i].value_len);
	free(src->params);
	http_form_init(src);
}

const char *http_form_get(const struct http_form *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->params[i].key, key) == 0)
			return f->params[i].value;
	return NULL;
}

int http_form_get_unique(const struct http_form *f, const char *key, const char **value)
{
	const struct http_param *first = NULL;
	size_t i;

	*value = NULL;
	for (i = 0; i < f->n; i++) {
		const struct http_param *p = &f->params[i];

		if (strcmp(p->key, key) != 0)
			continue;
		if (!first)
			first = p;
		else if (p->value_len != first->value_len ||
			 memcmp(p->value, first->value, p->value_len) != 0)
			return DADNS_EEXIST;
	}
	if (!first)
		return DADNS_ENOENT;
	*value = first->value;
	return 0;
}

void http_url_encode(struct strbuf *sb, const void *data, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];
		char enc[3];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			strbuf_append(sb, &c, 1);
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[c >> 4];
		enc[2] = hex[c & 15];
		strbuf_append(sb, enc, 3);
	}
}

void http_answer_add(struct strbuf *sb, const char *key, const char *value)
{
	if (sb->len > 0)
		strbuf_append(sb, "&", 1);
	strbuf_puts(sb, key);
	strbuf_append(sb, "=", 1);
	if (value)
		http_url_encode(sb, value, strlen(value));
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int http_base64_decode(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char *buf;
	size_t i, n = 0, data_len = len, pad = 0;
	unsigned int acc = 0;
	int bits = 0;

	*out = NULL;
	while (data_len > 0 && s[data_len - 1] == '=' && pad < 2) {
		data_len--;
		pad++;
	}
	/* Padding, when present, must complete a 4-character group; a group
	 * of one character carries no whole octet. */
	if ((pad && len % 4 != 0) || data_len % 4 == 1)
		return DADNS_EPARSE;
	buf = xmalloc(data_len / 4 * 3 + 3);
	for (i = 0; i < data_len; i++) {
		int v = b64val((unsigned char)s[i]);

		if (v < 0) {
			free(buf);
			return DADNS_EPARSE;
		}
		acc = (acc << 6 | (unsigned int)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
		}
	}
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
		free(buf);
		return DADNS_EPARSE;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
}

int http_basic_auth_parse(const char *header, char **user, char **password)
{
	unsigned char *dec = NULL;
	size_t len, dlen = 0, i;
	const char *tok, *end, *colon;
	int rc = DADNS_EPARSE;

	*user = *password = NULL;
	if (!header || !*header)
		return DADNS_ENOENT;
	len = strnlen(header, HTTP_AUTH_MAX + 1);
	if (len > HTTP_AUTH_MAX)
		return DADNS_EPARSE;
	if (len < 6 || strncasecmp(header, "Basic", 5) != 0 || (header[5] != ' ' && header[5] != '\t'))
		return DADNS_EPARSE;
	tok = header + 5;
	while (*tok == ' ' || *tok == '\t')
		tok++;
	end = header + len;
	while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == tok || http_base64_decode(tok, (size_t)(end - tok), &dec, &dlen) < 0)
		goto out;
	for (i = 0; i < dlen; i++)
		if (dec[i] < 0x20 || dec[i] == 0x7f)
			goto out;
	colon = memchr(dec, ':', dlen);
	if (!colon || colon == (const char *)dec)
		goto out;
	*user = xstrndup((const char *)dec, (size_t)(colon - (const char *)dec));
	*password = xstrndup(colon + 1, dlen - (size_t)(colon + 1 - (const char *)dec));
	rc = 0;
out:
	if (dec) {
		util_wipe(dec, dlen);
		free(dec);
	}
	return rc;
}

int http_content_length(const char *s, long long *out)
{
	long long v = 0;
	size_t i;

	*out = 0;
	if (!s || !*s)
		return 0;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 18)
			return DADNS_EPARSE;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int http_is_form_type(const char *content_type)
{
	static const char form[] = "application/x-www-form-urlencoded";
	const char *p;

	if (!content_type)
		return 0;
	p = content_type;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, form, sizeof(form) - 1) != 0)
		return 0;
	p += sizeof(form) - 1;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0' || *p == ';';
}
