/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapshot.h - the kernel's side of a run at one moment, read once: what
 * /metrics, --metrics-out, the summary line and `wirelat top` present.
 * It knows nothing of how they present it.
 */
#ifndef WIRELAT_SNAPSHOT_H
#define WIRELAT_SNAPSHOT_H

#include <stdint.h>
#include "core/state.h"
#include "kernel/drops.h"
#include "metrics/listen.h"

struct wl_snapshot {
	/* slots with series of their own: offline 1 ("pcap"), live the
	 * interfaces (s[] holds every slot, "other" too) */
	int nslots;
	struct wl_stats s[WL_NSLOTS];		/* the programs' counters */
	struct wl_sock_stats sock;		/* the socket path's */
	uint64_t records_dropped;		/* both paths: the ring was full */
	/* the flow tables as the last sweep counted them (a snapshot never
	 * walks a table) and what each can hold */
	uint64_t entries[WL_T_MAX];
	uint64_t slot_entries[WL_T_MAX][WL_NSLOTS];
	uint64_t evictions[WL_T_MAX];
	uint64_t capacity[WL_T_MAX];
	/* live, the kernel's side: this namespace's listeners (listen.h) and
	 * the drops on the watched interfaces by reason (kernel/drops.h) */
	bool has_listen;
	struct wl_listen_view listen;
	bool has_drops;
	uint64_t drops[WL_NSLOTS][WL_DROP_REASONS];
};

/* A new snapshot of @run (NULL on failure, -errno in *@err); free() it. */
struct wl_snapshot *wl_snapshot_take(struct wl_run *run, int *err);

#endif /* WIRELAT_SNAPSHOT_H */
