// SPDX-License-Identifier: BSD-2-Clause
/*
 * Size policies of buddy systems.
 *
 * Peterson and Norman ("Buddy systems", CACM 20(6), 1977) describe a
 * buddy system by its block sizes and a recurrence: every block that is
 * not of the smallest size splits into a left and a right block whose
 * sizes are smaller sizes of the same series, and two free blocks that
 * came out of one split merge back into it. This file writes each
 * policy as such a table; mm/buddy_arena.c runs any table.
 *
 * What it manages
 * ---------------
 * struct buddy_policy: classes 0 .. nr_classes - 1 in ascending size
 * (units), for each class the splits it allows (left class, right
 * class, a kind number), and the inverse: parent[kind][side][child],
 * the class a child came from. A child records its side and the kind of
 * the split that made it, so its parent and its buddy follow in O(1)
 * (see mm/buddy_arena.c).
 *
 * The four policies (unit = the smallest block):
 *
 *   binary     1, 2, 4, 8, ...            2^k -> 2^(k-1) + 2^(k-1)
 *   fibonacci  1, 2, 3, 5, 8, 13, ...     F(i) -> F(i-1) + F(i-2)
 *                                          (2 -> 1 + 1)
 *   weighted   1, 2, 3, 4, 6, 8, 12, ...  2^k -> 3*2^(k-2) + 2^(k-2)
 *                                          3*2^j -> 2^(j+1) + 2^j
 *                                          (2 -> 1 + 1)
 *   tertiary   the weighted sizes          2^k -> 2^(k-1) + 2^(k-1)
 *                                              or 3*2^(k-2) + 2^(k-2)
 *                                          3*2^j -> 2^(j+1) + 2^j
 *
 * Sources and what each costs per block, beyond the class:
 * - binary (Knowlton 1965; Knuth TAOCP 1, 2.5): no bits. Blocks are
 *   aligned to their size from the arena's base, so the buddy of the
 *   block at offset x of size 2^k is x XOR 2^k.
 * - Fibonacci (Hirschberg, CACM 1973): the buddy of a block depends on
 *   where it sits in the tree of splits, which the original procedure
 *   recomputed from the top. Cranston and Thomas ("A simplified
 *   recombination scheme for the Fibonacci buddy system", CACM 18(6),
 *   1975) keep two bits per block instead: its side (left or right
 *   buddy) and a memory bit that stores one bit of the parent's, the
 *   two children between them holding the parent's side and memory;
 *   the buddy is then at x + F(i) (left block of class i: buddy class
 *   i - 1) or x - F(i + 1) (right block: buddy class i + 1).
 * - weighted (Shen and Peterson, CACM 17(10), 1974): sizes 2^k and
 *   3*2^k "at an additional cost of only two bits per block". A right
 *   block of 2^j can come from 2^(j+2) (3:1 split) or from 3*2^j (2:1),
 *   so a block records the kind of the split that made it as well as
 *   its side.
 * - tertiary (Yadav, Chaturvedi, Pansari, Krishnan, WSEAS CEA 2008;
 *   Yadav and Sharma, WSEAS SEPADS 2010): the public abstracts fix the
 *   sizes, "2^k and 3*2^(k-3)", and the cost, "two bits per block", and
 *   call it an extension of the *binary* system. As a set those sizes
 *   are the weighted system's; the papers' split and recombination
 *   rules are not public. Our reading, which we state rather than
 *   attribute to them: a power of two may split in halves (binary) or
 *   3:1 (weighted), chosen per request, and 3*2^j splits 2:1; a block's
 *   side and split kind are its two bits.
 *
 * This implementation keeps one tag byte per block for every policy
 * (mm/buddy_arena.c: side, split kind, and two bits of the parent's
 * state, which restores a merged parent as Cranston and Thomas do);
 * the figures above are the minimum each policy needs.
 *
 * Invariants (buddy_policy_build() establishes them; the arena's
 * checker relies on them):
 *   I1  sizes ascend strictly; class 0 is one unit.
 *   I2  every split of class c has size[left] + size[right] == size[c]
 *       and left, right < c; the first split's left is the predecessor
 *       class c - 1, so splitting toward any smaller class always makes
 *       progress.
 *   I3  parent[] is the exact inverse of the splits: each (kind, side,
 *       child) has at most one parent.
 *
 * Locking: none; a policy is built once and then only read.
 * Failure modes: an unknown id or a zero size gives -EINVAL.
 */
