/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wirelat.h - the one contract between the BPF programs and the daemon.
 *
 * Every struct here crosses the kernel/user boundary (map keys, map values,
 * ring buffer records, read-only config), so all fields are fixed width,
 * padding is explicit and durations carry their unit in the name (_ns).
 * Enums are numbered explicitly: userspace turns them into metric labels and
 * record strings with tables indexed by these values (user/core/names.c).
 */
#ifndef WIRELAT_H
#define WIRELAT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define WL_VERSION "0.1.0"

/* Interfaces one daemon watches; slot WL_MAX_IFACES collects the rest. */
#define WL_MAX_IFACES 16
#define WL_NSLOTS (WL_MAX_IFACES + 1)

/* Defaults, shared by the CLI and by the object's built-in rodata. */
#define WL_DEFAULT_HANDSHAKE_TIMEOUT_NS 5000000000ULL
#define WL_DEFAULT_MAX_FLOWS 65536
#define WL_RINGBUF_BYTES (4u << 20)
#define WL_DEFAULT_DNS_TIMEOUT_NS 5000000000ULL
#define WL_DEFAULT_MAX_DNS 65536
#define WL_MAX_DNS_PORTS 8
#define WL_QNAME_MAX 256	/* wire-form name: at most 255 bytes */
#define WL_DNS_BUF 512		/* bytes of a DNS message looked at */
#define WL_DEFAULT_MAX_CONNS 262144
#define WL_DEFAULT_IDLE_TIMEOUT_NS 300000000000ULL
#define WL_DEFAULT_MAX_SOCKS 65536	/* sockets the socket path follows */
#define WL_WIRE_FAILED_MAX 16384	/* wire failures the socket path checks */
#define WL_WIRE_FAILED_FRESH_NS 1000000000ULL
#define WL_RTT_SAMPLE_MAX_AGE_NS 10000000000ULL	/* unanswered: dropped */
#define WL_HS_RESUME_NS 130000000000ULL	/* a timed-out attempt is resumable */

/* Where a packet was seen. */
enum wl_dir {
	WL_DIR_INGRESS = 0,
	WL_DIR_EGRESS = 1,
	WL_DIR_MAX,
};

/* What the parser made of a packet: wirelat_packets_total{result}. */
enum wl_pkt_result {
	WL_PKT_PARSED = 0,	/* IPv4/IPv6 with a parsed L4 header */
	WL_PKT_MALFORMED = 1,	/* counted by reason as well */
	WL_PKT_TRUNCATED = 2,	/* header cut off by the capture's snaplen */
	WL_PKT_FRAGMENT = 3,	/* non-first IP fragment */
	WL_PKT_OTHER = 4,	/* not IP, tunnels, MPLS, PPPoE, other L4 */
	WL_PKT_MAX,
};

/* wirelat_malformed_packets_total{reason}; names in user/core/names.c. */
enum wl_malformed {
	WL_MAL_ETH_SHORT = 0,	/* frame shorter than an Ethernet header */
	WL_MAL_VLAN_SHORT,	/* VLAN tag cut off */
	WL_MAL_VLAN_DEPTH,	/* more than three stacked tags */
	WL_MAL_IPV4_SHORT,	/* shorter than a minimal IPv4 header */
	WL_MAL_IPV4_VERSION,	/* version field is not 4 */
	WL_MAL_IPV4_IHL,	/* IHL < 5, or options past the frame */
	WL_MAL_IPV4_LENGTH,	/* total length < IHL, or past the frame */
	WL_MAL_IPV6_SHORT,	/* shorter than the fixed IPv6 header */
	WL_MAL_IPV6_VERSION,	/* version field is not 6 */
	WL_MAL_IPV6_LENGTH,	/* payload length past the frame */
	WL_MAL_IPV6_EXT,	/* extension header cut off or past payload */
	WL_MAL_IPV6_EXT_DEPTH,	/* more than 8 extension headers */
	WL_MAL_TCP_SHORT,	/* shorter than a minimal TCP header */
	WL_MAL_TCP_DOFF,	/* data offset < 5 or past the IP payload */
	WL_MAL_TCP_OPTION,	/* option length 0/1 or past the header */
	WL_MAL_UDP_SHORT,	/* shorter than a UDP header */
	WL_MAL_UDP_LENGTH,	/* UDP length < 8 or past the IP payload */
	WL_MAL_ICMP_SHORT,	/* ICMP error whose quote is cut off */
	WL_MAL_MAX,
};

