// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of memory maps larger than struct memmap's own tables
 * (mm/memmap.c, mm/memmap_boot.c): a generated tree of 200 RAM ranges
 * and 500 /reserved-memory children goes through the kernel's boot path
 * (memmap_boot_setup() with tables placed in free RAM, the linear-map
 * and page-allocator fits, memblock growing its lists, buddy init) on
 * fake physical memory. Also the room search on its own and
 * memmap_fit_ranges() at its edges.
 */

#include <libfdt.h>
/* lib/fdt.h has its own FDT_MAGIC (same value). */
#undef FDT_MAGIC
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/printk.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/memmap.h"
#include "mm/tests/host_arch.h"

#define KB 1024UL
#define MB (1024UL * 1024UL)

/* The generated tree: RAM ranges of 64 KiB every 128 KiB from RAM_BASE. */
#define RAM_BASE 0x80000000UL
#define NR_RANGES 200
#define NR_RESERVED 500
#define NR_INIT_FIT 32 /* ranges that fit the map's own table */
#define RANGE_SIZE (64 * KB)
#define RANGE_STRIDE (128 * KB)
#define RAM_SPAN ((paddr_t)NR_RANGES * RANGE_STRIDE)

static uint8_t blob[256 * 1024];
static struct fdt fdt;
static struct memmap map;

static void be64_pair(uint8_t *p, uint64_t a, uint64_t b)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(a >> (56 - 8 * i));
		p[8 + i] = (uint8_t)(b >> (56 - 8 * i));
	}
}

/*
 * The i-th reservation: one page in range i % NR_RANGES, at page 4, 5
 * or 6 (i / NR_RANGES): each range keeps pages 0-3 and 7-15 free.
 */
static paddr_t reserved_pa(unsigned int i)
{
	return RAM_BASE + (i % NR_RANGES) * RANGE_STRIDE +
	       (4 + i / NR_RANGES) * PAGE_SIZE;
}

/*
 * Root cells 2/2; one memory node holding nr_ranges reg entries;
 * nr_reserved /reserved-memory children of one page each, spread over
 * the ranges (the first pages of every range stay free); two memreserve
 * entries.
 */
static int build_blob(unsigned int nr_ranges, unsigned int nr_reserved)
{
	static uint8_t reg[NR_RANGES * 16];
	char name[48];
	int err = fdt_create(blob, sizeof(blob));

	err = err
		      ?: fdt_add_reservemap_entry(
				 blob, RAM_BASE + RANGE_SIZE - 4096, 4096);
	err = err
		      ?: fdt_add_reservemap_entry(blob, RAM_BASE + RANGE_STRIDE,
						  4096);
	err = err ?: fdt_finish_reservemap(blob);
	err = err ?: fdt_begin_node(blob, "");
	err = err ?: fdt_property_u32(blob, "#address-cells", 2);
	err = err ?: fdt_property_u32(blob, "#size-cells", 2);
	for (unsigned int i = 0; i < nr_ranges; i++)
		be64_pair(reg + 16 * i, RAM_BASE + i * RANGE_STRIDE,
			  RANGE_SIZE);
	err = err ?: fdt_begin_node(blob, "memory@80000000");
	err = err ?: fdt_property_string(blob, "device_type", "memory");
	err = err ?: fdt_property(blob, "reg", reg, (int)(16 * nr_ranges));
	err = err ?: fdt_end_node(blob);
	err = err ?: fdt_begin_node(blob, "reserved-memory");
	err = err ?: fdt_property_u32(blob, "#address-cells", 2);
	err = err ?: fdt_property_u32(blob, "#size-cells", 2);
	err = err ?: fdt_property(blob, "ranges", NULL, 0);
	for (unsigned int i = 0; i < nr_reserved; i++) {
		snprintf(name, sizeof(name), "r%u@%lx", i, reserved_pa(i));
		be64_pair(reg, reserved_pa(i), PAGE_SIZE);
		err = err ?: fdt_begin_node(blob, name);
		err = err ?: fdt_property(blob, "reg", reg, 16);
		err = err ?: fdt_end_node(blob);
	}
	err = err ?: fdt_end_node(blob);
	err = err ?: fdt_end_node(blob);
	err = err ?: fdt_finish(blob);
	return err ?: fdt_open(&fdt, blob, sizeof(blob));
}

/* map_tables hook: the fake RAM at pa, recording what it was asked. */
static paddr_t hook_pa = PADDR_INVALID, hook_base;
static uint64_t hook_size;

