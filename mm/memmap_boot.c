// SPDX-License-Identifier: BSD-2-Clause
/*
 * The boot-time policy on top of the memory map (mm/memmap.h): what the
 * kernel adds to the device tree's map and what it gives up, decided
 * without touching hardware so that the kernel (kernel/main.c,
 * mm/kspace.c) and the host tool dtcheck decide alike.
 *
 * memmap_boot_setup() reads the tree's map and adds the kernel's own
 * reservations, the blob and the image; every failure the kernel
 * panics on becomes one message, worded as the kernel's panic line.
 *
 * Table sizes: there is no allocator yet, so the map's tables are the
 * arrays inside struct memmap when the tree fits them (it counts its
 * entries first, memmap_count()), and otherwise free RAM found by
 * memmap_find_room(): the lowest place inside usable RAM, below the
 * linear map's end, clear of every reservation, the blob and the
 * image; lowest, because memmap_fit_ranges() below gives up RAM from
 * the top. The caller's map_tables() hook makes it reachable (the
 * kernel maps it at its linear address, dtcheck uses a heap buffer),
 * and the tables reserve themselves as "memory map", as Linux's
 * memblock reserves its own resized arrays. So any number of entries
 * works, up to the RAM they need.
 *
 * memmap_fit_linear() places the linear map. Its physical base is the
 * lowest usable address rounded down to 1 GiB (so VA and PA stay
 * congruent modulo 1 GiB and gigapage leaves fit); nothing assumes RAM
 * above 2 GiB or anywhere else: RAM at physical 0 gives base 0.
 *
 *   pa  base = ALIGN_DOWN(lowest RAM, 1 GiB)         base + max_size
 *        |[ RAM ]   [ RAM ]        [ RAM ...........|... dropped ]
 *   va  PAGE_OFFSET                                  LINEAR_END
 *
 * RAM at or beyond base + max_size has no linear address: it is cut off
 * with a "memory: warning" line and a range left empty is dropped.
 *
 * memmap_fit_ranges() keeps what the page allocator can describe: its
 * range table is static (BUDDY_MAX_RANGES, mm/buddy.h), since every
 * pfn_to_page() outside a whole section searches it, so RAM past that
 * many ranges (counted as buddy counts them: adjoining ranges merged,
 * split at 4 GiB) is given up from the top, with a warning per range.
 *
 * Invariants: after memmap_fit_linear() and memmap_fit_ranges() the
 * memory map's I1-I4 (mm/memmap.c) still hold, every usable range ends
 * at or below base + max_size, and the ranges fit max_ranges. No
 * state of its own, no locks: the caller owns the struct memmap (the
 * kernel's, built once on the boot hart).
 */
#include "mm/memmap.h"

#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/printk.h"
#include "mm/layout.h"

/* The kernel's own reservations: the blob, the image, the tables. */
#define MEMMAP_BOOT_OWN 3
/* Room left for memmap_alloc() (memblock's lists). */
#define MEMMAP_BOOT_SPARE 1

/*
 * Tables for a tree larger than the map's own: counted from the tree,
 * placed in free RAM below the linear map's end, made reachable by the
 * caller's hook. Returns 0 with the map set up (and *tables_pa, or
 * PADDR_INVALID for the map's own tables), or an error with why[]
 * filled in.
 */
