/* SPDX-License-Identifier: BSD-3-Clause */
/* worker.c -- dadns-worker: claim jobs, hand them to one thread per backend
 *
 * The main thread is the only one that writes the queue: it claims batches
 * of domains, pushes each claimed domain to the lane (thread) of every
 * backend its jobs target, records the lanes' reports (one short
 * transaction per report) and keeps the leases of the jobs in flight alive.
 * A lane works through its own queue at its own pace, so a slow or failing
 * backend never holds up the others; a job is finished only when every
 * backend it targets has reported on it. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/dadns-worker/idset.h"
#include "cmd/dadns-worker/lane.h"
#include "cmd/dadns-worker/lane_catalog.h"
#include "cmd/dadns-worker/worker.h"
#include "lib/log.h"
#include "lib/queue.h"
#include "lib/store.h"
#include "lib/util.h"
#include "lib/wake.h"

#define WORKER_LIVE_MIN 20000    /* domains in flight before claiming pauses */

struct worker {
	const struct config *cfg;
	int once;
	struct store *st;
	struct lane lanes[LANE_MAX];
	size_t n_lanes;
	uint64_t all_mask;
	struct lane_results results;
	struct queue_policy policy;
	struct claim live;           /* sentinel of the list of live claims */
	size_t n_live, live_cap;
	struct idset inflight;       /* ids of claimed jobs not yet finished */
	struct lane_report *backlog; /* reports not recorded yet (database busy) */
	int wake_fd;
	int lock_fd;                 /* flock on <db_path>.worker.lock */
	int64_t lease_ms;
	int64_t next_renew;          /* monotonic ms */
	int64_t next_prune;          /* monotonic ms */
	sigset_t waitmask;           /* signal mask while waiting in ppoll */
};

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

static void claim_free(struct claim *c)
{
	if (!c)
		return;
	queue_jobs_free(c->jobs, c->n_jobs);
	free(c->remaining);
	free(c);
}

static void claim_unlink(struct worker *w, struct claim *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
	w->n_live--;
}

static uint64_t lane_mask(const struct worker *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->n_lanes; i++)
		if (!strcmp(w->lanes[i].cfg->name, name))
			return 1ULL << i;
	return 0;
}

/* Move the jobs of d that are new to us into a claim; jobs for a backend this
 * worker does not run go to *skip. Returns the claim, or NULL if empty. */
static struct claim *claim_new(struct worker *w, struct queue_domain *d, int64_t *skip,
			       size_t *n_skip)
{
	struct claim *c = xcalloc(1, sizeof(*c));
	uint64_t all = 0;
	size_t i;

	memcpy(c->domain, d->domain, sizeof(c->domain));
	c->jobs = xcalloc(d->n_jobs ? d->n_jobs : 1, sizeof(*c->jobs));
	c->remaining = xcalloc(d->n_jobs ? d->n_jobs : 1, sizeof(*c->remaining));
	for (i = 0; i < d->n_jobs; i++) {
		struct queue_job *j = &d->jobs[i];
		uint64_t mask = j->backend ? lane_mask(w, j->backend) : w->all_mask;

		/* Our own job whose lease ran out while in flight: already handled. */
		if (idset_has(&w->inflight, j->id)) {
			free(j->backend);
			continue;
		}
		if (!mask) {
			log_warn("worker: job %" PRId64 ": %s: backend %s is not enabled here; marked done",
				 j->id, d->domain, j->backend);
			skip[(*n_skip)++] = j->id;
			free(j->backend);
			continue;
		}
		c->jobs[c->n_jobs] = *j;
		c->remaining[c->n_jobs++] = mask;
		idset_add(&w->inflight, j->id);
		all |= mask;
	}
	free(d->jobs);
	d->jobs = NULL;
	d->n_jobs = 0;
	if (!all) {
		claim_free(c);
		return NULL;
	}
	c->refs = __builtin_popcountll(all);
	c->next = &w->live;
	c->prev = w->live.prev;
	w->live.prev->next = c;
	w->live.prev = c;
	w->n_live++;
	return c;
}

