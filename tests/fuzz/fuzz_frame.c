// SPDX-License-Identifier: BSD-3-Clause
/*
 * fuzz_frame.c - libFuzzer harness: frames through the real BPF program
 * (the batch entry point, which runs each frame through the same
 * wl_process as XDP on the NIC) one BPF_PROG_TEST_RUN each, then the
 * sweep at end of input. Input: frames, each a 2-byte little-endian time
 * step in ms and a 2-byte length, then the frame (seeds:
 * tests/fuzz/seed_frames.py cuts them from the captures). Tables are
 * emptied before each input. After every frame:
 *  - the program ran it (no error, the batch says done);
 *  - it is counted exactly once, in one class of ingress packets, and by
 *    one reason when malformed, never on egress;
 *  - a frame that is malformed, truncated, a fragment or not IP makes no
 *    record; time never runs back here, so no negative duration is
 *    counted;
 *  - every record is well-formed: a known type and family, its time
 *    between the first frame's and this one's, durations between 0 and
 *    the time elapsed, the handshake's legs within the handshake, RTT and
 *    response minimums below their averages.
 * The sweep's records (timeouts, end of file) obey the same, with room for
 * deadlines past the last frame. Each frame also goes through -j's flow
 * hash (user/offline/shard.c), from a buffer of its exact length: ASan sees any
 * read past it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fuzz_common.h"
#include "kernel/counters.h"
#include "output/prom.h"
#include "output/record_copy.h"
#include "output/records.h"
#include "offline/shard.h"
#include "kernel/sweep.h"
#include "wirelat.skel.h"

#define MAX_RECS 64
#define T0_NS 1700000000000000000ULL	/* an epoch time, as captures have */

struct frame_ctx {
	struct ring_buffer *rb;
	struct wl_record recs[MAX_RECS];
	int n;
	uint64_t t0, now, slack;
};

static struct frame_ctx fx;

static void shard_hash(const uint8_t *frame, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		abort();
	memcpy(copy, frame, len);
	(void)wl_shard_hash(copy, len);
	free(copy);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct frame_ctx *x = ctx;

	(void)ctx;
	WL_FUZZ_CHECK(x->n < MAX_RECS, "over %d records at once", MAX_RECS);
	WL_FUZZ_CHECK(wl_record_copy(&x->recs[x->n], data, size),
		      "a record of %zu bytes", size);
	x->n++;
	return 0;
}

static int drain(struct wl_run *run)
{
	(void)run;
	return ring_buffer__consume(fx.rb) < 0 ? -EIO : 0;
}

/* A duration the record may hold: 0 to what has elapsed (+ slack). */
static void check_dur(const char *what, int64_t d)
{
	WL_FUZZ_CHECK(d >= 0 && (uint64_t)d <= fx.now - fx.t0 + fx.slack,
		      "%s %lld, %llu ns elapsed", what, (long long)d,
		      (unsigned long long)(fx.now - fx.t0));
}

static void check_record(const struct wl_record *r)
{
	WL_FUZZ_CHECK(r->type >= WL_REC_HANDSHAKE && r->type <= WL_REC_CLOSE,
		      "type %u", r->type);
	WL_FUZZ_CHECK(r->family == 4 || r->family == 6, "family %u",
		      r->family);
	WL_FUZZ_CHECK(r->ts_ns >= fx.t0 && r->ts_ns <= fx.now + fx.slack,
		      "ts %llu", (unsigned long long)r->ts_ns);
	switch (r->type) {
	case WL_REC_HANDSHAKE:
		check_dur("syn_to_synack", r->hs.syn_to_synack_ns);
		check_dur("synack_to_ack", r->hs.synack_to_ack_ns);
		check_dur("handshake", r->hs.handshake_ns);
		if (r->source == 0)	/* the wire: legs within the whole */
			WL_FUZZ_CHECK(r->hs.syn_to_synack_ns +
						      r->hs.synack_to_ack_ns <=
					      r->hs.handshake_ns,
				      "legs %lld + %lld > %lld",
				      (long long)r->hs.syn_to_synack_ns,
				      (long long)r->hs.synack_to_ack_ns,
				      (long long)r->hs.handshake_ns);
		break;
	case WL_REC_HANDSHAKE_FAILED:
		check_dur("elapsed", r->fail.elapsed_ns);
		break;
	case WL_REC_CLOSE:
		check_dur("duration", r->close.duration_ns);
		for (int i = 0; i < 2; i++) {
			if (!r->close.rtt_n[i])
				continue;
			check_dur("rtt_min", r->close.rtt_min_ns[i]);
			check_dur("rtt_avg", r->close.rtt_avg_ns[i]);
			WL_FUZZ_CHECK(r->close.rtt_min_ns[i] <=
					      r->close.rtt_avg_ns[i],
				      "rtt min %llu > avg %llu",
				      (unsigned long long)r->close.rtt_min_ns[i],
				      (unsigned long long)r->close.rtt_avg_ns[i]);
		}
		if (r->close.turns) {
			check_dur("resp_max", r->close.resp_max_ns);
			WL_FUZZ_CHECK(r->close.resp_min_ns <=
						      r->close.resp_avg_ns &&
					      r->close.resp_avg_ns <=
						      r->close.resp_max_ns,
				      "responses min %llu avg %llu max %llu",
				      (unsigned long long)r->close.resp_min_ns,
				      (unsigned long long)r->close.resp_avg_ns,
				      (unsigned long long)r->close.resp_max_ns);
		}
		break;
	default:	/* dns, dns_timeout */
		check_dur("latency", r->dns.latency_ns);
	}
}