/* wirelat_tcp_handshakes_total{result}. */
enum wl_hs_result {
	WL_HS_COMPLETED = 0,
	WL_HS_REFUSED,
	WL_HS_ABORTED,
	WL_HS_UNREACHABLE,
	WL_HS_TIMEOUT,
	WL_HS_UNOBSERVED,
	WL_HS_LATE,
	WL_HS_MAX,
};

/*
 * Histogram layout: bucket k (0..45) has the upper bound 10 us * 2^(k/2),
 * bucket 46 is +Inf. Bounds in ns are floored to integers, which keeps
 * "v <= bound" exact for integer v. The array lives in include/hist.h.
 */
#define WL_HIST_FINITE 46
#define WL_HIST_BUCKETS (WL_HIST_FINITE + 1)

/* DNS label values: qtype and rcode names, "other" last. */
enum wl_qtype_label {
	WL_QT_A = 0, WL_QT_AAAA, WL_QT_CNAME, WL_QT_MX, WL_QT_NS, WL_QT_PTR,
	WL_QT_SOA, WL_QT_SRV, WL_QT_TXT, WL_QT_HTTPS, WL_QT_SVCB, WL_QT_ANY,
	WL_QT_OTHER, WL_QT_MAX,
};

enum wl_rcode_label {
	WL_RC_NOERROR = 0, WL_RC_FORMERR, WL_RC_SERVFAIL, WL_RC_NXDOMAIN,
	WL_RC_NOTIMP, WL_RC_REFUSED, WL_RC_OTHER, WL_RC_MAX,
};

/* wirelat_dns_skipped_messages_total{reason} */
enum wl_dns_skip {
	WL_DNS_SKIP_MALFORMED = 0,	/* short, no question, bad name */
	WL_DNS_SKIP_SPLIT,		/* header/question split across segments */
	WL_DNS_SKIP_FRAMING,		/* TCP framing lost (sequence gap) */
	WL_DNS_SKIP_MAX,
};

enum wl_hist_id {
	WL_H_SYN_TO_SYNACK = 0,
	WL_H_SYNACK_TO_ACK,
	WL_H_HANDSHAKE,
	WL_H_RTT_SERVER,	/* observation point -> server -> back */
	WL_H_RTT_CLIENT,	/* observation point -> client -> back */
	WL_H_RESPONSE,		/* a turn: request -> response */
	WL_H_SERVER_TIME,	/* a turn less the server-side RTT */
	WL_H_DNS,		/* + enum wl_rcode_label */
	WL_H_MAX = WL_H_DNS + WL_RC_MAX,
};

/* wirelat_tcp_connections_closed_total{reason}; tcp_close "reason". */
enum wl_close_reason {
	WL_CLOSE_FIN = 0,
	WL_CLOSE_RST,
	WL_CLOSE_TIMEOUT,
	WL_CLOSE_REUSED,
	WL_CLOSE_EOF,
	WL_CLOSE_MAX,
};

struct wl_hist {
	__u64 bucket[WL_HIST_BUCKETS];	/* non-cumulative counts */
	__u64 sum_ns;
};

/*
 * Per-interface counters: one per-CPU array element per interface slot.
 * Writers are BPF programs on one CPU at a time, so plain adds suffice;
 * userspace sums the CPUs.
 */
