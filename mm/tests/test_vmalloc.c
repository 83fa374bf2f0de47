// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of mm/vmalloc.c against the real buddy allocator and the
 * real page-table code: fake physical memory is a host buffer (host_arch),
 * page-table pages come from the buddy allocator as on the target, and
 * vmalloc addresses (which the host cannot dereference) are reached by
 * translating them through the table. vmalloc_check() runs after every
 * step. vfree is lazy (mm/vmalloc.h): cases that count free pages call
 * vmalloc_purge() first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "lib/rand.h"
#include "lib/string.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/tests/host_arch.h"
#include "mm/vmalloc.h"

#define PHYS_BASE 0x80000000UL
#define PHYS_SIZE (64UL << 20)
#define VSTART VMALLOC_START
#define VEND (VMALLOC_START + (1UL << 30))

static struct pgtable pt;
/* Table pages: host_pt_buddy_ops (mm/tests/host_arch.c). */

static const char *find(const char *hay, const char *needle)
{
	return strstr(hay, needle);
}

/* ------------------------------------------------------- fixture */

static size_t meta_pages(void)
{
	struct vmalloc_stats st;

	vmalloc_get_stats(&st);
	return st.meta_pages;
}

static void teardown(void)
{
	host_vmalloc_teardown(&pt);
}

/* Fresh RAM, buddy allocator, page table and vmalloc range. */
static int setup(void)
{
	return host_vmalloc_setup(&pt, PHYS_BASE, PHYS_SIZE);
}

/* Host pointer to the byte at vmalloc address va (through the table). */
static uint8_t *host_ptr(const void *va)
{
	paddr_t pa;

	if (pt_lookup(&pt, (vaddr_t)(uintptr_t)va, &pa, NULL, NULL))
		return NULL;
	return phys_to_virt(pa);
}

static bool is_mapped(vaddr_t va)
{
	return pt_lookup(&pt, va, NULL, NULL, NULL) == 0;
}

static vaddr_t vaddr(const void *p)
{
	return (vaddr_t)(uintptr_t)p;
}

/* Fill [p, p + size) through the table with a pattern from seed. */
static void fill(const void *p, size_t size, uint64_t seed)
{
	for (size_t off = 0; off < size; off += 8) {
		uint64_t v = seed ^ (off * 0x9e3779b97f4a7c15ULL);

		memcpy(host_ptr((const char *)p + off), &v, 8);
	}
}

/* Offset of the first mismatch of fill()'s pattern, or size. */
static size_t verify(const void *p, size_t size, uint64_t seed)
{
	for (size_t off = 0; off < size; off += 8) {
		uint64_t v = seed ^ (off * 0x9e3779b97f4a7c15ULL), got;

		memcpy(&got, host_ptr((const char *)p + off), 8);
		if (got != v)
			return off;
	}
	return size;
}

/* ------------------------------------------------------------- cases */

/* Scenario: calls before vmalloc_init and bad init arguments. Expect NULL
 * and false from everything before init, -EINVAL for empty, unaligned or
 * non-canonical ranges, -EBUSY for a second init. */
static void init_and_uninitialised(struct ktest *t)
{
	char buf[64] = "untouched";

	KTEST_EXPECT(t, vmalloc(PAGE_SIZE) == NULL);
	KTEST_EXPECT(t, !is_vmalloc_addr((void *)VSTART));
	KTEST_EXPECT(t, !vmalloc_describe(VSTART, buf, sizeof(buf)));
	KTEST_EXPECT_STREQ(t, buf, "untouched");
	KTEST_EXPECT(t, vmalloc_to_page((void *)VSTART) == NULL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);

	KTEST_ASSERT_EQ(t, setup(), 0);
	vmalloc_destroy();
	KTEST_EXPECT_EQ(t, vmalloc_init(&pt, VSTART, VSTART), -EINVAL);
	KTEST_EXPECT_EQ(t, vmalloc_init(&pt, VSTART + 1, VEND), -EINVAL);
	KTEST_EXPECT_EQ(t, vmalloc_init(&pt, 0x0000004000000000UL, VEND),
			-EINVAL);
	KTEST_EXPECT_EQ(t, vmalloc_init(NULL, VSTART, VEND), -EINVAL);
	KTEST_EXPECT_EQ(t, vmalloc_init(&pt, VSTART, VEND), 0);
	KTEST_EXPECT_EQ(t, vmalloc_init(&pt, VSTART, VEND), -EBUSY);
	KTEST_EXPECT(t, is_vmalloc_addr((void *)VSTART));
	KTEST_EXPECT(t, is_vmalloc_addr((void *)(VEND - 1)));
	KTEST_EXPECT(t, !is_vmalloc_addr((void *)VEND));
	KTEST_EXPECT(t, !is_vmalloc_addr((void *)(VSTART - 1)));
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	teardown();
}

