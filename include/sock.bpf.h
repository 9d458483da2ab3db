/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock.bpf.h - the socket path: TCP state changes of the sockets in
 * wirelat's own network namespace, for connections the wire view misses
 * (loopback, interfaces not watched, hooks that could not attach).
 *
 * One state machine, fed by either entry (sock/): the raw tracepoint
 * inet_sock_set_state, or kprobes on kernels without it. Per socket:
 *   CLOSE -> SYN_SENT           connect() starts: its time is kept
 *   SYN_SENT -> ESTABLISHED     active open: tcp_handshake (connect latency)
 *   SYN_SENT -> CLOSE           failed connect: tcp_handshake_failed
 *   SYN_RECV -> ESTABLISHED     passive open (the accepted child)
 *   ... -> CLOSE                tcp_close with what the socket counted
 * A connection is reported once: not when the wire view has it (a
 * pending handshake, a tracked connection, or a failure it reported), and
 * when both ends are local only by the connecting end.
 */
#ifndef WIRELAT_SOCK_BPF_H
#define WIRELAT_SOCK_BPF_H

#include "kernel_sock.bpf.h"
#include "flow.bpf.h"
#include "stats.bpf.h"

/* The socket's tuple as a canonical flow key on @ifindex, and its side. */
static __always_inline int wl_sock_key(struct wl_flow_key *k,
				       struct sock___wl *sk, __u32 ifindex)
{
	struct wl_pkt p = {};
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u32 *d6;

	if (family == WL_AF_INET6) {
		/* the whole address: BPF_CORE_READ_INTO would copy one word */
		bpf_core_read(p.saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(p.daddr, 16, &sk->__sk_common.skc_v6_daddr);
		d6 = p.daddr;
		/* a v4-mapped peer travels as IPv4: key it as the wire does */
		if (d6[0] == 0 && d6[1] == 0 && d6[2] == bpf_htonl(0xffff))
			family = WL_AF_INET;
	}
	if (family == WL_AF_INET) {
		__builtin_memset(p.saddr, 0, sizeof(p.saddr));
		__builtin_memset(p.daddr, 0, sizeof(p.daddr));
		p.saddr[0] = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		p.daddr[0] = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		p.family = 4;
	} else {
		p.family = 6;
	}
	p.sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock___wl *)sk,
					  inet_sport));
	p.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	return wl_flow_key(k, &p, ifindex);
}

/*
 * True when the wire view has or had this connection on a watched
 * interface: a pending handshake (its ACK may still be on its way out
 * when the socket becomes ESTABLISHED), a tracked connection, or a
 * handshake failure it reported a moment ago.
 */
static __always_inline int wl_sock_wire_seen(struct wl_flow_key *k,
					     __u64 now)
{
	__u64 *failed;
	__u32 i;

	for (i = 0; i < WL_MAX_IFACES && i < cfg.n_ifaces; i++) {
		k->ifindex = cfg.ifindex[i];
		if (bpf_map_lookup_elem(&handshakes, k) ||
		    bpf_map_lookup_elem(&conns, k))
			return 1;
		failed = bpf_map_lookup_elem(&wire_failed, k);
		/* a port reused later is another connection */
		if (failed && now - *failed < WL_WIRE_FAILED_FRESH_NS)
			return 1;
	}
	k->ifindex = 0;
	return 0;
}

/* The interface the socket routes through (0 when it has no route yet). */
static __always_inline __u32 wl_sock_ifindex(struct sock___wl *sk)
{
	return BPF_CORE_READ(sk, sk_dst_cache, dev, ifindex);
}

static __always_inline struct wl_sock_stats *wl_sock_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sock_stats, &zero);
}

/* A record of the socket path with its tuple, NULL when the ring is full. */
static __always_inline struct wl_record *
wl_sock_record(struct wl_sock_stats *ss, struct sock___wl *sk,
	       const struct wl_sock_conn *c, int type, __u64 now)
{
	struct wl_flow_key k;
	struct wl_record *r;
	int side = wl_sock_key(&k, sk, 0);

	r = bpf_ringbuf_reserve(&records, WL_RECORD_TCP_SIZE, 0);
	if (!r) {
		ss->records_dropped++;
		return NULL;
	}
	__builtin_memset(r, 0, WL_RECORD_TCP_SIZE);
	/* the local end is the client of an active open */
	wl_rec_tuple(r, &k, c->role == WL_SOCK_ACTIVE ? side : !side);
	r->ifindex = wl_sock_ifindex(sk);
	r->ts_ns = now;
	r->type = type;
	r->source = WL_SRC_SOCK;
	return r;
}

