// SPDX-License-Identifier: BSD-2-Clause
/*
 * Object caches, their life cycle: creating a cache (its slab geometry,
 * secret and debug flags), destroying it, and the boot configuration
 * (slab_set_secret()). mm/slab.c states the design, the invariants and
 * the locking these follow; this file is its creation-and-destruction
 * half, split off along that seam.
 *
 * State: slab_ready, slab_secret and slab_cache_seq (what new caches are
 * made with) and kmem_cache_boot (the cache of caches) are protected by
 * slab_caches_lock, as in mm/slab.c's "Locking". kmem_cache_destroy()
 * drains every hart's magazine of the cache before it counts live
 * objects, so objects cached on any hart count as free.
 */
#include "mm/slab.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/page.h"
#include "mm/slab_debug.h"
#include "mm/slab_internal.h"

/* Secret used until slab_set_secret() (golden ratio). */
#define SLAB_DEFAULT_SECRET 0x9e3779b97f4a7c15ULL

#define SLAB_EMPTY_RESERVE 1 /* empty slabs a cache keeps */
#define SLAB_DESTROY_LIST_MAX 16

/* Protected by slab_caches_lock. */
static bool slab_ready; /* kmem_cache_boot and slab_dead_cache set up */
static uint64_t slab_secret = SLAB_DEFAULT_SECRET;
static uint64_t slab_cache_seq;
static struct kmem_cache kmem_cache_boot; /* the cache of caches */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* ----------------------------------------------------------- creation */

/* Objects of `stride` after `first`, ending `end` past the last start. */
static unsigned long layout_objs(uintptr_t bytes, uintptr_t first,
				 uintptr_t end, uintptr_t stride)
{
	if (bytes < first + end)
		return 0;
	return (bytes - first - end) / stride + 1;
}

/*
 * The smallest order up to max_order whose slab leaves at most 1/fraction
 * of its bytes outside the slots (fraction 0: the order up to max_order
 * wasting the smallest fraction); MAX_ORDER + 1 if there is none.
 */
static unsigned int slab_order(uintptr_t first, uintptr_t end, uintptr_t stride,
			       unsigned int fraction, unsigned int max_order)
{
	uintptr_t best_waste = 0, bytes, waste;
	unsigned int best = MAX_ORDER + 1;

	for (unsigned int o = 0; o <= max_order; o++) {
		unsigned long n;

		bytes = PAGE_SIZE << o;
		n = layout_objs(bytes, first, end, stride);
		if (n == 0 || n > UINT32_MAX)
			continue;
		waste = bytes - n * stride;
		if (fraction && waste * fraction <= bytes)
			return o;
		if (!fraction &&
		    (best > MAX_ORDER ||
		     waste * (PAGE_SIZE << best) < best_waste * bytes)) {
			best = o;
			best_waste = waste;
		}
	}
	return best;
}

/*
 * Fill in c's geometry (see the slab picture). Returns -EINVAL when an
 * object does not fit a slab of MAX_ORDER.
 */
