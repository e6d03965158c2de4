/* SPDX-License-Identifier: BSD-3-Clause */
/* test_rrconv.c -- zone records to CoreDNS / PowerDNS MySQL rows */
#include <stdlib.h>
#include <string.h>

#include "lib/backends/rrconv.h"
#include "lib/util.h"
#include "lib/zone.h"
#include "tests/unit/tap.h"

/* Convert one record line (zone presentation, relative to origin). */
static int conv1(enum rrconv_flavor fl, const char *origin, const char *line, struct rrconv_row *row)
{
	ldns_rdf *o = NULL, *prev = NULL;
	ldns_rr *rr = NULL;
	char err[256] = "";
	int rc;

	memset(row, 0, sizeof(*row));
	if (ldns_str2rdf_dname(&o, origin) != LDNS_STATUS_OK)
		return -1;
	if (ldns_rr_new_frm_str(&rr, line, 3600, o, &prev) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(o);
		printf("# ldns refused: %s\n", line);
		return -1;
	}
	rc = rrconv_rr(fl, o, rr, row, err, sizeof(err));
	if (rc < 0)
		printf("# rrconv: %s\n", err);
	ldns_rr_free(rr);
	ldns_rdf_deep_free(o);
	ldns_rdf_deep_free(prev);
	return rc;
}

/* One record: the hostname/name, type and data expected. */
static void check1(enum rrconv_flavor fl, const char *origin, const char *line, const char *name,
		   const char *type, const char *data, int prio)
{
	struct rrconv_row r;
	int rc = conv1(fl, origin, line, &r);

	if (!ok(rc == 0, "%s %s converts", fl == RRCONV_COREDNS ? "coredns" : "powerdns", line))
		return;
	is_str(r.name, name, "  name of %s", line);
	is_str(r.type, type, "  type of %s", line);
	is_str(r.data, data, "  data of %s", line);
	is_int(r.prio, prio, "  prio of %s", line);
	rrconv_row_deinit(&r);
}

static void test_coredns_records(void)
{
	const enum rrconv_flavor c = RRCONV_COREDNS;
	const char *o = "example.com.";

	check1(c, o, "@ 3600 IN A 203.0.113.10", "@", "A", "203.0.113.10", 0);
	check1(c, o, "example.com. 3600 IN A 203.0.113.10", "@", "A", "203.0.113.10", 0);
	check1(c, o, "WWW.Example.COM. 60 IN A 192.0.2.1", "www", "A", "192.0.2.1", 0);
	check1(c, o, "www IN AAAA 2001:db8::10", "www", "AAAA", "2001:db8::10", 0);
	check1(c, o, "@ MX 10 mail", "@", "MX", "10 mail.example.com.", 0);
	check1(c, o, "@ MX 20 @", "@", "MX", "20 example.com.", 0);
	check1(c, o, "@ MX 0 .", "@", "MX", "0 .", 0);
	check1(c, o, "@ MX 5 mx.example.net.", "@", "MX", "5 mx.example.net.", 0);
	check1(c, o, "sip CNAME www", "sip", "CNAME", "www.example.com.", 0);
	check1(c, o, "alias CNAME @", "alias", "CNAME", "example.com.", 0);
	check1(c, o, "@ NS ns1", "@", "NS", "ns1.example.com.", 0);
	check1(c, o, "@ NS ns1.example.com", "@", "NS", "ns1.example.com.example.com.", 0);
	check1(c, o, "sub NS ns.other.test.", "sub", "NS", "ns.other.test.", 0);
	check1(c, "113.0.203.in-addr.arpa.", "10 IN PTR example.com.", "10", "PTR", "example.com.", 0);
	check1(c, "113.0.203.in-addr.arpa.", "11 IN PTR @", "11", "PTR", "113.0.203.in-addr.arpa.", 0);
	check1(c, o, "@ TXT \"v=spf1 a mx ip4:203.0.113.10 ~all\"", "@", "TXT",
	       "\"v=spf1 a mx ip4:203.0.113.10 ~all\"", 0);
	check1(c, o, "note TXT \"semicolons; and \\\"quotes\\\" inside\"", "note", "TXT",
	       "\"semicolons; and \\\"quotes\\\" inside\"", 0);
	check1(c, o, "b TXT \"back\\\\slash; end\"", "b", "TXT", "\"back\\\\slash; end\"", 0);
	check1(c, o, "x._domainkey TXT ( \"v=DKIM1; k=rsa; p=AB\" \"CD\" )", "x._domainkey", "TXT",
	       "\"v=DKIM1; k=rsa; p=AB\" \"CD\"", 0);
	check1(c, o, "w TXT two words", "w", "TXT", "\"two\" \"words\"", 0);
	check1(c, o, "u TXT \"caf\\195\\169\"", "u", "TXT", "\"caf\\195\\169\"", 0);
	check1(c, o, "_dmarc TXT \"v=DMARC1; p=none\"", "_dmarc", "TXT", "\"v=DMARC1; p=none\"", 0);
	check1(c, o, "@ SPF \"v=spf1 -all\"", "@", "SPF", "\"v=spf1 -all\"", 0);
	check1(c, o, "_sip._tcp SRV 10 60 5060 sip", "_sip._tcp", "SRV", "10 60 5060 sip.example.com.", 0);
	check1(c, o, "_x._tcp SRV 0 0 443 @", "_x._tcp", "SRV", "0 0 443 example.com.", 0);
	check1(c, o, "_25._tcp.mail TLSA 3 1 1 ABCDEF0123456789", "_25._tcp.mail", "TLSA",
	       "3 1 1 abcdef0123456789", 0);
	check1(c, o, "@ CAA 0 issue \"letsencrypt.org\"", "@", "CAA", "0 issue \"letsencrypt.org\"", 0);
	check1(c, o, "@ CAA 128 iodef \"mailto:sec@example.com\"", "@", "CAA",
	       "128 iodef \"mailto:sec@example.com\"", 0);
	check1(c, o, "sub DS 12345 8 2 49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC", "sub",
	       "DS", "12345 8 2 49fd46e6c4b45c55d4ac49fd46e6c4b45c55d4ac49fd46e6c4b45c55d4ac", 0);
	check1(c, o, "* 300 IN A 203.0.113.12", "*", "A", "203.0.113.12", 0);
	check1(c, o, "*.sub 300 IN A 203.0.113.13", "*.sub", "A", "203.0.113.13", 0);
	check1(c, o, "@ SOA ns1 hostmaster ( 2024051501 3600 3600 1209600 86400 )", "@", "SOA",
	       "ns1.example.com. hostmaster.example.com. 2024051501 3600 3600 1209600 86400", 0);
}

