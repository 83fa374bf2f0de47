/* SPDX-License-Identifier: BSD-2-Clause */
/* Small helpers every directory uses: sizes, alignment, min/max, bits. */
#ifndef LIB_KERNEL_H
#define LIB_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define SZ_1K 0x400UL
#define SZ_4K 0x1000UL
#define SZ_1M 0x100000UL
#define SZ_2M 0x200000UL
#define SZ_1G 0x40000000UL
#define SZ_4G 0x100000000UL

/* a must be a power of two. */
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + ((__typeof__(x))(a)-1), (a))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)

#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))

#define __PASTE2(a, b) a##b
#define __PASTE(a, b) __PASTE2(a, b)
#define __UNIQ(name) __PASTE(name, __COUNTER__)

/* Type-safe, single-evaluation min/max (nest freely: unique temporaries). */
#define __MINMAX(a, b, op, ua, ub)                                             \
	({                                                                     \
		__typeof__(a) ua = (a);                                        \
		__typeof__(b) ub = (b);                                        \
		ua op ub ? ua : ub;                                            \
	})
#define MIN(a, b) __MINMAX(a, b, <, __UNIQ(_min_a), __UNIQ(_min_b))
#define MAX(a, b) __MINMAX(a, b, >, __UNIQ(_max_a), __UNIQ(_max_b))

#define container_of(ptr, type, member)                                        \
	((type *)((char *)(ptr)-offsetof(type, member)))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define __noreturn __attribute__((noreturn))
/*
 * For a fast path whose only calls are tail calls: without it GCC 12
 * (-fno-omit-frame-pointer) gives such a function a frame on every run
 * (5 instructions), as it does any function that calls; with a real
 * call on a cold path, shrink-wrapping moves the frame there instead.
 * The function's caller stays in the frame-pointer chain (ra is not
 * saved: nothing is called that returns). Clang (the host's fuzz and
 * coverage builds) has no optimize attribute and needs none.
 */
#ifdef __clang__
#define __no_frame
#else
#define __no_frame __attribute__((optimize("omit-frame-pointer")))
#endif
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __aligned(x) __attribute__((aligned(x)))
#define __unused __attribute__((unused))
#define __section(s) __attribute__((section(s)))

static inline bool is_power_of_2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* floor(log2(x)); x must be non-zero. */
static inline unsigned int ilog2_u64(uint64_t x)
{
	return 63u - (unsigned int)__builtin_clzll(x);
}

/* Smallest order such that (1 << order) >= x; x must be non-zero. */
static inline unsigned int order_base_2(uint64_t x)
{
	return x <= 1 ? 0 : ilog2_u64(x - 1) + 1;
}

/* Return address of the caller, for "last owner" and caller tracking. */
#define RET_IP ((uintptr_t)__builtin_return_address(0))

#endif /* LIB_KERNEL_H */
