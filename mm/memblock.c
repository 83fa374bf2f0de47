// SPDX-License-Identifier: BSD-2-Clause
/*
 * memblock: the early boot allocator, after Linux's mm/memblock.c.
 *
 * Theory of operation
 * -------------------
 * Before the buddy allocator exists, physical memory is two lists of
 * page-aligned half-open ranges:
 *
 *   memory    usable RAM, from the device tree's /memory nodes
 *   reserved  what must never be handed out: /reserved-memory children,
 *             memreserve entries, the blob, the kernel image, firmware,
 *             and everything memblock_alloc() has given out
 *
 *   memory    [=========]      [==================]
 *   reserved      [=]    [==]        [====]
 *   free      [==]   [==]      [=====]    [=======]   memory - reserved
 *
 * Free memory is never stored: memblock_free_range() computes it by
 * walking both sorted lists together. memblock_alloc() takes the highest
 * free range that fits below a limit (top-down, as Linux does, so that
 * low memory stays free for devices that need it) and reserves it.
 *
 * The buddy allocator builds its page descriptors with memblock_alloc(),
 * takes every free range, and calls memblock_close(). From then on the
 * lists are a read-only record of the boot-time map; allocating or
 * changing them is refused, because the buddy allocator owns the pages.
 *
 * Table sizes: each list starts in a static array of
 * MEMBLOCK_INIT_REGIONS ranges, or in arrays the caller sized from its
 * memory map (memblock_use_storage()). Once every boot reservation is
 * in and free memory is reachable through the linear map
 * (memblock_allow_resize(), as in Linux), a full list doubles instead
 * of failing: the new array is taken from free memory top-down, clear
 * of the range being added, and reserved, as Linux's
 * memblock_double_array() does. The old array, when it was itself
 * allocated, stays reserved (less than the new one's size is lost).
 *
 *   reserved: [r0 r1 ... r127] full -> alloc 2 x 128 entries, copy,
 *             reserve the new array (the list has room for it now)
 *
 * Invariants (memblock_check() cites them)
 *   I1  each list is sorted by address, and its ranges are non-empty,
 *       disjoint and not adjacent (adjacent or overlapping ranges are
 *       merged as they are added).
 *   I2  every range starts and ends on a page boundary (memory is
 *       trimmed inward, reservations are widened outward).
 *   I3  each list holds at most max ranges (MEMBLOCK_INIT_REGIONS,
 *       doubled by each resize).
 *
 * Reserved ranges may lie partly or wholly outside memory; they then
 * simply take nothing away.
 *
 * Locking: none. memblock runs before the other harts start and asserts
 * that it does: every call that changes the lists (reset, add, reserve,
 * alloc, close) panics unless it runs on the boot CPU (cpu_id() == 0).
 * A call on another hart while memblock is open means a secondary hart
 * was started before the hand-over to buddy, which would race on the
 * lists unseen. After memblock_close() the lists never change again, so
 * the queries may run on any hart; add, reserve and alloc after the
 * close are refused as before, on any hart, without the assertion.
 *
 * Failure modes: a full list that cannot double (resizing not allowed
 * yet, or no free memory for the new array) makes add/reserve return
 * -ENOSPC and leaves the list unchanged; an allocation that does not
 * fit returns PADDR_INVALID; calls after memblock_close() are refused
 * (-EBUSY or PADDR_INVALID) with one "memblock: ..." line.
 */
#include "mm/memblock.h"

#include "lib/assert.h"
#include "lib/cpu.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/linear.h"

struct memblock_type {
	const char *name;
	unsigned int nr, max; /* ranges in r[], its capacity (I3) */
	struct prange *r;
	struct prange *init; /* the static array r starts in */
};

static struct prange mb_memory_init[MEMBLOCK_INIT_REGIONS];
static struct prange mb_reserved_init[MEMBLOCK_INIT_REGIONS];
static struct memblock_type mb_memory = { "memory", 0, MEMBLOCK_INIT_REGIONS,
					  mb_memory_init, mb_memory_init };