static int setup_tables(struct memmap *map, const struct fdt *fdt,
			const struct memmap_boot *boot,
			memmap_map_fn map_tables, paddr_t *tables_pa,
			uint64_t *tables_size, char *why, size_t len)
{
	const struct prange own[] = {
		{ boot->fdt_pa, boot->fdt_pa + boot->fdt_size },
		{ boot->image_pa, boot->image_pa + boot->image_size },
	};
	unsigned int nu, nr;
	paddr_t pa, base;
	void *buf;

	memmap_init(map);
	*tables_pa = PADDR_INVALID;
	memmap_count(fdt, &nu, &nr);
	nr += MEMMAP_BOOT_OWN + MEMMAP_BOOT_SPARE;
	if ((nu <= map->max_usable && nr <= map->max_reserved) || !map_tables)
		return 0; /* the map's own tables (or -ENOSPC from the scan) */
	*tables_size = ALIGN_UP(memmap_storage_size(nu, nr), PAGE_SIZE);
	pa = memmap_find_room(map, fdt, own, 2, *tables_size, LINEAR_MAX_SIZE,
			      &base);
	memmap_init(map);
	if (pa == PADDR_INVALID) {
		fmt_snprintf(why, len,
			     "device tree: no free RAM holds a memory map of "
			     "%u RAM ranges and %u reserved regions (the "
			     "kernel's own included): 0x%lx bytes",
			     nu, nr, *tables_size);
		return -ENOSPC;
	}
	buf = map_tables(pa, *tables_size, base);
	if (!buf) {
		fmt_snprintf(why, len,
			     "setup_memory: cannot map the memory map's "
			     "tables [mem 0x%016lx-0x%016lx]",
			     pa, pa + *tables_size - 1);
		return -ENOMEM;
	}
	memmap_init_storage(map, buf, nu, nr);
	*tables_pa = pa;
	return 0;
}

int memmap_boot_setup(struct memmap *map, const struct fdt *fdt,
		      const struct memmap_boot *boot, char *why, size_t len)
{
	return memmap_boot_setup_sized(map, fdt, boot, NULL, why, len);
}

int memmap_boot_setup_sized(struct memmap *map, const struct fdt *fdt,
			    const struct memmap_boot *boot,
			    memmap_map_fn map_tables, char *why, size_t len)
{
	paddr_t tables_pa;
	uint64_t tables_size = 0;
	int err = setup_tables(map, fdt, boot, map_tables, &tables_pa,
			       &tables_size, why, len);
	const struct {
		paddr_t start;
		uint64_t size;
		const char *what;
	} own[MEMMAP_BOOT_OWN] = {
		{ boot->fdt_pa, boot->fdt_size, "device tree blob" },
		{ boot->image_pa, boot->image_size, "kernel image" },
		{ tables_pa, tables_pa != PADDR_INVALID ? tables_size : 0,
		  "memory map" },
	};

	if (err)
		return err;
	err = memmap_scan(map, fdt);
	if (err == -EFDT_NOTFOUND)
		fmt_snprintf(why, len,
			     "device tree: no usable memory (no enabled "
			     "/memory node with a whole page)");
	else if (err == -ENOSPC && map->wanted_usable)
		fmt_snprintf(why, len,
			     "device tree: %u RAM ranges, more than the %u "
			     "the memory map holds (MEMMAP_INIT_USABLE): %s "
			     "(%d)",
			     map->wanted_usable, map->max_usable,
			     errno_name(err), err);
	else if (err == -ENOSPC)
		fmt_snprintf(why, len,
			     "device tree: %u reserved regions, more than the "
			     "%u the memory map holds (MEMMAP_INIT_RESERVED): "
			     "%s (%d)",
			     map->wanted_reserved, map->max_reserved,
			     errno_name(err), err);
	else if (err)
		fmt_snprintf(why, len,
			     "device tree: bad /memory or /reserved-memory: %s "
			     "(%d)",
			     errno_name(err), err);
	if (err)
		return err;
	for (unsigned int i = 0; i < MEMMAP_BOOT_OWN; i++) {
		paddr_t start = own[i].start, end = start + own[i].size;

		if (own[i].size == 0)
			continue; /* dtcheck without --fdt-addr */
		err = memmap_add_reserved(map, start, end, false, own[i].what);
		if (err == -ENOSPC)
			fmt_snprintf(why, len,
				     "setup_memory: no room to reserve the %s "
				     "[mem 0x%016lx-0x%016lx]: all %u reserved "
				     "regions (MEMMAP_INIT_RESERVED) used",
				     own[i].what, start, end - 1,
				     map->max_reserved);
		else if (err == -EINVAL)
			fmt_snprintf(why, len,
				     "setup_memory: the %s at 0x%016lx, end "
				     "0x%016lx, is empty or runs past the last "
				     "page",
				     own[i].what, start, end);
		else if (err)
			fmt_snprintf(why, len,
				     "setup_memory: reserving the %s [mem "
				     "0x%016lx-0x%016lx] failed: %s (%d)",
				     own[i].what, start, end - 1,
				     errno_name(err), err);
		if (err)
			return err;
	}
	return 0;
}

