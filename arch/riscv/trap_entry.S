/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trap entry, for interrupts and exceptions alike. sscratch always holds the top of the stack to take a trap
 * on: the dedicated trap stack at first (so a fault from a blown boot
 * stack can still be reported), then, while a trap is being handled, the
 * current frame (so a nested trap stacks below it instead of
 * overwriting it). The frame layout is struct trap_frame (kernel/arch.h).
 */
#include "arch/riscv/csr.h"

#define FRAME_SIZE (36 * 8)
#define REG(n) ((n) * 8)
#define F_SEPC (32 * 8)
#define F_SSTATUS (33 * 8)
#define F_SCAUSE (34 * 8)
#define F_STVAL (35 * 8)

	.section .text
	.align 2
	.globl trap_entry
trap_entry:
	csrrw	sp, sscratch, sp
	addi	sp, sp, -FRAME_SIZE
	sd	x1, REG(1)(sp)
	sd	x3, REG(3)(sp)
	sd	x4, REG(4)(sp)
	sd	x5, REG(5)(sp)
	sd	x6, REG(6)(sp)
	sd	x7, REG(7)(sp)
	sd	x8, REG(8)(sp)
	sd	x9, REG(9)(sp)
	sd	x10, REG(10)(sp)
	sd	x11, REG(11)(sp)
	sd	x12, REG(12)(sp)
	sd	x13, REG(13)(sp)
	sd	x14, REG(14)(sp)
	sd	x15, REG(15)(sp)
	sd	x16, REG(16)(sp)
	sd	x17, REG(17)(sp)
	sd	x18, REG(18)(sp)
	sd	x19, REG(19)(sp)
	sd	x20, REG(20)(sp)
	sd	x21, REG(21)(sp)
	sd	x22, REG(22)(sp)
	sd	x23, REG(23)(sp)
	sd	x24, REG(24)(sp)
	sd	x25, REG(25)(sp)
	sd	x26, REG(26)(sp)
	sd	x27, REG(27)(sp)
	sd	x28, REG(28)(sp)
	sd	x29, REG(29)(sp)
	sd	x30, REG(30)(sp)
	sd	x31, REG(31)(sp)
	csrr	t0, sscratch
	sd	t0, REG(2)(sp)
	sd	zero, REG(0)(sp)
	csrr	t0, sepc
	sd	t0, F_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, F_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, F_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, F_STVAL(sp)
	/* Nested traps stack below this frame. */
	csrw	sscratch, sp
	mv	a0, sp
	call	arch_trap
	/*
	 * Resume (interrupts, fixups): sepc may have been changed. The
	 * saved sstatus has SPIE as the interrupted code had SIE, so sret
	 * turns interrupts back on only if they were on; a handler runs
	 * with them off throughout (no nesting).
	 */
	ld	t0, F_SEPC(sp)
	csrw	sepc, t0
	ld	t0, F_SSTATUS(sp)
	csrw	sstatus, t0
	addi	t0, sp, FRAME_SIZE
	csrw	sscratch, t0
	ld	x1, REG(1)(sp)
	ld	x3, REG(3)(sp)
	ld	x4, REG(4)(sp)
	ld	x5, REG(5)(sp)
	ld	x6, REG(6)(sp)
	ld	x7, REG(7)(sp)
	ld	x8, REG(8)(sp)
	ld	x9, REG(9)(sp)
	ld	x10, REG(10)(sp)
	ld	x11, REG(11)(sp)
	ld	x12, REG(12)(sp)
	ld	x13, REG(13)(sp)
	ld	x14, REG(14)(sp)
	ld	x15, REG(15)(sp)
	ld	x16, REG(16)(sp)
	ld	x17, REG(17)(sp)
	ld	x18, REG(18)(sp)
	ld	x19, REG(19)(sp)
	ld	x20, REG(20)(sp)
	ld	x21, REG(21)(sp)
	ld	x22, REG(22)(sp)
	ld	x23, REG(23)(sp)
	ld	x24, REG(24)(sp)
	ld	x25, REG(25)(sp)
	ld	x26, REG(26)(sp)
	ld	x27, REG(27)(sp)
	ld	x28, REG(28)(sp)
	ld	x29, REG(29)(sp)
	ld	x30, REG(30)(sp)
	ld	x31, REG(31)(sp)
	ld	sp, REG(2)(sp)
	sret

/*
 * int arch_probe_stimecmp(void): 0 if stimecmp can be read, -ENOSYS if
 * the read traps (no Sstc, or the firmware left menvcfg.STCE clear).
 */
	.globl arch_probe_stimecmp
arch_probe_stimecmp:
5:	csrr	t0, CSR_STIMECMP
	li	a0, 0
	ret
6:	li	a0, -38
	ret
	.section __ex_table, "a"
	.align 3
	.dword	5b, 6b
	.previous

/*
 * int arch_probe_read(const volatile void *addr, uint8_t *out)
 * int arch_probe_write(volatile void *addr, uint8_t v)
 * A fault at the marked access resumes at the fixup with -EFAULT.
 */
	.globl arch_probe_read
arch_probe_read:
1:	lbu	t0, 0(a0)
	sb	t0, 0(a1)
	li	a0, 0
	ret
2:	li	a0, -14
	ret
	.section __ex_table, "a"
	.align 3
	.dword	1b, 2b
	.previous

	.globl arch_probe_write
arch_probe_write:
3:	sb	a1, 0(a0)
	li	a0, 0
	ret
4:	li	a0, -14
	ret
	.section __ex_table, "a"
	.align 3
	.dword	3b, 4b
	.previous
