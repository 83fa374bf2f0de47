// SPDX-License-Identifier: BSD-2-Clause
/*
 * Slab debugging: the slab_debug= option, red zones, poisoning and
 * last-owner tracking, the BUG report path, the white-box checker
 * (kmem_cache_validate(), slab_check()) and slabinfo. mm/slab.c is the
 * allocator these serve; mm/slab_internal.h what the two share.
 *
 * What it manages
 * ---------------
 * Per cache, the debugging options of Linux's slab_debug= letters, set
 * by SLAB_* flags at kmem_cache_create() or by slab_debug= for caches
 * created after it (slab_debug_cache_flags()):
 *
 *   F  each free is checked through the page descriptor, and the slab's
 *      free list (I3) on every allocation and free;
 *   Z  guard bytes after each object, checked at its free and at its
 *      next allocation (I7);
 *   P  free objects are filled with SLAB_POISON_FREE, checked at their
 *      next allocation and by validation (I8); not in caches with a
 *      constructor, whose free objects must stay constructed (Linux
 *      skips them too);
 *   U  the last allocating and freeing callers are kept after the
 *      object, and reports print the last owner.
 *
 * The slot of a debug cache (mm/slab.c lays it out, cache_layout()):
 *
 *   +------+--------------+---------------+-------------------+-----+
 *   | word | object       | red zone (Z)  | kmem_track (U)    | pad |
 *   +------+--------------+---------------+-------------------+-----+
 *          ^ obj          ^ +object_size  ^ +redzone_end
 *                                           (= +track_offset)
 *
 * The red zone runs from the end of the object to 8 bytes past its
 * 8-byte boundary (SLAB_REDZONE_SIZE), so writes into the padding are
 * caught too.
 *
 * How it hooks in: a debug cache's per-hart magazines are held for good
 * (I10, mm/slab_cpu.c) and its in-use mark is flipped by
 * SLAB_MARK_DEBUG, so both inline fast paths fall through to the slow
 * paths (as Linux bypasses its per-CPU caches under slab_debug), and
 * those call the slab_debug_*() hooks below for such caches only.
 * Caches without debug flags use
 * this file only for reports, the checker and slabinfo.
 *
 * Invariants: this file checks I7 (red zones) and I8 (poison) of the
 * list in mm/slab.c.
 *
 * Reports: every misuse or damage found by slab or kmalloc becomes one
 * "BUG <cache>: ..." line naming the addresses involved; slab_report()
 * counts it and hands it, with its parts (struct slab_report), to the
 * report hook, which by default prints it. The line and the owner note
 * are formatted on the reporting hart's stack, so reports from several
 * harts never share a buffer; the line is valid during the hook call.
 *
 * The checker (after Zephyr's heap validator) walks a cache's lists
 * (I1, I2, I5, I6), free lists (I3, and I7 and I8 for free objects) and
 * objects in use (I4, I7), and slab_check() adds I9 over every cache. It
 * returns the number of problems instead of stopping: broken bookkeeping
 * is printed as "slab_check: <cache>: I<n> violated: ..."; damage in
 * free memory or a free list is reported as a BUG and quarantines the
 * slab (slab_quarantine(), mm/slab.c); an overwritten red zone of an
 * object in use is reported once and rewritten.
 *
 * Failure modes: nothing here panics, frees or allocates. In a
 * slab_debug= option an unknown letter is skipped and a cache list too
 * long is dropped (the flags then apply to every cache); both make
 * slab_debug_setup() return -EINVAL.
 *
 * Locking (the lock order is in mm/slab.c): the debug hooks, the
 * checker's per-cache walk and kmem_cache_info() run under the cache's
 * lock, c->lock, which guards every byte they read or write (words,
 * free lists, red zones, poison and owners). slab_check() and
 * slabinfo_print() hold slab_caches_lock while they walk the cache list
 * and take one cache's lock at a time under it. The slab_debug=
 * settings (slab_debug_flags, slab_debug_names) are protected by
 * slab_caches_lock: slab_debug_setup() writes them under it and
 * kmem_cache_create() reads them under it. The report hook and the
 * report count are atomics: a hook is installed with a release store
 * (what it needs is set up before) and loaded with acquire; the count
 * only counts (relaxed). Reports may be made with any lock held.
 */
