// SPDX-License-Identifier: BSD-3-Clause
/*
 * attach.c - ingress on native XDP, XDP in skb mode (both through libxdp)
 * or TC, as --ingress says (auto: per interface, see ifkind.c); egress on
 * TC through bpf_tc_*.
 *
 * This kernel has no freplace, so libxdp attaches one legacy program. If
 * the XDP hook already holds a program that is not wirelat's, wirelat
 * leaves it alone and measures ingress on TC instead. TC filters use a
 * handle and priority of wirelat's own; nothing else on clsact is touched,
 * and a clsact qdisc wirelat created is removed on exit only when no other
 * filter was added to it meanwhile.
 *
 * One file past 500 lines on purpose: each attach is written beside the
 * detach that undoes it, and the XDP and TC paths share the checks for
 * what others hold on the hook; apart, a change to one could miss the
 * other.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <xdp/libxdp.h>
#include "attach/attach.h"
#include "attach/ifkind.h"
#include "core/log.h"
#include "wirelat.skel.h"

#define XDP_PROG_NAME "wirelat_xdp"

int wl_ifindex(const char *name, bool *loopback)
{
	struct ifreq ifr = { 0 };
	unsigned idx = if_nametoindex(name);
	int fd;

	if (!idx) {
		pr_warn("no interface named '%s' in this network namespace (see 'ip link')\n",
			name);
		return -ENODEV;
	}
	*loopback = false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		if (!ioctl(fd, SIOCGIFFLAGS, &ifr))
			*loopback = ifr.ifr_flags & IFF_LOOPBACK;
		close(fd);
	}
	return idx;
}

/* Name of the program with kernel id @id into @name (16 bytes). */
static int prog_name(__u32 id, char *name)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd, err;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return -errno;
	memcpy(name, info.name, sizeof(info.name));
	name[15] = 0;
	return 0;
}

/*
 * Look at the XDP hook: 0 = free (a stale wirelat program was removed),
 * 1 = someone else's program is there.
 *
 * The stale program is held by an fd from the moment its name is read,
 * and detached with XDP_FLAGS_REPLACE and that fd as the expected one:
 * the kernel removes it only if the hook still holds that very program.
 * Another tool that attached its own between the check and the detach
 * gets -EEXIST, not a removed program (its id may even be the one we
 * read: an fd cannot be reused, an id can).
 */
static int xdp_hook_state(struct wl_attach *a)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	__u32 flags;
	int fd, err;

	if (bpf_xdp_query(a->ifindex, 0, &q) || !q.prog_id)
		return 0;
	fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (fd < 0)	/* gone meanwhile, or not ours to open: leave it */
		return 1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    strncmp(info.name, XDP_PROG_NAME, sizeof(info.name))) {
		close(fd);
		return 1;
	}
	pr_info("removing XDP program %u left on %s by an earlier wirelat\n",
		q.prog_id, a->ifname);
	flags = q.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
						     XDP_FLAGS_DRV_MODE;
	o.old_prog_fd = fd;
	err = bpf_xdp_detach(a->ifindex, flags | XDP_FLAGS_REPLACE, &o);
	close(fd);
	if (err == -EEXIST) {
		pr_info("%s: the XDP hook changed hands meanwhile; its program stays\n",
			a->ifname);
		return 1;
	}
	if (err)
		pr_warn("removing XDP program %u from %s: %s\n", q.prog_id,
			a->ifname, strerror(-err));
	return 0;
}

/*
 * Attach the XDP program to @a in @mode; on failure, libxdp's reason goes
 * to @why (@size bytes) and nothing is printed: the caller knows whether
 * it falls back. Returns 0 or -errno.
 */
static int attach_xdp(struct wl_run *run, struct wl_attach *a,
		      enum xdp_attach_mode mode, char *why, size_t size)
{
	struct xdp_program *prog;
	int err;

