// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of mm/pgtable.c: leaf-size choice, lookups at boundaries,
 * refusal to remap and rollback on -ENOMEM (tables compared byte for
 * byte), freeing of emptied tables, splitting, upper-half addresses, TLB
 * fences (local after a map; one shootdown per unmap or protect call,
 * and per gather; table pages freed only after it), pt_check() catching
 * corruption, and a randomized run against a simple model. pt_check()
 * runs after every step.
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
#define POOL_PAGES 4096UL

/* The tree under test and the pool its tables come from. */
static struct host_pt_pool pool;
static struct pgtable pt;

static bool fx_setup(void)
{
	host_phys_init(PHYS_BASE, POOL_PAGES * PAGE_SIZE);
	host_pt_pool_init(&pool, PHYS_BASE, POOL_PAGES);
	host_arch_tlb_reset();
	return pt_init(&pt, &pool.ops) == 0;
}

/* Destroy the tree; expect every table page back and no bad free. */
static void fx_teardown(struct ktest *t)
{
	pt_destroy(&pt);
	KTEST_EXPECT_EQ(t, pt.table_pages, 0);
	KTEST_EXPECT_EQ(t, pool.in_use, 0);
	KTEST_EXPECT_EQ(t, pool.bad_frees, 0);
	host_pt_pool_fini(&pool);
	host_phys_fini();
}

#define FX_SETUP(t) KTEST_ASSERT(t, fx_setup())
/* pt_check alone: a gather may still hold pool pages. */
#define EXPECT_CHECK_TREE(t) KTEST_EXPECT_EQ(t, pt_check(&pt), 0)
#define EXPECT_CHECK(t)                                                        \
	do {                                                                   \
		KTEST_EXPECT_EQ(t, pt_check(&pt), 0);                          \
		KTEST_EXPECT_EQ(t, pt.table_pages, pool.in_use);               \
	} while (0)

/* Expect shootdown number i since the reset to be of [va, va + size). */
#define expect_shootdown(t, i, va, size)                                       \
	do {                                                                   \
		vaddr_t _sva = ~0UL;                                           \
		size_t _ssize = 0;                                             \
		KTEST_EXPECT(t,                                                \
			     host_arch_tlb_shootdown_at(i, &_sva, &_ssize));   \
		KTEST_EXPECT_EQ(t, _sva, va);                                  \
		KTEST_EXPECT_EQ(t, _ssize, size);                              \
	} while (0)

/* ---------------------------------------------------------- leaf dumps */

struct leaf {
	vaddr_t va;
	paddr_t pa;
	size_t size;
	unsigned int prot;
};

struct dump {
	struct leaf *l;
	size_t n, cap;
};

static void dump_add(struct dump *d, struct leaf l)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->l = realloc(d->l, d->cap * sizeof(*d->l));
		if (!d->l)
			abort();
	}
	d->l[d->n++] = l;
}

static int dump_cb(void *arg, vaddr_t va, paddr_t pa, size_t size,
		   unsigned int prot)
{
	dump_add(arg, (struct leaf){ va, pa, size, prot });
	return 0;
}

static void dump_take(struct dump *d)
{
	d->n = 0;
	pt_walk(&pt, dump_cb, d);
}

static void dump_free(struct dump *d)
{
	free(d->l);
	memset(d, 0, sizeof(*d));
}

/* Leaves must be in strictly increasing, non-overlapping address order. */
static bool dump_is_ordered(const struct dump *d)
{
	for (size_t i = 1; i < d->n; i++)
		if (d->l[i].va < d->l[i - 1].va + d->l[i - 1].size)
			return false;
	return true;
}

/* Expect the walk to report exactly the leaves in want[]. */
static void expect_leaves(struct ktest *t, const struct leaf *want, size_t n)
{
	struct dump d = { 0 };

	dump_take(&d);
	KTEST_EXPECT_EQ(t, d.n, n);
	for (size_t i = 0; i < n && i < d.n; i++) {
		KTEST_EXPECT_EQ(t, d.l[i].va, want[i].va);
		KTEST_EXPECT_EQ(t, d.l[i].pa, want[i].pa);
		KTEST_EXPECT_EQ(t, d.l[i].size, want[i].size);
		KTEST_EXPECT_EQ(t, d.l[i].prot, want[i].prot);
	}
	dump_free(&d);
}

/* -------------------------------------------- byte-exact table snapshot */

/*
 * The pool's allocation map and the bytes of every table page in use
 * (in pool order), plus pt's root and count.
 */
struct snap {
	paddr_t root;
	size_t table_pages;
	unsigned char *used;
	unsigned char *mem;
};

static void snap_take(struct snap *s)
{
	size_t n = 0;

	s->root = pt.root;
	s->table_pages = pt.table_pages;
	s->used = malloc(pool.npages);
	s->mem = malloc(pool.in_use * PAGE_SIZE + 1);
	if (!s->used || !s->mem)
		abort();
	memcpy(s->used, pool.used, pool.npages);
	for (size_t i = 0; i < pool.npages; i++)
		if (pool.used[i])
			memcpy(s->mem + n++ * PAGE_SIZE,
			       phys_to_virt(pool.base + i * PAGE_SIZE),
			       PAGE_SIZE);
}

static bool snap_equal(const struct snap *s)
{
	size_t n = 0;

	if (s->root != pt.root || s->table_pages != pt.table_pages ||
	    memcmp(s->used, pool.used, pool.npages))
		return false;
	for (size_t i = 0; i < pool.npages; i++)
		if (pool.used[i] &&
		    memcmp(s->mem + n++ * PAGE_SIZE,
			   phys_to_virt(pool.base + i * PAGE_SIZE), PAGE_SIZE))
			return false;
	return true;
}

static void snap_free(struct snap *s)
{
	free(s->used);
	free(s->mem);
}

/*
 * Expect va to translate to pa with prot through a leaf of leaf_size
 * (0: any size).
 */
static void expect_lookup(struct ktest *t, vaddr_t va, paddr_t pa,
			  unsigned int prot, size_t leaf_size)
{
	paddr_t got_pa = 0;
	unsigned int got_prot = 0;
	size_t got_size = 0;

	KTEST_EXPECT_EQ(t, pt_lookup(&pt, va, &got_pa, &got_prot, &got_size),
			0);
	KTEST_EXPECT_EQ(t, got_pa, pa);
	KTEST_EXPECT_EQ(t, got_prot, prot);
	if (leaf_size)
		KTEST_EXPECT_EQ(t, got_size, leaf_size);
}

static void expect_unmapped(struct ktest *t, vaddr_t va)
{
	KTEST_EXPECT_EQ(t, pt_lookup(&pt, va, NULL, NULL, NULL), -ENOENT);
}

/* ---------------------------------------------------------------- cases */

/* Scenario: a fresh tree. Expect one table page, no leaves, lookups
 * -ENOENT, and pt_destroy giving the root back. */
static void pt_init_empty(struct ktest *t)
{
	struct dump d = { 0 };

	FX_SETUP(t);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	KTEST_EXPECT_EQ(t, pool.in_use, 1);
	dump_take(&d);
	KTEST_EXPECT_EQ(t, d.n, 0);
	dump_free(&d);
	expect_unmapped(t, 0);
	expect_unmapped(t, 0xffffffff80000000UL);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/* Scenario: pt_init with an allocator that has nothing. Expect -ENOMEM
 * and no table counted. */
static void pt_init_nomem(struct ktest *t)
{
	struct pgtable p2;

	FX_SETUP(t);
	pool.fail_after = 0;
	KTEST_EXPECT_EQ(t, pt_init(&p2, &pool.ops), -ENOMEM);
	KTEST_EXPECT_EQ(t, p2.table_pages, 0);
	pool.fail_after = HOST_PT_POOL_NEVER_FAIL;
	fx_teardown(t);
}

/* Scenario: map one page, first with no tables, then a neighbour with
 * tables present. Expect 4 KiB leaves, offsets preserved by lookup,
 * three table pages, the new page fenced each time and a full fence only
 * when tables were linked. */
static void pt_map_one_page(struct ktest *t)
{
	const vaddr_t va = 0x12345000UL;

	FX_SETUP(t);
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, va, 0x9000000UL, PROT_RW), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 3);
	KTEST_EXPECT(t, host_arch_tlb_was_flushed(va));
	KTEST_EXPECT_EQ(t, host_arch_tlb_flush_alls, 1);
	expect_lookup(t, va, 0x9000000UL, PROT_RW, PAGE_SIZE);
	expect_lookup(t, va + 0xabc, 0x9000abcUL, PROT_RW, PAGE_SIZE);
	expect_lookup(t, va + 0xfff, 0x9000fffUL, PROT_RW, PAGE_SIZE);
	expect_unmapped(t, va - 1);
	expect_unmapped(t, va + PAGE_SIZE);

	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(
		t, pt_map(&pt, va + PAGE_SIZE, 0x7000UL, PAGE_SIZE, PROT_READ),
		0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 1);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flush_alls, 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 3);
	expect_lookup(t, va + PAGE_SIZE + 8, 0x7008UL, PROT_READ, PAGE_SIZE);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: one range from 8 KiB below a 2 MiB boundary, across a whole
 * 2 MiB block, a whole 1 GiB block, another 2 MiB block and one page,
 * with pa congruent to va modulo 1 GiB. Expect leaves of 4K, 4K, 2M, 1G,
 * 2M, 4K in that order, five table pages, and correct lookups at the
 * first and last byte of each leaf and -ENOENT just outside the range.
 */
