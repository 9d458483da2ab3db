// SPDX-License-Identifier: BSD-3-Clause
/* writer.c - offline output on a thread of its own (writer.h). */
#include <errno.h>
#include <string.h>
#include "offline/writer.h"

static void *writer_main(void *arg)
{
	struct wl_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->busy && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->busy)
			break;	/* stopped, everything written */
		pthread_mutex_unlock(&w->lock);
		wl_reorder_flush(&w->handed, w->fn, w->ctx);
		pthread_mutex_lock(&w->lock);
		w->busy = false;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int wl_writer_start(struct wl_writer *w,
		    void (*fn)(void *ctx, const struct wl_record *r),
		    void *ctx)
{
	int err;

	memset(w, 0, sizeof(*w));
	w->fn = fn;
	w->ctx = ctx;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	err = pthread_create(&w->thread, NULL, writer_main, w);
	if (err) {
		/* the records are then written in line */
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		return -err;
	}
	w->started = true;
	return 0;
}

void wl_writer_hand(struct wl_writer *w, struct wl_reorder *ro)
{
	struct wl_reorder empty;

	if (!ro->n)
		return;
	if (!w->started) {
		wl_reorder_flush(ro, w->fn, w->ctx);
		return;
	}
	pthread_mutex_lock(&w->lock);
	while (w->busy)
		pthread_cond_wait(&w->cond, &w->lock);
	empty = w->handed;	/* written: n == 0, its memory kept */
	w->handed = *ro;
	*ro = empty;
	w->busy = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int wl_writer_hand_swept(struct wl_writer *w, struct wl_reorder *ro,
			 struct wl_reorder *sw, int err)
{
	size_t rest;

	if (wl_reorder_add_sorted(ro, sw, &rest))
		err = -ENOMEM;
	wl_writer_hand(w, ro);
	if (!err && rest < sw->n) {
		wl_reorder_drop_first(sw, rest);
		wl_writer_hand(w, sw);  /* sw: the writer's, empty */
	}
	wl_reorder_clear(sw);
	return err;
}

void wl_writer_stop(struct wl_writer *w)
{
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
		w->started = false;
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
	}
	wl_reorder_free(&w->handed);
}
