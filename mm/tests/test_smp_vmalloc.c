// SPDX-License-Identifier: BSD-2-Clause
/*
 * Concurrency tests of mm/vmem.c, mm/pgtable.c and mm/vmalloc.c: POSIX
 * threads stand in for harts (lib/tests/host_cpu.c) over the real buddy
 * allocator and fake physical memory, set up once per process. The
 * Makefile builds this file twice, with ASan and UBSan
 * (BUILD/host/mm/tests/test_smp_vmalloc) and with ThreadSanitizer
 * (BUILD/tsan/mm/tests/test_smp_vmalloc); both must pass and TSan must
 * report nothing.
 *
 * Every worker records its failures in its own counters and the main
 * thread checks them after the join (ktest's state is not the workers'
 * to touch). Ranges and areas move between threads through an exchange
 * array of atomic words (acquire-release exchanges), so many are freed
 * by another thread than the one that allocated them. Overlaps are
 * caught by an ownership map (one atomic byte per page or quantum) that
 * an allocation claims with compare-and-swap and a free clears before
 * it frees; vmalloc areas also carry their owner's pattern in every
 * page, read back (through the page table) before the vfree.
 *
 * Operations per storm, all threads together (an operation is one
 * allocation or one free): SMP_VMEM_OPS, SMP_PT_OPS, SMP_VMALLOC_OPS
 * from the environment, else VMEM_OPS (1,000,000 in both builds),
 * PT_OPS (1,200,000; 300,000 under ThreadSanitizer) and VMALLOC_OPS
 * (1,000,000; 200,000 under ThreadSanitizer, which slows vmalloc's
 * page-table and buddy work down about tenfold: about 20 s there on an
 * idle 2-CPU host, the whole binary about 90 s). KTEST_OPS_PERCENT
 * scales the defaults (lib/tests/host_ktest.h): `make test` runs 20 %.
 *
 * Each worker is pinned to a CPU and workers sharing one take turns
 * every HOST_GATE_BATCH operations (mm/tests/host_smp.h): without that, a
 * ticket-lock convoy behind a descheduled thread made this binary take
 * over 300 s instead of 23 s beside one busy QEMU run.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/rand.h"
#include "lib/spinlock.h"
#include "lib/tests/host_ktest.h"
#include "mm/buddy.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/pgtable.h"
#include "mm/tests/host_arch.h"
#include "mm/tests/host_smp.h"
#include "mm/vmalloc.h"
#include "mm/vmem.h"

#define FAKE_BASE 0x80000000UL
#define FAKE_SIZE (128UL << 20)

#define NTHREADS 4
#define NSLOTS 512 /* exchange slots */
#define VMEM_OPS 1000000UL
#ifdef __SANITIZE_THREAD__
#define PT_OPS 300000UL
#define VMALLOC_OPS 200000UL
#else
#define PT_OPS 1200000UL
#define VMALLOC_OPS 1000000UL
#endif
#define CHECK_EVERY 32768 /* thread 0's ops between checks */

/* ------------------------------------------------------------ fixture */

static struct pgtable pt;

/* Page-table pages from the (locked) buddy allocator, as on the target. */
static paddr_t smp_pt_alloc(void *ctx)
{
	struct page *page =
		alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, 0);

	(void)ctx;
	return page ? pfn_to_paddr(page_to_pfn(page)) : PADDR_INVALID;
}

static void smp_pt_free(void *ctx, paddr_t pa)
{
	(void)ctx;
	__free_page(pfn_to_page(paddr_to_pfn(pa)));
}

/* The counter is in the table page's struct page, as on the target. */
static unsigned int *smp_pt_used(void *ctx, paddr_t pa)
{
	(void)ctx;
	return &pfn_to_page(paddr_to_pfn(pa))->pt_used;
}

static const struct pt_alloc smp_pt_ops = { smp_pt_alloc, smp_pt_free,
					    smp_pt_used, NULL };

