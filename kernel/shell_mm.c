// SPDX-License-Identifier: BSD-2-Clause
/*
 * The memory console's allocating commands: alloc/free (buddy),
 * kmalloc/kfree, vmalloc/vfree and cache (a slab cache of one's own).
 * See kernel/shell.c.
 *
 * Frees pass whatever address was typed to the allocator, which checks
 * it and, for misuse, prints its own BUG line and refuses; the console
 * then says nothing more (text) or "ok": false (JSON), telling the
 * outcome by the allocators' BUG counters. The one exception is an
 * address the allocator would read before validating it:
 * kmem_cache_free() reads the word before an 8-byte aligned object when
 * that word is on the object's page (its contract: "obj must be mapped
 * memory"). `cache free` passes such an address only when the page is
 * RAM the buddy allocator manages or part of a vmalloc area; anything
 * else (firmware memory behind PMP, reserved regions, MMIO, unmapped
 * pages) gets an error line instead of a fault.
 *
 * The caches made with `cache create` are remembered here by name (at
 * most SHELL_CACHES); the kernel's own caches cannot be reached by
 * `cache`, so they cannot be destroyed from the console.
 */
#include "kernel/shell_internal.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/kmalloc.h"
#include "mm/kspace.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define SHELL_CACHES 16
#define SHELL_VMALLOC_MAX_SIZE (256UL << 20) /* each page's pfn is printed */
#define SHELL_ORDER_LIMIT 255 /* above: a typing error, not an order */

static struct kmem_cache *caches[SHELL_CACHES];

/* Misuse reports so far, all allocators. */
static unsigned long bug_count(void)
{
	struct buddy_stats bs;
	struct vmalloc_stats vs;

	buddy_stats(&bs);
	vmalloc_get_stats(&vs);
	return (unsigned long)(bs.bugs + vs.bugs) + slab_bug_count();
}

/* After a free: one line saying it was done, unless it was refused. */
static void freed(const char *cmd, uint64_t addr, unsigned long bugs_before,
		  int order)
{
	bool ok = bug_count() == bugs_before;
	struct json j;

	if (shell_json) {
		json_begin(&j, cmd);
		json_hex(&j, "addr", addr);
		if (order >= 0)
			json_u64(&j, "order", (uint64_t)order);
		json_bool(&j, "ok", ok);
		json_end(&j);
	} else if (ok) {
		printk("%s: 0x%lx freed\n", cmd, (unsigned long)addr);
	}
}

static int arg_order(const char *cmd, const char *s, uint64_t *order)
{
	if (shell_arg_u64(cmd, "order", s, order))
		return -1;
	if (*order > SHELL_ORDER_LIMIT)
		return shell_error("%s: order %lu is not a block order", cmd,
				   (unsigned long)*order);
	return 0;
}

int shell_alloc(int argc, char **argv)
{
	gfp_t gfp = GFP_KERNEL;
	struct page *page;
	uint64_t order;
	struct json j;

	if (arg_order("alloc", argv[1], &order))
		return -1;
	if (order > MAX_ORDER)
		return shell_error("alloc: order %lu is above MAX_ORDER (%d)",
				   (unsigned long)order, MAX_ORDER);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "dma32") == 0)
			gfp |= __GFP_DMA32;
		else if (strcmp(argv[i], "zero") == 0)
			gfp |= __GFP_ZERO;
		else
			return shell_error("alloc: unknown flag '%pE' (dma32 "
					   "or zero)",
					   argv[i]);
	}
	page = alloc_pages(gfp, (unsigned int)order);
	if (!page)
		return shell_error("alloc: no free block of order %lu",
				   (unsigned long)order);
	if (shell_json) {
		json_begin(&j, "alloc");
		json_hex(&j, "pfn", page_to_pfn(page));
		json_u64(&j, "order", order);
		json_hex(&j, "va", (uintptr_t)page_address(page));
		json_end(&j);
	} else {
		printk("page pfn 0x%lx order %lu va 0x%lx\n",
		       (unsigned long)page_to_pfn(page), (unsigned long)order,
		       (unsigned long)page_address(page));
	}
	return 0;
}

int shell_free(int argc, char **argv)
{
	unsigned long bugs = bug_count();
	uint64_t where, order;

	if (shell_arg_u64("free", "pfn or address", argv[1], &where) ||
	    arg_order("free", argv[2], &order))
		return -1;
	if (where >= VMALLOC_START) {
		/* A kernel address: free_pages() checks it is RAM. */
		free_pages((unsigned long)where, (unsigned int)order);
	} else {
		struct page *page;

		if (where >= (PADDR_LIMIT >> PAGE_SHIFT))
			return shell_error("free: 0x%lx is neither a pfn nor "
					   "a kernel address",
					   (unsigned long)where);
		page = pfn_to_page(where);
		if (page)
			__free_pages(page, (unsigned int)order);
		else /* reported as not RAM, with this pfn */
			free_pages((unsigned long)phys_to_virt(
					   pfn_to_paddr(where)),
				   (unsigned int)order);
	}
	freed("free", where, bugs, (int)order);
	return 0;
}

