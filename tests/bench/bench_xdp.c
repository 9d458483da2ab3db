// SPDX-License-Identifier: BSD-3-Clause
/*
 * bench_xdp.c - per-packet cost of the XDP program, BPF_PROG_TEST_RUN with
 * repeat, against an empty XDP program (return XDP_PASS) timed the same
 * way in the same run. Prints a table: packet, ns/packet (median of
 * runs), ns over the floor. The first run of a frame sets up its state (a
 * data segment opens a mid-stream connection), so the median is the
 * steady state: a tracked connection's data, a retransmitted SYN. The object is loaded live (offline = 0), so
 * bpf_ktime_get_ns() and bpf_xdp_get_buff_len() are in the numbers.
 *
 * Then one packet per new flow (DESIGN.md, "Per-packet budget"): repeat 1,
 * NEW_FLOWS flows, each its own tuple, the ring drained after every run as
 * the reader would (not timed): a SYN that opens a handshake, the SYN-ACK
 * answering it, the ACK that completes one (its record included), a new
 * DNS query, the response that completes it (its record included); median
 * ns against the median of the empty program run on the very same frames,
 * and beside the map floor (tests/bpf/newflow_floor.bpf.c): the same flows
 * through a program that does only the table operations a new flow needs,
 * on tables of wirelat's types and sizes. The budget column is that floor
 * + 100 ns (DESIGN.md, "Per-packet budget"). WL_BENCH_NEW=N prints only
 * these rows, N times over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "wirelat.h"
#include "wirelat.skel.h"

#define RUNS 5
#define NEW_FLOWS 20000

struct frame {
	const char *name;
	unsigned char buf[256];
	size_t len;
};

static void put16(unsigned char *p, unsigned v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(unsigned char *p, unsigned v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* A TCP header with the timestamp option (32 bytes) at @t. */
static void put_tcp(unsigned char *t, unsigned flags, unsigned seq,
		    unsigned ack)
{
	put16(t, 40000);
	put16(t + 2, 443);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = 8 << 4;
	t[13] = flags;
	put16(t + 14, 65535);
	t[20] = 1;
	t[21] = 1;
	t[22] = 8;
	t[23] = 10;
	put32(t + 24, 12345);
	put32(t + 28, 54321);
}

/* Ethernet + IPv4 + TCP with the timestamp option. */
static size_t tcp4(unsigned char *b, unsigned flags, unsigned seq,
		   unsigned ack, size_t payload)
{
	memset(b, 0, 256);
	put16(b + 12, 0x0800);
	b[14] = 0x45;
	put16(b + 16, 20 + 32 + payload);
	b[22] = 64;
	b[23] = 6;
	inet_pton(AF_INET, "198.51.100.1", b + 26);
	inet_pton(AF_INET, "203.0.113.1", b + 30);
	put_tcp(b + 34, flags, seq, ack);
	return 14 + 20 + 32 + payload;
}

/* The same segment over IPv6 (no extension headers). */
static size_t tcp6(unsigned char *b, unsigned flags, unsigned seq,
		   unsigned ack, size_t payload)
{
	memset(b, 0, 256);
	put16(b + 12, 0x86dd);
	b[14] = 0x60;
	put16(b + 18, 32 + payload);
	b[20] = 6;
	b[21] = 64;
	inet_pton(AF_INET6, "2001:db8:100::1", b + 22);
	inet_pton(AF_INET6, "2001:db8:200::1", b + 38);
	put_tcp(b + 54, flags, seq, ack);
	return 14 + 40 + 32 + payload;
}

static size_t udp4(unsigned char *b, unsigned dport)
{
	memset(b, 0, 256);
	put16(b + 12, 0x0800);
	b[14] = 0x45;
	put16(b + 16, 20 + 8 + 32);
	b[22] = 64;
	b[23] = 17;
	inet_pton(AF_INET, "198.51.100.1", b + 26);
	inet_pton(AF_INET, "203.0.113.1", b + 30);
	put16(b + 34, 40000);
	put16(b + 36, dport);
	put16(b + 38, 8 + 32);
	return 14 + 20 + 8 + 32;
}

