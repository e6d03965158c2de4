/* SPDX-License-Identifier: BSD-3-Clause */
/* test_peer.c -- peer JSON parsers with hostile input, RFC 1982 serial order, peer URLs */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/peer.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

#define S(x) (x), strlen(x)

static void serials(void)
{
	is_int(peer_serial_cmp(1, 1), 0, "equal serials");
	is_int(peer_serial_cmp(1, 2), -1, "1 < 2");
	is_int(peer_serial_cmp(2, 1), 1, "2 > 1");
	is_int(peer_serial_cmp(2026010101, 2026010102), -1, "date serials");
	/* wraparound: 2^32-1 + 1 = 0 */
	is_int(peer_serial_cmp(4294967295LL, 0), -1, "2^32-1 < 0 (wraps)");
	is_int(peer_serial_cmp(0, 4294967295LL), 1, "0 > 2^32-1 (wraps)");
	is_int(peer_serial_cmp(4294967290LL, 10), -1, "4294967290 < 10 (wraps)");
	is_int(peer_serial_cmp(10, 4294967290LL), 1, "10 > 4294967290 (wraps)");
	is_int(peer_serial_cmp(0, 2147483647LL), -1, "0 < 2^31-1");
	is_int(peer_serial_cmp(0, 2147483649LL), 1, "0 > 2^31+1 (wraps)");
	is_int(peer_serial_cmp(0, 2147483648LL), PEER_SERIAL_UNDEFINED, "exactly 2^31 apart: undefined");
	is_int(peer_serial_cmp(100, 2147483748LL), PEER_SERIAL_UNDEFINED, "2^31 apart again: undefined");
	is_int(peer_serial_cmp(-1, 0), PEER_SERIAL_UNDEFINED, "negative: undefined");
	is_int(peer_serial_cmp(4294967296LL, 0), PEER_SERIAL_UNDEFINED, "2^32: undefined");

	is_int(peer_zone_newer(2, 0, 1, 100), 1, "greater serial wins over a later time");
	is_int(peer_zone_newer(1, 100, 2, 0), -1, "smaller serial loses to an earlier time");
	is_int(peer_zone_newer(5, 200, 5, 100), 1, "same serial: later time is newer");
	is_int(peer_zone_newer(5, 100, 5, 200), -1, "same serial: earlier time is older");
	is_int(peer_zone_newer(5, 100, 5, 100), 0, "same serial, same time: the same");
	is_int(peer_zone_newer(0, 200, 2147483648LL, 100), 1, "undefined order: time decides");
	is_int(peer_zone_newer(10, 0, 4294967290LL, 100), 1, "wrapped serial is newer");
}

static void zone_list(void)
{
	struct peer_zone_list l;
	char err[256];
	int rc;

	rc = peer_parse_zone_list(S("[{\"domain\":\"Example.COM.\",\"serial\":2026010101,"
				    "\"zone_updated_at\":1764000000000,\"hostname\":\"DA1.example.net\","
				    "\"username\":\"fred\"},{\"domain\":\"b.test\",\"serial\":0,"
				    "\"zone_updated_at\":0}]"),
				  &l, err, sizeof(err));
	is_int(rc, 0, "a zone list parses");
	is_int(l.n, 2, "two entries");
	is_int(l.skipped, 0, "none skipped");
	is_str(l.v[0].domain, "example.com", "domain normalized");
	is_int(l.v[0].serial, 2026010101, "serial");
	is_int(l.v[0].updated_at, 1764000000000LL, "zone_updated_at in ms");
	is_str(l.v[0].hostname, "da1.example.net", "hostname lower-cased");
	is_str(l.v[0].username, "fred", "username");
	is_str(l.v[1].hostname, "", "no hostname: empty");
	peer_zone_list_deinit(&l);

	rc = peer_parse_zone_list(S("[]"), &l, err, sizeof(err));
	ok(rc == 0 && l.n == 0, "empty list");
	peer_zone_list_deinit(&l);

	/* hostile entries are skipped one by one */
	rc = peer_parse_zone_list(S("[{\"domain\":\"../etc\",\"serial\":1,\"zone_updated_at\":1},"
				    "{\"domain\":\"a/b.test\",\"serial\":1,\"zone_updated_at\":1},"
				    "{\"domain\":\"x.test\",\"serial\":-1,\"zone_updated_at\":1},"
				    "{\"domain\":\"x.test\",\"serial\":4294967296,\"zone_updated_at\":1},"
				    "{\"domain\":\"x.test\",\"serial\":\"1\",\"zone_updated_at\":1},"
				    "{\"domain\":\"x.test\",\"serial\":1.5,\"zone_updated_at\":1},"
				    "{\"domain\":\"x.test\",\"serial\":1,\"zone_updated_at\":-1},"
				    "{\"domain\":\"x.test\",\"serial\":1},"
				    "{\"domain\":\"x.test\",\"serial\":1,\"zone_updated_at\":1,\"hostname\":\"a b\"},"
				    "{\"domain\":\"x.test\",\"serial\":1,\"zone_updated_at\":1,\"username\":\"../root\"},"
				    "{\"domain\":\"x.test\",\"serial\":1,\"zone_updated_at\":1,\"hostname\":7},"
				    "{\"domain\":7,\"serial\":1,\"zone_updated_at\":1},"
				    "{\"serial\":1,\"zone_updated_at\":1},"
				    "\"x.test\", 7, null, [],"
				    "{\"domain\":\"ok.test\",\"serial\":1,\"zone_updated_at\":1}]"),
				  &l, err, sizeof(err));
	is_int(rc, 0, "a list with hostile entries parses");
	is_int(l.n, 1, "only the good entry is kept");
	is_int(l.skipped, 17, "every hostile entry counted");
	ok(l.n == 1 && !strcmp(l.v[0].domain, "ok.test"), "the good entry is ok.test");
	ok(strstr(l.skip_reason, "entry 0") && strstr(l.skip_reason, "not a valid DNS name"),
	   "first reason: %s", l.skip_reason);
	peer_zone_list_deinit(&l);
}

