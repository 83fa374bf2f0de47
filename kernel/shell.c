// SPDX-License-Identifier: BSD-2-Clause
/*
 * The memory console: a prompt on the boot hart's console from which
 * the allocators can be driven and inspected by hand (README.md, "The
 * memory console").
 *
 *   console_getc() -> lineedit (lib/lineedit.c: echo, editing keys,
 *   history) -> split into words -> command table -> one command, which
 *   prints its result, or one "error: ..." line, then a new prompt.
 *
 * The commands live in kernel/shell_info.c (introspection, checkers,
 * the page-table walk) and kernel/shell_mm.c (allocating and freeing);
 * this file has the loop, the table and the commands that configure
 * the console itself.
 *
 * Robustness: nothing typed can crash or hang the kernel. Every
 * argument is parsed completely (lib/parse.c) and range-checked before
 * any allocator is called; addresses that an allocator would
 * dereference before validating them are checked first (shell_mm.c,
 * shell_info.c). Misuse that the allocators detect themselves (double
 * free, invalid free) is passed to them on purpose: they print their own
 * BUG line, refuse it and carry on, as their contract says.
 *
 * Concurrency: runs on the boot hart only; the other harts idle, serving
 * cross calls. Single owner: no locks of its own.
 */
#include "kernel/shell.h"

#include <stdarg.h>

#include "kernel/bench.h"
#include "kernel/console.h"
#include "kernel/poweroff.h"
#include "kernel/selftest.h"
#include "kernel/shell_internal.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/lineedit.h"
#include "lib/parse.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/trace.h"

#define SHELL_PROMPT "mm> "

bool shell_json;

static struct lineedit editor;

int shell_error(const char *fmt, ...)
{
	va_list ap;

	printk("error: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	return -1;
}

int shell_arg_u64(const char *cmd, const char *what, const char *s,
		  uint64_t *out)
{
	int err = parse_u64(s, out);

	if (err == -ERANGE)
		return shell_error("%s: %s '%pE' is out of range", cmd, what,
				   s);
	if (err)
		return shell_error("%s: %s '%pE' is not a number (decimal or "
				   "0x-hex)",
				   cmd, what, s);
	return 0;
}

int shell_arg_size(const char *cmd, const char *s, uint64_t max, uint64_t *out)
{
	int err = parse_size(s, out);

	if (err == -ERANGE)
		return shell_error("%s: size '%pE' is out of range", cmd, s);
	if (err)
		return shell_error("%s: size '%pE' is not a size (a number, "
				   "optionally with K, M or G)",
				   cmd, s);
	if (*out == 0 || *out > max)
		return shell_error("%s: size %lu is outside 1..%lu", cmd,
				   (unsigned long)*out, (unsigned long)max);
	return 0;
}

/* ------------------------------------------- commands about the console */

static int shell_help(int argc, char **argv);

static int shell_trace(int argc, char **argv)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} groups[] = { { "buddy", MM_TRACE_BUDDY },
		       { "slab", MM_TRACE_SLAB },
		       { "vmalloc", MM_TRACE_VMALLOC } };
	/* The console's groups; page_trace's MM_TRACE_PAGES is not one. */
	const unsigned int all =
		MM_TRACE_BUDDY | MM_TRACE_SLAB | MM_TRACE_VMALLOC;
	unsigned int bits = all, mask = mm_trace_get();
	bool on;

	if (strcmp(argv[1], "on") == 0)
		on = true;
	else if (strcmp(argv[1], "off") == 0)
		on = false;
	else
		return shell_error("trace: '%pE' is neither on nor off",
				   argv[1]);
	if (argc > 2) {
		bits = 0;
		for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
			if (strcmp(argv[2], groups[i].name) == 0)
				bits = groups[i].bit;
		if (!bits)
			return shell_error("trace: unknown group '%pE' (buddy, "
					   "slab or vmalloc)",
					   argv[2]);
	}
	mask = on ? mask | bits : mask & ~bits;
	mm_trace_set(mask);
	printk("trace:");
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
		if (mask & groups[i].bit)
			printk(" %s", groups[i].name);
	printk("%s\n", mask & all ? "" : " off");
	return 0;
}

static int shell_json_cmd(int argc, char **argv)
{
	if (strcmp(argv[1], "on") == 0)
		shell_json = true;
	else if (strcmp(argv[1], "off") == 0)
		shell_json = false;
	else
		return shell_error("json: '%pE' is neither on nor off",
				   argv[1]);
	printk("json: %s\n", shell_json ? "on" : "off");
	return 0;
}

static int shell_selftest(int argc, char **argv)
{
	/* KTAP and the "N passed, N failed" line say how it went. */
	selftest_run(argv[1]);
	return 0;
}

static int shell_bench(int argc, char **argv)
{
	bench_run(argv[1]);
	return 0;
}

static int shell_poweroff(int argc, char **argv)
{
	uint64_t status = 0;

	if (argc > 1 && shell_arg_u64("poweroff", "status", argv[1], &status))
		return -1;
	if (status > 255)
		return shell_error("poweroff: status %lu is above 255",
				   (unsigned long)status);
	poweroff((int)status);
}

/* --------------------------------------------------------------- table */

