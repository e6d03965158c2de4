/* SPDX-License-Identifier: BSD-3-Clause */
/* domain.c -- zone names as DirectAdmin sends them: validate and normalize */
#include <string.h>

#include "lib/domain.h"
#include "lib/util.h"

/* Letters, digits and hyphen: the only octets a zone name may hold
 * (besides the dots between labels). Everything else -- NUL, '/', quotes,
 * spaces, control characters, '_', '*', non-ASCII -- is refused. */
static int domain_is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

/* Check the label s[start..end) just copied: length, hyphens. */
static int domain_label_ok(const char *s, size_t start, size_t end)
{
	size_t n = end - start;

	if (n == 0 || n > DOMAIN_LABEL_MAX)
		return 0;
	if (s[start] == '-' || s[end - 1] == '-')
		return 0;
	return 1;
}

/* An all-digit last label would make an IPv4 address look like a name;
 * no top-level domain is all digits (RFC 3696 section 2). */
static int domain_tld_ok(const char *s, size_t start, size_t end)
{
	size_t i;

	for (i = start; i < end; i++)
		if (s[i] < '0' || s[i] > '9')
			return 1;
	return 0;
}

int domain_normalize(const char *in, size_t len, char out[DOMAIN_MAX + 1])
{
	char buf[DOMAIN_MAX + 1];
	size_t i, start = 0, labels = 0;
	int rc = DADNS_EINVAL;

	if (!in)
		goto out;
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > DOMAIN_MAX)
		goto out;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '.') {
			if (!domain_label_ok(buf, start, i))
				goto out;
			labels++;
			buf[i] = '.';
			start = i + 1;
			continue;
		}
		if (!domain_is_ldh(c))
			goto out;
		buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	if (!domain_label_ok(buf, start, len) || !domain_tld_ok(buf, start, len))
		goto out;
	labels++;
	if (labels < 2)
		goto out;
	memcpy(out, buf, len);
	out[len] = '\0';
	rc = 0;
out:
	if (rc != 0)
		out[0] = '\0';
	return rc;
}

const char *domain_parent(const char *name)
{
	const char *dot;

	if (!name)
		return NULL;
	dot = strchr(name, '.');
	return dot && dot[1] ? dot + 1 : NULL;
}

int domain_is_within(const char *child, const char *zone)
{
	size_t cl, zl;

	if (!child || !zone || !*zone)
		return 0;
	cl = strlen(child);
	zl = strlen(zone);
	if (cl == zl)
		return strcmp(child, zone) == 0;
	if (cl < zl + 1)
		return 0;
	return child[cl - zl - 1] == '.' && strcmp(child + cl - zl, zone) == 0;
}
