/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parsing.h - header parsing shared by every BPF entry point (XDP, TC and
 * the offline replay, which runs the XDP program).
 *
 * In the hdr_cursor mold: one helper per header, each checks the header
 * against data_end before reading it, checks length fields before using
 * them, and returns 0 to go on or -1 to stop. On -1, pkt->result says why
 * (malformed with pkt->reason, truncated, fragment or other).
 *
 * Lengths are judged against the packet's full length (pkt_len: skb->len,
 * bpf_xdp_get_buff_len(), or the wire length offline), never against the
 * linear part; live XDP asks for it only where a length reaches past the
 * linear part (wl_full_len()). A header that runs past data_end while the
 * packet is longer than what the program can see (cap_len) was cut by the
 * capture: truncated, not malformed.
 */
#ifndef WIRELAT_PARSING_H
#define WIRELAT_PARSING_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "wirelat.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#define WL_ETH_P_QINQ_OLD 0x9100	/* pre-standard QinQ outer tag */
#define WL_MAX_VLAN 3
#define WL_MAX_IPV6_EXT 8

#define WL_TCP_FIN 0x01
#define WL_TCP_SYN 0x02
#define WL_TCP_RST 0x04
#define WL_TCP_PSH 0x08
#define WL_TCP_ACK 0x10

/*
 * ICMP and ICMPv6 share this 8-byte header layout. Defined here rather than
 * taken from <linux/icmp.h>, which pulls <linux/if.h> and through it the C
 * library's <sys/socket.h>: BPF objects include no C-library header
 * (the Makefile checks every object's dependency list).
 */
struct wl_icmp_hdr {
	__u8 type;
	__u8 code;
	__be16 checksum;
	__be32 rest;
};
#define WL_ICMP_DEST_UNREACH 3	/* RFC 792 */
#define WL_ICMPV6_DEST_UNREACH 1	/* RFC 4443 */

struct wl_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* What the parser learnt about one packet. Addresses in network order. */
struct wl_pkt {
	void *data;
	void *data_end;
	void *xdp;		/* live XDP: its full length not asked yet */
	__u32 pkt_len;		/* full length of the frame on the wire */
	__u32 cap_len;		/* bytes from data the program can read */
	__u8 result;		/* enum wl_pkt_result */
	__u8 reason;		/* enum wl_malformed when malformed */
	__u8 family;		/* 4 or 6 */
	__u8 l4proto;		/* IPPROTO_* of the (quoted) L4 header */
	__u8 quoted;		/* L4 fields come from an ICMP error's quote */
	__u8 tcp_flags;
	__u16 vlan_depth;
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport;		/* host order */
	__u16 dport;
	__u32 seq;		/* host order */
	__u32 ack;
	__u32 l4_len;		/* IP payload length from the IP header */
	__u32 l4_off;		/* offset of the L4 header from data */
	__u32 payload_off;	/* offset of the TCP/UDP payload */
	__u32 payload_len;
	__u32 *scratch;		/* per-CPU word, see wl_launder() */
	__u32 ifindex;
	__u32 load_len;		/* bytes the load_bytes helpers can reach */
	__u32 tsval;		/* TCP timestamp option, when has_ts */
	__u32 tsecr;
	__u16 window;		/* advertised window, unscaled */
	__u8 has_ts;
	__u8 pad;
};

/*
 * Offsets are scalars masked to 12 bits before each packet access: every
 * parse path then reaches the next header with the same known range, so
 * the verifier can prune instead of walking each combination of VLAN tags
 * and extension headers. Headers start within the first 4 KiB (the linear
 * part of an XDP frame is smaller than that anyway).
 */
#define WL_OFF_MASK 0xfff

/*
 * Return @off as a value the verifier knows nothing about but its range
 * [0, WL_OFF_MASK]: the word makes a round trip through per-CPU map memory,
 * which the verifier does not track. Without this, each combination of
 * extension headers reaches the next header with its own exact range and
 * the verifier walks them all (the program fails to load); with it, they
 * meet in one state. XDP and TC never interleave on one CPU, so the
 * per-CPU word is private for the duration.
 */
