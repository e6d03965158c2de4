/* SPDX-License-Identifier: BSD-3-Clause */
/* test_knot.c -- the knot backend without a knotd: DNSSEC record stripping
 * (hostile zones too) and the control commands as a stand-in knotd (libknot's
 * own server side of the control API) receives them */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libknot/control/control.h>
#include <libknot/errcode.h>

#include "lib/backends/backend.h"
#include "lib/backends/knot.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/zone.h"
#include "tests/unit/tap.h"

/* ---- stripping ---------------------------------------------------------- */

static const char signed_zone[] =
	"$ORIGIN s.test.\n$TTL 3600\n"
	"@ IN SOA ns1 h 7 3600 600 86400 300\n"
	"@ IN NS ns1\n"
	"ns1 IN A 192.0.2.1\n"
	"@ IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n"
	"@ IN RRSIG SOA 13 2 3600 20300101000000 20200101000000 12345 s.test. "
	"oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAg==\n"
	"@ IN NSEC ns1.s.test. NS SOA RRSIG NSEC DNSKEY\n"
	"@ IN NSEC3PARAM 1 0 0 -\n"
	"@ IN CDS 12345 13 2 0000000000000000000000000000000000000000000000000000000000000000\n"
	"@ IN CDNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n"
	"www IN A 192.0.2.2\n"
	"@ IN DS 12345 13 2 0000000000000000000000000000000000000000000000000000000000000000\n"
	"@ IN TYPE65280 \\# 2 abcd\n";

static void test_types(void)
{
	ok(knot_dnssec_type(46) && knot_dnssec_type(47) && knot_dnssec_type(50) &&
	   knot_dnssec_type(51) && knot_dnssec_type(48) && knot_dnssec_type(59) &&
	   knot_dnssec_type(60), "RRSIG NSEC NSEC3 NSEC3PARAM DNSKEY CDS CDNSKEY are Knot's to make");
	ok(!knot_dnssec_type(43) && !knot_dnssec_type(1) && !knot_dnssec_type(6) &&
	   !knot_dnssec_type(65280), "DS, A, SOA and unknown types are kept");
}

/* Validate text as the intake does, then strip it. */
static int strip(const char *domain, const char *text, char **out, int *records, char *err)
{
	struct zone_info zi;
	int rc;

	rc = zone_validate(domain, text, strlen(text), 0, &zi, err, 256);
	if (rc < 0)
		return rc;
	rc = knot_strip_dnssec(domain, zi.text, strlen(zi.text), out, records, err, 256);
	zone_info_deinit(&zi);
	return rc;
}

static void test_strip(void)
{
	struct zone_info zi;
	char err[256], *out = NULL;
	int records = -1, rc;

	rc = strip("s.test", signed_zone, &out, &records, err);
	is_int(rc, 0, "a DA-signed zone strips (%s)", rc ? err : "");
	if (rc)
		return;
	is_int(records, 6, "SOA NS A A DS TYPE65280 left");
	ok(!strstr(out, "RRSIG") && !strstr(out, "NSEC") && !strstr(out, "DNSKEY") &&
	   !strstr(out, "CDS") && !strstr(out, "CDNSKEY"), "no DNSSEC record left");
	ok(strstr(out, "\tDS\t") != NULL, "the DS of a child stays");
	ok(strncmp(out, "s.test.\t3600\tIN\tSOA\t", 20) == 0, "the SOA first");
	rc = zone_validate("s.test", out, strlen(out), 0, &zi, err, sizeof(err));
	is_int(rc, 0, "the stripped text is a valid zone (%s)", rc ? err : "");
	if (rc == 0) {
		is_int(zi.records, 6, "with the records counted");
		is_int(zi.serial, 7, "and the serial pushed");
		zone_info_deinit(&zi);
	}
	free(out);
}

