/* SPDX-License-Identifier: BSD-3-Clause */
/* lane.h -- one backend's thread: its own queue of claimed domains, its own store */
#ifndef DADNS_WORKER_LANE_H
#define DADNS_WORKER_LANE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/backends/backend.h"
#include "lib/domain.h"
#include "lib/queue.h"
#include "lib/store.h"

#define LANE_MAX 64  /* backends per worker: one bit each in a claim's masks */

/* The claimed jobs of one domain. Owned by the main thread, which alone
 * reads jobs/remaining and changes refs; a lane only reads domain and hands
 * the pointer back in its report. */
struct claim {
	struct claim *prev, *next;  /* the main thread's list of live claims */
	char domain[DOMAIN_MAX + 1];
	struct queue_job *jobs;
	uint64_t *remaining;        /* per job: bit i = lane i has yet to report */
	size_t n_jobs;
	int refs;                   /* lanes that have yet to report */
};

/* One domain of a lane's batch: the claims it serves (several when the same
 * domain was claimed again before the lane got to it) and the outcome. */
struct lane_entry {
	struct claim **claims;
	size_t n_claims;
	int present;
	int64_t serial;
	int result;
	int verified;
	int dnssec_signed;
	char error[BACKEND_ERR_MAX];
};

struct lane;
struct lane_catalog;

/* A finished batch, posted by a lane for the main thread to record. */
struct lane_report {
	struct lane_report *next;
	struct lane *lane;
	struct lane_entry *entries;
	size_t n;
};

/* Where lanes post reports; efd (an eventfd) becomes readable on a post. */
struct lane_results {
	pthread_mutex_t lock;
	struct lane_report *head, **tail;
	int efd;
};

struct lane {
	size_t idx;
	const struct config_backend *cfg;
	const struct backend_ops *ops;
	void *state;
	struct store *st;            /* this lane's own connection */
	int batch_max;
	struct lane_results *results;
	pthread_t thread;
	int started;
	pthread_mutex_t lock;        /* guards the queue and stop */
	pthread_cond_t cond;
	struct claim **q;            /* ring of claims to apply */
	size_t q_head, q_len, q_cap;
	int stop;
	struct lane_catalog *cat;    /* NULL: this backend serves no catalog (lane_catalog.h) */
};

/* Initialize the results channel: 0 or -errno. */
int lane_results_init(struct lane_results *r);
void lane_results_deinit(struct lane_results *r);
/* Take every posted report (a list, oldest first; NULL when none). */
struct lane_report *lane_results_take(struct lane_results *r);
void lane_report_free(struct lane_report *rep);

/* Start the lane's thread (l filled in by the caller; lock/cond/queue set
 * up here). Returns 0 or -errno. */
int lane_start(struct lane *l);
/* Queue claims for the lane and wake it. */
void lane_push(struct lane *l, struct claim *const *claims, size_t n);
/* Ask the lane to stop after the batch in hand (returns at once). */
void lane_stop_request(struct lane *l);
/* Wait for a stopping lane's thread; the claims still queued stay
 * unapplied (the caller releases their jobs). Frees the queue. */
void lane_join(struct lane *l);

#endif
