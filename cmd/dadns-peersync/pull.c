/* SPDX-License-Identifier: BSD-3-Clause */
/* pull.c -- dadns-peersync: one peer's zones, tombstones and peers, taken when newer */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-peersync/peersync.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/zone.h"

#define SQL_TOMB "SELECT deleted_at FROM tombstones WHERE domain = ?1"

static int64_t not_after_now(int64_t t)
{
	int64_t now = util_now_ms();

	return t > now ? now : t;
}

/* The local tombstone's deleted_at: 1 found, 0 none, <0 error. */
static int tombstone_at(struct peersync *ps, const char *domain, int64_t *deleted_at)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(ps->st), SQL_TOMB, -1, &s, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return DADNS_EIO;
	}
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*deleted_at = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : DADNS_EIO;
}

/* Is the peer's version (serial, updated_at) of domain one to take?
 * 1 yes, 0 no, <0 database error. *g gets what was seen here, for the
 * guarded put that follows (the domain may change in between).
 * A time later than now here (the peer's clock is ahead, or it lies)
 * orders nothing: when only the times could decide (same serial, or an
 * undefined serial order, or a tombstone here) such a version waits until
 * the time is no longer in the future. Clamping it to now instead would
 * make it win every tie, and be taken again at every pass (the copy here
 * gets "now", the peer keeps saying later). */
static int wanted(struct peersync *ps, const char *domain, int64_t serial, int64_t updated_at,
		  struct store_guard *g)
{
	int future = updated_at > util_now_ms();
	struct store_zone z;
	int rc, c;

	memset(g, 0, sizeof(*g));
	rc = store_zone_get(ps->st, domain, 0, &z);
	if (rc == 0) {
		g->present = 1;
		g->updated_at = z.updated_at;
		c = peer_serial_cmp(serial, z.serial);
		if (c == 1 || c == -1)
			rc = c == 1;
		else
			rc = !future && peer_zone_newer(serial, updated_at, z.serial, z.updated_at) > 0;
		store_zone_deinit(&z);
		return rc;
	}
	if (rc != DADNS_ENOENT)
		return rc;
	rc = tombstone_at(ps, domain, &g->deleted_at);
	if (rc <= 0)
		return rc < 0 ? rc : 1;
	/* Deleted here after the peer's version was made: the delete stands. */
	return !future && updated_at > g->deleted_at;
}

static void skipped(struct ps_peer *p, struct ps_pass *pass, const char *domain, const char *why)
{
	pass->skipped++;
	log_warn("peersync: peer %s: zone %s skipped: %s", p->name, domain, why);
}

/* Fetch, validate and store one zone. 1 stored, 0 skipped or not newer. */
static int pull_zone(struct peersync *ps, struct ps_peer *p, const struct peer_target *t,
		     const char *domain, struct ps_pass *pass)
{
	char path[DOMAIN_MAX + 64], err[512];
	struct peer_zone z;
	struct zone_info zi;
	struct store_guard g;
	size_t len = 0, max_zone = (size_t)ps->cfg->app.max_body_bytes;
	char *body = NULL;
	int rc, how = 0;

	memset(&zi, 0, sizeof(zi));
	memset(&z, 0, sizeof(z));
	/* domain is a normalized name: letters, digits, '-' and '.' only. */
	snprintf(path, sizeof(path), "internal/zones?domain=%s", domain);
	rc = peer_http_get(t, path, 2 * max_zone + 65536, &body, &len, err, sizeof(err));
	if (rc < 0) {
		skipped(p, pass, domain, err);
		return 0;
	}
	rc = peer_parse_zone(body, len, max_zone, &z, err, sizeof(err));
	free(body);
	if (rc < 0) {
		skipped(p, pass, domain, err);
		return 0;
	}
	rc = 0;
	if (strcmp(z.e.domain, domain) != 0) {
		skipped(p, pass, domain, "the answer is for another domain");
		goto out;
	}
	if (zone_validate(domain, z.zone_data, z.zone_len, ps->cfg->app.max_records, &zi, err,
			  sizeof(err)) < 0) {
		skipped(p, pass, domain, err);
		goto out;
	}
	/* The serial that counts is the zone's own; ask again with it. */
	rc = wanted(ps, domain, zi.serial, z.e.updated_at, &g);
	if (rc <= 0)
		goto out;
	/* Keep the time the zone was last changed where DA pushed it, so that
	 * nodes holding the same version compare equal. */
	rc = store_zone_put_guarded(ps->st, domain, z.e.hostname, z.e.username[0] ? z.e.username : NULL,
				    zi.text, zi.serial, zi.records, "peer", not_after_now(z.e.updated_at), &g,
				    &how, NULL, NULL);
	if (rc == DADNS_EEXIST) {
		log_info("peersync: peer %s: zone %s changed here meanwhile; left as it is", p->name, domain);
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		log_err("peersync: peer %s: zone %s: cannot store: %s", p->name, domain, dadns_strerror(rc));
		goto out;
	}
	ps->changed = 1;
	pass->zones_pulled++;
	log_info("peersync: zone %s serial %lld (%d records) from peer %s (%s)", domain,
		 (long long)zi.serial, zi.records, p->name, how == STORE_PUT_CREATED ? "new" : "updated");
	rc = 1;
out:
	zone_info_deinit(&zi);
	peer_zone_deinit(&z);
	return rc;
}

static int pull_zones(struct peersync *ps, struct ps_peer *p, const struct peer_target *t,
		      struct ps_pass *pass, int *pulled, char *err, size_t errlen)
{
	struct peer_zone_list l;
	size_t len = 0, i;
	char *body = NULL;
	int rc;

