/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The physical memory map as the device tree describes it: usable RAM
 * from every enabled /memory node, and the regions that must never be
 * handed out (/reserved-memory children, memory reservation block
 * entries, the initrd named in /chosen). The kernel adds its own image
 * and the blob itself, and sizes the tables from the tree when it holds
 * more than MEMMAP_INIT_* entries (mm/memmap_boot.c).
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "lib/fdt.h"
#include "mm/types.h"

/*
 * Entries the tables inside struct memmap hold: enough for every tree
 * seen in practice. memmap_boot_setup() sizes larger ones from the tree.
 */
#define MEMMAP_INIT_USABLE 32
#define MEMMAP_INIT_RESERVED 64
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

struct memmap_visit;

struct memmap {
	/*
	 * Sorted, merged, page-trimmed, non-empty usable ranges; two may
	 * adjoin only when their NUMA nodes differ (printed as one line).
	 * max_usable entries: usable_init[] or storage sized from the tree.
	 */
	struct memmap_range *usable;
	unsigned int nr_usable, max_usable;
	/* Offset of the memory node each usable[] range came from first. */
	int *src;
	/* In the order found (reserved-memory nodes, then memreserve). */
	struct memmap_reserved *reserved;
	unsigned int nr_reserved, max_reserved;
	unsigned int warnings; /* warning lines printed */
	/*
	 * After -ENOSPC from memmap_from_fdt(): the entries the tree asks
	 * for in the table that overflowed (more than its max_*), the
	 * other one 0.
	 */
	unsigned int wanted_usable, wanted_reserved;
	/* memmap_find_room() only: entries go here, not into the tables. */
	struct memmap_visit *visit;
	/* The tables of memmap_init(), for the common case. */
	struct memmap_range usable_init[MEMMAP_INIT_USABLE];
	int src_init[MEMMAP_INIT_USABLE];
	struct memmap_reserved reserved_init[MEMMAP_INIT_RESERVED];
};

/* An empty map whose tables are its own (MEMMAP_INIT_* entries). */
void memmap_init(struct memmap *map);

/*
 * Bytes of storage for tables of nr_usable usable ranges and nr_reserved
 * reserved regions (8-byte aligned storage): what memmap_init_storage()
 * takes.
 */
size_t memmap_storage_size(unsigned int nr_usable, unsigned int nr_reserved);

/*
 * An empty map whose tables live in buf (memmap_storage_size() bytes,
 * 8-byte aligned), holding nr_usable and nr_reserved entries.
 */
void memmap_init_storage(struct memmap *map, void *buf, unsigned int nr_usable,
			 unsigned int nr_reserved);

/*
 * Upper bounds of the entries memmap_scan() can add for this tree:
 * *nr_usable the reg entries of enabled memory nodes, *nr_reserved the
 * reg entries of enabled /reserved-memory children (and of the root's
 * reading of a child, when it will be reserved too), the memory
 * reservation block entries and one for an initrd in /chosen. A
 * malformed part counts 0 (memmap_scan() reports it).
 */
void memmap_count(const struct fdt *fdt, unsigned int *nr_usable,
		  unsigned int *nr_reserved);

/*
 * Where size bytes of RAM can hold the memory map's own tables before
 * any allocator exists: the highest page-aligned place inside one
 * usable reg entry of the tree (cleaned up as memmap_scan() would),
 * ending at or below *linear_base + max_linear, overlapping none of the
 * tree's reservations (both readings of a /reserved-memory child, the
 * memreserve entries, the initrd) nor the n_extra ranges extra[] (the
 * blob, the kernel image). *linear_base gets the lowest usable address
 * rounded down to 1 GiB (where memmap_fit_linear() will put the linear
 * map). map is only scratch: memmap_init() it again afterwards. Prints
 * nothing. Returns the address, or PADDR_INVALID when nothing fits.
 * Cost: one pass over the tree per usable entry that could hold the
 * tables, plus one per reservation in the way.
 */
paddr_t memmap_find_room(struct memmap *map, const struct fdt *fdt,
			 const struct prange *extra, unsigned int n_extra,
			 uint64_t size, uint64_t max_linear,
			 paddr_t *linear_base);

