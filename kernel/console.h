/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The console: the UART /chosen/stdout-path names (ns16550a and its
 * DesignWare relatives with reg-shift/reg-io-width, or sifive,uart0),
 * or the SBI console when there is none or the tree is unreadable.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

#include "lib/fdt.h"
#include "mm/types.h"

struct console_uart {
	enum { UART_NONE, UART_NS16550, UART_SIFIVE } type;
	paddr_t pa;
	unsigned int reg_shift;
	unsigned int io_width; /* 1 or 4 bytes */
	char node[64];
};

/* Write to the current console; '\n' becomes "\r\n". printk's sink. */
void console_write(const char *s, size_t len);

/*
 * Find the stdout-path UART (kernel/console_dt.c: no hardware access,
 * also built into the host tool dtcheck). Returns 0 and fills *uart, or
 * a negative error: -EFDT_NOTFOUND (no stdout-path or node), -ENODEV
 * (the node is disabled), -ENOSYS (no driver for its compatible),
 * -ERANGE (reg too small for the registers, or they cross a page),
 * other -EFDT_* from a bad reg.
 */
int console_probe(const struct fdt *fdt, struct console_uart *uart);
/*
 * "ns16550a at 0x10000000 (serial@10000000, reg-shift 0, reg-io-width
 * 1)": the console's name in the boot log, into buf (len bytes).
 */
void console_uart_describe(const struct console_uart *uart, char *buf,
			   size_t len);

/* Start using uart, reached at va (NULL: back to the SBI console). */
void console_set_uart(const struct console_uart *uart, void *va);
void *console_uart_base(void);
/* "ns16550a at 0x10000000", "sifive,uart0 at ...", "SBI". */
const char *console_name(void);

#endif /* KERNEL_CONSOLE_H */
