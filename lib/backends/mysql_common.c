/* SPDX-License-Identifier: BSD-3-Clause */
/* mysql_common.c -- MySQL connection and zone replacement for the MySQL backends */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "lib/backends/mysql_common.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/zone.h"

/* Statements stay well below max_allowed_packet (16 MiB by default in
 * MariaDB, 64 MiB in MySQL 8; 1 MiB in old servers). */
#define MYSQL_STMT_MAX (256 * 1024)
#define MYSQL_IDS_PER_DELETE 1000
/* Timeouts (seconds) where the section sets none. */
#define MYSQL_CONNECT_TIMEOUT 5
#define MYSQL_RW_TIMEOUT 10

struct mysql_conn {
	MYSQL *db;                 /* NULL while not connected */
	const struct mysql_layout *layout;
	const struct config_backend *cfg; /* outlives the connection */
	const char *name;          /* the [backend NAME] */
	int schema_ok;             /* tables checked on this connection */
	int lost;                  /* the last failure lost the connection */
	pthread_mutex_t lock;      /* one operation at a time on db */
};

static pthread_once_t mysql_once = PTHREAD_ONCE_INIT;
static int mysql_init_rc;

/* mysql_library_init is not thread-safe; every backend thread comes here. */
static void mysql_global_init(void)
{
	mysql_init_rc = mysql_library_init(0, NULL, NULL);
}

/* s, or NULL when it is unset or empty. */
static const char *opt(const char *s)
{
	return s && *s ? s : NULL;
}

/* A timeout of the section in seconds, dflt when unset. */
static unsigned int timeout_or(int t, unsigned int dflt)
{
	return t > 0 ? (unsigned int)t : dflt;
}

int mysql_conn_open(const struct config_backend *cfg, const struct mysql_layout *layout, void **state,
		    char *err, size_t errlen)
{
	struct mysql_conn *c;

	*state = NULL;
	if (!opt(cfg->database)) {
		snprintf(err, errlen, "[backend %s]: database is required", cfg->name);
		return DADNS_EINVAL;
	}
	if (!opt(cfg->host) && !opt(cfg->socket)) {
		snprintf(err, errlen, "[backend %s]: host or socket is required", cfg->name);
		return DADNS_EINVAL;
	}
	pthread_once(&mysql_once, mysql_global_init);
	if (mysql_init_rc) {
		snprintf(err, errlen, "[backend %s]: mysql_library_init failed", cfg->name);
		return DADNS_EINVAL;
	}
	c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->layout = layout;
	c->cfg = cfg;
	c->name = cfg->name ? cfg->name : layout->type;
	if (!cfg->tls && (opt(cfg->tls_ca) || opt(cfg->tls_cert) || opt(cfg->tls_key)))
		log_warn("[backend %s]: tls_ca/tls_cert/tls_key are ignored while tls = 0", c->name);
	*state = c;
	return 0;
}

static void conn_close(struct mysql_conn *c)
{
	if (c->db)
		mysql_close(c->db);
	c->db = NULL;
	c->schema_ok = 0;
}

