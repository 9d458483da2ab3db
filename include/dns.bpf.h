/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dns.bpf.h - DNS queries matched with their responses (DESIGN.md, DNS).
 *
 * A message is looked at in a per-CPU copy (struct wl_dns_scratch): the
 * entry point loads up to WL_DNS_BUF bytes of it with bpf_xdp_load_bytes /
 * bpf_skb_load_bytes (the payload may sit in fragments), then calls
 * wl_dns_msg(), a global function the verifier checks once.
 *
 * Key: (ifindex, client, server, proto, ID, slot); the first question
 * (qname bytes, case kept, and qtype) must match too, byte for byte (a
 * 64-bit hash of them is compared first, to fail fast). First query ->
 * first matching response = latency. Two questions on one tuple and ID
 * are two transactions: the first in slot 0, a later one while that is
 * kept under its hash (wl_dns_find()).
 */
#ifndef WIRELAT_DNS_BPF_H
#define WIRELAT_DNS_BPF_H

#include "clock.bpf.h"
#include "stats.bpf.h"
#include "parsing.h"
#include "record.h"

#define WL_DNS_HDR 12
_Static_assert(__builtin_offsetof(struct wl_dns_scratch, msg) + WL_DNS_HDR ==
		       __builtin_offsetof(struct wl_dns_scratch, q.qname),
	       "a new query's qname sits on the message's name");
#define WL_DNS_MASK (WL_DNS_BUF - 1)

static __always_inline int wl_is_dns_port(__u16 port)
{
	__u32 i;

	/* n_dns_ports is rodata: unused slots are pruned */
	for (i = 0; i < WL_MAX_DNS_PORTS && i < cfg.n_dns_ports; i++)
		if (cfg.dns_port[i] == port)
			return 1;
	return 0;
}

/* Big-endian u16 at @off of a WL_DNS_BUF buffer (0 past its end). */
static __always_inline __u16 wl_be16(const __u8 *b, __u32 off)
{
	/* hide what clang knows of @off: it would drop the checks below */
	asm volatile("" : "+r"(off));
	off &= WL_DNS_MASK;
	if (off > WL_DNS_BUF - 2)
		return 0;
	return (__u16)b[off] << 8 | b[off + 1];
}

static __always_inline __u32 wl_qtype_label(__u16 qt)
{
	switch (qt) {
	case 1: return WL_QT_A;
	case 28: return WL_QT_AAAA;
	case 5: return WL_QT_CNAME;
	case 15: return WL_QT_MX;
	case 2: return WL_QT_NS;
	case 12: return WL_QT_PTR;
	case 6: return WL_QT_SOA;
	case 33: return WL_QT_SRV;
	case 16: return WL_QT_TXT;
	case 65: return WL_QT_HTTPS;
	case 64: return WL_QT_SVCB;
	case 255: return WL_QT_ANY;
	}
	return WL_QT_OTHER;
}

static __always_inline __u32 wl_rcode_label(__u8 rc)
{
	return rc < WL_RC_OTHER ? rc : WL_RC_OTHER;
}

/* What the parser found in a message: struct wl_dns_msg, maps.bpf.h. */

/*
 * Walk the first question's name at offset 12 of @m (@len bytes present).
 * Returns the offset of its terminating zero, or -1 when it is malformed
 * (a compression pointer, a label over 63 bytes, a name over 255) or not
 * wholly inside the @len bytes. A global function (wl_dns_qname_end()):
 * the walk ends at one of 128 places, and what follows is verified once,
 * not once per place (Linux 6.1's verifier went past a million
 * instructions that way).
 */
static __always_inline int wl_dns_walk_qname(const __u8 *m, __u32 len)
{
	__u32 pos = WL_DNS_HDR, i;

	/* label by label: exits are the only branches, so states stay few */
	for (i = 0; i < 128; i++) {
		__u8 l;

		if (pos >= len)
			return -1;
		/* hide the bound from clang so it keeps the mask the verifier needs */
		asm volatile("" : "+r"(pos));
		l = m[pos & WL_DNS_MASK];
		if (l == 0)
			return pos;
		if (l > 63)	/* 0xc0: a pointer; 0x40/0x80: reserved */
			return -1;
		pos += l + 1;
		if (pos > WL_DNS_HDR + 255)
			return -1;
	}
	return -1;
}

