/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The physical memory map as the device tree describes it: usable RAM
 * from every enabled /memory node, and the regions that must never be
 * handed out (/reserved-memory children, memory reservation block
 * entries). The kernel adds its own image and the blob itself.
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "lib/fdt.h"
#include "mm/types.h"

#define MEMMAP_MAX_USABLE 32
#define MEMMAP_MAX_RESERVED 64
#define MEMMAP_NAME_LEN 32

struct memmap_reserved {
	paddr_t start, end; /* [start, end), page-aligned outward */
	bool no_map; /* must not be mapped at all */
	char name[MEMMAP_NAME_LEN]; /* node name, "memreserve", "fdt", ... */
};

struct memmap {
	/* Sorted, merged, page-trimmed, non-empty usable ranges. */
	struct prange usable[MEMMAP_MAX_USABLE];
	unsigned int nr_usable;
	/* In the order found (reserved-memory nodes, then memreserve). */
	struct memmap_reserved reserved[MEMMAP_MAX_RESERVED];
	unsigned int nr_reserved;
	unsigned int warnings; /* warning lines printed */
};

/*
 * Fill *map from the device tree. Zero-size ranges are skipped, unaligned
 * edges trimmed to whole pages and overlapping/adjacent ranges merged,
 * each with one "memory: warning: ..." line. Errors: -EFDT_NOTFOUND (no
 * enabled /memory node, or none with a usable page: the caller panics),
 * -ENOSPC (too many ranges), other -EFDT_* from a malformed reg.
 */
int memmap_from_fdt(struct memmap *map, const struct fdt *fdt);

/*
 * Add a reserved region (clipped outward to pages). Errors: -ENOSPC,
 * -EINVAL (end <= start, or end above the last page boundary 2^64 - 4K,
 * which could not be rounded up).
 */
int memmap_add_reserved(struct memmap *map, paddr_t start, paddr_t end,
			bool no_map, const char *name);

/*
 * Print the contract lines:
 *   memory: usable [mem 0x%016lx-0x%016lx]      (one per usable range)
 *   memory: reserved [mem 0x%016lx-0x%016lx] <name>
 */
void memmap_print(const struct memmap *map);

/* Total bytes of usable ranges. */
uint64_t memmap_usable_bytes(const struct memmap *map);

/*
 * Check the invariants listed in mm/memmap.c (counts in range; usable
 * ranges page-aligned, non-empty, sorted, disjoint and not adjacent;
 * reserved regions page-aligned, non-empty, names terminated). Prints one
 * "memmap_check: In violated: ..." line per violation; returns how many.
 */
int memmap_check(const struct memmap *map);

#endif /* MM_MEMMAP_H */
