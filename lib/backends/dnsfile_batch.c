/* SPDX-License-Identifier: BSD-3-Clause */
/* dnsfile_batch.c -- a batch of zones for nsd and bind: files, include-file registry, reloads */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/backends/dnsfile.h"
#include "lib/log.h"
#include "lib/util.h"

/*
 * The zone files of a batch are written as util_write_file_atomic writes
 * one (a temporary "NAME.tmp.XXXXXX" in the same directory, mode 0644,
 * flushed, renamed over NAME), but a chunk at a time: every file of the
 * chunk is written and its write-back started, then each is flushed and
 * renamed, then the directory is flushed once. One directory flush per
 * chunk instead of one per zone, and the files' flushes overlap: a batch of
 * 500 new zones cost 1,000 fsyncs before. No file is renamed into place
 * before its data is on the disk.
 */
#define WRITE_CHUNK 64

struct pending {
	struct dnsfile_item *it;
	char *tmp;
	int fd;
};

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Give the file the precise time as its mtime. The kernel stamps a write
 * with a coarse clock that may lag the real time by a tick (a few ms on
 * Linux 6.1): a zone rewritten within a tick after the DNS server loaded
 * its last version could get an mtime not after that load, and the batched
 * reload (dnsfile_reload_all), which lets the server re-read only files
 * newer than their last load (BIND) or whose mtime changed (NSD), would
 * skip it until a retry.
 */
static int stamp_now(int fd)
{
	struct timespec ts[2];

	if (clock_gettime(CLOCK_REALTIME, &ts[0]) < 0)
		return -errno;
	ts[1] = ts[0];
	return futimens(fd, ts) < 0 ? -errno : 0;
}

static void chunk_fail(struct pending *pd, const char *label, int rc)
{
	dnsfile_zone_fail(pd->it->z, DADNS_ETEMPFAIL, "%s: cannot write %s: %s", label,
			  pd->it->path, dadns_strerror(rc));
	pd->it->done = 1;
	if (pd->fd >= 0)
		close(pd->fd);
	pd->fd = -1;
	unlink(pd->tmp);
}

