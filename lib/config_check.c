/* SPDX-License-Identifier: BSD-3-Clause */
/* config_check.c -- the checks of a whole configuration, after parsing */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/acl.h"
#include "lib/backends/backend.h"
#include "lib/config_int.h"
#include "lib/domain.h"
#include "lib/util.h"
#include "lib/xfr.h"

int config_seen_line(const struct parse *p, enum sec sec, size_t idx, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_seen; i++)
		if (p->seen[i].sec == sec && p->seen[i].idx == idx && !strcmp(p->seen[i].key->name, name))
			return p->seen[i].line;
	return 0;
}

#define CHECK_FAIL(line, ...)                                                                \
	do {                                                                                 \
		int n_ = snprintf(err, errlen, "%s:%d: ", p->file, (line));                  \
		if (n_ > 0 && (size_t)n_ < errlen)                                           \
			snprintf(err + n_, errlen - (size_t)n_, __VA_ARGS__);                \
		return -1;                                                                   \
	} while (0)

/* notify, allow_transfer: lists of addresses (lib/xfr.h). */
static int check_xfr(struct parse *p, size_t i, char *err, size_t errlen)
{
	const struct config_backend *b = &p->cfg->backends[i];
	struct xfr_conf *x = xcalloc(1, sizeof(*x));
	char xerr[160];
	int line = -1;

	if (xfr_parse_notify(b->notify, x, xerr, sizeof(xerr)) < 0)
		line = config_seen_line(p, SEC_BACKEND, i, "notify");
	else if (xfr_parse_allow(b->allow_transfer, x, xerr, sizeof(xerr)) < 0)
		line = config_seen_line(p, SEC_BACKEND, i, "allow_transfer");
	free(x);
	if (line >= 0)
		CHECK_FAIL(line, "[backend %s]: %s", b->name, xerr);
	return 0;
}

static int check_backend(struct parse *p, size_t i, char *err, size_t errlen)
{
	const struct config_backend *b = &p->cfg->backends[i];
	unsigned mask = config_backend_type_mask(b->type);
	size_t s;

	if (!b->type)
		CHECK_FAIL(b->line, "[backend %s] has no type", b->name);
	if (!backend_find(b->type))
		CHECK_FAIL(config_seen_line(p, SEC_BACKEND, i, "type"),
			   "[backend %s]: unknown type '%s' (nsd, bind, knot, coredns_mysql, powerdns_mysql, null)",
			   b->name, b->type);
	for (s = 0; s < p->n_seen; s++) {
		const struct seen *sn = &p->seen[s];
		if (sn->sec == SEC_BACKEND && sn->idx == i && sn->key->types != B_ALL &&
		    !(sn->key->types & mask))
			CHECK_FAIL(sn->line, "[backend %s]: key '%s' does not apply to type %s",
				   b->name, sn->key->name, b->type);
	}
	if (mask & B_DNS) {
		if (!b->zones_dir || !*b->zones_dir)
			CHECK_FAIL(b->line, "[backend %s]: zones_dir is required for type %s", b->name, b->type);
		if ((!b->control || !*b->control) &&
		    (!(mask & B_NSD) || !b->control_socket || !*b->control_socket))
			CHECK_FAIL(b->line, "[backend %s]: control is required for type %s%s", b->name,
				   b->type, mask & B_NSD ? " (or control_socket)" : "");
		if (b->verify && (!b->server || !strchr(b->server, ':')))
			CHECK_FAIL(b->line, "[backend %s]: server = HOST:PORT is required when verify = 1",
				   b->name);
	}
	if ((mask & B_NSD) && b->control_socket && *b->control_socket && b->control_socket[0] != '/')
		CHECK_FAIL(config_seen_line(p, SEC_BACKEND, i, "control_socket"),
			   "[backend %s]: control_socket must be an absolute path", b->name);
	if ((mask & B_NSD) && (!b->pattern || !*b->pattern) && (!b->nsd_conf || !*b->nsd_conf))
		CHECK_FAIL(b->line, "[backend %s]: nsd needs pattern or nsd_conf", b->name);
	p->cfg->backends[i].tsig = b->tsig_key && *b->tsig_key ? config_tsig_find(p->cfg, b->tsig_key) : NULL;
	if (b->tsig_key && *b->tsig_key && !b->tsig)
		CHECK_FAIL(config_seen_line(p, SEC_BACKEND, i, "tsig_key"),
			   "[backend %s]: tsig_key %s names no [tsig %s] section", b->name, b->tsig_key,
			   b->tsig_key);
	if (check_xfr(p, i, err, errlen) < 0)
		return -1;
	if ((mask & B_KNOT) && (!b->zones_dir || !*b->zones_dir || !b->control_socket ||
				b->control_socket[0] != '/'))
		CHECK_FAIL(b->line, "[backend %s]: knot needs zones_dir and control_socket (an absolute path)",
			   b->name);
	if ((mask & B_KNOT) && b->verify && (!b->server || !strchr(b->server, ':')))
		CHECK_FAIL(b->line, "[backend %s]: server = HOST:PORT is required when verify = 1", b->name);
	if ((mask & B_BIND) && (!b->named_conf || !*b->named_conf))
		CHECK_FAIL(b->line, "[backend %s]: named_conf is required for type bind", b->name);
	if (mask & B_MYSQL) {
		if (!b->database || !*b->database)
			CHECK_FAIL(b->line, "[backend %s]: database is required", b->name);
		if ((!b->host || !*b->host) && (!b->socket || !*b->socket))
			CHECK_FAIL(b->line, "[backend %s]: host or socket is required", b->name);
	}
	return 0;
}

