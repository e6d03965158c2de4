/* SPDX-License-Identifier: BSD-3-Clause */
/* test_domain.c -- zone name validation, normalization, parent, within */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/domain.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

struct good {
	const char *in;
	const char *want;
};

static const struct good goods[] = {
	{ "example.com", "example.com" },
	{ "example.com.", "example.com" },
	{ "EXAMPLE.COM", "example.com" },
	{ "Shop.Example.Com.", "shop.example.com" },
	{ "113.0.203.in-addr.arpa", "113.0.203.in-addr.arpa" },
	{ "113.0.203.in-addr.arpa.", "113.0.203.in-addr.arpa" },
	{ "8.b.d.0.1.0.0.2.ip6.arpa", "8.b.d.0.1.0.0.2.ip6.arpa" },
	{ "xn--mller-kva.example", "xn--mller-kva.example" },
	{ "XN--MLLER-KVA.example", "xn--mller-kva.example" },
	{ "hosted-client.test", "hosted-client.test" },
	{ "a.b", "a.b" },
	{ "1a.b2", "1a.b2" },
	{ "123.example", "123.example" },
	{ "a-b-c.d-e", "a-b-c.d-e" },
	{ "test.le", "test.le" },
	{ "test.levin.org.nz", "test.levin.org.nz" },
};

/* Refused names; len -1 means strlen. */
struct bad {
	const char *in;
	int len;
	const char *why;
};

static const struct bad bads[] = {
	{ "", -1, "empty" },
	{ ".", -1, "root only" },
	{ "..", -1, "two dots" },
	{ "com", -1, "single label" },
	{ "com.", -1, "single label with dot" },
	{ ".example.com", -1, "leading dot" },
	{ "example..com", -1, "empty label (..)" },
	{ "example.com..", -1, "two trailing dots" },
	{ "exa mple.com", -1, "space" },
	{ " example.com", -1, "leading space" },
	{ "example.com ", -1, "trailing space" },
	{ "exam\tple.com", -1, "tab" },
	{ "example.com\n", -1, "newline" },
	{ "exa\x01mple.com", -1, "control character" },
	{ "exa\x7fmple.com", -1, "DEL" },
	{ "exa\0mple.com", 12, "NUL inside" },
	{ "example.com\0", 12, "NUL at end" },
	{ "../etc/passwd", -1, "path traversal" },
	{ "example.com/x", -1, "slash" },
	{ "a/b.com", -1, "slash in label" },
	{ "exa\"mple.com", -1, "double quote" },
	{ "exa'mple.com", -1, "single quote" },
	{ "exa`mple.com", -1, "backquote" },
	{ "_dmarc.example.com", -1, "underscore" },
	{ "*.example.com", -1, "wildcard" },
	{ "m\xc3\xbcller.example", -1, "UTF-8 (not punycode)" },
	{ "\xff.example", -1, "high octet" },
	{ "-example.com", -1, "hyphen first" },
	{ "example-.com", -1, "hyphen last" },
	{ "example.-com", -1, "hyphen first in TLD" },
	{ "example.com-", -1, "hyphen last in TLD" },
	{ "exa;mple.com", -1, "semicolon" },
	{ "exa$mple.com", -1, "dollar" },
	{ "exa@mple.com", -1, "at sign" },
	{ "exa\\mple.com", -1, "backslash" },
	{ "example.com:80", -1, "port" },
	{ "203.0.113.10", -1, "IPv4 address (numeric TLD)" },
	{ "example.123", -1, "numeric TLD" },
	{ "[::1].example", -1, "brackets" },
	{ "exa%2emple.com", -1, "percent escape" },
};

static void test_good(void)
{
	char out[DOMAIN_MAX + 1];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(goods); i++) {
		memset(out, 'x', sizeof(out));
		is_int(domain_normalize(goods[i].in, strlen(goods[i].in), out), 0,
		       "accepts '%s'", goods[i].in);
		is_str(out, goods[i].want, "normal form of '%s'", goods[i].in);
	}
}