static void pt_map_mixed_leaf_sizes(struct ktest *t)
{
	const vaddr_t va = SZ_1G - SZ_2M - 2 * SZ_4K;
	const paddr_t delta = 2 * SZ_1G;
	const size_t size = 2 * SZ_4K + SZ_2M + SZ_1G + SZ_2M + SZ_4K;
	const struct leaf want[] = {
		{ va, va + delta, SZ_4K, PROT_RX },
		{ va + SZ_4K, va + SZ_4K + delta, SZ_4K, PROT_RX },
		{ SZ_1G - SZ_2M, SZ_1G - SZ_2M + delta, SZ_2M, PROT_RX },
		{ SZ_1G, SZ_1G + delta, SZ_1G, PROT_RX },
		{ 2 * SZ_1G, 2 * SZ_1G + delta, SZ_2M, PROT_RX },
		{ 2 * SZ_1G + SZ_2M, 2 * SZ_1G + SZ_2M + delta, SZ_4K,
		  PROT_RX },
	};

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map(&pt, va, va + delta, size, PROT_RX), 0);
	expect_leaves(t, want, ARRAY_SIZE(want));
	/* root, L1 and L0 for GiB 0, L1 and L0 for GiB 2 */
	KTEST_EXPECT_EQ(t, pt.table_pages, 5);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const struct leaf *l = &want[i];

		expect_lookup(t, l->va, l->pa, l->prot, l->size);
		expect_lookup(t, l->va + l->size - 1, l->pa + l->size - 1,
			      l->prot, l->size);
	}
	expect_unmapped(t, va - 1);
	expect_unmapped(t, va + size);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: the same 1 GiB-aligned va range mapped to a pa that is only
 * 2 MiB-aligned, then a 4 MiB range to a pa only 4 KiB-aligned. Expect
 * 512 leaves of 2 MiB and then 1024 leaves of 4 KiB: alignment of both
 * addresses limits the leaf size.
 */
static void pt_map_pa_alignment_limits_leaf(struct ktest *t)
{
	struct dump d = { 0 };
	size_t n2m = 0, n4k = 0;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(
		t, pt_map(&pt, SZ_1G, 4 * SZ_1G + SZ_2M, SZ_1G, PROT_RW), 0);
	KTEST_ASSERT_EQ(
		t,
		pt_map(&pt, 4 * SZ_1G, 8 * SZ_1G + SZ_4K, 4 * SZ_1M, PROT_RW),
		0);
	dump_take(&d);
	KTEST_EXPECT(t, dump_is_ordered(&d));
	for (size_t i = 0; i < d.n; i++) {
		n2m += d.l[i].size == SZ_2M;
		n4k += d.l[i].size == SZ_4K;
	}
	KTEST_EXPECT_EQ(t, n2m, 512);
	KTEST_EXPECT_EQ(t, n4k, 1024);
	KTEST_EXPECT_EQ(t, d.n, 512 + 1024);
	expect_lookup(t, SZ_1G + SZ_2M + 5, 4 * SZ_1G + 2 * SZ_2M + 5, PROT_RW,
		      SZ_2M);
	expect_lookup(t, 4 * SZ_1G + 4 * SZ_1M - 1,
		      8 * SZ_1G + SZ_4K + 4 * SZ_1M - 1, PROT_RW, SZ_4K);
	dump_free(&d);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: pages straddling a 2 MiB boundary, a 2 MiB leaf and a 1 GiB
 * leaf are mapped; then overlapping maps of many shapes are attempted,
 * some of which map hundreds of pages before meeting the overlap.
 * Expect -EEXIST every time with the table pages identical byte for
 * byte and the pool's allocation map unchanged.
 */
static void pt_map_refuses_overlap(struct ktest *t)
{
	const vaddr_t a = SZ_1G + SZ_2M - 2 * SZ_4K; /* 4 pages */
	const vaddr_t b = SZ_1G + 2 * SZ_2M; /* one 2 MiB leaf */
	const vaddr_t c = 3 * SZ_1G; /* one 1 GiB leaf */
	const struct {
		vaddr_t va;
		paddr_t pa;
		size_t size;
	} tries[] = {
		{ a, 0x100000000UL, 4 * SZ_4K }, /* same */
		{ a - 2 * SZ_4K, 0x100000000UL, 3 * SZ_4K }, /* tail hits */
		{ a + 3 * SZ_4K, 0x100000000UL, 4 * SZ_4K }, /* head hits */
		{ SZ_1G, 0x100001000UL, SZ_2M + SZ_4K }, /* 510 first */
		{ SZ_1G, 0x100000000UL, 2 * SZ_2M }, /* 2M on table */
		{ b + 5 * SZ_4K, 0x100000000UL, SZ_4K }, /* in 2M leaf */
		{ b - SZ_4K, 0x100000000UL, 2 * SZ_4K }, /* edge of 2M */
		{ c + SZ_1G - SZ_4K, 0x100000000UL, SZ_4K }, /* in 1G leaf */
		{ c + SZ_2M, 0x100000000UL, SZ_2M }, /* 2M in 1G */
		{ c - SZ_2M, 0x100000000UL, 2 * SZ_2M }, /* into 1G */
		{ SZ_1G, 0x100000000UL, SZ_1G }, /* 1G on table */
		{ 2 * SZ_1G, 0x100000000UL, 2 * SZ_1G }, /* 1G, then 1G */
	};
	struct snap s;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map(&pt, a, 0x200000000UL, 4 * SZ_4K, PROT_RW),
			0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, b, 0x200200000UL, SZ_2M, PROT_RW), 0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, c, 0x240000000UL, SZ_1G, PROT_RW), 0);
	snap_take(&s);
	for (size_t i = 0; i < ARRAY_SIZE(tries); i++) {
		int err = pt_map(&pt, tries[i].va, tries[i].pa, tries[i].size,
				 PROT_READ);

		if (err != -EEXIST || !snap_equal(&s))
			ktest_info(t, "try %zu va 0x%lx size 0x%zx: %d", i,
				   (unsigned long)tries[i].va, tries[i].size,
				   err);
		KTEST_EXPECT_EQ(t, err, -EEXIST);
		KTEST_EXPECT(t, snap_equal(&s));
		EXPECT_CHECK(t);
	}
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, a + SZ_4K, 0x5000, PROT_RW),
			-EEXIST);
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, b + SZ_4K, 0x5000, PROT_RW),
			-EEXIST);
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, c + SZ_4K, 0x5000, PROT_RW),
			-EEXIST);
	KTEST_EXPECT(t, snap_equal(&s));
	snap_free(&s);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: a mixed range needing six new table pages is mapped into a
 * tree that already has mappings, with the allocator failing after 0, 1,
 * 2, ... pages. Expect -ENOMEM with the tables identical byte for byte
 * until enough pages are allowed, then success; unmapping it afterwards
 * restores the original tables exactly.
 */
