// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the buddy page allocator (mm/buddy.c,
 * mm/buddy_pcp.c, mm/buddy_check.c) and the memblock allocator it is
 * built from.
 *
 * Scenario: fake physical memory of two top-order blocks (2^MAX_ORDER
 * pages each: 8 MiB at MAX_ORDER 10, 2 MiB in the fuzz build's
 * MAX_ORDER 8) straddles 4 GiB, so both zones exist and each can hold
 * a top-order block. It is small on purpose: buddy_check() walks every
 * page after every operation, and a small machine runs out sooner.
 * Each input starts with a header that lays out up to
 * three RAM banks (the first at least 1/16 of it, for the descriptors) and
 * up to two reserved regions inside it; the buddy allocator is built
 * afresh from memblock for every input. Then each operation is one of
 *   alloc_pages / __get_free_pages / get_zeroed_page (orders up to
 *   MAX_ORDER + 1, GFP_KERNEL, GFP_ATOMIC, GFP_DMA32, __GFP_ZERO),
 *   __free_pages / free_pages of a live block,
 *   a misuse: a free of any (pfn, order) that is not a live block (a
 *   double free, a wrong order, a page inside a block, a reserved page,
 *   a hole, memory outside RAM, an unaligned address, an order above
 *   MAX_ORDER),
 *   draining the per-hart lists, checking every live block's contents,
 *   printing buddyinfo and the memblock ranges.
 *
 * The reference model holds every live block (pfn, order, fill tag)
 * and the state of every page of the fake memory (hole, reserved,
 * usable). Expect, after every operation: buddy_check() finds nothing;
 * free pages equal managed pages minus the live ones; a new block is
 * aligned to its order, lies in usable RAM of an allowed zone and
 * overlaps no live block, and is zeroed when asked; a failed allocation
 * of a valid order leaves no free block that could have served it; a
 * misuse gives exactly one report through the bug hook and changes no
 * counter; each block keeps its fill pattern until freed; freeing
 * everything gives every managed page back.
 *
 * Built with FUZZ_BUDDY_POLICIES (mm/tests/fuzz_buddy_policy.c), the
 * input's first byte also picks the buddy policy (binary, Fibonacci,
 * weighted, tertiary) and the model asks the allocator's policy what a
 * block of each order is (buddy_order_pages()); alignment to the block's
 * size is expected under binary only.
 */
#include <string.h>

#include "mm/buddy.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/tests/fuzz_ops.h"
#include "mm/tests/host_arch.h"

#ifdef FUZZ_BUDDY_POLICIES
const char *fuzz_name = "fuzz_buddy_policy";
#else
const char *fuzz_name = "fuzz_buddy";
#endif

#define RAM_PAGES (2UL << MAX_ORDER)
#define RAM_BASE (0x100000000UL - RAM_PAGES / 2 * PAGE_SIZE) /* half below 4G */
#define RAM_END (RAM_BASE + RAM_PAGES * PAGE_SIZE)
#define BASE_PFN (RAM_BASE >> PAGE_SHIFT)
#define DMA32_END_PFN (0x100000000UL >> PAGE_SHIFT)
#define MAX_RESERVES 2 /* reserved regions, at most */
#define MAX_RESERVE_PAGES 16 /* pages per reserved region, at most */
/*
 * Room for the descriptors (and tags) even when every reserved region
 * lands in bank 0: buddy_init_from_memblock() would rightly panic on a
 * layout with no room, which is not what this target tests.
 */
#define MIN_BANK0_PAGES (RAM_PAGES / 16 + MAX_RESERVES * MAX_RESERVE_PAGES)
#define LIVE_MAX 64

enum page_kind { PAGE_HOLE, PAGE_RESERVED, PAGE_USABLE };

static uint8_t kind[RAM_PAGES];

static struct live {
	pfn_t pfn;
	unsigned int order;
	uint64_t tag;
} live[LIVE_MAX];
static unsigned int nr_live;
static uint64_t live_pages, next_tag;

static unsigned int bugs_seen;
static enum buddy_bug last_bug;

static void bug_hook(enum buddy_bug bug, pfn_t pfn, unsigned int order)
{
	(void)pfn;
	(void)order;
	bugs_seen++;
	last_bug = bug;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup_output();
	host_phys_init(RAM_BASE, RAM_PAGES * PAGE_SIZE);
	buddy_set_bug_hook(bug_hook);
	return 0;
}

