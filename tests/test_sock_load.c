// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_sock_load - the socket path's programs pass the verifier on this
 * kernel: the raw tracepoint, and the kprobe fallback loaded but not
 * attached (this kernel may have no kprobes to attach to; the verifier
 * still checks the programs wherever the kprobe program type exists).
 * Exits 77 (skip) only when the kernel lacks a program type entirely.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "wirelat.h"
#include "wirelat.skel.h"

static int load_only(const char *const names[], int n)
{
	struct wirelat *skel = wirelat__open();
	struct bpf_program *p;
	int err, i;

	if (!skel) {
		fprintf(stderr, "FAIL: cannot open the BPF object: %s\n",
			strerror(errno));
		return -1;
	}
	bpf_object__for_each_program(p, skel->obj) {
		bool on = false;

		for (i = 0; i < n; i++)
			on |= !strcmp(bpf_program__name(p), names[i]);
		bpf_program__set_autoload(p, on);
	}
	err = wirelat__load(skel);
	if (!err)
		for (i = 0; i < n; i++) {
			p = bpf_object__find_program_by_name(skel->obj,
							     names[i]);
			if (!p || bpf_program__fd(p) < 0)
				err = -ENOENT;
		}
	wirelat__destroy(skel);
	return err;
}

int main(void)
{
	static const char *const tp[] = { "wirelat_sock_tp" };
	static const char *const kp[] = { "wirelat_sock_kst",
					  "wirelat_sock_kc4",
					  "wirelat_sock_kc6" };
	int fails = 0, err;

	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL) <= 0) {
		printf("SKIP: no raw tracepoint programs in this kernel\n");
		return 77;
	}
	err = load_only(tp, 1);
	printf("%s: the raw tracepoint program loads (%d)\n",
	       err ? "FAIL" : "ok", err);
	fails += !!err;
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_KPROBE, NULL) <= 0) {
		printf("skip: this kernel has no kprobe program type: the kprobe programs cannot be checked here\n");
	} else {
		err = load_only(kp, 3);
		printf("%s: the kprobe programs pass the verifier, loaded not attached (%d)\n",
		       err ? "FAIL" : "ok", err);
		fails += !!err;
	}
	printf("%d failed\n", fails);
	return fails ? 1 : 0;
}
