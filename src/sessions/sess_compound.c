/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * SEQUENCE-wrapped COMPOUNDs.
 *
 * sess_compound() puts a SEQUENCE in front, takes a slot, and interprets
 * the SEQUENCE result: it follows the server's slot limits, replays on the
 * same slot and seqid after a connection loss (the server's reply cache
 * answers: exactly once), waits out NFS4ERR_DELAY, and calls recovery for
 * lost sessions and client ids.  With several connections (sess_trunk.c)
 * each attempt goes out on the least busy bound one; a call lost with an
 * extra connection is replayed on another on the same slot and seqid (the
 * reply cache belongs to the session, not to a connection).  The COMPOUND
 * itself is encoded, sent and decoded by sess_raw_call() (sess_codec.c).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sess_int.h"

#define SESS_DELAY_MIN_MS 20
#define SESS_DELAY_MAX_MS 1000

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
		if (cl->cl_stopping && !in_recovery) {
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
		if (cl->cl_slots.st_max_busy > cl->cl_stats.cs_max_slots_busy)
			cl->cl_stats.cs_max_slots_busy =
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

static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec &&
		now.tv_nsec >= deadline->tv_nsec);
}

static void note_sequence_ok(struct sess_client *cl, const SEQUENCE4resok *ok,
			     bool seq_only, const struct timespec *sent)
{
	pthread_mutex_lock(&cl->cl_lock);
	cl->cl_stats.cs_compounds++;
	if (seq_only)
		cl->cl_stats.cs_sequence_only++;
	/* The lease was renewed when the server saw the request. */
	if (sent->tv_sec > cl->cl_last_renew.tv_sec)
		cl->cl_last_renew = *sent;
	cl->cl_stats.cs_status_flags |= ok->sr_status_flags;
	cl->cl_stats.cs_last_status_flags = ok->sr_status_flags;
	if (!(ok->sr_status_flags &
	      (SEQ4_STATUS_CB_PATH_DOWN | SEQ4_STATUS_CB_PATH_DOWN_SESSION)))
		cl->cl_cb_rebinds = 0;
	pthread_mutex_unlock(&cl->cl_lock);
	if (ok->sr_status_flags)
		sess_act_on_flags(cl, ok->sr_status_flags);
}

/*
 * Whether every operation that ran before the one that failed (the last
 * result) only looked: then the whole COMPOUND may be sent again.  A
 * change that ran before a trailing operation answered NFS4ERR_DELAY (say
 * a GETATTR after a REMOVE) must not: sent again on a new seqid it would
 * run twice, and its second run fail (NOENT, EXIST) though it was done.
 */
