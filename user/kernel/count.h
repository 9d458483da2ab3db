/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * count.h - the kernel's own count of each table's entries, and with it
 * the LRU's evictions exactly (sweep/wirelat_count.bpf.c), where the
 * kernel has bpf_map_sum_elem_count (Linux 6.6).
 */
#ifndef WIRELAT_COUNT_H
#define WIRELAT_COUNT_H

#include "core/state.h"

/*
 * After the main object loaded: the counting object on its tables
 * (run->count). A failure is one line and leaves run->count NULL: the
 * sweep's walk counts then. Returns 0 or -errno.
 */
int wl_count_load(struct wl_run *run);

/*
 * Count now into the main object's wl_sweep_io (live[], evicted[],
 * evicted_known); nothing without run->count. 0 or -errno after one line.
 */
int wl_count_run(struct wl_run *run);

void wl_count_destroy(struct wl_run *run);

#endif /* WIRELAT_COUNT_H */
