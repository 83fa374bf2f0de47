// SPDX-License-Identifier: BSD-2-Clause
/*
 * SMP: every hart runs the kernel.
 *
 * Theory of operation
 * -------------------
 * Discovery. fdt_cpus_scan() (lib/fdt_cpus.c) lists /cpus with a verdict
 * per node: usable, or skipped for no reg, a hart id above the limit, a
 * duplicate id, status not "okay", no Sv39 MMU, not rv64. The boot hart
 * is the one the firmware entered us on (a0); it is logical CPU 0 and
 * always online, whatever the tree says of it.
 *
 * Bring-up (smp_boot_secondaries, boot hart only, after vmalloc is up).
 * For each usable hart, in tree order, while fewer than maxcpus are
 * online and a logical number below NR_CPUS is free:
 *   - a page for its struct percpu, a kernel stack (SMP_STACK_SIZE) and
 *     a trap stack (SMP_TRAP_STACK_SIZE) from vmalloc: each area has an
 *     unmapped page below it (the previous area's guard page, or a hole),
 *     so an overflow faults, as with Linux's VMAP_STACK;
 *   - the start block in the percpu (kernel/smp_boot.h): the kernel's
 *     satp, the stack tops and the area's own address;
 *   - sbi_hart_start(hartid, pa of _secondary_start, pa of the percpu).
 * head.S installs a trap vector, switches to the kernel's page tables,
 * takes the stacks and tp, and calls smp_secondary_main(), which marks
 * the hart online (release) and idles. A hart that turns up at the
 * image entry instead (head.S: only the first hart there boots) waits
 * for the entry slot, smp_entry_hartid / smp_entry_percpu_pa, which is
 * set before each start, and then takes the same path; this also
 * covers loaders that start every hart at the entry (HSM then answers
 * "already available", and the boot hart waits for it all the same). The boot hart waits for that
 * (bounded: SMP_START_SPINS) and prints the contract line:
 *   smp: hart <id> online (cpu <n>)
 *   smp: hart <id> skipped: <reason>
 *   smp: <n> harts online
 * A tree without /cpus, firmware without HSM or IPI, or a start that
 * fails leaves the boot hart alone or without that hart; it never hangs.
 *
 * IPIs and cross calls. Every online hart enables the supervisor
 * software interrupt (sie.SSIE and sstatus.SIE); sbi_send_ipi raises it.
 * The interrupt handler (kernel/irq.c) acknowledges it and serves a
 * stop or a shootdown; a secondary's idle loop runs the call in its slot
 * if call_seq moved past done_seq, and otherwise waits in wfi (looking
 * with interrupts off, so that no IPI is lost between look and wfi). The caller
 * writes call_fn and call_arg, then publishes call_seq with release; the
 * callee reads them after an acquire load of call_seq and publishes
 * done_seq with release when fn returns. smp_call_lock serialises
 * callers, so a slot has one writer at a time.
 *
 * Per-hart cache calls (smp_call_each_cpu, mm/arch.h's
 * arch_call_each_cpu). The requester takes mm_call.lock with interrupts
 * off, writes fn and arg, publishes gen (release) and IPIs every other
 * online hart; it runs its own share, then waits until every such
 * hart's mm_call_done equals gen. A hart serves the request (acquire
 * load of gen, fn(arg), release store of mm_call_done) from the IPI's
 * handler, or, with interrupts off, from any wait loop: spinlocks,
 * cross calls and shootdowns all yield through cpu_yield() ->
 * arch_nap(), which serves a pending IPI. fn takes no lock, so a
 * served request always finishes, and no hart waits without serving:
 * a target spinning on a lock the requester holds serves it there, and
 * a second requester waits for mm_call.lock in such a loop, serving the
 * first. It differs from smp_call_all(), whose targets run the call
 * only in their idle loop, so a hart busy in a wait loop would never
 * answer it. A hart that comes online takes the current gen as done.
 *
 * TLB shootdown. smp_tlb_shootdown() fences locally, then asks the
 * firmware (SBI RFENCE remote_sfence_vma) to fence every other online
 * hart, one call per 64-hart-id window; the call returns only when the
 * targets have fenced, so on return no hart holds a stale translation of
 * the range. The PTE stores precede the ecall in program order, and the
 * firmware's IPI path orders them before the remote fence.
 *
 * Panic. lib/panic.c lets the first hart to panic win; it calls
 * smp_stop_others(), which sets smp_stopping and IPIs everyone. A hart
 * parks (interrupts off, wfi forever, printing nothing) when it takes
 * that IPI, when its idle or wait loop sees smp_stopping, or when a lock
 * or printk it waits on sees a panic in progress (lib/panic.c). The
 * winner waits, bounded, for the others to park, then prints and powers
 * off with status 2.
 *
 * Locking: cpus[] and the start blocks are written by the boot hart
 * before the hart they describe starts, then only read (nr_online is
 * published with release after cpus[n]). smp_call_lock serialises cross
 * calls; it is taken before any allocator lock (a call's function may
 * take them) and nothing in this file takes it from an IPI. mm_call.lock
 * serialises per-hart cache calls: it is taken with interrupts off,
 * possibly under mm's pcp_drain_lock or check_lock, and no lock is
 * taken while it is held (the functions run under it take none); an
 * IPI handler never takes it.
 */
