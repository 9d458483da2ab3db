// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_parse.c - BPF unit test of the parser and the TCP handshake state
 * machine (DESIGN.md, "Measurement semantics").
 *
 * Crafted Ethernet frames, built from packed header structs, go through
 * the XDP program with BPF_PROG_TEST_RUN in offline mode: before each frame
 * the test sets its time, the clock timeouts are judged by (the highest
 * time so far, as the replay keeps it) and its wire length. After each
 * case the per-CPU stats (slot 0) and the records ring buffer are checked.
 * Every case starts from empty maps, so no case sees another's state.
 *
 * Exit 0 when every check passes, 1 otherwise, 77 when BPF_PROG_TEST_RUN
 * (or the privilege to load BPF) is missing. One line per failed check,
 * naming the case, then a summary line.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "wirelat.h"
#include "wirelat.skel.h"

#define SKIP_EXIT 77

#define US 1000ULL
#define MS 1000000ULL
#define SEC 1000000000ULL
/* 2023-11-14T22:13:20Z: offline times are capture (epoch) times */
#define T0 1700000000000000000ULL
#define HS_T WL_DEFAULT_HANDSHAKE_TIMEOUT_NS	/* the suites' timeout (5 s) */

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

#define MAX_RECS 32

/* ---- checks, selftests style ------------------------------------------ */

static char case_name[128];
static int n_cases, n_cases_failed, n_checks, n_failed;
static int case_fails_at_start;

static void check_fail(int line, const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s: %s: ", case_name, name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (line %d)\n", line);
	n_failed++;
}

#define ASSERT_EQ(got, want, name) ({					\
	long long ___got = (long long)(got);				\
	long long ___want = (long long)(want);				\
	bool ___ok = ___got == ___want;					\
									\
	n_checks++;							\
	if (!___ok)							\
		check_fail(__LINE__, (name), "got %lld, want %lld",	\
			   ___got, ___want);				\
	___ok;								\
})

#define ASSERT_OK(err, name) ({						\
	long long ___err = (long long)(err);				\
	bool ___ok = ___err == 0;					\
									\
	n_checks++;							\
	if (!___ok)							\
		check_fail(__LINE__, (name), "unexpected error %lld (%s)", \
			   ___err, strerror((int)-___err));		\
	___ok;								\
})

#define ASSERT_TRUE(cond, name) ({					\
	bool ___ok = !!(cond);						\
									\
	n_checks++;							\
	if (!___ok)							\
		check_fail(__LINE__, (name), "unexpected false (%s)", #cond); \
	___ok;								\
})

static void hex(char *out, const __u8 *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

#define ASSERT_MEMEQ(got, want, len, name) ({				\
	const __u8 *___g = (const __u8 *)(got);				\
	const __u8 *___w = (const __u8 *)(want);			\
	bool ___ok = !memcmp(___g, ___w, (len));			\
	char ___hg[2 * 64 + 1], ___hw[2 * 64 + 1];			\
									\
	n_checks++;							\
	if (!___ok) {							\
		hex(___hg, ___g, (len));				\
		hex(___hw, ___w, (len));				\
		check_fail(__LINE__, (name), "got %s, want %s", ___hg,	\
			   ___hw);					\
	}								\
	___ok;								\
})

/* ---- frames ----------------------------------------------------------- */

static __u16 be16(__u16 v)
{
	return htobe16(v);
}

static __u32 be32(__u32 v)
{
	return htobe32(v);
}

struct vlan_tag {
	__be16 tci;
	__be16 proto;		/* the next ethertype or TPID */
} __attribute__((packed));

/* IPv6 fragment header (RFC 8200 4.5); the uapi headers lack one. */
struct frag6_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;	/* offset in 8-byte units << 3 | M */
	__be32 id;
} __attribute__((packed));

/* ICMP error header: type, code, checksum, 4 unused bytes (v4 and v6). */
struct icmp_err_hdr {
	__u8 type;
	__u8 code;
	__be16 csum;
	__be32 unused;
} __attribute__((packed));

#define FRAME_MAX 1024

struct frame {
	__u8 d[FRAME_MAX];
	__u32 len;
	__u32 l3;		/* outer IP header's offset, 0: none yet */
	__u32 l4;		/* outer L4 header's offset, 0: none yet */
	__u8 family;		/* of the outer IP header */
	__u8 l4proto;		/* of the outer L4 header */
};

static void fr_init(struct frame *f)
{
	f->len = 0;
	f->l3 = 0;
	f->l4 = 0;
	f->family = 0;
	f->l4proto = 0;
}

/* Append @n zeroed bytes. */
static void *put(struct frame *f, __u32 n)
{
	void *p = f->d + f->len;

	if (f->len + n > FRAME_MAX) {
		fprintf(stderr, "%s: frame longer than %d bytes\n", case_name,
			FRAME_MAX);
		exit(1);
	}
	memset(p, 0, n);
	f->len += n;
	return p;
}

static void mark_l4(struct frame *f, void *h, __u8 proto)
{
	if (f->l4)
		return;
	f->l4 = (__u8 *)h - f->d;
	f->l4proto = proto;
}

static void put_eth(struct frame *f, __u16 proto)
{
	static const __u8 dst[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const __u8 src[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct ethhdr *eth = put(f, sizeof(*eth));

	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = be16(proto);
}

static void put_vlan(struct frame *f, __u16 vid, __u16 next)
{
	struct vlan_tag *t = put(f, sizeof(*t));

	t->tci = be16(vid);
	t->proto = be16(next);
}

/* IPv4 header with @optlen bytes of options (router alert, then NOPs). */
static struct iphdr *put_ipv4(struct frame *f, const __u8 *src,
			      const __u8 *dst, __u8 proto, __u32 optlen)
{
	struct iphdr *ip = put(f, sizeof(*ip) + optlen);
	__u8 *opt = (__u8 *)(ip + 1);

	ip->version = 4;
	ip->ihl = (sizeof(*ip) + optlen) / 4;
	ip->id = be16(0x4242);
	ip->ttl = 64;
	ip->protocol = proto;
	memcpy(&ip->saddr, src, 4);
	memcpy(&ip->daddr, dst, 4);
	memset(opt, IPOPT_NOOP, optlen);
	if (optlen >= 4) {
		opt[0] = IPOPT_RA;
		opt[1] = 4;
		opt[2] = 0;
		opt[3] = 0;
	}
	if (!f->l3) {
		f->l3 = (__u8 *)ip - f->d;
		f->family = 4;
	}
	return ip;
}

static struct ipv6hdr *put_ipv6(struct frame *f, const __u8 *src,
				const __u8 *dst, __u8 nexthdr)
{
	struct ipv6hdr *ip6 = put(f, sizeof(*ip6));

	ip6->version = 6;
	ip6->nexthdr = nexthdr;
	ip6->hop_limit = 64;
	memcpy(&ip6->saddr, src, 16);
	memcpy(&ip6->daddr, dst, 16);
	if (!f->l3) {
		f->l3 = (__u8 *)ip6 - f->d;
		f->family = 6;
	}
	return ip6;
}

/* Bytes each IPv6 extension header gets from the builder. */
static __u32 ext6_len(__u8 type)
{
	switch (type) {
	case IPPROTO_HOPOPTS:
		return 8;
	case IPPROTO_ROUTING:
		return 24;	/* segment routing header, one segment */
	case IPPROTO_DSTOPTS:
		return 16;
	case IPPROTO_FRAGMENT:
		return 8;
	case IPPROTO_AH:
		return 24;	/* 12 bytes of ICV (HMAC-SHA1-96) */
	}
	return 8;
}

static struct frag6_hdr *put_frag6(struct frame *f, __u8 next, __u16 off8,
				   int more)
{
	struct frag6_hdr *fh = put(f, sizeof(*fh));

	fh->nexthdr = next;
	fh->frag_off = be16(off8 << 3 | (more ? 1 : 0));
	fh->id = be32(0xdb8);
	return fh;
}

/* Extension header @type, followed by @next. */
static void put_ext6(struct frame *f, __u8 type, __u8 next)
{
	__u32 len = ext6_len(type);

	if (type == IPPROTO_FRAGMENT) {
		put_frag6(f, next, 0, 0);	/* atomic fragment */
	} else if (type == IPPROTO_AH) {
		struct ip_auth_hdr *ah = put(f, len);

		ah->nexthdr = next;
		ah->hdrlen = len / 4 - 2;
		ah->spi = be32(0x1000);
		ah->seq_no = be32(1);
	} else if (type == IPPROTO_ROUTING) {
		struct ipv6_rt_hdr *rt = put(f, len);
		__u8 *seg = (__u8 *)rt + 8;

		rt->nexthdr = next;
		rt->hdrlen = len / 8 - 1;
		rt->type = 4;		/* SRH, nothing left to visit */
		rt->segments_left = 0;
		seg[0] = 0x20;
		seg[1] = 0x01;
		seg[2] = 0x0d;
		seg[3] = 0xb8;
		seg[15] = 0x99;
	} else {
		struct ipv6_opt_hdr *oh = put(f, len);
		__u8 *opt = (__u8 *)(oh + 1);

		oh->nexthdr = next;
		oh->hdrlen = len / 8 - 1;
		opt[0] = 1;		/* PadN over the rest */
		opt[1] = len - 4;
	}
}

/*
 * TCP header with @optlen bytes of options: 20 = Linux's SYN options
 * (MSS, SACK permitted, timestamps, NOP, window scale), 12 = NOP, NOP,
 * timestamps; other lengths are NOPs.
 */
static struct tcphdr *put_tcp(struct frame *f, __u16 sport, __u16 dport,
			      __u8 flags, __u32 seq, __u32 ack, __u32 optlen)
{
	static const __u8 syn_opts[20] = {
		2, 4, 0x05, 0xb4,		/* MSS 1460 */
		4, 2,				/* SACK permitted */
		8, 10, 0, 0, 0, 1, 0, 0, 0, 0,	/* TSval 1, TSecr 0 */
		1,				/* NOP */
		3, 3, 7,			/* window scale 7 */
	};
	static const __u8 ack_opts[12] = {
		1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1,
	};
	struct tcphdr *th = put(f, sizeof(*th) + optlen);
	__u8 *opt = (__u8 *)(th + 1);

	th->source = be16(sport);
	th->dest = be16(dport);
	th->seq = be32(seq);
	th->ack_seq = be32(ack);
	th->doff = (sizeof(*th) + optlen) / 4;
	((__u8 *)th)[13] = flags;
	th->window = be16(64240);
	memset(opt, 1, optlen);	/* NOP */
	if (optlen == sizeof(syn_opts))
		memcpy(opt, syn_opts, optlen);
	else if (optlen == sizeof(ack_opts))
		memcpy(opt, ack_opts, optlen);
	mark_l4(f, th, IPPROTO_TCP);
	return th;
}

static struct udphdr *put_udp(struct frame *f, __u16 sport, __u16 dport)
{
	struct udphdr *uh = put(f, sizeof(*uh));

	uh->source = be16(sport);
	uh->dest = be16(dport);
	mark_l4(f, uh, IPPROTO_UDP);
	return uh;
}

/* ICMP or ICMPv6 header (8 bytes): echo id/seq or the unused word. */
static struct icmp_err_hdr *put_icmp(struct frame *f, __u8 proto, __u8 type,
				     __u8 code)
{
	struct icmp_err_hdr *ih = put(f, sizeof(*ih));

	ih->type = type;
	ih->code = code;
	if (type == ICMP_ECHO || type == ICMPV6_ECHO_REQUEST)
		ih->unused = be32(0x77 << 16 | 1);	/* id 0x77, seq 1 */
	mark_l4(f, ih, proto);
	return ih;
}

static void put_data(struct frame *f, __u32 n)
{
	__u8 *p = put(f, n);
	__u32 i;

	for (i = 0; i < n; i++)
		p[i] = 'a' + i % 26;
}

static struct iphdr *ip4_of(struct frame *f)
{
	return (struct iphdr *)(f->d + f->l3);
}

static struct ipv6hdr *ip6_of(struct frame *f)
{
	return (struct ipv6hdr *)(f->d + f->l3);
}

static struct tcphdr *tcp_of(struct frame *f)
{
	return (struct tcphdr *)(f->d + f->l4);
}

static struct udphdr *udp_of(struct frame *f)
{
	return (struct udphdr *)(f->d + f->l4);
}

/* Set the outer IP and UDP lengths to cover everything put so far. */
static void fr_done(struct frame *f)
{
	if (f->family == 4)
		ip4_of(f)->tot_len = be16(f->len - f->l3);
	else if (f->family == 6)
		ip6_of(f)->payload_len =
			be16(f->len - f->l3 - sizeof(struct ipv6hdr));
	if (f->l4proto == IPPROTO_UDP)
		udp_of(f)->len = be16(f->len - f->l4);
}

/* ---- endpoints and encapsulations --------------------------------------- */

/* A client and a server; IPv4 addresses in the first 4 bytes. */
struct ends {
	__u8 family;
	__u8 cip[16];
	__u8 sip[16];
	__u16 cport;
	__u16 sport;
};

#define V4(a, b, c, d) { a, b, c, d }
/* 2001:db8::a:b */
#define V6AB(a, b) \
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, a, 0, b }
#define V6(last) V6AB(0, last)

/*
 * Client lower than server, and the other way round, per family. The
 * "lo" pairs sort the other way when read as little-endian words, so a
 * comparison in the wrong byte order shows.
 */
static const struct ends v4_lo = {
	.family = 4, .cip = V4(198, 51, 100, 200), .sip = V4(203, 0, 113, 1),
	.cport = 40000, .sport = 443,
};
static const struct ends v4_hi = {
	.family = 4, .cip = V4(203, 0, 113, 20), .sip = V4(198, 51, 100, 10),
	.cport = 51515, .sport = 80,
};
static const struct ends v6_lo = {
	.family = 6, .cip = V6AB(1, 0xff), .sip = V6AB(2, 1),
	.cport = 40001, .sport = 443,
};
static const struct ends v6_hi = {
	.family = 6, .cip = V6(0x20), .sip = V6(0x10),
	.cport = 33333, .sport = 8443,
};
/* one address, so the ports decide the canonical order */
static const struct ends v4_same_hi = {
	.family = 4, .cip = V4(198, 51, 100, 7), .sip = V4(198, 51, 100, 7),
	.cport = 50000, .sport = 22,
};
static const struct ends v4_same_lo = {
	.family = 4, .cip = V4(198, 51, 100, 7), .sip = V4(198, 51, 100, 7),
	.cport = 1024, .sport = 8080,
};

#define C2S 1
#define S2C 0

/* What sits between Ethernet and L4. */
struct encap {
	__u16 tags[4];		/* TPIDs, outermost first */
	int ntags;
	__u32 ipopt;		/* IPv4 option bytes */
	__u8 ext[10];		/* IPv6 extension headers, in order */
	int next;
};

/* Ethernet, tags, IP (with options or extension headers) up to L4. */
static void put_l3(struct frame *f, const struct encap *e,
		   const struct ends *n, int c2s, __u8 proto)
{
	static const struct encap none;
	__u16 l3type = n->family == 4 ? ETH_P_IP : ETH_P_IPV6;
	const __u8 *src = c2s ? n->cip : n->sip;
	const __u8 *dst = c2s ? n->sip : n->cip;
	int i;

	if (!e)
		e = &none;
	put_eth(f, e->ntags ? e->tags[0] : l3type);
	for (i = 0; i < e->ntags; i++)
		put_vlan(f, 100 + i,
			 i + 1 < e->ntags ? e->tags[i + 1] : l3type);
	if (n->family == 4) {
		put_ipv4(f, src, dst, proto, e->ipopt);
		return;
	}
	put_ipv6(f, src, dst, e->next ? e->ext[0] : proto);
	for (i = 0; i < e->next; i++)
		put_ext6(f, e->ext[i], i + 1 < e->next ? e->ext[i + 1] : proto);
}

/* A TCP segment of @n, client to server when @c2s. */
static void tcp_frame(struct frame *f, const struct encap *e,
		      const struct ends *n, int c2s, __u8 flags, __u32 seq,
		      __u32 ack)
{
	fr_init(f);
	put_l3(f, e, n, c2s, IPPROTO_TCP);
	put_tcp(f, c2s ? n->cport : n->sport, c2s ? n->sport : n->cport,
		flags, seq, ack, (flags & F_SYN) ? 20 : 12);
	fr_done(f);
}

static void udp_frame(struct frame *f, const struct encap *e,
		      const struct ends *n, __u32 paylen)
{
	fr_init(f);
	put_l3(f, e, n, C2S, IPPROTO_UDP);
	put_udp(f, n->cport, n->sport);
	put_data(f, paylen);
	fr_done(f);
}

/* An IP packet of protocol @proto carrying @paylen bytes, nothing parsed. */
static void ip_frame(struct frame *f, const struct encap *e,
		     const struct ends *n, __u8 proto, __u32 paylen)
{
	fr_init(f);
	put_l3(f, e, n, C2S, proto);
	put_data(f, paylen);
	fr_done(f);
}

/*
 * Destination unreachable (port) from the server to the client, quoting
 * @quote_len bytes of the IP packet in @q (the client's segment).
 */
static void unreach_frame(struct frame *f, const struct ends *n,
			  const struct frame *q, __u32 quote_len)
{
	int v4 = n->family == 4;
	__u8 proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	fr_init(f);
	put_l3(f, NULL, n, S2C, proto);
	put_icmp(f, proto, v4 ? ICMP_DEST_UNREACH : ICMPV6_DEST_UNREACH,
		 v4 ? ICMP_PORT_UNREACH : ICMPV6_PORT_UNREACH);
	memcpy(put(f, quote_len), q->d + q->l3, quote_len);
	fr_done(f);
}

/* The RFC 792 quote: the IP header and the first 8 bytes of L4. */
static __u32 quote_len_of(const struct frame *q)
{
	return q->l4 - q->l3 + 8;
}

/* ---- the program and its maps ------------------------------------------- */

struct ctx {
	struct wirelat *skel;
	struct ring_buffer *rb;
	int prog_fd;
	int ncpus;
	size_t stride;		/* per-CPU value size */
	void *buf;		/* ncpus * stride */
	__u64 clock;		/* highest time given so far */
	struct wl_record rec[MAX_RECS];
	int nrec;
	int bad_rec_size;
};

/*
 * Records carrying no DNS name may be shorter than the struct (the qname
 * tail is left off); a record must hold at least the common part and the
 * handshake fields.
 */
#define REC_MIN (offsetof(struct wl_record, hs) + \
		 sizeof(((struct wl_record *)0)->hs))

