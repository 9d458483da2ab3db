// SPDX-License-Identifier: BSD-3-Clause
/*
 * top_view.c - `wirelat top`: the slowest servers, domains and DNS servers
 * with count, p50, p99, failures and retransmission rate, refreshed every
 * second on a terminal, plain text otherwise.
 *
 * One source of truth: the who-is-slow series of /metrics. From a running
 * daemon (--from http://ADDR:PORT) they are fetched over HTTP; with its
 * own -i or -r, wirelat runs as usual (records to /dev/null) and the same
 * page is written into memory and read back. Quantiles are estimated from
 * the buckets as Prometheus's histogram_quantile() does.
 */
#define _GNU_SOURCE	/* open_memstream, qsort_r */
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
#include "hist.h"
#include "core/log.h"
#include "output/prom.h"
#include "run.h"
#include "core/state.h"
#include "top_view.h"

#define ROWS_MAX 4096
#define NAME_MAX_LEN 256

enum { T_SERVERS, T_DOMAINS, T_DNS, T_MAX };

enum sort_key { S_P99, S_P50, S_COUNT, S_FAILURES, S_RETRANS, S_ACCQ };

struct row {
	char name[NAME_MAX_LEN];
	double bucket[WL_HIST_BUCKETS];	/* cumulative, summed over interfaces */
	double count;			/* latency observations */
	double failures;
	double segments, retransmits;
	double accept_queue_drops;	/* SYN-ACKs after the ACK */
	double p50, p99;
	double st_bucket[WL_HIST_BUCKETS];	/* server time (DNS servers) */
	double st_p99;
};

struct view {
	struct row *rows[T_MAX];
	int n[T_MAX];
	enum sort_key sort;
	int max_rows;
	const char *source;
	bool tty;
};

static const char *const table_title[T_MAX] = {
	"SERVER", "DOMAIN", "DNS SERVER",
};

static struct row *row_of(struct view *v, int t, const char *name)
{
	int i;

	for (i = 0; i < v->n[t]; i++)
		if (!strcmp(v->rows[t][i].name, name))
			return &v->rows[t][i];
	if (v->n[t] >= ROWS_MAX)
		return NULL;
	memset(&v->rows[t][i], 0, sizeof(v->rows[t][i]));
	snprintf(v->rows[t][i].name, NAME_MAX_LEN, "%s", name);
	v->n[t]++;
	return &v->rows[t][i];
}

/* The value of label @key in "{a="x",b="y"}" into @out (unescaped). */
static bool label(const char *labels, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p;
	size_t o = 0;

	snprintf(pat, sizeof(pat), "%s=\"", key);
	p = strstr(labels, pat);
	/* a match at the start or after a comma, not inside another name */
	while (p && p != labels && p[-1] != ',' && p[-1] != '{')
		p = strstr(p + 1, pat);
	if (!p)
		return false;
	for (p += strlen(pat); *p && *p != '"' && o + 1 < len; p++) {
		if (*p == '\\' && p[1])
			p++;
		out[o++] = *p;
	}
	out[o] = 0;
	return true;
}

/* Index of the bucket whose printed le is @le (as output/prom_format.c prints it). */
static int bucket_index(const char *le)
{
	char buf[32];
	int k;

	if (!strcmp(le, "+Inf"))
		return WL_HIST_FINITE;
	for (k = 0; k < WL_HIST_FINITE; k++) {
		snprintf(buf, sizeof(buf), "%.6g", 1e-5 * pow(2.0, k / 2.0));
		if (!strcmp(buf, le))
			return k;
	}
	return -1;
}

static const struct {
	const char *metric;
	int table;
	const char *label;
} hist_metrics[] = {
	{ "wirelat_server_handshake_seconds", T_SERVERS, "server" },
	{ "wirelat_dns_domain_response_seconds", T_DOMAINS, "domain" },
	{ "wirelat_dns_server_response_seconds", T_DNS, "server" },
};

