// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=irq: interrupts as the kernel takes them. The timer fires
 * while the hart sleeps in wfi and runs its function in interrupt
 * context; printk from that context never tears a line the interrupted
 * code had half written; allocation there is atomic and vmalloc is
 * refused; an ns16550 in loopback mode delivers bytes through the PLIC
 * into the console's input ring.
 *
 * crash=irq_fault: a timer function reads address 0, so the fault report
 * says it happened in an interrupt handler.
 */
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/crash.h"
#include "kernel/percpu.h"
#include "kernel/selftest.h"
#include "kernel/timer.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/kmalloc.h"
#include "mm/vmalloc.h"

/* What a timer function saw, written in interrupt context. */
struct irq_probe {
	unsigned int runs, rearm;
	bool in_irq;
	unsigned long hartid;
	uint64_t when[8];
	uint64_t period;
};

static void probe_fn(void *arg)
{
	struct irq_probe *p = arg;

	p->in_irq = cpu_in_irq();
	p->hartid = cpu_hartid();
	if (p->runs < 8)
		p->when[p->runs] = timer_now();
	__atomic_store_n(&p->runs, p->runs + 1, __ATOMIC_RELEASE);
	if (p->rearm && p->runs < p->rearm)
		timer_arm(timer_now() + p->period, probe_fn, p);
}

/* Sleep (wfi) until *runs reaches n or limit_us passes; true if it did. */
static bool wait_runs(const unsigned int *runs, unsigned int n,
		      uint64_t limit_us)
{
	uint64_t end = timer_now() + timer_us_to_ticks(limit_us);

	while (__atomic_load_n(runs, __ATOMIC_ACQUIRE) < n) {
		if (timer_now() >= end)
			return false;
		timer_sleep_us(200);
	}
	return true;
}

/* Scenario: arm a one-shot 2 ms ahead and sleep in wfi. Expect it to run
 * once, in interrupt context, on this hart, not before its deadline, and
 * the interrupt depth to be back at 0 afterwards. */
static void irq_timer_oneshot(struct ktest *t)
{
	struct irq_probe p = { 0 };
	unsigned long before = this_cpu()->irq_count[IRQ_KIND_TIMER];
	uint64_t deadline;

	if (!timer_available()) {
		ktest_skip(t, "no timer");
		return;
	}
	deadline = timer_now() + timer_us_to_ticks(2000);
	KTEST_ASSERT_EQ(t, timer_arm(deadline, probe_fn, &p), 0);
	KTEST_ASSERT(t, wait_runs(&p.runs, 1, 2000000));
	KTEST_EXPECT_EQ(t, p.runs, 1);
	KTEST_EXPECT(t, p.in_irq);
	KTEST_EXPECT_EQ(t, p.hartid, cpu_hartid());
	KTEST_EXPECT_GE(t, p.when[0], deadline);
	KTEST_EXPECT_GT(t, this_cpu()->irq_count[IRQ_KIND_TIMER], before);
	KTEST_EXPECT_EQ(t, this_cpu()->irq_depth, 0);
	KTEST_EXPECT(t, !cpu_in_irq());
}

/* Scenario: a timer function re-arms itself 500 us ahead until it has
 * run 5 times. Expect 5 runs at strictly increasing times, each at least
 * a period after the one before. */
static void irq_timer_rearm(struct ktest *t)
{
	struct irq_probe p = { .rearm = 5 };

	if (!timer_available()) {
		ktest_skip(t, "no timer");
		return;
	}
	p.period = timer_us_to_ticks(500);
	KTEST_ASSERT_EQ(t, timer_arm(timer_now() + p.period, probe_fn, &p), 0);
	KTEST_ASSERT(t, wait_runs(&p.runs, 5, 5000000));
	timer_sleep_us(2000);
	KTEST_EXPECT_EQ(t, p.runs, 5);
	for (unsigned int i = 1; i < 5; i++)
		KTEST_EXPECT_GE(t, p.when[i], p.when[i - 1] + p.period);
}

/* Scenario: arm a one-shot 1 ms ahead and cancel it with interrupts off
 * (so that a host that stops the vCPU for over 1 ms between the two
 * cannot let it fire first: the cancel must then also withdraw the
 * pending interrupt), then sleep 3 ms. Expect it never to run, and the
 * sleep to last at least 3 ms of timebase ticks. */
static void irq_timer_cancel_and_sleep(struct ktest *t)
{
	struct irq_probe p = { 0 };
	unsigned long irq;
	uint64_t t0;
	int err;

	if (!timer_available()) {
		ktest_skip(t, "no timer");
		return;
	}
	irq = cpu_irq_save();
	err = timer_arm(timer_now() + timer_us_to_ticks(1000), probe_fn, &p);
	timer_cancel();
	cpu_irq_restore(irq);
	KTEST_ASSERT_EQ(t, err, 0);
	t0 = timer_now();
	KTEST_EXPECT_EQ(t, timer_sleep_us(3000), 0);
	KTEST_EXPECT_GE(t, timer_now() - t0, timer_us_to_ticks(3000));
	KTEST_EXPECT_EQ(t, p.runs, 0);
	KTEST_EXPECT_EQ(t, timer_arm(1, NULL, NULL), -EINVAL);
}

/* printk capture for irq_printk_whole_lines. */
static char cap[256];
static size_t cap_len;

static void cap_sink(const char *s, size_t len)
{
	for (size_t i = 0; i < len && cap_len < sizeof(cap) - 1; i++)
		cap[cap_len++] = s[i];
	cap[cap_len] = '\0';
}

static void print_fn(void *arg)
{
	unsigned int *runs = arg;

	printk("irqtest: from the interrupt\n");
	__atomic_store_n(runs, 1, __ATOMIC_RELEASE);
}

