// SPDX-License-Identifier: BSD-3-Clause
/* log.c - how much is said (log.h): -v once, libbpf's and libxdp's
 * warnings too; twice, their debug lines. */
#include "core/log.h"

int wl_verbose;
