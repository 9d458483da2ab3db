// SPDX-License-Identifier: BSD-3-Clause
/* jbuf.c - the appenders of a JSON line (jbuf.h). */
#include "output/jbuf.h"

void wl_jb_flush(struct wl_jbuf *jb)
{
	if (jb->n)
		fwrite(jb->b, 1, jb->n, jb->f);
	jb->n = 0;
}

void wl_jb_mem_long(struct wl_jbuf *jb, const char *s, size_t len)
{
	wl_jb_flush(jb);	/* what came before goes first */
	fwrite(s, 1, len, jb->f);
}

/* "00" to "99": two digits a division, half the divisions of one. */
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324"
	"25262728293031323334353637383940414243444546474849"
	"50515253545556575859606162636465666768697071727374"
	"75767778798081828384858687888990919293949596979899";

/* @v in decimal, right-aligned at @end; returns where the digits start. */
static char *u64_digits(uint64_t v, char *end)
{
	char *p = end;

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		p -= 2;
		p[0] = digit_pairs[d];
		p[1] = digit_pairs[d + 1];
	}
	if (v >= 10) {
		p -= 2;
		p[0] = digit_pairs[v * 2];
		p[1] = digit_pairs[v * 2 + 1];
	} else {
		*--p = (char)('0' + v);
	}
	return p;
}

void wl_jb_u64(struct wl_jbuf *jb, uint64_t v)
{
	/* UINT64_MAX has 20 digits */
	char tmp[20], *end = tmp + sizeof(tmp);
	char *p = u64_digits(v, end);

	wl_jb_mem(jb, p, (size_t)(end - p));
}

void wl_jb_i64(struct wl_jbuf *jb, int64_t v)
{
	/* '-' and the magnitude's digits (19 at most: INT64_MIN's) */
	char tmp[21], *end = tmp + sizeof(tmp);
	/* the magnitude in unsigned arithmetic: -INT64_MIN is no int64_t */
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	char *p = u64_digits(mag, end);

	if (v < 0)
		*--p = '-';
	wl_jb_mem(jb, p, (size_t)(end - p));
}

/* Length of the well-formed UTF-8 sequence at @s, 0 if there is none. */
static int utf8_len(const unsigned char *s)
{
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3/4-byte forms, surrogates, above U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* \u00XX in lower-case hex, as printf's "\\u%04x" wrote it. */
static void json_escape_byte(struct wl_jbuf *jb, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char *p = wl_jb_room(jb, 6);

	memcpy(p, "\\u00", 4);
	p[4] = hex[c >> 4];
	p[5] = hex[c & 0xf];
	jb->n += 6;
}

/*
 * @str as the inside of a JSON string (RFC 8259): quote and backslash
 * escaped, control characters as \u00XX, and a byte that is not part of
 * well-formed UTF-8 as \u00XX too (its Latin-1 reading), so any interface
 * name or qname text gives a valid JSON line.
 */
void wl_jb_json_str(struct wl_jbuf *jb, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char *p;
	int n;

	while (*s) {
		if (*s == '\\' || *s == '"') {
			p = wl_jb_room(jb, 2);
			p[0] = '\\';
			p[1] = (char)*s++;
			jb->n += 2;
			continue;
		}
		n = utf8_len(s);
		if (*s < 0x20 || *s == 0x7f || !n) {
			json_escape_byte(jb, *s++);
			continue;
		}
		wl_jb_mem(jb, (const char *)s, (size_t)n);
		s += n;
	}
}
