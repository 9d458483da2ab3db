// SPDX-License-Identifier: BSD-3-Clause
/*
 * offline.c - -r FILE: every packet, in file order, through the XDP program
 * with BPF_PROG_TEST_RUN, up to WL_BATCH_MAX frames per call (a call costs
 * more than the program: see struct wl_batch). With each frame go the
 * capture's timestamp (the time the packet is measured at, and the clock
 * its flow's timeouts are judged by) and its wire length, so the code path
 * is the one that runs on the NIC. The sweep program runs by the
 * same clock whenever the capture's time passes another second; where the time
 * jumps backwards (files of other dates merged) it first runs by the time
 * before the jump, and nothing opened later expires early. At end of file
 * it runs by the highest timestamp.
 *
 * -j N (N > 1): the same replay split by flow (user/shard.c) across N
 * threads, each with a BPF object of its own (tables 1/N of the sizes
 * asked), fed by this thread in file order with the same sweeps at the
 * same points; their records merged back into the order one replay gives
 * (see struct shard).
 */
#define _GNU_SOURCE	/* sched_setaffinity, sched_getcpu */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <sched.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/mman.h>
#include <pcap/pcap.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/hugebuf.h"
#include "offline/linktype.h"
#include "core/log.h"
#include "offline/offline.h"
#include "offline/reorder.h"
#include "offline/shard.h"
#include "offline/writer.h"
#include "kernel/load.h"
#include "output/records.h"
#include "kernel/sweep.h"
#include "wirelat.skel.h"

#define SWEEP_EVERY_NS 1000000000ULL
#define ETH_HLEN 14

struct shard;

/* When the sweep runs: the same points in the file however many shards. */
struct sweep_clock {
	uint64_t clock_ns;	/* the highest timestamp so far */
	uint64_t last_ts_ns;	/* the previous packet's */
	uint64_t next_sweep_ns;
};

struct replay {
	struct wl_run *run;
	struct shard *sh;	/* -j: the shard this replay is, else NULL */
	struct wl_reorder ro;
	struct ring_buffer *rb;
	int batch_fd;		/* the batch entry point */
	int dlt;
	uint8_t *frame;
	size_t frame_cap;
	/* the batch: frames packed from the end of the buffer, the first
	 * last; their times and lengths in the object's wl_batch */
	uint8_t batch[WL_BATCH_BYTES];
	size_t batch_used;
	uint64_t seq[WL_BATCH_MAX];	/* -j: each batched frame's place */
	uint32_t ran;		/* frames of the batch just run */
	uint32_t cursor;	/* -j: the frame whose records come next */
	struct sweep_clock sc;
	/* records of one sweep, put in a stable order before the reorder
	 * buffer: a walk follows the hash table's order, not the file's */
	int in_sweep;
	struct wl_reorder swept;
	struct wl_writer writer;	/* formats and writes the flushed records */
	int err;
};

static void print_record(void *ctx, const struct wl_record *r)
{
	struct wl_run *run = ctx;

	wl_output_record(&run->out, r);
}

static void emit_buffered(struct wl_run *run, const struct wl_record *r)
{
	struct replay *rp = run->emit_ctx;

	if (wl_reorder_add(&rp->ro, r))
		rp->err = -ENOMEM;
}

static int keep_swept(struct replay *rp, const struct wl_record *r)
{
	struct wl_reorder *sw = &rp->swept;

	if (wl_hugebuf_reserve((void **)&sw->recs, &sw->cap, sw->n + 1,
			       sizeof(*r)))
		return -ENOMEM;
	sw->recs[sw->n++] = *r;
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct wl_run *run = ctx;
	struct replay *rp = run->emit_ctx;
	struct wl_record r;

	if (!wl_record_copy(&r, data, size))
		return 0;
	if (rp->in_sweep) {
		if (keep_swept(rp, &r))
			rp->err = -ENOMEM;
	} else {
		run->emit(run, &r);
	}
	return 0;
}

/* By time, then by what the record is about: two runs, one order. */
static int by_ts_and_key(const void *a, const void *b)
{
	const struct wl_record *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->type == WL_REC_DNS_TIMEOUT && x->dns.id != y->dns.id)
		return x->dns.id < y->dns.id ? -1 : 1;
	return memcmp(&x->ifindex, &y->ifindex,
		      offsetof(struct wl_record, syn_retransmits) -
			      offsetof(struct wl_record, ifindex));
}