	/*
	 * From the loaded skeleton, not from the fd: xdp_program__from_fd()
	 * wants the program's BTF back from the kernel, which takes
	 * CAP_SYS_ADMIN, and without it libxdp goes on with a broken program.
	 */
	{
		LIBBPF_OPTS(xdp_program_opts, xo, .obj = run->skel->obj,
			    .prog_name = XDP_PROG_NAME);

		prog = xdp_program__create(&xo);
	}
	err = libxdp_get_error(prog);
	if (err) {
		snprintf(why, size, "cannot prepare the program: %s",
			 strerror(-err));
		return err;
	}
	err = xdp_program__attach(prog, a->ifindex, mode, 0);
	if (err) {
		libxdp_strerror(err, why, size);
		xdp_program__close(prog);
		return err;
	}
	a->xdp = prog;
	a->xdp_mode = mode;
	return 0;
}

/*
 * Attach @prog at wirelat's handle on @point, first removing a filter a
 * killed wirelat left there; refuse if another program holds the handle.
 */
static int attach_tc(struct wl_attach *a, struct bpf_program *prog,
		     enum bpf_tc_attach_point point, const char *what)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
		    .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = WL_TC_HANDLE,
		    .priority = WL_TC_PRIORITY);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = WL_TC_HANDLE,
		    .priority = WL_TC_PRIORITY);
	char name[16];
	int err;

	err = bpf_tc_hook_create(&hook);
	if (!err)
		a->created_clsact = true;
	else if (err != -EEXIST) {
		pr_warn("failed to create clsact qdisc on %s: %s\n", a->ifname,
			strerror(-err));
		return err;
	}
	if (!bpf_tc_query(&hook, &q)) {
		/* without CAP_SYS_ADMIN the name cannot be read: not ours */
		int named = !prog_name(q.prog_id, name);

		if (!named || strcmp(name, bpf_program__name(prog))) {
			if (!named)
				snprintf(name, sizeof(name), "id %u", q.prog_id);
			pr_warn("TC %s handle 0x%x prio 0x%x on %s is held by another program (%s); remove it or free that slot\n",
				what, WL_TC_HANDLE, WL_TC_PRIORITY, a->ifname,
				name);
			return -EBUSY;
		}
		pr_info("replacing TC %s program %u left on %s by an earlier wirelat\n",
			what, q.prog_id, a->ifname);
		opts.flags = BPF_TC_F_REPLACE;
		/* that wirelat made the qdisc: remove it on exit as it would have */
		a->created_clsact = true;
	}
	opts.prog_fd = bpf_program__fd(prog);
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		pr_warn("failed to attach TC %s on %s: %s\n", what, a->ifname,
			strerror(-err));
	return err;
}

/*
 * Number of filters on the clsact qdisc of @ifindex under @parent (ingress
 * or egress), by an RTM_GETTFILTER dump; negative errno on failure.
 */
static int tc_filter_count(int ifindex, __u32 parent)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
		.nh.nlmsg_type = RTM_GETTFILTER,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = 1,
		.tc.tcm_family = AF_UNSPEC,
		.tc.tcm_ifindex = ifindex,
		.tc.tcm_parent = parent,
	};
	char buf[8192] __attribute__((aligned(4)));
	int fd, n = 0, err = 0;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		err = -errno;
	while (!err && !done) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (len < 0) {
			err = -errno;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error ? e->error : -EIO;
				break;
			}
			/* a priority's chain head comes as a message of its
			 * own with handle 0: count the filters under it */
			if (nh->nlmsg_type == RTM_NEWTFILTER &&
			    ((struct tcmsg *)NLMSG_DATA(nh))->tcm_handle)
				n++;
		}
	}
	close(fd);
	return err ? err : n;
}

/*
 * The clsact qdisc wirelat created goes only when nothing else hangs on
 * it: deleting a qdisc deletes every filter on it, and a filter another
 * tool added since wirelat started is not wirelat's to remove. Unsure
 * (the dump failed): keep it.
 */