static void test_bad(void)
{
	char out[DOMAIN_MAX + 1];
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(bads); i++) {
		len = bads[i].len < 0 ? strlen(bads[i].in) : (size_t)bads[i].len;
		memset(out, 'x', sizeof(out));
		is_int(domain_normalize(bads[i].in, len, out), DADNS_EINVAL, "refuses %s",
		       bads[i].why);
		is_int(out[0], 0, "out is empty after refusing %s", bads[i].why);
	}
	is_int(domain_normalize(NULL, 0, out), DADNS_EINVAL, "refuses NULL");
	/* len bounds what is read: the text after it does not count */
	is_int(domain_normalize("example.com/evil", 11, out), 0, "reads only len octets");
	is_str(out, "example.com", "normal form of a prefix");
}

static void fill_labels(char *buf, size_t n, size_t label)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (i % (label + 1) == label) ? '.' : 'a';
	buf[n] = '\0';
}

static void test_lengths(void)
{
	char in[600], out[DOMAIN_MAX + 1];

	/* label 63 ok, 64 refused */
	memset(in, 'a', 63);
	strcpy(in + 63, ".example");
	is_int(domain_normalize(in, strlen(in), out), 0, "63-octet label accepted");
	memset(in, 'a', 64);
	strcpy(in + 64, ".example");
	is_int(domain_normalize(in, strlen(in), out), DADNS_EINVAL, "64-octet label refused");
	memset(in, 'a', 63);
	in[63] = '.';
	memset(in + 64, 'b', 64);
	in[128] = '\0';
	is_int(domain_normalize(in, strlen(in), out), DADNS_EINVAL, "64-octet TLD refused");

	/* 253 octets ok (with or without the trailing dot), 254 refused */
	fill_labels(in, 253, 9);
	in[252] = 'z';
	is_int(domain_normalize(in, 253, out), 0, "253-octet name accepted");
	is_int((int)strlen(out), 253, "253-octet name kept whole");
	in[253] = '.';
	in[254] = '\0';
	is_int(domain_normalize(in, 254, out), 0, "253 octets plus trailing dot accepted");
	fill_labels(in, 254, 9);
	in[253] = 'z';
	is_int(domain_normalize(in, 254, out), DADNS_EINVAL, "254-octet name refused");
	fill_labels(in, 599, 1);
	is_int(domain_normalize(in, 599, out), DADNS_EINVAL, "300 one-octet labels refused");
	fill_labels(in, 251, 1);
	in[250] = 'z';
	is_int(domain_normalize(in, 251, out), 0, "126 one-octet labels accepted");
}

static void test_parent_within(void)
{
	is_str(domain_parent("www.example.com"), "example.com", "parent of www.example.com");
	is_str(domain_parent("example.com"), "com", "parent of example.com");
	ok(domain_parent("com") == NULL, "no parent of a single label");
	ok(domain_parent(NULL) == NULL, "no parent of NULL");

	ok(domain_is_within("example.com", "example.com"), "a zone is within itself");
	ok(domain_is_within("www.example.com", "example.com"), "child within zone");
	ok(domain_is_within("a.b.c.example.com", "example.com"), "deep child within zone");
	ok(!domain_is_within("badexample.com", "example.com"), "suffix without dot is not within");
	ok(!domain_is_within("example.com", "www.example.com"), "parent is not within child");
	ok(!domain_is_within("example.org", "example.com"), "other zone is not within");
	ok(!domain_is_within("com", "example.com"), "shorter name is not within");
	ok(!domain_is_within("example.com", ""), "nothing is within an empty zone");
}

/* exists calls this on every keystroke; it must cost next to nothing. */
static void test_speed(void)
{
	char out[DOMAIN_MAX + 1];
	struct timespec a, b;
	double secs;
	int i, okays = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 200000; i++)
		okays += domain_normalize("Test.Levin.Org.NZ.", 18, out) == 0;
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	is_int(okays, 200000, "200000 normalizations succeed");
	ok(secs < 1.0, "200000 normalizations in %.3f s (< 1 s)", secs);
}

int main(void)
{
	test_good();
	test_bad();
	test_lengths();
	test_parent_within();
	test_speed();
	return tap_done();
}
