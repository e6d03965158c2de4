/* SPDX-License-Identifier: BSD-3-Clause */
/* test_nsd_bind.c -- the nsd and bind backends against a fake nsd-control / rndc (no daemons)
 *
 * The fake control program is a shell script written into the test's
 * temporary directory: it logs each call, keeps the zones "the server" knows
 * in a file, and answers as nsd-control 4.6 and rndc 9.18 do. What a real
 * NSD and named do is tested in tests/integration/nsd_bind.bats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/backends/backend.h"
#include "lib/backends/dnsfile.h"
#include "lib/log.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static char dir[256];
static char nsd_conf[300];  /* NSD's nsd.conf for the pattern checks */

static const char fake_script[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"echo \"$*\" >>\"$d/calls\"\n"
	"touch \"$d/known\"\n"
	"if [ -f \"$d/down\" ]; then echo \"error: connect (127.0.0.1@8952): Connection refused\"; exit 1; fi\n"
	"case \"$1\" in\n"
	"addzones)\n"
	"  n=0\n"
	"  while read z p; do\n"
	"    if grep -qx \"$z\" \"$d/fail\" 2>/dev/null; then\n"
	"      echo \"error pattern $p does not exist\"; echo \"error for input line '$z'\"; continue\n"
	"    fi\n"
	"    if grep -qx \"$z\" \"$d/known\"; then echo \"zone $z already exists\"; else echo \"$z\" >>\"$d/known\"; fi\n"
	"    echo \"added: $z\"; n=$((n + 1))\n"
	"  done\n"
	"  echo \"added $n zones\";;\n"
	"delzones)\n"
	"  n=0\n"
	"  while read z; do\n"
	"    if grep -qx \"$z\" \"$d/known\"; then\n"
	"      grep -vx \"$z\" \"$d/known\" >\"$d/k2\"; mv \"$d/k2\" \"$d/known\"; echo \"removed: $z\"; n=$((n + 1))\n"
	"    else echo \"warning zone $z not present\"; echo \"error for input line '$z'\"; fi\n"
	"  done\n"
	"  echo \"deleted $n zones\";;\n"
	"reload)\n"
	"  if [ -z \"$2\" ]; then if [ -f \"$d/failall\" ]; then echo \"error: reload failed\"; exit 1; fi; echo ok; exit 0; fi\n"
	"  if ! grep -qx \"$2\" \"$d/known\"; then\n"
	"    if [ -f \"$d/rndc\" ]; then echo \"rndc: 'reload' failed: not found\"; echo \"no matching zone '$2' in any view\";\n"
	"    else echo \"error zone $2 not configured\"; fi; exit 1\n"
	"  fi\n"
	"  if [ -f \"$d/rndc\" ]; then echo \"zone reload queued\"; else echo ok; fi;;\n"
	"reconfig)\n"
	"  sed -n 's/^zone \"\\([^\"]*\\)\".*/\\1/p; s/^\\tname: \"\\([^\"]*\\)\"/\\1/p' \"$(cat \"$d/include\")\" >\"$d/known\"\n"
	"  echo ok;;\n"
	"*) echo \"unknown command $1\"; exit 1;;\n"
	"esac\n";

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	util_write_file_atomic(path, text, strlen(text), mode);
}

static char *read_file(const char *name)
{
	char path[512], *text = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (util_read_file(path, 1 << 20, &text, NULL) < 0)
		return xstrdup("");
	return text;
}

