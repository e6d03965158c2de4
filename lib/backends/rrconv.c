/* SPDX-License-Identifier: BSD-3-Clause */
/* rrconv.c -- parsed zone records (libldns) to MySQL rows for CoreDNS and PowerDNS */

/*
 * What the readers of these rows expect, from their sources:
 *
 * CoreDNS, plugin coredns_mysql_extend (snail2sky/coredns_mysql_extend and
 * its fork cybercinch/coredns_mysql_extend, which directdnsonly feeds;
 * files const.go, utils.go, mysql.go, hooks.go):
 * - zones are loaded with "SELECT id, zone_name FROM zones" into a map that
 *   is looked up with the query name split at its dots (getDomainInfo), so
 *   zone_name must be lower case with the trailing dot ("example.com.");
 *   the map is reloaded every success_heartbeat_time (60 s), so a zone's id
 *   must not change when the zone is replaced.
 * - records are read with "SELECT id, zone_id, hostname, type, data, ttl
 *   FROM records WHERE online!=0 and zone_id=? and hostname=? and type=?",
 *   hostname being the query name minus the zone, "@" at the apex
 *   (zoneSelf); wildcards are looked up as hostname "*" in the zone of the
 *   query name minus its first label.
 * - an answer is built as fmt.Sprintf("%s %d IN %s %s", fqdn, ttl, type,
 *   data) and parsed with miekg/dns dns.NewRR, which has no $ORIGIN: data
 *   is presentation-format rdata with absolute, dot-terminated names;
 *   the README samples store MX as "10 mail.example.com." (priority inside
 *   data) and SOA as "ns1.example.com. admin.example.com. 2025081401 3600
 *   1800 1209600 300"; CAA as "0 issue \"letsencrypt.org\"". TXT must keep
 *   its quotes, or NewRR splits it at blanks.
 * - for the CNAME fallback the CNAME data is resolved with getDomainInfo,
 *   so it must be an absolute name with the trailing dot.
 *
 * PowerDNS generic SQL (schema.mysql.sql of pdns-backend-mysql 4.7, and
 * the documentation of the generic SQL backends): names are stored without
 * the trailing dot, also inside content; the priority of MX and SRV lives
 * in the prio column, the backend prepends it to content when it serves
 * the record; empty non-terminals are rows with type NULL.
 */

#include <stdlib.h>
#include <string.h>

#include "lib/backends/rrconv.h"
#include "lib/util.h"

void rrconv_rows_init(struct rrconv_rows *rows)
{
	memset(rows, 0, sizeof(*rows));
}

void rrconv_row_deinit(struct rrconv_row *row)
{
	if (!row)
		return;
	free(row->name);
	free(row->type);
	free(row->data);
	memset(row, 0, sizeof(*row));
}

void rrconv_rows_deinit(struct rrconv_rows *rows)
{
	size_t i;

	if (!rows)
		return;
	for (i = 0; i < rows->n; i++)
		rrconv_row_deinit(&rows->v[i]);
	free(rows->v);
	memset(rows, 0, sizeof(*rows));
}

static struct rrconv_row *rows_push(struct rrconv_rows *rows)
{
	if (rows->n == rows->cap) {
		rows->cap = rows->cap ? rows->cap * 2 : 32;
		rows->v = xrealloc(rows->v, rows->cap * sizeof(*rows->v));
	}
	memset(&rows->v[rows->n], 0, sizeof(rows->v[0]));
	return &rows->v[rows->n++];
}

void rrconv_rows_add(struct rrconv_rows *rows, int64_t id, const char *name, const char *type,
		     const char *data, int64_t ttl, int prio, int auth)
{
	struct rrconv_row *r = rows_push(rows);

	r->id = id;
	r->name = xstrdup(name ? name : "");
	r->type = xstrdup(type);
	r->data = xstrdup(data);
	r->ttl = ttl;
	r->prio = prio;
	r->auth = auth;
}

/* The lower-case presentation form of a dname, with its trailing dot. */
static char *dname_str(const ldns_rdf *dname)
{
	ldns_rdf *c = ldns_rdf_clone(dname);
	char *s, *out;

	if (!c)
		return NULL;
	ldns_dname2canonical(c);
	s = ldns_rdf2str(c);
	ldns_rdf_deep_free(c);
	out = xstrdup(s);
	free(s);
	return out;
}

