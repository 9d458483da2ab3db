/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dns_tcp.bpf.h - DNS over TCP: messages found by their 2-byte length
 * prefixes, followed across segments by sequence number per connection
 * and direction (dns_streams).
 *
 * A prefix alone at the end of a segment is normal: the body starts the
 * next one. A message whose header and question do not fit in the segment
 * it starts in is skipped and counted (split_header). Old data (a TCP
 * retransmission) is ignored. After a sequence gap the framing is lost
 * (counted): the parser waits for a segment that starts with a plausible
 * message (a length of at least a header, one question).
 */
#ifndef WIRELAT_DNS_TCP_BPF_H
#define WIRELAT_DNS_TCP_BPF_H

#include "dns.bpf.h"

#define WL_DNS_TCP_MAX_MSGS 32

/* bpf_{xdp,skb}_load_bytes: @is_skb is a constant where this is inlined. */
static __always_inline long wl_load(void *ctx, int is_skb, __u32 off,
				    void *buf, __u32 len)
{
	if (is_skb)
		return bpf_skb_load_bytes(ctx, off, buf, len);
	return bpf_xdp_load_bytes(ctx, off, buf, len);
}

/*
 * @len bytes (8 to WL_DNS_BUF) at @off of an XDP frame into @buf, read
 * straight from the frame when they are all in its linear part: 8 at a
 * time, the last word overlapping the one before it. Returns 0, or -1
 * when they are not all there (bpf_xdp_load_bytes() copies them then).
 * Why not the helper always: it is three calls (itself, bpf_xdp_pointer,
 * memcpy), and on a CPU with SRSO's safe-RET mitigation every return
 * costs ~5 ns: the helper was 20 ns of a DNS message's 170.
 */
static __always_inline int wl_xdp_copy(struct xdp_md *ctx, __u32 off,
				       __u8 *buf, __u64 len)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *end = (const __u8 *)(long)ctx->data_end;
	const __u8 *src, *w;
	__u32 i;

	/* the verifier grants a range to a packet pointer only while its
	 * largest offset stays within 64 kB: 32 kB, and the message's 512 */
	if (off > 0x7fff || len < 8 || len > WL_DNS_BUF)
		return -1;
	src = data + off;
	w = src + (len - 8);
	if (w + 8 > end)	/* also src + len > end: w ends the bytes */
		return -1;
	for (i = 0; i < WL_DNS_BUF / 8; i++) {
		if (8 * i + 8 > len)
			break;
		if (src + 8 * i + 8 > end)
			return -1;
		*(__u64 *)&buf[8 * i] = *(const __u64 *)(src + 8 * i);
	}
	*(__u64 *)&buf[len - 8] = *(const __u64 *)w;
	return 0;
}

static __always_inline int wl_seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

static __always_inline void wl_stream_key(struct wl_dns_stream_key *k,
					  const struct wl_pkt *p)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->ifindex = p->ifindex;
	k->family = p->family;
	__builtin_memcpy(k->saddr, p->saddr, 16);
	__builtin_memcpy(k->daddr, p->daddr, 16);
	k->sport = p->sport;
	k->dport = p->dport;
}

/*
 * Load @len bytes of the segment's payload at @off into sc->msg and hand
 * them to wl_dns_msg(). @whole: the message ends inside this segment.
 */
static __always_inline void wl_dns_tcp_msg(void *ctx, int is_skb,
					   struct wl_stats *st,
					   struct wl_pkt *p,
					   struct wl_dns_scratch *sc, __u32 off,
					   __u64 len, int whole)
{
	volatile __u64 *w = &sc->launder;

	/*
	 * The helper needs a bounded length, which makes the verifier track
	 * it exactly, and with it every offset of the message loop: one state
	 * per combination. A round trip through map memory leaves it only
	 * the bounds checked below.
	 */
	*w = len;
	len = *w;
	if (len > WL_DNS_BUF)
		len = WL_DNS_BUF;
	len = wl_len_in(len, WL_DNS_BUF);
	if (!len || wl_load(ctx, is_skb, p->payload_off + off, sc->msg, len)) {
		st->dns_skipped[whole ? WL_DNS_SKIP_MALFORMED :
					WL_DNS_SKIP_SPLIT]++;
		return;
	}
	if (wl_dns_msg(st, p, sc, len, WL_DNS_TCP))
		st->dns_skipped[whole ? WL_DNS_SKIP_MALFORMED :
					WL_DNS_SKIP_SPLIT]++;
}

