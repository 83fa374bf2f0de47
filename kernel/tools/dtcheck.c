// SPDX-License-Identifier: BSD-2-Clause
/*
 * dtcheck: what the kernel would decide at boot from a device tree,
 * checked on the host before a board is ever powered (README, "Porting
 * to a board").
 *
 *   dtcheck [--kernel <elf>] [--image-size <n>] [--load <addr>]
 *           [--fdt-addr <addr>] <blob.dtb>
 *
 * It runs the kernel's own decision code on the blob, built for the
 * host: the device-tree reader (lib/fdt*.c), the memory map and the
 * kernel's reservations (mm/memmap.c, mm/memmap_boot.c), the linear-map
 * placement (memmap_fit_linear, as mm/kspace.c calls it), the console
 * choice (kernel/console_dt.c) and the poweroff choice
 * (kernel/poweroff_dt.c), and hart discovery (lib/fdt_cpus.c). Lines
 * the kernel prints come out as the kernel prints them ("boot:
 * console ...", "memory: ...", "console: ..."); the rest start with
 * "cpu:" or "dtcheck:".
 *
 * A problem is whatever would make the kernel panic or run degraded:
 * an unreadable blob, no usable RAM, a memory map the kernel refuses,
 * no usable console UART (output falls back to the slow SBI console),
 * the image's load area not in RAM or overlapping a reservation, no
 * hart the kernel can run on. Each gets a "dtcheck: problem: ..."
 * line. No poweroff device is a warning: real boards power off through
 * SBI SRST, only the exit status is lost. The last line is "dtcheck:
 * ok" (exit 0) or "dtcheck: <n> problem(s)" (exit 1); a file that
 * cannot be read or a bad option exits 2.
 *
 * The load address: OpenSBI (fw_dynamic, fw_jump) and U-Boot booti
 * place an RV64 Image at a 2 MiB-aligned address (Linux's RISC-V boot
 * protocol); the firmware itself takes the start of RAM. Unless
 * --load says otherwise, the image is checked at the lowest usable
 * address rounded up to 2 MiB, plus 2 MiB (QEMU virt: 0x80200000).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/poweroff.h"
#include "lib/fdt.h"
#include "lib/fdt_cpus.h"
#include "lib/printk.h"
#include "mm/buddy.h"
#include "mm/layout.h"
#include "mm/memmap.h"
#include "kernel/tools/dtcheck.h"

/* After lib/errno.h: the C library's macros have the same values. */
#include <errno.h>

#define DEFAULT_KERNEL "build/kernel.elf"
#define DEFAULT_IMAGE_SIZE SZ_2M
/* Read at most this much: the reader refuses more than FDT_MAX_SIZE. */
#define READ_LIMIT (4 * FDT_MAX_SIZE)

static unsigned int problems;

static void stdout_sink(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
}

