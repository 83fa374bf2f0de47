/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host side of the mm/arch.h seam, linked into every host test binary:
 *
 *  - PTEs encoded by the target's own lib/riscv_pte.h (Sv39, with the
 *    memory-type scheme in pte_mattr: Svpbmt by default, so PROT_DEVICE
 *    is PBMT=IO), after checking the arguments; leaves get A and D set.
 *  - A TLB that only counts and logs fences: this hart's
 *    (arch_tlb_flush_page/_all) apart from every hart's
 *    (arch_tlb_shootdown), and a fake root register.
 *  - Fake physical memory: a host buffer that phys_to_virt() reaches.
 *  - A counting page-table-page allocator over part of that memory that
 *    refuses double frees and can be told to fail after N allocations.
 *
 * Thread-safe where threads standing in for harts call it: the fence
 * counters and logs are updated atomically, the pool takes a mutex.
 * Read the counters, reset them and set the hook only while no other
 * thread runs (test set-up, after joins). One fake physical memory at a
 * time.
 */
#ifndef MM_TESTS_HOST_ARCH_H
#define MM_TESTS_HOST_ARCH_H

#include <pthread.h>

#include "mm/arch.h"
#include "mm/pgtable.h"
#include "mm/types.h"

#define HOST_PTE_V 0x001UL
#define HOST_PTE_R 0x002UL
#define HOST_PTE_W 0x004UL
#define HOST_PTE_X 0x008UL
#define HOST_PTE_U 0x010UL
#define HOST_PTE_G 0x020UL
#define HOST_PTE_A 0x040UL
#define HOST_PTE_D 0x080UL
#define HOST_PTE_PPN_SHIFT 10
#define HOST_PTE_PPN_BITS 44
#define HOST_PTE_PBMT_SHIFT 61
#define HOST_PTE_PBMT_IO (2UL << HOST_PTE_PBMT_SHIFT)

/* ---------------------------------------------------------------- TLB */

/*
 * arch_call_each_cpu() calls since start, and the shares of them that a
 * requester served on behalf of a hart with interrupts on (or with no
 * thread). host_arch.c states the model.
 */
extern unsigned long host_arch_cpu_calls;
extern unsigned long host_arch_cpu_proxied;

/* Calls since the reset: arch_tlb_flush_page(), arch_tlb_flush_all(). */
extern unsigned long host_arch_tlb_flushes;
extern unsigned long host_arch_tlb_flush_alls;
/*
 * arch_tlb_shootdown() calls since the reset, and those among them of
 * everything (size TLB_FLUSH_ALL).
 */
extern unsigned long host_arch_tlb_shootdowns;
extern unsigned long host_arch_tlb_shootdown_alls;
/* The fake translation root (satp.PPN as an address); 0 at start. */
extern paddr_t host_arch_root;

/*
 * arch_tlb_is_local()'s answer (mm/tests/include/asm/mmu.h): false, as
 * with several harts online, unless a test sets it to play the one-hart
 * kernel.
 */
extern bool host_arch_tlb_local;

/* Zero the fence counters, forget both logs, clear host_arch_tlb_local. */
void host_arch_tlb_reset(void);

/*
 * True when va's page was invalidated on this "hart" or on every hart
 * since the last reset: a local page fence of it, a local full fence, a
 * shootdown whose range holds va, or a shootdown of everything. The
 * logs hold HOST_ARCH_TLB_LOG_SIZE entries each; past that the answer
 * is a conservative "false" for entries that did not fit.
 */
#define HOST_ARCH_TLB_LOG_SIZE 4096
bool host_arch_tlb_was_flushed(vaddr_t va);

/* True when va's page was in some shootdown (of a range, or of all). */
bool host_arch_tlb_was_shot_down(vaddr_t va);

/*
 * The i-th shootdown since the reset (0 is the first): its va and size
 * (TLB_FLUSH_ALL for everything). False when there was no such call or
 * it did not fit in the log.
 */
bool host_arch_tlb_shootdown_at(unsigned long i, vaddr_t *va, size_t *size);

/*
 * Called at the start of every arch_tlb_shootdown() when set (tests use
 * it to see what was already freed when the fence ran). Runs on the
 * calling thread.
 */
