/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The SEQUENCE engine's decision: what one attempt of a SEQUENCE-wrapped
 * COMPOUND means for the slot, recovery and the next attempt.
 *
 * How this works: sess_seq_decide() looks at the attempt in the order the
 * evidence becomes available - the transport's result first (was it
 * answered at all?), then the SEQUENCE result (did the server process the
 * request on this slot?), then the COMPOUND's status (did the operations
 * after SEQUENCE run?).  Each case names the RFC 8881 section it follows.
 * One rule runs through all of them: a request the server may have run
 * is only ever sent again on the same slot and seqid (the reply cache
 * answers it), never on a new seqid - unless the caller said it may run
 * twice (cachethis false) and the server said it kept no reply.  And
 * past the call's deadline every attempt is the last: whatever the
 * server answers, the call ends (a server answering RETRY_UNCACHED_REP,
 * BADSESSION or CONN_NOT_BOUND_TO_SESSION forever cannot keep a caller
 * looping).
 */
#include <errno.h>

#include "sess_seq.h"

static bool past(const struct timespec *now, const struct timespec *deadline)
{
	return now->tv_sec > deadline->tv_sec ||
	       (now->tv_sec == deadline->tv_sec &&
		now->tv_nsec >= deadline->tv_nsec);
}

/* Doubled up to SESS_DELAY_MAX_MS (20, 40, ... 640, 1000, 1000 ms). */
static int next_delay(int delay_ms)
{
	return delay_ms < SESS_DELAY_MAX_MS / 2 ? delay_ms * 2
						: SESS_DELAY_MAX_MS;
}

static void fail(struct sess_seq_out *out, enum sess_seq_slot slot, int err)
{
	out->slot = slot;
	out->action = SESS_SEQ_FAIL;
	out->err = err;
}

static void answer(struct sess_seq_out *out, enum sess_seq_slot slot,
		   nfsstat4 st)
{
	out->slot = slot;
	out->action = SESS_SEQ_ANSWER;
	out->status = st;
}

/* NFS4ERR_DELAY back-off before the next attempt. */
static void back_off(const struct sess_seq_in *in, struct sess_seq_out *out)
{
	out->count = SESS_SEQ_COUNT_DELAY;
	out->sleep_ms = in->delay_ms;
	out->next_delay_ms = next_delay(in->delay_ms);
}

bool sess_seq_conn_lost(int err)
{
	return err == -ENOTCONN || err == -ETIMEDOUT || err == -ECONNRESET ||
	       err == -ECONNABORTED || err == -ECONNREFUSED || err == -EPIPE ||
	       err == -EHOSTUNREACH || err == -ENETUNREACH || err == -ENETDOWN;
}

bool sess_seq_out_of_resources(int err)
{
	/* not -ENOSPC: an encoder's "does not fit", which no wait cures */
	return err == -ENOMEM || err == -ENOBUFS;
}

/* The transport did not deliver a reply: the server may have run it. */
static void decide_lost(const struct sess_seq_in *in, bool expired,
			struct sess_seq_out *out)
{
	bool conn_lost = sess_seq_conn_lost(in->xprt_err);

	if (sess_seq_out_of_resources(in->xprt_err) && !expired &&
	    !in->in_recovery) {
		/*
		 * The transport ran out of something of its own (memory it
		 * may register or pin, send queue room) before the call went
		 * out - on siw a low RLIMIT_MEMLOCK did so for the payloads
		 * of WRITEs in flight (issue #17).  Calls in flight give it
		 * back as they end: wait and send again on the same slot and
		 * seqid, which is also right if it did go out (2.10.6.2:
		 * the reply cache answers).  Never on a new seqid.
		 */
		back_off(in, out);
		out->count = SESS_SEQ_COUNT_XPRT_WAIT;
		out->action = SESS_SEQ_REPLAY;
		return;
	}
	if (!conn_lost) {
		/* Nothing to retry on (encoding, malformed reply...). */
		fail(out, SESS_SEQ_SLOT_LOST, in->xprt_err);
		return;
	}
	if (in->on_extra) {
		/*
		 * RFC 8881 2.10.5, 2.10.6.2: an extra connection of the
		 * session was lost; the reply cache belongs to the session,
		 * so replay on another connection, same slot and seqid
		 * (sess_trunk_put() marked it lost and counted the replay).
		 */
		if (expired)
			fail(out, SESS_SEQ_SLOT_LOST, -EIO);
		else
			out->action = SESS_SEQ_REPLAY;
		return;
	}
	if (in->in_recovery || expired) {
		/* A recovery step reports the loss to recovery itself. */
		fail(out, SESS_SEQ_SLOT_LOST,
		     in->in_recovery ? in->xprt_err : -EIO);
		return;
	}
	/*
	 * RFC 8881 2.10.13 (connection loss), 2.10.6.2: reconnect, bind the
	 * new connection to the session, then replay on the same slot and
	 * seqid - answered from the reply cache when it ran.
	 */
	out->recover = SESS_SEQ_RECOVER_CONN;
	out->recover_fail_slot = SESS_SEQ_SLOT_LOST;
	out->count_replay = true;
	out->action = SESS_SEQ_REPLAY;
}