#include "mm/slab.h"

#include <stdarg.h>

#include "lib/assert.h"
#include "lib/errno.h"
#include "lib/fmt.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/slab_debug.h"
#include "mm/slab_internal.h"

#define SLAB_DEBUG_NAMES_MAX 128
#define SLAB_REPORT_LINE_SIZE 320 /* bytes, on the reporting hart's stack */

/* Protected by slab_caches_lock. */
static unsigned int slab_debug_flags;
static char slab_debug_names[SLAB_DEBUG_NAMES_MAX];

/* Atomics (see "Locking"). */
static slab_report_fn slab_report_hook;
static unsigned long slab_bugs;

static const char *const slab_state_names[KMEM_NR_SLAB_STATES] = {
	"full", "partial", "empty", "quarantined"
};

/* ------------------------------------------------------------ reports */

static const char *const slab_bug_names[SLAB_NR_BUGS] = {
	[SLAB_BUG_DOUBLE_FREE] = "double free",
	[SLAB_BUG_INVALID_FREE] = "invalid free",
	[SLAB_BUG_NOT_OBJECT_START] = "not an object start",
	[SLAB_BUG_WRONG_CACHE] = "wrong cache",
	[SLAB_BUG_REDZONE] = "red zone overwritten",
	[SLAB_BUG_POISON] = "use after free",
	[SLAB_BUG_FREEPTR] = "free pointer corrupted",
	[SLAB_BUG_MARK] = "in-use mark overwritten",
	[SLAB_BUG_DESTROY_BUSY] = "destroy with live objects",
};

const char *slab_bug_name(enum slab_bug bug)
{
	return (unsigned int)bug < SLAB_NR_BUGS ? slab_bug_names[bug] : "?";
}

slab_report_fn slab_set_report_hook(slab_report_fn hook)
{
	return __atomic_exchange_n(&slab_report_hook, hook, __ATOMIC_ACQ_REL);
}

unsigned long slab_bug_count(void)
{
	return __atomic_load_n(&slab_bugs, __ATOMIC_RELAXED);
}

void slab_report(enum slab_bug bug, const char *cache, const void *addr,
		 const void *object, const void *slab, uintptr_t caller,
		 uintptr_t owner, const char *fmt, ...)
{
	char line[SLAB_REPORT_LINE_SIZE];
	struct slab_report rep;
	slab_report_fn hook;
	va_list ap;
	int n;

	n = fmt_snprintf(line, sizeof(line), "BUG %s: ", cache);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	va_start(ap, fmt);
	fmt_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&slab_bugs, 1, __ATOMIC_RELAXED);
	rep = (struct slab_report){ bug,  cache,  addr,	 object,
				    slab, caller, owner, line };
	hook = __atomic_load_n(&slab_report_hook, __ATOMIC_ACQUIRE);
	if (hook)
		hook(&rep);
	else
		printk("%s\n", line);
}

/* ", last owner 0x..." when U recorded one. */
const char *slab_owner_note_buf(char *buf, uintptr_t owner)
{
	if (!owner)
		return "";
	fmt_snprintf(buf, SLAB_OWNER_NOTE_SIZE, ", last owner %p",
		     (void *)owner);
	return buf;
}

/* -------------------------------------------------------- slab_debug= */

