/* SPDX-License-Identifier: BSD-3-Clause */
/* log.h -- one line per event to stderr, with a level prefix */
#ifndef DADNS_LOG_H
#define DADNS_LOG_H

enum log_level { LOG_LEVEL_ERR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* prog is kept by pointer (a string literal or argv[0]). */
void log_init(const char *prog);
void log_set_level(int level);
int log_get_level(void);
/* "err"|"error", "warn"|"warning", "info", "debug" -> level; -1 if unknown. */
int log_level_parse(const char *s);
/* Send the log to path (appending) instead of stderr; called again (SIGHUP)
 * it reopens the file. NULL goes back to stderr. Returns 0 or -errno. */
int log_open_file(const char *path);
int log_reopen(void);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As log_err, with ": strerror(errno)" appended. */
void log_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
