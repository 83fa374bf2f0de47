// SPDX-License-Identifier: BSD-2-Clause
/*
 * Console drivers: polled output, input by interrupt or polling.
 *
 * ns16550a: register n lives at base + (n << reg-shift), accessed with
 * reg-io-width bytes (VisionFive 2's DesignWare UART: shift 2, width 4).
 *   0 THR (write) / RBR (read)   1 IER: bit 0 received-data interrupt
 *   2 IIR: bits 3:0 the pending cause (1 none, 4 data, 0xc timeout,
 *     7 DesignWare busy detect, cleared by reading USR, register 31)
 *   5 LSR: bit 0 data ready, bit 5 transmit holding register empty
 * sifive,uart0 (32-bit registers):
 *   0x00 txdata (bit 31: FIFO full)  0x04 rxdata (bit 31: empty; a read
 *   of a byte pops it)  0x0c rxctrl (bit 0 enable, bits 18:16 the
 *   watermark: rxwm pends while more bytes than it wait)  0x10 ie
 *   (bit 1 rxwm)
 * The firmware has set the line up (speed, FIFOs); we transmit, and
 * enable the receive side only.
 * Before a UART is known, and when none is usable, output goes through
 * the SBI console. Which UART, and how it is reached, is decided in
 * kernel/console_dt.c (console_probe), which the host tool dtcheck
 * shares.
 *
 * Input
 * -----
 * Received bytes go into a ring of CONSOLE_RX_SIZE bytes. With a PLIC
 * that carries the UART's interrupt, the receive interrupt (on the boot
 * hart, kernel/plic.c) empties the UART's FIFO into it; readers take
 * bytes out. Without one, a reader polls the UART (or the SBI console)
 * itself, into the same ring. A full ring drops the new byte and counts
 * it. The interrupt path never allocates and never prints.
 *
 * I1 rx.tail <= rx.head <= rx.tail + CONSOLE_RX_SIZE (free-running
 *    counters); the bytes waiting are buf[tail .. head) modulo the size.
 * I2 Only a holder of rx.lock reads the UART's receive registers or
 *    the SBI console, so no byte is read twice or lost between readers.
 *
 * Locking: rx.lock, taken with interrupts off everywhere (the
 * interrupt handler runs with them off already), guards the ring and
 * the receive registers (I2). It is a leaf: nothing is taken under it.
 * Output is serialised by printk_lock (lib/printk.c), the only caller
 * of console_write once the kernel runs; transmit and receive touch
 * different registers (reading LSR for both is harmless).
 */
#include "kernel/console.h"

#include "kernel/arch.h"
#include "kernel/percpu.h"
#include "kernel/plic.h"
#include "kernel/timer.h"
#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define NS_RBR 0
#define NS_IER 1
#define NS_IIR 2
#define NS_MCR 4
#define NS_LSR 5
#define NS_MCR_LOOP 0x10u
#define NS_USR 31 /* DesignWare only */
#define NS_IER_RDI 0x01u
#define NS_IIR_BUSY 0x07u
#define NS_LSR_DR 0x01u
#define SIFIVE_RXDATA 0x04
#define SIFIVE_RXCTRL 0x0c
#define SIFIVE_IE 0x10
#define SIFIVE_RX_EMPTY 0x80000000u
#define SIFIVE_RXEN 0x1u
#define SIFIVE_IE_RXWM 0x2u
/* Bytes one receive interrupt takes at most (the FIFOs hold 8 to 64). */
#define RX_BURST_MAX 256

STATIC_ASSERT((CONSOLE_RX_SIZE & (CONSOLE_RX_SIZE - 1)) == 0);

enum input_mode { INPUT_NONE, INPUT_IRQ, INPUT_POLL_UART, INPUT_POLL_SBI };

static struct console_uart cur;
static volatile uint8_t *base;
static char name[96] = "SBI";

static uint32_t uart_read(unsigned int reg)
{
	volatile uint8_t *p = base + (reg << cur.reg_shift);

	return cur.io_width == 4 ? mmio_read32(p) : mmio_read8(p);
}

static void uart_write(unsigned int reg, uint32_t v)
{
	volatile uint8_t *p = base + (reg << cur.reg_shift);

	if (cur.io_width == 4)
		mmio_write32(p, v);
	else
		mmio_write8(p, (uint8_t)v);
}