static void remove_clsact_if_unused(struct wl_attach *a)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int in = tc_filter_count(a->ifindex, TC_H_MAKE(TC_H_CLSACT,
							TC_H_MIN_INGRESS));
	int eg = tc_filter_count(a->ifindex, TC_H_MAKE(TC_H_CLSACT,
							TC_H_MIN_EGRESS));

	if (in < 0 || eg < 0) {
		pr_warn("kept the clsact qdisc on %s: cannot list its filters: %s\n",
			a->ifname, strerror(-(in < 0 ? in : eg)));
		return;
	}
	if (in + eg) {
		pr_info("kept the clsact qdisc on %s: %d filter(s) of other tools on it\n",
			a->ifname, in + eg);
		return;
	}
	bpf_tc_hook_destroy(&hook);
}

static void detach_tc(struct wl_attach *a, enum bpf_tc_attach_point point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
		    .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = WL_TC_HANDLE,
		    .priority = WL_TC_PRIORITY);

	bpf_tc_detach(&hook, &opts);
}

/*
 * A wirelat killed while it measured ingress on TC (someone else's XDP
 * program was there then) left its wirelat_tc_in at wirelat's handle and
 * priority. Now that XDP has ingress, that filter would count every packet
 * twice: remove it, and only if it is wirelat's by name.
 */
static void remove_stale_tc_ingress(struct wl_run *run, struct wl_attach *a)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = WL_TC_HANDLE,
		    .priority = WL_TC_PRIORITY);
	char name[16];

	if (bpf_tc_query(&hook, &q) || prog_name(q.prog_id, name) ||
	    strcmp(name, bpf_program__name(run->skel->progs.wirelat_tc_in)))
		return;
	pr_info("removing TC ingress program %u left on %s by an earlier wirelat\n",
		q.prog_id, a->ifname);
	detach_tc(a, BPF_TC_INGRESS);
	/* that wirelat made the qdisc: remove it on exit as it would have */
	a->created_clsact = true;
}

/*
 * The hook --ingress auto picks for @a, the reason in @a->why: TC on a
 * virtual device (native XDP on a veth takes segmentation offload from its
 * peer) and on a NIC whose native XDP turns offloads off (virtio_net),
 * native XDP on any other NIC (its driver may still refuse it: then TC).
 */
static enum wl_ingress auto_ingress(struct wl_attach *a, bool *is_nic)
{
	struct wl_ifkind k;
	char name[64];

	wl_ifkind(a->ifindex, a->ifname, &k);
	wl_ifkind_name(&k, name, sizeof(name));
	*is_nic = !k.is_virtual;
	if (k.is_virtual) {
		snprintf(a->why, sizeof(a->why),
			 "auto: %s, TC keeps its segmentation offload", name);
		return WL_INGRESS_TC;
	}
	if (k.native_xdp_costly) {
		snprintf(a->why, sizeof(a->why),
			 "auto: %s turns the host's receive offloads off under native XDP",
			 name);
		return WL_INGRESS_TC;
	}
	snprintf(a->why, sizeof(a->why), "auto: %s, native XDP", name);
	return WL_INGRESS_XDP;
}

/* The reason for a hook --ingress or --xdp-mode forced, into @a->why. */
static void forced_why(struct wl_run *run, struct wl_attach *a,
		       enum wl_ingress want)
{
	struct wl_ifkind k;
	char name[64];

	snprintf(a->why, sizeof(a->why), "forced by %s", run->cfg->ingress_opt);
	if (want != WL_INGRESS_XDP)
		return;
	wl_ifkind(a->ifindex, a->ifname, &k);
	if (k.is_virtual || k.native_xdp_costly)
		snprintf(a->why, sizeof(a->why),
			 "forced by %s; %s: native XDP costs its traffic the offloads (auto uses TC)",
			 run->cfg->ingress_opt,
			 wl_ifkind_name(&k, name, sizeof(name)));
}

