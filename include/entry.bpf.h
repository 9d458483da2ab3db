/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * entry.bpf.h - what every entry point does with a packet, given where it
 * was seen: parse, count, and feed the state machines.
 */
#ifndef WIRELAT_ENTRY_BPF_H
#define WIRELAT_ENTRY_BPF_H

#include "parsing.h"
#include "handshake.bpf.h"
#include "dns.bpf.h"
#include "dns_tcp.bpf.h"

/*
 * UDP on a DNS port (wl_dns_udp_wanted()): copy the message (up to WL_DNS_BUF bytes) to the
 * per-CPU scratch and hand it to wl_dns_msg(). An ICMP error quoting a
 * query: what it quotes of the query to wl_dns_unreachable().
 */
static __always_inline void wl_dns_udp(void *ctx, int is_skb,
				       struct wl_stats *st, struct wl_pkt *p)
{
	struct wl_dns_scratch *sc;
	__u32 zero = 0;
	__u64 len;	/* 64-bit: the bound check and the helper see one register */

	len = p->payload_len;
	if (p->payload_off >= p->load_len)
		len = 0;
	else if (len > p->load_len - p->payload_off)
		len = p->load_len - p->payload_off;
	if (len > WL_DNS_BUF)
		len = WL_DNS_BUF;
	/* the bound must sit on the register handed to the helper */
	asm volatile("" : "+r"(len));
	if (p->quoted) {
		/* an ICMP error quoting a query: as much of it as it quotes
		 * (RFC 792 routers: none past the UDP header) */
		sc = bpf_map_lookup_elem(&dns_scratch, &zero);
		if (!sc)
			return;
		/* one test per bound, on this register (Linux 6.1 loses a
		 * lower bound clang folds into one range compare) */
		if (len < 2 || len > WL_DNS_BUF) {
			wl_dns_unreachable(st, p, sc, 0);
			return;
		}
		if (!wl_load(ctx, is_skb, p->payload_off, sc->msg, len))
			wl_dns_unreachable(st, p, sc, len);
		return;
	}
	if (len < WL_DNS_HDR + 5 || len > WL_DNS_BUF) {
		st->dns_skipped[WL_DNS_SKIP_MALFORMED]++;
		return;
	}
	sc = bpf_map_lookup_elem(&dns_scratch, &zero);
	if (!sc)
		return;
	if ((is_skb || wl_xdp_copy(ctx, p->payload_off, sc->msg, len)) &&
	    wl_load(ctx, is_skb, p->payload_off, sc->msg, len))
		return;
	if (wl_dns_msg(st, p, sc, len, WL_DNS_UDP))
		st->dns_skipped[WL_DNS_SKIP_MALFORMED]++;
}

/*
 * The timestamp option in a layout other than the usual two (those
 * wl_tcp_ts_fast() reads straight from the packet): the options copied
 * out and walked.
 */
static __always_inline void wl_tcp_options(void *ctx, int is_skb,
					   struct wl_pkt *p)
{
	struct wl_dns_scratch *sc;
	__u32 zero = 0;
	__u64 len;

	len = wl_len_in(p->payload_off - p->l4_off - sizeof(struct tcphdr),
			40);
	if (!len)
		return;
	sc = bpf_map_lookup_elem(&dns_scratch, &zero);	/* stack is short */
	if (sc && !wl_load(ctx, is_skb, p->l4_off + sizeof(struct tcphdr),
			   sc->opts.b, len))
		wl_tcp_ts_opts(&sc->opts, len, p);
}

/*
 * Global twins per program type, as WL_DNS_TCP_DEFINE's (xdp/ and tc/
 * define theirs): the TCP options in another layout than the usual two,
 * and a DNS datagram, each checked once by the verifier, not once for each
 * of the states the parse ends in (VLAN tags, IPv4 or IPv6, extension
 * headers, an ICMP error's quote: inlined, they were a fifth of the replay
 * program's verification and of TC's). The usual cases stay inline: a
 * segment with the usual options, a datagram on no DNS port, no call.
 */
