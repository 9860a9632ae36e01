/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Recovery (RFC 8881 2.10.13, 8.4): one thread recovers, the others wait.
 *
 * Whoever sees a failure calls sess_recover() with the session and
 * connection generations it observed.  If they have moved on, another
 * thread already repaired things and the caller just retries.  Otherwise
 * the caller becomes the recovering thread and climbs as far as needed:
 *
 *   CONN      reconnect (with back-off until the recovery timeout), then
 *             BIND_CONN_TO_SESSION so the session continues on the new
 *             connection; requests in flight are then replayed on their
 *             slot and seqid and answered from the server's reply cache.
 *   REBIND    BIND_CONN_TO_SESSION only (callback path down).
 *   SESSION   CREATE_SESSION on the current client id.
 *   RESET     DESTROY_SESSION, then CREATE_SESSION (slots unusable,
 *             backchannel fault).
 *   CLIENTID  EXCHANGE_ID, CREATE_SESSION, RECLAIM_COMPLETE: the server
 *             restarted or expired us; open state must be re-established
 *             (cl_state_gen moves on, callers re-open).
 *
 * A step answering "session unknown" escalates to SESSION, "client id
 * unknown" to CLIENTID, a lost connection goes back to reconnecting.
 *
 * SEQ4_STATUS flags from replies are queued by sess_act_on_flags() and
 * acted on by the renewer thread (sess_handle_pending_flags()), at most
 * once per second per kind so a flag that stays set cannot cause a storm.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sess_int.h"
#include "sess_seq.h"

/* the same list as the SEQUENCE engine's (sess_seq.c) */
static bool is_conn_error(int ret)
{
	return sess_seq_conn_lost(ret);
}

static bool expired(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec >= deadline->tv_sec;
}

/*
 * Wait @ms before the next connection attempt, or less when the client is
 * shut down meanwhile.  Returns true when it is.
 */
static bool backoff(struct sess_client *cl, int ms)
{
	struct timespec until;
	bool down;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&cl->cl_lock);
	while (!cl->cl_shutdown &&
	       pthread_cond_timedwait(&cl->cl_cond, &cl->cl_lock, &until) !=
		   ETIMEDOUT)
		;
	down = cl->cl_shutdown;
	pthread_mutex_unlock(&cl->cl_lock);
	return down;
}

static int reconnect(struct sess_client *cl, const struct timespec *deadline)
{
	int ms = 50, ret;

	for (;;) {
		if ((cl->cl_stopping && !cl->cl_started) ||
		    __atomic_load_n(&cl->cl_shutdown, __ATOMIC_RELAXED))
			return -ESHUTDOWN;
		ret = cl->cl_xprt->x_ops->connect(cl->cl_xprt);
		if (!ret) {
			pthread_mutex_lock(&cl->cl_lock);
			cl->cl_stats.cst_reconnects++;
			pthread_mutex_unlock(&cl->cl_lock);
			return 0;
		}
		if (expired(deadline))
			return -EIO;
		if (backoff(cl, ms))
			return -ESHUTDOWN;
		if (ms < 1000)
			ms *= 2;
	}
}

static const char *why_name(enum sess_recover_why why)
{
	switch (why) {
	case SESS_RECOVER_CONN:
		return "connection lost";
	case SESS_RECOVER_REBIND:
		return "connection not bound";
	case SESS_RECOVER_SESSION:
		return "session lost";
	case SESS_RECOVER_RESET:
		return "session reset";
	case SESS_RECOVER_CLIENTID:
		return "client id lost";
	}
	return "?";
}