static int cache_layout(struct kmem_cache *c, size_t size, size_t align)
{
	uintptr_t end, first, stride, bytes, hdr, back;
	unsigned int best;
	bool inside = !c->ctor && !(c->flags & SLAB_DEBUG_FLAGS);

	if (c->flags & SLAB_HWCACHE_ALIGN)
		align = MAX(align, (size_t)SLAB_CACHE_LINE_SIZE);
	align = MAX(align, (size_t)SLAB_WORD_SIZE);
	end = ALIGN_UP((uintptr_t)size, (uintptr_t)SLAB_WORD_SIZE);
	if (c->flags & SLAB_RED_ZONE)
		end += SLAB_REDZONE_SIZE;
	c->redzone_end = (uint32_t)end;
	c->track_offset = (uint32_t)end;
	if (c->flags & SLAB_STORE_USER)
		end += sizeof(struct kmem_track);
	/* The word: the object's first bytes, or 8 bytes before it. */
	back = inside ? 0 : SLAB_WORD_SIZE;
	stride = ALIGN_UP(end + back, (uintptr_t)align);
	/* Large objects keep their descriptor off the slab (Bonwick). */
	if (inside && stride >= PAGE_SIZE / 8 && c != &kmem_slab_cache)
		c->flags |= SLAB_OFF_SLAB;
	hdr = (c->flags & SLAB_OFF_SLAB) ? 0 : sizeof(struct kmem_slab);
	first = ALIGN_UP(hdr + back, (uintptr_t)align);
	/*
	 * The slab's order: see SLAB_TAIL_FRACTION (mm/slab_internal.h).
	 * Magazines take one page (15 a slab, 1/16 of it unused, where the
	 * rule gives two pages for 31): a magazine is most needed when
	 * memory is short, and then fragmented. With two-page slabs,
	 * selftest=oom inside selftest=all failed nearly every magazine
	 * allocation with free single pages left.
	 */
	if (c == &kmem_magazine_cache)
		best = 0;
	else
		best = slab_order(first, end, stride, SLAB_TAIL_FRACTION,
				  SLAB_ORDER_PREFERRED);
	if (best > MAX_ORDER)
		best = slab_order(first, end, stride, 8, MAX_ORDER);
	if (best > MAX_ORDER)
		best = slab_order(first, end, stride, 0, MAX_ORDER);
	if (best > MAX_ORDER)
		return -EINVAL;
	bytes = PAGE_SIZE << best;
	c->object_size = (uint32_t)size;
	c->align = (uint32_t)align;
	c->size = (uint32_t)stride;
	c->word_back = (uint32_t)back;
	c->order = best;
	c->slab_bytes = bytes;
	/*
	 * Masking finds a descriptor at the start of a slab aligned to its
	 * size: one page always is, any block under binary (slab_of_obj()).
	 * The fast free of a word-inside cache masks p itself, which is
	 * safe only on p's own page: one-page slabs only.
	 */
	if (c->flags & SLAB_OFF_SLAB)
		c->slab_mask = 0;
	else if (best == 0 || (!inside && buddy_blocks_aligned()))
		c->slab_mask = ~(bytes - 1);
	else
		c->slab_mask = 0;
	c->free_mask = inside && best == 0 ? c->slab_mask : 0;
	c->objs_offset = (uint32_t)first;
	c->objs_per_slab = (uint32_t)layout_objs(bytes, first, end, stride);
	c->objs_span = (uint32_t)(c->objs_per_slab * stride);
	c->div_magic = UINT64_MAX / stride + 1;
	c->colour_step = (uint32_t)MAX(align, (size_t)SLAB_CACHE_LINE_SIZE);
	c->colour_max = (uint32_t)ALIGN_DOWN(
		bytes - first - (c->objs_per_slab - 1) * stride - end,
		(uintptr_t)c->colour_step);
	c->colour_next = 0;
	return 0;
}

/*
 * Set c up and put it on the cache list (slab_caches_lock held: the
 * secret, sequence and slab_debug= settings are read under it). c is not
 * published to anyone else before this returns.
 */
static int cache_setup(struct kmem_cache *c, const char *name, size_t size,
		       size_t align, unsigned int flags, void (*ctor)(void *))
{
	size_t len = strnlen(name, SLAB_NAME_MAX - 1);

	ASSERT(spin_is_held(&slab_caches_lock));
	memset(c, 0, sizeof(*c));
	memcpy(c->name, name, len);
	c->name[len] = '\0';
	spin_lock_init(&c->lock, c->name);
	if (!(flags & SLAB_NO_DEBUG))
		flags |= slab_debug_cache_flags(c->name);
	c->flags = flags;
	c->ctor = ctor;
	c->reserve = SLAB_EMPTY_RESERVE;
	if (cache_layout(c, size, align))
		return -EINVAL;
	c->fp_mult = splitmix64(slab_secret ^ (uintptr_t)c ^
				splitmix64(++slab_cache_seq)) |
		     1;
	for (int i = 0; i < KMEM_NR_SLAB_STATES; i++)
		INIT_LIST_HEAD(&c->lists[i]);
	slab_cpu_init(c);
	list_add_tail(&c->caches, &slab_caches);
	return 0;
}