static unsigned long buddy_free_pages(void)
{
	struct buddy_stats st;

	buddy_stats(&st);
	return st.free;
}

/* One fake RAM and buddy allocator per process. */
static int suite_init(void)
{
	host_phys_init_buddy(FAKE_BASE, FAKE_SIZE);
	return pt_init(&pt, &smp_pt_ops);
}

static void suite_exit(void)
{
	pt_destroy(&pt);
}

/* ----------------------------------------------------------- workers */

static pthread_barrier_t start_line;

/* Things in flight between threads: 0 is an empty slot. */
static uint64_t slots[NSLOTS];

static uint64_t slot_swap(struct rand_state *r, uint64_t v)
{
	/* acq_rel: the receiver sees what the sender wrote before. */
	return __atomic_exchange_n(&slots[rand_below(r, NSLOTS)], v,
				   __ATOMIC_ACQ_REL);
}

struct worker {
	pthread_t thread;
	unsigned int id; /* 0 .. NTHREADS - 1 */
	unsigned long target; /* operations to do */
	unsigned long ops, allocs, frees, cross;
	unsigned long alloc_fail; /* an allocation refused */
	unsigned long overlap; /* a range or page handed out twice */
	unsigned long corrupt; /* contents or sizes not as left */
	unsigned long check_fail; /* a concurrent checker complained */
	unsigned long other_fail; /* anything else */
	unsigned long turn_ops; /* ops at the last turn at the CPU gate */
	unsigned int cpu; /* its CPU and gate (mm/tests/host_smp.h) */
};

/* Start together, then wait for a first turn on this worker's CPU. */
static void worker_start(struct worker *w)
{
	pthread_barrier_wait(&start_line);
	host_cpu_enter(w->cpu);
}

static void run_workers(struct worker *w, void *(*fn)(void *),
			unsigned long total_ops)
{
	unsigned int ncpu = host_cpus_begin(NTHREADS);

	memset(slots, 0, sizeof(slots));
	pthread_barrier_init(&start_line, NULL, NTHREADS);
	for (unsigned int i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].cpu = i % ncpu;
		w[i].target = total_ops / NTHREADS;
		pthread_create(&w[i].thread, NULL, fn, &w[i]);
	}
	for (unsigned int i = 0; i < NTHREADS; i++)
		pthread_join(w[i].thread, NULL);
	pthread_barrier_destroy(&start_line);
	host_cpus_end();
}

static void expect_clean_workers(struct ktest *t, const struct worker *w)
{
	for (unsigned int i = 0; i < NTHREADS; i++) {
		KTEST_EXPECT_EQ(t, w[i].alloc_fail, 0);
		KTEST_EXPECT_EQ(t, w[i].overlap, 0);
		KTEST_EXPECT_EQ(t, w[i].corrupt, 0);
		KTEST_EXPECT_EQ(t, w[i].check_fail, 0);
		KTEST_EXPECT_EQ(t, w[i].other_fail, 0);
	}
}

static void report_totals(struct ktest *t, const struct worker *w,
			  unsigned long *ops, unsigned long *frees,
			  unsigned long *cross)
{
	*ops = *frees = *cross = 0;
	for (unsigned int i = 0; i < NTHREADS; i++) {
		*ops += w[i].ops;
		*frees += w[i].frees;
		*cross += w[i].cross;
	}
	ktest_info(t, "%lu operations, %lu frees, %lu by another thread", *ops,
		   *frees, *cross);
}

/*
 * The ownership map: one byte per unit, 0 when free. Claiming a run
 * that holds any non-zero byte is an overlap (the units claimed so far
 * are kept: the range is reported, not freed twice).
 */
static uint8_t *own_map;

static bool own_claim(size_t first, size_t n, uint8_t tag)
{
	for (size_t i = first; i < first + n; i++) {
		uint8_t want = 0;

		if (!__atomic_compare_exchange_n(&own_map[i], &want, tag, false,
						 __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED))
			return false;
	}
	return true;
}

