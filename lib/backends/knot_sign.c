/* SPDX-License-Identifier: BSD-3-Clause */
/* knot_sign.c -- dnssec = sign: DirectAdmin's DNSSEC records dropped before
 * Knot signs; what Knot serves checked (signed SOA, serial, records); the DS
 * of the served SEP keys (libldns)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "lib/backends/knot.h"
#include "lib/log.h"
#include "lib/zone.h"

int knot_dnssec_type(uint16_t type)
{
	switch (type) {
	case LDNS_RR_TYPE_RRSIG:
	case LDNS_RR_TYPE_NSEC:
	case LDNS_RR_TYPE_NSEC3:
	case LDNS_RR_TYPE_NSEC3PARAM:
	case LDNS_RR_TYPE_DNSKEY:
	case LDNS_RR_TYPE_CDS:
	case LDNS_RR_TYPE_CDNSKEY:
		return 1;
	default:
		return 0;
	}
}

int knot_strip_dnssec(const char *domain, const char *text, size_t len, char **out,
		      int *records, char *err, size_t errlen)
{
	ldns_rr_list *rrs = NULL;
	struct strbuf sb;
	size_t i;
	int rc, n = 0;

	rc = zone_parse(domain, text, len, &rrs, err, errlen);
	if (rc < 0)
		return rc;
	strbuf_init(&sb);
	for (i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
		ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		char *line;

		if (knot_dnssec_type((uint16_t)ldns_rr_get_type(rr)))
			continue;
		line = ldns_rr2str(rr);
		if (!line) {
			snprintf(err, errlen, "cannot print a record of %s", domain);
			strbuf_deinit(&sb);
			ldns_rr_list_deep_free(rrs);
			return DADNS_EPARSE;
		}
		strbuf_puts(&sb, line);  /* ldns ends it with a line break */
		free(line);
		n++;
	}
	ldns_rr_list_deep_free(rrs);
	/* ldns prints some names the zone lexer cannot read back (a '"' in an
	 * owner name is printed bare): refuse such a zone here, with a reason,
	 * rather than hand Knot a file it reads differently. */
	rrs = NULL;
	rc = zone_parse(domain, sb.buf ? sb.buf : "", sb.len, &rrs, err, errlen);
	if (rc == 0 && ldns_rr_list_rr_count(rrs) != (size_t)n) {
		snprintf(err, errlen, "%zu records read back, not %d", ldns_rr_list_rr_count(rrs), n);
		rc = DADNS_EPARSE;
	}
	ldns_rr_list_deep_free(rrs);
	if (rc < 0) {
		char why[200];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s without its DNSSEC records cannot be written for Knot (%s)", domain,
			 why);
		strbuf_deinit(&sb);
		return DADNS_EPARSE;
	}
	*records = n;
	*out = strbuf_steal(&sb);
	return 0;
}

static const char *rcode_name(ldns_pkt_rcode rcode)
{
	ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rcode);

	return lt && lt->name ? lt->name : "?";
}

/* Over TCP with the DO bit: signed answers (DNSKEY sets, RRSIGs) are large. */
static ldns_resolver *resolver_at(const struct dnsfile_server *srv, int timeout_ms)
{
	ldns_resolver *res = dnsfile_resolver_new(srv, timeout_ms);

	if (!res)
		return NULL;
	ldns_resolver_set_usevc(res, true);
	ldns_resolver_set_dnssec(res, true);
	ldns_resolver_set_edns_udp_size(res, 4096);
	return res;
}

/* Count one transferred record into the figures of knot_served. */
static void served_rr(ldns_rr *rr, int *soas, int64_t *serial, int *records, int *soa_signed)
{
	ldns_rr_type t = ldns_rr_get_type(rr);

	if (t == LDNS_RR_TYPE_SOA) {
		if (++*soas == 2)
			return;
		if (ldns_rr_rd_count(rr) >= 3)
			*serial = (int64_t)ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
	}
	if (t == LDNS_RR_TYPE_RRSIG && ldns_rr_rd_count(rr) > 0 &&
	    ldns_rdf2rr_type(ldns_rr_rdf(rr, 0)) == LDNS_RR_TYPE_SOA)
		*soa_signed = 1;
	if (!knot_dnssec_type((uint16_t)t))
		(*records)++;
}

