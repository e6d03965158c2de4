/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_retry.c -- dadnsctl retry ID|--dead: queue dead jobs again */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadnsctl/ctl.h"
#include "cmd/dadnsctl/ctl_util.h"
#include "lib/queue.h"
#include "lib/util.h"
#include "lib/wake.h"

static int parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0)
		return -1;
	*id = v;
	return 0;
}

/* A job's state, for the message when it cannot be retried. */
static void job_state(struct ctl *c, int64_t id, char *out, size_t outlen)
{
	sqlite3_stmt *s = NULL;

	snprintf(out, outlen, "?");
	if (sqlite3_prepare_v2(store_db(c->st), "SELECT state FROM jobs WHERE id = ?1", -1, &s, NULL) !=
	    SQLITE_OK)
		return;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static void report(struct ctl *c, int64_t id, int count)
{
	if (c->json) {
		ctl_json_print(id ? json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "queued")
				  : json_pack("{s:i}", "queued", count));
		return;
	}
	if (id)
		printf("job %" PRId64 " queued again\n", id);
	else
		printf("%d dead job%s queued again\n", count, count == 1 ? "" : "s");
}

int ctl_retry(struct ctl *c, int argc, char **argv)
{
	char state[16];
	int64_t id = 0;
	int count = 0, rc;

	if (argc != 1 || (strcmp(argv[0], "--dead") != 0 && parse_id(argv[0], &id) < 0)) {
		return ctl_usage("retry");
	}
	if (id)
		rc = queue_revive(c->st, id, util_now_ms());
	else
		rc = queue_revive_dead(c->st, util_now_ms(), &count);
	if (rc == DADNS_ENOENT) {
		fprintf(stderr, "dadnsctl: no job %" PRId64 "\n", id);
		return 1;
	}
	if (rc == DADNS_EINVAL) {
		job_state(c, id, state, sizeof(state));
		fprintf(stderr, "dadnsctl: job %" PRId64 " is %s, not dead\n", id, state);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "dadnsctl: retry: %s\n", store_errmsg(c->st));
		return 1;
	}
	/* Best effort: a worker that is not running applies it when it starts. */
	if (id || count > 0)
		wake_send(c->cfg.worker.wake_socket);
	report(c, id, count);
	return 0;
}
