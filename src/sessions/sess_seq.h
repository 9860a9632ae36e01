/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The SEQUENCE engine's decision (RFC 8881 2.10.6), as a pure function.
 *
 * How this works: sess_compound_flags() (sess_compound.c) claims a slot,
 * sends one SEQUENCE-wrapped COMPOUND and classifies what came back into a
 * struct sess_seq_in: the transport's result, the SEQUENCE status, whether
 * the SEQUENCE result echoes what was sent, whether a change already ran,
 * recovery state, the connection, the deadline and the time, cachethis.
 * sess_seq_decide() turns that into a struct sess_seq_out - what to do
 * with the slot, whether to recover first, how long to back off, and
 * whether to send again on the same slot and seqid (the server's reply
 * cache answers a request it already ran: exactly once), on a new seqid
 * (only when the server surely did not run it, or the caller said it may
 * run twice), or to stop.  The loop applies it.  Nothing here locks,
 * sleeps, reads a clock or touches the client, so every case is reachable
 * from a unit test (tests/sessions/test_seq.c).
 */
#ifndef SESS_SEQ_H
#define SESS_SEQ_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sess_client.h"

/* NFS4ERR_DELAY back-off: first wait and the longest one (ms). */
#define SESS_DELAY_MIN_MS 20
#define SESS_DELAY_MAX_MS 1000

/** What the loop does after one attempt (after the slot and recovery). */
enum sess_seq_action {
	/* Hand the results over to the caller; return 0 (18.46.3). */
	SESS_SEQ_DONE,
	/* Return 0 with sc_status = out.status and no results. */
	SESS_SEQ_ANSWER,
	/* Return out.err (negative errno). */
	SESS_SEQ_FAIL,
	/*
	 * Send the same request again on the same slot and seqid (2.10.6.2):
	 * the server answers it from its reply cache if it ran.  When the
	 * session changed meanwhile the claim is void and a new slot is
	 * taken (the old session's reply cache is gone with it).
	 */
	SESS_SEQ_REPLAY,
	/*
	 * Send again on a new slot and seqid (the old one was settled):
	 * only when nothing ran (15.1.1.3) or may run twice (2.10.6.1.3).
	 */
	SESS_SEQ_RETRY,
};

/** What happens to the claimed slot, before anything else. */
enum sess_seq_slot {
	/* Still claimed: REPLAY reuses it, or recovery failure settles it. */
	SESS_SEQ_SLOT_KEEP,
	/* The session is gone: forgotten without release (new table). */
	SESS_SEQ_SLOT_DROP,
	/* Seqid consumed; the reply's highest/target slot ids followed. */
	SESS_SEQ_SLOT_DONE,
	/* Seqid consumed, no SEQUENCE4resok: slot limits unchanged. */
	SESS_SEQ_SLOT_DONE_SAME,
	/* Not processed by the server: seqid unchanged. */
	SESS_SEQ_SLOT_UNSENT,
	/* NFS4ERR_SEQ_MISORDERED (sess_slots.c: seqid 1 once, then retire). */
	SESS_SEQ_SLOT_MISORDERED,
	/* NFS4ERR_BADSLOT: beyond the server's table. */
	SESS_SEQ_SLOT_BADSLOT,
	/* Fate unknown and abandoned: the slot retires. */
	SESS_SEQ_SLOT_LOST,
};

/** Recovery to run before the next attempt (sess_recover()). */
enum sess_seq_recover {
	SESS_SEQ_RECOVER_NONE,
	SESS_SEQ_RECOVER_CONN,	   /* reconnect the first connection, rebind */
	SESS_SEQ_RECOVER_REBIND,   /* BIND_CONN_TO_SESSION on the first */
	SESS_SEQ_RECOVER_SESSION,  /* CREATE_SESSION */
	SESS_SEQ_RECOVER_CLIENTID, /* EXCHANGE_ID and all */
	/* Replace the session only if sess_slots_need_reset() after the
	 * slot was released (too many slots retired). */
	SESS_SEQ_RECOVER_RESET_IF_RETIRED,
};

/** Which counter of struct sess_client_stats one attempt bumps. */
enum sess_seq_count {
	SESS_SEQ_COUNT_NONE,
	SESS_SEQ_COUNT_DELAY,	    /* cst_delays */
	SESS_SEQ_COUNT_MISORDERED,  /* cst_misordered */
	SESS_SEQ_COUNT_BADSLOT,	    /* cst_badslot */
	SESS_SEQ_COUNT_FALSE_RETRY, /* cst_false_retry */
	SESS_SEQ_COUNT_XPRT_WAIT,   /* cst_xprt_waits */
};

/** One attempt, classified (filled by the loop from what it saw). */
struct sess_seq_in {
	/* sess_raw_call()'s return: 0, or a negative errno. */
	int xprt_err;
	/* Sent on an extra connection (not the first; sess_trunk.c). */
	bool on_extra;
	/* Results decoded (0 when the server sent none). */
	uint32_t nres;
	/* SEQUENCE's status; the COMPOUND's when there are no results. */
	nfsstat4 seq_status;
	/* SEQUENCE4resok names the session, slot and seqid that were sent. */
	bool echo_ok;
	/* The COMPOUND's status (the last result's). */
	nfsstat4 status;
	/* An operation before the last result changed state (ran). */
	bool change_ran;
	/* A recovery step's own call: no waiting, no recursive recovery. */
	bool in_recovery;
	/* The caller asked the server to cache the reply (not idempotent). */
	bool cachethis;
	/* The call's deadline (recovery timeout) and now (after the reply). */
	struct timespec deadline;
	struct timespec now;
	/* The back-off the next NFS4ERR_DELAY waits (ms). */
	int delay_ms;
};

