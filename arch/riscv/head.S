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
#include "kernel/smp_boot.h"
#include <asm/cpu.h>

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
	mv	tp, zero		/* no per-hart area yet (lib/cpu.h) */
	csrw	sie, zero
	csrw	sip, zero
	/*
	 * Only the first hart to arrive boots. A later one was sent to the
	 * image entry by the firmware (seen with OpenSBI 1.1 when a hart
	 * reaches the firmware late: the start address given to HSM is
	 * lost) or by a loader that starts every hart here: it waits for
	 * the boot hart to name it in the entry slot, then starts as a
	 * secondary. It must not touch bss, which the boot hart owns.
	 */
	la	t0, boot_entered
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, _secondary_at_entry
	rdinstret s2
	rdtime	s3
	mv	s0, a0
	mv	s1, a1
	la	t0, early_fdt_pa	/* for the early trap report's exit */
	sd	a1, 0(t0)
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
	/* tp: the boot hart's per-hart area (asm/cpu.h), physical for now. */
	la	tp, boot_percpu
	sd	s0, CPU_HDR_HARTID(tp)
	la	sp, _boot_stack_top
	la	t0, arch_boot_instret
	sd	s2, 0(t0)
	la	t0, arch_boot_time
	sd	s3, 0(t0)
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
	/*
	 * Reached only while the old (bare) translation is still in force:
	 * when Sv39 took, this fetch already faulted onto 3f. A hart
	 * without Sv39 ignores the write (WARL): report it and stop.
	 */
	csrr	t0, satp
	bne	t0, a0, no_sv39
	nop
	.align 2
3:
	la	t0, trap_entry
	csrw	stvec, t0
	sfence.vma
	add	sp, sp, t3
	add	tp, tp, t3
	la	t0, _trap_stack_top
	csrw	sscratch, t0
	mv	a0, s0
	mv	a1, s1
	call	kernel_main
4:	wfi
	j	4b

/*
 * Secondary harts, started by the boot hart through SBI HSM: a0 = hart
 * id, a1 = physical address of the hart's struct percpu (its start block
 * at the kernel/smp_boot.h offsets), MMU off. bss is NOT cleared here:
 * the boot hart owns it and is running. Trap vector first, then the
 * kernel's own page tables (same switch as above: the fetch after the
 * satp write faults onto the virtual label), then the hart's vmalloc
 * stack, its trap stack in sscratch and its per-hart area in tp.
 */
	.align 2
	.globl _secondary_start
_secondary_start:
	mv	tp, a1			/* its per-hart area, physical */
	csrw	sie, zero
	la	t0, early_trap_entry
	csrw	stvec, t0
	csrw	sscratch, zero
	li	t0, SSTATUS_SUM | SSTATUS_SIE
	csrc	sstatus, t0
	ld	t1, SMP_BOOT_SATP(a1)
	ld	s0, SMP_BOOT_SP(a1)
	ld	s1, SMP_BOOT_SSCRATCH(a1)
	ld	s2, SMP_BOOT_SELF(a1)
	la	t4, _start
	li	t2, 0xffffffff80000000
	sub	t3, t2, t4
	la	t0, 6f
	add	t0, t0, t3
	csrw	stvec, t0
	sfence.vma
	csrw	satp, t1
	nop
	.align 2
6:
	la	t0, trap_entry
	csrw	stvec, t0
	sfence.vma
	mv	sp, s0
	mv	tp, s2
	csrw	sscratch, s1
	mv	a0, s2
	call	smp_secondary_main
7:	wfi
	j	7b

/*
 * A hart that entered at _start after the boot hart (a0 = hart id): spin
 * until smp_entry_hartid names it (kernel/smp.c writes smp_entry_percpu_pa
 * first, then the id with release), then take that per-hart area.
 */
_secondary_at_entry:
	la	t0, smp_entry_hartid
8:	ld	t1, 0(t0)
	beq	t1, a0, 9f
	.insn i 0x0f, 0, x0, x0, 0x010	/* pause */
	j	8b
9:	fence	r, r
	la	t0, smp_entry_percpu_pa
	ld	a1, 0(t0)
	j	_secondary_start

/* satp kept t0 instead of a0: early_no_mmu(fdt pa, wrote, read). */
no_sv39:
	mv	a2, t0
	mv	a1, a0
	mv	a0, s1
	call	early_no_mmu
10:	wfi
	j	10b

/*
 * Trap before the MMU is on: nothing to resume. Save every register on
 * the trap stack (the interrupted sp through sscratch, which is 0 this
 * early), report through the SBI console and power off with the panic
 * status (arch/riscv/early_vm.c, early_trap).
 */
	.align 2
early_trap_entry:
	csrw	sscratch, sp
	la	sp, _trap_stack_top
	addi	sp, sp, -256
	sd	x0, 0(sp)
	sd	x1, 8(sp)
	sd	x3, 24(sp)
	sd	x4, 32(sp)
	sd	x5, 40(sp)
	sd	x6, 48(sp)
	sd	x7, 56(sp)
	sd	x8, 64(sp)
	sd	x9, 72(sp)
	sd	x10, 80(sp)
	sd	x11, 88(sp)
	sd	x12, 96(sp)
	sd	x13, 104(sp)
	sd	x14, 112(sp)
	sd	x15, 120(sp)
	sd	x16, 128(sp)
	sd	x17, 136(sp)
	sd	x18, 144(sp)
	sd	x19, 152(sp)
	sd	x20, 160(sp)
	sd	x21, 168(sp)
	sd	x22, 176(sp)
	sd	x23, 184(sp)
	sd	x24, 192(sp)
	sd	x25, 200(sp)
	sd	x26, 208(sp)
	sd	x27, 216(sp)
	sd	x28, 224(sp)
	sd	x29, 232(sp)
	sd	x30, 240(sp)
	sd	x31, 248(sp)
	csrr	t0, sscratch
	sd	t0, 16(sp)
	csrw	sscratch, zero
	mv	a0, sp
	call	early_trap
5:	wfi
	j	5b

	.section .data
	.align 3
	.globl smp_entry_hartid, smp_entry_percpu_pa
boot_entered:
	.dword	0
smp_entry_hartid:
	.dword	-1
smp_entry_percpu_pa:
	.dword	0
	.globl arch_boot_instret, arch_boot_image_pa, arch_boot_time
	.globl early_fdt_pa
early_fdt_pa:
	.dword	0
arch_boot_image_pa:
	.dword	0
arch_boot_instret:
	.dword	0
arch_boot_time:
	.dword	0
