/* SPDX-License-Identifier: BSD-3-Clause */
/* status_ui.h -- what the operator's page (GET /ui/) reads besides /status
 *
 * The page's JSON comes from the store (schema v5, lib/store.c):
 * - push_log: the last 200 DA pushes and deletes. An accepted one is
 *   written by a trigger on jobs in the push's own transaction (owner and
 *   serial as stored then); a refused one by the intake (status_ui_refused).
 * - push_served(seq, backend): when a backend first served a push, written
 *   by the worker with the outcome (STATUS_UI_SQL_SERVED): a successful apply of
 *   the domain's current state serves every earlier push of the same kind
 *   (rawsave or delete) since the last push of the other kind, whose job was
 *   created before the apply's claim (job id <= the apply's newest job).
 *   The time is push -> recorded, i.e. after verification when verify is on.
 * - push_minutes: a ring of 1440 per-minute counters (accepted, refused).
 * Times in the JSON are ISO 8601 UTC strings, as in /status.
 */
#ifndef DADNS_STATUS_UI_H
#define DADNS_STATUS_UI_H

#include <stdint.h>
#include <jansson.h>

#include "lib/config.h"
#include "lib/domain.h"
#include "lib/store.h"

#define STATUS_UI_RECENT 50       /* pushes in /status/recent */
#define STATUS_UI_DEAD 50         /* dead jobs in /status/recent */
#define STATUS_UI_RUNS 10         /* runs of each program in /status/recent */
#define STATUS_UI_MINUTES 1440    /* the per-minute series: 24 h */
#define STATUS_UI_FIELD_MAX 300   /* octets of a refused push's domain/hostname/detail kept */

/* The domain of a /status/zone query string: exactly one domain=D (given
 * twice only with the same value), strictly URL-encoded, a valid zone name
 * (normalized into out). Returns 0, or DADNS_EINVAL with *why one
 * sentence ("bad URL encoding", "domain is too long", ...). */
int status_ui_zone_query(const char *query, char out[DOMAIN_MAX + 1], const char **why);

/* The worker (lib/queue.c, inside its outcome transaction): ?1 backend
 * served ?2 domain at ?3 (ms) by an apply of ?4 'rawsave' (written) or
 * 'delete' whose newest claimed job is ?5. */
#define STATUS_UI_SQL_SERVED                                                                  \
	"INSERT OR IGNORE INTO push_served(seq, backend, served_at, ms)"                      \
	" SELECT seq, ?1, ?3, max(?3 - at, 0) FROM push_log WHERE domain = ?2 AND result = 'ok'" \
	" AND op = ?4 AND job_id <= ?5 AND seq > coalesce((SELECT max(seq) FROM push_log"     \
	"  WHERE domain = ?2 AND result = 'ok' AND op <> ?4 AND job_id <= ?5), 0)"

/* The intake: log a refused push (result "rejected" or "error") with its
 * action ("rawsave", "delete"), domain, hostname and why (each may be NULL;
 * truncated to STATUS_UI_FIELD_MAX) and count it in its minute. On its own
 * transaction. Returns 0, DADNS_EBUSY, DADNS_EIO. */
int status_ui_refused(struct store *st, const char *action, const char *domain,
		      const char *hostname, const char *result, const char *detail, int64_t now);

/* GET /status/recent: {now, backends[enabled names], pushes[{seq, at,
 * action, domain, hostname, serial, result, detail, job{id, state},
 * served{BACKEND: {state: served|failing|pending, ms, at}}}], dead_jobs[{id,
 * domain, op, backends, attempt, error, created_at, updated_at}], runs[{program,
 * started_at, finished_at, ok, summary}]}, newest first. NULL with err set
 * when the database cannot be read. */
json_t *status_ui_recent(struct store *st, const struct config *cfg, int64_t now, char *err,
			 size_t errlen);

/* GET /status/charts: {now, per_minute{start, step_seconds, ok[1440],
 * refused[1440]} (oldest minute first, the current one last), latency[{backend,
 * enabled, buckets[{le_ms (null: +Inf), n}], count, sum_ms, p50_le_ms, p99_le_ms
 * (bucket upper bounds; null when no apply or above the last bound),
 * recent{n, p50_ms, p99_ms} (exact, from push_served)}]}. NULL with err set
 * when the database cannot be read. */
json_t *status_ui_charts(struct store *st, const struct config *cfg, int64_t now, char *err,
			 size_t errlen);

/* GET /status/zone?domain=D: *out = {domain, hostname, username, serial,
 * records, source, created_at, updated_at, zone_text, backends[{name, type,
 * enabled, state: in_sync|behind|failing, serial, result, error, attempts,
 * applied_at, verified_at}], jobs[open and dead: {id, op, state, backends,
 * attempt, error, created_at}], pushes[as in /status/recent]}. Returns 0;
 * DADNS_ENOENT with *out {error, domain, tombstone{serial, hostname,
 * username, deleted_at} or null}; DADNS_EIO/EBUSY with err set, *out NULL. */
int status_ui_zone(struct store *st, const struct config *cfg, const char *domain, int64_t now,
		   json_t **out, char *err, size_t errlen);

/* Helpers shared by status_ui.c and status_zone.c. */
json_t *status_ui_str(const char *s);          /* a string, invalid UTF-8 as U+FFFD; NULL -> null */
json_t *status_ui_time(int64_t ms);            /* ISO 8601, null for 0 */
json_t *status_ui_pushes(struct store *st, const struct config *cfg, const char *domain, int limit,
			 int *rc);             /* push_log rows, newest first; *rc < 0 on error */

#endif
