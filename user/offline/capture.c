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

#define ETH_HLEN 14

/*
 * The capture read in 1 MB blocks: with stdio's 4 kB, a read() a page was
 * a tenth of a big replay (a syscall costs microseconds on a VM). stdio
 * takes a size only with a buffer: this one lives as long as the stream.
 */
#define WL_IO_BUF (1u << 20)
static char read_buf[WL_IO_BUF];

int wl_capture_open(const char *path, pcap_t **out)
{
	char errbuf[PCAP_ERRBUF_SIZE];
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
	*out = pc;
	return 0;
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

void wl_capture_read_error(pcap_t *pc, const char *path)
{
	pr_warn("%s: %s%s\n", path, pcap_geterr(pc),
		read_error_advice(pcap_geterr(pc)));
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

void wl_capture_progress(pcap_t *pc, const char *path, uint64_t n, int done)
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
	f = pcap_file(pc);
	if (f && size > 0)
		fprintf(stderr, "\rwirelat: %s: %llu packets, %.0f%%", path,
			(unsigned long long)n, 100.0 * ftello(f) / size);
	else
		fprintf(stderr, "\rwirelat: %s: %llu packets", path,
			(unsigned long long)n);
}
