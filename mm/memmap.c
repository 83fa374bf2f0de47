// SPDX-License-Identifier: BSD-2-Clause
/*
 * The physical memory map from the device tree (mm/memmap.h).
 *
 * Theory of operation
 * -------------------
 * memmap_from_fdt() reads three sources, in this order:
 *
 *   every enabled child of / whose device_type is "memory"
 *       (whatever its name), each reg entry   -> usable[]
 *   each enabled child of /reserved-memory, each reg entry
 *       (decoded with /reserved-memory's own cells) -> reserved[]
 *   each memory reservation block entry       -> reserved[] "memreserve"
 *
 * Usable RAM is kept as a sorted array of page-aligned, half-open
 * ranges. Firmware trees can be sloppy, so each entry is cleaned up on
 * the way in, with one "memory: warning: ..." line naming the range for
 * each fix: an entry of size 0 or one that wraps past 2^64 is dropped,
 * unaligned edges are trimmed inwards to whole pages (dropping the entry
 * if no page is left), and an entry that overlaps or touches ranges
 * already present is merged with them.
 *
 *      usable[0]        usable[1]              usable[2]
 *   [#########)    [###############)       [#####)        (sorted, gaps
 *   ^ start   ^ end                                        between)
 *
 * Reserved regions keep the order found; they are widened outwards to
 * whole pages and may overlap each other and usable RAM (memblock
 * subtracts them later). A /reserved-memory child without reg (sized
 * by "size" and placed by the OS) is not supported: a warning, no entry.
 *
 * Invariants (memmap_check() verifies them):
 *  I1  nr_usable <= MEMMAP_MAX_USABLE, nr_reserved <= MEMMAP_MAX_RESERVED.
 *  I2  Every usable range is page-aligned and non-empty (start < end).
 *  I3  usable[i].end < usable[i + 1].start: sorted, disjoint and not
 *      adjacent (adjacent ranges are merged).
 *  I4  Every reserved region is page-aligned and non-empty, and its name
 *      is NUL-terminated inside name[].
 *
 * Locking: none needed. This file keeps no state of its own: everything
 * it writes is in the caller's struct memmap (and its warning count),
 * and the kernel builds its map once, on the boot hart, before the
 * other harts start; afterwards the map is only read. Concurrent calls
 * on different struct memmaps (host fuzzing, tests) share nothing.
 *
 * Failure modes: a malformed reg (bad cells, length not a multiple of
 * an entry) returns its -EFDT_* error; a full table returns -ENOSPC;
 * no usable page at all returns -EFDT_NOTFOUND. The caller decides to
 * panic: nothing here does.
 */
#include "mm/memmap.h"

#include "lib/printk.h"
#include "lib/string.h"

/* Highest page-aligned address: ALIGN_UP() above it would wrap. */
#define PADDR_LAST_PAGE ((paddr_t)-1 & PAGE_MASK)

