// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for vmalloc and vmap (mm/vmalloc.c) over the real
 * buddy allocator and page tables, and for a vmem arena (mm/vmem.c) of
 * its own.
 *
 * Scenario: the buddy allocator (16 MiB of fake memory) is set up once.
 * Each input starts with a header: the size of the vmalloc range (16 to
 * 1039 pages, so that it fills up), how many page-table pages may be
 * allocated before that fails, and the vmem arena's quantum, size and
 * how many descriptor refills it gets before they fail. vmalloc and
 * the arena are built afresh. Then each operation is one of
 *   vmalloc / vzalloc / __vmalloc (GFP_DMA32), vmap of buddy pages with
 *   any protection (bad ones included), vfree / vunmap of a live area,
 *   a misuse: vfree or vunmap of a pointer inside an area, of an area
 *   just freed (before or after the purge that releases it), of the
 *   other kind of area, of a guard page, of an
 *   address outside the range,
 *   vmalloc_purge, vmallocinfo, vmem_dump, vmalloc_describe,
 *   vmem_xalloc (any size and alignment), vmem_free, a vmem_free of
 *   something that is not a segment start, vmem_lookup.
 *
 * The reference model holds every live area (address, size, vmalloc or
 * vmap, its pages) and every arena segment. Expect, after every
 * operation: vmalloc_check() and vmem_check() find nothing; a new area
 * is page aligned, inside the range, and with its guard page overlaps
 * no live area; each page maps a frame read+write (vmalloc) or the
 * given page with the given protection (vmap), vmalloc_to_page agrees,
 * the guard page is unmapped, vzalloc memory is zero; a refused call
 * (misuse, bad protection) counts one bug (misuse) or a failure and
 * changes nothing; every area keeps its contents until freed; a vmem
 * segment is aligned, inside the arena, overlaps no live one, and
 * vmem_lookup finds it; at the end every frame and table page goes back
 * to the buddy allocator.
 */
#include <string.h>

#include "lib/errno.h"
#include "mm/buddy.h"
#include "mm/layout.h"
#include "mm/linear.h"
#include "mm/tests/fuzz_ops.h"
#include "mm/tests/host_arch.h"
#include "mm/vmalloc.h"
#include "mm/vmem.h"

const char *fuzz_name = "fuzz_vmalloc";

#define RAM_BASE 0x80000000UL
#define RAM_SIZE (16UL << 20)
#define VSTART VMALLOC_START
#define AREAS_MAX 32
#define AREA_PAGES_MAX 64
#define SEGS_MAX 64
#define ARENA_BASE 0x100000UL

/* ------------------------------------------------------- page tables */

static struct pgtable pt;
/* Table pages: host_pt_buddy_ops (mm/tests/host_arch.c). */

/* ------------------------------------------------------------ model */

static struct area {
	vaddr_t va;
	size_t pages;
	bool is_vmap;
	unsigned int prot;
	uint64_t tag;
	struct page *frames[AREA_PAGES_MAX]; /* vmap: the caller's pages */
} areas[AREAS_MAX];
static unsigned int nr_areas;
static vaddr_t vend;
static uint64_t next_tag, baseline_free;

static struct vmem arena;
static struct vmem_seg seed[4];
static int refills_left; /* descriptor chunks before refill fails */
static size_t quantum;
static struct seg {
	vaddr_t start;
	size_t size;
} segs[SEGS_MAX];
static unsigned int nr_segs;

static void *fz_refill(void *ctx)
{
	(void)ctx;
	if (refills_left == 0)
		return NULL;
	refills_left--;
	return malloc(VMEM_REFILL_SIZE);
}

static void fz_release(void *ctx, void *mem)
{
	(void)ctx;
	free(mem);
}

static const struct vmem_seg_source arena_src = { seed, ARRAY_SIZE(seed),
						  fz_refill, fz_release, NULL };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup_output();
	host_phys_init_buddy(RAM_BASE, RAM_SIZE);
	baseline_free = host_buddy_free_pages();
	return 0;
}

static void stats(struct vmalloc_stats *st)
{
	vmalloc_get_stats(st);
}

