// SPDX-License-Identifier: BSD-2-Clause
/*
 * PLIC driver (RISC-V PLIC specification v1.0.0; SiFive FU540 manual).
 *
 * Theory of operation
 * -------------------
 * Register map, from the base in reg (offsets in bytes):
 *
 *   0x000000 + 4*s          priority of source s (1..ndev; 0 = never)
 *   0x002000 + 0x80*c       enable bits of context c, bit s%32 of word s/32
 *   0x200000 + 0x1000*c     threshold of context c (+0), claim/complete (+4)
 *
 * A context is one privilege mode of one hart. The PLIC node's
 * interrupts-extended lists them in order: entry c is <&intc N>, the
 * hart's riscv,cpu-intc and N = 9 for S-mode external (11 is M-mode).
 * The firmware keeps the M-mode contexts; we take the boot hart's
 * S-mode one and map only what it uses: the priority page (sources
 * below 1024 all fit in its first 4 KiB), its enable words and its
 * threshold/claim page, three pages in all instead of the whole reg
 * (64 MiB on sifive_u).
 *
 * Device interrupts go to the boot hart alone: the other harts never
 * enable sie.SEIE. An external interrupt claims sources until the claim
 * register reads 0, runs each one's handler and writes the source back
 * to complete it; the PLIC will not raise that source again before the
 * completion, so a level-triggered device that is still asserting is
 * simply claimed again.
 *
 * I1 handlers[0 .. nr_handlers) have distinct sources in 1..ndev, each
 *    enabled in our context with priority 1; every other source is
 *    disabled in our context (plic_init clears them all).
 * I2 A claimed source without a handler is disabled and counted, so a
 *    stray source cannot storm.
 *
 * Locking: plic_lock (irqsave) serialises plic_request's updates of
 * handlers[] and the enable words against each other; the interrupt
 * path reads handlers[] without it, which is safe because entries are
 * complete before nr_handlers is published (release) and never change
 * afterwards. It is a leaf; printk is not called under it.
 */
#include "kernel/plic.h"

#include "kernel/arch.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "mm/kspace.h"
#include "mm/layout.h"

#define PLIC_ENABLE_BASE 0x2000u
#define PLIC_ENABLE_STRIDE 0x80u
#define PLIC_CONTEXT_BASE 0x200000u
#define PLIC_CONTEXT_STRIDE 0x1000u
#define PLIC_THRESHOLD 0x0u
#define PLIC_CLAIM 0x4u
#define INTC_S_EXTERNAL 9u

struct plic_handler {
	unsigned int irq;
	plic_handler_fn fn;
	void *arg;
};

static struct {
	int node;
	uint32_t phandle;
	unsigned int ndev;
	volatile uint8_t *prio; /* priority page */
	volatile uint32_t *enable; /* this context's enable words */
	volatile uint8_t *ctx; /* threshold/claim page */
	bool ready;
	unsigned int nr_handlers; /* published with release (I1) */
	struct plic_handler handlers[PLIC_MAX_HANDLERS];
	unsigned long spurious;
} plic = { .node = -1 };
static DEFINE_SPINLOCK(plic_lock);

static int find_plic(const struct fdt *fdt)
{
	static const char *const compat[] = { "riscv,plic0",
					      "sifive,plic-1.0.0" };

	for (unsigned int i = 0; i < 2; i++)
		for (int n = fdt_node_by_compatible(fdt, -1, compat[i]); n >= 0;
		     n = fdt_node_by_compatible(fdt, n, compat[i]))
			if (fdt_node_is_enabled(fdt, n))
				return n;
	return -EFDT_NOTFOUND;
}

/* Phandle of hartid's riscv,cpu-intc (its cpu node's child), or 0. */
static uint32_t hart_intc(const struct fdt *fdt, unsigned long hartid)
{
	for (int n = fdt_node_by_compatible(fdt, -1, "riscv,cpu-intc"); n >= 0;
	     n = fdt_node_by_compatible(fdt, n, "riscv,cpu-intc")) {
		int cpu = fdt_node_parent(fdt, n);
		uint64_t reg;

		if (cpu >= 0 && fdt_reg_get(fdt, cpu, 0, &reg, NULL) == 0 &&
		    reg == hartid)
			return fdt_node_phandle(fdt, n);
	}
	return 0;
}

