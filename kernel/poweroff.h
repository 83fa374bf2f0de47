/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ending the run. With a "syscon-poweroff" node whose regmap is a
 * "sifive,test" device (QEMU virt), the status reaches QEMU's exit
 * status: 0 is written as FINISHER_PASS (0x5555), n as 0x3333 | n << 16.
 * A generic syscon-poweroff gets its "value". An HTIF ("ucb,htif0",
 * spike) gets an exit command, (status << 1) | 1 in tohost. Otherwise
 * SBI SRST; when the firmware cannot power off either, the kernel prints
 * "poweroff: ... halting" and idles.
 */
#ifndef KERNEL_POWEROFF_H
#define KERNEL_POWEROFF_H

#include "lib/fdt.h"
#include "lib/kernel.h"
#include "mm/types.h"

/* Find the poweroff device; returns its physical address or 0. */
paddr_t poweroff_probe(const struct fdt *fdt);
/*
 * Use a sifive,test register at pa, mapped at va, when the tree could not
 * be probed (a blob the reader refused): panics still exit with status 2.
 */
void poweroff_use_sifive_test(paddr_t pa, void *va);
/* Use this mapping of the device from now on (early or final). */
void poweroff_set_base(void *va);
void *poweroff_base(void);
/* Power off with status; never returns. */
void poweroff(int status) __noreturn;
/* Describe the method ("sifive,test at 0x100000", "SBI SRST"). */
const char *poweroff_method(void);

#endif /* KERNEL_POWEROFF_H */
