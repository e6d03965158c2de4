/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_secondaries.c -- dadnsctl secondaries check: ask every [secondary NAME] now, store, print */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/dadnsctl/ctl.h"
#include "cmd/dadnsctl/ctl_util.h"
#include "lib/secondary.h"
#include "lib/util.h"

static json_t *result_json(const struct secondary_result *r)
{
	char at[32], since[32];

	ctl_time(r->checked_at, at, sizeof(at));
	ctl_time(r->behind_since, since, sizeof(since));
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:o, s:I}", "name",
			 r->name, "server", r->server, "state", secondary_state_name(r->state),
			 "in_sync", (json_int_t)r->in_sync, "behind", (json_int_t)r->behind, "missing",
			 (json_int_t)r->missing, "extra", (json_int_t)r->extra, "unanswered",
			 (json_int_t)r->unanswered, "queries", (json_int_t)r->queries, "checked_at", at,
			 "behind_since", r->behind_since ? json_string(since) : json_null(),
			 "duration_ms", (json_int_t)r->duration_ms);
}

int ctl_secondaries_check(struct ctl *c, int argc, char **argv)
{
	struct secondary_result *res = NULL;
	int rc, all_in_sync = 1;
	json_t *a;
	size_t i;

	if (argc != 0)
		return ctl_usage("secondaries check");
	if (!c->cfg.n_secondary) {
		fprintf(stderr, "dadnsctl: no [secondary NAME] section in %s: nothing to check\n",
			c->cfg.path);
		return CTL_EXIT_FAIL;
	}
	rc = secondary_check_all(&c->cfg, c->st, 1, &res);
	if (rc < 0) {
		fprintf(stderr, "dadnsctl: secondaries: %s: %s\n", dadns_strerror(rc), store_errmsg(c->st));
		return CTL_EXIT_FAIL;
	}
	a = json_array();
	for (i = 0; i < c->cfg.n_secondary; i++) {
		const struct secondary_result *r = &res[i];

		all_in_sync &= r->state == SECONDARY_IN_SYNC;
		if (c->json)
			json_array_append_new(a, result_json(r));
		else
			printf("secondary %-12s %s: %s: in_sync %lld, behind %lld, missing %lld, extra %lld, "
			       "unanswered %lld (%lld zones asked, %lld ms)\n", r->name, r->server,
			       secondary_state_name(r->state), r->in_sync, r->behind, r->missing, r->extra,
			       r->unanswered, r->queries, (long long)r->duration_ms);
	}
	if (c->json)
		ctl_json_print(a);
	else
		json_decref(a);
	free(res);
	return all_in_sync ? CTL_EXIT_OK : CTL_EXIT_DEGRADED;
}