/* A line of file name that is `line` (or starts with it, when prefix). */
static int has_line_x(const char *name, const char *line, int prefix)
{
	char *text = read_file(name), *p = text;
	size_t n = strlen(line);
	int found = 0;

	while (p && *p && !found) {
		found = strncmp(p, line, n) == 0 && (prefix || p[n] == '\n' || p[n] == '\0');
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	free(text);
	return found;
}

static int has_line(const char *name, const char *line)
{
	return has_line_x(name, line, 0);
}

static int file_exists(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

/* The calls the fake saw since the last look, on one line ("|" between). */
static char *calls(void)
{
	char *text = read_file("calls"), *p;
	size_t n;

	for (p = text; *p; p++)
		if (*p == '\n')
			*p = '|';
	n = strlen(text);
	if (n && text[n - 1] == '|')
		text[n - 1] = '\0';
	write_file("calls", "", 0644);
	return text;
}

static void zone(struct backend_zone *z, const char *domain, const char *text)
{
	memset(z, 0, sizeof(*z));
	z->domain = domain;
	z->zone_text = text;
	z->zone_len = text ? strlen(text) : 0;
	z->result = 12345;
}

static void config(struct config_backend *cfg, const char *type, int pattern, char *zones,
		   char *include, char *control)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = (char *)type;
	cfg->type = (char *)type;
	cfg->enabled = 1;
	cfg->timeout = 5;
	cfg->verify = 1;
	cfg->zones_dir = zones;
	cfg->control = control;
	cfg->nsd_config = nsd_conf;
	cfg->server = "127.0.0.1:9";  /* nothing answers: exists cannot tell */
	if (!strcmp(type, "bind"))
		cfg->named_conf = include;
	else if (pattern)
		cfg->pattern = "dadns";
	else
		cfg->nsd_conf = include;
}

static void test_open_errors(const struct backend_ops *nsd, const struct backend_ops *bind)
{
	struct config_backend cfg;
	char err[256];
	void *st = NULL;

	config(&cfg, "nsd", 0, "/tmp", NULL, "x");
	ok(nsd->open(&cfg, &st, err, sizeof(err)) < 0 && strstr(err, "pattern"),
	   "nsd without pattern or nsd_conf refused: %s", err);
	config(&cfg, "nsd", 1, "relative/dir", NULL, "x");
	ok(nsd->open(&cfg, &st, err, sizeof(err)) < 0 && strstr(err, "absolute"),
	   "relative zones_dir refused: %s", err);
	config(&cfg, "nsd", 1, "/tmp", NULL, "x");
	cfg.pattern = "two words";
	ok(nsd->open(&cfg, &st, err, sizeof(err)) < 0, "odd pattern name refused");
	config(&cfg, "nsd", 1, "/tmp", NULL, "x");
	cfg.server = "127.0.0.1:notaport";
	ok(nsd->open(&cfg, &st, err, sizeof(err)) < 0 && strstr(err, "server"),
	   "bad server refused: %s", err);
	config(&cfg, "bind", 0, "/tmp", NULL, "x");
	ok(bind->open(&cfg, &st, err, sizeof(err)) < 0 && strstr(err, "named_conf"),
	   "bind without named_conf refused: %s", err);
	config(&cfg, "bind", 0, "/tmp", "etc/named.dadns", "x");
	ok(bind->open(&cfg, &st, err, sizeof(err)) < 0 && strstr(err, "named_conf"),
	   "relative named_conf refused: %s", err);
	ok(st == NULL, "no state on error");
}

/* An nsd.conf NAME in dir whose pattern dadns has zonefile zf. */
static char *conf_with(const char *name, const char *zf)
{
	char *text = xasprintf("server:\n\tzonesdir: \"%s\"\n\tlogfile: \"%s/nsd.log\"\n"
			       "pattern:\n\tname: \"dadns\"\n\tzonefile: \"%s\"\n", dir, dir, zf);

	write_file(name, text, 0644);
	free(text);
	return xasprintf("%s/%s", dir, name);
}

/* nsd_conf: an nsd.conf whose pattern agrees with zones_dir zones. */
static void nsd_conf_for(const char *zones)
{
	char *zf = xasprintf("%s/%%s.zone", zones), *c = conf_with("nsd.conf", zf);

	snprintf(nsd_conf, sizeof(nsd_conf), "%s", c);
	free(zf);
	free(c);
}

/* The pattern's zonefile in NSD's configuration must be where dadns
 * writes: open and check (what dadnsctl config check runs) refuse
 * otherwise, naming both paths. */
static void test_pattern_check(const struct backend_ops *ops, char *zones, char *control)
{
	struct config_backend cfg;
	char err[1024], *conf, *want = xasprintf("%s/%%s.zone", zones);
	char *other = xasprintf("%s/other/%%s.db", dir), *rel, *link, *slash, *ctl;
	void *st = NULL;

	config(&cfg, "nsd", 1, zones, NULL, control);
	conf = conf_with("wrong.conf", other);
	cfg.nsd_config = conf;
	ok(ops->open(&cfg, &st, err, sizeof(err)) < 0 && st == NULL, "zonefile elsewhere: not opened");
	ok(strstr(err, other) && strstr(err, want) && !strchr(err, '\n'),
	   "one line naming both paths: %s", err);
	err[0] = '\0';
	ok(ops->check && ops->check(&cfg, err, sizeof(err)) < 0 && strstr(err, other) &&
	   strstr(err, want), "check says the same: %s", err);
	/* The conf named by control's -c when nsd_config is not set. */
	ctl = xasprintf("nsd-control -c %s", conf);
	cfg.nsd_config = NULL;
	cfg.control = ctl;
	ok(ops->check(&cfg, err, sizeof(err)) < 0 && strstr(err, other), "control's -c is read");
	free(conf);
	free(ctl);

	config(&cfg, "nsd", 1, zones, NULL, control);
	cfg.pattern = "nope";
	ok(ops->check(&cfg, err, sizeof(err)) < 0 && strstr(err, "nope"),
	   "a pattern NSD does not have: %s", err);

	/* The same files: relative to zonesdir, a trailing slash, a symlink. */
	config(&cfg, "nsd", 1, zones, NULL, control);
	rel = xasprintf("zones/%%s.zone");
	conf = conf_with("rel.conf", rel);
	cfg.nsd_config = conf;
	is_int(ops->check(&cfg, err, sizeof(err)), 0, "relative to zonesdir: same files");
	free(conf);
	slash = xasprintf("%s/", zones);
	cfg.zones_dir = slash;
	cfg.nsd_config = nsd_conf;
	is_int(ops->check(&cfg, err, sizeof(err)), 0, "zones_dir with a trailing slash");
	link = xasprintf("%s/zlink", dir);
	ok(symlink(zones, link) == 0, "symlink to zones");
	cfg.zones_dir = link;
	is_int(ops->check(&cfg, err, sizeof(err)), 0, "zones_dir through a symlink");
	free(rel);
	free(slash);
	free(link);
	free(other);
	free(want);
}

static void test_nsd_pattern(const struct backend_ops *ops, char *zones, char *control)
{
	struct config_backend cfg;
	struct backend_zone z[3];
	char err[256], *c;
	void *st = NULL;

	config(&cfg, "nsd", 1, zones, NULL, control);
	is_int(ops->open(&cfg, &st, err, sizeof(err)), 0, "nsd (pattern) opens");
	free(calls());

	zone(&z[0], "a.test", "A1");
	zone(&z[1], "b.test", "B1");
	ops->apply(st, z, 2);
	ok(z[0].result == 0 && z[1].result == 0, "two new zones applied");
	c = calls();
	is_str(c, "addzones", "one addzones for both, nothing else");
	free(c);
	ok(has_line("known", "a.test") && has_line("known", "b.test"), "both registered");
	ok(file_exists("zones/a.test.zone"), "zone file written");

	zone(&z[0], "a.test", "A2");
	ops->apply(st, z, 1);
	c = calls();
	is_int(z[0].result, 0, "changed zone applied");
	is_str(c, "reload a.test", "a changed zone is one reload of that zone");
	free(c);

	/* The worker died between writing e's file and addzones. */
	write_file("zones/e.test.zone", "E0", 0644);
	write_file("fail", "d.test\n", 0644);
	zone(&z[0], "c.test", "C1");
	zone(&z[1], "d.test", "D1");
	zone(&z[2], "e.test", "E1");
	ops->apply(st, z, 3);
	c = calls();
	is_str(c, "reload e.test|addzones", "unknown e.test goes to addzones with the new ones");
	free(c);
	ok(z[0].result == 0 && z[2].result == 0, "c.test and e.test applied");
	is_int(z[1].result, DADNS_ETEMPFAIL, "d.test failed alone");
	ok(strstr(z[1].error, "pattern dadns does not exist") != NULL, "with NSD's reason: %s",
	   z[1].error);
	ok(has_line("known", "e.test"), "e.test registered now");
	write_file("fail", "", 0644);

	/* Known to NSD although dadns had no file: addzones, then a reload. */
	write_file("known", "a.test\nb.test\nc.test\ne.test\nf.test\n", 0644);
	zone(&z[0], "f.test", "F1");
	ops->apply(st, z, 1);
	c = calls();
	is_str(c, "addzones|reload f.test", "a zone NSD knew is reloaded after addzones");
	free(c);
	is_int(z[0].result, 0, "f.test applied");

	zone(&z[0], "a.test", NULL);
	zone(&z[1], "never.test", NULL);
	ops->apply(st, z, 2);
	c = calls();
	is_str(c, "delzones", "one delzones for both deletes");
	free(c);
	ok(z[0].result == 0 && z[1].result == 0, "deletes applied (absent is fine)");
	ok(!has_line("known", "a.test"), "a.test unregistered");
	ok(!file_exists("zones/a.test.zone"), "a.test file removed");
	/* Nothing answers on the server: what it serves cannot be told, whatever
	 * the files say (reconcile's heal then leaves the backend). */
	ok(ops->exists(st, "b.test") < 0, "exists: b.test cannot be told (server silent, file there)");
	ok(ops->exists(st, "a.test") < 0, "exists: a.test cannot be told (server silent, file gone)");

	write_file("down", "", 0644);
	zone(&z[0], "g.test", "G1");
	zone(&z[1], "b.test", NULL);
	ops->apply(st, z, 2);
	is_int(z[0].result, DADNS_ETEMPFAIL, "NSD down: write failed");
	is_int(z[1].result, DADNS_ETEMPFAIL, "NSD down: delete failed");
	ok(strstr(z[0].error, "Connection refused") != NULL, "reason given: %s", z[0].error);
	ok(file_exists("zones/b.test.zone"), "failed delete keeps the file");
	c = calls();
	is_str(c, "delzones|addzones", "one try each");
	free(c);
	unlink(strcat(strcpy(err, dir), "/down"));
	zone(&z[0], "../x", "X");
	ops->apply(st, z, 1);
	is_int(z[0].result, DADNS_EPERMFAIL, "a name that is not a file name: permanent");
	c = calls();
	is_str(c, "", "and no command for it");
	free(c);
	ops->close(st);
}

static void test_include_mode(const struct backend_ops *ops, const char *type, char *zones,
			      char *include, char *control, const char *inc_name,
			      const char *stanza_a)
{
	struct config_backend cfg;
	struct backend_zone z[2];
	char err[256], *c;
	void *st = NULL;

	write_file("known", "", 0644);
	write_file("include", include, 0644);
	config(&cfg, type, 0, zones, include, control);
	is_int(ops->open(&cfg, &st, err, sizeof(err)), 0, "%s (include) opens", type);
	free(calls());

	zone(&z[0], "a.test", "A1");
	zone(&z[1], "b.test", "B1");
	ops->apply(st, z, 2);
	ok(z[0].result == 0 && z[1].result == 0, "%s: two new zones applied", type);
	c = calls();
	is_str(c, "reconfig", "%s: one reconfig for both", type);
	free(c);
	ok(has_line_x(inc_name, stanza_a, 1), "%s: include file has a.test", type);
	ok(has_line("known", "a.test") && has_line("known", "b.test"), "%s: server knows both",
	   type);

	zone(&z[0], "a.test", "A2");
	ops->apply(st, z, 1);
	c = calls();
	is_str(c, "reload a.test", "%s: a changed zone is one reload", type);
	free(c);

	/* In the include file but the server never heard (a lost reconfig). */
	write_file("known", "a.test\n", 0644);
	zone(&z[0], "b.test", "B2");
	ops->apply(st, z, 1);
	c = calls();
	is_str(c, "reload b.test|reconfig", "%s: unknown to the server: one reconfig", type);
	free(c);
	is_int(z[0].result, 0, "%s: and applied", type);
	ok(has_line("known", "b.test"), "%s: server knows b.test again", type);

	zone(&z[0], "a.test", NULL);
	ops->apply(st, z, 1);
	c = calls();
	is_str(c, "reconfig", "%s: a delete is one reconfig", type);
	free(c);
	ok(!has_line_x(inc_name, stanza_a, 1) && !file_exists("zones/a.test.zone"),
	   "%s: out of the include file, file removed", type);
	ok(ops->exists(st, "b.test") < 0, "%s: exists: an error while the server is silent", type);

	write_file("down", "", 0644);
	zone(&z[0], "c.test", "C1");
	ops->apply(st, z, 1);
	is_int(z[0].result, DADNS_ETEMPFAIL, "%s: server down: tempfail", type);
	c = calls();
	is_str(c, "reconfig", "%s: one try", type);
	free(c);
	unlink(strcat(strcpy(err, dir), "/down"));
	write_file("known", "b.test\n", 0644);
	zone(&z[0], "d.test", "D1");
	ops->apply(st, z, 1);
	c = calls();
	is_str(c, "reconfig", "%s: next batch reconfigures (c.test is in the file)", type);
	free(c);
	ok(has_line("known", "c.test") && has_line("known", "d.test"), "%s: both known now",
	   type);
	ops->close(st);
}

/* reload_batch_threshold 2: three changed zones are ONE reload without a
 * zone; two are one reload each. expect_big: the calls for three. */
static void test_batched(const struct backend_ops *ops, const char *type, int pattern,
			 char *zones, char *include, char *control, const char *expect_big)
{
	struct config_backend cfg;
	struct backend_zone z[3];
	char err[256], *c;
	void *st = NULL;
	int i;

	config(&cfg, type, pattern, zones, include, control);
	cfg.reload_batch_threshold = 2;
	is_int(ops->open(&cfg, &st, err, sizeof(err)), 0, "%s: opens with a threshold", type);
	zone(&z[0], "m1.test", "M1");
	zone(&z[1], "m2.test", "M2");
	zone(&z[2], "m3.test", "M3");
	ops->apply(st, z, 3);
	ok(z[0].result == 0 && z[1].result == 0 && z[2].result == 0, "%s: three new zones", type);
	free(calls());
	zone(&z[0], "m1.test", "M1b");
	zone(&z[1], "m2.test", "M2b");
	zone(&z[2], "m3.test", "M3b");
	ops->apply(st, z, 3);
	c = calls();
	is_str(c, expect_big, "%s: three changed zones, over the threshold: one reload", type);
	free(c);
	ok(z[0].result == 0 && z[1].result == 0 && z[2].result == 0, "%s: all applied", type);
	ops->apply(st, z, 2);
	c = calls();
	ok(!strcmp(c, "reload m1.test|reload m2.test") || !strcmp(c, "reload m2.test|reload m1.test"),
	   "%s: two (not over it): one reload each (in parallel): %s", type, c);
	free(c);
	/* The one reload fails: with verification on, verification decides. */
	write_file("failall", "", 0644);
	ops->apply(st, z, 3);
	ok(z[0].result == 0 && z[2].result == 0, "%s: failed reload, verify on: not failed yet",
	   type);
	ops->close(st);
	cfg.verify = 0;
	is_int(ops->open(&cfg, &st, err, sizeof(err)), 0, "%s: opens without verify", type);
	ops->apply(st, z, 3);
	for (i = 0; i < 3 && z[i].result == DADNS_ETEMPFAIL; i++)
		;
	is_int(i, 3, "%s: failed reload, verify off: every zone failed", type);
	ok(strstr(z[1].error, "reload failed") != NULL, "%s: with the reason: %s", type,
	   z[1].error);
	unlink(strcat(strcpy(err, dir), "/failall"));
	free(calls());
	ops->close(st);
}

/* 450 new zones: addzones 200 at a time (NSD_BULK_MAX; a longer input
 * can hang nsd-control on NSD's unix control socket). */
static void test_bulk_chunks(const struct backend_ops *ops, char *zones, char *control)
{
	struct config_backend cfg;
	struct backend_zone *z = xcalloc(450, sizeof(*z));
	char **names = xcalloc(450, sizeof(*names)), err[256], *c;
	void *st = NULL;
	size_t i, bad = 0;

	config(&cfg, "nsd", 1, zones, NULL, control);
	is_int(ops->open(&cfg, &st, err, sizeof(err)), 0, "nsd opens for 450 zones");
	free(calls());
	for (i = 0; i < 450; i++) {
		names[i] = xasprintf("chunk%zu.test", i);
		zone(&z[i], names[i], "C");
	}
	ops->apply(st, z, 450);
	c = calls();
	is_str(c, "addzones|addzones|addzones", "450 new zones: three addzones of <= 200");
	free(c);
	for (i = 0; i < 450; i++)
		bad += z[i].result != 0;
	is_int((int)bad, 0, "all 450 applied");
	ok(has_line("known", "chunk0.test") && has_line("known", "chunk449.test"),
	   "first and last registered");
	for (i = 0; i < 450; i++)
		free(names[i]);
	free(names);
	free(z);
	ops->close(st);
}

int main(void)
{
	char tmpl[] = "/tmp/test_nsd_bind.XXXXXX";
	char zones[300], control[300], include[300];
	const struct backend_ops *nsd = backend_find("nsd"), *bind = backend_find("bind");
	char *rm[] = { "rm", "-rf", dir, NULL };

	log_init("test_nsd_bind");
	log_set_level(LOG_LEVEL_ERR);
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(dir, sizeof(dir), "%s", tmpl);
	snprintf(zones, sizeof(zones), "%s/zones", dir);
	snprintf(control, sizeof(control), "%s/fake-control", dir);
	write_file("fake-control", fake_script, 0755);
	nsd_conf_for(zones);
	ok(nsd && bind && nsd->apply && bind->apply && nsd->verify && bind->exists,
	   "both types registered with their ops");
	test_open_errors(nsd, bind);
	mkdir(zones, 0755);
	test_pattern_check(nsd, zones, control);
	test_nsd_pattern(nsd, zones, control);
	test_batched(nsd, "nsd", 1, zones, NULL, control, "addzones|reload");
	test_bulk_chunks(nsd, zones, control);

	snprintf(include, sizeof(include), "%s/nsd.dadns.conf", dir);
	test_include_mode(nsd, "nsd", zones, include, control, "nsd.dadns.conf",
			  "\tname: \"a.test\"");
	write_file("rndc", "", 0644);
	snprintf(include, sizeof(include), "%s/named.dadns.conf", dir);
	test_include_mode(bind, "bind", zones, include, control, "named.dadns.conf",
			  "zone \"a.test\" { type primary; file \"");
	test_batched(bind, "bind", 0, zones, include, control, "reload");
	util_run(rm, NULL, 0, 10000, NULL, 0, NULL);
	return tap_done();
}
