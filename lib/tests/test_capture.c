// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of the console capture the other host tests use
 * (lib/tests/host_capture.c): what is kept and what is passed on to the
 * previous sink under each filter, the previous sink put back, the
 * buffer running full, the searches, and each misuse refused with its
 * message (in a child process, since a misuse aborts).
 *
 * Each case installs a recording sink of its own as "the previous
 * sink", so what the capture passes on can be compared, and checks
 * only after putting the runner's sink back (a failed check prints).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/printk.h"
#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"

static char seen[4096];
static size_t seen_len;
static unsigned int seen_calls;

/* Stands for the console: records what the capture passes on. */
static void recorder(const char *s, size_t len)
{
	if (seen_len + len < sizeof(seen)) {
		memcpy(seen + seen_len, s, len);
		seen_len += len;
		seen[seen_len] = '\0';
	}
	seen_calls++;
}

/* Install the recorder, empty; returns the runner's sink. */
static printk_sink_fn recorder_install(void)
{
	seen_len = 0;
	seen[0] = '\0';
	seen_calls = 0;
	return printk_set_sink(recorder);
}

/*
 * Scenario: a capture passing everything on, then printk after it
 * stopped. Expect both lines kept and passed on; after the stop the
 * recorder back in place (it gets the third line, the capture does not)
 * and the text still readable.
 */
static void keep_and_pass(struct ktest *t)
{
	printk_sink_fn runner = recorder_install();
	printk_sink_fn back;

	capture_start(capture_pass_all);
	printk("one %d\n", 1);
	printk("two\n");
	capture_stop();
	printk("three\n");
	back = printk_set_sink(runner);
	KTEST_EXPECT(t, back == recorder);
	KTEST_EXPECT_STREQ(t, capture_text(), "one 1\ntwo\n");
	KTEST_EXPECT_EQ(t, capture_len(), strlen("one 1\ntwo\n"));
	KTEST_EXPECT(t, !capture_truncated());
	KTEST_EXPECT_STREQ(t, seen, "one 1\ntwo\nthree\n");
	KTEST_EXPECT_EQ(t, seen_calls, 3);
}

/*
 * Scenario: capture_start(NULL), twice in a row, the second with
 * nothing printed. Expect the lines kept and nothing passed on; the
 * second capture to start empty.
 */
static void swallow_everything(struct ktest *t)
{
	printk_sink_fn runner = recorder_install();
	size_t first_len;

	capture_start(NULL);
	printk("quiet\n");
	capture_stop();
	first_len = capture_len();
	capture_start(NULL);
	capture_stop();
	printk_set_sink(runner);
	KTEST_EXPECT_EQ(t, first_len, strlen("quiet\n"));
	KTEST_EXPECT_STREQ(t, capture_text(), "");
	KTEST_EXPECT_EQ(t, capture_len(), 0);
	KTEST_EXPECT_EQ(t, seen_calls, 0);
}

/*
 * Scenario: capture_pass_not_bug over a BUG line, a plain line, a line
 * mentioning "BUG: " further in, and one printk call holding a plain
 * line then a BUG line (one chunk). Expect everything kept; all but the
 * first passed on: the filter looks at a chunk's first bytes (a chunk
 * shorter than "BUG: " passes).
 */
static void filter_not_bug(struct ktest *t)
{
	printk_sink_fn runner = recorder_install();

	capture_start(capture_pass_not_bug);
	printk("BUG: refused\n");
	printk("plain\n");
	printk("see BUG: above\n");
	printk("first\nBUG: in the same chunk\n");
	capture_stop();
	printk_set_sink(runner);
	KTEST_EXPECT_STREQ(t, capture_text(),
			   "BUG: refused\nplain\nsee BUG: above\n"
			   "first\nBUG: in the same chunk\n");
	KTEST_EXPECT_STREQ(t, seen,
			   "plain\nsee BUG: above\n"
			   "first\nBUG: in the same chunk\n");
	KTEST_EXPECT_EQ(t, seen_calls, 3);
	KTEST_EXPECT(t, !capture_pass_not_bug("BUG: ", 5));
	KTEST_EXPECT(t, capture_pass_not_bug("BUG:", 4));
}

