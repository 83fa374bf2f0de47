// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of mm/buddy.c. Physical memory is a host buffer: the tests
 * choose fake physical addresses (some above 4 GiB) and point
 * va_pa_offset so that one buffer covers every bank and the holes
 * between them. Descriptors come from memblock top-down, so they sit at
 * the top of the highest bank.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rand.h"
#include "lib/spinlock.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/linear.h"
#include "mm/memblock.h"

#define KB 1024UL
#define MB (1024UL * 1024UL)
#define PG PAGE_SIZE

/* ------------------------------------------------------------ fixture */

static void *ram;

/* Back fake physical [base, base + size) with a host buffer. */
static void ram_map(paddr_t base, size_t size)
{
	free(ram);
	ram = aligned_alloc(PG, size);
	if (!ram) {
		fprintf(stderr, "test_buddy: no host memory for %zu bytes\n",
			size);
		abort();
	}
	va_pa_offset = (uint64_t)(uintptr_t)ram - base;
	memblock_reset();
}

struct layout {
	paddr_t base, size; /* host buffer covers this */
	struct prange bank[4]; /* usable memory, up to 4 banks */
	struct prange reserved[4]; /* reserved regions */
};

static void setup(const struct layout *l)
{
	ram_map(l->base, l->size);
	for (unsigned int i = 0; i < 4 && l->bank[i].end; i++)
		memblock_add(l->bank[i].start, l->bank[i].end);
	for (unsigned int i = 0; i < 4 && l->reserved[i].end; i++)
		memblock_reserve(l->reserved[i].start, l->reserved[i].end);
	buddy_init_from_memblock();
}

/* Pages of descriptors for a range of n pages. */
static uint64_t desc_pages(uint64_t n)
{
	return DIV_ROUND_UP(n * sizeof(struct page), PG);
}

/* ---------------------------------------------------------- bug hook */

static unsigned int bugs_seen;
static enum buddy_bug last_bug;
static pfn_t last_bug_pfn;
static unsigned int last_bug_order;

static void bug_hook(enum buddy_bug bug, pfn_t pfn, unsigned int order)
{
	bugs_seen++;
	last_bug = bug;
	last_bug_pfn = pfn;
	last_bug_order = order;
}

static int suite_init(void)
{
	buddy_set_bug_hook(bug_hook);
	return 0;
}

static void suite_exit(void)
{
	buddy_set_bug_hook(NULL);
	free(ram);
	ram = NULL;
}

/* A snapshot of every counter the allocator exposes. */
struct snap {
	struct buddy_stats st;
	uint64_t nr_free[MAX_NR_ZONES][MAX_ORDER + 1];
};

/*
 * Per-hart lists are drained first, so that the histogram compares free
 * blocks as they merge: a page cached in a list still counts in
 * st.free, so a change in free pages is seen either way.
 */
static void snap_take(struct snap *s)
{
	buddy_drain_all_pages();
	memset(s, 0, sizeof(*s));
	buddy_stats(&s->st);
	s->st.bugs = s->st.failures = 0;
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++)
		for (unsigned int o = 0; o <= MAX_ORDER; o++)
			s->nr_free[z][o] = buddy_zone_nr_free(z, o);
}

static bool snap_same(const struct snap *a)
{
	struct snap b;

	snap_take(&b);
	return memcmp(a, &b, sizeof(b)) == 0;
}

/* Expect the call in `stmt` to be reported as `kind` and refused. */
#define EXPECT_REFUSED(t, kind, stmt)                                          \
	do {                                                                   \
		struct snap _before;                                           \
		unsigned int _seen = bugs_seen;                                \
		snap_take(&_before);                                           \
		capture_start(capture_pass_all);                               \
		stmt;                                                          \
		capture_stop();                                                \
		KTEST_EXPECT_EQ(t, bugs_seen, _seen + 1);                      \
		KTEST_EXPECT_EQ(t, last_bug, kind);                            \
		KTEST_EXPECT_EQ(t, capture_count("BUG: "), 1);                 \
		KTEST_EXPECT(t, snap_same(&_before));                          \
		KTEST_EXPECT_EQ(t, buddy_check(), 0);                          \
	} while (0)

/* ---------------------------------------------------------- layouts */

/* 256 KiB bank holding one order-6 block; a 2-page bank for descriptors. */
static const struct layout one_block = {
	.base = 0x80000000,
	.size = 0x80202000 - 0x80000000,
	.bank = { { 0x80000000, 0x80040000 }, { 0x80200000, 0x80202000 } },
};

/* Two banks around a hole below 4 GiB, and two above. */
static const struct layout two_zones = {
	.base = 0xfc000000,
	.size = 0x102000000 - 0xfc000000,
	.bank = { { 0xfc000000, 0xfd000000 },
		  { 0xfd800000, 0xfe000000 },
		  { 0x100000000, 0x101000000 },
		  { 0x101400000, 0x102000000 } },
	.reserved = { { 0xfc200000, 0xfc203000 },
		      { 0xfd8ff000, 0xfd901000 },
		      { 0x100001000, 0x100002000 } },
};

/* ------------------------------------------------------------- cases */

/* Scenario: one bank with reserved regions. Expect present, managed and
 * free counts to match the layout, 32 bytes of metadata per page, a
 * buddyinfo and a meminfo line, and no violation. */
static void init_counts(struct ktest *t)
{
	static const struct layout l = {
		.base = 0x80000000,
		.size = 16 * MB,
		.bank = { { 0x80000000, 0x81000000 } },
		.reserved = { { 0x80000000, 0x80200000 }, /* "kernel" */
			      { 0x80a00800, 0x80a01800 } }, /* 2 pages */
	};
	uint64_t present = 16 * MB / PG;
	uint64_t managed = present - 512 - 2 - desc_pages(present);
	struct buddy_stats st;

	setup(&l);
	buddy_stats(&st);
	KTEST_EXPECT_EQ(t, st.present, present);
	KTEST_EXPECT_EQ(t, st.managed, managed);
	KTEST_EXPECT_EQ(t, st.free, managed);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), managed);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_NORMAL), 0);
	KTEST_EXPECT(t, buddy_zone_present(ZONE_DMA32));
	KTEST_EXPECT(t, !buddy_zone_present(ZONE_NORMAL));
	KTEST_EXPECT_EQ(t, buddy_metadata_per_page(), 32);
	KTEST_EXPECT(t, memblock_is_closed());
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	capture_start(capture_pass_all);
	buddy_print_info();
	capture_stop();
	{
		char want[96];

		snprintf(want, sizeof(want),
			 "meminfo: present=%lu managed=%lu free=%lu pcp=0\n",
			 present, managed, managed);
		KTEST_EXPECT(t, capture_has(want));
	}
	KTEST_EXPECT_EQ(t, capture_count("buddyinfo: zone DMA32 "), 1);
	KTEST_EXPECT_EQ(t, capture_count("buddyinfo: zone Normal"), 0);
}

/* Scenario: a range starting 3 pages past a max-order boundary and
 * ending 5 pages before one. Expect the greedy aligned decomposition:
 * orders 0, 1, 2, ... up to MAX_ORDER, then down again. */
static void init_largest_blocks(struct ktest *t)
{
	paddr_t base = 0x80000000, top = base + 4 * (PG << MAX_ORDER);
	uint64_t n = 4 * (1UL << MAX_ORDER) - 8;
	/* A second bank exactly as large as both descriptor arrays. */
	uint64_t extra = 1, dpages;
	uint64_t want[MAX_ORDER + 1];
	struct layout l;

	while (desc_pages(desc_pages(n) + extra) > extra)
		extra++;
	dpages = desc_pages(n) + extra;
	l = (struct layout){
		.base = base,
		.size = top - base + dpages * PG,
		.bank = { { base + 3 * PG, top - 5 * PG },
			  { top, top + dpages * PG } },
	};
	setup(&l);
	/*
	 * Pages [3, 4 * 2^M - 5): 3 (o0), 4 (o2), 8 (o3) ... 2^(M-1) (o(M-1)),
	 * two blocks of order M, then 3 * 2^M: o(M-1) down to o3, then
	 * o1 and o0 for the last three pages.
	 */
	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		want[o] = 2;
	want[1] = 1;
	want[2] = 1;
	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, o), want[o]);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), n);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: the seed case. A 25 KiB request from the only free block,
 * 256 KiB. Expect 32 KiB given, and 128, 64 and 32 KiB buddies on the
 * free lists at +128, +64 and +32 KiB; freeing it coalesces back to one
 * 256 KiB block. */
