/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_util.h -- small helpers shared by the dadnsctl verbs */
#ifndef DADNS_CTL_UTIL_H
#define DADNS_CTL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Format a time in ms since the epoch as "2026-11-25T22:07:12Z" ("-" for 0). */
void ctl_time(int64_t ms, char *out, size_t outlen);
/* A positive decimal count: 0 and *out, or -1. */
int ctl_parse_count(const char *s, long *out);
/* Print a JSON value to stdout with a newline and drop the reference. */
void ctl_json_print(json_t *j);

#endif
