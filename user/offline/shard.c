// SPDX-License-Identifier: BSD-3-Clause
/*
 * shard.c - which replay shard a frame goes to (shard.h). Only the
 * addresses and ports count, ordered so both directions hash alike; an
 * ICMP error is hashed by the header it quotes, so it meets the flow it
 * ends. What the BPF parser stops on (fragments, other protocols, cut or
 * malformed headers) needs no flow: any shard counts it the same, and this
 * hashes what it found so far.
 */
#include <string.h>
#include "offline/shard.h"

#define ETH_HLEN 14
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58

struct ends {
	uint8_t a[16], b[16];	/* addresses (IPv4 in the first 4 bytes) */
	uint16_t pa, pb;	/* ports, 0 when none */
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One word into @h: multiply and fold (the words' bits all reach the low 32). */
static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 29;
}

/* An end as three words: the address's two halves and the port. */
static void end_words(const uint8_t addr[16], uint16_t port, uint64_t w[3])
{
	memcpy(&w[0], addr, 8);
	memcpy(&w[1], addr + 8, 8);
	w[2] = port;
}

/* @x's end before @y's, in one fixed order (either may come first). */
static int end_before(const uint64_t x[3], const uint64_t y[3])
{
	if (x[0] != y[0])
		return x[0] < y[0];
	if (x[1] != y[1])
		return x[1] < y[1];
	return x[2] <= y[2];
}

/*
 * Both ends, lower first so both directions hash alike, word by word: a
 * byte-wise hash was a third of the reader thread of a big replay.
 */
static uint32_t hash_ends(const struct ends *e)
{
	uint64_t a[3], b[3], h = 0xcbf29ce484222325ULL;
	const uint64_t *lo = a, *hi = b;
	int i;

	end_words(e->a, e->pa, a);
	end_words(e->b, e->pb, b);
	if (!end_before(a, b)) {
		lo = b;
		hi = a;
	}
	for (i = 0; i < 3; i++)
		h = mix(h, lo[i]);
	for (i = 0; i < 3; i++)
		h = mix(h, hi[i]);
	return (uint32_t)(h ^ h >> 32);
}

/* Ports at @l4 for TCP and UDP, when 4 bytes of it are there. */
static void ports(const uint8_t *l4, const uint8_t *end, int proto,
		  struct ends *e)
{
	if ((proto == PROTO_TCP || proto == PROTO_UDP) && end - l4 >= 4) {
		e->pa = be16(l4);
		e->pb = be16(l4 + 2);
	}
}

static int is_ipv6_ext(int next)
{
	return next == 0 || next == 43 || next == 44 || next == 60 ||
	       next == 51;
}

/*
 * The IP header at @p (and IPv6 extension headers) into @e; returns the
 * L4 protocol with *@l4 at its header, or -1 where no ports can follow.
 */
static int ip_ends(const uint8_t *p, const uint8_t *end, struct ends *e,
		   const uint8_t **l4)
{
	int next, i;

	if (end - p < 1)
		return -1;
	if (p[0] >> 4 == 4) {
		size_t hl = (p[0] & 15) * 4;

		if (end - p < 20 || hl < 20)
			return -1;
		memcpy(e->a, p + 12, 4);
		memcpy(e->b, p + 16, 4);
		if (be16(p + 6) & 0x1fff)	/* not the first fragment */
			return -1;
		*l4 = p + hl;
		return p[9];
	}
	if (p[0] >> 4 != 6 || end - p < 40)
		return -1;
	memcpy(e->a, p + 8, 16);
	memcpy(e->b, p + 24, 16);
	next = p[6];
	p += 40;
	for (i = 0; i < 9 && is_ipv6_ext(next); i++) {
		size_t len;

		if (end - p < 8)
			return -1;
		if (next == 44) {
			if (be16(p + 2) & 0xfff8)
				return -1;
			len = 8;
		} else if (next == 51) {
			len = ((size_t)p[1] + 2) * 4;
		} else {
			len = ((size_t)p[1] + 1) * 8;
		}
		next = p[0];
		p += len;
	}
	*l4 = p;
	return next;
}

uint32_t wl_shard_hash(const uint8_t *frame, size_t len)
{
	const uint8_t *end = frame + len, *p = frame + ETH_HLEN, *l4;
	struct ends e;
	uint16_t proto;
	int next, i;

	memset(&e, 0, sizeof(e));
	if (len < ETH_HLEN)
		return 0;
	proto = be16(frame + 12);
	for (i = 0; i < 3 && (proto == 0x8100 || proto == 0x88a8 ||
			      proto == 0x9100); i++) {
		if (end - p < 4)
			return 0;
		proto = be16(p + 2);
		p += 4;
	}
	if (proto != 0x0800 && proto != 0x86dd)
		return 0;
	next = ip_ends(p, end, &e, &l4);
	if ((next == PROTO_ICMP || next == PROTO_ICMPV6) && l4 < end &&
	    end - l4 >= 8 &&
	    (l4[0] == (next == PROTO_ICMP ? 3 : 1))) {	/* unreachable */
		struct ends q;
		const uint8_t *ql4;

		memset(&q, 0, sizeof(q));
		next = ip_ends(l4 + 8, end, &q, &ql4);
		if (next >= 0) {
			ports(ql4, end, next, &q);
			return hash_ends(&q);
		}
	} else if (next >= 0 && l4 < end) {
		ports(l4, end, next, &e);
	}
	return hash_ends(&e);
}