static void split_25k_and_coalesce(struct ktest *t)
{
	struct page *page;
	pfn_t base = paddr_to_pfn(0x80000000);

	setup(&one_block);
	KTEST_ASSERT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 6), 1);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 64);
	KTEST_EXPECT_EQ(t, get_order(25 * KB), 3);

	page = alloc_pages(GFP_KERNEL, get_order(25 * KB));
	KTEST_ASSERT_NOT_NULL(t, page);
	KTEST_EXPECT_EQ(t, page_to_pfn(page), base);
	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, o),
				(o >= 3 && o <= 5) ? 1 : 0);
	for (unsigned int o = 3; o <= 5; o++) {
		struct page *b = list_first_entry(
			&buddy.zones[ZONE_DMA32].free_area[o].free_list,
			struct page, lru);

		KTEST_EXPECT_EQ(t, page_to_pfn(b), base + (1UL << o));
	}
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	__free_pages(page, 3);
	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, o),
				o == 6 ? 1 : 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 64);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: all 64 pages of a 256 KiB block allocated one by one, then
 * freed in a random order. Expect lowest-first allocation, every
 * intermediate state consistent, and one 256 KiB block at the end. */
static void coalesce_random_order(struct ktest *t)
{
	struct page *pages[64];
	struct rand_state rs;

	setup(&one_block);
	for (unsigned int i = 0; i < 64; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, pages[i]);
		KTEST_EXPECT_EQ(t, page_to_pfn(pages[i]),
				paddr_to_pfn(0x80000000) + i);
	}
	KTEST_EXPECT(t, alloc_page(GFP_KERNEL | __GFP_NOWARN) == NULL);
	rand_seed(&rs, 64);
	for (unsigned int n = 64; n > 0; n--) {
		unsigned int i = rand_below(&rs, n);

		__free_page(pages[i]);
		pages[i] = pages[n - 1];
		KTEST_ASSERT_EQ(t, buddy_check(), 0);
	}
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 6), 1);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 64);
}

/* Scenario: a block freed twice, and a page freed again after it has
 * coalesced into a larger free block. Expect both reported as double
 * frees with the page's pfn and the caller's address, and refused. */
static void misuse_double_free(struct ktest *t)
{
	struct page *a, *b;
	char want[64];

	setup(&one_block);
	a = alloc_pages(GFP_KERNEL, 1);
	b = alloc_pages(GFP_KERNEL, 1);
	KTEST_ASSERT(t, a && b);
	__free_pages(b, 1);
	EXPECT_REFUSED(t, BUDDY_BUG_DOUBLE_FREE, __free_pages(b, 1));
	snprintf(want, sizeof(want),
		 "BUG: double free pfn 0x%lx order 1 caller 0x",
		 page_to_pfn(b));
	KTEST_EXPECT(t, capture_has(want));
	KTEST_EXPECT_EQ(t, last_bug_pfn, page_to_pfn(b));
	KTEST_EXPECT_EQ(t, last_bug_order, 1);

	__free_pages(a, 1); /* coalesces with b and on up to order 6 */
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 6), 1);
	EXPECT_REFUSED(t, BUDDY_BUG_DOUBLE_FREE, __free_pages(b, 1));
	EXPECT_REFUSED(t, BUDDY_BUG_DOUBLE_FREE, __free_pages(a, 1));
	EXPECT_REFUSED(t, BUDDY_BUG_DOUBLE_FREE,
		       free_page((unsigned long)page_address(a)));
	/* The allocator still works. */
	a = alloc_pages(GFP_KERNEL, 6);
	KTEST_EXPECT(t, a != NULL);
	__free_pages(a, 6);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: an order-2 block freed with orders 1, 3 and MAX_ORDER + 1.
 * Expect each reported (wrong order, invalid order) and refused, and
 * the correct free to work afterwards. */
static void misuse_wrong_order(struct ktest *t)
{
	struct page *p;

	setup(&one_block);
	p = alloc_pages(GFP_KERNEL, 2);
	KTEST_ASSERT_NOT_NULL(t, p);
	EXPECT_REFUSED(t, BUDDY_BUG_WRONG_ORDER, __free_pages(p, 1));
	KTEST_EXPECT_EQ(t,
			capture_count("BUG: free with wrong order "
				      "(allocated with 2) pfn 0x"),
			1);
	EXPECT_REFUSED(t, BUDDY_BUG_WRONG_ORDER, __free_pages(p, 3));
	EXPECT_REFUSED(t, BUDDY_BUG_BAD_ORDER, __free_pages(p, MAX_ORDER + 1));
	EXPECT_REFUSED(t, BUDDY_BUG_WRONG_ORDER,
		       free_pages((unsigned long)page_address(p), 0));
	__free_pages(p, 2);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 6), 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: frees of pages inside an allocated order-3 block, by page
 * and by address, at offsets 1, 2 and 4. Expect each reported as inside
 * a larger block and refused. */
