/* SPDX-License-Identifier: BSD-3-Clause */
/* server.c -- listening socket, worker threads, accept loop and clean stop */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cmd/dadns-intake/intake.h"
#include "lib/log.h"

#define LISTEN_BACKLOG 128

struct server {
	const struct config *cfg;
	int listen_fd;
	int stop_rd, stop_wr;        /* readable once the server stops */
	pthread_mutex_t accept_lock; /* one thread waits in accept at a time */
	atomic_int failed;           /* the listening socket broke */
};

struct worker {
	struct server *srv;
	struct store *st;
	pthread_t tid;
	int started;
	int64_t busy_since;  /* when this thread's current wait for the write lock began */
};

/*
 * The request threads take turns at SQLite's write lock. SQLite's own busy
 * handler (busy_timeout) sleeps 1, 2, 5, 10... ms between tries, so a
 * thread that finds another one committing loses milliseconds per push.
 * Instead, a waiting thread sleeps until another request thread has
 * committed (the WAL hook runs after the commit released the lock), or
 * 1 ms at most (the worker, dadnsctl or a rollback end a transaction
 * without that wake-up), up to busy_timeout_ms in all as before.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t committed;
	uint64_t commits;
} turn = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };

static int busy_wait(void *arg, int count)
{
	struct worker *w = arg;
	struct timespec until;
	uint64_t seen;
	int64_t now = util_now_ms();

	if (count == 0)
		w->busy_since = now;
	else if (now - w->busy_since > w->srv->cfg->app.busy_timeout_ms)
		return 0;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&turn.lock);
	seen = turn.commits;
	while (turn.commits == seen)
		if (pthread_cond_timedwait(&turn.committed, &turn.lock, &until) != 0)
			break;
	pthread_mutex_unlock(&turn.lock);
	return 1;
}

/* After every commit of a request thread, the write lock released: wake the
 * waiters, and checkpoint as SQLite's default auto-checkpoint would (a WAL
 * hook replaces it). */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	pthread_mutex_lock(&turn.lock);
	turn.commits++;
	pthread_cond_broadcast(&turn.committed);
	pthread_mutex_unlock(&turn.lock);
	if (frames >= 1000)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

/*
 * Group commit for durability = full. The request threads' connections run
 * with synchronous=NORMAL: a COMMIT writes the transaction to the WAL but
 * does not wait for the disk. Before a request that changed the database
 * is answered (the answer sits in libfcgi's buffer until FCGX_Finish_r),
 * its thread calls group_sync: one thread at a time fdatasync()s the WAL
 * file, and that one call makes durable every commit that had returned
 * before it started, so several threads' pushes share one disk flush
 * instead of paying one each (SQLite's synchronous=FULL: one per commit).
 * A push is still answered error=0 only once its commit is on the disk;
 * when the flush fails, the connection is dropped unanswered.
 */
struct group_sync {
	pthread_mutex_t lock;
	pthread_cond_t done;
	char *wal;          /* "<db_path>-wal" */
	char *db;           /* db_path: flushed when the WAL is gone (checkpointed) */
	uint64_t ticket;    /* commits announced so far */
	uint64_t synced;    /* every ticket up to this one is on the disk */
	int syncing;        /* a thread is flushing right now */
	int failed;         /* the last flush failed */
};

static struct group_sync gsync = {
	.lock = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER,
};

static int flush_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fdatasync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Make every commit that returned before this call durable. Returns 0, or a
 * negative errno when the flush failed (the caller must not acknowledge). */
static int group_sync(void)
{
	uint64_t mine;
	int rc = 0;

	pthread_mutex_lock(&gsync.lock);
	mine = ++gsync.ticket;
	while (gsync.synced < mine) {
		uint64_t upto;

		if (gsync.syncing) {
			pthread_cond_wait(&gsync.done, &gsync.lock);
			continue;
		}
		gsync.syncing = 1;
		upto = gsync.ticket;
		pthread_mutex_unlock(&gsync.lock);
		rc = flush_file(gsync.wal);
		if (rc == -ENOENT)  /* checkpointed and removed: the data is in the file */
			rc = flush_file(gsync.db);
		pthread_mutex_lock(&gsync.lock);
		gsync.syncing = 0;
		gsync.failed = rc < 0;
		if (rc == 0)
			gsync.synced = upto;
		pthread_cond_broadcast(&gsync.done);
		if (rc < 0)
			break;
	}
	if (rc == 0 && gsync.synced < mine)
		rc = DADNS_EIO;
	pthread_mutex_unlock(&gsync.lock);
	return rc;
}

/* Wait for a connection (or the stop) and accept it. Returns the
 * connection's fd, or -1 when the server stops. */
static int server_accept(struct server *s)
{
	int fd = -1;

	pthread_mutex_lock(&s->accept_lock);
	for (;;) {
		struct pollfd pfd[2] = { { s->listen_fd, POLLIN, 0 }, { s->stop_rd, POLLIN, 0 } };

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_errno("intake: poll");
			break;
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents & (POLLERR | POLLNVAL)) {
			log_err("intake: the listening socket failed");
			atomic_store(&s->failed, 1);
			kill(getpid(), SIGTERM);
			break;
		}
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED ||
		    errno == EPROTO)
			continue;
		log_errno("intake: accept");
		/* Out of descriptors or similar: do not spin, but stay stoppable. */
		poll(&pfd[1], 1, 200);
	}
	pthread_mutex_unlock(&s->accept_lock);
	return fd;
}

