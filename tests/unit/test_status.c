/* SPDX-License-Identifier: BSD-3-Clause */
/* test_status.c -- the operator's snapshot: counts, backend sync, overall, JSON, Prometheus text */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/status.h"
#include "lib/store.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static const char zone_text[] = "$ORIGIN x.\n";

static void exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK) {
		printf("# %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
	}
}

static void put(struct store *st, const char *domain, int64_t serial)
{
	int how = 0;
	char *prev = NULL;

	if (store_zone_put(st, domain, "da1", "fred", zone_text, serial, 3, "da", &how, &prev, NULL) < 0)
		printf("# cannot put %s\n", domain);
	free(prev);
}

/* The metrics text has this exact line. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

static long long jint(json_t *j, const char *path1, const char *path2)
{
	json_t *v = json_object_get(j, path1);

	if (path2)
		v = json_object_get(v, path2);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -999;
}

/* Every line of the exposition is a comment or "name[{labels}] integer". */
static int metrics_well_formed(const char *text)
{
	const char *p = text, *e;

	while (*p) {
		e = strchr(p, '\n');
		if (!e)
			return 0;
		if (*p != '#') {
			const char *sp = memrchr(p, ' ', (size_t)(e - p));
			char *end;

			if (!sp || sp == p)
				return 0;
			strtoll(sp + 1, &end, 10);
			if (end != e)
				return 0;
		}
		p = e + 1;
	}
	return 1;
}

static void test_empty(struct store *st, const struct config *cfg)
{
	struct status s;
	struct strbuf sb;
	json_t *j;

	strbuf_init(&sb);
	is_int(status_collect(st, cfg, util_now_ms(), &s), 0, "empty: collect");
	is_str(status_overall_name(s.overall), "ok", "empty: overall ok");
	is_int(s.zones, 0, "empty: no zones");
	is_int(s.jobs[STATUS_JOB_QUEUED], 0, "empty: nothing queued");
	is_int(s.n_backends, 3, "empty: one entry per backend section");
	is_int(s.backends[0].oldest_job_s, -1, "empty: no oldest job");
	ok(!s.reconcile.present && !s.peersync.present, "empty: no runs");
	j = status_json(&s);
	ok(json_is_null(json_object_get(j, "reconcile")) && json_is_null(json_object_get(j, "peersync")),
	   "empty: runs are null in JSON");
	ok(json_is_null(json_object_get(json_array_get(json_object_get(j, "backends"), 0),
					"oldest_job_seconds")), "empty: oldest_job_seconds null");
	is_int(json_array_size(json_object_get(j, "reasons")), 0, "empty: no reasons");
	json_decref(j);
	status_metrics(&s, &sb);
	ok(has_line(sb.buf, "dadns_up 1"), "empty: dadns_up 1");
	ok(has_line(sb.buf, "dadns_status{state=\"ok\"} 1"), "empty: dadns_status ok 1");
	ok(has_line(sb.buf, "dadns_zones 0"), "empty: dadns_zones 0");
	ok(metrics_well_formed(sb.buf), "empty: metrics well formed");
	strbuf_deinit(&sb);
	status_deinit(&s);
}

