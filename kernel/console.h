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
 * Find the stdout-path UART. Returns 0 and fills *uart, or a negative
 * error: -EFDT_NOTFOUND (no stdout-path or node), -ENOSYS (no driver
 * for its compatible), other -EFDT_* from a bad reg.
 */
int console_probe(const struct fdt *fdt, struct console_uart *uart);

/* Start using uart, reached at va (NULL: back to the SBI console). */
void console_set_uart(const struct console_uart *uart, void *va);
void *console_uart_base(void);
/* "ns16550a at 0x10000000", "sifive,uart0 at ...", "SBI". */
const char *console_name(void);

/* Input: block until one byte arrives; returns it (0..255). */
int console_getc(void);
/* Input: a byte if one is waiting (0..255), else -1 at once. */
int console_getc_nonblock(void);

#endif /* KERNEL_CONSOLE_H */
