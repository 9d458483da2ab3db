// SPDX-License-Identifier: BSD-3-Clause
/* pcapmap.c - a classic pcap file walked in place (pcapmap.h). */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <pcap/pcap.h>
#include "offline/pcapmap.h"

#define FILE_HDR 24
#define REC_HDR 16
#define MAGIC_US 0xa1b2c3d4u
#define MAGIC_NS 0xa1b23c4du
/* libpcap's largest capture length for the link types wirelat reads */
#define MAX_CAPLEN 262144u
/*
 * The file's pages already read are let go of in steps of this much: the
 * page cache keeps them, but mapped they counted as this process's memory
 * (a 10 GB capture would have shown 10 GB resident by its end).
 */
#define DROP_STEP (16u << 20)

struct file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct rec_hdr {
	uint32_t sec, frac, caplen, len;
};

int wl_pcapmap_open(struct wl_pcapmap *m, int fd, uint32_t snaplen)
{
	struct file_hdr fh;
	struct stat sb;
	void *p;

	memset(m, 0, sizeof(*m));
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size < FILE_HDR)
		return -1;
	p = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	memcpy(&fh, p, sizeof(fh));
	/* another byte order, version or format: libpcap's (pcapng, and
	 * the pseudo-headers it swaps) */
	if ((fh.magic != MAGIC_US && fh.magic != MAGIC_NS) || fh.major != 2 ||
	    fh.minor != 4) {
		munmap(p, sb.st_size);
		return -1;
	}
	madvise(p, sb.st_size, MADV_SEQUENTIAL);
	m->map = p;
	m->size = sb.st_size;
	m->pos = FILE_HDR;
	m->snaplen = snaplen;
	m->nsec = fh.magic == MAGIC_NS;
	return 0;
}

int wl_pcapmap_next(struct wl_pcapmap *m, struct pcap_pkthdr *h,
		    const uint8_t **bytes)
{
	struct rec_hdr r;
	size_t left = m->size - m->pos;

	/* the frame handed out last is done with: what lies before this
	 * record, in whole steps, goes */
	if (m->pos - m->dropped >= 2 * DROP_STEP) {
		madvise((void *)(m->map + m->dropped), DROP_STEP, MADV_DONTNEED);
		m->dropped += DROP_STEP;
	}
	if (!left)
		return 0;
	if (left < REC_HDR)
		return -1;
	memcpy(&r, m->map + m->pos, sizeof(r));
	if (r.caplen > m->snaplen || r.caplen > MAX_CAPLEN ||
	    r.caplen > left - REC_HDR)
		return -1;
	/* signed, as libpcap's struct pcap_timeval has them */
	h->ts.tv_sec = (int32_t)r.sec;
	h->ts.tv_usec = m->nsec ? (int32_t)r.frac : (int32_t)r.frac * 1000L;
	h->caplen = r.caplen;
	h->len = r.len;
	*bytes = m->map + m->pos + REC_HDR;
	m->pos += REC_HDR + r.caplen;
	return 1;
}

void wl_pcapmap_close(struct wl_pcapmap *m)
{
	if (m->map)
		munmap((void *)m->map, m->size);
	m->map = NULL;
}
