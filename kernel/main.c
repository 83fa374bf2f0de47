// SPDX-License-Identifier: BSD-2-Clause
/*
 * The boot sequence, from the first C code with the MMU on to the
 * command the user asked for:
 *
 *   1. console (SBI), panic hook; open and validate the device tree;
 *      the harts' ISA and the page tables' memory attributes (cpufeature);
 *   2. command line; poweroff device and UART through early MMIO slots;
 *   3. memory map: usable RAM, reserved regions (device tree, memreserve,
 *      the blob, the kernel image), printed as contract lines;
 *   4. memblock; early gigapage linear map; final page tables (kspace);
 *      console and poweroff moved to ioremap() pages;
 *   5. buddy allocator (its policy from buddy=, "buddy: policy ..."),
 *      slab caches and kmalloc, vmalloc; the PLIC and
 *      console input (by interrupt or polling);
 *   6. secondary harts (kernel/smp.c); W^X audit, buddyinfo/meminfo,
 *      "boot: ready after N instructions, T us";
 *   7. crash=, selftest=, bench=; then halt (the mm introspection
 *      lines, "halted", idle) or power off; or, with none of them, the
 *      memory console (kernel/shell.c), which sleeps in wfi between
 *      keystrokes.
 * The timer (kernel/timer.c) is set up right after the command line.
 */
#include "kernel/arch.h"
#include "kernel/bench.h"
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/cpufeature.h"
#include "kernel/crash.h"
#include "kernel/fault_inject.h"
#include "kernel/plic.h"
#include "kernel/poweroff.h"
#include "kernel/selftest.h"
#include "kernel/shell.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
#include "lib/fmt.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/buddy_policy.h"
#include "mm/kspace.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/memmap.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/trace.h"
#include "mm/vmalloc.h"

extern pte_t early_pgd[];
extern char _trap_stack_guard[], _trap_stack_guard_end[];

static struct fdt fdt;
static bool fdt_ok;
static struct memmap memmap;
uint64_t boot_buddy_init_instret;

const struct fdt *kernel_fdt(void)
{
	return fdt_ok ? &fdt : NULL;
}

const struct memmap *kernel_memmap(void)
{
	return &memmap;
}

static void panic_poweroff(void)
{
	poweroff(EXIT_PANIC);
}

/*
 * Sleep in wfi with interrupts on: handlers (console input, timers,
 * IPIs) do the work, and the hart sleeps again after each.
 */
static void idle_forever(void)
{
	arch_irq_enable();
	for (;;)
		arch_idle();
}

static void open_fdt(uint64_t fdt_pa)
{
	uint64_t off = fdt_pa & (SZ_2M - 1);
	int err;

	if (fdt_pa == 0 || (fdt_pa & 7))
		panic("device tree: bad blob address 0x%016lx from the "
		      "firmware",
		      (unsigned long)fdt_pa);
	err = fdt_open(&fdt, (const void *)(uintptr_t)(FDT_VA + off),
		       FDT_WINDOW_SIZE - off);
	if (err) {
		/* No tree to probe: find the exit device the minimal way. */
		paddr_t test = arch_fdt_find_test_device(
			(const void *)(uintptr_t)(FDT_VA + off),
			FDT_WINDOW_SIZE - off);

		if (test != ARCH_NO_TEST_DEVICE)
			poweroff_use_sifive_test(
				test, kspace_early_ioremap(early_pgd, test));
	}
	if (err)
		panic("device tree: blob at 0x%016lx is unreadable: %s (%d)",
		      (unsigned long)fdt_pa, errno_name(err), err);
	fdt_ok = true;
}

static const char *chosen_bootargs(void)
{
	int chosen = fdt_node_by_path(&fdt, "/chosen", 7);

	return chosen >= 0 ? fdt_prop_string(&fdt, chosen, "bootargs") : NULL;
}

static uint64_t chosen_rng_seed(void)
{
	int chosen = fdt_node_by_path(&fdt, "/chosen", 7);
	const uint8_t *seed;
	uint64_t v = 0x9e3779b97f4a7c15ULL;
	int len;

	seed = chosen >= 0 ? fdt_prop_get(&fdt, chosen, "rng-seed", &len)
			   : NULL;
	for (int i = 0; seed && i < len; i++)
		v = (v ^ seed[i]) * 0x100000001b3ULL;
	return v ^ arch_instret();
}

