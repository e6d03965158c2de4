/* SPDX-License-Identifier: BSD-3-Clause */
/* operator.c -- GET /health, /status and /metrics: for load balancers, people and Prometheus */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-intake/intake.h"
#include "lib/acl.h"
#include "lib/log.h"
#include "lib/status.h"
#include "lib/status_ui.h"

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

static int is_set(const char *s)
{
	return s && *s;
}

/* The Basic credentials match user/pass: both comparisons always run, in
 * constant time. *why says what was wrong. */
static int creds_match(struct intake_req *r, const char *want_user, const char *want_pass,
		       const char **why)
{
	const char *hdr = FCGX_GetParam("HTTP_AUTHORIZATION", r->fcgi->envp);
	char *user = NULL, *pass = NULL;
	int rc, ok;

	rc = http_basic_auth_parse(hdr, &user, &pass);
	if (rc < 0) {
		*why = rc == DADNS_ENOENT ? "no credentials" : "malformed Authorization header";
		return 0;
	}
	if (!is_set(want_user) || !is_set(want_pass)) {
		*why = "no operator or DA credentials configured";
		ok = 0;
	} else {
		ok = util_ct_streq(user, want_user) & util_ct_streq(pass, want_pass);
		*why = "wrong credentials";
	}
	util_free_secret(user);
	util_free_secret(pass);
	return ok;
}

int intake_operator_admit(struct intake_req *r)
{
	const struct config *cfg = r->cfg;
	const char *why = NULL;
	int ok;

	if (is_set(cfg->app.operator_allow) && acl_match(cfg->app.operator_allow, r->remote_addr) == 1)
		return 0;
	/* Operator credentials, when set, replace the DA ones here: a DA
	 * login (stored on every DA server) then cannot read the queue. */
	if (is_set(cfg->app.operator_username))
		ok = creds_match(r, cfg->app.operator_username, cfg->app.operator_password, &why);
	else
		ok = creds_match(r, cfg->app.auth_username, cfg->app.auth_password, &why);
	if (ok)
		return 0;
	intake_answer(r, 401, "error", "1", "text", "Unauthorized", "details", why, NULL);
	return -1;
}

void intake_health(struct intake_req *r)
{
	char err[512];
	int worker;

	if (status_db_check(r->st, err, sizeof(err)) < 0) {
		/* The reason goes to the log only: /health is open to anyone. */
		log_err("intake: health: %s", err);
		intake_answer(r, 503, "error", "1", "text", "database unavailable", NULL);
		return;
	}
	worker = status_worker_running(r->cfg, err, sizeof(err));
	if (worker == 0) {
		log_warn("intake: health: no dadns-worker holds %s.worker.lock", r->cfg->app.db_path);
		intake_answer(r, 503, "error", "1", "text", "worker not running", NULL);
		return;
	}
	/* Cannot be told (e.g. the lock file is not readable by this user):
	 * not judged, said in the log. */
	if (worker < 0)
		log_debug("intake: health: worker unknown: %s", err);
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

/* The operator's page lists refused pushes too (lib/status_ui.h). */
static void log_refused(struct intake_req *r, const char *action, const char *result)
{
	const char *domain = http_form_get(&r->params, "domain");
	const char *why = r->note;
	int rc;

	if (!domain)
		domain = http_form_get(&r->params, "select0");
	if (!strncmp(why, "error=1 ", 8))
		why += 8;
	rc = status_ui_refused(r->st, action, domain, http_form_get(&r->params, "hostname"), result, why,
			       util_now_ms());
	if (rc < 0)
		log_debug("intake: cannot log a %s push: %s", result, dadns_strerror(rc));
}

void intake_count_push(struct intake_req *r, const char *action)
{
	const char *result;
	int rc;

	/* Accepted zones are counted by the store's trigger, in their own
	 * transaction; a refused request is counted here. */
	if (!r->reject)
		return;
	result = strstr(r->note, "text=Database ") ? "error" : "rejected";
	rc = status_count(r->st, "pushes", action, result, 1);
	if (rc < 0)
		log_debug("intake: cannot count a %s push: %s", result, dadns_strerror(rc));
	else
		log_refused(r, action, result);
}
