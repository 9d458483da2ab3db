/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.bpf.h - connection lifecycle, loss and continuous RTT (DESIGN.md).
 *
 * A connection is tracked from its completed (or unobserved) handshake, or
 * from the first data segment of a flow first seen mid-stream. A tracked
 * packet costs one lookup in conns: bytes and data segments per direction,
 * loss located (a segment starting beyond the highest sequence seen is a
 * sequence gap: lost before the observation point; one starting below it a
 * retransmission, not a keepalive or a zero-window probe; duplicate ACKs;
 * zero windows), FIN/RST close, and RTT samples: from
 * the timestamp option (a TSval taken the first time it is seen, answered
 * by the first TSecr equal to it the other way), or on connections without
 * timestamps from a data segment's end answered by the first ACK covering
 * it (Karn: a retransmission drops the sample).
 */
#ifndef WIRELAT_CONN_BPF_H
#define WIRELAT_CONN_BPF_H

#include "flow.bpf.h"
#include "clock.bpf.h"
#include "stats.bpf.h"

#define WL_C2S 0
#define WL_S2C 1

static __always_inline int wl_seq_lt(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

/* How a connection ended, for its tcp_close record. */
struct wl_close_how {
	__u64 ts;		/* when it ended */
	__s64 dur;		/* its duration */
	__u32 reason;		/* enum wl_close_reason */
	__u32 closed_by;	/* 0 none, 1 client, 2 server */
};

/*
 * The tcp_close record of @c. Global: the record is filled at five places
 * (FIN, RST, reuse, timeout, end of file), in the packet path and the
 * sweep, and inlined the verifier walked each (a twentieth of the replay
 * program's verification); a close is once a connection, its call cost
 * nothing per packet.
 */
#ifdef WL_DEFINE_MAPS
__noinline int wl_conn_report(struct wl_stats *st, const struct wl_flow_key *k,
			      const struct wl_conn *c,
			      const struct wl_close_how *how)
{
	struct wl_record *r;

	if (!st || !k || !c || !how)
		return 0;
	r = wl_rec_reserve(st, WL_RECORD_TCP_SIZE, WL_RECORD_TCP_SIZE);
	if (!r)
		return 0;
	r->ts_ns = how->ts;
	r->type = WL_REC_CLOSE;
	r->reason = how->reason;
	wl_rec_tuple(r, k, c->client_side);
	r->close.duration_ns = how->dur;
	r->close.closed_by = how->closed_by;
	wl_rec_conn(r, c);
	wl_rec_submit(r);
	return 0;
}
#else
extern int wl_conn_report(struct wl_stats *st, const struct wl_flow_key *k,
			  const struct wl_conn *c,
			  const struct wl_close_how *how);
#endif

/*
 * Close @c: a tcp_close record (@ts when it ended, @dur its duration) and
 * the entry removed, by whichever of XDP, TC and the sweep claims it. @k
 * is memory wl_conn_report() may write (the stack, a map value): never a
 * map's key as bpf_for_each_map_elem() hands it (the verifier refuses).
 */
static __always_inline void wl_conn_close(struct wl_stats *st,
					  const struct wl_flow_key *k,
					  struct wl_conn *c, int reason,
					  __u64 ts, __s64 dur, int closed_by)
{
	struct wl_close_how how = {
		.ts = ts, .dur = dur, .reason = reason, .closed_by = closed_by,
	};

	if (!wl_claim(&c->state, WL_CONN_OPEN, WL_CONN_CLOSED))
		return;		/* another CPU closed it first */
	if (reason >= 0 && reason < WL_CLOSE_MAX)
		st->conn_closed[reason]++;
	wl_conn_report(st, k, c, &how);
	wl_table_delete(st, &conns, k, WL_T_CONNS);
}

/*
 * The idle rule, applied to @c by @clock: by the packet path to its own
 * connection and by the sweep to every one. Quiet for the idle timeout: a
 * tcp_close "timeout" at the deadline; with @eof (offline, end of file)
 * any other closes with "eof" at its last packet. Returns 1 when @c is
 * closed (by this call or another CPU), 0 when it stays open (@due as for
 * wl_keep()).
 */
static __always_inline int wl_conn_expire(struct wl_stats *st,
					  const struct wl_flow_key *k,
					  struct wl_conn *c, __u64 clock,
					  int eof, __u64 *due)
{
	__u64 last = c->last_ns;

	if (clock > last + cfg.idle_timeout_ns)
		wl_conn_close(st, k, c, WL_CLOSE_TIMEOUT,
			      last + cfg.idle_timeout_ns,
			      wl_conn_duration(c, last), 0);
	else if (eof)
		wl_conn_close(st, k, c, WL_CLOSE_EOF, last,
			      wl_conn_duration(c, last), 0);
	if (c->state == WL_CONN_OPEN)
		return wl_keep(due, last + cfg.idle_timeout_ns);
	return 1;
}

/*
 * A new connection, built in the per-CPU scratch (the stack is too small
 * for it), not yet in conns: the caller applies the packet that opened it
 * (wl_conn_packet) and then inserts it (wl_conn_insert), one lookup fewer
 * than inserting first and looking it up again. @client_side as for
 * handshakes; @isn the client's ISN (0 mid-stream); @has_ts whether RTT
 * comes from timestamps. NULL only if the scratch is missing.
 */
static __always_inline struct wl_conn *wl_conn_new(int client_side, __u32 isn,
						   __u64 first_ns, __u64 now,
						   int midstream, int has_ts)
{
	struct wl_conn *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&dns_scratch, &zero);
	if (!c)
		return NULL;
	c = &((struct wl_dns_scratch *)c)->conn;
	__builtin_memset(c, 0, sizeof(*c));
	c->first_ns = first_ns;
	c->last_ns = now;
	c->client_side = client_side;
	c->client_isn = isn;
	c->midstream = midstream;
	c->has_ts = has_ts;
	/* a handshake's windows were open; mid-stream nothing is known yet */
	c->win_state[0] = c->win_state[1] = midstream ? WL_WIN_UNKNOWN :
							 WL_WIN_OPEN;
	return c;
}

