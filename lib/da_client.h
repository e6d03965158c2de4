/* SPDX-License-Identifier: BSD-3-Clause */
/* da_client.h -- which zones a DirectAdmin server has: the HTTP client and the list parser
 *
 * A DirectAdmin server is asked GET /CMD_DNS_ADMIN?json=yes&page=N&ipp=K
 * (HTTP Basic auth; DA "Evolution" answers Basic auth with a redirect, and
 * then a POST /CMD_LOGIN session cookie is used). Every page is read
 * (info.total_pages). Anything that is not a complete domain list -- an
 * HTML page, a 3xx/4xx/5xx, a timeout, a refused connection, a JSON error
 * object -- is an error, never "no domains": the caller must then leave
 * that server's zones alone.
 */
#ifndef DADNS_DA_CLIENT_H
#define DADNS_DA_CLIENT_H

#include <stddef.h>

#include "lib/config.h"

#define DA_LIST_MAX_BODY    (64u * 1024 * 1024)  /* octets of one answer (one page) */
#define DA_LIST_MAX_DOMAINS 1000000              /* domains in one list (all pages) */
#define DA_LIST_MAX_DEPTH   16                   /* nesting of a JSON answer */
#define DA_LIST_MAX_PAGES   10000                /* info.total_pages */

/* The domains of one server, normalized (lib/domain.h), in the order read;
 * a domain listed twice is kept twice (da_list_sort_unique removes them). */
struct da_list {
	char **domains;       /* n heap strings */
	size_t n;
	size_t cap;
	size_t invalid;       /* entries skipped: not a valid domain name, wrong type */
	int total_pages;      /* info.total_pages of the last JSON page parsed; 0: none given */
};

void da_list_init(struct da_list *l);
/* Frees every domain; l may be reused after da_list_init. Accepts NULL. */
void da_list_deinit(struct da_list *l);
/* Sort the domains and drop duplicates (for da_list_has). */
void da_list_sort_unique(struct da_list *l);
/* 1 when domain (normalized) is in l, which da_list_sort_unique sorted; else 0. */
int da_list_has(const struct da_list *l, const char *domain);

/* Parse one answer body of len octets (need not be NUL-terminated; may hold
 * NUL bytes) and APPEND its domains to out. Pure: no I/O, no logging.
 * Accepted forms:
 *   - JSON (first non-blank octet '{' or '['): an object whose rows are
 *     objects with a string "domain" (DA's CMD_DNS_ADMIN: keys "0", "1", ...),
 *     plus "info": {"total_pages": N} (number or numeric string); or an array
 *     of such rows or of strings. Other keys are ignored. An object with a
 *     non-empty "error" (other than 0/"0"/false) is a DA error.
 *   - the legacy form "list[]=a.com&list[]=b.com" (pairs separated by '&' or
 *     line breaks, URL-encoded; "list" is accepted for "list[]"); an answer
 *     "error=1&text=..." is a DA error; other keys are ignored, but an answer
 *     with no list key at all is not a list.
 * Not a list: an empty answer, HTML (first octet '<'), anything else.
 * Bounds: len <= DA_LIST_MAX_BODY, JSON nesting <= DA_LIST_MAX_DEPTH,
 * out->n <= DA_LIST_MAX_DOMAINS, total_pages <= DA_LIST_MAX_PAGES.
 * Entries that are not valid domain names (or not strings) are skipped and
 * counted in out->invalid.
 * Returns 0; DADNS_EPARSE (not a list, or a DA error) or DADNS_E2BIG (a
 * bound) with err set -- then out holds what it held before the call. */
int da_list_parse(const char *body, size_t len, struct da_list *out, char *err, size_t errlen);

/* How one DirectAdmin server is asked. */
struct da_client_opts {
	int ipp;                  /* rows per page ([reconcile] ipp) */
	int connect_timeout_s;    /* TCP+TLS connect */
	int timeout_s;            /* one whole request */
};

/* Fetch every page of the domain list of da into out (appended; caller
 * calls da_list_deinit). Needs curl_global_init done by the program.
 * Returns 0, or DADNS_EIO (unreachable: connection, TLS, timeout, HTTP
 * status, HTML, login refused), DADNS_EPARSE or DADNS_E2BIG, with err set;
 * on error out may hold part of the list and must not be used. */
int da_client_list(const struct config_directadmin *da, const struct da_client_opts *opts,
		   struct da_list *out, char *err, size_t errlen);

#endif