static void test_strip_hostile(void)
{
	char err[256], *out = NULL;
	struct strbuf big;
	int records = -1, rc, i;

	/* only DNSSEC records besides the SOA: the SOA alone is left */
	rc = strip("o.test", "$TTL 60\n@ IN SOA a b 1 2 3 4 5\n@ IN NS ns.example.net.\n@ IN NSEC3PARAM 1 0 0 -\n"
		   "@ IN RRSIG A 13 2 60 20300101000000 20200101000000 1 o.test. AAAA\n",
		   &out, &records, err);
	is_int(rc, 0, "SOA + DNSSEC only strips (%s)", rc ? err : "");
	is_int(records, 2, "to the SOA and NS");
	free(out);
	out = NULL;
	/* text that is not a zone is refused with a reason, nothing made */
	rc = knot_strip_dnssec("x.test", "garbage without SOA\n", 20, &out, &records, err,
			       sizeof(err));
	ok(rc < 0 && out == NULL && err[0], "not a zone: refused (%s)", err);
	rc = knot_strip_dnssec("x.test", "", 0, &out, &records, err, sizeof(err));
	ok(rc < 0 && out == NULL, "empty text refused");
	static const char quoted_owner[] =
		"$TTL 3600\n@ IN SOA ns1.example.com. h.example.com. 1 3600 3600 1209600 86400\n"
		"@ IN NS ns1\nns1 IN A 192.0.2.1\n"
		"\"x._dom\xeb" "ey\t3600\tIN\tTXT\t( \"v=DKIM2; k=rsa\" \"V3b\" )\n";
	/* a quoted owner name the intake accepts but ldns prints back bare
	 * (found by fuzz_knot_strip): refused with a reason, not handed on */
	rc = knot_strip_dnssec("example.com", quoted_owner, strlen(quoted_owner), &out, &records, err,
			       sizeof(err));
	ok(rc == DADNS_EPARSE && out == NULL && strstr(err, "cannot be written for Knot"),
	   "a name that does not read back: refused (%s)", err);
	/* 20,000 RRSIGs and one A: linear, the A kept */
	strbuf_init(&big);
	strbuf_puts(&big, "$TTL 60\n@ IN SOA a b 1 2 3 4 5\n@ IN NS ns.example.net.\nwww IN A 192.0.2.1\n");
	for (i = 0; i < 20000; i++)
		strbuf_printf(&big, "r%d IN RRSIG A 13 2 60 20300101000000 20200101000000 %d "
			      "b.test. AAAA\n", i, i % 65536);
	rc = strip("b.test", big.buf, &out, &records, err);
	is_int(rc, 0, "20,000 RRSIGs strip (%s)", rc ? err : "");
	is_int(records, 3, "SOA, NS and A left");
	free(out);
	strbuf_deinit(&big);
}

/* ---- control commands against a stand-in knotd --------------------------- */

enum fake_mode { FAKE_OK, FAKE_ERR_ZONE, FAKE_ERR, FAKE_CLOSE, FAKE_SILENT, FAKE_KNOTD };

struct fake {
	char path[108];
	knot_ctl_t *ctl;
	enum fake_mode mode;
	struct strbuf got;   /* units received: "D cmd=.. zone=.. data=..;" */
	int commands;
	int conns;           /* connections to serve (default 1) */
	char tmpl_file[160]; /* FAKE_KNOTD: what conf-read template[..].file answers */
	const char *fail_cmd; /* FAKE_KNOTD: this command is refused */
	pthread_t th;
};

static void fake_unit(struct fake *f, knot_ctl_type_t t, knot_ctl_data_t *d)
{
	static const char *names[] = { "cmd", "flags", "error", "section", "item", "id", "zone",
				       "owner", "ttl", "type", "data", "filter" };
	int i;

	strbuf_puts(&f->got, t == KNOT_CTL_TYPE_DATA ? "D" : "E");
	for (i = 0; i < KNOT_CTL_IDX__COUNT; i++)
		if ((*d)[i])
			strbuf_printf(&f->got, " %s=%s", names[i], (*d)[i]);
	strbuf_puts(&f->got, ";");
}

/* FAKE_KNOTD: a knotd with the template and one zone, old.test. */
static void knotd_answer(struct fake *f, const char *cmd, const char *section)
{
	knot_ctl_data_t a;

	memset(&a, 0, sizeof(a));
	if (f->fail_cmd && cmd && strcmp(cmd, f->fail_cmd) == 0) {
		a[KNOT_CTL_IDX_ERROR] = "operation not permitted";
		knot_ctl_send(f->ctl, KNOT_CTL_TYPE_DATA, &a);
	} else if (cmd && !strcmp(cmd, "conf-read") && section && !strcmp(section, "template")) {
		a[KNOT_CTL_IDX_DATA] = f->tmpl_file;
		knot_ctl_send(f->ctl, KNOT_CTL_TYPE_DATA, &a);
	} else if (cmd && !strcmp(cmd, "conf-read")) {
		a[KNOT_CTL_IDX_DATA] = "old.test.";
		knot_ctl_send(f->ctl, KNOT_CTL_TYPE_DATA, &a);
	}
	knot_ctl_send(f->ctl, KNOT_CTL_TYPE_BLOCK, NULL);
}

