// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the per-hart list refill carved from whole blocks
 * (mm/buddy_pcp.c, pcp_take()): the page states (I11) and counts after
 * a refill from one block, from fragments only, from fragments and a
 * larger block, and with buddy tracing on (a page at a time). Each case
 * starts from a fresh allocator over 256 MiB of fake RAM in one zone
 * (DMA32), on one thread (one hart).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/tests/host_arch.h"
#include "mm/trace.h"

#define PHYS_BASE 0x80000000UL
/* 256 MiB: a batch of BUDDY_PCP_BATCH_MAX (managed >> 10 >= 32). */
#define PHYS_SIZE (256UL << 20)
#define NR_PAGES (PHYS_SIZE >> PAGE_SHIFT)

static struct zone *zone;
static struct page *held[NR_PAGES];
static unsigned int nheld;

static void fresh(void)
{
	host_phys_fini();
	host_phys_init_buddy(PHYS_BASE, PHYS_SIZE);
	zone = &buddy.zones[ZONE_DMA32];
	nheld = 0;
}

/* This hart's list for the zone. */
static struct buddy_pcp *my_pcp(void)
{
	return &buddy_pcp_of(cpu_id())->zone[ZONE_DMA32];
}

/* Pages on the zone's free lists (per-hart lists not included). */
static uint64_t list_pages(void)
{
	uint64_t n = 0;

	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		n += buddy_zone_nr_free(ZONE_DMA32, o) << o;
	return n;
}

/* Take every page, one at a time, into held[]; this hart's list ends
 * empty. */
static void hold_all(void)
{
	struct page *p;

	while ((p = alloc_page(GFP_KERNEL | __GFP_NOWARN)) != NULL)
		held[nheld++] = p;
}

/* Free held[i] (pfn order: held[] is sorted first) and give it to the
 * free lists at once. */
static int cmp_page(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a;
	const struct page *y = *(struct page *const *)b;

	return x < y ? -1 : x > y;
}

/*
 * After hold_all() and sorting held[]: the index of a held page whose
 * pfn is aligned to 256 pages and that starts 256 held pages of
 * consecutive pfns, so that offsets from it name buddies; nheld if
 * there is none.
 */
static unsigned int aligned_base(void)
{
	for (unsigned int i = 0; i + 256 <= nheld; i++)
		if (buddy_pfn_aligned(page_to_pfn(held[i]), 8) &&
		    held[i + 255] == held[i] + 255)
			return i;
	return nheld;
}

static void release(unsigned int i)
{
	__free_page(held[i]);
	held[i] = NULL;
}

static void release_all(void)
{
	for (unsigned int i = 0; i < nheld; i++)
		if (held[i])
			release(i);
	nheld = 0;
	buddy_drain_local_pages();
}

/*
 * The batch a refill just took: got[0] = p, the page handed out, which
 * must be an allocated order-0 head with private 0, then the pages on
 * this hart's list from the top, each PG_pcp, order 0, poisoned (I11).
 * Returns how many (the list's count + 1).
 */
static unsigned int take_batch(struct ktest *t, struct page *p,
			       struct page **got)
{
	unsigned int n = 0;

	KTEST_EXPECT_EQ(t, buddy_page_flags(p), PG_head);
	KTEST_EXPECT_EQ(t, p->order, 0);
	KTEST_EXPECT_EQ(t, p->private, 0);
	got[n++] = p;
	for (p = my_pcp()->top; p && n < BUDDY_PCP_BATCH_MAX + 1;
	     p = p->pcp_next) {
		KTEST_EXPECT_EQ(t, buddy_page_flags(p), PG_pcp);
		KTEST_EXPECT_EQ(t, p->order, 0);
		KTEST_EXPECT_EQ(t, p->private, BUDDY_PCP_POISON);
		got[n++] = p;
	}
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, my_pcp()->count, n - 1);
	return n;
}

/*
 * Expect got[s..) to hold nblocks blocks of `pages` pages, each lowest
 * pfn first, whose first pages are heads[0..nblocks) in some order (a
 * free list hands out its blocks last freed first).
 */
static void expect_blocks(struct ktest *t, struct page *const *got,
			  unsigned int s, unsigned int pages,
			  unsigned int nblocks, struct page *const *heads)
{
	for (unsigned int j = 0; j < nblocks; j++) {
		struct page *h = got[s + j * pages];
		bool known = false;

		for (unsigned int i = 0; i < nblocks; i++)
			known |= h == heads[i];
		KTEST_EXPECT(t, known);
		for (unsigned int i = 0; i < j; i++)
			KTEST_EXPECT(t, got[s + i * pages] != h);
		for (unsigned int i = 1; i < pages; i++)
			KTEST_EXPECT(t, got[s + j * pages + i] == h + i);
	}
}

