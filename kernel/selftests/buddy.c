// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=buddy: the page allocator on the machine's real memory. The
 * host tests (mm/tests/test_buddy.c) cover the same code on fake
 * layouts against a reference model; these cases check it with the
 * memory, zones and reservations QEMU actually gives the kernel, while
 * the kernel's own allocations are live. Each case leaves the free
 * counts and the buddyinfo histogram as it found them and ends with
 * buddy_check() == 0.
 *
 * Blocks a case holds are chained through page->lru, with the order in
 * page->private (both belong to the owner while a block is allocated),
 * so holding every page of memory needs no other storage
 * (kernel/selftests/buddy_held.h).
 *
 * Every case holds under each buddy policy (buddy=): page counts come
 * from the policy's block sizes (kernel/selftests/block_pages.h), never
 * from 2^order. What differs between the policies (the split walk of
 * the seeds' example, exact allocations) is selftest=buddy_policy.
 *
 * buddy_section_map is white-box: it reads the ranges and the lookup
 * tables (mm/buddy_internal.h) to know what every pfn should convert to.
 */
#include "kernel/selftest.h"
#include "kernel/selftests/block_pages.h"
#include "kernel/selftests/buddy_held.h"
#include "kernel/smp.h"
#include "lib/cpu.h"
#include "lib/fmt.h"
#include "lib/list.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/linear.h"

/* ------------------------------------------------------------ helpers */

static pfn_t block_end_pfn(const struct page *p, unsigned int order)
{
	return page_to_pfn(p) + order_block_pages(order);
}

static const pfn_t pfn_4g = SZ_4G >> PAGE_SHIFT;

/*
 * Misuse reports, counted through the bug hook, which may run on any
 * hart (buddy_smp_double_free): hence the atomics.
 */
static unsigned int bugs_seen;
static enum buddy_bug last_bug;

static void count_bug(enum buddy_bug bug, pfn_t pfn, unsigned int order)
{
	__atomic_store_n(&last_bug, bug, __ATOMIC_RELAXED);
	__atomic_fetch_add(&bugs_seen, 1, __ATOMIC_RELEASE);
}

/* Failure lines, counted by a sink that passes everything on. */
static printk_sink_fn next_sink;
static unsigned int fail_lines;

static void counting_sink(const char *s, size_t len)
{
	static const char tag[] = "page allocation failure: ";

	if (len >= sizeof(tag) - 1 && memcmp(s, tag, sizeof(tag) - 1) == 0)
		fail_lines++;
	if (next_sink)
		next_sink(s, len);
}

/* Expect `stmt` to be reported once as `kind` and to change nothing. */
#define EXPECT_REFUSED(t, kind, stmt)                                          \
	do {                                                                   \
		struct histo _h;                                               \
		unsigned int _seen = bugs_seen;                                \
		histo_take(&_h);                                               \
		stmt;                                                          \
		KTEST_EXPECT_EQ(t, bugs_seen, _seen + 1);                      \
		KTEST_EXPECT_EQ(t, last_bug, kind);                            \
		KTEST_EXPECT(t, histo_same(&_h));                              \
		KTEST_EXPECT_EQ(t, buddy_check(), 0);                          \
	} while (0)

static int buddy_suite_init(void)
{
	buddy_set_bug_hook(count_bug);
	return 0;
}

static void buddy_suite_exit(void)
{
	buddy_set_bug_hook(NULL);
}

/* ------------------------------------------------------------- cases */

/* Scenario: the counters at boot. Expect present >= managed >= free > 0,
 * at most 32 bytes of metadata per page (33 under the policies other
 * than binary: one tag byte per page, mm/buddy_classes.c), zone totals
 * that add up, and a consistent allocator. */
static void buddy_counters(struct ktest *t)
{
	struct buddy_stats st;

	buddy_stats(&st);
	KTEST_EXPECT_GT(t, st.free, 0);
	KTEST_EXPECT_LE(t, st.free, st.managed);
	KTEST_EXPECT_LE(t, st.managed, st.present);
	KTEST_EXPECT_EQ(
		t, buddy_zone_free(ZONE_DMA32) + buddy_zone_free(ZONE_NORMAL),
		st.free);
	KTEST_EXPECT_LE(t, buddy_metadata_per_page(),
			32 + (buddy_blocks_aligned() ? 0 : 1));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: allocate every free page of every zone, largest orders
 * first, stamp the first and last word of each page with its own
 * address, verify every stamp, free everything. Expect both zones empty
 * while held, all stamps intact (no page handed out twice), one failure
 * line for an allocation with warnings on, and the free counts and the
 * buddyinfo histogram back to their boot values.
 */
static void buddy_exhaust_all(struct ktest *t)
{
	struct list_head held = LIST_HEAD_INIT(held);
	struct histo boot;
	struct list_head *e;
	unsigned long pages = 0, bad = 0;
	struct page *p;

	histo_take(&boot);
	for (int o = MAX_ORDER; o >= 0; o--)
		while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, o))) {
			hold(&held, p, o);
			pages += order_block_pages(o);
		}
	KTEST_EXPECT_EQ(t, pages,
			boot.free[ZONE_DMA32] + boot.free[ZONE_NORMAL]);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_NORMAL), 0);

	next_sink = printk_set_sink(counting_sink);
	fail_lines = 0;
	p = alloc_page(GFP_KERNEL);
	printk_set_sink(next_sink);
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, fail_lines, 1);
	if (p) /* an injected failure ended the loop early */
		hold(&held, p, 0);

	list_for_each (e, &held) {
		p = list_entry(e, struct page, lru);
		for (uint64_t i = 0; i < order_block_pages(p->private); i++) {
			uint64_t *w = (uint64_t *)((char *)page_address(p) +
						   i * PAGE_SIZE);

			w[0] = (uintptr_t)&w[0];
			w[PAGE_SIZE / 8 - 1] = (uintptr_t)&w[PAGE_SIZE / 8 - 1];
		}
	}
	list_for_each (e, &held) {
		p = list_entry(e, struct page, lru);
		for (uint64_t i = 0; i < order_block_pages(p->private); i++) {
			uint64_t *w = (uint64_t *)((char *)page_address(p) +
						   i * PAGE_SIZE);

			bad += w[0] != (uintptr_t)&w[0];
			bad += w[PAGE_SIZE / 8 - 1] !=
			       (uintptr_t)&w[PAGE_SIZE / 8 - 1];
		}
	}
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	release_all(&held);
	KTEST_EXPECT(t, histo_same(&boot));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: drain ZONE_DMA32 with GFP_DMA32 in mixed orders. Expect no
 * block ending above 4 GiB, DMA32 empty, NORMAL untouched, the next
 * GFP_DMA32 request failing, and everything back after the frees.
 */
