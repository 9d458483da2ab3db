// SPDX-License-Identifier: BSD-3-Clause
/* snapshot.c - the kernel's side of a run, read once (snapshot.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/counters.h"
#include "metrics/snapshot.h"

struct wl_snapshot *wl_snapshot_take(struct wl_run *run, int *err)
{
	struct wl_snapshot *sn = calloc(1, sizeof(*sn));
	int slot, t;

	*err = -ENOMEM;
	if (!sn)
		return NULL;
	sn->nslots = run->cfg->read_file ? 1 : run->n_slots;
	*err = wl_counters_read(run, sn->s, WL_NSLOTS);
	if (!*err)
		*err = wl_sock_counters_read(run, &sn->sock);
	if (*err) {
		free(sn);
		return NULL;
	}
	sn->records_dropped = sn->sock.records_dropped;
	for (slot = 0; slot < sn->nslots; slot++)
		sn->records_dropped += sn->s[slot].records_dropped;
	memcpy(sn->entries, run->table_entries, sizeof(sn->entries));
	memcpy(sn->slot_entries, run->table_slot_entries,
	       sizeof(sn->slot_entries));
	memcpy(sn->evictions, run->table_evictions, sizeof(sn->evictions));
	for (t = 0; t < WL_T_MAX; t++)
		sn->capacity[t] = wl_table_capacity(run, t);
	if (run->out.listen) {	/* live */
		sn->has_listen = true;
		wl_listen_view(run->out.listen, &sn->listen);
		sn->has_drops = wl_drops_read(run, sn->drops) > 0;
	}
	return sn;
}
