/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c -- dadns-intake: options, configuration, log, then intake_run() */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-intake/intake.h"
#include "lib/log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dadns-intake [-c FILE] [--listen unix:PATH|HOST:PORT] [--socket-mode MODE]\n"
		"                    [--log-file FILE]\n"
		"\n"
		"The FastCGI responder DirectAdmin pushes zones to (behind nginx or lighttpd).\n"
		"Without --listen the listening socket is fd 0 (spawn-fcgi, systemd socket\n"
		"activation, lighttpd bin-path).\n"
		"\n"
		"  -c, --config FILE     configuration (default %s)\n"
		"  -l, --listen SPEC     unix:PATH, HOST:PORT, [V6]:PORT or :PORT\n"
		"  -m, --socket-mode M   octal mode of a unix socket made by --listen (default 0660)\n"
		"      --log-file FILE   log to FILE instead of stderr (reopened on SIGHUP)\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version\n",
		CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "log-file", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct intake_opts opts = { .listen = NULL, .socket_mode = 0660 };
	const char *config_path = NULL, *log_file = NULL;
	struct config cfg;
	char err[512], *end;
	int c, rc;

	log_init("dadns-intake");
	while ((c = getopt_long(argc, argv, "c:l:m:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'l':
			opts.listen = optarg;
			break;
		case 'm':
			opts.socket_mode = (int)strtol(optarg, &end, 8);
			if (!*optarg || *end || opts.socket_mode < 0 || opts.socket_mode > 0777) {
				fprintf(stderr, "dadns-intake: --socket-mode wants an octal mode, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'L':
			log_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("dadns-intake %s\n", DADNS_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (log_file && (rc = log_open_file(log_file)) < 0) {
		fprintf(stderr, "dadns-intake: cannot open %s: %s\n", log_file, dadns_strerror(rc));
		return 1;
	}
	rc = config_load(config_path, &cfg, err, sizeof(err));
	if (rc < 0) {
		log_err("intake: %s", err);
		return 1;
	}
	log_set_level(cfg.app.log_level);
	rc = intake_run(&cfg, &opts);
	config_deinit(&cfg);
	log_open_file(NULL);
	return rc < 0 ? 1 : 0;
}