static __always_inline __u32 wl_launder(struct wl_pkt *p, __u32 off)
{
	volatile __u32 *w = p->scratch;

	*w = off;
	return *w & WL_OFF_MASK;
}

/*
 * @len when it is in [1, @max], else 0, in a form every verifier bounds
 * on both sides: a length handed to a helper must be at least 1, and
 * clang makes `len < 1` a `len == 0` test, from which verifiers before
 * 6.8 learn no lower bound. Here the test is on len - 1 (unsigned), and
 * what is returned is that tested register plus 1.
 */
static __always_inline __u64 wl_len_in(__u64 len, __u64 max)
{
	len -= 1;
	asm volatile("" : "+r"(len));
	if (len >= max)
		return 0;
	return len + 1;
}

/* Pointer to @len bytes at @off, or NULL when they are not all there. */
static __always_inline void *wl_hdr(const struct wl_pkt *p, __u32 off,
				    __u32 len)
{
	void *h;

	if (off > WL_OFF_MASK)
		return NULL;
	h = p->data + (off & WL_OFF_MASK);
	if (h + len > p->data_end)
		return NULL;
	return h;
}

/* Stop: the packet is malformed for @reason. */
static __always_inline int wl_malformed(struct wl_pkt *p, int reason)
{
	p->result = WL_PKT_MALFORMED;
	p->reason = reason;
	return -1;
}

/* Stop with a plain result (fragment, other). */
static __always_inline int wl_stop(struct wl_pkt *p, int result)
{
	p->result = result;
	return -1;
}

/*
 * The packet's full length, for a length that reaches @end. Only past the
 * linear part (cap_len) can it matter, and only there does live XDP ask
 * bpf_xdp_get_buff_len(): asked for every frame, the call was ~10 ns of
 * every packet's cost (make bench, steady state), and a frame without
 * fragments is its linear part.
 */
static __always_inline __u32 wl_full_len(struct wl_pkt *p, __u64 end)
{
	if (end > p->cap_len && p->xdp) {
		/* asked again if asked twice: that is a rare frame, and one
		 * pointer kept in both paths lets the verifier join them */
		__u32 len = bpf_xdp_get_buff_len(p->xdp);

		p->pkt_len = len > p->cap_len ? len : p->cap_len;
		p->load_len = p->pkt_len;
	}
	return p->pkt_len;
}

/*
 * A header of @len bytes at @pos does not fit before data_end. If it would
 * fit in the packet's full length and the program sees less than that, the
 * capture cut it (truncated); otherwise the packet itself is too short.
 */
static __always_inline int wl_cut(struct wl_pkt *p, __u32 off, __u32 len,
				  int reason)
{
	__u64 end = (__u64)off + len;

	if (p->cap_len < wl_full_len(p, end) && end <= p->pkt_len)
		return wl_stop(p, WL_PKT_TRUNCATED);
	return wl_malformed(p, reason);
}

static __always_inline int wl_is_vlan(__u16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD) ||
	       proto == bpf_htons(WL_ETH_P_QINQ_OLD);
}

/*
 * Ethernet and up to three stacked VLAN tags (802.1Q, 802.1ad). Returns
 * the inner ethertype (network order) or -1; *off moves past them.
 */
static __always_inline int wl_parse_eth(struct wl_pkt *p, __u32 *off)
{
	struct ethhdr *eth = wl_hdr(p, 0, sizeof(*eth));
	__u16 proto;
	int i;

	if (!eth)
		return wl_cut(p, 0, sizeof(*eth), WL_MAL_ETH_SHORT);
	proto = eth->h_proto;
	*off = sizeof(*eth);

	for (i = 0; i < WL_MAX_VLAN + 1; i++) {
		struct wl_vlan_hdr *vh;

		if (!wl_is_vlan(proto))
			break;
		if (i == WL_MAX_VLAN)
			return wl_malformed(p, WL_MAL_VLAN_DEPTH);
		vh = wl_hdr(p, *off, sizeof(*vh));
		if (!vh)
			return wl_cut(p, *off, sizeof(*vh), WL_MAL_VLAN_SHORT);
		proto = vh->encap_proto;
		*off += sizeof(*vh);
		p->vlan_depth++;
	}
	return proto;
}

