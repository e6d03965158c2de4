/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_dnsfile.c -- libFuzzer harness: what the nsd/bind backends read from their config and files:
 * the include file dadns owns (lib/backends/dnsfile.c), "server = HOST:PORT", the control
 * command line (util_argv_split) */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/backends/dnsfile.h"
#include "lib/log.h"
#include "lib/util.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static char path[] = "/tmp/dadns-fuzz-include-XXXXXX";
static char back[] = "/tmp/dadns-fuzz-include-back-XXXXXX";
static int fd = -1, fd_back = -1;

static void cleanup(void)
{
	if (fd >= 0)
		unlink(path);
	if (fd_back >= 0)
		unlink(back);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fd = mkstemp(path);
	fd_back = mkstemp(back);
	if (fd < 0 || fd_back < 0)
		abort();
	atexit(cleanup);
	log_set_level(LOG_LEVEL_ERR);
	return 0;
}

static void include_file(const uint8_t *data, size_t size, enum dnsfile_flavor flavor)
{
	struct dnsfile_set s, again;
	size_t i;

	dnsfile_set_init(&s);
	dnsfile_set_init(&again);
	CHECK(dnsfile_include_read(path, flavor, &s) == 0);
	for (i = 0; i < s.n; i++)
		CHECK(dnsfile_name_ok(s.names[i]) && dnsfile_set_has(&s, s.names[i]));
	/* What is written from the names reads back as the same names. */
	CHECK(dnsfile_include_write(back, flavor, "/var/lib/dadns/zones", "fuzz", &s) == 0);
	CHECK(dnsfile_include_read(back, flavor, &again) == 0);
	CHECK(again.n == s.n);
	for (i = 0; i < s.n; i++)
		CHECK(dnsfile_set_has(&again, s.names[i]));
	dnsfile_set_deinit(&again);
	dnsfile_set_deinit(&s);
}

/* The host of "HOST:PORT" / "[HOST]:PORT" / "HOST" is an address literal. */
static int numeric_host(const char *s)
{
	unsigned char buf[16];
	const char *end;
	char *host;
	int ok;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			return 0;
		host = xstrndup(s + 1, (size_t)(end - s - 1));
	} else {
		end = strrchr(s, ':');
		host = end && strchr(s, ':') == end ? xstrndup(s, (size_t)(end - s)) : xstrdup(s);
	}
	ok = inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
	free(host);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsfile_server srv;
	char **argv, *s;
	size_t argc, i;

	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	include_file(data, size, DNSFILE_NSD);
	include_file(data, size, DNSFILE_BIND);

	s = xstrndup((const char *)data, size);
	/* A host name would be looked up in the DNS: numeric addresses only
	 * (the harness must not send queries anywhere). */
	if (numeric_host(s))
		(void)dnsfile_server_parse(s, &srv);
	argv = util_argv_split(s, 2, &argc);
	for (i = 0; i < argc; i++)
		CHECK(argv[i] != NULL);
	CHECK(argv[argc] == NULL);
	util_argv_free(argv);
	(void)dnsfile_name_ok(s);
	free(s);
	return 0;
}
