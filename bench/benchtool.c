/* SPDX-License-Identifier: BSD-3-Clause */
/* benchtool.c -- the measuring half of `make bench`: DA-style pushes, SOA polling, SQLite commits
 *
 * benchtool latency URL USER:PASS ZONE SERIAL COUNT (dns HOST:PORT | mysql HOST:PORT:USER:PASS:DB)
 *     COUNT times: POST the zone with SERIAL+i as DirectAdmin does (rawsave,
 *     raw body, no Content-Type), then poll until the server answers that
 *     serial. The time of one push is from the start of the POST to the
 *     start of the poll that saw the new serial (the successful poll's own
 *     round trip is not counted). Prints one line per push (ms) to stdout
 *     and a summary to stderr.
 * benchtool push URL USER:PASS PREFIX N SERIAL CONNS
 *     N distinct zones PREFIX1.bench.test .. as fast as CONNS connections
 *     get them accepted (keep-alive). Prints "pushed N s errors".
 * benchtool wait HOST:PORT PREFIX N SERIAL TIMEOUT_S
 *     Poll (UDP, many in flight) until every zone answers SERIAL. Prints
 *     "served N s" (seconds since this command started).
 * benchtool bulk URL USER:PASS PREFIX N SERIAL CONNS HOST:PORT[,HOST:PORT]
 *     push, then wait on every server; times from the first push's start.
 * benchtool sqlite DIR FULL|NORMAL SECONDS
 *     commits/s of one small INSERT per transaction, WAL, on DIR's disk.
 *
 * Links libcurl, ldns, libmariadb and sqlite3 (the libraries dadns uses).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <mysql.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HOSTNAME "da1.example.net"
#define USERNAME "fred"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *msg)
{
	fprintf(stderr, "benchtool: %s\n", msg);
	exit(2);
}

/* A zone as DirectAdmin writes it (its named.db template). */
static char *zone_text(const char *d, unsigned long serial, size_t *len)
{
	char *s = NULL;
	int n = asprintf(&s,
			 "$TTL 3600\n"
			 "@\tIN\tSOA\tns1.%s.\thostmaster.%s. (\n\t\t\t%lu\n\t\t\t3600\n\t\t\t3600\n"
			 "\t\t\t1209600\n\t\t\t86400 )\n\n"
			 "%s.\t3600\tIN\tNS\tns1.%s.\n%s.\t3600\tIN\tNS\tns2.%s.\n\n"
			 "%s.\t3600\tIN\tA\t192.0.2.10\nwww\t3600\tIN\tA\t192.0.2.10\n"
			 "ftp\t3600\tIN\tA\t192.0.2.10\nmail\t3600\tIN\tA\t192.0.2.11\n"
			 "ns1\t3600\tIN\tA\t192.0.2.1\nns2\t3600\tIN\tA\t192.0.2.2\n"
			 "pop\t3600\tIN\tCNAME\tmail\nsmtp\t3600\tIN\tCNAME\tmail\n"
			 "%s.\t3600\tIN\tMX\t10 mail\n"
			 "%s.\t3600\tIN\tTXT\t\"v=spf1 a mx ip4:192.0.2.10 ~all\"\n"
			 "_dmarc\t3600\tIN\tTXT\t\"v=DMARC1; p=none\"\n",
			 d, d, serial, d, d, d, d, d, d, d);
	if (n < 0)
		die("out of memory");
	*len = (size_t)n;
	return s;
}

/* ---- HTTP ---------------------------------------------------------------- */

struct xfer {
	CURL *h;
	char url[1024];
	char *body;
	size_t body_len;
	char ans[256];
	size_t ans_len;
	int busy;
	double t0;
};

static size_t on_data(char *p, size_t sz, size_t nm, void *arg)
{
	struct xfer *x = arg;
	size_t n = sz * nm, room = sizeof(x->ans) - 1 - x->ans_len;

	memcpy(x->ans + x->ans_len, p, n < room ? n : room);
	x->ans_len += n < room ? n : room;
	x->ans[x->ans_len] = '\0';
	return n;
}

static struct curl_slist *hdrs;

