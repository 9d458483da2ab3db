// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_xdp_len.c - the live XDP program's packet length (include/parsing.h,
 * wl_full_len()): it asks bpf_xdp_get_buff_len() only where a length
 * reaches past the frame's linear part. Frames through wirelat_xdp loaded
 * live (offline = 0) with BPF_PROG_TEST_RUN, which hands a frame longer
 * than a page to an xdp.frags program in fragments: an IPv4 or IPv6 TCP
 * segment of 8000 bytes whose length reaches into the fragments is parsed,
 * one whose length reaches past the whole frame is malformed, and so is a
 * short linear frame that claims more than it has; a plain SYN is parsed.
 * The parse counters (struct wl_stats) tell each frame's result.
 * A DNS datagram is copied from the linear part straight (wl_xdp_copy(),
 * include/dns_tcp.bpf.h) and with bpf_xdp_load_bytes() where it reaches
 * into the fragments: a query and its response behind 3.4 kB of IPv6
 * extension headers, whose message starts 2 bytes before the linear part
 * ends, are both counted (the query new, the response matched), as are the
 * same two all in the linear part.
 *
 * Exit 0 when every check passes, 1 on a failed check, 77 when the kernel
 * cannot run an XDP program with fragments (before 5.18).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "wirelat.h"
#include "wirelat.skel.h"

#define BIG 8000

static unsigned char buf[BIG];
static int failures;

/* What the checks read of struct wl_stats, summed over CPUs and slots. */
struct sums {
	unsigned long long res[WL_PKT_MAX];	/* packets[ingress][result] */
	unsigned long long mal[WL_MAL_MAX];	/* malformed[reason] */
	unsigned long long queries;		/* new DNS transactions */
	unsigned long long responses;		/* matched DNS responses */
};

static int sum_stats(struct wirelat *skel, struct sums *s)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(skel->maps.stats);
	size_t stride = (sizeof(struct wl_stats) + 7) & ~(size_t)7;
	unsigned slot, n = bpf_map__max_entries(skel->maps.stats);
	char *v = calloc(ncpu, stride);
	int c, k;

	if (!v || ncpu <= 0)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	for (slot = 0; slot < n; slot++) {
		if (bpf_map_lookup_elem(fd, &slot, v)) {
			free(v);
			return -errno;
		}
		for (c = 0; c < ncpu; c++) {
			const struct wl_stats *st = (const void *)(v + c * stride);

			for (k = 0; k < WL_PKT_MAX; k++)
				s->res[k] += st->packets[WL_DIR_INGRESS][k];
			for (k = 0; k < WL_MAL_MAX; k++)
				s->mal[k] += st->malformed[k];
			for (k = 0; k < WL_QT_MAX; k++)
				s->queries += st->dns_queries[k];
			for (k = 0; k < WL_RC_MAX; k++)
				s->responses += st->dns_responses[k];
		}
	}
	free(v);
	return 0;
}

/* Ethernet, then IPv4 (@v6: IPv6) and a TCP SYN, @len bytes in all; the IP
 * length field says @ip_len bytes from the IP header on. */
static size_t frame(int v6, size_t len, unsigned ip_len)
{
	unsigned char *ip = buf + 14, *tcp;

	memset(buf, 0, sizeof(buf));
	buf[12] = v6 ? 0x86 : 0x08;
	buf[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		ip[0] = 0x60;
		ip[4] = (ip_len - 40) >> 8;
		ip[5] = (ip_len - 40) & 0xff;
		ip[6] = 6;
		ip[7] = 64;
		inet_pton(AF_INET6, "2001:db8::1", ip + 8);
		inet_pton(AF_INET6, "2001:db8::2", ip + 24);
		tcp = ip + 40;
	} else {
		ip[0] = 0x45;
		ip[2] = ip_len >> 8;
		ip[3] = ip_len & 0xff;
		ip[8] = 64;
		ip[9] = 6;
		inet_pton(AF_INET, "198.51.100.1", ip + 12);
		inet_pton(AF_INET, "203.0.113.1", ip + 16);
		tcp = ip + 20;
	}
	tcp[0] = 40000 >> 8;
	tcp[1] = 40000 & 0xff;
	tcp[3] = 80;
	tcp[7] = 1;
	tcp[12] = 5 << 4;
	tcp[13] = 0x02;
	tcp[14] = 0xff;
	return len;
}