/* One line of the exposition format into the rows. */
static void parse_line(struct view *v, const char *line)
{
	char name[128], labels[1024], key[NAME_MAX_LEN], le[32];
	const char *brace = strchr(line, '{'), *end;
	struct row *r;
	double val;
	size_t i, nlen;

	if (line[0] == '#' || !brace)
		return;
	end = strrchr(line, '}');
	if (!end || end < brace)
		return;
	nlen = brace - line;
	if (nlen >= sizeof(name) || (size_t)(end - brace) >= sizeof(labels))
		return;
	memcpy(name, line, nlen);
	name[nlen] = 0;
	memcpy(labels, brace, end - brace + 1);
	labels[end - brace + 1] = 0;
	val = strtod(end + 1, NULL);
	for (i = 0; i < sizeof(hist_metrics) / sizeof(hist_metrics[0]); i++) {
		size_t ml = strlen(hist_metrics[i].metric);

		if (strncmp(name, hist_metrics[i].metric, ml) ||
		    !label(labels, hist_metrics[i].label, key, sizeof(key)) ||
		    !strcmp(key, "other"))
			continue;
		r = row_of(v, hist_metrics[i].table, key);
		if (!r)
			return;
		if (!strcmp(name + ml, "_bucket") && label(labels, "le", le, sizeof(le))) {
			int k = bucket_index(le);

			if (k >= 0)
				r->bucket[k] += val;
		} else if (!strcmp(name + ml, "_count")) {
			r->count += val;
		}
		return;
	}
	if ((!strcmp(name, "wirelat_dns_server_time_seconds_bucket") ||
	     !strcmp(name, "wirelat_server_time_seconds_bucket")) &&
	    label(labels, "server", key, sizeof(key)) && strcmp(key, "other") &&
	    label(labels, "le", le, sizeof(le))) {
		int k = bucket_index(le);

		if (k >= 0 && (r = row_of(v, name[8] == 'd' ? T_DNS : T_SERVERS, key)))
			r->st_bucket[k] += val;
		return;
	}
	if (!strcmp(name, "wirelat_server_failures_total") &&
	    label(labels, "server", key, sizeof(key)) && strcmp(key, "other")) {
		if ((r = row_of(v, T_SERVERS, key)))
			r->failures += val;
	} else if (!strcmp(name, "wirelat_dns_domain_failures_total") &&
		   label(labels, "domain", key, sizeof(key)) && strcmp(key, "other")) {
		/* NXDOMAIN is an answer, not the domain failing: timeouts and SERVFAIL */
		if (label(labels, "reason", le, sizeof(le)) && strcmp(le, "nxdomain") &&
		    (r = row_of(v, T_DOMAINS, key)))
			r->failures += val;
	} else if (!strcmp(name, "wirelat_server_accept_queue_drops_total") &&
		   label(labels, "server", key, sizeof(key)) && strcmp(key, "other")) {
		if ((r = row_of(v, T_SERVERS, key)))
			r->accept_queue_drops += val;
	} else if ((!strcmp(name, "wirelat_server_segments_total") ||
		    !strcmp(name, "wirelat_server_retransmits_total")) &&
		   label(labels, "server", key, sizeof(key)) && strcmp(key, "other")) {
		if ((r = row_of(v, T_SERVERS, key))) {
			if (!strcmp(name, "wirelat_server_segments_total"))
				r->segments += val;
			else
				r->retransmits += val;
		}
	}
}

/* histogram_quantile(): linear inside the bucket that holds rank q. */
static double quantile_of(const double *bucket, double q)
{
	double total = bucket[WL_HIST_FINITE], rank = q * total, lo = 0, prev = 0;
	int k;

	if (total <= 0)
		return NAN;
	for (k = 0; k < WL_HIST_FINITE; k++) {
		double hi = 1e-5 * pow(2.0, k / 2.0);

		if (bucket[k] >= rank) {
			double in = bucket[k] - prev;

			return in > 0 ? lo + (hi - lo) * (rank - prev) / in : hi;
		}
		lo = hi;
		prev = bucket[k];
	}
	return lo;	/* in +Inf: the highest finite bound, as Prometheus */
}

static double quantile(const struct row *r, double q)
{
	return quantile_of(r->bucket, q);
}

static int parse_page(struct view *v, const char *page)
{
	const char *p = page;
	char line[2048];
	int t, i;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = 0;
			parse_line(v, line);
		}
		p += len + (nl ? 1 : 0);
	}
	for (t = 0; t < T_MAX; t++)
		for (i = 0; i < v->n[t]; i++) {
			v->rows[t][i].p50 = quantile(&v->rows[t][i], 0.5);
			v->rows[t][i].p99 = quantile(&v->rows[t][i], 0.99);
			v->rows[t][i].st_p99 = quantile_of(v->rows[t][i].st_bucket, 0.99);
		}
	return 0;
}

static double sort_value(const struct row *r, enum sort_key k)
{
	double v;

	switch (k) {
	case S_P50:
		v = r->p50;
		break;
	case S_COUNT:
		v = r->count + r->failures;
		break;
	case S_FAILURES:
		v = r->failures;
		break;
	case S_RETRANS:
		v = r->segments > 0 ? r->retransmits / r->segments : -1;
		break;
	case S_ACCQ:
		v = r->accept_queue_drops;
		break;
	default:
		v = r->p99;
		break;
	}
	return isnan(v) ? -1 : v;
}

