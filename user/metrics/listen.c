// SPDX-License-Identifier: BSD-3-Clause
/*
 * listen.c - listening sockets' accept queues and drops (sock_diag, as
 * `ss -lnt` reads them: inet_diag_req_v2 over NETLINK_SOCK_DIAG, the
 * queue in idiag_rqueue, the limit in idiag_wqueue, the drops in
 * INET_DIAG_SKMEMINFO's SK_MEMINFO_DROPS, which a listener's full accept
 * queue or SYN queue raises with ListenDrops) and the namespace's TcpExt
 * counters (/proc/net/netstat, as nstat reads them). See listen.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "metrics/listen.h"
#include "core/log.h"

#define WL_LISTEN_SOCKS 512	/* listeners one dump keeps */
#define WL_LISTEN_HIST 160	/* seconds of drops per port: a handshake
				 * waits up to 130 s (DESIGN.md) */
#define WL_LISTEN_FRESH_NS 100000000ULL	/* a cause reads again when older */

/* The host's TcpExt counters (enum wl_netstat) in /proc/net/netstat */
static const char *const netstat_key[WL_NS_MAX] = {
	"ListenOverflows", "ListenDrops", "TCPReqQFullDrop", "SyncookiesSent",
};
struct lsock {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	uint32_t queue, limit, drops;
};

struct port_hist {
	uint16_t port;
	uint64_t t[WL_LISTEN_HIST];	/* CLOCK_MONOTONIC ns, a ring */
	uint64_t drops[WL_LISTEN_HIST];
	int n, head;			/* head: the next slot written */
};

struct wl_listen {
	pthread_mutex_t lock;
	int fd;
	uint32_t seq;
	struct lsock cur[WL_LISTEN_SOCKS];
	int ncur;
	uint64_t cur_t;
	bool cur_ok;
	struct port_hist port[WL_LISTEN_PORTS];	/* named, in order first seen */
	int nport;
	uint64_t netstat[WL_NS_MAX];
	bool netstat_ok;
	bool warned_diag, warned_netstat;
};

struct wl_listen *wl_listen_new(void)
{
	struct wl_listen *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	pthread_mutex_init(&l->lock, NULL);
	l->fd = -1;
	return l;
}

void wl_listen_free(struct wl_listen *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One listener of a dump reply, with its drops when the kernel gave them. */
static void take_msg(struct lsock *out, int *n, const struct nlmsghdr *h)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	const struct rtattr *a = (const struct rtattr *)(m + 1);
	struct lsock *s;

	if (len < 0 || *n >= WL_LISTEN_SOCKS)
		return;
	s = &out[(*n)++];
	memset(s, 0, sizeof(*s));
	s->family = m->idiag_family == AF_INET6 ? 6 : 4;
	memcpy(s->addr, m->id.idiag_src, s->family == 6 ? 16 : 4);
	s->port = ntohs(m->id.idiag_sport);
	s->queue = m->idiag_rqueue;	/* listeners: sk_ack_backlog */
	s->limit = m->idiag_wqueue;	/* listeners: sk_max_ack_backlog */
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == INET_DIAG_SKMEMINFO &&
		    RTA_PAYLOAD(a) >= (int)((SK_MEMINFO_DROPS + 1) * sizeof(uint32_t)))
			s->drops = ((const uint32_t *)RTA_DATA(a))[SK_MEMINFO_DROPS];
}

/* NLMSG_OK of the kernel's uapi header compares the __u32 nlmsg_len with
 * an int (-Wsign-compare, an error in the fuzz and sanitizer builds) */
static bool nlmsg_ok(const struct nlmsghdr *h, int left)
{
	return left >= (int)sizeof(*h) && h->nlmsg_len >= sizeof(*h) &&
	       h->nlmsg_len <= (unsigned int)left;
}