static void test_powerdns_records(void)
{
	const enum rrconv_flavor p = RRCONV_POWERDNS;
	const char *o = "example.com.";

	check1(p, o, "@ A 203.0.113.10", "example.com", "A", "203.0.113.10", 0);
	check1(p, o, "WWW A 203.0.113.10", "www.example.com", "A", "203.0.113.10", 0);
	check1(p, o, "@ MX 10 mail", "example.com", "MX", "mail.example.com", 10);
	check1(p, o, "@ MX 20 @", "example.com", "MX", "example.com", 20);
	check1(p, o, "@ MX 0 .", "example.com", "MX", ".", 0);
	check1(p, o, "_sip._tcp SRV 10 60 5060 sip", "_sip._tcp.example.com", "SRV",
	       "60 5060 sip.example.com", 10);
	check1(p, o, "sip CNAME @", "sip.example.com", "CNAME", "example.com", 0);
	check1(p, o, "@ NS ns1.example.net.", "example.com", "NS", "ns1.example.net", 0);
	check1(p, o, "@ SOA ns1 hostmaster ( 2024051501 3600 3600 1209600 86400 )", "example.com", "SOA",
	       "ns1.example.com hostmaster.example.com 2024051501 3600 3600 1209600 86400", 0);
	check1(p, o, "note TXT \"a; \\\"b\\\" \\\\c\" \"d\"", "note.example.com", "TXT",
	       "\"a; \\\"b\\\" \\\\c\" \"d\"", 0);
	check1(p, o, "@ CAA 0 issue \"letsencrypt.org\"", "example.com", "CAA", "0 issue \"letsencrypt.org\"", 0);
	check1(p, o, "* A 192.0.2.9", "*.example.com", "A", "192.0.2.9", 0);
	check1(p, "113.0.203.in-addr.arpa.", "10 PTR example.com.", "10.113.0.203.in-addr.arpa", "PTR",
	       "example.com", 0);
}

static void test_refused(void)
{
	struct rrconv_row r;

	ok(conv1(RRCONV_COREDNS, "example.com.", "www.example.net. A 192.0.2.1", &r) == DADNS_EPARSE,
	   "a record outside the zone is refused");
	ok(conv1(RRCONV_COREDNS, "example.com.", "notexample.com. A 192.0.2.1", &r) == DADNS_EPARSE,
	   "a name that only ends like the zone is refused");
	ok(conv1(RRCONV_POWERDNS, "example.com.", "www CH A 192.0.2.1", &r) == DADNS_EPARSE,
	   "a record of class CH is refused");
}

