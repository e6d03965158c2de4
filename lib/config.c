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
#include "lib/config_int.h"
#include "lib/log.h"
#include "lib/peer_env.h"
#include "lib/util.h"

extern char **environ;

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
	case T_ACK:
	case T_DNSSEC:
	case T_CATGROUP: {
		static const char *const words[][2] = { [T_ACK - T_ACK] = { "committed", "served" },
							[T_DNSSEC - T_ACK] = { "passthrough", "sign" },
							[T_CATGROUP - T_ACK] = { "none", "da_server" } };
		const char *const *w = words[k->type - T_ACK];
		if (strcmp(v, w[0]) && strcmp(v, w[1])) {
			snprintf(why, whylen, "%s must be %s or %s, not '%s'", k->name, w[0], w[1], v);
			return -1;
		}
		*(int *)f = !strcmp(v, w[1]);
		return 0;
	}
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
	case SEC_TSIG:
		*a = (struct named_array){ (void **)&cfg->tsigs, &cfg->n_tsigs, sizeof(*cfg->tsigs), TO(name),
					   TO(line) };
		return 1;
	case SEC_SECONDARY:
		*a = (struct named_array){ (void **)&cfg->secondary, &cfg->n_secondary, sizeof(*cfg->secondary),
					   SO(name), SO(line) };
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

	for (i = 0; i < config_n_keys; i++)
		if (config_keys[i].sec == sec && config_keys[i].def)
			set_value(cfg, base, &config_keys[i], config_keys[i].def, why, sizeof(why));
}

static const struct key *key_find(enum sec sec, const char *name)
{
	size_t i;

	for (i = 0; i < config_n_keys; i++)
		if (config_keys[i].sec == sec && !strcmp(config_keys[i].name, name))
			return &config_keys[i];
	return NULL;
}

/* Split "backend nsd" into its section kind and name. */
static int section_parse(const char *section, enum sec *sec, const char **name, char *why, size_t whylen)
{
	size_t i, wl;

	for (i = 0; i < config_n_sections; i++) {
		wl = strlen(config_sections[i].word);
		if (strncmp(section, config_sections[i].word, wl) != 0)
			continue;
		if (!config_sections[i].named && section[wl] == '\0') {
			*sec = config_sections[i].sec;
			*name = "";
			return 0;
		}
		if (config_sections[i].named && section[wl] == ' ') {
			const char *n = section + wl;
			while (*n == ' ')
				n++;
			if (!valid_section_name(n)) {
				snprintf(why, whylen, "section [%s]: the name must be letters, digits, '_', '-' or '.'",
					 section);
				return -1;
			}
			*sec = config_sections[i].sec;
			*name = n;
			return 0;
		}
		if (config_sections[i].named && section[wl] == '\0') {
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

	for (i = 0; i < config_n_sections; i++) {
		enum sec sec = config_sections[i].sec;
		int named = named_array(cfg, sec, &a);

		n = named ? *a.n : 1;
		for (j = 0; j < n; j++) {
			char *base = named ? (char *)*a.items + j * a.size : (char *)cfg;
			const char *name = named ? *(char **)(base + a.name_off) : "";

			env_prefix(config_sections[i].word, name, prefix, sizeof(prefix));
			for (size_t k = 0; k < config_n_keys; k++) {
				if (config_keys[k].sec != sec || !env_match(var, varlen, prefix, &config_keys[k]))
					continue;
				if (set_value(cfg, base, &config_keys[k], value, p->err, sizeof(p->err)) < 0)
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

	for (i = 0; i < config_n_sections; i++) {
		env_prefix(config_sections[i].word, NULL, prefix, sizeof(prefix));
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
	apply_defaults(cfg, SEC_CATALOG, (char *)cfg);
	apply_defaults(cfg, SEC_SECONDARIES, (char *)cfg);
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
	    config_check_all(&p, err, errlen) < 0) {
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

	for (i = 0; i < config_n_keys; i++) {
		if (config_keys[i].sec != sec)
			continue;
		if (config_keys[i].type == T_STR)
			free(*(char **)(base + config_keys[i].off));
		else if (config_keys[i].type == T_SECRET)
			util_free_secret(*(char **)(base + config_keys[i].off));
	}
}

void config_deinit(struct config *cfg)
{
	static const enum sec fixed[] = { SEC_APP, SEC_WORKER, SEC_RECONCILE, SEC_PEER_SYNC, SEC_CATALOG,
					  SEC_SECONDARIES };
	static const enum sec named[] = { SEC_BACKEND, SEC_DA, SEC_PEER, SEC_TSIG, SEC_SECONDARY };
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

const struct config_tsig *config_tsig_find(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; name && i < cfg->n_tsigs; i++)
		if (!strcmp(cfg->tsigs[i].name, name))
			return &cfg->tsigs[i];
	return NULL;
}