static bool own_release(size_t first, size_t n, uint8_t tag)
{
	bool ok = true;

	for (size_t i = first; i < first + n; i++)
		if (__atomic_exchange_n(&own_map[i], 0, __ATOMIC_RELAXED) !=
		    tag)
			ok = false;
	return ok;
}

/* ------------------------------------------------ (a) vmem storm */

#define VQ 0x1000UL /* quantum */
#define VBASE 0x100000000UL
#define VQUANTA (1UL << 20) /* a 4 GiB arena */

static struct vmem storm_arena;
static struct vmem_seg storm_seed[64];
static unsigned long chunks_out;

static void *storm_refill(void *ctx)
{
	void *p = aligned_alloc(VMEM_REFILL_SIZE, VMEM_REFILL_SIZE);

	(void)ctx;
	if (p)
		__atomic_fetch_add(&chunks_out, 1, __ATOMIC_RELAXED);
	return p;
}

static void storm_release(void *ctx, void *mem)
{
	(void)ctx;
	__atomic_fetch_sub(&chunks_out, 1, __ATOMIC_RELAXED);
	free(mem);
}

/* A slot word: quantum offset << 24 | size in quanta << 4 | owner + 1. */
static uint64_t vmem_word(vaddr_t addr, size_t q, unsigned int owner)
{
	return (uint64_t)((addr - VBASE) / VQ) << 24 | (uint64_t)q << 4 |
	       (owner + 1);
}

static void vmem_free_word(struct worker *w, uint64_t v)
{
	vaddr_t addr = VBASE + (v >> 24) * VQ;
	size_t q = (v >> 4) & 0xfffff, size = 0;

	if (!own_release((addr - VBASE) / VQ, q, (uint8_t)(v & 0xf)))
		w->overlap++;
	if (vmem_free(&storm_arena, addr, &size) || size != q * VQ)
		w->corrupt++;
	w->frees++;
	if ((v & 0xf) != w->id + 1)
		w->cross++;
}

static const size_t storm_aligns[] = { 0, VQ, 2 * VQ, 8 * VQ, 64 * VQ };

static void *vmem_worker(void *arg)
{
	struct worker *w = arg;
	struct rand_state r;

	rand_seed(&r, 0x766d656dUL + w->id);
	worker_start(w);
	while (w->ops < w->target) {
		host_cpu_turn_every(w->cpu, w->ops, &w->turn_ops);
		uint64_t v = slot_swap(&r, 0);

		if (v) {
			vmem_free_word(w, v);
		} else {
			size_t q = rand_below(&r, 8) ? 1 + rand_below(&r, 16)
						     : 1 + rand_below(&r, 1024);
			size_t align = storm_aligns[rand_below(
				&r, ARRAY_SIZE(storm_aligns))];
			vaddr_t addr;

			/* Now and then one bytes short: rounded up. */
			if (vmem_xalloc(&storm_arena,
					q * VQ - (rand_below(&r, 4) ? 0 : 7),
					align, NULL, &addr)) {
				w->alloc_fail++;
			} else {
				w->allocs++;
				if ((align && (addr & (align - 1))) ||
				    addr < VBASE ||
				    addr + q * VQ > VBASE + VQUANTA * VQ)
					w->corrupt++;
				if (!own_claim((addr - VBASE) / VQ, q,
					       (uint8_t)(w->id + 1)))
					w->overlap++;
				v = slot_swap(&r, vmem_word(addr, q, w->id));
				if (v) {
					vmem_free_word(w, v);
					w->ops++;
				}
			}
		}
		w->ops++;
		/* Readers and the checker run among the writers. */
		if (w->id == 0 && w->ops % CHECK_EVERY == 0 &&
		    vmem_check(&storm_arena))
			w->check_fail++;
		if (w->id == 1 && w->ops % 16 == 0)
			vmem_lookup(&storm_arena,
				    VBASE + rand_below(&r, VQUANTA) * VQ, NULL,
				    NULL, NULL);
	}
	host_cpu_leave(w->cpu);
	return NULL;
}

