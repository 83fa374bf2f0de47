// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmem_check() and vmem_dump(): white-box walks of an arena under its
 * lock. vmem_check verifies the invariants I1..I7 of mm/vmem.c (the
 * tree's shape through lib/rbtree's rb_check), prints one
 * "vmem_check: <arena>: " line per violation citing its number and
 * returns their count; vmem_dump prints every segment.
 */
#include "lib/printk.h"
#include "mm/vmem_internal.h"

void vmem_dump(const struct vmem *vm)
{
	const struct list_head *l;

	vmem_lock(vm);

	printk("vmem %s: [0x%016lx-0x%016lx] quantum 0x%zx alloc %zu (%zu "
	       "bytes) free %zu (%zu bytes) desc %zu spare %zu fail %lu\n",
	       vm->name, (unsigned long)vm->base,
	       (unsigned long)(vmem_end(vm) - 1), vm->quantum, vm->st.nr_alloc,
	       vm->st.alloc_bytes, vm->st.nr_free, vm->st.free_bytes,
	       vm->st.nr_desc, vm->st.nr_spare,
	       (unsigned long)vm->st.alloc_fail);
	if (vm->quantum == 0)
		goto out;
	list_for_each (l, &vm->segs) {
		const struct vmem_seg *s = seg_of(l);

		printk("  [0x%016lx-0x%016lx] %8zu %s\n",
		       (unsigned long)s->start, (unsigned long)(s->end - 1),
		       seg_size(s),
		       s->type == VMEM_SEG_ALLOC ? "alloc" : "free");
	}
out:
	vmem_unlock(vm);
}

/* ------------------------------------------------------------ checker */

#define CHECK_FAIL(vm, nerr, ...)                                              \
	do {                                                                   \
		printk("vmem_check: %s: ", (vm)->name);                        \
		printk(__VA_ARGS__);                                           \
		printk("\n");                                                  \
		(nerr)++;                                                      \
	} while (0)

/* The tree walk of vmem_check (I4), through rb_check's callbacks. */
struct tree_check {
	const struct vmem *vm;
	int nerr;
	vaddr_t last_end; /* in order: the previous segment's end */
	bool have_last;
};

static bool tree_less(const struct rb_node *a, const struct rb_node *b)
{
	return seg_of_rb(a)->start < seg_of_rb(b)->start;
}

static void tree_report(void *arg, const struct rb_node *n, const char *what)
{
	struct tree_check *c = arg;

	CHECK_FAIL(c->vm, c->nerr, "I4: tree node 0x%lx: %s",
		   n ? (unsigned long)seg_of_rb(n)->start : 0UL, what);
}

/* Each node in order: an allocated segment, not overlapping the last. */
static void tree_visit(void *arg, const struct rb_node *n)
{
	struct tree_check *c = arg;
	const struct vmem_seg *s = seg_of_rb(n);

	if (s->type != VMEM_SEG_ALLOC)
		CHECK_FAIL(c->vm, c->nerr, "I4: tree node 0x%lx type %u",
			   (unsigned long)s->start, s->type);
	if (c->have_last && s->start < c->last_end)
		CHECK_FAIL(
			c->vm, c->nerr,
			"I4: tree out of order at 0x%lx (previous end 0x%lx)",
			(unsigned long)s->start, (unsigned long)c->last_end);
	c->last_end = s->end;
	c->have_last = true;
}

