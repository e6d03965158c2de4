/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_http_form.c -- libFuzzer harness: query/form decoding (lib/http.c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"
#include "lib/util.h"

/* A broken invariant is a finding: abort so that libFuzzer keeps the input. */
#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* Every decoded pair must obey the rules of http.h, and encoding a value
 * with http_url_encode then decoding it must give the value back. */
static void check_form(const struct http_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct http_param *p = &f->params[i];
		struct strbuf sb;
		char *back = NULL;
		size_t blen = 0;
		const char *v = NULL;

		CHECK(p->key && p->key[0] && strlen(p->key) <= HTTP_KEY_MAX);
		CHECK(p->value && strlen(p->value) == p->value_len);
		CHECK(http_form_get(f, p->key) != NULL);
		(void)http_form_get_unique(f, p->key, &v);
		strbuf_init(&sb);
		http_url_encode(&sb, p->value, p->value_len);
		CHECK(http_url_decode(sb.buf ? sb.buf : "", sb.len, &back, &blen) == 0);
		CHECK(blen == p->value_len && !memcmp(back, p->value, blen));
		free(back);
		strbuf_deinit(&sb);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_form f, g;
	size_t before;
	char *out = NULL, *s;
	size_t outlen = 0;
	long long cl;
	int rc;

	http_form_init(&f);
	rc = http_form_parse(&f, (const char *)data, size);
	CHECK(rc == 0 || rc == DADNS_EPARSE || rc == DADNS_E2BIG);
	check_form(&f);
	/* A second parse appends, or leaves f as it was on error. */
	before = f.n;
	rc = http_form_parse(&f, (const char *)data, size);
	CHECK(rc == 0 ? f.n == 2 * before : f.n == before);
	http_form_init(&g);
	http_form_move(&g, &f);
	CHECK(f.n == 0);
	http_form_deinit(&g);
	http_form_deinit(&f);

	rc = http_url_decode((const char *)data, size, &out, &outlen);
	CHECK(rc == 0 || rc == DADNS_EPARSE);
	if (rc == 0)
		CHECK(strlen(out) == outlen);
	free(out);

	/* The CGI variables are NUL-terminated strings. */
	s = xstrndup((const char *)data, size);
	if (http_content_length(s, &cl) == 0)
		CHECK(cl >= 0);
	(void)http_is_form_type(s);
	free(s);
	return 0;
}