/* The static caches, on first use (slab_caches_lock held). */
static void slab_init(void)
{
	ASSERT(spin_is_held(&slab_caches_lock));
	if (slab_ready)
		return;
	/* Freed under other caches' locks: no magazines (mm/slab_cpu.c). */
	if (cache_setup(&kmem_slab_cache, "kmem_slab", sizeof(struct kmem_slab),
			SLAB_CACHE_LINE_SIZE,
			SLAB_PERMANENT | SLAB_NO_CPU_CACHE, NULL))
		panic("slab_init: cannot lay out the slab descriptors' cache");
	if (cache_setup(&kmem_magazine_cache, "kmem_magazine", SLAB_MAG_SIZE,
			SLAB_MAG_SIZE,
			SLAB_PERMANENT | SLAB_NO_CPU_CACHE | SLAB_NO_DEBUG,
			NULL))
		panic("slab_init: cannot lay out the magazines' cache");
	/*
	 * One empty slab (15 magazines) is kept even by slab_shrink_all()
	 * (mm/slab.c, reap()): out of memory, after a drain gave every
	 * magazine back, the harts get theirs again from it instead of
	 * going without (mm/slab_cpu.c, "Back-off"); with none kept,
	 * selftest=oom ran 15 % more instructions, its frees taking the
	 * checked path. More empty slabs go back at once.
	 */
	kmem_magazine_cache.reserve = 1;
	if (cache_setup(&kmem_cache_boot, "kmem_cache",
			sizeof(struct kmem_cache), SLAB_CACHE_LINE_SIZE,
			SLAB_PERMANENT, NULL))
		panic("slab_init: cannot lay out the cache of caches");
	/* Holds orphaned quarantined slabs; never allocates. */
	memcpy(slab_dead_cache.name, "destroyed", sizeof("destroyed"));
	spin_lock_init(&slab_dead_cache.lock, slab_dead_cache.name);
	slab_dead_cache.flags = SLAB_PERMANENT | SLAB_CONSISTENCY_CHECKS;
	slab_dead_cache.fp_mult = splitmix64(slab_secret ^ 0xdeadULL) | 1;
	for (int i = 0; i < KMEM_NR_SLAB_STATES; i++)
		INIT_LIST_HEAD(&slab_dead_cache.lists[i]);
	slab_cpu_init(&slab_dead_cache);
	list_add_tail(&slab_dead_cache.caches, &slab_caches);
	slab_ready = true;
}

/*
 * The new cache's descriptor comes from kmem_cache_boot with no lock
 * held (that may grow it, and growing may reap, which takes
 * slab_caches_lock); it is set up and listed under slab_caches_lock.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned int flags,
				     void (*ctor)(void *obj))
{
	struct kmem_cache *c;
	unsigned long irq;
	int err;

	if (!name || size == 0 || size > SLAB_MAX_SIZE ||
	    (align && (!is_power_of_2(align) || align > PAGE_SIZE)))
		return NULL;
	irq = spin_lock_irqsave(&slab_caches_lock);
	slab_init();
	spin_unlock_irqrestore(&slab_caches_lock, irq);
	c = kmem_cache_alloc(&kmem_cache_boot, GFP_KERNEL);
	if (!c)
		return NULL;
	irq = spin_lock_irqsave(&slab_caches_lock);
	err = cache_setup(c, name, size, align ? align : 8, flags, ctor);
	spin_unlock_irqrestore(&slab_caches_lock, irq);
	if (err) {
		kmem_cache_free(&kmem_cache_boot, c);
		return NULL;
	}
	return c;
}

size_t kmem_cache_size(const struct kmem_cache *c)
{
	return c->object_size;
}

/*
 * Hand the quarantined slabs on `orphans` (unlinked from a dying cache,
 * none of their objects in use) to the dead cache, under its lock.
 */