static void pt_map_nomem_rolls_back(struct ktest *t)
{
	const vaddr_t va = SZ_1G - SZ_2M - 3 * SZ_4K;
	const size_t size = 3 * SZ_4K + SZ_2M + SZ_1G + SZ_2M + 5 * SZ_4K;
	struct snap s;
	unsigned long n;
	int err = -ENOMEM;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map(&pt, 16 * SZ_1G, 0x1000, 3 * SZ_4K, PROT_RW),
			0);
	KTEST_ASSERT_EQ(t,
			pt_map(&pt, 0xffffffff80000000UL, 0x80000000UL,
			       SZ_2M + SZ_4K, PROT_RX),
			0);
	snap_take(&s);
	for (n = 0; n < 16; n++) {
		pool.fail_after = n;
		err = pt_map(&pt, va, va + 4 * SZ_1G, size, PROT_RW);
		pool.fail_after = HOST_PT_POOL_NEVER_FAIL;
		if (err != -ENOMEM)
			break;
		KTEST_EXPECT(t, snap_equal(&s));
		EXPECT_CHECK(t);
	}
	KTEST_EXPECT_EQ(t, err, 0);
	/* GiB 0 needs L1 + L0, GiB 2 needs L1 + L0 */
	KTEST_EXPECT_EQ(t, n, 4);
	expect_lookup(t, va, va + 4 * SZ_1G, PROT_RW, SZ_4K);
	expect_lookup(t, va + size - 1, va + size - 1 + 4 * SZ_1G, PROT_RW,
		      SZ_4K);
	EXPECT_CHECK(t);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va, size), 0);
	KTEST_EXPECT(t, snap_equal(&s));
	snap_free(&s);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: pages in four different GiBs of both halves, unmapped one at
 * a time through pt_unmap_page, pt_unmap of one page and pt_unmap of a
 * range. Expect the table count to fall as tables empty and end at 1
 * (the root), with every pool page but the root returned.
 */
static void pt_unmap_frees_tables(struct ktest *t)
{
	const vaddr_t vas[] = { 0x1000, 5 * SZ_1G + SZ_2M,
				0xffffffc000000000UL + 7 * SZ_4K,
				0xffffffffbfe00000UL };
	const pte_t *root;

	FX_SETUP(t);
	for (size_t i = 0; i < ARRAY_SIZE(vas); i++)
		KTEST_ASSERT_EQ(
			t,
			pt_map(&pt, vas[i], 0x40000000UL, 2 * SZ_4K, PROT_RW),
			0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1 + 4 * 2);
	EXPECT_CHECK(t);

	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, vas[0]), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 9); /* neighbour keeps them */
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdown_alls, 0);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, vas[0] + SZ_4K), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 7);
	/* Two tables unlinked: one shootdown of everything. */
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 2);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdown_alls, 1);
	KTEST_EXPECT_EQ(t, pool.in_use, 7);
	EXPECT_CHECK(t);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, vas[1], SZ_4K), 0);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, vas[1] + SZ_4K, SZ_4K), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 5);
	EXPECT_CHECK(t);
	/* one range over both upper-half mappings and the hole between */
	KTEST_EXPECT_EQ(t,
			pt_unmap(&pt, 0xffffffc000000000UL,
				 0xffffffffc0000000UL - 0xffffffc000000000UL),
			0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	KTEST_EXPECT_EQ(t, pool.in_use, 1);
	root = phys_to_virt(pt.root);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		KTEST_EXPECT_EQ(t, root[i], 0);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: a 1 GiB leaf loses one page from its middle. Expect it split
 * into 511 leaves of 2 MiB and 511 of 4 KiB with the same translation
 * and protection, three table pages, the hole -ENOENT; unmapping the
 * rest frees every table.
 */
static void pt_unmap_splits_gigapage(struct ktest *t)
{
	const vaddr_t va = 2 * SZ_1G, hole = va + 300 * SZ_2M + 17 * SZ_4K;
	const paddr_t pa = 5 * SZ_1G;
	struct dump d = { 0 };
	size_t n2m = 0, n4k = 0;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map(&pt, va, pa, SZ_1G, PROT_RW | PROT_GLOBAL),
			0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, hole, SZ_4K), 0);
	KTEST_EXPECT(t, host_arch_tlb_was_flushed(hole));
	/* The split keeps translations: just the hole is shot down. */
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	expect_shootdown(t, 0, hole, SZ_4K);
	KTEST_EXPECT_EQ(t, pt.table_pages, 3);
	expect_unmapped(t, hole);
	expect_lookup(t, hole - 1, pa + (hole - va) - 1, PROT_RW | PROT_GLOBAL,
		      SZ_4K);
	expect_lookup(t, hole + SZ_4K, pa + (hole - va) + SZ_4K,
		      PROT_RW | PROT_GLOBAL, SZ_4K);
	expect_lookup(t, va, pa, PROT_RW | PROT_GLOBAL, SZ_2M);
	expect_lookup(t, va + SZ_1G - 1, pa + SZ_1G - 1, PROT_RW | PROT_GLOBAL,
		      SZ_2M);
	dump_take(&d);
	for (size_t i = 0; i < d.n; i++) {
		n2m += d.l[i].size == SZ_2M;
		n4k += d.l[i].size == SZ_4K;
		KTEST_EXPECT_EQ(t, d.l[i].pa, pa + (d.l[i].va - va));
	}
	KTEST_EXPECT_EQ(t, n2m, 511);
	KTEST_EXPECT_EQ(t, n4k, 511);
	dump_free(&d);
	EXPECT_CHECK(t);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va, SZ_1G), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: unmapping part of a 2 MiB leaf (through pt_unmap_page and
 * pt_unmap) when the split cannot get a table page. Expect -ENOMEM and
 * the tables byte-identical, then success once memory is back.
 */
static void pt_unmap_split_nomem(struct ktest *t)
{
	const vaddr_t va = 0xffffffff80000000UL;
	struct snap s;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map(&pt, va, 0x80000000UL, SZ_2M, PROT_RX), 0);
	snap_take(&s);
	pool.fail_after = 0;
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, va + SZ_4K), -ENOMEM);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va + SZ_4K, 3 * SZ_4K), -ENOMEM);
	KTEST_EXPECT_EQ(t, pt_protect(&pt, va, SZ_4K, PROT_READ), -ENOMEM);
	pool.fail_after = HOST_PT_POOL_NEVER_FAIL;
	KTEST_EXPECT(t, snap_equal(&s));
	EXPECT_CHECK(t);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, va + SZ_4K), 0);
	expect_unmapped(t, va + SZ_4K);
	expect_lookup(t, va, 0x80000000UL, PROT_RX, SZ_4K);
	snap_free(&s);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: pt_unmap_page on pages that are not mapped (no tables, table
 * present, hole in a table) and pt_unmap over them. Expect -ENOENT from
 * pt_unmap_page, 0 from pt_unmap, and no change.
 */
static void pt_unmap_unmapped(struct ktest *t)
{
	struct snap s;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map_page(&pt, 0x200000UL, 0x1000, PROT_READ), 0);
	snap_take(&s);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, 0x40000000UL), -ENOENT);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, 0x400000UL), -ENOENT);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, 0x201000UL), -ENOENT);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, 0x201000UL, SZ_4K), 0);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, 0x201000UL, SZ_1G), 0);
	KTEST_EXPECT(t, snap_equal(&s));
	snap_free(&s);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: protect two pages inside a 2 MiB leaf read-only, then one
 * 2 MiB block inside a 1 GiB leaf read+exec. Expect the large leaves
 * split only as far as needed and the new protection on exactly the
 * range; protecting a range with a hole is refused with -ENOENT and no
 * change.
 */
static void pt_protect_splits(struct ktest *t)
{
	const vaddr_t a = 0x40000000UL, g = 0x80000000UL;
	struct snap s;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map(&pt, a, 0x10000000UL, SZ_2M, PROT_RW), 0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, g, 0x100000000UL, SZ_1G, PROT_RW), 0);

	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_protect(&pt, a + SZ_4K, 2 * SZ_4K, PROT_READ), 0);
	KTEST_EXPECT(t, host_arch_tlb_was_flushed(a + SZ_4K));
	KTEST_EXPECT(t, host_arch_tlb_was_flushed(a + 2 * SZ_4K));
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	expect_shootdown(t, 0, a + SZ_4K, 2 * SZ_4K);
	expect_lookup(t, a, 0x10000000UL, PROT_RW, SZ_4K);
	expect_lookup(t, a + SZ_4K, 0x10001000UL, PROT_READ, SZ_4K);
	expect_lookup(t, a + 3 * SZ_4K - 1, 0x10003000UL - 1, PROT_READ, SZ_4K);
	expect_lookup(t, a + 3 * SZ_4K, 0x10003000UL, PROT_RW, SZ_4K);
	expect_lookup(t, a + SZ_2M - 1, 0x10000000UL + SZ_2M - 1, PROT_RW,
		      SZ_4K);

	KTEST_EXPECT_EQ(t, pt_protect(&pt, g + SZ_2M, SZ_2M, PROT_RX), 0);
	expect_lookup(t, g, 0x100000000UL, PROT_RW, SZ_2M);
	expect_lookup(t, g + SZ_2M + 7, 0x100200007UL, PROT_RX, SZ_2M);
	expect_lookup(t, g + 2 * SZ_2M, 0x100400000UL, PROT_RW, SZ_2M);
	/* root, L1 for GiB 1 + L0 for the split 2M, L1 for GiB 2 */
	KTEST_EXPECT_EQ(t, pt.table_pages, 4);
	EXPECT_CHECK(t);

	snap_take(&s);
	KTEST_EXPECT_EQ(
		t, pt_protect(&pt, a + SZ_2M - SZ_4K, 2 * SZ_4K, PROT_READ),
		-ENOENT);
	KTEST_EXPECT_EQ(t, pt_protect(&pt, g - SZ_4K, SZ_2M, PROT_READ),
			-ENOENT);
	KTEST_EXPECT(t, snap_equal(&s));
	snap_free(&s);

	/* Same protection again: nothing to fence. */
	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_protect(&pt, g, SZ_2M, PROT_RW), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: arguments every call must refuse: misaligned va/pa/size,
 * size 0, non-canonical va, a range crossing the canonical hole or
 * wrapping, pa beyond 56 bits, protections without READ/EXEC, WRITE
 * without READ or unknown bits. Expect -EINVAL and no table allocated.
 */