static void buddy_dma32_below_4g(struct ktest *t)
{
	struct list_head held = LIST_HEAD_INIT(held);
	struct histo boot;
	unsigned long above = 0;
	struct page *p;

	histo_take(&boot);
	for (int o = MAX_ORDER; o >= 0; o--)
		while ((p = alloc_pages(GFP_DMA32 | __GFP_NOWARN, o))) {
			above += block_end_pfn(p, o) > pfn_4g;
			hold(&held, p, o);
		}
	KTEST_EXPECT_EQ(t, above, 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_NORMAL),
			boot.free[ZONE_NORMAL]);
	p = alloc_page(GFP_DMA32 | __GFP_NOWARN);
	KTEST_EXPECT(t, p == NULL);
	if (p) /* an injected failure ended the loop early */
		hold(&held, p, 0);
	if (buddy_zone_free(ZONE_NORMAL)) {
		p = alloc_page(GFP_KERNEL);
		KTEST_EXPECT(t, p && page_to_pfn(p) >= pfn_4g);
		if (p)
			__free_page(p);
	}
	release_all(&held);
	KTEST_EXPECT(t, histo_same(&boot));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: GFP_KERNEL with memory above 4 GiB. Expect ZONE_NORMAL
 * preferred (skipped when the machine has no memory there). */
