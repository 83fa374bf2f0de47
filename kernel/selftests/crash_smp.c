// SPDX-License-Identifier: BSD-2-Clause
/*
 * crash= kinds for SMP (kernel/crash.h). They need a second hart online;
 * with one hart they say so and return.
 *
 *   smp_panic          hart 1 panics while every other hart is printing
 *                      as fast as it can: the panic stops them, so the
 *                      "panic:" line is the last line, status 2
 *   smp_fault          hart 1 reads NULL: the fault report names hart 1
 *   smp_stack_overflow hart 1 recurses until its vmalloc stack runs into
 *                      the unmapped page below it: a stack guard fault
 *   spin_recursion     a hart takes a lock it holds: one BUG line, panic
 *   spin_bad_unlock    unlock of a lock nobody holds, then of a lock
 *                      hart 1 holds: two BUG lines, the kernel survives
 */
#include "kernel/crash.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/spinlock.h"

static bool need_two(void)
{
	if (smp_num_online() >= 2)
		return true;
	printk("crash: needs 2 harts online, %u online\n", smp_num_online());
	return false;
}

static unsigned int busy_started;

static void panic_or_print(void *arg)
{
	if (cpu_id() == 1) {
		/* Let the others get going first (bounded). */
		for (unsigned long i = 0; i < 50000000UL; i++) {
			if (__atomic_load_n(&busy_started, __ATOMIC_ACQUIRE) +
				    2 >=
			    smp_num_online())
				break;
			cpu_relax();
		}
		panic("crash_smp_panic: requested panic on hart %lu",
		      cpu_hartid());
	}
	if (cpu_id() == 0)
		return; /* the boot hart waits in smp_call_all */
	__atomic_fetch_add(&busy_started, 1, __ATOMIC_RELEASE);
	for (unsigned long i = 0;; i++)
		printk("crash: hart %lu busy %lu\n", cpu_hartid(), i);
}

static void crash_smp_panic(void)
{
	if (need_two())
		smp_call_all(panic_or_print, NULL);
}
CRASH_REGISTER("smp_panic", crash_smp_panic);

static void read_null(void *arg)
{
	volatile uintptr_t bad = 0; /* hidden from -Warray-bounds */

	(void)*(volatile int *)bad;
}

static void crash_smp_fault(void)
{
	if (need_two())
		smp_call_on(1, read_null, NULL);
}
CRASH_REGISTER("smp_fault", crash_smp_fault);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static unsigned long __attribute__((noinline))
recurse(volatile unsigned long depth)
{
	volatile char pad[256];

	pad[0] = (char)depth;
	return recurse(depth + 1) + pad[0];
}
#pragma GCC diagnostic pop

static void overflow(void *arg)
{
	printk("crash: %lu\n", recurse(0));
}

static void crash_smp_stack_overflow(void)
{
	if (need_two())
		smp_call_on(1, overflow, NULL);
}
CRASH_REGISTER("smp_stack_overflow", crash_smp_stack_overflow);

static DEFINE_SPINLOCK(crash_lock);

static void crash_spin_recursion(void)
{
	spin_lock(&crash_lock);
	spin_lock(&crash_lock);
}
CRASH_REGISTER("spin_recursion", crash_spin_recursion);

static void take_crash_lock(void *arg)
{
	spin_lock(&crash_lock);
}

static void drop_crash_lock(void *arg)
{
	spin_unlock(&crash_lock);
}

static void crash_spin_bad_unlock(void)
{
	spin_unlock(&crash_lock); /* not held */
	if (!need_two())
		return;
	smp_call_on(1, take_crash_lock, NULL);
	spin_unlock(&crash_lock); /* held by hart 1: refused */
	smp_call_on(1, drop_crash_lock, NULL);
	if (spin_is_locked(&crash_lock))
		printk("crash: spin_bad_unlock: the lock is still held\n");
}
CRASH_REGISTER("spin_bad_unlock", crash_spin_bad_unlock);