int knot_served(const struct dnsfile_server *srv, const char *domain, int timeout_ms,
		int64_t *serial, int *records, int *soa_signed, char *err, size_t errlen)
{
	ldns_resolver *res = resolver_at(srv, timeout_ms);
	ldns_rdf *name = ldns_dname_new_frm_str(domain);
	int soas = 0, rc = DADNS_EIO;
	ldns_status st;
	ldns_rr *rr;

	*records = 0;
	*soa_signed = 0;
	*serial = -1;
	err[0] = '\0';
	if (!res || !name) {
		snprintf(err, errlen, "cannot build a query for %s", domain);
		goto out;
	}
	st = ldns_axfr_start(res, name, LDNS_RR_CLASS_IN);
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "AXFR of %s from %s: %s", domain, srv->text,
			 ldns_get_errorstr_by_id(st));
		goto out;
	}
	while (soas < 2 && (rr = ldns_axfr_next(res))) {
		served_rr(rr, &soas, serial, records, soa_signed);
		ldns_rr_free(rr);
	}
	if (soas < 2) {
		ldns_pkt *p = ldns_axfr_last_pkt(res);

		if (p && ldns_pkt_get_rcode(p) == LDNS_RCODE_REFUSED)
			rc = DADNS_EPERM;
		else if (p && ldns_pkt_get_rcode(p) == LDNS_RCODE_NOTAUTH)
			rc = DADNS_ENOENT;
		snprintf(err, errlen, "AXFR of %s from %s failed (%s)", domain, srv->text,
			 p ? rcode_name(ldns_pkt_get_rcode(p)) : "no answer");
		goto out;
	}
	rc = 0;
out:
	if (res && soas < 2 && name)
		ldns_axfr_abort(res);
	ldns_rdf_deep_free(name);
	if (res)
		ldns_resolver_deep_free(res);
	return rc;
}

/* One look: 0 served as wanted, 1 not (yet), with why. */
static int signed_once(const struct dnsfile_server *srv, int per_ms, struct backend_zone *z,
		       char *why, size_t whylen)
{
	int64_t serial;
	int records, sig;

	if (knot_served(srv, z->domain, per_ms, &serial, &records, &sig, why, whylen) < 0)
		return 1;
	if (serial < z->serial) {
		snprintf(why, whylen, "%s serves serial %lld for %s, below the pushed %lld",
			 srv->text, (long long)serial, z->domain, (long long)z->serial);
		return 1;
	}
	if (!sig) {
		snprintf(why, whylen, "%s serves %s unsigned (no RRSIG over its SOA): did Knot "
			 "sign it (dnssec-signing in the template, its log)?", srv->text, z->domain);
		return 1;
	}
	if (z->records > 0 && records != z->records) {
		snprintf(why, whylen, "%s serves %d records (DNSSEC ones aside) at serial %lld "
			 "for %s, want %d", srv->text, records, (long long)serial, z->domain,
			 z->records);
		return 1;
	}
	return 0;
}

static void pause_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int knot_verify_signed(const struct dnsfile_server *srv, const char *label, int64_t deadline,
		       struct backend_zone *z)
{
	int64_t start = util_mono_ms();
	char why[BACKEND_ERR_MAX];
	int tries = 0, pause;

