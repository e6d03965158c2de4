/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zone.c -- zone text validation (libldns), checked against BIND and NSD */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "lib/zone.h"
#include "tests/unit/tap.h"

static char tmpdir[] = "/tmp/test_zone.XXXXXX";
static const char *datadir = "tests/data/zones";

/* The sample zones; counts as named-checkzone -D counts them
 * (tests/data/zones, copied from the shared README). */
static const struct sample {
	const char *domain;
	int64_t serial;
	int records;
	int has_ttl;        /* the file has its own $TTL */
} samples[] = {
	{ "example.com", 2024051501, 21, 1 },
	{ "shop.example.com", 2024060302, 21, 1 },
	{ "xn--mller-kva.example", 2024070101, 21, 1 },
	{ "hosted-client.test", 2023120405, 26, 1 },
	{ "113.0.203.in-addr.arpa", 2024010101, 6, 1 },
	{ "minimal.test", 2024080801, 6, 0 },
	{ "da-style.test", 2021082546, 17, 1 },
};

static char *slurp(const char *domain, size_t *len)
{
	char path[512], *text = NULL;

	snprintf(path, sizeof(path), "%s/%s.db", datadir, domain);
	if (util_read_file(path, 1 << 20, &text, len) != 0) {
		printf("# cannot read %s\n", path);
		return NULL;
	}
	return text;
}

static char *write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		printf("# cannot write %s\n", path);
	return path;
}

/* Exit status of a checker run on a zone file (the test's own shell). */
static int run_checker(const char *cmd, const char *domain, const char *path)
{
	char *line = xasprintf("%s %s %s >%s/checker.out 2>&1", cmd, domain, path, tmpdir);
	int st = system(line);

	free(line);
	if (st != 0) {
		line = xasprintf("sed 's/^/#   /' %s/checker.out", tmpdir);
		if (system(line) != 0)
			printf("# (no output)\n");
		free(line);
	}
	return st;
}

/* Records in a zone file as named-checkzone -D dumps them. */
static int bind_count(const char *domain, const char *path)
{
	char *cmd = xasprintf("named-checkzone -q -D -o %s/dump %s %s", tmpdir, domain, path);
	char *dump, line[8192];
	int n = -1;
	FILE *f;

	if (system(cmd) == 0) {
		dump = xasprintf("%s/dump", tmpdir);
		f = fopen(dump, "r");
		for (n = 0; f && fgets(line, sizeof(line), f);)
			n += line[0] != ';' && line[0] != '\n';
		if (f)
			fclose(f);
		unlink(dump);
		free(dump);
	}
	free(cmd);
	return n;
}

