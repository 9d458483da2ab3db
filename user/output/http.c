// SPDX-License-Identifier: BSD-3-Clause
/*
 * http.c - GET /metrics in the Prometheus text format 0.0.4, GET /healthz,
 * and a small index page. Only GET and HEAD on those paths: 404 for other
 * paths, 405 (with Allow) for other methods. Each scrape reads a fixed
 * number of small maps (user/metrics/snapshot.c), never the flow tables.
 *
 * Exposed with --listen :PORT to a fleet, the endpoint must stay up for
 * Prometheus whatever others do with the port (slowloris: thousands of
 * connections that send half a request and wait). So: epoll (an idle
 * connection costs nothing per poll), room for WL_HTTP_MAX_CONNS, a
 * connection quiet for WL_HTTP_TIMEOUT_S closed, and at most
 * WL_HTTP_PER_CLIENT connections per client address: one more closes that
 * client's oldest, so a flood from one address evicts itself, not others.
 *
 * --web-config (webcfg.h): TLS by libmicrohttpd's GnuTLS (a client that
 * speaks plain HTTP to it is hung up on), basic auth against bcrypt hashes
 * on every path, and with RequireAndVerifyClientCert a 403 for a client
 * without a certificate the client CA signed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include "output/http.h"
#include "core/log.h"
#include "output/prom.h"
#include "output/webcfg.h"

#define CT_METRICS "text/plain; version=0.0.4; charset=utf-8"

#define WL_HTTP_MAX_CONNS 4096	/* fewer if RLIMIT_NOFILE cannot grow */
#define WL_HTTP_PER_CLIENT 32	/* connections per client address */
#define WL_HTTP_TIMEOUT_S 5	/* an idle or half-sent request, closed */

/* One open connection, kept in a list to enforce the per-client limit. */
struct http_conn {
	struct http_conn *next, **pprev;
	struct sockaddr_storage addr;	/* port zeroed: the client's address */
	int fd;
	uint64_t seq;			/* order of arrival */
};

/* Callbacks all run on MHD's one polling thread: no lock needed. */
static struct http_conn *conns;
static uint64_t conn_seq;
/* --web-config: TLS and basic auth (empty: plain HTTP to anyone) */
static struct wl_web web;

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

/* RequireAndVerifyClientCert: a certificate the client CA signed. */
static int client_cert_ok(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	unsigned int status = 0, n = 0;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return 0;
	if (!gnutls_certificate_get_peers(ci->tls_session, &n) || !n)
		return 0;
	return gnutls_certificate_verify_peers2(ci->tls_session, &status) ==
		       0 && !status;
}

/* Basic auth of --web-config; 1 to go on, else the 401 is queued in *ret. */
static int authorized(struct MHD_Connection *c, enum MHD_Result *ret)
{
	static const char denied[] = "unauthorized\n";
	struct MHD_Response *r;
	char *user, *pass = NULL;
	int ok;

	if (!web.n_users)
		return 1;
	user = MHD_basic_auth_get_username_password(c, &pass);
	ok = wl_web_auth_ok(&web, user, pass);
	MHD_free(user);
	MHD_free(pass);
	if (ok)
		return 1;
	r = MHD_create_response_from_buffer(sizeof(denied) - 1,
					    (void *)denied,
					    MHD_RESPMEM_PERSISTENT);
	if (!r) {
		*ret = MHD_NO;
		return 0;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	*ret = MHD_queue_basic_auth_fail_response(c, "wirelat", r);
	MHD_destroy_response(r);
	return 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_size, void **con_cls)
{
	static const char no_cert[] =
		"a client certificate signed by client_ca_file is required\n";
	struct wl_run *run = cls;
	int known = !strcmp(url, "/metrics") || !strcmp(url, "/healthz") ||
		    !strcmp(url, "/");
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)con_cls;
	if (web.verify_client && !client_cert_ok(c))
		return reply(c, MHD_HTTP_FORBIDDEN, "text/plain",
			     (void *)no_cert, sizeof(no_cert) - 1,
			     MHD_RESPMEM_PERSISTENT);
	if (!authorized(c, &ret))
		return ret;
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

/* Address of @sa with the port cleared, so one client's sockets compare equal. */
static void client_key(const struct sockaddr *sa, struct sockaddr_storage *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		memcpy(k, sa, sizeof(struct sockaddr_in));
		((struct sockaddr_in *)k)->sin_port = 0;
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)k;

		a->sin6_family = AF_INET6;
		a->sin6_addr = ((const struct sockaddr_in6 *)sa)->sin6_addr;
	}
}

/*
 * A connection from a client already holding WL_HTTP_PER_CLIENT: shut the
 * client's oldest down. MHD sees the socket end and closes it on this same
 * thread (the fd stays MHD's until then, so it cannot be reused under us).
 */
static void evict_oldest_of(const struct http_conn *nc)
{
	struct http_conn *c, *oldest = NULL;
	int n = 0;

	for (c = conns; c; c = c->next) {
		if (memcmp(&c->addr, &nc->addr, sizeof(c->addr)))
			continue;
		n++;
		if (!oldest || c->seq < oldest->seq)
			oldest = c;
	}
	if (n > WL_HTTP_PER_CLIENT && oldest && oldest != nc) {
		shutdown(oldest->fd, SHUT_RDWR);
		oldest->seq = UINT64_MAX;	/* not picked twice */
	}
}

