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
 *       (a child whose first reg address is not its unit address gets
 *       a warning; if its reg read with the root's cells starts at the
 *       unit address, as OpenSBI writes its own child into an existing
 *       node, those entries are reserved as well)
 *   each memory reservation block entry       -> reserved[] "memreserve"
 *   /chosen linux,initrd-start/-end (32- or 64-bit values, as QEMU
 *       and bootloaders write them)           -> reserved[] "initrd"
 *       (an inverted range or one outside usable RAM: a warning, and
 *       nothing reserved)
 *
 * Usable RAM is kept as a sorted array of page-aligned, half-open
 * ranges, each with the numa-node-id of its memory node (nid, or
 * MEMMAP_NID_NONE), kept for a later NUMA-aware allocator and shown
 * nowhere yet. Firmware trees can be sloppy, so each entry is cleaned up on
 * the way in, with one "memory: warning: ..." line naming the range for
 * each fix: an entry of size 0 or one that wraps past 2^64 is dropped,
 * RAM at or above PADDR_LIMIT (2^56, what Sv39 PTEs can name) is cut
 * off or dropped, unaligned edges are trimmed inwards to whole pages
 * (dropping the entry if no page is left), and an entry that overlaps
 * ranges already present, or touches one from the same node, is merged
 * with them. Adjacent memory nodes are valid (QEMU's NUMA tree has one
 * per node): they merge silently, or stay apart without a word when
 * their nids differ (and share one printed line).
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
 * Table sizes: memmap_init() points the tables at the arrays inside
 * struct memmap (MEMMAP_INIT_USABLE and MEMMAP_INIT_RESERVED entries,
 * which every tree seen in practice fits). For a larger tree the boot
 * code (mm/memmap_boot.c) counts the entries first (memmap_count(),
 * an upper bound), finds free RAM for tables of that size
 * (memmap_find_room()) and hands it to memmap_init_storage(), the way
 * Linux's memblock moves its own arrays into memory it reserves. The
 * room search runs the same scanners in "visit" mode: each cleaned-up
 * entry goes to a callback instead of a table, without a warning, so
 * it sees exactly what the real scan will store.
 *
 * Invariants (memmap_check(), mm/memmap_check.c, verifies them):
 *  I1  nr_usable <= max_usable, nr_reserved <= max_reserved.
 *  I2  Every usable range is page-aligned and non-empty (start < end)
 *      and ends at or below PADDR_LIMIT, so end never wraps and every
 *      page has a PTE encoding.
 *  I3  usable[i].end <= usable[i + 1].start, equal only when their nid
 *      differs: sorted, disjoint, and adjacent ranges of one NUMA node
 *      merged (those of two nodes are kept apart, to keep each range's
 *      nid, and printed as one line).
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
 * an entry) returns its -EFDT_* error; a full table (a tree larger than
 * memmap_count() said, or a map set up too small) returns -ENOSPC
 * with wanted_usable or wanted_reserved set to what the tree asks for;
 * no usable page at all returns -EFDT_NOTFOUND. The caller decides to
 * panic: nothing here does.
 */
#include "mm/memmap.h"

#include "lib/printk.h"
#include "lib/string.h"

/* Highest page-aligned address: ALIGN_UP() above it would wrap. */
#define PADDR_LAST_PAGE ((paddr_t)-1 & PAGE_MASK)