/* The recovery ladder; runs in the recovering thread only. */
static int run_recovery(struct sess_client *cl, enum sess_recover_why why)
{
	struct timespec deadline;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += cl->cl_opts.recovery_timeout_s;
	sess_log(cl, SESS_LOG_WARN, "recovering: %s", why_name(why));
	for (;;) {
		if (expired(&deadline))
			return -EIO;
		if (__atomic_load_n(&cl->cl_shutdown, __ATOMIC_RELAXED))
			return -ESHUTDOWN;
		switch (why) {
		case SESS_RECOVER_CONN:
			ret = reconnect(cl, &deadline);
			if (ret)
				return ret;
			why = SESS_RECOVER_REBIND;
			continue;
		case SESS_RECOVER_REBIND:
			if (!cl->cl_have_session) {
				why = SESS_RECOVER_SESSION;
				continue;
			}
			ret = sess_do_bind_conn(cl);
			break;
		case SESS_RECOVER_RESET:
			ret = sess_do_destroy_session(cl);
			if (is_conn_error(ret)) {
				why = SESS_RECOVER_CONN;
				continue;
			}
			/* Gone already or destroyed: make a new one. */
			pthread_mutex_lock(&cl->cl_lock);
			cl->cl_have_session = false;
			cl->cl_session_gen++;
			cl->cl_stats.cst_session_resets++;
			pthread_mutex_unlock(&cl->cl_lock);
			why = SESS_RECOVER_SESSION;
			continue;
		case SESS_RECOVER_SESSION:
			pthread_mutex_lock(&cl->cl_lock);
			if (cl->cl_have_session) {
				cl->cl_have_session = false;
				cl->cl_session_gen++;
			}
			pthread_mutex_unlock(&cl->cl_lock);
			ret = sess_do_create_session(cl);
			break;
		case SESS_RECOVER_CLIENTID:
			pthread_mutex_lock(&cl->cl_lock);
			if (cl->cl_have_session) {
				cl->cl_have_session = false;
				cl->cl_session_gen++;
			}
			pthread_mutex_unlock(&cl->cl_lock);
			ret = sess_do_exchange_id(cl);
			if (!ret)
				ret = sess_do_create_session(cl);
			if (!ret) {
				ret = sess_do_reclaim_complete(cl);
				if (ret > 0) {
					/* Not fatal: opens just may fail
					 * with GRACE until the server ends
					 * its grace period. */
					sess_log(cl, SESS_LOG_WARN,
						 "RECLAIM_COMPLETE: %s",
						 sess_nfsstat_name(ret));
					ret = 0;
				}
			}
			if (!ret) {
				pthread_mutex_lock(&cl->cl_lock);
				cl->cl_state_gen++;
				pthread_mutex_unlock(&cl->cl_lock);
			}
			break;
		}
		if (ret == 0)
			return 0;
		if (is_conn_error(ret)) {
			why = SESS_RECOVER_CONN;
			continue;
		}
		switch (ret) {
		case NFS4ERR_BADSESSION:
		case NFS4ERR_DEADSESSION:
			why = SESS_RECOVER_SESSION;
			continue;
		case NFS4ERR_STALE_CLIENTID:
		case NFS4ERR_EXPIRED:
		case NFS4ERR_SEQ_MISORDERED: /* CREATE_SESSION sequence */
			why = SESS_RECOVER_CLIENTID;
			continue;
		case NFS4ERR_MINOR_VERS_MISMATCH:
			/*
			 * The server came back without our minor version
			 * (restarted with another Minor_Versions): a new client
			 * id, negotiated again (sess_do_exchange_id()).
			 */
			if (why != SESS_RECOVER_CLIENTID) {
				why = SESS_RECOVER_CLIENTID;
				continue;
			}
			/* EXCHANGE_ID itself: no version left to try */
			__attribute__((fallthrough));
		default:
			sess_log(cl, SESS_LOG_ERR, "recovery failed: %s",
				 ret > 0 ? sess_nfsstat_name(ret)
					 : strerror(-ret));
			return ret > 0 ? -EIO : ret;
		case NFS4ERR_DELAY:
		case NFS4ERR_GRACE:
			usleep(100000);
			continue;
		}
	}
}

int sess_recover(struct sess_client *cl, enum sess_recover_why why,
		 uint64_t seen_session_gen, uint64_t seen_conn_gen)
{
	int ret;

	pthread_mutex_lock(&cl->cl_lock);
	for (;;) {
		if ((cl->cl_stopping && why != SESS_RECOVER_CONN) ||
		    cl->cl_shutdown) {
			pthread_mutex_unlock(&cl->cl_lock);
			return -ESHUTDOWN;
		}
		if (cl->cl_session_gen != seen_session_gen ||
		    (why <= SESS_RECOVER_REBIND &&
		     cl->cl_conn_gen != seen_conn_gen)) {
			ret = cl->cl_have_session ? 0 : -EIO;
			pthread_mutex_unlock(&cl->cl_lock);
			return ret;
		}
		if (!cl->cl_recovering)
			break;
		pthread_cond_wait(&cl->cl_cond, &cl->cl_lock);
	}
	cl->cl_recovering = true;
	pthread_mutex_unlock(&cl->cl_lock);

	ret = run_recovery(cl, why);

	pthread_mutex_lock(&cl->cl_lock);
	cl->cl_recovering = false;
	cl->cl_conn_gen++;
	if (ret)
		sess_log(cl, SESS_LOG_ERR, "recovery gave up (%s)",
			 strerror(-ret));
	pthread_cond_broadcast(&cl->cl_cond);
	/* the renewer re-binds the extra connections now, not at its tick */
	if (cl->cl_nconns > 1) {
		if (!ret)
			sess_trunk_retry_now_locked(cl);
		pthread_cond_signal(&cl->cl_renew_cond);
	}
	pthread_mutex_unlock(&cl->cl_lock);
	return ret;
}

