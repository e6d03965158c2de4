/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_status.c -- dadnsctl status: desired zones, queue, and each backend's sync */
#include <stdio.h>
#include <string.h>

#include "cmd/dadnsctl/ctl.h"
#include "cmd/dadnsctl/ctl_util.h"

/* One integer from a query with up to one text parameter; -1 on error. */
static long long count(struct ctl *c, const char *sql, const char *param)
{
	sqlite3_stmt *s = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(store_db(c->st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (param)
		sqlite3_bind_text(s, 1, param, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

int ctl_status(struct ctl *c, int argc, char **argv)
{
	static const char *const states[] = { "queued", "running", "done", "dead" };
	json_t *j = json_object(), *jobs = json_object(), *backends = json_array();
	long long zones, n;
	char sql[256];
	size_t i;

	if (argc != 0) {
		fprintf(stderr, "usage: dadnsctl status [--json]\n");
		json_decref(j);
		json_decref(jobs);
		json_decref(backends);
		return 2;
	}
	zones = count(c, "SELECT count(*) FROM zones", NULL);
	json_object_set_new(j, "zones", json_integer(zones));
	json_object_set_new(j, "tombstones", json_integer(count(c, "SELECT count(*) FROM tombstones", NULL)));
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE state = '%s'", states[i]);
		json_object_set_new(jobs, states[i], json_integer(count(c, sql, NULL)));
	}
	json_object_set_new(j, "jobs", jobs);
	for (i = 0; i < c->cfg.n_backends; i++) {
		const struct config_backend *b = &c->cfg.backends[i];
		long long in_sync, failing;

		/* In sync: last given this zone's serial successfully, after its last push. */
		in_sync = count(c, "SELECT count(*) FROM zones z JOIN backend_state b ON b.domain = z.domain"
				   " AND b.backend = ?1 WHERE b.result = 'ok' AND b.serial = z.serial"
				   " AND b.applied_at >= z.updated_at", b->name);
		failing = count(c, "SELECT count(*) FROM backend_state WHERE backend = ?1 AND result = 'fail'",
				b->name);
		n = zones - in_sync - count(c, "SELECT count(*) FROM zones z JOIN backend_state b ON"
					      " b.domain = z.domain AND b.backend = ?1 WHERE b.result = 'fail'",
					      b->name);
		json_array_append_new(backends, json_pack("{s:s, s:s, s:b, s:I, s:I, s:I}", "name", b->name,
			"type", b->type, "enabled", b->enabled, "in_sync", (json_int_t)in_sync, "behind",
			(json_int_t)(n < 0 ? 0 : n), "failing", (json_int_t)failing));
	}
	json_object_set_new(j, "backends", backends);
	if (c->json) {
		ctl_json_print(j);
		return zones < 0 ? 1 : 0;
	}
	printf("zones:      %lld desired, %lld tombstones\n", zones,
	       (long long)json_integer_value(json_object_get(j, "tombstones")));
	printf("jobs:      ");
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		printf(" %s %lld", states[i], (long long)json_integer_value(json_object_get(jobs, states[i])));
	printf("\n");
	for (i = 0; i < json_array_size(backends); i++) {
		json_t *b = json_array_get(backends, i);
		printf("backend %-12s %-15s %s in sync %lld, behind %lld, failing %lld\n",
		       json_string_value(json_object_get(b, "name")),
		       json_string_value(json_object_get(b, "type")),
		       json_is_true(json_object_get(b, "enabled")) ? "enabled: " : "disabled:",
		       (long long)json_integer_value(json_object_get(b, "in_sync")),
		       (long long)json_integer_value(json_object_get(b, "behind")),
		       (long long)json_integer_value(json_object_get(b, "failing")));
	}
	json_decref(j);
	return zones < 0 ? 1 : 0;
}
