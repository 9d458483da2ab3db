/* SPDX-License-Identifier: BSD-3-Clause */
/* metrics.h - Prometheus text exposition (format 0.0.4) of a run. */
#ifndef WIRELAT_METRICS_H
#define WIRELAT_METRICS_H

#include <stdio.h>
#include "core/state.h"

/*
 * Write every metric: per-CPU kernel counters summed, plus the userspace
 * ones. Reads a fixed number of small maps, never the flow tables.
 * Returns 0 or -errno.
 */
int wl_metrics_write(struct wl_run *run, FILE *f);

/* The kernel's counters of @nslots slots, summed over CPUs, into @sum. */
int wl_metrics_read(struct wl_run *run, struct wl_stats *sum, int nslots);

/* "# HELP" and "# TYPE" lines of a metric. */
void wl_prom_header(FILE *f, const char *name, const char *type,
		    const char *help);

/* The _bucket, _sum and _count lines of @h; @labels may be "". */
void wl_prom_histogram(FILE *f, const char *name, const char *labels,
		       const struct wl_hist *h);

/* --metrics-out: write to @path atomically (tmp file + rename). */
int wl_metrics_write_file(struct wl_run *run, const char *path);

#endif /* WIRELAT_METRICS_H */
