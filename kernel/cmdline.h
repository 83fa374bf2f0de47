/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel command line (/chosen/bootargs, QEMU -append): words
 * separated by spaces, each `key` or `key=value`. Known keys:
 *   selftest=<all|suite,...>  bench=<all|group,...>  crash=<kind>
 *   slab_debug[=<flags>]      halt      maxcpus=<n>  shootdown=<ipi|sbi>
 *   buddy=<policy>  buddy_trace  page_trace
 *   fail_page_alloc=, failslab=, fail_seed= and the filters of
 *   kernel/fault_inject.h
 * Anything else gets a "cmdline: warning: unknown argument" line.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>

/* Bytes kept, NUL included: Linux's COMMAND_LINE_SIZE on RISC-V. */
#define CMDLINE_MAX 1024
#define CMDLINE_MAX_ARGS 32

/*
 * Split and check `bootargs` (may be NULL); prints warnings. A line
 * longer than CMDLINE_MAX - 1 bytes is cut before the argument that
 * does not fit, with one warning per dropped argument, and one more when
 * selftest=, bench= or crash= was among them.
 */
void cmdline_parse(const char *bootargs);
/* Value of key=value, "" for a bare key, NULL when absent. */
const char *cmdline_get(const char *key);
bool cmdline_has(const char *key);
/* The raw line as given. */
const char *cmdline_raw(void);

#endif /* KERNEL_CMDLINE_H */