/* Scenario: vmalloc(3 pages + 1 byte), vfree, vmalloc_purge. Expect 4
 * frames mapped read+write, not executable, at consecutive addresses,
 * each with PG_vmalloc and the frame vmalloc_to_page names; the next page
 * (guard) unmapped. vfree unmaps, fences this hart once (no
 * shootdown) and unlinks the two tables, but holds the frames and the
 * tables (stats say so, the area reads "freed area"); the purge does one
 * shootdown (of everything: tables were unlinked) and only then returns
 * every frame and table page. */
static void map_guard_free(struct ktest *t)
{
	struct vmalloc_stats st;
	uint64_t free0, tables0;
	char buf[200];
	char *p;
	unsigned int prot;
	size_t leaf;

	KTEST_ASSERT_EQ(t, setup(), 0);
	free0 = host_buddy_free_pages() + meta_pages();
	tables0 = pt.table_pages;
	p = vmalloc(3 * PAGE_SIZE + 1);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT(t, is_vmalloc_addr(p));
	KTEST_EXPECT(t, IS_ALIGNED(vaddr(p), PAGE_SIZE));
	for (int i = 0; i < 4; i++) {
		vaddr_t va = vaddr(p) + i * PAGE_SIZE;
		paddr_t pa;
		struct page *page = vmalloc_to_page((void *)(va + 123));

		KTEST_ASSERT_EQ(t, pt_lookup(&pt, va, &pa, &prot, &leaf), 0);
		KTEST_EXPECT_EQ(t, leaf, PAGE_SIZE);
		KTEST_EXPECT_EQ(t, prot & (PROT_RW | PROT_EXEC), PROT_RW);
		KTEST_ASSERT_NOT_NULL(t, page);
		KTEST_EXPECT_EQ(t, pfn_to_paddr(page_to_pfn(page)), pa);
		KTEST_EXPECT(t, page->flags & PG_vmalloc);
	}
	KTEST_EXPECT(t, !is_mapped(vaddr(p) + 4 * PAGE_SIZE));
	KTEST_EXPECT(t, vmalloc_to_page(p + 4 * PAGE_SIZE) == NULL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	/* 4 frames + L1 and L0 tables (the root exists). */
	KTEST_EXPECT_EQ(t, pt.table_pages, tables0 + 2);

	host_arch_tlb_reset();
	vfree(p);
	for (int i = 0; i < 4; i++) {
		KTEST_EXPECT(t, !is_mapped(vaddr(p) + i * PAGE_SIZE));
		KTEST_EXPECT(
			t, host_arch_tlb_was_flushed(vaddr(p) + i * PAGE_SIZE));
	}
	/* One local fence for the whole area. */
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes + host_arch_tlb_flush_alls, 1);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, tables0);
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.nr_areas, 0);
	KTEST_EXPECT_EQ(t, st.nr_pages, 0);
	KTEST_EXPECT_EQ(t, st.lazy_areas, 1);
	KTEST_EXPECT_EQ(t, st.lazy_pages, 4);
	KTEST_EXPECT_EQ(t, st.lazy_tables, 2);
	KTEST_EXPECT_EQ(t, st.lazy_bytes, 5 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages() + meta_pages() + 4 + 2,
			free0);
	KTEST_EXPECT(t, vmalloc_describe(vaddr(p), buf, sizeof(buf)));
	KTEST_EXPECT(t, find(buf, "freed area (freed by 0x") != NULL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);

	vmalloc_purge();
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdown_alls, 1);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages() + meta_pages(), free0);
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.lazy_areas + st.lazy_pages + st.lazy_tables, 0);
	KTEST_EXPECT_EQ(t, st.purges, 1);
	KTEST_EXPECT(t, vmalloc_describe(vaddr(p), buf, sizeof(buf)));
	KTEST_EXPECT(t, find(buf, "freed area (freed by 0x") != NULL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vmalloc_purge(); /* nothing lazy: no shootdown */
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	teardown();
}

/* Scenario: physical memory fragmented so that no two adjacent pages are
 * free (every order-0 page allocated, every other one freed), then a
 * 16 MiB vmalloc written and read in full. Expect success, frames that
 * are not physically contiguous, the data intact, and after vfree (4096
 * frames: past the lazy limit, so it purges at once) the buddy free
 * count and page-table pages back to their values before. */
