/* SPDX-License-Identifier: BSD-3-Clause */
/* status.h -- what the operator asks: desired zones, queue, backend sync, last runs
 *
 * One snapshot (one read transaction) of the database, shared by
 * `dadnsctl status` and dadns-intake's GET /status and GET /metrics, so
 * that the numbers are computed in one place:
 * - a backend's zones are in sync when the backend last applied the
 *   desired serial successfully after the zone's last push, failing when
 *   its last attempt failed (backend_state result 'fail'), and behind
 *   otherwise (never applied, older serial, or pushed since);
 * - a backend's oldest job is the oldest queued or running job it must
 *   still do: backends = its name, or NULL (every enabled backend) when
 *   it is enabled;
 * - overall is error when the database cannot be read, degraded when a
 *   job is dead, an enabled backend has failing zones or an oldest job
 *   older than STATUS_LAG_DEGRADED_S, the last finished reconcile run
 *   failed, a peer is degraded, or the worker is not running; else ok. (A disabled backend's failures are old news
 *   nothing will retry: shown, not judged.)
 * - the worker runs when someone holds the flock on "<db_path>.worker.lock"
 *   (dadns-worker takes it exclusively for its lifetime): a read-only open
 *   and a non-blocking shared flock tell, without writing anything. When
 *   the file cannot be opened for another reason than its absence (e.g. no
 *   permission) the answer is unknown and not judged.
 * Counters (table counters, schema v3) are written by status_count and
 * status_latency_record and read back for /metrics.
 */
#ifndef DADNS_STATUS_H
#define DADNS_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "lib/config.h"
#include "lib/store.h"
#include "lib/util.h"

#define STATUS_LAG_DEGRADED_S 300
/* Upper bounds (ms) of the push-to-applied latency buckets; +Inf follows. */
#define STATUS_LATENCY_BUCKETS_MS 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, \
	1800000, 7200000

enum status_overall { STATUS_OK = 0, STATUS_DEGRADED, STATUS_ERROR };

/* Job states, in the order of status.jobs[]. */
enum status_job_state { STATUS_JOB_QUEUED = 0, STATUS_JOB_RUNNING, STATUS_JOB_DONE, STATUS_JOB_DEAD,
			STATUS_JOB_STATES };

struct status_backend {
	const char *name;         /* points into the config */
	const char *type;         /* points into the config */
	int enabled;
	long long in_sync;
	long long behind;
	long long failing;
	long long signed_zones;   /* served signed by the backend itself (knot sign) */
	long long oldest_job_s;   /* age of the oldest job it must still do; -1: none */
	char *last_error;         /* newest failing zone's error, NULL when none */
	char *last_error_domain;
	int64_t last_error_at;    /* ms since the epoch; 0 when none */
};

/* A row of table peers. */
struct status_peer {
	char *name, *url, *origin, *last_error;   /* last_error may be NULL */
	int degraded;
	long long failures;
	int64_t last_run_at, last_ok_at;          /* 0 when never */
	long long zones_pulled;
};

/* A row of table counters. */
struct status_counter {
	char *metric, *k1, *k2;
	long long value;
};

/* Push-to-applied latency of one backend: n[i] applies in bucket i
 * (status_latency_bounds[i] ms; the last is +Inf), not cumulative. */
struct status_latency {
	char *backend;
	long long *n;             /* status_latency_n entries */
	long long sum_ms;
};

extern const long long status_latency_bounds[];
extern const size_t status_latency_n;     /* buckets including +Inf */

/* The last row of table runs for one program. */
struct status_run {
	int present;              /* 0: the program never ran (the rest is empty) */
	int64_t started_at;       /* ms since the epoch */
	int64_t finished_at;      /* 0 while running (or when it died) */
	int ok;                   /* 1, 0, or -1 when not recorded */
	char *summary;            /* NULL when not recorded */
	int64_t last_ok_at;       /* finished_at of the last successful run; 0 never */
};

/* A [secondary NAME] and what the last check counted (table secondaries). */
struct status_secondary {
	const char *name;         /* points into the config */
	const char *server;       /* points into the config */
	char *state;              /* "in_sync", "behind", "unreachable"; NULL: never checked */
	long long in_sync, behind, missing, extra, unanswered;
	int64_t checked_at;       /* ms since the epoch; 0 never */
	int64_t behind_since;     /* ms since the epoch; 0 when in sync */
};