int shell_kmalloc(int argc, char **argv)
{
	const char *cache = "large";
	uint64_t size;
	struct json j;
	void *p;

	if (shell_arg_size("kmalloc", argv[1], KMALLOC_MAX_SIZE, &size))
		return -1;
	p = kmalloc((size_t)size, GFP_KERNEL);
	if (!p)
		return shell_error("kmalloc: no memory for %lu bytes",
				   (unsigned long)size);
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		cache = kmalloc_caches[kmalloc_index((size_t)size)]->name;
	if (shell_json) {
		json_begin(&j, "kmalloc");
		json_hex(&j, "va", (uintptr_t)p);
		json_u64(&j, "size", size);
		json_str(&j, "cache", cache);
		json_end(&j);
	} else {
		printk("kmalloc 0x%lx size %lu cache %s\n", (unsigned long)p,
		       (unsigned long)size, cache);
	}
	return 0;
}

/* Address arguments of kfree, vfree and cache free. */
static int arg_addr(const char *cmd, const char *s, uint64_t *va)
{
	if (shell_arg_u64(cmd, "address", s, va))
		return -1;
	if (ZERO_OR_NULL_PTR((void *)(uintptr_t)*va))
		return shell_error(
			"%s: 0x%lx is NULL or ZERO_SIZE_PTR: nothing "
			"to free",
			cmd, (unsigned long)*va);
	return 0;
}

int shell_kfree(int argc, char **argv)
{
	unsigned long bugs = bug_count();
	uint64_t va;

	if (arg_addr("kfree", argv[1], &va))
		return -1;
	/* Any address is safe: kfree finds the owner through its page. */
	kfree((void *)(uintptr_t)va);
	freed("kfree", va, bugs, -1);
	return 0;
}

int shell_vmalloc(int argc, char **argv)
{
	unsigned int pages;
	uint64_t size;
	struct json j;
	void *p;

	if (shell_arg_size("vmalloc", argv[1], SHELL_VMALLOC_MAX_SIZE, &size))
		return -1;
	p = vmalloc((size_t)size);
	if (!p)
		return shell_error("vmalloc: no memory or address space for "
				   "%lu bytes",
				   (unsigned long)size);
	pages = (unsigned int)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	if (shell_json) {
		json_begin(&j, "vmalloc");
		json_hex(&j, "va", (uintptr_t)p);
		json_u64(&j, "size", (uint64_t)pages * PAGE_SIZE);
		json_u64(&j, "pages", pages);
		json_array_begin(&j, "pfns");
	} else {
		printk("vmalloc 0x%lx size %lu pages %u pfns", (unsigned long)p,
		       (unsigned long)pages * PAGE_SIZE, pages);
	}
	for (unsigned int i = 0; i < pages; i++) {
		struct page *pg = vmalloc_to_page((const char *)p +
						  (size_t)i * PAGE_SIZE);
		pfn_t pfn = pg ? page_to_pfn(pg) : 0;

		if (shell_json) {
			json_elem_hex(&j, pfn);
		} else {
			printk(" 0x%lx", (unsigned long)pfn);
			printk_flush();
		}
	}
	if (shell_json) {
		json_array_end(&j);
		json_end(&j);
	} else {
		printk("\n");
	}
	return 0;
}

int shell_vfree(int argc, char **argv)
{
	unsigned long bugs = bug_count();
	uint64_t va;

	if (arg_addr("vfree", argv[1], &va))
		return -1;
	vfree((void *)(uintptr_t)va); /* checks va is an area's start */
	freed("vfree", va, bugs, -1);
	return 0;
}

/* --------------------------------------------------------------- cache */

static struct kmem_cache **cache_slot(const char *name)
{
	for (unsigned int i = 0; i < SHELL_CACHES; i++)
		if (caches[i] && strcmp(caches[i]->name, name) == 0)
			return &caches[i];
	return NULL;
}

static void cache_print(const char *op, struct kmem_cache *c, uint64_t va)
{
	struct kmem_cache_info info;
	struct json j;

	kmem_cache_info(c, &info);
	if (shell_json) {
		json_begin(&j, "cache");
		json_str(&j, "op", op);
		json_str(&j, "name", c->name);
		if (va)
			json_hex(&j, "va", va);
		json_u64(&j, "objsize", info.object_size);
		json_u64(&j, "size", info.size);
		json_u64(&j, "align", info.align);
		json_u64(&j, "order", info.order);
		json_u64(&j, "perslab", info.objs_per_slab);
		json_u64(&j, "active", info.active_objs);
		json_end(&j);
	} else if (va) {
		printk("cache %s %s 0x%lx\n", c->name, op, (unsigned long)va);
	} else {
		printk("cache %s objsize %zu size %zu align %zu order %u "
		       "perslab %u\n",
		       c->name, info.object_size, info.size, info.align,
		       info.order, info.objs_per_slab);
	}
}

