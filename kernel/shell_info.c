// SPDX-License-Identifier: BSD-2-Clause
/*
 * The memory console's read-only commands: meminfo, buddyinfo,
 * slabinfo, vmallocinfo, memmap, check, drain and walk (see
 * kernel/shell.c). In text mode each prints the kernel's own contract
 * lines (README.md, "Output contract"); with `json on`, one JSON object
 * per command, keys listed in README.md.
 *
 * walk never faults: it reads the kernel's page tables through the
 * linear map only after checking that each table address is RAM that
 * the linear map covers (shell_table_ok()).
 */
#include "kernel/boot.h"
#include "kernel/shell_internal.h"
#include "kernel/arch.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/kspace.h"
#include "mm/memmap.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

static void meminfo_line(const char *cmd)
{
	struct buddy_stats st;
	struct json j;

	buddy_stats(&st);
	if (!shell_json) {
		printk("meminfo: present=%lu managed=%lu free=%lu pcp=%lu\n",
		       (unsigned long)st.present, (unsigned long)st.managed,
		       (unsigned long)st.free, (unsigned long)st.pcp);
		return;
	}
	json_begin(&j, cmd);
	json_u64(&j, "present", st.present);
	json_u64(&j, "managed", st.managed);
	json_u64(&j, "free", st.free);
	json_u64(&j, "pcp", st.pcp);
	json_u64(&j, "failures", st.failures);
	json_u64(&j, "bugs", st.bugs);
	json_end(&j);
}

int shell_meminfo(int argc, char **argv)
{
	meminfo_line("meminfo");
	return 0;
}

int shell_buddyinfo(int argc, char **argv)
{
	struct json j;

	if (shell_json) {
		json_begin(&j, "buddyinfo");
		json_array_begin(&j, "zones");
	}
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		if (!buddy_zone_present((enum zone_type)z))
			continue;
		if (shell_json) {
			json_object_begin(&j, NULL);
			json_str(&j, "zone", buddy_zone_name(z));
			json_array_begin(&j, "free");
			for (unsigned int c = 0; c < buddy_nr_classes(); c++)
				json_elem_u64(&j, buddy_zone_nr_free(z, c));
			json_array_end(&j);
			json_u64(&j, "pcp", buddy_zone_pcp(z));
			json_object_end(&j);
			continue;
		}
		printk("buddyinfo: zone %s", buddy_zone_name(z));
		for (unsigned int c = 0; c < buddy_nr_classes(); c++)
			printk(" %lu", (unsigned long)buddy_zone_nr_free(z, c));
		printk(" pcp=%lu\n", (unsigned long)buddy_zone_pcp(z));
	}
	if (shell_json) {
		json_array_end(&j);
		json_end(&j);
	}
	return 0;
}

static void slabinfo_json_one(const struct kmem_cache_info *i, void *arg)
{
	struct json *j = arg;

	json_object_begin(j, NULL);
	json_str(j, "name", i->name);
	json_u64(j, "objsize", i->object_size);
	json_u64(j, "size", i->size);
	json_u64(j, "align", i->align);
	json_u64(j, "active", i->active_objs);
	json_u64(j, "total", i->total_objs);
	json_u64(j, "perslab", i->objs_per_slab);
	json_u64(j, "order", i->order);
	json_u64(j, "full", i->nr_slabs[KMEM_SLAB_FULL]);
	json_u64(j, "partial", i->nr_slabs[KMEM_SLAB_PARTIAL]);
	json_u64(j, "empty", i->nr_slabs[KMEM_SLAB_EMPTY]);
	json_u64(j, "quarantined", i->nr_slabs[KMEM_SLAB_QUARANTINED]);
	json_u64(j, "pages", i->pages);
	json_u64(j, "cached", i->cached);
	json_object_end(j);
}

int shell_slabinfo(int argc, char **argv)
{
	struct json j;

	if (!shell_json) {
		slabinfo_print();
		return 0;
	}
	json_begin(&j, "slabinfo");
	json_array_begin(&j, "caches");
	slabinfo_walk(slabinfo_json_one, &j);
	json_array_end(&j);
	json_end(&j);
	return 0;
}

