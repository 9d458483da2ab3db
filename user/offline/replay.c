// SPDX-License-Identifier: BSD-3-Clause
/*
 * replay.c - every packet, in file order, through the XDP program with
 * BPF_PROG_TEST_RUN, up to WL_BATCH_MAX frames per call (a call costs
 * more than the program: see struct wl_batch). With each frame go the
 * capture's timestamp (the time the packet is measured at, and the clock
 * its flow's timeouts are judged by) and its wire length, so the code path
 * is the one that runs on the NIC. The sweep program runs by the
 * same clock whenever the capture's time passes another second; where the time
 * jumps backwards (files of other dates merged) it first runs by the time
 * before the jump, and nothing opened later expires early. At end of file
 * it runs by the highest timestamp.
 *
 * Records come off the ring into the reorder buffer (reorder.c), a sweep's
 * sorted in after it, and the buffer goes to the writer's thread
 * (writer.c) at every sweep. -j 1 is wl_replay_capture() on this thread;
 * with -j N each shard's thread runs the same replay on its frames, and
 * its records go to the merger instead (struct wl_replay's hand).
 */
#define _GNU_SOURCE	/* sched_setaffinity, sched_getcpu */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <sched.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "kernel/sweep.h"
#include "offline/replay.h"
#include "output/record_copy.h"
#include "output/records.h"
#include "wirelat.skel.h"

#define SWEEP_EVERY_NS 1000000000ULL

void wl_replay_print(void *ctx, const struct wl_record *r)
{
	struct wl_run *run = ctx;

	wl_output_record(&run->out, r);
}

static void emit_buffered(struct wl_run *run, const struct wl_record *r)
{
	struct wl_replay *rp = run->emit_ctx;

	if (wl_reorder_add(&rp->ro, r))
		rp->err = -ENOMEM;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct wl_run *run = ctx;
	struct wl_replay *rp = run->emit_ctx;
	struct wl_record r;

	if (!wl_record_copy(&r, data, size))
		return 0;
	if (rp->in_sweep) {
		if (wl_reorder_append(&rp->swept, &r))
			rp->err = -ENOMEM;
	} else {
		run->emit(run, &r);
	}
	return 0;
}

static int drain_ring(struct wl_run *run)
{
	struct wl_replay *rp = run->emit_ctx;
	int n = ring_buffer__consume(rp->rb);

	return n < 0 ? n : 0;
}

/*
 * BPF_PROG_TEST_RUN takes an XDP frame of about a page plus 17 fragment
 * pages (~73 kB here) and refuses a longer one (ENOMEM, EINVAL or E2BIG):
 * a BIG TCP or GRO super-frame of a capture taken on a host. That frame
 * is counted `truncated` (the program could not see it whole) and the
 * replay goes on; a refusal of a page-sized frame is a real failure.
 */
#define WL_REPLAY_PAGE 4096

static int frame_refused(struct wl_replay *rp, size_t len, int err)
{
	if (len <= WL_REPLAY_PAGE ||
	    (err != -ENOMEM && err != -EINVAL && err != -E2BIG))
		return err;
	static int warned;

	if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
		pr_warn("%s: a %zu-byte frame is longer than BPF_PROG_TEST_RUN accepts: counted as truncated (and any further one)\n",
			rp->run->cfg->read_file, len);
	rp->run->ustats[0].packets[WL_DIR_INGRESS][WL_PKT_TRUNCATED]++;
	return 0;
}

/*
 * Run the frames wl_batch describes, packed in @size bytes at @data;
 * their records go to the reorder buffer.
 */
static int run_frames(struct wl_replay *rp, const uint8_t *data, size_t size)
{
	struct wl_batch *b = &rp->run->skel->bss->wl_batch;
	uint32_t n = b->n;
	int err;
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	if (!n)
		return rp->err;
	topts.data_in = data;
	topts.data_size_in = size;
	topts.repeat = 1;
	err = bpf_prog_test_run_opts(rp->batch_fd, &topts);
	if (err && n == 1) {
		err = frame_refused(rp, size, -errno);
		if (err)
			pr_warn("BPF_PROG_TEST_RUN failed on a %zu-byte frame: %s\n",
				size, strerror(-err));
	} else if (err) {
		err = -errno;
		pr_warn("BPF_PROG_TEST_RUN failed on a batch of %u frames (%zu bytes): %s\n",
			n, size, strerror(-err));
	} else if (b->done != n) {
		err = -EIO;
		pr_warn("the batch program ran %u of %u frames (%zu bytes)\n",
			b->done, n, size);
	}
	b->n = 0;
	rp->ran = n;
	rp->cursor = 0;
	ring_buffer__consume(rp->rb);
	if (err && !rp->err)
		rp->err = err;
	return rp->err;
}