/* Answer one command (its units up to BLOCK were read). */
static void fake_answer(struct fake *f, const char *zone)
{
	knot_ctl_data_t a;

	memset(&a, 0, sizeof(a));
	if (f->mode == FAKE_ERR_ZONE) {
		a[KNOT_CTL_IDX_ZONE] = zone ? zone : "b.test.";
		a[KNOT_CTL_IDX_ERROR] = "no such zone found";
		knot_ctl_send(f->ctl, KNOT_CTL_TYPE_DATA, &a);
	} else if (f->mode == FAKE_ERR) {
		a[KNOT_CTL_IDX_ERROR] = "invalid reference";
		knot_ctl_send(f->ctl, KNOT_CTL_TYPE_DATA, &a);
	} else {
		a[KNOT_CTL_IDX_DATA] = "a.test.";
		knot_ctl_send(f->ctl, KNOT_CTL_TYPE_DATA, &a);
		a[KNOT_CTL_IDX_DATA] = "B.Test.";
		knot_ctl_send(f->ctl, KNOT_CTL_TYPE_EXTRA, &a);
	}
	knot_ctl_send(f->ctl, KNOT_CTL_TYPE_BLOCK, NULL);
}

/* Serve one connection: record the units, answer each command. */
static void fake_conn(struct fake *f)
{
	char last_zone[64] = "", cmd[32] = "", section[32] = "";
	knot_ctl_type_t t;
	knot_ctl_data_t d;

	for (;;) {
		memset(&d, 0, sizeof(d));
		if (knot_ctl_receive(f->ctl, &t, &d) != KNOT_EOK || t == KNOT_CTL_TYPE_END)
			break;
		if (t == KNOT_CTL_TYPE_DATA || t == KNOT_CTL_TYPE_EXTRA) {
			fake_unit(f, t, &d);
			if (d[KNOT_CTL_IDX_ZONE])
				snprintf(last_zone, sizeof(last_zone), "%s", d[KNOT_CTL_IDX_ZONE]);
			if (d[KNOT_CTL_IDX_CMD])
				snprintf(cmd, sizeof(cmd), "%s", d[KNOT_CTL_IDX_CMD]);
			snprintf(section, sizeof(section), "%s",
				 d[KNOT_CTL_IDX_SECTION] ? d[KNOT_CTL_IDX_SECTION] : "");
			continue;
		}
		f->commands++;
		if (f->mode == FAKE_CLOSE)
			break;
		if (f->mode == FAKE_SILENT) {
			sleep(1);
			break;
		}
		if (f->mode == FAKE_KNOTD)
			knotd_answer(f, cmd, section);
		else
			fake_answer(f, last_zone[0] ? last_zone : NULL);
	}
	strbuf_puts(&f->got, "|");
	knot_ctl_close(f->ctl);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	int i;

	for (i = 0; i < (f->conns ? f->conns : 1); i++) {
		if (knot_ctl_accept(f->ctl) != KNOT_EOK)
			break;
		fake_conn(f);
	}
	return NULL;
}

static int fake_start_n(struct fake *f, const char *dir, enum fake_mode mode, int conns,
			const char *fail_cmd)
{
	memset(f, 0, sizeof(*f));
	f->conns = conns;
	f->fail_cmd = fail_cmd;
	snprintf(f->tmpl_file, sizeof(f->tmpl_file), "%s/zones/%%s.zone", dir);
	snprintf(f->path, sizeof(f->path), "%s/knot.sock", dir);
	unlink(f->path);
	f->mode = mode;
	strbuf_init(&f->got);
	f->ctl = knot_ctl_alloc();
	knot_ctl_set_timeout(f->ctl, 3000);
	if (knot_ctl_bind(f->ctl, f->path) != KNOT_EOK)
		return -1;
	return pthread_create(&f->th, NULL, fake_main, f);
}

static int fake_start(struct fake *f, const char *dir, enum fake_mode mode)
{
	return fake_start_n(f, dir, mode, 1, NULL);
}

static void fake_stop(struct fake *f)
{
	pthread_join(f->th, NULL);
	knot_ctl_unbind(f->ctl);
	knot_ctl_free(f->ctl);
}

struct seen {
	int units;
	char zones[256];
};

