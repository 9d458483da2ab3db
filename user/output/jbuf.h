/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * jbuf.h - a JSON line built in memory and written with one fwrite: a
 * record has some 30 fields, and a printf call for each (with its format
 * parsing and the FILE's lock) was most of the offline writer's time.
 */
#ifndef WIRELAT_JBUF_H
#define WIRELAT_JBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * Room for any record in one piece: the longest qname text (1021 bytes,
 * WL_QNAME_TEXT_MAX) is at most 6126 once escaped (\u00XX a byte), the
 * other fields well under 2 KiB. A longer line is still whole: the buffer
 * goes to the FILE whenever the next piece would not fit.
 */
#define WL_JB_CAP 8192

struct wl_jbuf {
	FILE *f;
	size_t n;
	char b[WL_JB_CAP];
};

static inline void wl_jb_init(struct wl_jbuf *jb, FILE *f)
{
	jb->f = f;
	jb->n = 0;
}

/* Hand what is buffered to the FILE (its write errors show in ferror). */
void wl_jb_flush(struct wl_jbuf *jb);

/* Pointer to @need free bytes (@need <= WL_JB_CAP), flushing to make room. */
static inline char *wl_jb_room(struct wl_jbuf *jb, size_t need)
{
	if (WL_JB_CAP - jb->n < need)
		wl_jb_flush(jb);
	return jb->b + jb->n;
}

/* @len bytes of @s as they are. */
void wl_jb_mem_long(struct wl_jbuf *jb, const char *s, size_t len);

static inline void wl_jb_mem(struct wl_jbuf *jb, const char *s, size_t len)
{
	if (len > WL_JB_CAP) {
		wl_jb_mem_long(jb, s, len);
		return;
	}
	memcpy(wl_jb_room(jb, len), s, len);
	jb->n += len;
}

/* A string literal: its length is known at compile time. */
#define wl_jb_lit(jb, lit) wl_jb_mem((jb), "" lit, sizeof(lit) - 1)

/* A NUL-terminated string as it is (names of our own tables, addresses). */
static inline void wl_jb_str(struct wl_jbuf *jb, const char *s)
{
	wl_jb_mem(jb, s, strlen(s));
}

/* Decimal, as printf's %u / PRIu64 and %d / PRId64 would write it. */
void wl_jb_u64(struct wl_jbuf *jb, uint64_t v);
void wl_jb_i64(struct wl_jbuf *jb, int64_t v);

/* "true" or "false". */
static inline void wl_jb_bool(struct wl_jbuf *jb, int v)
{
	if (v)
		wl_jb_lit(jb, "true");
	else
		wl_jb_lit(jb, "false");
}

/* @s as the inside of a JSON string (see jbuf.c for what is escaped). */
void wl_jb_json_str(struct wl_jbuf *jb, const char *s);

/*
 * A member after the first: ,"key":value. @key is a string literal, so
 * the comma, quotes and colon around it are one piece of known length.
 */
#define wl_jb_key_u64(jb, key, v) \
	(wl_jb_lit(jb, ",\"" key "\":"), wl_jb_u64(jb, v))
#define wl_jb_key_i64(jb, key, v) \
	(wl_jb_lit(jb, ",\"" key "\":"), wl_jb_i64(jb, v))
#define wl_jb_key_bool(jb, key, v) \
	(wl_jb_lit(jb, ",\"" key "\":"), wl_jb_bool(jb, v))
/* ,"key":"s" for an @s that needs no escaping (a name of our own) */
#define wl_jb_key_str(jb, key, s) \
	(wl_jb_lit(jb, ",\"" key "\":\""), wl_jb_str(jb, s), \
	 wl_jb_lit(jb, "\""))

#endif /* WIRELAT_JBUF_H */
