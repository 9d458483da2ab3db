/* SPDX-License-Identifier: BSD-3-Clause */
/* linktype.h - capture link types to the Ethernet frames XDP expects. */
#ifndef WIRELAT_LINKTYPE_H
#define WIRELAT_LINKTYPE_H

#include <stddef.h>
#include <stdint.h>

/* Whether frames of pcap link type @dlt can be analysed. */
int wl_linktype_supported(int dlt);

/*
 * Write into @out (room for caplen + 14 bytes) the Ethernet frame for a
 * captured frame of link type @dlt; *out_len gets its length and *adjust
 * how much the wire length changes (the link header removed or added).
 * Returns 0, or -1 when the frame is too short for its link header.
 */
int wl_linktype_to_eth(int dlt, const uint8_t *in, size_t caplen,
		       uint8_t *out, size_t *out_len, long *adjust);

#endif /* WIRELAT_LINKTYPE_H */
