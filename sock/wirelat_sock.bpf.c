// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Socket-layer entry points: the fallback for connections the wire view
 * misses. They only dispatch to the state machine in include/sock.bpf.h.
 *
 * First choice: the stable tracepoint sock:inet_sock_set_state, as a raw
 * tracepoint (no tracefs needed; args are the tracepoint's prototype:
 * sk, oldstate, newstate). Kernels without it: kprobes on the functions
 * the tracepoint sits in - tcp_set_state() for every state change of a TCP
 * socket, and tcp_v4_connect()/tcp_v6_connect() for the start of a
 * connect. The kprobes load only when asked for ("?" sections), so the
 * object still loads where the kernel has no kprobes.
 */
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "sock.bpf.h"

SEC("raw_tp/inet_sock_set_state")
int wirelat_sock_tp(struct bpf_raw_tracepoint_args *ctx)
{
	wl_sock_state(ctx->args[0], (int)ctx->args[1], (int)ctx->args[2],
		      bpf_ktime_get_ns());
	return 0;
}

/* tcp_set_state(sk, state): the old state is still in the socket */
SEC("?kprobe/tcp_set_state")
int wirelat_sock_kst(struct pt_regs *ctx)
{
	struct sock___wl *sk = (void *)PT_REGS_PARM1(ctx);

	wl_sock_state((__u64)sk, BPF_CORE_READ(sk, __sk_common.skc_state),
		      (int)PT_REGS_PARM2(ctx), bpf_ktime_get_ns());
	return 0;
}

/* tcp_vX_connect(sk, ...): the connect starts */
static __always_inline int wl_sock_kconnect(struct pt_regs *ctx)
{
	struct sock___wl *sk = (void *)PT_REGS_PARM1(ctx);

	if (wl_sock_ours(sk))
		wl_sock_connect((__u64)sk, bpf_ktime_get_ns());
	return 0;
}

SEC("?kprobe/tcp_v4_connect")
int wirelat_sock_kc4(struct pt_regs *ctx)
{
	return wl_sock_kconnect(ctx);
}

SEC("?kprobe/tcp_v6_connect")
int wirelat_sock_kc6(struct pt_regs *ctx)
{
	return wl_sock_kconnect(ctx);
}

/*
 * Kernel drops by reason on the watched interfaces (DESIGN.md, "The
 * kernel's side"): skb:kfree_skb as a raw tracepoint, (skb, location,
 * reason) since Linux 5.17 (userspace checks the tracepoint's prototype in
 * BTF before it lets this load: "?"). A packet counts where its device is
 * a watched interface of wirelat's namespace; consumed packets
 * (SKB_CONSUMED, a reason on 6.3 and later) are no drops. Cost: only
 * freed packets with a reason pay it, a few loads and one per-CPU add.
 */
#define WL_DROP_REASONS 128	/* wirelat.h's limit of reasons counted apart */

struct net_device___wld {
	int ifindex;
	struct {
		struct net___wl *net;
	} nd_net;
} WL_CORE;

struct sk_buff___wld {
	struct net_device___wld *dev;
} WL_CORE;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WL_NSLOTS * WL_DROP_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} wl_drops SEC(".maps");

/* SKB_CONSUMED's value where the kernel has it (6.3 on), set before load */
const volatile __u32 wl_drop_consumed = 0;

SEC("?raw_tp/kfree_skb")
int wirelat_drop(struct bpf_raw_tracepoint_args *ctx)
{
	struct sk_buff___wld *skb = (void *)ctx->args[0];
	__u32 reason = (__u32)ctx->args[2], key, slot;
	struct net_device___wld *dev;
	__u64 *n;
	int ifindex;

	if (!reason || (wl_drop_consumed && reason == wl_drop_consumed))
		return 0;	/* not a drop */
	dev = BPF_CORE_READ(skb, dev);
	if (!dev)
		return 0;
	if (cfg.netns_inum &&
	    BPF_CORE_READ(dev, nd_net.net, ns.inum) != cfg.netns_inum)
		return 0;
	ifindex = BPF_CORE_READ(dev, ifindex);
	for (slot = 0; slot < WL_MAX_IFACES; slot++)
		if (slot < cfg.n_ifaces && cfg.ifindex[slot] == (__u32)ifindex)
			break;
	if (slot >= WL_MAX_IFACES || slot >= cfg.n_ifaces)
		return 0;
	/* subsystem reasons (the high bits) and new ones: the last index */
	if (reason >= WL_DROP_REASONS)
		reason = WL_DROP_REASONS - 1;
	key = slot * WL_DROP_REASONS + reason;
	n = bpf_map_lookup_elem(&wl_drops, &key);
	if (n)
		(*n)++;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
