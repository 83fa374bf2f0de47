// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of lib/lineedit.c: bytes fed one at a time, the echo
 * captured in a buffer. Typing and Enter in its three forms, Backspace,
 * Ctrl-U, Ctrl-C, history with Up and Down, escape sequences ignored,
 * and the 255-byte limit.
 */
#include <stdio.h>
#include <string.h>

#include "lib/kernel.h"
#include "lib/lineedit.h"
#include "lib/tests/host_ktest.h"

static char echo[8192];
static size_t echo_len;

static void capture(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	if (echo_len + len < sizeof(echo)) {
		memcpy(echo + echo_len, s, len);
		echo_len += len;
		echo[echo_len] = '\0';
	}
}

static void reset_echo(void)
{
	echo_len = 0;
	echo[0] = '\0';
}

/* Feed s; return the result of its last byte. */
static enum lineedit_result feed(struct lineedit *le, const char *s)
{
	enum lineedit_result r = LINEEDIT_MORE;

	for (; *s; s++)
		r = lineedit_feed(le, (unsigned char)*s);
	return r;
}

static void start(struct lineedit *le)
{
	lineedit_init(le, capture, NULL);
	reset_echo();
	lineedit_start(le, "mm> ");
}

/* Scenario: type a command and press Enter as CR, LF or CR LF. Expect
 * the prompt, the echo and a newline; CR LF ends one line, not two. */
static void lineedit_enter(struct ktest *t)
{
	struct lineedit le;

	start(&le);
	KTEST_EXPECT_EQ(t, feed(&le, "meminfo"), LINEEDIT_MORE);
	KTEST_EXPECT_EQ(t, feed(&le, "\r"), LINEEDIT_DONE);
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "meminfo");
	KTEST_EXPECT_STREQ(t, echo, "mm> meminfo\n");
	lineedit_start(&le, "mm> ");
	/* The LF of CR LF is swallowed; the next byte starts afresh. */
	KTEST_EXPECT_EQ(t, feed(&le, "\nhelp\n"), LINEEDIT_DONE);
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "help");
	lineedit_start(&le, "mm> ");
	KTEST_EXPECT_EQ(t, feed(&le, "\n"), LINEEDIT_DONE);
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "");
}

/* Scenario: Backspace (DEL and BS), also on an empty line; Ctrl-U.
 * Expect the bytes gone, "\b \b" echoed per byte erased, a redraw for
 * Ctrl-U. */
static void lineedit_erase(struct ktest *t)
{
	struct lineedit le;

	start(&le);
	feed(&le, "\x7f"); /* nothing to erase: no echo */
	KTEST_EXPECT_STREQ(t, echo, "mm> ");
	feed(&le, "kmallocx\x7f");
	KTEST_EXPECT_STREQ(t, echo, "mm> kmallocx\b \b");
	feed(&le, "\b\b");
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "kmall");
	feed(&le, "\x15");
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "");
	KTEST_EXPECT(t, strstr(echo, "\rmm> \x1b[K") != NULL);
	KTEST_EXPECT_EQ(t, feed(&le, "help\r"), LINEEDIT_DONE);
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "help");
}

/* Scenario: Ctrl-C in the middle of a line. Expect "^C", a newline,
 * LINEEDIT_CANCEL and nothing put in the history. */
static void lineedit_ctrl_c(struct ktest *t)
{
	struct lineedit le;

	start(&le);
	feed(&le, "free 0x1");
	KTEST_EXPECT_EQ(t, feed(&le, "\x03"), LINEEDIT_CANCEL);
	KTEST_EXPECT(t, strstr(echo, "^C\n") != NULL);
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "");
	KTEST_EXPECT_EQ(t, le.count, 0);
}

/* Scenario: three lines done, then Up, Up, Down, Down, Down while a
 * fourth is half typed. Expect the older lines in turn, then the half
 * typed line back; an empty line and a repeat are not recorded. */
