/* SPDX-License-Identifier: BSD-3-Clause */
/* dnsfile.h -- what the nsd and bind backends share: zone files, include files,
 * control commands with a count, and checking what a server serves (libldns)
 *
 * Layout on disk, for a backend with zones_dir Z:
 *   Z/<domain>.zone          one zone file per domain, written atomically
 *   the include file         zone stanzas for every zone registered through
 *                            it (nsd without pattern: nsd_conf; bind:
 *                            named_conf). dadns owns the whole file; it is the
 *                            registry of what dadns put there, read back and
 *                            rewritten atomically for every batch that adds or
 *                            removes a zone.
 */
#ifndef DADNS_DNSFILE_H
#define DADNS_DNSFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "lib/backends/backend.h"
#include "lib/util.h"

#define DNSFILE_SUFFIX ".zone"
/* A file name is at most 255 octets: the domain plus ".zone". */
#define DNSFILE_NAME_MAX (255 - (sizeof(DNSFILE_SUFFIX) - 1))
/* Verification waits at most this long for a server to load a batch. */
#define DNSFILE_VERIFY_MAX_MS 5000
/* Output of a control command kept for parsing (addzones prints a line per zone). */
#define DNSFILE_OUT_MAX (4 * 1024 * 1024)

enum dnsfile_flavor {
	DNSFILE_NSD,   /* zone: / name: / zonefile: stanzas (nsd.conf) */
	DNSFILE_BIND,  /* zone "D" { type primary; file "..."; }; (named.conf) */
};

/* 1 when domain can name a file in zones_dir: 1..DNSFILE_NAME_MAX octets of
 * letters, digits, '-', '_' and '.', no leading dot, no empty label (so never
 * "." or ".." and never a '/'); else 0. */
int dnsfile_name_ok(const char *domain);

/* "<zones_dir>/<domain>.zone" into out. Returns 0, DADNS_EINVAL for a name
 * dnsfile_name_ok refuses, DADNS_E2BIG when out is too small. */
int dnsfile_zone_path(const char *zones_dir, const char *domain, char *out, size_t outlen);

/* A set of domain names, kept sorted for lookup. */
struct dnsfile_set {
	char **names;
	size_t n;
	size_t cap;
	size_t sorted;  /* names[0..sorted) are in order; the rest a short tail */
};
void dnsfile_set_init(struct dnsfile_set *s);
void dnsfile_set_deinit(struct dnsfile_set *s);
/* 1 when added, 0 when it was there already. name is copied. */
int dnsfile_set_add(struct dnsfile_set *s, const char *name);
/* 1 when removed, 0 when it was not there. */
int dnsfile_set_del(struct dnsfile_set *s, const char *name);
int dnsfile_set_has(struct dnsfile_set *s, const char *name);

/* Read the zone names of an include file written by dnsfile_include_write
 * into s (added to what s holds). A missing file is an empty set. Lines that
 * are not a zone name of ours are skipped; names dnsfile_name_ok refuses are
 * skipped with a warning. Returns 0 or a negative errno. */
int dnsfile_include_read(const char *path, enum dnsfile_flavor flavor, struct dnsfile_set *s);

/* Remove the temporary files a killed writer left behind (names
 * util_write_file_atomic gives: "NAME.tmp.XXXXXX"): in dir, those whose
 * NAME starts with prefix (NULL: every one). Only the one process that
 * writes there may call it (the worker, under its lock), before it writes.
 * Returns how many were removed (logged), or a negative errno. */
int dnsfile_sweep_tmp(const char *dir, const char *prefix, const char *label);
/* The same for the temporary files of one file path ("PATH.tmp.XXXXXX");
 * path NULL does nothing. */
int dnsfile_sweep_tmp_of(const char *path, const char *label);

