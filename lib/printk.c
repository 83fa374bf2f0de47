// SPDX-License-Identifier: BSD-2-Clause
/*
 * printk: format into the calling hart's line buffer and hand whole lines
 * to the installed sink under printk_lock, so a line is never interleaved
 * with another hart's.
 *
 * Each hart (logical CPU) owns two PRINTK_BUF_SIZE line buffers, one for
 * ordinary code and one for interrupt handlers (cpu_in_irq()), like
 * Linux's per-context printk buffers: an interrupt that prints while
 * the code it interrupted has half a line buffered emits its own line
 * whole and leaves the other half alone, so neither line is torn.
 * vprintk appends to the context's buffer with interrupts off on this
 * hart, and emits everything up to its last '\n' in one sink call under
 * printk_lock; the unterminated rest waits for the next printk,
 * printk_flush() (panic, poweroff) or a full buffer. printk_lock is
 * taken with interrupts off (vprintk turns them off first), so an
 * interrupt handler on the same hart never finds it held. Lock order:
 * printk_lock is a leaf (taken last, under any allocator lock; nothing
 * is taken under it).
 *
 * A check on printk_lock itself (lib/spinlock.c) writes with nolock, and
 * panic() calls printk_bust() after stopping the other harts, so a hart
 * stopped while holding the lock cannot silence the panic message.
 */
#include "lib/printk.h"

#include "lib/fmt.h"
#include "lib/panic.h"
#include "lib/string.h"

#define PRINTK_BUF_SIZE 512

static printk_sink_fn printk_sink;
spinlock_t printk_lock = SPINLOCK_INIT("printk_lock");

struct printk_line {
	size_t len;
	char buf[PRINTK_BUF_SIZE];
};

/*
 * Indexed by cpu_id(), then 0 for ordinary code and 1 for interrupt
 * handlers; only that hart touches its entries (not hot).
 */
static struct printk_line lines[NR_CPUS][2];

printk_sink_fn printk_set_sink(printk_sink_fn sink)
{
	printk_sink_fn old = printk_sink;

	printk_sink = sink;
	return old;
}

void printk_emit(const char *s, size_t len, bool nolock)
{
	bool lock = !nolock && !spin_is_held(&printk_lock);
	unsigned long flags = 0;

	if (!printk_sink || !len)
		return;
	/* Once another hart panics, this one prints nothing more. */
	if (unlikely(panic_in_progress()))
		panic_check_park();
	/* Interrupts off while it is held: a handler here may print. */
	if (lock)
		flags = spin_lock_irqsave(&printk_lock);
	printk_sink(s, len);
	if (lock)
		spin_unlock_irqrestore(&printk_lock, flags);
}

void printk_bust(void)
{
	spin_lock_init(&printk_lock, "printk_lock");
}

static struct printk_line *this_line(void)
{
	unsigned int cpu = cpu_id();

	return &lines[cpu < NR_CPUS ? cpu : 0][cpu_in_irq() ? 1 : 0];
}

/* Emit the buffered bytes up to the last newline (all if `all`). */
static void line_emit(struct printk_line *l, bool all)
{
	size_t n = l->len;

	if (!all)
		while (n && l->buf[n - 1] != '\n')
			n--;
	if (!n)
		return;
	printk_emit(l->buf, n, false);
	memmove(l->buf, l->buf + n, l->len - n);
	l->len -= n;
}

void printk_flush(void)
{
	unsigned long flags = cpu_irq_save();

	line_emit(this_line(), true);
	cpu_irq_restore(flags);
}

int vprintk(const char *fmt, va_list ap)
{
	unsigned long flags = cpu_irq_save();
	struct printk_line *l = this_line();
	size_t room = sizeof(l->buf) - l->len;
	int n;

	n = fmt_vsnprintf(l->buf + l->len, room, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= room) {
		/* Cut to what fitted; the line goes out as it is. */
		n = (int)room - 1;
		l->len += (size_t)n;
		line_emit(l, true);
	} else {
		l->len += (size_t)n;
		if (l->len == sizeof(l->buf) - 1)
			line_emit(l, true);
		else
			line_emit(l, false);
	}
	cpu_irq_restore(flags);
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
	unsigned long c = __atomic_fetch_add(&rl->calls, 1, __ATOMIC_RELAXED);

	if (c < rl->burst ||
	    (rl->interval && (c - rl->burst) % rl->interval == 0))
		return 1;
	__atomic_fetch_add(&rl->suppressed, 1, __ATOMIC_RELAXED);
	return 0;
}
