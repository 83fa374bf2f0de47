// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for slab caches and kmalloc (mm/slab.c,
 * mm/slab_cache.c, mm/slab_cpu.c, mm/slab_debug.c, mm/kmalloc.c) over
 * the real buddy allocator.
 *
 * Scenario: the buddy allocator (16 MiB of fake memory) and the kmalloc
 * caches are set up once. Each input starts with a header that creates
 * one cache "fuzz": object size, alignment, flags (any of the debug
 * flags F Z P U, cache-line alignment, no per-hart magazines) and
 * whether it has a constructor. Then each operation is one of
 *   kmem_cache_alloc / kmem_cache_zalloc, kmalloc / kzalloc / kcalloc
 *   (0 bytes, every class, large blocks, kcalloc overflow), krealloc,
 *   a free of a live object,
 *   a misuse: a double free, a free of a pointer inside an object, a
 *   free to the wrong cache, a kfree of a page the buddy allocator gave
 *   or of memory that is not RAM, destroying the cache with live
 *   objects, a red zone overwritten (Z caches), a write after free
 *   (P caches),
 *   shrink, reap, shrink-all, slabinfo, checking every live object.
 *
 * The reference model holds every live object (pointer, size, cache or
 * kmalloc, fill tag). Expect, after every operation: slab_check() finds
 * nothing; exactly the reports the operation should cause arrived
 * through the report hook, with the expected kind; a new object is
 * aligned, overlaps no live one, is zeroed when asked, and ksize()
 * covers its size; krealloc keeps the contents; each object keeps its
 * fill pattern until freed; at the end the cache is destroyed, the
 * slabs a write after free quarantined are released (they pass to the
 * "destroyed" cache; see release_destroyed()), and every page is back
 * in the buddy allocator, so every input starts from the same state.
 */
#include <string.h>

#include "lib/errno.h"
#include "mm/buddy.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/tests/fuzz_ops.h"
#include "mm/tests/host_arch.h"

const char *fuzz_name = "fuzz_slab";

#define RAM_BASE 0x80000000UL
#define RAM_SIZE (16UL << 20)
#define LIVE_MAX 64
#define KMALLOC_FUZZ_MAX (64UL << 10) /* largest kmalloc tried */
#define CTOR_BYTE 0xc7

static struct live {
	uint8_t *p;
	size_t size; /* requested */
	bool cached; /* from the fuzz cache, else kmalloc */
	uint64_t tag;
} live[LIVE_MAX];
static unsigned int nr_live;
static uint64_t next_tag, baseline_free;

static struct kmem_cache *cache;
static size_t cache_size, cache_align;
static unsigned int cache_flags;
static bool cache_ctor;

static unsigned long reports, expected;
static enum slab_bug last_bug;

static void report_hook(const struct slab_report *r)
{
	reports++;
	last_bug = r->bug;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup_output();
	host_phys_init_buddy(RAM_BASE, RAM_SIZE);
	slab_set_secret(0x0123456789abcdefULL);
	slab_debug_setup(NULL);
	kmalloc_init();
	slab_set_report_hook(report_hook);
	slab_shrink_all();
	baseline_free = host_buddy_free_pages();
	return 0;
}

static void ctor(void *obj)
{
	memset(obj, CTOR_BYTE, cache_size);
}

/*
 * Fill or check an object with its pattern (whole words, then bytes).
 * Words are compared as integers, not with memcmp(): this runs on every
 * free and every "check all" over objects of up to 64 KiB, and ASan's
 * memcmp interceptor costs several times a plain loaded word.
 */
static void pattern(const struct live *l, bool check)
{
	size_t words = l->size / 8, i;
	uint64_t v, got;

	for (i = 0; i < words; i++) {
		v = fuzz_pattern(l->tag, i);
		if (!check) {
			memcpy(l->p + 8 * i, &v, 8);
			continue;
		}
		memcpy(&got, l->p + 8 * i, 8);
		if (got != v)
			break;
	}
	CHECK(i == words, "object %p (size %zu, %s) word %zu overwritten",
	      (void *)l->p, l->size, l->cached ? "cache" : "kmalloc", i);
	v = fuzz_pattern(l->tag, words);
	if (!check)
		memcpy(l->p + 8 * words, &v, l->size % 8);
	else
		CHECK(memcmp(l->p + 8 * words, &v, l->size % 8) == 0,
		      "object %p (size %zu) tail overwritten", (void *)l->p,
		      l->size);
}

