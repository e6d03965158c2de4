/* SPDX-License-Identifier: BSD-3-Clause */
/* secondary.c -- each [secondary NAME] asked for every zone's SOA serial; counts stored */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/backends/dnsfile.h"
#include "lib/log.h"
#include "lib/secondary.h"
#include "lib/soa_scan.h"
#include "lib/util.h"

#define SCAN_WINDOW 256
#define SCAN_TIMEOUT_MS 1000
#define SCAN_TRIES 3
#define PROBES 3
/* Gone zones asked about at most: the most recently gone first. */
#define GONE_MAX "10000"

enum target_kind { T_DESIRED, T_CATALOG, T_GONE };

struct targets {
	struct soa_query *q;
	int64_t *want;             /* the reference serial; -1 unknown (presence only) */
	int *kind;                 /* enum target_kind */
	char **names;              /* owned */
	size_t n, cap;
};

static const char *const state_names[] = { "in_sync", "behind", "unreachable" };

const char *secondary_state_name(int state)
{
	return state >= 0 && state <= SECONDARY_UNREACHABLE ? state_names[state] : "?";
}

static void targets_add(struct targets *t, const char *zone, int64_t want, int kind)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->q = xrealloc(t->q, t->cap * sizeof(*t->q));
		t->want = xrealloc(t->want, t->cap * sizeof(*t->want));
		t->kind = xrealloc(t->kind, t->cap * sizeof(*t->kind));
		t->names = xrealloc(t->names, t->cap * sizeof(*t->names));
	}
	t->names[t->n] = xstrdup(zone);
	t->q[t->n] = (struct soa_query){ .zone = t->names[t->n] };
	t->want[t->n] = want;
	t->kind[t->n] = kind;
	t->n++;
}

static void targets_free(struct targets *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t->q);
	free(t->want);
	free(t->kind);
	memset(t, 0, sizeof(*t));
}

/* Add the rows of sql (domain[, serial]) as targets of kind. */
static int targets_load(struct store *st, struct targets *t, const char *sql, const char *bind,
			int kind)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		log_err("secondaries: cannot read the desired state: %s", store_errmsg(st));
		return DADNS_EIO;
	}
	sqlite3_bind_text(s, 1, bind ? bind : "", -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		targets_add(t, (const char *)sqlite3_column_text(s, 0),
			    kind == T_DESIRED ? sqlite3_column_int64(s, 1) : -1, kind);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		log_err("secondaries: cannot read the desired state: %s", store_errmsg(st));
		return DADNS_EIO;
	}
	return 0;
}

/* The serial of the catalog zone as the primary serves it (the first
 * enabled backend with a `server`); -1 when it cannot be told. */
static int64_t catalog_reference(const struct config *cfg, const char *catalog)
{
	struct dnsfile_server srv;
	char err[256];
	int64_t serial = -1;
	size_t i;

	for (i = 0; i < cfg->n_backends; i++) {
		const struct config_backend *b = &cfg->backends[i];

		if (!b->enabled || !b->server || !*b->server)
			continue;
		if (dnsfile_server_parse(b->server, &srv) < 0 ||
		    dnsfile_query_soa(&srv, catalog, 2000, &serial, err, sizeof(err)) < 0) {
			log_warn("secondaries: the serial of catalog %s on backend %s is unknown (%s): "
				 "checked for presence only", catalog, b->name, err[0] ? err : "bad server");
			return -1;
		}
		return serial;
	}
	log_warn("secondaries: no enabled backend with a server serves catalog %s: checked for presence only",
		 catalog);
	return -1;
}

static int targets_build(const struct config *cfg, struct store *st, struct targets *t)
{
	const char *cat = cfg->catalog.zone && *cfg->catalog.zone ? cfg->catalog.zone : NULL;
	int rc;

	rc = targets_load(st, t, "SELECT domain, serial FROM zones WHERE domain != ?1 ORDER BY domain",
			  cat, T_DESIRED);
	if (rc < 0)
		return rc;
	if (cat)
		targets_add(t, cat, catalog_reference(cfg, cat), T_CATALOG);
	return targets_load(st, t,
			    "SELECT domain FROM (SELECT domain, deleted_at AS t FROM tombstones"
			    " UNION ALL SELECT domain, applied_at FROM backend_state)"
			    " WHERE domain != ?1 AND domain NOT IN (SELECT domain FROM zones)"
			    " GROUP BY domain ORDER BY max(t) DESC LIMIT " GONE_MAX,
			    cat, T_GONE);
}

/* Does srv answer at all? A few queries, each tried twice: any answer
 * (whatever its rcode) is a yes. */
static int probe(const struct dnsfile_server *srv, const struct targets *t)
{
	struct soa_query q[PROBES];
	struct soa_scan_opts o = { PROBES, SCAN_TIMEOUT_MS, 2, util_mono_ms() + 2500 };
	size_t n = t->n < PROBES ? t->n : PROBES, i;

	if (n == 0) {
		q[0] = (struct soa_query){ .zone = "." };
		n = 1;
	} else {
		for (i = 0; i < n; i++)
			q[i] = (struct soa_query){ .zone = t->q[i].zone };
	}
	if (soa_scan(srv, q, n, &o, NULL) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (q[i].kind != SOA_SCAN_TIMEOUT)
			return 1;
	return 0;
}

static void count(struct secondary_result *r, const struct targets *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct soa_query *q = &t->q[i];

		if (t->kind[i] == T_GONE) {
			r->extra += q->kind == DNSFILE_SOA_SERIAL;
			continue;
		}
		if (q->kind == DNSFILE_SOA_SERIAL)
			(t->want[i] < 0 || q->serial == t->want[i]) ? r->in_sync++ : r->behind++;
		else if (q->kind == SOA_SCAN_TIMEOUT)
			r->unanswered++;
		else
			r->missing++;
	}
}

