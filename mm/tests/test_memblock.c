// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of mm/memblock.c: merging, trimming, free ranges, top-down
 * allocation, limits, full tables, hand-over, a random comparison
 * against a page bitmap, and the boot-CPU-only assertion (a second POSIX
 * thread stands in for a secondary hart; lib/tests/host_cpu.c).
 */

#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cpu.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/rand.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/memblock.h"
#include "mm/tests/host_arch.h"

#define MB (1024UL * 1024UL)
#define PG PAGE_SIZE

static unsigned int nr_memory(void)
{
	struct prange r;
	unsigned int n = 0;

	while (memblock_memory_range(n, &r))
		n++;
	return n;
}

static unsigned int nr_free(void)
{
	struct prange r;
	unsigned int n = 0;

	while (memblock_free_range(n, &r))
		n++;
	return n;
}

/* Scenario: overlapping, adjacent and disjoint additions in any order.
 * Expect them merged into sorted, disjoint ranges. */
static void add_merges(struct ktest *t)
{
	struct prange r;

	memblock_reset();
	KTEST_EXPECT_EQ(t, memblock_add(0x90000000, 0x90100000), 0);
	KTEST_EXPECT_EQ(t, memblock_add(0x80000000, 0x80100000), 0);
	KTEST_EXPECT_EQ(t, memblock_add(0x80100000, 0x80200000), 0); /* touch */
	KTEST_EXPECT_EQ(t, memblock_add(0x8ff00000, 0x90080000),
			0); /* overlap */
	KTEST_EXPECT_EQ(t, memblock_add(0xa0000000, 0xa0001000), 0);
	KTEST_ASSERT_EQ(t, nr_memory(), 3);
	memblock_memory_range(0, &r);
	KTEST_EXPECT_EQ(t, r.start, 0x80000000);
	KTEST_EXPECT_EQ(t, r.end, 0x80200000);
	memblock_memory_range(1, &r);
	KTEST_EXPECT_EQ(t, r.start, 0x8ff00000);
	KTEST_EXPECT_EQ(t, r.end, 0x90100000);
	memblock_memory_range(2, &r);
	KTEST_EXPECT_EQ(t, r.start, 0xa0000000);
	/* One range swallowing all of them. */
	KTEST_EXPECT_EQ(t, memblock_add(0x7f000000, 0xb0000000), 0);
	KTEST_EXPECT_EQ(t, nr_memory(), 1);
	KTEST_EXPECT_EQ(t, memblock_usable_bytes(), 0x31000000);
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
}

/* Scenario: unaligned, empty and sub-page additions. Expect edges
 * trimmed inward to whole pages and -EINVAL when nothing is left. */
static void add_trims_and_rejects(struct ktest *t)
{
	struct prange r;

	memblock_reset();
	KTEST_EXPECT_EQ(t, memblock_add(0x80000123, 0x80005fff), 0);
	memblock_memory_range(0, &r);
	KTEST_EXPECT_EQ(t, r.start, 0x80001000);
	KTEST_EXPECT_EQ(t, r.end, 0x80005000);
	KTEST_EXPECT_EQ(t, memblock_add(0x90000000, 0x90000000), -EINVAL);
	KTEST_EXPECT_EQ(t, memblock_add(0x90001000, 0x90000000), -EINVAL);
	KTEST_EXPECT_EQ(t, memblock_add(0x90000001, 0x90001fff), -EINVAL);
	KTEST_EXPECT_EQ(t, memblock_add(0xfffffffffffff001, ~0ULL), -EINVAL);
	KTEST_EXPECT_EQ(t, nr_memory(), 1);
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
}

/* Scenario: reservations unaligned, overlapping, and partly or wholly
 * outside RAM. Expect them widened to pages and merged, and only the
 * part inside RAM counted as reserved. */