/* A DNS query (or response, @qr) for a 30-byte qname, type A, over UDP. */
static size_t dns4(unsigned char *b, int qr)
{
	/* 30 bytes in wire form: bench123.wirelat.example.com */
	static const char name[] = "\x08" "bench123" "\x07" "wirelat"
				   "\x07" "example" "\x03" "com";
	size_t nlen = sizeof(name), dlen = 12 + nlen + 4;	/* with the 0 */
	unsigned char *d = b + 42;

	memset(b, 0, 256);
	put16(b + 12, 0x0800);
	b[14] = 0x45;
	put16(b + 16, 20 + 8 + dlen);
	b[22] = 64;
	b[23] = 17;
	inet_pton(AF_INET, qr ? "203.0.113.53" : "198.51.100.1", b + 26);
	inet_pton(AF_INET, qr ? "198.51.100.1" : "203.0.113.53", b + 30);
	put16(b + 34, qr ? 53 : 40000);
	put16(b + 36, qr ? 40000 : 53);
	put16(b + 38, 8 + dlen);
	put16(d, 0x1234);
	put16(d + 2, qr ? 0x8180 : 0x0100);
	put16(d + 4, 1);
	memcpy(d + 12, name, nlen);
	put16(d + 12 + nlen, 1);
	put16(d + 14 + nlen, 1);
	return 42 + dlen;
}

static size_t arp(unsigned char *b)
{
	memset(b, 0, 256);
	put16(b + 12, 0x0806);
	return 60;
}

static int empty_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "wl_bench_empty", "GPL",
			     insns, 2, NULL);
}

static int cmp_u32(const void *a, const void *b)
{
	return *(const unsigned *)a - *(const unsigned *)b;
}

/* Median ns per run of @fd on @f over RUNS runs of @repeat. */
static long time_prog(int fd, const struct frame *f, unsigned repeat)
{
	unsigned d[RUNS];
	int i;

	for (i = 0; i < RUNS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->buf,
			    .data_size_in = f->len, .repeat = repeat);

		if (bpf_prog_test_run_opts(fd, &o))
			return -errno;
		d[i] = o.duration;
	}
	qsort(d, RUNS, sizeof(d[0]), cmp_u32);
	return d[RUNS / 2];
}

static int ring_noop(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* One run of @fd on @len bytes at @buf, repeat 1: its ns, or -errno. */
static long run_once(int fd, unsigned char *buf, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = len,
		    .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	return o.duration;
}

/*
 * Flow @i's client (198.51.100.1-200, port 10000 + i / 200) into an IPv4
 * frame whose L4 header is at @l4: as source, or as destination when the
 * frame comes @from_server.
 */
static void flow_tuple(unsigned char *b, unsigned i, int from_server,
		       size_t l4)
{
	unsigned char cli[4] = { 198, 51, 100, 1 + i % 200 };
	unsigned port = 10000 + i / 200;

	memcpy(b + (from_server ? 30 : 26), cli, 4);
	put16(b + l4 + (from_server ? 2 : 0), port);
}

enum new_kind { NEW_SYN, NEW_SYNACK, NEW_ACK, NEW_QUERY, NEW_RESPONSE, NEW_MAX };

/* The frames of flow @i for a row of kind @k: set-up ones, then the timed. */
struct flow_frames {
	unsigned char b[3][256];
	size_t len[3];
	int n;			/* the last one is timed */
};

static void new_flow_frames(struct flow_frames *f, enum new_kind k, unsigned i)
{
	unsigned isn = 1000 + i * 7, sisn = 900000 + i * 13;

	f->n = 0;
	if (k == NEW_SYN || k == NEW_SYNACK || k == NEW_ACK) {
		f->len[f->n] = tcp4(f->b[f->n], 0x02, isn, 0, 0);
		flow_tuple(f->b[f->n++], i, 0, 34);
		if (k == NEW_SYN)
			return;
		/* the SYN-ACK from the server */
		f->len[f->n] = tcp4(f->b[f->n], 0x12, sisn, isn + 1, 0);
		memcpy(f->b[f->n] + 26, "\xcb\x00\x71\x01", 4);
		memcpy(f->b[f->n] + 30, "\xc6\x33\x64\x01", 4);
		put16(f->b[f->n] + 34, 443);
		put16(f->b[f->n] + 36, 0);
		flow_tuple(f->b[f->n++], i, 1, 34);
		if (k == NEW_SYNACK)
			return;
		f->len[f->n] = tcp4(f->b[f->n], 0x10, isn + 1, sisn + 1, 0);
		flow_tuple(f->b[f->n++], i, 0, 34);
		return;
	}
	f->len[f->n] = dns4(f->b[f->n], 0);
	flow_tuple(f->b[f->n++], i, 0, 34);
	if (k == NEW_RESPONSE) {
		f->len[f->n] = dns4(f->b[f->n], 1);
		flow_tuple(f->b[f->n++], i, 1, 34);
	}
}

/*
 * The floor under the per-new-flow rows (tests/bpf/newflow_floor.bpf.c):
 * only the table operations a new flow needs, on tables of wirelat's
 * types and sizes. Its fd, or -1; *objp to close.
 */
static int load_map_floor(const struct wirelat *skel, struct bpf_object **objp)
{
	static const char *const maps[][2] = {
		{ "floor_handshakes", "handshakes" },
		{ "floor_conns", "conns" },
		{ "floor_dns", "dns_pending" },
	};
	const char *path = getenv("WL_FLOOR_OBJ");
	struct bpf_object *obj;
	struct bpf_program *p;
	size_t i;

	obj = bpf_object__open_file(path ? path :
				    "build/tests/bpf/newflow_floor.bpf.o", NULL);
	if (!obj)
		return -1;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct bpf_map *f = bpf_object__find_map_by_name(obj, maps[i][0]);
		struct bpf_map *w = bpf_object__find_map_by_name(skel->obj,
								 maps[i][1]);

		if (!f || !w ||
		    bpf_map__set_max_entries(f, bpf_map__max_entries(w)))
			goto fail;
	}
	p = bpf_object__find_program_by_name(obj, "newflow_floor");
	if (!p || bpf_object__load(obj))
		goto fail;
	*objp = obj;
	return bpf_program__fd(p);
fail:
	bpf_object__close(obj);
	return -1;
}

