/* SPDX-License-Identifier: BSD-3-Clause */
/* knot_txn.c -- one changed zone made served by knotd, two ways, timed:
 *   reload  the zone file rewritten (temporary, fsync, rename), zone-reload
 *   txn     zone-begin, zone-unset/zone-set of the changed records (SOA
 *           and one A), zone-commit; with "txn+file" the file is written too
 *           (dadns would need it: Knot reads it again at a restart or reload)
 * each until knotd answers the new serial (UDP SOA polls).
 *
 * usage: knot_txn SOCKET HOST:PORT ZONE FILE SERIAL N reload|txn|txn+file
 * prints: "MODE: N changes, p50 X ms, p99 Y ms"
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <libknot/control/control.h>
#include <libknot/errcode.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int cmd(knot_ctl_t *c, const char *name, const char *zone, const char *owner,
	       const char *type, const char *data)
{
	knot_ctl_data_t d = { 0 };
	knot_ctl_type_t t;
	int err = 0;

	d[KNOT_CTL_IDX_CMD] = name;
	d[KNOT_CTL_IDX_ZONE] = zone;
	d[KNOT_CTL_IDX_OWNER] = owner;
	d[KNOT_CTL_IDX_TYPE] = type;
	d[KNOT_CTL_IDX_DATA] = data;
	d[KNOT_CTL_IDX_TTL] = data ? "3600" : NULL;
	if (knot_ctl_send(c, KNOT_CTL_TYPE_DATA, &d) || knot_ctl_send(c, KNOT_CTL_TYPE_BLOCK, NULL))
		return -1;
	for (;;) {
		memset(&d, 0, sizeof(d));
		if (knot_ctl_receive(c, &t, &d) != KNOT_EOK)
			return -1;
		if (t == KNOT_CTL_TYPE_BLOCK)
			return err;
		if (d[KNOT_CTL_IDX_ERROR]) {
			fprintf(stderr, "%s: %s\n", name, d[KNOT_CTL_IDX_ERROR]);
			err = -1;
		}
	}
}

static void write_zone(const char *path, const char *zone, unsigned long serial, int i)
{
	char tmp[1024], buf[2048];
	int fd, n;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(buf, sizeof(buf),
		     "$ORIGIN %s.\n$TTL 3600\n@ IN SOA ns1 hostmaster %lu 3600 600 1209600 300\n"
		     "@ IN NS ns1\n@ IN NS ns2\nns1 IN A 192.0.2.1\nns2 IN A 192.0.2.2\n"
		     "www IN A 192.0.2.%d\nmail IN A 192.0.2.11\n@ IN MX 10 mail\n"
		     "@ IN TXT \"v=spf1 a mx ~all\"\n", zone, serial, (int)(10 + serial % 200));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, (size_t)n) != n || fsync(fd) < 0 || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		perror(path);
		exit(1);
	}
}

static unsigned long soa(ldns_resolver *r, ldns_rdf *name)
{
	ldns_pkt *p = NULL;
	unsigned long s = 0;
	ldns_rr_list *l;

	if (ldns_resolver_send(&p, r, name, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0) != LDNS_STATUS_OK)
		return 0;
	l = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_SOA, LDNS_SECTION_ANSWER);
	if (l && ldns_rr_list_rr_count(l))
		s = ldns_rdf2native_int32(ldns_rr_rdf(ldns_rr_list_rr(l, 0), 2));
	ldns_rr_list_deep_free(l);
	ldns_pkt_free(p);
	return s;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int ac, char **av)
{
	char host[64], soadata[256], a_old[32], a_new[32];
	unsigned long serial;
	ldns_resolver *r;
	ldns_rdf *ns, *name;
	double *lat;
	int n, i, port;

	if (ac != 8) {
		fprintf(stderr, "usage: knot_txn SOCKET HOST:PORT ZONE FILE SERIAL N reload|txn|txn+file\n");
		return 2;
	}
	sscanf(av[2], "%63[^:]:%d", host, &port);
	serial = strtoul(av[5], NULL, 10);
	n = atoi(av[6]);
	lat = calloc((size_t)n, sizeof(*lat));
	r = ldns_resolver_new();
	ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, host);
	ldns_resolver_push_nameserver(r, ns);
	ldns_resolver_set_port(r, (uint16_t)port);
	ldns_resolver_set_recursive(r, false);
	ldns_resolver_set_retry(r, 1);
	name = ldns_dname_new_frm_str(av[3]);
	for (i = 0; i < n; i++) {
		unsigned long s = serial + 1 + (unsigned long)i;
		knot_ctl_t *c = knot_ctl_alloc();
		double t0 = now_ms();

		knot_ctl_set_timeout(c, 10000);
		if (strcmp(av[7], "txn") != 0)
			write_zone(av[4], av[3], s, i);
		if (knot_ctl_connect(c, av[1]) != KNOT_EOK) {
			fprintf(stderr, "connect %s failed\n", av[1]);
			return 1;
		}
		if (strcmp(av[7], "reload") == 0) {
			if (cmd(c, "zone-reload", av[3], NULL, NULL, NULL) < 0)
				return 1;
		} else {
			snprintf(soadata, sizeof(soadata), "ns1.%s. hostmaster.%s. %lu 3600 600 1209600 300",
				 av[3], av[3], s);
			snprintf(a_old, sizeof(a_old), "192.0.2.%d", (int)(10 + (s - 1) % 200));
			snprintf(a_new, sizeof(a_new), "192.0.2.%d", (int)(10 + s % 200));
			if (cmd(c, "zone-begin", av[3], NULL, NULL, NULL) < 0 ||
			    cmd(c, "zone-unset", av[3], "@", "SOA", NULL) < 0 ||
			    cmd(c, "zone-set", av[3], "@", "SOA", soadata) < 0 ||
			    cmd(c, "zone-unset", av[3], "www", "A", a_old) < 0 ||
			    cmd(c, "zone-set", av[3], "www", "A", a_new) < 0 ||
			    cmd(c, "zone-commit", av[3], NULL, NULL, NULL) < 0)
				return 1;
		}
		knot_ctl_send(c, KNOT_CTL_TYPE_END, NULL);
		knot_ctl_close(c);
		knot_ctl_free(c);
		while (soa(r, name) != s)
			usleep(500);
		lat[i] = now_ms() - t0;
	}
	qsort(lat, (size_t)n, sizeof(*lat), dcmp);
	printf("%s: %d changes, p50 %.2f ms, p99 %.2f ms\n", av[7], n, lat[n / 2],
	       lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]);
	free(lat);
	ldns_rdf_deep_free(name);
	ldns_resolver_deep_free(r);
	return 0;
}
