/* SPDX-License-Identifier: BSD-3-Clause */
/* nsd.c -- the nsd backend: zone files, registered with nsd-control addzones (pattern) or a zone: include file
 *
 * Two ways to register zones, chosen by the `pattern` key:
 *   pattern = NAME  nsd-control addzones / delzones under that pattern: one
 *                   command per batch (per NSD_BULK_MAX zones) for all
 *                   new zones, one for all deleted ones. NSD keeps the
 *                   registration in its zonelistfile. The pattern's
 *                   zonefile must be "<zones_dir>/%s.zone": open asks
 *                   NSD's configuration (nsd_conf.c) and refuses otherwise.
 *   pattern empty   the include file nsd_conf (dadns owns it) holds a zone:
 *                   stanza per zone; one nsd-control reconfig per batch
 *                   that adds or removes zones.
 * Either way a zone whose file changed while NSD already had it costs one
 * nsd-control reload ZONE; a batch with more such zones than
 * reload_batch_threshold costs ONE nsd-control reload without a zone, which
 * re-reads only the zone files whose mtime changed (dnsfile_reload_all).
 * Nothing ever restarts NSD.
 * Per batch: [delzones] + [addzones] + one reload per changed zone, or one
 * reload for them all.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/backends/backend.h"
#include "lib/backends/dnsfile.h"
#include "lib/backends/nsd_conf.h"
#include "lib/log.h"
#include "lib/util.h"

struct nsd_state {
	char *zones_dir;
	char *include;    /* include-file mode: nsd_conf */
	char *pattern;    /* pattern mode */
	struct dnsfile_ctl ctl;
	struct dnsfile_server srv;
	struct nsd_conf nc; /* NSD's nsd.conf and logfile */
	int verify;
	int timeout;
	int need_sync;      /* include mode: reconfig before trusting the file */
	int64_t verify_until; /* verification of the last batch waits until then */
	int swept;          /* temporary files of a killed worker removed */
	struct dnsfile_xfr_state xfr; /* notify, allow_transfer, tsig_key */
};

/* What NSD answers to "reload ZONE" for a zone it does not have. */
static const char *const nsd_unknown[] = { "not configured", NULL };