static void *map_tables(paddr_t pa, uint64_t size, paddr_t linear_base)
{
	hook_pa = pa;
	hook_size = size;
	hook_base = linear_base;
	return host_phys_contains(pa, size) ? phys_to_virt(pa) : NULL;
}

static bool overlaps(paddr_t a, paddr_t a_end, paddr_t b, paddr_t b_end)
{
	return a < b_end && b < a_end;
}

static memmap_map_fn hook;

static int setup(struct memmap_boot *own, char *why, size_t len)
{
	int err;

	capture_start(NULL);
	err = hook ? memmap_boot_setup_sized(&map, &fdt, own, hook, why, len)
		   : memmap_boot_setup(&map, &fdt, own, why, len);
	capture_stop();
	return err;
}

/* Scenario: the counts of a generated tree, and of one with 1 range.
 * Expect exactly its reg entries and reservations (the memreserve
 * entries included, no initrd). */
static void counts(struct ktest *t)
{
	unsigned int nu, nr;

	KTEST_ASSERT_EQ(t, build_blob(NR_RANGES, NR_RESERVED), 0);
	memmap_count(&fdt, &nu, &nr);
	KTEST_EXPECT_EQ(t, nu, NR_RANGES);
	KTEST_EXPECT_EQ(t, nr, NR_RESERVED + 2);
	KTEST_ASSERT_EQ(t, build_blob(1, 0), 0);
	memmap_count(&fdt, &nu, &nr);
	KTEST_EXPECT_EQ(t, nu, 1);
	KTEST_EXPECT_EQ(t, nr, 2);
	KTEST_EXPECT_EQ(t, memmap_storage_size(3, 5),
			3 * sizeof(struct memmap_range) +
				5 * sizeof(struct memmap_reserved) +
				3 * sizeof(int));
}

static void be32_cells(uint8_t *p, const uint32_t *v, int n)
{
	for (int i = 0; i < n; i++)
		for (int b = 0; b < 4; b++)
			p[4 * i + b] = (uint8_t)(v[i] >> (24 - 8 * b));
}

/* A /reserved-memory child of one reg property (n cells). */
static int child(const char *name, const uint32_t *cells, int n, bool disabled)
{
	uint8_t reg[32];
	int err = fdt_begin_node(blob, name);

	be32_cells(reg, cells, n);
	err = err ?: fdt_property(blob, "reg", reg, 4 * n);
	if (disabled)
		err = err ?: fdt_property_string(blob, "status", "disabled");
	return err ?: fdt_end_node(blob);
}

/*
 * Root cells 2/2, /reserved-memory cells 1/1, one enabled and one
 * disabled memory node, an initrd in /chosen, and children: a plain
 * one, one with an upper-case unit address, one written in the root's
 * cells (OpenSBI's way), one whose unit address is too long to read,
 * and a disabled one.
 */
static int build_edge_blob(void)
{
	static const uint32_t a[] = { 0x80001000, 0x1000 };
	static const uint32_t b[] = { 0x8000a000, 0x1000 };
	static const uint32_t c[] = { 0, 0x80002000, 0, 0x1000 };
	static const uint32_t d[] = { 0x80003000, 0x1000 };
	uint8_t reg[16];
	int err = fdt_create(blob, sizeof(blob));

	err = err ?: fdt_finish_reservemap(blob);
	err = err ?: fdt_begin_node(blob, "");
	err = err ?: fdt_property_u32(blob, "#address-cells", 2);
	err = err ?: fdt_property_u32(blob, "#size-cells", 2);
	err = err ?: fdt_begin_node(blob, "chosen");
	err = err ?: fdt_property_u32(blob, "linux,initrd-start", 0x80100000);
	err = err ?: fdt_property_u32(blob, "linux,initrd-end", 0x80180000);
	err = err ?: fdt_end_node(blob);
	be64_pair(reg, RAM_BASE, 16 * MB);
	err = err ?: fdt_begin_node(blob, "memory@80000000");
	err = err ?: fdt_property_string(blob, "device_type", "memory");
	err = err ?: fdt_property(blob, "reg", reg, 16);
	err = err ?: fdt_end_node(blob);
	be64_pair(reg, RAM_BASE + 32 * MB, 16 * MB);
	err = err ?: fdt_begin_node(blob, "memory@82000000");
	err = err ?: fdt_property_string(blob, "device_type", "memory");
	err = err ?: fdt_property_string(blob, "status", "disabled");
	err = err ?: fdt_property(blob, "reg", reg, 16);
	err = err ?: fdt_end_node(blob);
	err = err ?: fdt_begin_node(blob, "reserved-memory");
	err = err ?: fdt_property_u32(blob, "#address-cells", 1);
	err = err ?: fdt_property_u32(blob, "#size-cells", 1);
	err = err ?: fdt_property(blob, "ranges", NULL, 0);
	err = err ?: child("a@80001000", a, 2, false);
	err = err ?: child("b@8000A000", b, 2, false);
	err = err ?: child("c@80002000", c, 4, false);
	err = err ?: child("d@100000000000000000", d, 2, false);
	err = err ?: child("e@80004000", d, 2, true);
	err = err ?: fdt_end_node(blob);
	err = err ?: fdt_end_node(blob);
	err = err ?: fdt_finish(blob);
	return err ?: fdt_open(&fdt, blob, sizeof(blob));
}

