// SPDX-License-Identifier: BSD-2-Clause
/* selftest= runner: the registered suites in order (see selftest.h). */
#include "kernel/selftest.h"

extern const struct ktest_suite *const __ktest_suites_start[];
extern const struct ktest_suite *const __ktest_suites_end[];

int selftest_run(const char *selection)
{
	struct ktest_totals tot;

	return ktest_run(__ktest_suites_start,
			 (size_t)(__ktest_suites_end - __ktest_suites_start),
			 selection, &tot);
}
