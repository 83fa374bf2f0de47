// SPDX-License-Identifier: BSD-2-Clause
/*
 * Console drivers, polled output only.
 *
 * ns16550a: THR at register 0, LSR at register 5 (bit 5: transmit holding
 * register empty); register n lives at base + (n << reg-shift), accessed
 * with reg-io-width bytes (VisionFive 2's DesignWare UART: shift 2,
 * width 4). The firmware has set the line up; we only transmit.
 * sifive,uart0: txdata at 0x00, bit 31 set while the FIFO is full.
 * Before a UART is known, and when none is usable, output goes through
 * the SBI console. Which UART, and how it is reached, is decided in
 * kernel/console_dt.c (console_probe), which the host tool dtcheck
 * shares.
 */
#include "kernel/console.h"

#include "kernel/arch.h"
#include "lib/fmt.h"
#include "lib/string.h"

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