/* vmem_check() with vm->lock held. */
static int vmem_check_locked(const struct vmem *vm)
{
	int nerr = 0;
	const struct list_head *l;
	vaddr_t expect = vm->base;
	size_t nalloc = 0, nfree = 0, abytes = 0, fbytes = 0, nsegs = 0;
	size_t nspare = 0, onlists = 0;
	bool prev_free = false;
	struct tree_check c = { .vm = vm };
	struct rb_check_ops ops = { tree_less, tree_report, tree_visit, &c,
				    vm->st.nr_desc };
	size_t nodes;
	const struct vmem_seg *s;

	if (vm->quantum == 0) {
		CHECK_FAIL(vm, nerr, "arena not initialised");
		return nerr;
	}

	/* I1, I2, I7: the address list. */
	list_for_each (l, &vm->segs) {
		s = seg_of(l);
		if (++nsegs > vm->st.nr_desc) {
			CHECK_FAIL(vm, nerr,
				   "I1: segment list longer than the "
				   "%zu descriptors (loop?)",
				   vm->st.nr_desc);
			break;
		}
		if (s->start != expect || s->end <= s->start ||
		    !IS_ALIGNED(s->start, vm->quantum) ||
		    !IS_ALIGNED(s->end, vm->quantum))
			CHECK_FAIL(
				vm, nerr,
				"I1: segment [0x%lx-0x%lx) expected to start "
				"at 0x%lx",
				(unsigned long)s->start, (unsigned long)s->end,
				(unsigned long)expect);
		if (l->next->prev != l)
			CHECK_FAIL(vm, nerr, "I1: broken back link after 0x%lx",
				   (unsigned long)s->start);
		expect = s->end;
		if (s->type == VMEM_SEG_FREE) {
			if (prev_free)
				CHECK_FAIL(vm, nerr,
					   "I2: free segment 0x%lx follows a "
					   "free segment",
					   (unsigned long)s->start);
			nfree++;
			fbytes += seg_size(s);
		} else if (s->type == VMEM_SEG_ALLOC) {
			nalloc++;
			abytes += seg_size(s);
		} else {
			CHECK_FAIL(vm, nerr, "I7: segment 0x%lx has type %u",
				   (unsigned long)s->start, s->type);
		}
		prev_free = s->type == VMEM_SEG_FREE;
	}
	if (expect != vmem_end(vm))
		CHECK_FAIL(vm, nerr,
			   "I1: segments end at 0x%lx, arena at 0x%lx",
			   (unsigned long)expect, (unsigned long)vmem_end(vm));

	/* I3: free lists and the bitmap. */
	for (unsigned int i = 0; i < VMEM_FREELISTS; i++) {
		bool bit = vm->freemap & (1ULL << i);
		size_t n = 0;

		list_for_each (l, &vm->freelist[i]) {
			s = list_entry(l, struct vmem_seg, flink);
			if (++n > vm->st.nr_desc) {
				CHECK_FAIL(vm, nerr, "I3: freelist[%u] loops",
					   i);
				break;
			}
			if (s->type != VMEM_SEG_FREE ||
			    flist_index(seg_size(s)) != i || s->flist != i)
				CHECK_FAIL(vm, nerr,
					   "I3: segment 0x%lx size 0x%zx type "
					   "%u on freelist[%u]",
					   (unsigned long)s->start, seg_size(s),
					   s->type, i);
		}
		onlists += n;
		if (bit != (n != 0))
			CHECK_FAIL(vm, nerr,
				   "I3: freemap bit %u is %d, list has %zu", i,
				   bit, n);
	}
	if (onlists != nfree)
		CHECK_FAIL(vm, nerr, "I3: %zu segments on free lists, %zu free",
			   onlists, nfree);

	/* I4: the tree holds exactly the allocated segments, in order. */
	rb_check(&vm->root, &ops, &nodes);
	nerr += c.nerr;
	if (nodes != nalloc)
		CHECK_FAIL(vm, nerr, "I4: tree has %zu nodes, %zu allocated",
			   nodes, nalloc);

	/* I5: counters. */
	if (abytes + fbytes != vm->size || abytes != vm->st.alloc_bytes ||
	    fbytes != vm->st.free_bytes)
		CHECK_FAIL(vm, nerr,
			   "I5: bytes alloc %zu free %zu (counters %zu %zu), "
			   "size %zu",
			   abytes, fbytes, vm->st.alloc_bytes,
			   vm->st.free_bytes, vm->size);
	if (nalloc != vm->st.nr_alloc || nfree != vm->st.nr_free)
		CHECK_FAIL(vm, nerr,
			   "I5: segments alloc %zu free %zu, counters %zu %zu",
			   nalloc, nfree, vm->st.nr_alloc, vm->st.nr_free);

	/* I6: descriptor conservation. */
	for (s = vm->spare; s; s = s->next_spare) {
		if (++nspare > vm->st.nr_desc) {
			CHECK_FAIL(vm, nerr, "I6: spare list loops");
			break;
		}
		if (s->type != VMEM_SEG_SPARE)
			CHECK_FAIL(vm, nerr, "I6: spare descriptor has type %u",
				   s->type);
	}
	if (nspare != vm->st.nr_spare ||
	    nalloc + nfree + nspare != vm->st.nr_desc)
		CHECK_FAIL(vm, nerr,
			   "I6: %zu alloc + %zu free + %zu spare (counter %zu) "
			   "!= %zu descriptors",
			   nalloc, nfree, nspare, vm->st.nr_spare,
			   vm->st.nr_desc);
	return nerr;
}

int vmem_check(const struct vmem *vm)
{
	int nerr;

	vmem_lock(vm);
	nerr = vmem_check_locked(vm);
	vmem_unlock(vm);
	return nerr;
}
