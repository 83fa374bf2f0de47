// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=slab and selftest=kmalloc: the object caches and kmalloc on
 * the real machine, over the real buddy allocator. Every case passes
 * with and without slab_debug=FZPU (misuse is reported either way; the
 * red-zone and poison cases make their own caches with those flags).
 * Reports go to a capturing hook while the suites run and are echoed as
 * KTAP diagnostics ("# reported: BUG ...").
 */
#include "kernel/selftest.h"
#include "kernel/selftests/block_pages.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/cpu.h"
#include "lib/rand.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/page.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

static struct {
	unsigned int count;
	enum slab_bug bug;
	const void *addr;
	uintptr_t owner;
	/* slab_locks_released: the cache whose lock a report must hold. */
	struct kmem_cache *locked;
	bool held, irqs_on;
} rep;

/* True when interrupts are enabled on this hart. */
static bool irqs_enabled(void)
{
	unsigned long flags = cpu_irq_save();

	cpu_irq_restore(flags);
	return flags != 0;
}

static void capture(const struct slab_report *r)
{
	rep.count++;
	rep.bug = r->bug;
	rep.addr = r->addr;
	rep.owner = r->owner;
	if (rep.locked) {
		rep.held = spin_is_held(&rep.locked->lock);
		rep.irqs_on = irqs_enabled();
	}
	printk("    # reported: %s\n", r->line);
}

static int suites_init(void)
{
	memset(&rep, 0, sizeof(rep));
	slab_set_report_hook(capture);
	return 0;
}

static void suites_exit(void)
{
	slab_set_report_hook(NULL);
}

/* One report of kind b since the last check; resets the record. */
static bool reported(enum slab_bug b)
{
	bool ok = rep.count == 1 && rep.bug == b;

	memset(&rep, 0, sizeof(rep));
	return ok;
}

static unsigned long free_pages_now(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return st.free;
}

static struct kmem_cache_info info_of(struct kmem_cache *c)
{
	struct kmem_cache_info i;

	kmem_cache_info(c, &i);
	return i;
}

/*
 * The slab holding object p: by masking, when the cache's slabs are
 * aligned to their size (one page, or any slab under the binary buddy
 * policy), else from the page descriptor (buddy=fibonacci, weighted,
 * tertiary: blocks are aligned to a page only).
 */
static uintptr_t slab_of(struct kmem_cache *c, const void *p)
{
	if (c->slab_mask)
		return (uintptr_t)p & c->slab_mask;
	return (uintptr_t)virt_to_page(p)->slab;
}

/* ------------------------------------------------------------- slab */

#define BASIC_OBJS 300

/* Pages free plus pages held in every cache's slabs (kmem_slab's
 * descriptors included): what a cache's life must leave unchanged. */
static unsigned long pages_accounted(void)
{
	struct slab_totals tot;

	slab_get_totals(&tot);
	return free_pages_now() + tot.pages;
}

/* Scenario: 300 objects of 2 KiB (descriptor off the slab: two objects
 * a page), written and freed. Expect distinct aligned objects, slab_check()
 * clean and every page back (free or in a cache) after destroy. */
