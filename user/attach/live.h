/* SPDX-License-Identifier: BSD-3-Clause */
/* live.h - watch interfaces until SIGINT/SIGTERM (-i). */
#ifndef WIRELAT_LIVE_H
#define WIRELAT_LIVE_H

#include "core/state.h"

/*
 * Resolve the run's interfaces (before load: their ifindexes are rodata).
 * Returns 0 or -errno after one line.
 */
int wl_live_prepare(struct wl_run *run);

/*
 * Attach to every interface, print records and sweep timeouts until a
 * signal, then detach everything. Returns 0 or -errno.
 */
int wl_live_run(struct wl_run *run);

#endif /* WIRELAT_LIVE_H */
