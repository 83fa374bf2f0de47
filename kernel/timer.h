/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Time and the per-hart supervisor timer (kernel/timer.c).
 *
 * Time is the `time` CSR in ticks of /cpus/timebase-frequency. Each hart
 * has one one-shot timer whose function runs in interrupt context, and
 * one sleeper (timer_sleep_us); the hardware compare register holds the
 * sooner of the two. Everything here acts on the calling hart.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/fdt.h"

typedef void (*timer_fn)(void *arg);

/*
 * Boot hart, once, before the other harts start: read the timebase
 * (the boot hart's cpu node, else /cpus), pick Sstc or SBI TIME
 * (arch_timer_probe) and print
 *   timer: <Sstc|SBI TIME>, timebase <hz> Hz
 * or "timer: none (<why>)". Then timer_init_hart() for the boot hart.
 */
void timer_init(const struct fdt *fdt, unsigned long hartid);
/* Every hart: no deadline in the hardware, timer interrupts enabled. */
void timer_init_hart(void);

/* A timer and a timebase were found (timer_init). */
bool timer_available(void);
/* Timebase frequency in Hz (0 if the tree has none). */
uint32_t timer_hz(void);
/* Ticks now. */
uint64_t timer_now(void);
/* Conversions; 0 when the timebase is unknown. Exact up to 2^64 ticks. */
uint64_t timer_ticks_to_us(uint64_t ticks);
uint64_t timer_us_to_ticks(uint64_t us);

/*
 * Arm this hart's one-shot: fn(arg) runs in interrupt context on this
 * hart once timer_now() >= deadline (at once if it has passed), with
 * interrupts off; it may re-arm. Replaces an armed one. Returns 0, or
 * -ENODEV without a timer, -EINVAL for a NULL fn.
 */
int timer_arm(uint64_t deadline, timer_fn fn, void *arg);
/* Disarm this hart's one-shot (nothing if none is armed). */
void timer_cancel(void);

/*
 * Sleep in wfi until `us` microseconds have passed (interrupts are
 * served meanwhile if they were on). Returns 0, -ENODEV without a timer
 * (no sleep), or -EINVAL in interrupt context.
 */
int timer_sleep_us(uint64_t us);

/* The timer interrupt (kernel/irq.c). */
void timer_interrupt(void);

#endif /* KERNEL_TIMER_H */
