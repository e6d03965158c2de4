/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_nsd_log.c -- libFuzzer harness: what the nsd backend reads of NSD's log (and of
 * nsd-checkzone's output) about a zone it could not load: nsd_conf_scan_log in
 * lib/backends/nsd_conf.c. Input: the zone file's path, a newline, the log. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/backends/nsd_conf.h"
#include "lib/util.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct strbuf words;
	char *path, *log;

	if (!nl)
		return 0;
	path = xstrndup((const char *)data, (size_t)(nl - data));
	log = xstrndup((const char *)nl + 1, size - (size_t)(nl - data) - 1);
	strbuf_init(&words);
	nsd_conf_scan_log(log, path, &words);
	/* bounded, one line, nothing for an empty path */
	CHECK(words.len <= NSD_WORDS_MAX);
	CHECK(strlen(words.buf) == words.len);
	CHECK(!memchr(words.buf, '\n', words.len));
	CHECK(path[0] || words.len == 0);
	strbuf_deinit(&words);
	free(path);
	free(log);
	return 0;
}