#ifdef WL_DEFINE_MAPS
__noinline int wl_dns_qname_end(const struct wl_dns_scratch *sc, __u32 len)
{
	if (!sc)
		return -1;
	return wl_dns_walk_qname(sc->msg, len);
}
#else
extern int wl_dns_qname_end(const struct wl_dns_scratch *sc, __u32 len);
#endif

/*
 * The first question of the message in @sc (@len bytes present) into @d:
 * its name's length, qtype, end and hash. Returns 0, or -1 (malformed).
 */
static __always_inline int wl_dns_question(const struct wl_dns_scratch *sc,
					   __u32 len, struct wl_dns_msg *d)
{
	const __u8 *m = sc->msg;
	__u64 h = 0xcbf29ce484222325ULL;
	int pos = wl_dns_qname_end(sc, len);
	__u32 n, k;

	if (pos < 0)
		return -1;
	/*
	 * Through @d (memory the verifier does not track) the length comes
	 * back as one unknown value, not one per exit of the walk above.
	 */
	d->qname_len = pos + 1 - WL_DNS_HDR;
	n = d->qname_len;
	if (n > 255 || WL_DNS_HDR + n + 4 > len)
		return -1;	/* too long, or qtype/qclass cut off */
	d->qtype = wl_be16(m, WL_DNS_HDR + n);
	d->end = WL_DNS_HDR + n + 4;

	/* FNV-style hash of the name, 8 bytes a step, case kept */
	for (k = 0; k < 32; k++) {
		__u64 w;

		if (8 * k >= n)
			break;
		w = *(const __u64 *)&m[WL_DNS_HDR + 8 * k];
		if (8 * k + 8 > n)	/* keep the bytes of the name only */
			w &= (1ULL << (8 * (n - 8 * k))) - 1;
		h = (h ^ w) * 0x100000001b3ULL;
	}
	d->qhash = ((h ^ d->qtype) * 0x100000001b3ULL) ^ n;
	return 0;
}

/*
 * Parse header and first question of the message in @sc. Returns 0 or -1
 * (malformed). Inline in wl_dns_msg(): the name walk, whose many ends
 * made it a global function, is one of its own (wl_dns_qname_end()), and
 * a frame less keeps the deepest call chain (XDP, replay, DNS over TCP,
 * message, name) within the 512 bytes of stack Linux 6.1 counts.
 */
static __always_inline int wl_dns_parse(struct wl_dns_scratch *sc, __u32 len,
					struct wl_dns_msg *d)
{
	const __u8 *m;

	if (len < WL_DNS_HDR + 5)
		return -1;
	m = sc->msg;
	d->id = wl_be16(m, 0);
	d->flags = wl_be16(m, 2);
	d->ancount = wl_be16(m, 6);
	if (wl_be16(m, 4) == 0)		/* no question to match on */
		return -1;
	return wl_dns_question(sc, len, d);
}

#define WL_DNS_QR 0x8000
#define WL_DNS_UNREACH_MAX 64	/* queries one ICMP error ends, at most */
#define WL_DNS_TC 0x0200

/* Key of the transaction @p belongs to; @is_response swaps the sides. */
static __always_inline void wl_dns_key(struct wl_dns_key *k,
				       const struct wl_pkt *p, __u32 ifindex,
				       __u32 proto, __u16 id, int is_response)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->ifindex = ifindex;
	k->family = p->family;
	k->proto = proto;
	k->id = id;
	if (is_response) {
		__builtin_memcpy(k->client_ip, p->daddr, 16);
		__builtin_memcpy(k->server_ip, p->saddr, 16);
		k->client_port = p->dport;
		k->server_port = p->sport;
	} else {
		__builtin_memcpy(k->client_ip, p->saddr, 16);
		__builtin_memcpy(k->server_ip, p->daddr, 16);
		k->client_port = p->sport;
		k->server_port = p->dport;
	}
}

