// SPDX-License-Identifier: BSD-3-Clause
/* topn.c - Space-Saving over a sliding window (see topn.h). */
#define _GNU_SOURCE	/* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "metrics/topn.h"

int wl_topn_init(struct wl_topn *t, int n, uint64_t window_ns,
		 size_t data_size)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->n = n;
	t->cap = 4 * n;
	t->sub_ns = window_ns / WL_TOPN_SUBWIN ? window_ns / WL_TOPN_SUBWIN : 1;
	t->data_size = data_size;
	if (!n)
		return 0;
	t->e = calloc(t->cap, sizeof(*t->e));
	if (!t->e)
		return -ENOMEM;
	for (i = 0; i < t->cap; i++) {
		t->e[i].data = calloc(1, data_size);
		if (!t->e[i].data) {
			wl_topn_free(t);
			return -ENOMEM;
		}
	}
	return 0;
}

void wl_topn_free(struct wl_topn *t)
{
	int i;

	for (i = 0; t->e && i < t->cap; i++)
		free(t->e[i].data);
	free(t->e);
	t->e = NULL;
}

/* FNV-1a of the key, mixed with the slot. */
static uint64_t key_hash(uint32_t slot, const char *key)
{
	uint64_t h = 1469598103934665603ULL ^ slot;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return h;
}

uint64_t wl_topn_count(const struct wl_topn *t, const struct wl_topn_entry *e,
		       uint64_t now_ns)
{
	uint64_t cur = now_ns / t->sub_ns, sum = 0;
	int i;

	for (i = 0; i < WL_TOPN_SUBWIN; i++)
		if (e->epoch[i] + WL_TOPN_SUBWIN > cur)
			sum += e->count[i];
	return sum;
}

static void add(struct wl_topn *t, struct wl_topn_entry *e, uint64_t now_ns,
		uint64_t n)
{
	uint64_t cur = now_ns / t->sub_ns;
	int i = cur % WL_TOPN_SUBWIN;

	if (e->epoch[i] != cur) {
		e->epoch[i] = cur;
		e->count[i] = 0;
	}
	e->count[i] += n;
	if (now_ns > e->last_ns)
		e->last_ns = now_ns;
}

/* The entry a new key takes: a free one, else the lightest, stalest. */
static struct wl_topn_entry *victim(struct wl_topn *t, uint64_t now_ns,
				    uint64_t *min)
{
	struct wl_topn_entry *best = NULL;
	uint64_t best_n = 0;
	int i;

	for (i = 0; i < t->cap; i++) {
		struct wl_topn_entry *e = &t->e[i];
		uint64_t c;

		if (!e->in_use) {
			*min = 0;
			return e;
		}
		c = wl_topn_count(t, e, now_ns);
		if (!best || c < best_n ||
		    (c == best_n && e->last_ns < best->last_ns)) {
			best = e;
			best_n = c;
		}
	}
	*min = best_n;
	return best;
}

/* The entry of (@slot, @key) whose hash is @h, or NULL. */
static struct wl_topn_entry *entry_of(struct wl_topn *t, uint32_t slot,
				      const char *key, uint64_t h)
{
	int i;

	for (i = 0; i < t->cap; i++)
		if (t->e[i].in_use && t->e[i].hash == h &&
		    t->e[i].slot == slot && !strcmp(t->e[i].key, key))
			return &t->e[i];
	return NULL;
}

void *wl_topn_find(struct wl_topn *t, uint32_t slot, const char *key)
{
	struct wl_topn_entry *e = entry_of(t, slot, key, key_hash(slot, key));

	return e ? e->data : NULL;
}

void *wl_topn_hit(struct wl_topn *t, uint32_t slot, const char *key,
		  uint64_t now_ns)
{
	uint64_t h = key_hash(slot, key), min;
	struct wl_topn_entry *e = entry_of(t, slot, key, h);
	void *data;

	if (e) {
		add(t, e, now_ns, 1);
		return e->data;
	}
	e = victim(t, now_ns, &min);
	if (e->in_use)
		t->replacements++;
	data = e->data;
	memset(e, 0, sizeof(*e));
	memset(data, 0, t->data_size);
	e->data = data;
	e->in_use = 1;
	e->hash = h;
	e->slot = slot;
	strncpy(e->key, key, sizeof(e->key) - 1);
	e->err = min;
	/* Space-Saving: the newcomer inherits the count it displaced */
	add(t, e, now_ns, min + 1);
	return data;
}

struct sort_ctx {
	const struct wl_topn *t;
	uint64_t now_ns;
};

static int heavier_first(const void *a, const void *b, void *arg)
{
	const struct wl_topn_entry *x = *(const struct wl_topn_entry *const *)a;
	const struct wl_topn_entry *y = *(const struct wl_topn_entry *const *)b;
	const struct sort_ctx *c = arg;
	uint64_t cx = wl_topn_count(c->t, x, c->now_ns);
	uint64_t cy = wl_topn_count(c->t, y, c->now_ns);

	if (cx != cy)
		return cx > cy ? -1 : 1;
	return strcmp(x->key, y->key);	/* ties: a stable order */
}

int wl_topn_named(const struct wl_topn *t, uint64_t now_ns,
		  const struct wl_topn_entry **out)
{
	struct sort_ctx ctx = { t, now_ns };
	const struct wl_topn_entry **all;
	int i, m = 0;

	if (!t->n)
		return 0;
	all = calloc(t->cap, sizeof(*all));
	if (!all)
		return 0;
	for (i = 0; i < t->cap; i++)
		if (t->e[i].in_use && wl_topn_count(t, &t->e[i], now_ns))
			all[m++] = &t->e[i];
	qsort_r(all, m, sizeof(*all), heavier_first, &ctx);
	if (m > t->n)
		m = t->n;
	memcpy(out, all, m * sizeof(*out));
	free(all);
	return m;
}
