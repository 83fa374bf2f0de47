// SPDX-License-Identifier: BSD-2-Clause
/*
 * crash= kinds for vmalloc. Each touches an address that must fault; the
 * fault handler reports "fault: address is vmalloc area [...] ... guard
 * page" or "... freed area (freed by ...)" and ends the run with status
 * 2. Returning means the access did not fault, which is a failure.
 *   vmalloc_guard           store one byte past the end of a 4-page area
 *   vmalloc_use_after_free  load from an area after vfree; the area is
 *                           only lazily freed (its frames are held until
 *                           a purge), but vfree fenced this hart, so the
 *                           load faults and the report names the area
 */
#include "kernel/crash.h"
#include "lib/printk.h"
#include "mm/types.h"
#include "mm/vmalloc.h"

static void crash_vmalloc_guard(void)
{
	size_t size = 4 * PAGE_SIZE;
	volatile char *p = vmalloc(size);

	if (!p) {
		printk("crash: vmalloc_guard: vmalloc failed\n");
		return;
	}
	p[size - 1] = 1; /* last byte of the area: fine */
	printk("crash: vmalloc_guard: area %p size %zu, storing to %p\n",
	       (void *)p, size, (void *)(p + size));
	p[size] = 1;
	printk("crash: vmalloc_guard: the store did not fault\n");
}
CRASH_REGISTER("vmalloc_guard", crash_vmalloc_guard);

static void crash_vmalloc_use_after_free(void)
{
	volatile char *p = vmalloc(2 * PAGE_SIZE);
	char c;

	if (!p) {
		printk("crash: vmalloc_use_after_free: vmalloc failed\n");
		return;
	}
	p[PAGE_SIZE] = 0x5a;
	vfree((void *)p);
	printk("crash: vmalloc_use_after_free: freed %p, loading from %p\n",
	       (void *)p, (void *)(p + PAGE_SIZE));
	c = p[PAGE_SIZE];
	printk("crash: vmalloc_use_after_free: the load returned 0x%x\n", c);
}
CRASH_REGISTER("vmalloc_use_after_free", crash_vmalloc_use_after_free);