static void xfer_setup(struct xfer *x, const char *base, const char *userpw, const char *domain,
		       unsigned long serial)
{
	free(x->body);
	x->body = zone_text(domain, serial, &x->body_len);
	snprintf(x->url, sizeof(x->url),
		 "%s/CMD_API_DNS_ADMIN?action=rawsave&domain=%s&hostname=" HOSTNAME
		 "&username=" USERNAME, base, domain);
	if (!x->h) {
		x->h = curl_easy_init();
		if (!hdrs)
			hdrs = curl_slist_append(NULL, "Content-Type:");
		curl_easy_setopt(x->h, CURLOPT_USERPWD, userpw);
		curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
		curl_easy_setopt(x->h, CURLOPT_TIMEOUT, 60L);
		curl_easy_setopt(x->h, CURLOPT_TCP_NODELAY, 1L);
	}
	curl_easy_setopt(x->h, CURLOPT_URL, x->url);
	curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE, (long)x->body_len);
	x->ans_len = 0;
	x->ans[0] = '\0';
}

static int xfer_ok(struct xfer *x, CURLcode rc)
{
	long code = 0;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK || code != 200 || strncmp(x->ans, "error=0", 7) != 0) {
		fprintf(stderr, "benchtool: push %s: curl %d, HTTP %ld, %s\n", x->url, (int)rc, code,
			x->ans);
		return 0;
	}
	return 1;
}

/* ---- DNS ------------------------------------------------------------------ */

static void parse_hostport(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *c = strrchr(s, ':');

	if (!c || (size_t)(c - s) >= sizeof(host))
		die("want HOST:PORT");
	memcpy(host, s, (size_t)(c - s));
	host[c - s] = '\0';
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(c + 1));
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		die("bad IPv4 address");
}

static int udp_open(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 4 << 20;

	if (fd < 0 || connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		die("cannot open the UDP socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return fd;
}

/* Send an SOA query for domain with id. */
static void soa_send(int fd, const char *domain, uint16_t id)
{
	ldns_pkt *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	if (ldns_pkt_query_new_frm_str(&q, domain, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0) !=
	    LDNS_STATUS_OK)
		die("cannot build a query");
	ldns_pkt_set_id(q, id);
	if (ldns_pkt2wire(&wire, q, &len) != LDNS_STATUS_OK)
		die("cannot build a query");
	if (send(fd, wire, len, 0) < 0 && errno != ECONNREFUSED)
		perror("benchtool: send");
	free(wire);
	ldns_pkt_free(q);
}

/* Receive one answer (waiting up to ms): its id and SOA serial (0 when
 * none). Returns 1 when an answer came. */
static int soa_recv(int fd, int ms, uint16_t *id, unsigned long *serial)
{
	struct pollfd p = { fd, POLLIN, 0 };
	uint8_t buf[4096];
	ldns_pkt *a = NULL;
	ssize_t n;
	size_t i;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0 || ldns_wire2pkt(&a, buf, (size_t)n) != LDNS_STATUS_OK)
		return 0;
	*id = ldns_pkt_id(a);
	*serial = 0;
	for (i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(a)); i++) {
		ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(a), i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3)
			*serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
	}
	ldns_pkt_free(a);
	return 1;
}

/* ---- latency ------------------------------------------------------------------ */

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), dcmp);
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

struct poller {
	struct sockaddr_in sa; /* dns */
	MYSQL *my;     /* mysql */
	char domain[256];
	uint16_t id;
};

