// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host implementation of mm/arch.h (Sv39 PTE encoding, a counting TLB
 * that tells local fences from shootdowns, a fake root register), fake
 * physical memory and a page-table page pool for host tests, safe to
 * call from several threads. See mm/tests/host_arch.h.
 */
#include "mm/tests/host_arch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/assert.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "mm/buddy.h"
#include "mm/linear.h"
#include "mm/memblock.h"
#include "mm/vmalloc.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define HOST_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define HOST_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define HOST_POISON(p, n) ((void)(p), (void)(n))
#define HOST_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define HOST_PA_LIMIT (1UL << (HOST_PTE_PPN_BITS + PAGE_SHIFT))

/* Poison written over pool pages when they are freed. */
#define HOST_PT_POOL_POISON 0x6b

/* ---------------------------------------------------------------- PTEs */

static pte_t host_pte_ppn(paddr_t pa)
{
	VERIFY3U(pa & ~PAGE_MASK, ==, 0);
	VERIFY3U(pa, <, HOST_PA_LIMIT);
	return (pa >> PAGE_SHIFT) << HOST_PTE_PPN_SHIFT;
}

STATIC_ASSERT(PROT_READ == RISCV_PTE_PROT_READ &&
	      PROT_WRITE == RISCV_PTE_PROT_WRITE &&
	      PROT_EXEC == RISCV_PTE_PROT_EXEC &&
	      PROT_GLOBAL == RISCV_PTE_PROT_GLOBAL &&
	      PROT_DEVICE == RISCV_PTE_PROT_DEVICE);

struct riscv_pte_mattr pte_mattr;
pte_t pte_leaf_bits[RISCV_PTE_PROT_VALUES];

void host_arch_set_mattr(const struct riscv_pte_mattr *m)
{
	pte_mattr = *m;
	riscv_pte_leaf_table_fill(pte_leaf_bits, &pte_mattr);
}

__attribute__((constructor)) static void host_arch_mattr_init(void)
{
	struct riscv_pte_mattr svpbmt = riscv_pte_mattr_of(RISCV_MATTR_SVPBMT);

	host_arch_set_mattr(&svpbmt);
}

/* The target's fast path, checked against the reference on every call. */
pte_t host_pte_leaf(paddr_t pa, unsigned int prot)
{
	pte_t pte = riscv_pte_leaf_fast(pa, prot, pte_leaf_bits);

	host_pte_ppn(pa);
	/* R=0 W=1 is reserved in RISC-V; a leaf needs R or X. */
	VERIFY(prot & (PROT_READ | PROT_EXEC));
	VERIFY(!(prot & PROT_WRITE) || (prot & PROT_READ));
	VERIFY3U(prot, <, RISCV_PTE_PROT_VALUES);
	VERIFY3U(pte, ==, riscv_pte_leaf(pa, prot, &pte_mattr));
	return pte;
}

/*
 * The target's table load, checked: prot in range, the entry 0 exactly
 * for the values no leaf may have, else the reference's bits.
 */
pte_t host_pte_leaf_bits(unsigned int prot)
{
	VERIFY3U(prot, <, RISCV_PTE_PROT_VALUES);
	if (!riscv_pte_prot_is_leaf(prot))
		VERIFY3U(pte_leaf_bits[prot], ==, 0);
	else
		VERIFY3U(pte_leaf_bits[prot], ==,
			 riscv_pte_leaf(0, prot, &pte_mattr));
	return pte_leaf_bits[prot];
}

/* The one-shift PPN: pa aligned and in range, bits a leaf's. */
pte_t host_pte_leaf_of(paddr_t pa, pte_t bits)
{
	pte_t pte = riscv_pte_leaf_of(pa, bits);

	VERIFY3U(bits & PTE_V, !=, 0);
	VERIFY3U(pte, ==, host_pte_ppn(pa) | bits);
	return pte;
}

pte_t host_pte_table(paddr_t pa)
{
	host_pte_ppn(pa);
	return riscv_pte_table(pa);
}

bool host_pte_is_valid(pte_t pte)
{
	return pte & PTE_V;
}

bool host_pte_is_leaf(pte_t pte)
{
	return (pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X));
}

paddr_t host_pte_paddr(pte_t pte)
{
	return riscv_pte_paddr(pte);
}

