// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the page-table fast paths (mm/pgtable.c) and of the
 * range code split out of it (mm/pgtable_range.c): the one-page unmap
 * fences only this hart when it is the only one online
 * (arch_tlb_is_local) and shoots down otherwise; a one-page map or unmap
 * that finds the table lock taken waits its turn (spin_lock_begin /
 * spin_lock_finish) and then completes; pt_map_pages maps a run inside
 * the hint's table on its fast path (one fence) and hands a run that
 * meets an entry in use to the general path; pt_unmap_gather clears a
 * range of leaves inside the hint's table on its fast path and leaves
 * the rest to the general one; pt_map_pages fills a run that
 * crosses level-0 tables one table at a time with exact counters, and
 * undoes all of it on -EEXIST; pt_protect's split of a large leaf keeps
 * every counter exact; pt_map_page and pt_map_pages refuse every
 * protection value a leaf may not have (the fast path's one table load
 * that is also the check). Every test ends with each linked table's counter
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
	/* The hint's table's count is the tree's while it is hinted (I9). */
	if (phys_to_virt(pa) == pt.hint_table)
		return bad + (pt.hint_count != used);
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

/* I4, written out here rather than taken from the code under test. */
static bool prot_ok(unsigned int prot)
{
	if (prot >= 32 || !(prot & (PROT_READ | PROT_EXEC)))
		return false;
	return !(prot & PROT_WRITE) || (prot & PROT_READ);
}

/*
 * Scenario: under each memory-type scheme, with the walk hint on the
 * table of a mapped neighbour (so each call reaches the fast path's
 * check), pt_map_page and pt_map_pages (two pages) of every protection
 * value 0..63, and of 0x100, 0x10001, 0x80000001 and ~0 (bits above the
 * 32 the leaf-bit table covers). Expect 0 exactly for the values with
 * READ or EXEC and WRITE only with READ, each such leaf reading back
 * its protection; -EINVAL for every other value with nothing mapped,
 * no fence and the table's counter unchanged.
 */
static void map_page_rejects_every_bad_prot(struct ktest *t)
{
	static const unsigned int high[] = { 0x100, 0x10001, 0x80000001u, ~0u };
	static const enum riscv_mattr ids[] = { RISCV_MATTR_NONE,
						RISCV_MATTR_SVPBMT,
						RISCV_MATTR_THEAD_MAE };
	struct riscv_pte_mattr saved = pte_mattr;
	const paddr_t frames[2] = { FRAME, FRAME + PAGE_SIZE };
	const vaddr_t va = REGION_A + 2 * PAGE_SIZE;
	unsigned int accepted = 0, refused = 0;

	KTEST_ASSERT(t, fx_setup());
	KTEST_ASSERT(t, pt_map_page(&pt, REGION_A, FRAME, PROT) == 0);
	for (unsigned int s = 0; s < ARRAY_SIZE(ids); s++) {
		struct riscv_pte_mattr m = riscv_pte_mattr_of(ids[s]);

		host_arch_set_mattr(&m);
		for (unsigned int i = 0; i < 64 + ARRAY_SIZE(high); i++) {
			unsigned int prot = i < 64 ? i : high[i - 64];
			int want = prot_ok(prot) ? 0 : -EINVAL;
			unsigned int back = ~0u;

			host_arch_tlb_reset();
			KTEST_EXPECT_EQ(t, pt_map_page(&pt, va, FRAME, prot),
					want);
			KTEST_EXPECT_EQ(t,
					pt_map_pages(&pt, va + PAGE_SIZE,
						     frames, 2, prot),
					want);
			if (want) {
				refused++;
				KTEST_EXPECT(t, !is_mapped(va));
				KTEST_EXPECT(t, !is_mapped(va + PAGE_SIZE));
				KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 0);
				KTEST_EXPECT_EQ(t, host_arch_tlb_flush_alls, 0);
				continue;
			}
			accepted++;
			KTEST_EXPECT_EQ(
				t, pt_lookup(&pt, va, NULL, &back, NULL), 0);
			/* DEVICE reads back only where the scheme has it. */
			KTEST_EXPECT_EQ(t, back | (m.mask ? 0 : PROT_DEVICE),
					prot | (m.mask ? 0 : PROT_DEVICE));
			KTEST_EXPECT_EQ(t, pt_unmap(&pt, va, 3 * PAGE_SIZE), 0);
		}
		expect_consistent(t);
	}
	/* 3 schemes x (20 valid values of 32) and the rest refused. */
	KTEST_EXPECT_EQ(t, accepted, 3 * 20);
	KTEST_EXPECT_EQ(t, refused, 3 * (44 + ARRAY_SIZE(high)));
	host_arch_set_mattr(&saved);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, REGION_A), 0);
	expect_consistent(t);
	fx_teardown(t);
}

