/* SPDX-License-Identifier: BSD-3-Clause */
/* prog.c -- the start every daemon shares: options, log, configuration */
#include <string.h>

#include "lib/log.h"
#include "lib/prog.h"
#include "lib/util.h"

int prog_start(const struct prog *p, int argc, char **argv, struct config *cfg, int *flag_set)
{
	const char *cfgpath = NULL, *logfile = NULL;
	char err[1024];
	int i, rc;

	log_init(p->name);
	*flag_set = 0;
	for (i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
			cfgpath = argv[++i];
		} else if (p->flag && (!strcmp(argv[i], p->flag) ||
				       (p->flag_short && !strcmp(argv[i], p->flag_short)))) {
			*flag_set = 1;
		} else if (!strcmp(argv[i], "--log-file") && i + 1 < argc) {
			logfile = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			p->usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("%s %s\n", p->name, DADNS_VERSION);
			return 0;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", p->name, argv[i]);
			p->usage(stderr);
			return p->usage_status;
		}
	}
	if (logfile && (rc = log_open_file(logfile)) < 0) {
		fprintf(stderr, "%s: cannot open log file %s: %s\n", p->name, logfile, strerror(-rc));
		return p->fail_status;
	}
	if (config_load(cfgpath, cfg, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return p->fail_status;
	}
	log_set_level(cfg->app.log_level);
	return PROG_RUN;
}
