/* SPDX-License-Identifier: BSD-3-Clause */
/* acl.h -- address allow-lists: "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8"
 *
 * A list is addresses or CIDR prefixes (IPv4 or IPv6), separated by commas
 * and/or blanks. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) matches the
 * IPv4 entries.
 */
#ifndef DADNS_ACL_H
#define DADNS_ACL_H

#include <stddef.h>

/* Check that list is well formed. Returns 0, or DADNS_EINVAL with err set
 * to the entry at fault. */
int acl_check(const char *list, char *err, size_t errlen);

/* Whether addr (a textual IPv4 or IPv6 address, e.g. REMOTE_ADDR) is in
 * list: 1 yes, 0 no (also for an addr that is not an address), DADNS_EINVAL
 * when the list is malformed. */
int acl_match(const char *list, const char *addr);

#endif
