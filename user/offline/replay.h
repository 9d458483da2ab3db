/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay.h - a capture's frames through the XDP program with
 * BPF_PROG_TEST_RUN, in batches, each with its time; the sweeps by the
 * capture's clock; the records in their order to the writer (replay.c).
 * One replay is all of -j 1, and each shard of -j N (jobs.c) is one.
 */
#ifndef WIRELAT_REPLAY_H
#define WIRELAT_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include "core/state.h"
#include "offline/capture.h"
#include "offline/reorder.h"
#include "offline/writer.h"

struct wl_capture;
struct ring_buffer;

/* When the sweep runs: the same points in the file however many shards. */
struct wl_sweep_clock {
	uint64_t clock_ns;	/* the highest timestamp so far */
	uint64_t last_ts_ns;	/* the previous packet's */
	uint64_t next_sweep_ns;
};

struct wl_replay {
	struct wl_run *run;
	/* -j: a shard's (jobs_shard.c), which takes the records up to a
	 * sweep and the sweep's (@swept) to merge them; else NULL: they go
	 * to the writer */
	void (*hand)(struct wl_replay *rp, int swept);
	struct wl_reorder ro;
	struct ring_buffer *rb;
	int batch_fd;		/* the batch entry point */
	struct wl_eth_frame eth;
	/* the batch: frames packed from the end of the buffer, the first
	 * last; their times and lengths in the object's wl_batch */
	uint8_t batch[WL_BATCH_BYTES];
	size_t batch_used;
	uint64_t seq[WL_BATCH_MAX];	/* -j: each batched frame's place */
	uint32_t ran;		/* frames of the batch just run */
	uint32_t cursor;	/* -j: the frame whose records come next */
	struct wl_sweep_clock sc;
	/* records of one sweep, put in a stable order before the reorder
	 * buffer: a walk follows the hash table's order, not the file's */
	int in_sweep;
	struct wl_reorder swept;
	struct wl_writer writer;	/* formats and writes the flushed records */
	int err;
};

/*
 * -j 1: every frame of @pc through @run's loaded programs, on this
 * thread. Returns 0, or -errno after one line on stderr (what was
 * measured until then is written).
 */
int wl_replay_capture(struct wl_run *run, struct wl_capture *pc,
		      const char *path);

/* Ready @rp to replay through @run's loaded programs. 0 or -errno. */
int wl_replay_open(struct wl_replay *rp, struct wl_run *run);
void wl_replay_close(struct wl_replay *rp);

/* A frame of @len bytes at @data through the program, @seq-th in the file. */
int wl_replay_frame(struct wl_replay *rp, const uint8_t *data, size_t len,
		    uint64_t ts, uint32_t wire_len, uint64_t seq);

/* Run the frames batched so far. */
int wl_replay_batch(struct wl_replay *rp);

/* The sweep program by @clock (@eof: everything closes), its records on. */
void wl_replay_sweep(struct wl_replay *rp, uint64_t clock, int eof);

/*
 * Whether the packet at @ts is due a sweep first, by the time in
 * *@clock; moves @sc on to @ts.
 */
int wl_replay_sweep_due(struct wl_sweep_clock *sc, uint64_t ts,
			uint64_t *clock);

/* End of file: the sweeps by the last clock. */
void wl_replay_eof(struct wl_replay *rp);

/* The writer's output: a record of @ctx, a struct wl_run, printed. */
void wl_replay_print(void *ctx, const struct wl_record *r);

#endif /* WIRELAT_REPLAY_H */
