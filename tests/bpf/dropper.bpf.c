// SPDX-License-Identifier: BSD-3-Clause
/*
 * dropper.bpf.c - test-only: loss on demand for live tests (this kernel
 * has no netem). TC programs for a receiving end's ingress that drop the
 * first N TCP segments of a kind and let everything else through:
 *
 *   drop_syn  the first syn_budget SYNs (a SYN queue that is full)
 *   drop_rst  the first rst_budget RSTs (a server that never hears the
 *             client forgot the connection: stale server state)
 *   drop_data every data_nth-th segment of new data (beyond the highest
 *             sequence this program saw: never a retransmission), while
 *             data_budget lasts; one TCP flow, IPv4
 *
 * The budgets are globals the test sets before attaching (bpftool or the
 * skeleton); `dropped` counts what was dropped. IPv4 without options and
 * IPv6 without extension headers: what the live tests send.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

volatile __u32 syn_budget = 1;
volatile __u32 rst_budget = 1;
volatile __u32 data_nth = 20;
volatile __u32 data_budget = 10;
volatile __u32 dropped;
volatile __u32 data_seen;	/* segments of new data */
volatile __u32 data_high;	/* sequence after the highest new data */
volatile __u32 data_high_set;

/* TCP flags of the segment in @skb, or -1 when it is not TCP. */
static __always_inline int tcp_flags(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *th;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return -1;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5)
			return -1;
		proto = ip->protocol;
		th = (void *)(ip + 1);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return -1;
		proto = ip6->nexthdr;
		th = (void *)(ip6 + 1);
	} else {
		return -1;
	}
	if (proto != IPPROTO_TCP || (void *)(th + 1) > end)
		return -1;
	return ((__u8 *)th)[13];
}

/* Drop while @budget lasts. */
static __always_inline int spend(volatile __u32 *budget)
{
	if (*budget == 0)
		return TC_ACT_OK;
	__sync_fetch_and_add(budget, (__u32)-1);
	__sync_fetch_and_add(&dropped, 1);
	return TC_ACT_SHOT;
}

SEC("tc")
int drop_syn(struct __sk_buff *skb)
{
	int f = tcp_flags(skb);

	/* SYN without ACK */
	if (f >= 0 && (f & 0x12) == 0x02)
		return spend(&syn_budget);
	return TC_ACT_OK;
}

SEC("tc")
int drop_rst(struct __sk_buff *skb)
{
	int f = tcp_flags(skb);

	if (f >= 0 && (f & 0x04))
		return spend(&rst_budget);
	return TC_ACT_OK;
}

/* Payload length and sequence number of an IPv4 TCP segment, -1 if none. */
static __always_inline int tcp4_data(struct __sk_buff *skb, __u32 *seq)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *th = (void *)(ip + 1);
	int len;

	if ((void *)(th + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		return -1;
	len = bpf_ntohs(ip->tot_len) - 20 - th->doff * 4;
	*seq = bpf_ntohl(th->seq);
	return len;
}

SEC("tc")
int drop_data(struct __sk_buff *skb)
{
	__u32 seq;
	int len = tcp4_data(skb, &seq);

	if (len <= 0)
		return TC_ACT_OK;
	/* a retransmission (below what was seen) always passes */
	if (data_high_set && (__s32)(seq - data_high) < 0)
		return TC_ACT_OK;
	data_high = seq + len;
	data_high_set = 1;
	data_seen++;
	if (data_seen % data_nth)
		return TC_ACT_OK;
	return spend(&data_budget);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
