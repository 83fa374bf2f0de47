// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmalloc: virtually contiguous memory from scattered frames. This file
 * builds and frees areas; the purge and the ring of purged areas are in
 * mm/vmalloc_purge.c, the reports (refused frees, vmallocinfo,
 * vmalloc_describe, statistics) in mm/vmalloc_info.c, the checker in
 * mm/vmalloc_check.c, and what the four share in mm/vmalloc_internal.h.
 *
 * Theory of operation
 * -------------------
 * vmalloc_init() hands one virtual range [start, end) to a vmem arena
 * with a page quantum. An area of n pages takes n + 1 pages of addresses;
 * the last is the guard page and is never mapped, so running off the end
 * of an area faults instead of reaching the next one (the first area's
 * underside is the unmapped hole below VMALLOC_START):
 *
 *   vmem segment:  | page 0 | ... | page n-1 | guard |
 *                  ^ area->addr   mapped RW+G, NX     ^ unmapped
 *
 * The segment's owner pointer is the area descriptor (struct vm_area),
 * so one O(log n) vmem_lookup finds the area of any address: vfree,
 * vmalloc_describe and vmalloc_to_page need nothing else.
 *
 * Frames are order-0 pages from the buddy allocator, so a large area
 * succeeds however fragmented physical memory is. Frames are mapped with
 * pt_map_pages() and linked on their area's page list through page->lru
 * (the buddy allocator leaves lru and private to the owner of an
 * allocated page): no page array is needed at any size. Each frame
 * carries PG_vmalloc (set and cleared with relaxed atomics: the buddy
 * allocator reads the flags of neighbouring pages under its zone lock)
 * and, in private, its area's address. Page-table pages come from the
 * table's own allocator (on the kernel table: buddy pages) when
 * pt_map_pages needs them.
 *
 * An area's life:
 *
 *   building ---publish---> live ---vfree/vunmap---> lazy ---purge---> gone
 *   (VM_BUILDING)                                (VM_LAZY, on the lazy list)
 *
 * Building: a vmalloc of at most VMALLOC_MAP_BATCH pages (the common
 * size) takes its frames first, holding no lock, then in ONE
 * vmalloc_lock section its descriptor, its range, the mapping (one
 * pt_map_pages() call, the page-table lock nested as vfree's unmap
 * nests it) and the statistics: such an area is never seen building,
 * and the pair takes vmalloc_lock twice (here and in vfree). Larger
 * areas and every vmap take a descriptor marked VM_BUILDING and
 * reserve the range for it, then take frames a batch of
 * VMALLOC_MAP_BATCH at a time and map each batch with one
 * pt_map_pages() call, holding no vmalloc lock; publishing clears
 * VM_BUILDING, and lookups pass building areas by, so they find only
 * finished ones. A failure part way unmaps what was mapped (one
 * shootdown), frees it, gives the range back, then, once, purges and
 * retries.
 *
 * Lazy free: vfree/vunmap clear the area's entries into the gather
 * (vmalloc_state.gather, a struct pt_gather shared by every lazy area:
 * no shootdown yet, and any table page the unmap empties is held
 * there), fence the calling hart only (once: the page of a one-page
 * area, else everything), mark the descriptor VM_LAZY and push it on
 * the lazy list (vmalloc_state.lazy). The range stays allocated in the
 * arena and the frames stay on the area's list, so nothing that another
 * hart might still reach through a stale translation can be reused. A
 * purge finishes the gather (ONE
 * arch_tlb_shootdown for all lazy areas: of [lowest, highest] or of
 * everything, and only then are the held table pages freed), then
 * frees every lazy area's frames, range and descriptor. It runs when
 * the lazily held address space passes VMALLOC_LAZY_MAX_BYTES or the
 * held frames and table pages pass VMALLOC_LAZY_MAX_PAGES (limits and
 * reasons in mm/vmalloc.h), when an allocation finds no range, frames
 * or table pages (then retries once), on vmalloc_purge() and on
 * vmalloc_destroy(). The purge also writes the newest
 * VMALLOC_FREED_RING of the areas it gives back (range, caller, caller
 * of vfree) into a ring, in the order of their vfree calls, so a touch
 * after the purge still reads "freed area" with the area that was
 * there (before the purge the lazy descriptor itself says so); vfree
 * itself writes nothing there.
 *
 * Metadata never comes from a general heap: area descriptors from a pool
 * refilled one buddy page at a time, vmem segment descriptors from a
 * static seed and then buddy pages; both are kept for reuse until
 * vmalloc_destroy() and counted in vmalloc_stats.meta_pages.
 *
 * Invariants (vmalloc_check() verifies each and cites its number):
 *  V1 the arena is consistent (mm/vmem.c I1..I7) and spans [start, end).
 *  V2 each allocated segment carries a descriptor: VM_BUILDING (exactly
 *     areas_building of them), or one with addr equal to the segment
 *     start, nr_pages > 0, size == nr_pages * PAGE_SIZE and segment size
 *     == size + PAGE_SIZE (the guard).
 *  V3 a vmalloc area's page list holds exactly nr_pages frames in
 *     address order; frame i has PG_vmalloc, private == addr, and (live
 *     area) is the 4 KiB leaf at addr + i * PAGE_SIZE, readable,
 *     writable and not executable.
 *  V4 each page of a live vmap area is mapped by a 4 KiB leaf.
 *  V5 every area's guard page is unmapped.
 *  V6 nothing is mapped in a free segment of the arena.
 *  V7 the counters agree with the areas, and the descriptor pool is
 *     conserved: free + live + lazy + being built == capacity.
 *  V8 a lazily freed area (VM_LAZY) is on the lazy list and the list
 *     holds only those; nothing in its segment is mapped; lazy_pages counts
 *     their frames, lazy_bytes their segments, and lazy_tables equals
 *     the table pages held in the gather.
 *
 * Locking
 * -------
 * vmalloc_lock protects struct vmalloc_state: the descriptor pool and
 * pool pages, the descriptors (but for the page list and count of one
 * being built, which its builder owns), the lazy list and gather, the
 * freed ring and the statistics. init/destroy write the rest (pt,
 * start, end, ready) under it too; is_vmalloc_addr and the entry checks
 * read start and end without it after an acquire load of ready. Lookups
 * take it around vmem_lookup and the reads of the descriptor, so a purge
 * cannot free a descriptor under a reader. The arena, the page table and
 * the buddy allocator have their own locks, always taken after it:
 *
 *   vmalloc_lock -> page-table lock -> buddy zone locks -> printk_lock
 *
 * The arena is only ever used under vmalloc_lock, so it is serialised
 * by it (vmem_set_outer_lock): its own lock is never taken, and each
 * arena call checks that vmalloc_lock is held
 * (the arena's refill callback takes buddy pages under vmalloc_lock;
 * vmalloc_check looks up the page table from inside vmem_walk; the
 * page-table code frees table pages to buddy). Nothing calls back into
 * vmalloc with any of them held. An area under construction is private
 * to the hart building it, which takes frames and maps pages holding
 * no vmalloc lock (only the page-table and buddy locks, one at a time),
 * so large allocations on different harts run in parallel; a small one
 * holds vmalloc_lock while it maps at most VMALLOC_MAP_BATCH pages,
 * as a vfree does while it unmaps, but takes its frames (and zeroes
 * them, for vzalloc) before. The
 * purge, and so the shootdown, runs with vmalloc_lock held; that is
 * safe because arch_tlb_shootdown (SBI RFENCE, served in M-mode) does
 * not need the other harts to take any lock or enable interrupts.
 *
 * Failure modes: exhaustion of addresses, frames or table pages makes
 * vmalloc/vmap return NULL after undoing everything it did (and one
 * purge and retry), with one rate-limited line. A bad vfree/vunmap is
 * reported with one "BUG: ..." line naming what lies at the address and
 * refused.
 */