static int pattern_ok(const char *p)
{
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

static void nsd_close(void *state)
{
	struct nsd_state *st = state;

	if (!st)
		return;
	free(st->zones_dir);
	free(st->include);
	free(st->pattern);
	nsd_conf_deinit(&st->nc);
	dnsfile_ctl_deinit(&st->ctl);
	dnsfile_xfr_deinit(&st->xfr);
	free(st);
}

static int nsd_open(const struct config_backend *cfg, void **state, char *err, size_t errlen)
{
	int pattern_mode = cfg->pattern && *cfg->pattern;
	struct nsd_state *st;
	char *label;
	int rc;

	*state = NULL;
	if (!pattern_mode && (!cfg->nsd_conf || !*cfg->nsd_conf)) {
		snprintf(err, errlen, "backend %s: set pattern (nsd-control addzone) or nsd_conf "
			 "(an include file of zone: stanzas that dadns writes)", cfg->name);
		return DADNS_EINVAL;
	}
	if (pattern_mode && !pattern_ok(cfg->pattern)) {
		snprintf(err, errlen, "backend %s: pattern '%s' is not a plain name", cfg->name,
			 cfg->pattern);
		return DADNS_EINVAL;
	}
	st = xcalloc(1, sizeof(*st));
	rc = dnsfile_check_config(cfg, pattern_mode ? NULL : cfg->nsd_conf, "nsd_conf", &st->srv,
				  err, errlen);
	if (rc == 0)
		rc = nsd_conf_check(cfg, &st->nc, err, errlen);
	if (rc < 0) {
		nsd_conf_deinit(&st->nc);
		free(st);
		return rc;
	}
	rc = dnsfile_xfr_open(cfg, DNSFILE_NSD, pattern_mode ? NULL : cfg->nsd_conf, &st->xfr, err, errlen);
	if (rc < 0) {
		free(st);
		return rc;
	}
	st->zones_dir = xstrdup(cfg->zones_dir);
	st->pattern = pattern_mode ? xstrdup(cfg->pattern) : NULL;
	st->include = pattern_mode ? NULL : xstrdup(cfg->nsd_conf);
	st->verify = cfg->verify;
	st->timeout = cfg->timeout;
	st->need_sync = 1;
	label = xasprintf("nsd %s", cfg->name);
	dnsfile_ctl_init(&st->ctl, label,
			 cfg->control && *cfg->control ? cfg->control : "nsd-control", cfg->timeout);
	free(label);
	if (cfg->control_socket && *cfg->control_socket)
		dnsfile_ctl_use_socket(&st->ctl, cfg->control_socket);
	st->ctl.reload_threshold = (unsigned)cfg->reload_batch_threshold;
	st->ctl.verify = cfg->verify;
	*state = st;
	return 0;
}

static int item_cmp(const void *a, const void *b)
{
	const struct dnsfile_item *x = *(struct dnsfile_item *const *)a;
	const struct dnsfile_item *y = *(struct dnsfile_item *const *)b;

	return strcmp(x->z->domain, y->z->domain);
}

static struct dnsfile_item *item_find(struct dnsfile_item **idx, size_t n, const char *domain)
{
	struct backend_zone key = { .domain = domain };
	struct dnsfile_item k = { .z = &key }, *kp = &k, **hit;

	hit = bsearch(&kp, idx, n, sizeof(*idx), item_cmp);
	return hit ? *hit : NULL;
}

/* The name quoted in "...'NAME'..." or after a prefix, into name. */
static int line_name(const char *line, const char *prefix, char *name, size_t len)
{
	const char *p, *e;

	if (strncmp(line, prefix, strlen(prefix)) != 0)
		return 0;
	p = line + strlen(prefix);
	if (*p == '\'')
		p++;
	e = p + strcspn(p, "' \t");
	if (e == p || (size_t)(e - p) >= len)
		return 0;
	memcpy(name, p, (size_t)(e - p));
	name[e - p] = '\0';
	return 1;
}

/* Read what addzones / delzones said about each zone sent (idx, sorted):
 *   zone D already exists            (addzones: NSD knew D already)
 *   warning zone D not present       (delzones: nothing to delete)
 *   error for input line 'D'         (D failed; the line before says why)
 * ending with "added N zones" / "deleted N zones". Without that last line
 * the command failed as a whole (e.g. NSD is not running). */
static void nsd_bulk_result(struct nsd_state *st, struct dnsfile_item **idx, size_t m, int del,
			    struct strbuf *out, const char *msg)
{
	const char *summary = del ? "deleted " : "added ";
	char *line, *next, *prev = "", name[300];
	int whole = 0;
	size_t i;

	for (line = out->buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, summary, strlen(summary)) == 0 && strstr(line, " zones"))
			whole = 1;
	if (!whole) {
		for (i = 0; i < m; i++) {
			dnsfile_zone_fail(idx[i]->z, DADNS_ETEMPFAIL, "%s: %s", st->ctl.label,
					  msg[0] ? msg : "no summary line from nsd-control");
			idx[i]->done = 1;
		}
		return;
	}
	for (line = out->buf; line && *line; prev = line, line = next) {
		struct dnsfile_item *it;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!del && line_name(line, "zone ", name, sizeof(name)) &&
		    strstr(line, " already exists") && (it = item_find(idx, m, name))) {
			it->registered = 1;
			it->need_reload = 1;
		}
		if (!line_name(line, "error for input line ", name, sizeof(name)) ||
		    !(it = item_find(idx, m, name)) || it->done)
			continue;
		if (del && strncmp(prev, "warning zone ", 13) == 0 && strstr(prev, "not present"))
			continue;
		dnsfile_zone_fail(it->z, DADNS_ETEMPFAIL, "%s: nsd-control %s %s: %s",
				  st->ctl.label, del ? "delzones" : "addzones", name, prev);
		it->done = 1;
	}
}

