/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The memory console: with none of selftest=, bench=, crash= on the
 * command line, the boot hart prints "mm> " on the console and runs the
 * commands typed there (README.md, "The memory console", lists them).
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

#include "lib/kernel.h"

/* Read, run, repeat; only `poweroff` ends it. Boot hart, after boot. */
void shell_run(void) __noreturn;

#endif /* KERNEL_SHELL_H */