static bool is_trace(const char *s, size_t len)
{
	return len >= 7 && memcmp(s, "trace: ", 7) == 0;
}

static bool not_trace(const char *s, size_t len)
{
	return !is_trace(s, len);
}

/*
 * Scenario: capture_start_keep() keeping trace lines and passing the
 * rest, cleared halfway. Expect only the trace lines after the clear
 * kept, only the other lines passed on.
 */
static void keep_filter_and_clear(struct ktest *t)
{
	printk_sink_fn runner = recorder_install();
	size_t before_clear;

	capture_start_keep(is_trace, not_trace);
	printk("trace: a\n");
	printk("ok 1 case\n");
	before_clear = capture_len();
	capture_clear();
	printk("trace: b\n");
	printk("# note\n");
	printk("trace: c\n");
	capture_stop();
	printk_set_sink(runner);
	KTEST_EXPECT_EQ(t, before_clear, strlen("trace: a\n"));
	KTEST_EXPECT_STREQ(t, capture_text(), "trace: b\ntrace: c\n");
	KTEST_EXPECT_STREQ(t, seen, "ok 1 case\n# note\n");
}

/*
 * Scenario: 100-byte lines (line numbers in their first 7 bytes) until
 * 50 more than the buffer holds, then a clear. Expect the buffer full
 * (CAPTURE_BUF_SIZE - 1 bytes and the NUL), truncation reported, the
 * text a prefix of what was printed: the whole lines that fitted, then
 * the start of the next; every line still passed on. After the clear:
 * empty, not truncated, and keeping again.
 */
