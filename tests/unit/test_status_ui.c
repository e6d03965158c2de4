/* SPDX-License-Identifier: BSD-3-Clause */
/* test_status_ui.c -- the operator page's JSON: /status/zone's query,
 * /status/recent (push log, push->served), /status/charts (per-minute ring),
 * /status/zone */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/queue.h"
#include "lib/status.h"
#include "lib/status_ui.h"
#include "lib/store.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static const char zone_text[] = "$TTL 60\n@ IN TXT \"<script>window.__x=1</script>\"\n";

static void exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK) {
		printf("# %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
	}
}

static long long q_int(struct store *st, const char *sql)
{
	sqlite3_stmt *q = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static void put(struct store *st, const char *domain, int64_t serial)
{
	char *prev = NULL;

	if (store_zone_put(st, domain, "da1", "fred", zone_text, serial, 2, "da", NULL, &prev, NULL) < 0)
		printf("# cannot put %s\n", domain);
	free(prev);
}

static void test_query(void)
{
	static const struct {
		const char *q;
		const char *want;   /* normalized domain, or NULL: refused */
	} cases[] = {
		{ "domain=example.com", "example.com" },
		{ "domain=Example.COM.", "example.com" },
		{ "x=1&domain=a.test&domain=a.test", "a.test" },
		{ "domain=a.test&domain=b.test", NULL },
		{ "", NULL },
		{ "domain=", NULL },
		{ "domain", NULL },
		{ "domain=%ZZ.test", NULL },
		{ "domain=%00a.test", NULL },
		{ "domain=a%2", NULL },
		{ "domain=not_a_name!", NULL },
		{ "domain=%3Cscript%3E.test", NULL },
		{ "domain=com", NULL },
		{ "domain=a..test", NULL },
		{ "domain=a b.test", NULL },
		{ "domain=%C3%A9.test", NULL },
	};
	char out[DOMAIN_MAX + 1], q[1200];
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = status_ui_zone_query(cases[i].q, out, &why);

		if (cases[i].want)
			ok(rc == 0 && !strcmp(out, cases[i].want), "query '%s' -> %s", cases[i].q, out);
		else
			ok(rc == DADNS_EINVAL && why && *why && !out[0], "query '%s' refused: %s", cases[i].q,
			   rc ? why : "accepted");
	}
	snprintf(q, sizeof(q), "domain=");
	for (i = 0; i < 300; i++)
		strcat(q, "a");
	strcat(q, ".test");
	ok(status_ui_zone_query(q, out, &why) == DADNS_EINVAL && !strcmp(why, "domain is too long"),
	   "a 305-octet domain is too long");
	q[0] = '\0';
	for (i = 0; i < 200; i++)
		strcat(q, "a=1&");
	ok(status_ui_zone_query(q, out, &why) == DADNS_EINVAL, "too many parameters: %s", why);
}

/* Claim domain's jobs and record backend's outcome (0 ok, else failed). */
static int outcome(struct store *st, const char *domain, const char *backend, int present, int result)
{
	static const int backoff[] = { 30 };
	const struct queue_policy p = { backoff, 1 };
	const struct queue_job *jobs[8];
	unsigned char fin[8];
	struct queue_outcome o;
	struct queue_claim c;
	int rc = -1;

	if (queue_claim(st, util_now_ms(), 100, 60000, &c) < 0)
		return -1;
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
		o.present = present;
		o.serial = 1;
		o.result = result;
		o.error = result ? "zone check failed: \"\"><img src=x onerror=window.__x=1>\"" : NULL;
		o.jobs = jobs;
		o.finished = fin;
		o.n_jobs = d->n_jobs;
		rc = store_begin(st);
		if (rc == 0)
			rc = queue_record(st, &o, 1, &p, util_now_ms());
		if (rc == 0)
			rc = store_commit(st);
		else
			store_rollback(st);
	}
	queue_claim_deinit(&c);
	return rc;
}

static json_t *served(json_t *push, const char *backend)
{
	return json_object_get(json_object_get(push, "served"), backend);
}

static const char *sget(json_t *j, const char *k)
{
	const char *v = json_string_value(json_object_get(j, k));

	return v ? v : "(none)";
}

