/* SPDX-License-Identifier: BSD-3-Clause */
/* config_int.h -- what config.c, config_keys.c and config_check.c share (not public) */
#ifndef DADNS_CONFIG_INT_H
#define DADNS_CONFIG_INT_H

#include <stddef.h>
#include <stdio.h>

#include "lib/config.h"

enum sec { SEC_APP, SEC_WORKER, SEC_BACKEND, SEC_RECONCILE, SEC_DA, SEC_PEER_SYNC, SEC_PEER,
	   SEC_CATALOG, SEC_TSIG, SEC_SECONDARIES, SEC_SECONDARY };
enum ktype { T_STR, T_SECRET, T_INT, T_LONG, T_BOOL, T_DOUBLE, T_LOGLEVEL, T_DURABILITY,
	     T_BACKOFF, T_ACK, T_DNSSEC, T_CATGROUP };

/* Backend keys apply to some types only. */
#define B_DNS   0x1  /* nsd, bind */
#define B_NSD   0x2
#define B_BIND  0x4
#define B_MYSQL 0x8
#define B_NULL  0x10
#define B_KNOT  0x20
#define B_ALL   0x3f

struct key {
	enum sec sec;
	const char *name;
	enum ktype type;
	size_t off;         /* in struct config, or in the section's own struct */
	const char *def;    /* NULL = no default (empty) */
	double min, max;
	unsigned types;     /* backend sections: B_* mask */
};

#define CO(f) offsetof(struct config, f)
#define BO(f) offsetof(struct config_backend, f)
#define DO(f) offsetof(struct config_directadmin, f)
#define PO(f) offsetof(struct config_peer, f)
#define TO(f) offsetof(struct config_tsig, f)
#define SO(f) offsetof(struct config_secondary, f)

struct config_section {
	const char *word;      /* "app", or "backend" for "[backend NAME]" */
	enum sec sec;
	int named;
};

/* Lines at which each key was set, to refuse duplicates and to place errors. */
struct seen {
	enum sec sec;
	size_t idx;             /* section index for named sections */
	const struct key *key;
	int line;
};

struct parse {
	struct config *cfg;
	const char *file;
	FILE *fp;
	int line;
	int section_line;  /* line of the last [section] header */
	int too_long;
	char err[512];
	struct seen *seen;
	size_t n_seen;
};

/* config_keys.c: the table of every key, and of the section kinds. */
extern const struct key config_keys[];
extern const size_t config_n_keys;
extern const struct config_section config_sections[];
extern const size_t config_n_sections;

/* The B_* mask of a backend type name (0 for an unknown one). */
unsigned config_backend_type_mask(const char *type);

/* The line on which key `name` of the given section was set, or 0. */
int config_seen_line(const struct parse *p, enum sec sec, size_t idx, const char *name);

/* config_check.c: check the whole configuration after parsing and the
 * environment; fills defaults that depend on other keys. 0, or -1 with err
 * set to "FILE:LINE: reason". */
int config_check_all(struct parse *p, char *err, size_t errlen);

#endif
