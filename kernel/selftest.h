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
#include "mm/fail_alloc.h"

#define KTEST_SUITE_REGISTER(suite, order)                                     \
	static const struct ktest_suite *const __ktest_reg_##suite             \
		__attribute__((used,                                           \
			       section(".ktest_suites." #order "." #suite))) = \
			&(suite)

/*
 * A case whose subject is misuse or deliberate corruption (a double
 * free, an overwritten free pointer) rather than running out of memory:
 * KTEST_NO_INJECT(fn) after its definition, KTEST_CASE_NO_INJECT(fn) in
 * the case table, and it runs with fail_page_alloc= and failslab= held
 * off (mm/fail_alloc.h), since an injected failure midway would leave
 * the damage it made behind. Every other case runs under injection.
 */
#define KTEST_NO_INJECT(fn)                                                    \
	static void fn##_no_inject(struct ktest *t)                            \
	{                                                                      \
		unsigned int armed = fail_alloc_hold();                        \
		fn(t);                                                         \
		fail_alloc_restore(armed);                                     \
	}
#define KTEST_CASE_NO_INJECT(fn)                                               \
	{                                                                      \
#fn, fn##_no_inject                                            \
	}

/* Run the selected suites; returns 0 when nothing failed. */
int selftest_run(const char *selection);

#endif /* KERNEL_SELFTEST_H */
