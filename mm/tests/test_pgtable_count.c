// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the page-table pages' valid-entry counters (mm/pgtable.c,
 * I9): after every map and unmap, through every entry point, each linked
 * table's counter (kept by the test pool, struct pt_alloc.used) equals a
 * scan of its 512 entries; a table is unlinked exactly when its counter
 * reaches 0; pt_check() reports a corrupted counter; and a tree built
 * without counters (the boot-time allocator) works by scanning and gets
 * exact counters from pt_set_alloc().
 */
#include <stdlib.h>

#include "lib/errno.h"
#include "lib/rand.h"
#include "lib/string.h"
#include "lib/tests/host_ktest.h"
#include "mm/linear.h"
#include "mm/pgtable.h"
#include "mm/tests/host_arch.h"

#define PHYS_BASE 0x80000000UL
#define POOL_PAGES 1024UL

/* Random runs: a window of WIN_REGIONS 2 MiB regions in two gigabytes. */
#define WIN_REGIONS 6
#define WIN_PAGES (WIN_REGIONS * 512)
#define RANDOM_STEPS 3000

static struct host_pt_pool pool;
static struct pgtable pt;

/* counters false: the tree gets the pool without its counters. */
static bool fx_setup(bool counters)
{
	struct pt_alloc ops;

	host_phys_init(PHYS_BASE, POOL_PAGES * PAGE_SIZE);
	host_pt_pool_init(&pool, PHYS_BASE, POOL_PAGES);
	ops = pool.ops;
	if (!counters)
		ops.used = NULL;
	host_arch_tlb_reset();
	return pt_init(&pt, &ops) == 0;
}

static void fx_teardown(struct ktest *t)
{
	pt_destroy(&pt);
	KTEST_EXPECT_EQ(t, pt.table_pages, 0);
	KTEST_EXPECT_EQ(t, pool.in_use, 0);
	KTEST_EXPECT_EQ(t, pool.bad_frees, 0);
	host_pt_pool_fini(&pool);
	host_phys_fini();
}

/*
 * The valid-entry count of table page pa where mm/pgtable.c keeps it
 * (I9): the tree's hint_count for the walk hint's table, else the
 * pool's counter (what struct pt_alloc.used gives).
 */
static unsigned int *counter(paddr_t pa)
{
	if (phys_to_virt(pa) == pt.hint_table)
		return &pt.hint_count;
	return &pool.pt_used[(pa - pool.base) >> PAGE_SHIFT];
}

/*
 * Compare the counter of table pa (at level) and of every table below
 * with a scan; return the number of mismatches.
 */
static int counts_mismatch(paddr_t pa, int level)
{
	const pte_t *t = phys_to_virt(pa);
	unsigned int used = 0;
	int bad = 0;

	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		if (t[i] == 0)
			continue;
		used++;
		if (level > 0 && !arch_pte_is_leaf(t[i]))
			bad += counts_mismatch(arch_pte_paddr(t[i]), level - 1);
	}
	return bad + (*counter(pa) != used);
}

/* Page i of the window: regions 0..2 in one gigabyte, 3..5 in the next. */
static vaddr_t win_va(size_t i)
{
	size_t region = i / 512;

	return 0x40000000UL * (1 + region / 3) + (region % 3) * SZ_2M +
	       (i % 512) * PAGE_SIZE;
}

/*
 * Tables that must be linked for the pages model[] marks mapped: the
 * root, one level-1 table per gigabyte and one level-0 table per 2 MiB
 * region with a page mapped (I5: no more).
 */
static size_t model_tables(const bool *model)
{
	size_t tables = 1;

	for (int gig = 0; gig < 2; gig++) {
		size_t l0 = 0;

		for (int r = 0; r < 3; r++) {
			size_t first = (size_t)(gig * 3 + r) * 512;

			for (size_t i = first; i < first + 512; i++) {
				if (model[i]) {
					l0++;
					break;
				}
			}
		}
		tables += l0 + (l0 > 0);
	}
	return tables;
}

