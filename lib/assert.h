/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VERIFY(): always-on check; ASSERT(): debug builds only (no side effects
 * allowed). The 3-operand forms print both values. A failure is detected
 * corruption, so it panics with the expression, file and line.
 */
#ifndef LIB_ASSERT_H
#define LIB_ASSERT_H

#include "lib/panic.h"

#define STATIC_ASSERT(cond) _Static_assert(cond, #cond)

#define VERIFY(cond)                                                           \
	do {                                                                   \
		if (unlikely(!(cond)))                                         \
			panic("%s: VERIFY(%s) failed at %s:%d", __func__,      \
			      #cond, __FILE__, __LINE__);                      \
	} while (0)

#define VERIFY3U(a, op, b)                                                     \
	do {                                                                   \
		unsigned long long _va = (unsigned long long)(a);              \
		unsigned long long _vb = (unsigned long long)(b);              \
		if (unlikely(!(_va op _vb)))                                   \
			panic("%s: VERIFY3U(%s %s %s) failed (0x%llx %s "      \
			      "0x%llx) at %s:%d",                              \
			      __func__, #a, #op, #b, _va, #op, _vb, __FILE__,  \
			      __LINE__);                                       \
	} while (0)

#define VERIFY3P(a, op, b) VERIFY3U((uintptr_t)(a), op, (uintptr_t)(b))

#ifdef DEBUG
#define ASSERT(cond) VERIFY(cond)
#define ASSERT3U(a, op, b) VERIFY3U(a, op, b)
#else
#define ASSERT(cond) ((void)sizeof(!(cond)))
#define ASSERT3U(a, op, b) ((void)sizeof((a)op(b)))
#endif

#endif /* LIB_ASSERT_H */
