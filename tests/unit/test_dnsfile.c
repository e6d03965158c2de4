/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dnsfile.c -- zone file names, include files, batches, child processes (no daemons) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/backends/dnsfile.h"
#include "lib/log.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static char dir[256];

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static char *slurp(const char *path)
{
	char *text = NULL;

	if (util_read_file(path, 1 << 20, &text, NULL) < 0)
		return NULL;
	return text;
}

static void test_names(void)
{
	char path[512], longname[300];

	ok(dnsfile_name_ok("example.com"), "plain name");
	ok(dnsfile_name_ok("xn--mller-kva.example"), "punycode");
	ok(dnsfile_name_ok("113.0.203.in-addr.arpa"), "reverse zone");
	ok(dnsfile_name_ok("_tcp.example.com"), "underscore");
	ok(!dnsfile_name_ok(""), "empty refused");
	ok(!dnsfile_name_ok(NULL), "NULL refused");
	ok(!dnsfile_name_ok("."), "dot refused");
	ok(!dnsfile_name_ok(".."), "dot-dot refused");
	ok(!dnsfile_name_ok("a..b"), "empty label refused");
	ok(!dnsfile_name_ok(".hidden"), "leading dot refused");
	ok(!dnsfile_name_ok("example.com."), "trailing dot refused");
	ok(!dnsfile_name_ok("../etc/passwd"), "path refused");
	ok(!dnsfile_name_ok("a/b"), "slash refused");
	ok(!dnsfile_name_ok("a b"), "space refused");
	ok(!dnsfile_name_ok("a\nb"), "newline refused");
	ok(!dnsfile_name_ok("a\"b"), "quote refused");
	memset(longname, 'a', DNSFILE_NAME_MAX);
	longname[DNSFILE_NAME_MAX] = '\0';
	ok(dnsfile_name_ok(longname), "longest name that fits a file name");
	longname[DNSFILE_NAME_MAX] = 'a';
	longname[DNSFILE_NAME_MAX + 1] = '\0';
	ok(!dnsfile_name_ok(longname), "one octet more is refused");

	is_int(dnsfile_zone_path("/z", "example.com", path, sizeof(path)), 0, "path built");
	is_str(path, "/z/example.com.zone", "path is zones_dir/domain.zone");
	is_int(dnsfile_zone_path("/z", "../x", path, sizeof(path)), DADNS_EINVAL, "escape refused");
	is_int(dnsfile_zone_path("/z", "example.com", path, 10), DADNS_E2BIG, "short buffer");
}

static void test_set(void)
{
	struct dnsfile_set s;
	char name[32];
	int i, all = 1;

	dnsfile_set_init(&s);
	is_int(dnsfile_set_add(&s, "b.test"), 1, "add");
	is_int(dnsfile_set_add(&s, "a.test"), 1, "add another");
	is_int(dnsfile_set_add(&s, "b.test"), 0, "add twice");
	ok(dnsfile_set_has(&s, "a.test"), "has");
	is_int(dnsfile_set_del(&s, "a.test"), 1, "del");
	is_int(dnsfile_set_del(&s, "a.test"), 0, "del twice");
	ok(!dnsfile_set_has(&s, "a.test"), "gone");
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "z%04d.test", (i * 7919) % 1000);
		dnsfile_set_add(&s, name);
	}
	is_int((long long)s.n, 1001, "1000 more names");
	for (i = 0; i < 1000; i += 3) {
		snprintf(name, sizeof(name), "z%04d.test", i);
		all &= dnsfile_set_has(&s, name) && dnsfile_set_del(&s, name);
	}
	ok(all, "every third one found and removed");
	snprintf(name, sizeof(name), "z%04d.test", 1);
	ok(dnsfile_set_has(&s, name), "others stay");
	snprintf(name, sizeof(name), "z%04d.test", 3);
	ok(!dnsfile_set_has(&s, name), "removed ones are gone");
	dnsfile_set_deinit(&s);
}

