/* SPDX-License-Identifier: BSD-3-Clause */
/* config.c -- the INI configuration: one table of sections, keys, types, defaults */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/acl.h"
#include "lib/backends/backend.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/peer_env.h"
#include "lib/util.h"

extern char **environ;

enum sec { SEC_APP, SEC_WORKER, SEC_BACKEND, SEC_RECONCILE, SEC_DA, SEC_PEER_SYNC, SEC_PEER };
enum ktype { T_STR, T_SECRET, T_INT, T_LONG, T_BOOL, T_DOUBLE, T_LOGLEVEL, T_DURABILITY,
	     T_BACKOFF };

/* Backend keys apply to some types only. */
#define B_DNS   0x1  /* nsd, bind */
#define B_NSD   0x2
#define B_BIND  0x4
#define B_MYSQL 0x8
#define B_NULL  0x10
#define B_ALL   0x1f

struct key {
	enum sec sec;
	const char *name;
	enum ktype type;
	size_t off;         /* in struct config, or in the section's own struct */
	const char *def;    /* NULL = no default (empty) */
	double min, max;
	unsigned types;     /* backend sections: B_* mask */
};

#define CO(f) offsetof(struct config, f)
#define BO(f) offsetof(struct config_backend, f)
#define DO(f) offsetof(struct config_directadmin, f)
#define PO(f) offsetof(struct config_peer, f)