static struct memblock_type mb_reserved = {
	"reserved", 0, MEMBLOCK_INIT_REGIONS, mb_reserved_init, mb_reserved_init
};
static bool mb_closed, mb_can_resize;

/*
 * Always on: the caller of a mutating call (named fn) is the boot CPU.
 * memblock has no lock because only the boot hart ever runs it.
 */
static void assert_boot_cpu(const char *fn)
{
	unsigned int cpu = cpu_id();

	if (unlikely(cpu != 0))
		panic("%s: called on CPU %u (hart %lu); memblock runs on the "
		      "boot CPU before the other harts start",
		      fn, cpu, cpu_hartid());
}

/*
 * For add, reserve and alloc, which are refused once memblock is closed
 * (on any hart, since the lists no longer change): while it is open,
 * they must run on the boot CPU.
 */
static void assert_open_on_boot_cpu(const char *fn)
{
	if (!mb_closed)
		assert_boot_cpu(fn);
}

/* Empty, back in its static array (a grown one is simply forgotten). */
static void type_reset(struct memblock_type *t)
{
	t->nr = 0;
	t->max = MEMBLOCK_INIT_REGIONS;
	t->r = t->init;
}

void memblock_reset(void)
{
	assert_boot_cpu(__func__);
	type_reset(&mb_memory);
	type_reset(&mb_reserved);
	mb_closed = false;
	mb_can_resize = false;
}

void memblock_allow_resize(void)
{
	assert_boot_cpu(__func__);
	mb_can_resize = true;
}

void memblock_use_storage(struct prange *memory, unsigned int nr_memory,
			  struct prange *reserved, unsigned int nr_reserved)
{
	assert_boot_cpu(__func__);
	VERIFY(mb_memory.nr == 0 && mb_reserved.nr == 0 && !mb_closed);
	mb_memory.r = memory;
	mb_memory.max = nr_memory;
	mb_reserved.r = reserved;
	mb_reserved.max = nr_reserved;
}

static int type_add(struct memblock_type *t, paddr_t start, paddr_t end);
static paddr_t find_top_down(size_t size, size_t align, paddr_t limit,
			     paddr_t avoid_start, paddr_t avoid_end);

/*
 * Double t's array (full, I3) into free memory outside [avoid_start,
 * avoid_end) (the range being added), then reserve the new array. For
 * the memory list, the reserved list first gets room for that
 * reservation, so the new array is never handed out twice.
 */
static int type_grow(struct memblock_type *t, paddr_t avoid_start,
		     paddr_t avoid_end)
{
	size_t size = 2 * (size_t)t->max * sizeof(t->r[0]);
	struct prange *r;
	paddr_t pa;
	int err;

	if (!mb_can_resize)
		return -ENOSPC;
	if (t != &mb_reserved && mb_reserved.nr == mb_reserved.max) {
		err = type_grow(&mb_reserved, avoid_start, avoid_end);
		if (err)
			return err;
	}
	pa = find_top_down(size, PAGE_SIZE, 0, avoid_start, avoid_end);
	if (pa == PADDR_INVALID)
		return -ENOSPC;
	r = phys_to_virt(pa);
	memcpy(r, t->r, t->nr * sizeof(r[0]));
	t->r = r;
	t->max *= 2;
	/* Cannot fail: reserved has room now (I3). */
	return type_add(&mb_reserved, pa, pa + ALIGN_UP(size, PAGE_SIZE));
}

void memblock_close(void)
{
	assert_boot_cpu(__func__);
	mb_closed = true;
}

bool memblock_is_closed(void)
{
	return mb_closed;
}

/*
 * Insert [start, end) into t, merging with every range it overlaps or
 * touches (I1). The list is unchanged when it fails.
 */
