/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c -- dadns-reconcile: options, configuration, log; the pass is in reconcile.c */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "cmd/dadns-reconcile/reconcile.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/prog.h"
#include "lib/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dadns-reconcile [-c FILE] [--dry-run] [--log-file FILE]\n"
		"\n"
		"One reconciliation pass, then exit (cron, systemd timer): ask every\n"
		"[directadmin NAME] server which domains it has; delete orphan zones, fix\n"
		"owners (migration, backfill); queue a job for every zone a backend is\n"
		"missing or serves behind (heal); then ask every [secondary NAME] for the\n"
		"SOA serial of every zone and store what it serves (dadnsctl status).\n"
		"\n"
		"  -c FILE           configuration (default %s)\n"
		"  --dry-run         log what would be done; change nothing\n"
		"  --log-file FILE   log to FILE (appended) instead of stderr\n"
		"  --help, --version\n"
		"\n"
		"Exit status: 0 every server was polled and every backend checked; 2 a\n"
		"server could not be polled (also: its list changed between pages), a\n"
		"server's orphans were kept (the mass-delete guard, or list entries that\n"
		"are not domain names), or a backend could not be checked (not answering);\n"
		"1 a fatal error.\n",
		CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	static const struct prog p = { "dadns-reconcile", usage, "--dry-run", "-n", 1, 1 };
	struct config cfg;
	int dry_run, rc;

	rc = prog_start(&p, argc, argv, &cfg, &dry_run);
	if (rc != PROG_RUN)
		return rc;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("reconcile: libcurl did not initialize");
		config_deinit(&cfg);
		return RECONCILE_EXIT_FATAL;
	}
	rc = reconcile_run(&cfg, dry_run);
	curl_global_cleanup();
	config_deinit(&cfg);
	return rc;
}
