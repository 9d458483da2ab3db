// SPDX-License-Identifier: BSD-3-Clause
/*
 * sweep.c - runs the sweep program (sweep/wirelat_sweep.bpf.c) with
 * BPF_PROG_TEST_RUN and reads what it counted. The expiry rules live in
 * include/, once, and run in the kernel: this file never copies an entry
 * out, judges it, or writes it back. Timeout records come through the
 * ring like every other record.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "kernel/count.h"
#include "kernel/counters.h"
#include "kernel/sweep.h"
#include "wirelat.skel.h"

/*
 * Inserts and deletes of every table, all slots and CPUs summed; the
 * tombstones made less those ended (wl_table_tomb()) counted with the
 * deletes.
 */
static int table_counts(struct wl_run *run, uint64_t *ins, uint64_t *del,
			uint64_t *tout)
{
	struct wl_stats sum[WL_NSLOTS];
	int t, slot, err;

	err = wl_counters_read(run, sum, WL_NSLOTS);
	if (err)
		return err;
	for (t = 0; t < WL_T_MAX; t++) {
		ins[t] = del[t] = tout[t] = 0;
		for (slot = 0; slot < WL_NSLOTS; slot++) {
			ins[t] += sum[slot].table_inserts[t];
			tout[t] += sum[slot].table_tombs_out[t];
			/* a tombstone's end of measurement counts as its
			 * removal: evictions are of open entries only */
			del[t] += sum[slot].table_deletes[t] +
				  sum[slot].table_tombs_in[t] -
				  sum[slot].table_tombs_out[t];
		}
	}
	return 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/*
 * Whether a walk of table @t can find anything at @now (offline the
 * capture's time, live CLOCK_MONOTONIC: the kernel's clock, and last_ns,
 * the coarse clock, is never ahead of it). Not before the earliest change
 * an entry the last walk left can make (wl_keep(); offline each frame
 * lowers it, wl_sweep_frame_seen()). Live, handshakes and queries are
 * walked at every sweep (a packet can move their deadlines earlier, and
 * the walk is short), connections also whenever one was inserted or
 * deleted since their last walk (the LRU evicts only on an insert). So 1M
 * idle connections cost no walk until one of them can idle out, and a
 * replay walks a table only when something in it can be due.
 */
static bool walk_needed(const struct wl_run *run, int t, uint64_t now,
			bool live, const uint64_t *ins, const uint64_t *del)
{
	if (!run->walked[t] || now >= run->due_ns[t])
		return true;
	if (!live)
		return false;
	return t != WL_T_CONNS || ins[t] != run->walk_ins[t] ||
	       del[t] != run->walk_del[t];
}

int wl_sweep(struct wl_run *run, uint64_t clock_ns, unsigned int tables,
	     int eof)
{
	struct wl_sweep_io *io = &run->skel->bss->wl_sweep_io;
	int fd = bpf_program__fd(run->skel->progs.wirelat_sweep);
	uint64_t ins[WL_T_MAX] = { 0 }, del[WL_T_MAX] = { 0 };
	uint64_t ins_after[WL_T_MAX] = { 0 };
	/* tombstones ended before and after the walk (see evictions below) */
	uint64_t tout0[WL_T_MAX] = { 0 }, tout1[WL_T_MAX] = { 0 };
	int t, slot, err = 0, drained, runs = 0;
	/* the counters: for the live walk rule, and for evictions where the
	 * kernel cannot count the entries (offline they cost a copy of every
	 * CPU's counters each second of capture) */
	bool counts = !clock_ns || !io->evicted_known;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (counts)
		err = table_counts(run, ins, del, tout0);
	for (t = 0; !err && !eof && t < WL_T_MAX; t++)
		if ((tables & (1u << t)) &&
		    !walk_needed(run, t, clock_ns ?: monotonic_ns(), !clock_ns,
				 ins, del))
			tables &= ~(1u << t);
	/* offline nothing is due: the gauges are read at the end of file */
	if (clock_ns && !eof && !tables && io->evicted_known)
		return 0;
	for (;;) {
		LIBBPF_OPTS(bpf_test_run_opts, topts);

		err = wl_count_run(run);
		if (err)
			return err;

		/* the program sees these before it runs: the run is a syscall */
		memset(io->entries, 0, sizeof(io->entries));
		memset(io->tombs, 0, sizeof(io->tombs));
		io->clock_ns = clock_ns;
		io->tables = tables;
		io->eof = eof;
		io->more = 0;
		if (bpf_prog_test_run_opts(fd, &topts)) {
			err = -errno;
			pr_warn("running the sweep program failed: %s\n",
				strerror(-err));
			return err;
		}
		runs++;
		if (!io->more)
			break;
		/* the ring is nearly full: let it drain, then walk again */
		drained = run->drain(run);
		if (drained)
			return drained;
	}
	/* the entries gauge: what is left now, every table, walked or not */
	if (!err)
		err = wl_count_run(run);
	if (!err && counts)
		err = table_counts(run, ins_after, del, tout1);
	for (t = 0; !err && t < WL_T_MAX; t++) {
		if (!(tables & (1u << t)))
			continue;
		run->walked[t] = true;
		run->walk_ins[t] = ins_after[t];
		run->walk_del[t] = del[t];
		run->due_ns[t] = io->due_ns[t];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (t = 0; t < WL_T_MAX; t++) {
		bool walked = tables & (1u << t);
		uint64_t n = 0;
		int64_t ev;

		for (slot = 0; walked && slot < WL_NSLOTS; slot++) {
			n += io->entries[t][slot];
			run->table_slot_entries[t][slot] = io->entries[t][slot];
		}
		if (io->evicted_known)	/* the kernel's count, every sweep */
			run->table_entries[t] = io->live[t];
		else if (walked)
			run->table_entries[t] = n;
		/*
		 * Evictions of entries still open (DESIGN.md): every entry
		 * went in by an insert the programs counted, and left by a
		 * delete they counted or by the LRU; a tombstone (its
		 * measurement over, kept for late or duplicate detection)
		 * counts as left when it is made, and the walk's tombstones
		 * (io->tombs) as still there: so the LRU pushing out a
		 * tombstone is no eviction. Where tombstones live (handshakes,
		 * queries) only a walk can say how many are left.
		 * wirelat_count counts them exactly where the kernel has
		 * bpf_map_sum_elem_count (wl_count_evictions()). Else from
		 * the walk: with inserts read before it and deletes after,
		 * inserts - deletes - entries never counts more than the LRU
		 * removed, and equals it when the table was quiet during the
		 * walk (traffic meanwhile makes it lag until a quiet walk).
		 * Either way never more: the running maximum is the count.
		 */
		if (io->evicted_known && (walked || t == WL_T_CONNS))
			ev = io->evicted[t] + (int64_t)io->tombs[t];
		else if (!io->evicted_known && walked && !err)
			ev = (int64_t)(ins[t] - del[t] - n + io->tombs[t]);
		else
			continue;
		/*
		 * Live, packets end tombstones while the walk runs (a late
		 * SYN-ACK, a resumed attempt): one the walk counted left and a
		 * packet ended before the count would count as evicted, and
		 * the running maximum would keep it. So the tombstones ended
		 * meanwhile come off: a count short of the LRU's until a walk
		 * during which none ended, never above it. Offline nothing
		 * runs beside the walk: exact. (Live the counters are always
		 * read, before the first count and after the last: the
		 * difference covers every ending between them.)
		 */
		if (!clock_ns && tout1[t] > tout0[t])
			ev -= (int64_t)(tout1[t] - tout0[t]);
		if (ev > (int64_t)run->table_evictions[t])
			run->table_evictions[t] = ev;
	}
	if (tables & (1u << WL_T_CONNS))	/* the long walk: -v shows it */
		pr_debug("sweep: %llu connections, %llu handshakes, %llu queries walked in %.1f ms (%d runs)\n",
			 (unsigned long long)run->table_entries[WL_T_CONNS],
			 (unsigned long long)run->table_entries[WL_T_HANDSHAKES],
			 (unsigned long long)run->table_entries[WL_T_DNS],
			 (t1.tv_sec - t0.tv_sec) * 1e3 +
				 (t1.tv_nsec - t0.tv_nsec) / 1e6,
			 runs);
	return runs;
}