static void fragmented_large(struct ktest *t)
{
	enum { MAXP = PHYS_SIZE / PAGE_SIZE };
	static struct page *held[MAXP];
	size_t n = 0, size = 16UL << 20, noncontig = 0;
	uint64_t free0, tables0;
	struct page *page;
	char *p;

	KTEST_ASSERT_EQ(t, setup(), 0);
	while (n < MAXP &&
	       (page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)) != NULL)
		held[n++] = page;
	for (size_t i = 0; i < n; i++)
		if (page_to_pfn(held[i]) % 2 == 0) {
			__free_page(held[i]);
			held[i] = NULL;
		}
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 1), 0);
	KTEST_ASSERT(t, host_buddy_free_pages() > size / PAGE_SIZE + 64);

	free0 = host_buddy_free_pages() + meta_pages();
	tables0 = pt.table_pages;
	p = vmalloc(size);
	KTEST_ASSERT_NOT_NULL(t, p);
	for (size_t off = PAGE_SIZE; off < size; off += PAGE_SIZE)
		if (page_to_pfn(vmalloc_to_page(p + off)) !=
		    page_to_pfn(vmalloc_to_page(p + off - PAGE_SIZE)) + 1)
			noncontig++;
	KTEST_EXPECT_EQ(t, noncontig, size / PAGE_SIZE - 1);
	fill(p, size, 0x1234);
	KTEST_EXPECT_EQ(t, verify(p, size, 0x1234), size);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	host_arch_tlb_reset();
	vfree(p);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	KTEST_EXPECT_EQ(t, pt.table_pages, tables0);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages() + meta_pages(), free0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	for (size_t i = 0; i < n; i++)
		if (held[i])
			__free_page(held[i]);
	teardown();
}

/* Scenario: vzalloc of frames that previously held a pattern. Expect
 * every byte zero. */
static void vzalloc_zeroes(struct ktest *t)
{
	size_t size = 8 * PAGE_SIZE;
	char *p;

	KTEST_ASSERT_EQ(t, setup(), 0);
	p = vmalloc(size);
	KTEST_ASSERT_NOT_NULL(t, p);
	fill(p, size, ~0ULL);
	vfree(p);
	p = vzalloc(size);
	KTEST_ASSERT_NOT_NULL(t, p);
	for (size_t off = 0; off < size; off++)
		if (*host_ptr(p + off) != 0) {
			KTEST_EXPECT_EQ(t, *host_ptr(p + off), 0);
			break;
		}
	vfree(p);
	teardown();
}

/* Scenario: 3000 random vmalloc/vfree steps, sizes 1 byte..300 pages,
 * each area filled with its own pattern. Expect every area's data intact
 * at its vfree, vmalloc_check clean after every step (lazily freed areas
 * included), purges along the way (the lazy limit is passed), and every
 * frame and table page returned after a final vmalloc_purge. */
static void random_sizes_and_orders(struct ktest *t)
{
	enum { LIVE = 64 };
	struct {
		void *p;
		size_t size;
	} live[LIVE] = { { 0 } };
	struct rand_state r;
	struct vmalloc_stats st;
	uint64_t free0, tables0;

	KTEST_ASSERT_EQ(t, setup(), 0);
	rand_seed(&r, 42);
	free0 = host_buddy_free_pages() + meta_pages();
	tables0 = pt.table_pages;
	for (int step = 0; step < 3000 && !t->failures; step++) {
		int k = rand_below(&r, LIVE);

		if (live[k].p) {
			KTEST_EXPECT_EQ(
				t,
				verify(live[k].p, live[k].size & ~7UL,
				       (uint64_t)k << 32 | live[k].size),
				live[k].size & ~7UL);
			vfree(live[k].p);
			live[k].p = NULL;
		} else {
			size_t size =
				rand_below(&r, 4)
					? 1 + rand_below(&r, 4 * PAGE_SIZE)
					: 1 + rand_below(&r, 300 * PAGE_SIZE);

			live[k].p = vmalloc(size);
			live[k].size = size;
			KTEST_ASSERT_NOT_NULL(t, live[k].p);
			fill(live[k].p, size & ~7UL,
			     (uint64_t)k << 32 | live[k].size);
		}
		KTEST_ASSERT_EQ(t, vmalloc_check(), 0);
	}
	for (int k = 0; k < LIVE; k++)
		vfree(live[k].p);
	vmalloc_get_stats(&st);
	KTEST_EXPECT_GT(t, st.purges, 0);
	vmalloc_purge();
	KTEST_EXPECT_EQ(t, pt.table_pages, tables0);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages() + meta_pages(), free0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	teardown();
}

/* Scenario: vfree of an address inside an area, of the guard page, a
 * double free, a vmap area, an address outside the range, and vunmap of
 * a vmalloc area. Expect one "BUG: ..." line each (naming the area or the
 * freed area), the bug counter up by 6, and nothing freed. */
