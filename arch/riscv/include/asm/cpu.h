/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The target's inline half of lib/cpu.h (found as <asm/cpu.h> on the
 * target's include path, like Linux's asm/ headers; the host tests have
 * their own in lib/tests/include/asm/cpu.h). Only this file and
 * arch/riscv/ know that tp points at the per-hart area and how sstatus
 * gates interrupts.
 *
 *   tp -> struct percpu (kernel/percpu.h)
 *         +0  hart id        (CPU_HDR_HARTID)
 *         +8  logical number (CPU_HDR_CPU)
 *         +12 interrupt depth (CPU_HDR_IRQ; 0 or 1: handlers never nest)
 *         ...
 *         +64 mm's per-hart data (CPU_MM_OFFSET, a cache line: this
 *             hart's page lists, struct buddy_pcp_hart, mm/buddy_fast.h)
 *
 * head.S points tp at the boot hart's area right after clearing bss,
 * and at a secondary's own area (physical, then virtual) on entry, so
 * tp is valid wherever C code runs.
 */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#define CPU_HDR_HARTID 0
#define CPU_HDR_CPU 8
#define CPU_HDR_IRQ 12
#define CPU_MM_OFFSET 64

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

static inline unsigned long cpu_hartid(void)
{
	const unsigned long *hdr = __builtin_thread_pointer();

	return hdr[CPU_HDR_HARTID / 8];
}

static inline unsigned int cpu_id(void)
{
	const unsigned int *hdr = __builtin_thread_pointer();

	return hdr[CPU_HDR_CPU / 4];
}

/*
 * mm's per-hart data (CPU_MM_OFFSET): no load, tp plus a constant that
 * folds into the offsets of the accesses through it.
 */
static inline void *cpu_mm_local(void)
{
	return (char *)__builtin_thread_pointer() + CPU_MM_OFFSET;
}

static inline bool cpu_in_irq(void)
{
	const unsigned int *hdr = __builtin_thread_pointer();

	return hdr[CPU_HDR_IRQ / 4] != 0;
}

static inline unsigned long cpu_irq_save(void)
{
	unsigned long old;

	/* sstatus.SIE is bit 1. */
	__asm__ volatile("csrrci %0, sstatus, 2" : "=r"(old) : : "memory");
	return old & 2;
}

/* Sets SIE again iff flags has it: one csrs, no branch. */
static inline void cpu_irq_restore(unsigned long flags)
{
	__asm__ volatile("csrs sstatus, %0" ::"r"(flags & 2) : "memory");
}

/*
 * The pair for a short window that calls nothing and writes no sstatus
 * bit (the page allocator's inline paths): cpu_irq_save_local() returns
 * the whole of sstatus as it was, without the mask, and
 * cpu_irq_restore_local() sets its bits again, a csrs with no mask.
 * Every bit it sets but SIE is then already set, so it changes SIE
 * alone; a synchronous trap taken inside the window may leave SPP and
 * SPIE changed, and setting them back is harmless, since every trap
 * writes both before any sret reads them. The value is also fit for
 * cpu_irq_restore(), which masks it, so a window may leave through a
 * call that restores.
 */
static inline unsigned long cpu_irq_save_local(void)
{
	unsigned long old;

	__asm__ volatile("csrrci %0, sstatus, 2" : "=r"(old) : : "memory");
	return old;
}

static inline void cpu_irq_restore_local(unsigned long flags)
{
	__asm__ volatile("csrs sstatus, %0" ::"r"(flags) : "memory");
}

static inline bool cpu_irq_enabled(void)
{
	unsigned long st;

	__asm__ volatile("csrr %0, sstatus" : "=r"(st));
	return (st & 2) != 0;
}

/*
 * Store-release of a halfword (lib/spinlock.h's unlock): RVWMO's
 * "fence rw,w" then a plain sh, as Linux's smp_store_release. GCC 12
 * compiles both __atomic_store_n(..., __ATOMIC_RELEASE) (fence iorw,ow
 * + amoswap, which has no halfword form) and a release thread fence (a
 * full fence) to more than this.
 */
static inline void cpu_store_release_u16(uint16_t *p, unsigned int v)
{
	/* sh stores v's low half: no zero-extension needed before it. */
	__asm__ volatile("fence rw, w\n\tsh %1, %0"
			 : "=m"(*p)
			 : "r"(v)
			 : "memory");
}

static inline void cpu_relax(void)
{
	/* Zihintpause "pause" (a plain fence hint on older cores). */
	__asm__ volatile(".insn i 0x0f, 0, x0, x0, 0x010" ::: "memory");
}
#endif

#endif /* ASM_CPU_H */
