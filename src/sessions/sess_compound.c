/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * SEQUENCE-wrapped COMPOUNDs.
 *
 * sess_compound() puts a SEQUENCE in front and runs a short loop: claim a
 * slot (waiting for a free one and for recovery to end), send on the least
 * busy bound connection (sess_trunk.c), classify what came back into a
 * struct sess_seq_in, let sess_seq_decide() (sess_seq.c, pure) say what it
 * means, and apply that: settle the slot, count, wait, recover, then hand
 * the results over, stop, or send again - on the same slot and seqid (a
 * replay the server's reply cache answers: exactly once) or on a new one.
 * The COMPOUND itself is encoded, sent and decoded by sess_raw_call()
 * (sess_codec.c).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sess_int.h"
#include "sess_seq.h"

struct slot_claim {
	uint32_t slotid;
	uint32_t seqid;
	uint32_t highest;
	uint64_t session_gen;
	uint64_t conn_gen;
	sessionid4 sessionid;
};

/*
 * Take a slot, waiting for a free one and for recovery to end.
 * Returns 0, -ESHUTDOWN, or a recovery error.
 */
static int acquire_slot(struct sess_client *cl, struct slot_claim *sc,
			bool in_recovery)
{
	uint64_t sgen, cgen;
	int ret;

	pthread_mutex_lock(&cl->cl_lock);
	for (;;) {
		if ((cl->cl_stopping && !in_recovery) || cl->cl_shutdown) {
			ret = -ESHUTDOWN;
			break;
		}
		if (!in_recovery && cl->cl_recovering) {
			pthread_cond_wait(&cl->cl_cond, &cl->cl_lock);
			continue;
		}
		if (!cl->cl_have_session) {
			if (in_recovery) {
				ret = -EIO;
				break;
			}
			sgen = cl->cl_session_gen;
			cgen = cl->cl_conn_gen;
			pthread_mutex_unlock(&cl->cl_lock);
			ret =
			    sess_recover(cl, SESS_RECOVER_SESSION, sgen, cgen);
			if (ret)
				return ret;
			pthread_mutex_lock(&cl->cl_lock);
			continue;
		}
		if (sess_slots_acquire(&cl->cl_slots, &sc->slotid, &sc->seqid,
				       &sc->highest) == 0) {
			sc->session_gen = cl->cl_session_gen;
			sc->conn_gen = cl->cl_conn_gen;
			memcpy(sc->sessionid, cl->cl_sessionid,
			       sizeof(sessionid4));
			ret = 0;
			break;
		}
		pthread_cond_wait(&cl->cl_cond, &cl->cl_lock);
	}
	pthread_mutex_unlock(&cl->cl_lock);
	return ret;
}

static void release_slot(struct sess_client *cl, struct slot_claim *sc,
			 enum sess_slot_outcome outcome, uint32_t hi,
			 uint32_t target)
{
	pthread_mutex_lock(&cl->cl_lock);
	if (sc->session_gen == cl->cl_session_gen && cl->cl_have_session) {
		if (outcome == SESS_SLOT_DONE && hi == UINT32_MAX) {
			hi = cl->cl_slots.st_highest;
			target = cl->cl_slots.st_target;
		}
		(void)sess_slots_release(&cl->cl_slots, sc->slotid, outcome, hi,
					 target);
		if (cl->cl_slots.st_max_busy > cl->cl_stats.cst_max_slots_busy)
			cl->cl_stats.cst_max_slots_busy =
			    cl->cl_slots.st_max_busy;
	}
	pthread_cond_broadcast(&cl->cl_cond);
	/*
	 * While an extra connection waits to be re-made, each call's end
	 * gives the renewer a chance to do it (its backoff decides).
	 */
	if (cl->cl_nconns > 1 && sess_trunk_repair_pending_locked(cl))
		pthread_cond_signal(&cl->cl_renew_cond);
	pthread_mutex_unlock(&cl->cl_lock);
}

/* Refresh the generations and sa_highest_slotid for a replay. */
static bool refresh_claim(struct sess_client *cl, struct slot_claim *sc)
{
	bool same;

	pthread_mutex_lock(&cl->cl_lock);
	same = sc->session_gen == cl->cl_session_gen && cl->cl_have_session;
	if (same) {
		sc->conn_gen = cl->cl_conn_gen;
		sc->highest = sess_slots_highest_busy(&cl->cl_slots);
	}
	pthread_mutex_unlock(&cl->cl_lock);
	return same;
}

static void sleep_ms(int ms)
{
	usleep((useconds_t)ms * 1000);
}

static void note_sequence_ok(struct sess_client *cl, const SEQUENCE4resok *ok,
			     bool seq_only, const struct timespec *sent)
{
	pthread_mutex_lock(&cl->cl_lock);
	cl->cl_stats.cst_compounds++;
	if (seq_only)
		cl->cl_stats.cst_sequence_only++;
	/* The lease was renewed when the server saw the request. */
	if (sent->tv_sec > cl->cl_last_renew.tv_sec)
		cl->cl_last_renew = *sent;
	cl->cl_stats.cst_status_flags |= ok->sr_status_flags;
	cl->cl_stats.cst_last_status_flags = ok->sr_status_flags;
	if (!(ok->sr_status_flags &
	      (SEQ4_STATUS_CB_PATH_DOWN | SEQ4_STATUS_CB_PATH_DOWN_SESSION)))
		cl->cl_cb_rebinds = 0;
	pthread_mutex_unlock(&cl->cl_lock);
	if (ok->sr_status_flags)
		sess_act_on_flags(cl, ok->sr_status_flags);
}

/* The caller's results are the raw results after SEQUENCE. */
static void hand_over(struct sess_compound *c, nfs_resop4 *res, uint32_t nres,
		      nfsstat4 status)
{
	uint32_t i;

	xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res[0]);
	for (i = 1; i < nres; i++)
		c->sc_res[i - 1] = res[i];
	c->sc_nres = nres ? nres - 1 : 0;
	c->sc_status = status;
}

