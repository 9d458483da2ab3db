/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * webcfg.h - --web-config FILE: TLS and basic auth for the metrics
 * endpoint, in the format of Prometheus exporter-toolkit's web config:
 *
 *   tls_server_config:
 *     cert_file: server.crt          # PEM; relative to FILE's directory
 *     key_file: server.key
 *     client_auth_type: RequireAndVerifyClientCert   # or NoClientCert
 *     client_ca_file: ca.crt
 *   basic_auth_users:
 *     alice: $2y$10$...              # bcrypt
 */
#ifndef WIRELAT_WEBCFG_H
#define WIRELAT_WEBCFG_H

#include <stdbool.h>
#include <stddef.h>

#define WL_WEB_MAX_USERS 64

struct wl_web_user {
	char *name;
	char *hash;		/* bcrypt: $2a$, $2b$ or $2y$ */
};

struct wl_web {
	bool tls;
	char *cert_pem, *key_pem, *ca_pem;	/* file contents, NUL-ended */
	bool verify_client;	/* RequireAndVerifyClientCert */
	struct wl_web_user users[WL_WEB_MAX_USERS];
	int n_users;
};

/*
 * Read and check @path into @w (zeroed first): every key known, the
 * certificate and key loadable as a pair, the client CA a PEM
 * certificate, each password a bcrypt hash. Returns 0, or -EINVAL (or
 * -errno of a file) after one line on stderr naming the key at fault.
 */
int wl_web_load(const char *path, struct wl_web *w);

void wl_web_free(struct wl_web *w);

/*
 * Basic auth: 1 when @user is configured and @password matches its hash,
 * else 0. Always 1 when no users are configured.
 */
int wl_web_auth_ok(const struct wl_web *w, const char *user,
		   const char *password);

#endif /* WIRELAT_WEBCFG_H */
