/* SPDX-License-Identifier: BSD-2-Clause */
/* Allocation flags, with Linux's names and meaning. */
#ifndef MM_GFP_H
#define MM_GFP_H

typedef unsigned int gfp_t;

#define __GFP_DMA32 0x01u /* only memory below 4 GiB (ZONE_DMA32) */
#define __GFP_ZERO 0x02u /* return zeroed memory */
#define __GFP_NOWARN 0x04u /* no failure message */
/*
 * __GFP_HIGH marks an atomic caller. There is no emergency reserve (no
 * min watermark): the flag changes nothing in the buddy allocator but
 * what every caller without __GFP_RECLAIM gets, namely that a failing
 * allocation drains only the calling hart's per-hart page lists, never
 * other harts' (mm/buddy.c, "Per-hart page lists").
 */
#define __GFP_HIGH 0x08u /* atomic caller (no reserve exists) */
/*
 * __GFP_RECLAIM: may reclaim, i.e. drain every hart's per-hart page
 * lists and slab magazines before failing. Ignored in an interrupt
 * handler (cpu_in_irq()): there every allocation acts as GFP_ATOMIC.
 */
#define __GFP_RECLAIM 0x10u

#define GFP_KERNEL (__GFP_RECLAIM)
#define GFP_ATOMIC (__GFP_HIGH)
#define GFP_DMA32 (__GFP_DMA32)

#endif /* MM_GFP_H */
