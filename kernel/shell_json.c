// SPDX-License-Identifier: BSD-2-Clause
/*
 * The memory console's JSON lines (see shell_internal.h): one object per
 * line, {"cmd":"<command>", ...}. Each piece is flushed as it is
 * written, so that an object longer than printk's line buffer (a
 * vmalloc area's pfns, every slab cache) still comes out whole.
 */
#include "kernel/shell_internal.h"
#include "lib/printk.h"

static void piece(const char *s)
{
	printk("%s", s);
	printk_flush();
}

/* A comma unless this is the first member at the current level. */
static void sep(struct json *j)
{
	if (!j->first[j->depth])
		piece(",");
	j->first[j->depth] = false;
}

static void key(struct json *j, const char *k)
{
	sep(j);
	if (k) {
		printk("\"%s\":", k);
		printk_flush();
	}
}

static void string(const char *s)
{
	char buf[8];

	piece("\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[0] = '\\';
			buf[1] = (char)c;
			buf[2] = '\0';
			piece(buf);
		} else if (c < 0x20 || c > 0x7e) {
			printk("\\u%04x", c);
		} else {
			buf[0] = (char)c;
			buf[1] = '\0';
			printk("%s", buf);
		}
	}
	piece("\"");
}

void json_begin(struct json *j, const char *cmd)
{
	j->depth = 0;
	j->first[0] = true;
	piece("{");
	json_str(j, "cmd", cmd);
}

void json_end(struct json *j)
{
	printk("}\n");
}

void json_u64(struct json *j, const char *k, uint64_t v)
{
	key(j, k);
	printk("%lu", (unsigned long)v);
	printk_flush();
}

void json_hex(struct json *j, const char *k, uint64_t v)
{
	key(j, k);
	printk("\"0x%lx\"", (unsigned long)v);
	printk_flush();
}

void json_str(struct json *j, const char *k, const char *s)
{
	key(j, k);
	string(s);
}

void json_bool(struct json *j, const char *k, bool v)
{
	key(j, k);
	piece(v ? "true" : "false");
}

static void open_level(struct json *j, const char *k, const char *bracket)
{
	key(j, k);
	piece(bracket);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

void json_array_begin(struct json *j, const char *k)
{
	open_level(j, k, "[");
}

void json_array_end(struct json *j)
{
	if (j->depth)
		j->depth--;
	piece("]");
}

void json_object_begin(struct json *j, const char *k)
{
	open_level(j, k, "{");
}

void json_object_end(struct json *j)
{
	if (j->depth)
		j->depth--;
	piece("}");
}

void json_elem_u64(struct json *j, uint64_t v)
{
	json_u64(j, NULL, v);
}

void json_elem_hex(struct json *j, uint64_t v)
{
	json_hex(j, NULL, v);
}
