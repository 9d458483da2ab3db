// SPDX-License-Identifier: BSD-3-Clause
/*
 * reorder.c - a small buffer between the replay and the output. The replay
 * flushes it at every sweep: a timeout found later has a deadline after
 * that sweep's clock, so it can only belong among the buffered records.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "core/hugebuf.h"
#include "offline/reorder.h"

static int is_timeout(const struct wl_record *r)
{
	if (r->type == WL_REC_CLOSE)
		return r->reason == WL_CLOSE_TIMEOUT;
	return (r->type == WL_REC_HANDSHAKE_FAILED ||
		r->type == WL_REC_DNS_TIMEOUT) &&
	       r->reason == WL_FAIL_TIMEOUT;
}

int wl_reorder_add(struct wl_reorder *ro, const struct wl_record *r)
{
	size_t pos = ro->n;

	if (wl_hugebuf_reserve((void **)&ro->recs, &ro->cap, ro->n + 1,
			       sizeof(*r)))
		return -ENOMEM;
	if (is_timeout(r)) {
		while (pos > 0 && ro->recs[pos - 1].ts_ns > r->ts_ns)
			pos--;
		memmove(&ro->recs[pos + 1], &ro->recs[pos],
			(ro->n - pos) * sizeof(*r));
	}
	ro->recs[pos] = *r;
	ro->n++;
	return 0;
}

int wl_reorder_add_sorted(struct wl_reorder *ro, const struct wl_record *r,
			  size_t n, size_t *rest)
{
	size_t i;

	/*
	 * Once one record is not a timeout, it goes last, and every record
	 * after it (none earlier) would stop right behind its predecessor:
	 * the rest keeps its order after all that is buffered.
	 */
	for (i = 0; i < n && is_timeout(&r[i]); i++)
		if (wl_reorder_add(ro, &r[i]))
			return -ENOMEM;
	*rest = i;
	return 0;
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

static int by_ts_and_key(const void *a, const void *b)
{
	return wl_reorder_cmp(a, b);
}

void wl_reorder_sort(struct wl_reorder *ro)
{
	if (ro->n)	/* recs is NULL until the first: qsort wants memory */
		qsort(ro->recs, ro->n, sizeof(*ro->recs), by_ts_and_key);
}

void wl_reorder_flush(struct wl_reorder *ro,
		      void (*fn)(void *ctx, const struct wl_record *r),
		      void *ctx)
{
	size_t i;

	for (i = 0; i < ro->n; i++)
		fn(ctx, &ro->recs[i]);
	ro->n = 0;
}

void wl_reorder_free(struct wl_reorder *ro)
{
	wl_hugebuf_free((void **)&ro->recs, &ro->cap, sizeof(*ro->recs));
	ro->n = 0;
}
