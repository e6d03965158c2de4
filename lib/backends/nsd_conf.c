/* SPDX-License-Identifier: BSD-3-Clause */
/* nsd_conf.c -- what NSD's own configuration says (nsd-checkconf), and what NSD logged
 *
 * dadns writes the zone of domain D to <zones_dir>/D.zone and registers it
 * under a pattern; NSD reads the file the pattern's zonefile names. When
 * the two differ every push ends in failed verifications, so the worker
 * (and `dadnsctl config check`) asks NSD's configuration first and refuses
 * to start, naming both paths. When NSD cannot load a zone anyway (a file
 * broken after dadns wrote it, NSD's user cannot read it), the reason is in
 * NSD's log: the lines naming the file are copied into the worker's log.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/backends/dnsfile.h"
#include "lib/backends/nsd_conf.h"
#include "lib/log.h"
#include "lib/util.h"

#define NSD_DEFAULT_CONF "/etc/nsd/nsd.conf"
/* What is read of NSD's log per explanation, and zones explained per batch. */
#define LOG_READ_MAX (256 * 1024)
#define EXPLAIN_MAX 8

char *nsd_conf_path(const struct config_backend *cfg)
{
	char **argv;
	char *path = NULL;
	size_t argc, i;

	if (cfg->nsd_config && *cfg->nsd_config)
		return xstrdup(cfg->nsd_config);
	if (cfg->control && *cfg->control) {
		argv = util_argv_split(cfg->control, 0, &argc);
		for (i = 1; i + 1 < argc && !path; i++)
			if (!strcmp(argv[i], "-c"))
				path = xstrdup(argv[i + 1]);
		util_argv_free(argv);
		if (path)
			return path;
	}
	return access(NSD_DEFAULT_CONF, F_OK) == 0 ? xstrdup(NSD_DEFAULT_CONF) : NULL;
}

/* nsd-checkconf [-p pattern] -o option conf: its one line of output into
 * *value (caller frees). 0, or DADNS_EINVAL with err. */
static int checkconf(const char *conf, const char *pattern, const char *option, int timeout_ms,
		     char **value, char *err, size_t errlen)
{
	char *argv[8];
	struct strbuf out;
	int rc, status = 0, n = 0;
	char *line;

	argv[n++] = "nsd-checkconf";
	if (pattern) {
		argv[n++] = "-p";
		argv[n++] = (char *)pattern;
	}
	argv[n++] = "-o";
	argv[n++] = (char *)option;
	argv[n++] = (char *)conf;
	argv[n] = NULL;
	strbuf_init(&out);
	rc = util_run(argv, NULL, 0, timeout_ms, &out, 64 * 1024, &status);
	line = dnsfile_oneline(out.buf, 300);
	if (rc < 0 || status != 0) {
		snprintf(err, errlen, "nsd-checkconf %s%s%s-o %s %s: %s", pattern ? "-p " : "",
			 pattern ? pattern : "", pattern ? " " : "", option, conf,
			 rc < 0 ? dadns_strerror(rc) : line);
		free(line);
		strbuf_deinit(&out);
		return DADNS_EINVAL;
	}
	free(line);
	/* the value, without its line end */
	out.buf[strcspn(out.buf, "\r\n")] = '\0';
	*value = xstrdup(out.buf);
	strbuf_deinit(&out);
	return 0;
}

/* path made absolute against dir (NSD's zonesdir) when relative. */
static char *absolute(const char *path, const char *dir)
{
	if (path[0] == '/' || !dir || !*dir)
		return xstrdup(path);
	return xasprintf("%s/%s", dir, path);
}

/* Do NSD's zonefile (absolute) and dadns's "<zones_dir>/%s.zone" name the
 * same files? The same string, or "%s.zone" in the same directory after
 * symbolic links are resolved. */
static int same_files(const char *nsd, const char *want, const char *zones_dir)
{
	const char *slash = strrchr(nsd, '/');
	char a[PATH_MAX], b[PATH_MAX];
	char *dir;
	int same;

	if (!strcmp(nsd, want))
		return 1;
	if (!slash || strcmp(slash + 1, "%s" DNSFILE_SUFFIX) != 0)
		return 0;
	dir = xstrndup(nsd, (size_t)(slash - nsd));
	same = realpath(dir[0] ? dir : "/", a) && realpath(zones_dir, b) && !strcmp(a, b);
	free(dir);
	return same;
}

/* Pattern mode: the pattern's zonefile is where dadns writes. */
static int check_pattern(const struct config_backend *cfg, const char *conf, int timeout_ms,
			 char *err, size_t errlen)
{
	char *zf = NULL, *zonesdir = NULL, *nsd = NULL, *want, *dir;
	char why[600];
	int rc;

	dir = xstrdup(cfg->zones_dir);
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	want = xasprintf("%s/%%s%s", dir, DNSFILE_SUFFIX);
	rc = checkconf(conf, cfg->pattern, "zonefile", timeout_ms, &zf, why, sizeof(why));
	if (rc == 0 && zf[0] && zf[0] != '/')
		rc = checkconf(conf, NULL, "zonesdir", timeout_ms, &zonesdir, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "backend %s: %s", cfg->name, why);
	} else if (!zf[0]) {
		snprintf(err, errlen, "backend %s: pattern %s in %s has no zonefile; dadns writes "
			 "the zones to %s: add zonefile: \"%s\" to it", cfg->name, cfg->pattern, conf,
			 want, want);
		rc = DADNS_EINVAL;
	} else if (!same_files((nsd = absolute(zf, zonesdir)), want, dir)) {
		snprintf(err, errlen, "backend %s: NSD reads the zones of pattern %s from %s (%s) "
			 "but dadns writes them to %s: set zonefile: \"%s\" in the pattern, or "
			 "zones_dir", cfg->name, cfg->pattern, nsd, conf, want, want);
		rc = DADNS_EINVAL;
	}
	free(zf);
	free(zonesdir);
	free(nsd);
	free(want);
	free(dir);
	return rc;
}

