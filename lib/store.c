/* SPDX-License-Identifier: BSD-3-Clause */
/* store.c -- the shared SQLite database: open, migrate, desired state, queue */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/store.h"
#include "lib/util.h"

enum stmt_id {
	ST_OWNER,
	ST_ZONE_UPSERT,
	ST_TOMB_DEL,
	ST_JOB_ADD,
	ST_ZONE_DEL,
	ST_TOMB_PUT,
	ST_ZONE_GET,
	ST_MAX
};

static const char *const stmt_sql[ST_MAX] = {
	[ST_OWNER] = "SELECT hostname, username, serial FROM zones WHERE domain = ?1",
	[ST_ZONE_UPSERT] =
		"INSERT INTO zones(domain, hostname, username, zone_text, serial, records, source,"
		" created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT(domain) DO UPDATE SET hostname = excluded.hostname,"
		" username = excluded.username, zone_text = excluded.zone_text,"
		" serial = excluded.serial, records = excluded.records, source = excluded.source,"
		" updated_at = excluded.updated_at",
	[ST_TOMB_DEL] = "DELETE FROM tombstones WHERE domain = ?1",
	[ST_JOB_ADD] =
		"INSERT INTO jobs(domain, op, backends, source, state, attempt, run_after,"
		" created_at, updated_at) VALUES(?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?7)",
	[ST_ZONE_DEL] = "DELETE FROM zones WHERE domain = ?1",
	[ST_TOMB_PUT] =
		"INSERT OR REPLACE INTO tombstones(domain, serial, hostname, username, deleted_at)"
		" VALUES(?1, ?2, ?3, ?4, ?5)",
	[ST_ZONE_GET] =
		"SELECT domain, hostname, username, CASE WHEN ?2 THEN zone_text END, serial, records,"
		" source, created_at, updated_at FROM zones WHERE domain = ?1",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmts[ST_MAX];
};

/* Version N of the schema is migrations[N - 1]. Never edit a released
 * migration: add a new one. */