static int drain_ring(struct wl_run *run)
{
	struct replay *rp = run->emit_ctx;
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

static int frame_refused(struct replay *rp, size_t len, int err)
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
static int run_frames(struct replay *rp, const uint8_t *data, size_t size)
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

/* Run the frames batched so far. */
static int run_batch(struct replay *rp)
{
	size_t used = rp->batch_used;

	rp->batch_used = 0;
	return run_frames(rp, rp->batch + WL_BATCH_BYTES - used, used);
}

/* Add a frame of @len bytes to the batch, running it first if full. */
static int batch_frame(struct replay *rp, const uint8_t *data, size_t len,
		       uint64_t ts, uint32_t wire_len, uint64_t seq)
{
	struct wl_batch *b = &rp->run->skel->bss->wl_batch;
	struct wl_batch_frame *f;
	int err;

	if (b->n == WL_BATCH_MAX || rp->batch_used + len > WL_BATCH_BYTES) {
		err = run_batch(rp);
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

/*
 * A sweep's records @sw (sorted) after the records buffered in @ro: the
 * timeouts among them, the rest handed on after them as it is (no copy of
 * a big end of file's closes); both handed to @w, both left empty.
 */
static int flush_swept(struct wl_reorder *ro, struct wl_reorder *sw,
		       struct wl_writer *w, int err)
{
	size_t rest;

	if (wl_reorder_add_sorted(ro, sw->recs, sw->n, &rest))
		err = -ENOMEM;
	wl_writer_hand(w, ro);
	if (!err && rest < sw->n) {
		memmove(sw->recs, sw->recs + rest,
			(sw->n - rest) * sizeof(*sw->recs));
		sw->n -= rest;
		wl_writer_hand(w, sw);  /* sw: the writer's, empty */
	}
	sw->n = 0;
	return err;
}

static void shard_hand(struct replay *rp, int swept);

static void sweep_and_flush(struct replay *rp, uint64_t clock, int eof)
{
	struct wl_reorder *sw = &rp->swept;
	int err;

	run_batch(rp);	/* the frames before the sweep's time first */
	rp->in_sweep = 1;
	err = wl_sweep(rp->run, clock, WL_SWEEP_ALL, eof);
	ring_buffer__consume(rp->rb);
	rp->in_sweep = 0;
	if (err < 0 && !rp->err)
		rp->err = err;
	if (sw->n)	/* recs is NULL until the first: qsort wants memory */
		qsort(sw->recs, sw->n, sizeof(*sw->recs), by_ts_and_key);
	if (rp->sh)	/* -j: merged with the other shards' first */
		shard_hand(rp, 1);
	else
		rp->err = flush_swept(&rp->ro, sw, &rp->writer, rp->err);
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
static int sweep_due(struct sweep_clock *sc, uint64_t ts, uint64_t *clock)
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

static void sweep_before(struct replay *rp, uint64_t ts)
{
	uint64_t clock;

	if (sweep_due(&rp->sc, ts, &clock))
		sweep_and_flush(rp, clock, 0);
	wl_sweep_frame_seen(rp->run, ts);
}

/* What to do about libpcap's read error @msg, if wirelat knows. */
static const char *read_error_advice(const char *msg)
{
	/* a pcapng of interfaces of several link types (Wireshark writes
	 * them): libpcap refuses the second type's interface description */
	if (strstr(msg, "different from the type of"))
		return " (libpcap reads one link type per file, and no common tool splits such a pcapng: capture each interface to a file of its own, e.g. one tcpdump -i IF -w IF.pcap per interface)";
	return "";
}

/*
 * Count a frame the program cannot be given: its link-layer header is not
 * whole. Cut off by the capture's snaplen (the wire had more), it is
 * `truncated`, as a cut IP or TCP header is (DESIGN.md); a frame that was
 * that short on the wire is malformed (`eth_short`).
 */
static void count_short(struct wl_run *run, const struct pcap_pkthdr *h)
{
	if (h->caplen < h->len) {
		run->ustats[0].packets[WL_DIR_INGRESS][WL_PKT_TRUNCATED]++;
		return;
	}
	run->ustats[0].packets[WL_DIR_INGRESS][WL_PKT_MALFORMED]++;
	run->ustats[0].malformed[WL_MAL_ETH_SHORT]++;
}

/* A frame too long to batch: a batch of its own (the rest in fragments). */
static int replay_alone(struct replay *rp, const uint8_t *data, size_t len,
			uint64_t ts, uint32_t wire_len, uint64_t seq)
{
	struct wl_batch_frame *f = &rp->run->skel->bss->wl_batch.f[0];
	int err = run_batch(rp);

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

/* A frame of @len bytes at @data through the program, @seq-th in the file. */
static int replay_frame(struct replay *rp, const uint8_t *data, size_t len,
			uint64_t ts, uint32_t wire_len, uint64_t seq)
{
	if (len > WL_BATCH_BYTES)
		return replay_alone(rp, data, len, ts, wire_len, seq);
	return batch_frame(rp, data, len, ts, wire_len, seq);
}

/*
 * The capture's frame as Ethernet in rp->frame: 1 with its *@len and
 * *@wire_len, 0 when it is too short to hand on (counted), or -ENOMEM.
 */
static int to_ethernet(struct replay *rp, const struct pcap_pkthdr *h,
		       const uint8_t *bytes, size_t *len, uint32_t *wire_len)
{
	long adjust;

	if (h->caplen + ETH_HLEN > rp->frame_cap) {
		size_t cap = h->caplen + ETH_HLEN;
		uint8_t *p = realloc(rp->frame, cap);

		if (!p)
			return -ENOMEM;
		rp->frame = p;
		rp->frame_cap = cap;
	}
	if (wl_linktype_to_eth(rp->dlt, bytes, h->caplen, rp->frame, len,
			       &adjust) ||
	    *len < ETH_HLEN) {
		count_short(rp->run, h);
		return 0;
	}
	*wire_len = (long)h->len + adjust > (long)*len ?
			    (uint32_t)((long)h->len + adjust) :
			    (uint32_t)*len;
	return 1;
}

static uint64_t ts_of(const struct pcap_pkthdr *h)
{
	return (uint64_t)h->ts.tv_sec * 1000000000ULL + h->ts.tv_usec;
}

static int replay_packet(struct replay *rp, const struct pcap_pkthdr *h,
			 const uint8_t *bytes)
{
	uint64_t ts = ts_of(h);
	uint32_t wire_len;
	size_t len;
	int ok;

	sweep_before(rp, ts);
	ok = to_ethernet(rp, h, bytes, &len, &wire_len);
	if (ok <= 0)
		return ok;
	return replay_frame(rp, rp->frame, len, ts, wire_len, 0);
}

/*
 * The capture read and the records written in 1 MB blocks: with stdio's
 * 4 kB, a read() or write() a page was a tenth of a big replay (a syscall
 * costs microseconds on a VM). stdio takes a size only with a buffer:
 * these live as long as the streams.
 */
#define WL_IO_BUF (1u << 20)
static char read_buf[WL_IO_BUF], write_buf[WL_IO_BUF];

static int open_capture(const char *path, pcap_t **out)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc;
	FILE *f;
	int dlt;

	f = fopen(path, "rb");
	if (!f) {
		int err = -errno;

		pr_warn("%s: cannot open: %s\n", path, strerror(-err));
		return err;
	}
	setvbuf(f, read_buf, _IOFBF, sizeof(read_buf));
	pc = pcap_fopen_offline_with_tstamp_precision(
		f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		fclose(f);
		pr_warn("%s: not a readable pcap or pcapng file: %s\n", path,
			errbuf);
		return -EINVAL;
	}
	dlt = pcap_datalink(pc);
	if (!wl_linktype_supported(dlt)) {
		pr_warn("%s: link type %s (%d) is not supported; use Ethernet, Linux cooked (SLL/SLL2) or raw IP\n",
			path, pcap_datalink_val_to_name(dlt) ?: "unknown", dlt);
		pcap_close(pc);
		return -EPROTONOSUPPORT;
	}
	*out = pc;
	return 0;
}

/*
 * On a terminal, a line on stderr saying how far the replay got, redrawn
 * at most twice a second; @done clears it.
 */
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

static void progress(pcap_t *pc, const char *path, uint64_t n, int done)
{
	static struct timespec last;
	static off_t size = -1;
	struct timespec now;
	struct stat sb;
	FILE *f;

	if (!isatty(STDERR_FILENO))
		return;
	if (done) {
		if (size >= 0)
			fputs("\r\033[K", stderr);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec * 1000 + now.tv_nsec / 1000000 <
	    last.tv_sec * 1000 + last.tv_nsec / 1000000 + 500)
		return;
	last = now;
	if (size < 0)
		size = stat(path, &sb) ? 0 : sb.st_size;
	f = pcap_file(pc);
	if (f && size > 0)
		fprintf(stderr, "\rwirelat: %s: %llu packets, %.0f%%", path,
			(unsigned long long)n, 100.0 * ftello(f) / size);
	else
		fprintf(stderr, "\rwirelat: %s: %llu packets", path,
			(unsigned long long)n);
}

/*
 * End of file: report what has passed its timeout by the last clock,
 * then close what is still open.
 */
static void replay_eof(struct replay *rp)
{
	sweep_and_flush(rp, rp->sc.clock_ns, 0);
	sweep_and_flush(rp, rp->sc.clock_ns, 1);
}

/* Ready @rp to replay through @run's loaded programs. */
static int replay_open(struct replay *rp, struct wl_run *run)
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

static void replay_close(struct replay *rp)
{
	wl_reorder_free(&rp->ro);
	ring_buffer__free(rp->rb);
	rp->rb = NULL;
	wl_reorder_free(&rp->swept);
	free(rp->frame);
	rp->frame = NULL;
}

/* -j 1: every frame through one program, on this thread. */
static int replay_one(struct wl_run *run, pcap_t *pc, const char *path)
{
	struct replay rp = { .run = run };
	struct pcap_pkthdr *h;
	const u_char *bytes;
	uint64_t n = 0;
	int err, rc;

	rp.dlt = pcap_datalink(pc);
	err = replay_open(&rp, run);
	if (err)
		goto out;
	if (wl_writer_start(&rp.writer, print_record, run))
		pr_debug("no output thread: records are written in line\n");
	stay_on_one_cpu();

	while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
		err = replay_packet(&rp, h, bytes);
		if (err)
			goto out;
		/* `wirelat -r ... | head`: the reader is gone */
		if (__atomic_load_n(&run->out.broken, __ATOMIC_RELAXED))
			goto out;
		if (!(++n & 0xfff))
			progress(pc, path, n, 0);
	}
	progress(pc, path, n, 1);
	if (rc == PCAP_ERROR) {
		/* keep what was measured, then say what is wrong */
		run_batch(&rp);
		wl_writer_hand(&rp.writer, &rp.ro);
		wl_writer_stop(&rp.writer);
		pr_warn("%s: %s%s\n", path, pcap_geterr(pc),
			read_error_advice(pcap_geterr(pc)));
		err = -EIO;
		goto out;
	}
	replay_eof(&rp);
	err = rp.err;
out:
	wl_writer_hand(&rp.writer, &rp.ro);
	wl_writer_stop(&rp.writer);
	replay_close(&rp);
	return err;
}

/*
 * -j N: this thread reads the capture and hands each frame, by the hash
 * of its flow, to one of N shards, each a thread with a loaded BPF object
 * of its own replaying its frames exactly as the single replay does (the
 * same batches, sweeps at the same points of the file, the same end of
 * file: the reader sends every shard each sweep). A flow's state lives in
 * one shard, so each flow gets the records it gets in one replay. Their
 * order: in one replay, records come off the ring in the order of the
 * frames that wrote them, then go through the reorder buffer, and a
 * sweep's are sorted in. So each shard tags a record with its frame's
 * place in the file (the batch program leaves the ring's producer
 * position after each frame, ring_pos, to tell which frame wrote it) and
 * hands its records up to each sweep, and the sweep's, to the merger
 * thread, which takes them in file order into the reorder buffer, sorts
 * the sweeps' together, and hands the result to the writer: the lines
 * one replay prints, in its order. Tables are each 1/N of the size asked
 * (together the same memory); only when they fill up (LRU evictions) can
 * the records differ from -j 1's.
 */
#define BLOCK_BYTES (1u << 20)
#define BLOCKS_QUEUED 8		/* per shard: how far the reader runs ahead */

enum { ITEM_FRAME, ITEM_SWEEP, ITEM_EOF, ITEM_STOP };

struct item {
	uint32_t kind;
	uint32_t len;		/* frame: its bytes, after this header */
	uint32_t wire_len;
	uint32_t pad;
	uint64_t seq;		/* frame: its place in the file */
	uint64_t ts;		/* frame: its time; sweep: the clock */
	uint64_t clock;		/* frame and end of file: highest time so far */
};

struct block {
	struct block *next;
	size_t used, cap;
	uint8_t data[];
};

struct tagged {
	uint64_t seq;		/* the frame that wrote it */
	struct wl_record r;
};

/* A shard's records up to a sweep, and the sweep's (sorted). */
struct part {
	struct part *next;
	struct tagged *recs;
	size_t n, cap;
	struct wl_reorder swept;
	int err;
};

struct fleet;

struct shard {
	struct fleet *fl;
	int id;
	struct wl_config cfg;	/* its tables' sizes */
	struct wl_run *run;
	struct replay rp;
	pthread_t thread;
	const volatile uint64_t *cons_pos;	/* the ring's consumer page */
	int loaded;		/* 1, or -errno: the load failed */
	bool done;		/* its last part handed */
	/* from the reader: blocks of items, in order */
	struct block *cur;	/* the reader's, being filled */
	struct block *q_head, *q_tail, *free_blocks;
	int queued;
	/* to the merger: parts, in order */
	struct part *part;	/* being filled */
	struct part *p_head, *p_tail, *free_parts;
};

struct fleet {
	pthread_mutex_t lock;	/* every queue; cond: any change */
	pthread_cond_t cond;
	struct shard *sh;
	int n;
	struct wl_writer writer;
	pthread_t merger;
	int err;		/* the first shard's error */
};

static struct part *shard_part(struct shard *s)
{
	struct part *p;

	if (s->part)
		return s->part;
	pthread_mutex_lock(&s->fl->lock);
	p = s->free_parts;
	if (p)
		s->free_parts = p->next;
	pthread_mutex_unlock(&s->fl->lock);
	if (!p)
		p = calloc(1, sizeof(*p));
	if (p) {
		p->next = NULL;
		p->n = 0;
		p->err = 0;
	}
	s->part = p;
	return p;
}

/* A record of the batch just run: tagged with the frame that wrote it. */
static void emit_tagged(struct wl_run *run, const struct wl_record *r)
{
	struct replay *rp = run->emit_ctx;
	struct shard *s = rp->sh;
	const struct wl_batch_frame *f = run->skel->bss->wl_batch.f;
	uint64_t pos = *s->cons_pos;	/* libbpf's: this record's start */
	struct part *p = shard_part(s);

	while (rp->cursor + 1 < rp->ran && f[rp->cursor].ring_pos <= pos)
		rp->cursor++;
	if (!p || wl_hugebuf_reserve((void **)&p->recs, &p->cap, p->n + 1,
				     sizeof(*p->recs))) {
		rp->err = -ENOMEM;
		return;
	}
	p->recs[p->n].seq = rp->seq[rp->cursor];
	p->recs[p->n++].r = *r;
}

/* The records since the last part, and the sweep's (@swept), to the merger. */
static void shard_hand(struct replay *rp, int swept)
{
	struct shard *s = rp->sh;
	struct part *p = shard_part(s);
	struct wl_reorder t;

	if (!p) {
		rp->err = -ENOMEM;
		return;
	}
	if (swept) {	/* the part's emptied buffer comes back to swept */
		t = p->swept;
		p->swept = rp->swept;
		rp->swept = t;
		rp->swept.n = 0;
	}
	p->err = rp->err;
	pthread_mutex_lock(&s->fl->lock);
	if (s->p_tail)
		s->p_tail->next = p;
	else
		s->p_head = p;
	s->p_tail = p;
	pthread_cond_broadcast(&s->fl->cond);
	pthread_mutex_unlock(&s->fl->lock);
	s->part = NULL;
}

/* Run a block's items; 1 when the last (end of file or stop) was among them. */
static int shard_items(struct shard *s, const struct block *b)
{
	struct replay *rp = &s->rp;
	size_t off = 0;

	while (off < b->used) {
		const struct item *it = (const void *)(b->data + off);

		off += sizeof(*it) + ((it->len + 7) & ~7u);
		switch (it->kind) {
		case ITEM_FRAME:
			rp->sc.clock_ns = it->clock;
			wl_sweep_frame_seen(s->run, it->ts);
			if (!rp->err)
				replay_frame(rp, (const uint8_t *)(it + 1),
					     it->len, it->ts, it->wire_len,
					     it->seq);
			break;
		case ITEM_SWEEP:
			sweep_and_flush(rp, it->ts, 0);
			break;
		case ITEM_EOF:
			rp->sc.clock_ns = it->clock;
			replay_eof(rp);
			return 1;
		case ITEM_STOP:	/* what was measured, no sweep */
			run_batch(rp);
			shard_hand(rp, 0);
			return 1;
		}
	}
	return 0;
}

/* Stay on one CPU of those this process may use (see stay_on_one_cpu()). */
static void pin_shard(int id)
{
	cpu_set_t allowed, set;
	int cpu, k = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return;
	id %= CPU_COUNT(&allowed);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed) || k++ != id)
			continue;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
			pr_debug("could not pin shard %d to CPU %d\n", id, cpu);
		return;
	}
}

