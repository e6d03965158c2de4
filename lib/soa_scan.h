/* SPDX-License-Identifier: BSD-3-Clause */
/* soa_scan.h -- ask one DNS server for the SOA serial of many zones at once
 *
 * One UDP socket connected to the server (the kernel drops datagrams from
 * any other address), up to `window` queries in flight, each with its own
 * random id; an answer counts only when dnsfile_soa_answer accepts it as
 * the answer to that id and question (anything else is ignored and the
 * query keeps waiting). A query unanswered after timeout_ms is sent again
 * with a new id, `tries` times in all; a truncated answer is asked again
 * over TCP. Everything ends by the deadline: what is left then is
 * SOA_SCAN_TIMEOUT.
 */
#ifndef DADNS_SOA_SCAN_H
#define DADNS_SOA_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/backends/dnsfile.h"

/* A query that got no answer (DNSFILE_SOA_* are the others). */
#define SOA_SCAN_TIMEOUT 100

struct soa_query {
	const char *zone;     /* not owned */
	int kind;             /* out: DNSFILE_SOA_SERIAL .. _NOAUTH, or SOA_SCAN_TIMEOUT */
	int64_t serial;       /* out: with DNSFILE_SOA_SERIAL */
};

struct soa_scan_opts {
	int window;           /* queries in flight at once (e.g. 256) */
	int timeout_ms;       /* per try */
	int tries;            /* sends per query before SOA_SCAN_TIMEOUT */
	int64_t deadline;     /* util_mono_ms() by which the scan stops */
};

/* What the scan saw, for logs and tests. */
struct soa_scan_stats {
	long long sent;       /* UDP queries sent, retries included */
	long long ignored;    /* datagrams refused (wrong id or question, garbage) */
	long long tcp;        /* queries asked again over TCP (truncated) */
	long long answered;   /* queries with an answer (any kind) */
};

/* Ask srv for the SOA of each of the n queries; sets each kind (and
 * serial). Returns 0, or a negative errno when no socket could be had
 * (then every kind is SOA_SCAN_TIMEOUT). stats may be NULL. */
int soa_scan(const struct dnsfile_server *srv, struct soa_query *q, size_t n,
	     const struct soa_scan_opts *o, struct soa_scan_stats *stats);

#endif
