/* SPDX-License-Identifier: BSD-3-Clause */
/* test_nsd_conf.c -- NSD's own words about a zone it could not load: its log, or nsd-checkzone
 *
 * nsd-checkconf and nsd-checkzone are NSD's own (the nsd package); the log
 * lines are NSD 4.6's. Whether the pattern check refuses a wrong zonefile
 * is in test_nsd_bind.c and tests/integration/nsd_bind.bats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/backends/nsd_conf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static char dir[] = "/tmp/test_nsd_conf.XXXXXX";

static char *scan(const char *log, const char *path)
{
	char *buf = xstrdup(log);
	struct strbuf words;

	strbuf_init(&words);
	nsd_conf_scan_log(buf, path, &words);
	free(buf);
	return strbuf_steal(&words);
}

static void test_scan(void)
{
	const char *log =
		"[2026-12-07 23:56:57.763] nsd[9947]: info: control cmd:  addzones\n"
		"[2026-12-07 23:56:57.765] nsd[9949]: error: zonefile /z/a.test.zone does not exist\r\n"
		"[2026-12-07 23:56:57.765] nsd[9949]: error: /z/b.test.zone:2: syntax error\n"
		"[2026-12-07 23:56:57.765] nsd[9949]: error: zone b.test file /z/b.test.zone read with 1 errors\n"
		"error without a prefix: /z/b.test.zone\n"
		"[broken prefix /z/b.test.zone";
	char *w, *big;
	size_t i;

	w = scan(log, "/z/a.test.zone");
	is_str(w, "error: zonefile /z/a.test.zone does not exist", "one line, prefix and CR gone");
	free(w);
	w = scan(log, "/z/b.test.zone");
	is_str(w, "error: /z/b.test.zone:2: syntax error; error: zone b.test file /z/b.test.zone "
		  "read with 1 errors; error without a prefix: /z/b.test.zone; [broken prefix "
		  "/z/b.test.zone", "every line naming the file, in order");
	free(w);
	w = scan(log, "/z/c.test.zone");
	is_str(w, "", "a file NSD said nothing about");
	free(w);
	w = scan(log, "");
	is_str(w, "", "an empty path names nothing");
	free(w);
	w = scan("", "/z/a.test.zone");
	is_str(w, "", "an empty log");
	free(w);
	/* Thousands of lines about one file: kept short. */
	big = xmalloc(5000 * 40 + 1);
	big[0] = '\0';
	for (i = 0; i < 5000; i++)
		strcat(big, "nsd[1]: error: /z/a.test.zone:1: bad\n");
	w = scan(big, "/z/a.test.zone");
	ok(strlen(w) <= NSD_WORDS_MAX && strlen(w) > NSD_WORDS_MAX - 40 && !strchr(w, '\n'),
	   "5000 lines: at most %d octets, one line (%zu)", NSD_WORDS_MAX, strlen(w));
	free(w);
	free(big);
	/* 399 octets kept, then another line: no "; " past the bound (found
	 * by fuzz_nsd_log). */
	big = xmalloc(NSD_WORDS_MAX + 16);
	memset(big, 'a', NSD_WORDS_MAX - 3);
	strcpy(big + NSD_WORDS_MAX - 3, "/z\n/z\n");
	w = scan(big, "/z");
	is_int(strlen(w), NSD_WORDS_MAX - 1, "a line of %d octets, then one more: the bound holds",
	       NSD_WORDS_MAX - 1);
	free(w);
	free(big);
}

static char *write_in(const char *name, const char *text, const char *mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, mode);

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

/* nc for an nsd.conf in dir with (or without) a logfile. */
static int open_conf(struct nsd_conf *nc, int with_log)
{
	struct config_backend cfg;
	char err[1024], *text, *conf, *zones = xasprintf("%s/zones", dir);
	int rc;

	text = xasprintf("server:\n\tzonesdir: \"%s\"\n%s%s%s"
			 "pattern:\n\tname: \"dadns\"\n\tzonefile: \"%s/%%s.zone\"\n", dir,
			 with_log ? "\tlogfile: \"" : "", with_log ? dir : "",
			 with_log ? "/nsd.log\"\n" : "", zones);
	conf = write_in(with_log ? "log.conf" : "syslog.conf", text, "w");
	memset(&cfg, 0, sizeof(cfg));
	memset(nc, 0, sizeof(*nc));
	cfg.name = "nsd";
	cfg.type = "nsd";
	cfg.zones_dir = zones;
	cfg.pattern = "dadns";
	cfg.nsd_config = conf;
	cfg.timeout = 10;
	rc = nsd_conf_check(&cfg, nc, err, sizeof(err));
	if (rc < 0)
		printf("# %s\n", err);
	free(text);
	free(conf);
	free(zones);
	return rc;
}

