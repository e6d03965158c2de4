/* SPDX-License-Identifier: BSD-3-Clause */
/* test_xfr.c -- [backend] notify / allow_transfer / tsig_key: parse hostile input, render */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/log.h"
#include "lib/xfr.h"
#include "tests/unit/tap.h"

#define NSD_BACKEND "[backend n]\ntype = nsd\nzones_dir = /z\nnsd_conf = /z/inc.conf\n" \
		    "control = nsd-control\nverify = 0\n"
#define KEY "[tsig xfr]\nalgorithm = hmac-sha256\nsecret = c2VjcmV0\n"

/* config_load of text: 0, or the error (one line, naming the line) in err. */
static int load(const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/dadns-test-xfr-XXXXXX";
	struct config cfg;
	int fd = mkstemp(path), rc;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f)
		return -1;
	fprintf(f, "[app]\ndb_path = /tmp/x.db\n%s", text);
	fclose(f);
	rc = config_load(path, &cfg, err, errlen);
	if (rc == 0)
		config_deinit(&cfg);
	unlink(path);
	return rc;
}

static void test_config(void)
{
	char err[1024];

	is_int(load(NSD_BACKEND "notify = 127.0.0.1@5300 ::1\nallow_transfer = 10.0.0.0/8 nokey:127.0.0.3\n"
			"tsig_key = xfr\n" KEY, err, sizeof(err)), 0, "a good fleet config: %s", err);
	ok(load(NSD_BACKEND "notify = 127.0.0.1@70000\n", err, sizeof(err)) < 0 &&
	   strstr(err, ":9: [backend n]: notify: '127.0.0.1@70000' is not") && !strchr(err, '\n'),
	   "bad notify: one line naming the line: %s", err);
	ok(load(NSD_BACKEND "allow_transfer = 10.0.0.0/8 any\n", err, sizeof(err)) < 0 &&
	   strstr(err, ":9: [backend n]: allow_transfer: 'any'"), "bad allow_transfer: %s", err);
	ok(load(NSD_BACKEND "tsig_key = nope\n", err, sizeof(err)) < 0 &&
	   strstr(err, "tsig_key nope names no [tsig nope] section"), "unknown key: %s", err);
	ok(load(NSD_BACKEND "[tsig a\"b]\nsecret = c2VjcmV0\n", err, sizeof(err)) < 0 &&
	   strstr(err, "[tsig a\"b]: the name must be"), "hostile key name: %s", err);
	ok(load(NSD_BACKEND KEY "[tsig y]\nsecret = \"; }; evil\n", err, sizeof(err)) < 0 &&
	   strstr(err, "[tsig y]: secret (base64)"), "hostile secret: %s", err);
	ok(load("[catalog]\nzone = bad..name\n", err, sizeof(err)) < 0 &&
	   strstr(err, "[catalog] zone 'bad..name' is not a valid domain name"), "bad catalog: %s", err);
}

static int notify_ok(const char *s)
{
	struct xfr_conf x;
	char err[256];

	memset(&x, 0, sizeof(x));
	return xfr_parse_notify(s, &x, err, sizeof(err)) == 0;
}

static int allow_ok(const char *s)
{
	struct xfr_conf x;
	char err[256];

	memset(&x, 0, sizeof(x));
	return xfr_parse_allow(s, &x, err, sizeof(err)) == 0;
}