/* SEQUENCE succeeded: the slot's seqid is consumed, the ops ran. */
static void decide_ok(const struct sess_seq_in *in, bool expired,
		      struct sess_seq_out *out)
{
	out->slot = SESS_SEQ_SLOT_DONE;
	out->note_ok = true;
	if ((in->status == NFS4ERR_DELAY || in->status == NFS4ERR_GRACE) &&
	    !expired && !in->change_ran) {
		/*
		 * RFC 8881 15.1.1.3, 15.1.9.2: an operation after SEQUENCE
		 * was not executed; send again later on a new seqid.  Only
		 * when nothing before it changed state: a change that ran
		 * would run twice (the results go to the caller instead).
		 */
		back_off(in, out);
		out->action = SESS_SEQ_RETRY;
		return;
	}
	if (in->status == NFS4ERR_RETRY_UNCACHED_REP && !in->cachethis &&
	    !expired) {
		/*
		 * RFC 8881 2.10.6.1.3: a replay the server did not cache,
		 * told in the operation after SEQUENCE; the caller said it
		 * is idempotent, so run it again.
		 */
		out->action = SESS_SEQ_RETRY;
		return;
	}
	out->action = SESS_SEQ_DONE;
}

void sess_seq_decide(const struct sess_seq_in *in, struct sess_seq_out *out)
{
	bool expired = past(&in->now, &in->deadline);

	*out = (struct sess_seq_out){
	    .slot = SESS_SEQ_SLOT_KEEP,
	    .recover = SESS_SEQ_RECOVER_NONE,
	    .recover_fail_slot = SESS_SEQ_SLOT_KEEP,
	    .next_delay_ms = in->delay_ms,
	};
	if (in->xprt_err) {
		decide_lost(in, expired, out);
		return;
	}
	/* Some servers answer a failed SEQUENCE without its result. */
	if (!in->nres && in->seq_status == NFS4_OK) {
		fail(out, SESS_SEQ_SLOT_LOST, -EBADMSG);
		return;
	}
	/* RFC 8881 18.46.3: the result names the session, slot and seqid. */
	if (in->seq_status == NFS4_OK && !in->echo_ok) {
		fail(out, SESS_SEQ_SLOT_LOST, -EBADMSG);
		return;
	}
	switch (in->seq_status) {
	case NFS4_OK:
		decide_ok(in, expired, out);
		return;
	case NFS4ERR_DELAY:
		/*
		 * RFC 8881 2.10.6.2: the server is still working on the
		 * original of this replay; ask again later on the same slot
		 * and seqid.
		 */
		out->count = SESS_SEQ_COUNT_DELAY;
		if (expired) {
			fail(out, SESS_SEQ_SLOT_LOST, -EIO);
			return;
		}
		back_off(in, out);
		out->action = SESS_SEQ_REPLAY;
		return;
	case NFS4ERR_BADSESSION:
	case NFS4ERR_DEADSESSION:
	case NFS4ERR_STALE_CLIENTID:
		/*
		 * RFC 8881 2.10.13 (loss of session), 8.4: nothing ran; the
		 * slot went with the session.  Recovery makes a new one (and
		 * a new client id for STALE_CLIENTID), then a new slot.
		 */
		if (in->in_recovery) {
			answer(out, SESS_SEQ_SLOT_DROP, in->seq_status);
			return;
		}
		if (expired) {
			/*
			 * No recovery runs for this call, so the session
			 * stays current and a dropped slot would stay busy
			 * in its table for good (enough such calls and every
			 * caller, the renewer too, waits for a slot).  Give
			 * it back unsent: nothing ran, and the next caller
			 * meets the bad session and recovers.
			 */
			fail(out, SESS_SEQ_SLOT_UNSENT, -EIO);
			return;
		}
		out->slot = SESS_SEQ_SLOT_DROP;
		out->recover = in->seq_status == NFS4ERR_STALE_CLIENTID
				   ? SESS_SEQ_RECOVER_CLIENTID
				   : SESS_SEQ_RECOVER_SESSION;
		out->action = SESS_SEQ_RETRY;
		return;
	case NFS4ERR_CONN_NOT_BOUND_TO_SESSION:
		/*
		 * RFC 8881 18.34, 2.10.5: not executed.  On an extra
		 * connection: it is rebound later, the call goes elsewhere
		 * on the same slot and seqid.  On the first: rebind it.
		 */
		if (in->on_extra) {
			out->unbind_extra = true;
			if (expired)
				fail(out, SESS_SEQ_SLOT_UNSENT, -EIO);
			else
				out->action = SESS_SEQ_REPLAY;
			return;
		}
		if (in->in_recovery) {
			answer(out, SESS_SEQ_SLOT_UNSENT, in->seq_status);
			return;
		}
		if (expired) {
			fail(out, SESS_SEQ_SLOT_UNSENT, -EIO);
			return;
		}
		out->recover = SESS_SEQ_RECOVER_REBIND;
		out->recover_fail_slot = SESS_SEQ_SLOT_UNSENT;
		out->action = SESS_SEQ_REPLAY;
		return;
	case NFS4ERR_SEQ_MISORDERED:
	case NFS4ERR_BADSLOT:
	case NFS4ERR_SEQ_FALSE_RETRY:
		/*
		 * RFC 8881 2.10.6.1.2, 2.10.6.2: the slot's state disagrees
		 * with the server's, nothing ran.  The slot table handles the
		 * slot (seqid 1 once, then retire; lower the limit; retire),
		 * the session is replaced when too many slots are retired.
		 */
		if (in->seq_status == NFS4ERR_SEQ_MISORDERED) {
			out->slot = SESS_SEQ_SLOT_MISORDERED;
			out->count = SESS_SEQ_COUNT_MISORDERED;
		} else if (in->seq_status == NFS4ERR_BADSLOT) {
			out->slot = SESS_SEQ_SLOT_BADSLOT;
			out->count = SESS_SEQ_COUNT_BADSLOT;
		} else {
			out->slot = SESS_SEQ_SLOT_LOST;
			out->count = SESS_SEQ_COUNT_FALSE_RETRY;
		}
		if (expired) {
			out->action = SESS_SEQ_FAIL;
			out->err = -EIO;
			return;
		}
		if (!in->in_recovery)
			out->recover = SESS_SEQ_RECOVER_RESET_IF_RETIRED;
		out->action = SESS_SEQ_RETRY;
		return;
	case NFS4ERR_RETRY_UNCACHED_REP:
		/*
		 * RFC 8881 2.10.6.1.3: a replay of a request that ran, whose
		 * reply the server did not keep: the seqid is consumed.  An
		 * idempotent request (cachethis false) runs again; anything
		 * else is the caller's to judge.
		 */
		out->slot = SESS_SEQ_SLOT_DONE_SAME;
		out->log_uncached = true;
		if (!in->cachethis && !expired) {
			out->action = SESS_SEQ_RETRY;
			return;
		}
		out->action = SESS_SEQ_ANSWER;
		out->status = in->seq_status;
		return;
	default:
		/* Any other SEQUENCE error: not processed; the caller's. */
		answer(out, SESS_SEQ_SLOT_UNSENT, in->seq_status);
		return;
	}
}

