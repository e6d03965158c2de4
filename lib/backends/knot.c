/* SPDX-License-Identifier: BSD-3-Clause */
/* knot.c -- the knot backend: zone files, zones added to knotd's configuration
 * database under an operator's template, over knotd's control socket
 *
 * knotd runs with a configuration database (knotd -C) and a template (the
 * `template` key) whose file is "<zones_dir>/%s.zone". Per batch, over ONE
 * control connection (knot_ctl.c):
 *   deleted zones   zone-purge (one command, a data unit per zone), then
 *                   conf-unset 'zone[D]' each in the transaction below
 *   new zones       conf-begin, conf-set 'zone[D]' and 'zone[D].template'
 *                   each (no template command when it is "default"),
 *                   conf-commit: knotd loads them from their files
 *   changed zones   the file written (temporary, fsync, rename) and ONE
 *                   zone-reload with a data unit per zone
 * so a batch of N new zones is 2 + 2N commands in one transaction (one
 * configuration change for knotd), and of changed zones one command. Which zones knotd has is read once
 * (conf-read 'zone.domain') and kept; a failed transaction reads it again.
 *
 * dnssec = sign: the template signs (dnssec-signing: on, a policy). The
 * DNSSEC records DirectAdmin pushed are dropped from the file (Knot signs
 * with its own keys); verification wants an RRSIG over the served SOA, a
 * served serial not below the pushed one (Knot may raise it when it signs)
 * and the pushed records (knot_sign.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/backends/backend.h"
#include "lib/backends/dnsfile.h"
#include "lib/backends/knot.h"
#include "lib/log.h"
#include "lib/util.h"

struct knot_state {
	char *label;        /* "knot NAME" */
	char *zones_dir;
	char *socket;
	char *tmpl;
	int sign;
	int verify;
	int timeout_ms;
	struct dnsfile_server srv;
	struct dnsfile_set known;  /* zones in knotd's configuration */
	int known_ok;              /* known is what knotd has */
	int64_t verify_until;
	int swept;
	unsigned long total;       /* control commands since open */
};

/* A batch: the items (dnsfile_batch_prepare) and the connection. */
struct knot_batch {
	struct knot_state *st;
	struct dnsfile_item *items;
	size_t n;
	struct knot_conn conn;
	char err[BACKEND_ERR_MAX - 64];
};

static void knot_close(void *state)
{
	struct knot_state *st = state;

	if (!st)
		return;
	free(st->label);
	free(st->zones_dir);
	free(st->socket);
	free(st->tmpl);
	dnsfile_set_deinit(&st->known);
	free(st);
}

