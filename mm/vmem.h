/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vmem: an allocator of ranges of an abstract address space ("arena"),
 * after illumos vmem (Bonwick & Adams, "Magazines and Vmem", USENIX 2001).
 * It hands out quantum-aligned [start, start + size) ranges of one span
 * [base, base + size); vmalloc uses it for kernel virtual addresses.
 *
 * Costs (n = segments in the arena): allocation O(1) with instant fit
 * plus O(log n) to index the new segment (O(1) when it lies above every
 * allocated one), free O(log n) to find it (O(1) for the segment the
 * last allocation returned) plus
 * O(1) to coalesce, lookup of the segment containing an address
 * O(log n), walk O(n). See mm/vmem.c for the theory of operation.
 *
 * Segment descriptors never come from a general heap: the caller seeds
 * the arena with a static array and may supply a callback that returns
 * VMEM_REFILL_SIZE bytes whenever more are needed.
 *
 * Locking: each arena has its own spinlock, taken by every function
 * below (vmem_init and vmem_destroy excepted: nobody else may use the
 * arena then), so harts may share an arena freely; or, after
 * vmem_set_outer_lock(), its user's lock, which every caller holds. The
 * refill and release callbacks and the vmem_walk callback run with it
 * held. The
 * arena lock nests inside vmalloc's lock and outside the page-table and
 * buddy locks; not for interrupt handlers.
 */
#ifndef MM_VMEM_H
#define MM_VMEM_H

#include "lib/list.h"
#include "lib/rbtree.h"
#include "lib/spinlock.h"
#include "mm/types.h"

#define VMEM_FREELISTS 64 /* list i: free segments of [2^i, 2^(i+1)) bytes */
#define VMEM_REFILL_SIZE 4096 /* bytes a refill callback returns */
/*
 * Segments examined when instant fit finds nothing and a smaller list
 * might still hold a fit (non-power-of-two size or extra alignment).
 */
#define VMEM_XFIT_SCAN 16

/* A segment descriptor; the layout is private to mm/vmem*.c. */
struct vmem_seg {
	vaddr_t start, end; /* [start, end) */
	struct list_head alink; /* all segments of the arena, address order */
	union {
		struct list_head flink; /* free: on freelist[ilog2(size)] */
		struct rb_node rb; /* allocated: in the tree by start */
		struct vmem_seg *next_spare; /* spare: unused descriptor */
	};
	void *priv; /* allocated: the owner's pointer */
	uint8_t type; /* VMEM_SEG_* (mm/vmem.c) */
	uint8_t flist; /* free: index of its free list */
};

/* Where an arena's segment descriptors come from. */
struct vmem_seg_source {
	struct vmem_seg *seed; /* initial descriptors (static array) or NULL */
	size_t nseed;
	/*
	 * Optional: return VMEM_REFILL_SIZE bytes, 8-byte aligned, for more
	 * descriptors, or NULL. Called from vmem_init/vmem_alloc/vmem_xalloc
	 * only, with the arena lock held (so it may take only locks that
	 * come after it: the buddy allocator's); it must not call back into
	 * the same arena.
	 */
	void *(*refill)(void *ctx);
	/* Optional: take back memory from refill (vmem_destroy, unlocked). */
	void (*release)(void *ctx, void *mem);
	void *ctx;
};

struct vmem_stats {
	size_t alloc_bytes; /* in allocated segments */
	size_t free_bytes; /* in free segments */
	size_t nr_alloc; /* allocated segments */
	size_t nr_free; /* free segments */
	size_t nr_spare; /* unused descriptors on hand */
	size_t nr_desc; /* descriptors owned (seed + refills) */
	size_t nr_refill; /* refill chunks obtained */
	uint64_t alloc_fail; /* -ENOMEM returns from vmem_(x)alloc */
};

/*
 * An arena. Fields are private to mm/vmem*.c; declare one and vmem_init()
 * it. Everything below `lock` is protected by it; name, base, size,
 * quantum and src are set by vmem_init and only read afterwards.
 */
struct vmem {
	spinlock_t lock;
	const char *name;
	spinlock_t *outer; /* vmem_set_outer_lock: taken instead of lock */
	vaddr_t base;
	size_t size;
	size_t quantum; /* 0: not initialised */
	struct list_head segs; /* every segment, address order (I1) */
	struct list_head freelist[VMEM_FREELISTS]; /* (I3) */
	uint64_t freemap; /* bit i set iff freelist[i] non-empty */
	struct rb_root root; /* allocated segments by start (I4) */
	struct vmem_seg *hint; /* last allocated; checked on use, see vmem.c */
	struct vmem_seg *spare; /* unused descriptors */
	void *chunks; /* refill chunks, linked */
	struct vmem_seg_source src;
	struct vmem_stats st;
};

