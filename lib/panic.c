// SPDX-License-Identifier: BSD-2-Clause
/*
 * panic(): stop the other harts, print "panic: <message>" and end the run
 * through the hook the owner installed.
 *
 * The first hart to panic wins (an atomic exchange on panic_cpu); a hart
 * that panics while another is panicking parks itself through the park
 * hook and prints nothing, and a panic while panicking on the same hart
 * goes straight to the end hook. The winner calls the stop hook (the
 * kernel IPIs every other hart into a silent park loop and waits for
 * them), forgets any holder of printk_lock (a stopped hart may have held
 * it) and only then prints.
 */
#include "lib/panic.h"

#include "lib/cpu.h"
#include "lib/printk.h"

#define PANIC_NOBODY (~0UL)

static panic_hook_fn panic_hook;
static panic_hook_fn panic_stop_hook;
static panic_hook_fn panic_park_hook;
static unsigned long panic_cpu = PANIC_NOBODY;

void panic_set_hook(panic_hook_fn hook)
{
	panic_hook = hook;
}

void panic_set_smp_hooks(panic_hook_fn stop_others, panic_hook_fn park)
{
	panic_stop_hook = stop_others;
	panic_park_hook = park;
}

bool panic_in_progress(void)
{
	return __atomic_load_n(&panic_cpu, __ATOMIC_RELAXED) != PANIC_NOBODY;
}

void panic_check_park(void)
{
	unsigned long who = __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE);

	if (who != PANIC_NOBODY && who != cpu_hartid() && panic_park_hook)
		panic_park_hook();
}

bool panic_begin(void)
{
	unsigned long me = cpu_hartid();
	unsigned long prev = PANIC_NOBODY;

	if (__atomic_compare_exchange_n(&panic_cpu, &prev, me, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (panic_stop_hook)
			panic_stop_hook();
		printk_bust();
		printk_flush();
		return true;
	}
	/* Another hart is panicking: be silent and stop here. */
	if (prev != me && panic_park_hook)
		panic_park_hook();
	return false;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	if (panic_begin()) {
		printk("panic: ");
		va_start(ap, fmt);
		vprintk(fmt, ap);
		va_end(ap);
		printk("\n");
		printk_flush();
	}
	if (panic_hook)
		panic_hook();
	for (;;)
		__builtin_trap();
}
