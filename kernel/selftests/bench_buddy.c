// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench=buddy: instruction counts of the page allocator (guest
 * instructions retired; exact under QEMU -icount shift=0).
 *
 *   buddy.order0_pair        one alloc_page + __free_page, steady state
 *                            (an order-0 block is free, its buddy held):
 *                            both calls hit this hart's page list
 *   buddy.order0_pair_split  the same when no block below MAX_ORDER is
 *                            free and this hart's list is empty: the
 *                            first allocation refills the list with a
 *                            batch split off a MAX_ORDER block, the rest
 *                            hit the list (before per-hart lists every
 *                            pair split and merged)
 *   buddy.mixed              per alloc or free, random orders
 *                            0..MAX_ORDER at about half occupancy
 *   buddy.order9_alloc       per order-9 allocation
 *   buddy.init_per_gib       buddy_init_from_memblock at boot, scaled to
 *                            1 GiB of present RAM
 *   buddy.metadata_per_page  descriptor bytes per present page
 *   buddy.virt_to_page       one virt_to_page() of an allocated page's
 *                            address (the kfree() case), loop included
 *   buddy.pfn_to_page        one pfn_to_page() of its pfn, loop included
 *   buddy.page_to_pfn        one page_to_pfn(), loop included
 *
 * Before the figures, "bench: buddy.policy <name>" names the page
 * allocator's policy (buddy=): every figure is measured under it, with
 * the same names for every policy. An order's block is the policy's
 * smallest size class of at least 2^order pages
 * (kernel/selftests/block_pages.h).
 *
 * Measurements around a single call subtract the cost of reading the
 * counter (calibrated); loops over many calls include the loop. An
 * order-0 call with a constant order and gfp is inline (mm/buddy_fast.h):
 * this hart's list with interrupts off and no lock, so the pair loops
 * keep its constants in registers; a refill or drain takes its zone's
 * lock once per batch, and any other order its zone's lock (the bench
 * runs on one hart).
 */
#include "kernel/bench.h"
#include "kernel/boot.h"
#include "kernel/selftests/block_pages.h"
#include "kernel/selftests/buddy_held.h"
#include "lib/list.h"
#include "lib/printk.h"
#include "lib/rand.h"
#include "mm/buddy.h"

#define PAIR_LOOPS 4096
#define MIXED_SLOTS 2048
#define MIXED_WARMUP_OPS 4000
#define MIXED_OPS 20000
#define ORDER9_BLOCKS 32
#define LOOKUP_LOOPS 4096

/* Make x opaque and memory clobbered: no hoisting across this point. */
#define OPAQUE(x) __asm__ volatile("" : "+r"(x) : : "memory")

/* Instructions between two back-to-back bench_instret() calls. */
static uint64_t counter_cost(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 16; i++) {
		uint64_t a = bench_instret();
		uint64_t b = bench_instret();

		best = MIN(best, b - a);
	}
	return best;
}

static uint64_t pair_loop(void)
{
	uint64_t t0 = bench_instret();

	for (int i = 0; i < PAIR_LOOPS; i++) {
		struct page *p = alloc_page(GFP_KERNEL);

		__free_page(p);
	}
	return (bench_instret() - t0) / PAIR_LOOPS;
}

/*
 * Hold blocks until the preferred zone's lists below the largest size
 * class (binary: MAX_ORDER) are empty.
 */
static void drain_below_max(struct list_head *held, enum zone_type z, gfp_t gfp)
{
	for (unsigned int c = 0; c + 1 < buddy_nr_classes(); c++)
		while (buddy_zone_nr_free(z, c)) {
			if (!alloc_class(held, gfp | __GFP_NOWARN, c))
				return;
			/*
			 * An order-0 allocation refills this hart's list
			 * with a batch: give back all but p, so that each
			 * one takes exactly one page off the free lists.
			 */
			buddy_drain_local_pages();
		}
}

static void bench_pairs(void)
{
	struct list_head held = LIST_HEAD_INIT(held);
	enum zone_type z =
		buddy_zone_free(ZONE_NORMAL) ? ZONE_NORMAL : ZONE_DMA32;
	struct page *p;

	/*
	 * Hold pages until an order-0 block is free (the last one held was
	 * split off a larger block, leaving its buddy on the list). The pair
	 * then takes that block and gives it back; its buddy is allocated,
	 * so nothing splits or merges.
	 */
	do {
		p = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!p) {
			printk("bench: warning: buddy: no memory\n");
			release_all(&held);
			return;
		}
		p->private = 0;
		list_add(&p->lru, &held);
		/* Give back what the refill cached beside p (see below). */
		buddy_drain_local_pages();
	} while (!buddy_zone_nr_free(z, 0));
	bench_report("buddy.order0_pair", pair_loop(), "instructions");
	release_all(&held);

	drain_below_max(&held, z, z == ZONE_NORMAL ? GFP_KERNEL : GFP_DMA32);
	buddy_drain_local_pages();
	if (buddy_zone_nr_free(z, buddy_nr_classes() - 1))
		bench_report("buddy.order0_pair_split", pair_loop(),
			     "instructions");
	release_all(&held);
}

