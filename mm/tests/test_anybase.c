// SPDX-License-Identifier: BSD-2-Clause
/*
 * Any RAM base (issue 14): the boot path from the device tree to page
 * tables, on the layouts real boards have:
 *
 *   RAM at physical 0            TH1520 (Lichee Pi 4A), SpacemiT K1
 *   RAM at 0x40000000            JH7110 (VisionFive 2), Allwinner D1
 *   RAM at 0x80000000            QEMU virt, FU740 (HiFive Unmatched)
 *   0x80000000 + 0x1000000000    PolarFire SoC (Icicle Kit)
 *   0 + 0x100000000              K1 with 4 GiB (two zones)
 *
 * For each, a blob is built with libfdt's sequential writer and run
 * through the kernel's own code, as kernel/main.c and mm/kspace.c call
 * it: memmap_boot_setup() (with the blob and image reservations),
 * memmap_fit_linear(), memblock, buddy_init_from_memblock(), and the
 * Sv39 walker mapping the linear map. Physical memory is one host
 * mapping, reserved but not committed (MAP_NORESERVE), that spans the
 * lowest to the highest RAM byte, so a 62 GiB gap costs nothing; only
 * the banks are touched.
 *
 * What must hold everywhere: physical address 0 and pfn 0 are ordinary
 * RAM where the tree says so (usable, allocatable, a valid table
 * page), the linear map's base is the lowest RAM rounded down to
 * 1 GiB whatever that is, and every bank is reachable through it.
 */
#include <libfdt.h>
/* lib/fdt.h has its own FDT_MAGIC (same value). */
#undef FDT_MAGIC
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The host's mmap protections, before mm/arch.h's PROT_* replace them. */
static const int host_prot_rw = PROT_READ | PROT_WRITE;
#undef PROT_READ
#undef PROT_WRITE
#undef PROT_EXEC

#include "lib/fdt.h"
#include "lib/printk.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/memmap.h"
#include "mm/pgtable.h"

#define MB (1024UL * 1024UL)
#define GB (1024UL * MB)
#define MAX_BANKS 2
#define IMAGE_SIZE MB
#define TABLE_POOL_PAGES 64

struct bank {
	paddr_t base;
	uint64_t size;
};

struct layout {
	const char *name;
	struct bank bank[MAX_BANKS]; /* size 0: unused */
	struct bank firmware; /* /reserved-memory no-map; size 0: none */
};

/* ----------------------------------------------------------- the blob */

static char blob[4096];

static void be64_pair(uint8_t *p, uint64_t a, uint64_t b)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(a >> (56 - 8 * i));
		p[8 + i] = (uint8_t)(b >> (56 - 8 * i));
	}
}

/* One memory node per bank, root cells 2/2, OpenSBI's region if any. */
static int build_blob(const struct layout *l)
{
	char name[48];
	uint8_t reg[16];
	int err = fdt_create(blob, sizeof(blob));

	err = err ?: fdt_finish_reservemap(blob);
	err = err ?: fdt_begin_node(blob, "");
	err = err ?: fdt_property_u32(blob, "#address-cells", 2);
	err = err ?: fdt_property_u32(blob, "#size-cells", 2);
	for (int i = 0; i < MAX_BANKS && l->bank[i].size; i++) {
		snprintf(name, sizeof(name), "memory@%lx", l->bank[i].base);
		be64_pair(reg, l->bank[i].base, l->bank[i].size);
		err = err ?: fdt_begin_node(blob, name);
		err = err ?: fdt_property_string(blob, "device_type", "memory");
		err = err ?: fdt_property(blob, "reg", reg, sizeof(reg));
		err = err ?: fdt_end_node(blob);
	}
	if (l->firmware.size) {
		snprintf(name, sizeof(name), "opensbi@%lx", l->firmware.base);
		be64_pair(reg, l->firmware.base, l->firmware.size);
		err = err ?: fdt_begin_node(blob, "reserved-memory");
		err = err ?: fdt_property_u32(blob, "#address-cells", 2);
		err = err ?: fdt_property_u32(blob, "#size-cells", 2);
		err = err ?: fdt_property(blob, "ranges", NULL, 0);
		err = err ?: fdt_begin_node(blob, name);
		err = err ?: fdt_property(blob, "reg", reg, sizeof(reg));
		err = err ?: fdt_property(blob, "no-map", NULL, 0);
		err = err ?: fdt_end_node(blob);
		err = err ?: fdt_end_node(blob);
	}
	err = err ?: fdt_end_node(blob);
	return err ?: fdt_finish(blob);
}

