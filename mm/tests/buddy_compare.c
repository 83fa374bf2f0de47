// SPDX-License-Identifier: BSD-2-Clause
/*
 * make buddy-compare: every buddy policy of mm/buddy_policy.c on the same
 * request traces, through the real mm/buddy_arena.c, measuring
 * fragmentation as Peterson and Norman ("Buddy systems", CACM 1977) and
 * Shen and Peterson (CACM 1974) discuss it. harness/buddy_compare.py
 * runs it (once more under callgrind for the instruction counts) and
 * writes the table and the plot.
 *
 * A trace is a sequence of allocations and frees (sizes in units): each
 * allocation gets a lifetime drawn from an exponential distribution
 * (mean TRACE_LIFETIME allocations), the classic steady-state model, so
 * about TRACE_LIFETIME blocks are live at a time. Sizes come from
 *   uniform      1 .. 2 * UNIFORM_MEAN - 1 units, uniformly;
 *   exponential  1 + floor(Exp(EXP_MEAN)) units;
 *   loguniform   2^U(0, 12) units (1 .. 4096), as kmalloc sees;
 *   kernel       a recorded trace file (pages), when given.
 *
 * For each policy and trace:
 *   internal  sum over time of (block - requested) / sum of block: the
 *             share of allocated memory that requests do not use;
 *   M         the smallest arena (units) on which the whole trace runs
 *             without a failed allocation (binary search);
 *   external  (M - peak units in blocks) / M: memory the trace needed
 *             beyond what its blocks ever held at once;
 *   total     (M - peak units requested) / M.
 *
 * Output, one line per policy and trace:
 *   buddy-compare: <policy> <trace> internal <pct> external <pct> total
 *   <pct> arena <M> ops <n>
 * With --callgrind <policy> <trace> <units> it only replays that trace
 * once on an arena of <units> units and prints "buddy-compare: callgrind
 * allocs <a> frees <f>", for callgrind to count the instructions of
 * buddy_arena_alloc and buddy_arena_free (harness/buddy_compare.py).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kernel.h"
#include "lib/rand.h"
#include "mm/buddy_arena.h"

#define TRACE_ALLOCS 20000
#define TRACE_LIFETIME 500
#define UNIFORM_MEAN 64
#define EXP_MEAN 64

struct event {
	uint32_t id; /* allocation number */
	uint32_t units; /* 0: free of allocation id */
};

struct trace {
	const char *name;
	struct event *ev;
	size_t n, cap;
	uint32_t nallocs;
};

static void push(struct trace *t, uint32_t id, uint32_t units)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 4096;
		t->ev = realloc(t->ev, t->cap * sizeof(*t->ev));
		if (!t->ev) {
			perror("buddy_compare");
			exit(2);
		}
	}
	t->ev[t->n++] = (struct event){ id, units };
}

