// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of pt_check() (mm/pgtable_check.c) on damage that
 * mm/tests/test_pgtable.c does not make: a root that is not
 * page-aligned, a destroyed tree that still counts table pages, a walk
 * hint whose path or counter is not its table's; and pt_walk() over a
 * table entry at level 0 (corrupt, reported by pt_check, skipped by the
 * walk). Each damage must give the "pt_check: I<n> ..." line of its
 * invariant and the tree check clean once repaired. Also the API's
 * refusals around a missing allocator and a destroyed tree.
 */
#include <stdio.h>
#include <string.h>

#include "lib/errno.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/arch.h"
#include "mm/linear.h"
#include "mm/pgtable.h"
#include "mm/tests/host_arch.h"

#define PHYS_BASE 0x80000000UL
#define POOL_PAGES 256UL

static struct host_pt_pool pool;
static struct pgtable pt;
/* pt_check() with its lines captured. */
static int check(void)
{
	int n;

	capture_start(NULL);
	n = pt_check(&pt);
	capture_stop();
	return n;
}

static int setup(void)
{
	host_phys_init(PHYS_BASE, POOL_PAGES * PAGE_SIZE);
	host_pt_pool_init(&pool, PHYS_BASE, POOL_PAGES);
	return pt_init(&pt, &pool.ops);
}

static void teardown(void)
{
	pt_destroy(&pt);
	host_pt_pool_fini(&pool);
	host_phys_fini();
}

/* The level-`level` entry on va's path (the tables must exist). */
static pte_t *entry(vaddr_t va, int level)
{
	pte_t *tbl = phys_to_virt(pt.root);

	for (int l = PT_LEVELS - 1; l > level; l--)
		tbl = phys_to_virt(arch_pte_paddr(
			tbl[(va >> PT_LEVEL_SHIFT(l)) & (PT_ENTRIES - 1)]));
	return &tbl[(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1)];
}

/*
 * Scenario: a root moved 8 bytes off its page, then a tree whose root
 * is gone but whose table count is not.
 * Expect "I1 table pa ... at level 2 ... not page-aligned" and "I6 no
 * root but table_pages 3", nothing once each is put back.
 */
static void root_damage(struct ktest *t)
{
	paddr_t root;
	size_t pages;

	KTEST_ASSERT_EQ(t, setup(), 0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, 0x1000, 0x2000, PAGE_SIZE, PROT_RW), 0);
	KTEST_EXPECT_EQ(t, check(), 0);
	root = pt.root;
	pt.root = root + 8;
	KTEST_EXPECT(t, check() >= 1);
	KTEST_EXPECT(t, capture_has("pt_check: I1 table pa 0x"));
	KTEST_EXPECT(t, capture_has(" at level 2 (va 0x0) not page-aligned\n"));
	pt.root = root;
	KTEST_EXPECT_EQ(t, check(), 0);

	pages = pt.table_pages;
	pt.root = PADDR_INVALID;
	KTEST_EXPECT_EQ(t, check(), 1);
	KTEST_EXPECT_STREQ(t, capture_text(),
			   "pt_check: I6 no root but table_pages 3\n");
	pt.root = root;
	pt.table_pages = pages;
	KTEST_EXPECT_EQ(t, check(), 0);
	teardown();
}

/*
 * Scenario: the walk hint (the last level-0 table used) given a wrong
 * count (hint_count, where the hint's table's count lives, I9), then a
 * base one entry off (hint_base, from which the fast paths find their
 * entry), then a path that no longer leads to it (its level-1 entry
 * cleared behind pt's back).
 * Expect "I9 ... counts 0 valid entries, has 1" for the hint's table,
 * then "I7 walk hint ... base ... is not its table ... less 0x0", then
 * "I7 walk hint ... is not the linked level-0 table".
 */