static void bad_free_reported(struct ktest *t)
{
	struct vmalloc_stats before, after;
	struct page *pg;
	char *p, *q, *m;
	uint64_t free0;

	KTEST_ASSERT_EQ(t, setup(), 0);
	pg = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, pg);
	p = vmalloc(2 * PAGE_SIZE);
	q = vmalloc(PAGE_SIZE);
	m = vmap(&pg, 1, PROT_RW);
	KTEST_ASSERT(t, p && q && m);
	vfree(q);
	vmalloc_get_stats(&before);
	free0 = host_buddy_free_pages() + meta_pages();

	capture_start(capture_pass_all);
	vfree(p + 8);
	vfree(p + 2 * PAGE_SIZE);
	vfree(q);
	vfree(m);
	vfree((void *)(VEND + PAGE_SIZE));
	vunmap(p);
	capture_stop();

	KTEST_EXPECT_EQ(t, capture_count("BUG: "), 6);
	KTEST_EXPECT(t, capture_has("BUG: vfree: "));
	KTEST_EXPECT(t, capture_has("double free"));
	KTEST_EXPECT(t, capture_has("is a vmap area"));
	KTEST_EXPECT(t, capture_has("BUG: vunmap: "));
	KTEST_EXPECT(t, capture_has("no area there"));
	vmalloc_get_stats(&after);
	KTEST_EXPECT_EQ(t, after.bugs, before.bugs + 6);
	KTEST_EXPECT_EQ(t, after.nr_pages, before.nr_pages);
	KTEST_EXPECT_EQ(t, after.nr_areas, before.nr_areas);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages() + meta_pages(), free0);
	KTEST_EXPECT(t, is_mapped(vaddr(p)) && is_mapped(vaddr(m)));
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(NULL); /* ignored, no report */
	vmalloc_get_stats(&after);
	KTEST_EXPECT_EQ(t, after.bugs, before.bugs + 6);
	vfree(p);
	vunmap(m);
	__free_page(pg);
	teardown();
}

/* Scenario: vmap of 5 chosen frames in reverse pfn order, written through
 * the vmap alias. Expect each vmap page to translate to the chosen frame,
 * the data visible through page_address, a guard page, and vunmap leaving
 * the frames allocated to the caller (only the two table pages come back,
 * at the purge). Bad prot (W+X, no read) and NULL pages are refused. */
static void vmap_alias(struct ktest *t)
{
	struct page *pages[5];
	struct page *tmp, *saved;
	uint64_t free_before;
	char *m;

	KTEST_ASSERT_EQ(t, setup(), 0);
	for (int i = 0; i < 5; i++)
		KTEST_ASSERT_NOT_NULL(t, pages[i] = alloc_page(GFP_KERNEL));
	for (int i = 0; i < 2; i++) { /* reverse */
		tmp = pages[i];
		pages[i] = pages[4 - i];
		pages[4 - i] = tmp;
	}
	m = vmap(pages, 5, PROT_RW);
	KTEST_ASSERT_NOT_NULL(t, m);
	for (int i = 0; i < 5; i++) {
		KTEST_EXPECT(t, vmalloc_to_page(m + i * PAGE_SIZE) == pages[i]);
		*host_ptr(m + i * PAGE_SIZE + 7) = (uint8_t)(0xa0 + i);
	}
	for (int i = 0; i < 5; i++)
		KTEST_EXPECT_EQ(t, ((uint8_t *)page_address(pages[i]))[7],
				0xa0 + i);
	KTEST_EXPECT(t, !is_mapped(vaddr(m) + 5 * PAGE_SIZE));
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	free_before = host_buddy_free_pages();
	vunmap(m);
	KTEST_EXPECT(t, !is_mapped(vaddr(m)));
	/* The tables wait for the purge; then only they come back. */
	KTEST_EXPECT_EQ(t, host_buddy_free_pages(), free_before);
	vmalloc_purge();
	KTEST_EXPECT_EQ(t, host_buddy_free_pages(), free_before + 2);
	KTEST_EXPECT(t, !(pages[0]->flags & PG_vmalloc));

	capture_start(capture_pass_all);
	KTEST_EXPECT(t, vmap(pages, 5, PROT_RW | PROT_EXEC) == NULL);
	KTEST_EXPECT(t, vmap(pages, 5, PROT_WRITE) == NULL);
	KTEST_EXPECT(t, vmap(pages, 0, PROT_READ) == NULL);
	KTEST_EXPECT(t, vmap(NULL, 1, PROT_READ) == NULL);
	saved = pages[2];
	pages[2] = NULL;
	KTEST_EXPECT(t, vmap(pages, 5, PROT_READ) == NULL);
	capture_stop();
	pages[2] = saved;
	m = vmap(pages, 3, PROT_READ);
	KTEST_ASSERT_NOT_NULL(t, m);
	{
		unsigned int prot;

		KTEST_EXPECT_EQ(t, pt_lookup(&pt, vaddr(m), NULL, &prot, NULL),
				0);
		KTEST_EXPECT_EQ(t, prot & PROT_RW, PROT_READ);
	}
	vunmap(m);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	for (int i = 0; i < 5; i++)
		if (pages[i])
			__free_page(pages[i]);
	teardown();
}

/* Scenario: a vmalloc larger than free memory, one whose page-table
 * allocation fails part way, and a range too small for another area.
 * Expect NULL each time with one failure line (none with __GFP_NOWARN),
 * every frame and table page given back, and vmalloc_check clean; once
 * an area of the full range is freed, the next vmalloc purges it and
 * succeeds. */