/* slab_caches_lock held. */
static bool debug_name_match(const char *name)
{
	const char *p = slab_debug_names;

	if (!*p)
		return true;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len && p[len - 1] == '*') {
			if (strncmp(name, p, len - 1) == 0)
				return true;
		} else if (len && strlen(name) == len &&
			   strncmp(name, p, len) == 0) {
			return true;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

int slab_debug_setup(const char *arg)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);
	unsigned int f = 0;
	int err = 0;
	const char *p;

	slab_debug_names[0] = '\0';
	if (!arg) {
		slab_debug_flags = 0;
		spin_unlock_irqrestore(&slab_caches_lock, irq);
		return 0;
	}
	if (!*arg || *arg == ',')
		f = SLAB_DEBUG_FLAGS;
	for (p = arg; *p && *p != ','; p++) {
		switch (*p | 0x20) {
		case 'f':
			f |= SLAB_CONSISTENCY_CHECKS;
			break;
		case 'z':
			f |= SLAB_RED_ZONE;
			break;
		case 'p':
			f |= SLAB_POISON;
			break;
		case 'u':
			f |= SLAB_STORE_USER;
			break;
		case '-':
			f = 0;
			break;
		default:
			printk("slab: slab_debug option '%c' unknown, "
			       "skipped\n",
			       *p);
			err = -EINVAL;
		}
	}
	if (*p == ',') {
		size_t len = strlen(p + 1);

		if (len < sizeof(slab_debug_names))
			memcpy(slab_debug_names, p + 1, len + 1);
		else
			err = -EINVAL;
	}
	slab_debug_flags = f;
	spin_unlock_irqrestore(&slab_caches_lock, irq);
	return err;
}

unsigned int slab_debug_cache_flags(const char *name)
{
	ASSERT(spin_is_held(&slab_caches_lock));
	return debug_name_match(name) ? slab_debug_flags : 0;
}

/* -------------------------------------------------- red zones, poison */

/* First byte of obj's red zone that is not `pattern`, or 0 (I7). */
static uintptr_t redzone_bad(const struct kmem_cache *c, uintptr_t obj,
			     uint8_t pattern)
{
	for (uintptr_t a = obj + c->object_size; a < obj + c->redzone_end; a++)
		if (*(uint8_t *)a != pattern)
			return a;
	return 0;
}

static void redzone_set(const struct kmem_cache *c, uintptr_t obj,
			uint8_t pattern)
{
	memset((void *)(obj + c->object_size), pattern,
	       c->redzone_end - c->object_size);
}

static void poison_set(const struct kmem_cache *c, uintptr_t obj)
{
	memset((void *)obj, SLAB_POISON_FREE, c->object_size - 1);
	*(uint8_t *)(obj + c->object_size - 1) = SLAB_POISON_END;
}

/* First byte of a free object that lost its poison, or 0 (I8). */
static uintptr_t poison_bad(const struct kmem_cache *c, uintptr_t obj)
{
	uintptr_t end = obj + c->object_size - 1;

	for (uintptr_t a = obj; a < end; a++)
		if (*(uint8_t *)a != SLAB_POISON_FREE)
			return a;
	return *(uint8_t *)end != SLAB_POISON_END ? end : 0;
}

/* ---------------------------------------------------- slow-path hooks */

/* What each hook does, and when mm/slab.c calls it: mm/slab_internal.h. */

void slab_debug_obj_init(const struct kmem_cache *c, uintptr_t obj)
{
	if (c->flags & SLAB_RED_ZONE)
		redzone_set(c, obj, SLAB_RED_INACTIVE);
	if (c->flags & SLAB_STORE_USER)
		*track_of(c, obj) = (struct kmem_track){ 0, 0 };
	if (cache_poisons(c))
		poison_set(c, obj);
}