struct status {
	int overall;              /* enum status_overall */
	char error[256];          /* why, when overall is STATUS_ERROR */
	char **reasons;           /* why degraded: n_reasons sentences */
	size_t n_reasons;
	int64_t now;              /* ms since the epoch the ages are measured from */
	long long zones;
	long long tombstones;
	long long jobs[STATUS_JOB_STATES];
	struct status_backend *backends;  /* one per [backend NAME] of the config */
	size_t n_backends;
	struct status_run reconcile;      /* runs.program = 'reconcile' */
	struct status_run peersync;       /* runs.program = 'peersync' */
	int worker;                       /* 1 running, 0 not, -1 unknown */
	struct status_peer *peers;
	size_t n_peers;
	struct status_counter *counters;
	size_t n_counters;
	struct status_latency *latency;   /* one per configured backend */
	struct status_secondary *secondaries; /* one per [secondary NAME] of the config */
	size_t n_secondaries;
	int max_lag_s;                    /* [secondary] max_lag_seconds */
};

/* Whether the database answers: a query that reads its schema, and the
 * file at the path it was opened by is still the one the connection has
 * open (not deleted, moved away or replaced: writes would go to a file no
 * other program reads). Returns 0, or DADNS_EIO / DADNS_EBUSY with err set. */
int status_db_check(struct store *st, char *err, size_t errlen);

/* Whether a dadns-worker holds "<cfg db_path>.worker.lock" (see above):
 * 1 yes, 0 no, negative DADNS_E* when it cannot be told (err set). */
int status_worker_running(const struct config *cfg, char *err, size_t errlen);

/* Add by to counters(metric, k1, k2) (NULL keys are ''), in the caller's
 * transaction or on its own. Returns 0, DADNS_EBUSY, DADNS_EIO. */
int status_count(struct store *st, const char *metric, const char *k1, const char *k2, long long by);

/* Count one apply of backend that took ms from the change (its push, or
 * the later job that asked for it) to applied in the latency histogram
 * (and its sum). Returns 0, DADNS_EBUSY, DADNS_EIO. */
int status_latency_record(struct store *st, const char *backend, int64_t ms);

/* Read the snapshot at time now (ms since the epoch) for the backends of
 * cfg, after status_db_check. Always fills *out (caller calls
 * status_deinit, also after an error). Returns 0, or DADNS_EIO / DADNS_EBUSY
 * when the database could not be read: then out->overall is STATUS_ERROR and
 * out->error says why. */
int status_collect(struct store *st, const struct config *cfg, int64_t now, struct status *out);
void status_deinit(struct status *s);

/* lib/status_secondary.c: the secondaries of the snapshot. Collect reads
 * table secondaries for each [secondary NAME] of cfg (inside the
 * snapshot's transaction; 0, or DADNS_EIO with s->error set); judge adds
 * a reason for each secondary not in sync (behind, missing, extra,
 * unanswered, or unreachable) for longer than max_lag_s; json is
 * secondaries[] {name, server, state, in_sync, behind, missing, extra,
 * unanswered, checked_at, behind_since}; metrics appends
 * dadns_secondary_zones{secondary,state} and dadns_secondary_up. */
int status_collect_secondaries(struct store *st, const struct config *cfg, struct status *s);
void status_judge_secondaries(struct status *s);

/* Append a reason (printf format) to s->reasons, which s owns. */
void status_add_reason(struct status *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
json_t *status_secondaries_json(const struct status *s);
void status_metrics_secondaries(const struct status *s, struct strbuf *sb);
void status_secondaries_deinit(struct status *s);

/* "ok", "degraded", "error". */
const char *status_overall_name(int overall);
/* "queued", "running", "done", "dead". */
const char *status_job_state_name(int state);

/* The snapshot as a JSON object (new reference, caller decrefs):
 * {overall, reasons[], worker{running}, zones, tombstones,
 *  jobs{queued,running,done,dead}, dead_jobs, backends[{name,type,enabled,
 *  in_sync,behind,failing,oldest_job_seconds,last_error{domain,error,at}}],
 *  reconcile, peersync, peers[{name,url,origin,degraded,failures,
 *  last_run_at,last_ok_at,last_error,zones_pulled}], secondaries[...]}
 * (status_secondaries_json); a run is null or
 * {started_at, finished_at, ok, last_ok_at, summary} with times as ISO 8601
 * UTC and summary the run's JSON object (a string when it is not JSON); an
 * unknown value is null. On STATUS_ERROR: {overall, error} only. */
json_t *status_json(const struct status *s);

/* A run's summary as JSON (new reference): the object it holds, else the
 * text as a string, null for NULL or text that is not UTF-8. */
json_t *status_summary_json(const char *summary);

/* Append the snapshot to sb in the Prometheus text exposition format
 * 0.0.4 (HELP and TYPE lines, label values escaped). On STATUS_ERROR only
 * dadns_up 0 and dadns_status are written. */
void status_metrics(const struct status *s, struct strbuf *sb);

/* Append v to sb as a Prometheus label value, escaped (\\, \", \n), without
 * the quotes. */
void status_prom_label(struct strbuf *sb, const char *v);

/* Format ms since the epoch as "2026-11-25T22:07:12Z" into out; "-" for 0. */
void status_time(int64_t ms, char *out, size_t outlen);

#endif
