// SPDX-License-Identifier: BSD-3-Clause
/*
 * drops.c - kernel drops by reason on the watched interfaces (drops.h).
 * The reason names come from the running kernel's BTF (enum
 * skb_drop_reason: SKB_DROP_REASON_NO_SOCKET is "NO_SOCKET"), so a new
 * kernel's new reasons are named without a table here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/drops.h"
#include "core/log.h"
#include "core/state.h"
#include "wirelat.skel.h"

#define WL_DROP_PREFIX "SKB_DROP_REASON_"

static struct bpf_link *drop_link;
static bool drops_on;
static char *reason_name[WL_DROP_REASONS];

/*
 * The raw tracepoint's prototype, in BTF: btf_trace_kfree_skb is a
 * pointer to (void *, skb, location, reason[, rx_sk]): the reason is the
 * fourth parameter. Names the reasons; -ENOENT without it.
 */
static int probe_reasons(int *consumed)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	struct btf *btf;
	int id, i, n;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	t = t ? btf__type_by_id(btf, t->type) : NULL;	/* the pointer */
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 4) {
		btf__free(btf);
		return -ENOENT;
	}
	*consumed = -1;
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	n = t ? btf_vlen(t) : 0;
	e = t ? btf_enum(t) : NULL;
	for (i = 0; i < n; i++) {
		const char *name = btf__name_by_offset(btf, e[i].name_off);
		int v = e[i].val;

		if (!name)
			continue;
		if (!strcmp(name, "SKB_CONSUMED"))
			*consumed = v;
		if (v > 0 && v < WL_DROP_REASONS - 1 && !reason_name[v] &&
		    !strncmp(name, WL_DROP_PREFIX, strlen(WL_DROP_PREFIX)))
			reason_name[v] = strdup(name + strlen(WL_DROP_PREFIX));
	}
	btf__free(btf);
	return 0;
}

int wl_drops_configure(struct wl_run *run, struct wirelat *skel, int offline)
{
	int consumed = -1;
	struct stat st;

	drops_on = false;
	if (!offline && run->n_slots > 0) {
		if (probe_reasons(&consumed))
			pr_info("kernel drops by reason: off (this kernel's skb:kfree_skb has no reason; Linux 5.17 and later)\n");
		else if (stat("/proc/self/ns/net", &st))
			pr_info("kernel drops by reason: off (cannot read /proc/self/ns/net)\n");
		else
			drops_on = true;
	}
	bpf_program__set_autoload(skel->progs.wirelat_drop, drops_on);
	if (drops_on) {
		skel->rodata->wl_drop_consumed = consumed < 0 ? 0 : consumed;
		skel->rodata->cfg.netns_inum = st.st_ino;
	}
	return 0;
}

void wl_drops_attach(struct wl_run *run)
{
	(void)run;
	if (!drops_on)
		return;
	drop_link = bpf_program__attach(run->skel->progs.wirelat_drop);
	if (!drop_link) {
		pr_info("kernel drops by reason: off (cannot attach skb:kfree_skb: %s)\n",
			strerror(errno));
		drops_on = false;
	}
}

void wl_drops_detach(void)
{
	bpf_link__destroy(drop_link);
	drop_link = NULL;
}

const char *wl_drops_reason_name(int reason)
{
	return reason > 0 && reason < WL_DROP_REASONS ? reason_name[reason] :
							NULL;
}

int wl_drops_read(struct wl_run *run, uint64_t (*sum)[WL_DROP_REASONS])
{
	int ncpu = libbpf_num_possible_cpus(), fd, slot, r, c;
	uint64_t *v;

	if (!drops_on)
		return 0;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	fd = bpf_map__fd(run->skel->maps.wl_drops);
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (slot = 0; slot < run->n_slots; slot++)
		for (r = 1; r < WL_DROP_REASONS; r++) {
			uint32_t key = slot * WL_DROP_REASONS + r;

			if (bpf_map_lookup_elem(fd, &key, v))
				continue;
			for (c = 0; c < ncpu; c++)
				sum[slot][r] += v[c];
		}
	free(v);
	return 1;
}