/* dns or dns_timeout record for the transaction @q of @k. */
static __always_inline void wl_dns_record(struct wl_stats *st,
					  const struct wl_dns_key *k,
					  const struct wl_dns_q *q, int type,
					  __u64 ts, __s64 dur, __u16 flags,
					  __u16 ancount, int reason)
{
	struct wl_record *r;

	r = wl_rec_reserve(st, sizeof(struct wl_record), WL_RECORD_DNS_HEAD);
	if (!r)
		return;
	r->ts_ns = ts;
	r->type = type;
	r->reason = reason;
	wl_rec_query(r, k, q);
	r->dns.latency_ns = dur;
	r->dns.answers = ancount;
	r->dns.rcode = flags & 0xf;
	r->dns.truncated = !!(flags & WL_DNS_TC);
	wl_rec_submit(r);
}

static __always_inline void wl_dns_timeout(struct wl_stats *st,
					   const struct wl_dns_key *k,
					   const struct wl_dns_q *q, __u64 ts,
					   int reason)
{
	if (reason == WL_FAIL_UNREACHABLE)
		st->dns_unreachable++;
	else if (reason != WL_FAIL_EOF)	/* eof: the capture ended first */
		st->dns_timeouts++;
	wl_dns_record(st, k, q, WL_REC_DNS_TIMEOUT, ts, ts - q->first_ns, 0,
		      0, reason);
}

/*
 * Tombstones of the query table (wl_table_tomb()): an answered query kept
 * a timeout long for duplicates, a timed-out one for late answers. Their
 * measurement is over: the LRU pushing one out is no eviction.
 */
static __always_inline int wl_dns_tomb(__u32 state)
{
	return state == WL_DNS_ANSWERED || state == WL_DNS_TIMED_OUT;
}

/* wl_claim() of @q's state, counting a tombstone made or ended. */
static __always_inline int wl_dns_claim(struct wl_stats *st,
					struct wl_dns_q *q, __u32 from,
					__u32 to)
{
	if (!wl_claim(&q->state, from, to))
		return 0;
	wl_table_tomb(st, WL_T_DNS, wl_dns_tomb(from), wl_dns_tomb(to));
	return 1;
}

/*
 * The timeout rule, applied to @q by @clock: by the packet path to its
 * own transaction and by the sweep to every one. A timeout is claimed
 * (wl_claim()): a response on another CPU may race for it. Returns 1 when
 * the entry is gone, 0 when it stays (possibly as a tombstone).
 */
static __always_inline int wl_dns_expire(struct wl_stats *st,
					 const struct wl_dns_key *k,
					 struct wl_dns_q *q, __u64 clock,
					 __u64 *due)
{
	__u64 t = cfg.dns_timeout_ns;

	switch (q->state) {
	case WL_DNS_PENDING:
		if (clock <= q->last_ns + t)
			return wl_keep(due, q->last_ns + t);
		if (!wl_dns_claim(st, q, WL_DNS_PENDING, WL_DNS_TIMED_OUT))
			return wl_keep(due, clock);
		wl_dns_timeout(st, k, q, q->last_ns + t, WL_FAIL_TIMEOUT);
		if (clock <= q->last_ns + 2 * t)	/* the tombstone's time */
			return wl_keep(due, q->last_ns + 2 * t);
		break;
	case WL_DNS_ANSWERED:
		if (clock <= q->answered_ns + t)
			return wl_keep(due, q->answered_ns + t);
		break;
	case WL_DNS_TIMED_OUT:
		if (clock <= q->last_ns + 2 * t)
			return wl_keep(due, q->last_ns + 2 * t);
		break;
	default:	/* DONE: another CPU removes it */
		return wl_keep(due, clock);
	}
	/* every way here ends a tombstone (answered or timed out) */
	if (!wl_table_delete(st, &dns_pending, k, WL_T_DNS))
		wl_table_tomb(st, WL_T_DNS, 1, 0);
	return 1;
}

/*
 * End of a capture (offline, the sweep with eof): a query still unanswered
 * is reported once, reason eof, at @clock (the capture's last packet), and
 * removed (DESIGN.md). Returns 1 when the entry is gone.
 */
static __always_inline int wl_dns_eof(struct wl_stats *st,
				      const struct wl_dns_key *k,
				      struct wl_dns_q *q, __u64 clock)
{
	if (q->state != WL_DNS_PENDING ||
	    !wl_claim(&q->state, WL_DNS_PENDING, WL_DNS_DONE))
		return 0;
	wl_dns_timeout(st, k, q, clock, WL_FAIL_EOF);
	wl_table_delete(st, &dns_pending, k, WL_T_DNS);
	return 1;
}