/* ------------------------------------------------------------ refill */

/*
 * Scenario: a fresh allocator (only large free blocks); one order-0
 * allocation with this hart's list empty. Expect the batch to be one
 * aligned block: the page handed out heads it, the list holds the other
 * batch - 1 pages lowest pfn first, each PG_pcp, order 0, poisoned; the
 * free lists lose exactly batch pages and their blocks below the
 * batch's order stay as they were (the block is a whole one, none of
 * it left behind); free pages fall by one; buddy_check() clean. After
 * a drain every page merges back.
 */
static void refill_one_block(struct ktest *t)
{
	struct page *got[BUDDY_PCP_BATCH_MAX + 1], *p;
	unsigned int batch, order;
	uint64_t lists0, free0, below[MAX_ORDER + 1];

	fresh();
	batch = zone->pcp_batch;
	KTEST_ASSERT_EQ(t, batch, BUDDY_PCP_BATCH_MAX);
	order = ilog2_u64(batch);
	lists0 = list_pages();
	free0 = buddy_zone_free(ZONE_DMA32);
	for (unsigned int o = 0; o < order; o++)
		below[o] = buddy_zone_nr_free(ZONE_DMA32, o);

	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT(t, buddy_pfn_aligned(page_to_pfn(p), order));
	KTEST_EXPECT_EQ(t, take_batch(t, p, got), batch);
	expect_blocks(t, got, 0, batch, 1, &p);
	KTEST_EXPECT_EQ(t, list_pages(), lists0 - batch);
	for (unsigned int o = 0; o < order; o++)
		KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, o), below[o]);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), free0 - 1);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(ZONE_DMA32), batch - 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	/* The next batch - 1 allocations pop them, lowest pfn first. */
	for (unsigned int i = 1; i < batch; i++)
		KTEST_EXPECT(t, alloc_page(GFP_KERNEL) == p + i);
	KTEST_EXPECT_EQ(t, my_pcp()->count, 0);
	for (unsigned int i = 0; i < batch; i++)
		__free_page(p + i);
	buddy_drain_local_pages();
	KTEST_EXPECT_EQ(t, list_pages(), lists0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: every page held, then freed back (and drained to the free
 * lists) in a pattern that leaves 3 lone pages and 5 free order-1
 * blocks, 13 pages in all, fewer than a batch, with no larger block.
 * Expect one allocation to take all 13, smallest blocks first and each
 * block lowest pfn first: the lone pages, then the pairs (blocks of one
 * size in free-list order), the first handed out and 12 on the list;
 * the free lists empty; counts exact and buddy_check() clean. The list
 * then hands them out in that order, and one more allocation finds
 * nothing anywhere (__GFP_NOWARN: no line).
 */
static void refill_fragments_only(struct ktest *t)
{
	struct page *lone[3], *pair[5], *got[BUDDY_PCP_BATCH_MAX + 1], *p;
	unsigned int b;

	fresh();
	hold_all();
	KTEST_ASSERT_EQ(t, nheld, (unsigned int)zone->managed_pages);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 0);
	qsort(held, nheld, sizeof(held[0]), cmp_page);
	b = aligned_base();
	KTEST_ASSERT(t, b < nheld);
	/* Lone pages at 8i (buddy 8i + 1 held), i = 0..2. */
	for (unsigned int i = 0; i < 3; i++) {
		lone[i] = held[b + 8 * i];
		release(b + 8 * i);
	}
	/* Pairs at 64 + 8i, 64 + 8i + 1 (the next pair held). */
	for (unsigned int i = 0; i < 5; i++) {
		pair[i] = held[b + 64 + 8 * i];
		release(b + 64 + 8 * i);
		release(b + 64 + 8 * i + 1);
	}
	buddy_drain_local_pages();
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 0), 3);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 1), 5);
	KTEST_EXPECT_EQ(t, list_pages(), 13);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	p = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, take_batch(t, p, got), 13);
	expect_blocks(t, got, 0, 1, 3, lone);
	expect_blocks(t, got, 3, 2, 5, pair);
	KTEST_EXPECT_EQ(t, list_pages(), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 12);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	/* The list hands them out in that order, then nothing is left. */
	for (unsigned int i = 1; i < 13; i++)
		KTEST_EXPECT(t, alloc_page(GFP_KERNEL) == got[i]);
	KTEST_EXPECT(t, alloc_page(GFP_KERNEL | __GFP_NOWARN) == NULL);
	for (unsigned int i = 0; i < 13; i++)
		__free_page(got[i]);
	release_all();
	KTEST_EXPECT_EQ(t, list_pages(), zone->managed_pages);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: 2 lone pages and 2 free order-3 blocks (18 pages) and, past
 * them, a free order-6 block. Expect a refill to take the fragments
 * whole (2 + 16 pages, best fit: never split the large block while
 * they lie free), then the 14 still wanted split off the order-6
 * block as an order-3, an order-2 and an order-1 block: its first 14
 * pages, lowest pfn first. 32 pages in all; the order-6 block's other
 * 50 left free as blocks of 2, 16 and 32 pages; buddy_check() clean.
 */
