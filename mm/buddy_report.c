// SPDX-License-Identifier: BSD-2-Clause
/*
 * The buddy allocator's refusals and failures: classifying a free that
 * mm/buddy.c refused, and the lines that report it or a failed
 * allocation.
 *
 * Theory of operation
 * -------------------
 * The page paths of mm/buddy.c decide only whether a call may go on; a
 * free that fails a check is handed here, out of line, to find out what
 * it was (a double free, a wrong order, a reserved page, a page inside
 * a larger block, not RAM, ...) and to say so in one line,
 *
 *   BUG: <what><detail> pfn 0x<pfn> order <order> caller 0x<addr>
 *
 * after which the bug hook (buddy_set_bug_hook()) sees it. Nothing is
 * changed: the allocator stays as it was before the call.
 *
 * Invariants: those of mm/buddy.c (I1..I12); a classification reads
 * I3, I8 and I11 to tell the kinds apart and relies on them holding.
 *
 * Locking (mm/buddy.c, "Locking"): a free of a page in a range is
 * classified under that range's zone lock, which its caller took, so
 * the answer describes one consistent state; the lock is dropped before
 * the line is printed and the hook runs, so a hook may call the
 * allocator. buddy.bugs and buddy.failures are relaxed counters,
 * fail_rl is lib's atomic rate limit, and bug_hook is stored with
 * release and loaded with acquire. Hooks may run on several harts at
 * once.
 *
 * Failure modes: none of its own; a report never fails. The failure
 * line of an allocation is rate-limited (BUDDY_FAIL_BURST lines, then
 * one in every BUDDY_FAIL_INTERVAL failures) and left out for
 * __GFP_NOWARN.
 */
#include "mm/buddy.h"

#include <stdarg.h>

#include "lib/fmt.h"
#include "lib/printk.h"
#include "mm/buddy_internal.h"

/* Failure lines: 10, then one in every 1000 failures. */
#define BUDDY_FAIL_BURST 10
#define BUDDY_FAIL_INTERVAL 1000

static buddy_bug_hook_fn bug_hook;
static struct ratelimit fail_rl =
	RATELIMIT_INIT(BUDDY_FAIL_BURST, BUDDY_FAIL_INTERVAL);

static const char *const bug_names[BUDDY_NR_BUGS] = {
	[BUDDY_BUG_NOT_RAM] = "free of a page that is not RAM",
	[BUDDY_BUG_BAD_ORDER] = "free with invalid order",
	[BUDDY_BUG_UNALIGNED] = "free of unaligned address",
	[BUDDY_BUG_RESERVED] = "free of reserved page",
	[BUDDY_BUG_DOUBLE_FREE] = "double free",
	[BUDDY_BUG_WRONG_ORDER] = "free with wrong order",
	[BUDDY_BUG_INSIDE_BLOCK] = "free of page inside a larger block",
};

/*
 * A refused call, classified (under the zone lock where the state of
 * pages decides the kind) and reported after every lock is dropped.
 */
struct bug_report {
	enum buddy_bug bug;
	pfn_t pfn;
	unsigned int order;
	uintptr_t caller; /* return address in the freeing function */
	char detail[96];
};

const char *buddy_bug_name(enum buddy_bug bug)
{
	return (unsigned int)bug < BUDDY_NR_BUGS ? bug_names[bug] : "?";
}

buddy_bug_hook_fn buddy_set_bug_hook(buddy_bug_hook_fn hook)
{
	return __atomic_exchange_n(&bug_hook, hook, __ATOMIC_ACQ_REL);
}

static void __printf(5, 6)
	note_bug(struct bug_report *rep, enum buddy_bug bug, pfn_t pfn,
		 unsigned int order, const char *fmt, ...)
{
	va_list ap;

	rep->bug = bug;
	rep->pfn = pfn;
	rep->order = order;
	rep->caller = 0;
	rep->detail[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		fmt_vsnprintf(rep->detail, sizeof(rep->detail), fmt, ap);
		va_end(ap);
	}
}

/* Print, count and hand to the hook; no allocator lock may be held. */
static void report(const struct bug_report *rep)
{
	buddy_bug_hook_fn hook = __atomic_load_n(&bug_hook, __ATOMIC_ACQUIRE);

	__atomic_fetch_add(&buddy.bugs, 1, __ATOMIC_RELAXED);
	printk("BUG: %s%s pfn 0x%lx order %u caller 0x%lx\n",
	       buddy_bug_name(rep->bug), rep->detail, rep->pfn, rep->order,
	       (unsigned long)rep->caller);
	if (hook)
		hook(rep->bug, rep->pfn, rep->order);
}

void buddy_report(enum buddy_bug bug, pfn_t pfn, unsigned int order,
		  uintptr_t caller, const char *fmt, ...)
{
	struct bug_report rep;
	va_list ap;

	note_bug(&rep, bug, pfn, order, NULL);
	rep.caller = caller;
	va_start(ap, fmt);
	fmt_vsnprintf(rep.detail, sizeof(rep.detail), fmt, ap);
	va_end(ap);
	report(&rep);
}

