// SPDX-License-Identifier: BSD-3-Clause
/*
 * top_view.c - `wirelat top`: the slowest servers, domains and DNS servers
 * with count, p50, p99, failures and retransmission rate, refreshed every
 * second on a terminal, plain text otherwise.
 *
 * One source of truth: the who-is-slow series of /metrics. From a running
 * daemon (--from http://ADDR:PORT) they are fetched over HTTP; with its
 * own -i or -r, wirelat runs as usual (records to /dev/null) and the same
 * page is written into memory and read back (output/top_table.c turns the
 * page into the tables).
 */
#define _GNU_SOURCE	/* open_memstream */
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "cli_values.h"
#include "core/log.h"
#include "core/state.h"
#include "output/prom.h"
#include "output/top_table.h"
#include "run.h"
#include "top_view.h"

/* In-process runs: the page this run would serve, into the view. */
static void tick(struct wl_run *run, void *ctx)
{
	struct wl_top_view *v = ctx;
	char *page = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&page, &len);

	if (!m)
		return;
	wl_metrics_write(run, m);
	fclose(m);
	wl_top_reset(v);
	wl_top_parse(v, page);
	free(page);
	/* a capture as plain text: once, by the caller, at the end */
	if (v->tty || !run->cfg->read_file)
		wl_top_render(v, stdout);
}

