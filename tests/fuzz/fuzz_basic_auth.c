/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_basic_auth.c -- libFuzzer harness: the Authorization header and base64 (lib/http.c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"
#include "lib/util.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *hdr, *user = NULL, *pass = NULL;
	unsigned char *dec = NULL;
	size_t declen = 0, i;
	int rc;

	/* The header as the FastCGI library hands it over: a C string. */
	hdr = xstrndup((const char *)data, size);
	rc = http_basic_auth_parse(hdr, &user, &pass);
	CHECK(rc == 0 || rc == DADNS_EPARSE || rc == DADNS_ENOENT);
	if (rc == 0) {
		CHECK(user && pass && user[0]);
		for (i = 0; user[i]; i++)
			CHECK((unsigned char)user[i] >= 0x20 && user[i] != 0x7f && user[i] != ':');
		for (i = 0; pass[i]; i++)
			CHECK((unsigned char)pass[i] >= 0x20 && pass[i] != 0x7f);
	} else {
		CHECK(!user && !pass);
	}
	util_free_secret(user);
	util_free_secret(pass);
	free(hdr);

	rc = http_base64_decode((const char *)data, size, &dec, &declen);
	CHECK(rc == 0 || rc == DADNS_EPARSE);
	if (rc == 0)
		CHECK(declen <= size && dec[declen] == '\0');
	free(dec);
	return 0;
}
