/* SPDX-License-Identifier: BSD-3-Clause */
/* nsd_conf.h -- what NSD's own configuration says (nsd-checkconf), and what NSD logged */
#ifndef DADNS_NSD_CONF_H
#define DADNS_NSD_CONF_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/backends/backend.h"
#include "lib/util.h"

/* What the nsd backend learnt of NSD's configuration. */
struct nsd_conf {
	char *logfile;     /* NSD's logfile: (absolute); NULL: syslog */
	off_t log_mark;    /* size of logfile when the batch started */
	unsigned explained; /* zones explained in this batch */
};

/* NSD's nsd.conf for cfg: nsd_config, else the FILE of "-c FILE" in
 * control, else /etc/nsd/nsd.conf when it exists; NULL when none. Caller
 * frees. */
char *nsd_conf_path(const struct config_backend *cfg);

/* Ask NSD's configuration (nsd-checkconf) what dadns must agree with: in
 * pattern mode, that the pattern exists and its zonefile is
 * "<zones_dir>/%s.zone", where dadns writes; and where NSD logs. Fills nc
 * (nc may be NULL: only check). Returns 0, or DADNS_EINVAL with err, one
 * line naming both paths when they differ. Without a known nsd.conf,
 * nothing can be checked: 0, with a warning logged (and no logfile). */
int nsd_conf_check(const struct config_backend *cfg, struct nsd_conf *nc, char *err,
		   size_t errlen);
void nsd_conf_deinit(struct nsd_conf *nc);

/* A batch starts: what NSD logs from now on is about it. */
void nsd_conf_mark(struct nsd_conf *nc);

/* What is kept of NSD's words about one zone, in octets. */
#define NSD_WORDS_MAX 400

/* The lines of buf (NSD's log; modified) that name path, without NSD's
 * "[time] nsd[pid]: " prefix, appended to words with "; " between, at most
 * NSD_WORDS_MAX octets in all. An empty path names nothing. */
void nsd_conf_scan_log(char *buf, const char *path, struct strbuf *words);

/* z failed verification: find what NSD said about its file (path) since
 * the mark — the lines of NSD's logfile naming it, or, when NSD logs to
 * syslog, what nsd-checkzone says of the file — and log it at warning
 * level in NSD's words, appended to z->error. label names the backend. */
void nsd_conf_explain(struct nsd_conf *nc, const char *label, const char *path,
		      struct backend_zone *z);

#endif