int slab_debug_alloc(struct kmem_cache *c, struct kmem_slab *s, uintptr_t obj,
		     uintptr_t caller)
{
	uintptr_t bad;

	if (c->flags & SLAB_RED_ZONE) {
		bad = redzone_bad(c, obj, SLAB_RED_INACTIVE);
		if (bad) {
			slab_report(SLAB_BUG_REDZONE, c->name, (void *)bad,
				    (void *)obj, s, caller, owner_of(c, obj),
				    "red zone of free object %p overwritten "
				    "at %p (0x%02x instead of 0x%02x); slab "
				    "quarantined%s",
				    (void *)obj, (void *)bad, *(uint8_t *)bad,
				    SLAB_RED_INACTIVE,
				    slab_owner_note(owner_of(c, obj)));
			return 1;
		}
	}
	if (cache_poisons(c)) {
		bad = poison_bad(c, obj);
		if (bad) {
			slab_report(SLAB_BUG_POISON, c->name, (void *)bad,
				    (void *)obj, s, caller, owner_of(c, obj),
				    "use after free: poison of free object %p "
				    "overwritten at %p (+0x%lx: 0x%02x); slab "
				    "quarantined%s",
				    (void *)obj, (void *)bad,
				    (unsigned long)(bad - obj), *(uint8_t *)bad,
				    slab_owner_note(owner_of(c, obj)));
			return 1;
		}
	}
	if (c->flags & SLAB_RED_ZONE)
		redzone_set(c, obj, SLAB_RED_ACTIVE);
	if (c->flags & SLAB_STORE_USER)
		*track_of(c, obj) = (struct kmem_track){ caller, 0 };
	return 0;
}

int slab_debug_free_check(struct kmem_cache *c, struct kmem_slab *s,
			  uintptr_t obj, uintptr_t caller)
{
	uintptr_t bad;

	if (c->flags & SLAB_RED_ZONE) {
		bad = redzone_bad(c, obj, SLAB_RED_ACTIVE);
		if (bad) {
			slab_report(SLAB_BUG_REDZONE, c->name, (void *)bad,
				    (void *)obj, s, caller, owner_of(c, obj),
				    "red zone of %p overwritten at %p (+0x%lx: "
				    "0x%02x instead of 0x%02x): write past the "
				    "object; not freed (caller %p)%s",
				    (void *)obj, (void *)bad,
				    (unsigned long)(bad - obj), *(uint8_t *)bad,
				    SLAB_RED_ACTIVE, (void *)caller,
				    slab_owner_note(owner_of(c, obj)));
			return 1;
		}
	}
	return 0;
}

void slab_debug_free(const struct kmem_cache *c, uintptr_t obj,
		     uintptr_t caller)
{
	if (cache_poisons(c))
		poison_set(c, obj);
	if (c->flags & SLAB_RED_ZONE)
		redzone_set(c, obj, SLAB_RED_INACTIVE);
	if (c->flags & SLAB_STORE_USER)
		track_of(c, obj)->free_ip = caller;
}

/* --------------------------------------------------------- validation */

/* Follow s's free list (I3; with `contents`, I7 and I8 too). */
int slab_freelist_check(struct kmem_cache *c, struct kmem_slab *s,
			uintptr_t caller, bool contents)
{
	unsigned long free = 0, limit = c->objs_per_slab - s->inuse;
	uintptr_t obj = (uintptr_t)s->freelist, at = 0;
	enum slab_bug bug = SLAB_BUG_FREEPTR;
	const char *what = NULL;

	ASSERT(spin_is_held(&c->lock));
	for (; obj; obj = link_decode(c, obj)) {
		at = obj;
		if (!is_obj_start(c, s, obj)) {
			what = "free pointer corrupted: free list leads off an "
			       "object boundary";
		} else if (++free > limit) {
			what = "free pointer corrupted: free list longer than "
			       "the free count (a loop?)";
		} else if (!link_ok(c, s, link_decode(c, obj))) {
			what = "free pointer corrupted: link to no object of "
			       "the slab";
		} else if (word_load(c, obj) == used_mark(c, obj) ||
			   word_load(c, obj) == cached_mark(c, obj)) {
			what = "free pointer corrupted: free object marked in "
			       "use";
		} else if (!contents) {
			continue;
		} else if ((c->flags & SLAB_RED_ZONE) &&
			   (at = redzone_bad(c, obj, SLAB_RED_INACTIVE))) {
			bug = SLAB_BUG_REDZONE;
			what = "red zone of a free object overwritten";
		} else if (cache_poisons(c) && (at = poison_bad(c, obj))) {
			bug = SLAB_BUG_POISON;
			what = "use after free: poison of a free object "
			       "overwritten";
		}
		if (what)
			break;
	}
	if (!what && free != limit) {
		slab_report(SLAB_BUG_FREEPTR, c->name, s, NULL, s, caller, 0,
			    "free pointer corrupted: free list of slab %p "
			    "holds %lu objects, expected %lu; slab quarantined",
			    (void *)s, free, limit);
		slab_quarantine(c, s);
		return 1;
	}
	if (!what)
		return 0;
	slab_report(bug, c->name, (void *)at, (void *)obj, s, caller, 0,
		    "%s: object %p at %p (slab %p); slab quarantined", what,
		    (void *)obj, (void *)at, (void *)s);
	slab_quarantine(c, s);
	return 1;
}

