// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmalloc: virtually contiguous memory from scattered frames.
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
 *   (VM_BUILDING)                                  (VM_LAZY, on vm.lazy)
 *
 * Building: vmalloc/vmap take a descriptor marked VM_BUILDING and
 * reserve the range for it, then take frames a batch of
 * VMALLOC_MAP_BATCH at a time and map each batch with one
 * pt_map_pages() call, holding no vmalloc lock; publishing clears
 * VM_BUILDING, and lookups pass building areas by, so they find only
 * finished ones. A failure part way unmaps what was mapped (one
 * shootdown), frees it, gives the range back, then, once, purges and
 * retries.
 *
 * Lazy free: vfree/vunmap clear the area's entries into vm.gather (a
 * struct pt_gather shared by every lazy area: no shootdown yet, and any
 * table page the unmap empties is held there), fence the calling hart
 * only (once: the page of a one-page area, else everything), mark the
 * descriptor VM_LAZY and push it on vm.lazy. The range
 * stays allocated in the arena and the frames stay on the area's list,
 * so nothing that another hart might still reach through a stale
 * translation can be reused. A purge finishes vm.gather (ONE
 * arch_tlb_shootdown for all lazy areas: of [lowest, highest] or of
 * everything, and only then are the held table pages freed), then
 * frees every lazy area's frames, range and descriptor. It runs when
 * the lazily held address space passes VMALLOC_LAZY_MAX_BYTES or the
 * held frames and table pages pass VMALLOC_LAZY_MAX_PAGES (limits and
 * reasons in mm/vmalloc.h), when an allocation finds no range, frames
 * or table pages (then retries once), on vmalloc_purge() and on
 * vmalloc_destroy(). The freed range, its caller and the caller of
 * vfree also go into a ring of VMALLOC_FREED_RING entries, so a touch
 * after the purge still reads "freed area" with the area that was
 * there (before the purge the lazy descriptor itself says so).
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
 *  V8 a lazily freed area (VM_LAZY) is on vm.lazy and vm.lazy holds
 *     only those; nothing in its segment is mapped; lazy_pages counts
 *     their frames, lazy_bytes their segments, and lazy_tables equals
 *     the table pages held in vm.gather.
 *
 * Locking
 * -------
 * vmalloc_lock protects the struct vm state: the descriptor pool and
 * pool pages, the descriptors (but for the page list and count of one
 * being built, which its builder owns), the lazy list and vm.gather, the
 * freed ring and the statistics. init/destroy write the rest (pt,
 * start, end, ready) under it too; is_vmalloc_addr and the entry checks
 * read start and end without it after an acquire load of ready. Lookups
 * take it around vmem_lookup and the reads of the descriptor, so a purge
 * cannot free a descriptor under a reader. The arena, the page table and
 * the buddy allocator have their own locks, always taken after it:
 *
 *   vmalloc_lock -> vmem arena lock -> page-table lock
 *     -> buddy zone locks -> printk_lock
 *
 * (the arena's refill callback takes buddy pages under the arena lock;
 * vmalloc_check looks up the page table from inside vmem_walk; the
 * page-table code frees table pages to buddy). Nothing calls back into
 * vmalloc with any of them held. An area under construction is private
 * to the hart building it, which takes frames and maps pages holding
 * no vmalloc lock (only the page-table and buddy locks, one at a time),
 * so large allocations on different harts run in parallel. The
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
#include "mm/vmem.h"

#define VM_ALLOC 0x1u /* frames from vmalloc, freed by vfree */
#define VM_MAP 0x2u /* caller's pages from vmap, unmapped by vunmap */
#define VM_LAZY 0x4u /* freed, on vm.lazy until the purge (V8) */
#define VM_BUILDING 0x8u /* being built: its hart's alone (V2) */

#define VMALLOC_PROT (PROT_RW | PROT_GLOBAL)
#define VMALLOC_SEED_SEGS 64
#define VMALLOC_FREED_RING 16
/* Pages mapped per pt_map_pages() call (one page-table lock each). */
#define VMALLOC_MAP_BATCH 16

/*
 * Fields are written under vmalloc_lock, except nr_pages and pages,
 * which the hart building the area writes alone while VM_BUILDING is
 * set (nobody else reads them then).
 */