static void expect_reports(unsigned long n, int kind)
{
	expected += n;
	CHECK(reports == expected, "%lu reports, expected %lu", reports,
	      expected);
	if (n && kind >= 0)
		CHECK(last_bug == (enum slab_bug)kind, "report %s, expected %s",
		      slab_bug_name(last_bug),
		      slab_bug_name((enum slab_bug)kind));
}

static void check_state(void)
{
	int bad = slab_check();

	CHECK(bad == 0, "slab_check found %d problems", bad);
	CHECK(reports == expected, "%lu reports, expected %lu", reports,
	      expected);
}

static void add_live(uint8_t *p, size_t size, bool cached, bool zeroed)
{
	size_t align = cached ? MAX(cache_align, (size_t)8) : 8;
	struct live *l;

	CHECK(((uintptr_t)p & (align - 1)) == 0, "%p not aligned to %zu",
	      (void *)p, align);
	CHECK(cached ? kmem_cache_size(cache) >= size : ksize(p) >= size,
	      "object %p of %zu bytes: usable size too small", (void *)p, size);
	for (unsigned int i = 0; i < nr_live; i++)
		CHECK(p + size <= live[i].p || live[i].p + live[i].size <= p,
		      "%p (+%zu) overlaps live %p (+%zu)", (void *)p, size,
		      (void *)live[i].p, live[i].size);
	if (zeroed) {
		size_t i = fuzz_first_not(p, 0, size);

		CHECK(i == size, "zeroed object %p byte %zu is 0x%x", (void *)p,
		      i, p[i]);
	}
	if (nr_live == LIVE_MAX) {
		if (cached)
			kmem_cache_free(cache, p);
		else
			kfree(p);
		return;
	}
	l = &live[nr_live++];
	l->p = p;
	l->size = size;
	l->cached = cached;
	l->tag = ++next_tag;
	pattern(l, false);
}

static void free_live(unsigned int i)
{
	pattern(&live[i], true);
	if (live[i].cached)
		kmem_cache_free(cache, live[i].p);
	else
		kfree(live[i].p);
	live[i] = live[--nr_live];
}

/* Sizes: mostly small classes, sometimes large blocks, sometimes 0. */
static size_t kmalloc_size(struct fuzz_in *in)
{
	uint16_t v = fuzz_u16(in);

	switch (v >> 14) {
	case 0:
		return v & 63;
	case 1:
	case 2:
		return v % (KMALLOC_MAX_CACHE_SIZE + 1);
	default:
		return (v & 0x3fff) * 4 % KMALLOC_FUZZ_MAX;
	}
}

/*
 * An allocation from c (or, with c NULL, a large kmalloc of size bytes)
 * failed. That is right only when memory is really short: quarantined
 * slabs never go back (a long run collects them), so the buddy
 * allocator must be unable to give the block a new slab or the large
 * allocation needs.
 */
static void check_oom(struct kmem_cache *c, size_t size)
{
	struct kmem_cache_info info;
	unsigned int order;
	struct page *page;

	if (c) {
		kmem_cache_info(c, &info);
		order = info.order;
	} else {
		order = get_order(size);
	}
	slab_shrink_all();
	page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
	if (page)
		__free_pages(page, order);
	CHECK(page == NULL,
	      "allocation of %zu bytes (%s) failed with an "
	      "order-%u block free",
	      size, c ? c->name : "large", order);
}

static void op_cache_alloc(struct fuzz_in *in)
{
	bool zero = fuzz_u8(in) & 1;
	uint8_t *p;

	if (!cache)
		return;
	p = zero ? kmem_cache_zalloc(cache, GFP_KERNEL)
		 : kmem_cache_alloc(cache, GFP_KERNEL);
	if (!p) {
		check_oom(cache, cache_size);
		return;
	}
	add_live(p, cache_size, true, zero);
}