static void pt_rejects_bad_arguments(struct ktest *t)
{
	FX_SETUP(t);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x1800, 0x2000, SZ_4K, PROT_RW),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0x2800, 2 * SZ_4K, PROT_RW),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0x2000, 0x1800, PROT_RW),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0x2000, 0, PROT_RW), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x4000000000UL, 0, SZ_4K, PROT_RW),
			-EINVAL);
	KTEST_EXPECT_EQ(
		t, pt_map(&pt, 0xffffff8000000000UL, 0, 2 * SZ_4K, PROT_RW),
		-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x3ffffff000UL, 0, 2 * SZ_4K, PROT_RW),
			-EINVAL);
	KTEST_EXPECT_EQ(
		t, pt_map(&pt, 0xfffffffffffff000UL, 0, 2 * SZ_4K, PROT_RW),
		-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x1000, 1UL << 56, SZ_4K, PROT_RW),
			-EINVAL);
	KTEST_EXPECT_EQ(
		t, pt_map(&pt, 0x1000, (1UL << 56) - SZ_4K, 2 * SZ_4K, PROT_RW),
		-EINVAL);
	KTEST_EXPECT_EQ(
		t, pt_map(&pt, 0x1000, ~0UL & PAGE_MASK, 2 * SZ_4K, PROT_RW),
		-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0, SZ_4K, 0), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0, 2 * SZ_4K, PROT_WRITE),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0, SZ_4K, PROT_GLOBAL), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0, SZ_4K, PROT_READ | 0x100),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, 0x1001, 0, PROT_READ), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, 0x1000, 1UL << 60, PROT_READ),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, 0x8000000000UL, 0, PROT_READ),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);

	KTEST_EXPECT_EQ(t, pt_unmap(&pt, 0x1001, SZ_4K), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, 0x1000, 0), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, 0x1000, 0x10), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, 0x4000000000UL, 2 * SZ_4K), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, 0x4000000000UL), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, 0x10), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_protect(&pt, 0x1000, SZ_4K, PROT_WRITE), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_protect(&pt, 0x1000, 0, PROT_READ), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_protect(&pt, 0x1200, SZ_4K, PROT_READ), -EINVAL);
	KTEST_EXPECT_EQ(t, pt_lookup(&pt, 0x4000000000UL, NULL, NULL, NULL),
			-EINVAL);
	KTEST_EXPECT_EQ(t,
			pt_lookup(&pt, 0xffffff8000000000UL, NULL, NULL, NULL),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	KTEST_EXPECT_EQ(t, pool.in_use, 1);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: the kernel's upper half: a 1 GiB leaf at VMALLOC_START's
 * address 0xffffffc000000000, two 2 MiB leaves at 0xffffffff80000000,
 * and the last two pages of the address space (ending at 2^64), plus
 * a lower-half page. Expect the walk in address order with upper-half
 * addresses sign-extended, lookups with offsets, and unmapping up to
 * 2^64 working.
 */
static void pt_upper_half(struct ktest *t)
{
	const struct leaf want[] = {
		{ 0x1000, 0x5000, SZ_4K, PROT_READ },
		{ 0xffffffc000000000UL, 0x80000000UL, SZ_1G, PROT_RW },
		{ 0xffffffff80000000UL, 0x80200000UL, SZ_2M, PROT_RX },
		{ 0xffffffff80200000UL, 0x80400000UL, SZ_2M, PROT_RX },
		{ 0xffffffffffffe000UL, 0x10000000UL, SZ_4K, PROT_RW },
		{ 0xfffffffffffff000UL, 0x10001000UL, SZ_4K, PROT_RW },
	};

	FX_SETUP(t);
	KTEST_ASSERT_EQ(
		t,
		pt_map(&pt, 0xffffffc000000000UL, 0x80000000UL, SZ_1G, PROT_RW),
		0);
	KTEST_ASSERT_EQ(t,
			pt_map(&pt, 0xffffffff80000000UL, 0x80200000UL,
			       2 * SZ_2M, PROT_RX),
			0);
	KTEST_ASSERT_EQ(t,
			pt_map(&pt, 0xffffffffffffe000UL, 0x10000000UL,
			       2 * SZ_4K, PROT_RW),
			0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, 0x1000, 0x5000, SZ_4K, PROT_READ), 0);
	expect_leaves(t, want, ARRAY_SIZE(want));
	expect_lookup(t, 0xffffffc012345678UL, 0x92345678UL, PROT_RW, SZ_1G);
	expect_lookup(t, 0xffffffff80312345UL, 0x80512345UL, PROT_RX, SZ_2M);
	expect_lookup(t, 0xffffffffffffffffUL, 0x10001fffUL, PROT_RW, SZ_4K);
	expect_unmapped(t, 0xffffffffbfffffffUL);
	EXPECT_CHECK(t);

	KTEST_EXPECT_EQ(t, pt_unmap(&pt, 0xffffffffffffe000UL, 2 * SZ_4K), 0);
	expect_unmapped(t, 0xffffffffffffe000UL);
	expect_unmapped(t, 0xfffffffffffff000UL);
	KTEST_EXPECT_EQ(
		t,
		pt_unmap(&pt, 0xffffffc000000000UL, 0UL - 0xffffffc000000000UL),
		0);
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, 0, 1UL << 38), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: unmapping two pages whose table stays in use, then 100
 * pages, then one page, then the rest of the table; then a map with
 * tables present. Expect no local fence for any unmap but exactly one
 * shootdown per call: of exactly the two pages; of everything (100
 * pages is past the 64-page limit); of the one page; of everything
 * (a table pointer was cleared). The map fences its page on this hart
 * only, with no shootdown.
 */
static void pt_tlb_fences(struct ktest *t)
{
	const vaddr_t va = 0x40000000UL;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map(&pt, va, 0x1000000UL, 128 * SZ_4K, PROT_RW),
			0);
	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va + SZ_4K, 2 * SZ_4K), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flush_alls, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	expect_shootdown(t, 0, va + SZ_4K, 2 * SZ_4K);
	KTEST_EXPECT(t, !host_arch_tlb_was_flushed(va));

	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va + 10 * SZ_4K, 100 * SZ_4K), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	expect_shootdown(t, 0, 0, TLB_FLUSH_ALL);

	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, va + 5 * SZ_4K), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	expect_shootdown(t, 0, va + 5 * SZ_4K, SZ_4K);
	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va, SZ_2M), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdown_alls, 1);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	/* Nothing mapped there any more: no shootdown at all. */
	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va, SZ_2M), 0);
	KTEST_EXPECT_EQ(t, pt_unmap_page(&pt, va), -ENOENT);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);

	/* Mapping with tables present fences just the page, locally. */
	KTEST_ASSERT_EQ(t, pt_map_page(&pt, va, 0x1000, PROT_RW), 0);
	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_map_page(&pt, va + SZ_4K, 0x1000, PROT_RW), 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 1);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flush_alls, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
	KTEST_EXPECT(t, host_arch_tlb_was_flushed(va + SZ_4K));
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/* What the pool had handed out and taken back when a shootdown ran. */
static size_t hook_in_use = ~0UL;
static unsigned long hook_frees = ~0UL;

static void record_pool_at_shootdown(vaddr_t va, size_t size)
{
	hook_in_use = pool.in_use;
	hook_frees = pool.frees;
}

/*
 * Scenario: 64 MiB mapped with 4 KiB leaves (16384 leaves in 32 level-0
 * tables under one level-1 table), then one pt_unmap of all of it.
 * Expect exactly one shootdown, of everything, no local fence, and the
 * 33 table pages still held when it ran (none freed before), all back
 * in the pool after the call.
 */