struct vm_area {
	vaddr_t addr; /* first mapped byte */
	size_t size; /* mapped bytes; the guard page follows */
	uintptr_t caller; /* return address of vmalloc/vmap's caller */
	uintptr_t freer; /* VM_LAZY: return address of vfree's caller */
	unsigned int nr_pages;
	unsigned int flags; /* VM_ALLOC or VM_MAP; VM_BUILDING, VM_LAZY */
	struct list_head pages; /* VM_ALLOC: frames, via page->lru (V3) */
	struct vm_area *next; /* on the pool's free list, or on vm.lazy */
};

struct vm_freed {
	vaddr_t addr;
	size_t size;
	uintptr_t caller, freer;
	unsigned int nr_pages;
	unsigned int flags;
};

/* Everything here is protected by vmalloc_lock (see "Locking"). */
static DEFINE_SPINLOCK(vmalloc_lock);
static struct {
	bool ready; /* also read unlocked (atomic): is_vmalloc_addr */
	struct pgtable *pt;
	vaddr_t start, end;
	struct vmem arena; /* its own lock */
	/* Area descriptor pool (V7). */
	struct vm_area *free_areas;
	size_t areas_total, areas_free, areas_building;
	struct list_head pool_pages; /* buddy pages of the pool, via lru */
	size_t pool_npages;
	/* Lazily freed areas and their pending TLB work (V8). */
	struct vm_area *lazy;
	struct pt_gather gather;
	struct vm_freed freed[VMALLOC_FREED_RING];
	unsigned int freed_next;
	struct vmalloc_stats st; /* meta_pages and lazy_tables computed */
} vm;

static struct vmem_seg vmalloc_seed[VMALLOC_SEED_SEGS];
static struct ratelimit vmalloc_fail_rl = RATELIMIT_INIT(10, 1000);

static paddr_t page_paddr(const struct page *page)
{
	return pfn_to_paddr(page_to_pfn(page));
}

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

static uint32_t frame_flags(const struct page *page)
{
	return __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
}

static bool vm_ready(void)
{
	return __atomic_load_n(&vm.ready, __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------ metadata */

/* Arena callbacks: under the arena lock, so they touch no vm field. */
static void *seg_refill(void *ctx)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN);

	return page ? page_address(page) : NULL;
}

static void seg_release(void *ctx, void *mem)
{
	__free_page(virt_to_page(mem));
}

/* A descriptor from the pool, refilling it from buddy. Locked. */
static struct vm_area *area_alloc(void)
{
	struct vm_area *a;

	if (!vm.free_areas) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		struct vm_area *base;
		size_t n = PAGE_SIZE / sizeof(*base);

		if (!page)
			return NULL;
		list_add(&page->lru, &vm.pool_pages);
		vm.pool_npages++;
		base = page_address(page);
		for (size_t i = 0; i < n; i++) {
			base[i].next = vm.free_areas;
			vm.free_areas = &base[i];
		}
		vm.areas_total += n;
		vm.areas_free += n;
	}
	a = vm.free_areas;
	vm.free_areas = a->next;
	vm.areas_free--;
	a->nr_pages = 0; /* the caller sets the other fields */
	a->flags = 0;
	a->freer = 0;
	a->next = NULL;
	INIT_LIST_HEAD(&a->pages);
	return a;
}

/* Locked. */
static void area_free(struct vm_area *a)
{
	a->flags = 0;
	a->next = vm.free_areas;
	vm.free_areas = a;
	vm.areas_free++;
}

/* Locked (the arena's refill count is read under its own lock). */
static size_t meta_pages(void)
{
	struct vmem_stats vs;

	vmem_get_stats(&vm.arena, &vs);
	return vs.nr_refill + vm.pool_npages;
}

/* ------------------------------------------------------------ helpers */

static const char *area_kind(unsigned int flags)
{
	return flags & VM_MAP ? "vmap" : "vmalloc";
}

static void fail_msg(const char *what, size_t size, gfp_t gfp)
{
	spin_lock(&vmalloc_lock);
	vm.st.failures++;
	spin_unlock(&vmalloc_lock);
	if (!(gfp & __GFP_NOWARN) && ratelimit_ok(&vmalloc_fail_rl))
		printk("vmalloc: %s failure: size %zu\n", what, size);
}

