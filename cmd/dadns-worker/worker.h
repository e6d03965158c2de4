/* SPDX-License-Identifier: BSD-3-Clause */
/* worker.h -- dadns-worker: claim jobs, hand them to one thread per backend */
#ifndef DADNS_WORKER_H
#define DADNS_WORKER_H

#include "lib/config.h"

/* Run the worker with cfg (loaded by the caller). once = 1: apply until
 * nothing is runnable, then return. Otherwise until SIGTERM/SIGINT (SIGHUP
 * reopens the log). Returns the process exit status: 0, or 1 after a
 * start-up error (logged). */
int worker_run(const struct config *cfg, int once);

#endif
