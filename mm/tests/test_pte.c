// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the Sv39 leaf encoding the kernel writes
 * (lib/riscv_pte.h, which the host <asm/mmu.h> shares with
 * the target): every PROT_* combination under each memory-type scheme,
 * checked against constants written out from the specifications (the
 * privileged spec's Sv39 and Svpbmt chapters; T-Head's MAE values as
 * Linux uses them), and a device mapping through the page-table code
 * under each scheme. Expected values are literals, not the header's
 * macros, so a wrong macro fails here.
 */
#include "lib/tests/host_ktest.h"
#include "mm/pgtable.h"
#include "mm/tests/host_arch.h"

#define PHYS_BASE 0x80000000UL
#define POOL_PAGES 64UL

/* Expected bits, from the specifications. */
#define E_V 0x001UL
#define E_R 0x002UL
#define E_W 0x004UL
#define E_X 0x008UL
#define E_G 0x020UL
#define E_AD 0x0c0UL
#define E_PBMT_IO 0x4000000000000000UL /* PBMT (62:61) = 2 */
#define E_THEAD_PMA 0x7000000000000000UL /* C|B|SH (62, 61, 60) */
#define E_THEAD_IO 0x9000000000000000UL /* SO|SH (63, 60) */

struct scheme {
	enum riscv_mattr id;
	uint64_t normal, device; /* expected bits 54..63 */
	uint64_t allowed; /* bits 54..63 the scheme may set */
	bool device_visible; /* PROT_DEVICE reads back */
};

static const struct scheme schemes[] = {
	{ RISCV_MATTR_NONE, 0, 0, 0, false },
	{ RISCV_MATTR_SVPBMT, 0, E_PBMT_IO, 0x6000000000000000UL, true },
	{ RISCV_MATTR_THEAD_MAE, E_THEAD_PMA, E_THEAD_IO, 0xf800000000000000UL,
	  true },
};

static const paddr_t pas[] = { 0, 0x80200000UL, 0x1234567000UL,
			       0x00fffffffffff000UL };

/* READ or EXEC, and WRITE only with READ (the privileged spec). */
static bool prot_is_leaf(unsigned int prot)
{
	return (prot & (PROT_READ | PROT_EXEC)) &&
	       (!(prot & PROT_WRITE) || (prot & PROT_READ));
}

static uint64_t expected_low(unsigned int prot)
{
	uint64_t e = E_V | E_AD;

	if (prot & PROT_READ)
		e |= E_R;
	if (prot & PROT_WRITE)
		e |= E_W | E_R;
	if (prot & PROT_EXEC)
		e |= E_X;
	if (prot & PROT_GLOBAL)
		e |= E_G;
	return e;
}

/* Scenario: every valid PROT_* combination (READ or EXEC, WRITE only
 * with READ, with and without GLOBAL and DEVICE) at four physical
 * addresses up to the top of the 56-bit space, under each scheme.
 * Expect V, A, D, R/W/X/G and the PPN as Sv39 says, exactly the
 * scheme's memory-type bits for normal memory and for DEVICE, no other
 * bit of 54..63 (hardware faults on reserved bits), the PROT_* and the
 * address read back (DEVICE only where the scheme can say it), and
 * table entries without memory-type bits. */
static void pte_every_encoding(struct ktest *t)
{
	static const pte_t none_table[RISCV_PTE_PROT_VALUES] =
		RISCV_PTE_LEAF_TABLE_NONE;
	static const struct riscv_pte_mattr none = RISCV_PTE_MATTR_NONE;
	struct riscv_pte_mattr saved = pte_mattr;
	unsigned int checked = 0;

	/*
	 * The target's boot-time table (scheme none) is the reference for
	 * the values a leaf may have, and 0 for the others (the fast map's
	 * permission test); so is each scheme's filled table.
	 */
	for (unsigned int p = 0; p < RISCV_PTE_PROT_VALUES; p++)
		KTEST_EXPECT_EQ(t, none_table[p],
				prot_is_leaf(p) ? riscv_pte_leaf(0, p, &none)
						: 0);
	for (unsigned int s = 0; s < ARRAY_SIZE(schemes); s++) {
		const struct scheme *sc = &schemes[s];
		struct riscv_pte_mattr m = riscv_pte_mattr_of(sc->id);

		host_arch_set_mattr(&m);
		for (unsigned int prot = 0; prot < 32; prot++)
			KTEST_EXPECT_EQ(t, pte_leaf_bits[prot],
					prot_is_leaf(prot)
						? riscv_pte_leaf(0, prot, &m)
						: 0);
		for (unsigned int prot = 0; prot < 32; prot++) {
			bool dev = prot & PROT_DEVICE;
			unsigned int back;

			if (!(prot & (PROT_READ | PROT_EXEC)) ||
			    ((prot & PROT_WRITE) && !(prot & PROT_READ)))
				continue;
			back = dev && !sc->device_visible ? prot & ~PROT_DEVICE
							  : prot;
			for (unsigned int i = 0; i < ARRAY_SIZE(pas); i++) {
				pte_t pte = arch_pte_leaf(pas[i], prot);
				uint64_t want = ((pas[i] >> 12) << 10) |
						expected_low(prot) |
						(dev ? sc->device : sc->normal);

				if (pte != want)
					ktest_info(t, "%s prot %#x pa %#lx",
						   riscv_mattr_name(sc->id),
						   prot, pas[i]);
				KTEST_EXPECT_EQ(t, pte, want);
				KTEST_EXPECT_EQ(t,
						pte & 0xffc0000000000000UL &
							~sc->allowed,
						0);
				KTEST_EXPECT_EQ(t, arch_pte_prot(pte), back);
				KTEST_EXPECT_EQ(t, arch_pte_paddr(pte), pas[i]);
				KTEST_EXPECT(t, arch_pte_is_leaf(pte));
				checked++;
			}
		}
		for (unsigned int i = 0; i < ARRAY_SIZE(pas); i++) {
			pte_t tab = arch_pte_table(pas[i]);

			KTEST_EXPECT_EQ(t, tab, ((pas[i] >> 12) << 10) | E_V);
			KTEST_EXPECT(t, !arch_pte_is_leaf(tab));
		}
	}
	/* 20 valid PROT_* values x 4 addresses x 3 schemes. */
	KTEST_EXPECT_EQ(t, checked, 240);
	host_arch_set_mattr(&saved);
}

