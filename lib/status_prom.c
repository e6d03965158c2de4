/* SPDX-License-Identifier: BSD-3-Clause */
/* status_prom.c -- the status snapshot in the Prometheus text exposition format 0.0.4 */
#include <stdio.h>
#include <string.h>

#include "lib/status.h"

static const char *const job_states[STATUS_JOB_STATES] = { "queued", "running", "done", "dead" };

void status_prom_label(struct strbuf *sb, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\')
			strbuf_puts(sb, "\\\\");
		else if (*v == '"')
			strbuf_puts(sb, "\\\"");
		else if (*v == '\n')
			strbuf_puts(sb, "\\n");
		else
			strbuf_append(sb, v, 1);
	}
}

static void prom_head(struct strbuf *sb, const char *name, const char *type, const char *help)
{
	strbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{label="value"[,label2="value2"]} (without the value) */
static void prom_name(struct strbuf *sb, const char *name, const char *label, const char *value,
		      const char *label2, const char *value2)
{
	strbuf_puts(sb, name);
	if (label) {
		strbuf_printf(sb, "{%s=\"", label);
		status_prom_label(sb, value);
		if (label2) {
			strbuf_printf(sb, "\",%s=\"", label2);
			status_prom_label(sb, value2);
		}
		strbuf_puts(sb, "\"}");
	}
}

static void prom_sample(struct strbuf *sb, const char *name, const char *label, const char *value,
			const char *label2, const char *value2, long long n)
{
	prom_name(sb, name, label, value, label2, value2);
	strbuf_printf(sb, " %lld\n", n);
}

/* The value of counters(metric, k1, k2), 0 when absent. */
static long long counter(const struct status *s, const char *metric, const char *k1, const char *k2)
{
	size_t i;

	for (i = 0; i < s->n_counters; i++)
		if (!strcmp(s->counters[i].metric, metric) && !strcmp(s->counters[i].k1, k1) &&
		    !strcmp(s->counters[i].k2, k2))
			return s->counters[i].value;
	return 0;
}

static int in_list(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, list[i]))
			return 1;
	return 0;
}

static void metrics_pushes(const struct status *s, struct strbuf *sb)
{
	static const char *const actions[] = { "rawsave", "delete" };
	static const char *const results[] = { "ok", "rejected", "error" };
	size_t i, k;

	prom_head(sb, "dadns_pushes_total", "counter",
		  "DirectAdmin pushes by action and result: ok counts zones stored or deleted, "
		  "rejected and error count requests answered error=1.");
	/* Every usual series, so that rate() sees the first increase. */
	for (i = 0; i < ARRAY_SIZE(actions); i++)
		for (k = 0; k < ARRAY_SIZE(results); k++)
			prom_sample(sb, "dadns_pushes_total", "action", actions[i], "result", results[k],
				    counter(s, "pushes", actions[i], results[k]));
	for (i = 0; i < s->n_counters; i++) {
		const struct status_counter *c = &s->counters[i];

		if (!strcmp(c->metric, "pushes") && (!in_list(c->k1, actions, ARRAY_SIZE(actions)) ||
						     !in_list(c->k2, results, ARRAY_SIZE(results))))
			prom_sample(sb, "dadns_pushes_total", "action", c->k1, "result", c->k2, c->value);
	}
	prom_head(sb, "dadns_manual_retries_total", "counter",
		  "Dead jobs queued again by an operator (dadnsctl retry).");
	prom_sample(sb, "dadns_manual_retries_total", NULL, NULL, NULL, NULL,
		    counter(s, "manual_retries", "", ""));
}

static void metrics_acks(const struct status *s, struct strbuf *sb)
{
	prom_head(sb, "dadns_acks_total", "counter",
		  "Pushes answered with [app] ack = served, by outcome: served (every enabled "
		  "backend serves it) or timeout (answered after ack_timeout_ms).");
	prom_sample(sb, "dadns_acks_total", "mode", "served", "outcome", "served",
		    counter(s, "acks", "served", "served"));
	prom_sample(sb, "dadns_acks_total", "mode", "served", "outcome", "timeout",
		    counter(s, "acks", "served", "timeout"));
}

