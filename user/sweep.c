// SPDX-License-Identifier: BSD-3-Clause
/*
 * sweep.c - the userspace half of the timeout rules. The BPF side expires
 * an entry lazily when a packet of its flow or socket arrives; this walks
 * the tables for what went quiet. Both use the same rule (clock >
 * deadline), so whichever finds an entry first reports the same record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "record.h"
#include "sweep.h"
#include "wirelat.skel.h"

/* An entry that timed out now: key, value and its deadline. */
struct expired {
	uint64_t deadline;
	int reason;		/* a tcp_close reason */
	union {
		struct wl_flow_key hs_key;
		struct wl_dns_key dns_key;
	};
	union {
		struct wl_hs hs;
		struct wl_dns_q q;
		struct wl_conn conn;
	};
};

/*
 * Decide one entry by @clock: 1 = it timed out now (its deadline in
 * @deadline; the entry became a tombstone), 0 = nothing to report (kept,
 * or deleted). @value has been looked up; @key is its key.
 */
typedef int (*judge_fn)(int fd, const void *key, void *value, uint64_t clock,
			uint64_t t, uint64_t *deadline);

static int eof_now;	/* the offline replay reached end of file */

/* Delete @key; 1 when it was there (counted as a userspace delete). */
static int drop(int fd, const void *key)
{
	return !bpf_map_delete_elem(fd, key);
}

static uint64_t dropped;	/* deletes by the current walk */

static int judge_hs(int fd, const void *key, void *value, uint64_t clock,
		    uint64_t t, uint64_t *deadline)
{
	struct wl_hs *hs = value;

	/* the deadline was set by the BPF state machine (wl_hs_deadline) */
	switch (hs->state) {
	case WL_HS_SYN_SENT:
		if (clock <= hs->deadline_ns)
			return 0;
		*deadline = hs->deadline_ns;
		hs->state = WL_HS_TIMED_OUT;	/* a later SYN-ACK is "late" */
		if (clock > wl_hs_tombstone_end(hs))	/* its time is over too */
			dropped += drop(fd, key);
		else
			bpf_map_update_elem(fd, key, hs, BPF_EXIST);
		return 1;
	case WL_HS_SYNACK_SEEN:
		if (clock > hs->synack_ns + t)
			dropped += drop(fd, key);
		return 0;
	case WL_HS_TIMED_OUT:
		if (clock > wl_hs_tombstone_end(hs))
			dropped += drop(fd, key);
		return 0;
	}
	return 0;
}

static int judge_dns(int fd, const void *key, void *value, uint64_t clock,
		     uint64_t t, uint64_t *deadline)
{
	struct wl_dns_q *q = value;

	switch (q->state) {
	case WL_DNS_PENDING:
		if (clock <= q->last_ns + t)
			return 0;
		*deadline = q->last_ns + t;
		q->state = WL_DNS_TIMED_OUT;	/* a later response is "late" */
		if (clock > q->last_ns + 2 * t)	/* its time is over too */
			dropped += drop(fd, key);
		else
			bpf_map_update_elem(fd, key, q, BPF_EXIST);
		return 1;
	case WL_DNS_ANSWERED:
		if (clock > q->answered_ns + t)
			dropped += drop(fd, key);
		return 0;
	case WL_DNS_TIMED_OUT:
		if (clock > q->last_ns + 2 * t)
			dropped += drop(fd, key);
		return 0;
	}
	return 0;
}

/*
 * A connection quiet for the idle timeout closes with "timeout" (at the
 * deadline); at end of file every open one closes with "eof" (at its last
 * packet). Either way it is removed.
 */
static int judge_conn(int fd, const void *key, void *value, uint64_t clock,
		      uint64_t t, uint64_t *deadline)
{
	struct wl_conn *c = value;

	if (clock > c->last_ns + t)
		*deadline = c->last_ns + t;
	else if (eof_now)
		*deadline = c->last_ns;
	else
		return 0;
	dropped += drop(fd, key);
	return 1;
}

static int by_deadline(const void *a, const void *b)
{
	const struct expired *x = a, *y = b;

	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	return memcmp(&x->dns_key, &y->dns_key, sizeof(x->dns_key));
}

/*
 * Walk @map, judge every entry; the expired ones come back in *out sorted
 * by deadline. Returns how many, or -errno.
 */
