// SPDX-License-Identifier: BSD-3-Clause
/*
 * jobs_merge.c - the merge of -j N (jobs.c). In one replay, records come
 * off the ring in the order of the frames that wrote them, then go
 * through the reorder buffer, and a sweep's are sorted in. Each shard
 * hands its records up to a sweep, tagged with their frames' places in
 * the file, and the sweep's, as one part (jobs_shard.c); the merger takes
 * a part of every shard in turn, their records by those places into the
 * reorder buffer, the sweeps' together sorted after, as wl_replay_sweep()
 * does with one replay's, and hands the result to the writer: the lines
 * one replay prints, in its order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/hugebuf.h"
#include "offline/jobs_merge.h"
#include "offline/jobs_shard.h"

/*
 * The sweep's records of every shard's part (each sorted) into @sw, one
 * sorted run: merged, where a copy of them all and a sort of that copy
 * took twice the memory and the time (a big end of file's closes: tens of
 * megabytes, and fresh memory costs its page faults). The parts' lists are
 * left empty; @at is scratch. 0 or -ENOMEM.
 */
static int merge_swept(struct wl_part **parts, size_t *at, int n,
		       struct wl_reorder *sw)
{
	size_t total = 0;
	int i, err = 0;

	for (i = 0; i < n; i++) {
		at[i] = 0;
		if (parts[i])
			total += parts[i]->swept.n;
	}
	if (wl_hugebuf_reserve((void **)&sw->recs, &sw->cap, sw->n + total,
			       sizeof(*sw->recs)))
		err = -ENOMEM;
	while (!err) {	/* few shards: a scan for the least */
		const struct wl_record *min = NULL;
		int from = -1;

		for (i = 0; i < n; i++) {
			const struct wl_reorder *ps;

			if (!parts[i] || at[i] == parts[i]->swept.n)
				continue;
			ps = &parts[i]->swept;
			if (!min || wl_reorder_cmp(&ps->recs[at[i]], min) < 0) {
				min = &ps->recs[at[i]];
				from = i;
			}
		}
		if (!min)
			break;
		at[from]++;
		sw->recs[sw->n++] = *min;
	}
	for (i = 0; i < n; i++)
		if (parts[i])
			parts[i]->swept.n = 0;
	return err;
}

void *wl_merge_main(void *arg)
{
	struct wl_fleet *fl = arg;
	struct wl_reorder ro = { 0 }, sw = { 0 };
	struct wl_part **parts = calloc(fl->n, sizeof(*parts));
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
			struct wl_shard *s = &fl->sh[i];

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
			struct wl_tagged *min = NULL;
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
		if (merge_swept(parts, at, fl->n, &sw) && !err)
			err = -ENOMEM;
		err = wl_writer_hand_swept(&fl->writer, &ro, &sw, err);
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
