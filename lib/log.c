/* SPDX-License-Identifier: BSD-3-Clause */
/* log.c -- one line per event to stderr (or a file), with a level prefix */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/log.h"

static const char *log_prog = "dadns";
static int log_level = LOG_LEVEL_INFO;
static int log_journal;          /* stderr goes to journald: use <N> prefixes */
static char *log_path;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_init(const char *prog)
{
	const char *slash = strrchr(prog, '/');

	log_prog = slash ? slash + 1 : prog;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *s)
{
	if (!strcasecmp(s, "err") || !strcasecmp(s, "error"))
		return LOG_LEVEL_ERR;
	if (!strcasecmp(s, "warn") || !strcasecmp(s, "warning"))
		return LOG_LEVEL_WARN;
	if (!strcasecmp(s, "info"))
		return LOG_LEVEL_INFO;
	if (!strcasecmp(s, "debug"))
		return LOG_LEVEL_DEBUG;
	return -1;
}

static int log_open_path(void)
{
	int fd;

	if (!log_path)
		return 0;
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	if (dup2(fd, 2) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	close(fd);
	log_journal = 0;
	return 0;
}

int log_open_file(const char *path)
{
	free(log_path);
	log_path = path ? strdup(path) : NULL;
	return log_open_path();
}

int log_reopen(void)
{
	return log_open_path();
}

static void log_v(int level, const char *fmt, va_list ap, const char *suffix)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int journal_prio[] = { 3, 4, 6, 7 };
	char line[2048];
	int n;

	if (level > log_level)
		return;
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>%s: ", journal_prio[level], log_prog);
	else
		n = snprintf(line, sizeof(line), "%s: %s: ", names[level], log_prog);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* One event, one line: no raw newlines or control characters from input. */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s%s%s\n", line, suffix ? ": " : "", suffix ? suffix : "");
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

#define LOG_FN(name, level)                                                                  \
	void name(const char *fmt, ...)                                                      \
	{                                                                                    \
		va_list ap;                                                                  \
		va_start(ap, fmt);                                                           \
		log_v(level, fmt, ap, NULL);                                                 \
		va_end(ap);                                                                  \
	}
LOG_FN(log_err, LOG_LEVEL_ERR)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

void log_errno(const char *fmt, ...)
{
	char ebuf[128];
	const char *e;
	int saved = errno;
	va_list ap;

	e = strerror_r(saved, ebuf, sizeof(ebuf));
	va_start(ap, fmt);
	log_v(LOG_LEVEL_ERR, fmt, ap, e);
	va_end(ap);
	errno = saved;
}