static const struct key keys[] = {
	{ SEC_APP, "auth_username", T_STR, CO(app.auth_username), NULL, 0, 0, 0 },
	{ SEC_APP, "auth_password", T_SECRET, CO(app.auth_password), NULL, 0, 0, 0 },
	{ SEC_APP, "db_path", T_STR, CO(app.db_path), "/var/lib/dadns/dadns.db", 0, 0, 0 },
	{ SEC_APP, "durability", T_DURABILITY, CO(app.durability_full), "full", 0, 0, 0 },
	{ SEC_APP, "busy_timeout_ms", T_INT, CO(app.busy_timeout_ms), "5000", 0, 600000, 0 },
	{ SEC_APP, "max_body_bytes", T_LONG, CO(app.max_body_bytes), "4194304", 1024, 1073741824, 0 },
	{ SEC_APP, "max_records", T_INT, CO(app.max_records), "20000", 1, 10000000, 0 },
	{ SEC_APP, "log_level", T_LOGLEVEL, CO(app.log_level), "info", 0, 0, 0 },
	{ SEC_APP, "check_subdomain_owner_in_cluster_domainowners", T_BOOL,
	  CO(app.check_subdomain_owner_in_cluster_domainowners), "0", 0, 0, 0 },
	{ SEC_APP, "threads", T_INT, CO(app.threads), "4", 1, 256, 0 },
	{ SEC_APP, "operator_username", T_STR, CO(app.operator_username), NULL, 0, 0, 0 },
	{ SEC_APP, "operator_password", T_SECRET, CO(app.operator_password), NULL, 0, 0, 0 },
	{ SEC_APP, "operator_allow", T_STR, CO(app.operator_allow), NULL, 0, 0, 0 },

	{ SEC_WORKER, "batch_max", T_INT, CO(worker.batch_max), "500", 1, 100000, 0 },
	{ SEC_WORKER, "retry_backoff", T_BACKOFF, CO(worker.retry_backoff), "30,120,300,900,1800", 0, 0, 0 },
	{ SEC_WORKER, "lease_seconds", T_INT, CO(worker.lease_seconds), "300", 1, 86400, 0 },
	{ SEC_WORKER, "poll_interval_ms", T_INT, CO(worker.poll_interval_ms), "2000", 10, 3600000, 0 },
	{ SEC_WORKER, "wake_socket", T_STR, CO(worker.wake_socket), NULL, 0, 0, 0 },
	{ SEC_WORKER, "keep_done_days", T_INT, CO(worker.keep_done_days), "7", 0, 3650, 0 },

	{ SEC_BACKEND, "type", T_STR, BO(type), NULL, 0, 0, B_ALL },
	{ SEC_BACKEND, "enabled", T_BOOL, BO(enabled), "1", 0, 0, B_ALL },
	{ SEC_BACKEND, "timeout", T_INT, BO(timeout), "30", 1, 3600, B_ALL },
	{ SEC_BACKEND, "verify", T_BOOL, BO(verify), "1", 0, 0, B_ALL },
	{ SEC_BACKEND, "zones_dir", T_STR, BO(zones_dir), NULL, 0, 0, B_DNS | B_NULL },
	{ SEC_BACKEND, "delay_ms", T_INT, BO(delay_ms), "0", 0, 600000, B_NULL },
	{ SEC_BACKEND, "nsd_conf", T_STR, BO(nsd_conf), NULL, 0, 0, B_NSD },
	{ SEC_BACKEND, "named_conf", T_STR, BO(named_conf), NULL, 0, 0, B_BIND },
	{ SEC_BACKEND, "pattern", T_STR, BO(pattern), NULL, 0, 0, B_NSD },
	{ SEC_BACKEND, "control", T_STR, BO(control), NULL, 0, 0, B_DNS },
	{ SEC_BACKEND, "control_socket", T_STR, BO(control_socket), NULL, 0, 0, B_NSD },
	{ SEC_BACKEND, "server", T_STR, BO(server), NULL, 0, 0, B_DNS },
	{ SEC_BACKEND, "reload_batch_threshold", T_INT, BO(reload_batch_threshold), "32", 0, 1000000, B_DNS },
	{ SEC_BACKEND, "host", T_STR, BO(host), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "port", T_INT, BO(port), "3306", 1, 65535, B_MYSQL },
	{ SEC_BACKEND, "socket", T_STR, BO(socket), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "database", T_STR, BO(database), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "username", T_STR, BO(username), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "password", T_SECRET, BO(password), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "tls", T_BOOL, BO(tls), "0", 0, 0, B_MYSQL },
	{ SEC_BACKEND, "tls_ca", T_STR, BO(tls_ca), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "tls_cert", T_STR, BO(tls_cert), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "tls_key", T_STR, BO(tls_key), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "tls_verify", T_BOOL, BO(tls_verify), "1", 0, 0, B_MYSQL },
	{ SEC_BACKEND, "connect_timeout", T_INT, BO(connect_timeout), "5", 1, 600, B_MYSQL },
	{ SEC_BACKEND, "read_timeout", T_INT, BO(read_timeout), "10", 1, 3600, B_MYSQL },
	{ SEC_BACKEND, "write_timeout", T_INT, BO(write_timeout), "10", 1, 3600, B_MYSQL },

	{ SEC_RECONCILE, "dry_run", T_BOOL, CO(reconcile.dry_run), "0", 0, 0, 0 },
	{ SEC_RECONCILE, "ipp", T_INT, CO(reconcile.ipp), "1000", 1, 100000, 0 },
	{ SEC_RECONCILE, "max_delete_fraction", T_DOUBLE, CO(reconcile.max_delete_fraction), "0.1", 0, 1, 0 },
	{ SEC_RECONCILE, "connect_timeout", T_INT, CO(reconcile.connect_timeout), "10", 1, 600, 0 },
	{ SEC_RECONCILE, "timeout", T_INT, CO(reconcile.timeout), "60", 1, 3600, 0 },

	{ SEC_DA, "url", T_STR, DO(url), NULL, 0, 0, 0 },
	{ SEC_DA, "username", T_STR, DO(username), NULL, 0, 0, 0 },
	{ SEC_DA, "password", T_SECRET, DO(password), NULL, 0, 0, 0 },
	{ SEC_DA, "verify_ssl", T_BOOL, DO(verify_ssl), "1", 0, 0, 0 },
	{ SEC_DA, "ca_file", T_STR, DO(ca_file), NULL, 0, 0, 0 },
	{ SEC_DA, "hostname", T_STR, DO(hostname), NULL, 0, 0, 0 },

	{ SEC_PEER_SYNC, "enabled", T_BOOL, CO(peer_sync.enabled), "0", 0, 0, 0 },
	{ SEC_PEER_SYNC, "interval_minutes", T_INT, CO(peer_sync.interval_minutes), "5", 1, 10080, 0 },
	{ SEC_PEER_SYNC, "auth_username", T_STR, CO(peer_sync.auth_username), NULL, 0, 0, 0 },
	{ SEC_PEER_SYNC, "auth_password", T_SECRET, CO(peer_sync.auth_password), NULL, 0, 0, 0 },
	{ SEC_PEER_SYNC, "advertise_url", T_STR, CO(peer_sync.advertise_url), NULL, 0, 0, 0 },

	{ SEC_PEER, "url", T_STR, PO(url), NULL, 0, 0, 0 },
	{ SEC_PEER, "username", T_STR, PO(username), NULL, 0, 0, 0 },
	{ SEC_PEER, "password", T_SECRET, PO(password), NULL, 0, 0, 0 },
	{ SEC_PEER, "verify_ssl", T_BOOL, PO(verify_ssl), "1", 0, 0, 0 },
	{ SEC_PEER, "ca_file", T_STR, PO(ca_file), NULL, 0, 0, 0 },
};