/*
 * Zones per addzones / delzones. NSD 4.6 answers every input line while
 * nsd-control is still sending the input; over the unix control socket
 * (control-interface: /path) the two block each other from about 450
 * lines on (measured: 400 zones take 30 ms, 500 hang until killed), over
 * TLS they do not. 200 keeps a wide margin and costs a few ms per extra
 * command.
 */
#define NSD_BULK_MAX 200

/* Run addzones or delzones for every item of that kind not done yet (and,
 * for addzones, not known to NSD already), NSD_BULK_MAX zones a command. */
static void nsd_bulk(struct nsd_state *st, struct dnsfile_item *items, size_t n, int del)
{
	const char *args[] = { del ? "delzones" : "addzones", NULL };
	struct dnsfile_item **idx = xcalloc(n, sizeof(*idx));
	char msg[BACKEND_ERR_MAX - 64];
	struct strbuf in, out;
	size_t i, c, k, m = 0;

	strbuf_init(&in);
	strbuf_init(&out);
	for (i = 0; i < n; i++) {
		if (items[i].done || items[i].del != del || items[i].registered)
			continue;
		idx[m++] = &items[i];
	}
	for (c = 0; c < m; c += k) {
		k = m - c < NSD_BULK_MAX ? m - c : NSD_BULK_MAX;
		strbuf_reset(&in);
		strbuf_reset(&out);
		for (i = c; i < c + k; i++) {
			if (del)
				strbuf_printf(&in, "%s\n", idx[i]->z->domain);
			else
				strbuf_printf(&in, "%s %s\n", idx[i]->z->domain, st->pattern);
		}
		qsort(idx + c, k, sizeof(*idx), item_cmp);
		msg[0] = '\0';
		if (dnsfile_ctl_run(&st->ctl, args, in.buf, in.len, &out, msg, sizeof(msg)) == 0)
			msg[0] = '\0';
		nsd_bulk_result(st, idx + c, k, del, &out, msg);
	}
	free(idx);
	strbuf_deinit(&in);
	strbuf_deinit(&out);
}

/* A zone whose file was there before is most likely known to NSD: reload
 * it alone. When NSD does not know it (the worker died between writing the
 * file and addzones), it goes to addzones with the new ones. */
static void nsd_reload_known(struct nsd_state *st, struct dnsfile_item *items, size_t n,
			     int after_add)
{
	struct dnsfile_call *calls = xcalloc(n, sizeof(*calls));
	struct dnsfile_item **who = xcalloc(n, sizeof(*who));
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		struct dnsfile_item *it = &items[i];

		if (it->done || it->del || (after_add ? !it->need_reload : !it->file_existed))
			continue;
		calls[k].verb = "reload";
		calls[k].zone = it->z->domain;
		who[k++] = it;
	}
	dnsfile_ctl_run_many(&st->ctl, calls, k);
	for (i = 0; i < k; i++) {
		if (calls[i].rc == 0) {
			who[i]->registered = 1;
			continue;
		}
		if (!after_add && strstr(calls[i].out.buf, nsd_unknown[0]))
			continue;
		dnsfile_zone_fail(who[i]->z, DADNS_ETEMPFAIL, "%s: %s", st->ctl.label, calls[i].msg);
		who[i]->done = 1;
	}
	dnsfile_calls_free(calls, k);
	free(who);
}

/* The items to reload after addzones (need_reload) into who; how many. */
static size_t nsd_need_reload(struct dnsfile_item *items, size_t n, struct dnsfile_item **who)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!items[i].done && !items[i].del && items[i].need_reload)
			who[k++] = &items[i];
	return k;
}

