// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host side of lib/cpu.h: every POSIX thread stands in for a hart. The
 * first call on a thread gives it the lowest free number (the main thread
 * is normally 0), which goes back when the thread exits; hart id and
 * logical CPU number are the same. There are
 * no real interrupts; a test can make a thread look like an interrupt
 * handler (cpu_in_irq()) to exercise what the allocators do
 * differently there.
 *
 * Interrupts are modelled for the cross-hart calls of mm/arch.h
 * (arch_call_each_cpu, mm/tests/host_arch.c), as an IPI would be
 * served on a hart:
 *   - cpu_irq_save() turns a cpu number's state from HOST_IRQ_ON to
 *     HOST_IRQ_OFF with a compare-and-swap, waiting while it is
 *     HOST_IRQ_PROXY; cpu_irq_restore() to enabled serves the thread's
 *     pending requests (still off), then stores HOST_IRQ_ON (release);
 *   - cpu_relax() and cpu_yield(), the steps of every wait loop, serve
 *     pending requests when interrupts are off;
 *   - a cpu number whose state is HOST_IRQ_ON (its thread runs with
 *     interrupts on, blocks in a join or a barrier, has exited, or was
 *     never started) is served by the requester itself, which takes the
 *     state from HOST_IRQ_ON to HOST_IRQ_PROXY and runs the request
 *     impersonating that cpu number. The compare-and-swaps make that
 *     and the owner's interrupts-off sections exclusive, in both
 *     directions, with acquire and release ordering between them.
 *
 * The host benchmark (make host-bench builds with HOST_BENCH) measures
 * mm/ against other allocators, where masking interrupts should cost
 * what a csrrci does on the target, not a compare-and-swap: there
 * cpu_irq_save() and cpu_irq_restore() do nothing (interrupts always
 * look on), as before the model, and cross-hart calls may be made only
 * while one thread holds a cpu number (mm/tests/host_arch.c verifies
 * it).
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
#ifdef HOST_BENCH
__thread unsigned int host_cpu_bench = HOST_CPU_UNATTACHED; /* <asm/cpu.h> */
#endif
static __thread bool host_in_irq;
static __thread bool host_irq_off;

unsigned int host_cpu_irq_state[NR_CPUS];
void (*host_cpu_ipi_hook)(void);
unsigned long host_cpu_ipi_gen;
unsigned long host_cpu_ipi_done[NR_CPUS];

static void host_cpu_release(void *slot)
{
	__atomic_store_n((bool *)slot, false, __ATOMIC_RELEASE);
}

static void host_cpu_key(void)
{
	pthread_key_create(&host_key, host_cpu_release);
}

#ifdef HOST_BENCH
static unsigned int host_cpu_slot(void)
#else
unsigned int cpu_id(void)
#endif
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

#ifdef HOST_BENCH
void host_cpu_attach(void)
{
	host_cpu_bench = host_cpu_slot();
}
#endif

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

unsigned int host_cpu_impersonate(unsigned int cpu)
{
	unsigned int old = cpu_id();

	host_cpu_plus1 = cpu + 1;
#ifdef HOST_BENCH
	host_cpu_bench = cpu;
#endif
	return old;
}

unsigned int host_cpu_nr_live(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < NR_CPUS; i++)
		n += __atomic_load_n(&host_slot_used[i], __ATOMIC_ACQUIRE);
	return n;
}

#ifdef HOST_BENCH
/* cpu_irq_save() and cpu_irq_restore() are inline no-ops (asm/cpu.h). */
static void host_cpu_serve(void)
{
}
#else
unsigned long cpu_irq_save(void)
{
	unsigned int *st;
	unsigned int want = HOST_IRQ_ON;

	if (host_irq_off)
		return 0;
	st = &host_cpu_irq_state[host_cpu_plus1 ? host_cpu_plus1 - 1
						: cpu_id()];
	/* Wait while a requester serves a request on this cpu's behalf. */
	while (!__atomic_compare_exchange_n(st, &want, HOST_IRQ_OFF, false,
					    __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		want = HOST_IRQ_ON;
		sched_yield();
	}
	host_irq_off = true;
	return 1;
}

/* Serve this thread's request if one is pending; interrupts off. */
static void host_cpu_take_ipi(unsigned int me)
{
	void (*hook)(void);

	if (__atomic_load_n(&host_cpu_ipi_gen, __ATOMIC_RELAXED) ==
	    __atomic_load_n(&host_cpu_ipi_done[me], __ATOMIC_RELAXED))
		return;
	hook = __atomic_load_n(&host_cpu_ipi_hook, __ATOMIC_ACQUIRE);
	if (hook)
		hook();
}

/*
 * A wait loop's step: serve this thread's pending cross-hart requests
 * if interrupts are off (with them on, the requester serves them).
 */
static void host_cpu_serve(void)
{
	if (host_irq_off)
		host_cpu_take_ipi(host_cpu_plus1 - 1);
}

void cpu_irq_restore(unsigned long flags)
{
	unsigned int me;

	if (!flags || !host_irq_off)
		return;
	me = host_cpu_plus1 - 1;
	/* The IPI taken as interrupts go back on. */
	host_cpu_take_ipi(me);
	host_irq_off = false;
	__atomic_store_n(&host_cpu_irq_state[me], HOST_IRQ_ON,
			 __ATOMIC_RELEASE);
}
#endif

bool cpu_irq_enabled(void)
{
	return !host_irq_off;
}

void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
	host_cpu_serve();
}

/*
 * Tests run more threads than the host has cores: a ticket waiter must
 * let the thread holding the next ticket run.
 */
void cpu_yield(void)
{
	sched_yield();
	host_cpu_serve();
}