static const struct {
	const char *word;      /* "app", or "backend" for "[backend NAME]" */
	enum sec sec;
	int named;
} sections[] = {
	{ "app", SEC_APP, 0 },           { "worker", SEC_WORKER, 0 },
	{ "reconcile", SEC_RECONCILE, 0 }, { "peer_sync", SEC_PEER_SYNC, 0 },
	{ "backend", SEC_BACKEND, 1 },   { "directadmin", SEC_DA, 1 },
	{ "peer", SEC_PEER, 1 },
};

/* Lines at which each key was set, to refuse duplicates and to place errors. */
struct seen {
	enum sec sec;
	size_t idx;             /* section index for named sections */
	const struct key *key;
	int line;
};

struct parse {
	struct config *cfg;
	const char *file;
	FILE *fp;
	int line;
	int section_line;  /* line of the last [section] header */
	int too_long;
	char err[512];
	struct seen *seen;
	size_t n_seen;
};

static unsigned backend_type_mask(const char *type)
{
	if (!type)
		return 0;
	if (!strcmp(type, "nsd"))
		return B_DNS | B_NSD;
	if (!strcmp(type, "bind"))
		return B_DNS | B_BIND;
	if (!strcmp(type, "coredns_mysql") || !strcmp(type, "powerdns_mysql"))
		return B_MYSQL;
	if (!strcmp(type, "null"))
		return B_NULL;
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on"))
		*out = 1;
	else if (!strcasecmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcasecmp(v, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_long(const char *v, double min, double max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int parse_backoff(const char *v, struct config *cfg, char *why, size_t whylen)
{
	char *copy = xstrdup(v), *save = NULL, *tok;
	int n = 0, rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long s;
		while (isspace((unsigned char)*tok))
			tok++;
		for (char *e = tok + strlen(tok); e > tok && isspace((unsigned char)e[-1]); )
			*--e = '\0';
		if (n == CONFIG_MAX_BACKOFF || parse_long(tok, 0, 86400, &s) < 0) {
			snprintf(why, whylen, "retry_backoff must be 1 to %d comma-separated seconds (0..86400)",
				 CONFIG_MAX_BACKOFF);
			rc = -1;
			goto out;
		}
		cfg->worker.retry_backoff[n++] = (int)s;
	}
	cfg->worker.n_retry_backoff = n;
out:
	free(copy);
	return rc;
}

/* Store value into the field of key k at base. why gets the reason on error. */
static int set_value(struct config *cfg, char *base, const struct key *k, const char *v,
		     char *why, size_t whylen)
{
	void *f = base + k->off;
	long n;
	int b;

	switch (k->type) {
	case T_STR:
	case T_SECRET:
		if (k->type == T_SECRET)
			util_free_secret(*(char **)f);
		else
			free(*(char **)f);
		*(char **)f = xstrdup(v);
		return 0;
	case T_INT:
	case T_LONG:
		if (parse_long(v, k->min, k->max, &n) < 0) {
			snprintf(why, whylen, "%s must be an integer from %.0f to %.0f, not '%s'",
				 k->name, k->min, k->max, v);
			return -1;
		}
		if (k->type == T_INT)
			*(int *)f = (int)n;
		else
			*(long *)f = n;
		return 0;
	case T_DOUBLE: {
		char *end;
		double d = strtod(v, &end);
		if (end == v || *end || d < k->min || d > k->max) {
			snprintf(why, whylen, "%s must be a number from %g to %g, not '%s'",
				 k->name, k->min, k->max, v);
			return -1;
		}
		*(double *)f = d;
		return 0;
	}
	case T_BOOL:
		if (parse_bool(v, &b) < 0) {
			snprintf(why, whylen, "%s must be 1/0, yes/no, true/false or on/off, not '%s'",
				 k->name, v);
			return -1;
		}
		*(int *)f = b;
		return 0;
	case T_LOGLEVEL:
		b = log_level_parse(v);
		if (b < 0) {
			snprintf(why, whylen, "log_level must be error, warning, info or debug, not '%s'", v);
			return -1;
		}
		*(int *)f = b;
		return 0;
	case T_DURABILITY:
		if (!strcmp(v, "full"))
			*(int *)f = 1;
		else if (!strcmp(v, "normal"))
			*(int *)f = 0;
		else {
			snprintf(why, whylen, "durability must be full or normal, not '%s'", v);
			return -1;
		}
		return 0;
	case T_BACKOFF:
		return parse_backoff(v, cfg, why, whylen);
	}
	return -1;
}

static int valid_section_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

/* A named section kind's array in cfg: where it is, its element size, and
 * where each element keeps its name and header line. */
struct named_array {
	void **items;
	size_t *n;
	size_t size;
	size_t name_off, line_off;
};

static int named_array(struct config *cfg, enum sec sec, struct named_array *a)
{
	switch (sec) {
	case SEC_BACKEND:
		*a = (struct named_array){ (void **)&cfg->backends, &cfg->n_backends, sizeof(*cfg->backends),
					   BO(name), BO(line) };
		return 1;
	case SEC_DA:
		*a = (struct named_array){ (void **)&cfg->directadmins, &cfg->n_directadmins,
					   sizeof(*cfg->directadmins), DO(name), DO(line) };
		return 1;
	case SEC_PEER:
		*a = (struct named_array){ (void **)&cfg->peers, &cfg->n_peers, sizeof(*cfg->peers), PO(name),
					   PO(line) };
		return 1;
	default:
		return 0;
	}
}

/* The base address for keys of a section: cfg itself for a fixed section;
 * for a named one its element, created (zeroed, named, with line) when line
 * is non-zero and it does not exist yet, else NULL. *idx gets its index. */
static char *section_base(struct config *cfg, enum sec sec, const char *name, int line, size_t *idx)
{
	struct named_array a = { 0 };
	char *base;
	size_t i;

	*idx = 0;
	if (!named_array(cfg, sec, &a))
		return (char *)cfg;
	for (i = 0; i < *a.n; i++) {
		base = (char *)*a.items + i * a.size;
		if (!strcmp(*(char **)(base + a.name_off), name)) {
			*idx = i;
			return base;
		}
	}
	if (!line)
		return NULL;
	*a.items = xrealloc(*a.items, (*a.n + 1) * a.size);
	base = (char *)*a.items + *a.n * a.size;
	memset(base, 0, a.size);
	*(char **)(base + a.name_off) = xstrdup(name);
	*(int *)(base + a.line_off) = line;
	*idx = (*a.n)++;
	return base;
}

/* Defaults of every key of a section (named sections get them when created). */
static void apply_defaults(struct config *cfg, enum sec sec, char *base)
{
	char why[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].sec == sec && keys[i].def)
			set_value(cfg, base, &keys[i], keys[i].def, why, sizeof(why));
}

static const struct key *key_find(enum sec sec, const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].sec == sec && !strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* Split "backend nsd" into its section kind and name. */
static int section_parse(const char *section, enum sec *sec, const char **name, char *why, size_t whylen)
{
	size_t i, wl;

	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		wl = strlen(sections[i].word);
		if (strncmp(section, sections[i].word, wl) != 0)
			continue;
		if (!sections[i].named && section[wl] == '\0') {
			*sec = sections[i].sec;
			*name = "";
			return 0;
		}
		if (sections[i].named && section[wl] == ' ') {
			const char *n = section + wl;
			while (*n == ' ')
				n++;
			if (!valid_section_name(n)) {
				snprintf(why, whylen, "section [%s]: the name must be letters, digits, '_', '-' or '.'",
					 section);
				return -1;
			}
			*sec = sections[i].sec;
			*name = n;
			return 0;
		}
		if (sections[i].named && section[wl] == '\0') {
			snprintf(why, whylen, "section [%s] needs a name, e.g. [%s NAME]", section, section);
			return -1;
		}
	}
	snprintf(why, whylen, "unknown section [%s]", section);
	return -1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const struct key *k;
	const char *sname;
	enum sec sec;
	size_t idx, i;
	char *base;

	if (p->too_long) {
		snprintf(p->err, sizeof(p->err), "line too long");
		return 0;
	}
	if (section_parse(section, &sec, &sname, p->err, sizeof(p->err)) < 0)
		return 0;
	k = key_find(sec, name);
	if (!k) {
		snprintf(p->err, sizeof(p->err), "unknown key '%s' in [%s]", name, section);
		return 0;
	}
	base = section_base(p->cfg, sec, sname, 0, &idx);
	if (!base) {
		base = section_base(p->cfg, sec, sname, p->section_line > 0 ? p->section_line : p->line,
				    &idx);
		apply_defaults(p->cfg, sec, base);
	}
	for (i = 0; i < p->n_seen; i++)
		if (p->seen[i].sec == sec && p->seen[i].idx == idx && p->seen[i].key == k) {
			snprintf(p->err, sizeof(p->err), "duplicate key '%s' in [%s] (first set on line %d)",
				 name, section, p->seen[i].line);
			return 0;
		}
	p->seen = xrealloc(p->seen, (p->n_seen + 1) * sizeof(*p->seen));
	p->seen[p->n_seen++] = (struct seen){ sec, idx, k, p->line };
	return set_value(p->cfg, base, k, value, p->err, sizeof(p->err)) == 0;
}

static char *reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	char *r = fgets(str, num, p->fp);
	size_t len;

	if (!r)
		return NULL;
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(p->fp)) {
		p->too_long = 1;
		return r;
	}
	p->line++;
	/* Blanks as inih skips them (isspace: also \v, \f, \r): a header
	 * after a vertical tab was missed, and its section had no line. */
	while (isspace((unsigned char)*str))
		str++;
	if (*str == '[')
		p->section_line = p->line;
	return r;
}