static int on_record(void *arg, void *data, size_t size)
{
	struct ctx *c = arg;

	if (size < REC_MIN || size > sizeof(struct wl_record)) {
		c->bad_rec_size++;
		return 0;
	}
	/* connection lifecycle records are not what these cases check */
	if (((struct wl_record *)data)->type == WL_REC_CLOSE)
		return 0;
	if (c->nrec < MAX_RECS) {
		memset(&c->rec[c->nrec], 0, sizeof(struct wl_record));
		memcpy(&c->rec[c->nrec], data, size);
	}
	c->nrec++;
	return 0;
}

static int hs_entries(struct ctx *c)
{
	struct wl_flow_key k, next;
	void *cur = NULL;
	int n = 0;

	while (!bpf_map__get_next_key(c->skel->maps.handshakes, cur, &next,
				      sizeof(next))) {
		k = next;
		cur = &k;
		if (++n > 1000)
			break;
	}
	return n;
}

/*
 * The one pending handshake is keyed canonically: the lower (address,
 * port) first, addresses compared as big-endian numbers.
 */
static void expect_key(struct ctx *c, const struct ends *n)
{
	int c_lo = memcmp(n->cip, n->sip, 16) < 0 ||
		   (!memcmp(n->cip, n->sip, 16) && n->cport <= n->sport);
	struct wl_flow_key k;
	int err;

	if (!ASSERT_EQ(hs_entries(c), 1, "one handshake entry"))
		return;
	err = bpf_map__get_next_key(c->skel->maps.handshakes, NULL, &k,
				    sizeof(k));
	if (!ASSERT_OK(err, "read handshake key"))
		return;
	ASSERT_EQ(k.family, n->family, "key.family");
	ASSERT_MEMEQ(k.addr_lo, c_lo ? n->cip : n->sip, 16, "key.addr_lo");
	ASSERT_MEMEQ(k.addr_hi, c_lo ? n->sip : n->cip, 16, "key.addr_hi");
	ASSERT_EQ(k.port_lo, c_lo ? n->cport : n->sport, "key.port_lo");
	ASSERT_EQ(k.port_hi, c_lo ? n->sport : n->cport, "key.port_hi");
}

/* Empty maps and a clock at zero: each case starts from nothing. */
/* Empty @map (keys up to 64 bytes). */
static void clear_map(struct bpf_map *map)
{
	unsigned char k[64];
	size_t ksz = bpf_map__key_size(map);

	while (!bpf_map__get_next_key(map, NULL, k, ksz))
		if (bpf_map__delete_elem(map, k, ksz, 0))
			break;
}

static void reset(struct ctx *c)
{
	struct wl_flow_key k;
	__u32 key = 0;
	int err;

	memset(c->buf, 0, c->ncpus * c->stride);
	err = bpf_map__update_elem(c->skel->maps.stats, &key, sizeof(key),
				   c->buf, c->ncpus * c->stride, BPF_ANY);
	if (err) {
		fprintf(stderr, "cannot clear stats: %s\n", strerror(-err));
		exit(1);
	}
	while (!bpf_map__get_next_key(c->skel->maps.handshakes, NULL, &k,
				      sizeof(k)))
		if (bpf_map__delete_elem(c->skel->maps.handshakes, &k,
					 sizeof(k), 0))
			break;
	clear_map(c->skel->maps.conns);
	clear_map(c->skel->maps.dns_pending);
	clear_map(c->skel->maps.dns_streams);
	ring_buffer__consume(c->rb);
	c->nrec = 0;
	c->bad_rec_size = 0;
	c->clock = 0;
}

static void case_end(void)
{
	if (n_cases && n_failed != case_fails_at_start)
		n_cases_failed++;
}

static void case_start(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	case_end();
	va_start(ap, fmt);
	vsnprintf(case_name, sizeof(case_name), fmt, ap);
	va_end(ap);
	n_cases++;
	case_fails_at_start = n_failed;
	reset(c);
}

/*
 * Run @len bytes of @data, @wire_len long on the wire, seen at @now; the
 * clock is the highest time so far. Checks the verdict, takes the records.
 */
static bool run_raw(struct ctx *c, const void *data, __u32 len,
		    __u32 wire_len, __u64 now)
{
	struct wl_offline *o = &c->skel->bss->wl_offline;
	int err;
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = data,
		    .data_size_in = len, .repeat = 1);

	if (now > c->clock)
		c->clock = now;
	o->now_ns = now;
	o->clock_ns = c->clock;
	o->wire_len = wire_len;
	err = bpf_prog_test_run_opts(c->prog_fd, &topts);
	if (!ASSERT_OK(err ? -errno : 0, "BPF_PROG_TEST_RUN"))
		return false;
	ASSERT_EQ(topts.retval, XDP_PASS, "verdict XDP_PASS");
	ring_buffer__consume(c->rb);
	return true;
}

static bool feed(struct ctx *c, const struct frame *f, __u64 now)
{
	return run_raw(c, f->d, f->len, f->len, now);
}

static void get_stats(struct ctx *c, struct wl_stats *st)
{
	__u64 *sum = (__u64 *)st;
	size_t n = sizeof(*st) / sizeof(__u64), i;
	__u32 key = 0;
	int cpu, err;

	memset(st, 0, sizeof(*st));
	err = bpf_map__lookup_elem(c->skel->maps.stats, &key, sizeof(key),
				   c->buf, c->ncpus * c->stride, 0);
	if (!ASSERT_OK(err, "read stats"))
		return;
	for (cpu = 0; cpu < c->ncpus; cpu++) {
		const __u64 *v = (const __u64 *)((char *)c->buf +
						 cpu * c->stride);

		for (i = 0; i < n; i++)
			sum[i] += v[i];
	}
}

/* ---- expectations ------------------------------------------------------- */

static const char *const pkt_name[WL_PKT_MAX] = {
	"parsed", "malformed", "truncated", "fragment", "other",
};

static const char *const mal_name[WL_MAL_MAX] = {
	"eth_short", "vlan_short", "vlan_depth", "ipv4_short",
	"ipv4_version", "ipv4_ihl", "ipv4_length", "ipv6_short",
	"ipv6_version", "ipv6_length", "ipv6_ext", "ipv6_ext_depth",
	"tcp_short", "tcp_doff", "tcp_option", "udp_short", "udp_length",
	"icmp_short",
};

