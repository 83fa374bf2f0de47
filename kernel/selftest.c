// SPDX-License-Identifier: BSD-2-Clause
/* selftest= runner: the registered suites in order (see selftest.h). */
#include "kernel/selftest.h"

#include "lib/printk.h"

extern const struct ktest_suite *const __ktest_suites_start[];
extern const struct ktest_suite *const __ktest_suites_end[];

int selftest_run(const char *selection)
{
	struct ktest_totals tot;

	int err = ktest_run(__ktest_suites_start,
			    (size_t)(__ktest_suites_end - __ktest_suites_start),
			    selection, &tot);

	/* A selection that runs nothing (selftest=,) proves nothing. */
	if (!err && tot.passed + tot.failed + tot.skipped == 0) {
		printk("selftest: error: '%pE' selects no test\n", selection);
		return 1;
	}
	return err;
}
