/* SPDX-License-Identifier: BSD-3-Clause */
/* da_client.c -- which zones a DirectAdmin server has: the HTTP client and the list parser */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "lib/da_client.h"
#include "lib/domain.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/util.h"

/* --- the list ----------------------------------------------------------------- */

void da_list_init(struct da_list *l)
{
	memset(l, 0, sizeof(*l));
}

void da_list_deinit(struct da_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->domains[i]);
	free(l->domains);
	da_list_init(l);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void da_list_sort_unique(struct da_list *l)
{
	size_t i, j = 0;

	if (l->n > 1)
		qsort(l->domains, l->n, sizeof(*l->domains), str_cmp);
	for (i = 0; i < l->n; i++) {
		if (j > 0 && !strcmp(l->domains[j - 1], l->domains[i])) {
			free(l->domains[i]);
			continue;
		}
		l->domains[j++] = l->domains[i];
	}
	l->n = j;
}

int da_list_has(const struct da_list *l, const char *domain)
{
	return l->n && bsearch(&domain, l->domains, l->n, sizeof(*l->domains), str_cmp) != NULL;
}

/* Back to the n and invalid count of before a failed parse. */
static void list_truncate(struct da_list *l, size_t n, size_t invalid)
{
	while (l->n > n)
		free(l->domains[--l->n]);
	l->invalid = invalid;
}

/* Add one candidate name of len octets: normalized, or counted invalid. */
static int list_add(struct da_list *l, const char *name, size_t len, char *err, size_t errlen)
{
	char norm[DOMAIN_MAX + 1];

	if (!name || domain_normalize(name, len, norm) < 0) {
		l->invalid++;
		return 0;
	}
	if (l->n >= DA_LIST_MAX_DOMAINS) {
		snprintf(err, errlen, "more than %d domains", DA_LIST_MAX_DOMAINS);
		return DADNS_E2BIG;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->domains = xrealloc(l->domains, l->cap * sizeof(*l->domains));
	}
	l->domains[l->n++] = xstrdup(norm);
	return 0;
}

/* Copy s (len octets) into out for a message: printable ASCII only, short. */
static void printable(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, j = 0;

	for (i = 0; i < len && j + 1 < outlen && j < 120; i++)
		out[j++] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
	out[j] = '\0';
}

/* --- JSON ------------------------------------------------------------------------ */

/* Nesting depth of a JSON text, strings skipped; bounds jansson's recursion. */
static size_t json_depth(const char *s, size_t len)
{
	size_t i, depth = 0, max = 0;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return max;
}

/* One row: a string, or an object with a string "domain". */
static int json_row(struct da_list *l, json_t *row, char *err, size_t errlen)
{
	json_t *d = json_is_object(row) ? json_object_get(row, "domain") : row;

	if (!json_is_string(d)) {
		l->invalid++;
		return 0;
	}
	return list_add(l, json_string_value(d), json_string_length(d), err, errlen);
}

static int is_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* A DA error object: "error" set to anything but 0, "0", "" or false. */
static int json_da_error(json_t *o, char *err, size_t errlen)
{
	json_t *e = json_object_get(o, "error"), *t;
	char text[160] = "";

	if (!e || json_is_false(e) || json_is_null(e) || (json_is_integer(e) && json_integer_value(e) == 0) ||
	    (json_is_string(e) && (!json_string_length(e) || !strcmp(json_string_value(e), "0"))))
		return 0;
	t = json_object_get(o, "text");
	if (!json_is_string(t))
		t = json_object_get(o, "result");
	if (!json_is_string(t))
		t = json_is_string(e) ? e : NULL;
	if (t)
		printable(json_string_value(t), json_string_length(t), text, sizeof(text));
	snprintf(err, errlen, "DirectAdmin answered an error%s%s", *text ? ": " : "", text);
	return DADNS_EPARSE;
}

static int json_total_pages(struct da_list *l, json_t *info, char *err, size_t errlen)
{
	json_t *tp = json_is_object(info) ? json_object_get(info, "total_pages") : NULL;
	long long v = -1;
	char *end;

	if (!tp)
		return 0;
	if (json_is_integer(tp)) {
		v = json_integer_value(tp);
	} else if (json_is_string(tp) && is_digits(json_string_value(tp)) && json_string_length(tp) < 12) {
		v = strtoll(json_string_value(tp), &end, 10);
	}
	if (v < 0) {
		snprintf(err, errlen, "info.total_pages is not a number");
		return DADNS_EPARSE;
	}
	if (v > DA_LIST_MAX_PAGES) {
		snprintf(err, errlen, "info.total_pages %lld is over %d", v, DA_LIST_MAX_PAGES);
		return DADNS_E2BIG;
	}
	l->total_pages = (int)v;
	return 0;
}