/* Scenario: ordinary code prints half a line, a timer interrupt prints a
 * whole line, then the code finishes its line (output captured through
 * a temporary printk sink). Expect the interrupt's line first and whole,
 * then the other line whole: nothing torn. */
static void irq_printk_whole_lines(struct ktest *t)
{
	static const char want[] = "irqtest: from the interrupt\n"
				   "irqtest: half, then the rest\n";
	unsigned int runs = 0;
	printk_sink_fn old;
	bool fired;

	if (!timer_available()) {
		ktest_skip(t, "no timer");
		return;
	}
	cap_len = 0;
	old = printk_set_sink(cap_sink);
	printk("irqtest: half, ");
	timer_arm(timer_now() + timer_us_to_ticks(500), print_fn, &runs);
	fired = wait_runs(&runs, 1, 2000000);
	printk("then the rest\n");
	printk_set_sink(old);
	KTEST_ASSERT(t, fired);
	KTEST_EXPECT_STREQ(t, cap, want);
}

struct alloc_probe {
	unsigned int runs;
	bool kmalloc_ok, page_ok, vmalloc_refused, in_irq;
};

static void alloc_fn(void *arg)
{
	struct alloc_probe *a = arg;
	void *p = kmalloc(64, GFP_KERNEL); /* atomic here whatever it says */
	struct page *pg = alloc_page(GFP_ATOMIC);
	void *v = vmalloc(PAGE_SIZE);

	a->in_irq = cpu_in_irq();
	a->kmalloc_ok = p != NULL;
	a->page_ok = pg != NULL;
	a->vmalloc_refused = v == NULL;
	kfree(p);
	if (pg)
		__free_page(pg);
	__atomic_store_n(&a->runs, 1, __ATOMIC_RELEASE);
}

/* Scenario: a timer function allocates with kmalloc and alloc_page and
 * frees, then calls vmalloc. Expect the first two to succeed and vmalloc
 * to be refused (NULL, with one "BUG: vmalloc: called from an interrupt
 * handler" line). */
static void irq_alloc_atomic(struct ktest *t)
{
	struct alloc_probe a = { 0 };

	if (!timer_available()) {
		ktest_skip(t, "no timer");
		return;
	}
	timer_arm(timer_now() + timer_us_to_ticks(500), alloc_fn, &a);
	KTEST_ASSERT(t, wait_runs(&a.runs, 1, 2000000));
	KTEST_EXPECT(t, a.in_irq);
	KTEST_EXPECT(t, a.kmalloc_ok);
	KTEST_EXPECT(t, a.page_ok);
	KTEST_EXPECT(t, a.vmalloc_refused);
}

/* Scenario: with console input by interrupt on an ns16550, put the UART
 * in loopback and transmit 3 bytes (printk_lock held, so nothing else is
 * written meanwhile). Expect the receive interrupt to put exactly those
 * bytes into the input ring, and console_getc to return them in order;
 * then console_getc_nonblock to find nothing. */
static void irq_uart_loopback(struct ktest *t)
{
	static const char bytes[] = "k7!";
	unsigned long ext0 = this_cpu()->irq_count[IRQ_KIND_EXTERNAL];
	unsigned long got0;
	uint64_t end;
	int err;

	if (strcmp(console_input_mode(), "interrupt") != 0 ||
	    !timer_available()) {
		ktest_skip(t, "console input is not by interrupt");
		return;
	}
	while (console_getc_nonblock() >= 0)
		; /* anything typed before */
	got0 = console_input_irq_bytes();
	spin_lock(&printk_lock);
	err = console_uart_loopback(true);
	if (!err) {
		console_write(bytes, 3);
		end = timer_now() + timer_us_to_ticks(1000000);
		while (console_input_irq_bytes() - got0 < 3 &&
		       timer_now() < end)
			timer_sleep_us(200);
		console_uart_loopback(false);
	}
	spin_unlock(&printk_lock);
	if (err == -ENOSYS) {
		ktest_skip(t, "the console UART has no loopback mode");
		return;
	}
	KTEST_EXPECT_EQ(t, console_input_irq_bytes() - got0, 3);
	KTEST_EXPECT_GT(t, this_cpu()->irq_count[IRQ_KIND_EXTERNAL], ext0);
	for (int i = 0; i < 3; i++)
		KTEST_EXPECT_EQ(t, console_getc(), (uint8_t)bytes[i]);
	KTEST_EXPECT_EQ(t, console_getc_nonblock(), -1);
}

static const struct ktest_case irq_cases[] = {
	KTEST_CASE(irq_timer_oneshot),
	KTEST_CASE(irq_timer_rearm),
	KTEST_CASE(irq_timer_cancel_and_sleep),
	KTEST_CASE(irq_printk_whole_lines),
	KTEST_CASE(irq_alloc_atomic),
	KTEST_CASE(irq_uart_loopback),
	KTEST_END,
};

static const struct ktest_suite irq_suite = {
	.name = "irq",
	.cases = irq_cases,
};
KTEST_SUITE_REGISTER(irq_suite, 75);

/* ------------------------------------------------------ crash=irq_fault */

static void fault_fn(void *arg)
{
	volatile uintptr_t bad = (uintptr_t)arg;

	(void)*(volatile int *)bad;
}

static void crash_irq_fault(void)
{
	if (timer_arm(timer_now(), fault_fn, NULL)) {
		printk("crash: warning: irq_fault needs a timer, none here\n");
		return;
	}
	arch_irq_enable();
	for (;;)
		arch_idle();
}
CRASH_REGISTER("irq_fault", crash_irq_fault);
