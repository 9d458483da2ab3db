/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * record.h - filling a struct wl_record from table entries, for the
 * packet path (records at the completing packet) and the sweep program
 * (records at a deadline), so both write the same fields the same way.
 */
#ifndef WIRELAT_RECORD_H
#define WIRELAT_RECORD_H

#include "wirelat.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Client and server of a record, from a canonical key and the client's side. */
static __always_inline void wl_rec_tuple(struct wl_record *r,
					 const struct wl_flow_key *k,
					 int client_side)
{
	int lo = client_side == WL_SIDE_LO;

	r->ifindex = k->ifindex;
	r->family = k->family;
	__builtin_memcpy(r->client_ip, lo ? k->addr_lo : k->addr_hi, 16);
	__builtin_memcpy(r->server_ip, lo ? k->addr_hi : k->addr_lo, 16);
	r->client_port = lo ? k->port_lo : k->port_hi;
	r->server_port = lo ? k->port_hi : k->port_lo;
}

/* The tcp_close fields that come from the connection itself. */
static __always_inline void wl_rec_conn(struct wl_record *r,
					const struct wl_conn *c)
{
	int i;

	r->close.midstream = c->midstream;
	r->close.turns = c->turns;
	r->close.accept_queue_drops = c->accept_queue_drops;
	if (c->turns) {
		r->close.resp_min_ns = c->resp_min_ns;
		r->close.resp_max_ns = c->resp_max_ns;
		r->close.resp_avg_ns = c->resp_sum_ns / c->turns;
		r->close.srv_avg_ns = c->srv_sum_ns / c->turns;
	}
	for (i = 0; i < 2; i++) {
		r->close.bytes[i] = c->bytes[i];
		r->close.retrans[i] = c->retrans[i];
		r->close.segments[i] = c->segments[i];
		r->close.seq_gaps[i] = c->seq_gaps[i];
		r->close.dup_acks[i] = c->dup_acks[i];
		r->close.zero_windows[i] = c->zero_windows[i];
		r->close.rtt_n[i] = c->rtt.n[i];
		r->close.rtt_min_ns[i] = c->rtt.min_ns[i];
		r->close.rtt_avg_ns[i] =
			c->rtt.n[i] ? c->rtt.sum_ns[i] / c->rtt.n[i] : 0;
	}
}

/*
 * tcp_close duration_ns: from the first SYN (or first packet) to @end_ns,
 * the closing packet or, on timeout and eof, the last packet seen. Live,
 * the last packet's time is the coarse clock (a few ns a packet instead
 * of 35), which lags the precise one by up to a tick: a connection that
 * short would come out negative; offline, a capture whose time jumps back
 * would. A duration is never negative: 0 then.
 */
static __always_inline __s64 wl_conn_duration(const struct wl_conn *c,
					      __u64 end_ns)
{
	return end_ns > c->first_ns ? (__s64)(end_ns - c->first_ns) : 0;
}

/* The dns / dns_timeout fields that come from the query and its key. */
static __always_inline void wl_rec_query(struct wl_record *r,
					 const struct wl_dns_key *k,
					 const struct wl_dns_q *q)
{
	r->ifindex = k->ifindex;
	r->family = k->family;
	__builtin_memcpy(r->client_ip, k->client_ip, 16);
	__builtin_memcpy(r->server_ip, k->server_ip, 16);
	r->client_port = k->client_port;
	r->server_port = k->server_port;
	r->dns.id = k->id;
	r->dns.proto = k->proto;
	r->dns.qtype = q->qtype;
	r->dns.retransmits = q->retransmits;
	r->dns.qname_len = q->qname_len;
	__builtin_memcpy(r->qname, q->qname, WL_QNAME_MAX);
}

#endif /* WIRELAT_RECORD_H */