/* The pool's own counter of the level-0 table holding va. */
static unsigned int pool_counter_of_l0(vaddr_t va)
{
	pte_t *t = phys_to_virt(pt.root);

	for (int l = PT_LEVELS - 1; l > 0; l--)
		t = phys_to_virt(arch_pte_paddr(
			t[(va >> PT_LEVEL_SHIFT(l)) % PT_ENTRIES]));
	return pool.pt_used[(virt_to_phys(t) - pool.base) >> PAGE_SHIFT];
}

/*
 * Scenario: three pages mapped in region A (its level-0 table becomes
 * the walk hint), one in region B (the hint moves to B's table), one of
 * A's unmapped (back to A), then pt_set_alloc() to the same pool.
 * Expect the hint's count kept in the tree (hint_count) while a table
 * is hinted, and the pool's counter of a table the hint leaves to hold
 * its exact count: A's 3 once the hint is on B, B's 1 once it is back on
 * A; after pt_set_alloc (which drops the hint) A's pool counter 2.
 */
static void hint_count_written_back(struct ktest *t)
{
	KTEST_ASSERT(t, fx_setup());
	for (int k = 0; k < 3; k++)
		KTEST_ASSERT(t, pt_map_page(&pt, REGION_A + k * PAGE_SIZE,
					    FRAME, PROT) == 0);
	KTEST_EXPECT_EQ(t, pt.hint_count, 3);
	KTEST_ASSERT(t, pt_map_page(&pt, REGION_B, FRAME, PROT) == 0);
	KTEST_EXPECT_EQ(t, pt.hint_count, 1);
	KTEST_EXPECT_EQ(t, pool_counter_of_l0(REGION_A), 3);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, REGION_A + PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, pt.hint_count, 2);
	KTEST_EXPECT_EQ(t, pool_counter_of_l0(REGION_B), 1);
	expect_consistent(t);
	KTEST_EXPECT_EQ(t, pt_set_alloc(&pt, &pool.ops), 0);
	KTEST_EXPECT(t, pt.hint_table == NULL);
	KTEST_EXPECT_EQ(t, pool_counter_of_l0(REGION_A), 2);
	KTEST_EXPECT_EQ(t, pool_counter_of_l0(REGION_B), 1);
	expect_consistent(t);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, REGION_A, 2 * SZ_2M), 0);
	expect_consistent(t);
	fx_teardown(t);
}

struct contender {
	bool unmap;
	vaddr_t va;
	int ret;
	size_t pages; /* > 0: pt_map_pages of this many frames from FRAME */
	bool gather; /* with pages: pt_unmap_gather of them instead */
};

static void *contender_run(void *arg)
{
	struct contender *c = arg;
	paddr_t pa[8];

	if (c->pages && c->gather) {
		struct pt_gather g;

		pt_gather_init(&g, &pt);
		c->ret = pt_unmap_gather(&g, c->va, c->pages * PAGE_SIZE);
		pt_gather_finish(&g);
	} else if (c->pages) {
		for (size_t i = 0; i < c->pages && i < 8; i++)
			pa[i] = FRAME + i * PAGE_SIZE;
		c->ret = pt_map_pages(&pt, c->va, pa, c->pages, PROT);
	} else {
		c->ret = c->unmap ? pt_unmap_page(&pt, c->va)
				  : pt_map_page(&pt, c->va, FRAME, PROT);
	}
	return NULL;
}

