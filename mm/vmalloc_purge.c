// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmalloc's lazy purge and the ring of purged areas (the theory of
 * operation, "Lazy free", and the invariants V1..V8 are in
 * mm/vmalloc.c): vmalloc_purge_locked() finishes the shared gather with
 * one shootdown, then gives every lazily freed area's frames, range and
 * descriptor back, and records the newest VMALLOC_FREED_RING of them in
 * the ring that vmalloc_freed_find() searches for fault reports.
 * Everything here runs under vmalloc_lock.
 */
#include "lib/assert.h"
#include "lib/kernel.h"
#include "mm/trace.h"
#include "mm/vmalloc_internal.h"

/*
 * Remember a purged area for fault reports in ring slot `slot`.
 * Locked.
 */
static void freed_record(const struct vm_area *a, unsigned int slot)
{
	struct vm_freed *f = &vmalloc_state.freed[slot % VMALLOC_FREED_RING];

	f->addr = a->addr;
	f->size = a->size;
	f->caller = a->caller;
	f->freer = a->freer;
	f->nr_pages = a->nr_pages;
	f->flags = a->flags & ~VM_LAZY;
}

/* The newest freed area whose guard-inclusive range holds va. Locked. */
const struct vm_freed *vmalloc_freed_find(vaddr_t va)
{
	for (unsigned int k = 1; k <= VMALLOC_FREED_RING; k++) {
		const struct vm_freed *f =
			&vmalloc_state.freed[(vmalloc_state.freed_next +
					      VMALLOC_FREED_RING - k) %
					     VMALLOC_FREED_RING];

		if (f->size && va >= f->addr &&
		    va - f->addr < f->size + PAGE_SIZE)
			return f;
	}
	return NULL;
}

/*
 * The purge (see "Lazy free"): one shootdown for every lazy area, then
 * their table pages, frames, ranges and descriptors go back. Locked.
 */
void vmalloc_purge_locked(void)
{
	struct vm_area *a, *next;
	size_t n, k;
	int err;

	if (!vmalloc_state.lazy)
		return;
	trace_vmalloc_purge(vmalloc_state.st.lazy_areas,
			    vmalloc_state.st.lazy_pages,
			    vmalloc_state.gather.nr_tables);
	pt_gather_finish(&vmalloc_state.gather);
	/*
	 * The ring takes the newest VMALLOC_FREED_RING of them, oldest
	 * first, as if each had been recorded at its vfree: the lazy list
	 * is newest first, so the k-th goes k slots below the new end.
	 */
	n = MIN(vmalloc_state.st.lazy_areas, (size_t)VMALLOC_FREED_RING);
	k = 0;
	for (a = vmalloc_state.lazy; a; a = next) {
		next = a->next;
		if (k < n) {
			freed_record(a, vmalloc_state.freed_next + n - 1 - k);
			k++;
		}
		if (a->flags & VM_ALLOC)
			vmalloc_free_frames(a);
		err = vmem_free(&vmalloc_state.arena, a->addr, NULL);
		VERIFY3U(err, ==, 0);
		vmalloc_area_free(a);
	}
	vmalloc_state.freed_next =
		(vmalloc_state.freed_next + (unsigned int)n) %
		VMALLOC_FREED_RING;
	vmalloc_state.lazy = NULL;
	vmalloc_state.st.lazy_areas = 0;
	vmalloc_state.st.lazy_pages = 0;
	vmalloc_state.st.lazy_bytes = 0;
	vmalloc_state.st.purges++;
}