static void test_queued(struct store *st, const struct config *cfg)
{
	int64_t now = util_now_ms();
	struct status s;

	put(st, "a.test", 2024010101);
	put(st, "b.test", 2024010101);
	put(st, "c.test", 2024010101);
	is_int(status_collect(st, cfg, now + 1000, &s), 0, "3 zones: collect");
	is_int(s.zones, 3, "3 zones");
	is_int(s.jobs[STATUS_JOB_QUEUED], 3, "3 queued jobs");
	is_int(s.backends[0].behind, 3, "nsd: 3 behind");
	is_int(s.backends[0].in_sync, 0, "nsd: none in sync");
	ok(s.backends[0].oldest_job_s >= 0 && s.backends[0].oldest_job_s <= 2, "nsd: oldest job ~1 s (%lld)",
	   s.backends[0].oldest_job_s);
	is_int(s.backends[1].oldest_job_s, -1, "disabled backend: jobs for every backend are not its own");
	is_str(status_overall_name(s.overall), "ok", "fresh jobs: ok");
	status_deinit(&s);

	is_int(status_collect(st, cfg, now + 200 * 1000, &s), 0, "200 s later: collect");
	is_str(status_overall_name(s.overall), "ok", "200 s old jobs: still ok");
	status_deinit(&s);
	is_int(status_collect(st, cfg, now + (STATUS_LAG_DEGRADED_S + 5) * 1000LL, &s), 0, "305 s later");
	is_str(status_overall_name(s.overall), "degraded", "jobs older than 5 minutes: degraded");
	ok(s.n_reasons >= 1 && strstr(s.reasons[0], "oldest job"), "the reason names the lag: %s",
	   s.n_reasons ? s.reasons[0] : "(none)");
	status_deinit(&s);

	/* A job for the disabled backend alone is its own, but does not degrade. */
	exec(st, "INSERT INTO jobs(domain, op, backends, source, state, run_after, created_at, updated_at)"
		 " VALUES('a.test', 'write', 'off', 'cli', 'queued', 0, 1000, 1000)");
	is_int(status_collect(st, cfg, now + 1000, &s), 0, "job for the disabled backend: collect");
	ok(s.backends[1].oldest_job_s > 1000000, "disabled backend: its own old job counts (%lld s)",
	   s.backends[1].oldest_job_s);
	is_str(status_overall_name(s.overall), "ok", "an old job of a disabled backend: still ok");
	status_deinit(&s);
	exec(st, "DELETE FROM jobs WHERE backends = 'off'");
}

static void test_sync(struct store *st, const struct config *cfg)
{
	int64_t now = util_now_ms();
	struct status s;
	struct strbuf sb;
	json_t *j, *b;

	/* a: applied at its serial after its push; b: failed; c: an older serial. */
	exec(st, "INSERT INTO backend_state VALUES('nsd', 'a.test', 2024010101, 'ok', NULL, 0,"
		 " (SELECT updated_at FROM zones WHERE domain = 'a.test'), NULL)");
	exec(st, "INSERT INTO backend_state VALUES('nsd', 'b.test', NULL, 'fail', 'boom', 1, 1, NULL)");
	exec(st, "INSERT INTO backend_state VALUES('nsd', 'c.test', 2023010101, 'ok', NULL, 0,"
		 " 9999999999999, NULL)");
	/* A failed delete: not a desired zone, but failing. */
	exec(st, "INSERT INTO backend_state VALUES('nsd', 'gone.test', 1, 'fail', 'boom', 1, 1, NULL)");
	exec(st, "INSERT INTO backend_state VALUES('off', 'a.test', NULL, 'fail', 'boom', 1, 1, NULL)");
	is_int(status_collect(st, cfg, now, &s), 0, "sync: collect");
	is_int(s.backends[0].in_sync, 1, "nsd: 1 in sync");
	is_int(s.backends[0].failing, 2, "nsd: 2 failing (one a failed delete)");
	is_int(s.backends[0].behind, 1, "nsd: 1 behind (older serial)");
	is_int(s.backends[1].failing, 1, "off: 1 failing");
	is_int(s.backends[1].behind, 2, "off: 2 behind (a.test is failing there)");
	is_str(status_overall_name(s.overall), "degraded", "failing zones: degraded");
	is_int(s.n_reasons, 1, "one reason: the enabled backend's failures only");
	ok(s.n_reasons && strstr(s.reasons[0], "backend nsd: 2 failing zones"), "reason: %s",
	   s.n_reasons ? s.reasons[0] : "(none)");
	j = status_json(&s);
	b = json_array_get(json_object_get(j, "backends"), 0);
	is_str(json_string_value(json_object_get(b, "name")), "nsd", "JSON: backend name");
	is_int(jint(b, "in_sync", NULL), 1, "JSON: in_sync");
	is_int(jint(b, "failing", NULL), 2, "JSON: failing");
	is_str(json_string_value(json_object_get(j, "overall")), "degraded", "JSON: overall");
	json_decref(j);
	strbuf_init(&sb);
	status_metrics(&s, &sb);
	ok(has_line(sb.buf, "dadns_backend_zones{backend=\"nsd\",state=\"in_sync\"} 1"), "metrics: in_sync");
	ok(has_line(sb.buf, "dadns_backend_zones{backend=\"nsd\",state=\"failing\"} 2"), "metrics: failing");
	ok(has_line(sb.buf, "dadns_backend_zones{backend=\"nsd\",state=\"behind\"} 1"), "metrics: behind");
	ok(has_line(sb.buf, "dadns_backend_enabled{backend=\"off\",type=\"null\"} 0"), "metrics: disabled");
	ok(has_line(sb.buf, "dadns_status{state=\"degraded\"} 1") &&
	   has_line(sb.buf, "dadns_status{state=\"ok\"} 0"), "metrics: status degraded");
	strbuf_deinit(&sb);
	status_deinit(&s);
	exec(st, "DELETE FROM backend_state");
}