/* "example.com." and "Example.COM" as "example.com" into out. */
static void zone_key(const char *in, char *out, size_t outlen)
{
	size_t i, n = strlen(in);

	if (n > 1 && in[n - 1] == '.')
		n--;
	for (i = 0; i < n && i + 1 < outlen; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	out[i] = '\0';
}

static void known_add(void *arg, const char *zone, const char *error, const char *id,
		      const char *item, const char *data)
{
	struct dnsfile_set *s = arg;
	char key[300];

	if (!error && data && *data) {
		zone_key(data, key, sizeof(key));
		dnsfile_set_add(s, key);
	}
}

/* Read the zones knotd has into st->known. 0 or an error with err. */
static int known_read(struct knot_state *st, struct knot_conn *c, char *err, size_t errlen)
{
	struct knot_cmd cmd = { .cmd = "conf-read", .section = "zone", .item = "domain" };
	int rc;

	dnsfile_set_deinit(&st->known);
	dnsfile_set_init(&st->known);
	rc = knot_conn_cmd(c, &cmd, known_add, &st->known, err, errlen);
	st->known_ok = rc == 0;
	return rc;
}

struct tmpl_file {
	int seen;
	char file[1024];
};

static void tmpl_file_get(void *arg, const char *zone, const char *error, const char *id,
			  const char *item, const char *data)
{
	struct tmpl_file *t = arg;

	if (!error && data) {
		t->seen = 1;
		snprintf(t->file, sizeof(t->file), "%s", data);
	}
}

/* At open: knotd answers on the socket, and has the template with its
 * file where dadns writes zone files. 0, or DADNS_EINVAL with err. */
static int knot_check_knotd(struct knot_state *st, char *err, size_t errlen)
{
	struct knot_cmd cmd = { .cmd = "conf-read", .section = "template", .id = st->tmpl,
				.item = "file" };
	struct tmpl_file t = { 0 };
	struct knot_conn c;
	char want[1100], why[BACKEND_ERR_MAX];
	int rc;

	rc = knot_conn_open(&c, st->socket, st->timeout_ms, why, sizeof(why));
	if (rc == 0)
		rc = knot_conn_cmd(&c, &cmd, tmpl_file_get, &t, why, sizeof(why));
	knot_conn_close(&c);
	if (rc == DADNS_EPERMFAIL) {
		snprintf(err, errlen, "knotd has no template '%s' (%s)", st->tmpl, why);
		return DADNS_EINVAL;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", why);
		return DADNS_EINVAL;
	}
	snprintf(want, sizeof(want), "%s/%%s%s", st->zones_dir, DNSFILE_SUFFIX);
	if (!t.seen || strcmp(t.file, want) != 0) {
		snprintf(err, errlen, "knotd's template '%s' has file: %s, want file: %s", st->tmpl,
			 t.seen ? t.file : "(unset)", want);
		return DADNS_EINVAL;
	}
	return 0;
}

static int knot_open(const struct config_backend *cfg, void **state, char *err, size_t errlen)
{
	struct knot_state *st;
	int rc;

	*state = NULL;
	if (!cfg->control_socket || cfg->control_socket[0] != '/') {
		snprintf(err, errlen, "control_socket (knotd's, an absolute path) is required");
		return DADNS_EINVAL;
	}
	if (!cfg->template || !*cfg->template || strpbrk(cfg->template, "[]. \t\r\n'\"")) {
		snprintf(err, errlen, "template (a Knot template id) is required and is a plain name");
		return DADNS_EINVAL;
	}
	st = xcalloc(1, sizeof(*st));
	dnsfile_set_init(&st->known);
	rc = dnsfile_check_config(cfg, NULL, NULL, &st->srv, err, errlen);
	if (rc < 0) {
		knot_close(st);
		return rc;
	}
	st->label = xasprintf("knot %s", cfg->name);
	st->zones_dir = xstrdup(cfg->zones_dir);
	st->socket = xstrdup(cfg->control_socket);
	st->tmpl = xstrdup(cfg->template);
	st->sign = cfg->dnssec_sign;
	st->verify = cfg->verify;
	st->timeout_ms = cfg->timeout > 0 ? cfg->timeout * 1000 : 30000;
	rc = knot_check_knotd(st, err, errlen);
	if (rc < 0) {
		knot_close(st);
		return rc;
	}
	*state = st;
	return 0;
}

/* Fail every item not done that matches pick (1 new, 2 known+present,
 * 3 deleted, 0 any) with msg. */
static void batch_fail(struct knot_batch *b, int pick, const char *msg)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct dnsfile_item *it = &b->items[i];

		if (it->done || (pick == 1 && (it->del || it->registered)) ||
		    (pick == 2 && (it->del || !it->registered)) || (pick == 3 && !it->del))
			continue;
		dnsfile_zone_fail(it->z, DADNS_ETEMPFAIL, "%s: %s", b->st->label, msg);
		it->done = 1;
	}
}

/* The items not done of one kind (as batch_fail's pick) into who. */
static size_t batch_pick(struct knot_batch *b, int pick, struct dnsfile_item **who)
{
	size_t i, k = 0;

	for (i = 0; i < b->n; i++) {
		struct dnsfile_item *it = &b->items[i];

		if (it->done || (pick == 1 && (it->del || it->registered)) ||
		    (pick == 2 && (it->del || !it->registered)) || (pick == 3 && !it->del))
			continue;
		who[k++] = it;
	}
	return k;
}

