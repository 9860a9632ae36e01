/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The fore channel slot table of an NFSv4.1 session (RFC 8881 2.10.6),
 * pure logic without locks or I/O so it can be unit-tested exhaustively;
 * sess_client.c wraps it in a mutex and a condition variable.
 *
 * The client may use slots 0..limit where limit = min(server's highest
 * slotid, server's target highest slotid, table size - 1).  A new request
 * takes the lowest free slot.  Each slot carries the sequence id the next
 * request on it must use; it advances only when the server processed
 * SEQUENCE on that slot.  A request whose fate is unknown and that will
 * not be replayed retires its slot (reusing the seqid could be answered
 * from the reply cache with another request's reply); SEQ_MISORDERED first
 * retries once with seqid 1 (the server may have reset the slot) and then
 * retires the slot.  When too many slots are retired the session must be
 * replaced (sess_slots_need_reset()).
 */
#ifndef SESS_SLOTS_H
#define SESS_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#define SESS_SLOTS_MAX 1024

/** How a request on a slot ended. */
enum sess_slot_outcome {
	/* The server processed SEQUENCE: the seqid is consumed. */
	SESS_SLOT_DONE,
	/* The request never reached the server: seqid unchanged. */
	SESS_SLOT_UNSENT,
	/* NFS4ERR_SEQ_MISORDERED on this slot. */
	SESS_SLOT_MISORDERED,
	/* NFS4ERR_BADSLOT: the slot id is beyond the server's table. */
	SESS_SLOT_BADSLOT,
	/* Fate unknown and the request is abandoned: retire the slot. */
	SESS_SLOT_LOST,
};

struct sess_slot {
	uint32_t sl_seqid;
	bool sl_busy;
	bool sl_retired;
	bool sl_tried_reset;
};

struct sess_slot_table {
	struct sess_slot *st_slots;
	uint32_t st_nslots;
	uint32_t st_highest; /* server's sr_highest_slotid */
	uint32_t st_target;  /* server's target (or CB_RECALL_SLOT) */
	uint32_t st_busy;
	uint32_t st_max_busy;
	uint32_t st_retired;
	uint64_t st_misordered;
	uint64_t st_badslot;
	uint64_t st_resets_tried;
};

/**
 * sess_slots_init() - a table of @nslots slots, all free with seqid 1,
 * all usable.  Returns 0, -EINVAL when @nslots is 0 or > SESS_SLOTS_MAX,
 * -ENOMEM.
 */
int sess_slots_init(struct sess_slot_table *t, uint32_t nslots);

/** sess_slots_fini() - free the table. */
void sess_slots_fini(struct sess_slot_table *t);

/** sess_slots_limit() - the highest slot id new requests may use. */
uint32_t sess_slots_limit(const struct sess_slot_table *t);

/**
 * sess_slots_acquire() - take the lowest free usable slot.
 * @slotid, @seqid: what the SEQUENCE must carry.
 * @highest: sa_highest_slotid to send (highest slot id now busy).
 * Returns 0, or -EAGAIN when no slot is free (wait for a release).
 */
int sess_slots_acquire(struct sess_slot_table *t, uint32_t *slotid,
		       uint32_t *seqid, uint32_t *highest);

/**
 * sess_slots_highest_busy() - sa_highest_slotid for a replay on a slot
 * that is already held.
 */
uint32_t sess_slots_highest_busy(const struct sess_slot_table *t);

/**
 * sess_slots_release() - end a request on @slotid with @outcome.
 * @sr_highest, @sr_target: the server's SEQUENCE result (DONE only).
 * Returns 0, or -EINVAL when @slotid is not busy (caller bug).
 */
int sess_slots_release(struct sess_slot_table *t, uint32_t slotid,
		       enum sess_slot_outcome outcome, uint32_t sr_highest,
		       uint32_t sr_target);

/**
 * sess_slots_set_target() - the server asked (CB_RECALL_SLOT) to use no
 * slot above @target.  Returns true when the new target is already met
 * (no busy slot above it).
 */
bool sess_slots_set_target(struct sess_slot_table *t, uint32_t target);

/** sess_slots_need_reset() - true when half or more slots are retired. */
bool sess_slots_need_reset(const struct sess_slot_table *t);

#endif /* SESS_SLOTS_H */