static void misuse_inside_block(struct ktest *t)
{
	struct page *p;
	unsigned long addr;

	setup(&one_block);
	p = alloc_pages(GFP_KERNEL, 3);
	KTEST_ASSERT_NOT_NULL(t, p);
	addr = (unsigned long)page_address(p);
	EXPECT_REFUSED(t, BUDDY_BUG_INSIDE_BLOCK, __free_pages(p + 1, 0));
	KTEST_EXPECT_EQ(t, last_bug_pfn, page_to_pfn(p) + 1);
	EXPECT_REFUSED(t, BUDDY_BUG_INSIDE_BLOCK, __free_pages(p + 2, 1));
	EXPECT_REFUSED(t, BUDDY_BUG_INSIDE_BLOCK, free_pages(addr + 4 * PG, 2));
	__free_pages(p, 3);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: frees of a reserved page (a descriptor page and a reserved
 * region), an unaligned address, an address in a hole, a pointer that
 * is not a descriptor, and NULL. Expect each reported with its kind and
 * refused; free_pages(0) is a silent no-op. */
static void misuse_reserved_unaligned_not_ram(struct ktest *t)
{
	static const struct layout l = {
		.base = 0x80000000,
		.size = 8 * MB,
		.bank = { { 0x80000000, 0x80200000 },
			  { 0x80600000, 0x80800000 } },
		.reserved = { { 0x80100000, 0x80101000 } },
	};
	struct page fake;
	struct page *p, *rsv;
	unsigned long addr;
	unsigned int seen;

	setup(&l);
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	addr = (unsigned long)page_address(p);

	rsv = pfn_to_page(paddr_to_pfn(0x80100000));
	KTEST_ASSERT_NOT_NULL(t, rsv);
	KTEST_EXPECT_EQ(t, rsv->flags, PG_reserved);
	EXPECT_REFUSED(t, BUDDY_BUG_RESERVED, __free_pages(rsv, 0));
	EXPECT_REFUSED(t, BUDDY_BUG_RESERVED,
		       free_page(0x80100000 + va_pa_offset));
	/* The page holding a descriptor array is reserved too. */
	EXPECT_REFUSED(t, BUDDY_BUG_RESERVED, __free_pages(virt_to_page(p), 0));

	EXPECT_REFUSED(t, BUDDY_BUG_UNALIGNED, free_page(addr + 8));
	EXPECT_REFUSED(t, BUDDY_BUG_UNALIGNED, free_page(addr + 1));
	KTEST_EXPECT_EQ(t, last_bug_pfn, page_to_pfn(p));
	EXPECT_REFUSED(t, BUDDY_BUG_UNALIGNED, free_pages(addr + PG / 2, 1));

	EXPECT_REFUSED(t, BUDDY_BUG_NOT_RAM,
		       free_page(0x80400000 + va_pa_offset));
	KTEST_EXPECT_EQ(t, last_bug_pfn, paddr_to_pfn(0x80400000));
	memset(&fake, 0, sizeof(fake));
	EXPECT_REFUSED(t, BUDDY_BUG_NOT_RAM, __free_pages(&fake, 0));
	EXPECT_REFUSED(t, BUDDY_BUG_NOT_RAM, __free_pages(NULL, 0));
	EXPECT_REFUSED(t, BUDDY_BUG_NOT_RAM,
		       __free_pages((struct page *)((char *)p + 8), 0));

	seen = bugs_seen;
	free_pages(0, 0);
	KTEST_EXPECT_EQ(t, bugs_seen, seen);

	free_page(addr);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: owner flags. A slab-like owner sets PG_slab on every page of
 * an order-2 block and PG_tail on its tails. Expect no violation while
 * allocated, the head's flag cleared by the free, and a leftover on a
 * tail reported by buddy_check (I3) until cleared. */
static void owner_flags(struct ktest *t)
{
	struct page *p;

	setup(&one_block);
	p = alloc_pages(GFP_KERNEL, 2);
	KTEST_ASSERT_NOT_NULL(t, p);
	for (unsigned int i = 0; i < 4; i++)
		p[i].flags |= PG_slab | (i ? PG_tail : 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	for (unsigned int i = 1; i < 4; i++)
		p[i].flags &= ~PG_tail;
	for (unsigned int i = 1; i < 3; i++)
		p[i].flags &= ~PG_slab;
	__free_pages(p, 2);
	KTEST_EXPECT_EQ(t, p->flags & PG_slab, 0);
	capture_start(capture_pass_all);
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	capture_stop();
	KTEST_EXPECT_EQ(t, capture_count("buddy_check: I3 "), 1);
	p[3].flags = 0;
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: memory exhausted. Expect NULL with one "page allocation
 * failure" line per failure (none with __GFP_NOWARN), rate limiting
 * under a flood, order > MAX_ORDER refused the same way, nothing
 * corrupted, and allocation working again after a free. */
static void alloc_failure(struct ktest *t)
{
	struct page *all[64], *p;
	struct buddy_stats st;
	unsigned int n = 0;

	setup(&one_block);
	while ((p = alloc_page(GFP_KERNEL | __GFP_NOWARN)))
		all[n++] = p;
	KTEST_ASSERT_EQ(t, n, 64);

	capture_start(capture_pass_all);
	p = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	capture_stop();
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, capture_len(), 0);

	capture_start(capture_pass_all);
	p = alloc_pages(GFP_KERNEL, 2);
	capture_stop();
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t,
			capture_count("page allocation failure: order:2, "
				      "gfp:0x10\n"),
			1);
	capture_start(capture_pass_all);
	p = alloc_pages(GFP_DMA32 | __GFP_ZERO, MAX_ORDER + 1);
	capture_stop();
	KTEST_EXPECT(t, p == NULL);
	KTEST_EXPECT_EQ(t, capture_count("page allocation failure: "), 1);
	KTEST_EXPECT_EQ(t, capture_count(":0x3\n"), 1);

	capture_start(capture_pass_all);
	for (int i = 0; i < 5000; i++)
		KTEST_ASSERT(t, alloc_page(GFP_ATOMIC) == NULL);
	capture_stop();
	KTEST_EXPECT_LE(t, capture_count("page allocation failure: "), 20);
	KTEST_EXPECT_GE(t, capture_count("page allocation failure: "), 5);
	buddy_stats(&st);
	KTEST_EXPECT_EQ(t, st.failures, 1 + 1 + 1 + 1 + 5000);
	KTEST_EXPECT_EQ(t, st.free, 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);

	__free_page(all[17]);
	p = alloc_page(GFP_KERNEL);
	KTEST_EXPECT(t, p == all[17]);
	for (unsigned int i = 0; i < n; i++)
		__free_page(all[i]);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 6), 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static bool all_bytes(const void *p, int c, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return false;
	return true;
}

/* Scenario: blocks dirtied, freed and reallocated with __GFP_ZERO, and
 * get_zeroed_page. Expect every byte zero. */
static void zeroed_pages(struct ktest *t)
{
	struct page *p;
	unsigned long a;

	setup(&one_block);
	p = alloc_pages(GFP_KERNEL, 3);
	KTEST_ASSERT_NOT_NULL(t, p);
	memset(page_address(p), 0xa5, 8 * PG);
	__free_pages(p, 3);
	p = alloc_pages(GFP_KERNEL | __GFP_ZERO, 3);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT(t, all_bytes(page_address(p), 0, 8 * PG));
	memset(page_address(p), 0x5a, 8 * PG);
	__free_pages(p, 3);
	a = get_zeroed_page(GFP_KERNEL);
	KTEST_ASSERT(t, a != 0);
	KTEST_EXPECT(t, all_bytes((void *)a, 0, PG));
	free_page(a);
	a = __get_free_pages(GFP_KERNEL, 1);
	KTEST_ASSERT(t, a != 0);
	KTEST_EXPECT_EQ(t, a % (2 * PG), ((uintptr_t)ram) % (2 * PG));
	free_pages(a, 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: conversions over three banks with holes. Expect pfn, page,
 * address round trips on every page, and NULL/false in the holes. */
static void conversions(struct ktest *t)
{
	setup(&two_zones);
	for (unsigned int b = 0; b < 4; b++) {
		pfn_t s = paddr_to_pfn(two_zones.bank[b].start);
		pfn_t e = paddr_to_pfn(two_zones.bank[b].end);

		for (pfn_t pfn = s; pfn < e; pfn++) {
			struct page *p = pfn_to_page(pfn);
			void *va = phys_to_virt(pfn_to_paddr(pfn));

			KTEST_ASSERT(t, p && pfn_valid(pfn));
			KTEST_ASSERT_EQ(t, page_to_pfn(p), pfn);
			KTEST_ASSERT(t, page_address(p) == va);
			KTEST_ASSERT(t, virt_to_page(va) == p);
			KTEST_ASSERT(t, virt_to_page((char *)va + PG - 1) == p);
			KTEST_ASSERT_EQ(t, p->zone,
					pfn < BUDDY_DMA32_END_PFN
						? ZONE_DMA32
						: ZONE_NORMAL);
		}
		KTEST_EXPECT(t, !pfn_valid(e));
		KTEST_EXPECT(t, pfn_to_page(e) == NULL);
		KTEST_EXPECT(t, !pfn_valid(s - 1));
	}
	KTEST_EXPECT(t, virt_to_page(phys_to_virt(0xff000000)) == NULL);
	KTEST_EXPECT(t, pfn_to_page(0) == NULL);
	KTEST_EXPECT(t, pfn_to_page(~(pfn_t)0) == NULL);
	KTEST_EXPECT_EQ(t, buddy.nr_ranges, 4);
}

/* Does [pfn, pfn + n) stay inside one bank and off every reservation? */
static bool block_is_clean(const struct layout *l, pfn_t pfn, pfn_t n)
{
	paddr_t s = pfn_to_paddr(pfn), e = pfn_to_paddr(pfn + n);
	bool in_bank = false;

	for (unsigned int i = 0; i < 4 && l->bank[i].end; i++)
		if (s >= l->bank[i].start && e <= l->bank[i].end)
			in_bank = true;
	for (unsigned int i = 0; i < 4 && l->reserved[i].end; i++)
		if (s < l->reserved[i].end && e > l->reserved[i].start)
			return false;
	return in_bank && (s >= SZ_4G || e <= SZ_4G);
}

/* Scenario: banks with holes and reserved regions in both zones. Expect
 * no free block to straddle a hole, a reservation or 4 GiB; the same for
 * every block handed out while everything is allocated in mixed orders;
 * and the histogram back to its boot value after all is freed. */
static void holes_and_reserved(struct ktest *t)
{
	static struct page *held[1 << 15];
	static unsigned int held_order[1 << 15];
	struct snap boot;
	unsigned int n = 0;

	setup(&two_zones);
	snap_take(&boot);
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++)
		for (unsigned int o = 0; o <= MAX_ORDER; o++) {
			struct list_head *e;

			list_for_each (e,
				       &buddy.zones[z].free_area[o].free_list) {
				struct page *p =
					list_entry(e, struct page, lru);

				KTEST_ASSERT(t, block_is_clean(&two_zones,
							       page_to_pfn(p),
							       1UL << o));
			}
		}
	for (int o = MAX_ORDER; o >= 0; o--) {
		struct page *p;

		while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, o))) {
			KTEST_ASSERT(t, n < ARRAY_SIZE(held));
			KTEST_ASSERT(t,
				     block_is_clean(&two_zones, page_to_pfn(p),
						    1UL << o));
			held[n] = p;
			held_order[n++] = o;
		}
	}
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_NORMAL), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	while (n--)
		__free_pages(held[n], held_order[n]);
	KTEST_EXPECT(t, snap_same(&boot));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: GFP_KERNEL and GFP_DMA32 with memory on both sides of 4 GiB.
 * Expect GFP_KERNEL to use NORMAL until it is empty and then fall back
 * to DMA32; GFP_DMA32 never to return memory at or above 4 GiB and to
 * fail once DMA32 is empty although NORMAL has memory; two buddyinfo
 * lines. */
