/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kernel_sock.bpf.h - the few kernel socket fields the socket path reads,
 * as CO-RE mirrors: libbpf relocates each access against the running
 * kernel's BTF (the ___wl flavour suffix is ignored when matching), so the
 * object needs neither vmlinux.h nor kernel headers, and a field that moved
 * between kernel versions is still found by name.
 */
#ifndef WIRELAT_KERNEL_SOCK_BPF_H
#define WIRELAT_KERNEL_SOCK_BPF_H

#include <linux/types.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define WL_CORE __attribute__((preserve_access_index))

struct ns_common___wl {
	unsigned int inum;
} WL_CORE;

struct net___wl {
	struct ns_common___wl ns;
} WL_CORE;

struct net_device___wl {
	int ifindex;
} WL_CORE;

struct dst_entry___wl {
	struct net_device___wl *dev;
} WL_CORE;

struct sock_common___wl {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	struct {
		struct net___wl *net;
	} skc_net;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} WL_CORE;

struct sock___wl {
	struct sock_common___wl __sk_common;
	struct dst_entry___wl *sk_dst_cache;
	int sk_err;
	__u16 sk_protocol;
} WL_CORE;

/* inet_num (skc_num) is cleared when a closing socket gives its port
 * back, before the state change is traced; inet_sport keeps it */
struct inet_sock___wl {
	__be16 inet_sport;
} WL_CORE;

struct minmax_sample___wl {
	__u32 t;
	__u32 v;
} WL_CORE;

struct minmax___wl {
	struct minmax_sample___wl s[3];
} WL_CORE;

struct tcp_sock___wl {
	__u32 srtt_us;			/* smoothed RTT << 3, in us */
	struct minmax___wl rtt_min;	/* s[0].v: the windowed minimum, in us */
	__u32 total_retrans;
	__u32 data_segs_in;
	__u32 data_segs_out;
	__u64 bytes_sent;		/* retransmissions included */
	__u64 bytes_received;
} WL_CORE;

/* The kernel's TCP states (include/net/tcp_states.h). */
enum {
	WL_TCP_ESTABLISHED = 1,
	WL_TCP_SYN_SENT = 2,
	WL_TCP_SYN_RECV = 3,
	WL_TCP_FIN_WAIT1 = 4,
	WL_TCP_FIN_WAIT2 = 5,
	WL_TCP_TIME_WAIT = 6,
	WL_TCP_CLOSE = 7,
	WL_TCP_CLOSE_WAIT = 8,
	WL_TCP_LAST_ACK = 9,
	WL_TCP_LISTEN = 10,
	WL_TCP_CLOSING = 11,
};

/* errno values a failed connect leaves in sk_err (asm-generic/errno.h). */
#define WL_ENETUNREACH 101
#define WL_ECONNRESET 104
#define WL_ETIMEDOUT 110
#define WL_ECONNREFUSED 111
#define WL_EHOSTUNREACH 113
#define WL_EPIPE 32

#define WL_AF_INET 2
#define WL_AF_INET6 10

#endif /* WIRELAT_KERNEL_SOCK_BPF_H */