/* Jobs naming a backend this worker does not run: nothing to do for them. */
static void finish_skipped(struct worker *w, const int64_t *skip, size_t n)
{
	int64_t now = util_now_ms();
	size_t i;
	int rc;

	if (n == 0 || store_begin(w->st) < 0)
		return;
	for (i = 0, rc = 0; i < n && rc == 0; i++)
		rc = queue_job_finish(w->st, skip[i], "its backend is not enabled", now);
	if (rc == 0)
		rc = store_commit(w->st);
	if (rc < 0)
		store_rollback(w->st);
}

static void dispatch(struct worker *w, struct queue_claim *qc)
{
	struct claim **per_lane = xcalloc(w->n_lanes * qc->n, sizeof(*per_lane));
	size_t n_per[LANE_MAX] = { 0 }, n_skip = 0, total = 0, i, b;
	int64_t *skip;

	for (i = 0; i < qc->n; i++)
		total += qc->domains[i].n_jobs;
	skip = xcalloc(total ? total : 1, sizeof(*skip));
	for (i = 0; i < qc->n; i++) {
		struct claim *c = claim_new(w, &qc->domains[i], skip, &n_skip);
		uint64_t all = 0;
		if (!c)
			continue;
		for (size_t j = 0; j < c->n_jobs; j++)
			all |= c->remaining[j];
		for (b = 0; b < w->n_lanes; b++)
			if (all & (1ULL << b))
				per_lane[b * qc->n + n_per[b]++] = c;
	}
	for (b = 0; b < w->n_lanes; b++)
		lane_push(&w->lanes[b], &per_lane[b * qc->n], n_per[b]);
	finish_skipped(w, skip, n_skip);
	free(skip);
	free(per_lane);
}

/* Claim while there is runnable work and room. *claimed gets the number of
 * domains claimed. Returns 0 or the error of the claim. */
static int claim_more(struct worker *w, size_t *claimed)
{
	struct queue_claim qc;
	int rc = 0;

	*claimed = 0;
	while (!got_stop && w->n_live < w->live_cap) {
		rc = queue_claim(w->st, util_now_ms(), w->cfg->worker.batch_max, w->lease_ms, &qc);
		if (rc < 0) {
			log_warn("worker: claim failed (%s); trying again", dadns_strerror(rc));
			break;
		}
		*claimed += qc.n;
		if (qc.n > 0)
			dispatch(w, &qc);
		rc = qc.n < (size_t)w->cfg->worker.batch_max;
		queue_claim_deinit(&qc);
		if (rc) {
			rc = 0;
			break;
		}
	}
	return rc;
}

static void log_failure(const struct worker *w, const struct queue_outcome *o, int64_t now)
{
	int64_t first = o->n_jobs ? o->jobs[0]->id : o->retry_id;
	char as[48] = "";

	if (o->retry_id != first)
		snprintf(as, sizeof(as), " as job %" PRId64, o->retry_id);
	if (o->retry.dead)
		log_err("worker: job %" PRId64 ": apply %s to %s failed (%s); dead%s%s", first, o->domain,
			o->backend, o->error, o->result == DADNS_EPERMFAIL ? " (permanent failure)" : "", as);
	else
		log_warn("worker: job %" PRId64 ": apply %s to %s failed (%s); retry %d of %d in %" PRId64
			 " s%s", first, o->domain, o->backend, o->error, o->retry.attempt,
			 w->policy.n_backoff, (o->retry.run_after - now + 500) / 1000, as);
}