/* A connection the web server keeps open (FCGI_KEEP_CONN): wait for its
 * next request or the stop. 1 when the connection is readable. */
static int server_wait_kept(struct server *s, int fd)
{
	for (;;) {
		struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { s->stop_rd, POLLIN, 0 } };

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (pfd[1].revents)
			return 0;
		return 1;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	FCGX_Request req;
	sqlite3_int64 changes;

	/* No listening socket for libfcgi: this loop accepts (and can be
	 * stopped), then hands libfcgi the connection in ipcFd. */
	FCGX_InitRequest(&req, -1, 0);
	for (;;) {
		if (req.ipcFd < 0) {
			int fd = server_accept(w->srv);

			if (fd < 0)
				break;
			req.ipcFd = fd;
		} else if (!server_wait_kept(w->srv, req.ipcFd)) {
			break;
		}
		/* FCGX_Accept_r starts by finishing the previous request and
		 * closes ipcFd unless the connection is marked kept. */
		req.keepConnection = 1;
		if (FCGX_Accept_r(&req) < 0) {
			log_debug("intake: a FastCGI connection closed without a request");
			continue;
		}
		changes = sqlite3_total_changes64(store_db(w->st));
		intake_handle(&req, w->srv->cfg, w->st);
		if (w->srv->cfg->app.durability_full &&
		    sqlite3_total_changes64(store_db(w->st)) != changes && group_sync() < 0) {
			/* not on the disk: no answer (the web server reports 502) */
			log_err("intake: cannot flush the database to the disk: dropping the answer");
			close(req.ipcFd);
			req.ipcFd = -1;
			FCGX_Free(&req, 0);
			FCGX_InitRequest(&req, -1, 0);
			continue;
		}
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return NULL;
}

static int listen_unix(const char *path, int mode, int *out)
{
	struct sockaddr_un sun;
	struct stat sb;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_err("intake: --listen unix:%s: path too long", path);
		return DADNS_EINVAL;
	}
	strcpy(sun.sun_path, path);
	/* A socket left by an earlier run is replaced; anything else is not. */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			log_err("intake: --listen unix:%s: exists and is not a socket", path);
			return DADNS_EEXIST;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_errno("intake: socket");
		return -errno;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, (mode_t)mode) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		int e = errno;

		log_errno("intake: listen on unix:%s", path);
		close(fd);
		return -e;
	}
	*out = fd;
	return 0;
}

/* HOST:PORT, [V6]:PORT or :PORT (every IPv4 address). */
static int listen_inet(const char *spec, int *out)
{
	struct addrinfo hints, *ai = NULL;
	char host[256];
	const char *colon = strrchr(spec, ':'), *h = spec;
	size_t hlen;
	int fd = -1, one = 1, rc;

	if (!colon || !colon[1]) {
		log_err("intake: --listen %s: want unix:PATH or HOST:PORT", spec);
		return DADNS_EINVAL;
	}
	hlen = (size_t)(colon - spec);
	if (hlen >= 2 && spec[0] == '[' && spec[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host)) {
		log_err("intake: --listen %s: host too long", spec);
		return DADNS_EINVAL;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = hlen ? AF_UNSPEC : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(hlen ? host : NULL, colon + 1, &hints, &ai);
	if (rc != 0) {
		log_err("intake: --listen %s: %s", spec, gai_strerror(rc));
		return DADNS_EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		rc = -errno;
		log_errno("intake: listen on %s", spec);
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return rc;
	}
	freeaddrinfo(ai);
	*out = fd;
	return 0;
}

/* The inherited listening socket: systemd's first one (fd 3, LISTEN_FDS
 * and LISTEN_PID naming this process), else fd 0 (spawn-fcgi, lighttpd
 * bin-path, systemd with StandardInput=socket). */
static int server_inherited(int *fd)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int acc = 0;
	socklen_t len = sizeof(acc);

	*fd = 0;
	if (pid && fds && strtol(pid, NULL, 10) == (long)getpid() && strtol(fds, NULL, 10) >= 1)
		*fd = 3;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (getsockopt(*fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) < 0 || !acc) {
		log_err("intake: fd %d is not a listening socket: run under spawn-fcgi, systemd "
			"socket activation or lighttpd bin-path, or give --listen", *fd);
		return DADNS_EINVAL;
	}
	return 0;
}

/* The listening socket: --listen, or the inherited one. Made non-blocking:
 * several threads (or processes) may be woken for one connection. */