/*
 * Scenario: 4 threads share one arena over 4 GiB (4 KiB quantum, a
 * 64-descriptor seed, refills from the C heap) for VMEM_OPS (1,000,000)
 * vmem_xalloc/vmem_free calls: sizes of 1..16 quanta (1 in 8 up to
 * 1024), some a few bytes short of a quantum, alignments from none to
 * 64 quanta, frees of whatever an exchange slot held (often another
 * thread's), vmem_check every 32768 operations on one thread and
 * vmem_lookup of random addresses on another. Expect no allocation
 * refused, every range aligned, in the arena and overlapping no live
 * range (ownership map), every free returning the size allocated,
 * vmem_check clean during and after, and after freeing the rest an
 * arena of one free segment with every descriptor conserved and every
 * refill chunk given back by vmem_destroy; no spinlock misuse.
 */
static void smp_vmem_storm(struct ktest *t)
{
	const struct vmem_seg_source src = { storm_seed, ARRAY_SIZE(storm_seed),
					     storm_refill, storm_release,
					     NULL };
	struct worker w[NTHREADS];
	unsigned long ops, frees, cross, spin0 = spin_bug_count();
	struct vmem_stats st;
	struct worker drain = { .id = NTHREADS };

	own_map = calloc(VQUANTA, 1);
	KTEST_ASSERT_NOT_NULL(t, own_map);
	KTEST_ASSERT_EQ(
		t,
		vmem_init(&storm_arena, "storm", VBASE, VQUANTA * VQ, VQ, &src),
		0);
	run_workers(w, vmem_worker, ktest_host_count("SMP_VMEM_OPS", VMEM_OPS));
	for (unsigned int i = 0; i < NSLOTS; i++)
		if (slots[i])
			vmem_free_word(&drain, slots[i]);
	expect_clean_workers(t, w);
	KTEST_EXPECT_EQ(t, drain.overlap + drain.corrupt, 0);
	report_totals(t, w, &ops, &frees, &cross);
	KTEST_EXPECT_GE(t, ops,
			ktest_host_count("SMP_VMEM_OPS", VMEM_OPS) - NTHREADS);
	/*
	 * Some frees are of another thread's ranges. The share depends on
	 * how the host schedules the workers: 25 to 55 % in 30 runs beside
	 * two other builds (load 10 on 2 CPUs), and once 7 %, which failed
	 * the 10 % this asked for before; 1 % still proves the crossing.
	 */
	KTEST_EXPECT_GE(t, cross * 100, frees);
	KTEST_EXPECT_EQ(t, vmem_check(&storm_arena), 0);
	vmem_get_stats(&storm_arena, &st);
	KTEST_EXPECT_EQ(t, st.nr_alloc, 0);
	KTEST_EXPECT_EQ(t, st.alloc_bytes, 0);
	KTEST_EXPECT_EQ(t, st.nr_free, 1);
	KTEST_EXPECT_EQ(t, st.alloc_fail, 0);
	KTEST_EXPECT_EQ(t, st.nr_spare + 1, st.nr_desc);
	ktest_info(t, "%zu descriptors (%zu refill chunks)", st.nr_desc,
		   st.nr_refill);
	KTEST_EXPECT_EQ(t, chunks_out, st.nr_refill);
	vmem_destroy(&storm_arena);
	KTEST_EXPECT_EQ(t, chunks_out, 0);
	KTEST_EXPECT_EQ(t, spin_bug_count(), spin0);
	free(own_map);
	own_map = NULL;
}

/* ---------------------------------------------- (b) page-table storm */

/*
 * 16 MiB of the upper half around a 1 GiB boundary; thread i owns the
 * pages whose index is i modulo NTHREADS, so the threads never map the
 * same page but share every table (and create and free them under one
 * another).
 */