static int type_add(struct memblock_type *t, paddr_t start, paddr_t end)
{
	unsigned int i, j;

	/* Ranges i..j-1 overlap or touch [start, end). */
	for (i = 0; i < t->nr && t->r[i].end < start; i++)
		;
	for (j = i; j < t->nr && t->r[j].start <= end; j++) {
		start = MIN(start, t->r[j].start);
		end = MAX(end, t->r[j].end);
	}
	if (j == i && t->nr == t->max) {
		int err = type_grow(t, start, end);

		/* The lists may have changed: start again. */
		return err ? err : type_add(t, start, end);
	}
	if (j == i) {
		memmove(&t->r[i + 1], &t->r[i], (t->nr - i) * sizeof(t->r[0]));
		t->nr++;
	} else {
		memmove(&t->r[i + 1], &t->r[j], (t->nr - j) * sizeof(t->r[0]));
		t->nr -= j - i - 1;
	}
	t->r[i].start = start;
	t->r[i].end = end;
	return 0;
}

static bool refuse_closed(const char *what, paddr_t start, paddr_t end)
{
	if (!mb_closed)
		return false;
	printk("memblock: %s [mem 0x%016lx-0x%016lx] after hand-over to "
	       "buddy refused\n",
	       what, start, end - 1);
	return true;
}

int memblock_add(paddr_t start, paddr_t end)
{
	paddr_t s = ALIGN_UP(start, PAGE_SIZE);
	paddr_t e = ALIGN_DOWN(end, PAGE_SIZE);

	assert_open_on_boot_cpu(__func__);
	if (end <= start || s < start || e <= s)
		return -EINVAL;
	if (refuse_closed("add", start, end))
		return -EBUSY;
	return type_add(&mb_memory, s, e);
}

int memblock_reserve(paddr_t start, paddr_t end)
{
	paddr_t s = ALIGN_DOWN(start, PAGE_SIZE);
	paddr_t e = ALIGN_UP(end, PAGE_SIZE);

	assert_open_on_boot_cpu(__func__);
	if (end <= start)
		return -EINVAL;
	if (e < end) /* the last page wraps around: reserve up to the top */
		e = PAGE_MASK;
	if (e <= s)
		return 0; /* only the unrepresentable top page: not RAM */
	if (refuse_closed("reserve", start, end))
		return -EBUSY;
	return type_add(&mb_reserved, s, e);
}

/*
 * The i-th free range: memory minus reserved, in address order. Walks
 * both sorted lists once; O(nr memory + nr reserved).
 */
bool memblock_free_range(unsigned int i, struct prange *out)
{
	unsigned int m, r = 0;

	for (m = 0; m < mb_memory.nr; m++) {
		paddr_t cur = mb_memory.r[m].start;
		paddr_t end = mb_memory.r[m].end;

		while (cur < end) {
			paddr_t stop = end;

			/* Skip reservations wholly below cur. */
			while (r < mb_reserved.nr &&
			       mb_reserved.r[r].end <= cur)
				r++;
			if (r < mb_reserved.nr &&
			    mb_reserved.r[r].start <= cur) {
				cur = mb_reserved.r[r].end;
				continue;
			}
			if (r < mb_reserved.nr && mb_reserved.r[r].start < end)
				stop = mb_reserved.r[r].start;
			if (i-- == 0) {
				out->start = cur;
				out->end = stop;
				return true;
			}
			cur = stop;
		}
	}
	return false;
}

bool memblock_memory_range(unsigned int i, struct prange *out)
{
	if (i >= mb_memory.nr)
		return false;
	*out = mb_memory.r[i];
	return true;
}

/*
 * The highest free place for size bytes (page multiple) below limit
 * that does not overlap [avoid_start, avoid_end).
 */
