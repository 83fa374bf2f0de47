// SPDX-License-Identifier: BSD-2-Clause
/*
 * Buddy arenas: Peterson and Norman's general buddy algorithm (CACM
 * 20(6), 1977) over a range of units, for any size policy of
 * mm/buddy_policy.c.
 *
 * What it manages
 * ---------------
 * The units [0, nr_units) of [base, base + nr_units * unit). At every
 * moment they are tiled by blocks; each block is free or allocated and
 * has a class of the policy. Init tiles the range with the largest
 * blocks that fit ("roots"; for binary, each aligned to its size from
 * base). A root is recorded as the left child of a split whose parent
 * would not fit in what was left of the range (that is why the tiling
 * chose the root), so its buddy lies past the end and it never merges.
 *
 * Data structures: one struct buddy_arena_block per unit, used at the
 * first unit of each block (the rest have cls == BUDDY_CLASS_NONE), and
 * a doubly linked free list per class through the next/prev indices.
 * and a tag byte per block head (mm/buddy_policy.h draws it: free,
 * side, split kind, and Cranston and Thomas's memory bits; the tag
 * arithmetic is there, shared with the page allocator).
 *
 * So the buddy of a block is found in O(1) from its own tag: a left
 * block of class c made by split kind k has parent P = parent[k][0][c]
 * and its buddy, of class split(P, k).right, starts size[c] units
 * above it; a right block's buddy, of class split(P, k).left, starts
 * size[left] units below it.
 *
 * Allocation takes the smallest non-empty free list at or above the
 * class that fits the request and splits down: at each split it keeps
 * the smallest child that still fits (the left one on a tie, so binary
 * walks down the low halves as in Knuth's algorithm R) and frees the
 * other. Free marks the block free and merges while its buddy is a
 * free block of the expected class and kind.
 *
 * Invariants (buddy_arena_check() cites them)
 *   I1  the blocks tile [0, nr_units): walking from unit 0 by block
 *       sizes meets only block heads with a valid class and ends at
 *       nr_units; every other unit has cls NONE and tag 0.
 *   I2  head[c] lists exactly the free blocks of class c, with
 *       consistent prev/next links; nr_free[c] counts them; free_units
 *       is the sum of the free blocks' sizes.
 *   I3  a right block's tag names a split that exists: its parent
 *       class P = parent[kind][1][cls] is valid and its buddy starts
 *       inside the arena. (A left block's buddy may lie past the end:
 *       a root's does.)
 *   I4  no free block has a free buddy of the expected class and kind
 *       on the other side (free buddies are merged).
 *   I5  binary only: every block is aligned to its size from base.
 *
 * Locking: none; the caller serialises calls on one arena.
 * Failure modes: a free of an address that is not an allocated block is
 * reported with one "BUG: buddy arena <name>: ..." line naming it and
 * refused; an allocation that cannot be met returns 0.
 */
#include "mm/buddy_arena.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/kernel.h"
#include "lib/printk.h"
#include "lib/string.h"

#define T_FREE BUDDY_TAG_FREE
#define T_RIGHT BUDDY_TAG_RIGHT

static uint64_t units_of(const struct buddy_arena *a, unsigned int cls)
{
	return a->policy.size[cls];
}

static uintptr_t addr_of(const struct buddy_arena *a, uint32_t u)
{
	return a->base + (uintptr_t)u * a->unit;
}

/* "32K", "1M", or bytes: how trace and print lines give sizes. */
static const char *size_str(char *buf, size_t len, uint64_t bytes)
{
	static const char suffix[] = "KMGT";
	int s = -1;

	while (bytes >= 1024 && bytes % 1024 == 0 && s < 3) {
		bytes /= 1024;
		s++;
	}
	if (s < 0)
		fmt_snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		fmt_snprintf(buf, len, "%llu%c", (unsigned long long)bytes,
			     suffix[s]);
	return buf;
}

static void list_add_free(struct buddy_arena *a, uint32_t u, unsigned int c)
{
	struct buddy_arena_block *b = &a->meta[u];

	b->cls = (uint8_t)c;
	b->tag |= T_FREE;
	b->prev = BUDDY_ARENA_NIL;
	b->next = a->head[c];
	if (b->next != BUDDY_ARENA_NIL)
		a->meta[b->next].prev = u;
	a->head[c] = u;
	a->nr_free[c]++;
	a->free_units += units_of(a, c);
}