paddr_t memmap_fit_linear(struct memmap *map, uint64_t max_size,
			  uint64_t *dropped)
{
	paddr_t base = ALIGN_DOWN(map->usable[0].start, SZ_1G);
	unsigned int n = 0;

	*dropped = 0;
	for (unsigned int i = 0; i < map->nr_usable; i++) {
		struct memmap_range *r = &map->usable[i];

		if (r->end - base > max_size) {
			paddr_t limit = base + max_size;
			paddr_t cut = r->start > limit ? r->start : limit;

			printk("memory: warning: [mem 0x%016lx-0x%016lx] "
			       "beyond "
			       "the linear map, not used\n",
			       cut, r->end - 1);
			map->warnings++;
			*dropped += r->end - cut;
			r->end = cut;
		}
		if (r->end > r->start) { /* drop ranges emptied by the cut */
			map->src[n] = map->src[i];
			map->usable[n++] = *r;
		}
	}
	map->nr_usable = n;
	return base;
}

/*
 * Drop usable[i..] from address cut on (0: all of them), one warning
 * line per range losing memory; returns the bytes dropped.
 */
static uint64_t drop_from(struct memmap *map, unsigned int i, paddr_t cut,
			  unsigned int max_ranges)
{
	uint64_t dropped = 0;
	unsigned int n = i;

	for (; i < map->nr_usable; i++) {
		struct memmap_range *r = &map->usable[i];
		paddr_t from = MAX(r->start, cut);

		if (from >= r->end) { /* wholly below the cut: kept */
			n = i + 1;
			continue;
		}
		printk("memory: warning: [mem 0x%016lx-0x%016lx] beyond the %u "
		       "ranges the page allocator holds, not used\n",
		       from, r->end - 1, max_ranges);
		map->warnings++;
		dropped += r->end - from;
		r->end = from;
		if (r->end > r->start)
			n = i + 1; /* the range cut at the split stays */
	}
	map->nr_usable = n;
	return dropped;
}

uint64_t memmap_fit_ranges(struct memmap *map, unsigned int max_ranges,
			   paddr_t split_pa)
{
	unsigned int used = 0;

	for (unsigned int i = 0, j; i < map->nr_usable; i = j) {
		paddr_t start = map->usable[i].start, end;
		unsigned int need;

		/* Adjoining ranges (two NUMA nodes) are one range there. */
		for (j = i + 1; j < map->nr_usable &&
				map->usable[j].start == map->usable[j - 1].end;
		     j++)
			;
		end = map->usable[j - 1].end;
		need = start < split_pa && end > split_pa ? 2 : 1;
		if (used + need <= max_ranges) {
			used += need;
			continue;
		}
		if (used < max_ranges) /* room for the part below the split */
			return drop_from(map, i, split_pa, max_ranges);
		return drop_from(map, i, 0, max_ranges);
	}
	return 0;
}

paddr_t memmap_alloc(struct memmap *map, uint64_t size, const char *name)
{
	size = ALIGN_UP(size, PAGE_SIZE);
	for (unsigned int i = 0; i < map->nr_usable && size; i++) {
		const struct memmap_range *u = &map->usable[i];
		paddr_t pa = u->start, clear;

		/* Each pass moves pa past a reservation in the way. */
		for (; pa <= u->end && u->end - pa >= size; pa = clear) {
			clear = pa;
			for (unsigned int j = 0; j < map->nr_reserved; j++) {
				const struct memmap_reserved *r =
					&map->reserved[j];

				if (r->start < pa + size && pa < r->end)
					clear = MAX(clear, r->end);
			}
			if (clear != pa)
				continue;
			if (memmap_add_reserved(map, pa, pa + size, false,
						name))
				return PADDR_INVALID;
			return pa;
		}
	}
	return PADDR_INVALID;
}
