/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * writer.h - offline output on a thread of its own. The replay hands over
 * its reorder buffer (records in their final order) each time it flushes
 * it, and goes on with the next packets in the other buffer while this
 * thread formats and writes: on a big capture, formatting the records
 * took as long as running the packets through the program.
 */
#ifndef WIRELAT_WRITER_H
#define WIRELAT_WRITER_H

#include <pthread.h>
#include <stdbool.h>
#include "offline/reorder.h"

struct wl_writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct wl_reorder handed;	/* being written */
	bool busy;			/* handed holds records */
	bool stop;
	bool started;
	void (*fn)(void *ctx, const struct wl_record *r);
	void *ctx;
};

/* Start the thread; @fn gets every record handed, in order. 0 or -errno. */
int wl_writer_start(struct wl_writer *w,
		    void (*fn)(void *ctx, const struct wl_record *r),
		    void *ctx);

/*
 * Hand over the records of @ro (after those handed before) and give @ro
 * an empty buffer. Without a thread (not started), writes them here.
 */
void wl_writer_hand(struct wl_writer *w, struct wl_reorder *ro);

/*
 * A sweep's records @sw (sorted: wl_reorder_sort()) after the records
 * buffered in @ro: the timeouts among them go in by their deadlines, the
 * rest is handed on after them as it is (no copy of a big end of file's
 * closes). Both handed to @w, both left empty. Returns @err, or -ENOMEM
 * when @ro could not grow.
 */
int wl_writer_hand_swept(struct wl_writer *w, struct wl_reorder *ro,
			 struct wl_reorder *sw, int err);

/* Write what was handed, stop the thread and free its buffer; again: nothing. */
void wl_writer_stop(struct wl_writer *w);

#endif /* WIRELAT_WRITER_H */
