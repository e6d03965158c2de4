/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_status.c -- dadnsctl status: desired zones, queue, worker, backends, runs, peers */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadnsctl/ctl.h"
#include "cmd/dadnsctl/ctl_util.h"
#include "lib/status.h"

/* A run's summary: "key value, key value" for a JSON object, else as is. */
static void print_summary(const char *summary)
{
	json_t *j = status_summary_json(summary), *v;
	const char *key;
	int first = 1;

	if (!json_is_object(j)) {
		if (summary)
			printf(": %s", summary);
		json_decref(j);
		return;
	}
	json_object_foreach(j, key, v) {
		char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

		printf("%s%s %s", first ? ": " : ", ", key, text ? text : "?");
		free(text);
		first = 0;
	}
	json_decref(j);
}

static void print_run(const char *label, const struct status_run *r)
{
	char started[32], finished[32], ok_at[32];

	if (!r->present) {
		printf("%-11s never\n", label);
		return;
	}
	ctl_time(r->started_at, started, sizeof(started));
	ctl_time(r->finished_at, finished, sizeof(finished));
	printf("%-11s started %s, finished %s, %s", label, started, finished,
	       r->ok < 0 ? "result unknown" : r->ok ? "ok" : "failed");
	print_summary(r->summary);
	if (r->ok != 1) {
		ctl_time(r->last_ok_at, ok_at, sizeof(ok_at));
		printf(" (last success %s)", r->last_ok_at ? ok_at : "never");
	}
	printf("\n");
}

static void print_backend(const struct status_backend *b)
{
	char at[32];

	printf("backend %-12s %-15s %s in sync %lld, behind %lld, failing %lld", b->name, b->type,
	       b->enabled ? "enabled: " : "disabled:", b->in_sync, b->behind, b->failing);
	if (b->signed_zones > 0)
		printf(", signed %lld", b->signed_zones);
	printf("\n");
	if (b->last_error_domain) {
		ctl_time(b->last_error_at, at, sizeof(at));
		printf("        last error %s %s: %s\n", at, b->last_error_domain,
		       b->last_error ? b->last_error : "-");
	}
}

static void print_peer(const struct status_peer *p)
{
	char ok_at[32];

	ctl_time(p->last_ok_at, ok_at, sizeof(ok_at));
	printf("peer %-15s %s (%s): %s, %lld failed pass%s in a row, last ok %s%s%s\n", p->name, p->url,
	       p->origin, p->degraded ? "degraded" : "ok", p->failures, p->failures == 1 ? "" : "es",
	       ok_at, p->last_error ? ", last error: " : "", p->last_error ? p->last_error : "");
}

static void print_secondary(const struct status_secondary *x)
{
	char at[32], since[32];

	ctl_time(x->checked_at, at, sizeof(at));
	ctl_time(x->behind_since, since, sizeof(since));
	if (!x->state) {
		printf("secondary %-10s %s: never checked (dadns-reconcile, dadnsctl secondaries check)\n",
		       x->name, x->server);
		return;
	}
	printf("secondary %-10s %s: %s: in_sync %lld, behind %lld, missing %lld, extra %lld, "
	       "unanswered %lld; checked %s%s%s\n", x->name, x->server, x->state, x->in_sync, x->behind,
	       x->missing, x->extra, x->unanswered, at, x->behind_since ? ", not in sync since " : "",
	       x->behind_since ? since : "");
}

static void print_text(const struct status *s)
{
	size_t i;

	printf("zones:      %lld desired, %lld tombstones\n", s->zones, s->tombstones);
	printf("jobs:      ");
	for (i = 0; i < STATUS_JOB_STATES; i++)
		printf(" %s %lld", status_job_state_name((int)i), s->jobs[i]);
	printf("\n");
	printf("worker:     %s\n", s->worker < 0 ? "unknown (cannot read its lock file)"
				  : s->worker ? "running" : "not running");
	for (i = 0; i < s->n_backends; i++)
		print_backend(&s->backends[i]);
	print_run("reconcile:", &s->reconcile);
	print_run("peersync:", &s->peersync);
	for (i = 0; i < s->n_peers; i++)
		print_peer(&s->peers[i]);
	for (i = 0; i < s->n_secondaries; i++)
		print_secondary(&s->secondaries[i]);
	printf("overall:    %s", status_overall_name(s->overall));
	for (i = 0; i < s->n_reasons; i++)
		printf("%s%s", i ? "; " : " (", s->reasons[i]);
	printf("%s\n", s->n_reasons ? ")" : "");
}

int ctl_status(struct ctl *c, int argc, char **argv)
{
	struct status s;
	int check = 0, rc;

	if (argc == 1 && !strcmp(argv[0], "--check"))
		check = 1;
	else if (argc != 0)
		return ctl_usage("status");
	rc = status_collect(c->st, &c->cfg, util_now_ms(), &s);
	if (c->json)
		ctl_json_print(status_json(&s));
	else if (rc < 0)
		fprintf(stderr, "dadnsctl: %s\n", s.error);
	else
		print_text(&s);
	if (rc < 0)
		rc = CTL_EXIT_FAIL;
	else if (check && s.overall == STATUS_DEGRADED)
		rc = CTL_EXIT_DEGRADED;
	else
		rc = CTL_EXIT_OK;
	status_deinit(&s);
	return rc;
}