#define WL_L4_DEFINE(suffix, ctx_type, is_skb)                               \
	__noinline int wl_tcp_opts_##suffix(ctx_type *ctx, struct wl_pkt *p) \
	{                                                                    \
		if (p)                                                       \
			wl_tcp_options(ctx, is_skb, p);                      \
		return 0;                                                    \
	}                                                                    \
	__noinline int wl_dns_udp_##suffix(ctx_type *ctx,                    \
					   struct wl_stats *st,              \
					   struct wl_pkt *p)                 \
	{                                                                    \
		if (st && p)                                                 \
			wl_dns_udp(ctx, is_skb, st, p);                      \
		return 0;                                                    \
	}

int wl_tcp_opts_xdp(struct xdp_md *ctx, struct wl_pkt *p);
int wl_tcp_opts_skb(struct __sk_buff *ctx, struct wl_pkt *p);
int wl_dns_udp_xdp(struct xdp_md *ctx, struct wl_stats *st, struct wl_pkt *p);
int wl_dns_udp_skb(struct __sk_buff *ctx, struct wl_stats *st,
		   struct wl_pkt *p);

/* A datagram wl_dns_udp() takes: on a DNS port (a quoted query: its destination). */
static __always_inline int wl_dns_udp_wanted(const struct wl_pkt *p)
{
	return p->quoted ? wl_is_dns_port(p->dport) :
			   wl_is_dns_port(p->sport) || wl_is_dns_port(p->dport);
}

/*
 * @pkt_len is the full length of the packet as TC knows it; offline it is
 * the capture's wire length (the frame may have been cut by the snaplen),
 * and live XDP asks for it only where a length reaches past the linear
 * part (parsing.h, wl_full_len()): 0 here.
 */
static __always_inline void wl_process(void *ctx, int is_skb, void *data,
				       void *data_end, __u32 pkt_len,
				       __u32 ifindex, int dir)
{
	struct wl_stats *st = wl_stats_of(ifindex);
	struct wl_pkt p = {};

	if (!st)
		return;
	p.data = data;
	p.data_end = data_end;
	p.xdp = is_skb || cfg.offline ? NULL : ctx;
	p.cap_len = data_end - data;
	p.pkt_len = pkt_len;
	p.scratch = &st->scratch;
	p.ifindex = ifindex;
	if (cfg.offline)
		p.pkt_len = wl_offline.wire_len;
	if (p.pkt_len < p.cap_len)
		p.pkt_len = p.cap_len;
	p.load_len = cfg.offline ? p.cap_len : p.pkt_len;

	wl_parse(&p);
	if (dir < 0 || dir >= WL_DIR_MAX || p.result >= WL_PKT_MAX)
		return;
	st->packets[dir][p.result]++;
	if (p.result == WL_PKT_MALFORMED) {
		if (p.reason < WL_MAL_MAX)
			st->malformed[p.reason]++;
		return;
	}
	if (p.result != WL_PKT_PARSED)
		return;
	if (p.l4proto == IPPROTO_TCP) {
		/* the usual option layouts straight from the packet, any
		 * other copied out and walked */
		if (!p.quoted && !wl_tcp_ts_fast(&p)) {
			if (is_skb)
				wl_tcp_opts_skb(ctx, &p);
			else
				wl_tcp_opts_xdp(ctx, &p);
		}
		wl_tcp(st, &p);
		wl_dns_tcp(ctx, is_skb, st, &p);
	} else if (p.l4proto == IPPROTO_UDP && wl_dns_udp_wanted(&p)) {
		if (is_skb)
			wl_dns_udp_skb(ctx, st, &p);
		else
			wl_dns_udp_xdp(ctx, st, &p);
	}
}

#endif /* WIRELAT_ENTRY_BPF_H */