static const char zone_text[] =
	"$ORIGIN example.com.\n$TTL 3600\n"
	"@ IN SOA ns1.example.com. hostmaster.example.com. ( 2024051501 3600 3600 1209600 86400 )\n"
	"example.com. 3600 IN NS ns1.example.com.\n"
	"example.com. 3600 IN NS ns2.example.com.\n"
	"www 3600 IN A 203.0.113.10\n"
	"www 3600 IN A 203.0.113.10\n"
	"example.com. 3600 IN MX 10 mail\n"
	"_sip._tcp 3600 IN SRV 10 60 5060 sip.example.com.\n"
	"x._domainkey 3600 IN TXT ( \"v=DKIM1; k=rsa; p=AB\" \"CD\" )\n"
	"a.b.c 300 IN A 192.0.2.7\n"
	"sub 3600 IN NS ns.sub\n"
	"sub 3600 IN DS 12345 8 2 49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC\n"
	"ns.sub 3600 IN A 192.0.2.53\n"
	"x.y.sub 3600 IN A 192.0.2.54\n"
	"* 300 IN A 203.0.113.12\n";

static const struct rrconv_row *find(const struct rrconv_rows *rows, const char *name, const char *type)
{
	size_t i;

	for (i = 0; i < rows->n; i++)
		if (!strcmp(rows->v[i].name, name) &&
		    ((!type && !rows->v[i].type) || (type && rows->v[i].type && !strcmp(rows->v[i].type, type))))
			return &rows->v[i];
	return NULL;
}

static void test_zone(void)
{
	struct rrconv_rows rows;
	const struct rrconv_row *r;
	ldns_rr_list *rrs = NULL;
	char err[256] = "";
	int64_t serial = 0;
	int rc;

	rc = zone_parse("example.com", zone_text, strlen(zone_text), &rrs, err, sizeof(err));
	if (!ok(rc == 0, "zone parses (%s)", err))
		return;

	rrconv_rows_init(&rows);
	rc = rrconv_zone(RRCONV_COREDNS, "example.com", rrs, &rows, &serial, err, sizeof(err));
	ok(rc == 0, "coredns zone converts (%s)", err);
	is_int(serial, 2024051501, "serial read");
	is_int(rows.n, 13, "duplicate www A dropped: 13 rows");
	is_int(rrconv_rows_records(&rows), 13, "13 records");
	is_str(rows.v[0].type, "SOA", "SOA first");
	is_str(rows.v[0].name, "@", "SOA at @");
	is_int(rrconv_rows_serial(&rows), 2024051501, "serial read back from the SOA row");
	r = find(&rows, "a.b.c", "A");
	ok(r && r->ttl == 300 && r->auth == 1, "a.b.c A ttl 300, online");
	ok(!find(&rows, "b.c", NULL), "no empty non-terminals for coredns");
	rrconv_rows_deinit(&rows);

	rrconv_rows_init(&rows);
	rc = rrconv_zone(RRCONV_POWERDNS, "example.com", rrs, &rows, &serial, err, sizeof(err));
	ok(rc == 0, "powerdns zone converts (%s)", err);
	is_int(rrconv_rows_records(&rows), 13, "13 records");
	r = find(&rows, "example.com", "MX");
	ok(r && r->prio == 10 && !strcmp(r->data, "mail.example.com"), "MX prio 10 mail.example.com");
	ok(find(&rows, "_tcp.example.com", NULL) != NULL, "ENT _tcp.example.com");
	ok(find(&rows, "_domainkey.example.com", NULL) != NULL, "ENT _domainkey.example.com");
	ok(find(&rows, "b.c.example.com", NULL) && find(&rows, "c.example.com", NULL), "ENTs b.c and c");
	ok(!find(&rows, "example.com", NULL), "no ENT at the apex");
	ok(!find(&rows, "sub.example.com", NULL), "no ENT where records exist");
	r = find(&rows, "y.sub.example.com", NULL);
	ok(r && r->auth == 0, "ENT y.sub below the delegation, auth 0");
	r = find(&rows, "sub.example.com", "NS");
	ok(r && r->auth == 0, "delegation NS auth 0");
	r = find(&rows, "sub.example.com", "DS");
	ok(r && r->auth == 1, "DS at the delegation auth 1");
	r = find(&rows, "ns.sub.example.com", "A");
	ok(r && r->auth == 0, "glue auth 0");
	r = find(&rows, "example.com", "NS");
	ok(r && r->auth == 1, "apex NS auth 1");
	r = find(&rows, "www.example.com", "A");
	ok(r && r->auth == 1, "www auth 1");
	is_int(rows.n, 13 + 5, "13 records + 5 ENTs (_tcp, _domainkey, b.c, c, y.sub)");
	rrconv_rows_deinit(&rows);
	ldns_rr_list_deep_free(rrs);
}