static const char *const hs_name[WL_HS_MAX] = {
	"completed", "refused", "aborted", "unreachable", "timeout",
	"unobserved", "late",
};

/* the TCP histograms; the ones after them are not this test's */
#define WL_H_TCP_MAX (WL_H_HANDSHAKE + 1)

static const char *const hist_name[WL_H_TCP_MAX] = {
	"syn_to_synack", "synack_to_ack", "handshake",
};

/* Ingress packets by result exactly @want; nothing on egress. */
static void expect_pkts(const struct wl_stats *st, const __u64 *want)
{
	char name[64];
	__u64 eg = 0;
	int r;

	for (r = 0; r < WL_PKT_MAX; r++) {
		snprintf(name, sizeof(name), "packets[ingress][%s]",
			 pkt_name[r] ?: "?");
		ASSERT_EQ(st->packets[WL_DIR_INGRESS][r], want[r], name);
		eg += st->packets[WL_DIR_EGRESS][r];
	}
	ASSERT_EQ(eg, 0, "packets[egress][*]");
}

#define PKTS(...) ((const __u64[WL_PKT_MAX]){ __VA_ARGS__ })
#define HS(...) ((const __u64[WL_HS_MAX]){ __VA_ARGS__ })

/* @n malformed for @reason and none for any other (reason < 0: none). */
static void expect_malformed(const struct wl_stats *st, int reason, __u64 n)
{
	char name[64];
	__u64 total = 0;
	int r;

	for (r = 0; r < WL_MAL_MAX; r++)
		total += st->malformed[r];
	if (reason >= 0) {
		snprintf(name, sizeof(name), "malformed[%s]",
			 mal_name[reason] ?: "?");
		ASSERT_EQ(st->malformed[reason], n, name);
	}
	ASSERT_EQ(total, reason >= 0 ? n : 0, "malformed[*] total");
}

static void expect_hs(const struct wl_stats *st, const __u64 *want)
{
	char name[64];
	int r;

	for (r = 0; r < WL_HS_MAX; r++) {
		snprintf(name, sizeof(name), "hs_result[%s]",
			 hs_name[r] ?: "?");
		ASSERT_EQ(st->hs_result[r], want[r], name);
	}
}

/*
 * Bucket of @v found apart from the BPF side: the first k whose printed
 * bound (le = "%.6g" of 10 us * 2^(k/2), as /metrics prints it) is >= v.
 */
static int bucket_of(__u64 v)
{
	char le[32];
	int k;

	for (k = 0; k < WL_HIST_FINITE; k++) {
		snprintf(le, sizeof(le), "%.6g", 1e-5 * pow(2.0, k / 2.0));
		if ((long double)v <= floorl(strtold(le, NULL) * 1e9L + 1e-3L))
			return k;
	}
	return WL_HIST_FINITE;
}

/* Histogram @id holds exactly the values @v[0..n). */
static void expect_hist(const struct wl_stats *st, int id, const __s64 *v,
			int n)
{
	__u64 want[WL_HIST_BUCKETS] = {}, sum = 0;
	const struct wl_hist *h = &st->hist[id];
	char name[64];
	int i, b;

	for (i = 0; i < n; i++) {
		want[bucket_of(v[i])]++;
		sum += v[i];
	}
	for (b = 0; b < WL_HIST_BUCKETS; b++) {
		if (!want[b] && !h->bucket[b])
			continue;
		snprintf(name, sizeof(name), "hist[%s].bucket[%d]",
			 hist_name[id], b);
		ASSERT_EQ(h->bucket[b], want[b], name);
	}
	snprintf(name, sizeof(name), "hist[%s] total", hist_name[id]);
	{
		__u64 total = 0;

		for (b = 0; b < WL_HIST_BUCKETS; b++)
			total += h->bucket[b];
		ASSERT_EQ(total, n, name);
	}
	snprintf(name, sizeof(name), "hist[%s].sum_ns", hist_name[id]);
	ASSERT_EQ(h->sum_ns, sum, name);
}

static void expect_hist_empty(const struct wl_stats *st)
{
	int id;

	for (id = 0; id < WL_H_TCP_MAX; id++)
		expect_hist(st, id, NULL, 0);
}

static void expect_nrec(struct ctx *c, int n)
{
	ASSERT_EQ(c->nrec, n, "records");
	ASSERT_EQ(c->bad_rec_size, 0, "records of the wrong size");
}

static void expect_tuple(const struct wl_record *r, const struct ends *n)
{
	ASSERT_EQ(r->family, n->family, "rec.family");
	ASSERT_MEMEQ(r->client_ip, n->cip, 16, "rec.client_ip");
	ASSERT_MEMEQ(r->server_ip, n->sip, 16, "rec.server_ip");
	ASSERT_EQ(r->client_port, n->cport, "rec.client_port");
	ASSERT_EQ(r->server_port, n->sport, "rec.server_port");
	ASSERT_EQ(r->source, WL_SRC_WIRE, "rec.source");
}

/* Record @i is a tcp_handshake of @n with these times. */
static void expect_hs_rec(struct ctx *c, int i, const struct ends *n,
			  __u64 ts, __s64 leg1, __s64 leg2, __s64 total,
			  int syn_rtx, int synack_rtx)
{
	const struct wl_record *r = &c->rec[i];

	if (!ASSERT_TRUE(i < c->nrec && i < MAX_RECS, "record present"))
		return;
	ASSERT_EQ(r->type, WL_REC_HANDSHAKE, "rec.type tcp_handshake");
	ASSERT_EQ(r->ts_ns, ts, "rec.ts_ns");
	expect_tuple(r, n);
	ASSERT_EQ(r->hs.syn_to_synack_ns, leg1, "rec.syn_to_synack_ns");
	ASSERT_EQ(r->hs.synack_to_ack_ns, leg2, "rec.synack_to_ack_ns");
	ASSERT_EQ(r->hs.handshake_ns, total, "rec.handshake_ns");
	ASSERT_EQ(r->syn_retransmits, syn_rtx, "rec.syn_retransmits");
	ASSERT_EQ(r->synack_retransmits, synack_rtx,
		  "rec.synack_retransmits");
}

/* Record @i is a tcp_handshake_failed of @n. */
static void expect_fail_rec(struct ctx *c, int i, const struct ends *n,
			    int reason, __u64 ts, __s64 elapsed, int syn_rtx)
{
	const struct wl_record *r = &c->rec[i];

	if (!ASSERT_TRUE(i < c->nrec && i < MAX_RECS, "record present"))
		return;
	ASSERT_EQ(r->type, WL_REC_HANDSHAKE_FAILED,
		  "rec.type tcp_handshake_failed");
	ASSERT_EQ(r->reason, reason, "rec.reason");
	ASSERT_EQ(r->ts_ns, ts, "rec.ts_ns");
	expect_tuple(r, n);
	ASSERT_EQ(r->fail.elapsed_ns, elapsed, "rec.elapsed_ns");
	ASSERT_EQ(r->syn_retransmits, syn_rtx, "rec.syn_retransmits");
}

/* ---- cases: header variants ------------------------------------------- */

#define CISN 0x1a2b3c4dU
#define SISN 0x80706050U

/* SYN at @t, SYN-ACK @d1 later, the client's ACK @d2 after that. */
static void handshake(struct ctx *c, const struct encap *e,
		      const struct ends *n, __u32 cisn, __u32 sisn, __u64 t,
		      __u64 d1, __u64 d2)
{
	struct frame f;

	tcp_frame(&f, e, n, C2S, F_SYN, cisn, 0);
	feed(c, &f, t);
	tcp_frame(&f, e, n, S2C, F_SYN | F_ACK, sisn, cisn + 1);
	feed(c, &f, t + d1);
	tcp_frame(&f, e, n, C2S, F_ACK, cisn + 1, sisn + 1);
	feed(c, &f, t + d1 + d2);
}

/* One clean handshake of @n: packets, result, record and histograms. */
static void expect_one_handshake(struct ctx *c, const struct ends *n,
				 __u64 npkts, __u64 ts, __s64 d1, __s64 d2,
				 __s64 total, int syn_rtx, int synack_rtx)
{
	struct wl_stats st;

	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = npkts));
	expect_malformed(&st, -1, 0);
	expect_hs(&st, HS([WL_HS_COMPLETED] = 1));
	ASSERT_EQ(st.syn_retransmits, syn_rtx, "stats.syn_retransmits");
	ASSERT_EQ(st.synack_retransmits, synack_rtx,
		  "stats.synack_retransmits");
	ASSERT_EQ(st.negative_durations, 0, "stats.negative_durations");
	ASSERT_EQ(st.records_dropped, 0, "stats.records_dropped");
	expect_hist(&st, WL_H_SYN_TO_SYNACK, &d1, 1);
	expect_hist(&st, WL_H_SYNACK_TO_ACK, &d2, 1);
	expect_hist(&st, WL_H_HANDSHAKE, &total, 1);
	expect_nrec(c, 1);
	expect_hs_rec(c, 0, n, ts, d1, d2, total, syn_rtx, synack_rtx);
	ASSERT_EQ(hs_entries(c), 0, "handshake entries left");
}

/* A frame that is counted once as @result (@reason when malformed). */
static void expect_single(struct ctx *c, int result, int reason)
{
	__u64 want[WL_PKT_MAX] = {};
	struct wl_stats st;

	want[result] = 1;
	get_stats(c, &st);
	expect_pkts(&st, want);
	expect_malformed(&st, result == WL_PKT_MALFORMED ? reason : -1, 1);
	expect_hs(&st, HS(0));
	expect_nrec(c, 0);
}

struct variant {
	const char *name;
	const struct ends *n;
	struct encap e;
};

