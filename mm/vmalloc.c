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
 * succeeds however fragmented physical memory is. Each frame is mapped
 * with pt_map_page() and linked on its area's page list through
 * page->lru (the buddy allocator leaves lru and private to the owner of
 * an allocated page): no page array is needed at any size, and vfree
 * walks the list. Each frame carries PG_vmalloc and, in private, its
 * area's address. Page-table pages come from the table's own allocator
 * (on the kernel table: buddy pages) when pt_map_page needs them and go
 * back when pt_unmap_page/pt_unmap empties them.
 *
 * vfree unmaps first (the page-table code fences the TLB for each page,
 * or once for the whole range past 64 pages) and only then frees the
 * frames, so no stale translation can reach a reused frame. The freed
 * range, its caller and the caller of vfree go into a ring of
 * VMALLOC_FREED_RING entries, so a later touch is reported as "freed
 * area" with the area that was there.
 *
 * Metadata never comes from a general heap: area descriptors from a pool
 * refilled one buddy page at a time, vmem segment descriptors from a
 * static seed and then buddy pages; both are kept for reuse until
 * vmalloc_destroy() and counted in vmalloc_stats.meta_pages.
 *
 * Invariants (vmalloc_check() verifies each and cites its number):
 *  V1 the arena is consistent (mm/vmem.c I1..I7) and spans [start, end).
 *  V2 each allocated segment carries a live descriptor with addr equal
 *     to the segment start, nr_pages > 0, size == nr_pages * PAGE_SIZE
 *     and segment size == size + PAGE_SIZE (the guard).
 *  V3 a vmalloc area's page list holds exactly nr_pages frames in
 *     address order; frame i has PG_vmalloc, private == addr, and is
 *     the 4 KiB leaf at addr + i * PAGE_SIZE, readable, writable and not
 *     executable.
 *  V4 each page of a vmap area is mapped by a 4 KiB leaf.
 *  V5 every area's guard page is unmapped.
 *  V6 nothing is mapped in [start, end) outside the mapped part of an
 *     area.
 *  V7 the counters agree with the areas, and the descriptor pool is
 *     conserved: in use + free == capacity.
 *
 * Locking: single hart, no locks yet.
 * Failure modes: exhaustion of addresses, frames or table pages makes
 * vmalloc/vmap return NULL after undoing everything it did, with one
 * rate-limited line. A bad vfree/vunmap is reported with one "BUG: ..."
 * line naming what lies at the address and refused.
 */
#include "mm/vmalloc.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/list.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/vmem.h"

#define VM_ALLOC 0x1u /* frames from vmalloc, freed by vfree */
#define VM_MAP 0x2u /* caller's pages from vmap, unmapped by vunmap */

#define VMALLOC_PROT (PROT_RW | PROT_GLOBAL)
#define VMALLOC_SEED_SEGS 64
#define VMALLOC_FREED_RING 16
/* Up to this many pages, unmap page by page; past it, one range call. */
#define VMALLOC_UNMAP_PAGES 16

struct vm_area {
	vaddr_t addr; /* first mapped byte */
	size_t size; /* mapped bytes; the guard page follows */
	uintptr_t caller; /* return address of vmalloc/vmap's caller */
	unsigned int nr_pages;
	unsigned int flags; /* VM_ALLOC or VM_MAP */
	struct list_head pages; /* VM_ALLOC: frames, via page->lru (V3) */
	struct vm_area *next_free; /* on the descriptor pool's free list */
};

struct vm_freed {
	vaddr_t addr;
	size_t size;
	uintptr_t caller, freer;
	unsigned int nr_pages;
	unsigned int flags;
};

static struct {
	bool ready;
	struct pgtable *pt;
	vaddr_t start, end;
	struct vmem arena;
	/* Area descriptor pool (V7). */
	struct vm_area *free_areas;
	size_t areas_total, areas_free;
	struct list_head pool_pages; /* buddy pages of the pool, via lru */
	size_t pool_npages;
	size_t seg_pages; /* buddy pages given to the arena */
	struct vm_freed freed[VMALLOC_FREED_RING];
	unsigned int freed_next;
	struct vmalloc_stats st;
} vm;

static struct vmem_seg vmalloc_seed[VMALLOC_SEED_SEGS];
static struct ratelimit vmalloc_fail_rl = RATELIMIT_INIT(10, 1000);

