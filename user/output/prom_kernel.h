/* SPDX-License-Identifier: BSD-3-Clause */
/* prom_kernel.h - the kernel's side (listeners, drops) as Prometheus text. */
#ifndef WIRELAT_PROM_KERNEL_H
#define WIRELAT_PROM_KERNEL_H

#include <stdio.h>

struct wl_run;
struct wl_snapshot;

/* Live: the listeners' series, the host's counters, the drops by reason. */
void wl_prom_kernel(FILE *f, struct wl_run *run, const struct wl_snapshot *sn);

#endif /* WIRELAT_PROM_KERNEL_H */