static void list_del_free(struct buddy_arena *a, uint32_t u)
{
	struct buddy_arena_block *b = &a->meta[u];

	if (b->prev != BUDDY_ARENA_NIL)
		a->meta[b->prev].next = b->next;
	else
		a->head[b->cls] = b->next;
	if (b->next != BUDDY_ARENA_NIL)
		a->meta[b->next].prev = b->prev;
	b->next = b->prev = BUDDY_ARENA_NIL;
	b->tag &= (uint8_t)~T_FREE;
	a->nr_free[b->cls]--;
	a->free_units -= units_of(a, b->cls);
}

size_t buddy_arena_meta_bytes(uint64_t size, uint64_t unit)
{
	return unit ? (size_t)(size / unit) * sizeof(struct buddy_arena_block)
		    : 0;
}

/*
 * Where the buddy of block u should start and which class it must have;
 * false for a root or a tag naming no split (I3).
 */
static bool buddy_of(const struct buddy_arena *a, uint32_t u, uint32_t *bu,
		     unsigned int *bcls, unsigned int *pcls)
{
	const struct buddy_arena_block *b = &a->meta[u];
	int64_t delta;

	if (!buddy_policy_buddy(&a->policy, b->cls, b->tag, &delta, bcls, pcls))
		return false;
	if (delta < 0 ? u < (uint64_t)-delta
		      : (uint64_t)u + (uint64_t)delta + units_of(a, *bcls) >
				a->nr_units)
		return false;
	*bu = (uint32_t)((int64_t)u + delta);
	return true;
}

int buddy_arena_init(struct buddy_arena *a, const char *name, uintptr_t base,
		     uint64_t size, uint64_t unit, enum buddy_policy_id policy,
		     void *meta, size_t meta_bytes)
{
	uint64_t n = unit ? size / unit : 0;
	uint32_t u = 0;
	int err;

	if (!unit || !n || n > BUDDY_ARENA_MAX_UNITS || !meta ||
	    base + n * unit < base || n * unit / unit != n ||
	    meta_bytes < buddy_arena_meta_bytes(size, unit))
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	err = buddy_policy_build(&a->policy, policy, n);
	if (err)
		return err;
	fmt_snprintf(a->name, sizeof(a->name), "%s", name ? name : "arena");
	a->base = base;
	a->unit = unit;
	a->nr_units = (uint32_t)n;
	a->meta = meta;
	for (unsigned int c = 0; c < BUDDY_CLASSES_MAX; c++)
		a->head[c] = BUDDY_ARENA_NIL;
	for (uint64_t i = 0; i < n; i++)
		a->meta[i] = (struct buddy_arena_block){ BUDDY_ARENA_NIL,
							 BUDDY_ARENA_NIL,
							 BUDDY_CLASS_NONE, 0 };
	while (u < n) {
		unsigned int c = buddy_policy_class_within(&a->policy, n - u);

		if (policy == BUDDY_POLICY_BINARY)
			while (u % units_of(a, c))
				c--; /* I5; class 0 (one unit) always fits */
		a->meta[u].tag = buddy_tag_root(&a->policy, c);
		list_add_free(a, u, c);
		u += (uint32_t)units_of(a, c);
	}
	return 0;
}

/* Split free-list-removed block u (class c) toward class want. */
static uint32_t split_down(struct buddy_arena *a, uint32_t u, unsigned int want)
{
	char s0[24], s1[24], s2[24];

	while (a->meta[u].cls != want) {
		unsigned int c = a->meta[u].cls;
		bool best_right = false;
		const struct buddy_split *best = buddy_policy_split_toward(
			&a->policy, c, want, &best_right);
		uint8_t ptag = a->meta[u].tag;
		uint32_t ru;

		VERIFY(best); /* I2 of mm/buddy_policy.c */
		ru = u + (uint32_t)units_of(a, best->left);
		a->meta[u].cls = best->left;
		a->meta[u].tag = buddy_tag_left_child(ptag, best);
		a->meta[ru].cls = best->right;
		a->meta[ru].tag = buddy_tag_right_child(ptag, best);
		a->splits++;
		if (a->trace)
			printk("buddy: split %s at 0x%lx -> %s + %s\n",
			       size_str(s0, sizeof(s0),
					units_of(a, c) * a->unit),
			       (unsigned long)addr_of(a, u),
			       size_str(s1, sizeof(s1),
					units_of(a, best->left) * a->unit),
			       size_str(s2, sizeof(s2),
					units_of(a, best->right) * a->unit));
		if (best_right) {
			list_add_free(a, u, best->left);
			u = ru;
		} else {
			list_add_free(a, ru, best->right);
		}
	}
	return u;
}

