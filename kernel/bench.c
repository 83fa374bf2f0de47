// SPDX-License-Identifier: BSD-2-Clause
/* bench= runner (see bench.h). */
#include "kernel/bench.h"

#include "kernel/arch.h"
#include "lib/ktest.h"
#include "lib/printk.h"
#include "lib/string.h"

extern const struct bench *const __benches_start[];
extern const struct bench *const __benches_end[];

uint64_t bench_instret(void)
{
	return arch_instret();
}

void bench_report(const char *name, uint64_t value, const char *unit)
{
	printk("bench: %s %lu %s\n", name, (unsigned long)value, unit);
}

int bench_run(const char *selection)
{
	int unknown = 0;
	const char *p = selection;

	/* Unknown names first, so the warning is not lost in the output. */
	while (p && *p && strcmp(p, "all") != 0) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool found = len == 3 && strncmp(p, "all", 3) == 0;

		for (const struct bench *const *b = __benches_start;
		     b < __benches_end && !found; b++)
			found = strlen((*b)->group) == len &&
				strncmp((*b)->group, p, len) == 0;
		if (!found && len) {
			char name[64]; /* from the command line: escaped */
			size_t n = len < sizeof(name) ? len : sizeof(name) - 1;

			memcpy(name, p, n);
			name[n] = '\0';
			printk("bench: warning: unknown benchmark '%pE'\n",
			       name);
			unknown++;
		}
		if (!end)
			break;
		p = end + 1;
	}
	for (const struct bench *const *b = __benches_start; b < __benches_end;
	     b++)
		if (ktest_selected(selection, (*b)->group))
			(*b)->run();
	return unknown;
}
