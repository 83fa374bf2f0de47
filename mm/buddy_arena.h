/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A stand-alone buddy arena: any range, any unit, any size policy of
 * mm/buddy_policy.h (binary, Fibonacci, weighted, tertiary). Kernel
 * code and the tests use it; mm/buddy_arena.c states how it works.
 *
 * Single-threaded: the caller serialises calls on one arena.
 */
#ifndef MM_BUDDY_ARENA_H
#define MM_BUDDY_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/buddy_policy.h"

#define BUDDY_ARENA_NIL UINT32_MAX
#define BUDDY_ARENA_MAX_UNITS (UINT32_MAX - 1)
#define BUDDY_ARENA_NAME_MAX 24

/* Per unit of the arena; meaningful at the first unit of a block. */
struct buddy_arena_block {
	uint32_t next, prev; /* free list of its class, or NIL */
	uint8_t cls; /* class; BUDDY_CLASS_NONE inside a block */
	uint8_t tag; /* BUDDY_ARENA_T_* (mm/buddy_arena.c) */
};

struct buddy_arena {
	char name[BUDDY_ARENA_NAME_MAX];
	uintptr_t base; /* address of unit 0 */
	uint64_t unit; /* bytes per unit */
	uint32_t nr_units;
	bool trace; /* print every split and merge (buddy_trace) */
	struct buddy_arena_block *meta; /* nr_units entries */
	uint32_t head[BUDDY_CLASSES_MAX]; /* free list heads */
	uint32_t nr_free[BUDDY_CLASSES_MAX]; /* blocks on each list */
	uint64_t free_units;
	unsigned long splits, merges, bugs;
	struct buddy_policy policy;
};

/* Bytes of metadata an arena of `size` bytes in `unit`-byte units needs. */
size_t buddy_arena_meta_bytes(uint64_t size, uint64_t unit);

/*
 * Make an arena of the units of [base, base + size) under `policy`,
 * with meta (meta_bytes >= buddy_arena_meta_bytes(size, unit)) for its
 * state; name is copied (cut to fit). The range is tiled with the
 * largest blocks that fit (binary: aligned to their size from base);
 * bytes past the last whole unit are not used. Returns 0, or -EINVAL
 * (unit 0, size below one unit or above BUDDY_ARENA_MAX_UNITS units,
 * base + size wrapping, meta too small or NULL, unknown policy).
 */
int buddy_arena_init(struct buddy_arena *a, const char *name, uintptr_t base,
		     uint64_t size, uint64_t unit, enum buddy_policy_id policy,
		     void *meta, size_t meta_bytes);

/*
 * A block of at least `bytes` bytes (0 counts as one unit): its address,
 * or 0 when no free block is large enough. *got (if not NULL) receives
 * the block's size in bytes. The smallest class that fits is used;
 * larger blocks are split down to it.
 */
uintptr_t buddy_arena_alloc(struct buddy_arena *a, uint64_t bytes,
			    uint64_t *got);

/*
 * Free the block at addr and merge it with its free buddies. A bad
 * address (outside the arena, not the start of a block, or of a block
 * that is free: a double free) is reported with one "BUG: buddy arena"
 * line, counted in a->bugs and refused: -EINVAL.
 */
int buddy_arena_free(struct buddy_arena *a, uintptr_t addr);

/* Size in bytes of the allocated block at addr, or 0 if it is none. */
uint64_t buddy_arena_block_bytes(const struct buddy_arena *a, uintptr_t addr);

/*
 * Walk the whole arena and check every invariant of mm/buddy_arena.c.
 * Returns the number of violations (0: consistent); each is printed as
 * "buddy arena <name>: I<n> ..." when verbose.
 */
unsigned int buddy_arena_check(const struct buddy_arena *a, bool verbose);

/* One line: "buddy arena <name>: <policy>, free <size> x <n> ...". */
void buddy_arena_print(const struct buddy_arena *a);

/*
 * Fill sizes[i] (bytes) and addrs[i] with the free blocks in address
 * order, at most max; returns how many there are.
 */
unsigned int buddy_arena_free_blocks(const struct buddy_arena *a,
				     uint64_t *sizes, uintptr_t *addrs,
				     unsigned int max);

#endif /* MM_BUDDY_ARENA_H */