/* Write the include file for every name of s (sorted), each zone's file in
 * zones_dir, after a comment naming owner (the backend); atomically, mode
 * 0644, straight to the file (never whole in memory). NSD stanzas carry
 * "provide-xfr: 127.0.0.1 NOKEY" and ::1 so that dadns can count what is
 * served over loopback. 0 or a negative errno. */
int dnsfile_include_write(const char *path, enum dnsfile_flavor flavor, const char *zones_dir,
			  const char *owner, struct dnsfile_set *s);
/* What an include file says besides each zone's file (lib/xfr.h): NULL
 * fields keep the defaults (NSD: provide-xfr to localhost NOKEY; BIND:
 * nothing). keys_path: a file of key statements included at the top. */
struct dnsfile_xfr {
	const char *zone_extra;  /* NSD: lines of the zone: stanza; BIND: statements inside { } */
	const char *keys_path;
};
/* A backend's xfr settings, rendered once (dnsfile_xfr.c). */
struct dnsfile_xfr_state {
	struct dnsfile_xfr x;     /* what the include file gets */
	char *extra, *keys_path, *key_text;
	int force;                /* write the key and include files at the next batch */
};
/* Render cfg's notify / allow_transfer / tsig_key for an include file
 * (include NULL: NSD pattern mode, where nsd.conf holds them). 0 or an
 * error with err. */
int dnsfile_xfr_open(const struct config_backend *cfg, enum dnsfile_flavor flavor,
		     const char *include, struct dnsfile_xfr_state *s, char *err, size_t errlen);
/* Before a batch: write the key file (mode 0640) once. 0 or error. */
int dnsfile_xfr_prepare(struct dnsfile_xfr_state *s, char *err, size_t errlen);
void dnsfile_xfr_deinit(struct dnsfile_xfr_state *s);

/* dnsfile_include_write with x (NULL: the defaults). */
int dnsfile_include_write_xfr(const char *path, enum dnsfile_flavor flavor, const char *zones_dir,
			      const char *owner, struct dnsfile_set *s, const struct dnsfile_xfr *x);

#define DNSFILE_VERBS_MAX 8
/* Control commands run at once for a batch of changed zones. */
#define DNSFILE_PARALLEL 4

/* A control program (nsd-control / rndc with its options), with counts. */
struct dnsfile_ctl {
	char *label;          /* "nsd NAME", for log lines */
	char *control;        /* the configured command line */
	int timeout_ms;
	unsigned batch_count; /* commands run since dnsfile_ctl_batch_start */
	unsigned long total;  /* commands run since open */
	struct {
		char name[24];
		unsigned n;
	} verb[DNSFILE_VERBS_MAX]; /* commands of this batch by verb */
	size_t n_verbs;
	struct strbuf verbs;  /* rendered by dnsfile_ctl_verbs */
	/* A batch with more zones to reload than this (0: never) gets ONE
	 * reload without a zone (the backend sets it from the configuration) */
	unsigned reload_threshold;
	int verify;           /* the backend verifies each zone after apply */
	/* NSD's control socket: commands go there directly (nsd_ctl_socket_run)
	 * instead of running `control`; NULL runs `control` */
	char *socket_path;
};
/* label and control are copied; timeout_s <= 0 means 30 s per command.
 * dnsfile_ctl_deinit frees what c holds. batch_start zeroes the counts of
 * the batch (not the total). */
void dnsfile_ctl_init(struct dnsfile_ctl *c, const char *label, const char *control,
		      int timeout_s);
void dnsfile_ctl_deinit(struct dnsfile_ctl *c);
/* Send the commands to NSD's control socket at path (copied) rather than
 * running the control program. */
void dnsfile_ctl_use_socket(struct dnsfile_ctl *c, const char *path);
void dnsfile_ctl_batch_start(struct dnsfile_ctl *c);

/* Run the control command with args (NULL-terminated) appended, stdin from
 * in (may be NULL), counted. out (may be NULL) gets the whole output; msg
 * gets it on one line, or the reason of a failure ("rndc reload exited 1:
 * ..."). Returns 0 when it exited 0, else DADNS_ETEMPFAIL. */
