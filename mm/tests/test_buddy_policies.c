// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the page allocator under every buddy policy
 * (buddy_select_policy(), mm/buddy_classes.c): the size classes
 * alloc_pages() and alloc_pages_exact() hand out, the exact split and
 * merge walks of each policy's series, every misuse report, and a long
 * random run against a model of which pages are owned, with
 * buddy_check() after every step and the initial tiling restored at the
 * end. Each case starts from a fresh allocator over fake RAM of two
 * banks with a hole and reservations at odd places, so that runs end
 * at holes, reservations and bank ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rand.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/tests/host_arch.h"
#include "mm/trace.h"

#define PHYS_BASE 0x80000000UL
#define PHYS_SIZE (48UL << 20)
#define PG PAGE_SIZE

static const enum buddy_policy_id all_policies[] = {
	BUDDY_POLICY_BINARY,
	BUDDY_POLICY_FIBONACCI,
	BUDDY_POLICY_WEIGHTED,
	BUDDY_POLICY_TERTIARY,
};

/*
 * Bank 0: 20 MiB, a reservation of 3 pages at +5 MiB + 1 page and one of
 * 13 pages at +11 MiB; a hole of 4 MiB; bank 1: 24 MiB - 12 KiB (ends
 * off any block size).
 */
static void fresh(enum buddy_policy_id id)
{
	host_phys_fini();
	host_phys_init(PHYS_BASE, PHYS_SIZE);
	memblock_reset();
	VERIFY(memblock_add(PHYS_BASE, PHYS_BASE + (20UL << 20)) == 0);
	VERIFY(memblock_add(PHYS_BASE + (24UL << 20),
			    PHYS_BASE + PHYS_SIZE - 3 * PG) == 0);
	VERIFY(memblock_reserve(PHYS_BASE + (5UL << 20) + PG,
				PHYS_BASE + (5UL << 20) + 4 * PG) == 0);
	VERIFY(memblock_reserve(PHYS_BASE + (11UL << 20),
				PHYS_BASE + (11UL << 20) + 13 * PG) == 0);
	VERIFY(buddy_select_policy(id) == 0);
	buddy_init_from_memblock();
}

/* ---------------------------------------------- output and bug capture */

/* Pass on everything but the lines the cases provoke. */
static bool not_provoked(const char *s, size_t len)
{
	return !(len >= 5 &&
		 (memcmp(s, "BUG: ", 5) == 0 || memcmp(s, "buddy", 5) == 0));
}

static unsigned int bugs_seen;
static enum buddy_bug last_bug;

static void bug_hook(enum buddy_bug bug, pfn_t pfn, unsigned int order)
{
	bugs_seen++;
	last_bug = bug;
}

/* Free pages on the zones' lists and per-hart lists. */
static uint64_t free_pages_now(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return st.free;
}

static uint64_t managed_pages(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return st.managed;
}

/* ------------------------------------------------------------- cases */

/*
 * Scenario: under each policy, alloc_pages() of every order. Expect a
 * block of the policy's smallest class of at least 2^order pages, found
 * by its descriptor (buddy_block_pages_of()), aligned to its size under
 * binary, and __free_pages() with the same order taking it back.
 */
static void policy_orders(struct ktest *t)
{
	for (unsigned int p = 0; p < ARRAY_SIZE(all_policies); p++) {
		fresh(all_policies[p]);
		KTEST_EXPECT_STREQ(t, buddy_active_policy()->name,
				   buddy_policy_name(all_policies[p]));
		for (unsigned int o = 0; o <= MAX_ORDER; o++) {
			uint64_t want =
				buddy_class_pages(buddy_policy_class_for(
					buddy_active_policy(), 1UL << o));
			struct page *pg = alloc_pages(GFP_KERNEL, o);

			KTEST_ASSERT_NOT_NULL(t, pg);
			KTEST_EXPECT_EQ(t, buddy_block_pages_of(pg), want);
			KTEST_EXPECT_GE(t, want, 1UL << o);
			KTEST_EXPECT_EQ(t, buddy_block_order(pg), o);
			if (all_policies[p] == BUDDY_POLICY_BINARY)
				KTEST_EXPECT_EQ(t, page_to_pfn(pg) % want, 0);
			memset(page_address(pg), 0x5a, want * PG);
			__free_pages(pg, o);
			KTEST_EXPECT_EQ(t, buddy_check(), 0);
		}
		KTEST_EXPECT_EQ(t, free_pages_now(), managed_pages());
	}
}