static void slab_orphan(struct list_head *orphans)
{
	unsigned long irq = spin_lock_irqsave(&slab_dead_cache.lock);

	while (!list_empty(orphans)) {
		struct kmem_slab *s =
			list_first_entry(orphans, struct kmem_slab, list);

		list_del(&s->list);
		s->cache = &slab_dead_cache;
		list_add(&s->list,
			 &slab_dead_cache.lists[KMEM_SLAB_QUARANTINED]);
		slab_dead_cache.nr_slabs[KMEM_SLAB_QUARANTINED]++;
	}
	spin_unlock_irqrestore(&slab_dead_cache.lock, irq);
}

/*
 * The first object of c still in use; with `print`, also list up to
 * SLAB_DESTROY_LIST_MAX of them (with their owners under U). c->lock
 * held.
 */
static uintptr_t live_objects(struct kmem_cache *c, bool print)
{
	unsigned long listed = 0;
	uintptr_t first = 0;
	struct list_head *p;

	ASSERT(spin_is_held(&c->lock));
	for (int st = 0; st < KMEM_NR_SLAB_STATES; st++) {
		list_for_each (p, &c->lists[st]) {
			struct kmem_slab *s =
				list_entry(p, struct kmem_slab, list);

			for (unsigned long i = 0; i < c->objs_per_slab; i++) {
				uintptr_t o = obj_at(c, s, i);

				if (!slab_obj_in_use(c, s, o))
					continue;
				if (!first)
					first = o;
				if (print && listed++ < SLAB_DESTROY_LIST_MAX)
					printk("slab: %s: live object %p%s\n",
					       c->name, (void *)o,
					       slab_owner_note(owner_of(c, o)));
			}
		}
	}
	return first;
}

/*
 * Under slab_caches_lock, so that no walker of the list (kmem_reap(),
 * slab_check(), slabinfo) still looks at c when it is freed; c->lock is
 * held while c's slabs are counted, detached and released, and dropped
 * before the orphans go to the dead cache (never two cache locks).
 */
int kmem_cache_destroy(struct kmem_cache *c)
{
	struct list_head orphans = LIST_HEAD_INIT(orphans);
	unsigned long live = 0, norphans, irq_list, irq;
	struct list_head *p, *n;
	uintptr_t first;

	if (!c)
		return 0;
	if (c->flags & SLAB_PERMANENT)
		return -EPERM;
	irq_list = spin_lock_irqsave(&slab_caches_lock);
	slab_cpu_drain_all(c); /* objects cached on any hart are free */
	irq = spin_lock_irqsave(&c->lock);
	for (int st = 0; st < KMEM_NR_SLAB_STATES; st++)
		list_for_each (p, &c->lists[st])
			live += list_entry(p, struct kmem_slab, list)->inuse;
	if (live) {
		first = live_objects(c, false);
		slab_report(SLAB_BUG_DESTROY_BUSY, c->name, (void *)first,
			    (void *)first, NULL, RET_IP, 0,
			    "destroy with %lu live objects; refused", live);
		live_objects(c, true);
		c->bugs++;
		spin_unlock_irqrestore(&c->lock, irq);
		spin_unlock_irqrestore(&slab_caches_lock, irq_list);
		return -EBUSY;
	}
	list_del(&c->caches);
	norphans = c->nr_slabs[KMEM_SLAB_QUARANTINED];
	list_for_each_safe (p, n, &c->lists[KMEM_SLAB_QUARANTINED]) {
		list_del(p);
		list_add_tail(p, &orphans);
	}
	c->nr_slabs[KMEM_SLAB_QUARANTINED] = 0;
	slab_cache_trim(c, 0);
	spin_unlock_irqrestore(&c->lock, irq);
	slab_orphan(&orphans);
	spin_unlock_irqrestore(&slab_caches_lock, irq_list);
	if (norphans)
		printk("slab: %s: destroyed; %lu quarantined slab(s) kept in "
		       "\"destroyed\"\n",
		       c->name, norphans);
	kmem_cache_free(&kmem_cache_boot, c);
	return 0;
}

/* ------------------------------------------------------- configuration */

void slab_set_secret(uint64_t seed)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);

	slab_secret = splitmix64(seed ^ SLAB_DEFAULT_SECRET);
	spin_unlock_irqrestore(&slab_caches_lock, irq);
}