static void on_connection(void *cls, struct MHD_Connection *mc,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_conn *c = *socket_context;
	const union MHD_ConnectionInfo *ci, *fi;

	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (c) {
			*c->pprev = c->next;
			if (c->next)
				c->next->pprev = c->pprev;
			free(c);
			*socket_context = NULL;
		}
		return;
	}
	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	fi = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci || !ci->client_addr || !fi)
		return;
	c = calloc(1, sizeof(*c));
	if (!c)
		return;
	client_key(ci->client_addr, &c->addr);
	c->fd = fi->connect_fd;
	c->seq = ++conn_seq;
	c->next = conns;
	c->pprev = &conns;
	if (conns)
		conns->pprev = &c->next;
	conns = c;
	*socket_context = c;
	evict_oldest_of(c);
}

/*
 * Connections the endpoint may hold: WL_HTTP_MAX_CONNS, after raising the
 * soft RLIMIT_NOFILE toward it (the default 1024 would run out first);
 * what the limit allows, less room for the BPF object's fds, otherwise.
 */
static unsigned conn_limit(void)
{
	struct rlimit rl;
	rlim_t want = WL_HTTP_MAX_CONNS + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 512;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= want)
		return WL_HTTP_MAX_CONNS;
	return rl.rlim_cur > 512 ? rl.rlim_cur - 256 : rl.rlim_cur / 2;
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

/*
 * The endpoint's daemon on @fd, a socket already listening (-1: none,
 * connections are added by the caller).
 */
static struct MHD_Daemon *start_daemon(struct wl_run *run, unsigned flags,
				       int fd)
{
	if (fd < 0)
		return MHD_start_daemon(
			flags | MHD_USE_NO_LISTEN_SOCKET, 0,
			NULL, NULL, handle, run, MHD_OPTION_CONNECTION_LIMIT,
			conn_limit(), MHD_OPTION_CONNECTION_TIMEOUT,
			(unsigned)WL_HTTP_TIMEOUT_S,
			MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
			MHD_OPTION_END);
	struct MHD_OptionItem tls[4] = { { MHD_OPTION_END, 0, NULL } };
	int n = 0;

	if (web.tls) {
		flags |= MHD_USE_TLS;
		tls[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						    web.cert_pem };
		tls[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
						    web.key_pem };
		if (web.ca_pem)
			tls[n++] = (struct MHD_OptionItem){
				MHD_OPTION_HTTPS_MEM_TRUST, 0, web.ca_pem
			};
	}
	return MHD_start_daemon(flags, 0, NULL, NULL, handle, run,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, conn_limit(),
				MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)WL_HTTP_TIMEOUT_S,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection,
				NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
}

struct MHD_Daemon *wl_http_start_unlistened(struct wl_run *run)
{
	return start_daemon(run, 0, -1);
}

/* A listening TCP socket on @ss (@all: IPv4 too on "::"); fd or -errno. */
static int listen_on(const struct sockaddr_storage *ss, int all)
{
	socklen_t len = ss->ss_family == AF_INET6 ?
				sizeof(struct sockaddr_in6) :
				sizeof(struct sockaddr_in);
	int fd, one = 1, v6only = !all, err;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	/* as libmicrohttpd sets its own: a restart binds at once */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (ss->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			sizeof(v6only))) ||
	    bind(fd, (const struct sockaddr *)ss, len) ||
	    listen(fd, SOMAXCONN)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int wl_http_bind(struct wl_run *run, const char *listen)
{
	struct sockaddr_storage ss;
	int all, fd;

	if (wl_listen_parse(listen, &ss, &all)) {
		pr_warn("invalid --listen '%s' (expected ADDR:PORT, [ADDR]:PORT or :PORT)\n",
			listen);
		return -EINVAL;
	}
	if (run->cfg->web_config && wl_web_load(run->cfg->web_config, &web))
		return -EINVAL;
	fd = listen_on(&ss, all);
	if (fd == -EADDRINUSE || fd == -EADDRNOTAVAIL)
		pr_warn("cannot serve metrics on %s: the port is in use or the address is not local; pick another with --listen\n",
			listen);
	else if (fd < 0)
		pr_warn("cannot serve metrics on %s: %s\n", listen,
			strerror(-fd));
	if (fd < 0) {
		wl_web_free(&web);
		return fd;
	}
	if (web.tls || web.n_users)
		pr_info("metrics over %s%s%s (--web-config %s): %s://%s/metrics\n",
			web.tls ? "TLS" : "plain HTTP",
			web.verify_client ? " with client certificates" : "",
			web.n_users ? " with basic auth" : "",
			run->cfg->web_config, web.tls ? "https" : "http",
			listen);
	return fd;
}

struct MHD_Daemon *wl_http_serve(struct wl_run *run, int fd)
{
	/* epoll on Linux */
	struct MHD_Daemon *d = start_daemon(run, MHD_USE_AUTO_INTERNAL_THREAD,
					    fd);

	if (!d) {
		pr_warn("cannot serve metrics: libmicrohttpd did not start (%s)\n",
			strerror(errno ? errno : EINVAL));
		close(fd);
	}
	return d;
}

/* "https" once --web-config turned TLS on, else "http": for the startup lines */
const char *wl_http_scheme(void)
{
	return web.tls ? "https" : "http";
}

void wl_http_stop(struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
	wl_web_free(&web);
}
