// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of pt_walk_va() (mm/pgtable_check.c), the level-by-level
 * walk behind the memory console's `walk`: a 4 KiB leaf, a 2 MiB leaf,
 * an unmapped address, a table address the caller refuses, and a
 * non-canonical address.
 */
#include "lib/errno.h"
#include "lib/tests/host_ktest.h"
#include "mm/pgtable.h"
#include "mm/tests/host_arch.h"

#define PHYS_BASE 0x80000000UL
#define POOL_PAGES 64UL

static struct host_pt_pool pool;
static struct pgtable pt;
static paddr_t refused; /* a table address table_ok() says no to */

static bool table_ok(paddr_t pa)
{
	return pa != refused && host_phys_contains(pa, PAGE_SIZE);
}

static int walk_init(void)
{
	host_phys_init(PHYS_BASE, POOL_PAGES * PAGE_SIZE);
	host_pt_pool_init(&pool, PHYS_BASE, POOL_PAGES);
	return pt_init(&pt, &pool.ops);
}

/* Scenario: a 4 KiB page mapped at a vmalloc-range address. Expect three
 * steps, the indexes of the address split, table pointers at levels 2
 * and 1, the leaf at level 0 with the frame. */
static void walk_4k_leaf(struct ktest *t)
{
	vaddr_t va = 0xffffffc000123000UL;
	struct pt_walk_step s[PT_LEVELS];
	unsigned int n;

	KTEST_ASSERT_EQ(t, pt_map_page(&pt, va, 0x9000000UL, PROT_RW), 0);
	KTEST_EXPECT_EQ(t, pt_walk_va(&pt, va + 0x10, s, &n, table_ok), 0);
	KTEST_ASSERT_EQ(t, n, 3);
	KTEST_EXPECT_EQ(t, s[0].level, 2);
	KTEST_EXPECT_EQ(t, s[0].table, pt.root);
	KTEST_EXPECT_EQ(t, s[0].index, 256);
	KTEST_EXPECT_EQ(t, s[1].index, 0);
	KTEST_EXPECT_EQ(t, s[2].index, 0x123);
	KTEST_EXPECT(t, !arch_pte_is_leaf(s[0].pte));
	KTEST_EXPECT_EQ(t, s[1].table, arch_pte_paddr(s[0].pte));
	KTEST_EXPECT_EQ(t, s[2].table, arch_pte_paddr(s[1].pte));
	KTEST_EXPECT(t, arch_pte_is_leaf(s[2].pte));
	KTEST_EXPECT_EQ(t, arch_pte_paddr(s[2].pte), 0x9000000UL);
	KTEST_EXPECT_EQ(t, arch_pte_prot(s[2].pte), PROT_RW);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, va), 0);
}

/* Scenario: a 2 MiB mapping. Expect the walk to stop at level 1. */
static void walk_2m_leaf(struct ktest *t)
{
	vaddr_t va = 0xffffffc040000000UL;
	struct pt_walk_step s[PT_LEVELS];
	unsigned int n;

	KTEST_ASSERT_EQ(t, pt_map(&pt, va, 0x40000000UL, SZ_2M, PROT_READ), 0);
	KTEST_EXPECT_EQ(t, pt_walk_va(&pt, va + 0x1234, s, &n, table_ok), 0);
	KTEST_ASSERT_EQ(t, n, 2);
	KTEST_EXPECT_EQ(t, s[1].level, 1);
	KTEST_EXPECT(t, arch_pte_is_leaf(s[1].pte));
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va, SZ_2M), 0);
}

/* Scenario: addresses with nothing mapped: below any table, and next to
 * a mapped page. Expect -ENOENT with the empty entry as the last step. */
static void walk_unmapped(struct ktest *t)
{
	vaddr_t va = 0xffffffc000200000UL;
	struct pt_walk_step s[PT_LEVELS];
	unsigned int n;

	KTEST_EXPECT_EQ(t, pt_walk_va(&pt, 0, s, &n, table_ok), -ENOENT);
	KTEST_EXPECT_EQ(t, n, 1);
	KTEST_EXPECT_EQ(t, s[0].pte, 0);
	KTEST_ASSERT_EQ(t, pt_map_page(&pt, va, 0x9000000UL, PROT_RW), 0);
	KTEST_EXPECT_EQ(t, pt_walk_va(&pt, va + PAGE_SIZE, s, &n, table_ok),
			-ENOENT);
	KTEST_EXPECT_EQ(t, n, 3);
	KTEST_EXPECT(t, !arch_pte_is_valid(s[2].pte));
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, va), 0);
}

/* Scenario: the level-1 table is not one the caller accepts (as for a
 * corrupt entry pointing outside RAM). Expect -EFAULT before reading it,
 * the entry that points there as the last step. */
static void walk_refused_table(struct ktest *t)
{
	vaddr_t va = 0xffffffc000400000UL;
	struct pt_walk_step s[PT_LEVELS];
	unsigned int n;

	KTEST_ASSERT_EQ(t, pt_map_page(&pt, va, 0x9000000UL, PROT_RW), 0);
	KTEST_ASSERT_EQ(t, pt_walk_va(&pt, va, s, &n, table_ok), 0);
	refused = s[1].table;
	KTEST_EXPECT_EQ(t, pt_walk_va(&pt, va, s, &n, table_ok), -EFAULT);
	KTEST_EXPECT_EQ(t, n, 1);
	KTEST_EXPECT_EQ(t, arch_pte_paddr(s[0].pte), refused);
	refused = 0;
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, va), 0);
}

/* Scenario: an address whose bits 63..39 are not all bit 38. Expect
 * -EINVAL and no step. */
static void walk_non_canonical(struct ktest *t)
{
	struct pt_walk_step s[PT_LEVELS];
	unsigned int n = 7;

	KTEST_EXPECT_EQ(t, pt_walk_va(&pt, 0x8000000000UL, s, &n, table_ok),
			-EINVAL);
	KTEST_EXPECT_EQ(t, n, 0);
}

static const struct ktest_case walk_cases[] = {
	KTEST_CASE(walk_4k_leaf),	KTEST_CASE(walk_2m_leaf),
	KTEST_CASE(walk_unmapped),	KTEST_CASE(walk_refused_table),
	KTEST_CASE(walk_non_canonical), KTEST_END,
};
static const struct ktest_suite walk_suite = { "pgtable_walk", walk_cases,
					       walk_init, NULL };

KTEST_HOST_MAIN(&walk_suite)
