// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the page-table fast paths (mm/pgtable.c) and of the
 * range code split out of it (mm/pgtable_range.c): the one-page unmap
 * fences only this hart when it is the only one online
 * (arch_tlb_is_local) and shoots down otherwise; a one-page map or unmap
 * that finds the table lock taken waits its turn (spin_lock_begin /
 * spin_lock_finish) and then completes; pt_map_pages fills a run that
 * crosses level-0 tables one table at a time with exact counters, and
 * undoes all of it on -EEXIST; pt_protect's split of a large leaf keeps
 * every counter exact. Every test ends with each linked table's counter
 * equal to a scan of its entries and pt_check() clean.
 */
#include <pthread.h>

#include "lib/errno.h"
#include "lib/tests/host_ktest.h"
#include "mm/linear.h"
#include "mm/pgtable.h"
#include "mm/tests/host_arch.h"

#define PHYS_BASE 0x80000000UL
#define POOL_PAGES 256UL
/* Two neighbouring 2 MiB regions in the second gigabyte. */
#define REGION_A (0x40000000UL + 4 * SZ_2M)
#define REGION_B (REGION_A + SZ_2M)
#define FRAME 0x100000000UL
#define PROT (PROT_RW | PROT_GLOBAL)

static struct host_pt_pool pool;
static struct pgtable pt;

static bool fx_setup(void)
{
	host_phys_init(PHYS_BASE, POOL_PAGES * PAGE_SIZE);
	host_pt_pool_init(&pool, PHYS_BASE, POOL_PAGES);
	host_arch_tlb_reset();
	return pt_init(&pt, &pool.ops) == 0;
}

static void fx_teardown(struct ktest *t)
{
	host_arch_tlb_reset();
	pt_destroy(&pt);
	KTEST_EXPECT_EQ(t, pt.table_pages, 0);
	KTEST_EXPECT_EQ(t, pool.in_use, 0);
	KTEST_EXPECT_EQ(t, pool.bad_frees, 0);
	host_pt_pool_fini(&pool);
	host_phys_fini();
}

/* Mismatches between each table's counter (at and below pa) and a scan. */
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
	return bad + (pool.pt_used[(pa - pool.base) >> PAGE_SHIFT] != used);
}

static void expect_consistent(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, counts_mismatch(pt.root, PT_LEVELS - 1), 0);
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
	KTEST_EXPECT_EQ(t, pool.in_use, pt.table_pages);
}

static bool is_mapped(vaddr_t va)
{
	return pt_lookup(&pt, va, NULL, NULL, NULL) == 0;
}

/*
 * Scenario: two pages mapped in one level-0 table; the first unmapped
 * with host_arch_tlb_local set (one hart online), then mapped again and
 * unmapped without it; then the last page unmapped with it set again.
 * Expect the first unmap to fence only this hart's page (one page
 * fence, no shootdown), the second to shoot down exactly that page, and
 * the last (which empties and unlinks the level-0 and level-1 tables) to
 * shoot down everything, as an unlinked table needs on any hart count.
 */
static void unmap_page_fences_locally_on_one_hart(struct ktest *t)
{
	vaddr_t va;
	size_t size;

	KTEST_ASSERT(t, fx_setup());
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, REGION_A, FRAME, PROT), 0);
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, REGION_A + PAGE_SIZE, FRAME, PROT),
			0);

	host_arch_tlb_reset();
	host_arch_tlb_local = true;
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, REGION_A), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 1);
	KTEST_EXPECT(t, host_arch_tlb_was_flushed(REGION_A));
	KTEST_EXPECT(t, !is_mapped(REGION_A));

	KTEST_EXPECT_EQ(t, pt_map_page(&pt, REGION_A, FRAME, PROT), 0);
	host_arch_tlb_reset(); /* clears host_arch_tlb_local */
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, REGION_A), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 0);
	KTEST_EXPECT(t, host_arch_tlb_shootdown_at(0, &va, &size));
	KTEST_EXPECT_EQ(t, va, REGION_A);
	KTEST_EXPECT_EQ(t, size, PAGE_SIZE);

	host_arch_tlb_reset();
	host_arch_tlb_local = true;
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, REGION_A + PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdown_alls, 1);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	expect_consistent(t);
	fx_teardown(t);
}

