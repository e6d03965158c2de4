/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c -- dadnsctl: the operator's CLI, a table of verbs over the shared database */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/dadnsctl/ctl.h"
#include "cmd/dadnsctl/ctl_util.h"
#include "lib/log.h"
#include "lib/util.h"

struct verb {
	const char *name;
	const char *sub;       /* second word ("zone show"), or NULL */
	int (*fn)(struct ctl *c, int argc, char **argv);
	int needs_store;
	const char *usage;
	const char *help;      /* what it does, indented lines */
};

/* Root just created the database (no dadns program had run yet): it would
 * stay root's, and the services, running as the owner of its directory
 * (dadns in the shipped units), could not write it. Give the new files to
 * that owner. Best effort: a warning when it cannot. */
static void db_give_to_dir_owner(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char *copy = xstrdup(path);
	struct stat st;
	size_t i;

	if (stat(dirname(copy), &st) == 0 && st.st_uid != 0) {
		for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
			char *p = xasprintf("%s%s", path, suffixes[i]);

			if (chown(p, st.st_uid, st.st_gid) < 0 && errno != ENOENT)
				log_warn("dadnsctl: cannot give %s to uid %u: %s", p, (unsigned)st.st_uid,
					 strerror(errno));
			free(p);
		}
	}
	free(copy);
}

static const struct verb verbs[] = {
	{ "status", NULL, ctl_status, 1, "status [--check] [--json]",
	  "Overall state (ok, degraded, error) and why; desired zones and tombstones;\n"
	  "jobs by state; whether dadns-worker runs; per backend: zones in sync,\n"
	  "behind and failing, and the newest failure; the last reconcile and\n"
	  "peer-sync runs with their figures; the peers and their health; the\n"
	  "secondaries watched (their last check). The same\n"
	  "snapshot as the intake's GET /status. --check: exit 3 when degraded." },
	{ "zones", NULL, ctl_zones, 1, "zones [--json]",
	  "The desired zones: domain, serial, records, owning DA server and user,\n"
	  "last update, and the backends that serve it signed with their own keys\n"
	  "(knot with dnssec = sign, as last verified)." },
	{ "zone", "show", ctl_zone_show, 1, "zone show DOMAIN [--json]",
	  "One desired zone with its owner, serial, times and zone text. Exits 1\n"
	  "when DOMAIN is not in the desired state." },
	{ "zone", "ds", ctl_zone_ds, 1, "zone ds DOMAIN [--backend NAME] [--json]",
	  "The DS records (digest type 2, SHA-256) of the KSK/CSK that Knot serves\n"
	  "for DOMAIN, read over DNS from the server of the knot backend with\n"
	  "dnssec = sign (the first enabled one, or NAME): what the registrar needs." },
	{ "jobs", NULL, ctl_jobs, 1, "jobs [--dead|--all] [--limit N] [--json]",
	  "The queue, newest first: queued, running and dead jobs (--dead: dead\n"
	  "only; --all: done ones too), at most N (default 1000)." },
	{ "retry", NULL, ctl_retry, 1, "retry ID|--dead [--json]",
	  "Queue dead job ID, or every dead job, again, due now, and wake the\n"
	  "worker. Exits 1 when ID does not exist or is not dead." },
	{ "push", NULL, ctl_push, 1, "push DOMAIN FILE [--hostname H] [--username U] [--json]",
	  "Validate FILE as the zone of DOMAIN and store it as the desired state,\n"
	  "as a DirectAdmin push would (source cli); the owner is kept unless\n"
	  "given. Exits 1 on an invalid zone." },
	{ "delete", NULL, ctl_delete, 1, "delete DOMAIN [--json]",
	  "Remove DOMAIN from the desired state, write its tombstone and queue\n"
	  "its delete on every backend. Exits 1 when it is not there." },
	{ "secondaries", "check", ctl_secondaries_check, 1, "secondaries check [--json]",
	  "Ask every [secondary NAME] now for the SOA serial of every desired zone\n"
	  "(and of the catalog zone, and of zones that are gone), store the counts\n"
	  "as dadns-reconcile does (status shows them), and print per secondary:\n"
	  "in_sync, behind, missing, extra (serves a zone that is gone),\n"
	  "unanswered, or unreachable. Exits 3 when one is not in sync." },
	{ "config", "check", ctl_config_check, 0, "config check [--json]",
	  "Load the configuration as every program does and summarize it; exits 1\n"
	  "with FILE:LINE: reason when it is refused (the units' ExecStartPre)." },
};

