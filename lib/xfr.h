/* SPDX-License-Identifier: BSD-3-Clause */
/* xfr.h -- a primary's transfer settings: [backend] notify, allow_transfer, tsig_key
 *
 *   notify         = ADDR[@PORT] ...   secondaries sent a NOTIFY on every change
 *                                      (IPv6 as ::1 or [::1]@5300; port 53 by default)
 *   allow_transfer = [nokey:]ADDR[/LEN] ...  who may AXFR/IXFR (with tsig_key: and
 *                                      must sign, except the items marked nokey: --
 *                                      for a secondary that cannot sign, e.g. the
 *                                      member zones of a PowerDNS 4.7 consumer)
 *   tsig_key       = NAME              a [tsig NAME]: transfers and NOTIFY signed
 * Items are separated by spaces or commas. Rendered per zone for the NSD
 * include file (notify:, provide-xfr:) and the BIND include file
 * (also-notify, allow-transfer), and the key statements for a file of
 * their own (mode 0640). */
#ifndef DADNS_XFR_H
#define DADNS_XFR_H

#include <stddef.h>

#include "lib/config.h"

#define XFR_MAX_ITEMS 64

struct xfr_addr {
	char addr[46];      /* numeric, as inet_ntop writes it */
	int v6;
	int port;           /* notify: 1-65535 */
	int prefix;         /* allow_transfer: 0-32 / 0-128 */
	int nokey;          /* allow_transfer: unsigned transfers allowed even with a key */
};

struct xfr_conf {
	struct xfr_addr notify[XFR_MAX_ITEMS];
	size_t n_notify;
	struct xfr_addr allow[XFR_MAX_ITEMS];
	size_t n_allow;
	const struct config_tsig *key;   /* NULL: none */
};

/* Parse "ADDR[@PORT] ..." into x->notify. 0 or DADNS_EINVAL with err
 * naming the bad item. */
int xfr_parse_notify(const char *s, struct xfr_conf *x, char *err, size_t errlen);
/* Parse "ADDR[/LEN] ..." into x->allow. 0 or DADNS_EINVAL with err. */
int xfr_parse_allow(const char *s, struct xfr_conf *x, char *err, size_t errlen);
/* A name usable as a key name in nsd.conf and named.conf: 1 or 0. */
int xfr_key_name_ok(const char *name);

/* All three keys of backend b (b->tsig: tsig_key as config_load resolved
 * it). 0 or DADNS_EINVAL with err ("notify: ..."). x->key is NULL when
 * tsig_key is empty. */
int xfr_conf_load(const struct config_backend *b, struct xfr_conf *x, char *err, size_t errlen);
/* Anything set? */
int xfr_conf_any(const struct xfr_conf *x);

/* Per-zone lines for an NSD zone: stanza ("\tnotify: ...\n\tprovide-xfr: ...\n").
 * Caller frees. */
char *xfr_render_nsd(const struct xfr_conf *x);
/* Per-zone statements for a BIND zone { } (" notify yes; also-notify {...};
 * allow-transfer {...};"). Caller frees. */
char *xfr_render_bind(const struct xfr_conf *x);
/* The key statement of x->key for nsd.conf (nsd != 0) or named.conf;
 * NULL when no key. Caller wipes (it holds the secret) and frees. */
char *xfr_render_key(const struct xfr_conf *x, int nsd);

#endif
