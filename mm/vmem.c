// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmem: resource-range allocator, after illumos vmem.c (Bonwick & Adams).
 * The checker and dump are in mm/vmem_check.c; what both files share
 * (segment types, list and lock helpers, bit scans) in
 * mm/vmem_internal.h.
 *
 * Theory of operation
 * -------------------
 * An arena manages one span [base, end) of an address space that it
 * never touches: it only hands out and takes back numbers. The span is
 * tiled by segments, each either free or allocated:
 *
 *   base                                                           end
 *   | alloc A | free    | alloc B | alloc C | free                   |
 *   +---------+---------+---------+---------+------------------------+
 *      ^ tree    ^ freelist[ilog2(size)]          ^ freelist[...]
 *   <-------------- segs: every segment, address order -------------->
 *
 * Three structures index the segments:
 *
 *  - segs: a doubly linked list of every segment in address order. Its
 *    neighbours are the boundary tags: a freed segment finds the
 *    segments on either side in O(1) and absorbs them if they are free.
 *
 *  - freelist[i]: free segments whose size lies in [2^i, 2^(i+1)) bytes,
 *    with freemap bit i set when the list is non-empty. Instant fit: a
 *    request for `size` bytes aligned to `align` needs at most
 *    size + align - quantum bytes of any free segment, so every segment
 *    of list order_base_2(size + align - quantum) and above fits; the
 *    lowest such non-empty list is found with one count-trailing-zeros
 *    of freemap and its first segment is taken: O(1). Only when no such
 *    list has a segment are up to VMEM_XFIT_SCAN segments of the lower
 *    lists that might fit examined (largest lists first), so the worst
 *    case stays O(1); a fit that only a longer search would find is
 *    given up (-ENOMEM), as illumos' instant fit gives it up.
 *    Lists are LIFO, so a just-freed range is reused first.
 *
 *  - root: a red-black tree (lib/rbtree.h) of the allocated segments
 *    keyed by start, for vmem_free (exact match) and vmem_lookup (the
 *    segment containing an address: greatest start <= addr), both
 *    O(log n). An allocation links its new segment without a descent:
 *    its neighbours in the tree are the allocated segments next to it on
 *    segs, at most two links away (I2), and one of them has a free child
 *    link on the right side (see tree_insert). Lazily freed vmalloc
 *    ranges stay allocated until the purge, so the tree holds dozens of
 *    segments and a descent would cost a compare and a load per level.
 *
 *  - hint: the segment the last allocation returned, tried before the
 *    tree by vmem_lookup and vmem_free (a range is most often looked up
 *    or freed right after it was allocated). It is not kept up to date:
 *    a descriptor is never given back before vmem_destroy, so the hint
 *    always points at one of the arena's descriptors, and it is used
 *    only when that descriptor is allocated now and holds the address.
 *    Allocated segments never overlap (I1), so such a segment is the
 *    answer the tree would give.
 *
 * An allocation carves the chosen free segment into up to three pieces:
 * a free head (alignment padding), the allocated range and a free tail.
 * Unless the fit is exact, the free descriptor keeps the tail (or the
 * head) and fresh descriptors take the other pieces, so the remainder of
 * a large segment usually stays on its list untouched. A free reverses
 * it and coalesces into a free neighbour's descriptor, so two free
 * segments are never adjacent and the common cases move no list entry.
 *
 * Descriptors come from the seed array the caller supplies and, when the
 * spares run short, from VMEM_REFILL_SIZE chunks returned by the caller's
 * refill callback (the first slot of each chunk links the chunks for
 * vmem_destroy). An allocation first finds its segment, then counts the
 * descriptors the split needs (0..2) and refills before changing
 * anything, so running out of descriptors fails cleanly with -ENOMEM and
 * leaves the arena unchanged. Frees never need a descriptor.
 *
 * Invariants (vmem_check() verifies each and cites its number):
 *  I1 segs tiles [base, end): non-empty, quantum-aligned segments, each
 *     starting where the previous one ends, the first at base and the
 *     last ending at end.
 *  I2 no two free segments are adjacent (frees coalesce).
 *  I3 every free segment is on freelist[ilog2(size)] and on no other
 *     list; freemap bit i is set iff freelist[i] is non-empty.
 *  I4 the allocated segments are exactly the nodes of the tree, in
 *     address order, none overlapping the one before; the tree is
 *     red-black with consistent parent links (lib/rbtree.c I1-I5, which
 *     rb_check verifies for vmem_check).
 *  I5 the counters agree: alloc_bytes + free_bytes == size, nr_alloc and
 *     nr_free count the segments.
 *  I6 descriptors are conserved: nr_alloc + nr_free + nr_spare == nr_desc,
 *     and every spare descriptor is marked spare.
 *  I7 every segment on segs is marked free or allocated.
 *
 * Locking: vm->lock, one spinlock per arena, protects everything the
 * arena owns: the segment list, the free lists and freemap, the tree,
 * the spare descriptors, the chunk list, the counters and the hint.
 * Every public function takes it for its whole run (vmem_init
 * and vmem_destroy too, although nobody else may use the arena then),
 * and the checker and dump read under it, so they never see a half-done
 * split or merge.
 * One lock per arena keeps arenas independent; within one, every
 * operation is O(1) or O(log n) apart from the walk, so hold times are
 * short. An arena whose only user holds a lock of its own around every
 * call (vmalloc) can be serialised by that lock instead
 * (vmem_set_outer_lock): the arena then takes no lock, and checks on
 * every call that its caller holds the outer one (a call without it
 * panics: it would be a race on every structure above).
 *
 * Callbacks run with the lock held: src->refill (which on the target
 * takes a buddy page, hence the buddy zone locks) and vmem_walk's fn
 * (vmalloc's checker looks up page tables there). So the order is
 *
 *   vmalloc lock -> arena lock -> page-table lock -> buddy zone locks
 *     -> printk_lock
 *
 * (with an outer lock, that lock in place of the arena's) and a
 * callback must not call back into its own arena (that would be
 * recursion on a spinlock, which panics; under an outer lock nothing
 * would catch it, and the half-done operation would be corrupted).
 * src->release runs from vmem_destroy after the arena is forgotten,
 * without the lock.
 *
 * Failure modes: misuse that can be refused (freeing an address that is
 * not the start of an allocated segment) returns -EINVAL and changes
 * nothing; the caller prints the BUG line with its own context.
 */
#include "mm/vmem.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/vmem_internal.h"

/* vmem_destroy clears the fields after the lock. */
STATIC_ASSERT(offsetof(struct vmem, lock) == 0);

/* ------------------------------------------------------- descriptors */

static void spare_put(struct vmem *vm, struct vmem_seg *s)
{
	s->type = VMEM_SEG_SPARE;
	s->priv = NULL;
	s->next_spare = vm->spare;
	vm->spare = s;
	vm->st.nr_spare++;
}

static struct vmem_seg *spare_get(struct vmem *vm)
{
	struct vmem_seg *s = vm->spare;

	VERIFY(s != NULL);
	vm->spare = s->next_spare;
	vm->st.nr_spare--;
	s->priv = NULL;
	return s;
}

/* Make sure at least `need` spare descriptors are on hand. */
static int spare_reserve(struct vmem *vm, size_t need)
{
	while (vm->st.nr_spare < need) {
		struct vmem_seg *chunk;

		if (!vm->src.refill)
			return -ENOMEM;
		chunk = vm->src.refill(vm->src.ctx);
		if (!chunk)
			return -ENOMEM;
		memset(chunk, 0, VMEM_REFILL_SIZE);
		chunk[0].type = VMEM_SEG_CHUNK;
		chunk[0].priv = vm->chunks;
		vm->chunks = chunk;
		vm->st.nr_refill++;
		for (size_t i = 1; i < VMEM_CHUNK_SEGS; i++) {
			spare_put(vm, &chunk[i]);
			vm->st.nr_desc++;
		}
	}
	return 0;
}

/* --------------------------------------------------------- free lists */

static void flist_insert(struct vmem *vm, struct vmem_seg *s)
{
	unsigned int i = flist_index(seg_size(s));

	s->type = VMEM_SEG_FREE;
	s->flist = (uint8_t)i;
	list_add(&s->flink, &vm->freelist[i]);
	vm->freemap |= 1ULL << i;
	vm->st.nr_free++;
	vm->st.free_bytes += seg_size(s);
}

static void flist_remove(struct vmem *vm, struct vmem_seg *s)
{
	unsigned int i = s->flist;

	ASSERT(s->type == VMEM_SEG_FREE && i == flist_index(seg_size(s)));
	list_del(&s->flink);
	if (list_empty(&vm->freelist[i]))
		vm->freemap &= ~(1ULL << i);
	vm->st.nr_free--;
	vm->st.free_bytes -= seg_size(s);
}

/* flist_resize() when the size class changes: move s between lists. */
static __attribute__((noinline)) void
flist_move(struct vmem *vm, struct vmem_seg *s, vaddr_t start, vaddr_t end)
{
	flist_remove(vm, s);
	s->start = start;
	s->end = end;
	flist_insert(vm, s);
}

/*
 * Give free segment s the bounds [start, end), moving it between lists
 * only if its size class changes. The common case (an allocation
 * carving the free tail, which stays in its class) is inline.
 */
static inline void flist_resize(struct vmem *vm, struct vmem_seg *s,
				vaddr_t start, vaddr_t end)
{
	unsigned int i = s->flist;

	/* Still in [2^i, 2^(i+1)): no highbit needed. */
	if (unlikely((end - start) >> i != 1)) {
		flist_move(vm, s, start, end);
		return;
	}
	vm->st.free_bytes += (end - start) - seg_size(s);
	s->start = start;
	s->end = end;
}

/* --------------------------------------- the tree (lib/rbtree.h, I4) */

/*
 * The allocated segment nearest s on segs, before or after it, or NULL:
 * the neighbour itself, or the one past it when the neighbour is free
 * (no two free segments are adjacent, I2).
 */
static struct vmem_seg *alloc_neighbour(struct vmem *vm, struct vmem_seg *s,
					bool after)
{
	struct list_head *l = after ? s->alink.next : s->alink.prev;

	if (l != &vm->segs && seg_of(l)->type == VMEM_SEG_FREE)
		l = after ? l->next : l->prev;
	return l == &vm->segs ? NULL : seg_of(l);
}

/*
 * Link allocated segment s (already on segs) into the tree by its
 * start, without a descent. Its tree neighbours are its allocated
 * neighbours on segs (I4), and of two nodes adjacent in order, either
 * the lower has no right child or the higher no left child (the higher
 * is then the leftmost node of the lower's right subtree): s goes
 * there. Linux's vmalloc finds the same place by descending its tree;
 * the address list makes it O(1).
 */
static void tree_insert(struct vmem *vm, struct vmem_seg *s)
{
	struct vmem_seg *n = alloc_neighbour(vm, s, false);
	struct rb_node **link = &vm->root.node, *parent = NULL;

	if (n && !n->rb.right) {
		parent = &n->rb;
		link = &n->rb.right;
	} else if ((n = alloc_neighbour(vm, s, true))) {
		ASSERT(!n->rb.left);
		parent = &n->rb;
		link = &n->rb.left;
	} else {
		ASSERT(!vm->root.node); /* no allocated segment */
	}
	rb_insert(&vm->root, &s->rb, parent, link);
}

/* The hint, if it is an allocated segment holding addr (see "hint"). */
static struct vmem_seg *hint_holding(const struct vmem *vm, vaddr_t addr)
{
	struct vmem_seg *s = vm->hint;

	return s && s->type == VMEM_SEG_ALLOC && addr - s->start < seg_size(s)
		       ? s
		       : NULL;
}

/* The allocated segment with the greatest start <= addr, or NULL. */
static struct vmem_seg *tree_floor(const struct vmem *vm, vaddr_t addr)
{
	struct rb_node *n = vm->root.node;
	struct vmem_seg *best = NULL;

	while (n) {
		struct vmem_seg *s = seg_of_rb(n);

		if (s->start == addr)
			return s;
		if (s->start < addr) {
			best = s;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* ---------------------------------------------------------------- API */

int vmem_init(struct vmem *vm, const char *name, vaddr_t base, size_t size,
	      size_t quantum, const struct vmem_seg_source *src)
{
	struct vmem_seg *s;
	int err = 0;

	memset(vm, 0, sizeof(*vm));
	spin_lock_init(&vm->lock, name ? name : "vmem");
	if (!is_power_of_2(quantum) || size == 0 ||
	    !IS_ALIGNED(base, quantum) || !IS_ALIGNED(size, quantum) ||
	    base + size < base || base + size == 0)
		return -EINVAL;
	vm->name = name ? name : "vmem";
	vm->base = base;
	vm->size = size;
	vm->quantum = quantum;
	INIT_LIST_HEAD(&vm->segs);
	for (unsigned int i = 0; i < VMEM_FREELISTS; i++)
		INIT_LIST_HEAD(&vm->freelist[i]);
	spin_lock(&vm->lock);
	if (src) {
		vm->src = *src;
		for (size_t i = 0; i < src->nseed; i++) {
			spare_put(vm, &src->seed[i]);
			vm->st.nr_desc++;
		}
	}
	if (spare_reserve(vm, 1)) {
		vm->quantum = 0; /* not initialised */
		err = -ENOMEM;
		goto out;
	}
	s = spare_get(vm);
	s->start = base;
	s->end = base + size;
	list_add(&s->alink, &vm->segs);
	flist_insert(vm, s);
out:
	spin_unlock(&vm->lock);
	return err;
}

void vmem_destroy(struct vmem *vm)
{
	struct vmem_seg *chunk;
	struct vmem_seg_source src;

	spin_lock(&vm->lock);
	chunk = vm->chunks;
	src = vm->src;
	vm->chunks = NULL;
	vm->quantum = 0; /* refuses everything from now on */
	spin_unlock(&vm->lock);
	while (chunk) {
		struct vmem_seg *next = chunk[0].priv;

		if (src.release)
			src.release(src.ctx, chunk);
		chunk = next;
	}
	/* Everything but the lock, which stays initialised. */
	memset(&vm->name, 0, sizeof(*vm) - offsetof(struct vmem, name));
}

/* Can s hold size bytes aligned to align? Store the address in *addrp. */
static bool seg_fits(const struct vmem_seg *s, size_t size, size_t align,
		     vaddr_t *addrp)
{
	vaddr_t a = ALIGN_UP(s->start, (vaddr_t)align);

	if (a < s->start || a >= s->end || s->end - a < size)
		return false;
	*addrp = a;
	return true;
}

/*
 * Fallback when no list guarantees a fit: try the lists below the first
 * guaranteed one, largest segments first, down to the list that could
 * hold `size`, examining at most VMEM_XFIT_SCAN segments.
 */
static struct vmem_seg *xfit_scan(struct vmem *vm, size_t size, size_t align,
				  unsigned int guaranteed, vaddr_t *addrp)
{
	unsigned int budget = VMEM_XFIT_SCAN;
	unsigned int lo = flist_index(size);

	for (unsigned int i = MIN(guaranteed, 0u + VMEM_FREELISTS); i-- > lo;) {
		struct list_head *l;

		if (!(vm->freemap & (1ULL << i)))
			continue;
		list_for_each (l, &vm->freelist[i]) {
			struct vmem_seg *s =
				list_entry(l, struct vmem_seg, flink);

			if (seg_fits(s, size, align, addrp))
				return s;
			if (--budget == 0)
				return NULL;
		}
	}
	return NULL;
}

/*
 * vmem_xalloc() with vm->lock held; its only caller, so inlined there
 * (one frame instead of two on vmalloc's path).
 */
static inline __attribute__((always_inline)) int
vmem_xalloc_locked(struct vmem *vm, size_t size, size_t align, void *priv,
		   vaddr_t *addrp)
{
	struct vmem_seg *s = NULL, *piece;
	size_t q = vm->quantum, need;
	unsigned int i = VMEM_FREELISTS;
	vaddr_t addr = 0;
	size_t nsplit;

	if (q == 0 || size == 0 || (align && !is_power_of_2(align)))
		return -EINVAL;
	if (align < q)
		align = q;
	if (size > vm->size)
		goto nomem;
	size = ALIGN_UP(size, q);
	need = size + (align - q);
	if (need >= size)
		i = need == 1 ? 0 : highbit(need - 1) + 1; /* round up */
	if (i < VMEM_FREELISTS) {
		uint64_t map = vm->freemap & (~0ULL << i);

		if (map) {
			s = list_first_entry(&vm->freelist[lowbit(map)],
					     struct vmem_seg, flink);
			addr = ALIGN_UP(s->start, (vaddr_t)align);
		}
	}
	if (!s)
		s = xfit_scan(vm, size, align, i, &addr);
	if (!s)
		goto nomem;

	/* Descriptors for the head and tail pieces, before changing anything. */
	nsplit = (addr > s->start) + (addr + size < s->end);
	if (spare_reserve(vm, nsplit))
		goto nomem;

	if (nsplit == 0) {
		flist_remove(vm, s); /* exact fit */
	} else {
		/*
		 * The free descriptor keeps a remainder (the tail if any,
		 * else the head), which usually stays on its list; fresh
		 * descriptors take the allocated range and any head.
		 */
		struct vmem_seg *free_seg = s;
		vaddr_t end = addr + size;

		s = spare_get(vm);
		s->start = addr;
		s->end = end;
		if (end < free_seg->end) {
			list_add_tail(&s->alink, &free_seg->alink);
			if (addr > free_seg->start) {
				piece = spare_get(vm);
				piece->start = free_seg->start;
				piece->end = addr;
				list_add_tail(&piece->alink, &s->alink);
				flist_insert(vm, piece);
			}
			flist_resize(vm, free_seg, end, free_seg->end);
		} else {
			list_add(&s->alink, &free_seg->alink);
			flist_resize(vm, free_seg, free_seg->start, addr);
		}
	}
	s->type = VMEM_SEG_ALLOC;
	s->priv = priv;
	tree_insert(vm, s);
	vm->hint = s;
	vm->st.nr_alloc++;
	vm->st.alloc_bytes += size;
	*addrp = addr;
	return 0;

nomem:
	vm->st.alloc_fail++;
	return -ENOMEM;
}

int vmem_xalloc(struct vmem *vm, size_t size, size_t align, void *priv,
		vaddr_t *addrp)
{
	int err;

	vmem_lock(vm);
	err = vmem_xalloc_locked(vm, size, align, priv, addrp);
	vmem_unlock(vm);
	return err;
}

int vmem_alloc(struct vmem *vm, size_t size, size_t align, vaddr_t *addrp)
{
	return vmem_xalloc(vm, size, align, NULL, addrp);
}

/* The free segment before/after s on the address list, or NULL. */
static struct vmem_seg *free_neighbour(struct vmem *vm, struct vmem_seg *s,
				       bool after)
{
	struct list_head *l = after ? s->alink.next : s->alink.prev;
	struct vmem_seg *n;

	if (l == &vm->segs)
		return NULL;
	n = seg_of(l);
	return n->type == VMEM_SEG_FREE ? n : NULL;
}

/* Retire the descriptor of s, now covered by a free neighbour. */
static void seg_retire(struct vmem *vm, struct vmem_seg *s)
{
	list_del(&s->alink);
	spare_put(vm, s);
}

/* vmem_free() with vm->lock held. */
static int vmem_free_locked(struct vmem *vm, vaddr_t addr, size_t *sizep)
{
	struct vmem_seg *s, *prev, *next;
	size_t size;

	if (vm->quantum == 0)
		return -EINVAL;
	s = hint_holding(vm, addr);
	if (!s)
		s = tree_floor(vm, addr);
	if (!s || s->start != addr)
		return -EINVAL;
	size = seg_size(s);
	rb_erase(&vm->root, &s->rb);
	vm->st.nr_alloc--;
	vm->st.alloc_bytes -= size;

	/* Coalesce (I2) into a free neighbour's descriptor where possible. */
	prev = free_neighbour(vm, s, false);
	next = free_neighbour(vm, s, true);
	if (prev && next) {
		vaddr_t end = next->end;

		flist_remove(vm, next);
		seg_retire(vm, next);
		seg_retire(vm, s);
		flist_resize(vm, prev, prev->start, end);
	} else if (prev) {
		seg_retire(vm, s);
		flist_resize(vm, prev, prev->start, addr + size);
	} else if (next) {
		seg_retire(vm, s);
		flist_resize(vm, next, addr, next->end);
	} else {
		s->priv = NULL;
		flist_insert(vm, s);
	}
	if (sizep)
		*sizep = size;
	return 0;
}

int vmem_free(struct vmem *vm, vaddr_t addr, size_t *sizep)
{
	int err;

	vmem_lock(vm);
	err = vmem_free_locked(vm, addr, sizep);
	vmem_unlock(vm);
	return err;
}

int vmem_lookup(const struct vmem *vm, vaddr_t addr, vaddr_t *startp,
		size_t *sizep, void **privp)
{
	const struct vmem_seg *s;
	int err = -ENOENT;

	vmem_lock(vm);
	if (vm->quantum == 0)
		goto out;
	s = hint_holding(vm, addr);
	if (!s)
		s = tree_floor(vm, addr);
	if (!s || addr >= s->end)
		goto out;
	if (startp)
		*startp = s->start;
	if (sizep)
		*sizep = seg_size(s);
	if (privp)
		*privp = s->priv;
	err = 0;
out:
	vmem_unlock(vm);
	return err;
}

int vmem_set_priv(struct vmem *vm, vaddr_t addr, void *priv)
{
	struct vmem_seg *s;
	int err = -EINVAL;

	vmem_lock(vm);
	if (vm->quantum == 0)
		goto out;
	s = tree_floor(vm, addr);
	if (!s || s->start != addr)
		goto out;
	s->priv = priv;
	err = 0;
out:
	vmem_unlock(vm);
	return err;
}

int vmem_set_outer_lock(struct vmem *vm, spinlock_t *outer)
{
	if (!outer || vm->quantum == 0)
		return -EINVAL;
	vm->outer = outer;
	return 0;
}

void vmem_outer_lock_missing(const struct vmem *vm)
{
	panic("vmem_lock: arena %s used without its outer lock %s", vm->name,
	      vm->outer->name);
}

int vmem_walk(const struct vmem *vm, unsigned int which, vmem_walk_fn fn,
	      void *arg)
{
	const struct list_head *l;
	int ret = 0;

	vmem_lock(vm);
	if (vm->quantum == 0)
		goto out;
	list_for_each (l, &vm->segs) {
		const struct vmem_seg *s = seg_of(l);
		bool alloc = s->type == VMEM_SEG_ALLOC;

		if (!(which & (alloc ? VMEM_WALK_ALLOC : VMEM_WALK_FREE)))
			continue;
		ret = fn(arg, s->start, seg_size(s), alloc, s->priv);
		if (ret)
			break;
	}
out:
	vmem_unlock(vm);
	return ret;
}

void vmem_get_stats(const struct vmem *vm, struct vmem_stats *st)
{
	vmem_lock(vm);
	*st = vm->st;
	vmem_unlock(vm);
}
