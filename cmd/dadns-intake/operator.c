/* SPDX-License-Identifier: BSD-3-Clause */
/* operator.c -- GET /health, /status and /metrics: for load balancers, people and Prometheus */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-intake/intake.h"
#include "lib/log.h"
#include "lib/status.h"

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

void intake_health(struct intake_req *r)
{
	char err[512];

	if (status_db_check(r->st, err, sizeof(err)) < 0) {
		/* The reason goes to the log only: /health is open to anyone. */
		log_err("intake: health: %s", err);
		intake_answer(r, 503, "error", "1", "text", "database unavailable", NULL);
		return;
	}
	r->quiet = 1;
	intake_answer(r, 200, "error", "0", "text", "ok", NULL);
}

void intake_status(struct intake_req *r)
{
	struct status s;
	json_t *j;
	char *text;
	int rc;

	rc = status_collect(r->st, r->cfg, util_now_ms(), &s);
	if (rc < 0)
		log_err("intake: status: %s", s.error);
	j = status_json(&s);
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text) {
		intake_answer(r, 500, "error", "1", "text", "cannot encode the status", NULL);
		goto out;
	}
	strbuf_reset(&r->answer);
	strbuf_puts(&r->answer, text);
	strbuf_puts(&r->answer, "\n");
	free(text);
	r->status = rc < 0 ? 503 : 200;
	r->reject = rc < 0;
	r->answer_type = "application/json";
	snprintf(r->note, sizeof(r->note), "overall=%s", status_overall_name(s.overall));
out:
	status_deinit(&s);
}

void intake_metrics(struct intake_req *r)
{
	struct status s;
	int rc;

	rc = status_collect(r->st, r->cfg, util_now_ms(), &s);
	if (rc < 0)
		log_err("intake: metrics: %s", s.error);
	/* 200 even then: dadns_up 0 tells Prometheus what a failed scrape could not. */
	strbuf_reset(&r->answer);
	status_metrics(&s, &r->answer);
	r->status = 200;
	r->answer_type = METRICS_TYPE;
	snprintf(r->note, sizeof(r->note), "overall=%s", status_overall_name(s.overall));
	status_deinit(&s);
}
