/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * handshake.bpf.h - the TCP handshake state machine (DESIGN.md,
 * "Measurement semantics").
 *
 * SYN -> SYN_SENT; the server's SYN-ACK acking the client ISN + 1 ->
 * SYNACK_SEEN; the client's ACK of the server ISN + 1 completes it. An
 * acceptable RST (RFC 9293), ICMP unreachable and the deadline end it
 * early; a client ACK with no SYN-ACK seen is a one-sided path
 * ("unobserved"). A bare ACK of the server answering the SYN is a
 * challenge ACK (RFC 5961: the server holds an old connection on the
 * tuple); the client's RST to it is not an abort, the attempt goes on.
 * Expiry is checked here lazily for the packet's own flow and by the
 * sweep program (sweep/) for the rest, with the same helper,
 * wl_hs_expire(). Every end of an attempt is claimed by compare-and-swap
 * on hs->state (wl_claim()): XDP, TC and the sweep may race for it, and
 * only the one whose swap succeeds reports it.
 */
#ifndef WIRELAT_HANDSHAKE_BPF_H
#define WIRELAT_HANDSHAKE_BPF_H

#include "flow.bpf.h"
#include "clock.bpf.h"
#include "stats.bpf.h"
#include "conn.bpf.h"

/* What wl_handshake() did with a segment. */
#define WL_HS_RET_NONE 0	/* handled (or ignored) by a pending entry */
#define WL_HS_RET_UNTRACKED 1	/* no entry, and the segment opened none */
#define WL_HS_RET_CONN 2	/* the handshake ended: a connection is in
				 * the scratch, for the caller to insert */

/*
 * The connection a handshake led to, high[] from both ISNs, built in the
 * scratch for wl_tcp() to insert (wl_conn_new()).
 */
static __always_inline void wl_hs_to_conn(const struct wl_hs *hs, __u64 now,
					  int synack_seen)
{
	struct wl_conn *c;

	/* timestamps only when both offered them; else RTT from seq/ack */
	c = wl_conn_new(hs->client_side, hs->client_isn, hs->first_syn_ns, now,
			0, hs->syn_ts && (!synack_seen || hs->synack_ts));
	if (!c)
		return;
	/* RTT goes on from the handshake's samples (SYN, SYN-ACK) */
	if (c->has_ts)
		c->rtt = hs->rtt;
	/* SYN and SYN-ACK retransmissions stay the handshake's */
	c->high[WL_C2S] = hs->client_isn + 1 + hs->syn_len;
	c->high_set[WL_C2S] = 1;
	if (synack_seen) {
		/* the server-side RTT a turn's server time uses before samples */
		c->synack_leg_ns = hs->synack_ns > hs->last_syn_ns ?
					   hs->synack_ns - hs->last_syn_ns : 0;
		c->high[WL_S2C] = hs->server_isn + 1;
		c->high_set[WL_S2C] = 1;
	}
}

static __always_inline void wl_hs_result(struct wl_stats *st, int result)
{
	if (result >= 0 && result < WL_HS_MAX)
		st->hs_result[result]++;
}

/*
 * The three histograms of a completed handshake in one call, not three
 * (a call and its return cost ~12 ns here). Global: verified once.
 */
#ifdef WL_DEFINE_MAPS
__noinline int wl_hs_hists(struct wl_stats *st, __s64 leg1, __s64 leg2,
			   __s64 total)
{
	if (!st)
		return 0;
	wl_hist_put(&st->hist[WL_H_SYN_TO_SYNACK], &st->negative_durations,
		    leg1);
	wl_hist_put(&st->hist[WL_H_SYNACK_TO_ACK], &st->negative_durations,
		    leg2);
	wl_hist_put(&st->hist[WL_H_HANDSHAKE], &st->negative_durations, total);
	return 0;
}
#else
extern int wl_hs_hists(struct wl_stats *st, __s64 leg1, __s64 leg2,
		       __s64 total);
#endif

