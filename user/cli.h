/* SPDX-License-Identifier: BSD-3-Clause */
/* cli.h - the command line: options into struct wl_config (core/config.h). */
#ifndef WIRELAT_CLI_H
#define WIRELAT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include "core/config.h"

/*
 * Fill @cfg from argv. Returns 0 to run, 1 when help or version was
 * printed (exit 0), or -EINVAL after one line on stderr (exit 2).
 */
int wl_config_parse(struct wl_config *cfg, int argc, char **argv);

/* Parse "3", "2.5s", "500ms", "250us", "100ns" into ns; -EINVAL/-ERANGE. */
int wl_parse_duration(const char *s, uint64_t min_ns, uint64_t max_ns,
		      uint64_t *out);

/* Parse a decimal integer within [min, max]; -EINVAL/-ERANGE. */
int wl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Parse "CIDR=NAME" into @s: 0, or -EINVAL after one line. */
int wl_subnet_parse(const char *arg, struct wl_subnet *s);

#endif /* WIRELAT_CLI_H */
