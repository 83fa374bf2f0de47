// SPDX-License-Identifier: BSD-2-Clause
/*
 * The console decision, apart from the driver: which UART the device
 * tree's /chosen/stdout-path names and how it is reached. Touches no
 * hardware, so the kernel (kernel/console.c) and the host tool dtcheck
 * (tools/dtcheck.c) run the same code on the same tree.
 *
 * Accepted: ns16550a, ns16550, snps,dw-apb-uart and intel,xscale-uart
 * (the SpacemiT K1's, a 16550 with a unit-enable bit the firmware has
 * already set) as 16550s, with reg-shift (0..4) and reg-io-width (1 or
 * 4); sifive,uart0 with 32-bit registers. The registers used must lie
 * inside reg and inside the one page the UART is mapped with.
 */
#include "kernel/console.h"

#include "lib/fmt.h"
#include "lib/string.h"

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
	uart->node_off = node;
	uart->dw_apb = fdt_node_is_compatible(fdt, node, "snps,dw-apb-uart");
	if (fdt_node_is_compatible(fdt, node, "ns16550a") ||
	    fdt_node_is_compatible(fdt, node, "ns16550") ||
	    fdt_node_is_compatible(fdt, node, "snps,dw-apb-uart") ||
	    fdt_node_is_compatible(fdt, node, "intel,xscale-uart"))
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

void console_uart_describe(const struct console_uart *uart, char *buf,
			   size_t len)
{
	fmt_snprintf(buf, len,
		     "%s at 0x%lx (%s, reg-shift %u, "
		     "reg-io-width %u)",
		     uart->type == UART_SIFIVE ? "sifive,uart0"
		     : uart->dw_apb	       ? "snps,dw-apb-uart"
					       : "ns16550a",
		     (unsigned long)uart->pa, uart->node, uart->reg_shift,
		     uart->io_width);
}
