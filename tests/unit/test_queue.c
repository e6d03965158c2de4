/* SPDX-License-Identifier: BSD-3-Clause */
/* test_queue.c -- the job queue: claim, collapse, lease expiry, results, backoff, revive */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/queue.h"
#include "lib/store.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static struct store *st;

/* One integer from a query with printf-style arguments; -1 no row, -2 error. */
static long long qi(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long qi(const char *fmt, ...)
{
	sqlite3_stmt *s;
	long long n = -1;
	char sql[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* One text from a query into a static buffer ("" no row). */
static const char *qs(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *qs(const char *fmt, ...)
{
	static char out[512];
	sqlite3_stmt *s;
	char sql[512];
	va_list ap;

	out[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return "(error)";
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return out;
}

static int64_t push(const char *domain, int64_t serial)
{
	char text[256];
	int64_t job = 0;

	snprintf(text, sizeof(text), "$ORIGIN %s.\n@ 3600 IN SOA ns1 h %" PRId64 " 1 1 1 1\n", domain, serial);
	if (store_zone_put(st, domain, "da1", "fred", text, serial, 1, "da", NULL, NULL, &job) < 0)
		return -1;
	return job;
}

static const struct queue_domain *find(const struct queue_claim *c, const char *domain)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->domains[i].domain, domain))
			return &c->domains[i];
	return NULL;
}

/* Record one outcome for all jobs of d (each finished) in a transaction. */
static int record(const struct queue_domain *d, const char *backend, int present, int64_t serial,
		  int result, const char *error, const struct queue_policy *p, int64_t now,
		  struct queue_outcome *o, int finished)
{
	const struct queue_job *jobs[16];
	unsigned char fin[16];
	int rc;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < d->n_jobs && i < 16; i++) {
		jobs[i] = &d->jobs[i];
		fin[i] = (unsigned char)finished;
	}
	o->backend = backend;
	o->domain = d->domain;
	o->present = present;
	o->serial = serial;
	o->result = result;
	o->error = error;
	o->verified = result == 0;
	o->jobs = jobs;
	o->finished = fin;
	o->n_jobs = d->n_jobs;
	rc = store_begin(st);
	if (rc < 0)
		return rc;
	rc = queue_record(st, o, 1, p, now);
	if (rc == 0)
		rc = store_commit(st);
	else
		store_rollback(st);
	o->jobs = NULL;
	o->finished = NULL;
	return rc;
}

static void test_claim(void)
{
	struct queue_claim c;
	const struct queue_domain *d;
	int64_t j1, j2, j3, now = util_now_ms() + 1000;

	j1 = push("example.com", 1);
	j2 = push("a.test", 1);
	j3 = push("example.com", 2);
	ok(j1 > 0 && j2 > j1 && j3 > j2, "three pushes queued jobs %" PRId64 ", %" PRId64 ", %" PRId64,
	   j1, j2, j3);

	is_int(queue_claim(st, now, 1, 5000, &c), 0, "claim with batch_max 1");
	is_int(c.n, 1, "one domain claimed");
	is_str(c.domains[0].domain, "example.com", "the domain with the oldest job first");
	is_int(c.domains[0].n_jobs, 2, "both jobs of example.com collapse into the claim");
	ok(c.domains[0].jobs[0].id == j1 && c.domains[0].jobs[1].id == j3, "jobs in id order");
	ok(c.domains[0].jobs[0].backend == NULL, "a push targets every backend (NULL)");
	is_int(qi("SELECT count(*) FROM jobs WHERE state = 'running' AND lease_until = %" PRId64, now + 5000),
	       2, "claimed jobs are running with the lease");
	queue_claim_deinit(&c);

	is_int(queue_claim(st, now, 10, 5000, &c), 0, "claim again");
	is_int(c.n, 1, "only the other domain: the leased one is not claimed twice");
	is_str(c.n ? c.domains[0].domain : "", "a.test", "a.test claimed");
	queue_claim_deinit(&c);

	is_int(queue_claim(st, now + 1000, 10, 5000, &c), 0, "claim before the leases expire");
	is_int(c.n, 0, "nothing runnable");
	queue_claim_deinit(&c);

	/* A crashed worker: its leases run out and the jobs are claimed again. */
	is_int(queue_claim(st, now + 6000, 10, 5000, &c), 0, "claim after the leases expired");
	is_int(c.n, 2, "both domains claimed again");
	d = find(&c, "example.com");
	ok(d && d->n_jobs == 2, "example.com again with both jobs");
	is_int(qi("SELECT MIN(lease_until) FROM jobs WHERE state = 'running'"), now + 11000,
	       "with a new lease");
	queue_claim_deinit(&c);
	store_exec(st, "UPDATE jobs SET state = 'done', lease_until = NULL");
}

static void test_collapse_future(void)
{
	struct queue_claim c;
	int64_t now = util_now_ms() + 100000, retry = 0, job;

	is_int(store_job_add(st, "c.test", "write", "b", "retry", 2, now + 60000, &retry), 0,
	       "a retry for c.test due in a minute");
	is_int(queue_claim(st, now, 10, 5000, &c), 0, "claim");
	is_int(c.n, 0, "a retry that is not due is not claimed");
	queue_claim_deinit(&c);
	is_int(queue_next_due(st, &job), 0, "next due");
	is_int(job, now + 60000, "next due is the retry's run_after");

	job = push("c.test", 5);
	is_int(queue_claim(st, now, 10, 5000, &c), 0, "claim after a push of c.test");
	is_int(c.n, 1, "c.test claimed");
	ok(c.n && c.domains[0].n_jobs == 2, "the future retry collapses into the push's apply");
	ok(c.n && c.domains[0].jobs[0].id == retry && c.domains[0].jobs[0].backend &&
	   !strcmp(c.domains[0].jobs[0].backend, "b") && c.domains[0].jobs[0].attempt == 2,
	   "the retry keeps its backend and attempt");
	ok(c.n && c.domains[0].jobs[1].id == job, "and the push");
	queue_claim_deinit(&c);
	store_exec(st, "UPDATE jobs SET state = 'done', lease_until = NULL");
	is_int(queue_next_due(st, &job), DADNS_ENOENT, "no job queued: no next due");
}

static void test_plan(void)
{
	static const int backoff[] = { 30, 120, 300 };
	struct queue_policy p = { backoff, 3 };
	struct queue_retry r;

	queue_retry_plan(&p, 0, DADNS_ETEMPFAIL, 1000, &r);
	ok(!r.dead && r.attempt == 1 && r.run_after == 31000, "first failure: retry 1 after 30 s");
	queue_retry_plan(&p, 1, DADNS_ETEMPFAIL, 1000, &r);
	ok(!r.dead && r.attempt == 2 && r.run_after == 121000, "retry 1 failed: retry 2 after 120 s");
	queue_retry_plan(&p, 2, DADNS_ETEMPFAIL, 1000, &r);
	ok(!r.dead && r.attempt == 3 && r.run_after == 301000, "retry 2 failed: retry 3 after 300 s");
	queue_retry_plan(&p, 3, DADNS_ETEMPFAIL, 1000, &r);
	ok(r.dead && r.attempt == 3, "retry 3 (the last) failed: dead");
	queue_retry_plan(&p, 0, DADNS_EPERMFAIL, 1000, &r);
	ok(r.dead, "a permanent failure is dead at once");
}

static void test_record(void)
{
	static const int backoff[] = { 1, 1 };
	struct queue_policy p = { backoff, 2 };
	struct queue_outcome o;
	struct queue_claim c;
	int64_t now = util_now_ms() + 200000, j1, retry;

	/* One push, two backends: a succeeds, b fails. */
	j1 = push("r.test", 10);
	queue_claim(st, now, 10, 5000, &c);
	ok(c.n == 1 && c.domains[0].jobs[0].id == j1, "r.test claimed");
	is_int(record(&c.domains[0], "a", 1, 10, 0, NULL, &p, now, &o, 0), 0, "record a: ok");
	is_str(qs("SELECT state FROM jobs WHERE id = %" PRId64, j1), "running",
	       "the job waits for its other backend");
	ok(qi("SELECT serial FROM backend_state WHERE backend = 'a' AND domain = 'r.test'") == 10 &&
	   !strcmp(qs("SELECT result FROM backend_state WHERE backend = 'a' AND domain = 'r.test'"), "ok"),
	   "backend_state of a: serial 10, ok");
	is_int(qi("SELECT verified_at FROM backend_state WHERE backend = 'a'"), now, "verified_at set");
	is_int(record(&c.domains[0], "b", 1, 10, DADNS_ETEMPFAIL, "disk on fire", &p, now, &o, 1), 0,
	       "record b: failed");
	retry = o.retry_id;
	ok(retry > j1, "a new retry job %" PRId64, retry);
	is_str(qs("SELECT state FROM jobs WHERE id = %" PRId64, j1), "done",
	       "the push is done for the backends that succeeded");
	ok(strstr(qs("SELECT last_error FROM jobs WHERE id = %" PRId64, j1), "b: disk on fire") != NULL,
	   "with b's failure noted");
	is_str(qs("SELECT backends || ' ' || source || ' ' || state || ' ' || attempt || ' ' || op"
		  " FROM jobs WHERE id = %" PRId64, retry), "b retry queued 1 write",
	       "the retry targets b only, attempt 1, queued");
	is_int(qi("SELECT run_after FROM jobs WHERE id = %" PRId64, retry), now + 1000,
	       "due after the first backoff");
	ok(!strcmp(qs("SELECT result FROM backend_state WHERE backend = 'b' AND domain = 'r.test'"), "fail") &&
	   qi("SELECT attempts FROM backend_state WHERE backend = 'b' AND domain = 'r.test'") == 1 &&
	   qi("SELECT serial IS NULL FROM backend_state WHERE backend = 'b' AND domain = 'r.test'") == 1,
	   "backend_state of b: fail, 1 attempt, nothing applied");
	queue_claim_deinit(&c);

	/* The retry fails again: the same job carries on. */
	queue_claim(st, now + 1000, 10, 5000, &c);
	ok(c.n == 1 && c.domains[0].n_jobs == 1 && c.domains[0].jobs[0].id == retry, "the retry is claimed");
	record(&c.domains[0], "b", 1, 10, DADNS_ETEMPFAIL, "still on fire", &p, now + 1000, &o, 1);
	ok(o.retry_id == retry && o.retry.attempt == 2 && !o.retry.dead, "same job, attempt 2");
	is_str(qs("SELECT state || ' ' || attempt || ' ' || last_error FROM jobs WHERE id = %" PRId64, retry),
	       "queued 2 still on fire", "queued again with the new error");
	is_int(qi("SELECT attempts FROM backend_state WHERE backend = 'b' AND domain = 'r.test'"), 2,
	       "backend_state counts failures in a row");
	queue_claim_deinit(&c);

	/* The last retry fails: dead. */
	queue_claim(st, now + 2000, 10, 5000, &c);
	record(&c.domains[0], "b", 1, 10, DADNS_ETEMPFAIL, "gone", &p, now + 2000, &o, 1);
	ok(o.retry.dead && o.retry_id == retry, "retries spent: dead");
	is_str(qs("SELECT state FROM jobs WHERE id = %" PRId64, retry), "dead", "the job is dead");
	queue_claim_deinit(&c);

	/* A newer push succeeds on b: the dead job is superseded. */
	push("r.test", 11);
	queue_claim(st, now + 3000, 10, 5000, &c);
	ok(c.n == 1 && c.domains[0].n_jobs == 1, "the new push is claimed, not the dead job");
	record(&c.domains[0], "a", 1, 11, 0, NULL, &p, now + 3000, &o, 0);
	record(&c.domains[0], "b", 1, 11, 0, NULL, &p, now + 3000, &o, 1);
	is_str(qs("SELECT state FROM jobs WHERE id = %" PRId64, retry), "done",
	       "the dead job of (r.test, b) no longer counts as dead");
	ok(strstr(qs("SELECT last_error FROM jobs WHERE id = %" PRId64, retry), "gone (superseded") != NULL,
	   "its error kept, marked superseded");
	ok(qi("SELECT serial FROM backend_state WHERE backend = 'b' AND domain = 'r.test'") == 11 &&
	   qi("SELECT attempts FROM backend_state WHERE backend = 'b' AND domain = 'r.test'") == 0,
	   "backend_state of b: serial 11, attempts reset");
	queue_claim_deinit(&c);

	/* A permanent failure is dead at once, as a new job for that backend. */
	j1 = push("p.test", 1);
	queue_claim(st, now + 4000, 10, 5000, &c);
	record(&c.domains[0], "a", 1, 1, DADNS_EPERMFAIL, "refused", &p, now + 4000, &o, 1);
	ok(o.retry.dead && o.retry_id != j1, "permanent failure: dead job %" PRId64, o.retry_id);
	is_str(qs("SELECT state || ' ' || backends FROM jobs WHERE id = %" PRId64, o.retry_id), "dead a",
	       "dead for backend a");
	queue_claim_deinit(&c);

	/* A delete that succeeds removes the backend's state row. */
	{
		const char *d[] = { "r.test" };
		is_int(store_zone_delete(st, d, 1, NULL, "cli", NULL), 0, "delete r.test");
	}
	queue_claim(st, now + 5000, 10, 5000, &c);
	record(&c.domains[0], "a", 0, 0, 0, NULL, &p, now + 5000, &o, 1);
	is_int(qi("SELECT count(*) FROM backend_state WHERE backend = 'a' AND domain = 'r.test'"), 0,
	       "applied delete: no backend_state row for a");
	is_int(qi("SELECT count(*) FROM backend_state WHERE backend = 'b' AND domain = 'r.test'"), 1,
	       "b not told yet: its row stays");
	queue_claim_deinit(&c);
	store_exec(st, "UPDATE jobs SET state = 'done', lease_until = NULL WHERE state = 'running'");
}

static void test_lease_and_revive(void)
{
	struct queue_claim c;
	int64_t now = util_now_ms() + 300000, id, dead, due;
	int count = 0;

	id = push("l.test", 1);
	queue_claim(st, now, 10, 5000, &c);
	is_int(queue_renew(st, &id, 1, now + 60000, now), 0, "renew a lease");
	is_int(qi("SELECT lease_until FROM jobs WHERE id = %" PRId64, id), now + 60000, "lease extended");
	is_int(queue_next_due(st, &due), 0, "next due with a job running");
	is_int(due, now + 60000, "a running job's lease end is when to look again");
	queue_claim_deinit(&c);
	queue_claim(st, now + 10000, 10, 5000, &c);
	is_int(c.n, 0, "a renewed lease is not taken over");
	queue_claim_deinit(&c);
	is_int(queue_release(st, &id, 1, now), 0, "release");
	is_str(qs("SELECT state || ' ' || COALESCE(lease_until, 'none') FROM jobs WHERE id = %" PRId64, id),
	       "queued none", "released: queued without a lease");
	is_int(queue_next_due(st, &due), 0, "released job is due");
	ok(due <= now, "due now");
	store_exec(st, "UPDATE jobs SET state = 'done' WHERE state = 'queued'");

	dead = qi("SELECT id FROM jobs WHERE state = 'dead' ORDER BY id LIMIT 1");
	ok(dead > 0, "a dead job from before: %lld", (long long)dead);
	is_int(queue_revive(st, dead, now), 0, "revive it");
	is_str(qs("SELECT state FROM jobs WHERE id = %" PRId64, dead), "queued", "queued again");
	is_int(qi("SELECT run_after FROM jobs WHERE id = %" PRId64, dead), now, "due now");
	is_int(queue_revive(st, dead, now), DADNS_EINVAL, "reviving a job that is not dead fails");
	is_int(queue_revive(st, 999999, now), DADNS_ENOENT, "reviving a missing job fails");
	store_exec(st, "UPDATE jobs SET state = 'dead' WHERE id IN (1, 2)");
	is_int(queue_revive_dead(st, now, &count), 0, "revive every dead job");
	ok(count >= 2, "%d revived", count);
	is_int(qi("SELECT count(*) FROM jobs WHERE state = 'dead'"), 0, "none dead left");
}

int main(void)
{
	char dir[] = "/tmp/dadns-test-queue-XXXXXX", path[256], err[512];

	log_init("test_queue");
	log_set_level(LOG_LEVEL_ERR);
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/dadns.db", dir);
	if (store_open(path, 0, 2000, &st, err, sizeof(err)) < 0) {
		printf("not ok 1 - open %s: %s\n", path, err);
		return 1;
	}
	test_claim();
	test_collapse_future();
	test_plan();
	test_record();
	test_lease_and_revive();
	store_close(st);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
