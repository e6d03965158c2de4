/* SPDX-License-Identifier: BSD-3-Clause */
/* config_keys.c -- the one table of sections, keys, types, defaults and limits */
#include <string.h>

#include "lib/config_int.h"

const struct key config_keys[] = {
	{ SEC_APP, "auth_username", T_STR, CO(app.auth_username), NULL, 0, 0, 0 },
	{ SEC_APP, "auth_password", T_SECRET, CO(app.auth_password), NULL, 0, 0, 0 },
	{ SEC_APP, "db_path", T_STR, CO(app.db_path), "/var/lib/dadns/dadns.db", 0, 0, 0 },
	{ SEC_APP, "durability", T_DURABILITY, CO(app.durability_full), "full", 0, 0, 0 },
	{ SEC_APP, "busy_timeout_ms", T_INT, CO(app.busy_timeout_ms), "5000", 0, 600000, 0 },
	{ SEC_APP, "max_body_bytes", T_LONG, CO(app.max_body_bytes), "4194304", 1024, 1073741824, 0 },
	{ SEC_APP, "max_records", T_INT, CO(app.max_records), "20000", 1, 10000000, 0 },
	{ SEC_APP, "log_level", T_LOGLEVEL, CO(app.log_level), "info", 0, 0, 0 },
	{ SEC_APP, "check_subdomain_owner_in_cluster_domainowners", T_BOOL,
	  CO(app.check_subdomain_owner_in_cluster_domainowners), "0", 0, 0, 0 },
	{ SEC_APP, "threads", T_INT, CO(app.threads), "4", 1, 256, 0 },
	{ SEC_APP, "operator_username", T_STR, CO(app.operator_username), NULL, 0, 0, 0 },
	{ SEC_APP, "operator_password", T_SECRET, CO(app.operator_password), NULL, 0, 0, 0 },
	{ SEC_APP, "operator_allow", T_STR, CO(app.operator_allow), NULL, 0, 0, 0 },
	{ SEC_APP, "ack", T_ACK, CO(app.ack_served), "committed", 0, 0, 0 },
	{ SEC_APP, "ack_timeout_ms", T_INT, CO(app.ack_timeout_ms), "3000", 1, 600000, 0 },

	{ SEC_WORKER, "batch_max", T_INT, CO(worker.batch_max), "500", 1, 100000, 0 },
	{ SEC_WORKER, "retry_backoff", T_BACKOFF, CO(worker.retry_backoff), "30,120,300,900,1800", 0, 0, 0 },
	{ SEC_WORKER, "lease_seconds", T_INT, CO(worker.lease_seconds), "300", 1, 86400, 0 },
	{ SEC_WORKER, "poll_interval_ms", T_INT, CO(worker.poll_interval_ms), "2000", 10, 3600000, 0 },
	{ SEC_WORKER, "wake_socket", T_STR, CO(worker.wake_socket), NULL, 0, 0, 0 },
	{ SEC_WORKER, "keep_done_days", T_INT, CO(worker.keep_done_days), "7", 0, 3650, 0 },

	{ SEC_BACKEND, "type", T_STR, BO(type), NULL, 0, 0, B_ALL },
	{ SEC_BACKEND, "enabled", T_BOOL, BO(enabled), "1", 0, 0, B_ALL },
	{ SEC_BACKEND, "timeout", T_INT, BO(timeout), "30", 1, 3600, B_ALL },
	{ SEC_BACKEND, "verify", T_BOOL, BO(verify), "1", 0, 0, B_ALL },
	{ SEC_BACKEND, "zones_dir", T_STR, BO(zones_dir), NULL, 0, 0, B_DNS | B_NULL | B_KNOT },
	{ SEC_BACKEND, "delay_ms", T_INT, BO(delay_ms), "0", 0, 600000, B_NULL },
	{ SEC_BACKEND, "nsd_conf", T_STR, BO(nsd_conf), NULL, 0, 0, B_NSD },
	{ SEC_BACKEND, "nsd_config", T_STR, BO(nsd_config), NULL, 0, 0, B_NSD },
	{ SEC_BACKEND, "named_conf", T_STR, BO(named_conf), NULL, 0, 0, B_BIND },
	{ SEC_BACKEND, "pattern", T_STR, BO(pattern), NULL, 0, 0, B_NSD },
	{ SEC_BACKEND, "control", T_STR, BO(control), NULL, 0, 0, B_DNS },
	{ SEC_BACKEND, "control_socket", T_STR, BO(control_socket), NULL, 0, 0, B_NSD | B_KNOT },
	{ SEC_BACKEND, "server", T_STR, BO(server), NULL, 0, 0, B_DNS | B_KNOT },
	{ SEC_BACKEND, "reload_batch_threshold", T_INT, BO(reload_batch_threshold), "32", 0, 1000000, B_DNS },
	{ SEC_BACKEND, "catalog", T_BOOL, BO(catalog), "1", 0, 0, B_DNS | B_KNOT },
	{ SEC_BACKEND, "notify", T_STR, BO(notify), NULL, 0, 0, B_DNS },
	{ SEC_BACKEND, "allow_transfer", T_STR, BO(allow_transfer), NULL, 0, 0, B_DNS },
	{ SEC_BACKEND, "tsig_key", T_STR, BO(tsig_key), NULL, 0, 0, B_DNS },
	{ SEC_BACKEND, "template", T_STR, BO(template), NULL, 0, 0, B_KNOT },
	{ SEC_BACKEND, "dnssec", T_DNSSEC, BO(dnssec_sign), "passthrough", 0, 0, B_KNOT },
	{ SEC_BACKEND, "host", T_STR, BO(host), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "port", T_INT, BO(port), "3306", 1, 65535, B_MYSQL },
	{ SEC_BACKEND, "socket", T_STR, BO(socket), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "database", T_STR, BO(database), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "username", T_STR, BO(username), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "password", T_SECRET, BO(password), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "tls", T_BOOL, BO(tls), "0", 0, 0, B_MYSQL },
	{ SEC_BACKEND, "tls_ca", T_STR, BO(tls_ca), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "tls_cert", T_STR, BO(tls_cert), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "tls_key", T_STR, BO(tls_key), NULL, 0, 0, B_MYSQL },
	{ SEC_BACKEND, "tls_verify", T_BOOL, BO(tls_verify), "1", 0, 0, B_MYSQL },
	{ SEC_BACKEND, "connect_timeout", T_INT, BO(connect_timeout), "5", 1, 600, B_MYSQL },
	{ SEC_BACKEND, "read_timeout", T_INT, BO(read_timeout), "10", 1, 3600, B_MYSQL },
	{ SEC_BACKEND, "write_timeout", T_INT, BO(write_timeout), "10", 1, 3600, B_MYSQL },

	{ SEC_RECONCILE, "dry_run", T_BOOL, CO(reconcile.dry_run), "0", 0, 0, 0 },
	{ SEC_RECONCILE, "ipp", T_INT, CO(reconcile.ipp), "1000", 1, 100000, 0 },
	{ SEC_RECONCILE, "max_delete_fraction", T_DOUBLE, CO(reconcile.max_delete_fraction), "0.1", 0, 1, 0 },
	{ SEC_RECONCILE, "connect_timeout", T_INT, CO(reconcile.connect_timeout), "10", 1, 600, 0 },
	{ SEC_RECONCILE, "timeout", T_INT, CO(reconcile.timeout), "60", 1, 3600, 0 },

	{ SEC_DA, "url", T_STR, DO(url), NULL, 0, 0, 0 },
	{ SEC_DA, "username", T_STR, DO(username), NULL, 0, 0, 0 },
	{ SEC_DA, "password", T_SECRET, DO(password), NULL, 0, 0, 0 },
	{ SEC_DA, "verify_ssl", T_BOOL, DO(verify_ssl), "1", 0, 0, 0 },
	{ SEC_DA, "ca_file", T_STR, DO(ca_file), NULL, 0, 0, 0 },
	{ SEC_DA, "hostname", T_STR, DO(hostname), NULL, 0, 0, 0 },

	{ SEC_PEER_SYNC, "enabled", T_BOOL, CO(peer_sync.enabled), "0", 0, 0, 0 },
	{ SEC_PEER_SYNC, "interval_minutes", T_INT, CO(peer_sync.interval_minutes), "5", 1, 10080, 0 },
	{ SEC_PEER_SYNC, "auth_username", T_STR, CO(peer_sync.auth_username), NULL, 0, 0, 0 },
	{ SEC_PEER_SYNC, "auth_password", T_SECRET, CO(peer_sync.auth_password), NULL, 0, 0, 0 },
	{ SEC_PEER_SYNC, "advertise_url", T_STR, CO(peer_sync.advertise_url), NULL, 0, 0, 0 },

	{ SEC_PEER, "url", T_STR, PO(url), NULL, 0, 0, 0 },
	{ SEC_PEER, "username", T_STR, PO(username), NULL, 0, 0, 0 },
	{ SEC_PEER, "password", T_SECRET, PO(password), NULL, 0, 0, 0 },
	{ SEC_PEER, "verify_ssl", T_BOOL, PO(verify_ssl), "1", 0, 0, 0 },
	{ SEC_PEER, "ca_file", T_STR, PO(ca_file), NULL, 0, 0, 0 },

	{ SEC_CATALOG, "zone", T_STR, CO(catalog.zone), NULL, 0, 0, 0 },
	{ SEC_CATALOG, "group", T_CATGROUP, CO(catalog.group_da_server), "none", 0, 0, 0 },

	{ SEC_TSIG, "algorithm", T_STR, TO(algorithm), "hmac-sha256", 0, 0, 0 },
	{ SEC_TSIG, "secret", T_SECRET, TO(secret), NULL, 0, 0, 0 },

	{ SEC_SECONDARIES, "max_lag_seconds", T_INT, CO(secondaries.max_lag_seconds), "300", 1, 604800, 0 },

	{ SEC_SECONDARY, "server", T_STR, SO(server), NULL, 0, 0, 0 },
};

