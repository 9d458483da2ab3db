/* SPDX-License-Identifier: BSD-3-Clause */
/* sweep.h - expire what no packet came back for. */
#ifndef WIRELAT_SWEEP_H
#define WIRELAT_SWEEP_H

#include <stdint.h>
#include "state.h"

#define WL_SWEEP_ALL ((1u << WL_T_MAX) - 1)

/*
 * Run the sweep program over @tables (bits 1 << enum wl_table) by
 * @clock_ns (offline, the capture's; live the program reads the kernel's): the
 * expiry rules of include/ applied in the kernel, timeout records through
 * the ring. Where the ring fills up, run->drain() empties it and the walk
 * goes on. The connection table is walked only when that can find
 * something (see conn_walk_needed() in sweep.c). With @eof (offline, end of file) every connection still open
 * closes with "eof". Then the entries left and the evictions of those
 * tables. Returns the number of program runs or -errno.
 */
int wl_sweep(struct wl_run *run, uint64_t clock_ns, unsigned int tables,
	     int eof);

/*
 * Offline, a frame at @ts: a connection it opens idles out no earlier than
 * @ts + the idle timeout, which may come before what the last walk left (a
 * capture's time can step back). The connection walk waits for the
 * earlier of the two.
 */
static inline void wl_sweep_frame_seen(struct wl_run *run, uint64_t ts)
{
	if (ts + run->cfg->idle_timeout_ns < run->conn_due_ns)
		run->conn_due_ns = ts + run->cfg->idle_timeout_ns;
}

#endif /* WIRELAT_SWEEP_H */
