/* SPDX-License-Identifier: BSD-3-Clause */
/* prog.h -- the start every daemon shares: options, log, configuration */
#ifndef DADNS_PROG_H
#define DADNS_PROG_H

#include <stdio.h>

#include "lib/config.h"

/* PROG_RUN: go on; any other value of prog_start is the exit status. */
#define PROG_RUN (-1)

struct prog {
	const char *name;            /* "dadns-worker": log prefix, messages */
	void (*usage)(FILE *f);      /* the --help text */
	const char *flag;            /* the program's one switch, e.g. "--once" */
	const char *flag_short;      /* its short form, or NULL */
	int usage_status;            /* exit status for an unknown option */
	int fail_status;             /* exit status for a log file or config refused */
};

/* Read -c/--config FILE, --log-file FILE, --help, --version and p->flag
 * (*flag_set gets 1 when given), open the log file, load the configuration
 * into *cfg and set the log level. Returns PROG_RUN with *cfg loaded (the
 * caller calls config_deinit), 0 after --help or --version, or
 * p->usage_status / p->fail_status after a message on stderr or in the
 * log. */
int prog_start(const struct prog *p, int argc, char **argv, struct config *cfg, int *flag_set);

#endif