/* Start tracking @c (from wl_conn_new), unless its first packet closed it. */
static __always_inline void wl_conn_insert(struct wl_stats *st,
					   const struct wl_flow_key *k,
					   struct wl_conn *c)
{
	if (c->state == WL_CONN_OPEN)
		wl_table_insert(st, &conns, k, c, WL_T_CONNS);
}

/* One RTT sample for @side (0 = server, 1 = client). */
static __always_inline void wl_rtt_add(struct wl_stats *st, struct wl_rtt *r,
				       int side, __s64 rtt)
{
	if (rtt < 0) {		/* time went backwards: counted, not recorded */
		st->negative_durations++;
		return;
	}
	if (side < 0 || side > 1)
		return;
	if (!r->n[side] || (__u64)rtt < r->min_ns[side])
		r->min_ns[side] = rtt;
	r->sum_ns[side] += rtt;
	r->n[side]++;
	wl_hist_add(st, WL_H_RTT_SERVER + side, rtt);
}

/* Has @dir a sample the other way may still answer? */
static __always_inline int wl_sampling(const struct wl_rtt *r, int dir)
{
	return r->sample_gen[dir] != r->answered_gen[dir] &&
	       !r->sample_dead[dir];
}

/*
 * RTT: answer the other direction's sample with this packet, then maybe
 * take one from it. A sample of the client's packets measures the server
 * side, and the other way round. @has_ts: from timestamps, else seq/ack;
 * @seen the packet's time for the 10 s age (the coarse clock will do).
 * Connections and pending handshakes (their SYNs and SYN-ACKs) alike.
 */
