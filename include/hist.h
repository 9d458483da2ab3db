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
 * Index of the first bucket whose bound is >= v (v below 2^63),
 * WL_HIST_FINITE meaning +Inf: the number of bounds below v. A binary
 * search without branches: each of six steps halves the n bounds left
 * (46, 23, 12, 6, 3, 2, 1) and moves base past the lower half when its
 * last bound is below v, by the sign of bound - v. No branch for the
 * processor to mispredict, none for the BPF verifier to walk both ways
 * (the packet path inlines it at every histogram), and every index stays
 * below base + n <= WL_HIST_FINITE.
 */
_Static_assert(WL_HIST_FINITE > 32 && WL_HIST_FINITE <= 64,
	       "six halvings leave one bound, none of them half of one");
static __always_inline __u32 wl_hist_index(__u64 v)
{
	__u32 base = 0, n = WL_HIST_FINITE, half, i;
	__s64 below;

	for (i = 0; i < 6; i++, n -= half) {
		half = n / 2;
		below = (__s64)(wl_hist_bound_ns[base + half - 1] - v) >> 63;
		/* 0 or -1, and the compiler must not turn it into a branch */
		__asm__ volatile("" : "+r"(below));
		base += (__u32)below & half;
	}
	below = (__s64)(wl_hist_bound_ns[base] - v) >> 63;
	__asm__ volatile("" : "+r"(below));
	return base + ((__u32)below & 1);
}

#endif /* WIRELAT_HIST_H */