/* Per-zone errors of a zone-* command: the zone fails with knotd's words. */
static void zone_errors(void *arg, const char *zone, const char *error, const char *id,
			const char *item, const char *data)
{
	struct knot_batch *b = arg;
	char key[300];
	size_t i;

	if (!error || !zone)
		return;
	zone_key(zone, key, sizeof(key));
	for (i = 0; i < b->n; i++) {
		struct dnsfile_item *it = &b->items[i];

		if (!it->done && strcmp(it->z->domain, key) == 0) {
			dnsfile_zone_fail(it->z, DADNS_ETEMPFAIL, "%s: knotd: %s: %s", b->st->label,
					  zone, error);
			it->done = 1;
		}
	}
}

/* One zone-* command for the items of who. */
static int zone_cmd(struct knot_batch *b, const char *verb, const char *flags,
		    struct dnsfile_item **who, size_t k)
{
	const char **zones = xcalloc(k, sizeof(*zones));
	struct knot_cmd cmd = { .cmd = verb, .flags = flags, .zones = zones, .n_zones = k };
	size_t i;
	int rc;

	for (i = 0; i < k; i++)
		zones[i] = who[i]->z->domain;
	rc = knot_conn_cmd(&b->conn, &cmd, zone_errors, b, b->err, sizeof(b->err));
	free(zones);
	return rc == DADNS_EPERMFAIL ? 0 : rc;  /* per zone: zone_errors */
}

static void purge_errors(void *arg, const char *zone, const char *error, const char *id,
			 const char *item, const char *data)
{
	struct knot_batch *b = arg;

	if (error)
		log_warn("%s: knotd zone-purge %s: %s (its configuration goes anyway)", b->st->label,
			 zone ? zone : "?", error);
}

/* zone-purge (forced: journal, timers, keys, file) of the deleted zones:
 * cleanup, so a zone knotd cannot purge (it never loaded) still leaves the
 * configuration; only a failed connection fails them. */
static int purge(struct knot_batch *b, struct dnsfile_item **who, size_t k)
{
	const char **zones = xcalloc(k, sizeof(*zones));
	struct knot_cmd cmd = { .cmd = "zone-purge", .flags = "F", .zones = zones, .n_zones = k };
	size_t i;
	int rc;

	for (i = 0; i < k; i++)
		zones[i] = who[i]->z->domain;
	rc = knot_conn_cmd(&b->conn, &cmd, purge_errors, b, b->err, sizeof(b->err));
	free(zones);
	return rc == DADNS_EPERMFAIL ? 0 : rc;
}

/* conf-begin; when knotd has a transaction open already (a worker killed
 * inside one: transactions outlive their connection), abort it once. */
static int conf_begin(struct knot_batch *b)
{
	struct knot_cmd begin = { .cmd = "conf-begin" }, abort_ = { .cmd = "conf-abort" };
	char why[BACKEND_ERR_MAX - 64];
	int rc;

	rc = knot_conn_cmd(&b->conn, &begin, NULL, NULL, b->err, sizeof(b->err));
	if (rc != DADNS_EPERMFAIL)
		return rc;
	log_warn("%s: %s: aborting the open configuration transaction", b->st->label, b->err);
	if (knot_conn_cmd(&b->conn, &abort_, NULL, NULL, why, sizeof(why)) < 0)
		return DADNS_ETEMPFAIL;
	return knot_conn_cmd(&b->conn, &begin, NULL, NULL, b->err, sizeof(b->err));
}

/* conf-set 'zone[D]' for every new zone, then its template (none for the
 * template "default", which Knot gives every zone without one). knotd takes
 * one identifier per conf-set: extra values of zone.domain are not added. */
