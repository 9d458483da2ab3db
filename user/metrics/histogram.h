/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * histogram.h - the kernel's histograms (struct wl_hist, include/hist.h:
 * fixed buckets a factor of sqrt(2) apart) read back: quantiles for the
 * summary line and who-is-slow, sums and differences for the series.
 */
#ifndef WIRELAT_HISTOGRAM_H
#define WIRELAT_HISTOGRAM_H

#include "wirelat.h"

/*
 * Upper bound (seconds) of the bucket holding quantile @q of @h: NAN when
 * empty, INFINITY in the +Inf bucket.
 */
double wl_hist_quantile(const struct wl_hist *h, double q);

/* @to += @from, bucket by bucket. */
void wl_hist_merge(struct wl_hist *to, const struct wl_hist *from);

/*
 * @acc less @h, kept a histogram: never below zero, cumulative counts
 * non-decreasing, the count exactly @acc's less @h's (see histogram.c).
 */
void wl_hist_less(struct wl_hist *acc, const struct wl_hist *h);

#endif /* WIRELAT_HISTOGRAM_H */
