/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-hart area. Every hart's tp register points at its own struct
 * percpu from the moment it runs C code with the MMU on (head.S sets it
 * on the boot hart, the secondary entry on the others), so
 * this_cpu() is one register read and nothing on a hot path indexes a
 * shared array by hart id (no false sharing). Each area is a separate,
 * cache-line aligned allocation; only its own hart writes it, except
 * for the IPI call slot, which the caller writes under the rules in
 * kernel/smp.c, and the page lists' bounds and GFP_KERNEL list pointer,
 * which the page allocator stores relaxed on every hart when
 * page_trace or fault injection is switched (mm/buddy_pcp.c).
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include "kernel/arch.h"
#include "lib/cpu.h"
#include "mm/buddy.h"

typedef void (*smp_call_fn)(void *arg);

struct percpu {
	/* Read inline by lib/cpu.h (arch/riscv/include/asm/cpu.h). */
	unsigned long hartid; /* CPU_HDR_HARTID: hardware hart id */
	unsigned int cpu; /* CPU_HDR_CPU: logical number, 0 = boot hart */
	/*
	 * CPU_HDR_IRQ: 1 while this hart runs an interrupt handler
	 * (kernel/irq.c), else 0; lib/cpu.h's cpu_in_irq() reads it.
	 */
	unsigned int irq_depth;

	/*
	 * Secondary start block, read by head.S before the MMU is on at
	 * the offsets in kernel/smp_boot.h.
	 */
	unsigned long boot_satp; /* SMP_BOOT_SATP: the kernel's satp */
	uintptr_t boot_sp; /* SMP_BOOT_SP: top of the kernel stack */
	uintptr_t boot_sscratch; /* SMP_BOOT_SSCRATCH: top of trap stack */
	uintptr_t boot_self; /* SMP_BOOT_SELF: this struct, virtual */

	unsigned int online; /* 1 once running; 2: the boot hart gave up */

	/*
	 * Fatal-trap nesting on this hart (kernel/trap.c): counts only
	 * traps being reported, which never return.
	 */
	int trap_depth;

	/*
	 * CPU_MM_OFFSET: this hart's page lists and slab magazine slot
	 * (mm/buddy_fast.h), a cache line of their own, which the page
	 * allocator's and the slab's inline paths reach
	 * as tp + CPU_MM_OFFSET (lib/cpu.h's cpu_mm_local()); the page
	 * allocator reads other harts' through buddy_pcp_of() once the
	 * kernel attached them (buddy_pcp_attach(), kernel/smp.c).
	 */
	struct buddy_pcp_hart mm_pcp;
	/* Interrupts taken on this hart, by kind, and the latest kind. */
	unsigned long irq_count[4];
	enum irq_kind irq_last;
	/*
	 * This hart's timer (kernel/timer.c), in timebase ticks, 0 for
	 * none: the one-shot's deadline with the function the timer
	 * interrupt runs then, a sleeper's wake-up time, and the sooner of
	 * the two, which the hardware holds (cpu_yield restores it).
	 * Written by this hart alone, with interrupts off.
	 */
	uint64_t timer_deadline;
	void (*timer_fn)(void *arg);
	void *timer_arg;
	uint64_t timer_wake;
	uint64_t timer_next;
	unsigned long timer_fired; /* one-shots run */
	/* A page fault retried after a local fence (kernel/trap.c). */
	uintptr_t spurious_va;

	/* Stacks: [base, base + size), a guard page below each. */
	uintptr_t stack_base, trap_stack_base;
	size_t stack_size, trap_stack_size;

	/*
	 * IPI call slot (kernel/smp.c): the caller fills fn and arg, then
	 * bumps call_seq (release); this hart runs fn and sets done_seq to
	 * call_seq (release).
	 */
	smp_call_fn call_fn;
	void *call_arg;
	unsigned long call_seq, done_seq;
	/* Last TLB shootdown generation this hart has fenced (kernel/smp.c). */
	unsigned long flush_gen;
	/* Last per-hart cache call this hart has run (kernel/smp.c). */
	unsigned long mm_call_done;

} __aligned(64);

/* The calling hart's area (tp). */
struct percpu *this_cpu(void);
/* Logical CPU cpu's area, or NULL if it is not online. */
struct percpu *percpu_of(unsigned int cpu);

#endif /* KERNEL_PERCPU_H */
