/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c -- dadns-worker: options, configuration, log; the work is in worker.c */
#include <stdio.h>

#include "cmd/dadns-worker/worker.h"
#include "lib/config.h"
#include "lib/prog.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dadns-worker [-c FILE] [--once] [--log-file FILE]\n"
		"\n"
		"Apply queued zone changes to the DNS backends; retry, verify.\n"
		"\n"
		"  -c FILE           configuration (default %s)\n"
		"  --once            apply until nothing is runnable, then exit\n"
		"  --log-file FILE   log to FILE (reopened on SIGHUP) instead of stderr\n"
		"  --help, --version\n",
		CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	static const struct prog p = { "dadns-worker", usage, "--once", NULL, 2, 1 };
	struct config cfg;
	int once, rc;

	rc = prog_start(&p, argc, argv, &cfg, &once);
	if (rc != PROG_RUN)
		return rc;
	rc = worker_run(&cfg, once);
	config_deinit(&cfg);
	return rc;
}
