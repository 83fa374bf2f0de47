// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmalloc_check(): a white-box walk of vmalloc's state that verifies
 * the invariants V1..V8 of mm/vmalloc.c, prints one "vmalloc_check: "
 * line per violation citing its number, and returns their count. It
 * holds vmalloc_lock for the whole walk (which also serialises the
 * arena: vmem_walk takes no lock of its own) and looks up the page
 * table under it, in the documented order (vmalloc_lock -> page-table
 * lock).
 */
#include "lib/printk.h"
#include "mm/vmalloc_internal.h"

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
	return pt_lookup(vmalloc_state.pt, va, pa, prot, leaf) == 0;
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
	return pt_walk_range(vmalloc_state.pt, va, size, first_leaf, leaf) == 1;
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

/* From vmem_walk, under vmalloc_lock. */
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
	if (!vmalloc_state.ready)
		goto out;
	c.nerr += vmem_check(&vmalloc_state.arena);
	vmem_get_stats(&vmalloc_state.arena, &vs);
	if (vmalloc_state.arena.base != vmalloc_state.start ||
	    vs.alloc_bytes + vs.free_bytes !=
		    vmalloc_state.end - vmalloc_state.start)
		VCHECK_FAIL(&c,
			    "V1: arena [0x%lx, +0x%zx) for range "
			    "[0x%lx, 0x%lx)",
			    (unsigned long)vmalloc_state.arena.base,
			    vmalloc_state.arena.size,
			    (unsigned long)vmalloc_state.start,
			    (unsigned long)vmalloc_state.end);
	vmem_walk(&vmalloc_state.arena, VMEM_WALK_ALL, check_seg, &c);

	for (const struct vm_area *a = vmalloc_state.free_areas; a; a = a->next)
		if (++nfree > vmalloc_state.areas_total)
			break;
	for (const struct vm_area *a = vmalloc_state.lazy; a; a = a->next) {
		if (++nlazy > vmalloc_state.areas_total)
			break;
		if (!(a->flags & VM_LAZY))
			VCHECK_FAIL(&c,
				    "V8: area 0x%lx on the lazy list "
				    "without VM_LAZY",
				    (unsigned long)a->addr);
	}
	if (c.areas != vmalloc_state.st.nr_areas ||
	    c.pages != vmalloc_state.st.nr_pages ||
	    c.vmap_pages != vmalloc_state.st.vmap_pages)
		VCHECK_FAIL(&c,
			    "V7: %zu areas %zu pages %zu vmap pages, counters "
			    "%zu %zu %zu",
			    c.areas, c.pages, c.vmap_pages,
			    vmalloc_state.st.nr_areas,
			    vmalloc_state.st.nr_pages,
			    vmalloc_state.st.vmap_pages);
	if (c.building != vmalloc_state.areas_building)
		VCHECK_FAIL(&c, "V2: %zu segments being built, counter %zu",
			    c.building, vmalloc_state.areas_building);
	if (nfree != vmalloc_state.areas_free ||
	    vmalloc_state.areas_free + c.areas + c.lazy +
			    vmalloc_state.areas_building !=
		    vmalloc_state.areas_total)
		VCHECK_FAIL(&c,
			    "V7: descriptor pool: %zu free (counter %zu) + "
			    "%zu live + %zu lazy + %zu building != %zu",
			    nfree, vmalloc_state.areas_free, c.areas, c.lazy,
			    vmalloc_state.areas_building,
			    vmalloc_state.areas_total);
	if (nlazy != c.lazy || c.lazy != vmalloc_state.st.lazy_areas ||
	    c.lazy_pages != vmalloc_state.st.lazy_pages ||
	    c.lazy_bytes != vmalloc_state.st.lazy_bytes)
		VCHECK_FAIL(&c,
			    "V8: %zu lazy areas on the list, %zu in the arena "
			    "(counter %zu), %zu pages %zu bytes (counters %zu "
			    "%zu)",
			    nlazy, c.lazy, vmalloc_state.st.lazy_areas,
			    c.lazy_pages, c.lazy_bytes,
			    vmalloc_state.st.lazy_pages,
			    vmalloc_state.st.lazy_bytes);
	if (!vmalloc_state.lazy && !pt_gather_is_empty(&vmalloc_state.gather))
		VCHECK_FAIL(&c, "V8: no lazy area but %zu table pages held",
			    vmalloc_state.gather.nr_tables);
out:
	spin_unlock(&vmalloc_lock);
	return c.nerr;
}
