/* SPDX-License-Identifier: BSD-3-Clause */
/* log.h - one line per message on stderr, prefixed with the program name. */
#ifndef WIRELAT_LOG_H
#define WIRELAT_LOG_H

#include <stdio.h>

extern int wl_verbose;

#define pr_warn(fmt, ...) fprintf(stderr, "wirelat: " fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) fprintf(stderr, "wirelat: " fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)                                                 \
	do {                                                               \
		if (wl_verbose)                                            \
			fprintf(stderr, "wirelat: " fmt, ##__VA_ARGS__);   \
	} while (0)

#endif /* WIRELAT_LOG_H */