static int json_parse_list(const char *body, size_t len, struct da_list *l, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	size_t i;
	int rc = 0;

	if (json_depth(body, len) > DA_LIST_MAX_DEPTH) {
		snprintf(err, errlen, "JSON nested deeper than %d", DA_LIST_MAX_DEPTH);
		return DADNS_E2BIG;
	}
	root = json_loadb(body, len, 0, &jerr);
	if (!root) {
		snprintf(err, errlen, "invalid JSON at line %d: %.100s", jerr.line, jerr.text);
		return DADNS_EPARSE;
	}
	if (json_is_array(root)) {
		json_array_foreach(root, i, v) {
			if ((rc = json_row(l, v, err, errlen)) < 0)
				break;
		}
	} else if (json_is_object(root)) {
		rc = json_da_error(root, err, errlen);
		if (rc == 0)
			rc = json_total_pages(l, json_object_get(root, "info"), err, errlen);
		if (rc == 0) {
			size_t rows = 0;

			json_object_foreach(root, key, v) {
				if (is_digits(key) && (rows++, rc = json_row(l, v, err, errlen)) < 0)
					break;
			}
			/* No row and no "info", but other keys ({"message": "login
			 * required"}): some other answer, not an empty list. */
			if (rc == 0 && !rows && !json_object_get(root, "info") && json_object_size(root) > 0) {
				snprintf(err, errlen, "a JSON object with no domain rows and no \"info\": not a "
					 "domain list");
				rc = DADNS_EPARSE;
			}
		}
	} else {
		snprintf(err, errlen, "JSON answer is neither an object nor an array");
		rc = DADNS_EPARSE;
	}
	json_decref(root);
	return rc;
}

/* --- the legacy form list[]=a.com&list[]=b.com ----------------------------------- */

static int legacy_pair(struct da_list *l, const char *s, size_t len, int *lists, char *err, size_t errlen)
{
	const char *eq = memchr(s, '=', len);
	size_t klen = eq ? (size_t)(eq - s) : len;
	char *key = NULL, *val = NULL;
	size_t vlen = 0;
	int rc = 0;

	if (http_url_decode(s, klen, &key, NULL) < 0)
		return 0;  /* garbage; "no list at all" is judged at the end */
	if (!strcmp(key, "list[]") || !strcmp(key, "list")) {
		(*lists)++;
		if (!eq || http_url_decode(eq + 1, len - klen - 1, &val, &vlen) < 0)
			l->invalid++;
		else
			rc = list_add(l, val, vlen, err, errlen);
	} else if (!strcmp(key, "error") && eq && !(len - klen - 1 == 1 && eq[1] == '0')) {
		char text[160];
		printable(s, len, text, sizeof(text));
		snprintf(err, errlen, "DirectAdmin answered an error: %s", text);
		rc = DADNS_EPARSE;
	}
	free(key);
	free(val);
	return rc;
}

static int legacy_parse_list(const char *body, size_t len, struct da_list *l, char *err, size_t errlen)
{
	size_t i = 0, j;
	int lists = 0, rc = 0;

	if (memchr(body, '\0', len)) {
		snprintf(err, errlen, "a NUL octet in the answer");
		return DADNS_EPARSE;
	}
	while (i < len && rc == 0) {
		for (j = i; j < len && body[j] != '&' && body[j] != '\n' && body[j] != '\r'; j++)
			;
		if (j > i)
			rc = legacy_pair(l, body + i, j - i, &lists, err, errlen);
		i = j + 1;
	}
	if (rc == 0 && !lists) {
		char text[80];
		printable(body, len, text, sizeof(text));
		snprintf(err, errlen, "not a domain list: \"%s\"", text);
		rc = DADNS_EPARSE;
	}
	return rc;
}

