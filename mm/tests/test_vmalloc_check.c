// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of vmalloc_check() and vmallocinfo_walk() (mm/vmalloc.c):
 * areas damaged behind vmalloc's back through the page table and the
 * frames' struct pages must each give the "vmalloc_check: V<n>: ..."
 * line of the invariant they break, and check clean once repaired; the
 * walk must report every published area with its numbers. Same fixture
 * as mm/tests/test_vmalloc.c: real buddy allocator, real page tables
 * over fake physical memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/list.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/tests/host_arch.h"
#include "mm/vmalloc.h"

#define PHYS_BASE 0x80000000UL
#define PHYS_SIZE (16UL << 20)

static struct pgtable pt;
/* vmalloc_check() with its lines captured: the number of violations. */
static int check(void)
{
	int n;

	capture_start(NULL);
	n = vmalloc_check();
	capture_stop();
	return n;
}

static vaddr_t vaddr(const void *p)
{
	return (vaddr_t)(uintptr_t)p;
}

static paddr_t page_pa(const struct page *pg)
{
	return pfn_to_paddr(page_to_pfn(pg));
}

static void teardown(void)
{
	host_vmalloc_teardown(&pt);
}

static int setup(void)
{
	return host_vmalloc_setup(&pt, PHYS_BASE, PHYS_SIZE);
}

/*
 * Scenario: a two-page area whose frames are tampered with: one frame's
 * owner (page->private) overwritten, one PTE pointing at another frame,
 * one frame taken off the area's list, one stray frame added to it.
 * Expect a V3 line for each ("frame 0 flags", "maps pa", "lists 1
 * frames, expected 2", "has more than 2 frames") and a clean check
 * after each repair.
 */
static void frames_damaged(struct ktest *t)
{
	struct page *pg0, *pg1, *stray;
	unsigned long private;
	char *p;

	KTEST_ASSERT_EQ(t, setup(), 0);
	p = vmalloc(2 * PAGE_SIZE);
	KTEST_ASSERT(t, p != NULL);
	pg0 = vmalloc_to_page(p);
	pg1 = vmalloc_to_page(p + PAGE_SIZE);
	KTEST_ASSERT(t, pg0 && pg1);
	KTEST_EXPECT_EQ(t, check(), 0);

	private = pg0->private;
	pg0->private = 0x1234;
	KTEST_EXPECT_EQ(t, check(), 1);
	KTEST_EXPECT(t, capture_has("vmalloc_check: V3: area 0x"));
	KTEST_EXPECT(t, capture_has(" frame 0 flags 0x"));
	KTEST_EXPECT(t, capture_has(" private 0x1234\n"));
	pg0->private = private;
	KTEST_EXPECT_EQ(t, check(), 0);

	stray = alloc_page(GFP_KERNEL);
	KTEST_ASSERT(t, stray != NULL);
	KTEST_ASSERT_EQ(t, pt_unmap(&pt, vaddr(p), PAGE_SIZE), 0);
	KTEST_ASSERT_EQ(t,
			pt_map(&pt, vaddr(p), page_pa(stray), PAGE_SIZE,
			       PROT_RW | PROT_GLOBAL),
			0);
	KTEST_EXPECT_EQ(t, check(), 1);
	KTEST_EXPECT(t,
		     capture_has(" maps pa 0x") && capture_has("frame pa 0x"));
	KTEST_ASSERT_EQ(t, pt_unmap(&pt, vaddr(p), PAGE_SIZE), 0);
	KTEST_ASSERT_EQ(t,
			pt_map(&pt, vaddr(p), page_pa(pg0), PAGE_SIZE,
			       PROT_RW | PROT_GLOBAL),
			0);
	KTEST_EXPECT_EQ(t, check(), 0);

	list_del(&pg1->lru);
	KTEST_EXPECT_EQ(t, check(), 1);
	KTEST_EXPECT(t, capture_has(" lists 1 frames, expected 2\n"));
	list_add(&pg1->lru, &pg0->lru);
	KTEST_EXPECT_EQ(t, check(), 0);

	list_add(&stray->lru, &pg1->lru);
	KTEST_EXPECT_EQ(t, check(), 1);
	KTEST_EXPECT(t, capture_has(" has more than 2 frames\n"));
	list_del(&stray->lru);
	KTEST_EXPECT_EQ(t, check(), 0);

	__free_page(stray);
	vfree(p);
	teardown();
}

/*
 * Scenario: a vmap page unmapped behind vmalloc's back, and a page
 * mapped into a lazily freed area. Expect "V4: vmap ... page 0
 * unmapped" and "V8: lazily freed area ... still maps", each gone once
 * repaired.
 */