static void nsd_apply_pattern(struct nsd_state *st, struct dnsfile_item *items, size_t n)
{
	struct dnsfile_item **who;
	size_t i, k = 0;

	nsd_bulk(st, items, n, 1);
	for (i = 0; i < n; i++)
		if (!items[i].done && !items[i].del && items[i].file_existed)
			k++;
	if (!dnsfile_reload_batched(&st->ctl, k)) {
		nsd_reload_known(st, items, n, 0);
		nsd_bulk(st, items, n, 0);
		/* Known to NSD although its file was new here: read the file now. */
		nsd_reload_known(st, items, n, 1);
		goto out;
	}
	/* Many changed zones (a rewrite of all zones): every zone goes to
	 * ONE addzones, which tells which NSD has already ("already exists":
	 * need_reload); those are re-read by ONE reload without a zone
	 * (dnsfile_reload_all: NSD re-reads only the files whose mtime
	 * changed), unless they are few. */
	nsd_bulk(st, items, n, 0);
	who = xcalloc(n, sizeof(*who));
	k = nsd_need_reload(items, n, who);
	if (dnsfile_reload_batched(&st->ctl, k))
		dnsfile_reload_all(&st->ctl, "reload", who, k);
	else
		nsd_reload_known(st, items, n, 1);
	free(who);
out:
	dnsfile_batch_finish(items, n, st->ctl.label);
}

static void nsd_apply(void *state, struct backend_zone *zones, size_t n)
{
	struct nsd_state *st = state;
	struct dnsfile_item *items;

	if (n == 0)
		return;
	if (!st->swept) {
		/* The first batch of this worker: a worker killed while writing
		 * left its temporary files (only the worker applies). */
		dnsfile_sweep_tmp(st->zones_dir, NULL, st->ctl.label);
		dnsfile_sweep_tmp_of(st->include, st->ctl.label);
		st->swept = 1;
	}
	dnsfile_ctl_batch_start(&st->ctl);
	nsd_conf_mark(&st->nc);
	items = dnsfile_batch_prepare(st->zones_dir, st->ctl.label, zones, n);
	if (st->pattern) {
		nsd_apply_pattern(st, items, n);
	} else {
		struct dnsfile_include_mode m = {
			.flavor = DNSFILE_NSD, .include = st->include, .zones_dir = st->zones_dir,
			.reconfig = "reconfig", .reload = "reload", .unknown = nsd_unknown,
			.xfr = &st->xfr.x, .force_write = &st->xfr.force,
		};
		char xerr[BACKEND_ERR_MAX - 64];

		if (dnsfile_xfr_prepare(&st->xfr, xerr, sizeof(xerr)) < 0)
			dnsfile_batch_fail(items, n, -1, DADNS_ETEMPFAIL, xerr);
		else
			dnsfile_apply_include(&m, &st->ctl, items, n, &st->need_sync);
	}
	dnsfile_batch_log(&st->ctl, items, n);
	st->verify_until = dnsfile_verify_deadline(st->timeout);
	dnsfile_batch_free(items, n);
}

static int nsd_exists(void *state, const char *domain)
{
	struct nsd_state *st = state;

	return dnsfile_exists(&st->srv, st->ctl.label, domain);
}

static int nsd_verify(void *state, struct backend_zone *z)
{
	struct nsd_state *st = state;
	char path[PATH_MAX];
	int rc;

	if (!st->verify)
		return 0;
	rc = dnsfile_verify(&st->srv, st->ctl.label, st->verify_until, z);
	/* Why NSD did not load it, in NSD's words, when it said so. */
	if (rc < 0 && dnsfile_zone_path(st->zones_dir, z->domain, path, sizeof(path)) == 0)
		nsd_conf_explain(&st->nc, st->ctl.label, path, z);
	return rc;
}

static int nsd_check(const struct config_backend *cfg, char *err, size_t errlen)
{
	return nsd_conf_check(cfg, NULL, err, errlen);
}

const struct backend_ops backend_nsd_ops = {
	.type = "nsd",
	.open = nsd_open,
	.close = nsd_close,
	.apply = nsd_apply,
	.exists = nsd_exists,
	.verify = nsd_verify,
	.check = nsd_check,
};
