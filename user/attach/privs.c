// SPDX-License-Identifier: BSD-3-Clause
/*
 * privs.c - least privilege once the programs are attached (issue 27).
 *
 * Loading and attaching need CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (or
 * root). After that the run only reads maps, runs the sweep and count
 * programs (BPF_PROG_TEST_RUN), reads the ring buffer (mmap'd pages and
 * epoll), samples listeners (sock_diag, unprivileged), serves HTTP on a
 * socket already bound, and at exit detaches XDP and TC by netlink:
 *   - CAP_NET_ADMIN: the netlink detach (XDP, TC) at exit;
 *   - CAP_BPF: only where the kernel checks it on every bpf() command
 *     (before Linux 5.19, with kernel.unprivileged_bpf_disabled set);
 *     since 5.19 only creating maps and loading programs check it (seen
 *     on Debian 12's 6.1 and 6.12 under make test-kernels). Tried, not
 *     guessed: the sweep program is run and a map read without it first;
 *   - nothing else: CAP_PERFMON, CAP_SYS_ADMIN and the rest go, from the
 *     effective, permitted, inheritable, ambient and bounding sets.
 * The calls are the raw capget/capset syscalls and prctl (libcap is not
 * needed). Capabilities, the bounding set and no_new_privs are per
 * thread: this runs before any other thread starts (the HTTP server's
 * socket is bound before the attach, its thread started after this, see
 * live.c), so every thread inherits what the main thread kept.
 */
#define _GNU_SOURCE	/* setresuid, setresgid */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "attach/privs.h"
#include "wirelat.skel.h"

#define CAPBIT(c) (1ULL << (c))

static int caps_get(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return 0;
}

/* Effective @eff, permitted @prm, inheritable none. */
static int caps_set(uint64_t eff, uint64_t prm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, 0 },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), 0 },
	};

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/*
 * Whether the run's bpf() calls work with only @eff effective: the sweep
 * program run with no table to walk (what every sweep does) and a map's
 * info read (what every scrape's reads go through). Only EPERM says no.
 */
static bool bpf_works_with(struct wl_run *run, uint64_t eff, uint64_t prm)
{
	struct wl_sweep_io *io = &run->skel->bss->wl_sweep_io;
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	bool ok = true;

	if (caps_set(eff, prm))
		return false;
	io->tables = 0;		/* nothing walked: no record, no change */
	io->eof = 0;
	if (bpf_prog_test_run_opts(
		    bpf_program__fd(run->skel->progs.wirelat_sweep), &topts) &&
	    errno == EPERM)
		ok = false;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_map__fd(run->skel->maps.stats), &info,
				   &len) == -EPERM)
		ok = false;
	caps_set(prm, prm);	/* back to what it was: the caller decides */
	return ok;
}

/* The capabilities the rest of the run needs, of those held (@prm). */
static uint64_t needed(struct wl_run *run, uint64_t prm)
{
	uint64_t keep = prm & CAPBIT(CAP_NET_ADMIN);

	if (!bpf_works_with(run, keep, prm))
		keep |= prm & CAPBIT(CAP_BPF) ? CAPBIT(CAP_BPF) :
						prm & CAPBIT(CAP_SYS_ADMIN);
	return keep;
}

/*
 * Out of the calling thread's bounding set, all but @keep (where it may:
 * CAP_SETPCAP effective; systemd's CapabilityBoundingSet= does it too).
 */
static void bound(uint64_t keep)
{
	uint64_t eff, prm;
	int c;

	if (caps_get(&eff, &prm) || !(eff & CAPBIT(CAP_SETPCAP)))
		return;
	for (c = 0; c <= 63; c++)
		if (!(keep & CAPBIT(c)) &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno == EINVAL)
			break;	/* past the kernel's last capability */
}

/*
 * The calling thread keeps only @keep: the ambient set cleared, effective
 * = permitted = what it holds of @keep, inheritable none; no_new_privs
 * (nothing it execs gains any).
 */
static int limit_thread(uint64_t keep)
{
	uint64_t eff, prm;
	int err;

	err = caps_get(&eff, &prm);
	if (err)
		return err;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	err = caps_set(prm & keep, prm & keep);
	if (err)
		return err;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
}

/* To @user's uid and gid, keeping the permitted set across the switch. */
static int become(const char *user)
{
	struct passwd *pw = getpwnam(user);
	gid_t gid;
	int err = 0;

	if (!pw) {
		pr_warn("--user %s: no such user\n", user);
		return -ENOENT;
	}
	gid = pw->pw_gid;
	/* glibc applies these to every thread of the process */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(1, &gid) ||
	    setresgid(gid, gid, gid) || setresuid(pw->pw_uid, pw->pw_uid,
						  pw->pw_uid))
		err = -errno;
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (err)
		pr_warn("--user %s: cannot switch to uid %u gid %u: %s\n", user,
			(unsigned)pw->pw_uid, (unsigned)gid, strerror(-err));
	return err;
}

static void names(uint64_t set, char *buf, size_t size)
{
	static const struct { int cap; const char *name; } known[] = {
		{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
		{ CAP_BPF, "CAP_BPF" },
		{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (set & CAPBIT(known[i].cap))
			n += snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      n ? " " : "", known[i].name);
	if (!n)
		snprintf(buf, size, "none");
}

int wl_privs_drop(struct wl_run *run, const char *user)
{
	uint64_t eff, prm, keep;
	char kept_names[64];
	int err;

	err = caps_get(&eff, &prm);
	if (err) {
		pr_warn("reading this process's capabilities failed: %s\n",
			strerror(-err));
		return err;
	}
	keep = needed(run, prm);
	/* the bounding set first: dropping it needs CAP_SETPCAP, which the
	 * user switch takes away */
	bound(keep);
	if (user) {
		err = become(user);
		if (err)
			return err;
	}
	err = limit_thread(keep);
	if (err) {
		pr_warn("dropping capabilities failed: %s\n", strerror(-err));
		return err;
	}
	names(keep, kept_names, sizeof(kept_names));
	if (user)
		pr_info("attached: running as %s (uid %u gid %u) with capabilities %s only\n",
			user, (unsigned)getuid(), (unsigned)getgid(),
			kept_names);
	else
		pr_info("attached: capabilities %s only\n", kept_names);
	return 0;
}