struct contender {
	bool unmap;
	vaddr_t va;
	int ret;
};

static void *contender_run(void *arg)
{
	struct contender *c = arg;

	c->ret = c->unmap ? pt_unmap_page(&pt, c->va)
			  : pt_map_page(&pt, c->va, FRAME, PROT);
	return NULL;
}

/*
 * Run c on another thread ("hart") while this one holds pt.lock; let go
 * once the other has taken its ticket (so it is on the waiting path).
 */
static void run_contended(struct ktest *t, struct contender *c)
{
	pthread_t th;
	uint32_t owner;

	spin_lock(&pt.lock);
	owner = __atomic_load_n(&pt.lock.owner, __ATOMIC_RELAXED);
	KTEST_ASSERT(t, pthread_create(&th, NULL, contender_run, c) == 0);
	while (__atomic_load_n(&pt.lock.next, __ATOMIC_RELAXED) != owner + 2)
		cpu_relax();
	spin_unlock(&pt.lock);
	KTEST_ASSERT(t, pthread_join(th, NULL) == 0);
}

/*
 * Scenario: pt_map_page, then pt_unmap_page, of a page in a table that
 * holds another page (so both are fast-path cases), each called on a
 * second thread while the main thread holds the table lock, released
 * only after the caller has taken its ticket. Expect each to wait, then
 * succeed (the page mapped, then unmapped), the lock free afterwards,
 * no spinlock BUG line, and consistent counters.
 */
static void fast_paths_wait_for_the_lock(struct ktest *t)
{
	struct contender map = { false, REGION_A + 7 * PAGE_SIZE, -1 };
	struct contender unmap = { true, REGION_A + 7 * PAGE_SIZE, -1 };
	unsigned long bugs = spin_bug_count();

	KTEST_ASSERT(t, fx_setup());
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, REGION_A, FRAME, PROT), 0);
	run_contended(t, &map);
	KTEST_EXPECT_EQ(t, map.ret, 0);
	KTEST_EXPECT(t, is_mapped(map.va));
	run_contended(t, &unmap);
	KTEST_EXPECT_EQ(t, unmap.ret, 0);
	KTEST_EXPECT(t, !is_mapped(unmap.va));
	KTEST_EXPECT(t, !spin_is_locked(&pt.lock));
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs);
	expect_consistent(t);
	fx_teardown(t);
}

/*
 * Scenario: pt_map_pages of 1030 pages starting 12 pages before the end
 * of a 2 MiB region, so the run fills the end of one level-0 table, all
 * of a second and the start of a third. Expect 0, every page mapped to
 * its own frame, 1 + 1 + 3 table pages, each table's counter equal to a
 * scan, one local fence of everything (the run linked tables) and no
 * shootdown; then pt_unmap of the run gives back all but the root.
 */
static void map_pages_run_across_tables(struct ktest *t)
{
	enum { N = 1030 };
	static paddr_t pa[N];
	const vaddr_t va = REGION_A + (PT_ENTRIES - 12) * PAGE_SIZE;
	paddr_t got;

	KTEST_ASSERT(t, fx_setup());
	for (size_t i = 0; i < N; i++)
		pa[i] = FRAME + i * PAGE_SIZE;
	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, va, pa, N, PROT), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flush_alls, 1);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 5);
	for (size_t i = 0; i < N; i++) {
		got = 0;
		if (pt_lookup(&pt, va + i * PAGE_SIZE, &got, NULL, NULL) ||
		    got != pa[i]) {
			KTEST_EXPECT_EQ(t, got, pa[i]);
			break;
		}
	}
	expect_consistent(t);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va, N * PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	expect_consistent(t);
	fx_teardown(t);
}