static void buddy_kernel_prefers_normal(struct ktest *t)
{
	struct page *p;

	if (!buddy_zone_free(ZONE_NORMAL)) {
		ktest_skip(t, "no free memory above 4 GiB");
		return;
	}
	for (unsigned int o = 0; o <= 4; o++) {
		p = alloc_pages(GFP_KERNEL, o);
		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_EXPECT_GE(t, page_to_pfn(p), pfn_4g);
		__free_pages(p, o);
	}
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static bool all_zero(const void *p, size_t n)
{
	const uint64_t *w = p;

	for (size_t i = 0; i < n / 8; i++)
		if (w[i])
			return false;
	return true;
}

/* Scenario: dirty blocks freed and reallocated with __GFP_ZERO, a max
 * order zeroed block, and get_zeroed_page. Expect every byte zero. */
static void buddy_zeroed(struct ktest *t)
{
	struct page *p;
	unsigned long a;

	p = alloc_pages(GFP_KERNEL, 3);
	KTEST_ASSERT_NOT_NULL(t, p);
	memset(page_address(p), 0xa5, 8 * PAGE_SIZE);
	__free_pages(p, 3);
	p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 3);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT(t, all_zero(page_address(p), 8 * PAGE_SIZE));
	memset(page_address(p), 0x5a, 8 * PAGE_SIZE);
	__free_pages(p, 3);

	a = get_zeroed_page(GFP_KERNEL);
	KTEST_ASSERT(t, a != 0);
	KTEST_EXPECT(t, all_zero((void *)a, PAGE_SIZE));
	free_page(a);

	p = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, MAX_ORDER);
	if (p) {
		KTEST_EXPECT(t,
			     all_zero(page_address(p), PAGE_SIZE << MAX_ORDER));
		__free_pages(p, MAX_ORDER);
	}
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: a block freed twice, and again after it has coalesced.
 * Expect each reported as a double free and refused. */