/* tcp_handshake record and histograms for a completed handshake. */
static __always_inline void wl_hs_complete(struct wl_stats *st,
					   const struct wl_flow_key *k,
					   const struct wl_hs *hs, __u64 now)
{
	__s64 leg1 = hs->synack_ns - hs->last_syn_ns;
	__s64 leg2 = now - hs->synack_ns;
	__s64 total = now - hs->first_syn_ns;
	struct wl_record *r;

	wl_hs_result(st, WL_HS_COMPLETED);
	wl_hs_hists(st, leg1, leg2, total);

	r = wl_rec_reserve(st, WL_RECORD_HS_SIZE, WL_RECORD_HS_SIZE);
	if (!r)
		return;
	r->ts_ns = now;
	r->type = WL_REC_HANDSHAKE;
	wl_rec_tuple(r, k, hs->client_side);
	r->syn_retransmits = hs->syn_retransmits;
	r->synack_retransmits = hs->synack_retransmits;
	r->challenge_acks = hs->challenge_acks;
	r->hs.syn_to_synack_ns = leg1;
	r->hs.synack_to_ack_ns = leg2;
	r->hs.handshake_ns = total;
	wl_rec_submit(r);
}

/* tcp_handshake_failed record: @ts is when it ended. */
static __always_inline void wl_hs_fail(struct wl_stats *st,
				       const struct wl_flow_key *k,
				       const struct wl_hs *hs, int reason,
				       __u64 ts)
{
	struct wl_record *r;

	switch (reason) {
	case WL_FAIL_REFUSED:
		wl_hs_result(st, WL_HS_REFUSED);
		break;
	case WL_FAIL_ABORTED:
		wl_hs_result(st, WL_HS_ABORTED);
		break;
	case WL_FAIL_UNREACHABLE:
		wl_hs_result(st, WL_HS_UNREACHABLE);
		break;
	case WL_FAIL_EOF:	/* not a result: the capture ended first */
		break;
	default:
		wl_hs_result(st, WL_HS_TIMEOUT);
		break;
	}
	/* the socket path sees this end a moment later: it must stay quiet */
	if (!cfg.offline)
		bpf_map_update_elem(&wire_failed, k, &ts, BPF_ANY);
	r = wl_rec_reserve(st, WL_RECORD_HS_SIZE, WL_RECORD_HS_SIZE);
	if (!r)
		return;
	r->ts_ns = ts;
	r->type = WL_REC_HANDSHAKE_FAILED;
	r->reason = reason;
	wl_rec_tuple(r, k, hs->client_side);
	r->syn_retransmits = hs->syn_retransmits;
	r->fail.elapsed_ns = ts - hs->first_syn_ns;
	wl_rec_submit(r);
}

/*
 * A new attempt from @side with the SYN @p at @now, in state WL_HS_NEW:
 * the caller publishes it (a map insert, or wl_hs_restart()).
 */
static __always_inline void wl_hs_start(struct wl_hs *hs, int side,
					const struct wl_pkt *p, __u64 now)
{
	__builtin_memset(hs, 0, sizeof(*hs));
	hs->client_side = side;
	hs->client_isn = p->seq;
	hs->syn_len = p->payload_len;
	hs->syn_ts = p->has_ts;
	hs->first_syn_ns = now;
	hs->last_syn_ns = now;
	hs->deadline_ns = wl_hs_deadline(now, 0, cfg.handshake_timeout_ns);
	if (p->has_ts) {	/* the SYN's TSval starts the first sample */
		hs->rtt.last_tsval[WL_C2S] = p->tsval;
		hs->rtt.sample_val[WL_C2S] = p->tsval;
		hs->rtt.sample_ns[WL_C2S] = now;
		hs->rtt.sample_gen[WL_C2S] = 1;
	}
}

/*
 * Does @ack acknowledge the attempt's SYN: ISN + 1, or with TCP Fast Open
 * (data in the SYN, RFC 7413) ISN + 1 + the data where the server took it.
 */
static __always_inline int wl_hs_acks_syn(const struct wl_hs *hs, __u32 ack)
{
	return ack == hs->client_isn + 1 ||
	       ack == hs->client_isn + 1 + hs->syn_len;
}

/*
 * Does @p take part in the attempt's RTT (wl_rtt_packet, timestamps only)?
 * Its SYNs with the client's ISN (retransmitted, resuming, after the
 * SYN-ACK), its SYN-ACKs acknowledging ISN + 1, and the server's other
 * ACKs (challenge ACKs) while it is pending; the connection starts from
 * the samples these make. Judged before the packet changes the state.
 */