/*
 * Is the question the parser found in @sc (sc->dmsg, its name at offset 12
 * of sc->msg) the one @q asked? Byte for byte, case kept: under a 64-bit
 * hash alone a crafted name of the same length and type would pass for
 * it, and a spoofed answer would count as the answer. The hash, compared
 * first, makes a different question fail fast. A global function: its
 * 32-step compare is verified once, not at each lookup that calls it
 * (Linux 6.1 processed 650k instructions for the XDP program otherwise).
 */
#ifdef WL_DEFINE_MAPS
__noinline int wl_dns_same_question(const struct wl_dns_q *q,
				    const struct wl_dns_scratch *sc)
{
	const struct wl_dns_msg *d;
	const __u8 *msg;
	__u32 n, k;

	if (!q || !sc)
		return 0;
	d = &sc->dmsg;
	msg = sc->msg;
	n = d->qname_len;

	if (q->qhash != d->qhash || q->qtype != d->qtype || q->qname_len != n)
		return 0;
	for (k = 0; k < WL_QNAME_MAX / 8; k++) {
		__u64 a, b, mask = ~0ULL;

		if (8 * k >= n)
			break;
		if (8 * k + 8 > n)	/* the name's bytes only */
			mask = (1ULL << (8 * (n - 8 * k))) - 1;
		a = *(const __u64 *)&msg[WL_DNS_HDR + 8 * k];
		b = *(const __u64 *)&q->qname[8 * k];
		if ((a ^ b) & mask)
			return 0;
	}
	return 1;
}
#else
extern int wl_dns_same_question(const struct wl_dns_q *q,
				const struct wl_dns_scratch *sc);
#endif

/* Slot of question @d when slot 0 holds another: its hash, never 0. */
static __always_inline __u32 wl_dns_slot(const struct wl_dns_msg *d)
{
	return (__u32)(d->qhash ^ d->qhash >> 32) | 1;
}

/*
 * The transaction asking @d's question on @k's tuple and ID (expired on
 * the way by @clock), or NULL. Slot 0 first: the first transaction of a
 * tuple and ID lives there, so a socket that never reuses an ID with
 * another question costs one lookup. When slot 0 is empty or asks
 * something else, the question's own slot. On return @k names where it
 * is, or where a new one goes (slot 0 when free); *@same: the entry
 * asks @d's question (not so only for a 32-bit hash collision in the
 * own slot); *@other: slot 0 holds another question (a response that
 * finds nothing is then a mismatch, not unsolicited).
 */
static __always_inline struct wl_dns_q *
wl_dns_find(struct wl_stats *st, const struct wl_dns_scratch *sc,
	    struct wl_dns_key *k, const struct wl_dns_msg *d, __u64 clock,
	    int *same, int *other)
{
	struct wl_dns_q *q = NULL;
	__u32 i;

	*same = 0;
	*other = 0;
	for (i = 0; i < 2; i++) {
		k->qslot = i ? wl_dns_slot(d) : 0;
		q = bpf_map_lookup_elem(&dns_pending, k);
		if (q && wl_dns_expire(st, k, q, clock, NULL))
			q = NULL;
		/* no question has had a slot of its own yet: slot 0 empty
		 * means no transaction at all (a new query, one lookup) */
		if (!q && !i && !wl_dns_slots_used)
			break;
		if (!q)
			continue;
		if (wl_dns_same_question(q, sc)) {
			*same = 1;
			return q;
		}
		if (!i)
			*other = 1;
	}
	if (!q && !*other)
		k->qslot = 0;
	return q;
}

/*
 * A new transaction for query @d, built in the per-CPU scratch; @exists:
 * an entry of @k is there (answered, or a tombstone) and is replaced.
 */