static void slab_basic(struct ktest *t)
{
	static void *objs[BASIC_OBJS];
	struct kmem_cache *c = kmem_cache_create("st-2k", 2048, 64, 0, NULL);
	unsigned long pages0 = pages_accounted(); /* after the cache's own */

	int n = 0;

	KTEST_ASSERT_NOT_NULL(t, c);
	if (!(info_of(c).flags & SLAB_DEBUG_FLAGS)) /* word inside */
		KTEST_EXPECT_EQ(t, info_of(c).objs_per_slab * 2048UL,
				PAGE_SIZE << info_of(c).order);
	for (; n < BASIC_OBJS; n++) {
		objs[n] = kmem_cache_alloc(c, GFP_KERNEL);
		KTEST_ASSERT_GOTO(t, objs[n] != NULL, out);
		KTEST_EXPECT(t, IS_ALIGNED((uintptr_t)objs[n], 64));
		memset(objs[n], n & 0xff, 2048);
	}
	for (int i = 0; i < BASIC_OBJS; i++)
		KTEST_EXPECT_EQ(t, ((unsigned char *)objs[i])[2047], i & 0xff);
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, BASIC_OBJS);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
out:
	for (int i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT_EQ(t, pages_accounted(), pages0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

static unsigned int ctor_calls;

static void ctor_fn(void *p)
{
	uint64_t *o = p;

	o[0] = 0xc0257c0257c02570ULL;
	o[1] = 0;
	ctor_calls++;
}

/* Scenario: a cache with a counting constructor. Expect it to run once
 * per object when the slab is made, and a freed object to come back
 * unchanged (still constructed, with what its user left in it). */
static void slab_ctor_once(struct ktest *t)
{
	struct kmem_cache *c;
	uint64_t *a, *b, *again;
	unsigned int n;

	ctor_calls = 0;
	c = kmem_cache_create("st-ctor", 40, 0, 0, ctor_fn);
	KTEST_ASSERT_NOT_NULL(t, c);
	KTEST_EXPECT_EQ(t, ctor_calls, 0);
	n = info_of(c).objs_per_slab;
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	if (!a || !b) {
		kmem_cache_free(c, a);
		kmem_cache_free(c, b);
		kmem_cache_destroy(c);
		KTEST_ASSERT(t, a && b);
	}
	KTEST_EXPECT_EQ(t, ctor_calls, n);
	KTEST_EXPECT_EQ(t, a[0], 0xc0257c0257c02570ULL);
	a[1] = 1234;
	kmem_cache_free(c, a);
	/* From this hart's magazine, which failslab= may still refuse. */
	again = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_EXPECT(t, again == a);
	if (!again) {
		kmem_cache_free(c, b);
		kmem_cache_destroy(c);
		return;
	}
	KTEST_EXPECT_EQ(t, again[1], 1234);
	KTEST_EXPECT_EQ(t, again[0], 0xc0257c0257c02570ULL);
	KTEST_EXPECT_EQ(t, ctor_calls, n);
	kmem_cache_free(c, again);
	kmem_cache_free(c, b);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Scenario: slab A empty, slab B partial. Expect allocations from B,
 * then A without growing, then a new slab; then, all freed, one empty
 * slab kept and the two others back at once (nothing left to shrink). */
static void slab_lists_order(struct ktest *t)
{
	static void *objs[64];
	struct kmem_cache *c =
		kmem_cache_create("st-order", 1024, 0, SLAB_NO_CPU_CACHE, NULL);
	unsigned int n;
	uintptr_t a, b;
	void *p, *q, *extra;

	KTEST_ASSERT_NOT_NULL(t, c);
	memset(objs, 0, sizeof(objs));
	n = info_of(c).objs_per_slab;
	KTEST_ASSERT_GOTO(t, 2 * n <= 64, out);
	for (unsigned int i = 0; i < 2 * n; i++)
		KTEST_ASSERT_GOTO(t, (objs[i] = kmem_cache_alloc(c, 0)), out);
	a = slab_of(c, objs[0]);
	b = slab_of(c, objs[n]);
	KTEST_ASSERT_GOTO(t, a != b, out);
	for (unsigned int i = 0; i <= n; i++) {
		kmem_cache_free(c, objs[i]);
		objs[i] = NULL;
	}
	/* Neither grows: failslab= is the only way they can fail. */
	objs[n] = p = kmem_cache_alloc(c, 0);
	objs[0] = q = kmem_cache_alloc(c, 0);
	KTEST_ASSERT_GOTO(t, p && q, out);
	KTEST_EXPECT_EQ(t, slab_of(c, p), b);
	KTEST_EXPECT_EQ(t, slab_of(c, q), a);
	KTEST_EXPECT_EQ(t, info_of(c).grows, 2);
	for (unsigned int i = 1; i < n; i++)
		KTEST_ASSERT_GOTO(t, (objs[i] = kmem_cache_alloc(c, 0)), out);
	extra = kmem_cache_alloc(c, 0);
	KTEST_ASSERT_GOTO(t, extra != NULL, out);
	KTEST_EXPECT(t, slab_of(c, extra) != a && slab_of(c, extra) != b);
	KTEST_EXPECT_EQ(t, info_of(c).grows, 3);
	kmem_cache_free(c, extra);
	for (unsigned int i = 0; i < 2 * n; i++)
		kmem_cache_free(c, objs[i]);
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_EMPTY], 1);
	KTEST_EXPECT_EQ(t, info_of(c).releases, 2);
	KTEST_EXPECT_EQ(t, kmem_cache_shrink(c), 0);
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_EMPTY], 1);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	return;
out:
	for (unsigned int i = 0; i < 64; i++)
		kmem_cache_free(c, objs[i]); /* NULL is ignored */
	kmem_cache_destroy(c);
}

#define RANDOM_LIVE 128
#define RANDOM_STEPS 600

/* Scenario: random allocs and frees over two caches, slab_check() after
 * every step. Expect contents intact and no violation. */
