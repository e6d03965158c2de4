/* SPDX-License-Identifier: BSD-3-Clause */
/* peer_env.c -- peers given by the environment: DADNS_PEER_SYNC_PEER_[N_]URL/USERNAME/PASSWORD */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/peer_env.h"
#include "lib/util.h"

extern char **environ;

#define PREFIX_LEN (sizeof(PEER_ENV_PREFIX) - 1)
#define ENV_N_MAX 9999

enum field { F_URL, F_USERNAME, F_PASSWORD, F_VERIFY_SSL, F_CA_FILE };

static const struct {
	const char *name;
	enum field f;
} fields[] = {
	{ "URL", F_URL },           { "USERNAME", F_USERNAME }, { "PASSWORD", F_PASSWORD },
	{ "VERIFY_SSL", F_VERIFY_SSL }, { "CA_FILE", F_CA_FILE },
};

int peer_env_is_peer_var(const char *entry)
{
	return strncmp(entry, PEER_ENV_PREFIX, PREFIX_LEN) == 0;
}

/* "1_URL" -> n 1, field URL; "URL" -> n 0. 0 or -1 with why. */
static int split(const char *rest, size_t restlen, int *n, enum field *f, const char **why)
{
	size_t i = 0, k;

	*n = 0;
	if (restlen > 0 && isdigit((unsigned char)rest[0])) {
		if (rest[0] == '0') {
			*why = "the peer number must be 1 to 9999 without a leading zero";
			return -1;
		}
		while (i < restlen && isdigit((unsigned char)rest[i]) && *n <= ENV_N_MAX)
			*n = *n * 10 + (rest[i++] - '0');
		if (*n > ENV_N_MAX || i == restlen || rest[i] != '_') {
			*why = "expected DADNS_PEER_SYNC_PEER_<N>_<KEY> with N from 1 to 9999";
			return -1;
		}
		i++;
	}
	for (k = 0; k < ARRAY_SIZE(fields); k++)
		if (strlen(fields[k].name) == restlen - i && !strncmp(rest + i, fields[k].name, restlen - i)) {
			*f = fields[k].f;
			return 0;
		}
	*why = "unknown key (URL, USERNAME, PASSWORD, VERIFY_SSL or CA_FILE)";
	return -1;
}

/* The peer named name, added (env = 1, verify_ssl on) when absent. */
static struct config_peer *peer_get(struct config *cfg, const char *name)
{
	struct config_peer *p;
	size_t i;

	for (i = 0; i < cfg->n_peers; i++)
		if (!strcmp(cfg->peers[i].name, name))
			return &cfg->peers[i];
	cfg->peers = xrealloc(cfg->peers, (cfg->n_peers + 1) * sizeof(*cfg->peers));
	p = &cfg->peers[cfg->n_peers++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->verify_ssl = 1;
	p->env = 1;
	return p;
}

static int set_field(struct config_peer *p, enum field f, const char *v, const char **why)
{
	switch (f) {
	case F_URL:
		free(p->url);
		p->url = xstrdup(v);
		break;
	case F_USERNAME:
		free(p->username);
		p->username = xstrdup(v);
		break;
	case F_PASSWORD:
		util_free_secret(p->password);
		p->password = xstrdup(v);
		break;
	case F_CA_FILE:
		free(p->ca_file);
		p->ca_file = xstrdup(v);
		break;
	case F_VERIFY_SSL:
		if (!strcasecmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
		    !strcasecmp(v, "on"))
			p->verify_ssl = 1;
		else if (!strcasecmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "false") ||
			 !strcasecmp(v, "off"))
			p->verify_ssl = 0;
		else {
			*why = "verify_ssl must be 1/0, yes/no, true/false or on/off";
			return -1;
		}
		break;
	}
	return 0;
}

/* Apply every variable of peer number n (0: the unnumbered one). 1 when
 * some variable named it, 0 when none, -1 on error. */
static int load_one(struct config *cfg, int n, char *err, size_t errlen)
{
	char name[16], **e;
	struct config_peer *p = NULL;
	const char *why = NULL;

	if (n == 0)
		snprintf(name, sizeof(name), "env");
	else
		snprintf(name, sizeof(name), "env-%d", n);
	for (e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		enum field f;
		int vn;

		if (!eq || !peer_env_is_peer_var(*e))
			continue;
		if (split(*e + PREFIX_LEN, (size_t)(eq - *e) - PREFIX_LEN, &vn, &f, &why) < 0)
			goto fail;
		if (vn != n)
			continue;
		if (!p)
			p = peer_get(cfg, name);
		if (set_field(p, f, eq + 1, &why) < 0)
			goto fail;
		continue;
fail:
		snprintf(err, errlen, "environment %.*s: %s", (int)(eq - *e), *e, why);
		return -1;
	}
	if (p && (!p->url || !*p->url)) {
		if (n == 0)
			snprintf(err, errlen, "environment %s*: %sURL is required", PEER_ENV_PREFIX,
				 PEER_ENV_PREFIX);
		else
			snprintf(err, errlen, "environment %s%d_*: %s%d_URL is required", PEER_ENV_PREFIX, n,
				 PEER_ENV_PREFIX, n);
		return -1;
	}
	return p ? 1 : 0;
}

int peer_env_load(struct config *cfg, char *err, size_t errlen)
{
	unsigned char used[ENV_N_MAX + 1] = { 0 };
	const char *why = NULL;
	char **e;
	int n;

	/* Which numbers are used (and every name checked) first, so that the
	 * peers are added in numeric order whatever the environment's order. */
	for (e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		enum field f;

		if (!eq || !peer_env_is_peer_var(*e))
			continue;
		if (split(*e + PREFIX_LEN, (size_t)(eq - *e) - PREFIX_LEN, &n, &f, &why) < 0) {
			snprintf(err, errlen, "environment %.*s: %s", (int)(eq - *e), *e, why);
			return DADNS_EINVAL;
		}
		used[n] = 1;
	}
	for (n = 0; n <= ENV_N_MAX; n++)
		if (used[n] && load_one(cfg, n, err, errlen) < 0)
			return DADNS_EINVAL;
	return 0;
}