/* Number of pages in [i, i + n) that model[] marks mapped. */
static size_t model_mapped(const bool *model, size_t i, size_t n)
{
	size_t k = 0;

	for (size_t j = i; j < i + n; j++)
		k += model[j];
	return k;
}

/*
 * One random step on the window through one of the map and unmap entry
 * points, mirrored in model[]: 1 to 8 pages from the first 16 of a
 * region, or from its last 4 (crossing into the next region where the
 * window is contiguous).
 */
static void random_step(struct ktest *t, bool *model, struct rand_state *seed)
{
	/* Few pages per region, so tables fill and empty often. */
	size_t region = rand_below(seed, WIN_REGIONS);
	size_t off = rand_below(seed, 8) ? rand_below(seed, 16)
					 : 511 - rand_below(seed, 4);
	size_t i = region * 512 + off;
	size_t n = 1 + rand_below(seed, 8);
	paddr_t pa[8];
	struct pt_gather g;
	int err;

	if (i + n > WIN_PAGES)
		n = WIN_PAGES - i;
	/* A range may cross a gigabyte only where the window is contiguous. */
	if (win_va(i + n - 1) - win_va(i) != (n - 1) * PAGE_SIZE)
		n = 1;
	for (size_t k = 0; k < n; k++)
		pa[k] = (0x100000UL + ((i + k) & 0xff)) * PAGE_SIZE;
	switch (rand_below(seed, 6)) {
	case 0:
		err = pt_map_page(&pt, win_va(i), pa[0], PROT_RW);
		KTEST_EXPECT_EQ(t, err, model[i] ? -EEXIST : 0);
		model[i] = true;
		break;
	case 1:
		err = pt_unmap_page(&pt, win_va(i));
		KTEST_EXPECT_EQ(t, err, model[i] ? 0 : -ENOENT);
		model[i] = false;
		break;
	case 2:
		err = pt_map(&pt, win_va(i), pa[0], n * PAGE_SIZE, PROT_READ);
		if (model_mapped(model, i, n)) {
			KTEST_EXPECT_EQ(t, err, -EEXIST);
			break;
		}
		KTEST_EXPECT_EQ(t, err, 0);
		for (size_t k = 0; k < n; k++)
			model[i + k] = true;
		break;
	case 3:
		err = pt_map_pages(&pt, win_va(i), pa, n, PROT_RW);
		if (model_mapped(model, i, n)) {
			KTEST_EXPECT_EQ(t, err, -EEXIST);
			break;
		}
		KTEST_EXPECT_EQ(t, err, 0);
		for (size_t k = 0; k < n; k++)
			model[i + k] = true;
		break;
	case 4:
		KTEST_EXPECT_EQ(t, pt_unmap(&pt, win_va(i), n * PAGE_SIZE), 0);
		for (size_t k = 0; k < n; k++)
			model[i + k] = false;
		break;
	default:
		pt_gather_init(&g, &pt);
		KTEST_EXPECT_EQ(
			t, pt_unmap_gather(&g, win_va(i), n * PAGE_SIZE), 0);
		pt_gather_finish(&g);
		for (size_t k = 0; k < n; k++)
			model[i + k] = false;
		break;
	}
}

/* After a step: the tree as the model says, checked every way. */
static void expect_consistent(struct ktest *t, const bool *model, bool counters)
{
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
	if (counters)
		KTEST_EXPECT_EQ(t, counts_mismatch(pt.root, PT_LEVELS - 1), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, model_tables(model));
	KTEST_EXPECT_EQ(t, pool.in_use, pt.table_pages);
}

static void random_run(struct ktest *t, bool counters, uint64_t s)
{
	bool *model = calloc(WIN_PAGES, sizeof(*model));
	struct rand_state rs;
	struct rand_state *seed = &rs;

	rand_seed(&rs, s);

	KTEST_ASSERT_NOT_NULL(t, model);
	for (int step = 0; step < RANDOM_STEPS && t->failures == 0; step++) {
		random_step(t, model, seed);
		expect_consistent(t, model, counters);
	}
	/* Empty the window: every table but the root goes back. */
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, 0x40000000UL, 2 * SZ_1G), 0);
	memset(model, 0, WIN_PAGES * sizeof(*model));
	expect_consistent(t, model, counters);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	free(model);
}

