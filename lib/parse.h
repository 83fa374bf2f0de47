/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Numbers typed by people (the memory console, kernel/shell.c): decimal
 * or 0x-hexadecimal, and sizes with an optional K, M or G suffix
 * (powers of 1024, upper or lower case). The whole string must be the
 * number: no sign, no spaces, no trailing bytes.
 */
#ifndef LIB_PARSE_H
#define LIB_PARSE_H

#include <stdint.h>

/*
 * Parse "123" or "0x7b" (hex digits upper or lower case) into *out.
 * Errors: -EINVAL (empty, "0x" alone, a byte that is not a digit of the
 * base), -ERANGE (above UINT64_MAX). *out is untouched on error.
 */
int parse_u64(const char *s, uint64_t *out);

/*
 * Parse a size: a number as parse_u64() reads it, optionally followed
 * by one of K, M, G (x 2^10, 2^20, 2^30). Errors as parse_u64(), and
 * -ERANGE when the multiplied value passes UINT64_MAX.
 */
int parse_size(const char *s, uint64_t *out);

#endif /* LIB_PARSE_H */
