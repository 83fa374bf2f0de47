/* SPDX-License-Identifier: BSD-2-Clause */
/* Small, fast, seedable PRNG (xoshiro256**) for tests and benchmarks. */
#ifndef LIB_RAND_H
#define LIB_RAND_H

#include <stdint.h>

struct rand_state {
	uint64_t s[4];
};

/* Seed from one 64-bit value (expanded with splitmix64). */
void rand_seed(struct rand_state *r, uint64_t seed);
uint64_t rand_next(struct rand_state *r);
/* Uniform in [0, bound); bound must be non-zero. */
uint64_t rand_below(struct rand_state *r, uint64_t bound);

#endif /* LIB_RAND_H */