/* Owner name of rr as the flavour stores it. */
static int owner_name(enum rrconv_flavor fl, const ldns_rdf *origin, const ldns_rr *rr,
		      char **out, char *err, size_t errlen)
{
	const ldns_rdf *owner = ldns_rr_owner(rr);
	char *o = NULL, *z = NULL;
	size_t ol, zl;
	int apex, ret = DADNS_EPARSE;

	apex = ldns_dname_compare(owner, origin) == 0;
	if (!apex && !ldns_dname_is_subdomain(owner, origin)) {
		snprintf(err, errlen, "record owner outside the zone");
		goto out;
	}
	o = dname_str(owner);
	z = dname_str(origin);
	if (!o || !z) {
		snprintf(err, errlen, "cannot print the owner name");
		goto out;
	}
	ol = strlen(o);
	zl = strlen(z);
	if (fl == RRCONV_POWERDNS) {
		if (ol > 1)
			o[ol - 1] = '\0';
		*out = o;
		o = NULL;
	} else if (apex) {
		*out = xstrdup("@");
	} else {
		/* a subdomain prints as its own labels, ".", then the origin */
		if (ol <= zl + 1 || strcmp(o + ol - zl, z) != 0 || o[ol - zl - 1] != '.') {
			snprintf(err, errlen, "cannot make %s relative to %s", o, z);
			goto out;
		}
		*out = xstrndup(o, ol - zl - 1);
	}
	ret = 0;
out:
	free(o);
	free(z);
	return ret;
}

/* The rdata of rr as the flavour stores it; *prio gets the MX/SRV
 * priority for PowerDNS. */
static int rdata_str(enum rrconv_flavor fl, const ldns_rr *rr, char **out, int *prio,
		     char *err, size_t errlen)
{
	ldns_rr_type t = ldns_rr_get_type(rr);
	struct strbuf sb;
	size_t i, first = 0;
	int ret = DADNS_EPARSE;

	*prio = 0;
	strbuf_init(&sb);
	if (fl == RRCONV_POWERDNS && (t == LDNS_RR_TYPE_MX || t == LDNS_RR_TYPE_SRV) &&
	    ldns_rr_rd_count(rr) > 1) {
		*prio = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		first = 1;
	}
	for (i = first; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
		char *s = ldns_rdf2str(rdf);
		size_t sl;

		if (!s) {
			snprintf(err, errlen, "cannot print field %zu of the rdata", i + 1);
			goto out;
		}
		sl = strlen(s);
		/* PowerDNS stores names without the trailing dot; the root stays "." */
		if (fl == RRCONV_POWERDNS && ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME && sl > 1 &&
		    s[sl - 1] == '.')
			s[--sl] = '\0';
		if (i > first)
			strbuf_puts(&sb, " ");
		strbuf_append(&sb, s, sl);
		free(s);
	}
	*out = strbuf_steal(&sb);
	ret = 0;
out:
	strbuf_deinit(&sb);
	return ret;
}

int rrconv_rr(enum rrconv_flavor fl, const ldns_rdf *origin, const ldns_rr *rr,
	      struct rrconv_row *out, char *err, size_t errlen)
{
	char *tstr;
	int ret;

	memset(out, 0, sizeof(*out));
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		snprintf(err, errlen, "record of a class other than IN");
		return DADNS_EPARSE;
	}
	ret = owner_name(fl, origin, rr, &out->name, err, errlen);
	if (ret < 0)
		goto out;
	ret = rdata_str(fl, rr, &out->data, &out->prio, err, errlen);
	if (ret < 0)
		goto out;
	tstr = ldns_rr_type2str(ldns_rr_get_type(rr));
	out->type = xstrdup(tstr ? tstr : "");
	free(tstr);
	out->ttl = ldns_rr_ttl(rr);
	out->auth = 1;
out:
	if (ret < 0)
		rrconv_row_deinit(out);
	return ret;
}

static int str_cmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* Identity of a record: everything but ttl, auth and id. */
static int row_key_cmp(const struct rrconv_row *a, const struct rrconv_row *b)
{
	int c;

	if ((c = str_cmp_null(a->name, b->name)) != 0)
		return c;
	if ((c = str_cmp_null(a->type, b->type)) != 0)
		return c;
	if ((c = str_cmp_null(a->data, b->data)) != 0)
		return c;
	return (a->prio > b->prio) - (a->prio < b->prio);
}

