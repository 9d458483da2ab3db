// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * XDP ingress entry point (wirelat_xdp), and the offline replay's
 * (wirelat_batch: the frames of one batch, include/wirelat.h struct
 * wl_batch, each through the same code; a frame longer than a batch holds
 * is a batch of its own, in fragments). Always XDP_PASS: wirelat never
 * drops traffic. Loaded as xdp.frags, so lengths come from
 * bpf_xdp_get_buff_len() where they reach past the linear part.
 */
#define WL_DEFINE_MAPS
#include "entry.bpf.h"

WL_DNS_TCP_DEFINE(wl_dns_tcp_xdp, struct xdp_md, 0)
WL_L4_DEFINE(xdp, struct xdp_md, 0)

static __always_inline void wl_xdp_frame(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	/* the full length: asked of the frame only when needed */
	wl_process(ctx, 0, data, data_end, 0, ctx->ingress_ifindex,
		   WL_DIR_INGRESS);
}

SEC("xdp.frags")
int wirelat_xdp(struct xdp_md *ctx)
{
	wl_xdp_frame(ctx);
	return XDP_PASS;
}

/* A frame of a batch: a function of its own, checked once. */
__noinline int wl_xdp_replayed(struct xdp_md *ctx)
{
	wl_xdp_frame(ctx);
	return 0;
}

/* Make frame i (of length @len) the packet; @prev_len is frame i - 1's. */
static __always_inline int wl_batch_seek(struct xdp_md *ctx, __u32 i,
					 __u32 len, __u32 prev_len)
{
	if (i == 0)	/* the first frame ends the buffer (or is all of it) */
		return bpf_xdp_adjust_head(
			ctx, (int)bpf_xdp_get_buff_len(ctx) - (int)len);
	if (bpf_xdp_adjust_head(ctx, -(int)len))
		return -1;
	return bpf_xdp_adjust_tail(ctx, -(int)prev_len);
}

SEC("xdp.frags")
int wirelat_batch(struct xdp_md *ctx)
{
	__u32 i, n = wl_batch.n, prev_len = 0;

	wl_batch.done = 0;
	if (!cfg.offline)
		return XDP_PASS;
	for (i = 0; i < WL_BATCH_MAX && i < n; i++) {
		struct wl_batch_frame *f = &wl_batch.f[i];
		__u32 len = f->len;

		if (wl_batch_seek(ctx, i, len, prev_len))
			break;
		wl_offline.now_ns = f->now_ns;
		wl_offline.clock_ns = f->clock_ns;
		wl_offline.wire_len = f->wire_len;
		wl_xdp_replayed(ctx);
		/* by index, not f: one register fewer kept across the call
		 * (a stack slot: 32 bytes of the 512 the deepest chain has) */
		wl_batch.f[i].ring_pos =
			bpf_ringbuf_query(&records, BPF_RB_PROD_POS);
		prev_len = len;
		wl_batch.done = i + 1;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
