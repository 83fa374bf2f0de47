/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The debugging half of the slab allocator (mm/slab_debug.c) as the
 * allocator (mm/slab.c, mm/slab_cpu.c) and kmalloc (mm/kmalloc.c) call
 * it: the slow-path hooks of the slab_debug= options, the free-list
 * checker and the BUG report path. mm/slab_internal.h has the layouts
 * these take.
 */
#ifndef MM_SLAB_DEBUG_H
#define MM_SLAB_DEBUG_H

#include "lib/kernel.h"
#include "mm/slab.h"
#include "mm/types.h"

/*
 * The slab_debug= flags (slab_debug_setup()) that a new cache called
 * `name` takes on, 0 if the option names other caches. Called with
 * slab_caches_lock held.
 */
unsigned int slab_debug_cache_flags(const char *name);

/*
 * The hooks of the slow paths, called only for caches with
 * SLAB_DEBUG_FLAGS (which never take the fast paths, I5):
 * - slab_debug_obj_init: obj belongs to a new slab and is free; before
 *   its constructor runs, set its red zone inactive, clear its owners
 *   and poison it. The slab is not linked yet: no lock is held.
 * - slab_debug_alloc: the free object obj of s is about to be handed
 *   out to caller. Checks its red zone and poison (I7, I8): damage is
 *   reported and returns 1 with nothing changed (the caller then
 *   quarantines s); else arms the red zone, records caller as the owner
 *   and returns 0.
 * - slab_debug_free_check: obj of s, in use, is being freed by caller.
 *   Checks its red zone (I7): damage is reported and returns 1 (the
 *   caller refuses the free), else 0.
 * - slab_debug_free: obj passed every check and goes on the free list:
 *   poisons it, sets its red zone inactive, records caller as the
 *   last to free it.
 * All but the first are called with c->lock held.
 */
void slab_debug_obj_init(const struct kmem_cache *c, uintptr_t obj);
int slab_debug_alloc(struct kmem_cache *c, struct kmem_slab *s, uintptr_t obj,
		     uintptr_t caller);
int slab_debug_free_check(struct kmem_cache *c, struct kmem_slab *s,
			  uintptr_t obj, uintptr_t caller);
void slab_debug_free(const struct kmem_cache *c, uintptr_t obj,
		     uintptr_t caller);

/*
 * Follow s's free list (I3; with `contents`, I7 and I8 for its objects
 * too). Damage is reported and quarantines s; returns 1 if there was
 * any, else 0. caller goes into the report. c->lock held.
 */
int slab_freelist_check(struct kmem_cache *c, struct kmem_slab *s,
			uintptr_t caller, bool contents);

/*
 * ", last owner 0x..." when U recorded one (owner != 0), else "",
 * formatted into buf (SLAB_OWNER_NOTE_SIZE bytes). slab_owner_note()
 * supplies a buffer on the caller's stack that lives until the end of
 * the enclosing block, so a note can be passed straight to a report.
 */
#define SLAB_OWNER_NOTE_SIZE 40
const char *slab_owner_note_buf(char *buf, uintptr_t owner);
#define slab_owner_note(owner)                                                 \
	slab_owner_note_buf((char[SLAB_OWNER_NOTE_SIZE]){ 0 }, (owner))

/*
 * Report through the hook (slab_set_report_hook()) and count it. fmt
 * continues "BUG <cache>: ". kmalloc uses it for pointers that are not
 * in any cache. Any lock may be held (the line is built on the stack);
 * the slab allocator reports with the cache's lock held.
 */
void slab_report(enum slab_bug bug, const char *cache, const void *addr,
		 const void *object, const void *slab, uintptr_t caller,
		 uintptr_t owner, const char *fmt, ...) __printf(8, 9);

#endif /* MM_SLAB_DEBUG_H */
