/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zone_ttl.c -- TTLs of records written without one, as BIND gives them */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "lib/zone.h"
#include "tests/unit/tap.h"

/*
 * Every case is checked against BIND itself: `named-checkzone -D` of the
 * pushed text is the reference; the same dump must come from the stored
 * text (what BIND is given), from the stored text as NSD reads it
 * (`nsd-checkzone -p`, dumped again by BIND), and from the records
 * zone_parse gives the SQL backends (PowerDNS, CoreDNS rows).
 */

static char tmpdir[] = "/tmp/test_zone_ttl.XXXXXX";

static char *write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		printf("# cannot write %s\n", path);
	return path;
}

/* named-checkzone -D of text (owned by the caller), or NULL if refused. */
static char *bind_dump(const char *domain, const char *text)
{
	char *in = write_tmp("in.zone", text), *out = xasprintf("%s/dump", tmpdir);
	char *cmd = xasprintf("named-checkzone -q -D -o %s %s %s", out, domain, in);
	char *dump = NULL;
	size_t len;

	unlink(out);
	if (system(cmd) == 0 && util_read_file(out, 1 << 20, &dump, &len) != 0)
		dump = NULL;
	unlink(in);
	unlink(out);
	free(cmd);
	free(in);
	free(out);
	return dump;
}

/* The stored text as NSD reads it (nsd-checkzone -p), or NULL. */
static char *nsd_print(const char *domain, const char *text)
{
	char *in = write_tmp("nsd.zone", text), *out = xasprintf("%s/nsd.out", tmpdir);
	char *cmd = xasprintf("nsd-checkzone -p %s %s >%s 2>/dev/null", domain, in, out);
	char *p = NULL;
	size_t len;

	if (system(cmd) != 0 || util_read_file(out, 1 << 20, &p, &len) != 0)
		p = NULL;
	unlink(in);
	unlink(out);
	free(cmd);
	free(in);
	free(out);
	return p;
}

/* The records zone_parse gives, as text with their TTLs. */
static char *parsed_text(const char *domain, const char *text)
{
	ldns_rr_list *rrs = NULL;
	char err[256], *s;

	if (zone_parse(domain, text, strlen(text), &rrs, err, sizeof(err)) != 0)
		return NULL;
	s = ldns_rr_list2str(rrs);
	ldns_rr_list_deep_free(rrs);
	return s;
}

/* Keep the owner, TTL, class and type of each line of a dump (in place). */
static char *heads(char *dump)
{
	char *r = dump, *w = dump;
	int field = 0, blank = 0;

	for (; dump && *r; r++) {
		if (*r == '\n') {
			*w++ = '\n';
			field = blank = 0;
		} else if (*r == ' ' || *r == '\t') {
			field += !blank;
			blank = 1;
			if (field < 4)
				*w++ = ' ';
		} else {
			blank = 0;
			if (field < 4)
				*w++ = *r;
		}
	}
	if (dump)
		*w = '\0';
	return dump;
}

static void same_dump(const char *want, const char *domain, char *text, const char *what,
		      const char *name)
{
	char *got = text ? bind_dump(domain, text) : NULL;
	char *w2 = NULL;

	/* NSD 4.6 prints an SOA MINIMUM above 2^31-1 as 3600: TTLs only */
	if (strcmp(what, "NSD") == 0) {
		w2 = heads(xstrdup(want));
		want = w2;
		got = heads(got);
	}

	ok(got && want && strcmp(got, want) == 0, "%s: %s gives BIND's TTLs", name, what);
	if (got && want && strcmp(got, want) != 0)
		printf("# want:\n%s# got:\n%s", want, got);
	free(got);
	free(w2);
	free(text);
}

struct ttl_case {
	const char *name;
	const char *text;
	const char *err;      /* refused with this reason, or NULL */
	const char *stored;   /* the stored text exactly, or NULL (not checked) */
};

#define Z "$ORIGIN example.com.\n"
#define SOA5 "@ IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )\n"

