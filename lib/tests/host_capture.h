/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Console capture for the host tests: what printk hands its sink between
 * capture_start() and capture_stop() is kept in one buffer that the test
 * then searches (capture_has(), capture_count(), ...). Host tests only:
 * it replaces printk's sink (lib/printk.h), which a kernel owns.
 *
 *	capture_start(capture_pass_all);
 *	buddy_check();
 *	capture_stop();
 *	KTEST_EXPECT(t, capture_has("buddy_check: I3 "));
 *
 * A chunk is what printk hands the sink in one call: one or more whole
 * lines, usually one printk() call's worth (a line longer than printk's
 * 511-byte buffer arrives cut, and printk_flush() sends an unterminated
 * tail). The filters below decide per chunk, from its first bytes.
 *
 * The buffer holds CAPTURE_BUF_SIZE - 1 bytes and a NUL. Once full, the
 * rest of the output is dropped (the chunk that overflows keeps what
 * fits) and capture_truncated() turns true: a test that expects text to
 * be absent, or counts it, on a large output should check it.
 *
 * Captures do not nest: capture_start() while one runs, or
 * capture_stop() without one, aborts with a message saying so. See
 * lib/tests/host_capture.c for the locking.
 */
#ifndef LIB_TESTS_HOST_CAPTURE_H
#define LIB_TESTS_HOST_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

/* The buffer, NUL included. */
#define CAPTURE_BUF_SIZE (1UL << 20)

/* True when the chunk s[0..len) is to be kept, or passed on. */
typedef bool (*capture_filter_fn)(const char *s, size_t len);

/* Every chunk. */
bool capture_pass_all(const char *s, size_t len);
/* Every chunk but one starting "BUG: " (the misuse reports a test provokes). */
bool capture_pass_not_bug(const char *s, size_t len);

/*
 * Empty the buffer and install the capture sink, remembering the sink it
 * replaces (the previous sink). Every chunk is kept; those `pass` accepts
 * also go on to the previous sink. pass: NULL swallows everything (the
 * test's stdout stays quiet); capture_pass_all shows everything.
 */
void capture_start(capture_filter_fn pass);

/*
 * capture_start(), keeping only the chunks `keep` accepts (not NULL) and
 * passing on those `pass` accepts: for a capture that stays installed
 * while other output (a suite's KTAP lines) goes by.
 */
void capture_start_keep(capture_filter_fn keep, capture_filter_fn pass);

/* Reinstall the previous sink. The text stays until the next start. */
void capture_stop(void);

/* Empty the buffer (and clear capture_truncated()), still capturing. */
void capture_clear(void);

/* The text kept, NUL-terminated; "" before any capture. */
const char *capture_text(void);

/* Its length in bytes, without the NUL. */
size_t capture_len(void);

/* True when output was dropped because the buffer was full. */
bool capture_truncated(void);

/* True when the text contains needle. */
bool capture_has(const char *needle);

/*
 * The number of times needle occurs in the text, not overlapping
 * ("aa" is in "aaaa" twice). An empty needle aborts.
 */
unsigned int capture_count(const char *needle);

/* The number of lines that start with prefix (the last may lack '\n'). */
unsigned int capture_count_lines(const char *prefix);

/* True when a line of the text, ended by '\n', is line plus that '\n'. */
bool capture_has_line(const char *line);

#endif