static void zones_dma32_normal(struct ktest *t)
{
	static struct page *held[1 << 14];
	unsigned int n = 0;
	uint64_t dma_free, normal_free;
	struct page *p;

	setup(&two_zones);
	dma_free = buddy_zone_free(ZONE_DMA32);
	normal_free = buddy_zone_free(ZONE_NORMAL);
	KTEST_ASSERT(t, dma_free > 0 && normal_free > 0);
	capture_start(capture_pass_all);
	buddy_print_info();
	capture_stop();
	KTEST_EXPECT_EQ(t, capture_count("buddyinfo: zone DMA32 "), 1);
	KTEST_EXPECT_EQ(t, capture_count("buddyinfo: zone Normal "), 1);

	/* GFP_KERNEL drains NORMAL first, then DMA32. */
	for (uint64_t i = 0; i < normal_free; i++) {
		p = alloc_page(GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_ASSERT(t, page_to_pfn(p) >= BUDDY_DMA32_END_PFN);
		held[n++] = p;
	}
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), dma_free);
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_LT(t, page_to_pfn(p), BUDDY_DMA32_END_PFN);
	__free_page(p);
	while (n)
		__free_page(held[--n]);

	/* GFP_DMA32 drains DMA32 only, then fails. */
	for (int o = MAX_ORDER; o >= 0; o--)
		while ((p = alloc_pages(GFP_DMA32 | __GFP_NOWARN, o))) {
			KTEST_ASSERT_OP(
				t, pfn_to_paddr(page_to_pfn(p)) + (PG << o), <=,
				SZ_4G);
			held[n++] = p;
			KTEST_ASSERT(t, n < ARRAY_SIZE(held));
			p->private = o; /* lru and private are ours now */
		}
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_NORMAL), normal_free);
	KTEST_EXPECT(t, alloc_page(GFP_DMA32 | __GFP_NOWARN) == NULL);
	p = alloc_page(GFP_ATOMIC);
	KTEST_EXPECT(t, p && page_to_pfn(p) >= BUDDY_DMA32_END_PFN);
	__free_page(p);
	while (n) {
		p = held[--n];
		__free_pages(p, (unsigned int)p->private);
	}
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), dma_free);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: one bank crossing 4 GiB. Expect it cut into two ranges, one
 * per zone, no block crossing 4 GiB, and both zones usable. */
static void bank_across_4g(struct ktest *t)
{
	static const struct layout l = {
		.base = 0xff000000,
		.size = 32 * MB,
		.bank = { { 0xff000000, 0x101000000 } },
	};
	struct page *p;

	setup(&l);
	KTEST_ASSERT_EQ(t, buddy.nr_ranges, 2);
	KTEST_EXPECT(t, buddy_ranges[0].zone == &buddy.zones[ZONE_DMA32]);
	KTEST_EXPECT_EQ(t, buddy_ranges[1].start_pfn, BUDDY_DMA32_END_PFN);
	KTEST_EXPECT(t, buddy_ranges[1].zone == &buddy.zones[ZONE_NORMAL]);
	KTEST_EXPECT_EQ(t, buddy_zone_free(ZONE_DMA32), 16 * MB / PG);
	/* The page just below 4 GiB and the one at 4 GiB never merge. */
	p = pfn_to_page(BUDDY_DMA32_END_PFN - 1);
	KTEST_EXPECT(t, p->zone == ZONE_DMA32 &&
				pfn_to_page(BUDDY_DMA32_END_PFN)->range !=
					p->range);
	while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER)))
		KTEST_ASSERT(t, page_to_pfn(p) >= BUDDY_DMA32_END_PFN ||
					page_to_pfn(p) + (1UL << MAX_ORDER) <=
						BUDDY_DMA32_END_PFN);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: a bank starting one page past an aligned boundary, so the
 * buddy of its first page (pfn - 1) is outside the range, and the bytes
 * where that buddy's descriptor would be made to look like a free head
 * of the same order. Expect the free not to look outside the range: the
 * page stays an order-0 block and the allocator consistent.
 */
static void range_edge_never_merges(struct ktest *t)
{
	static const struct layout l = {
		.base = 0x80000000,
		.size = 0x80104000 - 0x80000000,
		.bank = { { 0x80001000, 0x80020000 }, /* pfns 0x80001.. */
			  { 0x80100000, 0x80104000 } },
	};
	struct page *p, *fake;

	setup(&l);
	KTEST_ASSERT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 0), 1);
	p = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_ASSERT_EQ(t, page_to_pfn(p), 0x80001);
	KTEST_ASSERT(t, p == buddy_ranges[0].map);
	/* The 32 bytes before map[0] are reserved memory (another map's page). */
	fake = p - 1;
	KTEST_ASSERT(t, virt_to_page(fake) &&
				virt_to_page(fake)->flags == PG_reserved);
	memset(fake, 0, sizeof(*fake));
	fake->flags = PG_buddy;
	fake->order = 0;
	fake->private = BUDDY_FREE_POISON;
	INIT_LIST_HEAD(&fake->lru);
	__free_page(p);
	KTEST_EXPECT_EQ(t, p->flags, PG_buddy);
	KTEST_EXPECT_EQ(t, p->order, 0);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 0), 1);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Scenario: deliberate corruption of free-list metadata. Expect
 * buddy_check to report each (and the allocator's checker to be able to
 * fail), then 0 once repaired. */
static void check_detects_corruption(struct ktest *t)
{
	struct zone *z;
	struct page *p, *q;
	uint64_t saved;

	setup(&one_block);
	q = alloc_pages(GFP_KERNEL, 3); /* free lists: o3, o4, o5 */
	KTEST_ASSERT_NOT_NULL(t, q);
	z = &buddy.zones[ZONE_DMA32];
	p = list_first_entry(&z->free_area[4].free_list, struct page, lru);

	capture_start(capture_pass_all);
	p->private = 0; /* I9 */
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	p->private = BUDDY_FREE_POISON;
	saved = z->free_area[4].nr_free; /* I4 */
	z->free_area[4].nr_free = 100;
	KTEST_EXPECT_GE(t, buddy_check(), 2); /* and I6: 1600 > 64 */
	z->free_area[4].nr_free = saved;
	p->order = 3; /* I3 alignment? no: I4 wrong list, I8 tiling */
	KTEST_EXPECT_GE(t, buddy_check(), 2);
	p->order = 4;
	(p + 5)->flags = PG_head; /* I3: flags inside a free block */
	KTEST_EXPECT_GE(t, buddy_check(), 1);
	(p + 5)->flags = 0;
	(p + 5)->range = 7; /* I2 */
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	(p + 5)->range = 0;
	z->managed_pages++; /* I6 */
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	z->managed_pages--;
	capture_stop();
	KTEST_EXPECT(t, capture_count("buddy_check: I9 ") >= 1);
	KTEST_EXPECT(t, capture_count("buddy_check: I4 ") >= 1);
	KTEST_EXPECT(t, capture_count("buddy_check: I2 ") >= 1);
	KTEST_EXPECT(t, capture_count("buddy_check: I6 ") >= 1);
	/* Unmerged buddies (I5): free q by hand without merging. */
	capture_start(capture_pass_all);
	q->flags = PG_buddy;
	q->private = BUDDY_FREE_POISON;
	list_add(&q->lru, &z->free_area[3].free_list);
	z->free_area[3].nr_free++;
	KTEST_EXPECT_GE(t, buddy_check(), 1);
	capture_stop();
	KTEST_EXPECT(t, capture_count("buddy_check: I5 ") >= 1);
	list_del(&q->lru);
	z->free_area[3].nr_free--;
	q->flags = PG_head;
	__free_pages(q, 3);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	KTEST_EXPECT_EQ(t, buddy_zone_nr_free(ZONE_DMA32, 6), 1);
}

