// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fatal trap reporting. Every trap the arch layer does not resolve ends
 * here: page and access faults print
 *   fault: <load|store|fetch> page fault at 0x%016lx (sepc 0x%016lx) on hart <id>
 *   fault: <what lies at that address>
 * anything else
 *   trap: unexpected <name> (scause 0x..) sepc 0x.. stval 0x.. on hart <id>
 * then the registers, and the run ends with status 2. The reporting hart
 * first stops the others (panic_begin(): they print nothing more); a
 * hart that faults while another is already panicking parks silently.
 * A trap taken while reporting one (depth 2, counted per hart in its
 * per-hart area) prints one line through the SBI console and powers
 * off; a third one shuts down without printing, so a broken reporter
 * can never loop. A report never returns, so trap_depth counts only
 * traps being reported; resumable traps never count: interrupts go to
 * kernel/irq.c (whose own depth unwinds on every return), exception-
 * table fixups are resolved in arch code, and spurious page faults (see
 * fault_is_spurious) return before the depth is counted. A trap taken
 * inside an interrupt handler adds the line
 *   fault: in an interrupt handler (<software|timer|external> interrupt)
 * before the registers.
 */
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/crash.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/poweroff.h"
#include "kernel/smp.h"
#include "lib/fmt.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "mm/kspace.h"
#include "mm/pgtable.h"

/* Set by crash=nested_fault: the reporter itself faults once. */
bool trap_fault_in_reporter;

static void dump_regs(const struct trap_frame *tf)
{
	printk("regs: sepc 0x%016lx sstatus 0x%016lx\n",
	       (unsigned long)tf->sepc, (unsigned long)tf->sstatus);
	for (int i = 1; i < 32; i += 4) {
		printk("regs:");
		for (int j = i; j < i + 4 && j < 32; j++)
			printk(" %-4s 0x%016lx", arch_reg_names[j],
			       (unsigned long)tf->regs[j]);
		printk("\n");
	}
}

/*
 * A page fault at an address the kernel's page tables map with the
 * access allowed is spurious: this hart cached the entry as not valid
 * before another hart mapped it (maps fence only the mapping hart, as
 * mm/pgtable.h says). Fence locally and retry the access, once per
 * address in a row: a second fault at the same address is reported.
 * (QEMU never caches a not-valid entry, so there it never triggers.)
 */
static bool fault_is_spurious(const struct trap_frame *tf, enum trap_kind kind,
			      struct percpu *self)
{
	static const unsigned int need[] = {
		[TRAP_LOAD_PAGE_FAULT] = PROT_READ,
		[TRAP_STORE_PAGE_FAULT] = PROT_WRITE,
		[TRAP_FETCH_PAGE_FAULT] = PROT_EXEC,
	};
	struct pgtable *pt = kspace_pgtable();
	unsigned int prot;

	/* Only another hart's mapping can be cached stale. */
	if (kind > TRAP_FETCH_PAGE_FAULT || self->trap_depth ||
	    smp_num_online() < 2)
		return false;
	if (self->spurious_va == tf->stval) {
		self->spurious_va = 0;
		return false;
	}
	/* A fault inside the page-table code itself is never spurious. */
	if (pt_lock_is_held(pt) ||
	    pt_lookup(pt, tf->stval, NULL, &prot, NULL) || !(prot & need[kind]))
		return false;
	self->spurious_va = tf->stval;
	arch_tlb_flush_page(tf->stval);
	return true;
}

void trap_handle(struct trap_frame *tf)
{
	static const char *const kinds[] = {
		[TRAP_LOAD_PAGE_FAULT] = "load page",
		[TRAP_STORE_PAGE_FAULT] = "store page",
		[TRAP_FETCH_PAGE_FAULT] = "fetch page",
		[TRAP_LOAD_ACCESS_FAULT] = "load access",
		[TRAP_STORE_ACCESS_FAULT] = "store access",
		[TRAP_FETCH_ACCESS_FAULT] = "fetch access",
	};
	enum trap_kind kind = arch_trap_kind(tf);
	struct percpu *self = this_cpu();
	char what[200];
	int depth;

	if (fault_is_spurious(tf, kind, self))
		return;
	depth = ++self->trap_depth;

	if (depth > 1) {
		if (depth == 2) {
			char line[160];
			int n = fmt_snprintf(
				line, sizeof(line),
				"\nfault: nested trap while reporting: scause "
				"0x%lx sepc 0x%016lx stval 0x%016lx\n",
				(unsigned long)tf->scause,
				(unsigned long)tf->sepc,
				(unsigned long)tf->stval);
			sbi_console_write(line, (size_t)n);
			poweroff(EXIT_PANIC);
		}
		sbi_shutdown(1);
		for (;;)
			arch_idle();
	}
	panic_begin(); /* stops the other harts, or parks this one */
	if (kind != TRAP_OTHER) {
		printk("\nfault: %s fault at 0x%016lx (sepc 0x%016lx) on hart "
		       "%lu\n",
		       kinds[kind], (unsigned long)tf->stval,
		       (unsigned long)tf->sepc, self->hartid);
		if (trap_fault_in_reporter) {
			volatile uintptr_t bad =
				8; /* hidden from -Warray-bounds */

			(void)*(volatile int *)bad;
		}
		if (!smp_describe(tf->stval, what, sizeof(what)))
			kspace_describe(tf->stval, what, sizeof(what));
		printk("fault: address is %s\n", what);
		kspace_describe(tf->sepc, what, sizeof(what));
		printk("fault: sepc is in %s\n", what);
	} else {
		printk("\ntrap: unexpected %s (scause 0x%lx) sepc 0x%016lx "
		       "stval 0x%016lx on hart %lu\n",
		       arch_trap_name(tf->scause), (unsigned long)tf->scause,
		       (unsigned long)tf->sepc, (unsigned long)tf->stval,
		       self->hartid);
	}
	if (self->irq_depth)
		printk("fault: in an interrupt handler (%s)\n",
		       irq_kind_name(self->irq_last));
	dump_regs(tf);
	poweroff(EXIT_PANIC);
}