static void early_devices(struct console_uart *uart, bool *have_uart)
{
	paddr_t po;
	int err;

	if (poweroff_probe(&fdt, &po) == 0)
		poweroff_set_base(kspace_early_ioremap(early_pgd, po));
	err = console_probe(&fdt, uart);
	*have_uart = err == 0;
	if (err == 0)
		console_set_uart(uart,
				 kspace_early_ioremap(early_pgd, uart->pa));
	else
		printk("console: no usable stdout-path UART (%s), using the "
		       "SBI console\n",
		       errno_name(err));
}

/*
 * "boot: command line '...'", escaped (%pE), in pieces flushed one by one:
 * up to CMDLINE_MAX - 1 bytes, each up to 4 when escaped, would not fit
 * one printk line buffer.
 */
static void print_cmdline(const char *s)
{
	size_t len = strlen(s);
	char chunk[65];

	printk("boot: command line '");
	for (size_t i = 0; i < len; i += sizeof(chunk) - 1) {
		size_t k = len - i < sizeof(chunk) - 1 ? len - i
						       : sizeof(chunk) - 1;

		memcpy(chunk, s + i, k);
		chunk[k] = '\0';
		printk("%pE", chunk);
		printk_flush();
	}
	printk("'\n");
}

static void print_cpu_info(unsigned long hartid)
{
	int cpus = fdt_node_by_path(&fdt, "/cpus", 5);
	uint32_t tb = 0;
	struct sbi_info sbi;

	if (cpus >= 0)
		fdt_prop_u32(&fdt, cpus, "timebase-frequency", &tb);
	sbi_probe(&sbi);
	printk("boot: hart %lu, timebase %u Hz, SBI %lu.%lu (impl %lu, "
	       "dbcn %s, srst %s)\n",
	       hartid, tb, (sbi.spec_version >> 24) & 0x7f,
	       sbi.spec_version & 0xffffff, sbi.impl_id,
	       sbi.has_dbcn ? "yes" : "no", sbi.has_srst ? "yes" : "no");
}

/* The memory map's tables, when the tree needs larger ones than its own. */
static void *map_memmap_tables(paddr_t pa, uint64_t size, paddr_t linear_base)
{
	return kspace_early_map_ram(early_pgd, pa, size, linear_base);
}

/*
 * The tables placed in RAM (reserved "memory map") must still be in a
 * usable range after the linear-map and page-allocator fits.
 */
static void check_memmap_tables(const struct memmap *map)
{
	if (map->usable == map->usable_init)
		return;
	for (unsigned int i = 0; i < map->nr_reserved; i++) {
		const struct memmap_reserved *r = &map->reserved[i];

		if (strcmp(r->name, "memory map") != 0)
			continue;
		for (unsigned int j = 0; j < map->nr_usable; j++)
			if (r->start >= map->usable[j].start &&
			    r->end <= map->usable[j].end)
				return;
		panic("setup_memory: the memory map's tables [mem "
		      "0x%016lx-0x%016lx] are in RAM the kernel gave up",
		      r->start, r->end - 1);
	}
}

/*
 * memblock's lists: their static arrays, or, for a memory map with more
 * entries, arrays sized from it in RAM the map takes (memmap_alloc()),
 * reserved as "memblock" and printed like the other reservations.
 */
static void setup_memblock_lists(void)
{
	unsigned int nm = memmap.nr_usable, nr = memmap.nr_reserved + 1;
	struct prange *lists;
	paddr_t pa;

	memblock_reset();
	if (nm <= MEMBLOCK_INIT_REGIONS && nr <= MEMBLOCK_INIT_REGIONS)
		return;
	nm = MAX(nm, (unsigned int)MEMBLOCK_INIT_REGIONS);
	nr = MAX(nr, (unsigned int)MEMBLOCK_INIT_REGIONS);
	pa = memmap_alloc(&memmap, (uint64_t)(nm + nr) * sizeof(*lists),
			  "memblock");
	if (pa == PADDR_INVALID)
		panic("setup_memory: no free RAM for memblock's lists of %u "
		      "memory and %u reserved ranges",
		      nm, nr);
	printk("memory: reserved [mem 0x%016lx-0x%016lx] memblock\n", pa,
	       memmap.reserved[memmap.nr_reserved - 1].end - 1);
	lists = phys_to_virt(pa);
	memblock_use_storage(lists, nm, lists + nm, nr);
}

