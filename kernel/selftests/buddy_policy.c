// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=buddy_policy: what the page allocator does differently under
 * each buddy policy (buddy=), on the machine's real memory.
 *
 * The seeds' 25 KiB example: the walk down from a free block to the
 * class handed out is the one mm/buddy_policy.h's
 * buddy_policy_split_toward() names (binary: 256 -> 128 + 128 -> 64 +
 * 64 -> 32 + 32 KiB), predicted here and checked block by block.
 *
 * alloc_pages_exact() and free_pages_exact(), Linux's contract: a run
 * of at least `size` bytes, page aligned, whose pages the caller may
 * use one by one, given back with the same size. What it costs depends
 * on the policy:
 *
 *   binary    the block of 2^get_order(size) pages is allocated and its
 *             tail beyond PAGE_ALIGN(size) freed at once (as Linux's
 *             make_alloc_exact() does): exactly PAGE_ALIGN(size) pages
 *             leave the free count;
 *   others    the smallest size class holding the pages is allocated
 *             whole: fibonacci, weighted and tertiary have classes
 *             between the powers of two, so a 5-page request takes 5
 *             pages under Fibonacci and 6 under weighted and tertiary,
 *             where binary's alloc_pages() would take 8.
 *
 * Each case drains the per-hart lists before it counts (cached pages
 * count as free either way, but a drain makes the free lists settle)
 * and ends with the free count and the histogram back where they
 * started and buddy_check() == 0.
 */
#include "kernel/selftest.h"
#include "kernel/selftests/block_pages.h"
#include "kernel/selftests/buddy_held.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/buddy_policy.h"

#define SZ_25K (25 * SZ_1K)

/* One block a split releases: its class and where it starts, in pages
 * from the start of the block that was split first. */
struct released {
	unsigned int cls;
	pfn_t off;
};

/*
 * The walk buddy_rmqueue makes from a free block of class top down to
 * class want (mm/buddy_policy.h's buddy_policy_split_toward(): binary
 * halves and keeps the low half). Fills rel[] with the blocks it
 * releases, *kept_off with where the block handed out starts; returns
 * how many splits, or -1 if the policy names no way down.
 */
static int predict_walk(unsigned int top, unsigned int want,
			struct released *rel, pfn_t *kept_off)
{
	const struct buddy_policy *pol = buddy_active_policy();
	pfn_t off = 0;
	int n = 0;

	for (unsigned int c = top; c != want; n++) {
		bool keep_right = false;
		const struct buddy_split *sp =
			buddy_policy_split_toward(pol, c, want, &keep_right);

		if (!sp || n == BUDDY_NR_CLASSES)
			return -1;
		if (keep_right) {
			rel[n] = (struct released){ sp->left, off };
			off += buddy_class_pages(sp->left);
			c = sp->right;
		} else {
			rel[n] = (struct released){
				sp->right, off + buddy_class_pages(sp->left)
			};
			c = sp->left;
		}
	}
	*kept_off = off;
	return n;
}

/*
 * Hold blocks of zone z until its free lists below class `below` are
 * empty. A split may release blocks of classes already emptied (a
 * Fibonacci block of F(k) keeps F(k-1) and releases F(k-2)), so the
 * pass repeats until it takes nothing. False if an allocation failed.
 */
static bool drain_below(struct list_head *held, enum zone_type z, gfp_t gfp,
			unsigned int below)
{
	bool took = true;

	while (took) {
		took = false;
		for (unsigned int c = 0; c < below; c++)
			while (buddy_zone_nr_free(z, c)) {
				if (!alloc_class(held, gfp | __GFP_NOWARN, c))
					return false;
				/* Give back what an order-0 refill cached. */
				buddy_drain_local_pages();
				took = true;
			}
	}
	return true;
}

/*
 * Scenario: the seeds' case on real memory, under the active policy.
 * 25 KiB is order 3: 8 pages, whatever class holds them. Drain the free
 * lists of the zone GFP flags select below the class of 256 KiB (64
 * pages: binary order 6, Fibonacci's 89 pages, weighted's 64), make
 * sure a block of that class or larger is free, then ask for 25 KiB.
 * Expect exactly the splits the policy names from the smallest free
 * block down (binary: 256 -> 128 + 128 -> 64 + 64 -> 32 + 32, the 32
 * KiB block handed out): one block of the top class fewer, each
 * released block a free head of its class right where the walk put it,
 * nothing else changed; the free coalesces everything back.
 */