static int cache_create(int argc, char **argv)
{
	struct kmem_cache **slot = NULL, *c;
	uint64_t size, align = 0;

	if (argc < 4)
		return shell_error("cache: missing argument (usage: cache "
				   "create <name> <size> [align])");
	if (strlen(argv[2]) >= SLAB_NAME_MAX)
		return shell_error("cache: name '%pE' is longer than %d "
				   "characters",
				   argv[2], SLAB_NAME_MAX - 1);
	if (cache_slot(argv[2]))
		return shell_error("cache: '%pE' exists already", argv[2]);
	if (shell_arg_size("cache", argv[3], SLAB_MAX_SIZE, &size))
		return -1;
	if (argc > 4) {
		if (shell_arg_size("cache", argv[4], PAGE_SIZE, &align))
			return -1;
		if (align & (align - 1))
			return shell_error("cache: align %lu is not a power of "
					   "two",
					   (unsigned long)align);
	}
	for (unsigned int i = 0; i < SHELL_CACHES && !slot; i++)
		if (!caches[i])
			slot = &caches[i];
	if (!slot)
		return shell_error("cache: all %d console caches in use "
				   "(destroy one)",
				   SHELL_CACHES);
	c = kmem_cache_create(argv[2], (size_t)size, (size_t)align, 0, NULL);
	if (!c)
		return shell_error("cache: kmem_cache_create('%pE', %lu, %lu) "
				   "failed",
				   argv[2], (unsigned long)size,
				   (unsigned long)align);
	*slot = c;
	cache_print("create", c, 0);
	return 0;
}

/*
 * May kmem_cache_free(c, va) run? Where c's word is before its objects,
 * it reads the word at va - 8 before any check when va is 8-byte
 * aligned and that word is on va's page; where the word is inside and
 * c's slabs are one page, it reads the slab descriptor at the start of
 * va's page first. Then the page must be memory the kernel may read: RAM
 * the buddy allocator manages (not a reserved region: firmware memory
 * may be mapped but locked by PMP) or a mapped page of a vmalloc area.
 * Otherwise va is validated through its page descriptor first.
 */
static bool cache_free_is_safe(const struct kmem_cache *c, uint64_t va)
{
	const struct page *page = virt_to_page((const void *)(uintptr_t)va);
	unsigned int prot;

	if (c->word_back == 0 ? !c->slab_mask
			      : ((va & (SLAB_WORD_SIZE - 1)) ||
				 (va & (PAGE_SIZE - 1)) < SLAB_WORD_SIZE))
		return true; /* validated before anything is read */
	if (page)
		return !(__atomic_load_n(&page->flags, __ATOMIC_RELAXED) &
			 PG_reserved);
	return is_vmalloc_addr((const void *)(uintptr_t)va) &&
	       pt_lookup(kspace_pgtable(), (vaddr_t)va, NULL, &prot, NULL) ==
		       0 &&
	       (prot & PROT_READ);
}

int shell_cache(int argc, char **argv)
{
	struct kmem_cache **slot;
	const char *op = argv[1];
	unsigned long bugs;
	uint64_t va;
	void *obj;

	if (strcmp(op, "create") == 0)
		return cache_create(argc, argv);
	if (strcmp(op, "alloc") != 0 && strcmp(op, "free") != 0 &&
	    strcmp(op, "destroy") != 0)
		return shell_error("cache: unknown operation '%pE' (create, "
				   "alloc, free or destroy)",
				   op);
	if (argc < 3 || (strcmp(op, "free") == 0 && argc < 4))
		return shell_error("cache: missing argument (usage: cache %s "
				   "<name>%s)",
				   op, strcmp(op, "free") == 0 ? " <va>" : "");
	if (argc > (strcmp(op, "free") == 0 ? 4 : 3))
		return shell_error("cache: too many arguments for %s", op);
	slot = cache_slot(argv[2]);
	if (!slot)
		return shell_error("cache: no console cache '%pE' (cache "
				   "create makes one)",
				   argv[2]);
	if (strcmp(op, "alloc") == 0) {
		obj = kmem_cache_alloc(*slot, GFP_KERNEL);
		if (!obj)
			return shell_error("cache: %s: no memory", argv[2]);
		cache_print("alloc", *slot, (uintptr_t)obj);
		return 0;
	}
	if (strcmp(op, "destroy") == 0) {
		if (kmem_cache_destroy(*slot))
			return shell_error("cache: %s still has objects: not "
					   "destroyed",
					   argv[2]);
		*slot = NULL;
		if (shell_json) {
			struct json j;

			json_begin(&j, "cache");
			json_str(&j, "op", "destroy");
			json_str(&j, "name", argv[2]);
			json_bool(&j, "ok", true);
			json_end(&j);
		} else {
			printk("cache %s destroyed\n", argv[2]);
		}
		return 0;
	}
	if (arg_addr("cache", argv[3], &va))
		return -1;
	if (!cache_free_is_safe(*slot, va))
		return shell_error("cache: 0x%lx is neither RAM the allocators "
				   "manage nor a vmalloc page: not a slab "
				   "object, not passed to kmem_cache_free",
				   (unsigned long)va);
	bugs = bug_count();
	kmem_cache_free(*slot, (void *)(uintptr_t)va);
	freed("cache free", va, bugs, -1);
	return 0;
}
