// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmalloc's reports: the BUG line of a refused vfree/vunmap,
 * vmalloc_describe() for fault reports, the vmallocinfo lines and walk,
 * and vmalloc_get_stats(). Each reads the areas of mm/vmalloc.c under
 * vmalloc_lock (which also serialises the arena's vmem_walk), so it never
 * sees an area half built or half purged; areas being built
 * (VM_BUILDING) are passed by.
 */
#include "lib/fmt.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/vmalloc_internal.h"

void vmalloc_report_bad_free(const char *fn, vaddr_t va, uintptr_t caller,
			     const char *why)
{
	const struct vm_area *a = vmalloc_area_find(va);
	const struct vm_freed *f;

	vmalloc_state.st.bugs++;
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
	} else if ((f = vmalloc_freed_find(va)) != NULL) {
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

bool vmalloc_describe(vaddr_t va, char *buf, size_t len)
{
	const struct vm_area *a;
	const struct vm_freed *f;

	if (!vm_ready() || va < vmalloc_state.start || va >= vmalloc_state.end)
		return false;
	/* A fault inside vmalloc itself: taking the locks would deadlock. */
	if (spin_is_held(&vmalloc_lock) ||
	    vmem_lock_is_held(&vmalloc_state.arena)) {
		fmt_snprintf(buf, len,
			     "vmalloc range (vmalloc locked by this hart)");
		return true;
	}
	spin_lock(&vmalloc_lock);
	a = vmalloc_area_find(va);
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
	f = vmalloc_freed_find(va);
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

/* vmallocinfo_print, per published area (vmem_walk, vmalloc_lock). */
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
	if (vmalloc_state.ready)
		vmem_walk(&vmalloc_state.arena, VMEM_WALK_ALLOC, info_one,
			  NULL);
	printk("vmallocinfo: %zu areas, %zu pages, %zu vmap pages, %zu "
	       "metadata pages, lazily freed %zu areas %zu pages %zu table "
	       "pages\n",
	       vmalloc_state.st.nr_areas, vmalloc_state.st.nr_pages,
	       vmalloc_state.st.vmap_pages,
	       vmalloc_state.ready ? vmalloc_meta_pages() : 0,
	       vmalloc_state.st.lazy_areas, vmalloc_state.st.lazy_pages,
	       vmalloc_state.gather.nr_tables);
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
	if (vmalloc_state.ready)
		vmem_walk(&vmalloc_state.arena, VMEM_WALK_ALLOC, info_walk_one,
			  &w);
	spin_unlock(&vmalloc_lock);
}

void vmalloc_get_stats(struct vmalloc_stats *st)
{
	spin_lock(&vmalloc_lock);
	*st = vmalloc_state.st;
	st->meta_pages = vmalloc_state.ready ? vmalloc_meta_pages() : 0;
	st->lazy_tables = vmalloc_state.gather.nr_tables;
	spin_unlock(&vmalloc_lock);
}
