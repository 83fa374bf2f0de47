/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A compare-and-swap on part of a word, for claims that must accept any
 * value of the bits they do not own (mm/buddy_fast.h claims a page
 * whose flags word also holds its owner's bits).
 *
 *   bool cmpxchg_u32_masked(uint32_t *p, uint32_t mask, uint32_t want,
 *                           uint32_t new, uint32_t *old)
 *       Atomically: *old = *p; if ((*old & mask) == want) *p = new.
 *       Returns true iff it stored new. Relaxed (no ordering beyond the
 *       word itself); never fails spuriously: a concurrent change of
 *       bits outside mask makes it retry, not fail.
 *
 *   cmpxchg_u32_masked_goto(p, mask, want, new, old, label)
 *       The same, as a statement that jumps to the caller's label when
 *       it does not store (with *old then unspecified), so that the
 *       caller tests no result: on the target lr.w, and, bne, sc.w,
 *       bnez (asm goto).
 *
 * Inline from <asm/cmpxchg.h>, as lib/cpu.h's helpers are: on the
 * target one LR/SC loop (lr.w, and, xor, bnez, sc.w, bnez), where a C11
 * compare-and-swap after a separate load and test took twice the
 * instructions; on the host a C11 compare-and-swap loop that
 * ThreadSanitizer understands.
 */
#ifndef LIB_CMPXCHG_H
#define LIB_CMPXCHG_H

#include <stdbool.h>
#include <stdint.h>

#include <asm/cmpxchg.h>

#endif /* LIB_CMPXCHG_H */