static void test_recent(struct store *st, const struct config *cfg)
{
	const char *dom[] = { "gone.test" };
	char err[256], big[400];
	json_t *r, *p, *row;

	put(st, "one.test", 11);
	put(st, "gone.test", 21);
	ok(store_zone_delete(st, dom, 1, "da1", "da", NULL) == 0, "delete gone.test");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(status_ui_refused(st, "rawsave", big, "da9", "rejected", "text=Bad zone", util_now_ms()) == 0,
	   "a refused push is logged");
	ok(outcome(st, "one.test", "nsd", 1, 0) == 0, "one.test applied on nsd");
	r = status_ui_recent(st, cfg, util_now_ms(), err, sizeof(err));
	ok(r != NULL, "recent: %s", r ? "ok" : err);
	p = json_object_get(r, "pushes");
	is_int((long long)json_array_size(p), 4, "4 pushes logged");
	is_int((long long)json_array_size(json_object_get(r, "backends")), 2, "two enabled backends");
	row = json_array_get(p, 0);
	is_str(sget(row, "result"), "rejected", "newest first: the refused one");
	is_int((long long)strlen(sget(row, "domain")), STATUS_UI_FIELD_MAX, "its domain is cut");
	is_str(sget(row, "hostname"), "da9", "its DA server");
	ok(json_object_size(json_object_get(row, "served")) == 0, "a refused push is served nowhere");
	row = json_array_get(p, 1);
	is_str(sget(row, "action"), "delete", "the delete");
	is_int(json_integer_value(json_object_get(row, "serial")), 21, "with the deleted serial");
	is_str(sget(served(row, "nsd"), "state"), "pending", "not yet deleted on nsd");
	row = json_array_get(p, 3);
	is_str(sget(row, "domain"), "one.test", "the oldest: one.test");
	is_str(sget(row, "action"), "rawsave", "a rawsave");
	is_str(sget(row, "hostname"), "da1", "from da1");
	is_int(json_integer_value(json_object_get(row, "serial")), 11, "serial 11");
	is_str(sget(served(row, "nsd"), "state"), "served", "served on nsd");
	ok(json_integer_value(json_object_get(served(row, "nsd"), "ms")) >= 0, "with its push->served ms");
	is_str(sget(served(row, "we\"ird"), "state"), "pending", "pending on the other backend");
	ok(served(row, "off") == NULL, "a disabled backend is not listed");
	is_str(sget(json_object_get(row, "job"), "state"), "done", "its job is done");
	json_decref(r);

	/* A failure: the push is failing there, and a dead job with its error. */
	put(st, "bad.test", 31);
	ok(outcome(st, "bad.test", "we\"ird", 1, DADNS_EPERMFAIL) == 0, "bad.test fails");
	r = status_ui_recent(st, cfg, util_now_ms(), err, sizeof(err));
	row = json_array_get(json_object_get(r, "pushes"), 0);
	is_str(sget(served(row, "we\"ird"), "state"), "failing", "failing where it failed");
	row = json_array_get(json_object_get(r, "dead_jobs"), 0);
	is_str(sget(row, "domain"), "bad.test", "the dead job");
	ok(strstr(sget(row, "error"), "<img src=x") != NULL, "with its error as sent");
	is_int(json_integer_value(json_object_get(row, "attempt")), 0, "and its attempt");
	json_decref(r);

	/* A later push is served by a later apply, not by the earlier one. */
	put(st, "one.test", 12);
	r = status_ui_recent(st, cfg, util_now_ms(), err, sizeof(err));
	row = json_array_get(json_object_get(r, "pushes"), 0);
	is_str(sget(served(row, "nsd"), "state"), "pending", "the new push of one.test is pending on nsd");
	json_decref(r);
	exec(st, "INSERT INTO runs(program, started_at, finished_at, ok, summary)"
		 " VALUES('reconcile', 1000, 2000, 1, '{\"zones\": 3}')");
	r = status_ui_recent(st, cfg, util_now_ms(), err, sizeof(err));
	row = json_array_get(json_object_get(r, "runs"), 0);
	is_str(sget(row, "program"), "reconcile", "runs: reconcile");
	is_int(json_integer_value(json_object_get(json_object_get(row, "summary"), "zones")), 3,
	       "with its summary as JSON");
	json_decref(r);
}

