// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of mm/kmalloc.c over the real slab and buddy allocators.
 * Fake physical memory is set up once per process (see test_slab.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/printk.h"
#include "lib/rand.h"
#include "lib/string.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/tests/host_arch.h"

#define FAKE_BASE 0x80000000UL
#define FAKE_SIZE (64UL << 20)

static int kmalloc_host_setup(void)
{
	static bool done;

	if (done)
		return 0;
	done = true;
	host_phys_init_buddy(FAKE_BASE, FAKE_SIZE);
	slab_set_secret(0xfeedfacecafef00dULL);
	slab_debug_setup(NULL);
	kmalloc_init();
	kmalloc_init(); /* a second call changes nothing */
	return 0;
}

static struct {
	unsigned int count;
	enum slab_bug bug;
	const void *addr;
	char line[320];
} rep;

static void capture(const struct slab_report *r)
{
	rep.count++;
	rep.bug = r->bug;
	rep.addr = r->addr;
	snprintf(rep.line, sizeof(rep.line), "%s", r->line);
	printf("    # reported: %s\n", r->line);
}

static int suite_init(void)
{
	if (kmalloc_host_setup())
		return -1;
	slab_set_report_hook(capture);
	memset(&rep, 0, sizeof(rep));
	return 0;
}

static void suite_exit(void)
{
	slab_set_report_hook(NULL);
}

#define EXPECT_ONE_REPORT(t, b, cache)                                         \
	do {                                                                   \
		const char *_pfx = "BUG " cache ": ";                          \
		KTEST_EXPECT_EQ(t, rep.count, 1);                              \
		KTEST_EXPECT_EQ(t, rep.bug, b);                                \
		KTEST_EXPECT(t, strncmp(rep.line, _pfx, strlen(_pfx)) == 0);   \
		memset(&rep, 0, sizeof(rep));                                  \
	} while (0)

static unsigned long buddy_free_pages(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return st.free;
}

/* The class table as documented: 8..64 by 8, then 4 per power of two. */
static size_t expected_class(size_t size)
{
	size_t p = 64;

	if (size <= 64)
		return (size + 7) & ~(size_t)7;
	while (size > 2 * p)
		p *= 2;
	return p + (size - p + p / 4 - 1) / (p / 4) * (p / 4);
}

/* Scenario: every size from 1 to 8192, through the runtime path and a
 * few constant (inline) sizes. Expect ksize() to be the documented class,
 * each object 8-byte aligned and in the cache named after its class. */
static void kmalloc_classes(struct ktest *t)
{
	for (size_t s = 1; s <= KMALLOC_MAX_CACHE_SIZE; s++) {
		size_t size = s;
		void *p = kmalloc(size, GFP_KERNEL);
		struct page *pg;

		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_EXPECT(
			t, IS_ALIGNED((uintptr_t)p,
				      kmalloc_class_align(expected_class(s))));
		if (ksize(p) != expected_class(s) ||
		    kmalloc_size_class(s) != expected_class(s)) {
			ktest_fail(t, __FILE__, __LINE__,
				   "size %zu: ksize %zu class %zu want %zu", s,
				   ksize(p), kmalloc_size_class(s),
				   expected_class(s));
			kfree(p);
			return;
		}
		pg = virt_to_page(p);
		KTEST_ASSERT(t, pg && (pg->flags & PG_slab));
		if (s == expected_class(s)) {
			char name[32];

			snprintf(name, sizeof(name), "kmalloc-%zu", s);
			KTEST_EXPECT_STREQ(t, pg->slab->cache->name, name);
		}
		kfree(p);
	}
	{
		void *a = kmalloc(64, GFP_KERNEL), *b = kmalloc(65, 0),
		     *c = kmalloc(8192, 0);

		KTEST_EXPECT_EQ(t, ksize(a), 64);
		KTEST_EXPECT_EQ(t, ksize(b), 80);
		KTEST_EXPECT_EQ(t, ksize(c), 8192);
		kfree(a);
		kfree(b);
		kfree(c);
	}
	KTEST_EXPECT_EQ(t, kmalloc_size_class(0), 0);
	KTEST_EXPECT_EQ(t, kmalloc_size_class(8193), 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
}

/* Scenario: every class, three slabs' worth of objects each. Expect each
 * object aligned to kmalloc_class_align() of its class (a power-of-two
 * class naturally, so no object up to PAGE_SIZE straddles a page), a slot
 * exactly the class size (no word beside the objects), and misuse of an
 * off-slab class (descriptor in kmem_slab) reported like any other. */
static void kmalloc_alignment(struct ktest *t)
{
	for (unsigned int i = 0; i < KMALLOC_NR_CLASSES; i++) {
		struct kmem_cache *c = kmalloc_caches[i];
		struct kmem_cache_info ci;
		size_t size, align, n;
		void **objs;

		kmem_cache_info(c, &ci);
		size = ci.object_size;
		align = kmalloc_class_align(size);
		KTEST_EXPECT_EQ(t, ci.size, size);
		KTEST_EXPECT_GE(t, align, 8);
		if (is_power_of_2(size) && size <= PAGE_SIZE)
			KTEST_EXPECT_EQ(t, align, size);
		n = 3 * (size_t)ci.objs_per_slab + 1;
		objs = calloc(n, sizeof(*objs));
		KTEST_ASSERT_NOT_NULL(t, objs);
		for (size_t j = 0; j < n; j++) {
			uintptr_t a;

			objs[j] = kmalloc(size, GFP_KERNEL);
			KTEST_ASSERT_NOT_NULL(t, objs[j]);
			a = (uintptr_t)objs[j];
			if (!IS_ALIGNED(a, align) ||
			    (size <= PAGE_SIZE && is_power_of_2(size) &&
			     (a >> PAGE_SHIFT) !=
				     ((a + size - 1) >> PAGE_SHIFT))) {
				ktest_fail(t, __FILE__, __LINE__,
					   "kmalloc(%zu) = %p: not aligned to "
					   "%zu",
					   size, objs[j], align);
				break;
			}
		}
		for (size_t j = 0; j < n; j++)
			kfree(objs[j]);
		free(objs);
	}
	{
		/* kmalloc-640: descriptor off the slab, found by page. */
		char *p = kmalloc(600, GFP_KERNEL), *q = kmalloc(600, 0);

		KTEST_ASSERT(t, p && q);
		KTEST_EXPECT(t,
			     virt_to_page(p)->slab !=
				     (void *)((uintptr_t)p & ~(PAGE_SIZE - 1)));
		kfree(q + 128);
		EXPECT_ONE_REPORT(t, SLAB_BUG_NOT_OBJECT_START, "kmalloc-640");
		kfree(p);
		kfree(p);
		EXPECT_ONE_REPORT(t, SLAB_BUG_DOUBLE_FREE, "kmalloc-640");
		memset(q, 0x5a, 600); /* user data in the word */
		kfree(q);
		KTEST_EXPECT_EQ(t, rep.count, 0);
		kfree(q);
		EXPECT_ONE_REPORT(t, SLAB_BUG_DOUBLE_FREE, "kmalloc-640");
	}
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
}

/* Scenario: kmalloc(0), and frees of NULL and ZERO_SIZE_PTR. Expect
 * ZERO_SIZE_PTR ((void *)16), ksize 0, and no report. */
static void kmalloc_zero_size(struct ktest *t)
{
	size_t zero = 0;
	void *p = kmalloc(zero, GFP_KERNEL);

	KTEST_EXPECT(t, p == ZERO_SIZE_PTR);
	KTEST_EXPECT(t, kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
	KTEST_EXPECT(t, (uintptr_t)ZERO_SIZE_PTR == 16);
	KTEST_EXPECT_EQ(t, ksize(p), 0);
	kfree(p);
	kfree(NULL);
	p = krealloc(ZERO_SIZE_PTR, 24, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, ksize(p), 24);
	kfree(p);
	KTEST_EXPECT(t, kcalloc(0, 8, GFP_KERNEL) == ZERO_SIZE_PTR);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: sizes that cannot be served. Expect NULL, no report, and
 * the buddy allocator untouched. */
static void kmalloc_impossible(struct ktest *t)
{
	unsigned long free0 = buddy_free_pages();
	volatile size_t big = KMALLOC_MAX_SIZE + 1;

	KTEST_EXPECT(t, kmalloc(big, GFP_KERNEL | __GFP_NOWARN) == NULL);
	big = SIZE_MAX;
	KTEST_EXPECT(t, kmalloc(big, GFP_KERNEL) == NULL);
	big = SIZE_MAX / 2 + 1;
	KTEST_EXPECT(t, kzalloc(big, GFP_KERNEL) == NULL);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: kcalloc with products that overflow size_t and with a
 * normal one. Expect NULL for the overflows and zeroed memory else. */
static void kcalloc_overflow(struct ktest *t)
{
	unsigned char *p;
	volatile size_t n = SIZE_MAX / 2 + 2;

	KTEST_EXPECT(t, kcalloc(n, 2, GFP_KERNEL) == NULL);
	KTEST_EXPECT(t, kcalloc(2, n, GFP_KERNEL) == NULL);
	KTEST_EXPECT(t, kcalloc(SIZE_MAX, SIZE_MAX, GFP_KERNEL) == NULL);
	KTEST_EXPECT(t, kcalloc((size_t)1 << 32, (size_t)1 << 32, GFP_KERNEL) ==
				NULL);
	/* Dirty an object of the class first, so zeroing is visible. */
	p = kmalloc(300, GFP_KERNEL);
	memset(p, 0xee, 300);
	kfree(p);
	p = kcalloc(30, 10, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	for (int i = 0; i < 300; i++)
		KTEST_EXPECT_EQ(t, p[i], 0);
	kfree(p);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: krealloc growing 10 -> 100 -> 5000 -> 20000 bytes (slab to
 * large) and shrinking back, then to 0. Expect contents kept, the same
 * pointer while it fits (ksize), ZERO_SIZE_PTR for 0, and a failed
 * krealloc to leave the old object alone. */
static void krealloc_preserves(struct ktest *t)
{
	static const size_t sizes[] = { 10, 100, 5000, 20000, 30000, 700 };
	unsigned long free0 = buddy_free_pages();
	size_t have = 10;
	unsigned char *p = krealloc(NULL, 10, GFP_KERNEL), *q;
	volatile size_t huge = KMALLOC_MAX_SIZE + 1;

	KTEST_ASSERT_NOT_NULL(t, p);
	for (size_t i = 0; i < 10; i++)
		p[i] = (unsigned char)(i * 13);
	for (size_t k = 1; k < ARRAY_SIZE(sizes); k++) {
		size_t keep = MIN(have, sizes[k]);
		bool fits = sizes[k] <= ksize(p);

		q = krealloc(p, sizes[k], GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, q);
		if (fits)
			KTEST_EXPECT(t, q == p);
		KTEST_EXPECT_GE(t, ksize(q), sizes[k]);
		for (size_t i = 0; i < keep; i++)
			if (q[i] != (unsigned char)(i * 13)) {
				ktest_fail(t, __FILE__, __LINE__,
					   "byte %zu lost at size %zu", i,
					   sizes[k]);
				break;
			}
		for (size_t i = keep; i < sizes[k]; i++)
			q[i] = (unsigned char)(i * 13);
		p = q;
		have = sizes[k];
	}
	KTEST_EXPECT(t, krealloc(p, huge, GFP_KERNEL | __GFP_NOWARN) == NULL);
	KTEST_EXPECT_EQ(t, p[5], (unsigned char)65);
	q = krealloc(p, 0, GFP_KERNEL);
	KTEST_EXPECT(t, q == ZERO_SIZE_PTR);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_reap();
	KTEST_EXPECT_LE(t, free0, buddy_free_pages() + 64);
}

/* Scenario: allocations above 8 KiB. Expect whole buddy blocks of the
 * right order, page aligned, marked PG_large, ksize = block size, and
 * every page back after kfree. */
static void kmalloc_large(struct ktest *t)
{
	static const size_t sizes[] = { 8193,  12288,  16384,
					65536, 100000, 1UL << 20 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned long free0 = buddy_free_pages();
		unsigned int order = get_order(sizes[i]);
		unsigned char *p = kmalloc(sizes[i], GFP_KERNEL);
		struct page *pg;

		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_EXPECT(t, IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
		pg = virt_to_page(p);
		KTEST_ASSERT_NOT_NULL(t, pg);
		KTEST_EXPECT(t, (pg->flags & PG_large) != 0);
		/* The block alloc_pages(order) gives: 2^order under binary,
		 * the smallest class holding it under the other policies. */
		KTEST_EXPECT_EQ(t, buddy_block_order(pg), order);
		KTEST_EXPECT_EQ(t, ksize(p),
				PAGE_SIZE * buddy_order_pages(order));
		KTEST_EXPECT_EQ(t, buddy_free_pages(),
				free0 - buddy_order_pages(order));
		p[0] = 1;
		p[sizes[i] - 1] = 2;
		kfree(p);
		KTEST_EXPECT_EQ(t, buddy_free_pages(), free0);
	}
	{
		unsigned char *z = kzalloc(20000, GFP_KERNEL);

		KTEST_ASSERT_NOT_NULL(t, z);
		for (size_t i = 0; i < 20000; i++)
			if (z[i]) {
				ktest_fail(t, __FILE__, __LINE__,
					   "kzalloc byte %zu = 0x%x", i, z[i]);
				break;
			}
		kfree(z);
	}
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: kzalloc of a class whose objects were dirtied, inline and
 * runtime sizes. Expect zeroed memory. */
static void kzalloc_zeroes(struct ktest *t)
{
	volatile size_t rt = 200;
	unsigned char *p = kmalloc(200, 0), *q = kmalloc(200, 0);

	KTEST_ASSERT(t, p && q);
	memset(p, 0x5a, 200);
	memset(q, 0x5a, 200);
	kfree(p);
	kfree(q);
	p = kzalloc(200, GFP_KERNEL);
	q = kzalloc(rt, GFP_KERNEL);
	KTEST_ASSERT(t, p && q);
	for (int i = 0; i < 200; i++)
		KTEST_EXPECT(t, p[i] == 0 && q[i] == 0);
	kfree(p);
	kfree(q);
}

/* Scenario: kfree misuse: twice, inside an object, inside and twice for
 * a large allocation, a buddy page, memory that is not RAM. Expect one
 * report each with the right kind, nothing freed, allocators intact. */
static void kfree_misuse(struct ktest *t)
{
	char *p = kmalloc(100, GFP_KERNEL), *q = kmalloc(100, GFP_KERNEL);
	char *big = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	struct page *pg = alloc_pages(GFP_KERNEL, 0);
	uint64_t host_var = 0;
	unsigned long free0;

	KTEST_ASSERT(t, p && q && big && pg);
	kfree(p);
	kfree(p);
	KTEST_EXPECT(t, rep.addr == p);
	EXPECT_ONE_REPORT(t, SLAB_BUG_DOUBLE_FREE, "kmalloc-112");
	kfree(q + 16);
	EXPECT_ONE_REPORT(t, SLAB_BUG_NOT_OBJECT_START, "kmalloc-112");
	kfree(q + 1);
	EXPECT_ONE_REPORT(t, SLAB_BUG_NOT_OBJECT_START, "kmalloc-112");
	kfree(big + 64);
	EXPECT_ONE_REPORT(t, SLAB_BUG_NOT_OBJECT_START, "kmalloc");
	kfree(big + PAGE_SIZE);
	EXPECT_ONE_REPORT(t, SLAB_BUG_INVALID_FREE, "kmalloc");
	kfree(page_address(pg));
	EXPECT_ONE_REPORT(t, SLAB_BUG_INVALID_FREE, "kmalloc");
	kfree(&host_var);
	EXPECT_ONE_REPORT(t, SLAB_BUG_INVALID_FREE, "kmalloc");
	KTEST_EXPECT_EQ(t, ksize(q), 112);
	KTEST_EXPECT_EQ(t, ksize(q + 8), 0);
	KTEST_EXPECT_EQ(t, ksize(big + 64), 0);
	KTEST_EXPECT(t, krealloc(q + 8, 500, GFP_KERNEL) == NULL);
	EXPECT_ONE_REPORT(t, SLAB_BUG_INVALID_FREE, "kmalloc");
	free0 = buddy_free_pages();
	kfree(big);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0 + buddy_order_pages(2));
	kfree(big);
	KTEST_EXPECT_EQ(t, rep.count, 1);
	KTEST_EXPECT(t, rep.bug == SLAB_BUG_DOUBLE_FREE ||
				rep.bug == SLAB_BUG_INVALID_FREE);
	memset(&rep, 0, sizeof(rep));
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0 + buddy_order_pages(2));
	kfree(q);
	__free_pages(pg, 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Exact mean waste over integer sizes in [8, 4096) weighted 1/size per
 * octave (what kmalloc_waste_pct_x100 samples), in percent. */
static double exact_waste_pct(void)
{
	double total = 0;

	for (size_t lo = 8; lo < 4096; lo *= 2) {
		double w = 0, acc = 0;

		for (size_t s = lo; s < 2 * lo; s++) {
			double c = (double)kmalloc_size_class(s);

			w += 1.0 / (double)s;
			acc += (1.0 / (double)s) * (c - (double)s) / c;
		}
		total += acc / w;
	}
	return 100.0 * total / 9;
}

/* Scenario: the class table's average internal waste for sizes drawn
 * log-uniformly from 8 to 4096. Expect at most 12% (it is about 10.5%),
 * and the sampled figure within 0.3 points of the exact one. */
static void kmalloc_waste(struct ktest *t)
{
	unsigned int x100 = kmalloc_waste_pct_x100(100000);
	double exact = exact_waste_pct();

	unsigned int exact_x100 = (unsigned int)(exact * 100 + 0.5);

	ktest_info(t, "waste %u.%02u%% (exact %u.%02u%%), reported %u%%",
		   x100 / 100, x100 % 100, exact_x100 / 100, exact_x100 % 100,
		   kmalloc_waste_pct());
	KTEST_EXPECT_LE(t, x100, 1200);
	KTEST_EXPECT_LE(t, kmalloc_waste_pct(), 12);
	KTEST_EXPECT(t, fabs(x100 / 100.0 - exact) < 0.3);
	KTEST_EXPECT_EQ(t, kmalloc_waste_pct_x100(0), 0);
}

/* Scenario: 4000 random kmalloc/kfree/krealloc calls, sizes log-uniform
 * up to 32 KiB, contents checked. Expect no corruption, slab_check()
 * clean after every step and no report. */
static void kmalloc_random(struct ktest *t)
{
	enum { LIVE = 200 };
	static struct {
		unsigned char *p;
		size_t size;
		unsigned char tag;
	} live[LIVE];
	struct rand_state r;
	unsigned int n = 0;

	rand_seed(&r, 99);
	for (unsigned int step = 0; step < 4000; step++) {
		unsigned int op = (unsigned int)rand_below(&r, 100);

		if (n == 0 || (n < LIVE && op < 50)) {
			size_t size =
				1 + rand_below(&r, 2UL << rand_below(&r, 15));
			unsigned char tag = (unsigned char)rand_next(&r);

			live[n].p = kmalloc(size, GFP_KERNEL);
			KTEST_ASSERT_NOT_NULL(t, live[n].p);
			memset(live[n].p, tag, size);
			live[n].size = size;
			live[n].tag = tag;
			n++;
		} else {
			unsigned int i = (unsigned int)rand_below(&r, n);
			size_t sz = live[i].size;

			KTEST_EXPECT(t,
				     live[i].p[0] == live[i].tag &&
					     live[i].p[sz - 1] == live[i].tag);
			if (op < 75) {
				size_t ns = 1 + rand_below(&r, 2 * sz + 16);
				unsigned char *q =
					krealloc(live[i].p, ns, GFP_KERNEL);

				KTEST_ASSERT_NOT_NULL(t, q);
				KTEST_EXPECT(t,
					     q[MIN(sz, ns) - 1] == live[i].tag);
				memset(q, live[i].tag, ns);
				live[i].p = q;
				live[i].size = ns;
			} else {
				kfree(live[i].p);
				live[i] = live[--n];
			}
		}
		if (slab_check() != 0) {
			ktest_fail(t, __FILE__, __LINE__,
				   "slab_check failed at step %u", step);
			return;
		}
	}
	while (n)
		kfree(live[--n].p);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: every page is taken except those held by empty kmalloc
 * slabs; then a large kmalloc. Expect it to reap the slabs and succeed. */
static void kmalloc_reap_large(struct ktest *t)
{
	struct list_head hoard = LIST_HEAD_INIT(hoard);
	unsigned int per = kmalloc_caches[kmalloc_index(4096)]->objs_per_slab;
	unsigned int n = 8 * per;
	void **objs = calloc(n, sizeof(*objs)), *big;
	struct page *pg;

	KTEST_ASSERT_NOT_NULL(t, objs);
	for (unsigned int i = 0; i < n; i++)
		KTEST_ASSERT_NOT_NULL(t, objs[i] = kmalloc(4096, GFP_KERNEL));
	for (unsigned int i = 0; i < n; i++)
		kfree(objs[i]);
	while ((pg = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)))
		list_add(&pg->lru, &hoard);
	big = kmalloc(5 * PAGE_SIZE, GFP_KERNEL);
	KTEST_EXPECT(t, big != NULL);
	kfree(big);
	while (!list_empty(&hoard)) {
		pg = list_entry(hoard.next, struct page, lru);
		list_del(&pg->lru);
		__free_pages(pg, 0);
	}
	free(objs);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static const struct ktest_case kmalloc_cases[] = {
	KTEST_CASE(kmalloc_classes),
	KTEST_CASE(kmalloc_alignment),
	KTEST_CASE(kmalloc_zero_size),
	KTEST_CASE(kmalloc_impossible),
	KTEST_CASE(kcalloc_overflow),
	KTEST_CASE(krealloc_preserves),
	KTEST_CASE(kmalloc_large),
	KTEST_CASE(kzalloc_zeroes),
	KTEST_CASE(kfree_misuse),
	KTEST_CASE(kmalloc_waste),
	KTEST_CASE(kmalloc_random),
	KTEST_CASE(kmalloc_reap_large),
	KTEST_END,
};

static const struct ktest_suite kmalloc_suite = {
	.name = "kmalloc",
	.cases = kmalloc_cases,
	.init = suite_init,
	.exit = suite_exit,
};

KTEST_HOST_MAIN(&kmalloc_suite)
