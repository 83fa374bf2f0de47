// SPDX-License-Identifier: BSD-2-Clause
/*
 * Time and the per-hart supervisor timer.
 *
 * Theory of operation
 * -------------------
 * The `time` CSR counts at /cpus/timebase-frequency (10 MHz on QEMU
 * virt, 1 MHz on sifive_u). Each hart has one compare register: the
 * Sstc extension's stimecmp when the boot hart's ISA string lists
 * `sstc` and the firmware lets S-mode use it (arch_timer_probe reads it
 * under an exception-table fixup), else the SBI TIME extension, which
 * programs the M-mode timer. A timer interrupt is pending while time >=
 * compare, so every interrupt must move the compare value forward (or to
 * ~0, "never") or it is taken again at once.
 *
 * Per hart (struct percpu, written by its own hart with interrupts off):
 *   timer_deadline, timer_fn, timer_arg   the one-shot (0: not armed)
 *   timer_wake                            a sleeper's wake-up (0: none)
 *   timer_next                            what the hardware holds: the
 *                                         sooner of the two, 0 for ~0
 * I1 timer_next == min of the non-zero timer_deadline and timer_wake
 *    (0 when both are 0), and the compare register holds it (~0 for 0),
 *    except inside cpu_yield(), which restores it before returning.
 * I2 timer_fn != NULL exactly when timer_deadline != 0.
 *
 * The interrupt clears a passed wake-up (the sleeper re-checks time, so
 * clearing is only to keep I1), then runs a due one-shot after
 * disarming it and reprogramming (so fn may re-arm), never allocating.
 *
 * Locking: none; only the owning hart touches its fields, with
 * interrupts off. Failure modes: no timebase-frequency or no timer
 * method: timer_available() is false, timer_arm and timer_sleep_us
 * return -ENODEV, and callers fall back (console input polls with
 * cpu_yield, the boot line prints 0 us).
 */
#include "kernel/timer.h"

#include "kernel/arch.h"
#include "kernel/percpu.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"

static uint32_t timebase_hz;
static bool timer_ok;

/* True if the ISA string names extension ext ("rv64imac_zicsr_sstc"). */
static bool isa_has(const char *isa, const char *ext)
{
	size_t n = strlen(ext);

	for (const char *p = strchr(isa, '_'); p; p = strchr(p + 1, '_'))
		if (strncmp(p + 1, ext, n) == 0 &&
		    (p[1 + n] == '_' || p[1 + n] == '\0'))
			return true;
	return false;
}

/* The boot hart's cpu node: a child of /cpus whose reg is hartid. */
static int boot_cpu_node(const struct fdt *fdt, int cpus, unsigned long hartid)
{
	for (int n = fdt_node_first_child(fdt, cpus); n >= 0;
	     n = fdt_node_next_sibling(fdt, n)) {
		uint64_t reg;

		if (fdt_reg_get(fdt, n, 0, &reg, NULL) == 0 && reg == hartid)
			return n;
	}
	return -EFDT_NOTFOUND;
}

static bool cpu_has_sstc(const struct fdt *fdt, int cpu)
{
	const char *isa = fdt_prop_string(fdt, cpu, "riscv,isa");
	const char *exts;
	int len;

	if (isa && isa_has(isa, "sstc"))
		return true;
	exts = fdt_prop_get(fdt, cpu, "riscv,isa-extensions", &len);
	return exts && fdt_strlist_contains(exts, len, "sstc");
}