static void test_dead_and_runs(struct store *st, const struct config *cfg)
{
	struct status s;
	struct strbuf sb;
	json_t *j, *r;

	exec(st, "UPDATE jobs SET state = 'dead' WHERE domain = 'c.test'");
	exec(st, "INSERT INTO runs(program, started_at, finished_at, ok, summary) VALUES"
		 " ('reconcile', 1700000000000, 1700000005000, 0, 'old run'),"
		 " ('reconcile', 1700000100000, 1700000105000, 1, '3 zones checked'),"
		 " ('peersync', 1700000200000, NULL, NULL, NULL)");
	is_int(status_collect(st, cfg, util_now_ms(), &s), 0, "dead: collect");
	is_int(s.jobs[STATUS_JOB_DEAD], 1, "1 dead job");
	is_int(s.jobs[STATUS_JOB_QUEUED], 2, "2 queued");
	is_str(status_overall_name(s.overall), "degraded", "a dead job: degraded");
	ok(s.n_reasons && !strcmp(s.reasons[0], "1 dead job"), "reason: 1 dead job");
	ok(s.reconcile.present && s.reconcile.ok == 1, "reconcile: the latest run");
	is_str(s.reconcile.summary, "3 zones checked", "reconcile: summary");
	ok(s.peersync.present && s.peersync.ok == -1 && s.peersync.finished_at == 0, "peersync: running");
	j = status_json(&s);
	is_int(jint(j, "dead_jobs", NULL), 1, "JSON: dead_jobs");
	is_int(jint(j, "jobs", "dead"), 1, "JSON: jobs.dead");
	r = json_object_get(j, "reconcile");
	is_str(json_string_value(json_object_get(r, "started_at")), "2023-11-14T22:15:00Z",
	       "JSON: reconcile.started_at");
	ok(json_is_true(json_object_get(r, "ok")), "JSON: reconcile.ok true");
	r = json_object_get(j, "peersync");
	ok(json_is_null(json_object_get(r, "finished_at")) && json_is_null(json_object_get(r, "ok")) &&
	   json_is_null(json_object_get(r, "summary")), "JSON: a running peersync has nulls");
	json_decref(j);
	strbuf_init(&sb);
	status_metrics(&s, &sb);
	ok(has_line(sb.buf, "dadns_dead_jobs 1"), "metrics: dadns_dead_jobs 1");
	ok(has_line(sb.buf, "dadns_jobs{state=\"queued\"} 2"), "metrics: queued 2");
	ok(has_line(sb.buf, "dadns_last_run_timestamp_seconds{program=\"reconcile\"} 1700000100"),
	   "metrics: last reconcile");
	ok(has_line(sb.buf, "dadns_last_run_ok{program=\"reconcile\"} 1"), "metrics: reconcile ok");
	ok(!strstr(sb.buf, "dadns_last_run_ok{program=\"peersync\"}"), "metrics: no ok for a running run");
	ok(strstr(sb.buf, "# HELP dadns_jobs ") && strstr(sb.buf, "# TYPE dadns_jobs gauge\n"),
	   "metrics: HELP and TYPE");
	ok(metrics_well_formed(sb.buf), "metrics: well formed");
	strbuf_deinit(&sb);
	status_deinit(&s);
}

static void test_escape(void)
{
	struct strbuf sb;

	strbuf_init(&sb);
	status_prom_label(&sb, "a\"b\\c\nd");
	is_str(sb.buf, "a\\\"b\\\\c\\nd", "label value escaped");
	strbuf_deinit(&sb);
}