static __always_inline void wl_rtt_packet(struct wl_stats *st,
					  struct wl_rtt *r, int has_ts,
					  __u64 seen, const struct wl_pkt *p,
					  int dir, int retrans, __u64 *now)
{
	int other = dir ^ 1;
	__u32 val;
	int fresh;

	/* a sample unanswered for 10 s is dropped: an echo after that
	 * answers nothing (its own side marks it dead when it sends again) */
	if (wl_sampling(r, other) &&
	    (seen - r->sample_ns[other] <= WL_RTT_SAMPLE_MAX_AGE_NS ||
	     (__s64)(seen - r->sample_ns[other]) <= 0)) {
		/* answered only by a packet with ACK set (a bare RST echoes
		 * nothing it acknowledged) */
		int hit = (p->tcp_flags & WL_TCP_ACK) &&
			  (has_ts ? p->has_ts && p->tsecr == r->sample_val[other] :
				    !wl_seq_lt(p->ack, r->sample_val[other]));

		if (hit) {
			/* other == C2S: the client's sample, the server's side */
			wl_rtt_add(st, r, other == WL_C2S ? 0 : 1,
				   wl_now_once(now) - r->sample_ns[other]);
			r->answered_ns[other] = *now;
			r->answered_gen[other] = r->sample_gen[other];
		}
	}

	/* an unanswered sample is dropped after 10 s */
	if (wl_sampling(r, dir) &&
	    seen - r->sample_ns[dir] > WL_RTT_SAMPLE_MAX_AGE_NS &&
	    (__s64)(seen - r->sample_ns[dir]) > 0)
		r->sample_dead[dir] = 1;

	if (has_ts) {
		/*
		 * Only payload, SYN or FIN starts a sample: a pure ACK's TSval
		 * is often never echoed (the peer echoes TS.Recent, which the
		 * next data segment replaces), and it would hold the one
		 * outstanding sample until dropped 10 s later.
		 */
		if (!p->has_ts || p->tsval == r->last_tsval[dir] ||
		    !(p->payload_len || (p->tcp_flags & (WL_TCP_SYN | WL_TCP_FIN))))
			return;
		r->last_tsval[dir] = p->tsval;	/* first time this TSval is seen */
		val = p->tsval;
		fresh = 1;
	} else {
		if (retrans && wl_sampling(r, dir))
			r->sample_dead[dir] = 1;	/* Karn */
		val = p->seq + p->payload_len;
		fresh = p->payload_len && !retrans;
	}
	if (!fresh || wl_sampling(r, dir))	/* one outstanding sample */
		return;
	if (r->answered_ns[dir] &&
	    wl_now_once(now) - r->answered_ns[dir] < cfg.rtt_interval_ns)
		return;
	r->sample_val[dir] = val;
	r->sample_ns[dir] = wl_now_once(now);
	r->sample_dead[dir] = 0;
	r->sample_gen[dir]++;
}

static __always_inline void wl_conn_rtt(struct wl_stats *st, struct wl_conn *c,
					const struct wl_pkt *p, int dir,
					int retrans, __u64 *now)
{
	wl_rtt_packet(st, &c->rtt, c->has_ts, c->last_ns, p, dir, retrans, now);
}

/*
 * Sequence bookkeeping of a segment from @dir. Returns 1 when it is a
 * retransmission: it starts below the highest sequence seen (as tshark
 * counts them), and it is not a keepalive (at most one byte just below
 * what was sent) or a zero-window probe (one byte while the other side
 * advertises a zero window). Data starting beyond the highest sequence
 * seen is a sequence gap: lost before the observation point (its
 * retransmission, when it comes, fills the gap; retransmissions beyond
 * the gaps were lost after the observation point, or are spurious).
 */
static __always_inline int wl_conn_seq(struct wl_stats *st, struct wl_conn *c,
				       const struct wl_pkt *p, int dir)
{
	int fin = !!(p->tcp_flags & WL_TCP_FIN);
	__u32 len = p->payload_len, end = p->seq + len + fin;
	int rtx = 0;

	if (!len && !fin)
		return 0;
	if (!c->high_set[dir]) {
		c->high_set[dir] = 1;
		c->high[dir] = end;
		return 0;
	}
	if (wl_seq_lt(p->seq, c->high[dir])) {
		int keepalive = !fin && len <= 1 && p->seq == c->high[dir] - 1;
		int probe = len == 1 && c->win_state[dir ^ 1] == WL_WIN_ZERO;

		rtx = !keepalive && !probe;
	} else if (len && p->seq != c->high[dir]) {
		c->seq_gaps[dir]++;
		st->seq_gaps[dir]++;
	}
	if (wl_seq_lt(c->high[dir], end))
		c->high[dir] = end;
	return rtx;
}

/*
 * ACK and window bookkeeping of a segment from @dir (not a SYN or RST):
 * a pure ACK repeating the direction's previous acknowledgment number
 * with the same window is a duplicate ACK (RFC 5681); a window of 0 after
 * a non-zero one is a zero window (the receiving application stopped
 * reading).
 */
static __always_inline void wl_conn_window(struct wl_stats *st,
					   struct wl_conn *c,
					   const struct wl_pkt *p, int dir)
{
	if (p->tcp_flags & WL_TCP_ACK) {
		if (!p->payload_len && !(p->tcp_flags & WL_TCP_FIN) &&
		    c->ack_set[dir] && p->ack == c->last_ack[dir] &&
		    p->window == c->last_win[dir]) {
			c->dup_acks[dir]++;
			st->dup_acks[dir]++;
		}
		c->last_ack[dir] = p->ack;
		c->last_win[dir] = p->window;
		c->ack_set[dir] = 1;
	}
	if (p->window) {
		c->win_state[dir] = WL_WIN_OPEN;
		return;
	}
	if (c->win_state[dir] == WL_WIN_OPEN) {
		c->zero_windows[dir]++;
		st->zero_windows[dir]++;
	}
	c->win_state[dir] = WL_WIN_ZERO;
}

