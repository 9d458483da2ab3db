// SPDX-License-Identifier: BSD-3-Clause
/*
 * http.c - GET /metrics in the Prometheus text format 0.0.4, GET /healthz,
 * and a small index page. Only GET and HEAD on those paths: 404 for other
 * paths, 405 (with Allow) for other methods. Each scrape reads a fixed
 * number of small maps (user/metrics.c), never the flow tables.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "http.h"
#include "log.h"
#include "metrics.h"

#define CT_METRICS "text/plain; version=0.0.4; charset=utf-8"

static const char index_html[] =
	"<!DOCTYPE html><html><head><title>wirelat</title></head><body>"
	"<h1>wirelat</h1><p>TCP handshake and DNS latency on the wire.</p>"
	"<ul><li><a href=\"/metrics\">/metrics</a></li>"
	"<li><a href=\"/healthz\">/healthz</a></li></ul></body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     const char *type, void *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result serve_metrics(struct wl_run *run,
				     struct MHD_Connection *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return MHD_NO;
	err = wl_metrics_write(run, f);
	fclose(f);
	if (err) {
		free(buf);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			     "metrics unavailable\n", 20,
			     MHD_RESPMEM_PERSISTENT);
	}
	return reply(c, MHD_HTTP_OK, CT_METRICS, buf, len,
		     MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_size, void **con_cls)
{
	struct wl_run *run = cls;
	int known = !strcmp(url, "/metrics") || !strcmp(url, "/healthz") ||
		    !strcmp(url, "/");

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)con_cls;
	if (!known)
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain",
			     "not found\n", 10, MHD_RESPMEM_PERSISTENT);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     "method not allowed\n", 19,
			     MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/metrics"))
		return serve_metrics(run, c);
	if (!strcmp(url, "/healthz"))
		return reply(c, MHD_HTTP_OK, "text/plain", "ok\n", 3,
			     MHD_RESPMEM_PERSISTENT);
	return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8",
		     (void *)index_html, sizeof(index_html) - 1,
		     MHD_RESPMEM_PERSISTENT);
}

int wl_listen_parse(const char *s, struct sockaddr_storage *ss, int *all)
{
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t hlen;
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	*all = 0;
	if (!colon)
		return -EINVAL;
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 1 || port > 65535)
		return -EINVAL;
	hlen = colon - s;
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = 0;
	if (!hlen) {	/* ":PORT": every address, IPv4 and IPv6 */
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_any;
		a->sin6_port = htons(port);
		*all = 1;
		return 0;
	}
	if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		host[hlen - 1] = 0;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1 ?
			       0 :
			       -EINVAL;
	}
	{
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 :
								      -EINVAL;
	}
}

struct MHD_Daemon *wl_http_start(struct wl_run *run, const char *listen)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	int all;

	if (wl_listen_parse(listen, &ss, &all)) {
		pr_warn("invalid --listen '%s' (expected ADDR:PORT, [ADDR]:PORT or :PORT)\n",
			listen);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= all ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, run,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_CONNECTION_LIMIT, 64,
			     MHD_OPTION_CONNECTION_TIMEOUT, 10, MHD_OPTION_END);
	if (!d) {
		int err = errno;

		if (err == EADDRINUSE || err == 0)
			pr_warn("cannot serve metrics on %s: the port is in use or the address is not local; pick another with --listen\n",
				listen);
		else
			pr_warn("cannot serve metrics on %s: %s\n", listen,
				strerror(err));
	}
	return d;
}

void wl_http_stop(struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
}