/*
 * A length field @len of 0 in a packet longer than the field can say
 * (over 64 KiB after the header, @from): a GSO or GRO super-packet of BIG
 * TCP (gso_max_size, gro_max_size above 65536), which TC sees whole; its
 * length is the rest of the packet. Any other @len is returned as it is.
 */
static __always_inline __u32 wl_big_len(struct wl_pkt *p, __u32 len,
					__u32 from)
{
	if (len == 0 && wl_full_len(p, ~0ULL) > from &&
	    p->pkt_len - from > 0xffff)
		return p->pkt_len - from;
	return len;
}

/* IPv4 header with options. Returns the L4 protocol or -1. */
static __always_inline int wl_parse_ipv4(struct wl_pkt *p, __u32 *off)
{
	struct iphdr *ip = wl_hdr(p, *off, sizeof(*ip));
	__u32 hl, tot;

	if (!ip)
		return wl_cut(p, *off, sizeof(*ip), WL_MAL_IPV4_SHORT);
	if (ip->version != 4)
		return wl_malformed(p, WL_MAL_IPV4_VERSION);
	hl = ip->ihl * 4;
	if (hl < sizeof(*ip))
		return wl_malformed(p, WL_MAL_IPV4_IHL);
	if (!wl_hdr(p, *off, hl))
		return wl_cut(p, *off, hl, WL_MAL_IPV4_IHL);
	tot = wl_big_len(p, bpf_ntohs(ip->tot_len), *off);
	if (tot < hl || *off + tot > wl_full_len(p, (__u64)*off + tot))
		return wl_malformed(p, WL_MAL_IPV4_LENGTH);
	if (ip->frag_off & bpf_htons(0x1fff))
		return wl_stop(p, WL_PKT_FRAGMENT);

	p->family = 4;
	p->saddr[0] = ip->saddr;
	p->daddr[0] = ip->daddr;
	p->l4_len = tot - hl;
	*off += hl;
	return ip->protocol;
}

static __always_inline int wl_is_ipv6_ext(__u8 next)
{
	return next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING ||
	       next == IPPROTO_DSTOPTS || next == IPPROTO_FRAGMENT ||
	       next == IPPROTO_AH;
}

/*
 * Fixed IPv6 header and up to eight extension headers (hop-by-hop,
 * routing, fragment, destination options, AH). Returns the L4 protocol
 * or -1; a non-first fragment stops as a fragment.
 */
static __always_inline int wl_parse_ipv6(struct wl_pkt *p, __u32 *off)
{
	struct ipv6hdr *ip6 = wl_hdr(p, *off, sizeof(*ip6));
	__u32 plen, start;
	__u8 next;
	int i;

	if (!ip6)
		return wl_cut(p, *off, sizeof(*ip6), WL_MAL_IPV6_SHORT);
	if (ip6->version != 6)
		return wl_malformed(p, WL_MAL_IPV6_VERSION);
	plen = wl_big_len(p, bpf_ntohs(ip6->payload_len),
			  *off + sizeof(*ip6));
	if (*off + sizeof(*ip6) + plen >
	    wl_full_len(p, (__u64)*off + sizeof(*ip6) + plen))
		return wl_malformed(p, WL_MAL_IPV6_LENGTH);

	p->family = 6;
	__builtin_memcpy(p->saddr, &ip6->saddr, 16);
	__builtin_memcpy(p->daddr, &ip6->daddr, 16);
	next = ip6->nexthdr;
	*off += sizeof(*ip6);
	start = *off;

	/*
	 * Unrolled: as a loop, clang lets its latch fall through into the
	 * header, which Linux before 6.4 rejects ("back-edge",
	 * tests/check_cfg.py).
	 */
#pragma unroll
	for (i = 0; i < WL_MAX_IPV6_EXT + 1; i++) {
		struct ipv6_opt_hdr *eh;
		__u32 len;

		if (!wl_is_ipv6_ext(next))
			break;
		if (i == WL_MAX_IPV6_EXT)
			return wl_malformed(p, WL_MAL_IPV6_EXT_DEPTH);
		eh = wl_hdr(p, *off, 8);
		if (!eh)
			return wl_cut(p, *off, 8, WL_MAL_IPV6_EXT);
		/* a fragment header is 8 bytes; its reserved byte is ignored */
		if (next == IPPROTO_FRAGMENT) {
			if (*(__be16 *)((void *)eh + 2) & bpf_htons(0xfff8))
				return wl_stop(p, WL_PKT_FRAGMENT);
			len = 8;
		} else if (next == IPPROTO_AH) {
			len = ((__u32)eh->hdrlen + 2) * 4;
		} else {
			len = ((__u32)eh->hdrlen + 1) * 8;
		}
		if (*off + len > WL_OFF_MASK)	/* headers past 4 KiB */
			return wl_stop(p, WL_PKT_OTHER);
		if (*off + len - start > plen)
			return wl_malformed(p, WL_MAL_IPV6_EXT);
		next = eh->nexthdr;
		*off = wl_launder(p, *off + len);
	}
	p->l4_len = plen - (*off - start);
	return next;
}

