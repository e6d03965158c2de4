/* SPDX-License-Identifier: BSD-3-Clause */
/* test_config_peers.c -- peers from the environment (DADNS_PEER_SYNC_PEER_*) and advertise_url */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/log.h"
#include "lib/peer_env.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static char path[] = "/tmp/dadns-test-config-peers-XXXXXX";

static int load(const char *text, struct config *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return config_load(path, cfg, err, errlen);
}

static const struct config_peer *peer(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_peers; i++)
		if (!strcmp(cfg->peers[i].name, name))
			return &cfg->peers[i];
	return NULL;
}

static void clear_env(void)
{
	static const char *const vars[] = {
		"DADNS_PEER_SYNC_PEER_URL", "DADNS_PEER_SYNC_PEER_USERNAME", "DADNS_PEER_SYNC_PEER_PASSWORD",
		"DADNS_PEER_SYNC_PEER_VERIFY_SSL", "DADNS_PEER_SYNC_PEER_CA_FILE",
		"DADNS_PEER_SYNC_PEER_1_URL", "DADNS_PEER_SYNC_PEER_1_USERNAME",
		"DADNS_PEER_SYNC_PEER_1_PASSWORD", "DADNS_PEER_SYNC_PEER_2_URL",
		"DADNS_PEER_SYNC_PEER_10_URL", "DADNS_PEER_SYNC_PEER_FOO", "DADNS_PEER_SYNC_PEER_0_URL",
		"DADNS_PEER_SYNC_PEER_3_PASSWORD", "DADNS_PEER_SYNC_PEER_99999_URL",
		"DADNS_PEER_SYNC_PEER_1URL",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vars); i++)
		unsetenv(vars[i]);
}

static void refused_env(const char *var, const char *value, const char *want, const char *what)
{
	struct config cfg;
	char err[1024];
	int rc;

	setenv(var, value, 1);
	rc = load("", &cfg, err, sizeof(err));
	if (!ok(rc < 0 && strstr(err, want), "refused: %s", what))
		printf("#   rc %d, err '%s', want '%s'\n", rc, err, want);
	if (rc == 0)
		config_deinit(&cfg);
	unsetenv(var);
}

