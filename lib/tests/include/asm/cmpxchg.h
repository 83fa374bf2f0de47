/* SPDX-License-Identifier: BSD-2-Clause */
/* The host's cmpxchg_u32_masked() (lib/cmpxchg.h): a C11 loop. */
#ifndef ASM_CMPXCHG_H
#define ASM_CMPXCHG_H

#include <stdbool.h>
#include <stdint.h>

static inline bool cmpxchg_u32_masked(uint32_t *p, uint32_t mask, uint32_t want,
				      uint32_t new, uint32_t *old)
{
	*old = __atomic_load_n(p, __ATOMIC_RELAXED);
	do {
		if ((*old & mask) != want)
			return false;
	} while (!__atomic_compare_exchange_n(
		p, old, new, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

/* cmpxchg_u32_masked_goto() (lib/cmpxchg.h): the loop above. */
#define cmpxchg_u32_masked_goto(p, mask, want, new, old, label)                \
	do {                                                                   \
		if (!cmpxchg_u32_masked((p), (mask), (want), (new), (old)))    \
			goto label;                                            \
	} while (0)

#endif /* ASM_CMPXCHG_H */