static __always_inline void wl_dns_open(struct wl_stats *st,
					struct wl_dns_scratch *sc,
					const struct wl_dns_key *k,
					const struct wl_dns_msg *d, __u64 now,
					int exists)
{
	struct wl_dns_q *q = &sc->q;

	q->first_ns = now;
	q->last_ns = now;
	q->answered_ns = 0;
	q->qhash = d->qhash;
	q->qtype = d->qtype;
	q->retransmits = 0;
	q->state = WL_DNS_PENDING;
	q->qname_len = d->qname_len;
	__builtin_memset(q->pad, 0, sizeof(q->pad));
	/* q->qname is the message's name already (struct wl_dns_scratch) */
	if (k->qslot && !wl_dns_slots_used)	/* see wl_dns_find() */
		wl_dns_slots_used = 1;
	/* a new key is inserted at once: no failed update first */
	if (!exists || bpf_map_update_elem(&dns_pending, k, q, BPF_EXIST))
		wl_table_insert(st, &dns_pending, k, q, WL_T_DNS);
	st->dns_queries[wl_qtype_label(d->qtype) % WL_QT_MAX]++;
}

static __always_inline void wl_dns_query(struct wl_stats *st,
					 struct wl_dns_scratch *sc,
					 const struct wl_dns_key *k,
					 struct wl_dns_q *q,
					 const struct wl_dns_msg *d, int same,
					 __u64 now)
{
	if (!q || q->state != WL_DNS_PENDING) {
		if (q)	/* a tombstone reopened in place ends */
			wl_table_tomb(st, WL_T_DNS, wl_dns_tomb(q->state), 0);
		wl_dns_open(st, sc, k, d, now, !!q);
		return;
	}
	if (!same) {
		/* only a 32-bit hash collision gets here (wl_dns_find()):
		 * one slot for two questions, the older one is over */
		if (wl_dns_claim(st, q, WL_DNS_PENDING, WL_DNS_TIMED_OUT))
			wl_dns_timeout(st, k, q, now, WL_FAIL_TIMEOUT);
		wl_table_tomb(st, WL_T_DNS, 1, 0);	/* reopened in place */
		wl_dns_open(st, sc, k, d, now, 1);
		return;
	}
	q->retransmits++;
	q->last_ns = now;
	st->dns_query_retransmits++;
}

static __always_inline void wl_dns_response(struct wl_stats *st,
					    const struct wl_dns_key *k,
					    struct wl_dns_q *q,
					    const struct wl_dns_msg *d, int same,
					    int other, __u64 now)
{
	__u32 rc = wl_rcode_label(d->flags & 0xf);
	__s64 lat;

	if (!q && !other) {
		st->dns_unsolicited++;
		return;
	}
	/* the question is part of the match (DESIGN.md): another one answers
	 * nothing of this socket's, whatever state its queries are in */
	if (!q || !same) {
		st->dns_mismatched++;
		return;
	}
	switch (q->state) {
	case WL_DNS_PENDING:
	case WL_DNS_ANSWERED:
	case WL_DNS_TIMED_OUT:
		break;
	default:
		return;
	}
	if (q->state == WL_DNS_ANSWERED) {
		st->dns_duplicate++;
		return;
	}
	if (q->state == WL_DNS_TIMED_OUT)
		goto late;
	lat = now - q->first_ns;
	q->answered_ns = now;	/* before the swap publishes it */
	if (!wl_dns_claim(st, q, WL_DNS_PENDING, WL_DNS_ANSWERED)) {
		if (q->state == WL_DNS_TIMED_OUT)
			goto late;	/* the sweep timed it out first */
		return;
	}
	st->dns_responses[rc % WL_RC_MAX]++;
	wl_hist_add(st, WL_H_DNS + rc % WL_RC_MAX, lat);
	wl_dns_record(st, k, q, WL_REC_DNS, now, lat, d->flags, d->ancount, 0);
	return;
late:
	/* counted once: the tombstone goes */
	if (!wl_dns_claim(st, q, WL_DNS_TIMED_OUT, WL_DNS_DONE))
		return;
	st->dns_late++;
	wl_table_delete(st, &dns_pending, k, WL_T_DNS);
}

/*
 * One DNS message of @len bytes in sc->msg, carried by @p (UDP or a TCP
 * segment: @proto). Global: checked once by the verifier. Returns 0, or
 * -1 when the message is malformed or its question is cut off (the caller
 * counts it: malformed, or split across TCP segments).
 */
