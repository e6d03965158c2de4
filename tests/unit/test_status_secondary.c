/* SPDX-License-Identifier: BSD-3-Clause */
/* test_status_secondary.c -- the secondaries in the status snapshot: judged against
 * max_lag_seconds, JSON, /metrics; behind_since kept across checks (table secondaries) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/secondary.h"
#include "lib/status.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static size_t reasons_with(const struct status *s, const char *what)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_reasons; i++)
		n += strstr(s->reasons[i], what) != NULL;
	return n;
}

static void put(struct store *st, const char *name, const char *state, long long behind,
		int64_t checked_at, int64_t since)
{
	char *sql = xasprintf("INSERT OR REPLACE INTO secondaries(name, server, state, in_sync, behind,"
			      " missing, extra, unanswered, checked_at, behind_since) VALUES('%s',"
			      " 'x', '%s', 10, %lld, 1, 2, 0, %lld, %s%lld)", name, state, behind,
			      (long long)checked_at, since ? "" : "NULL + ", (long long)since);

	store_exec(st, sql);
	free(sql);
}

static void test_snapshot(struct store *st, struct config *cfg)
{
	int64_t now = util_now_ms();
	struct status s;
	struct strbuf sb;
	json_t *j, *a;

	put(st, "ok1", "in_sync", 0, now, 0);
	put(st, "late", "behind", 5, now, now - 400 * 1000);
	put(st, "down", "unreachable", 0, now, now - 10 * 1000);
	is_int(status_collect(st, cfg, now, &s), 0, "collect");
	is_int((int)s.n_secondaries, 4, "one per [secondary NAME]");
	is_str(s.secondaries[1].state, "behind", "late: behind");
	ok(s.secondaries[3].state == NULL, "never checked: no state");
	is_int((int)reasons_with(&s, "secondary late (127.0.0.1:5302): not in sync for 400 s (more than "
				 "[secondary] max_lag_seconds = 300): 5 zones behind, 1 missing, 2 extra"), 1,
	       "late past max_lag: a reason in words");
	is_int((int)reasons_with(&s, "secondary down"), 0, "down for 10 s: not yet");
	is_int((int)reasons_with(&s, "secondary ok1"), 0, "in sync: no reason");
	is_int(s.overall, STATUS_DEGRADED, "degraded");
	j = status_json(&s);
	a = json_object_get(j, "secondaries");
	is_int((int)json_array_size(a), 4, "JSON: secondaries[]");
	is_str(json_string_value(json_object_get(json_array_get(a, 1), "state")), "behind", "JSON: state");
	ok(json_integer_value(json_object_get(json_array_get(a, 1), "extra")) == 2, "JSON: extra");
	ok(json_is_string(json_object_get(json_array_get(a, 1), "behind_since")), "JSON: behind_since");
	ok(json_is_null(json_object_get(json_array_get(a, 0), "behind_since")), "JSON: in sync: null");
	is_str(json_string_value(json_object_get(json_array_get(a, 3), "state")), "unchecked",
	       "JSON: never checked");
	ok(json_is_null(json_object_get(json_array_get(a, 3), "checked_at")), "JSON: checked_at null");
	json_decref(j);
	strbuf_init(&sb);
	status_metrics(&s, &sb);
	ok(has_line(sb.buf, "dadns_secondary_zones{secondary=\"late\",state=\"behind\"} 5"), "metrics: behind");
	ok(has_line(sb.buf, "dadns_secondary_zones{secondary=\"ok1\",state=\"in_sync\"} 10"), "metrics: in_sync");
	ok(has_line(sb.buf, "dadns_secondary_up{secondary=\"down\"} 0"), "metrics: down");
	ok(has_line(sb.buf, "dadns_secondary_lag_seconds{secondary=\"down\"} 10"), "metrics: lag");
	ok(!strstr(sb.buf, "secondary=\"never\""), "metrics: nothing for a never-checked one");
	strbuf_deinit(&sb);
	status_deinit(&s);
	is_int(status_collect(st, cfg, now + 300 * 1000, &s), 0, "300 s later");
	is_int((int)reasons_with(&s, "secondary down (127.0.0.1:5303): unreachable for 310 s"), 1,
	       "down past max_lag: unreachable, in words");
	status_deinit(&s);
}

/* Two checks of a secondary nobody answers for: unreachable, the second
 * keeps the first's behind_since. */
static void test_check_keeps_since(struct store *st, struct config *cfg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	struct secondary_result *r = NULL;
	struct config_secondary mute = cfg->secondary[2];
	struct config one = *cfg;
	char server[64];
	int64_t first;
	int fd;

	/* a socket that never answers (bound here, never read) */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		ok(0, "a mute socket");
		return;
	}
	snprintf(server, sizeof(server), "127.0.0.1:%d", ntohs(a.sin_port));
	mute.server = server;
	one.secondary = &mute;
	one.n_secondary = 1;
	store_exec(st, "DELETE FROM secondaries");
	is_int(secondary_check_all(&one, st, 1, &r), 0, "check of a closed port");
	is_int(r[0].state, SECONDARY_UNREACHABLE, "unreachable, not all missing");
	ok(r[0].missing == 0 && r[0].in_sync == 0, "nothing counted");
	first = r[0].behind_since;
	ok(first > 0, "behind_since set");
	free(r);
	usleep(20 * 1000);
	is_int(secondary_check_all(&one, st, 1, &r), 0, "checked again");
	ok(r[0].behind_since == first, "behind_since kept");
	ok(r[0].checked_at > first, "checked_at moved");
	free(r);
	close(fd);
}

int main(void)
{
	char dir[] = "/tmp/dadns-test-secst-XXXXXX", path[256], err[512];
	char n1[] = "ok1", n2[] = "late", n3[] = "down", n4[] = "never";
	char s1[] = "127.0.0.1:5301", s2[] = "127.0.0.1:5302", s3[] = "127.0.0.1:5303",
	     s4[] = "127.0.0.1:5304";
	struct config_secondary secs[4] = { { n1, s1, 1 }, { n2, s2, 2 }, { n3, s3, 3 }, { n4, s4, 4 } };
	struct config cfg;
	struct store *st = NULL;

	log_init("test_status_secondary");
	log_set_level(LOG_LEVEL_ERR);
	if (!mkdtemp(dir))
		return 1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.secondary = secs;
	cfg.n_secondary = 4;
	cfg.secondaries.max_lag_seconds = 300;
	snprintf(path, sizeof(path), "%s/dadns.db", dir);
	if (store_open(path, 1, 2000, &st, err, sizeof(err)) < 0) {
		ok(0, "open: %s", err);
		return tap_done();
	}
	test_snapshot(st, &cfg);
	test_check_keeps_since(st, &cfg);
	store_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dadns.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dadns.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
