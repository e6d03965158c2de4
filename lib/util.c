/* SPDX-License-Identifier: BSD-3-Clause */
/* util.c -- error codes, checked allocation, strings, files and child processes */
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

const char *dadns_strerror(int err)
{
	switch (err) {
	case DADNS_OK: return "success";
	case DADNS_EPARSE: return "malformed input";
	case DADNS_ETEMPFAIL: return "temporary failure";
	case DADNS_EPERMFAIL: return "permanent failure";
	default:
		if (err < 0 && err > -1000)
			return strerror(-err);
		return "unknown error";
	}
}

static void oom(void)
{
	static const char msg[] = "fatal: out of memory\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);
	(void)r;
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	va_end(ap);
	return p;
}

void util_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

void util_free_secret(char *s)
{
	if (!s)
		return;
	util_wipe(s, strlen(s));
	free(s);
}

int util_ct_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = (unsigned char)(la != lb);

	for (i = 0; i < lb; i++)
		diff |= (unsigned char)(b[i] ^ (i < la ? a[i] : 0));
	return diff == 0;
}

int64_t util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t util_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void strbuf_init(struct strbuf *sb)
{
	sb->cap = 64;
	sb->len = 0;
	sb->buf = xmalloc(sb->cap);
	sb->buf[0] = '\0';
}

void strbuf_deinit(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->buf[0] = '\0';
}