static void test_include(void)
{
	struct dnsfile_set s, back;
	char path[512], *text;

	dnsfile_set_init(&s);
	dnsfile_set_add(&s, "zeta.test");
	dnsfile_set_add(&s, "example.com");
	snprintf(path, sizeof(path), "%s/named.dadns.conf", dir);
	dnsfile_set_init(&back);
	is_int(dnsfile_include_read(path, DNSFILE_BIND, &back), 0, "missing include is empty");
	is_int((long long)back.n, 0, "nothing read");
	is_int(dnsfile_include_write(path, DNSFILE_BIND, "/var/lib/dadns/bind", "bind b1", &s), 0,
	       "written");
	is_int(util_read_file(path, 1 << 20, &text, NULL), 0, "and there");
	ok(strstr(text, "zone \"example.com\" { type primary; file "
			"\"/var/lib/dadns/bind/example.com.zone\"; };\n") != NULL,
	   "bind stanza");
	ok(strstr(text, "example.com") < strstr(text, "zeta.test"), "sorted");
	ok(strncmp(text, "// Written by dadns (bind b1): 2 zone(s)", 40) == 0, "bind header");
	free(text);
	is_int(dnsfile_include_read(path, DNSFILE_BIND, &back), 0, "read back");
	ok(back.n == 2 && dnsfile_set_has(&back, "zeta.test") &&
	   dnsfile_set_has(&back, "example.com"), "same names");
	dnsfile_set_deinit(&back);

	snprintf(path, sizeof(path), "%s/nsd.dadns.conf", dir);
	dnsfile_set_init(&back);
	is_int(dnsfile_include_write(path, DNSFILE_NSD, "/z", "nsd n1", &s), 0, "nsd written");
	is_int(util_read_file(path, 1 << 20, &text, NULL), 0, "and there");
	ok(strstr(text, "zone:\n\tname: \"example.com\"\n\tzonefile: \"/z/example.com.zone\"\n"
			"\tprovide-xfr: 127.0.0.1 NOKEY\n") != NULL,
	   "nsd stanza");
	ok(text[0] == '#', "nsd comment");
	free(text);
	is_int(dnsfile_include_read(path, DNSFILE_NSD, &back), 0, "nsd read back");
	ok(back.n == 2 && dnsfile_set_has(&back, "zeta.test"), "nsd names");
	dnsfile_set_deinit(&back);

	/* Hand-edited junk must not become a file name. */
	snprintf(path, sizeof(path), "%s/evil.conf", dir);
	text = "zone \"../../etc\" { type primary; file \"/x\"; };\n"
	       "zone \"ok.test\" { type primary; file \"/x\"; };\n";
	util_write_file_atomic(path, text, strlen(text), 0644);
	dnsfile_set_init(&back);
	is_int(dnsfile_include_read(path, DNSFILE_BIND, &back), 0, "read with a bad name");
	ok(back.n == 1 && dnsfile_set_has(&back, "ok.test"), "bad name skipped");
	dnsfile_set_deinit(&back);
	dnsfile_set_deinit(&s);
}

/* Regression: a new file gets the kernel's coarse time as its mtime, up to
 * a tick behind the real time. A zone rewritten within that tick after the
 * server loaded it looked unchanged to the batched reload. */
static void test_mtime(void)
{
	char zones[512], path[2048], names[40][32];
	struct backend_zone z[40];
	struct dnsfile_item *items;
	struct timespec before, old[40];
	struct stat sb;
	int i, round, later = 1, fresh = 1;

	snprintf(zones, sizeof(zones), "%s/mtime", dir);
	mkdir(zones, 0755);
	memset(z, 0, sizeof(z));
	for (i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "m%d.test", i);
		z[i].domain = names[i];
	}
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 40; i++) {
			z[i].zone_text = round ? "second" : "first";
			z[i].zone_len = strlen(z[i].zone_text);
		}
		clock_gettime(CLOCK_REALTIME, &before);
		items = dnsfile_batch_prepare(zones, "t", z, 40);
		for (i = 0; i < 40; i++) {
			snprintf(path, sizeof(path), "%s/%s.zone", zones, names[i]);
			if (stat(path, &sb) < 0) {
				later = fresh = 0;
				continue;
			}
			fresh &= ts_cmp(&sb.st_mtim, &before) >= 0;
			if (round)
				later &= ts_cmp(&sb.st_mtim, &old[i]) > 0;
			old[i] = sb.st_mtim;
		}
		dnsfile_batch_free(items, 40);
	}
	ok(fresh, "every zone file's mtime is at or after the time it was written");
	ok(later, "a file rewritten at once has a newer mtime than the one it replaced");
}