/* ------------------------------------------------------ section map */

#define SEC_BYTES SECTION_SIZE /* 128 MiB */

/* The descriptor of pfn by a linear scan of the ranges: the reference. */
static struct page *ref_page(pfn_t pfn)
{
	for (unsigned int i = 0; i < buddy.nr_ranges; i++) {
		const struct buddy_range *r = &buddy_ranges[i];

		if (pfn >= r->start_pfn && pfn - r->start_pfn < r->nr_pages)
			return &r->map[pfn - r->start_pfn];
	}
	return NULL;
}

/* Section table entry of the section holding pfn (pfn >= base_pfn). */
static struct page *sec_entry(pfn_t pfn)
{
	return mem_sections.section_map[(pfn - mem_sections.base_pfn) >>
					SECTION_PFN_SHIFT];
}

/*
 * Every conversion of every pfn in [lo, hi) against the reference:
 * pfn_to_page, pfn_valid, virt_to_page of the page's first and last
 * byte, and for RAM page_to_pfn and page_address back. Returns the
 * number of pfns where any of them disagrees (and prints the first).
 */
static unsigned long lookup_mismatches(pfn_t lo, pfn_t hi)
{
	unsigned long bad = 0;

	for (pfn_t pfn = lo; pfn < hi; pfn++) {
		struct page *ref = ref_page(pfn);
		char *va = phys_to_virt(pfn_to_paddr(pfn));
		bool ok = pfn_to_page(pfn) == ref && pfn_valid(pfn) == !!ref &&
			  virt_to_page(va) == ref &&
			  virt_to_page(va + PG - 1) == ref;

		if (ref)
			ok = ok && page_to_pfn(ref) == pfn &&
			     page_address(ref) == va;
		if (!ok && bad++ == 0)
			printf("# lookup mismatch at pfn 0x%lx (%s)\n", pfn,
			       ref ? "RAM" : "not RAM");
	}
	return bad;
}

/*
 * Scenario: one bank from 1 MiB before a section boundary to 1 MiB after
 * the next, so it covers one section wholly and two partly. Expect
 * base_pfn rounded down to a section, a fast entry (the range's encoded
 * map) only for the whole section, 0 for the partial ones, every
 * conversion exact on both sides of each bank edge (no pointer for the
 * hole pfns of the partial sections), and no violation.
 */
static void sections_whole_and_partial(struct ktest *t)
{
	static const struct layout l = {
		.base = 0x87f00000,
		.size = SEC_BYTES + 2 * MB,
		.bank = { { 0x87f00000, 0x90100000 } },
	};
	pfn_t s = paddr_to_pfn(0x87f00000), e = paddr_to_pfn(0x90100000);
	pfn_t whole = paddr_to_pfn(0x88000000);

	setup(&l);
	KTEST_ASSERT_EQ(t, buddy.nr_ranges, 1);
	KTEST_EXPECT_EQ(t, mem_sections.base_pfn, paddr_to_pfn(0x80000000));
	KTEST_EXPECT(t, mem_sections.base_va ==
				(uintptr_t)phys_to_virt(0x80000000));
	KTEST_EXPECT_EQ(t, mem_sections.range_map[0],
			(uintptr_t)buddy_ranges[0].map -
				(s - mem_sections.base_pfn) *
					sizeof(struct page));
	KTEST_EXPECT_EQ(t, mem_sections.section_map[0], 0);
	KTEST_EXPECT_EQ(t, mem_sections.section_map[1],
			mem_sections.range_map[0]);
	KTEST_EXPECT_EQ(t, mem_sections.section_map[2], 0);
	for (unsigned int i = 3; i < NR_MEM_SECTIONS; i++)
		KTEST_ASSERT_EQ(t, mem_sections.section_map[i], 0);
	KTEST_EXPECT(t, sec_entry(whole) && !sec_entry(e - 1));

	/* Edges of the bank, in its partial sections. */
	KTEST_EXPECT_EQ(t, lookup_mismatches(s - 64, s + 64), 0);
	KTEST_EXPECT_EQ(t, lookup_mismatches(e - 64, e + 64), 0);
	KTEST_EXPECT(t, !pfn_valid(s - 1) && pfn_to_page(s - 1) == NULL);
	KTEST_EXPECT(t, !pfn_valid(e) && pfn_to_page(e) == NULL);
	KTEST_EXPECT(t, !pfn_valid(paddr_to_pfn(0x80000000)));
	/* The whole bank, and the whole of its partial sections. */
	KTEST_EXPECT_EQ(
		t,
		lookup_mismatches(mem_sections.base_pfn,
				  mem_sections.base_pfn + 3 * SECTION_PAGES),
		0);
	/* The whole section's first and last pages take the fast path. */
	KTEST_EXPECT(t, pfn_to_page(whole) == ref_page(whole));
	KTEST_EXPECT(t, pfn_to_page(whole + SECTION_PAGES - 1) ==
				ref_page(whole + SECTION_PAGES - 1));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: two banks inside one section with a hole between them, and
 * a third in the next section. Expect both sections' entries 0 (they
 * are partial), pfn_valid false and NULL for every hole pfn, true with
 * the right descriptor for every bank pfn, and no violation.
 */
