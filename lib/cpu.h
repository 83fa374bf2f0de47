/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What lib/ and mm/ need to know about the hart they run on.
 *
 * The hot functions are inline, from <asm/cpu.h>: the build puts
 * arch/riscv/include on the target's include path (tp and sstatus, see
 * that file) and lib/tests/include on the host's, whose version calls
 * lib/tests/host_cpu.c (each POSIX thread stands in for a hart). This is
 * Linux's asm/ arrangement: lib/ names the interface, arch/ supplies it.
 *
 *   unsigned long cpu_hartid(void)   hardware hart id of the caller
 *   unsigned int cpu_id(void)        logical CPU number, 0 = boot hart
 *   bool cpu_in_irq(void)            running an interrupt handler (Linux's
 *                                    in_irq()): allocators act as for
 *                                    GFP_ATOMIC, printk uses the hart's
 *                                    interrupt line buffer
 *   unsigned long cpu_irq_save(void) interrupts off; returns the old state
 *                                    (non-zero: they were on)
 *   void cpu_irq_restore(flags)      back to the state cpu_irq_save saw
 *   cpu_irq_save_local(),            the same for a window that calls
 *   cpu_irq_restore_local(flags)     nothing: the state unmasked, one
 *                                    instruction fewer each (asm/cpu.h
 *                                    argues it); cpu_irq_restore() also
 *                                    takes what cpu_irq_save_local gave
 *   void *cpu_mm_local(void)         (target only) mm's per-hart data,
 *                                    this hart's page lists
 *   bool cpu_irq_enabled(void)       interrupts are on right now
 *   void cpu_relax(void)             spin-wait hint (RISC-V "pause")
 *   void cpu_add_release_u32(p, v)   *p += v (uint32_t), release ordering
 *                                    (RISC-V amoadd.w.rl; a C11 release
 *                                    fetch-add on the host)
 *   unsigned long cpu_self(void)     a non-zero word naming the caller's
 *                                    hart, cheaper than cpu_hartid() (the
 *                                    target's tp itself): lock holders
 *   unsigned long cpu_self_hartid(s) the hart id of a cpu_self() value
 *
 * Interrupt handlers may take a lock that ordinary code also takes only
 * if ordinary code takes it with the _irqsave forms (lib/spinlock.h).
 */
#ifndef LIB_CPU_H
#define LIB_CPU_H

#include <asm/cpu.h>

#include "lib/kernel.h"

/*
 * Build-time limit on harts the kernel runs on (logical CPU numbers are
 * 0 .. NR_CPUS - 1); harts beyond it are skipped at boot with a warning.
 * The Makefile passes NR_CPUS; 64 when it does not.
 */
#ifndef NR_CPUS
#define NR_CPUS 64
#endif

/*
 * The caller has spun for a while on something another hart must do:
 * give the machine to others for a moment. On the target, wfi with a
 * short timer (so a hypervisor or QEMU runs another virtual hart, which
 * may be the one being waited for); on the host, sched_yield(). Out of
 * line: it is the slow path of every wait loop.
 */
void cpu_yield(void);

#endif /* LIB_CPU_H */