/* read exactly n octets (timeout 2 s); 0 on success */
static int read_full(int fd, uint8_t *b, size_t n)
{
	while (n) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t k;

		if (poll(&p, 1, 2000) <= 0)
			return -1;
		k = read(fd, b, n);
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The SOA serial sa serves for domain, asked over a new TCP connection
 * (0 when none). TCP: NSD's response rate limiting (on by default) would
 * drop a tight loop of UDP queries for one name; and a new connection
 * reaches the server processes NSD forks at each reload. */
static unsigned long soa_tcp(const struct sockaddr_in *sa, const char *domain)
{
	ldns_pkt *q = NULL, *a = NULL;
	uint8_t *wire = NULL, *buf = NULL, lenb[2];
	size_t len = 0, i;
	unsigned long serial = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		goto out;
	if (ldns_pkt_query_new_frm_str(&q, domain, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0) !=
	    LDNS_STATUS_OK || ldns_pkt2wire(&wire, q, &len) != LDNS_STATUS_OK)
		die("cannot build a query");
	buf = malloc(len + 2);
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	memcpy(buf + 2, wire, len);
	if (write(fd, buf, len + 2) != (ssize_t)(len + 2) || read_full(fd, lenb, 2) < 0)
		goto out;
	len = ((size_t)lenb[0] << 8) | lenb[1];
	free(buf);
	buf = malloc(len);
	if (read_full(fd, buf, len) < 0 || ldns_wire2pkt(&a, buf, len) != LDNS_STATUS_OK)
		goto out;
	for (i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(a)); i++) {
		ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(a), i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3)
			serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
	}
out:
	close(fd);
	free(buf);
	free(wire);
	ldns_pkt_free(q);
	ldns_pkt_free(a);
	return serial;
}

/* One poll: 1 when the server has serial. */
static int poll_once(struct poller *p, unsigned long serial)
{
	if (p->my) {
		char q[1024], want[32];
		MYSQL_RES *res;
		MYSQL_ROW row;
		int hit = 0;

		snprintf(q, sizeof(q),
			 "SELECT r.data FROM records r JOIN zones z ON z.id = r.zone_id "
			 "WHERE z.zone_name = '%s.' AND r.type = 'SOA'", p->domain);
		snprintf(want, sizeof(want), "%lu", serial);
		if (mysql_query(p->my, q) != 0)
			return 0;  /* e.g. the tables are made at the first write */
		res = mysql_store_result(p->my);
		while (res && (row = mysql_fetch_row(res)))
			if (row[0] && strstr(row[0], want))
				hit = 1;
		mysql_free_result(res);
		return hit;
	}
	return soa_tcp(&p->sa, p->domain) >= serial;  /* a signing server may raise it */
}

static int cmd_latency(char **av)
{
	const char *base = av[0], *userpw = av[1], *target = av[6];
	unsigned long serial = strtoul(av[3], NULL, 10);
	int count = atoi(av[4]), i, errors = 0;
	double *lat = calloc((size_t)count, sizeof(double)), *cost = calloc(100000, sizeof(double));
	double *ans = calloc((size_t)count, sizeof(double));
	size_t ncost = 0, nlat = 0, nans = 0, at_answer = 0;
	struct poller p = { .my = NULL };
	struct xfer x = { 0 };

	snprintf(p.domain, sizeof(p.domain), "%s", av[2]);
	if (!strcmp(av[5], "dns")) {
		parse_hostport(target, &p.sa);
	} else if (!strcmp(av[5], "mysql")) {
		char *t = strdup(target), *f[5];
		int k;

		for (k = 0; k < 5; k++)
			f[k] = strsep(&t, ":");
		if (!f[4])
			die("mysql target: HOST:PORT:USER:PASS:DB");
		p.my = mysql_init(NULL);
		if (!mysql_real_connect(p.my, f[0], f[2], f[3], f[4], (unsigned)atoi(f[1]), NULL, 0))
			die(mysql_error(p.my));
		mysql_autocommit(p.my, 1);
		free(f[0]);
	} else {
		die("latency: dns or mysql");
	}
	for (i = 0; i < count; i++) {
		unsigned long s = serial + (unsigned long)i;
		double t0, tq, t1;

		xfer_setup(&x, base, userpw, p.domain, s);
		t0 = now_s();
		if (!xfer_ok(&x, curl_easy_perform(x.h))) {
			errors++;
			continue;
		}
		ans[nans++] = (now_s() - t0) * 1000;   /* time to the answer */
		for (int polls = 0;; polls++) {
			int hit;

			tq = now_s();
			hit = poll_once(&p, s);
			t1 = now_s();
			if (ncost < 100000)
				cost[ncost++] = t1 - tq;
			if (hit) {
				at_answer += polls == 0;   /* served when the answer came */
				break;
			}
			if (t1 - t0 > 30) {
				fprintf(stderr, "benchtool: serial %lu not served after 30 s\n", s);
				errors++;
				break;
			}
		}
		if (t1 - t0 <= 30) {
			lat[nlat++] = (tq - t0) * 1000;
			printf("%.3f\n", (tq - t0) * 1000);
		}
	}
	fprintf(stderr, "latency: %zu pushes, p50 %.1f ms, p99 %.1f ms, max %.1f ms, poll cost p50 %.3f ms, errors %d, "
		"answer p50 %.1f ms, answer p99 %.1f ms, served at the answer %zu\n",
		nlat, pct(lat, nlat, 50), pct(lat, nlat, 99), pct(lat, nlat, 100),
		pct(cost, ncost, 50) * 1000, errors, pct(ans, nans, 50), pct(ans, nans, 99), at_answer);
	free(ans);
	if (p.my)
		mysql_close(p.my);
	curl_easy_cleanup(x.h);
	free(x.body);
	free(lat);
	free(cost);
	return errors ? 1 : 0;
}

