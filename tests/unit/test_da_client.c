/* SPDX-License-Identifier: BSD-3-Clause */
/* test_da_client.c -- the DirectAdmin domain-list parser, with hostile answers */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/da_client.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static char err[512];

/* Parse s into a fresh list; returns the rc, *l filled. */
static int parse(const char *s, size_t len, struct da_list *l)
{
	da_list_init(l);
	err[0] = '\0';
	return da_list_parse(s, len, l, err, sizeof(err));
}

static int parse_str(const char *s, struct da_list *l)
{
	return parse(s, strlen(s), l);
}

/* rc, number of domains, invalid count, and the domains joined by ','. */
static void check(const char *name, const char *body, int want_rc, size_t want_n, size_t want_invalid,
		  const char *want_joined)
{
	struct da_list l;
	struct strbuf sb;
	size_t i;
	int rc = parse_str(body, &l);

	strbuf_init(&sb);
	for (i = 0; i < l.n; i++)
		strbuf_printf(&sb, "%s%s", i ? "," : "", l.domains[i]);
	is_int(rc, want_rc, "%s: rc (%s)", name, err);
	is_int(l.n, want_n, "%s: domains", name);
	is_int(l.invalid, want_invalid, "%s: invalid", name);
	if (want_joined)
		is_str(sb.buf, want_joined, "%s: the domains", name);
	if (rc < 0)
		ok(*err, "%s: an error message", name);
	strbuf_deinit(&sb);
	da_list_deinit(&l);
}

static void test_json(void)
{
	struct da_list l;

	check("DA json", "{\"0\":{\"domain\":\"a.com\"},\"1\":{\"domain\":\"B.COM.\"},"
		"\"info\":{\"total_pages\":3,\"ipp\":2}}", 0, 2, 0, "a.com,b.com");
	ok(parse_str("{\"0\":{\"domain\":\"a.com\"},\"info\":{\"total_pages\":\"7\"}}", &l) == 0 &&
	   l.total_pages == 7, "total_pages as a numeric string");
	da_list_deinit(&l);
	ok(parse_str("{\"0\":{\"domain\":\"a.com\"}}", &l) == 0 && l.total_pages == 0,
	   "no info: total_pages 0 (one page)");
	da_list_deinit(&l);
	check("array of rows", "[{\"domain\":\"a.com\"},{\"domain\":\"b.net\"}]", 0, 2, 0, "a.com,b.net");
	check("array of strings", "  \n[\"a.com\", \"b.net\"]", 0, 2, 0, "a.com,b.net");
	check("empty object", "{}", 0, 0, 0, "");
	check("empty page", "{\"info\":{\"total_pages\":1}}", 0, 0, 0, "");
	check("another JSON answer is not an empty list", "{\"message\":\"login required\"}", DADNS_EPARSE, 0,
	      0, NULL);
	check("... nor one with only non-row keys", "{\"x\":{\"domain\":\"a.com\"},\"12a\":{}}", DADNS_EPARSE,
	      0, 0, NULL);
	check("non-numeric keys ignored", "{\"x\":{\"domain\":\"a.com\"},\"12a\":{\"domain\":\"b.com\"},"
		"\"3\":{\"domain\":\"c.com\"}}", 0, 1, 0, "c.com");
	check("wrong types skipped", "{\"0\":{\"domain\":5},\"1\":{\"domain\":null},\"2\":[\"a.com\"],"
		"\"3\":{\"domain\":{\"x\":1}},\"4\":true,\"5\":{\"domain\":\"ok.com\"},\"6\":{}}", 0, 1, 6,
	      "ok.com");
	check("invalid names skipped", "[\"a.com\",\"bad domain.com\",\"../etc/passwd\",\"x\",\"\","
		"\"a..b\",\"-a.com\",\"a.com\\\"\",\"ex\\u00e4mple.com\",\"a.com/x\"]",
	      0, 1, 9, "a.com");
	check("an escaped NUL (jansson refuses it)", "[\"a.com\",\"\\u0000.com\"]", DADNS_EPARSE, 0, 0, NULL);
	check("DA error object", "{\"error\":\"1\",\"text\":\"You cannot execute that command\"}",
	      DADNS_EPARSE, 0, 0, NULL);
	ok(strstr(err, "cannot execute"), "the DA error text is in the message");
	check("error 0 is no error", "{\"error\":\"0\",\"0\":{\"domain\":\"a.com\"}}", 0, 1, 0, "a.com");
	check("error true", "{\"error\":true}", DADNS_EPARSE, 0, 0, NULL);
	check("invalid JSON", "{\"0\":{\"domain\":\"a.com\"}", DADNS_EPARSE, 0, 0, NULL);
	check("trailing garbage", "{} x", DADNS_EPARSE, 0, 0, NULL);
	check("a JSON string", "\"a.com\"", DADNS_EPARSE, 0, 0, NULL);
	check("total_pages negative", "{\"info\":{\"total_pages\":-1}}", DADNS_EPARSE, 0, 0, NULL);
	check("total_pages a word", "{\"info\":{\"total_pages\":\"many\"}}", DADNS_EPARSE, 0, 0, NULL);
	check("total_pages float", "{\"info\":{\"total_pages\":2.5}}", DADNS_EPARSE, 0, 0, NULL);
	check("total_pages huge", "{\"info\":{\"total_pages\":99999999999}}", DADNS_E2BIG, 0, 0, NULL);
	check("total_pages huge string", "{\"info\":{\"total_pages\":\"999999999999999999999\"}}", DADNS_EPARSE,
	      0, 0, NULL);
	check("info not an object", "{\"info\":[1],\"0\":{\"domain\":\"a.com\"}}", 0, 1, 0, "a.com");
}

