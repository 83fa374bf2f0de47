// SPDX-License-Identifier: BSD-2-Clause
/*
 * Pins the figures of the address-space picture in mm/layout.h, so the
 * comment cannot drift from the constants: each region's size, their
 * order, and the Sv39 facts the picture relies on.
 */
#include "lib/kernel.h"
#include "lib/tests/host_ktest.h"
#include "mm/layout.h"

#define GIB (1UL << 30)

static void regions_in_order(struct ktest *t)
{
	static const uint64_t bounds[] = {
		VMALLOC_START, MMU_SCRATCH_START, VMALLOC_END, PAGE_OFFSET,
		LINEAR_END,    EARLY_IO_VA,	  KERNEL_VA,   FDT_VA,
		IOREMAP_START, IOREMAP_END,
	};

	for (size_t i = 1; i < ARRAY_SIZE(bounds); i++)
		KTEST_EXPECT_LT(t, bounds[i - 1], bounds[i]);
	/* Sv39: the used half is the top 256 GiB, sign-extended. */
	KTEST_EXPECT_EQ(t, VMALLOC_START, 0xffffffc000000000UL);
	KTEST_EXPECT_EQ(t, 0 - VMALLOC_START, 256 * GIB);
}

static void region_sizes(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, MMU_SCRATCH_START - VMALLOC_START, 63 * GIB);
	KTEST_EXPECT_EQ(t, MMU_SCRATCH_SIZE, 1 * GIB);
	KTEST_EXPECT_EQ(t, LINEAR_MAX_SIZE, 128 * GIB);
	KTEST_EXPECT_EQ(t, KERNEL_VA - EARLY_IO_VA,
			(uint64_t)EARLY_IO_SLOTS * GIB);
	KTEST_EXPECT_EQ(t, FDT_WINDOW_SIZE, 4UL << 20);
	KTEST_EXPECT_EQ(t, FDT_VA + FDT_WINDOW_SIZE, IOREMAP_START);
	/* 1 GiB alignment keeps gigapage leaves possible (the linear map). */
	KTEST_EXPECT_EQ(t, PAGE_OFFSET % GIB, 0);
	KTEST_EXPECT_EQ(t, MMU_SCRATCH_START % GIB, 0);
}

static const struct ktest_case layout_cases[] = {
	KTEST_CASE(regions_in_order),
	KTEST_CASE(region_sizes),
	KTEST_END,
};
static const struct ktest_suite layout_suite = { "layout", layout_cases, NULL,
						 NULL };

KTEST_HOST_MAIN(&layout_suite)
