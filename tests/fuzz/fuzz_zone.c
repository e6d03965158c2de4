/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_zone.c -- libFuzzer harness: zone validation and normalisation (lib/zone.c, zone_lex.c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"
#include "lib/zone.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* The first input octet picks the zone name and the record limit; the
 * rest is the zone text as DirectAdmin would push it. */
static const char *const domains[] = {
	"example.com", "minimal.test", "113.0.203.in-addr.arpa", "xn--mller-kva.example",
	"da-style.test", "shop.example.com", "hosted-client.test", "broken.test",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zone_info zi, again;
	ldns_rr_list *rrs = NULL, *pushed = NULL;
	const char *domain;
	size_t i;
	char err[256];
	int max, rc;

	if (size < 1)
		return 0;
	domain = domains[data[0] % ARRAY_SIZE(domains)];
	max = (data[0] & 0x80) ? 5 : 0;
	rc = zone_validate(domain, (const char *)data + 1, size - 1, max, &zi, err, sizeof(err));
	CHECK(rc == 0 || rc == DADNS_EPARSE);
	if (rc < 0) {
		CHECK(err[0] != '\0');
		return 0;
	}
	CHECK(zi.text && zi.records >= 1 && (max == 0 || zi.records <= max));
	CHECK(zi.serial >= 0 && zi.serial <= 0xffffffffLL);
	/* What is stored must validate again to the same zone, and the worker
	 * must be able to parse it: an acknowledged zone is never unusable. */
	rc = zone_validate(domain, zi.text, strlen(zi.text), 0, &again, err, sizeof(err));
	CHECK(rc == 0);
	CHECK(again.serial == zi.serial && again.records == zi.records);
	CHECK(!strcmp(again.text, zi.text));
	zone_info_deinit(&again);
	rc = zone_parse(domain, zi.text, strlen(zi.text), &rrs, err, sizeof(err));
	CHECK(rc == 0 && rrs);
	CHECK(ldns_rr_list_rr_count(rrs) >= 1);
	CHECK(ldns_rr_get_type(ldns_rr_list_rr(rrs, 0)) == LDNS_RR_TYPE_SOA);
	/* the TTLs written into the stored text are the ones of the pushed one */
	rc = zone_parse(domain, (const char *)data + 1, size - 1, &pushed, err, sizeof(err));
	CHECK(rc == 0 && ldns_rr_list_rr_count(pushed) == ldns_rr_list_rr_count(rrs));
	for (i = 0; i < ldns_rr_list_rr_count(rrs); i++)
		CHECK(ldns_rr_ttl(ldns_rr_list_rr(rrs, i)) ==
		      ldns_rr_ttl(ldns_rr_list_rr(pushed, i)));
	ldns_rr_list_deep_free(pushed);
	ldns_rr_list_deep_free(rrs);
	zone_info_deinit(&zi);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_LEVEL_ERR);
	return 0;
}
