/* SPDX-License-Identifier: BSD-3-Clause */
/* peersync.c -- dadns-peersync: a pass over every peer each interval, recorded in runs */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/dadns-peersync/peersync.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/wake.h"

#define SQL_RUN_START "INSERT INTO runs(program, started_at) VALUES('peersync', ?1)"
#define SQL_RUN_END "UPDATE runs SET finished_at = ?2, ok = ?3, summary = ?4 WHERE id = ?1"

static sigset_t stop_signals;

/* A stop signal is waiting (they are blocked and taken by sigtimedwait). */
int peersync_stopping(void)
{
	sigset_t pending;
	int i;

	if (sigpending(&pending) < 0)
		return 0;
	for (i = 1; i < NSIG; i++)
		if (sigismember(&stop_signals, i) && sigismember(&pending, i))
			return 1;
	return 0;
}

static int64_t run_start(struct peersync *ps, int64_t started)
{
	sqlite3_stmt *s = NULL;
	int64_t id = 0;

	if (sqlite3_prepare_v2(store_db(ps->st), SQL_RUN_START, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, started);
		if (sqlite3_step(s) == SQLITE_DONE)
			id = sqlite3_last_insert_rowid(store_db(ps->st));
	}
	sqlite3_finalize(s);
	if (!id)
		log_warn("peersync: cannot record the run: %s", store_errmsg(ps->st));
	return id;
}

static void run_end(struct peersync *ps, int64_t id, const struct ps_pass *pass, int64_t started, int ok)
{
	int64_t now = util_now_ms();
	sqlite3_stmt *s = NULL;
	char *summary;
	json_t *j;

	j = json_pack("{s:i, s:i, s:i, s:i, s:i, s:I}", "peers", pass->peers, "peers_failed",
		      pass->peers_failed, "zones_pulled", pass->zones_pulled, "tombstones_applied",
		      pass->tombstones_applied, "skipped", pass->skipped, "duration_ms",
		      (json_int_t)(now - started));
	summary = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	log_info("peersync: pass done: %s", summary ? summary : "?");
	if (id && sqlite3_prepare_v2(store_db(ps->st), SQL_RUN_END, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, now);
		sqlite3_bind_int(s, 3, ok);
		if (summary)
			sqlite3_bind_text(s, 4, summary, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			log_warn("peersync: cannot record the run: %s", store_errmsg(ps->st));
	}
	sqlite3_finalize(s);
	free(summary);
}

static void wake_worker(struct peersync *ps)
{
	const char *path = ps->cfg->worker.wake_socket;
	int rc;

	if (!ps->changed || !path || !*path)
		return;
	rc = wake_send(path);
	if (rc < 0)
		log_debug("peersync: wake %s: %s", path, dadns_strerror(rc));
	ps->changed = 0;
}

/* One pass over every peer. Returns the number of peers that failed, or
 * a negative DADNS_E* when the pass could not run at all. */
static int pass_run(struct peersync *ps)
{
	int64_t started = util_now_ms(), run_id;
	struct ps_pass pass = { 0 };
	struct ps_peer *peers = NULL;
	size_t n = 0, i;
	char err[600];
	int rc, pulled, tombs;

	rc = peers_sync_config(ps);
	if (rc == 0)
		rc = peers_load(ps, &peers, &n);
	if (rc < 0) {
		log_err("peersync: cannot read the peers: %s", dadns_strerror(rc));
		return rc;
	}
	run_id = run_start(ps, started);
	for (i = 0; i < n && !peersync_stopping(); i++) {
		struct ps_peer *p = &peers[i];

		pass.peers++;
		rc = pull_peer(ps, p, &pass, &pulled, &tombs, err, sizeof(err));
		if (rc < 0) {
			pass.peers_failed++;
			if (p->degraded)
				log_debug("peersync: peer %s (%s) failed: %s", p->name, p->url, err);
			else
				log_warn("peersync: peer %s (%s) failed: %s", p->name, p->url, err);
		} else {
			log_debug("peersync: peer %s: %d zones pulled, %d deletes applied", p->name, pulled,
				  tombs);
		}
		peers_record(ps, p, rc < 0 ? err : NULL, pulled, tombs);
		wake_worker(ps);
	}
	run_end(ps, run_id, &pass, started, pass.peers_failed == 0);
	free(peers);
	return pass.peers_failed;
}

int peersync_run(const struct config *cfg, int once)
{
	struct peersync ps = { .cfg = cfg };
	const struct timespec zero = { 0, 0 };
	char err[512];
	int rc, status = 0, sig;

	if (!cfg->peer_sync.enabled) {
		log_info("peersync: [peer_sync] enabled = 0: nothing to do");
		return 0;
	}
	if (cfg->peer_sync.advertise_url && *cfg->peer_sync.advertise_url &&
	    peer_url_normalize(cfg->peer_sync.advertise_url, ps.self) < 0) {
		log_err("peersync: [peer_sync] advertise_url %s is not a usable URL",
			cfg->peer_sync.advertise_url);
		return 1;
	}
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (peer_http_global_init() < 0) {
		log_err("peersync: cannot initialize libcurl");
		return 1;
	}
	rc = store_open(cfg->app.db_path, cfg->app.durability_full, cfg->app.busy_timeout_ms, &ps.st, err,
			sizeof(err));
	if (rc < 0) {
		log_err("peersync: %s", err);
		peer_http_global_cleanup();
		return 1;
	}
	log_info("peersync: started (%zu configured peers, every %d min%s)", cfg->n_peers,
		 cfg->peer_sync.interval_minutes, once ? ", one pass" : "");
	for (;;) {
		rc = pass_run(&ps);
		if (once) {
			status = rc < 0 ? 1 : rc > 0 ? 3 : 0;
			break;
		}
		{
			struct timespec wait = { (time_t)cfg->peer_sync.interval_minutes * 60, 0 };

			sig = sigtimedwait(&stop_signals, NULL, &wait);
		}
		if (sig > 0 || (sig < 0 && peersync_stopping() && sigtimedwait(&stop_signals, NULL, &zero) > 0))
			break;
	}
	log_info("peersync: stopped");
	store_close(ps.st);
	peer_http_global_cleanup();
	return status;
}