struct wl_stats {
	__u64 packets[WL_DIR_MAX][WL_PKT_MAX];
	__u64 malformed[WL_MAL_MAX];
	__u64 hs_result[WL_HS_MAX];
	__u64 syn_retransmits;
	__u64 synack_retransmits;
	__u64 negative_durations;	/* time went backwards: not histogrammed */
	__u64 challenge_acks;		/* RFC 5961 ACKs answering a SYN */
	__u64 accept_queue_drops;	/* SYN-ACKs again after the client's ACK */
	__u64 dns_queries[WL_QT_MAX];	/* new transactions by qtype */
	__u64 dns_responses[WL_RC_MAX];	/* matched responses by rcode */
	__u64 dns_timeouts;
	__u64 dns_unreachable;
	__u64 dns_query_retransmits;
	__u64 dns_unsolicited;
	__u64 dns_duplicate;
	__u64 dns_mismatched;
	__u64 dns_late;
	__u64 dns_skipped[WL_DNS_SKIP_MAX];
	__u64 table_inserts[3];		/* enum wl_table: new entries */
	__u64 table_deletes[3];		/* entries the programs removed */
	/* tombstones: entries whose measurement is over, kept for late and
	 * duplicate detection; made, and ended (deleted or reopened) */
	__u64 table_tombs_in[3];
	__u64 table_tombs_out[3];
	__u64 conn_closed[WL_CLOSE_MAX];
	__u64 retransmits[2];		/* 0 = c2s, 1 = s2c */
	/* loss, located: by direction of tracked connections (c2s, s2c) */
	__u64 segments[2];		/* with payload, retransmissions too */
	__u64 payload_bytes[2];
	__u64 seq_gaps[2];		/* data lost before the observation point */
	__u64 dup_acks[2];
	__u64 zero_windows[2];
	__u64 records_dropped;		/* ring buffer full */
	__u32 scratch;			/* BPF-private, see wl_launder() */
	__u32 pad;
	struct wl_hist hist[WL_H_MAX];
};

/*
 * Flow key: canonical, the lower (address, port) first, so both directions
 * find one entry. IPv4 addresses sit in the first 4 bytes, the rest zero.
 * Ports in host byte order.
 */
struct wl_flow_key {
	__u32 ifindex;
	__u8 family;		/* 4 or 6 */
	__u8 pad[3];
	__u8 addr_lo[16];
	__u8 addr_hi[16];
	__u16 port_lo;
	__u16 port_hi;
};

/*
 * States of a table entry change by compare-and-swap (wl_claim()): XDP, TC
 * and the sweep run at once on different CPUs, and the one whose swap
 * succeeds reports the transition; the others see the new state.
 */
enum wl_hs_state {
	WL_HS_NEW = 0,		/* being (re)started in place: not yet judged */
	WL_HS_SYN_SENT = 1,	/* SYN seen, waiting for the SYN-ACK */
	WL_HS_SYNACK_SEEN = 2,	/* SYN-ACK seen, waiting for the client's ACK */
	WL_HS_TIMED_OUT = 3,	/* tombstone: a SYN-ACK now is "late" */
	WL_HS_DONE = 4,		/* reported (completed or failed): being removed */
};

/* Sides of a canonical key. */
#define WL_SIDE_LO 0
#define WL_SIDE_HI 1

/*
 * Continuous RTT state of a connection (DESIGN.md): the outstanding sample
 * of each direction and the samples taken, by side. A pending handshake
 * holds one too, fed by the attempt's SYNs, SYN-ACKs and the server's
 * ACKs, and the connection starts from it: the SYN's and SYN-ACK's TSvals
 * start samples like any others.
 */
