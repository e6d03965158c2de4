/* SPDX-License-Identifier: BSD-3-Clause */
/* peer_http.c -- GET a peer's /internal/... with libcurl: Basic auth, TLS, size and time limits */
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/peer.h"
#include "lib/peer_http.h"
#include "lib/util.h"

struct sink {
	struct strbuf sb;
	size_t max;
	int too_big;
	int refused;              /* a forbidden address was not connected to */
};

int peer_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : DADNS_EIO;
}

void peer_http_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (s->sb.len + n > s->max) {
		s->too_big = 1;
		return 0;  /* abort the transfer */
	}
	strbuf_append(&s->sb, p, n);
	return n;
}

/* CURLOPT_OPENSOCKETFUNCTION for a discovered peer: checks the address the
 * name resolved to (a name can point at 169.254.169.254 too). */
static curl_socket_t open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct sink *s = arg;
	const void *addr = NULL;

	(void)purpose;
	if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in))
		addr = &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr;
	else if (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6))
		addr = &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr;
	if (!addr || peer_addr_forbidden(a->family, addr)) {
		s->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

int peer_http_get(const struct peer_target *t, const char *path, size_t max, char **body, size_t *len,
		  char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	struct sink s = { .max = max };
	char *url = xasprintf("%s%s", t->url, path), *hdr = NULL;
	long status = 0;
	CURLcode cc;
	CURL *c;
	int rc;

	*body = NULL;
	*len = 0;
	strbuf_init(&s.sb);
	c = curl_easy_init();
	if (!c) {
		snprintf(err, errlen, "cannot initialize libcurl");
		rc = DADNS_EIO;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(t->connect_timeout_s > 0 ? t->connect_timeout_s : 5));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(t->timeout_s > 0 ? t->timeout_s : 60));
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	if (t->discovered) {
		curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked);
		curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &s);
	}
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dadns-peersync/" DADNS_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  /* what libcurl can decode */
	if (t->username && t->password) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, t->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, t->password);
	}
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, t->verify_ssl ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, t->verify_ssl ? 2L : 0L);
	if (t->ca_file && *t->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, t->ca_file);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (t->announce && *t->announce) {
		hdr = xasprintf("%s: %s", PEER_HTTP_ANNOUNCE_HEADER, t->announce);
		hdrs = curl_slist_append(hdrs, hdr);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (s.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "answer larger than %zu octets", max);
		rc = DADNS_E2BIG;
		goto out;
	}
	if (s.refused && cc != CURLE_OK) {
		snprintf(err, errlen, "refused to connect: the peer's name resolves to a link-local, "
			 "multicast or unspecified address");
		rc = DADNS_EPERM;
		goto out;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, errlen, "timed out: %s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
		rc = DADNS_ETIMEDOUT;
		goto out;
	}
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
		rc = DADNS_EIO;
		goto out;
	}
	if (status != 200) {
		snprintf(err, errlen, "HTTP status %ld", status);
		rc = status == 404 ? DADNS_ENOENT : status == 401 || status == 403 ? DADNS_EPERM : DADNS_EIO;
		goto out;
	}
	*len = s.sb.len;
	*body = strbuf_steal(&s.sb);
	if (!*body)
		*body = xstrdup("");
	rc = 0;
out:
	curl_slist_free_all(hdrs);
	if (c)
		curl_easy_cleanup(c);
	strbuf_deinit(&s.sb);
	free(url);
	free(hdr);
	return rc;
}
