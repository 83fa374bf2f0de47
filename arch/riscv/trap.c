// SPDX-License-Identifier: BSD-2-Clause
/*
 * First C stop for every trap. Interrupts and exceptions come through
 * the same entry (trap_entry.S, on the hart's trap stack): an interrupt
 * goes to kernel/irq.c with its source decoded from scause and returns;
 * an exception at an exception-table entry (probes) resumes at its
 * fixup; anything else goes to the portable reporter in kernel/trap.c.
 */
#include "arch/riscv/csr.h"
#include "kernel/arch.h"

struct ex_entry {
	uint64_t insn, fixup;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

void arch_trap(struct trap_frame *tf);

const char *const arch_reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp",	 "t0",	"t1", "t2", "s0", "s1", "a0",
	"a1",	"a2", "a3", "a4", "a5",	 "a6",	"a7", "s2", "s3", "s4", "s5",
	"s6",	"s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

enum trap_kind arch_trap_kind(const struct trap_frame *tf)
{
	switch (tf->scause) {
	case CAUSE_LOAD_PAGE_FAULT:
		return TRAP_LOAD_PAGE_FAULT;
	case CAUSE_STORE_PAGE_FAULT:
		return TRAP_STORE_PAGE_FAULT;
	case CAUSE_FETCH_PAGE_FAULT:
		return TRAP_FETCH_PAGE_FAULT;
	case CAUSE_LOAD_ACCESS:
		return TRAP_LOAD_ACCESS_FAULT;
	case CAUSE_STORE_ACCESS:
		return TRAP_STORE_ACCESS_FAULT;
	case CAUSE_FETCH_ACCESS:
		return TRAP_FETCH_ACCESS_FAULT;
	default:
		return TRAP_OTHER;
	}
}

const char *arch_trap_name(uint64_t scause)
{
	static const char *const names[] = {
		"instruction address misaligned",
		"instruction access fault",
		"illegal instruction",
		"breakpoint",
		"load address misaligned",
		"load access fault",
		"store address misaligned",
		"store access fault",
		"environment call from U-mode",
		"environment call from S-mode",
		"reserved",
		"environment call from M-mode",
		"instruction page fault",
		"load page fault",
		"reserved",
		"store page fault",
	};

	if (scause & CAUSE_INTERRUPT) {
		switch (scause & ~CAUSE_INTERRUPT) {
		case IRQ_S_SOFT:
			return "software interrupt";
		case IRQ_S_TIMER:
			return "timer interrupt";
		case IRQ_S_EXT:
			return "external interrupt";
		default:
			return "interrupt";
		}
	}
	if (scause < sizeof(names) / sizeof(names[0]))
		return names[scause];
	return "unknown";
}

void arch_trap(struct trap_frame *tf)
{
	if (tf->scause & CAUSE_INTERRUPT) {
		switch (tf->scause & ~CAUSE_INTERRUPT) {
		case IRQ_S_SOFT:
			/* Acknowledge before acting: a later IPI re-raises. */
			arch_ipi_clear();
			irq_handle(IRQ_KIND_IPI, tf);
			break;
		case IRQ_S_TIMER:
			irq_handle(IRQ_KIND_TIMER, tf);
			break;
		case IRQ_S_EXT:
			irq_handle(IRQ_KIND_EXTERNAL, tf);
			break;
		default:
			irq_handle(IRQ_KIND_OTHER, tf);
			break;
		}
		return;
	}
	/* Probes: page and access faults; CSR probes: illegal instruction. */
	if (arch_trap_kind(tf) != TRAP_OTHER ||
	    tf->scause == CAUSE_ILLEGAL_INSTRUCTION) {
		for (const struct ex_entry *e = __ex_table_start;
		     e < __ex_table_end; e++) {
			if (e->insn == tf->sepc) {
				tf->sepc = e->fixup;
				return;
			}
		}
	}
	trap_handle(tf);
}