static const char *const migrations[] = {
	"CREATE TABLE zones("
	"  domain TEXT PRIMARY KEY NOT NULL,"
	"  hostname TEXT NOT NULL DEFAULT '',"
	"  username TEXT NOT NULL DEFAULT '',"
	"  zone_text TEXT NOT NULL,"
	"  serial INTEGER NOT NULL,"
	"  records INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX zones_owner ON zones(hostname, domain);"
	"CREATE TABLE jobs("
	"  id INTEGER PRIMARY KEY,"
	"  domain TEXT NOT NULL,"
	"  op TEXT NOT NULL CHECK(op IN ('write', 'delete')),"
	"  backends TEXT,"
	"  source TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK(state IN ('queued', 'running', 'done', 'dead')),"
	"  attempt INTEGER NOT NULL DEFAULT 0,"
	"  run_after INTEGER NOT NULL,"
	"  lease_until INTEGER,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX jobs_state ON jobs(state, run_after);"
	"CREATE INDEX jobs_domain ON jobs(domain, state);"
	"CREATE TABLE tombstones("
	"  domain TEXT PRIMARY KEY NOT NULL,"
	"  serial INTEGER NOT NULL,"
	"  hostname TEXT NOT NULL DEFAULT '',"
	"  username TEXT NOT NULL DEFAULT '',"
	"  deleted_at INTEGER NOT NULL);"
	"CREATE TABLE backend_state("
	"  backend TEXT NOT NULL,"
	"  domain TEXT NOT NULL,"
	"  serial INTEGER,"
	"  result TEXT NOT NULL CHECK(result IN ('ok', 'fail')),"
	"  error TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  applied_at INTEGER NOT NULL,"
	"  verified_at INTEGER,"
	"  PRIMARY KEY(backend, domain));"
	"CREATE TABLE peers("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  url TEXT NOT NULL,"
	"  last_run_at INTEGER,"
	"  last_ok_at INTEGER,"
	"  last_error TEXT,"
	"  zones_pulled INTEGER NOT NULL DEFAULT 0,"
	"  tombstones_pulled INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE runs("
	"  id INTEGER PRIMARY KEY,"
	"  program TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL,"
	"  finished_at INTEGER,"
	"  ok INTEGER,"
	"  summary TEXT);"
	"CREATE INDEX runs_program ON runs(program, started_at);",
	/* 2: peer health and discovery. failures counts consecutive failed
	 * passes; degraded is set at 3 and cleared by a success; origin is
	 * 'config', 'env' or 'discovered'; via names the peer that introduced a
	 * discovered one (its credentials are used: none are stored here). */
	"ALTER TABLE peers ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE peers ADD COLUMN degraded INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE peers ADD COLUMN origin TEXT NOT NULL DEFAULT 'config';"
	"ALTER TABLE peers ADD COLUMN via TEXT;"
	"ALTER TABLE peers ADD COLUMN first_seen_at INTEGER;",
	/* 3: counters for /metrics, kept in the database because the intake
	 * may run as several processes. counters(metric, k1, k2) e.g.
	 * ('pushes', 'rawsave', 'ok'), ('applies', backend, 'tempfail'),
	 * ('retries', backend, ''); latency(backend, le_ms) counts applies whose
	 * push-to-applied time fell in the bucket up to le_ms (-1: +Inf). An
	 * accepted DA push is counted by a trigger, inside its transaction. */
	"CREATE TABLE IF NOT EXISTS counters("
	"  metric TEXT NOT NULL,"
	"  k1 TEXT NOT NULL DEFAULT '',"
	"  k2 TEXT NOT NULL DEFAULT '',"
	"  value INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY(metric, k1, k2)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS latency("
	"  backend TEXT NOT NULL,"
	"  le_ms INTEGER NOT NULL,"
	"  n INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY(backend, le_ms)) WITHOUT ROWID;"
	"CREATE TRIGGER IF NOT EXISTS counters_da_push AFTER INSERT ON jobs WHEN NEW.source = 'da' BEGIN"
	"  INSERT INTO counters(metric, k1, k2, value)"
	"  VALUES('pushes', CASE NEW.op WHEN 'delete' THEN 'delete' ELSE 'rawsave' END, 'ok', 1)"
	"  ON CONFLICT(metric, k1, k2) DO UPDATE SET value = value + 1;"
	" END;",
	/* 4: the secondaries watched ([secondary NAME], lib/secondary.h): what
	 * the last check counted; behind_since is when it was first seen not
	 * in sync (NULL while in sync). */
	"CREATE TABLE IF NOT EXISTS secondaries("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  server TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK(state IN ('in_sync', 'behind', 'unreachable')),"
	"  in_sync INTEGER NOT NULL DEFAULT 0,"
	"  behind INTEGER NOT NULL DEFAULT 0,"
	"  missing INTEGER NOT NULL DEFAULT 0,"
	"  extra INTEGER NOT NULL DEFAULT 0,"
	"  unanswered INTEGER NOT NULL DEFAULT 0,"
	"  checked_at INTEGER NOT NULL,"
	"  behind_since INTEGER);",
	/* 5: the operator's page (GET /ui/, lib/status_ui.h). push_log keeps the
	 * last 200 DA pushes and deletes: accepted ones written by a trigger on
	 * jobs (owner and serial as stored then), refused ones by the intake;
	 * push_served(seq, backend) when that backend first served the push
	 * (written by the worker with the outcome); push_minutes is a ring of
	 * 1440 per-minute counters, slot = minute % 1440, a slot reset when a
	 * newer minute reaches it. */
	"CREATE TABLE IF NOT EXISTS push_log("
	"  seq INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  domain TEXT NOT NULL,"
	"  op TEXT NOT NULL,"
	"  hostname TEXT NOT NULL DEFAULT '',"
	"  serial INTEGER,"
	"  result TEXT NOT NULL,"
	"  job_id INTEGER,"
	"  detail TEXT);"
	"CREATE INDEX IF NOT EXISTS push_log_domain ON push_log(domain, seq);"
	"CREATE TABLE IF NOT EXISTS push_served("
	"  seq INTEGER NOT NULL,"
	"  backend TEXT NOT NULL,"
	"  served_at INTEGER NOT NULL,"
	"  ms INTEGER NOT NULL,"
	"  PRIMARY KEY(seq, backend)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS push_minutes("
	"  slot INTEGER PRIMARY KEY,"
	"  minute INTEGER NOT NULL,"
	"  ok INTEGER NOT NULL DEFAULT 0,"
	"  refused INTEGER NOT NULL DEFAULT 0);"
	"CREATE TRIGGER IF NOT EXISTS push_log_da AFTER INSERT ON jobs WHEN NEW.source = 'da' BEGIN"
	"  INSERT INTO push_log(at, domain, op, hostname, serial, result, job_id)"
	"  VALUES(NEW.created_at, NEW.domain, CASE NEW.op WHEN 'delete' THEN 'delete' ELSE 'rawsave' END,"
	"   COALESCE((SELECT hostname FROM zones WHERE domain = NEW.domain),"
	"            (SELECT hostname FROM tombstones WHERE domain = NEW.domain), ''),"
	"   COALESCE((SELECT serial FROM zones WHERE domain = NEW.domain),"
	"            (SELECT serial FROM tombstones WHERE domain = NEW.domain)), 'ok', NEW.id);"
	"  INSERT INTO push_minutes(slot, minute, ok, refused)"
	"  VALUES((NEW.created_at / 60000) % 1440, NEW.created_at / 60000, 1, 0)"
	"  ON CONFLICT(slot) DO UPDATE SET"
	"   ok = CASE WHEN excluded.minute = minute THEN ok + 1 WHEN excluded.minute > minute THEN 1 ELSE ok END,"
	"   refused = CASE WHEN excluded.minute > minute THEN 0 ELSE refused END,"
	"   minute = max(minute, excluded.minute);"
	" END;"
	"CREATE TRIGGER IF NOT EXISTS push_log_trim AFTER INSERT ON push_log BEGIN"
	"  DELETE FROM push_log WHERE seq <= NEW.seq - 200;"
	"  DELETE FROM push_served WHERE seq <= NEW.seq - 200;"
	" END;",
	/* 6: the RFC 9432 catalog: every zone of the desired state has a member id
	 * for as long as it lives (triggers on zones, in the writer's own
	 * transaction; an upsert of a present zone is an UPDATE and keeps it);
	 * a zone deleted and added again gets a new id, so that consumers drop
	 * what they held and transfer it afresh (RFC 9432 section 5.3).
	 * catalog_serial: the serial each backend last published (lib/catalog.h). */
	"CREATE TABLE IF NOT EXISTS catalog_members("
	"  domain TEXT PRIMARY KEY NOT NULL,"
	"  uid TEXT NOT NULL UNIQUE,"
	"  added_at INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO catalog_members(domain, uid, added_at)"
	"  SELECT domain, lower(hex(randomblob(8))), created_at FROM zones;"
	"CREATE TRIGGER IF NOT EXISTS catalog_member_add AFTER INSERT ON zones BEGIN"
	"  INSERT OR REPLACE INTO catalog_members(domain, uid, added_at)"
	"  VALUES(NEW.domain, lower(hex(randomblob(8))), NEW.created_at);"
	" END;"
	"CREATE TRIGGER IF NOT EXISTS catalog_member_del AFTER DELETE ON zones BEGIN"
	"  DELETE FROM catalog_members WHERE domain = OLD.domain;"
	" END;"
	"CREATE TABLE IF NOT EXISTS catalog_serial("
	"  backend TEXT PRIMARY KEY NOT NULL,"
	"  serial INTEGER NOT NULL,"
	"  published_at INTEGER NOT NULL) WITHOUT ROWID;",
	/* 7: backend_state.signed: 1 when the last verification saw the zone
	 * served signed by the backend itself (knot, dnssec = sign). */
	"ALTER TABLE backend_state ADD COLUMN signed INTEGER NOT NULL DEFAULT 0;",
};

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

