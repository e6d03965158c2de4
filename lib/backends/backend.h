/* SPDX-License-Identifier: BSD-3-Clause */
/* backend.h -- what a backend type provides to the worker */
#ifndef DADNS_BACKEND_H
#define DADNS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "lib/config.h"

#define BACKEND_ERR_MAX 512

/* One domain of a batch. The worker fills domain, zone_text (NULL = the zone
 * is absent from the desired state: delete it), serial and records; the
 * backend fills result (0, DADNS_ETEMPFAIL or DADNS_EPERMFAIL) and error. */
struct backend_zone {
	const char *domain;
	const char *zone_text;
	size_t zone_len;
	int64_t serial;
	int records;
	int result;
	char error[BACKEND_ERR_MAX];
	int dnssec_signed;  /* verify: served signed by the backend itself */
};

struct backend_ops {
	const char *type;
	/* Check the section and prepare; *state is the backend's own. Called once
	 * at worker start (and by `dadnsctl config check`). 0 or error with err. */
	int (*open)(const struct config_backend *cfg, void **state, char *err, size_t errlen);
	void (*close)(void *state);
	/* Bring every zone of the batch to its desired state; set each result.
	 * Called from the backend's own thread only. */
	void (*apply)(void *state, struct backend_zone *zones, size_t n);
	/* 1 the backend serves/holds the zone, 0 not, negative error. */
	int (*exists)(void *state, const char *domain);
	/* After a successful apply of a present zone: does what is served match
	 * (SOA serial, and record count where the backend can tell)? 0 yes,
	 * DADNS_ETEMPFAIL with z->error set when not. NULL = no verification. */
	int (*verify)(void *state, struct backend_zone *z);
	/* Check the section against the system it drives, without changing
	 * anything (nsd: the pattern's zonefile in NSD's configuration is where
	 * dadns writes). Called by `dadnsctl config check` for each enabled
	 * backend; open makes the same check. 0, or an error with err (one line).
	 * NULL = nothing to check. */
	int (*check)(const struct config_backend *cfg, char *err, size_t errlen);
};

/* The ops of a type name ("nsd", "bind", "coredns_mysql", "powerdns_mysql",
 * "null"), or NULL. */
const struct backend_ops *backend_find(const char *type);

#endif