/* Pages of the block alloc_pages(order) gives under the policy. */
static unsigned long blk(unsigned int order)
{
	return (unsigned long)buddy_order_pages(order);
}

static uint64_t *page_words(pfn_t pfn)
{
	return phys_to_virt(pfn_to_paddr(pfn));
}

#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))

/* First and last word of every page of the block carry its pattern. */
static void fill(const struct live *l)
{
	for (unsigned long i = 0; i < blk(l->order); i++) {
		uint64_t *w = page_words(l->pfn + i);

		w[0] = fuzz_pattern(l->tag, 2 * i);
		w[WORDS_PER_PAGE - 1] = fuzz_pattern(l->tag, 2 * i + 1);
	}
}

static void verify(const struct live *l)
{
	for (unsigned long i = 0; i < blk(l->order); i++) {
		uint64_t *w = page_words(l->pfn + i);

		CHECK(w[0] == fuzz_pattern(l->tag, 2 * i) &&
			      w[WORDS_PER_PAGE - 1] ==
				      fuzz_pattern(l->tag, 2 * i + 1),
		      "block pfn 0x%lx order %u: page %lu overwritten",
		      (unsigned long)l->pfn, l->order, i);
	}
}

/* The live block (pfn, order) exactly, or -1. */
static int find_live(pfn_t pfn, unsigned int order)
{
	for (unsigned int i = 0; i < nr_live; i++)
		if (live[i].pfn == pfn && live[i].order == order)
			return (int)i;
	return -1;
}

static void check_state(void)
{
	struct buddy_stats st;
	int bad = buddy_check();

	CHECK(bad == 0, "buddy_check found %d violations", bad);
	buddy_stats(&st);
	CHECK(st.free + live_pages == st.managed,
	      "free %llu + live %llu != managed %llu",
	      (unsigned long long)st.free, (unsigned long long)live_pages,
	      (unsigned long long)st.managed);
}

/* A new block from the allocator: check it against the model, keep it. */
static void took(struct page *page, unsigned int order, gfp_t gfp)
{
	pfn_t pfn = page_to_pfn(page);
	unsigned long n;
	struct live *l;

	CHECK(order <= MAX_ORDER, "order %u served", order);
	n = blk(order);
	CHECK(n >= 1UL << order, "order %u served by %lu pages", order, n);
	CHECK(!buddy_blocks_aligned() || (pfn & (n - 1)) == 0,
	      "pfn 0x%lx misaligned for order %u", (unsigned long)pfn, order);
	CHECK(pfn >= BASE_PFN && pfn + n <= BASE_PFN + RAM_PAGES,
	      "pfn 0x%lx order %u outside RAM", (unsigned long)pfn, order);
	if (gfp & __GFP_DMA32)
		CHECK(pfn + n <= DMA32_END_PFN, "GFP_DMA32 got pfn 0x%lx",
		      (unsigned long)pfn);
	for (unsigned long i = 0; i < n; i++)
		CHECK(kind[pfn - BASE_PFN + i] == PAGE_USABLE,
		      "pfn 0x%lx (kind %u) handed out", (unsigned long)pfn + i,
		      kind[pfn - BASE_PFN + i]);
	for (unsigned int i = 0; i < nr_live; i++)
		CHECK(pfn + n <= live[i].pfn ||
			      live[i].pfn + blk(live[i].order) <= pfn,
		      "pfn 0x%lx order %u overlaps live 0x%lx order %u",
		      (unsigned long)pfn, order, (unsigned long)live[i].pfn,
		      live[i].order);
	if (gfp & __GFP_ZERO) {
		static const uint8_t zero[PAGE_SIZE];

		for (unsigned long i = 0; i < n; i++)
			CHECK(memcmp(page_words(pfn + i), zero, PAGE_SIZE) == 0,
			      "__GFP_ZERO block pfn 0x%lx: page %lu not zero",
			      (unsigned long)pfn, i);
	}
	if (nr_live == LIVE_MAX) { /* no room in the model: give it back */
		__free_pages(page, order);
		return;
	}
	l = &live[nr_live++];
	l->pfn = pfn;
	l->order = order;
	l->tag = ++next_tag;
	live_pages += n;
	fill(l);
}

