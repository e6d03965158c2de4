/* SPDX-License-Identifier: BSD-3-Clause */
/* dnsfile.c -- zone files, include files, batches and control commands for nsd and bind */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/backends/dnsfile.h"
#include "lib/log.h"
#include "lib/util.h"

#define SET_TAIL_MAX 64

int dnsfile_name_ok(const char *domain)
{
	size_t len, i;

	if (!domain)
		return 0;
	len = strlen(domain);
	if (len == 0 || len > DNSFILE_NAME_MAX || domain[0] == '.' || domain[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		char c = domain[i];

		if (c == '.') {
			if (domain[i + 1] == '.')
				return 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int dnsfile_zone_path(const char *zones_dir, const char *domain, char *out, size_t outlen)
{
	int n;

	if (!dnsfile_name_ok(domain))
		return DADNS_EINVAL;
	n = snprintf(out, outlen, "%s/%s%s", zones_dir, domain, DNSFILE_SUFFIX);
	if (n < 0 || (size_t)n >= outlen)
		return DADNS_E2BIG;
	return 0;
}

void dnsfile_zone_fail(struct backend_zone *z, int result, const char *fmt, ...)
{
	va_list ap;

	z->result = result;
	va_start(ap, fmt);
	vsnprintf(z->error, sizeof(z->error), fmt, ap);
	va_end(ap);
}

char *dnsfile_oneline(const char *s, size_t max)
{
	const char *end = s + strlen(s);
	struct strbuf sb;
	int pending = 0;

	strbuf_init(&sb);
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (; s < end && sb.len < max; s++) {
		if (*s == '\n' || *s == '\r') {
			pending = 1;
			continue;
		}
		if (pending)
			strbuf_puts(&sb, "; ");
		pending = 0;
		strbuf_append(&sb, s, 1);
	}
	return strbuf_steal(&sb);
}

/* ---- sets of names ---- */

void dnsfile_set_init(struct dnsfile_set *s)
{
	memset(s, 0, sizeof(*s));
}

void dnsfile_set_deinit(struct dnsfile_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

static int set_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names are sorted up to s->sorted (a count); later ones are a short
 * unsorted tail, so that a batch of additions costs no full sort each. */
static void set_sort(struct dnsfile_set *s)
{
	if (s->sorted == s->n)
		return;
	qsort(s->names, s->n, sizeof(char *), set_cmp);
	s->sorted = s->n;
}

static long set_find(struct dnsfile_set *s, const char *name)
{
	char **hit;
	size_t i;

	hit = s->sorted ? bsearch(&name, s->names, s->sorted, sizeof(char *), set_cmp) : NULL;
	if (hit)
		return hit - s->names;
	for (i = s->sorted; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return (long)i;
	return -1;
}

int dnsfile_set_has(struct dnsfile_set *s, const char *name)
{
	return set_find(s, name) >= 0;
}

int dnsfile_set_add(struct dnsfile_set *s, const char *name)
{
	if (set_find(s, name) >= 0)
		return 0;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->names = xrealloc(s->names, s->cap * sizeof(char *));
	}
	s->names[s->n++] = xstrdup(name);
	if (s->n - s->sorted > SET_TAIL_MAX)
		set_sort(s);
	return 1;
}

int dnsfile_set_del(struct dnsfile_set *s, const char *name)
{
	long i = set_find(s, name);

	if (i < 0)
		return 0;
	free(s->names[i]);
	memmove(s->names + i, s->names + i + 1, (s->n - (size_t)i - 1) * sizeof(char *));
	s->n--;
	if ((size_t)i < s->sorted)
		s->sorted--;
	return 1;
}

/* ---- include files ---- */

/* The zone name a line of our own include file declares, into name; 0 when
 * the line declares none. */
static int include_line_name(const char *line, enum dnsfile_flavor flavor, char *name, size_t len)
{
	const char *p = line, *end;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (flavor == DNSFILE_NSD) {
		if (strncmp(p, "name:", 5) != 0)
			return 0;
		p += 5;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			end = strchr(++p, '"');
		} else {
			end = p + strcspn(p, " \t#\r\n");
		}
	} else {
		if (strncmp(p, "zone \"", 6) != 0)
			return 0;
		p += 6;
		end = strchr(p, '"');
	}
	if (!end)
		return 0;
	n = (size_t)(end - p);
	if (n == 0 || n >= len)
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	return 1;
}

int dnsfile_include_read(const char *path, enum dnsfile_flavor flavor, struct dnsfile_set *s)
{
	char *line = NULL, name[512];
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int rc = 0;

	/* Line by line: with 10,000 zones the file is over a megabyte. */
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (!include_line_name(line, flavor, name, sizeof(name)))
			continue;
		if (!dnsfile_name_ok(name)) {
			log_warn("%s: skipping zone name '%s' that dadns would not write", path, name);
			continue;
		}
		dnsfile_set_add(s, name);
	}
	if (ferror(f))
		rc = errno ? -errno : DADNS_EIO;
	free(line);
	fclose(f);
	return rc;
}

struct include_args {
	enum dnsfile_flavor flavor;
	const char *zones_dir, *owner;
	struct dnsfile_set *s;
	const struct dnsfile_xfr *x;
};

static int include_print(FILE *f, void *arg)
{
	const struct include_args *a = arg;
	const char *c = a->flavor == DNSFILE_NSD ? "#" : "//";
	const char *extra = a->x && a->x->zone_extra ? a->x->zone_extra : NULL;
	size_t i;

	set_sort(a->s);
	fprintf(f, "%s Written by dadns (%s): %zu zone(s). Do not edit: dadns rewrites it.\n", c,
		a->owner, a->s->n);
	if (a->x && a->x->keys_path)
		fprintf(f, a->flavor == DNSFILE_NSD ? "include: \"%s\"\n" : "include \"%s\";\n",
			a->x->keys_path);
	if (!extra && a->flavor == DNSFILE_NSD)
		extra = "\tprovide-xfr: 127.0.0.1 NOKEY\n\tprovide-xfr: ::1 NOKEY\n";
	for (i = 0; i < a->s->n; i++) {
		const char *d = a->s->names[i];

		if (a->flavor == DNSFILE_NSD)
			fprintf(f, "zone:\n\tname: \"%s\"\n\tzonefile: \"%s/%s%s\"\n%s", d,
				a->zones_dir, d, DNSFILE_SUFFIX, extra);
		else
			fprintf(f, "zone \"%s\" { type primary; file \"%s/%s%s\";%s };\n", d,
				a->zones_dir, d, DNSFILE_SUFFIX, extra ? extra : "");
	}
	return 0;
}

/* "NAME.tmp.XXXXXX" with six characters of mkstemp at the end. */
static int is_tmp_name(const char *name, const char *prefix)
{
	size_t len = strlen(name);

	if (len < 12 || strncmp(name + len - 11, ".tmp.", 5) != 0)
		return 0;
	return !prefix || !strncmp(name, prefix, strlen(prefix));
}

int dnsfile_sweep_tmp(const char *dir, const char *prefix, const char *label)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (!is_tmp_name(de->d_name, prefix))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0) {
			log_info("%s: removed %s/%s, left by a writer that was stopped", label, dir,
				 de->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

int dnsfile_sweep_tmp_of(const char *path, const char *label)
{
	const char *slash;
	char *dir, *prefix;
	int rc;

	if (!path || !*path)
		return 0;
	slash = strrchr(path, '/');
	dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	prefix = xasprintf("%s.tmp.", slash ? slash + 1 : path);
	rc = dnsfile_sweep_tmp(dir, prefix, label);
	free(dir);
	free(prefix);
	return rc;
}

int dnsfile_include_write(const char *path, enum dnsfile_flavor flavor, const char *zones_dir,
			  const char *owner, struct dnsfile_set *s)
{
	return dnsfile_include_write_xfr(path, flavor, zones_dir, owner, s, NULL);
}

int dnsfile_include_write_xfr(const char *path, enum dnsfile_flavor flavor, const char *zones_dir,
			      const char *owner, struct dnsfile_set *s, const struct dnsfile_xfr *x)
{
	struct include_args a = { flavor, zones_dir, owner, s, x };

	/* Straight to the temporary file: never the whole text in memory. */
	return util_write_file_atomic_with(path, 0644, include_print, &a);
}

/* ---- control commands ---- */

void dnsfile_ctl_init(struct dnsfile_ctl *c, const char *label, const char *control,
		      int timeout_s)
{
	memset(c, 0, sizeof(*c));
	c->label = xstrdup(label);
	c->control = xstrdup(control);
	c->timeout_ms = (timeout_s > 0 ? timeout_s : 30) * 1000;
	strbuf_init(&c->verbs);
}

void dnsfile_ctl_use_socket(struct dnsfile_ctl *c, const char *path)
{
	free(c->socket_path);
	c->socket_path = xstrdup(path);
}

void dnsfile_ctl_deinit(struct dnsfile_ctl *c)
{
	free(c->label);
	free(c->control);
	free(c->socket_path);
	strbuf_deinit(&c->verbs);
	memset(c, 0, sizeof(*c));
}

void dnsfile_ctl_batch_start(struct dnsfile_ctl *c)
{
	c->batch_count = 0;
	c->n_verbs = 0;
	strbuf_reset(&c->verbs);
}

/* Count one command with this verb (main thread only). */
static void ctl_count(struct dnsfile_ctl *c, const char *verb)
{
	size_t i;

	c->batch_count++;
	c->total++;
	for (i = 0; i < c->n_verbs; i++)
		if (strcmp(c->verb[i].name, verb) == 0)
			break;
	if (i == c->n_verbs) {
		if (c->n_verbs == DNSFILE_VERBS_MAX)
			return;
		snprintf(c->verb[i].name, sizeof(c->verb[i].name), "%s", verb);
		c->verb[i].n = 0;
		c->n_verbs++;
	}
	c->verb[i].n++;
}

const char *dnsfile_ctl_verbs(struct dnsfile_ctl *c)
{
	size_t i;

	strbuf_reset(&c->verbs);
	for (i = 0; i < c->n_verbs; i++) {
		strbuf_printf(&c->verbs, "%s%s", i ? ", " : "", c->verb[i].name);
		if (c->verb[i].n > 1)
			strbuf_printf(&c->verbs, " x%u", c->verb[i].n);
	}
	return c->verbs.buf;
}

/* The command on NSD's control socket instead: the same messages, the
 * socket's path where the program would be named. */
static int ctl_socket(const struct dnsfile_ctl *c, const char *const *args, const char *in,
		      size_t inlen, struct strbuf *out, char *msg, size_t msglen)
{
	struct strbuf buf;
	char *line;
	int rc, failed = 0;

	strbuf_init(&buf);
	rc = nsd_ctl_socket_run(c->socket_path, args, in, inlen, c->timeout_ms, &buf,
				DNSFILE_OUT_MAX, &failed);
	if (out) {
		strbuf_reset(out);
		strbuf_append(out, buf.buf, buf.len);
	}
	line = dnsfile_oneline(buf.buf, 400);
	if (rc == DADNS_ETIMEDOUT)
		snprintf(msg, msglen, "%s on %s timed out after %d s", args[0], c->socket_path,
			 c->timeout_ms / 1000);
	else if (rc < 0)
		snprintf(msg, msglen, "%s on %s: %s", args[0], c->socket_path, dadns_strerror(rc));
	else if (failed)
		snprintf(msg, msglen, "%s on %s failed: %s", args[0], c->socket_path, line);
	else
		snprintf(msg, msglen, "%s", line);
	log_debug("%s: sent %s%s%s to %s (%s): %s", c->label, args[0], args[1] ? " " : "",
		  args[1] ? args[1] : "", c->socket_path,
		  rc < 0 ? dadns_strerror(rc) : failed ? "failed" : "ok", line);
	free(line);
	strbuf_deinit(&buf);
	return (rc == 0 && !failed) ? 0 : DADNS_ETEMPFAIL;
}

/* Run the control command with args; counts nothing, so threads may share c. */
static int ctl_exec(const struct dnsfile_ctl *c, const char *const *args, const char *in,
		    size_t inlen, struct strbuf *out, char *msg, size_t msglen)
{
	char *prog, *line;
	size_t nargs = 0, argc, i;
	struct strbuf buf;
	char **argv;
	int rc, status = 0;

	if (c->socket_path)
		return ctl_socket(c, args, in, inlen, out, msg, msglen);
	while (args[nargs])
		nargs++;
	argv = util_argv_split(c->control, nargs, &argc);
	for (i = 0; i < nargs; i++)
		argv[argc + i] = xstrdup(args[i]);
	prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	strbuf_init(&buf);
	rc = util_run(argv, in, inlen, c->timeout_ms, &buf, DNSFILE_OUT_MAX, &status);
	if (out) {
		strbuf_reset(out);
		strbuf_append(out, buf.buf, buf.len);
	}
	line = dnsfile_oneline(buf.buf, 400);
	if (rc == DADNS_ETIMEDOUT)
		snprintf(msg, msglen, "%s %s timed out after %d s", prog, args[0], c->timeout_ms / 1000);
	else if (rc < 0)
		snprintf(msg, msglen, "cannot run %s: %s", prog, dadns_strerror(rc));
	else if (status != 0)
		snprintf(msg, msglen, "%s %s exited %d: %s", prog, args[0], status, line);
	else
		snprintf(msg, msglen, "%s", line);
	log_debug("%s: ran %s %s%s%s (%s): %s", c->label, prog, args[0], nargs > 1 ? " " : "",
		  nargs > 1 ? args[1] : "", rc < 0 ? dadns_strerror(rc) : status ? "failed" : "ok",
		  line);
	rc = (rc == 0 && status == 0) ? 0 : DADNS_ETEMPFAIL;
	free(line);
	strbuf_deinit(&buf);
	util_argv_free(argv);
	return rc;
}

int dnsfile_ctl_run(struct dnsfile_ctl *c, const char *const *args, const char *in,
		    size_t inlen, struct strbuf *out, char *msg, size_t msglen)
{
	ctl_count(c, args[0]);
	return ctl_exec(c, args, in, inlen, out, msg, msglen);
}

struct run_many {
	const struct dnsfile_ctl *c;
	struct dnsfile_call *calls;
	size_t n;
	size_t next;  /* next call to take, atomically */
};

static void *run_many_thread(void *arg)
{
	struct run_many *m = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&m->next, 1, __ATOMIC_RELAXED)) < m->n) {
		struct dnsfile_call *k = &m->calls[i];
		const char *args[] = { k->verb, k->zone, NULL };

		k->rc = ctl_exec(m->c, args, NULL, 0, &k->out, k->msg, sizeof(k->msg));
	}
	return NULL;
}

void dnsfile_ctl_run_many(struct dnsfile_ctl *c, struct dnsfile_call *calls, size_t n)
{
	struct run_many m = { .c = c, .calls = calls, .n = n, .next = 0 };
	pthread_t th[DNSFILE_PARALLEL];
	size_t i, started = 0;

	for (i = 0; i < n; i++) {
		ctl_count(c, calls[i].verb);
		strbuf_init(&calls[i].out);
	}
	/* Each command is a process and a TLS handshake (tens of ms): a few at
	 * once cut the time of a batch of changed zones. */
	for (i = 1; i < DNSFILE_PARALLEL && i < n; i++)
		if (pthread_create(&th[started], NULL, run_many_thread, &m) == 0)
			started++;
	run_many_thread(&m);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

void dnsfile_calls_free(struct dnsfile_call *calls, size_t n)
{
	size_t i;

	if (!calls)
		return;
	for (i = 0; i < n; i++)
		strbuf_deinit(&calls[i].out);
	free(calls);
}