/*
 * Scenario: the edge tree above counted, scanned and searched.
 * Expect the count exact: 1 RAM range (the disabled node not counted);
 * 7 reservations: a, b, d one each, c three (its two entries in the
 * parent's cells and the root's reading that matches its unit
 * address), the initrd; the scan storing exactly that many; the room
 * search avoiding every enabled reservation but not the disabled child
 * (two pages fit at page 4: extra[] at 0, a at 1, c's root reading at
 * 2, d at 3, e disabled at 4), and a larger block placed above the
 * initrd [0x80100000, 0x80180000) when it cannot fit below it.
 */
static void count_edge_cases(struct ktest *t)
{
	const struct prange extra[1] = { { RAM_BASE, RAM_BASE + 4 * KB } };
	unsigned int nu, nr;
	printk_sink_fn old;
	paddr_t base;

	KTEST_ASSERT_EQ(t, build_edge_blob(), 0);
	memmap_count(&fdt, &nu, &nr);
	KTEST_EXPECT_EQ(t, nu, 1);
	KTEST_EXPECT_EQ(t, nr, 7);
	old = printk_set_sink(NULL);
	KTEST_ASSERT_EQ(t, memmap_from_fdt(&map, &fdt), 0);
	printk_set_sink(old);
	KTEST_EXPECT_EQ(t, map.nr_usable, 1);
	KTEST_EXPECT_EQ(t, map.nr_reserved, 7);
	KTEST_EXPECT_STREQ(t, map.reserved[6].name, "initrd");
	KTEST_EXPECT_EQ(t,
			memmap_find_room(&map, &fdt, extra, 1, 2 * PAGE_SIZE,
					 LINEAR_MAX_SIZE, &base),
			RAM_BASE + 4 * PAGE_SIZE);
	/* The largest free block below the initrd is [0x8000b000,
	 * 0x80100000): 0xf5000 bytes. */
	KTEST_EXPECT_EQ(t,
			memmap_find_room(&map, &fdt, extra, 1, 0xf6000,
					 LINEAR_MAX_SIZE, &base),
			0x80180000);
}

/* Scenario: 200 ranges and 500 reservations through memmap_boot_setup().
 * Expect -ENOSPC and the panic message naming the count and the 32 the
 * map's own table holds. */
static void too_big_without_hook(struct ktest *t)
{
	struct memmap_boot own = { 0 };
	char why[192];

	KTEST_ASSERT_EQ(t, build_blob(NR_RANGES, NR_RESERVED), 0);
	KTEST_EXPECT_EQ(t, setup(&own, why, sizeof(why)), -ENOSPC);
	KTEST_EXPECT_STREQ(t, why,
			   "device tree: 200 RAM ranges, more than the 32 the "
			   "memory map holds (MEMMAP_INIT_USABLE): no space "
			   "left (-28)");
	KTEST_ASSERT_EQ(t, build_blob(NR_INIT_FIT, NR_RESERVED), 0);
	KTEST_EXPECT_EQ(t, setup(&own, why, sizeof(why)), -ENOSPC);
	KTEST_EXPECT_STREQ(t, why,
			   "device tree: 502 reserved regions, more than the "
			   "64 the memory map holds (MEMMAP_INIT_RESERVED): no "
			   "space left (-28)");
}

/*
 * Scenario: a tree whose 62 children and 2 memreserve entries fill the
 * map's own reserved table, through memmap_boot_setup() (no room for
 * the blob), then an image whose end wraps past the top of memory.
 * Expect the kernel's panic messages for each.
 */