/* After a failure of a valid order: nothing that could serve it is free. */
static void check_failure(unsigned int order, gfp_t gfp)
{
	unsigned int want =
		buddy_policy_class_for(buddy_active_policy(), 1UL << order);

	buddy_drain_all_pages();
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		if (z != ZONE_DMA32 && (gfp & __GFP_DMA32))
			continue;
		for (unsigned int o = want; o < buddy_nr_classes(); o++)
			CHECK(buddy_zone_nr_free(z, o) == 0,
			      "order %u failed with %llu free blocks of class "
			      "%u in zone %u",
			      order,
			      (unsigned long long)buddy_zone_nr_free(z, o), o,
			      z);
	}
}

static const gfp_t gfps[] = {
	GFP_KERNEL,
	GFP_ATOMIC,
	GFP_DMA32,
	GFP_KERNEL | __GFP_ZERO,
	GFP_DMA32 | GFP_ATOMIC | __GFP_ZERO,
	GFP_KERNEL | __GFP_NOWARN,
};

static void op_alloc(struct fuzz_in *in, bool by_address)
{
	gfp_t gfp = gfps[fuzz_below(in, ARRAY_SIZE(gfps))];
	unsigned int order = fuzz_below(in, MAX_ORDER + 2);
	struct page *page;

	/* Small orders are the common case; keep big ones rarer. */
	if (order > 3 && (fuzz_u8(in) & 3))
		order &= 3;
	if (by_address) {
		unsigned long addr = order == 0 && (gfp & __GFP_ZERO)
					     ? get_zeroed_page(gfp)
					     : __get_free_pages(gfp, order);

		page = addr ? virt_to_page((void *)addr) : NULL;
		if (addr)
			CHECK(page && page_address(page) == (void *)addr,
			      "address 0x%lx has no head page", addr);
	} else {
		page = alloc_pages(gfp, order);
	}
	if (page)
		took(page, order, gfp);
	else if (order <= MAX_ORDER)
		check_failure(order, gfp);
}

static void drop(unsigned int i)
{
	live_pages -= blk(live[i].order);
	live[i] = live[--nr_live];
}

static void op_free(struct fuzz_in *in, bool by_address)
{
	unsigned int i;
	struct live *l;

	if (!nr_live)
		return;
	i = fuzz_below(in, nr_live);
	l = &live[i];
	verify(l);
	if (by_address)
		free_pages((unsigned long)page_words(l->pfn), l->order);
	else
		__free_pages(pfn_to_page(l->pfn), l->order);
	drop(i);
}

/*
 * A free of something that is not a live block: the pfn comes from a
 * live block (its head with another order, or a page inside it), from
 * a freed one, or anywhere in or around the fake memory.
 */
static void op_bad_free(struct fuzz_in *in)
{
	uint8_t how = fuzz_u8(in);
	unsigned int order = fuzz_below(in, MAX_ORDER + 3);
	unsigned int off = fuzz_u16(in);
	unsigned long addr;
	struct buddy_stats before, after;
	unsigned int seen = bugs_seen;
	struct page *page;
	pfn_t pfn;

	if (nr_live && how < 128) {
		const struct live *l = &live[off % nr_live];

		pfn = l->pfn + ((how & 1) ? (off >> 6) % blk(l->order) : 0);
	} else if (how < 224) {
		pfn = BASE_PFN + off % RAM_PAGES;
	} else {
		/* Below, above, or far away from the fake memory. */
		pfn = how & 1 ? BASE_PFN - 1 - (off & 1023)
			      : BASE_PFN + RAM_PAGES + off;
	}
	if (find_live(pfn, order) >= 0)
		return; /* that would be a correct free */
	buddy_stats(&before);
	addr = (unsigned long)page_words(pfn);
	page = pfn_to_page(pfn);
	if ((how & 6) == 6 || !page) /* by address, maybe unaligned */
		free_pages(addr + ((how & 8) ? off % PAGE_SIZE : 0), order);
	else
		__free_pages(page, order);
	buddy_stats(&after);
	CHECK(bugs_seen == seen + 1,
	      "free of pfn 0x%lx order %u (how %u): %u reports",
	      (unsigned long)pfn, order, how, bugs_seen - seen);
	CHECK(after.free == before.free && after.managed == before.managed,
	      "refused free of pfn 0x%lx changed free %llu -> %llu",
	      (unsigned long)pfn, (unsigned long long)before.free,
	      (unsigned long long)after.free);
	CHECK(after.bugs == before.bugs + 1, "bug counter %llu -> %llu",
	      (unsigned long long)before.bugs, (unsigned long long)after.bugs);
}