static void test_variants(struct ctx *c)
{
	static const struct variant tcp[] = {
		{ "eth_ipv4_tcp", &v4_lo, {} },
		{ "vlan_8021q", &v4_lo, { .tags = { 0x8100 }, .ntags = 1 } },
		{ "qinq_88a8_8100", &v4_lo,
		  { .tags = { 0x88a8, 0x8100 }, .ntags = 2 } },
		{ "qinq_9100_8100", &v4_lo,
		  { .tags = { 0x9100, 0x8100 }, .ntags = 2 } },
		{ "vlan3_88a8_8100_8100", &v4_lo,
		  { .tags = { 0x88a8, 0x8100, 0x8100 }, .ntags = 3 } },
		{ "ipv6_plain", &v6_lo, {} },
		{ "ipv6_qinq", &v6_lo,
		  { .tags = { 0x88a8, 0x8100 }, .ntags = 2 } },
		{ "ipv6_hbh", &v6_lo,
		  { .ext = { IPPROTO_HOPOPTS }, .next = 1 } },
		{ "ipv6_routing", &v6_lo,
		  { .ext = { IPPROTO_ROUTING }, .next = 1 } },
		{ "ipv6_dstopts", &v6_lo,
		  { .ext = { IPPROTO_DSTOPTS }, .next = 1 } },
		{ "ipv6_frag_atomic", &v6_lo,
		  { .ext = { IPPROTO_FRAGMENT }, .next = 1 } },
		{ "ipv6_ah", &v6_lo, { .ext = { IPPROTO_AH }, .next = 1 } },
		{ "ipv6_hbh_dst_rt_frag_ah_dst", &v6_lo,
		  { .ext = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
			     IPPROTO_FRAGMENT, IPPROTO_AH, IPPROTO_DSTOPTS },
		    .next = 6 } },
		{ "ipv6_ext_chain_8", &v6_lo,
		  { .ext = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
			     IPPROTO_ROUTING, IPPROTO_FRAGMENT, IPPROTO_AH,
			     IPPROTO_AH, IPPROTO_DSTOPTS },
		    .next = 8 } },
		{ "ipv6_vlan_ext_chain_8", &v6_hi,
		  { .tags = { 0x8100 }, .ntags = 1,
		    .ext = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_DSTOPTS,
			     IPPROTO_DSTOPTS, IPPROTO_DSTOPTS, IPPROTO_DSTOPTS,
			     IPPROTO_DSTOPTS, IPPROTO_DSTOPTS },
		    .next = 8 } },
	};
	struct encap e;
	struct frame f;
	size_t i;
	int ihl;

	/* TCP through each variant: a whole handshake proves the offsets */
	for (i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++) {
		case_start(c, "variant/%s", tcp[i].name);
		handshake(c, &tcp[i].e, tcp[i].n, CISN, SISN, T0, 1 * MS,
			  500 * US);
		expect_one_handshake(c, tcp[i].n, 3, T0 + 1500 * US, 1 * MS,
				     500 * US, 1500 * US, 0, 0);
	}
	for (ihl = 6; ihl <= 15; ihl++) {
		memset(&e, 0, sizeof(e));
		e.ipopt = (ihl - 5) * 4;
		case_start(c, "variant/ipv4_ihl_%d", ihl);
		handshake(c, &e, ihl & 1 ? &v4_hi : &v4_lo, CISN, SISN, T0,
			  1 * MS, 500 * US);
		expect_one_handshake(c, ihl & 1 ? &v4_hi : &v4_lo, 3,
				     T0 + 1500 * US, 1 * MS, 500 * US,
				     1500 * US, 0, 0);
	}

	case_start(c, "variant/vlan4_malformed_depth");
	memset(&e, 0, sizeof(e));
	e.ntags = 4;
	e.tags[0] = 0x88a8;
	e.tags[1] = e.tags[2] = e.tags[3] = 0x8100;
	tcp_frame(&f, &e, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_MALFORMED, WL_MAL_VLAN_DEPTH);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");

	case_start(c, "variant/ipv6_ext_chain_9_malformed_depth");
	memset(&e, 0, sizeof(e));
	e.next = 9;
	memset(e.ext, IPPROTO_DSTOPTS, 9);
	e.ext[0] = IPPROTO_HOPOPTS;
	tcp_frame(&f, &e, &v6_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_MALFORMED, WL_MAL_IPV6_EXT_DEPTH);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");

	case_start(c, "variant/udp_v4");
	udp_frame(&f, NULL, &v4_lo, 20);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_PARSED, -1);

	case_start(c, "variant/udp_v6");
	udp_frame(&f, NULL, &v6_hi, 20);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_PARSED, -1);

	case_start(c, "variant/udp_v6_hbh_vlan");
	memset(&e, 0, sizeof(e));
	e.ntags = 1;
	e.tags[0] = 0x8100;
	e.next = 1;
	e.ext[0] = IPPROTO_HOPOPTS;
	udp_frame(&f, &e, &v6_lo, 0);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_PARSED, -1);

	case_start(c, "variant/icmp_echo_v4");
	fr_init(&f);
	put_l3(&f, NULL, &v4_lo, C2S, IPPROTO_ICMP);
	put_icmp(&f, IPPROTO_ICMP, ICMP_ECHO, 0);
	put_data(&f, 32);
	fr_done(&f);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_PARSED, -1);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");
	{
		struct wl_stats st;

		get_stats(c, &st);
		expect_hist_empty(&st);
	}

	case_start(c, "variant/icmpv6_echo");
	fr_init(&f);
	put_l3(&f, NULL, &v6_lo, C2S, IPPROTO_ICMPV6);
	put_icmp(&f, IPPROTO_ICMPV6, ICMPV6_ECHO_REQUEST, 0);
	put_data(&f, 32);
	fr_done(&f);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_PARSED, -1);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");

	case_start(c, "variant/arp_other");
	fr_init(&f);
	put_eth(&f, ETH_P_ARP);
	{
		/* request: who has 198.51.100.1, tell 198.51.100.10 */
		static const __u8 arp[28] = {
			0, 1, 8, 0, 6, 4, 0, 1,
			2, 0, 0, 0, 0, 1, 198, 51, 100, 10,
			0, 0, 0, 0, 0, 0, 198, 51, 100, 1,
		};

		memcpy(put(&f, sizeof(arp)), arp, sizeof(arp));
	}
	feed(c, &f, T0);
	expect_single(c, WL_PKT_OTHER, -1);

	case_start(c, "variant/mpls_other");
	fr_init(&f);
	put_eth(&f, ETH_P_MPLS_UC);
	{
		/* label 16, bottom of stack, TTL 64, then an IPv4 TCP SYN */
		__be32 *lse = put(&f, 4);
		struct frame in;

		*lse = be32(16 << 12 | 1 << 8 | 64);
		tcp_frame(&in, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
		memcpy(put(&f, in.len - in.l3), in.d + in.l3, in.len - in.l3);
	}
	feed(c, &f, T0);
	expect_single(c, WL_PKT_OTHER, -1);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");

	case_start(c, "variant/pppoe_session_other");
	fr_init(&f);
	put_eth(&f, ETH_P_PPP_SES);
	put_data(&f, 40);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_OTHER, -1);

	case_start(c, "variant/gre_v4_other");
	ip_frame(&f, NULL, &v4_lo, IPPROTO_GRE, 40);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_OTHER, -1);

	case_start(c, "variant/ipip_v4_other");
	{
		struct frame in;

		tcp_frame(&in, NULL, &v4_hi, C2S, F_SYN, CISN, 0);
		fr_init(&f);
		put_l3(&f, NULL, &v4_lo, C2S, IPPROTO_IPIP);
		memcpy(put(&f, in.len - in.l3), in.d + in.l3, in.len - in.l3);
		fr_done(&f);
	}
	feed(c, &f, T0);
	expect_single(c, WL_PKT_OTHER, -1);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");

	case_start(c, "variant/gre_v6_other");
	ip_frame(&f, NULL, &v6_lo, IPPROTO_GRE, 40);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_OTHER, -1);

	case_start(c, "variant/ipv4_nonfirst_fragment");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->frag_off = be16(185);	/* offset 1480 */
	feed(c, &f, T0);
	expect_single(c, WL_PKT_FRAGMENT, -1);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");

	case_start(c, "variant/ipv4_last_fragment_df");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->frag_off = be16(0x4000 | 1);	/* DF, offset 8 */
	feed(c, &f, T0);
	expect_single(c, WL_PKT_FRAGMENT, -1);

	case_start(c, "variant/ipv4_first_fragment_parsed");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->frag_off = be16(0x2000);		/* MF, offset 0 */
	feed(c, &f, T0);
	expect_single(c, WL_PKT_PARSED, -1);
	ASSERT_EQ(hs_entries(c), 1, "handshake entry opened");

	case_start(c, "variant/ipv6_fragment_nonzero_offset");
	fr_init(&f);
	put_l3(&f, NULL, &v6_lo, C2S, IPPROTO_FRAGMENT);
	put_frag6(&f, IPPROTO_TCP, 181, 0);	/* offset 1448, last */
	put_data(&f, 40);
	fr_done(&f);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_FRAGMENT, -1);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");

	case_start(c, "variant/ipv6_fragment_behind_hbh");
	fr_init(&f);
	put_l3(&f, NULL, &v6_lo, C2S, IPPROTO_HOPOPTS);
	put_ext6(&f, IPPROTO_HOPOPTS, IPPROTO_FRAGMENT);
	put_frag6(&f, IPPROTO_TCP, 1, 1);
	put_data(&f, 40);
	fr_done(&f);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_FRAGMENT, -1);

	case_start(c, "variant/ipv6_first_fragment_parsed");
	fr_init(&f);
	put_l3(&f, NULL, &v6_lo, C2S, IPPROTO_FRAGMENT);
	put_frag6(&f, IPPROTO_TCP, 0, 1);	/* offset 0, more */
	put_tcp(&f, v6_lo.cport, v6_lo.sport, F_SYN, CISN, 0, 20);
	fr_done(&f);
	feed(c, &f, T0);
	expect_single(c, WL_PKT_PARSED, -1);
	ASSERT_EQ(hs_entries(c), 1, "handshake entry opened");

	/* IP total length below the frame: the rest is Ethernet trailer */
	case_start(c, "variant/ipv4_eth_trailer");
	{
		struct frame t;

		tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
		feed(c, &f, T0);
		tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN,
			  CISN + 1);
		feed(c, &f, T0 + 1 * MS);
		fr_init(&t);
		put_l3(&t, NULL, &v4_lo, C2S, IPPROTO_TCP);
		put_tcp(&t, v4_lo.cport, v4_lo.sport, F_ACK, CISN + 1,
			SISN + 1, 0);
		fr_done(&t);
		memset(put(&t, 6), 0xee, 6);	/* 60-byte minimum frame */
		feed(c, &t, T0 + 1500 * US);
		expect_one_handshake(c, &v4_lo, 3, T0 + 1500 * US, 1 * MS,
				     500 * US, 1500 * US, 0, 0);
	}
}

/* ---- cases: every cut of three frames ------------------------------------ */

struct region {
	__u32 end;		/* cuts below this (and above the last) ... */
	int reason;		/* ... are malformed for this */
};

struct cut_spec {
	const char *name;
	struct frame f;
	struct region reg[6];
	int nreg;
	__u32 hdr_end;		/* end of the last header */
	int opens_entry;	/* the whole frame is a SYN */
};

/*
 * Every cut of @s from 14 bytes (BPF_PROG_TEST_RUN refuses less) to the
 * whole frame, (1) with wire_len == cut: the frame is what was sent, so a
 * cut header is malformed, and once the IP header is whole the frame is
 * shorter than the IP length says (ipv4_length/ipv6_length); (2) with
 * wire_len == the whole length: the capture's snaplen cut it, so a header
 * cut off is truncated, and a cut after the last header is parsed.
 * No cut makes a record or a handshake entry.
 */
static void cut_sweep(struct ctx *c, const struct cut_spec *s)
{
	struct wl_stats st;
	__u32 len, full = s->f.len;
	int snap, i, reason;

	for (snap = 0; snap <= 1; snap++) {
		for (len = ETH_HLEN; len <= full; len++) {
			__u64 want[WL_PKT_MAX] = {};
			int result;

			case_start(c, "cut/%s/len=%u/wire_len=%u", s->name, len,
				   snap ? full : len);
			reason = -1;
			if (len == full) {
				result = WL_PKT_PARSED;
			} else if (snap) {
				result = len < s->hdr_end ? WL_PKT_TRUNCATED :
							    WL_PKT_PARSED;
			} else {
				result = WL_PKT_MALFORMED;
				for (i = 0; i < s->nreg; i++) {
					if (len < s->reg[i].end) {
						reason = s->reg[i].reason;
						break;
					}
				}
			}
			run_raw(c, s->f.d, len, snap ? full : len, T0);
			want[result] = 1;
			get_stats(c, &st);
			expect_pkts(&st, want);
			expect_malformed(&st, reason, 1);
			expect_hs(&st, HS(0));
			expect_nrec(c, 0);
			ASSERT_EQ(hs_entries(c),
				  len == full && s->opens_entry,
				  "handshake entries");
		}
	}
}

static void test_cuts(struct ctx *c)
{
	static struct cut_spec s;
	struct encap e;
	struct frame *f = &s.f;

	/* (a) IPv4 (IHL 6) TCP SYN with options: 14 + 24 + 40 = 78 */
	memset(&s, 0, sizeof(s));
	memset(&e, 0, sizeof(e));
	e.ipopt = 4;
	s.name = "ipv4_syn_opts";
	tcp_frame(f, &e, &v4_lo, C2S, F_SYN, CISN, 0);
	s.reg[0] = (struct region){ f->l3 + 20, WL_MAL_IPV4_SHORT };
	s.reg[1] = (struct region){ f->l4, WL_MAL_IPV4_IHL };
	s.reg[2] = (struct region){ f->len, WL_MAL_IPV4_LENGTH };
	s.nreg = 3;
	s.hdr_end = f->len;
	s.opens_entry = 1;
	case_start(c, "cut/%s/layout", s.name);
	ASSERT_EQ(f->len, 78, "frame length");
	cut_sweep(c, &s);

	/* (b) IPv6 TCP SYN behind hop-by-hop and destination options */
	memset(&s, 0, sizeof(s));
	memset(&e, 0, sizeof(e));
	e.ext[0] = IPPROTO_HOPOPTS;
	e.ext[1] = IPPROTO_DSTOPTS;
	e.next = 2;
	s.name = "ipv6_hbh_dst_syn";
	tcp_frame(f, &e, &v6_hi, C2S, F_SYN, CISN, 0);
	s.reg[0] = (struct region){ f->l3 + 40, WL_MAL_IPV6_SHORT };
	s.reg[1] = (struct region){ f->len, WL_MAL_IPV6_LENGTH };
	s.nreg = 2;
	s.hdr_end = f->len;
	s.opens_entry = 1;
	case_start(c, "cut/%s/layout", s.name);
	ASSERT_EQ(f->len, 14 + 40 + 8 + 16 + 40, "frame length");
	cut_sweep(c, &s);

	/* (c) QinQ IPv4 UDP with 12 bytes of payload: 14 + 8 + 20 + 8 + 12 */
	memset(&s, 0, sizeof(s));
	memset(&e, 0, sizeof(e));
	e.tags[0] = 0x88a8;
	e.tags[1] = 0x8100;
	e.ntags = 2;
	s.name = "qinq_ipv4_udp";
	udp_frame(f, &e, &v4_lo, 12);
	s.reg[0] = (struct region){ 18, WL_MAL_VLAN_SHORT };
	s.reg[1] = (struct region){ 22, WL_MAL_VLAN_SHORT };
	s.reg[2] = (struct region){ f->l3 + 20, WL_MAL_IPV4_SHORT };
	s.reg[3] = (struct region){ f->len, WL_MAL_IPV4_LENGTH };
	s.nreg = 4;
	s.hdr_end = f->l4 + 8;
	s.opens_entry = 0;
	case_start(c, "cut/%s/layout", s.name);
	ASSERT_EQ(f->len, 62, "frame length");
	cut_sweep(c, &s);
}