static void slab_random_check(struct ktest *t)
{
	static struct {
		unsigned char *p;
		int c;
		unsigned char tag;
	} live[RANDOM_LIVE];
	struct kmem_cache *c[2] = {
		kmem_cache_create("st-rnd-24", 24, 0, 0, NULL),
		kmem_cache_create("st-rnd-700", 700, 0, 0, NULL),
	};
	struct rand_state r;
	unsigned int n = 0;

	if (!c[0] || !c[1]) {
		kmem_cache_destroy(c[0]);
		kmem_cache_destroy(c[1]);
		KTEST_ASSERT(t, c[0] && c[1]);
	}
	rand_seed(&r, 2024);
	for (int step = 0; step < RANDOM_STEPS; step++) {
		if (n == 0 || (n < RANDOM_LIVE && rand_below(&r, 2))) {
			int k = (int)rand_below(&r, 2);

			live[n].p = kmem_cache_alloc(c[k], GFP_KERNEL);
			KTEST_ASSERT_GOTO(t, live[n].p != NULL, out);
			live[n].c = k;
			live[n].tag = (unsigned char)rand_next(&r);
			memset(live[n].p, live[n].tag, kmem_cache_size(c[k]));
			n++;
		} else {
			unsigned int i = (unsigned int)rand_below(&r, n);

			KTEST_EXPECT_EQ(t, live[i].p[0], live[i].tag);
			kmem_cache_free(c[live[i].c], live[i].p);
			live[i] = live[--n];
		}
		if (slab_check()) {
			ktest_fail(t, __FILE__, __LINE__,
				   "slab_check failed at step %d", step);
			goto out;
		}
	}
out:
	while (n) {
		n--;
		kmem_cache_free(c[live[n].c], live[n].p);
	}
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c[0]), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c[1]), 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: a double free, a free inside an object, a free into the
 * wrong cache. Expect one report of the right kind each, nothing freed,
 * the caches consistent. */
static void slab_misuse_reported(struct ktest *t)
{
	struct kmem_cache *a = kmem_cache_create("st-mis-a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("st-mis-b", 64, 0, 0, NULL);
	char *p, *q, *r;

	KTEST_ASSERT(t, a && b);
	p = kmem_cache_alloc(a, 0);
	q = kmem_cache_alloc(a, 0);
	r = kmem_cache_alloc(b, 0);
	KTEST_ASSERT(t, p && q && r);
	kmem_cache_free(a, p);
	kmem_cache_free(a, p);
	KTEST_EXPECT(t, rep.addr == p);
	if (a->flags & SLAB_STORE_USER)
		KTEST_EXPECT(t, rep.owner != 0);
	KTEST_EXPECT(t, reported(SLAB_BUG_DOUBLE_FREE));
	kmem_cache_free(a, q + 16);
	KTEST_EXPECT(t, reported(SLAB_BUG_NOT_OBJECT_START));
	kmem_cache_free(b, q);
	KTEST_EXPECT(t, reported(SLAB_BUG_WRONG_CACHE));
	KTEST_EXPECT_EQ(t, info_of(a).active_objs, 1);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_cache_free(a, q);
	kmem_cache_free(b, r);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(a), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(b), 0);
}

/* Scenario: the hardened link of a free object overwritten in its low
 * byte. Expect one "free pointer corrupted" report before any bad
 * pointer is handed out, and the slab quarantined. */
static void slab_freeptr_quarantine(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("st-fp", 64, 0, SLAB_NO_CPU_CACHE, NULL);
	void *keep[3], *got[3] = { 0 };
	uintptr_t slab;

	KTEST_ASSERT_NOT_NULL(t, c);
	for (int i = 0; i < 3; i++)
		KTEST_ASSERT_NOT_NULL(t, keep[i] = kmem_cache_alloc(c, 0));
	slab = slab_of(c, keep[0]);
	kmem_cache_free(c, keep[1]);
	kmem_cache_free(c, keep[2]);
	/* The word: keep[2]'s first bytes, or before it (mm/slab.c). */
	*(uintptr_t *)((uintptr_t)keep[2] - c->word_back) ^= 0x28;
	for (int i = 0; i < 3 && rep.count == 0; i++) {
		got[i] = kmem_cache_alloc(c, 0);
		KTEST_ASSERT_NOT_NULL(t, got[i]);
		KTEST_EXPECT(t,
			     slab_of(c, got[i]) != slab || got[i] == keep[2]);
	}
	KTEST_EXPECT(t, reported(SLAB_BUG_FREEPTR));
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_QUARANTINED], 1);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_cache_free(c, keep[0]);
	for (int i = 0; i < 3; i++)
		kmem_cache_free(c, got[i]);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Scenario: a cache with red zones (Z); a write one byte past an object,
 * then the byte restored. Expect the free to be reported and refused,
 * then the repaired object to free normally. */
static void slab_redzone_reported(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("st-rz", 60, 0, SLAB_RED_ZONE, NULL);
	unsigned char *p, saved;

	KTEST_ASSERT_NOT_NULL(t, c);
	p = kmem_cache_alloc(c, 0);
	KTEST_ASSERT_NOT_NULL(t, p);
	saved = p[60];
	p[60] = (unsigned char)~saved;
	kmem_cache_free(c, p);
	KTEST_EXPECT(t, rep.addr == p + 60);
	KTEST_EXPECT(t, reported(SLAB_BUG_REDZONE));
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 1);
	p[60] = saved;
	kmem_cache_free(c, p);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Scenario: a poisoned cache (P); a write into a freed object. Expect
 * "use after free" at the next allocation, the damaged object not handed
 * out, its slab quarantined. */