static void test_json_depth(void)
{
	struct strbuf sb;
	struct da_list l;
	int i, rc;

	strbuf_init(&sb);
	for (i = 0; i < 100000; i++)
		strbuf_puts(&sb, "[");
	for (i = 0; i < 100000; i++)
		strbuf_puts(&sb, "]");
	rc = parse(sb.buf, sb.len, &l);
	is_int(rc, DADNS_E2BIG, "100000 nested arrays: refused (%s)", err);
	da_list_deinit(&l);
	strbuf_reset(&sb);
	for (i = 0; i < DA_LIST_MAX_DEPTH; i++)
		strbuf_puts(&sb, "[");
	for (i = 0; i < DA_LIST_MAX_DEPTH; i++)
		strbuf_puts(&sb, "]");
	rc = parse(sb.buf, sb.len, &l);
	is_int(rc, 0, "nesting at the limit is read (%s)", err);
	is_int(l.invalid, 1, "the nested row is no domain");
	da_list_deinit(&l);
	/* brackets inside strings do not count */
	strbuf_reset(&sb);
	strbuf_puts(&sb, "[\"");
	for (i = 0; i < 1000; i++)
		strbuf_puts(&sb, "[{\\\"");
	strbuf_puts(&sb, "\",\"a.com\"]");
	rc = parse(sb.buf, sb.len, &l);
	is_int(rc, 0, "brackets and escaped quotes in a string are not nesting (%s)", err);
	is_int(l.n, 1, "the real domain is read");
	da_list_deinit(&l);
	strbuf_deinit(&sb);
}

static void test_legacy(void)
{
	check("legacy &", "list[]=a.com&list[]=b.com", 0, 2, 0, "a.com,b.com");
	check("legacy newlines", "list[]=a.com\nlist[]=b.com\r\nlist[]=c.com\n", 0, 3, 0, "a.com,b.com,c.com");
	check("legacy encoded key", "list%5B%5D=a.com&list%5b%5d=B.Com", 0, 2, 0, "a.com,b.com");
	check("legacy list key", "list=a.com", 0, 1, 0, "a.com");
	check("legacy encoded value", "list[]=xn--mller-kva.example&list[]=a%2Ecom", 0, 2, 0,
	      "xn--mller-kva.example,a.com");
	check("legacy empty pairs", "&&list[]=a.com&&", 0, 1, 0, "a.com");
	check("legacy invalid names", "list[]=a.com&list[]=&list[]=a%20b.com&list[]=%00.com&list[]=%zz"
		"&list[]&list[]=a/b.com&list[]=x", 0, 1, 7, "a.com");
	check("legacy other keys ignored", "list[]=a.com&count=1", 0, 1, 0, "a.com");
	check("legacy only invalid", "list[]=bad..name", 0, 0, 1, "");
	check("legacy error", "error=1&text=Cannot%20do%20that", DADNS_EPARSE, 0, 0, NULL);
	check("legacy error after list", "list[]=a.com&error=1", DADNS_EPARSE, 0, 0, NULL);
	check("legacy error=0", "error=0&list[]=a.com", 0, 1, 0, "a.com");
	check("no list key", "error=0&text=OK", DADNS_EPARSE, 0, 0, NULL);
	check("garbage", "hello world", DADNS_EPARSE, 0, 0, NULL);
	check("binary garbage", "\x01\x02\xff\xfe", DADNS_EPARSE, 0, 0, NULL);
}