#include "mm/vmalloc.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/list.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/trace.h"
#include "mm/vmalloc_internal.h"
#include "mm/vmem.h"

#define VMALLOC_SEED_SEGS 64

DEFINE_SPINLOCK(vmalloc_lock);
struct vmalloc_state vmalloc_state;
static struct vmem_seg vmalloc_seed[VMALLOC_SEED_SEGS];
static struct ratelimit vmalloc_fail_rl = RATELIMIT_INIT(10, 1000);

/*
 * PG_vmalloc is the owner's bit in a word the buddy allocator reads
 * under its zone lock for neighbouring pages (mm/buddy.c, "Locking"):
 * both sides use relaxed atomics, so neither access tears or races.
 */
static void frame_mark(struct page *page, vaddr_t area)
{
	__atomic_fetch_or(&page->flags, PG_vmalloc, __ATOMIC_RELAXED);
	page->private = area;
}

static void frame_unmark(struct page *page)
{
	__atomic_fetch_and(&page->flags, ~PG_vmalloc, __ATOMIC_RELAXED);
	page->private = 0;
}

/* ------------------------------------------------------------ metadata */

/* Arena callbacks: under vmalloc_lock; they touch no vmalloc_state. */
static void *seg_refill(void *ctx)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN);

	return page ? page_address(page) : NULL;
}