/* XDP could not be forced on @a: one line saying what to do. */
static void xdp_failed(struct wl_attach *a, enum wl_ingress want, int err,
		       const char *why)
{
	if (err == -EOPNOTSUPP && want == WL_INGRESS_XDP)
		pr_warn("%s does not support XDP in native mode; try --ingress xdp-skb or tc (or the default auto)\n",
			a->ifname);
	else
		pr_warn("failed to attach XDP on %s: %s\n", a->ifname, why);
}

/*
 * Ingress of @a on the hook --ingress asks for. A foreign program on the
 * XDP hook sends ingress to TC (never displaced); under auto, a NIC driver
 * that refuses native XDP does too. Sets @a->ingress, @a->why.
 */
static int attach_ingress(struct wl_run *run, struct wl_attach *a)
{
	enum wl_ingress want = run->cfg->ingress;
	bool is_auto = want == WL_INGRESS_AUTO, is_nic = false;
	char why[128];
	int err;

	if (is_auto)
		want = auto_ingress(a, &is_nic);
	else
		forced_why(run, a, want);
	/* first, always: a wirelat_xdp a killed wirelat left goes */
	if (xdp_hook_state(a) && want != WL_INGRESS_TC) {
		pr_info("%s already has an XDP program that is not wirelat's; leaving it alone and measuring ingress on TC\n",
			a->ifname);
		snprintf(a->why, sizeof(a->why),
			 "the XDP hook holds another program");
		want = WL_INGRESS_TC;
	}
	if (want != WL_INGRESS_TC) {
		err = attach_xdp(run, a,
				 want == WL_INGRESS_XDP_SKB ? XDP_MODE_SKB :
							      XDP_MODE_NATIVE,
				 why, sizeof(why));
		if (!err) {
			a->ingress = want == WL_INGRESS_XDP ? "xdp" : "xdp-skb";
			remove_stale_tc_ingress(run, a);
			return 0;
		}
		if (!is_auto || !is_nic) {
			xdp_failed(a, want, err, why);
			return err;
		}
		snprintf(a->why, sizeof(a->why),
			 "auto: the driver refused native XDP: %.100s", why);
	}
	err = attach_tc(a, run->skel->progs.wirelat_tc_in, BPF_TC_INGRESS,
			"ingress");
	if (err)
		return err;
	a->tc_ingress = true;
	a->ingress = "tc";
	return 0;
}

int wl_attach_iface(struct wl_run *run, struct wl_attach *a)
{
	int err;

	a->ingress = "none";
	a->why[0] = 0;
	if (!a->loopback) {
		err = attach_ingress(run, a);
		if (err)
			goto fail;
	}
	err = attach_tc(a, run->skel->progs.wirelat_tc_eg, BPF_TC_EGRESS,
			"egress");
	if (err)
		goto fail;
	a->tc_egress = true;
	return 0;
fail:
	wl_detach_iface(a);
	return err;
}

void wl_detach_iface(struct wl_attach *a)
{
	if (a->xdp) {
		/*
		 * Detach exactly our program with plain libbpf: libxdp's detach
		 * needs CAP_SYS_ADMIN to look at the hook and fails silently
		 * without it.
		 */
		LIBBPF_OPTS(bpf_xdp_attach_opts, xo,
			    .old_prog_fd = xdp_program__fd(a->xdp));

		bpf_xdp_detach(a->ifindex,
			       XDP_FLAGS_REPLACE |
				       (a->xdp_mode == XDP_MODE_SKB ?
						XDP_FLAGS_SKB_MODE :
						XDP_FLAGS_DRV_MODE),
			       &xo);
		xdp_program__close(a->xdp);
		a->xdp = NULL;
	}
	if (a->tc_ingress)
		detach_tc(a, BPF_TC_INGRESS);
	if (a->tc_egress)
		detach_tc(a, BPF_TC_EGRESS);
	a->tc_ingress = a->tc_egress = false;
	if (a->created_clsact) {
		remove_clsact_if_unused(a);
		a->created_clsact = false;
	}
}