static __always_inline int wl_hs_rtt_takes(const struct wl_hs *hs,
					   const struct wl_pkt *p, int side,
					   __u8 flags)
{
	__u32 state = hs->state;

	if (!hs->syn_ts)
		return 0;
	if (flags == WL_TCP_SYN)
		return side == hs->client_side && p->seq == hs->client_isn &&
		       (state == WL_HS_SYN_SENT || state == WL_HS_SYNACK_SEEN ||
			state == WL_HS_TIMED_OUT);
	if (side == hs->client_side || (flags & WL_TCP_RST) ||
	    !(flags & WL_TCP_ACK) ||
	    (state != WL_HS_SYN_SENT && state != WL_HS_SYNACK_SEEN))
		return 0;
	return !(flags & WL_TCP_SYN) || wl_hs_acks_syn(hs, p->ack);
}

/*
 * wl_claim() of @hs's state, counting a tombstone (TIMED_OUT) made or
 * ended (wl_table_tomb()): evictions count only attempts still open.
 */
static __always_inline int wl_hs_claim(struct wl_stats *st, struct wl_hs *hs,
				       __u32 from, __u32 to)
{
	if (!wl_claim(&hs->state, from, to))
		return 0;
	wl_table_tomb(st, WL_T_HANDSHAKES, from == WL_HS_TIMED_OUT,
		      to == WL_HS_TIMED_OUT);
	return 1;
}

/*
 * A new attempt in place of one the caller claimed (WL_HS_DONE): its state
 * goes to SYN_SENT last, by a swap that orders the writes before it, so
 * the sweep never judges a half-written deadline.
 */
static __always_inline void wl_hs_restart(struct wl_hs *hs, int side,
					  const struct wl_pkt *p, __u64 now)
{
	wl_hs_start(hs, side, p, now);
	wl_claim(&hs->state, WL_HS_NEW, WL_HS_SYN_SENT);
}

/* The attempt's SYN again at @now: a later deadline if it backs off. */
static __always_inline void wl_hs_resend(struct wl_stats *st, struct wl_hs *hs,
					 __u64 now)
{
	/* offline, a capture's time may go back: no gap then */
	__u64 gap = now > hs->last_syn_ns ? now - hs->last_syn_ns : 0;

	hs->syn_retransmits++;
	st->syn_retransmits++;
	hs->deadline_ns = wl_hs_deadline(now, gap, cfg.handshake_timeout_ns);
	hs->last_syn_ns = now;
}

/*
 * The timeout rule, applied to @hs by @clock: by the packet path to its
 * own flow and by the sweep to every entry. Returns 1 when the entry is
 * gone (deleted), 0 when it is still there (possibly now a tombstone, or
 * being ended by another CPU).
 */