static void test_parse(void)
{
	static const char *const bad_notify[] = {
		"localhost", "127.0.0.1@", "127.0.0.1@0", "127.0.0.1@65536", "127.0.0.1@53x",
		"127.0.0.1@-1", "[::1", "[::1]x", "[::1]@", "::1@99999", "1.2.3", "1.2.3.4.5",
		"127.0.0.1;", "127.0.0.1\"", "127.0.0.1/8", "@53", "0x7f.0.0.1", "[127.0.0.1]@5x",
		"127.0.0.1@0053000", "a@b@c",
	};
	static const char *const bad_allow[] = {
		"127.0.0.0/33", "::/129", "127.0.0.0/", "127.0.0.0/-1", "127.0.0.0/8/8", "any",
		"127.0.0.1@53", "10.0.0.0/8;", "key k", "!10.0.0.0/8", "10.0.0.0/ 8x", "nokey:",
		"nokey:any", "NOKEY:10.0.0.1", "nokey:nokey:10.0.0.1",
	};
	struct xfr_conf x;
	char err[256], big[4096];
	size_t i;

	for (i = 0; i < sizeof(bad_notify) / sizeof(*bad_notify); i++)
		ok(!notify_ok(bad_notify[i]), "notify '%s' refused", bad_notify[i]);
	for (i = 0; i < sizeof(bad_allow) / sizeof(*bad_allow); i++)
		ok(!allow_ok(bad_allow[i]), "allow_transfer '%s' refused", bad_allow[i]);
	ok(notify_ok(NULL) && notify_ok("") && notify_ok(" , "), "empty lists are fine");
	memset(&x, 0, sizeof(x));
	is_int(xfr_parse_notify("127.0.0.2@5300, [::1]@5301 ::1 10.0.0.1", &x, err, sizeof(err)), 0,
	       "notify list");
	is_int((int)x.n_notify, 4, "four items");
	is_str(x.notify[1].addr, "::1", "bracketed v6");
	is_int(x.notify[1].port, 5301, "its port");
	is_int(x.notify[2].port, 53, "default port");
	is_int(xfr_parse_allow("10.1.2.3/8 ::1 2001:db8::1/32", &x, err, sizeof(err)), 0, "allow list");
	is_str(x.allow[0].addr, "10.0.0.0", "host bits cleared");
	is_int(x.allow[1].prefix, 128, "v6 host prefix");
	is_str(x.allow[2].addr, "2001:db8::", "v6 host bits cleared");
	memset(big, 0, sizeof(big));
	for (i = 0; i < 65; i++)
		strcat(big, "127.0.0.1 ");
	ok(!notify_ok(big), "more than 64 items refused");
	memset(big, 'a', 300);
	big[300] = '\0';
	memset(&x, 0, sizeof(x));
	ok(xfr_parse_notify(big, &x, err, sizeof(err)) < 0 && strlen(err) < 200,
	   "a long item is refused with a short message");
	ok(strchr(err, '\n') == NULL, "one line: %s", err);
	ok(xfr_key_name_ok("dadns-xfr.key_1"), "key name");
	ok(!xfr_key_name_ok("a\"b") && !xfr_key_name_ok("a b") && !xfr_key_name_ok("") &&
	   !xfr_key_name_ok("a;b") && !xfr_key_name_ok("-a") && !xfr_key_name_ok("a}"),
	   "hostile key names refused");
}