static int by_key(const void *a, const void *b, void *arg)
{
	const struct row *x = a, *y = b;
	enum sort_key k = *(const enum sort_key *)arg;
	double vx = sort_value(x, k), vy = sort_value(y, k);

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void fmt_s(char *buf, size_t len, double s)
{
	if (isnan(s))
		snprintf(buf, len, "-");
	else if (s < 1)
		snprintf(buf, len, "%.2fms", s * 1e3);
	else
		snprintf(buf, len, "%.2fs", s);
}

/*
 * Where the time goes: of a DNS server's p99, the server's part (its time
 * beyond its own baseline) and the network's (the rest); of a TCP server,
 * the p99 of its turns' server time, and its handshake p99 as the
 * network's (a SYN-ACK comes from the kernel, not the application).
 */
static void split(FILE *f, const struct row *r, int dns)
{
	char a[32], b[32];
	double net = r->p99;

	if (dns)
		net = isnan(r->st_p99) || isnan(r->p99) ? NAN :
		      r->p99 > r->st_p99 ? r->p99 - r->st_p99 : 0;
	fmt_s(a, sizeof(a), r->st_p99);
	fmt_s(b, sizeof(b), net);
	fprintf(f, " %8s %8s", a, b);
}

static void render(struct view *v, FILE *f)
{
	static const char *const sort_name[] = { "p99", "p50", "count",
						  "failures", "retrans",
						  "accq" };
	char ts[40], a[32], b[32], c[32];
	time_t now = time(NULL);
	int t, i;

	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	if (v->tty)
		fputs("\033[H\033[2J", f);	/* home, clear */
	fprintf(f, "wirelat top - %s - %s - sorted by %s%s\n", v->source, ts,
		sort_name[v->sort], v->tty ? " (Ctrl-C quits)" : "");
	for (t = 0; t < T_MAX; t++) {
		qsort_r(v->rows[t], v->n[t], sizeof(struct row), by_key, &v->sort);
		fprintf(f, "\n%-40s %8s %10s %10s", table_title[t], "COUNT",
			"P50", "P99");
		fprintf(f, "%s\n", t == T_SERVERS ? "     FAIL   RETX%   ACCQ  SRV P99  NETWORK" :
				  t == T_DOMAINS ? "     FAIL" :
						   "  SRV P99  NETWORK");
		if (!v->n[t])
			fprintf(f, "(none yet)\n");
		for (i = 0; i < v->n[t] && i < v->max_rows; i++) {
			const struct row *r = &v->rows[t][i];

			fmt_s(a, sizeof(a), r->p50);
			fmt_s(b, sizeof(b), r->p99);
			snprintf(c, sizeof(c), "%.0f", r->failures);
			fprintf(f, "%-40.40s %8.0f %10s %10s", r->name,
				r->count + r->failures, a, b);
			if (t != T_DNS)
				fprintf(f, " %8s", c);
			if (t == T_SERVERS) {
				if (r->segments > 0)
					fprintf(f, " %7.2f", 100.0 * r->retransmits / r->segments);
				else
					fprintf(f, " %7s", "-");
				fprintf(f, " %6.0f", r->accept_queue_drops);
			}
			if (t != T_DOMAINS)
				split(f, r, t == T_DNS);
			fputc('\n', f);
		}
	}
	fflush(f);
}

static void view_reset(struct view *v)
{
	int t;

	for (t = 0; t < T_MAX; t++)
		v->n[t] = 0;
}

/* In-process runs: the page this run would serve, into the view. */
static void tick(struct wl_run *run, void *ctx)
{
	struct view *v = ctx;
	char *page = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&page, &len);

	if (!m)
		return;
	wl_metrics_write(run, m);
	fclose(m);
	view_reset(v);
	parse_page(v, page);
	free(page);
	/* a capture as plain text: once, by the caller, at the end */
	if (v->tty || !run->cfg->read_file)
		render(v, stdout);
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

static int from_daemon(struct view *v, const char *url)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char *page;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	do {
		page = http_get(url);
		if (!page)
			return 1;
		view_reset(v);
		parse_page(v, page);
		free(page);
		render(v, stdout);
		if (v->tty)
			sleep(1);
	} while (v->tty && !quit);
	return 0;
}

static int parse_sort(const char *s, enum sort_key *k)
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
	struct view v = { .sort = S_P99, .max_rows = 10 };
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
	for (t = 0; t < T_MAX; t++) {
		v.rows[t] = calloc(ROWS_MAX, sizeof(struct row));
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
				render(&v, stdout);
		}
	}
	for (t = 0; t < T_MAX; t++)
		free(v.rows[t]);
	free(rest);
	return err;
}
