// SPDX-License-Identifier: BSD-2-Clause
/*
 * Interrupt handling: the one place every interrupt goes through.
 *
 * Theory of operation
 * -------------------
 * Interrupts and exceptions take the same path: trap_entry.S saves a
 * struct trap_frame on the hart's trap stack, arch_trap() decodes
 * scause, and an interrupt comes here with its kind:
 *   IPI       kernel/smp.c: park for a panic, serve a TLB shootdown
 *             (cross calls run in the idle loop, not here)
 *   TIMER     kernel/timer.c: this hart's one-shot and sleeper
 *   EXTERNAL  kernel/plic.c: claim, run the source's handler, complete
 *   OTHER     a source the kernel never enables: a fatal trap report
 *
 * I1 A handler runs with interrupts off from entry to sret (the hart
 *    clears sstatus.SIE on the trap, and sret restores the interrupted
 *    code's SIE from SPIE): interrupts never nest. irq_depth is 1 for
 *    exactly that span and 0 elsewhere, so it unwinds on every return;
 *    an interrupt that finds it 1 means a handler turned interrupts on,
 *    which is a bug: panic.
 * I2 The interrupt path never allocates and takes only locks that
 *    every other taker holds with interrupts off (the _irqsave forms):
 *    printk_lock, the console's input lock, the PLIC's enable lock, the
 *    TLB shootdown state. A handler that must allocate may (lib/cpu.h:
 *    cpu_in_irq(); the allocators then act as for GFP_ATOMIC and
 *    vmalloc refuses), but none here does.
 * A fault inside a handler is a fatal trap like any other; its report
 * says it happened in an interrupt handler (kernel/trap.c).
 *
 * Locking: none of its own; irq_depth and irq_count are per hart and
 * written by their hart only, with interrupts off.
 */
#include "kernel/irq.h"

#include "kernel/arch.h"
#include "kernel/percpu.h"
#include "kernel/plic.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
#include "lib/assert.h"
#include "lib/panic.h"

STATIC_ASSERT(offsetof(struct percpu, irq_depth) == CPU_HDR_IRQ);

const char *irq_kind_name(enum irq_kind kind)
{
	static const char *const names[] = {
		[IRQ_KIND_IPI] = "software interrupt",
		[IRQ_KIND_TIMER] = "timer interrupt",
		[IRQ_KIND_EXTERNAL] = "external interrupt",
		[IRQ_KIND_OTHER] = "unknown interrupt",
	};

	return (unsigned int)kind <= IRQ_KIND_OTHER ? names[kind] : "?";
}

void irq_handle(enum irq_kind kind, struct trap_frame *tf)
{
	struct percpu *self = this_cpu();

	if (unlikely(self->irq_depth))
		panic("irq_handle: nested %s on hart %lu (sepc 0x%016lx) "
		      "inside a %s handler: a handler turned interrupts on",
		      irq_kind_name(kind), self->hartid,
		      (unsigned long)tf->sepc, irq_kind_name(self->irq_last));
	if (kind == IRQ_KIND_OTHER) {
		/* Never enabled: report it as the fatal trap it is. */
		trap_handle(tf);
		return;
	}
	self->irq_depth = 1;
	self->irq_last = kind;
	self->irq_count[kind]++;
	switch (kind) {
	case IRQ_KIND_IPI:
		smp_handle_ipi();
		break;
	case IRQ_KIND_TIMER:
		timer_interrupt();
		break;
	case IRQ_KIND_EXTERNAL:
		plic_handle();
		break;
	default:
		break;
	}
	self->irq_depth = 0;
}
