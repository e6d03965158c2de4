/* SPDX-License-Identifier: BSD-3-Clause */
/* test_catalog.c -- the catalog: member ids kept by the store, the list, serial, zone text */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/catalog.h"
#include "lib/log.h"
#include "lib/store.h"
#include "lib/util.h"
#include "lib/zone.h"
#include "tests/unit/tap.h"

static const char zone_text[] = "$ORIGIN a.test.\n@ 3600 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n";

static void test_list(void)
{
	struct catalog_list l;
	char name[64];
	int i, n = 0;

	catalog_list_init(&l);
	ok(catalog_list_set(&l, "a.test", "u1", "da1") == 1, "added");
	ok(catalog_list_set(&l, "a.test", "u1", "da1") == 0, "same: no change");
	ok(catalog_list_set(&l, "a.test", "u2", "da1") == 1, "new id: a change");
	ok(catalog_list_set(&l, "a.test", "u2", "da2") == 1, "new group: a change");
	ok(catalog_list_del(&l, "a.test") == 1 && catalog_list_del(&l, "a.test") == 0, "deleted once");
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "z%d.test", i);
		catalog_list_set(&l, name, "id", NULL);
		if (i % 3 == 0)
			catalog_list_del(&l, name);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "z%d.test", i);
		n += catalog_list_get(&l, name) != NULL;
	}
	is_int(n, 5000 - 1667, "5,000 set, every third deleted");
	is_int((int)l.n, n, "count kept");
	catalog_list_deinit(&l);
}

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

static void test_store(void)
{
	char dir[] = "/tmp/dadns-test-catalog-XXXXXX", path[256], err[256], uid1[40], uid2[40], g[64];
	const char *dom[] = { "a.test" };
	struct store *st = NULL;
	struct catalog_list l;
	uint32_t s1 = 0, s2 = 0;
	struct strbuf out;
	int how, records;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/dadns.db", dir);
	is_int(store_open(path, 0, 2000, &st, err, sizeof(err)), 0, "open");
	is_int(store_zone_put(st, "a.test", "da1.example", "u", zone_text, 1, 3, "da", &how, NULL, NULL),
	       0, "put");
	is_int(catalog_member_get(st, "a.test", uid1, g, sizeof(g)), 0, "member id given");
	is_str(g, "da1.example", "group: the DA hostname");
	is_int((int)strlen(uid1), 16, "64 random bits");
	store_zone_put(st, "a.test", "da1.example", "u", zone_text, 2, 3, "da", &how, NULL, NULL);
	catalog_member_get(st, "a.test", uid2, g, sizeof(g));
	is_str(uid2, uid1, "an update keeps the id");
	is_int(store_zone_delete(st, dom, 1, NULL, "da", NULL), 0, "delete");
	is_int(catalog_member_get(st, "a.test", uid2, g, sizeof(g)), DADNS_ENOENT, "no member once deleted");
	store_zone_put(st, "a.test", "da1.example", "u", zone_text, 3, 3, "da", &how, NULL, NULL);
	catalog_member_get(st, "a.test", uid2, g, sizeof(g));
	ok(strcmp(uid1, uid2) != 0, "a re-add gets a new id (RFC 9432 5.3: consumers start afresh)");
	is_int(catalog_serial_next(st, "b", &s1), 0, "serial");
	is_int(catalog_serial_next(st, "b", &s2), 0, "serial again");
	ok(s2 == s1 + 1, "one step");
	store_exec(st, "UPDATE catalog_serial SET serial = 4294967295");
	catalog_serial_next(st, "b", &s2);
	is_int((int)s2, 0, "RFC 1982: wraps to 0");
	/* served: a backend_state row with a serial, no delete pending */
	store_exec(st, "INSERT INTO backend_state(backend, domain, serial, result, attempts, applied_at)"
		       " VALUES('b', 'a.test', 3, 'ok', 0, 0)");
	store_exec(st, "UPDATE jobs SET state = 'done'");
	catalog_list_init(&l);
	is_int(catalog_list_load(st, "b", &l), 0, "load");
	is_int((int)l.n, 1, "a.test listed");
	catalog_list_deinit(&l);
	catalog_list_init(&l);
	store_exec(st, "UPDATE jobs SET state = 'done'");
	store_zone_delete(st, dom, 1, NULL, "da", NULL);
	store_zone_put(st, "a.test", "da1.example", "u", zone_text, 4, 3, "da", &how, NULL, NULL);
	catalog_list_load(st, "b", &l);
	is_int((int)l.n, 0, "a delete pending (re-added since): not listed until applied");
	catalog_list_set(&l, "a.test", "0123abcd", "da\"1\\x");
	strbuf_init(&out);
	catalog_render(&l, "cat.test", 7, 1, &out, &records);
	ok(strstr(out.buf, "@ 0 IN SOA invalid. invalid. 7 ") && strstr(out.buf, "version 0 IN TXT \"2\"") &&
	   strstr(out.buf, "0123abcd.zones 0 IN PTR a.test.\n") &&
	   strstr(out.buf, "group.0123abcd.zones 0 IN TXT \"da\\\"1\\\\x\"\n"), "zone text");
	is_int(records, 5, "SOA, NS, version, PTR, group");
	strbuf_deinit(&out);
	catalog_list_deinit(&l);
	ok(q(st, "SELECT count(*) FROM catalog_members") == 1, "one member row");
	store_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		return;
}

int main(void)
{
	log_init("test_catalog");
	log_set_level(LOG_LEVEL_ERR);
	test_list();
	test_store();
	return tap_done();
}