/* The slot table outcome of a disposition; false: nothing to release. */
static bool slot_outcome(enum sess_seq_slot s, enum sess_slot_outcome *o)
{
	switch (s) {
	case SESS_SEQ_SLOT_DONE:
	case SESS_SEQ_SLOT_DONE_SAME:
		*o = SESS_SLOT_DONE;
		return true;
	case SESS_SEQ_SLOT_UNSENT:
		*o = SESS_SLOT_UNSENT;
		return true;
	case SESS_SEQ_SLOT_MISORDERED:
		*o = SESS_SLOT_MISORDERED;
		return true;
	case SESS_SEQ_SLOT_BADSLOT:
		*o = SESS_SLOT_BADSLOT;
		return true;
	case SESS_SEQ_SLOT_LOST:
		*o = SESS_SLOT_LOST;
		return true;
	case SESS_SEQ_SLOT_KEEP:
	case SESS_SEQ_SLOT_DROP:
		break;
	}
	return false;
}

/*
 * Settle the claimed slot as @s says; @ok carries the server's slot
 * limits for SESS_SEQ_SLOT_DONE.  Returns whether the claim is still held.
 */
static bool settle_slot(struct sess_client *cl, struct slot_claim *sc,
			enum sess_seq_slot s, const SEQUENCE4resok *ok)
{
	enum sess_slot_outcome o;

	if (s == SESS_SEQ_SLOT_KEEP)
		return true;
	if (!slot_outcome(s, &o))
		return false; /* DROP: the session and its table are gone */
	if (s == SESS_SEQ_SLOT_DONE)
		release_slot(cl, sc, o, ok->sr_highest_slotid,
			     ok->sr_target_highest_slotid);
	else if (s == SESS_SEQ_SLOT_DONE_SAME)
		release_slot(cl, sc, o, UINT32_MAX, 0);
	else
		release_slot(cl, sc, o, 0, 0);
	return false;
}

static void count(struct sess_client *cl, enum sess_seq_count what)
{
	if (what == SESS_SEQ_COUNT_NONE)
		return;
	pthread_mutex_lock(&cl->cl_lock);
	switch (what) {
	case SESS_SEQ_COUNT_DELAY:
		cl->cl_stats.cst_delays++;
		break;
	case SESS_SEQ_COUNT_MISORDERED:
		cl->cl_stats.cst_misordered++;
		break;
	case SESS_SEQ_COUNT_BADSLOT:
		cl->cl_stats.cst_badslot++;
		break;
	case SESS_SEQ_COUNT_FALSE_RETRY:
		cl->cl_stats.cst_false_retry++;
		break;
	case SESS_SEQ_COUNT_XPRT_WAIT:
		cl->cl_stats.cst_xprt_waits++;
		break;
	case SESS_SEQ_COUNT_NONE:
		break;
	}
	pthread_mutex_unlock(&cl->cl_lock);
}

/*
 * Run the recovery @out asks for.  Returns 0 or sess_recover()'s error;
 * on error a slot still claimed is settled with out->recover_fail_slot.
 */
