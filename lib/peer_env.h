/* SPDX-License-Identifier: BSD-3-Clause */
/* peer_env.h -- peers given by the environment: DADNS_PEER_SYNC_PEER_[N_]URL/USERNAME/PASSWORD
 *
 * DADNS_PEER_SYNC_PEER_URL, _USERNAME, _PASSWORD (and _VERIFY_SSL,
 * _CA_FILE) describe the peer named "env"; DADNS_PEER_SYNC_PEER_<N>_URL ...
 * (N = 1..9999, no leading zero) the peer "env-<N>". A peer of that name
 * in the file gets its keys overridden; otherwise a [peer NAME] entry is
 * added with env = 1 (origin 'env' in the peers table).
 */
#ifndef DADNS_PEER_ENV_H
#define DADNS_PEER_ENV_H

#include <stddef.h>

#include "lib/config.h"

#define PEER_ENV_PREFIX "DADNS_PEER_SYNC_PEER_"

/* 1 when the environment entry "NAME=value" (or a bare name) is one of
 * these variables (so the generic DADNS_<SECTION>_<KEY> overrides leave it
 * alone), else 0. */
int peer_env_is_peer_var(const char *entry);

/* Add or override cfg->peers from the process environment. Returns 0, or
 * DADNS_EINVAL with err "environment DADNS_...: reason" (an unknown key, a
 * bad number or value, a peer without a URL). */
int peer_env_load(struct config *cfg, char *err, size_t errlen);

#endif
