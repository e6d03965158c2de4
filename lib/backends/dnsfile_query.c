/* SPDX-License-Identifier: BSD-3-Clause */
/* dnsfile_query.c -- what a DNS server serves: SOA query, AXFR record count, verify (libldns) */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "lib/backends/dnsfile.h"
#include "lib/log.h"
#include "lib/util.h"

#define VERIFY_PAUSE_MS 50
#define DNS_HEADER_LEN 12

int dnsfile_server_parse(const char *text, struct dnsfile_server *srv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char host[256], port[16] = "53";
	const char *colon, *end;
	size_t hlen;
	int rc = DADNS_EINVAL;

	memset(srv, 0, sizeof(*srv));
	if (!text || !*text || strlen(text) >= sizeof(srv->text))
		return DADNS_EINVAL;
	snprintf(srv->text, sizeof(srv->text), "%s", text);
	if (text[0] == '[') {
		end = strchr(text, ']');
		if (!end)
			return DADNS_EINVAL;
		hlen = (size_t)(end - text - 1);
		text++;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return DADNS_EINVAL;
	} else {
		colon = strchr(text, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;  /* a bare IPv6 address */
		hlen = colon ? (size_t)(colon - text) : strlen(text);
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return DADNS_EINVAL;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (colon) {
		char *e;
		long p = strtol(colon + 1, &e, 10);

		if (*e || p < 1 || p > 65535 || e == colon + 1)
			return DADNS_EINVAL;
		snprintf(port, sizeof(port), "%ld", p);
	}
	if (getaddrinfo(host, port, &hints, &res) != 0 || !res)
		goto out;
	if (res->ai_addrlen > sizeof(srv->ss))
		goto out;
	memcpy(&srv->ss, res->ai_addr, res->ai_addrlen);
	srv->sslen = (socklen_t)res->ai_addrlen;
	rc = 0;
out:
	if (res)
		freeaddrinfo(res);
	return rc;
}

static struct timeval ms_tv(int ms)
{
	struct timeval tv;

	if (ms < 1)
		ms = 1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

static const char *rcode_name(ldns_pkt_rcode rcode)
{
	ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rcode);

	return lt && lt->name ? lt->name : "?";
}

/* The SOA of name in the answer section, or NULL. */
static ldns_rr *answer_soa(ldns_pkt *pkt, const ldns_rdf *name)
{
	ldns_rr_list *an = ldns_pkt_answer(pkt);
	size_t i;

	for (i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3 &&
		    ldns_dname_compare(ldns_rr_owner(rr), name) == 0)
			return rr;
	}
	return NULL;
}

/* What an answer says about the SOA of name: DNSFILE_SOA_*. */
static int soa_classify(ldns_pkt *pkt, const ldns_rdf *name, int64_t *serial)
{
	ldns_rr *soa;

	switch (ldns_pkt_get_rcode(pkt)) {
	case LDNS_RCODE_NOERROR:
		break;
	case LDNS_RCODE_REFUSED:
		return DNSFILE_SOA_REFUSED;
	case LDNS_RCODE_NXDOMAIN:
	case LDNS_RCODE_NOTAUTH:
		return DNSFILE_SOA_NXDOMAIN;
	case LDNS_RCODE_SERVFAIL:
		return DNSFILE_SOA_SERVFAIL;
	default:
		return DNSFILE_SOA_NOAUTH;
	}
	soa = answer_soa(pkt, name);
	if (!ldns_pkt_aa(pkt) || !soa)
		return DNSFILE_SOA_NOAUTH;
	*serial = (int64_t)ldns_rdf2native_int32(ldns_rr_rdf(soa, 2));
	return DNSFILE_SOA_SERIAL;
}

/* 1 when q is the one question "name IN SOA". */
static int soa_question(ldns_pkt *pkt, const ldns_rdf *name)
{
	ldns_rr_list *qd = ldns_pkt_question(pkt);
	ldns_rr *q;

	if (ldns_pkt_qdcount(pkt) != 1 || !qd || ldns_rr_list_rr_count(qd) != 1)
		return 0;
	q = ldns_rr_list_rr(qd, 0);
	return ldns_rr_get_type(q) == LDNS_RR_TYPE_SOA && ldns_rr_get_class(q) == LDNS_RR_CLASS_IN &&
	       ldns_dname_compare(ldns_rr_owner(q), name) == 0;
}

int dnsfile_soa_answer(const uint8_t *wire, size_t len, uint16_t id, const char *zone,
		       int64_t *serial)
{
	ldns_rdf *name = NULL;
	ldns_pkt *pkt = NULL;
	int kind = DNSFILE_SOA_GARBAGE;

	/* The id first: a stray datagram costs no parse. */
	if (!wire || len < DNS_HEADER_LEN || (uint16_t)((wire[0] << 8) | wire[1]) != id)
		return len < DNS_HEADER_LEN ? DNSFILE_SOA_GARBAGE : DNSFILE_SOA_NOT_OURS;
	if (!LDNS_QR_WIRE(wire) || LDNS_OPCODE_WIRE(wire) != LDNS_PACKET_QUERY)
		return DNSFILE_SOA_NOT_OURS;
	if (LDNS_TC_WIRE(wire))
		return DNSFILE_SOA_TRUNCATED;
	name = ldns_dname_new_frm_str(zone);
	if (!name || ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK)
		goto out;
	kind = soa_question(pkt, name) ? soa_classify(pkt, name, serial) : DNSFILE_SOA_NOT_OURS;
out:
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(name);
	return kind;
}

ldns_resolver *dnsfile_resolver_new(const struct dnsfile_server *srv, int timeout_ms)
{
	ldns_resolver *res = ldns_resolver_new();
	uint16_t port = 53;
	ldns_rdf *ns;

	if (!res)
		return NULL;
	ns = ldns_sockaddr_storage2rdf(&srv->ss, &port);
	if (!ns || ldns_resolver_push_nameserver(res, ns) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(ns);
		ldns_resolver_deep_free(res);
		return NULL;
	}
	ldns_rdf_deep_free(ns);
	ldns_resolver_set_port(res, port);
	ldns_resolver_set_recursive(res, false);
	ldns_resolver_set_dnssec(res, false);
	ldns_resolver_set_random(res, false);
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_fallback(res, true);  /* TCP when the answer is truncated */
	ldns_resolver_set_timeout(res, ms_tv(timeout_ms));
	return res;
}

int dnsfile_query_soa(const struct dnsfile_server *srv, const char *domain, int timeout_ms,
		      int64_t *serial, char *err, size_t errlen)
{
	ldns_resolver *res = NULL;
	ldns_rdf *name = NULL;
	ldns_pkt *pkt = NULL;
	ldns_status st;
	int rc;

	err[0] = '\0';
	name = ldns_dname_new_frm_str(domain);
	res = dnsfile_resolver_new(srv, timeout_ms);
	if (!name || !res) {
		snprintf(err, errlen, "cannot build a query for %s", domain);
		rc = DADNS_EINVAL;
		goto out;
	}
	st = ldns_resolver_send(&pkt, res, name, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0);
	if (st != LDNS_STATUS_OK || !pkt) {
		snprintf(err, errlen, "no answer from %s: %s", srv->text, ldns_get_errorstr_by_id(st));
		rc = st == LDNS_STATUS_NETWORK_ERR ? DADNS_EIO : DADNS_ETIMEDOUT;
		goto out;
	}
	if (ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR) {
		snprintf(err, errlen, "%s answers %s for the SOA of %s", srv->text,
			 rcode_name(ldns_pkt_get_rcode(pkt)), domain);
		rc = DADNS_ENOENT;
		goto out;
	}
	if (soa_classify(pkt, name, serial) != DNSFILE_SOA_SERIAL) {
		snprintf(err, errlen, "%s gives no authoritative SOA for %s", srv->text, domain);
		rc = DADNS_ENOENT;
		goto out;
	}
	rc = 0;
out:
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(name);
	if (res)
		ldns_resolver_deep_free(res);
	return rc;
}

/* Send the AXFR query for name on fd. */
static int axfr_send(int fd, const struct dnsfile_server *srv, const ldns_rdf *name,
		     uint16_t *id)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_rdf_clone(name), LDNS_RR_TYPE_AXFR,
					 LDNS_RR_CLASS_IN, 0);
	ldns_buffer *qb = ldns_buffer_new(LDNS_MAX_PACKETLEN);
	int rc = DADNS_EIO;

	if (!q || !qb)
		goto out;
	*id = ldns_get_random();
	ldns_pkt_set_id(q, *id);
	if (ldns_pkt2buffer_wire(qb, q) != LDNS_STATUS_OK)
		goto out;
	if (ldns_tcp_send_query(qb, fd, &srv->ss, srv->sslen) <= 0)
		goto out;
	rc = 0;
