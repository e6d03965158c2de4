/* SPDX-License-Identifier: BSD-3-Clause */
/* reconcile.c -- one pass: poll every DirectAdmin server, queue orphan deletes, fix owners */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cmd/dadns-reconcile/reconcile.h"
#include "lib/log.h"
#include "lib/util.h"

/* --- runs ---------------------------------------------------------------------- */

static int run_start(struct reconcile *r, int64_t *run_id)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(store_db(r->st), "INSERT INTO runs(program, started_at) VALUES('reconcile', ?1)",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, r->started_at);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		log_err("reconcile: cannot record the run: %s", store_errmsg(r->st));
		return DADNS_EIO;
	}
	*run_id = sqlite3_last_insert_rowid(store_db(r->st));
	return 0;
}

static char *figures_json(const struct reconcile *r)
{
	const struct reconcile_figures *f = &r->fig;
	json_t *j = json_pack("{sIsIsIsIsIsIsIsIsIsIsIsIsIsb}", "servers_polled", (json_int_t)f->servers_polled,
			      "unreachable", (json_int_t)f->unreachable, "zones_in_da", (json_int_t)f->zones_in_da,
			      "zones_in_dadns", (json_int_t)f->zones_in_dadns, "orphans_found",
			      (json_int_t)f->orphans_found, "orphans_queued", (json_int_t)f->orphans_queued,
			      "migrated", (json_int_t)f->migrated, "backfilled", (json_int_t)f->backfilled,
			      "healed", (json_int_t)f->healed, "guarded", (json_int_t)f->guarded,
			      "missing", (json_int_t)f->missing, "unchecked", (json_int_t)f->unchecked,
			      "duration_ms", (json_int_t)f->duration_ms, "dry_run", r->dry_run);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s ? s : xstrdup("{}");
}

static void run_finish(struct reconcile *r, int64_t run_id, int ok)
{
	sqlite3_stmt *s = NULL;
	char *summary = figures_json(r);
	int rc;

	rc = sqlite3_prepare_v2(store_db(r->st), "UPDATE runs SET finished_at = ?1, ok = ?2, summary = ?3 WHERE id = ?4",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, util_now_ms());
		sqlite3_bind_int(s, 2, ok);
		sqlite3_bind_text(s, 3, summary, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, run_id);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		log_err("reconcile: cannot record the end of the run: %s", store_errmsg(r->st));
	free(summary);
}

/* --- polling ----------------------------------------------------------------------- */

static void poll_servers(struct reconcile *r)
{
	const struct config *cfg = r->cfg;
	struct da_client_opts o = { cfg->reconcile.ipp, cfg->reconcile.connect_timeout, cfg->reconcile.timeout };
	struct da_list *all = &r->all;
	char err[1024];
	size_t i, j;

	for (i = 0; i < r->n_srv; i++) {
		struct reconcile_server *s = &r->srv[i];
		int64_t t0 = util_mono_ms();
		int rc = da_client_list(s->da, &o, &s->list, err, sizeof(err));

		if (rc < 0) {
			log_err("reconcile: %s: unreachable: %s; its zones are left alone", s->da->name, err);
			da_list_deinit(&s->list);
			r->fig.unreachable++;
			continue;
		}
		s->reachable = 1;
		r->fig.servers_polled++;
		if (s->list.invalid)
			log_warn("reconcile: %s: skipped %zu entries that are not valid domain names", s->da->name,
				 s->list.invalid);
		da_list_sort_unique(&s->list);
		log_info("reconcile: %s: %zu domains listed (%lld ms)", s->da->name, s->list.n,
			 (long long)(util_mono_ms() - t0));
		for (j = 0; j < s->list.n; j++) {
			char *d = s->list.domains[j];
			if (all->n == all->cap) {
				all->cap = all->cap ? all->cap * 2 : 1024;
				all->domains = xrealloc(all->domains, all->cap * sizeof(*all->domains));
			}
			all->domains[all->n++] = xstrdup(d);
		}
	}
	da_list_sort_unique(all);
	r->fig.zones_in_da = (long long)all->n;
}

/* --- the desired state ---------------------------------------------------------------- */

