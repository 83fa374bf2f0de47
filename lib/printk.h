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
#include "lib/spinlock.h"

/* Receives formatted bytes (not NUL-terminated). */
typedef void (*printk_sink_fn)(const char *s, size_t len);

/* Install the output sink; NULL discards messages. Returns the old one. */
printk_sink_fn printk_set_sink(printk_sink_fn sink);

/*
 * Format into the calling hart's line buffer and emit every completed
 * line whole, under printk_lock (lib/printk.c): lines from different
 * harts never interleave. An unterminated tail waits for the rest of its
 * line or printk_flush(). Returns the bytes formatted (a line is cut at
 * 511 bytes).
 */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);

/* Emit this hart's unterminated tail now (panic, poweroff, prompts). */
void printk_flush(void);

/*
 * Hand len bytes straight to the sink: under printk_lock, unless nolock
 * or this hart already holds it (a report about printk_lock itself).
 */
void printk_emit(const char *s, size_t len, bool nolock);

/* The console lock; a leaf in every lock order. */
extern spinlock_t printk_lock;

/*
 * Forget the holder of printk_lock. Only for panic(), after the other
 * harts are stopped: one of them may have been stopped holding it.
 */
void printk_bust(void);

/*
 * Rate limiting for messages that a loop could repeat (allocation
 * failures): allow `burst` messages, then one in every `interval` calls,
 * counting suppressed ones. The counters are atomic: any hart may call.
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
