// SPDX-License-Identifier: BSD-2-Clause
/*
 * The page allocator under the buddy systems that are not binary
 * (buddy=fibonacci, weighted or tertiary).
 *
 * Theory of operation
 * -------------------
 * mm/buddy.c keeps everything else: descriptors, zones, per-hart lists,
 * locking, the checks of a free and the reports. Where a binary path
 * computes (split a block into halves, find the buddy by XOR, carve the
 * free ranges into aligned blocks, find the block that holds a page),
 * it tests buddy.binary once and calls here instead. This file runs
 * Peterson and Norman's general algorithm over page descriptors, with
 * the block-size tables and tag arithmetic of mm/buddy_policy.h that
 * the stand-alone arenas (mm/buddy_arena.c) use too:
 *
 *   class     page->order of a block head (PG_buddy or PG_head) is its
 *             size class: buddy.class_pages[class] pages
 *   tag       buddy.tags[range][page]: side, split kind and memory bits
 *             of the block headed there; 0 on every other page
 *   free list zone->free_area[class], as for binary
 *
 * Allocation takes the smallest non-empty class at or above the one
 * wanted and splits down as mm/buddy_policy.h chooses, keeping the
 * smaller child that still fits and linking the other. Free looks up
 * the buddy from the block's own tag in O(1) (it is size[class] pages
 * above a left block, size[left sibling] below a right one) and merges
 * while the buddy is a free head of the expected class made by the
 * same split. Init carves every free run of a range into roots, the
 * largest class that fits in what is left, lowest address first. A
 * root's tag makes it a left child whose buddy would start where the
 * root ends: the next root (a left block, so never taken for its
 * buddy), a reserved page (never PG_buddy) or the end of the range. So
 * a block never grows past a hole, a reservation or 4 GiB, as under
 * binary.
 *
 * Alignment: only binary puts a block of 2^k pages on a 2^k-page
 * boundary. Here a block starts on a page boundary and nothing more;
 * alloc_pages(gfp, order) gets the smallest class of at least 2^order
 * pages (Fibonacci: 4 pages come as a block of 5). In-kernel users find
 * their metadata through page descriptors, never by masking addresses.
 *
 * Cost per block beyond binary's descriptor: one tag byte per page of
 * RAM (buddy.tags[], after each range's descriptors in the same
 * allocation from memblock at init), of which each block uses
 * the one of its head.
 *
 * Invariants: mm/buddy.c's list (I1 to I11) with "order" read as
 * "class", sizes from class_pages[], and I3's alignment for binary
 * only; I12 (tags) is checked by mm/buddy_check.c.
 *
 * Locking: as mm/buddy.c states; every function here runs with the
 * zone's lock held, or at init.
 */
#include "lib/assert.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "mm/buddy_internal.h"
#include "mm/trace.h"

/* As link_free in mm/buddy.c: a free head of class cls on its list. */
static void link_free_class(struct zone *z, struct page *page, unsigned int cls)
{
	buddy_set_page_flags(page, PG_buddy);
	page->order = (uint8_t)cls;
	page->private = BUDDY_FREE_POISON;
	list_add(&page->lru, &z->free_area[cls].free_list);
	z->free_area[cls].nr_free++;
}

static void unlink_free_class(struct zone *z, struct page *page,
			      unsigned int cls)
{
	list_del(&page->lru);
	z->free_area[cls].nr_free--;
}

static const struct buddy_range *page_range(const struct page *page)
{
	return &buddy_ranges[page->range];
}

struct page *buddy_rmqueue_class(struct zone *z, unsigned int want)
{
	const struct buddy_policy *pol = &buddy.policy;
	const struct buddy_range *r;
	struct page *page;
	unsigned int c;
	uint8_t *tag;

	for (c = want; c < buddy.nr_classes; c++)
		if (!list_empty(&z->free_area[c].free_list))
			break;
	if (c == buddy.nr_classes)
		return NULL;
	page = list_first_entry(&z->free_area[c].free_list, struct page, lru);
	ASSERT(buddy_page_flags(page) == PG_buddy && page->order == c);
	ASSERT(page->private == BUDDY_FREE_POISON);
	unlink_free_class(z, page, c);
	r = page_range(page);
	tag = buddy_tag(r, (pfn_t)(page - r->map));
	while (c != want) {
		bool keep_right = false;
		const struct buddy_split *s =
			buddy_policy_split_toward(pol, c, want, &keep_right);
		struct page *right;
		uint8_t ptag = *tag;

		VERIFY(s); /* I2 of mm/buddy_policy.c */
		right = page + buddy_class_size(s->left);
		ASSERT(buddy_page_flags(right) == 0); /* I3 */
		trace_buddy_split(page, buddy_class_size(c),
				  buddy_class_size(s->left),
				  buddy_class_size(s->right));
		*tag = buddy_tag_left_child(ptag, s);
		tag[buddy_class_size(s->left)] = buddy_tag_right_child(ptag, s);
		if (keep_right) {
			link_free_class(z, page, s->left);
			page = right;
			tag += buddy_class_size(s->left);
			c = s->right;
		} else {
			link_free_class(z, right, s->right);
			c = s->left;
		}
	}
	buddy_set_page_flags(page, PG_head);
	page->order = (uint8_t)want;
	page->private = 0;
	return page;
}