static void pt_unmap_64m_one_shootdown(struct ktest *t)
{
	const vaddr_t va = 0xffffffc000000000UL + SZ_1G;
	unsigned long frees0;

	FX_SETUP(t);
	/* pa off by 4 KiB: no 2 MiB leaf fits, so 4 KiB leaves throughout. */
	KTEST_ASSERT_EQ(t,
			pt_map(&pt, va, 0x100000000UL + SZ_4K, 64 * SZ_1M,
			       PROT_RW | PROT_GLOBAL),
			0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1 + 1 + 32);
	frees0 = pool.frees;
	host_arch_tlb_reset();
	host_arch_tlb_shootdown_hook = record_pool_at_shootdown;
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va, 64 * SZ_1M), 0);
	host_arch_tlb_shootdown_hook = NULL;
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	expect_shootdown(t, 0, 0, TLB_FLUSH_ALL);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flush_alls, 0);
	KTEST_EXPECT_EQ(t, hook_frees, frees0);
	KTEST_EXPECT_EQ(t, hook_in_use, 34);
	KTEST_EXPECT_EQ(t, pool.frees, frees0 + 33);
	KTEST_EXPECT_EQ(t, pool.in_use, 1);
	expect_unmapped(t, va);
	expect_unmapped(t, va + 64 * SZ_1M - 1);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/*
 * Scenario: one gather over three unmaps (two pages that empty their
 * table, then one page elsewhere, then a page that was never mapped),
 * finished once. Expect no fence of any kind and no table page freed
 * until pt_gather_finish, the tree already without the unlinked tables
 * (table_pages down, pt_check clean); then exactly one shootdown of
 * everything (a table was unlinked) before the tables are freed.
 */
static void pt_gather_batches(struct ktest *t)
{
	const vaddr_t a = 0x40000000UL, b = 0x80000000UL + 7 * SZ_4K;
	struct pt_gather g;
	unsigned long frees0;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map(&pt, a, 0x1000000UL, 2 * SZ_4K, PROT_RW), 0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, b, 0x2000000UL, 2 * SZ_4K, PROT_RW), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 5);
	frees0 = pool.frees;
	host_arch_tlb_reset();
	pt_gather_init(&g, &pt);
	KTEST_EXPECT(t, pt_gather_is_empty(&g));
	KTEST_EXPECT_EQ(t, pt_unmap_gather(&g, a, 2 * SZ_4K), 0);
	KTEST_EXPECT_EQ(t, pt_unmap_gather(&g, b, SZ_4K), 0);
	KTEST_EXPECT_EQ(t, pt_unmap_gather(&g, 0x5000UL, SZ_4K), 0);
	KTEST_EXPECT_EQ(t, pt_unmap_gather(&g, a + 1, SZ_4K), -EINVAL);
	KTEST_EXPECT(t, !pt_gather_is_empty(&g));
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes + host_arch_tlb_flush_alls, 0);
	KTEST_EXPECT_EQ(t, g.nr_tables, 2);
	KTEST_EXPECT_EQ(t, pt.table_pages, 3);
	KTEST_EXPECT_EQ(t, pool.in_use, 5);
	expect_unmapped(t, a);
	expect_unmapped(t, b);
	EXPECT_CHECK_TREE(t);

	host_arch_tlb_shootdown_hook = record_pool_at_shootdown;
	pt_gather_finish(&g);
	host_arch_tlb_shootdown_hook = NULL;
	KTEST_EXPECT(t, pt_gather_is_empty(&g));
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	expect_shootdown(t, 0, 0, TLB_FLUSH_ALL);
	KTEST_EXPECT_EQ(t, hook_frees, frees0);
	KTEST_EXPECT_EQ(t, pool.frees, frees0 + 2);
	KTEST_EXPECT_EQ(t, pool.in_use, 3);
	/* Finishing an empty gather fences nothing. */
	pt_gather_finish(&g);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);

	/* Leaves only, in two places: one range covering both. */
	KTEST_ASSERT_EQ(t, pt_map(&pt, b, 0x2000000UL, SZ_4K, PROT_RW), 0);
	host_arch_tlb_reset();
	pt_gather_init(&g, &pt);
	KTEST_EXPECT_EQ(t, pt_unmap_gather(&g, b + SZ_4K, SZ_4K), 0);
	KTEST_ASSERT_EQ(
		t, pt_map(&pt, b + 2 * SZ_4K, 0x2000000UL, 3 * SZ_4K, PROT_RW),
		0);
	KTEST_EXPECT_EQ(t, pt_unmap_gather(&g, b + 4 * SZ_4K, SZ_4K), 0);
	pt_gather_finish(&g);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	expect_shootdown(t, 0, b + SZ_4K, 4 * SZ_4K);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

/* Find the entry for va at level by hand (test-side walker). */
static pte_t *raw_entry(vaddr_t va, int level)
{
	pte_t *tbl = phys_to_virt(pt.root);

	for (int l = PT_LEVELS - 1; l > level; l--)
		tbl = phys_to_virt(arch_pte_paddr(
			tbl[(va >> PT_LEVEL_SHIFT(l)) & (PT_ENTRIES - 1)]));
	return &tbl[(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1)];
}

/*
 * Scenario: corrupt the tables by hand in each way the invariants
 * forbid (table_pages wrong, invalid non-zero entry, misaligned large
 * leaf, table pointer at level 0, write-only leaf, empty table, a
 * level-0 table swapped under the walk hint, a leaf added behind the
 * hint's entry count) and restore each. Expect pt_check() to report at
 * least one violation for each and none once restored.
 */
static void pt_check_detects_corruption(struct ktest *t)
{
	const vaddr_t page = 0x1000, big = 0x40000000UL;
	pte_t *e, saved;
	paddr_t copy;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map(&pt, page, 0x2000, 2 * SZ_4K, PROT_RW), 0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, big, 0x200000UL, SZ_2M, PROT_RW), 0);
	KTEST_ASSERT_EQ(t, pt_check(&pt), 0);

	pt.table_pages++;
	KTEST_EXPECT_GE(t, pt_check(&pt), 1);
	pt.table_pages--;

	e = raw_entry(page, 0);
	saved = *e;
	*e = HOST_PTE_R; /* R without V */
	KTEST_EXPECT_GE(t, pt_check(&pt), 1);
	*e = arch_pte_table(pt.root); /* table at level 0 */
	KTEST_EXPECT_GE(t, pt_check(&pt), 1);
	*e = HOST_PTE_V | HOST_PTE_W; /* write-only leaf */
	KTEST_EXPECT_GE(t, pt_check(&pt), 1);
	*e = saved;

	e = raw_entry(big, 1);
	saved = *e;
	*e = arch_pte_leaf(0x201000UL, PROT_RW); /* 2 MiB leaf, 4 KiB pa */
	KTEST_EXPECT_GE(t, pt_check(&pt), 1);
	*e = saved;
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);

	/* Clear both leaves of the L0 table behind pt's back. */
	e = raw_entry(page, 0);
	e[0] = 0;
	e[1] = 0;
	KTEST_EXPECT_GE(t, pt_check(&pt), 1);
	e[0] = arch_pte_leaf(0x2000, PROT_RW);
	e[1] = arch_pte_leaf(0x3000, PROT_RW);
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);

	/* Move the L0 table to a copy behind the walk hint's back. */
	KTEST_ASSERT_EQ(t, pt_map_page(&pt, page + 2 * SZ_4K, 0, PROT_READ), 0);
	copy = pool.ops.alloc(pool.ops.ctx);
	KTEST_ASSERT(t, copy != PADDR_INVALID);
	e = raw_entry(page, 1);
	saved = *e;
	memcpy(phys_to_virt(copy), phys_to_virt(arch_pte_paddr(saved)),
	       PAGE_SIZE);
	/* The hinted table's count is the tree's (I9), so is the copy's. */
	KTEST_ASSERT(t, phys_to_virt(arch_pte_paddr(saved)) == pt.hint_table);
	*pool.ops.used(pool.ops.ctx, copy) = pt.hint_count;
	*e = arch_pte_table(copy);
	KTEST_EXPECT_EQ(t, pt_check(&pt), 1); /* I7 only */
	*e = saved;
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
	pool.ops.free(pool.ops.ctx, copy);

	/* A fresh table counted by the hint, then a leaf it did not see. */
	KTEST_ASSERT_EQ(t, pt_map_page(&pt, big + SZ_1G, 0, PROT_READ), 0);
	KTEST_ASSERT(t, pt.hint_count == 1);
	e = raw_entry(big + SZ_1G, 0);
	e[1] = arch_pte_leaf(0x1000, PROT_READ);
	KTEST_EXPECT_EQ(t, pt_check(&pt), 1); /* I9 only */
	e[1] = 0;
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
	fx_teardown(t);
}

