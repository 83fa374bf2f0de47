/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Size policies of buddy systems (Peterson and Norman, "Buddy systems",
 * CACM 20(6), 1977): which block sizes exist and how a block splits.
 * Portable; mm/buddy_policy.c states the four policies, their sources
 * and what each costs per block; mm/buddy_arena.c runs any of them.
 */
#ifndef MM_BUDDY_POLICY_H
#define MM_BUDDY_POLICY_H

#include <stdbool.h>
#include <stdint.h>

enum buddy_policy_id {
	BUDDY_POLICY_BINARY,
	BUDDY_POLICY_FIBONACCI,
	BUDDY_POLICY_WEIGHTED,
	BUDDY_POLICY_TERTIARY,
	BUDDY_NR_POLICIES
};

/* Size classes a policy may have (sizes in units up to 2^62). */
#define BUDDY_CLASSES_MAX 128
/* Ways a block may split; a child records which one made it (2 bits). */
#define BUDDY_SPLIT_KINDS 4
#define BUDDY_SPLITS_PER_CLASS 2
#define BUDDY_CLASS_NONE 0xff

/* One way to split a block of some class: into left + right. */
struct buddy_split {
	uint8_t kind; /* 0 .. BUDDY_SPLIT_KINDS - 1, unique per policy */
	uint8_t left, right; /* child classes; left sits at the lower address */
};

/*
 * A policy built for blocks of at most max_units units: classes in
 * ascending size, each with the splits it allows, and the inverse
 * tables that find a child's parent in O(1).
 */
struct buddy_policy {
	enum buddy_policy_id id;
	const char *name;
	unsigned int nr_classes;
	uint64_t size[BUDDY_CLASSES_MAX]; /* units, ascending */
	uint8_t nr_splits[BUDDY_CLASSES_MAX];
	struct buddy_split split[BUDDY_CLASSES_MAX][BUDDY_SPLITS_PER_CLASS];
	/* parent[kind][side][child class]: the class whose split `kind`
	 * yields that child on that side (0 left, 1 right), or NONE. */
	uint8_t parent[BUDDY_SPLIT_KINDS][2][BUDDY_CLASSES_MAX];
};

/*
 * The tag of a block: one byte that makes its buddy computable in O(1)
 * under every policy (mm/buddy_arena.c and mm/buddy_classes.c keep one
 * per block head; this is the only code that interprets it):
 *
 *    7    6     4    3    2     1      0
 *   +---+----------+---------+-------+------+
 *   | 0 |  memory  |  kind   | right | free |
 *   +---+----------+---------+-------+------+
 *                   \___ identity ___/
 *
 *   free    the arena's free bit (the page allocator keeps it in
 *           page->flags instead and leaves this bit 0)
 *   right   the block is the right (upper) child of its split
 *   kind    which split of the parent's class made it
 *   memory  Cranston and Thomas's memory bits, generalised from their
 *           one identity bit to three: a left child keeps its parent's
 *           identity, a right child its parent's memory, so a merge
 *           gives the parent back exactly the tag it had when it split
 */
#define BUDDY_TAG_FREE 0x01u
#define BUDDY_TAG_RIGHT 0x02u
#define BUDDY_TAG_KIND_SHIFT 2
#define BUDDY_TAG_KIND_MASK (3u << BUDDY_TAG_KIND_SHIFT)
#define BUDDY_TAG_ID_MASK (BUDDY_TAG_RIGHT | BUDDY_TAG_KIND_MASK)
#define BUDDY_TAG_MEM_SHIFT 4
#define BUDDY_TAG_MEM_MASK (7u << BUDDY_TAG_MEM_SHIFT)

static inline unsigned int buddy_tag_kind(uint8_t tag)
{
	return (tag & BUDDY_TAG_KIND_MASK) >> BUDDY_TAG_KIND_SHIFT;
}

static inline bool buddy_tag_right(uint8_t tag)
{
	return tag & BUDDY_TAG_RIGHT;
}

