// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Counting a table's entries and evictions exactly: a syscall program the
 * daemon runs with BPF_PROG_TEST_RUN just before and just after each sweep
 * (user/kernel/sweep.c). It needs the kfunc bpf_map_sum_elem_count (Linux
 * 6.6), so it is an object of its own (build/wirelat_count.skel.h), opened
 * and loaded only where the kernel has the kfunc (user/kernel/count.c):
 *   - a verifier before 6.6 refuses a kfunc call it cannot resolve even in
 *     code a constant makes dead ("invalid kernel function call not
 *     eliminated in verifier pass", 6.1);
 *   - libbpf resolves an object's kfunc externs whatever programs load,
 *     and for one the kernel lacks it looks through the modules' BTF too,
 *     which needs CAP_SYS_ADMIN: in the main object, wirelat as its
 *     systemd unit runs it (CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON) could not
 *     load at all on 6.1 (libbpf 1.1: "failed to iterate BTF objects").
 * The tables it counts are the main object's: the maps below are stand-ins
 * the loader replaces with those (bpf_map__reuse_fd). Without the kfunc
 * the sweep counts entries by walking (user/kernel/sweep.c).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "wirelat.h"

/* The main object's tables, by name: only passed to the kfunc here. */
struct wl_table_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};
struct wl_table_map handshakes SEC(".maps");
struct wl_table_map dns_pending SEC(".maps");
struct wl_table_map conns SEC(".maps");

/* The main object's counters (include/maps.bpf.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WL_NSLOTS);
	__type(key, __u32);
	__type(value, struct wl_stats);
} stats SEC(".maps");

/*
 * This object's own: ncpus in; live[], evicted[] and evicted_known out
 * (the loader copies them into the main object's wl_sweep_io).
 */
struct wl_sweep_io wl_sweep_io;

/*
 * The live entries of a hash map, exact (the kernel counts them per CPU
 * as elements are taken and freed, LRU evictions included). The kfunc's
 * argument is the kernel's struct bpf_map: libbpf checks the prototype
 * against the kernel's, which needs a struct of that name (any content).
 * Weak: the object opens on a kernel before 6.6 (this program is then not
 * loaded).
 */
struct bpf_map {
	int unused;
};
extern __s64 bpf_map_sum_elem_count(struct bpf_map *map) __ksym __weak;

/* The live entries of each table into wl_sweep_io.live (kfunc present). */
static __always_inline void wl_count_live(void)
{
	wl_sweep_io.live[WL_T_HANDSHAKES] =
		bpf_map_sum_elem_count((struct bpf_map *)&handshakes);
	wl_sweep_io.live[WL_T_DNS] =
		bpf_map_sum_elem_count((struct bpf_map *)&dns_pending);
	wl_sweep_io.live[WL_T_CONNS] =
		bpf_map_sum_elem_count((struct bpf_map *)&conns);
}

/*
 * Sums of every slot's table_inserts (or table_deletes) over the CPUs,
 * and the tombstones made (or ended) with them in tombs[].
 */
struct wl_table_sum {
	__u32 deletes;
	__u32 pad;
	__u64 n[WL_T_MAX];
	__u64 tombs[WL_T_MAX];
};

static long wl_table_sum_one(__u32 i, struct wl_table_sum *sum)
{
	__u32 slot = i % WL_NSLOTS;
	struct wl_stats *st;
	int t;

	st = bpf_map_lookup_percpu_elem(&stats, &slot, i / WL_NSLOTS);
	if (!st)
		return 0;
	for (t = 0; t < WL_T_MAX; t++) {
		sum->n[t] += sum->deletes ? st->table_deletes[t] :
					    st->table_inserts[t];
		sum->tombs[t] += sum->deletes ? st->table_tombs_out[t] :
						st->table_tombs_in[t];
	}
	return 0;
}

/*
 * Evictions, exactly: every entry went in by an insert the programs
 * counted and left by a delete they counted or by the LRU. Inserts are
 * read first, then the live entries, then deletes, all within
 * microseconds: an insert or delete that lands in between makes the
 * difference smaller, never larger, than what the LRU evicted. Less the
 * tombstones made and not ended: those the walk finds left (tombs[],
 * user/kernel/sweep.c adds them back) were not evicted, the rest were, and an
 * eviction of a tombstone is not one of an open measurement.
 */
static __always_inline void wl_count_evictions(void)
{
	struct wl_table_sum ins = {}, del = { .deletes = 1 };
	__u32 runs = wl_sweep_io.ncpus * WL_NSLOTS;
	int t;

	wl_sweep_io.evicted_known = 0;
	if (!runs)
		return;
	bpf_loop(runs, wl_table_sum_one, &ins, 0);
	wl_count_live();
	bpf_loop(runs, wl_table_sum_one, &del, 0);
	for (t = 0; t < WL_T_MAX; t++)
		wl_sweep_io.evicted[t] = ins.n[t] - wl_sweep_io.live[t] -
					 del.n[t] - ins.tombs[t] + del.tombs[t];
	wl_sweep_io.evicted_known = 1;
}

SEC("syscall")
int wirelat_count(void *ctx)
{
	(void)ctx;
	wl_count_evictions();
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