/*
 * Median, on NEW_FLOWS new flows, of the timed packet of kind @k through
 * @fd (returned) and through the empty program @efd (*floor): the set-up
 * packets before it (SYN, SYN-ACK; the query) run through @fd, not timed;
 * @rb (the records of @fd) is drained after every flow as a reader would.
 */
static long time_new_flows(int fd, int efd, struct ring_buffer *rb,
			   enum new_kind k, long *floor)
{
	static long t[NEW_FLOWS], e[NEW_FLOWS];
	struct flow_frames f;
	unsigned i;
	int j;

	for (i = 0; i < NEW_FLOWS; i++) {
		new_flow_frames(&f, k, i);
		for (j = 0; j < f.n - 1; j++)
			run_once(fd, f.b[j], f.len[j]);
		t[i] = run_once(fd, f.b[j], f.len[j]);
		e[i] = run_once(efd, f.b[j], f.len[j]);
		ring_buffer__consume(rb);	/* the reader's work: not timed */
		if (t[i] < 0 || e[i] < 0)
			return -1;
	}
	qsort(t, NEW_FLOWS, sizeof(t[0]), cmp_long);
	qsort(e, NEW_FLOWS, sizeof(e[0]), cmp_long);
	*floor = e[NEW_FLOWS / 2];
	return t[NEW_FLOWS / 2];
}

/*
 * The map floor of kind @k: the same flows through newflow_floor on
 * tables sized as @skel's, in a pass of their own (interleaved, each
 * program would evict the other's tables from the cache); -1 when it
 * cannot be loaded.
 */
static long time_map_floor(const struct wirelat *skel, int efd,
			   enum new_kind k)
{
	struct bpf_object *obj = NULL;
	struct ring_buffer *rb = NULL;
	long t = -1, floor;
	int fd;

	fd = load_map_floor(skel, &obj);
	if (fd >= 0)
		rb = ring_buffer__new(bpf_object__find_map_fd_by_name(
					      obj, "floor_records"),
				      ring_noop, NULL, NULL);
	if (rb)
		t = time_new_flows(fd, efd, rb, k, &floor);
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return t;
}

/* @t over @floor, both ns (0 when the floor could not be timed). */
static double ratio(long t, long floor)
{
	return floor > 0 ? (double)t / floor : 0;
}

