/* SPDX-License-Identifier: BSD-3-Clause */
/* test_status.c -- the operator's snapshot: counts, backend sync, overall, JSON, Prometheus text */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/queue.h"
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

/* Every line of the exposition is a comment or "name[{labels}] number". */
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
			strtod(sp + 1, &end);
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
	exec(st, "INSERT INTO backend_state(backend, domain, serial, result, error, attempts, applied_at, verified_at) VALUES('nsd', 'a.test', 2024010101, 'ok', NULL, 0,"
		 " (SELECT updated_at FROM zones WHERE domain = 'a.test'), NULL)");
	exec(st, "INSERT INTO backend_state(backend, domain, serial, result, error, attempts, applied_at, verified_at) VALUES('nsd', 'b.test', NULL, 'fail', 'boom', 1, 1, NULL)");
	exec(st, "INSERT INTO backend_state(backend, domain, serial, result, error, attempts, applied_at, verified_at) VALUES('nsd', 'c.test', 2023010101, 'ok', NULL, 0,"
		 " 9999999999999, NULL)");
	/* A failed delete: not a desired zone, but failing. */
	exec(st, "INSERT INTO backend_state(backend, domain, serial, result, error, attempts, applied_at, verified_at) VALUES('nsd', 'gone.test', 1, 'fail', 'boom', 1, 1, NULL)");
	exec(st, "INSERT INTO backend_state(backend, domain, serial, result, error, attempts, applied_at, verified_at) VALUES('off', 'a.test', NULL, 'fail', 'boom', 1, 1, NULL)");
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

	/* Only a dead job so far; a failed last reconcile run is one more
	 * reason (and an earlier failed run, followed by a good one, none). */
	exec(st, "UPDATE jobs SET state = 'done' WHERE domain = 'c.test' AND state = 'dead'");
	is_int(status_collect(st, cfg, util_now_ms(), &s), 0, "runs: collect");
	is_str(status_overall_name(s.overall), "ok", "an old failed reconcile run followed by a good one: ok");
	status_deinit(&s);
	exec(st, "INSERT INTO runs(program, started_at, finished_at, ok, summary) VALUES"
		 " ('reconcile', 1700000110000, 1700000115000, 0, '{\"unreachable\":1}')");
	is_int(status_collect(st, cfg, util_now_ms(), &s), 0, "runs: collect");
	is_str(status_overall_name(s.overall), "degraded", "the last reconcile run failed: degraded");
	ok(s.n_reasons == 1 && strstr(s.reasons[0], "reconcile run failed"), "reason: %s",
	   s.n_reasons ? s.reasons[0] : "(none)");
	status_deinit(&s);
	exec(st, "DELETE FROM runs WHERE started_at = 1700000110000");
	exec(st, "UPDATE jobs SET state = 'dead' WHERE domain = 'c.test' AND state = 'done'");
}

/* Counters: pushes (the trigger on jobs), applies, retries, latency. */
static void test_counters(struct store *st, const struct config *cfg)
{
	struct status s;
	struct strbuf sb;
	int64_t now = util_now_ms();

	put(st, "count.test", 1);
	is_int(status_count(st, "pushes", "rawsave", "rejected", 2), 0, "count: a rejected push");
	is_int(status_count(st, "applies", "nsd", "tempfail", 1), 0, "count: an apply");
	is_int(status_count(st, "retries", "nsd", NULL, 1), 0, "count: a retry");
	is_int(status_latency_record(st, "nsd", 40), 0, "latency 40 ms");
	is_int(status_latency_record(st, "nsd", 700), 0, "latency 700 ms");
	is_int(status_latency_record(st, "nsd", 99999999), 0, "latency beyond the last bucket");
	is_int(status_collect(st, cfg, now, &s), 0, "counters: collect");
	strbuf_init(&sb);
	status_metrics(&s, &sb);
	ok(has_line(sb.buf, "dadns_pushes_total{action=\"rawsave\",result=\"ok\"} 4"),
	   "metrics: 4 zones stored by DA (the trigger)");
	ok(has_line(sb.buf, "dadns_pushes_total{action=\"rawsave\",result=\"rejected\"} 2"),
	   "metrics: 2 rejected");
	ok(has_line(sb.buf, "dadns_pushes_total{action=\"delete\",result=\"ok\"} 0"),
	   "metrics: series present at 0");
	ok(has_line(sb.buf, "dadns_applies_total{backend=\"nsd\",result=\"tempfail\"} 1"), "metrics: applies");
	ok(has_line(sb.buf, "dadns_retries_total{backend=\"nsd\"} 1"), "metrics: retries");
	ok(has_line(sb.buf, "dadns_apply_latency_seconds_bucket{backend=\"nsd\",le=\"0.1\"} 1"),
	   "metrics: latency bucket 0.1");
	ok(has_line(sb.buf, "dadns_apply_latency_seconds_bucket{backend=\"nsd\",le=\"1\"} 2"),
	   "metrics: latency bucket 1 is cumulative");
	ok(has_line(sb.buf, "dadns_apply_latency_seconds_bucket{backend=\"nsd\",le=\"+Inf\"} 3"),
	   "metrics: latency +Inf");
	ok(has_line(sb.buf, "dadns_apply_latency_seconds_count{backend=\"nsd\"} 3"), "metrics: count");
	ok(has_line(sb.buf, "dadns_apply_latency_seconds_sum{backend=\"nsd\"} 100000.739"), "metrics: sum");
	ok(has_line(sb.buf, "dadns_apply_latency_seconds_count{backend=\"off\"} 0"), "metrics: empty histogram");
	ok(has_line(sb.buf, "# TYPE dadns_apply_latency_seconds histogram"), "metrics: histogram type");
	ok(metrics_well_formed(sb.buf), "counters: well formed");
	strbuf_deinit(&sb);
	status_deinit(&s);
	exec(st, "DELETE FROM jobs WHERE domain = 'count.test'; DELETE FROM zones WHERE domain = 'count.test'");
}