static int recover(struct sess_client *cl, struct slot_claim *sc,
		   const struct sess_seq_out *out, bool held)
{
	static const enum sess_recover_why why[] = {
	    [SESS_SEQ_RECOVER_CONN] = SESS_RECOVER_CONN,
	    [SESS_SEQ_RECOVER_REBIND] = SESS_RECOVER_REBIND,
	    [SESS_SEQ_RECOVER_SESSION] = SESS_RECOVER_SESSION,
	    [SESS_SEQ_RECOVER_CLIENTID] = SESS_RECOVER_CLIENTID,
	    [SESS_SEQ_RECOVER_RESET_IF_RETIRED] = SESS_RECOVER_RESET,
	};
	bool need;
	int ret;

	if (out->recover == SESS_SEQ_RECOVER_NONE)
		return 0;
	if (out->recover == SESS_SEQ_RECOVER_RESET_IF_RETIRED) {
		pthread_mutex_lock(&cl->cl_lock);
		need = sess_slots_need_reset(&cl->cl_slots);
		pthread_mutex_unlock(&cl->cl_lock);
		if (!need)
			return 0;
	}
	ret =
	    sess_recover(cl, why[out->recover], sc->session_gen, sc->conn_gen);
	if (ret && held)
		(void)settle_slot(cl, sc, out->recover_fail_slot, NULL);
	return ret;
}

/* What one attempt saw, for sess_seq_decide(). */
static void classify(const struct sess_compound *c, const struct sess_raw *raw,
		     const struct slot_claim *sc, int xprt_err, uint32_t conn,
		     bool in_recovery, struct sess_seq_in *in)
{
	const SEQUENCE4res *seq = &raw->r_res[0].nfs_resop4_u.opsequence;
	const SEQUENCE4resok *ok = &seq->SEQUENCE4res_u.sr_resok4;

	in->xprt_err = xprt_err;
	in->on_extra = conn != 0;
	in->in_recovery = in_recovery;
	in->cachethis = c->sc_cachethis;
	in->nres = xprt_err ? 0 : raw->r_nres;
	in->status = xprt_err ? NFS4_OK : raw->r_status;
	/* No results at all: the COMPOUND status is SEQUENCE's. */
	in->seq_status = in->nres ? seq->sr_status : in->status;
	in->echo_ok =
	    in->nres && seq->sr_status == NFS4_OK &&
	    ok->sr_slotid == sc->slotid && ok->sr_sequenceid == sc->seqid &&
	    !memcmp(ok->sr_sessionid, sc->sessionid, sizeof(sessionid4));
	in->change_ran = in->nres && sess_seq_change_ran(raw->r_args, in->nres);
	clock_gettime(CLOCK_MONOTONIC, &in->now);
}

/* Put SEQUENCE for claim @sc in front and send once; sess_raw_call()'s. */
static int send_once(struct sess_client *cl, const struct sess_compound *c,
		     const struct slot_claim *sc, nfs_argop4 *args,
		     nfs_resop4 *res, struct sess_raw *raw, bool in_recovery,
		     uint32_t *conn, struct timespec *sent)
{
	SEQUENCE4args *sa = &args[0].nfs_argop4_u.opsequence;
	int ret;

	args[0].argop = NFS4_OP_SEQUENCE;
	memcpy(sa->sa_sessionid, sc->sessionid, sizeof(sessionid4));
	sa->sa_sequenceid = sc->seqid;
	sa->sa_slotid = sc->slotid;
	sa->sa_highest_slotid = sc->highest;
	sa->sa_cachethis = c->sc_cachethis;
	*raw = (struct sess_raw){
	    .r_args = args,
	    .r_nargs = c->sc_nargs + 1,
	    .r_bulk_out = c->sc_bulk_out,
	    .r_bulk_out_cnt = c->sc_bulk_out_cnt,
	    .r_bulk_out_len = c->sc_bulk_out_len,
	    .r_bulk_in = c->sc_bulk_in,
	    .r_bulk_in_cap = c->sc_bulk_in_cap,
	    .r_res = res,
	    .r_cred = c->sc_cred,
	};
	clock_gettime(CLOCK_MONOTONIC, sent);
	/* the least busy bound connection (only the first in recovery) */
	*conn = sess_trunk_get(cl, in_recovery, &raw->r_xprt);
	ret = sess_raw_call(cl, raw);
	/*
	 * A connection that failed is marked lost there (the replay is
	 * ours); the first one's role moves to a live extra.  *conn is where
	 * the connection used is now (an extra, after such a move).
	 */
	(void)sess_trunk_put(cl, raw->r_xprt, ret, conn);
	return ret;
}

