/* SPDX-License-Identifier: BSD-3-Clause */
/* intake.h -- dadns-intake: the FastCGI responder DirectAdmin pushes zones to */
#ifndef DADNS_INTAKE_H
#define DADNS_INTAKE_H

#include <fcgiapp.h>

#include "lib/config.h"
#include "lib/http.h"
#include "lib/store.h"
#include "lib/util.h"

/* Options from the command line. */
struct intake_opts {
	const char *listen;     /* NULL: the listening socket is fd 0 */
	int socket_mode;        /* mode of a unix socket made by --listen */
};

/* One request being answered; lives on a worker thread's stack. */
struct intake_req {
	FCGX_Request *fcgi;
	const struct config *cfg;
	struct store *st;          /* this thread's connection */
	const char *method;        /* "GET", "POST", ... (never NULL) */
	char *path;                /* REQUEST_URI up to '?' (owned) */
	const char *uri;           /* REQUEST_URI as sent, for the log */
	const char *query;         /* QUERY_STRING (never NULL) */
	const char *remote_addr;   /* REMOTE_ADDR or "-" */
	const char *content_type;  /* CONTENT_TYPE, NULL when absent or empty */
	long long content_length;
	char *body;                /* read by intake_read_body (owned), NUL-terminated */
	size_t body_len;
	int body_read;
	struct http_form params;   /* query (first) and, when decoded, body pairs */
	/* the answer */
	int status;                /* HTTP status, 200 unless set */
	struct strbuf answer;      /* URL-encoded key=value&... */
	const char *allow;         /* Allow header for 405 */
	const char *answer_type;   /* Content-Type; NULL: text/plain */
	const char *headers;       /* more header lines, each ending "\r\n", or NULL */
	int quiet;                 /* 1: log a success at debug (health checks) */
	int reject;                /* 1: log at warn */
	char note[512];            /* outcome for the log line */
};

/* Listen (opts->listen, or the inherited socket: fd 3 under systemd socket
 * activation, else fd 0), start cfg->app.threads workers each with
 * its own store connection, serve until SIGTERM/SIGINT, then stop accepting,
 * let in-flight requests finish and return. Returns 0, or a negative
 * DADNS_E* on a start-up failure (already logged). */
int intake_run(const struct config *cfg, const struct intake_opts *opts);

/* Answer one accepted FastCGI request (request.c). */
void intake_handle(FCGX_Request *fcgi, const struct config *cfg, struct store *st);

/* Read the request body (at most cfg max_body_bytes; the caller checked
 * CONTENT_LENGTH). Returns 0 or a negative DADNS_E* with the answer set. */
int intake_read_body(struct intake_req *r);

/* Set the answer: status, then key/value pairs (NULL-terminated list of
 * key, value, key, value...). error=1 answers are logged at warn with text
 * and details as the reason. */
void intake_answer(struct intake_req *r, int status, ...) __attribute__((sentinel));

/* The CMD_API_DNS_ADMIN command (dnsadmin.c). */
void intake_dns_admin(struct intake_req *r);

/* [app] ack = served (ack.c): a committed push of domain (write: serial;
 * committed no earlier than since, util_now_ms) is answered once every
 * enabled backend serves it -- applied and verified, or for a delete
 * removed -- or after ack_timeout_ms (logged, counted). Returns 1 when
 * served (or ack = committed), 0 after the timeout. */
struct intake_ack {
	const char *domain;
	int64_t serial;
	int64_t since;
};
int intake_ack_wait(struct intake_req *r, const struct intake_ack *w, int n, int is_delete);

/* Who may read /status and /metrics (operator.c): a REMOTE_ADDR in [app]
 * operator_allow, else the Basic credentials [app] operator_username/
 * operator_password when set, else the DA credentials. 0 when admitted,
 * else -1 with a 401 answer set. */
int intake_operator_admit(struct intake_req *r);

/* The operator endpoints (operator.c), for GET and HEAD: /health (no
 * credentials; error=0&text=ok, or 503 when the database does not answer
 * or no dadns-worker runs), /status (JSON, 503 when the database cannot be
 * read), /metrics (Prometheus text format 0.0.4). */
void intake_health(struct intake_req *r);
/* Count a refused rawsave or delete (r->reject) for /metrics; accepted
 * ones are counted inside their transaction (lib/store.h, counters). */
void intake_count_push(struct intake_req *r, const char *action);
void intake_status(struct intake_req *r);
void intake_metrics(struct intake_req *r);

/* The operator's page (ui.c), under the rules of /status, GET or HEAD:
 * /ui/ and its files, and its JSON (lib/status_ui.h): /status/recent,
 * /status/charts, /status/zone?domain=D (400 JSON error for a bad query,
 * 404 for a zone not stored). With the page's security headers. */
void intake_ui(struct intake_req *r);
void intake_status_recent(struct intake_req *r);
void intake_status_charts(struct intake_req *r);
void intake_status_zone(struct intake_req *r);

/* GET/HEAD /internal/zones[?domain=D], /internal/tombstones and
 * /internal/peers (internal.c): JSON for other dadns nodes, behind the
 * [peer_sync] auth_username/auth_password only (the DA credentials are
 * refused); 404 for another /internal/ path. */
void intake_internal(struct intake_req *r);

#endif