static void own_regions_refused(struct ktest *t)
{
	struct memmap_boot own = { .fdt_pa = RAM_BASE, .fdt_size = 4 * KB };
	char why[192];

	KTEST_ASSERT_EQ(t, build_blob(4, 62), 0);
	KTEST_EXPECT_EQ(t, setup(&own, why, sizeof(why)), -ENOSPC);
	KTEST_EXPECT_STREQ(t, why,
			   "setup_memory: no room to reserve the device tree "
			   "blob [mem 0x0000000080000000-0x0000000080000fff]: "
			   "all 64 reserved regions (MEMMAP_INIT_RESERVED) "
			   "used");
	KTEST_ASSERT_EQ(t, build_blob(4, 4), 0);
	own = (struct memmap_boot){ .image_pa = ~0ull - 0xfff,
				    .image_size = 0x2000 };
	KTEST_EXPECT_EQ(t, setup(&own, why, sizeof(why)), -EINVAL);
	KTEST_EXPECT_STREQ(t, why,
			   "setup_memory: the kernel image at "
			   "0xfffffffffffff000, end 0x0000000000001000, is "
			   "empty or runs past the last page");
}

static void *map_tables_fails(paddr_t pa, uint64_t size, paddr_t base)
{
	return NULL;
}

/*
 * Scenario: 33 ranges (one more than the map's own table) whose RAM the
 * image covers, then free RAM with a hook that cannot map it.
 * Expect -ENOSPC with the panic message giving the counts (6 reserved:
 * 2 memreserve entries, the blob, the image, the tables and one spare)
 * and the page the tables need, then -ENOMEM naming that page.
 */
static void tables_nowhere(struct ktest *t)
{
	struct memmap_boot own = {
		.image_pa = RAM_BASE,
		.image_size = RAM_SPAN,
	};
	char why[192];

	KTEST_ASSERT_EQ(t, build_blob(NR_INIT_FIT + 1, 0), 0);
	hook = map_tables;
	KTEST_EXPECT_EQ(t, setup(&own, why, sizeof(why)), -ENOSPC);
	KTEST_EXPECT_STREQ(t, why,
			   "device tree: no free RAM holds a memory map of 33 "
			   "RAM ranges and 6 reserved regions (the kernel's "
			   "own included): 0x1000 bytes");
	own.image_size = 8 * KB;
	hook = map_tables_fails;
	KTEST_EXPECT_EQ(t, setup(&own, why, sizeof(why)), -ENOMEM);
	hook = NULL;
	KTEST_EXPECT_STREQ(t, why,
			   "setup_memory: cannot map the memory map's tables "
			   "[mem 0x0000000080002000-0x0000000080002fff]");
}

/*
 * Scenario: the kernel's path for 200 ranges and 500 reservations, with
 * the blob and the image in the first range: tables placed in free RAM,
 * the fits, memblock (its lists grow past 128), buddy.
 * Expect: every range and reservation kept; the tables reserved as
 * "memory map" last (9 pages), in the lowest free place: page 7 of the
 * second range (the first loses pages 0-3 to the blob and the image
 * and page 15 to a memreserve), clear of every reservation; 71 ranges
 * given up to BUDDY_MAX_RANGES with one warning each; memblock and
 * buddy consistent and no free page inside a reservation.
 */
