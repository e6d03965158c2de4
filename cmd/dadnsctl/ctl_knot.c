/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_knot.c -- dadnsctl zone ds: the DS records of a zone Knot signs */
#include <stdio.h>
#include <string.h>

#include "cmd/dadnsctl/ctl.h"
#include "cmd/dadnsctl/ctl_util.h"
#include "lib/backends/knot.h"
#include "lib/domain.h"
#include "lib/util.h"

/* The knot backend with dnssec = sign named name (NULL: the first enabled). */
static const struct config_backend *signing_backend(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_backends; i++) {
		const struct config_backend *b = &cfg->backends[i];

		if (strcmp(b->type, "knot") != 0 || !b->dnssec_sign)
			continue;
		if (name ? strcmp(b->name, name) == 0 : b->enabled)
			return b;
	}
	return NULL;
}

static void ds_print(struct ctl *c, const char *domain, const char *backend,
		     const struct knot_ds_rec *ds, int n)
{
	json_t *list;
	int i;

	if (!c->json) {
		for (i = 0; i < n; i++)
			printf("%s. IN DS %u %u 2 %s\n", domain, ds[i].keytag, ds[i].algorithm,
			       ds[i].digest);
		return;
	}
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:i, s:i, s:i, s:s}", "keytag",
			(int)ds[i].keytag, "algorithm", (int)ds[i].algorithm, "digest_type", 2,
			"digest", ds[i].digest));
	ctl_json_print(json_pack("{s:s, s:s, s:o}", "domain", domain, "backend", backend, "ds",
				 list));
}

int ctl_zone_ds(struct ctl *c, int argc, char **argv)
{
	const char *name = NULL, *dom = NULL;
	const struct config_backend *b;
	struct knot_ds_rec ds[KNOT_DS_MAX];
	struct dnsfile_server srv;
	char domain[DOMAIN_MAX + 1], err[512];
	int i, n = 0, rc;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			name = argv[++i];
		else if (!dom)
			dom = argv[i];
		else
			return ctl_usage("zone ds");
	}
	if (!dom)
		return ctl_usage("zone ds");
	if (domain_normalize(dom, strlen(dom), domain) < 0) {
		fprintf(stderr, "dadnsctl: '%s' is not a valid domain name\n", dom);
		return CTL_EXIT_FAIL;
	}
	b = signing_backend(&c->cfg, name);
	if (!b) {
		fprintf(stderr, "dadnsctl: no %s[backend%s%s] of type knot with dnssec = sign\n",
			name ? "" : "enabled ", name ? " " : "", name ? name : "");
		return CTL_EXIT_FAIL;
	}
	if (dnsfile_server_parse(b->server && *b->server ? b->server : "127.0.0.1:53", &srv) < 0) {
		fprintf(stderr, "dadnsctl: [backend %s]: server '%s' is not HOST:PORT\n", b->name,
			b->server);
		return CTL_EXIT_FAIL;
	}
	rc = knot_ds(&srv, domain, b->timeout > 0 ? b->timeout * 1000 : 5000, ds, &n, err,
		     sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "dadnsctl: %s on backend %s: %s\n", domain, b->name, err);
		return CTL_EXIT_FAIL;
	}
	ds_print(c, domain, b->name, ds, n);
	return CTL_EXIT_OK;
}