/*
 * Scenario: the classes the policies build for the page allocator.
 * Expect binary 1..1024 (11), Fibonacci 1, 2, 3, 5, ... up to 1597 (the
 * first of at least 2^MAX_ORDER), weighted and tertiary 1, 2, 3, 4, 6,
 * ..., 768, 1024 (20).
 */
static void policy_classes(struct ktest *t)
{
	static const uint64_t fib[] = { 1,  2,	3,   5,	  8,   13,  21,	 34,
					55, 89, 144, 233, 377, 610, 987, 1597 };

	fresh(BUDDY_POLICY_BINARY);
	KTEST_EXPECT_EQ(t, buddy_nr_classes(), MAX_ORDER + 1);
	fresh(BUDDY_POLICY_FIBONACCI);
	KTEST_ASSERT_EQ(t, buddy_nr_classes(), ARRAY_SIZE(fib));
	for (unsigned int c = 0; c < ARRAY_SIZE(fib); c++)
		KTEST_EXPECT_EQ(t, buddy_class_pages(c), fib[c]);
	fresh(BUDDY_POLICY_WEIGHTED);
	KTEST_EXPECT_EQ(t, buddy_nr_classes(), 2 * MAX_ORDER);
	KTEST_EXPECT_EQ(t, buddy_class_pages(2), 3);
	KTEST_EXPECT_EQ(t, buddy_class_pages(2 * MAX_ORDER - 2), 768);
	KTEST_EXPECT_EQ(t, buddy_class_pages(2 * MAX_ORDER - 1), 1024);
	KTEST_EXPECT_EQ(t, buddy_class_pages(2 * MAX_ORDER), 0);
}

/*
 * The allocator's core under the zone lock, past the per-hart lists
 * (whose batches would split more than the one block a walk is about):
 * a block of class c, and its return with merging.
 */
static struct page *take(unsigned int c)
{
	struct zone *z = &buddy.zones[ZONE_DMA32];
	unsigned long irq = spin_lock_irqsave(&z->lock);
	struct page *pg = buddy_rmqueue(z, c);

	spin_unlock_irqrestore(&z->lock, irq);
	return pg;
}

static void give(struct page *pg)
{
	struct zone *z = &buddy.zones[ZONE_DMA32];
	const struct buddy_range *r = &buddy_ranges[pg->range];
	unsigned long irq = spin_lock_irqsave(&z->lock);

	buddy_free_one(z, r, pg, page_to_pfn(pg), pg->order);
	spin_unlock_irqrestore(&z->lock, irq);
}

/*
 * Take every free block smaller than the largest class, so that the
 * next allocation must split a largest block. Returns how many were
 * taken, into held[].
 */
static unsigned int take_small(struct page **held, unsigned int max)
{
	unsigned int n = 0, top = buddy_nr_classes() - 1;

	buddy_drain_all_pages();
	for (unsigned int c = 0; c < top; c++)
		while (buddy_zone_nr_free(ZONE_DMA32, c) && n < max)
			VERIFY((held[n++] = take(c)) != NULL);
	return n;
}

/* src without its " at 0x<hex>" parts. */
static void strip_addresses(char *dst, const char *src)
{
	while (*src) {
		if (strncmp(src, " at 0x", 6) == 0) {
			src += 6;
			while (*src && *src != ' ')
				src++;
			continue;
		}
		*dst++ = *src++;
	}
	*dst = '\0';
}

struct walk {
	enum buddy_policy_id policy;
	unsigned int order; /* alloc_pages(order) */
	const char *lines; /* split lines, "%lx" for the block's address */
	uint64_t offset; /* pages from the split root to the block */
};