static void reserve_widens_and_counts(struct ktest *t)
{
	struct prange r;

	memblock_reset();
	KTEST_EXPECT_EQ(t, memblock_add(0x80000000, 0x80100000), 0);
	KTEST_EXPECT_EQ(t, memblock_reserve(0x80010010, 0x80010020), 0);
	KTEST_EXPECT_EQ(t, memblock_reserve(0x7fff0000, 0x80002000), 0);
	KTEST_EXPECT_EQ(t, memblock_reserve(0x800ff000, 0x80200000), 0);
	KTEST_EXPECT_EQ(t, memblock_reserve(0x10000000, 0x10001000), 0);
	KTEST_EXPECT_EQ(t, memblock_reserve(0x80011000, 0x80011000), -EINVAL);
	KTEST_EXPECT_EQ(t, memblock_reserve(0xfffffffffffff800, ~0ULL), 0);
	KTEST_EXPECT_EQ(t, memblock_reserved_bytes(), 2 * PG + PG + PG);
	KTEST_ASSERT_EQ(t, nr_free(), 2);
	memblock_free_range(0, &r);
	KTEST_EXPECT_EQ(t, r.start, 0x80002000);
	KTEST_EXPECT_EQ(t, r.end, 0x80010000);
	memblock_free_range(1, &r);
	KTEST_EXPECT_EQ(t, r.start, 0x80011000);
	KTEST_EXPECT_EQ(t, r.end, 0x800ff000);
	KTEST_EXPECT(t, !memblock_free_range(2, &r));
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
}

/* Scenario: a reservation spanning a hole between two banks. Expect it
 * to cut the end of one and the start of the other. */
static void reserve_across_hole(struct ktest *t)
{
	struct prange r;

	memblock_reset();
	memblock_add(0x80000000, 0x80100000);
	memblock_add(0x80200000, 0x80300000);
	memblock_reserve(0x800f0000, 0x80210000);
	KTEST_ASSERT_EQ(t, nr_free(), 2);
	memblock_free_range(0, &r);
	KTEST_EXPECT_EQ(t, r.end, 0x800f0000);
	memblock_free_range(1, &r);
	KTEST_EXPECT_EQ(t, r.start, 0x80210000);
	KTEST_EXPECT_EQ(t, r.end, 0x80300000);
	KTEST_EXPECT_EQ(t, memblock_reserved_bytes(), 0x20000);
}

/* Scenario: allocations with and without limit and alignment. Expect
 * the highest fitting address below the limit, aligned, then reserved;
 * PADDR_INVALID for what cannot fit or is malformed. */
static void alloc_top_down(struct ktest *t)
{
	paddr_t a, b, c;

	memblock_reset();
	memblock_add(0x80000000, 0x80400000);
	memblock_add(0x100000000, 0x100100000);
	memblock_reserve(0x100080000, 0x100100000);

	a = memblock_alloc(100, 0, 0);
	KTEST_EXPECT_EQ(t, a, 0x10007f000);
	b = memblock_alloc(PG, 0x10000, 0);
	KTEST_EXPECT_EQ(t, b, 0x100070000);
	c = memblock_alloc(2 * MB, 2 * MB, 0x100000000);
	KTEST_EXPECT_EQ(t, c, 0x80200000);
	/* Too large for any free range below the limit. */
	KTEST_EXPECT_EQ(t, memblock_alloc(2 * MB + PG, PG, 0x100000000),
			PADDR_INVALID);
	/* Whole remainder of the low bank fits exactly. */
	KTEST_EXPECT_EQ(t, memblock_alloc(2 * MB, PG, 0x80300000), 0x80000000);
	KTEST_EXPECT_EQ(t, memblock_alloc(0, PG, 0), PADDR_INVALID);
	KTEST_EXPECT_EQ(t, memblock_alloc(PG, 3 * PG, 0), PADDR_INVALID);
	KTEST_EXPECT_EQ(t, memblock_alloc(PG, PG, 0x1000), PADDR_INVALID);
	KTEST_EXPECT_EQ(t, memblock_reserved_bytes(),
			0x80000 + PG + PG + 4 * MB);
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
	/* A size that rounds past the top of memory: refused. */
	KTEST_EXPECT_EQ(t, memblock_alloc((size_t)-1, 0, 0), PADDR_INVALID);
	/* 1 MiB alignment: not in the top free range [0x100071000,
	 * 0x10007f000), which holds no such boundary; the next one does. */
	KTEST_EXPECT_EQ(t, memblock_alloc(PG, MB, 0), 0x100000000);
}

