/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The linear map: every usable RAM page is visible at pa + va_pa_offset.
 * The kernel sets the offset at boot (see mm/layout.h); host tests point
 * it at a buffer that stands in for physical memory.
 */
#ifndef MM_LINEAR_H
#define MM_LINEAR_H

#include "mm/types.h"

extern uint64_t va_pa_offset;

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + va_pa_offset);
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - va_pa_offset);
}

#define __va(pa) phys_to_virt(pa)
#define __pa(va) virt_to_phys(va)

#endif /* MM_LINEAR_H */