/* Write, flush and rename the m files of pd; then flush zones_dir. */
static void write_chunk(const char *zones_dir, const char *label, struct pending *pd, size_t m)
{
	size_t i, renamed = 0;
	int rc, dfd;

	for (i = 0; i < m; i++) {
		struct backend_zone *z = pd[i].it->z;

		pd[i].tmp = xasprintf("%s.tmp.XXXXXX", pd[i].it->path);
		pd[i].fd = mkostemp(pd[i].tmp, O_CLOEXEC);
		if (pd[i].fd < 0) {
			rc = -errno;
			dnsfile_zone_fail(z, DADNS_ETEMPFAIL, "%s: cannot write %s: %s", label,
					  pd[i].it->path, dadns_strerror(rc));
			pd[i].it->done = 1;
			continue;
		}
		rc = write_all(pd[i].fd, z->zone_text, z->zone_len);
		if (rc == 0 && fchmod(pd[i].fd, 0644) < 0)
			rc = -errno;
		if (rc == 0)
			rc = stamp_now(pd[i].fd);
		if (rc < 0) {
			chunk_fail(&pd[i], label, rc);
			continue;
		}
		/* start the write-back now; the fdatasync below waits for it */
		sync_file_range(pd[i].fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	}
	for (i = 0; i < m; i++) {
		if (pd[i].fd < 0)
			continue;
		if (fdatasync(pd[i].fd) < 0) {
			chunk_fail(&pd[i], label, -errno);
			continue;
		}
		if (close(pd[i].fd) < 0) {
			pd[i].fd = -1;
			chunk_fail(&pd[i], label, -errno);
			continue;
		}
		pd[i].fd = -1;
		if (rename(pd[i].tmp, pd[i].it->path) < 0) {
			chunk_fail(&pd[i], label, -errno);
			continue;
		}
		renamed++;
	}
	if (renamed) {
		dfd = open(zones_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rc = dfd < 0 ? -errno : fsync(dfd) < 0 ? -errno : 0;
		if (dfd >= 0)
			close(dfd);
		for (i = 0; rc < 0 && i < m; i++) {
			if (pd[i].it->done)
				continue;
			dnsfile_zone_fail(pd[i].it->z, DADNS_ETEMPFAIL, "%s: cannot flush %s: %s",
					  label, zones_dir, dadns_strerror(rc));
			pd[i].it->done = 1;
		}
	}
	for (i = 0; i < m; i++)
		free(pd[i].tmp);
}

struct dnsfile_item *dnsfile_batch_prepare(const char *zones_dir, const char *label,
					   struct backend_zone *zones, size_t n)
{
	struct dnsfile_item *items = xcalloc(n, sizeof(*items));
	struct pending pd[WRITE_CHUNK];
	char path[4096];
	struct stat st;
	size_t i, m = 0;
	int rc;

	for (i = 0; i < n; i++) {
		struct dnsfile_item *it = &items[i];
		struct backend_zone *z = &zones[i];

		it->z = z;
		it->del = z->zone_text == NULL;
		z->result = 0;
		z->error[0] = '\0';
		rc = dnsfile_zone_path(zones_dir, z->domain, path, sizeof(path));
		if (rc < 0) {
			dnsfile_zone_fail(z, DADNS_EPERMFAIL, "%s: refusing zone name '%s' as a file name",
					  label, z->domain ? z->domain : "(null)");
			it->done = 1;
			continue;
		}
		it->path = xstrdup(path);
		it->file_existed = lstat(path, &st) == 0;
		if (it->del)
			continue;
		pd[m].it = it;
		pd[m].tmp = NULL;
		pd[m++].fd = -1;
		if (m == WRITE_CHUNK) {
			write_chunk(zones_dir, label, pd, m);
			m = 0;
		}
	}
	if (m)
		write_chunk(zones_dir, label, pd, m);
	return items;
}

void dnsfile_batch_free(struct dnsfile_item *items, size_t n)
{
	size_t i;

	if (!items)
		return;
	for (i = 0; i < n; i++)
		free(items[i].path);
	free(items);
}

int dnsfile_batch_register(const char *include, enum dnsfile_flavor flavor,
			   const char *zones_dir, const char *owner, struct dnsfile_item *items,
			   size_t n, int *changed, char *err, size_t errlen)
{
	return dnsfile_batch_register_xfr(include, flavor, zones_dir, owner, items, n, NULL, NULL,
					  changed, err, errlen);
}

int dnsfile_batch_register_xfr(const char *include, enum dnsfile_flavor flavor,
			       const char *zones_dir, const char *owner, struct dnsfile_item *items,
			       size_t n, const struct dnsfile_xfr *x, int *force, int *changed,
			       char *err, size_t errlen)
{
	struct dnsfile_set set;
	size_t i;
	int rc;

	*changed = 0;
	dnsfile_set_init(&set);
	rc = dnsfile_include_read(include, flavor, &set);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read %s: %s", include, dadns_strerror(rc));
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct dnsfile_item *it = &items[i];

		if (!it->path)
			continue;
		it->registered = dnsfile_set_has(&set, it->z->domain);
		/* A failed write still keeps a zone that was registered: the old
		 * file is in place and served. */
		if (it->del)
			*changed |= dnsfile_set_del(&set, it->z->domain);
		else if (!it->done)
			*changed |= dnsfile_set_add(&set, it->z->domain);
	}
	if (force && *force)
		*changed = 1;
	if (!*changed)
		goto out;
	rc = dnsfile_include_write_xfr(include, flavor, zones_dir, owner, &set, x);
	if (rc < 0) {
		snprintf(err, errlen, "cannot write %s: %s", include, dadns_strerror(rc));
		*changed = 0;
	} else if (force) {
		*force = 0;
	}
out:
	dnsfile_set_deinit(&set);
	return rc;
}

void dnsfile_batch_fail(struct dnsfile_item *items, size_t n, int del, int result,
			const char *msg)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (items[i].done || (del >= 0 && items[i].del != del))
			continue;
		dnsfile_zone_fail(items[i].z, result, "%s", msg);
		items[i].done = 1;
	}
}