static void buddy_misuse_double_free(struct ktest *t)
{
	struct page *a, *b;

	a = alloc_pages(GFP_KERNEL, 1);
	b = alloc_pages(GFP_KERNEL, 1);
	if (!a || !b) {
		if (a)
			__free_pages(a, 1);
		if (b)
			__free_pages(b, 1);
		KTEST_ASSERT(t, a && b);
	}
	__free_pages(b, 1);
	EXPECT_REFUSED(t, BUDDY_BUG_DOUBLE_FREE, __free_pages(b, 1));
	__free_pages(a, 1);
	EXPECT_REFUSED(t, BUDDY_BUG_DOUBLE_FREE, __free_pages(a, 1));
	EXPECT_REFUSED(t, BUDDY_BUG_DOUBLE_FREE,
		       free_pages((unsigned long)page_address(b), 1));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: an order-2 block freed with the wrong orders and an invalid
 * one, and pages inside it freed. Expect each reported and refused, then
 * the right free to work. */
static void buddy_misuse_wrong_order_inside(struct ktest *t)
{
	struct page *p = alloc_pages(GFP_KERNEL, 2);

	KTEST_ASSERT_NOT_NULL(t, p);
	EXPECT_REFUSED(t, BUDDY_BUG_WRONG_ORDER, __free_pages(p, 1));
	EXPECT_REFUSED(t, BUDDY_BUG_WRONG_ORDER, __free_pages(p, 3));
	EXPECT_REFUSED(t, BUDDY_BUG_BAD_ORDER, __free_pages(p, MAX_ORDER + 1));
	EXPECT_REFUSED(t, BUDDY_BUG_INSIDE_BLOCK, __free_pages(p + 1, 0));
	EXPECT_REFUSED(t, BUDDY_BUG_INSIDE_BLOCK, __free_pages(p + 2, 1));
	__free_pages(p, 2);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: frees of a reserved page (the one holding a descriptor), an
 * unaligned address, and an address that is not RAM. Expect each
 * reported with its kind and refused. */
static void buddy_misuse_reserved_unaligned(struct ktest *t)
{
	struct page *p = alloc_page(GFP_KERNEL);
	unsigned long addr;

	KTEST_ASSERT_NOT_NULL(t, p);
	addr = (unsigned long)page_address(p);
	EXPECT_REFUSED(t, BUDDY_BUG_RESERVED, __free_pages(virt_to_page(p), 0));
	EXPECT_REFUSED(t, BUDDY_BUG_UNALIGNED, free_page(addr + 8));
	EXPECT_REFUSED(t, BUDDY_BUG_UNALIGNED, free_pages(addr + 2048, 1));
	if (!pfn_valid(1)) /* pfn 0 could map to address 0, a no-op */
		EXPECT_REFUSED(
			t, BUDDY_BUG_NOT_RAM,
			free_page((unsigned long)phys_to_virt(PAGE_SIZE)));
	EXPECT_REFUSED(t, BUDDY_BUG_NOT_RAM, __free_pages(NULL, 0));
	free_page(addr);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: requests that cannot succeed (order MAX_ORDER + 1, with and
 * without __GFP_NOWARN). Expect NULL, exactly one failure line for the
 * one that warns, and allocation still working. */
static void buddy_failure_recovers(struct ktest *t)
{
	struct buddy_stats before, after;
	struct page *p;

	buddy_stats(&before);
	next_sink = printk_set_sink(counting_sink);
	fail_lines = 0;
	p = alloc_pages(GFP_KERNEL, MAX_ORDER + 1);
	KTEST_EXPECT(t, p == NULL);
	p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER + 1);
	KTEST_EXPECT(t, p == NULL);
	printk_set_sink(next_sink);
	KTEST_EXPECT_EQ(t, fail_lines, 1);
	buddy_stats(&after);
	KTEST_EXPECT_EQ(t, after.failures, before.failures + 2);
	KTEST_EXPECT_EQ(t, after.free, before.free);
	p = alloc_page(GFP_KERNEL);
	KTEST_EXPECT(t, p != NULL);
	if (p)
		__free_page(p);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: conversions on a sample of real pages. Expect pfn, page and
 * address to round-trip. */
static void buddy_conversions(struct ktest *t)
{
	struct page *p = alloc_pages(GFP_KERNEL, 4);
	pfn_t pfn;

	KTEST_ASSERT_NOT_NULL(t, p);
	pfn = page_to_pfn(p);
	for (unsigned int i = 0; i < 16; i++) {
		char *va = (char *)page_address(p) + i * PAGE_SIZE;

		KTEST_EXPECT(t, pfn_to_page(pfn + i) == p + i);
		KTEST_EXPECT(t, virt_to_page(va + 123) == p + i);
		KTEST_EXPECT_EQ(t, virt_to_phys(va), pfn_to_paddr(pfn + i));
	}
	__free_pages(p, 4);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* The range holding pfn, by a walk of the ranges from *ri (pfns must
 * come in ascending order); NULL in a hole. */
static const struct buddy_range *range_walk(pfn_t pfn, unsigned int *ri)
{
	while (*ri < buddy.nr_ranges &&
	       buddy_range_end(&buddy_ranges[*ri]) <= pfn)
		(*ri)++;
	if (*ri < buddy.nr_ranges && buddy_ranges[*ri].start_pfn <= pfn)
		return &buddy_ranges[*ri];
	return NULL;
}

/*
 * Scenario: the lookup tables on the machine's own memory layout. Walk
 * every pfn of every section from base_pfn to the section after the
 * last RAM: RAM pfns must convert to their own descriptor and back by
 * pfn and by address (first and last byte of the page), hole pfns
 * (including those in sections a range starts or ends inside) must give
 * NULL. Count the sections with a fast entry. Expect no mismatch,
 * exactly the sections wholly inside a range to be fast, and
 * buddy_check() == 0 (which checks I10).
 */
static void buddy_section_map(struct ktest *t)
{
	const struct buddy_range *last = &buddy_ranges[buddy.nr_ranges - 1];
	pfn_t base = mem_sections.base_pfn;
	pfn_t end =
		ALIGN_UP(buddy_range_end(last), SECTION_PAGES) + SECTION_PAGES;
	unsigned long bad = 0, holes = 0, fast = 0, whole = 0, used = 0;
	unsigned int ri = 0;

	KTEST_ASSERT(t, buddy.nr_ranges > 0);
	KTEST_EXPECT_EQ(t, base,
			ALIGN_DOWN(buddy_ranges[0].start_pfn, SECTION_PAGES));
	for (pfn_t pfn = base; pfn < end; pfn++) {
		const struct buddy_range *r = range_walk(pfn, &ri);
		struct page *want = r ? &r->map[pfn - r->start_pfn] : NULL;
		char *va = phys_to_virt(pfn_to_paddr(pfn));
		bool ok = pfn_to_page(pfn) == want && pfn_valid(pfn) == !!r &&
			  virt_to_page(va) == want &&
			  virt_to_page(va + PAGE_SIZE - 1) == want;

		if (r)
			ok = ok && page_to_pfn(want) == pfn &&
			     page_address(want) == va;
		else
			holes++;
		if (!ok && bad++ < 4)
			ktest_info(t, "pfn 0x%lx converts wrongly", pfn);
	}
	for (unsigned int i = 0; i < buddy.nr_ranges; i++) {
		const struct buddy_range *r = &buddy_ranges[i];
		pfn_t s = ALIGN_UP(r->start_pfn, SECTION_PAGES);
		pfn_t e = ALIGN_DOWN(buddy_range_end(r), SECTION_PAGES);

		whole += e > s ? (e - s) >> SECTION_PFN_SHIFT : 0;
	}
	for (unsigned long s = 0; s < NR_MEM_SECTIONS; s++)
		fast += mem_sections.section_map[s] != NULL;
	used = (end - base) >> SECTION_PFN_SHIFT;
	ktest_info(t,
		   "%u ranges, %lu sections from pfn 0x%lx, %lu fast; %lu hole "
		   "pfns checked",
		   buddy.nr_ranges, used - 1, base, fast, holes);
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, fast, whole);
	KTEST_EXPECT(t, pfn_to_page(end) == NULL && !pfn_valid(base - 1));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* ------------------------------------------------- several harts */

#define SMP_RACE_ROUNDS 200

struct smp_race {
	struct page *page;
	unsigned int order;
};

/* Run by smp_call_all on every online hart: CPUs 0 and 1 free. */
static void smp_race_free(void *arg)
{
	const struct smp_race *r = arg;

	if (cpu_id() < 2)
		__free_pages(r->page, r->order);
}

/* "BUG: " lines, counted and not printed (two hundred of them). */
static unsigned int bug_lines;

static void bug_line_sink(const char *s, size_t len)
{
	if (len >= 5 && memcmp(s, "BUG: ", 5) == 0) {
		bug_lines++; /* the sink runs under printk_lock */
		return;
	}
	if (next_sink)
		next_sink(s, len);
}

/*
 * Scenario: with two harts or more online, 200 rounds in which CPUs 0
 * and 1 free the same block (orders 0..3) at the same time through
 * smp_call_all. Expect each round to give exactly one free and one
 * double-free report (hook and "BUG: " line), and after all of them
 * the free counts and the buddyinfo histogram as at the start and
 * buddy_check() == 0. Skipped with one hart.
 */
static void buddy_smp_double_free(struct ktest *t)
{
	struct smp_race r;
	struct histo boot;
	unsigned int seen, missing = 0;

	if (smp_num_online() < 2) {
		ktest_skip(t, "needs 2 harts online");
		return;
	}
	histo_take(&boot);
	seen = __atomic_load_n(&bugs_seen, __ATOMIC_ACQUIRE);
	bug_lines = 0;
	next_sink = printk_set_sink(bug_line_sink);
	for (unsigned int i = 0; i < SMP_RACE_ROUNDS; i++) {
		unsigned int before =
			__atomic_load_n(&bugs_seen, __ATOMIC_ACQUIRE);

		r.order = i % 4;
		r.page = alloc_pages(GFP_KERNEL, r.order);
		if (!r.page)
			break;
		smp_call_all(smp_race_free, &r);
		missing += __atomic_load_n(&bugs_seen, __ATOMIC_ACQUIRE) !=
			   before + 1;
	}
	printk_set_sink(next_sink);
	KTEST_EXPECT_EQ(t, missing, 0);
	KTEST_EXPECT_EQ(t, __atomic_load_n(&bugs_seen, __ATOMIC_ACQUIRE),
			seen + SMP_RACE_ROUNDS);
	KTEST_EXPECT_EQ(t, bug_lines, SMP_RACE_ROUNDS);
	KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_DOUBLE_FREE);
	KTEST_EXPECT(t, histo_same(&boot));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* The last "meminfo: " line printed, captured by meminfo_sink. */
static char meminfo_line[128];

static void meminfo_sink(const char *s, size_t len)
{
	static const char tag[] = "meminfo: ";

	if (len >= sizeof(tag) - 1 && memcmp(s, tag, sizeof(tag) - 1) == 0) {
		size_t n = MIN(len, sizeof(meminfo_line) - 1);

		memcpy(meminfo_line, s, n);
		meminfo_line[n] = '\0';
	}
	if (next_sink)
		next_sink(s, len);
}

/* The zone GFP_KERNEL order-0 pages come from first. */
static enum zone_type kernel_zone(void)
{
	return buddy_zone_present(ZONE_NORMAL) ? ZONE_NORMAL : ZONE_DMA32;
}

/*
 * Scenario: with every list drained, allocate 2 * batch + 1 order-0
 * pages on this hart and free them all. Expect the zone's per-hart
 * pages to be between 1 and pcp_high (the frees stop at the high
 * watermark), free pages unchanged (cached pages are free), the
 * meminfo line to carry "pcp=<n>" with the same n as buddy_stats(),
 * and a consistent allocator.
 */
static void buddy_pcp_meminfo(struct ktest *t)
{
	enum zone_type z = kernel_zone();
	const struct zone *zone = &buddy.zones[z];
	unsigned int n = 2 * zone->pcp_batch + 1;
	struct list_head held = LIST_HEAD_INIT(held);
	struct buddy_stats before, after;
	char want[48];
	struct page *p;

	KTEST_ASSERT(t, zone->pcp_batch > 0);
	buddy_drain_all_pages();
	buddy_stats(&before);
	KTEST_EXPECT_EQ(t, before.pcp, 0);
	for (unsigned int i = 0; i < n; i++) {
		p = alloc_page(GFP_KERNEL);
		if (!p)
			release_all(&held);
		KTEST_ASSERT_NOT_NULL(t, p);
		hold(&held, p, 0);
	}
	KTEST_EXPECT_EQ(t, release_all(&held), n);
	buddy_stats(&after);
	KTEST_EXPECT_GT(t, buddy_zone_pcp(z), 0);
	KTEST_EXPECT_LE(t, buddy_zone_pcp(z), zone->pcp_high);
	KTEST_EXPECT_EQ(t, after.pcp, buddy_zone_pcp(z));
	KTEST_EXPECT_EQ(t, after.free, before.free);

	meminfo_line[0] = '\0';
	next_sink = printk_set_sink(meminfo_sink);
	buddy_print_info();
	printk_set_sink(next_sink);
	fmt_snprintf(want, sizeof(want), " pcp=%lu\n", after.pcp);
	KTEST_EXPECT(t, strlen(meminfo_line) > strlen(want) &&
				strcmp(meminfo_line + strlen(meminfo_line) -
					       strlen(want),
				       want) == 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: a page freed onto this hart's list is freed again, then
 * every list is drained. Expect the second free reported as a double
 * free and refused, then after the drain no per-hart pages, the free
 * count unchanged by the drain, and a consistent allocator.
 */
static void buddy_pcp_double_free_and_drain(struct ktest *t)
{
	enum zone_type z = kernel_zone();
	unsigned int seen = bugs_seen;
	struct buddy_stats before, after;
	struct page *p = alloc_page(GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, p);
	if (buddy.zones[z].pcp_high == 0)
		__free_page(p);
	KTEST_ASSERT(t, buddy.zones[z].pcp_high > 0);
	__free_page(p);
	KTEST_EXPECT_EQ(t, buddy_page_flags(p), PG_pcp);
	buddy_stats(&before);
	__free_page(p);
	KTEST_EXPECT_EQ(t, bugs_seen, seen + 1);
	KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_DOUBLE_FREE);
	buddy_stats(&after);
	KTEST_EXPECT_EQ(t, after.free, before.free);
	KTEST_EXPECT_EQ(t, after.pcp, before.pcp);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	buddy_drain_all_pages();
	buddy_stats(&after);
	KTEST_EXPECT_EQ(t, after.pcp, 0);
	KTEST_EXPECT_EQ(t, buddy_zone_pcp(z), 0);
	KTEST_EXPECT_EQ(t, after.free, before.free);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static const struct ktest_case buddy_cases[] = {
	KTEST_CASE(buddy_counters),
	KTEST_CASE(buddy_exhaust_all),
	KTEST_CASE(buddy_dma32_below_4g),
	KTEST_CASE(buddy_kernel_prefers_normal),
	KTEST_CASE(buddy_zeroed),
	KTEST_CASE(buddy_misuse_double_free),
	KTEST_CASE(buddy_misuse_wrong_order_inside),
	KTEST_CASE(buddy_misuse_reserved_unaligned),
	KTEST_CASE(buddy_failure_recovers),
	KTEST_CASE(buddy_conversions),
	KTEST_CASE(buddy_section_map),
	KTEST_CASE(buddy_smp_double_free),
	KTEST_CASE(buddy_pcp_meminfo),
	KTEST_CASE(buddy_pcp_double_free_and_drain),
	KTEST_END,
};

static const struct ktest_suite buddy_suite = {
	"buddy",
	buddy_cases,
	buddy_suite_init,
	buddy_suite_exit,
};

KTEST_SUITE_REGISTER(buddy_suite, 40);
