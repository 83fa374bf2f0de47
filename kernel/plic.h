/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The RISC-V platform-level interrupt controller (kernel/plic.c): found
 * in the device tree ("riscv,plic0", "sifive,plic-1.0.0"), routed to the
 * boot hart's S-mode context.
 */
#ifndef KERNEL_PLIC_H
#define KERNEL_PLIC_H

#include <stdbool.h>

#include "lib/fdt.h"

/* Interrupt sources are 1..PLIC_MAX_SOURCE (the PLIC's own limit). */
#define PLIC_MAX_SOURCE 1023u
/* Handlers that plic_request() can register. */
#define PLIC_MAX_HANDLERS 8

typedef void (*plic_handler_fn)(void *arg);

/*
 * Boot hart, after ioremap() works: find the first enabled PLIC node,
 * find this hart's S-mode context in its interrupts-extended (the entry
 * pointing at the hart's riscv,cpu-intc with interrupt 9), map its
 * registers, set the context's threshold to 0 and disable every source
 * for it, and enable external interrupts on this hart. Prints
 *   plic: <compatible> at 0x<pa>, <n> sources, hart <h> context <c>
 * Returns 0; -EFDT_NOTFOUND when the tree has no PLIC (nothing printed);
 * otherwise prints "plic: warning: <what>, device interrupts off" and
 * returns the error (-ENOENT no context for this hart, -ERANGE a
 * register outside reg, -ENOMEM no mapping, -EFDT_* bad properties).
 */
int plic_init(const struct fdt *fdt, unsigned long hartid);

/* plic_init() succeeded. */
bool plic_ready(void);

/*
 * The PLIC source number that `node` raises: its "interrupts" when its
 * interrupt-parent (its own or an ancestor's) is the PLIC, or the
 * PLIC entry of its "interrupts-extended". Returns the source (1 ..
 * riscv,ndev) or a negative error: -ENODEV no PLIC (or the node's
 * interrupts go to another controller), -ENOENT the node has no
 * interrupts, -ERANGE a source outside 1..ndev, -EFDT_BADVALUE a
 * malformed property.
 */
int plic_source_of(const struct fdt *fdt, int node);

/*
 * Send source `irq` to this hart's context with priority 1 and run
 * fn(arg) in interrupt context each time it is claimed (with the
 * source completed after fn returns: fn must quiet the device). Returns
 * 0, -ENODEV (no PLIC), -ERANGE (irq outside 1..ndev), -EBUSY (irq
 * already has a handler), -ENOSPC (PLIC_MAX_HANDLERS in use).
 */
int plic_request(unsigned int irq, plic_handler_fn fn, void *arg);

/* The external interrupt (kernel/irq.c): claim, dispatch, complete. */
void plic_handle(void);

/* Claims of a source with no handler (each such source is disabled). */
unsigned long plic_spurious_count(void);

#endif /* KERNEL_PLIC_H */
