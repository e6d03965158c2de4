/* SPDX-License-Identifier: BSD-3-Clause */
/* util.h -- error codes, checked allocation, strings, files and child processes */
#ifndef DADNS_UTIL_H
#define DADNS_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define DADNS_VERSION "0.1.0"

/* Errors: 0 is success, negative values are errno-like or dadns-specific. */
#define DADNS_OK         0
#define DADNS_EPERM      (-EPERM)
#define DADNS_ENOENT     (-ENOENT)
#define DADNS_EIO        (-EIO)
#define DADNS_E2BIG      (-E2BIG)
#define DADNS_ENOMEM     (-ENOMEM)
#define DADNS_EEXIST     (-EEXIST)
#define DADNS_EINVAL     (-EINVAL)
#define DADNS_EBUSY      (-EBUSY)
#define DADNS_ETIMEDOUT  (-ETIMEDOUT)
#define DADNS_EPARSE     (-1000)  /* malformed input */
#define DADNS_ETEMPFAIL  (-1001)  /* try again later (retried with backoff) */
#define DADNS_EPERMFAIL  (-1002)  /* will not work however often tried */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A short name for an error code; never NULL. */
const char *dadns_strerror(int err);

/* Allocation that never returns NULL: out of memory ends the process
 * (systemd restarts it), so callers need no error path for it. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);              /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Zero n bytes in a way the compiler keeps (for secrets). */
void util_wipe(void *p, size_t n);
/* Free a secret string after wiping it. Accepts NULL. */
void util_free_secret(char *s);

/* Equality of two NUL-terminated strings in time that depends only on the
 * length of b (the secret), not on where they differ. 1 equal, 0 not. */
int util_ct_streq(const char *a, const char *b);

/* Wall-clock time in milliseconds since the epoch; monotonic milliseconds. */
int64_t util_now_ms(void);
int64_t util_mono_ms(void);

/* Growable byte buffer, always NUL-terminated. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};
void strbuf_init(struct strbuf *sb);
void strbuf_deinit(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_append(struct strbuf *sb, const void *data, size_t len);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the buffer to the caller (caller frees); sb is left empty. */
char *strbuf_steal(struct strbuf *sb);

/* Write data to path atomically: a temporary file in the same directory,
 * fsync, rename over path, fsync of the directory. The temporary file is
 * removed on error. Returns 0 or a negative errno. */
int util_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* The same, the content written to f by fill(f, arg), which returns 0 or a
 * negative errno (a write error of f is found after it in any case). The
 * content never has to be in memory whole. */
int util_write_file_atomic_with(const char *path, mode_t mode, int (*fill)(FILE *f, void *arg),
				void *arg);

/* Read a whole file (caller frees *out, NUL-terminated). max bounds the size. */
int util_read_file(const char *path, size_t max, char **out, size_t *outlen);

/* Create a directory and its parents (mode for the ones created). */
int util_mkdir_p(const char *path, mode_t mode);

/* Run argv (PATH searched, no shell) in its own process group, with `in`
 * (inlen octets, may be NULL) on its stdin (else /dev/null), stdout and
 * stderr appended to out (may be NULL; at most max octets kept, the rest
 * read and dropped). After timeout_ms the whole process group is killed
 * (a wrapper script's children, sudo's). *status gets the exit status
 * (128+signal when killed). Returns 0 when the program ran (whatever its
 * status), DADNS_ETIMEDOUT when killed for time, a negative errno otherwise. */
int util_run(char *const argv[], const char *in, size_t inlen, int timeout_ms,
	     struct strbuf *out, size_t max, int *status);

/* Split a command line such as "nsd-control -c /etc/nsd/nsd.conf" on blanks
 * (no quoting rules beyond single and double quotes) into a NULL-terminated
 * argv with room for `extra` more entries. Caller frees with util_argv_free,
 * which frees every entry up to the first NULL: entries the caller appends
 * must be heap strings (xstrdup) too. */
char **util_argv_split(const char *cmdline, size_t extra, size_t *argc);
void util_argv_free(char **argv);

#endif