#include "kernel/smp.h"

#include "kernel/smp_boot.h"
#include "kernel/timer.h"
#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/fdt_cpus.h"
#include "lib/fmt.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/arch.h"
#include "mm/buddy.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/pgtable.h"
#include "mm/vmalloc.h"

#define SMP_STACK_SIZE (16 * 1024)
#define SMP_TRAP_STACK_SIZE (8 * 1024)
/* Waiting for a started hart to come online, and for harts to park. */
#define SMP_START_SPINS (50UL * 1000 * 1000)
#define SMP_STOP_SPINS (20UL * 1000 * 1000)
/* A hart that has not fenced after this many spins is a fatal error. */
#define SMP_SHOOTDOWN_SPINS (1UL << 28)
/* SBI_ERR_ALREADY_AVAILABLE: HSM says the hart is running already. */
#define SBI_ERR_ALREADY_AVAILABLE (-6)

STATIC_ASSERT(offsetof(struct percpu, boot_satp) == SMP_BOOT_SATP);
STATIC_ASSERT(offsetof(struct percpu, boot_sp) == SMP_BOOT_SP);
STATIC_ASSERT(offsetof(struct percpu, boot_sscratch) == SMP_BOOT_SSCRATCH);
STATIC_ASSERT(offsetof(struct percpu, boot_self) == SMP_BOOT_SELF);
STATIC_ASSERT(sizeof(struct percpu) <= PAGE_SIZE);
STATIC_ASSERT(offsetof(struct percpu, hartid) == CPU_HDR_HARTID);
STATIC_ASSERT(offsetof(struct percpu, cpu) == CPU_HDR_CPU);
STATIC_ASSERT(offsetof(struct percpu, mm_pcp) == CPU_MM_OFFSET);

/* The boot hart's area: head.S points tp at it and sets its hartid. */
struct percpu boot_percpu = {
	/*
	 * Static: the page allocator's inline GFP_KERNEL path reads this
	 * list pointer from the first allocation on; buddy init attaches
	 * the boot hart's lists (buddy_pcp_init()).
	 */
	.mm_pcp = { .kernel = (struct buddy_pcp *)&buddy_pcp_none },
};
/* By logical number; see "Locking" above. */
static struct percpu *cpus[NR_CPUS];
/* Not static: <asm/mmu.h>'s arch_tlb_is_local() reads it inline. */
unsigned int nr_online = 1;
static unsigned int smp_stopping;
static unsigned int nr_parked;
static unsigned long nr_shootdowns;
static DEFINE_SPINLOCK(smp_call_lock);
/*
 * The TLB shootdown in flight (IPI method): its issuer holds the lock,
 * writes va and size, publishes gen (release) and waits until every
 * other online hart's flush_gen equals gen.
 */