static int shard_load(struct shard *s)
{
	long page = sysconf(_SC_PAGESIZE);
	void *cons;
	int err;

	err = wl_bpf_load(s->run, 1);
	if (err)
		return err;
	err = replay_open(&s->rp, s->run);
	if (err)
		return err;
	s->rp.sh = s;
	s->run->emit = emit_tagged;
	cons = mmap(NULL, page, PROT_READ, MAP_SHARED,
		    bpf_map__fd(s->run->skel->maps.records), 0);
	if (cons == MAP_FAILED) {
		err = -errno;
		pr_warn("failed to map the record ring's consumer page: %s\n",
			strerror(-err));
		return err;
	}
	s->cons_pos = cons;
	return 0;
}

static void *shard_main(void *arg)
{
	struct shard *s = arg;
	struct fleet *fl = s->fl;
	struct block *b;
	int last = 0, err;

	pin_shard(s->id);
	err = shard_load(s);
	pthread_mutex_lock(&fl->lock);
	s->loaded = err ? err : 1;
	pthread_cond_broadcast(&fl->cond);
	pthread_mutex_unlock(&fl->lock);
	while (!last) {
		pthread_mutex_lock(&fl->lock);
		while (!s->q_head)
			pthread_cond_wait(&fl->cond, &fl->lock);
		b = s->q_head;
		s->q_head = b->next;
		if (!s->q_head)
			s->q_tail = NULL;
		pthread_mutex_unlock(&fl->lock);
		if (err) {	/* not loaded: only the end is looked for */
			const struct item *it = (const void *)b->data;

			last = b->used && (it->kind == ITEM_EOF ||
					   it->kind == ITEM_STOP);
		} else {
			last = shard_items(s, b);
		}
		pthread_mutex_lock(&fl->lock);
		b->next = s->free_blocks;
		s->free_blocks = b;
		s->queued--;
		pthread_cond_broadcast(&fl->cond);
		pthread_mutex_unlock(&fl->lock);
	}
	pthread_mutex_lock(&fl->lock);
	if (s->rp.err && !fl->err)
		fl->err = s->rp.err;
	s->done = true;
	pthread_cond_broadcast(&fl->cond);
	pthread_mutex_unlock(&fl->lock);
	return NULL;
}

