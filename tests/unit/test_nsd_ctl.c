/* SPDX-License-Identifier: BSD-3-Clause */
/* test_nsd_ctl.c -- NSD's control socket protocol against a stand-in NSD on a unix socket */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/backends/dnsfile.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

/* How the stand-in answers one connection. */
enum mode {
	ANSWER_OK,      /* read the command (and lines up to 0x04), answer per line, "ok" */
	ANSWER_ERROR,   /* "error zone x.test not found" */
	CLOSE_SILENT,   /* read the command line, close without a word */
	HANG,           /* read, never answer */
	OK_EARLY,       /* read the command line, answer "ok", close before the lines */
};

struct fake {
	char path[108];
	int lfd;
	enum mode mode;
	struct strbuf got;   /* what the client sent */
	pthread_t th;
};

/* Read one byte at a time up to and including '\n'; 0 at EOF. */
static int read_line(int fd, struct strbuf *line)
{
	char c;

	strbuf_reset(line);
	while (read(fd, &c, 1) == 1) {
		strbuf_append(line, &c, 1);
		if (c == '\n')
			return 1;
	}
	return line->len > 0;
}

static void write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, s, len);

		if (w <= 0)
			return;
		s += w;
		len -= (size_t)w;
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	struct strbuf line;
	char answer[256];
	int fd = accept(f->lfd, NULL, NULL);

	strbuf_init(&line);
	if (fd < 0)
		return NULL;
	if (read_line(fd, &line))
		strbuf_append(&f->got, line.buf, line.len);
	if (f->mode == CLOSE_SILENT)
		goto out;
	if (f->mode == HANG) {
		sleep(3);
		goto out;
	}
	if (f->mode == OK_EARLY) {
		write_all(fd, "ok\n", 3);
		goto out;
	}
	if (f->mode == ANSWER_ERROR) {
		write_all(fd, "error zone x.test not found\n", 28);
		goto out;
	}
	if (line.buf && strstr(line.buf, "addzones")) {
		/* NSD answers each line as it takes it: with long answers and a
		 * client that only reads at the end, both sides block. */
		while (read_line(fd, &line)) {
			strbuf_append(&f->got, line.buf, line.len);
			if (line.buf[0] == 0x04)
				break;
			memset(answer, 'a', sizeof(answer));
			snprintf(answer, 40, "added: %.20s", line.buf);
			answer[strlen(answer)] = 'a';
			answer[sizeof(answer) - 1] = '\n';
			write_all(fd, answer, sizeof(answer));
		}
	}
	write_all(fd, "ok\n", 3);
out:
	close(fd);
	strbuf_deinit(&line);
	return NULL;
}

static void fake_start(struct fake *f, const char *dir, enum mode mode)
{
	struct sockaddr_un sa;

	memset(f, 0, sizeof(*f));
	strbuf_init(&f->got);
	f->mode = mode;
	snprintf(f->path, sizeof(f->path), "%s/nsd.ctl", dir);
	unlink(f->path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(f->lfd, 4) < 0) {
		perror("fake nsd");
		exit(1);
	}
	pthread_create(&f->th, NULL, fake_main, f);
}

static void fake_stop(struct fake *f)
{
	pthread_join(f->th, NULL);
	close(f->lfd);
	unlink(f->path);
	strbuf_deinit(&f->got);
}

