/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reorder.h - offline record order: records come out in the order their
 * completing packets appear in the file, and a timeout at its deadline.
 * The records are kept packed (record_copy.h: a handshake in 88 bytes, not
 * a whole struct wl_record's 472) and ordered by their offsets, so a
 * second of a big capture's records, and an end of file's closes, touch a
 * third of the memory, and an insertion or a sort moves 8 bytes a record.
 */
#ifndef WIRELAT_REORDER_H
#define WIRELAT_REORDER_H

#include <stddef.h>
#include <stdint.h>
#include "wirelat.h"

struct wl_reorder {
	uint8_t *bytes;		/* the records, packed, as they came */
	size_t used, room;
	uint64_t *at;		/* their offsets in @bytes, in order */
	size_t n, cap;
};

/* Record @i (in order), packed: valid up to its head (record_copy.h). */
static inline const struct wl_record *wl_reorder_rec(const struct wl_reorder *ro,
						      size_t i)
{
	return (const struct wl_record *)(ro->bytes + ro->at[i]);
}

/*
 * Add a record (@r whole; wl_reorder_add_packed(): @r packed). A timeout
 * (ts = its deadline) goes before the first buffered record that
 * completed later; any other record goes last. Returns 0 or -ENOMEM.
 */
int wl_reorder_add(struct wl_reorder *ro, const struct wl_record *r);
int wl_reorder_add_packed(struct wl_reorder *ro, const struct wl_record *r);

/*
 * Room for @n more records of @bytes packed bytes in all, made at once: a
 * buffer about to take a known amount grows in one step, not by doubling
 * (copies, and fresh pages that cost a fault each). 0 or -ENOMEM.
 */
int wl_reorder_reserve(struct wl_reorder *ro, size_t n, size_t bytes);

/* Add @r (packed) last, whatever it is: a list to be sorted or merged. */
int wl_reorder_append_packed(struct wl_reorder *ro, const struct wl_record *r);

/* The same, @r whole. */
int wl_reorder_append(struct wl_reorder *ro, const struct wl_record *r);

/*
 * Add @sw's records (sorted by time and key) as wl_reorder_add() one by
 * one would, as far as the first that is not a timeout; *@rest gets its
 * index (@sw->n when all went in). The records from there on belong after
 * everything buffered, in the order given: the caller hands them on as
 * they are, without a copy (a big capture's end of file closes them all
 * at once). Returns 0 or -ENOMEM.
 */
int wl_reorder_add_sorted(struct wl_reorder *ro, const struct wl_reorder *sw,
			  size_t *rest);

/* Drop the first @k records from the order (their bytes stay till emptied). */
void wl_reorder_drop_first(struct wl_reorder *ro, size_t k);

/*
 * Sort @ro's records by time, then by what each is about: a sweep walks
 * the tables in their hash order, not the file's, and two runs (or the
 * sweeps of -j's shards, put together) must print one order.
 */
void wl_reorder_sort(struct wl_reorder *ro);

/* That order: <0, 0 or >0 as @x goes before, with or after @y (packed or whole). */
int wl_reorder_cmp(const struct wl_record *x, const struct wl_record *y);

/* Hand every buffered record, whole, to @fn in order and empty the buffer. */
void wl_reorder_flush(struct wl_reorder *ro,
		      void (*fn)(void *ctx, const struct wl_record *r),
		      void *ctx);

/* Empty, its memory kept. */
void wl_reorder_clear(struct wl_reorder *ro);

void wl_reorder_free(struct wl_reorder *ro);

#endif /* WIRELAT_REORDER_H */