static void boot_path(struct ktest *t)
{
	struct memmap_boot own = {
		.fdt_pa = RAM_BASE,
		.fdt_size = 8 * KB,
		.image_pa = RAM_BASE + 8 * KB,
		.image_size = 8 * KB,
	};
	const struct memmap_reserved *tab;
	unsigned int kept = BUDDY_MAX_RANGES;
	struct page *page;
	uint64_t dropped, free_pages = 0;
	char why[192] = "";
	struct prange fr;

	KTEST_ASSERT_EQ(t, build_blob(NR_RANGES, NR_RESERVED), 0);
	host_phys_init(RAM_BASE, RAM_SPAN);
	hook = map_tables;
	KTEST_ASSERT_EQ(t, setup(&own, why, sizeof(why)), 0);
	hook = NULL;
	KTEST_EXPECT_STREQ(t, why, "");
	KTEST_EXPECT_EQ(t, map.nr_usable, NR_RANGES);
	KTEST_EXPECT_EQ(t, map.nr_reserved, NR_RESERVED + 2 + 3);
	KTEST_EXPECT_EQ(t, map.max_usable, NR_RANGES);
	KTEST_EXPECT_EQ(t, map.max_reserved,
			NR_RESERVED + 2 + 3 + 1); /* + memmap_alloc() */
	KTEST_EXPECT_EQ(t, map.warnings, 0);
	KTEST_EXPECT_EQ(t, memmap_check(&map), 0);
	KTEST_EXPECT(t, map.usable != map.usable_init);
	KTEST_EXPECT_EQ(t, hook_base, ALIGN_DOWN(RAM_BASE, SZ_1G));
	KTEST_EXPECT_EQ(
		t, hook_size,
		ALIGN_UP(memmap_storage_size(NR_RANGES, NR_RESERVED + 6),
			 PAGE_SIZE));
	KTEST_EXPECT_EQ(t, hook_size, 9 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, hook_pa, RAM_BASE + RANGE_STRIDE + 7 * PAGE_SIZE);
	tab = &map.reserved[map.nr_reserved - 1];
	KTEST_EXPECT_STREQ(t, tab->name, "memory map");
	KTEST_EXPECT_EQ(t, tab->start, hook_pa);
	KTEST_EXPECT_EQ(t, tab->end, hook_pa + hook_size);
	for (unsigned int i = 0; i + 1 < map.nr_reserved; i++)
		KTEST_EXPECT(t, !overlaps(tab->start, tab->end,
					  map.reserved[i].start,
					  map.reserved[i].end));
	KTEST_EXPECT(t, !capture_truncated());
	KTEST_EXPECT(t, !capture_has("memory: warning"));

	/* memblock takes the whole map: both lists grow past 128. */
	memblock_reset();
	memblock_allow_resize();
	for (unsigned int i = 0; i < map.nr_usable; i++)
		KTEST_EXPECT_EQ(
			t, memblock_add(map.usable[i].start, map.usable[i].end),
			0);
	for (unsigned int i = 0; i < map.nr_reserved; i++)
		KTEST_EXPECT_EQ(t,
				memblock_reserve(map.reserved[i].start,
						 map.reserved[i].end),
				0);
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
	KTEST_EXPECT(t, memblock_memory_range(NR_RANGES - 1, &fr));
	KTEST_EXPECT(t, !memblock_memory_range(NR_RANGES, &fr));

	/* The page allocator holds 129 ranges: the top 71 go. */
	capture_start(NULL);
	KTEST_EXPECT_EQ(t, memmap_fit_linear(&map, LINEAR_MAX_SIZE, &dropped),
			ALIGN_DOWN(RAM_BASE, SZ_1G));
	KTEST_EXPECT_EQ(t, dropped, 0);
	KTEST_EXPECT_EQ(t, memmap_fit_ranges(&map, BUDDY_MAX_RANGES, SZ_4G),
			(NR_RANGES - kept) * RANGE_SIZE);
	capture_stop();
	KTEST_EXPECT_EQ(t, map.nr_usable, kept);
	KTEST_EXPECT_EQ(t, capture_count("memory: warning: "),
			NR_RANGES - kept);
	KTEST_EXPECT(t, capture_has("memory: warning: [mem 0x00000000818e0000-"
				    "0x00000000818effff] beyond the 129 ranges "
				    "the page allocator holds, not used\n"));
	KTEST_EXPECT_EQ(t, memmap_check(&map), 0);

	memblock_reset();
	memblock_allow_resize();
	for (unsigned int i = 0; i < map.nr_usable; i++)
		KTEST_EXPECT_EQ(
			t, memblock_add(map.usable[i].start, map.usable[i].end),
			0);
	for (unsigned int i = 0; i < map.nr_reserved; i++)
		KTEST_EXPECT_EQ(t,
				memblock_reserve(map.reserved[i].start,
						 map.reserved[i].end),
				0);
	buddy_init_from_memblock();
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	while ((page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0))) {
		paddr_t pa = pfn_to_paddr(page_to_pfn(page));

		free_pages++;
		for (unsigned int i = 0; i < map.nr_reserved; i++)
			KTEST_EXPECT(t, !overlaps(pa, pa + PAGE_SIZE,
						  map.reserved[i].start,
						  map.reserved[i].end));
	}
	KTEST_EXPECT(t, free_pages > 0);
	host_phys_fini();
}

