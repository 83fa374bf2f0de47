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
 * Invariants: after memmap_fit_linear() the memory map's I1-I4
 * (mm/memmap.c) still hold, and every usable range ends at or below
 * base + max_size. No state of its own, no locks: the caller owns the
 * struct memmap (the kernel's, built once on the boot hart).
 */
#include "mm/memmap.h"

#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/printk.h"

int memmap_boot_setup(struct memmap *map, const struct fdt *fdt,
		      const struct memmap_boot *boot, char *why, size_t len)
{
	const struct {
		paddr_t start;
		uint64_t size;
		const char *what;
	} own[] = {
		{ boot->fdt_pa, boot->fdt_size, "device tree blob" },
		{ boot->image_pa, boot->image_size, "kernel image" },
	};
	int err = memmap_from_fdt(map, fdt);

	if (err == -EFDT_NOTFOUND)
		fmt_snprintf(why, len,
			     "device tree: no usable memory (no enabled "
			     "/memory node with a whole page)");
	else if (err == -ENOSPC && map->wanted_usable)
		fmt_snprintf(why, len,
			     "device tree: %u RAM ranges, more than the %d "
			     "the memory map holds (MEMMAP_MAX_USABLE): %s "
			     "(%d)",
			     map->wanted_usable, MEMMAP_MAX_USABLE,
			     errno_name(err), err);
	else if (err == -ENOSPC)
		fmt_snprintf(why, len,
			     "device tree: %u reserved regions, more than the "
			     "%d the memory map holds (MEMMAP_MAX_RESERVED): "
			     "%s (%d)",
			     map->wanted_reserved, MEMMAP_MAX_RESERVED,
			     errno_name(err), err);
	else if (err)
		fmt_snprintf(why, len,
			     "device tree: bad /memory or /reserved-memory: %s "
			     "(%d)",
			     errno_name(err), err);
	if (err)
		return err;
	for (unsigned int i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		paddr_t start = own[i].start, end = start + own[i].size;

		if (own[i].size == 0)
			continue; /* dtcheck without --fdt-addr */
		err = memmap_add_reserved(map, start, end, false, own[i].what);
		if (err == -ENOSPC)
			fmt_snprintf(why, len,
				     "setup_memory: no room to reserve the %s "
				     "[mem 0x%016lx-0x%016lx]: all %d reserved "
				     "regions (MEMMAP_MAX_RESERVED) used",
				     own[i].what, start, end - 1,
				     MEMMAP_MAX_RESERVED);
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