/*
 * Scenario: the test pool itself: a double free and a free of a page it
 * never gave out, and a pt_destroy of a populated tree. Expect both bad
 * frees refused and counted, and destroy returning every page.
 */
static void host_pool_refuses_bad_free(struct ktest *t)
{
	paddr_t pa;

	FX_SETUP(t);
	pa = pool.ops.alloc(pool.ops.ctx);
	KTEST_ASSERT(t, pa != PADDR_INVALID);
	pool.ops.free(pool.ops.ctx, pa);
	pool.ops.free(pool.ops.ctx, pa);
	pool.ops.free(pool.ops.ctx, PHYS_BASE + POOL_PAGES * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, pool.bad_frees, 2);
	pool.bad_frees = 0;
	KTEST_ASSERT_EQ(t, pt_map(&pt, 0x1000, 0, 3 * SZ_1G, PROT_RW), 0);
	KTEST_EXPECT_GT(t, pool.in_use, 1);
	fx_teardown(t);
}

/* ------------------------------------------------------ randomized run */

/* The model: sorted, disjoint extents [va, last] -> pa with prot. */
struct ext {
	vaddr_t va, last;
	paddr_t pa;
	unsigned int prot;
};

struct model {
	struct ext *e;
	size_t n, cap;
};

static void model_add(struct model *m, struct ext x)
{
	size_t i;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->e = realloc(m->e, m->cap * sizeof(*m->e));
		if (!m->e)
			abort();
	}
	for (i = m->n; i > 0 && m->e[i - 1].va > x.va; i--)
		m->e[i] = m->e[i - 1];
	m->e[i] = x;
	m->n++;
}

static bool model_overlaps(const struct model *m, vaddr_t va, vaddr_t last)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].va <= last && m->e[i].last >= va)
			return true;
	return false;
}

static bool model_covers(const struct model *m, vaddr_t va, vaddr_t last)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->e[i].last < va || m->e[i].va > va)
			continue;
		if (m->e[i].last >= last)
			return true;
		va = m->e[i].last + 1;
	}
	return false;
}

/* Remove [va, last]; the pieces removed go to `out` (if not NULL). */
static void model_cut(struct model *m, vaddr_t va, vaddr_t last,
		      struct model *out)
{
	struct model keep = { 0 };

	for (size_t i = 0; i < m->n; i++) {
		struct ext x = m->e[i];

		if (x.last < va || x.va > last) {
			model_add(&keep, x);
			continue;
		}
		if (x.va < va)
			model_add(&keep,
				  (struct ext){ x.va, va - 1, x.pa, x.prot });
		if (x.last > last)
			model_add(&keep, (struct ext){ last + 1, x.last,
						       x.pa + (last + 1 - x.va),
						       x.prot });
		if (out) {
			vaddr_t lo = MAX(x.va, va), hi = MIN(x.last, last);

			model_add(out, (struct ext){ lo, hi, x.pa + (lo - x.va),
						     x.prot });
		}
	}
	free(m->e);
	*m = keep;
}

static bool model_lookup(const struct model *m, vaddr_t va, paddr_t *pa,
			 unsigned int *prot)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->e[i].va <= va && va <= m->e[i].last) {
			*pa = m->e[i].pa + (va - m->e[i].va);
			*prot = m->e[i].prot;
			return true;
		}
	}
	return false;
}

/* Merge touching extents with contiguous pa and equal prot. */
static void model_merge(struct model *m)
{
	size_t j = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct ext *p = j ? &m->e[j - 1] : NULL;
		struct ext x = m->e[i];

		if (p && p->last + 1 == x.va &&
		    p->pa + (p->last - p->va + 1) == x.pa && p->prot == x.prot)
			p->last = x.last;
		else
			m->e[j++] = x;
	}
	m->n = j;
}

/* The tree's leaves as a merged model. */
static void model_from_tree(struct model *m, const struct dump *d)
{
	m->n = 0;
	for (size_t i = 0; i < d->n; i++)
		model_add(m, (struct ext){ d->l[i].va,
					   d->l[i].va + d->l[i].size - 1,
					   d->l[i].pa, d->l[i].prot });
	model_merge(m);
}

static bool model_equal(struct model *a, struct model *b)
{
	model_merge(a);
	model_merge(b);
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->e[i].va != b->e[i].va || a->e[i].last != b->e[i].last ||
		    a->e[i].pa != b->e[i].pa || a->e[i].prot != b->e[i].prot)
			return false;
	return true;
}

struct window {
	vaddr_t base;
	size_t size;
};

static const struct window windows[] = {
	{ 4 * SZ_1G, 4 * SZ_1G }, /* lower half */
	{ 0xffffffff00000000UL, 4 * SZ_1G }, /* top of upper half, to 2^64 */
};

static const unsigned int rand_prots[] = {
	PROT_READ,
	PROT_RW,
	PROT_RX,
	PROT_EXEC,
	PROT_READ | PROT_GLOBAL,
	PROT_RW | PROT_DEVICE,
};

#define RANDOM_STEPS 2500

/*
 * Scenario: 2500 random map / unmap / protect calls over a 4 GiB lower
 * window and the top 4 GiB of the upper half, with sizes around 4 KiB,
 * 2 MiB and 1 GiB, pa alignments that allow or forbid large leaves, and
 * an allocator that sometimes fails. A model of extents predicts each
 * result. Expect every return code as predicted, the merged walk equal
 * to the model, random lookups equal to the model, a failed map leaving
 * the tables byte-identical, every changed leaf fenced (maps locally,
 * unmaps and protects with at most one shootdown per call, and no
 * table page freed before it), pt_check() clean after every step;
 * finally everything unmapped leaves only the root.
 */