/*
 * Scenario: room searches that must skip reservations, the extra
 * regions and RAM past the linear map, and one that cannot succeed.
 * Expect the lowest clear place, or PADDR_INVALID.
 */
static void find_room(struct ktest *t)
{
	const struct prange extra[2] = {
		{ RAM_BASE, RAM_BASE + 8 * KB },
		{ RAM_BASE + 10 * PAGE_SIZE, RAM_BASE + 10 * PAGE_SIZE + 1 },
	};
	paddr_t base;

	KTEST_ASSERT_EQ(t, build_blob(4, 4), 0);
	/* Range 0: extra[0] then free pages 2-3, then r0 at page 4. */
	KTEST_EXPECT_EQ(t,
			memmap_find_room(&map, &fdt, extra, 2, 2 * PAGE_SIZE,
					 LINEAR_MAX_SIZE, &base),
			RAM_BASE + 2 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, base, ALIGN_DOWN(RAM_BASE, SZ_1G));
	/* 10 pages: range 0 has 5 free at 5-9 (r0 at 4, extra[1] widened
	 * to page 10) and 11-14 (a memreserve at 15). Range 1: memreserve
	 * page 0, pages 1-3, r1 at 4: from 5. */
	KTEST_EXPECT_EQ(t,
			memmap_find_room(&map, &fdt, extra, 2, 10 * PAGE_SIZE,
					 LINEAR_MAX_SIZE, &base),
			RAM_BASE + RANGE_STRIDE + 5 * PAGE_SIZE);
	/* A linear map of 1 GiB + 128 KiB: only range 0 is inside it. */
	KTEST_EXPECT_EQ(t,
			memmap_find_room(&map, &fdt, extra, 2, 10 * PAGE_SIZE,
					 (RAM_BASE - base) + RANGE_STRIDE,
					 &base),
			PADDR_INVALID);
	/* Larger than any range. */
	KTEST_EXPECT_EQ(t,
			memmap_find_room(&map, &fdt, NULL, 0, RANGE_SIZE + 4096,
					 LINEAR_MAX_SIZE, &base),
			PADDR_INVALID);
	KTEST_EXPECT(t, map.visit == NULL);
}

/*
 * Scenario: memmap_fit_ranges() with ranges that adjoin (two NUMA
 * nodes: one range for buddy), twice, the second pair crossing 4 GiB
 * at their junction (two buddy ranges).
 * Expect: under the limit nothing changes; one short, the pair cut at
 * 4 GiB (the range below it kept whole, one warning for the one
 * above); two short, the pair goes (a warning each). A single range
 * across 4 GiB with room for one: cut at 4 GiB.
 */
static void fit_ranges(struct ktest *t)
{
	static const struct memmap_range layout[] = {
		{ 0x80000000, 0x90000000, 0 },
		{ 0x90000000, 0xa0000000, 1 }, /* adjoins: one buddy range */
		{ 0xf0000000, 0x100000000, 0 }, /* with the next, crosses */
		{ 0x100000000, 0x110000000, 1 }, /* 4 GiB: two */
	};
	printk_sink_fn old;

	for (unsigned int max = 3; max >= 1; max--) {
		memmap_init(&map);
		memcpy(map.usable, layout, sizeof(layout));
		map.nr_usable = 4;
		capture_start(NULL);
		uint64_t dropped = memmap_fit_ranges(&map, max, SZ_4G);
		capture_stop();
		KTEST_EXPECT_EQ(t, memmap_check(&map), 0);
		if (max == 3) {
			KTEST_EXPECT_EQ(t, dropped, 0);
			KTEST_EXPECT_EQ(t, map.nr_usable, 4);
			KTEST_EXPECT_STREQ(t, capture_text(), "");
		} else if (max == 2) {
			KTEST_EXPECT_EQ(t, dropped, 0x10000000);
			KTEST_EXPECT_EQ(t, map.nr_usable, 3);
			KTEST_EXPECT_EQ(t, map.usable[2].end, SZ_4G);
			KTEST_EXPECT_EQ(t, map.warnings, 1);
			KTEST_EXPECT_STREQ(
				t, capture_text(),
				"memory: warning: [mem 0x0000000100000000-"
				"0x000000010fffffff] beyond the 2 ranges the "
				"page allocator holds, not used\n");
		} else {
			KTEST_EXPECT_EQ(t, dropped, 0x20000000);
			KTEST_EXPECT_EQ(t, map.nr_usable, 2);
			KTEST_EXPECT_EQ(t, map.warnings, 2);
		}
	}
	/* One range across 4 GiB and room for one buddy range: cut. */
	memmap_init(&map);
	map.usable[0] = (struct memmap_range){ 0xf0000000, 0x110000000, 0 };
	map.nr_usable = 1;
	old = printk_set_sink(NULL);
	KTEST_EXPECT_EQ(t, memmap_fit_ranges(&map, 1, SZ_4G), 0x10000000);
	printk_set_sink(old);
	KTEST_EXPECT_EQ(t, map.nr_usable, 1);
	KTEST_EXPECT_EQ(t, map.usable[0].end, SZ_4G);
	KTEST_EXPECT_EQ(t, map.warnings, 1);
}