/*
 * Turns (DESIGN.md): a request is client payload sent when it had
 * received all the server sent (its ACK covers the server's highest
 * sequence); the response is the server's first payload beyond all it
 * sent before; response_ns = that segment's time - the request's last
 * payload. Client payload sent while server data is unacknowledged (both
 * sides sending at once: pipelining, streaming) spoils the request: no
 * turn; so does server data that does not acknowledge the whole request
 * (sent before the server had it). Server time = response - the least
 * server-side RTT sample so far (the handshake's server leg without
 * one), never below 0. Runs only for payload segments carrying new data.
 */
static __always_inline void wl_conn_turn(struct wl_stats *st,
					 struct wl_conn *c,
					 const struct wl_pkt *p, int dir,
					 __u64 *now)
{
	__u64 resp, rtt, srv, req;

	if (dir == WL_C2S) {
		int pending = c->req_gen != c->resp_gen &&
			      c->dirty_gen != c->req_gen;

		if (c->high_set[WL_S2C] && (!(p->tcp_flags & WL_TCP_ACK) ||
					    wl_seq_lt(p->ack, c->high[WL_S2C]))) {
			if (pending)
				c->dirty_gen = c->req_gen;
			return;
		}
		wl_now_once(now);
		if (!pending) {
			c->req_gen++;
			c->req_first_ns = *now;
		}
		c->req_ns = *now;
		return;
	}
	if (c->req_gen == c->resp_gen)
		return;
	c->resp_gen = c->req_gen;
	if (c->dirty_gen == c->req_gen)
		return;
	/*
	 * New server data that does not acknowledge all the request (its end:
	 * the client's highest sequence, less a FIN) was sent before the
	 * server had it: both sides were sending at once, no turn.
	 */
	if (!(p->tcp_flags & WL_TCP_ACK) ||
	    wl_seq_lt(p->ack, c->high[WL_C2S] - c->fin_seen[WL_C2S]))
		return;
	wl_now_once(now);
	/* a request the server's kernel held back (a full accept queue) counts
	 * from its first payload: the wait is the server's */
	req = c->aq_gen == c->req_gen ? c->req_first_ns : c->req_ns;
	if (*now < req)
		return;		/* offline, a capture whose clock went back */
	resp = *now - req;
	/* the least server-side RTT sample; the handshake's server leg only
	 * without one (a SYN-ACK comes from the kernel, not the application) */
	rtt = c->rtt.n[0] ? c->rtt.min_ns[0] : c->synack_leg_ns;
	srv = resp > rtt ? resp - rtt : 0;
	c->turns++;
	c->resp_sum_ns += resp;
	c->srv_sum_ns += srv;
	if (c->turns == 1 || resp < c->resp_min_ns)
		c->resp_min_ns = resp;
	if (resp > c->resp_max_ns)
		c->resp_max_ns = resp;
	wl_hist_add(st, WL_H_RESPONSE, resp);
	wl_hist_add(st, WL_H_SERVER_TIME, srv);
}

/*
 * A packet of the tracked connection @c. Returns 1 when the connection is
 * gone and the packet must be looked at as untracked (a new SYN on the
 * tuple, or the connection had idled out), 0 otherwise. @opening (a
 * constant at each call): @c is new (wl_conn_new), opened by this packet
 * at c->last_ns, the time its handshake record or first_ns has: its RTT
 * sample is timed by the same clock reading.
 */