static void test_batch(void)
{
	char zones[512], inc[512], path[600], err[256], *text;
	struct backend_zone z[4];
	struct dnsfile_item *items;
	int changed = -1;

	snprintf(zones, sizeof(zones), "%s/zones", dir);
	snprintf(inc, sizeof(inc), "%s/batch.conf", dir);
	mkdir(zones, 0755);
	memset(z, 0, sizeof(z));
	z[0].domain = "a.test";
	z[0].zone_text = "a";
	z[0].zone_len = 1;
	z[1].domain = "b.test";
	z[1].zone_text = "bb";
	z[1].zone_len = 2;
	z[2].domain = "../evil";
	z[2].zone_text = "x";
	z[2].zone_len = 1;
	z[3].domain = "gone.test";  /* delete of a zone never there */
	items = dnsfile_batch_prepare(zones, "t", z, 4);
	snprintf(path, sizeof(path), "%s/a.test.zone", zones);
	text = slurp(path);
	is_str(text, "a", "zone file written");
	free(text);
	ok(!items[0].file_existed && !items[0].done, "new file");
	is_int(z[2].result, DADNS_EPERMFAIL, "bad name is a permanent failure");
	ok(strstr(z[2].error, "../evil") != NULL, "error names it");
	ok(items[3].del && !items[3].file_existed, "delete noted");
	is_int(dnsfile_batch_register(inc, DNSFILE_BIND, zones, "t", items, 4, &changed, err,
				      sizeof(err)), 0, "registered");
	is_int(changed, 1, "include changed");
	ok(!items[0].registered && !items[1].registered, "not registered before");
	dnsfile_batch_finish(items, 4, "t");
	ok(z[0].result == 0 && z[1].result == 0 && z[3].result == 0, "results ok");
	dnsfile_batch_free(items, 4);

	/* Same batch again: nothing to change in the include file. */
	z[2].domain = "c.test";
	items = dnsfile_batch_prepare(zones, "t", z, 4);
	ok(items[0].file_existed, "file existed now");
	is_int(dnsfile_batch_register(inc, DNSFILE_BIND, zones, "t", items, 4, &changed, err,
				      sizeof(err)), 0, "registered again");
	is_int(changed, 1, "c.test added");
	ok(items[0].registered && !items[2].registered, "a.test was registered, c.test not");
	dnsfile_batch_free(items, 4);

	/* Delete a.test: out of the include file, file removed. */
	z[0].zone_text = NULL;
	items = dnsfile_batch_prepare(zones, "t", z, 1);
	is_int(dnsfile_batch_register(inc, DNSFILE_BIND, zones, "t", items, 1, &changed, err,
				      sizeof(err)), 0, "delete registered");
	is_int(changed, 1, "include changed by the delete");
	dnsfile_batch_finish(items, 1, "t");
	snprintf(path, sizeof(path), "%s/a.test.zone", zones);
	ok(!file_exists(path), "zone file removed");
	text = slurp(inc);
	ok(text && !strstr(text, "\"a.test\"") && strstr(text, "\"b.test\""), "include updated");
	free(text);
	dnsfile_batch_free(items, 1);

	/* An include file that cannot be written fails the batch, nothing lost. */
	items = dnsfile_batch_prepare(zones, "t", &z[1], 1);
	snprintf(path, sizeof(path), "%s/no/such/dir.conf", dir);
	ok(dnsfile_batch_register(path, DNSFILE_BIND, zones, "t", items, 1, &changed, err,
				  sizeof(err)) < 0, "unwritable include is an error");
	ok(strstr(err, "cannot write") != NULL, "error says so: %s", err);
	dnsfile_batch_fail(items, 1, -1, DADNS_ETEMPFAIL, "boom");
	is_int(z[1].result, DADNS_ETEMPFAIL, "failed as tempfail");
	is_str(z[1].error, "boom", "with the message");
	dnsfile_batch_free(items, 1);
}

