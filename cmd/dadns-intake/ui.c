/* SPDX-License-Identifier: BSD-3-Clause */
/* ui.c -- the operator's page: GET /ui/ and its files (compiled in, see
 * ui_assets.h), and the JSON it reads besides /status: /status/recent,
 * /status/charts, /status/zone?domain=D (lib/status_ui.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-intake/intake.h"
#include "cmd/dadns-intake/ui_assets.h"
#include "lib/log.h"
#include "lib/status_ui.h"

/* No inline script or style, nothing from elsewhere, no framing; the
 * page's fetches send no Referer. */
#define UI_HEADERS                                                                    \
	"Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n"       \
	"X-Content-Type-Options: nosniff\r\n"                                           \
	"Referrer-Policy: no-referrer\r\n"                                               \
	"X-Frame-Options: DENY\r\n"

static const struct {
	const char *ext;
	const char *type;
} ui_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
};

static const char *ui_type(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < ARRAY_SIZE(ui_types); i++) {
		size_t e = strlen(ui_types[i].ext);
		if (n > e && !strcmp(name + n - e, ui_types[i].ext))
			return ui_types[i].type;
	}
	return "application/octet-stream";
}

void intake_ui(struct intake_req *r)
{
	const char *name = r->path + 4;  /* after "/ui/" */
	size_t i;

	r->headers = UI_HEADERS;
	if (!*name)
		name = "index.html";
	for (i = 0; i < ui_assets_n; i++) {
		if (strcmp(ui_assets[i].name, name) != 0)
			continue;
		strbuf_reset(&r->answer);
		strbuf_append(&r->answer, (const char *)ui_assets[i].data, ui_assets[i].size);
		r->status = 200;
		r->answer_type = ui_type(name);
		r->quiet = strcmp(name, "index.html") != 0;
		snprintf(r->note, sizeof(r->note), "%zu octets", ui_assets[i].size);
		return;
	}
	intake_answer(r, 404, "error", "1", "text", "Not found", NULL);
}

/* Answer with j (stolen) as JSON. */
static void answer_json(struct intake_req *r, int status, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	r->headers = UI_HEADERS;
	if (!text) {
		intake_answer(r, 500, "error", "1", "text", "cannot encode the answer", NULL);
		return;
	}
	strbuf_reset(&r->answer);
	strbuf_puts(&r->answer, text);
	strbuf_puts(&r->answer, "\n");
	free(text);
	r->status = status;
	r->reject = status >= 400 && status != 404;  /* a zone not there is an answer */
	r->answer_type = "application/json";
}

static void answer_error(struct intake_req *r, int status, const char *why)
{
	answer_json(r, status, json_pack("{s:s}", "error", why));
	snprintf(r->note, sizeof(r->note), "%s", why);
}

void intake_status_recent(struct intake_req *r)
{
	char err[512];
	json_t *j = status_ui_recent(r->st, r->cfg, util_now_ms(), err, sizeof(err));

	if (!j) {
		log_err("intake: status/recent: %s", err);
		answer_error(r, 503, "cannot read the database");
		return;
	}
	r->quiet = 1;
	answer_json(r, 200, j);
}

void intake_status_charts(struct intake_req *r)
{
	char err[512];
	json_t *j = status_ui_charts(r->st, r->cfg, util_now_ms(), err, sizeof(err));

	if (!j) {
		log_err("intake: status/charts: %s", err);
		answer_error(r, 503, "cannot read the database");
		return;
	}
	r->quiet = 1;
	answer_json(r, 200, j);
}

void intake_status_zone(struct intake_req *r)
{
	char domain[DOMAIN_MAX + 1], err[512];
	const char *why = NULL;
	json_t *j = NULL;
	int rc;

	if (status_ui_zone_query(r->query, domain, &why) < 0) {
		answer_error(r, 400, why);
		return;
	}
	rc = status_ui_zone(r->st, r->cfg, domain, util_now_ms(), &j, err, sizeof(err));
	if (rc == 0 || rc == DADNS_ENOENT) {
		answer_json(r, rc == 0 ? 200 : 404, j);
		snprintf(r->note, sizeof(r->note), "domain=%s%s", domain, rc == 0 ? "" : " absent");
		return;
	}
	log_err("intake: status/zone %s: %s", domain, err);
	answer_error(r, 503, "cannot read the database");
}