static paddr_t find_top_down(size_t size, size_t align, paddr_t limit,
			     paddr_t avoid_start, paddr_t avoid_end)
{
	struct prange fr;
	unsigned int n, i;

	for (n = 0; memblock_free_range(n, &fr); n++)
		;
	for (i = n; i-- > 0;) {
		paddr_t top, pa;

		memblock_free_range(i, &fr);
		top = limit ? MIN(fr.end, limit) : fr.end;
		if (top <= fr.start || top - fr.start < size)
			continue;
		pa = ALIGN_DOWN(top - size, (paddr_t)align);
		if (pa < fr.start)
			continue;
		if (pa < avoid_end && avoid_start < pa + size) {
			/* Try again below the avoided range, this free range
			 * included; nothing there overlaps it. */
			if (avoid_start == 0)
				return PADDR_INVALID;
			limit = limit ? MIN(limit, avoid_start) : avoid_start;
			avoid_end = 0;
			i++;
			continue;
		}
		return pa;
	}
	return PADDR_INVALID;
}

paddr_t memblock_alloc(size_t size, size_t align, paddr_t limit)
{
	paddr_t pa;

	assert_open_on_boot_cpu(__func__);
	if (size == 0 || (align && !is_power_of_2(align)))
		return PADDR_INVALID;
	size = ALIGN_UP(size, PAGE_SIZE);
	if (size == 0) /* rounded past the top */
		return PADDR_INVALID;
	align = MAX(align, (size_t)PAGE_SIZE);
	if (mb_closed) {
		printk("memblock: alloc of 0x%zx bytes after hand-over to "
		       "buddy "
		       "refused\n",
		       size);
		return PADDR_INVALID;
	}

	/* Room for the reservation first: a resize must not take pa. */
	if (mb_reserved.nr == mb_reserved.max)
		type_grow(&mb_reserved, 0, 0);
	pa = find_top_down(size, align, limit, 0, 0);
	if (pa == PADDR_INVALID || type_add(&mb_reserved, pa, pa + size))
		return PADDR_INVALID;
	return pa;
}

uint64_t memblock_usable_bytes(void)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < mb_memory.nr; i++)
		sum += mb_memory.r[i].end - mb_memory.r[i].start;
	return sum;
}

uint64_t memblock_reserved_bytes(void)
{
	struct prange fr;
	uint64_t free = 0;

	for (unsigned int i = 0; memblock_free_range(i, &fr); i++)
		free += fr.end - fr.start;
	return memblock_usable_bytes() - free;
}

static void type_dump(const struct memblock_type *t)
{
	for (unsigned int i = 0; i < t->nr; i++)
		printk("memblock: %s [mem 0x%016lx-0x%016lx]\n", t->name,
		       t->r[i].start, t->r[i].end - 1);
}

void memblock_dump(void)
{
	printk("memblock: %u memory, %u reserved ranges%s\n", mb_memory.nr,
	       mb_reserved.nr, mb_closed ? " (handed over)" : "");
	type_dump(&mb_memory);
	type_dump(&mb_reserved);
}

static int type_check(const struct memblock_type *t)
{
	int bad = 0;

	if (t->nr > t->max) {
		printk("memblock_check: I3 %s holds %u ranges (max %u)\n",
		       t->name, t->nr, t->max);
		return 1;
	}
	for (unsigned int i = 0; i < t->nr; i++) {
		const struct prange *r = &t->r[i];

		if (r->start >= r->end) {
			printk("memblock_check: I1 %s[%u] empty [0x%lx, "
			       "0x%lx)\n",
			       t->name, i, r->start, r->end);
			bad++;
		}
		if (!IS_ALIGNED(r->start, PAGE_SIZE) ||
		    !IS_ALIGNED(r->end, PAGE_SIZE)) {
			printk("memblock_check: I2 %s[%u] [0x%lx, 0x%lx) not "
			       "page aligned\n",
			       t->name, i, r->start, r->end);
			bad++;
		}
		if (i > 0 && t->r[i - 1].end >= r->start) {
			printk("memblock_check: I1 %s[%u] [0x%lx, 0x%lx) "
			       "overlaps, touches or precedes [%u] ending "
			       "0x%lx\n",
			       t->name, i, r->start, r->end, i - 1,
			       t->r[i - 1].end);
			bad++;
		}
	}
	return bad;
}

int memblock_check(void)
{
	return type_check(&mb_memory) + type_check(&mb_reserved);
}