/* TCP header: data offset checked against the IP payload. */
static __always_inline int wl_parse_tcp(struct wl_pkt *p, __u32 off)
{
	struct tcphdr *th = wl_hdr(p, off, sizeof(*th));
	__u32 doff;

	if (!th)
		return wl_cut(p, off, sizeof(*th), WL_MAL_TCP_SHORT);
	if (p->l4_len < sizeof(*th))
		return wl_malformed(p, WL_MAL_TCP_SHORT);
	doff = th->doff * 4;
	if (doff < sizeof(*th) || doff > p->l4_len)
		return wl_malformed(p, WL_MAL_TCP_DOFF);
	if (!wl_hdr(p, off, doff))
		return wl_cut(p, off, doff, WL_MAL_TCP_DOFF);

	p->l4proto = IPPROTO_TCP;
	p->sport = bpf_ntohs(th->source);
	p->dport = bpf_ntohs(th->dest);
	p->seq = bpf_ntohl(th->seq);
	p->ack = bpf_ntohl(th->ack_seq);
	p->tcp_flags = ((__u8 *)th)[13];
	p->window = bpf_ntohs(th->window);
	p->l4_off = off;
	p->payload_off = off + doff;
	p->payload_len = p->l4_len - doff;
	return 0;
}

/* TCP options copied out of the packet: at most 40 bytes, room for 64. */
struct wl_tcp_opts {
	__u8 b[64];
	__u32 pos;	/* the walk's place: see wl_ts_step() */
	__u32 pad;
};

/* Byte @i of @o; the mask sits behind a barrier so clang keeps it. */
static __always_inline __u8 wl_opt_byte(const struct wl_tcp_opts *o, __u32 i)
{
	asm volatile("" : "+r"(i));
	return o->b[i & 63];
}

/* wl_tcp_ts_walk()'s state, on its stack: bpf_loop() takes no other. */
struct wl_ts_walk {
	struct wl_tcp_opts *o;
	__u32 len;
	__s32 ret;
	__u32 v[2];
};

/*
 * One option, at o->pos: 0 to go on, 1 to stop (w->ret says why). The
 * position lives in the options' buffer, memory the verifier does not
 * track, so the callback converges in one state whatever lengths came
 * before (on the stack, each position would be a state of its own).
 */
static long wl_ts_step(__u32 i __attribute__((unused)), void *arg)
{
	struct wl_ts_walk *w = arg;
	struct wl_tcp_opts *o = w->o;
	__u32 pos = o->pos, len = w->len, j;
	__u8 kind, olen;

	if (pos >= len)
		return 1;
	kind = wl_opt_byte(o, pos);
	if (kind == 0)			/* end of options */
		return 1;
	if (kind == 1) {		/* NOP */
		o->pos = pos + 1;
		return 0;
	}
	w->ret = -1;
	if (pos + 1 >= len)
		return 1;
	olen = wl_opt_byte(o, pos + 1);
	if (olen < 2 || pos + olen > len)
		return 1;
	w->ret = 0;
	if (kind == 8 && olen == 10) {
		for (j = 0; j < 8; j++)
			w->v[j / 4] = w->v[j / 4] << 8 |
				      wl_opt_byte(o, pos + 2 + j);
		w->ret = 1;
		return 1;
	}
	o->pos = pos + olen;
	return 0;
}