static uint64_t sum(const __u64 *v, int n)
{
	uint64_t s = 0;

	while (n--)
		s += v[n];
	return s;
}

/* The counters' change across one frame (see the file's comment). */
static int check_counts(const struct wl_stats *a, const struct wl_stats *b)
{
	int cls = -1;

	for (int c = 0; c < WL_PKT_MAX; c++) {
		uint64_t d = b->packets[WL_DIR_INGRESS][c] -
			     a->packets[WL_DIR_INGRESS][c];

		WL_FUZZ_CHECK(d <= 1, "class %d counted %llu times", c,
			      (unsigned long long)d);
		if (d) {
			WL_FUZZ_CHECK(cls < 0, "classes %d and %d", cls, c);
			cls = c;
		}
	}
	WL_FUZZ_CHECK(cls >= 0, "a frame counted in no class");
	WL_FUZZ_CHECK(sum(b->packets[WL_DIR_EGRESS], WL_PKT_MAX) ==
			      sum(a->packets[WL_DIR_EGRESS], WL_PKT_MAX),
		      "an ingress frame counted on egress");
	WL_FUZZ_CHECK(sum(b->malformed, WL_MAL_MAX) -
				      sum(a->malformed, WL_MAL_MAX) ==
			      (cls == WL_PKT_MALFORMED),
		      "class %d, malformed reasons %llu", cls,
		      (unsigned long long)(sum(b->malformed, WL_MAL_MAX) -
					   sum(a->malformed, WL_MAL_MAX)));
	WL_FUZZ_CHECK(b->negative_durations == a->negative_durations,
		      "a negative duration with time running forward");
	return cls;
}

static void run_frame(struct wl_run *run, int fd, const uint8_t *f,
		      size_t len)
{
	struct wl_batch *b = &run->skel->bss->wl_batch;
	static struct wl_stats before, after;
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = f,
		    .data_size_in = len, .repeat = 1);
	int cls;

	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	if (wl_counters_read(run, &before, 1))
		abort();
	b->f[0].now_ns = fx.now;
	b->f[0].clock_ns = fx.now;
	b->f[0].len = len;
	b->f[0].wire_len = len;
	b->n = 1;
	b->done = 0;
	WL_FUZZ_CHECK(!bpf_prog_test_run_opts(fd, &topts),
		      "test run of a %zu-byte frame: %s", len, strerror(errno));
	WL_FUZZ_CHECK(b->done == 1, "done %u", b->done);
	b->n = 0;
	fx.n = 0;
	ring_buffer__consume(fx.rb);
	if (wl_counters_read(run, &after, 1))
		abort();
	wl_fuzz_note_paths(&before, &after);
	cls = check_counts(&before, &after);
	if (cls != WL_PKT_PARSED)
		WL_FUZZ_CHECK(fx.n == 0, "%d records from a frame of class %d",
			      fx.n, cls);
	for (int i = 0; i < fx.n; i++)
		check_record(&fx.recs[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wl_run *run = wl_fuzz_run(NULL);
	int fd = bpf_program__fd(run->skel->progs.wirelat_batch);
	size_t off = 0;

	if (!fx.rb) {
		fx.rb = ring_buffer__new(bpf_map__fd(run->skel->maps.records),
					 on_record, &fx, NULL);
		if (!fx.rb)
			abort();
		run->drain = drain;
	}
	wl_fuzz_clear_tables(run);
	fx.t0 = fx.now = T0_NS;
	fx.slack = 0;
	while (off + 4 <= size) {
		uint64_t step = (data[off] | data[off + 1] << 8) * 1000000ULL;
		size_t len = data[off + 2] | data[off + 3] << 8;

		off += 4;
		if (len > size - off)
			len = size - off;
		fx.now += step;
		/* shorter than Ethernet: the replay counts it, never runs it */
		if (len >= 14 && len <= WL_BATCH_BYTES)
			run_frame(run, fd, data + off, len);
		shard_hash(data + off, len);
		off += len;
	}
	/* timeouts and end of file: deadlines may lie past the last frame
	 * (a backing-off client's is 2.5 x its SYN gap) */
	fx.slack = 3 * (fx.now - fx.t0) + run->cfg->idle_timeout_ns;
	fx.n = 0;
	wl_sweep(run, fx.now, WL_SWEEP_ALL, 0);
	wl_sweep(run, fx.now, WL_SWEEP_ALL, 1);
	ring_buffer__consume(fx.rb);
	for (int i = 0; i < fx.n; i++)
		check_record(&fx.recs[i]);
	return 0;
}