static void usage(FILE *f, int full)
{
	size_t i;

	fprintf(f, "usage: dadnsctl [-c FILE] [--json] VERB [ARGS]\n");
	if (!full) {
		fprintf(f, "verbs:\n");
		for (i = 0; i < ARRAY_SIZE(verbs); i++)
			fprintf(f, "  dadnsctl %s\n", verbs[i].usage);
		fprintf(f, "dadnsctl --help for the manual.\n");
		return;
	}
	fprintf(f,
		"\nNAME\n  dadnsctl - operator's command line of dadns\n"
		"\nDESCRIPTION\n"
		"  Reads and changes the dadns database (the desired zones and the job\n"
		"  queue) that dadns-intake, dadns-worker, dadns-reconcile and\n"
		"  dadns-peersync share. Run it as a user that may write the database\n"
		"  (root or the dadns user). Changes wake the worker. A database that\n"
		"  root creates (no dadns program ran yet) is given to the owner of its\n"
		"  directory, so that the services can write it.\n"
		"\nVERBS\n");
	for (i = 0; i < ARRAY_SIZE(verbs); i++) {
		const char *p = verbs[i].help;

		fprintf(f, "  dadnsctl %s\n", verbs[i].usage);
		while (*p) {
			size_t n = strcspn(p, "\n");

			fprintf(f, "      %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
		fprintf(f, "\n");
	}
	fprintf(f,
		"OPTIONS\n"
		"  -c FILE      the configuration (default %s)\n"
		"  --json       machine-readable JSON on stdout, for every verb (a listing\n"
		"               is an array, a single result an object)\n"
		"  -h, --help   this manual; dadnsctl VERB --help: that verb's\n"
		"  --version    the version\n"
		"\nEXIT STATUS\n"
		"  0  done (status: the database could be read, whatever the state)\n"
		"  1  failed: not found, not dead, invalid zone, database or config error\n"
		"  2  usage: unknown verb or wrong arguments\n"
		"  3  status --check: the overall state is degraded; secondaries check:\n"
		"     a secondary is not in sync (or unreachable)\n"
		"\nENVIRONMENT\n"
		"  DADNS_<SECTION>_<KEY> overrides a key of the file, e.g.\n"
		"  DADNS_APP_DB_PATH=/tmp/test.db dadnsctl status\n"
		"\nEXAMPLES\n"
		"  dadnsctl status --check || alert\n"
		"  dadnsctl jobs --dead --json | jq -r '.[].domain'\n"
		"  dadnsctl retry --dead\n"
		"  dadnsctl push example.com /tmp/example.com.db --hostname da1.example.net\n"
		"\nSEE ALSO\n"
		"  dadns-intake(8) /status and /metrics, README.md (operator guide)\n",
		CONFIG_DEFAULT_PATH);
}

static const struct verb *verb_find(const char *name, const char *sub)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(verbs); k++) {
		if (strcmp(verbs[k].name, name) != 0)
			continue;
		if (verbs[k].sub && (!sub || strcmp(verbs[k].sub, sub) != 0))
			continue;
		return &verbs[k];
	}
	return NULL;
}

int ctl_usage(const char *verb)
{
	char name[32];
	const char *sp = strchr(verb, ' ');
	const struct verb *v;

	snprintf(name, sizeof(name), "%.*s", sp ? (int)(sp - verb) : (int)strlen(verb), verb);
	v = verb_find(name, sp ? sp + 1 : NULL);
	fprintf(stderr, "usage: dadnsctl %s\n", v ? v->usage : verb);
	return CTL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *cfgpath = NULL;
	struct ctl c = { 0 };
	char **args = xcalloc((size_t)argc + 1, sizeof(char *));
	const struct verb *v = NULL;
	char err[1024];
	int nargs = 0, rc = CTL_EXIT_USAGE, help = 0, i;

	log_init("dadnsctl");
	log_set_level(LOG_LEVEL_WARN);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cfgpath = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			c.json = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			help = 1;
		else if (!strcmp(argv[i], "--version")) {
			printf("dadnsctl %s\n", DADNS_VERSION);
			rc = CTL_EXIT_OK;
			goto out;
		} else
			args[nargs++] = argv[i];
	}
	if (nargs > 0)
		v = verb_find(args[0], nargs > 1 ? args[1] : NULL);
	if (help) {
		if (v)
			printf("usage: dadnsctl [-c FILE] [--json] %s\n\n%s\n", v->usage, v->help);
		else
			usage(stdout, 1);
		rc = CTL_EXIT_OK;
		goto out;
	}
	if (!v) {
		if (nargs > 0)
			fprintf(stderr, "dadnsctl: unknown verb '%s'\n", args[0]);
		usage(stderr, 0);
		goto out;
	}
	if (config_load(cfgpath, &c.cfg, err, sizeof(err)) < 0) {
		if (c.json && !v->needs_store)
			ctl_json_print(json_pack("{s:b, s:s}", "ok", 0, "error", err));
		fprintf(stderr, "dadnsctl: %s\n", err);
		rc = CTL_EXIT_FAIL;
		goto out;
	}
	if (v->needs_store) {
		struct stat dbst;
		int created = geteuid() == 0 && stat(c.cfg.app.db_path, &dbst) < 0 && errno == ENOENT;

		if (store_open(c.cfg.app.db_path, c.cfg.app.durability_full, c.cfg.app.busy_timeout_ms,
			       &c.st, err, sizeof(err)) < 0) {
			fprintf(stderr, "dadnsctl: %s\n", err);
			rc = CTL_EXIT_FAIL;
			goto out;
		}
		if (created)
			db_give_to_dir_owner(c.cfg.app.db_path);
	}
	i = v->sub ? 2 : 1;
	rc = v->fn(&c, nargs - i, args + i);
out:
	store_close(c.st);
	config_deinit(&c.cfg);
	free(args);
	return rc;
}
