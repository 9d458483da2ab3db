// SPDX-License-Identifier: BSD-3-Clause
/*
 * records.c - one record a line: JSON (--json) with the fields DESIGN.md
 * lists, or an aligned human-readable line.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "core/dnsname.h"
#include "metrics/listen.h"
#include "core/names.h"
#include "output/jbuf.h"
#include "output/records.h"

static const char *ifname_of(struct wl_output *o, uint32_t ifindex,
			     char *buf)
{
	int i;

	if (o->fixed_ifname)
		return o->fixed_ifname;
	if (!ifindex)	/* a socket without a route yet */
		return "-";
	for (i = 0; i < o->n_ifaces; i++)
		if (o->ifindex[i] == ifindex)
			return o->ifname[i];
	if (if_indextoname(ifindex, buf))
		return buf;
	snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
	return buf;
}

/*
 * a.b.c.d as inet_ntop writes it (%u.%u.%u.%u), without its sprintf: with
 * the fields appended by hand, inet_ntop's two calls a record were near
 * half of what the JSON writer had left. IPv6 keeps inet_ntop (its
 * zero-run and embedded-IPv4 rules are not worth a copy).
 */
static void ipv4_str(const uint8_t *a, char *buf)
{
	char *p = buf;
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		if (a[i] >= 100)
			*p++ = (char)('0' + a[i] / 100);
		if (a[i] >= 10)
			*p++ = (char)('0' + a[i] / 10 % 10);
		*p++ = (char)('0' + a[i] % 10);
	}
	*p = '\0';
}

