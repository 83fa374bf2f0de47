// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the page allocator under every buddy policy:
 * mm/tests/fuzz_buddy.c with its input's first byte choosing binary,
 * Fibonacci, weighted or tertiary (buddy_select_policy()), and its
 * model asking the policy for the size of each order's block.
 */
#define FUZZ_BUDDY_POLICIES 1
#include "mm/tests/fuzz_buddy.c"