static void seg_release(void *ctx, void *mem)
{
	__free_page(virt_to_page(mem));
}

/* Refill the empty descriptor pool with one buddy page. Locked. */
static __attribute__((noinline)) bool area_pool_refill(void)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	struct vm_area *base;
	size_t n = PAGE_SIZE / sizeof(*base);

	if (!page)
		return false;
	list_add(&page->lru, &vmalloc_state.pool_pages);
	vmalloc_state.pool_npages++;
	base = page_address(page);
	for (size_t i = 0; i < n; i++) {
		base[i].next = vmalloc_state.free_areas;
		vmalloc_state.free_areas = &base[i];
	}
	vmalloc_state.areas_total += n;
	vmalloc_state.areas_free += n;
	return true;
}

/* A descriptor from the pool, refilling it from buddy. Locked. */
static inline struct vm_area *area_alloc(void)
{
	struct vm_area *a;

	if (unlikely(!vmalloc_state.free_areas) && !area_pool_refill())
		return NULL;
	a = vmalloc_state.free_areas;
	vmalloc_state.free_areas = a->next;
	vmalloc_state.areas_free--;
	a->nr_pages = 0; /* the caller sets the other fields */
	a->flags = 0;
	a->freer = 0;
	a->next = NULL;
	INIT_LIST_HEAD(&a->pages);
	return a;
}

/* Locked. */
void vmalloc_area_free(struct vm_area *a)
{
	a->flags = 0;
	a->next = vmalloc_state.free_areas;
	vmalloc_state.free_areas = a;
	vmalloc_state.areas_free++;
}

/* Locked (the arena's refill count is read under its own lock). */
size_t vmalloc_meta_pages(void)
{
	struct vmem_stats vs;

	vmem_get_stats(&vmalloc_state.arena, &vs);
	return vs.nr_refill + vmalloc_state.pool_npages;
}

/* ------------------------------------------------------------ helpers */

static void fail_msg(const char *what, size_t size, gfp_t gfp)
{
	spin_lock(&vmalloc_lock);
	vmalloc_state.st.failures++;
	spin_unlock(&vmalloc_lock);
	if (!(gfp & __GFP_NOWARN) && ratelimit_ok(&vmalloc_fail_rl))
		printk("vmalloc: %s failure: size %zu\n", what, size);
}

/* Give back the frames of a vmalloc area (unmapped and shot down). */
void vmalloc_free_frames(struct vm_area *a)
{
	struct list_head *l, *n;

	list_for_each_safe (l, n, &a->pages) {
		struct page *page = list_entry(l, struct page, lru);

		list_del(&page->lru);
		frame_unmark(page);
		__free_page(page);
	}
}

/*
 * Take a descriptor and reserve addresses for an area of `pages` pages
 * plus its guard; the descriptor is marked VM_BUILDING (lookups pass it
 * by, V2) and its pages are the caller's alone until area_publish().
 * NULL if either is exhausted.
 */
static struct vm_area *area_create(unsigned int pages, unsigned int flags,
				   uintptr_t caller)
{
	struct vm_area *a;
	vaddr_t addr;

	spin_lock(&vmalloc_lock);
	a = area_alloc();
	if (a) {
		a->size = (size_t)pages * PAGE_SIZE;
		a->caller = caller;
		a->flags = flags | VM_BUILDING;
		if (vmem_xalloc(&vmalloc_state.arena, a->size + PAGE_SIZE,
				PAGE_SIZE, a, &addr)) {
			vmalloc_area_free(a);
			a = NULL;
		} else {
			a->addr = addr;
			vmalloc_state.areas_building++;
		}
	}
	spin_unlock(&vmalloc_lock);
	return a;
}

