/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entry from the SBI firmware: a0 = hart id, a1 = physical address of the
 * device tree, MMU off, running wherever the loader put the image.
 *
 * Everything up to the jump to virtual addresses is position independent
 * (pc-relative `la`, no absolute pointers): clear bss, take a stack,
 * install an early trap vector, let early_vm_setup() (C, also position
 * independent) build tables that map the image at KERNEL_VA and the
 * device tree window, then turn on Sv39 and continue at KERNEL_VA.
 *
 * The Image header below follows Linux's Documentation/riscv/boot-image-
 * header.rst so that U-Boot `booti` and board loaders start us.
 */
#include "arch/riscv/csr.h"

	.section .head.text, "ax"
	.globl _start
_start:
	/* code0/code1: jump over the header (4-byte form: no RVC here) */
	.option push
	.option norvc
	j	_start_kernel
	.option pop
	.word	0
	.dword	0x200000		/* text_offset */
	.dword	_image_size		/* image_size (memory footprint) */
	.dword	0			/* flags: little endian */
	.word	0x00000002		/* header version 0.2 */
	.word	0			/* res1 */
	.dword	0			/* res2 */
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* res3 */

_start_kernel:
	csrw	sie, zero
	csrw	sip, zero
	rdinstret s2
	mv	s0, a0
	mv	s1, a1
	/* Early trap vector (physical). */
	la	t0, early_trap_entry
	csrw	stvec, t0
	csrw	sscratch, zero
	/* No FPU, no user memory access. */
	li	t0, SSTATUS_SUM | SSTATUS_SIE
	csrc	sstatus, t0
	/* Clear bss (physical addresses). */
	la	t0, _sbss
	la	t1, _ebss
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	la	sp, _boot_stack_top
	la	t0, arch_boot_instret
	sd	s2, 0(t0)
	la	t0, arch_boot_image_pa
	la	t1, _start
	sd	t1, 0(t0)

	/* a0 = dtb pa; returns the satp value for the early tables. */
	mv	a0, s1
	call	early_vm_setup

	/* t3 = KERNEL_VA - load address: converts image pa to va. */
	la	t1, _start
	li	t2, 0xffffffff80000000
	sub	t3, t2, t1
	/*
	 * The instruction after the satp write is fetched through the new
	 * tables, where our physical pc is not mapped: the fetch faults and
	 * the trap lands on stvec, which is the virtual address of 3f.
	 */
	la	t0, 3f
	add	t0, t0, t3
	csrw	stvec, t0
	sfence.vma
	csrw	satp, a0
	nop
	.align 2
3:
	la	t0, trap_entry
	csrw	stvec, t0
	sfence.vma
	add	sp, sp, t3
	la	t0, _trap_stack_top
	csrw	sscratch, t0
	mv	a0, s0
	mv	a1, s1
	call	kernel_main
4:	wfi
	j	4b

/*
 * Trap before the MMU is on: no stack switch, nothing to resume. Report
 * through the SBI console and shut down.
 */
	.align 2
early_trap_entry:
	la	sp, _trap_stack_top
	call	early_trap
5:	wfi
	j	5b

	.section .data
	.align 3
	.globl arch_boot_instret, arch_boot_image_pa
arch_boot_image_pa:
	.dword	0
arch_boot_instret:
	.dword	0
