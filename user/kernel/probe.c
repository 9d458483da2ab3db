// SPDX-License-Identifier: BSD-3-Clause
/*
 * probe.c - the kernel features wirelat uses, probed at start
 * (docs/kernels.md has the table). Required ones have no fallback: without them
 * the object cannot load, and the user is told which and from which
 * Linux on, never "Invalid argument". The others are replaced.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "kernel/probe.h"

/* A feature the object cannot load without, and the first Linux with it. */
struct wl_required {
	const char *what;
	const char *since;
	int (*probe)(void);
	bool live_only;
};

static int have_ringbuf(void)
{
	return libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
}

static int have_syscall_prog(void)
{
	return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SYSCALL, NULL);
}

static int have_for_each_map_elem(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_SYSCALL,
				       BPF_FUNC_for_each_map_elem, NULL);
}

static int have_xdp_load_bytes(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
				       BPF_FUNC_xdp_load_bytes, NULL);
}

static int have_tc_prog(void)
{
	return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SCHED_CLS, NULL);
}

static const struct wl_required required[] = {
	{ "BPF ring buffer (records)", "5.8", have_ringbuf, false },
	{ "syscall BPF programs (the sweep)", "5.14", have_syscall_prog, false },
	{ "bpf_for_each_map_elem (the sweep)", "5.13", have_for_each_map_elem, false },
	{ "XDP multi-buffer helpers (bpf_xdp_load_bytes)", "5.18", have_xdp_load_bytes, false },
	{ "TC BPF programs (egress)", "4.1", have_tc_prog, true },
};

static const char *kernel_release(struct utsname *u)
{
	return uname(u) ? "?" : u->release;
}

/*
 * May this process use BPF at all? Without the privilege every probe
 * below fails as if the kernel lacked the feature ("this kernel has no
 * BPF ring buffer" to a user who only forgot sudo). 0 or -EPERM.
 */
static int may_use_bpf(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != EPERM && errno != EACCES)
		return 0;	/* the probes say what is missing */
	pr_warn("cannot use BPF: %s; run as root, or with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON\n",
		strerror(errno));
	return -EPERM;
}

/* The kfunc is a function in the kernel's BTF from 6.6 on. */
static bool have_kfunc(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return found;
}

int wl_probe_kernel(struct wl_kernel *k, int offline)
{
	struct utsname u;
	size_t i;
	int err;

	err = may_use_bpf();
	if (err)
		return err;
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const struct wl_required *r = &required[i];
		int ret;

		if (offline && r->live_only)
			continue;
		ret = r->probe();
		if (ret == 1)
			continue;
		if (ret == 0)
			pr_warn("this kernel (%s) has no %s, which wirelat needs: Linux %s and later have it\n",
				kernel_release(&u), r->what, r->since);
		else
			pr_warn("cannot ask this kernel whether it has %s: %s; run as root or with CAP_BPF (Linux %s and later have it)\n",
				r->what, strerror(-ret), r->since);
		return -EOPNOTSUPP;
	}
	k->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	/* offline the sweep's walk counts exactly (load.c): no parse of the
	 * kernel's BTF for it, ~5 ms of every replay thread's start */
	k->sum_elem_count = false;
	if (offline)
		return 0;
	k->sum_elem_count = k->btf && have_kfunc("bpf_map_sum_elem_count");
	if (!k->sum_elem_count)
		pr_info("this kernel (%s) has no bpf_map_sum_elem_count (Linux 6.6): table entries and evictions are counted by the sweep's walk\n",
			 kernel_release(&u));
	return 0;
}
