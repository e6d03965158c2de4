/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_ui_query.c -- libFuzzer harness: the query string of GET
 * /status/zone?domain=D (lib/status_zone.c: status_ui_zone_query) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/status_ui.h"
#include "lib/util.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[DOMAIN_MAX + 1], again[DOMAIN_MAX + 1];
	const char *why = NULL;
	char *q = xmalloc(size + 1);
	int rc;

	/* The intake passes QUERY_STRING: NUL-terminated, so no NUL inside. */
	memcpy(q, data, size);
	q[size] = '\0';
	memset(out, 'x', sizeof(out));
	rc = status_ui_zone_query(q, out, &why);
	CHECK(rc == 0 || rc == DADNS_EINVAL);
	if (rc < 0) {
		CHECK(why && *why && out[0] == '\0');
	} else {
		/* What it gives is a zone name in normal form. */
		CHECK(why == NULL);
		CHECK(domain_normalize(out, strlen(out), again) == 0 && !strcmp(out, again));
	}
	free(q);
	return 0;
}
