// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kernel address space.
 *
 * Theory of operation. The boot code (arch/riscv/early_vm.c) turns on
 * Sv39 with tables that map only the image and the device tree window.
 * Boot then proceeds in three steps, all driven from kernel/main.c:
 *
 *  1. kspace_early_ioremap(): gigapage slots at EARLY_IO_VA give the
 *     console and the poweroff device an address at once, so even a
 *     device tree without memory can be reported and powered off.
 *  2. kspace_early_linear_map(): va_pa_offset is fixed (VA and PA
 *     congruent modulo 1 GiB) and every GiB holding RAM is mapped with a
 *     gigapage in the boot root, so pages from memblock are writable
 *     through phys_to_virt() before any final table exists.
 *  3. kspace_init(): a fresh root from memblock gets the real map:
 *       linear map of each usable range minus no-map regions, RW NX,
 *         with the image's text and rodata read-only there (no writable
 *         alias of executable code);
 *       the image: text RX, rodata R, data and bss RW, guard pages absent;
 *       the device tree window, R;
 *     the early IO slots are carried over until their users move to
 *     ioremap() mappings, then dropped. The boot tables are abandoned.
 *
 * Page-table pages come from memblock until kspace_use_buddy(), then
 * from the buddy allocator (pages from memblock are never freed: they
 * are PG_reserved and freeing them is skipped). From kspace_use_buddy()
 * on, every table page's valid-entry counter (mm/pgtable.c, I9) is in
 * its struct page (pt_used); pt_set_alloc sets the memblock tables'.
 *
 * Invariants:
 *  I1 no leaf in the live tables is both writable and executable
 *     (kspace_wx_audit() counts violations);
 *  I2 va = pa + va_pa_offset for every linear-map leaf;
 *  I3 ioremap() mappings never overlap (bump allocation, never freed);
 *  I4 every PTE written here directly (boot root entries) comes from
 *     kspace_pte_leaf(), which refuses a physical address at or above
 *     PADDR_LIMIT rather than let it spill into the reserved PTE bits;
 *     loops over address ranges stop before their step could wrap.
 *
 * Locking: the live tables (kernel_pt) are shared by every hart and
 * protected by their own lock, kernel_pt.lock, which every pt_* call
 * takes (mm/pgtable.c); kspace_use_buddy() swaps their allocator under
 * it. ioremap_lock protects ioremap_next and is held across the pt_map
 * of the new mapping, so a failed map leaves the cursor where it was:
 *
 *   ioremap_lock -> kernel_pt.lock -> buddy zone locks -> printk_lock
 *
 * (vmalloc's lock and the vmem arena lock come before kernel_pt.lock;
 * see mm/vmalloc.c.) The early functions, kspace_init() and
 * kspace_early_io_drop() write root entries directly and fence only
 * the boot hart: they run before any other hart is started.
 * kspace_describe() runs in fault reports: it looks the linear map up
 * only when this hart does not already hold kernel_pt.lock.
 *
 * Failure modes: anything failing here happens at boot and panics with
 * the addresses involved.
 */
#include "mm/kspace.h"

#include "lib/assert.h"
#include "lib/fmt.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/vmalloc.h"

/* Valid (empty, unlocked) even before kspace_init: fault reports read it. */
static struct pgtable kernel_pt = { .lock = SPINLOCK_INIT("kernel_pt"),
				    .root = PADDR_INVALID };
static struct kspace_image image;
static pte_t *boot_root;
static paddr_t early_io_base[EARLY_IO_SLOTS];
static bool early_io_used[EARLY_IO_SLOTS];
static DEFINE_SPINLOCK(ioremap_lock);
static vaddr_t ioremap_next = IOREMAP_START; /* ioremap_lock (I3) */
static bool kspace_live;

/*
 * Every leaf this file writes directly (not through pt_map, which checks
 * its own) is made here: a physical address the PPN field cannot hold
 * would set the PTE's reserved bits 54..63, so it panics instead.
 */
static pte_t kspace_pte_leaf(paddr_t pa, unsigned int prot)
{
	if (pa >= PADDR_LIMIT)
		panic("kspace_pte_leaf: pa 0x%016lx is beyond the %d-bit "
		      "physical address space",
		      pa, PADDR_BITS);
	return arch_pte_leaf(pa & (PADDR_LIMIT - 1), prot);
}

