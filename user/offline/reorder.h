/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reorder.h - offline record order: records come out in the order their
 * completing packets appear in the file, and a timeout at its deadline.
 */
#ifndef WIRELAT_REORDER_H
#define WIRELAT_REORDER_H

#include <stddef.h>
#include "wirelat.h"

struct wl_reorder {
	struct wl_record *recs;
	size_t n, cap;
};

/*
 * Add a record. A timeout (ts = its deadline) goes before the first
 * buffered record that completed later; any other record goes last.
 * Returns 0 or -ENOMEM.
 */
int wl_reorder_add(struct wl_reorder *ro, const struct wl_record *r);

/*
 * Add @n records sorted by time (and key), as wl_reorder_add() one by one
 * would, as far as the first that is not a timeout; *@rest gets its index
 * (@n when all went in). The records from there on belong after everything
 * buffered, in the order given: the caller hands them on as they are,
 * without a copy (a big capture's end of file closes them all at once).
 * Returns 0 or -ENOMEM.
 */
int wl_reorder_add_sorted(struct wl_reorder *ro, const struct wl_record *r,
			  size_t n, size_t *rest);

/*
 * Sort @ro's records by time, then by what each is about: a sweep walks
 * the tables in their hash order, not the file's, and two runs (or the
 * sweeps of -j's shards, put together) must print one order.
 */
void wl_reorder_sort(struct wl_reorder *ro);

/* That order: <0, 0 or >0 as @x goes before, with or after @y. */
int wl_reorder_cmp(const struct wl_record *x, const struct wl_record *y);

/* Hand every buffered record to @fn in order and empty the buffer. */
void wl_reorder_flush(struct wl_reorder *ro,
		      void (*fn)(void *ctx, const struct wl_record *r),
		      void *ctx);

void wl_reorder_free(struct wl_reorder *ro);

#endif /* WIRELAT_REORDER_H */