void dnsfile_batch_finish(struct dnsfile_item *items, size_t n, const char *label)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct dnsfile_item *it = &items[i];

		if (it->done)
			continue;
		it->done = 1;
		it->z->result = 0;
		if (it->del && unlink(it->path) < 0 && errno != ENOENT) {
			/* Unregistered already, so the zone is not served: a stale
			 * file is only untidy. */
			log_warn("%s: cannot remove %s: %s", label, it->path, strerror(errno));
		}
	}
}

/* 1 when the output of a reload says the daemon does not know the zone. */
static int says_unknown(const struct strbuf *out, const char *const *unknown)
{
	for (; unknown && *unknown; unknown++)
		if (out->buf && strstr(out->buf, *unknown))
			return 1;
	return 0;
}

static int include_reconfig(const struct dnsfile_include_mode *m, struct dnsfile_ctl *ctl,
			    int *need_sync, char *msg, size_t msglen)
{
	const char *args[] = { m->reconfig, NULL };
	int rc = dnsfile_ctl_run(ctl, args, NULL, 0, NULL, msg, msglen);

	*need_sync = rc < 0;
	return rc;
}

int dnsfile_reload_batched(const struct dnsfile_ctl *c, size_t k)
{
	return c->reload_threshold > 0 && k > c->reload_threshold;
}

/*
 * "Reload only what changed, never a full reload per zone" (DESIGN.md):
 * a big batch (DirectAdmin rewriting every zone) would cost one control
 * command per zone, ~20-50 ms each (exec, TLS, the daemon's reload), i.e.
 * minutes for 10,000 zones. One reload without a zone for the whole batch
 * keeps to the rule: NSD's `nsd-control reload` re-reads only the zone
 * files whose mtime changed, named's `rndc reload` only the zone files
 * newer than their last load (checked on NSD 4.6 and BIND 9.18: the other
 * zones are not re-read). Which zones made it is then told per zone by
 * verification (SOA serial, AXFR record count), as for per-zone reloads.
 */
void dnsfile_reload_all(struct dnsfile_ctl *c, const char *verb, struct dnsfile_item **who,
			size_t k)
{
	const char *args[] = { verb, NULL };
	char msg[BACKEND_ERR_MAX - 64];
	size_t i;
	int rc;

	if (k == 0)
		return;
	rc = dnsfile_ctl_run(c, args, NULL, 0, NULL, msg, sizeof(msg));
	if (rc < 0 && c->verify)
		log_warn("%s: %s for %zu zone(s): %s; verification decides per zone", c->label,
			 verb, k, msg);
	for (i = 0; i < k; i++) {
		if (rc < 0 && !c->verify) {
			dnsfile_zone_fail(who[i]->z, DADNS_ETEMPFAIL, "%s: %s", c->label, msg);
			who[i]->done = 1;
			continue;
		}
		who[i]->registered = 1;
	}
}

/* One reload per written zone the server had before (in parallel), or one
 * reload for all of them when they are many (dnsfile_reload_batched). */
static void include_reload(const struct dnsfile_include_mode *m, struct dnsfile_ctl *ctl,
			   struct dnsfile_item *items, size_t n, int *need_sync)
{
	struct dnsfile_call *calls = xcalloc(n, sizeof(*calls));
	struct dnsfile_item **who = xcalloc(n, sizeof(*who));
	char msg[BACKEND_ERR_MAX - 64];
	size_t i, k = 0;
	int healed = 0, heal_rc = 0;

	for (i = 0; i < n; i++) {
		if (items[i].done || items[i].del || !items[i].registered)
			continue;
		calls[k].verb = m->reload;
		calls[k].zone = items[i].z->domain;
		who[k++] = &items[i];
	}
	if (dnsfile_reload_batched(ctl, k)) {
		dnsfile_reload_all(ctl, m->reload, who, k);
		k = 0;
	}
	dnsfile_ctl_run_many(ctl, calls, k);
	for (i = 0; i < k; i++) {
		if (calls[i].rc == 0)
			continue;
		/* Registered in the file but not known to the daemon: a reconfig
		 * was lost (crash, daemon down); one reconfig loads them all. */
		if (says_unknown(&calls[i].out, m->unknown)) {
			if (!healed) {
				healed = 1;
				log_warn("%s: %s is in %s but unknown to the server: %s",
					 ctl->label, calls[i].zone, m->include, m->reconfig);
				heal_rc = include_reconfig(m, ctl, need_sync, msg, sizeof(msg));
			}
			if (heal_rc == 0)
				continue;
			snprintf(calls[i].msg, sizeof(calls[i].msg), "%s", msg);
		}
		dnsfile_zone_fail(who[i]->z, DADNS_ETEMPFAIL, "%s: %s", ctl->label, calls[i].msg);
		who[i]->done = 1;
	}
	dnsfile_calls_free(calls, k);
	free(who);
}

