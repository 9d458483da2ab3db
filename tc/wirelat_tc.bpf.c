// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * TC (clsact) entry points: egress always; ingress only where XDP could
 * not be attached without displacing someone else's program. Always
 * TC_ACT_OK. A VLAN tag the driver offloaded sits in skb metadata, not in
 * the frame; it is not part of any key, so nothing needs it.
 */
#include <linux/pkt_cls.h>
#include "entry.bpf.h"

WL_DNS_TCP_DEFINE(wl_dns_tcp_skb, struct __sk_buff, 1)

static __always_inline int wl_tc(struct __sk_buff *skb, int dir)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	wl_process(skb, 1, data, data_end, skb->len, skb->ifindex, dir);
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
