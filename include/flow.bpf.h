/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow.bpf.h - canonical flow keys: the lower (address, port) first, so one
 * lookup serves both directions; the sender's side is returned apart.
 */
#ifndef WIRELAT_FLOW_BPF_H
#define WIRELAT_FLOW_BPF_H

#include "parsing.h"
#include "record.h"

/* Compare two addresses as big-endian numbers: <0, 0 or >0. */
static __always_inline int wl_addr_cmp(const __u32 *a, const __u32 *b)
{
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		if (a[i] != b[i])
			return bpf_ntohl(a[i]) < bpf_ntohl(b[i]) ? -1 : 1;
	}
	return 0;
}

/*
 * Fill @k for the packet's (quoted) tuple on @ifindex. Returns the side
 * (WL_SIDE_LO / WL_SIDE_HI) of the packet's sender.
 */
static __always_inline int wl_flow_key(struct wl_flow_key *k,
				       const struct wl_pkt *p, __u32 ifindex)
{
	int c = wl_addr_cmp(p->saddr, p->daddr);
	int sender_lo = c < 0 || (c == 0 && p->sport <= p->dport);

	__builtin_memset(k, 0, sizeof(*k));
	k->ifindex = ifindex;
	k->family = p->family;
	if (sender_lo) {
		__builtin_memcpy(k->addr_lo, p->saddr, 16);
		__builtin_memcpy(k->addr_hi, p->daddr, 16);
		k->port_lo = p->sport;
		k->port_hi = p->dport;
		return WL_SIDE_LO;
	}
	__builtin_memcpy(k->addr_lo, p->daddr, 16);
	__builtin_memcpy(k->addr_hi, p->saddr, 16);
	k->port_lo = p->dport;
	k->port_hi = p->sport;
	return WL_SIDE_HI;
}

#endif /* WIRELAT_FLOW_BPF_H */