#define SESS_AGAIN 1 /* apply(): send again */

/*
 * Apply decision @out to the attempt in @raw: settle the slot, count,
 * wait, recover, then end (0 or a negative errno, results handed over to
 * @c on SESS_SEQ_DONE) or return SESS_AGAIN with *@have_slot telling
 * whether the claim @sc is still held for a replay.
 */
static int apply(struct sess_client *cl, struct sess_compound *c,
		 struct slot_claim *sc, const struct sess_seq_out *out,
		 struct sess_raw *raw, uint32_t conn,
		 const struct timespec *sent, bool *have_slot)
{
	const SEQUENCE4resok *ok =
	    &raw->r_res[0].nfs_resop4_u.opsequence.SEQUENCE4res_u.sr_resok4;
	int ret;

	*have_slot = settle_slot(cl, sc, out->slot, ok);
	if (out->note_ok)
		note_sequence_ok(cl, ok, c->sc_nargs == 0, sent);
	count(cl, out->count);
	if (out->log_uncached)
		sess_log(cl, SESS_LOG_INFO,
			 "replay of slot %u seqid %u (op %u, cachethis %d)"
			 " not cached by the server",
			 sc->slotid, sc->seqid,
			 c->sc_nargs > 1 ? c->sc_args[1].argop : 0,
			 c->sc_cachethis);
	if (out->unbind_extra)
		sess_trunk_unbound(cl, conn);
	if (out->action == SESS_SEQ_DONE) {
		hand_over(c, raw->r_res, raw->r_nres, raw->r_status);
		return 0;
	}
	sess_raw_free(raw);
	if (out->action == SESS_SEQ_ANSWER) {
		c->sc_status = out->status;
		return 0;
	}
	if (out->action == SESS_SEQ_FAIL)
		return out->err;
	if (out->sleep_ms)
		sleep_ms(out->sleep_ms);
	ret = recover(cl, sc, out, *have_slot);
	if (ret)
		return ret;
	if (out->action == SESS_SEQ_RETRY) {
		*have_slot = false; /* settled above, or dropped */
		return SESS_AGAIN;
	}
	/* REPLAY: same slot and seqid, unless the session changed */
	if (!refresh_claim(cl, sc)) {
		*have_slot = false; /* the old session's slot */
	} else if (out->count_replay) {
		pthread_mutex_lock(&cl->cl_lock);
		cl->cl_stats.cst_replays++;
		pthread_mutex_unlock(&cl->cl_lock);
	}
	return SESS_AGAIN;
}

int sess_compound_flags(struct sess_client *cl, struct sess_compound *c,
			bool in_recovery)
{
	nfs_argop4 args[SESS_MAX_OPS + 1];
	nfs_resop4 res[SESS_MAX_OPS + 1];
	struct sess_seq_in in = {.delay_ms = SESS_DELAY_MIN_MS};
	struct sess_seq_out out;
	struct sess_raw raw;
	struct slot_claim sc;
	struct timespec sent;
	bool have_slot = false;
	uint32_t conn;
	int ret;

	c->sc_nres = 0;
	if (c->sc_nargs > SESS_MAX_OPS || (c->sc_nargs && !c->sc_args))
		return -EINVAL;
	if ((c->sc_bulk_out &&
	     (!c->sc_nargs ||
	      c->sc_args[c->sc_nargs - 1].argop != NFS4_OP_WRITE)))
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &in.deadline);
	in.deadline.tv_sec += cl->cl_opts.recovery_timeout_s;
	if (c->sc_nargs)
		memcpy(&args[1], c->sc_args, sizeof(*args) * c->sc_nargs);

	do {
		if (!have_slot) {
			ret = acquire_slot(cl, &sc, in_recovery);
			if (ret)
				return ret;
			have_slot = true;
		}
		ret = send_once(cl, c, &sc, args, res, &raw, in_recovery, &conn,
				&sent);
		classify(c, &raw, &sc, ret, conn, in_recovery, &in);
		sess_seq_decide(&in, &out);
		in.delay_ms = out.next_delay_ms;
		ret = apply(cl, c, &sc, &out, &raw, conn, &sent, &have_slot);
	} while (ret == SESS_AGAIN);
	return ret;
}

int sess_compound(struct sess_client *cl, struct sess_compound *c)
{
	return sess_compound_flags(cl, c, false);
}
