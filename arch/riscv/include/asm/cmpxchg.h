/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The target's cmpxchg_u32_masked() (lib/cmpxchg.h). An LR/SC sequence
 * of this shape (base integer instructions between lr.w and sc.w, a
 * backward branch to retry) is a constrained loop, for which the A
 * extension guarantees eventual success; leaving through the first
 * bnez stores nothing. lr.w sign-extends, so mask and want are
 * sign-extended alike and the comparison is one of 32-bit values.
 */
#ifndef ASM_CMPXCHG_H
#define ASM_CMPXCHG_H

#include <stdbool.h>
#include <stdint.h>

static inline bool cmpxchg_u32_masked(uint32_t *p, uint32_t mask, uint32_t want,
				      uint32_t new, uint32_t *old)
{
	long val, tmp;

	/* tmp: 0 once sc.w stored; (val & mask) ^ want, non-zero, if not. */
	__asm__ volatile("1:	lr.w	%0, (%2)\n"
			 "	and	%1, %0, %3\n"
			 "	xor	%1, %1, %4\n"
			 "	bnez	%1, 2f\n"
			 "	sc.w	%1, %5, (%2)\n"
			 "	bnez	%1, 1b\n"
			 "2:\n"
			 : "=&r"(val), "=&r"(tmp)
			 : "r"(p), "r"((long)(int32_t)mask),
			   "r"((long)(int32_t)want), "r"(new)
			 : "memory");
	*old = (uint32_t)val;
	return tmp == 0;
}

/*
 * cmpxchg_u32_masked_goto() (lib/cmpxchg.h): the same loop, leaving for
 * the label from inside it (asm goto), so that the caller does not test
 * a result again: lr.w, and, bne, sc.w, bnez. old is written on the
 * fall-through path only.
 */
#define cmpxchg_u32_masked_goto(p, mask, want, new, old, label)                \
	do {                                                                   \
		long __val, __tmp;                                             \
		__asm__ goto("1:	lr.w	%0, (%2)\n"                              \
			     "	and	%1, %0, %3\n"                               \
			     "	bne	%1, %4, %l[" #label "]\n"              \
			     "	sc.w	%1, %5, (%2)\n"                            \
			     "	bnez	%1, 1b\n"                                  \
			     : "=&r"(__val), "=&r"(__tmp)                      \
			     : "r"(p), "r"((long)(int32_t)(mask)),             \
			       "r"((long)(int32_t)(want)), "r"(new)            \
			     : "memory"                                        \
			     : label);                                         \
		*(old) = (uint32_t)__val;                                      \
	} while (0)

#endif /* ASM_CMPXCHG_H */
