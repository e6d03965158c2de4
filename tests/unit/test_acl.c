/* SPDX-License-Identifier: BSD-3-Clause */
/* test_acl.c -- address allow-lists: matching, IPv4/IPv6/mapped, hostile lists */
#include <stdio.h>
#include <string.h>

#include "lib/acl.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

int main(void)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "127.0.0.1/", "localhost", "1.2.3.4/-1", "::1/129", "10.0.0.0/8;rm",
		"1.2.3.4/+8", "1.2.3", "1.2.3.4.5", "::ffff:10.0.0.0/95", "/8", "1.2.3.4//8",
		"1.2.3.4/8x", "999.1.1.1", "fe80::1%eth0",
		"0000000000000000000000000000000000000000000000000000000000000000000000001.2.3.4",
	};
	const char *list = "10.0.0.0/8, 192.0.2.7 2001:db8::/32,127.0.0.0/8\t::1";
	char err[128];
	size_t i;

	is_int(acl_check(list, err, sizeof(err)), 0, "a mixed list is well formed");
	is_int(acl_check("", err, sizeof(err)), 0, "an empty list is well formed");
	is_int(acl_check(NULL, err, sizeof(err)), 0, "no list is well formed");
	is_int(acl_check(" , ,", err, sizeof(err)), 0, "separators only");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		is_int(acl_check(bad[i], err, sizeof(err)), DADNS_EINVAL, "refused: %s", bad[i]);
		ok(strstr(err, "is not an address") != NULL, "the error names it: %s", err);
		is_int(acl_match(bad[i], "127.0.0.1"), DADNS_EINVAL, "a bad list matches nothing: %s", bad[i]);
	}
	is_int(acl_match(list, "10.200.3.4"), 1, "IPv4 in a /8");
	is_int(acl_match(list, "11.0.0.1"), 0, "IPv4 outside");
	is_int(acl_match(list, "192.0.2.7"), 1, "a single IPv4 address");
	is_int(acl_match(list, "192.0.2.8"), 0, "its neighbour");
	is_int(acl_match(list, "127.0.0.1"), 1, "loopback");
	is_int(acl_match(list, "2001:db8:ffff::1"), 1, "IPv6 in a /32");
	is_int(acl_match(list, "2001:db9::1"), 0, "IPv6 outside");
	is_int(acl_match(list, "::1"), 1, "IPv6 loopback");
	is_int(acl_match(list, "::2"), 0, "::2");
	is_int(acl_match(list, "::ffff:10.1.2.3"), 1, "IPv4-mapped IPv6 matches the IPv4 entry");
	is_int(acl_match("::ffff:10.0.0.0/104", "10.9.9.9"), 1, "an IPv4-mapped prefix matches IPv4");
	is_int(acl_match("::ffff:10.0.0.0/104", "11.9.9.9"), 0, "and not outside it");
	is_int(acl_match("192.168.1.0/23", "192.168.0.200"), 1, "a /23 (bits within a byte)");
	is_int(acl_match("192.168.1.0/23", "192.168.2.1"), 0, "outside the /23");
	is_int(acl_match("0.0.0.0/0", "203.0.113.9"), 1, "/0 matches every IPv4");
	is_int(acl_match("0.0.0.0/0", "2001:db8::1"), 0, "but not IPv6");
	is_int(acl_match(list, "-"), 0, "no address (REMOTE_ADDR absent)");
	is_int(acl_match(list, NULL), 0, "NULL address");
	is_int(acl_match(list, "10.0.0.1 "), 0, "an address with a blank is not an address");
	is_int(acl_match(list, "unix:"), 0, "a unix socket peer");
	is_int(acl_match("", "127.0.0.1"), 0, "an empty list lets nobody in");
	return tap_done();
}