/* The line on which key `name` of the given section was set, or 0. */
static int seen_line(const struct parse *p, enum sec sec, size_t idx, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_seen; i++)
		if (p->seen[i].sec == sec && p->seen[i].idx == idx && !strcmp(p->seen[i].key->name, name))
			return p->seen[i].line;
	return 0;
}

/* "backend nsd" -> "BACKEND_NSD_" : upper case, spaces and dots as '_'. */
static void env_prefix(const char *word, const char *name, char *out, size_t outlen)
{
	size_t n = 0;
	const char *parts[2] = { word, name };

	n += (size_t)snprintf(out, outlen, "DADNS_");
	for (int i = 0; i < 2; i++) {
		if (!parts[i] || !*parts[i])
			continue;
		for (const char *s = parts[i]; *s && n + 2 < outlen; s++)
			out[n++] = (*s == ' ' || *s == '.' || *s == '-') ? '_' : (char)toupper((unsigned char)*s);
		out[n++] = '_';
	}
	out[n] = '\0';
}

/* Does env name "DADNS_..._KEY" address key k of the section with prefix? */
static int env_match(const char *var, size_t varlen, const char *prefix, const struct key *k)
{
	size_t pl = strlen(prefix), kl = strlen(k->name);

	if (varlen != pl + kl || strncmp(var, prefix, pl) != 0)
		return 0;
	for (size_t i = 0; i < kl; i++)
		if (var[pl + i] != toupper((unsigned char)k->name[i]))
			return 0;
	return 1;
}

