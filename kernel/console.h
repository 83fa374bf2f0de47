/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The console: the UART /chosen/stdout-path names (ns16550a and its
 * DesignWare relatives with reg-shift/reg-io-width, or sifive,uart0),
 * or the SBI console when there is none or the tree is unreadable.
 * Output is polled (printk's sink, under printk_lock); input arrives by
 * the UART's receive interrupt through the PLIC into a ring buffer, or
 * is polled from the UART or the SBI console (kernel/console.c).
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

#include "lib/fdt.h"
#include "mm/types.h"

struct console_uart {
	enum { UART_NONE, UART_NS16550, UART_SIFIVE } type;
	bool dw_apb; /* snps,dw-apb-uart: busy-detect interrupt (USR) */
	int node_off; /* its device-tree node, for its interrupts */
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
/*
 * "ns16550a at 0x10000000 (...)", "snps,dw-apb-uart at ...",
 * "sifive,uart0 at ...", "SBI".
 */
const char *console_name(void);

/*
 * Start console input, after plic_init(): the UART's receive interrupt
 * when the PLIC carries it, else polling the UART, else polling the
 * SBI console (DBCN read, or the legacy getchar). Prints one line:
 *   console: input by interrupt (plic irq <n>)
 *   console: input by polling (<uart> registers: <why no interrupt>)
 *   console: input by polling (SBI DBCN read|SBI getchar)
 *   console: no input (the firmware has no SBI console read)
 */
void console_input_init(const struct fdt *fdt);

/*
 * One byte of input (0..255). Blocks until a byte arrives: the hart
 * sleeps in wfi until the receive interrupt when input is by interrupt
 * (the boot hart, which takes the interrupt, with interrupts on), and
 * otherwise polls every CONSOLE_POLL_US with a timer sleep between
 * polls. With no input at all it never returns.
 */
int console_getc(void);
/* A byte (0..255) if one is waiting, else -1. Never blocks. */
int console_getc_nonblock(void);

/* "interrupt", "polling" or "none". */
const char *console_input_mode(void);
/* Received bytes dropped because the ring buffer was full. */
unsigned long console_input_dropped(void);
/*
 * Bytes the receive interrupt has read from the UART since boot, those
 * dropped for a full ring included (0 when input is polled).
 */
unsigned long console_input_irq_bytes(void);

/*
 * For selftest=irq: put an ns16550 UART in loopback mode (MCR bit 4:
 * transmitted bytes come back as received ones and do not leave the
 * UART) or take it out. Returns 0, or -ENOSYS (no UART, or not a
 * 16550: the SiFive UART has no loopback).
 */
int console_uart_loopback(bool on);

/* Poll interval when input is polled (microseconds). */
#define CONSOLE_POLL_US 1000
/*
 * Ring buffer of received bytes (a power of two). Larger than a line of
 * the shell (255 bytes) with its Enter, four times over: a line pasted
 * at once reaches the ring faster than the shell takes it out while it
 * echoes, and at 256 bytes the Enter of a 300-byte paste could find the
 * ring full and be dropped (harness/test_console.py, test_line_too_long,
 * timed out that way under make test's load).
 */
#define CONSOLE_RX_SIZE 1024

#endif /* KERNEL_CONSOLE_H */
