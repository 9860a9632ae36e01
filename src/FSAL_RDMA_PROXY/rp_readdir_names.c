/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The names one rp_readdir() call has passed up, to stop a backend whose
 * READDIR pages go round (issue 12).
 *
 * Why names and not only cookies: with Ganesha's dirent cache on, the
 * cache stops a call (DIR_TERMINATE) at the first name it already holds
 * and answers the client NFS4ERR_DELAY; the client then lists again from
 * the start, for ever, and the cookie watch of one call never sees a
 * cookie twice.  A listing never holds a name twice, so the second sight
 * of one inside a call is the backend's fault, caught before the cache
 * sees it.
 *
 * How this works: an open-addressing set of 64-bit name hashes, keyed
 * with a per-process random seed (a backend cannot aim its names at one
 * slot without knowing it), grown by doubling up to RP_NAMES_MAX_SLOTS
 * and probed at most RP_NAMES_MAX_PROBE slots: a backend that still
 * manages a long run only makes a repeat go unseen there, never a loop
 * longer than that bound.  The caller bounds the entries of a call
 * (RP_READDIR_MAX_ENTRIES), so the set stays below half full.  A hash
 * shared by two names reads as a repeat: at 2^-64 per pair, and only
 * ever failing that one listing.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "rp_int.h"

#define RP_NAMES_INLINE 64
#define RP_NAMES_MAX_SLOTS (1u << 17)
#define RP_NAMES_MAX_PROBE 64

static uint64_t rp_names_seed(void)
{
	static _Atomic uint64_t seed;
	uint64_t s = atomic_load(&seed);

	if (s)
		return s;
	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = (uint64_t)(uintptr_t)&seed ^ 0x9e3779b97f4a7c15ull;
	s |= 1; /* never 0: 0 means "not drawn yet" */
	atomic_store(&seed, s);
	return s;
}

/* A keyed FNV-1a with a final mix, so that every bit moves the slot. */
static uint64_t rp_names_hash(const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ rp_names_seed();
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)name[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h ? h : 1; /* 0 marks an empty slot */
}

void rp_names_init(struct rp_readdir_names *ns)
{
	memset(ns->rn_inline, 0, sizeof(ns->rn_inline));
	ns->rn_slots = ns->rn_inline;
	ns->rn_cap = RP_NAMES_INLINE;
	ns->rn_count = 0;
}

void rp_names_fini(struct rp_readdir_names *ns)
{
	if (ns->rn_slots != ns->rn_inline)
		gsh_free(ns->rn_slots);
	ns->rn_slots = NULL;
}

/* Put @h into @slots of @cap; true when it was there already. */
static bool rp_names_put(uint64_t *slots, uint32_t cap, uint64_t h)
{
	uint32_t i, n;

	for (i = (uint32_t)h & (cap - 1), n = 0; n < RP_NAMES_MAX_PROBE;
	     i = (i + 1) & (cap - 1), n++) {
		if (slots[i] == h)
			return true;
		if (!slots[i]) {
			slots[i] = h;
			return false;
		}
	}
	return false; /* a run that long: left unseen, see above */
}

static void rp_names_grow(struct rp_readdir_names *ns)
{
	uint32_t cap = ns->rn_cap * 2, i;
	uint64_t *slots;

	if (cap > RP_NAMES_MAX_SLOTS)
		return;
	slots = gsh_calloc(cap, sizeof(*slots));
	for (i = 0; i < ns->rn_cap; i++)
		if (ns->rn_slots[i])
			(void)rp_names_put(slots, cap, ns->rn_slots[i]);
	if (ns->rn_slots != ns->rn_inline)
		gsh_free(ns->rn_slots);
	ns->rn_slots = slots;
	ns->rn_cap = cap;
}

bool rp_names_seen(struct rp_readdir_names *ns, const char *name, size_t len)
{
	uint64_t h = rp_names_hash(name, len);
	bool seen;

	if (2 * (ns->rn_count + 1) > ns->rn_cap)
		rp_names_grow(ns);
	seen = rp_names_put(ns->rn_slots, ns->rn_cap, h);
	if (!seen)
		ns->rn_count++;
	return seen;
}
