// SPDX-License-Identifier: BSD-2-Clause
/*
 * Power-off through the device tree's syscon-poweroff (see poweroff.h).
 * The register is found once at boot; the mapping moves from the early
 * MMIO window to an ioremap() page when the final tables are live.
 */
#include "kernel/poweroff.h"

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "lib/fmt.h"
#include "lib/printk.h"
#include "lib/string.h"

static paddr_t reg_pa;
static volatile void *reg_va;
static uint32_t reg_value;
static uint32_t reg_mask = 0xffffffffu;
static bool reg_is_sifive_test;
static bool reg_is_htif;
static char method[64] = "SBI SRST";

/*
 * The first enabled syscon-poweroff node whose register lies inside its
 * regmap device. Each node's offset, value and mask are its own (absent
 * offset: 0; absent mask: all ones); the bounds are checked in 64 bits,
 * so no device-tree value can wrap them.
 */
static bool syscon_probe(const struct fdt *fdt, int node)
{
	uint32_t ph, offset = 0, value, mask = 0xffffffffu;
	uint64_t base, size;
	int dev;

	if (!fdt_node_is_enabled(fdt, node) ||
	    fdt_prop_u32(fdt, node, "regmap", &ph))
		return false;
	dev = fdt_node_by_phandle(fdt, ph);
	if (dev < 0 || fdt_reg_get(fdt, dev, 0, &base, &size))
		return false;
	if (fdt_prop_u32(fdt, node, "value", &value))
		return false;
	fdt_prop_u32(fdt, node, "offset", &offset);
	fdt_prop_u32(fdt, node, "mask", &mask);
	/* [base + offset, +4) inside [base, base + size), no wraparound */
	if (size < 4 || offset > size - 4 || base + size < base)
		return false;
	reg_pa = base + offset;
	reg_value = value;
	reg_mask = mask;
	reg_is_sifive_test = fdt_node_is_compatible(fdt, dev, "sifive,test0") ||
			     fdt_node_is_compatible(fdt, dev, "sifive,test1");
	return true;
}

paddr_t poweroff_probe(const struct fdt *fdt)
{
	int node = fdt_node_by_compatible(fdt, -1, "syscon-poweroff");
	uint64_t base, size;
	int htif = fdt_node_by_compatible(fdt, -1, "ucb,htif0");

	for (; node >= 0;
	     node = fdt_node_by_compatible(fdt, node, "syscon-poweroff")) {
		if (!syscon_probe(fdt, node))
			continue;
		fmt_snprintf(method, sizeof(method), "%s at 0x%lx",
			     reg_is_sifive_test ? "sifive,test"
						: "syscon-poweroff",
			     (unsigned long)reg_pa);
		return reg_pa;
	}
	if (htif >= 0 && fdt_node_is_enabled(fdt, htif) &&
	    fdt_reg_get(fdt, htif, 0, &base, &size) == 0 && size >= 16 &&
	    base + size >= base) {
		/* The reg window holds fromhost at +0 and tohost at +8. */
		reg_pa = base + 8;
		reg_is_htif = true;
		fmt_snprintf(method, sizeof(method), "HTIF at 0x%lx",
			     (unsigned long)reg_pa);
		return reg_pa;
	}
	return 0;
}

void poweroff_use_sifive_test(paddr_t pa, void *va)
{
	reg_pa = pa;
	reg_is_sifive_test = true;
	fmt_snprintf(method, sizeof(method), "sifive,test at 0x%lx",
		     (unsigned long)pa);
	reg_va = va;
}

void poweroff_set_base(void *va)
{
	reg_va = va;
}

void *poweroff_base(void)
{
	return (void *)reg_va;
}

const char *poweroff_method(void)
{
	return reg_va ? method : "SBI SRST";
}

void poweroff(int status)
{
	printk_flush(); /* an unterminated line still goes out */
	if (reg_va && reg_is_htif) {
		/* tohost is 64 bits; the high half's write sends it. */
		uint64_t cmd = ((uint64_t)status << 1) | 1;

		mmio_write32(reg_va, (uint32_t)cmd);
		mmio_write32((volatile uint8_t *)reg_va + 4,
			     (uint32_t)(cmd >> 32));
	} else if (reg_va) {
		uint32_t v;

		if (reg_is_sifive_test)
			v = status == 0 ? 0x5555u
					: 0x3333u | ((uint32_t)status << 16);
		else
			v = reg_value & reg_mask;
		mmio_write32(reg_va, v);
	}
	sbi_shutdown(status != 0);
	printk("poweroff: no device and no SBI reset could power off; "
	       "halting (status %d)\n",
	       status);
	for (;;)
		arch_idle();
}
