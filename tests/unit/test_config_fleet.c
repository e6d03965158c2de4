/* SPDX-License-Identifier: BSD-3-Clause */
/* test_config_fleet.c -- [app] ack, [catalog], [tsig NAME], [secondary], knot keys */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/log.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static char path[] = "/tmp/dadns-test-config-fleet-XXXXXX";

static int load(const char *text, struct config *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return config_load(path, cfg, err, errlen);
}

/* The config must be refused, and the message must hold want. */
static void refused(const char *text, const char *want, const char *what)
{
	struct config cfg;
	char err[1024];
	int rc = load(text, &cfg, err, sizeof(err));

	if (!ok(rc < 0 && strstr(err, want) && strstr(err, path), "refused: %s", what))
		printf("#   rc %d, err '%s', want '%s'\n", rc, err, want);
	if (rc == 0)
		config_deinit(&cfg);
}

static void defaults(void)
{
	struct config cfg;
	char err[1024];

	is_int(load("", &cfg, err, sizeof(err)), 0, "empty file loads");
	is_int(cfg.app.ack_served, 0, "default ack = committed");
	is_int(cfg.app.ack_timeout_ms, 3000, "default ack_timeout_ms 3000");
	ok(!cfg.catalog.zone, "no catalog by default");
	is_int(cfg.catalog.group_da_server, 0, "default group = none");
	is_int(cfg.secondaries.max_lag_seconds, 300, "default max_lag_seconds 300");
	is_int((int)cfg.n_tsigs, 0, "no tsig keys");
	is_int((int)cfg.n_secondary, 0, "no secondaries");
	config_deinit(&cfg);
}

static void full(void)
{
	struct config cfg;
	char err[1024];
	const struct config_backend *b;

	is_int(load("[app]\nack = served\nack_timeout_ms = 1500\n"
		    "[catalog]\nzone = catalog.example.\ngroup = da_server\n"
		    "[tsig xfr]\nsecret = c2VjcmV0c2VjcmV0c2VjcmV0\n"
		    "[tsig other]\nalgorithm = hmac-sha512\nsecret = b3RoZXI=\n"
		    "[secondary]\nmax_lag_seconds = 60\n"
		    "[secondary ns2]\nserver = 127.0.0.1:5353\n"
		    "[secondary ns3]\nserver = ns3.example.net\n"
		    "[backend nsd]\ntype = nsd\nzones_dir = /z\npattern = p\ncontrol = nsd-control\n"
		    "server = 127.0.0.1:53\nnotify = 127.0.0.2@5300\nallow_transfer = 127.0.0.0/8\n"
		    "tsig_key = xfr\ncatalog = no\n",
		    &cfg, err, sizeof(err)),
	       0, "a fleet configuration loads");
	is_int(cfg.app.ack_served, 1, "ack = served");
	is_int(cfg.app.ack_timeout_ms, 1500, "ack_timeout_ms");
	is_str(cfg.catalog.zone, "catalog.example.", "catalog zone");
	is_int(cfg.catalog.group_da_server, 1, "group = da_server");
	is_int((int)cfg.n_tsigs, 2, "two tsig keys");
	ok(config_tsig_find(&cfg, "xfr") && !strcmp(config_tsig_find(&cfg, "xfr")->algorithm, "hmac-sha256"),
	   "tsig algorithm defaults to hmac-sha256");
	ok(config_tsig_find(&cfg, "other") && !strcmp(config_tsig_find(&cfg, "other")->algorithm, "hmac-sha512"),
	   "tsig algorithm set");
	ok(!config_tsig_find(&cfg, "nope"), "unknown tsig key not found");
	is_int(cfg.secondaries.max_lag_seconds, 60, "[secondary] max_lag_seconds");
	is_int((int)cfg.n_secondary, 2, "two secondaries");
	is_str(cfg.secondary[0].name, "ns2", "first secondary's name");
	is_str(cfg.secondary[1].server, "ns3.example.net", "second secondary's server");
	b = config_backend_find(&cfg, "nsd");
	ok(b && !b->catalog && !strcmp(b->tsig_key, "xfr") && !strcmp(b->notify, "127.0.0.2@5300") &&
	   !strcmp(b->allow_transfer, "127.0.0.0/8"), "backend transfer keys");
	config_deinit(&cfg);
}