static void vmap_and_lazy_damaged(struct ktest *t)
{
	struct page *pg;
	char *v, *p;

	KTEST_ASSERT_EQ(t, setup(), 0);
	pg = alloc_page(GFP_KERNEL);
	KTEST_ASSERT(t, pg != NULL);
	v = vmap(&pg, 1, PROT_READ);
	KTEST_ASSERT(t, v != NULL);
	KTEST_ASSERT_EQ(t, pt_unmap(&pt, vaddr(v), PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, check(), 1);
	KTEST_EXPECT(t, capture_has("vmalloc_check: V4: vmap 0x") &&
				capture_has(" page 0 unmapped\n"));
	KTEST_ASSERT_EQ(t,
			pt_map(&pt, vaddr(v), page_pa(pg), PAGE_SIZE,
			       PROT_READ | PROT_GLOBAL),
			0);
	KTEST_EXPECT_EQ(t, check(), 0);
	vunmap(v);

	p = vmalloc(PAGE_SIZE);
	KTEST_ASSERT(t, p != NULL);
	vfree(p); /* lazy: the range stays allocated, unmapped */
	KTEST_ASSERT_EQ(t,
			pt_map(&pt, vaddr(p), page_pa(pg), PAGE_SIZE,
			       PROT_READ | PROT_GLOBAL),
			0);
	KTEST_EXPECT(t, check() >= 1);
	KTEST_EXPECT(t,
		     capture_has("vmalloc_check: V8: lazily freed area 0x") &&
			     capture_has(" still maps 0x"));
	KTEST_ASSERT_EQ(t, pt_unmap(&pt, vaddr(p), PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, check(), 0);
	vmalloc_purge();
	KTEST_EXPECT_EQ(t, check(), 0);
	__free_page(pg);
	teardown();
}

struct seen {
	unsigned int n, vmaps, lazy, pages;
	size_t bytes;
	bool freer_set, in_order;
	vaddr_t last;
};

static void seen_one(const struct vmallocinfo_area *a, void *arg)
{
	struct seen *s = arg;

	s->in_order &= a->addr > s->last;
	s->last = a->addr;
	s->n++;
	s->vmaps += a->vmap;
	s->lazy += a->lazy;
	s->pages += a->nr_pages;
	s->bytes += a->size;
	if (a->lazy)
		s->freer_set = a->freer != 0;
	else if (a->freer)
		s->freer_set = false;
}

/*
 * Scenario: vmalloc areas of 1 and 3 pages, a 2-page vmap, and a
 * 2-page area freed lazily; then the walk after vmalloc_destroy().
 * Expect four areas in address order (one vmap, one lazy with its
 * freer recorded), 8 pages and 32 KiB in all; after the destroy, none.
 */
static void info_walk(struct ktest *t)
{
	struct seen s = { .in_order = true };
	struct page *pgs[2];
	void *a, *b, *c, *v;

	KTEST_ASSERT_EQ(t, setup(), 0);
	pgs[0] = alloc_page(GFP_KERNEL);
	pgs[1] = alloc_page(GFP_KERNEL);
	KTEST_ASSERT(t, pgs[0] && pgs[1]);
	a = vmalloc(PAGE_SIZE);
	b = vmalloc(3 * PAGE_SIZE);
	c = vmalloc(2 * PAGE_SIZE);
	v = vmap(pgs, 2, PROT_READ);
	KTEST_ASSERT(t, a && b && c && v);
	vfree(c);
	vmallocinfo_walk(seen_one, &s);
	KTEST_EXPECT_EQ(t, s.n, 4);
	KTEST_EXPECT_EQ(t, s.vmaps, 1);
	KTEST_EXPECT_EQ(t, s.lazy, 1);
	KTEST_EXPECT(t, s.freer_set);
	KTEST_EXPECT(t, s.in_order);
	KTEST_EXPECT_EQ(t, s.pages, 8);
	KTEST_EXPECT_EQ(t, s.bytes, 8 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, check(), 0);

	vmalloc_destroy();
	s = (struct seen){ .in_order = true };
	vmallocinfo_walk(seen_one, &s);
	KTEST_EXPECT_EQ(t, s.n, 0);
	__free_page(pgs[0]);
	__free_page(pgs[1]);
	teardown();
}

static const struct ktest_case vmalloc_check_cases[] = {
	KTEST_CASE(frames_damaged),
	KTEST_CASE(vmap_and_lazy_damaged),
	KTEST_CASE(info_walk),
	KTEST_END,
};
static const struct ktest_suite vmalloc_check_suite = { "vmalloc_check",
							vmalloc_check_cases,
							NULL, NULL };

KTEST_HOST_MAIN(&vmalloc_check_suite)
