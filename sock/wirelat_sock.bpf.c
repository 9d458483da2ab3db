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

char LICENSE[] SEC("license") = "Dual BSD/GPL";
