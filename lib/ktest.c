// SPDX-License-Identifier: BSD-2-Clause
/*
 * ktest runner: prints KTAP version 1 (see lib/ktest.h for the shape).
 * State: the case being run is the only global; single hart, suites run
 * one after another.
 */
#include "lib/ktest.h"

#include "lib/fmt.h"
#include "lib/printk.h"
#include "lib/string.h"

static const struct ktest_suite_hooks *suite_hooks;

void ktest_set_suite_hooks(const struct ktest_suite_hooks *hooks)
{
	suite_hooks = hooks;
}

bool ktest_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt,
		...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->failures++;
	printk("    # %s: %s:%d: %s\n", t->name, file, line, msg);
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skipped = true;
	t->skip_reason = reason;
}

void ktest_info(struct ktest *t, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("    # %s: %s\n", t->name, msg);
}

bool ktest_selected(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list || strcmp(list, "all") == 0)
		return true;
	while (*list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		if ((len == n && strncmp(list, name, n) == 0) ||
		    (len == 3 && strncmp(list, "all", 3) == 0))
			return true;
		if (!end)
			break;
		list = end + 1;
	}
	return false;
}

static size_t count_cases(const struct ktest_suite *s)
{
	size_t n = 0;

	while (s->cases[n].run)
		n++;
	return n;
}

/* Names in `only` that match no suite. */
static unsigned int count_unknown(const struct ktest_suite *const *suites,
				  size_t nsuites, const char *only, bool print,
				  unsigned int first_number)
{
	unsigned int unknown = 0;

	if (!only || strcmp(only, "all") == 0)
		return 0;
	while (*only) {
		const char *end = strchr(only, ',');
		size_t len = end ? (size_t)(end - only) : strlen(only);
		bool found = len == 3 && strncmp(only, "all", 3) == 0;

		for (size_t i = 0; i < nsuites && !found; i++)
			found = strlen(suites[i]->name) == len &&
				strncmp(suites[i]->name, only, len) == 0;
		if (!found && len) {
			char name[64]; /* from the command line: escaped */
			size_t n = len < sizeof(name) ? len : sizeof(name) - 1;

			memcpy(name, only, n);
			name[n] = '\0';
			if (print)
				printk("# unknown suite '%pE'\nnot ok %u "
				       "%pE\n",
				       name, first_number + unknown, name);
			unknown++;
		}
		if (!end)
			break;
		only = end + 1;
	}
	return unknown;
}

int ktest_run(const struct ktest_suite *const *suites, size_t nsuites,
	      const char *only, struct ktest_totals *totals)
{
	struct ktest_totals tot = { 0, 0, 0 };
	unsigned int nsel = 0, number = 0, unknown;

	for (size_t i = 0; i < nsuites; i++)
		nsel += ktest_selected(only, suites[i]->name);
	unknown = count_unknown(suites, nsuites, only, false, 0);
	printk("KTAP version 1\n1..%u\n", nsel + unknown);
	for (size_t i = 0; i < nsuites; i++) {
		const struct ktest_suite *s = suites[i];
		unsigned int failed_before = tot.failed;
		bool skip_suite = false;

		if (!ktest_selected(only, s->name))
			continue;
		number++;
		printk("    KTAP version 1\n    # Subtest: %s\n    1..%zu\n",
		       s->name, count_cases(s));
		if (suite_hooks && suite_hooks->before)
			suite_hooks->before(s);
		if (s->init && s->init() != 0)
			skip_suite = true;
		for (size_t c = 0; s->cases[c].run; c++) {
			struct ktest t = { s->cases[c].name, 0, false, NULL };

			if (skip_suite) {
				printk("    ok %zu %s # SKIP suite init "
				       "failed\n",
				       c + 1, t.name);
				tot.skipped++;
				continue;
			}
			s->cases[c].run(&t);
			if (t.failures) {
				printk("    not ok %zu %s\n", c + 1, t.name);
				tot.failed++;
			} else if (t.skipped) {
				printk("    ok %zu %s # SKIP %s\n", c + 1,
				       t.name,
				       t.skip_reason ? t.skip_reason : "");
				tot.skipped++;
			} else {
				printk("    ok %zu %s\n", c + 1, t.name);
				tot.passed++;
			}
		}
		if (s->exit && !skip_suite)
			s->exit();
		if (suite_hooks && suite_hooks->after &&
		    suite_hooks->after(s) != 0)
			tot.failed++;
		printk("%s %u %s\n",
		       tot.failed == failed_before ? "ok" : "not ok", number,
		       s->name);
	}
	count_unknown(suites, nsuites, only, true, number + 1);
	tot.failed += unknown;
	printk("%u passed, %u failed\n", tot.passed, tot.failed);
	if (totals)
		*totals = tot;
	return tot.failed ? 1 : 0;
}