static paddr_t page_paddr(const struct page *page)
{
	return pfn_to_paddr(page_to_pfn(page));
}

/* ------------------------------------------------------------ metadata */

static void *seg_refill(void *ctx)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN);

	if (!page)
		return NULL;
	vm.seg_pages++;
	return page_address(page);
}

static void seg_release(void *ctx, void *mem)
{
	__free_page(virt_to_page(mem));
	vm.seg_pages--;
}

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
			base[i].next_free = vm.free_areas;
			vm.free_areas = &base[i];
		}
		vm.areas_total += n;
		vm.areas_free += n;
	}
	a = vm.free_areas;
	vm.free_areas = a->next_free;
	vm.areas_free--;
	a->nr_pages = 0; /* the caller sets the other fields */
	INIT_LIST_HEAD(&a->pages);
	return a;
}

static void area_free(struct vm_area *a)
{
	a->flags = 0;
	a->next_free = vm.free_areas;
	vm.free_areas = a;
	vm.areas_free++;
}

static size_t meta_pages(void)
{
	return vm.seg_pages + vm.pool_npages;
}

/* ------------------------------------------------------------ helpers */

static const char *area_kind(unsigned int flags)
{
	return flags & VM_MAP ? "vmap" : "vmalloc";
}

static void fail_msg(const char *what, size_t size, gfp_t gfp)
{
	vm.st.failures++;
	if (!(gfp & __GFP_NOWARN) && ratelimit_ok(&vmalloc_fail_rl))
		printk("vmalloc: %s failure: size %zu\n", what, size);
}

/* Unmap the first `pages` pages of the area at addr. */
static void unmap_pages(vaddr_t addr, unsigned int pages)
{
	int err;

	if (pages <= VMALLOC_UNMAP_PAGES) {
		for (unsigned int i = 0; i < pages; i++) {
			err = pt_unmap_page(vm.pt, addr + i * PAGE_SIZE);
			VERIFY3U(err, ==, 0);
		}
		return;
	}
	err = pt_unmap(vm.pt, addr, (size_t)pages * PAGE_SIZE);
	VERIFY3U(err, ==, 0); /* only 4 KiB leaves: no split, no -ENOMEM */
}

/* Give back the frames of a vmalloc area (already unmapped). */
static void free_frames(struct vm_area *a)
{
	struct list_head *l, *n;

	list_for_each_safe (l, n, &a->pages) {
		struct page *page = list_entry(l, struct page, lru);

		list_del(&page->lru);
		page->flags &= ~PG_vmalloc;
		page->private = 0;
		__free_page(page);
	}
}

/*
 * Reserve addresses for an area of `pages` pages plus its guard and
 * attach a fresh descriptor; NULL if either is exhausted.
 */
static struct vm_area *area_create(unsigned int pages, unsigned int flags,
				   uintptr_t caller)
{
	struct vm_area *a = area_alloc();
	vaddr_t addr;

	if (!a)
		return NULL;
	if (vmem_xalloc(&vm.arena, ((size_t)pages + 1) * PAGE_SIZE, PAGE_SIZE,
			a, &addr)) {
		area_free(a);
		return NULL;
	}
	a->addr = addr;
	a->size = (size_t)pages * PAGE_SIZE;
	a->caller = caller;
	a->flags = flags;
	return a;
}

/* Give back the addresses and the descriptor of an unmapped area. */
static void area_release(struct vm_area *a)
{
	int err = vmem_free(&vm.arena, a->addr, NULL);

	VERIFY3U(err, ==, 0);
	area_free(a);
}

/* Remember a freed area for fault reports. */
static void freed_record(const struct vm_area *a, uintptr_t freer)
{
	struct vm_freed *f = &vm.freed[vm.freed_next];

	vm.freed_next = (vm.freed_next + 1) % VMALLOC_FREED_RING;
	f->addr = a->addr;
	f->size = a->size;
	f->caller = a->caller;
	f->freer = freer;
	f->nr_pages = a->nr_pages;
	f->flags = a->flags;
}

/* The area whose guard-inclusive range holds va, or NULL. */
static struct vm_area *area_find(vaddr_t va)
{
	void *priv;