/*
 * Initialise arena vm to manage [base, base + size) in units of quantum
 * bytes. name is kept by pointer (used in messages). src supplies the
 * descriptors (copied; the seed array must stay alive as long as vm).
 * Errors: -EINVAL (quantum not a power of two, base or size not a
 * multiple of quantum, size 0, base + size wraps), -ENOMEM (no
 * descriptor for the initial free segment).
 */
int vmem_init(struct vmem *vm, const char *name, vaddr_t base, size_t size,
	      size_t quantum, const struct vmem_seg_source *src);

/*
 * Forget every segment and give each refill chunk back to src->release
 * (if set). Addresses handed out become invalid. vm must be re-initialised
 * before further use; no other hart may use it meanwhile.
 */
void vmem_destroy(struct vmem *vm);

/*
 * Allocate size bytes (rounded up to the quantum) at an address aligned to
 * align (a power of two; 0 or anything below the quantum means the
 * quantum) and store it in *addrp. Instant fit: takes the first segment
 * of the smallest free list whose every segment is at least
 * size + align - quantum bytes; if there is none, up to VMEM_XFIT_SCAN
 * segments of the smaller lists that might fit are tried. priv is stored
 * with the segment and returned by vmem_lookup/vmem_walk.
 * Errors: -EINVAL (size 0, align not a power of two, arena not
 * initialised), -ENOMEM (no fitting free segment found, or no descriptor
 * for a split: the arena is unchanged).
 */
int vmem_xalloc(struct vmem *vm, size_t size, size_t align, void *priv,
		vaddr_t *addrp);

/* vmem_xalloc() with priv NULL. */
int vmem_alloc(struct vmem *vm, size_t size, size_t align, vaddr_t *addrp);

/*
 * Free the allocated segment that starts at addr, coalescing it with free
 * neighbours; its size (as rounded at allocation) goes to *sizep if
 * non-NULL. Errors: -EINVAL if addr is not the start of an allocated
 * segment (nothing is freed; the caller reports the misuse).
 */
int vmem_free(struct vmem *vm, vaddr_t addr, size_t *sizep);

/*
 * Find the allocated segment containing addr. Each output is optional.
 * Errors: -ENOENT (addr free or outside the arena).
 */
int vmem_lookup(const struct vmem *vm, vaddr_t addr, vaddr_t *startp,
		size_t *sizep, void **privp);

/* Replace the priv pointer of the allocated segment starting at addr. */
int vmem_set_priv(struct vmem *vm, vaddr_t addr, void *priv);

#define VMEM_WALK_ALLOC 0x1u
#define VMEM_WALK_FREE 0x2u
#define VMEM_WALK_ALL (VMEM_WALK_ALLOC | VMEM_WALK_FREE)

/*
 * Call fn for each segment of the kinds in `which`, in address order;
 * stop and return fn's value when non-zero. fn runs with the arena lock
 * held: it must not call any vmem_* function on the same arena (it may
 * take locks that come later in the order, such as a page table's).
 */
typedef int (*vmem_walk_fn)(void *arg, vaddr_t start, size_t size,
			    bool allocated, void *priv);
int vmem_walk(const struct vmem *vm, unsigned int which, vmem_walk_fn fn,
	      void *arg);

void vmem_get_stats(const struct vmem *vm, struct vmem_stats *st);

/* Print the arena's segments and counters (debug). */
void vmem_dump(const struct vmem *vm);

/*
 * Serialise vm by a lock of its only user instead of its own: from this
 * call on, every vmem_* call on vm (vmem_destroy excepted) must be made
 * with `outer` held, which is checked (a call without it panics:
 * "vmem_lock: arena <name> used without its outer lock"), and vm->lock
 * is no longer taken. Callbacks then run with outer held. For an arena
 * whose user already holds a lock around every call (vmalloc's arena,
 * under vmalloc_lock), where taking the arena's own lock inside it buys
 * nothing. Call after vmem_init, before any other use; vmem_destroy
 * forgets it. Errors: -EINVAL (outer NULL, or vm not initialised).
 */
int vmem_set_outer_lock(struct vmem *vm, spinlock_t *outer);

/*
 * True when the calling hart holds the lock that serialises vm (its own
 * or the outer one): fault reports, ASSERTs.
 */
static inline bool vmem_lock_is_held(const struct vmem *vm)
{
	return spin_is_held(vm->outer ? vm->outer : &vm->lock);
}

/*
 * Walk every structure of the arena and check invariants I1..I7 of
 * mm/vmem.c; print one "vmem_check: ..." line per violation and return
 * the count (0: consistent). Never panics.
 */
int vmem_check(const struct vmem *vm);

#endif /* MM_VMEM_H */
