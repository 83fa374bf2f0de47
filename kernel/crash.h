/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Deliberate faults and misuse, selected with `crash=<kind>` (after
 * LKDTM). A kind either faults (the trap handler reports and ends the
 * run with status 2) or performs a misuse the kernel must report and
 * survive, in which case it returns and the kernel powers off with 0.
 */
#ifndef KERNEL_CRASH_H
#define KERNEL_CRASH_H

#include <stdbool.h>

struct crash_kind {
	const char *name;
	void (*run)(void);
};

#define CRASH_REGISTER(kind, fn)                                               \
	static const struct crash_kind __crash_##fn = { kind, fn };            \
	static const struct crash_kind *const __crash_reg_##fn                 \
		__attribute__((used, section(".crash_kinds"))) = &__crash_##fn

/* crash=nested_fault: kernel/trap.c's reporter faults once when set. */
extern bool trap_fault_in_reporter;

/* Run the named kind; returns -1 if unknown (a warning is printed). */
int crash_run(const char *kind);

#endif /* KERNEL_CRASH_H */