static void check_one(const struct config_secondary *sec, struct targets *t,
		      struct secondary_result *r)
{
	struct soa_scan_opts o = { SCAN_WINDOW, SCAN_TIMEOUT_MS, SCAN_TRIES, 0 };
	struct soa_scan_stats stats = { 0 };
	struct dnsfile_server srv;
	int64_t t0 = util_mono_ms();

	r->name = sec->name;
	r->server = sec->server;
	r->state = SECONDARY_UNREACHABLE;
	r->checked_at = util_now_ms();
	if (dnsfile_server_parse(sec->server, &srv) < 0) {
		log_err("secondaries: %s: server '%s' is not HOST[:PORT] that resolves", sec->name,
			sec->server);
		return;
	}
	if (!probe(&srv, t)) {
		log_warn("secondaries: %s (%s): unreachable: no answer to %d probes", sec->name,
			 sec->server, PROBES);
		return;
	}
	/* Bounded: 30 s, plus 2 ms per zone (10,000 zones: 50 s at most). */
	o.deadline = t0 + 30000 + 2 * (int64_t)t->n;
	soa_scan(&srv, t->q, t->n, &o, &stats);
	r->queries = (long long)t->n;
	r->duration_ms = util_mono_ms() - t0;
	if (stats.answered == 0 && t->n > 0) {
		log_warn("secondaries: %s (%s): unreachable: no answer to %lld queries", sec->name,
			 sec->server, stats.sent);
		return;
	}
	count(r, t);
	r->state = r->behind || r->missing || r->extra || r->unanswered ? SECONDARY_BEHIND
									 : SECONDARY_IN_SYNC;
	log_info("secondaries: %s (%s): %s: in_sync=%lld behind=%lld missing=%lld extra=%lld "
		 "unanswered=%lld queries=%lld sent=%lld tcp=%lld ignored=%lld duration_ms=%lld",
		 sec->name, sec->server, secondary_state_name(r->state), r->in_sync, r->behind,
		 r->missing, r->extra, r->unanswered, r->queries, stats.sent, stats.tcp, stats.ignored,
		 (long long)r->duration_ms);
}

#define SQL_SAVE                                                                                 \
	"INSERT INTO secondaries(name, server, state, in_sync, behind, missing, extra, unanswered," \
	" checked_at, behind_since) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"                    \
	" CASE WHEN ?3 = 'in_sync' THEN NULL ELSE ?9 END)"                                         \
	" ON CONFLICT(name) DO UPDATE SET server = excluded.server, state = excluded.state,"       \
	" in_sync = excluded.in_sync, behind = excluded.behind, missing = excluded.missing,"       \
	" extra = excluded.extra, unanswered = excluded.unanswered,"                               \
	" checked_at = excluded.checked_at, behind_since = CASE WHEN excluded.state = 'in_sync'"   \
	" THEN NULL ELSE coalesce(secondaries.behind_since, excluded.behind_since) END"           \
	" RETURNING coalesce(behind_since, 0)"

static int save_one(struct store *st, struct secondary_result *r)
{
	sqlite3_stmt *s = NULL;
	int rc = DADNS_EIO;

	if (sqlite3_prepare_v2(store_db(st), SQL_SAVE, -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(s, 1, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->server, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, secondary_state_name(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, r->in_sync);
	sqlite3_bind_int64(s, 5, r->behind);
	sqlite3_bind_int64(s, 6, r->missing);
	sqlite3_bind_int64(s, 7, r->extra);
	sqlite3_bind_int64(s, 8, r->unanswered);
	sqlite3_bind_int64(s, 9, r->checked_at);
	if (sqlite3_step(s) == SQLITE_ROW) {
		r->behind_since = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : DADNS_EIO;
	}
out:
	if (rc < 0)
		log_err("secondaries: cannot store the result of %s: %s", r->name, store_errmsg(st));
	sqlite3_finalize(s);
	return rc;
}

static int save_all(struct store *st, struct secondary_result *res, size_t n)
{
	size_t i;
	int rc = store_begin(st);

	if (rc < 0) {
		log_err("secondaries: cannot store the results: %s", store_errmsg(st));
		return rc;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = save_one(st, &res[i]);
	if (rc == 0)
		rc = store_commit(st);
	else
		store_rollback(st);
	return rc;
}

int secondary_check_all(const struct config *cfg, struct store *st, int save,
			struct secondary_result **out)
{
	struct secondary_result *res;
	struct targets t = { 0 };
	size_t i, j;
	int rc;

	*out = NULL;
	rc = targets_build(cfg, st, &t);
	if (rc < 0) {
		targets_free(&t);
		return rc;
	}
	res = xcalloc(cfg->n_secondary ? cfg->n_secondary : 1, sizeof(*res));
	for (i = 0; i < cfg->n_secondary; i++) {
		for (j = 0; j < t.n; j++)
			t.q[j] = (struct soa_query){ .zone = t.names[j] };
		check_one(&cfg->secondary[i], &t, &res[i]);
		if (res[i].state != SECONDARY_IN_SYNC)
			res[i].behind_since = res[i].checked_at;
	}
	targets_free(&t);
	rc = save ? save_all(st, res, cfg->n_secondary) : 0;
	if (rc < 0) {
		free(res);
		return rc;
	}
	*out = res;
	return 0;
}