#define PT_WINDOW (0xffffffc000000000UL + SZ_1G - 8 * SZ_2M)
#define PT_PAGES (16 * SZ_2M / PAGE_SIZE)
#define PT_FRAME(i) (0x40000000UL + (paddr_t)(i)*PAGE_SIZE)

static uint8_t pt_mapped[PT_PAGES]; /* each page's owner only */

static void *pt_worker(void *arg)
{
	struct worker *w = arg;
	struct rand_state r;
	struct pt_gather g;

	rand_seed(&r, 0x70746162UL + w->id);
	worker_start(w);
	while (w->ops < w->target) {
		host_cpu_turn_every(w->cpu, w->ops, &w->turn_ops);
		size_t i =
			rand_below(&r, PT_PAGES / NTHREADS) * NTHREADS + w->id;
		vaddr_t va = PT_WINDOW + i * PAGE_SIZE;
		paddr_t pa = 0;
		int err;

		switch (rand_below(&r, 8)) {
		case 0: /* a run of this thread's pages through a gather */
			pt_gather_init(&g, &pt);
			for (int k = 0; k < 4; k++, i += NTHREADS) {
				if (i >= PT_PAGES)
					break;
				if (pt_unmap_gather(&g,
						    PT_WINDOW + i * PAGE_SIZE,
						    PAGE_SIZE))
					w->other_fail++;
				if (pt_mapped[i])
					w->frees++;
				pt_mapped[i] = 0;
			}
			pt_gather_finish(&g);
			break;
		case 1: /* look it up */
			err = pt_lookup(&pt, va, &pa, NULL, NULL);
			if (pt_mapped[i] ? err || pa != PT_FRAME(i)
					 : err != -ENOENT)
				w->corrupt++;
			break;
		default:
			if (pt_mapped[i]) {
				if (pt_unmap_page(&pt, va))
					w->other_fail++;
				pt_mapped[i] = 0;
				w->frees++;
			} else {
				err = pt_map_page(&pt, va, PT_FRAME(i),
						  PROT_RW | PROT_GLOBAL);
				if (err == -ENOMEM)
					w->alloc_fail++;
				else if (err)
					w->overlap++;
				else
					pt_mapped[i] = 1;
				w->allocs++;
			}
		}
		w->ops++;
		if (w->id == 0 && w->ops % CHECK_EVERY == 0 && pt_check(&pt))
			w->check_fail++;
	}
	host_cpu_leave(w->cpu);
	return NULL;
}

/*
 * Scenario: 4 threads map and unmap single pages of one shared 16 MiB
 * window (each its own pages, every table shared: tables are created
 * and unlinked under the other threads), look their pages up, and now
 * and then unmap a run through a gather, PT_OPS operations in all
 * (1,200,000; 300,000 under TSan); pt_check every 32768 operations on
 * one thread. Expect every call
 * to succeed, every lookup to agree with what the owner mapped,
 * pt_check clean during and after; after unmapping the rest, only the
 * root left and every table page back in the buddy allocator.
 */
static void smp_pgtable_storm(struct ktest *t)
{
	struct worker w[NTHREADS];
	unsigned long ops, frees, cross;
	unsigned long free0 = buddy_free_pages(), spin0 = spin_bug_count();

	memset(pt_mapped, 0, sizeof(pt_mapped));
	run_workers(w, pt_worker, ktest_host_count("SMP_PT_OPS", PT_OPS));
	expect_clean_workers(t, w);
	report_totals(t, w, &ops, &frees, &cross);
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
	for (size_t i = 0; i < PT_PAGES; i++) {
		paddr_t pa = 0;

		if (pt_mapped[i]) {
			KTEST_EXPECT_EQ(t,
					pt_lookup(&pt,
						  PT_WINDOW + i * PAGE_SIZE,
						  &pa, NULL, NULL),
					0);
			KTEST_EXPECT_EQ(t, pa, PT_FRAME(i));
		}
	}
	KTEST_EXPECT_EQ(t, pt_unmap(&pt, PT_WINDOW, PT_PAGES * PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, pt.table_pages, 1);
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free0);
	KTEST_EXPECT_EQ(t, spin_bug_count(), spin0);
}

