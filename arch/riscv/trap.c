// SPDX-License-Identifier: BSD-2-Clause
/*
 * First C stop for every trap: resolve exception-table fixups (probes),
 * otherwise hand the frame to the portable reporter in kernel/trap.c.
 */
#include "arch/riscv/csr.h"
#include "kernel/arch.h"
#include "kernel/smp.h"

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

	if (scause & CAUSE_INTERRUPT)
		return "interrupt";
	if (scause < sizeof(names) / sizeof(names[0]))
		return names[scause];
	return "unknown";
}

void arch_trap(struct trap_frame *tf)
{
	/* An IPI: acknowledge it; the idle and wait loops act on it. */
	if (tf->scause == (CAUSE_INTERRUPT | IRQ_S_SOFT)) {
		arch_ipi_clear();
		smp_handle_ipi();
		return;
	}
	if (arch_trap_kind(tf) != TRAP_OTHER) {
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