/*
 * Undo an area that failed part way through building: unmap the first
 * `mapped` pages, shoot them down (another hart may have cached them
 * speculatively) and only then free its frames, range and descriptor.
 */
static void area_abort(struct vm_area *a, size_t mapped)
{
	struct pt_gather g;
	int err;

	pt_gather_init(&g, vmalloc_state.pt);
	if (mapped) {
		err = pt_unmap_gather(&g, a->addr, mapped * PAGE_SIZE);
		VERIFY3U(err, ==, 0); /* only 4 KiB leaves: no split */
	}
	pt_gather_finish(&g);
	vmalloc_free_frames(a);
	spin_lock(&vmalloc_lock);
	err = vmem_free(&vmalloc_state.arena, a->addr, NULL);
	VERIFY3U(err, ==, 0);
	vmalloc_state.areas_building--;
	vmalloc_area_free(a);
	spin_unlock(&vmalloc_lock);
}

/* Count a finished (published) area in the statistics. Locked. */
static inline void area_count_live(const struct vm_area *a)
{
	vmalloc_state.st.nr_areas++;
	if (a->flags & VM_ALLOC)
		vmalloc_state.st.nr_pages += a->nr_pages;
	else
		vmalloc_state.st.vmap_pages += a->nr_pages;
	trace_vmalloc_create(a->addr, a->size, a->nr_pages,
			     (a->flags & VM_MAP) != 0);
}

/* Make a finished area visible to lookups and count it. */
static void area_publish(struct vm_area *a)
{
	spin_lock(&vmalloc_lock);
	a->flags &= ~VM_BUILDING;
	vmalloc_state.areas_building--;
	area_count_live(a);
	spin_unlock(&vmalloc_lock);
}

/*
 * The published area (live or lazy) whose guard-inclusive range holds
 * va, or NULL (also for one being built). Locked: the descriptor stays
 * valid while the lock is held.
 */
struct vm_area *vmalloc_area_find(vaddr_t va)
{
	struct vm_area *a;
	void *priv;

	if (!vmalloc_state.ready ||
	    vmem_lookup(&vmalloc_state.arena, va, NULL, NULL, &priv))
		return NULL;
	a = priv;
	return a->flags & VM_BUILDING ? NULL : a;
}

/* ----------------------------------------------------------- lazy purge */

/* Frames and table pages the lazy areas hold. Locked. */
static size_t lazy_held_pages(void)
{
	return vmalloc_state.st.lazy_pages + vmalloc_state.gather.nr_tables;
}

/*
 * vmalloc's lock is not taken with interrupts off, and its paths map,
 * unmap and shoot down: never from an interrupt handler (as in Linux,
 * where vmalloc may sleep). Such a call is refused with one line,
 *   BUG: <fn>: called from an interrupt handler (caller 0x...), refused
 * and a refused vfree leaks its area rather than corrupt the lists.
 */
static bool refused_in_irq(const char *fn, uintptr_t caller)
{
	if (likely(!cpu_in_irq()))
		return false;
	printk("BUG: %s: called from an interrupt handler (caller 0x%lx), "
	       "refused\n",
	       fn, (unsigned long)caller);
	return true;
}

void vmalloc_purge(void)
{
	if (refused_in_irq("vmalloc_purge", RET_IP))
		return;
	spin_lock(&vmalloc_lock);
	if (vmalloc_state.ready)
		vmalloc_purge_locked();
	spin_unlock(&vmalloc_lock);
}

/*
 * Before an allocation's one retry: purge if anything is lazily held.
 * True when there was something to release.
 */
static bool purge_for_retry(void)
{
	bool any;

	spin_lock(&vmalloc_lock);
	any = vmalloc_state.lazy != NULL;
	vmalloc_purge_locked();
	spin_unlock(&vmalloc_lock);
	return any;
}

/* ---------------------------------------------------------------- API */