static void slab_poison_reported(struct ktest *t)
{
	struct kmem_cache *c =
		kmem_cache_create("st-uaf", 128, 0, SLAB_POISON, NULL);
	unsigned char *p, *q;

	KTEST_ASSERT_NOT_NULL(t, c);
	p = kmem_cache_alloc(c, 0);
	KTEST_ASSERT_NOT_NULL(t, p);
	kmem_cache_free(c, p);
	p[100] = 0;
	q = kmem_cache_alloc(c, 0);
	KTEST_EXPECT(t, q != NULL && q != p);
	KTEST_EXPECT(t, rep.addr == p + 100);
	KTEST_EXPECT(t, reported(SLAB_BUG_POISON));
	KTEST_EXPECT_EQ(t, info_of(c).nr_slabs[KMEM_SLAB_QUARANTINED], 1);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	kmem_cache_free(c, q);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: destroy with a live object, then without. Expect -EBUSY and
 * one report, then 0 and the pages back: the cache's slab, and whatever
 * the slab layer gave back with it (its magazines' slab), all of it in
 * the buddy allocator. */
static void slab_destroy_busy(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("st-busy", 500, 0, 0, NULL);
	struct slab_totals tot0, tot;
	unsigned long free0;
	unsigned int c_order;
	void *p;

	KTEST_ASSERT_NOT_NULL(t, c);
	c_order = info_of(c).order;
	p = kmem_cache_alloc(c, 0);
	free0 = free_pages_now();
	slab_get_totals(&tot0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), -EBUSY);
	KTEST_EXPECT(t, reported(SLAB_BUG_DESTROY_BUSY));
	kmem_cache_free(c, p);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	slab_get_totals(&tot);
	KTEST_EXPECT_GE(t, tot0.pages - tot.pages, order_block_pages(c_order));
	KTEST_EXPECT_EQ(t, free_pages_now(), free0 + (tot0.pages - tot.pages));
}

/* Neither c's lock nor any other is left held; interrupts as before. */
#define EXPECT_UNLOCKED(t, c, irq0, spin0)                                     \
	do {                                                                   \
		KTEST_EXPECT(t, !spin_is_locked(&(c)->lock));                  \
		KTEST_EXPECT_EQ(t, irqs_enabled(), irq0);                      \
		KTEST_EXPECT_EQ(t, spin_bug_count(), spin0);                   \
	} while (0)

/*
 * Scenario: every entry point of a cache in turn (fast and slow
 * allocation, growth, zeroing, fast and slow free, a double free,
 * shrink, reap, validate, info, a refused and a done destroy), plain
 * and with F, Z, P and U. Expect the cache's lock free and interrupts
 * as they were after each call, the lock held with interrupts off while
 * the report hook runs, and no spinlock BUG line.
 */
static void slab_locks_released(struct ktest *t)
{
	bool irq0 = irqs_enabled();
	unsigned long spin0 = spin_bug_count();

	for (int dbg = 0; dbg < 2; dbg++) {
		struct kmem_cache *c = kmem_cache_create(
			"st-lock", 128, 0, dbg ? SLAB_DEBUG_FLAGS : 0, NULL);
		struct kmem_cache_info ci;
		void *p, *q;

		KTEST_ASSERT_NOT_NULL(t, c);
		p = kmem_cache_alloc(c, GFP_KERNEL); /* grows: slow path */
		EXPECT_UNLOCKED(t, c, irq0, spin0);
		q = kmem_cache_zalloc(c, GFP_KERNEL); /* fast unless debug */
		EXPECT_UNLOCKED(t, c, irq0, spin0);
		KTEST_ASSERT(t, p && q);
		kmem_cache_free(c, q);
		EXPECT_UNLOCKED(t, c, irq0, spin0);
		rep.locked = c;
		kmem_cache_free(c, q); /* double free: reported */
		rep.locked = NULL;
		KTEST_EXPECT(t, rep.held);
		KTEST_EXPECT(t, !rep.irqs_on);
		KTEST_EXPECT(t, reported(SLAB_BUG_DOUBLE_FREE));
		EXPECT_UNLOCKED(t, c, irq0, spin0);
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), -EBUSY);
		KTEST_EXPECT(t, reported(SLAB_BUG_DESTROY_BUSY));
		EXPECT_UNLOCKED(t, c, irq0, spin0);
		kmem_cache_free(c, p);
		EXPECT_UNLOCKED(t, c, irq0, spin0);
		kmem_cache_shrink(c);
		kmem_reap();
		KTEST_EXPECT_EQ(t, kmem_cache_validate(c), 0);
		kmem_cache_info(c, &ci);
		KTEST_EXPECT_EQ(t, ci.active_objs, 0);
		EXPECT_UNLOCKED(t, c, irq0, spin0);
		KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
		KTEST_EXPECT_EQ(t, irqs_enabled(), irq0);
	}
	KTEST_EXPECT_EQ(t, spin_bug_count(), spin0);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* slabinfo_print() output captured by a temporary printk sink. */
