// SPDX-License-Identifier: BSD-3-Clause
/*
 * jobs_shard.c - a shard of -j N (jobs.c): a thread that loads a BPF
 * object of its own, then replays the items the reader queues for it
 * exactly as the single replay does (replay.c: the same batches, the
 * sweeps at the same points of the file, the same end of file). Each
 * record is tagged with the place in the file of the frame that wrote it
 * (the batch program leaves the ring's producer position after each frame,
 * ring_pos, to tell which), and the records up to each sweep, and the
 * sweep's, go to the merger (jobs_merge.c) as one part. The reader's side
 * of the queue is here too: items packed in blocks of 1 MB, at most
 * BLOCKS_QUEUED of them waiting per shard.
 */
#define _GNU_SOURCE	/* sched_getaffinity, pthread_setaffinity_np */
#include <sched.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/libbpf.h>
#include "core/hugebuf.h"
#include "core/log.h"
#include "kernel/load.h"
#include "kernel/sweep.h"
#include "offline/jobs_shard.h"
#include "wirelat.skel.h"

#define BLOCK_BYTES (1u << 20)
#define BLOCKS_QUEUED 8		/* per shard: how far the reader runs ahead */

struct wl_block {
	struct wl_block *next;
	size_t used, cap;
	uint8_t data[];
};

/* The shard whose replay @rp is. */
static struct wl_shard *shard_of(struct wl_replay *rp)
{
	return (struct wl_shard *)((char *)rp - offsetof(struct wl_shard, rp));
}

static struct wl_part *shard_part(struct wl_shard *s)
{
	struct wl_part *p;

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
		wl_reorder_clear(&p->recs);
		p->err = 0;
	}
	s->part = p;
	return p;
}

/* A record of the batch just run: tagged with the frame that wrote it. */
static void emit_tagged(struct wl_run *run, const struct wl_record *r)
{
	struct wl_replay *rp = run->emit_ctx;
	struct wl_shard *s = shard_of(rp);
	const struct wl_batch_frame *f = run->skel->bss->wl_batch.f;
	uint64_t pos = *s->cons_pos;	/* libbpf's: this record's start */
	struct wl_part *p = shard_part(s);

	while (rp->cursor + 1 < rp->ran && f[rp->cursor].ring_pos <= pos)
		rp->cursor++;
	if (!p || wl_hugebuf_reserve((void **)&p->seq, &p->seq_cap,
				     p->recs.n + 1, sizeof(*p->seq)) ||
	    wl_reorder_append(&p->recs, r)) {
		rp->err = -ENOMEM;
		return;
	}
	p->seq[p->recs.n - 1] = rp->seq[rp->cursor];
}

static void part_free(struct wl_part *p)
{
	wl_reorder_free(&p->recs);
	wl_hugebuf_free((void **)&p->seq, &p->seq_cap, sizeof(*p->seq));
	wl_reorder_free(&p->swept);
	free(p);
}

/* The records since the last part, and the sweep's (@swept), to the merger. */
static void shard_hand(struct wl_replay *rp, int swept)
{
	struct wl_shard *s = shard_of(rp);
	struct wl_part *p = shard_part(s);
	struct wl_reorder t;

	if (!p) {
		rp->err = -ENOMEM;
		return;
	}
	if (swept) {	/* the part's emptied buffer comes back to swept */
		t = p->swept;
		p->swept = rp->swept;
		rp->swept = t;
		wl_reorder_clear(&rp->swept);
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
static int shard_items(struct wl_shard *s, const struct wl_block *b)
{
	struct wl_replay *rp = &s->rp;
	size_t off = 0;

	while (off < b->used) {
		const struct wl_item *it = (const void *)(b->data + off);

		off += sizeof(*it) + ((it->len + 7) & ~7u);
		switch (it->kind) {
		case WL_ITEM_FRAME:
			rp->sc.clock_ns = it->clock;
			wl_sweep_frame_seen(s->run, it->ts);
			if (!rp->err)
				wl_replay_frame(rp, (const uint8_t *)(it + 1),
						it->len, it->ts, it->wire_len,
						it->seq);
			break;
		case WL_ITEM_SWEEP:
			wl_replay_sweep(rp, it->ts, 0);
			break;
		case WL_ITEM_EOF:
			rp->sc.clock_ns = it->clock;
			wl_replay_eof(rp);
			return 1;
		case WL_ITEM_STOP:	/* what was measured, no sweep */
			wl_replay_batch(rp);
			shard_hand(rp, 0);
			return 1;
		}
	}
	return 0;
}

/*
 * Stay on one CPU of those this process may use: an LRU table's free
 * entries are per CPU (see stay_on_one_cpu() in replay.c).
 */
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

static int shard_load(struct wl_shard *s)
{
	long page = sysconf(_SC_PAGESIZE);
	void *cons;
	int err;

	err = wl_bpf_load(s->run, 1);
	if (err)
		return err;
	err = wl_replay_open(&s->rp, s->run);
	if (err)
		return err;
	s->rp.hand = shard_hand;
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

void *wl_shard_main(void *arg)
{
	struct wl_shard *s = arg;
	struct wl_fleet *fl = s->fl;
	struct wl_block *b;
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
			const struct wl_item *it = (const void *)b->data;

			last = b->used && (it->kind == WL_ITEM_EOF ||
					   it->kind == WL_ITEM_STOP);
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
static void publish(struct wl_shard *s)
{
	struct wl_block *b = s->cur;

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
static void *room(struct wl_shard *s, size_t size)
{
	struct wl_block *b = s->cur;
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

int wl_shard_push(struct wl_shard *s, const struct wl_item *it,
		  const uint8_t *data)
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

int wl_shard_push_all(struct wl_fleet *fl, const struct wl_item *it)
{
	int i, err = 0, e;

	for (i = 0; i < fl->n; i++) {
		e = wl_shard_push(&fl->sh[i], it, NULL);
		if (e && !err)
			err = e;
		publish(&fl->sh[i]);
	}
	return err;
}

void wl_shard_free(struct wl_shard *s)
{
	struct wl_block *b;
	struct wl_part *p;

	wl_replay_close(&s->rp);
	if (s->cons_pos)
		munmap((void *)s->cons_pos, sysconf(_SC_PAGESIZE));
	while ((b = s->free_blocks)) {
		s->free_blocks = b->next;
		free(b);
	}
	free(s->cur);
	if (s->part)
		part_free(s->part);
	while ((p = s->free_parts) || (p = s->p_head)) {
		if (p == s->free_parts)
			s->free_parts = p->next;
		else
			s->p_head = p->next;
		part_free(p);
	}
}