const char *store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->db);
}

int store_exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		log_err("store: %s: %s", sql, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
	}
	return 0;
}

int store_begin(struct store *st)
{
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		log_warn("store: database busy for longer than busy_timeout");
		return DADNS_EBUSY;
	}
	log_err("store: begin: %s", sqlite3_errmsg(st->db));
	return DADNS_EIO;
}

int store_commit(struct store *st)
{
	int rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	log_err("store: commit: %s", sqlite3_errmsg(st->db));
	store_rollback(st);
	return rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static sqlite3_stmt *stmt(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmts[id];

	if (!s) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			log_err("store: prepare: %s", sqlite3_errmsg(st->db));
			return NULL;
		}
		st->stmts[id] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Step a statement that returns no rows; 0 or DADNS_EIO/EBUSY. */
static int step_done(struct store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	log_err("store: %s", sqlite3_errmsg(st->db));
	return rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
}

static int user_version(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int version = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return version;
}

/* Run a statement whose only parameter is a domain. */
static int exec_domain(struct store *st, enum stmt_id id, const char *domain)
{
	sqlite3_stmt *s = stmt(st, id);

	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	return step_done(st, s);
}

static int migrate(struct store *st, char *err, size_t errlen)
{
	int version, rc;
	size_t i;

	/* Up to date: no write lock needed (another program may hold it). */
	if (user_version(st) == (int)ARRAY_SIZE(migrations))
		return 0;
	rc = store_begin(st);
	if (rc < 0) {
		snprintf(err, errlen, "cannot lock the database for migration: %s", sqlite3_errmsg(st->db));
		return rc;
	}
	version = user_version(st);
	if (version > (int)ARRAY_SIZE(migrations)) {
		snprintf(err, errlen, "database schema version %d is newer than this dadns (%zu)",
			 version, ARRAY_SIZE(migrations));
		store_rollback(st);
		return DADNS_EINVAL;
	}
	for (i = (size_t)version; i < ARRAY_SIZE(migrations); i++) {
		char *msg = NULL, pragma[64];
		if (sqlite3_exec(st->db, migrations[i], NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "migration to version %zu failed: %s", i + 1, msg ? msg : "?");
			sqlite3_free(msg);
			store_rollback(st);
			return DADNS_EIO;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %zu", i + 1);
		if (sqlite3_exec(st->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "cannot set user_version: %s", sqlite3_errmsg(st->db));
			store_rollback(st);
			return DADNS_EIO;
		}
		log_info("store: database migrated to schema version %zu", i + 1);
	}
	rc = store_commit(st);
	if (rc < 0)
		snprintf(err, errlen, "cannot commit the migration: %s", sqlite3_errmsg(st->db));
	return rc;
}

int store_open(const char *path, int durability_full, int busy_timeout_ms, struct store **out,
	       char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));
	char pragmas[256];
	char *msg = NULL;
	int rc;

	*out = NULL;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		rc = DADNS_EIO;
		goto out;
	}
	sqlite3_busy_timeout(st->db, busy_timeout_ms);
	snprintf(pragmas, sizeof(pragmas),
		 "PRAGMA journal_mode = WAL; PRAGMA synchronous = %s; PRAGMA foreign_keys = ON;",
		 durability_full ? "FULL" : "NORMAL");
	if (sqlite3_exec(st->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cannot set up database %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		rc = DADNS_EIO;
		goto out;
	}
	rc = migrate(st, err, errlen);
out:
	if (rc < 0) {
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < ST_MAX; i++)
		sqlite3_finalize(st->stmts[i]);
	sqlite3_close(st->db);
	free(st);
}

