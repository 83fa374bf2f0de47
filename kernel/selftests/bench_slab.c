// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench=slab and bench=kmalloc: instruction counts of the object caches
 * (guest instructions retired; exact under QEMU -icount shift=0).
 *
 *   slab.cache_pair        one kmem_cache_alloc + kmem_cache_free of a
 *                          64-byte object, hot path: a pop from and a
 *                          push on this hart's magazine
 *   slab.cache_grow        per object, filling fresh slabs (slab
 *                          creation amortised over its objects)
 *   kmalloc.64_pair        one kmalloc(64) + kfree, hot path
 *   kmalloc.64_pair_rt     the round trip through the slow paths: RT_OBJS
 *                          (1024) kmalloc(64) in a row, then their 1024
 *                          kfree, divided by 1024. Each hart has two
 *                          magazines of 30 rounds: every 30th
 *                          allocation swaps in the previous magazine
 *                          (no lock) or takes a full one from the depot
 *                          for the empty one under the cache's lock
 *                          (else 15 objects from the slabs, which are
 *                          made before the measurement), and every 30th
 *                          free swaps or gives the full previous one to
 *                          the depot for an empty one
 *   kmalloc.64_pair_var    kmalloc(64) + kfree with a size the compiler
 *                          cannot see (the out-of-line __kmalloc and its
 *                          table), hot path
 *   kmalloc.waste_pct      average internal waste of the class table for
 *                          sizes log-uniform in [8, 4096), rounded up
 *
 * The hot paths touch only this hart's loaded magazine (mm/slab_cpu.c:
 * plain loads and stores, no lock) with interrupts off; the cache's
 * lock is taken at most once per magazine of objects (depot or slabs).
 *
 * Loops include their own overhead (two or three instructions per
 * iteration). A compiler barrier between the alloc and the free stops
 * the compiler from merging the inline fast paths across them, as it
 * could not between separate call sites. With slab_debug= every cache
 * takes the checked slow paths and the counts measure those instead.
 */
#include "kernel/bench.h"
#include "lib/printk.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"

#define PAIR_LOOPS 4096
#define GROW_OBJS 2048
#define RT_OBJS 1024

/* Make p opaque and memory clobbered: no merging across this point. */
#define OPAQUE(p) __asm__ volatile("" : "+r"(p) : : "memory")

static void bench_slab(void)
{
	static void *objs[GROW_OBJS];
	struct kmem_cache *c = kmem_cache_create("bench-64", 64, 0, 0, NULL);
	void *hold, *p;
	uint64_t t0, t1;

	if (!c) {
		printk("bench: warning: slab: cannot create a cache\n");
		return;
	}
	hold = kmem_cache_alloc(c, GFP_KERNEL);
	t0 = bench_instret();
	for (int i = 0; i < PAIR_LOOPS; i++) {
		p = kmem_cache_alloc(c, GFP_KERNEL);
		OPAQUE(p);
		kmem_cache_free(c, p);
	}
	t1 = bench_instret();
	bench_report("slab.cache_pair", (t1 - t0) / PAIR_LOOPS, "instructions");
	kmem_cache_free(c, hold);
	kmem_cache_shrink(c);
	t0 = bench_instret();
	for (int i = 0; i < GROW_OBJS; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		OPAQUE(objs[i]);
	}
	t1 = bench_instret();
	bench_report("slab.cache_grow", (t1 - t0) / GROW_OBJS, "instructions");
	for (int i = 0; i < GROW_OBJS; i++)
		kmem_cache_free(c, objs[i]);
	if (kmem_cache_destroy(c))
		printk("bench: warning: slab: cache not destroyed\n");
}
BENCH_REGISTER("slab", bench_slab);

static void bench_kmalloc(void)
{
	static void *objs[RT_OBJS];
	volatile size_t rt_size = 64;
	size_t size;
	void *hold = kmalloc(64, GFP_KERNEL), *p;
	uint64_t t0, t1;

	t0 = bench_instret();
	for (int i = 0; i < PAIR_LOOPS; i++) {
		p = kmalloc(64, GFP_KERNEL);
		OPAQUE(p);
		kfree(p);
	}
	t1 = bench_instret();
	bench_report("kmalloc.64_pair", (t1 - t0) / PAIR_LOOPS, "instructions");
	size = rt_size;
	t0 = bench_instret();
	for (int i = 0; i < PAIR_LOOPS; i++) {
		p = kmalloc(size, GFP_KERNEL);
		OPAQUE(p);
		kfree(p);
	}
	t1 = bench_instret();
	bench_report("kmalloc.64_pair_var", (t1 - t0) / PAIR_LOOPS,
		     "instructions");
	/* Slabs for RT_OBJS objects exist before the measurement. */
	for (int i = 0; i < RT_OBJS; i++)
		objs[i] = kmalloc(64, GFP_KERNEL);
	for (int i = 0; i < RT_OBJS; i++)
		kfree(objs[i]);
	t0 = bench_instret();
	for (int i = 0; i < RT_OBJS; i++) {
		objs[i] = kmalloc(64, GFP_KERNEL);
		OPAQUE(objs[i]);
	}
	for (int i = 0; i < RT_OBJS; i++)
		kfree(objs[i]);
	t1 = bench_instret();
	bench_report("kmalloc.64_pair_rt", (t1 - t0) / RT_OBJS, "instructions");
	kfree(hold);
	bench_report("kmalloc.waste_pct", kmalloc_waste_pct(), "percent");
}
BENCH_REGISTER("kmalloc", bench_kmalloc);