/*
 * Scenario: memmap_alloc() on a 4-range tree (range 0: page 4 reserved,
 * page 15 memreserve), then memblock in arrays the caller sized.
 * Expect the lowest clear places (pages 0-1, then 5-8 past the
 * reservations), each reserved under its name; PADDR_INVALID for size
 * 0, for more than any range holds and with the reserved table full;
 * memblock taking 300 ranges into 300-entry arrays without resizing.
 */
static void alloc_and_lists(struct ktest *t)
{
	static struct prange mem[300], res[300];
	printk_sink_fn old;
	unsigned int n;

	KTEST_ASSERT_EQ(t, build_blob(4, 4), 0);
	old = printk_set_sink(NULL);
	KTEST_ASSERT_EQ(t, memmap_from_fdt(&map, &fdt), 0);
	printk_set_sink(old);
	n = map.nr_reserved;
	KTEST_EXPECT_EQ(t, memmap_alloc(&map, PAGE_SIZE + 1, "two"), RAM_BASE);
	KTEST_EXPECT_EQ(t, memmap_alloc(&map, 4 * PAGE_SIZE, "four"),
			RAM_BASE + 5 * PAGE_SIZE);
	KTEST_ASSERT_EQ(t, map.nr_reserved, n + 2);
	KTEST_EXPECT_STREQ(t, map.reserved[n].name, "two");
	KTEST_EXPECT_EQ(t, map.reserved[n].end, RAM_BASE + 2 * PAGE_SIZE);
	KTEST_EXPECT_STREQ(t, map.reserved[n + 1].name, "four");
	KTEST_EXPECT_EQ(t, memmap_check(&map), 0);
	KTEST_EXPECT_EQ(t, memmap_alloc(&map, 0, "none"), PADDR_INVALID);
	KTEST_EXPECT_EQ(t, memmap_alloc(&map, RANGE_SIZE, "big"),
			PADDR_INVALID);
	map.max_reserved = map.nr_reserved;
	KTEST_EXPECT_EQ(t, memmap_alloc(&map, PAGE_SIZE, "full"),
			PADDR_INVALID);
	KTEST_EXPECT_EQ(t, map.nr_reserved, n + 2);

	memblock_reset();
	memblock_use_storage(mem, 300, res, 300);
	for (unsigned int i = 0; i < 300; i++) {
		KTEST_EXPECT_EQ(
			t,
			memblock_add(RAM_BASE + 2 * i * PAGE_SIZE,
				     RAM_BASE + (2 * i + 1) * PAGE_SIZE),
			0);
		KTEST_EXPECT_EQ(
			t,
			memblock_reserve(RAM_BASE + 2 * i * PAGE_SIZE,
					 RAM_BASE + 2 * i * PAGE_SIZE + 1),
			0);
	}
	KTEST_EXPECT_EQ(t, mem[299].start, RAM_BASE + 598 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, memblock_reserved_bytes(), 300 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
	memblock_reset();
}

static const struct ktest_case memmap_big_cases[] = {
	/* Counting the tree and finding room for the tables. */
	KTEST_CASE(counts),
	KTEST_CASE(count_edge_cases),
	KTEST_CASE(find_room),
	/* The boot path. */
	KTEST_CASE(too_big_without_hook),
	KTEST_CASE(tables_nowhere),
	KTEST_CASE(own_regions_refused),
	KTEST_CASE(boot_path),
	KTEST_CASE(fit_ranges),
	KTEST_CASE(alloc_and_lists),
	KTEST_END,
};
static const struct ktest_suite memmap_big_suite = { "memmap_big",
						     memmap_big_cases, NULL,
						     NULL };

KTEST_HOST_MAIN(&memmap_big_suite)