static void refused(const char *body, size_t len, int want, const char *what)
{
	struct peer_zone_list l;
	struct peer_tombstone_list t;
	struct peer_url_list u;
	struct peer_zone z;
	char err[256] = "";
	int r1, r2, r3, r4;

	r1 = peer_parse_zone_list(body, len, &l, err, sizeof(err));
	r2 = peer_parse_tombstones(body, len, &t, err, sizeof(err));
	r3 = peer_parse_peer_list(body, len, &u, err, sizeof(err));
	r4 = peer_parse_zone(body, len, 1 << 20, &z, err, sizeof(err));
	if (!ok(r1 == want && r2 == want && r3 == want && (r4 == want || r4 == DADNS_EPARSE) && err[0] &&
		l.n == 0 && t.n == 0 && u.n == 0 && !z.zone_data,
		"refused by every parser: %s", what))
		printf("#   %d %d %d %d, err '%s'\n", r1, r2, r3, r4, err);
	peer_zone_list_deinit(&l);
	peer_tombstone_list_deinit(&t);
	peer_url_list_deinit(&u);
	peer_zone_deinit(&z);
}

static void hostile_documents(void)
{
	char *deep, *big;
	size_t i, n = 100000;

	refused(NULL, 0, DADNS_EPARSE, "no body");
	refused(S(""), DADNS_EPARSE, "empty body");
	refused(S("{\"domain\": [ \"unterminated"), DADNS_EPARSE, "truncated JSON");
	refused(S("[1,]"), DADNS_EPARSE, "trailing comma");
	refused(S("<html>502 Bad Gateway</html>"), DADNS_EPARSE, "an HTML error page");
	refused(S("\"a string\""), DADNS_EPARSE, "a bare string");
	refused(S("[] []"), DADNS_EPARSE, "two documents");
	refused("[\"a\0b\"]", 7, DADNS_EPARSE, "a NUL byte in the text");
	refused(S("[\"\xff\xfe\"]"), DADNS_EPARSE, "invalid UTF-8");
	refused(S("[{\"a\":1,\"a\":2}]"), DADNS_EPARSE, "duplicate keys");
	refused(S("[{\"domain\":\"x.test\\u0000.evil\",\"serial\":1,\"zone_updated_at\":1}]"),
		DADNS_EPARSE, "an escaped NUL in a string");
	deep = xmalloc(2 * n + 1);
	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[n + i] = ']';
	}
	refused(deep, 2 * n, DADNS_E2BIG, "arrays nested 100000 deep");
	refused(S("[[[[[1]]]]]"), DADNS_E2BIG, "arrays nested 5 deep");
	free(deep);
	/* millions of tiny values: refused before jansson allocates them */
	n = (size_t)PEER_JSON_VALUES + 1;
	deep = xmalloc(2 * n + 2);
	deep[0] = '[';
	for (i = 0; i < n; i++) {
		deep[1 + 2 * i] = '0';
		deep[2 + 2 * i] = ',';
	}
	deep[2 * n] = ']';
	refused(deep, 2 * n + 1, DADNS_E2BIG, "more values than PEER_JSON_VALUES");
	free(deep);
	/* brackets inside strings do not count as nesting */
	{
		struct peer_url_list u;
		char err[128];

		ok(peer_parse_peer_list(S("[\"http://a.test/[[[[[[[[\\\"\"]"), &u, err, sizeof(err)) == 0 &&
		   u.n == 0 && u.skipped == 1, "brackets in a string are not nesting");
		peer_url_list_deinit(&u);
	}
	/* over PEER_JSON_MAX: refused before it is parsed (the length is
	 * what counts: the octets are never read) */
	big = xmalloc(16);
	memcpy(big, "[]", 3);
	refused(big, (size_t)PEER_JSON_MAX + 1, DADNS_E2BIG, "an answer over 64 MiB");
	free(big);
}

