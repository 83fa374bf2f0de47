// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of buddy_check() itself (mm/buddy_check.c): a checker that
 * cannot fail proves nothing, so each case damages one invariant of
 * mm/buddy.c by hand (a descriptor's order or flags, a free-list or
 * per-hart-list link, the range table), expects buddy_check() to name
 * that invariant in a "buddy_check: I<n> ..." line without crashing,
 * then repairs the damage and expects a clean check again. The
 * allocator's own paths never produce this damage; the fuzz target
 * mm/tests/fuzz_buddy.c runs the checker after every operation.
 */
#include <string.h>

#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/tests/host_arch.h"

#define RAM_BASE 0x80000000UL
#define RAM_SIZE (8UL << 20) /* big enough for per-hart lists */

static int suite_init(void)
{
	host_phys_init_buddy(RAM_BASE, RAM_SIZE);
	return buddy_check() == 0 ? 0 : -1;
}

static void suite_exit(void)
{
	host_phys_fini();
}

/* buddy_check() finds at least one violation and prints `line`. */
#define EXPECT_DAMAGE(t, line)                                                 \
	do {                                                                   \
		int _bad;                                                      \
		capture_start(NULL);                                           \
		_bad = buddy_check();                                          \
		capture_stop();                                                \
		KTEST_EXPECT(t, _bad >= 1);                                    \
		KTEST_EXPECT(t, capture_has("buddy_check: " line));            \
	} while (0)

/* The first free block of the largest order that has one. */
static struct page *some_free_head(unsigned int *order)
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (int o = MAX_ORDER; o >= 0; o--) {
			struct list_head *l =
				&buddy.zones[z].free_area[o].free_list;

			if (!list_empty(l)) {
				*order = (unsigned int)o;
				return list_first_entry(l, struct page, lru);
			}
		}
	return NULL;
}

/* ------------------------------------------------------------ cases */

/* Scenario: a free head's order above MAX_ORDER, then its free-list
 * back link pointing elsewhere, then its forward link leaving the
 * descriptor arrays. Expect I3, then I4 twice; clean after each repair. */
static void free_block_damage(struct ktest *t)
{
	static struct list_head stray;
	unsigned int order;
	struct page *head = some_free_head(&order);
	struct list_head saved;

	KTEST_ASSERT_NOT_NULL(t, head);
	head->order = MAX_ORDER + 1;
	EXPECT_DAMAGE(t, "I3 ");
	head->order = (uint8_t)order;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	saved = head->lru;
	head->lru.prev = &stray;
	EXPECT_DAMAGE(t, "I4 ");
	head->lru = saved;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	stray.next = stray.prev = &stray;
	head->lru.next = &stray;
	EXPECT_DAMAGE(t, "I4 ");
	head->lru = saved;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: an allocated order-2 block whose head claims order
 * MAX_ORDER + 1, then order 3 at an address not 8-page aligned (when
 * it is not), then a tail page with a flag bit nobody defines. Expect
 * I8 each time; clean after each repair and after the free. */
static void allocated_block_damage(struct ktest *t)
{
	struct page *head = alloc_pages(GFP_KERNEL, 2);
	uint32_t flags;

	KTEST_ASSERT_NOT_NULL(t, head);
	head->order = MAX_ORDER + 1;
	EXPECT_DAMAGE(t, "I8 ");
	head->order = 2;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	if (page_to_pfn(head) & 4) {
		head->order = 3;
		EXPECT_DAMAGE(t, "I8 ");
		head->order = 2;
	}
	flags = head[1].flags;
	head[1].flags |= 0x40000000u;
	EXPECT_DAMAGE(t, "I8 ");
	head[1].flags = flags;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	__free_pages(head, 2);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: an order-0 page freed onto this hart's stack, whose link
 * then points back at itself (a cycle), then leaves the descriptor
 * arrays, then whose poison is overwritten (a write after the free).
 * Expect I11 each time; clean after each repair. */
static void pcp_list_damage(struct ktest *t)
{
	static struct page stray;
	struct page *page = alloc_page(GFP_KERNEL);
	struct page *saved;
	uintptr_t poison;

	KTEST_ASSERT_NOT_NULL(t, page);
	__free_page(page);
	KTEST_ASSERT(t, buddy_zone_pcp(page->zone) > 0);
	saved = page->pcp_next;
	page->pcp_next = page;
	EXPECT_DAMAGE(t, "I11 ");
	page->pcp_next = saved;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	page->pcp_next = &stray;
	EXPECT_DAMAGE(t, "I11 ");
	page->pcp_next = saved;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	poison = page->private;
	page->private = 0;
	EXPECT_DAMAGE(t, "I11 ");
	page->private = poison;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	buddy_drain_all_pages();
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: the range table says the only range is empty, then puts it
 * in the other zone. Expect I1 both times; clean after each repair. */
static void range_table_damage(struct ktest *t)
{
	struct buddy_range *r = &buddy_ranges[0];
	pfn_t pages = r->nr_pages;
	struct zone *zone = r->zone;

	KTEST_ASSERT_EQ(t, buddy.nr_ranges, 1);
	r->nr_pages = 0;
	EXPECT_DAMAGE(t, "I1 ");
	r->nr_pages = pages;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	r->zone = &buddy.zones[ZONE_NORMAL];
	EXPECT_DAMAGE(t, "I1 ");
	r->zone = zone;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static const struct ktest_case buddy_check_cases[] = {
	KTEST_CASE(free_block_damage),
	KTEST_CASE(allocated_block_damage),
	KTEST_CASE(pcp_list_damage),
	KTEST_CASE(range_table_damage),
	KTEST_END,
};
static const struct ktest_suite buddy_check_suite = { "buddy_check",
						      buddy_check_cases,
						      suite_init, suite_exit };

KTEST_HOST_MAIN(&buddy_check_suite)
