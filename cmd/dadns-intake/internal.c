/* SPDX-License-Identifier: BSD-3-Clause */
/* internal.c -- GET /internal/...: what other dadns nodes read (zones, tombstones, peers)
 *
 * Only the [peer_sync] auth_username/auth_password open these; the DA
 * credentials do not (and the peer credentials open no DA endpoint: those
 * check [app]'s). The answers are JSON (see lib/peer.h for the shapes).
 * A caller that sends PEER_HTTP_ANNOUNCE_HEADER with its own URL is
 * recorded in the peers table as a discovered peer (origin 'discovered',
 * via NULL: called back with this node's own [peer_sync] credentials,
 * which the caller has just shown it holds).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-intake/intake.h"
#include "lib/domain.h"
#include "lib/log.h"
#include "lib/peer.h"
#include "lib/peer_http.h"

#define SQL_ZONES "SELECT domain, serial, updated_at, hostname, username FROM zones ORDER BY domain"
#define SQL_TOMBS "SELECT domain, serial, deleted_at FROM tombstones ORDER BY domain"
#define SQL_PEERS "SELECT url FROM peers ORDER BY name"
#define SQL_PEER_KNOWN "SELECT 1 FROM peers WHERE url = ?1 OR name = ?2"
#define SQL_DISCOVERED "SELECT count(*) FROM peers WHERE origin = 'discovered'"
#define SQL_ANNOUNCE                                                                         \
	"INSERT INTO peers(name, url, origin, via, first_seen_at) VALUES(?1, ?2, 'discovered',"   \
	" NULL, ?3) ON CONFLICT(name) DO NOTHING"

/* Answer with a JSON value (stolen) and an HTTP status. */
static void json_answer(struct intake_req *r, int status, json_t *j, const char *note)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	strbuf_reset(&r->answer);
	if (!text) {
		status = 500;
		strbuf_puts(&r->answer, "{\"error\":\"cannot encode the answer\"}");
	} else {
		strbuf_puts(&r->answer, text);
		free(text);
	}
	strbuf_puts(&r->answer, "\n");
	r->status = status;
	r->reject = status != 200;
	r->answer_type = "application/json";
	snprintf(r->note, sizeof(r->note), "%s", note);
}

static void json_error(struct intake_req *r, int status, const char *msg)
{
	json_answer(r, status, json_pack("{s:s}", "error", msg), msg);
}

/* The Basic credentials against [peer_sync]'s, both compared in constant
 * time. 1 when they match. */
static int peer_auth(struct intake_req *r, const char **why)
{
	const char *hdr = FCGX_GetParam("HTTP_AUTHORIZATION", r->fcgi->envp);
	const char *want_user = r->cfg->peer_sync.auth_username, *want_pass = r->cfg->peer_sync.auth_password;
	char *user = NULL, *pass = NULL;
	int rc, ok;

	rc = http_basic_auth_parse(hdr, &user, &pass);
	if (rc < 0) {
		*why = rc == DADNS_ENOENT ? "no credentials" : "malformed Authorization header";
		return 0;
	}
	if (!want_user || !*want_user || !want_pass || !*want_pass) {
		*why = "no [peer_sync] auth_username/auth_password configured";
		ok = 0;
	} else {
		ok = util_ct_streq(user, want_user) & util_ct_streq(pass, want_pass);
		*why = "wrong credentials";
	}
	util_free_secret(user);
	util_free_secret(pass);
	return ok;
}

static int sql_fail(struct intake_req *r, sqlite3_stmt *s, const char *what)
{
	log_err("intake: internal %s: %s", what, store_errmsg(r->st));
	sqlite3_finalize(s);
	json_error(r, 503, "database error");
	return -1;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	return v ? v : "";
}

static void zone_list(struct intake_req *r)
{
	sqlite3_stmt *s = NULL;
	json_t *a;
	int rc;

	if (sqlite3_prepare_v2(store_db(r->st), SQL_ZONES, -1, &s, NULL) != SQLITE_OK) {
		sql_fail(r, s, "zones");
		return;
	}
	a = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:s, s:s}", "domain", col_text(s, 0),
						   "serial", (json_int_t)sqlite3_column_int64(s, 1),
						   "zone_updated_at", (json_int_t)sqlite3_column_int64(s, 2),
						   "hostname", col_text(s, 3), "username", col_text(s, 4)));
	if (rc != SQLITE_DONE) {
		json_decref(a);
		sql_fail(r, s, "zones");
		return;
	}
	sqlite3_finalize(s);
	json_answer(r, 200, a, "zones listed");
	snprintf(r->note, sizeof(r->note), "%zu zones", json_array_size(a));
}

static void zone_one(struct intake_req *r, const char *d)
{
	char domain[DOMAIN_MAX + 1];
	struct store_zone z;
	json_t *j;
	int rc;

	if (domain_normalize(d, strlen(d), domain) < 0) {
		json_error(r, 400, "invalid domain");
		return;
	}
	rc = store_zone_get(r->st, domain, 1, &z);
	if (rc == DADNS_ENOENT) {
		json_error(r, 404, "no such zone");
		return;
	}
	if (rc < 0) {
		log_err("intake: internal zone %s: %s", domain, dadns_strerror(rc));
		json_error(r, 503, "database error");
		return;
	}
	j = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "domain", z.domain, "serial", (json_int_t)z.serial,
		      "zone_updated_at", (json_int_t)z.updated_at, "hostname", z.hostname ? z.hostname : "",
		      "username", z.username ? z.username : "", "zone_data", z.zone_text ? z.zone_text : "");
	json_answer(r, 200, j, "zone");
	snprintf(r->note, sizeof(r->note), "zone %s serial %lld", domain, (long long)z.serial);
	store_zone_deinit(&z);
}

