/* SPDX-License-Identifier: BSD-3-Clause */
/* nsd_ctl.c -- NSD's remote control on its unix socket, spoken directly (no nsd-control) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/backends/dnsfile.h"
#include "lib/util.h"

/*
 * NSD (>= 4.3) with "control-interface: /path" listens on a unix socket
 * without TLS. A command is one line, "NSDCT1" then each argument after a
 * space; addzones and delzones then send their lines and an end marker
 * (0x04, newline). NSD answers with text and closes the connection; an
 * answer whose first line starts with "error" is a failure (what
 * nsd-control's exit status 1 says).
 *
 * Unlike nsd-control, which sends all of stdin before it reads, this reads
 * while it writes: NSD answers each addzones line as it takes it, and
 * nsd-control (4.6) hangs once those answers fill the socket buffer.
 */

#define NSD_CTL_MAGIC "NSDCT1"

static int connect_unix(const char *path, int64_t deadline)
{
	struct sockaddr_un sa;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return DADNS_EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A unix socket connects at once, or says EAGAIN when NSD's listen
	 * backlog is full: then try again until the deadline. */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		if (rc != -EAGAIN && rc != -EINTR) {
			close(fd);
			return rc;
		}
		if (util_mono_ms() >= deadline) {
			close(fd);
			return DADNS_ETIMEDOUT;
		}
		poll(NULL, 0, 10);
	}
	return fd;
}

int nsd_ctl_socket_run(const char *path, const char *const *args, const char *in, size_t inlen,
		       int timeout_ms, struct strbuf *out, size_t max, int *failed)
{
	int64_t deadline = util_mono_ms() + timeout_ms;
	struct strbuf req;
	size_t sent = 0, got = 0, i;
	char buf[8192], head[8];
	int fd, rc = 0, cut = 0;

	*failed = 0;
	/* one command line: an argument with a line break would be a second */
	for (i = 0; args[i]; i++)
		if (strpbrk(args[i], "\r\n"))
			return DADNS_EINVAL;
	fd = connect_unix(path, deadline);
	if (fd < 0)
		return fd;
	strbuf_init(&req);
	strbuf_puts(&req, NSD_CTL_MAGIC " ");
	for (i = 0; args[i]; i++) {
		strbuf_puts(&req, " ");
		strbuf_puts(&req, args[i]);
	}
	strbuf_puts(&req, "\n");
	if (!strcmp(args[0], "addzones") || !strcmp(args[0], "delzones")) {
		if (in && inlen)
			strbuf_append(&req, in, inlen);
		if (inlen && in[inlen - 1] != '\n')
			strbuf_puts(&req, "\n");
		strbuf_append(&req, "\x04\n", 2);
	}
	memset(head, 0, sizeof(head));
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN | (sent < req.len ? POLLOUT : 0) };
		int64_t left = deadline - util_mono_ms();
		ssize_t r;

		if (left <= 0) {
			rc = DADNS_ETIMEDOUT;
			break;
		}
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (sent < req.len && (p.revents & POLLOUT)) {
			r = send(fd, req.buf + sent, req.len - sent, MSG_NOSIGNAL);
			if (r > 0)
				sent += (size_t)r;
			else if (r < 0 && errno != EAGAIN && errno != EINTR) {
				/* NSD may close early (a bad command): its answer says why */
				cut = 1;
				sent = req.len;
			}
		}
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		for (i = 0; got + i < sizeof(head) - 1 && i < (size_t)r; i++)
			head[got + i] = buf[i];
		got += (size_t)r;
		if (out && out->len < max)
			strbuf_append(out, buf, (size_t)r < max - out->len ? (size_t)r : max - out->len);
	}
	close(fd);
	strbuf_deinit(&req);
	if (rc == 0 && got == 0)
		rc = DADNS_EIO;  /* NSD always answers something ("ok") */
	if (rc == 0)
		*failed = strncmp(head, "error", 5) == 0;
	/* closed before it took the whole command, without saying why */
	if (rc == 0 && cut && !*failed)
		rc = DADNS_EIO;
	return rc;
}