static struct {
	spinlock_t lock;
	uintptr_t va;
	size_t size;
	unsigned long gen;
} shootdown = { .lock = SPINLOCK_INIT("tlb_shootdown") };
/*
 * The per-hart cache call in flight: its requester holds the lock (with
 * interrupts off), writes fn and arg, publishes gen (release) and waits
 * until every other online hart's mm_call_done equals gen.
 */
static struct {
	spinlock_t lock;
	smp_call_fn fn;
	void *arg;
	unsigned long gen;
} mm_call = { .lock = SPINLOCK_INIT("mm_call") };
/* Boot-time scratch for the /cpus scan (too big for a stack). */
static struct fdt_cpu scan[FDT_CPUS_MAX];

static void smp_stop_others(void);
static void smp_park_self(void);
static void serve_shootdown(void);
static void serve_mm_call(void);
static void for_other_harts(bool rfence, unsigned long start,
			    unsigned long len);

void smp_init_boot_cpu(unsigned long hartid)
{
	boot_percpu.cpu = 0;
	boot_percpu.hartid = hartid;
	boot_percpu.online = 1;
	boot_percpu.boot_self = (uintptr_t)&boot_percpu;
	cpus[0] = &boot_percpu;
	panic_set_smp_hooks(smp_stop_others, smp_park_self);
}

unsigned int smp_num_online(void)
{
	return __atomic_load_n(&nr_online, __ATOMIC_ACQUIRE);
}

struct percpu *percpu_of(unsigned int cpu)
{
	if (cpu >= smp_num_online())
		return NULL;
	return cpus[cpu];
}

unsigned long smp_cpu_hartid(unsigned int cpu)
{
	struct percpu *p = percpu_of(cpu);

	return p ? p->hartid : ~0UL;
}