/* #interrupt-cells of the node with phandle ph (1 when absent). */
static int intr_cells(const struct fdt *fdt, uint32_t ph)
{
	int node = fdt_node_by_phandle(fdt, ph);
	uint32_t cells = 1;

	if (node < 0)
		return node;
	fdt_prop_u32(fdt, node, "#interrupt-cells", &cells);
	return cells >= 1 && cells <= 4 ? (int)cells : -EFDT_BADVALUE;
}

/* This hart's S-mode context: the index of <&intc 9>; -ENOENT if none. */
static int find_context(const struct fdt *fdt, int node, uint32_t intc)
{
	const uint8_t *v;
	int len, ctx = 0;

	v = fdt_prop_get(fdt, node, "interrupts-extended", &len);
	if (!v)
		return len;
	if (len % 4)
		return -EFDT_BADVALUE;
	for (int i = 0; i < len / 4; ctx++) {
		uint32_t ph = fdt_be32(v + 4 * i);
		int cells = intr_cells(fdt, ph);

		if (cells < 0)
			return cells;
		if (i + 1 + cells > len / 4)
			return -EFDT_BADVALUE;
		if (ph == intc && fdt_be32(v + 4 * (i + 1)) == INTC_S_EXTERNAL)
			return ctx;
		i += 1 + cells;
	}
	return -ENOENT;
}

/* Map [off, off + len) of the PLIC, which must lie inside its reg. */
static volatile uint8_t *map(uint64_t pa, uint64_t size, uint64_t off,
			     uint64_t len)
{
	if (off > size || len > size - off)
		return NULL;
	return ioremap(pa + off, len);
}

static int plic_fail(const char *what, int err)
{
	printk("plic: warning: %s (%s), device interrupts off\n", what,
	       errno_name(err));
	return err;
}

int plic_init(const struct fdt *fdt, unsigned long hartid)
{
	uint64_t pa, size, en_off, ctx_off;
	uint32_t intc, ndev;
	int node, ctx, err;

	node = find_plic(fdt);
	if (node < 0)
		return node;
	plic.node = node;
	plic.phandle = fdt_node_phandle(fdt, node);
	err = fdt_reg_get(fdt, node, 0, &pa, &size);
	if (err)
		return plic_fail("unreadable reg", err);
	if (fdt_prop_u32(fdt, node, "riscv,ndev", &ndev) || ndev == 0 ||
	    ndev > PLIC_MAX_SOURCE)
		return plic_fail("riscv,ndev missing or outside 1..1023",
				 -ERANGE);
	intc = hart_intc(fdt, hartid);
	if (!intc)
		return plic_fail("the boot hart has no riscv,cpu-intc",
				 -ENOENT);
	ctx = find_context(fdt, node, intc);
	if (ctx < 0)
		return plic_fail("no S-mode context for the boot hart in "
				 "interrupts-extended",
				 ctx);
	en_off = PLIC_ENABLE_BASE + (uint64_t)PLIC_ENABLE_STRIDE * ctx;
	ctx_off = PLIC_CONTEXT_BASE + (uint64_t)PLIC_CONTEXT_STRIDE * ctx;
	plic.prio = map(pa, size, 0, 4 * (ndev + 1));
	plic.enable =
		(volatile uint32_t *)map(pa, size, en_off, 4 * (ndev / 32 + 1));
	plic.ctx = map(pa, size, ctx_off, 8);
	if (!plic.prio || !plic.enable || !plic.ctx)
		return plic_fail("registers outside reg or not mappable",
				 -ERANGE);
	plic.ndev = ndev;
	for (unsigned int w = 0; w <= ndev / 32; w++)
		mmio_write32(&plic.enable[w], 0);
	mmio_write32(plic.ctx + PLIC_THRESHOLD, 0);
	plic.ready = true;
	arch_external_irq_enable();
	printk("plic: %pE at 0x%lx, %u sources, hart %lu context %d\n",
	       fdt_prop_string(fdt, node, "compatible"), (unsigned long)pa,
	       ndev, hartid, ctx);
	return 0;
}

