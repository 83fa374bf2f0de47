/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A line editor over a byte stream, for the memory console: the bytes
 * typed come in one at a time through lineedit_feed(); echo and redraws
 * go out through a callback. No terminal is assumed beyond carriage
 * return, backspace and "ESC [ K" (erase to end of line).
 *
 *   printable (0x20-0x7e)  inserted at the end of the line and echoed
 *   Enter (CR, LF, CR LF)  the line is done
 *   Backspace (0x7f, 0x08) erase the last byte
 *   Ctrl-U (0x15)          erase the whole line
 *   Ctrl-C (0x03)          drop the line ("^C"), the caller prompts anew
 *   Up, Down (ESC [ A/B,   older and newer lines of the history; Down
 *     ESC O A/B)           past the newest gives back the line that was
 *                          being typed
 *   other escape sequences, other control bytes and bytes >= 0x80 are
 *   ignored
 *
 * A line holds LINEEDIT_MAX bytes. Bytes typed beyond that are counted
 * but neither kept nor echoed (Backspace takes them back first); Enter
 * on such a line returns LINEEDIT_TOO_LONG and forgets it, so that a
 * command is never run cut short.
 *
 * The history keeps the last LINEEDIT_HISTORY lines that were done, not
 * empty, and not equal to the newest entry. Single owner, no locks.
 */
#ifndef LIB_LINEEDIT_H
#define LIB_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINEEDIT_MAX 255 /* bytes in a line, without the NUL */
#define LINEEDIT_HISTORY 16 /* lines remembered */

enum lineedit_result {
	LINEEDIT_MORE, /* keep feeding */
	LINEEDIT_DONE, /* lineedit_line() holds the line */
	LINEEDIT_CANCEL, /* Ctrl-C: the line was dropped */
	LINEEDIT_TOO_LONG, /* Enter on a line over LINEEDIT_MAX bytes */
};

typedef void (*lineedit_out_fn)(void *ctx, const char *s, size_t len);

struct lineedit {
	lineedit_out_fn out;
	void *ctx;
	const char *prompt; /* redrawn with the line */
	char buf[LINEEDIT_MAX + 1];
	size_t len;
	size_t dropped; /* bytes typed past LINEEDIT_MAX */
	unsigned int esc; /* 0, 1 after ESC, 2 inside ESC [ or ESC O */
	bool after_cr; /* the last byte was CR: a LF next is its pair */
	/* History: hist[(head - 1 - i) % N] is the i-th newest of count. */
	char hist[LINEEDIT_HISTORY][LINEEDIT_MAX + 1];
	unsigned int head, count;
	int browse; /* -1: the typed line; else the entry shown */
	char saved[LINEEDIT_MAX + 1]; /* the typed line while browsing */
};

/* Set up an editor writing through out(ctx, ...); the history is empty. */
void lineedit_init(struct lineedit *le, lineedit_out_fn out, void *ctx);

/* Start a new line: print prompt (kept for redraws) and clear the line. */
void lineedit_start(struct lineedit *le, const char *prompt);

/* Take one byte (0..255); returns what it completed, if anything. */
enum lineedit_result lineedit_feed(struct lineedit *le, int byte);

/* The line after LINEEDIT_DONE (NUL-terminated, until the next start). */
const char *lineedit_line(const struct lineedit *le);

#endif /* LIB_LINEEDIT_H */