int main(void)
{
	char dir[] = "/tmp/test_nsd_ctl.XXXXXX", missing[160];
	const char *reload[] = { "reload", "a.test", NULL }, *add[] = { "addzones", NULL };
	struct strbuf out, in;
	struct fake f;
	int failed = -1, rc, i;
	int64_t t0;

	if (!mkdtemp(dir))
		return 1;
	strbuf_init(&out);
	strbuf_init(&in);

	fake_start(&f, dir, ANSWER_OK);
	rc = nsd_ctl_socket_run(f.path, reload, NULL, 0, 5000, &out, 1 << 20, &failed);
	fake_stop(&f);
	ok(rc == 0 && failed == 0, "reload: answered, no error");
	is_str(out.buf, "ok\n", "NSD's answer kept");

	/* 3,000 addzones lines, each answered with 256 octets (768 KB, far
	 * over a socket buffer): nsd-control's send-all-then-read hangs here. */
	for (i = 0; i < 3000; i++)
		strbuf_printf(&in, "z%d.test dadns\n", i);
	fake_start(&f, dir, ANSWER_OK);
	strbuf_reset(&out);
	t0 = util_mono_ms();
	rc = nsd_ctl_socket_run(f.path, add, in.buf, in.len, 10000, &out, 1 << 22, &failed);
	ok(rc == 0 && failed == 0, "3,000 addzones lines with long answers: no deadlock (%lld ms)",
	   (long long)(util_mono_ms() - t0));
	is_int(out.len, 3000 * 256 + 3, "every answer read");
	ok(f.got.buf && strncmp(f.got.buf, "NSDCT1  addzones\n", 17) == 0,
	   "the command line as nsd-control sends it");
	ok(f.got.len >= 2 && memcmp(f.got.buf + f.got.len - 2, "\x04\n", 2) == 0,
	   "the lines end with the end marker");
	ok(f.got.buf && strstr(f.got.buf, "\nz2999.test dadns\n") != NULL, "every line sent");
	fake_stop(&f);

	/* without a final newline, one is added before the marker */
	fake_start(&f, dir, ANSWER_OK);
	rc = nsd_ctl_socket_run(f.path, add, "x.test dadns", 12, 5000, NULL, 0, &failed);
	ok(rc == 0 && f.got.buf && strstr(f.got.buf, "x.test dadns\n\x04\n") != NULL,
	   "a last line without newline still ends before the marker");
	fake_stop(&f);

	/* NSD gone before it took every line, yet "ok" came first: not a success */
	strbuf_reset(&in);
	for (i = 0; i < 40000; i++)
		strbuf_printf(&in, "zone%d.test dadns\n", i);
	fake_start(&f, dir, OK_EARLY);
	rc = nsd_ctl_socket_run(f.path, add, in.buf, in.len, 5000, NULL, 0, &failed);
	fake_stop(&f);
	ok(rc < 0 && rc != DADNS_ETIMEDOUT, "closed before all %zu octets were taken: an error (%s)",
	   in.len, dadns_strerror(rc));

	fake_start(&f, dir, ANSWER_ERROR);
	strbuf_reset(&out);
	rc = nsd_ctl_socket_run(f.path, reload, NULL, 0, 5000, &out, 1 << 20, &failed);
	fake_stop(&f);
	ok(rc == 0 && failed == 1, "an answer starting with error is a failure");
	ok(strstr(out.buf, "not found") != NULL, "with NSD's words");

	fake_start(&f, dir, CLOSE_SILENT);
	rc = nsd_ctl_socket_run(f.path, reload, NULL, 0, 5000, NULL, 0, &failed);
	fake_stop(&f);
	is_int(rc, DADNS_EIO, "closed without an answer: an error, not success");

	fake_start(&f, dir, HANG);
	t0 = util_mono_ms();
	rc = nsd_ctl_socket_run(f.path, reload, NULL, 0, 500, NULL, 0, &failed);
	is_int(rc, DADNS_ETIMEDOUT, "no answer: timed out");
	ok(util_mono_ms() - t0 < 2000, "after the timeout, not the server's pace");
	fake_stop(&f);

	{
		const char *inject[] = { "reload", "a.test\nNSDCT1 stop", NULL };

		rc = nsd_ctl_socket_run("/nonexistent.ctl", inject, NULL, 0, 500, NULL, 0, &failed);
		is_int(rc, DADNS_EINVAL, "an argument with a line break is refused before connecting");
	}

	snprintf(missing, sizeof(missing), "%s/none.ctl", dir);
	rc = nsd_ctl_socket_run(missing, reload, NULL, 0, 500, NULL, 0, &failed);
	is_int(rc, -ENOENT, "no socket (NSD not running): ENOENT");
	rc = nsd_ctl_socket_run("/tmp/x/" "0123456789012345678901234567890123456789012345678901234567890"
				"0123456789012345678901234567890123456789012345678901234567890.ctl",
				reload, NULL, 0, 500, NULL, 0, &failed);
	is_int(rc, DADNS_EINVAL, "a path too long for a unix socket is refused");

	{
		/* a socket nobody listens on: refused */
		struct sockaddr_un sa;
		int s = socket(AF_UNIX, SOCK_STREAM, 0);

		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dead.ctl", dir);
		bind(s, (struct sockaddr *)&sa, sizeof(sa));
		close(s);
		rc = nsd_ctl_socket_run(sa.sun_path, reload, NULL, 0, 500, NULL, 0, &failed);
		is_int(rc, -ECONNREFUSED, "a stale socket file (NSD stopped): ECONNREFUSED");
		unlink(sa.sun_path);
	}

	strbuf_deinit(&in);
	strbuf_deinit(&out);
	rmdir(dir);
	return tap_done();
}
