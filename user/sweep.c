// SPDX-License-Identifier: BSD-3-Clause
/*
 * sweep.c - the userspace half of the timeout rule. The BPF side expires
 * an entry lazily when a packet of its flow arrives; this walks the table
 * for flows that went quiet. Both use the same rule (clock > deadline), so
 * whichever finds an entry first reports the same record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "sweep.h"
#include "wirelat.skel.h"

struct expired {
	struct wl_flow_key key;
	struct wl_hs hs;
};

static void fill_tuple(struct wl_record *r, const struct wl_flow_key *k,
		       int client_side)
{
	int lo = client_side == WL_SIDE_LO;

	r->ifindex = k->ifindex;
	r->family = k->family;
	memcpy(r->client_ip, lo ? k->addr_lo : k->addr_hi, 16);
	memcpy(r->server_ip, lo ? k->addr_hi : k->addr_lo, 16);
	r->client_port = lo ? k->port_lo : k->port_hi;
	r->server_port = lo ? k->port_hi : k->port_lo;
}

static int by_deadline(const void *a, const void *b)
{
	const struct expired *x = a, *y = b;

	if (x->hs.last_syn_ns != y->hs.last_syn_ns)
		return x->hs.last_syn_ns < y->hs.last_syn_ns ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static void emit_timeout(struct wl_run *run, const struct expired *e,
			 uint64_t timeout)
{
	struct wl_record r = { 0 };
	uint64_t deadline = e->hs.last_syn_ns + timeout;

	r.ts_ns = deadline;
	r.type = WL_REC_HANDSHAKE_FAILED;
	r.reason = WL_FAIL_TIMEOUT;
	r.source = WL_SRC_WIRE;
	fill_tuple(&r, &e->key, e->hs.client_side);
	r.syn_retransmits = e->hs.syn_retransmits;
	r.fail.elapsed_ns = deadline - e->hs.first_syn_ns;
	run->ustats[wl_run_slot(run, e->key.ifindex)]
		.hs_result[WL_HS_TIMEOUT]++;
	run->emit(run, &r);
}

/*
 * Decide one entry: 1 = it timed out now (appended to @exp), 0 = nothing
 * to report (kept or deleted).
 */
static int judge(int fd, const struct wl_flow_key *key, struct wl_hs *hs,
		 uint64_t clock, uint64_t t)
{
	switch (hs->state) {
	case WL_HS_SYN_SENT:
		if (clock <= hs->last_syn_ns + t)
			return 0;
		hs->state = WL_HS_TIMED_OUT;	/* a later SYN-ACK is "late" */
		bpf_map_update_elem(fd, key, hs, BPF_EXIST);
		return 1;
	case WL_HS_SYNACK_SEEN:
		if (clock > hs->synack_ns + t)
			bpf_map_delete_elem(fd, key);
		return 0;
	case WL_HS_TIMED_OUT:
		if (clock > hs->last_syn_ns + 2 * t)
			bpf_map_delete_elem(fd, key);
		return 0;
	}
	return 0;
}

int wl_sweep_handshakes(struct wl_run *run, uint64_t clock_ns)
{
	int fd = bpf_map__fd(run->skel->maps.handshakes);
	uint32_t cap = bpf_map__max_entries(run->skel->maps.handshakes);
	uint64_t t = run->cfg->handshake_timeout_ns;
	struct wl_flow_key *keys, cur, next;
	struct expired *exp;
	size_t n = 0, n_exp = 0, i;
	void *prev = NULL;

	keys = calloc(cap, sizeof(*keys));
	exp = calloc(cap, sizeof(*exp));
	if (!keys || !exp) {
		free(keys);
		free(exp);
		return -ENOMEM;
	}
	/* keys first: deleting while walking would restart the walk */
	while (n < cap && !bpf_map_get_next_key(fd, prev, &next)) {
		keys[n++] = next;
		cur = next;
		prev = &cur;
	}
	for (i = 0; i < n; i++) {
		struct wl_hs hs;

		if (bpf_map_lookup_elem(fd, &keys[i], &hs))
			continue;	/* gone meanwhile */
		if (judge(fd, &keys[i], &hs, clock_ns, t)) {
			exp[n_exp].key = keys[i];
			exp[n_exp].hs = hs;
			n_exp++;
		}
	}
	qsort(exp, n_exp, sizeof(*exp), by_deadline);
	for (i = 0; i < n_exp; i++)
		emit_timeout(run, &exp[i], t);
	free(keys);
	free(exp);
	return n_exp;
}