static const struct ttl_case cases[] = {
	{ "SOA minimum, then $TTL later, mixed explicit",
	  SOA5 "@ NS ns1\nns1 A 192.0.2.1\nwww 600 A 192.0.2.2\nftp A 192.0.2.3\n"
	  "$TTL 900\nm A 192.0.2.4\nn 60 A 192.0.2.5\no A 192.0.2.6\n", NULL,
	  Z "@ 300 IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )\n@ 300 NS ns1\n"
	  "ns1 300 A 192.0.2.1\nwww 600 A 192.0.2.2\nftp 300 A 192.0.2.3\n$TTL 900\n"
	  "m 900 A 192.0.2.4\nn 60 A 192.0.2.5\no 900 A 192.0.2.6\n" },
	{ "SOA with a TTL: RFC 1035, the last TTL stated",
	  "@ 120 IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\n"
	  "www 600 A 192.0.2.2\nftp A 192.0.2.3\n", NULL, NULL },
	{ "a TTL before the SOA", "ns1 77 A 192.0.2.1\n" SOA5 "@ NS ns1\n", NULL, NULL },
	{ "first record without TTL is not the SOA",
	  "@ NS ns1\n" SOA5 "ns1 A 192.0.2.1\n",
	  "line 1: no TTL (no $TTL before it, no TTL on a record before it, and it is not "
	  "the SOA)", NULL },
	{ "SOA minimum 2^32-1 (BIND: 0)",
	  "@ SOA ns1 hostmaster 1 2 3 4 4294967295\n@ NS ns1\nns1 A 192.0.2.1\n", NULL, NULL },
	{ "SOA minimum 2^31-1", "@ SOA ns1 hostmaster 1 2 3 4 2147483647\n@ NS ns1\n"
	  "ns1 A 192.0.2.1\n", NULL, NULL },
	{ "SOA minimum 2^31 (BIND: 0)", "@ SOA ns1 hostmaster 1 2 3 4 2147483648\n@ NS ns1\n"
	  "ns1 A 192.0.2.1\n", NULL, NULL },
	{ "SOA minimum as a period", "@ SOA ns1 hostmaster 1 2 3 4 1w2d\n@ NS ns1\n"
	  "ns1 A 192.0.2.1\n", NULL, NULL },
	{ "SOA minimum 0", "@ SOA ns1 hostmaster 1 2 3 4 0\n@ NS ns1\nns1 A 192.0.2.1\n",
	  NULL, NULL },
	{ "multi-line SOA, blank owners, comments in parentheses",
	  "@\tIN\tSOA\tns1 hostmaster (\n\t1 ; serial\n\t2 3 4\n\t42 )\n\tNS ns1\n"
	  "\tNS ns2.example.net.\nns1 ( ; the address\n A 192.0.2.1 )\n", NULL,
	  Z "@\t42 IN\tSOA\tns1 hostmaster (\n\t1 ; serial\n\t2 3 4\n\t42 )\n\t42 NS ns1\n"
	  "\t42 NS ns2.example.net.\nns1 ( ; the address\n 42 A 192.0.2.1 )\n" },
	{ "numeric owner", SOA5 "@ NS ns1\nns1 A 192.0.2.1\n123 A 192.0.2.9\n", NULL, NULL },
	{ "$TTL 0 after a SOA", SOA5 "$TTL 0\n@ NS ns1\nns1 A 192.0.2.1\n", NULL, NULL },
	{ "$TTL first: stored as pushed",
	  "$TTL 77\n" SOA5 "@ NS ns1\nns1 5 A 192.0.2.1\nwww A 192.0.2.2\n", NULL,
	  Z "$TTL 77\n" SOA5 "@ NS ns1\nns1 5 A 192.0.2.1\nwww A 192.0.2.2\n" },
	{ "every record with its TTL", "@ 1 SOA ns1 hostmaster 1 2 3 4 5\n@ 2 NS ns1\n"
	  "ns1 3 A 192.0.2.1\n", NULL,
	  Z "@ 1 SOA ns1 hostmaster 1 2 3 4 5\n@ 2 NS ns1\nns1 3 A 192.0.2.1\n" },
	{ "$INCLUDE refused as before", SOA5 "$INCLUDE /etc/passwd\n@ NS ns1\n",
	  "line 2: $INCLUDE is not allowed", NULL },
	{ "explicit TTL above 2^31-1 refused as before", SOA5 "@ 2147483648 NS ns1\n",
	  "line 2: invalid TTL '2147483648'", NULL },
	{ "TYPEn with junk (ldns read it, BIND refuses)",
	  SOA5 "@ NS ns1\nns1 A 192.0.2.1\n\tTYPE65534TYPE72t. \\# 0\n",
	  "line 4: invalid type or class 'TYPE65534TYPE72t.'", NULL },
	{ "CLASSn with junk", SOA5 "@ NS ns1\nns1 CLASS1x A 192.0.2.1\n",
	  "line 3: invalid type or class 'CLASS1x'", NULL },
	{ "TYPEn out of range", SOA5 "@ NS ns1\nns1 A 192.0.2.1\nx TYPE655342147483648 \\# 0\n",
	  "line 4: invalid type or class 'TYPE655342147483648'", NULL },
	{ "TYPE65536", SOA5 "@ NS ns1\nns1 A 192.0.2.1\nx TYPE65536 \\# 0\n",
	  "line 4: invalid type or class 'TYPE65536'", NULL },
	{ "CLASS1 TYPE1 accepted", SOA5 "@ NS ns1\nns1 CLASS1 TYPE1 192.0.2.1\n", NULL, NULL },
	{ "$TTL above 2^31-1 refused as before", SOA5 "$TTL 4294967295\n@ NS ns1\n",
	  "line 2: invalid $TTL '4294967295'", NULL },
};

