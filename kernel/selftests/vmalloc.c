// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=vmalloc: vmalloc on the live kernel page table, with real
 * loads and stores through the new mappings. Sized from buddy_stats so
 * that it runs at any RAM size the kernel boots with (256 MiB, 2 GiB).
 * Every case ends with vmalloc_check() clean, and the frame accounting
 * is exact: buddy free pages plus vmalloc's metadata pages are the same
 * before an allocation and after its free and a vmalloc_purge() (vfree
 * is lazy: frames and emptied table pages come back at the purge).
 */
#include "kernel/arch.h"
#include "kernel/selftest.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/printk.h"
#include "lib/rand.h"
#include "lib/string.h"
#include "mm/arch.h"
#include "mm/buddy.h"
#include "mm/kspace.h"
#include "mm/layout.h"
#include "mm/vmalloc.h"

#define BIG_SIZE (64UL << 20)
#define ORDER_1M 8 /* 1 MiB = 2^8 pages */

/*
 * Free frames as vmalloc's accounting sees them (see above), with
 * nothing lazily held: purges first.
 */
static uint64_t frames_free(void)
{
	struct buddy_stats bs;
	struct vmalloc_stats vs;

	vmalloc_purge();
	buddy_stats(&bs);
	vmalloc_get_stats(&vs);
	return bs.free + vs.meta_pages;
}

/* The kernel table's table pages with nothing lazily held. */
static size_t table_pages(void)
{
	vmalloc_purge();
	return kspace_pgtable()->table_pages;
}

static uint64_t pattern(uint64_t off, uint64_t seed)
{
	return (off * 0x9e3779b97f4a7c15ULL) ^ seed;
}

/* Write pattern words over [p, p + size); return the first bad offset
 * on read-back, or size. */
static size_t fill_and_verify(uint64_t *p, size_t size, uint64_t seed)
{
	size_t n = size / sizeof(*p);

	for (size_t i = 0; i < n; i++)
		p[i] = pattern(i, seed);
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(i, seed))
			return i * sizeof(*p);
	return size;
}

static bool contains(const char *s, const char *part)
{
	size_t n = strlen(part);

	for (; *s; s++)
		if (strncmp(s, part, n) == 0)
			return true;
	return false;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t ls = strlen(s), lt = strlen(tail);

	return ls >= lt && strcmp(s + ls - lt, tail) == 0;
}

/* Pages in the largest free block in any zone (any policy), or 0. */
static uint64_t largest_free_pages(void)
{
	for (unsigned int c = buddy_nr_classes(); c-- > 0;)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			if (buddy_zone_nr_free(z, c))
				return buddy_class_pages(c);
	return 0;
}

/*
 * Scenario: physical memory fragmented (every free page allocated as
 * order 0, then every page with an even pfn freed: no two free frames
 * are neighbours, so no 1 MiB block is free), then vmalloc(64 MiB)
 * written and read in full, then vfree. Expect the allocation to succeed,
 * no two consecutive pages of the area to be physically adjacent, the
 * data intact, and every frame and page-table page back after vfree.
 */