/* Scenario: the tables fill up. Expect -ENOSPC with nothing changed,
 * while additions that merge into an existing range still work. */
static void tables_full(struct ktest *t)
{
	unsigned int i;

	memblock_reset();
	for (i = 0; i < MEMBLOCK_INIT_REGIONS; i++)
		KTEST_ASSERT_EQ(t,
				memblock_add(0x80000000 + i * 2 * PG,
					     0x80000000 + i * 2 * PG + PG),
				0);
	KTEST_EXPECT_EQ(t, memblock_add(0x90000000, 0x90001000), -ENOSPC);
	KTEST_EXPECT_EQ(t, nr_memory(), MEMBLOCK_INIT_REGIONS);
	KTEST_EXPECT_EQ(t, memblock_add(0x80001000, 0x80002000), 0); /* merge */
	KTEST_EXPECT_EQ(t, nr_memory(), MEMBLOCK_INIT_REGIONS - 1);

	for (i = 0; i < MEMBLOCK_INIT_REGIONS; i++)
		KTEST_ASSERT_EQ(t,
				memblock_reserve(0xa0000000 + i * 2 * PG,
						 0xa0000000 + i * 2 * PG + 1),
				0);
	KTEST_EXPECT_EQ(t, memblock_reserve(0xb0000000, 0xb0000001), -ENOSPC);
	/* An allocation needs a new reserved range: refused, not corrupted. */
	KTEST_EXPECT_EQ(t, memblock_alloc(PG, PG, 0), PADDR_INVALID);
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
}

/*
 * Scenario: resizing allowed, over fake RAM: 300 disjoint 4-page memory
 * ranges (every 8 pages), then a reservation of each range's first
 * page. Expect every call to succeed, both lists doubled twice (128 ->
 * 256 -> 512 entries), each new array reserved (4 KiB, then 8 KiB, top
 * down: 6 pages besides the 300), and the checker clean; after a reset
 * the static 128 entries and -ENOSPC again.
 */
static void tables_grow(struct ktest *t)
{
	const paddr_t base = 0x80000000;
	const unsigned int n = 300;
	struct prange r;

	host_phys_init(base, 16 * MB);
	memblock_reset();
	memblock_allow_resize();
	for (unsigned int i = 0; i < n; i++)
		KTEST_ASSERT_EQ(t,
				memblock_add(base + i * 8 * PG,
					     base + i * 8 * PG + 4 * PG),
				0);
	KTEST_EXPECT_EQ(t, nr_memory(), n);
	/* The memory list's arrays, at the tops of ranges 127 and 255. */
	KTEST_EXPECT_EQ(t, memblock_reserved_bytes(), 3 * PG);
	KTEST_ASSERT(t, memblock_free_range(127, &r));
	KTEST_EXPECT_EQ(t, r.end, base + 127 * 8 * PG + 3 * PG);
	for (unsigned int i = 0; i < n; i++)
		KTEST_ASSERT_EQ(t,
				memblock_reserve(base + i * 8 * PG,
						 base + i * 8 * PG + PG),
				0);
	KTEST_EXPECT_EQ(t, memblock_reserved_bytes(), (n + 6) * PG);
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
	/* Still an allocator: 2 pages fit only where nothing was taken. */
	KTEST_EXPECT_EQ(t, memblock_alloc(2 * PG, PG, 0),
			base + 298 * 8 * PG + 2 * PG);

	memblock_reset();
	for (unsigned int i = 0; i <= MEMBLOCK_INIT_REGIONS; i++)
		KTEST_EXPECT_EQ(
			t,
			memblock_add(base + i * 8 * PG, base + i * 8 * PG + PG),
			i < MEMBLOCK_INIT_REGIONS ? 0 : -ENOSPC);
	memblock_reset();
	host_phys_fini();
}