static void exhaustion_rolls_back(struct ktest *t)
{
	uint64_t free0, tables0;
	struct vmalloc_stats st;
	char *p, *q;

	KTEST_ASSERT_EQ(t, setup(), 0);
	p = vmalloc(PAGE_SIZE); /* warm the metadata pools */
	vfree(p);
	vmalloc_purge();
	free0 = host_buddy_free_pages() + meta_pages();
	tables0 = pt.table_pages;

	capture_start(capture_pass_all);
	KTEST_EXPECT(t, vmalloc(PHYS_SIZE) == NULL);
	KTEST_EXPECT(t, capture_has("vmalloc: allocation failure"));
	capture_clear();
	KTEST_EXPECT(t,
		     __vmalloc(PHYS_SIZE, GFP_KERNEL | __GFP_NOWARN) == NULL);
	KTEST_EXPECT(t, !capture_has("vmalloc:"));
	KTEST_EXPECT(t, vmalloc(0) == NULL);
	capture_stop();
	KTEST_EXPECT_EQ(t, host_buddy_free_pages() + meta_pages(), free0);
	KTEST_EXPECT_EQ(t, pt.table_pages, tables0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);

	/* 4 MiB needs two more L0 tables: the second one fails. */
	q = vmalloc(PAGE_SIZE); /* first area: anchors L1 and one L0 */
	KTEST_ASSERT_NOT_NULL(t, q);
	host_pt_fail_after = 1;
	capture_start(capture_pass_all);
	KTEST_EXPECT(t, vmalloc(4UL << 20) == NULL);
	capture_stop();
	host_pt_fail_after = HOST_PT_POOL_NEVER_FAIL;
	vfree(q);
	vmalloc_purge();
	KTEST_EXPECT_EQ(t, host_buddy_free_pages() + meta_pages(), free0);
	KTEST_EXPECT_EQ(t, pt.table_pages, tables0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.failures, 4);
	teardown();

	/* Address space: 8 pages hold two 3-page areas with guards. */
	KTEST_ASSERT_EQ(t, setup(), 0);
	vmalloc_destroy();
	KTEST_ASSERT_EQ(t, vmalloc_init(&pt, VSTART, VSTART + 8 * PAGE_SIZE),
			0);
	p = vmalloc(3 * PAGE_SIZE);
	q = vmalloc(3 * PAGE_SIZE);
	KTEST_EXPECT(t, p && q);
	capture_start(capture_pass_all);
	KTEST_EXPECT(t, vmalloc(PAGE_SIZE) == NULL);
	capture_stop();
	vfree(p);
	/* p's range is lazily held: the arena is full until the purge,
	 * which the allocation runs before its one retry. */
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.lazy_areas, 1);
	KTEST_EXPECT(t, (p = vmalloc(PAGE_SIZE)) != NULL);
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.lazy_areas, 0);
	KTEST_EXPECT_EQ(t, st.purges, 1);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	teardown();
}

static __attribute__((noinline)) void *alloc_from_here(size_t size)
{
	void *p = vmalloc(size);

	__asm__ volatile("" ::: "memory"); /* not a tail call */
	return p;
}

/* Scenario: the fault-report text for an area's pages, its guard page, a
 * lazily freed area, an area freed 16 frees ago, and free space;
 * vmallocinfo. Expect "inside area", "guard page", "freed area (freed by
 * ...)" with the range, size and caller (while lazily held, too, however
 * many frees follow), "no area" once it is purged and the ring has moved
 * on, false outside the range, one vmallocinfo line per area and a
 * "lazily freed" line for the freed one. */