static __always_inline int wl_hs_expire(struct wl_stats *st,
					const struct wl_flow_key *k,
					struct wl_hs *hs, __u64 clock,
					__u64 *due)
{
	switch (hs->state) {
	case WL_HS_SYN_SENT:
		if (clock <= hs->deadline_ns)
			return wl_keep(due, hs->deadline_ns);
		/* a SYN-ACK, a RST or the sweep may have come first */
		if (!wl_hs_claim(st, hs, WL_HS_SYN_SENT, WL_HS_TIMED_OUT))
			return wl_keep(due, clock);
		wl_hs_fail(st, k, hs, WL_FAIL_TIMEOUT, hs->deadline_ns);
		if (clock <= wl_hs_tombstone_end(hs))	/* not over yet */
			return wl_keep(due, wl_hs_tombstone_end(hs));
		if (!wl_hs_claim(st, hs, WL_HS_TIMED_OUT, WL_HS_DONE))
			return wl_keep(due, clock);
		break;
	case WL_HS_SYNACK_SEEN:
		if (hs->retry_ns) {
			/*
			 * The client sent its SYN again after the SYN-ACK: it
			 * never got one, and waits as in SYN_SENT. Its deadline
			 * passed: a timeout, as if no SYN-ACK had come.
			 */
			__u64 end = hs->synack_ns + cfg.handshake_timeout_ns;

			if (hs->deadline_ns > end)
				end = hs->deadline_ns;
			if (clock <= end)
				return wl_keep(due, end);
			if (!wl_hs_claim(st, hs, WL_HS_SYNACK_SEEN,
				      WL_HS_TIMED_OUT))
				return wl_keep(due, clock);
			hs->deadline_ns = end;
			hs->last_syn_ns = hs->retry_ns;	/* a resume's gap */
			wl_hs_fail(st, k, hs, WL_FAIL_TIMEOUT, end);
			return wl_keep(due, wl_hs_tombstone_end(hs));
		}
		/* the client never acked the SYN-ACK, nor asked again:
		 * nothing to measure (a one-sided view, a lost ACK) */
		if (clock <= hs->synack_ns + cfg.handshake_timeout_ns)
			return wl_keep(due, hs->synack_ns +
						    cfg.handshake_timeout_ns);
		if (!wl_hs_claim(st, hs, WL_HS_SYNACK_SEEN, WL_HS_DONE))
			return wl_keep(due, clock);
		break;
	case WL_HS_TIMED_OUT:
		if (clock <= wl_hs_tombstone_end(hs))
			return wl_keep(due, wl_hs_tombstone_end(hs));
		if (!wl_hs_claim(st, hs, WL_HS_TIMED_OUT, WL_HS_DONE))
			return wl_keep(due, clock);
		break;
	default:	/* NEW, DONE: another CPU has it in hand */
		return wl_keep(due, clock);
	}
	wl_table_delete(st, &handshakes, k, WL_T_HANDSHAKES);
	return 1;
}

/*
 * End of a capture (offline, the sweep with eof): an attempt still waiting
 * for its SYN-ACK or for the client's ACK is reported once, reason eof, at
 * @clock (the capture's last packet), and removed (DESIGN.md). A tombstone
 * was reported already. Returns 1 when the entry is gone.
 */
static __always_inline int wl_hs_eof(struct wl_stats *st,
				     const struct wl_flow_key *k,
				     struct wl_hs *hs, __u64 clock)
{
	__u32 state = hs->state;

	if ((state != WL_HS_SYN_SENT && state != WL_HS_SYNACK_SEEN) ||
	    !wl_hs_claim(st, hs, state, WL_HS_DONE))
		return 0;
	wl_hs_fail(st, k, hs, WL_FAIL_EOF, clock);
	wl_table_delete(st, &handshakes, k, WL_T_HANDSHAKES);
	return 1;
}

/* SYN without ACK from @side. */
static __always_inline void wl_hs_syn(struct wl_stats *st,
				      const struct wl_flow_key *k,
				      struct wl_hs *hs, const struct wl_pkt *p,
				      int side, __u64 now)
{
	__u32 state = hs->state;

	if (state == WL_HS_TIMED_OUT) {
		if (side == hs->client_side && p->seq == hs->client_isn) {
			/* the client still retries: the attempt resumes (the
			 * timeout reported stands; first SYN time kept); the
			 * new deadline is written before the state */
			wl_hs_resend(st, hs, now);
			wl_hs_claim(st, hs, WL_HS_TIMED_OUT, WL_HS_SYN_SENT);
		} else if (wl_hs_claim(st, hs, WL_HS_TIMED_OUT, WL_HS_DONE)) {
			wl_hs_restart(hs, side, p, now);
		}
		return;
	}
	if (side != hs->client_side || p->seq != hs->client_isn) {
		/* a new attempt on this tuple (a new ISN, or the other side's
		 * SYN: a simultaneous open is too rare to guess at) ends the
		 * old one */
		if (!wl_hs_claim(st, hs, state, WL_HS_DONE))
			return;
		wl_hs_fail(st, k, hs, WL_FAIL_TIMEOUT, now);
		wl_hs_restart(hs, side, p, now);
		return;
	}
	if (hs->state == WL_HS_SYN_SENT) {
		wl_hs_resend(st, hs, now);
		return;
	}
	/* after the SYN-ACK (its timing is done): the client never got it,
	 * its deadline follows its SYNs from here as in SYN_SENT */
	{
		__u64 prev = hs->retry_ns ? hs->retry_ns : hs->last_syn_ns;

		hs->deadline_ns = wl_hs_deadline(now, now > prev ? now - prev : 0,
						 cfg.handshake_timeout_ns);
		hs->retry_ns = now;
	}
	hs->syn_retransmits++;
	st->syn_retransmits++;
}

