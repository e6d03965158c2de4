/* SPDX-License-Identifier: BSD-3-Clause */
/* peers.c -- dadns-peersync: the peers table: configured, discovered, health */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-peersync/peersync.h"
#include "lib/log.h"
#include "lib/util.h"

#define VIA_HOPS 8

#define SQL_UPSERT                                                                           \
	"INSERT INTO peers(name, url, origin, via, first_seen_at) VALUES(?1, ?2, ?3, NULL, ?4)"  \
	" ON CONFLICT(name) DO UPDATE SET url = excluded.url, origin = excluded.origin,"         \
	" via = NULL"
#define SQL_DROP_DUP "DELETE FROM peers WHERE origin = 'discovered' AND url = ?1 AND name <> ?2"
#define SQL_CONFIGURED "SELECT name FROM peers WHERE origin IN ('config', 'env')"
#define SQL_DELETE "DELETE FROM peers WHERE name = ?1"
#define SQL_LOAD                                                                             \
	"SELECT name, url, origin, coalesce(via, ''), failures, degraded FROM peers"             \
	" ORDER BY origin = 'discovered', name"
#define SQL_VIA "SELECT origin, coalesce(via, '') FROM peers WHERE name = ?1"
#define SQL_KNOWN "SELECT 1 FROM peers WHERE url = ?1 OR name = ?2"
#define SQL_N_DISCOVERED "SELECT count(*) FROM peers WHERE origin = 'discovered'"
#define SQL_ADD                                                                              \
	"INSERT INTO peers(name, url, origin, via, first_seen_at) VALUES(?1, ?2, 'discovered',"   \
	" nullif(?3, ''), ?4) ON CONFLICT(name) DO NOTHING"
#define SQL_RECORD                                                                           \
	"UPDATE peers SET last_run_at = ?2, last_ok_at = CASE WHEN ?3 IS NULL THEN ?2"            \
	" ELSE last_ok_at END, last_error = ?3, failures = ?4, degraded = ?5,"                   \
	" zones_pulled = zones_pulled + ?6, tombstones_pulled = tombstones_pulled + ?7"           \
	" WHERE name = ?1"

static sqlite3_stmt *prep(struct peersync *ps, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(store_db(ps->st), sql, -1, &s, NULL) != SQLITE_OK) {
		log_err("peersync: %s", store_errmsg(ps->st));
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

static int done(struct peersync *ps, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	log_err("peersync: peers table: %s", store_errmsg(ps->st));
	return rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
}

static const struct config_peer *cfg_peer(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_peers; i++)
		if (!strcmp(cfg->peers[i].name, name))
			return &cfg->peers[i];
	return NULL;
}

static int upsert_configured(struct peersync *ps, const struct config_peer *cp, int64_t now)
{
	char url[PEER_URL_MAX];
	sqlite3_stmt *s;
	int rc;

	if (peer_url_normalize(cp->url, url) < 0) {
		/* Not echoed: the usual mistake is user:password@ in it. */
		log_warn("peersync: [peer %s]: url is not usable (http:// or https://, no user:password@, "
			 "query or fragment); skipped", cp->name);
		return 0;
	}
	if (!(s = prep(ps, SQL_UPSERT)))
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, cp->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, cp->env ? "env" : "config", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	if ((rc = done(ps, s)) < 0)
		return rc;
	/* A configured peer takes over from its discovered twin. */
	if (!(s = prep(ps, SQL_DROP_DUP)))
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, cp->name, -1, SQLITE_STATIC);
	return done(ps, s);
}

/* Rows of configured peers that the configuration no longer has. */
static int drop_unconfigured(struct peersync *ps)
{
	sqlite3_stmt *s = prep(ps, SQL_CONFIGURED), *d;
	char **gone = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (!s)
		return DADNS_EIO;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (name && !cfg_peer(ps->cfg, name)) {
			gone = xrealloc(gone, (n + 1) * sizeof(*gone));
			gone[n++] = xstrdup(name);
		}
	}
	sqlite3_finalize(s);
	for (i = 0; i < n; i++) {
		if (rc == 0 && (d = prep(ps, SQL_DELETE))) {
			sqlite3_bind_text(d, 1, gone[i], -1, SQLITE_STATIC);
			rc = done(ps, d);
			log_info("peersync: peer %s is no longer configured; forgotten", gone[i]);
		}
		free(gone[i]);
	}
	free(gone);
	return rc;
}

int peers_sync_config(struct peersync *ps)
{
	int64_t now = util_now_ms();
	size_t i;
	int rc;

	rc = store_begin(ps->st);
	if (rc < 0)
		return rc;
	for (i = 0; i < ps->cfg->n_peers && rc == 0; i++)
		rc = upsert_configured(ps, &ps->cfg->peers[i], now);
	if (rc == 0)
		rc = drop_unconfigured(ps);
	if (rc < 0) {
		store_rollback(ps->st);
		return rc;
	}
	return store_commit(ps->st);
}

/* Whose credentials a discovered peer uses: follow via to a configured
 * peer; an empty via means this node's own [peer_sync] credentials. */
static void resolve_cred(struct peersync *ps, struct ps_peer *p)
{
	char via[PEER_URL_MAX];
	sqlite3_stmt *s;
	int hop, row;

	p->cred = NULL;
	p->cred_error = NULL;
	if (strcmp(p->origin, "discovered") != 0) {
		if (!(p->cred = cfg_peer(ps->cfg, p->name)))
			p->cred_error = "not in the configuration";
		return;
	}
	snprintf(via, sizeof(via), "%s", p->via);
	for (hop = 0; hop < VIA_HOPS; hop++) {
		if (!via[0])
			return;
		if ((p->cred = cfg_peer(ps->cfg, via)))
			return;
		if (!(s = prep(ps, SQL_VIA)))
			break;
		sqlite3_bind_text(s, 1, via, -1, SQLITE_STATIC);
		row = sqlite3_step(s) == SQLITE_ROW &&
		      !strcmp((const char *)sqlite3_column_text(s, 0), "discovered");
		if (row)
			snprintf(via, sizeof(via), "%s", (const char *)sqlite3_column_text(s, 1));
		sqlite3_finalize(s);
		if (!row)
			break;
	}
	p->cred_error = "the peer that introduced it is no longer configured";
}