static __always_inline void wl_sock_established(struct wl_sock_stats *ss,
						struct sock___wl *sk,
						struct wl_sock_conn *c,
						__u64 now)
{
	struct wl_flow_key k;
	struct wl_record *r;
	__s64 hs;

	wl_sock_key(&k, sk, 0);
	if (wl_sock_wire_seen(&k, now)) {
		c->quiet = 1;
		ss->wire_seen++;
		return;
	}
	/*
	 * Both ends local: the connecting end becomes ESTABLISHED before its
	 * ACK leaves, so before the accepting end does; it claims the tuple.
	 */
	if (bpf_map_update_elem(&sock_tuples, &k, &now, BPF_NOEXIST)) {
		c->quiet = 1;
		ss->peer_reported++;
		return;
	}
	hs = (__s64)(now - c->start_ns);
	ss->result[WL_SOCK_COMPLETED]++;
	wl_hist_observe(&ss->connect, &ss->negative_durations, hs);
	c->reported = 1;
	r = wl_sock_record(ss, sk, c, WL_REC_HANDSHAKE, now);
	if (!r)
		return;
	r->hs.handshake_ns = hs;
	wl_rec_submit(r);
}

/* How a connect ended, from the error the kernel left on the socket. */
static __always_inline int wl_sock_fail_reason(int err)
{
	switch (err) {
	case WL_ECONNREFUSED:
		return WL_FAIL_REFUSED;
	case WL_ETIMEDOUT:
		return WL_FAIL_TIMEOUT;
	case WL_EHOSTUNREACH:
	case WL_ENETUNREACH:
		return WL_FAIL_UNREACHABLE;
	}
	return WL_FAIL_ABORTED;	/* closed by its application, or no route */
}

static __always_inline void wl_sock_connect_failed(struct wl_sock_stats *ss,
						   struct sock___wl *sk,
						   const struct wl_sock_conn *c,
						   __u64 now)
{
	struct tcp_sock___wl *tp = (void *)sk;
	int reason = wl_sock_fail_reason(BPF_CORE_READ(sk, sk_err));
	struct wl_flow_key k;
	struct wl_record *r;

	wl_sock_key(&k, sk, 0);
	if (!k.port_lo || !k.port_hi || wl_sock_wire_seen(&k, now)) {
		/* no SYN ever left (no port), or the wire told it */
		if (k.port_lo && k.port_hi)
			ss->wire_seen++;
		return;
	}
	ss->result[reason == WL_FAIL_REFUSED ? WL_SOCK_REFUSED :
		   reason == WL_FAIL_TIMEOUT ? WL_SOCK_TIMEOUT :
					       WL_SOCK_OTHER]++;
	r = wl_sock_record(ss, sk, c, WL_REC_HANDSHAKE_FAILED, now);
	if (!r)
		return;
	r->reason = reason;
	/* in SYN_SENT every retransmission is one of the SYN */
	r->syn_retransmits = BPF_CORE_READ(tp, total_retrans);
	r->fail.elapsed_ns = (__s64)(now - c->start_ns);
	wl_rec_submit(r);
}

/*
 * The connection is over: tcp_close with what the socket counted. @old is
 * the state it leaves; going to CLOSE straight from ESTABLISHED or
 * CLOSE_WAIT means a reset (received: sk_err says so; else sent here).
 */
static __always_inline void wl_sock_closed(struct wl_sock_stats *ss,
					   struct sock___wl *sk,
					   struct wl_sock_conn *c, int old,
					   __u64 now)
{
	struct tcp_sock___wl *tp = (void *)sk;
	int err = BPF_CORE_READ(sk, sk_err);
	int reset_in = err == WL_ECONNRESET || err == WL_EPIPE;
	int local = c->role == WL_SOCK_ACTIVE ? 1 : 2;	/* closed_by value */
	int out = c->role == WL_SOCK_ACTIVE ? 0 : 1;	/* c2s or s2c */
	struct wl_flow_key k;
	struct wl_record *r;
	__u32 srtt;

	wl_sock_key(&k, sk, 0);
	bpf_map_delete_elem(&sock_tuples, &k);
	r = wl_sock_record(ss, sk, c, WL_REC_CLOSE, now);
	if (!r)
		return;
	r->reason = reset_in || old == WL_TCP_ESTABLISHED ||
				    old == WL_TCP_CLOSE_WAIT ?
			    WL_CLOSE_RST :
			    WL_CLOSE_FIN;
	if (c->first_close)
		r->close.closed_by = c->first_close == 1 ? local : 3 - local;
	else
		r->close.closed_by = reset_in ? 3 - local : local;
	r->close.sock_side = local;
	r->close.duration_ns = now > c->start_ns ? now - c->start_ns : 0;
	r->close.bytes[out] = BPF_CORE_READ(tp, bytes_sent);
	r->close.bytes[!out] = BPF_CORE_READ(tp, bytes_received);
	if (c->fin_in && r->close.bytes[!out])
		r->close.bytes[!out]--;	/* payload bytes, as on the wire */
	r->close.segments[out] = BPF_CORE_READ(tp, data_segs_out);
	r->close.segments[!out] = BPF_CORE_READ(tp, data_segs_in);
	r->close.retrans[out] = BPF_CORE_READ(tp, total_retrans);
	/* the socket's RTT is to its peer: the server's side for a client */
	srtt = BPF_CORE_READ(tp, srtt_us) >> 3;
	if (srtt) {
		r->close.rtt_n[out] = 1;
		r->close.rtt_avg_ns[out] = (__u64)srtt * 1000;
		r->close.rtt_min_ns[out] =
			(__u64)BPF_CORE_READ(tp, rtt_min.s[0].v) * 1000;
	}
	wl_rec_submit(r);
}