static void lineedit_history(struct ktest *t)
{
	struct lineedit le;

	start(&le);
	feed(&le, "alloc 0\r");
	lineedit_start(&le, "mm> ");
	feed(&le, "meminfo\r");
	lineedit_start(&le, "mm> ");
	feed(&le, "meminfo\r"); /* a repeat */
	lineedit_start(&le, "mm> ");
	feed(&le, "\r"); /* empty */
	KTEST_EXPECT_EQ(t, le.count, 2);
	lineedit_start(&le, "mm> ");
	feed(&le, "che");
	feed(&le, "\x1b[A");
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "meminfo");
	feed(&le, "\x1bOA"); /* the application-mode form */
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "alloc 0");
	feed(&le, "\x1b[A"); /* no older line: stays */
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "alloc 0");
	feed(&le, "\x1b[B");
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "meminfo");
	feed(&le, "\x1b[B");
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "che");
	feed(&le, "\x1b[B"); /* nothing newer */
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "che");
	feed(&le, "\x1b[A\x7f\x7f\x7f\x7f"
		  "buddyinfo");
	KTEST_EXPECT_EQ(t, feed(&le, "\r"), LINEEDIT_DONE);
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "membuddyinfo");
	KTEST_EXPECT(t, strstr(echo, "\rmm> meminfo\x1b[K") != NULL);
}

/* Scenario: more lines than the history holds. Expect the oldest gone:
 * Up LINEEDIT_HISTORY times reaches the oldest kept line, not before. */
static void lineedit_history_wraps(struct ktest *t)
{
	struct lineedit le;
	char cmd[32];

	start(&le);
	for (int i = 0; i < LINEEDIT_HISTORY + 5; i++) {
		lineedit_start(&le, "> ");
		snprintf(cmd, sizeof(cmd), "cmd %d\r", i);
		feed(&le, cmd);
	}
	lineedit_start(&le, "> ");
	for (int i = 0; i < LINEEDIT_HISTORY + 3; i++)
		feed(&le, "\x1b[A");
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "cmd 5");
}

/* Scenario: other escape sequences (Right, Delete "ESC [ 3 ~", a lone
 * ESC then a letter), control bytes and 8-bit bytes. Expect them all
 * ignored: neither kept nor echoed. */
static void lineedit_ignores(struct ktest *t)
{
	struct lineedit le;

	start(&le);
	feed(&le, "a\x1b[C\x1b[3~\x1bx"
		  "b\x01\x02\x80\xff\tc");
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "abc");
	KTEST_EXPECT_STREQ(t, echo, "mm> abc");
}

/* Scenario: 300 bytes typed. Expect 255 kept and echoed, Enter gives
 * LINEEDIT_TOO_LONG and no history entry; 255 bytes exactly, or 300
 * with 45 erased, is an ordinary line. */
static void lineedit_too_long(struct ktest *t)
{
	struct lineedit le;
	char line[301];

	start(&le);
	memset(line, 'x', 300);
	line[300] = '\0';
	feed(&le, line);
	KTEST_EXPECT_EQ(t, strlen(lineedit_line(&le)), LINEEDIT_MAX);
	KTEST_EXPECT_EQ(t, echo_len, 4 + LINEEDIT_MAX);
	KTEST_EXPECT_EQ(t, feed(&le, "\r"), LINEEDIT_TOO_LONG);
	KTEST_EXPECT_EQ(t, le.count, 0);

	lineedit_start(&le, "mm> ");
	feed(&le, line);
	for (int i = 0; i < 45; i++)
		feed(&le, "\x7f");
	KTEST_EXPECT_EQ(t, feed(&le, "\r"), LINEEDIT_DONE);
	KTEST_EXPECT_EQ(t, strlen(lineedit_line(&le)), LINEEDIT_MAX);

	lineedit_start(&le, "mm> ");
	line[LINEEDIT_MAX] = '\0';
	feed(&le, line);
	KTEST_EXPECT_EQ(t, feed(&le, "\r"), LINEEDIT_DONE);
	lineedit_start(&le, "mm> ");
	feed(&le, line);
	feed(&le, "yy\x15");
	KTEST_EXPECT_EQ(t, feed(&le, "ok\r"), LINEEDIT_DONE);
	KTEST_EXPECT_STREQ(t, lineedit_line(&le), "ok");
}

static const struct ktest_case lineedit_cases[] = {
	KTEST_CASE(lineedit_enter),	    KTEST_CASE(lineedit_erase),
	KTEST_CASE(lineedit_ctrl_c),	    KTEST_CASE(lineedit_history),
	KTEST_CASE(lineedit_history_wraps), KTEST_CASE(lineedit_ignores),
	KTEST_CASE(lineedit_too_long),	    KTEST_END,
};
static const struct ktest_suite lineedit_suite = { "lineedit", lineedit_cases,
						   NULL, NULL };

KTEST_HOST_MAIN(&lineedit_suite)
