// SPDX-License-Identifier: BSD-3-Clause
/*
 * newflow_floor.bpf.c - bench-only: the floor under wirelat's per-new-flow
 * rows (tests/bench/bench_xdp.c). One XDP program that does, for each
 * packet kind of those rows, only the table operations the contract's
 * structure forces on a new flow, on tables of wirelat's key and value
 * types and sizes, and nothing else (no parsing beyond fixed offsets, no
 * state machine, no counters, no histograms):
 *
 *   SYN           conns lookup (a SYN on a tracked tuple is a reuse),
 *                 handshakes lookup, clock, handshakes insert
 *   SYN-ACK       conns lookup, handshakes lookup, clock, swap (set-up only)
 *   ACK           conns lookup, handshakes lookup, clock, swap, record,
 *                 handshakes delete, conns insert (separate tables: a SYN
 *                 flood must not evict an established connection)
 *   DNS query     dns_pending lookup, clock, dns_pending insert
 *   DNS response  dns_pending lookup, clock, swap, record (with its qname)
 *
 * Timed exactly like wirelat (BPF_PROG_TEST_RUN, repeat 1, one packet per
 * flow, the ring drained between runs), it says what a new flow costs on
 * this machine before wirelat does any work of its own: cold buckets and
 * elements, the LRU's locks. The frames are bench_xdp's (IPv4, no VLAN,
 * no IP options), so fixed offsets do.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "wirelat.h"

/* the bench sets every max_entries to wirelat's before loading */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WL_DEFAULT_MAX_FLOWS);
	__type(key, struct wl_flow_key);
	__type(value, struct wl_hs);
} floor_handshakes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WL_DEFAULT_MAX_CONNS);
	__type(key, struct wl_flow_key);
	__type(value, struct wl_conn);
} floor_conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WL_DEFAULT_MAX_DNS);
	__type(key, struct wl_dns_key);
	__type(value, struct wl_dns_q);
} floor_dns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, WL_RINGBUF_BYTES);
} floor_records SEC(".maps");

/* new values are built here, as wirelat builds them in its scratch */
struct floor_scratch {
	struct wl_hs hs;
	struct wl_conn conn;
	struct wl_dns_q q;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct floor_scratch);
} floor_scratch SEC(".maps");

#define L4 34	/* Ethernet + IPv4 without options */

/* The canonical key of the frame's TCP tuple (lower address first). */
static __always_inline void tcp_key(struct wl_flow_key *k, const __u8 *d,
				    __u32 ifindex)
{
	__u32 s = *(const __u32 *)(d + 26), t = *(const __u32 *)(d + 30);
	__u16 sp = *(const __u16 *)(d + L4), dp = *(const __u16 *)(d + L4 + 2);
	int swap = s > t;

	__builtin_memset(k, 0, sizeof(*k));
	k->ifindex = ifindex;
	k->family = 4;
	*(__u32 *)k->addr_lo = swap ? t : s;
	*(__u32 *)k->addr_hi = swap ? s : t;
	k->port_lo = swap ? dp : sp;
	k->port_hi = swap ? sp : dp;
}

static __always_inline struct wl_record *record(__u64 size)
{
	return bpf_ringbuf_reserve(&floor_records, size, 0);
}

static __always_inline int tcp(const __u8 *d, __u32 ifindex,
			       struct floor_scratch *sc)
{
	__u8 flags = d[L4 + 13];
	struct wl_flow_key k;
	struct wl_record *r;
	struct wl_hs *hs;
	__u64 now;