int main(void)
{
	const struct config_peer *p;
	struct config cfg;
	char err[1024];
	int fd = mkstemp(path);

	log_init("test_config_peers");
	log_set_level(LOG_LEVEL_ERR);
	close(fd);
	clear_env();

	ok(peer_env_is_peer_var("DADNS_PEER_SYNC_PEER_URL=x"), "a peer variable is recognized");
	ok(!peer_env_is_peer_var("DADNS_PEER_SYNC_ENABLED=1"), "[peer_sync] keys are not peer variables");
	ok(!peer_env_is_peer_var("DADNS_PEER_B_URL=x"), "[peer b] overrides are not peer variables");

	is_int(load("", &cfg, err, sizeof(err)), 0, "no peer variables: loads");
	is_int(cfg.n_peers, 0, "no peers");
	config_deinit(&cfg);

	/* the unnumbered peer and two numbered ones, given out of order */
	setenv("DADNS_PEER_SYNC_PEER_10_URL", "https://ten.test/", 1);
	setenv("DADNS_PEER_SYNC_PEER_URL", "https://env.test:8443/", 1);
	setenv("DADNS_PEER_SYNC_PEER_USERNAME", "peer", 1);
	setenv("DADNS_PEER_SYNC_PEER_PASSWORD", "se=cret", 1);
	setenv("DADNS_PEER_SYNC_PEER_VERIFY_SSL", "no", 1);
	setenv("DADNS_PEER_SYNC_PEER_CA_FILE", "/etc/ca.pem", 1);
	setenv("DADNS_PEER_SYNC_PEER_1_URL", "http://one.test/", 1);
	setenv("DADNS_PEER_SYNC_PEER_1_USERNAME", "u1", 1);
	setenv("DADNS_PEER_SYNC_PEER_1_PASSWORD", "p1", 1);
	is_int(load("[peer_sync]\nenabled = 1\nauth_username = me\nauth_password = pw\n"
		    "[peer b]\nurl = https://b.test/\n", &cfg, err, sizeof(err)), 0,
	       "env peers load next to a file peer");
	is_int(cfg.n_peers, 4, "four peers");
	ok(cfg.n_peers == 4 && !strcmp(cfg.peers[0].name, "b") && !strcmp(cfg.peers[1].name, "env") &&
	   !strcmp(cfg.peers[2].name, "env-1") && !strcmp(cfg.peers[3].name, "env-10"),
	   "file peer first, then env, env-1, env-10 in numeric order");
	p = peer(&cfg, "env");
	ok(p && !strcmp(p->url, "https://env.test:8443/") && !strcmp(p->username, "peer") &&
	   !strcmp(p->password, "se=cret") && p->verify_ssl == 0 && !strcmp(p->ca_file, "/etc/ca.pem") &&
	   p->env == 1, "the env peer's keys");
	p = peer(&cfg, "env-1");
	ok(p && !strcmp(p->url, "http://one.test/") && !strcmp(p->username, "u1") &&
	   !strcmp(p->password, "p1") && p->verify_ssl == 1 && p->env == 1, "env-1's keys, verify_ssl on");
	p = peer(&cfg, "env-10");
	ok(p && !p->username && !p->password, "env-10 without credentials");
	ok(peer(&cfg, "b") && peer(&cfg, "b")->env == 0, "the file peer is not from env");
	config_deinit(&cfg);
	clear_env();

	/* a file section of the same name gets its keys overridden */
	setenv("DADNS_PEER_SYNC_PEER_1_PASSWORD", "fromenv", 1);
	is_int(load("[peer env-1]\nurl = https://file.test/\nusername = f\npassword = fromfile\n", &cfg, err,
		    sizeof(err)), 0, "override of a file section");
	p = peer(&cfg, "env-1");
	ok(p && !strcmp(p->url, "https://file.test/") && !strcmp(p->password, "fromenv") && p->env == 0,
	   "password overridden, url kept, still a file peer");
	config_deinit(&cfg);
	clear_env();

	refused_env("DADNS_PEER_SYNC_PEER_2_USERNAME", "x", "DADNS_PEER_SYNC_PEER_2_URL is required",
		    "a numbered username without a URL");
	refused_env("DADNS_PEER_SYNC_PEER_3_PASSWORD", "x", "DADNS_PEER_SYNC_PEER_3_URL is required",
		    "a peer without a URL");
	refused_env("DADNS_PEER_SYNC_PEER_USERNAME", "x", "DADNS_PEER_SYNC_PEER_URL is required",
		    "the unnumbered peer without a URL");
	refused_env("DADNS_PEER_SYNC_PEER_FOO", "x", "unknown key", "an unknown key");
	refused_env("DADNS_PEER_SYNC_PEER_0_URL", "http://a.test/", "leading zero", "peer number 0");
	refused_env("DADNS_PEER_SYNC_PEER_99999_URL", "http://a.test/", "1 to 9999", "a peer number too large");
	refused_env("DADNS_PEER_SYNC_PEER_1URL", "http://a.test/", "1 to 9999", "no '_' after the number");
	refused_env("DADNS_PEER_SYNC_PEER_URL", "ftp://a.test/", "url must be http:// or https://",
		    "a URL that is not http(s)");
	refused_env("DADNS_PEER_SYNC_PEER_VERIFY_SSL", "maybe", "verify_ssl must be", "a bad verify_ssl");

	/* advertise_url */
	is_int(load("[peer_sync]\nadvertise_url = https://me.test:2222/\n", &cfg, err, sizeof(err)), 0,
	       "advertise_url loads");
	is_str(cfg.peer_sync.advertise_url, "https://me.test:2222/", "advertise_url kept");
	config_deinit(&cfg);
	ok(load("[peer_sync]\nadvertise_url = me.test\n", &cfg, err, sizeof(err)) < 0 &&
	   strstr(err, ":2: [peer_sync] advertise_url"), "a bad advertise_url refused with its line");

	unlink(path);
	return tap_done();
}