/* -------------------------------------------------- fake physical RAM */

static void *ram;
static size_t ram_len;

/* Back [lowest bank start, highest bank end) with one host mapping. */
static bool ram_map(const struct layout *l)
{
	paddr_t lo = l->bank[0].base, hi = 0;
	size_t align = PAGE_SIZE << MAX_ORDER;
	uintptr_t va;

	for (int i = 0; i < MAX_BANKS && l->bank[i].size; i++)
		hi = MAX(hi, l->bank[i].base + l->bank[i].size);
	ram_len = hi - lo + align;
	ram = mmap(NULL, ram_len, host_prot_rw,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED) {
		ram = NULL;
		return false;
	}
	/* Aligned to the largest buddy block, as on the target. */
	va = ALIGN_UP((uintptr_t)ram, align);
	va_pa_offset = (uint64_t)va - lo;
	return true;
}

static void ram_unmap(void)
{
	if (ram)
		munmap(ram, ram_len);
	ram = NULL;
	va_pa_offset = 0;
}

/* ----------------------------------- page tables from a pool at lowest */

/*
 * Table pages come from TABLE_POOL_PAGES pages at the first usable page
 * of the first bank, lowest first, once the buddy run is over: on a
 * layout with usable RAM at 0 the root table is at physical 0.
 */
static paddr_t pool_base;
static unsigned int pool_next;