/* A 2,000-octet DKIM record in 8 strings of 250, as DA splits them. */
static void test_long_txt(void)
{
	struct strbuf zone, want;
	struct rrconv_rows rows;
	ldns_rr_list *rrs = NULL;
	char err[256] = "";
	int i, j, rc;

	strbuf_init(&zone);
	strbuf_init(&want);
	strbuf_puts(&zone, "$TTL 3600\n@ SOA ns1 hm 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\nk1._domainkey TXT (");
	for (i = 0; i < 8; i++) {
		strbuf_puts(&zone, " \"");
		if (i)
			strbuf_puts(&want, " ");
		strbuf_puts(&want, "\"");
		for (j = 0; j < 250; j++) {
			char ch = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(i * 250 + j) % 64];
			strbuf_append(&zone, &ch, 1);
			strbuf_append(&want, &ch, 1);
		}
		strbuf_puts(&zone, "\"");
		strbuf_puts(&want, "\"");
	}
	strbuf_puts(&zone, " )\n");
	rc = zone_parse("dkim.test", zone.buf, zone.len, &rrs, err, sizeof(err));
	if (ok(rc == 0, "2,000-octet DKIM zone parses (%s)", err)) {
		rrconv_rows_init(&rows);
		rc = rrconv_zone(RRCONV_COREDNS, "dkim.test", rrs, &rows, NULL, err, sizeof(err));
		ok(rc == 0 && rows.n == 4, "converts to 4 rows");
		if (rows.n == 4) {
			is_str(rows.v[3].data, want.buf, "DKIM data byte-exact");
			is_int(strlen(rows.v[3].data), 2000 + 8 * 2 + 7, "data length 2023");
			is_str(rows.v[3].name, "k1._domainkey", "hostname k1._domainkey");
		}
		rrconv_rows_deinit(&rows);
		ldns_rr_list_deep_free(rrs);
	}
	strbuf_deinit(&zone);
	strbuf_deinit(&want);
}

static void test_diff(void)
{
	struct rrconv_rows want, have;
	int64_t *extra = NULL;
	size_t n_extra = 0, missing, *miss = NULL;

	rrconv_rows_init(&want);
	rrconv_rows_init(&have);
	rrconv_rows_add(&want, 0, "@", "A", "192.0.2.1", 3600, 0, 1);
	rrconv_rows_add(&want, 0, "www", "A", "192.0.2.2", 3600, 0, 1);
	rrconv_rows_add(&want, 0, "mail", "A", "192.0.2.3", 3600, 0, 1);
	rrconv_rows_add(&want, 0, "ent", NULL, NULL, 0, 0, 1);
	rrconv_rows_add(&have, 11, "@", "A", "192.0.2.1", 3600, 0, 1);
	rrconv_rows_add(&have, 12, "@", "A", "192.0.2.1", 3600, 0, 1);
	rrconv_rows_add(&have, 13, "mail", "A", "192.0.2.3", 3600, 0, 1);
	rrconv_rows_add(&have, 14, "mail", "A", "192.0.2.3", 300, 0, 1);
	rrconv_rows_add(&have, 15, "old", "A", "192.0.2.9", 3600, 0, 1);
	rrconv_rows_add(&have, 16, "www", "A", "192.0.2.2", 3600, 0, 0);
	rrconv_rows_add(&have, 17, "ent", NULL, NULL, 0, 0, 1);
	rrconv_rows_sort(&want);
	rrconv_rows_sort(&have);
	missing = rrconv_diff(&want, &have, &extra, &n_extra, &miss);
	is_int(missing, 1, "one wanted row missing (www online)");
	ok(miss && !strcmp(want.v[miss[0]].name, "www") && want.v[miss[0]].auth == 1,
	   "the missing row is www, online");
	free(miss);
	is_int(n_extra, 4, "four extra rows: duplicate, other ttl, old, offline www");
	if (n_extra == 4) {
		int64_t sum = extra[0] + extra[1] + extra[2] + extra[3];
		is_int(sum, 12 + 14 + 15 + 16, "the extra ids are 12, 14, 15, 16");
	}
	free(extra);

	missing = rrconv_diff(&want, &want, &extra, &n_extra, &miss);
	ok(missing == 0 && n_extra == 0 && extra == NULL && miss == NULL, "identical sets: nothing missing, nothing extra");
	rrconv_rows_deinit(&want);
	rrconv_rows_deinit(&have);

	rrconv_rows_init(&want);
	rrconv_rows_add(&want, 0, "@", "SOA", "ns1. hm. 77 1 2 3 4", 3600, 0, 1);
	is_int(rrconv_rows_serial(&want), 77, "serial from an SOA row");
	rrconv_rows_deinit(&want);
	rrconv_rows_init(&want);
	rrconv_rows_add(&want, 0, "@", "A", "192.0.2.1", 3600, 0, 1);
	is_int(rrconv_rows_serial(&want), -1, "no SOA: serial -1");
	rrconv_rows_deinit(&want);
}

int main(void)
{
	test_coredns_records();
	test_powerdns_records();
	test_refused();
	test_zone();
	test_long_txt();
	test_diff();
	return tap_done();
}