static void op_kmalloc(struct fuzz_in *in)
{
	uint8_t how = fuzz_u8(in) % 3;
	size_t size = kmalloc_size(in);
	uint8_t *p;

	if (how == 2) {
		size_t n = fuzz_u8(in);

		if (fuzz_u8(in) == 0xff) { /* n * size overflows */
			CHECK(kcalloc(SIZE_MAX / 2, 3, GFP_KERNEL) == NULL,
			      "kcalloc overflow returned memory");
			return;
		}
		n = n % 16 + 1;
		size = size / n;
		p = kcalloc(n, size, GFP_KERNEL);
		size *= n;
	} else {
		p = how ? kzalloc(size, GFP_KERNEL) : kmalloc(size, GFP_KERNEL);
	}
	if (size == 0) {
		CHECK(p == ZERO_SIZE_PTR, "kmalloc(0) gave %p", (void *)p);
		return;
	}
	if (!p) {
		check_oom(size <= KMALLOC_MAX_CACHE_SIZE
				  ? kmalloc_caches[kmalloc_index(size)]
				  : NULL,
			  size);
		return;
	}
	add_live(p, size, false, how != 0);
}

static void op_krealloc(struct fuzz_in *in)
{
	size_t size = kmalloc_size(in);
	unsigned int i;
	struct live *l;
	uint8_t *p;
	size_t keep;
	uint64_t tag;

	if (!nr_live)
		return;
	i = fuzz_below(in, nr_live);
	l = &live[i];
	if (l->cached)
		return;
	pattern(l, true);
	p = krealloc(l->p, size, GFP_KERNEL);
	if (size == 0) {
		CHECK(p == ZERO_SIZE_PTR, "krealloc(p, 0) gave %p", (void *)p);
		live[i] = live[--nr_live];
		return;
	}
	if (!p) { /* p is untouched and still live */
		check_oom(size <= KMALLOC_MAX_CACHE_SIZE
				  ? kmalloc_caches[kmalloc_index(size)]
				  : NULL,
			  size);
		pattern(l, true);
		return;
	}
	/* The kept prefix still holds the old pattern. */
	keep = MIN(size, l->size);
	tag = l->tag;
	l->size = keep;
	l->p = p;
	pattern(l, true);
	l->tag = tag;
	live[i] = live[--nr_live];
	add_live(p, size, false, false);
}

/*
 * A double free: free a live object, then again (nothing in between).
 * A large kmalloc block whose pages merged into a bigger free buddy
 * block no longer looks like one: that second free reads as an invalid
 * free (refused all the same).
 */
static void misuse_double_free(unsigned int i)
{
	struct live l = live[i];
	bool large =
		!l.cached && !(page_flags_get(virt_to_page(l.p)) & PG_slab);

	free_live(i);
	if (l.cached)
		kmem_cache_free(cache, l.p);
	else
		kfree(l.p);
	if (large && last_bug == SLAB_BUG_INVALID_FREE)
		expect_reports(1, SLAB_BUG_INVALID_FREE);
	else
		expect_reports(1, SLAB_BUG_DOUBLE_FREE);
}

/* A free of a pointer inside a live object: refused, object intact. */
static void misuse_interior(unsigned int i, unsigned int off)
{
	struct live *l = &live[i];

	if (l->size < 2)
		return;
	off = 1 + off % (l->size - 1);
	if (l->cached)
		kmem_cache_free(cache, l->p + off);
	else
		kfree(l->p + off);
	expect_reports(1, -1);
	pattern(l, true);
}

/* An object freed to a cache it does not belong to: refused. */
static void misuse_wrong_cache(unsigned int i)
{
	struct live *l = &live[i];
	struct kmem_cache *other;

	if (!cache)
		return;
	if (l->cached) {
		other = kmalloc_caches[i % KMALLOC_NR_CLASSES];
	} else {
		struct page *page = virt_to_page(l->p);

		if (!(page_flags_get(page) & PG_slab))
			return; /* a large block: not a slab object at all */
		other = cache;
	}
	kmem_cache_free(other, l->p);
	expect_reports(1, SLAB_BUG_WRONG_CACHE);
	pattern(l, true);
}