out:
	ldns_pkt_free(q);
	ldns_buffer_free(qb);
	return rc;
}

/* Count the records of one AXFR message; *soas counts SOA records seen so
 * far (the second one ends the transfer and is not counted). */
static void axfr_count_msg(ldns_pkt *p, int *count, int *soas, int64_t *serial)
{
	ldns_rr_list *an = ldns_pkt_answer(p);
	size_t i;

	for (i = 0; an && i < ldns_rr_list_rr_count(an) && *soas < 2; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			if (++*soas == 2)
				break;
			if (ldns_rr_rd_count(rr) >= 3)
				*serial = (int64_t)ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
		}
		(*count)++;
	}
}

/* Read one AXFR message and count it. 0, or an error with err set. */
static int axfr_message(int fd, const struct dnsfile_server *srv, const char *domain,
			int64_t deadline, uint16_t id, int *n, int *soas, int64_t *serial,
			char *err, size_t errlen)
{
	int64_t left = deadline - util_mono_ms();
	ldns_pkt *p = NULL;
	ldns_pkt_rcode rcode;
	size_t size = 0;
	uint8_t *wire;
	int rc = 0;

	wire = left > 0 ? ldns_tcp_read_wire_timeout(fd, &size, ms_tv((int)left)) : NULL;
	if (!wire) {
		snprintf(err, errlen, "AXFR of %s from %s ended early (%d records)", domain,
			 srv->text, *n);
		return DADNS_ETIMEDOUT;
	}
	if (ldns_wire2pkt(&p, wire, size) != LDNS_STATUS_OK || ldns_pkt_id(p) != id) {
		snprintf(err, errlen, "bad AXFR message from %s", srv->text);
		rc = DADNS_EIO;
		goto out;
	}
	rcode = ldns_pkt_get_rcode(p);
	if (rcode != LDNS_RCODE_NOERROR) {
		snprintf(err, errlen, "%s answers %s to AXFR of %s", srv->text, rcode_name(rcode),
			 domain);
		rc = rcode == LDNS_RCODE_REFUSED ? DADNS_EPERM : DADNS_ENOENT;
		goto out;
	}
	if (*n == 0 && ldns_pkt_ancount(p) == 0) {
		snprintf(err, errlen, "empty AXFR answer from %s", srv->text);
		rc = DADNS_EIO;
		goto out;
	}
	axfr_count_msg(p, n, soas, serial);
out:
	LDNS_FREE(wire);
	ldns_pkt_free(p);
	return rc;
}

