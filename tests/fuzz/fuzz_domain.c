/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_domain.c -- libFuzzer harness: zone names (lib/domain.c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/domain.h"
#include "lib/util.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[DOMAIN_MAX + 1], again[DOMAIN_MAX + 1];
	const char *p;
	size_t i, len;
	int rc;

	memset(out, 'x', sizeof(out));
	rc = domain_normalize((const char *)data, size, out);
	CHECK(rc == 0 || rc == DADNS_EINVAL);
	if (rc < 0) {
		CHECK(out[0] == '\0');
		return 0;
	}
	len = strlen(out);
	CHECK(len > 0 && len <= DOMAIN_MAX && out[len - 1] != '.');
	for (i = 0; i < len; i++)
		CHECK((out[i] >= 'a' && out[i] <= 'z') || (out[i] >= '0' && out[i] <= '9') ||
		      out[i] == '-' || out[i] == '.');
	/* The normal form is a fixed point. */
	CHECK(domain_normalize(out, len, again) == 0 && !strcmp(out, again));
	CHECK(domain_parent(out) != NULL);
	for (p = out; p; p = domain_parent(p))
		CHECK(domain_is_within(out, p) == 1);
	CHECK(domain_is_within(domain_parent(out), out) == 0);
	return 0;
}
