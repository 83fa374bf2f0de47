/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The physical memory map as the device tree describes it: usable RAM
 * from every enabled /memory node, and the regions that must never be
 * handed out (/reserved-memory children, memory reservation block
 * entries, the initrd named in /chosen). The kernel adds its own image and the blob itself.
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "lib/fdt.h"
#include "mm/types.h"

#define MEMMAP_MAX_USABLE 32
#define MEMMAP_MAX_RESERVED 64
#define MEMMAP_NAME_LEN 32

/* No numa-node-id property on the memory node. */
#define MEMMAP_NID_NONE 0xffffffffu

/*
 * A usable RAM range and the NUMA node it belongs to (the memory node's
 * "numa-node-id", or MEMMAP_NID_NONE). Recorded for a later NUMA-aware
 * allocator; nothing uses or prints nid yet.
 */
struct memmap_range {
	paddr_t start, end; /* [start, end), page-aligned */
	uint32_t nid;
};

struct memmap_reserved {
	paddr_t start, end; /* [start, end), page-aligned outward */
	bool no_map; /* must not be mapped at all */
	char name[MEMMAP_NAME_LEN]; /* node name, "memreserve", "fdt", ... */
};

struct memmap {
	/*
	 * Sorted, merged, page-trimmed, non-empty usable ranges; two may
	 * adjoin only when their NUMA nodes differ (printed as one line).
	 */
	struct memmap_range usable[MEMMAP_MAX_USABLE];
	unsigned int nr_usable;
	/* Offset of the memory node each usable[] range came from first. */
	int src[MEMMAP_MAX_USABLE];
	/* In the order found (reserved-memory nodes, then memreserve). */
	struct memmap_reserved reserved[MEMMAP_MAX_RESERVED];
	unsigned int nr_reserved;
	unsigned int warnings; /* warning lines printed */
	/*
	 * After -ENOSPC from memmap_from_fdt(): the entries the tree asks
	 * for in the table that overflowed (more than its MEMMAP_MAX_*),
	 * the other one 0.
	 */
	unsigned int wanted_usable, wanted_reserved;
};

/*
 * Fill *map from the device tree. Zero-size ranges are skipped, unaligned
 * edges trimmed to whole pages and overlapping ranges, or adjacent ones
 * from the same node, merged, each with one "memory: warning: ..."
 * line. Adjacent ranges of different nodes are valid (QEMU's NUMA
 * trees): merged silently, or kept apart when their numa-node-id
 * differs. Errors: -EFDT_NOTFOUND (no
 * enabled /memory node, or none with a usable page: the caller panics),
 * -ENOSPC (more ranges than MEMMAP_MAX_USABLE or MEMMAP_MAX_RESERVED:
 * map->wanted_usable or map->wanted_reserved says how many the tree
 * has), other -EFDT_* from a malformed reg.
 */
int memmap_from_fdt(struct memmap *map, const struct fdt *fdt);

/*
 * Read /chosen "linux,initrd-start" and "linux,initrd-end" (each 4 or 8
 * bytes, big-endian, as Linux accepts) into *start and *end, unchecked.
 * Errors: -EFDT_NOTFOUND (no /chosen, or neither property), -EFDT_BADVALUE
 * (only one of them, or a length other than 4 or 8).
 */
int memmap_initrd_from_fdt(const struct fdt *fdt, paddr_t *start, paddr_t *end);

/*
 * Add a reserved region (clipped outward to pages). Errors: -ENOSPC,
 * -EINVAL (end <= start, or end above the last page boundary 2^64 - 4K,
 * which could not be rounded up).
 */
int memmap_add_reserved(struct memmap *map, paddr_t start, paddr_t end,
			bool no_map, const char *name);

/*
 * Print the contract lines:
 *   memory: usable [mem 0x%016lx-0x%016lx]      (one per usable range;
 *                                   adjacent ranges of two NUMA nodes
 *                                   share one line)
 *   memory: reserved [mem 0x%016lx-0x%016lx] <name>
 */
void memmap_print(const struct memmap *map);

/* Total bytes of usable ranges. */
uint64_t memmap_usable_bytes(const struct memmap *map);

/*
 * Check the invariants listed in mm/memmap.c (counts in range; usable
 * ranges page-aligned, non-empty, sorted, disjoint and adjacent only
 * across NUMA nodes;
 * reserved regions page-aligned, non-empty, names terminated). Prints one
 * "memmap_check: In violated: ..." line per violation; returns how many.
 */
int memmap_check(const struct memmap *map);

/* Boot-time policy (mm/memmap_boot.c) ----------------------------------*/

/* What the kernel reserves for itself besides the tree's regions. */
struct memmap_boot {
	paddr_t fdt_pa; /* the blob, fdt_size bytes (0: not reserved) */
	uint64_t fdt_size;
	paddr_t image_pa; /* the kernel image, image_size bytes (0: not) */
	uint64_t image_size;
};

/*
 * The kernel's memory map: memmap_from_fdt(), then the blob reserved as
 * "device tree blob" and the image as "kernel image". Returns 0, or the
 * error with why[0..len) holding the kernel's panic message for it
 * (without "panic: "): -EFDT_NOTFOUND (no usable memory), -ENOSPC
 * (a table full), -EINVAL (an own region empty or past the last page),
 * other -EFDT_* from a malformed /memory or /reserved-memory.
 */
int memmap_boot_setup(struct memmap *map, const struct fdt *fdt,
		      const struct memmap_boot *boot, char *why, size_t len);

/*
 * Place the linear map over *map (at least one usable range): returns
 * its physical base, the lowest usable address rounded down to 1 GiB,
 * and cuts every usable range at base + max_size, one "memory: warning:
 * [mem a-b] beyond the linear map, not used" line per cut; ranges left
 * empty are dropped. *dropped gets the bytes cut off.
 */
paddr_t memmap_fit_linear(struct memmap *map, uint64_t max_size,
			  uint64_t *dropped);

#endif /* MM_MEMMAP_H */
