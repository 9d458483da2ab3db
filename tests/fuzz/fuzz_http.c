// SPDX-License-Identifier: BSD-3-Clause
/*
 * fuzz_http.c - libFuzzer harness: the input is what a client sends to the
 * metrics endpoint (request line, path, query string, method, headers,
 * body, several requests on one connection). The real endpoint
 * (user/output/http.c on libmicrohttpd, /metrics read from a loaded BPF object)
 * gets it over a socket pair; the harness reads until the endpoint closes.
 * Invariants: every response is HTTP/1.x with a known status, and
 * /metrics is answered 200 only to GET or HEAD.
 */
#define _GNU_SOURCE	/* memmem */
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>
#include "fuzz_common.h"
#include "output/http.h"

#define REPLY_MAX (4u << 20)

static struct MHD_Daemon *daemon_once(void)
{
	static struct MHD_Daemon *d;

	if (!d) {
		d = wl_http_start_unlistened(wl_fuzz_run(NULL));
		if (!d)
			abort();
	}
	return d;
}

/*
 * Run the endpoint until it closes the connection or has nothing left to
 * do with what was sent (a request cut short waits for more); read what
 * it wrote into @buf. The endpoint runs here, on this thread, so an input
 * is done with when this returns. Returns 1 when the endpoint closed.
 */
static int exchange(struct MHD_Daemon *d, int fd, char *buf, size_t cap)
{
	size_t n = 0;
	int idle = 0;

	while (idle < 3) {
		ssize_t r;

		WL_FUZZ_CHECK(MHD_run(d) == MHD_YES, "MHD_run failed");
		r = recv(fd, buf + n, cap - 1 - n, MSG_DONTWAIT);
		if (r == 0) {
			buf[n] = 0;
			return 1;
		}
		if (r < 0) {
			idle++;
			continue;
		}
		idle = 0;
		n += r;
		WL_FUZZ_CHECK(n < cap - 1, "reply over %u bytes", REPLY_MAX);
	}
	buf[n] = 0;
	return 0;
}

static void check_statuses(const char *reply)
{
	const char *p = reply;

	while ((p = strstr(p, "HTTP/1."))) {
		int status = 0;

		if (sscanf(p, "HTTP/1.%*d %d", &status) == 1)
			WL_FUZZ_CHECK(status >= 100 && status <= 599,
				      "status %d", status);
		p += 7;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char reply[REPLY_MAX];
	struct sockaddr_in peer = { .sin_family = AF_INET };
	struct MHD_Daemon *d = daemon_once();
	int sv[2];

	if (size > 65536)
		return -1;	/* not kept: the socket buffer holds it whole */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	peer.sin_addr.s_addr = htonl(0x7f000001);
	if (MHD_add_connection(d, sv[1], (struct sockaddr *)&peer,
			       sizeof(peer)) != MHD_YES) {
		close(sv[0]);
		return 0;	/* MHD closed sv[1] */
	}
	if (size && write(sv[0], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[0], SHUT_WR);
	if (!exchange(d, sv[0], reply, sizeof(reply))) {
		/* cut short: hang up, and let the endpoint see it go */
		close(sv[0]);
		sv[0] = -1;
		for (int i = 0; i < 3; i++)
			MHD_run(d);
	}
	if (sv[0] >= 0)
		close(sv[0]);
	if (getenv("WL_FUZZ_SHOW"))	/* what the endpoint answered */
		fprintf(stderr, "%.300s\n", reply);
	check_statuses(reply);
	/* /metrics with a body of metrics: only to GET or HEAD */
	if (strstr(reply, "# TYPE "))
		WL_FUZZ_CHECK(memmem(data, size, "GET", 3) ||
				      memmem(data, size, "HEAD", 4),
			      "metrics without a GET or HEAD");
	return 0;
}