static void vmallocinfo_json_one(const struct vmallocinfo_area *a, void *arg)
{
	struct json *j = arg;

	json_object_begin(j, NULL);
	json_hex(j, "start", a->addr);
	json_hex(j, "end", a->addr + a->size - 1);
	json_u64(j, "size", a->size);
	json_u64(j, "pages", a->nr_pages);
	json_hex(j, "caller", a->caller);
	json_str(j, "kind", a->vmap ? "vmap" : "vmalloc");
	json_bool(j, "lazy", a->lazy);
	if (a->lazy)
		json_hex(j, "freed_by", a->freer);
	json_object_end(j);
}

int shell_vmallocinfo(int argc, char **argv)
{
	struct vmalloc_stats st;
	struct json j;

	if (!shell_json) {
		vmallocinfo_print();
		return 0;
	}
	json_begin(&j, "vmallocinfo");
	json_array_begin(&j, "areas");
	vmallocinfo_walk(vmallocinfo_json_one, &j);
	json_array_end(&j);
	vmalloc_get_stats(&st);
	json_u64(&j, "nr_areas", st.nr_areas);
	json_u64(&j, "nr_pages", st.nr_pages);
	json_u64(&j, "vmap_pages", st.vmap_pages);
	json_u64(&j, "meta_pages", st.meta_pages);
	json_u64(&j, "lazy_areas", st.lazy_areas);
	json_u64(&j, "lazy_pages", st.lazy_pages);
	json_u64(&j, "lazy_tables", st.lazy_tables);
	json_end(&j);
	return 0;
}

int shell_memmap(int argc, char **argv)
{
	const struct memmap *map = kernel_memmap();
	struct json j;

	if (!shell_json) {
		memmap_print(map);
		return 0;
	}
	json_begin(&j, "memmap");
	json_array_begin(&j, "usable");
	for (unsigned int i = 0; i < map->nr_usable; i++) {
		json_object_begin(&j, NULL);
		json_hex(&j, "start", map->usable[i].start);
		json_hex(&j, "end", map->usable[i].end - 1);
		json_u64(&j, "node", map->usable[i].nid);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "reserved");
	for (unsigned int i = 0; i < map->nr_reserved; i++) {
		json_object_begin(&j, NULL);
		json_hex(&j, "start", map->reserved[i].start);
		json_hex(&j, "end", map->reserved[i].end - 1);
		json_str(&j, "name", map->reserved[i].name);
		json_bool(&j, "no_map", map->reserved[i].no_map);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_end(&j);
	return 0;
}

int shell_check(int argc, char **argv)
{
	/* Each prints its own "<checker>: ..." line per violation. */
	int buddy = buddy_check();
	int slab = slab_check();
	int vmalloc = vmalloc_check();
	int pgtable = pt_check(kspace_pgtable());
	int memmap = memmap_check(kernel_memmap());
	int total = buddy + slab + vmalloc + pgtable + memmap;
	struct json j;

	if (!shell_json) {
		printk("check: %d violations (buddy %d, slab %d, vmalloc %d, "
		       "pgtable %d, memmap %d)\n",
		       total, buddy, slab, vmalloc, pgtable, memmap);
		return 0;
	}
	json_begin(&j, "check");
	json_u64(&j, "violations", (uint64_t)total);
	json_u64(&j, "buddy", (uint64_t)buddy);
	json_u64(&j, "slab", (uint64_t)slab);
	json_u64(&j, "vmalloc", (uint64_t)vmalloc);
	json_u64(&j, "pgtable", (uint64_t)pgtable);
	json_u64(&j, "memmap", (uint64_t)memmap);
	json_end(&j);
	return 0;
}

int shell_drain(int argc, char **argv)
{
	/*
	 * vmalloc's purge and the slabs give pages back to the per-hart
	 * lists, so those are drained last; then every free page is on
	 * the zones' free lists, merged, and "free" counts only memory
	 * nobody holds.
	 */
	vmalloc_purge();
	slab_shrink_all();
	buddy_drain_all_pages();
	meminfo_line("drain");
	return 0;
}

/* ----------------------------------------------------------------- walk */

/* RAM with a descriptor and inside the linear map (not a no-map region). */
static bool shell_table_ok(paddr_t pa)
{
	const struct memmap *map = kernel_memmap();

	if (pa & (PAGE_SIZE - 1) || !pfn_valid(paddr_to_pfn(pa)))
		return false;
	for (unsigned int i = 0; i < map->nr_reserved; i++)
		if (map->reserved[i].no_map && pa >= map->reserved[i].start &&
		    pa < map->reserved[i].end)
			return false;
	return true;
}

static const char *walk_result(int err)
{
	switch (err) {
	case 0:
		return "mapped";
	case -ENOENT:
		return "not mapped";
	default:
		return "bad table entry";
	}
}

static void walk_text(vaddr_t va, const struct pt_walk_step *steps,
		      unsigned int n, int err)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct pt_walk_step *s = &steps[i];
		char flags[9];

		arch_pte_flags_str(s->pte, flags, sizeof(flags));
		printk("walk: L%d table 0x%lx [%3u] pte 0x%016lx %s", s->level,
		       (unsigned long)s->table, s->index, (unsigned long)s->pte,
		       flags);
		if (!arch_pte_is_valid(s->pte))
			printk(" (empty)\n");
		else if (arch_pte_is_leaf(s->pte))
			/* attr: bits 63:59 (Svpbmt's PBMT is 62:61, T-Head
			 * MAE's SO C B SH Sec are 63:59), and what the
			 * kernel's encoding reads them as. */
			printk(" leaf 0x%lx size 0x%lx attr 0x%02lx %s\n",
			       (unsigned long)arch_pte_paddr(s->pte),
			       PT_LEVEL_SIZE(s->level),
			       (unsigned long)(s->pte >> 59),
			       arch_pte_prot(s->pte) & PROT_DEVICE ? "device"
								   : "memory");
		else
			printk(" -> table 0x%lx\n",
			       (unsigned long)arch_pte_paddr(s->pte));
	}
	if (err == 0) {
		const struct pt_walk_step *leaf = &steps[n - 1];
		unsigned int prot = arch_pte_prot(leaf->pte);

		printk("walk: 0x%016lx -> pa 0x%lx %c%c%c (%s)\n",
		       (unsigned long)va,
		       (unsigned long)(arch_pte_paddr(leaf->pte) +
				       (va & (PT_LEVEL_SIZE(leaf->level) - 1))),
		       prot & PROT_READ ? 'r' : '-',
		       prot & PROT_WRITE ? 'w' : '-',
		       prot & PROT_EXEC ? 'x' : '-', walk_result(err));
	} else {
		printk("walk: 0x%016lx %s\n", (unsigned long)va,
		       walk_result(err));
	}
}

