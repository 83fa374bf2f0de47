// SPDX-License-Identifier: BSD-2-Clause
/*
 * selftest=input: console input end to end, for the harness (or a person
 * at `make run BOOTARGS=selftest=input`). It prints
 *   input: ready, type a line (by <interrupt|polling|none>)
 * then reads with console_getc() until '\r' or '\n' (or INPUT_MAX_BYTES
 * bytes) and prints what it got, escaped (%pE, so control bytes show as
 * \xNN):
 *   input: received <n> bytes '<escaped bytes>'
 * It blocks until the line ends, so it runs only when named: selftest=all
 * skips it.
 */
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/selftest.h"
#include "lib/printk.h"
#include "lib/string.h"

#define INPUT_MAX_BYTES 64

/* Only when "input" is named in selftest=, never for selftest=all. */
static int input_init(void)
{
	const char *sel = cmdline_get("selftest");
	size_t n = strlen("input");

	for (const char *p = sel; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && strncmp(p, "input", n) == 0)
			return 0;
		p = comma ? comma + 1 : NULL;
	}
	return 1;
}

/* Scenario: the harness types a line when it sees the ready line. Expect
 * every byte of it back, in order, and, when input is by interrupt, at
 * least as many bytes delivered by the receive interrupt. */
static void input_echo_line(struct ktest *t)
{
	char line[INPUT_MAX_BYTES + 1];
	unsigned long irq0 = console_input_irq_bytes();
	size_t n = 0;

	if (strcmp(console_input_mode(), "none") == 0) {
		ktest_skip(t, "no console input");
		return;
	}
	printk("input: ready, type a line (by %s)\n", console_input_mode());
	while (n < INPUT_MAX_BYTES) {
		int c = console_getc();

		KTEST_ASSERT(t, c >= 0 && c <= 255);
		if (c == '\r' || c == '\n')
			break;
		line[n++] = (char)c;
	}
	line[n] = '\0';
	printk("input: received %zu bytes '%pE'\n", n, line);
	KTEST_EXPECT_GT(t, n, 0);
	if (strcmp(console_input_mode(), "interrupt") == 0)
		KTEST_EXPECT_GE(t, console_input_irq_bytes() - irq0, n + 1);
	else
		KTEST_EXPECT_EQ(t, console_input_irq_bytes(), 0);
	KTEST_EXPECT_EQ(t, console_input_dropped(), 0);
}

static const struct ktest_case input_cases[] = {
	KTEST_CASE(input_echo_line),
	KTEST_END,
};

static const struct ktest_suite input_suite = {
	.name = "input",
	.cases = input_cases,
	.init = input_init,
};
KTEST_SUITE_REGISTER(input_suite, 90);