/* The database cannot be read: the file moved away, then a broken schema. */
static void test_errors(const char *dir, const struct config *cfg)
{
	char path[300], moved[320], err[512];
	struct store *st = NULL;
	struct status s;
	struct strbuf sb;
	json_t *j;

	snprintf(path, sizeof(path), "%s/broken.db", dir);
	if (store_open(path, 1, 100, &st, err, sizeof(err)) < 0) {
		ok(0, "open broken.db: %s", err);
		goto out;
	}
	is_int(status_db_check(st, err, sizeof(err)), 0, "db check: ok");
	snprintf(moved, sizeof(moved), "%s.moved", path);
	if (rename(path, moved) < 0)
		ok(0, "rename");
	ok(status_db_check(st, err, sizeof(err)) == DADNS_EIO && strstr(err, "moved"),
	   "db check: the file moved away: %s", err);
	is_int(status_collect(st, cfg, util_now_ms(), &s), DADNS_EIO, "moved: collect fails");
	is_str(status_overall_name(s.overall), "error", "moved: overall error");
	status_deinit(&s);
	if (rename(moved, path) < 0)
		ok(0, "rename back");
	is_int(status_collect(st, cfg, util_now_ms(), &s), 0, "moved back: readable again");
	status_deinit(&s);

	exec(st, "DROP TABLE backend_state");
	is_int(status_collect(st, cfg, util_now_ms(), &s), DADNS_EIO, "no table: DADNS_EIO");
	is_str(status_overall_name(s.overall), "error", "no table: overall error");
	ok(strstr(s.error, "backend_state") != NULL, "the error says why: %s", s.error);
	j = status_json(&s);
	is_str(json_string_value(json_object_get(j, "overall")), "error", "JSON: overall error");
	ok(json_object_get(j, "error") && !json_object_get(j, "zones"), "JSON: error, no counts");
	json_decref(j);
	strbuf_init(&sb);
	status_metrics(&s, &sb);
	ok(has_line(sb.buf, "dadns_up 0") && has_line(sb.buf, "dadns_status{state=\"error\"} 1"),
	   "metrics: dadns_up 0, status error");
	ok(!strstr(sb.buf, "dadns_zones"), "metrics: no counts");
	strbuf_deinit(&sb);
	status_deinit(&s);
	/* The transaction was ended: the connection still writes. */
	is_int(store_exec(st, "CREATE TABLE t(x)"), 0, "the connection is usable after the error");
out:
	store_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/broken.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/broken.db-shm", dir);
	unlink(path);
}

int main(void)
{
	char dir[] = "/tmp/dadns-test-status-XXXXXX", path[256], err[512];
	char n_nsd[] = "nsd", n_off[] = "off", n_odd[] = "we\"ird\\name", t_null[] = "null";
	struct config_backend backends[3];
	struct config cfg;
	struct store *st = NULL;

	log_init("test_status");
	log_set_level(LOG_LEVEL_ERR);
	if (!mkdtemp(dir))
		return 1;
	memset(&cfg, 0, sizeof(cfg));
	memset(backends, 0, sizeof(backends));
	backends[0].name = n_nsd;
	backends[0].type = t_null;
	backends[0].enabled = 1;
	backends[1].name = n_off;
	backends[1].type = t_null;
	backends[1].enabled = 0;
	backends[2].name = n_odd;
	backends[2].type = t_null;
	backends[2].enabled = 1;
	cfg.backends = backends;
	cfg.n_backends = 3;
	snprintf(path, sizeof(path), "%s/dadns.db", dir);
	if (store_open(path, 1, 2000, &st, err, sizeof(err)) < 0) {
		ok(0, "open: %s", err);
		return tap_done();
	}
	test_empty(st, &cfg);
	test_queued(st, &cfg);
	test_sync(st, &cfg);
	test_dead_and_runs(st, &cfg);
	{
		struct status s;
		struct strbuf sb;

		strbuf_init(&sb);
		status_collect(st, &cfg, util_now_ms(), &s);
		status_metrics(&s, &sb);
		ok(has_line(sb.buf, "dadns_backend_oldest_job_seconds{backend=\"we\\\"ird\\\\name\"} 0") ||
		   has_line(sb.buf, "dadns_backend_oldest_job_seconds{backend=\"we\\\"ird\\\\name\"} 1"),
		   "metrics: an odd backend name is escaped in its label");
		strbuf_deinit(&sb);
		status_deinit(&s);
	}
	test_escape();
	test_errors(dir, &cfg);
	store_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dadns.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dadns.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