/* The jobs of entry e that waited for lane bit: into o (arrays allocated). */
static void outcome_fill(struct queue_outcome *o, const struct lane_report *rep,
			 const struct lane_entry *e, uint64_t bit)
{
	const struct queue_job **jobs;
	unsigned char *fin;
	size_t n = 0, i, j;

	for (i = 0; i < e->n_claims; i++)
		n += e->claims[i]->n_jobs;
	jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	fin = xcalloc(n ? n : 1, 1);
	n = 0;
	for (i = 0; i < e->n_claims; i++) {
		const struct claim *c = e->claims[i];
		for (j = 0; j < c->n_jobs; j++) {
			if (!(c->remaining[j] & bit))
				continue;
			jobs[n] = &c->jobs[j];
			fin[n++] = (c->remaining[j] & ~bit) == 0;
		}
	}
	o->backend = rep->lane->cfg->name;
	o->domain = e->claims[0]->domain;
	o->present = e->present;
	o->serial = e->serial;
	o->result = e->result;
	o->error = e->result ? e->error : NULL;
	o->verified = e->verified;
	o->dnssec_signed = e->dnssec_signed;
	o->jobs = (const struct queue_job *const *)jobs;
	o->finished = fin;
	o->n_jobs = n;
}

/* After the commit: the lane has reported on these claims. */
static void settle(struct worker *w, const struct lane_entry *e, uint64_t bit)
{
	size_t i, j;

	for (i = 0; i < e->n_claims; i++) {
		struct claim *c = e->claims[i];
		for (j = 0; j < c->n_jobs; j++) {
			if (!(c->remaining[j] & bit))
				continue;
			c->remaining[j] &= ~bit;
			if (!c->remaining[j])
				idset_del(&w->inflight, c->jobs[j].id);
		}
		if (--c->refs == 0) {
			claim_unlink(w, c);
			claim_free(c);
		}
	}
}

/* Record one report in one transaction. Returns 0 or the store error (the
 * report is then kept and tried again). */
static int record_report(struct worker *w, struct lane_report *rep)
{
	uint64_t bit = 1ULL << rep->lane->idx;
	struct queue_outcome *o = xcalloc(rep->n ? rep->n : 1, sizeof(*o));
	int64_t now = util_now_ms();
	size_t i;
	int rc;

	for (i = 0; i < rep->n; i++)
		outcome_fill(&o[i], rep, &rep->entries[i], bit);
	rc = store_begin(w->st);
	if (rc == 0) {
		rc = queue_record(w->st, o, rep->n, &w->policy, now);
		if (rc == 0)
			rc = store_commit(w->st);
		else
			store_rollback(w->st);
	}
	if (rc == 0) {
		for (i = 0; i < rep->n; i++) {
			if (o[i].result)
				log_failure(w, &o[i], now);
			settle(w, &rep->entries[i], bit);
		}
	}
	for (i = 0; i < rep->n; i++) {
		free((void *)o[i].jobs);
		free((void *)o[i].finished);
	}
	free(o);
	return rc;
}

/* Record every report posted so far, oldest first; stop at a failure. */
static int record_all(struct worker *w)
{
	struct lane_report **tail = &w->backlog, *rep;
	int rc = 0;

	while (*tail)
		tail = &(*tail)->next;
	*tail = lane_results_take(&w->results);
	while ((rep = w->backlog)) {
		rc = record_report(w, rep);
		if (rc < 0) {
			log_warn("worker: cannot record results of %s (%s); trying again",
				 rep->lane->cfg->name, dadns_strerror(rc));
			break;
		}
		w->backlog = rep->next;
		rep->next = NULL;
		lane_report_free(rep);
	}
	return rc;
}

static int64_t renew_interval(const struct worker *w)
{
	int64_t iv = w->lease_ms / 3;

	return iv < 50 ? 50 : iv;
}

