/* SPDX-License-Identifier: BSD-3-Clause */
/* dnsadmin.c -- CMD_API_DNS_ADMIN: rawsave, delete and exists as DirectAdmin sends them */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-intake/intake.h"
#include "lib/domain.h"
#include "lib/log.h"
#include "lib/wake.h"
#include "lib/zone.h"

#define OWNER_MAX 256        /* hostname and username buffers for owner lookups */
#define DELETE_ATTEMPTS 3
#define DELETE_MAX 1000      /* select0..selectN in one delete; more is refused */

/* A single-valued parameter: absent is NULL, given twice with different
 * values is an error (answered). Returns 0 or -1. */
static int param(struct intake_req *r, const char *key, const char **value)
{
	int rc = http_form_get_unique(&r->params, key, value);
	char details[HTTP_KEY_MAX + 64];

	if (rc == DADNS_EEXIST) {
		snprintf(details, sizeof(details), "%s given twice with different values", key);
		intake_answer(r, 200, "error", "1", "text", "Conflicting parameters", "details", details,
			      NULL);
		return -1;
	}
	return 0;
}

/* DA's own hostname: letters, digits, '.', '-', '_' and ':' (an address),
 * stored lower-case so that ownership compares as DNS names do. */
static int hostname_clean(const char *in, char *out, size_t outlen)
{
	/* lib/zone.c: dadns-peersync checks a peer's zones the same way */
	return zone_owner_hostname(in, out, outlen) < 0 ? -1 : 0;
}

static int username_ok(const char *s)
{
	return zone_owner_username_ok(s);
}

/* hostname and username of a push or delete; "" and NULL when not sent. */
static int owner_params(struct intake_req *r, char hostname[OWNER_MAX], const char **username)
{
	const char *h = NULL, *u = NULL;

	if (param(r, "hostname", &h) < 0 || param(r, "username", &u) < 0)
		return -1;
	hostname[0] = '\0';
	if (h && *h && hostname_clean(h, hostname, OWNER_MAX) < 0) {
		intake_answer(r, 200, "error", "1", "text", "Invalid hostname", "details",
			      "letters, digits, '.', '-', '_' and ':' only, at most 253", NULL);
		return -1;
	}
	if (u && !*u)
		u = NULL;
	if (u && !username_ok(u)) {
		intake_answer(r, 200, "error", "1", "text", "Invalid username", "details",
			      "letters, digits, '.', '-' and '_' only, at most 64", NULL);
		return -1;
	}
	*username = u;
	return 0;
}

static int domain_param(struct intake_req *r, const char *key, char out[DOMAIN_MAX + 1])
{
	const char *d = NULL;

	if (param(r, key, &d) < 0)
		return -1;
	if (!d || !*d) {
		intake_answer(r, 200, "error", "1", "text", "Missing domain", NULL);
		return -1;
	}
	if (domain_normalize(d, strlen(d), out) < 0) {
		intake_answer(r, 200, "error", "1", "text", "Invalid domain", "details",
			      "not a valid DNS name", NULL);
		return -1;
	}
	return 0;
}

static void store_failed(struct intake_req *r, int rc, const char *what)
{
	if (rc == DADNS_EBUSY) {
		log_warn("intake: %s: database busy", what);
		intake_answer(r, 200, "error", "1", "text", "Database busy", "details", "try again",
			      NULL);
		return;
	}
	log_err("intake: %s: %s (%s)", what, dadns_strerror(rc), store_errmsg(r->st));
	intake_answer(r, 200, "error", "1", "text", "Database error", NULL);
}

static void wake_worker(struct intake_req *r)
{
	const char *path = r->cfg->worker.wake_socket;
	int rc;

	if (!path || !*path)
		return;
	rc = wake_send(path);
	if (rc < 0)
		log_debug("intake: wake %s: %s", path, dadns_strerror(rc));
}

/* The zone text of a rawsave: the form field zone_file when the body is a
 * form holding one, else the raw body. A zone file is never a strictly
 * valid form with a zone_file key (it has blanks and line ends), so the
 * two cannot be confused. Returns 0 or -1 (answered). */
