// SPDX-License-Identifier: BSD-2-Clause
/*
 * Console capture for the host tests (the API is in host_capture.h): a
 * printk sink that appends what it is handed to one static buffer and
 * hands the chunks a filter accepts on to the sink it replaced.
 *
 * State: buf[0, len) is the text kept, dropped the bytes that did not
 * fit, prev the sink capture_start() replaced, keep and pass the
 * filters, active whether the capture sink is installed.
 *
 *   I1  len < CAPTURE_BUF_SIZE and buf[len] == '\0'.
 *   I2  while active, printk's sink is capture_sink(); capture_stop()
 *       checks that nobody replaced it in between.
 *   I3  dropped > 0 only once len == CAPTURE_BUF_SIZE - 1: the text is
 *       always a prefix of what was kept.
 *
 * Locking: printk calls its sink under printk_lock (printk_emit() in
 * lib/printk.c), so the chunks of several threads (harts) are appended
 * one at a time, each whole, and the lock's acquire and release order
 * them for ThreadSanitizer too. The exception is a report about
 * printk_lock itself, which lib/spinlock.c emits without the lock and
 * which could then run beside another thread's sink call; no test does
 * that while capturing. Starting, stopping, clearing and reading are not
 * locked, as printk_set_sink() is not: call them on one thread while no
 * other thread prints (before the workers start, after they are joined).
 */
#include "lib/tests/host_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kernel.h"
#include "lib/printk.h"

static char buf[CAPTURE_BUF_SIZE];
static size_t len;
static size_t dropped;
static printk_sink_fn prev;
static capture_filter_fn keep;
static capture_filter_fn pass;
static bool active;

/* Misuse of the helper is a bug in the test: say what, then stop. */
static __noreturn void capture_misuse(const char *what)
{
	fflush(stdout);
	fprintf(stderr, "host_capture: %s\n", what);
	abort();
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);

	return n >= p && memcmp(s, prefix, p) == 0;
}

bool capture_pass_all(const char *s, size_t n)
{
	return true;
}

bool capture_pass_not_bug(const char *s, size_t n)
{
	return !starts_with(s, n, "BUG: ");
}

/* The sink: keep (what fits), then pass on. */
static void capture_sink(const char *s, size_t n)
{
	if (!keep || keep(s, n)) {
		size_t room = CAPTURE_BUF_SIZE - 1 - len;
		size_t take = n < room ? n : room;

		memcpy(buf + len, s, take);
		len += take;
		buf[len] = '\0';
		dropped += n - take;
	}
	if (pass && prev && pass(s, n))
		prev(s, n);
}

static void start(capture_filter_fn keep_fn, capture_filter_fn pass_fn)
{
	if (active)
		capture_misuse("capture_start: a capture is running already "
			       "(captures do not nest): capture_stop() first");
	keep = keep_fn;
	pass = pass_fn;
	capture_clear();
	active = true;
	prev = printk_set_sink(capture_sink);
}

void capture_start(capture_filter_fn pass_fn)
{
	start(NULL, pass_fn);
}

void capture_start_keep(capture_filter_fn keep_fn, capture_filter_fn pass_fn)
{
	if (!keep_fn)
		capture_misuse("capture_start_keep: keep is NULL; "
			       "capture_start() keeps every chunk");
	start(keep_fn, pass_fn);
}

void capture_stop(void)
{
	if (!active)
		capture_misuse("capture_stop: no capture is running");
	if (printk_set_sink(prev) != capture_sink)
		capture_misuse("capture_stop: printk's sink was replaced "
			       "while capturing (printk_set_sink() between "
			       "capture_start() and capture_stop())");
	active = false;
	prev = NULL;
}

void capture_clear(void)
{
	len = 0;
	dropped = 0;
	buf[0] = '\0';
}

const char *capture_text(void)
{
	return buf;
}

size_t capture_len(void)
{
	return len;
}

bool capture_truncated(void)
{
	return dropped != 0;
}

bool capture_has(const char *needle)
{
	return strstr(buf, needle) != NULL;
}

unsigned int capture_count(const char *needle)
{
	size_t step = strlen(needle);
	unsigned int n = 0;

	if (!step)
		capture_misuse("capture_count: empty needle");
	for (const char *p = buf; (p = strstr(p, needle)); p += step)
		n++;
	return n;
}

unsigned int capture_count_lines(const char *prefix)
{
	size_t plen = strlen(prefix);
	unsigned int n = 0;

	for (const char *l = buf; *l;) {
		const char *nl = strchr(l, '\n');

		if (strncmp(l, prefix, plen) == 0)
			n++;
		if (!nl)
			break;
		l = nl + 1;
	}
	return n;
}

bool capture_has_line(const char *line)
{
	size_t llen = strlen(line);

	for (const char *l = buf; *l;) {
		const char *nl = strchr(l, '\n');

		if (!nl)
			break;
		if ((size_t)(nl - l) == llen && memcmp(l, line, llen) == 0)
			return true;
		l = nl + 1;
	}
	return false;
}