/* Run @len bytes of buf; the one counter that moved must be @want. */
static void check(struct wirelat *skel, int fd, const char *what, size_t len,
		  int want, int reason)
{
	struct sums s0, s1;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = len,
		    .repeat = 1);
	int k, got = -1;

	if (sum_stats(skel, &s0) || bpf_prog_test_run_opts(fd, &o) ||
	    sum_stats(skel, &s1)) {
		failures++;
		printf("FAIL %s: could not run it: %s\n", what, strerror(errno));
		return;
	}
	for (k = 0; k < WL_PKT_MAX; k++)
		if (s1.res[k] != s0.res[k])
			got = got < 0 ? k : -2;
	if (got != want || (reason >= 0 && s1.mal[reason] != s0.mal[reason] + 1)) {
		failures++;
		printf("FAIL %s: result %d (want %d, malformed reason %d)\n",
		       what, got, want, reason);
		return;
	}
	printf("ok: %s\n", what);
}

/*
 * An IPv6 DNS query (@response: its answer, NOERROR, no records) for
 * wirelat.example A, ID @id, behind @opt_bytes of destination options
 * (two headers: 2048 and the rest, 0 for none), then @pad zero bytes after
 * the question. Returns the frame's length.
 */
static size_t dns6(int response, unsigned id, unsigned opt_bytes, unsigned pad)
{
	static const unsigned char name[] = "\7wirelat\7example";
	unsigned char *ip = buf + 14, *p = ip + 40, *udp, *m;
	unsigned first = opt_bytes > 2048 ? 2048 : opt_bytes;
	unsigned second = opt_bytes - first, mlen, plen;
	const char *cli = "2001:db8::53:1", *srv = "2001:db8::53:2";

	memset(buf, 0, sizeof(buf));
	buf[12] = 0x86;
	buf[13] = 0xdd;
	ip[0] = 0x60;
	ip[6] = opt_bytes ? 60 : 17;	/* destination options, or UDP */
	ip[7] = 64;
	inet_pton(AF_INET6, response ? srv : cli, ip + 8);
	inet_pton(AF_INET6, response ? cli : srv, ip + 24);
	if (first) {
		p[0] = second ? 60 : 17;
		p[1] = first / 8 - 1;
		p[2] = 1;		/* PadN over the rest */
		p[3] = first - 4;
		p += first;
	}
	if (second) {
		p[0] = 17;
		p[1] = second / 8 - 1;
		p[2] = 1;
		p[3] = second - 4;
		p += second;
	}
	udp = p;
	m = udp + 8;
	m[0] = id >> 8;
	m[1] = id & 0xff;
	m[2] = response ? 0x81 : 0x01;	/* QR, RD */
	m[3] = response ? 0x80 : 0x00;	/* RA */
	m[5] = 1;			/* one question */
	memcpy(m + 12, name, sizeof(name));	/* with its root label */
	m[12 + sizeof(name) + 1] = 1;	/* A */
	m[12 + sizeof(name) + 3] = 1;	/* IN */
	mlen = 12 + sizeof(name) + 4 + pad;
	udp[0] = (response ? 53 : 40053) >> 8;
	udp[1] = (response ? 53 : 40053) & 0xff;
	udp[2] = (response ? 40053 : 53) >> 8;
	udp[3] = (response ? 40053 : 53) & 0xff;
	udp[4] = (8 + mlen) >> 8;
	udp[5] = (8 + mlen) & 0xff;
	plen = (unsigned)(m + mlen - (ip + 40));
	ip[4] = plen >> 8;
	ip[5] = plen & 0xff;
	return (size_t)(m + mlen - buf);
}