/*
 * Find the timestamp option (kind 8, length 10) in @len bytes of options.
 * Returns 1 and fills p->tsval/tsecr when present, 0 when absent, -1 when
 * the options are malformed (a length below 2 or past the header). A
 * bpf_loop(): its step is verified once, where an unrolled walk of 40
 * options was 12k instructions of each program's verification.
 */
static __always_inline int wl_tcp_ts_walk(struct wl_tcp_opts *o, __u32 len,
					  struct wl_pkt *p)
{
	struct wl_ts_walk w = { .o = o, .len = len };

	if (len > 40)
		return -1;
	o->pos = 0;
	/* each step takes a byte at least: 40 steps end any walk */
	bpf_loop(40, wl_ts_step, &w, 0);
	if (w.ret == 1) {
		p->tsval = w.v[0];
		p->tsecr = w.v[1];
		p->has_ts = 1;
	}
	return w.ret;
}

/*
 * The usual layouts first: NOP, NOP, timestamp (what Linux sends on every
 * segment after the handshake) and MSS, SACK-permitted, timestamp (its SYN
 * and SYN-ACK). Fills p->tsval/tsecr and returns 1 when found there; 0
 * otherwise (the options are then walked).
 */
static __always_inline int wl_tcp_ts_fast(struct wl_pkt *p)
{
	__u32 olen = p->payload_off - p->l4_off - sizeof(struct tcphdr);
	__u8 *o;

	if (olen < 12)
		return 0;
	o = wl_hdr(p, p->l4_off + sizeof(struct tcphdr), 12);
	if (!o)
		return 0;
	if (*(__be32 *)o == bpf_htonl(0x0101080a)) {
		o += 4;		/* NOP, NOP, TS: every later Linux segment */
	} else if (olen >= 16 && o[0] == 2 && o[1] == 4 &&
		   *(__be32 *)(o + 4) == bpf_htonl(0x0402080a)) {
		/* MSS, SACK-permitted, TS: a Linux SYN or SYN-ACK */
		o = wl_hdr(p, p->l4_off + sizeof(struct tcphdr) + 8, 8);
		if (!o)
			return 0;
	} else {
		return 0;
	}
	p->tsval = bpf_ntohl(*(__be32 *)o);
	p->tsecr = bpf_ntohl(*(__be32 *)(o + 4));
	p->has_ts = 1;
	return 1;
}

/* UDP header: length field checked against the IP payload. */
static __always_inline int wl_parse_udp(struct wl_pkt *p, __u32 off)
{
	struct udphdr *uh = wl_hdr(p, off, sizeof(*uh));
	__u32 len;

	if (!uh)
		return wl_cut(p, off, sizeof(*uh), WL_MAL_UDP_SHORT);
	if (p->l4_len < sizeof(*uh))
		return wl_malformed(p, WL_MAL_UDP_SHORT);
	len = bpf_ntohs(uh->len);
	if (len < sizeof(*uh) || len > p->l4_len)
		return wl_malformed(p, WL_MAL_UDP_LENGTH);

	p->l4proto = IPPROTO_UDP;
	p->sport = bpf_ntohs(uh->source);
	p->dport = bpf_ntohs(uh->dest);
	p->l4_off = off;
	p->payload_off = off + sizeof(*uh);
	p->payload_len = len - sizeof(*uh);
	return 0;
}

/*
 * The packet an ICMP destination-unreachable quotes: its IP header and the
 * first 8 bytes of its L4 header (ports, and the TCP sequence number).
 * On success the L4 fields describe the quoted packet and p->quoted is set.
 * An error quoting something other than TCP/UDP is "other".
 */
