// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fault-injection boot arguments (see kernel/fault_inject.h): parse,
 * print what is configured, arm, and report how many failures were
 * injected. The decisions themselves are in lib/fault_inject.c and
 * mm/fail_alloc.c.
 */
#include "kernel/fault_inject.h"

#include "kernel/cmdline.h"
#include "lib/fmt.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/fail_alloc.h"

/* Default seed: runs repeat unless fail_seed= says otherwise. */
#define FAIL_SEED_DEFAULT 1

/* Decimal, or hex after 0x; false for anything else or an overflow. */
static bool parse_ulong(const char *s, unsigned long *v)
{
	unsigned long n = 0, base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned long d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned long)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned long)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned long)(*s - 'A' + 10);
		else
			return false;
		if (n > (~0UL - d) / base)
			return false;
		n = n * base + d;
	}
	*v = n;
	return true;
}

/* Y/N as in Linux's debugfs booleans (1/0 too). */
static void parse_bool(const char *key, bool *out)
{
	const char *v = cmdline_get(key);

	if (!v)
		return;
	if (!strcmp(v, "Y") || !strcmp(v, "y") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "N") || !strcmp(v, "n") || !strcmp(v, "0"))
		*out = false;
	else
		printk("cmdline: warning: bad %s '%pE': expected Y or N, "
		       "ignored\n",
		       key, v);
}

static void parse_attr(struct fault_attr *a)
{
	const char *v = cmdline_get(a->name);
	const char *why = NULL;

	if (v && fault_attr_parse(a, v, &why))
		printk("cmdline: warning: bad %s '%pE': %s, ignored\n", a->name,
		       v, why);
}

static void print_attr(const struct fault_attr *a, unsigned long seed,
		       const char *filters)
{
	if (!a->configured)
		return;
	printk("fault-inject: %s interval %lu probability %lu%% space %lu "
	       "times %ld seed %lu%s\n",
	       a->name, a->interval, a->probability, a->space, a->times, seed,
	       filters);
}

void fault_inject_setup(void)
{
	struct fail_alloc_filters *f = &fail_alloc_filters;
	unsigned long seed = FAIL_SEED_DEFAULT, order;
	const char *v;
	char filters[96];

	parse_attr(&fail_page_alloc);
	parse_attr(&failslab);
	parse_bool("fail_page_alloc.ignore_gfp_wait", &f->page_ignore_gfp_wait);
	parse_bool("failslab.ignore_gfp_wait", &f->slab_ignore_gfp_wait);
	v = cmdline_get("fail_page_alloc.min_order");
	if (v && parse_ulong(v, &order) && order <= MAX_ORDER + 1)
		f->page_min_order = (unsigned int)order;
	else if (v)
		printk("cmdline: warning: bad fail_page_alloc.min_order '%pE':"
		       " expected 0 to %d, ignored\n",
		       v, MAX_ORDER + 1);
	v = cmdline_get("fail_seed");
	if (v && !parse_ulong(v, &seed)) {
		printk("cmdline: warning: bad fail_seed '%pE': expected a "
		       "number, using %d\n",
		       v, FAIL_SEED_DEFAULT);
		seed = FAIL_SEED_DEFAULT;
	}
	/* Two different streams from one seed. */
	fault_attr_seed(&fail_page_alloc, seed);
	fault_attr_seed(&failslab, seed ^ 0x5bd1e995UL);
	fmt_snprintf(filters, sizeof(filters),
		     " ignore_gfp_wait %c min_order %u",
		     f->page_ignore_gfp_wait ? 'Y' : 'N', f->page_min_order);
	print_attr(&fail_page_alloc, seed, filters);
	fmt_snprintf(filters, sizeof(filters), " ignore_gfp_wait %c",
		     f->slab_ignore_gfp_wait ? 'Y' : 'N');
	print_attr(&failslab, seed, filters);
}

bool fault_inject_enabled(void)
{
	return (fail_page_alloc.configured && fail_page_alloc.probability) ||
	       (failslab.configured && failslab.probability);
}

void fault_inject_arm(bool on)
{
	fail_alloc_arm(on);
}

static void print_stats(struct fault_attr *a)
{
	struct fault_attr_stats st;

	if (!a->configured)
		return;
	fault_attr_stats(a, &st);
	printk("fault-inject: %s injected %lu failures in %lu calls\n", a->name,
	       st.injected, st.calls);
}

void fault_inject_print_summary(void)
{
	print_stats(&fail_page_alloc);
	print_stats(&failslab);
}