struct wl_rtt {
	__u64 sample_ns[2];	/* when the direction's sample was taken */
	__u64 answered_ns[2];	/* when the direction's last sample was answered */
	__u64 sum_ns[2];	/* by side: 0 = server, 1 = client */
	__u64 min_ns[2];	/* by side */
	__u32 n[2];		/* by side */
	__u32 sample_val[2];	/* TSval, or end seq (no timestamps) */
	__u32 last_tsval[2];
	__u8 sample_dead[2];	/* dropped (Karn, age): not to be answered */
	/* samples taken by the direction, and the last of them answered by
	 * the other way: only ever compared for equality, so 8 bits wrap
	 * harmlessly */
	__u8 sample_gen[2];
	__u8 answered_gen[2];
	__u8 pad[2];
};

/* Pending handshake, value of the handshakes map. */
struct wl_hs {
	__u64 first_syn_ns;	/* first SYN of this attempt */
	__u64 last_syn_ns;	/* latest SYN before the SYN-ACK */
	__u64 synack_ns;	/* first SYN-ACK */
	__u64 deadline_ns;	/* SYN_SENT/TIMED_OUT: no SYN-ACK by then = timeout */
	__u32 client_isn;
	__u32 server_isn;
	__u32 state;		/* enum wl_hs_state, changed by wl_claim() */
	__u16 syn_retransmits;
	__u16 synack_retransmits;
	__u16 challenge_acks;	/* bare ACKs of the server answering a SYN */
	__u8 client_side;	/* WL_SIDE_LO or WL_SIDE_HI */
	__u8 syn_ts;		/* the SYN carried the timestamp option */
	__u8 synack_ts;		/* the SYN-ACK carried it */
	__u8 pad;
	__u16 syn_len;		/* the SYN's payload (TCP Fast Open) */
	/* SYNACK_SEEN: the client's latest SYN after the SYN-ACK (0: none;
	 * then deadline_ns follows its SYNs, the SYN-ACK never reached it) */
	__u64 retry_ns;
	struct wl_rtt rtt;	/* from the SYN's TSval on (syn_ts only) */
};

/*
 * The handshake deadline (DESIGN.md): the latest SYN + the larger of the
 * timeout @t and 2.5 x the gap between the last two SYNs (@gap, 0 for the
 * first), so a client backing off (Linux 1, 2, 4 s; Windows 3, 6, 12 s) is
 * never declared timed out while it still retries. A timed-out attempt
 * stays as a tombstone (a late SYN-ACK is counted, a late SYN with its ISN
 * resumes it) for as long again after its deadline, and at least until
 * WL_HS_RESUME_NS after its first SYN: Linux's six SYN retries span 127 s.
 */
static inline __u64 wl_hs_deadline(__u64 last_syn_ns, __u64 gap_ns, __u64 t)
{
	__u64 backoff = gap_ns * 5 / 2;

	return last_syn_ns + (backoff > t ? backoff : t);
}

static inline __u64 wl_hs_tombstone_end(const struct wl_hs *hs)
{
	__u64 end = hs->deadline_ns + (hs->deadline_ns - hs->last_syn_ns);
	__u64 retry = hs->first_syn_ns + WL_HS_RESUME_NS;

	return end > retry ? end : retry;
}

/* Flow tables, for wirelat_flow_table_*{table}. */
enum wl_table {
	WL_T_HANDSHAKES = 0,
	WL_T_DNS,
	WL_T_CONNS,
	WL_T_MAX,
};

/*
 * A tracked connection, value of conns. Arrays [2] are indexed by
 * direction (0 = client to server, 1 = server to client) unless said
 * otherwise. XDP and TC run on different CPUs at once, so each field has
 * one writer where the design allows: a direction's packets write its own
 * [dir] fields; the other direction answers an RTT sample by writing
 * answered_gen/answered_ns and the RTT of its side only.
 */
