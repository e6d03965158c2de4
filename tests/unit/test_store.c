/* SPDX-License-Identifier: BSD-3-Clause */
/* test_store.c -- the database: migrations, desired state + job in one transaction */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/store.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static long long q(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	long long n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/dadns-test-store-XXXXXX", path[256], err[512], *prev = NULL;
	struct store *st = NULL, *st2 = NULL;
	struct store_zone z;
	const char *failed = NULL;
	char host[64], user[64];
	int64_t job = 0;
	int how = 0;

	log_init("test_store");
	log_set_level(LOG_LEVEL_ERR);
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/dadns.db", dir);

	is_int(store_open(path, 1, 2000, &st, err, sizeof(err)), 0, "open creates the database");
	ok(q(st, "PRAGMA user_version") >= 7, "schema version 7 or later");
	is_int(q(st, "SELECT count(*) FROM sqlite_master WHERE name = 'secondaries'"), 1,
	       "table secondaries (v4)");
	is_int(q(st, "SELECT count(*) FROM sqlite_master WHERE name = 'push_log'"), 1,
	       "table push_log (v5)");
	is_int(q(st, "SELECT count(*) FROM sqlite_master WHERE name = 'catalog_members'"), 1,
	       "table catalog_members (v6)");
	is_int(q(st, "SELECT count(*) FROM pragma_table_info('backend_state') WHERE name = 'signed'"), 1,
	       "column backend_state.signed (v7)");
	ok(q(st, "SELECT count(*) FROM sqlite_master WHERE name IN"
		 " ('zones','jobs','tombstones','backend_state','peers','runs')") == 6, "all six tables");
	is_int(q(st, "PRAGMA synchronous"), 2, "synchronous FULL");
	is_int(store_open(path, 0, 2000, &st2, err, sizeof(err)), 0, "second open (no migration again)");
	is_int(q(st2, "PRAGMA synchronous"), 1, "synchronous NORMAL on the second connection");
	{
		sqlite3_stmt *s;
		sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode", -1, &s, NULL);
		sqlite3_step(s);
		is_str((const char *)sqlite3_column_text(s, 0), "wal", "WAL mode");
		sqlite3_finalize(s);
	}

	is_int(store_zone_put(st, "example.com", "da1", "fred", "$ORIGIN example.com.\n", 2024010101, 3, "da",
			      &how, &prev, &job), 0, "put stores");
	is_int(how, STORE_PUT_CREATED, "first put creates");
	ok(job > 0, "a job id is returned");
	is_int(q(st2, "SELECT count(*) FROM jobs WHERE domain = 'example.com' AND op = 'write'"
		      " AND state = 'queued' AND backends IS NULL"), 1, "one write job, all backends");
	is_int(store_zone_put(st, "example.com", "da1", "fred", "v2", 2024010101, 4, "da", &how, &prev, NULL),
	       0, "same serial again");
	is_int(how, STORE_PUT_UPDATED, "same owner updates");
	is_int(q(st, "SELECT records FROM zones WHERE domain = 'example.com'"), 4, "new records stored");
	is_int(q(st, "SELECT count(*) FROM jobs WHERE domain = 'example.com'"), 2, "second job queued");
	ok(prev == NULL, "no previous owner when not migrated");

	is_int(store_zone_owner(st, "example.com", host, sizeof(host), user, sizeof(user)), 0, "owner found");
	is_str(host, "da1", "owner hostname");
	is_str(user, "fred", "owner username");
	is_int(store_zone_owner(st, "nope.example", host, sizeof(host), NULL, 0), DADNS_ENOENT, "absent zone");

	is_int(store_zone_put(st, "example.com", "da2", "bob", "v3", 2024010102, 5, "da", &how, &prev, NULL),
	       0, "push from another DA");
	is_int(how, STORE_PUT_MIGRATED, "that is a migration");
	is_str(prev, "da1", "previous owner reported");
	free(prev);
	prev = NULL;

	is_int(store_zone_get(st, "example.com", 1, &z), 0, "get");
	is_str(z.zone_text, "v3", "text");
	is_int(z.serial, 2024010102, "serial");
	is_str(z.hostname, "da2", "new owner");
	ok(z.updated_at >= z.created_at && z.created_at > 0, "timestamps");
	store_zone_deinit(&z);
	is_int(store_zone_get(st, "example.com", 0, &z), 0, "get without text");
	ok(z.zone_text == NULL, "no text when not asked");
	store_zone_deinit(&z);

	/* Deletes: owner check, all or nothing. */
	store_zone_put(st, "b.test", "da2", "bob", "b", 1, 2, "da", NULL, NULL, NULL);
	{
		const char *both[] = { "b.test", "example.com" };
		const char *bad[] = { "b.test", "missing.test" };
		is_int(store_zone_delete(st, both, 2, "da1", "da", &failed), DADNS_EPERM, "non-owner refused");
		is_str(failed, "b.test", "the refused domain is named");
		is_int(q(st, "SELECT count(*) FROM zones"), 2, "nothing deleted");
		is_int(store_zone_delete(st, bad, 2, "da2", "da", &failed), DADNS_ENOENT, "absent zone refused");
		is_str(failed, "missing.test", "the absent domain is named");
		is_int(q(st, "SELECT count(*) FROM zones"), 2, "all or nothing");
		is_int(q(st, "SELECT count(*) FROM tombstones"), 0, "no tombstone");
		is_int(store_zone_delete(st, both, 2, "da2", "da", &failed), 0, "owner deletes two");
	}
	is_int(q(st2, "SELECT count(*) FROM zones"), 0, "both gone");
	is_int(q(st2, "SELECT count(*) FROM tombstones"), 2, "two tombstones");
	is_int(q(st2, "SELECT serial FROM tombstones WHERE domain = 'example.com'"), 2024010102,
	       "tombstone keeps the last serial");
	is_int(q(st2, "SELECT count(*) FROM jobs WHERE op = 'delete'"), 2, "two delete jobs");
	store_zone_put(st, "b.test", "da2", "bob", "b", 2, 2, "da", NULL, NULL, NULL);
	is_int(q(st, "SELECT count(*) FROM tombstones"), 1, "a re-push drops the tombstone");

	/* A writer holding the lock: the other connection waits, then reports busy. */
	is_int(store_begin(st2), 0, "second connection takes the write lock");
	{
		struct store *st3;
		int64_t t0;
		store_open(path, 1, 300, &st3, err, sizeof(err));
		t0 = util_mono_ms();
		is_int(store_zone_put(st3, "c.test", "", "", "c", 1, 1, "cli", NULL, NULL, NULL), DADNS_EBUSY,
		       "put while locked is EBUSY");
		ok(util_mono_ms() - t0 >= 250, "after waiting about busy_timeout");
		store_close(st3);
	}
	store_rollback(st2);
	is_int(store_job_add(st, "b.test", "write", "nsd", "retry", 2, util_now_ms() + 1000, &job), 0,
	       "job for one backend");
	is_int(q(st, "SELECT count(*) FROM jobs WHERE backends = 'nsd' AND attempt = 2"), 1, "stored as such");

	/* Guarded put and delete: the decision holds inside the transaction. */
	{
		struct store_guard g = { 0 };
		int64_t t0;

		g.present = 0;
		g.deleted_at = 0;
		is_int(store_zone_put_guarded(st, "g.test", "da1", "u", "v1", 1, 2, "peer", 1000, &g, &how, NULL,
					      NULL), 0, "guarded put of an absent zone");
		is_int(q(st, "SELECT updated_at FROM zones WHERE domain = 'g.test'"), 1000,
		       "keeps the updated_at given");
		ok(q(st, "SELECT created_at FROM zones WHERE domain = 'g.test'") > 1000, "created_at is now");
		is_int(store_zone_put_guarded(st, "g.test", "da1", "u", "v0", 1, 2, "peer", 900, &g, &how, NULL,
					      NULL), DADNS_EEXIST, "a guard that saw it absent fails once it exists");
		is_int(q(st, "SELECT count(*) FROM zones WHERE domain = 'g.test' AND zone_text = 'v1'"), 1,
		       "and changes nothing");
		/* A push lands between the read and the write. */
		g.present = 1;
		g.updated_at = 1000;
		is_int(store_zone_put(st, "g.test", "da1", "u", "v2", 2, 2, "da", &how, NULL, NULL), 0, "push");
		is_int(store_zone_put_guarded(st, "g.test", "da1", "u", "old", 1, 2, "peer", 0, &g, &how, NULL,
					      NULL), DADNS_EEXIST, "a stale guard cannot overwrite the push");
		is_int(store_zone_delete_guarded(st, "g.test", "peer", 5, &g), DADNS_EEXIST,
		       "nor delete it");
		is_int(q(st, "SELECT count(*) FROM zones WHERE domain = 'g.test' AND zone_text = 'v2'"), 1,
		       "the push stands");
		t0 = q(st, "SELECT updated_at FROM zones WHERE domain = 'g.test'");
		g.updated_at = t0;
		is_int(store_zone_delete_guarded(st, "g.test", "peer", 4242, &g), 0, "a fresh guard deletes");
		is_int(q(st, "SELECT deleted_at FROM tombstones WHERE domain = 'g.test'"), 4242,
		       "the tombstone keeps the time given");
		g.present = 0;
		g.deleted_at = 1;
		is_int(store_zone_put_guarded(st, "g.test", "da1", "u", "v3", 3, 2, "peer", 0, &g, &how, NULL,
					      NULL), DADNS_EEXIST, "a guard that saw another tombstone fails");
		g.deleted_at = 4242;
		is_int(store_zone_put_guarded(st, "g.test", "da1", "u", "v3", 3, 2, "peer", 0, &g, &how, NULL,
					      NULL), 0, "the right one passes");
		is_int(store_zone_delete_guarded(st, "nope.test", "peer", 0, NULL), DADNS_ENOENT,
		       "deleting an absent zone: ENOENT");
	}

	store_close(st);
	store_close(st2);
	/* A version 1 database (as the first release left it, with a peer row)
	 * is upgraded in place at open; its rows survive with the defaults. */
	{
		sqlite3 *db;
		long long v;
		sqlite3_open(path, &db);
		sqlite3_exec(db,
			     "ALTER TABLE peers DROP COLUMN failures; ALTER TABLE peers DROP COLUMN degraded;"
			     "ALTER TABLE peers DROP COLUMN origin; ALTER TABLE peers DROP COLUMN via;"
			     "ALTER TABLE peers DROP COLUMN first_seen_at;"
			     "ALTER TABLE backend_state DROP COLUMN signed;"
			     "INSERT INTO peers(name, url) VALUES ('old', 'https://old.test/');"
			     "PRAGMA user_version = 1",
			     NULL, NULL, NULL);
		sqlite3_close(db);
		is_int(store_open(path, 1, 2000, &st, err, sizeof(err)), 0, "a version 1 database opens");
		v = q(st, "PRAGMA user_version");
		ok(v >= 2, "and is migrated (now version %lld)", v);
		is_int(q(st, "SELECT failures + degraded FROM peers WHERE name = 'old'"
			     " AND origin = 'config' AND via IS NULL"), 0, "its peer row has the new columns");
		is_int(q(st, "SELECT count(*) FROM tombstones WHERE domain = 'example.com'"), 1, "its rows are kept");
		store_close(st);
	}
	/* A database from a newer dadns is refused. */
	{
		sqlite3 *db;
		sqlite3_open(path, &db);
		sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
		sqlite3_close(db);
		ok(store_open(path, 1, 100, &st, err, sizeof(err)) < 0 && strstr(err, "newer"),
		   "newer schema refused");
	}
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
