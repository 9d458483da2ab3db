/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hist.h - the fixed histogram bucket layout, shared by BPF and userspace.
 *
 * Upper bounds are 10 us * 2^(k/2) for k = 0..45 (10 us to 59.3 s, ratio
 * sqrt(2)), then +Inf. Each is what /metrics prints as its le label (%.6g
 * of the seconds), in ns rounded down, so for an integer duration v,
 * "v <= bound_ns[k]" is exactly "v <= le": a sample never sits in a
 * bucket whose printed bound is below it.
 */
#ifndef WIRELAT_HIST_H
#define WIRELAT_HIST_H

#include "wirelat.h"

static const __u64 wl_hist_bound_ns[WL_HIST_FINITE] = {
	10000ULL, 14142ULL, 20000ULL, 28284ULL, 40000ULL,
	56568ULL, 80000ULL, 113137ULL, 160000ULL, 226274ULL,
	320000ULL, 452548ULL, 640000ULL, 905097ULL, 1280000ULL,
	1810190ULL, 2560000ULL, 3620390ULL, 5120000ULL, 7240770ULL,
	10240000ULL, 14481500ULL, 20480000ULL, 28963100ULL, 40960000ULL,
	57926200ULL, 81920000ULL, 115852000ULL, 163840000ULL, 231705000ULL,
	327680000ULL, 463410000ULL, 655360000ULL, 926819000ULL, 1310720000ULL,
	1853640000ULL, 2621440000ULL, 3707280000ULL, 5242880000ULL, 7414550000ULL,
	10485800000ULL, 14829100000ULL, 20971500000ULL, 29658200000ULL, 41943000000ULL,
	59316400000ULL,
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