/* SYN-ACK from @side. */
static __always_inline void wl_hs_synack(struct wl_stats *st,
					 const struct wl_flow_key *k,
					 struct wl_hs *hs,
					 const struct wl_pkt *p, int side,
					 __u64 now)
{
	if (side == hs->client_side || !wl_hs_acks_syn(hs, p->ack))
		return;
	switch (hs->state) {
	case WL_HS_SYN_SENT:
		/* written before the swap publishes them */
		hs->server_isn = p->seq;
		hs->synack_ns = now;
		hs->synack_ts = p->has_ts;
		hs->retry_ns = 0;
		if (wl_hs_claim(st, hs, WL_HS_SYN_SENT, WL_HS_SYNACK_SEEN))
			return;
		/* the sweep timed it out first: this SYN-ACK is late */
		if (hs->state != WL_HS_TIMED_OUT)
			return;
		break;
	case WL_HS_SYNACK_SEEN:
		if (p->seq == hs->server_isn) {
			hs->synack_retransmits++;
			st->synack_retransmits++;
		}
		return;
	case WL_HS_TIMED_OUT:
		break;
	default:
		return;
	}
	/* late: counted once; the tombstone has done its job */
	if (!wl_hs_claim(st, hs, WL_HS_TIMED_OUT, WL_HS_DONE))
		return;
	wl_hs_result(st, WL_HS_LATE);
	wl_table_delete(st, &handshakes, k, WL_T_HANDSHAKES);
}

/*
 * What a RST from @side does to a pending attempt (RFC 9293, SYN-SENT): the
 * server's refuses it only when it acknowledges the SYN; the client's
 * aborts it only with the ISN or ISN + 1 as its sequence number (a RST to
 * a challenge ACK carries that ACK's number: the attempt goes on).
 * Returns WL_FAIL_REFUSED, WL_FAIL_ABORTED or -1 (ignored).
 */
static __always_inline int wl_hs_rst_reason(const struct wl_hs *hs,
					    const struct wl_pkt *p, int side)
{
	if (side != hs->client_side)
		return (p->tcp_flags & WL_TCP_ACK) &&
				       wl_hs_acks_syn(hs, p->ack) ?
			       WL_FAIL_REFUSED :
			       -1;
	return p->seq == hs->client_isn || p->seq == hs->client_isn + 1 ?
		       WL_FAIL_ABORTED :
		       -1;
}

/* Any other segment (ACK, data, RST) from @side. */
static __always_inline int wl_hs_segment(struct wl_stats *st,
					  const struct wl_flow_key *k,
					  struct wl_hs *hs,
					  const struct wl_pkt *p, int side,
					  __u64 now)
{
	__u32 state = hs->state;

	if (state != WL_HS_SYN_SENT && state != WL_HS_SYNACK_SEEN)
		return WL_HS_RET_NONE;
	if (p->tcp_flags & WL_TCP_RST) {
		int reason = wl_hs_rst_reason(hs, p, side);

		if (reason < 0)
			return WL_HS_RET_NONE;	/* not acceptable: ignored */
		if (!wl_hs_claim(st, hs, state, WL_HS_DONE))
			return WL_HS_RET_NONE;
		wl_hs_fail(st, k, hs, reason, now);
		wl_table_delete(st, &handshakes, k, WL_T_HANDSHAKES);
		return WL_HS_RET_NONE;
	}
	if (!(p->tcp_flags & WL_TCP_ACK))
		return WL_HS_RET_NONE;
	if (side != hs->client_side) {
		/* a bare ACK answering the SYN: stale state on the server */
		if (state == WL_HS_SYN_SENT && !p->payload_len &&
		    !(p->tcp_flags & WL_TCP_FIN)) {
			hs->challenge_acks++;
			st->challenge_acks++;
		}
		return WL_HS_RET_NONE;
	}
	if (state == WL_HS_SYN_SENT) {
		/* one-sided path: the SYN-ACK went another way */
		if (!wl_hs_claim(st, hs, WL_HS_SYN_SENT, WL_HS_DONE))
			return WL_HS_RET_NONE;
		wl_hs_result(st, WL_HS_UNOBSERVED);
		wl_hs_to_conn(hs, now, 0);
		wl_table_delete(st, &handshakes, k, WL_T_HANDSHAKES);
		return WL_HS_RET_CONN;
	}
	if (p->ack != hs->server_isn + 1 ||
	    !wl_hs_claim(st, hs, WL_HS_SYNACK_SEEN, WL_HS_DONE))
		return WL_HS_RET_NONE;
	wl_hs_complete(st, k, hs, now);
	wl_hs_to_conn(hs, now, 1);
	wl_table_delete(st, &handshakes, k, WL_T_HANDSHAKES);
	return WL_HS_RET_CONN;
}

