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
	"selftest",
	"bench",
	"crash",
	"slab_debug",
	"halt",
	"maxcpus",
	"shootdown",
	"buddy_trace",
	"buddy",
	"page_trace",
	"fail_page_alloc",
	"failslab",
	"fail_seed",
	"fail_page_alloc.ignore_gfp_wait",
	"fail_page_alloc.min_order",
	"failslab.ignore_gfp_wait",
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Name every argument in rest, which did not fit: commands by key too. */
static void warn_dropped(const char *rest)
{
	static const char *const commands[] = { "selftest", "bench", "crash" };
	unsigned int n = 0, shown = 0;

	for (const char *p = rest; *p;) {
		const char *w;
		char arg[64]; /* from outside: printed escaped */
		size_t len, k;

		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		w = p;
		while (*p && !is_blank(*p))
			p++;
		len = (size_t)(p - w);
		k = len < sizeof(arg) ? len : sizeof(arg) - 1;
		memcpy(arg, w, k);
		arg[k] = '\0';
		if (shown < 8) {
			printk("cmdline: warning: dropped argument '%pE%s'\n",
			       arg, len > k ? "..." : "");
			shown++;
		}
		n++;
		for (unsigned int i = 0; i < 3; i++) {
			size_t kl = strlen(commands[i]);

			if (len >= kl && strncmp(w, commands[i], kl) == 0 &&
			    (len == kl || w[kl] == '='))
				printk("cmdline: warning: %s= was dropped: it "
				       "does not run\n",
				       commands[i]);
		}
	}
	if (n > shown)
		printk("cmdline: warning: %u more arguments dropped\n",
		       n - shown);
}

void cmdline_parse(const char *bootargs)
{
	size_t len = bootargs ? strlen(bootargs) : 0;
	char *p;

	nargs = 0;
	fmt_snprintf(raw, sizeof(raw), "%s", bootargs ? bootargs : "");
	if (len >= sizeof(raw)) {
		/* Keep whole arguments only: cut at the last blank that fits. */
		size_t cut = sizeof(raw) - 1;

		while (cut > 0 && !is_blank(bootargs[cut]))
			cut--;
		raw[cut] = '\0';
		printk("cmdline: warning: command line truncated to %zu "
		       "bytes\n",
		       cut);
		warn_dropped(bootargs + cut);
	}
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
			printk("cmdline: warning: unknown argument '%pE%s%pE', "
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