/*
 * Scenario: 3000 random steps over six 2 MiB regions in two gigabytes,
 * each one of pt_map_page, pt_unmap_page, pt_map, pt_map_pages, pt_unmap
 * or pt_unmap_gather + pt_gather_finish of 1 to 8 pages near a region's
 * edges (tables fill and empty often), mirrored in a
 * model of which pages are mapped. Expect after every step: the results
 * the model predicts (-EEXIST, -ENOENT), every table's counter equal to
 * a scan, pt_check() clean, and exactly the tables the model needs
 * linked and held (a table goes back exactly when its counter reaches
 * 0); after unmapping everything only the root.
 */
static void count_matches_scan_random(struct ktest *t)
{
	KTEST_ASSERT(t, fx_setup(true));
	random_run(t, true, 0x5eed0001);
	fx_teardown(t);
}

/*
 * Scenario: three pages mapped in one level-0 table, then unmapped one
 * at a time (pt_unmap_page twice, pt_unmap_gather for the last), a
 * neighbouring table's counter watched throughout. Expect the level-0
 * table's counter to read 3, 2, 1 and the table to stay linked (3 table
 * pages) until the last unmap, which unlinks it and its level-1 parent
 * (1 table page) and gives both back at pt_gather_finish.
 */
static void count_frees_table_at_zero(struct ktest *t)
{
	const vaddr_t va = 0x40000000UL + 5 * SZ_2M;
	struct pt_gather g;
	unsigned int *c0, *c1;
	pte_t *l1;

	KTEST_ASSERT(t, fx_setup(true));
	for (int k = 0; k < 3; k++)
		KTEST_ASSERT_EQ(t,
				pt_map_page(&pt, va + k * PAGE_SIZE,
					    0x200000UL + k * PAGE_SIZE,
					    PROT_RW),
				0);
	KTEST_ASSERT_EQ(t, pt.table_pages, 3);
	l1 = phys_to_virt(arch_pte_paddr(((pte_t *)phys_to_virt(pt.root))[1]));
	c1 = counter(virt_to_phys(l1));
	c0 = counter(arch_pte_paddr(l1[5]));
	KTEST_EXPECT_EQ(t, *c0, 3);
	KTEST_EXPECT_EQ(t, *c1, 1);
	KTEST_EXPECT_EQ(t, *counter(pt.root), 1);

	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, va + PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, *c0, 2);
	KTEST_EXPECT_EQ(t, pt.table_pages, 3);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, va), 0);
	KTEST_EXPECT_EQ(t, *c0, 1);
	KTEST_EXPECT_EQ(t, pt.table_pages, 3);
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);

	pt_gather_init(&g, &pt);
	KTEST_EXPECT_EQ(t, pt_unmap_gather(&g, va + 2 * PAGE_SIZE, PAGE_SIZE),
			0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	KTEST_EXPECT_EQ(t, g.nr_tables, 2);
	KTEST_EXPECT_EQ(t, *counter(pt.root), 0);
	KTEST_EXPECT_EQ(t, pool.in_use, 3); /* held until the shootdown */
	pt_gather_finish(&g);
	KTEST_EXPECT_EQ(t, pool.in_use, 1);
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
	fx_teardown(t);
}

/*
 * Scenario: a tree with pages in two level-0 tables (one of them the
 * walk hint's); the counter of the root, of the level-1 table, of the
 * hint's table and of the other level-0 table each made one too high or
 * too low in turn. Expect pt_check() to report exactly one violation
 * (I9) each time, and none once the counter is restored.
 */