static unsigned int root_index(vaddr_t va)
{
	return (va >> PT_LEVEL_SHIFT(2)) & (PT_ENTRIES - 1);
}

void *kspace_early_ioremap(pte_t *root, paddr_t pa)
{
	paddr_t base = ALIGN_DOWN(pa, SZ_1G);

	boot_root = root;
	if (pa >= PADDR_LIMIT)
		return NULL; /* no PTE can name it */
	for (unsigned int i = 0; i < EARLY_IO_SLOTS; i++) {
		vaddr_t va = EARLY_IO_VA + i * SZ_1G;

		if (!early_io_used[i]) {
			early_io_used[i] = true;
			early_io_base[i] = base;
			root[root_index(va)] = kspace_pte_leaf(
				base, PROT_RW | PROT_DEVICE | PROT_GLOBAL);
			arch_tlb_flush_all();
		}
		if (early_io_base[i] == base)
			return (void *)(uintptr_t)(va + (pa - base));
	}
	return NULL;
}

void *kspace_early_map_ram(pte_t *root, paddr_t pa, uint64_t size,
			   paddr_t linear_base)
{
	uint64_t offset = PAGE_OFFSET - linear_base;

	for (paddr_t g = ALIGN_DOWN(pa, SZ_1G); g < pa + size; g += SZ_1G)
		root[root_index(g + offset)] =
			kspace_pte_leaf(g, PROT_RW | PROT_GLOBAL);
	arch_tlb_flush_all();
	return (void *)(uintptr_t)(pa + offset);
}

uint64_t kspace_early_linear_map(pte_t *root, struct memmap *map)
{
	uint64_t dropped;
	paddr_t base = memmap_fit_linear(map, LINEAR_MAX_SIZE, &dropped);

	/* Buddy's ranges split at its 4 GiB zone boundary. */
	dropped += memmap_fit_ranges(map, BUDDY_MAX_RANGES, SZ_4G);

	boot_root = root;
	va_pa_offset = PAGE_OFFSET - base;
	for (unsigned int i = 0; i < map->nr_usable; i++) {
		const struct memmap_range *r = &map->usable[i];

		/* Stops before g += SZ_1G could pass the top (no wrap). */
		for (paddr_t g = ALIGN_DOWN(r->start, SZ_1G);; g += SZ_1G) {
			root[root_index(g + va_pa_offset)] =
				kspace_pte_leaf(g, PROT_RW | PROT_GLOBAL);
			if (r->end - g <= SZ_1G)
				break;
		}
	}
	arch_tlb_flush_all();
	return dropped;
}

/* Page-table pages ------------------------------------------------------*/

static paddr_t memblock_pt_alloc(void *ctx)
{
	paddr_t pa = memblock_alloc(PAGE_SIZE, PAGE_SIZE, 0);

	if (pa == PADDR_INVALID)
		return PADDR_INVALID;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static paddr_t buddy_pt_alloc(void *ctx)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);

	return page ? pfn_to_paddr(page_to_pfn(page)) : PADDR_INVALID;
}

static void buddy_pt_free(void *ctx, paddr_t pa)
{
	struct page *page = pfn_to_page(paddr_to_pfn(pa));

	if (page && !(page->flags & PG_reserved))
		__free_pages(page, 0);
}

/*
 * A table page's valid-entry counter (mm/pgtable.c, I9) is in its
 * struct page: buddy pages and the memblock tables from before, which
 * are RAM (PG_reserved) and have descriptors once buddy is up.
 */
static unsigned int *buddy_pt_used(void *ctx, paddr_t pa)
{
	struct page *page = pfn_to_page(paddr_to_pfn(pa));

	if (!page)
		panic("buddy_pt_used: table pa 0x%llx has no struct page",
		      (unsigned long long)pa);
	return &page->pt_used;
}

/* Before buddy there are no descriptors: pgtable scans instead. */
static const struct pt_alloc memblock_alloc_ops = { memblock_pt_alloc, NULL,
						    NULL, NULL };
static const struct pt_alloc buddy_alloc_ops = { buddy_pt_alloc, buddy_pt_free,
						 buddy_pt_used, NULL };

const struct pt_alloc *kspace_pt_alloc(void)
{
	return &kernel_pt.alloc;
}

void kspace_use_buddy(void)
{
	int err = pt_set_alloc(&kernel_pt, &buddy_alloc_ops);

	VERIFY3U(err, ==, 0);
}

