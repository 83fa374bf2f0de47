/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Sv39 leaf encoding, memory types included, as plain C with no CPU
 * access. The target's <asm/mmu.h> binds it to the attributes chosen at
 * boot; the host tests' <asm/mmu.h> (mm/tests/include/asm/mmu.h) uses
 * this same code, so the bits the host tests check are the bits the
 * kernel writes. It lives in lib/ because both must reach it and only
 * arch/riscv/ may include arch/riscv/ headers.
 *
 *   63 62 61 60 59 58   54 53              10 9  8 7 6 5 4 3 2 1 0
 *  +--+-----+-----------+------------------+----+-+-+-+-+-+-+-+-+
 *  |N | PBMT| reserved  |   PPN (44 bits)  |RSW |D|A|G|U|X|W|R|V|  Sv39
 *  +--+--+--+--+--+-----+------------------+----+-+-+-+-+-+-+-+-+  + Svpbmt
 *  |SO|C |B |SH|Se| res.|                  |                    |  T-Head
 *  +--+--+--+--+--+-----+------------------+----+-+-+-+-+-+-+-+-+  MAE
 *
 * Memory types (struct riscv_pte_mattr, one scheme chosen at boot,
 * before the final page tables are built; enum riscv_mattr names it):
 *
 *   scheme    normal memory            PROT_DEVICE               field
 *   none      0                        0 (not expressible)       -
 *   svpbmt    PBMT=0 (PMA)             PBMT=2 (IO)               62:61
 *   thead-mae C|B|SH (cacheable)       SO|SH (strongly ordered,  63:59
 *                                      non-cacheable,
 *                                      non-bufferable)
 *
 * Svpbmt: the privileged spec's "Svpbmt" chapter (PBMT 0 PMA, 1 NC, 2
 * IO, 3 reserved). T-Head MAE: the C906/C910 manuals' extended page
 * attributes, enabled by M-mode in mxstatus.MAEE, with the values Linux
 * uses (arch/riscv/include/asm/pgtable-64.h: _PAGE_PMA_THEAD and
 * _PAGE_IO_THEAD); with MAE on, a leaf with all five bits clear is
 * strongly ordered and uncached, so normal memory must carry C|B|SH.
 * Table (non-leaf) entries carry no memory-type bits in either scheme
 * (Svpbmt reserves PBMT there). Bit 63 (Svnapot's N) and the remaining
 * reserved bits are never set: hardware faults on them.
 */
#ifndef LIB_RISCV_PTE_H
#define LIB_RISCV_PTE_H

#include <stdint.h>

#include "lib/riscv_isa.h"

/*
 * The permission bits riscv_pte_leaf() takes: the values of mm/arch.h's
 * PROT_* (asserted in arch/riscv/mmu.c and mm/tests/host_arch.c, which
 * see both; lib/ cannot include mm/).
 */
#define RISCV_PTE_PROT_READ 0x1u
#define RISCV_PTE_PROT_WRITE 0x2u
#define RISCV_PTE_PROT_EXEC 0x4u
#define RISCV_PTE_PROT_GLOBAL 0x8u
#define RISCV_PTE_PROT_DEVICE 0x10u

/* Sv39 PTE bits. */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_BITS 44

/* Svpbmt. */
#define PTE_PBMT_SHIFT 61
#define PTE_PBMT_MASK (3UL << PTE_PBMT_SHIFT)
#define PTE_PBMT_NC (1UL << PTE_PBMT_SHIFT)
#define PTE_PBMT_IO (2UL << PTE_PBMT_SHIFT)

/* T-Head MAE (C906, C910). */
#define PTE_THEAD_SO (1UL << 63) /* strong order */
#define PTE_THEAD_C (1UL << 62) /* cacheable */
#define PTE_THEAD_B (1UL << 61) /* bufferable */
#define PTE_THEAD_SH (1UL << 60) /* shareable */
#define PTE_THEAD_SEC (1UL << 59) /* trustable */
#define PTE_THEAD_MASK (0x1fUL << 59)
#define PTE_THEAD_PMA (PTE_THEAD_C | PTE_THEAD_B | PTE_THEAD_SH)
#define PTE_THEAD_IO (PTE_THEAD_SO | PTE_THEAD_SH)

/*
 * A memory-type scheme: the bits a leaf gets for normal memory (bits[0])
 * and for PROT_DEVICE (bits[1]), and the field they live in (0: the
 * scheme cannot tell them apart, so PROT_DEVICE reads back as absent).
 */
struct riscv_pte_mattr {
	uint64_t bits[2];
	uint64_t mask;
};

#define RISCV_PTE_MATTR_NONE                                                   \
	{                                                                      \
		{ 0, 0 }, 0                                                    \
	}
#define RISCV_PTE_MATTR_SVPBMT                                                 \
	{                                                                      \
		{ 0, PTE_PBMT_IO }, PTE_PBMT_MASK                              \
	}
#define RISCV_PTE_MATTR_THEAD_MAE                                              \
	{                                                                      \
		{ PTE_THEAD_PMA, PTE_THEAD_IO }, PTE_THEAD_MASK                \
	}

/*
 * The reference encoding. PROT_* map onto R, W, X and G by shifts, and
 * PROT_DEVICE indexes the memory type:
 *
 *   PROT_READ  0x1 -> R (bit 1)     PROT_EXEC   0x4 -> X (bit 3)
 *   PROT_WRITE 0x2 -> W (bit 2), R  PROT_GLOBAL 0x8 -> G (bit 5)
 *   PROT_DEVICE 0x10 -> m->bits[1] instead of m->bits[0]
 *
 * Leaves are created with A and D set, so hardware without A/D updating
 * never faults to set them.
 */
static inline uint64_t riscv_pte_leaf(uint64_t pa, unsigned int prot,
				      const struct riscv_pte_mattr *m)
{
	uint64_t p = prot;

	return ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V | PTE_A | PTE_D |
	       ((p & 0x7) << 1) | (p & 0x2) | ((p & 0x8) << 2) |
	       m->bits[(p / RISCV_PTE_PROT_DEVICE) & 1];
}

/*
 * The permissions a leaf may have (mm/pgtable_internal.h's I4): READ or
 * EXEC, and WRITE only with READ (Sv39 reserves W without R).
 */
#define RISCV_PTE_PROT_IS_LEAF(p)                                              \
	(((p) & (RISCV_PTE_PROT_READ | RISCV_PTE_PROT_EXEC)) &&                \
	 (!((p)&RISCV_PTE_PROT_WRITE) || ((p)&RISCV_PTE_PROT_READ)))

static inline int riscv_pte_prot_is_leaf(unsigned int prot)
{
	return RISCV_PTE_PROT_IS_LEAF(prot);
}

/*
 * The fast path: the bits of riscv_pte_leaf() other than the PPN for
 * every PROT_* value, precomputed per scheme by
 * riscv_pte_leaf_table_fill(), so that a leaf is one load and one OR on
 * top of the PPN. PROT_* values are below RISCV_PTE_PROT_VALUES
 * (mm/pgtable_internal.h's PT_PROT_ALL). The entry of a value no leaf
 * may have (riscv_pte_prot_is_leaf) is 0, which no leaf's bits are (V
 * is set in each): the load that fetches a leaf's bits is also the test
 * of its permissions (mm/pgtable.c's pt_map_page).
 */
#define RISCV_PTE_PROT_VALUES 32

static inline uint64_t riscv_pte_leaf_fast(uint64_t pa, unsigned int prot,
					   const uint64_t *table)
{
	return ((pa >> 12) << PTE_PPN_SHIFT) |
	       table[prot & (RISCV_PTE_PROT_VALUES - 1)];
}

/*
 * The leaf mapping pa with bits, a non-zero entry of the table above,
 * for a pa that is page-aligned and below 2^56: then (pa >> 12) << 10,
 * the PPN in place, is pa >> 2, one shift.
 */
static inline uint64_t riscv_pte_leaf_of(uint64_t pa, uint64_t bits)
{
	return (pa >> (12 - PTE_PPN_SHIFT)) | bits;
}

static inline void riscv_pte_leaf_table_fill(uint64_t *table,
					     const struct riscv_pte_mattr *m)
{
	for (unsigned int p = 0; p < RISCV_PTE_PROT_VALUES; p++)
		table[p] =
			riscv_pte_prot_is_leaf(p) ? riscv_pte_leaf(0, p, m) : 0;
}

/* The table for the scheme "none" as a static initializer. */
#define RISCV_PTE_LEAF_NONE_(p)                                                \
	(RISCV_PTE_PROT_IS_LEAF(p)                                             \
		 ? (PTE_V | PTE_A | PTE_D | (((uint64_t)(p)&0x7) << 1) |       \
		    ((uint64_t)(p)&0x2) | (((uint64_t)(p)&0x8) << 2))          \
		 : 0)
#define RISCV_PTE_LEAF_NONE_4(p)                                               \
	RISCV_PTE_LEAF_NONE_(p), RISCV_PTE_LEAF_NONE_((p) + 1),                \
		RISCV_PTE_LEAF_NONE_((p) + 2), RISCV_PTE_LEAF_NONE_((p) + 3)
#define RISCV_PTE_LEAF_TABLE_NONE                                              \
	{                                                                      \
		RISCV_PTE_LEAF_NONE_4(0), RISCV_PTE_LEAF_NONE_4(4),            \
			RISCV_PTE_LEAF_NONE_4(8), RISCV_PTE_LEAF_NONE_4(12),   \
			RISCV_PTE_LEAF_NONE_4(16), RISCV_PTE_LEAF_NONE_4(20),  \
			RISCV_PTE_LEAF_NONE_4(24), RISCV_PTE_LEAF_NONE_4(28)   \
	}

static inline uint64_t riscv_pte_table(uint64_t pa)
{
	return ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V;
}

static inline uint64_t riscv_pte_paddr(uint64_t pte)
{
	return ((pte >> PTE_PPN_SHIFT) & ((1UL << PTE_PPN_BITS) - 1)) << 12;
}

/* PROT_* of a leaf; PROT_DEVICE when its memory type is m's device type. */
static inline unsigned int riscv_pte_prot(uint64_t pte,
					  const struct riscv_pte_mattr *m)
{
	unsigned int dev = m->mask && (pte & m->mask) == m->bits[1];

	return (unsigned int)(((pte >> 1) & 0x7) | ((pte >> 2) & 0x8)) |
	       (dev << 4);
}

/* The scheme for m. */
static inline struct riscv_pte_mattr riscv_pte_mattr_of(enum riscv_mattr m)
{
	static const struct riscv_pte_mattr schemes[] = {
		[RISCV_MATTR_NONE] = RISCV_PTE_MATTR_NONE,
		[RISCV_MATTR_SVPBMT] = RISCV_PTE_MATTR_SVPBMT,
		[RISCV_MATTR_THEAD_MAE] = RISCV_PTE_MATTR_THEAD_MAE,
	};

	return schemes[(unsigned int)m < 3 ? m : RISCV_MATTR_NONE];
}

#endif /* LIB_RISCV_PTE_H */