struct wl_conn {
	__u64 first_ns;		/* first SYN, or first packet seen */
	__u64 last_ns;		/* last packet seen (either direction) */
	/* beside last_ns: the sweep's walk reads only this cache line */
	__u32 state;		/* enum wl_conn_state, changed by wl_claim() */
	__u32 client_isn;
	__u64 bytes[2];		/* TCP payload, retransmissions included */
	struct wl_rtt rtt;
	__u32 retrans[2];	/* data segments only (DESIGN.md) */
	__u32 high[2];		/* highest seq + len (+1 for FIN) seen */
	__u32 fin_end[2];	/* a FIN's seq + len + 1 */
	/* loss, located (DESIGN.md), by direction */
	__u32 segments[2];	/* with payload, retransmissions included */
	__u32 seq_gaps[2];	/* a segment beyond the highest seq seen */
	__u32 dup_acks[2];	/* a pure ACK repeating ack and window */
	__u32 zero_windows[2];	/* window 0 after a non-zero one */
	__u32 last_ack[2];	/* the direction's previous ACK... */
	__u16 last_win[2];	/* ...and its window */
	__u8 client_side;	/* WL_SIDE_LO / WL_SIDE_HI */
	__u8 midstream;
	__u8 has_ts;		/* RTT from timestamps, else seq/ack */
	__u8 first_fin;		/* 0 none, 1 client, 2 server */
	__u8 fin_seen[2];
	__u8 high_set[2];	/* high[] is known */
	__u8 win_state[2];	/* enum wl_win_state of the direction */
	__u8 ack_set[2];	/* last_ack/last_win hold an ACK */
	/*
	 * Turns (DESIGN.md, where the time goes). The client's direction
	 * starts a request (req_gen++, req_ns) with payload sent after it
	 * received all the server sent; more payload before the response moves
	 * req_ns; payload sent while server data is still unacknowledged
	 * (pipelining, multiplexing) spoils the pending request (dirty_gen).
	 * The server's direction answers a clean pending request with its
	 * first new payload (resp_gen = req_gen) and owns the sums.
	 */
	__u32 turns;
	__u32 req_gen;		/* c2s */
	__u32 dirty_gen;	/* c2s */
	__u32 resp_gen;		/* s2c */
	__u64 req_ns;		/* c2s: the request's last client payload */
	__u64 synack_leg_ns;	/* syn_to_synack: the server RTT before samples */
	__u64 resp_sum_ns;	/* s2c: the turns' responses... */
	__u64 resp_min_ns;
	__u64 resp_max_ns;
	__u64 srv_sum_ns;	/* ...and their server times */
	/*
	 * A full accept queue (DESIGN.md): the server's SYN-ACK again after
	 * the client's ACK (its kernel dropped the ACK and what followed). A
	 * request pending then (aq_gen) waited for the server's kernel, not
	 * the network: its turn counts from its first payload (req_first_ns).
	 */
	__u64 req_first_ns;	/* c2s: the request's first client payload */
	__u32 accept_queue_drops;
	__u32 aq_gen;		/* the request pending at the last of them */
};

enum wl_conn_state {
	WL_CONN_OPEN = 0,
	WL_CONN_CLOSED = 1,	/* reported (tcp_close): being removed */
};

/* The window a direction advertised last (zero windows, probes). */
enum wl_win_state {
	WL_WIN_UNKNOWN = 0,	/* nothing seen yet (mid-stream) */
	WL_WIN_OPEN = 1,	/* non-zero (a handshake's windows count so) */
	WL_WIN_ZERO = 2,
};

/* Record types; JSON "type" names in user/core/names.c. */
enum wl_rec_type {
	WL_REC_HANDSHAKE = 1,
	WL_REC_HANDSHAKE_FAILED = 2,
	WL_REC_DNS = 3,
	WL_REC_DNS_TIMEOUT = 4,
	WL_REC_CLOSE = 5,
};

enum wl_dns_proto {
	WL_DNS_UDP = 0,
	WL_DNS_TCP = 1,
};

