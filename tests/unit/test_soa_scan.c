/* SPDX-License-Identifier: BSD-3-Clause */
/* test_soa_scan.c -- the SOA answer parser against hostile answers, and the scanner against a
 * hostile server on loopback (spoofed ids, wrong questions, garbage, truncation, silence) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "lib/backends/dnsfile.h"
#include "lib/log.h"
#include "lib/soa_scan.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

/* An answer to "qname IN qtype" as wire into out (at most 4096); its length. */
static size_t mkans(uint8_t *out, uint16_t id, const char *qname, ldns_rr_type qtype,
		    ldns_pkt_rcode rcode, int aa, int tc, const char *soa_owner, uint32_t serial)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *q = ldns_rr_new();
	uint8_t *wire = NULL;
	size_t len = 0;

	ldns_rr_set_owner(q, ldns_dname_new_frm_str(qname));
	ldns_rr_set_type(q, qtype);
	ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
	ldns_rr_set_question(q, true);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, q);
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, aa);
	ldns_pkt_set_tc(p, tc);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	if (soa_owner) {
		char buf[512];
		ldns_rr *soa = NULL;

		snprintf(buf, sizeof(buf), "%s 3600 IN SOA ns1.%s hostmaster.%s %u 3600 600 86400 300",
			 soa_owner, soa_owner, soa_owner, serial);
		if (ldns_rr_new_frm_str(&soa, buf, 0, NULL, NULL) == LDNS_STATUS_OK)
			ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, soa);
	}
	if (ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK || len > 4096)
		len = 0;
	else
		memcpy(out, wire, len);
	LDNS_FREE(wire);
	ldns_pkt_free(p);
	return len;
}

