// SPDX-License-Identifier: BSD-2-Clause
/* Host runner for ktest suites (see host_ktest.h). */
#include "lib/tests/host_ktest.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/panic.h"
#include "lib/printk.h"

static void host_sink(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
	fflush(stdout);
}

static void host_panic(void)
{
	fflush(stdout);
	abort();
}

int ktest_host_main(const struct ktest_suite *const *suites, size_t n, int argc,
		    char **argv)
{
	printk_set_sink(host_sink);
	panic_set_hook(host_panic);
	return ktest_run(suites, n, argc > 1 ? argv[1] : NULL, NULL);
}