static void problem(const char *fmt, ...) __printf(1, 2);
static void problem(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("dtcheck: problem: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	problems++;
}

/* Console and poweroff, and the kernel's "boot: console" line. */
static void check_devices(const struct fdt *fdt)
{
	struct console_uart uart;
	struct poweroff_dev po;
	char con[96] = "SBI", off[64];
	int err = console_probe(fdt, &uart);

	if (err == 0 && uart.pa >= PADDR_LIMIT) {
		/* kspace_early_ioremap() cannot map it: SBI, silently. */
		problem("console UART at 0x%lx is beyond the %d-bit physical "
			"address limit: output goes through the SBI console",
			(unsigned long)uart.pa, PADDR_BITS);
	} else if (err) {
		printk("console: no usable stdout-path UART (%s), using the "
		       "SBI console\n",
		       errno_name(err));
		problem("no usable console UART (%s): output goes through the "
			"SBI console",
			errno_name(err));
	} else {
		console_uart_describe(&uart, con, sizeof(con));
	}
	if (poweroff_dt_probe(fdt, &po))
		printf("dtcheck: warning: no syscon-poweroff or HTIF device: "
		       "power off through SBI SRST, exit status lost\n");
	poweroff_dev_describe(&po, off, sizeof(off));
	printk("boot: console %s; poweroff via %s\n", con, off);
}

/* The lowest usable address rounded up to 2 MiB, plus 2 MiB. */
static paddr_t default_load(const struct memmap *map)
{
	return ALIGN_UP(map->usable[0].start, SZ_2M) + SZ_2M;
}

/* The image must lie in one usable range, clear of every reservation. */
static void check_load_area(const struct memmap *map, paddr_t load,
			    uint64_t size)
{
	paddr_t end = load + size;
	bool in_ram = false;

	if (load % SZ_2M)
		problem("load address 0x%016lx is not 2 MiB-aligned (RV64 "
			"Image rule)",
			load);
	for (unsigned int i = 0; i < map->nr_usable; i++)
		in_ram |= load >= map->usable[i].start &&
			  end <= map->usable[i].end;
	if (!in_ram)
		problem("kernel load area [mem 0x%016lx-0x%016lx] is not "
			"inside usable RAM (after the linear-map limit)",
			load, end - 1);
	for (unsigned int i = 0; i < map->nr_reserved; i++) {
		const struct memmap_reserved *r = &map->reserved[i];

		if (strcmp(r->name, "kernel image") == 0 || r->end <= load ||
		    r->start >= end)
			continue;
		problem("kernel load area [mem 0x%016lx-0x%016lx] overlaps "
			"reserved [mem 0x%016lx-0x%016lx] %s",
			load, end - 1, r->start, r->end - 1, r->name);
	}
}

/*
 * The memory map's tables for a tree larger than its own (the kernel
 * maps the RAM at pa; dtcheck has no RAM to write): a heap buffer, the
 * previous one freed.
 */
static void *host_map_tables(paddr_t pa, uint64_t size, paddr_t linear_base)
{
	static void *buf;

	free(buf);
	buf = calloc(1, size);
	return buf;
}

static int check_memory(const struct fdt *fdt, const struct dtcheck_opts *o)
{
	static struct memmap map;
	struct memmap_boot own = { 0 };
	uint64_t dropped;
	char why[192];
	int err;

	own.fdt_pa = o->fdt_pa;
	own.fdt_size = o->have_fdt_pa ? fdt->totalsize : 0;
	own.image_size = o->image_size;
	if (o->have_load) {
		own.image_pa = o->load;
	} else {
		/* The default load address needs the map first, silently. */
		printk_sink_fn sink = printk_set_sink(NULL);

		struct memmap_boot tree = { 0 };

		err = memmap_boot_setup_sized(&map, fdt, &tree, host_map_tables,
					      why, sizeof(why));
		printk_flush();
		printk_set_sink(sink);
		own.image_pa = err ? 0 : default_load(&map);
	}
	err = memmap_boot_setup_sized(&map, fdt, &own, host_map_tables, why,
				      sizeof(why));
	if (err) {
		printk("panic: %s\n", why);
		problem("the kernel would panic: %s", why);
		return err;
	}
	printf("dtcheck: kernel image 0x%lx bytes (%s) at 0x%016lx (%s)\n",
	       (unsigned long)own.image_size, o->image_from, own.image_pa,
	       o->have_load ? "--load"
			    : "lowest RAM rounded up to 2 MiB, plus 2 MiB");
	if (!o->have_fdt_pa)
		printf("dtcheck: device tree blob not reserved: its address "
		       "is the firmware's choice (--fdt-addr)\n");
	memmap_print(&map);
	memmap_fit_linear(&map, LINEAR_MAX_SIZE, &dropped);
	memmap_fit_ranges(&map, BUDDY_MAX_RANGES, SZ_4G);
	check_load_area(&map, own.image_pa, own.image_size);
	return 0;
}

/*
 * The kernel's own cpu: lines for one hart (lib/fdt_cpus.c formats them
 * for kernel/cpufeature.c too), then what SMP bring-up would do with
 * it: "dtcheck: hart <id>: start" or "dtcheck: hart <id>: skipped:
 * <reason>" (its words: the verdict, or NR_CPUS reached).
 */
static void print_cpu(const struct fdt_cpu *c, unsigned int *started)
{
	char line[FDT_CPU_ISA_MAX * 4 + 96];

	fdt_cpu_line(c, line, sizeof(line));
	printk("%s\n", line);
	if (fdt_cpu_warning_line(c, line, sizeof(line)))
		printk("%s\n", line);
	if (c->verdict == FDT_CPU_NO_REG)
		return;
	if (c->verdict != FDT_CPU_USABLE)
		printk("dtcheck: hart %lu: skipped: %s\n",
		       (unsigned long)c->hartid,
		       fdt_cpu_verdict_name(c->verdict));
	else if (*started >= NR_CPUS)
		printk("dtcheck: hart %lu: skipped: NR_CPUS=%d reached\n",
		       (unsigned long)c->hartid, NR_CPUS);
	else {
		printk("dtcheck: hart %lu: start\n", (unsigned long)c->hartid);
		(*started)++;
	}
}

static void check_cpus(const struct fdt *fdt)
{
	static struct fdt_cpu cpus[FDT_CPUS_MAX];
	unsigned int started = 0;
	int n = fdt_cpus_scan(fdt, cpus, FDT_CPUS_MAX);

	if (n < 0) {
		printk("smp: warning: no usable /cpus in the device tree "
		       "(%s): the boot hart runs alone\n",
		       errno_name(n));
		problem("no usable /cpus (%s): cannot tell whether the boot "
			"hart has an MMU; no other hart starts",
			errno_name(n));
		return;
	}
	if (n > FDT_CPUS_MAX) {
		printk("smp: warning: %d cpu nodes, only the first %d looked "
		       "at\n",
		       n, FDT_CPUS_MAX);
		n = FDT_CPUS_MAX;
	}
	for (int i = 0; i < n; i++)
		print_cpu(&cpus[i], &started);
	/* The memory attributes, taking the first usable hart as the boot
	 * hart (the firmware picks it; any usable one gives the same
	 * intersection unless the harts differ, which the line says). */
	for (int i = 0; i < n; i++)
		if (cpus[i].verdict == FDT_CPU_USABLE) {
			uint64_t any, common = fdt_cpus_common_ext(
					      cpus, n, cpus[i].hartid, &any);
			char line[96];

			fdt_cpus_mattr_line(common, any, line, sizeof(line));
			printk("%s\n", line);
			break;
		}
	if (started == 0)
		problem("no hart the kernel can run on (rv64 with an Sv39 "
			"MMU, enabled)");
}

int dtcheck_run(const void *blob, size_t size, const struct dtcheck_opts *o)
{
	struct fdt fdt;
	int err;

	problems = 0;
	err = fdt_open(&fdt, blob, size);
	if (err) {
		problem("the kernel would panic: device tree: blob is "
			"unreadable: %s (%d)",
			errno_name(err), err);
		goto out;
	}
	printf("dtcheck: %s: %u bytes, version %u\n", o->name, fdt.totalsize,
	       fdt.version);
	check_devices(&fdt);
	check_memory(&fdt, o);
	check_cpus(&fdt);
out:
	printk_flush();
	if (problems == 0)
		printf("dtcheck: ok\n");
	else
		printf("dtcheck: %u problem%s\n", problems,
		       problems == 1 ? "" : "s");
	return problems ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: dtcheck [--kernel <elf>] [--image-size <bytes>] "
		"[--load <addr>] [--fdt-addr <addr>] <blob.dtb>\n");
	exit(2);
}