struct pgtable *kspace_pgtable(void)
{
	return &kernel_pt;
}

/* Final tables ------------------------------------------------------------*/

static void map_or_panic(vaddr_t va, paddr_t pa, size_t size, unsigned int prot,
			 const char *what)
{
	int err;

	if (size == 0)
		return;
	err = pt_map(&kernel_pt, va, pa, size, prot | PROT_GLOBAL);
	if (err)
		panic("kspace_init: mapping %s [0x%016lx-0x%016lx] -> 0x%016lx "
		      "failed: %s",
		      what, va, va + size - 1, pa, errno_name(err));
}

/* Map [start, end) of RAM in the linear map, the image's code read-only. */
static void map_linear(paddr_t start, paddr_t end)
{
	paddr_t ro_start = image.pa_start;
	paddr_t ro_end = image.pa_start + (image.rodata_end - KERNEL_VA);

	while (start < end) {
		paddr_t stop = end;
		unsigned int prot = PROT_RW;

		if (start < ro_start && stop > ro_start)
			stop = ro_start;
		else if (start >= ro_start && start < ro_end) {
			stop = MIN(end, ro_end);
			prot = PROT_READ;
		}
		map_or_panic(start + va_pa_offset, start, stop - start, prot,
			     "linear map");
		start = stop;
	}
}

static paddr_t image_pa(vaddr_t va)
{
	return image.pa_start + (va - KERNEL_VA);
}

void kspace_init(const struct memmap *map, const struct kspace_image *img)
{
	pte_t *root;

	image = *img;
	if (pt_init(&kernel_pt, &memblock_alloc_ops))
		panic("kspace_init: no memory for the root page table");
	spin_lock_init(&kernel_pt.lock, "kernel_pt"); /* its name in BUGs */
	/* Linear map: usable minus no-map. */
	for (unsigned int i = 0; i < map->nr_usable; i++) {
		paddr_t cur = map->usable[i].start;
		paddr_t end = map->usable[i].end;

		while (cur < end) {
			paddr_t next = end, skip = 0;

			for (unsigned int j = 0; j < map->nr_reserved; j++) {
				const struct memmap_reserved *r =
					&map->reserved[j];

				if (!r->no_map || r->end <= cur ||
				    r->start >= next)
					continue;
				if (r->start <= cur) {
					skip = MAX(skip, r->end);
					next = cur;
				} else {
					next = r->start;
				}
			}
			if (next > cur) {
				map_linear(cur, next);
				cur = next;
			} else {
				cur = MIN(MAX(skip, cur + PAGE_SIZE), end);
			}
		}
	}
	/* The image, W^X, guard pages left out (I1). */
	map_or_panic(img->text_start, image_pa(img->text_start),
		     img->text_end - img->text_start, PROT_RX, "kernel text");
	map_or_panic(img->rodata_start, image_pa(img->rodata_start),
		     img->rodata_end - img->rodata_start, PROT_READ,
		     "kernel rodata");
	for (vaddr_t va = img->data_start; va < img->data_end;
	     va += PAGE_SIZE) {
		vaddr_t stop = va;

		while (stop < img->data_end &&
		       !(stop >= img->guard_start && stop < img->guard_end) &&
		       !(stop >= img->guard2_start && stop < img->guard2_end))
			stop += PAGE_SIZE;
		map_or_panic(va, image_pa(va), stop - va, PROT_RW,
			     "kernel data");
		va = stop;
	}
	/* Device tree window. */
	map_or_panic(FDT_VA, ALIGN_DOWN(img->fdt_pa, SZ_2M), FDT_WINDOW_SIZE,
		     PROT_READ, "device tree");
	/* Carry over the early MMIO gigapages. */
	root = phys_to_virt(kernel_pt.root);
	for (unsigned int i = 0; i < EARLY_IO_SLOTS; i++) {
		unsigned int idx = root_index(EARLY_IO_VA + i * SZ_1G);

		if (boot_root)
			root[idx] = boot_root[idx];
	}
	arch_set_root(kernel_pt.root);
	arch_tlb_flush_all();
	kspace_live = true;
}