/* The identity (side, kind) and memory fields as 3-bit values. */
static inline unsigned int buddy_tag_id(uint8_t tag)
{
	return (tag & BUDDY_TAG_ID_MASK) >> 1;
}

static inline unsigned int buddy_tag_mem(uint8_t tag)
{
	return (tag & BUDDY_TAG_MEM_MASK) >> BUDDY_TAG_MEM_SHIFT;
}

static inline uint8_t buddy_tag_make(unsigned int id, unsigned int mem)
{
	return (uint8_t)((id << 1) | (mem << BUDDY_TAG_MEM_SHIFT));
}

/*
 * The children's tags when a block tagged ptag splits by s: the left
 * keeps the parent's identity as its memory, the right its memory.
 */
static inline uint8_t buddy_tag_left_child(uint8_t ptag,
					   const struct buddy_split *s)
{
	return buddy_tag_make((unsigned int)s->kind << 1, buddy_tag_id(ptag));
}

static inline uint8_t buddy_tag_right_child(uint8_t ptag,
					    const struct buddy_split *s)
{
	return buddy_tag_make(((unsigned int)s->kind << 1) | 1,
			      buddy_tag_mem(ptag));
}

/* The parent's tag, restored from its children's when they merge. */
static inline uint8_t buddy_tag_merged(uint8_t ltag, uint8_t rtag)
{
	return buddy_tag_make(buddy_tag_mem(ltag), buddy_tag_mem(rtag));
}

/*
 * True when a block tagged y is the partner that a block tagged t
 * expects: made by the same kind of split, on the other side. (Its
 * class is checked separately.)
 */
static inline bool buddy_tag_partners(uint8_t t, uint8_t y)
{
	return buddy_tag_kind(t) == buddy_tag_kind(y) &&
	       buddy_tag_right(t) != buddy_tag_right(y);
}

/*
 * The tag a root of class c gets: the left child of a split that has c
 * on the left (its parent did not fit, so the buddy lies past the end
 * of the run the root tiles), or kind 0 when no class has c as a left
 * child.
 */
uint8_t buddy_tag_root(const struct buddy_policy *p, unsigned int c);

/*
 * Where the buddy of a block of class cls tagged tag starts, relative
 * to the block (*delta units, negative for a right block), its class
 * and the class of the block the two form. False when the tag names no
 * split (a root, or a damaged tag). O(1): two table lookups.
 */
bool buddy_policy_buddy(const struct buddy_policy *p, unsigned int cls,
			uint8_t tag, int64_t *delta, unsigned int *bcls,
			unsigned int *pcls);

/*
 * How a block of class c splits on the way down to class want (< c):
 * the split whose smaller child that still holds `want` is smallest
 * (the left one on a tie, so binary walks down the low halves as in
 * Knuth's algorithm R); *keep_right says which child to keep.
 */
const struct buddy_split *
buddy_policy_split_toward(const struct buddy_policy *p, unsigned int c,
			  unsigned int want, bool *keep_right);

/*
 * Build policy `id` with classes up to max_units (>= 1). Returns 0, or
 * -EINVAL for an unknown id or max_units == 0.
 */
int buddy_policy_build(struct buddy_policy *p, enum buddy_policy_id id,
		       uint64_t max_units);

/* "binary", "fibonacci", "weighted", "tertiary"; NULL past the end. */
const char *buddy_policy_name(enum buddy_policy_id id);

/* The id named `name`, or -EINVAL. */
int buddy_policy_lookup(const char *name);

/* Smallest class holding `units` units, or BUDDY_CLASS_NONE if none. */
unsigned int buddy_policy_class_for(const struct buddy_policy *p,
				    uint64_t units);

/* Largest class of at most `units` units, or BUDDY_CLASS_NONE. */
unsigned int buddy_policy_class_within(const struct buddy_policy *p,
				       uint64_t units);

#endif /* MM_BUDDY_POLICY_H */
