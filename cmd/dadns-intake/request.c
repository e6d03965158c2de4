/* SPDX-License-Identifier: BSD-3-Clause */
/* request.c -- one FastCGI request: route, authenticate, limit, answer, log */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dadns-intake/intake.h"
#include "lib/log.h"

#define LOG_URI_MAX 400  /* octets of the request URI shown in a log line */
#define READ_CHUNK 65536

enum endpoint { EP_NONE, EP_LOGIN_TEST, EP_DNS_ADMIN, EP_USER_EXISTS, EP_POP, EP_HEALTH, EP_STATUS,
		EP_METRICS, EP_UI, EP_UI_MOVED, EP_STATUS_RECENT, EP_STATUS_CHARTS, EP_STATUS_ZONE };

static const struct {
	const char *path;
	enum endpoint ep;
} routes[] = {
	{ "/CMD_API_LOGIN_TEST", EP_LOGIN_TEST },
	{ "/CMD_API_DNS_ADMIN", EP_DNS_ADMIN },
	{ "/CMD_API_USER_EXISTS", EP_USER_EXISTS },
	{ "/CMD_API_POP", EP_POP },
	{ "/health", EP_HEALTH },
	{ "/status", EP_STATUS },
	{ "/metrics", EP_METRICS },
	{ "/ui", EP_UI_MOVED },
	{ "/status/recent", EP_STATUS_RECENT },
	{ "/status/charts", EP_STATUS_CHARTS },
	{ "/status/zone", EP_STATUS_ZONE },
};

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

