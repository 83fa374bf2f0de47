// SPDX-License-Identifier: BSD-2-Clause
/*
 * crash= runner and the address-space crash kinds (after Linux's LKDTM):
 *   null            read of address 0
 *   text_write      store into kernel text
 *   rodata_write    store into read-only data
 *   exec_data       jump into a data page
 *   stack_overflow  unbounded recursion into the boot stack's guard page
 *   illegal_insn    an all-zero instruction word (unexpected trap)
 *   nested_fault    a NULL read whose report itself faults: the second
 *                   trap must be reported once, never loop
 * Each must end in a fault report and status 2; returning is a failure.
 */
#include "kernel/crash.h"

#include "kernel/arch.h"
#include "lib/printk.h"
#include "lib/string.h"

extern const struct crash_kind *const __crash_kinds_start[];
extern const struct crash_kind *const __crash_kinds_end[];

int crash_run(const char *kind)
{
	for (const struct crash_kind *const *k = __crash_kinds_start;
	     k < __crash_kinds_end; k++) {
		if (strcmp((*k)->name, kind) == 0) {
			printk("crash: running '%pE'\n", kind);
			(*k)->run();
			return 0;
		}
	}
	printk("crash: warning: unknown kind '%pE'; known:", kind);
	for (const struct crash_kind *const *k = __crash_kinds_start;
	     k < __crash_kinds_end; k++)
		printk(" %s", (*k)->name);
	printk("\n");
	return -1;
}

static void crash_null(void)
{
	volatile int *p = NULL;

	printk("crash: read 0x%x from NULL\n", *p);
}
CRASH_REGISTER("null", crash_null);

static void crash_text_write(void)
{
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)crash_text_write;

	*p = 0x00100073; /* ebreak */
}
CRASH_REGISTER("text_write", crash_text_write);

static const uint64_t crash_rodata_word = 0x5a5a5a5a5a5a5a5aULL;

static void crash_rodata_write(void)
{
	*(volatile uint64_t *)&crash_rodata_word = 0;
}
CRASH_REGISTER("rodata_write", crash_rodata_write);

/* A valid instruction sequence (ret) placed in writable data. */
static uint32_t crash_data_code[4] = { 0x00008067, 0, 0, 0 };

static void crash_exec_data(void)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)crash_data_code;

	fn();
}
CRASH_REGISTER("exec_data", crash_exec_data);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static unsigned long recurse(volatile unsigned long depth)
{
	volatile char pad[256];

	pad[0] = (char)depth;
	return recurse(depth + 1) + pad[0];
}
#pragma GCC diagnostic pop

static void crash_stack_overflow(void)
{
	printk("crash: %lu\n", recurse(0));
}
CRASH_REGISTER("stack_overflow", crash_stack_overflow);

/* Not a fault: an unexpected trap of another kind (issue: any trap the
 * kernel does not expect is reported with scause, sepc and stval). */
static void crash_illegal_insn(void)
{
	__asm__ volatile(".word 0" ::: "memory");
}
CRASH_REGISTER("illegal_insn", crash_illegal_insn);

static void crash_nested_fault(void)
{
	trap_fault_in_reporter = true;
	crash_null();
}
CRASH_REGISTER("nested_fault", crash_nested_fault);