/* Scenario: under each scheme, map a 2 MiB MMIO range as PROT_RW |
 * PROT_DEVICE and 2 MiB of RAM as PROT_RW through the page-table code,
 * then make one 4 KiB page of the MMIO range read-only (the 2 MiB leaf
 * is split). Expect DEVICE on every MMIO lookup where the scheme can
 * express it (before and after the split, so a split keeps the memory
 * type), never on RAM, and pt_check clean. */
static void pte_device_through_pgtable(struct ktest *t)
{
	struct riscv_pte_mattr saved = pte_mattr;

	for (unsigned int s = 0; s < ARRAY_SIZE(schemes); s++) {
		const struct scheme *sc = &schemes[s];
		unsigned int want_dev = sc->device_visible ? PROT_DEVICE : 0;
		struct host_pt_pool pool;
		struct pgtable pt;
		const vaddr_t io = 0xffffffffc0000000UL;
		const vaddr_t ram = 0xffffffd800000000UL;
		unsigned int prot;
		size_t leaf;
		struct riscv_pte_mattr m = riscv_pte_mattr_of(sc->id);

		host_arch_set_mattr(&m);
		host_phys_init(PHYS_BASE, POOL_PAGES * PAGE_SIZE);
		host_pt_pool_init(&pool, PHYS_BASE, POOL_PAGES);
		KTEST_ASSERT(t, pt_init(&pt, &pool.ops) == 0);
		KTEST_EXPECT_EQ(t,
				pt_map(&pt, io, 0x10000000UL, SZ_2M,
				       PROT_RW | PROT_DEVICE | PROT_GLOBAL),
				0);
		KTEST_EXPECT_EQ(t,
				pt_map(&pt, ram, 0x80200000UL & ~(SZ_2M - 1),
				       SZ_2M, PROT_RW | PROT_GLOBAL),
				0);
		KTEST_EXPECT_EQ(t, pt_lookup(&pt, io, NULL, &prot, &leaf), 0);
		KTEST_EXPECT_EQ(t, leaf, SZ_2M);
		KTEST_EXPECT_EQ(t, prot & PROT_DEVICE, want_dev);
		KTEST_EXPECT_EQ(
			t,
			pt_protect(&pt, io + SZ_4K, SZ_4K,
				   PROT_READ | PROT_GLOBAL | PROT_DEVICE),
			0);
		for (vaddr_t va = io; va < io + SZ_2M; va += 0x40000) {
			KTEST_EXPECT_EQ(
				t, pt_lookup(&pt, va, NULL, &prot, &leaf), 0);
			KTEST_EXPECT_EQ(t, leaf, SZ_4K);
			KTEST_EXPECT_EQ(t, prot & PROT_DEVICE, want_dev);
		}
		KTEST_EXPECT_EQ(
			t, pt_lookup(&pt, io + SZ_4K, NULL, &prot, NULL), 0);
		KTEST_EXPECT_EQ(t, prot, PROT_READ | PROT_GLOBAL | want_dev);
		KTEST_EXPECT_EQ(t, pt_lookup(&pt, ram, NULL, &prot, NULL), 0);
		KTEST_EXPECT_EQ(t, prot, PROT_RW | PROT_GLOBAL);
		KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
		pt_destroy(&pt);
		KTEST_EXPECT_EQ(t, pool.in_use, 0);
		host_pt_pool_fini(&pool);
		host_phys_fini();
	}
	host_arch_set_mattr(&saved);
}

static const struct ktest_case pte_cases[] = {
	KTEST_CASE(pte_every_encoding),
	KTEST_CASE(pte_device_through_pgtable),
	KTEST_END,
};

static const struct ktest_suite pte_suite = { "pte", pte_cases, NULL, NULL };

KTEST_HOST_MAIN(&pte_suite)