/* Latency bucket (le_ms) of backend's one recorded apply, -2 when none. */
static long long latency_le(struct store *st, const char *backend)
{
	sqlite3_stmt *q = NULL;
	long long le = -2;

	if (sqlite3_prepare_v2(store_db(st), "SELECT le_ms FROM latency WHERE backend = ?1", -1, &q, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(q, 1, backend, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			le = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	return le;
}

/* Claim domain's jobs and record a success of backend at now. */
static int apply_ok(struct store *st, const char *domain, const char *backend, int64_t now)
{
	static const int backoff[] = { 30 };
	const struct queue_policy p = { backoff, 1 };
	const struct queue_job *jobs[8];
	unsigned char fin[8];
	struct queue_outcome o;
	struct queue_claim c;
	int rc;

	if (queue_claim(st, now, 100, 60000, &c) < 0)
		return -1;
	rc = -1;
	for (size_t i = 0; i < c.n; i++) {
		const struct queue_domain *d = &c.domains[i];

		if (strcmp(d->domain, domain) != 0 || d->n_jobs > 8)
			continue;
		memset(&o, 0, sizeof(o));
		for (size_t k = 0; k < d->n_jobs; k++) {
			jobs[k] = &d->jobs[k];
			fin[k] = 1;
		}
		o.backend = backend;
		o.domain = d->domain;
		o.present = 1;
		o.serial = 1;
		o.jobs = jobs;
		o.finished = fin;
		o.n_jobs = d->n_jobs;
		rc = store_begin(st);
		if (rc == 0)
			rc = queue_record(st, &o, 1, &p, now);
		if (rc == 0)
			rc = store_commit(st);
		else
			store_rollback(st);
	}
	queue_claim_deinit(&c);
	return rc;
}

/* The apply latency is measured from the change this node was asked to
 * apply: a DA push from its push; a zone pulled from a peer (updated_at =
 * the remote push, days ago) or healed long after its push from the job
 * that asked for it -- not the zone's age. */
static void test_latency_start(const char *dir)
{
	char path[300], err[256];
	struct store *st = NULL;
	int64_t now = util_now_ms(), old = now - 30LL * 86400 * 1000, job = 0;
	int how = 0;

	snprintf(path, sizeof(path), "%s/latency.db", dir);
	if (store_open(path, 1, 2000, &st, err, sizeof(err)) < 0) {
		ok(0, "latency: open: %s", err);
		return;
	}
	is_int(store_zone_put(st, "push.test", "da1", "fred", zone_text, 1, 3, "da", &how, NULL, &job), 0,
	       "latency: a DA push");
	is_int(apply_ok(st, "push.test", "lat-da", now + 400), 0, "latency: applied 400 ms later");
	is_int(latency_le(st, "lat-da"), 500, "latency: a push applied after 400 ms is in the 0.5 s bucket");

	is_int(store_zone_put_guarded(st, "peer.test", "da1", "fred", zone_text, 1, 3, "peer", old, NULL, &how,
				      NULL, &job), 0, "latency: a zone pulled from a peer, pushed there 30 days ago");
	is_int(apply_ok(st, "peer.test", "lat-peer", util_now_ms() + 50), 0, "latency: applied 50 ms after the pull");
	ok(latency_le(st, "lat-peer") >= 0 && latency_le(st, "lat-peer") <= 1000,
	   "latency: a peer zone measures its wait here, not the zone's age (le_ms %lld)",
	   latency_le(st, "lat-peer"));

	is_int(store_job_add(st, "push.test", "write", "lat-heal", "heal", 0, util_now_ms(), &job), 0,
	       "latency: a heal job for a zone pushed long ago");
	exec(st, "UPDATE zones SET updated_at = updated_at - 86400000 WHERE domain = 'push.test'");
	is_int(apply_ok(st, "push.test", "lat-heal", util_now_ms() + 50), 0, "latency: the heal applied");
	ok(latency_le(st, "lat-heal") >= 0 && latency_le(st, "lat-heal") <= 1000,
	   "latency: a heal measures its own wait (le_ms %lld)", latency_le(st, "lat-heal"));
	store_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/latency.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/latency.db-shm", dir);
	unlink(path);
}

/* Peers, run summaries as JSON, the last successful run, the worker lock. */
static void test_peers_runs_worker(struct store *st, struct config *cfg, const char *dir)
{
	char lock[320], dbp[300], err[256];
	struct status s;
	struct strbuf sb;
	json_t *j, *r;
	int fd;

	exec(st, "DELETE FROM jobs WHERE state = 'dead'");
	exec(st, "INSERT INTO peers(name, url, last_run_at, last_ok_at, last_error, failures, degraded,"
		 " origin) VALUES('b', 'https://b.test/', 1700000000000, 1690000000000, 'timeout', 3, 1,"
		 " 'config'), ('c', 'https://c.test/', 1700000000000, 1700000000000, NULL, 0, 0, 'discovered')");
	exec(st, "INSERT INTO runs(program, started_at, finished_at, ok, summary) VALUES"
		 " ('peersync', 1700000300000, 1700000301000, 1, '{\"peers\":2,\"zones_pulled\":5}'),"
		 " ('peersync', 1700000400000, 1700000401000, 0, '{\"peers\":2,\"peers_failed\":1}')");
	is_int(status_collect(st, cfg, util_now_ms(), &s), 0, "peers: collect");
	is_int(s.n_peers, 2, "two peers");
	is_str(status_overall_name(s.overall), "degraded", "a degraded peer: degraded");
	ok(s.n_reasons && strstr(s.reasons[s.n_reasons - 1], "peer b: degraded"), "reason: %s",
	   s.n_reasons ? s.reasons[s.n_reasons - 1] : "(none)");
	is_int(s.worker, -1, "no db_path: worker unknown");
	j = status_json(&s);
	r = json_array_get(json_object_get(j, "peers"), 0);
	is_str(json_string_value(json_object_get(r, "name")), "b", "JSON: peer name");
	ok(json_is_true(json_object_get(r, "degraded")), "JSON: peer degraded");
	is_str(json_string_value(json_object_get(r, "last_error")), "timeout", "JSON: peer last_error");
	is_str(json_string_value(json_object_get(r, "origin")), "config", "JSON: peer origin");
	r = json_object_get(j, "peersync");
	ok(json_is_object(json_object_get(r, "summary")), "JSON: a JSON summary is an object");
	is_int(jint(json_object_get(r, "summary"), "peers_failed", NULL), 1, "JSON: summary figures");
	is_str(json_string_value(json_object_get(r, "last_ok_at")), "2023-11-14T22:18:21Z",
	       "JSON: last successful run");
	json_decref(j);
	strbuf_init(&sb);
	status_metrics(&s, &sb);
	ok(has_line(sb.buf, "dadns_last_success_timestamp_seconds{program=\"peersync\"} 1700000301"),
	   "metrics: last successful peer sync");
	ok(has_line(sb.buf, "dadns_peer_up{peer=\"b\"} 0") && has_line(sb.buf, "dadns_peer_up{peer=\"c\"} 1"),
	   "metrics: peers up");
	ok(!strstr(sb.buf, "\ndadns_worker_up "), "metrics: no worker sample when unknown");
	strbuf_deinit(&sb);
	status_deinit(&s);
	exec(st, "DELETE FROM peers");

	/* The worker lock: absent, present but free, held. */
	snprintf(dbp, sizeof(dbp), "%s/dadns.db", dir);
	snprintf(lock, sizeof(lock), "%s.worker.lock", dbp);
	cfg->app.db_path = dbp;
	is_int(status_worker_running(cfg, err, sizeof(err)), 0, "no lock file: not running");
	status_collect(st, cfg, util_now_ms(), &s);
	ok(s.worker == 0 && s.n_reasons && strstr(s.reasons[s.n_reasons - 1], "worker is not running"),
	   "not running: degraded with the reason");
	status_deinit(&s);
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	is_int(status_worker_running(cfg, err, sizeof(err)), 0, "a free lock: not running");
	flock(fd, LOCK_EX);
	is_int(status_worker_running(cfg, err, sizeof(err)), 1, "a held lock: running");
	status_collect(st, cfg, util_now_ms(), &s);
	is_int(s.worker, 1, "collect: running");
	strbuf_init(&sb);
	status_metrics(&s, &sb);
	ok(has_line(sb.buf, "dadns_worker_up 1"), "metrics: dadns_worker_up 1");
	strbuf_deinit(&sb);
	status_deinit(&s);
	close(fd);
	is_int(status_worker_running(cfg, err, sizeof(err)), 0, "released: not running");
	unlink(lock);
	cfg->app.db_path = NULL;
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
	test_counters(st, &cfg);
	test_peers_runs_worker(st, &cfg, dir);
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
	test_latency_start(dir);
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
