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

/* Hand every buffered record to @fn in order and empty the buffer. */
void wl_reorder_flush(struct wl_reorder *ro,
		      void (*fn)(void *ctx, const struct wl_record *r),
		      void *ctx);

void wl_reorder_free(struct wl_reorder *ro);

#endif /* WIRELAT_REORDER_H */
