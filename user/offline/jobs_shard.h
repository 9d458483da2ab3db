/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * jobs_shard.h - -j N's shards (jobs.c): each a thread with a BPF object
 * of its own, replaying the frames the reader queues for it and handing
 * its records, tagged with their frames' places in the file, to the
 * merger (jobs_merge.c). The queues both ways, under one lock.
 */
#ifndef WIRELAT_JOBS_SHARD_H
#define WIRELAT_JOBS_SHARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/config.h"
#include "offline/replay.h"

/* What the reader queues for a shard: items, each with its frame's bytes. */
enum { WL_ITEM_FRAME, WL_ITEM_SWEEP, WL_ITEM_EOF, WL_ITEM_STOP };

struct wl_item {
	uint32_t kind;
	uint32_t len;		/* frame: its bytes, after this header */
	uint32_t wire_len;
	uint32_t pad;
	uint64_t seq;		/* frame: its place in the file */
	uint64_t ts;		/* frame: its time; sweep: the clock */
	uint64_t clock;		/* frame and end of file: highest time so far */
};

/* A shard's records up to a sweep, and the sweep's (sorted). */
struct wl_part {
	struct wl_part *next;
	struct wl_reorder recs;	/* in the order they came off the ring */
	uint64_t *seq;		/* recs' i-th: the frame that wrote it */
	size_t seq_cap;
	struct wl_reorder swept;
	int err;
};

struct wl_fleet;
struct wl_block;	/* a run of items (jobs_shard.c) */

struct wl_shard {
	struct wl_fleet *fl;
	int id;
	struct wl_config cfg;	/* its tables' sizes */
	struct wl_run *run;
	struct wl_replay rp;
	pthread_t thread;
	const volatile uint64_t *cons_pos;	/* the ring's consumer page */
	int loaded;		/* 1, or -errno: the load failed */
	bool done;		/* its last part handed */
	/* from the reader: blocks of items, in order */
	struct wl_block *cur;	/* the reader's, being filled */
	struct wl_block *q_head, *q_tail, *free_blocks;
	int queued;
	/* to the merger: parts, in order */
	struct wl_part *part;	/* being filled */
	struct wl_part *p_head, *p_tail, *free_parts;
};

struct wl_fleet {
	pthread_mutex_t lock;	/* every queue; cond: any change */
	pthread_cond_t cond;
	struct wl_shard *sh;
	int n;
	struct wl_writer writer;
	pthread_t merger;
	int err;		/* the first shard's error */
};

/* A shard's thread (@arg: its struct wl_shard): load, then replay. */
void *wl_shard_main(void *arg);

/*
 * The reader: queue item @it (with @it->len bytes at @data) for @s,
 * waiting while the shard is behind. 0 or -ENOMEM.
 */
int wl_shard_push(struct wl_shard *s, const struct wl_item *it,
		  const uint8_t *data);

/* The reader: an item without a frame to every shard (each tried), at once. */
int wl_shard_push_all(struct wl_fleet *fl, const struct wl_item *it);

/* Free what @s holds but its loaded object (the metrics read its maps). */
void wl_shard_free(struct wl_shard *s);

#endif /* WIRELAT_JOBS_SHARD_H */
