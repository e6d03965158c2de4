/* SPDX-License-Identifier: BSD-3-Clause */
/* lane.c -- one backend's thread: take a batch from its queue, read the
 * current desired state, apply, verify, post the outcome */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cmd/dadns-worker/lane.h"
#include "cmd/dadns-worker/lane_catalog.h"
#include "lib/log.h"
#include "lib/util.h"

#define LANE_NO_RESULT 1  /* what apply found in result: the backend set none */

int lane_results_init(struct lane_results *r)
{
	memset(r, 0, sizeof(*r));
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0)
		return -errno;
	pthread_mutex_init(&r->lock, NULL);
	r->tail = &r->head;
	return 0;
}

void lane_results_deinit(struct lane_results *r)
{
	lane_report_free(lane_results_take(r));
	pthread_mutex_destroy(&r->lock);
	if (r->efd >= 0)
		close(r->efd);
	r->efd = -1;
}

struct lane_report *lane_results_take(struct lane_results *r)
{
	struct lane_report *list;
	uint64_t v;

	/* Reset the eventfd before taking the list: a report posted after
	 * this point leaves it readable, so the main thread wakes for it. */
	if (read(r->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_errno("worker: read eventfd");
	pthread_mutex_lock(&r->lock);
	list = r->head;
	r->head = NULL;
	r->tail = &r->head;
	pthread_mutex_unlock(&r->lock);
	return list;
}

static void lane_results_post(struct lane_results *r, struct lane_report *rep)
{
	uint64_t one = 1;

	rep->next = NULL;
	pthread_mutex_lock(&r->lock);
	*r->tail = rep;
	r->tail = &rep->next;
	pthread_mutex_unlock(&r->lock);
	if (write(r->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_errno("worker: write eventfd");
}

void lane_report_free(struct lane_report *rep)
{
	while (rep) {
		struct lane_report *next = rep->next;
		for (size_t i = 0; i < rep->n; i++)
			free(rep->entries[i].claims);
		free(rep->entries);
		free(rep);
		rep = next;
	}
}

void lane_push(struct lane *l, struct claim *const *claims, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	pthread_mutex_lock(&l->lock);
	if (l->q_len + n > l->q_cap) {
		size_t cap = l->q_cap ? l->q_cap : 64;
		struct claim **q;
		while (cap < l->q_len + n)
			cap *= 2;
		q = xmalloc(cap * sizeof(*q));
		for (i = 0; i < l->q_len; i++)
			q[i] = l->q[(l->q_head + i) % l->q_cap];
		free(l->q);
		l->q = q;
		l->q_cap = cap;
		l->q_head = 0;
	}
	for (i = 0; i < n; i++)
		l->q[(l->q_head + l->q_len + i) % l->q_cap] = claims[i];
	l->q_len += n;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* With the lock held: pop up to batch_max distinct domains, merging claims
 * of a domain that is queued more than once. Returns the entry count. */
static size_t lane_take(struct lane *l, struct lane_entry **out)
{
	size_t want = l->q_len < (size_t)l->batch_max ? l->q_len : (size_t)l->batch_max;
	size_t hcap = 16, n = 0, i;
	struct lane_entry *e;
	long *slots;

	while (hcap < want * 2)
		hcap *= 2;
	slots = xmalloc(hcap * sizeof(*slots));
	for (i = 0; i < hcap; i++)
		slots[i] = -1;
	e = xcalloc(want ? want : 1, sizeof(*e));
	while (l->q_len > 0) {
		struct claim *c = l->q[l->q_head];
		size_t h = (size_t)hash_str(c->domain) & (hcap - 1);
		struct lane_entry *t;

		while (slots[h] >= 0 && strcmp(e[slots[h]].claims[0]->domain, c->domain) != 0)
			h = (h + 1) & (hcap - 1);
		if (slots[h] < 0) {
			if (n == want)
				break;
			slots[h] = (long)n++;
		}
		t = &e[slots[h]];
		t->claims = xrealloc(t->claims, (t->n_claims + 1) * sizeof(*t->claims));
		t->claims[t->n_claims++] = c;
		l->q_head = (l->q_head + 1) % l->q_cap;
		l->q_len--;
	}
	free(slots);
	*out = e;
	return n;
}

/* Read the desired state of every entry into zones[]; entries whose state
 * cannot be read fail here. Returns how many zones go to the backend;
 * map[k] is the entry of zones[k]. */
static size_t lane_read(struct lane *l, struct lane_entry *e, size_t n, struct store_zone *sz,
			struct backend_zone *zones, size_t *map)
{
	size_t i, k = 0;
	int rc;

	for (i = 0; i < n; i++) {
		const char *domain = e[i].claims[0]->domain;
		if (lane_catalog_is_self(l, domain)) {
			e[i].result = DADNS_EPERMFAIL;
			snprintf(e[i].error, sizeof(e[i].error), "%s is the [catalog] zone: not a member", domain);
			continue;
		}
		rc = store_zone_get(l->st, domain, 1, &sz[i]);
		if (rc < 0 && rc != DADNS_ENOENT) {
			e[i].result = DADNS_ETEMPFAIL;
			snprintf(e[i].error, sizeof(e[i].error), "cannot read the desired state: %s",
				 store_errmsg(l->st));
			continue;
		}
		e[i].present = rc == 0;
		e[i].serial = rc == 0 ? sz[i].serial : 0;
		memset(&zones[k], 0, sizeof(zones[k]));
		zones[k].domain = domain;
		zones[k].zone_text = rc == 0 ? sz[i].zone_text : NULL;
		zones[k].zone_len = rc == 0 ? strlen(sz[i].zone_text) : 0;
		zones[k].serial = e[i].serial;
		zones[k].records = rc == 0 ? sz[i].records : 0;
		zones[k].result = LANE_NO_RESULT;
		map[k++] = i;
	}
	return k;
}

/* Verify each written zone that applied, and copy the results out. */
static void lane_settle(struct lane *l, struct lane_entry *e, struct backend_zone *zones,
			const size_t *map, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		struct backend_zone *z = &zones[i];
		struct lane_entry *t = &e[map[i]];

		if (z->result != 0 && z->result != DADNS_ETEMPFAIL && z->result != DADNS_EPERMFAIL) {
			if (z->result == LANE_NO_RESULT || !z->error[0])
				snprintf(z->error, sizeof(z->error), "backend %s gave no result (%d)",
					 l->cfg->type, z->result);
			z->result = DADNS_ETEMPFAIL;
		}
		if (z->result == 0 && z->zone_text && l->cfg->verify && l->ops->verify) {
			int rc = l->ops->verify(l->state, z);
			if (rc < 0) {
				z->result = rc == DADNS_EPERMFAIL ? DADNS_EPERMFAIL : DADNS_ETEMPFAIL;
				if (!z->error[0])
					snprintf(z->error, sizeof(z->error), "verification failed (%s)",
						 dadns_strerror(rc));
			} else {
				t->verified = 1;
				t->dnssec_signed = z->dnssec_signed;
			}
		}
		t->result = z->result;
		if (z->result != 0)
			snprintf(t->error, sizeof(t->error), "%s", z->error[0] ? z->error : "failed");
	}
}

/* Writes first: zones[0..return) are written, the rest deleted (map kept
 * in step). */
static size_t lane_writes_first(struct backend_zone *zones, size_t *map, size_t k)
{
	size_t i, w = 0;

	for (i = 0; i < k; i++) {
		if (!zones[i].zone_text)
			continue;
		if (i != w) {
			struct backend_zone tz = zones[w];
			size_t tm = map[w];
			zones[w] = zones[i];
			map[w] = map[i];
			zones[i] = tz;
			map[i] = tm;
		}
		w++;
	}
	return w;
}

/* With a catalog: the writes, the catalog, then the deletions (which fail
 * when the catalog was not published: lane_catalog.h). */
static void lane_apply_catalog(struct lane *l, struct lane_entry *e, struct backend_zone *zones,
			       size_t *map, size_t k)
{
	size_t nw = lane_writes_first(zones, map, k), i;
	char err[BACKEND_ERR_MAX];

	if (nw > 0)
		l->ops->apply(l->state, zones, nw);
	lane_settle(l, e, zones, map, nw);
	err[0] = '\0';
	if (lane_catalog_step(l, zones, nw, k, err, sizeof(err)) < 0) {
		log_warn("worker: %s: %s", l->cfg->name, err);
		for (i = nw; i < k; i++) {
			zones[i].result = DADNS_ETEMPFAIL;
			snprintf(zones[i].error, sizeof(zones[i].error), "not deleted: %.480s", err);
		}
	} else if (k > nw) {
		l->ops->apply(l->state, zones + nw, k - nw);
	}
	lane_settle(l, e, zones + nw, map + nw, k - nw);
}

static void lane_batch(struct lane *l, struct lane_entry *e, size_t n)
{
	struct store_zone *sz = xcalloc(n, sizeof(*sz));
	struct backend_zone *zones = xcalloc(n, sizeof(*zones));
	size_t *map = xcalloc(n, sizeof(*map));
	int64_t t0 = util_mono_ms();
	size_t k, i, failed = 0;
	double secs;

	k = lane_read(l, e, n, sz, zones, map);
	if (l->cat) {
		lane_apply_catalog(l, e, zones, map, k);
	} else {
		if (k > 0)
			l->ops->apply(l->state, zones, k);
		lane_settle(l, e, zones, map, k);
	}
	for (i = 0; i < n; i++) {
		failed += e[i].result != 0;
		store_zone_deinit(&sz[i]);
	}
	secs = (double)(util_mono_ms() - t0) / 1000.0;
	log_info("worker: %s: batch of %zu zones: applied %zu, failed %zu, %.3f s, %.0f zones/s",
		 l->cfg->name, n, n - failed, failed, secs, secs > 0 ? (double)n / secs : (double)n * 1000);
	free(sz);
	free(zones);
	free(map);
}

static void *lane_main(void *arg)
{
	struct lane *l = arg;
	char err[BACKEND_ERR_MAX];

	/* Publish the catalog once at start: enabled since the last run, or
	 * left behind by a worker that was killed. */
	if (l->cat && lane_catalog_step(l, NULL, 0, 0, err, sizeof(err)) < 0)
		log_warn("worker: %s: %s (tried again with the next batch)", l->cfg->name, err);
	for (;;) {
		struct lane_report *rep;
		struct lane_entry *e;
		size_t n;

		pthread_mutex_lock(&l->lock);
		while (!l->stop && l->q_len == 0)
			pthread_cond_wait(&l->cond, &l->lock);
		if (l->stop) {
			pthread_mutex_unlock(&l->lock);
			break;
		}
		n = lane_take(l, &e);
		pthread_mutex_unlock(&l->lock);
		lane_batch(l, e, n);
		rep = xcalloc(1, sizeof(*rep));
		rep->lane = l;
		rep->entries = e;
		rep->n = n;
		lane_results_post(l->results, rep);
	}
	return NULL;
}

int lane_start(struct lane *l)
{
	int rc;

	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->q = NULL;
	l->q_head = l->q_len = l->q_cap = 0;
	l->stop = 0;
	rc = pthread_create(&l->thread, NULL, lane_main, l);
	if (rc != 0)
		return -rc;
	l->started = 1;
	return 0;
}

void lane_stop_request(struct lane *l)
{
	if (!l->started)
		return;
	pthread_mutex_lock(&l->lock);
	l->stop = 1;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

void lane_join(struct lane *l)
{
	if (!l->started)
		return;
	pthread_join(l->thread, NULL);
	l->started = 0;
	free(l->q);
	l->q = NULL;
	l->q_head = l->q_len = l->q_cap = 0;
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
}