static int check_url(const char *url)
{
	return url && (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8)) &&
	       strlen(url) > 8 && !strpbrk(url, " \t\r\n");
}

/* Default hostname of a [directadmin] section: the host part of its url. */
static char *url_host(const char *url)
{
	const char *h = strstr(url, "://"), *e;

	h = h ? h + 3 : url;
	if (strchr(h, '@') && (!strchr(h, '/') || strchr(h, '@') < strchr(h, '/')))
		h = strchr(h, '@') + 1;
	if (*h == '[') {
		e = strchr(h, ']');
		return e ? xstrndup(h + 1, (size_t)(e - h - 1)) : xstrdup(h);
	}
	e = h + strcspn(h, ":/?#");
	return xstrndup(h, (size_t)(e - h));
}

/* HOST[:PORT] / [V6]:PORT / V6 of a [secondary NAME]: 1 when the port, if
 * any, is 1..65535 (the host is resolved when it is checked). */
static int server_port_ok(const char *s)
{
	const char *colon = NULL, *end;
	char *e;
	long port;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end == s + 1 || (end[1] && end[1] != ':'))
			return 0;
		colon = end[1] ? end + 1 : NULL;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;  /* a bare IPv6 address */
		if (colon == s)
			return 0;
	}
	if (!colon)
		return 1;
	port = strtol(colon + 1, &e, 10);
	return e != colon + 1 && !*e && port >= 1 && port <= 65535;
}

/* [catalog], [tsig NAME], [secondary NAME]. */
static int check_fleet(struct parse *p, char *err, size_t errlen)
{
	static const char *const algs[] = { "hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256",
					    "hmac-sha384", "hmac-sha512" };
	struct config *cfg = p->cfg;
	char name[DOMAIN_MAX + 1];
	size_t i, j;

	if (cfg->catalog.zone && *cfg->catalog.zone &&
	    domain_normalize(cfg->catalog.zone, strlen(cfg->catalog.zone), name) < 0)
		CHECK_FAIL(config_seen_line(p, SEC_CATALOG, 0, "zone"),
			   "[catalog] zone '%s' is not a valid domain name", cfg->catalog.zone);
	for (i = 0; i < cfg->n_tsigs; i++) {
		struct config_tsig *t = &cfg->tsigs[i];
		if (!xfr_key_name_ok(t->name))
			CHECK_FAIL(t->line, "[tsig %s]: the name may hold only letters, digits, '.', '-' "
				   "and '_' (63 at most)", t->name);
		for (j = 0; j < ARRAY_SIZE(algs) && strcasecmp(t->algorithm, algs[j]); j++)
			;
		if (j == ARRAY_SIZE(algs))
			CHECK_FAIL(config_seen_line(p, SEC_TSIG, i, "algorithm"),
				   "[tsig %s]: algorithm must be one of hmac-md5, hmac-sha1, hmac-sha224, "
				   "hmac-sha256, hmac-sha384, hmac-sha512", t->name);
		if (!t->secret || !*t->secret || strspn(t->secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
							"qrstuvwxyz0123456789+/=") != strlen(t->secret))
			CHECK_FAIL(t->line, "[tsig %s]: secret (base64) is required", t->name);
	}
	for (i = 0; i < cfg->n_secondary; i++) {
		struct config_secondary *s = &cfg->secondary[i];
		if (!s->server || !*s->server || strpbrk(s->server, " \t/"))
			CHECK_FAIL(s->line, "[secondary %s]: server = HOST[:PORT] is required", s->name);
		if (!server_port_ok(s->server))
			CHECK_FAIL(s->line, "[secondary %s]: server '%s' is not HOST[:PORT] with a port "
				   "1-65535", s->name, s->server);
	}
	return 0;
}

