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
 *             hart's page lists and slab magazine slot, struct
 *             buddy_pcp_hart, mm/buddy_fast.h)
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

/*
 * A non-zero word naming the calling hart, cheaper than its id: the
 * address of its per-hart area, tp itself (no load). Lock holders are
 * recorded with it (lib/spinlock.h). tp changes only in head.S, while
 * no lock is held (from physical to virtual), and per-hart areas are
 * never freed once their hart runs, so cpu_self_hartid() may read
 * through any recorded value.
 */
static inline unsigned long cpu_self(void)
{
	return (unsigned long)__builtin_thread_pointer();
}

static inline unsigned long cpu_self_hartid(unsigned long self)
{
	return ((const unsigned long *)self)[CPU_HDR_HARTID / 8];
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
 * *p += v with release ordering, the old value unused (lib/spinlock.h's
 * unlock): one amoadd.w.rl, as Linux's arch_atomic_fetch_add_release. GCC
 * 12 compiles __atomic_fetch_add(..., __ATOMIC_RELEASE) to a "fence
 * iorw,ow" and a plain amoadd.w, one instruction more.
 */
static inline void cpu_add_release_u32(uint32_t *p, uint32_t v)
{
	__asm__ volatile("amoadd.w.rl zero, %1, %0"
			 : "+A"(*p)
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