	rc = peer_http_get(t, "internal/zones", PEERSYNC_LIST_MAX, &body, &len, err, errlen);
	if (rc < 0)
		return rc;
	rc = peer_parse_zone_list(body, len, &l, err, errlen);
	free(body);
	if (rc < 0)
		return rc;
	if (l.skipped) {
		pass->skipped += (int)l.skipped;
		log_warn("peersync: peer %s: %zu zone list entries skipped (%s)", p->name, l.skipped,
			 l.skip_reason);
	}
	for (i = 0; i < l.n && !peersync_stopping(); i++) {
		struct store_guard g;

		rc = wanted(ps, l.v[i].domain, l.v[i].serial, l.v[i].updated_at, &g);
		if (rc > 0)
			rc = pull_zone(ps, p, t, l.v[i].domain, pass);
		if (rc > 0)
			(*pulled)++;
		if (rc < 0) {
			snprintf(err, errlen, "local database error");
			break;
		}
	}
	peer_zone_list_deinit(&l);
	return rc < 0 ? rc : 0;
}

/* Apply one peer tombstone: 1 deleted here, 0 nothing to do, <0 error. */
static int apply_tombstone(struct peersync *ps, struct ps_peer *p, const struct peer_tombstone *tb)
{
	int64_t deleted_at = not_after_now(tb->deleted_at);
	struct store_guard g = { .present = 1 };
	struct store_zone z;
	int rc, newer;

	/* A delete dated later than now here (the peer's clock is ahead) would,
	 * clamped to now, win over every zone here, also one DA pushed after
	 * the delete really happened: it waits until its time has come. */
	if (tb->deleted_at > util_now_ms()) {
		log_debug("peersync: peer %s: the delete of %s is dated in the future (clock skew?): "
			  "left for a later pass", p->name, tb->domain);
		return 0;
	}
	rc = store_zone_get(ps->st, tb->domain, 0, &z);
	if (rc == DADNS_ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	newer = deleted_at > z.updated_at;
	g.updated_at = z.updated_at;
	store_zone_deinit(&z);
	if (!newer)
		return 0;
	/* The tombstone keeps the peer's time of the delete. */
	rc = store_zone_delete_guarded(ps->st, tb->domain, "peer", deleted_at, &g);
	if (rc == DADNS_ENOENT || rc == DADNS_EEXIST)
		return 0;
	if (rc < 0)
		return rc;
	ps->changed = 1;
	log_info("peersync: zone %s deleted: peer %s deleted it (serial %lld)", tb->domain, p->name,
		 (long long)tb->serial);
	return 1;
}

static int pull_tombstones(struct peersync *ps, struct ps_peer *p, const struct peer_target *t,
			   struct ps_pass *pass, int *tombs, char *err, size_t errlen)
{
	struct peer_tombstone_list l;
	size_t len = 0, i;
	char *body = NULL;
	int rc;

	rc = peer_http_get(t, "internal/tombstones", PEERSYNC_LIST_MAX, &body, &len, err, errlen);
	if (rc < 0)
		return rc;
	rc = peer_parse_tombstones(body, len, &l, err, errlen);
	free(body);
	if (rc < 0)
		return rc;
	if (l.skipped) {
		pass->skipped += (int)l.skipped;
		log_warn("peersync: peer %s: %zu tombstones skipped (%s)", p->name, l.skipped, l.skip_reason);
	}
	for (i = 0; i < l.n; i++) {
		rc = apply_tombstone(ps, p, &l.v[i]);
		if (rc < 0) {
			snprintf(err, errlen, "local database error");
			break;
		}
		if (rc > 0) {
			(*tombs)++;
			pass->tombstones_applied++;
		}
	}
	peer_tombstone_list_deinit(&l);
	return rc < 0 ? rc : 0;
}

static int pull_peers(struct peersync *ps, struct ps_peer *p, const struct peer_target *t,
		      struct ps_pass *pass, char *err, size_t errlen)
{
	struct peer_url_list l;
	size_t len = 0;
	char *body = NULL;
	int rc, added = 0;

	rc = peer_http_get(t, "internal/peers", PEERSYNC_LIST_MAX, &body, &len, err, errlen);
	if (rc < 0)
		return rc;
	rc = peer_parse_peer_list(body, len, &l, err, errlen);
	free(body);
	if (rc < 0)
		return rc;
	if (l.skipped) {
		pass->skipped += (int)l.skipped;
		log_warn("peersync: peer %s: %zu peer URLs skipped (%s)", p->name, l.skipped, l.skip_reason);
	}
	rc = peers_discover(ps, p, &l, &added);
	if (rc < 0)
		snprintf(err, errlen, "local database error");
	peer_url_list_deinit(&l);
	return rc;
}

int pull_peer(struct peersync *ps, struct ps_peer *p, struct ps_pass *pass, int *pulled, int *tombs,
	      char *err, size_t errlen)
{
	struct peer_target t;
	char why[400];
	int rc;

	*pulled = *tombs = 0;
	if (p->cred_error) {
		snprintf(err, errlen, "no credentials: %s", p->cred_error);
		return DADNS_EPERM;
	}
	peers_target(ps, p, &t);
	if ((rc = pull_zones(ps, p, &t, pass, pulled, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "zones: %s", why);
		return rc;
	}
	if ((rc = pull_tombstones(ps, p, &t, pass, tombs, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "tombstones: %s", why);
		return rc;
	}
	if ((rc = pull_peers(ps, p, &t, pass, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "peers: %s", why);
		return rc;
	}
	return 0;
}