/* Host pointer to the word at vmalloc address va, through the table. */
static uint64_t *word_at(vaddr_t va)
{
	paddr_t pa;
	int err = pt_lookup(&pt, va, &pa, NULL, NULL);

	CHECK(err == 0, "0x%lx of a live area not mapped (%d)",
	      (unsigned long)va, err);
	return phys_to_virt(pa);
}

/*
 * First and last word of every page carry the area's pattern (written
 * through the frame, so read-only vmap areas carry one too).
 */
static void pattern(const struct area *a, bool check)
{
	for (size_t i = 0; i < a->pages; i++) {
		vaddr_t va = a->va + i * PAGE_SIZE;
		uint64_t *first = word_at(va);
		uint64_t *last = word_at(va + PAGE_SIZE - 8);

		if (!check) {
			*first = fuzz_pattern(a->tag, 2 * i);
			*last = fuzz_pattern(a->tag, 2 * i + 1);
			continue;
		}
		CHECK(*first == fuzz_pattern(a->tag, 2 * i) &&
			      *last == fuzz_pattern(a->tag, 2 * i + 1),
		      "area 0x%lx page %zu overwritten", (unsigned long)a->va,
		      i);
	}
}

static void check_state(void)
{
	int bad = vmalloc_check();

	CHECK(bad == 0, "vmalloc_check found %d violations", bad);
	bad = vmem_check(&arena);
	CHECK(bad == 0, "vmem_check found %d violations", bad);
}

/* A new area: where it is, what it maps, what is around it. */
static void took(struct area *a, bool zeroed)
{
	vaddr_t end = a->va + a->pages * PAGE_SIZE;
	static const uint8_t zero[PAGE_SIZE];
	paddr_t pa;
	unsigned int prot;
	size_t leaf;

	CHECK(a->va >= VSTART && (a->va & ~PAGE_MASK) == 0 &&
		      end + PAGE_SIZE <= vend,
	      "area 0x%lx (%zu pages) outside [0x%lx, 0x%lx)",
	      (unsigned long)a->va, a->pages, (unsigned long)VSTART,
	      (unsigned long)vend);
	for (unsigned int i = 0; i < nr_areas; i++) {
		const struct area *o = &areas[i];

		CHECK(end + PAGE_SIZE <= o->va ||
			      o->va + (o->pages + 1) * PAGE_SIZE <= a->va,
		      "area 0x%lx overlaps 0x%lx", (unsigned long)a->va,
		      (unsigned long)o->va);
	}
	for (size_t i = 0; i < a->pages; i++) {
		vaddr_t va = a->va + i * PAGE_SIZE;
		struct page *page;

		CHECK(pt_lookup(&pt, va, &pa, &prot, &leaf) == 0 &&
			      leaf == PAGE_SIZE,
		      "0x%lx not mapped by a 4 KiB leaf", (unsigned long)va);
		CHECK((prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) == a->prot,
		      "0x%lx prot 0x%x, expected 0x%x", (unsigned long)va, prot,
		      a->prot);
		page = vmalloc_to_page((void *)va);
		CHECK(page && pfn_to_paddr(page_to_pfn(page)) == pa,
		      "vmalloc_to_page(0x%lx) disagrees", (unsigned long)va);
		if (a->is_vmap)
			CHECK(page == a->frames[i], "vmap page %zu", i);
		if (zeroed)
			CHECK(memcmp(phys_to_virt(pa), zero, PAGE_SIZE) == 0,
			      "vzalloc page 0x%lx not zero", (unsigned long)va);
	}
	CHECK(pt_lookup(&pt, end, NULL, NULL, NULL) == -ENOENT,
	      "guard page 0x%lx mapped", (unsigned long)end);
	a->tag = ++next_tag;
	pattern(a, false);
	nr_areas++;
}