void intake_answer(struct intake_req *r, int status, ...)
{
	const char *key, *value;
	size_t n = 0;
	va_list ap;

	r->status = status;
	r->reject = status != 200;
	strbuf_reset(&r->answer);
	r->note[0] = '\0';
	va_start(ap, status);
	while ((key = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		http_answer_add(&r->answer, key, value);
		if (!strcmp(key, "error") && value && strcmp(value, "0") != 0)
			r->reject = 1;
		/* The log line shows the pairs unencoded, e.g. "error=1 text=...". */
		if (n < sizeof(r->note)) {
			int w = snprintf(r->note + n, sizeof(r->note) - n, "%s%s=%s", n ? " " : "",
					 key, value ? value : "");
			n = w < 0 ? sizeof(r->note) : n + (size_t)w;
		}
	}
	va_end(ap);
}

int intake_read_body(struct intake_req *r)
{
	long long max = r->cfg->app.max_body_bytes;
	size_t limit, size, got = 0;

	if (r->body_read)
		return 0;
	/* Never read past the limit: at most max + 1 octets, so that a body
	 * longer than its CONTENT_LENGTH (or without one) is still caught.
	 * The buffer grows as data comes: most requests have no body. */
	limit = (size_t)(r->content_length > 0 ? r->content_length : max) + 1;
	size = r->content_length > 0 ? limit : 1024;
	r->body = xmalloc(size + 1);
	while (got < limit) {
		size_t want;
		int n;

		if (got == size) {
			size = size * 2 < limit ? size * 2 : limit;
			r->body = xrealloc(r->body, size + 1);
		}
		want = size - got < READ_CHUNK ? size - got : READ_CHUNK;
		n = FCGX_GetStr(r->body + got, (int)want, r->fcgi->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	r->body[got] = '\0';
	r->body_len = got;
	r->body_read = 1;
	if ((long long)got > max) {
		intake_answer(r, 413, "error", "1", "text", "Request body too large", "details",
			      "over max_body_bytes", NULL);
		return DADNS_E2BIG;
	}
	if (r->content_length > 0 && (long long)got != r->content_length) {
		intake_answer(r, 200, "error", "1", "text", "Incomplete request body", "details",
			      "fewer octets than Content-Length", NULL);
		return DADNS_EIO;
	}
	return 0;
}

/* Compare the Basic credentials with [app] auth_username/auth_password.
 * Both comparisons always run, in constant time, and the caller learns
 * only yes or no. */
static int auth_check(struct intake_req *r, const char **why)
{
	const char *hdr = FCGX_GetParam("HTTP_AUTHORIZATION", r->fcgi->envp);
	const char *want_user = r->cfg->app.auth_username, *want_pass = r->cfg->app.auth_password;
	char *user = NULL, *pass = NULL;
	int rc, user_ok, pass_ok;

	rc = http_basic_auth_parse(hdr, &user, &pass);
	if (rc == DADNS_ENOENT) {
		*why = "no credentials";
		return 0;
	}
	if (rc < 0) {
		*why = "malformed Authorization header";
		return 0;
	}
	if (!want_user || !*want_user || !want_pass || !*want_pass) {
		*why = "no [app] auth_username/auth_password configured";
		util_free_secret(user);
		util_free_secret(pass);
		return 0;
	}
	user_ok = util_ct_streq(user, want_user);
	pass_ok = util_ct_streq(pass, want_pass);
	util_free_secret(user);
	util_free_secret(pass);
	*why = "wrong credentials";
	return user_ok & pass_ok;
}

static void req_init(struct intake_req *r, FCGX_Request *fcgi, const struct config *cfg,
		     struct store *st)
{
	const char *v, *q;

	memset(r, 0, sizeof(*r));
	r->fcgi = fcgi;
	r->cfg = cfg;
	r->st = st;
	r->status = 200;
	strbuf_init(&r->answer);
	http_form_init(&r->params);
	v = FCGX_GetParam("REQUEST_METHOD", fcgi->envp);
	r->method = v && *v ? v : "-";
	v = FCGX_GetParam("REMOTE_ADDR", fcgi->envp);
	r->remote_addr = v && *v ? v : "-";
	v = FCGX_GetParam("QUERY_STRING", fcgi->envp);
	r->query = v ? v : "";
	v = FCGX_GetParam("CONTENT_TYPE", fcgi->envp);
	r->content_type = v && *v ? v : NULL;
	v = FCGX_GetParam("REQUEST_URI", fcgi->envp);
	if (!v || !*v)
		v = FCGX_GetParam("DOCUMENT_URI", fcgi->envp);
	if (!v || !*v)
		v = FCGX_GetParam("SCRIPT_NAME", fcgi->envp);
	r->uri = v ? v : "";
	q = strchr(r->uri, '?');
	r->path = xstrndup(r->uri, q ? (size_t)(q - r->uri) : strlen(r->uri));
}

static void req_deinit(struct intake_req *r)
{
	free(r->path);
	free(r->body);
	strbuf_deinit(&r->answer);
	http_form_deinit(&r->params);
}

static void send_answer(struct intake_req *r)
{
	char head[1024];
	int n;

	n = snprintf(head, sizeof(head),
		     "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "Cache-Control: no-store\r\n%s%s%s%s%s\r\n",
		     r->status, status_text(r->status),
		     r->answer_type ? r->answer_type : "text/plain", r->answer.len,
		     r->status == 401 ? "WWW-Authenticate: Basic realm=\"dadns\"\r\n" : "",
		     r->allow ? "Allow: " : "", r->allow ? r->allow : "", r->allow ? "\r\n" : "",
		     r->headers ? r->headers : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return;
	FCGX_PutStr(head, n, r->fcgi->out);
	if (strcmp(r->method, "HEAD") != 0)
		FCGX_PutStr(r->answer.buf, (int)r->answer.len, r->fcgi->out);
}

static void log_request(struct intake_req *r, int64_t started)
{
	size_t ulen = strlen(r->uri);
	int ms = (int)(util_mono_ms() - started);

	if (r->reject)
		log_warn("intake: reject %s %.*s%s from %s: %d %s (%d ms)", r->method, LOG_URI_MAX, r->uri,
			 ulen > LOG_URI_MAX ? "..." : "", r->remote_addr, r->status, r->note, ms);
	else if (r->quiet)
		log_debug("intake: %s %.*s%s from %s: %d %s (%d ms)", r->method, LOG_URI_MAX, r->uri,
			  ulen > LOG_URI_MAX ? "..." : "", r->remote_addr, r->status, r->note, ms);
	else
		log_info("intake: %s %.*s%s from %s: %d %s (%d ms)", r->method, LOG_URI_MAX, r->uri,
			 ulen > LOG_URI_MAX ? "..." : "", r->remote_addr, r->status, r->note, ms);
}

static enum endpoint route(const char *path)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(routes); i++)
		if (!strcmp(path, routes[i].path))
			return routes[i].ep;
	return !strncmp(path, "/ui/", 4) ? EP_UI : EP_NONE;
}

/* The DA credentials (when need_auth) and the method: GET or other, else
 * 405 with allow and a hint. 0 when the request may go on. */
static int req_admit_method(struct intake_req *r, int need_auth, const char *other, const char *allow,
			    const char *hint)
{
	const char *why = NULL;

	if (need_auth && !auth_check(r, &why)) {
		intake_answer(r, 401, "error", "1", "text", "Unauthorized", "details", why, NULL);
		return -1;
	}
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, other) != 0) {
		r->allow = allow;
		intake_answer(r, 405, "error", "1", "text", "Method not allowed", "details", hint, NULL);
		return -1;
	}
	return 0;
}

