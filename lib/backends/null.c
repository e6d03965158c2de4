/* SPDX-License-Identifier: BSD-3-Clause */
/* null.c -- a backend that accepts everything, so the queue can be tested alone
 *
 * With zones_dir set, every applied zone is recorded as <zones_dir>/<domain>
 * holding its serial, and removed on delete: tests can see what was applied,
 * and make the backend fail by putting a regular file where zones_dir was.
 * delay_ms makes every batch that much slower (tests of a slow backend). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/backends/backend.h"
#include "lib/util.h"

struct null_state {
	char *zones_dir;   /* NULL = record nothing */
	int delay_ms;
};

static int null_open(const struct config_backend *cfg, void **state, char *err, size_t errlen)
{
	struct null_state *ns = xcalloc(1, sizeof(*ns));

	if (cfg->zones_dir && *cfg->zones_dir)
		ns->zones_dir = xstrdup(cfg->zones_dir);
	ns->delay_ms = cfg->delay_ms > 0 ? cfg->delay_ms : 0;
	*state = ns;
	return 0;
}

static void null_close(void *state)
{
	struct null_state *ns = state;

	if (!ns)
		return;
	free(ns->zones_dir);
	free(ns);
}

static void null_sleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The file that records domain (caller frees). */
static char *null_path(const struct null_state *ns, const char *domain)
{
	return xasprintf("%s/%s", ns->zones_dir, domain);
}

static void null_apply_one(struct null_state *ns, struct backend_zone *z)
{
	char *path = null_path(ns, z->domain);
	char buf[32];
	int rc, n;

	z->result = 0;
	z->error[0] = '\0';
	if (z->zone_text) {
		n = snprintf(buf, sizeof(buf), "%" PRId64 "\n", z->serial);
		rc = util_write_file_atomic(path, buf, (size_t)n, 0644);
		if (rc < 0) {
			z->result = DADNS_ETEMPFAIL;
			snprintf(z->error, sizeof(z->error), "write %s: %s", path, strerror(-rc));
		}
	} else if (unlink(path) < 0 && errno != ENOENT) {
		z->result = DADNS_ETEMPFAIL;
		snprintf(z->error, sizeof(z->error), "unlink %s: %s", path, strerror(errno));
	}
	free(path);
}

static void null_apply(void *state, struct backend_zone *zones, size_t n)
{
	struct null_state *ns = state;
	size_t i;

	if (ns->delay_ms)
		null_sleep(ns->delay_ms);
	for (i = 0; i < n; i++) {
		if (ns->zones_dir) {
			null_apply_one(ns, &zones[i]);
		} else {
			zones[i].result = 0;
			zones[i].error[0] = '\0';
		}
	}
}

static int null_exists(void *state, const char *domain)
{
	struct null_state *ns = state;
	char *path;
	int rc;

	if (!ns->zones_dir)
		return 1;
	path = null_path(ns, domain);
	if (access(path, F_OK) == 0)
		rc = 1;
	else
		rc = errno == ENOENT ? 0 : -errno;
	free(path);
	return rc;
}

/* The recorded serial must be the one applied. */
static int null_verify(void *state, struct backend_zone *z)
{
	struct null_state *ns = state;
	char *path, *text = NULL, *end;
	long long serial;
	int rc;

	if (!ns->zones_dir)
		return 0;
	path = null_path(ns, z->domain);
	rc = util_read_file(path, 64, &text, NULL);
	if (rc < 0) {
		snprintf(z->error, sizeof(z->error), "verify: read %s: %s", path, strerror(-rc));
		rc = DADNS_ETEMPFAIL;
		goto out;
	}
	serial = strtoll(text, &end, 10);
	if (end == text || serial != z->serial) {
		snprintf(z->error, sizeof(z->error), "verify: %s holds serial %.20s, want %" PRId64,
			 path, text, z->serial);
		rc = DADNS_ETEMPFAIL;
		goto out;
	}
	rc = 0;
out:
	free(text);
	free(path);
	return rc;
}

const struct backend_ops backend_null_ops = {
	.type = "null",
	.open = null_open,
	.close = null_close,
	.apply = null_apply,
	.exists = null_exists,
	.verify = null_verify,
};