static int conf_add(struct knot_batch *b, struct dnsfile_item **who, size_t k)
{
	int tmpl = strcmp(b->st->tmpl, "default") != 0;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < k; i++) {
		struct knot_cmd add = { .cmd = "conf-set", .section = "zone",
					.id = who[i]->z->domain };
		struct knot_cmd t = { .cmd = "conf-set", .section = "zone",
				      .id = who[i]->z->domain, .item = "template",
				      .data = b->st->tmpl };

		rc = knot_conn_cmd(&b->conn, &add, NULL, NULL, b->err, sizeof(b->err));
		if (rc == 0 && tmpl)
			rc = knot_conn_cmd(&b->conn, &t, NULL, NULL, b->err, sizeof(b->err));
	}
	return rc;
}

/* The configuration transaction of a batch: unset deleted zones, add new
 * ones, commit. Knot's words fail the zones of the transaction. */
static void conf_txn(struct knot_batch *b, struct dnsfile_item **dels, size_t nd,
		     struct dnsfile_item **adds, size_t na)
{
	struct knot_cmd commit = { .cmd = "conf-commit" }, abort_ = { .cmd = "conf-abort" };
	char why[64];
	size_t i;
	int rc;

	rc = conf_begin(b);
	for (i = 0; rc == 0 && i < nd; i++) {
		struct knot_cmd u = { .cmd = "conf-unset", .section = "zone",
				      .id = dels[i]->z->domain };

		rc = knot_conn_cmd(&b->conn, &u, NULL, NULL, b->err, sizeof(b->err));
	}
	if (rc == 0 && na > 0)
		rc = conf_add(b, adds, na);
	if (rc == 0)
		rc = knot_conn_cmd(&b->conn, &commit, NULL, NULL, b->err, sizeof(b->err));
	if (rc == 0) {
		for (i = 0; i < nd; i++)
			dnsfile_set_del(&b->st->known, dels[i]->z->domain);
		for (i = 0; i < na; i++)
			dnsfile_set_add(&b->st->known, adds[i]->z->domain);
		return;
	}
	if (rc == DADNS_EPERMFAIL)
		knot_conn_cmd(&b->conn, &abort_, NULL, NULL, why, sizeof(why));
	b->st->known_ok = 0;
	batch_fail(b, 1, b->err);
	batch_fail(b, 3, b->err);
}

static void knot_run(struct knot_batch *b)
{
	struct knot_state *st = b->st;
	struct dnsfile_item **dels = xcalloc(b->n, sizeof(*dels));
	struct dnsfile_item **adds = xcalloc(b->n, sizeof(*adds));
	struct dnsfile_item **reloads = xcalloc(b->n, sizeof(*reloads));
	size_t i, nd, na, nr, k = 0;

	if (knot_conn_open(&b->conn, st->socket, st->timeout_ms, b->err, sizeof(b->err)) < 0 ||
	    (!st->known_ok && known_read(st, &b->conn, b->err, sizeof(b->err)) < 0)) {
		batch_fail(b, 0, b->err);
		goto out;
	}
	for (i = 0; i < b->n; i++)
		b->items[i].registered = dnsfile_set_has(&st->known, b->items[i].z->domain);
	/* Deleted zones knotd has: purged (journal, timers, keys), then out of
	 * the configuration; the others only lose their file. */
	nd = batch_pick(b, 3, dels);
	for (i = 0; i < nd; i++)
		if (dels[i]->registered)
			dels[k++] = dels[i];
	nd = k;
	if (nd > 0 && purge(b, dels, nd) < 0) {
		batch_fail(b, 0, b->err);
		goto out;
	}
	na = batch_pick(b, 1, adds);
	for (i = k = 0; i < nd; i++)
		if (!dels[i]->done)
			dels[k++] = dels[i];
	nd = k;
	if (nd + na > 0)
		conf_txn(b, dels, nd, adds, na);
	nr = batch_pick(b, 2, reloads);
	if (nr > 0 && zone_cmd(b, "zone-reload", NULL, reloads, nr) < 0)
		batch_fail(b, 2, b->err);
out:
	knot_conn_close(&b->conn);
	free(dels);
	free(adds);
	free(reloads);
}

