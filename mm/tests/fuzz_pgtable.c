// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the portable Sv39 walker (mm/pgtable.c,
 * mm/pgtable_check.c) with the host's PTE encoding and counting TLB
 * (mm/tests/host_arch.c).
 *
 * Scenario: each input picks a 4 MiB window of the address space (at
 * the bottom of the lower half, across a 1 GiB boundary, at the top of
 * the lower half, at the bottom of the upper half, or ending at 2^64)
 * and a fresh tree whose table pages come from a counting pool. Then
 * each operation is one of
 *   pt_map (any length, physical addresses that allow 2 MiB leaves or
 *   not), pt_map_page, pt_map_pages (scattered frames),
 *   pt_unmap, pt_unmap_page, pt_protect (splitting 2 MiB leaves),
 *   two pt_unmap_gather calls and one pt_gather_finish,
 *   pt_lookup of any address of the window, pt_walk_range,
 *   bad arguments (misaligned, empty, wrapping, non-canonical, bad
 *   protections, physical addresses beyond 56 bits),
 *   making the pool fail after n more table pages (or never).
 *
 * The reference model is a shadow entry (physical address, protection)
 * per 4 KiB page of the window. Expect every call to return exactly what
 * mm/pgtable.h promises for the model's state (0, -EEXIST, -ENOENT,
 * -EINVAL; -ENOMEM only while the pool fails) and to leave the tables
 * as promised (unchanged on every error but a failed split in pt_unmap
 * or pt_protect, after which each page is either as before or as
 * asked); after every operation pt_check() finds nothing and a walk of
 * the whole tree matches the shadow page by page; every page an unmap
 * or protection change touched was shot down; at the end, unmapping
 * the window leaves the root alone and pt_destroy() gives every table
 * page back.
 */
#include <string.h>

#include "lib/errno.h"
#include "mm/linear.h"
#include "mm/pgtable.h"
#include "mm/tests/fuzz_ops.h"
#include "mm/tests/host_arch.h"

const char *fuzz_name = "fuzz_pgtable";

#define POOL_BASE 0x80000000UL
#define POOL_PAGES 64UL
#define WIN_PAGES 1024UL /* 4 MiB */
#define WIN_SIZE (WIN_PAGES * PAGE_SIZE)
#define PA_BASE 0x100000000UL /* mapped frames need no backing memory */
#define HUGE_PAGES (PT_LEVEL_SIZE(1) / PAGE_SIZE)

static const vaddr_t windows[] = {
	0x0UL,
	0x3fe00000UL, /* across the 1 GiB boundary */
	0x3fffc00000UL, /* ends at the top of the lower half */
	0xffffffc000000000UL, /* start of the upper half */
	0xffffffffffc00000UL, /* ends at 2^64 */
};

static const unsigned int prots[] = {
	PROT_READ,
	PROT_READ | PROT_WRITE,
	PROT_READ | PROT_EXEC,
	PROT_EXEC,
	PROT_READ | PROT_WRITE | PROT_GLOBAL,
	PROT_READ | PROT_WRITE | PROT_DEVICE,
	PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GLOBAL,
	PROT_WRITE, /* invalid: W without R */
	0, /* invalid: nothing */
};

static struct host_pt_pool pool;
static struct pgtable pt;
static vaddr_t win;

static struct shadow {
	paddr_t pa; /* PADDR_INVALID: not mapped */
	unsigned int prot;
} shadow[WIN_PAGES], saved[WIN_PAGES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup_output();
	host_phys_init(POOL_BASE, POOL_PAGES * PAGE_SIZE);
	host_pt_pool_init(&pool, POOL_BASE, POOL_PAGES);
	return 0;
}

static bool prot_valid(unsigned int prot)
{
	return (prot & (PROT_READ | PROT_EXEC)) &&
	       (!(prot & PROT_WRITE) || (prot & PROT_READ));
}

static vaddr_t va_of(size_t i)
{
	return win + i * PAGE_SIZE;
}

/* ------------------------------------------------- tree vs. shadow */