static void test_charts(struct store *st, const struct config *cfg)
{
	int64_t now = util_now_ms(), m = now / 60000;
	char sql[512], err[256];
	json_t *c, *ok_, *ref, *lat;
	long long sum = 0, rsum = 0;
	size_t i;

	c = status_ui_charts(st, cfg, now, err, sizeof(err));
	ok(c != NULL, "charts: %s", c ? "ok" : err);
	ok_ = json_object_get(json_object_get(c, "per_minute"), "ok");
	ref = json_object_get(json_object_get(c, "per_minute"), "refused");
	is_int((long long)json_array_size(ok_), 1440, "1440 minutes");
	for (i = 0; i < json_array_size(ok_); i++) {
		sum += json_integer_value(json_array_get(ok_, i));
		rsum += json_integer_value(json_array_get(ref, i));
	}
	is_int(sum, q_int(st, "SELECT count(*) FROM jobs WHERE source = 'da'"), "every DA push counted");
	is_int(rsum, 1, "the refused one too");
	lat = json_object_get(c, "latency");
	is_int((long long)json_array_size(lat), 3, "a histogram per configured backend");
	is_int((long long)json_array_size(json_object_get(json_array_get(lat, 0), "buckets")),
	       (long long)status_latency_n, "with every bucket");
	is_int(json_integer_value(json_object_get(json_object_get(json_array_get(lat, 0), "recent"), "n")), 1,
	       "nsd: one push->served time");
	json_decref(c);

	/* The ring: a push 24 h ago shares its slot with this minute; a newer
	 * minute resets the slot, an older one leaves it. */
	exec(st, "DELETE FROM push_minutes");
	snprintf(sql, sizeof(sql),
		 "INSERT INTO jobs(domain, op, source, state, run_after, created_at, updated_at)"
		 " VALUES('r.test', 'write', 'da', 'done', 0, %lld, 0), ('r.test', 'write', 'da', 'done', 0, %lld, 0),"
		 " ('r.test', 'write', 'da', 'done', 0, %lld, 0), ('r.test', 'write', 'da', 'done', 0, %lld, 0)",
		 (long long)((m - 1440) * 60000), (long long)(m * 60000 + 1), (long long)(m * 60000 + 2),
		 (long long)((m - 1440) * 60000 + 5));
	exec(st, sql);
	snprintf(sql, sizeof(sql), "SELECT ok FROM push_minutes WHERE minute = %lld", (long long)m);
	is_int(q_int(st, sql), 2, "the slot holds this minute's two pushes only");
	is_int(q_int(st, "SELECT count(*) FROM push_minutes"), 1, "one slot used");
	c = status_ui_charts(st, cfg, now, err, sizeof(err));
	ok_ = json_object_get(json_object_get(c, "per_minute"), "ok");
	is_int(json_integer_value(json_array_get(ok_, 1439)), 2, "the current minute is last");
	is_int(json_integer_value(json_array_get(ok_, 0)), 0, "24 h ago is not shown twice");
	json_decref(c);
}

