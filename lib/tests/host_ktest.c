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

static unsigned long env_number(const char *name)
{
	const char *v = getenv(name);

	return v ? strtoul(v, NULL, 0) : 0;
}

unsigned long ktest_host_count(const char *name, unsigned long dflt)
{
	unsigned long n = name ? env_number(name) : 0;
	unsigned long pct = env_number("KTEST_OPS_PERCENT");

	if (n)
		return n;
	if (!pct)
		pct = 100;
	n = dflt / 100 * pct + dflt % 100 * pct / 100;
	return n ? n : 1;
}

int ktest_host_main(const struct ktest_suite *const *suites, size_t n, int argc,
		    char **argv)
{
	printk_set_sink(host_sink);
	panic_set_hook(host_panic);
	return ktest_run(suites, n, argc > 1 ? argv[1] : NULL, NULL);
}