static void op_misc(struct fuzz_in *in)
{
	switch (fuzz_u8(in) % 5) {
	case 0:
		buddy_drain_local_pages();
		break;
	case 4:
		memblock_dump(); /* closed: what it handed over */
		break;
	case 1:
		buddy_drain_all_pages();
		break;
	case 2:
		for (unsigned int i = 0; i < nr_live; i++)
			verify(&live[i]);
		break;
	default:
		buddy_print_info();
		break;
	}
}

/* Mark [start, start + n) pages of the fake memory as `k` in the model. */
static void mark(unsigned long start, unsigned long n, enum page_kind k)
{
	for (unsigned long i = start; i < start + n && i < RAM_PAGES; i++)
		if (k == PAGE_USABLE || kind[i] != PAGE_HOLE)
			kind[i] = (uint8_t)k;
}

/* Banks and reserved regions from the header, then a fresh allocator. */
static void setup(struct fuzz_in *in)
{
	unsigned int nbanks;

#ifdef FUZZ_BUDDY_POLICIES
	CHECK(buddy_select_policy((enum buddy_policy_id)fuzz_below(
		      in, BUDDY_NR_POLICIES)) == 0,
	      "buddy_select_policy failed");
#endif
	nbanks = 1 + fuzz_below(in, 3);
	unsigned int nres = fuzz_below(in, MAX_RESERVES + 1);

	memset(kind, PAGE_HOLE, sizeof(kind));
	memblock_reset();
	for (unsigned int b = 0; b < nbanks; b++) {
		unsigned long start = fuzz_below(in, RAM_PAGES);
		unsigned long n = 1 + fuzz_below(in, RAM_PAGES);

		if (b == 0) {
			n = MIN_BANK0_PAGES + n % (RAM_PAGES - MIN_BANK0_PAGES);
			start %= RAM_PAGES - n + 1;
		}
		n = MIN(n, RAM_PAGES - start);
		CHECK(memblock_add(RAM_BASE + start * PAGE_SIZE,
				   RAM_BASE + (start + n) * PAGE_SIZE) == 0,
		      "memblock_add of bank %u failed", b);
		mark(start, n, PAGE_USABLE);
	}
	for (unsigned int r = 0; r < nres; r++) {
		unsigned long start = fuzz_below(in, RAM_PAGES);
		unsigned long n = 1 + fuzz_below(in, MAX_RESERVE_PAGES);

		n = MIN(n, RAM_PAGES - start);
		CHECK(memblock_reserve(RAM_BASE + start * PAGE_SIZE,
				       RAM_BASE + (start + n) * PAGE_SIZE) == 0,
		      "memblock_reserve %u failed", r);
		mark(start, n, PAGE_RESERVED);
	}
	buddy_init_from_memblock();
	nr_live = 0;
	live_pages = 0;
	check_state();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct buddy_stats st;

	setup(&in);
	for (unsigned int n = 0; n < FUZZ_OPS_MAX && !fuzz_done(&in); n++) {
		switch (fuzz_u8(&in) % 8) {
		case 0:
		case 1:
			op_alloc(&in, false);
			break;
		case 2:
			op_alloc(&in, true);
			break;
		case 3:
		case 4:
			op_free(&in, false);
			break;
		case 5:
			op_free(&in, true);
			break;
		case 6:
			op_bad_free(&in);
			break;
		default:
			op_misc(&in);
			break;
		}
		check_state();
	}
	while (nr_live)
		op_free(&(struct fuzz_in){ NULL, 0 }, false);
	buddy_drain_all_pages();
	buddy_stats(&st);
	CHECK(st.free == st.managed && st.pcp == 0,
	      "after freeing everything: free %llu managed %llu pcp %llu",
	      (unsigned long long)st.free, (unsigned long long)st.managed,
	      (unsigned long long)st.pcp);
	check_state();
	return 0;
}