/* Outstanding DNS query key: the client's socket, the server, the ID. */
struct wl_dns_key {
	__u32 ifindex;
	__u8 family;
	__u8 proto;		/* enum wl_dns_proto */
	__u16 id;
	__u8 client_ip[16];
	__u8 server_ip[16];
	__u16 client_port;
	__u16 server_port;
	/* 0: the first transaction of (tuple, ID); another question while
	 * that one is kept lives under its own hash (wl_dns_slot()) */
	__u32 qslot;
};

enum wl_dns_state {
	WL_DNS_PENDING = 1,
	WL_DNS_ANSWERED = 2,	/* kept a timeout long: duplicates */
	WL_DNS_TIMED_OUT = 3,	/* tombstone: a response now is "late" */
	WL_DNS_DONE = 4,	/* the tombstone's response counted: being removed */
};

/* DNS over TCP: one direction of a connection, as its sender sees it. */
struct wl_dns_stream_key {
	__u32 ifindex;
	__u8 family;
	__u8 pad[3];
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
};

enum wl_dns_stream_state {
	WL_STREAM_SYNCED = 0,	/* next_seq is where a length prefix starts */
	WL_STREAM_BODY = 1,	/* next_seq starts a body of body_len bytes */
	WL_STREAM_LOST = 2,	/* framing lost: wait for a segment starting one */
};

struct wl_dns_stream {
	__u32 next_seq;
	__u16 body_len;
	__u8 state;		/* enum wl_dns_stream_state */
	__u8 pad;
};

/* Value of dns_pending. */
struct wl_dns_q {
	__u64 first_ns;		/* first transmission */
	__u64 last_ns;		/* latest transmission: the timeout runs from it */
	__u64 answered_ns;
	__u64 qhash;		/* hash of qname bytes, qtype and length */
	__u16 qtype;
	__u16 retransmits;
	__u32 state;		/* enum wl_dns_state, changed by wl_claim() */
	__u8 qname_len;		/* wire-form bytes in qname */
	__u8 pad[7];
	__u8 qname[WL_QNAME_MAX];
};

enum wl_fail_reason {
	WL_FAIL_REFUSED = 0,
	WL_FAIL_ABORTED,
	WL_FAIL_UNREACHABLE,
	WL_FAIL_TIMEOUT,
	WL_FAIL_EOF,		/* offline: still pending at end of file */
	WL_FAIL_MAX,
};

enum wl_source {
	WL_SRC_WIRE = 0,
	WL_SRC_SOCK = 1,
};

/*
 * One record per transaction, through the ring buffer (timeouts too: the
 * sweep program writes them). Durations are signed: offline, a
 * capture whose clock jumps backwards yields negative gaps, and the record
 * shows what the capture shows.
 */
struct wl_record {
	__u64 ts_ns;		/* completing packet (monotonic live, epoch offline) */
	__u32 ifindex;
	__u8 type;		/* enum wl_rec_type */
	__u8 family;		/* 4 or 6 */
	__u8 reason;		/* enum wl_fail_reason */
	__u8 source;		/* enum wl_source */
	__u8 client_ip[16];
	__u8 server_ip[16];
	__u16 client_port;
	__u16 server_port;
	__u16 syn_retransmits;
	__u16 synack_retransmits;
	__u16 challenge_acks;	/* tcp_handshake */
	__u16 pad2[3];
	union {
		struct {
			__s64 syn_to_synack_ns;
			__s64 synack_to_ack_ns;
			__s64 handshake_ns;
		} hs;
		struct {
			__s64 elapsed_ns;
		} fail;
		struct {
			__s64 duration_ns;
			__u64 bytes[2];		/* c2s, s2c */
			__u64 rtt_min_ns[2];	/* server, client */
			__u64 rtt_avg_ns[2];
			__u32 rtt_n[2];
			__u32 retrans[2];	/* c2s, s2c */
			__u32 segments[2];	/* c2s, s2c */
			__u32 seq_gaps[2];
			__u32 dup_acks[2];
			__u32 zero_windows[2];
			__u64 resp_min_ns;	/* turns */
			__u64 resp_avg_ns;
			__u64 resp_max_ns;
			__u64 srv_avg_ns;
			__u32 turns;
			__u32 accept_queue_drops;	/* SYN-ACKs after the ACK */
			__u8 closed_by;		/* 0 none, 1 client, 2 server */
			__u8 midstream;
			__u8 sock_side;		/* source sock: 1 the socket is the client's, 2 the server's */
			__u8 pad[5];
		} close;
		struct {
			__s64 latency_ns;	/* dns; elapsed_ns for dns_timeout */
			__u16 id;
			__u16 qtype;
			__u16 answers;
			__u16 retransmits;
			__u8 rcode;
			__u8 truncated;
			__u8 proto;		/* enum wl_dns_proto */
			__u8 qname_len;
			__u32 pad;
		} dns;
	};
	__u8 qname[WL_QNAME_MAX];	/* DNS only: wire form, qname_len bytes */
};