#include "mm/buddy_policy.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/string.h"

static const char *const policy_names[BUDDY_NR_POLICIES] = {
	[BUDDY_POLICY_BINARY] = "binary",
	[BUDDY_POLICY_FIBONACCI] = "fibonacci",
	[BUDDY_POLICY_WEIGHTED] = "weighted",
	[BUDDY_POLICY_TERTIARY] = "tertiary",
};

/* Split kinds (a child's 2-bit record of how it was made). */
enum {
	KIND_HALF, /* 2^k -> 2^(k-1) + 2^(k-1); Fibonacci's and weighted's 2 */
	KIND_FIB, /* F(i) -> F(i-1) + F(i-2) */
	KIND_3_1, /* 2^k -> 3*2^(k-2) + 2^(k-2) */
	KIND_2_1, /* 3*2^j -> 2^(j+1) + 2^j */
};

const char *buddy_policy_name(enum buddy_policy_id id)
{
	return (unsigned int)id < BUDDY_NR_POLICIES ? policy_names[id] : NULL;
}

int buddy_policy_lookup(const char *name)
{
	for (int i = 0; i < BUDDY_NR_POLICIES; i++)
		if (name && strcmp(name, policy_names[i]) == 0)
			return i;
	return -EINVAL;
}

/* The class of size `units`, or BUDDY_CLASS_NONE (classes built so far). */
static unsigned int class_of(const struct buddy_policy *p, uint64_t units)
{
	for (unsigned int c = 0; c < p->nr_classes; c++)
		if (p->size[c] == units)
			return c;
	return BUDDY_CLASS_NONE;
}

static void add_split(struct buddy_policy *p, unsigned int c, unsigned int kind,
		      uint64_t left, uint64_t right)
{
	unsigned int l = class_of(p, left), r = class_of(p, right);
	struct buddy_split *s = &p->split[c][p->nr_splits[c]++];

	VERIFY3U(l, !=, BUDDY_CLASS_NONE);
	VERIFY3U(r, !=, BUDDY_CLASS_NONE);
	VERIFY3U(l, <, c);
	VERIFY3U(r, <, c);
	VERIFY3U(p->size[l] + p->size[r], ==, p->size[c]);
	if (s == p->split[c])
		VERIFY3U(l, ==, c - 1); /* I2: the first split steps by one */
	s->kind = (uint8_t)kind;
	s->left = (uint8_t)l;
	s->right = (uint8_t)r;
	VERIFY3U(p->parent[kind][0][l], ==, BUDDY_CLASS_NONE); /* I3 */
	VERIFY3U(p->parent[kind][1][r], ==, BUDDY_CLASS_NONE);
	p->parent[kind][0][l] = (uint8_t)c;
	p->parent[kind][1][r] = (uint8_t)c;
}

/* Append the next size; false when it would pass max_units. */
static bool add_class(struct buddy_policy *p, uint64_t units,
		      uint64_t max_units)
{
	if (units > max_units || p->nr_classes == BUDDY_CLASSES_MAX)
		return false;
	VERIFY(p->nr_classes == 0 || units > p->size[p->nr_classes - 1]);
	p->size[p->nr_classes++] = units;
	return true;
}

static void build_binary(struct buddy_policy *p, uint64_t max_units)
{
	for (uint64_t s = 1; s && add_class(p, s, max_units); s <<= 1)
		if (s > 1)
			add_split(p, p->nr_classes - 1, KIND_HALF, s / 2,
				  s / 2);
}

static void build_fibonacci(struct buddy_policy *p, uint64_t max_units)
{
	uint64_t a = 1, b = 2;

	if (!add_class(p, 1, max_units) || !add_class(p, 2, max_units))
		return;
	add_split(p, 1, KIND_HALF, 1, 1);
	while (a + b > b && add_class(p, a + b, max_units)) {
		add_split(p, p->nr_classes - 1, KIND_FIB, b, a);
		a = b;
		b = p->size[p->nr_classes - 1];
	}
}