static void pt_check_reports_bad_count(struct ktest *t)
{
	const vaddr_t a = 0x40000000UL, b = 0x40000000UL + SZ_2M;
	unsigned int *c[4];
	pte_t *l1;

	KTEST_ASSERT(t, fx_setup(true));
	KTEST_ASSERT_EQ(t, pt_map(&pt, a, 0x300000UL, 2 * PAGE_SIZE, PROT_RW),
			0);
	KTEST_ASSERT_EQ(t, pt_map_page(&pt, b, 0x400000UL, PROT_RW), 0);
	KTEST_ASSERT_EQ(t, pt_check(&pt), 0);
	l1 = phys_to_virt(arch_pte_paddr(((pte_t *)phys_to_virt(pt.root))[1]));
	c[0] = counter(pt.root);
	c[1] = counter(virt_to_phys(l1));
	c[2] = counter(arch_pte_paddr(l1[1])); /* b's: the hint's */
	c[3] = counter(arch_pte_paddr(l1[0]));
	KTEST_EXPECT(t, c[2] == &pt.hint_count);
	for (int k = 0; k < 4; k++) {
		(*c[k])++;
		KTEST_EXPECT_EQ(t, pt_check(&pt), 1);
		*c[k] -= 2;
		KTEST_EXPECT_EQ(t, pt_check(&pt), 1);
		(*c[k])++;
		KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
	}
	fx_teardown(t);
}

/*
 * Scenario: the same random run with an allocator that keeps no
 * counters (struct pt_alloc.used NULL, as memblock's at boot), then
 * pt_set_alloc() to the counting pool on a populated tree, then more
 * steps. Expect the scanning fallback to free tables exactly as the
 * counters do (pt_check clean, the model's tables after every step), and
 * after pt_set_alloc every counter equal to a scan.
 */
static void count_fallback_and_set_alloc(struct ktest *t)
{
	bool *model = calloc(WIN_PAGES, sizeof(*model));
	struct rand_state rs;
	struct rand_state *seed = &rs;

	rand_seed(&rs, 0x5eed0002);

	KTEST_ASSERT_NOT_NULL(t, model);
	KTEST_ASSERT(t, fx_setup(false));
	for (int step = 0; step < RANDOM_STEPS / 2 && t->failures == 0;
	     step++) {
		random_step(t, model, seed);
		expect_consistent(t, model, false);
	}
	/* Stale values where the counters will be: pt_set_alloc sets them. */
	for (size_t k = 0; k < POOL_PAGES; k++)
		pool.pt_used[k] = 0xdead;
	KTEST_EXPECT_EQ(t, pt_set_alloc(&pt, NULL), -EINVAL);
	KTEST_ASSERT_EQ(t, pt_set_alloc(&pt, &pool.ops), 0);
	KTEST_EXPECT_EQ(t, counts_mismatch(pt.root, PT_LEVELS - 1), 0);
	expect_consistent(t, model, true);
	for (int step = 0; step < RANDOM_STEPS / 2 && t->failures == 0;
	     step++) {
		random_step(t, model, seed);
		expect_consistent(t, model, true);
	}
	free(model);
	fx_teardown(t);
}

/*
 * Scenario: the random run of count_matches_scan_random without
 * counters from the start. Expect the same: the model's tables after
 * every step and pt_check clean (the hint's scratch count, I7/I9).
 */
static void count_fallback_random(struct ktest *t)
{
	KTEST_ASSERT(t, fx_setup(false));
	random_run(t, false, 0x5eed0003);
	fx_teardown(t);
}

static const struct ktest_case pgtable_count_cases[] = {
	KTEST_CASE(count_matches_scan_random),
	KTEST_CASE(count_frees_table_at_zero),
	KTEST_CASE(pt_check_reports_bad_count),
	KTEST_CASE(count_fallback_and_set_alloc),
	KTEST_CASE(count_fallback_random),
	KTEST_END,
};

static const struct ktest_suite pgtable_count_suite = {
	.name = "pgtable_count",
	.cases = pgtable_count_cases,
};

KTEST_HOST_MAIN(&pgtable_count_suite);