/* GET @url's /metrics: the body (malloc'd), or NULL after one line. */
static char *http_get(const char *url)
{
	char host[256], port[16] = "80", path[512] = "/metrics", req[1024];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai, *a;
	const char *p = url, *slash, *colon;
	size_t len = 0, cap = 1 << 16;
	char *buf, *body;
	ssize_t got;
	int fd = -1, err;

	if (!strncmp(p, "http://", 7))
		p += 7;
	slash = strchr(p, '/');
	if (slash) {
		if (strcmp(slash, "/"))
			snprintf(path, sizeof(path), "%s", slash);
	} else {
		slash = p + strlen(p);
	}
	if (*p == '[') {	/* [v6]:port */
		const char *rb = memchr(p, ']', slash - p);

		if (!rb || (size_t)(rb - p - 1) >= sizeof(host))
			goto bad;
		memcpy(host, p + 1, rb - p - 1);
		host[rb - p - 1] = 0;
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(p, ':', slash - p);
		if ((size_t)((colon ? colon : slash) - p) >= sizeof(host))
			goto bad;
		memcpy(host, p, (colon ? colon : slash) - p);
		host[(colon ? colon : slash) - p] = 0;
	}
	if (colon) {
		if ((size_t)(slash - colon - 1) >= sizeof(port) || slash == colon + 1)
			goto bad;
		memcpy(port, colon + 1, slash - colon - 1);
		port[slash - colon - 1] = 0;
	}
	if (!*host)
		goto bad;
	err = getaddrinfo(host, port, &hints, &ai);
	if (err) {
		pr_warn("--from %s: %s\n", url, gai_strerror(err));
		return NULL;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd >= 0 && !connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		pr_warn("--from %s: cannot connect: %s; is wirelat running with --listen there?\n",
			url, strerror(errno));
		return NULL;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
	if (write(fd, req, strlen(req)) < 0) {
		close(fd);
		return NULL;
	}
	buf = malloc(cap);
	while (buf && (got = read(fd, buf + len, cap - len - 1)) > 0) {
		len += got;
		if (len + 1 == cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[len] = 0;
	body = strstr(buf, "\r\n\r\n");
	if (strncmp(buf, "HTTP/1.", 7) || !strstr(buf, " 200") || !body ||
	    strstr(buf, " 200") > body) {
		pr_warn("--from %s: no metrics page there (HTTP answer: %.40s)\n", url, buf);
		free(buf);
		return NULL;
	}
	memmove(buf, body + 4, strlen(body + 4) + 1);
	return buf;
bad:
	pr_warn("--from '%s': expected http://ADDR:PORT (IPv6: http://[ADDR]:PORT)\n", url);
	return NULL;
}

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int from_daemon(struct wl_top_view *v, const char *url)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char *page;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	do {
		page = http_get(url);
		if (!page)
			return 1;
		wl_top_reset(v);
		wl_top_parse(v, page);
		free(page);
		wl_top_render(v, stdout);
		if (v->tty)
			sleep(1);
	} while (v->tty && !quit);
	return 0;
}

static int parse_sort(const char *s, enum wl_top_sort *k)
{
	static const char *const names[] = { "p99", "p50", "count", "failures",
					     "retrans", "accq" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*k = i;
			return 0;
		}
	pr_warn("invalid --sort '%s' (expected p99, p50, count, failures, retrans or accq)\n", s);
	return -EINVAL;
}

static void top_usage(void)
{
	printf("Usage: wirelat top --from http://ADDR:PORT [--sort KEY] [--rows N]\n"
	       "       wirelat top -i IFACE [-i IFACE...] [wirelat options] [--sort KEY] [--rows N]\n"
	       "       wirelat top -r FILE [wirelat options] [--sort KEY] [--rows N]\n\n"
	       "The slowest servers, domains and DNS servers (wirelat's top-N series):\n"
	       "count, p50, p99, failures, retransmission rate, accept-queue drops\n"
	       "(ACCQ: SYN-ACKs sent again after the client's ACK). On a terminal the view\n"
	       "is redrawn every second; otherwise it is printed once as plain text\n"
	       "(with -i: every second).\n\n"
	       "  --from URL     read a running wirelat's /metrics\n"
	       "  --sort KEY     p99 (default), p50, count, failures, retrans, accq\n"
	       "  --rows N       rows per table (default 10)\n"
	       "Other options are wirelat's (see wirelat --help).\n");
}

int wl_top_main(int argc, char **argv)
{
	struct wl_top_view v = { .sort = WL_TOP_P99, .max_rows = 10 };
	const char *from = NULL;
	char **rest = calloc(argc + 1, sizeof(*rest));
	struct wl_config cfg;
	int i, n = 0, err, t;
	FILE *devnull;

	if (!rest)
		return 1;
	v.tty = isatty(STDOUT_FILENO);
	rest[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--from") || !strcmp(argv[i], "--sort") ||
		    !strcmp(argv[i], "--rows")) {
			if (i + 1 >= argc) {
				pr_warn("option %s needs a value; see wirelat top --help\n", argv[i]);
				free(rest);
				return 2;
			}
			if (!strcmp(argv[i], "--from")) {
				from = argv[++i];
			} else if (!strcmp(argv[i], "--sort")) {
				if (parse_sort(argv[++i], &v.sort)) {
					free(rest);
					return 2;
				}
			} else {
				uint64_t rows;

				if (wl_parse_u64(argv[++i], 1, 1000, &rows)) {
					pr_warn("invalid --rows '%s' (expected an integer from 1 to 1000)\n", argv[i]);
					free(rest);
					return 2;
				}
				v.max_rows = rows;
			}
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			top_usage();
			free(rest);
			return 0;
		} else {
			rest[n++] = argv[i];
		}
	}
	for (t = 0; t < WL_TOP_TABLES; t++) {
		v.rows[t] = calloc(WL_TOP_ROWS_MAX, sizeof(struct wl_top_row));
		if (!v.rows[t])
			return 1;
	}
	if (from) {
		if (n > 1) {
			pr_warn("--from reads a running wirelat: drop '%s' (or drop --from and give -i or -r)\n", rest[1]);
			err = 2;
		} else {
			v.source = from;
			err = from_daemon(&v, from);
		}
	} else {
		err = wl_config_parse(&cfg, n, rest);
		if (err) {
			err = err > 0 ? 0 : 2;
		} else if (!cfg.top) {
			pr_warn("wirelat top needs the top-N series: drop --top 0\n");
			err = 2;
		} else {
			v.source = cfg.read_file ? cfg.read_file : cfg.ifnames[0];
			devnull = fopen("/dev/null", "w");
			err = devnull ? wl_run_main(&cfg, devnull, tick, &v) : 1;
			if (devnull)
				fclose(devnull);
			if (!err && cfg.read_file && !v.tty)
				wl_top_render(&v, stdout);
		}
	}
	for (t = 0; t < WL_TOP_TABLES; t++)
		free(v.rows[t]);
	free(rest);
	return err;
}