static int walk(struct wl_run *run, struct bpf_map *map, judge_fn judge,
		uint64_t clock, uint64_t t, struct expired **out,
		uint64_t *per_slot)
{
	int fd = bpf_map__fd(map);
	uint32_t cap = bpf_map__max_entries(map);
	size_t ksz = bpf_map__key_size(map);
	struct expired *exp = NULL, cur;
	uint8_t *keys, *prev = NULL, next[sizeof(struct wl_dns_key)];
	size_t n = 0, n_exp = 0, i;

	keys = calloc(cap, ksz);
	if (!keys)
		return -ENOMEM;
	/* keys first: deleting while walking would restart the walk */
	while (n < cap && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(keys + n * ksz, next, ksz);
		prev = keys + n * ksz;
		n++;
	}
	for (i = 0; i < n; i++) {
		memset(&cur, 0, sizeof(cur));
		memcpy(&cur.dns_key, keys + i * ksz, ksz);
		if (bpf_map_lookup_elem(fd, &cur.dns_key, &cur.q))
			continue;	/* gone meanwhile */
		if (!judge(fd, &cur.dns_key, &cur.q, clock, t, &cur.deadline)) {
			/* every key starts with its ifindex */
			per_slot[wl_run_slot(run, cur.hs_key.ifindex)]++;
			continue;
		}
		if (n_exp % 64 == 0) {
			struct expired *p =
				realloc(exp, (n_exp + 64) * sizeof(*exp));

			if (!p) {
				free(exp);
				free(keys);
				return -ENOMEM;
			}
			exp = p;
		}
		exp[n_exp++] = cur;
	}
	free(keys);
	qsort(exp, n_exp, sizeof(*exp), by_deadline);
	*out = exp;
	return n_exp;
}

static void fill_hs(struct wl_record *r, const struct expired *e)
{
	wl_rec_tuple(r, &e->hs_key, e->hs.client_side);
	r->type = WL_REC_HANDSHAKE_FAILED;
	r->syn_retransmits = e->hs.syn_retransmits;
	r->fail.elapsed_ns = e->deadline - e->hs.first_syn_ns;
}

static void fill_dns(struct wl_record *r, const struct expired *e)
{
	r->type = WL_REC_DNS_TIMEOUT;
	wl_rec_query(r, &e->dns_key, &e->q);
	r->dns.latency_ns = e->deadline - e->q.first_ns;
}

static void fill_close(struct wl_record *r, const struct expired *e)
{
	const struct wl_conn *c = &e->conn;

	wl_rec_tuple(r, &e->hs_key, c->client_side);
	r->type = WL_REC_CLOSE;
	r->reason = eof_now && e->deadline == c->last_ns ? WL_CLOSE_EOF :
							   WL_CLOSE_TIMEOUT;
	r->close.duration_ns = wl_conn_duration(c, c->last_ns);
	wl_rec_conn(r, c);
}

int wl_sweep(struct wl_run *run, uint64_t clock_ns, int eof)
{
	const struct {
		struct bpf_map *map;
		judge_fn judge;
		uint64_t timeout;
		void (*fill)(struct wl_record *r, const struct expired *e);
	} tables[WL_T_MAX] = {
		[WL_T_HANDSHAKES] = { run->skel->maps.handshakes, judge_hs,
				      run->cfg->handshake_timeout_ns,
				      fill_hs },
		[WL_T_DNS] = { run->skel->maps.dns_pending, judge_dns,
			       run->cfg->dns_timeout_ns, fill_dns },
		[WL_T_CONNS] = { run->skel->maps.conns, judge_conn,
				 run->cfg->idle_timeout_ns, fill_close },
	};
	uint64_t per_slot[WL_NSLOTS];
	struct expired *exp;
	size_t t;
	int n, i, total = 0;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		dropped = 0;
		eof_now = eof;
		memset(per_slot, 0, sizeof(per_slot));
		n = walk(run, tables[t].map, tables[t].judge, clock_ns,
			 tables[t].timeout, &exp, per_slot);
		if (n < 0)
			return n;
		run->table_user_deletes[t] += dropped;
		run->table_entries[t] = 0;
		for (i = 0; i < WL_NSLOTS; i++) {
			run->table_entries[t] += per_slot[i];
			run->table_slot_entries[t][i] = per_slot[i];
		}
		for (i = 0; i < n; i++) {
			struct wl_record r = { 0 };
			int slot;

			r.ts_ns = exp[i].deadline;
			r.reason = WL_FAIL_TIMEOUT;
			r.source = WL_SRC_WIRE;
			tables[t].fill(&r, &exp[i]);
			slot = wl_run_slot(run, r.ifindex);
			if (r.type == WL_REC_DNS_TIMEOUT)
				run->ustats[slot].dns_timeouts++;
			else if (r.type == WL_REC_CLOSE)
				run->ustats[slot].conn_closed[r.reason]++;
			else
				run->ustats[slot].hs_result[WL_HS_TIMEOUT]++;
			run->emit(run, &r);
		}
		free(exp);
		total += n;
	}
	return total;
}