/*
 * Scenario: resizing allowed with the reserved list full (128 disjoint
 * pages below the memory): 128 one-page memory ranges and a 1 MiB one,
 * so the memory list must grow while the reserved list has no room for
 * the new array's reservation. Then, on fresh lists over one 2 MiB
 * range, a full reserved list and a reservation of the free top half,
 * so the reserved list's new array must not land inside it; and an
 * allocation larger than RAM.
 * Expect the reserved list grown first, both arrays reserved in the
 * two highest free pages; the second array just below the range being
 * reserved; PADDR_INVALID for the allocation; clean checks.
 */
static void tables_grow_ordering(struct ktest *t)
{
	const paddr_t base = 0x80000000, ram = base + 2 * MB;
	struct prange r;
	unsigned int n;

	host_phys_init(base, 4 * MB);
	memblock_reset();
	for (unsigned int i = 0; i < MEMBLOCK_INIT_REGIONS; i++)
		KTEST_ASSERT_EQ(t,
				memblock_reserve(base + 2 * i * PG,
						 base + 2 * i * PG + PG),
				0);
	memblock_allow_resize();
	for (unsigned int i = 0; i < MEMBLOCK_INIT_REGIONS; i++)
		KTEST_ASSERT_EQ(
			t,
			memblock_add(ram + 2 * i * PG, ram + 2 * i * PG + PG),
			0);
	KTEST_ASSERT_EQ(t, memblock_add(ram + MB, ram + 2 * MB), 0);
	KTEST_EXPECT_EQ(t, nr_memory(), MEMBLOCK_INIT_REGIONS + 1);
	KTEST_EXPECT_EQ(t, memblock_reserved_bytes(), 2 * PG);
	for (n = 0; memblock_free_range(n, &r); n++)
		;
	KTEST_EXPECT_EQ(t, n, MEMBLOCK_INIT_REGIONS - 2 + 1);
	KTEST_ASSERT(t, memblock_free_range(n - 2, &r));
	KTEST_EXPECT_EQ(t, r.start, ram + 250 * PG); /* 252, 254 taken */
	KTEST_EXPECT_EQ(t, memblock_check(), 0);

	memblock_reset();
	KTEST_ASSERT_EQ(t, memblock_add(ram, ram + 2 * MB), 0);
	for (unsigned int i = 0; i < MEMBLOCK_INIT_REGIONS; i++)
		KTEST_ASSERT_EQ(t,
				memblock_reserve(base + 2 * i * PG,
						 base + 2 * i * PG + PG),
				0);
	memblock_allow_resize();
	KTEST_ASSERT_EQ(t, memblock_reserve(ram + MB, ram + 2 * MB), 0);
	KTEST_ASSERT(t, memblock_free_range(0, &r));
	KTEST_EXPECT_EQ(t, r.start, ram);
	KTEST_EXPECT_EQ(t, r.end, ram + MB - PG);
	KTEST_EXPECT(t, !memblock_free_range(1, &r));
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
	KTEST_EXPECT_EQ(t, memblock_alloc(4 * MB, PG, 0), PADDR_INVALID);
	memblock_reset();
	host_phys_fini();
}

/*
 * Scenario: resizing allowed on 512 KiB of RAM at physical 0 whose
 * reserved list is full (128 pages elsewhere), then a reservation of
 * all of that RAM; then both lists full of the same 128 pages (no page
 * free) and one more memory range. Expect -ENOSPC each time (the new
 * array could only go inside the range being reserved, or below address
 * 0; or nowhere) and nothing changed.
 */