struct walk_state {
	size_t pages;
};

static int walk_leaf(void *arg, vaddr_t va, paddr_t pa, size_t size,
		     unsigned int prot)
{
	struct walk_state *w = arg;

	CHECK(va - win < WIN_SIZE && size <= WIN_SIZE - (va - win),
	      "leaf 0x%lx (+0x%zx) outside the window 0x%lx", (unsigned long)va,
	      size, (unsigned long)win);
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		const struct shadow *s = &shadow[(va - win + off) / PAGE_SIZE];

		CHECK(s->pa == pa + off && s->prot == prot,
		      "0x%lx maps 0x%lx prot 0x%x, model 0x%lx prot 0x%x",
		      (unsigned long)(va + off), (unsigned long)(pa + off),
		      prot, (unsigned long)s->pa, s->prot);
		w->pages++;
	}
	return 0;
}

static size_t shadow_pages(void)
{
	size_t n = 0;

	for (size_t i = 0; i < WIN_PAGES; i++)
		n += shadow[i].pa != PADDR_INVALID;
	return n;
}

static void check_state(void)
{
	struct walk_state w = { 0 };
	int bad = pt_check(&pt);

	CHECK(bad == 0, "pt_check found %d violations", bad);
	CHECK(pt_walk(&pt, walk_leaf, &w) == 0, "pt_walk");
	CHECK(w.pages == shadow_pages(), "tree maps %zu pages, model %zu",
	      w.pages, shadow_pages());
	CHECK(pool.bad_frees == 0, "%lu bad table frees", pool.bad_frees);
}

/* The leaf that mapped each page before the operation (its start, size). */
static struct {
	vaddr_t va;
	size_t size;
} saved_leaf[WIN_PAGES];

static int save_leaf(void *arg, vaddr_t va, paddr_t pa, size_t size,
		     unsigned int prot)
{
	(void)arg;
	(void)pa;
	(void)prot;
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		saved_leaf[(va - win + off) / PAGE_SIZE].va = va;
		saved_leaf[(va - win + off) / PAGE_SIZE].size = size;
	}
	return 0;
}

static void save(void)
{
	memcpy(saved, shadow, sizeof(shadow));
	CHECK(pt_walk(&pt, save_leaf, NULL) == 0, "pt_walk");
}

static void expect_unchanged(const char *what, int err)
{
	CHECK(memcmp(saved, shadow, sizeof(shadow)) == 0,
	      "%s failed (%d) but the model changed", what, err);
}

/* Re-read pages [i, i + n) from the tree after a partial failure. */
static void resync(size_t i, size_t n, bool unmapping, unsigned int prot)
{
	for (size_t k = i; k < i + n; k++) {
		struct shadow now = { PADDR_INVALID, 0 };

		if (pt_lookup(&pt, va_of(k), &now.pa, &now.prot, NULL))
			now.pa = PADDR_INVALID;
		CHECK((now.pa == saved[k].pa && now.prot == saved[k].prot) ||
			      (unmapping && now.pa == PADDR_INVALID) ||
			      (!unmapping && now.pa == saved[k].pa &&
			       now.prot == prot),
		      "page 0x%lx neither as before nor as asked",
		      (unsigned long)va_of(k));
		shadow[k] = now;
	}
}

/*
 * A fence of any address inside a leaf drops that leaf from the TLB
 * (RISC-V sfence.vma with an address covers the superpage holding it),
 * so a changed page needs a shootdown of some page of its old leaf.
 */
static bool leaf_shot_down(size_t k)
{
	for (size_t off = 0; off < saved_leaf[k].size; off += PAGE_SIZE)
		if (host_arch_tlb_was_shot_down(saved_leaf[k].va + off))
			return true;
	return false;
}

static void expect_shot_down(size_t i, size_t n)
{
	for (size_t k = i; k < i + n; k++)
		if (saved[k].pa != PADDR_INVALID &&
		    (shadow[k].pa != saved[k].pa ||
		     shadow[k].prot != saved[k].prot))
			CHECK(leaf_shot_down(k),
			      "changed page 0x%lx not shot down (%lu "
			      "shootdowns, %lu of everything)",
			      (unsigned long)va_of(k), host_arch_tlb_shootdowns,
			      host_arch_tlb_shootdown_alls);
}