unsigned int host_pte_prot(pte_t pte)
{
	return riscv_pte_prot(pte, &pte_mattr);
}

static void host_count(unsigned long *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------- cross-hart calls */

/*
 * arch_call_each_cpu() on the host, where threads stand in for harts
 * and lib/tests/host_cpu.c models their interrupts (its theory comment
 * says how). The request in flight is host_call: its requester holds
 * host_call.lock (a lib spinlock, whose waiters serve requests in
 * cpu_relax), bumps host_cpu_ipi_gen, runs its own share, then, for
 * every cpu number other than its own, waits until that number's
 * host_cpu_ipi_done[] equals the new generation: its thread
 * serves the request when it turns interrupts on or spins with them
 * off; a number whose state is HOST_IRQ_ON is served by the requester
 * on its behalf. Every cpu number is visited (up to NR_CPUS), whether a
 * thread holds it or not: an unused one is an idle hart, and serving
 * it costs a call of fn on its (usually empty) caches.
 */
static struct {
	spinlock_t lock;
	void (*fn)(void *arg);
	void *arg;
} host_call = { .lock = SPINLOCK_INIT("host_call") };

unsigned long host_arch_cpu_calls;
unsigned long host_arch_cpu_proxied;

/* The IPI hook: serve the calling thread's pending request (irqs off). */
static void host_call_serve(void)
{
	unsigned int me = cpu_id();
	unsigned long gen =
		__atomic_load_n(&host_cpu_ipi_gen, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&host_cpu_ipi_done[me], __ATOMIC_RELAXED) == gen)
		return;
	host_call.fn(host_call.arg);
	__atomic_store_n(&host_cpu_ipi_done[me], gen, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void host_call_init(void)
{
	__atomic_store_n(&host_cpu_ipi_hook, host_call_serve, __ATOMIC_RELEASE);
}

/* Serve cpu's share if its interrupts are on; true if served (or done). */
static bool host_call_proxy(unsigned int cpu, unsigned long gen)
{
	unsigned int want = HOST_IRQ_ON, me;

	if (!__atomic_compare_exchange_n(&host_cpu_irq_state[cpu], &want,
					 HOST_IRQ_PROXY, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	if (__atomic_load_n(&host_cpu_ipi_done[cpu], __ATOMIC_ACQUIRE) != gen) {
		me = host_cpu_impersonate(cpu);
		host_call.fn(host_call.arg);
		host_cpu_impersonate(me);
		__atomic_store_n(&host_cpu_ipi_done[cpu], gen,
				 __ATOMIC_RELEASE);
		host_count(&host_arch_cpu_proxied);
	}
	__atomic_store_n(&host_cpu_irq_state[cpu], HOST_IRQ_ON,
			 __ATOMIC_RELEASE);
	return true;
}

void arch_call_each_cpu(void (*fn)(void *arg), void *arg)
{
	unsigned long flags = cpu_irq_save(), gen;
	unsigned int me = cpu_id();

#ifdef HOST_BENCH
	/* No interrupt model here (lib/tests/host_cpu.c): one thread only. */
	if (host_cpu_nr_live() != 1) {
		fprintf(stderr,
			"host_arch: arch_call_each_cpu with %u threads "
			"alive in the benchmark build, which does not "
			"model interrupts\n",
			host_cpu_nr_live());
		abort();
	}
#endif

	spin_lock(&host_call.lock);
	host_count(&host_arch_cpu_calls);
	host_call.fn = fn;
	host_call.arg = arg;
	gen = host_cpu_ipi_gen + 1;
	__atomic_store_n(&host_cpu_ipi_gen, gen, __ATOMIC_RELEASE);
	__atomic_store_n(&host_cpu_ipi_done[me], gen, __ATOMIC_RELAXED);
	fn(arg);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		unsigned long spins = 0;

		if (cpu == me)
			continue;
		while (__atomic_load_n(&host_cpu_ipi_done[cpu],
				       __ATOMIC_ACQUIRE) != gen &&
		       !host_call_proxy(cpu, gen)) {
			if (++spins % SPIN_YIELD_EVERY)
				cpu_relax();
			else
				cpu_yield();
		}
	}
	spin_unlock(&host_call.lock);
	cpu_irq_restore(flags);
}

/* ----------------------------------------------------------------- TLB */

/*
 * Counters and logs are written with atomics by any thread (each log
 * slot is claimed with a fetch-and-add on its length, so writers never
 * share a slot); readers run when the writers are done (see the header).
 */
unsigned long host_arch_tlb_flushes;
unsigned long host_arch_tlb_flush_alls;
unsigned long host_arch_tlb_shootdowns;
unsigned long host_arch_tlb_shootdown_alls;
paddr_t host_arch_root;
bool host_arch_tlb_local;
void (*host_arch_tlb_shootdown_hook)(vaddr_t va, size_t size);

struct host_tlb_range {
	vaddr_t va;
	size_t size;
};

static vaddr_t host_tlb_log[HOST_ARCH_TLB_LOG_SIZE];
static size_t host_tlb_log_len;
static struct host_tlb_range host_sd_log[HOST_ARCH_TLB_LOG_SIZE];
static size_t host_sd_log_len;

void host_arch_tlb_reset(void)
{
	host_arch_tlb_flushes = 0;
	host_arch_tlb_flush_alls = 0;
	host_arch_tlb_shootdowns = 0;
	host_arch_tlb_shootdown_alls = 0;
	host_tlb_log_len = 0;
	host_sd_log_len = 0;
	host_arch_tlb_local = false;
}

bool host_arch_tlb_was_shot_down(vaddr_t va)
{
	size_t n = MIN(host_sd_log_len, (size_t)HOST_ARCH_TLB_LOG_SIZE);

	if (host_arch_tlb_shootdown_alls)
		return true;
	va &= PAGE_MASK;
	for (size_t i = 0; i < n; i++)
		if (va >= host_sd_log[i].va &&
		    va - host_sd_log[i].va < host_sd_log[i].size)
			return true;
	return false;
}

bool host_arch_tlb_was_flushed(vaddr_t va)
{
	size_t n = MIN(host_tlb_log_len, (size_t)HOST_ARCH_TLB_LOG_SIZE);

	if (host_arch_tlb_flush_alls || host_arch_tlb_was_shot_down(va))
		return true;
	for (size_t i = 0; i < n; i++)
		if (host_tlb_log[i] == (va & PAGE_MASK))
			return true;
	return false;
}

bool host_arch_tlb_shootdown_at(unsigned long i, vaddr_t *va, size_t *size)
{
	if (i >= host_sd_log_len || i >= HOST_ARCH_TLB_LOG_SIZE)
		return false;
	*va = host_sd_log[i].va;
	*size = host_sd_log[i].size;
	return true;
}

void host_tlb_flush_page(vaddr_t va)
{
	size_t i;

	/* sfence.vma takes any address; a non-canonical one is a bug here. */
	VERIFY(pt_va_is_canonical(va));
	host_count(&host_arch_tlb_flushes);
	i = __atomic_fetch_add(&host_tlb_log_len, 1, __ATOMIC_RELAXED);
	if (i < HOST_ARCH_TLB_LOG_SIZE)
		host_tlb_log[i] = va & PAGE_MASK;
}

void arch_tlb_flush_all(void)
{
	host_count(&host_arch_tlb_flush_alls);
}

void arch_tlb_shootdown(vaddr_t va, size_t size)
{
	size_t i;

	/* SBI RFENCE's arguments: a page-aligned, canonical, non-empty range. */
	if (size != TLB_FLUSH_ALL) {
		VERIFY3U((va | size) & ~PAGE_MASK, ==, 0);
		VERIFY(size != 0 && va + size - 1 >= va);
		VERIFY(pt_va_is_canonical(va) &&
		       pt_va_is_canonical(va + size - 1));
	}
	if (host_arch_tlb_shootdown_hook)
		host_arch_tlb_shootdown_hook(va, size);
	host_count(&host_arch_tlb_shootdowns);
	if (size == TLB_FLUSH_ALL)
		host_count(&host_arch_tlb_shootdown_alls);
	i = __atomic_fetch_add(&host_sd_log_len, 1, __ATOMIC_RELAXED);
	if (i < HOST_ARCH_TLB_LOG_SIZE)
		host_sd_log[i] = (struct host_tlb_range){ va, size };
}

paddr_t arch_set_root(paddr_t root)
{
	paddr_t old = host_arch_root;

	VERIFY3U(root & ~PAGE_MASK, ==, 0);
	host_arch_root = root;
	return old;
}

paddr_t arch_get_root(void)
{
	return host_arch_root;
}

/* ------------------------------------------------ fake physical memory */

static void *host_phys_buf;
static paddr_t host_phys_base;
static size_t host_phys_size;

void *host_phys_init(paddr_t base, size_t size)
{
	if (host_phys_buf || !size || (base | size) & ~PAGE_MASK) {
		fprintf(stderr,
			"host_phys_init: bad call base 0x%llx size 0x%zx"
			" (already set up: %d)\n",
			(unsigned long long)base, size, host_phys_buf != NULL);
		abort();
	}
	if (posix_memalign(&host_phys_buf, PAGE_SIZE << MAX_ORDER, size))
		host_phys_buf = NULL;
	if (!host_phys_buf) {
		fprintf(stderr, "host_phys_init: no memory for 0x%zx bytes\n",
			size);
		abort();
	}
	memset(host_phys_buf, 0, size);
	host_phys_base = base;
	host_phys_size = size;
	va_pa_offset = (uint64_t)(uintptr_t)host_phys_buf - base;
	return host_phys_buf;
}

void host_phys_init_buddy(paddr_t base, size_t size)
{
	const char *policy = getenv("BUDDY_POLICY");

	if (policy && buddy_select_policy(buddy_policy_lookup(policy))) {
		fprintf(stderr,
			"host_phys_init_buddy: BUDDY_POLICY=%s: no such "
			"policy\n",
			policy);
		abort();
	}
	host_phys_init(base, size);
	memblock_reset();
	if (memblock_add(base, base + size)) {
		fprintf(stderr, "host_phys_init_buddy: memblock_add failed\n");
		abort();
	}
	buddy_init_from_memblock();
}

void host_phys_fini(void)
{
	if (!host_phys_buf)
		return;
	HOST_UNPOISON(host_phys_buf, host_phys_size);
	free(host_phys_buf);
	host_phys_buf = NULL;
	host_phys_base = 0;
	host_phys_size = 0;
	va_pa_offset = 0;
}

bool host_phys_contains(paddr_t pa, size_t size)
{
	return host_phys_buf && pa >= host_phys_base &&
	       size <= host_phys_size &&
	       pa - host_phys_base <= host_phys_size - size;
}

/* -------------------------------------------- page-table page allocator */

static paddr_t host_pt_pool_alloc(void *ctx)
{
	struct host_pt_pool *pool = ctx;
	void *va;

	pthread_mutex_lock(&pool->lock);
	if (pool->fail_after == 0)
		goto refuse;
	for (size_t i = 0; i < pool->npages; i++) {
		if (pool->used[i])
			continue;
		pool->used[i] = 1;
		if (pool->fail_after != HOST_PT_POOL_NEVER_FAIL)
			pool->fail_after--;
		pool->allocs++;
		if (++pool->in_use > pool->peak)
			pool->peak = pool->in_use;
		va = phys_to_virt(pool->base + i * PAGE_SIZE);
		HOST_UNPOISON(va, PAGE_SIZE);
		memset(va, 0, PAGE_SIZE);
		pthread_mutex_unlock(&pool->lock);
		return pool->base + i * PAGE_SIZE;
	}
refuse:
	pool->failed++;
	pthread_mutex_unlock(&pool->lock);
	return PADDR_INVALID;
}

static void host_pt_pool_free(void *ctx, paddr_t pa)
{
	struct host_pt_pool *pool = ctx;
	size_t i = (pa - pool->base) >> PAGE_SHIFT;
	bool ours = pa >= pool->base && !(pa & ~PAGE_MASK) && i < pool->npages;
	void *va;

	pthread_mutex_lock(&pool->lock);
	if (!ours || !pool->used[i]) {
		printk("BUG host_pt_pool: bad free pa 0x%llx (pool 0x%llx, "
		       "%zu pages): %s\n",
		       (unsigned long long)pa, (unsigned long long)pool->base,
		       pool->npages,
		       ours ? "double free" : "not from this pool");
		pool->bad_frees++;
		pthread_mutex_unlock(&pool->lock);
		return;
	}
	pool->used[i] = 0;
	pool->in_use--;
	pool->frees++;
	va = phys_to_virt(pa);
	memset(va, HOST_PT_POOL_POISON, PAGE_SIZE);
	HOST_POISON(va, PAGE_SIZE);
	pthread_mutex_unlock(&pool->lock);
}

/* struct pt_alloc.used: the pool keeps one counter per page. */
static unsigned int *host_pt_pool_used(void *ctx, paddr_t pa)
{
	struct host_pt_pool *pool = ctx;
	size_t i = (pa - pool->base) >> PAGE_SHIFT;

	VERIFY(pa >= pool->base && i < pool->npages && pool->used[i]);
	return &pool->pt_used[i];
}

void host_pt_pool_init(struct host_pt_pool *pool, paddr_t base, size_t npages)
{
	VERIFY(host_phys_contains(base, npages * PAGE_SIZE));
	memset(pool, 0, sizeof(*pool));
	pool->ops.alloc = host_pt_pool_alloc;
	pool->ops.free = host_pt_pool_free;
	pool->ops.used = host_pt_pool_used;
	pool->ops.ctx = pool;
	pool->base = base;
	pool->npages = npages;
	pool->fail_after = HOST_PT_POOL_NEVER_FAIL;
	pool->used = calloc(npages, 1);
	VERIFY(pool->used != NULL);
	pool->pt_used = calloc(npages, sizeof(*pool->pt_used));
	VERIFY(pool->pt_used != NULL);
	VERIFY(pthread_mutex_init(&pool->lock, NULL) == 0);
	HOST_POISON(phys_to_virt(base), npages * PAGE_SIZE);
}

void host_pt_pool_fini(struct host_pt_pool *pool)
{
	if (host_phys_contains(pool->base, pool->npages * PAGE_SIZE))
		HOST_UNPOISON(phys_to_virt(pool->base),
			      pool->npages * PAGE_SIZE);
	free(pool->used);
	pool->used = NULL;
	free(pool->pt_used);
	pool->pt_used = NULL;
	pool->npages = 0;
	pthread_mutex_destroy(&pool->lock);
}

/* ------------------------------------- table pages from the buddy */

unsigned long host_pt_fail_after = HOST_PT_POOL_NEVER_FAIL;

static paddr_t buddy_pt_alloc(void *ctx)
{
	struct page *page;

	(void)ctx;
	if (host_pt_fail_after == 0)
		return PADDR_INVALID;
	if (host_pt_fail_after != HOST_PT_POOL_NEVER_FAIL)
		host_pt_fail_after--;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, 0);
	return page ? pfn_to_paddr(page_to_pfn(page)) : PADDR_INVALID;
}

static void buddy_pt_free(void *ctx, paddr_t pa)
{
	(void)ctx;
	__free_page(pfn_to_page(paddr_to_pfn(pa)));
}

/* The counter is in the table page's struct page, as on the target. */
static unsigned int *buddy_pt_used(void *ctx, paddr_t pa)
{
	(void)ctx;
	return &pfn_to_page(paddr_to_pfn(pa))->pt_used;
}

const struct pt_alloc host_pt_buddy_ops = { buddy_pt_alloc, buddy_pt_free,
					    buddy_pt_used, NULL };

static bool host_vmalloc_phys_up;

void host_vmalloc_teardown(struct pgtable *pt)
{
	vmalloc_destroy();
	if (pt->root != PADDR_INVALID && pt->table_pages)
		pt_destroy(pt);
	if (host_vmalloc_phys_up)
		host_phys_fini();
	host_vmalloc_phys_up = false;
}

int host_vmalloc_setup(struct pgtable *pt, paddr_t base, size_t size)
{
	host_vmalloc_teardown(pt); /* after a case that stopped early */
	host_phys_init(base, size);
	host_vmalloc_phys_up = true;
	memblock_reset();
	if (memblock_add(base, base + size))
		return -1;
	buddy_init_from_memblock();
	host_pt_fail_after = HOST_PT_POOL_NEVER_FAIL;
	if (pt_init(pt, &host_pt_buddy_ops))
		return -1;
	return vmalloc_init(pt, VMALLOC_START, VMALLOC_START + (1UL << 30));
}

uint64_t host_buddy_free_pages(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return st.free;
}