int vmalloc_init(struct pgtable *pt, vaddr_t start, vaddr_t end)
{
	const struct vmem_seg_source src = { vmalloc_seed,
					     ARRAY_SIZE(vmalloc_seed),
					     seg_refill, seg_release, NULL };
	int err = 0;

	spin_lock(&vmalloc_lock);
	if (vmalloc_state.ready) {
		err = -EBUSY;
		goto out;
	}
	if (!pt || end <= start || (start | end) & ~PAGE_MASK ||
	    !pt_va_is_canonical(start) || !pt_va_is_canonical(end - 1) ||
	    end - start < 2 * PAGE_SIZE) {
		err = -EINVAL;
		goto out;
	}
	memset(&vmalloc_state, 0, sizeof(vmalloc_state));
	INIT_LIST_HEAD(&vmalloc_state.pool_pages);
	err = vmem_init(&vmalloc_state.arena, "vmalloc", start, end - start,
			PAGE_SIZE, &src);
	if (err)
		goto out;
	/* Every arena call below is made under vmalloc_lock. */
	err = vmem_set_outer_lock(&vmalloc_state.arena, &vmalloc_lock);
	VERIFY3U(err, ==, 0);
	vmalloc_state.pt = pt;
	vmalloc_state.start = start;
	vmalloc_state.end = end;
	pt_gather_init(&vmalloc_state.gather, pt);
	__atomic_store_n(&vmalloc_state.ready, true, __ATOMIC_RELEASE);
out:
	spin_unlock(&vmalloc_lock);
	return err;
}

/* vmalloc_destroy, per published area: unmap it into the gather. */
static int destroy_unmap(void *arg, vaddr_t start, size_t size, bool allocated,
			 void *priv)
{
	struct vm_area *a = priv;
	int err;

	if (a->flags & (VM_LAZY | VM_BUILDING))
		return 0;
	err = pt_unmap_gather(arg, a->addr, a->size);
	VERIFY3U(err, ==, 0);
	return 0;
}

/* ... and after the shootdown, free its frames. */
static int destroy_frames(void *arg, vaddr_t start, size_t size, bool allocated,
			  void *priv)
{
	struct vm_area *a = priv;

	if (a->flags & VM_ALLOC)
		vmalloc_free_frames(a);
	return 0;
}

void vmalloc_destroy(void)
{
	struct list_head *l, *n;

	spin_lock(&vmalloc_lock);
	if (!vmalloc_state.ready) {
		spin_unlock(&vmalloc_lock);
		return;
	}
	vmalloc_purge_locked();
	vmem_walk(&vmalloc_state.arena, VMEM_WALK_ALLOC, destroy_unmap,
		  &vmalloc_state.gather);
	pt_gather_finish(&vmalloc_state.gather);
	vmem_walk(&vmalloc_state.arena, VMEM_WALK_ALLOC, destroy_frames, NULL);
	vmem_destroy(&vmalloc_state.arena); /* gives the segment pages back */
	list_for_each_safe (l, n, &vmalloc_state.pool_pages) {
		struct page *page = list_entry(l, struct page, lru);

		list_del(&page->lru);
		__free_page(page);
	}
	__atomic_store_n(&vmalloc_state.ready, false, __ATOMIC_RELEASE);
	memset(&vmalloc_state, 0, sizeof(vmalloc_state));
	spin_unlock(&vmalloc_lock);
}

/*
 * An area of at most VMALLOC_MAP_BATCH pages in one vmalloc_lock
 * section (see "Building"): its frames first, holding no lock (zeroing
 * them, for vzalloc, included); then, locked, the descriptor, the
 * range, the mapping and the statistics, so the area is never seen
 * building. NULL when frames, a descriptor, the range or table pages
 * run out, with everything taken given back.
 */
static void *vmalloc_small(size_t pages, gfp_t frame_gfp, uintptr_t caller)
{
	struct page *frame[VMALLOC_MAP_BATCH];
	paddr_t pa[VMALLOC_MAP_BATCH];
	struct vm_area *a;
	vaddr_t addr;
	size_t i;
	int err;

	for (i = 0; i < pages; i++) {
		frame[i] = alloc_page(frame_gfp);
		if (!frame[i])
			goto no_frames;
		pa[i] = page_paddr(frame[i]);
	}
	spin_lock(&vmalloc_lock);
	a = area_alloc();
	if (!a)
		goto no_area;
	if (vmem_xalloc(&vmalloc_state.arena, (pages + 1) * PAGE_SIZE,
			PAGE_SIZE, a, &addr))
		goto no_range;
	/* Nested page-table lock, as vfree's unmap; nothing mapped on error. */
	if (pt_map_pages(vmalloc_state.pt, addr, pa, pages, VMALLOC_PROT))
		goto no_tables;
	a->addr = addr;
	a->size = pages * PAGE_SIZE;
	a->caller = caller;
	a->flags = VM_ALLOC;
	a->nr_pages = (unsigned int)pages;
	for (i = 0; i < pages; i++) {
		frame_mark(frame[i], addr);
		list_add_tail(&frame[i]->lru, &a->pages);
	}
	area_count_live(a);
	spin_unlock(&vmalloc_lock);
	return (void *)(uintptr_t)addr;

no_tables:
	err = vmem_free(&vmalloc_state.arena, addr, NULL);
	VERIFY3U(err, ==, 0);
no_range:
	vmalloc_area_free(a);
no_area:
	spin_unlock(&vmalloc_lock);
no_frames:
	while (i--)
		__free_page(frame[i]);
	return NULL;
}

