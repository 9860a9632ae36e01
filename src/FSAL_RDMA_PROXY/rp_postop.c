/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Post-operation directory attributes: one round trip fewer per change.
 *
 * After every create, mkdir, mknod, symlink and link Ganesha's cache asks
 * the FSAL for the parent directory's attributes again, and after a
 * remove or rename it asks on the directory's next use.  Each ask is a
 * backend GETATTR of its own.  The gateway instead appends PUTFH(dir) +
 * GETATTR to the COMPOUND that makes the change and keeps that answer on
 * the directory's handle; the getattrs that follows takes it instead of
 * going to the backend.  How this works:
 *
 * - The kept attributes are the backend's own GETATTR result (raw fattr4,
 *   decoded by the same code as a real GETATTR), taken in the COMPOUND
 *   right after the change, so they are as fresh as a separate GETATTR.
 * - Taken once, and only within RP_POSTOP_MAX_AGE_MS of the reply: an
 *   attribute cache no older than what NFS clients keep by default
 *   (acdirmin 30 s) - here a second.
 * - Changes race: rp_postop_begin() draws a ticket before the COMPOUND is
 *   sent and rp_postop_keep() keeps its answer only if no other change
 *   through the gateway to that directory overlapped it - none began
 *   since, and none was still in flight when it began.  Concurrent
 *   COMPOUNDs run on the backend in any order (several slots, several
 *   connections), so the answer of the change that began last may well
 *   have been taken before the other change ran.  A change that brings
 *   no answer (setattr, a failed COMPOUND) ends with rp_postop_end().
 *
 * The same bookkeeping saves a second round trip of another kind: an OPEN
 * that creates makes Ganesha look the name up twice in a row (the
 * protocol layer, then its cache), and each lookup goes to the backend to
 * hear NFS4ERR_NOENT.  The first miss is noted on the directory (a hash
 * of the name) and the lookup right after it - within
 * RP_NEG_MAX_AGE_MS, once, and only while no change to the directory
 * began through the gateway - gets the same answer without asking.  The
 * miss counts only if no change was in flight or began while the LOOKUP
 * was (rp_neg_ticket()): the backend may have run the LOOKUP before a
 * create whose reply came first.
 */
#include "rp_int.h"

#include <time.h>

/* How long kept attributes may be served after the backend sent them. */
#define RP_POSTOP_MAX_AGE_MS 1000
/* How long a noted miss answers a lookup of the same name: one request. */
#define RP_NEG_MAX_AGE_MS 20

/* Milliseconds since @then (CLOCK_MONOTONIC). */
static int64_t rp_age_ms(const struct timespec *then)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - then->tv_sec) * 1000 +
	       (now.tv_nsec - then->tv_nsec) / 1000000;
}

/* FNV-1a: names a noted miss without keeping the name. */
static uint64_t rp_name_hash(const char *name, size_t len)
{
	uint64_t hash = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		hash ^= (uint8_t)name[i];
		hash *= 0x100000001b3ull;
	}
	return hash;
}

void rp_postop_init(struct rp_handle *h)
{
	pthread_mutex_init(&h->po_lock, NULL);
	h->po_seq = 0;
	h->po_busy = 0;
	h->po_overlap = false;
	h->po_have = false;
	h->po_neg_seq = 0;
	h->po_neg_len = 0;
}

/* Drops the kept copy; po_lock held. */
static void rp_postop_drop(struct rp_handle *h)
{
	if (!h->po_have)
		return;
	gsh_free(h->po_attrs.attr_vals.attrlist4_val);
	memset(&h->po_attrs, 0, sizeof(h->po_attrs));
	h->po_have = false;
}

void rp_postop_fini(struct rp_handle *h)
{
	pthread_mutex_lock(&h->po_lock);
	rp_postop_drop(h);
	pthread_mutex_unlock(&h->po_lock);
	pthread_mutex_destroy(&h->po_lock);
}

uint64_t rp_postop_begin(struct rp_handle *h)
{
	uint64_t ticket;

	pthread_mutex_lock(&h->po_lock);
	ticket = ++h->po_seq;
	/* another change in flight may run after ours on the backend */
	h->po_overlap = h->po_busy > 0;
	h->po_busy++;
	rp_postop_drop(h);
	pthread_mutex_unlock(&h->po_lock);
	return ticket;
}

/* A change is over; po_lock held. */
static void rp_postop_done(struct rp_handle *h)
{
	if (h->po_busy)
		h->po_busy--;
}

void rp_postop_end(struct rp_handle *h)
{
	pthread_mutex_lock(&h->po_lock);
	rp_postop_done(h);
	pthread_mutex_unlock(&h->po_lock);
}