/* I6 and I2 for one slab. */
static int slab_shape_check(struct kmem_cache *c, struct kmem_slab *s, int st)
{
	unsigned long n = 1UL << c->order;
	int found = 0;

	if (s->magic != KMEM_SLAB_MAGIC || s->cache != c)
		SLAB_VIOLATION(c, "I6", "slab %p has magic 0x%x, cache %p",
			       (void *)s, s->magic, (void *)s->cache);
	if (s->state != st)
		SLAB_VIOLATION(c, "I1", "slab %p on the %s list says %s",
			       (void *)s, slab_state_names[st],
			       s->state < KMEM_NR_SLAB_STATES
				       ? slab_state_names[s->state]
				       : "?");
	if (c == &slab_dead_cache)
		return found;
	if ((c->slab_mask && !IS_ALIGNED(slab_base(s), c->slab_bytes)) ||
	    (!(c->flags & SLAB_OFF_SLAB) && page_address(s->page) != (void *)s))
		SLAB_VIOLATION(c, "I6", "slab %p is not its block (page at %p)",
			       (void *)s, page_address(s->page));
	for (unsigned long i = 0; i < n; i++)
		if (!(page_flags_get(&s->page[i]) & PG_slab) ||
		    s->page[i].slab != s) {
			SLAB_VIOLATION(c, "I6",
				       "page %lu of slab %p: flags 0x%x", i,
				       (void *)s, page_flags_get(&s->page[i]));
			break;
		}
	if (s->colour > c->colour_max ||
	    s->objs != slab_base(s) + c->objs_offset + s->colour)
		SLAB_VIOLATION(c, "I6", "slab %p: objects at %p, colour %u",
			       (void *)s, (void *)s->objs, s->colour);
	switch (st) {
	case KMEM_SLAB_FULL:
		if (s->inuse != c->objs_per_slab || s->freelist)
			SLAB_VIOLATION(c, "I2", "full slab %p: inuse %u of %u",
				       (void *)s, s->inuse, c->objs_per_slab);
		break;
	case KMEM_SLAB_PARTIAL:
		if (s->inuse == 0 || s->inuse >= c->objs_per_slab)
			SLAB_VIOLATION(c, "I2",
				       "partial slab %p: inuse %u of %u",
				       (void *)s, s->inuse, c->objs_per_slab);
		break;
	case KMEM_SLAB_EMPTY:
		if (s->inuse != 0)
			SLAB_VIOLATION(c, "I2", "empty slab %p: inuse %u",
				       (void *)s, s->inuse);
		break;
	default:
		if (s->freelist || s->inuse > c->objs_per_slab)
			SLAB_VIOLATION(c, "I2", "quarantined slab %p: inuse %u",
				       (void *)s, s->inuse);
	}
	return found;
}

