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

enum poweroff_kind {
	POWEROFF_NONE, /* SBI SRST only */
	POWEROFF_SYSCON, /* syscon-poweroff: write value & mask */
	POWEROFF_SIFIVE_TEST, /* syscon-poweroff on a sifive,test device */
	POWEROFF_HTIF, /* ucb,htif0: tohost exit command */
};

/* The device a tree offers for powering off (kernel/poweroff_dt.c). */
struct poweroff_dev {
	enum poweroff_kind kind;
	paddr_t pa; /* the 4-byte register (HTIF: tohost) */
	uint32_t value, mask; /* POWEROFF_SYSCON */
};

/*
 * Decide the poweroff device from the tree alone (no hardware access;
 * the host tool dtcheck calls it too). Returns 0 and fills *dev, or
 * -ENODEV when the tree offers none (dev->kind is POWEROFF_NONE).
 */
int poweroff_dt_probe(const struct fdt *fdt, struct poweroff_dev *dev);
/* "sifive,test at 0x100000", "HTIF at 0x...", or "SBI SRST". */
void poweroff_dev_describe(const struct poweroff_dev *dev, char *buf,
			   size_t len);

/*
 * Find the poweroff device and remember it: 0 with its register's
 * physical address in *pa, or -ENODEV (power off through SBI).
 */
int poweroff_probe(const struct fdt *fdt, paddr_t *pa);
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
