/* SPDX-License-Identifier: BSD-3-Clause */
/* bind.c -- the bind backend: zone files and a named.conf include file, rndc reconfig / reload ZONE
 *
 * The include file named_conf (dadns owns it; named.conf includes it) holds
 * one `zone "D" { type primary; file "..."; };` line per zone, so the
 * registration survives any restart of named and is plain to read. A batch
 * that adds or removes zones costs ONE `rndc reconfig` (named loads new zones
 * and drops removed ones, and does not re-read the zones it has); a zone that
 * named already had and whose file changed costs one `rndc reload ZONE`; a
 * batch with more of them than reload_batch_threshold costs ONE `rndc
 * reload`, which re-reads only the zone files changed since their last load
 * (dnsfile_reload_all). Never a full reload per zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/backends/backend.h"
#include "lib/backends/dnsfile.h"
#include "lib/log.h"
#include "lib/util.h"

struct bind_state {
	char *zones_dir;
	char *include;
	struct dnsfile_ctl ctl;
	struct dnsfile_server srv;
	int verify;
	int timeout;
	int need_sync;      /* reconfig before trusting the include file */
	int64_t verify_until; /* verification of the last batch waits until then */
	int swept;          /* temporary files of a killed worker removed */
	struct dnsfile_xfr_state xfr; /* notify, allow_transfer, tsig_key */
};

/* What rndc answers to "reload ZONE" for a zone named does not have. */
static const char *const bind_unknown[] = { "no matching zone", "not found", NULL };

static void bind_close(void *state)
{
	struct bind_state *st = state;

	if (!st)
		return;
	free(st->zones_dir);
	free(st->include);
	dnsfile_ctl_deinit(&st->ctl);
	dnsfile_xfr_deinit(&st->xfr);
	free(st);
}

static int bind_open(const struct config_backend *cfg, void **state, char *err, size_t errlen)
{
	struct bind_state *st;
	char *label;
	int rc;

	*state = NULL;
	if (!cfg->named_conf || !*cfg->named_conf) {
		snprintf(err, errlen, "backend %s: set named_conf (an include file of zone "
			 "stanzas that dadns writes)", cfg->name);
		return DADNS_EINVAL;
	}
	st = xcalloc(1, sizeof(*st));
	rc = dnsfile_check_config(cfg, cfg->named_conf, "named_conf", &st->srv, err, errlen);
	if (rc < 0) {
		free(st);
		return rc;
	}
	rc = dnsfile_xfr_open(cfg, DNSFILE_BIND, cfg->named_conf, &st->xfr, err, errlen);
	if (rc < 0) {
		free(st);
		return rc;
	}
	st->zones_dir = xstrdup(cfg->zones_dir);
	st->include = xstrdup(cfg->named_conf);
	st->verify = cfg->verify;
	st->timeout = cfg->timeout;
	st->need_sync = 1;
	label = xasprintf("bind %s", cfg->name);
	dnsfile_ctl_init(&st->ctl, label, cfg->control && *cfg->control ? cfg->control : "rndc",
			 cfg->timeout);
	free(label);
	st->ctl.reload_threshold = (unsigned)cfg->reload_batch_threshold;
	st->ctl.verify = cfg->verify;
	*state = st;
	return 0;
}

static void bind_apply(void *state, struct backend_zone *zones, size_t n)
{
	struct bind_state *st = state;
	struct dnsfile_include_mode m = {
		.flavor = DNSFILE_BIND, .include = st->include, .zones_dir = st->zones_dir,
		.reconfig = "reconfig", .reload = "reload", .unknown = bind_unknown,
			.xfr = &st->xfr.x, .force_write = &st->xfr.force,
	};
	struct dnsfile_item *items;
	char xerr[BACKEND_ERR_MAX - 64];

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
	items = dnsfile_batch_prepare(st->zones_dir, st->ctl.label, zones, n);
	if (dnsfile_xfr_prepare(&st->xfr, xerr, sizeof(xerr)) < 0)
		dnsfile_batch_fail(items, n, -1, DADNS_ETEMPFAIL, xerr);
	else
		dnsfile_apply_include(&m, &st->ctl, items, n, &st->need_sync);
	dnsfile_batch_log(&st->ctl, items, n);
	st->verify_until = dnsfile_verify_deadline(st->timeout);
	dnsfile_batch_free(items, n);
}

static int bind_exists(void *state, const char *domain)
{
	struct bind_state *st = state;

	return dnsfile_exists(&st->srv, st->ctl.label, domain);
}

static int bind_verify(void *state, struct backend_zone *z)
{
	struct bind_state *st = state;

	if (!st->verify)
		return 0;
	return dnsfile_verify(&st->srv, st->ctl.label, st->verify_until, z);
}

const struct backend_ops backend_bind_ops = {
	.type = "bind",
	.open = bind_open,
	.close = bind_close,
	.apply = bind_apply,
	.exists = bind_exists,
	.verify = bind_verify,
};