/* -------------------------------------------- (c) vmalloc/vfree storm */

#define VM_START VMALLOC_START
#define VM_END (VMALLOC_START + (1UL << 32))
#define VM_PAGES ((VM_END - VM_START) / PAGE_SIZE)

/* Host address of the vmalloc address va, through the table. */
static uint64_t *host_word(vaddr_t va)
{
	paddr_t pa;

	if (pt_lookup(&pt, va, &pa, NULL, NULL))
		return NULL;
	return phys_to_virt(pa);
}

/* The first word of page k of an area: its owner's stamp. */
static uint64_t stamp(vaddr_t addr, unsigned int owner, size_t k)
{
	return (addr * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)owner << 56) ^ k;
}

/* A slot word: area address | pages - 1 (< 4096) in the low bits... */
static uint64_t area_word(vaddr_t addr, size_t pages, unsigned int owner)
{
	return addr | (pages - 1) << 2 | owner;
}

static void area_release(struct worker *w, uint64_t v)
{
	vaddr_t addr = v & PAGE_MASK;
	size_t pages = ((v & ~PAGE_MASK) >> 2) + 1;
	unsigned int owner = v & 3;

	for (size_t k = 0; k < pages; k++) {
		uint64_t *p = host_word(addr + k * PAGE_SIZE);

		if (!p || *p != stamp(addr, owner, k))
			w->corrupt++;
	}
	/* Clear the claim first: the range may be handed out at once. */
	if (!own_release((addr - VM_START) / PAGE_SIZE, pages + 1,
			 (uint8_t)(owner + 1)))
		w->overlap++;
	vfree((void *)(uintptr_t)addr);
	w->frees++;
	if (owner != w->id)
		w->cross++;
}

static void *vmalloc_worker(void *arg)
{
	struct worker *w = arg;
	struct rand_state r;
	char buf[160];

	rand_seed(&r, 0x766d616cUL + w->id);
	worker_start(w);
	while (w->ops < w->target) {
		host_cpu_turn_every(w->cpu, w->ops, &w->turn_ops);
		uint64_t v = slot_swap(&r, 0);

		if (v) {
			area_release(w, v);
		} else {
			size_t pages = rand_below(&r, 8)
					       ? 1 + rand_below(&r, 4)
					       : 1 + rand_below(&r, 64);
			vaddr_t addr =
				(vaddr_t)(uintptr_t)vmalloc(pages * PAGE_SIZE);

			w->allocs++;
			if (!addr) {
				w->alloc_fail++;
				w->ops++;
				continue;
			}
			/* The area and its guard page are ours now. */
			if (!own_claim((addr - VM_START) / PAGE_SIZE, pages + 1,
				       (uint8_t)(w->id + 1)))
				w->overlap++;
			for (size_t k = 0; k < pages; k++) {
				uint64_t *p = host_word(addr + k * PAGE_SIZE);

				if (!p)
					w->corrupt++;
				else
					*p = stamp(addr, w->id, k);
			}
			if (host_word(addr + pages * PAGE_SIZE))
				w->corrupt++; /* guard page mapped */
			v = slot_swap(&r, area_word(addr, pages, w->id));
			if (v) {
				area_release(w, v);
				w->ops++;
			}
		}
		w->ops++;
		/* The checker, purges and fault-report lookups run along. */
		if (w->id == 0 && w->ops % (CHECK_EVERY / 8) == 0 &&
		    vmalloc_check())
			w->check_fail++;
		if (w->id == 1 && w->ops % 4096 == 0)
			vmalloc_purge();
		if (w->id == 2 && w->ops % 64 == 0 &&
		    !vmalloc_describe(VM_START + rand_below(&r, VM_PAGES) *
							 PAGE_SIZE,
				      buf, sizeof(buf)))
			w->other_fail++;
	}
	host_cpu_leave(w->cpu);
	return NULL;
}

