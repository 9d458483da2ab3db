// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_capture.c - the capture reader (user/offline/capture.c) against
 * libpcap alone: a classic pcap in this host's byte order is walked in
 * place (pcapmap.c), and every frame must come out as libpcap gives it
 * (time in ns, capture and wire lengths, bytes), and the end the same: the
 * end of the file, or the same error with the same words, after the same
 * frames. Every capture under pcaps/, and files written here for each rule
 * the walk has: microseconds and nanoseconds, the other byte order and an
 * older version (libpcap's alone), a capture length above the snaplen and
 * above libpcap's maximum, a file cut in a record's header and in its
 * data, times and fractions past 2^31 (libpcap's are signed), a wire
 * length below the capture length, a file of no frames, one of 48 MB (the
 * walk lets go of the pages it has read, 16 MB at a time). Where the walk
 * applies it must be the one reading (else this compares libpcap with
 * itself).
 *
 * Exit 0 when every check passes, 1 otherwise; one line per failure.
 */
#define _GNU_SOURCE
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include "offline/capture.h"

static int failures, files, frames;

static void fail(const char *path, const char *what, long n)
{
	failures++;
	printf("FAIL %s: %s (frame %ld)\n", path, what, n);
}

/* Both readers through @path; @walked: the walk must read it (at first). */
static void compare(const char *path, int walked)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct wl_capture *c;
	struct pcap_pkthdr *ha, *hb;
	const uint8_t *ba;
	const u_char *bb;
	pcap_t *ref;
	long n = 0;
	int ra, rb;

	ref = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (wl_capture_open(path, &c)) {
		if (ref)
			fail(path, "libpcap opens it, wl_capture_open() does not", 0);
		if (ref)
			pcap_close(ref);
		return;
	}
	if (!ref) {
		fail(path, "wl_capture_open() opens what libpcap does not", 0);
		wl_capture_close(c);
		return;
	}
	files++;
	if (walked >= 0 && wl_capture_mapped(c) != walked)
		fail(path, walked ? "not walked in place" : "walked in place", 0);
	for (;; n++) {
		ra = wl_capture_next(c, &ha, &ba);
		rb = pcap_next_ex(ref, &hb, &bb);
		if (ra != rb) {
			fail(path, "a different end", n);
			break;
		}
		if (ra != 1)
			break;
		frames++;
		if (ha->ts.tv_sec != hb->ts.tv_sec ||
		    ha->ts.tv_usec != hb->ts.tv_usec)
			fail(path, "a different time", n);
		if (ha->caplen != hb->caplen || ha->len != hb->len)
			fail(path, "different lengths", n);
		else if (memcmp(ba, bb, ha->caplen))
			fail(path, "different bytes", n);
	}
	if (ra == PCAP_ERROR && rb == PCAP_ERROR &&
	    strcmp(wl_capture_geterr(c), pcap_geterr(ref)))
		fail(path, "a different error", n);
	wl_capture_close(c);
	pcap_close(ref);
}

/* A classic pcap header (@swap: the other byte order). */
static void put_header(FILE *f, uint32_t magic, uint16_t minor,
		       uint32_t snaplen, int swap)
{
	uint32_t w[6] = { magic, 2u | (uint32_t)minor << 16, 0, 0, snaplen, 1 };
	int i;

	if (swap) {
		for (i = 0; i < 6; i++)
			w[i] = __builtin_bswap32(w[i]);
		w[1] = (uint32_t)__builtin_bswap16(2) |
		       (uint32_t)__builtin_bswap16(minor) << 16;
	}
	fwrite(w, sizeof(w), 1, f);
}

static void put_record(FILE *f, uint32_t sec, uint32_t frac, uint32_t caplen,
		       uint32_t len, int swap, size_t write_bytes)
{
	uint32_t h[4] = { sec, frac, caplen, len };
	static uint8_t data[300000];
	int i;

	for (i = 0; swap && i < 4; i++)
		h[i] = __builtin_bswap32(h[i]);
	for (i = 0; i < 64; i++)
		data[i] = (uint8_t)(caplen + i);
	fwrite(h, sizeof(h), 1, f);
	fwrite(data, 1, write_bytes, f);
}

enum edge { PLAIN, SWAPPED, OLD_VERSION, OVER_SNAPLEN, OVER_MAX, CUT_HEADER,
	    CUT_DATA, FAR_TIMES, SHORT_WIRE, EMPTY, LONG, N_EDGES };

static const char *edge_name[N_EDGES] = {
	"plain", "swapped", "version 2.3", "caplen over the snaplen",
	"caplen over libpcap's maximum", "cut in a header", "cut in data",
	"times past 2^31", "wire length below caplen", "no frames",
	"48 MB (the pages read are let go of on the way)",
};

/* A file of @e's kind; @ns: nanosecond magic. Returns the walk's verdict. */
static int write_edge(const char *path, enum edge e, int ns)
{
	uint32_t magic = ns ? 0xa1b23c4du : 0xa1b2c3d4u;
	int swap = e == SWAPPED, i;
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	put_header(f, magic, e == OLD_VERSION ? 3 : 4,
		   e == OVER_MAX ? 0 : e == LONG ? 65535 : 1500, swap);
	for (i = 0; e != EMPTY && i < (e == LONG ? 40000 : 50); i++) {
		uint32_t caplen = e == LONG ? 1200 + i % 64 : 60 + i, len = caplen;
		uint32_t sec = 1700000000u + i, frac = i * 1000u;

		if (e == FAR_TIMES) {
			sec += 0x80000000u;
			frac += i == 7 ? 0x90000000u : 0;
		}
		if (e == SHORT_WIRE && i % 3 == 0)
			len = caplen - 10;
		if (i == 20 && e == OVER_SNAPLEN)
			caplen = len = 2000;
		if (i == 20 && e == OVER_MAX)
			caplen = len = 300000;
		if (i == 40 && e == CUT_HEADER) {
			fwrite(&sec, 1, 4, f);
			fwrite(&frac, 1, 3, f);
			break;
		}
		put_record(f, sec, frac, caplen, len, swap,
			   i == 40 && e == CUT_DATA ? caplen / 2 : caplen);
		if (i == 40 && e == CUT_DATA)
			break;
	}
	fclose(f);
	return !(e == SWAPPED || e == OLD_VERSION);
}

int main(void)
{
	const char *pats[] = { "pcaps/*.pcap", "pcaps/*.pcapng",
			       "pcaps/third-party/*.pcap",
			       "pcaps/third-party/*.pcapng" };
	char dir[] = "/tmp/test_capture.XXXXXX", path[64];
	glob_t g;
	size_t i;
	int e, ns;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		if (glob(pats[i], 0, NULL, &g))
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++)
			compare(g.gl_pathv[k], -1);
		globfree(&g);
	}
	if (!mkdtemp(dir)) {
		printf("FAIL mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	for (e = 0; e < N_EDGES; e++)
		for (ns = 0; ns < 2; ns++) {
			int walked;

			snprintf(path, sizeof(path), "%s/%d-%d.pcap", dir, e, ns);
			walked = write_edge(path, e, ns);
			if (walked < 0) {
				printf("FAIL cannot write %s (%s)\n", path,
				       edge_name[e]);
				failures++;
				continue;
			}
			compare(path, walked);
			unlink(path);
		}
	rmdir(dir);
	if (files < 2 * N_EDGES + 10)
		printf("FAIL only %d files compared: pcaps/ not found? (run from the project root)\n",
		       files), failures++;
	printf("test_capture: %d files, %d frames: %d failures\n", files,
	       frames, failures);
	return failures ? 1 : 0;
}