/* Keep the leases of the jobs in flight (a slow backend may hold them long). */
static void renew(struct worker *w)
{
	int64_t mono = util_mono_ms(), now;
	int64_t *ids;
	size_t n;
	int rc;

	if (mono < w->next_renew)
		return;
	w->next_renew = mono + renew_interval(w);
	ids = idset_list(&w->inflight, &n);
	if (n > 0) {
		now = util_now_ms();
		rc = queue_renew(w->st, ids, n, now + w->lease_ms, now);
		if (rc < 0) {
			log_warn("worker: cannot renew the leases of %zu jobs (%s)", n, dadns_strerror(rc));
			w->next_renew = mono + (renew_interval(w) < 200 ? renew_interval(w) : 200);
		}
	}
	free(ids);
}

/* Sleep until a wake-up, a lane report, a retry falling due, a lease
 * renewal or the poll interval, whichever comes first. */
static void wait_events(struct worker *w, int busy)
{
	struct pollfd pfd[2];
	int64_t timeout = w->cfg->worker.poll_interval_ms, due, t;
	struct timespec ts;
	nfds_t n = 0;

	if (!busy && w->n_live < w->live_cap && queue_next_due(w->st, &due) == 0) {
		t = due - util_now_ms();
		if (t < timeout)
			timeout = t < 0 ? 0 : t;
	}
	if (w->inflight.n > 0) {
		t = w->next_renew - util_mono_ms();
		if (t < timeout)
			timeout = t < 0 ? 0 : t;
	}
	pfd[n++] = (struct pollfd){ .fd = w->results.efd, .events = POLLIN };
	if (w->wake_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = w->wake_fd, .events = POLLIN };
	ts.tv_sec = (time_t)(timeout / 1000);
	ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
	if (ppoll(pfd, n, &ts, &w->waitmask) < 0 && errno != EINTR)
		log_errno("worker: ppoll");
	if (w->wake_fd >= 0)
		wake_drain(w->wake_fd);
}

/* Done jobs are history: keep them keep_done_days, then drop them so the
 * queue does not grow without end. Checked at most once an hour. */
