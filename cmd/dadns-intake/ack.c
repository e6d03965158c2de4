/* SPDX-License-Identifier: BSD-3-Clause */
/* ack.c -- [app] ack = served: answer a push once every enabled backend serves it */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cmd/dadns-intake/intake.h"
#include "lib/backends/backend.h"
#include "lib/log.h"
#include "lib/status.h"

/*
 * The worker records each backend's outcome in backend_state (lib/queue.h).
 * A push is served by backend B when B's row says ok, recorded after the
 * push was committed (an apply that began before it may have applied the
 * older text), verified when B verifies, for this push's serial or a higher
 * one or the serial of the zone now (a later push, whatever its serial);
 * a push whose zone was deleted since is served too (superseded). A delete
 * is served when B's row is gone (or the zone was pushed again since).
 *
 * How the intake learns of the worker's commits without polling hard: every
 * commit writes the database's WAL file, so the waiting thread watches it
 * with inotify (IN_MODIFY) and looks again at each change. SQLite makes a
 * commit visible to readers after its last write to the WAL (and, with
 * synchronous=FULL, after its fsync), in the shared-memory index, which
 * inotify does not see: a look woken by the last write may come too early.
 * So after a change the thread looks again after 1, 2, 4, 8 and 16 ms (a
 * few cheap reads per commit), then every ACK_RECHECK_MS, which also covers
 * what inotify cannot see (the WAL file replaced). Measured with NSD
 * (control_socket): the look that finds the push served came 50 ms after
 * the worker's commit in most waits without the follow-up looks (the next
 * ACK_RECHECK_MS), 0-2 ms with them. Without inotify the thread looks
 * every ACK_POLL_MS.
 */

#define ACK_RECHECK_MS 50
#define ACK_FOLLOW_UPS 5      /* looks after a change: 1, 2, 4, 8, 16 ms */
#define ACK_POLL_MS 5

#define SQL_WRITE_SERVED                                                                   \
	"SELECT NOT EXISTS (SELECT 1 FROM zones WHERE domain = ?2) OR EXISTS (SELECT 1"    \
	" FROM backend_state WHERE backend = ?1 AND domain = ?2 AND result = 'ok'"         \
	" AND applied_at >= ?4 AND (?5 = 0 OR verified_at IS NOT NULL) AND (serial >= ?3"  \
	" OR serial = (SELECT serial FROM zones WHERE domain = ?2)))"
#define SQL_DELETE_SERVED                                                                  \
	"SELECT (SELECT count(*) FROM backend_state WHERE backend = ?1 AND domain = ?2) = 0" \
	" OR EXISTS (SELECT 1 FROM zones WHERE domain = ?2 AND updated_at >= ?4)"

static int backend_verifies(const struct config_backend *b)
{
	const struct backend_ops *ops = backend_find(b->type);

	return b->verify && ops && ops->verify;
}

/* 1 when every enabled backend serves w, 0 when not yet, <0 on an error. */
static int ack_served_now(sqlite3_stmt *s, const struct config *cfg, const struct intake_ack *w)
{
	size_t i;
	int rc, served = 1;

	for (i = 0; i < cfg->n_backends && served; i++) {
		const struct config_backend *b = &cfg->backends[i];

		if (!b->enabled)
			continue;
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, b->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, w->domain, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, w->serial);
		sqlite3_bind_int64(s, 4, w->since);
		sqlite3_bind_int(s, 5, backend_verifies(b));
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(s);
			return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? 0 : DADNS_EIO;
		}
		served = sqlite3_column_int(s, 0) != 0;
	}
	sqlite3_reset(s);
	return served;
}

/* A watch on the WAL file: an fd to poll, or -1 (then: poll the database). */
static int ack_watch(const struct config *cfg)
{
	char wal[4096];
	int fd;

	snprintf(wal, sizeof(wal), "%s-wal", cfg->app.db_path);
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, wal, IN_MODIFY) < 0) {
		log_debug("intake: ack: cannot watch %s (%s); polling", wal, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Sleep until the WAL changes or the next look is due. *follow: looks
 * still to make after the last change (ACK_FOLLOW_UPS after each). */
static void ack_sleep(int fd, int64_t left, int *follow)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int64_t ms = ACK_RECHECK_MS;
	char buf[4096];

	if (fd < 0) {
		poll(NULL, 0, (int)(left < ACK_POLL_MS ? left : ACK_POLL_MS));
		return;
	}
	if (*follow > 0)
		ms = 1 << (ACK_FOLLOW_UPS - *follow);
	if (poll(&p, 1, (int)(left < ms ? left : ms)) > 0) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		*follow = ACK_FOLLOW_UPS;
	} else if (*follow > 0) {
		(*follow)--;
	}
}

/* Wait until all of w[0..n) are served or the deadline passes. */
static int ack_wait_all(struct intake_req *r, const struct intake_ack *w, int n, int is_delete)
{
	const struct config *cfg = r->cfg;
	int64_t deadline = util_mono_ms() + cfg->app.ack_timeout_ms, left;
	sqlite3_stmt *s = NULL;
	int fd = ack_watch(cfg), i = 0, rc = 0, follow = ACK_FOLLOW_UPS;

	if (sqlite3_prepare_v2(store_db(r->st), is_delete ? SQL_DELETE_SERVED : SQL_WRITE_SERVED,
			       -1, &s, NULL) != SQLITE_OK) {
		log_err("intake: ack: %s", store_errmsg(r->st));
		rc = DADNS_EIO;
		goto out;
	}
	while (i < n) {
		rc = ack_served_now(s, cfg, &w[i]);
		if (rc < 0)
			break;
		if (rc > 0) {
			i++;
			continue;
		}
		left = deadline - util_mono_ms();
		if (left <= 0)
			break;
		ack_sleep(fd, left, &follow);
	}
	rc = rc < 0 ? rc : i == n;
out:
	sqlite3_finalize(s);
	if (fd >= 0)
		close(fd);
	return rc;
}

int intake_ack_wait(struct intake_req *r, const struct intake_ack *w, int n, int is_delete)
{
	int64_t t0 = util_mono_ms();
	int rc;

	if (!r->cfg->app.ack_served || n <= 0)
		return 1;
	rc = ack_wait_all(r, w, n, is_delete);
	if (rc == 1)
		log_debug("intake: ack: %s %s served after %lld ms", is_delete ? "delete" : "rawsave",
			  w[0].domain, (long long)(util_mono_ms() - t0));
	else
		log_warn("intake: ack: %s %s%s not served by every backend within ack_timeout_ms "
			 "= %d; answered anyway (it is committed and will be applied)",
			 is_delete ? "delete" : "rawsave", w[0].domain, n > 1 ? " (and others)" : "",
			 r->cfg->app.ack_timeout_ms);
	if (status_count(r->st, "acks", "served", rc == 1 ? "served" : "timeout", 1) < 0)
		log_debug("intake: ack: cannot count the outcome");
	return rc == 1;
}