int da_list_parse(const char *body, size_t len, struct da_list *out, char *err, size_t errlen)
{
	size_t n0 = out->n, inv0 = out->invalid, i = 0;
	int tp0 = out->total_pages, rc;

	if (len > DA_LIST_MAX_BODY) {
		snprintf(err, errlen, "answer of %zu octets is over %u", len, DA_LIST_MAX_BODY);
		return DADNS_E2BIG;
	}
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i == len) {
		snprintf(err, errlen, "an empty answer");
		return DADNS_EPARSE;
	}
	if (body[i] == '<') {
		snprintf(err, errlen, "an HTML page, not a domain list (login page, or no admin access?)");
		return DADNS_EPARSE;
	}
	if (body[i] == '{' || body[i] == '[')
		rc = json_parse_list(body + i, len - i, out, err, errlen);
	else
		rc = legacy_parse_list(body + i, len - i, out, err, errlen);
	if (rc < 0) {
		list_truncate(out, n0, inv0);
		out->total_pages = tp0;
	}
	return rc;
}

/* --- HTTP -------------------------------------------------------------------------- */

struct fetch {
	CURL *c;
	struct strbuf body;
	int too_big;
	char curl_err[CURL_ERROR_SIZE];
};

static size_t fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	size_t n = size * nmemb;

	if (f->body.len + n > DA_LIST_MAX_BODY) {
		f->too_big = 1;
		return 0;
	}
	strbuf_append(&f->body, data, n);
	return n;
}

