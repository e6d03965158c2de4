/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_acl.c -- libFuzzer harness: address allow-lists (lib/acl.c) */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/acl.h"
#include "lib/util.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* Input: the list, a newline, an address. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	char *list, *addr, err[256];
	unsigned char buf[16];
	int checked, m;

	list = xstrndup((const char *)data, nl ? (size_t)(nl - (const char *)data) : size);
	addr = nl ? xstrndup(nl + 1, size - (size_t)(nl + 1 - (const char *)data)) : xstrdup("127.0.0.1");
	err[0] = '\0';
	checked = acl_check(list, err, sizeof(err));
	CHECK(checked == 0 || (checked == DADNS_EINVAL && err[0]));
	m = acl_match(list, addr);
	/* A list acl_check accepts never fails to match, one it refuses always does. */
	CHECK(checked == 0 ? (m == 0 || m == 1) : m == DADNS_EINVAL);
	/* An address is in the list made of itself alone. */
	if (inet_pton(AF_INET, addr, buf) == 1 || inet_pton(AF_INET6, addr, buf) == 1)
		CHECK(acl_match(addr, addr) == 1);
	free(list);
	free(addr);
	return 0;
}
