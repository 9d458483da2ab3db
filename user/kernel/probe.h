/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * probe.h - what this kernel offers the BPF object, asked once before it
 * loads (libbpf's probes, the kernel's BTF): a feature wirelat cannot do
 * without stops it with the feature's name and the first kernel that has
 * it; one it can do without is replaced, and a line says by what.
 */
#ifndef WIRELAT_PROBE_H
#define WIRELAT_PROBE_H

#include <stdbool.h>

struct wl_kernel {
	bool btf;		/* /sys/kernel/btf/vmlinux (CO-RE, the socket path) */
	bool sum_elem_count;	/* kfunc bpf_map_sum_elem_count (6.6) */
};

/*
 * Fill @k for this kernel. Returns 0, or -EOPNOTSUPP with one line naming
 * what is missing (for a replay, @offline: only what a replay needs), or
 * -EPERM with one line when this process may not use BPF.
 */
int wl_probe_kernel(struct wl_kernel *k, int offline);

#endif /* WIRELAT_PROBE_H */
