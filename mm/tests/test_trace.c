// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of mm/trace.c and its event sites in the buddy and slab
 * allocators: nothing printed while tracing is off; a buddy allocation
 * printing one split line per halving, down to the order asked for,
 * and its free the same number of merges back up; a slab cache's grow,
 * state changes and release; block sizes in megabytes; vmalloc's
 * create and purge lines. The trace lines are captured
 * (lib/tests/host_capture.h) for the whole suite.
 */
#include <stdio.h>
#include <string.h>

#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/kmalloc.h"
#include "mm/layout.h"
#include "mm/slab.h"
#include "mm/tests/host_arch.h"
#include "mm/trace.h"
#include "mm/vmalloc.h"

#define FAKE_BASE 0x80000000UL
#define FAKE_SIZE (64UL << 20)

/* The trace lines are kept (printk emits whole lines). */
static bool is_trace_line(const char *s, size_t len)
{
	return (len >= 7 && memcmp(s, "buddy: ", 7) == 0) ||
	       (len >= 6 && memcmp(s, "slab: ", 6) == 0) ||
	       (len >= 9 && memcmp(s, "vmalloc: ", 9) == 0);
}

/* The rest (the suite's KTAP lines) goes on to the console. */
static bool not_trace_line(const char *s, size_t len)
{
	return !is_trace_line(s, len);
}

static int trace_init(void)
{
	host_phys_init_buddy(FAKE_BASE, FAKE_SIZE);
	slab_set_secret(0x0123456789abcdefULL);
	slab_debug_setup(NULL);
	kmalloc_init();
	capture_start_keep(is_trace_line, not_trace_line);
	return 0;
}

static void trace_exit(void)
{
	mm_trace_set(0);
	capture_stop();
}

/* Scenario: tracing off, then an allocation that must split and its
 * free. Expect no trace line. Then the mask: bits outside MM_TRACE_ALL
 * are dropped. */
static void trace_off_is_silent(struct ktest *t)
{
	struct page *p;

	mm_trace_set(0);
	buddy_drain_all_pages();
	capture_clear();
	p = alloc_pages(GFP_KERNEL, 1);
	KTEST_ASSERT_NOT_NULL(t, p);
	__free_pages(p, 1);
	KTEST_EXPECT_EQ(t, capture_len(), 0);
	mm_trace_set(~0u);
	KTEST_EXPECT_EQ(t, mm_trace_get(), MM_TRACE_ALL);
	mm_trace_set(0);
}

/* Scenario: with buddy tracing on, allocate order 1 while no order-1
 * block is free (all taken first), then free it. Expect split lines
 * halving down to "-> 8K + 8K" at the block's address, and as many merge
 * lines, the last "8K + 8K -> 16K" first. */
static void trace_buddy_split_merge(struct ktest *t)
{
	static struct page *held[4096];
	unsigned int nheld = 0, splits;
	struct page *p;
	char want[96];

	while (buddy_zone_nr_free(ZONE_DMA32, 1) && nheld < 4096)
		held[nheld++] = alloc_pages(GFP_KERNEL, 1);
	KTEST_ASSERT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 1), 0);
	mm_trace_set(MM_TRACE_BUDDY);
	capture_clear();
	p = alloc_pages(GFP_KERNEL, 1);
	KTEST_ASSERT_NOT_NULL(t, p);
	splits = capture_count_lines("buddy: split ");
	KTEST_EXPECT_GE(t, splits, 1);
	KTEST_EXPECT_EQ(t, capture_count_lines("buddy: "), splits);
	/* The exact walks of the other policies: test_buddy_policies.c. */
	snprintf(want, sizeof(want), "buddy: split 16K at 0x%lx -> 8K + 8K\n",
		 (unsigned long)pfn_to_paddr(page_to_pfn(p)));
	KTEST_EXPECT(t, !buddy_blocks_aligned() || capture_has(want));
	capture_clear();
	__free_pages(p, 1);
	KTEST_EXPECT_EQ(t, capture_count_lines("buddy: merge "), splits);
	snprintf(want, sizeof(want), "buddy: merge 8K + 8K at 0x%lx -> 16K\n",
		 (unsigned long)pfn_to_paddr(page_to_pfn(p)));
	KTEST_EXPECT(t, !buddy_blocks_aligned() || strncmp(capture_text(), want,
							   strlen(want)) == 0);
	mm_trace_set(0);
	while (nheld)
		__free_pages(held[--nheld], 1);
}

/* Scenario: slab tracing on; a new cache, one object allocated and
 * freed, the cache destroyed. Expect one grow line, the slab leaving the
 * empty state, and one release line; buddy lines not printed. */
