/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_status.c -- dadnsctl status: desired zones, queue, and each backend's sync */
#include <stdio.h>
#include <string.h>

#include "cmd/dadnsctl/ctl.h"
#include "cmd/dadnsctl/ctl_util.h"
#include "lib/status.h"

static void print_run(const char *label, const struct status_run *r)
{
	char started[32], finished[32];

	if (!r->present) {
		printf("%-11s never\n", label);
		return;
	}
	ctl_time(r->started_at, started, sizeof(started));
	ctl_time(r->finished_at, finished, sizeof(finished));
	printf("%-11s started %s, finished %s, %s%s%s\n", label, started, finished,
	       r->ok < 0 ? "result unknown" : r->ok ? "ok" : "failed", r->summary ? ": " : "",
	       r->summary ? r->summary : "");
}

static void print_text(const struct status *s)
{
	size_t i;

	printf("zones:      %lld desired, %lld tombstones\n", s->zones, s->tombstones);
	printf("jobs:      ");
	for (i = 0; i < STATUS_JOB_STATES; i++)
		printf(" %s %lld", status_job_state_name((int)i), s->jobs[i]);
	printf("\n");
	for (i = 0; i < s->n_backends; i++) {
		const struct status_backend *b = &s->backends[i];

		printf("backend %-12s %-15s %s in sync %lld, behind %lld, failing %lld\n", b->name, b->type,
		       b->enabled ? "enabled: " : "disabled:", b->in_sync, b->behind, b->failing);
	}
	print_run("reconcile:", &s->reconcile);
	print_run("peersync:", &s->peersync);
	printf("overall:    %s", status_overall_name(s->overall));
	for (i = 0; i < s->n_reasons; i++)
		printf("%s%s", i ? "; " : " (", s->reasons[i]);
	printf("%s\n", s->n_reasons ? ")" : "");
}

int ctl_status(struct ctl *c, int argc, char **argv)
{
	struct status s;
	int rc;

	if (argc != 0) {
		fprintf(stderr, "usage: dadnsctl status [--json]\n");
		return 2;
	}
	rc = status_collect(c->st, &c->cfg, util_now_ms(), &s);
	if (c->json)
		ctl_json_print(status_json(&s));
	else if (rc < 0)
		fprintf(stderr, "dadnsctl: %s\n", s.error);
	else
		print_text(&s);
	status_deinit(&s);
	return rc < 0 ? 1 : 0;
}
