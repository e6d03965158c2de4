/* SPDX-License-Identifier: BSD-3-Clause */
/* mysql_driver.c -- run one backend section's ops as dadns-worker does (mysql.bats) */

/* Built by mysql.bats itself against $DADNS_BUILD/libdadns.a.
 *
 *   mysql_driver -c INI -b SECTION apply DOMAIN FILE|- [DOMAIN FILE|- ...]
 *   mysql_driver -c INI -b SECTION verify DOMAIN FILE
 *   mysql_driver -c INI -b SECTION exists DOMAIN
 *   mysql_driver -c INI -b SECTION repeat N DOMAIN FILE1 FILE2
 *
 * apply: one batch, "-" deletes the zone; prints "DOMAIN rc ms error" per
 * zone. repeat: applies FILE1, FILE2, FILE1, ... N times on one
 * connection. Exit status 0 when every result was 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/backends/backend.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/zone.h"

struct loaded {
	struct zone_info zi;
	int have;
};

/* Read and validate FILE for domain into z (text as the store keeps it). */
static int load_zone(const char *domain, const char *file, struct backend_zone *z, struct loaded *ld)
{
	char *text = NULL, err[256];
	size_t len = 0;
	int rc;

	memset(z, 0, sizeof(*z));
	memset(ld, 0, sizeof(*ld));
	z->domain = domain;
	if (strcmp(file, "-") == 0)
		return 0;
	rc = util_read_file(file, 64 << 20, &text, &len);
	if (rc < 0) {
		fprintf(stderr, "cannot read %s: %s\n", file, dadns_strerror(rc));
		return rc;
	}
	rc = zone_validate(domain, text, len, 0, &ld->zi, err, sizeof(err));
	free(text);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", file, err);
		return rc;
	}
	ld->have = 1;
	z->zone_text = ld->zi.text;
	z->zone_len = strlen(ld->zi.text);
	z->serial = ld->zi.serial;
	z->records = ld->zi.records;
	return 0;
}

static int do_apply(const struct backend_ops *ops, void *st, int argc, char **argv)
{
	size_t n = (size_t)argc / 2, i;
	struct backend_zone *zs = xcalloc(n ? n : 1, sizeof(*zs));
	struct loaded *ld = xcalloc(n ? n : 1, sizeof(*ld));
	int64_t t0;
	int bad = 0;

	for (i = 0; i < n; i++)
		if (load_zone(argv[2 * i], argv[2 * i + 1], &zs[i], &ld[i]) < 0)
			bad = 1;
	if (!bad) {
		t0 = util_mono_ms();
		ops->apply(st, zs, n);
		for (i = 0; i < n; i++) {
			printf("%s %d %lld %s\n", zs[i].domain, zs[i].result, (long long)(util_mono_ms() - t0),
			       zs[i].error);
			bad |= zs[i].result != 0;
		}
	}
	for (i = 0; i < n; i++)
		if (ld[i].have)
			zone_info_deinit(&ld[i].zi);
	free(zs);
	free(ld);
	return bad;
}

static int do_verify(const struct backend_ops *ops, void *st, const char *domain, const char *file)
{
	struct backend_zone z;
	struct loaded ld;
	int rc;

	if (load_zone(domain, file, &z, &ld) < 0)
		return 2;
	rc = ops->verify(st, &z);
	printf("%s %d %s\n", domain, rc, z.error);
	if (ld.have)
		zone_info_deinit(&ld.zi);
	return rc != 0;
}

static int do_repeat(const struct backend_ops *ops, void *st, int n, const char *domain, const char *f1,
		     const char *f2)
{
	struct backend_zone z[2], one;
	struct loaded ld[2];
	int i, bad = 0;

	if (load_zone(domain, f1, &z[0], &ld[0]) < 0 || load_zone(domain, f2, &z[1], &ld[1]) < 0)
		return 2;
	for (i = 0; i < n; i++) {
		one = z[i % 2];
		ops->apply(st, &one, 1);
		if (one.result != 0) {
			printf("%s push %d: %d %s\n", domain, i + 1, one.result, one.error);
			bad = 1;
		}
	}
	printf("%s %d pushes, %s\n", domain, n, bad ? "some failed" : "all ok");
	zone_info_deinit(&ld[0].zi);
	zone_info_deinit(&ld[1].zi);
	return bad;
}

int main(int argc, char **argv)
{
	const char *ini = NULL, *section = NULL, *cmd;
	const struct config_backend *cb;
	const struct backend_ops *ops;
	struct config cfg;
	void *st = NULL;
	char err[512];
	int opt, rc = 2;

	log_init("mysql_driver");
	while ((opt = getopt(argc, argv, "c:b:v")) != -1) {
		switch (opt) {
		case 'c': ini = optarg; break;
		case 'b': section = optarg; break;
		case 'v': log_set_level(LOG_LEVEL_DEBUG); break;
		default: return 2;
		}
	}
	if (!ini || !section || optind >= argc) {
		fprintf(stderr, "usage: mysql_driver -c INI -b SECTION apply|verify|exists|repeat ...\n");
		return 2;
	}
	if (config_load(ini, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (getenv("DRIVER_DEBUG"))
		log_set_level(LOG_LEVEL_DEBUG);
	cb = config_backend_find(&cfg, section);
	ops = cb ? backend_find(cb->type) : NULL;
	if (!ops || ops->open(cb, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "backend %s: %s\n", section, ops ? err : "not found");
		goto out;
	}
	cmd = argv[optind++];
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "apply") && argc >= 2 && argc % 2 == 0) {
		rc = do_apply(ops, st, argc, argv);
	} else if (!strcmp(cmd, "verify") && argc == 2) {
		rc = do_verify(ops, st, argv[0], argv[1]);
	} else if (!strcmp(cmd, "exists") && argc == 1) {
		int r = ops->exists(st, argv[0]);
		printf("%d\n", r);
		rc = r < 0;
	} else if (!strcmp(cmd, "repeat") && argc == 4) {
		rc = do_repeat(ops, st, atoi(argv[0]), argv[1], argv[2], argv[3]);
	} else {
		fprintf(stderr, "bad command\n");
	}
	ops->close(st);
out:
	config_deinit(&cfg);
	return rc;
}