static void tombstone_list(struct intake_req *r)
{
	sqlite3_stmt *s = NULL;
	json_t *a;
	int rc;

	if (sqlite3_prepare_v2(store_db(r->st), SQL_TOMBS, -1, &s, NULL) != SQLITE_OK) {
		sql_fail(r, s, "tombstones");
		return;
	}
	a = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:s, s:I, s:I}", "domain", col_text(s, 0), "serial",
						   (json_int_t)sqlite3_column_int64(s, 1), "deleted_at",
						   (json_int_t)sqlite3_column_int64(s, 2)));
	if (rc != SQLITE_DONE) {
		json_decref(a);
		sql_fail(r, s, "tombstones");
		return;
	}
	sqlite3_finalize(s);
	json_answer(r, 200, a, "tombstones");
	snprintf(r->note, sizeof(r->note), "%zu tombstones", json_array_size(a));
}

/* Append url (normalized) to a unless it is there already. */
static void url_add(json_t *a, const char *url)
{
	char norm[PEER_URL_MAX];
	json_t *v;
	size_t i;

	if (!url || peer_url_normalize(url, norm) < 0)
		return;
	json_array_foreach(a, i, v)
		if (!strcmp(json_string_value(v), norm))
			return;
	json_array_append_new(a, json_string(norm));
}

/* Every peer this node knows (configured, from the environment,
 * discovered) and this node itself when it has an advertise_url. */
static void peer_list(struct intake_req *r)
{
	sqlite3_stmt *s = NULL;
	json_t *a = json_array();
	size_t i;
	int rc;

	url_add(a, r->cfg->peer_sync.advertise_url);
	for (i = 0; i < r->cfg->n_peers; i++)
		url_add(a, r->cfg->peers[i].url);
	if (sqlite3_prepare_v2(store_db(r->st), SQL_PEERS, -1, &s, NULL) != SQLITE_OK) {
		json_decref(a);
		sql_fail(r, s, "peers");
		return;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		url_add(a, col_text(s, 0));
	if (rc != SQLITE_DONE) {
		json_decref(a);
		sql_fail(r, s, "peers");
		return;
	}
	sqlite3_finalize(s);
	json_answer(r, 200, a, "peers");
	snprintf(r->note, sizeof(r->note), "%zu peers", json_array_size(a));
}

/* 1 when the statement (one text parameter or two) returns a row. */
static int sql_exists(struct intake_req *r, const char *sql, const char *a1, const char *a2, int64_t *count)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(store_db(r->st), sql, -1, &s, NULL) != SQLITE_OK)
		goto out;
	if (a1)
		sqlite3_bind_text(s, 1, a1, -1, SQLITE_STATIC);
	if (a2)
		sqlite3_bind_text(s, 2, a2, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && count)
		*count = sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(s);
	return rc;
}

/* A caller that names its own URL becomes a discovered peer (once). */
static void announce(struct intake_req *r)
{
	const char *v = FCGX_GetParam("HTTP_X_DADNS_PEER_URL", r->fcgi->envp);
	char url[PEER_URL_MAX], self[PEER_URL_MAX], name[PEER_URL_MAX];
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	size_t i;

	if (!v || !*v)
		return;
	if (strlen(v) >= PEER_URL_MAX || peer_url_normalize(v, url) < 0 ||
	    peer_url_name(url, name, sizeof(name)) < 0 || peer_url_discoverable(url) < 0) {
		log_warn("intake: internal: caller %s announced an invalid URL; ignored", r->remote_addr);
		return;
	}
	if (r->cfg->peer_sync.advertise_url &&
	    peer_url_normalize(r->cfg->peer_sync.advertise_url, self) == 0 && !strcmp(self, url))
		return;
	for (i = 0; i < r->cfg->n_peers; i++)
		if (r->cfg->peers[i].url && peer_url_normalize(r->cfg->peers[i].url, self) == 0 &&
		    !strcmp(self, url))
			return;
	if (sql_exists(r, SQL_PEER_KNOWN, url, name, NULL) != 0)
		return;
	if (sql_exists(r, SQL_DISCOVERED, NULL, NULL, &n) < 0 || n >= PEER_DISCOVERED_MAX) {
		log_warn("intake: internal: peer %s announced by %s not recorded: %lld discovered peers "
			 "already (limit %d)", url, r->remote_addr, (long long)n, PEER_DISCOVERED_MAX);
		return;
	}
	if (sqlite3_prepare_v2(store_db(r->st), SQL_ANNOUNCE, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, util_now_ms());
		if (sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(store_db(r->st)) > 0)
			log_info("intake: internal: new peer %s (announced by %s)", url, r->remote_addr);
	}
	sqlite3_finalize(s);
}

void intake_internal(struct intake_req *r)
{
	const char *why = NULL, *domain = NULL;
	int rc;

	if (!peer_auth(r, &why)) {
		intake_answer(r, 401, "error", "1", "text", "Unauthorized", "details", why, NULL);
		return;
	}
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		r->allow = "GET, HEAD";
		json_error(r, 405, "use GET or HEAD");
		return;
	}
	rc = http_form_parse(&r->params, r->query, strlen(r->query));
	if (rc == 0)
		rc = http_form_get_unique(&r->params, "domain", &domain);
	if (rc < 0 && rc != DADNS_ENOENT) {
		json_error(r, 400, "bad query string");
		return;
	}
	announce(r);
	if (!strcmp(r->path, "/internal/zones")) {
		if (domain)
			zone_one(r, domain);
		else
			zone_list(r);
	} else if (!strcmp(r->path, "/internal/tombstones")) {
		tombstone_list(r);
	} else if (!strcmp(r->path, "/internal/peers")) {
		peer_list(r);
	} else {
		json_error(r, 404, "not found");
	}
}
