// SPDX-License-Identifier: BSD-3-Clause
/*
 * reorder.c - a small buffer between the replay and the output. The replay
 * flushes it at every sweep: a timeout found later has a deadline after
 * that sweep's clock, so it can only belong among the buffered records.
 */
#define _GNU_SOURCE	/* qsort_r */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "core/hugebuf.h"
#include "offline/reorder.h"
#include "output/record_copy.h"

static int is_timeout(const struct wl_record *r)
{
	if (r->type == WL_REC_CLOSE)
		return r->reason == WL_CLOSE_TIMEOUT;
	return (r->type == WL_REC_HANDSHAKE_FAILED ||
		r->type == WL_REC_DNS_TIMEOUT) &&
	       r->reason == WL_FAIL_TIMEOUT;
}

/* Room for @size more bytes and one more offset: where the bytes go, or NULL. */
static uint8_t *room(struct wl_reorder *ro, size_t size)
{
	if (wl_hugebuf_reserve((void **)&ro->bytes, &ro->room,
			       ro->used + size, 1) ||
	    wl_hugebuf_reserve((void **)&ro->at, &ro->cap, ro->n + 1,
			       sizeof(*ro->at)))
		return NULL;
	return ro->bytes + ro->used;
}

int wl_reorder_reserve(struct wl_reorder *ro, size_t n, size_t bytes)
{
	if (wl_hugebuf_reserve((void **)&ro->bytes, &ro->room,
			       ro->used + bytes, 1) ||
	    wl_hugebuf_reserve((void **)&ro->at, &ro->cap, ro->n + n,
			       sizeof(*ro->at)))
		return -ENOMEM;
	return 0;
}

/* The record just written at the end of the bytes (@size), into the order. */
static void place(struct wl_reorder *ro, size_t size, int ordered)
{
	const struct wl_record *r = (const void *)(ro->bytes + ro->used);
	size_t pos = ro->n;

	if (ordered && is_timeout(r)) {
		while (pos > 0 && wl_reorder_rec(ro, pos - 1)->ts_ns > r->ts_ns)
			pos--;
		memmove(&ro->at[pos + 1], &ro->at[pos],
			(ro->n - pos) * sizeof(*ro->at));
	}
	ro->at[pos] = ro->used;
	ro->n++;
	ro->used += size;
}

/* Add @r, whole (packed here) or already @packed; @ordered: see place(). */
static int add(struct wl_reorder *ro, const struct wl_record *r, int packed,
	       int ordered)
{
	size_t size = wl_record_packed_size(r);
	uint8_t *dst = room(ro, size);

	if (!dst)
		return -ENOMEM;
	if (packed)
		memcpy(dst, r, size);
	else
		wl_record_pack(dst, r);
	place(ro, size, ordered);
	return 0;
}

int wl_reorder_add(struct wl_reorder *ro, const struct wl_record *r)
{
	return add(ro, r, 0, 1);
}

int wl_reorder_add_packed(struct wl_reorder *ro, const struct wl_record *r)
{
	return add(ro, r, 1, 1);
}

int wl_reorder_append(struct wl_reorder *ro, const struct wl_record *r)
{
	return add(ro, r, 0, 0);
}

int wl_reorder_append_packed(struct wl_reorder *ro, const struct wl_record *r)
{
	return add(ro, r, 1, 0);
}

int wl_reorder_add_sorted(struct wl_reorder *ro, const struct wl_reorder *sw,
			  size_t *rest)
{
	size_t i;

	/*
	 * Once one record is not a timeout, it goes last, and every record
	 * after it (none earlier) would stop right behind its predecessor:
	 * the rest keeps its order after all that is buffered.
	 */
	for (i = 0; i < sw->n && is_timeout(wl_reorder_rec(sw, i)); i++)
		if (wl_reorder_add_packed(ro, wl_reorder_rec(sw, i)))
			return -ENOMEM;
	*rest = i;
	return 0;
}

void wl_reorder_drop_first(struct wl_reorder *ro, size_t k)
{
	memmove(ro->at, ro->at + k, (ro->n - k) * sizeof(*ro->at));
	ro->n -= k;
}

int wl_reorder_cmp(const struct wl_record *x, const struct wl_record *y)
{
	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->type == WL_REC_DNS_TIMEOUT && x->dns.id != y->dns.id)
		return x->dns.id < y->dns.id ? -1 : 1;
	return memcmp(&x->ifindex, &y->ifindex,
		      offsetof(struct wl_record, syn_retransmits) -
			      offsetof(struct wl_record, ifindex));
}

static int by_ts_and_key(const void *a, const void *b, void *bytes)
{
	const uint8_t *base = bytes;

	return wl_reorder_cmp((const void *)(base + *(const uint64_t *)a),
			      (const void *)(base + *(const uint64_t *)b));
}

void wl_reorder_sort(struct wl_reorder *ro)
{
	if (ro->n)	/* at is NULL until the first: qsort wants memory */
		qsort_r(ro->at, ro->n, sizeof(*ro->at), by_ts_and_key,
			ro->bytes);
}

void wl_reorder_flush(struct wl_reorder *ro,
		      void (*fn)(void *ctx, const struct wl_record *r),
		      void *ctx)
{
	struct wl_record r;
	size_t i;

	for (i = 0; i < ro->n; i++) {
		wl_record_unpack(&r, wl_reorder_rec(ro, i));
		fn(ctx, &r);
	}
	wl_reorder_clear(ro);
}

void wl_reorder_clear(struct wl_reorder *ro)
{
	ro->n = 0;
	ro->used = 0;
}

void wl_reorder_free(struct wl_reorder *ro)
{
	wl_hugebuf_free((void **)&ro->bytes, &ro->room, 1);
	wl_hugebuf_free((void **)&ro->at, &ro->cap, sizeof(*ro->at));
	wl_reorder_clear(ro);
}