/* The reader: hand the block being filled to its shard. */
static void publish(struct shard *s)
{
	struct block *b = s->cur;

	if (!b || !b->used)
		return;
	pthread_mutex_lock(&s->fl->lock);
	b->next = NULL;
	if (s->q_tail)
		s->q_tail->next = b;
	else
		s->q_head = b;
	s->q_tail = b;
	pthread_cond_broadcast(&s->fl->cond);
	pthread_mutex_unlock(&s->fl->lock);
	s->cur = NULL;
}

/* The reader: room for @size bytes of items, waiting while the shard is behind. */
static void *room(struct shard *s, size_t size)
{
	struct block *b = s->cur;
	size_t cap;

	if (b && b->used + size <= b->cap)
		goto got;
	publish(s);
	pthread_mutex_lock(&s->fl->lock);
	while (s->queued >= BLOCKS_QUEUED)
		pthread_cond_wait(&s->fl->cond, &s->fl->lock);
	b = s->free_blocks;
	if (b && b->cap >= size)
		s->free_blocks = b->next;
	else
		b = NULL;
	s->queued++;
	pthread_mutex_unlock(&s->fl->lock);
	if (!b) {
		cap = size > BLOCK_BYTES ? size : BLOCK_BYTES;
		b = malloc(sizeof(*b) + cap);
		if (!b) {
			pthread_mutex_lock(&s->fl->lock);
			s->queued--;
			pthread_mutex_unlock(&s->fl->lock);
			return NULL;
		}
		b->cap = cap;
	}
	b->used = 0;
	s->cur = b;
got:
	b->used += size;
	return b->data + b->used - size;
}