#ifdef WL_DEFINE_MAPS
__noinline int wl_dns_msg(struct wl_stats *st, struct wl_pkt *p,
			  struct wl_dns_scratch *sc, __u32 len, __u32 proto)
{
	struct wl_dns_msg *d;
	struct wl_dns_key *k;
	struct wl_dns_q *q;
	int is_response, same, other;
	__u64 now;

	if (!st || !p || !sc)
		return 0;
	if (len > WL_DNS_BUF)
		len = WL_DNS_BUF;
	/* in the scratch, not on the stack: this frame is on the deepest
	 * call chain (XDP, DNS over TCP, here, the name's walk), which
	 * Linux 6.1 allows 512 bytes */
	d = &sc->dmsg;
	__builtin_memset(d, 0, sizeof(*d));
	if (wl_dns_parse(sc, len, d))
		return -1;
	is_response = !!(d->flags & WL_DNS_QR);
	/* a query goes to a DNS port, a response comes from one */
	if (!wl_is_dns_port(is_response ? p->sport : p->dport))
		return 0;
	/*
	 * @sc is the per-CPU scratch, but to the verifier, memory a global
	 * function was handed; verifiers before 6.4 take a map value (the
	 * query inserted from it) only from a map lookup: looked up again.
	 * The key lives there too: on the stack it made the deepest call
	 * chain 544 bytes, over the 512 Linux 6.1 allows.
	 */
	sc = bpf_map_lookup_elem(&dns_scratch, (const void *)&wl_key0);
	if (!sc)
		return 0;
	barrier_var(sc);
	k = &sc->dkey;
	d = &sc->dmsg;
	wl_dns_key(k, p, p->ifindex, proto, d->id, is_response);
	now = wl_now_ns();
	q = wl_dns_find(st, sc, k, d, wl_clock_ns(now), &same, &other);
	if (is_response)
		wl_dns_response(st, k, q, d, same, other, now);
	else
		wl_dns_query(st, sc, k, q, d, same, now);
	return 0;
}

/* The pending query @q of @k ends: an ICMP error at @now quoted it. */
static __always_inline void wl_dns_unreached(struct wl_stats *st,
					     const struct wl_dns_key *k,
					     struct wl_dns_q *q, __u64 now)
{
	/* pending -> done makes or ends no tombstone: a plain claim */
	if (wl_dns_expire(st, k, q, wl_clock_ns(now), NULL) ||
	    !wl_claim(&q->state, WL_DNS_PENDING, WL_DNS_DONE))
		return;
	wl_dns_timeout(st, k, q, now, WL_FAIL_UNREACHABLE);
	wl_table_delete(st, &dns_pending, k, WL_T_DNS);
}

/* The walk's context: on the stack (where callbacks take it), small. */
struct wl_dns_walk {
	struct wl_dns_unreach *u;	/* in the per-CPU scratch */
};

/*
 * bpf_for_each_map_elem() callback: the earliest query still pending by
 * u->now that u matches, into u->best_*. Only looks: ending one here
 * would write records in the table's hash order, which differs from run
 * to run (the map's hash seed is random).
 */
static long wl_dns_unreach_one(void *map, struct wl_dns_key *k,
			       struct wl_dns_q *q, struct wl_dns_walk *w)
{
	struct wl_dns_unreach *u = w->u;
	const __u64 *a = (const __u64 *)k->client_ip;
	const __u64 *b;

	(void)map;
	if (!u)
		return 1;
	b = (const __u64 *)u->k.client_ip;
	if (k->ifindex != u->k.ifindex || k->family != u->k.family ||
	    k->proto != WL_DNS_UDP || k->client_port != u->k.client_port ||
	    k->server_port != u->k.server_port ||
	    (u->id >= 0 && k->id != u->id) ||
	    a[0] != b[0] || a[1] != b[1] || a[2] != b[2] || a[3] != b[3])
		return 0;
	if (q->state != WL_DNS_PENDING ||
	    wl_clock_ns(u->now) > q->last_ns + cfg.dns_timeout_ns)
		return 0;	/* over, or its timeout comes first */
	if (q->first_ns > u->best_first ||
	    (q->first_ns == u->best_first && k->id >= u->best_id &&
	     u->best_first != ~0ULL))
		return 0;
	u->best_first = q->first_ns;
	u->best_id = k->id;
	u->best_slot = k->qslot;
	return 0;
}