uintptr_t buddy_arena_alloc(struct buddy_arena *a, uint64_t bytes,
			    uint64_t *got)
{
	uint64_t units = bytes ? (bytes - 1) / a->unit + 1 : 1;
	unsigned int want = buddy_policy_class_for(&a->policy, units), c;
	uint32_t u;

	if (want == BUDDY_CLASS_NONE)
		return 0;
	for (c = want; c < a->policy.nr_classes; c++)
		if (a->head[c] != BUDDY_ARENA_NIL)
			break;
	if (c == a->policy.nr_classes)
		return 0;
	u = a->head[c];
	list_del_free(a, u);
	u = split_down(a, u, want);
	if (got)
		*got = units_of(a, want) * a->unit;
	return addr_of(a, u);
}

static int report_bad_free(struct buddy_arena *a, uintptr_t addr,
			   const char *why)
{
	a->bugs++;
	printk("BUG: buddy arena %s: free of 0x%lx: %s\n", a->name,
	       (unsigned long)addr, why);
	return -EINVAL;
}

/* The unit of addr if it heads a block; else NIL and *why. */
static uint32_t head_unit(const struct buddy_arena *a, uintptr_t addr,
			  const char **why)
{
	uint64_t off = addr - a->base;

	if (addr < a->base || off / a->unit >= a->nr_units) {
		*why = "outside the arena";
		return BUDDY_ARENA_NIL;
	}
	if (off % a->unit || a->meta[off / a->unit].cls == BUDDY_CLASS_NONE) {
		*why = "not the start of a block";
		return BUDDY_ARENA_NIL;
	}
	return (uint32_t)(off / a->unit);
}

int buddy_arena_free(struct buddy_arena *a, uintptr_t addr)
{
	char s0[24], s1[24], s2[24];
	const char *why = NULL;
	uint32_t u = head_unit(a, addr, &why), bu;
	unsigned int bcls, pcls;

	if (u == BUDDY_ARENA_NIL)
		return report_bad_free(a, addr, why);
	if (a->meta[u].tag & T_FREE)
		return report_bad_free(a, addr, "block is free (double free)");
	while (buddy_of(a, u, &bu, &bcls, &pcls)) {
		struct buddy_arena_block *b = &a->meta[u], *y = &a->meta[bu];
		uint32_t left = MIN(u, bu), right = MAX(u, bu);
		uint8_t ltag, rtag;

		if (!(y->tag & T_FREE) || y->cls != bcls ||
		    !buddy_tag_partners(b->tag, y->tag))
			break;
		list_del_free(a, bu);
		ltag = a->meta[left].tag;
		rtag = a->meta[right].tag;
		if (a->trace)
			printk("buddy: merge %s + %s at 0x%lx -> %s\n",
			       size_str(s0, sizeof(s0),
					units_of(a, a->meta[left].cls) *
						a->unit),
			       size_str(s1, sizeof(s1),
					units_of(a, a->meta[right].cls) *
						a->unit),
			       (unsigned long)addr_of(a, left),
			       size_str(s2, sizeof(s2),
					units_of(a, pcls) * a->unit));
		a->meta[right].cls = BUDDY_CLASS_NONE;
		a->meta[right].tag = 0;
		a->meta[left].cls = (uint8_t)pcls;
		a->meta[left].tag = buddy_tag_merged(ltag, rtag);
		a->merges++;
		u = left;
	}
	list_add_free(a, u, a->meta[u].cls);
	return 0;
}

uint64_t buddy_arena_block_bytes(const struct buddy_arena *a, uintptr_t addr)
{
	const char *why;
	uint32_t u = head_unit(a, addr, &why);

	if (u == BUDDY_ARENA_NIL || (a->meta[u].tag & T_FREE))
		return 0;
	return units_of(a, a->meta[u].cls) * a->unit;
}

#define CHECK(cond, fmt, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			bad++;                                                 \
			if (verbose)                                           \
				printk("buddy arena %s: " fmt, a->name,        \
				       ##__VA_ARGS__);                         \
		}                                                              \
	} while (0)

