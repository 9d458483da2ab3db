/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * topn.h - the heaviest keys over a sliding window, in memory O(N):
 * Space-Saving (Metwally et al.) over a candidate table of a fixed number
 * of entries, each counting its transactions in the sub-windows of the
 * window. A key not in a full table takes the place of the entry with the
 * fewest transactions in the window (the least recently hit among equals)
 * and starts from that count plus one: the algorithm's overestimate, kept
 * as the entry's error bound. Each entry carries a payload of the caller's
 * (its series), zeroed when the entry is (re)assigned, so a payload holds
 * exactly the records of its key since the key took the entry.
 */
#ifndef WIRELAT_TOPN_H
#define WIRELAT_TOPN_H

#include <stddef.h>
#include <stdint.h>

#define WL_TOPN_SUBWIN 10	/* sub-windows per window */
#define WL_TOPN_KEY_MAX 256	/* a label value: "[v6]:port", a domain (253), a name */

struct wl_topn_entry {
	char key[WL_TOPN_KEY_MAX];
	uint64_t hash;			/* of key and slot: a fast first compare */
	uint32_t slot;			/* interface slot: part of the key */
	uint32_t in_use;
	uint64_t count[WL_TOPN_SUBWIN];	/* transactions per sub-window */
	uint64_t epoch[WL_TOPN_SUBWIN];	/* the sub-window each count is of */
	uint64_t err;			/* Space-Saving overestimate at entry */
	uint64_t last_ns;		/* last hit: ties go to the stalest */
	void *data;			/* the caller's payload */
};

struct wl_topn {
	int n;				/* keys named in series */
	int cap;			/* candidate entries (4 n) */
	uint64_t sub_ns;		/* window / WL_TOPN_SUBWIN */
	size_t data_size;
	struct wl_topn_entry *e;
	uint64_t replacements;		/* wirelat_top_replacements_total */
};

/* A table naming @n keys over @window_ns; -ENOMEM. */
int wl_topn_init(struct wl_topn *t, int n, uint64_t window_ns,
		 size_t data_size);
void wl_topn_free(struct wl_topn *t);

/*
 * One transaction of (@slot, @key) at @now_ns: the entry's payload
 * (zeroed if the key just took an entry), never NULL once initialised.
 */
void *wl_topn_hit(struct wl_topn *t, uint32_t slot, const char *key,
		  uint64_t now_ns);

/* The payload of (@slot, @key) if it holds an entry (no transaction), else NULL. */
void *wl_topn_find(struct wl_topn *t, uint32_t slot, const char *key);

/* Transactions of @e in the window that ends at @now_ns. */
uint64_t wl_topn_count(const struct wl_topn *t, const struct wl_topn_entry *e,
		       uint64_t now_ns);

/*
 * The named entries at @now_ns: at most n, heaviest first, each with at
 * least one transaction in the window. Fills @out (room for n); returns
 * how many.
 */
int wl_topn_named(const struct wl_topn *t, uint64_t now_ns,
		  const struct wl_topn_entry **out);

#endif /* WIRELAT_TOPN_H */
