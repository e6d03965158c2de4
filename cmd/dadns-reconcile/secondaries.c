/* SPDX-License-Identifier: BSD-3-Clause */
/* secondaries.c -- the reconcile pass's last step: what each [secondary NAME] serves */
#include <stdlib.h>

#include "cmd/dadns-reconcile/reconcile.h"
#include "lib/log.h"
#include "lib/secondary.h"
#include "lib/util.h"

int reconcile_secondaries(struct reconcile *r)
{
	struct secondary_result *res = NULL;
	int rc;

	if (!r->cfg->n_secondary)
		return 0;
	rc = secondary_check_all(r->cfg, r->st, !r->dry_run, &res);
	if (rc < 0)
		log_err("reconcile: secondaries: not checked: %s", dadns_strerror(rc));
	else if (r->dry_run)
		log_info("reconcile: secondaries: dry run: results not stored");
	free(res);
	return rc;
}