static double uniform01(struct rand_state *r)
{
	return ((double)(rand_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static uint32_t draw(struct rand_state *r, const char *kind)
{
	if (!strcmp(kind, "uniform"))
		return 1 + (uint32_t)rand_below(r, 2 * UNIFORM_MEAN - 1);
	if (!strcmp(kind, "exponential"))
		return 1 + (uint32_t)(-log(uniform01(r)) * EXP_MEAN);
	return (uint32_t)exp2(uniform01(r) * 12.0);
}

/* Allocations with exponential lifetimes; frees in order of death. */
static void make_trace(struct trace *t, const char *kind, uint64_t seed)
{
	struct rand_state r;
	struct {
		double death;
		uint32_t id;
	} *live = calloc(TRACE_ALLOCS, sizeof(*live));
	size_t nlive = 0;

	if (!live)
		exit(2);
	rand_seed(&r, seed);
	t->name = kind;
	for (uint32_t i = 0; i < TRACE_ALLOCS; i++) {
		/* free everything that died before this arrival */
		for (size_t k = 0; k < nlive;) {
			if (live[k].death <= i) {
				push(t, live[k].id, 0);
				live[k] = live[--nlive];
			} else {
				k++;
			}
		}
		push(t, i, draw(&r, kind));
		live[nlive].id = i;
		live[nlive++].death = i - log(uniform01(&r)) * TRACE_LIFETIME;
	}
	while (nlive)
		push(t, live[--nlive].id, 0);
	t->nallocs = TRACE_ALLOCS;
	free(live);
}

/*
 * A recorded trace (make buddy-trace, harness/record_trace.py): lines
 * "alloc <id> <units>" and "free <id>", ids below 2^31, each allocated
 * once and freed at most once after it; blank lines and "#" comments
 * are skipped. Returns false if the file cannot be read; any other line,
 * an id allocated twice or a free of an id that is not live stops the
 * program with the file and line.
 */
static void trace_error(const char *path, unsigned int n, const char *what,
			const char *line)
{
	fprintf(stderr, "buddy_compare: %s:%u: %s: %s", path, n, what, line);
	if (!strchr(line, '\n'))
		fputc('\n', stderr);
	exit(2);
}

static bool load_trace(struct trace *t, const char *path)
{
	FILE *f = fopen(path, "r");
	uint8_t *state = NULL; /* per id: 0 never seen, 1 live, 2 freed */
	size_t nstate = 0;
	unsigned int n = 0;
	char line[128];

	if (!f)
		return false;
	t->name = "kernel";
	while (fgets(line, sizeof(line), f)) {
		unsigned long id, units;
		char end;

		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			/* Longer than line[]: a comment's rest is skipped. */
			int c;

			if (line[0] != '#')
				trace_error(path, n, "line too long", line);
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (sscanf(line, "alloc %lu %lu %c", &id, &units, &end) == 2) {
			if (!units || units > UINT32_MAX || id >= (1UL << 31))
				trace_error(path, n, "size or id out of range",
					    line);
			if (id >= nstate) {
				size_t grow = MAX(2 * nstate, id + 1);

				state = realloc(state, grow);
				if (!state) {
					perror("buddy_compare");
					exit(2);
				}
				memset(state + nstate, 0, grow - nstate);
				nstate = grow;
			}
			if (state[id])
				trace_error(path, n, "id allocated twice",
					    line);
			state[id] = 1;
			push(t, (uint32_t)id, (uint32_t)units);
			t->nallocs = MAX(t->nallocs, (uint32_t)id + 1);
		} else if (sscanf(line, "free %lu %c", &id, &end) == 1) {
			if (id >= nstate || state[id] != 1)
				trace_error(path, n,
					    "free of an id that is not "
					    "live",
					    line);
			state[id] = 2;
			push(t, (uint32_t)id, 0);
		} else {
			trace_error(path, n,
				    "expected 'alloc <id> <units>' "
				    "or 'free <id>'",
				    line);
		}
	}
	fclose(f);
	free(state);
	return t->n > 0;
}

struct result {
	bool ok;
	double internal; /* time-weighted */
	uint64_t peak_blocks, peak_req;
};

static struct buddy_arena arena;

/* Replay t on an arena of m units; ok is false at the first failure. */
static struct result replay(const struct trace *t, int policy, uint64_t m)
{
	static struct buddy_arena_block *meta;
	static size_t meta_n;
	uintptr_t *addr = calloc(t->nallocs, sizeof(*addr));
	uint32_t *got = calloc(t->nallocs, sizeof(*got)),
		 *req = calloc(t->nallocs, sizeof(*req));
	struct result res = { .ok = true };
	uint64_t blocks = 0, reqs = 0;
	double sum_waste = 0, sum_blocks = 0;

	if (meta_n < m) {
		free(meta);
		meta = calloc(m, sizeof(*meta));
		meta_n = m;
	}
	if (!addr || !got || !req || !meta ||
	    buddy_arena_init(&arena, "compare", 0x10000, m, 1, policy, meta,
			     m * sizeof(*meta))) {
		fprintf(stderr, "buddy_compare: cannot set up %lu units\n",
			(unsigned long)m);
		exit(2);
	}
	for (size_t i = 0; i < t->n && res.ok; i++) {
		const struct event *e = &t->ev[i];

		if (e->units) {
			uint64_t g = 0;

			addr[e->id] = buddy_arena_alloc(&arena, e->units, &g);
			if (!addr[e->id]) {
				res.ok = false;
				break;
			}
			got[e->id] = (uint32_t)g;
			req[e->id] = e->units;
			blocks += g;
			reqs += e->units;
		} else if (addr[e->id]) {
			buddy_arena_free(&arena, addr[e->id]);
			addr[e->id] = 0;
			blocks -= got[e->id];
			reqs -= req[e->id];
		}
		res.peak_blocks = MAX(res.peak_blocks, blocks);
		res.peak_req = MAX(res.peak_req, reqs);
		sum_waste += (double)(blocks - reqs);
		sum_blocks += (double)blocks;
	}
	res.internal = sum_blocks ? sum_waste / sum_blocks : 0;
	free(addr);
	free(got);
	free(req);
	return res;
}

/* The smallest arena that runs the whole trace. */
static uint64_t min_arena(const struct trace *t, int policy)
{
	uint64_t lo = 1, hi = 1;

	while (!replay(t, policy, hi).ok)
		hi *= 2;
	lo = hi / 2;
	while (lo + 1 < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (replay(t, policy, mid).ok)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static void usage(void)
{
	fprintf(stderr, "usage: buddy_compare [--kernel-trace FILE] "
			"[--callgrind POLICY TRACE UNITS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const char *const kinds[] = { "uniform", "exponential",
					     "loguniform" };
	struct trace traces[4] = { 0 };
	const char *kernel = NULL, *cg_policy = NULL, *cg_trace = NULL;
	unsigned long cg_units = 0;
	unsigned int nt = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel-trace") && i + 1 < argc)
			kernel = argv[++i];
		else if (!strcmp(argv[i], "--callgrind") && i + 3 < argc) {
			cg_policy = argv[++i];
			cg_trace = argv[++i];
			cg_units = strtoul(argv[++i], NULL, 0);
		} else {
			usage();
		}
	}
	for (unsigned int k = 0; k < 3; k++)
		make_trace(&traces[nt++], kinds[k], 1977 + k);
	if (kernel) {
		if (!load_trace(&traces[nt], kernel)) {
			fprintf(stderr, "buddy_compare: cannot read %s\n",
				kernel);
			return 2;
		}
		nt++;
	}
	if (cg_policy) {
		int p = buddy_policy_lookup(cg_policy);

		for (unsigned int k = 0; k < nt && p >= 0 && cg_units; k++)
			if (!strcmp(traces[k].name, cg_trace)) {
				size_t frees = 0;

				for (size_t i = 0; i < traces[k].n; i++)
					frees += !traces[k].ev[i].units;
				if (!replay(&traces[k], p, cg_units).ok) {
					fprintf(stderr,
						"buddy_compare: %s %s "
						"fails on %lu units\n",
						cg_policy, cg_trace, cg_units);
					return 1;
				}
				printf("buddy-compare: callgrind allocs %zu "
				       "frees %zu\n",
				       traces[k].n - frees, frees);
				return 0;
			}
		usage();
	}
	for (unsigned int k = 0; k < nt; k++)
		for (int p = 0; p < BUDDY_NR_POLICIES; p++) {
			uint64_t m = min_arena(&traces[k], p);
			struct result r = replay(&traces[k], p, m);

			printf("buddy-compare: %s %s internal %.1f external "
			       "%.1f total %.1f arena %lu ops %zu\n",
			       buddy_policy_name(p), traces[k].name,
			       100.0 * r.internal,
			       100.0 * (double)(m - r.peak_blocks) / (double)m,
			       100.0 * (double)(m - r.peak_req) / (double)m,
			       (unsigned long)m, traces[k].n);
			fflush(stdout);
		}
	return 0;
}