	for (;;) {
		int64_t left = deadline - util_mono_ms();
		int per = left > 1000 ? 1000 : left < 500 ? 500 : (int)left;

		tries++;
		if (signed_once(srv, per, z, why, sizeof(why)) == 0)
			return 0;
		pause = tries >= 4 ? 50 : 5 << (tries - 1);
		if (util_mono_ms() + pause >= deadline)
			break;
		pause_ms(pause);
	}
	dnsfile_zone_fail(z, DADNS_ETEMPFAIL, "%s: verify failed (%d checks in %lld ms): %s", label,
			  tries, (long long)(util_mono_ms() - start), why);
	return DADNS_ETEMPFAIL;
}

/* The DS of one DNSKEY into d; 0, or -1 when it is no SEP zone key. */
static int ds_of(const ldns_rr *key, struct knot_ds_rec *d)
{
	ldns_rr *ds;
	ldns_rdf *dig;
	size_t i, sz;
	uint16_t flags;

	if (ldns_rr_rd_count(key) < 4)
		return -1;
	flags = ldns_rdf2native_int16(ldns_rr_rdf(key, 0));
	if (!(flags & LDNS_KEY_ZONE_KEY) || !(flags & LDNS_KEY_SEP_KEY))
		return -1;
	ds = ldns_key_rr2ds(key, LDNS_SHA256);
	if (!ds || ldns_rr_rd_count(ds) < 4) {
		ldns_rr_free(ds);
		return -1;
	}
	d->keytag = ldns_rdf2native_int16(ldns_rr_rdf(ds, 0));
	d->algorithm = ldns_rdf2native_int8(ldns_rr_rdf(ds, 1));
	dig = ldns_rr_rdf(ds, 3);
	sz = ldns_rdf_size(dig);
	for (i = 0; i < sz && i < 32; i++)
		snprintf(d->digest + 2 * i, 3, "%02X", ldns_rdf_data(dig)[i]);
	d->digest[2 * i] = '\0';
	ldns_rr_free(ds);
	return 0;
}

int knot_ds(const struct dnsfile_server *srv, const char *domain, int timeout_ms,
	    struct knot_ds_rec *ds, int *n, char *err, size_t errlen)
{
	ldns_resolver *res = resolver_at(srv, timeout_ms);
	ldns_rdf *name = ldns_dname_new_frm_str(domain);
	ldns_rr_list *keys = NULL;
	ldns_pkt *pkt = NULL;
	ldns_status st;
	int rc = DADNS_EIO;
	size_t i;

	*n = 0;
	err[0] = '\0';
	if (!res || !name) {
		snprintf(err, errlen, "cannot build a query for %s", domain);
		goto out;
	}
	st = ldns_resolver_send(&pkt, res, name, LDNS_RR_TYPE_DNSKEY, LDNS_RR_CLASS_IN, 0);
	if (st != LDNS_STATUS_OK || !pkt) {
		snprintf(err, errlen, "no answer from %s: %s", srv->text,
			 ldns_get_errorstr_by_id(st));
		rc = DADNS_ETIMEDOUT;
		goto out;
	}
	if (ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR || !ldns_pkt_aa(pkt)) {
		snprintf(err, errlen, "%s does not serve %s (%s)", srv->text, domain,
			 rcode_name(ldns_pkt_get_rcode(pkt)));
		rc = DADNS_ENOENT;
		goto out;
	}
	keys = ldns_pkt_rr_list_by_name_and_type(pkt, name, LDNS_RR_TYPE_DNSKEY,
						 LDNS_SECTION_ANSWER);
	for (i = 0; keys && i < ldns_rr_list_rr_count(keys) && *n < KNOT_DS_MAX; i++)
		if (ds_of(ldns_rr_list_rr(keys, i), &ds[*n]) == 0)
			(*n)++;
	if (*n == 0) {
		snprintf(err, errlen, "%s serves no KSK/CSK for %s: is it signed?", srv->text,
			 domain);
		rc = DADNS_ENOENT;
		goto out;
	}
	rc = 0;
out:
	ldns_rr_list_deep_free(keys);
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(name);
	if (res)
		ldns_resolver_deep_free(res);
	return rc;
}