int dnsfile_ctl_run(struct dnsfile_ctl *c, const char *const *args, const char *in,
		    size_t inlen, struct strbuf *out, char *msg, size_t msglen);

/* The verbs of this batch with their counts: "addzones, reload x3". Valid
 * until the next call; owned by c. */
const char *dnsfile_ctl_verbs(struct dnsfile_ctl *c);

/* One NSD control command (args: verb, then its arguments; NULL-terminated)
 * on NSD's unix control socket at path, as nsd-control would send it, with
 * `in` (inlen octets) as the lines of addzones/delzones. NSD's answer goes
 * to out (may be NULL; at most max octets kept). *failed is 1 when the
 * answer starts with "error" (nsd-control's exit status 1). Returns 0 when
 * NSD answered, DADNS_ETIMEDOUT after timeout_ms, a negative errno
 * (connect: NSD not running, permissions) or DADNS_EIO (closed without an
 * answer) otherwise. */
int nsd_ctl_socket_run(const char *path, const char *const *args, const char *in, size_t inlen,
		       int timeout_ms, struct strbuf *out, size_t max, int *failed);

/* One command of dnsfile_ctl_run_many: `control verb zone`. */
struct dnsfile_call {
	const char *verb;
	const char *zone;
	int rc;               /* as dnsfile_ctl_run */
	struct strbuf out;
	char msg[BACKEND_ERR_MAX - 64];
};

/* Run every call (counted), DNSFILE_PARALLEL at a time; each gets rc, out
 * and msg as from dnsfile_ctl_run. Free with dnsfile_calls_free (which also
 * frees the array). */
void dnsfile_ctl_run_many(struct dnsfile_ctl *c, struct dnsfile_call *calls, size_t n);
void dnsfile_calls_free(struct dnsfile_call *calls, size_t n);

/* Where a daemon answers queries. */
struct dnsfile_server {
	struct sockaddr_storage ss;
	socklen_t sslen;
	char text[128];  /* as configured, for messages */
};

/* Parse "HOST:PORT", "[V6]:PORT", "HOST" or "V6" (port 53) into srv; HOST
 * may be a name (resolved once, here). Returns 0 or DADNS_EINVAL. */
int dnsfile_server_parse(const char *text, struct dnsfile_server *srv);

/* A resolver for srv alone: no recursion, no DNSSEC OK bit, one try within
 * timeout_ms, UDP with TCP fallback. Caller frees (ldns_resolver_deep_free);
 * NULL when out of memory. */
ldns_resolver *dnsfile_resolver_new(const struct dnsfile_server *srv, int timeout_ms);

/* Ask srv for the SOA of domain, without recursion, over UDP with TCP
 * fallback. Returns 0 with *serial when the answer is authoritative (AA)
 * and holds the zone's SOA; DADNS_ENOENT when the server answered but does
 * not serve the zone (why in err); DADNS_ETIMEDOUT / DADNS_EIO when it did
 * not answer. */
int dnsfile_query_soa(const struct dnsfile_server *srv, const char *domain, int timeout_ms,
		      int64_t *serial, char *err, size_t errlen);

/* What one answer to "zone IN SOA" (query id) says, dnsfile_soa_answer. */
enum dnsfile_soa_kind {
	DNSFILE_SOA_SERIAL = 0,  /* authoritative (AA) with the zone's SOA: *serial set */
	DNSFILE_SOA_REFUSED,     /* REFUSED: not served there */
	DNSFILE_SOA_NXDOMAIN,    /* NXDOMAIN or NOTAUTH */
	DNSFILE_SOA_SERVFAIL,    /* SERVFAIL (e.g. a secondary whose copy expired) */
	DNSFILE_SOA_NOAUTH,      /* another rcode, or NOERROR without AA or without the SOA
				  * (a referral, an upward answer): not served there */
	DNSFILE_SOA_TRUNCATED,   /* TC: ask again over TCP */
	DNSFILE_SOA_NOT_OURS,    /* not the answer to this query (id, QR, opcode, question):
				  * ignore it, keep waiting */
	DNSFILE_SOA_GARBAGE,     /* not a DNS message: ignore it, keep waiting */
};

