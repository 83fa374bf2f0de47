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
