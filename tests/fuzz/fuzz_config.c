/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_config.c -- libFuzzer harness: the INI configuration (lib/config.c) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/log.h"
#include "lib/util.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* config_load reads a path: each input is written to one temporary file. */
static char path[] = "/tmp/dadns-fuzz-config-XXXXXX";
static int fd = -1;

static void cleanup(void)
{
	if (fd >= 0)
		unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	atexit(cleanup);
	/* Warnings (a readable password file) are not findings. */
	log_set_level(LOG_LEVEL_ERR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[1024];
	int rc;

	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	err[0] = '\0';
	rc = config_load(path, &cfg, err, sizeof(err));
	if (rc < 0) {
		CHECK(err[0] != '\0');
		return 0;
	}
	CHECK(cfg.app.max_body_bytes > 0 && cfg.app.max_records >= 0);
	CHECK(cfg.worker.n_retry_backoff >= 0 && cfg.worker.n_retry_backoff <= CONFIG_MAX_BACKOFF);
	config_deinit(&cfg);
	return 0;
}