static void describe_and_info(struct ktest *t)
{
	char buf[200], want[200];
	char *p, *q;
	uintptr_t here = (uintptr_t)alloc_from_here;
	unsigned long caller;

	KTEST_ASSERT_EQ(t, setup(), 0);
	p = alloc_from_here(4 * PAGE_SIZE);
	q = vmalloc(PAGE_SIZE);
	KTEST_ASSERT(t, p && q);

	KTEST_EXPECT(t, vmalloc_describe(vaddr(p) + 5, buf, sizeof(buf)));
	KTEST_EXPECT(t, find(buf, "inside area") != NULL);
	KTEST_EXPECT(t, vmalloc_describe(vaddr(p) + 4 * PAGE_SIZE, buf,
					 sizeof(buf)));
	snprintf(want, sizeof(want),
		 "vmalloc area [0x%016lx-0x%016lx] size 16384 pages 4 caller ",
		 (unsigned long)vaddr(p),
		 (unsigned long)(vaddr(p) + 4 * PAGE_SIZE - 1));
	KTEST_EXPECT(t, strncmp(buf, want, strlen(want)) == 0);
	KTEST_EXPECT(t, find(buf, " guard page") != NULL);
	caller = strtoul(buf + strlen(want), NULL, 16);
	KTEST_EXPECT(t, caller > here && caller < here + 4096);

	capture_start(capture_pass_all);
	vmallocinfo_print();
	capture_stop();
	KTEST_EXPECT_EQ(t, capture_count("vmallocinfo: [0x"), 2);
	KTEST_EXPECT(t, capture_has("size 16384 pages 4 caller"));
	KTEST_EXPECT(t, capture_has("vmallocinfo: 2 areas, 5 pages"));

	vfree(p);
	KTEST_EXPECT(t, vmalloc_describe(vaddr(p) + 2 * PAGE_SIZE, buf,
					 sizeof(buf)));
	KTEST_EXPECT(t, strncmp(buf, want, strlen(want)) == 0);
	KTEST_EXPECT(t, find(buf, "freed area (freed by 0x") != NULL);
	KTEST_EXPECT(t, vmalloc_describe(vaddr(p) + 5 * PAGE_SIZE - 1, buf,
					 sizeof(buf)));
	KTEST_EXPECT(t, find(buf, "freed area") != NULL);

	capture_start(capture_pass_all);
	vmallocinfo_print();
	capture_stop();
	KTEST_EXPECT(t, capture_has("vmalloc lazily freed by 0x"));
	KTEST_EXPECT(t, capture_has("lazily freed 1 areas 4 pages"));

	/* 16 more frees elsewhere push p out of the ring. */
	for (int i = 0; i < 16; i++) {
		char *r = vmalloc(32 * PAGE_SIZE);

		KTEST_ASSERT_NOT_NULL(t, r);
		KTEST_EXPECT(t, vaddr(r) > vaddr(q)); /* not over p */
		vfree(r);
	}
	/* Still lazily held: still described from its own descriptor. */
	KTEST_EXPECT(t, vmalloc_describe(vaddr(p), buf, sizeof(buf)));
	KTEST_EXPECT(t, find(buf, "freed area (freed by 0x") != NULL);
	vmalloc_purge();
	KTEST_EXPECT(t, vmalloc_describe(vaddr(p), buf, sizeof(buf)));
	KTEST_EXPECT_STREQ(t, buf, "vmalloc range, no area");
	KTEST_EXPECT(t, !vmalloc_describe(VEND, buf, sizeof(buf)));
	KTEST_EXPECT(t, !vmalloc_describe(VSTART - 1, buf, sizeof(buf)));
	vfree(q);
	teardown();
}

/* Scenario: a vmalloc area's page-table entry for one page is cleared
 * behind vmalloc's back, and a stray page is mapped into free space.
 * Expect vmalloc_check to report both (V3, V6) and 0 once repaired. */
static void check_detects_corruption(struct ktest *t)
{
	char *p;
	paddr_t pa;
	struct page *stray;

	KTEST_ASSERT_EQ(t, setup(), 0);
	p = vmalloc(2 * PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_ASSERT_EQ(t, pt_lookup(&pt, vaddr(p), &pa, NULL, NULL), 0);
	KTEST_ASSERT_EQ(t, pt_unmap(&pt, vaddr(p), PAGE_SIZE), 0);
	KTEST_EXPECT_GT(t, vmalloc_check(), 0);
	KTEST_ASSERT_EQ(
		t, pt_map(&pt, vaddr(p), pa, PAGE_SIZE, PROT_RW | PROT_GLOBAL),
		0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);

	stray = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, stray);
	KTEST_ASSERT_EQ(t,
			pt_map(&pt, vaddr(p) + 2 * PAGE_SIZE,
			       pfn_to_paddr(page_to_pfn(stray)), PAGE_SIZE,
			       PROT_READ),
			0);
	KTEST_EXPECT_GT(t, vmalloc_check(), 0); /* guard mapped */
	KTEST_ASSERT_EQ(t, pt_unmap(&pt, vaddr(p) + 2 * PAGE_SIZE, PAGE_SIZE),
			0);
	KTEST_ASSERT_EQ(t,
			pt_map(&pt, VEND - PAGE_SIZE,
			       pfn_to_paddr(page_to_pfn(stray)), PAGE_SIZE,
			       PROT_READ),
			0);
	KTEST_EXPECT_GT(t, vmalloc_check(), 0); /* mapped in free space */
	KTEST_ASSERT_EQ(t, pt_unmap(&pt, VEND - PAGE_SIZE, PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	__free_page(stray);
	vfree(p);
	teardown();
}

/* Scenario: vmalloc_destroy with live vmalloc and vmap areas. Expect
 * every frame, table page and metadata page back in the buddy allocator
 * (free count as right after init), the caller's vmap frames untouched. */
static void destroy_gives_back(struct ktest *t)
{
	struct page *pg;
	uint64_t free0, tables0;

	KTEST_ASSERT_EQ(t, setup(), 0);
	free0 = host_buddy_free_pages() + meta_pages();
	tables0 = pt.table_pages;
	pg = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, pg);
	for (int i = 0; i < 200; i++)
		KTEST_ASSERT_NOT_NULL(t, vmalloc((i % 7 + 1) * PAGE_SIZE));
	KTEST_ASSERT_NOT_NULL(t, vmap(&pg, 1, PROT_READ));
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vmalloc_destroy();
	KTEST_EXPECT_EQ(t, host_buddy_free_pages(), free0 - 1);
	KTEST_EXPECT_EQ(t, pt.table_pages, tables0);
	__free_page(pg);
	teardown();
}

/* Frames of an area, in address order, through vmalloc_to_page. */
static void area_pfns(const char *p, size_t pages, pfn_t *out)
{
	for (size_t i = 0; i < pages; i++)
		out[i] = page_to_pfn(vmalloc_to_page(p + i * PAGE_SIZE));
}

/*
 * Scenario: a 12-page range; A = vmalloc(4 pages) (5 with its guard),
 * vfree(A), B = vmalloc(4 pages), then vmalloc_purge and C =
 * vmalloc(4 pages). Expect B neither over A's range nor on any of A's
 * frames (the buddy allocator is LIFO, so an eager free would have
 * handed them straight back), A's two emptied table pages held as well,
 * no shootdown until the purge, exactly one then, A's frames and tables
 * back in the buddy allocator after it, and C in A's range (the only
 * free 5 pages left).
 */
static void lazy_no_reuse_until_purge(struct ktest *t)
{
	struct vmalloc_stats st;
	pfn_t a_pfns[4], b_pfns[4];
	uint64_t free_lazy;
	char *a, *b, *c;

	KTEST_ASSERT_EQ(t, setup(), 0);
	vmalloc_destroy();
	KTEST_ASSERT_EQ(t, vmalloc_init(&pt, VSTART, VSTART + 12 * PAGE_SIZE),
			0);
	a = vmalloc(4 * PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, a);
	area_pfns(a, 4, a_pfns);
	host_arch_tlb_reset();
	vfree(a);
	b = vmalloc(4 * PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, b);
	KTEST_EXPECT(t, vaddr(b) >= vaddr(a) + 5 * PAGE_SIZE);
	area_pfns(b, 4, b_pfns);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			KTEST_EXPECT_NE(t, b_pfns[i], a_pfns[j]);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);

	/* A's unmap emptied its tables: held too, B got fresh ones. */
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.lazy_pages, 4);
	KTEST_EXPECT_EQ(t, st.lazy_tables, 2);
	free_lazy = host_buddy_free_pages();
	vmalloc_purge();
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	KTEST_EXPECT_EQ(t, host_buddy_free_pages(), free_lazy + 4 + 2);
	c = vmalloc(4 * PAGE_SIZE);
	KTEST_EXPECT(t, c == a);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(b);
	vfree(c);
	teardown();
}