/* ---- cases: malformed fields ------------------------------------------- */

/* Send @f (a SYN, if TCP) and expect it malformed for @reason, no state. */
static void expect_malformed_frame(struct ctx *c, const struct frame *f,
				   int reason)
{
	feed(c, f, T0);
	expect_single(c, WL_PKT_MALFORMED, reason);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");
}

static void test_malformed(struct ctx *c)
{
	struct encap e = {};
	struct frame f, syn;

	case_start(c, "malformed/ipv4_ihl_4");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->ihl = 4;
	expect_malformed_frame(c, &f, WL_MAL_IPV4_IHL);

	case_start(c, "malformed/ipv4_ihl_0");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->ihl = 0;
	expect_malformed_frame(c, &f, WL_MAL_IPV4_IHL);

	case_start(c, "malformed/ipv4_ihl_15_past_frame");
	fr_init(&f);
	put_l3(&f, NULL, &v4_lo, C2S, IPPROTO_TCP);
	put_data(&f, 20);	/* 40 bytes after the fixed header */
	fr_done(&f);
	ip4_of(&f)->ihl = 15;	/* 60 bytes: past the frame */
	expect_malformed_frame(c, &f, WL_MAL_IPV4_IHL);

	case_start(c, "malformed/ipv4_version_6");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->version = 6;
	expect_malformed_frame(c, &f, WL_MAL_IPV4_VERSION);

	case_start(c, "malformed/ipv4_version_0");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->version = 0;
	expect_malformed_frame(c, &f, WL_MAL_IPV4_VERSION);

	case_start(c, "malformed/ipv4_tot_len_below_ihl");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->tot_len = be16(19);
	expect_malformed_frame(c, &f, WL_MAL_IPV4_LENGTH);

	case_start(c, "malformed/ipv4_tot_len_below_ihl_with_options");
	e.ipopt = 8;
	tcp_frame(&f, &e, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->tot_len = be16(24);	/* header is 28 */
	expect_malformed_frame(c, &f, WL_MAL_IPV4_LENGTH);
	memset(&e, 0, sizeof(e));

	case_start(c, "malformed/ipv4_tot_len_past_frame");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->tot_len = be16(f.len - f.l3 + 1);
	expect_malformed_frame(c, &f, WL_MAL_IPV4_LENGTH);

	case_start(c, "malformed/ipv4_tot_len_past_frame_vlan");
	e.tags[0] = 0x8100;
	e.ntags = 1;
	udp_frame(&f, &e, &v4_lo, 10);
	ip4_of(&f)->tot_len = be16(1500);
	expect_malformed_frame(c, &f, WL_MAL_IPV4_LENGTH);
	memset(&e, 0, sizeof(e));

	case_start(c, "malformed/ipv6_version_4");
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	ip6_of(&f)->version = 4;
	expect_malformed_frame(c, &f, WL_MAL_IPV6_VERSION);

	case_start(c, "malformed/ipv6_payload_len_past_frame");
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	ip6_of(&f)->payload_len = be16(f.len - f.l3 - 40 + 1);
	expect_malformed_frame(c, &f, WL_MAL_IPV6_LENGTH);

	case_start(c, "malformed/ipv6_ext_past_payload");
	e.ext[0] = IPPROTO_DSTOPTS;	/* 16 bytes */
	e.next = 1;
	tcp_frame(&f, &e, &v6_lo, C2S, F_SYN, CISN, 0);
	ip6_of(&f)->payload_len = be16(8);
	expect_malformed_frame(c, &f, WL_MAL_IPV6_EXT);

	case_start(c, "malformed/ipv6_second_ext_past_payload");
	e.ext[0] = IPPROTO_HOPOPTS;	/* 8 */
	e.ext[1] = IPPROTO_ROUTING;	/* 24 */
	e.next = 2;
	tcp_frame(&f, &e, &v6_lo, C2S, F_SYN, CISN, 0);
	ip6_of(&f)->payload_len = be16(8 + 16);
	expect_malformed_frame(c, &f, WL_MAL_IPV6_EXT);

	case_start(c, "malformed/ipv6_ext_cut_by_frame");
	/* payload length says 8 bytes of hop-by-hop; the frame has 4 */
	fr_init(&f);
	put_l3(&f, NULL, &v6_lo, C2S, IPPROTO_HOPOPTS);
	put_data(&f, 4);
	fr_done(&f);
	ip6_of(&f)->payload_len = be16(4);
	expect_malformed_frame(c, &f, WL_MAL_IPV6_EXT);
	memset(&e, 0, sizeof(e));

	case_start(c, "malformed/tcp_doff_4");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	tcp_of(&f)->doff = 4;
	expect_malformed_frame(c, &f, WL_MAL_TCP_DOFF);

	case_start(c, "malformed/tcp_doff_0_v6");
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	tcp_of(&f)->doff = 0;
	expect_malformed_frame(c, &f, WL_MAL_TCP_DOFF);

	case_start(c, "malformed/tcp_doff_past_ip_payload");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	tcp_of(&f)->doff = 15;		/* 60 > 40 */
	expect_malformed_frame(c, &f, WL_MAL_TCP_DOFF);

	case_start(c, "malformed/tcp_doff_past_ip_payload_v6");
	tcp_frame(&f, NULL, &v6_hi, C2S, F_SYN, CISN, 0);
	tcp_of(&f)->doff = 11;		/* 44 > 40 */
	expect_malformed_frame(c, &f, WL_MAL_TCP_DOFF);

	case_start(c, "malformed/tcp_doff_past_ip_length_trailer");
	/* the bytes are in the frame, but past the IP total length */
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	ip4_of(&f)->tot_len = be16(20 + 32);	/* doff says 40 */
	expect_malformed_frame(c, &f, WL_MAL_TCP_DOFF);

	case_start(c, "malformed/tcp_short_ip_payload");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN, 1);
	ip4_of(&f)->tot_len = be16(20 + 16);
	expect_malformed_frame(c, &f, WL_MAL_TCP_SHORT);

	case_start(c, "malformed/udp_len_7");
	udp_frame(&f, NULL, &v4_lo, 12);
	udp_of(&f)->len = be16(7);
	expect_malformed_frame(c, &f, WL_MAL_UDP_LENGTH);

	case_start(c, "malformed/udp_len_0_v6");
	udp_frame(&f, NULL, &v6_lo, 12);
	udp_of(&f)->len = be16(0);
	expect_malformed_frame(c, &f, WL_MAL_UDP_LENGTH);

	case_start(c, "malformed/udp_len_past_ip_payload");
	udp_frame(&f, NULL, &v4_lo, 12);
	udp_of(&f)->len = be16(8 + 12 + 1);
	expect_malformed_frame(c, &f, WL_MAL_UDP_LENGTH);

	case_start(c, "malformed/udp_len_past_ip_payload_v6");
	udp_frame(&f, NULL, &v6_hi, 12);
	udp_of(&f)->len = be16(8 + 12 + 1);
	expect_malformed_frame(c, &f, WL_MAL_UDP_LENGTH);

	case_start(c, "malformed/udp_short_ip_payload");
	udp_frame(&f, NULL, &v4_lo, 12);
	ip4_of(&f)->tot_len = be16(20 + 6);
	expect_malformed_frame(c, &f, WL_MAL_UDP_SHORT);

	case_start(c, "malformed/icmp_header_cut");
	fr_init(&f);
	put_l3(&f, NULL, &v4_lo, S2C, IPPROTO_ICMP);
	put_data(&f, 4);
	fr_done(&f);
	expect_malformed_frame(c, &f, WL_MAL_ICMP_SHORT);

	case_start(c, "malformed/icmp_short_ip_payload");
	fr_init(&f);
	put_l3(&f, NULL, &v4_lo, C2S, IPPROTO_ICMP);
	put_icmp(&f, IPPROTO_ICMP, ICMP_ECHO, 0);
	fr_done(&f);
	ip4_of(&f)->tot_len = be16(20 + 4);
	expect_malformed_frame(c, &f, WL_MAL_ICMP_SHORT);

	/*
	 * ICMP unreachable whose quote is cut. A pending SYN is there first:
	 * a malformed error must leave it pending.
	 */
	tcp_frame(&syn, NULL, &v4_lo, C2S, F_SYN, CISN, 0);

	case_start(c, "malformed/icmp_unreach_quote_l4_cut");
	feed(c, &syn, T0);
	unreach_frame(&f, &v4_lo, &syn, quote_len_of(&syn) - 4);
	feed(c, &f, T0 + 1 * MS);
	{
		struct wl_stats st;

		get_stats(c, &st);
		expect_pkts(&st, PKTS([WL_PKT_PARSED] = 1,
				      [WL_PKT_MALFORMED] = 1));
		expect_malformed(&st, WL_MAL_ICMP_SHORT, 1);
		expect_hs(&st, HS(0));
		expect_nrec(c, 0);
		ASSERT_EQ(hs_entries(c), 1, "SYN still pending");
	}

	case_start(c, "malformed/icmp_unreach_quote_ip_cut");
	unreach_frame(&f, &v4_lo, &syn, 12);
	expect_malformed_frame(c, &f, WL_MAL_ICMP_SHORT);

	case_start(c, "malformed/icmp_unreach_quote_empty");
	unreach_frame(&f, &v4_lo, &syn, 0);
	expect_malformed_frame(c, &f, WL_MAL_ICMP_SHORT);

	case_start(c, "malformed/icmp_unreach_quote_bad_version");
	unreach_frame(&f, &v4_lo, &syn, quote_len_of(&syn));
	f.d[f.l4 + 8] = 0x65;		/* version 6, IHL 5 */
	expect_malformed_frame(c, &f, WL_MAL_ICMP_SHORT);

	case_start(c, "malformed/icmp_unreach_quote_past_ip_length");
	/* the quote's TCP bytes are in the frame but past the IP packet */
	unreach_frame(&f, &v4_lo, &syn, quote_len_of(&syn));
	ip4_of(&f)->tot_len = be16(f.len - f.l3 - 8);
	feed(c, &syn, T0);
	feed(c, &f, T0 + 1 * MS);
	{
		struct wl_stats st;

		get_stats(c, &st);
		expect_pkts(&st, PKTS([WL_PKT_PARSED] = 1,
				      [WL_PKT_MALFORMED] = 1));
		expect_malformed(&st, WL_MAL_ICMP_SHORT, 1);
		expect_hs(&st, HS(0));
		expect_nrec(c, 0);
		ASSERT_EQ(hs_entries(c), 1, "SYN still pending");
	}

	case_start(c, "malformed/icmpv6_unreach_quote_l4_cut");
	tcp_frame(&syn, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	feed(c, &syn, T0);
	unreach_frame(&f, &v6_lo, &syn, 40 + 4);
	feed(c, &f, T0 + 1 * MS);
	{
		struct wl_stats st;

		get_stats(c, &st);
		expect_pkts(&st, PKTS([WL_PKT_PARSED] = 1,
				      [WL_PKT_MALFORMED] = 1));
		expect_malformed(&st, WL_MAL_ICMP_SHORT, 1);
		expect_hs(&st, HS(0));
		expect_nrec(c, 0);
		ASSERT_EQ(hs_entries(c), 1, "SYN still pending");
	}

	case_start(c, "malformed/icmpv6_unreach_quote_past_payload_len");
	/* the quoted TCP bytes are in the frame but past the IPv6 payload */
	unreach_frame(&f, &v6_lo, &syn, 40 + 8);
	ip6_of(&f)->payload_len = be16(8 + 40);
	feed(c, &syn, T0);
	feed(c, &f, T0 + 1 * MS);
	{
		struct wl_stats st;

		get_stats(c, &st);
		expect_pkts(&st, PKTS([WL_PKT_PARSED] = 1,
				      [WL_PKT_MALFORMED] = 1));
		expect_malformed(&st, WL_MAL_ICMP_SHORT, 1);
		expect_hs(&st, HS(0));
		expect_nrec(c, 0);
		ASSERT_EQ(hs_entries(c), 1, "SYN still pending");
	}

	case_start(c, "malformed/icmpv6_unreach_quote_ip_cut");
	unreach_frame(&f, &v6_lo, &syn, 30);
	expect_malformed_frame(c, &f, WL_MAL_ICMP_SHORT);

	/* the same cut quote, cut by the snaplen instead: truncated */
	case_start(c, "truncated/icmp_unreach_quote_snaplen");
	tcp_frame(&syn, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	unreach_frame(&f, &v4_lo, &syn, quote_len_of(&syn));
	run_raw(c, f.d, f.len - 4, f.len, T0);
	expect_single(c, WL_PKT_TRUNCATED, -1);

	case_start(c, "truncated/icmpv6_unreach_quote_snaplen");
	tcp_frame(&syn, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	unreach_frame(&f, &v6_lo, &syn, 40 + 8);
	run_raw(c, f.d, f.len - 20, f.len, T0);
	expect_single(c, WL_PKT_TRUNCATED, -1);

	case_start(c, "truncated/ipv6_ext_snaplen");
	e.ext[0] = IPPROTO_HOPOPTS;
	e.ext[1] = IPPROTO_AH;
	e.next = 2;
	tcp_frame(&f, &e, &v6_lo, C2S, F_SYN, CISN, 0);
	run_raw(c, f.d, 14 + 40 + 8 + 4, f.len, T0);
	expect_single(c, WL_PKT_TRUNCATED, -1);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");
	memset(&e, 0, sizeof(e));

	/* wire length shorter than the frame: the frame's own length wins */
	case_start(c, "parsed/wire_len_below_frame");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	run_raw(c, f.d, f.len, 20, T0);
	expect_single(c, WL_PKT_PARSED, -1);
	ASSERT_EQ(hs_entries(c), 1, "handshake entry opened");
}

/* ---- cases: the handshake state machine ---------------------------------- */

static void test_handshakes(struct ctx *c)
{
	static const struct {
		const char *name;
		const struct ends *n;
	} tuples[] = {
		{ "v4_client_lower", &v4_lo },
		{ "v4_client_higher", &v4_hi },
		{ "v6_client_lower", &v6_lo },
		{ "v6_client_higher", &v6_hi },
		{ "v4_same_addr_client_higher_port", &v4_same_hi },
		{ "v4_same_addr_client_lower_port", &v4_same_lo },
	};
	struct wl_stats st;
	struct frame f, syn;
	size_t i;

	for (i = 0; i < sizeof(tuples) / sizeof(tuples[0]); i++) {
		case_start(c, "handshake/canonical_key/%s", tuples[i].name);
		tcp_frame(&f, NULL, tuples[i].n, C2S, F_SYN, CISN, 0);
		feed(c, &f, T0);
		expect_key(c, tuples[i].n);
		tcp_frame(&f, NULL, tuples[i].n, S2C, F_SYN | F_ACK, SISN,
			  CISN + 1);
		feed(c, &f, T0 + 1 * MS);
		expect_key(c, tuples[i].n);

		case_start(c, "handshake/complete/%s", tuples[i].name);
		handshake(c, NULL, tuples[i].n, CISN, SISN, T0, 1 * MS,
			  500 * US);
		expect_one_handshake(c, tuples[i].n, 3, T0 + 1500 * US,
				     1 * MS, 500 * US, 1500 * US, 0, 0);
	}

	case_start(c, "handshake/complete/isn_wraps");
	handshake(c, NULL, &v6_hi, 0xffffffffU, 0xffffffffU, T0, 3 * MS,
		  7 * MS);
	expect_one_handshake(c, &v6_hi, 3, T0 + 10 * MS, 3 * MS, 7 * MS,
			     10 * MS, 0, 0);

	/*
	 * Buckets far apart: 12 us, 0.9 s, and a 63 s wait (+Inf) made of 30
	 * SYN retransmissions 2 s apart (each leg stays inside the timeout).
	 */
	case_start(c, "handshake/complete/buckets_far_apart");
	handshake(c, NULL, &v4_lo, CISN, SISN, T0, 12 * US, 900 * MS);
	tcp_frame(&f, NULL, &v4_hi, C2S, F_SYN, CISN, 0);
	for (i = 0; i <= 30; i++)
		feed(c, &f, T0 + 1 * SEC + i * 2 * SEC);
	tcp_frame(&f, NULL, &v4_hi, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 63 * SEC);
	tcp_frame(&f, NULL, &v4_hi, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 64 * SEC);
	get_stats(c, &st);
	{
		const __s64 l1[] = { 12 * US, 2 * SEC };
		const __s64 l2[] = { 900 * MS, 1 * SEC };
		const __s64 tot[] = { 12 * US + 900 * MS, 63 * SEC };

		expect_hist(&st, WL_H_SYN_TO_SYNACK, l1, 2);
		expect_hist(&st, WL_H_SYNACK_TO_ACK, l2, 2);
		expect_hist(&st, WL_H_HANDSHAKE, tot, 2);
		ASSERT_EQ(st.hist[WL_H_HANDSHAKE].bucket[WL_HIST_FINITE], 1,
			  "63 s in +Inf");
	}
	expect_hs(&st, HS([WL_HS_COMPLETED] = 2));
	ASSERT_EQ(st.syn_retransmits, 30, "stats.syn_retransmits");
	expect_nrec(c, 2);
	expect_hs_rec(c, 0, &v4_lo, T0 + 12 * US + 900 * MS, 12 * US,
		      900 * MS, 12 * US + 900 * MS, 0, 0);
	expect_hs_rec(c, 1, &v4_hi, T0 + 64 * SEC, 2 * SEC, 1 * SEC,
		      63 * SEC, 30, 0);

	/* exact bucket bounds: 10 us is bucket 0, 10 us + 1 ns bucket 1 */
	case_start(c, "handshake/complete/bucket_bounds");
	handshake(c, NULL, &v4_lo, CISN, SISN, T0, 10 * US, 10 * US + 1);
	get_stats(c, &st);
	ASSERT_EQ(st.hist[WL_H_SYN_TO_SYNACK].bucket[0], 1, "10 us in 0");
	ASSERT_EQ(st.hist[WL_H_SYNACK_TO_ACK].bucket[1], 1,
		  "10 us + 1 ns in 1");
	ASSERT_EQ(st.hist[WL_H_HANDSHAKE].bucket[bucket_of(20 * US + 1)], 1,
		  "20 us + 1 ns");
	ASSERT_EQ(bucket_of(20 * US + 1), 3, "20 us + 1 ns is bucket 3");
	/* le="0.00181019" is below 10 us * 2^7.5: 1810192 ns goes above it */
	ASSERT_EQ(bucket_of(1810192), 16, "1810192 ns is above le 0.00181019");

	case_start(c, "handshake/syn_retransmit");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	feed(c, &f, T0 + 1 * SEC);
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 1 * SEC + 2 * MS);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 1 * SEC + 3 * MS);
	expect_one_handshake(c, &v4_lo, 4, T0 + 1 * SEC + 3 * MS, 2 * MS,
			     1 * MS, 1 * SEC + 3 * MS, 1, 0);

	/* retransmitted twice, the last inside the timeout of the one before */
	case_start(c, "handshake/syn_retransmit_twice_v6");
	tcp_frame(&f, NULL, &v6_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	feed(c, &f, T0 + 1 * SEC);
	feed(c, &f, T0 + 3 * SEC);
	tcp_frame(&f, NULL, &v6_hi, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 5 * SEC);	/* 2 s after the last SYN */
	tcp_frame(&f, NULL, &v6_hi, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 5 * SEC + 40 * US);
	expect_one_handshake(c, &v6_hi, 5, T0 + 5 * SEC + 40 * US, 2 * SEC,
			     40 * US, 5 * SEC + 40 * US, 2, 0);

	/* a SYN repeated after the SYN-ACK does not move the first leg */
	case_start(c, "handshake/syn_retransmit_after_synack");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&syn, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &syn, T0 + 1 * MS);
	feed(c, &f, T0 + 2 * MS);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 4 * MS);
	expect_one_handshake(c, &v4_lo, 4, T0 + 4 * MS, 1 * MS, 3 * MS,
			     4 * MS, 1, 0);

	case_start(c, "handshake/synack_retransmit");
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v6_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 1 * MS);
	feed(c, &f, T0 + 1 * SEC + 1 * MS);
	tcp_frame(&f, NULL, &v6_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 1 * SEC + 2 * MS);
	/* the second leg runs from the first SYN-ACK */
	expect_one_handshake(c, &v6_lo, 4, T0 + 1 * SEC + 2 * MS, 1 * MS,
			     1 * SEC + 1 * MS, 1 * SEC + 2 * MS, 0, 1);

	case_start(c, "handshake/new_isn_ends_attempt");
	tcp_frame(&f, NULL, &v4_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_hi, C2S, F_SYN, CISN + 0x10000, 0);
	feed(c, &f, T0 + 200 * MS);
	ASSERT_EQ(c->nrec, 1, "old attempt ended at the new SYN");
	/* a SYN-ACK for the old ISN is not for this attempt */
	tcp_frame(&f, NULL, &v4_hi, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 200 * MS + 500 * US);
	tcp_frame(&f, NULL, &v4_hi, S2C, F_SYN | F_ACK, SISN + 7,
		  CISN + 0x10000 + 1);
	feed(c, &f, T0 + 201 * MS);
	tcp_frame(&f, NULL, &v4_hi, C2S, F_ACK, CISN + 0x10001, SISN + 8);
	feed(c, &f, T0 + 203 * MS);
	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = 5));
	expect_hs(&st, HS([WL_HS_COMPLETED] = 1, [WL_HS_TIMEOUT] = 1));
	ASSERT_EQ(st.syn_retransmits, 0, "stats.syn_retransmits");
	expect_nrec(c, 2);
	expect_fail_rec(c, 0, &v4_hi, WL_FAIL_TIMEOUT, T0 + 200 * MS,
			200 * MS, 0);
	expect_hs_rec(c, 1, &v4_hi, T0 + 203 * MS, 1 * MS, 2 * MS, 3 * MS, 0,
		      0);
	ASSERT_EQ(hs_entries(c), 0, "handshake entries left");

	case_start(c, "handshake/new_isn_after_synack_v6");
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	feed(c, &f, T0 + 1 * SEC);
	tcp_frame(&f, NULL, &v6_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 1 * SEC + 1 * MS);
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, 77, 0);
	feed(c, &f, T0 + 2 * SEC);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_TIMEOUT] = 1));
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v6_lo, WL_FAIL_TIMEOUT, T0 + 2 * SEC,
			2 * SEC, 1);
	ASSERT_EQ(hs_entries(c), 1, "new attempt pending");

	case_start(c, "handshake/rst_from_server_refused");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_lo, S2C, F_RST | F_ACK, 0, CISN + 1);
	feed(c, &f, T0 + 300 * US);
	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = 2));
	expect_hs(&st, HS([WL_HS_REFUSED] = 1));
	expect_hist_empty(&st);
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v4_lo, WL_FAIL_REFUSED, T0 + 300 * US,
			300 * US, 0);
	ASSERT_EQ(hs_entries(c), 0, "handshake entries left");

	case_start(c, "handshake/rst_from_server_refused_v6_after_retransmit");
	tcp_frame(&f, NULL, &v6_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	feed(c, &f, T0 + 1 * SEC);
	tcp_frame(&f, NULL, &v6_hi, S2C, F_RST | F_ACK, 0, CISN + 1);
	feed(c, &f, T0 + 1 * SEC + 100 * US);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_REFUSED] = 1));
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v6_hi, WL_FAIL_REFUSED,
			T0 + 1 * SEC + 100 * US, 1 * SEC + 100 * US, 1);

	case_start(c, "handshake/rst_from_client_aborted");
	tcp_frame(&f, NULL, &v4_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_hi, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 1 * MS);
	tcp_frame(&f, NULL, &v4_hi, C2S, F_RST, CISN + 1, 0);
	feed(c, &f, T0 + 2 * MS);
	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = 3));
	expect_hs(&st, HS([WL_HS_ABORTED] = 1));
	expect_hist_empty(&st);
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v4_hi, WL_FAIL_ABORTED, T0 + 2 * MS, 2 * MS,
			0);
	ASSERT_EQ(hs_entries(c), 0, "handshake entries left");

	case_start(c, "handshake/rst_from_client_aborted_before_synack_v6");
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v6_lo, C2S, F_RST | F_ACK, CISN + 1, 0);
	feed(c, &f, T0 + 5 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_ABORTED] = 1));
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v6_lo, WL_FAIL_ABORTED, T0 + 5 * MS, 5 * MS,
			0);

	case_start(c, "handshake/icmp_port_unreachable_v4");
	tcp_frame(&syn, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &syn, T0);
	unreach_frame(&f, &v4_lo, &syn, quote_len_of(&syn));
	feed(c, &f, T0 + 700 * US);
	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = 2));
	expect_malformed(&st, -1, 0);
	expect_hs(&st, HS([WL_HS_UNREACHABLE] = 1));
	expect_hist_empty(&st);
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v4_lo, WL_FAIL_UNREACHABLE, T0 + 700 * US,
			700 * US, 0);
	ASSERT_EQ(hs_entries(c), 0, "handshake entries left");

	case_start(c, "handshake/icmpv6_port_unreachable");
	tcp_frame(&syn, NULL, &v6_hi, C2S, F_SYN, CISN, 0);
	feed(c, &syn, T0);
	feed(c, &syn, T0 + 1 * SEC);
	unreach_frame(&f, &v6_hi, &syn, syn.len - syn.l3);
	feed(c, &f, T0 + 1 * SEC + 700 * US);
	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = 3));
	expect_hs(&st, HS([WL_HS_UNREACHABLE] = 1));
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v6_hi, WL_FAIL_UNREACHABLE,
			T0 + 1 * SEC + 700 * US, 1 * SEC + 700 * US, 1);
	ASSERT_EQ(hs_entries(c), 0, "handshake entries left");

	case_start(c, "handshake/icmp_unreachable_other_seq_ignored");
	tcp_frame(&syn, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &syn, T0);
	{
		struct frame other;

		tcp_frame(&other, NULL, &v4_lo, C2S, F_SYN, CISN + 99, 0);
		unreach_frame(&f, &v4_lo, &other, quote_len_of(&other));
	}
	feed(c, &f, T0 + 1 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS(0));
	expect_nrec(c, 0);
	ASSERT_EQ(hs_entries(c), 1, "SYN still pending");

	case_start(c, "handshake/timeout_late_synack");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + HS_T + 1);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + HS_T + 2 * MS);
	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = 3));
	expect_hs(&st, HS([WL_HS_TIMEOUT] = 1, [WL_HS_LATE] = 1));
	expect_hist_empty(&st);
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v4_lo, WL_FAIL_TIMEOUT, T0 + HS_T, HS_T, 0);
	ASSERT_EQ(hs_entries(c), 0, "handshake entries left");

	/*
	 * Offline, the packet's own time decides, not the highest so far: a
	 * capture merged from files of other dates jumps back, and a SYN-ACK
	 * dated 1 ms after its SYN is in time whatever came before it.
	 */
	case_start(c, "handshake/time_jumps_back_not_expired_v6");
	tcp_frame(&f, NULL, &v6_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0 + 86400 * SEC);
	udp_frame(&f, NULL, &v4_hi, 8);		/* another flow, a day on */
	feed(c, &f, T0 + 86400 * SEC + 10 * SEC);
	tcp_frame(&f, NULL, &v6_hi, C2S, F_SYN, CISN + 7, 0);
	feed(c, &f, T0);	/* the earlier file: its own attempt... */
	tcp_frame(&f, NULL, &v6_hi, S2C, F_SYN | F_ACK, SISN, CISN + 8);
	feed(c, &f, T0 + 1 * MS);
	tcp_frame(&f, NULL, &v6_hi, C2S, F_ACK, CISN + 8, SISN + 1);
	feed(c, &f, T0 + 3 * MS);
	get_stats(c, &st);
	/*
	 * ...ends the later-dated one (a new ISN on the tuple; its record shows
	 * the wait as the capture's times give it), then completes
	 */
	expect_hs(&st, HS([WL_HS_COMPLETED] = 1, [WL_HS_TIMEOUT] = 1));
	expect_nrec(c, 2);
	expect_fail_rec(c, 0, &v6_hi, WL_FAIL_TIMEOUT, T0,
			-(__s64)(86400 * SEC), 0);
	expect_hs_rec(c, 1, &v6_hi, T0 + 3 * MS, 1 * MS, 2 * MS, 3 * MS, 0, 0);

	case_start(c, "handshake/time_jumps_back_pending_kept");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	udp_frame(&f, NULL, &v4_hi, 8);		/* a frame dated a day earlier */
	feed(c, &f, T0 - 86400 * SEC);
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 20 * MS);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 21 * MS);
	expect_one_handshake(c, &v4_lo, 4, T0 + 21 * MS, 20 * MS, 1 * MS,
			     21 * MS, 0, 0);

	/* the timeout runs from the latest SYN */
	case_start(c, "handshake/timeout_from_last_syn_measured");
	tcp_frame(&f, NULL, &v4_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	feed(c, &f, T0 + 2 * SEC);
	tcp_frame(&f, NULL, &v4_hi, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 6 * SEC);
	tcp_frame(&f, NULL, &v4_hi, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 6 * SEC + 1 * MS);
	expect_one_handshake(c, &v4_hi, 4, T0 + 6 * SEC + 1 * MS, 4 * SEC,
			     1 * MS, 6 * SEC + 1 * MS, 1, 0);

	/* SYNs 1 s apart: the deadline is the latest SYN + the timeout */
	case_start(c, "handshake/timeout_after_retransmit");
	tcp_frame(&f, NULL, &v4_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	feed(c, &f, T0 + 1 * SEC);
	tcp_frame(&f, NULL, &v4_hi, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 1 * SEC + HS_T + 500 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_TIMEOUT] = 1, [WL_HS_LATE] = 1));
	ASSERT_EQ(st.syn_retransmits, 1, "stats.syn_retransmits");
	expect_hist_empty(&st);
	expect_nrec(c, 1);
	/* ts = deadline (last SYN + 5 s), elapsed = deadline - first SYN */
	expect_fail_rec(c, 0, &v4_hi, WL_FAIL_TIMEOUT, T0 + 1 * SEC + HS_T,
			1 * SEC + HS_T, 1);

	/* rule: expired once clock > deadline; at the deadline it counts */
	case_start(c, "handshake/synack_at_deadline_measured");
	handshake(c, NULL, &v6_lo, CISN, SISN, T0, HS_T, 1 * MS);
	expect_one_handshake(c, &v6_lo, 3, T0 + HS_T + 1 * MS, HS_T,
			     1 * MS, HS_T + 1 * MS, 0, 0);

	/*
	 * Windows backs off 3, 6 s: the deadline after each SYN is the
	 * latest SYN + 2.5 x the last gap (7.5 s, then 15 s), so no timeout
	 * while the client retries; the record holds the whole wait.
	 */
	case_start(c, "handshake/backoff_windows_no_timeout");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	feed(c, &f, T0 + 3 * SEC);
	feed(c, &f, T0 + 9 * SEC);
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 9 * SEC + 10 * MS);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 9 * SEC + 11 * MS);
	expect_one_handshake(c, &v4_lo, 5, T0 + 9 * SEC + 11 * MS, 10 * MS,
			     1 * MS, 9 * SEC + 11 * MS, 2, 0);

	/* Linux 1, 2, 4 s, then gives up: one timeout, at 7 + 2.5 x 4 s */
	case_start(c, "handshake/backoff_linux_gives_up");
	tcp_frame(&f, NULL, &v6_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	feed(c, &f, T0 + 1 * SEC);
	feed(c, &f, T0 + 3 * SEC);
	feed(c, &f, T0 + 7 * SEC);
	tcp_frame(&f, NULL, &v6_hi, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 17 * SEC);	/* at the deadline: still in time */
	get_stats(c, &st);
	expect_hs(&st, HS(0));
	ASSERT_EQ(hs_entries(c), 1, "still pending at the deadline");
	case_start(c, "handshake/backoff_linux_gives_up_late");
	tcp_frame(&f, NULL, &v6_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	feed(c, &f, T0 + 1 * SEC);
	feed(c, &f, T0 + 3 * SEC);
	feed(c, &f, T0 + 7 * SEC);
	tcp_frame(&f, NULL, &v6_hi, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 17 * SEC + 1);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_TIMEOUT] = 1, [WL_HS_LATE] = 1));
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v6_hi, WL_FAIL_TIMEOUT, T0 + 17 * SEC,
			17 * SEC, 3);

	/*
	 * A SYN with the attempt's ISN after its deadline: the client still
	 * retries. The timeout stands, the attempt resumes with its first
	 * SYN time and retransmissions, and completes with the whole wait.
	 */
	case_start(c, "handshake/syn_after_deadline_resumes");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	feed(c, &f, T0 + HS_T + 1 * SEC);
	ASSERT_EQ(c->nrec, 1, "timeout record at the second SYN");
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + HS_T + 1 * SEC + 1 * MS);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + HS_T + 1 * SEC + 2 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_COMPLETED] = 1, [WL_HS_TIMEOUT] = 1));
	ASSERT_EQ(st.syn_retransmits, 1, "stats.syn_retransmits");
	expect_nrec(c, 2);
	expect_fail_rec(c, 0, &v4_lo, WL_FAIL_TIMEOUT, T0 + HS_T, HS_T, 0);
	expect_hs_rec(c, 1, &v4_lo, T0 + HS_T + 1 * SEC + 2 * MS, 1 * MS,
		      1 * MS, HS_T + 1 * SEC + 2 * MS, 1, 0);

	/* a SYN with a new ISN after the deadline is a new attempt */
	case_start(c, "handshake/new_isn_after_deadline_new_attempt");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN + 1000, 0);
	feed(c, &f, T0 + HS_T + 1 * SEC);
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1001);
	feed(c, &f, T0 + HS_T + 1 * SEC + 1 * MS);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1001, SISN + 1);
	feed(c, &f, T0 + HS_T + 1 * SEC + 2 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_COMPLETED] = 1, [WL_HS_TIMEOUT] = 1));
	expect_nrec(c, 2);
	expect_fail_rec(c, 0, &v4_lo, WL_FAIL_TIMEOUT, T0 + HS_T, HS_T, 0);
	expect_hs_rec(c, 1, &v4_lo, T0 + HS_T + 1 * SEC + 2 * MS, 1 * MS,
		      1 * MS, 2 * MS, 0, 0);

	/*
	 * Stale server state (RFC 5961): the server answers the SYN with a
	 * bare ACK of its old connection; the client resets that (the RST
	 * carries the ACK's number, not the ISN: no abort) and sends its SYN
	 * again 3.06 s later. One handshake, the whole wait, the cause named.
	 */
	case_start(c, "handshake/challenge_ack");
	tcp_frame(&f, NULL, &v4_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_hi, S2C, F_ACK, SISN, 0x55667788U);
	feed(c, &f, T0 + 9 * MS);
	tcp_frame(&f, NULL, &v4_hi, C2S, F_RST, 0x55667788U, 0);
	feed(c, &f, T0 + 9 * MS + 20 * US);
	tcp_frame(&f, NULL, &v4_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0 + 3060 * MS);
	tcp_frame(&f, NULL, &v4_hi, S2C, F_SYN | F_ACK, SISN + 99, CISN + 1);
	feed(c, &f, T0 + 3069 * MS);
	tcp_frame(&f, NULL, &v4_hi, C2S, F_ACK, CISN + 1, SISN + 100);
	feed(c, &f, T0 + 3078 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_COMPLETED] = 1));
	ASSERT_EQ(st.challenge_acks, 1, "stats.challenge_acks");
	expect_nrec(c, 1);
	expect_hs_rec(c, 0, &v4_hi, T0 + 3078 * MS, 9 * MS, 9 * MS,
		      3078 * MS, 1, 0);
	ASSERT_EQ(c->rec[0].challenge_acks, 1, "rec.challenge_acks");

	/* RFC 9293: a RST that does not acknowledge the SYN is not a refusal */
	case_start(c, "handshake/rst_not_acking_syn_ignored");
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v6_lo, S2C, F_RST | F_ACK, 0, CISN + 5);
	feed(c, &f, T0 + 1 * MS);
	tcp_frame(&f, NULL, &v6_lo, S2C, F_RST, 0, CISN + 1);	/* no ACK bit */
	feed(c, &f, T0 + 2 * MS);
	tcp_frame(&f, NULL, &v6_lo, C2S, F_RST, CISN + 4242, 0);
	feed(c, &f, T0 + 3 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS(0));
	ASSERT_EQ(hs_entries(c), 1, "the attempt goes on");
	tcp_frame(&f, NULL, &v6_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 4 * MS);
	tcp_frame(&f, NULL, &v6_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 5 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_COMPLETED] = 1));
	expect_nrec(c, 1);
	expect_hs_rec(c, 0, &v6_lo, T0 + 5 * MS, 4 * MS, 1 * MS, 5 * MS, 0, 0);

	/* the acceptable ones: the client's with ISN + 1, the server's acking */
	case_start(c, "handshake/rst_client_isn_plus_one_aborts");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_RST, CISN + 1, 0);
	feed(c, &f, T0 + 2 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_ABORTED] = 1));
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v4_lo, WL_FAIL_ABORTED, T0 + 2 * MS, 2 * MS, 0);
	case_start(c, "handshake/rst_server_acking_syn_refuses");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_lo, S2C, F_RST | F_ACK, 0, CISN + 1);
	feed(c, &f, T0 + 2 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_REFUSED] = 1));
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v4_lo, WL_FAIL_REFUSED, T0 + 2 * MS, 2 * MS, 0);

	case_start(c, "handshake/ack_without_synack_unobserved");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 2 * MS);
	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = 2));
	expect_hs(&st, HS([WL_HS_UNOBSERVED] = 1));
	expect_hist_empty(&st);
	expect_nrec(c, 0);
	ASSERT_EQ(hs_entries(c), 0, "handshake entries left");

	case_start(c, "handshake/data_without_synack_unobserved_v6");
	tcp_frame(&f, NULL, &v6_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	fr_init(&f);
	put_l3(&f, NULL, &v6_hi, C2S, IPPROTO_TCP);
	put_tcp(&f, v6_hi.cport, v6_hi.sport, F_ACK | F_PSH, CISN + 1,
		SISN + 1, 12);
	put_data(&f, 100);
	fr_done(&f);
	feed(c, &f, T0 + 2 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_UNOBSERVED] = 1));
	expect_nrec(c, 0);

	case_start(c, "handshake/synack_wrong_ack_ignored");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 2);
	feed(c, &f, T0 + 1 * MS);
	get_stats(c, &st);
	ASSERT_EQ(st.synack_retransmits, 0, "wrong SYN-ACK not counted");
	ASSERT_EQ(c->nrec, 0, "no record after the wrong SYN-ACK");
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN + 5, CISN + 1);
	feed(c, &f, T0 + 3 * MS);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 6);
	feed(c, &f, T0 + 4 * MS);
	expect_one_handshake(c, &v4_lo, 4, T0 + 4 * MS, 3 * MS, 1 * MS,
			     4 * MS, 0, 0);

	case_start(c, "handshake/ack_of_other_isn_ignored");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 1 * MS);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN);
	feed(c, &f, T0 + 2 * MS);
	ASSERT_EQ(c->nrec, 0, "no record for ack = server ISN");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 3 * MS);
	expect_one_handshake(c, &v4_lo, 4, T0 + 3 * MS, 1 * MS, 2 * MS,
			     3 * MS, 0, 0);

	case_start(c, "handshake/completing_ack_malformed_doff");
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v6_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 1 * MS);
	tcp_frame(&f, NULL, &v6_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	tcp_of(&f)->doff = 4;
	feed(c, &f, T0 + 2 * MS);
	ASSERT_EQ(c->nrec, 0, "no record from the malformed ACK");
	ASSERT_EQ(hs_entries(c), 1, "still pending");
	tcp_of(&f)->doff = 8;
	feed(c, &f, T0 + 3 * MS);
	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = 3, [WL_PKT_MALFORMED] = 1));
	expect_malformed(&st, WL_MAL_TCP_DOFF, 1);
	expect_hs(&st, HS([WL_HS_COMPLETED] = 1));
	expect_nrec(c, 1);
	expect_hs_rec(c, 0, &v6_lo, T0 + 3 * MS, 1 * MS, 2 * MS, 3 * MS, 0,
		      0);

	case_start(c, "handshake/completing_ack_truncated");
	tcp_frame(&f, NULL, &v4_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 1 * MS);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	run_raw(c, f.d, f.l4 + 10, f.len, T0 + 2 * MS);
	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = 2, [WL_PKT_TRUNCATED] = 1));
	expect_hs(&st, HS(0));
	expect_nrec(c, 0);
	ASSERT_EQ(hs_entries(c), 1, "still pending");

	/* capture time going backwards between the SYN and the SYN-ACK */
	case_start(c, "handshake/negative_duration");
	tcp_frame(&f, NULL, &v4_hi, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0 + 10 * MS);
	tcp_frame(&f, NULL, &v4_hi, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_hi, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 20 * MS);
	get_stats(c, &st);
	expect_pkts(&st, PKTS([WL_PKT_PARSED] = 3));
	expect_hs(&st, HS([WL_HS_COMPLETED] = 1));
	ASSERT_EQ(st.negative_durations, 1, "stats.negative_durations");
	{
		const __s64 l2 = 20 * MS, tot = 10 * MS;

		expect_hist(&st, WL_H_SYN_TO_SYNACK, NULL, 0);
		expect_hist(&st, WL_H_SYNACK_TO_ACK, &l2, 1);
		expect_hist(&st, WL_H_HANDSHAKE, &tot, 1);
	}
	expect_nrec(c, 1);
	expect_hs_rec(c, 0, &v4_hi, T0 + 20 * MS, -10 * (__s64)MS, 20 * MS,
		      10 * MS, 0, 0);

	/* every leg negative: three counted, and the client-side RTT sample
	 * (the SYN-ACK's TSval echoed by the ACK), nothing histogrammed */
	case_start(c, "handshake/negative_durations_all_legs_v6");
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0 + 10 * MS);
	tcp_frame(&f, NULL, &v6_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 5 * MS);
	tcp_frame(&f, NULL, &v6_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 1 * MS);
	get_stats(c, &st);
	ASSERT_EQ(st.negative_durations, 4, "stats.negative_durations");
	expect_hist_empty(&st);
	expect_nrec(c, 1);
	expect_hs_rec(c, 0, &v6_lo, T0 + 1 * MS, -5 * (__s64)MS,
		      -4 * (__s64)MS, -9 * (__s64)MS, 0, 0);

	/* a SYN-ACK alone, or a server SYN: no entry, no measurement */
	case_start(c, "handshake/synack_without_syn");
	tcp_frame(&f, NULL, &v4_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v4_lo, C2S, F_ACK, CISN + 1, SISN + 1);
	feed(c, &f, T0 + 1 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS(0));
	expect_nrec(c, 0);
	ASSERT_EQ(hs_entries(c), 0, "no handshake entry");
}