static int rawsave_zone(struct intake_req *r, int body_is_params, const char **zone, size_t *len)
{
	struct http_form form;
	const char *z = NULL;

	if (body_is_params) {
		if (param(r, "zone_file", &z) < 0)
			return -1;
		if (!z) {
			intake_answer(r, 200, "error", "1", "text", "Missing zone", "details",
				      "no zone_file field", NULL);
			return -1;
		}
		*zone = z;
		*len = strlen(z);
		return 0;
	}
	*zone = r->body;
	*len = r->body_len;
	if (r->content_type && !http_is_form_type(r->content_type))
		return 0;
	http_form_init(&form);
	if (http_form_parse(&form, r->body, r->body_len) == 0 && http_form_get(&form, "zone_file")) {
		/* The body's pairs go behind the query's: the query keeps
		 * precedence and a conflict is caught by param(). */
		http_form_move(&r->params, &form);
		if (param(r, "zone_file", &z) < 0)
			return -1;
		*zone = z;
		*len = strlen(z);
		return 0;
	}
	http_form_deinit(&form);
	return 0;
}

static void rawsave(struct intake_req *r, int body_is_params)
{
	char domain[DOMAIN_MAX + 1], hostname[OWNER_MAX], err[256], what[DOMAIN_MAX + 32];
	const char *username = NULL, *zone = NULL;
	char *prev = NULL;
	struct zone_info zi;
	struct intake_ack ack;
	int64_t job_id = 0;
	size_t zlen = 0;
	int rc, how = 0;

	if (strcmp(r->method, "POST") != 0) {
		r->allow = "POST";
		intake_answer(r, 405, "error", "1", "text", "Method not allowed", "details",
			      "rawsave needs POST", NULL);
		return;
	}
	if (intake_read_body(r) < 0 || rawsave_zone(r, body_is_params, &zone, &zlen) < 0)
		return;
	if (domain_param(r, "domain", domain) < 0 || owner_params(r, hostname, &username) < 0)
		return;
	if (zone_validate(domain, zone, zlen, r->cfg->app.max_records, &zi, err, sizeof(err)) < 0) {
		intake_answer(r, 200, "error", "1", "text", "Invalid zone", "details", err, NULL);
		return;
	}
	snprintf(what, sizeof(what), "rawsave %s", domain);
	ack.since = util_now_ms();
	rc = store_zone_put(r->st, domain, hostname, username, zi.text, zi.serial, zi.records, "da",
			    &how, &prev, &job_id);
	if (rc < 0) {
		store_failed(r, rc, what);
		goto out;
	}
	if (how == STORE_PUT_MIGRATED)
		log_info("intake: zone %s moved from DA server '%s' to '%s' (user %s)", domain,
			 prev ? prev : "", hostname, username ? username : "-");
	wake_worker(r);
	ack.domain = domain;
	ack.serial = zi.serial;
	intake_ack_wait(r, &ack, 1, 0);
	intake_answer(r, 200, "error", "0", "text", "Zone saved", NULL);
	/* The log line says what was stored. */
	snprintf(r->note + strlen(r->note), sizeof(r->note) - strlen(r->note),
		 " (%s serial %lld, %d records, job %lld, %s)", domain, (long long)zi.serial, zi.records,
		 (long long)job_id,
		 how == STORE_PUT_CREATED ? "new" : how == STORE_PUT_MIGRATED ? "migrated" : "updated");
out:
	free(prev);
	zone_info_deinit(&zi);
}

/* Add a zone name to the delete list (normalized, once). Returns 0 or -1
 * (answered). */
static int delete_add(struct intake_req *r, const char *d, char (**names)[DOMAIN_MAX + 1], int *n)
{
	char norm[DOMAIN_MAX + 1];
	int j;

	if (domain_normalize(d, strlen(d), norm) < 0) {
		intake_answer(r, 200, "error", "1", "text", "Invalid domain", "details",
			      "not a valid DNS name", NULL);
		return -1;
	}
	for (j = 0; j < *n; j++)
		if (!strcmp((*names)[j], norm))
			return 0;
	*names = xrealloc(*names, (size_t)(*n + 1) * sizeof(**names));
	memcpy((*names)[(*n)++], norm, sizeof(norm));
	return 0;
}

/* The zones named by select0..selectN (up to the first gap) and domain=.
 * More than DELETE_MAX selects is refused whole: each costs a lookup among
 * all the pairs and in the database (10000 took seconds of a thread). */
