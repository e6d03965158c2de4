/* SPDX-License-Identifier: BSD-3-Clause */
/* rrconv.h -- parsed zone records (libldns) to MySQL rows for CoreDNS and PowerDNS */
#ifndef DADNS_RRCONV_H
#define DADNS_RRCONV_H

#include <stddef.h>
#include <stdint.h>
#include <ldns/ldns.h>

/*
 * Row formats (the evidence is in the comment at the top of rrconv.c):
 *
 * RRCONV_COREDNS, table records of the coredns_mysql_extend plugin:
 *   name  hostname relative to the zone, lower case: "@" for the apex,
 *         "www", "*", "_dmarc", "x._domainkey"
 *   type  "A", "MX", ...
 *   data  the rdata in presentation format, every name absolute and
 *         dot-terminated ("10 mail.example.com.", "10 60 5060 sip.example.com.",
 *         "ns1.example.com. hostmaster.example.com. 1 2 3 4 5"); TXT keeps its
 *         quoting ("\"v=spf1 a mx ~all\"", "\"a\" \"b\"")
 *   prio  0; auth 1 (the column online)
 *
 * RRCONV_POWERDNS, PowerDNS generic SQL schema (gmysql):
 *   name  absolute, lower case, no trailing dot ("www.example.com")
 *   data  content: names without trailing dot; MX and SRV without their
 *         priority, which goes to prio ("mail.example.com" prio 10;
 *         "60 5060 sip.example.com" prio 10)
 *   auth  1, or 0 for the NS set of a delegation and anything below one
 *         (DS at a delegation stays 1)
 *   Empty non-terminals (e.g. "_tcp.example.com" under "_sip._tcp") get a
 *   row with type and data NULL, as `pdnsutil rectify-zone` writes them,
 *   so that the wildcard does not match them.
 */
enum rrconv_flavor { RRCONV_COREDNS, RRCONV_POWERDNS };

struct rrconv_row {
	int64_t id;   /* database id of a row read back; 0 for a wanted row */
	char *name;
	char *type;   /* NULL: PowerDNS empty non-terminal */
	char *data;   /* NULL: PowerDNS empty non-terminal */
	int64_t ttl;
	int prio;
	int auth;     /* coredns: the column online */
};

struct rrconv_rows {
	struct rrconv_row *v;
	size_t n;
	size_t cap;
};

void rrconv_rows_init(struct rrconv_rows *rows);
void rrconv_rows_deinit(struct rrconv_rows *rows);
/* Append a row; the strings are copied (type and data may be NULL). */
void rrconv_rows_add(struct rrconv_rows *rows, int64_t id, const char *name, const char *type,
		     const char *data, int64_t ttl, int prio, int auth);

/* Convert one record of the zone whose apex is origin (an ldns dname).
 * Fills *out (strings owned by out; free with rrconv_row_deinit).
 * auth is set to 1. Returns 0, or DADNS_EPARSE with err set for a record
 * outside the zone, of a class other than IN, or whose rdata ldns cannot
 * print. */
int rrconv_rr(enum rrconv_flavor fl, const ldns_rdf *origin, const ldns_rr *rr,
	      struct rrconv_row *out, char *err, size_t errlen);
void rrconv_row_deinit(struct rrconv_row *row);

/* Convert every record of a parsed zone (zone_parse) for domain (no
 * trailing dot). Exact duplicates are dropped (a DNS server holds an RR
 * once). For RRCONV_POWERDNS the auth flags and empty non-terminals are
 * added. *out must be initialised; rows are appended in file order.
 * *serial (may be NULL) gets the SOA serial, -1 without an SOA.
 * Returns 0 or DADNS_EPARSE with err set. */
int rrconv_zone(enum rrconv_flavor fl, const char *domain, const ldns_rr_list *rrs,
		struct rrconv_rows *out, int64_t *serial, char *err, size_t errlen);

/* Total order on rows (name, type, data, ttl, prio, auth; the id is
 * ignored; NULL sorts first). */
int rrconv_row_cmp(const struct rrconv_row *a, const struct rrconv_row *b);
void rrconv_rows_sort(struct rrconv_rows *rows);

/* Records among rows (empty non-terminals not counted). */
size_t rrconv_rows_records(const struct rrconv_rows *rows);

/* The serial in the SOA row of rows, or -1 when there is none or it
 * cannot be read. */
int64_t rrconv_rows_serial(const struct rrconv_rows *rows);

/* Compare the wanted rows with the rows a database holds; both sorted by
 * rrconv_rows_sort. Rows of have that match no wanted row (also a second
 * copy of a wanted row) are extra: their ids are stored in *extra (a new
 * array, caller frees; NULL when there are none), their number in
 * *n_extra. When missing is not NULL, *missing gets a new array (caller
 * frees; NULL when none) of the indices in want of the rows have lacks.
 * Returns the number of wanted rows missing from have. */
size_t rrconv_diff(const struct rrconv_rows *want, const struct rrconv_rows *have,
		   int64_t **extra, size_t *n_extra, size_t **missing);

#endif
