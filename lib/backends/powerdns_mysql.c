/* SPDX-License-Identifier: BSD-3-Clause */
/* powerdns_mysql.c -- zones as rows of PowerDNS's generic MySQL schema (gmysql) */
#include <stdio.h>

#include "lib/backends/backend.h"
#include "lib/backends/mysql_common.h"
#include "lib/util.h"

/*
 * The tables of PowerDNS Authoritative 4.7's schema.mysql.sql
 * (pdns-backend-mysql), written as CREATE TABLE IF NOT EXISTS with the
 * indexes inline so that they can run on every connect. A zone is a
 * domains row (type NATIVE: every server reads it from the database) and
 * its records: see rrconv.h for names, content, prio, auth and empty
 * non-terminals. dadns never touches a domains row's type, master or
 * options once it exists, so an operator may change them.
 */
static const char *const powerdns_ddl[] = {
	"CREATE TABLE IF NOT EXISTS domains ("
	" id INT AUTO_INCREMENT,"
	" name VARCHAR(255) NOT NULL,"
	" master VARCHAR(128) DEFAULT NULL,"
	" last_check INT DEFAULT NULL,"
	" type VARCHAR(8) NOT NULL,"
	" notified_serial INT UNSIGNED DEFAULT NULL,"
	" account VARCHAR(40) CHARACTER SET 'utf8' DEFAULT NULL,"
	" options VARCHAR(64000) DEFAULT NULL,"
	" catalog VARCHAR(255) DEFAULT NULL,"
	" PRIMARY KEY (id),"
	" UNIQUE KEY name_index (name),"
	" KEY catalog_idx (catalog)"
	") Engine=InnoDB CHARACTER SET 'latin1'",
	"CREATE TABLE IF NOT EXISTS records ("
	" id BIGINT AUTO_INCREMENT,"
	" domain_id INT DEFAULT NULL,"
	" name VARCHAR(255) DEFAULT NULL,"
	" type VARCHAR(10) DEFAULT NULL,"
	" content VARCHAR(64000) DEFAULT NULL,"
	" ttl INT DEFAULT NULL,"
	" prio INT DEFAULT NULL,"
	" disabled TINYINT(1) DEFAULT 0,"
	" ordername VARCHAR(255) BINARY DEFAULT NULL,"
	" auth TINYINT(1) DEFAULT 1,"
	" PRIMARY KEY (id),"
	" KEY nametype_index (name, type),"
	" KEY domain_id (domain_id),"
	" KEY ordername (ordername)"
	") Engine=InnoDB CHARACTER SET 'latin1'",
	"CREATE TABLE IF NOT EXISTS supermasters ("
	" ip VARCHAR(64) NOT NULL,"
	" nameserver VARCHAR(255) NOT NULL,"
	" account VARCHAR(40) CHARACTER SET 'utf8' NOT NULL,"
	" PRIMARY KEY (ip, nameserver)"
	") Engine=InnoDB CHARACTER SET 'latin1'",
	"CREATE TABLE IF NOT EXISTS comments ("
	" id INT AUTO_INCREMENT,"
	" domain_id INT NOT NULL,"
	" name VARCHAR(255) NOT NULL,"
	" type VARCHAR(10) NOT NULL,"
	" modified_at INT NOT NULL,"
	" account VARCHAR(40) CHARACTER SET 'utf8' DEFAULT NULL,"
	" comment TEXT CHARACTER SET 'utf8' NOT NULL,"
	" PRIMARY KEY (id),"
	" KEY comments_name_type_idx (name, type),"
	" KEY comments_order_idx (domain_id, modified_at)"
	") Engine=InnoDB CHARACTER SET 'latin1'",
	"CREATE TABLE IF NOT EXISTS domainmetadata ("
	" id INT AUTO_INCREMENT,"
	" domain_id INT NOT NULL,"
	" kind VARCHAR(32),"
	" content TEXT,"
	" PRIMARY KEY (id),"
	" KEY domainmetadata_idx (domain_id, kind)"
	") Engine=InnoDB CHARACTER SET 'latin1'",
	"CREATE TABLE IF NOT EXISTS cryptokeys ("
	" id INT AUTO_INCREMENT,"
	" domain_id INT NOT NULL,"
	" flags INT NOT NULL,"
	" active BOOL,"
	" published BOOL DEFAULT 1,"
	" content TEXT,"
	" PRIMARY KEY (id),"
	" KEY domainidindex (domain_id)"
	") Engine=InnoDB CHARACTER SET 'latin1'",
	"CREATE TABLE IF NOT EXISTS tsigkeys ("
	" id INT AUTO_INCREMENT,"
	" name VARCHAR(255),"
	" algorithm VARCHAR(50),"
	" secret VARCHAR(255),"
	" PRIMARY KEY (id),"
	" UNIQUE KEY namealgoindex (name, algorithm)"
	") Engine=InnoDB CHARACTER SET 'latin1'",
	NULL,
};

/* What else belongs to a domain and goes with it (as pdnsutil delete-zone). */
static const char *const powerdns_aux[] = { "domainmetadata", "cryptokeys", "comments", NULL };

static const struct mysql_layout powerdns_layout = {
	.type = "powerdns_mysql",
	.flavor = RRCONV_POWERDNS,
	.zone_dot = 0,
	.zones = "domains",
	.zone_name = "name",
	.zone_cols = ", type",
	.zone_vals = ", 'NATIVE'",
	.records = "records",
	.zone_id = "domain_id",
	.name = "name",
	.data = "content",
	.auth = "auth",
	.has_prio_disabled = 1,
	.ddl = powerdns_ddl,
	.zone_aux = powerdns_aux,
};

static int powerdns_mysql_open(const struct config_backend *cfg, void **state, char *err, size_t errlen)
{
	return mysql_conn_open(cfg, &powerdns_layout, state, err, errlen);
}

const struct backend_ops backend_powerdns_mysql_ops = {
	.type = "powerdns_mysql",
	.open = powerdns_mysql_open,
	.close = mysql_conn_close,
	.apply = mysql_zone_apply,
	.exists = mysql_zone_exists,
	.verify = mysql_zone_verify,
};
