// SPDX-License-Identifier: BSD-2-Clause
/* Output set-up shared by the allocator fuzz targets (see fuzz_ops.h). */
#include "mm/tests/fuzz_ops.h"

#include "lib/panic.h"
#include "lib/printk.h"

static void fuzz_stderr_sink(const char *s, size_t len)
{
	fwrite(s, 1, len, stderr);
}

static void fuzz_panic(void)
{
	fflush(stderr);
	abort();
}

void fuzz_setup_output(void)
{
	printk_set_sink(getenv("FUZZ_VERBOSE") ? fuzz_stderr_sink : NULL);
	panic_set_hook(fuzz_panic);
}