static void setup_memory(uint64_t fdt_pa)
{
	paddr_t load = arch_boot_image_pa;
	struct memmap_boot own = {
		.fdt_pa = fdt_pa,
		.fdt_size = fdt.totalsize,
		.image_pa = load,
		.image_size = (uintptr_t)(_end - _start),
	};
	struct kspace_image img;
	char why[192];
	int err;

	if (memmap_boot_setup_sized(&memmap, &fdt, &own, map_memmap_tables, why,
				    sizeof(why)))
		panic("%s", why);
	memmap_print(&memmap);

	kspace_early_linear_map(early_pgd, &memmap);
	check_memmap_tables(&memmap);
	setup_memblock_lists();
	for (unsigned int i = 0; i < memmap.nr_usable; i++)
		if (memblock_add(memmap.usable[i].start, memmap.usable[i].end))
			panic("setup_memory: memblock_add [0x%016lx-0x%016lx]"
			      " failed",
			      memmap.usable[i].start, memmap.usable[i].end);
	for (unsigned int i = 0; i < memmap.nr_reserved; i++)
		if ((err = memblock_reserve(memmap.reserved[i].start,
					    memmap.reserved[i].end)))
			panic("setup_memory: memblock_reserve %s [mem "
			      "0x%016lx-0x%016lx] failed: %s (%d)",
			      memmap.reserved[i].name, memmap.reserved[i].start,
			      memmap.reserved[i].end - 1, errno_name(err), err);
	memblock_allow_resize(); /* every boot reservation is in */

	img.pa_start = load;
	img.text_start = (vaddr_t)(uintptr_t)_start;
	img.text_end = (vaddr_t)(uintptr_t)_etext;
	img.rodata_start = (vaddr_t)(uintptr_t)_srodata;
	img.rodata_end = (vaddr_t)(uintptr_t)_erodata;
	img.data_start = (vaddr_t)(uintptr_t)_sdata;
	img.data_end = (vaddr_t)(uintptr_t)_end;
	img.guard_start = (vaddr_t)(uintptr_t)_stack_guard;
	img.guard_end = (vaddr_t)(uintptr_t)_stack_guard_end;
	img.guard2_start = (vaddr_t)(uintptr_t)_trap_stack_guard;
	img.guard2_end = (vaddr_t)(uintptr_t)_trap_stack_guard_end;
	img.end = (vaddr_t)(uintptr_t)_end;
	img.fdt_pa = fdt_pa;
	kspace_init(&memmap, &img);
}

static void move_devices(const struct console_uart *uart, bool have_uart)
{
	void *po = poweroff_base();

	if (po)
		poweroff_set_base(kspace_ioremap_move(po, 4));
	if (have_uart)
		console_set_uart(uart, kspace_ioremap_move(console_uart_base(),
							   PAGE_SIZE));
	kspace_early_io_drop();
}

/*
 * buddy=<policy>: the page allocator's buddy system, chosen before it
 * starts (mm/buddy_policy.h). Anything but a policy's exact name gives
 * one warning listing the names, and binary.
 */
static void select_buddy_policy(void)
{
	const char *v = cmdline_get("buddy");
	char names[64];
	size_t len = 0;
	int id;

	if (!v)
		return;
	id = buddy_policy_lookup(v);
	if (id >= 0 && buddy_select_policy((enum buddy_policy_id)id) == 0)
		return;
	for (int i = 0; i < BUDDY_NR_POLICIES && len < sizeof(names); i++)
		len += (size_t)fmt_snprintf(
			names + len, sizeof(names) - len, "%s%s",
			i == 0			     ? ""
			: i == BUDDY_NR_POLICIES - 1 ? " or "
						     : ", ",
			buddy_policy_name((enum buddy_policy_id)i));
	printk("cmdline: warning: unknown buddy policy '%pE' (%s), using "
	       "binary\n",
	       v, names);
}