#define memmap_warn(map, fmt, ...)                                             \
	do {                                                                   \
		printk("memory: warning: " fmt "\n", ##__VA_ARGS__);           \
		(map)->warnings++;                                             \
	} while (0)

/*
 * Insert [start, end) (page-aligned, non-empty) into usable[], merging
 * it with every range it overlaps or touches (I3).
 */
static int usable_add(struct memmap *map, const char *node, paddr_t start,
		      paddr_t end)
{
	unsigned int i, j, n = map->nr_usable;
	struct prange *u = map->usable;
	bool overlap = false;

	for (i = 0; i < n && u[i].end < start; i++)
		;
	for (j = i; j < n && u[j].start <= end; j++)
		overlap |= u[j].start < end && start < u[j].end;

	if (j == i) {
		if (n == MEMMAP_MAX_USABLE)
			return -ENOSPC;
		memmove(&u[i + 1], &u[i], (n - i) * sizeof(u[0]));
		u[i].start = start;
		u[i].end = end;
		map->nr_usable++;
		return 0;
	}

	memmap_warn(map,
		    "%s: [mem 0x%016lx-0x%016lx] %s [mem 0x%016lx-0x%016lx], "
		    "merged into [mem 0x%016lx-0x%016lx]",
		    node, start, end - 1, overlap ? "overlaps" : "adjoins",
		    u[i].start, u[j - 1].end - 1, MIN(start, u[i].start),
		    MAX(end, u[j - 1].end) - 1);
	u[i].start = MIN(start, u[i].start);
	u[i].end = MAX(end, u[j - 1].end);
	memmove(&u[i + 1], &u[j], (n - j) * sizeof(u[0]));
	map->nr_usable -= j - i - 1;
	return 0;
}

/* One reg entry of a memory node: clean it up (with warnings), add it. */
static int usable_add_entry(struct memmap *map, const char *node, int idx,
			    paddr_t base, uint64_t size)
{
	paddr_t end = base + size, start_pg, end_pg;

	if (size == 0) {
		memmap_warn(map, "%s: reg[%d] at 0x%016lx has size 0, ignored",
			    node, idx, base);
		return 0;
	}
	if (end < base || base > PADDR_LAST_PAGE) {
		memmap_warn(map,
			    "%s: reg[%d] at 0x%016lx size 0x%lx runs past "
			    "the end of the address space, ignored",
			    node, idx, base, size);
		return 0;
	}
	start_pg = ALIGN_UP(base, PAGE_SIZE);
	end_pg = ALIGN_DOWN(end, PAGE_SIZE);
	if (end_pg <= start_pg) {
		memmap_warn(map,
			    "%s: [mem 0x%016lx-0x%016lx] holds no whole page, "
			    "ignored",
			    node, base, end - 1);
		return 0;
	}
	if (start_pg != base || end_pg != end)
		memmap_warn(map,
			    "%s: [mem 0x%016lx-0x%016lx] not page-aligned, "
			    "trimmed to [mem 0x%016lx-0x%016lx]",
			    node, base, end - 1, start_pg, end_pg - 1);
	return usable_add(map, node, start_pg, end_pg);
}

int memmap_add_reserved(struct memmap *map, paddr_t start, paddr_t end,
			bool no_map, const char *name)
{
	struct memmap_reserved *r;
	size_t i = 0;

	if (end <= start || end > PADDR_LAST_PAGE)
		return -EINVAL;
	if (map->nr_reserved == MEMMAP_MAX_RESERVED)
		return -ENOSPC;
	r = &map->reserved[map->nr_reserved++];
	r->start = ALIGN_DOWN(start, PAGE_SIZE);
	r->end = ALIGN_UP(end, PAGE_SIZE);
	r->no_map = no_map;
	for (; name && name[i] && i < MEMMAP_NAME_LEN - 1; i++)
		r->name[i] = name[i];
	r->name[i] = '\0';
	return 0;
}

static bool is_memory_node(const struct fdt *fdt, int node)
{
	int len;
	const char *type = fdt_prop_get(fdt, node, "device_type", &len);

	return type && len == sizeof("memory") &&
	       memcmp(type, "memory", sizeof("memory")) == 0;
}

/* Every reg entry of every enabled memory node; *found counts nodes. */
static int scan_memory(struct memmap *map, const struct fdt *fdt, int *found)
{
	int root = fdt_root(fdt), node, err = 0;

	if (root < 0)
		return root;
	for (node = fdt_node_first_child(fdt, root); node >= 0 && !err;
	     node = fdt_node_next_sibling(fdt, node)) {
		const char *name = fdt_node_name(fdt, node, NULL);
		int n;

		if (!is_memory_node(fdt, node) ||
		    !fdt_node_is_enabled(fdt, node))
			continue;
		(*found)++;
		n = fdt_reg_count(fdt, node);
		if (n == -EFDT_NOTFOUND) {
			memmap_warn(map, "%s: no reg, ignored", name);
			continue;
		}
		if (n < 0)
			return n;
		for (int i = 0; i < n && !err; i++) {
			uint64_t base, size;

			err = fdt_reg_get(fdt, node, i, &base, &size);
			if (!err)
				err = usable_add_entry(map, name, i, base,
						       size);
		}
	}
	if (err)
		return err;
	return node == -EFDT_NOTFOUND ? 0 : node;
}

/* One /reserved-memory child: each reg entry, or a warning. */
static int scan_reserved_node(struct memmap *map, const struct fdt *fdt,
			      int node)
{
	const char *name = fdt_node_name(fdt, node, NULL);
	bool no_map = fdt_prop_get(fdt, node, "no-map", NULL) != NULL;
	int n = fdt_reg_count(fdt, node), err;

	if (n == -EFDT_NOTFOUND) {
		if (fdt_prop_get(fdt, node, "size", NULL))
			memmap_warn(map,
				    "reserved-memory/%s: dynamic (size, no "
				    "reg) not supported, ignored",
				    name);
		else
			memmap_warn(map, "reserved-memory/%s: no reg, ignored",
				    name);
		return 0;
	}
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		uint64_t base, size;

		err = fdt_reg_get(fdt, node, i, &base, &size);
		if (err)
			return err;
		if (size == 0 || base + size < base ||
		    base + size > PADDR_LAST_PAGE) {
			memmap_warn(map,
				    "reserved-memory/%s: reg[%d] at 0x%016lx "
				    "size 0x%lx is empty or wraps, ignored",
				    name, i, base, size);
			continue;
		}
		err = memmap_add_reserved(map, base, base + size, no_map, name);
		if (err)
			return err;
	}
	return 0;
}

