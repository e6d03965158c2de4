/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_jobs.c -- dadnsctl jobs: the queue, newest first */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadnsctl/ctl.h"
#include "cmd/dadnsctl/ctl_util.h"

static const char *col(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t ? t : "";
}

int ctl_jobs(struct ctl *c, int argc, char **argv)
{
	const char *where = "state IN ('queued', 'running', 'dead')";
	json_t *list = c->json ? json_array() : NULL;
	char sql[512], after[32];
	sqlite3_stmt *s = NULL;
	long limit = 1000;
	int rc, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dead"))
			where = "state = 'dead'";
		else if (!strcmp(argv[i], "--all"))
			where = "1";
		else if (!strcmp(argv[i], "--limit") && i + 1 < argc && ctl_parse_count(argv[i + 1], &limit) == 0)
			i++;
		else {
			json_decref(list);
			return ctl_usage("jobs");
		}
	}
	snprintf(sql, sizeof(sql),
		 "SELECT id, domain, op, coalesce(backends, '*'), source, state, attempt, run_after,"
		 " last_error FROM jobs WHERE %s ORDER BY id DESC LIMIT %ld", where, limit > 0 ? limit : 1000);
	if (sqlite3_prepare_v2(store_db(c->st), sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "dadnsctl: %s\n", store_errmsg(c->st));
		json_decref(list);
		return 1;
	}
	if (!c->json)
		printf("%-8s %-32s %-6s %-12s %-9s %-7s %-7s %-20s %s\n", "ID", "DOMAIN", "OP", "BACKEND",
		       "SOURCE", "STATE", "ATTEMPT", "RUN_AFTER", "LAST_ERROR");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ctl_time(sqlite3_column_int64(s, 7), after, sizeof(after));
		if (list)
			json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}",
				"id", (json_int_t)sqlite3_column_int64(s, 0), "domain", col(s, 1), "op",
				col(s, 2), "backend", col(s, 3), "source", col(s, 4), "state", col(s, 5),
				"attempt", sqlite3_column_int(s, 6), "run_after", after, "last_error",
				col(s, 8)));
		else
			printf("%-8lld %-32s %-6s %-12s %-9s %-7s %-7d %-20s %s\n",
			       (long long)sqlite3_column_int64(s, 0), col(s, 1), col(s, 2), col(s, 3),
			       col(s, 4), col(s, 5), sqlite3_column_int(s, 6), after, col(s, 8));
	}
	sqlite3_finalize(s);
	if (list)
		ctl_json_print(list);
	return rc == SQLITE_DONE ? 0 : 1;
}
