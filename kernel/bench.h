/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benchmarks, selected with `bench=<group>[,<group>...]` (or `all`).
 * Each group's function measures with bench_instret() (guest instructions
 * retired; exact and repeatable under QEMU -icount shift=0) and reports
 * "bench: <name> <value> <unit>" lines through bench_report().
 */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H

#include <stdint.h>

struct bench {
	const char *group; /* "buddy", "slab", "kmalloc", "vmalloc", ... */
	void (*run)(void);
};

#define BENCH_REGISTER(grp, fn)                                                \
	static const struct bench __bench_##fn = { grp, fn };                  \
	static const struct bench *const __bench_reg_##fn                      \
		__attribute__((used, section(".benches." grp))) =              \
			&__bench_##fn

/* Instructions retired so far (rdinstret). */
uint64_t bench_instret(void);
/* Print "bench: <name> <value> <unit>". */
void bench_report(const char *name, uint64_t value, const char *unit);
/* Run the selected groups; returns the number of unknown names. */
int bench_run(const char *selection);

#endif /* KERNEL_BENCH_H */