static int job_add(struct store *st, const char *domain, const char *op, const char *backend,
		   const char *source, int attempt, int64_t run_after, int64_t now, int64_t *job_id)
{
	sqlite3_stmt *s = stmt(st, ST_JOB_ADD);
	int rc;

	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, op, -1, SQLITE_STATIC);
	if (backend)
		sqlite3_bind_text(s, 3, backend, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, attempt);
	sqlite3_bind_int64(s, 6, run_after);
	sqlite3_bind_int64(s, 7, now);
	rc = step_done(st, s);
	if (rc == 0 && job_id)
		*job_id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store_job_add(struct store *st, const char *domain, const char *op, const char *backend,
		  const char *source, int attempt, int64_t run_after, int64_t *job_id)
{
	return job_add(st, domain, op, backend, source, attempt, run_after, util_now_ms(), job_id);
}

/* Current owner of domain inside the open transaction: 1 found, 0 not, <0 error. */
static int owner_get(struct store *st, const char *domain, char **hostname, char **username,
		     int64_t *serial)
{
	sqlite3_stmt *s = stmt(st, ST_OWNER);
	int rc;

	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (hostname)
			*hostname = xstrdup((const char *)sqlite3_column_text(s, 0));
		if (username)
			*username = xstrdup((const char *)sqlite3_column_text(s, 1));
		if (serial)
			*serial = sqlite3_column_int64(s, 2);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		log_err("store: owner of %s: %s", domain, sqlite3_errmsg(st->db));
		rc = rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
	}
	sqlite3_reset(s);
	return rc;
}