/*
 * What a record of each kind fills. The ring reserves a constant size: a
 * tcp_handshake and a tcp_handshake_failed reserve and fill the head and
 * the union up to hs (WL_RECORD_HS_SIZE, 88 bytes, where the tcp part is
 * 216: a burst of new connections fits 2.3 times as many in the ring); a
 * tcp_close the tcp part (WL_RECORD_TCP_SIZE); a DNS record the whole
 * struct, of which it fills the head up to dns (WL_RECORD_DNS_HEAD) and
 * the name: the close fields between are left as the ring had them, and
 * the reader (wl_record_copy) takes only what the kind fills.
 */
#define WL_RECORD_TCP_SIZE (sizeof(struct wl_record) - WL_QNAME_MAX)
#define WL_RECORD_HS_SIZE                                                    \
	(__builtin_offsetof(struct wl_record, hs) +                          \
	 sizeof(((struct wl_record *)0)->hs))
#define WL_RECORD_DNS_HEAD                                                   \
	(__builtin_offsetof(struct wl_record, dns) +                         \
	 sizeof(((struct wl_record *)0)->dns))

/* wirelat_sock_connections_total{result}: the socket path's connects. */
enum wl_sock_result {
	WL_SOCK_COMPLETED = 0,
	WL_SOCK_REFUSED,
	WL_SOCK_TIMEOUT,
	WL_SOCK_OTHER,		/* unreachable, aborted by the application */
	WL_SOCK_MAX,
};

/* Counters of the socket path (one per-CPU element: no interface label). */
struct wl_sock_stats {
	__u64 result[WL_SOCK_MAX];
	__u64 wire_seen;	/* connections left to the wire view */
	__u64 peer_reported;	/* both ends local: reported by the other end */
	__u64 records_dropped;	/* ring buffer full */
	__u64 negative_durations;
	struct wl_hist connect;	/* handshake_ns of completed connects */
};

/* The socket path's own end of a connection: active (connect) or passive (accept). */
enum wl_sock_role {
	WL_SOCK_ACTIVE = 1,	/* this socket is the client */
	WL_SOCK_PASSIVE = 2,	/* this socket is the server */
};

/* What the socket path keeps per socket it follows, by socket address. */
struct wl_sock_conn {
	__u64 start_ns;		/* connect() (active) or the SYN's estimate (passive) */
	__u8 role;		/* enum wl_sock_role */
	__u8 quiet;		/* the wire or the other local end reports it */
	__u8 first_close;	/* 0 open, 1 this end closed first, 2 the peer did */
	__u8 reported;		/* the handshake record went out: close it too */
	__u8 fin_in;		/* the peer's FIN arrived */
	__u8 pad[3];
};

/*
 * Read-only configuration, set by the daemon before load. The built-in
 * values equal the CLI defaults, so the object runs under any loader.
 */
