/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host side of ktest: a test binary's main() calls ktest_host_main() with
 * its suites. Messages go to stdout, panic() aborts (so ASan prints a
 * stack), and an optional argv[1] selects suites like selftest= does.
 */
#ifndef LIB_TESTS_HOST_KTEST_H
#define LIB_TESTS_HOST_KTEST_H

#include "lib/ktest.h"

int ktest_host_main(const struct ktest_suite *const *suites, size_t n, int argc,
		    char **argv);

/*
 * An operation count for a stress test: the environment variable `name`
 * when set to a positive number, else dflt scaled by KTEST_OPS_PERCENT
 * (default 100, at least 1 is returned). `make test` runs the host
 * concurrency tests at a fraction of their full size beside QEMU runs;
 * `make soak` runs them whole, one at a time (see the README).
 */
unsigned long ktest_host_count(const char *name, unsigned long dflt);

#define KTEST_HOST_MAIN(...)                                                   \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		static const struct ktest_suite *const suites[] = {            \
			__VA_ARGS__                                            \
		};                                                             \
		return ktest_host_main(suites, ARRAY_SIZE(suites), argc,       \
				       argv);                                  \
	}

#endif