static void *vmalloc_caller(size_t size, gfp_t gfp, uintptr_t caller)
{
	paddr_t pa[VMALLOC_MAP_BATCH];
	struct vm_area *a;
	size_t pages, mapped, n;
	bool retried = false;
	gfp_t frame_gfp = (gfp & (__GFP_ZERO | __GFP_DMA32 | __GFP_HIGH |
				  __GFP_RECLAIM)) |
			  __GFP_NOWARN;

	if (refused_in_irq("vmalloc", caller))
		return NULL;
	if (!vm_ready() || size == 0 ||
	    size > vmalloc_state.end - vmalloc_state.start) {
		fail_msg("allocation", size, gfp);
		return NULL;
	}
	pages = DIV_ROUND_UP(size, PAGE_SIZE);
	if (pages >= UINT32_MAX)
		goto fail;
again:
	if (pages <= VMALLOC_MAP_BATCH) {
		void *p = vmalloc_small(pages, frame_gfp, caller);

		if (p)
			return p;
		goto retry;
	}
	a = area_create(pages, VM_ALLOC, caller);
	if (!a)
		goto retry;
	/* Frames a batch at a time, each batch mapped under one lock. */
	for (mapped = 0; mapped < pages; mapped += n) {
		n = MIN(pages - mapped, (size_t)VMALLOC_MAP_BATCH);
		for (size_t j = 0; j < n; j++) {
			struct page *page = alloc_page(frame_gfp);

			if (!page)
				goto undo;
			frame_mark(page, a->addr);
			list_add_tail(&page->lru, &a->pages);
			a->nr_pages++;
			pa[j] = page_paddr(page);
		}
		if (pt_map_pages(vmalloc_state.pt, a->addr + mapped * PAGE_SIZE,
				 pa, n, VMALLOC_PROT))
			goto undo;
	}
	area_publish(a);
	return (void *)(uintptr_t)a->addr;

undo:
	area_abort(a, mapped);
retry:
	/* Lazily freed areas may hold the addresses, frames or tables. */
	if (!retried && purge_for_retry()) {
		retried = true;
		goto again;
	}
fail:
	fail_msg("allocation", size, gfp);
	return NULL;
}

__attribute__((noinline)) void *vmalloc(size_t size)
{
	return vmalloc_caller(size, GFP_KERNEL, RET_IP);
}

__attribute__((noinline)) void *vzalloc(size_t size)
{
	return vmalloc_caller(size, GFP_KERNEL | __GFP_ZERO, RET_IP);
}

__attribute__((noinline)) void *__vmalloc(size_t size, gfp_t gfp)
{
	return vmalloc_caller(size, gfp, RET_IP);
}

/*
 * vfree/vunmap: refuse misuse, else unmap lazily (see "Lazy free") and
 * fence this hart's TLB for the area. Inlined into both, so a vfree is
 * one stack frame, not two.
 */