/* kfree of memory kmalloc never gave: a buddy page, or not RAM. */
static void misuse_foreign(unsigned int off)
{
	struct page *page = alloc_pages(GFP_KERNEL, off & 1);
	uint8_t *p;

	CHECK(page != NULL, "alloc_pages failed");
	p = page_address(page);
	kfree(p + (off >> 1) % (PAGE_SIZE << (off & 1)) / 8 * 8);
	expect_reports(1, SLAB_BUG_INVALID_FREE);
	__free_pages(page, off & 1);
	kfree((void *)(uintptr_t)(0x12345000UL + (off & 0xff8)));
	expect_reports(1, SLAB_BUG_INVALID_FREE);
}

/* True when p's slab was quarantined: validation skips it for good. */
static bool quarantined_slab(const void *p)
{
	struct page *page = virt_to_page(p);

	return (page_flags_get(page) & PG_slab) &&
	       page->slab->state == KMEM_SLAB_QUARANTINED;
}

/*
 * Z: one byte past the object; validate reports it once and repairs it
 * (not in a quarantined slab, which validation no longer reads).
 */
static void misuse_redzone(unsigned int i)
{
	struct live *l = &live[i];

	if (!l->cached || !(cache_flags & SLAB_RED_ZONE) ||
	    quarantined_slab(l->p))
		return;
	l->p[cache_size] ^= 0xff;
	CHECK(kmem_cache_validate(cache) == 1, "red zone damage not found");
	expect_reports(1, SLAB_BUG_REDZONE);
	CHECK(kmem_cache_validate(cache) == 0, "red zone not repaired");
	pattern(l, true);
}

/* P: write into an object after its free; validate quarantines it. */
static void misuse_use_after_free(unsigned int i, unsigned int off)
{
	struct live *l = &live[i];
	uint8_t *p = l->p;

	struct page *page;

	if (!l->cached || !(cache_flags & SLAB_POISON) || cache_ctor)
		return;
	/* Quarantined slabs never come back: keep half the memory free. */
	if (host_buddy_free_pages() < RAM_SIZE / PAGE_SIZE / 2)
		return;
	free_live(i);
	/*
	 * Only while the slab is still the cache's (not given back) and
	 * checked (a slab quarantined by an earlier write is not).
	 */
	page = virt_to_page(p);
	if (!(page_flags_get(page) & PG_slab) || page->slab->cache != cache ||
	    page->slab->state == KMEM_SLAB_QUARANTINED)
		return;
	p[off % cache_size] ^= 0x5a;
	CHECK(kmem_cache_validate(cache) >= 1, "write after free not found");
	CHECK(reports > expected, "no report of the write after free");
	CHECK(last_bug == SLAB_BUG_POISON || last_bug == SLAB_BUG_FREEPTR,
	      "reported %s", slab_bug_name(last_bug));
	expected = reports;
}

static void misuse_destroy_busy(void)
{
	bool any = false;

	for (unsigned int i = 0; i < nr_live; i++)
		any |= live[i].cached;
	if (!cache || !any)
		return;
	CHECK(kmem_cache_destroy(cache) == -EBUSY,
	      "destroy with live objects not refused");
	expect_reports(1, SLAB_BUG_DESTROY_BUSY);
}

static void op_misuse(struct fuzz_in *in)
{
	uint8_t how = fuzz_u8(in);
	unsigned int off = fuzz_u16(in), i;

	if (how % 8 == 3) {
		misuse_foreign(off);
		return;
	}
	if (how % 8 == 6) {
		misuse_destroy_busy();
		return;
	}
	if (!nr_live)
		return;
	i = off % nr_live;
	switch (how % 8) {
	case 0:
		misuse_double_free(i);
		break;
	case 1:
		misuse_interior(i, off >> 5);
		break;
	case 2:
		misuse_wrong_cache(i);
		break;
	case 4:
		misuse_redzone(i);
		break;
	default:
		misuse_use_after_free(i, off >> 5);
		break;
	}
}

static void op_misc(struct fuzz_in *in)
{
	switch (fuzz_u8(in) % 5) {
	case 0:
		if (cache)
			kmem_cache_shrink(cache);
		break;
	case 1:
		kmem_reap();
		break;
	case 2:
		slab_shrink_all();
		break;
	case 3:
		slabinfo_print();
		break;
	default:
		for (unsigned int i = 0; i < nr_live; i++)
			pattern(&live[i], true);
		break;
	}
}