static void op_vmalloc(struct fuzz_in *in)
{
	uint8_t how = fuzz_u8(in);
	size_t size = fuzz_below(in, AREA_PAGES_MAX * PAGE_SIZE);
	struct vmalloc_stats before, after;
	struct area *a = &areas[nr_areas];
	void *p;

	if (nr_areas == AREAS_MAX)
		return;
	stats(&before);
	switch (how % 3) {
	case 0:
		p = vmalloc(size);
		break;
	case 1:
		p = vzalloc(size);
		break;
	default:
		p = __vmalloc(size, GFP_DMA32 | __GFP_NOWARN);
		break;
	}
	if (!p) {
		stats(&after);
		CHECK(after.nr_areas == before.nr_areas &&
			      after.nr_pages == before.nr_pages &&
			      after.failures == before.failures + 1,
		      "failed vmalloc(%zu) left areas %zu pages %zu failures "
		      "%llu",
		      size, after.nr_areas, after.nr_pages,
		      (unsigned long long)after.failures);
		return;
	}
	CHECK(size != 0, "vmalloc(0) returned %p", p);
	a->va = (vaddr_t)p;
	a->pages = DIV_ROUND_UP(size, PAGE_SIZE);
	a->is_vmap = false;
	a->prot = PROT_READ | PROT_WRITE;
	took(a, how % 3 == 1);
}

static const unsigned int vmap_prots[] = {
	PROT_READ,
	PROT_READ | PROT_WRITE,
	PROT_READ | PROT_EXEC,
	PROT_READ | PROT_WRITE | PROT_EXEC, /* refused: W+X */
	PROT_WRITE, /* refused: no R */
	0, /* refused */
};

static void op_vmap(struct fuzz_in *in)
{
	unsigned int count = fuzz_below(in, 9);
	unsigned int prot = vmap_prots[fuzz_below(in, ARRAY_SIZE(vmap_prots))];
	struct area *a = &areas[nr_areas];
	bool bad = count == 0 || !(prot & PROT_READ) ||
		   ((prot & PROT_WRITE) && (prot & PROT_EXEC));
	void *p;

	if (nr_areas == AREAS_MAX)
		return;
	for (unsigned int i = 0; i < count; i++) {
		a->frames[i] = alloc_page(GFP_KERNEL);
		CHECK(a->frames[i], "alloc_page for vmap");
	}
	p = vmap(a->frames, count, prot);
	if (bad)
		CHECK(p == NULL, "vmap(%u pages, prot 0x%x) accepted", count,
		      prot);
	if (!p) {
		for (unsigned int i = 0; i < count; i++)
			__free_page(a->frames[i]);
		return;
	}
	a->va = (vaddr_t)p;
	a->pages = count;
	a->is_vmap = true;
	a->prot = prot;
	took(a, false);
}

static void release(unsigned int i)
{
	struct area *a = &areas[i];

	pattern(a, true);
	if (a->is_vmap) {
		vunmap((void *)a->va);
		for (size_t j = 0; j < a->pages; j++)
			__free_page(a->frames[j]);
	} else {
		vfree((void *)a->va);
	}
	CHECK(pt_lookup(&pt, a->va, NULL, NULL, NULL) == -ENOENT,
	      "freed area 0x%lx still mapped", (unsigned long)a->va);
	*a = areas[--nr_areas];
}