/*
 * Run c on another thread ("hart") while this one holds pt.lock; let go
 * once the other has taken its ticket (so it is on the waiting path).
 */
static void run_contended(struct ktest *t, struct contender *c)
{
	pthread_t th;
	uint16_t owner;

	spin_lock(&pt.lock);
	owner = __atomic_load_n(&pt.lock.half.owner, __ATOMIC_RELAXED);
	KTEST_ASSERT(t, pthread_create(&th, NULL, contender_run, c) == 0);
	while (__atomic_load_n(&pt.lock.half.next, __ATOMIC_RELAXED) !=
	       (uint16_t)(owner + 2))
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
	struct contender map = { false, REGION_A + 7 * PAGE_SIZE, -1, 0,
				 false };
	struct contender unmap = { true, REGION_A + 7 * PAGE_SIZE, -1, 0,
				   false };
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
 * Scenario: page 100 of region A mapped (its tables exist and the walk
 * hint points at its level-0 table); then pt_map_pages of 4 pages at
 * page 10 and of 1 page at page 20 (the fast path: the run lies in the
 * hint's table, every entry empty); then of 4 pages over pages 98..101
 * (page 100 in use: the fast path hands over to the general one); then
 * of 4 pages at page 40 on a second thread while the main thread holds
 * the table lock. Expect 0 for the first two with every page mapped to
 * its frame, no table page added, one local fence of everything for
 * the run and one page fence for the single page, no shootdown; -EEXIST
 * for the third, with pages 98, 99 and 101 unmapped and page 100 still
 * on its frame; the contended call waits its turn and maps its run; no
 * spinlock BUG line and exact counters throughout.
 */
static void map_pages_fast_path_in_one_table(struct ktest *t)
{
	struct contender run = { false, REGION_A + 40 * PAGE_SIZE, -1, 4,
				 false };
	const vaddr_t va = REGION_A + 10 * PAGE_SIZE;
	unsigned long bugs = spin_bug_count();
	paddr_t pa[4], got;

	KTEST_ASSERT(t, fx_setup());
	KTEST_EXPECT_EQ(t,
			pt_map_page(&pt, REGION_A + 100 * PAGE_SIZE,
				    FRAME + SZ_1M, PROT),
			0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 3);
	for (size_t i = 0; i < 4; i++)
		pa[i] = FRAME + i * PAGE_SIZE;

	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, va, pa, 4, PROT), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flush_alls, 1);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
	for (size_t i = 0; i < 4; i++) {
		got = 0;
		KTEST_EXPECT_EQ(
			t, pt_lookup(&pt, va + i * PAGE_SIZE, &got, NULL, NULL),
			0);
		KTEST_EXPECT_EQ(t, got, pa[i]);
	}
	KTEST_EXPECT_EQ(t, pt.table_pages, 3);
	expect_consistent(t);

	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(
		t, pt_map_pages(&pt, REGION_A + 20 * PAGE_SIZE, pa, 1, PROT),
		0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 1);
	KTEST_EXPECT(t, host_arch_tlb_was_flushed(REGION_A + 20 * PAGE_SIZE));
	KTEST_EXPECT_EQ(t, host_arch_tlb_flush_alls, 0);
	expect_consistent(t);

	KTEST_EXPECT_EQ(
		t, pt_map_pages(&pt, REGION_A + 98 * PAGE_SIZE, pa, 4, PROT),
		-EEXIST);
	KTEST_EXPECT(t, !is_mapped(REGION_A + 98 * PAGE_SIZE));
	KTEST_EXPECT(t, !is_mapped(REGION_A + 99 * PAGE_SIZE));
	KTEST_EXPECT(t, !is_mapped(REGION_A + 101 * PAGE_SIZE));
	got = 0;
	KTEST_EXPECT_EQ(
		t, pt_lookup(&pt, REGION_A + 100 * PAGE_SIZE, &got, NULL, NULL),
		0);
	KTEST_EXPECT_EQ(t, got, FRAME + SZ_1M);
	expect_consistent(t);

	run_contended(t, &run);
	KTEST_EXPECT_EQ(t, run.ret, 0);
	for (size_t i = 0; i < 4; i++)
		KTEST_EXPECT(t, is_mapped(run.va + i * PAGE_SIZE));
	KTEST_EXPECT(t, !spin_is_locked(&pt.lock));
	KTEST_EXPECT_EQ(t, spin_bug_count(), bugs);
	expect_consistent(t);
	fx_teardown(t);
}