static void buddy_split_25k(struct ktest *t)
{
	struct list_head held = LIST_HEAD_INIT(held);
	struct released rel[BUDDY_NR_CLASSES];
	unsigned int want = order_class(get_order(SZ_25K));
	unsigned int big = buddy_policy_class_for(buddy_active_policy(), 64);
	unsigned int top = BUDDY_NR_CLASSES;
	enum zone_type z = ZONE_DMA32;
	gfp_t gfp = GFP_DMA32;
	struct histo boot, before;
	pfn_t base, kept_off = 0;
	struct page *p;
	int n;

	KTEST_EXPECT_EQ(t, get_order(SZ_25K), 3);
	KTEST_ASSERT(t, big < buddy_nr_classes() && want < big);
	/* GFP_KERNEL takes from NORMAL while it has a block to split. */
	for (unsigned int c = big; c < buddy_nr_classes(); c++)
		if (buddy_zone_nr_free(ZONE_NORMAL, c)) {
			z = ZONE_NORMAL;
			gfp = GFP_KERNEL;
		}
	histo_take(&boot);
	KTEST_ASSERT_GOTO(t, drain_below(&held, z, gfp, big), out);
	/* One of the class itself: a split above it may leave its buddy. */
	if (!buddy_zone_nr_free(z, big) &&
	    alloc_class(&held, gfp | __GFP_NOWARN, big))
		KTEST_ASSERT_GOTO(t, drain_below(&held, z, gfp, big), out);
	for (unsigned int c = buddy_nr_classes(); c-- > big;)
		if (buddy_zone_nr_free(z, c))
			top = c;
	if (top == BUDDY_NR_CLASSES) {
		release_all(&held);
		ktest_skip(t, "no free block of 256 KiB or more");
		return;
	}
	n = predict_walk(top, want, rel, &kept_off);
	KTEST_ASSERT_GOTO(t, n > 0, out);
	ktest_info(t,
		   "%s: 25 KiB from a block of %lu pages, %d splits, %lu "
		   "pages handed out",
		   buddy_active_policy()->name,
		   (unsigned long)buddy_class_pages(top), n,
		   (unsigned long)buddy_class_pages(want));

	histo_take(&before);
	p = alloc_pages(gfp, get_order(SZ_25K));
	KTEST_ASSERT_GOTO(t, p != NULL, out);
	before.nr_free[z][top]--;
	for (int i = 0; i < n; i++)
		before.nr_free[z][rel[i].cls]++;
	for (unsigned int c = 0; c < BUDDY_NR_CLASSES; c++)
		KTEST_EXPECT_EQ(t, buddy_zone_nr_free(z, c),
				before.nr_free[z][c]);
	base = page_to_pfn(p) - kept_off;
	for (int i = 0; i < n; i++) {
		struct page *b = pfn_to_page(base + rel[i].off);

		KTEST_EXPECT(t, b != NULL);
		if (!b)
			continue;
		KTEST_EXPECT_EQ(t, b->flags, PG_buddy);
		KTEST_EXPECT_EQ(t, b->order, rel[i].cls);
	}
	if (buddy_blocks_aligned() && top == 6) /* the seeds' own walk */
		KTEST_EXPECT(t, n == 3 && rel[0].cls == 5 && rel[1].cls == 4 &&
					rel[2].cls == 3 && kept_off == 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	__free_pages(p, get_order(SZ_25K));
	for (int i = 0; i < n; i++)
		before.nr_free[z][rel[i].cls]--;
	before.nr_free[z][top]++;
	KTEST_EXPECT(t, histo_same(&before));
out:
	release_all(&held);
	KTEST_EXPECT(t, histo_same(&boot));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Free pages now, every per-hart list drained into the free lists. */
static uint64_t free_now(void)
{
	struct buddy_stats st;

	buddy_drain_all_pages();
	buddy_stats(&st);
	return st.free;
}

/*
 * Pages alloc_pages_exact(size) takes under the active policy: binary
 * keeps exactly the pages asked for, the others the smallest class that
 * holds them; 0 when no block is big enough.
 */
static uint64_t exact_pages(size_t size)
{
	uint64_t n = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;

	if (buddy_blocks_aligned())
		return n <= (1UL << MAX_ORDER) ? n : 0;
	return fit_block_pages(n);
}

/* Pages in the policy's largest block (binary: 2^MAX_ORDER). */
static uint64_t largest_block_pages(void)
{
	return buddy_class_pages(buddy_nr_classes() - 1);
}

static bool all_bytes(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

/*
 * Scenario: requests of 1 byte, 1, 3, 5 (plus one byte: 6), 7, 12, 100
 * and 1000 pages. Expect a page-aligned run, exactly exact_pages(size)
 * pages taken from the free count (binary: the pages asked for; the
 * others: their smallest class that fits), every byte of the request
 * writable and readable back, and free_pages_exact() restoring the free
 * count and every free list (binary's freed tail merges back).
 */
static void buddy_exact_takes_what_fits(struct ktest *t)
{
	static const size_t sizes[] = {
		1,
		PAGE_SIZE,
		3 * PAGE_SIZE,
		5 * PAGE_SIZE + 1,
		7 * PAGE_SIZE,
		12 * PAGE_SIZE,
		100 * PAGE_SIZE,
		1000 * PAGE_SIZE,
	};

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		uint64_t want = exact_pages(size), before = free_now(), after;
		struct histo h;
		void *p;

		histo_take(&h);
		p = alloc_pages_exact(size, GFP_KERNEL | __GFP_NOWARN);

		if (!p && before < (2UL << MAX_ORDER)) {
			ktest_info(t, "%zu bytes: no memory (%lu free pages)",
				   size, (unsigned long)before);
			continue;
		}
		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_EXPECT_EQ(t, (uintptr_t)p & (PAGE_SIZE - 1), 0);
		after = free_now();
		ktest_info(t, "%zu bytes: %lu pages taken, %lu expected", size,
			   (unsigned long)(before - after),
			   (unsigned long)want);
		KTEST_EXPECT_EQ(t, before - after, want);
		memset(p, 0x5a, size);
		KTEST_EXPECT(t, all_bytes(p, size, 0x5a));
		free_pages_exact(p, size);
		KTEST_EXPECT_EQ(t, free_now(), before);
		/* Binary's tail pages and head merge back as they were. */
		KTEST_EXPECT(t, histo_same(&h));
		KTEST_EXPECT_EQ(t, buddy_check(), 0);
	}
}

/*
 * Scenario: a 5-page request against binary's alloc_pages() of order 3.
 * Expect alloc_pages_exact() to take fewer pages than the 8 binary
 * blocks hold under every policy but binary's 8 (which it frees back to
 * 5): 5 under binary and fibonacci, 6 under weighted and tertiary.
 */
static void buddy_exact_beats_order(struct ktest *t)
{
	const struct buddy_policy *pol = buddy_active_policy();
	uint64_t before = free_now(), taken;
	void *p = alloc_pages_exact(5 * PAGE_SIZE, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, p);
	taken = before - free_now();
	switch (pol->id) {
	case BUDDY_POLICY_BINARY:
	case BUDDY_POLICY_FIBONACCI:
		KTEST_EXPECT_EQ(t, taken, 5);
		break;
	default:
		KTEST_EXPECT_EQ(t, taken, 6);
		break;
	}
	free_pages_exact(p, 5 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, free_now(), before);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: dirty pages freed, then alloc_pages_exact with __GFP_ZERO
 * over 3 pages and a bit. Expect every byte of the run zero. */
static void buddy_exact_zeroed(struct ktest *t)
{
	size_t size = 3 * PAGE_SIZE + 100;
	uint64_t before = free_now();
	void *p = alloc_pages_exact(size, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, p);
	memset(p, 0xa5, size);
	free_pages_exact(p, size);
	p = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT(
		t,
		all_bytes(p, ((size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)), 0));
	free_pages_exact(p, size);
	KTEST_EXPECT_EQ(t, free_now(), before);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: one page more than the largest block the policy has (binary:
 * 2^MAX_ORDER pages, Fibonacci 1597 with MAX_ORDER 10). Expect NULL and nothing taken; the largest block
 * itself is then granted when memory allows.
 */
static void buddy_exact_too_big(struct ktest *t)
{
	uint64_t largest = largest_block_pages();
	uint64_t before = free_now();
	void *p;

	KTEST_EXPECT_EQ(t, exact_pages((largest + 1) * PAGE_SIZE), 0);
	p = alloc_pages_exact((largest + 1) * PAGE_SIZE,
			      GFP_KERNEL | __GFP_NOWARN);
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, free_now(), before);
	p = alloc_pages_exact(largest * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
	if (p) {
		KTEST_EXPECT_EQ(t, before - free_now(), largest);
		free_pages_exact(p, largest * PAGE_SIZE);
	}
	KTEST_EXPECT_EQ(t, free_now(), before);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static const struct ktest_case buddy_policy_cases[] = {
	KTEST_CASE(buddy_split_25k),
	KTEST_CASE(buddy_exact_takes_what_fits),
	KTEST_CASE(buddy_exact_beats_order),
	KTEST_CASE(buddy_exact_zeroed),
	KTEST_CASE(buddy_exact_too_big),
	KTEST_END,
};

static const struct ktest_suite buddy_policy_suite = {
	"buddy_policy",
	buddy_policy_cases,
	NULL,
	NULL,
};

KTEST_SUITE_REGISTER(buddy_policy_suite, 42);