static void test_parser(void)
{
	uint8_t w[4096], junk[64];
	int64_t serial = -1;
	size_t n, i;

	n = mkans(w, 4242, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, "a.test.", 2024010101);
	is_int(dnsfile_soa_answer(w, n, 4242, "a.test", &serial), DNSFILE_SOA_SERIAL, "good answer");
	ok(serial == 2024010101, "its serial");
	is_int(dnsfile_soa_answer(w, n, 4242, "A.TEST.", &serial), DNSFILE_SOA_SERIAL,
	       "names compare without case, trailing dot or not");
	n = mkans(w, 1, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, "a.test.", 4294967295u);
	is_int(dnsfile_soa_answer(w, n, 1, "a.test", &serial), DNSFILE_SOA_SERIAL, "serial 2^32-1");
	ok(serial == 4294967295LL, "kept whole");

	/* spoofed, or the answer to something else: ignored */
	serial = -1;
	n = mkans(w, 4243, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, "a.test.", 7);
	is_int(dnsfile_soa_answer(w, n, 4242, "a.test", &serial), DNSFILE_SOA_NOT_OURS, "wrong id");
	n = mkans(w, 4242, "b.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, "b.test.", 7);
	is_int(dnsfile_soa_answer(w, n, 4242, "a.test", &serial), DNSFILE_SOA_NOT_OURS, "wrong question name");
	n = mkans(w, 4242, "a.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, 1, 0, "a.test.", 7);
	is_int(dnsfile_soa_answer(w, n, 4242, "a.test", &serial), DNSFILE_SOA_NOT_OURS, "wrong question type");
	n = mkans(w, 4242, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, "a.test.", 7);
	w[2] &= (uint8_t)~0x80;  /* QR off: a query, not an answer */
	is_int(dnsfile_soa_answer(w, n, 4242, "a.test", &serial), DNSFILE_SOA_NOT_OURS, "a query, not an answer");
	w[2] |= 0x80;
	w[2] = (uint8_t)((w[2] & ~0x78) | (4 << 3));  /* opcode NOTIFY */
	is_int(dnsfile_soa_answer(w, n, 4242, "a.test", &serial), DNSFILE_SOA_NOT_OURS, "opcode NOTIFY");
	n = mkans(w, 4242, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, "a.test.", 7);
	w[5] = 2;  /* qdcount 2 with one question: does not parse */
	ok(dnsfile_soa_answer(w, n, 4242, "a.test", &serial) >= DNSFILE_SOA_NOT_OURS, "qdcount 2 refused");
	ok(serial == -1, "no serial taken from any of them");

	/* not served there */
	n = mkans(w, 9, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_REFUSED, 0, 0, NULL, 0);
	is_int(dnsfile_soa_answer(w, n, 9, "a.test", &serial), DNSFILE_SOA_REFUSED, "REFUSED");
	n = mkans(w, 9, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NXDOMAIN, 1, 0, NULL, 0);
	is_int(dnsfile_soa_answer(w, n, 9, "a.test", &serial), DNSFILE_SOA_NXDOMAIN, "NXDOMAIN");
	n = mkans(w, 9, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOTAUTH, 0, 0, NULL, 0);
	is_int(dnsfile_soa_answer(w, n, 9, "a.test", &serial), DNSFILE_SOA_NXDOMAIN, "NOTAUTH");
	n = mkans(w, 9, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_SERVFAIL, 0, 0, NULL, 0);
	is_int(dnsfile_soa_answer(w, n, 9, "a.test", &serial), DNSFILE_SOA_SERVFAIL, "SERVFAIL");
	n = mkans(w, 9, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_FORMERR, 0, 0, NULL, 0);
	is_int(dnsfile_soa_answer(w, n, 9, "a.test", &serial), DNSFILE_SOA_NOAUTH, "FORMERR");
	n = mkans(w, 9, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 0, 0, "a.test.", 7);
	is_int(dnsfile_soa_answer(w, n, 9, "a.test", &serial), DNSFILE_SOA_NOAUTH, "SOA without AA");
	n = mkans(w, 9, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, "test.", 7);
	is_int(dnsfile_soa_answer(w, n, 9, "a.test", &serial), DNSFILE_SOA_NOAUTH, "the parent's SOA");
	n = mkans(w, 9, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, NULL, 0);
	is_int(dnsfile_soa_answer(w, n, 9, "a.test", &serial), DNSFILE_SOA_NOAUTH, "empty answer");
	ok(serial == -1, "still no serial");

	/* truncated, cut, garbage */
	n = mkans(w, 9, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 1, NULL, 0);
	is_int(dnsfile_soa_answer(w, n, 9, "a.test", &serial), DNSFILE_SOA_TRUNCATED, "TC: truncated");
	n = mkans(w, 9, "a.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, "a.test.", 7);
	for (i = 0; i < n; i++)
		if (dnsfile_soa_answer(w, i, 9, "a.test", &serial) == DNSFILE_SOA_SERIAL)
			break;
	ok(i == n, "no cut of a good answer (0..%zu octets) gives a serial", n - 1);
	is_int(dnsfile_soa_answer(NULL, 0, 9, "a.test", &serial), DNSFILE_SOA_GARBAGE, "nothing");
	is_int(dnsfile_soa_answer(w, 11, 9, "a.test", &serial), DNSFILE_SOA_GARBAGE, "11 octets");
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	junk[0] = 0;
	junk[1] = 9;
	junk[2] = 0x84;
	junk[3] = 0;
	ok(dnsfile_soa_answer(junk, sizeof(junk), 9, "a.test", &serial) >= DNSFILE_SOA_NOT_OURS,
	   "random octets with the right id and flags: ignored");
	is_int(dnsfile_soa_answer(w, n, 9, "not a name..", &serial), DNSFILE_SOA_GARBAGE,
	       "a zone name that is not one");
	ok(serial == -1, "no serial taken from any of them");
}

/* --- a hostile server -------------------------------------------------------------- */

struct hostile {
	int udp, tcp;
	int port;
	volatile int stop;
	long long queries;
};

static void reply_udp(struct hostile *h, const uint8_t *q, size_t qlen, struct sockaddr_in *from,
		      socklen_t fl)
{
	uint8_t w[4096];
	ldns_pkt *p = NULL;
	char *name;
	uint16_t id;
	size_t n;

	if (ldns_wire2pkt(&p, q, qlen) != LDNS_STATUS_OK)
		return;
	id = ldns_pkt_id(p);
	name = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0)));
	h->queries++;
	if (!strcmp(name, "silent.test.")) {
		/* never answers */
	} else if (!strcmp(name, "tc.test.")) {
		n = mkans(w, id, name, LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 1, NULL, 0);
		sendto(h->udp, w, n, 0, (struct sockaddr *)from, fl);
	} else if (!strcmp(name, "refused.test.")) {
		n = mkans(w, id, name, LDNS_RR_TYPE_SOA, LDNS_RCODE_REFUSED, 0, 0, NULL, 0);
		sendto(h->udp, w, n, 0, (struct sockaddr *)from, fl);
	} else {
		long serial = strtol(name + 1, NULL, 10);

		/* a spoofed id, the right id for another question, garbage, then the answer */
		n = mkans(w, (uint16_t)(id + 1), name, LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, name, 1);
		sendto(h->udp, w, n, 0, (struct sockaddr *)from, fl);
		n = mkans(w, id, "other.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, "other.test.", 2);
		sendto(h->udp, w, n, 0, (struct sockaddr *)from, fl);
		memset(w + 2, 0x85, 40);
		sendto(h->udp, w, 42, 0, (struct sockaddr *)from, fl);
		n = mkans(w, id, name, LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0, name, (uint32_t)serial);
		sendto(h->udp, w, n, 0, (struct sockaddr *)from, fl);
	}
	free(name);
	ldns_pkt_free(p);
}

/* TCP: one query per connection, answered with serial 777. */
static void reply_tcp(struct hostile *h)
{
	int fd = accept(h->tcp, NULL, NULL);
	uint8_t len[2], q[512], w[4096 + 2];
	ldns_pkt *p = NULL;
	size_t n;

	if (fd < 0)
		return;
	if (recv(fd, len, 2, MSG_WAITALL) == 2 && (size_t)((len[0] << 8) | len[1]) <= sizeof(q) &&
	    recv(fd, q, (size_t)((len[0] << 8) | len[1]), MSG_WAITALL) == ((len[0] << 8) | len[1]) &&
	    ldns_wire2pkt(&p, q, (size_t)((len[0] << 8) | len[1])) == LDNS_STATUS_OK) {
		n = mkans(w + 2, ldns_pkt_id(p), "tc.test.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1, 0,
			  "tc.test.", 777);
		w[0] = (uint8_t)(n >> 8);
		w[1] = (uint8_t)n;
		(void)send(fd, w, n + 2, 0);
	}
	ldns_pkt_free(p);
	close(fd);
}

static void *hostile_run(void *arg)
{
	struct hostile *h = arg;
	struct pollfd pfd[2] = { { .fd = h->udp, .events = POLLIN }, { .fd = h->tcp, .events = POLLIN } };
	uint8_t q[4096];

	while (!h->stop) {
		if (poll(pfd, 2, 50) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t len = recvfrom(h->udp, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);

			if (len > 0)
				reply_udp(h, q, (size_t)len, &from, fl);
		}
		if (pfd[1].revents & POLLIN)
			reply_tcp(h);
	}
	return NULL;
}

/* A UDP and a TCP socket on one loopback port: the UDP port is the
 * kernel's pick, which a TCP socket may hold already; try again then. */
static int hostile_start(struct hostile *h, pthread_t *t)
{
	for (int tries = 0; tries < 50; tries++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t al = sizeof(a);

		h->udp = socket(AF_INET, SOCK_DGRAM, 0);
		if (h->udp < 0 || bind(h->udp, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    getsockname(h->udp, (struct sockaddr *)&a, &al) < 0)
			return -1;
		h->port = ntohs(a.sin_port);
		h->tcp = socket(AF_INET, SOCK_STREAM, 0);
		if (h->tcp >= 0 && bind(h->tcp, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(h->tcp, 8) == 0)
			return pthread_create(t, NULL, hostile_run, h);
		close(h->udp);
		if (h->tcp >= 0)
			close(h->tcp);
	}
	return -1;
}

static void test_scan(void)
{
	struct hostile h = { 0 };
	struct soa_scan_stats stats = { 0 };
	struct soa_scan_opts o = { 64, 300, 2, 0 };
	struct dnsfile_server srv;
	struct soa_query q[1003];
	char names[1000][32], addr[64];
	pthread_t t;
	size_t i, good = 0;

	if (hostile_start(&h, &t) != 0) {
		ok(0, "hostile server started");
		return;
	}
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", h.port);
	is_int(dnsfile_server_parse(addr, &srv), 0, "server parsed");
	for (i = 0; i < 1000; i++) {
		snprintf(names[i], sizeof(names[i]), "z%zu.test", i + 1);
		q[i] = (struct soa_query){ .zone = names[i] };
	}
	q[1000] = (struct soa_query){ .zone = "silent.test" };
	q[1001] = (struct soa_query){ .zone = "tc.test" };
	q[1002] = (struct soa_query){ .zone = "refused.test" };
	o.deadline = util_mono_ms() + 20000;
	is_int(soa_scan(&srv, q, 1003, &o, &stats), 0, "scan of 1,003 zones");
	for (i = 0; i < 1000; i++)
		good += q[i].kind == DNSFILE_SOA_SERIAL && q[i].serial == (int64_t)(i + 1);
	ok(good == 1000, "every zone got its own serial through the spoofs and garbage (%zu)", good);
	is_int(q[1000].kind, SOA_SCAN_TIMEOUT, "a silent zone: timeout");
	is_int(q[1001].kind, DNSFILE_SOA_SERIAL, "truncated: asked again over TCP");
	ok(q[1001].serial == 777, "with the TCP answer's serial");
	is_int(q[1002].kind, DNSFILE_SOA_REFUSED, "refused");
	ok(stats.ignored >= 3000, "the spoofed, wrong and garbage datagrams were ignored (%lld)",
	   stats.ignored);
	ok(stats.tcp == 1, "one TCP query");
	ok(stats.sent >= 1004 && stats.sent <= 1003 * 2, "the silent zone was tried twice (%lld sent)",
	   stats.sent);
	h.stop = 1;
	pthread_join(t, NULL);
	close(h.udp);
	close(h.tcp);

	/* nobody there: every query times out within the deadline */
	o.deadline = util_mono_ms() + 5000;
	is_int(soa_scan(&srv, q, 10, &o, &stats), 0, "scan of a closed port");
	for (good = 0, i = 0; i < 10; i++)
		good += q[i].kind == SOA_SCAN_TIMEOUT;
	ok(good == 10, "nothing answered: every query timed out, none missing");
}

int main(void)
{
	log_init("test_soa_scan");
	log_set_level(LOG_LEVEL_ERR);
	test_parser();
	test_scan();
	return tap_done();
}