static void metrics_applies(const struct status *s, struct strbuf *sb)
{
	static const char *const results[] = { "ok", "tempfail", "permfail" };
	size_t i, k;

	prom_head(sb, "dadns_applies_total", "counter",
		  "Zones a backend was given, by result (ok, tempfail: retried, permfail).");
	for (i = 0; i < s->n_backends; i++)
		for (k = 0; k < ARRAY_SIZE(results); k++)
			prom_sample(sb, "dadns_applies_total", "backend", s->backends[i].name, "result",
				    results[k], counter(s, "applies", s->backends[i].name, results[k]));
	prom_head(sb, "dadns_retries_total", "counter",
		  "Failed applies queued again with backoff, per backend.");
	for (i = 0; i < s->n_backends; i++)
		prom_sample(sb, "dadns_retries_total", "backend", s->backends[i].name, NULL, NULL,
			    counter(s, "retries", s->backends[i].name, ""));
	prom_head(sb, "dadns_dead_jobs_total", "counter",
		  "Jobs that became dead (retries spent or a permanent failure), per backend.");
	for (i = 0; i < s->n_backends; i++)
		prom_sample(sb, "dadns_dead_jobs_total", "backend", s->backends[i].name, NULL, NULL,
			    counter(s, "dead", s->backends[i].name, ""));
}

static void metrics_latency(const struct status *s, struct strbuf *sb)
{
	const char *name = "dadns_apply_latency_seconds";
	size_t i, k;

	prom_head(sb, name, "histogram",
		  "Time from a change (a push, or a later heal, reconcile or peer job for it) "
		  "to a backend's successful apply.");
	for (i = 0; i < s->n_backends; i++) {
		const struct status_latency *l = &s->latency[i];
		long long cum = 0;
		char le[32];

		for (k = 0; k < status_latency_n; k++) {
			cum += l->n[k];
			if (status_latency_bounds[k] < 0)
				snprintf(le, sizeof(le), "+Inf");
			else
				snprintf(le, sizeof(le), "%g", (double)status_latency_bounds[k] / 1000.0);
			prom_sample(sb, "dadns_apply_latency_seconds_bucket", "backend", l->backend, "le", le,
				    cum);
		}
		prom_name(sb, "dadns_apply_latency_seconds_sum", "backend", l->backend, NULL, NULL);
		strbuf_printf(sb, " %.3f\n", (double)counter(s, "latency_sum_ms", l->backend, "") / 1000.0);
		prom_sample(sb, "dadns_apply_latency_seconds_count", "backend", l->backend, NULL, NULL, cum);
	}
}

static void metrics_backends(const struct status *s, struct strbuf *sb)
{
	static const char *const zstates[] = { "in_sync", "behind", "failing" };
	size_t i, k;

	prom_head(sb, "dadns_backend_enabled", "gauge", "Whether the backend is enabled (1) or not (0).");
	for (i = 0; i < s->n_backends; i++)
		prom_sample(sb, "dadns_backend_enabled", "backend", s->backends[i].name, "type",
			    s->backends[i].type, s->backends[i].enabled);
	prom_head(sb, "dadns_backend_zones", "gauge",
		  "Zones of a backend by state: in_sync, behind, failing.");
	for (i = 0; i < s->n_backends; i++) {
		const struct status_backend *b = &s->backends[i];
		long long n[] = { b->in_sync, b->behind, b->failing };

		for (k = 0; k < ARRAY_SIZE(zstates); k++)
			prom_sample(sb, "dadns_backend_zones", "backend", b->name, "state", zstates[k], n[k]);
	}
	prom_head(sb, "dadns_backend_signed_zones", "gauge",
		  "Desired zones the backend serves signed with its own keys (knot, dnssec = sign).");
	for (i = 0; i < s->n_backends; i++)
		prom_sample(sb, "dadns_backend_signed_zones", "backend", s->backends[i].name, NULL,
			    NULL, s->backends[i].signed_zones);
	prom_head(sb, "dadns_backend_oldest_job_seconds", "gauge",
		  "Age of the oldest queued or running job of a backend (0 when none).");
	for (i = 0; i < s->n_backends; i++)
		prom_sample(sb, "dadns_backend_oldest_job_seconds", "backend", s->backends[i].name, NULL,
			    NULL, s->backends[i].oldest_job_s < 0 ? 0 : s->backends[i].oldest_job_s);
}