int wl_replay_batch(struct wl_replay *rp)
{
	size_t used = rp->batch_used;

	rp->batch_used = 0;
	return run_frames(rp, rp->batch + WL_BATCH_BYTES - used, used);
}

/* Add a frame of @len bytes to the batch, running it first if full. */
static int batch_frame(struct wl_replay *rp, const uint8_t *data, size_t len,
		       uint64_t ts, uint32_t wire_len, uint64_t seq)
{
	struct wl_batch *b = &rp->run->skel->bss->wl_batch;
	struct wl_batch_frame *f;
	int err;

	if (b->n == WL_BATCH_MAX || rp->batch_used + len > WL_BATCH_BYTES) {
		err = wl_replay_batch(rp);
		if (err)
			return err;
	}
	rp->batch_used += len;
	memcpy(rp->batch + WL_BATCH_BYTES - rp->batch_used, data, len);
	rp->seq[b->n] = seq;
	f = &b->f[b->n++];
	f->now_ns = ts;
	f->clock_ns = rp->sc.clock_ns;
	f->len = len;
	f->wire_len = wire_len;
	return 0;
}

/* A frame too long to batch: a batch of its own (the rest in fragments). */
static int replay_alone(struct wl_replay *rp, const uint8_t *data, size_t len,
			uint64_t ts, uint32_t wire_len, uint64_t seq)
{
	struct wl_batch_frame *f = &rp->run->skel->bss->wl_batch.f[0];
	int err = wl_replay_batch(rp);

	if (err)
		return err;
	f->now_ns = ts;
	f->clock_ns = rp->sc.clock_ns;
	f->len = len;
	f->wire_len = wire_len;
	rp->seq[0] = seq;
	rp->run->skel->bss->wl_batch.n = 1;
	return run_frames(rp, data, len);
}

int wl_replay_frame(struct wl_replay *rp, const uint8_t *data, size_t len,
		    uint64_t ts, uint32_t wire_len, uint64_t seq)
{
	if (len > WL_BATCH_BYTES)
		return replay_alone(rp, data, len, ts, wire_len, seq);
	return batch_frame(rp, data, len, ts, wire_len, seq);
}

void wl_replay_sweep(struct wl_replay *rp, uint64_t clock, int eof)
{
	struct wl_reorder *sw = &rp->swept;
	int err;

	wl_replay_batch(rp);	/* the frames before the sweep's time first */
	rp->in_sweep = 1;
	err = wl_sweep(rp->run, clock, WL_SWEEP_ALL, eof);
	ring_buffer__consume(rp->rb);
	rp->in_sweep = 0;
	if (err < 0 && !rp->err)
		rp->err = err;
	wl_reorder_sort(sw);
	if (rp->hand)	/* -j: merged with the other shards' first */
		rp->hand(rp, 1);
	else
		rp->err = wl_writer_hand_swept(&rp->writer, &rp->ro, sw,
					       rp->err);
}

/*
 * Before the packet at @ts: expire what its time has passed (DESIGN.md,
 * "Offline input": judged by the packet being processed). A jump back by
 * more than a sweep interval (files of other dates merged) first settles
 * what the time before the jump passed, then sweeps follow the new time.
 * Smaller steps back (frames of several interfaces interleaved a little
 * out of order, common in pcapng) keep the sweep cadence: a sweep at each
 * would walk every table per frame.
 */
int wl_replay_sweep_due(struct wl_sweep_clock *sc, uint64_t ts,
			uint64_t *clock)
{
	int due = 0;

	if (sc->last_ts_ns && ts + SWEEP_EVERY_NS < sc->last_ts_ns) {
		*clock = sc->last_ts_ns;
		due = 1;
		sc->next_sweep_ns = ts + SWEEP_EVERY_NS;
	} else if (ts >= sc->next_sweep_ns) {
		*clock = ts;
		due = 1;
		sc->next_sweep_ns = ts + SWEEP_EVERY_NS;
	}
	sc->last_ts_ns = ts;
	if (ts > sc->clock_ns)
		sc->clock_ns = ts;
	return due;
}