/* I4 and I7 for the objects in use of a healthy slab. */
static int slab_objects_check(struct kmem_cache *c, struct kmem_slab *s)
{
	unsigned long used = 0;
	int found = 0;

	/* No mark in use where the word is inside: I3's count stands. */
	if (word_inside(c))
		return 0;
	for (unsigned long i = 0; i < c->objs_per_slab; i++) {
		uintptr_t o = obj_at(c, s, i), bad, w = word_load(c, o);

		if (w == cached_mark(c, o) && !cache_is_debug(c)) {
			used++; /* in a magazine (I10): counted in inuse */
			continue;
		}
		if (w != used_mark(c, o))
			continue;
		used++;
		if ((c->flags & SLAB_RED_ZONE) &&
		    (bad = redzone_bad(c, o, SLAB_RED_ACTIVE))) {
			slab_report(SLAB_BUG_REDZONE, c->name, (void *)bad,
				    (void *)o, s, 0, owner_of(c, o),
				    "red zone of %p overwritten at %p "
				    "(0x%02x): write past the object%s",
				    (void *)o, (void *)bad, *(uint8_t *)bad,
				    slab_owner_note(owner_of(c, o)));
			redzone_set(c, o, SLAB_RED_ACTIVE); /* report once */
			c->bugs++;
			found++;
		}
	}
	if (used != s->inuse) {
		slab_report(SLAB_BUG_MARK, c->name, s, NULL, s, 0, 0,
			    "in-use mark overwritten: slab %p has %lu marked "
			    "or cached objects, %u in use; slab quarantined",
			    (void *)s, used, s->inuse);
		slab_quarantine(c, s);
		found++;
	}
	return found;
}

/* kmem_cache_validate() with c->lock held. */
static int cache_validate(struct kmem_cache *c)
{
	struct list_head *p, *n;
	struct kmem_slab *first;
	int found = 0;

	ASSERT(spin_is_held(&c->lock));
	/* Quarantined slabs last: a damaged slab moves there. */
	for (int st = 0; st < KMEM_NR_SLAB_STATES; st++) {
		list_for_each_safe (p, n, &c->lists[st]) {
			struct kmem_slab *s =
				list_entry(p, struct kmem_slab, list);

			found += slab_shape_check(c, s, st);
			if (st == KMEM_SLAB_QUARANTINED ||
			    c == &slab_dead_cache)
				continue;
			if (slab_freelist_check(c, s, 0, true))
				found++;
			else
				found += slab_objects_check(c, s);
		}
	}
	for (int st = 0; st < KMEM_NR_SLAB_STATES; st++) {
		unsigned long count = 0;

		list_for_each (p, &c->lists[st])
			count++;
		if (count != c->nr_slabs[st])
			SLAB_VIOLATION(
				c, "I1", "%s list holds %lu slabs, counted %lu",
				slab_state_names[st], count, c->nr_slabs[st]);
	}
	first = list_empty(&c->lists[KMEM_SLAB_PARTIAL])
			? NULL
			: list_first_entry(&c->lists[KMEM_SLAB_PARTIAL],
					   struct kmem_slab, list);
	if (cache_is_debug(c) || c == &slab_dead_cache) {
		if (c->active)
			SLAB_VIOLATION(c, "I5",
				       "debug cache has active slab %p",
				       (void *)c->active);
	} else if (c->active != first) {
		SLAB_VIOLATION(c, "I5",
			       "active slab %p is not the first partial %p",
			       (void *)c->active, (void *)first);
	}
	return found + slab_cpu_check(c);
}

int kmem_cache_validate(struct kmem_cache *c)
{
	unsigned long irq = spin_lock_irqsave(&c->lock);
	int found = cache_validate(c);

	spin_unlock_irqrestore(&c->lock, irq);
	return found;
}

/* I9 under slab_caches_lock; each cache under its own lock in turn. */
int slab_check(void)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);
	struct list_head *p, *q;
	int found = 0;

	list_for_each (p, &slab_caches) {
		struct kmem_cache *c = list_entry(p, struct kmem_cache, caches);
		unsigned int seen = 0;

		list_for_each (q, &slab_caches)
			seen += q == p;
		if (seen != 1)
			SLAB_VIOLATION(c, "I9", "on the cache list %u times",
				       seen);
		found += kmem_cache_validate(c);
	}
	spin_unlock_irqrestore(&slab_caches_lock, irq);
	return found;
}

/* ----------------------------------------------------------- slabinfo */

