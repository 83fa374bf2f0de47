/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to the memory console (kernel/shell*.c): the command table's
 * entry, argument helpers that print the console's "error: ..." lines,
 * and a JSON line writer.
 *
 * Every command returns 0, or -1 after printing exactly one "error:"
 * line. Output that is not an error is either text (the kernel's own
 * contract lines where there is one) or, with `json on`, exactly one
 * JSON object on one line for the introspection and allocation
 * commands. Trace and BUG lines are printed by the allocators as events
 * happen, before the command's own output.
 */
#ifndef KERNEL_SHELL_INTERNAL_H
#define KERNEL_SHELL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/kernel.h"

#define SHELL_MAX_ARGS 8 /* words in a line, the command included */

struct shell_cmd {
	const char *name;
	const char *usage; /* arguments, "" when none */
	const char *help; /* one line for `help` */
	unsigned int min_args, max_args; /* words after the name */
	int (*run)(int argc, char **argv); /* argv[0] is the name */
};

/* `json on`: introspection and allocation results as JSON lines. */
extern bool shell_json;

/* Print "error: <message>" and return -1. */
int shell_error(const char *fmt, ...) __printf(1, 2);
/* A number (decimal or 0x-hex) for argument `what`; -1 with an error. */
int shell_arg_u64(const char *cmd, const char *what, const char *s,
		  uint64_t *out);
/* A size (K, M, G suffixes), at least 1 and at most max; -1 with an error. */
int shell_arg_size(const char *cmd, const char *s, uint64_t max, uint64_t *out);

/*
 * JSON, one object per line, written in pieces (each flushed, so a line
 * longer than printk's buffer is not cut). Keys are literals; strings
 * are escaped. Addresses are hex strings ("0x..."), counts numbers.
 */
#define JSON_MAX_DEPTH 4
struct json {
	unsigned int depth; /* 0: the line's object */
	bool first[JSON_MAX_DEPTH]; /* no member written yet at that level */
};
void json_begin(struct json *j, const char *cmd);
void json_end(struct json *j);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_hex(struct json *j, const char *key, uint64_t v);
void json_str(struct json *j, const char *key, const char *s);
void json_bool(struct json *j, const char *key, bool v);
/* Arrays and nested objects: key NULL inside an array. */
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_elem_u64(struct json *j, uint64_t v);
void json_elem_hex(struct json *j, uint64_t v);

/* Commands, by group (kernel/shell_info.c, kernel/shell_mm.c). */
int shell_meminfo(int argc, char **argv);
int shell_buddyinfo(int argc, char **argv);
int shell_slabinfo(int argc, char **argv);
int shell_vmallocinfo(int argc, char **argv);
int shell_memmap(int argc, char **argv);
int shell_check(int argc, char **argv);
int shell_drain(int argc, char **argv);
int shell_walk(int argc, char **argv);

int shell_alloc(int argc, char **argv);
int shell_free(int argc, char **argv);
int shell_kmalloc(int argc, char **argv);
int shell_kfree(int argc, char **argv);
int shell_vmalloc(int argc, char **argv);
int shell_vfree(int argc, char **argv);
int shell_cache(int argc, char **argv);

#endif /* KERNEL_SHELL_INTERNAL_H */
