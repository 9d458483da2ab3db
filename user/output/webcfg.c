// SPDX-License-Identifier: BSD-3-Clause
/*
 * webcfg.c - --web-config FILE (webcfg.h), read with libyaml; every
 * failure one line naming the key, as exporter-toolkit's keys are spelled
 * (tls_server_config.key_file). Paths are relative to FILE's directory,
 * as exporter-toolkit resolves them.
 */
#define _GNU_SOURCE	/* crypt_r's struct crypt_data */
#include <crypt.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <yaml.h>
#include "core/log.h"
#include "output/webcfg.h"

struct ctx {
	const char *path;	/* the config file, for messages */
	char dir[4096];		/* its directory */
	yaml_document_t doc;
	struct wl_web *w;
	char *cert_file, *key_file, *ca_file, *auth_type;
};

static int bad(const struct ctx *c, const char *key, const char *what)
{
	pr_warn("--web-config %s: %s: %s\n", c->path, key, what);
	return -EINVAL;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value :
						  NULL;
}

/* The whole of @file (relative to the config's directory), NUL-ended. */
static int read_file(const struct ctx *c, const char *key, const char *file,
		     char **out)
{
	char full[8192], msg[8400];
	size_t len = 0, cap = 0;
	char *buf = NULL;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s%s", file[0] == '/' ? "" : c->dir,
		 file[0] == '/' ? "" : "/", file);
	f = fopen(full, "r");
	if (!f) {
		int err = -errno;

		snprintf(msg, sizeof(msg), "cannot read %s: %s", full,
			 strerror(-err));
		bad(c, key, msg);
		return err;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = cap * 2 + 8192);

			if (!p) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = p;
		}
		size_t n = fread(buf + len, 1, 4096, f);

		len += n;
		if (n < 4096)
			break;
	}
	fclose(f);
	buf[len] = 0;
	*out = buf;
	return 0;
}

static int set_string(const struct ctx *c, const char *key, yaml_node_t *v,
		      char **dst)
{
	const char *s = scalar(v);

	if (!s || !*s)
		return bad(c, key, "expected a file name");
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}

static int tls_key(struct ctx *c, const char *k, yaml_node_t *v)
{
	static const char *const unsupported[] = {
		"cert", "key", "client_ca", "min_version", "max_version",
		"cipher_suites", "prefer_server_cipher_suites",
		"curve_preferences", "client_allowed_sans",
	};
	char key[128];
	size_t i;

	snprintf(key, sizeof(key), "tls_server_config.%s", k);
	if (!strcmp(k, "cert_file"))
		return set_string(c, key, v, &c->cert_file);
	if (!strcmp(k, "key_file"))
		return set_string(c, key, v, &c->key_file);
	if (!strcmp(k, "client_ca_file"))
		return set_string(c, key, v, &c->ca_file);
	if (!strcmp(k, "client_auth_type"))
		return set_string(c, key, v, &c->auth_type);
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (!strcmp(k, unsupported[i]))
			return bad(c, key, "not supported by wirelat (cert_file, key_file, client_auth_type, client_ca_file are)");
	return bad(c, key, "unknown key");
}

static int user_key(struct ctx *c, const char *user, yaml_node_t *v)
{
	struct wl_web *w = c->w;
	struct crypt_data *cd;
	const char *h = scalar(v);
	char key[300];
	int ok;

	snprintf(key, sizeof(key), "basic_auth_users.%s", user);
	if (!h || strlen(h) != 60 ||
	    (strncmp(h, "$2y$", 4) && strncmp(h, "$2b$", 4) &&
	     strncmp(h, "$2a$", 4)))
		return bad(c, key, "not a bcrypt hash ($2y$, $2b$ or $2a$, 60 characters; htpasswd -nBC 10 USER makes one)");
	if (w->n_users == WL_WEB_MAX_USERS)
		return bad(c, key, "too many users (at most 64)");
	/* libcrypt must take it: the cost in range, the salt well-formed */
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	ok = crypt_r("", h, cd) && crypt_r("", h, cd)[0] == '$';
	free(cd);
	if (!ok)
		return bad(c, key, "a bcrypt hash libcrypt refuses (cost 4 to 31)");
	w->users[w->n_users].name = strdup(user);
	w->users[w->n_users].hash = strdup(h);
	if (!w->users[w->n_users].name || !w->users[w->n_users].hash)
		return -ENOMEM;
	w->n_users++;
	return 0;
}

/* Each pair of the mapping @m through @fn; @what names it in errors. */
static int each_pair(struct ctx *c, yaml_node_t *m, const char *what,
		     int (*fn)(struct ctx *c, const char *k, yaml_node_t *v))
{
	yaml_node_pair_t *p;

	if (!m || m->type != YAML_MAPPING_NODE)
		return bad(c, what, "expected a mapping");
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(yaml_document_get_node(&c->doc, p->key));
		int err;

		if (!k)
			return bad(c, what, "a key that is not a string");
		err = fn(c, k, yaml_document_get_node(&c->doc, p->value));
		if (err)
			return err;
	}
	return 0;
}

static int top_key(struct ctx *c, const char *k, yaml_node_t *v)
{
	if (!strcmp(k, "tls_server_config")) {
		c->w->tls = true;
		return each_pair(c, v, k, tls_key);
	}
	if (!strcmp(k, "basic_auth_users"))
		return each_pair(c, v, k, user_key);
	if (!strcmp(k, "http_server_config"))
		return bad(c, k, "not supported by wirelat (tls_server_config and basic_auth_users are)");
	return bad(c, k, "unknown key");
}

