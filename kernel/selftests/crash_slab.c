// SPDX-License-Identifier: BSD-2-Clause
/*
 * crash= kinds for the object caches: misuse the slab allocator must
 * report with exactly one "BUG <cache>: ..." line and refuse. Each kind
 * returns, so the kernel goes on and powers off with status 0; it then
 * prints slab_check() to show that the caches are intact.
 *
 * Double and invalid frees are caught with or without slab_debug=. Red
 * zones and poison need Z and P, so those kinds make their own cache
 * with SLAB_RED_ZONE or SLAB_POISON (plus whatever slab_debug= adds).
 */
#include "kernel/crash.h"
#include "lib/printk.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"

static void after(const char *kind)
{
	printk("crash: %s: slab_check() = %d\n", kind, slab_check());
}

/* kfree the same kmalloc(64) object twice. */
static void crash_slab_double_free(void)
{
	void *p = kmalloc(64, GFP_KERNEL);

	if (!p) {
		printk("crash: slab_double_free: no memory\n");
		return;
	}
	kfree(p);
	kfree(p);
	after("slab_double_free");
}
CRASH_REGISTER("slab_double_free", crash_slab_double_free);

/* kfree a pointer 8 bytes into a kmalloc(64) object, then the object. */
static void crash_slab_invalid_free(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p) {
		printk("crash: slab_invalid_free: no memory\n");
		return;
	}
	kfree(p + 8);
	kfree(p);
	after("slab_invalid_free");
}
CRASH_REGISTER("slab_invalid_free", crash_slab_invalid_free);

/*
 * Write one byte past a 60-byte object, then free it: refused. The byte
 * is then put back and the object freed for real.
 */
static void crash_slab_redzone(void)
{
	struct kmem_cache *c =
		kmem_cache_create("crash_redzone", 60, 0, SLAB_RED_ZONE, NULL);
	unsigned char *p, saved;

	p = c ? kmem_cache_alloc(c, GFP_KERNEL) : NULL;
	if (!p) {
		printk("crash: slab_redzone: no memory\n");
		return;
	}
	saved = p[60];
	p[60] = (unsigned char)~saved; /* one byte past the object */
	kmem_cache_free(c, p);
	p[60] = saved;
	kmem_cache_free(c, p);
	after("slab_redzone");
	kmem_cache_destroy(c);
}
CRASH_REGISTER("slab_redzone", crash_slab_redzone);

/*
 * Write into a freed object of a poisoned cache; the next allocation
 * finds the damage, quarantines the slab and hands out another object.
 */
static void crash_slab_use_after_free(void)
{
	struct kmem_cache *c =
		kmem_cache_create("crash_uaf", 128, 0, SLAB_POISON, NULL);
	unsigned char *p, *q;

	p = c ? kmem_cache_alloc(c, GFP_KERNEL) : NULL;
	if (!p) {
		printk("crash: slab_use_after_free: no memory\n");
		return;
	}
	kmem_cache_free(c, p);
	p[32] = 0x42; /* write after free */
	q = kmem_cache_alloc(c, GFP_KERNEL);
	printk("crash: slab_use_after_free: next object %p (freed one %p)\n",
	       (void *)q, (void *)p);
	kmem_cache_free(c, q);
	after("slab_use_after_free");
	kmem_cache_destroy(c);
}
CRASH_REGISTER("slab_use_after_free", crash_slab_use_after_free);