static void trace_slab_lifecycle(struct ktest *t)
{
	struct kmem_cache *c;
	char prefix[96];
	void *obj;

	mm_trace_set(MM_TRACE_SLAB);
	capture_clear();
	c = kmem_cache_create("traced", 200, 0, 0, NULL);
	KTEST_ASSERT_NOT_NULL(t, c);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, obj);
	KTEST_EXPECT_EQ(t, capture_count_lines("slab: grow traced slab 0x"), 1);
	snprintf(prefix, sizeof(prefix), "slab: traced slab 0x");
	KTEST_EXPECT_GE(t, capture_count_lines(prefix), 1);
	KTEST_EXPECT(t, capture_has(" empty -> partial\n") ||
				capture_has(" empty -> full\n"));
	kmem_cache_free(c, obj);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT_EQ(t, capture_count_lines("slab: release traced slab 0x"),
			1);
	KTEST_EXPECT_EQ(t, capture_count_lines("buddy: "), 0);
	mm_trace_set(0);
}

/* Scenario: buddy tracing on, an order-9 (2 MiB) allocation while no
 * order-9 block is free. Expect the 4 MiB block split in megabytes,
 * "split 4M at <pa> -> 2M + 2M", and the merge back on the free. */
static void trace_sizes_in_megabytes(struct ktest *t)
{
	static struct page *held[64];
	unsigned int nheld = 0;
	struct page *p;
	char want[96];

	if (!buddy_blocks_aligned()) {
		/* Class 9 is not order 9 there; test_buddy_policies.c has
		 * the exact walks of the other policies. */
		ktest_skip(t, "the 4M -> 2M + 2M split is binary's");
		return;
	}
	while (buddy_zone_nr_free(ZONE_DMA32, 9) && nheld < 64)
		held[nheld++] = alloc_pages(GFP_KERNEL, 9);
	KTEST_ASSERT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 9), 0);
	mm_trace_set(MM_TRACE_BUDDY);
	capture_clear();
	p = alloc_pages(GFP_KERNEL, 9);
	KTEST_ASSERT_NOT_NULL(t, p);
	snprintf(want, sizeof(want), "buddy: split 4M at 0x%lx -> 2M + 2M\n",
		 (unsigned long)pfn_to_paddr(page_to_pfn(p)));
	KTEST_EXPECT_STREQ(t, capture_text(), want);
	capture_clear();
	__free_pages(p, 9);
	snprintf(want, sizeof(want), "buddy: merge 2M + 2M at 0x%lx -> 4M\n",
		 (unsigned long)pfn_to_paddr(page_to_pfn(p)));
	KTEST_EXPECT_STREQ(t, capture_text(), want);
	mm_trace_set(0);
	while (nheld)
		__free_pages(held[--nheld], 9);
}

/* Scenario: vmalloc tracing on; a 3-page vmalloc area and a 1-page
 * vmap at the start of an empty range, both freed, then the purge.
 * Expect the two create lines exactly (addresses, sizes, kind, the
 * guard page not included) and one purge line counting both areas and
 * the 3 vmalloc frames. */
static void trace_vmalloc_lines(struct ktest *t)
{
	static struct pgtable pt;
	struct page *pg = alloc_page(GFP_KERNEL);
	const vaddr_t start = VMALLOC_START;
	void *a, *v;
	char want[256];

	KTEST_ASSERT_NOT_NULL(t, pg);
	KTEST_ASSERT_EQ(t, pt_init(&pt, &host_pt_buddy_ops), 0);
	KTEST_ASSERT_EQ(t, vmalloc_init(&pt, start, start + SZ_1G), 0);
	mm_trace_set(MM_TRACE_VMALLOC);
	capture_clear();
	a = vmalloc(3 * PAGE_SIZE);
	v = vmap(&pg, 1, PROT_READ);
	KTEST_ASSERT(t, a == (void *)start);
	KTEST_ASSERT(t, v == (void *)(start + 4 * PAGE_SIZE));
	snprintf(want, sizeof(want),
		 "vmalloc: create [0x%016lx-0x%016lx] size 12288 pages 3 "
		 "vmalloc\n"
		 "vmalloc: create [0x%016lx-0x%016lx] size 4096 pages 1 "
		 "vmap\n",
		 start, start + 3 * PAGE_SIZE - 1, start + 4 * PAGE_SIZE,
		 start + 5 * PAGE_SIZE - 1);
	KTEST_EXPECT_STREQ(t, capture_text(), want);
	vfree(a);
	vunmap(v);
	capture_clear();
	vmalloc_purge();
	KTEST_EXPECT(t, strncmp(capture_text(),
				"vmalloc: purge 2 areas 3 pages ", 31) == 0);
	KTEST_EXPECT_EQ(t, capture_count_lines("vmalloc: "), 1);
	mm_trace_set(0);
	vmalloc_destroy();
	pt_destroy(&pt);
	__free_page(pg);
}

static const struct ktest_case trace_cases[] = {
	KTEST_CASE(trace_off_is_silent),  KTEST_CASE(trace_buddy_split_merge),
	KTEST_CASE(trace_slab_lifecycle), KTEST_CASE(trace_sizes_in_megabytes),
	KTEST_CASE(trace_vmalloc_lines),  KTEST_END,
};
static const struct ktest_suite trace_suite = { "trace", trace_cases,
						trace_init, trace_exit };

KTEST_HOST_MAIN(&trace_suite)