void buddy_free_one_class(struct zone *z, const struct buddy_range *r,
			  struct page *page, pfn_t pfn, unsigned int cls)
{
	const struct buddy_policy *pol = &buddy.policy;
	pfn_t idx = pfn - r->start_pfn;
	unsigned int bcls, pcls;
	int64_t delta;

	while (buddy_policy_buddy(pol, cls, *buddy_tag(r, idx), &delta, &bcls,
				  &pcls)) {
		pfn_t bidx = (pfn_t)((int64_t)idx + delta);
		pfn_t left, right;
		struct page *b;
		uint8_t lt, rt;

		/* The buddy must lie wholly in this range (a root's does not). */
		if (bidx >= r->nr_pages ||
		    buddy_class_size(bcls) > r->nr_pages - bidx)
			break;
		b = &r->map[bidx];
		/* b may be another owner's page: flags by atomic load. */
		if (buddy_page_flags(b) != PG_buddy || b->order != bcls ||
		    !buddy_tag_partners(*buddy_tag(r, idx),
					*buddy_tag(r, bidx)))
			break;
		unlink_free_class(z, b, bcls);
		left = MIN(idx, bidx);
		right = MAX(idx, bidx);
		lt = *buddy_tag(r, left);
		rt = *buddy_tag(r, right);
		trace_buddy_merge(&r->map[left],
				  buddy_class_size(left == idx ? cls : bcls),
				  buddy_class_size(left == idx ? bcls : cls),
				  buddy_class_size(pcls));
		/* The right one becomes an ordinary page inside (I3, I12). */
		buddy_set_page_flags(&r->map[right], 0);
		*buddy_tag(r, right) = 0;
		*buddy_tag(r, left) = buddy_tag_merged(lt, rt);
		idx = left;
		cls = pcls;
	}
	link_free_class(z, &r->map[idx], cls);
}

void buddy_release_classes(const struct buddy_range *r, pfn_t pfn, pfn_t end)
{
	struct zone *z = r->zone;

	z->managed_pages += end - pfn;
	while (pfn < end) {
		unsigned int c =
			buddy_policy_class_within(&buddy.policy, end - pfn);
		struct page *page = &r->map[pfn - r->start_pfn];

		/* Class 0 is one page, so some class always fits. */
		ASSERT(c < buddy.nr_classes);
		*buddy_tag(r, pfn - r->start_pfn) =
			buddy_tag_root(&buddy.policy, c);
		link_free_class(z, page, c);
		/* Lowest addresses first, as allocation takes from the front. */
		list_del(&page->lru);
		list_add_tail(&page->lru, &z->free_area[c].free_list);
		pfn += buddy_class_size(c);
	}
}

struct page *buddy_find_container_class(const struct buddy_range *r, pfn_t pfn,
					pfn_t *head_pfn)
{
	pfn_t largest = buddy_class_size(buddy.nr_classes - 1);

	/* Blocks tile the range (I8): the nearest head below is the one. */
	for (pfn_t h = pfn; h-- > r->start_pfn && pfn - h < largest;) {
		struct page *p = &r->map[h - r->start_pfn];
		uint32_t fl = buddy_page_flags(p);

		if (fl & (PG_reserved | PG_pcp))
			return NULL;
		if (!(fl & (PG_buddy | PG_head)))
			continue;
		if (p->order >= buddy.nr_classes ||
		    h + buddy_class_size(p->order) <= pfn)
			return NULL;
		*head_pfn = h;
		return p;
	}
	return NULL;
}

void buddy_classes_init(enum buddy_policy_id id)
{
	struct buddy_policy *pol = &buddy.policy;
	pfn_t max_pages = (pfn_t)1 << MAX_ORDER;
	unsigned int top;

	/*
	 * Classes up to the first of at least 2^MAX_ORDER pages, so that
	 * every order alloc_pages() accepts has a class: build a little
	 * beyond, find it, and build again up to it (binary ends on
	 * 2^MAX_ORDER itself).
	 */
	if (id == BUDDY_POLICY_BINARY) {
		VERIFY(buddy_policy_build(pol, id, max_pages) == 0);
	} else {
		VERIFY(buddy_policy_build(pol, id, 2 * max_pages) == 0);
		top = buddy_policy_class_for(pol, max_pages);
		VERIFY(top != BUDDY_CLASS_NONE);
		VERIFY(buddy_policy_build(pol, id, pol->size[top]) == 0);
	}
	VERIFY3U(pol->nr_classes, <=, BUDDY_NR_CLASSES);
	buddy.binary = id == BUDDY_POLICY_BINARY;
	buddy.nr_classes = pol->nr_classes;
	for (unsigned int c = 0; c < pol->nr_classes; c++)
		buddy.class_pages[c] = pol->size[c];
	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		buddy.order_class[o] =
			(uint8_t)buddy_policy_class_for(pol, (pfn_t)1 << o);
	for (unsigned int c = 0; c < pol->nr_classes; c++) {
		unsigned int o = 0;

		while (o < MAX_ORDER && buddy.order_class[o] < c)
			o++;
		buddy.class_order[c] = (uint8_t)o;
	}
	if (buddy.binary) /* class == order (buddy_internal.h) */
		for (unsigned int o = 0; o <= MAX_ORDER; o++)
			VERIFY3U(buddy.order_class[o], ==, o);
}
