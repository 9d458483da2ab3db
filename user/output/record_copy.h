/* SPDX-License-Identifier: BSD-3-Clause */
/* record_copy.h - a record off the ring, into a whole struct wl_record. */
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

#endif /* WIRELAT_RECORD_COPY_H */