/* Misuse: each call must count one bug and change no area. */
static void op_misuse(struct fuzz_in *in)
{
	uint8_t how = fuzz_u8(in);
	unsigned int off = fuzz_u16(in);
	struct vmalloc_stats before, after;
	struct area *a = nr_areas ? &areas[off % nr_areas] : NULL;
	bool use_vunmap = how & 0x80;
	vaddr_t va;

	switch (how % 5) {
	case 0: /* inside an area */
		if (!a || a->pages * PAGE_SIZE < 2)
			return;
		va = a->va + 1 + (off >> 5) % (a->pages * PAGE_SIZE - 1);
		break;
	case 1: /* the guard page */
		if (!a)
			return;
		va = a->va + a->pages * PAGE_SIZE;
		break;
	case 2: /* the other kind of area */
		if (!a)
			return;
		va = a->va;
		use_vunmap = !a->is_vmap;
		break;
	case 3: /* outside the range */
		va = how & 1 ? VSTART - PAGE_SIZE * (1 + (off & 7))
			     : vend + PAGE_SIZE * (off & 7);
		break;
	default: { /* an area just freed (lazily or for good) */
		struct area copy;

		if (!a)
			return;
		copy = *a;
		release((unsigned int)(a - areas));
		if (how & 0x40) /* gone for good: only the ring remembers it */
			vmalloc_purge();
		va = copy.va;
		use_vunmap = copy.is_vmap;
		break;
	}
	}
	stats(&before);
	if (use_vunmap)
		vunmap((void *)va);
	else
		vfree((void *)va);
	stats(&after);
	CHECK(after.bugs == before.bugs + 1,
	      "%s(0x%lx) (misuse %u): %llu bugs counted",
	      use_vunmap ? "vunmap" : "vfree", (unsigned long)va, how % 5,
	      (unsigned long long)(after.bugs - before.bugs));
	CHECK(after.nr_areas == before.nr_areas &&
		      after.nr_pages == before.nr_pages &&
		      after.lazy_areas == before.lazy_areas,
	      "refused free changed the areas");
	for (unsigned int i = 0; i < nr_areas; i++)
		pattern(&areas[i], true);
}

static void op_describe(struct fuzz_in *in)
{
	vaddr_t va = VSTART + (vaddr_t)fuzz_u16(in) * 64;
	char buf[160];

	switch (fuzz_u8(in) % 4) {
	case 0:
		vmalloc_purge();
		break;
	case 1:
		vmallocinfo_print();
		break;
	case 2:
		vmem_dump(&arena);
		break;
	default:
		CHECK(is_vmalloc_addr((void *)va) == (va < vend),
		      "is_vmalloc_addr(0x%lx)", (unsigned long)va);
		CHECK(vmalloc_describe(va, buf, sizeof(buf)) == (va < vend),
		      "vmalloc_describe(0x%lx)", (unsigned long)va);
		break;
	}
}

/* ------------------------------------------------------- vmem arena */

static void op_vmem_alloc(struct fuzz_in *in)
{
	size_t size = fuzz_below(in, 64) * quantum + fuzz_u8(in) % quantum;
	size_t align = (size_t)1 << fuzz_below(in, 20);
	struct vmem_stats before, after;
	struct seg *s = &segs[nr_segs];
	vaddr_t va, start;
	size_t got;
	void *priv;
	int err;

	if (nr_segs == SEGS_MAX)
		return;
	vmem_get_stats(&arena, &before);
	err = vmem_xalloc(&arena, size, align, s, &va);
	if (size == 0) {
		CHECK(err == -EINVAL, "vmem_xalloc of 0 bytes: %d", err);
		return;
	}
	if (err) {
		vmem_get_stats(&arena, &after);
		CHECK(err == -ENOMEM && after.alloc_bytes == before.alloc_bytes,
		      "vmem_xalloc(%zu, %zu): %d", size, align, err);
		return;
	}
	size = ALIGN_UP(size, quantum);
	CHECK((va & (MAX(align, quantum) - 1)) == 0,
	      "segment 0x%lx not aligned to %zu", (unsigned long)va, align);
	CHECK(va >= arena.base && va - arena.base + size <= arena.size,
	      "segment 0x%lx outside the arena", (unsigned long)va);
	for (unsigned int i = 0; i < nr_segs; i++)
		CHECK(va + size <= segs[i].start ||
			      segs[i].start + segs[i].size <= va,
		      "segment 0x%lx overlaps 0x%lx", (unsigned long)va,
		      (unsigned long)segs[i].start);
	CHECK(vmem_lookup(&arena, va + size - 1, &start, &got, &priv) == 0 &&
		      start == va && got == size && priv == s,
	      "vmem_lookup of segment 0x%lx", (unsigned long)va);
	s->start = va;
	s->size = size;
	nr_segs++;
}

