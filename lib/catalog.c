/* SPDX-License-Identifier: BSD-3-Clause */
/* catalog.c -- the RFC 9432 catalog zone: member list, serial, zone text */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/catalog.h"
#include "lib/log.h"

static const char catalog_tomb[] = "";

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

void catalog_list_init(struct catalog_list *l)
{
	memset(l, 0, sizeof(*l));
}

static void entry_free(struct catalog_entry *e)
{
	if (e->domain && e->domain != catalog_tomb)
		free(e->domain);
	free(e->group);
}

void catalog_list_deinit(struct catalog_list *l)
{
	size_t i;

	for (i = 0; i < l->cap; i++)
		entry_free(&l->slots[i]);
	free(l->slots);
	memset(l, 0, sizeof(*l));
}

/* The slot of domain, or (insert) the slot where it would go. */
static struct catalog_entry *slot_find(const struct catalog_list *l, const char *domain, int insert)
{
	size_t i = (size_t)hash_name(domain) & (l->cap - 1);
	struct catalog_entry *free_slot = NULL;

	for (;; i = (i + 1) & (l->cap - 1)) {
		struct catalog_entry *e = &l->slots[i];
		if (!e->domain)
			return insert ? (free_slot ? free_slot : e) : NULL;
		if (e->domain == catalog_tomb) {
			if (!free_slot)
				free_slot = e;
		} else if (!strcmp(e->domain, domain)) {
			return e;
		}
	}
}

static void grow(struct catalog_list *l)
{
	struct catalog_list n;
	size_t i;

	if (l->cap && (l->used + 1) * 4 < l->cap * 3)
		return;
	n.cap = l->cap ? l->cap : 64;
	while ((l->n + 1) * 2 > n.cap)
		n.cap *= 2;
	n.slots = xcalloc(n.cap, sizeof(*n.slots));
	n.n = n.used = l->n;
	for (i = 0; i < l->cap; i++) {
		struct catalog_entry *e = &l->slots[i];
		if (!e->domain || e->domain == catalog_tomb)
			continue;
		*slot_find(&n, e->domain, 1) = *e;
	}
	free(l->slots);
	*l = n;
}

int catalog_list_set(struct catalog_list *l, const char *domain, const char *uid, const char *group)
{
	struct catalog_entry *e;

	grow(l);
	e = slot_find(l, domain, 1);
	group = group ? group : "";
	if (e->domain && e->domain != catalog_tomb) {
		if (!strcmp(e->uid, uid) && !strcmp(e->group, group))
			return 0;
	} else {
		if (!e->domain)
			l->used++;
		e->domain = xstrdup(domain);
		e->group = NULL;
		l->n++;
	}
	snprintf(e->uid, sizeof(e->uid), "%s", uid);
	free(e->group);
	e->group = xstrdup(group);
	return 1;
}

int catalog_list_del(struct catalog_list *l, const char *domain)
{
	struct catalog_entry *e;

	if (!l->cap || !(e = slot_find(l, domain, 0)))
		return 0;
	entry_free(e);
	e->domain = (char *)catalog_tomb;
	e->group = NULL;
	l->n--;
	return 1;
}

const struct catalog_entry *catalog_list_get(const struct catalog_list *l, const char *domain)
{
	return l->cap ? slot_find(l, domain, 0) : NULL;
}

int catalog_member_get(struct store *st, const char *domain, char uid[CATALOG_UID_MAX + 1],
		       char *group, size_t glen)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT m.uid, z.hostname FROM catalog_members m JOIN zones z"
			       " ON z.domain = m.domain WHERE m.domain = ?1", -1, &s, NULL) != SQLITE_OK)
		return DADNS_EIO;
	sqlite3_bind_text(s, 1, domain, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(uid, CATALOG_UID_MAX + 1, "%s", (const char *)sqlite3_column_text(s, 0));
		snprintf(group, glen, "%s", (const char *)sqlite3_column_text(s, 1));
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? DADNS_ENOENT : DADNS_EIO;
	}
	sqlite3_finalize(s);
	return rc;
}

int catalog_list_load(struct store *st, const char *backend, struct catalog_list *l)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT b.domain, m.uid, z.hostname FROM backend_state b"
			       " JOIN catalog_members m ON m.domain = b.domain"
			       " JOIN zones z ON z.domain = b.domain"
			       " WHERE b.backend = ?1 AND b.serial IS NOT NULL AND NOT EXISTS("
			       "  SELECT 1 FROM jobs j WHERE j.domain = b.domain AND j.op = 'delete'"
			       "  AND j.state IN ('queued', 'running'))", -1, &s, NULL) != SQLITE_OK) {
		log_err("catalog: %s", store_errmsg(st));
		return DADNS_EIO;
	}
	sqlite3_bind_text(s, 1, backend, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		catalog_list_set(l, (const char *)sqlite3_column_text(s, 0),
				 (const char *)sqlite3_column_text(s, 1),
				 (const char *)sqlite3_column_text(s, 2));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		log_err("catalog: reading what %s serves: %s", backend, store_errmsg(st));
		return DADNS_EIO;
	}
	return 0;
}

int catalog_serial_next(struct store *st, const char *backend, uint32_t *serial)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = store_begin(st);
	if (rc < 0)
		return rc;
	if (sqlite3_prepare_v2(store_db(st),
			       "INSERT INTO catalog_serial(backend, serial, published_at) VALUES(?1, ?2, ?3)"
			       " ON CONFLICT(backend) DO UPDATE SET serial = (serial + 1) % 4294967296,"
			       " published_at = excluded.published_at RETURNING serial", -1, &s,
			       NULL) != SQLITE_OK) {
		store_rollback(st);
		return DADNS_EIO;
	}
	sqlite3_bind_text(s, 1, backend, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (int64_t)time(NULL) & 0xffffffffLL);
	sqlite3_bind_int64(s, 3, util_now_ms());
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*serial = (uint32_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		store_rollback(st);
		return rc == SQLITE_BUSY ? DADNS_EBUSY : DADNS_EIO;
	}
	return store_commit(st);
}

/* A TXT character-string of s: quoted, with " and \ escaped and any byte
 * outside printable ASCII as \DDD. */
static void put_txt(struct strbuf *out, const char *s)
{
	strbuf_puts(out, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			strbuf_printf(out, "\\%c", c);
		else if (c < 0x21 || c > 0x7e)
			strbuf_printf(out, "\\%03u", c);
		else
			strbuf_append(out, s, 1);
	}
	strbuf_puts(out, "\"");
}

void catalog_render(const struct catalog_list *l, const char *name, uint32_t serial,
		    int with_group, struct strbuf *out, int *records)
{
	size_t i;
	int n = 3;

	strbuf_printf(out,
		      "; RFC 9432 catalog written by dadns: %zu member zone(s). Do not edit.\n"
		      "$ORIGIN %s.\n"
		      "@ 0 IN SOA invalid. invalid. %u 60 10 1209600 0\n"
		      "@ 0 IN NS invalid.\n"
		      "version 0 IN TXT \"2\"\n", l->n, name, serial);
	for (i = 0; i < l->cap; i++) {
		const struct catalog_entry *e = &l->slots[i];
		if (!e->domain || e->domain == catalog_tomb)
			continue;
		strbuf_printf(out, "%s.zones 0 IN PTR %s.\n", e->uid, e->domain);
		n++;
		if (with_group && e->group && *e->group) {
			strbuf_printf(out, "group.%s.zones 0 IN TXT ", e->uid);
			put_txt(out, e->group);
			strbuf_puts(out, "\n");
			n++;
		}
	}
	*records = n;
}