static void test_zone(struct store *st, const struct config *cfg)
{
	char err[256];
	json_t *z = NULL, *b;
	int rc;

	rc = status_ui_zone(st, cfg, "one.test", util_now_ms(), &z, err, sizeof(err));
	ok(rc == 0, "zone one.test: %s", rc ? err : "ok");
	is_str(sget(z, "zone_text"), zone_text, "its text as stored");
	is_str(sget(z, "hostname"), "da1", "its owner");
	is_int(json_integer_value(json_object_get(z, "serial")), 12, "its serial");
	b = json_object_get(z, "backends");
	is_int((long long)json_array_size(b), 3, "every configured backend");
	is_str(sget(json_array_get(b, 0), "state"), "behind", "nsd is behind (pushed since)");
	is_str(sget(json_array_get(b, 2), "state"), "behind", "never applied there");
	ok(json_is_false(json_object_get(json_array_get(b, 0), "signed")), "nsd: not signed");
	is_int((long long)json_array_size(json_object_get(z, "pushes")), 2, "its two pushes");
	is_int((long long)json_array_size(json_object_get(z, "jobs")), 1, "its queued job");
	json_decref(z);
	exec(st, "UPDATE backend_state SET signed = 1 WHERE backend = 'nsd' AND domain = 'one.test'");
	rc = status_ui_zone(st, cfg, "one.test", util_now_ms(), &z, err, sizeof(err));
	ok(rc == 0 && json_is_true(json_object_get(json_array_get(json_object_get(z, "backends"), 0), "signed")),
	   "a zone the backend serves signed says so (knot, dnssec = sign)");
	json_decref(z);
	rc = status_ui_zone(st, cfg, "bad.test", util_now_ms(), &z, err, sizeof(err));
	is_str(sget(json_array_get(json_object_get(z, "backends"), 2), "state"), "failing", "bad.test failing");
	ok(strstr(sget(json_array_get(json_object_get(z, "backends"), 2), "error"), "onerror") != NULL,
	   "with the error");
	json_decref(z);
	rc = status_ui_zone(st, cfg, "gone.test", util_now_ms(), &z, err, sizeof(err));
	ok(rc == DADNS_ENOENT, "gone.test is not there");
	is_int(json_integer_value(json_object_get(json_object_get(z, "tombstone"), "serial")), 21,
	       "its tombstone");
	json_decref(z);
	rc = status_ui_zone(st, cfg, "never.test", util_now_ms(), &z, err, sizeof(err));
	ok(rc == DADNS_ENOENT && json_is_null(json_object_get(z, "tombstone")), "never.test: no tombstone");
	json_decref(z);
}

static void test_trim_and_utf8(struct store *st, const struct config *cfg)
{
	char err[256];
	json_t *r, *s;

	for (int i = 0; i < 230; i++)
		status_ui_refused(st, "delete", "x.test", "", "rejected", "", util_now_ms());
	is_int(q_int(st, "SELECT count(*) FROM push_log"), 200, "the push log keeps 200");
	ok(status_ui_refused(st, "rawsave", "\xff\xfe.test", "da\x80", "rejected", "bad \xc3", 1) == 0,
	   "not UTF-8");
	r = status_ui_recent(st, cfg, util_now_ms(), err, sizeof(err));
	is_str(sget(json_array_get(json_object_get(r, "pushes"), 0), "domain"), "??.test",
	       "invalid UTF-8 shown as '?'");
	json_decref(r);
	s = status_ui_str("fine \xc3\xa9");
	is_str(json_string_value(s), "fine \xc3\xa9", "valid UTF-8 kept");
	json_decref(s);
}

int main(void)
{
	char dir[] = "/tmp/dadns-test-status-ui-XXXXXX", path[256], err[512];
	char n_nsd[] = "nsd", n_off[] = "off", n_odd[] = "we\"ird", t_null[] = "null";
	struct config_backend backends[3];
	struct config cfg;
	struct store *st = NULL;

	log_init("test_status_ui");
	log_set_level(LOG_LEVEL_ERR);
	test_query();
	if (!mkdtemp(dir))
		return 1;
	memset(&cfg, 0, sizeof(cfg));
	memset(backends, 0, sizeof(backends));
	backends[0].name = n_nsd;
	backends[0].type = t_null;
	backends[0].enabled = 1;
	backends[1].name = n_off;
	backends[1].type = t_null;
	backends[2].name = n_odd;
	backends[2].type = t_null;
	backends[2].enabled = 1;
	cfg.backends = backends;
	cfg.n_backends = 3;
	snprintf(path, sizeof(path), "%s/dadns.db", dir);
	cfg.app.db_path = path;
	if (store_open(path, 1, 2000, &st, err, sizeof(err)) < 0) {
		ok(0, "open: %s", err);
		return tap_done();
	}
	test_recent(st, &cfg);
	test_charts(st, &cfg);
	test_zone(st, &cfg);
	test_trim_and_utf8(st, &cfg);
	store_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dadns.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dadns.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
