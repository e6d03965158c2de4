/* SPDX-License-Identifier: BSD-3-Clause */
/* mysql_common.h -- MySQL connection and zone replacement for the MySQL backends */
#ifndef DADNS_MYSQL_COMMON_H
#define DADNS_MYSQL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "lib/backends/backend.h"
#include "lib/backends/rrconv.h"
#include "lib/config.h"

/* Where a backend type keeps its zones: table and column names (constants
 * of the backend, never input). The records table has the columns id,
 * <zone_id>, <name>, type, <data>, ttl and the ones listed below. */
struct mysql_layout {
	const char *type;            /* "coredns_mysql", for messages */
	enum rrconv_flavor flavor;
	int zone_dot;                /* zone names stored with the trailing dot */
	const char *zones;           /* "zones" | "domains" */
	const char *zone_name;       /* "zone_name" | "name" */
	const char *zone_cols;       /* extra columns set on insert: "" | ", type" */
	const char *zone_vals;       /* their values: "" | ", 'NATIVE'" */
	const char *records;         /* "records" */
	const char *zone_id;         /* "zone_id" | "domain_id" */
	const char *name;            /* "hostname" | "name" */
	const char *data;            /* "data" | "content" */
	const char *auth;            /* "online" | "auth" */
	int has_prio_disabled;       /* records has prio and disabled (PowerDNS) */
	const char *const *ddl;      /* CREATE TABLE IF NOT EXISTS ..., NULL-terminated */
	const char *const *zone_aux; /* tables with a <zone_id> column cleared on delete */
};

struct mysql_conn;

/* The ops of a MySQL backend type: open with its layout, and the ops
 * below put directly into its struct backend_ops. */

/* Check the connection settings of a [backend] section and set *state to a
 * new connection (nothing is connected yet; the first use connects and
 * creates the tables of layout when missing). cfg is kept, not copied: it
 * must outlive the connection. socket, when set, is used instead of host and
 * port; no username means the login name (unix_socket authentication).
 * Returns 0, or DADNS_EINVAL with err set when the section lacks database or
 * host/socket. Free with mysql_conn_close. The apply, exists and verify
 * functions below may be called from any thread; they take turns on the one
 * connection. */
int mysql_conn_open(const struct config_backend *cfg, const struct mysql_layout *layout, void **state,
		    char *err, size_t errlen);
/* backend_ops.close: disconnect and free a connection of mysql_conn_open. */
void mysql_conn_close(void *state);

/* Connect when not connected (connect/read/write timeouts and TLS from the
 * section), set up the session and create missing tables. 0, or
 * DADNS_ETEMPFAIL with err set. */
int mysql_conn_ensure(struct mysql_conn *c, char *err, size_t errlen);

/* Run one statement (its result, if any, is discarded). 0, or
 * DADNS_ETEMPFAIL (server unreachable, connection lost -- the connection is
 * then closed --, lock timeout, deadlock, ...) or DADNS_EPERMFAIL (the data
 * does not fit, e.g. a value too long for its column), with err set. */
int mysql_conn_exec(struct mysql_conn *c, const char *sql, char *err, size_t errlen);

/* 1 when the last failure lost the connection (a retry may succeed). */
int mysql_conn_lost(const struct mysql_conn *c);

/* Apply a batch: every zone with zone_text is made to hold exactly the
 * records of that text (one transaction per zone, so a reader sees the old
 * or the new zone, never a mix), every zone without is deleted. A zone that
 * failed on a lost connection is tried once more on a new connection; once
 * the server cannot be reached, the rest of the batch fails at once with
 * DADNS_ETEMPFAIL. Sets result and error of every zone. */
void mysql_zone_apply(void *state, struct backend_zone *zones, size_t n);

/* 1 when the database holds the zone (a zone row with an SOA record), 0
 * when not, DADNS_ETEMPFAIL when it cannot be asked. */
int mysql_zone_exists(void *state, const char *domain);

/* Compare the rows of z's zone with the records of z->zone_text (or, when
 * it is NULL, their number with z->records). Rows that do not belong
 * there are deleted and logged. 0 when the zone matches (serial and rows),
 * DADNS_ETEMPFAIL with z->error set when rows are missing, the serial
 * differs or the database cannot be asked, DADNS_EPERMFAIL when the zone
 * text cannot be read. */
int mysql_zone_verify(void *state, struct backend_zone *z);

#endif