unsigned long smp_shootdown_count(void)
{
	return __atomic_load_n(&nr_shootdowns, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------- parking */

/* Spin a little, then yield (lib/cpu.h) so the awaited hart can run. */
static void wait_relax(unsigned long *spins)
{
	if ((++*spins & (SPIN_YIELD_EVERY - 1)) == 0)
		cpu_yield();
	else
		cpu_relax();
}

static void smp_park_self(void)
{
	cpu_irq_save();
	__atomic_fetch_add(&nr_parked, 1, __ATOMIC_RELEASE);
	for (;;)
		arch_idle();
}

static void send_ipi(const struct percpu *p)
{
	sbi_send_ipi(1UL << (p->hartid % 64), p->hartid & ~63UL);
}

void smp_send_ipi(unsigned int cpu)
{
	struct percpu *p = percpu_of(cpu);

	if (p)
		send_ipi(p);
}

static void smp_stop_others(void)
{
	unsigned int n = smp_num_online(), me = cpu_id();

	if (n <= 1)
		return;
	__atomic_store_n(&smp_stopping, 1, __ATOMIC_RELEASE);
	for (unsigned int cpu = 0; cpu < n; cpu++)
		if (cpu != me && cpus[cpu])
			send_ipi(cpus[cpu]);
	for (unsigned long spins = 0; spins < SMP_STOP_SPINS;) {
		if (__atomic_load_n(&nr_parked, __ATOMIC_ACQUIRE) >= n - 1)
			break;
		wait_relax(&spins);
	}
}

/* Park if another hart is stopping everyone (wait loops call this). */
static void check_stop(void)
{
	if (unlikely(__atomic_load_n(&smp_stopping, __ATOMIC_ACQUIRE)))
		panic_check_park();
}

void smp_handle_ipi(void)
{
	check_stop();
	serve_shootdown();
	serve_mm_call();
}

/* ------------------------------------------------------- cross calls */

static void call_issue(struct percpu *p, smp_call_fn fn, void *arg)
{
	p->call_fn = fn;
	p->call_arg = arg;
	__atomic_store_n(&p->call_seq, p->call_seq + 1, __ATOMIC_RELEASE);
	send_ipi(p);
}

static void call_wait(struct percpu *p)
{
	unsigned long spins = 0;

	while (__atomic_load_n(&p->done_seq, __ATOMIC_ACQUIRE) != p->call_seq) {
		wait_relax(&spins);
		check_stop();
	}
}

int smp_call_on(unsigned int cpu, smp_call_fn fn, void *arg)
{
	struct percpu *p = percpu_of(cpu);

	if (!p)
		return -EINVAL;
	if (cpu == cpu_id()) {
		fn(arg);
		return 0;
	}
	spin_lock(&smp_call_lock);
	call_issue(p, fn, arg);
	call_wait(p);
	spin_unlock(&smp_call_lock);
	return 0;
}

void smp_call_all(smp_call_fn fn, void *arg)
{
	unsigned int n = smp_num_online(), me = cpu_id();

	spin_lock(&smp_call_lock);
	for (unsigned int cpu = 0; cpu < n; cpu++)
		if (cpu != me)
			call_issue(cpus[cpu], fn, arg);
	fn(arg);
	for (unsigned int cpu = 0; cpu < n; cpu++)
		if (cpu != me)
			call_wait(cpus[cpu]);
	spin_unlock(&smp_call_lock);
}

/* ------------------------------------------------ per-hart cache calls */

/* Run the per-hart cache call in flight, if this hart has not yet. */
static void serve_mm_call(void)
{
	struct percpu *p = this_cpu();
	unsigned long gen = __atomic_load_n(&mm_call.gen, __ATOMIC_ACQUIRE);

	if (p->mm_call_done == gen)
		return;
	mm_call.fn(mm_call.arg);
	__atomic_store_n(&p->mm_call_done, gen, __ATOMIC_RELEASE);
}

void smp_call_each_cpu(smp_call_fn fn, void *arg)
{
	unsigned int n = smp_num_online(), me = cpu_id();
	unsigned long flags, gen;

	if (n <= 1) {
		flags = cpu_irq_save();
		fn(arg);
		cpu_irq_restore(flags);
		return;
	}
	flags = spin_lock_irqsave(&mm_call.lock);
	mm_call.fn = fn;
	mm_call.arg = arg;
	gen = mm_call.gen + 1;
	__atomic_store_n(&mm_call.gen, gen, __ATOMIC_RELEASE);
	this_cpu()->mm_call_done = gen;
	for_other_harts(false, 0, 0);
	fn(arg);
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		struct percpu *p = cpus[cpu];
		unsigned long spins = 0;

		if (cpu == me)
			continue;
		while (__atomic_load_n(&p->mm_call_done, __ATOMIC_ACQUIRE) !=
		       gen) {
			wait_relax(&spins);
			check_stop();
		}
	}
	spin_unlock_irqrestore(&mm_call.lock, flags);
}

/* ------------------------------------------------------ TLB shootdown */

static void local_flush(uintptr_t va, size_t size)
{
	if (size == TLB_FLUSH_ALL || size / PAGE_SIZE > PT_FLUSH_PAGES_MAX) {
		arch_tlb_flush_all();
		return;
	}
	for (uintptr_t off = 0; off < size; off += PAGE_SIZE)
		arch_tlb_flush_page(va + off);
}

/* shootdown=sbi: SBI RFENCE instead of the kernel's own IPIs. */
static bool shootdown_use_sbi;

void smp_set_shootdown_method(const char *how)
{
	if (!how)
		return;
	if (strcmp(how, "sbi") == 0)
		shootdown_use_sbi = true;
	else if (strcmp(how, "ipi") == 0)
		shootdown_use_sbi = false;
	else
		printk("smp: warning: unknown shootdown method '%pE', using "
		       "ipi\n",
		       how);
}

const char *smp_shootdown_method(void)
{
	return shootdown_use_sbi ? "SBI RFENCE" : "IPI";
}

/* Fence what the current request names, if this hart has not yet. */
static void serve_shootdown(void)
{
	struct percpu *p = this_cpu();
	unsigned long gen = __atomic_load_n(&shootdown.gen, __ATOMIC_ACQUIRE);

	if (p->flush_gen == gen)
		return;
	local_flush(shootdown.va, shootdown.size);
	__atomic_store_n(&p->flush_gen, gen, __ATOMIC_RELEASE);
}

static void send_mask(bool rfence, unsigned long mask, unsigned long base,
		      unsigned long start, unsigned long len)
{
	if (rfence)
		sbi_remote_sfence_vma(mask, base, start, len);
	else
		sbi_send_ipi(mask, base);
}

/* One SBI call per window of 64 hart ids: IPIs, or RFENCE of a range. */
static void for_other_harts(bool rfence, unsigned long start, unsigned long len)
{
	unsigned int n = smp_num_online(), me = cpu_id();
	unsigned long mask = 0, base = 0;

	for (unsigned int cpu = 0; cpu < n; cpu++) {
		unsigned long h;

		if (cpu == me)
			continue;
		h = cpus[cpu]->hartid;
		if (mask && (h & ~63UL) != base) {
			send_mask(rfence, mask, base, start, len);
			mask = 0;
		}
		base = h & ~63UL;
		mask |= 1UL << (h - base);
	}
	if (mask)
		send_mask(rfence, mask, base, start, len);
}

/* smp_tlb_shootdown() with other harts online (n of them in all). */
static __attribute__((noinline)) void
shootdown_others(uintptr_t va, size_t size, unsigned int n)
{
	unsigned int me = cpu_id();
	unsigned long flags, gen;

	__atomic_fetch_add(&nr_shootdowns, 1, __ATOMIC_RELAXED);
	if (shootdown_use_sbi) {
		if (size == TLB_FLUSH_ALL)
			for_other_harts(true, 0, (unsigned long)-1);
		else
			for_other_harts(true, va, size);
		return;
	}
	flags = spin_lock_irqsave(&shootdown.lock);
	shootdown.va = va;
	shootdown.size = size;
	gen = shootdown.gen + 1;
	__atomic_store_n(&shootdown.gen, gen, __ATOMIC_RELEASE);
	this_cpu()->flush_gen = gen;
	for_other_harts(false, 0, 0);
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		struct percpu *p = cpus[cpu];
		unsigned long spins = 0;

		if (cpu == me)
			continue;
		while (__atomic_load_n(&p->flush_gen, __ATOMIC_ACQUIRE) !=
		       gen) {
			wait_relax(&spins);
			check_stop();
			if (spins == SMP_SHOOTDOWN_SPINS)
				panic("smp_tlb_shootdown: hart %lu did not "
				      "fence "
				      "[0x%016lx +0x%lx] after %lu spins",
				      p->hartid, (unsigned long)va,
				      (unsigned long)size, spins);
		}
	}
	spin_unlock_irqrestore(&shootdown.lock, flags);
}

