/* SPDX-License-Identifier: BSD-3-Clause */
/* peer_http.h -- GET a peer's /internal/... with libcurl: Basic auth, TLS, size and time limits */
#ifndef DADNS_PEER_HTTP_H
#define DADNS_PEER_HTTP_H

#include <stddef.h>

#define PEER_HTTP_ANNOUNCE_HEADER "X-Dadns-Peer-Url"

/* Where and how to ask one peer. */
struct peer_target {
	const char *url;          /* normalized, ends in '/' */
	const char *username;
	const char *password;
	int verify_ssl;
	const char *ca_file;      /* NULL or "" = the system's */
	const char *announce;     /* NULL, or this node's URL, sent as PEER_HTTP_ANNOUNCE_HEADER */
	int connect_timeout_s;
	int timeout_s;            /* the whole request */
	int discovered;           /* a peer another peer named: no connection to an
				   * address peer_addr_forbidden refuses */
};

/* Call once at program start, before any thread; 0 or DADNS_EIO. */
int peer_http_global_init(void);
void peer_http_global_cleanup(void);

/* GET t->url + path (path has no leading '/', e.g. "internal/zones").
 * No redirects are followed. The answer is read up to max octets: a larger
 * one (by Content-Length or as it comes) is abandoned with DADNS_E2BIG.
 * Returns 0 when the peer answered 200 (*body NUL-terminated, caller
 * frees; *len its length), DADNS_ENOENT for 404, DADNS_EPERM for 401/403,
 * DADNS_EIO for another status or a transport error, DADNS_ETIMEDOUT; err
 * says why (no credentials in it). */
int peer_http_get(const struct peer_target *t, const char *path, size_t max, char **body, size_t *len,
		  char *err, size_t errlen);

#endif