static void test_case(const struct ttl_case *c)
{
	struct zone_info zi = { 0 }, again = { 0 };
	char err[256], *want;
	int rc;

	rc = zone_validate("example.com", c->text, strlen(c->text), 0, &zi, err, sizeof(err));
	if (c->err) {
		is_int(rc, DADNS_EPARSE, "%s: refused", c->name);
		is_str(err, c->err, "%s: reason", c->name);
		want = bind_dump("example.com", c->text);
		if (strncmp(c->err, "line 1: no TTL", 14) == 0)
			ok(want == NULL, "%s: BIND refuses it too", c->name);
		free(want);
		return;
	}
	if (!ok(rc == 0, "%s: accepted", c->name)) {
		printf("#   err: %s\n", err);
		return;
	}
	if (c->stored)
		is_str(zi.text, c->stored, "%s: stored text", c->name);
	want = bind_dump("example.com", c->text);
	ok(want != NULL, "%s: BIND loads the pushed text", c->name);
	same_dump(want, "example.com", xstrdup(zi.text), "the stored text", c->name);
	same_dump(want, "example.com", nsd_print("example.com", zi.text), "NSD", c->name);
	same_dump(want, "example.com", parsed_text("example.com", zi.text),
		  "zone_parse (SQL rows)", c->name);
	is_int(zone_validate("example.com", zi.text, strlen(zi.text), 0, &again, err,
			     sizeof(err)), 0, "%s: the stored text validates again", c->name);
	is_str(again.text, zi.text, "%s: to the same text", c->name);
	zone_info_deinit(&again);
	zone_info_deinit(&zi);
	free(want);
}

/* The sample zone without $TTL, and a DA zone with its $TTL line taken out. */
static void test_sample(const char *domain, const char *file, int drop_ttl)
{
	char path[512], *text = NULL, *want, *p;
	struct zone_info zi = { 0 };
	char err[256];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s.db",
		 getenv("DADNS_TESTDATA") ? getenv("DADNS_TESTDATA") : "tests/data/zones", file);
	if (!ok(util_read_file(path, 1 << 20, &text, &len) == 0, "%s: read", file))
		return;
	if (drop_ttl && (p = strstr(text, "$TTL")) != NULL)
		memset(p, ' ', strcspn(p, "\n"));   /* blank the line, keep the lines */
	if (drop_ttl && p)
		*p = ';';
	ok(zone_validate(domain, text, strlen(text), 0, &zi, err, sizeof(err)) == 0,
	   "%s%s: accepted", file, drop_ttl ? " without $TTL" : "");
	want = bind_dump(domain, text);
	ok(want != NULL, "%s: BIND loads it", file);
	if (zi.text) {
		same_dump(want, domain, xstrdup(zi.text), "the stored text", file);
		same_dump(want, domain, nsd_print(domain, zi.text), "NSD", file);
		same_dump(want, domain, parsed_text(domain, zi.text), "zone_parse", file);
	}
	zone_info_deinit(&zi);
	free(want);
	free(text);
}

int main(void)
{
	size_t i;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		test_case(&cases[i]);
	test_sample("minimal.test", "minimal.test", 0);
	test_sample("da-style.test", "da-style.test", 1);
	rmdir(tmpdir);
	return tap_done();
}
