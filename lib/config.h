/* SPDX-License-Identifier: BSD-3-Clause */
/* config.h -- the INI configuration (inih), one table of sections and keys */
#ifndef DADNS_CONFIG_H
#define DADNS_CONFIG_H

#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/dadns/dadns.ini"
#define CONFIG_MAX_BACKOFF 16

/* A [backend NAME] section. Which keys apply depends on type:
 *   nsd:   zones_dir, nsd_conf, pattern, control or control_socket, server,
 *          nsd_config
 *   bind:  zones_dir, named_conf, control, server
 *   coredns_mysql, powerdns_mysql: host, port, socket, database, username,
 *          password, tls, tls_ca, tls_cert, tls_key, tls_verify,
 *          connect_timeout, read_timeout, write_timeout
 *   null:  zones_dir (optional: record applied zones as files there),
 *          delay_ms (sleep this long per batch; for tests of a slow backend)
 *   knot:  zones_dir, control_socket, template, server, dnssec
 * Every type: type, enabled, timeout (seconds for control commands and
 * verification queries), verify (1/0).
 * Serving DNS (nsd, bind, knot): catalog (serve the catalog zone, default 1);
 * nsd and bind as primaries: notify, allow_transfer, tsig_key. */
struct config_backend {
	char *name;
	char *type;
	int enabled;
	int timeout;          /* seconds, default 30 */
	int verify;           /* default 1 */
	/* nsd / bind */
	char *zones_dir;
	char *nsd_conf;       /* include file dadns owns (nsd without pattern) */
	char *nsd_config;     /* NSD's own nsd.conf, read with nsd-checkconf (nsd) */
	char *named_conf;     /* include file dadns owns (bind) */
	char *pattern;        /* nsd pattern for nsd-control addzone; "" = use nsd_conf */
	char *control;        /* e.g. "nsd-control -c /etc/nsd/nsd.conf" */
	char *control_socket; /* nsd: its control-interface unix socket, spoken to directly */
	char *server;         /* HOST:PORT to verify against, e.g. 127.0.0.1:53 */
	int reload_batch_threshold; /* more changed zones: ONE reload (32; 0 never) */
	int catalog;          /* serve [catalog] zone too (default 1) */
	char *notify;         /* "ADDR[@PORT] ..." secondaries to NOTIFY */
	char *allow_transfer; /* "CIDR ..." who may AXFR/IXFR */
	char *tsig_key;       /* NAME of a [tsig NAME]: transfers and NOTIFY signed */
	const struct config_tsig *tsig; /* tsig_key resolved (config_load), or NULL */
	/* knot */
	char *template;       /* Knot template new zones are added under */
	int dnssec_sign;      /* dnssec = passthrough (0) | sign (1) */
	/* null */
	int delay_ms;         /* default 0 */
	/* mysql */
	char *host;
	int port;
	char *socket;
	char *database;
	char *username;
	char *password;
	int tls;
	char *tls_ca;
	char *tls_cert;
	char *tls_key;
	int tls_verify;
	int connect_timeout;  /* seconds, default 5 */
	int read_timeout;     /* seconds, default 10 */
	int write_timeout;    /* seconds, default 10 */
	int line;             /* line of the section header, for messages */
};

struct config_directadmin {
	char *name;
	char *url;
	char *username;
	char *password;
	int verify_ssl;
	char *ca_file;
	char *hostname;       /* default: host part of url */
	int line;
};

struct config_peer {
	char *name;
	char *url;
	char *username;
	char *password;
	int verify_ssl;
	char *ca_file;
	int line;
	int env;              /* 1: made from DADNS_PEER_SYNC_PEER_* (lib/peer_env.h) */
};

/* A [tsig NAME] section: a TSIG key for zone transfers. */
struct config_tsig {
	char *name;
	char *algorithm;      /* hmac-sha256 (default), hmac-sha512, ... */
	char *secret;         /* base64 */
	int line;
};

/* A [secondary NAME] section: a secondary name server that is watched. */
struct config_secondary {
	char *name;
	char *server;         /* HOST[:PORT], port 53 by default */
	int line;
};

struct config {
	char *path;                       /* the file that was read */
	struct {
		char *auth_username;
		char *auth_password;
		char *db_path;            /* default /var/lib/dadns/dadns.db */
		int durability_full;      /* durability = full (1) | normal (0) */
		int busy_timeout_ms;      /* default 5000 */
		long max_body_bytes;      /* default 4 MiB */
		int max_records;          /* default 20000 */
		int log_level;            /* enum log_level */
		int check_subdomain_owner_in_cluster_domainowners;
		int threads;              /* intake request threads, default 4 */
		char *operator_username;  /* /status, /metrics: own credentials (else DA's) */
		char *operator_password;
		char *operator_allow;     /* /status, /metrics: addresses/CIDRs let in without credentials */
		int ack_served;           /* ack = committed (0) | served (1) */
		int ack_timeout_ms;       /* ack = served: answer after this at the latest (3000) */
	} app;
	struct {
		int batch_max;            /* default 500 */
		int retry_backoff[CONFIG_MAX_BACKOFF]; /* seconds */
		int n_retry_backoff;      /* default 5: 30,120,300,900,1800 */
		int lease_seconds;        /* default 300 */
		int poll_interval_ms;     /* default 2000 */
		char *wake_socket;        /* default "<db_path>.wake" */
		int keep_done_days;       /* default 7; 0 = keep for ever */
	} worker;
	struct config_backend *backends;
	size_t n_backends;
	struct {
		int dry_run;
		int ipp;                  /* default 1000 */
		double max_delete_fraction; /* default 0.1 */
		int connect_timeout;      /* seconds to connect to a DA server, default 10 */
		int timeout;              /* seconds for one DA request, default 60 */
	} reconcile;
	struct config_directadmin *directadmins;
	size_t n_directadmins;
	struct {
		int enabled;
		int interval_minutes;     /* default 5 */
		char *auth_username;
		char *auth_password;
		char *advertise_url;      /* this node's URL as peers reach it (discovery) */
	} peer_sync;
	struct config_peer *peers;
	size_t n_peers;
	struct {
		char *zone;               /* RFC 9432 catalog zone name; NULL/"" = off */
		int group_da_server;      /* group = none (0) | da_server (1) */
	} catalog;
	struct config_tsig *tsigs;
	size_t n_tsigs;
	struct {
		int max_lag_seconds;      /* [secondary] max_lag_seconds: behind longer = degraded (300) */
	} secondaries;
	struct config_secondary *secondary;
	size_t n_secondary;
};

/* Read path (CONFIG_DEFAULT_PATH when NULL), then apply DADNS_<SECTION>_<KEY>
 * environment overrides, then check the whole. On error returns DADNS_EINVAL
 * (or -errno when the file cannot be read) with err set to
 * "FILE:LINE: reason" (or "environment DADNS_X: reason"), and cfg is left
 * deinitialized. On success cfg must be released with config_deinit.
 * Warnings (e.g. a password file readable by others) are logged. */
int config_load(const char *path, struct config *cfg, char *err, size_t errlen);
void config_deinit(struct config *cfg);

/* The [tsig NAME] section, or NULL. */
const struct config_tsig *config_tsig_find(const struct config *cfg, const char *name);

/* The [backend NAME] section, or NULL. */
const struct config_backend *config_backend_find(const struct config *cfg, const char *name);

#endif