static void test_render(void)
{
	struct config_tsig key = { .name = "xfr", .algorithm = "hmac-sha256", .secret = "c2VjcmV0" };
	struct config_backend b = { .name = "p", .notify = "127.0.0.1@5301 [::1]@5302",
				    .allow_transfer = "127.0.0.0/8", .tsig_key = "xfr", .tsig = &key };
	struct xfr_conf x;
	char err[256], *s;

	is_int(xfr_conf_load(&b, &x, err, sizeof(err)), 0, "load");
	s = xfr_render_nsd(&x);
	is_str(s, "\tnotify: 127.0.0.1@5301 xfr\n\tnotify: ::1@5302 xfr\n"
		  "\tprovide-xfr: 127.0.0.0/8 xfr\n", "nsd per zone");
	free(s);
	s = xfr_render_bind(&x);
	is_str(s, " notify explicit; also-notify { 127.0.0.1 port 5301 key \"xfr\"; ::1 port 5302 key"
		  " \"xfr\"; }; allow-transfer { !{ !127.0.0.0/8; any; }; key \"xfr\"; };", "bind per zone");
	free(s);
	s = xfr_render_key(&x, 1);
	is_str(s, "key:\n\tname: \"xfr\"\n\talgorithm: hmac-sha256\n\tsecret: \"c2VjcmV0\"\n", "nsd key");
	free(s);
	s = xfr_render_key(&x, 0);
	is_str(s, "key \"xfr\" { algorithm hmac-sha256; secret \"c2VjcmV0\"; };\n", "bind key");
	free(s);
	b.allow_transfer = "nokey:127.0.0.3 127.0.0.1";
	is_int(xfr_conf_load(&b, &x, err, sizeof(err)), 0, "mixed");
	s = xfr_render_nsd(&x);
	is_str(s, "\tnotify: 127.0.0.1@5301 xfr\n\tnotify: ::1@5302 xfr\n"
		  "\tprovide-xfr: 127.0.0.3/32 NOKEY\n\tprovide-xfr: 127.0.0.1/32 xfr\n", "nsd: nokey item");
	free(s);
	s = xfr_render_bind(&x);
	ok(strstr(s, " allow-transfer { 127.0.0.3/32; !{ !127.0.0.1/32; any; }; key \"xfr\"; };") != NULL,
	   "bind: the unsigned address first");
	free(s);
	b.allow_transfer = NULL;
	b.notify = NULL;
	is_int(xfr_conf_load(&b, &x, err, sizeof(err)), 0, "key only");
	s = xfr_render_nsd(&x);
	is_str(s, "\tprovide-xfr: 0.0.0.0/0 xfr\n\tprovide-xfr: ::/0 xfr\n", "nsd: any address, signed");
	free(s);
	s = xfr_render_bind(&x);
	is_str(s, " allow-transfer { key \"xfr\"; };", "bind: signed only");
	free(s);
	b.tsig = NULL;
	b.tsig_key = NULL;
	b.allow_transfer = "10.0.0.0/8";
	is_int(xfr_conf_load(&b, &x, err, sizeof(err)), 0, "no key");
	ok(x.key == NULL, "none");
	s = xfr_render_bind(&x);
	is_str(s, " allow-transfer { 10.0.0.0/8; };", "bind: addresses only");
	free(s);
	s = xfr_render_nsd(&x);
	is_str(s, "\tprovide-xfr: 10.0.0.0/8 NOKEY\n", "nsd: addresses only");
	free(s);
	b.notify = "127.0.0.1@bad";
	ok(xfr_conf_load(&b, &x, err, sizeof(err)) < 0 && strstr(err, "notify: '127.0.0.1@bad'"),
	   "load names the bad item: %s", err);
}

/* What dadns renders is accepted by the servers' own checkers. */
static void test_checkconf(void)
{
	struct config_tsig key = { .name = "xfr", .algorithm = "hmac-sha256", .secret = "c2VjcmV0c2VjcmV0" };
	struct config_backend b = { .name = "p", .notify = "127.0.0.1@5301 [::1]@5302",
				    .allow_transfer = "10.0.0.0/8 nokey:127.0.0.3", .tsig_key = "xfr",
				    .tsig = &key };
	char dir[] = "/tmp/dadns-test-xfr-conf-XXXXXX", path[256], cmd[700], err[256];
	struct xfr_conf x;
	char *zone, *k;
	FILE *f;

	if (!mkdtemp(dir) || xfr_conf_load(&b, &x, err, sizeof(err)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/named.conf", dir);
	f = fopen(path, "w");
	zone = xfr_render_bind(&x);
	k = xfr_render_key(&x, 0);
	fprintf(f, "%szone \"a.test\" { type primary; file \"%s/a.zone\";%s };\n", k, dir, zone);
	fclose(f);
	free(zone);
	free(k);
	snprintf(cmd, sizeof(cmd), "named-checkconf %s >&2", path);
	is_int(system(cmd), 0, "named-checkconf accepts the bind rendering");
	snprintf(path, sizeof(path), "%s/nsd.conf", dir);
	f = fopen(path, "w");
	zone = xfr_render_nsd(&x);
	k = xfr_render_key(&x, 1);
	fprintf(f, "server:\n\tzonesdir: \"%s\"\n%szone:\n\tname: \"a.test\"\n\tzonefile: \"a.zone\"\n%s",
		dir, k, zone);
	fclose(f);
	free(zone);
	free(k);
	snprintf(cmd, sizeof(cmd), "nsd-checkconf %s >&2", path);
	is_int(system(cmd), 0, "nsd-checkconf accepts the nsd rendering");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return;
}

int main(void)
{
	test_parse();
	test_render();
	log_init("test_xfr");
	log_set_level(LOG_LEVEL_ERR);
	test_config();
	test_checkconf();
	return tap_done();
}