static char *crlf(const char *text, size_t len, size_t *outlen)
{
	char *out = xmalloc(2 * len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n')
			out[n++] = '\r';
		out[n++] = text[i];
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

static void check_parse(const struct sample *s, const char *text, const char *what)
{
	ldns_rr_list *rrs = NULL;
	char err[256];
	ldns_rr *soa;

	is_int(zone_parse(s->domain, text, strlen(text), &rrs, err, sizeof(err)), 0,
	       "%s: zone_parse of the %s text", s->domain, what);
	is_int(ldns_rr_list_rr_count(rrs), s->records, "%s: zone_parse count (%s)", s->domain,
	       what);
	soa = ldns_rr_list_rr(rrs, 0);
	ok(soa && ldns_rr_get_type(soa) == LDNS_RR_TYPE_SOA, "%s: SOA first (%s)", s->domain,
	   what);
	if (soa && ldns_rr_rd_count(soa) > 2)
		is_int(ldns_rdf2native_int32(ldns_rr_rdf(soa, 2)), s->serial,
		       "%s: serial from zone_parse (%s)", s->domain, what);
	ldns_rr_list_deep_free(rrs);
}

static void test_sample(const struct sample *s)
{
	struct zone_info zi = { 0 }, zc = { 0 };
	char err[256], *prefix, *path, *text, *t2;
	size_t len, len2;
	int rc;

	text = slurp(s->domain, &len);
	if (!ok(text != NULL, "%s: read sample", s->domain))
		return;
	err[0] = '\0';
	rc = zone_validate(s->domain, text, len, 0, &zi, err, sizeof(err));
	if (!ok(rc == 0, "%s: accepted", s->domain))
		printf("#   err: %s\n", err);
	is_int(zi.serial, s->serial, "%s: serial", s->domain);
	is_int(zi.records, s->records, "%s: record count", s->domain);
	prefix = xasprintf("$ORIGIN %s.\n", s->domain);
	/* without $TTL the TTLs BIND gives are written in (test_zone_ttl.c) */
	ok(zi.text && strncmp(zi.text, prefix, strlen(prefix)) == 0 &&
	   (s->has_ttl ? strcmp(zi.text + strlen(prefix), text) == 0 : !strstr(zi.text, "$TTL")),
	   "%s: stored text is the pushed text after '%s...'", s->domain, "$ORIGIN");
	if (!zi.text)
		goto out;
	path = write_tmp(s->domain, zi.text);
	is_int(run_checker("named-checkzone -q", s->domain, path), 0,
	       "%s: named-checkzone accepts the stored text", s->domain);
	is_int(run_checker("nsd-checkzone", s->domain, path), 0,
	       "%s: nsd-checkzone accepts the stored text", s->domain);
	is_int(bind_count(s->domain, path), zi.records, "%s: BIND counts as many records",
	       s->domain);
	unlink(path);
	free(path);
	check_parse(s, zi.text, "stored");
	check_parse(s, text, "pushed");

	t2 = crlf(text, len, &len2);
	is_int(zone_validate(s->domain, t2, len2, 0, &zc, err, sizeof(err)), 0,
	       "%s: accepted with CR LF line ends", s->domain);
	ok(zc.text && !strchr(zc.text, '\r') && strcmp(zc.text, zi.text) == 0,
	   "%s: CR LF stored as LF, same text", s->domain);
	is_int(zc.records, s->records, "%s: same count with CR LF", s->domain);
	zone_info_deinit(&zc);
	free(t2);
out:
	zone_info_deinit(&zi);
	free(prefix);
	free(text);
}

static void test_broken(void)
{
	struct zone_info zi = { .serial = -7, .records = -7, .text = NULL };
	char err[256], *text, *t2;
	size_t len;

	text = slurp("broken.test", &len);
	if (!ok(text != NULL, "broken.test: read sample"))
		return;
	is_int(zone_validate("broken.test", text, len, 0, &zi, err, sizeof(err)), DADNS_EPARSE,
	       "broken.test: refused");
	is_str(err, "line 2: '(' not closed", "broken.test: reason with its line");
	ok(zi.serial == -7 && zi.records == -7 && zi.text == NULL, "broken.test: out untouched");
	/* the same text after three blank lines: the line moves with it */
	t2 = xasprintf("\n\n\n%s", text);
	is_int(zone_validate("broken.test", t2, strlen(t2), 0, &zi, err, sizeof(err)),
	       DADNS_EPARSE, "broken.test shifted: refused");
	is_str(err, "line 5: '(' not closed", "broken.test shifted: line follows");
	free(t2);
	/* closed parenthesis: then the bad address on line 3 is what is wrong */
	t2 = xasprintf("$TTL 3600\n@ IN SOA ns1 hostmaster ( 1 2 3 4 5 )\n@ NS ns1\n"
		       "ns1 A 192.0.2.1\nwww IN A 999.1.1.1\nmail IN MX mail\n");
	is_int(zone_validate("broken.test", t2, strlen(t2), 0, &zi, err, sizeof(err)),
	       DADNS_EPARSE, "broken.test fixed parenthesis: refused");
	is_str(err, "line 5: syntax error, could not parse the RR's rdata",
	       "broken.test fixed parenthesis: the bad address");
	free(t2);
	free(text);
}

#define H "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n"
#define H_CRLF "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\r\n@ IN NS ns1\r\n" \
	       "ns1 IN A 192.0.2.1\r\n"

/* Refused inputs for example.com; len -1 is strlen; max 0 is no limit. */
static const struct hostile {
	const char *name;
	const char *text;
	int len;
	int max;
	const char *err;
} hostiles[] = {
	{ "empty", "", -1, 0, "empty zone (no records)" },
	{ "blank lines only", "\n\n \t \n\t\n", -1, 0, "empty zone (no records)" },
	{ "comments only", "; a comment\n   ; another\n", -1, 0, "empty zone (no records)" },
	{ "directives only", "$TTL 3600\n$ORIGIN example.com.\n", -1, 0,
	  "empty zone (no records)" },
	{ "$INCLUDE", H "$INCLUDE /etc/passwd\n", -1, 0, "line 4: $INCLUDE is not allowed" },
	{ "$include lower case", H "$include /etc/passwd\n", -1, 0,
	  "line 4: $INCLUDE is not allowed" },
	{ "$GENERATE", H "\n$GENERATE 1-100 host$ A 192.0.2.$\n", -1, 0,
	  "line 5: $GENERATE is not allowed" },
	{ "unknown directive", H "$FOO bar\n", -1, 0, "line 4: unknown directive $FOO" },
	{ "$TTL garbage", H "$TTL garbage\n", -1, 0, "line 4: invalid $TTL 'garbage'" },
	{ "$TTL without value", H "$TTL\n", -1, 0, "line 4: $TTL takes exactly one argument" },
	{ "$TTL overflow", H "$TTL 99999999999\n", -1, 0,
	  "line 4: invalid $TTL '99999999999'" },
	{ "$TTL negative", H "$TTL -1\n", -1, 0, "line 4: invalid $TTL '-1'" },
	{ "$ORIGIN garbage", H "$ORIGIN a b.\n", -1, 0,
	  "line 4: $ORIGIN takes exactly one argument" },
	{ "$ORIGIN relative", H "$ORIGIN relative\n", -1, 0,
	  "line 4: $ORIGIN must be an absolute name ending in '.'" },
	{ "$ORIGIN ..", H "$ORIGIN ..\n", -1, 0,
	  "line 4: syntax error, could not parse the RR's dname(s)" },
	{ "later $ORIGIN elsewhere", H "$ORIGIN other.tld.\nwww IN A 192.0.2.2\n", -1, 0,
	  "line 5: www.other.tld. is outside the zone" },
	{ "owner outside", H "www.example.org. IN A 192.0.2.2\n", -1, 0,
	  "line 4: www.example.org. is outside the zone" },
	{ "owner suffix only", H "badexample.com. IN A 192.0.2.2\n", -1, 0,
	  "line 4: badexample.com. is outside the zone" },
	{ "no SOA", "@ IN NS ns1\nns1 IN A 192.0.2.1\n", -1, 0, "no SOA record" },
	{ "two SOA", H "@ IN SOA ns2 hostmaster 2 3600 600 86400 300\n", -1, 0,
	  "line 4: more than one SOA record" },
	{ "SOA below apex", "www IN SOA ns1 hostmaster 1 2 3 4 5\n@ NS ns1\n", -1, 0,
	  "line 1: SOA record not at the zone apex" },
	{ "SOA serial 2^32", "@ IN SOA ns1 hostmaster ( 4294967296 1 2 3 4 )\n@ NS ns1.x.\n",
	  -1, 0, "line 1: number out of range '4294967296'" },
	{ "SOA timer overflow", "@ IN SOA ns1 hostmaster 1 99999999999 2 3 4\n@ NS ns1.x.\n",
	  -1, 0, "line 1: number out of range '99999999999'" },
	{ "MX preference 70000", H "@ IN MX 70000 mail\n", -1, 0,
	  "line 4: number out of range '70000'" },
	{ "SRV port 70000", H "_sip._tcp IN SRV 10 60 70000 sip\n", -1, 0,
	  "line 4: number out of range '70000'" },
	{ "CAA flags 256", H "@ IN CAA 256 issue \"letsencrypt.org\"\n", -1, 0,
	  "line 4: number out of range '256'" },
	{ "no first owner", "\tIN SOA ns1 hostmaster 1 2 3 4 5\n@ NS ns1.x.\n", -1, 0,
	  "line 1: no owner name (the line starts with a blank)" },
	{ "class before TTL", H "www IN 300 A 192.0.2.2\n", -1, 0,
	  "line 4: the TTL must come before the class" },
	{ "bad address", H "\n\nwww IN A 999.1.1.1\n", -1, 0,
	  "line 6: syntax error, could not parse the RR's rdata" },
	{ "missing rdata", H "www IN MX\n", -1, 0, "line 4: syntax error, value expected" },
	{ "unknown type", H "www IN FOO bar\n", -1, 0, "line 4: unknown record type 'FOO'" },
	{ "class CH", H "www CH A 192.0.2.2\n", -1, 0, "line 4: only class IN is supported" },
	{ "TTL with junk", H "www 3600abc IN A 192.0.2.2\n", -1, 0,
	  "line 4: invalid TTL '3600abc'" },
	{ "TTL overflow", H "www 99999999999 IN A 192.0.2.2\n", -1, 0,
	  "line 4: invalid TTL '99999999999'" },
	{ "superfluous text", H "www IN A 192.0.2.2 extra\n", -1, 0,
	  "line 4: syntax error, superfluous text present" },
	{ "lone (", "(\n", -1, 0, "line 1: '(' not closed" },
	{ "unclosed ( at end", H "www IN TXT ( \"a\"\n\"b\"\n", -1, 0, "line 4: '(' not closed" },
	{ "lone )", H ")\n", -1, 0, "line 4: ')' without '('" },
	{ "empty parentheses", H "()\n", -1, 0, "line 4: empty record" },
	{ "unterminated quote", H "www IN TXT \"open\nftp IN A 192.0.2.2\n", -1, 0,
	  "line 4: unterminated quoted string" },
	{ "backslash at line end", H "www IN TXT abc\\\n", -1, 0,
	  "line 4: backslash at end of line" },
	{ "multi-line record, error after", H "\nwww IN TXT ( \"a\"\n  \"b\" )\nmail A 1.2.3\n",
	  -1, 0, "line 7: syntax error, could not parse the RR's rdata" },
	{ "NUL byte", H "www IN A 192.0.2.2\0\n", (int)sizeof(H) + 19, 0,
	  "line 4: NUL byte in zone text" },
	{ "control character", H "www IN TXT \"a\001b\"\n", -1, 0,
	  "line 4: control character 0x01" },
	{ "escape character", H "\x1b[2J\n", -1, 0, "line 4: control character 0x1b" },
	{ "lone CR", H "www IN A 192.0.2.2\rftp IN A 192.0.2.3\n", -1, 0,
	  "line 4: carriage return without line feed" },
	{ "CR LF, error line", H_CRLF "\r\nwww IN A 1.2.3\r\n", -1, 0,
	  "line 5: syntax error, could not parse the RR's rdata" },
	{ "too many records", H "a A 192.0.2.2\nb A 192.0.2.3\nc A 192.0.2.4\n", -1, 5,
	  "line 6: more than 5 records" },
	{ "CNAME and other data", H "www IN A 192.0.2.2\nwww IN CNAME @\n", -1, 0,
	  "line 5: CNAME and other data at www.example.com." },
	{ "CNAME at apex", H "@ IN CNAME www\n", -1, 0,
	  "line 4: CNAME and other data at example.com." },
	{ "two CNAMEs", H "www IN CNAME b\nwww IN CNAME a\n", -1, 0,
	  "line 5: more than one CNAME record for www.example.com." },
	{ "no apex NS", "@ IN SOA ns1 hostmaster 1 2 3 4 5\nwww IN A 192.0.2.2\n", -1, 0,
	  "no NS record at the zone apex" },
	{ "apex NS without address", H "@ IN NS ns2\n", -1, 0,
	  "line 4: NS target ns2.example.com. has no address record (A or AAAA)" },
	{ "apex NS to a CNAME", H "@ IN NS ns2\nns2 IN CNAME ns1\n", -1, 0,
	  "line 4: NS target ns2.example.com. is a CNAME" },
	{ "label of 64", H "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  " A 192.0.2.2\n", -1, 0, "line 4: syntax error, could not parse the RR" },
	{ "invalid domain", H, -1, 0, NULL },
};

static void test_hostile(void)
{
	struct zone_info zi;
	char err[256];
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(hostiles); i++) {
		const struct hostile *h = &hostiles[i];
		const char *domain = h->err ? "example.com" : "example..com";
		const char *want = h->err ? h->err : "invalid domain name";

		len = h->len < 0 ? strlen(h->text) : (size_t)h->len;
		memset(&zi, 0x5a, sizeof(zi));
		strcpy(err, "unset");
		is_int(zone_validate(domain, h->text, len, h->max, &zi, err, sizeof(err)),
		       DADNS_EPARSE, "hostile %zu (%s): refused", i, h->name);
		is_str(err, want, "hostile %zu (%s): reason", i, h->name);
		ok(zi.records == 0x5a5a5a5a, "hostile %zu (%s): out untouched", i, h->name);
	}
}

/* Inputs built at run time: sizes, garbage; refused without a crash. */
static void test_big(void)
{
	struct zone_info zi = { 0 };
	size_t n = 1 << 20, i;
	char err[256], *t;
	unsigned int seed = 12345;
	struct strbuf sb;

	t = xmalloc(n + 1);
	memset(t, 'a', n);
	t[n] = '\0';
	is_int(zone_validate("example.com", t, n, 0, &zi, err, sizeof(err)), DADNS_EPARSE,
	       "1 MB of 'a' refused");
	is_str(err, "line 1: record longer than 10229 octets", "1 MB of 'a': reason");

	/* one TXT record of about 70,000 octets in 280 strings */
	strbuf_init(&sb);
	strbuf_puts(&sb, H "big IN TXT (");
	for (i = 0; i < 280; i++)
		strbuf_printf(&sb, " \"%.*s\"\n", 248, t);
	strbuf_puts(&sb, ")\n");
	ok(sb.len > 70000, "built a record of %zu octets", sb.len);
	is_int(zone_validate("example.com", sb.buf, sb.len, 0, &zi, err, sizeof(err)),
	       DADNS_EPARSE, "70,000-octet record refused");
	is_str(err, "line 4: record longer than 10229 octets", "70,000-octet record: reason");
	strbuf_deinit(&sb);

	/* 123 relative labels: over 255 octets once the origin is added */
	strcpy(t, H);
	for (i = 0; i < 122; i++)
		strcat(t, "a.");
	strcat(t, "b IN A 192.0.2.2\n");
	is_int(zone_validate("example.com", t, strlen(t), 0, &zi, err, sizeof(err)),
	       DADNS_EPARSE, "owner of 125 labels refused");
	is_str(err, "line 4: name longer than 255 octets", "125 labels: reason");
	strcpy(t, H);
	for (i = 0; i < 130; i++)
		strcat(t, "a.");
	strcat(t, "b IN A 192.0.2.2\n");
	is_int(zone_validate("example.com", t, strlen(t), 0, &zi, err, sizeof(err)),
	       DADNS_EPARSE, "owner of 261 octets as written refused");
	is_str(err, "line 4: syntax error, could not parse the RR", "261 octets: reason");
	strcpy(t, H "x IN CNAME ");
	for (i = 0; i < 122; i++)
		strcat(t, "a.");
	strcat(t, "b\n");
	is_int(zone_validate("example.com", t, strlen(t), 0, &zi, err, sizeof(err)),
	       DADNS_EPARSE, "CNAME target over 255 octets refused");
	is_str(err, "line 4: name longer than 255 octets", "long CNAME target: reason");

	/* 10,000 lines of parentheses, and of binary garbage */
	memset(t, '(', n);
	is_int(zone_validate("example.com", t, n, 0, &zi, err, sizeof(err)), DADNS_EPARSE,
	       "1 MB of '(' refused");
	is_str(err, "line 1: '(' not closed", "1 MB of '(': reason");
	for (i = 0; i < n; i++)
		t[i] = (char)(rand_r(&seed) & 0xff);
	is_int(zone_validate("example.com", t, n, 0, &zi, err, sizeof(err)), DADNS_EPARSE,
	       "1 MB of random octets refused");
	ok(strncmp(err, "line ", 5) == 0, "random octets: reason with a line (%s)", err);
	free(t);
}

/* Random edits of a good zone: never a crash or a leak (run under ASan);
 * every refusal names its line or is one of the zone-wide reasons. */
static void test_mutations(void)
{
	static const char *bits[] = { "(", ")", "\"", ";", "\\", "$", "@", " ", "\t", "\n",
				      ".", "99999999999", "-1", "*", "IN", "CH", "SOA", "TXT",
				      "CNAME", "\\#", "..", "$TTL", "$ORIGIN", "\xc3\xbc", "\r\n" };
	struct zone_info zi;
	unsigned int seed = 42;
	size_t len, n, p;
	char *text, *t, err[256];
	int i, k, accepted = 0, sane = 1, rc;

	text = slurp("hosted-client.test", &len);
	if (!ok(text != NULL, "mutations: read sample"))
		return;
	t = xmalloc(len + 200);
	for (i = 0; i < 3000; i++) {
		memcpy(t, text, len);
		n = len;
		for (k = rand_r(&seed) % 4; k >= 0; k--) {
			const char *b = bits[rand_r(&seed) % ARRAY_SIZE(bits)];
			size_t bl = strlen(b), del = (size_t)rand_r(&seed) % 4;

			p = (size_t)rand_r(&seed) % n;
			del = p + del > n ? n - p : del;
			memmove(t + p + bl, t + p + del, n - p - del);
			memcpy(t + p, b, bl);
			n = n + bl - del;
		}
		rc = zone_validate("hosted-client.test", t, n, 0, &zi, err, sizeof(err));
		if (rc == 0) {
			accepted++;
			sane &= zi.records > 0 && zi.text != NULL;
			zone_info_deinit(&zi);
		} else if (strncmp(err, "line ", 5) != 0 && strcmp(err, "no SOA record") != 0 &&
			   strcmp(err, "no NS record at the zone apex") != 0) {
			printf("# mutation %d: unexpected reason '%s'\n", i, err);
			sane = 0;
		}
	}
	ok(sane, "3000 mutations: no crash, reasons name their line (%d accepted)", accepted);
	free(t);
	free(text);
}

static void test_forms(void)
{
	struct zone_info zi = { 0 };
	ldns_rr_list *rrs = NULL;
	char err[256], *path;
	const char *t;

	/* $TTL 0 and its own $ORIGIN: nothing prepended, TTL 0 kept */
	t = "$ORIGIN example.com.\n$TTL 0\n@ SOA ns1 hostmaster 4294967295 1 2 3 4\n"
	    "@ NS ns1\nns1 A 192.0.2.1\nwww 1h A 192.0.2.2\n";
	is_int(zone_validate("example.com", t, strlen(t), 0, &zi, err, sizeof(err)), 0,
	       "$ORIGIN and $TTL 0 accepted");
	is_int(zi.serial, 4294967295LL, "serial 4294967295 kept whole");
	is_str(zi.text, t, "nothing prepended to a text with $ORIGIN and $TTL");
	zone_info_deinit(&zi);
	is_int(zone_parse("example.com", t, strlen(t), &rrs, err, sizeof(err)), 0, "parse");
	is_int(ldns_rr_ttl(ldns_rr_list_rr(rrs, 1)), 0, "$TTL 0 applies (ldns would say 3600)");
	is_int(ldns_rr_ttl(ldns_rr_list_rr(rrs, 3)), 3600, "explicit TTL 1h");
	ldns_rr_list_deep_free(rrs);

	/* $TTL only after the first record: the SOA gets its MINIMUM written
	 * in, as BIND gives it; the records after $TTL get $TTL */
	t = "@ SOA ns1 hostmaster 7 1 2 3 4\n$TTL 60\n@ NS ns1\nns1 A 192.0.2.1\n";
	is_int(zone_validate("example.com", t, strlen(t), 0, &zi, err, sizeof(err)), 0,
	       "late $TTL accepted");
	is_str(zi.text, "$ORIGIN example.com.\n@ 4 SOA ns1 hostmaster 7 1 2 3 4\n$TTL 60\n"
	       "@ 60 NS ns1\nns1 60 A 192.0.2.1\n", "late $TTL: $ORIGIN first, TTLs written in");
	zone_info_deinit(&zi);

	/* duplicates count once, as BIND and NSD load them; no final newline */
	t = "@ SOA ns1 hostmaster 7 1 2 3 4\n@ NS ns1\nns1 A 192.0.2.1\nNS1 300 A 192.0.2.1";
	is_int(zone_validate("Example.COM.", t, strlen(t), 0, &zi, err, sizeof(err)), 0,
	       "duplicate record accepted (domain given unnormalized)");
	is_int(zi.records, 3, "duplicate counted once");
	ok(zi.text && zi.text[strlen(zi.text) - 1] == '\n', "final newline added");
	path = zi.text ? write_tmp("dup.zone", zi.text) : NULL;
	if (path) {
		is_int(bind_count("example.com", path), 3, "BIND counts 3 records too");
		unlink(path);
		free(path);
	}
	zone_info_deinit(&zi);

	/* blank owner continues the previous name; wildcard covers apex NS */
	t = "@ SOA ns1 hostmaster 7 1 2 3 4\n@ NS ns1\n\tNS ns9.example.net.\n* A 192.0.2.1\n";
	is_int(zone_validate("example.com", t, strlen(t), 0, &zi, err, sizeof(err)), 0,
	       "blank owner and wildcard-covered NS accepted");
	is_int(zi.records, 4, "blank owner: 4 records");
	zone_info_deinit(&zi);
}

static void cleanup(void)
{
	char *p = xasprintf("%s/checker.out", tmpdir);

	unlink(p);
	free(p);
	rmdir(tmpdir);
}

int main(void)
{
	size_t i;

	if (getenv("DADNS_TESTDATA"))
		datadir = getenv("DADNS_TESTDATA");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(samples); i++)
		test_sample(&samples[i]);
	test_broken();
	test_hostile();
	test_big();
	test_forms();
	test_mutations();
	cleanup();
	return tap_done();
}