	if (!vm.ready || vmem_lookup(&vm.arena, va, NULL, NULL, &priv))
		return NULL;
	return priv;
}

/* The newest freed area whose guard-inclusive range holds va. */
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

/* ---------------------------------------------------------------- API */

int vmalloc_init(struct pgtable *pt, vaddr_t start, vaddr_t end)
{
	const struct vmem_seg_source src = { vmalloc_seed,
					     ARRAY_SIZE(vmalloc_seed),
					     seg_refill, seg_release, NULL };
	int err;

	if (vm.ready)
		return -EBUSY;
	if (!pt || end <= start || (start | end) & ~PAGE_MASK ||
	    !pt_va_is_canonical(start) || !pt_va_is_canonical(end - 1) ||
	    end - start < 2 * PAGE_SIZE)
		return -EINVAL;
	memset(&vm, 0, sizeof(vm));
	INIT_LIST_HEAD(&vm.pool_pages);
	err = vmem_init(&vm.arena, "vmalloc", start, end - start, PAGE_SIZE,
			&src);
	if (err)
		return err;
	vm.pt = pt;
	vm.start = start;
	vm.end = end;
	vm.ready = true;
	return 0;
}

static int destroy_one(void *arg, vaddr_t start, size_t size, bool allocated,
		       void *priv)
{
	struct vm_area *a = priv;

	unmap_pages(a->addr, a->nr_pages);
	if (a->flags & VM_ALLOC)
		free_frames(a);
	return 0;
}

void vmalloc_destroy(void)
{
	struct list_head *l, *n;

	if (!vm.ready)
		return;
	vmem_walk(&vm.arena, VMEM_WALK_ALLOC, destroy_one, NULL);
	vmem_destroy(&vm.arena); /* gives the segment pages back */
	list_for_each_safe (l, n, &vm.pool_pages) {
		struct page *page = list_entry(l, struct page, lru);

		list_del(&page->lru);
		__free_page(page);
	}
	memset(&vm, 0, sizeof(vm));
}