/* A number with an optional K, M or G suffix; exits 2 on garbage. */
static uint64_t parse_number(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "dtcheck: %s: bad number '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct dtcheck_opts o = { 0 };
	const char *kernel = NULL, *path = NULL, *slash;
	static unsigned char blob[READ_LIMIT];
	size_t size;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (i + 1 < argc && strcmp(a, "--kernel") == 0)
			kernel = argv[++i];
		else if (i + 1 < argc && strcmp(a, "--image-size") == 0) {
			o.image_size = parse_number(a, argv[++i]);
			if (o.image_size == 0) {
				fprintf(stderr, "dtcheck: --image-size must "
						"not be 0\n");
				return 2;
			}
		} else if (i + 1 < argc && strcmp(a, "--load") == 0) {
			o.load = parse_number(a, argv[++i]);
			o.have_load = true;
		} else if (i + 1 < argc && strcmp(a, "--fdt-addr") == 0) {
			o.fdt_pa = parse_number(a, argv[++i]);
			o.have_fdt_pa = true;
		} else if (a[0] == '-' || path)
			usage();
		else
			path = a;
	}
	if (!path)
		usage();
	if (o.image_size) {
		o.image_from = "--image-size";
	} else {
		const char *elf = kernel ? kernel : DEFAULT_KERNEL;
		char err[160];

		o.image_from = elf;
		if (dtcheck_elf_image_size(elf, &o.image_size, err,
					   sizeof(err))) {
			if (kernel) {
				fprintf(stderr, "dtcheck: %s\n", err);
				return 2;
			}
			o.image_size = DEFAULT_IMAGE_SIZE;
			o.image_from = "default: no " DEFAULT_KERNEL;
		}
	}
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "dtcheck: %s: %s\n", path, strerror(errno));
		return 2;
	}
	size = fread(blob, 1, sizeof(blob), f);
	if (ferror(f)) {
		fprintf(stderr, "dtcheck: %s: read error\n", path);
		fclose(f);
		return 2;
	}
	fclose(f);
	slash = strrchr(path, '/');
	o.name = slash ? slash + 1 : path;
	printk_set_sink(stdout_sink);
	return dtcheck_run(blob, size, &o);
}
