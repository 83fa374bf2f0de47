// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest= runner: the registered suites in order (see selftest.h).
 *
 * Around every suite it checks the balance: after the per-hart caches
 * and lazily freed vmalloc areas are drained, the free pages (meminfo)
 * and the slab objects in use must be what they were before the suite,
 * and buddy_check(), slab_check() and vmalloc_check() must be clean. The
 * one holding that is not a leak is a quarantined slab (a deliberately
 * corrupted free list, never handed back by design): its pages are
 * counted apart and named in the line. A suite that fails the balance
 * is "not ok" and counts one failure. Injected failures (fail_page_alloc=,
 * failslab=) are held off while the balance is taken.
 */
#include "kernel/selftest.h"

#include "kernel/fault_inject.h"
#include "lib/printk.h"
#include "mm/buddy.h"
#include "mm/kspace.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

extern const struct ktest_suite *const __ktest_suites_start[];
extern const struct ktest_suite *const __ktest_suites_end[];

struct balance {
	uint64_t free; /* pages, per-hart lists included */
	unsigned long objs; /* slab objects in use */
	unsigned long quarantined; /* pages in quarantined slabs */
	unsigned long slab_pages, caches; /* all slabs, caches */
	size_t vmalloc_meta; /* vmalloc's descriptor pages, kept for reuse */
	size_t tables; /* page-table pages of the kernel's tree */
};

static struct balance before;

/* Give back everything held only for speed, then read the counts. */
static void balance_take(struct balance *b)
{
	struct buddy_stats st;
	struct slab_totals t;
	struct vmalloc_stats vs;

	vmalloc_purge();
	slab_shrink_all();
	buddy_drain_all_pages();
	buddy_stats(&st);
	slab_get_totals(&t);
	b->free = st.free;
	b->objs = t.active_objs;
	b->quarantined = t.quarantined_pages;
	b->slab_pages = t.pages;
	b->caches = t.caches;
	vmalloc_get_stats(&vs);
	b->vmalloc_meta = vs.meta_pages;
	b->tables = kspace_pgtable()->table_pages;
}

static void balance_before(const struct ktest_suite *s)
{
	fault_inject_arm(false);
	balance_take(&before);
	fault_inject_arm(true);
}

/* b - a, or 0 when the count went down. */
static uint64_t grown(uint64_t a, uint64_t b)
{
	return b > a ? b - a : 0;
}

static unsigned int balance_after(const struct ktest_suite *s)
{
	struct balance now;
	unsigned int bad = 0;
	uint64_t quar, meta;
	int nb, ns, nv;

	fault_inject_arm(false);
	balance_take(&now);
	nb = buddy_check();
	ns = slab_check();
	nv = vmalloc_check();
	quar = grown(before.quarantined, now.quarantined);
	meta = grown(before.vmalloc_meta, now.vmalloc_meta);
	if (now.free + quar + meta != before.free) {
		printk("# balance %s: free pages %lu before, %lu after, %lu "
		       "of the difference explained (quarantined slabs %lu, "
		       "vmalloc metadata %lu); slab pages %lu -> %lu, caches "
		       "%lu -> %lu, page-table pages %zu -> %zu\n",
		       s->name, (unsigned long)before.free,
		       (unsigned long)now.free, (unsigned long)(quar + meta),
		       (unsigned long)quar, (unsigned long)meta,
		       before.slab_pages, now.slab_pages, before.caches,
		       now.caches, before.tables, now.tables);
		bad++;
	}
	if (now.objs != before.objs) {
		printk("# balance %s: slab objects in use %lu before, %lu "
		       "after\n",
		       s->name, before.objs, now.objs);
		bad++;
	}
	if (nb || ns || nv) {
		printk("# balance %s: checkers found problems: buddy_check "
		       "%d, slab_check %d, vmalloc_check %d\n",
		       s->name, nb, ns, nv);
		bad++;
	}
	if (!bad)
		printk("# balance %s: ok: %lu free pages, %lu slab objects in "
		       "use, checkers clean; kept %lu pages in quarantined "
		       "slabs, %lu of vmalloc metadata\n",
		       s->name, (unsigned long)now.free, now.objs,
		       (unsigned long)quar, (unsigned long)meta);
	fault_inject_arm(true);
	return bad;
}

static const struct ktest_suite_hooks balance_hooks = {
	.before = balance_before,
	.after = balance_after,
};

int selftest_run(const char *selection)
{
	struct ktest_totals tot;
	int err;

	ktest_set_suite_hooks(&balance_hooks);
	err = ktest_run(__ktest_suites_start,
			(size_t)(__ktest_suites_end - __ktest_suites_start),
			selection, &tot);
	ktest_set_suite_hooks(NULL);
	fault_inject_arm(false);
	fault_inject_print_summary();

	/* A selection that runs nothing (selftest=,) proves nothing. */
	if (!err && tot.passed + tot.failed + tot.skipped == 0) {
		printk("selftest: error: '%pE' selects no test\n", selection);
		return 1;
	}
	return err;
}