/* The certificate and key as GnuTLS (libmicrohttpd's TLS) will load them. */
static int check_pair(const struct ctx *c)
{
	struct wl_web *w = c->w;
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t cert = { (unsigned char *)w->cert_pem,
				strlen(w->cert_pem) };
	gnutls_datum_t key = { (unsigned char *)w->key_pem,
			       strlen(w->key_pem) };
	char msg[512];
	int rc;

	if (gnutls_certificate_allocate_credentials(&cred))
		return -ENOMEM;
	rc = gnutls_certificate_set_x509_key_mem(cred, &cert, &key,
						 GNUTLS_X509_FMT_PEM);
	if (rc >= 0 && w->ca_pem) {
		gnutls_datum_t ca = { (unsigned char *)w->ca_pem,
				      strlen(w->ca_pem) };

		if (gnutls_certificate_set_x509_trust_mem(
			    cred, &ca, GNUTLS_X509_FMT_PEM) <= 0) {
			gnutls_certificate_free_credentials(cred);
			return bad(c, "tls_server_config.client_ca_file",
				   "no PEM certificate in it");
		}
	}
	gnutls_certificate_free_credentials(cred);
	if (rc < 0) {
		snprintf(msg, sizeof(msg),
			 "%s and key_file %s are not a PEM certificate and its key (%s)",
			 c->cert_file, c->key_file, gnutls_strerror(rc));
		return bad(c, "tls_server_config.cert_file", msg);
	}
	return 0;
}

static int finish_tls(struct ctx *c)
{
	struct wl_web *w = c->w;
	int err;

	if (!c->cert_file)
		return bad(c, "tls_server_config.cert_file", "missing");
	if (!c->key_file)
		return bad(c, "tls_server_config.key_file", "missing");
	if (c->auth_type && !strcmp(c->auth_type, "RequireAndVerifyClientCert"))
		w->verify_client = true;
	else if (c->auth_type && strcmp(c->auth_type, "NoClientCert"))
		return bad(c, "tls_server_config.client_auth_type",
			   "NoClientCert or RequireAndVerifyClientCert");
	if (w->verify_client && !c->ca_file)
		return bad(c, "tls_server_config.client_ca_file",
			   "missing (RequireAndVerifyClientCert needs it)");
	if (!w->verify_client && c->ca_file)
		return bad(c, "tls_server_config.client_ca_file",
			   "given without client_auth_type RequireAndVerifyClientCert");
	err = read_file(c, "tls_server_config.cert_file", c->cert_file,
			&w->cert_pem);
	if (!err)
		err = read_file(c, "tls_server_config.key_file", c->key_file,
				&w->key_pem);
	if (!err && c->ca_file)
		err = read_file(c, "tls_server_config.client_ca_file",
				c->ca_file, &w->ca_pem);
	return err ? err : check_pair(c);
}

static int parse(struct ctx *c, FILE *f)
{
	yaml_parser_t parser;
	yaml_node_t *root;
	char msg[256];
	int err;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &c->doc)) {
		snprintf(msg, sizeof(msg), "not YAML: %s at line %zu",
			 parser.problem ?: "error", parser.problem_mark.line + 1);
		yaml_parser_delete(&parser);
		pr_warn("--web-config %s: %s\n", c->path, msg);
		return -EINVAL;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&c->doc);
	if (!root)	/* an empty file: plain HTTP, no auth */
		err = 0;
	else
		err = each_pair(c, root, "(top level)", top_key);
	if (!err && c->w->tls)
		err = finish_tls(c);
	yaml_document_delete(&c->doc);
	return err;
}

int wl_web_load(const char *path, struct wl_web *w)
{
	struct ctx c = { .path = path, .w = w };
	char tmp[4096];
	FILE *f;
	int err;

	memset(w, 0, sizeof(*w));
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(c.dir, sizeof(c.dir), "%s", dirname(tmp));
	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		pr_warn("--web-config %s: cannot read: %s\n", path,
			strerror(-err));
		return err;
	}
	err = parse(&c, f);
	fclose(f);
	free(c.cert_file);
	free(c.key_file);
	free(c.ca_file);
	free(c.auth_type);
	if (err)
		wl_web_free(w);
	return err;
}

void wl_web_free(struct wl_web *w)
{
	int i;

	free(w->cert_pem);
	free(w->key_pem);
	free(w->ca_pem);
	for (i = 0; i < w->n_users; i++) {
		free(w->users[i].name);
		free(w->users[i].hash);
	}
	memset(w, 0, sizeof(*w));
}

/* Equal strings, in a time that does not depend on where they differ. */
static int same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= a[i] ^ b[i];
	return !d;
}

int wl_web_auth_ok(const struct wl_web *w, const char *user,
		   const char *password)
{
	struct crypt_data *cd;
	const char *h;
	int i, ok = 0;

	if (!w->n_users)
		return 1;
	if (!user || !password)
		return 0;
	for (i = 0; i < w->n_users; i++)
		if (!strcmp(w->users[i].name, user))
			break;
	if (i == w->n_users)
		return 0;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return 0;
	h = crypt_r(password, w->users[i].hash, cd);
	ok = h && same(h, w->users[i].hash);
	free(cd);
	return ok;
}