/* Apply one DADNS_* variable; 1 applied, 0 no key matched, -1 bad value. */
static int env_apply_one(struct parse *p, const char *var, size_t varlen, const char *value)
{
	struct config *cfg = p->cfg;
	struct named_array a = { 0 };
	char prefix[160];
	size_t i, j, n;

	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		enum sec sec = sections[i].sec;
		int named = named_array(cfg, sec, &a);

		n = named ? *a.n : 1;
		for (j = 0; j < n; j++) {
			char *base = named ? (char *)*a.items + j * a.size : (char *)cfg;
			const char *name = named ? *(char **)(base + a.name_off) : "";

			env_prefix(sections[i].word, name, prefix, sizeof(prefix));
			for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
				if (keys[k].sec != sec || !env_match(var, varlen, prefix, &keys[k]))
					continue;
				if (set_value(cfg, base, &keys[k], value, p->err, sizeof(p->err)) < 0)
					return -1;
				return 1;
			}
		}
	}
	return 0;
}

/* Does DADNS_<WORD>_... start with a section word? (Other DADNS_* variables,
 * e.g. of the test harness, are not meant for the configuration.) */
static int env_names_section(const char *var)
{
	char prefix[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		env_prefix(sections[i].word, NULL, prefix, sizeof(prefix));
		if (!strncmp(var, prefix, strlen(prefix)))
			return 1;
	}
	return 0;
}