/* The TCP listeners of @family into @out (from *@n on): 0 or -errno. */
static int dump_family(struct wl_listen *l, int family, struct lsock *out,
		       int *n)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = ++l->seq,
		},
		.r = {
			.sdiag_family = family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_ext = 1 << (INET_DIAG_SKMEMINFO - 1),
			.idiag_states = 1 << TCP_LISTEN,
		},
	};
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	if (sendto(l->fd, &req, sizeof(req), 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0)
		return -errno;
	for (;;) {
		ssize_t got = recv(l->fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int left = (int)got;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (; nlmsg_ok(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != l->seq)
				continue;	/* a reply to an earlier dump */
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : -EPROTO;
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
				take_msg(out, n, h);
		}
	}
}

/* Every TCP listener now, into l->cur (with l->lock held). */
static int dump_listeners(struct wl_listen *l, uint64_t now)
{
	int n = 0, err;

	if (l->fd < 0) {
		l->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			       NETLINK_SOCK_DIAG);
		if (l->fd < 0)
			return -errno;
	}
	err = dump_family(l, AF_INET, l->cur, &n);
	if (!err)
		err = dump_family(l, AF_INET6, l->cur, &n);
	if (err) {
		/* a dump cut short leaves replies behind: a new socket */
		close(l->fd);
		l->fd = -1;
		l->cur_ok = false;
		return err;
	}
	l->ncur = n;
	l->cur_t = now;
	l->cur_ok = true;
	return 0;
}

/* /proc/net/netstat: the TcpExt names line, then its values line. */
static int read_netstat(uint64_t *v)
{
	char names[8192], vals[8192];
	FILE *f = fopen("/proc/net/netstat", "r");
	int found = 0, i;

	if (!f)
		return -errno;
	while (fgets(names, sizeof(names), f) && fgets(vals, sizeof(vals), f)) {
		char *sn, *sv, *n, *x;

		if (strncmp(names, "TcpExt:", 7) || strncmp(vals, "TcpExt:", 7))
			continue;
		n = strtok_r(names + 7, " \n", &sn);
		x = strtok_r(vals + 7, " \n", &sv);
		for (; n && x; n = strtok_r(NULL, " \n", &sn),
			       x = strtok_r(NULL, " \n", &sv))
			for (i = 0; i < WL_NS_MAX; i++)
				if (!strcmp(n, netstat_key[i])) {
					v[i] = strtoull(x, NULL, 10);
					found |= 1 << i;
				}
	}
	fclose(f);
	return found == (1 << WL_NS_MAX) - 1 ? 0 : -ENOENT;
}

/* The named port @port (a new one while there is room), or NULL. */
static struct port_hist *port_of(struct wl_listen *l, uint16_t port, bool add)
{
	int i;

	for (i = 0; i < l->nport; i++)
		if (l->port[i].port == port)
			return &l->port[i];
	if (!add || l->nport == WL_LISTEN_PORTS)
		return NULL;
	l->port[l->nport].port = port;
	return &l->port[l->nport++];
}

static uint64_t port_drops(const struct wl_listen *l, uint16_t port)
{
	uint64_t d = 0;
	int i;

	for (i = 0; i < l->ncur; i++)
		if (l->cur[i].port == port)
			d += l->cur[i].drops;
	return d;
}

int wl_listen_sample(struct wl_listen *l, uint64_t now)
{
	int err, i;

	pthread_mutex_lock(&l->lock);
	err = dump_listeners(l, now);
	if (err && !l->warned_diag) {
		pr_warn("listening sockets: sock_diag dump failed: %s (no wirelat_listen_* series)\n",
			strerror(-err));
		l->warned_diag = true;
	}
	if (!err) {
		/* every port seen gets a series while there is room */
		for (i = 0; i < l->ncur; i++)
			port_of(l, l->cur[i].port, true);
		for (i = 0; i < l->nport; i++) {
			struct port_hist *p = &l->port[i];

			p->t[p->head] = now;
			p->drops[p->head] = port_drops(l, p->port);
			p->head = (p->head + 1) % WL_LISTEN_HIST;
			if (p->n < WL_LISTEN_HIST)
				p->n++;
		}
	}
	i = read_netstat(l->netstat);
	l->netstat_ok = !i;
	if (i && !l->warned_netstat) {
		pr_warn("/proc/net/netstat: %s (no wirelat_host_* series)\n",
			strerror(-i));
		l->warned_netstat = true;
	}
	pthread_mutex_unlock(&l->lock);
	return err;
}

