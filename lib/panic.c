// SPDX-License-Identifier: BSD-2-Clause
/*
 * panic(): print "panic: <message>" and end the run through the hook the
 * owner installed. A panic while panicking goes straight to the hook.
 */
#include "lib/panic.h"

#include "lib/printk.h"

static panic_hook_fn panic_hook;
static int panicking;

void panic_set_hook(panic_hook_fn hook)
{
	panic_hook = hook;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	if (!panicking++) {
		printk("panic: ");
		va_start(ap, fmt);
		vprintk(fmt, ap);
		va_end(ap);
		printk("\n");
	}
	if (panic_hook)
		panic_hook();
	for (;;)
		__builtin_trap();
}