/*
 * Scenario: pages 0..9 of region A mapped; into one gather, unmap pages
 * 2..5 (the fast path: the hint's table, every entry a leaf, the table
 * keeps others), then pages 1..3 (2 and 3 are already empty: the
 * general path), then pages 0..9 (what is left: the table empties).
 * Expect 0 each time; after the first, pages 2..5 unmapped, 0, 1 and
 * 6..9 still mapped, the gather spanning exactly pages 2..5 with no
 * table held and no fence yet; after the second, the gather starting at
 * page 1; then pages 6 and 7 unmapped into a gather of their own on a
 * second thread while the main thread holds the table lock (it waits
 * its turn); after the third, the level-0 and level-1 tables held in
 * the gather (unlinked); its finish one shootdown of everything,
 * leaving only the root. Counters exact throughout.
 */
static void unmap_gather_fast_path(struct ktest *t)
{
	struct contender run = { false, REGION_A + 6 * PAGE_SIZE, -1, 2, true };
	paddr_t pa[10];
	struct pt_gather g;

	KTEST_ASSERT(t, fx_setup());
	for (size_t i = 0; i < 10; i++)
		pa[i] = FRAME + i * PAGE_SIZE;
	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, REGION_A, pa, 10, PROT), 0);
	host_arch_tlb_reset();
	pt_gather_init(&g, &pt);

	KTEST_EXPECT_EQ(
		t, pt_unmap_gather(&g, REGION_A + 2 * PAGE_SIZE, 4 * PAGE_SIZE),
		0);
	for (size_t i = 0; i < 10; i++)
		KTEST_EXPECT_EQ(t, is_mapped(REGION_A + i * PAGE_SIZE),
				i < 2 || i > 5);
	KTEST_EXPECT_EQ(t, g.first, REGION_A + 2 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, g.last, REGION_A + 5 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, g.nr_tables, 0);
	KTEST_EXPECT(t, !g.flush_all);
	KTEST_EXPECT_EQ(t,
			host_arch_tlb_shootdowns + host_arch_tlb_flushes +
				host_arch_tlb_flush_alls,
			0);
	expect_consistent(t);

	KTEST_EXPECT_EQ(
		t, pt_unmap_gather(&g, REGION_A + PAGE_SIZE, 3 * PAGE_SIZE), 0);
	KTEST_EXPECT(t, !is_mapped(REGION_A + PAGE_SIZE));
	KTEST_EXPECT_EQ(t, g.first, REGION_A + PAGE_SIZE);
	KTEST_EXPECT_EQ(t, g.last, REGION_A + 5 * PAGE_SIZE);
	expect_consistent(t);

	run_contended(t, &run);
	KTEST_EXPECT_EQ(t, run.ret, 0);
	KTEST_EXPECT(t, !is_mapped(REGION_A + 6 * PAGE_SIZE));
	KTEST_EXPECT(t, !is_mapped(REGION_A + 7 * PAGE_SIZE));
	KTEST_EXPECT(t, is_mapped(REGION_A + 8 * PAGE_SIZE));
	expect_consistent(t);

	KTEST_EXPECT_EQ(t, pt_unmap_gather(&g, REGION_A, 10 * PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, g.nr_tables, 2);
	KTEST_EXPECT(t, g.flush_all);
	pt_gather_finish(&g);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdown_alls, 1);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
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
	KTEST_CASE(map_page_rejects_every_bad_prot),
	KTEST_CASE(hint_count_written_back),
	KTEST_CASE(fast_paths_wait_for_the_lock),
	KTEST_CASE(map_pages_fast_path_in_one_table),
	KTEST_CASE(unmap_gather_fast_path),
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
