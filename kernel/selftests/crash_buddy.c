// SPDX-License-Identifier: BSD-2-Clause
/*
 * crash= kinds for the page allocator: misuse the buddy allocator must
 * report with one "BUG: ..." line and refuse. Each kind returns, so the
 * kernel goes on and powers off with status 0; it prints the result of
 * buddy_check() afterwards to show that nothing was corrupted.
 */
#include "kernel/crash.h"
#include "lib/printk.h"
#include "mm/buddy.h"

static void after(const char *kind)
{
	printk("crash: %s: buddy_check() = %d\n", kind, buddy_check());
}

/* Free an order-0 page twice: "BUG: double free pfn 0x... order 0 caller
 * 0x...". */
static void crash_page_double_free(void)
{
	struct page *p = alloc_page(GFP_KERNEL);

	if (!p) {
		printk("crash: page_double_free: no page to allocate\n");
		return;
	}
	__free_page(p);
	__free_page(p);
	after("page_double_free");
}
CRASH_REGISTER("page_double_free", crash_page_double_free);

/*
 * Free an order-2 block as order 1, then correctly:
 * "BUG: free with wrong order (allocated with 2) pfn 0x... order 1 caller
 * 0x...".
 */
static void crash_page_wrong_order(void)
{
	struct page *p = alloc_pages(GFP_KERNEL, 2);

	if (!p) {
		printk("crash: page_wrong_order: no block to allocate\n");
		return;
	}
	__free_pages(p, 1);
	__free_pages(p, 2);
	after("page_wrong_order");
}
CRASH_REGISTER("page_wrong_order", crash_page_wrong_order);