void rp_postop_keep(struct rp_export *ex, struct rp_handle *h, uint64_t ticket,
		    const struct sess_compound *c, uint32_t getattr_idx)
{
	const nfs_resop4 *r;
	const fattr4 *fa;
	fattr4 copy = {0};
	size_t bytes;

	if (getattr_idx >= c->sc_nres) {
		rp_postop_end(h);
		return;
	}
	r = &c->sc_res[getattr_idx];
	if (r->resop != NFS4_OP_GETATTR ||
	    r->nfs_resop4_u.opgetattr.status != NFS4_OK) {
		rp_postop_end(h);
		return;
	}
	fa = &r->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4.obj_attributes;
	bytes = fa->attr_vals.attrlist4_len;
	/* The decoder bounds both; check again before sizing a copy. */
	if (fa->attrmask.bitmap4_len > BITMAP4_MAPLEN || bytes > 64 * 1024) {
		rp_postop_end(h);
		return;
	}
	copy.attrmask = fa->attrmask;
	copy.attr_vals.attrlist4_len = (u_int)bytes;
	copy.attr_vals.attrlist4_val = gsh_malloc(bytes ? bytes : 1);
	memcpy(copy.attr_vals.attrlist4_val, fa->attr_vals.attrlist4_val,
	       bytes);

	pthread_mutex_lock(&h->po_lock);
	if (h->po_seq == ticket && !h->po_overlap) {
		rp_postop_drop(h);
		h->po_attrs = copy;
		clock_gettime(CLOCK_MONOTONIC, &h->po_when);
		h->po_have = true;
		memset(&copy, 0, sizeof(copy));
		atomic_fetch_add(&ex->stats.rst_postop_kept, 1);
	}
	rp_postop_done(h);
	pthread_mutex_unlock(&h->po_lock);
	/* Not kept (another change overlapped ours): not ours to keep. */
	gsh_free(copy.attr_vals.attrlist4_val);
}

bool rp_postop_take(struct rp_export *ex, struct rp_handle *h,
		    struct fsal_attrlist *attrs, fsal_status_t *st)
{
	int64_t age_ms;
	fattr4 fa = {0};
	bool have;

	pthread_mutex_lock(&h->po_lock);
	have = h->po_have;
	if (have) {
		age_ms = rp_age_ms(&h->po_when);
		fa = h->po_attrs;
		memset(&h->po_attrs, 0, sizeof(h->po_attrs));
		h->po_have = false; /* once */
		have = age_ms >= 0 && age_ms <= RP_POSTOP_MAX_AGE_MS;
	}
	pthread_mutex_unlock(&h->po_lock);
	if (have) {
		*st = rp_fattr_to_attrs(&fa, attrs);
		atomic_fetch_add(&ex->stats.rst_postop_served, 1);
	}
	gsh_free(fa.attr_vals.attrlist4_val);
	/* An answer that would not decode: ask the backend after all. */
	return have && !FSAL_IS_ERROR(*st);
}

uint64_t rp_neg_ticket(struct rp_handle *dir)
{
	uint64_t ticket;

	pthread_mutex_lock(&dir->po_lock);
	/* 0: a change is in flight, the LOOKUP may run before or after it */
	ticket = dir->po_busy ? 0 : dir->po_seq + 1;
	pthread_mutex_unlock(&dir->po_lock);
	return ticket;
}

void rp_neg_note(struct rp_handle *dir, const char *name, uint64_t ticket)
{
	size_t len = strlen(name);

	pthread_mutex_lock(&dir->po_lock);
	/* po_seq + 1: valid only while no change began after the LOOKUP */
	if (ticket && ticket == dir->po_seq + 1) {
		dir->po_neg_hash = rp_name_hash(name, len);
		dir->po_neg_len = (uint32_t)len;
		dir->po_neg_seq = ticket;
		clock_gettime(CLOCK_MONOTONIC, &dir->po_neg_when);
	}
	pthread_mutex_unlock(&dir->po_lock);
}

bool rp_neg_take(struct rp_export *ex, struct rp_handle *dir, const char *name)
{
	size_t len = strlen(name);
	bool hit;

	pthread_mutex_lock(&dir->po_lock);
	hit = dir->po_neg_seq == dir->po_seq + 1 && dir->po_neg_len == len &&
	      dir->po_neg_hash == rp_name_hash(name, len);
	if (hit) {
		int64_t age_ms = rp_age_ms(&dir->po_neg_when);

		hit = age_ms >= 0 && age_ms <= RP_NEG_MAX_AGE_MS;
		dir->po_neg_seq = 0; /* once */
	}
	pthread_mutex_unlock(&dir->po_lock);
	if (hit)
		atomic_fetch_add(&ex->stats.rst_neg_served, 1);
	return hit;
}