static inline __attribute__((always_inline)) void
free_area_at(const char *fn, const void *addr, unsigned int kind,
	     uintptr_t caller)
{
	vaddr_t va = (vaddr_t)(uintptr_t)addr;
	struct vm_area *a;
	size_t size;
	bool purged = false;
	int err;

	if (!addr || refused_in_irq(fn, caller))
		return;
	spin_lock(&vmalloc_lock);
	a = vmalloc_area_find(va);
	if (!a || a->addr != va || (a->flags & VM_LAZY)) {
		vmalloc_report_bad_free(fn, va, caller,
					"is not the start of an area");
		goto out;
	}
	if (!(a->flags & kind)) {
		vmalloc_report_bad_free(fn, va, caller,
					kind == VM_ALLOC ? "is a vmap area"
							 : "is a vmalloc area");
		goto out;
	}
	/* Only 4 KiB leaves: no split, so no -ENOMEM. */
	err = pt_unmap_gather(&vmalloc_state.gather, a->addr, a->size);
	VERIFY3U(err, ==, 0);
	vmalloc_state.st.nr_areas--;
	if (a->flags & VM_ALLOC) {
		vmalloc_state.st.nr_pages -= a->nr_pages;
		vmalloc_state.st.lazy_pages += a->nr_pages;
	} else {
		vmalloc_state.st.vmap_pages -= a->nr_pages;
	}
	a->flags |= VM_LAZY;
	a->freer = caller;
	a->next = vmalloc_state.lazy;
	vmalloc_state.lazy = a;
	vmalloc_state.st.lazy_areas++;
	vmalloc_state.st.lazy_bytes += a->size + PAGE_SIZE;
	size = a->size;
	if (vmalloc_state.st.lazy_bytes > VMALLOC_LAZY_MAX_BYTES ||
	    lazy_held_pages() > VMALLOC_LAZY_MAX_PAGES) {
		vmalloc_purge_locked();
		purged = true; /* its shootdown fenced this hart too */
	}
	spin_unlock(&vmalloc_lock);
	if (purged)
		return;
	/* This hart faults at once on a use after free: one fence. */
	if (size == PAGE_SIZE)
		arch_tlb_flush_page(va);
	else
		arch_tlb_flush_all();
	return;
out:
	spin_unlock(&vmalloc_lock);
}

__attribute__((noinline)) void vfree(const void *addr)
{
	free_area_at("vfree", addr, VM_ALLOC, RET_IP);
}

__attribute__((noinline)) void vunmap(const void *addr)
{
	free_area_at("vunmap", addr, VM_MAP, RET_IP);
}

__attribute__((noinline)) void *vmap(struct page **pages, unsigned int count,
				     unsigned int prot)
{
	uintptr_t caller = RET_IP;
	paddr_t pa[VMALLOC_MAP_BATCH];
	struct vm_area *a;
	size_t mapped, n;
	bool retried = false;

	if (refused_in_irq("vmap", caller))
		return NULL;
	if (!vm_ready() || !pages || count == 0 || !(prot & PROT_READ) ||
	    (prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC) ||
	    (size_t)count >
		    (vmalloc_state.end - vmalloc_state.start) / PAGE_SIZE)
		goto fail;
	for (unsigned int i = 0; i < count; i++)
		if (!pages[i])
			goto fail;
again:
	a = area_create(count, VM_MAP, caller);
	if (!a)
		goto retry;
	for (mapped = 0; mapped < count; mapped += n) {
		n = MIN(count - mapped, (size_t)VMALLOC_MAP_BATCH);
		for (size_t j = 0; j < n; j++)
			pa[j] = page_paddr(pages[mapped + j]);
		if (pt_map_pages(vmalloc_state.pt, a->addr + mapped * PAGE_SIZE,
				 pa, n, prot | PROT_GLOBAL))
			goto undo;
		a->nr_pages += n;
	}
	area_publish(a);
	return (void *)(uintptr_t)a->addr;

undo:
	area_abort(a, mapped);
retry:
	if (!retried && purge_for_retry()) {
		retried = true;
		goto again;
	}
fail:
	fail_msg("vmap", (size_t)count * PAGE_SIZE, 0);
	return NULL;
}

bool is_vmalloc_addr(const void *addr)
{
	vaddr_t va = (vaddr_t)(uintptr_t)addr;

	return vm_ready() && va >= vmalloc_state.start &&
	       va < vmalloc_state.end;
}

struct page *vmalloc_to_page(const void *addr)
{
	paddr_t pa;

	if (!is_vmalloc_addr(addr) ||
	    pt_lookup(vmalloc_state.pt, (vaddr_t)(uintptr_t)addr & PAGE_MASK,
		      &pa, NULL, NULL))
		return NULL;
	return pfn_to_page(paddr_to_pfn(pa));
}