static void metrics_runs(const struct status *s, struct strbuf *sb)
{
	const struct status_run *runs[] = { &s->reconcile, &s->peersync };
	static const char *const programs[] = { "reconcile", "peersync" };
	size_t i;

	prom_head(sb, "dadns_last_run_timestamp_seconds", "gauge",
		  "Start of the last run of a program, in seconds since the epoch.");
	for (i = 0; i < ARRAY_SIZE(runs); i++)
		if (runs[i]->present)
			prom_sample(sb, "dadns_last_run_timestamp_seconds", "program", programs[i], NULL,
				    NULL, runs[i]->started_at / 1000);
	prom_head(sb, "dadns_last_run_ok", "gauge",
		  "Whether the last finished run of a program succeeded (1) or not (0).");
	for (i = 0; i < ARRAY_SIZE(runs); i++)
		if (runs[i]->present && runs[i]->ok >= 0)
			prom_sample(sb, "dadns_last_run_ok", "program", programs[i], NULL, NULL, runs[i]->ok);
	prom_head(sb, "dadns_last_success_timestamp_seconds", "gauge",
		  "End of the last successful run of a program (reconcile, peersync), in seconds "
		  "since the epoch.");
	for (i = 0; i < ARRAY_SIZE(runs); i++)
		if (runs[i]->last_ok_at > 0)
			prom_sample(sb, "dadns_last_success_timestamp_seconds", "program", programs[i], NULL,
				    NULL, runs[i]->last_ok_at / 1000);
}

static void metrics_peers(const struct status *s, struct strbuf *sb)
{
	size_t i;

	prom_head(sb, "dadns_peer_up", "gauge", "Whether a peer is healthy (1) or degraded (0).");
	for (i = 0; i < s->n_peers; i++)
		prom_sample(sb, "dadns_peer_up", "peer", s->peers[i].name, NULL, NULL, !s->peers[i].degraded);
	prom_head(sb, "dadns_peer_failures", "gauge", "Failed peer-sync passes in a row, per peer.");
	for (i = 0; i < s->n_peers; i++)
		prom_sample(sb, "dadns_peer_failures", "peer", s->peers[i].name, NULL, NULL,
			    s->peers[i].failures);
	prom_head(sb, "dadns_peer_last_ok_timestamp_seconds", "gauge",
		  "Last successful pull from a peer, in seconds since the epoch.");
	for (i = 0; i < s->n_peers; i++)
		if (s->peers[i].last_ok_at > 0)
			prom_sample(sb, "dadns_peer_last_ok_timestamp_seconds", "peer", s->peers[i].name,
				    NULL, NULL, s->peers[i].last_ok_at / 1000);
}

void status_metrics(const struct status *s, struct strbuf *sb)
{
	size_t i;

	prom_head(sb, "dadns_up", "gauge", "Whether the database could be read (1) or not (0).");
	prom_sample(sb, "dadns_up", NULL, NULL, NULL, NULL, s->overall != STATUS_ERROR);
	prom_head(sb, "dadns_status", "gauge", "Overall state: 1 for the current one of ok, degraded, error.");
	for (i = STATUS_OK; i <= STATUS_ERROR; i++)
		prom_sample(sb, "dadns_status", "state", status_overall_name((int)i), NULL, NULL,
			    s->overall == (int)i);
	if (s->overall == STATUS_ERROR)
		return;
	prom_head(sb, "dadns_worker_up", "gauge",
		  "Whether a dadns-worker holds the database's worker lock (1) or not (0).");
	if (s->worker >= 0)
		prom_sample(sb, "dadns_worker_up", NULL, NULL, NULL, NULL, s->worker);
	prom_head(sb, "dadns_zones", "gauge", "Zones in the desired state.");
	prom_sample(sb, "dadns_zones", NULL, NULL, NULL, NULL, s->zones);
	prom_head(sb, "dadns_tombstones", "gauge", "Tombstones of deleted zones.");
	prom_sample(sb, "dadns_tombstones", NULL, NULL, NULL, NULL, s->tombstones);
	prom_head(sb, "dadns_jobs", "gauge", "Jobs by state.");
	for (i = 0; i < STATUS_JOB_STATES; i++)
		prom_sample(sb, "dadns_jobs", "state", job_states[i], NULL, NULL, s->jobs[i]);
	prom_head(sb, "dadns_dead_jobs", "gauge", "Jobs whose retries are spent (dadnsctl retry --dead).");
	prom_sample(sb, "dadns_dead_jobs", NULL, NULL, NULL, NULL, s->jobs[STATUS_JOB_DEAD]);
	metrics_pushes(s, sb);
	metrics_acks(s, sb);
	metrics_applies(s, sb);
	metrics_latency(s, sb);
	metrics_backends(s, sb);
	metrics_runs(s, sb);
	metrics_peers(s, sb);
	status_metrics_secondaries(s, sb);
}