static int push(struct shard *s, const struct item *it, const uint8_t *data)
{
	size_t size = sizeof(*it) + ((it->len + 7) & ~7u);
	uint8_t *p = room(s, size);

	if (!p)
		return -ENOMEM;
	memcpy(p, it, sizeof(*it));
	if (it->len)
		memcpy(p + sizeof(*it), data, it->len);
	return 0;
}

/* The reader: an item without a frame to every shard (each tried), at once. */
static int push_all(struct fleet *fl, const struct item *it)
{
	int i, err = 0, e;

	for (i = 0; i < fl->n; i++) {
		e = push(&fl->sh[i], it, NULL);
		if (e && !err)
			err = e;
		publish(&fl->sh[i]);
	}
	return err;
}

/*
 * The merger: the shards' parts in turn; the records of each in file
 * order into the reorder buffer, the sweeps' sorted after, as
 * sweep_and_flush() does with one replay's.
 */
static void *merger_main(void *arg)
{
	struct fleet *fl = arg;
	struct wl_reorder ro = { 0 }, sw = { 0 };
	struct part **parts = calloc(fl->n, sizeof(*parts));
	size_t *at = calloc(fl->n, sizeof(*at));
	int i, any, ready, err = 0;

	if (!parts || !at) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		pthread_mutex_lock(&fl->lock);
		for (;;) {
			for (i = 0, ready = 1, any = 0; i < fl->n; i++) {
				if (fl->sh[i].p_head)
					any = 1;
				else if (!fl->sh[i].done)
					ready = 0;
			}
			if (ready)
				break;
			pthread_cond_wait(&fl->cond, &fl->lock);
		}
		for (i = 0; i < fl->n; i++) {
			struct shard *s = &fl->sh[i];

			parts[i] = s->p_head;
			if (parts[i]) {
				s->p_head = parts[i]->next;
				if (!s->p_head)
					s->p_tail = NULL;
			}
			at[i] = 0;
		}
		pthread_mutex_unlock(&fl->lock);
		if (!any)
			break;
		for (;;) {	/* by the frame's place: few shards, a scan */
			struct tagged *min = NULL;
			int from = -1;

			for (i = 0; i < fl->n; i++)
				if (parts[i] && at[i] < parts[i]->n &&
				    (!min || parts[i]->recs[at[i]].seq < min->seq)) {
					min = &parts[i]->recs[at[i]];
					from = i;
				}
			if (!min)
				break;
			at[from]++;
			if (!err && wl_reorder_add(&ro, &min->r))
				err = -ENOMEM;
		}
		for (i = 0; i < fl->n; i++) {
			struct wl_reorder *ps = parts[i] ? &parts[i]->swept :
							   NULL;

			if (!ps || !ps->n)
				continue;
			if (!err && wl_hugebuf_reserve((void **)&sw.recs, &sw.cap,
						       sw.n + ps->n,
						       sizeof(*sw.recs)))
				err = -ENOMEM;
			if (!err)
				memcpy(sw.recs + sw.n, ps->recs,
				       ps->n * sizeof(*sw.recs));
			if (!err)
				sw.n += ps->n;
			ps->n = 0;
		}
		if (sw.n)
			qsort(sw.recs, sw.n, sizeof(*sw.recs), by_ts_and_key);
		err = flush_swept(&ro, &sw, &fl->writer, err);
		pthread_mutex_lock(&fl->lock);
		for (i = 0; i < fl->n; i++) {
			if (!parts[i])
				continue;
			if (parts[i]->err && !fl->err)
				fl->err = parts[i]->err;
			parts[i]->next = fl->sh[i].free_parts;
			fl->sh[i].free_parts = parts[i];
		}
		pthread_mutex_unlock(&fl->lock);
	}