/* dnssec = sign: the file Knot reads holds the zone without DirectAdmin's
 * DNSSEC records; z->records counts what is left. texts[i] (caller frees)
 * replaces zones[i].zone_text while the files are written. */
static void knot_strip(struct knot_state *st, struct backend_zone *zones, size_t n, char **texts)
{
	char err[256];
	size_t i;

	for (i = 0; i < n; i++) {
		struct backend_zone *z = &zones[i];
		int records;

		if (!z->zone_text)
			continue;
		if (knot_strip_dnssec(z->domain, z->zone_text, z->zone_len, &texts[i], &records,
				      err, sizeof(err)) < 0) {
			log_warn("%s: %s: %s (written as pushed)", st->label, z->domain, err);
			continue;
		}
		z->records = records;
	}
}

/* One line per batch, in the form the nsd and bind backends log (the
 * benchmarks count control commands from it). */
static void knot_batch_log(const struct knot_batch *b)
{
	int added = 0, changed = 0, deleted = 0, failed = 0;
	char verbs[256];
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct dnsfile_item *it = &b->items[i];

		if (it->z->result != 0)
			failed++;
		else if (it->del)
			deleted++;
		else if (it->registered)
			changed++;
		else
			added++;
	}
	knot_conn_verbs(&b->conn, verbs, sizeof(verbs));
	log_info("%s: batch of %zu zone(s): %d new, %d changed, %d deleted, %d failed; "
		 "%u control command(s)%s%s%s; %lu control command(s) since start", b->st->label,
		 b->n, added, changed, deleted, failed, b->conn.count, b->conn.count ? " (" : "",
		 verbs, b->conn.count ? ")" : "", b->st->total);
}

static void knot_apply(void *state, struct backend_zone *zones, size_t n)
{
	struct knot_state *st = state;
	struct knot_batch b = { .st = st, .n = n };
	const char **orig = xcalloc(n, sizeof(*orig));
	size_t *orig_len = xcalloc(n, sizeof(*orig_len));
	char **texts = xcalloc(n, sizeof(*texts));
	size_t i;

	if (!st->swept) {
		dnsfile_sweep_tmp(st->zones_dir, NULL, st->label);
		st->swept = 1;
	}
	if (st->sign)
		knot_strip(st, zones, n, texts);
	for (i = 0; i < n; i++) {
		orig[i] = zones[i].zone_text;
		orig_len[i] = zones[i].zone_len;
		if (texts[i]) {
			zones[i].zone_text = texts[i];
			zones[i].zone_len = strlen(texts[i]);
		}
	}
	b.items = dnsfile_batch_prepare(st->zones_dir, st->label, zones, n);
	for (i = 0; i < n; i++) {
		zones[i].zone_text = orig[i];
		zones[i].zone_len = orig_len[i];
		free(texts[i]);
	}
	knot_run(&b);
	dnsfile_batch_finish(b.items, n, st->label);
	st->total += b.conn.count;
	knot_batch_log(&b);
	st->verify_until = dnsfile_verify_deadline(st->timeout_ms / 1000);
	dnsfile_batch_free(b.items, n);
	free(orig);
	free(orig_len);
	free(texts);
}

static int knot_exists(void *state, const char *domain)
{
	struct knot_state *st = state;

	return dnsfile_exists(&st->srv, st->label, domain);
}

static int knot_verify(void *state, struct backend_zone *z)
{
	struct knot_state *st = state;

	if (!st->verify)
		return 0;
	if (st->sign) {
		int rc = knot_verify_signed(&st->srv, st->label, st->verify_until, z);

		z->dnssec_signed = rc == 0;
		return rc;
	}
	return dnsfile_verify(&st->srv, st->label, st->verify_until, z);
}

const struct backend_ops backend_knot_ops = {
	.type = "knot",
	.open = knot_open,
	.close = knot_close,
	.apply = knot_apply,
	.exists = knot_exists,
	.verify = knot_verify,
};
