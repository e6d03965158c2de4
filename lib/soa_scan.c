/* SPDX-License-Identifier: BSD-3-Clause */
/* soa_scan.c -- SOA serials of many zones from one server: UDP queries in flight at once */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "lib/soa_scan.h"
#include "lib/util.h"

#define ID_SPACE 65536
#define RECV_BURST 1024

struct slot {
	size_t i;        /* index in q */
	uint16_t id;
	int tries;       /* sends so far */
	int64_t due;     /* util_mono_ms() when it is given up or sent again */
};

struct scan {
	const struct dnsfile_server *srv;
	struct soa_query *q;
	size_t n, next, done;
	const struct soa_scan_opts *o;
	struct soa_scan_stats *st;
	int fd;
	int32_t *owner;  /* query id -> position in fl, -1 when free */
	struct slot *fl; /* in flight */
	size_t nfl;
	size_t *tcp;     /* queries truncated over UDP */
	size_t ntcp;
	uint8_t *buf;
};

/* The query "zone IN SOA", id, no recursion, as wire; NULL on failure.
 * Caller frees with ldns_buffer_free. */
static ldns_buffer *query_wire(const char *zone, uint16_t id)
{
	ldns_rdf *name = ldns_dname_new_frm_str(zone);
	ldns_pkt *p = NULL;
	ldns_buffer *b = NULL;

	if (name)
		p = ldns_pkt_query_new(name, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0);
	else
		return NULL;
	if (!p) {
		ldns_rdf_deep_free(name);
		return NULL;
	}
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_rd(p, false);
	b = ldns_buffer_new(LDNS_MIN_BUFLEN);
	if (b && ldns_pkt2buffer_wire(b, p) != LDNS_STATUS_OK) {
		ldns_buffer_free(b);
		b = NULL;
	}
	ldns_pkt_free(p);
	return b;
}

static void finish(struct scan *sc, size_t i, int kind, int64_t serial)
{
	sc->q[i].kind = kind;
	sc->q[i].serial = kind == DNSFILE_SOA_SERIAL ? serial : 0;
	sc->done++;
	if (kind != SOA_SCAN_TIMEOUT && sc->st)
		sc->st->answered++;
}

/* Take slot pos out of flight (the last one moves into its place). */
static void slot_drop(struct scan *sc, size_t pos)
{
	sc->owner[sc->fl[pos].id] = -1;
	sc->fl[pos] = sc->fl[--sc->nfl];
	if (pos < sc->nfl)
		sc->owner[sc->fl[pos].id] = (int32_t)pos;
}

/* Send (again) the query of slot pos with a fresh id. A send the kernel
 * refuses (an ICMP error of an earlier datagram, a full buffer) counts as
 * sent: its try runs out like a lost one. */
static void slot_send(struct scan *sc, size_t pos, int64_t now)
{
	struct slot *s = &sc->fl[pos];
	ldns_buffer *b;
	uint16_t id;

	if (s->tries > 0)
		sc->owner[s->id] = -1;
	do
		id = ldns_get_random();
	while (sc->owner[id] >= 0);
	s->id = id;
	sc->owner[id] = (int32_t)pos;
	s->tries++;
	s->due = now + sc->o->timeout_ms;
	b = query_wire(sc->q[s->i].zone, id);
	if (b) {
		(void)send(sc->fd, ldns_buffer_begin(b), ldns_buffer_position(b), MSG_DONTWAIT);
		ldns_buffer_free(b);
	}
	if (sc->st)
		sc->st->sent++;
}

static void fill(struct scan *sc, int64_t now)
{
	while (sc->nfl < (size_t)sc->o->window && sc->next < sc->n) {
		size_t pos = sc->nfl++;

		sc->fl[pos] = (struct slot){ .i = sc->next++ };
		slot_send(sc, pos, now);
	}
}

/* Send again, or give up, every query whose try ran out. */
static void expire(struct scan *sc, int64_t now)
{
	size_t pos = 0;

	while (pos < sc->nfl) {
		if (sc->fl[pos].due > now) {
			pos++;
		} else if (sc->fl[pos].tries < sc->o->tries) {
			slot_send(sc, pos, now);
			pos++;
		} else {
			finish(sc, sc->fl[pos].i, SOA_SCAN_TIMEOUT, 0);
			slot_drop(sc, pos);
		}
	}
}

/* One datagram: the answer of a query in flight, or ignored. */
static void take(struct scan *sc, size_t len)
{
	int64_t serial = 0;
	uint16_t id;
	int32_t pos;
	size_t i;
	int kind;

	if (len < 2)
		goto ignored;
	id = (uint16_t)((sc->buf[0] << 8) | sc->buf[1]);
	pos = sc->owner[id];
	if (pos < 0)
		goto ignored;
	i = sc->fl[pos].i;
	kind = dnsfile_soa_answer(sc->buf, len, id, sc->q[i].zone, &serial);
	if (kind == DNSFILE_SOA_NOT_OURS || kind == DNSFILE_SOA_GARBAGE)
		goto ignored;
	slot_drop(sc, (size_t)pos);
	if (kind == DNSFILE_SOA_TRUNCATED) {
		sc->tcp[sc->ntcp++] = i;
		return;
	}
	finish(sc, i, kind, serial);
	return;
ignored:
	if (sc->st)
		sc->st->ignored++;
}

