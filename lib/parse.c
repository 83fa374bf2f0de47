// SPDX-License-Identifier: BSD-2-Clause
/* Number and size parsing for the memory console (see parse.h). */
#include "lib/parse.h"

#include <stdbool.h>
#include <stddef.h>

#include "lib/errno.h"

static int digit_value(char c, unsigned int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned int)v < base ? v : -1;
}

/* Digits of s[0, len) in base; the checks of parse_u64(). */
static int parse_digits(const char *s, size_t len, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = digit_value(s[i], base);

		if (d < 0)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int parse_u64(const char *s, uint64_t *out)
{
	if (!s)
		return -EINVAL;
	return parse_digits(s, str_len(s), out);
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	size_t len;
	uint64_t v;
	int err;

	if (!s)
		return -EINVAL;
	len = str_len(s);
	if (len > 1) {
		/* A hex number's last digit may be a 'B'..'F', never K/M/G. */
		switch (s[len - 1]) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			break;
		}
	}
	err = parse_digits(s, shift ? len - 1 : len, &v);
	if (err)
		return err;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}