static void on_reply(void *arg, const char *zone, const char *error, const char *id,
		     const char *item, const char *data)
{
	struct seen *s = arg;

	s->units++;
	if (data)
		snprintf(s->zones + strlen(s->zones), sizeof(s->zones) - strlen(s->zones), "%s,",
			 data);
}

static void test_commands(const char *dir)
{
	const char *zones[] = { "a.test", "b.test", "c.test" };
	struct knot_cmd reload = { .cmd = "zone-reload", .zones = zones, .n_zones = 3 };
	struct knot_cmd set = { .cmd = "conf-set", .section = "zone", .id = "x.test" };
	struct knot_cmd tmpl = { .cmd = "conf-set", .section = "zone", .id = "x.test",
				 .item = "template", .data = "dadns" };
	struct knot_cmd read = { .cmd = "conf-read", .section = "zone", .item = "domain" };
	struct seen seen = { 0 };
	struct knot_conn c;
	struct fake f;
	char err[256];
	int rc;

	ok(fake_start(&f, dir, FAKE_OK) == 0, "stand-in knotd listens");
	rc = knot_conn_open(&c, f.path, 3000, err, sizeof(err));
	is_int(rc, 0, "connected (%s)", rc ? err : "");
	is_int(knot_conn_cmd(&c, &reload, NULL, NULL, err, sizeof(err)), 0, "zone-reload answered");
	is_int(knot_conn_cmd(&c, &set, NULL, NULL, err, sizeof(err)), 0, "conf-set answered");
	is_int(knot_conn_cmd(&c, &tmpl, NULL, NULL, err, sizeof(err)), 0, "template set");
	is_int(knot_conn_cmd(&c, &read, on_reply, &seen, err, sizeof(err)), 0, "conf-read answered");
	is_int(c.count, 4, "4 commands counted");
	knot_conn_close(&c);
	fake_stop(&f);
	is_int(f.commands, 4, "knotd got 4 commands on one connection");
	is_str(f.got.buf,
	       "D cmd=zone-reload zone=a.test;D cmd=zone-reload zone=b.test;D cmd=zone-reload zone=c.test;"
	       "D cmd=conf-set section=zone id=x.test;"
	       "D cmd=conf-set section=zone item=template id=x.test data=dadns;"
	       "D cmd=conf-read section=zone item=domain;|",
	       "the units as knotc sends them: a data unit per zone, section/id/item/data");
	is_int(seen.units, 2, "two answer units given to the callback");
	is_str(seen.zones, "a.test.,B.Test.,", "with their data");
	strbuf_deinit(&f.got);
}

static void test_errors(const char *dir)
{
	const char *zones[] = { "a.test", "b.test" };
	struct knot_cmd reload = { .cmd = "zone-reload", .zones = zones, .n_zones = 2 };
	struct knot_cmd set = { .cmd = "conf-set", .section = "zone", .id = "x.test",
				.item = "template", .data = "nope" };
	struct knot_conn c;
	struct fake f;
	char err[256];
	int64_t t0;
	int rc;

	fake_start(&f, dir, FAKE_ERR_ZONE);
	knot_conn_open(&c, f.path, 3000, err, sizeof(err));
	rc = knot_conn_cmd(&c, &reload, NULL, NULL, err, sizeof(err));
	is_int(rc, DADNS_EPERMFAIL, "a zone's error is knotd's refusal");
	is_str(err, "knotd zone-reload b.test: no such zone found", "in knotd's words, the zone named");
	knot_conn_close(&c);
	fake_stop(&f);
	strbuf_deinit(&f.got);

	fake_start(&f, dir, FAKE_ERR);
	knot_conn_open(&c, f.path, 3000, err, sizeof(err));
	rc = knot_conn_cmd(&c, &set, NULL, NULL, err, sizeof(err));
	is_int(rc, DADNS_EPERMFAIL, "a command's error");
	is_str(err, "knotd conf-set: invalid reference", "in knotd's words");
	knot_conn_close(&c);
	fake_stop(&f);
	strbuf_deinit(&f.got);

	fake_start(&f, dir, FAKE_CLOSE);
	knot_conn_open(&c, f.path, 3000, err, sizeof(err));
	rc = knot_conn_cmd(&c, &set, NULL, NULL, err, sizeof(err));
	ok(rc < 0 && rc != DADNS_EPERMFAIL, "closed without an answer: an I/O error (%s)", err);
	knot_conn_close(&c);
	fake_stop(&f);
	strbuf_deinit(&f.got);

	fake_start(&f, dir, FAKE_SILENT);
	knot_conn_open(&c, f.path, 200, err, sizeof(err));
	t0 = util_mono_ms();
	rc = knot_conn_cmd(&c, &set, NULL, NULL, err, sizeof(err));
	ok(rc < 0 && rc != DADNS_EPERMFAIL, "silence: an error (%s)", err);
	ok(util_mono_ms() - t0 < 3000, "after the timeout, not the stand-in's second");
	knot_conn_close(&c);
	fake_stop(&f);
	strbuf_deinit(&f.got);

	rc = knot_conn_open(&c, "/nonexistent/knot.sock", 200, err, sizeof(err));
	ok(rc < 0 && strstr(err, "/nonexistent/knot.sock"), "no socket: error names it (%s)", err);
	rc = knot_conn_cmd(&c, &set, NULL, NULL, err, sizeof(err));
	ok(rc < 0, "a command without a connection fails");
	knot_conn_close(&c);
}

