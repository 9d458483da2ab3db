// SPDX-License-Identifier: BSD-3-Clause
/*
 * sock.c - choosing, loading and attaching the socket path (sock/): the
 * raw tracepoint inet_sock_set_state where the kernel has it, kprobes
 * where it does not, or nothing (--sock). The decision is made before the
 * object loads: kprobe programs load only when they will be used.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "kernel/sock.h"
#include "wirelat.skel.h"

#define WL_SOCK_TP "inet_sock_set_state"
/* the perf PMU libbpf attaches kprobes through (CONFIG_KPROBE_EVENTS) */
#define WL_KPROBE_PMU "/sys/bus/event_source/devices/kprobe/type"

const char *const wl_sock_mode_name[] = {
	[WL_SOCK_AUTO] = "auto",
	[WL_SOCK_TRACEPOINT] = "tracepoint",
	[WL_SOCK_KPROBE] = "kprobe",
	[WL_SOCK_OFF] = "off",
};

/* The kernel has the tracepoint: its raw form has a btf_trace_ typedef. */
static bool have_tracepoint(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, "btf_trace_" WL_SOCK_TP,
				       BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	return found;
}

static bool have_kprobes(void)
{
	return access(WL_KPROBE_PMU, F_OK) == 0;
}

/* The socket path reads kernel structs through CO-RE: it needs BTF. */
static bool have_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

static int resolve_mode(enum wl_sock_mode want, enum wl_sock_mode *mode)
{
	bool tp = have_tracepoint();

	if (want != WL_SOCK_OFF && !have_btf()) {
		if (want != WL_SOCK_AUTO) {
			pr_warn("--sock %s: this kernel has no BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF=y, Linux 5.4 and later), which the socket path needs; use --sock off\n",
				wl_sock_mode_name[want]);
			return -EOPNOTSUPP;
		}
		pr_info("socket path off: this kernel has no BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF=y)\n");
		*mode = WL_SOCK_OFF;
		return 0;
	}
	switch (want) {
	case WL_SOCK_OFF:
		*mode = WL_SOCK_OFF;
		return 0;
	case WL_SOCK_TRACEPOINT:
		if (!tp) {
			pr_warn("--sock tracepoint: this kernel has no sock:" WL_SOCK_TP " tracepoint (Linux 4.16 and later have it); use --sock kprobe or --sock off\n");
			return -EOPNOTSUPP;
		}
		*mode = WL_SOCK_TRACEPOINT;
		return 0;
	case WL_SOCK_KPROBE:
		if (!have_kprobes()) {
			pr_warn("--sock kprobe: this kernel has no kprobes (CONFIG_KPROBES is not set: " WL_KPROBE_PMU " is missing); use --sock tracepoint or --sock off\n");
			return -EOPNOTSUPP;
		}
		*mode = WL_SOCK_KPROBE;
		return 0;
	case WL_SOCK_AUTO:
		break;
	}
	if (tp)
		*mode = WL_SOCK_TRACEPOINT;
	else if (have_kprobes())
		*mode = WL_SOCK_KPROBE;
	else {
		pr_info("socket path off: this kernel has neither the " WL_SOCK_TP " tracepoint nor kprobes\n");
		*mode = WL_SOCK_OFF;
	}
	return 0;
}

static void set_kprobes(struct wirelat *skel, bool on)
{
	bpf_program__set_autoload(skel->progs.wirelat_sock_kst, on);
	bpf_program__set_autoload(skel->progs.wirelat_sock_kc4, on);
	bpf_program__set_autoload(skel->progs.wirelat_sock_kc6, on);
}

int wl_sock_configure(struct wl_run *run, struct wirelat *skel, int offline)
{
	uint32_t socks = run->cfg->max_conns;
	struct stat st;
	int err;

	enum wl_sock_mode mode = WL_SOCK_OFF;

	if (!offline) {
		err = resolve_mode(run->cfg->sock_mode, &mode);
		if (err)
			return err;
	}
	run->sock_mode = mode;
	set_kprobes(skel, run->sock_mode == WL_SOCK_KPROBE);
	bpf_program__set_autoload(skel->progs.wirelat_sock_tp,
				  run->sock_mode == WL_SOCK_TRACEPOINT);
	if (run->sock_mode == WL_SOCK_OFF)
		socks = 1;	/* the maps must exist; they cost nothing then */
	else if (socks > WL_DEFAULT_MAX_SOCKS)
		socks = WL_DEFAULT_MAX_SOCKS;
	err = bpf_map__set_max_entries(skel->maps.sock_conns, socks);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.sock_tuples, socks);
	if (!err && run->sock_mode == WL_SOCK_OFF)
		err = bpf_map__set_max_entries(skel->maps.wire_failed, 1);
	if (err) {
		pr_warn("failed to size the socket path's maps: %s\n",
			strerror(-err));
		return err;
	}
	/* the namespace the socket path observes: wirelat's own */
	if (run->sock_mode != WL_SOCK_OFF) {
		if (stat("/proc/self/ns/net", &st)) {
			err = -errno;
			pr_warn("cannot read this process's network namespace (/proc/self/ns/net): %s; mount /proc or use --sock off\n",
				strerror(-err));
			return err;
		}
		skel->rodata->cfg.netns_inum = st.st_ino;
	}
	return 0;
}

static int attach_one(struct wl_run *run, struct bpf_program *prog,
		      const char *what)
{
	struct bpf_link *link = bpf_program__attach(prog);
	int err;

	if (!link) {
		err = -errno;
		pr_warn("socket path: cannot attach %s: %s; use --sock off to run without it\n",
			what, strerror(-err));
		return err;
	}
	run->sock_links[run->n_sock_links++] = link;
	return 0;
}

int wl_sock_attach(struct wl_run *run)
{
	struct wirelat *skel = run->skel;
	int err;

	switch (run->sock_mode) {
	case WL_SOCK_TRACEPOINT:
		err = attach_one(run, skel->progs.wirelat_sock_tp,
				 "the raw tracepoint " WL_SOCK_TP);
		break;
	case WL_SOCK_KPROBE:
		err = attach_one(run, skel->progs.wirelat_sock_kst,
				 "a kprobe on tcp_set_state");
		if (!err)
			err = attach_one(run, skel->progs.wirelat_sock_kc4,
					 "a kprobe on tcp_v4_connect");
		if (!err)
			err = attach_one(run, skel->progs.wirelat_sock_kc6,
					 "a kprobe on tcp_v6_connect");
		break;
	default:
		return 0;
	}
	if (err)
		wl_sock_detach(run);
	else
		pr_info("socket path: %s (connections no watched interface carries)\n",
			wl_sock_mode_name[run->sock_mode]);
	return err;
}

void wl_sock_detach(struct wl_run *run)
{
	while (run->n_sock_links > 0)
		bpf_link__destroy(run->sock_links[--run->n_sock_links]);
}
