/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Early boot allocator, after Linux's memblock: the usable ranges minus
 * every reserved region. It serves page descriptors and early page
 * tables before the buddy allocator exists, then hands what is left over
 * (buddy_init_from_memblock() reads the free ranges and closes it).
 *
 * All ranges are half-open [start, end) and page-aligned: usable memory
 * is trimmed inward to whole pages, reservations are widened outward.
 *
 * No locks: memblock runs before the other harts start and asserts that
 * it does. reset, add, reserve, alloc and close panic ("<fn>: called on
 * CPU <n> ...") unless called on the boot CPU (cpu_id() == 0); add,
 * reserve and alloc after memblock_close() are refused instead, on any
 * hart. The queries only read, and after the close nothing changes.
 */
#ifndef MM_MEMBLOCK_H
#define MM_MEMBLOCK_H

#include "mm/types.h"

/* Ranges each list holds until memblock_allow_resize() lets it grow. */
#define MEMBLOCK_INIT_REGIONS 128

/*
 * Forget everything and reopen (host tests call it between scenarios):
 * back to the static lists, resizing not allowed.
 */
void memblock_reset(void);
/*
 * Right after memblock_reset(): keep the lists in the caller's arrays of
 * nr_memory and nr_reserved entries instead of the static ones (the
 * kernel sizes them from the memory map when it holds more than
 * MEMBLOCK_INIT_REGIONS of either; the caller keeps the arrays' memory
 * reserved).
 */
void memblock_use_storage(struct prange *memory, unsigned int nr_memory,
			  struct prange *reserved, unsigned int nr_reserved);
/*
 * Every boot reservation is in and free memory is reachable through the
 * linear map (phys_to_virt()): from now on a full list doubles into
 * memory it allocates and reserves instead of failing -ENOSPC (Linux's
 * memblock_allow_resize()). Not earlier: a new array could land on a
 * region not reserved yet.
 */
void memblock_allow_resize(void);
/*
 * Add usable RAM [start, end); overlapping or adjacent ranges merge.
 * Errors: -EINVAL (end <= start, or no whole page inside), -ENOSPC (too
 * many ranges and the list cannot grow; nothing changed), -EBUSY (after
 * memblock_close()).
 */
int memblock_add(paddr_t start, paddr_t end);
/*
 * Mark [start, end) reserved (may lie partly outside RAM). Errors:
 * -EINVAL (end <= start), -ENOSPC, -EBUSY (after memblock_close()).
 */
int memblock_reserve(paddr_t start, paddr_t end);
/*
 * Allocate size bytes aligned to align (power of two >= PAGE_SIZE
 * recommended), from the highest free address below `limit` (0: no
 * limit); the range becomes reserved. Size is rounded up to whole pages
 * and align to at least PAGE_SIZE. Returns PADDR_INVALID when nothing
 * fits, size is 0, align is not a power of two, the reserved list is
 * full, or memblock is closed. Memory is not zeroed (it may not be
 * mapped yet).
 */
paddr_t memblock_alloc(size_t size, size_t align, paddr_t limit);
/* Free ranges (usable minus reserved), in address order: i from 0. */
bool memblock_free_range(unsigned int i, struct prange *out);
/* Usable (merged) memory ranges, in address order: i from 0. */
bool memblock_memory_range(unsigned int i, struct prange *out);
/* Bytes usable / reserved-within-usable. */
uint64_t memblock_usable_bytes(void);
uint64_t memblock_reserved_bytes(void);
/*
 * The buddy allocator now owns every free page: from here on add,
 * reserve and alloc are refused with one "memblock: ..." line; the
 * queries still describe the map as it was handed over.
 */
void memblock_close(void);
bool memblock_is_closed(void);
/* Print the regions (debug), "memblock: <list> [mem a-b]" inclusive. */
void memblock_dump(void);
/* Check invariants (sorted, disjoint, non-empty); return violations. */
int memblock_check(void);

#endif /* MM_MEMBLOCK_H */