static __always_inline int wl_conn_packet(struct wl_stats *st,
					  const struct wl_flow_key *k,
					  struct wl_conn *c,
					  const struct wl_pkt *p, int side,
					  const int opening)
{
	__u8 flags = p->tcp_flags;
	int dir = side == c->client_side ? WL_C2S : WL_S2C;
	__u64 now = opening ? c->last_ns : 0;
	/* opening, the precise time is read already: no second clock */
	__u64 seen = opening ? now : wl_coarse_ns(), clock = wl_clock_ns(seen);
	int rtx, fresh;

	/* the precise clock only where a measurement needs it: now is lazy */
	if (wl_conn_expire(st, k, c, clock, 0, NULL))
		return 1;	/* idled out, or closed by another CPU */
	if ((flags & (WL_TCP_SYN | WL_TCP_ACK | WL_TCP_RST)) == WL_TCP_SYN &&
	    (c->midstream || dir != WL_C2S || p->seq != c->client_isn)) {
		/* a SYN that is not this connection's again: a new one */
		wl_now_once(&now);
		wl_conn_close(st, k, c, WL_CLOSE_REUSED, now,
			      wl_conn_duration(c, now), 0);
		return 1;	/* the SYN opens a new attempt */
	}
	c->last_ns = seen;
	c->bytes[dir] += p->payload_len;
	if (p->payload_len) {
		c->segments[dir]++;
		st->segments[dir]++;
		st->payload_bytes[dir] += p->payload_len;
	}
	if (flags & WL_TCP_RST) {
		/* its TSecr or ACK may still answer a sample */
		wl_conn_rtt(st, c, p, dir, 0, &now);
		wl_now_once(&now);
		wl_conn_close(st, k, c, WL_CLOSE_RST, now,
			      wl_conn_duration(c, now), dir + 1);
		return 0;
	}
	if (flags & WL_TCP_SYN) {
		/*
		 * The SYN or SYN-ACK again: the handshake's retransmission
		 * counters hold it, never the connection's (data segments
		 * only, DESIGN.md). A SYN starts an RTT sample like data;
		 * without timestamps Karn's rule drops it.
		 */
		if (dir == WL_C2S) {
			st->syn_retransmits++;
		} else {
			st->synack_retransmits++;
			/*
			 * The SYN-ACK after the client's ACK: the server's
			 * kernel dropped that ACK, its accept queue full
			 * (DESIGN.md); a request pending waited for it.
			 */
			if (!c->midstream) {
				c->accept_queue_drops++;
				st->accept_queue_drops++;
				if (c->req_gen != c->resp_gen)
					c->aq_gen = c->req_gen;
			}
		}
		wl_conn_rtt(st, c, p, dir, 1, &now);
		return 0;
	}
	/* new data: payload starting at or beyond all the direction sent
	 * (mid-stream too: a direction's first segment is new data) */
	fresh = p->payload_len &&
		(!c->high_set[dir] || !wl_seq_lt(p->seq, c->high[dir]));
	rtx = wl_conn_seq(st, c, p, dir);
	if (rtx) {
		c->retrans[dir]++;
		st->retransmits[dir]++;
	}
	wl_conn_window(st, c, p, dir);
	/* before the RTT: the sample this very response answers holds the
	 * server's think time, it is no network RTT */
	if (fresh)
		wl_conn_turn(st, c, p, dir, &now);
	else if (rtx && dir == WL_C2S && p->payload_len &&
		 c->req_gen != c->resp_gen && c->dirty_gen != c->req_gen &&
		 (!c->has_ts || p->tsval != c->rtt.last_tsval[WL_C2S]))
		/* the request (or part of it) sent again: the response
		 * counts from the client's last payload, this one (with
		 * timestamps, a new transmission carries a new TSval: the
		 * same packet seen twice is one transmission) */
		c->req_ns = wl_now_once(&now);
	wl_conn_rtt(st, c, p, dir, rtx, &now);

	if ((flags & WL_TCP_FIN) && !c->fin_seen[dir]) {
		c->fin_seen[dir] = 1;
		c->fin_end[dir] = p->seq + p->payload_len + 1;
		if (!c->first_fin)
			c->first_fin = dir + 1;
	}
	/* both FINs sent and the last one acknowledged: closed */
	if (c->fin_seen[0] && c->fin_seen[1] && (flags & WL_TCP_ACK) &&
	    c->first_fin != (dir ^ 1) + 1 && p->ack == c->fin_end[dir ^ 1]) {
		wl_now_once(&now);
		wl_conn_close(st, k, c, WL_CLOSE_FIN, now,
			      wl_conn_duration(c, now), c->first_fin);
	}
	return 0;
}

/*
 * The timestamp option where it is not the first option: a walk over the
 * options copied to the stack. Global, so it is verified once. Returns
 * what wl_tcp_ts_walk() returns.
 */
#ifdef WL_DEFINE_MAPS
__noinline int wl_tcp_ts_opts(struct wl_tcp_opts *o, __u32 len,
			      struct wl_pkt *p)
{
	if (!o || !p)
		return 0;
	return wl_tcp_ts_walk(o, len, p);
}
#else
extern int wl_tcp_ts_opts(struct wl_tcp_opts *o, __u32 len, struct wl_pkt *p);
#endif

#endif /* WIRELAT_CONN_BPF_H */
