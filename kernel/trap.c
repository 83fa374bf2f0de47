// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fatal trap reporting. Every trap the arch layer does not resolve ends
 * here: page and access faults print
 *   fault: <load|store|fetch> page fault at 0x%016lx (sepc 0x%016lx)
 *   fault: <what lies at that address>
 * anything else
 *   trap: unexpected <name> (scause 0x..) sepc 0x.. stval 0x..
 * then the registers, and the run ends with status 2. A trap taken while
 * reporting one (depth 2) prints one line through the SBI console and
 * powers off; a third one shuts down without printing, so a broken
 * reporter can never loop.
 */
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/crash.h"
#include "kernel/poweroff.h"
#include "lib/fmt.h"
#include "lib/printk.h"
#include "mm/kspace.h"

static int trap_depth;
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
	char what[200];

	if (++trap_depth > 1) {
		if (trap_depth == 2) {
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
	if (kind != TRAP_OTHER) {
		printk("\nfault: %s fault at 0x%016lx (sepc 0x%016lx)\n",
		       kinds[kind], (unsigned long)tf->stval,
		       (unsigned long)tf->sepc);
		if (trap_fault_in_reporter) {
			volatile uintptr_t bad =
				8; /* hidden from -Warray-bounds */

			(void)*(volatile int *)bad;
		}
		kspace_describe(tf->stval, what, sizeof(what));
		printk("fault: address is %s\n", what);
		kspace_describe(tf->sepc, what, sizeof(what));
		printk("fault: sepc is in %s\n", what);
	} else {
		printk("\ntrap: unexpected %s (scause 0x%lx) sepc 0x%016lx "
		       "stval 0x%016lx\n",
		       arch_trap_name(tf->scause), (unsigned long)tf->scause,
		       (unsigned long)tf->sepc, (unsigned long)tf->stval);
	}
	dump_regs(tf);
	poweroff(EXIT_PANIC);
}
