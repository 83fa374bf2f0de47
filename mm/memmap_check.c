// SPDX-License-Identifier: BSD-2-Clause
/*
 * memmap_check(): the memory map's invariants I1-I4 (stated in
 * mm/memmap.c) checked the way Zephyr's heap validator does: a walk
 * that prints one "memmap_check: I<n> violated: ..." line per violation
 * and returns their count, so tests (and the console's `check`) call it
 * after every step. It only reads the map; no locks (the map is built
 * once on the boot hart and read-only afterwards).
 */
#include "mm/memmap.h"

#include "lib/printk.h"
#include "lib/string.h"

int memmap_check(const struct memmap *map)
{
	int bad = 0;

	if (map->nr_usable > map->max_usable ||
	    map->nr_reserved > map->max_reserved) {
		printk("memmap_check: I1 violated: %u usable (max %u), %u "
		       "reserved (max %u)\n",
		       map->nr_usable, map->max_usable, map->nr_reserved,
		       map->max_reserved);
		return 1;
	}
	for (unsigned int i = 0; i < map->nr_usable; i++) {
		const struct memmap_range *u = &map->usable[i];

		if (u->start >= u->end || !IS_ALIGNED(u->start, PAGE_SIZE) ||
		    !IS_ALIGNED(u->end, PAGE_SIZE) || u->end > PADDR_LIMIT) {
			printk("memmap_check: I2 violated: usable[%u] "
			       "0x%016lx-0x%016lx\n",
			       i, u->start, u->end);
			bad++;
		}
		if (i > 0 && (u[-1].end > u->start ||
			      (u[-1].end == u->start && u[-1].nid == u->nid))) {
			printk("memmap_check: I3 violated: usable[%u] ends "
			       "0x%016lx, usable[%u] starts 0x%016lx\n",
			       i - 1, u[-1].end, i, u->start);
			bad++;
		}
	}
	for (unsigned int i = 0; i < map->nr_reserved; i++) {
		const struct memmap_reserved *r = &map->reserved[i];

		if (r->start >= r->end || !IS_ALIGNED(r->start, PAGE_SIZE) ||
		    !IS_ALIGNED(r->end, PAGE_SIZE) ||
		    strnlen(r->name, MEMMAP_NAME_LEN) == MEMMAP_NAME_LEN) {
			printk("memmap_check: I4 violated: reserved[%u] "
			       "0x%016lx-0x%016lx\n",
			       i, r->start, r->end);
			bad++;
		}
	}
	return bad;
}
