/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hist.h - the fixed histogram bucket layout, shared by BPF and userspace.
 *
 * Upper bounds are 10 us * 2^(k/2) for k = 0..45 (10 us to 59.3 s, ratio
 * sqrt(2)), then +Inf. In ns each bound is floor(sqrt(1e8 * 2^k)), so for an
 * integer duration v, "v <= bound_ns[k]" is exactly "v <= 10 us * 2^(k/2)".
 */
#ifndef WIRELAT_HIST_H
#define WIRELAT_HIST_H

#include "wirelat.h"

static const __u64 wl_hist_bound_ns[WL_HIST_FINITE] = {
	10000ULL, 14142ULL, 20000ULL, 28284ULL, 40000ULL, 56568ULL,
	80000ULL, 113137ULL, 160000ULL, 226274ULL, 320000ULL, 452548ULL,
	640000ULL, 905096ULL, 1280000ULL, 1810193ULL, 2560000ULL, 3620386ULL,
	5120000ULL, 7240773ULL, 10240000ULL, 14481546ULL, 20480000ULL,
	28963093ULL, 40960000ULL, 57926187ULL, 81920000ULL, 115852375ULL,
	163840000ULL, 231704750ULL, 327680000ULL, 463409500ULL, 655360000ULL,
	926819000ULL, 1310720000ULL, 1853638000ULL, 2621440000ULL,
	3707276000ULL, 5242880000ULL, 7414552001ULL, 10485760000ULL,
	14829104003ULL, 20971520000ULL, 29658208007ULL, 41943040000ULL,
	59316416015ULL,
};

/*
 * Index of the first bucket whose bound is >= v: a binary search of six
 * steps (47 buckets), WL_HIST_FINITE meaning +Inf.
 */
static __always_inline __u32 wl_hist_index(__u64 v)
{
	__u32 lo = 0, hi = WL_HIST_FINITE, i;

	for (i = 0; i < 6; i++) {
		__u32 mid = (lo + hi) >> 1;

		if (lo >= hi)
			break;
		if (mid >= WL_HIST_FINITE)
			break;
		if (v <= wl_hist_bound_ns[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

#endif /* WIRELAT_HIST_H */