static const struct shell_cmd commands[] = {
	{ "help", "", "list the commands", 0, 0, shell_help },
	{ "meminfo", "", "page counts: present, managed, free, per-hart", 0, 0,
	  shell_meminfo },
	{ "buddyinfo", "", "free blocks per order in each zone", 0, 0,
	  shell_buddyinfo },
	{ "slabinfo", "", "every slab cache's objects and slabs", 0, 0,
	  shell_slabinfo },
	{ "vmallocinfo", "", "every vmalloc/vmap area, then totals", 0, 0,
	  shell_vmallocinfo },
	{ "memmap", "", "usable and reserved physical ranges, as at boot", 0, 0,
	  shell_memmap },
	{ "alloc", "<order> [dma32] [zero]", "alloc_pages: 2^order pages", 1, 3,
	  shell_alloc },
	{ "free", "<pfn|va> <order>", "__free_pages a block", 2, 2,
	  shell_free },
	{ "kmalloc", "<size>", "kmalloc an object", 1, 1, shell_kmalloc },
	{ "kfree", "<va>", "kfree an object", 1, 1, shell_kfree },
	{ "vmalloc", "<size>", "vmalloc an area; prints the pfn of each page",
	  1, 1, shell_vmalloc },
	{ "vfree", "<va>", "vfree an area", 1, 1, shell_vfree },
	{ "cache", "create <name> <size> [align]", "kmem_cache_create", 1, 4,
	  shell_cache },
	{ "walk", "<va>", "the Sv39 walk of an address, level by level", 1, 1,
	  shell_walk },
	{ "trace", "on|off [buddy|slab|vmalloc]",
	  "print allocator events as they happen", 1, 2, shell_trace },
	{ "check", "", "run every allocator's checker", 0, 0, shell_check },
	{ "drain", "", "empty per-hart lists and caches, purge vmalloc", 0, 0,
	  shell_drain },
	{ "json", "on|off", "introspection output as JSON lines", 1, 1,
	  shell_json_cmd },
	{ "selftest", "<suite>[,<suite>...]|all", "run self-tests (KTAP)", 1, 1,
	  shell_selftest },
	{ "bench", "<group>[,<group>...]|all", "run benchmarks", 1, 1,
	  shell_bench },
	{ "poweroff", "[status]", "power off with status (default 0)", 0, 1,
	  shell_poweroff },
};

/* The other forms of `cache`, listed by help after its first. */
static const char *const cache_forms[][2] = {
	{ "cache alloc <name>", "kmem_cache_alloc" },
	{ "cache free <name> <va>", "kmem_cache_free" },
	{ "cache destroy <name>", "kmem_cache_destroy" },
};

static int shell_help(int argc, char **argv)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct shell_cmd *c = &commands[i];
		char left[64];

		fmt_snprintf(left, sizeof(left), "%s%s%s", c->name,
			     *c->usage ? " " : "", c->usage);
		printk("  %-36s %s\n", left, c->help);
		if (c->run != shell_cache)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(cache_forms); k++)
			printk("  %-36s %s\n", cache_forms[k][0],
			       cache_forms[k][1]);
	}
	printk("Numbers: decimal or 0x-hex; sizes may end in K, M or G. "
	       "Keys: Backspace, Ctrl-U, Ctrl-C, Up/Down for history.\n");
	return 0;
}

/* Split line in place into at most SHELL_MAX_ARGS words; -1 if more. */
static int split_words(char *line, char **argv)
{
	int argc = 0;

	for (char *p = line;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			return argc;
		if (argc == SHELL_MAX_ARGS)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
}

static void run_line(char *line)
{
	char *argv[SHELL_MAX_ARGS];
	int argc = split_words(line, argv);
	const struct shell_cmd *c = NULL;

	if (argc == 0)
		return;
	if (argc < 0) {
		shell_error("too many words (at most %d)", SHELL_MAX_ARGS);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands) && !c; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			c = &commands[i];
	if (!c) {
		shell_error("unknown command '%pE' (try help)", argv[0]);
		return;
	}
	if ((unsigned int)argc - 1 < c->min_args)
		shell_error("%s: missing argument (usage: %s %s)", c->name,
			    c->name, c->usage);
	else if ((unsigned int)argc - 1 > c->max_args)
		shell_error("%s: too many arguments (usage: %s%s%s)", c->name,
			    c->name, *c->usage ? " " : "", c->usage);
	else
		c->run(argc, argv);
}

static void editor_out(void *ctx, const char *s, size_t len)
{
	printk_emit(s, len, false);
}

void shell_run(void)
{
	char line[LINEEDIT_MAX + 1];

	lineedit_init(&editor, editor_out, NULL);
	printk("boot: console ready (type help; leave QEMU with Ctrl-A X)\n");
	for (;;) {
		enum lineedit_result r;

		printk_flush();
		lineedit_start(&editor, SHELL_PROMPT);
		do
			r = lineedit_feed(&editor, console_getc());
		while (r == LINEEDIT_MORE);
		if (r == LINEEDIT_TOO_LONG)
			shell_error("line longer than %d characters, ignored",
				    LINEEDIT_MAX);
		if (r != LINEEDIT_DONE)
			continue;
		memcpy(line, lineedit_line(&editor),
		       strlen(lineedit_line(&editor)) + 1);
		run_line(line);
	}
}