/*
 * Scenario: with only blocks of the largest class free, allocate one
 * block with buddy tracing on, then free it. Expect exactly the split
 * walk of the policy's series (Fibonacci F(i) -> F(i-1) + F(i-2)
 * keeping the smaller child that fits; weighted 3:1 and 2:1; tertiary
 * halves where they fit better), the block at the expected offset in
 * the root, and as many merges on the free, back to the root.
 */
static void policy_split_walks(struct ktest *t)
{
	static const struct walk walks[] = {
		{ BUDDY_POLICY_BINARY, 0,
		  "split 4M -> 2M + 2M|split 2M -> 1M + 1M|"
		  "split 1M -> 512K + 512K|split 512K -> 256K + 256K|"
		  "split 256K -> 128K + 128K|split 128K -> 64K + 64K|"
		  "split 64K -> 32K + 32K|split 32K -> 16K + 16K|"
		  "split 16K -> 8K + 8K|split 8K -> 4K + 4K|",
		  0 },
		{ BUDDY_POLICY_FIBONACCI, 0,
		  "split 6388K -> 3948K + 2440K|split 2440K -> 1508K + 932K|"
		  "split 932K -> 576K + 356K|split 356K -> 220K + 136K|"
		  "split 136K -> 84K + 52K|split 52K -> 32K + 20K|"
		  "split 20K -> 12K + 8K|split 8K -> 4K + 4K|",
		  987 + 377 + 144 + 55 + 21 + 8 + 3 },
		{ BUDDY_POLICY_WEIGHTED, 0,
		  "split 4M -> 3M + 1M|split 1M -> 768K + 256K|"
		  "split 256K -> 192K + 64K|split 64K -> 48K + 16K|"
		  "split 16K -> 12K + 4K|",
		  768 + 192 + 48 + 12 + 3 },
		{ BUDDY_POLICY_WEIGHTED, 9,
		  "split 4M -> 3M + 1M|split 3M -> 2M + 1M|", 0 },
		{ BUDDY_POLICY_TERTIARY, 9, "split 4M -> 2M + 2M|", 0 },
		{ BUDDY_POLICY_TERTIARY, 3,
		  "split 4M -> 3M + 1M|split 1M -> 768K + 256K|"
		  "split 256K -> 192K + 64K|split 64K -> 32K + 32K|",
		  768 + 192 + 48 },
	};
	static struct page *held[4096];

	for (unsigned int w = 0; w < ARRAY_SIZE(walks); w++) {
		const struct walk *wk = &walks[w];
		unsigned int n, splits = 0;
		uint64_t root_pages, free_before;
		char want[1024], got[1024], first[64];
		struct page *pg;
		pfn_t pfn;

		fresh(wk->policy);
		n = take_small(held, ARRAY_SIZE(held));
		root_pages = buddy_class_pages(buddy_nr_classes() - 1);
		free_before = free_pages_now();
		mm_trace_set(MM_TRACE_BUDDY);
		capture_start(not_provoked);
		pg = take(buddy_policy_class_for(buddy_active_policy(),
						 1UL << wk->order));
		capture_stop();
		KTEST_ASSERT_NOT_NULL(t, pg);
		pfn = page_to_pfn(pg);
		/* Every line but the first names an address inside the root. */
		want[0] = '\0';
		for (const char *l = wk->lines; *l; splits++) {
			const char *bar = strchr(l, '|');

			snprintf(want + strlen(want),
				 sizeof(want) - strlen(want), "buddy: %.*s\n",
				 (int)(bar - l), l);
			l = bar + 1;
		}
		snprintf(first, sizeof(first), "split %s at 0x%lx ", "",
			 (unsigned long)pfn_to_paddr(pfn - wk->offset));
		KTEST_EXPECT(t, capture_has(strstr(first, " at ")));
		strip_addresses(got, capture_text());
		KTEST_EXPECT_STREQ(t, got, want);
		KTEST_EXPECT_EQ(t, free_pages_now(),
				free_before - buddy_block_pages_of(pg));
		KTEST_EXPECT_LE(t, buddy_block_pages_of(pg), root_pages);
		capture_start(not_provoked);
		give(pg);
		capture_stop();
		mm_trace_set(0);
		KTEST_EXPECT_EQ(t, capture_count("buddy: merge "), splits);
		KTEST_EXPECT_EQ(t, free_pages_now(), free_before);
		KTEST_EXPECT_EQ(t, buddy_check(), 0);
		while (n)
			give(held[--n]);
		KTEST_EXPECT_EQ(t, free_pages_now(), managed_pages());
	}
}