static int env_apply(struct parse *p, char *err, size_t errlen)
{
	char **e;

	for (e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		int r;

		if (strncmp(*e, "DADNS_", 6) != 0 || !eq || peer_env_is_peer_var(*e))
			continue;
		r = env_apply_one(p, *e, (size_t)(eq - *e), eq + 1);
		if (r < 0) {
			snprintf(err, errlen, "environment %.*s: %s", (int)(eq - *e), *e, p->err);
			return -1;
		}
		if (r == 0 && env_names_section(*e))
			log_warn("environment %.*s matches no configuration key; ignored",
				 (int)(eq - *e), *e);
	}
	return 0;
}

#define CHECK_FAIL(line, ...)                                                                \
	do {                                                                                 \
		int n_ = snprintf(err, errlen, "%s:%d: ", p->file, (line));                  \
		if (n_ > 0 && (size_t)n_ < errlen)                                           \
			snprintf(err + n_, errlen - (size_t)n_, __VA_ARGS__);                \
		return -1;                                                                   \
	} while (0)

static int check_backend(struct parse *p, size_t i, char *err, size_t errlen)
{
	const struct config_backend *b = &p->cfg->backends[i];
	unsigned mask = backend_type_mask(b->type);
	size_t s;

	if (!b->type)
		CHECK_FAIL(b->line, "[backend %s] has no type", b->name);
	if (!backend_find(b->type))
		CHECK_FAIL(seen_line(p, SEC_BACKEND, i, "type"),
			   "[backend %s]: unknown type '%s' (nsd, bind, coredns_mysql, powerdns_mysql, null)",
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
		CHECK_FAIL(seen_line(p, SEC_BACKEND, i, "control_socket"),
			   "[backend %s]: control_socket must be an absolute path", b->name);
	if ((mask & B_NSD) && (!b->pattern || !*b->pattern) && (!b->nsd_conf || !*b->nsd_conf))
		CHECK_FAIL(b->line, "[backend %s]: nsd needs pattern or nsd_conf", b->name);
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

static int check_all(struct parse *p, char *err, size_t errlen)
{
	struct config *cfg = p->cfg;
	char aclerr[128];
	size_t i, j;

	if (!cfg->app.db_path || !*cfg->app.db_path)
		CHECK_FAIL(seen_line(p, SEC_APP, 0, "db_path"), "[app] db_path must not be empty");
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
		CHECK_FAIL(seen_line(p, SEC_PEER_SYNC, 0, "advertise_url"),
			   "[peer_sync] advertise_url must be http:// or https://");
	if (acl_check(cfg->app.operator_allow, aclerr, sizeof(aclerr)) < 0)
		CHECK_FAIL(seen_line(p, SEC_APP, 0, "operator_allow"), "[app] operator_allow: %s", aclerr);
	if (!(cfg->app.operator_username && *cfg->app.operator_username) !=
	    !(cfg->app.operator_password && *cfg->app.operator_password))
		CHECK_FAIL(seen_line(p, SEC_APP, 0, cfg->app.operator_username && *cfg->app.operator_username
							    ? "operator_username" : "operator_password"),
			   "[app] operator_username and operator_password go together");
	if (cfg->peer_sync.enabled && (!cfg->peer_sync.auth_username || !cfg->peer_sync.auth_password ||
				       !*cfg->peer_sync.auth_username || !*cfg->peer_sync.auth_password))
		CHECK_FAIL(seen_line(p, SEC_PEER_SYNC, 0, "enabled"),
			   "[peer_sync] enabled needs auth_username and auth_password");
	if (cfg->peer_sync.enabled && cfg->peer_sync.auth_username && cfg->app.auth_username &&
	    !strcmp(cfg->peer_sync.auth_username, cfg->app.auth_username))
		CHECK_FAIL(seen_line(p, SEC_PEER_SYNC, 0, "auth_username"),
			   "[peer_sync] auth_username must differ from [app] auth_username");
	return 0;
}

static int has_secrets(const struct parse *p)
{
	size_t i;

	for (i = 0; i < p->n_seen; i++)
		if (p->seen[i].key->type == T_SECRET)
			return 1;
	return 0;
}

int config_load(const char *path, struct config *cfg, char *err, size_t errlen)
{
	struct parse p = { 0 };
	struct stat stb;
	int rc = 0, r;

	memset(cfg, 0, sizeof(*cfg));
	apply_defaults(cfg, SEC_APP, (char *)cfg);
	apply_defaults(cfg, SEC_WORKER, (char *)cfg);
	apply_defaults(cfg, SEC_RECONCILE, (char *)cfg);
	apply_defaults(cfg, SEC_PEER_SYNC, (char *)cfg);
	cfg->path = xstrdup(path ? path : CONFIG_DEFAULT_PATH);
	p.cfg = cfg;
	p.file = cfg->path;
	p.fp = fopen(cfg->path, "r");
	if (!p.fp) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", cfg->path, strerror(errno));
		goto out;
	}
	ini_stop_on_first_error = true;
	ini_allow_multiline = false;
	ini_allow_inline_comments = false;
	ini_use_stack = false;
	ini_max_line = 4096;
	r = ini_parse_stream(reader, &p, handler, &p);
	if (r != 0) {
		rc = DADNS_EINVAL;
		if (r < 0)
			snprintf(err, errlen, "%s: cannot read", cfg->path);
		else if (p.too_long)
			snprintf(err, errlen, "%s:%d: line too long (over 4000 characters)", cfg->path, p.line + 1);
		else if (p.err[0])
			snprintf(err, errlen, "%s:%d: %s", cfg->path, r, p.err);
		else
			snprintf(err, errlen, "%s:%d: syntax error (expected [section] or key = value)",
				 cfg->path, r);
		goto out;
	}
	if (env_apply(&p, err, errlen) < 0 || peer_env_load(cfg, err, errlen) < 0 ||
	    check_all(&p, err, errlen) < 0) {
		rc = DADNS_EINVAL;
		goto out;
	}
	if (has_secrets(&p) && fstat(fileno(p.fp), &stb) == 0 && (stb.st_mode & S_IROTH))
		log_warn("%s holds passwords and is readable by others; chmod o-r it", cfg->path);
out:
	if (p.fp)
		fclose(p.fp);
	free(p.seen);
	if (rc < 0)
		config_deinit(cfg);
	return rc;
}

static void free_fields(enum sec sec, char *base)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (keys[i].sec != sec)
			continue;
		if (keys[i].type == T_STR)
			free(*(char **)(base + keys[i].off));
		else if (keys[i].type == T_SECRET)
			util_free_secret(*(char **)(base + keys[i].off));
	}
}

void config_deinit(struct config *cfg)
{
	static const enum sec fixed[] = { SEC_APP, SEC_WORKER, SEC_RECONCILE, SEC_PEER_SYNC };
	static const enum sec named[] = { SEC_BACKEND, SEC_DA, SEC_PEER };
	struct named_array a = { 0 };
	size_t i, j;

	if (!cfg)
		return;
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		free_fields(fixed[i], (char *)cfg);
	for (i = 0; i < ARRAY_SIZE(named); i++) {
		named_array(cfg, named[i], &a);
		for (j = 0; j < *a.n; j++) {
			char *base = (char *)*a.items + j * a.size;
			free_fields(named[i], base);
			free(*(char **)(base + a.name_off));
		}
		free(*a.items);
	}
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

const struct config_backend *config_backend_find(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_backends; i++)
		if (!strcmp(cfg->backends[i].name, name))
			return &cfg->backends[i];
	return NULL;
}
