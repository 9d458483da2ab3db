/* SPDX-License-Identifier: BSD-3-Clause */
/* metrics.h - Prometheus text exposition (format 0.0.4) of a run. */
#ifndef WIRELAT_METRICS_H
#define WIRELAT_METRICS_H

#include <stdio.h>
#include "state.h"

/*
 * Write every metric: per-CPU kernel counters summed, plus the userspace
 * ones. Reads a fixed number of small maps, never the flow tables.
 * Returns 0 or -errno.
 */
int wl_metrics_write(struct wl_run *run, FILE *f);

/* The kernel's counters of @nslots slots, summed over CPUs, into @sum. */
int wl_metrics_read(struct wl_run *run, struct wl_stats *sum, int nslots);

/* --metrics-out: write to @path atomically (tmp file + rename). */
int wl_metrics_write_file(struct wl_run *run, const char *path);

#endif /* WIRELAT_METRICS_H */