static void walk_json(vaddr_t va, const struct pt_walk_step *steps,
		      unsigned int n, int err)
{
	struct json j;

	json_begin(&j, "walk");
	json_hex(&j, "va", va);
	json_array_begin(&j, "levels");
	for (unsigned int i = 0; i < n; i++) {
		char flags[9];

		arch_pte_flags_str(steps[i].pte, flags, sizeof(flags));
		json_object_begin(&j, NULL);
		json_u64(&j, "level", (uint64_t)steps[i].level);
		json_hex(&j, "table", steps[i].table);
		json_u64(&j, "index", steps[i].index);
		json_hex(&j, "pte", steps[i].pte);
		json_str(&j, "flags", flags);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_bool(&j, "mapped", err == 0);
	if (err == 0) {
		const struct pt_walk_step *leaf = &steps[n - 1];

		json_hex(&j, "pa",
			 arch_pte_paddr(leaf->pte) +
				 (va & (PT_LEVEL_SIZE(leaf->level) - 1)));
		json_u64(&j, "leaf_size", PT_LEVEL_SIZE(leaf->level));
		json_hex(&j, "attr", leaf->pte >> 59);
		json_str(&j, "memtype",
			 arch_pte_prot(leaf->pte) & PROT_DEVICE ? "device"
								: "memory");
	} else {
		json_str(&j, "result", walk_result(err));
	}
	json_end(&j);
}

int shell_walk(int argc, char **argv)
{
	struct pt_walk_step steps[PT_LEVELS];
	unsigned int n;
	uint64_t va;
	int err;

	if (shell_arg_u64("walk", "address", argv[1], &va))
		return -1;
	err = pt_walk_va(kspace_pgtable(), va, steps, &n, shell_table_ok);
	if (err == -EINVAL)
		return shell_error(
			"walk: 0x%lx is not a canonical Sv39 address "
			"(bits 63..39 must all equal bit 38)",
			(unsigned long)va);
	if (shell_json)
		walk_json(va, steps, n, err);
	else
		walk_text(va, steps, n, err);
	return 0;
}
