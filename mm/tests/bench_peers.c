// SPDX-License-Identifier: BSD-2-Clause
/*
 * The peers of make host-bench (see mm/tests/bench_host.c): glibc's
 * malloc, and jemalloc, mimalloc and tcmalloc from Debian's packages,
 * each loaded with dlopen(RTLD_LOCAL) so that none of them replaces the
 * process's malloc. Their malloc, free and aligned_alloc come from
 * their own handle (dlsym), and are checked before use:
 *
 *  - dladdr() puts each function in the expected library;
 *  - the library's own API sees a block its malloc returned (glibc:
 *    mallinfo2 grows; jemalloc: stats.allocated grows; mimalloc:
 *    mi_check_owned; tcmalloc: MallocExtension_GetOwnership);
 *  - afterwards the process's malloc (RTLD_DEFAULT) is still glibc's.
 *
 * "Taken" (bytes an allocator holds, for the mixed memory figure):
 *  - glibc: mallinfo2() arena + hblkhd (heap bytes from sbrk/mmap plus
 *    mmapped chunks);
 *  - jemalloc: mallctl "stats.resident" after an "epoch" refresh
 *    (metadata, pages backing live objects, dirty pages kept);
 *  - mimalloc: the process's resident set (/proc/self/statm), read while
 *    only mimalloc runs; this build keeps no statistics but committed
 *    memory, and commits whole 32 MiB segments up front on Linux;
 *  - tcmalloc: MallocExtension "generic.total_physical_bytes" (heap and
 *    metadata, less what it returned to the OS).
 * Any failure prints the reason and exits with status 1.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm/tests/bench_host.h"

/* A peer's functions, filled in at run time (never folded). */
struct peer {
	struct bench_alloc a;
	void *handle;
	void *(*aligned_alloc)(size_t align, size_t size);
	/* jemalloc */
	int (*mallctl)(const char *, void *, size_t *, void *, size_t);
	/* tcmalloc */
	int (*tc_property)(const char *, size_t *);
};

static struct peer glibc_peer, je_peer, mi_peer, tc_peer;

struct bench_alloc *bench_peers[BENCH_NR_PEERS];

void bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench_host: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* glibc: bytes in its arenas (sbrk'd or mmapped heaps) + mmapped chunks. */
static size_t glibc_taken(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.arena + mi.hblkhd;
}

/* jemalloc: stats.resident after an epoch refresh. */
static size_t je_taken(void)
{
	uint64_t epoch = 1;
	size_t v = 0, len = sizeof(v);

	je_peer.mallctl("epoch", NULL, NULL, &epoch, sizeof(epoch));
	if (je_peer.mallctl("stats.resident", &v, &len, NULL, 0))
		bench_die("%s: mallctl failed", "stats.resident");
	return v;
}

/*
 * mimalloc: growth of the process's resident set (/proc/self/statm),
 * read while only mimalloc runs. Its own counters do not serve: this
 * build keeps no statistics but committed memory, and on Linux it
 * commits whole 32 MiB segments up front (virtual, not resident).
 */
static size_t mi_taken(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f || fscanf(f, "%lu %lu", &size, &resident) != 2)
		bench_die("%s: cannot read", "/proc/self/statm");
	fclose(f);
	return resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* tcmalloc: generic.total_physical_bytes (heap + metadata - unmapped). */
static size_t tc_taken(void)
{
	size_t v = 0;

	if (!tc_peer.tc_property("generic.total_physical_bytes", &v))
		bench_die("%s: property missing",
			  "generic.total_physical_bytes");
	return v;
}

static void *must_sym(void *handle, const char *lib, const char *sym)
{
	void *f = dlsym(handle, sym);

	if (!f) {
		fprintf(stderr, "bench_host: %s has no %s: %s\n", lib, sym,
			dlerror());
		exit(1);
	}
	return f;
}

/* The file name of the object that defines f ("?" if none). */
static const char *sym_file(void *f)
{
	Dl_info info;

	if (!dladdr(f, &info) || !info.dli_fname)
		return "?";
	return info.dli_fname;
}

/* f must live in a file whose name contains `lib`. */
static void check_home(void *f, const char *lib, const char *sym)
{
	const char *file = sym_file(f);

	if (!strstr(file, lib)) {
		fprintf(stderr, "bench_host: %s resolves to %s, not %s\n", sym,
			file, lib);
		exit(1);
	}
}

static void load_peer(struct peer *p, const char *name, const char *soname)
{
	p->handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!p->handle) {
		fprintf(stderr,
			"bench_host: dlopen %s: %s\n"
			"  (install it: make deps; for jemalloc run with "
			"GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384)"
			"\n",
			soname, dlerror());
		exit(1);
	}
	p->a.name = name;
	p->a.malloc = must_sym(p->handle, soname, "malloc");
	p->a.free = must_sym(p->handle, soname, "free");
	p->aligned_alloc = must_sym(p->handle, soname, "aligned_alloc");
	check_home(p->a.malloc, soname, "malloc");
	check_home(p->a.free, soname, "free");
	check_home(p->aligned_alloc, soname, "aligned_alloc");
}

/*
 * Load and check every peer; print one "peer:" line each. The check: a
 * block from the peer's malloc shows up in the peer's own accounting,
 * and the process's malloc is still glibc's afterwards.
 */