/* Silent in visit mode: the real scan prints each warning once. */
#define memmap_warn(map, fmt, ...)                                             \
	do {                                                                   \
		if (!(map)->visit) {                                           \
			printk("memory: warning: " fmt "\n", ##__VA_ARGS__);   \
			(map)->warnings++;                                     \
		}                                                              \
	} while (0)

/*
 * Visit mode (memmap_find_room()): the scanners hand each cleaned-up
 * usable entry and each page-widened reservation to these instead of
 * storing them. Both may run scans of their own on the same map.
 */
struct memmap_visit {
	void (*usable)(struct memmap_visit *v, paddr_t start, paddr_t end);
	void (*reserved)(struct memmap_visit *v, paddr_t start, paddr_t end);
};

void memmap_init(struct memmap *map)
{
	memset(map, 0, sizeof(*map));
	map->usable = map->usable_init;
	map->src = map->src_init;
	map->reserved = map->reserved_init;
	map->max_usable = MEMMAP_INIT_USABLE;
	map->max_reserved = MEMMAP_INIT_RESERVED;
}

/* Storage layout: usable[], reserved[], then src[] (8-byte items first). */
size_t memmap_storage_size(unsigned int nr_usable, unsigned int nr_reserved)
{
	return (size_t)nr_usable * sizeof(struct memmap_range) +
	       (size_t)nr_reserved * sizeof(struct memmap_reserved) +
	       (size_t)nr_usable * sizeof(int);
}

void memmap_init_storage(struct memmap *map, void *buf, unsigned int nr_usable,
			 unsigned int nr_reserved)
{
	char *p = buf;

	memmap_init(map);
	map->usable = (struct memmap_range *)p;
	p += (size_t)nr_usable * sizeof(struct memmap_range);
	map->reserved = (struct memmap_reserved *)p;
	p += (size_t)nr_reserved * sizeof(struct memmap_reserved);
	map->src = (int *)p;
	map->max_usable = nr_usable;
	map->max_reserved = nr_reserved;
}

/*
 * Insert [start, end) (page-aligned, non-empty) of NUMA node nid, from
 * the memory node at offset src, into usable[], merging it with every
 * range it overlaps (a warning) and every range it touches of the same
 * nid (a warning only when that range came from the same node, I3). A
 * range touching one of another nid stays apart.
 */
static int usable_add(struct memmap *map, const char *node, int src,
		      paddr_t start, paddr_t end, uint32_t nid)
{
	unsigned int i, j, n = map->nr_usable;
	struct memmap_range *u = map->usable;
	bool overlap = false, warn;

	/* i..j-1: ranges that overlap, or touch with the same nid. */
	for (i = 0; i < n && (u[i].end < start ||
			      (u[i].end == start && u[i].nid != nid));
	     i++)
		;
	for (j = i; j < n && (u[j].start < end ||
			      (u[j].start == end && u[j].nid == nid));
	     j++)
		overlap |= u[j].start < end && start < u[j].end;

	if (j == i) {
		if (n == map->max_usable)
			return -ENOSPC;
		memmove(&u[i + 1], &u[i], (n - i) * sizeof(u[0]));
		u[i].start = start;
		u[i].end = end;
		u[i].nid = nid;
		memmove(&map->src[i + 1], &map->src[i],
			(n - i) * sizeof(map->src[0]));
		map->src[i] = src;
		map->nr_usable++;
		return 0;
	}

	warn = overlap;
	for (unsigned int k = i; k < j; k++)
		warn |= map->src[k] == src;
	if (warn)
		memmap_warn(map,
			    "%s: [mem 0x%016lx-0x%016lx] %s [mem "
			    "0x%016lx-0x%016lx], merged into [mem "
			    "0x%016lx-0x%016lx]",
			    node, start, end - 1,
			    overlap ? "overlaps" : "adjoins", u[i].start,
			    u[j - 1].end - 1, MIN(start, u[i].start),
			    MAX(end, u[j - 1].end) - 1);
	u[i].start = MIN(start, u[i].start);
	u[i].end = MAX(end, u[j - 1].end);
	memmove(&u[i + 1], &u[j], (n - j) * sizeof(u[0]));
	memmove(&map->src[i + 1], &map->src[j], (n - j) * sizeof(map->src[0]));
	map->nr_usable -= j - i - 1;
	return 0;
}

/* One reg entry of a memory node: clean it up (with warnings), add it. */
static int usable_add_entry(struct memmap *map, const char *node, int src,
			    int idx, paddr_t base, uint64_t size, uint32_t nid)
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
	if (base >= PADDR_LIMIT) {
		memmap_warn(map,
			    "%s: [mem 0x%016lx-0x%016lx] above the MMU's "
			    "%d-bit physical address limit, ignored",
			    node, base, end - 1, PADDR_BITS);
		return 0;
	}
	if (end > PADDR_LIMIT) {
		memmap_warn(map,
			    "%s: [mem 0x%016lx-0x%016lx] crosses the MMU's "
			    "%d-bit physical address limit, trimmed to [mem "
			    "0x%016lx-0x%016lx]",
			    node, base, end - 1, PADDR_BITS, base,
			    PADDR_LIMIT - 1);
		end = PADDR_LIMIT;
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
	if (map->visit) {
		map->visit->usable(map->visit, start_pg, end_pg);
		return 0;
	}
	return usable_add(map, node, src, start_pg, end_pg, nid);
}

int memmap_add_reserved(struct memmap *map, paddr_t start, paddr_t end,
			bool no_map, const char *name)
{
	struct memmap_reserved *r;
	size_t i = 0;

	if (end <= start || end > PADDR_LAST_PAGE)
		return -EINVAL;
	if (map->visit) {
		map->visit->reserved(map->visit, ALIGN_DOWN(start, PAGE_SIZE),
				     ALIGN_UP(end, PAGE_SIZE));
		return 0;
	}
	if (map->nr_reserved == map->max_reserved)
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
		uint32_t nid;
		int n;

		if (!is_memory_node(fdt, node) ||
		    !fdt_node_is_enabled(fdt, node))
			continue;
		(*found)++;
		if (fdt_prop_u32(fdt, node, "numa-node-id", &nid))
			nid = MEMMAP_NID_NONE;
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
				err = usable_add_entry(map, name, node, i, base,
						       size, nid);
		}
	}
	if (err)
		return err;
	return node == -EFDT_NOTFOUND ? 0 : node;
}