void wl_listen_view(struct wl_listen *l, struct wl_listen_view *v)
{
	int i;

	memset(v, 0, sizeof(*v));
	pthread_mutex_lock(&l->lock);
	v->ok = l->cur_ok;
	v->nport = l->nport;
	for (i = 0; i < l->nport; i++)
		v->port[i] = l->port[i].port;
	for (i = 0; l->cur_ok && i < l->ncur; i++) {
		const struct lsock *s = &l->cur[i];
		struct port_hist *p = port_of(l, s->port, false);
		int j = p ? (int)(p - l->port) : WL_LISTEN_PORTS;

		v->queue[j] += s->queue;
		v->limit[j] += s->limit;
		v->drops[j] += s->drops;
	}
	v->netstat_ok = l->netstat_ok;
	memcpy(v->netstat, l->netstat, sizeof(v->netstat));
	pthread_mutex_unlock(&l->lock);
}

/* Does listener @s take connections to @r's server? */
static bool serves(const struct lsock *s, const struct wl_record *r)
{
	static const uint8_t zero[16];

	if (s->port != r->server_port)
		return false;
	if (s->family == r->family)
		return !memcmp(s->addr, zero, 16) ||
		       !memcmp(s->addr, r->server_ip, r->family == 6 ? 16 : 4);
	/* a [::] listener takes IPv4 too (unless IPV6_V6ONLY: not in the dump) */
	return s->family == 6 && !memcmp(s->addr, zero, 16);
}

/* The port's drops at the last sample at or before @t (the oldest after). */
static uint64_t drops_at(const struct port_hist *p, uint64_t t)
{
	uint64_t best = 0;
	bool found = false;
	int i;

	for (i = 0; i < p->n; i++) {
		int j = (p->head - 1 - i + 2 * WL_LISTEN_HIST) % WL_LISTEN_HIST;

		best = p->drops[j];
		found = true;
		if (p->t[j] <= t)
			break;
	}
	return found ? best : 0;
}

int wl_listen_cause(struct wl_listen *l, const struct wl_record *r,
		    char *name, size_t len, uint64_t *drops)
{
	uint64_t start, now, before, after;
	const struct lsock *s = NULL;
	struct port_hist *p;
	char a[INET6_ADDRSTRLEN];
	int i, found = 0;

	if (!l || r->source != WL_SRC_WIRE)
		return 0;
	switch (r->type) {
	case WL_REC_HANDSHAKE:
		if (!r->syn_retransmits)
			return 0;
		start = r->ts_ns - r->hs.handshake_ns;
		break;
	case WL_REC_HANDSHAKE_FAILED:
		if (r->reason != WL_FAIL_TIMEOUT)
			return 0;
		start = r->ts_ns - r->fail.elapsed_ns;
		break;
	case WL_REC_CLOSE:
		if (!r->close.accept_queue_drops)
			return 0;
		start = r->ts_ns - r->close.duration_ns;
		break;
	default:
		return 0;
	}
	pthread_mutex_lock(&l->lock);
	now = mono_ns();
	if (!l->cur_ok || now - l->cur_t > WL_LISTEN_FRESH_NS)
		dump_listeners(l, now);
	for (i = 0; l->cur_ok && i < l->ncur; i++)
		if (serves(&l->cur[i], r)) {
			s = &l->cur[i];
			break;
		}
	p = s ? port_of(l, s->port, false) : NULL;
	if (p && p->n) {
		before = drops_at(p, start);
		after = port_drops(l, s->port);
		if (after > before) {
			inet_ntop(s->family == 6 ? AF_INET6 : AF_INET, s->addr,
				  a, sizeof(a));
			snprintf(name, len, s->family == 6 ? "[%s]:%u" : "%s:%u",
				 a, s->port);
			*drops = after - before;
			found = 1;
		}
	}
	pthread_mutex_unlock(&l->lock);
	return found;
}
