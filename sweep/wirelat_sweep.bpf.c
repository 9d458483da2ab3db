// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The sweep: a syscall program the daemon runs with BPF_PROG_TEST_RUN
 * (user/kernel/sweep.c), every second for pending handshakes and queries, every
 * --idle-timeout/30 (at most 10 s) for connections; offline by the
 * capture's clock. It walks the tables with bpf_for_each_map_elem and
 * applies to each entry the very expiry helper the packet path applies to
 * its own flow (wl_hs_expire, wl_dns_expire, wl_conn_expire), so a rule is
 * written once and a transition is reported once (wl_claim()). Userspace
 * never copies an entry out to judge it.
 *
 * In and out through wl_sweep_io (.bss): the clock (offline), the tables
 * to walk, eof (what is still pending or open is reported with reason eof:
 * wl_hs_eof, wl_dns_eof, wl_conn_expire); the entries left per table and
 * interface slot, the tombstones left, and `more` when the walk stopped because the record ring was nearly full (the
 * caller drains it and runs the program again: entries already ended are
 * tombstones or gone, so nothing is reported twice).
 */
#include "entry.bpf.h"

/*
 * Room kept in the ring: the walk looks at the ring every
 * WL_SWEEP_RING_EVERY entries (two helper calls per entry were a tenth of
 * a 1M-entry walk), and each entry writes at most one record (< 512 B),
 * so it stops before it could drop one.
 */
#define WL_SWEEP_RING_EVERY 64
#define WL_SWEEP_RING_SLACK (64u << 10)

struct wl_walk {
	__u64 clock;
	__u32 eof;
	__u32 n;		/* entries looked at */
	__u64 due[WL_T_MAX];	/* earliest change of an entry left, per table */
};

/*
 * Before an entry of @ifindex: its interface's counters (NULL: skip it),
 * its slot in *@slot; NULL and wl_sweep_io.more when the ring is nearly
 * full (the walk stops: the caller drains the ring and walks again).
 */
static __always_inline struct wl_stats *wl_sweep_entry(struct wl_walk *w,
						       __u32 ifindex,
						       __u32 *slot)
{
	if (!(w->n++ % WL_SWEEP_RING_EVERY) &&
	    bpf_ringbuf_query(&records, BPF_RB_AVAIL_DATA) +
			    WL_SWEEP_RING_SLACK >
		    bpf_ringbuf_query(&records, BPF_RB_RING_SIZE)) {
		wl_sweep_io.more = 1;
		return NULL;
	}
	*slot = wl_slot(ifindex);
	return bpf_map_lookup_elem(&stats, slot);
}

/* One more entry left in @table, of interface @slot; @tomb: a tombstone. */
static __always_inline void wl_sweep_count(__u32 table, __u32 slot, int tomb)
{
	if (table < WL_T_MAX && slot < WL_NSLOTS)
		wl_sweep_io.entries[table][slot]++;
	if (table < WL_T_MAX && tomb)
		wl_sweep_io.tombs[table]++;
}

static long wl_sweep_hs(void *map, struct wl_flow_key *k, struct wl_hs *hs,
			struct wl_walk *w)
{
	__u32 slot = 0;
	struct wl_stats *st = wl_sweep_entry(w, k->ifindex, &slot);

	(void)map;
	if (!st)
		return wl_sweep_io.more ? 1 : 0;
	if (!wl_hs_expire(st, k, hs, w->clock, &w->due[WL_T_HANDSHAKES]) &&
	    !(w->eof && wl_hs_eof(st, k, hs, w->clock)))
		wl_sweep_count(WL_T_HANDSHAKES, slot,
			       hs->state == WL_HS_TIMED_OUT);
	return 0;
}

static long wl_sweep_dns(void *map, struct wl_dns_key *k, struct wl_dns_q *q,
			 struct wl_walk *w)
{
	__u32 slot = 0;
	struct wl_stats *st = wl_sweep_entry(w, k->ifindex, &slot);

	(void)map;
	if (!st)
		return wl_sweep_io.more ? 1 : 0;
	if (!wl_dns_expire(st, k, q, w->clock, &w->due[WL_T_DNS]) &&
	    !(w->eof && wl_dns_eof(st, k, q, w->clock)))
		wl_sweep_count(WL_T_DNS, slot, wl_dns_tomb(q->state));
	return 0;
}

static long wl_sweep_conn(void *map, struct wl_flow_key *k, struct wl_conn *c,
			  struct wl_walk *w)
{
	__u32 slot = 0;
	struct wl_stats *st = wl_sweep_entry(w, k->ifindex, &slot);
	struct wl_flow_key key;	/* a close hands it on (wl_conn_close()) */

	(void)map;
	if (!st)
		return wl_sweep_io.more ? 1 : 0;
	key = *k;
	if (!wl_conn_expire(st, &key, c, w->clock, w->eof,
			    &w->due[WL_T_CONNS]))
		wl_sweep_count(WL_T_CONNS, slot, 0);
	return 0;
}

SEC("syscall")
int wirelat_sweep(void *ctx)
{
	struct wl_walk w = { .due = { ~0ULL, ~0ULL, ~0ULL } };
	__u32 tables = wl_sweep_io.tables;
	int t;

	(void)ctx;
	/* offline the capture's clock, live the kernel's, read here */
	w.clock = cfg.offline ? wl_sweep_io.clock_ns : bpf_ktime_get_ns();
	w.eof = wl_sweep_io.eof;
	wl_sweep_io.more = 0;
	/* an empty table has nothing to expire: its walk would still visit
	 * every bucket (65536 by default), once a second of capture;
	 * wirelat_count ran just before, where the kernel has its kfunc */
	if (wl_sweep_io.evicted_known)
		for (t = 0; t < WL_T_MAX; t++)
			if (!wl_sweep_io.live[t])
				tables &= ~(1u << t);
	if (tables & (1u << WL_T_HANDSHAKES))
		bpf_for_each_map_elem(&handshakes, wl_sweep_hs, &w, 0);
	if ((tables & (1u << WL_T_DNS)) && !wl_sweep_io.more)
		bpf_for_each_map_elem(&dns_pending, wl_sweep_dns, &w, 0);
	if ((tables & (1u << WL_T_CONNS)) && !wl_sweep_io.more)
		bpf_for_each_map_elem(&conns, wl_sweep_conn, &w, 0);
	for (t = 0; t < WL_T_MAX; t++)
		wl_sweep_io.due_ns[t] = w.due[t];
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