/* Give back the frames of a vmalloc area (unmapped and shot down). */
static void free_frames(struct vm_area *a)
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
		if (vmem_xalloc(&vm.arena, a->size + PAGE_SIZE, PAGE_SIZE, a,
				&addr)) {
			area_free(a);
			a = NULL;
		} else {
			a->addr = addr;
			vm.areas_building++;
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

	pt_gather_init(&g, vm.pt);
	if (mapped) {
		err = pt_unmap_gather(&g, a->addr, mapped * PAGE_SIZE);
		VERIFY3U(err, ==, 0); /* only 4 KiB leaves: no split */
	}
	pt_gather_finish(&g);
	free_frames(a);
	spin_lock(&vmalloc_lock);
	err = vmem_free(&vm.arena, a->addr, NULL);
	VERIFY3U(err, ==, 0);
	vm.areas_building--;
	area_free(a);
	spin_unlock(&vmalloc_lock);
}

/* Make a finished area visible to lookups and count it. */
static void area_publish(struct vm_area *a)
{
	spin_lock(&vmalloc_lock);
	a->flags &= ~VM_BUILDING;
	vm.areas_building--;
	vm.st.nr_areas++;
	if (a->flags & VM_ALLOC)
		vm.st.nr_pages += a->nr_pages;
	else
		vm.st.vmap_pages += a->nr_pages;
	trace_vmalloc_create(a->addr, a->size, a->nr_pages,
			     (a->flags & VM_MAP) != 0);
	spin_unlock(&vmalloc_lock);
}

/* Remember a freed area for fault reports. Locked. */
static void freed_record(const struct vm_area *a, uintptr_t freer)
{
	struct vm_freed *f = &vm.freed[vm.freed_next];

	vm.freed_next = (vm.freed_next + 1) % VMALLOC_FREED_RING;
	f->addr = a->addr;
	f->size = a->size;
	f->caller = a->caller;
	f->freer = freer;
	f->nr_pages = a->nr_pages;
	f->flags = a->flags & ~VM_LAZY;
}

/*
 * The published area (live or lazy) whose guard-inclusive range holds
 * va, or NULL (also for one being built). Locked: the descriptor stays
 * valid while the lock is held.
 */
static struct vm_area *area_find(vaddr_t va)
{
	struct vm_area *a;
	void *priv;

	if (!vm.ready || vmem_lookup(&vm.arena, va, NULL, NULL, &priv))
		return NULL;
	a = priv;
	return a->flags & VM_BUILDING ? NULL : a;
}

/* The newest freed area whose guard-inclusive range holds va. Locked. */
static const struct vm_freed *freed_find(vaddr_t va)
{
	for (unsigned int k = 1; k <= VMALLOC_FREED_RING; k++) {
		const struct vm_freed *f =
			&vm.freed[(vm.freed_next + VMALLOC_FREED_RING - k) %
				  VMALLOC_FREED_RING];

		if (f->size && va >= f->addr &&
		    va - f->addr < f->size + PAGE_SIZE)
			return f;
	}
	return NULL;
}

/* ----------------------------------------------------------- lazy purge */

/* Frames and table pages the lazy areas hold. Locked. */
static size_t lazy_held_pages(void)
{
	return vm.st.lazy_pages + vm.gather.nr_tables;
}

/*
 * The purge (see "Lazy free"): one shootdown for every lazy area, then
 * their table pages, frames, ranges and descriptors go back. Locked.
 */