unsigned int buddy_arena_check(const struct buddy_arena *a, bool verbose)
{
	uint32_t nfree[BUDDY_CLASSES_MAX] = { 0 };
	uint64_t free_units = 0, u = 0;
	unsigned int bad = 0;

	while (u < a->nr_units) {
		const struct buddy_arena_block *b = &a->meta[u];
		uint32_t bu;
		unsigned int bcls, pcls;

		if (b->cls >= a->policy.nr_classes ||
		    u + units_of(a, b->cls) > a->nr_units) {
			CHECK(0, "I1 unit %lu: no block starts here (cls %u)\n",
			      (unsigned long)u, b->cls);
			return bad;
		}
		for (uint64_t i = u + 1; i < u + units_of(a, b->cls); i++)
			CHECK(a->meta[i].cls == BUDDY_CLASS_NONE &&
				      !a->meta[i].tag,
			      "I1 unit %lu inside the block at %lu has cls "
			      "%u tag 0x%x\n",
			      (unsigned long)i, (unsigned long)u,
			      a->meta[i].cls, a->meta[i].tag);
		if (a->policy.id == BUDDY_POLICY_BINARY)
			CHECK(u % units_of(a, b->cls) == 0,
			      "I5 block at unit %lu not aligned to its %lu "
			      "units\n",
			      (unsigned long)u,
			      (unsigned long)units_of(a, b->cls));
		if (b->tag & T_RIGHT)
			CHECK(buddy_of(a, (uint32_t)u, &bu, &bcls, &pcls),
			      "I3 block at unit %lu: tag 0x%x names no split "
			      "of class %u\n",
			      (unsigned long)u, b->tag, b->cls);
		if ((b->tag & T_FREE) &&
		    buddy_of(a, (uint32_t)u, &bu, &bcls, &pcls)) {
			const struct buddy_arena_block *y = &a->meta[bu];

			CHECK(!((y->tag & T_FREE) && y->cls == bcls &&
				buddy_tag_partners(b->tag, y->tag)),
			      "I4 free blocks at units %lu and %u are "
			      "buddies, not merged\n",
			      (unsigned long)u, bu);
		}
		if (b->tag & T_FREE) {
			nfree[b->cls]++;
			free_units += units_of(a, b->cls);
		}
		u += units_of(a, b->cls);
	}
	for (unsigned int c = 0; c < a->policy.nr_classes; c++) {
		uint32_t prev = BUDDY_ARENA_NIL, n = 0;

		for (uint32_t i = a->head[c];
		     i != BUDDY_ARENA_NIL && n <= a->nr_units;
		     i = a->meta[i].next, n++) {
			CHECK(i < a->nr_units && a->meta[i].cls == c &&
				      (a->meta[i].tag & T_FREE) &&
				      a->meta[i].prev == prev,
			      "I2 class %u list entry %u is not a free block "
			      "of the class with prev %u\n",
			      c, i, prev);
			if (i >= a->nr_units)
				break;
			prev = i;
		}
		CHECK(n == a->nr_free[c] && n == nfree[c],
		      "I2 class %u: list has %u, nr_free %u, free blocks %u\n",
		      c, n, a->nr_free[c], nfree[c]);
	}
	CHECK(free_units == a->free_units,
	      "I2 free units %lu counted, %lu recorded\n",
	      (unsigned long)free_units, (unsigned long)a->free_units);
	return bad;
}

unsigned int buddy_arena_free_blocks(const struct buddy_arena *a,
				     uint64_t *sizes, uintptr_t *addrs,
				     unsigned int max)
{
	unsigned int n = 0;

	for (uint64_t u = 0; u < a->nr_units;) {
		const struct buddy_arena_block *b = &a->meta[u];

		if (b->cls >= a->policy.nr_classes)
			break; /* damaged: the checker says so */
		if (b->tag & T_FREE) {
			if (n < max) {
				sizes[n] = units_of(a, b->cls) * a->unit;
				addrs[n] = addr_of(a, (uint32_t)u);
			}
			n++;
		}
		u += units_of(a, b->cls);
	}
	return n;
}

void buddy_arena_print(const struct buddy_arena *a)
{
	char line[256], sz[24];
	size_t at = 0;

	for (unsigned int c = a->policy.nr_classes; c-- > 0;) {
		if (!a->nr_free[c] || at >= sizeof(line))
			continue;
		at += (size_t)fmt_snprintf(
			line + at, sizeof(line) - at, " %s x %u",
			size_str(sz, sizeof(sz), units_of(a, c) * a->unit),
			a->nr_free[c]);
	}
	line[MIN(at, sizeof(line) - 1)] = '\0';
	printk("buddy arena %s: %s, free%s\n", a->name, a->policy.name,
	       at ? line : " none");
}