out:
	wl_writer_hand(&fl->writer, &ro);
	pthread_mutex_lock(&fl->lock);
	if (err && !fl->err)
		fl->err = err;
	pthread_mutex_unlock(&fl->lock);
	wl_reorder_free(&ro);
	wl_reorder_free(&sw);
	free(parts);
	free(at);
	return NULL;
}

/* Table size @total split in @n, shard @i's share (together @total). */
static uint32_t share(uint32_t total, int i, int n)
{
	uint32_t v = total / n + ((uint32_t)i < total % n);

	return v ? v : 1;
}

static void shard_free(struct shard *s)
{
	struct block *b;
	struct part *p;

	replay_close(&s->rp);
	if (s->cons_pos)
		munmap((void *)s->cons_pos, sysconf(_SC_PAGESIZE));
	while ((b = s->free_blocks)) {
		s->free_blocks = b->next;
		free(b);
	}
	free(s->cur);
	for (p = s->part; p; p = NULL) {
		wl_hugebuf_free((void **)&p->recs, &p->cap, sizeof(*p->recs));
		wl_reorder_free(&p->swept);
		free(p);
	}
	while ((p = s->free_parts) || (p = s->p_head)) {
		if (p == s->free_parts)
			s->free_parts = p->next;
		else
			s->p_head = p->next;
		wl_hugebuf_free((void **)&p->recs, &p->cap, sizeof(*p->recs));
		wl_reorder_free(&p->swept);
		free(p);
	}
}