static __always_inline int wl_parse_quote(struct wl_pkt *p, __u32 off,
					  __u32 room)
{
	__u32 hl = sizeof(struct ipv6hdr);
	__u8 *l4;
	__u8 proto;

	/* @room: bytes of the ICMP message left for the quote */
	if (p->family == 4) {
		struct iphdr *ip = wl_hdr(p, off, sizeof(*ip));

		if (!ip)
			return wl_cut(p, off, sizeof(*ip), WL_MAL_ICMP_SHORT);
		hl = ip->ihl * 4;
		if (ip->version != 4 || hl < sizeof(*ip))
			return wl_malformed(p, WL_MAL_ICMP_SHORT);
		if (ip->frag_off & bpf_htons(0x1fff))
			return wl_stop(p, WL_PKT_OTHER);
		p->saddr[0] = ip->saddr;
		p->daddr[0] = ip->daddr;
		proto = ip->protocol;
	} else {
		struct ipv6hdr *ip6 = wl_hdr(p, off, sizeof(*ip6));

		if (!ip6)
			return wl_cut(p, off, sizeof(*ip6), WL_MAL_ICMP_SHORT);
		if (ip6->version != 6)
			return wl_malformed(p, WL_MAL_ICMP_SHORT);
		__builtin_memcpy(p->saddr, &ip6->saddr, 16);
		__builtin_memcpy(p->daddr, &ip6->daddr, 16);
		proto = ip6->nexthdr;
	}
	/* the quoted header and 8 bytes of L4 must lie inside the message */
	if (hl + 8 > room)
		return wl_malformed(p, WL_MAL_ICMP_SHORT);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return wl_stop(p, WL_PKT_OTHER);
	off += hl;
	l4 = wl_hdr(p, off, 8);
	if (!l4)
		return wl_cut(p, off, 8, WL_MAL_ICMP_SHORT);

	p->quoted = 1;
	p->l4proto = proto;
	p->sport = bpf_ntohs(*(__be16 *)l4);
	p->dport = bpf_ntohs(*(__be16 *)(l4 + 2));
	p->seq = proto == IPPROTO_TCP ? bpf_ntohl(*(__be32 *)(l4 + 4)) : 0;
	p->l4_off = off;
	/* quoted bytes after the 8 of L4 (a UDP quote: its payload) */
	p->payload_off = off + 8;
	p->payload_len = room - hl - 8;
	return 0;
}

/*
 * ICMP / ICMPv6: only destination-unreachable matters (it ends a pending
 * handshake or query); every other type is parsed and left alone.
 */
static __always_inline int wl_parse_icmp(struct wl_pkt *p, __u32 off)
{
	struct wl_icmp_hdr *ih = wl_hdr(p, off, sizeof(*ih)); /* 8 bytes */

	if (!ih)
		return wl_cut(p, off, sizeof(*ih), WL_MAL_ICMP_SHORT);
	if (p->l4_len < sizeof(*ih))
		return wl_malformed(p, WL_MAL_ICMP_SHORT);
	p->l4proto = p->family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	if ((p->family == 4 && ih->type != WL_ICMP_DEST_UNREACH) ||
	    (p->family == 6 && ih->type != WL_ICMPV6_DEST_UNREACH))
		return 0;
	return wl_parse_quote(p, off + sizeof(*ih), p->l4_len - sizeof(*ih));
}

/*
 * Parse one frame from Ethernet to L4. Returns 0 with p->result ==
 * WL_PKT_PARSED when TCP, UDP or ICMP was found; -1 otherwise.
 */
static __always_inline int wl_parse(struct wl_pkt *p)
{
	__u32 off = 0;
	int proto;

	proto = wl_parse_eth(p, &off);
	if (proto < 0)
		return -1;
	if (proto == bpf_htons(ETH_P_IP))
		proto = wl_parse_ipv4(p, &off);
	else if (proto == bpf_htons(ETH_P_IPV6))
		proto = wl_parse_ipv6(p, &off);
	else
		return wl_stop(p, WL_PKT_OTHER);
	if (proto < 0)
		return -1;

	p->result = WL_PKT_PARSED;
	switch (proto) {
	case IPPROTO_TCP:
		return wl_parse_tcp(p, off);
	case IPPROTO_UDP:
		return wl_parse_udp(p, off);
	case IPPROTO_ICMP:
		if (p->family != 4)
			break;
		return wl_parse_icmp(p, off);
	case IPPROTO_ICMPV6:
		if (p->family != 6)
			break;
		return wl_parse_icmp(p, off);
	}
	return wl_stop(p, WL_PKT_OTHER);
}

#endif /* WIRELAT_PARSING_H */
