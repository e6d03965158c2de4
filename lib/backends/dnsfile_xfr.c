/* SPDX-License-Identifier: BSD-3-Clause */
/* dnsfile_xfr.c -- nsd and bind as primaries: the include file's per-zone
 * notify / transfer statements and the key file dadns owns (mode 0640) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/backends/dnsfile.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xfr.h"

int dnsfile_xfr_open(const struct config_backend *cfg, enum dnsfile_flavor flavor,
		     const char *include, struct dnsfile_xfr_state *s, char *err, size_t errlen)
{
	struct xfr_conf *x = xcalloc(1, sizeof(*x));
	char xerr[200];
	int rc;

	memset(s, 0, sizeof(*s));
	rc = xfr_conf_load(cfg, x, xerr, sizeof(xerr));
	if (rc < 0) {
		snprintf(err, errlen, "backend %s: %s", cfg->name, xerr);
		free(x);
		return rc;
	}
	s->force = 1;
	if (xfr_conf_any(x) && include) {
		s->extra = flavor == DNSFILE_NSD ? xfr_render_nsd(x) : xfr_render_bind(x);
		s->key_text = xfr_render_key(x, flavor == DNSFILE_NSD);
		if (s->key_text)
			s->keys_path = xasprintf("%s.keys", include);
	} else if (xfr_conf_any(x)) {
		log_info("backend %s: notify, allow_transfer and tsig_key are written by you in the "
			 "pattern %s of nsd.conf (README: \"Hidden primary\")", cfg->name, cfg->pattern);
	}
	s->x.zone_extra = s->extra;
	s->x.keys_path = s->keys_path;
	free(x);
	return 0;
}

int dnsfile_xfr_prepare(struct dnsfile_xfr_state *s, char *err, size_t errlen)
{
	int rc;

	if (!s->force || !s->key_text)
		return 0;
	/* Before the include file that names it: the daemon must find it. */
	rc = util_write_file_atomic(s->keys_path, s->key_text, strlen(s->key_text), 0640);
	if (rc < 0)
		snprintf(err, errlen, "cannot write %s: %s", s->keys_path, dadns_strerror(rc));
	return rc;
}

void dnsfile_xfr_deinit(struct dnsfile_xfr_state *s)
{
	free(s->extra);
	if (s->key_text)
		explicit_bzero(s->key_text, strlen(s->key_text)); /* holds the secret */
	free(s->key_text);
	free(s->keys_path);
	memset(s, 0, sizeof(*s));
}
