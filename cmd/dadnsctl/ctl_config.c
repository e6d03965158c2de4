/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_config.c -- dadnsctl config check: the same loader every program uses */
#include <stdio.h>

#include "cmd/dadnsctl/ctl.h"

int ctl_config_check(struct ctl *c, int argc, char **argv)
{
	size_t i, enabled = 0;

	if (argc != 0) {
		fprintf(stderr, "usage: dadnsctl config check\n");
		return 2;
	}
	/* main() loaded the file already and stopped on any error. */
	for (i = 0; i < c->cfg.n_backends; i++)
		enabled += c->cfg.backends[i].enabled != 0;
	printf("%s: OK (database %s; %zu backends, %zu enabled:", c->cfg.path, c->cfg.app.db_path,
	       c->cfg.n_backends, enabled);
	for (i = 0; i < c->cfg.n_backends; i++)
		if (c->cfg.backends[i].enabled)
			printf(" %s(%s)", c->cfg.backends[i].name, c->cfg.backends[i].type);
	printf("; %zu directadmin servers; %zu peers)\n", c->cfg.n_directadmins, c->cfg.n_peers);
	if (!c->cfg.app.auth_username || !*c->cfg.app.auth_username || !c->cfg.app.auth_password ||
	    !*c->cfg.app.auth_password)
		printf("warning: [app] auth_username/auth_password are empty: the intake refuses every request\n");
	return 0;
}