static void sections_shared_partial(struct ktest *t)
{
	static const struct layout l = {
		.base = 0x80000000,
		.size = SEC_BYTES + 4 * MB,
		.bank = { { 0x80000000, 0x80400000 },
			  { 0x80800000, 0x80c00000 },
			  { 0x88001000, 0x88400000 } },
	};
	pfn_t base = paddr_to_pfn(0x80000000);

	setup(&l);
	KTEST_ASSERT_EQ(t, buddy.nr_ranges, 3);
	KTEST_EXPECT_EQ(t, mem_sections.base_pfn, base);
	KTEST_EXPECT_EQ(t, mem_sections.section_map[0], 0);
	KTEST_EXPECT_EQ(t, mem_sections.section_map[1], 0);
	KTEST_EXPECT(t, !pfn_valid(paddr_to_pfn(0x80400000)));
	KTEST_EXPECT(t, !pfn_valid(paddr_to_pfn(0x807ff000)));
	KTEST_EXPECT(t, pfn_to_page(paddr_to_pfn(0x80600000)) == NULL);
	KTEST_EXPECT(t, virt_to_page(phys_to_virt(0x80600000)) == NULL);
	KTEST_EXPECT(t, !pfn_valid(paddr_to_pfn(0x88000000)));
	KTEST_EXPECT(t, pfn_valid(paddr_to_pfn(0x88001000)));
	KTEST_EXPECT_EQ(t, lookup_mismatches(base, base + 2 * SECTION_PAGES),
			0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: a 2 MiB bank, a hole of two whole sections and more, then a
 * bank of exactly one section. Expect the hole's sections to have 0
 * entries and no descriptors (32 bytes of descriptors per present page,
 * none for the hole), the last section a fast entry, every conversion
 * exact from the first bank to past the last, and no violation.
 */
static void sections_hole_spanning(struct ktest *t)
{
	static const struct layout l = {
		.base = 0x80000000,
		.size = 4 * SEC_BYTES,
		.bank = { { 0x80000000, 0x80200000 },
			  { 0x98000000, 0xa0000000 } },
	};
	pfn_t base = paddr_to_pfn(0x80000000);
	pfn_t present = (2 * MB + SEC_BYTES) / PG;

	setup(&l);
	KTEST_ASSERT_EQ(t, buddy.nr_ranges, 2);
	KTEST_EXPECT_EQ(t, buddy.desc_bytes, present * sizeof(struct page));
	KTEST_EXPECT_EQ(t, buddy_metadata_per_page(), sizeof(struct page));
	KTEST_EXPECT_EQ(t, mem_sections.section_map[0], 0); /* partial */
	KTEST_EXPECT_EQ(t, mem_sections.section_map[1], 0); /* hole */
	KTEST_EXPECT_EQ(t, mem_sections.section_map[2], 0); /* hole */
	KTEST_EXPECT_EQ(t, mem_sections.section_map[3],
			mem_sections.range_map[1]);
	for (pfn_t pfn = base + 512; pfn < base + 3 * SECTION_PAGES;
	     pfn += 4099)
		KTEST_ASSERT(t, !pfn_valid(pfn));
	KTEST_EXPECT(t, !pfn_valid(base + 3 * SECTION_PAGES - 1));
	KTEST_EXPECT(t, pfn_valid(base + 3 * SECTION_PAGES));
	KTEST_EXPECT_EQ(
		t, lookup_mismatches(base, base + 4 * SECTION_PAGES + 8), 0);
	KTEST_EXPECT(t, pfn_to_page(base + 4 * SECTION_PAGES) == NULL);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: one bank of two sections around 4 GiB. Expect the split
 * into a DMA32 and a NORMAL range to fall on the section boundary, each
 * section a fast entry for its own range, descriptors of the right zone
 * on both sides, pages from GFP_DMA32 and GFP_KERNEL found again by
 * address, and no violation.
 */
static void sections_dma32_normal_split(struct ktest *t)
{
	static const struct layout l = {
		.base = SZ_4G - SEC_BYTES,
		.size = 2 * SEC_BYTES,
		.bank = { { SZ_4G - SEC_BYTES, SZ_4G + SEC_BYTES } },
	};
	pfn_t split = BUDDY_DMA32_END_PFN;
	struct page *lo, *hi;

	setup(&l);
	KTEST_ASSERT_EQ(t, buddy.nr_ranges, 2);
	KTEST_EXPECT_EQ(t, mem_sections.base_pfn, split - SECTION_PAGES);
	KTEST_EXPECT_EQ(t, mem_sections.section_map[0],
			mem_sections.range_map[0]);
	KTEST_EXPECT_EQ(t, mem_sections.section_map[1],
			mem_sections.range_map[1]);
	KTEST_EXPECT(t, mem_sections.range_map[0] != mem_sections.range_map[1]);
	KTEST_EXPECT(t, pfn_to_page(split - 1)->zone == ZONE_DMA32);
	KTEST_EXPECT(t, pfn_to_page(split)->zone == ZONE_NORMAL);
	KTEST_EXPECT_EQ(t, pfn_to_page(split - 1)->range, 0);
	KTEST_EXPECT_EQ(t, pfn_to_page(split)->range, 1);
	KTEST_EXPECT_EQ(t, lookup_mismatches(split - 4096, split + 4096), 0);

	lo = alloc_pages(GFP_DMA32, 3);
	hi = alloc_pages(GFP_KERNEL, 3);
	KTEST_ASSERT(t, lo && hi);
	KTEST_EXPECT_LT(t, page_to_pfn(lo), split);
	KTEST_EXPECT_GE(t, page_to_pfn(hi), split);
	for (unsigned int i = 0; i < 8; i++) {
		KTEST_EXPECT(t, virt_to_page((char *)page_address(lo) + i * PG +
					     5) == lo + i);
		KTEST_EXPECT(t, virt_to_page((char *)page_address(hi) + i * PG +
					     5) == hi + i);
	}
	__free_pages(lo, 3);
	__free_pages(hi, 3);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Scenario: banks at random page boundaries within three sections (up
 * to four banks, some crossing section boundaries, some sharing one),
 * 40 layouts. Expect every conversion of every pfn of the three
 * sections and beyond to agree with a linear scan of the ranges, and no
 * violation.
 */
static void sections_random_layouts(struct ktest *t)
{
	const pfn_t span = 3 * SECTION_PAGES;
	struct rand_state rs;
	struct layout l;

	rand_seed(&rs, 0x5ec7);
	for (unsigned int round = 0; round < 40; round++) {
		pfn_t cut[8];
		unsigned int n = 2 + 2 * (unsigned int)rand_below(&rs, 4);

		/* n distinct sorted cuts; banks are [cut0, cut1), ... */
		for (unsigned int i = 0; i < n; i++) {
			pfn_t c = rand_below(&rs, 4) == 0
					  ? rand_below(&rs, 4) * SECTION_PAGES
					  : rand_below(&rs, span + 1);
			unsigned int j = i;

			while (j > 0 && cut[j - 1] > c) {
				cut[j] = cut[j - 1];
				j--;
			}
			cut[j] = c;
		}
		memset(&l, 0, sizeof(l));
		l.base = 0x100000000;
		l.size = span * PG;
		for (unsigned int i = 0, b = 0; i < n; i += 2) {
			/* Keep banks big enough to hold their descriptors. */
			if (cut[i + 1] - cut[i] < 64)
				continue;
			l.bank[b].start = l.base + cut[i] * PG;
			l.bank[b++].end = l.base + cut[i + 1] * PG;
		}
		if (!l.bank[0].end)
			l.bank[0] = (struct prange){ l.base, l.base + 64 * PG };
		setup(&l);
		if (lookup_mismatches(paddr_to_pfn(l.base) - 8,
				      paddr_to_pfn(l.base) + span + 8) != 0 ||
		    buddy_check() != 0) {
			ktest_fail(t, __FILE__, __LINE__,
				   "layout %u (%u ranges) failed", round,
				   buddy.nr_ranges);
			break;
		}
	}
}

/*
 * Scenario: damage to the lookup tables: a section entry, a range's
 * encoded map, base_pfn. Expect buddy_check() to report each as I10,
 * once, and 0 again once repaired.
 */
static void check_detects_bad_sections(struct ktest *t)
{
	static const struct layout l = {
		.base = 0x87f00000,
		.size = SEC_BYTES + 2 * MB,
		.bank = { { 0x87f00000, 0x90100000 } },
	};
	struct page *saved;

	setup(&l);
	capture_start(capture_pass_all);
	saved = mem_sections.section_map[1];
	mem_sections.section_map[1] = NULL; /* a whole section as partial */
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	mem_sections.section_map[1] = saved + 1;
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	mem_sections.section_map[1] = saved;
	mem_sections.section_map[2] = saved; /* a partial section as fast */
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	mem_sections.section_map[2] = NULL;
	mem_sections.section_map[500] = saved; /* a hole as RAM */
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	mem_sections.section_map[500] = NULL;
	mem_sections.range_map[0]++;
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	mem_sections.range_map[0]--;
	mem_sections.range_map[1] = saved; /* past the last range */
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	mem_sections.range_map[1] = NULL;
	mem_sections.base_pfn += SECTION_PAGES;
	KTEST_EXPECT_EQ(t, buddy_check(), 1);
	mem_sections.base_pfn -= SECTION_PAGES;
	capture_stop();
	KTEST_EXPECT_EQ(t, capture_count("buddy_check: I10 "), 7);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* ------------------------------------------------- reference-model run */

enum { M_HOLE = 0, M_FREE, M_USED, M_RESV };

struct model {
	const struct layout *l;
	pfn_t base;
	pfn_t n;
	uint8_t *state; /* per pfn - base */
	uint8_t *bank; /* bank index + 1, 0 in holes */
	uint64_t free;
	struct held {
		pfn_t pfn;
		unsigned int order;
		uint64_t stamp;
	} * held;
	unsigned int nheld, max_held;
};

static void model_init(struct model *m, const struct layout *l,
		       unsigned int max_held)
{
	m->l = l;
	m->base = paddr_to_pfn(l->base);
	m->n = l->size / PG;
	m->state = calloc(m->n, 1);
	m->bank = calloc(m->n, 1);
	m->held = calloc(max_held, sizeof(*m->held));
	m->nheld = 0;
	m->max_held = max_held;
	m->free = 0;
	for (pfn_t i = 0; i < m->n; i++) {
		struct page *p = pfn_to_page(m->base + i);

		if (!p)
			continue;
		m->bank[i] = (uint8_t)(p->range + 1);
		m->state[i] = (p->flags & PG_reserved) ? M_RESV : M_FREE;
		m->free += m->state[i] == M_FREE;
	}
}

static void model_fini(struct model *m)
{
	free(m->state);
	free(m->bank);
	free(m->held);
}

/* Is there a free, aligned 2^order run in one range (and zone set)? */
static bool model_fits(const struct model *m, unsigned int order, pfn_t lo_pfn,
		       pfn_t hi_pfn)
{
	pfn_t size = 1UL << order;
	pfn_t first = ALIGN_UP(MAX(m->base, lo_pfn), size);

	for (pfn_t h = first; h + size <= MIN(m->base + m->n, hi_pfn);
	     h += size) {
		pfn_t i = h - m->base, k;

		for (k = 0; k < size; k++)
			if (m->state[i + k] != M_FREE ||
			    m->bank[i + k] != m->bank[i])
				break;
		if (k == size)
			return true;
	}
	return false;
}

static uint64_t *stamp_at(pfn_t pfn, unsigned int order, bool last)
{
	char *va = phys_to_virt(pfn_to_paddr(pfn));

	return (uint64_t *)(va + (last ? (PG << order) - 8 : 0));
}

/*
 * One random step; returns false (after a failed expectation) to stop.
 * Operations: allocate (orders skewed small, all orders possible, in
 * either zone), free a random held block, or a refused misuse.
 */
static bool model_step(struct ktest *t, struct model *m, struct rand_state *rs,
		       uint64_t step)
{
	/* Alternate filling and draining phases of 20000 steps. */
	unsigned int alloc_weight = ((step / 20000) & 1) ? 100 : 170;
	unsigned int r = rand_below(rs, 256);
	int fails = t->failures;

	if (r < 4 && m->nheld) {
		/* Misuse: wrong order or a page inside the block. */
		struct held *h = &m->held[rand_below(rs, m->nheld)];
		struct page *p = pfn_to_page(h->pfn);
		unsigned int seen = bugs_seen;

		if (h->order > 0 && (r & 1)) {
			__free_pages(p + 1, 0);
			KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_INSIDE_BLOCK);
		} else {
			__free_pages(p, h->order < MAX_ORDER ? h->order + 1
							     : h->order - 1);
			KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_WRONG_ORDER);
		}
		KTEST_EXPECT_EQ(t, bugs_seen, seen + 1);
	} else if (r < 6) {
		/* Misuse: free a page the model knows is free. */
		pfn_t i = rand_below(rs, m->n);
		unsigned int seen = bugs_seen;

		if (m->state[i] == M_FREE) {
			__free_pages(pfn_to_page(m->base + i), 0);
			KTEST_EXPECT_EQ(t, bugs_seen, seen + 1);
			KTEST_EXPECT_EQ(t, last_bug, BUDDY_BUG_DOUBLE_FREE);
		}
	} else if (r < 6 + alloc_weight && m->nheld < m->max_held) {
		unsigned int sel = rand_below(rs, 16), order;
		gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
		pfn_t lo = 0, hi = ~(pfn_t)0;
		struct page *p;

		order = sel < 8	   ? rand_below(rs, 3)
			: sel < 14 ? rand_below(rs, 7)
				   : rand_below(rs, MAX_ORDER + 1);
		if (rand_below(rs, 4) == 0) {
			gfp = GFP_DMA32 | __GFP_NOWARN;
			hi = BUDDY_DMA32_END_PFN;
		}
		if (order <= 3 && rand_below(rs, 16) == 0)
			gfp |= __GFP_ZERO;
		p = alloc_pages(gfp, order);
		if (!p) {
			/* Failure only when no suitable run exists. */
			KTEST_EXPECT(t, !model_fits(m, order, lo, hi));
		} else {
			pfn_t pfn = page_to_pfn(p), i = pfn - m->base;
			struct held *h = &m->held[m->nheld++];

			KTEST_EXPECT(t,
				     pfn >= m->base && pfn + (1UL << order) <=
							       m->base + m->n);
			if (t->failures != fails)
				return false;
			KTEST_EXPECT_EQ(t, pfn & ((1UL << order) - 1), 0);
			KTEST_EXPECT_LE(t, pfn + (1UL << order), hi);
			for (pfn_t k = 0; k < (1UL << order); k++) {
				KTEST_EXPECT_EQ(t, m->state[i + k], M_FREE);
				KTEST_EXPECT_EQ(t, m->bank[i + k], m->bank[i]);
				m->state[i + k] = M_USED;
			}
			/* GFP_KERNEL prefers NORMAL. */
			if (!(gfp & __GFP_DMA32) && pfn < BUDDY_DMA32_END_PFN)
				KTEST_EXPECT(t, !model_fits(m, order,
							    BUDDY_DMA32_END_PFN,
							    ~(pfn_t)0));
			if (gfp & __GFP_ZERO)
				KTEST_EXPECT(t, all_bytes(page_address(p), 0,
							  PG << order));
			m->free -= 1UL << order;
			h->pfn = pfn;
			h->order = order;
			h->stamp = rand_next(rs);
			*stamp_at(pfn, order, false) = h->stamp;
			*stamp_at(pfn, order, true) = ~h->stamp;
		}
	} else if (m->nheld) {
		unsigned int k = rand_below(rs, m->nheld);
		struct held h = m->held[k];
		pfn_t i = h.pfn - m->base;

		KTEST_EXPECT_EQ(t, *stamp_at(h.pfn, h.order, false), h.stamp);
		KTEST_EXPECT_EQ(t, *stamp_at(h.pfn, h.order, true), ~h.stamp);
		if ((r & 7) == 0)
			free_pages(
				(unsigned long)page_address(pfn_to_page(h.pfn)),
				h.order);
		else
			__free_pages(pfn_to_page(h.pfn), h.order);
		for (pfn_t j = 0; j < (1UL << h.order); j++)
			m->state[i + j] = M_FREE;
		m->free += 1UL << h.order;
		m->held[k] = m->held[--m->nheld];
	}
	if (buddy_zone_free(ZONE_DMA32) + buddy_zone_free(ZONE_NORMAL) !=
	    m->free)
		ktest_fail(t, __FILE__, __LINE__,
			   "step %lu: free %lu, model %lu", step,
			   buddy_zone_free(ZONE_DMA32) +
				   buddy_zone_free(ZONE_NORMAL),
			   m->free);
	if (t->failures != fails)
		ktest_info(t, "at step %lu", step);
	return t->failures == fails;
}

static void model_drain(struct ktest *t, struct model *m)
{
	while (m->nheld) {
		struct held *h = &m->held[--m->nheld];

		KTEST_EXPECT_EQ(t, *stamp_at(h->pfn, h->order, false),
				h->stamp);
		__free_pages(pfn_to_page(h->pfn), h->order);
	}
}

/* Small memory: a bank of one max-order block (4 MiB by default), a hole,
 * and a 1 MiB + 20 KiB bank with 8 KiB reserved inside. */
#define SMALL_B (0x80000000 + 2 * (PG << MAX_ORDER))
static const struct layout small_mem = {
	.base = 0x80000000,
	.size = SMALL_B + 0x106000 - 0x80000000,
	.bank = { { 0x80000000, 0x80000000 + (PG << MAX_ORDER) },
		  { SMALL_B, SMALL_B + 0x105000 } },
	.reserved = { { SMALL_B + 0x41000, SMALL_B + 0x43000 } },
};

/* Scenario: 1,000,000 random allocations (orders 0..MAX_ORDER, both
 * GFP flavours, some zeroed), frees and refused misuses on small memory,
 * checked against a page model with buddy_check() after every step.
 * Expect success exactly when the model has a free aligned run, blocks
 * that never overlap or straddle, intact stamps, equal free counts, no
 * violation, and the boot histogram back after everything is freed. */
static void random_1m_checked(struct ktest *t)
{
	struct rand_state rs;
	struct model m;
	struct snap boot;
	uint64_t step;
	unsigned int orders_seen = 0;

	setup(&small_mem);
	snap_take(&boot);
	model_init(&m, &small_mem, 4096);
	rand_seed(&rs, 0xb0dd1e);
	/* Keep the expected BUG lines out of the log. */
	capture_start(capture_pass_not_bug);
	for (step = 0; step < 1000000; step++) {
		unsigned int before = m.nheld;

		if (!model_step(t, &m, &rs, step))
			break;
		if (m.nheld > before)
			orders_seen |= 1u << m.held[m.nheld - 1].order;
		if (buddy_check() != 0) {
			ktest_fail(t, __FILE__, __LINE__,
				   "buddy_check failed at step %lu", step);
			break;
		}
	}
	capture_stop();
	KTEST_EXPECT_EQ(t, step, 1000000);
	KTEST_EXPECT_EQ(t, orders_seen, (1u << (MAX_ORDER + 1)) - 1);
	model_drain(t, &m);
	KTEST_EXPECT(t, snap_same(&boot));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	model_fini(&m);
}

/* Scenario: 300,000 random steps over 80 MiB in two zones with holes and
 * reservations, buddy_check() every 1000 steps. Expect the same
 * agreement with the model as on small memory. */
static void random_two_zones(struct ktest *t)
{
	struct rand_state rs;
	struct model m;
	struct snap boot;
	uint64_t step;

	setup(&two_zones);
	snap_take(&boot);
	model_init(&m, &two_zones, 16384);
	rand_seed(&rs, 0x20e5);
	capture_start(capture_pass_not_bug);
	for (step = 0; step < 300000; step++) {
		if (!model_step(t, &m, &rs, step))
			break;
		if (step % 1000 == 0 && buddy_check() != 0) {
			ktest_fail(t, __FILE__, __LINE__,
				   "buddy_check failed at step %lu", step);
			break;
		}
	}
	capture_stop();
	KTEST_EXPECT_EQ(t, step, 300000);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	model_drain(t, &m);
	KTEST_EXPECT(t, snap_same(&boot));
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	model_fini(&m);
}

/* ------------------------------------------------------------ locking */

static bool zones_unlocked(void)
{
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++)
		if (spin_is_locked(&buddy.zones[z].lock))
			return false;
	return true;
}

static unsigned int hook_allocs;
static bool hook_saw_unlocked;

/* A bug hook that uses the allocator: legal, the hook runs unlocked. */
static void allocating_hook(enum buddy_bug bug, pfn_t pfn, unsigned int order)
{
	struct page *p;

	bug_hook(bug, pfn, order);
	hook_saw_unlocked = zones_unlocked();
	p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
	if (p) {
		hook_allocs++;
		__free_pages(p, 0);
	}
}

/*
 * Scenario: every path through the API in both zones: fast and split
 * allocations, __GFP_ZERO, the fallback from NORMAL to DMA32, failures
 * (with and without a warning), merging frees, and each kind of refused
 * free, with a bug hook that itself allocates and frees a page. Expect
 * both zone locks free after every call and inside the hook (a hook
 * holding a zone lock would end in a recursion panic), the hook's own
 * allocations to work, the zone locks named "zone DMA32" and "zone
 * Normal", no spinlock BUG, and buddy_check() == 0.
 */
static void locks_released_on_every_path(struct ktest *t)
{
	unsigned long spin_bugs = spin_bug_count();
	struct page *p, *q, *held[64];
	unsigned int n = 0;

	setup(&two_zones);
	KTEST_EXPECT_STREQ(t, buddy.zones[ZONE_DMA32].lock.name, "zone DMA32");
	KTEST_EXPECT_STREQ(t, buddy.zones[ZONE_NORMAL].lock.name,
			   "zone Normal");
	buddy_set_bug_hook(allocating_hook);
	hook_allocs = 0;
	hook_saw_unlocked = false;

	p = alloc_pages(GFP_KERNEL, 0); /* split */
	q = alloc_pages(GFP_KERNEL, 0); /* exact order */
	KTEST_ASSERT(t, p && q && zones_unlocked());
	__free_pages(q, 0);
	KTEST_EXPECT(t, zones_unlocked());
	q = alloc_pages(GFP_DMA32 | __GFP_ZERO, 3);
	KTEST_ASSERT(t, q && zones_unlocked());
	__free_pages(q, 3);
	/* Empty NORMAL at MAX_ORDER, so that the next one falls back. */
	while (n < ARRAY_SIZE(held) &&
	       buddy_zone_nr_free(ZONE_NORMAL, MAX_ORDER) > 0)
		held[n++] = alloc_pages(GFP_KERNEL, MAX_ORDER);
	q = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER);
	KTEST_EXPECT(t, zones_unlocked());
	KTEST_EXPECT(t, q == NULL || page_to_pfn(q) < BUDDY_DMA32_END_PFN);
	if (q)
		__free_pages(q, MAX_ORDER);
	while (n)
		__free_pages(held[--n], MAX_ORDER);
	capture_start(capture_pass_not_bug);
	KTEST_EXPECT(t, alloc_pages(GFP_KERNEL, MAX_ORDER + 1) == NULL);
	KTEST_EXPECT(t, zones_unlocked());

	__free_pages(p, 0);
	__free_pages(p, 0); /* double free */
	KTEST_EXPECT(t, zones_unlocked());
	p = alloc_pages(GFP_KERNEL, 2);
	KTEST_ASSERT(t, p != NULL);
	__free_pages(p, 1); /* wrong order */
	__free_pages(p + 1, 0); /* inside a block */
	__free_pages(p, MAX_ORDER + 1); /* invalid order */
	free_page((unsigned long)page_address(p) + 8); /* unaligned */
	__free_pages(NULL, 0); /* not RAM */
	KTEST_EXPECT(t, zones_unlocked());
	__free_pages(p, 2);
	capture_stop();
	buddy_set_bug_hook(bug_hook);

	KTEST_EXPECT_EQ(t, hook_allocs, 6);
	KTEST_EXPECT(t, hook_saw_unlocked);
	KTEST_EXPECT(t, zones_unlocked());
	KTEST_EXPECT_EQ(t, spin_bug_count(), spin_bugs);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static const struct ktest_case buddy_cases[] = {
	KTEST_CASE(init_counts),
	KTEST_CASE(init_largest_blocks),
	KTEST_CASE(split_25k_and_coalesce),
	KTEST_CASE(coalesce_random_order),
	KTEST_CASE(misuse_double_free),
	KTEST_CASE(misuse_wrong_order),
	KTEST_CASE(misuse_inside_block),
	KTEST_CASE(misuse_reserved_unaligned_not_ram),
	KTEST_CASE(owner_flags),
	KTEST_CASE(alloc_failure),
	KTEST_CASE(zeroed_pages),
	KTEST_CASE(conversions),
	KTEST_CASE(holes_and_reserved),
	KTEST_CASE(zones_dma32_normal),
	KTEST_CASE(bank_across_4g),
	KTEST_CASE(range_edge_never_merges),
	KTEST_CASE(check_detects_corruption),
	KTEST_CASE(sections_whole_and_partial),
	KTEST_CASE(sections_shared_partial),
	KTEST_CASE(sections_hole_spanning),
	KTEST_CASE(sections_dma32_normal_split),
	KTEST_CASE(sections_random_layouts),
	KTEST_CASE(check_detects_bad_sections),
	KTEST_CASE(random_1m_checked),
	KTEST_CASE(random_two_zones),
	KTEST_CASE(locks_released_on_every_path),
	KTEST_END,
};
static const struct ktest_suite buddy_suite = { "buddy", buddy_cases,
						suite_init, suite_exit };

KTEST_HOST_MAIN(&buddy_suite)