int peers_load(struct peersync *ps, struct ps_peer **out, size_t *n)
{
	sqlite3_stmt *s = prep(ps, SQL_LOAD);
	struct ps_peer *v = NULL;
	size_t i, k = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!s)
		return DADNS_EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ps_peer p;

		memset(&p, 0, sizeof(p));
		snprintf(p.name, sizeof(p.name), "%s", (const char *)sqlite3_column_text(s, 0));
		snprintf(p.url, sizeof(p.url), "%s", (const char *)sqlite3_column_text(s, 1));
		snprintf(p.origin, sizeof(p.origin), "%s", (const char *)sqlite3_column_text(s, 2));
		snprintf(p.via, sizeof(p.via), "%s", (const char *)sqlite3_column_text(s, 3));
		p.failures = sqlite3_column_int(s, 4);
		p.degraded = sqlite3_column_int(s, 5);
		if (ps->self[0] && !strcmp(p.url, ps->self))
			continue;  /* this node, announced back to it */
		v = xrealloc(v, (k + 1) * sizeof(*v));
		v[k++] = p;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		log_err("peersync: cannot read the peers: %s", store_errmsg(ps->st));
		free(v);
		return DADNS_EIO;
	}
	for (i = 0; i < k; i++)
		resolve_cred(ps, &v[i]);
	*out = v;
	*n = k;
	return 0;
}

void peers_target(const struct peersync *ps, const struct ps_peer *p, struct peer_target *t)
{
	memset(t, 0, sizeof(*t));
	t->url = p->url;
	if (p->cred) {
		t->username = p->cred->username;
		t->password = p->cred->password;
		t->verify_ssl = p->cred->verify_ssl;
		t->ca_file = p->cred->ca_file;
	} else {
		t->username = ps->cfg->peer_sync.auth_username;
		t->password = ps->cfg->peer_sync.auth_password;
		t->verify_ssl = 1;
	}
	t->announce = ps->self[0] ? ps->self : NULL;
	t->discovered = !strcmp(p->origin, "discovered");
	t->connect_timeout_s = 5;
	t->timeout_s = 60;
}

int peers_record(struct peersync *ps, struct ps_peer *p, const char *error, int pulled, int tombs)
{
	int failures = error ? p->failures + 1 : 0, degraded = p->degraded;
	sqlite3_stmt *s;

	if (error && !degraded && failures >= PEERSYNC_DEGRADED_AFTER) {
		degraded = 1;
		log_warn("peersync: peer %s (%s) degraded: %d passes failed in a row (last: %s)", p->name,
			 p->url, failures, error);
	} else if (!error && degraded) {
		degraded = 0;
		log_info("peersync: peer %s (%s) recovered", p->name, p->url);
	}
	p->failures = failures;
	p->degraded = degraded;
	if (!(s = prep(ps, SQL_RECORD)))
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, util_now_ms());
	if (error)
		sqlite3_bind_text(s, 3, error, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, failures);
	sqlite3_bind_int(s, 5, degraded);
	sqlite3_bind_int(s, 6, pulled);
	sqlite3_bind_int(s, 7, tombs);
	return done(ps, s);
}

/* 1 when the query (url, name) finds a row, 0 not, <0 error. */
static int known(struct peersync *ps, const char *url, const char *name)
{
	sqlite3_stmt *s = prep(ps, SQL_KNOWN);
	int rc;

	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : DADNS_EIO;
}

static int n_discovered(struct peersync *ps)
{
	sqlite3_stmt *s = prep(ps, SQL_N_DISCOVERED);
	int n = -1;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

int peers_discover(struct peersync *ps, const struct ps_peer *from, const struct peer_url_list *urls,
		   int *added)
{
	/* The new peer is asked with the credentials `from` is asked with:
	 * via names the configured peer they belong to ("" = our own). */
	const char *via = strcmp(from->origin, "discovered") != 0 ? from->name : from->via;
	char name[PEER_URL_MAX];
	sqlite3_stmt *s;
	size_t i;
	int rc;

	*added = 0;
	for (i = 0; i < urls->n; i++) {
		const char *url = urls->v[i];

		if ((ps->self[0] && !strcmp(url, ps->self)) || peer_url_name(url, name, sizeof(name)) < 0)
			continue;
		if (peer_url_discoverable(url) < 0) {
			log_warn("peersync: peer %s named %s: a link-local, multicast or unspecified address; "
				 "not added", from->name, url);
			continue;
		}
		rc = known(ps, url, name);
		if (rc < 0)
			return rc;
		if (rc > 0)
			continue;
		if (n_discovered(ps) >= PEER_DISCOVERED_MAX) {
			log_warn("peersync: peer %s named %s: not added, %d discovered peers already", from->name,
				 url, PEER_DISCOVERED_MAX);
			return 0;
		}
		if (!(s = prep(ps, SQL_ADD)))
			return DADNS_EIO;
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, via, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, util_now_ms());
		if ((rc = done(ps, s)) < 0)
			return rc;
		log_info("peersync: discovered peer %s through %s", url, from->name);
		(*added)++;
	}
	return 0;
}
