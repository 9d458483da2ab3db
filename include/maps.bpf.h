/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * maps.bpf.h - every map and global of the BPF object.
 *
 * xdp/ defines them (WL_DEFINE_MAPS); every other object declares them
 * extern, and `bpftool gen object` resolves those to the one definition, so
 * XDP, TC and the replay share state without pinning.
 */
#ifndef WIRELAT_MAPS_BPF_H
#define WIRELAT_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "wirelat.h"
#include "parsing.h"

#ifdef WL_DEFINE_MAPS
#define WL_GLOBAL
#else
#define WL_GLOBAL extern
#endif

/* Pending TCP handshakes, by canonical flow key (--max-flows). */
WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WL_DEFAULT_MAX_FLOWS);
	__type(key, struct wl_flow_key);
	__type(value, struct wl_hs);
} handshakes SEC(".maps");

/* Tracked connections, by canonical flow key (--max-conns). */
WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WL_DEFAULT_MAX_CONNS);
	__type(key, struct wl_flow_key);
	__type(value, struct wl_conn);
} conns SEC(".maps");

/* Outstanding DNS queries (--max-dns). */
WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WL_DEFAULT_MAX_DNS);
	__type(key, struct wl_dns_key);
	__type(value, struct wl_dns_q);
} dns_pending SEC(".maps");

/* DNS over TCP framing, per connection and direction (--max-dns). */
WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WL_DEFAULT_MAX_DNS);
	__type(key, struct wl_dns_stream_key);
	__type(value, struct wl_dns_stream);
} dns_streams SEC(".maps");

/* What the DNS parser found in a message (include/dns.bpf.h). */
struct wl_dns_msg {
	__u16 id;
	__u16 flags;
	__u16 ancount;
	__u16 qtype;
	__u32 qname_len;	/* wire form, terminating zero included */
	__u32 end;		/* offset just past the question */
	__u64 qhash;
};

/*
 * An ICMP error's match (include/dns.bpf.h, wl_dns_unreachable()): the
 * quoted tuple, and its DNS ID when quoted; a walk's earliest pending
 * match (by first transmission, then ID), which is @k with its id and
 * qslot. In the scratch, not on the stack: the walk's callbacks sit three
 * frames under the entry point.
 */
struct wl_dns_unreach {
	struct wl_dns_key k;	/* the quoted query's tuple (id, qslot: 0) */
	__u64 now;
	__u64 best_first;	/* its first transmission; ~0: none found */
	__s32 id;		/* -1: the quote ends before the DNS ID */
	__u16 best_id;
	__u16 pad;
	__u32 best_slot;
	__u32 pad2;
};

/* Per-CPU room for a DNS message and a query value (too big for stack). */
struct wl_dns_scratch {
	/*
	 * The message, and over its start the value of a new query
	 * (wl_dns_open()): the value's qname falls on the message's name
	 * (offset 12), which it takes as it is, with no 256-byte copy
	 * (~25 ns of a new query). The value's other fields cover the DNS
	 * header, parsed by the time they are written.
	 */
	union {
		struct {
			__u8 msg_lead[__builtin_offsetof(struct wl_dns_q, qname) - 12];
			__u8 msg[WL_DNS_BUF];
		};
		struct wl_dns_q q;
	};
	__u64 launder;		/* see wl_dns_tcp_msg() */
	struct wl_tcp_opts opts;	/* TCP options, see wl_tcp_options() */
	struct wl_conn conn;		/* a new connection, see wl_conn_new() */
	struct wl_hs hs;		/* a new handshake, see wl_handshake() */
	struct wl_flow_key hkey;	/* wl_tcp() and wl_handshake()'s key */
	__u64 hs_now;			/* wl_handshake()'s clock, see there */
	struct wl_dns_key dkey;		/* wl_dns_msg()'s key, see there */
	struct wl_dns_unreach unreach;	/* wl_dns_unreachable()'s walk */
	struct wl_dns_msg dmsg;		/* wl_dns_msg()'s parse, see there */
	struct wl_dns_stream_key skey;	/* see wl_dns_tcp_segment() */
	struct wl_dns_stream stream;
	__u64 submits;			/* records of this CPU, wl_rec_submit() */
};

WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wl_dns_scratch);
} dns_scratch SEC(".maps");

/* Counters and histograms, one element per interface slot. */
WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WL_NSLOTS);
	__type(key, __u32);
	__type(value, struct wl_stats);
} stats SEC(".maps");

/* One struct wl_record per finished transaction. */
WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, WL_RINGBUF_BYTES);
} records SEC(".maps");

/*
 * Handshakes the wire view ended (refused, aborted, unreachable) in the
 * last moment, by flow key: the socket path learns of the same failure
 * microseconds later and must not report it again. Value: the time.
 */
WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WL_WIRE_FAILED_MAX);
	__type(key, struct wl_flow_key);
	__type(value, __u64);
} wire_failed SEC(".maps");

/* Socket path: the sockets it follows, by kernel address (--max-conns). */
WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WL_DEFAULT_MAX_CONNS);
	__type(key, __u64);
	__type(value, struct wl_sock_conn);
} sock_conns SEC(".maps");

/*
 * Socket path: connections it reported, by canonical tuple (ifindex 0),
 * so the other end of a connection with both ends local stays quiet.
 */
WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WL_DEFAULT_MAX_CONNS);
	__type(key, struct wl_flow_key);
	__type(value, __u64);
} sock_tuples SEC(".maps");

WL_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wl_sock_stats);
} sock_stats SEC(".maps");

#ifdef WL_DEFINE_MAPS
const volatile struct wl_cfg cfg = {
	.handshake_timeout_ns = WL_DEFAULT_HANDSHAKE_TIMEOUT_NS,
	.dns_timeout_ns = WL_DEFAULT_DNS_TIMEOUT_NS,
	.idle_timeout_ns = WL_DEFAULT_IDLE_TIMEOUT_NS,
	.dns_port = { 53 },
	.n_dns_ports = 1,
};
/*
 * Key 0 of the per-CPU arrays, in .rodata: a key on the stack costs a
 * slot in frames that have none to spare (Linux 6.1 allows 512 bytes for
 * the deepest call chain, batch -> frame -> TCP -> handshake -> histogram).
 */
const volatile __u32 wl_key0 = 0;
#else
extern const volatile struct wl_cfg cfg;
extern const volatile __u32 wl_key0;
#endif

/* Offline only: written by the replay loop before each packet. */
WL_GLOBAL struct wl_offline wl_offline;

/* Offline only: the frames of one batch (xdp/, user/offline/offline.c). */
WL_GLOBAL struct wl_batch wl_batch;

/* The sweep program's input and output (sweep/, user/kernel/sweep.c). */
WL_GLOBAL struct wl_sweep_io wl_sweep_io;

/*
 * Set once a DNS question first gets a slot of its own (a second question
 * on one tuple and ID, include/dns.bpf.h): until then a query finding slot
 * 0 empty is new without looking further. Never cleared: after that, a
 * new query costs a second lookup.
 */
WL_GLOBAL __u32 wl_dns_slots_used;

#endif /* WIRELAT_MAPS_BPF_H */