int rrconv_row_cmp(const struct rrconv_row *a, const struct rrconv_row *b)
{
	int c = row_key_cmp(a, b);

	if (c)
		return c;
	if (a->ttl != b->ttl)
		return a->ttl < b->ttl ? -1 : 1;
	return (a->auth > b->auth) - (a->auth < b->auth);
}

static int row_qsort_cmp(const void *a, const void *b)
{
	return rrconv_row_cmp(a, b);
}

void rrconv_rows_sort(struct rrconv_rows *rows)
{
	if (rows->n > 1)
		qsort(rows->v, rows->n, sizeof(rows->v[0]), row_qsort_cmp);
}

/* Order of row indices by record identity, then position (stable). */
static int dedup_cmp(const void *a, const void *b, void *base)
{
	const struct rrconv_row *v = base;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = row_key_cmp(&v[x], &v[y]);

	return c ? c : (x > y) - (x < y);
}

/* Drop rows from index `from` on that repeat an earlier row's identity,
 * keeping file order. */
static void rows_dedup(struct rrconv_rows *rows, size_t from)
{
	size_t n = rows->n - from, i, k;
	size_t *idx;
	char *drop;

	if (n < 2)
		return;
	idx = xmalloc(n * sizeof(*idx));
	drop = xcalloc(n, 1);
	for (i = 0; i < n; i++)
		idx[i] = from + i;
	qsort_r(idx, n, sizeof(*idx), dedup_cmp, rows->v);
	for (i = 1; i < n; i++)
		if (row_key_cmp(&rows->v[idx[i - 1]], &rows->v[idx[i]]) == 0)
			drop[idx[i] - from] = 1;
	for (i = 0, k = from; i < n; i++) {
		if (drop[i]) {
			rrconv_row_deinit(&rows->v[from + i]);
			continue;
		}
		rows->v[k++] = rows->v[from + i];
	}
	rows->n = k;
	free(idx);
	free(drop);
}

/* ---- PowerDNS: auth flags and empty non-terminals ---- */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int name_in(char **set, size_t n, const char *name)
{
	return n && bsearch(&name, set, n, sizeof(*set), cmp_strp) != NULL;
}

/* The parent of a PowerDNS name ("a.b.c" -> "b.c"), or NULL at the top. */
static const char *name_parent(const char *name)
{
	const char *p;

	for (p = name; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '.')
			return p + 1;
	}
	return NULL;
}

/* 0 when name is a delegation point's non-DS data or lies below one. */
static int name_auth(char **deleg, size_t nd, const char *apex, const char *name, const char *type)
{
	const char *p;

	if (!nd || strcmp(name, apex) == 0)
		return 1;
	if (name_in(deleg, nd, name))
		return type && strcmp(type, "DS") == 0;
	for (p = name_parent(name); p && strcmp(p, apex) != 0; p = name_parent(p))
		if (name_in(deleg, nd, p))
			return 0;
	return 1;
}

static void sort_unique(char **v, size_t *n)
{
	size_t i, k;

	if (*n < 2)
		return;
	qsort(v, *n, sizeof(*v), cmp_strp);
	for (i = 1, k = 1; i < *n; i++)
		if (strcmp(v[i], v[k - 1]) != 0)
			v[k++] = v[i];
	*n = k;
}