/* ------------------------------------------------------- operations */

/* A range [i, i + n) of the window from the input. */
static void range(struct fuzz_in *in, size_t *i, size_t *n)
{
	uint8_t shape = fuzz_u8(in);

	*i = fuzz_below(in, WIN_PAGES);
	if (shape & 1) /* 2 MiB aligned, often whole 2 MiB blocks */
		*i &= ~(HUGE_PAGES - 1);
	*n = shape & 2 ? HUGE_PAGES * (1 + (shape >> 2) % 2)
		       : 1 + fuzz_below(in, 64);
	if (*n > WIN_PAGES - *i)
		*n = WIN_PAGES - *i;
}

/* A physical address for page i: congruent to the va mod 2 MiB or not. */
static paddr_t pa_for(struct fuzz_in *in, size_t i)
{
	uint8_t v = fuzz_u8(in);
	paddr_t pa = PA_BASE + (paddr_t)(v >> 1) * PT_LEVEL_SIZE(1) +
		     (i % HUGE_PAGES) * PAGE_SIZE;

	return v & 1 ? pa + PAGE_SIZE * (1 + fuzz_u8(in) % 7) : pa;
}

static bool any_mapped(size_t i, size_t n)
{
	for (size_t k = i; k < i + n; k++)
		if (shadow[k].pa != PADDR_INVALID)
			return true;
	return false;
}

static bool all_mapped(size_t i, size_t n)
{
	for (size_t k = i; k < i + n; k++)
		if (shadow[k].pa == PADDR_INVALID)
			return false;
	return true;
}

static void op_map(struct fuzz_in *in, unsigned int how)
{
	unsigned int prot = prots[fuzz_below(in, ARRAY_SIZE(prots))];
	paddr_t pas[16];
	size_t i, n;
	int err, want;

	range(in, &i, &n);
	if (how == 1)
		n = 1;
	if (how == 2)
		n = MIN(n, ARRAY_SIZE(pas));
	for (size_t k = 0; k < (how == 2 ? n : 1); k++)
		pas[k] = pa_for(in, i + k);
	save();
	if (how == 0)
		err = pt_map(&pt, va_of(i), pas[0], n * PAGE_SIZE, prot);
	else if (how == 1)
		err = pt_map_page(&pt, va_of(i), pas[0], prot);
	else
		err = pt_map_pages(&pt, va_of(i), pas, n, prot);
	want = !prot_valid(prot) ? -EINVAL : any_mapped(i, n) ? -EEXIST : 0;
	/* Tables may run out before the walk reaches a mapped page. */
	if (err == -ENOMEM && want != -EINVAL &&
	    pool.fail_after != HOST_PT_POOL_NEVER_FAIL)
		want = -ENOMEM;
	CHECK(err == want,
	      "map %u of 0x%lx (%zu pages, prot 0x%x): %d, want %d", how,
	      (unsigned long)va_of(i), n, prot, err, want);
	if (err)
		return;
	for (size_t k = 0; k < n; k++) {
		shadow[i + k].pa = how == 2 ? pas[k] : pas[0] + k * PAGE_SIZE;
		shadow[i + k].prot = prot;
	}
}

static void op_unmap(struct fuzz_in *in, bool one)
{
	size_t i, n;
	int err;

	range(in, &i, &n);
	if (one)
		n = 1;
	save();
	host_arch_tlb_reset();
	err = one ? pt_unmap_page(&pt, va_of(i))
		  : pt_unmap(&pt, va_of(i), n * PAGE_SIZE);
	if (one && shadow[i].pa == PADDR_INVALID) {
		CHECK(err == -ENOENT, "unmap_page of a hole: %d", err);
		CHECK(host_arch_tlb_shootdowns == 0, "shootdown for nothing");
		return;
	}
	if (err == -ENOMEM) {
		if (one)
			return; /* nothing unmapped: check_state() confirms */
		resync(i, n, true, 0);
	} else {
		CHECK(err == 0, "unmap of 0x%lx (%zu pages): %d",
		      (unsigned long)va_of(i), n, err);
		for (size_t k = i; k < i + n; k++)
			shadow[k] = (struct shadow){ PADDR_INVALID, 0 };
	}
	if (!any_mapped(i, n) && memcmp(saved, shadow, sizeof(shadow)) == 0)
		CHECK(host_arch_tlb_shootdowns == 0, "shootdown for nothing");
	expect_shot_down(i, n);
}

