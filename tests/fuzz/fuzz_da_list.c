/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_da_list.c -- libFuzzer harness: DirectAdmin domain lists, JSON and legacy (lib/da_client.c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/da_client.h"
#include "lib/domain.h"
#include "lib/util.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* Every domain kept must be a normalized name; an error leaves the list
 * as it was; sorting keeps every name findable. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_list l;
	char err[256], norm[DOMAIN_MAX + 1];
	size_t i, n1;
	int rc;

	da_list_init(&l);
	err[0] = '\0';
	rc = da_list_parse((const char *)data, size, &l, err, sizeof(err));
	CHECK(rc == 0 || rc == DADNS_EPARSE || rc == DADNS_E2BIG);
	if (rc < 0) {
		CHECK(l.n == 0 && err[0] != '\0');
		da_list_deinit(&l);
		return 0;
	}
	CHECK(l.n <= DA_LIST_MAX_DOMAINS && l.total_pages >= 0 && l.total_pages <= DA_LIST_MAX_PAGES);
	for (i = 0; i < l.n; i++) {
		CHECK(domain_normalize(l.domains[i], strlen(l.domains[i]), norm) == 0);
		CHECK(!strcmp(norm, l.domains[i]));
	}
	/* A second parse appends the same names again (or fails as a whole). */
	n1 = l.n;
	rc = da_list_parse((const char *)data, size, &l, err, sizeof(err));
	CHECK(rc == 0 ? l.n == 2 * n1 : l.n == n1);
	da_list_sort_unique(&l);
	CHECK(l.n <= n1);
	for (i = 0; i < l.n; i++) {
		CHECK(da_list_has(&l, l.domains[i]) == 1);
		if (i > 0)
			CHECK(strcmp(l.domains[i - 1], l.domains[i]) < 0);
	}
	da_list_deinit(&l);
	return 0;
}