const struct config_section config_sections[] = {
	{ "app", SEC_APP, 0 },           { "worker", SEC_WORKER, 0 },
	{ "reconcile", SEC_RECONCILE, 0 }, { "peer_sync", SEC_PEER_SYNC, 0 },
	{ "backend", SEC_BACKEND, 1 },   { "directadmin", SEC_DA, 1 },
	{ "peer", SEC_PEER, 1 },         { "catalog", SEC_CATALOG, 0 },
	{ "tsig", SEC_TSIG, 1 },
	/* [secondary] (settings for all) must come before [secondary NAME]. */
	{ "secondary", SEC_SECONDARIES, 0 }, { "secondary", SEC_SECONDARY, 1 },
};

const size_t config_n_keys = sizeof(config_keys) / sizeof(config_keys[0]);
const size_t config_n_sections = sizeof(config_sections) / sizeof(config_sections[0]);

unsigned config_backend_type_mask(const char *type)
{
	if (!type)
		return 0;
	if (!strcmp(type, "nsd"))
		return B_DNS | B_NSD;
	if (!strcmp(type, "bind"))
		return B_DNS | B_BIND;
	if (!strcmp(type, "coredns_mysql") || !strcmp(type, "powerdns_mysql"))
		return B_MYSQL;
	if (!strcmp(type, "null"))
		return B_NULL;
	if (!strcmp(type, "knot"))
		return B_KNOT;
	return 0;
}
