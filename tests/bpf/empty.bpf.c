// SPDX-License-Identifier: BSD-3-Clause
/*
 * empty.bpf.c - bench-only: programs that do nothing, attached where
 * wirelat attaches (XDP or TC ingress, TC egress) to time what attaching
 * any program costs, the floor wirelat's live throughput is compared with
 * (tests/bench_iperf.sh).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int empty_xdp(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

/* as wirelat_xdp is loaded: multi-buffer frames, and on a veth the peer
 * keeps sending GSO super-packets (without frags it stops) */
SEC("xdp.frags")
int empty_xdp_frags(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

SEC("tc")
int empty_tc(struct __sk_buff *skb)
{
	(void)skb;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
