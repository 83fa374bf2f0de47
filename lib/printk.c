// SPDX-License-Identifier: BSD-2-Clause
/*
 * printk: format into a bounded line buffer and hand the bytes to the
 * installed sink. Single hart, no locks yet: with several harts a lock
 * around the sink call keeps lines whole.
 */
#include "lib/printk.h"

#include "lib/fmt.h"

#define PRINTK_BUF_SIZE 512

static printk_sink_fn printk_sink;

printk_sink_fn printk_set_sink(printk_sink_fn sink)
{
	printk_sink_fn old = printk_sink;

	printk_sink = sink;
	return old;
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[PRINTK_BUF_SIZE];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (printk_sink && n > 0)
		printk_sink(buf, (size_t)n);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

int ratelimit_ok(struct ratelimit *rl)
{
	unsigned long c = rl->calls++;

	if (c < rl->burst ||
	    (rl->interval && (c - rl->burst) % rl->interval == 0))
		return 1;
	rl->suppressed++;
	return 0;
}