static int delete_names(struct intake_req *r, char (**names)[DOMAIN_MAX + 1], int *n)
{
	char key[32], details[64];
	const char *d;
	int i;

	*names = NULL;
	*n = 0;
	for (i = 0; i <= DELETE_MAX; i++) {
		snprintf(key, sizeof(key), "select%d", i);
		if (param(r, key, &d) < 0)
			goto fail;
		if (!d)
			break;
		if (i == DELETE_MAX) {
			snprintf(details, sizeof(details), "more than %d zones in one delete", DELETE_MAX);
			intake_answer(r, 200, "error", "1", "text", "Too many zones", "details", details,
				      NULL);
			goto fail;
		}
		if (delete_add(r, d, names, n) < 0)
			goto fail;
	}
	if (param(r, "domain", &d) < 0)
		goto fail;
	if (d && delete_add(r, d, names, n) < 0)
		goto fail;
	if (*n == 0) {
		intake_answer(r, 200, "error", "1", "text", "Missing domain", "details",
			      "no select0 or domain", NULL);
		goto fail;
	}
	return 0;
fail:
	free(*names);
	*names = NULL;
	return -1;
}

/* Of names, the zones present (into present[], *np); -1 answered when
 * one is owned by another DA server or the database fails. */
static int delete_filter(struct intake_req *r, char (*names)[DOMAIN_MAX + 1], int n,
			 const char *hostname, const char **present, int *np)
{
	char owner[OWNER_MAX], details[DOMAIN_MAX + 64];
	int i, rc;

	*np = 0;
	for (i = 0; i < n; i++) {
		rc = store_zone_owner(r->st, names[i], owner, sizeof(owner), NULL, 0);
		if (rc == DADNS_ENOENT) {
			log_info("intake: delete %s: not in the desired state, nothing to do", names[i]);
			continue;
		}
		if (rc < 0) {
			store_failed(r, rc, "delete");
			return -1;
		}
		if (strcmp(owner, hostname) != 0) {
			log_warn("intake: delete %s from DA server '%s' refused: owned by '%s'", names[i],
				 hostname, owner);
			snprintf(details, sizeof(details), "%s is owned by another server", names[i]);
			intake_answer(r, 200, "error", "1", "text", "Not owner", "details", details, NULL);
			return -1;
		}
		present[(*np)++] = names[i];
	}
	return 0;
}

/* ack = served: wait until the backends hold none of the deleted zones. */
static void delete_ack(struct intake_req *r, const char **present, int np, int64_t since)
{
	struct intake_ack *w;
	int i;

	if (!r->cfg->app.ack_served)
		return;
	w = xcalloc((size_t)np, sizeof(*w));
	for (i = 0; i < np; i++)
		w[i] = (struct intake_ack){ present[i], 0, since };
	intake_ack_wait(r, w, np, 1);
	free(w);
}

static void delete_zones(struct intake_req *r)
{
	char hostname[OWNER_MAX], details[DOMAIN_MAX + 64], (*names)[DOMAIN_MAX + 1] = NULL;
	const char *username = NULL, *failed = NULL, **present = NULL;
	int n = 0, np = 0, attempt, rc = 0;
	int64_t since;

	if (strcmp(r->method, "POST") != 0) {
		r->allow = "POST";
		intake_answer(r, 405, "error", "1", "text", "Method not allowed", "details",
			      "delete needs POST", NULL);
		return;
	}
	if (owner_params(r, hostname, &username) < 0)
		return;
	/* DA always names itself. Without a hostname the owner check could
	 * not be made, so a delete without one is refused rather than
	 * allowed to remove any server's zones. */
	if (!hostname[0]) {
		intake_answer(r, 200, "error", "1", "text", "Missing hostname", "details",
			      "a delete must name the DA server", NULL);
		return;
	}
	if (delete_names(r, &names, &n) < 0)
		return;
	present = xcalloc((size_t)n, sizeof(*present));
	since = util_now_ms();
	/* Absent zones are already deleted (DA does not retry, and a repeat
	 * must not fail); the owner check runs again inside the store's
	 * transaction, so a zone removed or moved in between is seen there. */
	for (attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
		if (delete_filter(r, names, n, hostname, present, &np) < 0)
			goto out;
		if (np == 0)
			break;
		rc = store_zone_delete(r->st, present, np, hostname, "da", &failed);
		if (rc != DADNS_ENOENT)
			break;
	}
	if (rc == DADNS_EPERM) {
		log_warn("intake: delete %s from DA server '%s' refused: owned by another server",
			 failed ? failed : "?", hostname);
		snprintf(details, sizeof(details), "%s is owned by another server", failed ? failed : "?");
		intake_answer(r, 200, "error", "1", "text", "Not owner", "details", details, NULL);
		goto out;
	}
	if (rc < 0) {
		store_failed(r, rc, "delete");
		goto out;
	}
	if (np > 0) {
		wake_worker(r);
		delete_ack(r, present, np, since);
	}
	snprintf(details, sizeof(details), "%d zone(s) deleted, %d already absent", np, n - np);
	intake_answer(r, 200, "error", "0", "text", "Zone deleted", "details", details, NULL);
out:
	free(present);
	free(names);
}