/*
 * Give the slabs kmem_cache_destroy() handed to the "destroyed" cache
 * (the quarantined slabs of the fuzz cache, blocks of 2^order pages)
 * back to the buddy allocator, as slab_release() (mm/slab.c) gives
 * back an empty slab. The kernel keeps them for good, since nothing
 * vouches for memory written after a free; here the write was the
 * target's own. Kept, they would pile up over a run: every later input
 * would start from a different state (a finding might not replay
 * alone) and slab_check() would walk more of them after every
 * operation, slower and slower.
 */
static void release_destroyed(unsigned int order)
{
	struct kmem_cache *dead = &slab_dead_cache;
	struct list_head *q = &dead->lists[KMEM_SLAB_QUARANTINED];
	unsigned long irq = spin_lock_irqsave(&dead->lock);

	while (!list_empty(q)) {
		struct kmem_slab *s =
			list_first_entry(q, struct kmem_slab, list);

		list_del(&s->list);
		dead->nr_slabs[KMEM_SLAB_QUARANTINED]--;
		s->magic = 0;
		for (unsigned long i = 0; i < 1UL << order; i++) {
			page_flags_clear(&s->page[i], PG_slab);
			s->page[i].private = 0;
		}
		__free_pages(s->page, order);
	}
	spin_unlock_irqrestore(&dead->lock, irq);
}

static const size_t aligns[] = { 0, 8, 16, 64, 256, PAGE_SIZE };

/* The header: one cache, maybe refused for an impossible size. */
static void setup(struct fuzz_in *in)
{
	uint16_t size = fuzz_u16(in);
	uint8_t a = fuzz_u8(in), f = fuzz_u8(in);

	cache_size = size & 0x8000 ? (size & 0x7fff) + 1 : (size & 0x7ff) + 1;
	cache_align = aligns[a % ARRAY_SIZE(aligns)];
	cache_flags = f & (SLAB_DEBUG_FLAGS | SLAB_HWCACHE_ALIGN);
	if (f & 0x80)
		cache_flags |= SLAB_NO_CPU_CACHE;
	cache_ctor = a & 0x80;
	cache = kmem_cache_create("fuzz", cache_size, cache_align, cache_flags,
				  cache_ctor ? ctor : NULL);
	CHECK(cache != NULL, "kmem_cache_create(%zu, %zu, 0x%x) failed",
	      cache_size, cache_align, cache_flags);
	if (cache_ctor) {
		/* Constructed objects: fresh ones hold the constructor's bytes. */
		uint8_t *p = kmem_cache_alloc(cache, GFP_KERNEL);
		size_t i;

		CHECK(p != NULL, "first object");
		i = fuzz_first_not(p, CTOR_BYTE, cache_size);
		CHECK(i == cache_size, "constructed object byte %zu is 0x%x", i,
		      p[i]);
		kmem_cache_free(cache, p);
	}
	nr_live = 0;
	check_state();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned int order;
	uint64_t now;

	setup(&in);
	for (unsigned int n = 0; n < FUZZ_OPS_MAX && !fuzz_done(&in); n++) {
		switch (fuzz_u8(&in) % 8) {
		case 0:
		case 1:
			op_cache_alloc(&in);
			break;
		case 2:
			op_kmalloc(&in);
			break;
		case 3:
			op_krealloc(&in);
			break;
		case 4:
		case 5:
			if (nr_live)
				free_live(fuzz_below(&in, nr_live));
			break;
		case 6:
			op_misuse(&in);
			break;
		default:
			op_misc(&in);
			break;
		}
		check_state();
	}
	while (nr_live)
		free_live(nr_live - 1);
	order = cache->order;
	CHECK(kmem_cache_destroy(cache) == 0, "destroy of the empty cache");
	cache = NULL;
	check_state();
	release_destroyed(order);
	check_state();
	slab_shrink_all();
	now = host_buddy_free_pages();
	CHECK(now == baseline_free,
	      "free pages %llu after the run, %llu before",
	      (unsigned long long)now, (unsigned long long)baseline_free);
	return 0;
}