static paddr_t pool_alloc(void *ctx)
{
	paddr_t pa;

	if (pool_next == TABLE_POOL_PAGES)
		return PADDR_INVALID;
	pa = pool_base + (paddr_t)pool_next++ * PAGE_SIZE;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static const struct pt_alloc pool_ops = { pool_alloc, NULL, NULL, NULL };

/* ------------------------------------------------------------ the run */

static struct memmap map;

static bool in_reserved(paddr_t pa)
{
	for (unsigned int i = 0; i < map.nr_reserved; i++)
		if (pa >= map.reserved[i].start && pa < map.reserved[i].end)
			return true;
	return false;
}

/*
 * Steps 1-2: the memory map as the kernel builds it, then the linear
 * map; its physical base in *base.
 */
static void run_memmap(struct ktest *t, const struct layout *l, paddr_t *out)
{
	struct fdt f;
	paddr_t load = ALIGN_UP(l->bank[0].base, SZ_2M) + SZ_2M, base;
	struct memmap_boot own;
	uint64_t dropped;
	char why[192];

	KTEST_ASSERT(t, build_blob(l) == 0);
	KTEST_ASSERT(t, fdt_open(&f, blob, sizeof(blob)) == 0);
	own.fdt_pa = l->bank[0].base + 8 * MB;
	own.fdt_size = f.totalsize;
	own.image_pa = load;
	own.image_size = IMAGE_SIZE;
	KTEST_ASSERT(t,
		     memmap_boot_setup(&map, &f, &own, why, sizeof(why)) == 0);
	KTEST_EXPECT_EQ(t, memmap_check(&map), 0);
	KTEST_EXPECT_EQ(t, map.warnings, 0);
	/* Expect: the first usable byte is the first bank's, even 0. */
	KTEST_EXPECT_EQ(t, map.usable[0].start, l->bank[0].base);

	base = memmap_fit_linear(&map, LINEAR_MAX_SIZE, &dropped);
	KTEST_EXPECT_EQ(t, base, ALIGN_DOWN(l->bank[0].base, SZ_1G));
	KTEST_EXPECT_EQ(t, dropped, 0);
	for (unsigned int i = 0; i < map.nr_usable; i++) {
		vaddr_t va = map.usable[i].start + (PAGE_OFFSET - base);
		vaddr_t va_end = map.usable[i].end + (PAGE_OFFSET - base);

		KTEST_EXPECT_GE(t, va, PAGE_OFFSET);
		KTEST_EXPECT_LE(t, va_end, LINEAR_END);
		/* VA and PA congruent modulo 1 GiB: gigapages fit. */
		KTEST_EXPECT_EQ(t, (va ^ map.usable[i].start) & (SZ_1G - 1), 0);
	}
	*out = base;
}

/* Step 3: memblock and the buddy allocator over the map. */
static void run_buddy(struct ktest *t, const struct layout *l)
{
	static paddr_t got[16384];
	bool seen_first = false, seen_bank[MAX_BANKS] = { false };
	unsigned int n = 0;
	struct page *page;

	memblock_reset();
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

	/* Expect: the first pfn has a descriptor and round-trips. */
	page = pfn_to_page(paddr_to_pfn(l->bank[0].base));
	KTEST_ASSERT(t, page != NULL);
	KTEST_EXPECT_EQ(t, page_to_pfn(page), paddr_to_pfn(l->bank[0].base));

	/* Expect: every free page comes out, the first one included. */
	while (n < sizeof(got) / sizeof(got[0]) &&
	       (page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0))) {
		paddr_t pa = pfn_to_paddr(page_to_pfn(page));

		got[n++] = pa;
		KTEST_EXPECT(t, !in_reserved(pa));
		seen_first |= pa == l->bank[0].base;
		for (int b = 0; b < MAX_BANKS; b++)
			seen_bank[b] |= pa >= l->bank[b].base &&
					pa < l->bank[b].base + l->bank[b].size;
	}
	KTEST_EXPECT(t, page == NULL); /* got[] held them all */
	KTEST_EXPECT(t, seen_first || in_reserved(l->bank[0].base));
	for (int b = 0; b < MAX_BANKS && l->bank[b].size; b++)
		KTEST_EXPECT(t, seen_bank[b]);
	for (unsigned int i = 0; i < n; i++)
		__free_pages(pfn_to_page(paddr_to_pfn(got[i])), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Step 4: the linear map in Sv39 tables whose root may sit at pa 0. */
static void run_pgtable(struct ktest *t, paddr_t base)
{
	uint64_t off = PAGE_OFFSET - base;
	struct pgtable pt;
	paddr_t pa;
	size_t leaf;

	/* Clear of the reservations (firmware at the start, image at +2M). */
	pool_base = map.usable[0].start;
	while (in_reserved(pool_base))
		pool_base += PAGE_SIZE;
	pool_next = 0;
	KTEST_ASSERT(t, pt_init(&pt, &pool_ops) == 0);
	KTEST_EXPECT_EQ(t, pt.root, pool_base);
	for (unsigned int i = 0; i < map.nr_usable; i++)
		KTEST_EXPECT_EQ(t,
				pt_map(&pt, map.usable[i].start + off,
				       map.usable[i].start,
				       map.usable[i].end - map.usable[i].start,
				       PROT_RW),
				0);
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
	for (unsigned int i = 0; i < map.nr_usable; i++) {
		paddr_t first = map.usable[i].start;
		paddr_t last = map.usable[i].end - PAGE_SIZE;

		KTEST_EXPECT_EQ(
			t, pt_lookup(&pt, first + off, &pa, NULL, &leaf), 0);
		KTEST_EXPECT_EQ(t, pa, first);
		KTEST_EXPECT_EQ(t, leaf, SZ_2M); /* banks are 2 MiB-aligned */
		KTEST_EXPECT_EQ(t, pt_lookup(&pt, last + off, &pa, NULL, NULL),
				0);
		KTEST_EXPECT_EQ(t, pa, last);
	}
	/* Just below the map, nothing. */
	KTEST_EXPECT_NE(t,
			pt_lookup(&pt, map.usable[0].start + off - PAGE_SIZE,
				  &pa, NULL, NULL),
			0);
	pt_destroy(&pt);
}

static void run_layout(struct ktest *t, const struct layout *l)
{
	paddr_t base = 0;

	if (!ram_map(l)) {
		ktest_skip(t, "no address space for the fake RAM");
		return;
	}
	ktest_info(t, "%s", l->name);
	run_memmap(t, l, &base);
	if (t->failures == 0)
		run_buddy(t, l);
	if (t->failures == 0)
		run_pgtable(t, base);
	ram_unmap();
}

/* ---------------------------------------------------------- the cases */

static void ram_at_zero(struct ktest *t)
{
	/*
	 * Scenario: RAM at physical 0 with no firmware reservation over it
	 * (TH1520 and K1 boards put RAM there). Expect: pa 0 usable, pfn 0
	 * allocated like any page, the linear map based at 0, the root
	 * page table at pa 0.
	 */
	static const struct layout l = { "RAM at 0, 64 MiB",
					 { { 0, 64 * MB } },
					 { 0, 0 } };

	run_layout(t, &l);
}

static void ram_at_zero_firmware(struct ktest *t)
{
	/*
	 * Scenario: RAM at 0 with OpenSBI's 512 KiB reserved there (the
	 * Lichee Pi 4A). Expect: pa 0 reserved and never handed out, the
	 * rest as above.
	 */
	static const struct layout l = { "RAM at 0, OpenSBI at 0",
					 { { 0, 64 * MB } },
					 { 0, 512 * 1024 } };

	run_layout(t, &l);
	KTEST_EXPECT(t, in_reserved(0));
}

static void ram_at_1g(struct ktest *t)
{
	/*
	 * Scenario: RAM at 0x40000000 (VisionFive 2, D1) with OpenSBI at
	 * its start. Expect: linear base 0x40000000, everything works.
	 */
	static const struct layout l = { "RAM at 0x40000000",
					 { { 0x40000000, 64 * MB } },
					 { 0x40000000, 512 * 1024 } };

	run_layout(t, &l);
}

static void ram_at_2g(struct ktest *t)
{
	/* Scenario: QEMU virt's RAM at 0x80000000. Expect: as above. */
	static const struct layout l = { "RAM at 0x80000000",
					 { { 0x80000000, 64 * MB } },
					 { 0x80000000, 512 * 1024 } };

	run_layout(t, &l);
}

static void two_windows_far_apart(struct ktest *t)
{
	/*
	 * Scenario: the PolarFire SoC's two windows, 0x80000000 and
	 * 0x1000000000 (62 GiB apart). Expect: both in the linear map,
	 * both allocatable, no descriptors for the gap.
	 */
	static const struct layout l = { "RAM at 0x80000000 and 0x1000000000",
					 { { 0x80000000, 32 * MB },
					   { 0x1000000000, 32 * MB } },
					 { 0x80000000, 512 * 1024 } };

	run_layout(t, &l);
}

static void zero_and_4g(struct ktest *t)
{
	/*
	 * Scenario: RAM at 0 and at 4 GiB (K1 with 4 GiB): two zones,
	 * pfn 0 in DMA32. Expect: both banks allocatable, pfn 0 too.
	 */
	static const struct layout l = { "RAM at 0 and 0x100000000",
					 { { 0, 32 * MB },
					   { 0x100000000, 32 * MB } },
					 { 0, 0 } };

	run_layout(t, &l);
}

static void memblock_hands_out_zero(struct ktest *t)
{
	/*
	 * Scenario: memblock over [0, 16 KiB), allocated page by page from
	 * the top. Expect: pages 0x3000, 0x2000, 0x1000 and then 0x0 (not
	 * a failure), then PADDR_INVALID.
	 */
	memblock_reset();
	KTEST_ASSERT(t, memblock_add(0, 4 * PAGE_SIZE) == 0);
	for (int i = 3; i >= 0; i--)
		KTEST_EXPECT_EQ(t, memblock_alloc(PAGE_SIZE, PAGE_SIZE, 0),
				(paddr_t)i * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, memblock_alloc(PAGE_SIZE, PAGE_SIZE, 0),
			PADDR_INVALID);
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
}

static void linear_map_cut(struct ktest *t)
{
	/*
	 * Scenario: a second window 130 GiB above a first at 0x80000000,
	 * past the 128 GiB linear map. Expect: one "beyond the linear map"
	 * warning, the window dropped, its bytes counted.
	 */
	static const struct layout l = { "window beyond the linear map",
					 { { 0x80000000, 32 * MB },
					   { 0x80000000 + 130 * GB, 32 * MB } },
					 { 0, 0 } };
	struct memmap_boot own = { 0 };
	uint64_t dropped;
	char why[192];
	struct fdt f;

	KTEST_ASSERT(t, build_blob(&l) == 0);
	KTEST_ASSERT(t, fdt_open(&f, blob, sizeof(blob)) == 0);
	KTEST_ASSERT(t,
		     memmap_boot_setup(&map, &f, &own, why, sizeof(why)) == 0);
	KTEST_EXPECT_EQ(t, map.nr_usable, 2);
	KTEST_EXPECT_EQ(t, memmap_fit_linear(&map, LINEAR_MAX_SIZE, &dropped),
			SZ_1G * 2);
	KTEST_EXPECT_EQ(t, dropped, 32 * MB);
	KTEST_EXPECT_EQ(t, map.nr_usable, 1);
	KTEST_EXPECT_EQ(t, map.warnings, 1);
	KTEST_EXPECT_EQ(t, memmap_check(&map), 0);
}

static const struct ktest_case anybase_cases[] = {
	KTEST_CASE(ram_at_zero),
	KTEST_CASE(ram_at_zero_firmware),
	KTEST_CASE(ram_at_1g),
	KTEST_CASE(ram_at_2g),
	KTEST_CASE(two_windows_far_apart),
	KTEST_CASE(zero_and_4g),
	KTEST_CASE(memblock_hands_out_zero),
	KTEST_CASE(linear_map_cut),
	KTEST_END,
};

static const struct ktest_suite anybase_suite = { "anybase", anybase_cases,
						  NULL, NULL };

KTEST_HOST_MAIN(&anybase_suite)
