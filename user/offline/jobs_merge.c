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
	size_t recs = 0, bytes = 0;
	int i, err = 0;

	for (i = 0; i < n; i++) {
		at[i] = 0;
		if (parts[i]) {
			recs += parts[i]->swept.n;
			bytes += parts[i]->swept.used;
		}
	}
	if (wl_reorder_reserve(sw, recs, bytes))
		err = -ENOMEM;
	while (!err) {	/* few shards: a scan for the least */
		const struct wl_record *min = NULL, *r;
		int from = -1;

		for (i = 0; i < n; i++) {
			if (!parts[i] || at[i] == parts[i]->swept.n)
				continue;
			r = wl_reorder_rec(&parts[i]->swept, at[i]);
			if (!min || wl_reorder_cmp(r, min) < 0) {
				min = r;
				from = i;
			}
		}
		if (!min)
			break;
		at[from]++;
		if (wl_reorder_append_packed(sw, min))
			err = -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (parts[i])
			wl_reorder_clear(&parts[i]->swept);
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
			uint64_t min = 0;
			int from = -1;

			for (i = 0; i < fl->n; i++)
				if (parts[i] && at[i] < parts[i]->recs.n &&
				    (from < 0 || parts[i]->seq[at[i]] < min)) {
					min = parts[i]->seq[at[i]];
					from = i;
				}
			if (from < 0)
				break;
			if (!err && wl_reorder_add_packed(&ro,
					wl_reorder_rec(&parts[from]->recs,
						       at[from])))
				err = -ENOMEM;
			at[from]++;
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