/* One integer of one row, domain = ?1: 1 and *v, 0 no row, <0 error. */
static int domain_int(struct store *st, const char *sql, const char *domain, int64_t *v)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_err("store: %s: %s", sql, sqlite3_errmsg(st->db));
		return DADNS_EIO;
	}
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
}

/* Inside the open transaction: is domain still as g says the caller saw
 * it? 0 yes, DADNS_EEXIST no, <0 error. */
static int guard_check(struct store *st, const char *domain, const struct store_guard *g)
{
	int64_t t = 0;
	int rc;

	if (!g)
		return 0;
	rc = domain_int(st, "SELECT updated_at FROM zones WHERE domain = ?1", domain, &t);
	if (rc < 0)
		return rc;
	if (rc != g->present || (rc && t != g->updated_at))
		return DADNS_EEXIST;
	if (g->present)
		return 0;
	t = 0;
	rc = domain_int(st, "SELECT deleted_at FROM tombstones WHERE domain = ?1", domain, &t);
	if (rc < 0)
		return rc;
	return t == g->deleted_at ? 0 : DADNS_EEXIST;
}

int store_zone_put(struct store *st, const char *domain, const char *hostname,
		   const char *username, const char *zone_text, int64_t serial, int records,
		   const char *source, int *how, char **prev_hostname, int64_t *job_id)
{
	return store_zone_put_guarded(st, domain, hostname, username, zone_text, serial, records, source,
				      0, NULL, how, prev_hostname, job_id);
}

int store_zone_put_guarded(struct store *st, const char *domain, const char *hostname,
			   const char *username, const char *zone_text, int64_t serial, int records,
			   const char *source, int64_t updated_at, const struct store_guard *g, int *how,
			   char **prev_hostname, int64_t *job_id)
{
	int64_t now = util_now_ms();
	char *prev = NULL;
	sqlite3_stmt *s;
	int rc, found, migrated;

	if (!hostname)
		hostname = "";
	if (!username)
		username = "";
	rc = store_begin(st);
	if (rc < 0)
		return rc;
	rc = guard_check(st, domain, g);
	if (rc < 0)
		goto out;
	found = owner_get(st, domain, &prev, NULL, NULL);
	if (found < 0) {
		rc = found;
		goto out;
	}
	s = stmt(st, ST_ZONE_UPSERT);
	if (!s) {
		rc = DADNS_EIO;
		goto out;
	}
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, hostname, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, username, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, zone_text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, serial);
	sqlite3_bind_int(s, 6, records);
	sqlite3_bind_text(s, 7, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, now);
	sqlite3_bind_int64(s, 9, updated_at > 0 ? updated_at : now);
	rc = step_done(st, s);
	if (rc < 0)
		goto out;
	rc = exec_domain(st, ST_TOMB_DEL, domain);
	if (rc < 0)
		goto out;
	rc = job_add(st, domain, "write", NULL, source, 0, now, now, job_id);
	if (rc < 0)
		goto out;
	rc = store_commit(st);
out:
	if (rc < 0) {
		store_rollback(st);
		free(prev);
		return rc;
	}
	migrated = found && strcmp(prev, hostname) != 0;
	if (how)
		*how = !found ? STORE_PUT_CREATED : migrated ? STORE_PUT_MIGRATED : STORE_PUT_UPDATED;
	if (prev_hostname && migrated)
		*prev_hostname = prev;
	else
		free(prev);
	return 0;
}

