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
#include "output/records.h"

void wl_format_ts(uint64_t ns, char *buf, size_t len)
{
	time_t secs = ns / 1000000000ULL;
	unsigned usec = (ns % 1000000000ULL) / 1000;
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, usec);
}

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

static void addr_str(const struct wl_record *r, const uint8_t *a, char *buf)
{
	inet_ntop(r->family == 4 ? AF_INET : AF_INET6, a, buf,
		  INET6_ADDRSTRLEN);
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

static void print_json_close(FILE *f, const struct wl_record *r)
{
	static const char *const side[2] = { "server", "client" };
	int i;

	fprintf(f, ",\"reason\":\"%s\"", reason_name(r));
	if (r->close.closed_by)
		fprintf(f, ",\"closed_by\":\"%s\"",
			r->close.closed_by == 1 ? "client" : "server");
	fprintf(f,
		",\"duration_ns\":%" PRId64 ",\"bytes_c2s\":%" PRIu64
		",\"bytes_s2c\":%" PRIu64
		",\"retransmits_c2s\":%u,\"retransmits_s2c\":%u",
		(int64_t)r->close.duration_ns, (uint64_t)r->close.bytes[0],
		(uint64_t)r->close.bytes[1], r->close.retrans[0],
		r->close.retrans[1]);
	for (i = 0; i < 2; i++) {
		if (!r->close.rtt_n[i])
			continue;	/* no sample: the fields are left out */
		fprintf(f,
			",\"rtt_%s_min_ns\":%" PRIu64 ",\"rtt_%s_avg_ns\":%" PRIu64
			",\"rtt_%s_samples\":%u",
			side[i], (uint64_t)r->close.rtt_min_ns[i], side[i],
			(uint64_t)r->close.rtt_avg_ns[i], side[i],
			r->close.rtt_n[i]);
	}
	fprintf(f, ",\"midstream\":%s", r->close.midstream ? "true" : "false");
	fprintf(f,
		",\"segments_c2s\":%u,\"segments_s2c\":%u"
		",\"seq_gaps_c2s\":%u,\"seq_gaps_s2c\":%u"
		",\"dup_acks_c2s\":%u,\"dup_acks_s2c\":%u"
		",\"zero_windows_c2s\":%u,\"zero_windows_s2c\":%u",
		r->close.segments[0], r->close.segments[1], r->close.seq_gaps[0],
		r->close.seq_gaps[1], r->close.dup_acks[0], r->close.dup_acks[1],
		r->close.zero_windows[0], r->close.zero_windows[1]);
	/* SYN-ACKs after the client's ACK: a full accept queue (DESIGN.md) */
	fprintf(f, ",\"accept_queue_drops\":%u", r->close.accept_queue_drops);
	if (r->close.turns)	/* where the time goes: absent without turns */
		fprintf(f,
			",\"turns\":%u,\"response_min_ns\":%" PRIu64
			",\"response_avg_ns\":%" PRIu64 ",\"response_max_ns\":%" PRIu64
			",\"server_time_avg_ns\":%" PRIu64,
			r->close.turns, (uint64_t)r->close.resp_min_ns,
			(uint64_t)r->close.resp_avg_ns,
			(uint64_t)r->close.resp_max_ns,
			(uint64_t)r->close.srv_avg_ns);
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
static void print_json_sock_close(FILE *f, const struct wl_record *r)
{
	static const char *const side[2] = { "server", "client" };
	static const char *const dir[2] = { "c2s", "s2c" };
	int out = r->close.sock_side == 1 ? 0 : 1;

	fprintf(f, ",\"reason\":\"%s\"", reason_name(r));
	if (r->close.closed_by)
		fprintf(f, ",\"closed_by\":\"%s\"",
			r->close.closed_by == 1 ? "client" : "server");
	fprintf(f,
		",\"duration_ns\":%" PRId64 ",\"bytes_c2s\":%" PRIu64
		",\"bytes_s2c\":%" PRIu64 ",\"retransmits_%s\":%u"
		",\"segments_c2s\":%u,\"segments_s2c\":%u",
		(int64_t)r->close.duration_ns, (uint64_t)r->close.bytes[0],
		(uint64_t)r->close.bytes[1], dir[out], r->close.retrans[out],
		r->close.segments[0], r->close.segments[1]);
	if (r->close.rtt_n[out])
		fprintf(f,
			",\"rtt_%s_min_ns\":%" PRIu64 ",\"rtt_%s_avg_ns\":%" PRIu64,
			side[out], (uint64_t)r->close.rtt_min_ns[out], side[out],
			(uint64_t)r->close.rtt_avg_ns[out]);
}

/* Length of the well-formed UTF-8 sequence at @s, 0 if there is none. */
static int utf8_len(const unsigned char *s)
{
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3/4-byte forms, surrogates, above U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/*
 * @s as the inside of a JSON string (RFC 8259): quote and backslash
 * escaped, control characters as \u00XX, and a byte that is not part of
 * well-formed UTF-8 as \u00XX too (its Latin-1 reading), so any interface
 * name or qname text gives a valid JSON line.
 */
static void json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	while (*s) {
		if (*s == '\\' || *s == '"') {
			fputc('\\', f);
			fputc(*s++, f);
			continue;
		}
		n = utf8_len(s);
		if (*s < 0x20 || *s == 0x7f || !n) {
			fprintf(f, "\\u%04x", *s++);
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
}

/* "qtype":"AAAA" or "qtype":99 (same for rcode): a name or a number. */
static void json_named(FILE *f, const char *key, const char *name,
		       unsigned v)
{
	if (name)
		fprintf(f, ",\"%s\":\"%s\"", key, name);
	else
		fprintf(f, ",\"%s\":%u", key, v);
}

static void print_json_dns(struct wl_output *o, const struct wl_record *r)
{
	char qname[WL_QNAME_TEXT_MAX];
	FILE *f = o->f;

	wl_qname_text(r->qname, r->dns.qname_len, qname, sizeof(qname));
	if (r->type == WL_REC_DNS_TIMEOUT)
		fprintf(f, ",\"reason\":\"%s\"", reason_name(r));
	fprintf(f, ",\"proto\":\"%s\",\"id\":%u,\"qname\":\"",
		r->dns.proto == WL_DNS_TCP ? "tcp" : "udp", r->dns.id);
	json_str(f, qname);
	fputc('"', f);
	json_named(f, "qtype", wl_qtype_name(r->dns.qtype), r->dns.qtype);
	if (r->type == WL_REC_DNS) {
		json_named(f, "rcode", wl_rcode_name(r->dns.rcode),
			   r->dns.rcode);
		fprintf(f,
			",\"answers\":%u,\"truncated\":%s,\"latency_ns\":%" PRId64
			",\"query_retransmits\":%u",
			r->dns.answers, r->dns.truncated ? "true" : "false",
			(int64_t)r->dns.latency_ns, r->dns.retransmits);
	} else {
		fprintf(f, ",\"query_retransmits\":%u,\"elapsed_ns\":%" PRId64,
			r->dns.retransmits, (int64_t)r->dns.latency_ns);
	}
}

static void print_json(struct wl_output *o, const struct wl_record *r,
		       const char *ts, const char *ifname, const char *cip,
		       const char *sip)
{
	FILE *f = o->f;

	fprintf(f, "{\"type\":\"%s\",\"ts\":\"%s\",\"ifname\":\"", type_name(r),
		ts);
	json_str(f, ifname);
	fprintf(f,
		"\",\"family\":%u,\"client_ip\":\"%s\",\"client_port\":%u,"
		"\"server_ip\":\"%s\",\"server_port\":%u,\"source\":\"%s\"",
		r->family, cip, r->client_port, sip, r->server_port,
		r->source == WL_SRC_SOCK ? "sock" : "wire");
	switch (r->type) {
	case WL_REC_HANDSHAKE:
		if (r->source == WL_SRC_SOCK) {	/* connect latency alone */
			fprintf(f, ",\"handshake_ns\":%" PRId64,
				(int64_t)r->hs.handshake_ns);
			break;
		}
		fprintf(f,
			",\"syn_to_synack_ns\":%" PRId64
			",\"synack_to_ack_ns\":%" PRId64
			",\"handshake_ns\":%" PRId64
			",\"syn_retransmits\":%u,\"synack_retransmits\":%u"
			",\"challenge_acks\":%u",
			(int64_t)r->hs.syn_to_synack_ns,
			(int64_t)r->hs.synack_to_ack_ns,
			(int64_t)r->hs.handshake_ns, r->syn_retransmits,
			r->synack_retransmits, r->challenge_acks);
		break;
	case WL_REC_HANDSHAKE_FAILED:
		fprintf(f,
			",\"reason\":\"%s\",\"syn_retransmits\":%u"
			",\"elapsed_ns\":%" PRId64,
			reason_name(r), r->syn_retransmits,
			(int64_t)r->fail.elapsed_ns);
		break;
	case WL_REC_DNS:
	case WL_REC_DNS_TIMEOUT:
		print_json_dns(o, r);
		break;
	case WL_REC_CLOSE:
		if (r->source == WL_SRC_SOCK)
			print_json_sock_close(f, r);
		else
			print_json_close(f, r);
		break;
	}
	if (o->listen) {
		/* a local listener whose drops rose while this one waited */
		char name[INET6_ADDRSTRLEN + 8];
		uint64_t drops;

		if (wl_listen_cause(o->listen, r, name, sizeof(name), &drops))
			fprintf(f, ",\"listener\":\"%s\",\"listener_drops\":%" PRIu64,
				name, drops);
	}
	fputs("}\n", f);
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

static int is_dns(uint8_t type)
{
	return type == WL_REC_DNS || type == WL_REC_DNS_TIMEOUT;
}

/* The bytes a record of @type fills (wirelat.h), at the start of it. */
static size_t record_head(uint8_t type)
{
	switch (type) {
	case WL_REC_HANDSHAKE:
	case WL_REC_HANDSHAKE_FAILED:
		return WL_RECORD_HS_SIZE;
	case WL_REC_DNS:
	case WL_REC_DNS_TIMEOUT:
		return WL_RECORD_DNS_HEAD;
	default:
		return WL_RECORD_TCP_SIZE;
	}
}

int wl_record_copy(struct wl_record *r, const void *data, size_t size)
{
	const struct wl_record *in = data;
	size_t head;

	if (size < WL_RECORD_HS_SIZE)
		return 0;
	head = record_head(in->type);
	if (size < head)
		return 0;
	if (is_dns(in->type) && size < sizeof(*r))
		return 0;
	memset(r, 0, sizeof(*r));
	memcpy(r, data, head);
	if (is_dns(in->type))	/* qname_len bytes of the name */
		memcpy(r->qname, in->qname, in->dns.qname_len);
	return 1;
}

void wl_output_record(struct wl_output *o, const struct wl_record *r)
{
	char ts[40], ifbuf[IF_NAMESIZE + 8];
	char cip[INET6_ADDRSTRLEN], sip[INET6_ADDRSTRLEN];
	const char *ifname = ifname_of(o, r->ifindex, ifbuf);

	if (o->observe)
		o->observe(o->observe_ctx, r);
	wl_format_ts(r->ts_ns + o->ts_offset_ns, ts, sizeof(ts));
	addr_str(r, r->client_ip, cip);
	addr_str(r, r->server_ip, sip);
	if (o->json)
		print_json(o, r, ts, ifname, cip, sip);
	else
		print_text(o, r, ts, ifname, cip, sip);
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
