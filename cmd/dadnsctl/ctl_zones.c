/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_zones.c -- dadnsctl zones, zone show, push, delete */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadnsctl/ctl.h"
#include "cmd/dadnsctl/ctl_util.h"
#include "lib/domain.h"
#include "lib/util.h"
#include "lib/wake.h"
#include "lib/zone.h"

/* "a,b" (the backends that serve the zone signed themselves) as ["a", "b"]. */
static json_t *signed_list(const char *csv)
{
	json_t *a = json_array();
	const char *p = csv, *e;

	while (p && *p) {
		e = strchr(p, ',');
		json_array_append_new(a, json_stringn(p, e ? (size_t)(e - p) : strlen(p)));
		p = e ? e + 1 : NULL;
	}
	return a;
}

int ctl_zones(struct ctl *c, int argc, char **argv)
{
	sqlite3_stmt *s = NULL;
	json_t *list = c->json ? json_array() : NULL;
	char when[32];
	int rc;

	if (argc != 0) {
		return ctl_usage("zones");
	}
	if (sqlite3_prepare_v2(store_db(c->st),
			       "SELECT z.domain, z.serial, z.records, z.hostname, z.username, z.updated_at,"
			       " g.backends FROM zones z LEFT JOIN"
			       " (SELECT domain, group_concat(backend, ',') AS backends FROM backend_state"
			       "  WHERE result = 'ok' AND signed = 1 GROUP BY domain) g ON g.domain = z.domain"
			       " ORDER BY z.domain", -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "dadnsctl: %s\n", store_errmsg(c->st));
		json_decref(list);
		return 1;
	}
	if (!c->json)
		printf("%-40s %-12s %7s %-24s %-16s %-20s %s\n", "DOMAIN", "SERIAL", "RECORDS",
		       "HOSTNAME", "USERNAME", "UPDATED", "SIGNED");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(s, 0);
		const char *h = (const char *)sqlite3_column_text(s, 3);
		const char *u = (const char *)sqlite3_column_text(s, 4);
		const char *sg = (const char *)sqlite3_column_text(s, 6);
		ctl_time(sqlite3_column_int64(s, 5), when, sizeof(when));
		if (list)
			json_array_append_new(list, json_pack("{s:s, s:I, s:i, s:s, s:s, s:s, s:o}", "domain",
				d, "serial", (json_int_t)sqlite3_column_int64(s, 1), "records",
				sqlite3_column_int(s, 2), "hostname", h, "username", u, "updated", when,
				"signed_by", signed_list(sg)));
		else
			printf("%-40s %-12lld %7d %-24s %-16s %-20s %s\n", d,
			       (long long)sqlite3_column_int64(s, 1), sqlite3_column_int(s, 2),
			       *h ? h : "-", *u ? u : "-", when, sg ? sg : "-");
	}
	sqlite3_finalize(s);
	if (list)
		ctl_json_print(list);
	return rc == SQLITE_DONE ? 0 : 1;
}

int ctl_zone_show(struct ctl *c, int argc, char **argv)
{
	char domain[DOMAIN_MAX + 1], created[32], updated[32];
	struct store_zone z;
	int rc;

	if (argc != 1) {
		return ctl_usage("zone show");
	}
	if (domain_normalize(argv[0], strlen(argv[0]), domain) < 0) {
		fprintf(stderr, "dadnsctl: '%s' is not a valid domain name\n", argv[0]);
		return 1;
	}
	rc = store_zone_get(c->st, domain, 1, &z);
	if (rc == DADNS_ENOENT) {
		fprintf(stderr, "dadnsctl: %s is not in the desired state\n", domain);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "dadnsctl: %s: %s\n", domain, store_errmsg(c->st));
		return 1;
	}
	ctl_time(z.created_at, created, sizeof(created));
	ctl_time(z.updated_at, updated, sizeof(updated));
	if (c->json) {
		ctl_json_print(json_pack("{s:s, s:s, s:s, s:I, s:i, s:s, s:s, s:s, s:s}", "domain", z.domain,
			"hostname", z.hostname, "username", z.username, "serial", (json_int_t)z.serial,
			"records", z.records, "source", z.source, "created", created, "updated", updated,
			"zone_text", z.zone_text));
	} else {
		printf("domain:   %s\nowner:    %s (user %s)\nserial:   %lld\nrecords:  %d\n"
		       "source:   %s\ncreated:  %s\nupdated:  %s\n\n%s",
		       z.domain, *z.hostname ? z.hostname : "-", *z.username ? z.username : "-",
		       (long long)z.serial, z.records, z.source, created, updated, z.zone_text);
		if (*z.zone_text && z.zone_text[strlen(z.zone_text) - 1] != '\n')
			printf("\n");
	}
	store_zone_deinit(&z);
	return 0;
}