bool sess_seq_change_ran(const nfs_argop4 *args, uint32_t nres)
{
	uint32_t i;

	/* args[0] is SEQUENCE; the last result is the one that failed. */
	for (i = 1; i + 1 < nres; i++) {
		switch (args[i].argop) {
		case NFS4_OP_PUTFH:
		case NFS4_OP_PUTROOTFH:
		case NFS4_OP_PUTPUBFH:
		case NFS4_OP_SAVEFH:
		case NFS4_OP_RESTOREFH:
		case NFS4_OP_GETFH:
		case NFS4_OP_GETATTR:
		case NFS4_OP_LOOKUP:
		case NFS4_OP_LOOKUPP:
		case NFS4_OP_ACCESS:
		case NFS4_OP_VERIFY:
		case NFS4_OP_NVERIFY:
		case NFS4_OP_READ:
		case NFS4_OP_READLINK:
		case NFS4_OP_READDIR:
		case NFS4_OP_LOCKT:
		case NFS4_OP_SECINFO:
		case NFS4_OP_SECINFO_NO_NAME:
			break;
		default:
			return true;
		}
	}
	return false;
}

const char *sess_seq_action_name(enum sess_seq_action a)
{
	switch (a) {
	case SESS_SEQ_DONE:
		return "done";
	case SESS_SEQ_ANSWER:
		return "answer";
	case SESS_SEQ_FAIL:
		return "fail";
	case SESS_SEQ_REPLAY:
		return "replay";
	case SESS_SEQ_RETRY:
		return "retry";
	}
	return "?";
}
