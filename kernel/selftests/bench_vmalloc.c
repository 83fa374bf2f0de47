// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench=vmalloc: guest instructions per vmalloc + vfree pair.
 *
 *   vmalloc.4pages_pair       vmalloc(4 pages) + vfree, steady state: one
 *                             other area stays live, so the 2 MiB region's
 *                             page-table pages exist (as they do in a
 *                             kernel with any vmalloc area live)
 *   vmalloc.4pages_pair_cold  the same with no other area: each pair also
 *                             allocates, zeroes and frees the L1 and L0
 *                             table pages
 *   vmalloc.1m_pair           vmalloc(1 MiB) + vfree, steady state
 *
 * Each figure is the mean over BENCH_VMALLOC_ROUNDS pairs after one
 * warm-up pair (which fills vmalloc's descriptor pools).
 */
#include "kernel/bench.h"
#include "lib/printk.h"
#include "mm/types.h"
#include "mm/vmalloc.h"

#define BENCH_VMALLOC_ROUNDS 64

static uint64_t pair_cost(size_t size)
{
	uint64_t t0;
	void *p;

	vfree(vmalloc(size)); /* warm-up */
	t0 = bench_instret();
	for (int i = 0; i < BENCH_VMALLOC_ROUNDS; i++) {
		p = vmalloc(size);
		if (!p)
			return 0;
		vfree(p);
	}
	return (bench_instret() - t0) / BENCH_VMALLOC_ROUNDS;
}

static void bench_vmalloc(void)
{
	void *anchor;
	uint64_t cold;

	cold = pair_cost(4 * PAGE_SIZE);
	anchor = vmalloc(PAGE_SIZE);
	if (!anchor) {
		printk("bench: vmalloc: warning: no memory for the anchor\n");
		return;
	}
	bench_report("vmalloc.4pages_pair", pair_cost(4 * PAGE_SIZE),
		     "instructions");
	bench_report("vmalloc.4pages_pair_cold", cold, "instructions");
	bench_report("vmalloc.1m_pair", pair_cost(SZ_1M), "instructions");
	vfree(anchor);
}
BENCH_REGISTER("vmalloc", bench_vmalloc);