static void pt_random_vs_model(struct ktest *t)
{
	struct model m = { 0 }, seen = { 0 }, pieces = { 0 };
	struct dump before = { 0 }, after = { 0 };
	struct rand_state r;
	unsigned long counts[3][2] = { { 0 } };
	int step;

	FX_SETUP(t);
	rand_seed(&r, 0x5eed5eedUL);
	for (step = 0; step < RANDOM_STEPS; step++) {
		const struct window *w = &windows[rand_below(&r, 2)];
		unsigned int g = rand_below(&r, 10);
		size_t gran = g < 6 ? SZ_4K : g < 9 ? SZ_2M : SZ_1G;
		size_t off = rand_below(&r, w->size / gran) * gran;
		size_t size =
			gran * (1 + rand_below(&r, gran == SZ_1G ? 1 : 3));
		unsigned int op = rand_below(&r, 10), prot;
		bool inject = rand_below(&r, 6) == 0;
		vaddr_t va, last;
		paddr_t pa;
		struct snap s;
		unsigned long frees_before;
		int err, want;

		if (rand_below(&r, 2))
			off += rand_below(&r, 4) * SZ_4K;
		size += rand_below(&r, 3) * SZ_4K;
		if (off >= w->size)
			off = w->size - SZ_4K;
		if (size > w->size - off)
			size = w->size - off;
		va = w->base + off;
		/* Half the unmaps and protects aim inside a mapped extent. */
		if (op >= 4 && m.n && rand_below(&r, 2)) {
			const struct ext *x = &m.e[rand_below(&r, m.n)];
			size_t pages = ((x->last - x->va) >> PAGE_SHIFT) + 1;
			size_t first = rand_below(&r, pages);

			va = x->va + (first << PAGE_SHIFT);
			size = (1 + rand_below(&r, pages - first))
			       << PAGE_SHIFT;
		}
		last = va + size - 1;
		pa = 64 * SZ_1G + off;
		switch (rand_below(&r, 3)) {
		case 1:
			pa += rand_below(&r, 4) * SZ_2M;
			break;
		case 2:
			if (gran == SZ_4K) /* keep leaf counts small */
				pa += rand_below(&r, 8) * SZ_4K;
			break;
		}
		prot = rand_prots[rand_below(&r, ARRAY_SIZE(rand_prots))];

		dump_take(&before);
		if (op < 4)
			snap_take(&s);
		host_arch_tlb_reset();
		frees_before = pool.frees;
		hook_frees = ~0UL;
		host_arch_tlb_shootdown_hook = record_pool_at_shootdown;
		if (inject)
			pool.fail_after = rand_below(&r, 3);
		if (op < 4) {
			op = 0;
			want = model_overlaps(&m, va, last) ? -EEXIST : 0;
			err = pt_map(&pt, va, pa, size, prot);
			if (err == 0)
				model_add(&m,
					  (struct ext){ va, last, pa, prot });
		} else if (op < 7) {
			op = 1;
			want = 0;
			err = pt_unmap(&pt, va, size);
			if (err == 0)
				model_cut(&m, va, last, NULL);
		} else {
			op = 2;
			want = model_covers(&m, va, last) ? 0 : -ENOENT;
			err = pt_protect(&pt, va, size, prot);
			if (err == 0) {
				pieces.n = 0;
				model_cut(&m, va, last, &pieces);
				for (size_t i = 0; i < pieces.n; i++) {
					pieces.e[i].prot = prot;
					model_add(&m, pieces.e[i]);
				}
			}
		}
		pool.fail_after = HOST_PT_POOL_NEVER_FAIL;
		host_arch_tlb_shootdown_hook = NULL;
		counts[op][err == 0]++;

		/*
		 * With failures injected, -ENOMEM may replace success, and
		 * for map also -EEXIST (memory can run out before the
		 * overlap is met). Protect finds holes before allocating.
		 */
		if (!(err == want ||
		      (inject && err == -ENOMEM && (want == 0 || op == 0)))) {
			ktest_fail(t, __FILE__, __LINE__,
				   "step %d op %u va 0x%lx size 0x%zx pa 0x%lx "
				   "prot 0x%x: got %d want %d",
				   step, op, (unsigned long)va, size,
				   (unsigned long)pa, prot, err, want);
			if (op == 0)
				snap_free(&s);
			break;
		}
		if (op == 0) {
			if (err)
				KTEST_EXPECT(t, snap_equal(&s));
			snap_free(&s);
		}

		/*
		 * Fences: the first page of every changed leaf piece; a map
		 * fences only locally, an unmap or protect with one
		 * shootdown (none when it changed nothing), and a table
		 * page goes back only after it.
		 */
		if (err == 0 && op == 0) {
			KTEST_EXPECT(t, host_arch_tlb_was_flushed(va));
			KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
		}
		if (op != 0 || err != 0)
			KTEST_EXPECT_LE(t, host_arch_tlb_shootdowns, 1);
		/* (A failed map frees tables it never linked at once.) */
		if (op != 0 && hook_frees != ~0UL)
			KTEST_EXPECT_EQ(t, hook_frees, frees_before);
		for (size_t i = 0; err == 0 && op != 0 && i < before.n; i++) {
			const struct leaf *l = &before.l[i];

			if (l->va > last || l->va + l->size - 1 < va)
				continue;
			if (op == 2 && l->prot == prot)
				continue;
			KTEST_EXPECT(t,
				     host_arch_tlb_was_flushed(MAX(l->va, va)));
		}

		KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
		KTEST_EXPECT_EQ(t, pt.table_pages, pool.in_use);
		KTEST_EXPECT_EQ(t, pool.bad_frees, 0);
		dump_take(&after);
		KTEST_EXPECT(t, dump_is_ordered(&after));
		model_from_tree(&seen, &after);
		if (!model_equal(&seen, &m)) {
			ktest_fail(t, __FILE__, __LINE__,
				   "step %d op %u va 0x%lx size 0x%zx: tree "
				   "(%zu extents) differs from model (%zu)",
				   step, op, (unsigned long)va, size, seen.n,
				   m.n);
			break;
		}
		for (int i = 0; i < 8; i++) {
			const struct window *lw = &windows[rand_below(&r, 2)];
			vaddr_t lva = lw->base + rand_below(&r, lw->size);
			paddr_t mpa = 0, tpa = 0;
			unsigned int mprot = 0, tprot = 0;
			bool mapped = model_lookup(&m, lva, &mpa, &mprot);

			KTEST_EXPECT_EQ(t,
					pt_lookup(&pt, lva, &tpa, &tprot, NULL),
					mapped ? 0 : -ENOENT);
			KTEST_EXPECT_EQ(t, tpa, mpa);
			KTEST_EXPECT_EQ(t, tprot, mprot);
		}
		if (t->failures)
			break;
	}
	ktest_info(t,
		   "steps %d: map %lu/%lu unmap %lu/%lu protect %lu/%lu "
		   "(ok/all), peak tables %zu",
		   step, counts[0][1], counts[0][0] + counts[0][1],
		   counts[1][1], counts[1][0] + counts[1][1], counts[2][1],
		   counts[2][0] + counts[2][1], pool.peak);
	/* Every operation kind must have both succeeded and failed. */
	for (int i = 0; i < 3; i++) {
		KTEST_EXPECT_GT(t, counts[i][0], 0);
		KTEST_EXPECT_GT(t, counts[i][1], 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(windows); i++)
		KTEST_EXPECT_EQ(
			t, pt_unmap(&pt, windows[i].base, windows[i].size), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	EXPECT_CHECK(t);
	free(m.e);
	free(seen.e);
	free(pieces.e);
	dump_free(&before);
	dump_free(&after);
	fx_teardown(t);
}

/* Pages of the one-page stress: 8 MiB around a 1 GiB boundary, twice. */
#define SP_PAGES (2 * 4 * SZ_2M / SZ_4K)

static vaddr_t sp_va(size_t i)
{
	size_t half = SP_PAGES / 2;
	vaddr_t base = i < half ? SZ_1G - 2 * SZ_2M : 0 - SZ_1G - 2 * SZ_2M;

	return base + (i % half) * SZ_4K;
}

struct sp_page {
	paddr_t pa; /* PADDR_INVALID: unmapped */
	unsigned int prot;
};

/* Expect the walk to show exactly the model's pages (any leaf sizes). */
static bool sp_tree_matches(const struct sp_page *model)
{
	struct dump d = { 0 };
	size_t pages = 0, mapped = 0;
	bool ok = true;

	dump_take(&d);
	for (size_t i = 0; i < d.n && ok; i++) {
		for (size_t off = 0; off < d.l[i].size && ok; off += SZ_4K) {
			vaddr_t va = d.l[i].va + off;
			size_t half = SP_PAGES / 2, k;

			if (va - sp_va(0) < half * SZ_4K)
				k = (va - sp_va(0)) / SZ_4K;
			else if (va - sp_va(half) < half * SZ_4K)
				k = half + (va - sp_va(half)) / SZ_4K;
			else
				return false; /* outside the windows */
			ok = model[k].pa == d.l[i].pa + off &&
			     model[k].prot == d.l[i].prot;
			pages++;
		}
	}
	dump_free(&d);
	for (size_t k = 0; k < SP_PAGES; k++)
		mapped += model[k].pa != PADDR_INVALID;
	return ok && pages == mapped;
}

/*
 * Scenario: 6000 random pt_map_page / pt_unmap_page calls on 8 MiB
 * around the 1 GiB boundary at 1 GiB and at -1 GiB (so consecutive calls
 * often share a level-0 table and the walk hint), with a whole free
 * 2 MiB block sometimes mapped as one leaf so that single-page unmaps
 * must split it. Expect results as a per-page model predicts (-EEXIST,
 * -ENOENT, 0), pt_check() clean (including the hint, I7) after every
 * call, and the tree equal to the model every 64 calls.
 */
static void pt_single_page_random(struct ktest *t)
{
	static struct sp_page model[SP_PAGES];
	struct rand_state r;
	unsigned long hits[3] = { 0 };

	FX_SETUP(t);
	for (size_t k = 0; k < SP_PAGES; k++)
		model[k].pa = PADDR_INVALID;
	rand_seed(&r, 0xfeedUL);
	for (int step = 0; step < 6000 && !t->failures; step++) {
		size_t k = rand_below(&r, SP_PAGES);
		vaddr_t va = sp_va(k);
		unsigned int op = rand_below(&r, 16);
		unsigned int prot = rand_prots[rand_below(&r, 6)];
		paddr_t pa = rand_below(&r, 1UL << 20) << PAGE_SHIFT;
		int err;

		if (op == 0) {
			/* A whole 2 MiB block as one leaf, if it is free. */
			size_t first = k & ~(size_t)511;
			bool free_block = true;

			for (size_t j = first; j < first + 512; j++)
				free_block &= model[j].pa == PADDR_INVALID;
			pa &= ~(SZ_2M - 1);
			err = pt_map(&pt, sp_va(first), pa, SZ_2M, prot);
			KTEST_EXPECT_EQ(t, err, free_block ? 0 : -EEXIST);
			for (size_t j = first; err == 0 && j < first + 512; j++)
				model[j] = (struct sp_page){
					pa + (j - first) * SZ_4K, prot
				};
		} else if (op < 9) {
			err = pt_map_page(&pt, va, pa, prot);
			if (model[k].pa == PADDR_INVALID) {
				KTEST_EXPECT_EQ(t, err, 0);
				model[k] = (struct sp_page){ pa, prot };
			} else {
				KTEST_EXPECT_EQ(t, err, -EEXIST);
			}
		} else {
			err = pt_unmap_page(&pt, va);
			KTEST_EXPECT_EQ(t, err,
					model[k].pa == PADDR_INVALID ? -ENOENT
								     : 0);
			model[k].pa = PADDR_INVALID;
		}
		hits[err == 0 ? 0 : err == -EEXIST ? 1 : 2]++;
		if (model[k].pa == PADDR_INVALID)
			expect_unmapped(t, va);
		else
			expect_lookup(t, va + 8, model[k].pa + 8, model[k].prot,
				      0);
		KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
		if (step % 64 == 0)
			KTEST_EXPECT(t, sp_tree_matches(model));
	}
	KTEST_EXPECT(t, sp_tree_matches(model));
	ktest_info(t, "ok %lu, -EEXIST %lu, -ENOENT %lu", hits[0], hits[1],
		   hits[2]);
	KTEST_EXPECT_GT(t, hits[1], 0);
	KTEST_EXPECT_GT(t, hits[2], 0);
	fx_teardown(t);
}

/*
 * Scenario: pt_map_pages of 5 scattered frames across a 2 MiB boundary,
 * then over a range whose third page is taken, then with the table
 * allocator failing at the boundary, then with bad arguments. Expect
 * the 5 pages mapped in order as 4 KiB leaves with one local fence for
 * the call (of everything: several leaves) and no shootdown;
 * -EEXIST and -ENOMEM leaving the tables byte-identical (the pages the
 * call had mapped unmapped again); -EINVAL for n 0, a misaligned frame
 * and bad prot.
 */
static void pt_map_pages_batch(struct ktest *t)
{
	const vaddr_t va = 0x40000000UL + SZ_2M - 2 * SZ_4K;
	const paddr_t pa[5] = { 0x9000UL, 0x3000UL, 0x7000UL, 0x5000UL,
				0x1000UL };
	const paddr_t bad[2] = { 0x1000UL, 0x2001UL };
	struct snap s;

	FX_SETUP(t);
	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, va, pa, 5, PROT_RW), 0);
	for (int i = 0; i < 5; i++)
		expect_lookup(t, va + i * SZ_4K + 9, pa[i] + 9, PROT_RW, SZ_4K);
	expect_unmapped(t, va + 5 * SZ_4K);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flush_alls, 1);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 4);
	EXPECT_CHECK(t);

	snap_take(&s);
	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, va - 2 * SZ_4K, pa, 5, PROT_READ),
			-EEXIST);
	KTEST_EXPECT(t, snap_equal(&s));
	pool.fail_after = 0;
	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, va + 5 * SZ_4K, pa, 5, PROT_READ),
			0); /* same table: no allocation needed */
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, va + 5 * SZ_4K, 5 * SZ_4K), 0);
	KTEST_EXPECT(t, snap_equal(&s));
	/* Two pages in an existing table, then one that needs a table. */
	host_arch_tlb_reset();
	KTEST_EXPECT_EQ(
		t,
		pt_map_pages(&pt, 0x40400000UL - 2 * SZ_4K, pa, 5, PROT_READ),
		-ENOMEM);
	pool.fail_after = HOST_PT_POOL_NEVER_FAIL;
	KTEST_EXPECT(t, snap_equal(&s));
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	expect_shootdown(t, 0, 0x40400000UL - 2 * SZ_4K, 2 * SZ_4K);
	snap_free(&s);
	EXPECT_CHECK(t);

	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, 0x100000UL, pa, 0, PROT_RW),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, 0x100000UL, bad, 2, PROT_RW),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, 0x100000UL, pa, 1, PROT_WRITE),
			-EINVAL);
	KTEST_EXPECT_EQ(t, pt_map_pages(&pt, 0x100001UL, pa, 1, PROT_RW),
			-EINVAL);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