bool plic_ready(void)
{
	return plic.ready;
}

/* The interrupt-parent phandle in force at node (inherited), or 0. */
static uint32_t interrupt_parent(const struct fdt *fdt, int node)
{
	for (; node >= 0; node = fdt_node_parent(fdt, node)) {
		uint32_t ph;

		if (fdt_prop_u32(fdt, node, "interrupt-parent", &ph) == 0)
			return ph;
	}
	return 0;
}

int plic_source_of(const struct fdt *fdt, int node)
{
	const uint8_t *v;
	uint32_t irq = 0;
	int len;

	if (plic.node < 0 || !plic.phandle)
		return -ENODEV;
	v = fdt_prop_get(fdt, node, "interrupts-extended", &len);
	if (v) {
		bool found = false;

		if (len % 4)
			return -EFDT_BADVALUE;
		for (int i = 0; i < len / 4 && !found;) {
			uint32_t ph = fdt_be32(v + 4 * i);
			int cells = intr_cells(fdt, ph);

			if (cells < 0 || i + 1 + cells > len / 4)
				return -EFDT_BADVALUE;
			if (ph == plic.phandle) {
				irq = fdt_be32(v + 4 * (i + 1));
				found = true;
			}
			i += 1 + cells;
		}
		if (!found)
			return -ENODEV;
	} else {
		v = fdt_prop_get(fdt, node, "interrupts", &len);
		if (!v)
			return -ENOENT;
		if (len < 4)
			return -EFDT_BADVALUE;
		if (interrupt_parent(fdt, node) != plic.phandle)
			return -ENODEV;
		irq = fdt_be32(v);
	}
	if (irq == 0 || irq > plic.ndev)
		return -ERANGE;
	return (int)irq;
}

int plic_request(unsigned int irq, plic_handler_fn fn, void *arg)
{
	unsigned long flags;
	unsigned int n;
	int err = 0;

	if (!plic.ready)
		return -ENODEV;
	if (irq == 0 || irq > plic.ndev || !fn)
		return -ERANGE;
	flags = spin_lock_irqsave(&plic_lock);
	n = plic.nr_handlers;
	for (unsigned int i = 0; i < n; i++)
		if (plic.handlers[i].irq == irq)
			err = -EBUSY;
	if (!err && n == PLIC_MAX_HANDLERS)
		err = -ENOSPC;
	if (!err) {
		plic.handlers[n] = (struct plic_handler){ irq, fn, arg };
		__atomic_store_n(&plic.nr_handlers, n + 1, __ATOMIC_RELEASE);
		mmio_write32(plic.prio + 4 * irq, 1);
		mmio_write32(&plic.enable[irq / 32],
			     mmio_read32(&plic.enable[irq / 32]) |
				     1u << (irq % 32));
	}
	spin_unlock_irqrestore(&plic_lock, flags);
	return err;
}

/* A claimed source with no handler: disable it (I2). */
static void disable_stray(unsigned int irq)
{
	spin_lock(&plic_lock);
	mmio_write32(&plic.enable[irq / 32],
		     mmio_read32(&plic.enable[irq / 32]) & ~(1u << (irq % 32)));
	spin_unlock(&plic_lock);
	__atomic_fetch_add(&plic.spurious, 1, __ATOMIC_RELAXED);
}

void plic_handle(void)
{
	volatile uint32_t *claim = (volatile uint32_t *)(plic.ctx + PLIC_CLAIM);
	uint32_t irq;

	if (!plic.ready)
		return;
	while ((irq = mmio_read32(claim)) != 0) {
		unsigned int n =
			__atomic_load_n(&plic.nr_handlers, __ATOMIC_ACQUIRE);
		bool handled = false;

		for (unsigned int i = 0; i < n; i++) {
			if (plic.handlers[i].irq == irq) {
				plic.handlers[i].fn(plic.handlers[i].arg);
				handled = true;
				break;
			}
		}
		if (!handled && irq <= plic.ndev)
			disable_stray(irq);
		mmio_write32(claim, irq);
	}
}

unsigned long plic_spurious_count(void)
{
	return __atomic_load_n(&plic.spurious, __ATOMIC_RELAXED);
}
