/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Boot arguments for allocation fault injection (mm/fail_alloc.h):
 *
 *   fail_page_alloc=<interval>,<probability>,<space>,<times>
 *   failslab=<interval>,<probability>,<space>,<times>
 *   fail_page_alloc.ignore_gfp_wait=<Y|N>   fail_page_alloc.min_order=<n>
 *   failslab.ignore_gfp_wait=<Y|N>          fail_seed=<n>
 *
 * Parsed at boot, armed when the commands (crash=, selftest=, bench=)
 * start: boot itself is never failed.
 */
#ifndef KERNEL_FAULT_INJECT_H
#define KERNEL_FAULT_INJECT_H

#include <stdbool.h>

/*
 * Read the arguments; a bad one gives one "cmdline: warning: ..." line
 * and is ignored. Prints one "fault-inject: ..." line per configured
 * injector.
 */
void fault_inject_setup(void);
/* True if an injector is configured with a probability above 0. */
bool fault_inject_enabled(void);
/* Arm or disarm the configured injectors (mm/fail_alloc.h). */
void fault_inject_arm(bool on);
/* "fault-inject: <name> injected <n> failures in <m> calls" each. */
void fault_inject_print_summary(void);

#endif /* KERNEL_FAULT_INJECT_H */
