/* SPDX-License-Identifier: BSD-3-Clause */
/* idset.c -- a set of job ids (open addressing, linear probing) */
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-worker/idset.h"
#include "lib/util.h"

static size_t slot_of(const struct idset *s, int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 17) & (s->cap - 1);
}

int idset_has(const struct idset *s, int64_t id)
{
	size_t i;

	if (!s->cap)
		return 0;
	for (i = slot_of(s, id); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == id)
			return 1;
	return 0;
}

static void grow(struct idset *s)
{
	int64_t *old = s->slots;
	size_t oldcap = s->cap, i;

	s->cap = oldcap ? oldcap * 2 : 64;
	s->slots = xcalloc(s->cap, sizeof(*s->slots));
	s->n = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i])
			idset_add(s, old[i]);
	free(old);
}

int idset_add(struct idset *s, int64_t id)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap)
		grow(s);
	for (i = slot_of(s, id); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == id)
			return 0;
	s->slots[i] = id;
	s->n++;
	return 1;
}

int idset_del(struct idset *s, int64_t id)
{
	size_t i, j, k;

	if (!s->cap)
		return 0;
	for (i = slot_of(s, id); s->slots[i] != id; i = (i + 1) & (s->cap - 1))
		if (!s->slots[i])
			return 0;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	s->slots[i] = 0;
	s->n--;
	for (j = (i + 1) & (s->cap - 1); s->slots[j]; j = (j + 1) & (s->cap - 1)) {
		k = slot_of(s, s->slots[j]);
		/* Move slots[j] into the hole at i unless its home k lies in (i, j]. */
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			s->slots[i] = s->slots[j];
			s->slots[j] = 0;
			i = j;
		}
	}
	return 1;
}

int64_t *idset_list(const struct idset *s, size_t *n)
{
	int64_t *out = xmalloc((s->n ? s->n : 1) * sizeof(*out));
	size_t i, k = 0;

	for (i = 0; i < s->cap; i++)
		if (s->slots[i])
			out[k++] = s->slots[i];
	*n = k;
	return out;
}

void idset_deinit(struct idset *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