/* Big-endian u16 of the payload at @off, or -1. */
static __always_inline int wl_load_be16(void *ctx, int is_skb,
					const struct wl_pkt *p, __u32 off)
{
	__u8 b[2];

	if (wl_load(ctx, is_skb, p->payload_off + off, b, 2))
		return -1;
	return b[0] << 8 | b[1];
}

/* Does a message start at @off: a sane length and one question? */
static __always_inline int wl_dns_plausible(void *ctx, int is_skb,
					    const struct wl_pkt *p, __u32 off)
{
	int len = wl_load_be16(ctx, is_skb, p, off);
	int qd = wl_load_be16(ctx, is_skb, p, off + 2 + 4);

	return len >= WL_DNS_HDR + 5 && qd == 1;
}

/*
 * wl_dns_tcp_msg() as global twins per program type (WL_DNS_TCP_DEFINE):
 * inlined, the load and the message's call were walked for each of the up
 * to WL_DNS_TCP_MAX_MSGS messages of a segment, twice (whole or cut).
 * @where: the offset in the high 32 bits, the length shifted by one, and
 * whether the message is whole in bit 0 (a global function takes five
 * arguments).
 */
int wl_dns_tcp_xdp_msg(struct xdp_md *ctx, struct wl_stats *st,
		       struct wl_pkt *p, struct wl_dns_scratch *sc, __u64 where);
int wl_dns_tcp_skb_msg(struct __sk_buff *ctx, struct wl_stats *st,
		       struct wl_pkt *p, struct wl_dns_scratch *sc, __u64 where);

static __always_inline void wl_dns_tcp_msg_call(void *ctx, int is_skb,
						struct wl_stats *st,
						struct wl_pkt *p,
						struct wl_dns_scratch *sc,
						__u32 off, __u32 len, int whole)
{
	__u64 where = (__u64)off << 32 | (__u64)(len & 0x7fffffff) << 1 |
		      !!whole;

	if (is_skb)
		wl_dns_tcp_skb_msg(ctx, st, p, sc, where);
	else
		wl_dns_tcp_xdp_msg(ctx, st, p, sc, where);
}

/*
 * The message of @mlen bytes at @start of a segment of @n payload bytes,
 * whole or (the segment ends first) its head only; returns the offset
 * after it.
 */
static __always_inline __u32 wl_dns_tcp_deliver(void *ctx, int is_skb,
						struct wl_stats *st,
						struct wl_pkt *p,
						struct wl_dns_scratch *sc,
						__u32 start, __u32 mlen,
						__u32 n)
{
	if (start + mlen <= n)
		wl_dns_tcp_msg_call(ctx, is_skb, st, p, sc, start, mlen, 1);
	else
		wl_dns_tcp_msg_call(ctx, is_skb, st, p, sc, start, n - start,
				    0);
	return start + mlen;
}

static __always_inline void wl_dns_tcp_segment(void *ctx, int is_skb,
					       struct wl_stats *st,
					       struct wl_pkt *p)
{
	struct wl_dns_stream_key *k;
	struct wl_dns_stream *s, *fresh;
	struct wl_dns_scratch *sc;
	__u32 n = p->payload_len, off = 0, seq = p->seq, zero = 0, i;

	if (p->quoted ||
	    (!wl_is_dns_port(p->sport) && !wl_is_dns_port(p->dport)))
		return;
	/* key and new values live in per-CPU scratch: the stack is short */
	sc = bpf_map_lookup_elem(&dns_scratch, &zero);
	if (!sc)
		return;
	k = &sc->skey;
	fresh = &sc->stream;
	__builtin_memset(fresh, 0, sizeof(*fresh));
	wl_stream_key(k, p);
	if (p->tcp_flags & (WL_TCP_RST | WL_TCP_FIN | WL_TCP_SYN)) {
		if (p->tcp_flags & WL_TCP_SYN) {	/* data starts at isn + 1 */
			fresh->next_seq = seq + 1;
			bpf_map_update_elem(&dns_streams, k, fresh, BPF_ANY);
			return;
		}
		if (p->tcp_flags & WL_TCP_RST) {
			bpf_map_delete_elem(&dns_streams, k);
			return;
		}
	}
	if (!n)
		return;
	if (n > p->load_len - p->payload_off)	/* cut by the snaplen */
		n = p->load_len - p->payload_off;

