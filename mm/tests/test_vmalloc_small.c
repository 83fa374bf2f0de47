// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of vmalloc's one-section path (mm/vmalloc.c, "Building"):
 * an area of at most VMALLOC_MAP_BATCH pages takes its frames holding
 * no lock, then its descriptor, range, mapping and statistics in one
 * vmalloc_lock section. Each way that can fail must give back
 * everything it took. Same fixture as mm/tests/test_vmalloc.c: the real
 * buddy allocator and page tables over fake physical memory, and
 * vmalloc_check() after every step.
 */
#include <stdio.h>
#include <string.h>

#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/fail_alloc.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/tests/host_arch.h"
#include "mm/vmalloc.h"
#include "mm/vmalloc_internal.h"

#define PHYS_BASE 0x80000000UL
#define PHYS_SIZE (16UL << 20)

static struct pgtable pt;

static void teardown(void)
{
	host_vmalloc_teardown(&pt);
}

static int setup(void)
{
	return host_vmalloc_setup(&pt, PHYS_BASE, PHYS_SIZE);
}

/* Free pages plus vmalloc's metadata pages: conserved by a failure. */
static uint64_t pages_accounted(void)
{
	struct vmalloc_stats st;

	vmalloc_get_stats(&st);
	return host_buddy_free_pages() + st.meta_pages;
}

static uint8_t *host_ptr(const void *va)
{
	paddr_t pa;

	if (pt_lookup(&pt, (vaddr_t)(uintptr_t)va, &pa, NULL, NULL))
		return NULL;
	return phys_to_virt(pa);
}

/* Write then read back one byte per page of [p, p + pages pages). */
static bool pages_usable(const void *p, size_t pages)
{
	for (size_t i = 0; i < pages; i++) {
		uint8_t *b = host_ptr((const char *)p + i * PAGE_SIZE + i);

		if (!b)
			return false;
		*b = (uint8_t)(0xa0 + i);
	}
	for (size_t i = 0; i < pages; i++)
		if (*host_ptr((const char *)p + i * PAGE_SIZE + i) !=
		    (uint8_t)(0xa0 + i))
			return false;
	return true;
}

/* Scenario: areas of 1, VMALLOC_MAP_BATCH (the last size built in one
 * section) and VMALLOC_MAP_BATCH + 1 pages (the first built batch by
 * batch), written and read through the table, then freed and purged.
 * Expect every page mapped to its own frame, the statistics counting
 * each area once, vmalloc_check clean, and every page back after the
 * purge. */
static void sizes_around_the_batch(struct ktest *t)
{
	static const size_t sizes[] = { 1, VMALLOC_MAP_BATCH,
					VMALLOC_MAP_BATCH + 1 };
	struct vmalloc_stats st;
	void *p[3];
	uint64_t free0;

	KTEST_ASSERT_EQ(t, setup(), 0);
	vfree(vmalloc(PAGE_SIZE)); /* warm the metadata pools */
	vmalloc_purge();
	free0 = pages_accounted();
	for (int i = 0; i < 3; i++) {
		p[i] = vmalloc(sizes[i] * PAGE_SIZE);
		KTEST_ASSERT_NOT_NULL(t, p[i]);
		KTEST_EXPECT(t, pages_usable(p[i], sizes[i]));
		KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	}
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.nr_areas, 3);
	KTEST_EXPECT_EQ(t, st.nr_pages, 1 + 2 * VMALLOC_MAP_BATCH + 1);
	for (int i = 0; i < 3; i++)
		vfree(p[i]);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vmalloc_purge();
	KTEST_EXPECT_EQ(t, pages_accounted(), free0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	teardown();
}

/* Scenario: a 4-page vmalloc whose third frame fails (fail_page_alloc
 * lets two pages through, then fails once), with nothing lazily freed
 * to purge; then the same with one lazily freed area held, and again
 * failing on a page-table page for a new 2 MiB region. Expect NULL the
 * first time with the two frames given back; the second time the purge
 * and one retry, which succeeds; NULL the third time with the frames,
 * range and descriptor given back; vmalloc_check clean after each. */
static void failures_give_back(struct ktest *t)
{
	struct vmalloc_stats st;
	uint64_t free0;
	void *p, *q;

	KTEST_ASSERT_EQ(t, setup(), 0);
	vfree(vmalloc(PAGE_SIZE));
	vmalloc_purge();
	free0 = pages_accounted();

	KTEST_ASSERT_EQ(
		t, fault_attr_parse(&fail_page_alloc, "1,100,2,1", NULL), 0);
	fail_alloc_arm(true);
	p = __vmalloc(4 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
	fail_alloc_arm(false);
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, fail_page_alloc.injected, 1);
	KTEST_EXPECT_EQ(t, pages_accounted(), free0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);

	q = vmalloc(PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, q);
	vfree(q); /* lazily held: the failure below purges and retries */
	KTEST_ASSERT_EQ(
		t, fault_attr_parse(&fail_page_alloc, "1,100,2,1", NULL), 0);
	fail_alloc_arm(true);
	p = __vmalloc(4 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
	fail_alloc_arm(false);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT(t, pages_usable(p, 4));
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.purges, 2);
	KTEST_EXPECT_EQ(t, st.nr_areas, 1);
	KTEST_EXPECT_EQ(t, st.lazy_areas, 0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(p);
	vmalloc_purge();
	KTEST_EXPECT_EQ(t, pages_accounted(), free0);

	/* No tables are left after the purge: the L1 table page fails. */
	host_pt_fail_after = 0;
	p = __vmalloc(4 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
	host_pt_fail_after = HOST_PT_POOL_NEVER_FAIL;
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, pages_accounted(), free0);
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.nr_areas, 0);
	KTEST_EXPECT_EQ(t, st.failures, 2);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	p = vmalloc(4 * PAGE_SIZE);
	KTEST_EXPECT(t, p != NULL);
	vfree(p);
	teardown();
}

static const struct ktest_case vmalloc_small_cases[] = {
	KTEST_CASE(sizes_around_the_batch),
	KTEST_CASE(failures_give_back),
	KTEST_END,
};
static const struct ktest_suite vmalloc_small_suite = { "vmalloc_small",
							vmalloc_small_cases,
							NULL, NULL };

KTEST_HOST_MAIN(&vmalloc_small_suite)
