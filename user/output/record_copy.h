/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * record_copy.h - a record off the ring, into a whole struct wl_record;
 * and a record packed to the bytes its kind fills, for the offline
 * buffers (a whole struct wl_record is 472 bytes, a handshake fills 88).
 */
#ifndef WIRELAT_RECORD_COPY_H
#define WIRELAT_RECORD_COPY_H

#include <stddef.h>
#include <stdint.h>
#include "wirelat.h"

/*
 * Copy a ring buffer record of @size bytes into @r: the bytes its kind
 * fills (wirelat.h, WL_RECORD_HS_SIZE and the rest), the others zero.
 * Returns 1, or 0 for a size too short for its kind.
 */
int wl_record_copy(struct wl_record *r, const void *data, size_t size);

/*
 * Packed: the head its kind fills (the fields up to and with its part of
 * the union), then a DNS record's qname_len bytes of name, the whole
 * rounded up to 8 bytes. A packed record read as a struct wl_record is
 * valid up to its head: the type, times, addresses, ports and the kind's
 * own fields (what wl_reorder_cmp() and a timeout's place read).
 */
size_t wl_record_packed_size(const struct wl_record *r);

/* @r (whole) packed at @dst, wl_record_packed_size(r) bytes. */
void wl_record_pack(void *dst, const struct wl_record *r);

/* The packed record at @src into @r, whole, the bytes it lacks zero. */
void wl_record_unpack(struct wl_record *r, const void *src);

#endif /* WIRELAT_RECORD_COPY_H */
