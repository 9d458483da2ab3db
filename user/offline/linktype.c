// SPDX-License-Identifier: BSD-3-Clause
/*
 * linktype.c - Linux cooked (SLL, SLL2), raw IP and BSD loopback frames
 * get a synthetic Ethernet header carrying their protocol, so the one XDP
 * program parses every capture. Ethernet passes through unchanged.
 */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>
#include <string.h>
#include "offline/linktype.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define ETH_HLEN 14
#define SLL_HLEN 16
#define SLL2_HLEN 20

int wl_linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return 1;
	}
	return 0;
}

/* Ethertype of a raw IP packet, from its version nibble. */
static uint16_t raw_ethertype(const uint8_t *ip, size_t len)
{
	if (len && (ip[0] >> 4) == 6)
		return 0x86dd;
	return 0x0800;
}

/* BSD loopback: a 4-byte address family, in either byte order. */
static uint16_t null_ethertype(const uint8_t *h)
{
	uint32_t af_le = h[0] | h[1] << 8 | h[2] << 16 | (uint32_t)h[3] << 24;
	uint32_t af_be = h[3] | h[2] << 8 | h[1] << 16 | (uint32_t)h[0] << 24;
	uint32_t af = af_le < 256 ? af_le : af_be;

	/* AF_INET is 2 everywhere; AF_INET6 is 10, 24, 28 or 30 */
	return af == 2 ? 0x0800 : 0x86dd;
}

static void put_eth(uint8_t *out, uint16_t proto, const uint8_t *src)
{
	memset(out, 0, ETH_HLEN);
	if (src)
		memcpy(out + 6, src, 6);
	out[12] = proto >> 8;
	out[13] = proto & 0xff;
}

int wl_linktype_to_eth(int dlt, const uint8_t *in, size_t caplen,
		       uint8_t *out, size_t *out_len, long *adjust)
{
	size_t hlen = 0;
	uint16_t proto;

	switch (dlt) {
	case DLT_EN10MB:
		memcpy(out, in, caplen);
		*out_len = caplen;
		*adjust = 0;
		return 0;
	case DLT_LINUX_SLL:
		hlen = SLL_HLEN;
		if (caplen < hlen)
			return -1;
		proto = in[14] << 8 | in[15];
		put_eth(out, proto, in + 6);
		break;
	case DLT_LINUX_SLL2:
		hlen = SLL2_HLEN;
		if (caplen < hlen)
			return -1;
		proto = in[0] << 8 | in[1];
		put_eth(out, proto, in + 12);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		hlen = 4;
		if (caplen < hlen)
			return -1;
		put_eth(out, null_ethertype(in), NULL);
		break;
	default:	/* raw IP */
		put_eth(out, raw_ethertype(in, caplen), NULL);
		break;
	}
	memcpy(out + ETH_HLEN, in + hlen, caplen - hlen);
	*out_len = caplen - hlen + ETH_HLEN;
	*adjust = (long)ETH_HLEN - (long)hlen;
	return 0;
}