static void op_protect(struct fuzz_in *in)
{
	unsigned int prot = prots[fuzz_below(in, ARRAY_SIZE(prots))];
	size_t i, n;
	int err, want;

	range(in, &i, &n);
	save();
	host_arch_tlb_reset();
	err = pt_protect(&pt, va_of(i), n * PAGE_SIZE, prot);
	want = !prot_valid(prot) ? -EINVAL : !all_mapped(i, n) ? -ENOENT : 0;
	if (err == -ENOMEM && want == 0) {
		resync(i, n, false, prot);
		expect_shot_down(i, n);
		return;
	}
	CHECK(err == want, "protect 0x%lx (%zu pages) 0x%x: %d, want %d",
	      (unsigned long)va_of(i), n, prot, err, want);
	if (err)
		return;
	for (size_t k = i; k < i + n; k++)
		shadow[k].prot = prot;
	expect_shot_down(i, n);
}

/* Two unmaps in one gather, one shootdown for both at the finish. */
static void op_gather(struct fuzz_in *in)
{
	struct pt_gather g;
	size_t i[2], n[2];
	int err;

	save();
	host_arch_tlb_reset();
	pt_gather_init(&g, &pt);
	for (int r = 0; r < 2; r++) {
		range(in, &i[r], &n[r]);
		err = pt_unmap_gather(&g, va_of(i[r]), n[r] * PAGE_SIZE);
		if (err == -ENOMEM) {
			resync(i[r], n[r], true, 0);
			continue;
		}
		CHECK(err == 0, "unmap_gather: %d", err);
		for (size_t k = i[r]; k < i[r] + n[r]; k++)
			shadow[k] = (struct shadow){ PADDR_INVALID, 0 };
	}
	CHECK(host_arch_tlb_shootdowns == 0, "shootdown before the finish");
	pt_gather_finish(&g);
	CHECK(pt_gather_is_empty(&g), "gather not empty after the finish");
	CHECK(host_arch_tlb_shootdowns <= 1, "%lu shootdowns for one gather",
	      host_arch_tlb_shootdowns);
	expect_shot_down(0, WIN_PAGES);
}

static int count_leaf(void *arg, vaddr_t va, paddr_t pa, size_t size,
		      unsigned int prot)
{
	(void)va;
	(void)pa;
	(void)prot;
	*(size_t *)arg += size / PAGE_SIZE;
	return 0;
}

static void op_lookup(struct fuzz_in *in)
{
	size_t i = fuzz_below(in, WIN_PAGES), off = fuzz_u16(in) % PAGE_SIZE;
	size_t n, pages = 0, mapped = 0;
	paddr_t pa;
	unsigned int prot;
	size_t leaf;
	int err = pt_lookup(&pt, va_of(i) + off, &pa, &prot, &leaf);

	if (shadow[i].pa == PADDR_INVALID) {
		CHECK(err == -ENOENT, "lookup of a hole: %d", err);
	} else {
		CHECK(err == 0 && pa == shadow[i].pa + off &&
			      prot == shadow[i].prot,
		      "lookup 0x%lx: %d pa 0x%lx prot 0x%x",
		      (unsigned long)(va_of(i) + off), err, (unsigned long)pa,
		      prot);
		CHECK(leaf == PAGE_SIZE || leaf == PT_LEVEL_SIZE(1),
		      "leaf size 0x%zx", leaf);
	}
	/* The leaves over [i, i + n), whole: at least the mapped pages. */
	n = 1 + fuzz_below(in, (unsigned int)(WIN_PAGES - i));
	CHECK(pt_walk_range(&pt, va_of(i), n * PAGE_SIZE, count_leaf, &pages) ==
		      0,
	      "walk_range");
	for (size_t k = i; k < i + n; k++)
		mapped += shadow[k].pa != PADDR_INVALID;
	CHECK(pages >= mapped, "walk_range saw %zu pages, %zu mapped", pages,
	      mapped);
}

