// SPDX-License-Identifier: BSD-2-Clause
/* Command-line parsing (see cmdline.h). Copies; never writes the blob. */
#include "kernel/cmdline.h"

#include "lib/fmt.h"
#include "lib/printk.h"
#include "lib/string.h"

static char raw[CMDLINE_MAX];
static char buf[CMDLINE_MAX];
static const char *keys[CMDLINE_MAX_ARGS];
static const char *values[CMDLINE_MAX_ARGS];
static unsigned int nargs;

static const char *const known[] = {
	"selftest", "bench",   "crash",	    "slab_debug",
	"halt",	    "maxcpus", "shootdown",
};

void cmdline_parse(const char *bootargs)
{
	char *p;

	nargs = 0;
	fmt_snprintf(raw, sizeof(raw), "%s", bootargs ? bootargs : "");
	if (bootargs && strlen(bootargs) >= sizeof(raw))
		printk("cmdline: warning: command line truncated to %zu "
		       "bytes\n",
		       sizeof(raw) - 1);
	memcpy(buf, raw, sizeof(buf));
	p = buf;
	while (*p) {
		char *eq;
		bool ok = false;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			*p++ = '\0';
		if (!*p)
			break;
		if (nargs == CMDLINE_MAX_ARGS) {
			printk("cmdline: warning: more than %d arguments, "
			       "rest ignored\n",
			       CMDLINE_MAX_ARGS);
			break;
		}
		keys[nargs] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
		eq = strchr(keys[nargs], '=');
		if (eq) {
			*eq = '\0';
			values[nargs] = eq + 1;
		} else {
			values[nargs] = "";
		}
		for (unsigned int i = 0; i < sizeof(known) / sizeof(known[0]);
		     i++)
			ok |= strcmp(keys[nargs], known[i]) == 0;
		if (!ok) {
			printk("cmdline: warning: unknown argument '%s%s%s', "
			       "ignored\n",
			       keys[nargs], eq ? "=" : "",
			       eq ? values[nargs] : "");
			continue;
		}
		nargs++;
	}
}

const char *cmdline_get(const char *key)
{
	const char *v = NULL;

	for (unsigned int i = 0; i < nargs; i++)
		if (strcmp(keys[i], key) == 0)
			v = values[i]; /* last one wins, like Linux */
	return v;
}

bool cmdline_has(const char *key)
{
	return cmdline_get(key) != NULL;
}

const char *cmdline_raw(void)
{
	return raw;
}