static void prune(struct worker *w)
{
	int64_t now = util_mono_ms(), cutoff;
	sqlite3_stmt *s = NULL;

	if (w->cfg->worker.keep_done_days <= 0 || now < w->next_prune)
		return;
	w->next_prune = now + 3600 * 1000;
	cutoff = util_now_ms() - (int64_t)w->cfg->worker.keep_done_days * 86400 * 1000;
	if (sqlite3_prepare_v2(store_db(w->st), "DELETE FROM jobs WHERE state = 'done' AND updated_at < ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(s, 1, cutoff);
	if (sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(store_db(w->st)) > 0)
		log_info("worker: pruned %d done jobs older than %d days", sqlite3_changes(store_db(w->st)),
			 w->cfg->worker.keep_done_days);
	sqlite3_finalize(s);
}

static void worker_loop(struct worker *w)
{
	size_t claimed;
	int busy;

	while (!got_stop) {
		if (got_hup) {
			got_hup = 0;
			if (log_reopen() < 0)
				log_errno("worker: cannot reopen the log file");
			log_info("worker: log reopened");
		}
		busy = record_all(w) < 0;
		renew(w);
		prune(w);
		busy |= claim_more(w, &claimed) < 0;
		if (w->once && !busy && claimed == 0 && w->n_live == 0 && !w->backlog)
			break;
		wait_events(w, busy);
	}
}

/* Stop: let every lane finish the batch in hand, record what came back and
 * give the jobs not finished back to the queue. Returns 0 or -1. */
static int worker_stop(struct worker *w)
{
	int64_t *ids;
	size_t i, n;
	int rc = 0, tries;

	for (i = 0; i < w->n_lanes; i++)
		lane_stop_request(&w->lanes[i]);
	for (i = 0; i < w->n_lanes; i++)
		lane_join(&w->lanes[i]);
	for (tries = 0; tries < 3 && record_all(w) < 0; tries++)
		;
	ids = idset_list(&w->inflight, &n);
	if (n > 0) {
		rc = queue_release(w->st, ids, n, util_now_ms());
		if (rc < 0)
			log_err("worker: cannot release %zu unfinished jobs (%s); their leases will expire",
				n, dadns_strerror(rc));
		else
			log_info("worker: released %zu unfinished jobs", n);
	}
	free(ids);
	return rc < 0 ? -1 : 0;
}

static void worker_free(struct worker *w)
{
	size_t i;

	while (w->live.next != &w->live) {
		struct claim *c = w->live.next;
		claim_unlink(w, c);
		claim_free(c);
	}
	lane_report_free(w->backlog);
	w->backlog = NULL;
	for (i = 0; i < w->n_lanes; i++) {
		struct lane *l = &w->lanes[i];
		if (l->ops && l->ops->close)
			l->ops->close(l->state);
		lane_catalog_close(l);
		store_close(l->st);
	}
	if (w->results.tail)
		lane_results_deinit(&w->results);
	idset_deinit(&w->inflight);
	if (w->wake_fd >= 0) {
		close(w->wake_fd);
		unlink(w->cfg->worker.wake_socket);
	}
	store_close(w->st);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
}

/* Open every enabled backend and its lane's store. Returns 0 or -1 (logged). */
static int open_lanes(struct worker *w)
{
	const struct config *cfg = w->cfg;
	char err[1024];
	size_t i;

	for (i = 0; i < cfg->n_backends; i++) {
		const struct config_backend *b = &cfg->backends[i];
		struct lane *l;

		if (!b->enabled)
			continue;
		if (w->n_lanes == LANE_MAX) {
			log_err("worker: more than %d backends are enabled", LANE_MAX);
			return -1;
		}
		l = &w->lanes[w->n_lanes];
		memset(l, 0, sizeof(*l));
		l->idx = w->n_lanes;
		l->cfg = b;
		l->ops = backend_find(b->type);
		if (!l->ops) {
			log_err("worker: backend %s: unknown type %s", b->name, b->type);
			return -1;
		}
		err[0] = '\0';
		if (l->ops->open(b, &l->state, err, sizeof(err)) < 0) {
			l->ops = NULL;
			/* a backend's reason names it already ("backend NAME: ...") */
			if (!strncmp(err, "backend ", 8))
				log_err("worker: %s", err);
			else
				log_err("worker: backend %s: %s", b->name, err[0] ? err : "cannot open");
			return -1;
		}
		w->n_lanes++;
		/* durability normal: see worker_start */
		if (store_open(cfg->app.db_path, 0, cfg->app.busy_timeout_ms, &l->st, err,
			       sizeof(err)) < 0) {
			log_err("worker: %s", err);
			return -1;
		}
		if (lane_catalog_open(l, cfg) < 0)
			return -1;
		l->batch_max = cfg->worker.batch_max;
		l->results = &w->results;
		w->all_mask |= 1ULL << l->idx;
	}
	if (w->n_lanes == 0) {
		log_err("worker: no backend is enabled in %s", cfg->path);
		return -1;
	}
	return 0;
}

/* One worker per database: it holds an exclusive flock for its lifetime, so
 * at start every job still 'running' belongs to a worker that is gone and is
 * given back at once instead of waiting for its lease to run out. A second
 * daemon is refused; a --once run next to a daemon relies on the leases. */
/* The exclusive lock on fd. A status probe (/health, dadnsctl status)
 * holds a shared lock for microseconds: a worker starting at that moment
 * tries again for about a second before it concludes another worker runs. */
static int lock_take(int fd)
{
	int i;

	for (i = 0; i < 20; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return -1;
		usleep(50000);
	}
	return -1;
}

static int worker_lock(struct worker *w)
{
	char *path = xasprintf("%s.worker.lock", w->cfg->app.db_path);
	int rc = 0;

	w->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (w->lock_fd < 0) {
		log_errno("worker: cannot open %s", path);
		rc = -1;
	} else if (lock_take(w->lock_fd) < 0) {
		close(w->lock_fd);
		w->lock_fd = -1;
		if (!w->once) {
			log_err("worker: another dadns-worker holds %s", path);
			rc = -1;
		}
	} else {
		int n = store_exec(w->st, "UPDATE jobs SET state = 'queued', lease_until = NULL"
				       " WHERE state = 'running'");
		if (n < 0)
			rc = -1;
		else if (sqlite3_changes(store_db(w->st)) > 0)
			log_info("worker: released %d jobs left running by a previous worker",
				 sqlite3_changes(store_db(w->st)));
	}
	free(path);
	return rc;
}

static int worker_start(struct worker *w)
{
	const struct config *cfg = w->cfg;
	char err[1024];
	size_t i;
	int rc;

	w->live.next = w->live.prev = &w->live;
	w->wake_fd = -1;
	w->lock_fd = -1;
	w->lease_ms = (int64_t)cfg->worker.lease_seconds * 1000;
	w->live_cap = (size_t)cfg->worker.batch_max * 20;
	if (w->live_cap < WORKER_LIVE_MIN)
		w->live_cap = WORKER_LIVE_MIN;
	w->policy.backoff = cfg->worker.retry_backoff;
	w->policy.n_backoff = cfg->worker.n_retry_backoff;
	/* synchronous=NORMAL for the worker's own connections, whatever
	 * durability says: everything the worker commits (claims, leases,
	 * outcomes) is redone if a power loss takes it back -- a job that
	 * goes back to queued is applied again, and applying is idempotent --
	 * while an fsync per claim and per outcome cost 5-100 ms of every
	 * push's way to the DNS server. The intake's commits (what DA was
	 * told error=0 about) keep durability = full. */
	if (store_open(cfg->app.db_path, 0, cfg->app.busy_timeout_ms, &w->st, err,
		       sizeof(err)) < 0) {
		log_err("worker: %s", err);
		return -1;
	}
	if (worker_lock(w) < 0)
		return -1;
	if (lane_results_init(&w->results) < 0) {
		log_errno("worker: eventfd");
		return -1;
	}
	if (open_lanes(w) < 0)
		return -1;
	if (!w->once) {
		rc = wake_listen(cfg->worker.wake_socket, &w->wake_fd);
		if (rc < 0) {
			log_err("worker: cannot listen on the wake socket %s: %s%s", cfg->worker.wake_socket,
				strerror(-rc), rc == -EADDRINUSE ? " (is another worker running?)" : "");
			return -1;
		}
	}
	for (i = 0; i < w->n_lanes; i++) {
		rc = lane_start(&w->lanes[i]);
		if (rc < 0) {
			log_err("worker: cannot start the thread of %s: %s", w->lanes[i].cfg->name,
				strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* Block the stop signals everywhere but in ppoll, where the handlers run:
 * the lanes inherit the blocked mask. */
static void signals_setup(struct worker *w)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, &w->waitmask);
	sigdelset(&w->waitmask, SIGTERM);
	sigdelset(&w->waitmask, SIGINT);
	sigdelset(&w->waitmask, SIGHUP);
}

int worker_run(const struct config *cfg, int once)
{
	struct worker *w = xcalloc(1, sizeof(*w));
	size_t i;
	int rc = 1;

	w->cfg = cfg;
	w->once = once;
	signals_setup(w);
	if (worker_start(w) < 0) {
		for (i = 0; i < w->n_lanes; i++)
			lane_stop_request(&w->lanes[i]);
		for (i = 0; i < w->n_lanes; i++)
			lane_join(&w->lanes[i]);
		goto out;
	}
	log_info("worker: started with %zu backends, batch_max %d, lease %d s%s", w->n_lanes,
		 cfg->worker.batch_max, cfg->worker.lease_seconds, once ? ", once" : "");
	worker_loop(w);
	rc = worker_stop(w) < 0 ? 1 : 0;
	log_info("worker: stopped");
out:
	worker_free(w);
	free(w);
	return rc;
}
