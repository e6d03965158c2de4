/* SPDX-License-Identifier: BSD-3-Clause */
/* peer.h -- what dadns nodes tell each other: JSON of /internal/..., serial order, peer URLs
 *
 * Everything here is pure (no I/O, no log, no globals) so that it can be
 * fuzzed: a peer's answer is untrusted input. A document that is not the
 * expected JSON shape at the top, is larger than PEER_JSON_MAX, nests deeper
 * than PEER_JSON_DEPTH, holds more than PEER_JSON_VALUES values (counted
 * before parsing, which bounds memory) or PEER_LIST_MAX entries is refused
 * as a whole (DADNS_EPARSE / DADNS_E2BIG, err says why). A single entry of
 * a list that is malformed (a domain that is not a valid DNS name such as
 * "../x", a serial out of range, a wrong type, a bad owner) is left out and
 * counted in the list's skipped, with the first reason in skip_reason.
 *
 * Wire format (all times are milliseconds since the epoch, as integers):
 *   GET /internal/zones         [{"domain","serial","zone_updated_at","hostname","username"}...]
 *   GET /internal/zones?domain= {"domain","serial","zone_updated_at","hostname","username","zone_data"}
 *   GET /internal/tombstones    [{"domain","serial","deleted_at"}...]
 *   GET /internal/peers         ["https://node-b.example.net/", ...]
 */
#ifndef DADNS_PEER_H
#define DADNS_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/domain.h"

#define PEER_JSON_MAX     (64L * 1024 * 1024) /* octets of one answer */
#define PEER_JSON_DEPTH   4                   /* nesting of arrays/objects */
#define PEER_LIST_MAX     200000              /* entries of one list */
#define PEER_JSON_VALUES  (8 * PEER_LIST_MAX) /* values (commas + 1) of one answer */
#define PEER_URL_MAX      512
#define PEER_PEERS_MAX    256                 /* URLs kept from one peer list */
#define PEER_DISCOVERED_MAX 64                /* discovered peers a node records */
#define PEER_OWNER_MAX    254                 /* hostname buffer (253 + NUL) */
#define PEER_USERNAME_MAX 65                  /* username buffer (64 + NUL) */

/* One zone of GET /internal/zones (and the head of a single zone). */
struct peer_zone_entry {
	char domain[DOMAIN_MAX + 1];      /* normalized */
	int64_t serial;                   /* 0 .. 2^32-1 */
	int64_t updated_at;               /* ms since the epoch, >= 0 */
	char hostname[PEER_OWNER_MAX];    /* lower-case; "" when none */
	char username[PEER_USERNAME_MAX]; /* "" when none */
};

struct peer_zone_list {
	struct peer_zone_entry *v;
	size_t n;
	size_t skipped;
	char skip_reason[160];
};

/* GET /internal/zones?domain=D: the entry and its zone text. */
struct peer_zone {
	struct peer_zone_entry e;
	char *zone_data;                  /* NUL-terminated, owned */
	size_t zone_len;
};

struct peer_tombstone {
	char domain[DOMAIN_MAX + 1];
	int64_t serial;
	int64_t deleted_at;
};

struct peer_tombstone_list {
	struct peer_tombstone *v;
	size_t n;
	size_t skipped;
	char skip_reason[160];
};

/* Peer URLs, normalized by peer_url_normalize. */
struct peer_url_list {
	char **v;
	size_t n;
	size_t skipped;
	char skip_reason[160];
};

/* Parse len octets of body (need not be NUL-terminated) as the answer of
 * GET /internal/zones. Returns 0 with *out filled (caller calls
 * peer_zone_list_deinit; entries with a bad field are skipped and
 * counted), DADNS_E2BIG (too large, too deep, too many entries) or
 * DADNS_EPARSE (not JSON, not an array), with err set; on error *out is
 * empty (deinit is still allowed). */
int peer_parse_zone_list(const char *body, size_t len, struct peer_zone_list *out, char *err,
			 size_t errlen);
void peer_zone_list_deinit(struct peer_zone_list *l);

/* Parse the answer of GET /internal/zones?domain=D: one object with the
 * fields of a list entry plus zone_data (a string of at most max_zone
 * octets, no NUL). Every field must be valid: there is nothing to skip.
 * Returns 0 with *out filled (caller calls peer_zone_deinit), DADNS_E2BIG
 * or DADNS_EPARSE with err set and *out empty. */
int peer_parse_zone(const char *body, size_t len, size_t max_zone, struct peer_zone *out, char *err,
		    size_t errlen);
void peer_zone_deinit(struct peer_zone *z);

/* Parse the answer of GET /internal/tombstones, as peer_parse_zone_list. */
int peer_parse_tombstones(const char *body, size_t len, struct peer_tombstone_list *out, char *err,
			  size_t errlen);
void peer_tombstone_list_deinit(struct peer_tombstone_list *l);

/* Parse the answer of GET /internal/peers: an array of URL strings; each
 * kept in normal form (see peer_url_normalize), duplicates dropped, bad ones
 * skipped. Returns as peer_parse_zone_list; caller calls
 * peer_url_list_deinit. */
int peer_parse_peer_list(const char *body, size_t len, struct peer_url_list *out, char *err,
			 size_t errlen);
void peer_url_list_deinit(struct peer_url_list *l);

/* RFC 1982 serial number arithmetic (SERIAL_BITS = 32) on a and b
 * (0 .. 2^32-1): -1 when a < b, 0 equal, 1 when a > b, and
 * PEER_SERIAL_UNDEFINED when they are exactly 2^31 apart (the RFC leaves
 * that order undefined). Values outside the range compare undefined. */
#define PEER_SERIAL_UNDEFINED 2
int peer_serial_cmp(int64_t a, int64_t b);

/* Which of two versions of a zone is newer: by serial (RFC 1982), the
 * updated_at times breaking a tie (or an undefined serial order).
 * 1 when (sa, ua) is newer than (sb, ub), -1 when older, 0 the same. */
int peer_zone_newer(int64_t sa, int64_t ua, int64_t sb, int64_t ub);

/* Normalize a peer URL into out (PEER_URL_MAX): http:// or https://
 * (scheme lower-cased), a non-empty host, printable ASCII without blanks,
 * quotes, backslashes or '@' (no credentials in URLs), no query or
 * fragment; exactly one trailing '/'. Returns 0 or DADNS_EINVAL. */
int peer_url_normalize(const char *in, char out[PEER_URL_MAX]);

/* 1 when a discovered peer must never be asked at this address: unspecified
 * (0.0.0.0/8, ::), link-local (169.254.0.0/16 -- the cloud metadata
 * services --, fe80::/10), multicast or reserved (224.0.0.0/3, ff00::/8),
 * the AWS metadata address fd00:ec2::254, or an IPv4-mapped one of those.
 * family is AF_INET (addr: struct in_addr) or AF_INET6 (struct in6_addr);
 * another family is refused too. A peer named in the configuration is not
 * checked: the operator chose it. */
int peer_addr_forbidden(int family, const void *addr);

/* For a normalized URL a peer advertised: 0 when it may become a
 * discovered peer, DADNS_EPERM when its host is an address literal (also
 * the old forms "2852039166", "0xa9fea9fe") that peer_addr_forbidden
 * refuses. A host name is checked where it is resolved (peer_http). */
int peer_url_discoverable(const char *url);

/* The name a discovered peer gets in the peers table: its normalized URL
 * without the scheme and the trailing '/' ("10.0.0.2:2222",
 * "dns.example.net/dadns"). Returns 0 or DADNS_EINVAL (out too small). */
int peer_url_name(const char *url, char *out, size_t outlen);

#endif
