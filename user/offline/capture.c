// SPDX-License-Identifier: BSD-3-Clause
/*
 * capture.c - the capture file of -r (capture.h). libpcap reads pcap and
 * pcapng, with timestamps in ns whatever the file's precision; one link
 * type per file, turned into Ethernet by linktype.c. A frame whose link
 * header is not whole is counted here (truncated when the snaplen cut it,
 * malformed when the wire had no more) and never reaches the program.
 * Bad input gets one line that says what is wrong: the file cannot be
 * opened, is not a capture, has a link type the program cannot be given,
 * or cannot be read to its end (with what to do, where wirelat knows).
 */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include "core/log.h"
#include "core/state.h"
#include "offline/capture.h"
#include "offline/linktype.h"
#include "offline/pcapmap.h"

#define ETH_HLEN 14

struct wl_capture {
	pcap_t *pc;
	struct wl_pcapmap map;	/* while walked in place: no libpcap reads */
	struct pcap_pkthdr hdr;	/* the frame the map gave */
	char err[128];		/* an error of the map's, not libpcap's */
};

/*
 * The capture read in 1 MB blocks: with stdio's 4 kB, a read() a page was
 * a tenth of a big replay (a syscall costs microseconds on a VM). stdio
 * takes a size only with a buffer: this one lives as long as the stream.
 */
#define WL_IO_BUF (1u << 20)
static char read_buf[WL_IO_BUF];

int wl_capture_open(const char *path, struct wl_capture **out)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct wl_capture *c;
	pcap_t *pc;
	FILE *f;
	int dlt;

	f = fopen(path, "rb");
	if (!f) {
		int err = -errno;

		pr_warn("%s: cannot open: %s\n", path, strerror(-err));
		return err;
	}
	setvbuf(f, read_buf, _IOFBF, sizeof(read_buf));
	pc = pcap_fopen_offline_with_tstamp_precision(
		f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		fclose(f);
		pr_warn("%s: not a readable pcap or pcapng file: %s\n", path,
			errbuf);
		return -EINVAL;
	}
	dlt = pcap_datalink(pc);
	if (!wl_linktype_supported(dlt)) {
		pr_warn("%s: link type %s (%d) is not supported; use Ethernet, Linux cooked (SLL/SLL2) or raw IP\n",
			path, pcap_datalink_val_to_name(dlt) ?: "unknown", dlt);
		pcap_close(pc);
		return -EPROTONOSUPPORT;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		pcap_close(pc);
		return -ENOMEM;
	}
	c->pc = pc;
	/* libpcap has checked the file's header: the frames, in place */
	wl_pcapmap_open(&c->map, fileno(f), (uint32_t)pcap_snapshot(pc));
	*out = c;
	return 0;
}

void wl_capture_close(struct wl_capture *c)
{
	if (!c)
		return;
	wl_pcapmap_close(&c->map);
	pcap_close(c->pc);
	free(c);
}

int wl_capture_datalink(const struct wl_capture *c)
{
	return pcap_datalink(c->pc);
}

int wl_capture_next(struct wl_capture *c, struct pcap_pkthdr **h,
		    const uint8_t **bytes)
{
	if (c->map.map) {
		int rc = wl_pcapmap_next(&c->map, &c->hdr, bytes);

		if (rc > 0) {
			*h = &c->hdr;
			return 1;
		}
		if (!rc)
			return PCAP_ERROR_BREAK;
		/* libpcap reads on from this record, by its own rules */
		wl_pcapmap_close(&c->map);
		if (fseeko(pcap_file(c->pc), (off_t)c->map.pos, SEEK_SET)) {
			snprintf(c->err, sizeof(c->err), "cannot seek: %s",
				 strerror(errno));
			return PCAP_ERROR;
		}
	}
	return pcap_next_ex(c->pc, h, (const u_char **)bytes);
}

/* What to do about libpcap's read error @msg, if wirelat knows. */
static const char *read_error_advice(const char *msg)
{
	/* a pcapng of interfaces of several link types (Wireshark writes
	 * them): libpcap refuses the second type's interface description */
	if (strstr(msg, "different from the type of"))
		return " (libpcap reads one link type per file, and no common tool splits such a pcapng: capture each interface to a file of its own, e.g. one tcpdump -i IF -w IF.pcap per interface)";
	return "";
}

const char *wl_capture_geterr(struct wl_capture *c)
{
	return c->err[0] ? c->err : pcap_geterr(c->pc);
}

int wl_capture_mapped(const struct wl_capture *c)
{
	return c->map.map != NULL;
}

void wl_capture_read_error(struct wl_capture *c, const char *path)
{
	const char *msg = wl_capture_geterr(c);

	pr_warn("%s: %s%s\n", path, msg, read_error_advice(msg));
}

uint64_t wl_capture_ts(const struct pcap_pkthdr *h)
{
	return (uint64_t)h->ts.tv_sec * 1000000000ULL + h->ts.tv_usec;
}

/*
 * Count a frame the program cannot be given: its link-layer header is not
 * whole. Cut off by the capture's snaplen (the wire had more), it is
 * `truncated`, as a cut IP or TCP header is (DESIGN.md); a frame that was
 * that short on the wire is malformed (`eth_short`).
 */
static void count_short(struct wl_run *run, const struct pcap_pkthdr *h)
{
	if (h->caplen < h->len) {
		run->ustats[0].packets[WL_DIR_INGRESS][WL_PKT_TRUNCATED]++;
		return;
	}
	run->ustats[0].packets[WL_DIR_INGRESS][WL_PKT_MALFORMED]++;
	run->ustats[0].malformed[WL_MAL_ETH_SHORT]++;
}

int wl_capture_to_eth(struct wl_eth_frame *fr, struct wl_run *run,
		      const struct pcap_pkthdr *h, const uint8_t *bytes,
		      size_t *len, uint32_t *wire_len)
{
	long adjust;

	if (h->caplen + ETH_HLEN > fr->cap) {
		size_t cap = h->caplen + ETH_HLEN;
		uint8_t *p = realloc(fr->buf, cap);

		if (!p)
			return -ENOMEM;
		fr->buf = p;
		fr->cap = cap;
	}
	if (wl_linktype_to_eth(fr->dlt, bytes, h->caplen, fr->buf, len,
			       &adjust) ||
	    *len < ETH_HLEN) {
		count_short(run, h);
		return 0;
	}
	*wire_len = (long)h->len + adjust > (long)*len ?
			    (uint32_t)((long)h->len + adjust) :
			    (uint32_t)*len;
	return 1;
}

void wl_capture_progress(struct wl_capture *c, const char *path, uint64_t n,
			 int done)
{
	static struct timespec last;
	static off_t size = -1;
	struct timespec now;
	struct stat sb;
	FILE *f;

	if (!isatty(STDERR_FILENO))
		return;
	if (done) {
		if (size >= 0)
			fputs("\r\033[K", stderr);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec * 1000 + now.tv_nsec / 1000000 <
	    last.tv_sec * 1000 + last.tv_nsec / 1000000 + 500)
		return;
	last = now;
	if (size < 0)
		size = stat(path, &sb) ? 0 : sb.st_size;
	f = pcap_file(c->pc);
	if (f && size > 0)
		fprintf(stderr, "\rwirelat: %s: %llu packets, %.0f%%", path,
			(unsigned long long)n,
			100.0 * (c->map.map ? (off_t)c->map.pos : ftello(f)) /
				size);
	else
		fprintf(stderr, "\rwirelat: %s: %llu packets", path,
			(unsigned long long)n);
}