static void test_run_many(void)
{
	struct dnsfile_ctl c;
	struct dnsfile_call *calls = xcalloc(10, sizeof(*calls));
	int64_t t0;
	int i, all = 1;

	/* "sleep 0.3 <zone>" is sleep's two arguments: ten of them take about
	 * 3 s one after the other, well under 2 s four at a time. */
	dnsfile_ctl_init(&c, "test", "sleep", 5);
	for (i = 0; i < 10; i++) {
		calls[i].verb = "0.3";
		calls[i].zone = i == 7 ? "bogus" : "0";
	}
	t0 = util_mono_ms();
	dnsfile_ctl_run_many(&c, calls, 10);
	ok(util_mono_ms() - t0 < 2000, "run in parallel (%lld ms)", (long long)(util_mono_ms() - t0));
	for (i = 0; i < 10; i++)
		all &= i == 7 ? calls[i].rc == DADNS_ETEMPFAIL : calls[i].rc == 0;
	ok(all, "each call has its own result");
	ok(strstr(calls[7].msg, "sleep 0.3 exited 1") == calls[7].msg, "and message: %s",
	   calls[7].msg);
	ok(strstr(calls[7].out.buf, "bogus") != NULL, "and output");
	is_int(c.batch_count, 10, "all counted");
	is_str(dnsfile_ctl_verbs(&c), "0.3 x10", "as one verb");
	dnsfile_calls_free(calls, 10);
	dnsfile_ctl_deinit(&c);
}

static void test_run(void)
{
	struct dnsfile_ctl c;
	struct strbuf out;
	char msg[256];
	const char *argsv[] = { "reload", "a.test", NULL }, *bad[] = { "--bogus", NULL };
	int rc;

	/* util_run itself is tested in test_util.c. */
	strbuf_init(&out);
	dnsfile_ctl_init(&c, "test", "/bin/false", 5);
	dnsfile_ctl_batch_start(&c);
	rc = dnsfile_ctl_run(&c, argsv, NULL, 0, &out, msg, sizeof(msg));
	ok(rc == DADNS_ETEMPFAIL, "a failing command is a tempfail");
	is_str(msg, "false reload exited 1: ", "message names program, verb and status");
	dnsfile_ctl_deinit(&c);
	dnsfile_ctl_init(&c, "test", "cat", 5);
	dnsfile_ctl_batch_start(&c);
	rc = dnsfile_ctl_run(&c, bad, "x\ny\n", 4, &out, msg, sizeof(msg));
	ok(rc == DADNS_ETEMPFAIL, "bad option fails");
	ok(strstr(msg, "cat --bogus exited 1: ") == msg, "with the output: %s", msg);
	rc = dnsfile_ctl_run(&c, (const char *[]){ "/dev/null", NULL }, NULL, 0, &out, msg,
			     sizeof(msg));
	ok(rc == 0, "cat /dev/null works");
	is_int(c.batch_count, 2, "two commands counted");
	is_int((long long)c.total, 2, "in all too");
	rc = dnsfile_ctl_run(&c, bad, NULL, 0, &out, msg, sizeof(msg));
	is_str(dnsfile_ctl_verbs(&c), "--bogus x2, /dev/null", "verbs listed with counts");
	dnsfile_ctl_batch_start(&c);
	is_str(dnsfile_ctl_verbs(&c), "", "a new batch has no verbs");
	is_int((long long)c.total, 3, "total kept across batches");
	dnsfile_ctl_deinit(&c);

	test_run_many();

	dnsfile_ctl_init(&c, "test", "cat -", 5);
	rc = dnsfile_ctl_run(&c, (const char *[]){ "-", NULL }, "one\ntwo\n", 8, &out, msg,
			     sizeof(msg));
	ok(rc == 0, "cat - reads stdin");
	is_str(out.buf, "one\ntwo\n", "raw output kept");
	is_str(msg, "one; two", "message on one line");
	is_int((long long)c.total, 1, "total counted");
	dnsfile_ctl_deinit(&c);
	strbuf_deinit(&out);
}