/*
 * Scenario: alloc_pages_exact() of 1..40 pages and of a few odd sizes.
 * Expect binary to keep exactly the pages asked for (the tail of the
 * block goes back at once, as in Linux) and the others to take the
 * smallest class that holds the size; free_pages_exact() returns all.
 */
static void policy_exact(struct ktest *t)
{
	for (unsigned int p = 0; p < ARRAY_SIZE(all_policies); p++) {
		fresh(all_policies[p]);
		uint64_t managed = managed_pages();

		for (uint64_t pages = 1; pages <= 40; pages++) {
			size_t size = pages * PG - (pages % 3) * 100;
			uint64_t before = free_pages_now(), want = pages;
			char *a = alloc_pages_exact(size,
						    GFP_KERNEL | __GFP_ZERO);

			KTEST_ASSERT_NOT_NULL(t, a);
			if (all_policies[p] != BUDDY_POLICY_BINARY)
				want = buddy_class_pages(buddy_policy_class_for(
					buddy_active_policy(), pages));
			KTEST_EXPECT_EQ(t, before - free_pages_now(), want);
			for (size_t i = 0; i < size; i += 512)
				KTEST_EXPECT_EQ(t, a[i], 0);
			memset(a, 0x77, size);
			free_pages_exact(a, size);
			KTEST_EXPECT_EQ(t, free_pages_now(), before);
		}
		KTEST_EXPECT(t, NULL == alloc_pages_exact(0, GFP_KERNEL));
		KTEST_EXPECT(t,
			     NULL == alloc_pages_exact(
					     (buddy_class_pages(
						      buddy_nr_classes() - 1) +
					      1) * PG,
					     GFP_KERNEL | __GFP_NOWARN));
		KTEST_EXPECT_EQ(t, buddy_check(), 0);
		KTEST_EXPECT_EQ(t, free_pages_now(), managed);
	}
}

/*
 * Scenario: each misuse of the binary allocator's tests, under every
 * policy: double free, wrong order, a page inside a block, a reserved
 * page, an unaligned address, memory that is not RAM, an order above
 * MAX_ORDER. Expect the matching BUG kind, the call refused, and the
 * allocator unchanged and consistent.
 */
static void policy_misuse(struct ktest *t)
{
	buddy_set_bug_hook(bug_hook);
	for (unsigned int p = 0; p < ARRAY_SIZE(all_policies); p++) {
		struct page *a, *b;
		uint64_t before;

		fresh(all_policies[p]);
		a = alloc_pages(GFP_KERNEL, 2);
		b = alloc_pages(GFP_KERNEL, 0);
		KTEST_ASSERT_NOT_NULL(t, a);
		KTEST_ASSERT_NOT_NULL(t, b);
		before = free_pages_now();
		capture_start(not_provoked);
		bugs_seen = 0;
		__free_pages(a, 3);
		KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_WRONG_ORDER);
		__free_pages(a + 1, 0);
		KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_INSIDE_BLOCK);
		__free_pages(a, MAX_ORDER + 1);
		KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_BAD_ORDER);
		free_pages((unsigned long)page_address(a) + 8, 2);
		KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_UNALIGNED);
		free_pages((unsigned long)phys_to_virt(PHYS_BASE + (5UL << 20) +
						       2 * PG),
			   0);
		KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_RESERVED);
		free_pages(
			(unsigned long)phys_to_virt(PHYS_BASE + (21UL << 20)),
			0);
		KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_NOT_RAM);
		KTEST_EXPECT_EQ(t, bugs_seen, 6);
		KTEST_EXPECT_EQ(t, free_pages_now(), before);
		__free_pages(b, 0);
		__free_pages(b, 0);
		KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_DOUBLE_FREE);
		__free_pages(a, 2);
		__free_pages(a, 2);
		KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_DOUBLE_FREE);
		buddy_drain_all_pages();
		__free_pages(a + 1, 0);
		KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_DOUBLE_FREE);
		capture_stop();
		KTEST_EXPECT_EQ(t, bugs_seen, 9);
		KTEST_EXPECT(t, capture_has("caller 0x"));
		KTEST_EXPECT_EQ(t, buddy_check(), 0);
		KTEST_EXPECT_EQ(t, free_pages_now(), managed_pages());
	}
	buddy_set_bug_hook(NULL);
}

