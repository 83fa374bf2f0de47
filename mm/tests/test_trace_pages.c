// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the page_trace events of mm/trace.h: trace_page_alloc()
 * and trace_page_free() print "page: alloc 0x<pfn> <pages>" and "page:
 * free 0x<pfn>" only while MM_TRACE_PAGES is set, independently of the
 * console's groups (buddy, slab, vmalloc). The lines are the input
 * harness/record_trace.py converts for make buddy-compare. They are
 * captured (lib/tests/host_capture.h) for the whole suite.
 */
#include <stdio.h>
#include <string.h>

#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/tests/host_arch.h"
#include "mm/trace.h"

#define FAKE_BASE 0x80000000UL
#define FAKE_SIZE (16UL << 20)

/* The "page: " lines are kept (printk emits whole lines). */
static bool is_page_line(const char *s, size_t len)
{
	return len >= 6 && memcmp(s, "page: ", 6) == 0;
}

/* The rest (the suite's KTAP lines) goes on to the console. */
static bool not_page_line(const char *s, size_t len)
{
	return !is_page_line(s, len);
}

static int pages_init(void)
{
	host_phys_init_buddy(FAKE_BASE, FAKE_SIZE);
	capture_start_keep(is_page_line, not_page_line);
	return 0;
}

static void pages_exit(void)
{
	mm_trace_set(0);
	capture_stop();
}

/* Scenario: the events fired by hand for an allocated block, with the
 * mask off, with every console group on, then with MM_TRACE_PAGES alone.
 * Expect silence twice, then exactly the two lines naming the block's
 * pfn in hex and the pages asked for. */
static void trace_pages_lines(struct ktest *t)
{
	struct page *p = alloc_pages(GFP_KERNEL, 2);
	char want[96];

	KTEST_ASSERT_NOT_NULL(t, p);
	mm_trace_set(0);
	capture_clear();
	trace_page_alloc(p, 3);
	trace_page_free(p);
	KTEST_EXPECT_EQ(t, capture_len(), 0);
	mm_trace_set(MM_TRACE_BUDDY | MM_TRACE_SLAB | MM_TRACE_VMALLOC);
	trace_page_alloc(p, 3);
	trace_page_free(p);
	KTEST_EXPECT_EQ(t, capture_len(), 0);
	mm_trace_set(MM_TRACE_PAGES);
	KTEST_EXPECT_EQ(t, mm_trace_get(), MM_TRACE_PAGES);
	trace_page_alloc(p, 3);
	trace_page_free(p);
	snprintf(want, sizeof(want), "page: alloc 0x%lx 3\npage: free 0x%lx\n",
		 (unsigned long)page_to_pfn(p), (unsigned long)page_to_pfn(p));
	KTEST_EXPECT_STREQ(t, capture_text(), want);
	mm_trace_set(0);
	__free_pages(p, 2);
}

/* Scenario: mm_trace_set(~0u). Expect MM_TRACE_PAGES among the bits
 * kept (it is part of MM_TRACE_ALL) and nothing beyond MM_TRACE_ALL. */
static void trace_pages_in_mask(struct ktest *t)
{
	mm_trace_set(~0u);
	KTEST_EXPECT_EQ(t, mm_trace_get() & MM_TRACE_PAGES, MM_TRACE_PAGES);
	KTEST_EXPECT_EQ(t, mm_trace_get() & ~MM_TRACE_ALL, 0);
	mm_trace_set(0);
}

static const struct ktest_case pages_cases[] = {
	KTEST_CASE(trace_pages_lines),
	KTEST_CASE(trace_pages_in_mask),
	KTEST_END,
};
static const struct ktest_suite pages_suite = { "trace_pages", pages_cases,
						pages_init, pages_exit };

KTEST_HOST_MAIN(&pages_suite)