static void tables_grow_nowhere(struct ktest *t)
{
	host_phys_init(0, MB / 2);
	memblock_reset();
	KTEST_ASSERT_EQ(t, memblock_add(0, MB / 2), 0);
	for (unsigned int i = 0; i < MEMBLOCK_INIT_REGIONS; i++)
		KTEST_ASSERT_EQ(t,
				memblock_reserve(0x90000000 + 2 * i * PG,
						 0x90000000 + 2 * i * PG + PG),
				0);
	memblock_allow_resize();
	KTEST_EXPECT_EQ(t, memblock_reserve(0, MB / 2), -ENOSPC);
	KTEST_EXPECT_EQ(t, memblock_reserved_bytes(), 0);
	KTEST_EXPECT_EQ(t, memblock_check(), 0);

	/* Both lists full and no free page: a new memory range cannot get
	 * an array (the reserved list cannot grow first). */
	memblock_reset();
	for (unsigned int i = 0; i < MEMBLOCK_INIT_REGIONS; i++) {
		KTEST_ASSERT_EQ(t, memblock_add(2 * i * PG, 2 * i * PG + PG),
				0);
		KTEST_ASSERT_EQ(
			t, memblock_reserve(2 * i * PG, 2 * i * PG + PG), 0);
	}
	memblock_allow_resize();
	KTEST_EXPECT_EQ(t, memblock_add(MB, MB + PG), -ENOSPC);
	KTEST_EXPECT_EQ(t, nr_memory(), MEMBLOCK_INIT_REGIONS);
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
	memblock_reset();
	host_phys_fini();
}

/* memblock_check() with its lines captured. */
static int check_captured(void)
{
	int n;

	capture_start(NULL);
	n = memblock_check();
	capture_stop();
	return n;
}

/*
 * Scenario: lists in the caller's arrays (memblock_use_storage()),
 * damaged by hand: an empty range, an unaligned edge, two ranges out
 * of order. Expect memblock_check() to name each (I1 empty, I2, I1
 * order) and count 0 once repaired.
 */
static void check_catches(struct ktest *t)
{
	static struct prange mem[4], res[4];
	const struct prange good = { 0x80000000, 0x80001000 };

	memblock_reset();
	memblock_use_storage(mem, 4, res, 4);
	KTEST_ASSERT_EQ(t, memblock_add(0x80000000, 0x80001000), 0);
	KTEST_ASSERT_EQ(t, memblock_add(0x80002000, 0x80003000), 0);
	KTEST_ASSERT_EQ(t, memblock_reserve(0x80000000, 0x80000001), 0);
	KTEST_EXPECT_EQ(t, check_captured(), 0);

	mem[0].end = mem[0].start;
	KTEST_EXPECT_EQ(t, check_captured(), 1);
	KTEST_EXPECT_STREQ(t, capture_text(),
			   "memblock_check: I1 memory[0] empty [0x80000000, "
			   "0x80000000)\n");
	mem[0] = good;
	res[0].end = 0x80000800;
	KTEST_EXPECT_EQ(t, check_captured(), 1);
	KTEST_EXPECT_STREQ(t, capture_text(),
			   "memblock_check: I2 reserved[0] [0x80000000, "
			   "0x80000800) not page aligned\n");
	res[0].end = 0x80001000;
	mem[1].start = 0x80000000;
	KTEST_EXPECT_EQ(t, check_captured(), 1);
	KTEST_EXPECT_STREQ(t, capture_text(),
			   "memblock_check: I1 memory[1] [0x80000000, "
			   "0x80003000) overlaps, touches or precedes [0] "
			   "ending 0x80001000\n");
	mem[1].start = 0x80002000;
	KTEST_EXPECT_EQ(t, check_captured(), 0);
	memblock_reset();
}

/* Scenario: memblock is handed over. Expect add, reserve and alloc
 * refused, queries still answered, and reset to reopen it. */
