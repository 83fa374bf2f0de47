/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Early boot allocator, after Linux's memblock: the usable ranges minus
 * every reserved region. It serves page descriptors and early page
 * tables before the buddy allocator exists, then hands what is left over.
 */
#ifndef MM_MEMBLOCK_H
#define MM_MEMBLOCK_H

#include "mm/types.h"

#define MEMBLOCK_MAX_REGIONS 128

/* Forget everything (host tests call it between scenarios). */
void memblock_reset(void);
/* Add usable RAM [start, end). Errors: -EINVAL, -ENOSPC. */
int memblock_add(paddr_t start, paddr_t end);
/* Mark [start, end) reserved (may lie partly outside RAM). -ENOSPC. */
int memblock_reserve(paddr_t start, paddr_t end);
/*
 * Allocate size bytes aligned to align (power of two >= PAGE_SIZE
 * recommended), from the highest free address below `limit` (0: no
 * limit); the range becomes reserved. Returns PADDR_INVALID when nothing
 * fits. Memory is not zeroed (it may not be mapped yet).
 */
paddr_t memblock_alloc(size_t size, size_t align, paddr_t limit);
/* Free ranges (usable minus reserved), in address order: i from 0. */
bool memblock_free_range(unsigned int i, struct prange *out);
/* Bytes usable / reserved-within-usable. */
uint64_t memblock_usable_bytes(void);
uint64_t memblock_reserved_bytes(void);
/* Print the regions (debug). */
void memblock_dump(void);
/* Check invariants (sorted, disjoint, non-empty); return violations. */
int memblock_check(void);

#endif /* MM_MEMBLOCK_H */