/* 1, 2, 3, 4, 6, 8, 12, ...: the sizes of weighted and tertiary. */
static void build_two_three(struct buddy_policy *p, uint64_t max_units,
			    bool halves)
{
	if (!add_class(p, 1, max_units) || !add_class(p, 2, max_units))
		return;
	add_split(p, 1, KIND_HALF, 1, 1);
	for (unsigned int k = 1; k < 62; k++) {
		uint64_t three = 3ULL << (k - 1), pow = 1ULL << (k + 1);

		if (!add_class(p, three, max_units))
			return;
		add_split(p, p->nr_classes - 1, KIND_2_1, pow / 2, pow / 4);
		if (!add_class(p, pow, max_units))
			return;
		add_split(p, p->nr_classes - 1, KIND_3_1, three, pow / 4);
		if (halves)
			add_split(p, p->nr_classes - 1, KIND_HALF, pow / 2,
				  pow / 2);
	}
}

int buddy_policy_build(struct buddy_policy *p, enum buddy_policy_id id,
		       uint64_t max_units)
{
	if ((unsigned int)id >= BUDDY_NR_POLICIES || max_units == 0)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	memset(p->parent, BUDDY_CLASS_NONE, sizeof(p->parent));
	p->id = id;
	p->name = policy_names[id];
	switch (id) {
	case BUDDY_POLICY_BINARY:
		build_binary(p, max_units);
		break;
	case BUDDY_POLICY_FIBONACCI:
		build_fibonacci(p, max_units);
		break;
	case BUDDY_POLICY_WEIGHTED:
		build_two_three(p, max_units, false);
		break;
	default:
		build_two_three(p, max_units, true);
		break;
	}
	return 0;
}

unsigned int buddy_policy_class_for(const struct buddy_policy *p,
				    uint64_t units)
{
	for (unsigned int c = 0; c < p->nr_classes; c++)
		if (p->size[c] >= units)
			return c;
	return BUDDY_CLASS_NONE;
}

unsigned int buddy_policy_class_within(const struct buddy_policy *p,
				       uint64_t units)
{
	unsigned int best = BUDDY_CLASS_NONE;

	for (unsigned int c = 0; c < p->nr_classes && p->size[c] <= units; c++)
		best = c;
	return best;
}

uint8_t buddy_tag_root(const struct buddy_policy *p, unsigned int c)
{
	for (unsigned int k = 0; k < BUDDY_SPLIT_KINDS; k++)
		if (p->parent[k][0][c] != BUDDY_CLASS_NONE)
			return buddy_tag_make(k << 1, 0);
	return 0;
}

/* The split of class c with kind k, or NULL. */
static const struct buddy_split *split_of(const struct buddy_policy *p,
					  unsigned int c, unsigned int k)
{
	for (unsigned int i = 0; i < p->nr_splits[c]; i++)
		if (p->split[c][i].kind == k)
			return &p->split[c][i];
	return NULL;
}

bool buddy_policy_buddy(const struct buddy_policy *p, unsigned int cls,
			uint8_t tag, int64_t *delta, unsigned int *bcls,
			unsigned int *pcls)
{
	unsigned int k = buddy_tag_kind(tag), right = buddy_tag_right(tag);
	const struct buddy_split *s;
	unsigned int parent;

	if (cls >= p->nr_classes)
		return false;
	parent = p->parent[k][right][cls];
	if (parent == BUDDY_CLASS_NONE || parent >= p->nr_classes ||
	    !(s = split_of(p, parent, k)))
		return false;
	if (right) {
		*delta = -(int64_t)p->size[s->left];
		*bcls = s->left;
	} else {
		*delta = (int64_t)p->size[cls];
		*bcls = s->right;
	}
	*pcls = parent;
	return true;
}

const struct buddy_split *
buddy_policy_split_toward(const struct buddy_policy *p, unsigned int c,
			  unsigned int want, bool *keep_right)
{
	const struct buddy_split *best = NULL;
	unsigned int best_cls = BUDDY_CLASS_NONE;

	for (unsigned int i = 0; i < p->nr_splits[c]; i++) {
		const struct buddy_split *s = &p->split[c][i];

		if (s->left >= want &&
		    (best_cls == BUDDY_CLASS_NONE || s->left < best_cls)) {
			best = s;
			best_cls = s->left;
			*keep_right = false;
		}
		if (s->right >= want && s->right < best_cls) {
			best = s;
			best_cls = s->right;
			*keep_right = true;
		}
	}
	return best;
}
