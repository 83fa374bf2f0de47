// SPDX-License-Identifier: BSD-2-Clause
/*
 * printf-style formatting (lib/fmt.h).
 *
 * Theory of operation: a single pass over the format; each conversion
 * is rendered into a small scratch buffer (digits in reverse), then padded
 * and copied through out(), which writes while there is room and always
 * counts, so the return value is the untruncated length (C99 semantics).
 *
 * Invariants: I1 nothing is written at or past buf[size - 1] except the
 * final NUL; I2 the result is NUL-terminated whenever size > 0.
 * No state, no locks. Unknown conversions are copied literally.
 */
#include "lib/fmt.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

enum {
	F_LEFT = 1,
	F_ZERO = 2,
	F_PLUS = 4,
	F_SPACE = 8,
	F_ALT = 16,
};

static void out_number(struct out *o, uint64_t v, bool neg, unsigned int base,
		       bool upper, int flags, int width, int prec,
		       const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	char sign = 0;
	int plen = 0, zeros, pad;

	if (neg)
		sign = '-';
	else if (flags & F_PLUS)
		sign = '+';
	else if (flags & F_SPACE)
		sign = ' ';
	if (!(v == 0 && prec == 0)) {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	if (prefix)
		while (prefix[plen])
			plen++;
	zeros = prec > n ? prec - n : 0;
	pad = width - n - zeros - plen - (sign ? 1 : 0);
	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!(flags & F_LEFT))
		out_repeat(o, ' ', pad);
	if (sign)
		out_char(o, sign);
	for (int i = 0; i < plen; i++)
		out_char(o, prefix[i]);
	out_repeat(o, '0', zeros);
	while (n)
		out_char(o, tmp[--n]);
	if (flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

/*
 * %pE: text from outside the kernel (command line, device-tree strings).
 * Bytes outside printable ASCII 0x20-0x7e become \xNN, so such text can
 * never start a line or move the cursor on the console. At most prec
 * bytes of the source when prec >= 0.
 */
static void out_escaped(struct out *o, const char *s, int prec)
{
	if (!s)
		s = "(null)";
	for (int i = 0; (prec < 0 || i < prec) && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f) {
			out_char(o, (char)c);
			continue;
		}
		out_char(o, '\\');
		out_char(o, 'x');
		out_char(o, "0123456789abcdef"[c >> 4]);
		out_char(o, "0123456789abcdef"[c & 15]);
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	while (*fmt) {
		int flags = 0, width = -1, prec = -1, lng = 0;
		bool upper = false;
		char c = *fmt++;

		if (c != '%') {
			out_char(&o, c);
			continue;
		}
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = (width < 0 ? 0 : width * 10) +
					(*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* Length: 0 int, 1 long, 2 long long, -1 short, -2 char. */
		for (;; fmt++) {
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'h')
				lng--;
			else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
				lng = 2;
			else
				break;
		}
		c = *fmt;
		if (c)
			fmt++;
		switch (c) {
		case 'd':
		case 'i': {
			int64_t v;

			if (lng >= 2)
				v = va_arg(ap, long long);
			else if (lng == 1)
				v = va_arg(ap, long);
			else
				v = va_arg(ap, int);
			if (lng == -1)
				v = (short)v;
			else if (lng <= -2)
				v = (signed char)v;
			out_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v,
				   v < 0, 10, false, flags, width, prec, NULL);
			break;
		}
		case 'X':
			upper = true;
			/* fall through */
		case 'u':
		case 'x':
		case 'o': {
			uint64_t v;
			unsigned int base = c == 'o' ? 8 : c == 'u' ? 10 : 16;
			const char *prefix = NULL;

			if (lng >= 2)
				v = va_arg(ap, unsigned long long);
			else if (lng == 1)
				v = va_arg(ap, unsigned long);
			else
				v = va_arg(ap, unsigned int);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng <= -2)
				v = (unsigned char)v;
			if ((flags & F_ALT) && v != 0)
				prefix = base == 16  ? (upper ? "0X" : "0x")
					 : base == 8 ? "0"
						     : NULL;
			out_number(&o, v, false, base, upper,
				   flags & ~(F_PLUS | F_SPACE), width, prec,
				   prefix);
			break;
		}
		case 'p':
			if (*fmt == 'E') {
				fmt++;
				out_escaped(&o, va_arg(ap, const char *), prec);
				break;
			}
			out_number(&o, (uintptr_t)va_arg(ap, void *), false, 16,
				   false, F_ZERO, 18, -1, "0x");
			break;
		case 'c': {
			if (!(flags & F_LEFT))
				out_repeat(&o, ' ', width - 1);
			out_char(&o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				out_repeat(&o, ' ', width - 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n = 0;

			if (!s)
				s = "(null)";
			while ((prec < 0 || n < prec) && s[n])
				n++;
			if (!(flags & F_LEFT))
				out_repeat(&o, ' ', width - n);
			for (int i = 0; i < n; i++)
				out_char(&o, s[i]);
			if (flags & F_LEFT)
				out_repeat(&o, ' ', width - n);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		case 0:
			out_char(&o, '%');
			break;
		default:
			out_char(&o, '%');
			out_char(&o, c);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