static void op_vmem_free(struct fuzz_in *in)
{
	unsigned int i;
	size_t got = 0;
	int err;

	if (!nr_segs)
		return;
	i = fuzz_below(in, nr_segs);
	if (fuzz_u8(in) & 1) { /* misuse: not a segment start */
		vaddr_t va =
			segs[i].start + 1 + fuzz_u8(in) % (segs[i].size - 1);

		err = vmem_free(&arena, va, NULL);
		CHECK(err == -EINVAL, "vmem_free(0x%lx) inside a segment: %d",
		      (unsigned long)va, err);
		return;
	}
	err = vmem_free(&arena, segs[i].start, &got);
	CHECK(err == 0 && got == segs[i].size, "vmem_free(0x%lx): %d, %zu",
	      (unsigned long)segs[i].start, err, got);
	err = vmem_free(&arena, segs[i].start, NULL);
	CHECK(err == -EINVAL, "second vmem_free(0x%lx): %d",
	      (unsigned long)segs[i].start, err);
	CHECK(vmem_lookup(&arena, segs[i].start, NULL, NULL, NULL) == -ENOENT,
	      "freed segment found");
	segs[i] = segs[--nr_segs];
}

/* ------------------------------------------------------------ input */

static void setup(struct fuzz_in *in)
{
	unsigned int pages = 16 + fuzz_below(in, 1024);
	uint8_t fail = fuzz_u8(in);
	unsigned int qshift = fuzz_below(in, 4);
	size_t arena_quanta = 1 + fuzz_below(in, 4096);
	int err;

	vend = VSTART + (vaddr_t)pages * PAGE_SIZE;
	host_pt_fail_after = HOST_PT_POOL_NEVER_FAIL;
	CHECK(pt_init(&pt, &host_pt_buddy_ops) == 0, "pt_init");
	/* From here on, table pages may run out. */
	host_pt_fail_after = fail >= 16 ? HOST_PT_POOL_NEVER_FAIL : fail;
	err = vmalloc_init(&pt, VSTART, vend);
	CHECK(err == 0, "vmalloc_init: %d", err);
	quantum = (size_t)8 << (3 * qshift);
	refills_left = fuzz_u8(in) % 8;
	err = vmem_init(&arena, "fuzz", ARENA_BASE * quantum,
			arena_quanta * quantum, quantum, &arena_src);
	CHECK(err == 0, "vmem_init: %d", err);
	nr_areas = 0;
	nr_segs = 0;
	check_state();
}

static void teardown(void)
{
	struct vmalloc_stats st;
	uint64_t now;

	while (nr_areas)
		release(nr_areas - 1);
	vmalloc_purge();
	stats(&st);
	CHECK(st.nr_areas == 0 && st.nr_pages == 0 && st.lazy_areas == 0 &&
		      st.lazy_pages == 0 && st.lazy_tables == 0,
	      "after freeing everything: %zu areas %zu pages, lazy %zu %zu "
	      "%zu",
	      st.nr_areas, st.nr_pages, st.lazy_areas, st.lazy_pages,
	      st.lazy_tables);
	check_state();
	vmalloc_destroy();
	CHECK(pt.table_pages == 1, "%zu table pages left", pt.table_pages);
	pt_destroy(&pt);
	while (nr_segs)
		CHECK(vmem_free(&arena, segs[--nr_segs].start, NULL) == 0,
		      "vmem_free at teardown");
	vmem_destroy(&arena);
	now = host_buddy_free_pages();
	CHECK(now == baseline_free,
	      "free pages %llu after the run, %llu before",
	      (unsigned long long)now, (unsigned long long)baseline_free);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	setup(&in);
	for (unsigned int n = 0; n < FUZZ_OPS_MAX && !fuzz_done(&in); n++) {
		switch (fuzz_u8(&in) % 10) {
		case 0:
		case 1:
			op_vmalloc(&in);
			break;
		case 2:
			op_vmap(&in);
			break;
		case 3:
		case 4:
			if (nr_areas)
				release(fuzz_below(&in, nr_areas));
			break;
		case 5:
			op_misuse(&in);
			break;
		case 6:
			op_describe(&in);
			break;
		case 7:
		case 8:
			op_vmem_alloc(&in);
			break;
		default:
			op_vmem_free(&in);
			break;
		}
		check_state();
	}
	teardown();
	return 0;
}