extern void (*host_arch_tlb_shootdown_hook)(vaddr_t va, size_t size);

/* ------------------------------------------------ fake physical memory */

/*
 * Allocate size bytes of host memory (zeroed, aligned to the largest
 * buddy block, PAGE_SIZE << MAX_ORDER, as the linear map keeps RAM on
 * the target) to stand for physical [base, base + size) and point
 * va_pa_offset at it, so
 * phys_to_virt(base) is the buffer. The linear map's 1 GiB congruence
 * does not hold on the host, which matters to nobody here: host tests
 * never map the linear map through the MMU. base and size must be
 * page-aligned; aborts if memory is short or one is already set up.
 */
void *host_phys_init(paddr_t base, size_t size);

/*
 * host_phys_init(base, size), then memblock and the buddy allocator over
 * all of it: the set-up every test of an allocator above buddy needs.
 * The environment variable BUDDY_POLICY (binary, fibonacci, weighted,
 * tertiary) picks the buddy policy, so that a suite can run under each.
 * Once per process (buddy_init_from_memblock() closes memblock).
 */
void host_phys_init_buddy(paddr_t base, size_t size);
/* Release the buffer and reset va_pa_offset to 0. */
void host_phys_fini(void);
/* True when [pa, pa + size) lies inside the fake physical memory. */
bool host_phys_contains(paddr_t pa, size_t size);

/* -------------------------------------------- page-table page allocator */

/*
 * Hands out zeroed pages from [base, base + npages * PAGE_SIZE) of the
 * fake physical memory, lowest free first, under a mutex (the counters
 * below are read by tests once other threads are done). Pages not
 * handed out are poisoned for ASan, so a stale pointer into a freed
 * table is reported at the faulting access. Keeps each page's
 * valid-entry counter (ops.used) in pt_used[]; a test may set
 * pool.ops.used to NULL before pt_init() to test the scanning fallback.
 * Pass &pool->ops to pt_init().
 */
struct host_pt_pool {
	struct pt_alloc ops;
	paddr_t base;
	size_t npages;
	unsigned char *used; /* per page: 1 while handed out */
	/* per page: its valid-entry counter (struct pt_alloc.used) */
	unsigned int *pt_used;
	size_t in_use; /* pages handed out now */
	size_t peak; /* largest in_use seen */
	unsigned long allocs; /* successful allocations */
	unsigned long frees; /* accepted frees */
	unsigned long fail_after; /* successes left before failing */
	unsigned long failed; /* allocations refused (injected or full) */
	unsigned long bad_frees; /* double or foreign frees (refused) */
	pthread_mutex_t lock; /* threads may allocate concurrently */
};

#define HOST_PT_POOL_NEVER_FAIL (~0UL)

/* Set up a pool over npages pages at base (inside host_phys memory). */
void host_pt_pool_init(struct host_pt_pool *pool, paddr_t base, size_t npages);
/* Tear down; pages still handed out are simply forgotten. */
void host_pt_pool_fini(struct host_pt_pool *pool);

/*
 * Page-table pages from the buddy allocator, as the kernel takes them
 * (zeroed order-0 pages, the valid-entry counter in their struct page):
 * pass &host_pt_buddy_ops to pt_init(). After host_pt_fail_after more
 * pages it refuses (PADDR_INVALID); HOST_PT_POOL_NEVER_FAIL, the
 * default, never.
 */
extern unsigned long host_pt_fail_after;
extern const struct pt_alloc host_pt_buddy_ops;

/* Free pages in the buddy allocator, per-hart lists included. */
uint64_t host_buddy_free_pages(void);

/*
 * For the vmalloc tests: fresh fake RAM [base, base + size), the buddy
 * allocator over it, *pt (pages from host_pt_buddy_ops, never failing)
 * and vmalloc over [VMALLOC_START, VMALLOC_START + 1 GiB). Whatever an
 * earlier case left up is torn down first. 0, or -1 if a step failed.
 * host_vmalloc_teardown() undoes whatever of it is up.
 */
int host_vmalloc_setup(struct pgtable *pt, paddr_t base, size_t size);
void host_vmalloc_teardown(struct pgtable *pt);

#endif /* MM_TESTS_HOST_ARCH_H */
