/* SPDX-License-Identifier: BSD-3-Clause */
/* ui_assets.h -- the operator's page (ui/), compiled into dadns-intake:
 * the Makefile runs scripts/embed on the files in ui/ into $(BUILD)/gen/ui_assets.c */
#ifndef DADNS_UI_ASSETS_H
#define DADNS_UI_ASSETS_H

#include <stddef.h>

struct ui_asset {
	const char *name;          /* the file name under ui/, e.g. "ui.js" */
	const unsigned char *data;
	size_t size;
};

extern const struct ui_asset ui_assets[];
extern const size_t ui_assets_n;

#endif
