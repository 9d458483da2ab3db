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
#include <pcap/pcap.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hugebuf.h"
#include "linktype.h"
#include "log.h"
#include "offline.h"
#include "reorder.h"
#include "writer.h"
#include "sweep.h"
#include "wirelat.skel.h"

#define SWEEP_EVERY_NS 1000000000ULL
#define ETH_HLEN 14

struct replay {
	struct wl_run *run;
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
	uint64_t clock_ns;	/* the highest timestamp so far */
	uint64_t last_ts_ns;	/* the previous packet's */
	uint64_t next_sweep_ns;
	uint64_t oversized;	/* frames too long to hand the program */
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
	if (!rp->oversized++)
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

/* Add a frame of @len bytes (rp->frame) to the batch, running it first if full. */
static int batch_frame(struct replay *rp, size_t len, uint64_t ts,
		       uint32_t wire_len)
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
	memcpy(rp->batch + WL_BATCH_BYTES - rp->batch_used, rp->frame, len);
	f = &b->f[b->n++];
	f->now_ns = ts;
	f->clock_ns = rp->clock_ns;
	f->len = len;
	f->wire_len = wire_len;
	return 0;
}

static void sweep_and_flush(struct replay *rp, uint64_t clock, int eof)
{
	struct wl_reorder *sw = &rp->swept;
	size_t rest;
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
	/* timeouts among the buffered records, the rest handed on after
	 * them as it is: no copy of a big end of file's closes */
	if (wl_reorder_add_sorted(&rp->ro, sw->recs, sw->n, &rest))
		rp->err = -ENOMEM;
	wl_writer_hand(&rp->writer, &rp->ro);
	if (!rp->err && rest < sw->n) {
		memmove(sw->recs, sw->recs + rest,
			(sw->n - rest) * sizeof(*sw->recs));
		sw->n -= rest;
		wl_writer_hand(&rp->writer, sw);  /* sw: the writer's, empty */
	}
	sw->n = 0;
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
static void sweep_before(struct replay *rp, uint64_t ts)
{
	if (rp->last_ts_ns && ts + SWEEP_EVERY_NS < rp->last_ts_ns) {
		sweep_and_flush(rp, rp->last_ts_ns, 0);
		rp->next_sweep_ns = ts + SWEEP_EVERY_NS;
	} else if (ts >= rp->next_sweep_ns) {
		sweep_and_flush(rp, ts, 0);
		rp->next_sweep_ns = ts + SWEEP_EVERY_NS;
	}
	rp->last_ts_ns = ts;
	if (ts > rp->clock_ns)
		rp->clock_ns = ts;
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
static int replay_alone(struct replay *rp, size_t len, uint64_t ts,
			uint32_t wire_len)
{
	struct wl_batch_frame *f = &rp->run->skel->bss->wl_batch.f[0];
	int err = run_batch(rp);

	if (err)
		return err;
	f->now_ns = ts;
	f->clock_ns = rp->clock_ns;
	f->len = len;
	f->wire_len = wire_len;
	rp->run->skel->bss->wl_batch.n = 1;
	return run_frames(rp, rp->frame, len);
}

static int replay_packet(struct replay *rp, const struct pcap_pkthdr *h,
			 const uint8_t *bytes)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL + h->ts.tv_usec;
	uint32_t wire_len;
	size_t len;
	long adjust;

	if (h->caplen + ETH_HLEN > rp->frame_cap) {
		size_t cap = h->caplen + ETH_HLEN;
		uint8_t *p = realloc(rp->frame, cap);

		if (!p)
			return -ENOMEM;
		rp->frame = p;
		rp->frame_cap = cap;
	}
	sweep_before(rp, ts);
	if (wl_linktype_to_eth(rp->dlt, bytes, h->caplen, rp->frame, &len,
			       &adjust) ||
	    len < ETH_HLEN) {
		count_short(rp->run, h);
		return 0;
	}

	wire_len = (long)h->len + adjust > (long)len ?
			   (uint32_t)((long)h->len + adjust) :
			   (uint32_t)len;
	if (len > WL_BATCH_BYTES)
		return replay_alone(rp, len, ts, wire_len);
	return batch_frame(rp, len, ts, wire_len);
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

int wl_offline_run(struct wl_run *run)
{
	const char *path = run->cfg->read_file;
	struct replay rp = { .run = run };
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *pc = NULL;
	uint64_t n = 0;
	int err, rc;

	err = open_capture(path, &pc);
	if (err)
		return err;
	rp.dlt = pcap_datalink(pc);
	/* not a terminal: in blocks (WL_IO_BUF); nothing written before */
	if (!isatty(fileno(run->out.f)))
		setvbuf(run->out.f, write_buf, _IOFBF, sizeof(write_buf));
	rp.batch_fd = bpf_program__fd(run->skel->progs.wirelat_batch);
	run->emit = emit_buffered;
	run->emit_ctx = &rp;
	run->drain = drain_ring;
	rp.rb = ring_buffer__new(bpf_map__fd(run->skel->maps.records),
				 on_record, run, NULL);
	if (!rp.rb) {
		err = -errno;
		pr_warn("failed to open the record ring buffer: %s\n",
			strerror(-err));
		goto out;
	}
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
	/* end of file: report what has passed its timeout by the last clock,
	 * then close what is still open */
	sweep_and_flush(&rp, rp.clock_ns, 0);
	sweep_and_flush(&rp, rp.clock_ns, 1);
	err = rp.err;
out:
	wl_writer_hand(&rp.writer, &rp.ro);
	wl_writer_stop(&rp.writer);
	wl_reorder_free(&rp.ro);
	ring_buffer__free(rp.rb);
	wl_reorder_free(&rp.swept);
	free(rp.frame);
	pcap_close(pc);
	return err;
}
