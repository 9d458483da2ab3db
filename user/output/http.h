/* SPDX-License-Identifier: BSD-3-Clause */
/* http.h - the metrics endpoint (libmicrohttpd). */
#ifndef WIRELAT_HTTP_H
#define WIRELAT_HTTP_H

#include <sys/socket.h>
#include "core/state.h"

struct MHD_Daemon;

/*
 * Parse --listen: "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT" (all addresses,
 * IPv4 and IPv6). Returns 0 or -EINVAL.
 */
int wl_listen_parse(const char *s, struct sockaddr_storage *ss, int *all);

/*
 * The port first, before anything is attached (a port in use stops the
 * run there): parse @listen, load --web-config, bind and listen. Returns
 * the listening socket or -errno after one line.
 */
int wl_http_bind(struct wl_run *run, const char *listen);

/*
 * Serve GET/HEAD /metrics, /healthz and / on @fd (from wl_http_bind(), now
 * the daemon's) in a thread of its own, started once the privileges are
 * dropped so that it inherits what the main thread kept. Returns the
 * daemon, or NULL after one line (and @fd closed).
 */
struct MHD_Daemon *wl_http_serve(struct wl_run *run, int fd);

/* The scheme /metrics is served with: "https" under a --web-config TLS. */
const char *wl_http_scheme(void);

/*
 * The same endpoint listening nowhere and with no thread of its own:
 * connections are handed to it with MHD_add_connection() and it runs when
 * the caller calls MHD_run() (tests/fuzz/fuzz_http.c). NULL on failure.
 */
struct MHD_Daemon *wl_http_start_unlistened(struct wl_run *run);

void wl_http_stop(struct MHD_Daemon *d);

#endif /* WIRELAT_HTTP_H */
