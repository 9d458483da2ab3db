/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * counters.h - what the programs counted, read from their maps: the one
 * way userspace reads the kernel's counters (metrics/snapshot.c takes them
 * once per scrape or summary; the sweep reads the tables' counts).
 */
#ifndef WIRELAT_COUNTERS_H
#define WIRELAT_COUNTERS_H

#include <stdint.h>
#include "core/state.h"

/*
 * The counters of slots 0..@nslots-1 (struct wl_stats), summed over the
 * CPUs (and -j, the shards), into @sum. Returns 0 or -errno.
 */
int wl_counters_read(struct wl_run *run, struct wl_stats *sum, int nslots);

/* The socket path's counters, summed the same way. 0 or -errno. */
int wl_sock_counters_read(struct wl_run *run, struct wl_sock_stats *sum);

/* Entries flow table @t (enum wl_table) can hold, as asked (-j: all shards). */
uint64_t wl_table_capacity(struct wl_run *run, int t);

#endif /* WIRELAT_COUNTERS_H */