static char slabinfo_buf[8192];
static size_t slabinfo_len;

static void slabinfo_sink(const char *str, size_t len)
{
	size_t room = sizeof(slabinfo_buf) - 1 - slabinfo_len;

	if (len > room)
		len = room;
	memcpy(slabinfo_buf + slabinfo_len, str, len);
	slabinfo_len += len;
	slabinfo_buf[slabinfo_len] = '\0';
}

/*
 * Scenario: a cache with 3 live objects of 200 bytes, then slabinfo.
 * Expect a header line and one "slabinfo: st-info ..." line whose
 * active count is 3, among lines for the kmalloc caches.
 */
static void slab_slabinfo_lines(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("st-info", 200, 0, 0, NULL);
	void *o[3];
	const char *line;
	printk_sink_fn old;
	unsigned int lines = 0;

	KTEST_ASSERT_NOT_NULL(t, c);
	for (int i = 0; i < 3; i++)
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_ASSERT_GOTO(t, o[0] && o[1] && o[2], out);
	slabinfo_len = 0;
	old = printk_set_sink(slabinfo_sink);
	slabinfo_print();
	printk_set_sink(old);
	for (const char *p = slabinfo_buf; (p = strchr(p, '\n')); p++)
		lines++;
	KTEST_EXPECT_GT(t, lines, 10); /* header + kmalloc classes + ours */
	line = slabinfo_buf;
	while (line && strncmp(line, "slabinfo: st-info ", 18) != 0) {
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	KTEST_ASSERT_GOTO(t, line != NULL, out);
	KTEST_EXPECT_EQ(t, info_of(c).active_objs, 3);
	/* "slabinfo: " + name padded to 18, then objsize in 8 columns */
	KTEST_EXPECT(t, memcmp(line + 28, "     200", 8) == 0);
out:
	for (int i = 0; i < 3; i++)
		kmem_cache_free(c, o[i]);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* Scenario: a, b, c allocated, then freed in that order; then a shrink.
 * Expect c, b, a handed out next (last freed first, from this hart's
 * magazine, or with slab_debug= from the slab's free list), and after they are freed again the shrink to leave no
 * object cached and the reserve slab only. */
static void slab_magazine_lifo(struct ktest *t)
{
	struct kmem_cache *k = kmem_cache_create("st-mag", 72, 0, 0, NULL);
	struct kmem_cache_info ci;
	void *a, *b, *c;

	KTEST_ASSERT_NOT_NULL(t, k);
	a = kmem_cache_alloc(k, 0);
	b = kmem_cache_alloc(k, 0);
	c = kmem_cache_alloc(k, 0);
	KTEST_ASSERT(t, a && b && c);
	kmem_cache_free(k, a);
	kmem_cache_free(k, b);
	kmem_cache_free(k, c);
	/* slab_debug= bypasses the magazines (the slabs are LIFO too) */
	if (!(info_of(k).flags & SLAB_DEBUG_FLAGS))
		KTEST_EXPECT_GE(t, info_of(k).cached, 3);
	KTEST_EXPECT(t, kmem_cache_alloc(k, 0) == c);
	KTEST_EXPECT(t, kmem_cache_alloc(k, 0) == b);
	KTEST_EXPECT(t, kmem_cache_alloc(k, 0) == a);
	kmem_cache_free(k, a);
	kmem_cache_free(k, b);
	kmem_cache_free(k, c);
	kmem_cache_shrink(k);
	ci = info_of(k);
	KTEST_EXPECT_EQ(t, ci.cached, 0);
	KTEST_EXPECT_EQ(t, ci.active_objs, 0);
	KTEST_EXPECT_EQ(t, ci.nr_slabs[KMEM_SLAB_EMPTY], 1);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
}

/* Scenario: an object freed into this hart's magazine is freed again,
 * with kmem_cache_free() and with kfree(). Expect one "double free"
 * report each and the object handed out only once afterwards. */
static void slab_magazine_double_free(struct ktest *t)
{
	struct kmem_cache *k = kmem_cache_create("st-mag-df", 40, 0, 0, NULL);
	void *p, *q, *r;

	KTEST_ASSERT_NOT_NULL(t, k);
	p = kmem_cache_alloc(k, 0);
	KTEST_ASSERT_NOT_NULL(t, p);
	kmem_cache_free(k, p);
	kmem_cache_free(k, p);
	KTEST_EXPECT(t, rep.addr == p);
	KTEST_EXPECT(t, reported(SLAB_BUG_DOUBLE_FREE));
	q = kmem_cache_alloc(k, 0);
	r = kmem_cache_alloc(k, 0);
	KTEST_EXPECT(t, q == p && r && r != p);
	kmem_cache_free(k, q);
	kmem_cache_free(k, r);
	p = kmalloc(300, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	kfree(p);
	kfree(p);
	KTEST_EXPECT(t, reported(SLAB_BUG_DOUBLE_FREE));
	q = kmalloc(300, GFP_KERNEL);
	r = kmalloc(300, GFP_KERNEL);
	KTEST_EXPECT(t, q == p && r && r != p);
	kfree(q);
	kfree(r);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
}

/* Scenario: kmem_cache_free() and kfree() of the start of a vmalloc
 * area (a guard page before it). Expect one "invalid free" report each
 * and no fault: the pointer is checked before anything is read. */
static void slab_free_vmalloc_start(struct ktest *t)
{
	struct kmem_cache *k = kmem_cache_create("st-vfree", 64, 0, 0, NULL);
	void *v = vmalloc(PAGE_SIZE);

	KTEST_ASSERT(t, k && v);
	kmem_cache_free(k, v);
	KTEST_EXPECT(t, reported(SLAB_BUG_INVALID_FREE));
	kfree(v);
	KTEST_EXPECT(t, reported(SLAB_BUG_INVALID_FREE));
	vfree(v);
	KTEST_EXPECT_EQ(t, kmem_cache_destroy(k), 0);
}

KTEST_NO_INJECT(slab_misuse_reported)
KTEST_NO_INJECT(slab_freeptr_quarantine)
KTEST_NO_INJECT(slab_redzone_reported)
KTEST_NO_INJECT(slab_poison_reported)
KTEST_NO_INJECT(slab_destroy_busy)
KTEST_NO_INJECT(slab_locks_released)
KTEST_NO_INJECT(slab_magazine_lifo)
KTEST_NO_INJECT(slab_magazine_double_free)
KTEST_NO_INJECT(slab_free_vmalloc_start)

static const struct ktest_case slab_cases[] = {
	KTEST_CASE(slab_basic),
	KTEST_CASE(slab_ctor_once),
	KTEST_CASE(slab_lists_order),
	KTEST_CASE(slab_random_check),
	KTEST_CASE_NO_INJECT(slab_misuse_reported),
	KTEST_CASE_NO_INJECT(slab_freeptr_quarantine),
	KTEST_CASE_NO_INJECT(slab_redzone_reported),
	KTEST_CASE_NO_INJECT(slab_poison_reported),
	KTEST_CASE_NO_INJECT(slab_destroy_busy),
	KTEST_CASE_NO_INJECT(slab_locks_released),
	KTEST_CASE(slab_slabinfo_lines),
	KTEST_CASE_NO_INJECT(slab_magazine_lifo),
	KTEST_CASE_NO_INJECT(slab_magazine_double_free),
	KTEST_CASE_NO_INJECT(slab_free_vmalloc_start),
	KTEST_END,
};

static const struct ktest_suite slab_suite = { "slab", slab_cases, suites_init,
					       suites_exit };
KTEST_SUITE_REGISTER(slab_suite, 50);

/* ---------------------------------------------------------- kmalloc */

/* Scenario: sizes 1..8192 (every size to 512, then every 7th). Expect
 * ksize() to be the class, at least the size and under 25% more above
 * 64 bytes, objects aligned as their class (K4). */
static void kmalloc_classes(struct ktest *t)
{
	for (size_t s = 1; s <= KMALLOC_MAX_CACHE_SIZE; s += s < 512 ? 1 : 7) {
		void *p = kmalloc(s, GFP_KERNEL);
		size_t k;

		KTEST_ASSERT_NOT_NULL(t, p);
		k = ksize(p);
		if (k != kmalloc_size_class(s) || k < s ||
		    (s > 64 && (k - s) * 4 > s) ||
		    !IS_ALIGNED((uintptr_t)p, kmalloc_class_align(k))) {
			ktest_fail(t, __FILE__, __LINE__,
				   "size %zu: ksize %zu, class %zu, at %p", s,
				   k, kmalloc_size_class(s), p);
			kfree(p);
			return;
		}
		kfree(p);
	}
	KTEST_EXPECT_EQ(t, slab_check(), 0);
}

/* Scenario: kmalloc(0), impossible sizes, overflowing kcalloc. Expect
 * ZERO_SIZE_PTR (freeable), NULL, NULL, and no report. */
static void kmalloc_edges(struct ktest *t)
{
	volatile size_t zero = 0, huge = KMALLOC_MAX_SIZE + 1;
	unsigned char *p;

	KTEST_EXPECT(t, kmalloc(zero, GFP_KERNEL) == ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	KTEST_EXPECT_EQ(t, ksize(ZERO_SIZE_PTR), 0);
	KTEST_EXPECT(t, kmalloc(huge, GFP_KERNEL | __GFP_NOWARN) == NULL);
	KTEST_EXPECT(t, kcalloc(SIZE_MAX / 4, 8, GFP_KERNEL) == NULL);
	KTEST_EXPECT(t, kcalloc(1UL << 33, 1UL << 33, GFP_KERNEL) == NULL);
	p = kcalloc(25, 8, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	for (int i = 0; i < 200; i++)
		KTEST_EXPECT_EQ(t, p[i], 0);
	kfree(p);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: krealloc from 16 bytes up through 6000 and 40000 and back
 * to 100. Expect the contents kept at every step, the same pointer while
 * ksize allows, and krealloc(p, 0) to free. */
static void kmalloc_krealloc(struct ktest *t)
{
	static const size_t sizes[] = { 16, 20, 300, 6000, 40000, 100 };
	unsigned char *p = kmalloc(16, GFP_KERNEL);
	size_t have = 16;

	KTEST_ASSERT_NOT_NULL(t, p);
	for (size_t i = 0; i < 16; i++)
		p[i] = (unsigned char)(i + 1);
	for (size_t k = 1; k < ARRAY_SIZE(sizes); k++) {
		bool fits = sizes[k] <= ksize(p);
		unsigned char *q = krealloc(p, sizes[k], GFP_KERNEL);
		size_t keep = MIN(have, sizes[k]);

		if (!q) /* p is still ours (an injected failure): no leak */
			kfree(p);
		KTEST_ASSERT_NOT_NULL(t, q);
		if (fits)
			KTEST_EXPECT(t, q == p);
		for (size_t i = 0; i < keep; i++)
			if (q[i] != (unsigned char)(i + 1)) {
				ktest_fail(t, __FILE__, __LINE__,
					   "byte %zu lost at %zu", i, sizes[k]);
				break;
			}
		for (size_t i = keep; i < sizes[k]; i++)
			q[i] = (unsigned char)(i + 1);
		p = q;
		have = sizes[k];
	}
	KTEST_EXPECT(t, krealloc(p, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
	KTEST_EXPECT_EQ(t, rep.count, 0);
}

/* Scenario: 100000 bytes, a large allocation. Expect a page-aligned
 * order-5 block with PG_large, ksize the block's size (128 KiB under
 * binary, 136 KiB under Fibonacci: its class for 32 pages has 34), the
 * block's pages taken, all pages back at kfree. */
static void kmalloc_large_block(struct ktest *t)
{
	unsigned long free0 = free_pages_now();
	unsigned char *p = kmalloc(100000, GFP_KERNEL);
	struct page *pg;

	KTEST_ASSERT_NOT_NULL(t, p);
	pg = virt_to_page(p);
	KTEST_ASSERT_NOT_NULL(t, pg);
	KTEST_EXPECT(t, IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
	KTEST_EXPECT(t, (pg->flags & PG_large) != 0);
	KTEST_EXPECT_EQ(t, ksize(p), order_block_pages(5) * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, free_pages_now(), free0 - order_block_pages(5));
	p[99999] = 1;
	kfree(p);
	KTEST_EXPECT_EQ(t, free_pages_now(), free0);
}

/* Scenario: kfree twice, inside an object, inside a large block, of a
 * page from the buddy allocator. Expect one report of the right kind
 * each and the allocators consistent. */
static void kmalloc_kfree_misuse(struct ktest *t)
{
	char *p = kmalloc(40, GFP_KERNEL), *q = kmalloc(40, GFP_KERNEL);
	char *big = kmalloc(20000, GFP_KERNEL);
	struct page *pg = alloc_page(GFP_KERNEL);

	KTEST_ASSERT(t, p && q && big && pg);
	kfree(p);
	kfree(p);
	KTEST_EXPECT(t, reported(SLAB_BUG_DOUBLE_FREE));
	kfree(q + 8);
	KTEST_EXPECT(t, reported(SLAB_BUG_NOT_OBJECT_START));
	kfree(big + 8);
	KTEST_EXPECT(t, reported(SLAB_BUG_NOT_OBJECT_START));
	kfree(page_address(pg));
	KTEST_EXPECT(t, reported(SLAB_BUG_INVALID_FREE));
	kfree(q);
	kfree(big);
	__free_page(pg);
	KTEST_EXPECT_EQ(t, rep.count, 0);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * kmalloc() of a size the compiler cannot see (through __kmalloc()),
 * from a known place: the return address of that call lies in this
 * function, a little past its start. Not inlined, and not a tail call
 * (the asm after the call), so that the place is this function.
 */
#define OWNER_FN_MAX 256 /* bytes of owner_alloc() its call lies within */
static __attribute__((noinline)) void *owner_alloc(size_t size)
{
	void *p = kmalloc(size, GFP_KERNEL);

	__asm__ volatile("" : "+r"(p) : : "memory");
	return p;
}

/*
 * Scenario: with U on the kmalloc caches (the slab_debug=FZPU boot),
 * an object allocated by owner_alloc() through __kmalloc(), then freed
 * twice. Expect the double free's report to name owner_alloc() as the
 * last owner, not __kmalloc(): __kmalloc() passes caller 0, and the
 * slow path it tail-calls records its own return address, which must
 * still be __kmalloc()'s caller. Skipped without U.
 */
static void kmalloc_owner_is_caller(struct ktest *t)
{
	volatile size_t size = 72;
	uintptr_t fn = (uintptr_t)owner_alloc, owner;
	char *p;

	if (!(kmalloc_caches[kmalloc_index(size)]->flags & SLAB_STORE_USER)) {
		ktest_skip(t, "kmalloc caches without U (slab_debug=U)");
		return;
	}
	p = owner_alloc(size);
	KTEST_ASSERT_NOT_NULL(t, p);
	kfree(p);
	kfree(p);
	owner = rep.owner; /* reported() clears rep */
	KTEST_EXPECT(t, reported(SLAB_BUG_DOUBLE_FREE));
	KTEST_EXPECT(t, owner - fn < OWNER_FN_MAX);
	if (owner - fn >= OWNER_FN_MAX)
		ktest_info(t, "owner %p, owner_alloc %p", (void *)owner,
			   (void *)fn);
	KTEST_EXPECT_EQ(t, slab_check(), 0);
}

/* Scenario: the class table against log-uniform sizes 8..4096. Expect
 * an average internal waste of at most 12%. */
static void kmalloc_waste(struct ktest *t)
{
	unsigned int x100 = kmalloc_waste_pct_x100(20000);

	ktest_info(t, "waste %u.%02u%%", x100 / 100, x100 % 100);
	KTEST_EXPECT_LE(t, x100, 1200);
}

KTEST_NO_INJECT(kmalloc_kfree_misuse)
KTEST_NO_INJECT(kmalloc_owner_is_caller)

/*
 * Scenario: every kmalloc class, two slabs' worth of objects each.
 * Expect each object aligned to kmalloc_class_align() (power-of-two
 * classes naturally: kmalloc(4096) is one whole page, fit for a page
 * table) and no object of a power-of-two class up to a page straddling
 * a page boundary.
 */
static void kmalloc_alignment(struct ktest *t)
{
	static void *objs[2 * PAGE_SIZE / 8 + 1];

	for (size_t size = 8; size <= KMALLOC_MAX_CACHE_SIZE;) {
		size_t align = kmalloc_class_align(size), n = 0, per;
		struct kmem_cache_info ci;

		kmem_cache_info(kmalloc_caches[kmalloc_index(size)], &ci);
		per = ci.objs_per_slab;
		if (!(ci.flags & SLAB_DEBUG_FLAGS)) /* no word beside */
			KTEST_EXPECT_EQ(t, ci.size, size);
		for (; n < 2 * per + 1 && n < ARRAY_SIZE(objs); n++) {
			uintptr_t a;

			objs[n] = kmalloc(size, GFP_KERNEL);
			KTEST_ASSERT_NOT_NULL(t, objs[n]);
			a = (uintptr_t)objs[n];
			if (!IS_ALIGNED(a, align) ||
			    (is_power_of_2(size) && size <= PAGE_SIZE &&
			     (a >> PAGE_SHIFT) !=
				     ((a + size - 1) >> PAGE_SHIFT)))
				ktest_fail(t, __FILE__, __LINE__,
					   "kmalloc(%zu) = %p: not aligned to "
					   "%zu",
					   size, objs[n], align);
		}
		while (n)
			kfree(objs[--n]);
		size = kmalloc_size_class(size + 1);
		if (!size)
			break;
	}
	KTEST_EXPECT_EQ(t, slab_check(), 0);
}

KTEST_NO_INJECT(kmalloc_alignment)

static const struct ktest_case kmalloc_cases[] = {
	KTEST_CASE(kmalloc_classes),
	KTEST_CASE_NO_INJECT(kmalloc_alignment),
	KTEST_CASE(kmalloc_edges),
	KTEST_CASE(kmalloc_krealloc),
	KTEST_CASE(kmalloc_large_block),
	KTEST_CASE_NO_INJECT(kmalloc_kfree_misuse),
	KTEST_CASE_NO_INJECT(kmalloc_owner_is_caller),
	KTEST_CASE(kmalloc_waste),
	KTEST_END,
};

static const struct ktest_suite kmalloc_suite = { "kmalloc", kmalloc_cases,
						  suites_init, suites_exit };
KTEST_SUITE_REGISTER(kmalloc_suite, 55);