/* An ICMP unreachable quoting a segment of a pending handshake. */
static __always_inline void wl_hs_unreachable(struct wl_stats *st,
					      const struct wl_flow_key *k,
					      struct wl_hs *hs,
					      const struct wl_pkt *p, int side,
					      __u64 now)
{
	/* waiting for a SYN-ACK: none yet, or the client sent its SYN again
	 * after one (it never got it, and waits as with none) */
	__u32 from = hs->state;

	if (from == WL_HS_SYNACK_SEEN && !hs->retry_ns)
		return;
	if ((from != WL_HS_SYN_SENT && from != WL_HS_SYNACK_SEEN) ||
	    side != hs->client_side || p->seq != hs->client_isn ||
	    !wl_hs_claim(st, hs, from, WL_HS_DONE))
		return;
	wl_hs_fail(st, k, hs, WL_FAIL_UNREACHABLE, now);
	wl_table_delete(st, &handshakes, k, WL_T_HANDSHAKES);
}

#define WL_TCP_SYNACKRST (WL_TCP_SYN | WL_TCP_ACK | WL_TCP_RST)

/*
 * A parsed TCP segment (or a quoted one) on @ifindex that no tracked
 * connection took. A global function, so the verifier checks it once, not
 * once per parse path. Returns WL_HS_RET_*.
 */
#ifdef WL_DEFINE_MAPS
__noinline int wl_handshake(struct wl_stats *st, struct wl_pkt *p,
			    struct wl_flow_key *kp, __u32 side)
{
	struct wl_dns_scratch *ksc;
	struct wl_flow_key *k;
	int ret = WL_HS_RET_NONE, take;
	struct wl_hs *hs;
	__u64 *now;
	__u8 flags;

	if (!st || !p || !kp)
		return WL_HS_RET_NONE;
	/*
	 * The key copied to per-CPU scratch (the stack is short): verifiers
	 * before 6.4 take a map key from the stack or a map value, not from
	 * memory a global function was handed.
	 */
	ksc = bpf_map_lookup_elem(&dns_scratch, (const void *)&wl_key0);
	if (!ksc)
		return WL_HS_RET_NONE;
	barrier_var(ksc);
	k = &ksc->hkey;
	if (k != kp)		/* wl_tcp() builds it there */
		*k = *kp;
	/* the packet's time, in the scratch too: its address costs no stack
	 * (the deepest call chain runs through here) */
	now = &ksc->hs_now;
	*now = 0;
	flags = p->tcp_flags & WL_TCP_SYNACKRST;
	hs = bpf_map_lookup_elem(&handshakes, k);
	if (hs) {
		*now = wl_now_ns();
		if (wl_hs_expire(st, k, hs, wl_clock_ns(*now), NULL))
			hs = NULL;
		else if (hs->state == WL_HS_NEW || hs->state == WL_HS_DONE)
			return WL_HS_RET_NONE;	/* another CPU ends it now */
	}
	if (!hs) {
		/* only a client's SYN opens an entry: no timestamp otherwise */
		if (p->quoted || flags != WL_TCP_SYN)
			return WL_HS_RET_UNTRACKED;
		/* built in per-CPU scratch: the stack is too small for it */
		wl_hs_start(&ksc->hs, side, p, wl_now_once(now));
		ksc->hs.state = WL_HS_SYN_SENT;
		wl_table_insert(st, &handshakes, k, &ksc->hs, WL_T_HANDSHAKES);
		return WL_HS_RET_NONE;
	}