static void *vmalloc_caller(size_t size, gfp_t gfp, uintptr_t caller)
{
	struct vm_area *a;
	size_t pages;
	gfp_t frame_gfp = (gfp & (__GFP_ZERO | __GFP_DMA32 | __GFP_HIGH |
				  __GFP_RECLAIM)) |
			  __GFP_NOWARN;

	if (!vm.ready || size == 0 || size > vm.end - vm.start) {
		fail_msg("allocation", size, gfp);
		return NULL;
	}
	pages = DIV_ROUND_UP(size, PAGE_SIZE);
	if (pages >= UINT32_MAX)
		goto fail;
	a = area_create(pages, VM_ALLOC, caller);
	if (!a)
		goto fail;

	for (size_t i = 0; i < pages; i++) {
		struct page *page = alloc_page(frame_gfp);

		if (!page)
			goto undo;
		if (pt_map_page(vm.pt, a->addr + i * PAGE_SIZE,
				page_paddr(page), VMALLOC_PROT)) {
			__free_page(page);
			goto undo;
		}
		page->flags |= PG_vmalloc;
		page->private = a->addr;
		list_add_tail(&page->lru, &a->pages);
		a->nr_pages++;
	}
	vm.st.nr_areas++;
	vm.st.nr_pages += pages;
	return (void *)(uintptr_t)a->addr;

undo:
	unmap_pages(a->addr, a->nr_pages);
	free_frames(a);
	area_release(a);
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

/* Print the BUG line for a refused vfree/vunmap of va. */
static void report_bad_free(const char *fn, vaddr_t va, uintptr_t caller,
			    const char *why)
{
	const struct vm_area *a = area_find(va);
	const struct vm_freed *f;

	vm.st.bugs++;
	if (a) {
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

static void free_area_at(const char *fn, const void *addr, unsigned int kind,
			 uintptr_t caller)
{
	vaddr_t va = (vaddr_t)(uintptr_t)addr;
	struct vm_area *a;

	if (!addr)
		return;
	a = area_find(va);
	if (!a || a->addr != va) {
		report_bad_free(fn, va, caller, "is not the start of an area");
		return;
	}
	if (!(a->flags & kind)) {
		report_bad_free(fn, va, caller,
				kind == VM_ALLOC ? "is a vmap area"
						 : "is a vmalloc area");
		return;
	}
	unmap_pages(a->addr, a->nr_pages);
	if (a->flags & VM_ALLOC) {
		free_frames(a);
		vm.st.nr_pages -= a->nr_pages;
	} else {
		vm.st.vmap_pages -= a->nr_pages;
	}
	vm.st.nr_areas--;
	freed_record(a, caller);
	area_release(a);
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
	struct vm_area *a;

	if (!vm.ready || !pages || count == 0 || !(prot & PROT_READ) ||
	    (prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC) ||
	    (size_t)count > (vm.end - vm.start) / PAGE_SIZE)
		goto fail;
	for (unsigned int i = 0; i < count; i++)
		if (!pages[i])
			goto fail;
	a = area_create(count, VM_MAP, caller);
	if (!a)
		goto fail;
	for (unsigned int i = 0; i < count; i++) {
		if (pt_map_page(vm.pt, a->addr + (size_t)i * PAGE_SIZE,
				page_paddr(pages[i]), prot | PROT_GLOBAL))
			goto undo;
		a->nr_pages++;
	}
	vm.st.nr_areas++;
	vm.st.vmap_pages += count;
	return (void *)(uintptr_t)a->addr;

undo:
	unmap_pages(a->addr, a->nr_pages);
	area_release(a);
fail:
	fail_msg("vmap", (size_t)count * PAGE_SIZE, 0);
	return NULL;
}

bool is_vmalloc_addr(const void *addr)
{
	vaddr_t va = (vaddr_t)(uintptr_t)addr;

	return vm.ready && va >= vm.start && va < vm.end;
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

	if (!vm.ready || va < vm.start || va >= vm.end)
		return false;
	a = area_find(va);
	if (a) {
		fmt_snprintf(buf, len,
			     "%s area [0x%016lx-0x%016lx] size %zu pages %u "
			     "caller 0x%lx %s",
			     area_kind(a->flags), (unsigned long)a->addr,
			     (unsigned long)(a->addr + a->size - 1), a->size,
			     a->nr_pages, (unsigned long)a->caller,
			     va - a->addr >= a->size ? "guard page"
						     : "inside area");
		return true;
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
		return true;
	}
	fmt_snprintf(buf, len, "vmalloc range, no area");
	return true;
}

static int info_one(void *arg, vaddr_t start, size_t size, bool allocated,
		    void *priv)
{
	const struct vm_area *a = priv;

	printk("vmallocinfo: [0x%016lx-0x%016lx] size %zu pages %u caller "
	       "0x%lx %s\n",
	       (unsigned long)a->addr, (unsigned long)(a->addr + a->size - 1),
	       a->size, a->nr_pages, (unsigned long)a->caller,
	       area_kind(a->flags));
	return 0;
}

void vmallocinfo_print(void)
{
	if (vm.ready)
		vmem_walk(&vm.arena, VMEM_WALK_ALLOC, info_one, NULL);
	printk("vmallocinfo: %zu areas, %zu pages, %zu vmap pages, %zu "
	       "metadata pages\n",
	       vm.st.nr_areas, vm.st.nr_pages, vm.st.vmap_pages, meta_pages());
}

void vmalloc_get_stats(struct vmalloc_stats *st)
{
	*st = vm.st;
	st->meta_pages = meta_pages();
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
	size_t areas, pages, vmap_pages;
};

static bool mapped_at(vaddr_t va, paddr_t *pa, unsigned int *prot, size_t *leaf)
{
	return pt_lookup(vm.pt, va, pa, prot, leaf) == 0;
}

static void check_vmalloc_frames(struct vcheck *c, const struct vm_area *a)
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
		if (!(page->flags & PG_vmalloc) || page->private != a->addr)
			VCHECK_FAIL(c,
				    "V3: area 0x%lx frame %zu flags 0x%x "
				    "private 0x%lx",
				    (unsigned long)a->addr, i, page->flags,
				    (unsigned long)page->private);
		if (!mapped_at(va, &pa, &prot, &leaf))
			VCHECK_FAIL(c, "V3: area 0x%lx page %zu unmapped",
				    (unsigned long)a->addr, i);
		else if (pa != page_paddr(page) || leaf != PAGE_SIZE ||
			 (prot & (PROT_RW | PROT_EXEC)) != PROT_RW)
			VCHECK_FAIL(c,
				    "V3: 0x%lx maps pa 0x%lx leaf 0x%zx prot "
				    "0x%x, frame pa 0x%lx",
				    (unsigned long)va, (unsigned long)pa, leaf,
				    prot, (unsigned long)page_paddr(page));
		i++;
	}
	if (i != a->nr_pages)
		VCHECK_FAIL(c, "V3: area 0x%lx lists %zu frames, expected %u",
			    (unsigned long)a->addr, i, a->nr_pages);
}

static int check_area(void *arg, vaddr_t start, size_t size, bool allocated,
		      void *priv)
{
	struct vcheck *c = arg;
	const struct vm_area *a = priv;

	c->areas++;
	if (!a || a->addr != start || a->nr_pages == 0 ||
	    a->size != (size_t)a->nr_pages * PAGE_SIZE ||
	    size != a->size + PAGE_SIZE ||
	    !(a->flags == VM_ALLOC || a->flags == VM_MAP)) {
		VCHECK_FAIL(c,
			    "V2: segment [0x%lx, +0x%zx) descriptor %p addr "
			    "0x%lx size 0x%zx pages %u flags 0x%x",
			    (unsigned long)start, size, (const void *)a,
			    a ? (unsigned long)a->addr : 0UL, a ? a->size : 0,
			    a ? a->nr_pages : 0, a ? a->flags : 0);
		return 0;
	}
	if (a->flags & VM_ALLOC) {
		c->pages += a->nr_pages;
		check_vmalloc_frames(c, a);
	} else {
		c->vmap_pages += a->nr_pages;
		for (size_t i = 0; i < a->nr_pages; i++) {
			size_t leaf;

			if (!mapped_at(a->addr + i * PAGE_SIZE, NULL, NULL,
				       &leaf) ||
			    leaf != PAGE_SIZE)
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

static int check_leaf(void *arg, vaddr_t va, paddr_t pa, size_t size,
		      unsigned int prot)
{
	struct vcheck *c = arg;
	const struct vm_area *a;

	if (va + size <= vm.start || va >= vm.end)
		return 0;
	a = area_find(va);
	if (!a || va + size > a->addr + a->size)
		VCHECK_FAIL(c,
			    "V6: leaf 0x%lx size 0x%zx pa 0x%lx outside every "
			    "area's mapped part",
			    (unsigned long)va, size, (unsigned long)pa);
	return 0;
}

int vmalloc_check(void)
{
	struct vcheck c = { 0 };
	struct vmem_stats vs;
	size_t nfree = 0;

	if (!vm.ready)
		return 0;
	c.nerr += vmem_check(&vm.arena);
	vmem_get_stats(&vm.arena, &vs);
	if (vm.arena.base != vm.start ||
	    vs.alloc_bytes + vs.free_bytes != vm.end - vm.start)
		VCHECK_FAIL(&c,
			    "V1: arena [0x%lx, +0x%zx) for range "
			    "[0x%lx, 0x%lx)",
			    (unsigned long)vm.arena.base, vm.arena.size,
			    (unsigned long)vm.start, (unsigned long)vm.end);
	vmem_walk(&vm.arena, VMEM_WALK_ALLOC, check_area, &c);
	pt_walk(vm.pt, check_leaf, &c);

	for (const struct vm_area *a = vm.free_areas; a; a = a->next_free)
		if (++nfree > vm.areas_total)
			break;
	if (c.areas != vm.st.nr_areas || c.areas != vs.nr_alloc ||
	    c.pages != vm.st.nr_pages || c.vmap_pages != vm.st.vmap_pages)
		VCHECK_FAIL(&c,
			    "V7: %zu areas %zu pages %zu vmap pages, counters "
			    "%zu %zu %zu",
			    c.areas, c.pages, c.vmap_pages, vm.st.nr_areas,
			    vm.st.nr_pages, vm.st.vmap_pages);
	if (nfree != vm.areas_free || vm.areas_free + c.areas != vm.areas_total)
		VCHECK_FAIL(&c,
			    "V7: descriptor pool: %zu free (counter %zu) + %zu "
			    "in use != %zu",
			    nfree, vm.areas_free, c.areas, vm.areas_total);
	return c.nerr;
}