/* Parse len octets of wire as the answer to query id for "zone IN SOA".
 * Never trusts the message: the id, QR, opcode and the single question
 * must match before anything else is read. Returns a DNSFILE_SOA_*;
 * *serial is written only for DNSFILE_SOA_SERIAL. */
int dnsfile_soa_answer(const uint8_t *wire, size_t len, uint16_t id, const char *zone,
		       int64_t *serial);

/* Transfer domain from srv (AXFR over TCP) and count its records, the SOA
 * once. Returns 0 with *count and *serial, DADNS_EPERM when the server
 * refused the transfer, another negative error with err set otherwise. */
int dnsfile_axfr_count(const struct dnsfile_server *srv, const char *domain, int timeout_ms,
		       int *count, int64_t *serial, char *err, size_t errlen);

/* The time (util_mono_ms) until which a batch applied now may be waited
 * for: min(timeout_s, DNSFILE_VERIFY_MAX_MS) from now. */
int64_t dnsfile_verify_deadline(int timeout_s);

/* Does srv serve z at z->serial with z->records records? Servers load
 * asynchronously: checks again every 50 ms until deadline (a time from
 * dnsfile_verify_deadline, set once per batch so that a batch of zones
 * that never load costs one wait, not one per zone); checks at least once.
 * When the transfer is refused, checks the serial only (logged at debug).
 * Returns 0, or DADNS_ETEMPFAIL with z->error set. label names the backend
 * in messages. */
int dnsfile_verify(const struct dnsfile_server *srv, const char *label, int64_t deadline,
		   struct backend_zone *z);

/* backend_ops.exists of nsd and bind: 1 when srv serves domain, 0 when it
 * answers that it does not, DADNS_ETIMEDOUT or DADNS_EIO when it does not
 * answer (what it serves cannot be told then). label names the backend in
 * messages. */
int dnsfile_exists(const struct dnsfile_server *srv, const char *label, const char *domain);

/* One zone of a batch as the file backends see it. */
struct dnsfile_item {
	struct backend_zone *z;
	char *path;        /* its zone file; NULL when the name was refused */
	int del;           /* absent from the desired state: remove it */
	int file_existed;  /* the zone file was there before this batch */
	int registered;    /* known to the server (include file) before this batch */
	int need_reload;   /* nsd: addzones found it known already */
	int done;          /* result already set (failed, or nothing to do) */
};

/* Prepare a batch: check each name (refused: DADNS_EPERMFAIL), write each
 * present zone's file atomically (failed: DADNS_ETEMPFAIL), note which
 * files existed. Returns the items (caller frees with
 * dnsfile_batch_free). */
struct dnsfile_item *dnsfile_batch_prepare(const char *zones_dir, const char *label,
					   struct backend_zone *zones, size_t n);
void dnsfile_batch_free(struct dnsfile_item *items, size_t n);

/* Bring the include file in line with the batch: every written zone in,
 * every deleted zone out; rewritten atomically only when that changes it
 * (*changed = 1). Sets each item's registered. Returns 0, or a negative
 * error with err set (then nothing was written). */
int dnsfile_batch_register(const char *include, enum dnsfile_flavor flavor,
			   const char *zones_dir, const char *owner, struct dnsfile_item *items,
			   size_t n, int *changed, char *err, size_t errlen);
/* The same with the include file's xfr settings x (NULL: defaults); when
 * *force is set the file is written even if no zone came or went (the
 * settings may have changed since it was written), and *force cleared. */
