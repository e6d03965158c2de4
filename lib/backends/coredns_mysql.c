/* SPDX-License-Identifier: BSD-3-Clause */
/* coredns_mysql.c -- zones as rows for CoreDNS's mysql plugin (coredns_mysql_extend) */
#include <stdio.h>

#include "lib/backends/backend.h"
#include "lib/backends/mysql_common.h"
#include "lib/util.h"

/*
 * The tables are those coredns_mysql_extend creates itself (see the comment
 * at the top of rrconv.c for what the plugin reads and how), with two
 * deliberate differences that the plugin does not notice:
 * - records.data is TEXT, not VARCHAR(1024): a 2048-bit DKIM key in TXT
 *   already needs more than 1024 characters. Where the plugin created the
 *   table first, a record too long for it fails that zone (EPERMFAIL, "Data
 *   too long") instead of being cut.
 * - records.id is BIGINT: a zone replacement inserts new rows, and a busy
 *   server would exhaust INT ids in a few years.
 * The lookup index carries the plugin's WHERE columns (zone_id, hostname,
 * type, online).
 */
static const char *const coredns_ddl[] = {
	"CREATE TABLE IF NOT EXISTS zones ("
	" id INT NOT NULL AUTO_INCREMENT,"
	" zone_name VARCHAR(255) NOT NULL,"
	" PRIMARY KEY (id),"
	" UNIQUE KEY zone_name (zone_name)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	"CREATE TABLE IF NOT EXISTS records ("
	" id BIGINT NOT NULL AUTO_INCREMENT,"
	" zone_id INT NOT NULL,"
	" hostname VARCHAR(512) NOT NULL,"
	" type VARCHAR(10) NOT NULL,"
	" data TEXT NOT NULL,"
	" ttl INT NOT NULL DEFAULT 120,"
	" online INT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (id),"
	" KEY idx_lookup (zone_id, hostname, type, online),"
	" FOREIGN KEY (zone_id) REFERENCES zones (id)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	NULL,
};

static const struct mysql_layout coredns_layout = {
	.type = "coredns_mysql",
	.flavor = RRCONV_COREDNS,
	.zone_dot = 1,
	.zones = "zones",
	.zone_name = "zone_name",
	.zone_cols = "",
	.zone_vals = "",
	.records = "records",
	.zone_id = "zone_id",
	.name = "hostname",
	.data = "data",
	.auth = "online",
	.has_prio_disabled = 0,
	.ddl = coredns_ddl,
	.zone_aux = NULL,
};

static int coredns_mysql_open(const struct config_backend *cfg, void **state, char *err, size_t errlen)
{
	return mysql_conn_open(cfg, &coredns_layout, state, err, errlen);
}

const struct backend_ops backend_coredns_mysql_ops = {
	.type = "coredns_mysql",
	.open = coredns_mysql_open,
	.close = mysql_conn_close,
	.apply = mysql_zone_apply,
	.exists = mysql_zone_exists,
	.verify = mysql_zone_verify,
};
