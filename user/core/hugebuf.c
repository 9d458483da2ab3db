// SPDX-License-Identifier: BSD-3-Clause
/* hugebuf.c - growable arrays in transparent huge pages (hugebuf.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "core/hugebuf.h"

#define HUGE_PAGE (2u << 20)

static size_t bytes_of(size_t n, size_t size)
{
	size_t b = n * size;

	return (b + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

int wl_hugebuf_reserve(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : HUGE_PAGE / size, bytes;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	bytes = bytes_of(n, size);
	q = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		return -ENOMEM;
	/* advice only: without THP the array still works, in small pages */
	madvise(q, bytes, MADV_HUGEPAGE);
	if (*p) {
		memcpy(q, *p, *cap * size);
		munmap(*p, bytes_of(*cap, size));
	}
	*p = q;
	*cap = bytes / size;
	return 0;
}

void wl_hugebuf_free(void **p, size_t *cap, size_t size)
{
	if (*p)
		munmap(*p, bytes_of(*cap, size));
	*p = NULL;
	*cap = 0;
}
