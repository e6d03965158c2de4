/* SPDX-License-Identifier: BSD-3-Clause */
/* knot.h -- what the knot backend's files share: knotd's control socket
 * (libknot's control API), DNSSEC record stripping, checking what is served
 * signed, and the DS of a served zone
 */
#ifndef DADNS_KNOT_H
#define DADNS_KNOT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/backends/backend.h"
#include "lib/backends/dnsfile.h"
#include "lib/util.h"

/* One connection to knotd's control socket: the commands of one batch go
 * over it, then it is closed (knotd serves one control connection at a
 * time). count: commands sent on it. */
#define KNOT_VERBS_MAX 8
struct knot_conn {
	void *ctl;            /* knot_ctl_t */
	unsigned count;
	struct {
		char name[16];
		unsigned n;
	} verb[KNOT_VERBS_MAX]; /* commands by name, in the order first sent */
	size_t n_verbs;
};

/* "conf-begin, conf-set x600, conf-commit" (the commands sent on c), into out. */
void knot_conn_verbs(const struct knot_conn *c, char *out, size_t outlen);

/* Connect to the socket at path; every read and write waits at most
 * timeout_ms. 0, or an error with err set (knotd's own words). */
int knot_conn_open(struct knot_conn *c, const char *path, int timeout_ms, char *err,
		   size_t errlen);
/* Say goodbye (END) and close; c may be unopened. */
void knot_conn_close(struct knot_conn *c);

/* One control command: cmd with its flags, the conf section/id/item/data
 * (conf-*), and zones: one data unit per zone (zone-*: "zone-reload a b").
 * Any field may be NULL. */
struct knot_cmd {
	const char *cmd;
	const char *flags;
	const char *section, *id, *item, *data;
	const char *const *zones;
	size_t n_zones;
};

/* Called for every data unit of the answer: zone (or NULL), the error knotd
 * reports (or NULL), and the unit's id/item/data fields. */
typedef void (*knot_reply_fn)(void *arg, const char *zone, const char *error, const char *id,
			      const char *item, const char *data);

/* Send cmd and read its answer (to the end of its block), calling fn (may
 * be NULL) per unit. Returns 0 when knotd reported no error; DADNS_EPERMFAIL
 * when it did (err: the first one, "zone: message" or "message"); a
 * negative errno or DADNS_EIO / DADNS_ETIMEDOUT when the socket failed
 * (err set). */
int knot_conn_cmd(struct knot_conn *c, const struct knot_cmd *cmd, knot_reply_fn fn, void *arg,
		  char *err, size_t errlen);

/* 1 when the type is one of the DNSSEC records a signing server makes
 * itself: RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY. */
int knot_dnssec_type(uint16_t type);

/* The zone text (as stored: validated) of domain without the DNSSEC records
 * knot_dnssec_type names, one record a line, SOA first. *out (caller frees)
 * and *records (left after stripping, SOA included). 0, or DADNS_EPARSE
 * with err set -- also when what is left does not read back as the same
 * records (a name ldns prints in a form the zone lexer refuses). */
int knot_strip_dnssec(const char *domain, const char *text, size_t len, char **out,
		      int *records, char *err, size_t errlen);

/* What srv serves for domain: *serial, *records (records that are not
 * DNSSEC ones, SOA once), *soa_signed (an RRSIG covering the SOA). 0, or
 * an error with err set (DADNS_EPERM: the transfer was refused). */
int knot_served(const struct dnsfile_server *srv, const char *domain, int timeout_ms,
		int64_t *serial, int *records, int *soa_signed, char *err, size_t errlen);

/* Is z served signed, at a serial >= z->serial, with z->records records?
 * Checks again until deadline (util_mono_ms) like dnsfile_verify. 0, or
 * DADNS_ETEMPFAIL with z->error set. */
int knot_verify_signed(const struct dnsfile_server *srv, const char *label, int64_t deadline,
		       struct backend_zone *z);

/* One DS record (digest type 2, SHA-256) of a served SEP key. */
struct knot_ds_rec {
	unsigned keytag;
	unsigned algorithm;
	char digest[65];   /* upper-case hex, as dnssec-dsfromkey prints it */
};
#define KNOT_DS_MAX 8

/* The DS records of the SEP keys (KSK/CSK) of the DNSKEY RRset srv serves
 * for domain into ds (at most KNOT_DS_MAX); *n gets how many. 0,
 * DADNS_ENOENT when there is none (err says why), another error otherwise. */
int knot_ds(const struct dnsfile_server *srv, const char *domain, int timeout_ms,
	    struct knot_ds_rec *ds, int *n, char *err, size_t errlen);

#endif