/* Remove one zone inside the open transaction; its tombstone says
 * deleted_at. */
static int delete_one(struct store *st, const char *domain, const char *hostname,
		      const char *source, int64_t now, int64_t deleted_at)
{
	char *owner = NULL, *user = NULL;
	int64_t serial = 0;
	sqlite3_stmt *s;
	int rc;

	rc = owner_get(st, domain, &owner, &user, &serial);
	if (rc <= 0) {
		rc = rc == 0 ? DADNS_ENOENT : rc;
		goto out;
	}
	if (hostname && strcmp(owner, hostname) != 0) {
		rc = DADNS_EPERM;
		goto out;
	}
	rc = exec_domain(st, ST_ZONE_DEL, domain);
	if (rc < 0)
		goto out;
	s = stmt(st, ST_TOMB_PUT);
	if (!s) {
		rc = DADNS_EIO;
		goto out;
	}
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, serial);
	sqlite3_bind_text(s, 3, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, deleted_at);
	rc = step_done(st, s);
	if (rc < 0)
		goto out;
	rc = job_add(st, domain, "delete", NULL, source, 0, now, now, NULL);
out:
	free(owner);
	free(user);
	return rc;
}

int store_zone_delete(struct store *st, const char *const *domains, int n,
		      const char *hostname, const char *source, const char **failed)
{
	int64_t now = util_now_ms();
	int rc, i;

	if (failed)
		*failed = NULL;
	rc = store_begin(st);
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++) {
		rc = delete_one(st, domains[i], hostname, source, now, now);
		if (rc < 0) {
			if (failed)
				*failed = domains[i];
			store_rollback(st);
			return rc;
		}
	}
	return store_commit(st);
}

int store_zone_delete_guarded(struct store *st, const char *domain, const char *source,
			      int64_t deleted_at, const struct store_guard *g)
{
	int64_t now = util_now_ms();
	int rc;

	rc = store_begin(st);
	if (rc < 0)
		return rc;
	rc = guard_check(st, domain, g);
	if (rc == 0)
		rc = delete_one(st, domain, NULL, source, now, deleted_at > 0 ? deleted_at : now);
	if (rc < 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

int store_zone_get(struct store *st, const char *domain, int with_text, struct store_zone *out)
{
	sqlite3_stmt *s = stmt(st, ST_ZONE_GET);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, with_text);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(out->domain, sizeof(out->domain), "%s", (const char *)sqlite3_column_text(s, 0));
		out->hostname = xstrdup((const char *)sqlite3_column_text(s, 1));
		out->username = xstrdup((const char *)sqlite3_column_text(s, 2));
		out->zone_text = xstrdup((const char *)sqlite3_column_text(s, 3));
		out->serial = sqlite3_column_int64(s, 4);
		out->records = sqlite3_column_int(s, 5);
		out->source = xstrdup((const char *)sqlite3_column_text(s, 6));
		out->created_at = sqlite3_column_int64(s, 7);
		out->updated_at = sqlite3_column_int64(s, 8);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = DADNS_ENOENT;
	} else {
		log_err("store: get %s: %s", domain, sqlite3_errmsg(st->db));
		rc = rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
	}
	sqlite3_reset(s);
	return rc;
}

void store_zone_deinit(struct store_zone *z)
{
	if (!z)
		return;
	free(z->hostname);
	free(z->username);
	free(z->zone_text);
	free(z->source);
	memset(z, 0, sizeof(*z));
}

int store_zone_owner(struct store *st, const char *domain, char *hostname, size_t hlen,
		     char *username, size_t ulen)
{
	sqlite3_stmt *s = stmt(st, ST_OWNER);
	int rc;

	if (!s)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (hostname && hlen)
			snprintf(hostname, hlen, "%s", (const char *)sqlite3_column_text(s, 0));
		if (username && ulen)
			snprintf(username, ulen, "%s", (const char *)sqlite3_column_text(s, 1));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = DADNS_ENOENT;
	} else {
		rc = rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
	}
	sqlite3_reset(s);
	return rc;
}
