// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmem: resource-range allocator, after illumos vmem.c (Bonwick & Adams).
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
 *    O(log n).
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
 * the spare descriptors, the chunk list and the counters. Every public
 * function takes it for its whole run (vmem_init and vmem_destroy too,
 * although nobody else may use the arena then), and the checker and
 * dump read under it, so they never see a half-done split or merge.
 * One lock per arena keeps arenas independent; within one, every
 * operation is O(1) or O(log n) apart from the walk, so hold times are
 * short.
 *
 * Callbacks run with the lock held: src->refill (which on the target
 * takes a buddy page, hence the buddy zone locks) and vmem_walk's fn
 * (vmalloc's checker looks up page tables there). So the order is
 *
 *   vmalloc lock -> arena lock -> page-table lock -> buddy zone locks
 *     -> printk_lock
 *
 * and a callback must not call back into its own arena (that would be
 * recursion on a spinlock, which panics). src->release runs from
 * vmem_destroy after the arena is forgotten, without the lock.
 *
 * Failure modes: misuse that can be refused (freeing an address that is
 * not the start of an allocated segment) returns -EINVAL and changes
 * nothing; the caller prints the BUG line with its own context.
 */
#include "mm/vmem.h"

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"

enum {
	VMEM_SEG_SPARE = 0,
	VMEM_SEG_FREE = 1,
	VMEM_SEG_ALLOC = 2,
	VMEM_SEG_CHUNK = 3, /* first slot of a refill chunk */
};

/* Descriptors per refill chunk (slot 0 links the chunks). */
#define VMEM_CHUNK_SEGS (VMEM_REFILL_SIZE / sizeof(struct vmem_seg))
STATIC_ASSERT(VMEM_REFILL_SIZE / sizeof(struct vmem_seg) >= 2);
/* vmem_destroy clears the fields after the lock. */
STATIC_ASSERT(offsetof(struct vmem, lock) == 0);

static vaddr_t vmem_end(const struct vmem *vm)
{
	return vm->base + vm->size;
}

static size_t seg_size(const struct vmem_seg *s)
{
	return s->end - s->start;
}

static struct vmem_seg *seg_of(const struct list_head *l)
{
	return list_entry(l, struct vmem_seg, alink);
}

/*
 * The lock is not part of an arena's value: readers of a const arena
 * take it too.
 */
static void vmem_lock(const struct vmem *vm)
{
	spin_lock((spinlock_t *)&vm->lock);
}

static void vmem_unlock(const struct vmem *vm)
{
	spin_unlock((spinlock_t *)&vm->lock);
}

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

/*
 * floor(log2(x)) for x != 0 by binary search: without Zbb the compiler's
 * count-leading-zeros is a libgcc loop over bytes, several times slower.
 */
static unsigned int highbit(uint64_t x)
{
	unsigned int n = 0;

	if (x >> 32) {
		x >>= 32;
		n += 32;
	}
	if (x >> 16) {
		x >>= 16;
		n += 16;
	}
	if (x >> 8) {
		x >>= 8;
		n += 8;
	}
	if (x >> 4) {
		x >>= 4;
		n += 4;
	}
	if (x >> 2) {
		x >>= 2;
		n += 2;
	}
	return n + (unsigned int)(x >> 1);
}

static unsigned int flist_index(size_t size)
{
	return highbit(size);
}

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

/* Give free segment s the bounds [start, end), moving it between lists
 * only if its size class changes. */
static void flist_resize(struct vmem *vm, struct vmem_seg *s, vaddr_t start,
			 vaddr_t end)
{
	unsigned int i = flist_index(end - start);

	if (i != s->flist) {
		flist_remove(vm, s);
		s->start = start;
		s->end = end;
		flist_insert(vm, s);
		return;
	}
	vm->st.free_bytes += (end - start) - seg_size(s);
	s->start = start;
	s->end = end;
}

/* --------------------------------------- the tree (lib/rbtree.h, I4) */

static struct vmem_seg *seg_of_rb(const struct rb_node *n)
{
	return n ? container_of(n, struct vmem_seg, rb) : NULL;
}

/* Link allocated segment s into the tree by its start. */
static void tree_insert(struct vmem *vm, struct vmem_seg *s)
{
	struct rb_node **link = &vm->root.node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = s->start < seg_of_rb(parent)->start ? &parent->left
							   : &parent->right;
	}
	rb_insert(&vm->root, &s->rb, parent, link);
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

/* vmem_xalloc() with vm->lock held. */
static int vmem_xalloc_locked(struct vmem *vm, size_t size, size_t align,
			      void *priv, vaddr_t *addrp)
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
			s = list_first_entry(&vm->freelist[highbit(map & -map)],
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

	spin_lock(&vm->lock);
	if (vm->quantum == 0)
		goto out;
	s = tree_floor(vm, addr);
	if (!s || s->start != addr)
		goto out;
	s->priv = priv;
	err = 0;
out:
	spin_unlock(&vm->lock);
	return err;
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
