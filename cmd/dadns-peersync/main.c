/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c -- dadns-peersync: options, configuration, log; the work is in peersync.c */
#include <stdio.h>
#include <string.h>

#include "cmd/dadns-peersync/peersync.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/prog.h"
#include "lib/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dadns-peersync [-c FILE] [--once] [--log-file FILE]\n"
		"\n"
		"Pull newer zones and deletes from the other dadns nodes ([peer NAME]\n"
		"sections, DADNS_PEER_SYNC_PEER_* variables, and peers they name) every\n"
		"[peer_sync] interval_minutes.\n"
		"\n"
		"  -c FILE           configuration (default %s)\n"
		"  --once            one pass, then exit: 0 when every peer answered,\n"
		"                    3 when some could not be synced, 1 on an error\n"
		"  --log-file FILE   log to FILE instead of stderr\n"
		"  --help, --version\n",
		CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	static const struct prog p = { "dadns-peersync", usage, "--once", NULL, 2, 1 };
	struct config cfg;
	int once, rc;

	rc = prog_start(&p, argc, argv, &cfg, &once);
	if (rc != PROG_RUN)
		return rc;
	rc = peersync_run(&cfg, once);
	config_deinit(&cfg);
	return rc;
}