void timer_init(const struct fdt *fdt, unsigned long hartid)
{
	int cpus = fdt ? fdt_node_by_path(fdt, "/cpus", 5) : -EFDT_NOTFOUND;
	int cpu = cpus >= 0 ? boot_cpu_node(fdt, cpus, hartid) : cpus;
	bool sstc = cpu >= 0 && cpu_has_sstc(fdt, cpu);

	if (cpu < 0 ||
	    fdt_prop_u32(fdt, cpu, "timebase-frequency", &timebase_hz))
		if (cpus < 0 ||
		    fdt_prop_u32(fdt, cpus, "timebase-frequency", &timebase_hz))
			timebase_hz = 0;
	if (!arch_timer_probe(sstc))
		printk("timer: none (the firmware has no SBI TIME and the "
		       "hart no Sstc)\n");
	else if (!timebase_hz)
		printk("timer: none (no timebase-frequency in /cpus)\n");
	else {
		timer_ok = true;
		printk("timer: %s, timebase %u Hz\n", arch_timer_method(),
		       timebase_hz);
	}
	timer_init_hart();
}

void timer_init_hart(void)
{
	struct percpu *p = this_cpu();

	if (!timer_ok)
		return;
	p->timer_next = 0;
	arch_timer_set(~0ULL);
	arch_timer_irq_enable();
}

bool timer_available(void)
{
	return timer_ok;
}

uint32_t timer_hz(void)
{
	return timebase_hz;
}

uint64_t timer_now(void)
{
	return arch_time();
}

uint64_t timer_ticks_to_us(uint64_t ticks)
{
	if (!timebase_hz)
		return 0;
	return ticks / timebase_hz * 1000000 +
	       ticks % timebase_hz * 1000000 / timebase_hz;
}

uint64_t timer_us_to_ticks(uint64_t us)
{
	return us / 1000000 * timebase_hz +
	       us % 1000000 * timebase_hz / 1000000;
}

/* Keep I1: program the sooner of the one-shot and the wake-up. */
static void program(struct percpu *p)
{
	uint64_t next = p->timer_deadline;

	if (p->timer_wake && (!next || p->timer_wake < next))
		next = p->timer_wake;
	p->timer_next = next;
	arch_timer_set(next ? next : ~0ULL);
}

int timer_arm(uint64_t deadline, timer_fn fn, void *arg)
{
	struct percpu *p = this_cpu();
	unsigned long flags;

	if (!timer_ok)
		return -ENODEV;
	if (!fn)
		return -EINVAL;
	flags = cpu_irq_save();
	p->timer_deadline = deadline ? deadline : 1;
	p->timer_fn = fn;
	p->timer_arg = arg;
	program(p);
	cpu_irq_restore(flags);
	return 0;
}

void timer_cancel(void)
{
	struct percpu *p = this_cpu();
	unsigned long flags = cpu_irq_save();

	p->timer_deadline = 0;
	p->timer_fn = NULL;
	if (timer_ok)
		program(p);
	cpu_irq_restore(flags);
}

int timer_sleep_us(uint64_t us)
{
	struct percpu *p = this_cpu();
	uint64_t end;
	unsigned long flags;

	if (!timer_ok)
		return -ENODEV;
	if (cpu_in_irq())
		return -EINVAL;
	end = arch_time() + timer_us_to_ticks(us);
	flags = cpu_irq_save();
	while (arch_time() < end) {
		p->timer_wake = end;
		program(p);
		/* Off: the wake-up cannot slip in before the wfi. */
		arch_idle();
		/* Let the interrupt (and any other) run, then look again. */
		cpu_irq_restore(flags);
		flags = cpu_irq_save();
	}
	p->timer_wake = 0;
	program(p);
	cpu_irq_restore(flags);
	return 0;
}

void timer_interrupt(void)
{
	struct percpu *p = this_cpu();
	uint64_t now = arch_time();
	timer_fn fn = NULL;
	void *arg = NULL;

	if (p->timer_wake && now >= p->timer_wake)
		p->timer_wake = 0;
	if (p->timer_deadline && now >= p->timer_deadline) {
		fn = p->timer_fn;
		arg = p->timer_arg;
		p->timer_deadline = 0;
		p->timer_fn = NULL;
		p->timer_fired++;
	}
	program(p);
	if (fn)
		fn(arg);
}