static void close_refuses(struct ktest *t)
{
	struct prange r;

	memblock_reset();
	memblock_add(0x80000000, 0x80100000);
	memblock_close();
	KTEST_EXPECT(t, memblock_is_closed());
	KTEST_EXPECT_EQ(t, memblock_add(0x90000000, 0x90100000), -EBUSY);
	KTEST_EXPECT_EQ(t, memblock_reserve(0x80000000, 0x80001000), -EBUSY);
	KTEST_EXPECT_EQ(t, memblock_alloc(PG, PG, 0), PADDR_INVALID);
	KTEST_EXPECT(t, memblock_free_range(0, &r));
	KTEST_EXPECT_EQ(t, r.end - r.start, 0x100000);
	memblock_reset();
	KTEST_EXPECT(t, !memblock_is_closed());
	KTEST_EXPECT_EQ(t, memblock_add(0x90000000, 0x90100000), 0);
}

/* Model: a bitmap of pages in a 256-page window. */
#define MODEL_PAGES 256
#define MODEL_BASE 0x80000000UL

static void model_free_ranges(const bool *mem, const bool *res,
			      struct prange *out, unsigned int *n)
{
	*n = 0;
	for (unsigned int p = 0; p < MODEL_PAGES; p++) {
		bool f = mem[p] && !res[p];
		bool prev = p > 0 && mem[p - 1] && !res[p - 1];

		if (f && !prev)
			out[(*n)++].start = MODEL_BASE + p * PG;
		if (f)
			out[*n - 1].end = MODEL_BASE + (p + 1) * PG;
	}
}

/* Scenario: 2000 rounds of random adds, reserves and allocations over a
 * small window, compared with a page bitmap. Expect identical free
 * ranges, top-down placement, and no invariant violation. */
static void random_vs_bitmap(struct ktest *t)
{
	static struct prange want[MODEL_PAGES];
	struct rand_state rs;

	rand_seed(&rs, 0x6d656d62);
	for (int round = 0; round < 2000; round++) {
		bool mem[MODEL_PAGES] = { false }, res[MODEL_PAGES] = { false };
		unsigned int n, i;
		struct prange got;

		memblock_reset();
		for (int op = 0; op < 24; op++) {
			unsigned int a = rand_below(&rs, MODEL_PAGES);
			unsigned int len = 1 + rand_below(&rs, 16);
			unsigned int b =
				MIN(a + len, (unsigned int)MODEL_PAGES);
			paddr_t s = MODEL_BASE + a * PG;
			paddr_t e = MODEL_BASE + b * PG;
			unsigned int kind = rand_below(&rs, 3);

			if (kind == 0) {
				KTEST_ASSERT_EQ(t, memblock_add(s, e), 0);
				for (i = a; i < b; i++)
					mem[i] = true;
			} else if (kind == 1) {
				/* Unaligned edges widen to whole pages. */
				KTEST_ASSERT_EQ(
					t, memblock_reserve(s + 1, e - 1), 0);
				for (i = a; i < b; i++)
					res[i] = true;
			} else {
				paddr_t pa = memblock_alloc(len * PG, PG, 0);
				int top = -1;

				/* Model: highest run of len free pages. */
				for (int p = MODEL_PAGES - (int)len; p >= 0;
				     p--) {
					unsigned int k;

					for (k = 0; k < len; k++)
						if (!mem[p + k] || res[p + k])
							break;
					if (k == len) {
						top = p;
						break;
					}
				}
				if (top < 0) {
					KTEST_ASSERT_EQ(t, pa, PADDR_INVALID);
					continue;
				}
				KTEST_ASSERT_EQ(t, pa, MODEL_BASE + top * PG);
				for (i = 0; i < len; i++)
					res[top + i] = true;
			}
		}
		model_free_ranges(mem, res, want, &n);
		for (i = 0; i < n; i++) {
			KTEST_ASSERT(t, memblock_free_range(i, &got));
			KTEST_ASSERT_EQ(t, got.start, want[i].start);
			KTEST_ASSERT_EQ(t, got.end, want[i].end);
		}
		KTEST_ASSERT(t, !memblock_free_range(n, &got));
		KTEST_ASSERT_EQ(t, memblock_check(), 0);
	}
}

/* ------------------------------------------- boot CPU only (SMP) */

static jmp_buf other_jump;
static unsigned int other_panics;
static void other_panic_hook(void)
{
	other_panics++;
	longjmp(other_jump, 1);
}

