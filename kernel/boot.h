/* SPDX-License-Identifier: BSD-2-Clause */
/* Boot-time state shared by the kernel's parts. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <stdint.h>

#include "lib/fdt.h"
#include "lib/kernel.h"

/* Exit statuses (QEMU's exit status through the sifive,test device). */
#define EXIT_OK 0 /* normal, or every test passed */
#define EXIT_TEST_FAILURE 1 /* a self-test failed */
#define EXIT_PANIC 2 /* panic, fatal trap */

/* The validated, live device tree. */
const struct fdt *kernel_fdt(void);

struct memmap;
/* The memory map built at boot (printed as "memory:" lines); read-only. */
const struct memmap *kernel_memmap(void);

/* Instructions buddy_init_from_memblock() took at boot. */
extern uint64_t boot_buddy_init_instret;

/* Boot entry, called by arch code with the MMU on. */
void kernel_main(unsigned long hartid, uint64_t fdt_pa) __noreturn;

#endif /* KERNEL_BOOT_H */
