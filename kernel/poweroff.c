// SPDX-License-Identifier: BSD-2-Clause
/*
 * Power-off through the device tree's syscon-poweroff (see poweroff.h).
 * The register is found once at boot (kernel/poweroff_dt.c decides
 * which, without touching hardware); the mapping moves from the early
 * MMIO window to an ioremap() page when the final tables are live.
 */
#include "kernel/poweroff.h"

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "lib/fmt.h"
#include "lib/printk.h"
#include "lib/string.h"

static struct poweroff_dev dev; /* what poweroff_probe() chose */
static volatile void *reg_va;
static char method[64] = "SBI SRST";

int poweroff_probe(const struct fdt *fdt, paddr_t *pa)
{
	int err = poweroff_dt_probe(fdt, &dev);

	if (err)
		return err;
	poweroff_dev_describe(&dev, method, sizeof(method));
	*pa = dev.pa;
	return 0;
}

void poweroff_use_sifive_test(paddr_t pa, void *va)
{
	dev.kind = POWEROFF_SIFIVE_TEST;
	dev.pa = pa;
	poweroff_dev_describe(&dev, method, sizeof(method));
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
	if (reg_va && dev.kind == POWEROFF_HTIF) {
		/* tohost is 64 bits; the high half's write sends it. */
		uint64_t cmd = ((uint64_t)status << 1) | 1;

		mmio_write32(reg_va, (uint32_t)cmd);
		mmio_write32((volatile uint8_t *)reg_va + 4,
			     (uint32_t)(cmd >> 32));
	} else if (reg_va) {
		uint32_t v;

		if (dev.kind == POWEROFF_SIFIVE_TEST)
			v = status == 0 ? 0x5555u
					: 0x3333u | ((uint32_t)status << 16);
		else
			v = dev.value & dev.mask;
		mmio_write32(reg_va, v);
	}
	sbi_shutdown(status != 0);
	printk("poweroff: no device and no SBI reset could power off; "
	       "halting (status %d)\n",
	       status);
	for (;;)
		arch_idle();
}