int dnsfile_axfr_count(const struct dnsfile_server *srv, const char *domain, int timeout_ms,
		       int *count, int64_t *serial, char *err, size_t errlen)
{
	int64_t deadline = util_mono_ms() + timeout_ms;
	ldns_rdf *name = ldns_dname_new_frm_str(domain);
	int fd = -1, rc = DADNS_EIO, soas = 0, n = 0;
	uint16_t id = 0;

	err[0] = '\0';
	if (!name) {
		snprintf(err, errlen, "cannot build a query for %s", domain);
		return DADNS_EINVAL;
	}
	fd = ldns_tcp_connect2(&srv->ss, srv->sslen, ms_tv(timeout_ms));
	if (fd < 0) {
		snprintf(err, errlen, "cannot connect to %s over TCP", srv->text);
		goto out;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (axfr_send(fd, srv, name, &id) < 0) {
		snprintf(err, errlen, "cannot send the AXFR query to %s", srv->text);
		goto out;
	}
	while (soas < 2) {
		rc = axfr_message(fd, srv, domain, deadline, id, &n, &soas, serial, err, errlen);
		if (rc < 0)
			goto out;
	}
	*count = n;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	ldns_rdf_deep_free(name);
	return rc;
}

static void pause_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One look at what srv serves for z: 0 matches, 1 not (yet), with why. */
static int verify_once(const struct dnsfile_server *srv, const char *label, int per_ms,
		       struct backend_zone *z, int *refused_logged, char *why, size_t whylen)
{
	int64_t serial = -1, aserial = -1;
	int rc, count = 0;

	rc = dnsfile_query_soa(srv, z->domain, per_ms, &serial, why, whylen);
	if (rc < 0)
		return 1;
	if (serial != z->serial) {
		snprintf(why, whylen, "%s serves serial %lld for %s, want %lld", srv->text,
			 (long long)serial, z->domain, (long long)z->serial);
		return 1;
	}
	if (z->records <= 0)
		return 0;
	rc = dnsfile_axfr_count(srv, z->domain, per_ms, &count, &aserial, why, whylen);
	if (rc == DADNS_EPERM) {
		if (!*refused_logged)
			log_debug("%s: %s refuses AXFR of %s: checked the serial only", label,
				  srv->text, z->domain);
		*refused_logged = 1;
		return 0;
	}
	if (rc < 0)
		return 1;
	if (aserial == z->serial && count == z->records)
		return 0;
	snprintf(why, whylen, "%s serves %d records at serial %lld for %s, want %d at %lld",
		 srv->text, count, (long long)aserial, z->domain, z->records, (long long)z->serial);
	return 1;
}

int64_t dnsfile_verify_deadline(int timeout_s)
{
	int64_t limit = timeout_s > 0 ? (int64_t)timeout_s * 1000 : DNSFILE_VERIFY_MAX_MS;

	return util_mono_ms() + (limit < DNSFILE_VERIFY_MAX_MS ? limit : DNSFILE_VERIFY_MAX_MS);
}

int dnsfile_verify(const struct dnsfile_server *srv, const char *label, int64_t deadline,
		   struct backend_zone *z)
{
	int64_t start = util_mono_ms();
	char why[BACKEND_ERR_MAX];
	int refused_logged = 0, tries = 0, pause;

	for (;;) {
		int64_t left = deadline - util_mono_ms();
		int per = left > 1000 ? 1000 : left < 500 ? 500 : (int)left;

		tries++;
		if (verify_once(srv, label, per, z, &refused_logged, why, sizeof(why)) == 0) {
			if (tries > 1)
				log_debug("%s: %s served after %lld ms", label, z->domain,
					  (long long)(util_mono_ms() - start));
			return 0;
		}
		/* 5, 10, 20, then 50 ms: a server is mostly a few ms from serving
		 * the new zone when the first look misses it, and this thread
		 * holds the backend's next batch while it waits. */
		pause = tries >= 4 ? VERIFY_PAUSE_MS : 5 << (tries - 1);
		if (util_mono_ms() + pause >= deadline)
			break;
		pause_ms(pause);
	}
	dnsfile_zone_fail(z, DADNS_ETEMPFAIL, "%s: verify failed (%d checks in %lld ms): %s", label,
			  tries, (long long)(util_mono_ms() - start), why);
	return DADNS_ETEMPFAIL;
}

int dnsfile_exists(const struct dnsfile_server *srv, const char *label, const char *domain)
{
	char why[256];
	int64_t serial;
	int rc;

	rc = dnsfile_query_soa(srv, domain, 1000, &serial, why, sizeof(why));
	if (rc == 0)
		return 1;
	if (rc == DADNS_ENOENT)
		return 0;
	/* Not answering: what it serves cannot be told (the files dadns
	 * wrote say nothing about what the server has loaded). */
	log_debug("%s: %s: %s", label, domain, why);
	return rc < 0 ? rc : DADNS_EIO;
}