/* Each kind on a fresh object: no flow of one row is in the next. */
static void new_flow_rows(int efd)
{
	/* budget: the map floor + 100 ns (DESIGN.md); the SYN-ACK has none */
	static const struct {
		const char *name;
		int budget;
	} row[NEW_MAX] = {
		[NEW_SYN] = { "SYN, new flow", 1 },
		[NEW_SYNACK] = { "SYN-ACK answering it", 0 },
		[NEW_ACK] = { "ACK completing a handshake (record)", 1 },
		[NEW_QUERY] = { "DNS query, new (30-byte qname)", 1 },
		[NEW_RESPONSE] = { "DNS response completing it (record)", 1 },
	};
	int k;

	printf("\n%-38s %9s %7s %10s %7s %10s %7s %7s\n",
	       "one packet per new flow (repeat 1)", "ns/packet", "empty",
	       "map floor", "budget", "wirelat-", "map fl.-", "x map");
	printf("%-38s %9s %7s %10s %7s %10s %7s %7s\n", "", "", "", "", "",
	       "empty", "empty", "floor");
	for (k = 0; k < NEW_MAX; k++) {
		struct wirelat *skel = wirelat__open_and_load();
		struct ring_buffer *rb;
		long t = -1, floor = 0, mfloor;

		if (!skel) {
			fprintf(stderr, "bench: cannot load the object\n");
			return;
		}
		rb = ring_buffer__new(bpf_map__fd(skel->maps.records), ring_noop,
				      NULL, NULL);
		if (rb)
			t = time_new_flows(bpf_program__fd(skel->progs.wirelat_xdp),
					   efd, rb, k, &floor);
		mfloor = time_map_floor(skel, efd, k);
		if (t < 0)
			printf("%-38s %9s\n", row[k].name, "failed");
		else if (mfloor < 0)
			printf("%-38s %9ld %7ld %10s %7s %10ld %7s\n",
			       row[k].name, t, floor, "n/a", "n/a", t - floor,
			       "n/a");
		else if (!row[k].budget)
			printf("%-38s %9ld %7ld %10ld %7s %10ld %7ld %7.2f\n",
			       row[k].name, t, floor, mfloor, "-", t - floor,
			       mfloor - floor, ratio(t, mfloor));
		else
			printf("%-38s %9ld %7ld %10ld %7ld %10ld %7ld %7.2f\n",
			       row[k].name, t, floor, mfloor, mfloor + 100,
			       t - floor, mfloor - floor, ratio(t, mfloor));
		ring_buffer__free(rb);
		wirelat__destroy(skel);
	}
}

/* The server's side of a frame made by tcp4(): addresses and ports swapped. */
static void from_server(unsigned char *b)
{
	unsigned char a[4];

	memcpy(a, b + 26, 4);
	memcpy(b + 26, b + 30, 4);
	memcpy(b + 30, a, 4);
	put16(b + 34, 443);
	put16(b + 36, 40000);
}

/*
 * Data with new sequence numbers on a tracked connection, one request and
 * one response at a time (repeat 1, NEW_FLOWS of each): the turn logic of
 * DESIGN.md's "where the time goes" runs on every one of them (the
 * request dates itself with the precise clock, the response counts a
 * turn). Medians against the empty program on the very same frames.
 */
static void fresh_data_rows(int efd)
{
	static long t[2][NEW_FLOWS], e[2][NEW_FLOWS];
	struct wirelat *skel = wirelat__open_and_load();
	unsigned isn = 1000, sisn = 900000, i, d;
	struct ring_buffer *rb;
	unsigned char b[256];
	size_t len;
	int fd;

	if (!skel)
		return;
	fd = bpf_program__fd(skel->progs.wirelat_xdp);
	rb = ring_buffer__new(bpf_map__fd(skel->maps.records), ring_noop, NULL, NULL);
	len = tcp4(b, 0x02, isn, 0, 0);
	run_once(fd, b, len);
	len = tcp4(b, 0x12, sisn, isn + 1, 0);
	from_server(b);
	run_once(fd, b, len);
	len = tcp4(b, 0x10, isn + 1, sisn + 1, 0);
	run_once(fd, b, len);
	for (i = 0; i < NEW_FLOWS; i++) {
		/* the request: new data, acknowledging all the server sent */
		len = tcp4(b, 0x18, isn + 1 + i * 100, sisn + 1 + i * 100, 100);
		t[0][i] = run_once(fd, b, len);
		e[0][i] = run_once(efd, b, len);
		/* the response: new data beyond all the server sent */
		len = tcp4(b, 0x18, sisn + 1 + i * 100, isn + 1 + (i + 1) * 100, 100);
		from_server(b);
		t[1][i] = run_once(fd, b, len);
		e[1][i] = run_once(efd, b, len);
		if (rb)
			ring_buffer__consume(rb);
	}
	printf("\n%-40s %10s %10s %12s %8s %8s\n",
	       "new data, one turn after another", "ns/packet", "floor",
	       "over floor", "budget", "x floor");
	for (d = 0; d < 2; d++) {
		qsort(t[d], NEW_FLOWS, sizeof(long), cmp_long);
		qsort(e[d], NEW_FLOWS, sizeof(long), cmp_long);
		printf("%-40s %10ld %10ld %12ld %8d %8.2f\n",
		       d ? "TCP data, server's response (a turn)" :
			   "TCP data, client's request",
		       t[d][NEW_FLOWS / 2], e[d][NEW_FLOWS / 2],
		       t[d][NEW_FLOWS / 2] - e[d][NEW_FLOWS / 2], 120,
		       ratio(t[d][NEW_FLOWS / 2], e[d][NEW_FLOWS / 2]));
	}
	printf("(budget: the steady-state one, met at repeat 1M above; at repeat 1 "
	       "every run starts cold)\n");
	ring_buffer__free(rb);
	wirelat__destroy(skel);
}