/* A skeleton with a 250 ms handshake timeout: the rodata is honoured. */
static void test_custom_timeout(struct ctx *c)
{
	struct wl_stats st;
	struct frame f;

	case_start(c, "timeout_250ms/late_synack");
	tcp_frame(&f, NULL, &v6_lo, C2S, F_SYN, CISN, 0);
	feed(c, &f, T0);
	tcp_frame(&f, NULL, &v6_lo, S2C, F_SYN | F_ACK, SISN, CISN + 1);
	feed(c, &f, T0 + 251 * MS);
	get_stats(c, &st);
	expect_hs(&st, HS([WL_HS_TIMEOUT] = 1, [WL_HS_LATE] = 1));
	expect_nrec(c, 1);
	expect_fail_rec(c, 0, &v6_lo, WL_FAIL_TIMEOUT, T0 + 250 * MS,
			250 * MS, 0);

	case_start(c, "timeout_250ms/in_time");
	handshake(c, NULL, &v4_lo, CISN, SISN, T0, 249 * MS, 1 * MS);
	expect_one_handshake(c, &v4_lo, 3, T0 + 250 * MS, 249 * MS, 1 * MS,
			     250 * MS, 0, 0);
}

/* ---- setup -------------------------------------------------------------- */

/* libbpf's messages (the verifier log among them) with WL_TEST_VERBOSE=1 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	const char *v = getenv("WL_TEST_VERBOSE");

	if (!v || (level == LIBBPF_DEBUG && atoi(v) < 2))
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* 0, SKIP_EXIT or 1; on 0, @c holds a loaded offline skeleton. */
static int ctx_open(struct ctx *c, __u64 timeout_ns)
{
	struct frame f;
	int err;

	memset(c, 0, sizeof(*c));
	c->skel = wirelat__open();
	if (!c->skel) {
		fprintf(stderr, "failed to open the BPF object: %s\n",
			strerror(errno));
		return 1;
	}
	c->skel->rodata->cfg.offline = 1;
	c->skel->rodata->cfg.handshake_timeout_ns = timeout_ns;
	err = wirelat__load(c->skel);
	if (err) {
		fprintf(stderr, "failed to load the BPF object: %s; rerun with WL_TEST_VERBOSE=1 for the verifier log\n",
			strerror(-err));
		/* as root (main), EACCES or EPERM is the verifier's no:
		 * a failure, not a missing privilege */
		return 1;
	}
	c->prog_fd = bpf_program__fd(c->skel->progs.wirelat_xdp);
	c->ncpus = libbpf_num_possible_cpus();
	if (c->ncpus <= 0) {
		fprintf(stderr, "cannot count CPUs: %s\n",
			strerror(-c->ncpus));
		return 1;
	}
	c->stride = (sizeof(struct wl_stats) + 7) & ~(size_t)7;
	c->buf = calloc(c->ncpus, c->stride);
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.records),
				 on_record, c, NULL);
	if (!c->buf || !c->rb) {
		fprintf(stderr, "cannot set up the stats or records buffer\n");
		return 1;
	}

	/* probe: is BPF_PROG_TEST_RUN there for XDP? */
	udp_frame(&f, NULL, &v4_lo, 4);
	c->skel->bss->wl_offline.wire_len = f.len;
	{
		LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = f.d,
			    .data_size_in = f.len, .repeat = 1);

		err = bpf_prog_test_run_opts(c->prog_fd, &topts);
		if (err && (errno == ENOTSUP || errno == EOPNOTSUPP ||
			    errno == 524 /* ENOTSUPP */)) {
			fprintf(stderr, "BPF_PROG_TEST_RUN is not supported for XDP here: %s\n",
				strerror(errno));
			return SKIP_EXIT;
		}
	}
	return 0;
}

static void ctx_close(struct ctx *c)
{
	ring_buffer__free(c->rb);
	wirelat__destroy(c->skel);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

int main(void)
{
	struct timespec t0, t1;
	static struct ctx c;
	double secs;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP test_parse: needs root (BPF_PROG_TEST_RUN)\n");
		return SKIP_EXIT;
	}
	libbpf_set_print(libbpf_print);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	rc = ctx_open(&c, WL_DEFAULT_HANDSHAKE_TIMEOUT_NS);
	if (rc) {
		ctx_close(&c);
		return rc;
	}
	test_variants(&c);
	test_cuts(&c);
	test_malformed(&c);
	test_handshakes(&c);
	ctx_close(&c);

	case_end();
	n_cases++;
	case_fails_at_start = n_failed;
	snprintf(case_name, sizeof(case_name), "timeout_250ms/load");
	if (ASSERT_OK(ctx_open(&c, 250 * MS), "load with a 250 ms timeout"))
		test_custom_timeout(&c);
	ctx_close(&c);
	case_end();

	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("test_parse: %d cases, %d checks: %d checks failed in %d cases (%.2f s)\n",
	       n_cases, n_checks, n_failed, n_cases_failed, secs);
	return n_failed ? 1 : 0;
}
