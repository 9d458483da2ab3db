// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * TC (clsact) entry points: egress always; ingress where --ingress puts it
 * (by default on veth and other virtual devices) or where XDP could not be
 * attached without displacing someone else's program. Always TC_ACT_OK. A
 * VLAN tag the driver offloaded sits in skb metadata, not in the frame; it
 * is not part of any key, so nothing needs it.
 */
#include <linux/pkt_cls.h>
#include "entry.bpf.h"

/*
 * The headers are read in place, so they must be in the skb's linear part.
 * A stack that received or built the packet put them there (GRO pulls them,
 * drivers copy them); a frame sent through a packet socket (tcpreplay,
 * AF_PACKET senders) holds only its Ethernet header there and the rest in
 * pages. Below an Ethernet, an IPv4 and a TCP header's worth, the first
 * WL_TC_PULL bytes are made linear: one copy, on such frames only.
 */
#define WL_TC_MIN_LINEAR (14 + 20 + 20)
#define WL_TC_PULL 256

WL_DNS_TCP_DEFINE(wl_dns_tcp_skb, struct __sk_buff, 1)
WL_L4_DEFINE(skb, struct __sk_buff, 1)

static __always_inline int wl_tc(struct __sk_buff *skb, int dir)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 len = skb->len;

	if (data_end - data < WL_TC_MIN_LINEAR && data_end - data < len) {
		bpf_skb_pull_data(skb, len < WL_TC_PULL ? len : WL_TC_PULL);
		data = (void *)(long)skb->data;	/* the pull moves them */
		data_end = (void *)(long)skb->data_end;
	}
	wl_process(skb, 1, data, data_end, len, skb->ifindex, dir);
	return TC_ACT_OK;
}

SEC("tc")
int wirelat_tc_eg(struct __sk_buff *skb)
{
	return wl_tc(skb, WL_DIR_EGRESS);
}

SEC("tc")
int wirelat_tc_in(struct __sk_buff *skb)
{
	return wl_tc(skb, WL_DIR_INGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