static void zone(struct backend_zone *z, const char *domain)
{
	memset(z, 0, sizeof(*z));
	z->domain = domain;
	snprintf(z->error, sizeof(z->error), "verify failed");
}

static void test_explain_log(void)
{
	struct nsd_conf nc;
	struct backend_zone z;
	char *path = xasprintf("%s/zones/a.test.zone", dir), *line, *log;
	int i;

	is_int(open_conf(&nc, 1), 0, "nsd.conf with a logfile: checked");
	log = xasprintf("%s/nsd.log", dir);
	is_str(nc.logfile, log, "NSD's logfile found with nsd-checkconf");
	line = xasprintf("[t] nsd[1]: error: zonefile %s does not exist (before)\n", path);
	free(write_in("nsd.log", line, "w"));
	free(line);
	nsd_conf_mark(&nc);
	line = xasprintf("[t] nsd[1]: info: unrelated\n[t] nsd[1]: error: zonefile %s does not exist\n",
			 path);
	free(write_in("nsd.log", line, "a"));
	free(line);
	zone(&z, "a.test");
	nsd_conf_explain(&nc, "nsd nsd", path, &z);
	line = xasprintf("verify failed (NSD: error: zonefile %s does not exist)", path);
	is_str(z.error, line, "what NSD logged since the batch began, added to the error");
	free(line);

	/* The log rotated (smaller than at the mark): read from its start. */
	nsd_conf_mark(&nc);
	line = xasprintf("[t] nsd[1]: error: %s:3: syntax error\n", path);
	free(write_in("nsd.log", line, "w"));
	free(line);
	zone(&z, "a.test");
	nsd_conf_explain(&nc, "nsd nsd", path, &z);
	ok(strstr(z.error, ":3: syntax error)") != NULL, "after a rotation: %s", z.error);

	/* At most a few zones a batch are explained (a batch of 1000 broken
	 * zones reads the log a few times, not 1000). */
	for (i = 0; i < 20; i++) {
		zone(&z, "a.test");
		nsd_conf_explain(&nc, "nsd nsd", path, &z);
	}
	is_str(z.error, "verify failed", "explanations per batch are bounded");
	nsd_conf_mark(&nc);
	zone(&z, "a.test");
	nsd_conf_explain(&nc, "nsd nsd", path, &z);
	is_str(z.error, "verify failed", "nothing logged since the mark: nothing added");
	line = xasprintf("[t] nsd[1]: error: zonefile %s does not exist\n", path);
	free(write_in("nsd.log", line, "a"));
	free(line);
	nsd_conf_explain(&nc, "nsd nsd", path, &z);
	ok(strstr(z.error, "(NSD: error: zonefile ") != NULL, "the next batch explains again");
	nsd_conf_deinit(&nc);
	free(log);
	free(path);
}

static void test_explain_checkzone(void)
{
	struct nsd_conf nc;
	struct backend_zone z;
	char *path;

	is_int(open_conf(&nc, 0), 0, "nsd.conf logging to syslog: checked");
	ok(nc.logfile == NULL, "no logfile");
	nsd_conf_mark(&nc);
	path = write_in("zones/bad.test.zone", "bad.test. 3600 IN SOA ( ( (\n", "w");
	zone(&z, "bad.test");
	nsd_conf_explain(&nc, "nsd nsd", path, &z);
	ok(strstr(z.error, "verify failed (NSD: nsd-checkzone: error: ") &&
	   strstr(z.error, "bad.test.zone:1: "), "nsd-checkzone's words: %s", z.error);
	free(path);
	/* A file NSD can load: no words, the error stays as it was. */
	path = write_in("zones/good.test.zone",
			"good.test. 3600 IN SOA ns1.good.test. h.good.test. 1 2 3 4 5\n"
			"good.test. 3600 IN NS ns1.good.test.\n", "w");
	zone(&z, "good.test");
	nsd_conf_explain(&nc, "nsd nsd", path, &z);
	is_str(z.error, "verify failed", "nsd-checkzone accepts it: nothing added");
	free(path);
	nsd_conf_deinit(&nc);
}

int main(void)
{
	char *zones, *rm[] = { "rm", "-rf", dir, NULL };

	log_init("test_nsd_conf");
	log_set_level(LOG_LEVEL_ERR);
	if (!mkdtemp(dir))
		return 1;
	zones = xasprintf("%s/zones", dir);
	util_mkdir_p(zones, 0755);
	free(zones);
	test_scan();
	test_explain_log();
	test_explain_checkzone();
	util_run(rm, NULL, 0, 10000, NULL, 0, NULL);
	return tap_done();
}
