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
 * Invariants (memblock_check() cites them)
 *   I1  each list is sorted by address, and its ranges are non-empty,
 *       disjoint and not adjacent (adjacent or overlapping ranges are
 *       merged as they are added).
 *   I2  every range starts and ends on a page boundary (memory is
 *       trimmed inward, reservations are widened outward).
 *   I3  each list holds at most MEMBLOCK_MAX_REGIONS ranges.
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
 * Failure modes: a full list makes add/reserve return -ENOSPC and leaves
 * the list unchanged; an allocation that does not fit returns
 * PADDR_INVALID; calls after memblock_close() are refused (-EBUSY or
 * PADDR_INVALID) with one "memblock: ..." line.
 */
#include "mm/memblock.h"

#include "lib/cpu.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"

struct memblock_type {
	const char *name;
	unsigned int nr;
	struct prange r[MEMBLOCK_MAX_REGIONS];
};

static struct memblock_type mb_memory = { .name = "memory" };
static struct memblock_type mb_reserved = { .name = "reserved" };
static bool mb_closed;

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

void memblock_reset(void)
{
	assert_boot_cpu(__func__);
	mb_memory.nr = 0;
	mb_reserved.nr = 0;
	mb_closed = false;
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
	if (j == i) {
		if (t->nr == MEMBLOCK_MAX_REGIONS)
			return -ENOSPC;
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

paddr_t memblock_alloc(size_t size, size_t align, paddr_t limit)
{
	struct prange fr;
	unsigned int n, i;

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
		if (type_add(&mb_reserved, pa, pa + size))
			return PADDR_INVALID;
		return pa;
	}
	return PADDR_INVALID;
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

	if (t->nr > MEMBLOCK_MAX_REGIONS) {
		printk("memblock_check: I3 %s holds %u ranges (max %u)\n",
		       t->name, t->nr, MEMBLOCK_MAX_REGIONS);
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
