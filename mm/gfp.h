/* SPDX-License-Identifier: BSD-2-Clause */
/* Allocation flags, with Linux's names and meaning. */
#ifndef MM_GFP_H
#define MM_GFP_H

typedef unsigned int gfp_t;

#define __GFP_DMA32 0x01u /* only memory below 4 GiB (ZONE_DMA32) */
#define __GFP_ZERO 0x02u /* return zeroed memory */
#define __GFP_NOWARN 0x04u /* no failure message */
#define __GFP_HIGH 0x08u /* may use the emergency reserve */
#define __GFP_RECLAIM 0x10u /* may sleep / reclaim (none yet) */

#define GFP_KERNEL (__GFP_RECLAIM)
#define GFP_ATOMIC (__GFP_HIGH)
#define GFP_DMA32 (__GFP_DMA32)

#endif /* MM_GFP_H */
