/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hugebuf.h - growable arrays in transparent huge pages. The replay keeps
 * a second of records (and a sweep's) in memory; on a virtual machine a
 * page fault costs several microseconds, and 4 kB pages made the faults a
 * tenth of a big replay.
 */
#ifndef WIRELAT_HUGEBUF_H
#define WIRELAT_HUGEBUF_H

#include <stddef.h>

/*
 * Make room for @need elements of @size bytes in *@p (holding *@cap),
 * keeping its contents. Returns 0 or -ENOMEM (*@p unchanged).
 */
int wl_hugebuf_reserve(void **p, size_t *cap, size_t need, size_t size);

/* Release what wl_hugebuf_reserve() gave (*@cap elements of @size). */
void wl_hugebuf_free(void **p, size_t *cap, size_t size);

#endif /* WIRELAT_HUGEBUF_H */
