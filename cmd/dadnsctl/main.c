/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c -- dadnsctl: the operator's CLI, a table of verbs over the shared database */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadnsctl/ctl.h"
#include "lib/log.h"
#include "lib/util.h"

struct verb {
	const char *name;
	const char *sub;       /* second word ("zone show"), or NULL */
	int (*fn)(struct ctl *c, int argc, char **argv);
	int needs_store;
	const char *usage;
};

static const struct verb verbs[] = {
	{ "status", NULL, ctl_status, 1, "status [--json]" },
	{ "zones", NULL, ctl_zones, 1, "zones [--json]" },
	{ "zone", "show", ctl_zone_show, 1, "zone show DOMAIN [--json]" },
	{ "jobs", NULL, ctl_jobs, 1, "jobs [--dead|--all] [--limit N] [--json]" },
	{ "retry", NULL, ctl_retry, 1, "retry ID|--dead" },
	{ "push", NULL, ctl_push, 1, "push DOMAIN FILE [--hostname H] [--username U]" },
	{ "delete", NULL, ctl_delete, 1, "delete DOMAIN" },
	{ "config", "check", ctl_config_check, 0, "config check" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: dadnsctl [-c FILE] [--json] VERB [ARGS]\n\nverbs:\n");
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(f, "  %s\n", verbs[i].usage);
	fprintf(f, "\n  -c FILE   configuration (default %s)\n"
		   "  --json    machine-readable output for listings\n", CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	const char *cfgpath = NULL;
	struct ctl c = { 0 };
	char **args = xcalloc((size_t)argc + 1, sizeof(char *));
	const struct verb *v = NULL;
	char err[1024];
	int nargs = 0, rc = 2, i;
	size_t k;

	log_init("dadnsctl");
	log_set_level(LOG_LEVEL_WARN);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cfgpath = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			c.json = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (!strcmp(argv[i], "--version")) {
			printf("dadnsctl %s\n", DADNS_VERSION);
			rc = 0;
			goto out;
		} else
			args[nargs++] = argv[i];
	}
	for (k = 0; nargs > 0 && k < ARRAY_SIZE(verbs); k++) {
		if (strcmp(verbs[k].name, args[0]) != 0)
			continue;
		if (verbs[k].sub && (nargs < 2 || strcmp(verbs[k].sub, args[1]) != 0))
			continue;
		v = &verbs[k];
		break;
	}
	if (!v) {
		usage(stderr);
		goto out;
	}
	if (config_load(cfgpath, &c.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "dadnsctl: %s\n", err);
		rc = 1;
		goto out;
	}
	if (v->needs_store &&
	    store_open(c.cfg.app.db_path, c.cfg.app.durability_full, c.cfg.app.busy_timeout_ms, &c.st,
		       err, sizeof(err)) < 0) {
		fprintf(stderr, "dadnsctl: %s\n", err);
		rc = 1;
		goto out;
	}
	i = v->sub ? 2 : 1;
	rc = v->fn(&c, nargs - i, args + i);
out:
	store_close(c.st);
	config_deinit(&c.cfg);
	free(args);
	return rc;
}
