/* SPDX-License-Identifier: BSD-3-Clause */
/* test_util.c -- child processes, atomic files, argv splitting, constant-time compare */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "tests/unit/tap.h"

/* A process (its /proc/PID/stat) that exists and is not a zombie. */
static int proc_alive(const char *statpath)
{
	char line[256], *p;
	FILE *f = fopen(statpath, "r");
	int alive = 0;

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')) && p[1] == ' ')
		alive = p[2] != 'Z' && p[2] != 'X';
	fclose(f);
	return alive;
}

/* Read a PID from the start of s, 0 when there is none. */
static int pid_of(const char *s)
{
	return s ? atoi(s) : 0;
}

/* A writer that fails half-way, as on a full disk. */
static int fill_fails(FILE *f, void *arg)
{
	fputs("half a zone", f);
	return -ENOSPC;
}

/* A file "*.tmp.*" (left by an atomic write) in dir. */
static int has_tmp_file(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		found |= strstr(e->d_name, ".tmp.") != NULL;
	if (d)
		closedir(d);
	return found;
}

static void test_run(void)
{
	char *const echo[] = { "sh", "-c", "echo hello; echo oops >&2; exit 3", NULL };
	char *const cat[] = { "cat", NULL }, *const sleeper[] = { "sleep", "10", NULL };
	char *const missing[] = { "/nonexistent/prog", NULL };
	char *const chatty[] = { "sh", "-c", "yes | head -c 200000", NULL };
	/* A wrapper script whose own child hangs, as sudo or a site's script. */
	char *const wrapper[] = { "sh", "-c", "sleep 30 & echo $!; wait", NULL };
	struct strbuf out, big;
	char stat[64];
	int status = -1, rc, i;
	int64_t t0;

	strbuf_init(&out);
	strbuf_init(&big);
	is_int(util_run(echo, NULL, 0, 5000, &out, 1 << 20, &status), 0, "run a program");
	is_int(status, 3, "its exit status");
	ok(out.buf && strstr(out.buf, "hello") && strstr(out.buf, "oops"), "stdout and stderr captured");

	strbuf_reset(&out);
	rc = util_run(cat, "a.test p\nb.test p\n", 18, 5000, &out, 1 << 20, &status);
	ok(rc == 0 && status == 0, "cat ran");
	is_str(out.buf, "a.test p\nb.test p\n", "stdin reached the child");
	for (i = 0; i < 20000; i++)
		strbuf_printf(&big, "zone%05d.example.com dadns\n", i);
	strbuf_reset(&out);
	rc = util_run(cat, big.buf, big.len, 10000, &out, 1 << 22, &status);
	ok(rc == 0 && out.len == big.len && memcmp(out.buf, big.buf, big.len) == 0,
	   "half a megabyte through stdin and back");
	strbuf_reset(&out);
	rc = util_run(cat, big.buf, big.len, 10000, &out, 100, &status);
	ok(rc == 0 && out.len == 100, "output capped at max, the rest read and dropped");
	strbuf_reset(&out);
	rc = util_run(chatty, NULL, 0, 5000, &out, 64, &status);
	ok(rc == 0 && status == 0 && out.len == 64, "more output than max: kept 64, ran to the end");

	t0 = util_mono_ms();
	is_int(util_run(sleeper, NULL, 0, 300, NULL, 0, &status), DADNS_ETIMEDOUT,
	       "killed after the timeout");
	ok(util_mono_ms() - t0 < 3000, "and promptly");
	is_int(status, 128 + 9, "status says SIGKILL");

	/* Regression (faults.bats): a timed-out command's own children were
	 * left running. */
	strbuf_reset(&out);
	rc = util_run(wrapper, NULL, 0, 300, &out, 100, &status);
	is_int(rc, DADNS_ETIMEDOUT, "wrapper killed after the timeout");
	snprintf(stat, sizeof(stat), "/proc/%d/stat", pid_of(out.buf));
	usleep(100000);
	ok(pid_of(out.buf) > 0 && !proc_alive(stat), "and its child with it (%s)", stat);

	is_int(util_run(missing, NULL, 0, 2000, NULL, 0, &status), 0, "missing program runs the child");
	is_int(status, 127, "which exits 127");
	strbuf_deinit(&big);
	strbuf_deinit(&out);
}

int main(void)
{
	char dir[] = "/tmp/dadns-test-util-XXXXXX", path[256], *data = NULL;
	size_t argc = 0, len = 0;
	struct stat stb;
	char **argv;

	if (!mkdtemp(dir))
		return 1;

	argv = util_argv_split("  nsd-control  -c '/etc/nsd/my nsd.conf' \"\" reload", 2, &argc);
	is_int(argc, 5, "five words (an empty quoted word counts)");
	is_str(argv[0], "nsd-control", "first word");
	is_str(argv[2], "/etc/nsd/my nsd.conf", "single quotes keep the space");
	is_str(argv[3], "", "empty quoted word");
	ok(argv[5] == NULL && argv[6] == NULL && argv[7] == NULL, "room for extra entries, NULL-filled");
	argv[5] = xstrdup("example.com");
	util_argv_free(argv);
	argv = util_argv_split("", 0, &argc);
	is_int(argc, 0, "empty command line");
	util_argv_free(argv);

	test_run();

	snprintf(path, sizeof(path), "%s/zone.db", dir);
	is_int(util_write_file_atomic(path, "abc\n", 4, 0640), 0, "atomic write");
	is_int(util_read_file(path, 100, &data, &len), 0, "read back");
	is_str(data, "abc\n", "same content");
	free(data);
	stat(path, &stb);
	is_int(stb.st_mode & 0777, 0640, "mode applied");
	is_int(util_write_file_atomic(path, "x", 1, 0644), 0, "replace");
	is_int(util_read_file(path, 0, &data, &len), DADNS_E2BIG, "read refuses past max");
	snprintf(path, sizeof(path), "%s/missing/zone.db", dir);
	ok(util_write_file_atomic(path, "x", 1, 0644) < 0, "write into a missing directory fails");
	snprintf(path, sizeof(path), "%s/zone.db", dir);
	is_int(util_write_file_atomic_with(path, 0644, fill_fails, NULL), -ENOSPC,
	       "a writer's error is returned");
	is_int(util_read_file(path, 100, &data, &len), 0, "the old file is intact");
	is_str(data, "x", "same content");
	free(data);
	ok(!has_tmp_file(dir), "no temporary file left");
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	is_int(util_mkdir_p(path, 0755), 0, "mkdir -p");
	ok(stat(path, &stb) == 0 && S_ISDIR(stb.st_mode), "made");

	ok(util_ct_streq("secret", "secret"), "equal");
	ok(!util_ct_streq("secreT", "secret"), "differ in the last byte");
	ok(!util_ct_streq("secret", "secret2"), "prefix");
	ok(!util_ct_streq("secret2", "secret"), "longer");
	ok(!util_ct_streq("", "x"), "empty vs one");
	ok(util_ct_streq("", ""), "both empty");

	{
		struct strbuf sb;
		strbuf_init(&sb);
		for (int i = 0; i < 1000; i++)
			strbuf_printf(&sb, "%d,", i);
		ok(sb.len > 3000 && !strncmp(sb.buf, "0,1,2,", 6), "strbuf grows");
		strbuf_deinit(&sb);
	}
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
