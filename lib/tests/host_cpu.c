// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host side of lib/cpu.h: every POSIX thread stands in for a hart. The
 * first call on a thread gives it the lowest free number (the main thread
 * is normally 0), which goes back when the thread exits; hart id and
 * logical CPU number are the same. There are
 * no interrupts, so the irq functions only keep the interface; a test
 * can make a thread look like an interrupt handler (cpu_in_irq()) to
 * exercise what the allocators do differently there.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/cpu.h"

static bool host_slot_used[NR_CPUS];
static pthread_key_t host_key;
static pthread_once_t host_once = PTHREAD_ONCE_INIT;
static __thread unsigned int host_cpu_plus1;
static __thread bool host_in_irq;

static void host_cpu_release(void *slot)
{
	__atomic_store_n((bool *)slot, false, __ATOMIC_RELEASE);
}

static void host_cpu_key(void)
{
	pthread_key_create(&host_key, host_cpu_release);
}

unsigned int cpu_id(void)
{
	if (!host_cpu_plus1) {
		pthread_once(&host_once, host_cpu_key);
		for (unsigned int n = 0; n < NR_CPUS; n++) {
			bool want = false;

			if (__atomic_compare_exchange_n(
				    &host_slot_used[n], &want, true, false,
				    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
				host_cpu_plus1 = n + 1;
				pthread_setspecific(host_key,
						    &host_slot_used[n]);
				return n;
			}
		}
		fprintf(stderr, "host_cpu: more than %d live threads\n",
			NR_CPUS);
		abort();
	}
	return host_cpu_plus1 - 1;
}

unsigned long cpu_hartid(void)
{
	return cpu_id();
}

bool cpu_in_irq(void)
{
	return host_in_irq;
}

void host_cpu_set_in_irq(bool on)
{
	host_in_irq = on;
}

unsigned long cpu_irq_save(void)
{
	return 0;
}

void cpu_irq_restore(unsigned long flags)
{
	(void)flags;
}

void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/*
 * Tests run more threads than the host has cores: a ticket waiter must
 * let the thread holding the next ticket run.
 */
void cpu_yield(void)
{
	sched_yield();
}