static void truncation_reported(struct ktest *t)
{
	const unsigned int lines = CAPTURE_BUF_SIZE / 100 + 50;
	const unsigned int whole = (CAPTURE_BUF_SIZE - 1) / 100;
	printk_sink_fn runner = recorder_install();
	char pad[92], want[101];
	bool truncated, after_clear;
	size_t len;
	unsigned int bad = 0;
	const char *text;

	memset(pad, '.', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	capture_start(capture_pass_all);
	for (unsigned int i = 0; i < lines; i++)
		printk("%07u %s\n", i, pad);
	capture_stop();
	printk_set_sink(runner);
	truncated = capture_truncated();
	len = capture_len();
	text = capture_text();
	KTEST_EXPECT(t, truncated);
	KTEST_EXPECT_EQ(t, len, CAPTURE_BUF_SIZE - 1);
	KTEST_EXPECT_EQ(t, strlen(text), len);
	KTEST_EXPECT_EQ(t, capture_count_lines(""), whole + 1);
	for (unsigned int i = 0; i < whole; i++) {
		snprintf(want, sizeof(want), "%07u %s\n", i, pad);
		bad += memcmp(text + 100 * i, want, 100) != 0;
	}
	KTEST_EXPECT_EQ(t, bad, 0);
	snprintf(want, sizeof(want), "%07u %s\n", whole, pad);
	KTEST_EXPECT(t,
		     memcmp(text + 100 * whole, want, len - 100 * whole) == 0);
	KTEST_EXPECT_EQ(t, seen_calls, lines);

	capture_start(NULL);
	capture_clear();
	after_clear = capture_truncated() || capture_len() != 0;
	printk("again\n");
	capture_stop();
	KTEST_EXPECT(t, !after_clear);
	KTEST_EXPECT(t, !capture_truncated());
	KTEST_EXPECT_STREQ(t, capture_text(), "again\n");
}

/*
 * Scenario: the searches over "abc\naaaa\nab\nx ab\n" and an
 * unterminated "tail" flushed after it. Expect capture_count() to count
 * without overlap, capture_count_lines() lines by their start (the
 * unterminated one too), capture_has_line() whole terminated lines.
 */
static void search_helpers(struct ktest *t)
{
	printk_sink_fn runner = recorder_install();

	capture_start(NULL);
	printk("abc\naaaa\nab\nx ab\n");
	printk("tail");
	printk_flush();
	capture_stop();
	printk_set_sink(runner);
	KTEST_EXPECT(t, capture_has("aaaa\nab"));
	KTEST_EXPECT(t, !capture_has("abd"));
	KTEST_EXPECT_EQ(t, capture_count("aa"), 2);
	KTEST_EXPECT_EQ(t, capture_count("a"), 8);
	KTEST_EXPECT_EQ(t, capture_count("ab"), 3);
	KTEST_EXPECT_EQ(t, capture_count("zz"), 0);
	KTEST_EXPECT_EQ(t, capture_count_lines("ab"), 2);
	KTEST_EXPECT_EQ(t, capture_count_lines("a"), 3);
	KTEST_EXPECT_EQ(t, capture_count_lines("tail"), 1);
	KTEST_EXPECT_EQ(t, capture_count_lines(""), 5);
	KTEST_EXPECT(t, capture_has_line("ab"));
	KTEST_EXPECT(t, capture_has_line("x ab"));
	KTEST_EXPECT(t, !capture_has_line("a"));
	KTEST_EXPECT(t, !capture_has_line("b"));
	KTEST_EXPECT(t, !capture_has_line("tail"));
}

enum misuse { NEST, STOP_IDLE, SINK_REPLACED, KEEP_NULL, EMPTY_NEEDLE };

/* In a child: commit `m`; the capture must abort before _exit(0). */
static void misuse_child(enum misuse m)
{
	switch (m) {
	case NEST:
		capture_start(NULL);
		capture_start(NULL);
		break;
	case STOP_IDLE:
		capture_stop();
		break;
	case SINK_REPLACED:
		capture_start(NULL);
		printk_set_sink(recorder);
		capture_stop();
		break;
	case KEEP_NULL:
		capture_start_keep(NULL, NULL);
		break;
	case EMPTY_NEEDLE:
		capture_count("");
		break;
	}
}

/* Run misuse m in a child; true when it died of SIGABRT saying `msg`. */
static bool refused(struct ktest *t, enum misuse m, const char *msg)
{
	char err[512];
	size_t n = 0;
	ssize_t r;
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) != 0)
		return false;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		misuse_child(m);
		_exit(0);
	}
	close(fds[1]);
	while (n < sizeof(err) - 1 &&
	       (r = read(fds[0], err + n, sizeof(err) - 1 - n)) > 0)
		n += (size_t)r;
	err[n] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT ||
	    !strstr(err, msg)) {
		ktest_info(t, "misuse %d: status 0x%x, stderr \"%s\"", m,
			   status, err);
		return false;
	}
	return true;
}

/*
 * Scenario: in child processes, a nested start, a stop with no capture
 * running, a stop after the test replaced the sink, keep NULL and an
 * empty needle. Expect each to abort with its own message on stderr.
 */
static void misuse_refused(struct ktest *t)
{
	KTEST_EXPECT(t, refused(t, NEST, "captures do not nest"));
	KTEST_EXPECT(t, refused(t, STOP_IDLE, "no capture is running"));
	KTEST_EXPECT(t, refused(t, SINK_REPLACED, "sink was replaced"));
	KTEST_EXPECT(t, refused(t, KEEP_NULL, "keep is NULL"));
	KTEST_EXPECT(t, refused(t, EMPTY_NEEDLE, "empty needle"));
}

static const struct ktest_case capture_cases[] = {
	/* What is kept and what is passed on. */
	KTEST_CASE(keep_and_pass),
	KTEST_CASE(swallow_everything),
	KTEST_CASE(filter_not_bug),
	KTEST_CASE(keep_filter_and_clear),
	/* The buffer and the searches. */
	KTEST_CASE(truncation_reported),
	KTEST_CASE(search_helpers),
	/* Misuse. */
	KTEST_CASE(misuse_refused),
	KTEST_END,
};
static const struct ktest_suite capture_suite = { "capture", capture_cases,
						  NULL, NULL };

KTEST_HOST_MAIN(&capture_suite)
