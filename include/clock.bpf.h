/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clock.bpf.h - time as the measurement sees it.
 *
 * Live, a packet's time is bpf_ktime_get_ns() (CLOCK_MONOTONIC), taken only
 * when a measurement needs it. Offline, it is the capture's own timestamp,
 * and timeouts are judged by it too, so a capture whose time jumps
 * backwards does not expire everything at once. cfg.offline is rodata:
 * the verifier prunes the branch not taken.
 */
#ifndef WIRELAT_CLOCK_BPF_H
#define WIRELAT_CLOCK_BPF_H

#include "maps.bpf.h"

static __always_inline __u64 wl_now_ns(void)
{
	if (cfg.offline)
		return wl_offline.now_ns;
	return bpf_ktime_get_ns();
}

/*
 * For idle bookkeeping only (a connection's last packet): the coarse clock
 * live, a few ns instead of bpf_ktime_get_ns()'s 35, at jiffy resolution.
 */
static __always_inline __u64 wl_coarse_ns(void)
{
	if (cfg.offline)
		return wl_offline.now_ns;
	return bpf_ktime_get_coarse_ns();
}

/* The precise time, taken the first time a packet needs it. */
static __always_inline __u64 wl_now_once(__u64 *now)
{
	if (!*now)
		*now = wl_now_ns();
	return *now;
}

/*
 * The clock timeouts are judged by, given this packet's time @now: the
 * packet's own time, live and offline. Offline that is the capture's
 * timestamp of the packet being processed, not the highest so far: in a
 * capture merged from files of other dates, a packet dated earlier expires
 * nothing that was opened later (DESIGN.md, "Offline input").
 */
static __always_inline __u64 wl_clock_ns(__u64 now)
{
	return now;
}

#endif /* WIRELAT_CLOCK_BPF_H */
