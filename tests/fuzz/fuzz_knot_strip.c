/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_knot_strip.c -- libFuzzer harness: the knot backend's DNSSEC record
 * stripping (lib/backends/knot_sign.c) of every zone the intake accepts */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/backends/knot.h"
#include "lib/util.h"
#include "lib/zone.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static const char *const domains[] = { "example.com", "s.test", "113.0.203.in-addr.arpa" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zone_info zi;
	ldns_rr_list *rrs = NULL;
	const char *domain;
	char err[256], *out = NULL;
	int rc, records = -1;
	size_t i;

	if (size < 1)
		return 0;
	domain = domains[data[0] % ARRAY_SIZE(domains)];
	if (zone_validate(domain, (const char *)data + 1, size - 1, 0, &zi, err, sizeof(err)) < 0)
		return 0;
	/* A zone the intake accepts is stripped, or refused with a reason
	 * (never handed on unreadable); what is left has no DNSSEC record,
	 * starts with the SOA and parses to as many records. */
	rc = knot_strip_dnssec(domain, zi.text, strlen(zi.text), &out, &records, err, sizeof(err));
	CHECK(rc == 0 || (rc == DADNS_EPARSE && !out && err[0]));
	if (rc < 0) {
		zone_info_deinit(&zi);
		return 0;
	}
	CHECK(out && records >= 1 && records <= zi.records);
	rc = zone_parse(domain, out, strlen(out), &rrs, err, sizeof(err));
	CHECK(rc == 0 && rrs);
	CHECK((int)ldns_rr_list_rr_count(rrs) == records);
	CHECK(ldns_rr_get_type(ldns_rr_list_rr(rrs, 0)) == LDNS_RR_TYPE_SOA);
	for (i = 0; i < ldns_rr_list_rr_count(rrs); i++)
		CHECK(!knot_dnssec_type((uint16_t)ldns_rr_get_type(ldns_rr_list_rr(rrs, i))));
	ldns_rr_list_deep_free(rrs);
	free(out);
	zone_info_deinit(&zi);
	return 0;
}