/* ---- bulk push ------------------------------------------------------------------ */

static int do_push(const char *base, const char *userpw, const char *prefix, int n,
		   unsigned long serial, int conns, double *lat_p50, double *lat_p99)
{
	CURLM *m = curl_multi_init();
	struct xfer *x = calloc((size_t)conns, sizeof(*x));
	double *lat = calloc((size_t)n, sizeof(double));
	int next = 0, done = 0, errors = 0, running = 0, k;
	char domain[256];

	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)conns);
	while (done < n) {
		CURLMsg *msg;
		int left;

		for (k = 0; k < conns && next < n; k++) {
			if (x[k].busy)
				continue;
			snprintf(domain, sizeof(domain), "%s%d.bench.test", prefix, ++next);
			xfer_setup(&x[k], base, userpw, domain, serial);
			x[k].busy = 1;
			x[k].t0 = now_s();
			curl_multi_add_handle(m, x[k].h);
		}
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			for (k = 0; k < conns; k++)
				if (x[k].h == msg->easy_handle)
					break;
			if (!xfer_ok(&x[k], msg->data.result))
				errors++;
			lat[done++] = now_s() - x[k].t0;
			curl_multi_remove_handle(m, x[k].h);
			x[k].busy = 0;
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	*lat_p50 = pct(lat, (size_t)n, 50) * 1000;
	*lat_p99 = pct(lat, (size_t)n, 99) * 1000;
	for (k = 0; k < conns; k++) {
		curl_easy_cleanup(x[k].h);
		free(x[k].body);
	}
	curl_multi_cleanup(m);
	free(x);
	free(lat);
	return errors;
}

/* Poll every zone until it answers serial; returns the number served and
 * sets *last to the time the last one was seen (start of its query's round). */
static int do_wait(const char *hostport, const char *prefix, int n, unsigned long serial,
		   double timeout, double t_start, double *last)
{
	struct sockaddr_in sa;
	unsigned char *ok = calloc((size_t)n, 1);
	double *sent = calloc((size_t)n, sizeof(double));
	int fd, served = 0, window = 256;
	char domain[256];

	parse_hostport(hostport, &sa);
	fd = udp_open(&sa);
	*last = now_s();
	while (served < n && now_s() - t_start < timeout) {
		int i = 0, inflight = 0, round_served = 0;
		double round_start = now_s();

		/* one round: every unserved zone once, window queries in flight */
		while (i < n || inflight > 0) {
			uint16_t id;
			unsigned long got;

			while (i < n && inflight < window) {
				if (!ok[i]) {
					snprintf(domain, sizeof(domain), "%s%d.bench.test", prefix, i + 1);
					sent[i] = now_s();
					soa_send(fd, domain, (uint16_t)i);
					inflight++;
				}
				i++;
			}
			if (!soa_recv(fd, 200, &id, &got)) {
				inflight = 0;  /* lost ones are asked again next round */
				continue;
			}
			inflight--;
			if (id < n && !ok[id] && got >= serial) {
				ok[id] = 1;
				served++;
				round_served++;
				if (sent[id] > *last)
					*last = sent[id];
			}
		}
		/* at most 50 queries a second for one name: NSD's response
		 * rate limiting (200/s by default) would drop more */
		while (served < n && now_s() - round_start < 0.020)
			usleep(1000);
		(void)round_served;
	}
	close(fd);
	free(ok);
	free(sent);
	return served;
}