static void purge_locked(void)
{
	struct vm_area *a, *next;
	int err;

	if (!vm.lazy)
		return;
	trace_vmalloc_purge(vm.st.lazy_areas, vm.st.lazy_pages,
			    vm.gather.nr_tables);
	pt_gather_finish(&vm.gather);
	for (a = vm.lazy; a; a = next) {
		next = a->next;
		if (a->flags & VM_ALLOC)
			free_frames(a);
		err = vmem_free(&vm.arena, a->addr, NULL);
		VERIFY3U(err, ==, 0);
		area_free(a);
	}
	vm.lazy = NULL;
	vm.st.lazy_areas = 0;
	vm.st.lazy_pages = 0;
	vm.st.lazy_bytes = 0;
	vm.st.purges++;
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
	if (vm.ready)
		purge_locked();
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
	any = vm.lazy != NULL;
	purge_locked();
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
	if (vm.ready) {
		err = -EBUSY;
		goto out;
	}
	if (!pt || end <= start || (start | end) & ~PAGE_MASK ||
	    !pt_va_is_canonical(start) || !pt_va_is_canonical(end - 1) ||
	    end - start < 2 * PAGE_SIZE) {
		err = -EINVAL;
		goto out;
	}
	memset(&vm, 0, sizeof(vm));
	INIT_LIST_HEAD(&vm.pool_pages);
	err = vmem_init(&vm.arena, "vmalloc", start, end - start, PAGE_SIZE,
			&src);
	if (err)
		goto out;
	vm.pt = pt;
	vm.start = start;
	vm.end = end;
	pt_gather_init(&vm.gather, pt);
	__atomic_store_n(&vm.ready, true, __ATOMIC_RELEASE);
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
		free_frames(a);
	return 0;
}