static void environment(void)
{
	struct config cfg;
	char err[1024];

	setenv("DADNS_SECONDARY_MAX_LAG_SECONDS", "42", 1);
	setenv("DADNS_SECONDARY_NS2_SERVER", "127.0.0.9:53", 1);
	setenv("DADNS_CATALOG_ZONE", "cat.invalid", 1);
	is_int(load("[secondary ns2]\nserver = 127.0.0.1\n", &cfg, err, sizeof(err)), 0, "loads with env");
	is_int(cfg.secondaries.max_lag_seconds, 42, "env sets [secondary] max_lag_seconds");
	is_str(cfg.secondary[0].server, "127.0.0.9:53", "env sets [secondary ns2] server");
	is_str(cfg.catalog.zone, "cat.invalid", "env sets [catalog] zone");
	config_deinit(&cfg);
	unsetenv("DADNS_SECONDARY_MAX_LAG_SECONDS");
	unsetenv("DADNS_SECONDARY_NS2_SERVER");
	unsetenv("DADNS_CATALOG_ZONE");
}

static void refusals(void)
{
	refused("[app]\nack = maybe\n", ":2: ack must be committed or served", "bad ack");
	refused("[app]\nack_timeout_ms = 0\n", ":2: ack_timeout_ms must be", "ack_timeout_ms 0");
	refused("[catalog]\nzone = bad..name\n", ":2: [catalog] zone 'bad..name' is not a valid",
		"catalog name");
	refused("[catalog]\ngroup = user\n", ":2: group must be none or da_server", "catalog group");
	refused("[catalog]\nserver = x\n", ":2: unknown key 'server' in [catalog]", "unknown catalog key");
	refused("[tsig k]\nalgorithm = hmac-sha256\n", ":1: [tsig k]: secret (base64) is required",
		"tsig without secret");
	refused("[tsig k]\nsecret = not base64!\n", ":1: [tsig k]: secret (base64)", "tsig secret");
	refused("[tsig k]\nsecret = YQ==\nalgorithm = rot13\n", ":3: [tsig k]: algorithm must be",
		"tsig algorithm");
	refused("[tsig]\nsecret = YQ==\n", "section [tsig] needs a name", "tsig without name");
	refused("[secondary ns2]\nserver = \n", ":1: [secondary ns2]: server = HOST[:PORT] is required",
		"empty secondary server");
	refused("[secondary ns2]\nserver = a b\n", "[secondary ns2]: server", "secondary server with space");
	refused("[secondary]\nserver = x\n", ":2: unknown key 'server' in [secondary]",
		"server in [secondary] without a name");
	refused("[backend n]\ntype = nsd\nzones_dir = /z\npattern = p\ncontrol = c\nverify = 0\n"
		"tsig_key = missing\n",
		":7: [backend n]: tsig_key missing names no [tsig missing] section", "tsig_key unknown");
	refused("[backend n]\ntype = null\nnotify = 127.0.0.1\n", ":3: [backend n]: key 'notify' does not apply",
		"notify on null");
	refused("[backend k]\ntype = knot\ndnssec = maybe\n", ":3: dnssec must be passthrough or sign",
		"knot dnssec word");
	refused("[backend k]\ntype = nsd\ntemplate = t\n", "key 'template' does not apply to type nsd",
		"template on nsd");
}

int main(void)
{
	int fd = mkstemp(path);

	log_init("test_config_fleet");
	log_set_level(LOG_LEVEL_ERR);
	close(fd);
	defaults();
	full();
	environment();
	refusals();
	unlink(path);
	return tap_done();
}