static void one_zone(void)
{
	struct peer_zone z;
	char err[256];
	int rc;

	rc = peer_parse_zone(S("{\"domain\":\"a.test\",\"serial\":7,\"zone_updated_at\":5,\"hostname\":\"h\","
			       "\"username\":\"u\",\"zone_data\":\"$TTL 60\\n@ SOA a b 7 1 1 1 1\\n\"}"),
			     1 << 20, &z, err, sizeof(err));
	is_int(rc, 0, "a zone parses");
	is_str(z.e.domain, "a.test", "its domain");
	is_int(z.e.serial, 7, "its serial");
	is_str(z.zone_data, "$TTL 60\n@ SOA a b 7 1 1 1 1\n", "its text");
	is_int(z.zone_len, strlen("$TTL 60\n@ SOA a b 7 1 1 1 1\n"), "its length");
	peer_zone_deinit(&z);

	rc = peer_parse_zone(S("{\"domain\":\"a.test\",\"serial\":7,\"zone_updated_at\":5,"
			       "\"zone_data\":\"0123456789\"}"), 9, &z, err, sizeof(err));
	ok(rc == DADNS_E2BIG && !z.zone_data, "zone_data over max_zone refused: %s", err);
	rc = peer_parse_zone(S("{\"domain\":\"a.test\",\"serial\":7,\"zone_updated_at\":5,"
			       "\"zone_data\":\"a\\u0000b\"}"), 100, &z, err, sizeof(err));
	ok(rc == DADNS_EPARSE && !z.zone_data, "a NUL in zone_data refused");
	rc = peer_parse_zone(S("{\"domain\":\"a.test\",\"serial\":7,\"zone_updated_at\":5,\"zone_data\":7}"),
			     100, &z, err, sizeof(err));
	ok(rc == DADNS_EPARSE && strstr(err, "zone_data"), "zone_data must be a string");
	rc = peer_parse_zone(S("{\"domain\":\"..\",\"serial\":7,\"zone_updated_at\":5,\"zone_data\":\"\"}"),
			     100, &z, err, sizeof(err));
	ok(rc == DADNS_EPARSE && strstr(err, "domain"), "a bad domain refuses the zone");
	rc = peer_parse_zone(S("[]"), 100, &z, err, sizeof(err));
	ok(rc == DADNS_EPARSE, "an array is not a zone");
}

static void tombstones(void)
{
	struct peer_tombstone_list t;
	char err[256];
	int rc;

	rc = peer_parse_tombstones(S("[{\"domain\":\"a.test\",\"serial\":3,\"deleted_at\":99},"
				     "{\"domain\":\"../../etc/passwd\",\"serial\":1,\"deleted_at\":1},"
				     "{\"domain\":\"b.test\",\"serial\":1},"
				     "{\"domain\":\"c.test\",\"serial\":1,\"deleted_at\":\"now\"}]"),
				   &t, err, sizeof(err));
	is_int(rc, 0, "tombstones parse");
	is_int(t.n, 1, "one good tombstone");
	is_int(t.skipped, 3, "three skipped");
	ok(t.n == 1 && !strcmp(t.v[0].domain, "a.test") && t.v[0].serial == 3 && t.v[0].deleted_at == 99,
	   "its fields");
	peer_tombstone_list_deinit(&t);
}

