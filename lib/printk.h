/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel messages. lib/ formats; whoever owns an output device (the
 * kernel's console, a host test's stdout) installs a sink. Messages are
 * written whole lines at a time where the caller ends them with '\n'.
 */
#ifndef LIB_PRINTK_H
#define LIB_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

#include "lib/kernel.h"

/* Receives formatted bytes (not NUL-terminated). */
typedef void (*printk_sink_fn)(const char *s, size_t len);

/* Install the output sink; NULL discards messages. Returns the old one. */
printk_sink_fn printk_set_sink(printk_sink_fn sink);

/* Format and emit; returns the number of bytes emitted (truncated at 512). */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);

/*
 * Rate limiting for messages that a loop could repeat (allocation
 * failures): allow `burst` messages, then one in every `interval` calls,
 * counting suppressed ones. Single hart, no locks yet.
 */
struct ratelimit {
	unsigned int burst;
	unsigned int interval;
	unsigned long calls;
	unsigned long suppressed;
};
#define RATELIMIT_INIT(b, i)                                                   \
	{                                                                      \
		(b), (i), 0, 0                                                 \
	}
/* True when the caller may print now. */
int ratelimit_ok(struct ratelimit *rl);

#endif /* LIB_PRINTK_H */
