/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapmap.h - a classic pcap file in the host's byte order, mapped and
 * walked in place: each frame where it lies in the file, where libpcap
 * copies every frame through stdio (a third of the reader thread of a big
 * replay). Only the frames any reader would take the same way: anything
 * else (a record cut short, a capture length above the snaplen or what
 * libpcap allows) ends the walk, and libpcap reads on from that record,
 * with its own rules and its own error message.
 */
#ifndef WIRELAT_PCAPMAP_H
#define WIRELAT_PCAPMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

struct pcap_pkthdr;

struct wl_pcapmap {
	const uint8_t *map;	/* NULL: not walked here */
	size_t size, pos;	/* pos: the next record's offset */
	size_t dropped;		/* bytes before it let go (wl_pcapmap_next()) */
	uint32_t snaplen;
	int nsec;		/* fractions in ns (else µs) */
};

/*
 * Map the file open as @fd when it is a classic pcap (2.4) in this host's
 * byte order with @snaplen: 0, or -1 (nothing mapped: read it all with
 * libpcap).
 */
int wl_pcapmap_open(struct wl_pcapmap *m, int fd, uint32_t snaplen);

/*
 * The next frame: 1 with *@h (ts in ns, as libpcap gives it with
 * nanosecond precision) and *@bytes (valid until the next call), 0 at the
 * end of the file, -1 where the walk stops and libpcap must read on from
 * m->pos.
 */
int wl_pcapmap_next(struct wl_pcapmap *m, struct pcap_pkthdr *h,
		    const uint8_t **bytes);

void wl_pcapmap_close(struct wl_pcapmap *m);

#endif /* WIRELAT_PCAPMAP_H */