void *ioremap(paddr_t pa, size_t size)
{
	paddr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t len = ALIGN_UP(pa + size, PAGE_SIZE) - base;
	void *ret = NULL;
	vaddr_t va;

	if (!kspace_live || size == 0)
		return NULL;
	spin_lock(&ioremap_lock);
	va = ioremap_next;
	if (len <= IOREMAP_END - va &&
	    !pt_map(&kernel_pt, va, base, len,
		    PROT_RW | PROT_DEVICE | PROT_GLOBAL)) {
		/* A hole between mappings, I3. */
		ioremap_next = va + len + PAGE_SIZE;
		ret = (void *)(uintptr_t)(va + (pa - base));
	}
	spin_unlock(&ioremap_lock);
	return ret;
}

void *kspace_ioremap_move(void *early_va, size_t size)
{
	vaddr_t va = (vaddr_t)(uintptr_t)early_va;

	if (va < EARLY_IO_VA || va >= EARLY_IO_VA + EARLY_IO_SLOTS * SZ_1G)
		return early_va; /* not an early mapping */
	unsigned int slot = (va - EARLY_IO_VA) / SZ_1G;

	return ioremap(early_io_base[slot] + (va - EARLY_IO_VA - slot * SZ_1G),
		       size);
}

void kspace_early_io_drop(void)
{
	pte_t *root = phys_to_virt(kernel_pt.root);

	for (unsigned int i = 0; i < EARLY_IO_SLOTS; i++)
		root[root_index(EARLY_IO_VA + i * SZ_1G)] = 0;
	arch_tlb_flush_all();
}

/* Audit and fault descriptions --------------------------------------------*/

static int wx_leaf(void *arg, vaddr_t va, paddr_t pa, size_t size,
		   unsigned int prot)
{
	unsigned int *count = arg;

	if ((prot & PROT_WRITE) && (prot & PROT_EXEC)) {
		printk("mmu: W^X violation [0x%016lx-0x%016lx] -> 0x%016lx\n",
		       va, va + size - 1, pa);
		(*count)++;
	}
	return 0;
}

unsigned int kspace_wx_audit(void)
{
	unsigned int count = 0;

	pt_walk(&kernel_pt, wx_leaf, &count);
	return count;
}

static bool in(vaddr_t va, vaddr_t start, vaddr_t end)
{
	return va >= start && va < end;
}

void kspace_describe(vaddr_t va, char *buf, size_t len)
{
	const char *what;
	paddr_t pa;
	unsigned int prot;

	if (va < 0x10000)
		what = "NULL pointer dereference (unmapped)";
	else if (in(va, image.guard_start, image.guard_end))
		what = "boot stack guard page (stack overflow)";
	else if (in(va, image.guard2_start, image.guard2_end))
		what = "trap stack guard page (trap stack overflow)";
	else if (in(va, image.text_start, image.text_end))
		what = "kernel text (read+execute)";
	else if (in(va, image.rodata_start, image.rodata_end))
		what = "kernel read-only data";
	else if (in(va, image.data_start, image.data_end))
		what = "kernel data (read+write, not executable)";
	else if (in(va, VMALLOC_START, VMALLOC_END)) {
		if (!vmalloc_describe(va, buf, len))
			fmt_snprintf(buf, len, "vmalloc range");
		return;
	} else if (in(va, PAGE_OFFSET, LINEAR_END)) {
		pa = va - va_pa_offset;
		if (pt_lock_is_held(&kernel_pt))
			fmt_snprintf(buf, len,
				     "linear map of pa 0x%016lx (page tables "
				     "locked by this hart)",
				     pa);
		else if (pt_lookup(&kernel_pt, va, NULL, &prot, NULL) == 0)
			fmt_snprintf(buf, len,
				     "linear map of pa 0x%016lx (%s%s%s)", pa,
				     prot & PROT_READ ? "r" : "-",
				     prot & PROT_WRITE ? "w" : "-",
				     prot & PROT_EXEC ? "x" : "-");
		else
			fmt_snprintf(buf, len,
				     "linear map hole: pa 0x%016lx is not "
				     "mapped RAM",
				     pa);
		return;
	} else if (in(va, FDT_VA, FDT_VA + FDT_WINDOW_SIZE))
		what = "device tree window (read-only)";
	else if (in(va, IOREMAP_START, IOREMAP_END))
		what = "MMIO area";
	else if (!pt_va_is_canonical(va))
		what = "non-canonical address";
	else
		what = "unmapped";
	fmt_snprintf(buf, len, "%s", what);
}
