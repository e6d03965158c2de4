/* SPDX-License-Identifier: BSD-3-Clause */
/* status_secondary.c -- the watched secondaries in the status snapshot, JSON and /metrics */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/status.h"

static const char *const zone_states[] = { "in_sync", "behind", "missing", "extra", "unanswered" };

static int read_row(sqlite3_stmt *q, struct status_secondary *x)
{
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, x->name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return DADNS_EIO;
	x->state = xstrdup((const char *)sqlite3_column_text(q, 0));
	x->in_sync = sqlite3_column_int64(q, 1);
	x->behind = sqlite3_column_int64(q, 2);
	x->missing = sqlite3_column_int64(q, 3);
	x->extra = sqlite3_column_int64(q, 4);
	x->unanswered = sqlite3_column_int64(q, 5);
	x->checked_at = sqlite3_column_int64(q, 6);
	x->behind_since = sqlite3_column_int64(q, 7);
	return 0;
}

int status_collect_secondaries(struct store *st, const struct config *cfg, struct status *s)
{
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc = 0;

	s->max_lag_s = cfg->secondaries.max_lag_seconds;
	s->n_secondaries = cfg->n_secondary;
	s->secondaries = xcalloc(cfg->n_secondary ? cfg->n_secondary : 1, sizeof(*s->secondaries));
	for (i = 0; i < cfg->n_secondary; i++) {
		s->secondaries[i].name = cfg->secondary[i].name;
		s->secondaries[i].server = cfg->secondary[i].server;
	}
	if (!cfg->n_secondary)
		return 0;
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT state, in_sync, behind, missing, extra, unanswered, checked_at,"
			       " coalesce(behind_since, 0) FROM secondaries WHERE name = ?1",
			       -1, &q, NULL) != SQLITE_OK)
		rc = DADNS_EIO;
	for (i = 0; rc == 0 && i < cfg->n_secondary; i++)
		rc = read_row(q, &s->secondaries[i]);
	if (rc < 0)
		snprintf(s->error, sizeof(s->error), "cannot read secondaries: %s", store_errmsg(st));
	sqlite3_finalize(q);
	return rc;
}

void status_judge_secondaries(struct status *s)
{
	size_t i;

	for (i = 0; i < s->n_secondaries; i++) {
		const struct status_secondary *x = &s->secondaries[i];
		long long lag;

		if (!x->state || !strcmp(x->state, "in_sync") || x->behind_since <= 0)
			continue;
		lag = s->now > x->behind_since ? (s->now - x->behind_since) / 1000 : 0;
		if (lag <= s->max_lag_s)
			continue;
		if (!strcmp(x->state, "unreachable"))
			status_add_reason(s, "secondary %s (%s): unreachable for %lld s (more than "
				  "[secondary] max_lag_seconds = %d)", x->name, x->server, lag, s->max_lag_s);
		else
			status_add_reason(s, "secondary %s (%s): not in sync for %lld s (more than "
				  "[secondary] max_lag_seconds = %d): %lld zones behind, %lld missing, "
				  "%lld extra, %lld unanswered", x->name, x->server, lag, s->max_lag_s,
				  x->behind, x->missing, x->extra, x->unanswered);
	}
}

static json_t *time_or_null(int64_t ms)
{
	char buf[32];

	if (ms <= 0)
		return json_null();
	status_time(ms, buf, sizeof(buf));
	return json_string(buf);
}

json_t *status_secondaries_json(const struct status *s)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < s->n_secondaries; i++) {
		const struct status_secondary *x = &s->secondaries[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
			"name", x->name, "server", x->server, "state", x->state ? x->state : "unchecked",
			"in_sync", (json_int_t)x->in_sync, "behind", (json_int_t)x->behind,
			"missing", (json_int_t)x->missing, "extra", (json_int_t)x->extra,
			"unanswered", (json_int_t)x->unanswered, "checked_at", time_or_null(x->checked_at),
			"behind_since", time_or_null(x->behind_since)));
	}
	return a;
}

static void sample(struct strbuf *sb, const char *metric, const char *name, const char *state,
		   long long v)
{
	strbuf_printf(sb, "%s{secondary=\"", metric);
	status_prom_label(sb, name);
	if (state)
		strbuf_printf(sb, "\",state=\"%s", state);
	strbuf_printf(sb, "\"} %lld\n", v);
}

void status_metrics_secondaries(const struct status *s, struct strbuf *sb)
{
	size_t i, k;

	if (!s->n_secondaries)
		return;
	strbuf_puts(sb, "# HELP dadns_secondary_up Whether the secondary answered its last check (1), "
			"not (0); absent when never checked.\n# TYPE dadns_secondary_up gauge\n");
	for (i = 0; i < s->n_secondaries; i++)
		if (s->secondaries[i].state)
			sample(sb, "dadns_secondary_up", s->secondaries[i].name, NULL,
			       strcmp(s->secondaries[i].state, "unreachable") != 0);
	strbuf_puts(sb, "# HELP dadns_secondary_zones Zones of the secondary's last check by state "
			"(extra: served although gone).\n# TYPE dadns_secondary_zones gauge\n");
	for (i = 0; i < s->n_secondaries; i++) {
		const struct status_secondary *x = &s->secondaries[i];
		const long long v[] = { x->in_sync, x->behind, x->missing, x->extra, x->unanswered };

		if (!x->state)
			continue;
		for (k = 0; k < ARRAY_SIZE(zone_states); k++)
			sample(sb, "dadns_secondary_zones", x->name, zone_states[k], v[k]);
	}
	strbuf_puts(sb, "# HELP dadns_secondary_lag_seconds How long the secondary has not been in "
			"sync (0 when it is).\n# TYPE dadns_secondary_lag_seconds gauge\n");
	for (i = 0; i < s->n_secondaries; i++) {
		const struct status_secondary *x = &s->secondaries[i];

		if (x->state)
			sample(sb, "dadns_secondary_lag_seconds", x->name, NULL,
			       x->behind_since > 0 && s->now > x->behind_since
				       ? (s->now - x->behind_since) / 1000 : 0);
	}
}

void status_secondaries_deinit(struct status *s)
{
	size_t i;

	for (i = 0; i < s->n_secondaries; i++)
		free(s->secondaries[i].state);
	free(s->secondaries);
	s->secondaries = NULL;
	s->n_secondaries = 0;
}
