/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_peer_json.c -- libFuzzer harness: what peers send, /internal/... JSON and URLs (lib/peer.c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/domain.h"
#include "lib/peer.h"
#include "lib/util.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_domain(const char *d)
{
	char norm[DOMAIN_MAX + 1];

	CHECK(domain_normalize(d, strlen(d), norm) == 0 && !strcmp(norm, d));
}

static void zone_list(const char *b, size_t len)
{
	struct peer_zone_list l = { 0 };
	char err[256] = "";
	size_t i;
	int rc = peer_parse_zone_list(b, len, &l, err, sizeof(err));

	CHECK(rc == 0 || rc == DADNS_EPARSE || rc == DADNS_E2BIG);
	if (rc < 0)
		CHECK(l.n == 0 && err[0]);
	for (i = 0; i < l.n; i++) {
		check_domain(l.v[i].domain);
		CHECK(l.v[i].serial >= 0 && l.v[i].serial <= 0xffffffffLL && l.v[i].updated_at >= 0);
		CHECK(strlen(l.v[i].hostname) < PEER_OWNER_MAX && strlen(l.v[i].username) < PEER_USERNAME_MAX);
	}
	peer_zone_list_deinit(&l);
}

static void one_zone(const char *b, size_t len)
{
	struct peer_zone z;
	char err[256] = "";
	int rc;

	memset(&z, 0, sizeof(z));
	rc = peer_parse_zone(b, len, 4096, &z, err, sizeof(err));
	CHECK(rc == 0 || rc == DADNS_EPARSE || rc == DADNS_E2BIG);
	if (rc == 0) {
		check_domain(z.e.domain);
		CHECK(z.zone_data && strlen(z.zone_data) == z.zone_len && z.zone_len <= 4096);
		CHECK(z.e.serial >= 0 && z.e.serial <= 0xffffffffLL);
	} else {
		CHECK(err[0] && !z.zone_data);
	}
	peer_zone_deinit(&z);
}

static void tombstones(const char *b, size_t len)
{
	struct peer_tombstone_list l = { 0 };
	char err[256] = "";
	size_t i;
	int rc = peer_parse_tombstones(b, len, &l, err, sizeof(err));

	CHECK(rc == 0 || rc == DADNS_EPARSE || rc == DADNS_E2BIG);
	for (i = 0; i < l.n; i++) {
		check_domain(l.v[i].domain);
		CHECK(l.v[i].serial >= 0 && l.v[i].serial <= 0xffffffffLL && l.v[i].deleted_at >= 0);
	}
	peer_tombstone_list_deinit(&l);
}

static void peer_list(const char *b, size_t len)
{
	struct peer_url_list l = { 0 };
	char err[256] = "", again[PEER_URL_MAX], name[PEER_URL_MAX];
	size_t i, j;
	int rc = peer_parse_peer_list(b, len, &l, err, sizeof(err));

	CHECK(rc == 0 || rc == DADNS_EPARSE || rc == DADNS_E2BIG);
	CHECK(l.n <= PEER_PEERS_MAX);
	for (i = 0; i < l.n; i++) {
		/* Kept URLs are normal forms (a fixed point), without duplicates. */
		CHECK(peer_url_normalize(l.v[i], again) == 0 && !strcmp(again, l.v[i]));
		CHECK(peer_url_name(l.v[i], name, sizeof(name)) == 0 && name[0]);
		for (j = 0; j < i; j++)
			CHECK(strcmp(l.v[i], l.v[j]) != 0);
	}
	peer_url_list_deinit(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	char *s, url[PEER_URL_MAX], again[PEER_URL_MAX];
	int64_t x, y;

	zone_list(b, size);
	one_zone(b, size);
	tombstones(b, size);
	peer_list(b, size);

	s = xstrndup(b, size);
	if (peer_url_normalize(s, url) == 0)
		CHECK(peer_url_normalize(url, again) == 0 && !strcmp(url, again));
	free(s);

	/* RFC 1982 order is antisymmetric. */
	if (size >= 8) {
		x = (int64_t)(((uint32_t)data[0] << 24) | ((uint32_t)data[1] << 16) | ((uint32_t)data[2] << 8) | data[3]);
		y = (int64_t)(((uint32_t)data[4] << 24) | ((uint32_t)data[5] << 16) | ((uint32_t)data[6] << 8) | data[7]);
		if (peer_serial_cmp(x, y) != PEER_SERIAL_UNDEFINED)
			CHECK(peer_serial_cmp(x, y) == -peer_serial_cmp(y, x));
		CHECK(peer_zone_newer(x, 1, y, 1) == -peer_zone_newer(y, 1, x, 1));
	}
	return 0;
}