int config_check_all(struct parse *p, char *err, size_t errlen)
{
	struct config *cfg = p->cfg;
	char aclerr[128];
	size_t i, j;

	if (!cfg->app.db_path || !*cfg->app.db_path)
		CHECK_FAIL(config_seen_line(p, SEC_APP, 0, "db_path"), "[app] db_path must not be empty");
	if (!cfg->worker.wake_socket || !*cfg->worker.wake_socket) {
		free(cfg->worker.wake_socket);
		cfg->worker.wake_socket = xasprintf("%s.wake", cfg->app.db_path);
	}
	for (i = 0; i < cfg->n_backends; i++) {
		if (check_backend(p, i, err, errlen) < 0)
			return -1;
		for (j = 0; j < i; j++)
			if (!strcasecmp(cfg->backends[i].name, cfg->backends[j].name))
				CHECK_FAIL(cfg->backends[i].line, "[backend %s] differs from [backend %s] only in case",
					   cfg->backends[i].name, cfg->backends[j].name);
	}
	for (i = 0; i < cfg->n_directadmins; i++) {
		struct config_directadmin *d = &cfg->directadmins[i];
		if (!check_url(d->url))
			CHECK_FAIL(d->line, "[directadmin %s]: url must be http:// or https://", d->name);
		if (!d->username || !d->password)
			CHECK_FAIL(d->line, "[directadmin %s]: username and password are required", d->name);
		if (!d->hostname || !*d->hostname) {
			free(d->hostname);
			d->hostname = url_host(d->url);
		}
	}
	for (i = 0; i < cfg->n_peers; i++)
		if (!check_url(cfg->peers[i].url))
			CHECK_FAIL(cfg->peers[i].line, "[peer %s]: url must be http:// or https://",
				   cfg->peers[i].name);
	if (cfg->peer_sync.advertise_url && *cfg->peer_sync.advertise_url &&
	    !check_url(cfg->peer_sync.advertise_url))
		CHECK_FAIL(config_seen_line(p, SEC_PEER_SYNC, 0, "advertise_url"),
			   "[peer_sync] advertise_url must be http:// or https://");
	if (check_fleet(p, err, errlen) < 0)
		return -1;
	if (acl_check(cfg->app.operator_allow, aclerr, sizeof(aclerr)) < 0)
		CHECK_FAIL(config_seen_line(p, SEC_APP, 0, "operator_allow"), "[app] operator_allow: %s", aclerr);
	if (!(cfg->app.operator_username && *cfg->app.operator_username) !=
	    !(cfg->app.operator_password && *cfg->app.operator_password))
		CHECK_FAIL(config_seen_line(p, SEC_APP, 0, cfg->app.operator_username && *cfg->app.operator_username
							    ? "operator_username" : "operator_password"),
			   "[app] operator_username and operator_password go together");
	if (cfg->peer_sync.enabled && (!cfg->peer_sync.auth_username || !cfg->peer_sync.auth_password ||
				       !*cfg->peer_sync.auth_username || !*cfg->peer_sync.auth_password))
		CHECK_FAIL(config_seen_line(p, SEC_PEER_SYNC, 0, "enabled"),
			   "[peer_sync] enabled needs auth_username and auth_password");
	if (cfg->peer_sync.enabled && cfg->peer_sync.auth_username && cfg->app.auth_username &&
	    !strcmp(cfg->peer_sync.auth_username, cfg->app.auth_username))
		CHECK_FAIL(config_seen_line(p, SEC_PEER_SYNC, 0, "auth_username"),
			   "[peer_sync] auth_username must differ from [app] auth_username");
	return 0;
}