void bench_peers_init(void)
{
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	void *p;
	size_t before, after, len;
	uint64_t epoch = 1;
	int (*mi_version)(void);
	bool (*mi_check_owned)(const void *);
	const char *(*tc_version)(int *, int *, const char **);
	int (*tc_owner)(const void *);
	const char *jever = "?";
	int maj, min;
	const char *patch;

	if (!libc)
		bench_die("%s not loaded", "libc.so.6");
	glibc_peer.a.name = "glibc";
	glibc_peer.a.malloc = must_sym(libc, "libc.so.6", "malloc");
	glibc_peer.a.free = must_sym(libc, "libc.so.6", "free");
	glibc_peer.aligned_alloc = must_sym(libc, "libc.so.6", "aligned_alloc");
	check_home(glibc_peer.a.malloc, "libc.so", "malloc");
	before = mallinfo2().uordblks;
	p = glibc_peer.a.malloc(1000);
	after = mallinfo2().uordblks;
	if (!p || after < before + 1000)
		bench_die("%s: malloc(1000) not seen by mallinfo2", "glibc");
	glibc_peer.a.free(p);
	printf("peer: glibc %s malloc in %s (mallinfo2 counts its blocks)\n",
	       gnu_get_libc_version(), sym_file(glibc_peer.a.malloc));

	load_peer(&je_peer, "jemalloc", "libjemalloc.so.2");
	je_peer.mallctl = must_sym(je_peer.handle, "jemalloc", "mallctl");
	check_home(je_peer.mallctl, "libjemalloc.so", "mallctl");
	len = sizeof(jever);
	je_peer.mallctl("version", &jever, &len, NULL, 0);
	len = sizeof(before);
	je_peer.mallctl("epoch", NULL, NULL, &epoch, sizeof(epoch));
	je_peer.mallctl("stats.allocated", &before, &len, NULL, 0);
	p = je_peer.a.malloc(100000);
	je_peer.mallctl("epoch", NULL, NULL, &epoch, sizeof(epoch));
	je_peer.mallctl("stats.allocated", &after, &len, NULL, 0);
	if (!p || after < before + 100000)
		bench_die("%s: malloc not seen in stats.allocated", "jemalloc");
	je_peer.a.free(p);
	printf("peer: jemalloc %s malloc in %s (mallctl \"version\"; "
	       "stats.allocated counts its blocks)\n",
	       jever, sym_file(je_peer.a.malloc));

	load_peer(&mi_peer, "mimalloc", "libmimalloc.so.2");
	mi_version = must_sym(mi_peer.handle, "mimalloc", "mi_version");
	mi_check_owned = must_sym(mi_peer.handle, "mimalloc", "mi_check_owned");
	p = mi_peer.a.malloc(64);
	if (!p || !mi_check_owned(p))
		bench_die("%s: malloc'd block not mi_check_owned", "mimalloc");
	mi_peer.a.free(p);
	printf("peer: mimalloc %d malloc in %s (mi_version; mi_check_owned "
	       "owns its blocks)\n",
	       mi_version(), sym_file(mi_peer.a.malloc));

	load_peer(&tc_peer, "tcmalloc", "libtcmalloc_minimal.so.4");
	tc_version = must_sym(tc_peer.handle, "tcmalloc", "tc_version");
	tc_owner = must_sym(tc_peer.handle, "tcmalloc",
			    "MallocExtension_GetOwnership");
	tc_peer.tc_property = must_sym(tc_peer.handle, "tcmalloc",
				       "MallocExtension_GetNumericProperty");
	p = tc_peer.a.malloc(64);
	/* MallocExtension::kOwned == 1 */
	if (!p || tc_owner(p) != 1)
		bench_die("%s: malloc'd block not owned", "tcmalloc");
	tc_peer.a.free(p);
	printf("peer: tcmalloc %s malloc in %s (tc_version; "
	       "MallocExtension_GetOwnership owns its blocks)\n",
	       tc_version(&maj, &min, &patch), sym_file(tc_peer.a.malloc));

	check_home(dlsym(RTLD_DEFAULT, "malloc"), "libc.so", "process malloc");
	printf("peer: process malloc still in %s\n",
	       sym_file(dlsym(RTLD_DEFAULT, "malloc")));

	glibc_peer.a.page_alloc = glibc_peer.aligned_alloc;
	je_peer.a.page_alloc = je_peer.aligned_alloc;
	mi_peer.a.page_alloc = mi_peer.aligned_alloc;
	tc_peer.a.page_alloc = tc_peer.aligned_alloc;
	glibc_peer.a.page_free = glibc_peer.a.free;
	je_peer.a.page_free = je_peer.a.free;
	mi_peer.a.page_free = mi_peer.a.free;
	tc_peer.a.page_free = tc_peer.a.free;
	glibc_peer.a.taken = glibc_taken;
	je_peer.a.taken = je_taken;
	mi_peer.a.taken = mi_taken;
	tc_peer.a.taken = tc_taken;
	bench_peers[0] = &glibc_peer.a;
	bench_peers[1] = &je_peer.a;
	bench_peers[2] = &mi_peer.a;
	bench_peers[3] = &tc_peer.a;
}