/* exists never fails on a bad name: DA asks on every keystroke. */
static void exists(struct intake_req *r)
{
	char domain[DOMAIN_MAX + 1], host[OWNER_MAX], user[OWNER_MAX], details[DOMAIN_MAX + 320];
	const char *d = NULL, *flag = NULL, *p;
	int rc;

	if (http_form_get_unique(&r->params, "domain", &d) < 0 || !d ||
	    domain_normalize(d, strlen(d), domain) < 0) {
		intake_answer(r, 200, "error", "0", "exists", "0", NULL);
		return;
	}
	rc = store_zone_owner(r->st, domain, host, sizeof(host), user, sizeof(user));
	if (rc == 0) {
		snprintf(details, sizeof(details), "Domain exists on %s", host[0] ? host : "this server");
		intake_answer(r, 200, "error", "0", "exists", "1", "details", details, NULL);
		return;
	}
	if (rc != DADNS_ENOENT)
		goto fail;
	flag = http_form_get(&r->params, "check_for_parent_domain");
	if (flag && *flag) {
		/* Every ancestor with at least two labels: one primary-key
		 * lookup each, nearest first. */
		for (p = domain_parent(domain); p && domain_parent(p); p = domain_parent(p)) {
			rc = store_zone_owner(r->st, p, host, sizeof(host), user, sizeof(user));
			if (rc == DADNS_ENOENT)
				continue;
			if (rc < 0)
				goto fail;
			if (r->cfg->app.check_subdomain_owner_in_cluster_domainowners) {
				intake_answer(r, 200, "error", "0", "exists", "3", "hostname", host,
					      "username", user, NULL);
			} else {
				snprintf(details, sizeof(details), "Parent domain %s exists on %s", p,
					 host[0] ? host : "this server");
				intake_answer(r, 200, "error", "0", "exists", "2", "details", details, NULL);
			}
			return;
		}
	}
	intake_answer(r, 200, "error", "0", "exists", "0", NULL);
	return;
fail:
	store_failed(r, rc, "exists");
}

/* Strip one trailing line end some clients add after a form body. */
static size_t form_len(const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len > 0 && s[len - 1] == '\r')
		len--;
	return len;
}

void intake_dns_admin(struct intake_req *r)
{
	const char *action = NULL;
	int rc;

	if (param(r, "action", &action) < 0)
		return;
	/* The query string decides first: a rawsave's body is a zone, and an
	 * action this receiver does not know needs no body at all. */
	if (action && !strcmp(action, "rawsave")) {
		rawsave(r, 0);
		intake_count_push(r, "rawsave");
		return;
	}
	if (action && *action && strcmp(action, "delete") != 0 && strcmp(action, "exists") != 0) {
		intake_answer(r, 200, "error", "1", "text", "Unsupported action", NULL);
		return;
	}
	if (intake_read_body(r) < 0)
		return;
	rc = http_form_parse(&r->params, r->body, form_len(r->body, r->body_len));
	if (rc < 0) {
		intake_answer(r, 200, "error", "1", "text",
			      rc == DADNS_E2BIG ? "Too many parameters" : "Bad URL encoding", "details",
			      "request body", NULL);
		return;
	}
	if (param(r, "action", &action) < 0)
		return;
	if (!action || !*action)
		intake_answer(r, 200, "error", "0", "text", "OK", NULL);
	else if (!strcmp(action, "rawsave")) {
		rawsave(r, 1);
		intake_count_push(r, "rawsave");
	} else if (!strcmp(action, "delete")) {
		delete_zones(r);
		intake_count_push(r, "delete");
	} else if (!strcmp(action, "exists")) {
		exists(r);
	} else {
		intake_answer(r, 200, "error", "1", "text", "Unsupported action", NULL);
	}
}