int nsd_conf_check(const struct config_backend *cfg, struct nsd_conf *nc, char *err,
		   size_t errlen)
{
	int timeout_ms = (cfg->timeout > 0 ? cfg->timeout : 30) * 1000;
	char *conf = nsd_conf_path(cfg), *logfile = NULL;
	char why[600];
	int rc = 0;

	if (!conf) {
		log_warn("backend %s: no NSD configuration found (%s, or set nsd_config): the "
			 "pattern's zonefile and NSD's log cannot be checked", cfg->name,
			 NSD_DEFAULT_CONF);
		return 0;
	}
	if (cfg->pattern && *cfg->pattern)
		rc = check_pattern(cfg, conf, timeout_ms, err, errlen);
	if (rc == 0 && checkconf(conf, NULL, "logfile", timeout_ms, &logfile, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "backend %s: %s", cfg->name, why);
		rc = DADNS_EINVAL;
	}
	/* a relative logfile is relative to where NSD started: unknown */
	if (rc == 0 && nc && logfile && logfile[0] == '/') {
		nc->logfile = logfile;
		logfile = NULL;
	}
	free(logfile);
	free(conf);
	return rc;
}

void nsd_conf_deinit(struct nsd_conf *nc)
{
	free(nc->logfile);
	memset(nc, 0, sizeof(*nc));
}

void nsd_conf_mark(struct nsd_conf *nc)
{
	struct stat sb;

	nc->explained = 0;
	nc->log_mark = nc->logfile && stat(nc->logfile, &sb) == 0 ? sb.st_size : 0;
}

/* Append s to words ("; " between), at most NSD_WORDS_MAX octets. */
static void words_add(struct strbuf *words, const char *s, size_t len)
{
	size_t sep = words->len ? 2 : 0, room;

	if (words->len + sep >= NSD_WORDS_MAX)
		return;
	strbuf_append(words, "; ", sep);
	room = NSD_WORDS_MAX - words->len;
	strbuf_append(words, s, len < room ? len : room);
}

void nsd_conf_scan_log(char *buf, const char *path, struct strbuf *words)
{
	char *line, *next, *p;

	if (!*path)
		return;
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (!strstr(line, path))
			continue;
		/* without "[time] nsd[pid]: " (nsd-checkzone's too) or "nsd[pid]: " */
		p = strstr(line, "]: ");
		if (p && (line[0] == '[' || (strstr(line, "nsd[") && strstr(line, "nsd[") < p)))
			p += 3;
		else
			p = line;
		words_add(words, p, strlen(p));
	}
}

/* The lines NSD logged since the mark that name path, into words. */
static void log_words(struct nsd_conf *nc, const char *path, struct strbuf *words)
{
	struct stat sb;
	off_t from = nc->log_mark;
	ssize_t got;
	char *buf;
	int fd;

	fd = open(nc->logfile, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return;
	}
	if (sb.st_size < from)
		from = 0;  /* rotated */
	if (sb.st_size - from > LOG_READ_MAX)
		from = sb.st_size - LOG_READ_MAX;
	buf = xmalloc(LOG_READ_MAX + 1);
	got = pread(fd, buf, LOG_READ_MAX, from);
	close(fd);
	buf[got > 0 ? got : 0] = '\0';
	nsd_conf_scan_log(buf, path, words);
	free(buf);
}

/* What nsd-checkzone says of the file, when it refuses it. */
static void checkzone_words(const char *path, const char *domain, struct strbuf *words)
{
	char *argv[] = { "nsd-checkzone", (char *)domain, (char *)path, NULL };
	struct strbuf out, found;
	int status = 0;
	char *line, *said;

	strbuf_init(&out);
	strbuf_init(&found);
	if (util_run(argv, NULL, 0, 10000, &out, 64 * 1024, &status) == 0 && status != 0) {
		line = dnsfile_oneline(out.buf, NSD_WORDS_MAX);
		/* its lines naming the file, else all it said */
		nsd_conf_scan_log(out.buf, path, &found);
		said = xasprintf("nsd-checkzone: %s", found.len ? found.buf : line);
		words_add(words, said, strlen(said));
		free(said);
		free(line);
	}
	strbuf_deinit(&found);
	strbuf_deinit(&out);
}

void nsd_conf_explain(struct nsd_conf *nc, const char *label, const char *path,
		      struct backend_zone *z)
{
	struct strbuf words;
	size_t len;

	if (nc->explained++ >= EXPLAIN_MAX)
		return;
	strbuf_init(&words);
	if (nc->logfile)
		log_words(nc, path, &words);
	else
		checkzone_words(path, z->domain, &words);
	if (words.len) {
		log_warn("%s: NSD did not load %s: %s", label, z->domain, words.buf);
		len = strlen(z->error);
		snprintf(z->error + len, sizeof(z->error) - len, " (NSD: %s)", words.buf);
	} else if (!nc->logfile) {
		log_warn("%s: NSD does not serve %s from %s; NSD's reason, if any, is in its "
			 "log (syslog; set logfile: in nsd.conf to see it here)", label, z->domain,
			 path);
	}
	strbuf_deinit(&words);
}
