/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * entry.bpf.h - what every entry point does with a packet, given where it
 * was seen: parse, count, and feed the state machines.
 */
#ifndef WIRELAT_ENTRY_BPF_H
#define WIRELAT_ENTRY_BPF_H

#include "parsing.h"
#include "handshake.bpf.h"

/*
 * @pkt_len is the full length of the packet as the hook knows it; offline
 * it is replaced by the capture's wire length (the frame may have been cut
 * by the snaplen).
 */
static __always_inline void wl_process(void *data, void *data_end,
				       __u32 pkt_len, __u32 ifindex, int dir)
{
	struct wl_stats *st = wl_stats_of(ifindex);
	struct wl_pkt p = {};

	if (!st)
		return;
	p.data = data;
	p.data_end = data_end;
	p.cap_len = data_end - data;
	p.pkt_len = pkt_len;
	p.scratch = &st->scratch;
	if (cfg.offline)
		p.pkt_len = wl_offline.wire_len;
	if (p.pkt_len < p.cap_len)
		p.pkt_len = p.cap_len;

	wl_parse(&p);
	if (dir < 0 || dir >= WL_DIR_MAX || p.result >= WL_PKT_MAX)
		return;
	st->packets[dir][p.result]++;
	if (p.result == WL_PKT_MALFORMED) {
		if (p.reason < WL_MAL_MAX)
			st->malformed[p.reason]++;
		return;
	}
	if (p.result != WL_PKT_PARSED)
		return;
	if (p.l4proto == IPPROTO_TCP)
		wl_handshake(st, &p, ifindex);
}

#endif /* WIRELAT_ENTRY_BPF_H */