/*
 * Scenario: an anchor area keeps the page tables, then 20 areas of 2
 * pages are allocated and all freed, then vmalloc_purge. Expect no
 * shootdown from the 20 vfrees (each fenced this hart once), then
 * exactly one shootdown, of the one range from the first
 * freed page to the last (59 pages: under the 64-page limit), covering
 * every freed page; all 40 frames back after it.
 */
static void lazy_purge_one_shootdown(struct ktest *t)
{
	enum { N = 20 };
	char *anchor, *p[N];
	uint64_t free0;
	vaddr_t va;
	size_t size;

	KTEST_ASSERT_EQ(t, setup(), 0);
	anchor = vmalloc(PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, anchor);
	free0 = host_buddy_free_pages() + meta_pages();
	for (int i = 0; i < N; i++)
		KTEST_ASSERT_NOT_NULL(t, p[i] = vmalloc(2 * PAGE_SIZE));
	for (int i = 1; i < N; i++)
		KTEST_EXPECT_EQ(t, vaddr(p[i]),
				vaddr(p[i - 1]) + 3 * PAGE_SIZE);
	host_arch_tlb_reset();
	for (int i = 0; i < N; i++)
		vfree(p[i]);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 0);
	KTEST_EXPECT_EQ(t, host_arch_tlb_flushes + host_arch_tlb_flush_alls,
			N); /* one local fence per vfree */
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vmalloc_purge();
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns, 1);
	KTEST_EXPECT_EQ(t, host_arch_tlb_shootdown_alls, 0);
	KTEST_ASSERT(t, host_arch_tlb_shootdown_at(0, &va, &size));
	KTEST_EXPECT_EQ(t, va, vaddr(p[0]));
	KTEST_EXPECT_EQ(t, size, vaddr(p[N - 1]) + 2 * PAGE_SIZE - vaddr(p[0]));
	for (int i = 0; i < N; i++) {
		KTEST_EXPECT(t, host_arch_tlb_was_shot_down(vaddr(p[i])));
		KTEST_EXPECT(t, host_arch_tlb_was_shot_down(vaddr(p[i]) +
							    PAGE_SIZE));
	}
	KTEST_EXPECT_EQ(t, host_buddy_free_pages() + meta_pages(), free0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(anchor);
	teardown();
}

/*
 * Scenario: vfree of 64-page areas one after another. Expect the lazily
 * held frames and table pages never past VMALLOC_LAZY_MAX_PAGES after a
 * vfree returns: the vfree that passes the limit purges (one shootdown,
 * counted in purges) and leaves nothing lazy.
 */