static void addr_str(const struct wl_record *r, const uint8_t *a, char *buf)
{
	if (r->family == 4)
		ipv4_str(a, buf);
	else
		inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static const char *type_name(const struct wl_record *r)
{
	switch (r->type) {
	case WL_REC_HANDSHAKE:
		return "tcp_handshake";
	case WL_REC_HANDSHAKE_FAILED:
		return "tcp_handshake_failed";
	case WL_REC_DNS:
		return "dns";
	case WL_REC_DNS_TIMEOUT:
		return "dns_timeout";
	case WL_REC_CLOSE:
		return "tcp_close";
	}
	return "unknown";
}

static const char *reason_name(const struct wl_record *r)
{
	if (r->type == WL_REC_CLOSE)
		return r->reason < WL_CLOSE_MAX ?
			       wl_close_reason_name[r->reason] :
			       "unknown";
	return r->reason < WL_FAIL_MAX ? wl_fail_reason_name[r->reason] :
					 "unknown";
}

/* ,"reason":"..." and, once known, ,"closed_by":"...": both tcp_close kinds */
static void json_close_reason(struct wl_jbuf *jb, const struct wl_record *r)
{
	wl_jb_key_str(jb, "reason", reason_name(r));
	if (r->close.closed_by)
		wl_jb_key_str(jb, "closed_by",
			      r->close.closed_by == 1 ? "client" : "server");
}

/* ,"rtt_server_min_ns":..,"rtt_server_avg_ns":.. (or client) */
static void json_rtt(struct wl_jbuf *jb, const char *side, uint64_t min_ns,
		     uint64_t avg_ns)
{
	wl_jb_lit(jb, ",\"rtt_");
	wl_jb_str(jb, side);
	wl_jb_lit(jb, "_min_ns\":");
	wl_jb_u64(jb, min_ns);
	wl_jb_lit(jb, ",\"rtt_");
	wl_jb_str(jb, side);
	wl_jb_lit(jb, "_avg_ns\":");
	wl_jb_u64(jb, avg_ns);
}

/* The counters of one direction pair, c2s then s2c. */
static void json_pair(struct wl_jbuf *jb, const char *key_c2s,
		      const char *key_s2c, const uint32_t v[2])
{
	wl_jb_str(jb, key_c2s);
	wl_jb_u64(jb, v[0]);
	wl_jb_str(jb, key_s2c);
	wl_jb_u64(jb, v[1]);
}

static void print_json_close(struct wl_jbuf *jb, const struct wl_record *r)
{
	static const char *const side[2] = { "server", "client" };
	int i;

	json_close_reason(jb, r);
	wl_jb_key_i64(jb, "duration_ns", r->close.duration_ns);
	wl_jb_key_u64(jb, "bytes_c2s", r->close.bytes[0]);
	wl_jb_key_u64(jb, "bytes_s2c", r->close.bytes[1]);
	json_pair(jb, ",\"retransmits_c2s\":", ",\"retransmits_s2c\":",
		  r->close.retrans);
	for (i = 0; i < 2; i++) {
		if (!r->close.rtt_n[i])
			continue;	/* no sample: the fields are left out */
		json_rtt(jb, side[i], r->close.rtt_min_ns[i],
			 r->close.rtt_avg_ns[i]);
		wl_jb_lit(jb, ",\"rtt_");
		wl_jb_str(jb, side[i]);
		wl_jb_lit(jb, "_samples\":");
		wl_jb_u64(jb, r->close.rtt_n[i]);
	}
	wl_jb_key_bool(jb, "midstream", r->close.midstream);
	json_pair(jb, ",\"segments_c2s\":", ",\"segments_s2c\":",
		  r->close.segments);
	json_pair(jb, ",\"seq_gaps_c2s\":", ",\"seq_gaps_s2c\":",
		  r->close.seq_gaps);
	json_pair(jb, ",\"dup_acks_c2s\":", ",\"dup_acks_s2c\":",
		  r->close.dup_acks);
	json_pair(jb, ",\"zero_windows_c2s\":", ",\"zero_windows_s2c\":",
		  r->close.zero_windows);
	/* SYN-ACKs after the client's ACK: a full accept queue (DESIGN.md) */
	wl_jb_key_u64(jb, "accept_queue_drops", r->close.accept_queue_drops);
	if (!r->close.turns)	/* where the time goes: absent without turns */
		return;
	wl_jb_key_u64(jb, "turns", r->close.turns);
	wl_jb_key_u64(jb, "response_min_ns", r->close.resp_min_ns);
	wl_jb_key_u64(jb, "response_avg_ns", r->close.resp_avg_ns);
	wl_jb_key_u64(jb, "response_max_ns", r->close.resp_max_ns);
	wl_jb_key_u64(jb, "server_time_avg_ns", r->close.srv_avg_ns);
}

/*
 * tcp_close of the socket path: what one end's socket counted. Its own
 * direction (c2s for the client's socket) has bytes sent, retransmissions
 * and segments; the other direction bytes and segments received; its RTT
 * is the smoothed RTT to its peer (the server's side for a client's
 * socket), and the minimum the kernel keeps. Nothing the socket cannot
 * know (the peer's retransmissions, gaps, duplicate ACKs, zero windows,
 * RTT sample counts, midstream) is printed.
 */
static void print_json_sock_close(struct wl_jbuf *jb,
				  const struct wl_record *r)
{
	static const char *const side[2] = { "server", "client" };
	static const char *const retrans_key[2] = { ",\"retransmits_c2s\":",
						    ",\"retransmits_s2c\":" };
	int out = r->close.sock_side == 1 ? 0 : 1;

	json_close_reason(jb, r);
	wl_jb_key_i64(jb, "duration_ns", r->close.duration_ns);
	wl_jb_key_u64(jb, "bytes_c2s", r->close.bytes[0]);
	wl_jb_key_u64(jb, "bytes_s2c", r->close.bytes[1]);
	wl_jb_str(jb, retrans_key[out]);
	wl_jb_u64(jb, r->close.retrans[out]);
	json_pair(jb, ",\"segments_c2s\":", ",\"segments_s2c\":",
		  r->close.segments);
	if (r->close.rtt_n[out])
		json_rtt(jb, side[out], r->close.rtt_min_ns[out],
			 r->close.rtt_avg_ns[out]);
}

/* ,"qtype":"AAAA" or ,"qtype":99 (same for rcode): a name or a number. */
static void json_named(struct wl_jbuf *jb, const char *key, const char *name,
		       unsigned v)
{
	wl_jb_lit(jb, ",\"");
	wl_jb_str(jb, key);
	if (name) {
		wl_jb_lit(jb, "\":\"");
		wl_jb_str(jb, name);
		wl_jb_lit(jb, "\"");
	} else {
		wl_jb_lit(jb, "\":");
		wl_jb_u64(jb, v);
	}
}

static void print_json_dns(struct wl_jbuf *jb, const struct wl_record *r)
{
	char qname[WL_QNAME_TEXT_MAX];

	wl_qname_text(r->qname, r->dns.qname_len, qname, sizeof(qname));
	if (r->type == WL_REC_DNS_TIMEOUT)
		wl_jb_key_str(jb, "reason", reason_name(r));
	wl_jb_key_str(jb, "proto", r->dns.proto == WL_DNS_TCP ? "tcp" : "udp");
	wl_jb_key_u64(jb, "id", r->dns.id);
	wl_jb_lit(jb, ",\"qname\":\"");
	wl_jb_json_str(jb, qname);
	wl_jb_lit(jb, "\"");
	json_named(jb, "qtype", wl_qtype_name(r->dns.qtype), r->dns.qtype);
	if (r->type == WL_REC_DNS) {
		json_named(jb, "rcode", wl_rcode_name(r->dns.rcode),
			   r->dns.rcode);
		wl_jb_key_u64(jb, "answers", r->dns.answers);
		wl_jb_key_bool(jb, "truncated", r->dns.truncated);
		wl_jb_key_i64(jb, "latency_ns", r->dns.latency_ns);
		wl_jb_key_u64(jb, "query_retransmits", r->dns.retransmits);
	} else {
		wl_jb_key_u64(jb, "query_retransmits", r->dns.retransmits);
		wl_jb_key_i64(jb, "elapsed_ns", r->dns.latency_ns);
	}
}

/* {"type":..,"ts":.. up to "source": what every record has. */
static void json_head(struct wl_jbuf *jb, const struct wl_record *r,
		      uint64_t ts_ns, const char *ifname, const char *cip,
		      const char *sip)
{
	char ts[WL_TS_TEXT_MAX];

	wl_jb_lit(jb, "{\"type\":\"");
	wl_jb_str(jb, type_name(r));
	wl_jb_lit(jb, "\",\"ts\":\"");
	wl_jb_mem(jb, ts, wl_ts_text(ts_ns, ts));
	wl_jb_lit(jb, "\",\"ifname\":\"");
	wl_jb_json_str(jb, ifname);
	wl_jb_lit(jb, "\"");
	wl_jb_key_u64(jb, "family", r->family);
	wl_jb_key_str(jb, "client_ip", cip);
	wl_jb_key_u64(jb, "client_port", r->client_port);
	wl_jb_key_str(jb, "server_ip", sip);
	wl_jb_key_u64(jb, "server_port", r->server_port);
	wl_jb_key_str(jb, "source", r->source == WL_SRC_SOCK ? "sock" : "wire");
}

static void json_handshake(struct wl_jbuf *jb, const struct wl_record *r)
{
	if (r->source == WL_SRC_SOCK) {	/* connect latency alone */
		wl_jb_key_i64(jb, "handshake_ns", r->hs.handshake_ns);
		return;
	}
	wl_jb_key_i64(jb, "syn_to_synack_ns", r->hs.syn_to_synack_ns);
	wl_jb_key_i64(jb, "synack_to_ack_ns", r->hs.synack_to_ack_ns);
	wl_jb_key_i64(jb, "handshake_ns", r->hs.handshake_ns);
	wl_jb_key_u64(jb, "syn_retransmits", r->syn_retransmits);
	wl_jb_key_u64(jb, "synack_retransmits", r->synack_retransmits);
	wl_jb_key_u64(jb, "challenge_acks", r->challenge_acks);
}

/* a local listener whose drops rose while this one waited (live only) */
static void json_listener(struct wl_jbuf *jb, struct wl_output *o,
			  const struct wl_record *r)
{
	char name[INET6_ADDRSTRLEN + 8];
	uint64_t drops;

	if (!o->listen ||
	    !wl_listen_cause(o->listen, r, name, sizeof(name), &drops))
		return;
	wl_jb_key_str(jb, "listener", name);
	wl_jb_key_u64(jb, "listener_drops", drops);
}

/*
 * The record's line built in memory and handed to the FILE at once: a
 * printf call a field was most of the offline writer's time (issue 29).
 */
static void print_json(struct wl_output *o, const struct wl_record *r,
		       uint64_t ts_ns, const char *ifname, const char *cip,
		       const char *sip)
{
	struct wl_jbuf jb;

	wl_jb_init(&jb, o->f);
	json_head(&jb, r, ts_ns, ifname, cip, sip);
	switch (r->type) {
	case WL_REC_HANDSHAKE:
		json_handshake(&jb, r);
		break;
	case WL_REC_HANDSHAKE_FAILED:
		wl_jb_key_str(&jb, "reason", reason_name(r));
		wl_jb_key_u64(&jb, "syn_retransmits", r->syn_retransmits);
		wl_jb_key_i64(&jb, "elapsed_ns", r->fail.elapsed_ns);
		break;
	case WL_REC_DNS:
	case WL_REC_DNS_TIMEOUT:
		print_json_dns(&jb, r);
		break;
	case WL_REC_CLOSE:
		if (r->source == WL_SRC_SOCK)
			print_json_sock_close(&jb, r);
		else
			print_json_close(&jb, r);
		break;
	}
	json_listener(&jb, o, r);
	wl_jb_lit(&jb, "}\n");
	wl_jb_flush(&jb);
}

static void ms_str(int64_t ns, char *buf, size_t len)
{
	snprintf(buf, len, "%.3fms", ns / 1e6);
}

static void print_text_dns(struct wl_output *o, const struct wl_record *r)
{
	char qname[WL_QNAME_TEXT_MAX], qt[16], rc[16], a[32];
	const char *n;

	wl_qname_text(r->qname, r->dns.qname_len, qname, sizeof(qname));
	n = wl_qtype_name(r->dns.qtype);
	snprintf(qt, sizeof(qt), "%s", n ? n : "");
	if (!n)
		snprintf(qt, sizeof(qt), "TYPE%u", r->dns.qtype);
	ms_str(r->dns.latency_ns, a, sizeof(a));
	if (r->type == WL_REC_DNS_TIMEOUT) {
		fprintf(o->f, " %-11s after %12s  %s %-5s %s  id %u rtx %u",
			reason_name(r), a,
			r->dns.proto == WL_DNS_TCP ? "tcp" : "udp", qt, qname,
			r->dns.id, r->dns.retransmits);
		return;
	}
	n = wl_rcode_name(r->dns.rcode);
	snprintf(rc, sizeof(rc), "%s", n ? n : "");
	if (!n)
		snprintf(rc, sizeof(rc), "RCODE%u", r->dns.rcode);
	fprintf(o->f, " %-11s %12s  %s %-5s %s  id %u an %u%s rtx %u", rc, a,
		r->dns.proto == WL_DNS_TCP ? "tcp" : "udp", qt, qname,
		r->dns.id, r->dns.answers, r->dns.truncated ? " TC" : "",
		r->dns.retransmits);
}

static void print_text(struct wl_output *o, const struct wl_record *r,
		       const char *ts, const char *ifname, const char *cip,
		       const char *sip)
{
	char peers[2 * INET6_ADDRSTRLEN + 32], a[32], b[32], c[32];
	int v6 = r->family == 6;

	snprintf(peers, sizeof(peers), "%s%s%s:%u -> %s%s%s:%u",
		 v6 ? "[" : "", cip, v6 ? "]" : "", r->client_port,
		 v6 ? "[" : "", sip, v6 ? "]" : "", r->server_port);
	fprintf(o->f, "%s %-8s %-20s %-47s", ts, ifname, type_name(r), peers);
	switch (r->type) {
	case WL_REC_HANDSHAKE:
		if (r->source == WL_SRC_SOCK) {
			ms_str(r->hs.handshake_ns, c, sizeof(c));
			fprintf(o->f, " connect %12s  (socket)", c);
			break;
		}
		ms_str(r->hs.syn_to_synack_ns, a, sizeof(a));
		ms_str(r->hs.synack_to_ack_ns, b, sizeof(b));
		ms_str(r->hs.handshake_ns, c, sizeof(c));
		fprintf(o->f,
			" syn>synack %12s  synack>ack %12s  total %12s  rtx %u/%u",
			a, b, c, r->syn_retransmits, r->synack_retransmits);
		if (r->challenge_acks)
			fprintf(o->f, "  challenge-ack %u", r->challenge_acks);
		break;
	case WL_REC_HANDSHAKE_FAILED:
		ms_str(r->fail.elapsed_ns, a, sizeof(a));
		fprintf(o->f, " %-11s after %12s  syn rtx %u", reason_name(r),
			a, r->syn_retransmits);
		break;
	case WL_REC_DNS:
	case WL_REC_DNS_TIMEOUT:
		print_text_dns(o, r);
		break;
	case WL_REC_CLOSE:
		ms_str(r->close.duration_ns, a, sizeof(a));
		fprintf(o->f, " %-7s %-6s after %12s  bytes %llu/%llu  rtx %u/%u",
			reason_name(r),
			r->close.closed_by == 1	  ? "client" :
			r->close.closed_by == 2 ? "server" :
						  "",
			a, (unsigned long long)r->close.bytes[0],
			(unsigned long long)r->close.bytes[1],
			r->close.retrans[0], r->close.retrans[1]);
		if (r->close.rtt_n[0]) {
			ms_str(r->close.rtt_avg_ns[0], b, sizeof(b));
			fprintf(o->f, "  rtt srv %s", b);
		}
		if (r->close.rtt_n[1]) {
			ms_str(r->close.rtt_avg_ns[1], c, sizeof(c));
			fprintf(o->f, "  rtt cli %s", c);
		}
		if (r->close.turns) {
			ms_str(r->close.resp_avg_ns, b, sizeof(b));
			ms_str(r->close.srv_avg_ns, c, sizeof(c));
			fprintf(o->f, "  turns %u response %s server %s",
				r->close.turns, b, c);
		}
		if (r->close.accept_queue_drops)
			fprintf(o->f, "  accept-queue-drops %u",
				r->close.accept_queue_drops);
		if (r->close.midstream)
			fputs("  midstream", o->f);
		if (r->source == WL_SRC_SOCK)
			fputs("  (socket)", o->f);
		break;
	}
	if (o->listen) {
		char name[INET6_ADDRSTRLEN + 8];
		uint64_t drops;

		if (wl_listen_cause(o->listen, r, name, sizeof(name), &drops))
			fprintf(o->f, "  listener %s dropped %" PRIu64, name,
				drops);
	}
	fputc('\n', o->f);
}

void wl_output_record(struct wl_output *o, const struct wl_record *r)
{
	char ifbuf[IF_NAMESIZE + 8];
	char cip[INET6_ADDRSTRLEN], sip[INET6_ADDRSTRLEN];
	const char *ifname = ifname_of(o, r->ifindex, ifbuf);
	uint64_t ts_ns = r->ts_ns + o->ts_offset_ns;

	if (o->observe)
		o->observe(o->observe_ctx, r);
	addr_str(r, r->client_ip, cip);
	addr_str(r, r->server_ip, sip);
	if (o->json) {
		print_json(o, r, ts_ns, ifname, cip, sip);
	} else {
		char ts[40];

		wl_format_ts(ts_ns, ts, sizeof(ts));
		print_text(o, r, ts, ifname, cip, sip);
	}
	if (o->flush_each)
		fflush(o->f);
	if (ferror(o->f))
		/* offline, the replay's thread reads it while the writer's sets it */
		__atomic_store_n(&o->broken, true, __ATOMIC_RELAXED);
	o->written++;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void wl_output_sync_clock(struct wl_output *o)
{
	uint64_t m0 = clock_ns(CLOCK_MONOTONIC);
	uint64_t wall = clock_ns(CLOCK_REALTIME);
	uint64_t m1 = clock_ns(CLOCK_MONOTONIC);

	o->ts_offset_ns = (int64_t)(wall - (m0 + (m1 - m0) / 2));
}