/* What the shards counted, into @run (the metrics read their maps). */
static void sum_shards(struct wl_run *run)
{
	int i, t, slot, d, k;

	for (i = 0; i < run->n_shards; i++) {
		struct wl_run *r = &run->shards[i];

		for (slot = 0; slot < WL_NSLOTS; slot++) {
			for (d = 0; d < WL_DIR_MAX; d++)
				for (k = 0; k < WL_PKT_MAX; k++)
					run->ustats[slot].packets[d][k] +=
						r->ustats[slot].packets[d][k];
			for (k = 0; k < WL_MAL_MAX; k++)
				run->ustats[slot].malformed[k] +=
					r->ustats[slot].malformed[k];
		}
		for (t = 0; t < WL_T_MAX; t++) {
			run->table_entries[t] += r->table_entries[t];
			run->table_evictions[t] += r->table_evictions[t];
			for (slot = 0; slot < WL_NSLOTS; slot++)
				run->table_slot_entries[t][slot] +=
					r->table_slot_entries[t][slot];
		}
	}
}

/*
 * Read the capture, frames to the shards; then the end of file to all (or
 * a stop: the output is gone, a shard failed, the file is bad: *@bad).
 */
static int read_frames(struct fleet *fl, struct wl_run *run, pcap_t *pc,
		       const char *path, int *bad)
{
	struct replay rd = { .run = run, .dlt = pcap_datalink(pc) };
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct item it;
	uint64_t n = 0, clock;
	size_t len;
	int err = 0, rc, ok;

	memset(&it, 0, sizeof(it));
	while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
		it.ts = ts_of(h);
		if (sweep_due(&rd.sc, it.ts, &clock)) {
			struct item sweep = { .kind = ITEM_SWEEP, .ts = clock };

			err = push_all(fl, &sweep);
			if (err)
				break;
		}
		ok = to_ethernet(&rd, h, bytes, &len, &it.wire_len);
		if (ok < 0) {
			err = ok;
			break;
		}
		if (ok) {
			it.kind = ITEM_FRAME;
			it.len = len;
			it.seq = n;
			it.clock = rd.sc.clock_ns;
			err = push(&fl->sh[wl_shard_hash(rd.frame, len) % fl->n],
				   &it, rd.frame);
			if (err)
				break;
		}
		if (__atomic_load_n(&run->out.broken, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&fl->err, __ATOMIC_RELAXED))
			break;
		if (!(++n & 0xfff))
			progress(pc, path, n, 0);
	}
	progress(pc, path, n, 1);
	memset(&it, 0, sizeof(it));
	it.kind = !err && rc == PCAP_ERROR_BREAK ? ITEM_EOF : ITEM_STOP;
	it.clock = rd.sc.clock_ns;
	push_all(fl, &it);
	free(rd.frame);
	*bad = !err && rc == PCAP_ERROR;
	return err;
}