static void lazy_limit_purges(struct ktest *t)
{
	struct vmalloc_stats st;
	unsigned long shootdowns = 0;
	int purges = 0;

	KTEST_ASSERT_EQ(t, setup(), 0);
	host_arch_tlb_reset();
	for (int i = 0; i < 40; i++) {
		char *p = vmalloc(64 * PAGE_SIZE);

		KTEST_ASSERT_NOT_NULL(t, p);
		vfree(p);
		vmalloc_get_stats(&st);
		KTEST_EXPECT_LE(t, st.lazy_pages + st.lazy_tables,
				VMALLOC_LAZY_MAX_PAGES);
		KTEST_EXPECT_LE(t, st.lazy_bytes, VMALLOC_LAZY_MAX_BYTES);
		if ((int)st.purges > purges) {
			purges = st.purges;
			KTEST_EXPECT_EQ(t, st.lazy_areas, 0);
			KTEST_EXPECT_EQ(t, host_arch_tlb_shootdowns,
					shootdowns + 1);
		}
		shootdowns = host_arch_tlb_shootdowns;
	}
	KTEST_EXPECT_GE(t, purges, 2);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	teardown();
}

/*
 * Scenario: all but 600 frames taken from the buddy allocator; a
 * 500-page area freed (lazily: under the limit), then vmalloc(400
 * pages), which the remaining free frames cannot back. Expect the
 * allocation to purge the lazy area when frames run out and succeed on
 * its retry, with one purge counted and no failure line.
 */
static void lazy_purge_when_frames_run_out(struct ktest *t)
{
	enum { MAXP = PHYS_SIZE / PAGE_SIZE };
	static struct page *held[MAXP];
	struct vmalloc_stats st;
	struct page *page;
	size_t n = 0;
	char *p;

	KTEST_ASSERT_EQ(t, setup(), 0);
	p = vmalloc(PAGE_SIZE); /* tables and metadata in place */
	KTEST_ASSERT_NOT_NULL(t, p);
	while (host_buddy_free_pages() > 600 &&
	       (page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)) != NULL)
		held[n++] = page;
	vfree(vmalloc(500 * PAGE_SIZE));
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.lazy_pages, 500);
	KTEST_EXPECT_LT(t, host_buddy_free_pages(), 400);
	capture_start(capture_pass_all);
	vfree(p);
	p = vmalloc(400 * PAGE_SIZE);
	capture_stop();
	KTEST_EXPECT(t, p != NULL);
	KTEST_EXPECT(t, !capture_has("vmalloc:"));
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.purges, 1);
	KTEST_EXPECT_EQ(t, st.failures, 0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(p);
	for (size_t i = 0; i < n; i++)
		__free_page(held[i]);
	teardown();
}

/* Scenario: an area allocated normally; then, looking like an interrupt
 * handler (cpu_in_irq()), vmalloc, vfree of that area and vmalloc_purge.
 * Expect each refused with one "BUG: <fn>: called from an interrupt
 * handler" line (vmalloc returns NULL, the area stays live and
 * consistent), and a normal vfree afterwards to work. */
static void refused_in_interrupt_handler(struct ktest *t)
{
	struct vmalloc_stats st;
	void *p, *q;

	KTEST_ASSERT_EQ(t, setup(), 0);
	p = vmalloc(PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	host_cpu_set_in_irq(true);
	capture_start(capture_pass_all);
	q = vmalloc(PAGE_SIZE);
	vfree(p);
	vmalloc_purge();
	capture_stop();
	host_cpu_set_in_irq(false);
	KTEST_EXPECT(t, q == NULL);
	KTEST_EXPECT(t, capture_has("BUG: vmalloc: called from an interrupt "
				    "handler (caller 0x"));
	KTEST_EXPECT(t, capture_has("BUG: vfree: called from an interrupt "
				    "handler"));
	KTEST_EXPECT(t, capture_has("BUG: vmalloc_purge: called from an "
				    "interrupt handler"));
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.nr_areas, 1);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(p);
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.nr_areas, 0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	teardown();
}

static const struct ktest_case vmalloc_cases[] = {
	KTEST_CASE(init_and_uninitialised),
	KTEST_CASE(map_guard_free),
	KTEST_CASE(fragmented_large),
	KTEST_CASE(vzalloc_zeroes),
	KTEST_CASE(random_sizes_and_orders),
	KTEST_CASE(bad_free_reported),
	KTEST_CASE(vmap_alias),
	KTEST_CASE(exhaustion_rolls_back),
	KTEST_CASE(describe_and_info),
	KTEST_CASE(check_detects_corruption),
	KTEST_CASE(destroy_gives_back),
	KTEST_CASE(lazy_no_reuse_until_purge),
	KTEST_CASE(lazy_purge_one_shootdown),
	KTEST_CASE(lazy_limit_purges),
	KTEST_CASE(lazy_purge_when_frames_run_out),
	KTEST_CASE(refused_in_interrupt_handler),
	KTEST_END,
};
static const struct ktest_suite vmalloc_suite = { "vmalloc", vmalloc_cases,
						  NULL, NULL };

KTEST_HOST_MAIN(&vmalloc_suite)