struct held {
	void *addr;
	uint64_t pages; /* pages of the block */
	unsigned int order; /* alloc_pages order, or ~0u: exact */
	size_t size; /* exact size */
	uint8_t fill;
};

static uint8_t owner[PHYS_SIZE / PAGE_SIZE]; /* model: 1 = owned */

static bool model_claim(struct ktest *t, const struct held *h, bool claim)
{
	pfn_t first = (virt_to_phys(h->addr) - PHYS_BASE) / PG;

	for (uint64_t i = 0; i < h->pages; i++) {
		if (owner[first + i] == claim) {
			KTEST_EXPECT(t, !"page owned twice or freed twice");
			return false;
		}
		owner[first + i] = claim;
	}
	return true;
}

/*
 * Scenario: per policy, 100 000 random operations (alloc_pages of a
 * random order, alloc_pages_exact of a random size, frees in random
 * order, drains) against a model of owned pages, with buddy_check()
 * after every operation and contents checked on free. Expect no page
 * handed out twice, free counts that match the model, and after
 * freeing everything the free lists exactly as init left them.
 */
static void policy_random(struct ktest *t)
{
	static struct held h[512];

	for (unsigned int p = 0; p < ARRAY_SIZE(all_policies); p++) {
		uint64_t init_free[BUDDY_NR_CLASSES], owned = 0;
		struct rand_state rs;
		unsigned int n = 0, bad = 0;

		fresh(all_policies[p]);
		rand_seed(&rs, 0x5eed0000 + p);
		memset(owner, 0, sizeof(owner));
		for (unsigned int c = 0; c < buddy_nr_classes(); c++)
			init_free[c] = buddy_zone_nr_free(ZONE_DMA32, c);
		for (unsigned int op = 0; op < 100000 && !bad; op++) {
			uint32_t r = (uint32_t)rand_next(&rs);

			if (n < ARRAY_SIZE(h) && (r % 8 < 4 || n == 0)) {
				struct held *x = &h[n];

				if (r & 0x100) {
					x->order = (r >> 9) % (MAX_ORDER + 1);
					if ((r >> 20) % 4)
						x->order %= 3;
					struct page *pg = alloc_pages(
						GFP_KERNEL | __GFP_NOWARN,
						x->order);
					x->addr = pg ? page_address(pg) : NULL;
					x->pages = buddy_block_pages_of(pg);
				} else {
					x->order = ~0u;
					x->size = 1 + (r >> 9) % (40 * PG);
					x->addr = alloc_pages_exact(
						x->size,
						GFP_KERNEL | __GFP_NOWARN);
					x->pages = DIV_ROUND_UP(x->size, PG);
					if (all_policies[p] !=
					    BUDDY_POLICY_BINARY)
						x->pages = buddy_class_pages(
							buddy_policy_class_for(
								buddy_active_policy(),
								x->pages));
				}
				if (!x->addr)
					continue;
				x->fill = (uint8_t)(r >> 24);
				if (!model_claim(t, x, true))
					bad++;
				memset(x->addr, x->fill,
				       x->order == ~0u ? x->size
						       : x->pages * PG);
				owned += x->pages;
				n++;
			} else if (r % 8 < 7 && n) {
				unsigned int i = (r >> 3) % n;
				struct held *x = &h[i];
				const uint8_t *b = x->addr;
				size_t len = x->order == ~0u ? x->size
							     : x->pages * PG;

				for (size_t k = 0; k < len; k += 997)
					if (b[k] != x->fill) {
						KTEST_EXPECT(t,
							     !"block contents "
							      "changed");
						bad++;
						break;
					}
				if (!model_claim(t, x, false))
					bad++;
				if (x->order == ~0u)
					free_pages_exact(x->addr, x->size);
				else
					free_pages((unsigned long)x->addr,
						   x->order);
				owned -= x->pages;
				h[i] = h[--n];
			} else {
				buddy_drain_all_pages();
			}
			if (buddy_check() != 0 ||
			    free_pages_now() + owned != managed_pages()) {
				KTEST_EXPECT(t, !"checker or count mismatch");
				bad++;
			}
		}
		while (n) {
			struct held *x = &h[--n];

			if (x->order == ~0u)
				free_pages_exact(x->addr, x->size);
			else
				free_pages((unsigned long)x->addr, x->order);
		}
		buddy_drain_all_pages();
		KTEST_EXPECT_EQ(t, bad, 0);
		KTEST_EXPECT_EQ(t, buddy_check(), 0);
		KTEST_EXPECT_EQ(t, free_pages_now(), managed_pages());
		for (unsigned int c = 0; c < buddy_nr_classes(); c++)
			KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, c),
					init_free[c]);
	}
}