static int load_zones(struct reconcile *r)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc;

	rc = sqlite3_prepare_v2(store_db(r->st),
				"SELECT domain, hostname, updated_at, serial, records FROM zones ORDER BY domain", -1,
				&s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(s, 1);
		struct reconcile_zone *z;

		if (r->n_zones == cap) {
			cap = cap ? cap * 2 : 1024;
			r->zones = xrealloc(r->zones, cap * sizeof(*r->zones));
		}
		z = &r->zones[r->n_zones++];
		memset(z, 0, sizeof(*z));
		z->domain = xstrdup((const char *)sqlite3_column_text(s, 0));
		z->hostname = h && *h ? xstrdup(h) : NULL;
		z->updated_at = sqlite3_column_int64(s, 2);
		z->serial = sqlite3_column_int64(s, 3);
		z->records = sqlite3_column_int(s, 4);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		log_err("reconcile: cannot read the zones: %s", store_errmsg(r->st));
		return DADNS_EIO;
	}
	r->fig.zones_in_dadns = (long long)r->n_zones;
	return 0;
}

/* The server a zone's recorded owner hostname names, or -1. */
static int owner_server(const struct reconcile *r, const char *hostname)
{
	size_t i;

	for (i = 0; hostname && i < r->n_srv; i++)
		if (r->srv[i].da->hostname && !strcasecmp(r->srv[i].da->hostname, hostname))
			return (int)i;
	return -1;
}

/* The first reachable server listing domain, or -1. */
static int listing_server(const struct reconcile *r, const char *domain)
{
	size_t i;

	for (i = 0; i < r->n_srv; i++)
		if (r->srv[i].reachable && da_list_has(&r->srv[i].list, domain))
			return (int)i;
	return -1;
}

/* --- ownership ------------------------------------------------------------------------ */

static int set_owner(struct reconcile *r, sqlite3_stmt *s, struct reconcile_zone *z, const char *to)
{
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, z->domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, z->hostname ? z->hostname : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		log_err("reconcile: cannot set the owner of %s: %s", z->domain, store_errmsg(r->st));
		return DADNS_EIO;
	}
	if (sqlite3_changes(store_db(r->st)) == 0)
		log_info("reconcile: %s changed owner meanwhile: left as it is", z->domain);
	return 0;
}

/* Migrations and backfills, each logged, all in one short transaction. */
static int fix_owners(struct reconcile *r)
{
	sqlite3_stmt *s = NULL;
	const char *dry = r->dry_run ? " (dry run: not changed)" : "";
	size_t i;
	int rc = 0, in_tx = 0;

	for (i = 0; i < r->n_zones && rc == 0; i++) {
		struct reconcile_zone *z = &r->zones[i];
		int owner = owner_server(r, z->hostname), by;
		const char *to;

		if (owner >= 0 && !r->srv[owner].reachable)
			continue;  /* its owner could not be asked */
		if (owner >= 0 && da_list_has(&r->srv[owner].list, z->domain))
			continue;
		by = listing_server(r, z->domain);
		if (by < 0)
			continue;
		to = r->srv[by].da->hostname;
		if (z->hostname) {
			log_info("reconcile: %s: owner %s -> %s ([directadmin %s] lists it)%s", z->domain,
				 z->hostname, to, r->srv[by].da->name, dry);
			r->fig.migrated++;
		} else {
			log_info("reconcile: %s: no owner -> %s ([directadmin %s] lists it)%s", z->domain, to,
				 r->srv[by].da->name, dry);
			r->fig.backfilled++;
		}
		if (r->dry_run)
			continue;
		if (!in_tx) {
			rc = store_begin(r->st);
			if (rc == 0)
				rc = sqlite3_prepare_v2(store_db(r->st),
							"UPDATE zones SET hostname = ?1 "
							"WHERE domain = ?2 AND coalesce(hostname, '') = ?3",
							-1, &s, NULL) == SQLITE_OK ? 0 : DADNS_EIO;
			if (rc < 0)
				break;
			in_tx = 1;
		}
		rc = set_owner(r, s, z, to);
		if (rc == 0) {
			free(z->hostname);
			z->hostname = xstrdup(to);
		}
	}
	sqlite3_finalize(s);
	if (in_tx && rc == 0)
		rc = store_commit(r->st);
	else if (in_tx)
		store_rollback(r->st);
	if (rc < 0)
		log_err("reconcile: owner updates failed (%s): %s", dadns_strerror(rc), store_errmsg(r->st));
	return rc;
}

/* --- orphans --------------------------------------------------------------------------- */

