/* SPDX-License-Identifier: BSD-3-Clause */
/* knot_ctl.c -- knotd's control socket through libknot's control API
 *
 * A command is what knotc sends: one data unit with the command name, its
 * flags and arguments, then an end of block; a command on several zones is
 * one data unit per zone. knotd answers with data units (a zone, an error in
 * its own words, conf values) and an end of block, and serves the next
 * command on the same connection until it gets END.
 */
#include <stdio.h>
#include <string.h>

#include <libknot/control/control.h>
#include <libknot/error.h>
#include <libknot/errcode.h>

#include "lib/backends/knot.h"
#include "lib/log.h"

static int knot_rc(int ret)
{
	if (ret == KNOT_ETIMEOUT)
		return DADNS_ETIMEDOUT;
	return DADNS_EIO;
}

int knot_conn_open(struct knot_conn *c, const char *path, int timeout_ms, char *err,
		   size_t errlen)
{
	knot_ctl_t *ctl;
	int ret;

	memset(c, 0, sizeof(*c));
	ctl = knot_ctl_alloc();
	if (!ctl) {
		snprintf(err, errlen, "out of memory");
		return DADNS_ENOMEM;
	}
	knot_ctl_set_timeout(ctl, timeout_ms > 0 ? timeout_ms : 30000);
	ret = knot_ctl_connect(ctl, path);
	if (ret != KNOT_EOK) {
		snprintf(err, errlen, "cannot connect to knotd's control socket %s (%s)", path,
			 knot_strerror(ret));
		knot_ctl_free(ctl);
		return knot_rc(ret);
	}
	c->ctl = ctl;
	return 0;
}

void knot_conn_close(struct knot_conn *c)
{
	if (!c->ctl)
		return;
	knot_ctl_send(c->ctl, KNOT_CTL_TYPE_END, NULL);
	knot_ctl_close(c->ctl);
	knot_ctl_free(c->ctl);
	c->ctl = NULL;
}

static int send_units(struct knot_conn *c, const struct knot_cmd *cmd)
{
	knot_ctl_data_t d;
	size_t i, n = cmd->n_zones ? cmd->n_zones : 1;
	int ret = KNOT_EOK;

	for (i = 0; i < n && ret == KNOT_EOK; i++) {
		memset(&d, 0, sizeof(d));
		d[KNOT_CTL_IDX_CMD] = cmd->cmd;
		d[KNOT_CTL_IDX_FLAGS] = cmd->flags;
		d[KNOT_CTL_IDX_SECTION] = cmd->section;
		d[KNOT_CTL_IDX_ID] = cmd->id;
		d[KNOT_CTL_IDX_ITEM] = cmd->item;
		d[KNOT_CTL_IDX_DATA] = cmd->data;
		d[KNOT_CTL_IDX_ZONE] = cmd->n_zones ? cmd->zones[i] : NULL;
		ret = knot_ctl_send(c->ctl, KNOT_CTL_TYPE_DATA, &d);
	}
	if (ret == KNOT_EOK)
		ret = knot_ctl_send(c->ctl, KNOT_CTL_TYPE_BLOCK, NULL);
	return ret;
}

static void verb_count(struct knot_conn *c, const char *cmd)
{
	size_t i;

	for (i = 0; i < c->n_verbs; i++)
		if (strcmp(c->verb[i].name, cmd) == 0) {
			c->verb[i].n++;
			return;
		}
	if (c->n_verbs == KNOT_VERBS_MAX)
		return;
	snprintf(c->verb[c->n_verbs].name, sizeof(c->verb[0].name), "%s", cmd);
	c->verb[c->n_verbs++].n = 1;
}

void knot_conn_verbs(const struct knot_conn *c, char *out, size_t outlen)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < c->n_verbs && len < outlen; i++) {
		int w = c->verb[i].n > 1 ?
			snprintf(out + len, outlen - len, "%s%s x%u", i ? ", " : "", c->verb[i].name,
				 c->verb[i].n) :
			snprintf(out + len, outlen - len, "%s%s", i ? ", " : "", c->verb[i].name);

		if (w < 0)
			break;
		len += (size_t)w;
	}
}

int knot_conn_cmd(struct knot_conn *c, const struct knot_cmd *cmd, knot_reply_fn fn, void *arg,
		  char *err, size_t errlen)
{
	knot_ctl_type_t type;
	knot_ctl_data_t d;
	int ret, failed = 0;

	err[0] = '\0';
	if (!c->ctl) {
		snprintf(err, errlen, "not connected to knotd");
		return DADNS_EIO;
	}
	c->count++;
	verb_count(c, cmd->cmd);
	ret = send_units(c, cmd);
	if (ret != KNOT_EOK) {
		snprintf(err, errlen, "knotd %s: cannot send (%s)", cmd->cmd, knot_strerror(ret));
		return knot_rc(ret);
	}
	for (;;) {
		memset(&d, 0, sizeof(d));
		ret = knot_ctl_receive(c->ctl, &type, &d);
		if (ret != KNOT_EOK) {
			snprintf(err, errlen, "knotd %s: no answer (%s)", cmd->cmd, knot_strerror(ret));
			return knot_rc(ret);
		}
		if (type == KNOT_CTL_TYPE_BLOCK || type == KNOT_CTL_TYPE_END)
			break;
		if (fn)
			fn(arg, d[KNOT_CTL_IDX_ZONE], d[KNOT_CTL_IDX_ERROR], d[KNOT_CTL_IDX_ID],
			   d[KNOT_CTL_IDX_ITEM], d[KNOT_CTL_IDX_DATA]);
		if (d[KNOT_CTL_IDX_ERROR] && !failed) {
			failed = 1;
			if (d[KNOT_CTL_IDX_ZONE])
				snprintf(err, errlen, "knotd %s %s: %s", cmd->cmd,
					 d[KNOT_CTL_IDX_ZONE], d[KNOT_CTL_IDX_ERROR]);
			else
				snprintf(err, errlen, "knotd %s: %s", cmd->cmd,
					 d[KNOT_CTL_IDX_ERROR]);
		}
	}
	if (type == KNOT_CTL_TYPE_END) {
		knot_conn_close(c);
		if (!failed)
			snprintf(err, errlen, "knotd %s: connection ended", cmd->cmd);
		return failed ? DADNS_EPERMFAIL : DADNS_EIO;
	}
	return failed ? DADNS_EPERMFAIL : 0;
}