/* A query and its response (@opt_bytes, @pad as dns6()): both counted? */
static void check_dns(struct wirelat *skel, int fd, const char *what,
		      unsigned id, unsigned opt_bytes, unsigned pad)
{
	struct sums s0, s1;
	size_t qlen = dns6(0, id, opt_bytes, pad);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .repeat = 1);
	int err;

	o.data_size_in = qlen;
	err = sum_stats(skel, &s0) || bpf_prog_test_run_opts(fd, &o);
	o.data_size_in = dns6(1, id, opt_bytes, pad);
	err = err || bpf_prog_test_run_opts(fd, &o) ||
	      sum_stats(skel, &s1);
	if (err) {
		failures++;
		printf("FAIL %s: could not run it: %s\n", what, strerror(errno));
		return;
	}
	if (s1.queries != s0.queries + 1 ||
	    s1.responses != s0.responses + 1) {
		failures++;
		printf("FAIL %s (%zu-byte frames): %llu queries, %llu responses counted (want 1 and 1)\n",
		       what, qlen, s1.queries - s0.queries,
		       s1.responses - s0.responses);
		return;
	}
	printf("ok: %s (%zu-byte frames)\n", what, qlen);
}

int main(void)
{
	struct wirelat *skel = wirelat__open();
	int fd;

	if (!skel || wirelat__load(skel)) {
		fprintf(stderr, "cannot load the BPF object (root needed)\n");
		return 1;
	}
	fd = bpf_program__fd(skel->progs.wirelat_xdp);
	/* a kernel without fragments for test runs refuses the long frame */
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf,
			    .data_size_in = frame(0, BIG, BIG - 14), .repeat = 1);

		if (bpf_prog_test_run_opts(fd, &o)) {
			printf("skip: a %d-byte frame refused (%s): no XDP fragments in test runs\n",
			       BIG, strerror(errno));
			wirelat__destroy(skel);
			return 77;
		}
	}
	check(skel, fd, "IPv4 SYN, 60 bytes, all linear: parsed",
	      frame(0, 60, 46), WL_PKT_PARSED, -1);
	check(skel, fd, "IPv4, 100 bytes linear, claims 200: malformed",
	      frame(0, 100, 200), WL_PKT_MALFORMED, WL_MAL_IPV4_LENGTH);
	check(skel, fd, "IPv4, 8000 bytes in fragments, its length all of them: parsed",
	      frame(0, BIG, BIG - 14), WL_PKT_PARSED, -1);
	check(skel, fd, "IPv4, 8000 bytes in fragments, claims 9000: malformed",
	      frame(0, BIG, 9000), WL_PKT_MALFORMED, WL_MAL_IPV4_LENGTH);
	check(skel, fd, "IPv6, 8000 bytes in fragments, its length all of them: parsed",
	      frame(1, BIG, BIG - 14), WL_PKT_PARSED, -1);
	check(skel, fd, "IPv6, 100 bytes linear, claims 200: malformed",
	      frame(1, 100, 200), WL_PKT_MALFORMED, WL_MAL_IPV6_LENGTH);
	check(skel, fd, "IPv6, 8000 bytes in fragments, claims 9000: malformed",
	      frame(1, BIG, 9000), WL_PKT_MALFORMED, WL_MAL_IPV6_LENGTH);
	/* linear part of a test run's frame: a page less 256 bytes of
	 * headroom and the shared info's 320: 3520 bytes; the message starts
	 * at 14 + 40 + 3456 + 8 = 3518 */
	check_dns(skel, fd, "DNS over IPv6, all linear: query and response counted",
		  0x1234, 0, 0);
	check_dns(skel, fd, "DNS over IPv6, the message from 2 bytes before the fragments: query and response counted",
		  0x1235, 3456, 200);
	wirelat__destroy(skel);
	printf("test_xdp_len: %d failures\n", failures);
	return failures ? 1 : 0;
}