void vmalloc_destroy(void)
{
	struct list_head *l, *n;

	spin_lock(&vmalloc_lock);
	if (!vm.ready) {
		spin_unlock(&vmalloc_lock);
		return;
	}
	purge_locked();
	vmem_walk(&vm.arena, VMEM_WALK_ALLOC, destroy_unmap, &vm.gather);
	pt_gather_finish(&vm.gather);
	vmem_walk(&vm.arena, VMEM_WALK_ALLOC, destroy_frames, NULL);
	vmem_destroy(&vm.arena); /* gives the segment pages back */
	list_for_each_safe (l, n, &vm.pool_pages) {
		struct page *page = list_entry(l, struct page, lru);

		list_del(&page->lru);
		__free_page(page);
	}
	__atomic_store_n(&vm.ready, false, __ATOMIC_RELEASE);
	memset(&vm, 0, sizeof(vm));
	spin_unlock(&vmalloc_lock);
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
	if (!vm_ready() || size == 0 || size > vm.end - vm.start) {
		fail_msg("allocation", size, gfp);
		return NULL;
	}
	pages = DIV_ROUND_UP(size, PAGE_SIZE);
	if (pages >= UINT32_MAX)
		goto fail;
again:
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
		if (pt_map_pages(vm.pt, a->addr + mapped * PAGE_SIZE, pa, n,
				 VMALLOC_PROT))
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

/* Print the BUG line for a refused vfree/vunmap of va. Locked. */
static void report_bad_free(const char *fn, vaddr_t va, uintptr_t caller,
			    const char *why)
{
	const struct vm_area *a = area_find(va);
	const struct vm_freed *f;

	vm.st.bugs++;
	if (a && (a->flags & VM_LAZY)) {
		printk("BUG: %s: 0x%016lx %s: freed %s area "
		       "[0x%016lx-0x%016lx] "
		       "caller 0x%lx freed by 0x%lx (called from 0x%lx)\n",
		       fn, (unsigned long)va,
		       va == a->addr ? "double free" : why, area_kind(a->flags),
		       (unsigned long)a->addr,
		       (unsigned long)(a->addr + a->size - 1),
		       (unsigned long)a->caller, (unsigned long)a->freer,
		       (unsigned long)caller);
	} else if (a) {
		printk("BUG: %s: 0x%016lx %s: %s area [0x%016lx-0x%016lx] "
		       "caller 0x%lx (called from 0x%lx)\n",
		       fn, (unsigned long)va, why, area_kind(a->flags),
		       (unsigned long)a->addr,
		       (unsigned long)(a->addr + a->size - 1),
		       (unsigned long)a->caller, (unsigned long)caller);
	} else if ((f = freed_find(va)) != NULL) {
		printk("BUG: %s: 0x%016lx %s: freed %s area "
		       "[0x%016lx-0x%016lx] "
		       "caller 0x%lx freed by 0x%lx (called from 0x%lx)\n",
		       fn, (unsigned long)va,
		       va == f->addr ? "double free" : why, area_kind(f->flags),
		       (unsigned long)f->addr,
		       (unsigned long)(f->addr + f->size - 1),
		       (unsigned long)f->caller, (unsigned long)f->freer,
		       (unsigned long)caller);
	} else {
		printk("BUG: %s: 0x%016lx %s: no area there (called from "
		       "0x%lx)\n",
		       fn, (unsigned long)va, why, (unsigned long)caller);
	}
}

/*
 * vfree/vunmap: refuse misuse, else unmap lazily (see "Lazy free") and
 * fence this hart's TLB for the area.
 */
static void free_area_at(const char *fn, const void *addr, unsigned int kind,
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
	a = area_find(va);
	if (!a || a->addr != va || (a->flags & VM_LAZY)) {
		report_bad_free(fn, va, caller, "is not the start of an area");
		goto out;
	}
	if (!(a->flags & kind)) {
		report_bad_free(fn, va, caller,
				kind == VM_ALLOC ? "is a vmap area"
						 : "is a vmalloc area");
		goto out;
	}
	/* Only 4 KiB leaves: no split, so no -ENOMEM. */
	err = pt_unmap_gather(&vm.gather, a->addr, a->size);
	VERIFY3U(err, ==, 0);
	vm.st.nr_areas--;
	if (a->flags & VM_ALLOC) {
		vm.st.nr_pages -= a->nr_pages;
		vm.st.lazy_pages += a->nr_pages;
	} else {
		vm.st.vmap_pages -= a->nr_pages;
	}
	freed_record(a, caller);
	a->flags |= VM_LAZY;
	a->freer = caller;
	a->next = vm.lazy;
	vm.lazy = a;
	vm.st.lazy_areas++;
	vm.st.lazy_bytes += a->size + PAGE_SIZE;
	size = a->size;
	if (vm.st.lazy_bytes > VMALLOC_LAZY_MAX_BYTES ||
	    lazy_held_pages() > VMALLOC_LAZY_MAX_PAGES) {
		purge_locked();
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
	    (size_t)count > (vm.end - vm.start) / PAGE_SIZE)
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
		if (pt_map_pages(vm.pt, a->addr + mapped * PAGE_SIZE, pa, n,
				 prot | PROT_GLOBAL))
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

	return vm_ready() && va >= vm.start && va < vm.end;
}

struct page *vmalloc_to_page(const void *addr)
{
	paddr_t pa;

	if (!is_vmalloc_addr(addr) ||
	    pt_lookup(vm.pt, (vaddr_t)(uintptr_t)addr & PAGE_MASK, &pa, NULL,
		      NULL))
		return NULL;
	return pfn_to_page(paddr_to_pfn(pa));
}

bool vmalloc_describe(vaddr_t va, char *buf, size_t len)
{
	const struct vm_area *a;
	const struct vm_freed *f;

	if (!vm_ready() || va < vm.start || va >= vm.end)
		return false;
	/* A fault inside vmalloc itself: taking the locks would deadlock. */
	if (spin_is_held(&vmalloc_lock) || vmem_lock_is_held(&vm.arena)) {
		fmt_snprintf(buf, len,
			     "vmalloc range (vmalloc locked by this hart)");
		return true;
	}
	spin_lock(&vmalloc_lock);
	a = area_find(va);
	if (a) {
		fmt_snprintf(buf, len,
			     "%s area [0x%016lx-0x%016lx] size %zu pages %u "
			     "caller 0x%lx ",
			     area_kind(a->flags), (unsigned long)a->addr,
			     (unsigned long)(a->addr + a->size - 1), a->size,
			     a->nr_pages, (unsigned long)a->caller);
		if (a->flags & VM_LAZY)
			fmt_snprintf(buf + strlen(buf), len - strlen(buf),
				     "freed area (freed by 0x%lx)",
				     (unsigned long)a->freer);
		else
			fmt_snprintf(buf + strlen(buf), len - strlen(buf), "%s",
				     va - a->addr >= a->size ? "guard page"
							     : "inside area");
		goto out;
	}
	f = freed_find(va);
	if (f) {
		fmt_snprintf(buf, len,
			     "%s area [0x%016lx-0x%016lx] size %zu pages %u "
			     "caller 0x%lx freed area (freed by 0x%lx)",
			     area_kind(f->flags), (unsigned long)f->addr,
			     (unsigned long)(f->addr + f->size - 1), f->size,
			     f->nr_pages, (unsigned long)f->caller,
			     (unsigned long)f->freer);
		goto out;
	}
	fmt_snprintf(buf, len, "vmalloc range, no area");
out:
	spin_unlock(&vmalloc_lock);
	return true;
}

/* vmallocinfo_print, per published area (under the arena lock). */
static int info_one(void *arg, vaddr_t start, size_t size, bool allocated,
		    void *priv)
{
	const struct vm_area *a = priv;

	if (a->flags & VM_BUILDING)
		return 0;
	if (a->flags & VM_LAZY)
		printk("vmallocinfo: [0x%016lx-0x%016lx] size %zu pages %u "
		       "caller 0x%lx %s lazily freed by 0x%lx\n",
		       (unsigned long)a->addr,
		       (unsigned long)(a->addr + a->size - 1), a->size,
		       a->nr_pages, (unsigned long)a->caller,
		       area_kind(a->flags), (unsigned long)a->freer);
	else
		printk("vmallocinfo: [0x%016lx-0x%016lx] size %zu pages %u "
		       "caller 0x%lx %s\n",
		       (unsigned long)a->addr,
		       (unsigned long)(a->addr + a->size - 1), a->size,
		       a->nr_pages, (unsigned long)a->caller,
		       area_kind(a->flags));
	return 0;
}

void vmallocinfo_print(void)
{
	spin_lock(&vmalloc_lock);
	if (vm.ready)
		vmem_walk(&vm.arena, VMEM_WALK_ALLOC, info_one, NULL);
	printk("vmallocinfo: %zu areas, %zu pages, %zu vmap pages, %zu "
	       "metadata pages, lazily freed %zu areas %zu pages %zu table "
	       "pages\n",
	       vm.st.nr_areas, vm.st.nr_pages, vm.st.vmap_pages,
	       vm.ready ? meta_pages() : 0, vm.st.lazy_areas, vm.st.lazy_pages,
	       vm.gather.nr_tables);
	spin_unlock(&vmalloc_lock);
}

struct info_walk {
	void (*fn)(const struct vmallocinfo_area *a, void *arg);
	void *arg;
};

static int info_walk_one(void *arg, vaddr_t start, size_t size, bool allocated,
			 void *priv)
{
	const struct info_walk *w = arg;
	const struct vm_area *a = priv;
	struct vmallocinfo_area out;

	if (a->flags & VM_BUILDING)
		return 0;
	out = (struct vmallocinfo_area){
		.addr = a->addr,
		.size = a->size,
		.nr_pages = a->nr_pages,
		.caller = a->caller,
		.freer = a->flags & VM_LAZY ? a->freer : 0,
		.vmap = (a->flags & VM_MAP) != 0,
		.lazy = (a->flags & VM_LAZY) != 0,
	};
	w->fn(&out, w->arg);
	return 0;
}

void vmallocinfo_walk(void (*fn)(const struct vmallocinfo_area *a, void *arg),
		      void *arg)
{
	struct info_walk w = { fn, arg };

	spin_lock(&vmalloc_lock);
	if (vm.ready)
		vmem_walk(&vm.arena, VMEM_WALK_ALLOC, info_walk_one, &w);
	spin_unlock(&vmalloc_lock);
}

void vmalloc_get_stats(struct vmalloc_stats *st)
{
	spin_lock(&vmalloc_lock);
	*st = vm.st;
	st->meta_pages = vm.ready ? meta_pages() : 0;
	st->lazy_tables = vm.gather.nr_tables;
	spin_unlock(&vmalloc_lock);
}

/* ------------------------------------------------------------ checker */

#define VCHECK_FAIL(c, ...)                                                    \
	do {                                                                   \
		printk("vmalloc_check: ");                                     \
		printk(__VA_ARGS__);                                           \
		printk("\n");                                                  \
		(c)->nerr++;                                                   \
	} while (0)

struct vcheck {
	int nerr;
	size_t areas, pages, vmap_pages, building;
	size_t lazy, lazy_pages, lazy_bytes;
};

static bool mapped_at(vaddr_t va, paddr_t *pa, unsigned int *prot, size_t *leaf)
{
	return pt_lookup(vm.pt, va, pa, prot, leaf) == 0;
}

/* pt_walk_range callback: the first leaf found in a range. */
static int first_leaf(void *arg, vaddr_t va, paddr_t pa, size_t size,
		      unsigned int prot)
{
	*(vaddr_t *)arg = va;
	return 1;
}

/* True (and the leaf's address) when anything in [va, +size) is mapped. */
static bool any_mapped(vaddr_t va, size_t size, vaddr_t *leaf)
{
	return pt_walk_range(vm.pt, va, size, first_leaf, leaf) == 1;
}

static void check_vmalloc_frames(struct vcheck *c, const struct vm_area *a,
				 bool live)
{
	const struct list_head *l;
	size_t i = 0;

	list_for_each (l, &a->pages) {
		const struct page *page = list_entry(l, struct page, lru);
		vaddr_t va = a->addr + i * PAGE_SIZE;
		paddr_t pa;
		unsigned int prot;
		size_t leaf;

		if (i >= a->nr_pages) {
			VCHECK_FAIL(c, "V3: area 0x%lx has more than %u frames",
				    (unsigned long)a->addr, a->nr_pages);
			return;
		}
		if (!(frame_flags(page) & PG_vmalloc) ||
		    page->private != a->addr)
			VCHECK_FAIL(c,
				    "V3: area 0x%lx frame %zu flags 0x%x "
				    "private 0x%lx",
				    (unsigned long)a->addr, i,
				    frame_flags(page),
				    (unsigned long)page->private);
		if (!live) {
			/* V8 checks the whole lazy segment at once. */
		} else if (!mapped_at(va, &pa, &prot, &leaf)) {
			VCHECK_FAIL(c, "V3: area 0x%lx page %zu unmapped",
				    (unsigned long)a->addr, i);
		} else if (pa != page_paddr(page) || leaf != PAGE_SIZE ||
			   (prot & (PROT_RW | PROT_EXEC)) != PROT_RW) {
			VCHECK_FAIL(c,
				    "V3: 0x%lx maps pa 0x%lx leaf 0x%zx prot "
				    "0x%x, frame pa 0x%lx",
				    (unsigned long)va, (unsigned long)pa, leaf,
				    prot, (unsigned long)page_paddr(page));
		}
		i++;
	}
	if (i != a->nr_pages)
		VCHECK_FAIL(c, "V3: area 0x%lx lists %zu frames, expected %u",
			    (unsigned long)a->addr, i, a->nr_pages);
}

/* Under the arena lock (vmem_walk) and vmalloc_lock. */
static int check_seg(void *arg, vaddr_t start, size_t size, bool allocated,
		     void *priv)
{
	struct vcheck *c = arg;
	const struct vm_area *a = priv;
	unsigned int kind;
	vaddr_t leaf;

	if (!allocated) {
		if (any_mapped(start, size, &leaf))
			VCHECK_FAIL(c,
				    "V6: leaf 0x%lx mapped in free space "
				    "[0x%lx, +0x%zx)",
				    (unsigned long)leaf, (unsigned long)start,
				    size);
		return 0;
	}
	if (a && (a->flags & VM_BUILDING)) {
		c->building++;
		return 0;
	}
	if (!a) {
		VCHECK_FAIL(c, "V2: segment [0x%lx, +0x%zx) has no descriptor",
			    (unsigned long)start, size);
		return 0;
	}
	kind = a->flags & ~VM_LAZY;
	if (a->addr != start || a->nr_pages == 0 ||
	    a->size != (size_t)a->nr_pages * PAGE_SIZE ||
	    size != a->size + PAGE_SIZE ||
	    !(kind == VM_ALLOC || kind == VM_MAP)) {
		VCHECK_FAIL(c,
			    "V2: segment [0x%lx, +0x%zx) descriptor %p addr "
			    "0x%lx size 0x%zx pages %u flags 0x%x",
			    (unsigned long)start, size, (const void *)a,
			    (unsigned long)a->addr, a->size, a->nr_pages,
			    a->flags);
		return 0;
	}
	if (a->flags & VM_LAZY) {
		c->lazy++;
		c->lazy_bytes += size;
		if (any_mapped(start, size, &leaf))
			VCHECK_FAIL(c,
				    "V8: lazily freed area 0x%lx still maps "
				    "0x%lx",
				    (unsigned long)a->addr,
				    (unsigned long)leaf);
		if (kind == VM_ALLOC) {
			c->lazy_pages += a->nr_pages;
			check_vmalloc_frames(c, a, false);
		}
		return 0;
	}
	c->areas++;
	if (kind == VM_ALLOC) {
		c->pages += a->nr_pages;
		check_vmalloc_frames(c, a, true);
	} else {
		c->vmap_pages += a->nr_pages;
		for (size_t i = 0; i < a->nr_pages; i++) {
			size_t leaf_size;

			if (!mapped_at(a->addr + i * PAGE_SIZE, NULL, NULL,
				       &leaf_size) ||
			    leaf_size != PAGE_SIZE)
				VCHECK_FAIL(c,
					    "V4: vmap 0x%lx page %zu unmapped",
					    (unsigned long)a->addr, i);
		}
	}
	if (mapped_at(a->addr + a->size, NULL, NULL, NULL))
		VCHECK_FAIL(c, "V5: guard page 0x%lx of area 0x%lx is mapped",
			    (unsigned long)(a->addr + a->size),
			    (unsigned long)a->addr);
	return 0;
}

int vmalloc_check(void)
{
	struct vcheck c = { 0 };
	struct vmem_stats vs;
	size_t nfree = 0, nlazy = 0;

	spin_lock(&vmalloc_lock);
	if (!vm.ready)
		goto out;
	c.nerr += vmem_check(&vm.arena);
	vmem_get_stats(&vm.arena, &vs);
	if (vm.arena.base != vm.start ||
	    vs.alloc_bytes + vs.free_bytes != vm.end - vm.start)
		VCHECK_FAIL(&c,
			    "V1: arena [0x%lx, +0x%zx) for range "
			    "[0x%lx, 0x%lx)",
			    (unsigned long)vm.arena.base, vm.arena.size,
			    (unsigned long)vm.start, (unsigned long)vm.end);
	vmem_walk(&vm.arena, VMEM_WALK_ALL, check_seg, &c);

	for (const struct vm_area *a = vm.free_areas; a; a = a->next)
		if (++nfree > vm.areas_total)
			break;
	for (const struct vm_area *a = vm.lazy; a; a = a->next) {
		if (++nlazy > vm.areas_total)
			break;
		if (!(a->flags & VM_LAZY))
			VCHECK_FAIL(&c,
				    "V8: area 0x%lx on the lazy list "
				    "without VM_LAZY",
				    (unsigned long)a->addr);
	}
	if (c.areas != vm.st.nr_areas || c.pages != vm.st.nr_pages ||
	    c.vmap_pages != vm.st.vmap_pages)
		VCHECK_FAIL(&c,
			    "V7: %zu areas %zu pages %zu vmap pages, counters "
			    "%zu %zu %zu",
			    c.areas, c.pages, c.vmap_pages, vm.st.nr_areas,
			    vm.st.nr_pages, vm.st.vmap_pages);
	if (c.building != vm.areas_building)
		VCHECK_FAIL(&c, "V2: %zu segments being built, counter %zu",
			    c.building, vm.areas_building);
	if (nfree != vm.areas_free ||
	    vm.areas_free + c.areas + c.lazy + vm.areas_building !=
		    vm.areas_total)
		VCHECK_FAIL(&c,
			    "V7: descriptor pool: %zu free (counter %zu) + "
			    "%zu live + %zu lazy + %zu building != %zu",
			    nfree, vm.areas_free, c.areas, c.lazy,
			    vm.areas_building, vm.areas_total);
	if (nlazy != c.lazy || c.lazy != vm.st.lazy_areas ||
	    c.lazy_pages != vm.st.lazy_pages ||
	    c.lazy_bytes != vm.st.lazy_bytes)
		VCHECK_FAIL(&c,
			    "V8: %zu lazy areas on the list, %zu in the arena "
			    "(counter %zu), %zu pages %zu bytes (counters %zu "
			    "%zu)",
			    nlazy, c.lazy, vm.st.lazy_areas, c.lazy_pages,
			    c.lazy_bytes, vm.st.lazy_pages, vm.st.lazy_bytes);
	if (!vm.lazy && !pt_gather_is_empty(&vm.gather))
		VCHECK_FAIL(&c, "V8: no lazy area but %zu table pages held",
			    vm.gather.nr_tables);
out:
	spin_unlock(&vmalloc_lock);
	return c.nerr;
}