static int cmd_push(char **av)
{
	double t0 = now_s(), p50, p99;
	int n = atoi(av[3]), errors;

	errors = do_push(av[0], av[1], av[2], n, strtoul(av[4], NULL, 10), atoi(av[5]), &p50, &p99);
	printf("pushed %d %.3f errors %d p50_ms %.2f p99_ms %.2f\n", n, now_s() - t0, errors, p50, p99);
	return errors ? 1 : 0;
}

static int cmd_wait(char **av)
{
	double t0 = now_s(), last;
	int n = atoi(av[2]), served;

	served = do_wait(av[0], av[1], n, strtoul(av[3], NULL, 10), atof(av[4]), t0, &last);
	printf("served %d %.3f\n", served, last - t0);
	return served == n ? 0 : 1;
}

static int cmd_bulk(char **av)
{
	int n = atoi(av[3]), errors, rc = 0;
	unsigned long serial = strtoul(av[4], NULL, 10);
	double t0 = now_s(), t1, p50, p99;
	char *servers = strdup(av[6]), *s, *save = NULL;

	errors = do_push(av[0], av[1], av[2], n, serial, atoi(av[5]), &p50, &p99);
	t1 = now_s();
	printf("pushed %d %.3f errors %d p50_ms %.2f p99_ms %.2f\n", n, t1 - t0, errors, p50, p99);
	for (s = strtok_r(servers, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		double last;
		int served = do_wait(s, av[2], n, serial, 600, t0, &last);

		printf("served %s %d %.3f\n", s, served, last - t0);
		if (served != n)
			rc = 1;
	}
	fflush(stdout);
	free(servers);
	return errors || rc ? 1 : 0;
}

/* ---- SQLite ---------------------------------------------------------------------- */

static int cmd_sqlite(char **av)
{
	char path[4000], sql[128], *err = NULL;
	sqlite3 *db;
	sqlite3_stmt *ins;
	double t0, secs = atof(av[2]);
	long n = 0;

	snprintf(path, sizeof(path), "%s/commit-bench.db", av[0]);
	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("cannot open the database");
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode = WAL; PRAGMA synchronous = %s;", av[1]);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)", NULL, NULL, &err) != SQLITE_OK)
		die(err);
	sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES('a small row, about a job')", -1, &ins, NULL);
	t0 = now_s();
	while (now_s() - t0 < secs) {
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		sqlite3_step(ins);
		sqlite3_reset(ins);
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, &err) != SQLITE_OK)
			die(err);
		n++;
	}
	printf("commits %ld %.3f %.0f\n", n, now_s() - t0, (double)n / (now_s() - t0));
	sqlite3_finalize(ins);
	sqlite3_close(db);
	strcat(path, "-wal");
	unlink(path);
	strcpy(path + strlen(path) - 4, "-shm");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		printf("usage: benchtool latency|push|wait|bulk|sqlite ARGS (see bench/benchtool.c)\n");
		return argc < 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!strcmp(argv[1], "latency") && argc == 9)
		rc = cmd_latency(argv + 2);
	else if (!strcmp(argv[1], "push") && argc == 8)
		rc = cmd_push(argv + 2);
	else if (!strcmp(argv[1], "wait") && argc == 7)
		rc = cmd_wait(argv + 2);
	else if (!strcmp(argv[1], "bulk") && argc == 9)
		rc = cmd_bulk(argv + 2);
	else if (!strcmp(argv[1], "sqlite") && argc == 5)
		rc = cmd_sqlite(argv + 2);
	else
		die("bad arguments (see bench/benchtool.c)");
	curl_slist_free_all(hdrs);
	curl_global_cleanup();
	return rc;
}
