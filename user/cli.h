/* SPDX-License-Identifier: BSD-3-Clause */
/* cli.h - the command line: options into struct wl_config (core/config.h). */
#ifndef WIRELAT_CLI_H
#define WIRELAT_CLI_H

#include "core/config.h"

/*
 * Fill @cfg from argv. Returns 0 to run, 1 when help or version was
 * printed (exit 0), or -EINVAL after one line on stderr (exit 2).
 */
int wl_config_parse(struct wl_config *cfg, int argc, char **argv);

#endif /* WIRELAT_CLI_H */