void mysql_conn_close(void *state)
{
	struct mysql_conn *c = state;

	if (!c)
		return;
	conn_close(c);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int mysql_conn_lost(const struct mysql_conn *c)
{
	return c->lost;
}

/* Is a server error about the data of this zone (retrying cannot help)? */
static int error_is_permanent(unsigned int e)
{
	switch (e) {
	case ER_DATA_TOO_LONG:
	case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
	case ER_WARN_DATA_OUT_OF_RANGE:
	case WARN_DATA_TRUNCATED:
	case ER_BAD_NULL_ERROR:
		return 1;
	}
	return 0;
}

/* Record the error of the last call on c->db in err and classify it. */
static int conn_fail(struct mysql_conn *c, const char *what, char *err, size_t errlen)
{
	unsigned int e = c->db ? mysql_errno(c->db) : CR_UNKNOWN_ERROR;

	snprintf(err, errlen, "%s %s: %s: %s (%u)", c->layout->type, c->name, what,
		 c->db ? mysql_error(c->db) : "no connection", e);
	/* client errors (2000-2999) and a server going down lose the connection */
	c->lost = (e >= CR_MIN_ERROR && e <= CR_MAX_ERROR) || e == ER_SERVER_SHUTDOWN ||
		  e == ER_CONNECTION_KILLED;
	if (c->lost)
		conn_close(c);
	else if (e == ER_NO_SUCH_TABLE)
		c->schema_ok = 0;
	return error_is_permanent(e) ? DADNS_EPERMFAIL : DADNS_ETEMPFAIL;
}

static int conn_query(struct mysql_conn *c, const char *sql, MYSQL_RES **res, char *err, size_t errlen)
{
	MYSQL_RES *r;

	if (res)
		*res = NULL;
	if (!c->db) {
		snprintf(err, errlen, "%s %s: not connected", c->layout->type, c->name);
		c->lost = 1;
		return DADNS_ETEMPFAIL;
	}
	if (mysql_real_query(c->db, sql, strlen(sql)) != 0)
		return conn_fail(c, "query", err, errlen);
	r = mysql_store_result(c->db);
	if (!r && mysql_field_count(c->db) != 0)
		return conn_fail(c, "reading the result", err, errlen);
	if (res)
		*res = r;
	else if (r)
		mysql_free_result(r);
	return 0;
}

int mysql_conn_exec(struct mysql_conn *c, const char *sql, char *err, size_t errlen)
{
	return conn_query(c, sql, NULL, err, errlen);
}

static int conn_options(struct mysql_conn *c)
{
	const struct config_backend *cfg = c->cfg;
	unsigned int off = 0;
	unsigned int connect_timeout = timeout_or(cfg->connect_timeout, MYSQL_CONNECT_TIMEOUT);
	unsigned int read_timeout = timeout_or(cfg->read_timeout, MYSQL_RW_TIMEOUT);
	unsigned int write_timeout = timeout_or(cfg->write_timeout, MYSQL_RW_TIMEOUT);
	my_bool yes = 1, verify = cfg->tls_verify ? 1 : 0;
	int bad = 0;

	bad |= mysql_optionsv(c->db, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
	bad |= mysql_optionsv(c->db, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
	bad |= mysql_optionsv(c->db, MYSQL_OPT_WRITE_TIMEOUT, &write_timeout);
	bad |= mysql_optionsv(c->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	bad |= mysql_optionsv(c->db, MYSQL_OPT_LOCAL_INFILE, &off);
	if (cfg->tls) {
		bad |= mysql_optionsv(c->db, MYSQL_OPT_SSL_ENFORCE, &yes);
		bad |= mysql_optionsv(c->db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
		if (opt(cfg->tls_ca))
			bad |= mysql_optionsv(c->db, MYSQL_OPT_SSL_CA, cfg->tls_ca);
		if (opt(cfg->tls_cert))
			bad |= mysql_optionsv(c->db, MYSQL_OPT_SSL_CERT, cfg->tls_cert);
		if (opt(cfg->tls_key))
			bad |= mysql_optionsv(c->db, MYSQL_OPT_SSL_KEY, cfg->tls_key);
	}
	return bad ? -1 : 0;
}

/* The session every statement of ours expects: strict (a value that does
 * not fit is an error, never silently cut), READ COMMITTED for short
 * locks, a lock wait shorter than the read timeout. */
static int conn_session(struct mysql_conn *c, char *err, size_t errlen)
{
	char sql[200];
	unsigned int read_timeout = timeout_or(c->cfg->read_timeout, MYSQL_RW_TIMEOUT);
	unsigned int wait = read_timeout > 2 ? read_timeout - 1 : 1;
	int rc;

	rc = mysql_conn_exec(c, "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'", err,
			     errlen);
	if (rc == 0)
		rc = mysql_conn_exec(c, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", err, errlen);
	if (rc == 0) {
		snprintf(sql, sizeof(sql), "SET SESSION innodb_lock_wait_timeout = %u", wait);
		rc = mysql_conn_exec(c, sql, err, errlen);
	}
	return rc;
}

static int conn_schema(struct mysql_conn *c, char *err, size_t errlen)
{
	const char *const *d;
	int rc;

	for (d = c->layout->ddl; d && *d; d++) {
		rc = mysql_conn_exec(c, *d, err, errlen);
		if (rc < 0)
			return rc == DADNS_EPERMFAIL ? DADNS_ETEMPFAIL : rc;
	}
	c->schema_ok = 1;
	return 0;
}

int mysql_conn_ensure(struct mysql_conn *c, char *err, size_t errlen)
{
	const struct config_backend *cfg = c->cfg;
	const char *sock = opt(cfg->socket);
	int rc;

	c->lost = 0;
	if (!c->db) {
		c->db = mysql_init(NULL);
		if (!c->db) {
			snprintf(err, errlen, "%s %s: mysql_init failed", c->layout->type, c->name);
			return DADNS_ETEMPFAIL;
		}
		if (conn_options(c) < 0) {
			conn_close(c);
			snprintf(err, errlen, "%s %s: cannot set connection options", c->layout->type, c->name);
			return DADNS_ETEMPFAIL;
		}
		/* no username: libmariadb uses the login name (unix_socket auth) */
		if (!mysql_real_connect(c->db, sock ? NULL : opt(cfg->host), opt(cfg->username),
					cfg->password ? cfg->password : "", cfg->database,
					sock ? 0 : (unsigned int)cfg->port, sock, 0)) {
			char what[300];

			if (sock)
				snprintf(what, sizeof(what), "connect to %s", sock);
			else
				snprintf(what, sizeof(what), "connect to %s:%d", cfg->host, cfg->port);
			conn_fail(c, what, err, errlen);
			c->lost = 1;
			conn_close(c);
			return DADNS_ETEMPFAIL;
		}
		rc = conn_session(c, err, errlen);
		if (rc < 0) {
			conn_close(c);
			return DADNS_ETEMPFAIL;
		}
		log_debug("%s %s: connected to %s", c->layout->type, c->name, sock ? sock : cfg->host);
	}
	if (!c->schema_ok)
		return conn_schema(c, err, errlen);
	return 0;
}

/* ---- SQL text ---- */

static void sb_quote(struct mysql_conn *c, struct strbuf *sb, const char *s)
{
	size_t n;
	char *tmp;

	if (!s) {
		strbuf_puts(sb, "NULL");
		return;
	}
	n = strlen(s);
	tmp = xmalloc(2 * n + 3);
	tmp[0] = '\'';
	n = mysql_real_escape_string(c->db, tmp + 1, s, (unsigned long)n);
	tmp[n + 1] = '\'';
	strbuf_append(sb, tmp, n + 2);
	free(tmp);
}

static char *zone_key(const struct mysql_layout *l, const char *domain)
{
	char *k = xasprintf("%s%s", domain, l->zone_dot ? "." : "");
	char *p;

	for (p = k; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return k;
}

/* The id of the zone row, 0 when there is none. */
static int zone_find(struct mysql_conn *c, const char *key, int lock, int64_t *id, char *err, size_t errlen)
{
	const struct mysql_layout *l = c->layout;
	struct strbuf sb;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	int rc;

	*id = 0;
	strbuf_init(&sb);
	strbuf_printf(&sb, "SELECT id FROM %s WHERE %s = ", l->zones, l->zone_name);
	sb_quote(c, &sb, key);
	if (lock)
		strbuf_puts(&sb, " FOR UPDATE");
	rc = conn_query(c, sb.buf, &res, err, errlen);
	if (rc == 0 && res && (row = mysql_fetch_row(res)) && row[0])
		*id = strtoll(row[0], NULL, 10);
	if (res)
		mysql_free_result(res);
	strbuf_deinit(&sb);
	return rc;
}

static int zone_create(struct mysql_conn *c, const char *key, int64_t *id, char *err, size_t errlen)
{
	const struct mysql_layout *l = c->layout;
	struct strbuf sb;
	int rc;

	strbuf_init(&sb);
	strbuf_printf(&sb, "INSERT INTO %s (%s%s) VALUES (", l->zones, l->zone_name, l->zone_cols);
	sb_quote(c, &sb, key);
	strbuf_printf(&sb, "%s)", l->zone_vals);
	rc = mysql_conn_exec(c, sb.buf, err, errlen);
	if (rc == 0)
		*id = (int64_t)mysql_insert_id(c->db);
	strbuf_deinit(&sb);
	return rc;
}

static char *col_dup(MYSQL_ROW row, unsigned long *len, int i)
{
	return row[i] ? xstrndup(row[i], len[i]) : NULL;
}

/* Every row of zone id into *have, locked for update. */
static int rows_load(struct mysql_conn *c, int64_t id, struct rrconv_rows *have, char *err, size_t errlen)
{
	const struct mysql_layout *l = c->layout;
	struct strbuf sb;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	int rc;

	strbuf_init(&sb);
	strbuf_printf(&sb, "SELECT id, %s, type, %s, ttl, %s, %s, %s FROM %s WHERE %s = %lld FOR UPDATE",
		      l->name, l->data, l->has_prio_disabled ? "prio" : "0", l->auth,
		      l->has_prio_disabled ? "disabled" : "0", l->records, l->zone_id, (long long)id);
	rc = conn_query(c, sb.buf, &res, err, errlen);
	while (rc == 0 && res && (row = mysql_fetch_row(res))) {
		unsigned long *len = mysql_fetch_lengths(res);
		struct rrconv_row r = { 0 };
		int disabled = row[7] && atoi(row[7]) != 0;

		r.id = row[0] ? strtoll(row[0], NULL, 10) : 0;
		r.name = col_dup(row, len, 1);
		r.type = col_dup(row, len, 2);
		r.data = col_dup(row, len, 3);
		r.ttl = row[4] ? strtoll(row[4], NULL, 10) : 0;
		r.prio = row[5] ? atoi(row[5]) : 0;
		/* a disabled row matches no wanted row: auth -1 */
		r.auth = disabled ? -1 : row[6] ? atoi(row[6]) : 0;
		rrconv_rows_add(have, r.id, r.name, r.type, r.data, r.ttl, r.prio, r.auth);
		free(r.name);
		free(r.type);
		free(r.data);
	}
	if (res)
		mysql_free_result(res);
	strbuf_deinit(&sb);
	return rc;
}

static int rows_delete(struct mysql_conn *c, const int64_t *ids, size_t n, char *err, size_t errlen)
{
	struct strbuf sb;
	size_t i, k;
	int rc = 0;

	strbuf_init(&sb);
	for (i = 0; i < n && rc == 0; i += k) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, "DELETE FROM %s WHERE id IN (", c->layout->records);
		for (k = 0; k < MYSQL_IDS_PER_DELETE && i + k < n; k++)
			strbuf_printf(&sb, "%s%lld", k ? "," : "", (long long)ids[i + k]);
		strbuf_puts(&sb, ")");
		rc = mysql_conn_exec(c, sb.buf, err, errlen);
	}
	strbuf_deinit(&sb);
	return rc;
}

static void row_values(struct mysql_conn *c, struct strbuf *sb, int64_t id, const struct rrconv_row *r)
{
	strbuf_printf(sb, "(%lld,", (long long)id);
	sb_quote(c, sb, r->name);
	strbuf_puts(sb, ",");
	sb_quote(c, sb, r->type);
	strbuf_puts(sb, ",");
	sb_quote(c, sb, r->data);
	if (!r->type) /* PowerDNS empty non-terminal */
		strbuf_printf(sb, ",NULL,NULL,0,%d)", r->auth);
	else if (c->layout->has_prio_disabled)
		strbuf_printf(sb, ",%lld,%d,0,%d)", (long long)r->ttl, r->prio, r->auth);
	else
		strbuf_printf(sb, ",%lld,%d)", (long long)r->ttl, r->auth);
}

/* Insert want->v[idx[0..n)] into zone id, several rows per statement. */
static int rows_insert(struct mysql_conn *c, int64_t id, const struct rrconv_rows *want, const size_t *idx,
		       size_t n, char *err, size_t errlen)
{
	const struct mysql_layout *l = c->layout;
	struct strbuf sb;
	size_t i = 0, k;
	int rc = 0;

	strbuf_init(&sb);
	while (i < n && rc == 0) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, "INSERT INTO %s (%s, %s, type, %s, ttl, %s%s) VALUES ", l->records, l->zone_id,
			      l->name, l->data, l->has_prio_disabled ? "prio, disabled, " : "", l->auth);
		for (k = 0; i < n && (k == 0 || sb.len < MYSQL_STMT_MAX); k++, i++) {
			if (k)
				strbuf_puts(&sb, ",");
			row_values(c, &sb, id, &want->v[idx[i]]);
		}
		rc = mysql_conn_exec(c, sb.buf, err, errlen);
	}
	strbuf_deinit(&sb);
	return rc;
}

/* Wanted rows of a zone text, sorted. 0 or DADNS_EPERMFAIL with err set. */
static int zone_want(const struct mysql_layout *l, const struct backend_zone *z, struct rrconv_rows *want,
		     int64_t *serial, char *err, size_t errlen)
{
	ldns_rr_list *rrs = NULL;
	char why[200] = "";
	int rc;

	rc = zone_parse(z->domain, z->zone_text, z->zone_len, &rrs, why, sizeof(why));
	if (rc == 0)
		rc = rrconv_zone(l->flavor, z->domain, rrs, want, serial, why, sizeof(why));
	if (rrs)
		ldns_rr_list_deep_free(rrs);
	if (rc < 0) {
		snprintf(err, errlen, "zone %s cannot be converted: %s", z->domain, why);
		return DADNS_EPERMFAIL;
	}
	rrconv_rows_sort(want);
	return 0;
}

static void rollback(struct mysql_conn *c)
{
	char ignored[BACKEND_ERR_MAX];

	if (c->db)
		mysql_conn_exec(c, "ROLLBACK", ignored, sizeof(ignored));
}

/* Bring the rows of zone z to exactly its records, in one transaction. */
static int zone_replace(struct mysql_conn *c, struct backend_zone *z)
{
	struct rrconv_rows want, have;
	int64_t id = 0, *extra = NULL;
	size_t n_extra = 0, n_missing, *missing = NULL;
	char *key = zone_key(c->layout, z->domain);
	int rc;

	rrconv_rows_init(&want);
	rrconv_rows_init(&have);
	rc = zone_want(c->layout, z, &want, NULL, z->error, sizeof(z->error));
	if (rc < 0)
		goto out;
	rc = mysql_conn_exec(c, "START TRANSACTION", z->error, sizeof(z->error));
	if (rc == 0)
		rc = zone_find(c, key, 1, &id, z->error, sizeof(z->error));
	if (rc == 0 && id == 0)
		rc = zone_create(c, key, &id, z->error, sizeof(z->error));
	else if (rc == 0)
		rc = rows_load(c, id, &have, z->error, sizeof(z->error));
	if (rc < 0)
		goto out;
	rrconv_rows_sort(&have);
	n_missing = rrconv_diff(&want, &have, &extra, &n_extra, &missing);
	rc = rows_delete(c, extra, n_extra, z->error, sizeof(z->error));
	if (rc == 0)
		rc = rows_insert(c, id, &want, missing, n_missing, z->error, sizeof(z->error));
	if (rc == 0)
		rc = mysql_conn_exec(c, "COMMIT", z->error, sizeof(z->error));
	if (rc == 0)
		log_debug("%s %s: zone %s: %zu rows removed, %zu added, %zu kept", c->layout->type, c->name,
			  z->domain, n_extra, n_missing, want.n - n_missing);
out:
	if (rc < 0)
		rollback(c);
	free(extra);
	free(missing);
	free(key);
	rrconv_rows_deinit(&want);
	rrconv_rows_deinit(&have);
	return rc;
}

static int zone_delete(struct mysql_conn *c, struct backend_zone *z)
{
	const struct mysql_layout *l = c->layout;
	const char *const *aux;
	char *key = zone_key(l, z->domain);
	struct strbuf sb;
	int64_t id = 0;
	int rc;

	strbuf_init(&sb);
	rc = mysql_conn_exec(c, "START TRANSACTION", z->error, sizeof(z->error));
	if (rc == 0)
		rc = zone_find(c, key, 1, &id, z->error, sizeof(z->error));
	if (rc == 0 && id) {
		strbuf_printf(&sb, "DELETE FROM %s WHERE %s = %lld", l->records, l->zone_id, (long long)id);
		rc = mysql_conn_exec(c, sb.buf, z->error, sizeof(z->error));
		for (aux = l->zone_aux; rc == 0 && aux && *aux; aux++) {
			strbuf_reset(&sb);
			strbuf_printf(&sb, "DELETE FROM %s WHERE %s = %lld", *aux, l->zone_id, (long long)id);
			rc = mysql_conn_exec(c, sb.buf, z->error, sizeof(z->error));
		}
		if (rc == 0) {
			strbuf_reset(&sb);
			strbuf_printf(&sb, "DELETE FROM %s WHERE id = %lld", l->zones, (long long)id);
			rc = mysql_conn_exec(c, sb.buf, z->error, sizeof(z->error));
		}
	}
	if (rc == 0)
		rc = mysql_conn_exec(c, "COMMIT", z->error, sizeof(z->error));
	if (rc < 0)
		rollback(c);
	else
		log_debug("%s %s: zone %s deleted%s", l->type, c->name, z->domain, id ? "" : " (was absent)");
	strbuf_deinit(&sb);
	free(key);
	return rc;
}

void mysql_zone_apply(void *state, struct backend_zone *zones, size_t n)
{
	struct mysql_conn *c = state;
	char down[BACKEND_ERR_MAX] = "";
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < n; i++) {
		struct backend_zone *z = &zones[i];
		int attempt, rc = 0;

		z->error[0] = '\0';
		if (down[0]) {
			z->result = DADNS_ETEMPFAIL;
			snprintf(z->error, sizeof(z->error), "%s", down);
			continue;
		}
		for (attempt = 0; attempt < 2; attempt++) {
			rc = mysql_conn_ensure(c, z->error, sizeof(z->error));
			if (rc < 0) {
				/* the server cannot be reached: fail the rest at once */
				snprintf(down, sizeof(down), "%s", z->error);
				break;
			}
			rc = z->zone_text ? zone_replace(c, z) : zone_delete(c, z);
			if (rc == 0 || !c->lost)
				break;
			log_warn("%s %s: zone %s: %s; reconnecting", c->layout->type, c->name, z->domain,
				 z->error);
		}
		z->result = rc;
	}
	pthread_mutex_unlock(&c->lock);
}

int mysql_zone_exists(void *state, const char *domain)
{
	struct mysql_conn *c = state;
	const struct mysql_layout *l = c->layout;
	char err[BACKEND_ERR_MAX] = "";
	char *key = zone_key(l, domain);
	struct strbuf sb;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	int attempt, rc = 0, found = 0;

	strbuf_init(&sb);
	pthread_mutex_lock(&c->lock);
	for (attempt = 0; attempt < 2; attempt++) {
		rc = mysql_conn_ensure(c, err, sizeof(err));
		if (rc < 0)
			break;
		strbuf_reset(&sb);
		strbuf_printf(&sb, "SELECT COUNT(*) FROM %s WHERE type = 'SOA' AND %s = (SELECT id FROM %s WHERE %s = ",
			      l->records, l->zone_id, l->zones, l->zone_name);
		sb_quote(c, &sb, key);
		strbuf_puts(&sb, ")");
		rc = conn_query(c, sb.buf, &res, err, sizeof(err));
		if (rc == 0 || !c->lost)
			break;
	}
	if (rc == 0 && res && (row = mysql_fetch_row(res)) && row[0])
		found = atoll(row[0]) > 0;
	if (res)
		mysql_free_result(res);
	pthread_mutex_unlock(&c->lock);
	if (rc < 0)
		log_warn("%s %s: exists %s: %s", l->type, c->name, domain, err);
	strbuf_deinit(&sb);
	free(key);
	return rc < 0 ? DADNS_ETEMPFAIL : found;
}

/* Load the zone's rows, remove the ones that do not belong there. */
static int verify_rows(struct mysql_conn *c, struct backend_zone *z, const struct rrconv_rows *want,
		       struct rrconv_rows *have, size_t *n_missing, size_t *n_extra)
{
	char *key = zone_key(c->layout, z->domain);
	int64_t id = 0, *extra = NULL;
	int rc;

	*n_missing = *n_extra = 0;
	rc = mysql_conn_exec(c, "START TRANSACTION", z->error, sizeof(z->error));
	if (rc == 0)
		rc = zone_find(c, key, 1, &id, z->error, sizeof(z->error));
	if (rc == 0 && id == 0) {
		snprintf(z->error, sizeof(z->error), "%s %s: zone %s is missing", c->layout->type, c->name,
			 z->domain);
		rc = DADNS_ETEMPFAIL;
	}
	if (rc == 0)
		rc = rows_load(c, id, have, z->error, sizeof(z->error));
	if (rc == 0 && want) {
		rrconv_rows_sort(have);
		*n_missing = rrconv_diff(want, have, &extra, n_extra, NULL);
		rc = rows_delete(c, extra, *n_extra, z->error, sizeof(z->error));
	}
	if (rc == 0)
		rc = mysql_conn_exec(c, "COMMIT", z->error, sizeof(z->error));
	else
		rollback(c);
	free(extra);
	free(key);
	return rc;
}

int mysql_zone_verify(void *state, struct backend_zone *z)
{
	struct mysql_conn *c = state;
	struct rrconv_rows want, have;
	size_t n_missing = 0, n_extra = 0, count;
	int64_t serial = -1;
	int attempt, rc;

	z->error[0] = '\0';
	rrconv_rows_init(&want);
	rrconv_rows_init(&have);
	if (z->zone_text) {
		rc = zone_want(c->layout, z, &want, &serial, z->error, sizeof(z->error));
		if (rc < 0)
			goto out;
	}
	pthread_mutex_lock(&c->lock);
	for (attempt = 0; attempt < 2; attempt++) {
		rc = mysql_conn_ensure(c, z->error, sizeof(z->error));
		if (rc < 0)
			break;
		rrconv_rows_deinit(&have);
		rrconv_rows_init(&have);
		rc = verify_rows(c, z, z->zone_text ? &want : NULL, &have, &n_missing, &n_extra);
		if (rc == 0 || !c->lost)
			break;
	}
	pthread_mutex_unlock(&c->lock);
	if (rc < 0)
		goto out;
	if (n_extra)
		log_warn("%s %s: verify %s: removed %zu extra rows", c->layout->type, c->name, z->domain,
			 n_extra);
	if (!z->zone_text)
		serial = rrconv_rows_serial(&have);
	count = z->zone_text ? rrconv_rows_records(&want) : rrconv_rows_records(&have);
	if (n_missing) {
		snprintf(z->error, sizeof(z->error), "%s %s: zone %s: %zu of %zu rows missing", c->layout->type,
			 c->name, z->domain, n_missing, want.n);
		rc = DADNS_ETEMPFAIL;
	} else if (z->serial > 0 && serial != z->serial) {
		snprintf(z->error, sizeof(z->error), "%s %s: zone %s: serial %lld served, %lld wanted",
			 c->layout->type, c->name, z->domain, (long long)serial, (long long)z->serial);
		rc = DADNS_ETEMPFAIL;
	} else if (z->records > 0 && count != (size_t)z->records && z->zone_text) {
		/* the rows match the text: zone.c counted differently; say so only */
		log_warn("%s %s: verify %s: %zu records in the database, %d counted at intake",
			 c->layout->type, c->name, z->domain, count, z->records);
	} else if (z->records > 0 && count != (size_t)z->records) {
		snprintf(z->error, sizeof(z->error), "%s %s: zone %s: %zu records served, %d wanted",
			 c->layout->type, c->name, z->domain, count, z->records);
		rc = DADNS_ETEMPFAIL;
	}
out:
	rrconv_rows_deinit(&want);
	rrconv_rows_deinit(&have);
	return rc;
}