/** What to do about it (applied by the loop in this order). */
struct sess_seq_out {
	/* 1. the slot */
	enum sess_seq_slot slot;
	/* 2. bookkeeping */
	enum sess_seq_count count;
	bool note_ok;	   /* SEQUENCE succeeded: lease renewed, flags */
	bool log_uncached; /* the server kept no reply for a replay */
	bool unbind_extra; /* sess_trunk_unbound() on the connection used */
	/* 3. wait (ms) before the next attempt; the back-off after it */
	int sleep_ms;
	int next_delay_ms;
	/* 4. recovery; when it fails and the slot is still held
	 *    (SESS_SEQ_SLOT_KEEP) it is settled with recover_fail_slot */
	enum sess_seq_recover recover;
	enum sess_seq_slot recover_fail_slot;
	/* REPLAY after a reconnect: count cst_replays if the session held. */
	bool count_replay;
	/* 5. the action */
	enum sess_seq_action action;
	int err;	 /* SESS_SEQ_FAIL */
	nfsstat4 status; /* SESS_SEQ_ANSWER */
};

/**
 * sess_seq_decide() - the decision after one SEQUENCE-wrapped attempt.
 * Pure: reads only @in, writes only @out.  Never fails.  The cases, in
 * the order they are tested (RFC 8881 sections):
 *
 *  transport  -ENOTCONN/-ETIMEDOUT on an extra connection (2.10.5,
 *             2.10.6.2): REPLAY elsewhere; FAIL -EIO past the deadline.
 *             On the first (2.10.13): recover CONN, REPLAY (count it);
 *             FAIL with the error in recovery, -EIO past the deadline;
 *             slot LOST when it fails.  Any other error: FAIL, slot LOST.
 *  no result  SEQUENCE OK without its result, or naming another session,
 *             slot or seqid (18.46.3): FAIL -EBADMSG, slot LOST.
 *  OK         (18.46.3) slot DONE with the reply's limits, then by the
 *             COMPOUND's status: DELAY or GRACE with no change before it
 *             (15.1.1.3, 15.1.9.2): back off, RETRY on a new seqid - but
 *             DONE when a change ran (it would run twice) or past the
 *             deadline; RETRY_UNCACHED_REP without cachethis (2.10.6.1.3):
 *             RETRY unless past the deadline; otherwise DONE.
 *  DELAY      on SEQUENCE (2.10.6.2: the original still runs): back off,
 *             REPLAY on the same slot and seqid; FAIL -EIO past deadline.
 *  BADSESSION, DEADSESSION, STALE_CLIENTID (2.10.13, 8.4): slot DROPped,
 *             recover SESSION or CLIENTID, RETRY; ANSWER in recovery;
 *             FAIL -EIO past the deadline.
 *  CONN_NOT_BOUND_TO_SESSION (18.34, 2.10.5): on an extra, unbind it and
 *             REPLAY elsewhere; on the first, recover REBIND and REPLAY
 *             (slot UNSENT if that fails); ANSWER (UNSENT) in recovery;
 *             FAIL -EIO (UNSENT) past the deadline.
 *  SEQ_MISORDERED, BADSLOT, SEQ_FALSE_RETRY (2.10.6.1.2, 2.10.6.2): slot
 *             MISORDERED, BADSLOT or LOST, RESET if too many slots
 *             retired (not in recovery), RETRY; FAIL -EIO past deadline.
 *  RETRY_UNCACHED_REP on SEQUENCE (2.10.6.1.3): slot DONE_SAME; RETRY
 *             without cachethis before the deadline, else ANSWER.
 *
 * Past the deadline every case ends the call (DONE, ANSWER or FAIL).
 *  other      SEQUENCE errors: ANSWER, slot UNSENT.
 */
void sess_seq_decide(const struct sess_seq_in *in, struct sess_seq_out *out);

/**
 * sess_seq_change_ran() - whether an operation of @args before the last
 * of @nres results (args[0] is SEQUENCE) may have changed state: anything
 * but the operations that only look.  Pure.
 */
bool sess_seq_change_ran(const nfs_argop4 *args, uint32_t nres);

/** sess_seq_action_name() - a constant name for logs and tests. */
const char *sess_seq_action_name(enum sess_seq_action a);

/**
 * sess_seq_conn_lost() - whether a transport error means the connection
 * is gone (the call's fate unknown; reconnect, then replay)
 * @err: sess_raw_call()'s negative errno
 */
bool sess_seq_conn_lost(int err);

/**
 * sess_seq_out_of_resources() - whether a transport error means it lacked
 * a resource of its own (memory to register, send queue room) that calls
 * in flight give back: wait, then send again on the same slot and seqid
 * @err: sess_raw_call()'s negative errno
 */
bool sess_seq_out_of_resources(int err);

#endif /* SESS_SEQ_H */
