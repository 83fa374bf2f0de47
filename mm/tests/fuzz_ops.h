/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared pieces of the allocator fuzz targets (mm/tests/fuzz_*.c): a
 * byte reader that turns a libFuzzer input into operations and their
 * arguments, a CHECK() that aborts with what it saw (libFuzzer records
 * the abort as a crash and saves the input), and the common set-up of
 * printk and panic.
 *
 * Every target reads its input as
 *
 *   [header bytes] [op] [args...] [op] [args...] ...
 *
 * An exhausted input reads as zeroes, so every prefix of an input is a
 * valid input too (libFuzzer's mutations cut and splice freely).
 * FUZZ_OPS_MAX bounds the operations of one input, so that no input
 * makes a run slow; FUZZ_VERBOSE=1 in the environment shows printk
 * output (BUG lines, checker reports) when replaying an input.
 */
#ifndef MM_TESTS_FUZZ_OPS_H
#define MM_TESTS_FUZZ_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_OPS_MAX 512

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with the target's name, the failed condition and the values. */
#define CHECK(cond, fmt, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
				"%s: %s:%d: CHECK(%s) failed: " fmt "\n",      \
				fuzz_name, __func__, __LINE__, #cond,          \
				##__VA_ARGS__);                                \
			abort();                                               \
		}                                                              \
	} while (0)

/* Set by each target to its name (for CHECK messages). */
extern const char *fuzz_name;

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline bool fuzz_done(const struct fuzz_in *in)
{
	return in->left == 0;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t lo = fuzz_u8(in);

	return (uint16_t)(lo | fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t lo = fuzz_u16(in);

	return lo | (uint32_t)fuzz_u16(in) << 16;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t lo = fuzz_u32(in);

	return lo | (uint64_t)fuzz_u32(in) << 32;
}

/* A value in [0, n) (n > 0) from one byte, or two when n > 256. */
static inline unsigned int fuzz_below(struct fuzz_in *in, unsigned int n)
{
	return (n <= 256 ? fuzz_u8(in) : fuzz_u16(in)) % n;
}

/*
 * The 8-byte fill pattern of word `i` of a block tagged `tag`: distinct
 * per block and per offset, so a block that overlaps another or lost
 * its contents shows as a mismatch.
 */
static inline uint64_t fuzz_pattern(uint64_t tag, size_t i)
{
	return (tag * 0x9e3779b97f4a7c15ULL) ^ (i * 0xc2b2ae3d27d4eb4fULL) ^
	       0x5a5a5a5a5a5a5a5aULL;
}

/*
 * The offset of the first byte of [p, p + n) that is not `byte`, or n.
 * Whole words at a time: the targets check every zeroed or constructed
 * object and page this way, and a byte loop (or memcmp() through ASan's
 * interceptor) would cost more than the allocator call it checks.
 */
static inline size_t fuzz_first_not(const void *p, uint8_t byte, size_t n)
{
	const uint8_t *b = p;
	uint64_t want = 0x0101010101010101ULL * byte, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__builtin_memcpy(&w, b + i, 8);
		if (w != want)
			break;
	}
	for (; i < n; i++)
		if (b[i] != byte)
			return i;
	return n;
}

/*
 * printk goes nowhere unless FUZZ_VERBOSE is set, and panic() aborts
 * (a panic is a finding). Call from LLVMFuzzerInitialize().
 */
void fuzz_setup_output(void);

#endif /* MM_TESTS_FUZZ_OPS_H */
