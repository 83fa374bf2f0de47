// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host tests of vmem_check() (mm/vmem.c) on damage that
 * mm/tests/test_vmem.c does not make: a segment of an unknown type, a
 * broken back link, a looping segment list, free list and spare list,
 * a free segment marked allocated, a spare descriptor of another type.
 * Each must give the "vmem_check: <arena>: I<n>: ..." line of the
 * invariant it breaks, without hanging, and the arena must check clean
 * once repaired. Also an arena larger than 4 GiB (free list index past
 * bit 32).
 */
#include <stdio.h>
#include <string.h>

#include "lib/tests/host_capture.h"
#include "lib/tests/host_ktest.h"
#include "mm/vmem.h"

#define BASE 0x40000000UL
#define Q 0x1000UL

static struct vmem_seg seed[16];
static const struct vmem_seg_source seed_only = { seed, 16, NULL, NULL, NULL };
static struct vmem vm;
/* vmem_check() with its lines captured. */
static int check(void)
{
	int n;

	capture_start(NULL);
	n = vmem_check(&vm);
	capture_stop();
	return n;
}

/* The segment descriptor of address-list entry l. */
static struct vmem_seg *seg(struct list_head *l)
{
	return list_entry(l, struct vmem_seg, alink);
}

/*
 * A 64-quantum arena with three one-quantum allocations: segments
 * A0, A1, A2 (allocated) and F (free, the other 61), 12 spares.
 */
static int setup(struct vmem_seg **a, struct vmem_seg **f)
{
	vaddr_t addr;
	struct list_head *l;
	int i = 0;

	if (vmem_init(&vm, "chk", BASE, 64 * Q, Q, &seed_only))
		return -1;
	for (int k = 0; k < 3; k++)
		if (vmem_alloc(&vm, Q, 0, &addr))
			return -1;
	list_for_each (l, &vm.segs)
		if (i < 3)
			a[i++] = seg(l);
		else
			*f = seg(l);
	return vmem_check(&vm) == 0 ? 0 : -1;
}

/*
 * Scenario: an allocated segment's type set to 7, then a back link
 * pointing elsewhere, then the address list looping back to its first
 * segment. Expect "I7: segment ... has type 7" with the tree's "I4:
 * tree node ... type 7"; "I1: broken back link after 0x40001000"; "I1:
 * segment list longer than the 16 descriptors (loop?)"; clean after
 * each repair.
 */
static void address_list_damage(struct ktest *t)
{
	struct vmem_seg *a[3], *f;
	struct list_head *saved;

	KTEST_ASSERT_EQ(t, setup(a, &f), 0);
	a[1]->type = 7;
	KTEST_EXPECT(t, check() >= 2);
	KTEST_EXPECT(t,
		     capture_has("vmem_check: chk: I7: segment 0x40001000 has "
				 "type 7\n"));
	KTEST_EXPECT(
		t, capture_has("vmem_check: chk: I4: tree node 0x40001000 type "
			       "7\n"));
	a[1]->type = a[0]->type;
	KTEST_EXPECT_EQ(t, check(), 0);

	a[2]->alink.prev = &vm.segs;
	KTEST_EXPECT(t, check() >= 1);
	KTEST_EXPECT(t, capture_has("I1: broken back link after 0x40001000\n"));
	a[2]->alink.prev = &a[1]->alink;
	KTEST_EXPECT_EQ(t, check(), 0);

	saved = a[2]->alink.next;
	a[2]->alink.next = &a[0]->alink;
	KTEST_EXPECT(t, check() >= 1);
	KTEST_EXPECT(
		t,
		capture_has("I1: segment list longer than the 16 descriptors "
			    "(loop?)\n"));
	a[2]->alink.next = saved;
	KTEST_EXPECT_EQ(t, check(), 0);
}

/*
 * Scenario: the free segment's list link looping to itself, then the
 * free segment marked allocated while on its free list, then the spare
 * list looping, then a spare of the free type.
 * Expect "I3: freelist[17] loops" (the free segment is 0x3d000 bytes:
 * highest bit 17); "I3: segment ... type <allocated> on freelist[17]"
 * with "I3: 1 segments on free lists, 0 free" and the tree's count;
 * "I6: spare list loops"; "I6: spare descriptor has type <free>";
 * clean after each repair.
 */
static void free_and_spare_damage(struct ktest *t)
{
	struct vmem_seg *a[3], *f, *spare, *next;
	struct list_head *saved;
	uint8_t type, spare_type;
	char line[96];

	KTEST_ASSERT_EQ(t, setup(a, &f), 0);
	KTEST_ASSERT_EQ(t, f->flist, 17); /* 0x3d000 bytes: bit 17 */
	saved = f->flink.next;
	f->flink.next = &f->flink;
	KTEST_EXPECT(t, check() >= 1);
	KTEST_EXPECT(t, capture_has("I3: freelist[17] loops\n"));
	f->flink.next = saved;
	KTEST_EXPECT_EQ(t, check(), 0);

	type = f->type;
	f->type = a[0]->type;
	KTEST_EXPECT(t, check() >= 3);
	snprintf(line, sizeof(line),
		 "I3: segment 0x40003000 size 0x3d000 type %u on "
		 "freelist[17]\n",
		 a[0]->type);
	KTEST_EXPECT(t, capture_has(line));
	KTEST_EXPECT(t, capture_has("I3: 1 segments on free lists, 0 free\n"));
	KTEST_EXPECT(t, capture_has("I4: tree has 3 nodes, 4 allocated\n"));
	f->type = type;
	KTEST_EXPECT_EQ(t, check(), 0);

	spare = vm.spare;
	KTEST_ASSERT(t, spare != NULL);
	next = spare->next_spare;
	spare->next_spare = spare;
	KTEST_EXPECT(t, check() >= 1);
	KTEST_EXPECT(t, capture_has("I6: spare list loops\n"));
	spare->next_spare = next;
	spare_type = spare->type;
	spare->type = f->type;
	KTEST_EXPECT(t, check() >= 1);
	snprintf(line, sizeof(line), "I6: spare descriptor has type %u\n",
		 f->type);
	KTEST_EXPECT(t, capture_has(line));
	spare->type = spare_type;
	KTEST_EXPECT_EQ(t, check(), 0);
}

/*
 * Scenario: an arena of 8 GiB, then one page allocated from it.
 * Expect its free segment on free list 33 (bit 33 of its size), the
 * rest on list 32, and a clean check.
 */
static void arena_past_4g(struct ktest *t)
{
	struct vmem_seg *f;
	vaddr_t addr;

	KTEST_ASSERT_EQ(t, vmem_init(&vm, "big", 0, 1UL << 33, Q, &seed_only),
			0);
	f = seg(vm.segs.next);
	KTEST_EXPECT_EQ(t, f->flist, 33);
	KTEST_EXPECT_EQ(t, vm.freemap, 1ULL << 33);
	KTEST_ASSERT_EQ(t, vmem_alloc(&vm, Q, 0, &addr), 0);
	f = seg(vm.segs.prev);
	KTEST_EXPECT_EQ(t, f->flist, 32);
	KTEST_EXPECT_EQ(t, check(), 0);
}

static const struct ktest_case vmem_check_cases[] = {
	KTEST_CASE(address_list_damage),
	KTEST_CASE(free_and_spare_damage),
	KTEST_CASE(arena_past_4g),
	KTEST_END,
};
static const struct ktest_suite vmem_check_suite = { "vmem_check",
						     vmem_check_cases, NULL,
						     NULL };

KTEST_HOST_MAIN(&vmem_check_suite)