/* The backend itself (knot.c) against the stand-in knotd: what one batch
 * sends, and a refused conf-commit failing the new zone in knotd's words. */
static void test_backend(const char *dir, const char *fail_cmd)
{
	const struct backend_ops *ops = backend_find("knot");
	struct config_backend cfg = { 0 };
	struct backend_zone z[3];
	char zdir[160], sock[160], err[256];
	const char *text = "$TTL 60\n@ IN SOA a b 1 2 3 4 5\n@ IN NS ns.example.net.\n";
	void *state = NULL;
	struct fake f;
	int rc;

	snprintf(zdir, sizeof(zdir), "%s/zones", dir);
	snprintf(sock, sizeof(sock), "%s/knot.sock", dir);
	cfg.name = "k";
	cfg.type = "knot";
	cfg.zones_dir = zdir;
	cfg.control_socket = sock;
	cfg.template = "dadns";
	cfg.server = "127.0.0.1:9";
	cfg.timeout = 3;
	ok(ops != NULL, "type knot is registered");
	if (!ops)
		return;
	fake_start_n(&f, dir, FAKE_KNOTD, 2, fail_cmd);
	rc = ops->open(&cfg, &state, err, sizeof(err));
	is_int(rc, 0, "open: knotd has the template with file <zones_dir>/%%s.zone (%s)", rc ? err : "");
	memset(z, 0, sizeof(z));
	z[0].domain = "new.test";
	z[1].domain = "old.test";
	z[2].domain = "gone.test";
	z[0].zone_text = z[1].zone_text = text;
	z[0].zone_len = z[1].zone_len = strlen(text);
	if (state)
		ops->apply(state, z, 3);
	ops->close(state);
	fake_stop(&f);
	if (!fail_cmd) {
		is_str(f.got.buf,
		       "D cmd=conf-read section=template item=file id=dadns;|"
		       "D cmd=conf-read section=zone item=domain;"
		       "D cmd=conf-begin;D cmd=conf-set section=zone id=new.test;"
		       "D cmd=conf-set section=zone item=template id=new.test data=dadns;"
		       "D cmd=conf-commit;D cmd=zone-reload zone=old.test;|",
		       "a batch: the zones knotd has, ONE transaction for the new zone, ONE reload "
		       "for the changed one, nothing for a delete knotd never had");
		ok(z[0].result == 0 && z[1].result == 0 && z[2].result == 0, "all three applied");
	} else {
		ok(strstr(f.got.buf, "D cmd=conf-abort;") != NULL, "a refused commit is aborted");
		is_int(z[0].result, DADNS_ETEMPFAIL, "the new zone fails");
		ok(strstr(z[0].error, "knotd conf-commit: operation not permitted") != NULL,
		   "in knotd's words (%s)", z[0].error);
		is_int(z[1].result, 0, "the changed zone is still reloaded");
	}
	strbuf_deinit(&f.got);
}

int main(void)
{
	char dir[] = "/tmp/test_knot.XXXXXX";

	if (!mkdtemp(dir))
		return 1;
	log_init("test_knot");
	log_set_level(LOG_LEVEL_ERR);
	test_types();
	test_strip();
	test_strip_hostile();
	test_commands(dir);
	test_errors(dir);
	test_backend(dir, NULL);
	test_backend(dir, "conf-commit");
	{
		char p[160];
		snprintf(p, sizeof(p), "%s/knot.sock", dir);
		unlink(p);
		snprintf(p, sizeof(p), "rm -rf '%s'", dir);
		if (system(p) != 0)
			return 1;
	}
	return tap_done();
}