/* Zones owned by a polled server that no polled server lists. */
static void find_orphans(struct reconcile *r)
{
	size_t i;

	for (i = 0; i < r->n_zones; i++) {
		struct reconcile_zone *z = &r->zones[i];
		int owner = owner_server(r, z->hostname);
		struct reconcile_server *s;

		if (owner < 0)
			continue;
		s = &r->srv[owner];
		s->owned++;
		if (!s->reachable || listing_server(r, z->domain) >= 0)
			continue;
		if (!s->orphans)
			s->orphans = xcalloc(r->n_zones, sizeof(*s->orphans));
		s->orphans[s->n_orphans++] = z->domain;
		r->fig.orphans_found++;
	}
}

static struct reconcile_zone *zone_find(struct reconcile *r, const char *domain)
{
	size_t lo = 0, hi = r->n_zones;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->zones[mid].domain, domain);
		if (c == 0)
			return &r->zones[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Domains DA lists that dadns does not have: a push that never arrived.
 * Only DA can send the zone text: say so, with a few names. */
static void count_missing(struct reconcile *r)
{
	size_t i;

	for (i = 0; i < r->all.n; i++) {
		if (zone_find(r, r->all.domains[i]))
			continue;
		if (++r->fig.missing <= 10)
			log_warn("reconcile: %s: listed by DirectAdmin but not in dadns (a push that never "
				 "arrived? save the zone in DirectAdmin again)", r->all.domains[i]);
	}
	if (r->fig.missing > 10)
		log_warn("reconcile: %lld domains listed by DirectAdmin are not in dadns (first 10 named above)",
			 r->fig.missing);
}

/* Delete one orphan unless DA pushed it again since the lists were read. */
static int delete_orphan(struct reconcile *r, struct reconcile_server *s, const char *domain)
{
	struct reconcile_zone *z = zone_find(r, domain);
	struct store_guard g = { .present = 1 };
	struct store_zone now;
	int rc;

	rc = store_zone_get(r->st, domain, 0, &now);
	if (rc == DADNS_ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	g.updated_at = now.updated_at;
	rc = now.updated_at > r->started_at || !now.hostname || strcasecmp(now.hostname, s->da->hostname);
	store_zone_deinit(&now);
	/* The guard makes the check hold inside the delete's transaction. */
	if (!rc)
		rc = store_zone_delete_guarded(r->st, domain, "reconcile", 0, &g);
	if (rc == 1 || rc == DADNS_EEXIST) {
		log_info("reconcile: %s: changed since the lists were read: not deleted", domain);
		return 0;
	}
	if (rc == DADNS_ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	log_info("reconcile: %s: orphan of [directadmin %s] (listed by no server polled): delete queued",
		 domain, s->da->name);
	if (z)
		z->gone = 1;
	r->fig.orphans_queued++;
	return 0;
}

/* Returns 0, 1 when the guard kept a server's orphans, or a negative error. */
static int handle_orphans(struct reconcile *r)
{
	double frac = r->cfg->reconcile.max_delete_fraction;
	int guarded = 0, rc;
	size_t i, j;

	for (i = 0; i < r->n_srv; i++) {
		struct reconcile_server *s = &r->srv[i];

		if (!s->n_orphans)
			continue;
		if (s->list.invalid) {
			/* An entry that is not a domain name here (an IDN in Unicode,
			 * a row of another shape) may well be one of the "orphans":
			 * deleting on a list that could not be read whole is not safe. */
			log_err("reconcile: %s: its list held %zu entries that are not domain names: its %zu "
				"orphans are not deleted (the first named below)", s->da->name, s->list.invalid,
				s->n_orphans);
			for (j = 0; j < s->n_orphans && j < 10; j++)
				log_info("reconcile: %s: orphan %s kept (unreadable list entries)", s->da->name,
					 s->orphans[j]);
			r->fig.guarded++;
			guarded = 1;
			continue;
		}
		if ((double)s->n_orphans > frac * (double)s->owned) {
			log_err("reconcile: %s: %zu of its %lld zones are listed by no server polled: over "
				"max_delete_fraction %.2f, nothing deleted (mass-delete guard; check that server, "
				"then raise [reconcile] max_delete_fraction for one run if it is right)",
				s->da->name, s->n_orphans, s->owned, frac);
			for (j = 0; j < s->n_orphans && j < 10; j++)
				log_info("reconcile: %s: orphan %s kept (guard)", s->da->name, s->orphans[j]);
			r->fig.guarded++;
			guarded = 1;
			continue;
		}
		for (j = 0; j < s->n_orphans; j++) {
			if (r->dry_run) {
				log_info("reconcile: %s: orphan of [directadmin %s] (listed by no server polled): "
					 "dry run, not deleted", s->orphans[j], s->da->name);
				continue;
			}
			rc = delete_orphan(r, s, s->orphans[j]);
			if (rc < 0) {
				log_err("reconcile: %s: delete failed: %s (%s)", s->orphans[j], dadns_strerror(rc),
					store_errmsg(r->st));
				return rc;
			}
		}
	}
	return guarded;
}

/* --- the pass -------------------------------------------------------------------------- */

static void reconcile_free(struct reconcile *r)
{
	size_t i;

	for (i = 0; i < r->n_srv; i++) {
		da_list_deinit(&r->srv[i].list);
		free(r->srv[i].orphans);
	}
	free(r->srv);
	da_list_deinit(&r->all);
	for (i = 0; i < r->n_zones; i++) {
		free(r->zones[i].domain);
		free(r->zones[i].hostname);
	}
	free(r->zones);
}

static void log_summary(const struct reconcile *r)
{
	const struct reconcile_figures *f = &r->fig;

	log_info("reconcile: done%s: servers_polled=%lld unreachable=%lld zones_in_da=%lld zones_in_dadns=%lld "
		 "orphans_found=%lld orphans_queued=%lld migrated=%lld backfilled=%lld healed=%lld "
		 "guarded=%lld missing=%lld unchecked=%lld duration_ms=%lld",
		 r->dry_run ? " (dry run)" : "", f->servers_polled, f->unreachable, f->zones_in_da,
		 f->zones_in_dadns, f->orphans_found, f->orphans_queued, f->migrated, f->backfilled, f->healed,
		 f->guarded, f->missing, f->unchecked, (long long)f->duration_ms);
}

int reconcile_run(const struct config *cfg, int dry_run)
{
	struct reconcile r;
	int64_t run_id = 0, t0 = util_mono_ms();
	char err[1024];
	int rc, status = RECONCILE_EXIT_OK;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.dry_run = dry_run || cfg->reconcile.dry_run;
	rc = store_open(cfg->app.db_path, cfg->app.durability_full, cfg->app.busy_timeout_ms, &r.st, err,
			sizeof(err));
	if (rc < 0) {
		log_err("reconcile: %s", err);
		return RECONCILE_EXIT_FATAL;
	}
	r.started_at = util_now_ms();
	if (run_start(&r, &run_id) < 0) {
		store_close(r.st);
		return RECONCILE_EXIT_FATAL;
	}
	log_info("reconcile: started%s: %zu DirectAdmin servers", r.dry_run ? " (dry run)" : "",
		 cfg->n_directadmins);
	if (!cfg->n_directadmins)
		log_warn("reconcile: no [directadmin NAME] section: no orphans or owners to check, heal only");
	r.n_srv = cfg->n_directadmins;
	r.srv = xcalloc(r.n_srv ? r.n_srv : 1, sizeof(*r.srv));
	for (i = 0; i < r.n_srv; i++)
		r.srv[i].da = &cfg->directadmins[i];
	poll_servers(&r);
	if (r.fig.unreachable)
		status = RECONCILE_EXIT_PARTIAL;
	rc = load_zones(&r);
	if (rc == 0)
		rc = fix_owners(&r);
	if (rc == 0) {
		count_missing(&r);
		find_orphans(&r);
		rc = handle_orphans(&r);
		if (rc > 0)
			status = RECONCILE_EXIT_PARTIAL;
	}
	if (rc >= 0)
		rc = heal_run(&r);
	if (rc >= 0 && r.fig.unchecked)
		status = RECONCILE_EXIT_PARTIAL;
	if (rc >= 0)
		rc = reconcile_secondaries(&r);
	if (rc < 0)
		status = RECONCILE_EXIT_FATAL;
	r.fig.duration_ms = util_mono_ms() - t0;
	run_finish(&r, run_id, status == RECONCILE_EXIT_OK);
	log_summary(&r);
	reconcile_free(&r);
	store_close(r.st);
	return status;
}