#define FLAGS_REBIND                                                           \
	(SEQ4_STATUS_CB_PATH_DOWN | SEQ4_STATUS_CB_PATH_DOWN_SESSION)
#define FLAGS_REVOKED                                                          \
	(SEQ4_STATUS_EXPIRED_ALL_STATE_REVOKED |                               \
	 SEQ4_STATUS_EXPIRED_SOME_STATE_REVOKED |                              \
	 SEQ4_STATUS_ADMIN_STATE_REVOKED |                                     \
	 SEQ4_STATUS_RECALLABLE_STATE_REVOKED)

void sess_act_on_flags(struct sess_client *cl, uint32_t flags)
{
	pthread_mutex_lock(&cl->cl_lock);
	/* New flags: the renewer acts on them now, not at its next tick. */
	if (flags & ~cl->cl_pending_flags)
		pthread_cond_signal(&cl->cl_renew_cond);
	cl->cl_pending_flags |= flags;
	pthread_mutex_unlock(&cl->cl_lock);
}

void sess_handle_pending_flags(struct sess_client *cl)
{
	struct timespec now;
	uint64_t sgen, cgen;
	uint32_t flags, rebinds;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&cl->cl_lock);
	if (now.tv_sec == cl->cl_flag_acted.tv_sec) {
		pthread_mutex_unlock(&cl->cl_lock);
		return; /* at most once a second */
	}
	cl->cl_flag_acted = now;
	flags = cl->cl_pending_flags;
	cl->cl_pending_flags = 0;
	sgen = cl->cl_session_gen;
	cgen = cl->cl_conn_gen;
	if (flags & (FLAGS_REVOKED | SEQ4_STATUS_RESTART_RECLAIM_NEEDED)) {
		/* Open owners re-open on next use (sess_ops.c). */
		cl->cl_state_gen++;
		cl->cl_stats.cst_state_revoked++;
	}
	pthread_mutex_unlock(&cl->cl_lock);

	if (flags & FLAGS_REVOKED)
		sess_log(cl, SESS_LOG_WARN,
			 "server revoked state (flags %#x): re-opening", flags);
	if (flags & SEQ4_STATUS_RESTART_RECLAIM_NEEDED) {
		sess_log(cl, SESS_LOG_WARN, "server restarted: reclaiming");
		(void)sess_do_reclaim_complete(cl);
	}
	if (!cl->cl_xprt->x_has_backchannel)
		flags &= ~(FLAGS_REBIND | SEQ4_STATUS_BACKCHANNEL_FAULT);
	pthread_mutex_lock(&cl->cl_lock);
	rebinds = cl->cl_cb_rebinds;
	if (flags & (FLAGS_REBIND | SEQ4_STATUS_BACKCHANNEL_FAULT))
		cl->cl_cb_rebinds++;
	pthread_mutex_unlock(&cl->cl_lock);
	/*
	 * Ladder for a callback path that stays down: rebind, then a new
	 * session, then give up (this client takes no delegations, so it
	 * works on without callbacks) until the server clears the flag.
	 */
	if (rebinds >= 2) {
		if (rebinds == 2)
			sess_log(cl, SESS_LOG_WARN,
				 "backchannel stays down: going on without "
				 "callbacks");
		flags &= ~(FLAGS_REBIND | SEQ4_STATUS_BACKCHANNEL_FAULT);
	}
	if (flags & SEQ4_STATUS_BACKCHANNEL_FAULT ||
	    ((flags & FLAGS_REBIND) && rebinds > 0)) {
		/*
		 * A fault, or the path is still down after a rebind (some
		 * servers, Ganesha 4.3 among them, set a back channel up only
		 * in CREATE_SESSION): a new session with CONN_BACK_CHAN.
		 */
		sess_log(cl, SESS_LOG_WARN, "backchannel %s: new session",
			 flags & SEQ4_STATUS_BACKCHANNEL_FAULT
			     ? "fault"
			     : "still down after rebinding");
		(void)sess_recover(cl, SESS_RECOVER_RESET, sgen, cgen);
	} else if (flags & FLAGS_REBIND) {
		sess_log(cl, SESS_LOG_WARN,
			 "callback path down: rebinding the connection");
		(void)sess_recover(cl, SESS_RECOVER_REBIND, sgen, cgen);
	}
	if (flags & SEQ4_STATUS_LEASE_MOVED)
		sess_log(cl, SESS_LOG_WARN,
			 "lease moved (migration is not supported)");
}
