/* SPDX-License-Identifier: BSD-3-Clause */
/* sweep.h - expire what no packet came back for. */
#ifndef WIRELAT_SWEEP_H
#define WIRELAT_SWEEP_H

#include <stdint.h>
#include "core/state.h"

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
 * Offline, a frame at @ts: whatever it opens or moves in a table can
 * change again no earlier than @ts + that table's timeout (a handshake's
 * deadline, a query's, a connection's idle time), which may come before
 * what the table's last walk left (a capture's time can step back). A walk
 * waits for the earlier of the two. (What a frame ends lazily was due
 * already: the walk that the passed due time brings sees it.)
 */
static inline void wl_sweep_frame_seen(struct wl_run *run, uint64_t ts)
{
	const uint64_t t[WL_T_MAX] = {
		[WL_T_HANDSHAKES] = run->cfg->handshake_timeout_ns,
		[WL_T_DNS] = run->cfg->dns_timeout_ns,
		[WL_T_CONNS] = run->cfg->idle_timeout_ns,
	};
	int i;

	for (i = 0; i < WL_T_MAX; i++)
		if (ts + t[i] < run->due_ns[i])
			run->due_ns[i] = ts + t[i];
}

#endif /* WIRELAT_SWEEP_H */
