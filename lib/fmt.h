/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * printf-style formatting into a buffer. Supports flags "-0+ #", width and
 * precision (also '*'), length modifiers hh h l ll z t j, and conversions
 * d i u x X o c s p %. %p prints 0x followed by 16 hex digits. %pE prints
 * a string (const char *) from outside the kernel escaped: every byte
 * outside printable ASCII 0x20-0x7e as \xNN (a newline is "\x0a"), so it
 * can never start a line of its own. Output is always NUL-terminated when
 * size > 0.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

#include "lib/kernel.h"

/* Returns the length the full output would have (like C99 vsnprintf). */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* LIB_FMT_H */
