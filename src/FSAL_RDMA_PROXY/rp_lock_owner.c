/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Backend lock-owner names.
 *
 * Each lock state (one per Ganesha lock owner and file) appears to the
 * backend as an NFSv4 lock owner of the gateway's client ID.  Its name
 * used to be the Ganesha owner's heap address: that told the backend (and
 * whoever reads its state) where the gateway's heap lies, and once the
 * owner was freed an unrelated owner allocated at the same address got the
 * same name - the backend took it for the old one.
 *
 * Now each lock state names its backend owner with an id from a counter
 * that only grows: "rp-lock-<prefix>-<id>", the prefix 64 random bits drawn
 * per process, so no name repeats in a gateway's life or across restarts.
 * Locks are per file, so one name per (owner, file) is all LOCK needs.
 * LOCKT has no lock state, only the owner: it must name the backend owner
 * of that owner's lock state on the file, or the backend would report the
 * owner's own locks as conflicts.  A small table maps (owner, file) to
 * that id while the state lives; the addresses are only compared, never
 * followed, and an entry left by a state being freed can at worst make a
 * LOCKT test against a dying state's locks - no name is ever given to a
 * second LOCK.  An owner with no lock state on the file tests under a new
 * id.  The table is bounded by the live lock states.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "rp_lock_owner.h"

struct rp_lock_owner_ent {
	struct rp_lock_owner_ent *le_next;
	const void *le_owner;
	const void *le_file;
	uint64_t le_id;
};

static size_t bucket_of(const void *owner, const void *file)
{
	uint64_t h = (uint64_t)(uintptr_t)owner * 31 + (uintptr_t)file;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)(h % RP_LOCK_OWNER_BUCKETS);
}

int rp_lock_owners_init(struct rp_lock_owners *lo)
{
	size_t i;

	for (i = 0; i < RP_LOCK_OWNER_BUCKETS; i++)
		lo->lo_buckets[i] = NULL;
	lo->lo_last = 0;
	lo->lo_count = 0;
	if (getrandom(&lo->lo_prefix, sizeof(lo->lo_prefix), 0) !=
	    (ssize_t)sizeof(lo->lo_prefix))
		return errno ? -errno : -EIO;
	pthread_mutex_init(&lo->lo_lock, NULL);
	return 0;
}

void rp_lock_owners_destroy(struct rp_lock_owners *lo)
{
	struct rp_lock_owner_ent *e, *next;
	size_t i;

	for (i = 0; i < RP_LOCK_OWNER_BUCKETS; i++) {
		for (e = lo->lo_buckets[i]; e; e = next) {
			next = e->le_next;
			free(e);
		}
		lo->lo_buckets[i] = NULL;
	}
	lo->lo_count = 0;
	pthread_mutex_destroy(&lo->lo_lock);
}

uint64_t rp_lock_owner_new_id(struct rp_lock_owners *lo)
{
	uint64_t id;

	pthread_mutex_lock(&lo->lo_lock);
	id = ++lo->lo_last;
	pthread_mutex_unlock(&lo->lo_lock);
	return id;
}

int rp_lock_owner_note(struct rp_lock_owners *lo, const void *owner,
		       const void *file, uint64_t id)
{
	struct rp_lock_owner_ent *e = calloc(1, sizeof(*e));
	size_t b = bucket_of(owner, file);

	if (!e)
		return -ENOMEM;
	e->le_owner = owner;
	e->le_file = file;
	e->le_id = id;
	pthread_mutex_lock(&lo->lo_lock);
	/* at the head: the newest state of a key is found first */
	e->le_next = lo->lo_buckets[b];
	lo->lo_buckets[b] = e;
	lo->lo_count++;
	pthread_mutex_unlock(&lo->lo_lock);
	return 0;
}

void rp_lock_owner_forget(struct rp_lock_owners *lo, const void *owner,
			  const void *file, uint64_t id)
{
	struct rp_lock_owner_ent **p, *e;

	pthread_mutex_lock(&lo->lo_lock);
	for (p = &lo->lo_buckets[bucket_of(owner, file)]; (e = *p);
	     p = &e->le_next) {
		if (e->le_owner == owner && e->le_file == file &&
		    e->le_id == id) {
			*p = e->le_next;
			lo->lo_count--;
			free(e);
			break;
		}
	}
	pthread_mutex_unlock(&lo->lo_lock);
}

uint64_t rp_lock_owner_lookup(struct rp_lock_owners *lo, const void *owner,
			      const void *file)
{
	struct rp_lock_owner_ent *e;
	uint64_t id = 0;

	pthread_mutex_lock(&lo->lo_lock);
	for (e = lo->lo_buckets[bucket_of(owner, file)]; e; e = e->le_next) {
		if (e->le_owner == owner && e->le_file == file) {
			id = e->le_id;
			break;
		}
	}
	if (!id)
		id = ++lo->lo_last;
	pthread_mutex_unlock(&lo->lo_lock);
	return id;
}

int rp_lock_owner_name(const struct rp_lock_owners *lo, uint64_t id, char *buf,
		       size_t cap)
{
	int n =
	    snprintf(buf, cap, "rp-lock-%016llx-%llx",
		     (unsigned long long)lo->lo_prefix, (unsigned long long)id);

	return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}
