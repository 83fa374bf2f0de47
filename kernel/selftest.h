/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * In-kernel self-tests. A suite (lib/ktest.h) registers itself with
 * KTEST_SUITE_REGISTER(suite, order); `selftest=all` or
 * `selftest=a,b` on the command line runs them in `order` (two digits:
 * 10 fdt, 20 lib, 30 mmu, 40 buddy, 50 slab, 55 kmalloc, 60 vmalloc),
 * prints KTAP and powers off with status 0 (all passed) or 1.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include "lib/ktest.h"

#define KTEST_SUITE_REGISTER(suite, order)                                     \
	static const struct ktest_suite *const __ktest_reg_##suite             \
		__attribute__((used,                                           \
			       section(".ktest_suites." #order "." #suite))) = \
			&(suite)

/* Run the selected suites; returns 0 when nothing failed. */
int selftest_run(const char *selection);

#endif /* KERNEL_SELFTEST_H */