static void vmalloc_fragmented_64m(struct ktest *t)
{
	struct list_head held = LIST_HEAD_INIT(held);
	struct list_head *l, *n;
	struct page *page;
	uint64_t before, tables, held_pages = 0, adjacent = 0;
	uint64_t *p;
	size_t bad;

	while ((page = alloc_page(GFP_KERNEL | __GFP_NOWARN)) != NULL) {
		list_add(&page->lru, &held);
		held_pages++;
	}
	list_for_each_safe (l, n, &held) {
		page = list_entry(l, struct page, lru);
		if (page_to_pfn(page) % 2 == 0) {
			list_del(&page->lru);
			__free_page(page);
			held_pages--;
		}
	}
	ktest_info(t,
		   "fragmented: %lu frames held, %lu free, largest free "
		   "block %lu pages",
		   (unsigned long)held_pages, (unsigned long)frames_free(),
		   (unsigned long)largest_free_pages());
	KTEST_EXPECT_LT(t, largest_free_pages(), 1UL << ORDER_1M);
	if (frames_free() < BIG_SIZE / PAGE_SIZE + 128) {
		ktest_skip(t, "not enough RAM for 64 MiB after fragmenting");
		goto out;
	}

	before = frames_free();
	tables = table_pages();
	p = vmalloc(BIG_SIZE);
	KTEST_EXPECT(t, p != NULL);
	if (!p)
		goto out;
	for (size_t off = PAGE_SIZE; off < BIG_SIZE; off += PAGE_SIZE)
		if (page_to_pfn(vmalloc_to_page((char *)p + off)) ==
		    page_to_pfn(vmalloc_to_page((char *)p + off - PAGE_SIZE)) +
			    1)
			adjacent++;
	KTEST_EXPECT_EQ(t, adjacent, 0);
	bad = fill_and_verify(p, BIG_SIZE, 0x64);
	KTEST_EXPECT_EQ(t, bad, BIG_SIZE);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(p);
	KTEST_EXPECT_EQ(t, frames_free(), before);
	KTEST_EXPECT_EQ(t, table_pages(), tables);
out:
	list_for_each_safe (l, n, &held) {
		page = list_entry(l, struct page, lru);
		list_del(&page->lru);
		__free_page(page);
	}
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Scenario: areas of 1, 2, 3, 511, 512 and 1024 pages (the last ones
 * cross 2 MiB table boundaries) allocated together, then freed. Expect
 * each mapped and writable, and after the frees and a purge the buddy
 * free count and the kernel page table's table pages exactly as before.
 */
static void vmalloc_vfree_returns_everything(struct ktest *t)
{
	static const size_t pages[] = { 1, 2, 3, 511, 512, 1024 };
	void *p[ARRAY_SIZE(pages)] = { NULL };
	uint64_t before = frames_free();
	size_t tables = table_pages();

	for (size_t i = 0; i < ARRAY_SIZE(pages); i++) {
		p[i] = vmalloc(pages[i] * PAGE_SIZE);
		KTEST_ASSERT_GOTO(t, p[i] != NULL, out);
		KTEST_EXPECT_EQ(t,
				fill_and_verify(p[i], pages[i] * PAGE_SIZE, i),
				pages[i] * PAGE_SIZE);
	}
	KTEST_EXPECT_GT(t, kspace_pgtable()->table_pages, tables);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
out:
	for (size_t i = 0; i < ARRAY_SIZE(pages); i++)
		vfree(p[ARRAY_SIZE(pages) - 1 - i]); /* NULL is ignored */
	KTEST_EXPECT_EQ(t, frames_free(), before);
	KTEST_EXPECT_EQ(t, table_pages(), tables);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Scenario: 4000 random steps over 48 slots: vmalloc of 1 byte to 256
 * KiB (sometimes vzalloc), filled with the slot's pattern; or vfree after
 * checking the pattern, in random order. Expect the data of every area
 * intact until its free, vzalloc memory zero, vmalloc_check clean every
 * 100 steps, and all frames back at the end.
 */
static void vmalloc_many_sizes_many_orders(struct ktest *t)
{
	enum { SLOTS = 48 };
	static struct {
		uint64_t *p;
		size_t size;
	} s[SLOTS];
	struct rand_state r;
	uint64_t before = frames_free();

	rand_seed(&r, 0x766d);
	memset(s, 0, sizeof(s));
	for (int step = 0; step < 4000 && !t->failures; step++) {
		unsigned int k = rand_below(&r, SLOTS);

		if (s[k].p) {
			size_t n = s[k].size / 8;

			for (size_t i = 0; i < n; i++)
				if (s[k].p[i] != pattern(i, k)) {
					KTEST_EXPECT_EQ(t, s[k].p[i],
							pattern(i, k));
					break;
				}
			vfree(s[k].p);
			s[k].p = NULL;
		} else {
			size_t size = 1 + rand_below(&r, rand_below(&r, 8)
								 ? 4 * PAGE_SIZE
								 : 256 << 10);
			bool zero = rand_below(&r, 4) == 0;

			s[k].p = zero ? vzalloc(size) : vmalloc(size);
			s[k].size = size;
			KTEST_EXPECT(t, s[k].p != NULL);
			if (!s[k].p)
				break;
			if (zero)
				for (size_t i = 0; i < size / 8; i++)
					if (s[k].p[i]) {
						KTEST_EXPECT_EQ(t, s[k].p[i],
								0);
						break;
					}
			for (size_t i = 0; i < size / 8; i++)
				s[k].p[i] = pattern(i, k);
		}
		if (step % 100 == 0)
			KTEST_EXPECT(t, vmalloc_check() == 0);
	}
	for (unsigned int k = 0; k < SLOTS; k++) {
		vfree(s[k].p);
		s[k].p = NULL;
	}
	KTEST_EXPECT_EQ(t, frames_free(), before);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Scenario: 8 frames from the buddy allocator mapped with vmap in a
 * shuffled order, written through the alias. Expect the bytes visible
 * through each frame's linear-map address (page_address), vmalloc_to_page
 * naming the chosen frames, the guard page unmapped, and vunmap leaving
 * the frames allocated and intact.
 */
static void vmalloc_vmap_alias(struct ktest *t)
{
	static const unsigned int order[8] = { 5, 2, 7, 0, 3, 6, 1, 4 };
	struct page *frames[8] = { NULL }, *pages[8];
	uint8_t *m;
	paddr_t pa;
	unsigned int prot;

	for (int i = 0; i < 8; i++) {
		frames[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KTEST_ASSERT_GOTO(t, frames[i] != NULL, out);
	}
	for (int i = 0; i < 8; i++)
		pages[i] = frames[order[i]];
	m = vmap(pages, 8, PROT_RW);
	KTEST_ASSERT_GOTO(t, m != NULL, out);
	KTEST_EXPECT(t, is_vmalloc_addr(m));
	for (int i = 0; i < 8; i++) {
		KTEST_EXPECT(t, vmalloc_to_page(m + i * PAGE_SIZE + 100) ==
					pages[i]);
		m[i * PAGE_SIZE + 100] = (uint8_t)(0x50 + i);
	}
	for (int i = 0; i < 8; i++)
		KTEST_EXPECT_EQ(t, ((uint8_t *)page_address(pages[i]))[100],
				0x50 + i);
	KTEST_EXPECT(t, vmalloc_to_page(m + 8 * PAGE_SIZE) == NULL);
	KTEST_EXPECT_EQ(
		t, pt_lookup(kspace_pgtable(), (vaddr_t)m, &pa, &prot, NULL),
		0);
	KTEST_EXPECT_EQ(t, prot & (PROT_RW | PROT_EXEC), PROT_RW);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vunmap(m);
	KTEST_EXPECT(t, vmalloc_to_page(m) == NULL);
	for (int i = 0; i < 8; i++)
		KTEST_EXPECT_EQ(t, ((uint8_t *)page_address(pages[i]))[100],
				0x50 + i);
out:
	for (int i = 0; i < 8; i++)
		if (frames[i])
			__free_page(frames[i]);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

static unsigned int bug_lines;
static printk_sink_fn saved_sink;

static void counting_sink(const char *s, size_t len)
{
	if (len >= 5 && memcmp(s, "BUG: ", 5) == 0)
		bug_lines++;
	if (saved_sink)
		saved_sink(s, len);
}

/*
 * Scenario: vfree of an address inside an area, of its guard page, of a
 * freed area (double free), of a vmap area, of a kernel data address and
 * of an unused vmalloc address; vunmap of a vmalloc area. Expect one
 * "BUG: ..." line each, the bug counter up by 7, and nothing freed: the
 * area still mapped with its data, the free frame count unchanged.
 */
static void vmalloc_bad_vfree_refused(struct ktest *t)
{
	static int kernel_data;
	struct vmalloc_stats before, after;
	struct page *frame = alloc_page(GFP_KERNEL);
	uint64_t *p, *q, *m;
	uint64_t free_before;

	KTEST_ASSERT(t, frame != NULL);
	p = vmalloc(2 * PAGE_SIZE);
	q = vmalloc(PAGE_SIZE);
	m = vmap(&frame, 1, PROT_RW);
	KTEST_ASSERT(t, p && q && m);
	p[0] = 0x1122334455667788ULL;
	vfree(q);
	vmalloc_get_stats(&before);
	free_before = frames_free();

	bug_lines = 0;
	saved_sink = printk_set_sink(counting_sink);
	vfree((char *)p + 8);
	vfree((char *)p + 2 * PAGE_SIZE);
	vfree(q);
	vfree(m);
	vfree(&kernel_data);
	vfree((void *)(MMU_SCRATCH_START - PAGE_SIZE));
	vunmap(p);
	printk_set_sink(saved_sink);

	vmalloc_get_stats(&after);
	KTEST_EXPECT_EQ(t, bug_lines, 7);
	KTEST_EXPECT_EQ(t, after.bugs, before.bugs + 7);
	KTEST_EXPECT_EQ(t, after.nr_areas, before.nr_areas);
	KTEST_EXPECT_EQ(t, frames_free(), free_before);
	KTEST_EXPECT_EQ(t, p[0], 0x1122334455667788ULL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(p);
	vunmap(m);
	__free_page(frame);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Scenario: is_vmalloc_addr, vmalloc_to_page and vmalloc_describe on a
 * 3-page area, its guard page, the area after vfree, and addresses
 * outside the range (kernel data, linear map, NULL). Expect true for
 * every vmalloc address mapped or not and false outside, vmalloc_to_page
 * equal to the frame whose linear-map alias shows the same bytes and NULL
 * for the guard, and the describe text naming the guard and freed area.
 */
static void vmalloc_addr_and_page_consistent(struct ktest *t)
{
	static int kernel_data;
	char buf[160];
	uint8_t *p;
	struct page *page;

	p = vmalloc(3 * PAGE_SIZE);
	KTEST_ASSERT(t, p != NULL);
	for (int i = 0; i < 3; i++) {
		p[i * PAGE_SIZE + 9] = (uint8_t)(0xc0 + i);
		page = vmalloc_to_page(p + i * PAGE_SIZE + 4000);
		KTEST_ASSERT(t, page != NULL);
		KTEST_EXPECT(t, page->flags & PG_vmalloc);
		KTEST_EXPECT_EQ(t, ((uint8_t *)page_address(page))[9],
				0xc0 + i);
	}
	KTEST_EXPECT(t, is_vmalloc_addr(p));
	KTEST_EXPECT(t, is_vmalloc_addr(p + 3 * PAGE_SIZE));
	KTEST_EXPECT(t, vmalloc_to_page(p + 3 * PAGE_SIZE) == NULL);
	KTEST_EXPECT(t, !is_vmalloc_addr(&kernel_data));
	KTEST_EXPECT(t, !is_vmalloc_addr(page_address(page)));
	KTEST_EXPECT(t, !is_vmalloc_addr(NULL));
	KTEST_EXPECT(t, vmalloc_to_page(&kernel_data) == NULL);

	KTEST_EXPECT(t, vmalloc_describe((vaddr_t)p + 3 * PAGE_SIZE + 1, buf,
					 sizeof(buf)));
	ktest_info(t, "guard: %s", buf);
	KTEST_EXPECT(t, memcmp(buf, "vmalloc area [0x", 16) == 0);
	KTEST_EXPECT(t, contains(buf, " size 12288 pages 3 caller 0x"));
	KTEST_EXPECT(t, ends_with(buf, " guard page"));
	vfree(p);
	KTEST_EXPECT(t, is_vmalloc_addr(p));
	KTEST_EXPECT(t, vmalloc_to_page(p) == NULL);
	KTEST_EXPECT(t, vmalloc_describe((vaddr_t)p, buf, sizeof(buf)));
	ktest_info(t, "after vfree: %s", buf);
	KTEST_EXPECT(t, memcmp(buf, "vmalloc area [0x", 16) == 0);
	KTEST_EXPECT(t, contains(buf, " freed area (freed by 0x"));
	KTEST_EXPECT(
		t, !vmalloc_describe((vaddr_t)&kernel_data, buf, sizeof(buf)));
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Scenario: a vmalloc area larger than the largest free block (the buddy
 * allocator's biggest block is 2^MAX_ORDER pages), with RAM not
 * fragmented. Expect success, its pages mapped in order with a
 * vmallocinfo line for it, and everything back after vfree.
 */
static void vmalloc_larger_than_max_block(struct ktest *t)
{
	size_t size = (PAGE_SIZE << MAX_ORDER) * 2 + 3 * PAGE_SIZE;
	uint64_t before = frames_free();
	uint64_t *p = vmalloc(size);

	KTEST_ASSERT(t, p != NULL);
	KTEST_EXPECT_EQ(t, fill_and_verify(p, size, 7), size);
	vmallocinfo_print();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(p);
	KTEST_EXPECT_EQ(t, frames_free(), before);
}

/*
 * Scenario: a 2-page area written, then vfree, then loads from both its
 * pages through arch_probe_read before and after vmalloc_purge. Expect
 * the area counted as lazily freed (frames held, not yet back in the
 * buddy allocator) and the loads to fault at once: vfree fences this
 * hart, so a use after free here never reads the old frame, purge or
 * not; after the purge nothing is lazily held and the frames are back.
 */
static void vmalloc_lazy_free_faults_at_once(struct ktest *t)
{
	struct vmalloc_stats vs;
	struct buddy_stats bs0, bs1;
	uint64_t before = frames_free();
	uint8_t *p = vmalloc(2 * PAGE_SIZE);
	uint8_t v = 0;

	KTEST_ASSERT(t, p != NULL);
	p[0] = 0x11;
	p[PAGE_SIZE] = 0x22;
	KTEST_EXPECT_EQ(t, arch_probe_read(p + PAGE_SIZE, &v), 0);
	KTEST_EXPECT_EQ(t, v, 0x22);
	buddy_stats(&bs0);
	vfree(p);
	buddy_stats(&bs1);
	vmalloc_get_stats(&vs);
	KTEST_EXPECT_EQ(t, vs.lazy_areas, 1);
	KTEST_EXPECT_EQ(t, vs.lazy_pages, 2);
	KTEST_EXPECT_EQ(t, bs1.free, bs0.free);
	KTEST_EXPECT_EQ(t, arch_probe_read(p, &v), -EFAULT);
	KTEST_EXPECT_EQ(t, arch_probe_read(p + PAGE_SIZE, &v), -EFAULT);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vmalloc_purge();
	vmalloc_get_stats(&vs);
	KTEST_EXPECT_EQ(t, vs.lazy_areas + vs.lazy_pages + vs.lazy_tables, 0);
	KTEST_EXPECT_EQ(t, arch_probe_read(p, &v), -EFAULT);
	KTEST_EXPECT_EQ(t, frames_free(), before);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

KTEST_NO_INJECT(vmalloc_bad_vfree_refused)

static const struct ktest_case vmalloc_cases[] = {
	KTEST_CASE(vmalloc_fragmented_64m),
	KTEST_CASE(vmalloc_vfree_returns_everything),
	KTEST_CASE(vmalloc_many_sizes_many_orders),
	KTEST_CASE(vmalloc_vmap_alias),
	KTEST_CASE_NO_INJECT(vmalloc_bad_vfree_refused),
	KTEST_CASE(vmalloc_addr_and_page_consistent),
	KTEST_CASE(vmalloc_larger_than_max_block),
	KTEST_CASE(vmalloc_lazy_free_faults_at_once),
	KTEST_END,
};

static const struct ktest_suite vmalloc_suite = { "vmalloc", vmalloc_cases,
						  NULL, NULL };
KTEST_SUITE_REGISTER(vmalloc_suite, 60);
