// SPDX-License-Identifier: BSD-2-Clause
/*
 * The console's line editor (see lineedit.h for the keys).
 *
 * State: the line (buf, len), the count of bytes dropped past the limit,
 * where we are in an escape sequence, and the history ring. Invariants:
 *
 *   I1  buf[len] == '\0' and len <= LINEEDIT_MAX; dropped > 0 only when
 *       len == LINEEDIT_MAX.
 *   I2  count <= LINEEDIT_HISTORY; the entries are the newest lines
 *       done, each non-empty and none equal to the one before it.
 *   I3  browse == -1 while the typed line is shown; else 0 <= browse <
 *       count and saved holds the typed line.
 *
 * What the terminal shows is always prompt + buf: a change other than
 * appending or erasing the last byte redraws the whole line ("\r",
 * prompt, buf, "ESC [ K").
 */
#include "lib/lineedit.h"

#include "lib/string.h"

#define KEY_CTRL_C 0x03
#define KEY_BS 0x08
#define KEY_LF 0x0a
#define KEY_CR 0x0d
#define KEY_CTRL_U 0x15
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f

static void out_str(struct lineedit *le, const char *s)
{
	le->out(le->ctx, s, strlen(s));
}

static void set_line(struct lineedit *le, const char *s)
{
	size_t n = strlen(s);

	memcpy(le->buf, s, n + 1);
	le->len = n;
	le->dropped = 0;
}

static void redraw(struct lineedit *le)
{
	out_str(le, "\r");
	out_str(le, le->prompt);
	le->out(le->ctx, le->buf, le->len);
	out_str(le, "\x1b[K");
}

void lineedit_init(struct lineedit *le, lineedit_out_fn out, void *ctx)
{
	memset(le, 0, sizeof(*le));
	le->out = out;
	le->ctx = ctx;
	le->prompt = "";
	le->browse = -1;
}

void lineedit_start(struct lineedit *le, const char *prompt)
{
	le->prompt = prompt;
	set_line(le, "");
	le->esc = 0;
	le->browse = -1;
	out_str(le, prompt);
}

const char *lineedit_line(const struct lineedit *le)
{
	return le->buf;
}

static const char *hist_entry(const struct lineedit *le, unsigned int i)
{
	return le->hist[(le->head + LINEEDIT_HISTORY - 1 - i) %
			LINEEDIT_HISTORY];
}

static void hist_add(struct lineedit *le, const char *line)
{
	if (!*line || (le->count && strcmp(hist_entry(le, 0), line) == 0))
		return;
	memcpy(le->hist[le->head], line, strlen(line) + 1);
	le->head = (le->head + 1) % LINEEDIT_HISTORY;
	if (le->count < LINEEDIT_HISTORY)
		le->count++;
}

/* Show the history entry `to` (-1: the typed line), I3. */
static void browse_to(struct lineedit *le, int to)
{
	if (to == le->browse)
		return;
	if (le->browse == -1)
		memcpy(le->saved, le->buf, le->len + 1);
	set_line(le, to == -1 ? le->saved : hist_entry(le, (unsigned int)to));
	le->browse = to;
	redraw(le);
}

static void escape_final(struct lineedit *le, int byte)
{
	if (byte == 'A' && le->browse + 1 < (int)le->count)
		browse_to(le, le->browse + 1);
	else if (byte == 'B' && le->browse >= 0)
		browse_to(le, le->browse - 1);
}

static void erase_last(struct lineedit *le)
{
	if (le->dropped) {
		le->dropped--;
		return;
	}
	if (le->len == 0)
		return;
	le->buf[--le->len] = '\0';
	out_str(le, "\b \b");
}

static enum lineedit_result finish(struct lineedit *le)
{
	out_str(le, "\n");
	le->browse = -1;
	if (le->dropped) {
		set_line(le, "");
		return LINEEDIT_TOO_LONG;
	}
	hist_add(le, le->buf);
	return LINEEDIT_DONE;
}

enum lineedit_result lineedit_feed(struct lineedit *le, int byte)
{
	bool after_cr = le->after_cr;

	le->after_cr = false;
	if (le->esc == 1) {
		le->esc = byte == '[' || byte == 'O' ? 2 : 0;
		return LINEEDIT_MORE;
	}
	if (le->esc == 2) {
		/* Parameter and intermediate bytes continue the sequence. */
		if (byte >= 0x20 && byte <= 0x3f)
			return LINEEDIT_MORE;
		le->esc = 0;
		escape_final(le, byte);
		return LINEEDIT_MORE;
	}
	switch (byte) {
	case KEY_CR:
		le->after_cr = true;
		return finish(le);
	case KEY_LF:
		return after_cr ? LINEEDIT_MORE : finish(le);
	case KEY_BS:
	case KEY_DEL:
		erase_last(le);
		return LINEEDIT_MORE;
	case KEY_CTRL_U:
		set_line(le, "");
		redraw(le);
		return LINEEDIT_MORE;
	case KEY_CTRL_C:
		out_str(le, "^C\n");
		set_line(le, "");
		le->browse = -1;
		return LINEEDIT_CANCEL;
	case KEY_ESC:
		le->esc = 1;
		return LINEEDIT_MORE;
	default:
		break;
	}
	if (byte < 0x20 || byte > 0x7e)
		return LINEEDIT_MORE;
	if (le->len == LINEEDIT_MAX) {
		le->dropped++;
		return LINEEDIT_MORE;
	}
	le->buf[le->len++] = (char)byte;
	le->buf[le->len] = '\0';
	le->out(le->ctx, &le->buf[le->len - 1], 1);
	return LINEEDIT_MORE;
}
