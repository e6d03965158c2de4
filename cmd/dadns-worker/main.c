/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c -- dadns-worker: options, configuration, log; the work is in worker.c */
#include <stdio.h>
#include <string.h>

#include "cmd/dadns-worker/worker.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/util.h"

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
	const char *cfgpath = NULL, *logfile = NULL;
	struct config cfg;
	char err[1024];
	int once = 0, i, rc;

	log_init("dadns-worker");
	for (i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
			cfgpath = argv[++i];
		} else if (!strcmp(argv[i], "--once")) {
			once = 1;
		} else if (!strcmp(argv[i], "--log-file") && i + 1 < argc) {
			logfile = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("dadns-worker %s\n", DADNS_VERSION);
			return 0;
		} else {
			fprintf(stderr, "dadns-worker: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (logfile && (rc = log_open_file(logfile)) < 0) {
		fprintf(stderr, "dadns-worker: cannot open log file %s: %s\n", logfile, strerror(-rc));
		return 1;
	}
	if (config_load(cfgpath, &cfg, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return 1;
	}
	log_set_level(cfg.app.log_level);
	rc = worker_run(&cfg, once);
	config_deinit(&cfg);
	return rc;
}
