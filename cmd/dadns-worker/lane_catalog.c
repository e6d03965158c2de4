/* SPDX-License-Identifier: BSD-3-Clause */
/* lane_catalog.c -- a lane's catalog zone (see lane_catalog.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-worker/lane_catalog.h"
#include "lib/catalog.h"
#include "lib/domain.h"
#include "lib/log.h"
#include "lib/util.h"

struct lane_catalog {
	char name[DOMAIN_MAX + 1];  /* the catalog zone, normalized */
	int with_group;
	struct catalog_list list;
	int loaded;                 /* list read from the store */
	int dirty;                  /* list differs from what was last published */
	int64_t unverified;         /* serial applied but not seen served yet, -1 none */
};

/* The backend types that serve DNS (and so the catalog). */
static int serves_dns(const char *type)
{
	return !strcmp(type, "nsd") || !strcmp(type, "bind") || !strcmp(type, "knot");
}

int lane_catalog_open(struct lane *l, const struct config *cfg)
{
	struct lane_catalog *c;

	l->cat = NULL;
	if (!cfg->catalog.zone || !*cfg->catalog.zone || !l->cfg->catalog || !serves_dns(l->cfg->type))
		return 0;
	c = xcalloc(1, sizeof(*c));
	if (domain_normalize(cfg->catalog.zone, strlen(cfg->catalog.zone), c->name) < 0) {
		log_err("worker: [catalog] zone '%s' is not a valid domain name", cfg->catalog.zone);
		free(c);
		return -1;
	}
	c->with_group = cfg->catalog.group_da_server;
	catalog_list_init(&c->list);
	c->dirty = 1;
	c->unverified = -1;
	l->cat = c;
	return 0;
}

void lane_catalog_close(struct lane *l)
{
	if (!l->cat)
		return;
	catalog_list_deinit(&l->cat->list);
	free(l->cat);
	l->cat = NULL;
}

int lane_catalog_is_self(const struct lane *l, const char *domain)
{
	return l->cat && !strcmp(l->cat->name, domain);
}

/* The list after the batch: written zones that applied are listed with
 * their current id and group (or dropped when no longer desired); every
 * zone of the batch's deletions is dropped. */
static int list_update(struct lane *l, const struct backend_zone *zones, size_t nw, size_t k)
{
	struct lane_catalog *c = l->cat;
	char uid[CATALOG_UID_MAX + 1], group[256];
	size_t i;
	int rc;

	for (i = 0; i < nw; i++) {
		if (zones[i].result != 0)
			continue;
		rc = catalog_member_get(l->st, zones[i].domain, uid, group, sizeof(group));
		if (rc == 0)
			c->dirty |= catalog_list_set(&c->list, zones[i].domain, uid, group);
		else if (rc == DADNS_ENOENT)
			c->dirty |= catalog_list_del(&c->list, zones[i].domain);
		else
			return rc;
	}
	for (i = nw; i < k; i++)
		c->dirty |= catalog_list_del(&c->list, zones[i].domain);
	return 0;
}

/* Is the catalog at serial served? (verification, serial only) */
static int served(struct lane *l, int64_t serial, struct backend_zone *z)
{
	memset(z, 0, sizeof(*z));
	z->domain = l->cat->name;
	z->zone_text = "";
	z->serial = serial;
	z->records = 0; /* the serial only: an AXFR of 10,000 members per batch is waste */
	if (!l->cfg->verify || !l->ops->verify)
		return 0;
	return l->ops->verify(l->state, z);
}

/* Render and apply the catalog under a new serial; verified at once when
 * deletions follow (must_verify), else later (lane_catalog_step): a batch
 * of additions does not wait for the server to load the whole catalog. */
static int publish(struct lane *l, int must_verify, char *err, size_t errlen)
{
	struct lane_catalog *c = l->cat;
	struct backend_zone z;
	struct strbuf text;
	int64_t t0 = util_mono_ms();
	uint32_t serial;
	int rc, records;

	rc = catalog_serial_next(l->st, l->cfg->name, &serial);
	if (rc < 0) {
		snprintf(err, errlen, "catalog %s: cannot take a serial (%s)", c->name, dadns_strerror(rc));
		return rc;
	}
	strbuf_init(&text);
	catalog_render(&c->list, c->name, serial, c->with_group, &text, &records);
	memset(&z, 0, sizeof(z));
	z.domain = c->name;
	z.zone_text = text.buf;
	z.zone_len = text.len;
	z.serial = serial;
	z.result = 1;
	l->ops->apply(l->state, &z, 1);
	c->unverified = z.result == 0 ? serial : c->unverified;
	if (z.result == 0 && must_verify) {
		z.result = served(l, serial, &z);
		if (z.result == 0)
			c->unverified = -1;
	}
	if (z.result != 0) {
		snprintf(err, errlen, "catalog %s serial %u not published: %s", c->name, serial,
			 z.error[0] ? z.error : "failed");
		rc = DADNS_ETEMPFAIL;
	} else {
		log_info("worker: %s: catalog %s serial %u: %zu members, published in %lld ms%s",
			 l->cfg->name, c->name, serial, c->list.n, (long long)(util_mono_ms() - t0),
			 must_verify ? "" : " (verified later)");
		c->dirty = 0;
		rc = 0;
	}
	strbuf_deinit(&text);
	return rc;
}

int lane_catalog_step(struct lane *l, const struct backend_zone *zones, size_t nw, size_t k,
		      char *err, size_t errlen)
{
	struct lane_catalog *c = l->cat;
	int rc;

	if (!c->loaded) {
		rc = catalog_list_load(l->st, l->cfg->name, &c->list);
		if (rc < 0) {
			snprintf(err, errlen, "catalog %s: cannot read what %s serves", c->name, l->cfg->name);
			return rc;
		}
		c->loaded = 1;
	}
	rc = list_update(l, zones, nw, k);
	if (rc < 0) {
		snprintf(err, errlen, "catalog %s: cannot read the member ids: %s", c->name,
			 store_errmsg(l->st));
		return rc;
	}
	if (c->dirty)
		return publish(l, k > nw, err, errlen);
	if (k > nw && c->unverified >= 0) {
		/* deletions follow: what was published must be served by now */
		struct backend_zone z;
		if (served(l, c->unverified, &z) == 0) {
			c->unverified = -1;
			return 0;
		}
		log_info("worker: %s: catalog %s serial %lld not served yet (%s); publishing again",
			 l->cfg->name, c->name, (long long)c->unverified, z.error);
		return publish(l, 1, err, errlen);
	}
	return 0;
}