/* bpf_loop() callback: one walk, the earliest match ends; 1: none left. */
static long wl_dns_unreach_next(__u32 i, void *unused)
{
	struct wl_dns_scratch *sc;
	struct wl_dns_walk w;
	struct wl_dns_unreach *u;
	struct wl_stats *st;
	struct wl_dns_q *q;
	__u32 zero = 0;

	(void)i;
	(void)unused;
	sc = bpf_map_lookup_elem(&dns_scratch, &zero);
	if (!sc)
		return 1;
	u = &sc->unreach;
	st = wl_stats_of(u->k.ifindex);
	if (!st)
		return 1;
	u->best_first = ~0ULL;
	u->best_id = 0;
	w.u = u;
	bpf_for_each_map_elem(&dns_pending, wl_dns_unreach_one, &w, 0);
	if (u->best_first == ~0ULL)
		return 1;
	/* the key names the match now; the next walk starts from it */
	u->k.id = u->best_id;
	u->k.qslot = u->best_slot;
	q = bpf_map_lookup_elem(&dns_pending, &u->k);
	if (q)
		wl_dns_unreached(st, &u->k, q, u->now);
	u->k.id = 0;
	u->k.qslot = 0;
	return q ? 0 : 1;
}

/*
 * An ICMP unreachable quoting a UDP datagram to a DNS port; @len quoted
 * bytes of its payload are in @sc (0 when the quote stops at the UDP
 * header, as RFC 792 routers quote). Ends as unreachable the pending
 * query the quote names: by its question where the quote holds the
 * question; where it holds less, every pending query on the tuple (and
 * its DNS ID, when quoted): what was sent to that port did not arrive,
 * whichever question it asked, in the order they were sent (up to
 * WL_DNS_UNREACH_MAX; more on one tuple time out as they would have).
 * That walks the query table once per query ended and once more (cost:
 * its size each), which only an error quoting less than the question
 * does. Returns 0.
 */
__noinline int wl_dns_unreachable(struct wl_stats *st, struct wl_pkt *p,
				  struct wl_dns_scratch *sc, __u32 len)
{
	struct wl_dns_unreach *u;
	struct wl_dns_msg *d;
	struct wl_dns_q *q;
	int same, other, id;
	__u64 now;

	if (!st || !p || !sc || !wl_is_dns_port(p->dport))
		return 0;
	if (len > WL_DNS_BUF)
		len = WL_DNS_BUF;
	now = wl_now_ns();
	id = len >= 2 ? wl_be16(sc->msg, 0) : -1;
	/* as in wl_dns_msg(): the scratch from a lookup */
	sc = bpf_map_lookup_elem(&dns_scratch, (const void *)&wl_key0);
	if (!sc)
		return 0;
	barrier_var(sc);
	d = &sc->dmsg;	/* as in wl_dns_msg(): off the stack */
	__builtin_memset(d, 0, sizeof(*d));
	if (len >= WL_DNS_HDR + 5 && !wl_dns_parse(sc, len, d) &&
	    !(d->flags & WL_DNS_QR)) {
		wl_dns_key(&sc->dkey, p, p->ifindex, WL_DNS_UDP, d->id, 0);
		q = wl_dns_find(st, sc, &sc->dkey, d, wl_clock_ns(now),
				&same, &other);
		if (q && same && q->state == WL_DNS_PENDING)
			wl_dns_unreached(st, &sc->dkey, q, now);
		return 0;
	}
	u = &sc->unreach;
	wl_dns_key(&u->k, p, p->ifindex, WL_DNS_UDP, 0, 0);
	u->now = now;
	u->id = id;
	/* in the order the queries were sent, as the sweep would time them
	 * out: one walk for each, and one to find none is left */
	bpf_loop(WL_DNS_UNREACH_MAX, wl_dns_unreach_next, NULL, 0);
	return 0;
}
#else
extern int wl_dns_msg(struct wl_stats *st, struct wl_pkt *p,
		      struct wl_dns_scratch *sc, __u32 len, __u32 proto);
extern int wl_dns_unreachable(struct wl_stats *st, struct wl_pkt *p,
			      struct wl_dns_scratch *sc, __u32 len);
#endif

#endif /* WIRELAT_DNS_BPF_H */
