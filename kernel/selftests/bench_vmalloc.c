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
 *   vmalloc.4pages_pair_purged
 *                             vmalloc.4pages_pair with the purge that
 *                             gives the lazily freed areas back included
 *                             (one vmalloc_purge after the rounds, its
 *                             cost shared among them)
 *
 * Each figure is the mean over BENCH_VMALLOC_ROUNDS pairs after one
 * warm-up pair (which fills vmalloc's descriptor pools) and a purge.
 * vfree is lazy (mm/vmalloc.h): the frames, ranges and tables of the
 * freed areas go back in a later purge, which BENCH_VMALLOC_ROUNDS
 * four-page pairs do not reach (the limit is 1024 held pages), so the
 * pair figures leave the purge out and the _purged one puts it in; a
 * 1 MiB pair purges every fourth vfree by itself.
 */
#include <stdbool.h>

#include "kernel/bench.h"
#include "lib/printk.h"
#include "mm/types.h"
#include "mm/vmalloc.h"

#define BENCH_VMALLOC_ROUNDS 64

static uint64_t pair_cost(size_t size, bool purge)
{
	uint64_t t0;
	void *p;

	vfree(vmalloc(size)); /* warm-up */
	vmalloc_purge();
	t0 = bench_instret();
	for (int i = 0; i < BENCH_VMALLOC_ROUNDS; i++) {
		p = vmalloc(size);
		if (!p)
			return 0;
		vfree(p);
	}
	if (purge)
		vmalloc_purge();
	return (bench_instret() - t0) / BENCH_VMALLOC_ROUNDS;
}

static void bench_vmalloc(void)
{
	void *anchor;
	uint64_t cold;

	cold = pair_cost(4 * PAGE_SIZE, false);
	anchor = vmalloc(PAGE_SIZE);
	if (!anchor) {
		printk("bench: warning: vmalloc: no memory for the anchor\n");
		return;
	}
	bench_report("vmalloc.4pages_pair", pair_cost(4 * PAGE_SIZE, false),
		     "instructions");
	bench_report("vmalloc.4pages_pair_cold", cold, "instructions");
	bench_report("vmalloc.1m_pair", pair_cost(SZ_1M, false),
		     "instructions");
	bench_report("vmalloc.4pages_pair_purged",
		     pair_cost(4 * PAGE_SIZE, true), "instructions");
	vfree(anchor);
}
BENCH_REGISTER("vmalloc", bench_vmalloc);