void dnsfile_apply_include(const struct dnsfile_include_mode *m, struct dnsfile_ctl *ctl,
			   struct dnsfile_item *items, size_t n, int *need_sync)
{
	char msg[BACKEND_ERR_MAX - 64], why[BACKEND_ERR_MAX];
	int changed = 0, reconfig = *need_sync, rc;
	size_t i;

	rc = dnsfile_batch_register_xfr(m->include, m->flavor, m->zones_dir, ctl->label, items, n,
					m->xfr, m->force_write, &changed, msg, sizeof(msg));
	if (rc < 0) {
		snprintf(why, sizeof(why), "%s: %s", ctl->label, msg);
		dnsfile_batch_fail(items, n, -1, DADNS_ETEMPFAIL, why);
		goto out;
	}
	/* A deleted zone whose file is still there may still be loaded: its
	 * delete did not finish last time. */
	for (i = 0; i < n; i++)
		if (!items[i].done && items[i].del && items[i].file_existed)
			reconfig = 1;
	if ((reconfig || changed) &&
	    include_reconfig(m, ctl, need_sync, msg, sizeof(msg)) < 0) {
		snprintf(why, sizeof(why), "%s: %s", ctl->label, msg);
		dnsfile_batch_fail(items, n, -1, DADNS_ETEMPFAIL, why);
		goto out;
	}
	include_reload(m, ctl, items, n, need_sync);
out:
	dnsfile_batch_finish(items, n, ctl->label);
}

void dnsfile_batch_log(struct dnsfile_ctl *ctl, const struct dnsfile_item *items, size_t n)
{
	int added = 0, changed = 0, deleted = 0, failed = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (items[i].z->result != 0)
			failed++;
		else if (items[i].del)
			deleted++;
		else if (items[i].registered)
			changed++;
		else
			added++;
	}
	log_info("%s: batch of %zu zone(s): %d new, %d changed, %d deleted, %d failed; "
		 "%u control command(s)%s%s%s; %lu control command(s) since start",
		 ctl->label, n, added, changed, deleted, failed, ctl->batch_count,
		 ctl->batch_count ? " (" : "", ctl->batch_count ? dnsfile_ctl_verbs(ctl) : "",
		 ctl->batch_count ? ")" : "", ctl->total);
}

int dnsfile_check_config(const struct config_backend *cfg, const char *include,
			 const char *include_key, struct dnsfile_server *srv, char *err,
			 size_t errlen)
{
	const char *server = cfg->server && *cfg->server ? cfg->server : "127.0.0.1:53";
	struct stat st;
	int rc;

	if (!cfg->zones_dir || cfg->zones_dir[0] != '/') {
		snprintf(err, errlen, "backend %s: zones_dir must be an absolute path", cfg->name);
		return DADNS_EINVAL;
	}
	if (include && include[0] != '/') {
		snprintf(err, errlen, "backend %s: %s must be an absolute path", cfg->name,
			 include_key);
		return DADNS_EINVAL;
	}
	if (stat(cfg->zones_dir, &st) < 0 && (rc = util_mkdir_p(cfg->zones_dir, 0755)) < 0) {
		snprintf(err, errlen, "backend %s: cannot create zones_dir %s: %s", cfg->name,
			 cfg->zones_dir, dadns_strerror(rc));
		return DADNS_EINVAL;
	}
	if (stat(cfg->zones_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "backend %s: zones_dir %s is not a directory", cfg->name,
			 cfg->zones_dir);
		return DADNS_EINVAL;
	}
	if (dnsfile_server_parse(server, srv) < 0) {
		snprintf(err, errlen, "backend %s: server '%s' is not HOST:PORT", cfg->name, server);
		return DADNS_EINVAL;
	}
	return 0;
}