static void setup_allocators(void)
{
	const struct buddy_policy *pol;
	uint64_t t0;
	int err;

	select_buddy_policy();
	t0 = arch_instret();
	buddy_init_from_memblock();
	boot_buddy_init_instret = arch_instret() - t0;
	pol = buddy_active_policy();
	printk("buddy: policy %s, %u size classes\n", pol->name,
	       pol->nr_classes);
	/*
	 * page_trace: every page allocation and free from here on, the
	 * kernel's own set-up included (page tables, slabs, vmalloc), so
	 * that a recorded trace frees only what it allocated.
	 */
	if (cmdline_has("page_trace"))
		mm_trace_set(mm_trace_get() | MM_TRACE_PAGES);
	kspace_use_buddy();
	slab_set_secret(chosen_rng_seed());
	const char *sd = cmdline_get("slab_debug");

	if (sd && !*sd)
		sd = "FZPU"; /* bare slab_debug: everything, like Linux */
	if (slab_debug_setup(sd))
		printk("slab: warning: bad slab_debug flags '%pE'\n", sd);
	kmalloc_init();
	/* The last gigabyte is the mmu self-test's (mm/layout.h). */
	err = vmalloc_init(kspace_pgtable(), VMALLOC_START, MMU_SCRATCH_START);
	if (err)
		panic("setup_allocators: vmalloc_init [0x%016lx-0x%016lx] "
		      "failed: %s (%d)",
		      VMALLOC_START, MMU_SCRATCH_START, errno_name(err), err);
}

/* maxcpus=<n>: at most n harts, the boot hart included (0: no limit). */
static unsigned int parse_maxcpus(void)
{
	const char *v = cmdline_get("maxcpus");
	unsigned long n = 0;

	if (!v)
		return 0;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9' || n > 1000000) {
			printk("cmdline: warning: bad maxcpus '%pE', ignored\n",
			       v);
			return 0;
		}
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (!*v || n == 0) {
		printk("cmdline: warning: maxcpus must be at least 1, "
		       "ignored\n");
		return 0;
	}
	return (unsigned int)n;
}

/*
 * halt: the allocators' own view of memory, printed once nothing runs
 * any more, so a debugger attached afterwards (make gdb, harness/gdb/)
 * reads exactly these figures from the kernel's structures.
 */
static void print_mm_state(void)
{
	buddy_print_info();
	slabinfo_print();
	vmallocinfo_print();
}

static void run_commands(void)
{
	const char *crash = cmdline_get("crash");
	const char *selftest = cmdline_get("selftest");
	const char *bench = cmdline_get("bench");
	int status = EXIT_OK;
	bool acted = false;

	/* Boot is over: allocation failures may be injected from here on. */
	fault_inject_arm(true);
	if (crash) {
		if (crash_run(crash) == 0)
			printk("crash: '%pE' returned: the kernel survived\n",
			       crash);
		acted = true;
	}
	if (selftest) {
		if (selftest_run(*selftest ? selftest : "all"))
			status = EXIT_TEST_FAILURE;
		acted = true;
	}
	if (bench) {
		bench_run(*bench ? bench : "all");
		acted = true;
	}
	if (cmdline_has("halt")) {
		print_mm_state();
		printk("halted\n");
		idle_forever();
	}
	if (acted)
		poweroff(status);
	shell_run();
}

void kernel_main(unsigned long hartid, uint64_t fdt_pa)
{
	struct console_uart uart;
	bool have_uart;

	smp_init_boot_cpu(hartid);
	printk_set_sink(console_write);
	panic_set_hook(panic_poweroff);
	printk("\nboot: rv64 unikernel, device tree at 0x%016lx\n",
	       (unsigned long)fdt_pa);
	open_fdt(fdt_pa);
	cpufeature_init(&fdt, hartid);
	early_devices(&uart, &have_uart);
	cmdline_parse(chosen_bootargs());
	print_cmdline(cmdline_raw());
	print_cpu_info(hartid);
	cpufeature_report();
	fault_inject_setup();
	printk("boot: console %s; poweroff via %s\n", console_name(),
	       poweroff_method());
	timer_init(&fdt, hartid);

	setup_memory(fdt_pa);
	move_devices(&uart, have_uart);
	setup_allocators();
	/* buddy_trace: the page allocator's splits and merges too. */
	if (cmdline_has("buddy_trace"))
		mm_trace_set(mm_trace_get() | MM_TRACE_BUDDY);
	plic_init(&fdt, hartid);
	console_input_init(&fdt);

	smp_set_shootdown_method(cmdline_get("shootdown"));
	smp_boot_secondaries(&fdt, parse_maxcpus());
	printk("mmu: W^X audit: %u writable+executable mappings\n",
	       kspace_wx_audit());
	buddy_print_info();
	printk("boot: ready after %lu instructions, %lu us\n",
	       (unsigned long)(arch_instret() - arch_boot_instret),
	       (unsigned long)timer_ticks_to_us(arch_time() - arch_boot_time));
	run_commands();
	idle_forever();
	for (;;)
		;
}