static void strbuf_grow(struct strbuf *sb, size_t more)
{
	size_t need = sb->len + more + 1;

	if (need <= sb->cap)
		return;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void strbuf_append(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_append(sb, s, strlen(s));
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len) {
		strbuf_grow(sb, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

char *strbuf_steal(struct strbuf *sb)
{
	char *p = sb->buf;

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

static int fsync_dir_of(const char *path)
{
	char *copy = xstrdup(path);
	int fd, rc = 0;

	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		rc = -errno;
	else if (fsync(fd) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int util_write_file_atomic_with(const char *path, mode_t mode, int (*fill)(FILE *f, void *arg),
				void *arg)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	FILE *f = NULL;
	int fd, rc;

	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		rc = -errno;
		close(fd);
		goto out;
	}
	rc = fill(f, arg);
	if (rc < 0)
		goto out;
	if (fflush(f) != 0 || ferror(f) || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		rc = errno ? -errno : DADNS_EIO;
		goto out;
	}
	rc = fclose(f);
	f = NULL;
	if (rc != 0) {
		rc = -errno;
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		goto out;
	}
	rc = fsync_dir_of(path);
out:
	if (f)
		fclose(f);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

struct write_buf {
	const void *data;
	size_t len;
};

static int fill_buf(FILE *f, void *arg)
{
	const struct write_buf *b = arg;

	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		return errno ? -errno : DADNS_EIO;
	return 0;
}

int util_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	struct write_buf b = { data, len };

	return util_write_file_atomic_with(path, mode, fill_buf, &b);
}

int util_read_file(const char *path, size_t max, char **out, size_t *outlen)
{
	struct strbuf sb;
	char buf[65536];
	int fd, rc = 0;
	ssize_t r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	strbuf_init(&sb);
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (sb.len + (size_t)r > max) {
			rc = DADNS_E2BIG;
			goto out;
		}
		strbuf_append(&sb, buf, (size_t)r);
	}
	if (outlen)
		*outlen = sb.len;
	*out = strbuf_steal(&sb);
out:
	close(fd);
	if (rc < 0)
		strbuf_deinit(&sb);
	return rc;
}

int util_mkdir_p(const char *path, mode_t mode)
{
	char *copy = xstrdup(path), *p;
	int rc = 0;

	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST) {
			rc = -errno;
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return rc;
}

/* Feed `in` to the child's stdin and collect its output (up to max octets,
 * the rest read and dropped) until it closes stdout, or time runs out. */
static int run_io(int ofd, int ifd, const char *in, size_t inlen, int64_t deadline,
		  struct strbuf *out, size_t max)
{
	size_t sent = 0;
	char buf[8192];
	int rc = 0;

	for (;;) {
		struct pollfd p[2] = { { .fd = ofd, .events = POLLIN }, { .fd = ifd, .events = POLLOUT } };
		int64_t left = deadline - util_mono_ms();
		ssize_t r;
		int np = ifd >= 0 ? 2 : 1;

		if (left <= 0) {
			rc = DADNS_ETIMEDOUT;
			break;
		}
		if (poll(p, (nfds_t)np, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (ifd >= 0 && p[1].revents) {
			r = send(ifd, in + sent, inlen - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (r > 0)
				sent += (size_t)r;
			/* The child may stop reading early; its output says why. */
			if (sent == inlen || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				close(ifd);
				ifd = -1;
			}
		}
		if (!p[0].revents)
			continue;
		r = read(ofd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out && out->len < max)
			strbuf_append(out, buf, (size_t)r < max - out->len ? (size_t)r : max - out->len);
	}
	if (ifd >= 0)
		close(ifd);
	return rc;
}

static void run_child(char *const argv[], int ifd, int ofd)
{
	static const char msg[] = "cannot run the program\n";
	sigset_t none;
	ssize_t w;

	/* The caller may block signals in its threads; the child must not
	 * inherit that, nor an ignored SIGPIPE. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Its own process group: a timeout kills what it started too (a
	 * wrapper script's children, sudo's). */
	setpgid(0, 0);
	if (ifd >= 0)
		dup2(ifd, 0);
	else
		dup2(open("/dev/null", O_RDONLY), 0);
	dup2(ofd, 1);
	dup2(ofd, 2);
	execvp(argv[0], argv);
	w = write(2, msg, sizeof(msg) - 1);
	(void)w;
	_exit(127);
}

int util_run(char *const argv[], const char *in, size_t inlen, int timeout_ms,
	     struct strbuf *out, size_t max, int *status)
{
	int op[2] = { -1, -1 }, sp[2] = { -1, -1 }, rc, wst = 0;
	pid_t pid;

	if (!in)
		inlen = 0;
	if (pipe2(op, O_CLOEXEC) < 0)
		return -errno;
	/* A socket rather than a pipe for stdin: send() with MSG_NOSIGNAL
	 * cannot raise SIGPIPE in a threaded daemon. */
	if (inlen && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		rc = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0)
		run_child(argv, sp[1], op[1]);
	setpgid(pid, pid);  /* also here: no race with a kill on a quick timeout */
	close(op[1]);
	op[1] = -1;
	if (sp[1] >= 0)
		close(sp[1]);
	sp[1] = -1;
	rc = run_io(op[0], sp[0], in, inlen, util_mono_ms() + timeout_ms, out, max);
	sp[0] = -1;  /* closed by run_io */
	if (rc == DADNS_ETIMEDOUT) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	if (status)
		*status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
out:
	if (op[0] >= 0)
		close(op[0]);
	if (op[1] >= 0)
		close(op[1]);
	if (sp[0] >= 0)
		close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
	return rc;
}

char **util_argv_split(const char *cmdline, size_t extra, size_t *argc)
{
	size_t n = 0, cap = 8;
	char **argv = xcalloc(cap + extra + 1, sizeof(char *));
	const char *p = cmdline ? cmdline : "";
	struct strbuf word;

	strbuf_init(&word);
	for (;;) {
		char quote = 0;
		int have = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		strbuf_reset(&word);
		while (*p && (quote || (*p != ' ' && *p != '\t'))) {
			if (!quote && (*p == '"' || *p == '\'')) {
				quote = *p++;
				have = 1;
				continue;
			}
			if (quote && *p == quote) {
				quote = 0;
				p++;
				continue;
			}
			strbuf_append(&word, p++, 1);
			have = 1;
		}
		if (!have)
			continue;
		if (n == cap) {
			cap *= 2;
			argv = xrealloc(argv, (cap + extra + 1) * sizeof(char *));
		}
		argv[n++] = xstrdup(word.buf);
	}
	strbuf_deinit(&word);
	memset(argv + n, 0, (cap + extra + 1 - n) * sizeof(char *));
	if (argc)
		*argc = n;
	return argv;
}

void util_argv_free(char **argv)
{
	char **p;

	if (!argv)
		return;
	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}