/*
 * Scenario: vmalloc over 4 GiB of the shared table; 4 threads do
 * vmalloc (1..4 pages, 1 in 8 up to 64) and vfree of whatever an
 * exchange slot held (often another thread's area), VMALLOC_OPS calls in
 * all (1,000,000; 200,000 under TSan), writing a stamp into every page
 * of a new area and reading it back before its vfree; meanwhile one
 * thread runs vmalloc_check, one vmalloc_purge and one vmalloc_describe
 * of random addresses. Expect no allocation refused, no area overlapping
 * another live one, every stamp intact and every guard page unmapped,
 * every concurrent vmalloc_check clean (it also checks that no lazily
 * held range was handed out again, V1 and V8); after freeing the rest and
 * vmalloc_purge, vmalloc_check and buddy_check clean, nothing lazily
 * held, and the free pages (with vmalloc's metadata pages) and the
 * table's pages back to their values before the storm, then, after
 * vmalloc_destroy, the free pages as before vmalloc_init.
 */
static void smp_vmalloc_storm(struct ktest *t)
{
	struct worker w[NTHREADS];
	struct worker drain = { .id = NTHREADS };
	struct vmalloc_stats st;
	unsigned long ops, frees, cross, spin0 = spin_bug_count();
	unsigned long free_init = buddy_free_pages(), free0;
	size_t tables0 = pt.table_pages;

	KTEST_ASSERT_EQ(t, vmalloc_init(&pt, VM_START, VM_END), 0);
	own_map = calloc(VM_PAGES, 1);
	KTEST_ASSERT_NOT_NULL(t, own_map);
	vmalloc_get_stats(&st);
	free0 = buddy_free_pages() + st.meta_pages;
	run_workers(w, vmalloc_worker,
		    ktest_host_count("SMP_VMALLOC_OPS", VMALLOC_OPS));
	for (unsigned int i = 0; i < NSLOTS; i++)
		if (slots[i])
			area_release(&drain, slots[i]);
	expect_clean_workers(t, w);
	KTEST_EXPECT_EQ(t, drain.overlap + drain.corrupt, 0);
	report_totals(t, w, &ops, &frees, &cross);
	KTEST_EXPECT_GE(t, cross * 100, frees); /* see smp_vmem_storm */
	vmalloc_get_stats(&st);
	ktest_info(t, "%lu purges; %zu areas %zu pages lazily held",
		   (unsigned long)st.purges, st.lazy_areas, st.lazy_pages);
	KTEST_EXPECT_GT(t, st.purges, 0);
	KTEST_EXPECT_EQ(t, st.nr_areas, 0);
	KTEST_EXPECT_EQ(t, st.bugs, 0);
	KTEST_EXPECT_EQ(t, st.failures, 0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vmalloc_purge();
	vmalloc_get_stats(&st);
	KTEST_EXPECT_EQ(t, st.lazy_areas + st.lazy_pages + st.lazy_tables, 0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	KTEST_EXPECT_EQ(t, buddy_free_pages() + st.meta_pages, free0);
	KTEST_EXPECT_EQ(t, pt.table_pages, tables0);
	KTEST_EXPECT_EQ(t, pt_check(&pt), 0);
	vmalloc_destroy();
	KTEST_EXPECT_EQ(t, buddy_free_pages(), free_init);
	KTEST_EXPECT_EQ(t, spin_bug_count(), spin0);
	free(own_map);
	own_map = NULL;
}

static const struct ktest_case smp_vmalloc_cases[] = {
	KTEST_CASE(smp_vmem_storm),
	KTEST_CASE(smp_pgtable_storm),
	KTEST_CASE(smp_vmalloc_storm),
	KTEST_END,
};

static const struct ktest_suite smp_vmalloc_suite = {
	.name = "smp_vmalloc",
	.cases = smp_vmalloc_cases,
	.init = suite_init,
	.exit = suite_exit,
};

KTEST_HOST_MAIN(&smp_vmalloc_suite)
