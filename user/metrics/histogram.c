// SPDX-License-Identifier: BSD-3-Clause
/*
 * histogram.c - arithmetic on the fixed-bucket histograms of include/hist.h
 * (histogram.h): a quantile's bucket, sums, differences.
 */
#include <math.h>
#include <stdint.h>
#include "metrics/histogram.h"

double wl_hist_quantile(const struct wl_hist *h, double q)
{
	uint64_t total = 0, cum = 0;
	int k;

	for (k = 0; k < WL_HIST_BUCKETS; k++)
		total += h->bucket[k];
	if (!total)
		return NAN;
	for (k = 0; k < WL_HIST_FINITE; k++) {
		cum += h->bucket[k];
		if (cum >= q * total)
			return 1e-5 * pow(2.0, k / 2.0);
	}
	return INFINITY;
}

void wl_hist_merge(struct wl_hist *to, const struct wl_hist *from)
{
	int k;

	for (k = 0; k < WL_HIST_BUCKETS; k++)
		to->bucket[k] += from->bucket[k];
	to->sum_ns += from->sum_ns;
}

/*
 * @acc less @h. Where @h's buckets are observations @acc holds too (every
 * table but server time) that is bucket by bucket. Server time puts a
 * connection's turns in the bucket of their average (tcp_record()), so
 * a bucket of @h can exceed @acc's: the difference is then taken on the
 * cumulative counts, each the least of those at or above it (never below
 * zero), so the result stays a histogram (non-decreasing) and its count
 * is exactly @acc's less @h's: the sum over the label is the global count.
 */
void wl_hist_less(struct wl_hist *acc, const struct wl_hist *h)
{
	int64_t cum[WL_HIST_BUCKETS], c = 0, low;
	int k;

	for (k = 0; k < WL_HIST_BUCKETS; k++) {
		c += (int64_t)acc->bucket[k] - (int64_t)h->bucket[k];
		cum[k] = c;
	}
	low = INT64_MAX;
	for (k = WL_HIST_BUCKETS - 1; k >= 0; k--) {
		if (cum[k] < low)
			low = cum[k];
		cum[k] = low > 0 ? low : 0;
	}
	for (k = 0; k < WL_HIST_BUCKETS; k++)
		acc->bucket[k] = cum[k] - (k ? cum[k - 1] : 0);
	acc->sum_ns -= acc->sum_ns > h->sum_ns ? h->sum_ns : acc->sum_ns;
}