	if (p->quoted) {
		wl_hs_unreachable(st, k, hs, p, side, *now);
		return WL_HS_RET_NONE;
	}
	/* judged before the packet moves the state, fed after it (fewer
	 * values live across it: the stack of this frame is at its limit) */
	take = wl_hs_rtt_takes(hs, p, side, flags);
	if (take)
		take = side == hs->client_side ? WL_C2S + 1 : WL_S2C + 1;
	if (flags & WL_TCP_RST)
		ret = wl_hs_segment(st, k, hs, p, side, *now);
	else if (flags == WL_TCP_SYN)
		wl_hs_syn(st, k, hs, p, side, *now);
	else if (flags == (WL_TCP_SYN | WL_TCP_ACK))
		wl_hs_synack(st, k, hs, p, side, *now);
	else if (!(flags & WL_TCP_SYN))
		ret = wl_hs_segment(st, k, hs, p, side, *now);
	/* (the packet that completes the handshake is the client's ACK:
	 * never taken here, the connection times it) */
	if (take)
		wl_rtt_packet(st, &hs->rtt, 1, *now, p, take - 1, 0, now);
	return ret;
}

/*
 * Every parsed TCP segment: the tracked connection first (one lookup on
 * the hot path), else the handshake state machine; a data segment of a
 * flow nobody knows starts a mid-stream connection. Returns 0.
 */
__noinline int wl_tcp(struct wl_stats *st, struct wl_pkt *p)
{
	struct wl_dns_scratch *ksc;
	struct wl_flow_key *k;
	struct wl_conn *c;
	int side, ret;

	if (!st || !p)
		return 0;
	/*
	 * The key in the per-CPU scratch, where wl_handshake() wants it too:
	 * the deepest call chain (replay, frame, this, handshake, histogram)
	 * runs through this frame, which 6.1's 512 B limit leaves no room.
	 */
	ksc = bpf_map_lookup_elem(&dns_scratch, (const void *)&wl_key0);
	if (!ksc)
		return 0;
	barrier_var(ksc);
	k = &ksc->hkey;
	side = wl_flow_key(k, p, p->ifindex);
	if (p->quoted) {
		wl_handshake(st, p, k, side);
		return 0;
	}
	c = bpf_map_lookup_elem(&conns, k);
	if (c && !wl_conn_packet(st, k, c, p, side, 0))
		return 0;

	ret = wl_handshake(st, p, k, side);
	if (ret == WL_HS_RET_CONN) {
		struct wl_dns_scratch *sc;

		/*
		 * clang computes &sc->conn before the NULL test unless a
		 * barrier keeps it after: verifiers before 6.14 refuse that
		 * add (for them an array lookup may return NULL).
		 */
		sc = bpf_map_lookup_elem(&dns_scratch, (const void *)&wl_key0);
		if (!sc)
			return 0;
		barrier_var(sc);
		c = &sc->conn;
	} else if (ret == WL_HS_RET_UNTRACKED && p->payload_len &&
		   !(p->tcp_flags & (WL_TCP_SYN | WL_TCP_FIN | WL_TCP_RST))) {
		/* mid-stream: the lower port serves; on a tie, the receiver */
		int client = p->sport < p->dport ? side ^ 1 : side;
		__u64 now = wl_now_ns();

		c = wl_conn_new(client, 0, now, now, 1, p->has_ts);
	} else {
		return 0;
	}
	/* the opening packet first, then the insert: one lookup, not two */
	if (c) {
		wl_conn_packet(st, k, c, p, side, 1);
		wl_conn_insert(st, k, c);
	}
	return 0;
}
#else
extern int wl_handshake(struct wl_stats *st, struct wl_pkt *p,
			struct wl_flow_key *kp, __u32 side);
extern int wl_tcp(struct wl_stats *st, struct wl_pkt *p);
#endif

#endif /* WIRELAT_HANDSHAKE_BPF_H */