void kmem_cache_info(struct kmem_cache *c, struct kmem_cache_info *out)
{
	const struct list_head *p;
	unsigned long irq;

	memset(out, 0, sizeof(*out));
	irq = spin_lock_irqsave(&c->lock);
	out->name = c->name;
	out->object_size = c->object_size;
	out->size = c->size;
	out->align = c->align;
	out->order = c->order;
	out->objs_per_slab = c->objs_per_slab;
	out->flags = c->flags;
	out->grows = c->grows;
	out->releases = c->releases;
	out->bugs = c->bugs;
	out->refills = c->refills;
	out->flushes = c->flushes;
	out->depot = (unsigned long)c->depot_n * c->mag_rounds;
	out->depot_empty = c->depot_empty_n;
	out->mag_rounds = cpu_cache_is_on(c) ? c->mag_rounds : 0;
	out->depot_gets = c->depot_gets;
	out->depot_puts = c->depot_puts;
	for (int st = 0; st < KMEM_NR_SLAB_STATES; st++) {
		list_for_each (p, &c->lists[st]) {
			const struct kmem_slab *s =
				list_entry(p, const struct kmem_slab, list);

			out->nr_slabs[st]++;
			out->active_objs += s->inuse;
			out->pages += buddy_block_pages_of(s->page);
			if (st == KMEM_SLAB_QUARANTINED)
				out->quarantined_pages +=
					buddy_block_pages_of(s->page);
			if (c != &slab_dead_cache)
				out->total_objs += c->objs_per_slab;
		}
	}
	out->cached = kmem_cpu_cached(c);
	out->active_objs -= MIN(out->cached, out->active_objs);
	spin_unlock_irqrestore(&c->lock, irq);
}

/* The lines are printed under slab_caches_lock (printk_lock nests in). */
void slabinfo_print(void)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);
	struct list_head *p;

	printk("slabinfo: %-18s %7s %6s %8s %8s %7s %5s %6s %7s %6s %5s "
	       "%7s\n",
	       "name", "objsize", "size", "active", "total", "perslab", "order",
	       "full", "partial", "empty", "quar", "pages");
	list_for_each (p, &slab_caches) {
		struct kmem_cache *c = list_entry(p, struct kmem_cache, caches);
		struct kmem_cache_info i;

		kmem_cache_info(c, &i);
		printk("slabinfo: %-18s %7zu %6zu %8lu %8lu %7u %5u %6lu %7lu "
		       "%6lu %5lu %7lu\n",
		       i.name, i.object_size, i.size, i.active_objs,
		       i.total_objs, i.objs_per_slab, i.order,
		       i.nr_slabs[KMEM_SLAB_FULL],
		       i.nr_slabs[KMEM_SLAB_PARTIAL],
		       i.nr_slabs[KMEM_SLAB_EMPTY],
		       i.nr_slabs[KMEM_SLAB_QUARANTINED], i.pages);
	}
	spin_unlock_irqrestore(&slab_caches_lock, irq);
}

void slabinfo_walk(void (*fn)(const struct kmem_cache_info *info, void *arg),
		   void *arg)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);
	struct list_head *p;

	list_for_each (p, &slab_caches) {
		struct kmem_cache_info i;

		kmem_cache_info(list_entry(p, struct kmem_cache, caches), &i);
		fn(&i, arg);
	}
	spin_unlock_irqrestore(&slab_caches_lock, irq);
}

void slab_get_totals(struct slab_totals *t)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);
	struct list_head *p;

	*t = (struct slab_totals){ 0 };
	list_for_each (p, &slab_caches) {
		struct kmem_cache *c = list_entry(p, struct kmem_cache, caches);
		struct kmem_cache_info i;

		kmem_cache_info(c, &i);
		t->caches++;
		t->active_objs += i.active_objs;
		t->pages += i.pages;
		t->quarantined_pages += i.quarantined_pages;
	}
	spin_unlock_irqrestore(&slab_caches_lock, irq);
}
