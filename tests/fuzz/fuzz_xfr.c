/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_xfr.c -- libFuzzer harness: [backend] notify / allow_transfer and the
 * statements rendered from them (lib/xfr.c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "lib/xfr.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* What is rendered holds no character that could end a statement early
 * or start another: no newline but the NSD line ends, no quote but the
 * key's, no brace but the lists'. Addresses are inet_ntop's. */
static void check_rendered(const char *s)
{
	for (; *s; s++)
		CHECK(*s == '\n' || *s == '\t' || (*s >= 0x20 && *s < 0x7f));
}

/* Input: first byte's low bit picks the key, then notify, a newline, allow_transfer. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_tsig key = { .name = "k", .algorithm = "hmac-sha256", .secret = "AAAA" };
	struct config_backend b = { .name = "b" };
	struct xfr_conf *x = xcalloc(1, sizeof(*x));
	char *notify, *allow, err[256], *r;
	const char *nl;
	int rc;
	size_t i;

	if (size < 1)
		goto out;
	b.tsig = data[0] & 1 ? &key : NULL;
	b.tsig_key = b.tsig ? "k" : NULL;
	data++;
	size--;
	nl = memchr(data, '\n', size);
	notify = xstrndup((const char *)data, nl ? (size_t)(nl - (const char *)data) : size);
	allow = nl ? xstrndup(nl + 1, size - (size_t)(nl + 1 - (const char *)data)) : xstrdup("");
	b.notify = notify;
	b.allow_transfer = allow;
	err[0] = '\0';
	rc = xfr_conf_load(&b, x, err, sizeof(err));
	CHECK(rc == 0 || (rc == DADNS_EINVAL && err[0] && !strchr(err, '\n')));
	if (rc == 0) {
		CHECK(x->n_notify <= XFR_MAX_ITEMS && x->n_allow <= XFR_MAX_ITEMS);
		for (i = 0; i < x->n_notify; i++)
			CHECK(x->notify[i].port >= 1 && x->notify[i].port <= 65535);
		for (i = 0; i < x->n_allow; i++)
			CHECK(x->allow[i].prefix >= 0 && x->allow[i].prefix <= (x->allow[i].v6 ? 128 : 32));
		r = xfr_render_nsd(x);
		check_rendered(r);
		free(r);
		r = xfr_render_bind(x);
		check_rendered(r);
		CHECK(!strchr(r, '\n'));
		free(r);
	}
	free(notify);
	free(allow);
out:
	free(x);
	return 0;
}
