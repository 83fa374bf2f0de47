/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address types. Physical and virtual addresses are different types so
 * that a conversion is always visible; ranges are half-open [start, end)
 * internally and printed inclusive in Linux's "[mem a-b]" form.
 */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/kernel.h"

typedef uint64_t paddr_t; /* physical address */
typedef uint64_t vaddr_t; /* virtual address */
typedef uint64_t pfn_t; /* physical frame number (paddr >> PAGE_SHIFT) */

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define PADDR_INVALID ((paddr_t)-1)

/*
 * Sv39 PTEs hold a 44-bit PPN: the MMU reaches physical addresses below
 * 2^56 only. RAM above is dropped when the memory map is read.
 */
#define PADDR_BITS 56
#define PADDR_LIMIT (1UL << PADDR_BITS)

static inline pfn_t paddr_to_pfn(paddr_t pa)
{
	return pa >> PAGE_SHIFT;
}

static inline paddr_t pfn_to_paddr(pfn_t pfn)
{
	return (paddr_t)pfn << PAGE_SHIFT;
}

/* A physical range [start, end). */
struct prange {
	paddr_t start;
	paddr_t end;
};

#endif /* MM_TYPES_H */
