/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_config.c -- dadnsctl config check: the same loader every program uses */
#include <stdio.h>

#include "cmd/dadnsctl/ctl.h"
#include "cmd/dadnsctl/ctl_util.h"
#include "lib/backends/backend.h"

static int creds_empty(const struct config *cfg)
{
	return !cfg->app.auth_username || !*cfg->app.auth_username || !cfg->app.auth_password ||
	       !*cfg->app.auth_password;
}

static void print_json(const struct config *cfg)
{
	json_t *backends = json_array();
	size_t i;

	for (i = 0; i < cfg->n_backends; i++)
		json_array_append_new(backends, json_pack("{s:s, s:s, s:b}", "name", cfg->backends[i].name,
							  "type", cfg->backends[i].type, "enabled",
							  cfg->backends[i].enabled));
	ctl_json_print(json_pack("{s:b, s:s, s:s, s:o, s:I, s:I, s:b}", "ok", 1, "file", cfg->path,
				 "db_path", cfg->app.db_path, "backends", backends, "directadmin_servers",
				 (json_int_t)cfg->n_directadmins, "peers", (json_int_t)cfg->n_peers,
				 "auth_configured", !creds_empty(cfg)));
}

/* What each enabled backend checks against the system it drives (NSD's
 * pattern); the first failure into err. */
static int backends_check(const struct config *cfg, char *err, size_t errlen)
{
	const struct backend_ops *ops;
	size_t i;

	for (i = 0; i < cfg->n_backends; i++) {
		const struct config_backend *b = &cfg->backends[i];

		ops = backend_find(b->type);
		if (b->enabled && ops && ops->check && ops->check(b, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int ctl_config_check(struct ctl *c, int argc, char **argv)
{
	size_t i, enabled = 0;
	char err[1024];

	if (argc != 0)
		return ctl_usage("config check");
	/* main() loaded the file already and stopped on any error. */
	if (backends_check(&c->cfg, err, sizeof(err)) < 0) {
		if (c->json)
			ctl_json_print(json_pack("{s:b, s:s}", "ok", 0, "error", err));
		fprintf(stderr, "dadnsctl: %s: %s\n", c->cfg.path, err);
		return CTL_EXIT_FAIL;
	}
	if (c->json) {
		print_json(&c->cfg);
		return CTL_EXIT_OK;
	}
	for (i = 0; i < c->cfg.n_backends; i++)
		enabled += c->cfg.backends[i].enabled != 0;
	printf("%s: OK (database %s; %zu backends, %zu enabled:", c->cfg.path, c->cfg.app.db_path,
	       c->cfg.n_backends, enabled);
	for (i = 0; i < c->cfg.n_backends; i++)
		if (c->cfg.backends[i].enabled)
			printf(" %s(%s)", c->cfg.backends[i].name, c->cfg.backends[i].type);
	printf("; %zu directadmin servers; %zu peers)\n", c->cfg.n_directadmins, c->cfg.n_peers);
	if (creds_empty(&c->cfg))
		printf("warning: [app] auth_username/auth_password are empty: the intake refuses every request\n");
	return CTL_EXIT_OK;
}