static void uart_putc(char c)
{
	if (cur.type == UART_NS16550) {
		unsigned int spins = 0;

		while (!(uart_read(5) & 0x20) && ++spins < 1000000)
			;
		uart_write(0, (uint8_t)c);
	} else {
		unsigned int spins = 0;

		while ((mmio_read32(base) & 0x80000000u) && ++spins < 1000000)
			;
		mmio_write32(base, (uint8_t)c);
	}
}

void console_write(const char *s, size_t len)
{
	if (!base) {
		size_t start = 0;

		for (size_t i = 0; i < len; i++) {
			if (s[i] == '\n') {
				sbi_console_write(s + start, i - start);
				sbi_console_write("\r\n", 2);
				start = i + 1;
			}
		}
		sbi_console_write(s + start, len - start);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

static const char *uart_type_name(void)
{
	if (cur.type == UART_SIFIVE)
		return "sifive,uart0";
	return cur.dw_apb ? "snps,dw-apb-uart" : "ns16550a";
}

void console_set_uart(const struct console_uart *uart, void *va)
{
	if (!uart || !va) {
		base = NULL;
		fmt_snprintf(name, sizeof(name), "SBI");
		return;
	}
	cur = *uart;
	base = va;
	console_uart_describe(&cur, name, sizeof(name));
}

void *console_uart_base(void)
{
	return (void *)base;
}

const char *console_name(void)
{
	return name;
}

/* ------------------------------------------------------------- input */

static struct {
	spinlock_t lock;
	enum input_mode mode; /* set once by console_input_init */
	unsigned int irq_cpu; /* logical CPU taking the interrupt */
	unsigned int head, tail; /* I1 */
	unsigned long dropped, irq_bytes;
	uint8_t buf[CONSOLE_RX_SIZE];
} rx = { .lock = SPINLOCK_INIT("console_rx") };

/* One byte from the UART's receive side, or -1. rx.lock held (I2). */
static int uart_rx_byte(void)
{
	if (cur.type == UART_NS16550) {
		if (!(uart_read(NS_LSR) & NS_LSR_DR))
			return -1;
		return (int)(uart_read(NS_RBR) & 0xff);
	}
	uint32_t v = mmio_read32(base + SIFIVE_RXDATA);

	return v & SIFIVE_RX_EMPTY ? -1 : (int)(v & 0xff);
}

static void rx_push(int c)
{
	if (rx.head - rx.tail == CONSOLE_RX_SIZE) {
		rx.dropped++;
		return;
	}
	rx.buf[rx.head++ % CONSOLE_RX_SIZE] = (uint8_t)c;
}

/* Move what the hardware holds into the ring. rx.lock held. */
static unsigned int rx_poll_hw(void)
{
	unsigned int n = 0;
	int c;

	if (rx.mode == INPUT_POLL_SBI) {
		c = sbi_console_getc(NULL);
		if (c >= 0) {
			rx_push(c);
			n++;
		}
		return n;
	}
	if (!base)
		return 0;
	while (n < RX_BURST_MAX && (c = uart_rx_byte()) >= 0) {
		rx_push(c);
		n++;
	}
	return n;
}

/* The receive interrupt (kernel/plic.c): interrupts off, never allocates. */
static void uart_rx_interrupt(void *arg)
{
	(void)arg;
	spin_lock(&rx.lock);
	/* DesignWare: a busy-detect interrupt is cleared by reading USR. */
	if (cur.type == UART_NS16550 && cur.dw_apb &&
	    (uart_read(NS_IIR) & 0x0f) == NS_IIR_BUSY)
		(void)uart_read(NS_USR);
	rx.irq_bytes += rx_poll_hw();
	spin_unlock(&rx.lock);
}

static void uart_rx_irq_on(void)
{
	if (cur.type == UART_NS16550) {
		uart_write(NS_IER, uart_read(NS_IER) | NS_IER_RDI);
	} else {
		/* Watermark 0: pending while at least one byte waits. */
		mmio_write32(base + SIFIVE_RXCTRL, SIFIVE_RXEN);
		mmio_write32(base + SIFIVE_IE,
			     mmio_read32(base + SIFIVE_IE) | SIFIVE_IE_RXWM);
	}
}

static const char *no_irq_reason(int err)
{
	switch (err) {
	case -ENODEV:
		return plic_ready() ? "its interrupt does not go to the PLIC"
				    : "no PLIC";
	case -ENOENT:
		return "no interrupts property";
	case -ERANGE:
		return "interrupt number outside the PLIC's sources";
	case -EBUSY:
		return "its interrupt is taken";
	case -ENOSPC:
		return "no PLIC handler slot left";
	default:
		return errno_name(err);
	}
}

void console_input_init(const struct fdt *fdt)
{
	const char *how;
	int irq, c;

	rx.irq_cpu = cpu_id();
	if (base) {
		irq = fdt ? plic_source_of(fdt, cur.node_off) : -ENODEV;
		if (irq > 0) {
			int err = plic_request((unsigned int)irq,
					       uart_rx_interrupt, NULL);

			if (err)
				irq = err;
		}
		if (irq > 0) {
			unsigned long flags = spin_lock_irqsave(&rx.lock);

			rx.mode = INPUT_IRQ;
			uart_rx_irq_on();
			/* Bytes typed before now: the interrupt may not fire. */
			rx_poll_hw();
			spin_unlock_irqrestore(&rx.lock, flags);
			printk("console: input by interrupt (plic irq %d)\n",
			       irq);
			return;
		}
		rx.mode = INPUT_POLL_UART;
		if (cur.type == UART_SIFIVE)
			mmio_write32(base + SIFIVE_RXCTRL, SIFIVE_RXEN);
		printk("console: input by polling (%s registers: %s)\n",
		       uart_type_name(), no_irq_reason(irq));
		return;
	}
	c = sbi_console_getc(&how);
	if (c == -ENOSYS) {
		printk("console: no input (the firmware has no SBI console "
		       "read)\n");
		return;
	}
	rx.mode = INPUT_POLL_SBI;
	if (c >= 0)
		rx_push(c);
	printk("console: input by polling (%s)\n", how);
}

int console_getc_nonblock(void)
{
	unsigned long flags = spin_lock_irqsave(&rx.lock);
	int c = -1;

	/*
	 * Polled input, or interrupt input with interrupts off here (the
	 * interrupt could not run): read the hardware now.
	 */
	if (rx.head == rx.tail && rx.mode != INPUT_NONE &&
	    (rx.mode != INPUT_IRQ || !flags))
		rx_poll_hw();
	if (rx.head != rx.tail)
		c = rx.buf[rx.tail++ % CONSOLE_RX_SIZE];
	spin_unlock_irqrestore(&rx.lock, flags);
	return c;
}

/* Nothing waiting: sleep until something may have arrived. */
static void input_wait(void)
{
	unsigned long flags = cpu_irq_save();

	if (rx.mode == INPUT_IRQ && flags && cpu_id() == rx.irq_cpu) {
		/*
		 * Look, then wfi with interrupts off: a byte arriving in
		 * between leaves its interrupt pending, which ends the
		 * wfi at once, so no wake-up is lost.
		 */
		if (__atomic_load_n(&rx.head, __ATOMIC_RELAXED) ==
		    __atomic_load_n(&rx.tail, __ATOMIC_RELAXED))
			arch_idle();
		cpu_irq_restore(flags);
		return;
	}
	cpu_irq_restore(flags);
	if (timer_sleep_us(CONSOLE_POLL_US))
		cpu_yield();
}

int console_getc(void)
{
	for (;;) {
		int c = console_getc_nonblock();

		if (c >= 0)
			return c;
		input_wait();
	}
}

const char *console_input_mode(void)
{
	switch (rx.mode) {
	case INPUT_IRQ:
		return "interrupt";
	case INPUT_POLL_UART:
	case INPUT_POLL_SBI:
		return "polling";
	default:
		return "none";
	}
}

unsigned long console_input_dropped(void)
{
	return __atomic_load_n(&rx.dropped, __ATOMIC_RELAXED);
}

unsigned long console_input_irq_bytes(void)
{
	return __atomic_load_n(&rx.irq_bytes, __ATOMIC_RELAXED);
}

int console_uart_loopback(bool on)
{
	uint32_t mcr;

	if (!base || cur.type != UART_NS16550)
		return -ENOSYS;
	mcr = uart_read(NS_MCR);
	uart_write(NS_MCR, on ? mcr | NS_MCR_LOOP : mcr & ~NS_MCR_LOOP);
	return 0;
}