static struct {
	struct page *page;
	unsigned int order;
} slots[MIXED_SLOTS];

static void bench_mixed(void)
{
	struct buddy_stats st;
	struct rand_state rs;
	uint64_t target, held_pages = 0, sum = 0, cost = counter_cost();
	unsigned int n = 0, ops = 0, failed = 0;

	buddy_stats(&st);
	target = st.free / 2;
	rand_seed(&rs, 0x6d69786564);
	for (int i = 0; i < MIXED_WARMUP_OPS + MIXED_OPS; i++) {
		bool measure = i >= MIXED_WARMUP_OPS;
		uint64_t t0, t1;

		if ((held_pages < target || n == 0) && n < MIXED_SLOTS) {
			unsigned int o = rand_below(&rs, MAX_ORDER + 1);
			struct page *p;

			t0 = bench_instret();
			p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, o);
			t1 = bench_instret();
			if (p) {
				slots[n].page = p;
				slots[n++].order = o;
				held_pages += order_block_pages(o);
			} else {
				failed += measure;
			}
		} else {
			unsigned int k = rand_below(&rs, n);

			t0 = bench_instret();
			__free_pages(slots[k].page, slots[k].order);
			t1 = bench_instret();
			held_pages -= order_block_pages(slots[k].order);
			slots[k] = slots[--n];
		}
		if (measure) {
			sum += t1 - t0 - cost;
			ops++;
		}
	}
	while (n--)
		__free_pages(slots[n].page, slots[n].order);
	bench_report("buddy.mixed", sum / ops, "instructions");
	if (failed)
		printk("bench: warning: buddy.mixed: %u of %u operations were "
		       "failed "
		       "allocations\n",
		       failed, ops);
}

static void bench_order9(void)
{
	struct page *blocks[ORDER9_BLOCKS];
	uint64_t cost = counter_cost(), sum = 0;
	unsigned int n;

	for (n = 0; n < ORDER9_BLOCKS; n++) {
		uint64_t t0 = bench_instret();
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 9);
		uint64_t t1 = bench_instret();

		if (!p)
			break;
		blocks[n] = p;
		sum += t1 - t0 - cost;
	}
	if (n)
		bench_report("buddy.order9_alloc", sum / n, "instructions");
	while (n--)
		__free_pages(blocks[n], 9);
}

/*
 * The inline conversions of mm/buddy.h on a page the allocator handed
 * out. The memory clobber makes every iteration reload the tables, as a
 * call site in other code would.
 */
static void bench_lookups(void)
{
	struct page *p = alloc_page(GFP_KERNEL);
	void *va;
	pfn_t pfn;
	uint64_t t0;

	if (!p) {
		printk("bench: warning: buddy: no memory\n");
		return;
	}
	va = page_address(p);
	pfn = page_to_pfn(p);
	t0 = bench_instret();
	for (int i = 0; i < LOOKUP_LOOPS; i++) {
		void *a = va;
		struct page *q;

		OPAQUE(a);
		q = virt_to_page(a);
		OPAQUE(q);
	}
	bench_report("buddy.virt_to_page",
		     (bench_instret() - t0) / LOOKUP_LOOPS, "instructions");
	t0 = bench_instret();
	for (int i = 0; i < LOOKUP_LOOPS; i++) {
		pfn_t f = pfn;
		struct page *q;

		OPAQUE(f);
		q = pfn_to_page(f);
		OPAQUE(q);
	}
	bench_report("buddy.pfn_to_page", (bench_instret() - t0) / LOOKUP_LOOPS,
		     "instructions");
	t0 = bench_instret();
	for (int i = 0; i < LOOKUP_LOOPS; i++) {
		struct page *q = p;
		pfn_t f;

		OPAQUE(q);
		f = page_to_pfn(q);
		OPAQUE(f);
	}
	bench_report("buddy.page_to_pfn", (bench_instret() - t0) / LOOKUP_LOOPS,
		     "instructions");
	__free_page(p);
}

static void bench_buddy(void)
{
	struct buddy_stats st;

	/* Not a figure: names the policy the figures below belong to. */
	printk("bench: buddy.policy %s\n", buddy_active_policy()->name);
	bench_pairs();
	bench_mixed();
	bench_order9();
	bench_lookups();
	buddy_stats(&st);
	if (st.present)
		bench_report("buddy.init_per_gib",
			     boot_buddy_init_instret * (SZ_1G / PAGE_SIZE) /
				     st.present,
			     "instructions");
	bench_report("buddy.metadata_per_page", buddy_metadata_per_page(),
		     "bytes");
}
BENCH_REGISTER("buddy", bench_buddy);
