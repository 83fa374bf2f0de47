/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * make host-bench (mm/tests/bench_host.c): an allocator as the workloads
 * see it, and the peers it is compared with (mm/tests/bench_peers.c).
 */
#ifndef MM_TESTS_BENCH_HOST_H
#define MM_TESTS_BENCH_HOST_H

#include <stddef.h>

struct bench_alloc {
	const char *name;
	void *(*malloc)(size_t size);
	void (*free)(void *p);
	/* One page: called as page_alloc(4096, 4096), aligned_alloc's
	 * arguments; the project ignores them and takes an order-0 page. */
	void *(*page_alloc)(size_t align, size_t size);
	void (*page_free)(void *page);
	size_t (*taken)(void); /* bytes held from the OS (or buddy) now */
};

/* glibc, jemalloc, mimalloc, tcmalloc, in that order. */
#define BENCH_NR_PEERS 4
extern struct bench_alloc *bench_peers[BENCH_NR_PEERS];

/*
 * Load every peer, check it (see bench_peers.c) and print one "peer:"
 * line each, then one for the process's malloc. Exits with status 1 and
 * the reason if a library is missing or a check fails.
 */
void bench_peers_init(void);

/* Print "bench_host: " and the message to stderr, exit with status 1. */
void bench_die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#endif /* MM_TESTS_BENCH_HOST_H */
