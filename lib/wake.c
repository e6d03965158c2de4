/* SPDX-License-Identifier: BSD-3-Clause */
/* wake.c -- best-effort wake-up of the worker: one datagram on a unix socket */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/wake.h"

static int wake_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (!path || !*path)
		return -EINVAL;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

int wake_send(const char *path)
{
	struct sockaddr_un sun;
	int fd, rc;

	rc = wake_addr(path, &sun);
	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = 0;
	if (sendto(fd, "w", 1, MSG_NOSIGNAL, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* 1 when something answers at path (a live worker), 0 when it is stale. */
static int wake_live(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int live;

	if (fd < 0)
		return 0;
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return live;
}

int wake_listen(const char *path, int *fd)
{
	struct sockaddr_un sun;
	struct stat stb;
	int s = -1, rc;

	*fd = -1;
	rc = wake_addr(path, &sun);
	if (rc < 0)
		return rc;
	if (lstat(path, &stb) == 0) {
		/* Replace only a socket nobody listens on; never a file. */
		if (!S_ISSOCK(stb.st_mode))
			return -EEXIST;
		if (wake_live(&sun))
			return -EADDRINUSE;
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	}
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		goto out;
	}
	if (chmod(path, 0666) < 0) {
		rc = -errno;
		unlink(path);
		goto out;
	}
	*fd = s;
	return 0;
out:
	close(s);
	return rc;
}

int wake_drain(int fd)
{
	char buf[64];
	int n = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}