static void hint_damage(struct ktest *t)
{
	unsigned int count;
	pte_t *e, saved;

	KTEST_ASSERT_EQ(t, setup(), 0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, 0x1000, 0x2000, PAGE_SIZE, PROT_RW), 0);
	KTEST_ASSERT(t, pt.hint_table != NULL);
	count = pt.hint_count;
	pt.hint_count = 0;
	KTEST_EXPECT_EQ(t, check(), 1);
	KTEST_EXPECT(t,
		     capture_has("pt_check: I9 table pa ") &&
			     capture_has(" counts 0 valid entries, has 1\n"));
	pt.hint_count = count;
	KTEST_EXPECT_EQ(t, check(), 0);

	pt.hint_base += sizeof(pte_t);
	KTEST_EXPECT_EQ(t, check(), 1);
	KTEST_EXPECT(t, capture_has("pt_check: I7 walk hint va 0x0 base ") &&
				capture_has(" less 0x0\n"));
	pt.hint_base -= sizeof(pte_t);
	KTEST_EXPECT_EQ(t, check(), 0);

	e = entry(0x1000, 1);
	saved = *e;
	*e = 0;
	KTEST_EXPECT(t, check() >= 1);
	KTEST_EXPECT(t,
		     capture_has("pt_check: I7 walk hint va 0x0 table ") &&
			     capture_has("is not the linked level-0 table\n"));
	*e = saved;
	KTEST_EXPECT_EQ(t, check(), 0);
	teardown();
}

static int count_leaf(void *arg, vaddr_t va, paddr_t pa, size_t size,
		      unsigned int prot)
{
	(*(unsigned int *)arg)++;
	return 0;
}

/*
 * Scenario: two mapped pages, then the second's level-0 entry replaced
 * by a table entry (level 0 has no tables).
 * Expect pt_walk() to report the one good leaf and skip the bad entry
 * without following it, pt_check() to report it, and both leaves back
 * once repaired.
 */
static void walk_skips_level0_table(struct ktest *t)
{
	unsigned int leaves = 0;
	pte_t *e, saved;

	KTEST_ASSERT_EQ(t, setup(), 0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, 0x1000, 0x2000, 2 * PAGE_SIZE, PROT_RW),
			0);
	e = entry(0x2000, 0);
	saved = *e;
	*e = arch_pte_table(pt.root);
	KTEST_EXPECT_EQ(t, pt_walk(&pt, count_leaf, &leaves), 0);
	KTEST_EXPECT_EQ(t, leaves, 1);
	KTEST_EXPECT(t, check() >= 1);
	*e = saved;
	leaves = 0;
	KTEST_EXPECT_EQ(t, pt_walk(&pt, count_leaf, &leaves), 0);
	KTEST_EXPECT_EQ(t, leaves, 2);
	KTEST_EXPECT_EQ(t, check(), 0);
	teardown();
}

/*
 * Scenario: pt_init() without an allocator; a tree destroyed, then
 * looked up, checked and destroyed again.
 * Expect -EINVAL; -ENOENT from the lookup, a clean check (no root, no
 * table pages) and a second destroy that does nothing.
 */
static void api_edges(struct ktest *t)
{
	struct pgtable bare;
	struct pt_alloc none = { 0 };

	KTEST_EXPECT_EQ(t, pt_init(&bare, NULL), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_init(&bare, &none), -EINVAL);
	KTEST_EXPECT_EQ(t, bare.root, PADDR_INVALID);

	KTEST_ASSERT_EQ(t, setup(), 0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, 0x1000, 0x2000, PAGE_SIZE, PROT_RW), 0);
	pt_destroy(&pt);
	KTEST_EXPECT_EQ(t, pt_lookup(&pt, 0x1000, NULL, NULL, NULL), -ENOENT);
	KTEST_EXPECT_EQ(t, check(), 0);
	pt_destroy(&pt);
	KTEST_EXPECT_EQ(t, pt.table_pages, 0);
	KTEST_EXPECT_EQ(t, pool.in_use, 0);
	teardown();
}

static const struct ktest_case pgtable_check_cases[] = {
	KTEST_CASE(root_damage),
	KTEST_CASE(hint_damage),
	KTEST_CASE(walk_skips_level0_table),
	KTEST_CASE(api_edges),
	KTEST_END,
};
static const struct ktest_suite pgtable_check_suite = { "pgtable_check",
							pgtable_check_cases,
							NULL, NULL };

KTEST_HOST_MAIN(&pgtable_check_suite)
