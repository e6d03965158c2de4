/* SPDX-License-Identifier: BSD-3-Clause */
/* domain.h -- zone names as DirectAdmin sends them: validate and normalize */
#ifndef DADNS_DOMAIN_H
#define DADNS_DOMAIN_H

#include <stddef.h>

#define DOMAIN_MAX 253   /* octets, without the trailing dot */
#define DOMAIN_LABEL_MAX 63

/* Validate `in` (len octets; it need not be NUL-terminated and may hold NUL
 * bytes, which are refused) and write its normal form to out: lower-case, no
 * trailing dot. Accepted: at least two labels of letters, digits and hyphens
 * (no hyphen first or last in a label; punycode xn-- labels; in-addr.arpa and
 * ip6.arpa names are ordinary names under these rules), label <= 63 and name
 * <= 253 octets. One trailing dot is allowed and removed.
 * Returns 0, or DADNS_EINVAL with nothing written but an empty out. */
int domain_normalize(const char *in, size_t len, char out[DOMAIN_MAX + 1]);

/* The parent of a normalized name (the text after its first dot), or NULL
 * when name has a single label. Points into name. */
const char *domain_parent(const char *name);

/* 1 when child equals zone or lies below it (both normalized), else 0. */
int domain_is_within(const char *child, const char *zone);

#endif