static int scan_reserved(struct memmap *map, const struct fdt *fdt)
{
	int rm = fdt_node_by_path(fdt, "/reserved-memory", 16), node, err;

	if (rm == -EFDT_NOTFOUND)
		return 0;
	if (rm < 0)
		return rm;
	for (node = fdt_node_first_child(fdt, rm); node >= 0;
	     node = fdt_node_next_sibling(fdt, node)) {
		if (!fdt_node_is_enabled(fdt, node))
			continue;
		err = scan_reserved_node(map, fdt, node);
		if (err)
			return err;
	}
	return node == -EFDT_NOTFOUND ? 0 : node;
}

static int scan_memreserve(struct memmap *map, const struct fdt *fdt)
{
	int n = fdt_rsv_count(fdt), err;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		uint64_t base, size;

		err = fdt_rsv_get(fdt, i, &base, &size);
		if (err)
			return err;
		if (base + size < base || base + size > PADDR_LAST_PAGE) {
			memmap_warn(map,
				    "memreserve[%d] at 0x%016lx size 0x%lx "
				    "wraps, ignored",
				    i, base, size);
			continue;
		}
		err = memmap_add_reserved(map, base, base + size, false,
					  "memreserve");
		if (err)
			return err;
	}
	return 0;
}

int memmap_from_fdt(struct memmap *map, const struct fdt *fdt)
{
	int found = 0, err;

	memset(map, 0, sizeof(*map));
	err = scan_memory(map, fdt, &found);
	if (err)
		return err;
	if (found == 0 || map->nr_usable == 0)
		return -EFDT_NOTFOUND;
	err = scan_reserved(map, fdt);
	if (err)
		return err;
	return scan_memreserve(map, fdt);
}

void memmap_print(const struct memmap *map)
{
	for (unsigned int i = 0; i < map->nr_usable; i++)
		printk("memory: usable [mem 0x%016lx-0x%016lx]\n",
		       map->usable[i].start, map->usable[i].end - 1);
	for (unsigned int i = 0; i < map->nr_reserved; i++)
		printk("memory: reserved [mem 0x%016lx-0x%016lx] %s\n",
		       map->reserved[i].start, map->reserved[i].end - 1,
		       map->reserved[i].name);
}

uint64_t memmap_usable_bytes(const struct memmap *map)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < map->nr_usable; i++)
		total += map->usable[i].end - map->usable[i].start;
	return total;
}

int memmap_check(const struct memmap *map)
{
	int bad = 0;

	if (map->nr_usable > MEMMAP_MAX_USABLE ||
	    map->nr_reserved > MEMMAP_MAX_RESERVED) {
		printk("memmap_check: I1 violated: %u usable, %u reserved\n",
		       map->nr_usable, map->nr_reserved);
		return 1;
	}
	for (unsigned int i = 0; i < map->nr_usable; i++) {
		const struct prange *u = &map->usable[i];

		if (u->start >= u->end || !IS_ALIGNED(u->start, PAGE_SIZE) ||
		    !IS_ALIGNED(u->end, PAGE_SIZE)) {
			printk("memmap_check: I2 violated: usable[%u] "
			       "0x%016lx-0x%016lx\n",
			       i, u->start, u->end);
			bad++;
		}
		if (i > 0 && u[-1].end >= u->start) {
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