int main(int argc, char **argv)
{
	unsigned repeat = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	struct frame fr[9] = {
		{ .name = "ARP" },
		{ .name = "UDP, not DNS" },
		{ .name = "TCP data, tracked connection (ts option)" },
		{ .name = "TCP data, tracked, IPv6 (ts option)" },
		{ .name = "TCP SYN (repeated: retransmit path)" },
		{ .name = "TCP SYN-ACK of a pending handshake" },
		{ .name = "DNS query, 30-byte qname (repeated)" },
		{ .name = "DNS response, 30-byte qname" },
		{ .name = "TCP pure ACK, untracked flow" },
	};
	struct wirelat *skel;
	long floor, t;
	int efd, i;

	fr[0].len = arp(fr[0].buf);
	fr[1].len = udp4(fr[1].buf, 9999);
	fr[2].len = tcp4(fr[2].buf, 0x18, 1000, 2000, 100);
	fr[3].len = tcp6(fr[3].buf, 0x18, 1000, 2000, 100);
	fr[4].len = tcp4(fr[4].buf, 0x02, 1000, 0, 0);
	fr[5].len = tcp4(fr[5].buf, 0x12, 5000, 1001, 0);
	fr[6].len = dns4(fr[6].buf, 0);
	fr[7].len = dns4(fr[7].buf, 1);
	fr[8].len = tcp4(fr[8].buf, 0x10, 7000, 8000, 0);
	put16(fr[8].buf + 34, 41000);	/* another flow, never tracked */
	/* the SYN-ACK comes from the server: swap addresses and ports */
	memcpy(fr[5].buf + 26, fr[4].buf + 30, 4);
	memcpy(fr[5].buf + 30, fr[4].buf + 26, 4);
	put16(fr[5].buf + 34, 443);
	put16(fr[5].buf + 36, 40000);

	/* WL_BENCH_NEW=N: only the new-flow rows, N times (a quicker loop
	 * when working on them; medians of several runs, the machine is shared) */
	if (getenv("WL_BENCH_NEW")) {
		int r, rounds = atoi(getenv("WL_BENCH_NEW"));

		efd = empty_prog();
		if (efd < 0)
			return 1;
		for (r = 0; r < (rounds > 0 ? rounds : 1); r++)
			new_flow_rows(efd);
		return 0;
	}
	skel = wirelat__open_and_load();
	efd = empty_prog();
	if (!skel || efd < 0) {
		fprintf(stderr, "bench: cannot load programs (root needed)\n");
		return 1;
	}
	floor = time_prog(efd, &fr[2], repeat);
	printf("%-40s %10s %12s %8s\n", "packet (XDP, BPF_PROG_TEST_RUN)",
	       "ns/packet", "over floor", "x floor");
	printf("%-40s %10ld %12s %8s\n", "empty XDP program (floor)", floor, "-",
	       "-");
	for (i = 0; i < 9; i++) {
		if (i == 5) /* a pending SYN so the SYN-ACK has work to do */
			time_prog(bpf_program__fd(skel->progs.wirelat_xdp),
				  &fr[4], 1);
		t = time_prog(bpf_program__fd(skel->progs.wirelat_xdp), &fr[i],
			      repeat);
		printf("%-40s %10ld %12ld %8.2f\n", fr[i].name, t, t - floor,
		       ratio(t, floor));
	}
	wirelat__destroy(skel);
	new_flow_rows(efd);
	fresh_data_rows(efd);
	return 0;
}