static void sweep_before(struct wl_replay *rp, uint64_t ts)
{
	uint64_t clock;

	if (wl_replay_sweep_due(&rp->sc, ts, &clock))
		wl_replay_sweep(rp, clock, 0);
	wl_sweep_frame_seen(rp->run, ts);
}

static int replay_packet(struct wl_replay *rp, const struct pcap_pkthdr *h,
			 const uint8_t *bytes)
{
	uint64_t ts = wl_capture_ts(h);
	uint32_t wire_len;
	size_t len;
	int ok;

	sweep_before(rp, ts);
	ok = wl_capture_to_eth(&rp->eth, rp->run, h, bytes, &len, &wire_len);
	if (ok <= 0)
		return ok;
	return wl_replay_frame(rp, rp->eth.buf, len, ts, wire_len, 0);
}

/*
 * End of file: report what has passed its timeout by the last clock,
 * then close what is still open.
 */
void wl_replay_eof(struct wl_replay *rp)
{
	wl_replay_sweep(rp, rp->sc.clock_ns, 0);
	wl_replay_sweep(rp, rp->sc.clock_ns, 1);
}

int wl_replay_open(struct wl_replay *rp, struct wl_run *run)
{
	int err;

	rp->run = run;
	rp->batch_fd = bpf_program__fd(run->skel->progs.wirelat_batch);
	run->emit = emit_buffered;
	run->emit_ctx = rp;
	run->drain = drain_ring;
	rp->rb = ring_buffer__new(bpf_map__fd(run->skel->maps.records),
				  on_record, run, NULL);
	if (!rp->rb) {
		err = -errno;
		pr_warn("failed to open the record ring buffer: %s\n",
			strerror(-err));
		return err;
	}
	return 0;
}

void wl_replay_close(struct wl_replay *rp)
{
	wl_reorder_free(&rp->ro);
	ring_buffer__free(rp->rb);
	rp->rb = NULL;
	wl_reorder_free(&rp->swept);
	free(rp->eth.buf);
	rp->eth.buf = NULL;
}

/*
 * The replay (this thread, not the writer started before) stays on the
 * CPU it runs on: an LRU table takes free entries from per-CPU lists, so
 * under eviction pressure which entry goes depends on the CPU each program
 * run lands on, and two runs on one file must print the same lines.
 */
static void stay_on_one_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		pr_debug("could not pin the replay to CPU %d: %s\n", cpu,
			 strerror(errno));
}

int wl_replay_capture(struct wl_run *run, struct wl_capture *pc,
		      const char *path)
{
	struct wl_replay rp = { .run = run };
	struct pcap_pkthdr *h;
	const uint8_t *bytes;
	uint64_t n = 0;
	int err, rc;

	rp.eth.dlt = wl_capture_datalink(pc);
	err = wl_replay_open(&rp, run);
	if (err)
		goto out;
	if (wl_writer_start(&rp.writer, wl_replay_print, run))
		pr_debug("no output thread: records are written in line\n");
	stay_on_one_cpu();

	while ((rc = wl_capture_next(pc, &h, &bytes)) == 1) {
		err = replay_packet(&rp, h, bytes);
		if (err)
			goto out;
		/* `wirelat -r ... | head`: the reader is gone */
		if (__atomic_load_n(&run->out.broken, __ATOMIC_RELAXED))
			goto out;
		if (!(++n & 0xfff))
			wl_capture_progress(pc, path, n, 0);
	}
	wl_capture_progress(pc, path, n, 1);
	if (rc == PCAP_ERROR) {
		/* keep what was measured, then say what is wrong */
		wl_replay_batch(&rp);
		wl_writer_hand(&rp.writer, &rp.ro);
		wl_writer_stop(&rp.writer);
		wl_capture_read_error(pc, path);
		err = -EIO;
		goto out;
	}
	wl_replay_eof(&rp);
	err = rp.err;
out:
	wl_writer_hand(&rp.writer, &rp.ro);
	wl_writer_stop(&rp.writer);
	wl_replay_close(&rp);
	return err;
}
