// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * XDP ingress entry point. Also the program the offline replay runs with
 * BPF_PROG_TEST_RUN. Always XDP_PASS: wirelat never drops traffic.
 * Loaded as xdp.frags, so lengths come from bpf_xdp_get_buff_len().
 */
#define WL_DEFINE_MAPS
#include "entry.bpf.h"

WL_DNS_TCP_DEFINE(wl_dns_tcp_xdp, struct xdp_md, 0)

SEC("xdp.frags")
int wirelat_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = 0;

	if (!cfg.offline)
		len = bpf_xdp_get_buff_len(ctx);
	wl_process(ctx, 0, data, data_end, len, ctx->ingress_ifindex,
		   WL_DIR_INGRESS);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