static int server_listen(const struct intake_opts *opts, int *fd)
{
	int rc;

	if (!opts->listen) {
		rc = server_inherited(fd);
		if (rc < 0)
			return rc;
	} else if (!strncmp(opts->listen, "unix:", 5)) {
		rc = listen_unix(opts->listen + 5, opts->socket_mode, fd);
		if (rc < 0)
			return rc;
	} else if (opts->listen[0] == '/') {
		rc = listen_unix(opts->listen, opts->socket_mode, fd);
		if (rc < 0)
			return rc;
	} else {
		rc = listen_inet(opts->listen, fd);
		if (rc < 0)
			return rc;
	}
	if (fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) | O_NONBLOCK) < 0) {
		log_errno("intake: fcntl");
		return -errno;
	}
	return 0;
}

/* Block the signals the main thread waits for (workers inherit the mask). */
static void signals_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);  /* libfcgi's "shut down": handled as SIGTERM */
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* One store connection per worker, opened one after the other: the first
 * applies any migration before the others open. */
static int stores_open(struct server *s, struct worker *w, int n)
{
	char err[256];
	int i, rc;

	for (i = 0; i < n; i++) {
		w[i].srv = s;
		/* durability = full: synchronous=NORMAL plus group_sync */
		rc = store_open(s->cfg->app.db_path, 0, s->cfg->app.busy_timeout_ms, &w[i].st, err,
				sizeof(err));
		if (rc < 0) {
			log_err("intake: cannot open the database %s: %s", s->cfg->app.db_path, err);
			return rc;
		}
		/* A small page cache: the intake's statements touch a few pages
		 * (one zone row, one job row and their indexes), and four
		 * connections at SQLite's default 2 MiB each would be most of
		 * the process's memory. */
		sqlite3_exec(store_db(w[i].st), "PRAGMA cache_size = -256", NULL, NULL, NULL);
		sqlite3_busy_handler(store_db(w[i].st), busy_wait, &w[i]);
		sqlite3_wal_hook(store_db(w[i].st), on_commit, NULL);
	}
	return 0;
}

static int workers_start(struct server *s, struct worker *w, int n)
{
	int i, rc;

	for (i = 0; i < n; i++) {
		rc = pthread_create(&w[i].tid, NULL, worker_main, &w[i]);
		if (rc != 0) {
			log_err("intake: pthread_create: %s", strerror(rc));
			return -rc;
		}
		w[i].started = 1;
	}
	return 0;
}

static void wait_for_stop(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_reopen();
			continue;
		}
		log_info("intake: %s: stopping, finishing requests in flight", strsignal(sig));
		return;
	}
}

int intake_run(const struct config *cfg, const struct intake_opts *opts)
{
	struct server s = { .cfg = cfg, .listen_fd = -1, .stop_rd = -1, .stop_wr = -1 };
	int n = cfg->app.threads > 0 ? cfg->app.threads : 1, i, rc, pfd[2];
	struct worker *w = xcalloc((size_t)n, sizeof(*w));
	sigset_t set;

	pthread_mutex_init(&s.accept_lock, NULL);
	signals_block(&set);
	rc = FCGX_Init();
	if (rc != 0) {
		log_err("intake: FCGX_Init failed (%d)", rc);
		rc = DADNS_EIO;
		goto out;
	}
	/* After FCGX_Init, which installs its own SIGPIPE handler. */
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		rc = -errno;
		log_errno("intake: pipe");
		goto out;
	}
	s.stop_rd = pfd[0];
	s.stop_wr = pfd[1];
	rc = server_listen(opts, &s.listen_fd);
	if (rc < 0)
		goto out;
	rc = stores_open(&s, w, n);
	if (rc < 0)
		goto out;
	/* SQLite's own name for the file (symbolic links resolved): the WAL
	 * is "<that>-wal" */
	gsync.db = xstrdup(sqlite3_db_filename(store_db(w[0].st), "main"));
	gsync.wal = xasprintf("%s-wal", gsync.db);
	log_info("intake: dadns-intake %s ready on %s%s, %d threads, database %s", DADNS_VERSION,
		 opts->listen ? opts->listen : "fd ", opts->listen ? "" : s.listen_fd == 3 ? "3" : "0",
		 n, cfg->app.db_path);
	rc = workers_start(&s, w, n);
	if (rc == 0)
		wait_for_stop();
	/* Wake every thread waiting for a connection; one in a request
	 * finishes it first, then sees the stop. */
	if (write(s.stop_wr, "x", 1) < 0)
		log_errno("intake: stop pipe");
	for (i = 0; i < n; i++)
		if (w[i].started)
			pthread_join(w[i].tid, NULL);
	if (rc == 0 && atomic_load(&s.failed))
		rc = DADNS_EIO;
	if (rc == 0)
		log_info("intake: stopped");
out:
	for (i = 0; i < n; i++)
		store_close(w[i].st);
	if (opts->listen && s.listen_fd >= 0) {
		close(s.listen_fd);
		if (!strncmp(opts->listen, "unix:", 5))
			unlink(opts->listen + 5);
		else if (opts->listen[0] == '/')
			unlink(opts->listen);
	}
	if (s.stop_rd >= 0)
		close(s.stop_rd);
	if (s.stop_wr >= 0)
		close(s.stop_wr);
	pthread_mutex_destroy(&s.accept_lock);
	free(gsync.wal);
	free(gsync.db);
	gsync.wal = gsync.db = NULL;
	free(w);
	return rc;
}
