/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.bpf.h - per-interface counters, histograms and record output.
 */
#ifndef WIRELAT_STATS_BPF_H
#define WIRELAT_STATS_BPF_H

#include "maps.bpf.h"
#include "hist.h"

/*
 * Interface slot of @ifindex: its index in cfg.ifindex (rodata, so this is
 * a few compares, no map lookup); WL_MAX_IFACES for any other interface.
 * Offline every packet belongs to slot 0 ("pcap").
 */
static __always_inline __u32 wl_slot(__u32 ifindex)
{
	__u32 i;

	if (cfg.offline)
		return 0;
	/* n_ifaces is rodata: the verifier drops the iterations not used */
	for (i = 0; i < WL_MAX_IFACES && i < cfg.n_ifaces; i++)
		if (cfg.ifindex[i] == ifindex)
			return i;
	return WL_MAX_IFACES;
}

static __always_inline struct wl_stats *wl_stats_of(__u32 ifindex)
{
	__u32 slot = wl_slot(ifindex);

	return bpf_map_lookup_elem(&stats, &slot);
}

/*
 * Add one duration to histogram @h. A negative duration (an offline
 * capture whose clock went backwards) is counted, never histogrammed.
 * Only inside global functions (wl_hist_observe(), wl_hs_hists()): the
 * search has no branch (include/hist.h), but its ~60 instructions inlined
 * in the packet path are walked once per verifier state that reaches them
 * (all four histograms of a new flow inline took the XDP program from
 * 124k to 277k processed instructions on Linux 6.18).
 */
static __always_inline void wl_hist_put(struct wl_hist *h, __u64 *negative,
					__s64 v)
{
	__u32 idx;

	if (v < 0) {
		(*negative)++;
		return;
	}
	idx = wl_hist_index(v);
	if (idx > WL_HIST_FINITE)
		idx = WL_HIST_FINITE;
	h->bucket[idx]++;
	h->sum_ns += v;
}

/* wl_hist_put() as a global function: verified once. */
#ifdef WL_DEFINE_MAPS
__noinline int wl_hist_observe(struct wl_hist *h, __u64 *negative, __s64 v)
{
	if (h && negative)
		wl_hist_put(h, negative, v);
	return 0;
}
#else
extern int wl_hist_observe(struct wl_hist *h, __u64 *negative, __s64 v);
#endif

#define wl_hist_add(st, id, v) \
	wl_hist_observe(&(st)->hist[id], &(st)->negative_durations, v)

/*
 * Move @state from @from to @to by compare-and-swap. XDP, TC and the sweep
 * run at once on different CPUs; every terminal transition of an entry
 * (completed, failed, timed out, closed) is claimed this way, so exactly
 * one of them reports it. Returns 1 when this caller made the move, 0 when
 * another changed the state first. Also a full barrier: fields written
 * before it are seen by whoever sees the new state. (One locked cmpxchg,
 * ~5-20 ns; it replaces a plain store only on a transition.)
 */
static __always_inline int wl_claim(__u32 *state, __u32 from, __u32 to)
{
	return __sync_val_compare_and_swap(state, from, to) == from;
}

/*
 * An entry an expiry rule keeps: it can change at @when at the earliest.
 * The sweep passes @due (the least of them, so a replay walks the table
 * again only once its clock can have passed one); the packet path NULL.
 * Returns 0, what the rules return for "kept".
 */
static __always_inline int wl_keep(__u64 *due, __u64 when)
{
	if (due && when < *due)
		*due = when;
	return 0;
}

/*
 * Entries in and out of a flow table, counted so that userspace can tell
 * LRU evictions (inserts - deletes - entries) without the kernel's help.
 */
static __always_inline void wl_table_insert(struct wl_stats *st, void *map,
					    const void *key, const void *val,
					    int table)
{
	if (!bpf_map_update_elem(map, key, val, BPF_NOEXIST) &&
	    table >= 0 && table < WL_T_MAX)
		st->table_inserts[table]++;
}

/* Returns 0 when this call removed the entry, as bpf_map_delete_elem(). */
static __always_inline int wl_table_delete(struct wl_stats *st, void *map,
					   const void *key, int table)
{
	int err = bpf_map_delete_elem(map, key);

	if (!err && table >= 0 && table < WL_T_MAX)
		st->table_deletes[table]++;
	return err;
}

/*
 * An entry of @table moved from (@was) or to (@now) a tombstone state
 * (its measurement over, kept for late or duplicate detection), or both
 * or neither. An LRU eviction of a tombstone ends nothing, so it is not
 * counted as one: evictions of open entries = inserts - deletes - entries
 * - (tombstones made - ended - left), the last from the sweep's walk
 * (user/kernel/sweep.c). Callers pass constants mostly: the compiler keeps one
 * per-CPU add on the transitions that make or end a tombstone, nothing
 * on the others.
 */
static __always_inline void wl_table_tomb(struct wl_stats *st, int table,
					  int was, int now)
{
	if (table < 0 || table >= WL_T_MAX || was == now)
		return;
	if (now)
		st->table_tombs_in[table]++;
	else
		st->table_tombs_out[table]++;
}

/*
 * A record of @size bytes (WL_RECORD_TCP_SIZE, or the whole struct when
 * it carries a qname) from the ring buffer, zeroed up to @zero bytes;
 * NULL (counted) when the ring is full.
 */
#define wl_rec_reserve(st, size, zero)                                       \
	({                                                                   \
		struct wl_record *__r = bpf_ringbuf_reserve(&records, size, 0); \
		if (!__r)                                                    \
			(st)->records_dropped++;                             \
		else                                                         \
			__builtin_memset(__r, 0, zero);                      \
		__r;                                                         \
	})

/*
 * Submit a record reserved by wl_rec_reserve(). Without waking the reader:
 * a wakeup is an irq_work, an inter-processor interrupt, a VM exit on a
 * virtual machine (~7 us a record here), and the reader polls the ring at
 * least every 100 ms anyway. Past a quarter full the reader is woken at
 * once (forced: with flag 0 the kernel wakes only a reader that has caught
 * up, which a reader behind by a quarter of the ring has not), so a burst
 * cannot fill the ring between two polls. The fill is looked at on every
 * 16th record of a CPU (a quarter of the ring is ~4800 records: the
 * wakeup comes at most 15 a CPU later), with one query, the data waiting:
 * live the ring is WL_RINGBUF_BYTES (userspace resizes it only offline),
 * so its size needs none. A helper call costs ~12 ns here, and the data
 * waiting is on a line the reader writes: every record of a new flow
 * paid for two before.
 * Offline nobody waits: the replay drains the ring after every run of a
 * program (a sweep at end of file once woke it for every record past a
 * quarter: 9% of `wirelat -r`).
 */
static __always_inline void wl_rec_submit(struct wl_record *r)
{
	struct wl_dns_scratch *sc;
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (!cfg.offline) {
		sc = bpf_map_lookup_elem(&dns_scratch, (const void *)&wl_key0);
		if (sc) {
			barrier_var(sc);	/* &sc->submits after the test */
			if (!(++sc->submits & 15) &&
			    bpf_ringbuf_query(&records, BPF_RB_AVAIL_DATA) >
				    WL_RINGBUF_BYTES / 4)
				flags = BPF_RB_FORCE_WAKEUP;
		}
	}
	bpf_ringbuf_submit(r, flags);
}

#endif /* WIRELAT_STATS_BPF_H */
