/* SPDX-License-Identifier: BSD-3-Clause */
/* acl.c -- address allow-lists for the operator endpoints */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/acl.h"
#include "lib/util.h"

#define ACL_ENTRY_MAX 64

struct acl_addr {
	int family;                 /* AF_INET or AF_INET6 */
	unsigned char b[16];
};

/* Parse an address; an IPv4-mapped IPv6 address becomes IPv4. 0 or -1. */
static int addr_parse(const char *s, struct acl_addr *a)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) != 1)
		return -1;
	a->family = AF_INET6;
	if (!memcmp(a->b, mapped, sizeof(mapped))) {
		memmove(a->b, a->b + 12, 4);
		memset(a->b + 4, 0, 12);
		a->family = AF_INET;
	}
	return 0;
}

/* One entry "ADDR[/BITS]" into *net and *bits. 0 or -1. */
static int entry_parse(const char *e, struct acl_addr *net, int *bits)
{
	char buf[ACL_ENTRY_MAX], *slash, *end;
	long n;
	int max;

	if (strlen(e) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", e);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (addr_parse(buf, net) < 0)
		return -1;
	max = net->family == AF_INET ? 32 : 128;
	*bits = max;
	if (slash) {
		/* A mapped address keeps IPv6 prefix lengths: ::ffff:10.0.0.0/104. */
		if (net->family == AF_INET && strchr(buf, ':'))
			max = 128;
		if (!slash[1] || slash[1] == '-' || slash[1] == '+')
			return -1;
		n = strtol(slash + 1, &end, 10);
		if (*end || n < 0 || n > max)
			return -1;
		*bits = max == 128 && net->family == AF_INET ? (int)n - 96 : (int)n;
		if (*bits < 0)
			return -1;
	}
	return 0;
}

static int prefix_match(const struct acl_addr *net, int bits, const struct acl_addr *a)
{
	int full = bits / 8, rest = bits % 8;

	if (net->family != a->family)
		return 0;
	if (memcmp(net->b, a->b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((net->b[full] ^ a->b[full]) & (0xff << (8 - rest))) == 0;
}

/* Walk the entries; with addr, stop at the first match. 1 match, 0 none,
 * DADNS_EINVAL malformed (err set when given). */
static int acl_walk(const char *list, const struct acl_addr *addr, char *err, size_t errlen)
{
	const char *p = list ? list : "";
	char entry[ACL_ENTRY_MAX];

	for (;;) {
		struct acl_addr net;
		size_t n;
		int bits;

		p += strspn(p, ", \t");
		if (!*p)
			return 0;
		n = strcspn(p, ", \t");
		if (n >= sizeof(entry) || snprintf(entry, sizeof(entry), "%.*s", (int)n, p) < 0 ||
		    entry_parse(entry, &net, &bits) < 0) {
			if (err)
				snprintf(err, errlen, "'%.*s' is not an address or ADDRESS/BITS", (int)(n > 60 ? 60 : n), p);
			return DADNS_EINVAL;
		}
		if (addr && prefix_match(&net, bits, addr))
			return 1;
		p += n;
	}
}

int acl_check(const char *list, char *err, size_t errlen)
{
	return acl_walk(list, NULL, err, errlen) < 0 ? DADNS_EINVAL : 0;
}

int acl_match(const char *list, const char *addr)
{
	struct acl_addr a;

	if (acl_check(list, NULL, 0) < 0)
		return DADNS_EINVAL;
	if (!addr || addr_parse(addr, &a) < 0)
		return 0;
	return acl_walk(list, &a, NULL, 0);
}
