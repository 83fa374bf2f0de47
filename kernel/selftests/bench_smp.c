// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench=smp: allocator pairs on n harts at once, n = 1, 2 and 4.
 *
 *   smp.kmalloc64_pair_<n>harts   kmalloc(64) + kfree, per op, per hart
 *   smp.order0_pair_<n>harts      alloc_pages(0) + __free_pages, the same
 *
 * Under QEMU -icount, rdinstret reads one instruction count shared by
 * all harts (QEMU runs them in turn on one thread), so a hart cannot
 * count only its own instructions. Each figure is therefore every
 * instruction retired between the first hart's start and the last
 * hart's end, divided by n x operations: instructions per operation on
 * each hart, lock spinning included. Harts that finish early wait in
 * wfi (retiring nothing) until the last one IPIs them, so waiting is not
 * counted. Figures are exact and repeatable only under -icount shift=0.
 */
#include "kernel/bench.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "lib/fmt.h"
#include "lib/printk.h"
#include "mm/buddy.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"

#define SMP_BENCH_OPS 20000

/* Make p opaque and memory clobbered: no merging across this point. */
#define OPAQUE(p) __asm__ volatile("" : "+r"(p) : : "memory")

struct smp_bench {
	unsigned int n; /* harts taking part: cpus 0 .. n - 1 */
	bool pages; /* order-0 pages, else kmalloc(64) */
	unsigned int arrived, finished; /* atomics */
	uint64_t t0[NR_CPUS], t1[NR_CPUS];
};

static void bench_worker(void *arg)
{
	struct smp_bench *b = arg;
	unsigned int me = cpu_id();

	if (me >= b->n)
		return;
	__atomic_fetch_add(&b->arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&b->arrived, __ATOMIC_ACQUIRE) < b->n)
		cpu_yield(); /* let the others get here (not measured) */
	b->t0[me] = bench_instret();
	if (b->pages) {
		for (int i = 0; i < SMP_BENCH_OPS; i++) {
			struct page *pg = alloc_pages(GFP_KERNEL, 0);

			OPAQUE(pg);
			__free_pages(pg, 0);
		}
	} else {
		for (int i = 0; i < SMP_BENCH_OPS; i++) {
			void *p = kmalloc(64, GFP_KERNEL);

			OPAQUE(p);
			kfree(p);
		}
	}
	b->t1[me] = bench_instret();
	if (__atomic_add_fetch(&b->finished, 1, __ATOMIC_ACQ_REL) == b->n) {
		for (unsigned int c = 0; c < b->n; c++)
			if (c != me)
				smp_send_ipi(c);
		return;
	}
	while (__atomic_load_n(&b->finished, __ATOMIC_ACQUIRE) < b->n)
		arch_idle();
}

static void bench_one(const char *what, bool pages, unsigned int n)
{
	static struct smp_bench b;
	uint64_t first = UINT64_MAX, last = 0;
	char name[48];

	fmt_snprintf(name, sizeof(name), "smp.%s_%uharts", what, n);
	if (smp_num_online() < n) {
		printk("bench: warning: %s skipped (%u harts online)\n", name,
		       smp_num_online());
		return;
	}
	b.n = n;
	b.pages = pages;
	b.arrived = b.finished = 0;
	smp_call_all(bench_worker, &b);
	for (unsigned int c = 0; c < n; c++) {
		first = b.t0[c] < first ? b.t0[c] : first;
		last = b.t1[c] > last ? b.t1[c] : last;
	}
	bench_report(name, (last - first) / ((uint64_t)n * SMP_BENCH_OPS),
		     "instructions");
}

static void bench_smp(void)
{
	static const unsigned int harts[] = { 1, 2, 4 };

	for (unsigned int i = 0; i < ARRAY_SIZE(harts); i++)
		bench_one("kmalloc64_pair", false, harts[i]);
	for (unsigned int i = 0; i < ARRAY_SIZE(harts); i++)
		bench_one("order0_pair", true, harts[i]);
}
BENCH_REGISTER("smp", bench_smp);