static void abort_hook(void)
{
	fflush(stdout);
	abort();
}

/* The calls, each expected to panic, on a thread that is not CPU 0. */
static void *other_cpu_calls(void *arg)
{
	unsigned int *cpu = arg;
	volatile int step = 0;

	*cpu = cpu_id();
	setjmp(other_jump);
	switch (step++) {
	case 0:
		memblock_add(0x90000000, 0x90100000);
		break;
	case 1:
		memblock_reserve(0x80000000, 0x80001000);
		break;
	case 2:
		memblock_alloc(PG, PG, 0);
		break;
	case 3:
		memblock_close();
		break;
	case 4:
		memblock_reset();
		break;
	}
	return NULL;
}

/* After the close: refused (a message), no panic, on any CPU. */
static void *other_cpu_closed_alloc(void *arg)
{
	*(paddr_t *)arg = memblock_alloc(PG, PG, 0);
	return NULL;
}

/*
 * Scenario: while memblock is open, a second thread (CPU 1, not the
 * boot CPU) calls add, reserve, alloc, close and reset. Run last: the
 * panics stay in progress. Expect each call to panic before changing
 * anything (caught by a hook that longjmps), the first panic message to
 * name the function and CPU 1, the lists as they were; then, after the
 * boot CPU closes memblock, an alloc on the second thread to be refused
 * with PADDR_INVALID and no panic.
 */
static void boot_cpu_only(struct ktest *t)
{
	unsigned int cpu = 0;
	paddr_t pa = 0;
	pthread_t th;

	memblock_reset();
	KTEST_ASSERT_EQ(t, memblock_add(0x80000000, 0x80400000), 0);
	KTEST_ASSERT_EQ(t, cpu_id(), 0);
	other_panics = 0;
	/* The other thread's panic messages, shown as well. */
	capture_start(capture_pass_all);
	panic_set_hook(other_panic_hook);
	pthread_create(&th, NULL, other_cpu_calls, &cpu);
	pthread_join(th, NULL);
	panic_set_hook(abort_hook);
	capture_stop();
	KTEST_EXPECT_EQ(t, cpu, 1);
	KTEST_EXPECT_EQ(t, other_panics, 5);
	KTEST_EXPECT(t, capture_has("panic: memblock_add: called on CPU 1 "
				    "(hart 1); memblock runs on the boot "
				    "CPU before the other harts start"));
	KTEST_EXPECT_EQ(t, nr_memory(), 1);
	KTEST_EXPECT_EQ(t, memblock_usable_bytes(), 0x400000);
	KTEST_EXPECT_EQ(t, memblock_reserved_bytes(), 0);
	KTEST_EXPECT(t, !memblock_is_closed());

	memblock_close();
	pthread_create(&th, NULL, other_cpu_closed_alloc, &pa);
	pthread_join(th, NULL);
	KTEST_EXPECT_EQ(t, pa, PADDR_INVALID);
	KTEST_EXPECT_EQ(t, other_panics, 5);
	memblock_reset();
	KTEST_EXPECT_EQ(t, memblock_check(), 0);
}

static const struct ktest_case memblock_cases[] = {
	KTEST_CASE(add_merges),
	KTEST_CASE(add_trims_and_rejects),
	KTEST_CASE(reserve_widens_and_counts),
	KTEST_CASE(reserve_across_hole),
	KTEST_CASE(alloc_top_down),
	KTEST_CASE(tables_full),
	KTEST_CASE(tables_grow),
	KTEST_CASE(tables_grow_ordering),
	KTEST_CASE(tables_grow_nowhere),
	KTEST_CASE(check_catches),
	KTEST_CASE(close_refuses),
	KTEST_CASE(random_vs_bitmap),
	KTEST_CASE(boot_cpu_only),
	KTEST_END,
};
static const struct ktest_suite memblock_suite = { "memblock", memblock_cases,
						   NULL, NULL };

KTEST_HOST_MAIN(&memblock_suite)
