/* SPDX-License-Identifier: BSD-3-Clause */
/* cli_values.h - option values parsed with bounds. */
#ifndef WIRELAT_CLI_VALUES_H
#define WIRELAT_CLI_VALUES_H

#include <stdint.h>
#include "core/config.h"

/* Parse "3", "2.5s", "500ms", "250us", "100ns" into ns; -EINVAL/-ERANGE. */
int wl_parse_duration(const char *s, uint64_t min_ns, uint64_t max_ns,
		      uint64_t *out);

/* Parse a decimal integer within [min, max]; -EINVAL/-ERANGE. */
int wl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Parse "CIDR=NAME" into @s: 0, or -EINVAL after one line. */
int wl_subnet_parse(const char *arg, struct wl_subnet *s);

#endif /* WIRELAT_CLI_VALUES_H */
