/* SPDX-License-Identifier: BSD-3-Clause */
/* wake.h -- best-effort wake-up of the worker: one datagram on a unix socket */
#ifndef DADNS_WAKE_H
#define DADNS_WAKE_H

/* Send one datagram to the worker's socket at path. Never blocks; a worker
 * that is not running, or a full socket buffer, is not an error the caller
 * needs to act on (the worker also polls). Returns 0 or -errno. */
int wake_send(const char *path);

/* Bind a non-blocking unix datagram socket at path (replacing a stale one,
 * mode 0666 so an intake running as another user can send). *fd gets the
 * socket. Returns 0 or -errno. */
int wake_listen(const char *path, int *fd);

/* Read and discard every pending datagram; returns how many. */
int wake_drain(int fd);

#endif