/* Everything that holds for every DA endpoint; 0 when the request may go on. */
static int req_admit(struct intake_req *r)
{
	char details[128];
	int rc;

	if (req_admit_method(r, 1, "POST", "GET, POST", "use GET or POST") < 0)
		return -1;
	if (http_content_length(FCGX_GetParam("CONTENT_LENGTH", r->fcgi->envp), &r->content_length) < 0) {
		intake_answer(r, 200, "error", "1", "text", "Bad request", "details",
			      "malformed Content-Length", NULL);
		return -1;
	}
	if (r->content_length > r->cfg->app.max_body_bytes) {
		snprintf(details, sizeof(details), "%lld octets, limit %ld", r->content_length,
			 r->cfg->app.max_body_bytes);
		intake_answer(r, 413, "error", "1", "text", "Request body too large", "details", details,
			      NULL);
		return -1;
	}
	rc = http_form_parse(&r->params, r->query, strlen(r->query));
	if (rc < 0) {
		intake_answer(r, 200, "error", "1", "text",
			      rc == DADNS_E2BIG ? "Too many parameters" : "Bad URL encoding", "details",
			      "query string", NULL);
		return -1;
	}
	return 0;
}

void intake_handle(FCGX_Request *fcgi, const struct config *cfg, struct store *st)
{
	int64_t started = util_mono_ms();
	struct intake_req r;
	enum endpoint ep;

	req_init(&r, fcgi, cfg, st);
	if (!strncmp(r.path, "/internal/", 10)) {
		/* peer-facing, with the [peer_sync] credentials (internal.c) */
		intake_internal(&r);
		goto out;
	}
	ep = route(r.path);
	if (ep == EP_NONE) {
		intake_answer(&r, 404, "error", "1", "text", "Not found", NULL);
		goto out;
	}
	if (ep == EP_HEALTH || ep == EP_STATUS || ep == EP_METRICS || ep >= EP_UI) {
		/* the operator endpoints: operator.c decides who (all for /health), GET or HEAD */
		if ((ep != EP_HEALTH && intake_operator_admit(&r) < 0) ||
		    req_admit_method(&r, 0, "HEAD", "GET, HEAD", "use GET or HEAD") < 0)
			goto out;
	} else if (req_admit(&r) < 0) {
		goto out;
	}
	switch (ep) {
	case EP_LOGIN_TEST:
		intake_answer(&r, 200, "error", "0", "text", "dadns connection OK", "details", "none",
			      NULL);
		break;
	case EP_USER_EXISTS:
		intake_answer(&r, 200, "error", "0", "exists", "0", NULL);
		break;
	case EP_POP:
		intake_answer(&r, 200, "error", "0", NULL);
		break;
	case EP_DNS_ADMIN:
		intake_dns_admin(&r);
		break;
	case EP_HEALTH:
		intake_health(&r);
		break;
	case EP_STATUS:
		intake_status(&r);
		break;
	case EP_METRICS:
		intake_metrics(&r);
		break;
	case EP_UI:
		intake_ui(&r);
		break;
	case EP_UI_MOVED:
		intake_answer(&r, 301, "error", "0", "text", "see /ui/", NULL);
		r.reject = 0;
		r.headers = "Location: ui/\r\n";
		break;
	case EP_STATUS_RECENT:
		intake_status_recent(&r);
		break;
	case EP_STATUS_CHARTS:
		intake_status_charts(&r);
		break;
	case EP_STATUS_ZONE:
		intake_status_zone(&r);
		break;
	case EP_NONE:
		break;
	}
out:
	send_answer(&r);
	log_request(&r, started);
	req_deinit(&r);
}