static void test_not_lists(void)
{
	struct da_list l;
	static const char nul_body[] = "list[]=a.com\0&list[]=b.com";
	int rc;

	check("empty", "", DADNS_EPARSE, 0, 0, NULL);
	check("blank", " \r\n\t ", DADNS_EPARSE, 0, 0, NULL);
	check("HTML", "<!DOCTYPE html><html><body>list[]=a.com</body></html>", DADNS_EPARSE, 0, 0, NULL);
	check("HTML after blanks", "\n\n  <html>", DADNS_EPARSE, 0, 0, NULL);
	rc = parse(nul_body, sizeof(nul_body) - 1, &l);
	is_int(rc, DADNS_EPARSE, "a NUL octet in the legacy form: refused");
	da_list_deinit(&l);
	rc = parse("[\"a.com\"]\0[]", 11, &l);
	is_int(rc, DADNS_EPARSE, "a NUL octet after the JSON: refused");
	da_list_deinit(&l);
	rc = parse("x", DA_LIST_MAX_BODY + (size_t)1, &l);  /* len checked before reading */
	is_int(rc, DADNS_E2BIG, "an answer over DA_LIST_MAX_BODY: refused");
	da_list_deinit(&l);
}

static void test_huge(void)
{
	struct strbuf sb;
	struct da_list l;
	char *big;
	int i, rc;

	/* one name of 300 octets, labels of 64 octets */
	big = xmalloc(400);
	memset(big, 'a', 300);
	memcpy(big + 296, ".com", 5);
	strbuf_init(&sb);
	strbuf_printf(&sb, "[\"%s\",\"ok.com\"]", big);
	rc = parse(sb.buf, sb.len, &l);
	ok(rc == 0 && l.n == 1 && l.invalid == 1, "a 300-octet name is skipped and counted");
	da_list_deinit(&l);
	free(big);
	/* 20000 domains over the legacy form */
	strbuf_reset(&sb);
	for (i = 0; i < 20000; i++)
		strbuf_printf(&sb, "%slist[]=d%d.example", i ? "&" : "", i);
	rc = parse(sb.buf, sb.len, &l);
	ok(rc == 0 && l.n == 20000, "20000 legacy entries are read");
	da_list_sort_unique(&l);
	ok(da_list_has(&l, "d19999.example") && da_list_has(&l, "d0.example") && !da_list_has(&l, "d20000.example"),
	   "da_list_has finds them, and only them");
	da_list_deinit(&l);
	strbuf_deinit(&sb);
}

static void test_append_and_rollback(void)
{
	struct da_list l;
	int rc;

	da_list_init(&l);
	rc = da_list_parse("[\"a.com\",\"b.com\"]", 17, &l, err, sizeof(err));
	ok(rc == 0 && l.n == 2, "first page");
	rc = da_list_parse("[\"c.com\",\"a.com\",7]", 19, &l, err, sizeof(err));
	ok(rc == 0 && l.n == 4 && l.invalid == 1, "second page is appended");
	rc = da_list_parse("[\"d.com\",\"e.com\"", 16, &l, err, sizeof(err));
	ok(rc < 0 && l.n == 4 && l.invalid == 1, "a failed page leaves the list as it was");
	rc = da_list_parse("list[]=d.com&list[]=bad..x&error=1", 34, &l, err, sizeof(err));
	ok(rc < 0 && l.n == 4 && l.invalid == 1, "a legacy error after entries leaves the list as it was");
	da_list_sort_unique(&l);
	is_int(l.n, 3, "sort_unique drops the duplicate");
	ok(da_list_has(&l, "a.com") && da_list_has(&l, "b.com") && da_list_has(&l, "c.com"), "all there");
	da_list_deinit(&l);
	da_list_deinit(NULL);
	ok(1, "da_list_deinit(NULL)");
}

int main(void)
{
	test_json();
	test_json_depth();
	test_legacy();
	test_not_lists();
	test_huge();
	test_append_and_rollback();
	return tap_done();
}