int dnsfile_batch_register_xfr(const char *include, enum dnsfile_flavor flavor,
			       const char *zones_dir, const char *owner, struct dnsfile_item *items,
			       size_t n, const struct dnsfile_xfr *x, int *force, int *changed,
			       char *err, size_t errlen);

/* Fail every item not done yet, of the kind given (-1 all, 0 writes,
 * 1 deletes), with result and msg; they are then done. */
void dnsfile_batch_fail(struct dnsfile_item *items, size_t n, int del, int result,
			const char *msg);

/* Finish a batch whose registration worked: remove the files of the deleted
 * zones, and set result 0 for every item not done. */
void dnsfile_batch_finish(struct dnsfile_item *items, size_t n, const char *label);

/* How the include-file mode talks to its daemon. */
struct dnsfile_include_mode {
	enum dnsfile_flavor flavor;
	const char *include;      /* the include file */
	const char *zones_dir;
	const char *reconfig;     /* verb that reads new/removed zones: "reconfig" */
	const char *reload;       /* verb + zone that re-reads one zone: "reload" */
	const char *const *unknown; /* output fragments of "reload" meaning the
				       daemon does not know the zone */
	const struct dnsfile_xfr *xfr; /* NULL: the defaults */
	int *force_write;         /* NULL, or 1: write the file once even if unchanged */
};

/* Apply a prepared batch in include-file mode: update the include file; if
 * it changed, or *need_sync (a previous reconfig may not have happened),
 * or a deleted zone's file is still there, run ONE reconfig; then one
 * reload per written zone that was registered before (a reload the daemon
 * answers with "unknown zone" costs one more reconfig for the batch), or
 * ONE reload without a zone when they are more than
 * ctl->reload_threshold (dnsfile_reload_all).
 * Fails the items whose step failed (DADNS_ETEMPFAIL), then finishes the
 * batch (removes deleted zones' files). *need_sync is set when a reconfig
 * failed and cleared when one worked. */
void dnsfile_apply_include(const struct dnsfile_include_mode *m, struct dnsfile_ctl *ctl,
			   struct dnsfile_item *items, size_t n, int *need_sync);

/* 1 when k zones to reload in a batch are more than c->reload_threshold
 * (set and non-zero): then dnsfile_reload_all, not one reload per zone. */
int dnsfile_reload_batched(const struct dnsfile_ctl *c, size_t k);

/* ONE `control verb` without a zone for the k items of who: the daemon
 * re-reads every zone file whose mtime changed (NSD: nsd-control reload;
 * named: rndc reload, which also re-reads its configuration). When it
 * fails, the items fail (DADNS_ETEMPFAIL) only if c->verify is off;
 * otherwise verification decides per zone (a daemon may load most zones
 * and still report one it could not load). Sets registered on each. */
void dnsfile_reload_all(struct dnsfile_ctl *c, const char *verb, struct dnsfile_item **who,
			size_t k);

/* Log one line for a finished batch: new, changed, deleted and failed
 * zones, and the control commands it took (and in all since open). A zone
 * counts as new when it was not registered before. */
void dnsfile_batch_log(struct dnsfile_ctl *ctl, const struct dnsfile_item *items, size_t n);

/* The checks nsd and bind share at open: zones_dir set and absolute (created
 * when missing), the include file (when include is non-NULL) absolute,
 * server parsed into srv (default 127.0.0.1:53). 0, or DADNS_EINVAL with
 * err ("backend NAME: reason"). */
int dnsfile_check_config(const struct config_backend *cfg, const char *include,
			 const char *include_key, struct dnsfile_server *srv, char *err,
			 size_t errlen);

/* Set result and error of z (printf-style). */
void dnsfile_zone_fail(struct backend_zone *z, int result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One-line copy of a program's output: whitespace trimmed, line breaks as
 * "; ", about max octets at most. Caller frees. */
char *dnsfile_oneline(const char *s, size_t max);

#endif