static int fetch_init(struct fetch *f, const struct config_directadmin *da,
		      const struct da_client_opts *o)
{
	memset(f, 0, sizeof(*f));
	strbuf_init(&f->body);
	f->c = curl_easy_init();
	if (!f->c)
		return DADNS_ENOMEM;
	curl_easy_setopt(f->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(f->c, CURLOPT_CONNECTTIMEOUT, (long)o->connect_timeout_s);
	curl_easy_setopt(f->c, CURLOPT_TIMEOUT, (long)o->timeout_s);
	curl_easy_setopt(f->c, CURLOPT_ERRORBUFFER, f->curl_err);
	curl_easy_setopt(f->c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(f->c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(f->c, CURLOPT_USERAGENT, "dadns-reconcile/" DADNS_VERSION);
	curl_easy_setopt(f->c, CURLOPT_COOKIEFILE, "");  /* cookie engine on, for the login */
	curl_easy_setopt(f->c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(f->c, CURLOPT_USERNAME, da->username);
	curl_easy_setopt(f->c, CURLOPT_PASSWORD, da->password);
	curl_easy_setopt(f->c, CURLOPT_SSL_VERIFYPEER, da->verify_ssl ? 1L : 0L);
	curl_easy_setopt(f->c, CURLOPT_SSL_VERIFYHOST, da->verify_ssl ? 2L : 0L);
	if (da->ca_file && *da->ca_file)
		curl_easy_setopt(f->c, CURLOPT_CAINFO, da->ca_file);
	return 0;
}

static void fetch_deinit(struct fetch *f)
{
	if (f->c)
		curl_easy_cleanup(f->c);
	strbuf_deinit(&f->body);
}

/* One request; *status gets the HTTP status. DADNS_EIO when none came. */
static int fetch_do(struct fetch *f, const char *url, long *status, char *err, size_t errlen)
{
	CURLcode cc;

	strbuf_reset(&f->body);
	f->too_big = 0;
	f->curl_err[0] = '\0';
	curl_easy_setopt(f->c, CURLOPT_URL, url);
	cc = curl_easy_perform(f->c);
	if (cc != CURLE_OK) {
		if (f->too_big)
			snprintf(err, errlen, "answer over %u octets", DA_LIST_MAX_BODY);
		else
			snprintf(err, errlen, "%s", *f->curl_err ? f->curl_err : curl_easy_strerror(cc));
		return f->too_big ? DADNS_E2BIG : DADNS_EIO;
	}
	*status = 0;
	curl_easy_getinfo(f->c, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* DirectAdmin Evolution: POST /CMD_LOGIN, keep the session cookie, drop Basic auth. */
static int da_login(struct fetch *f, const char *base, const struct config_directadmin *da,
		    const char *referer, char *err, size_t errlen)
{
	struct curl_slist *cookies = NULL;
	struct strbuf form;
	char *url = xasprintf("%s/CMD_LOGIN", base);
	long status = 0;
	int rc;

	strbuf_init(&form);
	strbuf_puts(&form, "username=");
	http_url_encode(&form, da->username, strlen(da->username));
	strbuf_puts(&form, "&password=");
	http_url_encode(&form, da->password, strlen(da->password));
	strbuf_puts(&form, "&referer=");
	http_url_encode(&form, referer, strlen(referer));
	curl_easy_setopt(f->c, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(f->c, CURLOPT_PASSWORD, NULL);
	curl_easy_setopt(f->c, CURLOPT_HTTPAUTH, (long)CURLAUTH_NONE);
	curl_easy_setopt(f->c, CURLOPT_POSTFIELDS, form.buf);
	curl_easy_setopt(f->c, CURLOPT_POSTFIELDSIZE, (long)form.len);
	rc = fetch_do(f, url, &status, err, errlen);
	curl_easy_setopt(f->c, CURLOPT_HTTPGET, 1L);
	util_wipe(form.buf, form.len);
	strbuf_deinit(&form);
	if (rc == 0 && (status >= 400 || status < 200)) {
		snprintf(err, errlen, "login: HTTP status %ld", status);
		rc = DADNS_EIO;
	}
	if (rc == 0) {
		curl_easy_getinfo(f->c, CURLINFO_COOKIELIST, &cookies);
		if (!cookies) {
			snprintf(err, errlen, "login refused (no session cookie; wrong password?)");
			rc = DADNS_EIO;
		}
		curl_slist_free_all(cookies);
	}
	free(url);
	return rc;
}

/* One page into out; may log in once (*logged_in). */
static int da_page(struct fetch *f, const char *base, const struct config_directadmin *da, int page,
		   int ipp, int *logged_in, struct da_list *out, char *err, size_t errlen)
{
	char *path = xasprintf("/CMD_DNS_ADMIN?json=yes&page=%d&ipp=%d", page, ipp);
	char *url = xasprintf("%s%s", base, path);
	char *ctype = NULL;
	long status = 0;
	int rc;

	rc = fetch_do(f, url, &status, err, errlen);
	if (rc == 0 && status >= 300 && status < 400 && !*logged_in) {
		log_debug("reconcile: %s: redirected (HTTP %ld): logging in (DirectAdmin Evolution)", da->name,
			  status);
		*logged_in = 1;
		rc = da_login(f, base, da, path, err, errlen);
		if (rc == 0)
			rc = fetch_do(f, url, &status, err, errlen);
	}
	if (rc < 0)
		goto out;
	if (status != 200) {
		snprintf(err, errlen, "HTTP status %ld%s", status,
			 status >= 300 && status < 400 ? " (a redirect, also after logging in: wrong password?)" : "");
		rc = DADNS_EIO;
		goto out;
	}
	curl_easy_getinfo(f->c, CURLINFO_CONTENT_TYPE, &ctype);
	if (ctype && !strncasecmp(ctype, "text/html", 9)) {
		snprintf(err, errlen, "an HTML page, not a domain list (login page, or no admin access?)");
		rc = DADNS_EIO;
		goto out;
	}
	rc = da_list_parse(f->body.buf, f->body.len, out, err, errlen);
out:
	free(path);
	free(url);
	return rc;
}

int da_client_list(const struct config_directadmin *da, const struct da_client_opts *opts,
		   struct da_list *out, char *err, size_t errlen)
{
	char *base = xstrdup(da->url);
	char perr[512] = "";
	struct fetch f;
	int page, total = 1, logged_in = 0, rc;
	size_t blen = strlen(base);

	while (blen > 0 && base[blen - 1] == '/')
		base[--blen] = '\0';
	rc = fetch_init(&f, da, opts);
	for (page = 1; rc == 0 && page <= total; page++) {
		size_t seen = out->n + out->invalid;

		out->total_pages = 0;
		rc = da_page(&f, base, da, page, opts->ipp, &logged_in, out, perr, sizeof(perr));
		if (rc == 0 && page == 1 && out->total_pages > 1)
			total = out->total_pages;
		/* A later page that is empty, or that counts the pages otherwise,
		 * means the list changed while it was read: rows moved to pages
		 * already read are then missing from what was read, and would be
		 * taken for orphans. Not a complete list: try again next run. */
		if (rc == 0 && page > 1 && out->total_pages && out->total_pages != total) {
			snprintf(perr, sizeof(perr), "info.total_pages is %d, was %d on page 1: the list "
				 "changed while it was read", out->total_pages, total);
			rc = DADNS_EIO;
		} else if (rc == 0 && page > 1 && out->n + out->invalid == seen) {
			snprintf(perr, sizeof(perr), "page %d of %d lists no domain: the list changed while "
				 "it was read", page, total);
			rc = DADNS_EIO;
		}
		if (rc == 0)
			log_debug("reconcile: %s: page %d of %d: %zu domains so far", da->name, page, total, out->n);
	}
	if (rc < 0)
		snprintf(err, errlen, "%s: page %d: %s", da->url, page - 1, perr);
	fetch_deinit(&f);
	free(base);
	return rc;
}