static bool ran_no_change(const struct sess_raw *r)
{
	uint32_t i;

	for (i = 1; i + 1 < r->r_nres; i++) {
		switch (r->r_args[i].argop) {
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
			return false;
		}
	}
	return true;
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

int sess_compound_flags(struct sess_client *cl, struct sess_compound *c,
			bool in_recovery)
{
	nfs_argop4 args[SESS_MAX_OPS + 1];
	nfs_resop4 res[SESS_MAX_OPS + 1];
	struct sess_raw raw;
	struct slot_claim sc;
	struct timespec deadline, sent;
	SEQUENCE4args *sa;
	SEQUENCE4resok *ok;
	bool have_slot = false;
	uint32_t conn;
	int ret, delay_ms = SESS_DELAY_MIN_MS;
	nfsstat4 st;

	c->sc_nres = 0;
	if (c->sc_nargs > SESS_MAX_OPS || (c->sc_nargs && !c->sc_args))
		return -EINVAL;
	if ((c->sc_bulk_out &&
	     (!c->sc_nargs ||
	      c->sc_args[c->sc_nargs - 1].argop != NFS4_OP_WRITE)))
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += cl->cl_opts.recovery_timeout_s;
	if (c->sc_nargs)
		memcpy(&args[1], c->sc_args, sizeof(*args) * c->sc_nargs);

	for (;;) {
		if (!have_slot) {
			ret = acquire_slot(cl, &sc, in_recovery);
			if (ret)
				return ret;
			have_slot = true;
		}
		args[0].argop = NFS4_OP_SEQUENCE;
		sa = &args[0].nfs_argop4_u.opsequence;
		memcpy(sa->sa_sessionid, sc.sessionid, sizeof(sessionid4));
		sa->sa_sequenceid = sc.seqid;
		sa->sa_slotid = sc.slotid;
		sa->sa_highest_slotid = sc.highest;
		sa->sa_cachethis = c->sc_cachethis;
		raw = (struct sess_raw){
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
		clock_gettime(CLOCK_MONOTONIC, &sent);
		conn = sess_trunk_get(cl, in_recovery);
		raw.r_xprt = cl->cl_conns[conn].cn_xprt;
		ret = sess_raw_call(cl, &raw);
		if (sess_trunk_put(cl, conn, ret)) {
			/*
			 * An extra connection was lost; session and slot are
			 * intact: replay on slot and seqid elsewhere.
			 */
			if (past(&deadline)) {
				release_slot(cl, &sc, SESS_SLOT_LOST, 0, 0);
				return -EIO;
			}
			if (!refresh_claim(cl, &sc))
				have_slot = false; /* old session's slot */
			continue;
		}
		if (ret == -ENOTCONN || ret == -ETIMEDOUT) {
			if (in_recovery || past(&deadline)) {
				release_slot(cl, &sc, SESS_SLOT_LOST, 0, 0);
				return in_recovery ? ret : -EIO;
			}
			ret = sess_recover(cl, SESS_RECOVER_CONN,
					   sc.session_gen, sc.conn_gen);
			if (ret) {
				release_slot(cl, &sc, SESS_SLOT_LOST, 0, 0);
				return ret;
			}
			if (refresh_claim(cl, &sc)) {
				/* Same session: replay on slot and seqid. */
				pthread_mutex_lock(&cl->cl_lock);
				cl->cl_stats.cs_replays++;
				pthread_mutex_unlock(&cl->cl_lock);
			} else {
				have_slot = false; /* old session's slot */
			}
			continue;
		}
		if (ret) {
			release_slot(cl, &sc, SESS_SLOT_LOST, 0, 0);
			return ret;
		}
		/*
		 * No results at all: the COMPOUND status is SEQUENCE's (some
		 * servers answer a failed SEQUENCE without its result).
		 */
		st = raw.r_nres ? res[0].nfs_resop4_u.opsequence.sr_status
				: raw.r_status;
		if (!raw.r_nres && st == NFS4_OK) {
			release_slot(cl, &sc, SESS_SLOT_LOST, 0, 0);
			return -EBADMSG;
		}
		ok = &res[0].nfs_resop4_u.opsequence.SEQUENCE4res_u.sr_resok4;
		if (st == NFS4_OK && (ok->sr_slotid != sc.slotid ||
				      ok->sr_sequenceid != sc.seqid ||
				      memcmp(ok->sr_sessionid, sc.sessionid,
					     sizeof(sessionid4)))) {
			sess_raw_free(&raw);
			release_slot(cl, &sc, SESS_SLOT_LOST, 0, 0);
			return -EBADMSG;
		}
		switch (st) {
		case NFS4_OK:
			release_slot(cl, &sc, SESS_SLOT_DONE,
				     ok->sr_highest_slotid,
				     ok->sr_target_highest_slotid);
			note_sequence_ok(cl, ok, c->sc_nargs == 0, &sent);
			if ((raw.r_status == NFS4ERR_DELAY ||
			     raw.r_status == NFS4ERR_GRACE) &&
			    !past(&deadline) && ran_no_change(&raw)) {
				/* Not executed: retry later, new seqid. */
				sess_raw_free(&raw);
				have_slot = false;
				pthread_mutex_lock(&cl->cl_lock);
				cl->cl_stats.cs_delays++;
				pthread_mutex_unlock(&cl->cl_lock);
				sleep_ms(delay_ms);
				if (delay_ms < SESS_DELAY_MAX_MS)
					delay_ms *= 2;
				continue;
			}
			if (raw.r_status == NFS4ERR_RETRY_UNCACHED_REP &&
			    !c->sc_cachethis) {
				/*
				 * A replay the server did not cache, told in
				 * the operation after SEQUENCE (RFC 8881
				 * 2.10.6.1.3): idempotent, so run it again.
				 */
				sess_raw_free(&raw);
				have_slot = false;
				continue;
			}
			hand_over(c, res, raw.r_nres, raw.r_status);
			return 0;
		case NFS4ERR_DELAY:
			/* Still working on the original: replay later. */
			sess_raw_free(&raw);
			pthread_mutex_lock(&cl->cl_lock);
			cl->cl_stats.cs_delays++;
			pthread_mutex_unlock(&cl->cl_lock);
			if (past(&deadline)) {
				release_slot(cl, &sc, SESS_SLOT_LOST, 0, 0);
				return -EIO;
			}
			sleep_ms(delay_ms);
			if (delay_ms < SESS_DELAY_MAX_MS)
				delay_ms *= 2;
			if (!refresh_claim(cl, &sc))
				have_slot = false;
			continue;
		case NFS4ERR_BADSESSION:
		case NFS4ERR_DEADSESSION:
		case NFS4ERR_STALE_CLIENTID:
			sess_raw_free(&raw);
			if (in_recovery) {
				c->sc_status = st;
				return 0;
			}
			ret = sess_recover(cl,
					   st == NFS4ERR_STALE_CLIENTID
					       ? SESS_RECOVER_CLIENTID
					       : SESS_RECOVER_SESSION,
					   sc.session_gen, sc.conn_gen);
			if (ret)
				return ret;
			have_slot = false;
			continue;
		case NFS4ERR_CONN_NOT_BOUND_TO_SESSION:
			sess_raw_free(&raw);
			if (conn != 0) {
				/* Not executed: same slot, seqid, elsewhere. */
				sess_trunk_unbound(cl, conn);
				if (!refresh_claim(cl, &sc))
					have_slot = false;
				continue;
			}
			if (in_recovery) {
				release_slot(cl, &sc, SESS_SLOT_UNSENT, 0, 0);
				c->sc_status = st;
				return 0;
			}
			ret = sess_recover(cl, SESS_RECOVER_REBIND,
					   sc.session_gen, sc.conn_gen);
			if (ret) {
				release_slot(cl, &sc, SESS_SLOT_UNSENT, 0, 0);
				return ret;
			}
			if (!refresh_claim(cl, &sc))
				have_slot = false;
			continue;
		case NFS4ERR_SEQ_MISORDERED:
		case NFS4ERR_BADSLOT:
		case NFS4ERR_SEQ_FALSE_RETRY:
			sess_raw_free(&raw);
			pthread_mutex_lock(&cl->cl_lock);
			if (st == NFS4ERR_SEQ_MISORDERED)
				cl->cl_stats.cs_misordered++;
			else if (st == NFS4ERR_BADSLOT)
				cl->cl_stats.cs_badslot++;
			else
				cl->cl_stats.cs_false_retry++;
			pthread_mutex_unlock(&cl->cl_lock);
			release_slot(cl, &sc,
				     st == NFS4ERR_SEQ_MISORDERED
					 ? SESS_SLOT_MISORDERED
				     : st == NFS4ERR_BADSLOT ? SESS_SLOT_BADSLOT
							     : SESS_SLOT_LOST,
				     0, 0);
			have_slot = false;
			if (past(&deadline))
				return -EIO;
			pthread_mutex_lock(&cl->cl_lock);
			ret = sess_slots_need_reset(&cl->cl_slots);
			pthread_mutex_unlock(&cl->cl_lock);
			if (ret && !in_recovery) {
				ret = sess_recover(cl, SESS_RECOVER_RESET,
						   sc.session_gen, sc.conn_gen);
				if (ret)
					return ret;
			}
			continue;
		case NFS4ERR_RETRY_UNCACHED_REP:
			/* Executed, reply not kept: seqid is consumed. */
			sess_raw_free(&raw);
			sess_log(
			    cl, SESS_LOG_INFO,
			    "replay of slot %u seqid %u (op %u, cachethis %d)"
			    " not cached by the server",
			    sc.slotid, sc.seqid,
			    c->sc_nargs > 1 ? c->sc_args[1].argop : 0,
			    c->sc_cachethis);
			release_slot(cl, &sc, SESS_SLOT_DONE, UINT32_MAX, 0);
			if (!c->sc_cachethis) {
				have_slot = false; /* idempotent: redo */
				continue;
			}
			c->sc_status = st;
			return 0;
		default:
			sess_raw_free(&raw);
			release_slot(cl, &sc, SESS_SLOT_UNSENT, 0, 0);
			c->sc_status = st;
			return 0;
		}
	}
}

int sess_compound(struct sess_client *cl, struct sess_compound *c)
{
	return sess_compound_flags(cl, c, false);
}
