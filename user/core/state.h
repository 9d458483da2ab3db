/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * state.h - what one run holds: the loaded BPF object, the interface
 * slots, counters kept in userspace (things the replay loop decides) and
 * where records go.
 */
#ifndef WIRELAT_STATE_H
#define WIRELAT_STATE_H

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include "core/config.h"
#include "wirelat.h"

struct wirelat;
struct wirelat_count;
struct bpf_link;
struct wl_who;
struct wl_listen;

/* Where records go (output/records.c prints them). */
struct wl_output {
	FILE *f;
	bool json;
	int64_t ts_offset_ns;	/* added to record ts: monotonic -> wall */
	const char *fixed_ifname;	/* offline: "pcap" */
	uint32_t ifindex[WL_MAX_IFACES];
	const char *ifname[WL_MAX_IFACES];
	int n_ifaces;
	bool flush_each;	/* live: a line as soon as it is known */
	bool broken;		/* a write failed (EPIPE: the reader is gone) */
	uint64_t written;
	/* told of every record as it is printed (the who-is-slow tables) */
	void (*observe)(void *ctx, const struct wl_record *r);
	void *observe_ctx;
	/* live: the local listeners a slow handshake may name (metrics/listen.c) */
	struct wl_listen *listen;
};

/*
 * Counters decided in userspace (frames the replay cannot hand the
 * program), added to the kernel's at export.
 */
struct wl_user_stats {
	uint64_t packets[WL_DIR_MAX][WL_PKT_MAX];
	uint64_t malformed[WL_MAL_MAX];
};

struct wl_run {
	const struct wl_config *cfg;
	struct wirelat *skel;
	/* the entry counter (kernel/count.h), where the kernel has its
	 * kfunc (count_kfunc, probed at open); NULL otherwise */
	struct wirelat_count *count;
	bool count_kfunc;
	int n_slots;			/* interfaces in use */
	uint32_t ifindex[WL_MAX_IFACES];
	const char *ifname[WL_MAX_IFACES];
	struct wl_user_stats ustats[WL_NSLOTS];
	struct wl_output out;
	/* flow tables as of the last sweep (enum wl_table) */
	uint64_t table_entries[WL_T_MAX];
	uint64_t table_slot_entries[WL_T_MAX][WL_NSLOTS];
	uint64_t table_evictions[WL_T_MAX];	/* see wl_sweep() */
	/* as of each table's last walk: its inserts and deletes and the
	 * earliest time an entry it left can change, UINT64_MAX for none
	 * (see walk_needed() in sweep.c) */
	uint64_t walk_ins[WL_T_MAX], walk_del[WL_T_MAX], due_ns[WL_T_MAX];
	bool walked[WL_T_MAX];
	/* how each interface is attached: labels of wirelat_attach_info */
	const char *ingress_hook[WL_MAX_IFACES];
	const char *egress_hook[WL_MAX_IFACES];
	/* the socket path: how it runs (enum wl_sock_mode), its links */
	int sock_mode;
	struct bpf_link *sock_links[3];
	int n_sock_links;
	/* who is slow: the top-N breakdowns (NULL until set up) */
	struct wl_who *who;
	/* called every second live (wirelat top -i), NULL otherwise */
	void (*tick)(struct wl_run *run, void *ctx);
	void *tick_ctx;
	/* where records go: printed at once (live) or reordered (offline) */
	void (*emit)(struct wl_run *run, const struct wl_record *r);
	void *emit_ctx;
	/* the ring filled up during a sweep: empty it (or let it be emptied);
	 * 0, or -errno when it cannot be (the sweep then stops) */
	int (*drain)(struct wl_run *run);
	/* offline -j N: the replay's N shards, each a run with a loaded
	 * object of its own (run->skel NULL); counters are their sums */
	struct wl_run *shards;
	int n_shards;
};

/* Slot of @ifindex (offline: 0), WL_MAX_IFACES for an unknown one. */
static inline int wl_run_slot(const struct wl_run *run, uint32_t ifindex)
{
	int i;

	if (run->cfg->read_file)
		return 0;
	for (i = 0; i < run->n_slots; i++)
		if (run->ifindex[i] == ifindex)
			return i;
	return WL_MAX_IFACES;
}

#endif /* WIRELAT_STATE_H */