struct range_seen {
	size_t n;
	vaddr_t va[8];
	size_t size[8];
};

static int range_cb(void *arg, vaddr_t va, paddr_t pa, size_t size,
		    unsigned int prot)
{
	struct range_seen *r = arg;

	if (r->n < ARRAY_SIZE(r->va)) {
		r->va[r->n] = va;
		r->size[r->n] = size;
	}
	r->n++;
	return 0;
}

/*
 * Scenario: a 2 MiB leaf, two 4 KiB pages and an upper-half page, then
 * pt_walk_range over ranges that miss everything, clip the 2 MiB leaf,
 * hold one page, and cover the upper-half page. Expect exactly the
 * overlapping leaves, each reported whole (va and size of the leaf), in
 * address order, and -EINVAL for a range across the hole.
 */
static void pt_walk_range_overlaps(struct ktest *t)
{
	const vaddr_t big = 0x40000000UL, small = 0x40400000UL;
	const vaddr_t high = 0xffffffc000000000UL + 3 * SZ_4K;
	struct range_seen r;

	FX_SETUP(t);
	KTEST_ASSERT_EQ(t, pt_map(&pt, big, 0x200000UL, SZ_2M, PROT_READ), 0);
	KTEST_ASSERT_EQ(t, pt_map(&pt, small, 0x1000UL, 2 * SZ_4K, PROT_READ),
			0);
	KTEST_ASSERT_EQ(t, pt_map_page(&pt, high, 0x1000UL, PROT_READ), 0);

	memset(&r, 0, sizeof(r));
	KTEST_EXPECT_EQ(t, pt_walk_range(&pt, big + SZ_2M, SZ_2M, range_cb, &r),
			0);
	KTEST_EXPECT_EQ(t, r.n, 0);

	memset(&r, 0, sizeof(r));
	KTEST_EXPECT_EQ(t,
			pt_walk_range(&pt, big + SZ_1M,
				      small + SZ_4K - big - SZ_1M, range_cb,
				      &r),
			0);
	KTEST_EXPECT_EQ(t, r.n, 2);
	KTEST_EXPECT_EQ(t, r.va[0], big);
	KTEST_EXPECT_EQ(t, r.size[0], SZ_2M);
	KTEST_EXPECT_EQ(t, r.va[1], small);
	KTEST_EXPECT_EQ(t, r.size[1], SZ_4K);

	memset(&r, 0, sizeof(r));
	KTEST_EXPECT_EQ(
		t, pt_walk_range(&pt, small + SZ_4K, SZ_4K, range_cb, &r), 0);
	KTEST_EXPECT_EQ(t, r.n, 1);
	KTEST_EXPECT_EQ(t, r.va[0], small + SZ_4K);

	memset(&r, 0, sizeof(r));
	KTEST_EXPECT_EQ(
		t,
		pt_walk_range(&pt, 0xffffffc000000000UL, SZ_1G, range_cb, &r),
		0);
	KTEST_EXPECT_EQ(t, r.n, 1);
	KTEST_EXPECT_EQ(t, r.va[0], high);
	KTEST_EXPECT_EQ(
		t, pt_walk_range(&pt, 0x3fffffe000UL, 4 * SZ_4K, range_cb, &r),
		-EINVAL);
	EXPECT_CHECK(t);
	fx_teardown(t);
}

static const struct ktest_case pgtable_cases[] = {
	KTEST_CASE(pt_init_empty),
	KTEST_CASE(pt_init_nomem),
	KTEST_CASE(pt_map_one_page),
	KTEST_CASE(pt_map_mixed_leaf_sizes),
	KTEST_CASE(pt_map_pa_alignment_limits_leaf),
	KTEST_CASE(pt_map_refuses_overlap),
	KTEST_CASE(pt_map_nomem_rolls_back),
	KTEST_CASE(pt_unmap_frees_tables),
	KTEST_CASE(pt_unmap_splits_gigapage),
	KTEST_CASE(pt_unmap_split_nomem),
	KTEST_CASE(pt_unmap_unmapped),
	KTEST_CASE(pt_protect_splits),
	KTEST_CASE(pt_rejects_bad_arguments),
	KTEST_CASE(pt_upper_half),
	KTEST_CASE(pt_tlb_fences),
	KTEST_CASE(pt_unmap_64m_one_shootdown),
	KTEST_CASE(pt_gather_batches),
	KTEST_CASE(pt_map_pages_batch),
	KTEST_CASE(pt_walk_range_overlaps),
	KTEST_CASE(pt_check_detects_corruption),
	KTEST_CASE(host_pool_refuses_bad_free),
	KTEST_CASE(pt_single_page_random),
	KTEST_CASE(pt_random_vs_model),
	KTEST_END,
};

static const struct ktest_suite pgtable_suite = {
	.name = "pgtable",
	.cases = pgtable_cases,
};

KTEST_HOST_MAIN(&pgtable_suite);