static void powerdns_rectify(struct rrconv_rows *rows, size_t from, const char *apex)
{
	size_t n = rows->n - from, i, nn = 0, nd = 0, ne = 0;
	char **names = xcalloc(n + 1, sizeof(char *));
	char **deleg = xcalloc(n + 1, sizeof(char *));
	char **ents = NULL;
	size_t ecap = 0;

	for (i = from; i < rows->n; i++) {
		names[nn++] = rows->v[i].name;
		if (strcmp(rows->v[i].type, "NS") == 0 && strcmp(rows->v[i].name, apex) != 0)
			deleg[nd++] = rows->v[i].name;
	}
	sort_unique(names, &nn);
	sort_unique(deleg, &nd);
	for (i = from; i < rows->n; i++) {
		const char *p;

		rows->v[i].auth = name_auth(deleg, nd, apex, rows->v[i].name, rows->v[i].type);
		if (strcmp(rows->v[i].name, apex) == 0)
			continue;
		for (p = name_parent(rows->v[i].name); p && strcmp(p, apex) != 0; p = name_parent(p)) {
			if (name_in(names, nn, p))
				continue;
			if (ne == ecap) {
				ecap = ecap ? ecap * 2 : 16;
				ents = xrealloc(ents, ecap * sizeof(*ents));
			}
			ents[ne++] = xstrdup(p);
		}
	}
	if (ne) {
		char **sorted = xmalloc(ne * sizeof(*sorted));
		size_t ns = ne;

		memcpy(sorted, ents, ne * sizeof(*ents));
		sort_unique(sorted, &ns);
		for (i = 0; i < ns; i++)
			rrconv_rows_add(rows, 0, sorted[i], NULL, NULL, 0, 0,
					name_auth(deleg, nd, apex, sorted[i], NULL));
		free(sorted);
	}
	for (i = 0; i < ne; i++)
		free(ents[i]);
	free(ents);
	free(names);
	free(deleg);
}

int rrconv_zone(enum rrconv_flavor fl, const char *domain, const ldns_rr_list *rrs,
		struct rrconv_rows *out, int64_t *serial, char *err, size_t errlen)
{
	ldns_rdf *origin = NULL;
	char *apex = NULL;
	size_t i, from = out->n;
	int ret = DADNS_EPARSE;

	if (serial)
		*serial = -1;
	if (!domain || !*domain || ldns_str2rdf_dname(&origin, domain) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "invalid zone name");
		goto out;
	}
	for (i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		struct rrconv_row row;
		char why[200];

		if (rrconv_rr(fl, origin, rr, &row, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "record %zu: %s", i + 1, why);
			goto out;
		}
		*rows_push(out) = row;
		if (serial && *serial < 0 && ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
		    ldns_rr_rd_count(rr) >= 3)
			*serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
	}
	rows_dedup(out, from);
	if (fl == RRCONV_POWERDNS) {
		apex = dname_str(origin);
		if (apex && strlen(apex) > 1)
			apex[strlen(apex) - 1] = '\0';
		powerdns_rectify(out, from, apex ? apex : "");
	}
	ret = 0;
out:
	if (ret < 0) {
		while (out->n > from)
			rrconv_row_deinit(&out->v[--out->n]);
	}
	free(apex);
	ldns_rdf_deep_free(origin);
	return ret;
}

size_t rrconv_rows_records(const struct rrconv_rows *rows)
{
	size_t i, n = 0;

	for (i = 0; i < rows->n; i++)
		n += rows->v[i].type != NULL;
	return n;
}

int64_t rrconv_rows_serial(const struct rrconv_rows *rows)
{
	size_t i;

	for (i = 0; i < rows->n; i++) {
		const char *p = rows->v[i].data;
		char *end;
		long long v;
		int f;

		if (!rows->v[i].type || strcmp(rows->v[i].type, "SOA") != 0 || !p)
			continue;
		for (f = 0; f < 2; f++) {
			p += strcspn(p, " \t");
			p += strspn(p, " \t");
		}
		if (*p < '0' || *p > '9')
			return -1;
		v = strtoll(p, &end, 10);
		if (*end && *end != ' ' && *end != '\t')
			return -1;
		return v;
	}
	return -1;
}

size_t rrconv_diff(const struct rrconv_rows *want, const struct rrconv_rows *have,
		   int64_t **extra, size_t *n_extra, size_t **missing)
{
	size_t i = 0, j = 0, nm = 0, ne = 0;

	*extra = NULL;
	if (missing)
		*missing = NULL;
	while (i < want->n || j < have->n) {
		int c;

		if (i == want->n)
			c = 1;
		else if (j == have->n)
			c = -1;
		else
			c = rrconv_row_cmp(&want->v[i], &have->v[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			if (missing) {
				if (!*missing)
					*missing = xmalloc(want->n * sizeof(**missing));
				(*missing)[nm] = i;
			}
			nm++;
			i++;
		} else {
			if (!*extra)
				*extra = xmalloc(have->n * sizeof(**extra));
			(*extra)[ne++] = have->v[j++].id;
		}
	}
	*n_extra = ne;
	return nm;
}
