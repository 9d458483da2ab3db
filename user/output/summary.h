/* SPDX-License-Identifier: BSD-3-Clause */
/* summary.h - the one-line summary a terminal gets every few seconds. */
#ifndef WIRELAT_SUMMARY_H
#define WIRELAT_SUMMARY_H

#include <stdio.h>
#include "core/state.h"

/*
 * One line: handshakes completed and failed with p50/p99 of the whole
 * handshake, DNS answered and timed out with p50/p99, connections open,
 * malformed packets. Percentiles are bucket upper bounds (the histograms'
 * resolution, a factor of sqrt(2)). Returns 0 or -errno.
 */
int wl_summary_print(struct wl_run *run, FILE *f);

#endif /* WIRELAT_SUMMARY_H */
