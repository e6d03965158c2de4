/* SPDX-License-Identifier: BSD-3-Clause */
/* test_config.c -- config loading: defaults, overrides, and refusals with file:line */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/log.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static char path[] = "/tmp/dadns-test-config-XXXXXX";

static int load(const char *text, struct config *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	return config_load(path, cfg, err, errlen);
}

/* The config must be refused, and the message must hold want (e.g. ":3: unknown key"). */
static void refused(const char *text, const char *want, const char *what)
{
	struct config cfg;
	char err[1024] = "";
	int rc = load(text, &cfg, err, sizeof(err));

	if (!ok(rc < 0 && strstr(err, want) && strstr(err, path), "refused: %s", what))
		printf("#   rc %d, err '%s', want '%s'\n", rc, err, want);
}

int main(void)
{
	struct config cfg;
	char err[1024];
	int fd = mkstemp(path);

	log_init("test_config");
	log_set_level(LOG_LEVEL_ERR);
	close(fd);

	/* Defaults from an empty file. */
	is_int(load("", &cfg, err, sizeof(err)), 0, "empty file loads");
	is_str(cfg.app.db_path, "/var/lib/dadns/dadns.db", "default db_path");
	is_int(cfg.app.durability_full, 1, "default durability full");
	is_int(cfg.app.max_body_bytes, 4194304, "default max_body_bytes 4 MiB");
	is_int(cfg.worker.batch_max, 500, "default batch_max");
	is_int(cfg.worker.n_retry_backoff, 5, "default five retries");
	is_int(cfg.worker.retry_backoff[0], 30, "first backoff 30 s");
	is_int(cfg.worker.retry_backoff[4], 1800, "last backoff 30 min");
	is_str(cfg.worker.wake_socket, "/var/lib/dadns/dadns.db.wake", "wake socket next to the db");
	is_int(cfg.reconcile.ipp, 1000, "default ipp");
	ok(cfg.reconcile.max_delete_fraction > 0.09 && cfg.reconcile.max_delete_fraction < 0.11,
	   "default max_delete_fraction 0.1");
	config_deinit(&cfg);

	/* A full file with named sections. */
	is_int(load("# comment\n[app]\nauth_username = da\nauth_password = s3;cret # not a comment\n"
		    "durability = normal\n\n[worker]\nretry_backoff = 1, 2,3\n"
		    "[backend nsd]\ntype = nsd\nzones_dir = /tmp/z\nnsd_conf = /tmp/z.conf\n"
		    "control = nsd-control -c /etc/nsd/nsd.conf\nserver = 127.0.0.1:53\n"
		    "[backend dc1]\ntype = coredns_mysql\nhost = 127.0.0.1\ndatabase = dns\nenabled = no\n"
		    "[directadmin da1]\nurl = https://da1.example.net:2222\nusername = admin\npassword = k\n"
		    "[peer_sync]\nenabled = yes\nauth_username = peer\nauth_password = pp\n"
		    "[peer b]\nurl = https://b.example.net/\n",
		    &cfg, err, sizeof(err)), 0, "full file loads");
	is_str(cfg.app.auth_password, "s3;cret # not a comment", "no inline comments: value kept whole");
	is_int(cfg.app.durability_full, 0, "durability normal");
	is_int(cfg.worker.n_retry_backoff, 3, "three backoff values");
	is_int(cfg.worker.retry_backoff[2], 3, "third backoff value");
	is_int(cfg.n_backends, 2, "two backends");
	ok(config_backend_find(&cfg, "dc1") && !config_backend_find(&cfg, "dc1")->enabled, "dc1 disabled");
	ok(config_backend_find(&cfg, "nsd") && config_backend_find(&cfg, "nsd")->enabled, "nsd enabled by default");
	is_int(config_backend_find(&cfg, "dc1")->port, 3306, "mysql default port");
	is_str(cfg.directadmins[0].hostname, "da1.example.net", "DA hostname defaults to url host");
	is_int(cfg.directadmins[0].verify_ssl, 1, "verify_ssl default on");
	is_int(cfg.peer_sync.enabled, 1, "peer sync on");
	config_deinit(&cfg);

	/* Environment overrides. */
	setenv("DADNS_APP_AUTH_PASSWORD", "fromenv", 1);
	setenv("DADNS_BACKEND_NSD_ENABLED", "0", 1);
	setenv("DADNS_WORKER_BATCH_MAX", "7", 1);
	is_int(load("[app]\nauth_password = file\n[backend nsd]\ntype = null\n", &cfg, err, sizeof(err)), 0,
	       "loads with overrides");
	is_str(cfg.app.auth_password, "fromenv", "env overrides a file value");
	is_int(cfg.backends[0].enabled, 0, "env overrides a named section");
	is_int(cfg.worker.batch_max, 7, "env sets a key absent from the file");
	config_deinit(&cfg);
	setenv("DADNS_WORKER_BATCH_MAX", "lots", 1);
	ok(load("", &cfg, err, sizeof(err)) < 0 && strstr(err, "environment DADNS_WORKER_BATCH_MAX"),
	   "a bad environment value is refused and named");
	unsetenv("DADNS_WORKER_BATCH_MAX");
	unsetenv("DADNS_APP_AUTH_PASSWORD");
	unsetenv("DADNS_BACKEND_NSD_ENABLED");

	/* Refusals, each with file and line. */
	refused("[app]\nnope = 1\n", ":2: unknown key 'nope'", "unknown key");
	refused("[apps]\nx = 1\n", ":2: unknown section [apps]", "unknown section");
	refused("[app]\n\n\nmax_body_bytes = 12x\n", ":4: max_body_bytes must be an integer", "trailing garbage");
	refused("[app]\nmax_body_bytes = 99999999999999999999\n", ":2: max_body_bytes", "overflow");
	refused("[app]\nthreads = 0\n", ":2: threads must be", "below the minimum");
	refused("[app]\ndurability = sometimes\n", ":2: durability must be full or normal", "bad enum");
	refused("[app]\nlog_level = loud\n", ":2: log_level must be", "bad log level");
	refused("[app]\ncheck_subdomain_owner_in_cluster_domainowners = maybe\n", ":2:", "bad bool");
	refused("[app]\ndb_path = /a\ndb_path = /b\n", ":3: duplicate key 'db_path'", "duplicate key");
	refused("[worker]\nretry_backoff = 1,,x\n", ":2: retry_backoff", "bad backoff");
	refused("[worker]\nretry_backoff = 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n", ":2: retry_backoff",
		"too many backoff values");
	refused("[backend]\ntype = nsd\n", ":2: section [backend] needs a name", "nameless backend");
	refused("[backend a/b]\ntype = nsd\n", "the name must be", "bad section name");
	refused("[backend x]\nenabled = 1\n", ":1: [backend x] has no type", "backend without type");
	refused("[backend x]\ntype = knotty\n", ":2: [backend x]: unknown type 'knotty'", "unknown type");
	refused("[backend x]\ntype = nsd\nzones_dir = /z\nnsd_conf = /c\ncontrol = nsd-control\n"
		"server = 127.0.0.1:53\nhost = db\n", ":7: [backend x]: key 'host' does not apply to type nsd",
		"key of another type");
	refused("[backend x]\ntype = bind\nzones_dir = /z\ncontrol = rndc\nserver = 127.0.0.1:53\n",
		"named_conf is required", "bind without named_conf");
	refused("[backend x]\ntype = nsd\nzones_dir = /z\nnsd_conf = /c\ncontrol = nsd-control\n",
		"server = HOST:PORT is required", "nsd verify without server");
	refused("[backend x]\ntype = coredns_mysql\nhost = h\n", "database is required", "mysql without db");
	refused("[backend x]\ntype = nsd\nzones_dir = /z\npattern = p\nserver = 127.0.0.1:53\n",
		"control is required for type nsd (or control_socket)", "nsd without control or control_socket");
	refused("[backend x]\ntype = nsd\nzones_dir = /z\npattern = p\nserver = 127.0.0.1:53\n"
		"control_socket = run/nsd.ctl\n", ":6: [backend x]: control_socket must be an absolute path",
		"a relative control_socket");
	refused("[backend x]\ntype = bind\nzones_dir = /z\nnamed_conf = /c\nserver = 127.0.0.1:53\n"
		"control_socket = /run/nsd.ctl\n", ":6: [backend x]: key 'control_socket' does not apply to type bind",
		"control_socket is NSD's alone");
	{
		struct config c2;
		char e2[1024] = "";

		ok(load("[backend x]\ntype = nsd\nzones_dir = /z\npattern = p\nserver = 127.0.0.1:53\n"
			"control_socket = /run/nsd/nsd.ctl\n", &c2, e2, sizeof(e2)) == 0,
		   "nsd with control_socket and no control: loads (%s)", e2);
		if (e2[0] == '\0') {
			is_str(c2.backends[0].control_socket, "/run/nsd/nsd.ctl", "control_socket read");
			config_deinit(&c2);
		}
	}
	refused("[directadmin d]\nurl = ftp://x\nusername = a\npassword = b\n", "url must be http",
		"bad DA url");
	refused("[peer_sync]\nenabled = 1\n", ":2: [peer_sync] enabled needs auth_username", "peer sync without creds");
	refused("[app]\nthis line has no equals\n", ":2: syntax error", "no equals sign");
	refused("[app\nx=1\n", ":1:", "unterminated section header");
	{
		char big[6000];
		memset(big, 'a', sizeof(big));
		memcpy(big, "[app]\nauth_password = ", 22);
		big[sizeof(big) - 2] = '\n';
		big[sizeof(big) - 1] = '\0';
		refused(big, ":2: line too long", "overlong line");
	}
	/* Regression (fuzz_config): a section header after a vertical tab or
	 * form feed (blanks to inih) crashed config_load (NULL section). */
	is_int(load("\v[backend n]\ntype = null\n\f[backend m]\ntype = null\n", &cfg, err, sizeof(err)), 0,
	       "headers after \\v and \\f load");
	ok(cfg.n_backends == 2 && cfg.backends[0].line == 1 && cfg.backends[1].line == 3,
	   "with their lines");
	config_deinit(&cfg);
	ok(config_load("/nonexistent/dadns.ini", &cfg, err, sizeof(err)) < 0 &&
	   strstr(err, "/nonexistent/dadns.ini"), "a missing file is refused with its name");
	unlink(path);
	return tap_done();
}