	s = bpf_map_lookup_elem(&dns_streams, k);
	if (!s) {
		/* first seen mid-stream: a message must start here */
		fresh->next_seq = seq;
		fresh->state = wl_dns_plausible(ctx, is_skb, p, 0) ?
				       WL_STREAM_SYNCED :
				       WL_STREAM_LOST;
		bpf_map_update_elem(&dns_streams, k, fresh, BPF_ANY);
		s = bpf_map_lookup_elem(&dns_streams, k);
		if (!s)
			return;
	}
	if (s->state == WL_STREAM_LOST) {
		if (!wl_dns_plausible(ctx, is_skb, p, 0))
			return;
		s->state = WL_STREAM_SYNCED;
		s->next_seq = seq;
	}
	if (seq != s->next_seq) {
		if (!wl_seq_before(seq, s->next_seq)) {
			/* a gap: bytes were lost, and with them the framing */
			st->dns_skipped[WL_DNS_SKIP_FRAMING]++;
			if (!wl_dns_plausible(ctx, is_skb, p, 0)) {
				s->state = WL_STREAM_LOST;
				return;
			}
			s->state = WL_STREAM_SYNCED;
			s->next_seq = seq;
		} else if (!wl_seq_before(s->next_seq, seq + n)) {
			return;	/* old data, or the middle of a long message */
		} else {
			off = s->next_seq - seq;
		}
	}
	/*
	 * A body whose length prefix ended the last segment: only ever first
	 * (the loop below leaves on that state). Taken out of the loop so the
	 * loop's header is not a state test its latch falls into, which
	 * Linux before 6.4 rejects as a back-edge (tests/check_cfg.py).
	 */
	if (s->state == WL_STREAM_BODY) {
		s->state = WL_STREAM_SYNCED;
		off = wl_dns_tcp_deliver(ctx, is_skb, st, p, sc, off,
					 s->body_len, n);
	}
	for (i = 0; i < WL_DNS_TCP_MAX_MSGS; i++) {
		__u32 start, mlen;
		int l;

		if (off >= n)
			break;
		if (off + 2 > n) {	/* a prefix split in two */
			st->dns_skipped[WL_DNS_SKIP_SPLIT]++;
			s->state = WL_STREAM_LOST;
			return;
		}
		l = wl_load_be16(ctx, is_skb, p, off);
		if (l < 0)
			break;
		mlen = l;
		start = off + 2;
		if (start == n) {	/* the body comes next */
			s->state = WL_STREAM_BODY;
			s->body_len = mlen;
			off = start;
			break;
		}
		off = wl_dns_tcp_deliver(ctx, is_skb, st, p, sc, start, mlen,
					 n);
	}
	s->next_seq = seq + off;
}

/*
 * Global twins per program type (a global function takes its context
 * typed): xdp/ defines the XDP one, tc/ the TC one, each with
 * WL_DNS_TCP_DEFINE. Checked once by the verifier, not once per parse path.
 */
#define WL_DNS_TCP_DEFINE(name, ctx_type, is_skb)                            \
	__noinline int name(ctx_type *ctx, struct wl_stats *st,              \
			    struct wl_pkt *p)                                \
	{                                                                    \
		if (st && p)                                                 \
			wl_dns_tcp_segment(ctx, is_skb, st, p);              \
		return 0;                                                    \
	}                                                                    \
	__noinline int name##_msg(ctx_type *ctx, struct wl_stats *st,        \
				  struct wl_pkt *p,                          \
				  struct wl_dns_scratch *sc, __u64 where)    \
	{                                                                    \
		if (st && p && sc)                                           \
			wl_dns_tcp_msg(ctx, is_skb, st, p, sc, where >> 32,  \
				       (__u32)where >> 1, where & 1);        \
		return 0;                                                    \
	}

int wl_dns_tcp_xdp(struct xdp_md *ctx, struct wl_stats *st, struct wl_pkt *p);
int wl_dns_tcp_skb(struct __sk_buff *ctx, struct wl_stats *st,
		   struct wl_pkt *p);

static __always_inline void wl_dns_tcp(void *ctx, int is_skb,
				       struct wl_stats *st, struct wl_pkt *p)
{
	if (p->payload_len == 0 && !(p->tcp_flags & (WL_TCP_SYN | WL_TCP_RST)))
		return;		/* a pure ACK: nothing for the framing */
	if (!wl_is_dns_port(p->sport) && !wl_is_dns_port(p->dport))
		return;
	if (is_skb)
		wl_dns_tcp_skb(ctx, st, p);
	else
		wl_dns_tcp_xdp(ctx, st, p);
}

#endif /* WIRELAT_DNS_TCP_BPF_H */