/*
 * Find the block holding pfn when pfn is not a head: the nearest aligned
 * head at or below it, at increasing orders, that covers it (I8: pages
 * between it and pfn carry no head flags). NULL if none does. The zone
 * lock of r is held.
 */
static struct page *find_container(const struct buddy_range *r, pfn_t pfn,
				   pfn_t *head_pfn)
{
	if (!buddy.binary)
		return buddy_find_container_class(r, pfn, head_pfn);
	for (unsigned int o = 1; o <= MAX_ORDER; o++) {
		pfn_t h = buddy_block_head(pfn, o);
		struct page *p;

		if (h < r->start_pfn)
			break;
		p = &r->map[h - r->start_pfn];
		if ((buddy_page_flags(p) & (PG_buddy | PG_head)) &&
		    p->order >= o && p->order <= MAX_ORDER) {
			*head_pfn = h;
			return p;
		}
	}
	return NULL;
}

/*
 * Classify a free of page (pfn in range r) that failed the checks of
 * __free_pages. r's zone lock is held, so the answer describes one
 * consistent state.
 */
static void classify_free(const struct buddy_range *r, const struct page *page,
			  pfn_t pfn, unsigned int order, struct bug_report *rep)
{
	uint32_t flags = buddy_page_flags(page);
	const struct page *c;
	pfn_t head;

	if (order > MAX_ORDER)
		note_bug(rep, BUDDY_BUG_BAD_ORDER, pfn, order, NULL);
	else if (flags & PG_reserved)
		note_bug(rep, BUDDY_BUG_RESERVED, pfn, order, NULL);
	else if (flags & (PG_buddy | PG_pcp))
		note_bug(rep, BUDDY_BUG_DOUBLE_FREE, pfn, order, NULL);
	else if ((flags & PG_head) && buddy.binary)
		note_bug(rep, BUDDY_BUG_WRONG_ORDER, pfn, order,
			 " (allocated with %u)", page->order);
	else if (flags & PG_head)
		note_bug(rep, BUDDY_BUG_WRONG_ORDER, pfn, order,
			 " (block of %lu pages, order %u takes %lu)",
			 page->order < buddy.nr_classes
				 ? buddy_class_size(page->order)
				 : 0,
			 order, buddy_class_size(buddy.order_class[order]));
	else if ((c = find_container(r, pfn, &head)) &&
		 (buddy_page_flags(c) & PG_buddy))
		note_bug(rep, BUDDY_BUG_DOUBLE_FREE, pfn, order,
			 " (inside free block 0x%lx, %lu pages)", head,
			 buddy_class_size(c->order));
	else if (c)
		note_bug(rep, BUDDY_BUG_INSIDE_BLOCK, pfn, order,
			 " (block 0x%lx, %lu pages)", head,
			 buddy_class_size(c->order));
	else
		note_bug(rep, BUDDY_BUG_INSIDE_BLOCK, pfn, order,
			 " (no block head)");
}

/*
 * The refused path of __free_pages, out of line: classify under the
 * zone lock, which the caller holds with interrupt state irq, drop it,
 * then report.
 */
void __attribute__((noinline))
buddy_free_refused(const struct buddy_range *r, const struct page *page,
		   pfn_t pfn, unsigned int order, unsigned long irq,
		   uintptr_t caller)
{
	struct bug_report rep;

	classify_free(r, page, pfn, order, &rep);
	rep.caller = caller;
	spin_unlock_irqrestore(&r->zone->lock, irq);
	report(&rep);
}

/*
 * A free whose descriptor pointer does not lie where page->range says:
 * not RAM, or (if page->range was damaged) a descriptor of another
 * range, which is classified under that range's zone lock.
 */
bool __attribute__((noinline))
buddy_free_bad_pointer(const struct page *page, unsigned int order,
		       uintptr_t caller)
{
	const struct buddy_range *r = NULL;
	struct bug_report rep;
	pfn_t idx = 0;

	if (page)
		r = buddy_desc_range(page, &idx);
	if (!r) {
		note_bug(&rep, BUDDY_BUG_NOT_RAM, 0, order, " (descriptor %p)",
			 page);
		rep.caller = caller;
		report(&rep);
		return false;
	}
	buddy_free_refused(r, page, r->start_pfn + idx, order,
			   spin_lock_irqsave(&r->zone->lock), caller);
	return false;
}

void buddy_reset_fail_ratelimit(void)
{
	fail_rl = (struct ratelimit)RATELIMIT_INIT(BUDDY_FAIL_BURST,
						   BUDDY_FAIL_INTERVAL);
}

void buddy_alloc_failed(gfp_t gfp, unsigned int order)
{
	__atomic_fetch_add(&buddy.failures, 1, __ATOMIC_RELAXED);
	if (!(gfp & __GFP_NOWARN) && ratelimit_ok(&fail_rl))
		printk("page allocation failure: order:%u, gfp:0x%x\n", order,
		       gfp);
}
