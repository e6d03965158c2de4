/* SPDX-License-Identifier: BSD-3-Clause */
/* registry.c -- backend types by name; a new backend is one file and one line here */
#include <string.h>

#include "lib/backends/backend.h"

extern const struct backend_ops backend_null_ops;
extern const struct backend_ops backend_nsd_ops;
extern const struct backend_ops backend_bind_ops;
extern const struct backend_ops backend_coredns_mysql_ops;
extern const struct backend_ops backend_powerdns_mysql_ops;
extern const struct backend_ops backend_knot_ops;

static const struct backend_ops *const registry[] = {
	&backend_null_ops,
	&backend_nsd_ops,
	&backend_bind_ops,
	&backend_coredns_mysql_ops,
	&backend_powerdns_mysql_ops,
	&backend_knot_ops,
};

const struct backend_ops *backend_find(const char *type)
{
	size_t i;

	if (!type)
		return NULL;
	for (i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (strcmp(registry[i]->type, type) == 0)
			return registry[i];
	return NULL;
}