static void urls(void)
{
	struct peer_url_list u;
	char out[PEER_URL_MAX], name[PEER_URL_MAX], err[256];
	int rc;

	ok(peer_url_normalize("HTTP://Node-B.Example.NET:2222", out) == 0 &&
	   !strcmp(out, "http://node-b.example.net:2222/"), "scheme and host lower-cased, '/' added");
	ok(peer_url_normalize("https://b.test/Dadns//", out) == 0 && !strcmp(out, "https://b.test/Dadns/"),
	   "path keeps its case, one trailing '/'");
	ok(peer_url_normalize("ftp://b.test/", out) < 0, "ftp refused");
	ok(peer_url_normalize("file:///etc/passwd", out) < 0, "file refused");
	ok(peer_url_normalize("javascript:alert(1)", out) < 0, "javascript refused");
	ok(peer_url_normalize("http://user:pw@b.test/", out) < 0, "credentials in the URL refused");
	ok(peer_url_normalize("http://b.test/?a=1", out) < 0, "a query refused");
	ok(peer_url_normalize("http://b.test/#x", out) < 0, "a fragment refused");
	ok(peer_url_normalize("http://b .test/", out) < 0, "a blank refused");
	ok(peer_url_normalize("http://b.test/\n", out) < 0, "a line end refused");
	ok(peer_url_normalize("http://", out) < 0, "no host refused");
	ok(peer_url_normalize("http:///x", out) < 0, "empty host refused");
	{
		char longurl[PEER_URL_MAX + 10];

		memset(longurl, 'a', sizeof(longurl) - 1);
		memcpy(longurl, "http://", 7);
		longurl[sizeof(longurl) - 1] = '\0';
		ok(peer_url_normalize(longurl, out) < 0, "an over-long URL refused");
	}
	/* what a hostile peer may not make this node call (with credentials) */
	ok(peer_url_discoverable("http://169.254.169.254/") < 0, "link-local metadata address refused");
	ok(peer_url_discoverable("http://169.254.169.254:80/latest/") < 0, "... with a port and a path");
	ok(peer_url_discoverable("http://2852039166/") < 0, "... as one decimal number");
	ok(peer_url_discoverable("http://0xa9fea9fe/") < 0, "... in hexadecimal");
	ok(peer_url_discoverable("http://169.254.43518/") < 0, "... in the a.b.c form");
	ok(peer_url_discoverable("http://[fe80::1]:8080/") < 0, "IPv6 link-local refused");
	ok(peer_url_discoverable("http://[::ffff:169.254.169.254]/") < 0, "IPv4-mapped link-local refused");
	ok(peer_url_discoverable("http://[fd00:ec2::254]/") < 0, "the AWS IPv6 metadata address refused");
	ok(peer_url_discoverable("http://0.0.0.0:80/") < 0, "unspecified refused");
	ok(peer_url_discoverable("http://[::]/") < 0, "IPv6 unspecified refused");
	ok(peer_url_discoverable("http://224.0.0.1/") < 0, "multicast refused");
	ok(peer_url_discoverable("http://255.255.255.255/") < 0, "broadcast refused");
	ok(peer_url_discoverable("http://[ff02::1]/") < 0, "IPv6 multicast refused");
	ok(peer_url_discoverable("http://127.0.0.1:8080/") == 0, "loopback allowed");
	ok(peer_url_discoverable("https://10.0.0.2:2222/dadns/") == 0, "a private address allowed");
	ok(peer_url_discoverable("https://[2001:db8::2]/") == 0, "a global IPv6 address allowed");
	ok(peer_url_discoverable("https://node-b.example.net/") == 0, "a name allowed (checked when resolved)");
	ok(peer_url_discoverable("https://169.254.example.net/") == 0, "a name that looks like an address");
	ok(peer_url_name("http://10.0.0.2:2222/", name, sizeof(name)) == 0 && !strcmp(name, "10.0.0.2:2222"),
	   "name of a discovered peer");
	ok(peer_url_name("https://dns.test/dadns/", name, sizeof(name)) == 0 && !strcmp(name, "dns.test/dadns"),
	   "name keeps the path");

	rc = peer_parse_peer_list(S("[\"http://A.test/\",\"http://a.test\",\"javascript:alert(1)\",42,"
				    "\"http://u:p@x.test/\",null,\"https://b.test:8443/\"]"),
				  &u, err, sizeof(err));
	is_int(rc, 0, "a peer list parses");
	is_int(u.n, 2, "two peers, duplicates merged");
	is_int(u.skipped, 4, "four bad entries skipped");
	ok(u.n == 2 && !strcmp(u.v[0], "http://a.test/") && !strcmp(u.v[1], "https://b.test:8443/"),
	   "normalized URLs");
	peer_url_list_deinit(&u);

	/* a peer naming thousands of peers: only PEER_PEERS_MAX kept */
	{
		struct strbuf sb;
		int i;

		strbuf_init(&sb);
		strbuf_puts(&sb, "[");
		for (i = 0; i < 1000; i++)
			strbuf_printf(&sb, "%s\"http://p%d.test/\"", i ? "," : "", i);
		strbuf_puts(&sb, "]");
		rc = peer_parse_peer_list(sb.buf, sb.len, &u, err, sizeof(err));
		ok(rc == 0 && u.n == PEER_PEERS_MAX && u.skipped == 1000 - PEER_PEERS_MAX,
		   "at most %d peers from one list", PEER_PEERS_MAX);
		peer_url_list_deinit(&u);
		strbuf_deinit(&sb);
	}
}

int main(void)
{
	serials();
	zone_list();
	hostile_documents();
	one_zone();
	tombstones();
	urls();
	return tap_done();
}