/*
 * Scenario: damage a free block's tag under Fibonacci (a right block
 * whose tag names a split that cannot have made it), and a tag inside a
 * block. Expect buddy_check() to report I12 for each, then be clean
 * once repaired.
 */
static void policy_check_tags(struct ktest *t)
{
	struct buddy_range *r;
	struct page *pg;
	uint8_t *tag, saved;

	fresh(BUDDY_POLICY_FIBONACCI);
	pg = alloc_pages(GFP_KERNEL, 0);
	KTEST_ASSERT_NOT_NULL(t, pg);
	r = &buddy_ranges[pg->range];
	tag = buddy_tag(r, (pfn_t)(pg - r->map));
	saved = *tag;
	*tag = BUDDY_TAG_RIGHT | (3u << BUDDY_TAG_KIND_SHIFT);
	capture_start(not_provoked);
	KTEST_EXPECT_GE(t, buddy_check(), 1);
	capture_stop();
	KTEST_EXPECT(t, capture_has("I12 block pfn"));
	*tag = saved;
	__free_pages(pg, 0);
	buddy_drain_all_pages();
	/* A largest free block: its second page must have tag 0. */
	pg = list_first_entry(&buddy.zones[ZONE_DMA32]
				       .free_area[buddy_nr_classes() - 1]
				       .free_list,
			      struct page, lru);
	r = &buddy_ranges[pg->range];
	tag = buddy_tag(r, (pfn_t)(pg - r->map) + 1);
	*tag = 0x02;
	capture_start(not_provoked);
	KTEST_EXPECT_GE(t, buddy_check(), 1);
	capture_stop();
	KTEST_EXPECT(t, capture_has("inside block pfn"));
	*tag = 0;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Run buddy_check() capturing its lines; true if `needle` is among them. */
static bool check_reports(const char *needle)
{
	int bad;

	capture_start(not_provoked);
	bad = buddy_check();
	capture_stop();
	return bad > 0 && capture_has(needle);
}

/*
 * Scenario: under weighted, damage the state each invariant guards,
 * one at a time, and repair it: two free buddies left unmerged (I5, by
 * tags), a reserved page with a tag (I12), a tag with a bit no policy
 * uses (I12), a reserved page with another flag (I7), a page with an
 * unknown flag (I8), a free head with an extra flag (I3), a broken
 * back link of a free list (I4). Expect buddy_check() to name each, and
 * to be clean after each repair.
 */
static void policy_checker_detects(struct ktest *t)
{
	struct zone *z = &buddy.zones[ZONE_DMA32];
	struct buddy_range *r;
	struct page *a, *res, *head;
	struct list_head *saved;
	static struct page *held[256];
	unsigned int nheld = 0;
	uint8_t *tag, was;
	uint32_t fl;

	fresh(BUDDY_POLICY_WEIGHTED);
	KTEST_ASSERT_EQ(t, buddy_check(), 0);

	/* I5: a class-0 block linked free while its free buddy waits. */
	buddy_drain_all_pages();
	while (buddy_zone_nr_free(ZONE_DMA32, 0) && nheld < ARRAY_SIZE(held))
		held[nheld++] = take(0);
	a = take(0); /* splits 2 -> 1 + 1 last: its buddy is free */
	KTEST_ASSERT_NOT_NULL(t, a);
	r = &buddy_ranges[a->range];
	{
		unsigned long irq = spin_lock_irqsave(&z->lock);

		buddy_set_page_flags(a, PG_buddy);
		a->private = BUDDY_FREE_POISON;
		list_add(&a->lru, &z->free_area[0].free_list);
		z->free_area[0].nr_free++;
		spin_unlock_irqrestore(&z->lock, irq);
	}
	KTEST_EXPECT(t, check_reports("are buddies, not merged"));
	{
		unsigned long irq = spin_lock_irqsave(&z->lock);

		list_del(&a->lru);
		z->free_area[0].nr_free--;
		buddy_set_page_flags(a, PG_head);
		a->private = 0;
		spin_unlock_irqrestore(&z->lock, irq);
	}
	give(a);
	while (nheld)
		give(held[--nheld]);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	/* I12 and I7 on a reserved page (fresh() reserves +5 MiB + 1 page). */
	res = virt_to_page(phys_to_virt(PHYS_BASE + (5UL << 20) + PG));
	KTEST_ASSERT_NOT_NULL(t, res);
	r = &buddy_ranges[res->range];
	tag = buddy_tag(r, (pfn_t)(res - r->map));
	*tag = BUDDY_TAG_RIGHT;
	KTEST_EXPECT(t, check_reports("I12 reserved pfn"));
	*tag = 0;
	fl = buddy_page_flags(res);
	buddy_set_page_flags(res, fl | PG_slab);
	KTEST_EXPECT(t, check_reports("I7 reserved pfn"));
	buddy_set_page_flags(res, fl | 0x8000);
	KTEST_EXPECT(t, check_reports("unknown flags"));
	buddy_set_page_flags(res, fl);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	/* I12 unknown tag bits, I3 and I4 on the first largest free block. */
	head = list_first_entry(&z->free_area[buddy_nr_classes() - 1].free_list,
				struct page, lru);
	r = &buddy_ranges[head->range];
	tag = buddy_tag(r, (pfn_t)(head - r->map));
	was = *tag;
	*tag = was | 0x80;
	KTEST_EXPECT(t, check_reports("has unknown bits"));
	*tag = was;
	buddy_set_page_flags(head, PG_buddy | PG_slab);
	KTEST_EXPECT(t, check_reports("I3 free head pfn"));
	buddy_set_page_flags(head, PG_buddy);
	saved = head->lru.next->prev;
	head->lru.next->prev = head->lru.next;
	KTEST_EXPECT(t, check_reports("prev link broken"));
	head->lru.next->prev = saved;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* ------------------------------------------------------------- suite */

static void suite_exit(void)
{
	buddy_select_policy(BUDDY_POLICY_BINARY);
	host_phys_fini();
}

static const struct ktest_case buddy_policy_cases[] = {
	KTEST_CASE(policy_classes),
	KTEST_CASE(policy_orders),
	KTEST_CASE(policy_split_walks),
	KTEST_CASE(policy_exact),
	KTEST_CASE(policy_misuse),
	KTEST_CASE(policy_random),
	KTEST_CASE(policy_check_tags),
	KTEST_CASE(policy_checker_detects),
	KTEST_END,
};

static const struct ktest_suite buddy_policy_suite = { "buddy_policies",
						       buddy_policy_cases, NULL,
						       suite_exit };

KTEST_HOST_MAIN(&buddy_policy_suite)