static int replay_sharded(struct wl_run *run, pcap_t *pc, const char *path,
			  int n)
{
	struct fleet fl = { .n = n };
	int i, started = 0, err = 0, merger = 0, bad = 0;

	fl.sh = calloc(n, sizeof(*fl.sh));
	run->shards = calloc(n, sizeof(*run->shards));
	if (!fl.sh || !run->shards) {
		free(fl.sh);
		free(run->shards);
		run->shards = NULL;
		return -ENOMEM;
	}
	run->n_shards = n;
	pthread_mutex_init(&fl.lock, NULL);
	pthread_cond_init(&fl.cond, NULL);
	for (i = 0; i < n; i++) {
		struct shard *s = &fl.sh[i];

		s->fl = &fl;
		s->id = i;
		s->cfg = *run->cfg;
		s->cfg.max_flows = share(run->cfg->max_flows, i, n);
		s->cfg.max_dns = share(run->cfg->max_dns, i, n);
		s->cfg.max_conns = share(run->cfg->max_conns, i, n);
		s->run = &run->shards[i];
		*s->run = *run;
		s->run->cfg = &s->cfg;
		s->run->shards = NULL;
		s->run->n_shards = 0;
		s->run->who = NULL;
		s->run->skel = NULL;
		memset(s->run->ustats, 0, sizeof(s->run->ustats));
		if (pthread_create(&s->thread, NULL, shard_main, s)) {
			err = -EAGAIN;
			pr_warn("could not start replay thread %d of %d\n",
				i + 1, n);
			break;
		}
		started++;
	}
	/* every shard loaded before the first frame, or none replays */
	pthread_mutex_lock(&fl.lock);
	for (i = 0; i < started; i++) {
		while (!fl.sh[i].loaded)
			pthread_cond_wait(&fl.cond, &fl.lock);
		if (fl.sh[i].loaded < 0 && !err)
			err = fl.sh[i].loaded;
	}
	pthread_mutex_unlock(&fl.lock);
	if (!err) {
		if (wl_writer_start(&fl.writer, print_record, run))
			pr_debug("no output thread: records are written in line\n");
		if (pthread_create(&fl.merger, NULL, merger_main, &fl))
			err = -EAGAIN;
		else
			merger = 1;
	}
	if (!err) {
		err = read_frames(&fl, run, pc, path, &bad);
	} else {
		struct item stop = { .kind = ITEM_STOP };

		fl.n = started;
		push_all(&fl, &stop);
	}
	for (i = 0; i < started; i++)
		pthread_join(fl.sh[i].thread, NULL);
	if (merger)
		pthread_join(fl.merger, NULL);
	wl_writer_stop(&fl.writer);
	if (bad) {	/* what was measured is written: say what is wrong */
		pr_warn("%s: %s%s\n", path, pcap_geterr(pc),
			read_error_advice(pcap_geterr(pc)));
		err = -EIO;
	}
	if (!err)
		err = fl.err;
	for (i = 0; i < n; i++) {
		/* the metrics read the maps: the objects stay loaded */
		fl.sh[i].run->cfg = run->cfg;
		shard_free(&fl.sh[i]);
	}
	sum_shards(run);
	pthread_mutex_destroy(&fl.lock);
	pthread_cond_destroy(&fl.cond);
	free(fl.sh);
	return err;
}

int wl_offline_run(struct wl_run *run)
{
	const char *path = run->cfg->read_file;
	pcap_t *pc = NULL;
	int err;

	err = open_capture(path, &pc);
	if (err)
		return err;
	/* not a terminal: in blocks (WL_IO_BUF); nothing written before */
	if (!isatty(fileno(run->out.f)))
		setvbuf(run->out.f, write_buf, _IOFBF, sizeof(write_buf));
	if (run->skel)
		err = replay_one(run, pc, path);
	else
		err = replay_sharded(run, pc, path, wl_offline_jobs(run->cfg));
	pcap_close(pc);
	return err;
}

/*
 * Every thread loads the programs (the verifier: 0.25-0.6 s of a CPU
 * here) before it replays a frame, so by default a small capture is one
 * thread's: one per WL_JOBS_BYTES of file, up to the online CPUs (a file
 * whose size cannot be known gets them all).
 */
#define WL_JOBS_BYTES (16u << 20)

int wl_offline_jobs(const struct wl_config *cfg)
{
	long n = cfg->jobs ? (long)cfg->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	struct stat sb;

	if (!cfg->jobs && !stat(cfg->read_file, &sb) && S_ISREG(sb.st_mode) &&
	    sb.st_size / WL_JOBS_BYTES + 1 < n)
		n = sb.st_size / WL_JOBS_BYTES + 1;
	return n < 1 ? 1 : n > WL_JOBS_MAX ? WL_JOBS_MAX : (int)n;
}
