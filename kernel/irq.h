/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt handling (kernel/irq.c). The entry point, irq_handle(), and
 * enum irq_kind are in kernel/arch.h, which the arch layer implements
 * against; this is what the rest of the kernel may ask.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include "kernel/arch.h"

/* "software interrupt", "timer interrupt", "external interrupt", ... */
const char *irq_kind_name(enum irq_kind kind);

#endif /* KERNEL_IRQ_H */