static void test_oneline(void)
{
	char *s = dnsfile_oneline("  \nerror: x\n\nsecond\r\n  ", 100);

	is_str(s, "error: x; second", "one line");
	free(s);
	s = dnsfile_oneline("a\nb\nc\nd\n", 3);
	is_str(s, "a; b", "capped");
	free(s);
}

static void test_server(void)
{
	struct dnsfile_server srv;

	is_int(dnsfile_server_parse("127.0.0.1:5353", &srv), 0, "v4 with port");
	is_int(srv.ss.ss_family, AF_INET, "family");
	is_int(dnsfile_server_parse("[::1]:5353", &srv), 0, "v6 with port");
	is_int(srv.ss.ss_family, AF_INET6, "v6 family");
	is_int(dnsfile_server_parse("::1", &srv), 0, "bare v6");
	is_int(dnsfile_server_parse("127.0.0.1", &srv), 0, "no port");
	is_int(dnsfile_server_parse("127.0.0.1:0", &srv), DADNS_EINVAL, "port 0");
	is_int(dnsfile_server_parse("127.0.0.1:99999", &srv), DADNS_EINVAL, "port too big");
	is_int(dnsfile_server_parse("127.0.0.1:x", &srv), DADNS_EINVAL, "port not a number");
	is_int(dnsfile_server_parse("", &srv), DADNS_EINVAL, "empty");
	is_int(dnsfile_server_parse("[::1", &srv), DADNS_EINVAL, "unclosed bracket");
}

/* Regression (faults.bats): a worker killed while writing left its
 * "NAME.tmp.XXXXXX" files in zones_dir for ever. */
static void test_sweep(void)
{
	char sub[600], path[700];
	const char *names[] = { "a.test.zone.tmp.AbC123", "b.test.zone", "inc.conf.tmp.x1y2z3",
				"inc.conf", "notes.tmp.txt", "c.test.zone.tmp.short" };
	size_t i;

	snprintf(sub, sizeof(sub), "%s/sweep", dir);
	mkdir(sub, 0755);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", sub, names[i]);
		util_write_file_atomic(path, "x", 1, 0644);
	}
	snprintf(path, sizeof(path), "%s/inc.conf", sub);
	is_int(dnsfile_sweep_tmp_of(path, "test"), 1, "the include file's temporary removed");
	ok(file_exists(path), "the include file kept");
	is_int(dnsfile_sweep_tmp(sub, NULL, "test"), 1, "a zone file's temporary removed");
	snprintf(path, sizeof(path), "%s/a.test.zone.tmp.AbC123", sub);
	ok(!file_exists(path), "gone");
	snprintf(path, sizeof(path), "%s/b.test.zone", sub);
	ok(file_exists(path), "zone files kept");
	snprintf(path, sizeof(path), "%s/notes.tmp.txt", sub);
	ok(file_exists(path), "other names kept");
	is_int(dnsfile_sweep_tmp_of(NULL, "test"), 0, "no include file: nothing");
	ok(dnsfile_sweep_tmp("/nonexistent/dir", NULL, "test") < 0, "a missing directory is an error");
}

int main(void)
{
	char tmpl[] = "/tmp/test_dnsfile.XXXXXX";
	char *argv[] = { "rm", "-rf", dir, NULL };

	log_init("test_dnsfile");
	log_set_level(LOG_LEVEL_ERR);
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(dir, sizeof(dir), "%s", tmpl);
	test_names();
	test_set();
	test_include();
	test_batch();
	test_mtime();
	test_run();
	test_oneline();
	test_server();
	test_sweep();
	util_run(argv, NULL, 0, 10000, NULL, 0, NULL);
	return tap_done();
}
