/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Backend lock-owner names (see rp_lock_owner.c).  Pure: libc and
 * pthreads only, so a unit test links it alone.
 */
#ifndef RP_LOCK_OWNER_H
#define RP_LOCK_OWNER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define RP_LOCK_OWNER_BUCKETS 256
/* "rp-lock-" + 16 hex digits + '-' + up to 16 hex digits + NUL */
#define RP_LOCK_OWNER_NAME_MAX 48

struct rp_lock_owner_ent;

struct rp_lock_owners {
	pthread_mutex_t lo_lock; /* everything below; under rs_lock */
	uint64_t lo_prefix;	 /* random: this process's names */
	uint64_t lo_last;	 /* last id given; ids are never reused */
	uint32_t lo_count;	 /* owners held */
	struct rp_lock_owner_ent *lo_buckets[RP_LOCK_OWNER_BUCKETS];
};

/*
 * Set up @lo with a random prefix.  Returns 0, or -errno when no random
 * bytes could be had.
 */
int rp_lock_owners_init(struct rp_lock_owners *lo);

/* Free every entry (no lock state may hold one any more). */
void rp_lock_owners_destroy(struct rp_lock_owners *lo);

/* A new id, never given before.  From any thread. */
uint64_t rp_lock_owner_new_id(struct rp_lock_owners *lo);

/*
 * Note that the lock state of Ganesha's lock owner @owner on file @file
 * named its backend owner @id (until rp_lock_owner_forget()).  Returns 0,
 * or -ENOMEM.
 */
int rp_lock_owner_note(struct rp_lock_owners *lo, const void *owner,
		       const void *file, uint64_t id);

/* The lock state noted with @id is going: forget it. */
void rp_lock_owner_forget(struct rp_lock_owners *lo, const void *owner,
			  const void *file, uint64_t id);

/*
 * The id noted last for @owner on @file, or a new id when there is none
 * (a LOCKT by an owner that holds no lock on the file here).
 */
uint64_t rp_lock_owner_lookup(struct rp_lock_owners *lo, const void *owner,
			      const void *file);

/*
 * Write the backend lock-owner name of @id to @buf.  Returns its length,
 * or -ENOSPC when @cap is too small.
 */
int rp_lock_owner_name(const struct rp_lock_owners *lo, uint64_t id, char *buf,
		       size_t cap);

#endif