static void refill_fragments_and_block(struct ktest *t)
{
	struct page *lone[2], *oct[2], *got[BUDDY_PCP_BATCH_MAX + 1], *p, *big;
	unsigned int b;

	fresh();
	hold_all();
	qsort(held, nheld, sizeof(held[0]), cmp_page);
	b = aligned_base();
	KTEST_ASSERT(t, b < nheld);
	/* Lone pages at 0 and 2 (buddies 1, 3 held). */
	for (unsigned int i = 0; i < 2; i++) {
		lone[i] = held[b + 2 * i];
		release(b + 2 * i);
	}
	/* Order-3 blocks at 16 and 32 (buddies at 24 and 40 held). */
	for (unsigned int j = 0; j < 2; j++) {
		oct[j] = held[b + 16 + 16 * j];
		for (unsigned int i = 0; i < 8; i++)
			release(b + 16 + 16 * j + i);
	}
	/* An order-6 block at 128. */
	big = held[b + 128];
	for (unsigned int i = 0; i < 64; i++)
		release(b + 128 + i);
	buddy_drain_local_pages();
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 0), 2);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 3), 2);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 6), 1);
	KTEST_EXPECT_EQ(t, list_pages(), 82);

	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, take_batch(t, p, got), BUDDY_PCP_BATCH_MAX);
	expect_blocks(t, got, 0, 1, 2, lone);
	expect_blocks(t, got, 2, 8, 2, oct);
	/* 14 split off the big block (8 + 4 + 2): its first 14 pages. */
	expect_blocks(t, got, 18, 14, 1, &big);
	/* Left of the order-6 block: 64 - 14 = 50 = 32 + 16 + 2. */
	KTEST_EXPECT_EQ(t, list_pages(), 50);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 0), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 1), 1);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 3), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 4), 1);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 5), 1);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 6), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	__free_page(p);
	release_all();
	KTEST_EXPECT_EQ(t, list_pages(), zone->managed_pages);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: every page held but one free order-6 block; buddy tracing
 * on, one order-0 allocation. Expect the batch taken a page at a time,
 * so that the trace shows every split: 6 -> 5, then the 31 halvings
 * that make 32 single pages of the order-5 half (a carved refill would
 * show the first only); the pages and their states as carved.
 */
static void refill_traced(struct ktest *t)
{
	struct page *got[BUDDY_PCP_BATCH_MAX + 1], *p, *base;
	unsigned int b;

	fresh();
	hold_all();
	qsort(held, nheld, sizeof(held[0]), cmp_page);
	b = aligned_base();
	KTEST_ASSERT(t, b < nheld);
	base = held[b];
	for (unsigned int i = 0; i < 64; i++)
		release(b + i);
	buddy_drain_local_pages();
	KTEST_EXPECT_EQ(t, list_pages(), 64);
	capture_start(NULL);
	mm_trace_set(MM_TRACE_BUDDY);
	p = alloc_page(GFP_KERNEL);
	mm_trace_set(0);
	capture_stop();
	KTEST_ASSERT(t, p == base);
	KTEST_EXPECT_EQ(t, capture_count("buddy: split "),
			1 + BUDDY_PCP_BATCH_MAX - 1);
	KTEST_EXPECT_EQ(t, take_batch(t, p, got), BUDDY_PCP_BATCH_MAX);
	expect_blocks(t, got, 0, BUDDY_PCP_BATCH_MAX, 1, &base);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	__free_page(p);
	release_all();
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static void suite_exit(void)
{
	host_phys_fini();
}

static const struct ktest_case buddy_refill_cases[] = {
	KTEST_CASE(refill_one_block),
	KTEST_CASE(refill_fragments_only),
	KTEST_CASE(refill_fragments_and_block),
	KTEST_CASE(refill_traced),
	KTEST_END,
};

static const struct ktest_suite buddy_refill_suite = { "buddy_refill",
						       buddy_refill_cases, NULL,
						       suite_exit };

KTEST_HOST_MAIN(&buddy_refill_suite)