static void drain(struct scan *sc)
{
	int k;

	for (k = 0; k < RECV_BURST; k++) {
		ssize_t len = recv(sc->fd, sc->buf, 65535, MSG_DONTWAIT);

		if (len < 0) {
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;  /* ICMP port unreachable: no answer, the try runs out */
			return;
		}
		take(sc, (size_t)len);
	}
}

static int next_wait(const struct scan *sc, int64_t now)
{
	int64_t due = sc->o->deadline;
	size_t pos;

	for (pos = 0; pos < sc->nfl; pos++)
		if (sc->fl[pos].due < due)
			due = sc->fl[pos].due;
	due -= now;
	return due < 1 ? 1 : due > 1000 ? 1000 : (int)due;
}

/* One query over TCP: a DNSFILE_SOA_* kind, SOA_SCAN_TIMEOUT when it got
 * no usable answer by the deadline. */
static int tcp_query(const struct dnsfile_server *srv, const char *zone, int64_t deadline,
		     int64_t *serial)
{
	int64_t left = deadline - util_mono_ms();
	struct timeval tv;
	uint16_t id = ldns_get_random();
	ldns_buffer *b = NULL;
	uint8_t *wire = NULL;
	size_t size = 0;
	int fd = -1, kind = SOA_SCAN_TIMEOUT;

	if (left < 1)
		return kind;
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	b = query_wire(zone, id);
	if (b)
		fd = ldns_tcp_connect2(&srv->ss, srv->sslen, tv);
	if (fd >= 0 && ldns_tcp_send_query(b, fd, &srv->ss, srv->sslen) > 0)
		wire = ldns_tcp_read_wire_timeout(fd, &size, tv);
	if (wire)
		kind = dnsfile_soa_answer(wire, size, id, zone, serial);
	if (kind == DNSFILE_SOA_NOT_OURS || kind == DNSFILE_SOA_GARBAGE ||
	    kind == DNSFILE_SOA_TRUNCATED)
		kind = SOA_SCAN_TIMEOUT;
	LDNS_FREE(wire);
	if (fd >= 0)
		close(fd);
	ldns_buffer_free(b);
	return kind;
}

static void run(struct scan *sc)
{
	struct pollfd pfd = { .fd = sc->fd, .events = POLLIN };
	int64_t now;

	for (;;) {
		now = util_mono_ms();
		if (now >= sc->o->deadline)
			break;
		expire(sc, now);
		fill(sc, now);
		if (sc->nfl == 0)
			break;
		pfd.revents = 0;
		if (poll(&pfd, 1, next_wait(sc, now)) > 0)
			drain(sc);
	}
}

static int scan_open(const struct dnsfile_server *srv)
{
	int fd = socket(srv->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&srv->ss, srv->sslen) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int soa_scan(const struct dnsfile_server *srv, struct soa_query *q, size_t n,
	     const struct soa_scan_opts *o, struct soa_scan_stats *stats)
{
	struct scan sc = { .srv = srv, .q = q, .n = n, .o = o, .st = stats };
	size_t i;

	for (i = 0; i < n; i++)
		q[i].kind = SOA_SCAN_TIMEOUT;
	sc.fd = scan_open(srv);
	if (sc.fd < 0)
		return sc.fd;
	sc.owner = xcalloc(ID_SPACE, sizeof(*sc.owner));
	memset(sc.owner, 0xff, ID_SPACE * sizeof(*sc.owner));  /* -1 everywhere */
	sc.fl = xcalloc((size_t)(o->window > 0 ? o->window : 1), sizeof(*sc.fl));
	sc.tcp = xcalloc(n ? n : 1, sizeof(*sc.tcp));
	sc.buf = xcalloc(1, 65536);
	run(&sc);
	close(sc.fd);
	for (i = 0; i < sc.ntcp; i++) {
		int64_t serial = 0;
		int kind = tcp_query(srv, q[sc.tcp[i]].zone, o->deadline, &serial);

		q[sc.tcp[i]].kind = kind;
		q[sc.tcp[i]].serial = kind == DNSFILE_SOA_SERIAL ? serial : 0;
		if (stats) {
			stats->tcp++;
			stats->answered += kind != SOA_SCAN_TIMEOUT;
		}
	}
	free(sc.buf);
	free(sc.tcp);
	free(sc.fl);
	free(sc.owner);
	return 0;
}
