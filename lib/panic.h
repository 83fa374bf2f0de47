/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * panic(): the kernel cannot go on. lib/ prints "panic: <message>" through
 * printk and then calls the hook the owner installed (the kernel powers off
 * with status 2; host tests abort()). Messages start with the function name
 * and print the values involved.
 */
#ifndef LIB_PANIC_H
#define LIB_PANIC_H

#include "lib/kernel.h"

typedef void (*panic_hook_fn)(void);

/* Install the function that ends the run; it must not return. */
void panic_set_hook(panic_hook_fn hook);

/*
 * Multi-hart hooks: stop_others stops every other hart (they print
 * nothing more) and returns; park stops the calling hart for good and
 * does not return. Either may be NULL (one hart, host tests).
 */
void panic_set_smp_hooks(panic_hook_fn stop_others, panic_hook_fn park);

/* True once some hart has called panic(). */
bool panic_in_progress(void);

/*
 * Start ending the run on this hart: true for the first hart (the other
 * harts are stopped and printk_lock is free for it), false for a
 * second panic on the same hart; a hart that loses the race to another
 * parks and does not return. panic() and the fatal-trap reporter call it.
 */
bool panic_begin(void);

/* Park here if another hart is panicking (called from wait loops). */
void panic_check_park(void);

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#endif /* LIB_PANIC_H */