/* connect() begins (CLOSE -> SYN_SENT, or the kprobe on tcp_vX_connect). */
static __always_inline void wl_sock_connect(__u64 skp, __u64 now)
{
	struct wl_sock_conn c = { .start_ns = now, .role = WL_SOCK_ACTIVE };

	/* NOEXIST: with kprobes both the connect and the state change come */
	bpf_map_update_elem(&sock_conns, &skp, &c, BPF_NOEXIST);
}

static __always_inline int wl_sock_ours(struct sock___wl *sk)
{
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != 6 /* TCP */)
		return 0;
	return !cfg.netns_inum ||
	       BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) ==
		       cfg.netns_inum;
}

/*
 * One state change of the socket @skp: @old -> @new at @now. A socket is
 * judged (TCP? our namespace?) only where it is first taken in, at the
 * start of a connect or when an accepted child becomes ESTABLISHED; every
 * later change of it is one hash lookup, and a change of any other socket
 * costs that lookup alone.
 */
static __always_inline void wl_sock_state(__u64 skp, int old, int new,
					  __u64 now)
{
	struct sock___wl *sk = (void *)skp;
	struct wl_sock_stats *ss;
	struct wl_sock_conn *c;

	if (old == new)
		return;
	if (new == WL_TCP_SYN_SENT) {
		if (wl_sock_ours(sk))
			wl_sock_connect(skp, now);
		return;
	}
	if (old == WL_TCP_SYN_RECV && new == WL_TCP_ESTABLISHED) {
		struct tcp_sock___wl *tp = (void *)sk;
		struct wl_sock_conn pc = { .role = WL_SOCK_PASSIVE };

		if (!wl_sock_ours(sk))
			return;
		/* the child's first RTT sample is its SYN-ACK -> ACK */
		pc.start_ns = now - (__u64)(BPF_CORE_READ(tp, srtt_us) >> 3) * 1000;
		bpf_map_update_elem(&sock_conns, &skp, &pc, BPF_ANY);
	}
	c = bpf_map_lookup_elem(&sock_conns, &skp);
	if (!c)
		return;
	ss = wl_sock_stats();
	if (!ss)
		return;
	if (new == WL_TCP_ESTABLISHED && !c->reported && !c->quiet) {
		wl_sock_established(ss, sk, c, now);
		/* someone else reports it: nothing more to follow */
		if (c->quiet)
			bpf_map_delete_elem(&sock_conns, &skp);
		return;
	}
	if (old == WL_TCP_ESTABLISHED && !c->first_close)
		c->first_close = new == WL_TCP_CLOSE_WAIT ? 2 : 1;
	/* the peer's FIN came (a full socket leaves FIN_WAIT2 for CLOSE
	 * when it goes to TIME_WAIT): bytes_received counts it as a byte */
	if (new == WL_TCP_CLOSE_WAIT || new == WL_TCP_CLOSING ||
	    new == WL_TCP_TIME_WAIT ||
	    (new == WL_TCP_CLOSE && old == WL_TCP_FIN_WAIT2 &&
	     !BPF_CORE_READ(sk, sk_err)))
		c->fin_in = 1;
	if (new != WL_TCP_CLOSE)
		return;
	if (old == WL_TCP_SYN_SENT && !c->quiet)
		wl_sock_connect_failed(ss, sk, c, now);
	else if (c->reported)
		wl_sock_closed(ss, sk, c, old, now);
	bpf_map_delete_elem(&sock_conns, &skp);
}

#endif /* WIRELAT_SOCK_BPF_H */