/*
 * memmap_init(map), then memmap_scan(map, fdt): the tree in the map's
 * own tables.
 */
int memmap_from_fdt(struct memmap *map, const struct fdt *fdt);

/*
 * Fill *map (set up by memmap_init() or memmap_init_storage()) from
 * the device tree. Zero-size ranges are skipped, unaligned
 * edges trimmed to whole pages and overlapping ranges, or adjacent ones
 * from the same node, merged, each with one "memory: warning: ..."
 * line. Adjacent ranges of different nodes are valid (QEMU's NUMA
 * trees): merged silently, or kept apart when their numa-node-id
 * differs. Errors: -EFDT_NOTFOUND (no
 * enabled /memory node, or none with a usable page: the caller panics),
 * -ENOSPC (more ranges than map->max_usable or map->max_reserved:
 * map->wanted_usable or map->wanted_reserved says how many the tree
 * has), other -EFDT_* from a malformed reg.
 */
int memmap_scan(struct memmap *map, const struct fdt *fdt);

/*
 * Read /chosen "linux,initrd-start" and "linux,initrd-end" (each 4 or 8
 * bytes, big-endian, as Linux accepts) into *start and *end, unchecked.
 * Errors: -EFDT_NOTFOUND (no /chosen, or neither property), -EFDT_BADVALUE
 * (only one of them, or a length other than 4 or 8).
 */
int memmap_initrd_from_fdt(const struct fdt *fdt, paddr_t *start, paddr_t *end);

/*
 * Add a reserved region (clipped outward to pages). Errors: -ENOSPC
 * (map->max_reserved entries already),
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
 * For a tree with more entries than struct memmap's own tables hold:
 * make the size bytes of RAM at pa (inside the linear map that will
 * start at linear_base) writable and return their address, or NULL.
 */
typedef void *(*memmap_map_fn)(paddr_t pa, uint64_t size, paddr_t linear_base);

/*
 * The kernel's memory map: memmap_from_fdt(), then the blob reserved as
 * "device tree blob" and the image as "kernel image". Returns 0, or the
 * error with why[0..len) holding the kernel's panic message for it
 * (without "panic: "): -EFDT_NOTFOUND (no usable memory), -ENOSPC (a
 * table full), -EINVAL (an own region empty or past the last page),
 * other -EFDT_* from a malformed /memory or /reserved-memory.
 */
int memmap_boot_setup(struct memmap *map, const struct fdt *fdt,
		      const struct memmap_boot *boot, char *why, size_t len);

/*
 * memmap_boot_setup() for a tree of any size: when it holds more
 * entries than the map's own tables (memmap_count()), the tables go
 * into free RAM found by memmap_find_room() and made reachable by
 * map_tables, reserved as "memory map" after the image. More errors:
 * -ENOSPC (no free RAM holds the tables), -ENOMEM (map_tables failed).
 */
int memmap_boot_setup_sized(struct memmap *map, const struct fdt *fdt,
			    const struct memmap_boot *boot,
			    memmap_map_fn map_tables, char *why, size_t len);

/*
 * Take size bytes (rounded up to pages) for the kernel before memblock
 * exists: the lowest page-aligned place inside a usable range that
 * overlaps no reserved region, added to the map as a reserved region
 * called name (not printed). memmap_boot_setup() leaves room for one.
 * Returns its address, or PADDR_INVALID (nothing fits, size 0, or the
 * reserved table is full).
 */
paddr_t memmap_alloc(struct memmap *map, uint64_t size, const char *name);

/*
 * Keep the usable ranges the page allocator can describe: it holds
 * max_ranges ranges (BUDDY_MAX_RANGES), counting ranges that adjoin as
 * one and a range that crosses split_pa (its 4 GiB zone boundary) as
 * two. Ranges past the limit are dropped from the top, one "memory:
 * warning: [mem a-b] beyond the <n> ranges the page allocator holds,
 * not used" line each. Returns the bytes dropped.
 */
uint64_t memmap_fit_ranges(struct memmap *map, unsigned int max_ranges,
			   paddr_t split_pa);

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
