/* SPDX-License-Identifier: BSD-3-Clause */
/* prom.h - Prometheus text exposition (format 0.0.4) of a run. */
#ifndef WIRELAT_PROM_H
#define WIRELAT_PROM_H

#include <stdio.h>
#include "core/state.h"

/*
 * Write every metric: per-CPU kernel counters summed, plus the userspace
 * ones. Reads a fixed number of small maps, never the flow tables.
 * Returns 0 or -errno.
 */
int wl_metrics_write(struct wl_run *run, FILE *f);

/* --metrics-out: write to @path atomically (tmp file + rename). */
int wl_metrics_write_file(struct wl_run *run, const char *path);

#endif /* WIRELAT_PROM_H */