int ctl_push(struct ctl *c, int argc, char **argv)
{
	const char *hostname = NULL, *username = NULL, *args[2];
	char domain[DOMAIN_MAX + 1], err[512], owner[256] = "", user[256] = "";
	struct zone_info zi;
	char *text = NULL, *prev = NULL;
	size_t len = 0;
	int64_t job = 0;
	int n = 0, rc, how;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--hostname") && i + 1 < argc)
			hostname = argv[++i];
		else if (!strcmp(argv[i], "--username") && i + 1 < argc)
			username = argv[++i];
		else if (n < 2)
			args[n++] = argv[i];
		else
			n = 3;
	}
	if (n != 2) {
		return ctl_usage("push");
	}
	if (domain_normalize(args[0], strlen(args[0]), domain) < 0) {
		fprintf(stderr, "dadnsctl: '%s' is not a valid domain name\n", args[0]);
		return 1;
	}
	rc = util_read_file(args[1], (size_t)c->cfg.app.max_body_bytes, &text, &len);
	if (rc < 0) {
		fprintf(stderr, "dadnsctl: %s: %s\n", args[1], dadns_strerror(rc));
		return 1;
	}
	if (zone_validate(domain, text, len, c->cfg.app.max_records, &zi, err, sizeof(err)) < 0) {
		fprintf(stderr, "dadnsctl: %s: invalid zone: %s\n", args[1], err);
		free(text);
		return 1;
	}
	/* Without --hostname a push keeps the zone's owner. */
	store_zone_owner(c->st, domain, owner, sizeof(owner), user, sizeof(user));
	rc = store_zone_put(c->st, domain, hostname ? hostname : owner, username ? username : user,
			    zi.text, zi.serial, zi.records, "cli", &how, &prev, &job);
	if (rc == 0) {
		wake_send(c->cfg.worker.wake_socket);
		if (c->json)
			ctl_json_print(json_pack("{s:s, s:I, s:i, s:s, s:I}", "domain", domain, "serial",
						 (json_int_t)zi.serial, "records", zi.records, "result",
						 how == STORE_PUT_CREATED ? "stored" : "replaced", "job",
						 (json_int_t)job));
		else
			printf("%s: serial %lld, %d records %s, job %lld queued\n", domain,
			       (long long)zi.serial, zi.records,
			       how == STORE_PUT_CREATED ? "stored" : "replaced", (long long)job);
	} else {
		fprintf(stderr, "dadnsctl: %s: cannot store: %s\n", domain, dadns_strerror(rc));
	}
	free(prev);
	free(text);
	zone_info_deinit(&zi);
	return rc == 0 ? 0 : 1;
}

int ctl_delete(struct ctl *c, int argc, char **argv)
{
	char domain[DOMAIN_MAX + 1];
	const char *d = domain;
	int rc;

	if (argc != 1) {
		return ctl_usage("delete");
	}
	if (domain_normalize(argv[0], strlen(argv[0]), domain) < 0) {
		fprintf(stderr, "dadnsctl: '%s' is not a valid domain name\n", argv[0]);
		return 1;
	}
	rc = store_zone_delete(c->st, &d, 1, NULL, "cli", NULL);
	if (rc == DADNS_ENOENT) {
		fprintf(stderr, "dadnsctl: %s is not in the desired state\n", domain);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "dadnsctl: %s: cannot delete: %s\n", domain, dadns_strerror(rc));
		return 1;
	}
	wake_send(c->cfg.worker.wake_socket);
	if (c->json)
		ctl_json_print(json_pack("{s:s, s:s}", "domain", domain, "result", "deleted"));
	else
		printf("%s: deleted, tombstone written, delete queued\n", domain);
	return 0;
}