struct wl_cfg {
	__u64 handshake_timeout_ns;
	__u64 dns_timeout_ns;
	__u64 idle_timeout_ns;
	__u64 rtt_interval_ns;
	__u16 dns_port[WL_MAX_DNS_PORTS];	/* host order */
	__u32 n_dns_ports;
	__u32 ifindex[WL_MAX_IFACES];	/* slot i watches ifindex[i] */
	__u32 n_ifaces;			/* slots in use */
	__u8 offline;			/* clock and lengths come from wl_offline */
	__u8 pad[3];
	__u32 netns_inum;		/* socket path: the namespace it observes (0: any) */
};

/*
 * The sweep program (sweep/): what the daemon asks of one run and what the
 * walk found, in the object's .bss. Live, the program reads the clock
 * itself; offline it is the capture's, given here.
 */
struct wl_sweep_io {
	__u64 clock_ns;		/* in: offline only */
	__u32 tables;		/* in: bits 1 << enum wl_table to walk */
	__u8 eof;		/* in: offline end of file: connections close */
	__u8 more;		/* out: the ring filled up: drain and run again */
	__u8 pad[2];
	__u64 entries[WL_T_MAX][WL_NSLOTS];	/* out: entries left, by slot */
	/* out, per table walked: the earliest time an entry left can change
	 * (UINT64_MAX: none), so the replay walks it again only once its
	 * clock can have passed one */
	__u64 due_ns[WL_T_MAX];
	__u32 ncpus;		/* in: possible CPUs, for the counters */
	__u32 evicted_known;	/* out: evicted[] was counted (the kernel
				 * has bpf_map_sum_elem_count, 6.6 on) */
	/* out: per table, inserts - entries - deletes - (tombstones made -
	 * ended), read in that order within microseconds: with tombs[] (the
	 * tombstones left, from the walk) the LRU's evictions of entries
	 * still open (wl_table_tomb()), short of them only by the operations
	 * in flight */
	__s64 evicted[WL_T_MAX];
	/* out, with evicted_known: the live entries per table at the end of
	 * the run (after what it expired), walked or not */
	__u64 live[WL_T_MAX];
	/* out, per table walked: tombstones left (the sweep's walk) */
	__u64 tombs[WL_T_MAX];
};

/*
 * Offline clock, written by userspace before each BPF_PROG_TEST_RUN:
 * the packet's own timestamp (the time it is measured at and the clock its
 * flow's timeouts are judged by, so a capture whose time jumps backwards
 * expires nothing early), the highest timestamp seen so far (informative)
 * and the length the frame had on the wire.
 */
struct wl_offline {
	__u64 now_ns;
	__u64 clock_ns;
	__u32 wire_len;
	__u32 pad;
};

/*
 * Offline, many frames per BPF_PROG_TEST_RUN (one call costs ~1.3 us here,
 * more than the program): the replay packs up to WL_BATCH_MAX frames into
 * one buffer of at most WL_BATCH_BYTES (the linear part the test run gives
 * an XDP frame: a page less XDP_PACKET_HEADROOM and skb_shared_info), the
 * first frame last: the batch entry point reaches frame i by moving the
 * head back over it and the tail back over frame i - 1, so each frame is
 * the whole packet the same code sees live. f[i] is what wl_offline holds
 * while frame i runs; done says how many ran.
 */
#define WL_BATCH_MAX 128
#define WL_BATCH_BYTES 3520

struct wl_batch_frame {
	__u64 now_ns;
	__u64 clock_ns;
	__u32 len;		/* bytes in the buffer */
	__u32 wire_len;
	/* out: the record ring's producer position after the frame, so
	 * the replay knows which frame wrote each record (-j: the shards'
	 * records merge in file order) */
	__u64 ring_pos;
};

struct wl_batch {
	__u32 n;		/* in: frames */
	__u32 done;		/* out: frames processed */
	struct wl_batch_frame f[WL_BATCH_MAX];
};

#endif /* WIRELAT_H */
