/* SPDX-License-Identifier: BSD-3-Clause */
/* idset.h -- a set of job ids (open addressing), for the jobs in flight */
#ifndef DADNS_WORKER_IDSET_H
#define DADNS_WORKER_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
	int64_t *slots;   /* 0 = empty (job ids start at 1) */
	size_t cap;       /* a power of two, or 0 */
	size_t n;
};

/* 1 when id is in the set. */
int idset_has(const struct idset *s, int64_t id);
/* Add id (> 0); 1 added, 0 was there already. */
int idset_add(struct idset *s, int64_t id);
/* Remove id; 1 removed, 0 was not there. */
int idset_del(struct idset *s, int64_t id);
/* Every id into a new array (caller frees); *n gets the count. */
int64_t *idset_list(const struct idset *s, size_t *n);
void idset_deinit(struct idset *s);

#endif
