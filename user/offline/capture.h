/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capture.h - the capture file of -r, read through libpcap (a classic
 * pcap walked in place where it can be: pcapmap.h): opened (pcap or
 * pcapng, nanosecond timestamps, a link type the program can be given),
 * each frame as the Ethernet frame XDP expects with its time and wire
 * length, the progress line, what a read error says.
 */
#ifndef WIRELAT_CAPTURE_H
#define WIRELAT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct pcap_pkthdr;
struct wl_run;
struct wl_capture;

/*
 * Open the capture at @path into *@out. Returns 0, or -errno after one
 * line on stderr: it cannot be opened, is no pcap or pcapng file, or its
 * link type is not one linktype.c turns into Ethernet.
 */
int wl_capture_open(const char *path, struct wl_capture **out);

void wl_capture_close(struct wl_capture *c);

/* Its link type (a DLT_ value). */
int wl_capture_datalink(const struct wl_capture *c);

/*
 * The next frame, as pcap_next_ex(): 1 with *@h and *@bytes (valid until
 * the next call), PCAP_ERROR_BREAK at the end of the file, PCAP_ERROR when
 * it cannot be read on (wl_capture_read_error() says why).
 */
int wl_capture_next(struct wl_capture *c, struct pcap_pkthdr **h,
		    const uint8_t **bytes);

/* What the read error was (libpcap's words where libpcap read). */
const char *wl_capture_geterr(struct wl_capture *c);

/* 1 while the frames come from the file in place (pcapmap.h). */
int wl_capture_mapped(const struct wl_capture *c);

/* The one line on stderr for @c's read error (a file cut short, ...). */
void wl_capture_read_error(struct wl_capture *c, const char *path);

/* A frame's capture time, in ns. */
uint64_t wl_capture_ts(const struct pcap_pkthdr *h);

/* The capture's frames, of link type @dlt, as Ethernet: one buffer, reused. */
struct wl_eth_frame {
	int dlt;
	uint8_t *buf;
	size_t cap;
};

/*
 * The frame @h, @bytes as Ethernet in @fr->buf: 1 with its *@len and
 * *@wire_len, 0 when it is too short to hand on (counted in @run's
 * statistics), or -ENOMEM.
 */
int wl_capture_to_eth(struct wl_eth_frame *fr, struct wl_run *run,
		      const struct pcap_pkthdr *h, const uint8_t *bytes,
		      size_t *len, uint32_t *wire_len);

/*
 * On a terminal, a line on stderr saying how far the replay got (@n
 * packets), redrawn at most twice a second; @done clears it.
 */
void wl_capture_progress(struct wl_capture *c, const char *path, uint64_t n,
			 int done);

#endif /* WIRELAT_CAPTURE_H */