/* Arguments every call must refuse with -EINVAL, changing nothing. */
static void op_bad_args(struct fuzz_in *in)
{
	uint8_t how = fuzz_u8(in);
	size_t i = fuzz_below(in, WIN_PAGES);
	vaddr_t va = va_of(i);
	paddr_t pa = PA_BASE;
	size_t size = PAGE_SIZE;
	unsigned int prot = PROT_READ;
	int err;

	switch (how % 5) {
	case 0:
		va += 1 + how % (PAGE_SIZE - 1);
		break;
	case 1:
		pa += 8;
		break;
	case 2:
		size = how & 8 ? 0 : PAGE_SIZE + 8;
		break;
	case 3: /* the non-canonical hole */
		va = 0x4000000000UL + i * PAGE_SIZE;
		break;
	default:
		pa = 1UL << 56;
		break;
	}
	save();
	if (how % 5 == 4 || how % 5 == 1)
		err = how & 0x80 ? pt_map(&pt, va, pa, size, prot)
				 : pt_map_page(&pt, va, pa, prot);
	else if (how & 0x80)
		err = pt_unmap(&pt, va, size);
	else if (how & 0x40)
		err = pt_protect(&pt, va, size, prot);
	else
		err = pt_map(&pt, va, pa, size, prot);
	CHECK(err == -EINVAL, "bad arguments (%u) accepted: %d", how % 5, err);
	expect_unchanged("bad arguments", err);
}

static void op_fail(struct fuzz_in *in)
{
	uint8_t v = fuzz_u8(in);

	pool.fail_after = v < 8 ? v : HOST_PT_POOL_NEVER_FAIL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	int err;

	win = windows[fuzz_below(&in, ARRAY_SIZE(windows))];
	for (size_t i = 0; i < WIN_PAGES; i++)
		shadow[i] = (struct shadow){ PADDR_INVALID, 0 };
	pool.fail_after = HOST_PT_POOL_NEVER_FAIL;
	CHECK(pt_init(&pt, &pool.ops) == 0, "pt_init");
	for (unsigned int n = 0; n < FUZZ_OPS_MAX && !fuzz_done(&in); n++) {
		switch (fuzz_u8(&in) % 11) {
		case 0:
		case 1:
			op_map(&in, 0);
			break;
		case 2:
			op_map(&in, 1);
			break;
		case 3:
			op_map(&in, 2);
			break;
		case 4:
			op_unmap(&in, false);
			break;
		case 5:
			op_unmap(&in, true);
			break;
		case 6:
			op_protect(&in);
			break;
		case 7:
			op_gather(&in);
			break;
		case 8:
			op_lookup(&in);
			break;
		case 9:
			op_bad_args(&in);
			break;
		default:
			op_fail(&in);
			break;
		}
		check_state();
	}
	pool.fail_after = HOST_PT_POOL_NEVER_FAIL;
	err = pt_unmap(&pt, win, WIN_SIZE);
	CHECK(err == 0, "final unmap: %d", err);
	for (size_t i = 0; i < WIN_PAGES; i++)
		shadow[i] = (struct shadow){ PADDR_INVALID, 0 };
	check_state();
	CHECK(pt.table_pages == 1, "%zu table pages after unmapping all",
	      pt.table_pages);
	pt_destroy(&pt);
	CHECK(pool.in_use == 0 && pool.bad_frees == 0,
	      "after destroy: %zu pages in use, %lu bad frees", pool.in_use,
	      pool.bad_frees);
	return 0;
}