/*
 * The unit address of a node name ("name@80000000" -> 0x80000000).
 * False when there is none or it is not a plain hex number (a
 * "@1,2"-style address is not compared).
 */
static bool unit_address(const char *name, uint64_t *out)
{
	const char *at = strchr(name, '@');
	uint64_t v = 0;
	int digits = 0;

	if (!at)
		return false;
	for (const char *p = at + 1; *p; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (digits == 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return digits > 0;
}

/* Reserve one reg entry of a /reserved-memory child, or warn. */
static int reserve_entry(struct memmap *map, const char *name, int i,
			 uint64_t base, uint64_t size, bool no_map)
{
	if (size == 0 || base + size < base || base + size > PADDR_LAST_PAGE) {
		memmap_warn(map,
			    "reserved-memory/%s: reg[%d] at 0x%016lx "
			    "size 0x%lx is empty or wraps, ignored",
			    name, i, base, size);
		return 0;
	}
	return memmap_add_reserved(map, base, base + size, no_map, name);
}

/*
 * A child whose first reg address is not its unit address was probably
 * written with other cells than its parent declares: firmware (OpenSBI)
 * adds its own child to an existing /reserved-memory in the root's
 * cells. The parent's reading stands (as in Linux), and when the root's
 * cells give an entry at the unit address, those entries are reserved
 * too, so memory the firmware reserved never reaches an allocator.
 */
static int reserve_root_cells(struct memmap *map, const struct fdt *fdt,
			      int node, const char *name, uint64_t unit,
			      bool no_map)
{
	int ac, sc, len, err, entry;
	const uint8_t *reg = fdt_prop_get(fdt, node, "reg", &len);

	err = fdt_cells(fdt, fdt_root(fdt), &ac, &sc);
	if (err || !reg || sc == 0)
		return 0;
	entry = (ac + sc) * 4;
	if (len % entry || fdt_cells_read(reg, ac) != unit)
		return 0;
	for (int i = 0; i < len / entry; i++) {
		uint64_t base = fdt_cells_read(reg + i * entry, ac);
		uint64_t size = fdt_cells_read(reg + i * entry + ac * 4, sc);

		memmap_warn(map,
			    "reserved-memory/%s: reg[%d] read with the root's "
			    "%d/%d cells matches the unit address: also "
			    "reserving [mem 0x%016lx-0x%016lx]",
			    name, i, ac, sc, base, base + size - 1);
		err = reserve_entry(map, name, i, base, size, no_map);
		if (err)
			return err;
	}
	return 0;
}

/* One /reserved-memory child: each reg entry, or a warning. */
static int scan_reserved_node(struct memmap *map, const struct fdt *fdt,
			      int node)
{
	const char *name = fdt_node_name(fdt, node, NULL);
	bool no_map = fdt_prop_get(fdt, node, "no-map", NULL) != NULL;
	int n = fdt_reg_count(fdt, node), err;
	uint64_t unit, first = 0;

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
		if (i == 0)
			first = base;
		err = reserve_entry(map, name, i, base, size, no_map);
		if (err)
			return err;
	}
	if (n == 0 || !unit_address(name, &unit) || unit == first)
		return 0;
	memmap_warn(map,
		    "reserved-memory/%s: reg[0] at 0x%016lx disagrees with "
		    "the unit address 0x%016lx",
		    name, first, unit);
	return reserve_root_cells(map, fdt, node, name, unit, no_map);
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

/*
 * True if [start, end) lies wholly inside one usable range (always in
 * visit mode, which has no table: the room search avoids any initrd).
 */
static bool in_usable(const struct memmap *map, paddr_t start, paddr_t end)
{
	if (map->visit)
		return true;
	for (unsigned int i = 0; i < map->nr_usable; i++)
		if (start >= map->usable[i].start && end <= map->usable[i].end)
			return true;
	return false;
}

int memmap_initrd_from_fdt(const struct fdt *fdt, paddr_t *start, paddr_t *end)
{
	int chosen = fdt_node_by_path(fdt, "/chosen", 7);
	const void *ps, *pe;
	int ls, le;

	if (chosen < 0)
		return chosen;
	ps = fdt_prop_get(fdt, chosen, "linux,initrd-start", &ls);
	pe = fdt_prop_get(fdt, chosen, "linux,initrd-end", &le);
	if (!ps && !pe)
		return -EFDT_NOTFOUND;
	if (!ps || !pe || (ls != 4 && ls != 8) || (le != 4 && le != 8))
		return -EFDT_BADVALUE;
	*start = fdt_cells_read(ps, ls / 4);
	*end = fdt_cells_read(pe, le / 4);
	return 0;
}

/* /chosen linux,initrd-start/-end: reserve the initrd as Linux does. */
static int scan_initrd(struct memmap *map, const struct fdt *fdt)
{
	paddr_t start = 0, end = 0;
	int err = memmap_initrd_from_fdt(fdt, &start, &end);

	if (err == -EFDT_NOTFOUND)
		return 0;
	if (err == -EFDT_BADVALUE) {
		memmap_warn(map, "chosen: linux,initrd-start/-end missing or "
				 "not 4 or 8 bytes long, initrd ignored");
		return 0;
	}
	if (err)
		return err;
	if (end < start) {
		memmap_warn(map,
			    "chosen: initrd end 0x%016lx below its start "
			    "0x%016lx, ignored",
			    end, start);
		return 0;
	}
	if (end == start)
		return 0; /* empty: nothing to keep */
	if (!in_usable(map, ALIGN_DOWN(start, PAGE_SIZE),
		       ALIGN_UP(end, PAGE_SIZE)) ||
	    end > PADDR_LAST_PAGE) {
		memmap_warn(map,
			    "chosen: initrd [mem 0x%016lx-0x%016lx] is not "
			    "inside usable RAM, ignored",
			    start, end - 1);
		return 0;
	}
	return memmap_add_reserved(map, start, end, false, "initrd");
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

/*
 * Entries a /reserved-memory child adds: its reg entries, plus those of
 * the root's reading when reserve_root_cells() will take them too.
 */
static unsigned int count_reserved_node(const struct fdt *fdt, int node)
{
	int n = fdt_reg_count(fdt, node), ac, sc, len;
	const uint8_t *reg = fdt_prop_get(fdt, node, "reg", &len);
	uint64_t unit, first, size;

	if (n <= 0)
		return 0;
	if (!unit_address(fdt_node_name(fdt, node, NULL), &unit) ||
	    fdt_reg_get(fdt, node, 0, &first, &size) || first == unit ||
	    fdt_cells(fdt, fdt_root(fdt), &ac, &sc) || sc == 0 ||
	    len % ((ac + sc) * 4) || fdt_cells_read(reg, ac) != unit)
		return (unsigned int)n;
	return (unsigned int)n + (unsigned int)(len / ((ac + sc) * 4));
}

/* Sum of the entries of the enabled children of parent (selected). */
static unsigned int count_entries(const struct fdt *fdt, int parent,
				  bool memory)
{
	unsigned int total = 0;

	for (int node = fdt_node_first_child(fdt, parent); node >= 0;
	     node = fdt_node_next_sibling(fdt, node)) {
		int n;

		if (!fdt_node_is_enabled(fdt, node))
			continue;
		if (!memory) {
			total += count_reserved_node(fdt, node);
			continue;
		}
		if (!is_memory_node(fdt, node))
			continue;
		n = fdt_reg_count(fdt, node);
		if (n > 0)
			total += (unsigned int)n;
	}
	return total;
}

void memmap_count(const struct fdt *fdt, unsigned int *nr_usable,
		  unsigned int *nr_reserved)
{
	int root = fdt_root(fdt), rm, rsv;
	paddr_t start, end;

	*nr_usable = root >= 0 ? count_entries(fdt, root, true) : 0;
	rm = fdt_node_by_path(fdt, "/reserved-memory", 16);
	*nr_reserved = rm >= 0 ? count_entries(fdt, rm, false) : 0;
	rsv = fdt_rsv_count(fdt);
	*nr_reserved += rsv > 0 ? (unsigned int)rsv : 0;
	if (memmap_initrd_from_fdt(fdt, &start, &end) == 0)
		*nr_reserved += 1;
}

/*
 * After -ENOSPC: how many entries the tree asks for (at least one more
 * than the table holds), for the caller's message.
 */
static void count_wanted(struct memmap *map, const struct fdt *fdt, bool usable)
{
	unsigned int nu, nr;

	memmap_count(fdt, &nu, &nr);
	if (usable)
		map->wanted_usable = MAX(nu, map->max_usable + 1);
	else
		map->wanted_reserved = MAX(nr, map->max_reserved + 1);
}

int memmap_scan(struct memmap *map, const struct fdt *fdt)
{
	int found = 0, err;

	err = scan_memory(map, fdt, &found);
	if (err == -ENOSPC)
		count_wanted(map, fdt, true);
	if (err)
		return err;
	if (found == 0 || map->nr_usable == 0)
		return -EFDT_NOTFOUND;
	err = scan_reserved(map, fdt);
	if (!err)
		err = scan_memreserve(map, fdt);
	if (!err)
		err = scan_initrd(map, fdt);
	if (err == -ENOSPC)
		count_wanted(map, fdt, false);
	return err;
}

int memmap_from_fdt(struct memmap *map, const struct fdt *fdt)
{
	memmap_init(map);
	return memmap_scan(map, fdt);
}

/* The room search's state; v first, so the callbacks can find the rest. */
struct room {
	struct memmap_visit v;
	struct memmap *map;
	const struct fdt *fdt;
	const struct prange *extra;
	unsigned int n_extra;
	uint64_t size;
	paddr_t lowest, limit, best;
	paddr_t probe, clear; /* candidate; lowest address clear of it */
};

static void room_lowest(struct memmap_visit *v, paddr_t start, paddr_t end)
{
	struct room *r = (struct room *)v;

	r->lowest = MIN(r->lowest, start);
}

/* A reservation overlapping the candidate pushes clear above its end. */
static void room_overlap(struct memmap_visit *v, paddr_t start, paddr_t end)
{
	struct room *r = (struct room *)v;

	if (start < r->probe + r->size && r->probe < end)
		r->clear = MAX(r->clear, end);
}

/* Lowest place in [start, end) clear of every reservation. */
static void room_entry(struct memmap_visit *v, paddr_t start, paddr_t end)
{
	struct room *r = (struct room *)v;
	struct memmap_visit saved = r->v;

	end = MIN(end, r->limit);
	r->v.reserved = room_overlap;
	for (r->probe = start;
	     r->probe < r->best && end > r->probe && end - r->probe >= r->size;
	     r->probe = r->clear) {
		r->clear = r->probe;
		for (unsigned int i = 0; i < r->n_extra; i++)
			room_overlap(v,
				     ALIGN_DOWN(r->extra[i].start, PAGE_SIZE),
				     ALIGN_UP(r->extra[i].end, PAGE_SIZE));
		/* One pass over the tree's reservations, not its memory. */
		if (scan_reserved(r->map, r->fdt) == 0 &&
		    scan_memreserve(r->map, r->fdt) == 0)
			scan_initrd(r->map, r->fdt);
		if (r->clear == r->probe) {
			r->best = r->probe; /* below any earlier find */
			break;
		}
	}
	r->v = saved;
}

paddr_t memmap_find_room(struct memmap *map, const struct fdt *fdt,
			 const struct prange *extra, unsigned int n_extra,
			 uint64_t size, uint64_t max_linear,
			 paddr_t *linear_base)
{
	struct room r = {
		.v = { room_lowest, room_overlap },
		.map = map,
		.fdt = fdt,
		.extra = extra,
		.n_extra = n_extra,
		.size = ALIGN_UP(size, PAGE_SIZE),
		.lowest = PADDR_INVALID,
		.best = PADDR_INVALID,
	};
	int found = 0;

	memmap_init(map);
	map->visit = &r.v;
	scan_memory(map, fdt, &found);
	*linear_base = ALIGN_DOWN(r.lowest, SZ_1G);
	if (r.lowest != PADDR_INVALID && r.size >= size) {
		r.limit = *linear_base + MIN(max_linear, PADDR_LIMIT);
		r.v.usable = room_entry;
		scan_memory(map, fdt, &found);
	}
	map->visit = NULL;
	return r.best;
}

void memmap_print(const struct memmap *map)
{
	for (unsigned int i = 0, j; i < map->nr_usable; i = j) {
		/* Ranges of two NUMA nodes that adjoin share one line. */
		for (j = i + 1; j < map->nr_usable &&
				map->usable[j].start == map->usable[j - 1].end;
		     j++)
			;
		printk("memory: usable [mem 0x%016lx-0x%016lx]\n",
		       map->usable[i].start, map->usable[j - 1].end - 1);
	}
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