/*
 * Scenario: page 3 of region B mapped, then pt_map_pages of 9 pages from
 * the last 4 of region A (whose level-0 table does not exist yet) over
 * pages 0..4 of region B. Expect -EEXIST, no page of the run mapped,
 * page 3 still mapped to its frame, region A's new table unlinked and
 * given back (3 table pages: root, level 1, region B's level 0), and
 * every counter exact.
 */
static void map_pages_eexist_undoes_across_tables(struct ktest *t)
{
	paddr_t pa[9], got = 0;
	const vaddr_t va = REGION_A + (PT_ENTRIES - 4) * PAGE_SIZE;

	KTEST_ASSERT(t, fx_setup());
	KTEST_EXPECT_EQ(
		t,
		pt_map_page(&pt, REGION_B + 3 * PAGE_SIZE, FRAME + SZ_1M, PROT),
		0);
	for (size_t i = 0; i < 9; i++)
		pa[i] = FRAME + i * PAGE_SIZE;
	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, va, pa, 9, PROT), -EEXIST);
	for (size_t i = 0; i < 9; i++)
		if (i != 7)
			KTEST_EXPECT(t, !is_mapped(va + i * PAGE_SIZE));
	KTEST_EXPECT_EQ(
		t, pt_lookup(&pt, REGION_B + 3 * PAGE_SIZE, &got, NULL, NULL),
		0);
	KTEST_EXPECT_EQ(t, got, FRAME + SZ_1M);
	KTEST_EXPECT_EQ(t, pt.table_pages, 3);
	expect_consistent(t);
	fx_teardown(t);
}

/*
 * Scenario: a 2 MiB leaf mapped with pt_map, then pt_protect of one 4
 * KiB page inside it to read-only, then pt_protect of the whole region
 * back to read-write, then pt_unmap of it. Expect the split to add one
 * level-0 table whose counter reads 512, the page read-only with 4 KiB
 * leaf and its neighbour still read-write, counters exact after each
 * step, and only the root left after the unmap.
 */
static void protect_split_keeps_counts(struct ktest *t)
{
	const paddr_t frame = FRAME + SZ_1G;
	unsigned int prot = 0;
	size_t leaf = 0;
	paddr_t got = 0;

	KTEST_ASSERT(t, fx_setup());
	KTEST_EXPECT_EQ(t, pt_map(&pt, REGION_A, frame, SZ_2M, PROT), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 2);
	expect_consistent(t);
	KTEST_EXPECT_EQ(t,
			pt_protect(&pt, REGION_A + 5 * PAGE_SIZE, PAGE_SIZE,
				   PROT_READ | PROT_GLOBAL),
			0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 3);
	KTEST_EXPECT_EQ(
		t, pt_lookup(&pt, REGION_A + 5 * PAGE_SIZE, &got, &prot, &leaf),
		0);
	KTEST_EXPECT_EQ(t, got, frame + 5 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, prot & PROT_RW, PROT_READ);
	KTEST_EXPECT_EQ(t, leaf, PAGE_SIZE);
	KTEST_EXPECT_EQ(
		t, pt_lookup(&pt, REGION_A + 6 * PAGE_SIZE, NULL, &prot, NULL),
		0);
	KTEST_EXPECT_EQ(t, prot & PROT_RW, PROT_RW);
	expect_consistent(t);
	KTEST_EXPECT_EQ(t, pt_protect(&pt, REGION_A, SZ_2M, PROT), 0);
	expect_consistent(t);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, REGION_A, SZ_2M), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	expect_consistent(t);
	fx_teardown(t);
}

static const struct ktest_case pgtable_fast_cases[] = {
	KTEST_CASE(unmap_page_fences_locally_on_one_hart),
	KTEST_CASE(fast_paths_wait_for_the_lock),
	KTEST_CASE(map_pages_run_across_tables),
	KTEST_CASE(map_pages_eexist_undoes_across_tables),
	KTEST_CASE(protect_split_keeps_counts),
	KTEST_END,
};

static const struct ktest_suite pgtable_fast_suite = {
	.name = "pgtable_fast",
	.cases = pgtable_fast_cases,
};

KTEST_HOST_MAIN(&pgtable_fast_suite);