	tcp_key(&k, d, ifindex);
	if (bpf_map_lookup_elem(&floor_conns, &k))
		return XDP_PASS;
	hs = bpf_map_lookup_elem(&floor_handshakes, &k);
	if (flags == 0x02) {			/* SYN */
		if (hs)
			return XDP_PASS;
		now = bpf_ktime_get_ns();
		sc->hs.first_syn_ns = now;
		sc->hs.last_syn_ns = now;
		sc->hs.client_isn = *(const __u32 *)(d + L4 + 4);
		sc->hs.state = WL_HS_SYN_SENT;
		bpf_map_update_elem(&floor_handshakes, &k, &sc->hs, BPF_NOEXIST);
		return XDP_PASS;
	}
	if (!hs)
		return XDP_PASS;
	now = bpf_ktime_get_ns();
	if (flags == 0x12) {			/* SYN-ACK */
		hs->synack_ns = now;
		__sync_val_compare_and_swap(&hs->state, WL_HS_SYN_SENT,
					    WL_HS_SYNACK_SEEN);
		return XDP_PASS;
	}
	if (flags != 0x10)			/* the completing ACK */
		return XDP_PASS;
	if (__sync_val_compare_and_swap(&hs->state, WL_HS_SYNACK_SEEN,
					WL_HS_DONE) != WL_HS_SYNACK_SEEN)
		return XDP_PASS;
	r = record(WL_RECORD_TCP_SIZE);
	if (r) {
		r->ts_ns = now;
		r->hs.syn_to_synack_ns = hs->synack_ns - hs->last_syn_ns;
		r->hs.synack_to_ack_ns = now - hs->synack_ns;
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	}
	sc->conn.first_ns = hs->first_syn_ns;
	sc->conn.last_ns = now;
	sc->conn.client_isn = hs->client_isn;
	bpf_map_delete_elem(&floor_handshakes, &k);
	bpf_map_update_elem(&floor_conns, &k, &sc->conn, BPF_NOEXIST);
	return XDP_PASS;
}

static __always_inline int dns(const __u8 *d, __u32 ifindex,
			       struct floor_scratch *sc)
{
	int response = *(const __u16 *)(d + L4) == __builtin_bswap16(53);
	struct wl_record *r;
	struct wl_dns_key k;
	struct wl_dns_q *q;
	__u64 now;

	__builtin_memset(&k, 0, sizeof(k));
	k.ifindex = ifindex;
	k.family = 4;
	k.id = *(const __u16 *)(d + 42);
	*(__u32 *)k.client_ip = *(const __u32 *)(d + (response ? 30 : 26));
	*(__u32 *)k.server_ip = *(const __u32 *)(d + (response ? 26 : 30));
	k.client_port = *(const __u16 *)(d + L4 + (response ? 2 : 0));
	k.server_port = 53;
	q = bpf_map_lookup_elem(&floor_dns, &k);
	if (!response) {
		if (q)
			return XDP_PASS;
		now = bpf_ktime_get_ns();
		sc->q.first_ns = now;
		sc->q.last_ns = now;
		sc->q.state = WL_DNS_PENDING;
		bpf_map_update_elem(&floor_dns, &k, &sc->q, BPF_NOEXIST);
		return XDP_PASS;
	}
	if (!q)
		return XDP_PASS;
	now = bpf_ktime_get_ns();
	q->answered_ns = now;
	if (__sync_val_compare_and_swap(&q->state, WL_DNS_PENDING,
					WL_DNS_ANSWERED) != WL_DNS_PENDING)
		return XDP_PASS;
	r = record(sizeof(struct wl_record));
	if (r) {
		r->ts_ns = now;
		r->dns.latency_ns = now - q->first_ns;
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	}
	return XDP_PASS;
}

SEC("xdp")
int newflow_floor(struct xdp_md *ctx)
{
	const __u8 *d = (const __u8 *)(long)ctx->data;
	const __u8 *end = (const __u8 *)(long)ctx->data_end;
	struct floor_scratch *sc;
	__u32 zero = 0;

	if (d + L4 + 20 > end)
		return XDP_PASS;
	sc = bpf_map_lookup_elem(&floor_scratch, &zero);
	if (!sc)
		return XDP_PASS;
	if (d[23] == 6)
		return tcp(d, ctx->ingress_ifindex, sc);
	if (d[23] == 17)
		return dns(d, ctx->ingress_ifindex, sc);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
