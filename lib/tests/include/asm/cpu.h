/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host tests' half of lib/cpu.h (found as <asm/cpu.h> on the host
 * include path): out of line in lib/tests/host_cpu.c, where each POSIX
 * thread stands in for a hart. The host benchmark (HOST_BENCH) has the
 * three hot ones inline, as the target has them: cpu_id() a thread-local
 * load (threads attach first), masking interrupts free (no cross-hart
 * model there), so that mm/'s fast paths are measured rather than calls
 * into the model.
 */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <stdbool.h>
#include <stdint.h>

unsigned long cpu_hartid(void);
#ifdef HOST_BENCH
/*
 * This thread's cpu number: one thread-local load, as the target's
 * cpu_id() is one load from its per-hart area. Every thread that calls
 * into mm/ first takes a number with host_cpu_attach() (the benchmark's
 * main thread and its xthread workers do); until then the number is
 * HOST_CPU_UNATTACHED, which puts every per-hart array access terabytes
 * away, so a thread that forgot faults at once instead of sharing
 * another's caches.
 */
#define HOST_CPU_UNATTACHED 0xffffffffu
extern __thread unsigned int host_cpu_bench;
void host_cpu_attach(void);

static inline unsigned int cpu_id(void)
{
	return host_cpu_bench;
}

/* Masking is free, as a csrrci nearly is: interrupts always look on. */
static inline unsigned long cpu_irq_save(void)
{
	return 1;
}

static inline void cpu_irq_restore(unsigned long flags)
{
	(void)flags;
}
#else
unsigned int cpu_id(void);
unsigned long cpu_irq_save(void);
void cpu_irq_restore(unsigned long flags);
#endif
/* The target's unmasked pair (asm/cpu.h): the same as the above here. */
#define cpu_irq_save_local() cpu_irq_save()
#define cpu_irq_restore_local(flags) cpu_irq_restore(flags)
/* False unless a test said otherwise with host_cpu_set_in_irq(). */
bool cpu_in_irq(void);
/* Make this thread look like an interrupt handler (true) or not. */
void host_cpu_set_in_irq(bool on);
bool cpu_irq_enabled(void);
void cpu_relax(void);

/* Release add: a C11 atomic, which ThreadSanitizer sees. */
static inline void cpu_add_release_u32(uint32_t *p, uint32_t v)
{
	__atomic_fetch_add(p, v, __ATOMIC_RELEASE);
}

/* The hart's token for lock holders: its id + 1, never 0. */
static inline unsigned long cpu_self(void)
{
	return cpu_hartid() + 1;
}

static inline unsigned long cpu_self_hartid(unsigned long self)
{
	return self - 1;
}

/*
 * The host's model of interrupts, for mm/tests/host_arch.c's cross-hart
 * calls (lib/tests/host_cpu.c explains it). host_cpu_irq_state[cpu] is
 * HOST_IRQ_ON, HOST_IRQ_OFF (the thread holding that cpu number has
 * interrupts off) or HOST_IRQ_PROXY (another thread is running a
 * request on that cpu's behalf); a request is pending for cpu while
 * host_cpu_ipi_done[cpu] differs from host_cpu_ipi_gen (the requester
 * bumps the one, whoever serves cpu's share sets the other);
 * host_cpu_ipi_hook, if set, serves the calling thread's pending
 * request (interrupts off); and
 * host_cpu_impersonate() makes cpu_id() and cpu_hartid() return cpu on
 * the calling thread, returning the number it had (for a proxy).
 */
enum { HOST_IRQ_ON, HOST_IRQ_OFF, HOST_IRQ_PROXY };
extern unsigned int host_cpu_irq_state[];
extern void (*host_cpu_ipi_hook)(void);
extern unsigned long host_cpu_ipi_gen;
extern unsigned long host_cpu_ipi_done[];
unsigned int host_cpu_impersonate(unsigned int cpu);
/* Threads holding a cpu number now. */
unsigned int host_cpu_nr_live(void);

#endif /* ASM_CPU_H */
