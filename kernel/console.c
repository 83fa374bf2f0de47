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
 * the SBI console.
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

int console_probe(const struct fdt *fdt, struct console_uart *uart)
{
	const char *path = fdt_prop_string(
		fdt, fdt_node_by_path(fdt, "/chosen", 7), "stdout-path");
	const char *colon;
	uint64_t pa, size;
	uint32_t v;
	int node, err;

	memset(uart, 0, sizeof(*uart));
	if (!path)
		path = fdt_prop_string(fdt, fdt_node_by_path(fdt, "/chosen", 7),
				       "linux,stdout-path");
	if (!path)
		return -EFDT_NOTFOUND;
	colon = strchr(path, ':');
	node = fdt_node_by_path(fdt, path,
				colon ? (size_t)(colon - path) : strlen(path));
	if (node < 0)
		return node;
	if (!fdt_node_is_enabled(fdt, node))
		return -ENODEV; /* status = "disabled": not ours to drive */
	fmt_snprintf(uart->node, sizeof(uart->node), "%pE",
		     fdt_node_name(fdt, node, NULL));
	if (fdt_node_is_compatible(fdt, node, "ns16550a") ||
	    fdt_node_is_compatible(fdt, node, "ns16550") ||
	    fdt_node_is_compatible(fdt, node, "snps,dw-apb-uart"))
		uart->type = UART_NS16550;
	else if (fdt_node_is_compatible(fdt, node, "sifive,uart0"))
		uart->type = UART_SIFIVE;
	else
		return -ENOSYS;
	err = fdt_reg_get(fdt, node, 0, &pa, &size);
	if (err)
		return err;
	uart->pa = pa;
	uart->io_width = 1;
	if (fdt_prop_u32(fdt, node, "reg-shift", &v) == 0 && v <= 4)
		uart->reg_shift = v;
	if (fdt_prop_u32(fdt, node, "reg-io-width", &v) == 0 &&
	    (v == 1 || v == 4))
		uart->io_width = v;
	if (uart->type == UART_SIFIVE)
		uart->io_width = 4;
	/*
	 * The registers used (8 for a 16550, 7 words for a SiFive UART)
	 * must lie inside reg, and the UART is mapped with one page: in
	 * 64 bits, so that no device-tree value wraps the check.
	 */
	if (size < (uint64_t)(uart->type == UART_SIFIVE ? 7 * 4 : 8)
			    << uart->reg_shift ||
	    pa + size < pa ||
	    (pa & (PAGE_SIZE - 1)) + ((uint64_t)8 << uart->reg_shift) >
		    PAGE_SIZE)
		return -ERANGE;
	return 0;
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
	fmt_snprintf(name, sizeof(name),
		     "%s at 0x%lx (%s, reg-shift %u, "
		     "reg-io-width %u)",
		     cur.type == UART_NS16550 ? "ns16550a" : "sifive,uart0",
		     (unsigned long)cur.pa, cur.node, cur.reg_shift,
		     cur.io_width);
}

void *console_uart_base(void)
{
	return (void *)base;
}

const char *console_name(void)
{
	return name;
}