/*
 * The local fence inline and the rest out of line, so that a one-page
 * shootdown with one hart online is a fence and a load (bench=vmalloc's
 * mmu.unmap_page).
 */
void smp_tlb_shootdown(uintptr_t va, size_t size)
{
	unsigned int n = smp_num_online();

	if (size == PAGE_SIZE)
		arch_tlb_flush_page(va);
	else
		local_flush(va, size);
	if (n > 1)
		shootdown_others(va, size, n);
}

/* ------------------------------------------------------------ bring-up */

void smp_secondary_main(struct percpu *p);

/* First C code on a secondary hart: MMU on, stacks and tp set. */
void smp_secondary_main(struct percpu *p)
{
	unsigned int expect = 0;

	/* The boot hart may have given up on us (online = 2): park. */
	if (!__atomic_compare_exchange_n(&p->online, &expect, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		smp_park_self();
	timer_init_hart();
	arch_ipi_enable();
	for (;;) {
		/*
		 * Look for work with interrupts off, then wfi: an IPI that
		 * comes in between stays pending and ends the wfi at once
		 * (its handler runs when interrupts go back on).
		 */
		unsigned long flags = cpu_irq_save();
		unsigned long seq;

		check_stop();
		seq = __atomic_load_n(&p->call_seq, __ATOMIC_ACQUIRE);
		if (seq != p->done_seq) {
			cpu_irq_restore(flags);
			p->call_fn(p->call_arg);
			__atomic_store_n(&p->done_seq, seq, __ATOMIC_RELEASE);
			continue;
		}
		arch_idle();
		cpu_irq_restore(flags);
	}
}

static void free_cpu(struct percpu *p)
{
	vfree((void *)p->stack_base);
	vfree((void *)p->trap_stack_base);
	free_page((unsigned long)p);
}

/* Start hart `hartid` as logical CPU `cpu`; true when it came online. */
static bool start_one(unsigned long hartid, unsigned int cpu)
{
	struct percpu *p = (void *)get_zeroed_page(GFP_KERNEL);
	uint64_t entry_pa =
		(uintptr_t)_secondary_start - KERNEL_VA + arch_boot_image_pa;
	long err;

	if (!p) {
		printk("smp: hart %lu skipped: no memory for its per-hart "
		       "area\n",
		       hartid);
		return false;
	}
	p->cpu = cpu;
	p->hartid = hartid;
	p->stack_size = SMP_STACK_SIZE;
	p->trap_stack_size = SMP_TRAP_STACK_SIZE;
	p->stack_base = (uintptr_t)vmalloc(SMP_STACK_SIZE);
	p->trap_stack_base = (uintptr_t)vmalloc(SMP_TRAP_STACK_SIZE);
	if (!p->stack_base || !p->trap_stack_base) {
		printk("smp: hart %lu skipped: no memory for its stacks\n",
		       hartid);
		free_cpu(p);
		return false;
	}
	p->flush_gen = __atomic_load_n(&shootdown.gen, __ATOMIC_ACQUIRE);
	p->mm_call_done = __atomic_load_n(&mm_call.gen, __ATOMIC_ACQUIRE);
	p->boot_satp = arch_kernel_satp();
	p->boot_sp = p->stack_base + SMP_STACK_SIZE;
	p->boot_sscratch = p->trap_stack_base + SMP_TRAP_STACK_SIZE;
	p->boot_self = (uintptr_t)p;
	cpus[cpu] = p;
	/* Its page lists, before it can allocate (mm/buddy_fast.h). */
	buddy_pcp_attach(cpu, &p->mm_pcp);
	/* The entry slot, for a hart that turns up at the image entry. */
	__atomic_store_n(&smp_entry_percpu_pa, virt_to_phys(p),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&smp_entry_hartid, hartid, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	err = sbi_hart_start(hartid, entry_pa, virt_to_phys(p));
	/*
	 * "Already available": the firmware let it run already; it may be
	 * waiting at the image entry for the slot, so wait for it.
	 */
	if (err == SBI_ERR_ALREADY_AVAILABLE)
		err = 0;
	if (err) {
		__atomic_store_n(&smp_entry_hartid, ~0UL, __ATOMIC_RELEASE);
		printk("smp: hart %lu skipped: start failed: SBI error %ld "
		       "(%s)\n",
		       hartid, err, sbi_error_name(err));
		cpus[cpu] = NULL;
		buddy_pcp_detach(cpu);
		free_cpu(p);
		return false;
	}
	for (unsigned long spins = 0; spins <= SMP_START_SPINS;) {
		unsigned int expect = 0;

		/* At the deadline, give up unless it came online. */
		if (spins == SMP_START_SPINS &&
		    __atomic_compare_exchange_n(&p->online, &expect, 2, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			break;
		if (__atomic_load_n(&p->online, __ATOMIC_ACQUIRE) == 1) {
			__atomic_store_n(&smp_entry_hartid, ~0UL,
					 __ATOMIC_RELEASE);
			__atomic_store_n(&nr_online, cpu + 1, __ATOMIC_RELEASE);
			printk("smp: hart %lu online (cpu %u)\n", hartid, cpu);
			return true;
		}
		wait_relax(&spins);
	}
	/*
	 * If it arrives after all, it sees online == 2 and parks on its
	 * own stacks, which are therefore never freed.
	 */
	__atomic_store_n(&smp_entry_hartid, ~0UL, __ATOMIC_RELEASE);
	printk("smp: hart %lu skipped: start failed: did not come online "
	       "(HSM status %ld)\n",
	       hartid, sbi_hart_status(hartid));
	cpus[cpu] = NULL;
	/* It never allocated: it parks before it runs any C code of ours. */
	buddy_pcp_detach(cpu);
	return false;
}

void smp_boot_secondaries(const struct fdt *fdt, unsigned int maxcpus)
{
	unsigned long boot = cpu_hartid();
	struct sbi_info sbi;
	bool boot_seen = false, can_start;
	unsigned int next = 1;
	int n;

	sbi_probe(&sbi);
	printk("smp: hart %lu online (cpu 0)\n", boot);
	n = fdt_cpus_scan(fdt, scan, FDT_CPUS_MAX);
	if (n < 0) {
		printk("smp: warning: no usable /cpus in the device tree "
		       "(%s): the boot hart runs alone\n",
		       errno_name(n));
		goto done;
	}
	if (n > FDT_CPUS_MAX) {
		printk("smp: warning: %d cpu nodes, only the first %d looked "
		       "at\n",
		       n, FDT_CPUS_MAX);
		n = FDT_CPUS_MAX;
	}
	can_start = sbi.has_hsm && sbi.has_ipi && sbi.has_rfence;
	if (!can_start)
		printk("smp: firmware lacks SBI %s: the boot hart runs "
		       "alone\n",
		       !sbi.has_hsm   ? "HSM"
		       : !sbi.has_ipi ? "IPI"
				      : "RFENCE");
	for (int i = 0; i < n; i++) {
		const struct fdt_cpu *c = &scan[i];
		const char *name;
		int len;

		if (c->verdict == FDT_CPU_NO_REG) {
			name = fdt_node_name(fdt, c->node, &len);
			printk("smp: warning: /cpus/%pE has no usable reg: "
			       "skipped\n",
			       name ? name : "?");
			continue;
		}
		if (c->hartid == boot && c->verdict != FDT_CPU_DUPLICATE) {
			boot_seen = true;
			continue;
		}
		if (!can_start)
			continue;
		if (c->verdict != FDT_CPU_USABLE)
			printk("smp: hart %lu skipped: %s\n",
			       (unsigned long)c->hartid,
			       fdt_cpu_verdict_name(c->verdict));
		else if (maxcpus && next >= maxcpus)
			printk("smp: hart %lu skipped: maxcpus=%u\n",
			       (unsigned long)c->hartid, maxcpus);
		else if (next >= NR_CPUS)
			printk("smp: hart %lu skipped: NR_CPUS=%d reached\n",
			       (unsigned long)c->hartid, NR_CPUS);
		else if (start_one((unsigned long)c->hartid, next))
			next++;
	}
	if (!boot_seen)
		printk("smp: warning: boot hart %lu is not in /cpus\n", boot);
done:
	arch_ipi_enable();
	if (smp_num_online() > 1)
		printk("smp: TLB shootdown by %s\n", smp_shootdown_method());
	printk("smp: %u harts online\n", smp_num_online());
}

/* ------------------------------------------------------------ reports */

static bool in_guard_or_stack(uintptr_t va, uintptr_t base, size_t size,
			      const char *what, unsigned long hartid, char *buf,
			      size_t len)
{
	if (!base)
		return false;
	if (va >= base - PAGE_SIZE && va < base) {
		fmt_snprintf(buf, len,
			     "hart %lu %s guard page [0x%016lx-0x%016lx] "
			     "(stack overflow)",
			     hartid, what, base - PAGE_SIZE, base - 1);
		return true;
	}
	if (va >= base && va < base + size) {
		fmt_snprintf(buf, len, "hart %lu %s [0x%016lx-0x%016lx]",
			     hartid, what, base, base + size - 1);
		return true;
	}
	return false;
}

bool smp_describe(uintptr_t va, char *buf, size_t len)
{
	unsigned int n = smp_num_online();

	for (unsigned int cpu = 1; cpu < n; cpu++) {
		const struct percpu *p = cpus[cpu];

		if (p &&
		    (in_guard_or_stack(va, p->stack_base, p->stack_size,
				       "kernel stack", p->hartid, buf, len) ||
		     in_guard_or_stack(va, p->trap_stack_base,
				       p->trap_stack_size, "trap stack",
				       p->hartid, buf, len)))
			return true;
	}
	return false;
}
