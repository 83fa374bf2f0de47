// SPDX-License-Identifier: BSD-2-Clause
/*
 * The poweroff decision, apart from the driver (kernel/poweroff.c):
 * which device the device tree offers to end the run, found with no
 * hardware access, so that the host tool dtcheck runs the same code.
 *
 * In order of preference:
 *  1. the first enabled "syscon-poweroff" node whose 4-byte register
 *     lies inside its regmap device's reg (offset absent: 0, mask
 *     absent: all ones, value required); its regmap being
 *     "sifive,test0"/"sifive,test1" makes it a QEMU test finisher,
 *     which carries the exit status;
 *  2. an enabled "ucb,htif0" (spike) with a reg of at least 16 bytes:
 *     tohost at +8.
 * Bounds are checked in 64 bits, so no device-tree value wraps them.
 */
#include "kernel/poweroff.h"

#include "lib/fmt.h"
#include "lib/string.h"

static bool syscon_probe(const struct fdt *fdt, int node,
			 struct poweroff_dev *dev)
{
	uint32_t ph, offset = 0, value, mask = 0xffffffffu;
	uint64_t base, size;
	int regmap;

	if (!fdt_node_is_enabled(fdt, node) ||
	    fdt_prop_u32(fdt, node, "regmap", &ph))
		return false;
	regmap = fdt_node_by_phandle(fdt, ph);
	if (regmap < 0 || fdt_reg_get(fdt, regmap, 0, &base, &size))
		return false;
	if (fdt_prop_u32(fdt, node, "value", &value))
		return false;
	fdt_prop_u32(fdt, node, "offset", &offset);
	fdt_prop_u32(fdt, node, "mask", &mask);
	/* [base + offset, +4) inside [base, base + size), no wraparound */
	if (size < 4 || offset > size - 4 || base + size < base)
		return false;
	dev->pa = base + offset;
	dev->value = value;
	dev->mask = mask;
	dev->kind = fdt_node_is_compatible(fdt, regmap, "sifive,test0") ||
				    fdt_node_is_compatible(fdt, regmap,
							   "sifive,test1")
			    ? POWEROFF_SIFIVE_TEST
			    : POWEROFF_SYSCON;
	return true;
}

int poweroff_dt_probe(const struct fdt *fdt, struct poweroff_dev *dev)
{
	int node = fdt_node_by_compatible(fdt, -1, "syscon-poweroff");
	int htif = fdt_node_by_compatible(fdt, -1, "ucb,htif0");
	uint64_t base, size;

	memset(dev, 0, sizeof(*dev));
	dev->mask = 0xffffffffu;
	for (; node >= 0;
	     node = fdt_node_by_compatible(fdt, node, "syscon-poweroff"))
		if (syscon_probe(fdt, node, dev))
			return 0;
	if (htif >= 0 && fdt_node_is_enabled(fdt, htif) &&
	    fdt_reg_get(fdt, htif, 0, &base, &size) == 0 && size >= 16 &&
	    base + size >= base) {
		/* The reg window holds fromhost at +0 and tohost at +8. */
		dev->pa = base + 8;
		dev->kind = POWEROFF_HTIF;
		return 0;
	}
	dev->kind = POWEROFF_NONE;
	return -ENODEV;
}

void poweroff_dev_describe(const struct poweroff_dev *dev, char *buf,
			   size_t len)
{
	static const char *const names[] = {
		[POWEROFF_NONE] = "SBI SRST",
		[POWEROFF_SYSCON] = "syscon-poweroff",
		[POWEROFF_SIFIVE_TEST] = "sifive,test",
		[POWEROFF_HTIF] = "HTIF",
	};

	if (dev->kind == POWEROFF_NONE)
		fmt_snprintf(buf, len, "%s", names[POWEROFF_NONE]);
	else
		fmt_snprintf(buf, len, "%s at 0x%lx", names[dev->kind],
			     (unsigned long)dev->pa);
}
