/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Session trunking (RFC 8881 2.10.5): one session over several connections.
 *
 * The first connection (cl_conns[0], cl_xprt) is the session's main one:
 * at first the one the session was created on; it carries the back channel,
 * the sessionless calls and every recovery step.  When it is lost while an
 * extra is bound and live, that extra takes its place at once (the two
 * trade places in cl_conns, sess_trunk_put()) and the lost one becomes an
 * extra like any other: its calls are replayed on the others and the
 * renewer reconnects and binds it later - no call waits for it.  Only when
 * no extra is left does sess_recover() reconnect the first connection.  A
 * call finds its connection by transport, not by index, since indices
 * move.  (Over TCP the new main connection carries no back channel until
 * the server's SEQ4_STATUS_CB_PATH_DOWN makes the renewer bind it for both
 * directions, sess_recovery.c.)  Extra connections are added before start
 * (sess_client_add_conn()); each is connected and bound to the session with
 * BIND_CONN_TO_SESSION sent on that very connection, for the fore channel
 * only.  An extra is used only while it is bound for the current session
 * generation, so after the session is replaced (CREATE_SESSION in
 * recovery) every extra is bound again before it carries a call.
 *
 * sess_compound() asks sess_trunk_get() for a connection per attempt: the
 * usable one with the fewest calls in flight, starting the scan at a
 * rotating index so that equals take turns.  cl_lock is held only to pick
 * and to account, never across a call.  A call that fails with a lost
 * connection on an extra marks that extra lost and is replayed on another
 * connection on the same slot and seqid: the reply cache belongs to the
 * session, so the server answers a call it already ran from the cache.
 *
 * The renewer thread calls sess_trunk_maintain() every second: it
 * reconnects lost extras and rebinds those bound to an older session,
 * backing off (1 s doubling up to 30 s) while an extra keeps failing; a
 * successful recovery of the first connection ends every back-off, since
 * the server answers again (sess_trunk_retry_now_locked()).  An
 * extra the server refuses to bind (an NFS error other than a session or
 * lease error) is retired with a log line: the session goes on over the
 * remaining connections.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "sess_int.h"

#define TRUNK_BACKOFF_MAX_S 30

static bool conn_error(int ret)
{
	return ret == -ENOTCONN || ret == -ETIMEDOUT || ret == -ECONNREFUSED ||
	       ret == -ECONNRESET || ret == -EPIPE || ret == -EHOSTUNREACH ||
	       ret == -ENETUNREACH || ret == -EIO;
}

/* Whether an NFS error to BIND_CONN_TO_SESSION is the session's, not ours. */
static bool session_error(int st)
{
	switch (st) {
	case NFS4ERR_BADSESSION:
	case NFS4ERR_DEADSESSION:
	case NFS4ERR_EXPIRED:
	case NFS4ERR_STALE_CLIENTID:
	case NFS4ERR_DELAY:
	case NFS4ERR_GRACE:
		return true;
	default:
		return false;
	}
}

/* Caller holds cl_lock. */
static bool conn_usable(const struct sess_client *cl, uint32_t i)
{
	const struct sess_conn *c = &cl->cl_conns[i];

	if (i == 0)
		return true; /* sess_recover() looks after the first one */
	return !c->sn_lost && !c->sn_refused && cl->cl_have_session &&
	       c->sn_bound_gen == cl->cl_session_gen;
}

int sess_client_add_conn(struct sess_client *cl, struct sess_xprt *xprt)
{
	int ret = 0;

	if (!xprt)
		return -EINVAL;
	if (!cl) {
		xprt->x_ops->destroy(xprt);
		return -EINVAL;
	}
	pthread_mutex_lock(&cl->cl_lock);
	if (cl->cl_started || cl->cl_stopping)
		ret = -EBUSY;
	else if (cl->cl_nconns >= SESS_MAX_CONNS)
		ret = -ENOSPC;
	else
		cl->cl_conns[cl->cl_nconns++] =
		    (struct sess_conn){.sn_xprt = xprt};
	pthread_mutex_unlock(&cl->cl_lock);
	if (ret) {
		xprt->x_ops->destroy(xprt);
		return ret;
	}
	/*
	 * The back channel is not bound here, but a server that calls back
	 * on it anyway gets an answer rather than silence.
	 */
	xprt->x_ops->set_cb_handler(xprt, sess_cb_handle, cl);
	return 0;
}

uint32_t sess_trunk_get(struct sess_client *cl, bool first_only,
			struct sess_xprt **xprt)
{
	uint32_t i, k, n, start, best = 0;

	pthread_mutex_lock(&cl->cl_lock);
	n = cl->cl_nconns;
	if (!first_only && n > 1) {
		start = cl->cl_next_conn++ % n;
		best = UINT32_MAX;
		for (k = 0; k < n; k++) {
			i = (start + k) % n;
			if (!conn_usable(cl, i))
				continue;
			if (best == UINT32_MAX ||
			    cl->cl_conns[i].sn_in_flight <
				cl->cl_conns[best].sn_in_flight)
				best = i;
		}
		if (best == UINT32_MAX)
			best = 0;
	}
	cl->cl_conns[best].sn_in_flight++;
	cl->cl_stats.cst_conn_calls[best]++;
	*xprt = cl->cl_conns[best].sn_xprt;
	pthread_mutex_unlock(&cl->cl_lock);
	return best;
}

/* Where transport @x is now (connections trade places); cl_lock held. */
static uint32_t conn_index_locked(const struct sess_client *cl,
				  const struct sess_xprt *x)
{
	uint32_t i;

	for (i = 0; i < cl->cl_nconns; i++)
		if (cl->cl_conns[i].sn_xprt == x)
			return i;
	return 0;
}

/*
 * The first connection failed: a bound, live extra with the fewest calls
 * in flight takes its place (and its counters), the failed one becomes
 * that extra, to be marked lost by the caller.  Not while a recovery runs: it
 * works on the first connection.  Returns the failed one's new index, or 0 when
 * no extra could take over.  cl_lock held.
 */
static uint32_t move_first_locked(struct sess_client *cl)
{
	struct sess_conn tmp, *c;
	uint32_t k, best = 0;
	uint64_t calls;

	if (cl->cl_recovering || cl->cl_stopping || !cl->cl_have_session)
		return 0;
	for (k = 1; k < cl->cl_nconns; k++) {
		if (!conn_usable(cl, k))
			continue;
		if (!best || cl->cl_conns[k].sn_in_flight <
				 cl->cl_conns[best].sn_in_flight)
			best = k;
	}
	if (!best)
		return 0;
	tmp = cl->cl_conns[0];
	cl->cl_conns[0] = cl->cl_conns[best];
	cl->cl_conns[best] = tmp;
	calls = cl->cl_stats.cst_conn_calls[0];
	cl->cl_stats.cst_conn_calls[0] = cl->cl_stats.cst_conn_calls[best];
	cl->cl_stats.cst_conn_calls[best] = calls;
	/* read without cl_lock by one-op calls and recovery: a pointer */
	__atomic_store_n(&cl->cl_xprt, cl->cl_conns[0].sn_xprt,
			 __ATOMIC_RELEASE);
	c = &cl->cl_conns[best];
	c->sn_refused = false;
	c->sn_bound_gen = 0;
	c->sn_fails = 0;
	c->sn_next_try.tv_sec = 0; /* reconnect right away */
	cl->cl_stats.cst_trunk_first_moved++;
	return best;
}

bool sess_trunk_put(struct sess_client *cl, struct sess_xprt *xprt, int ret,
		    uint32_t *idxp)
{
	bool moved = false, newly_lost = false, was_first = false;
	struct sess_conn *c;
	uint32_t idx;

	pthread_mutex_lock(&cl->cl_lock);
	idx = conn_index_locked(cl, xprt);
	c = &cl->cl_conns[idx];
	if (c->sn_in_flight)
		c->sn_in_flight--;
	if (idx == 0 && cl->cl_nconns > 1 &&
	    (ret == -ENOTCONN || ret == -ETIMEDOUT)) {
		idx = move_first_locked(cl);
		c = &cl->cl_conns[idx];
		was_first = idx != 0; /* marked lost below, as any extra */
	}
	*idxp = idx;
	if (idx != 0 && (ret == -ENOTCONN || ret == -ETIMEDOUT)) {
		if (!c->sn_lost) {
			c->sn_lost = true;
			c->sn_fails = 0;
			c->sn_next_try.tv_sec = 0; /* reconnect right away */
			cl->cl_stats.cst_trunk_lost++;
			newly_lost = true;
			pthread_cond_signal(&cl->cl_renew_cond);
		}
		cl->cl_stats.cst_trunk_moved++;
		cl->cl_stats.cst_replays++;
		moved = true;
	}
	pthread_mutex_unlock(&cl->cl_lock);
	if (newly_lost && was_first)
		sess_log(cl, SESS_LOG_WARN,
			 "first connection lost (%s): an extra connection "
			 "takes its place, its calls are replayed on the "
			 "others; reconnecting it as connection %u",
			 strerror(-ret), idx);
	else if (newly_lost)
		sess_log(cl, SESS_LOG_WARN,
			 "connection %u lost (%s): its calls are replayed on "
			 "the other connections; reconnecting it",
			 idx, strerror(-ret));
	return moved;
}

void sess_trunk_unbound(struct sess_client *cl, uint32_t idx)
{
	pthread_mutex_lock(&cl->cl_lock);
	cl->cl_conns[idx].sn_bound_gen = 0;
	cl->cl_conns[idx].sn_next_try.tv_sec = 0;
	pthread_cond_signal(&cl->cl_renew_cond);
	pthread_mutex_unlock(&cl->cl_lock);
	sess_log(cl, SESS_LOG_WARN,
		 "connection %u is not bound to the session: rebinding", idx);
}

/* Connect extra @i (if down) and bind it.  Returns as sess_do_bind_conn_on */
static int attach(struct sess_client *cl, uint32_t i, bool lost, uint64_t *gen)
{
	struct sess_xprt *x = cl->cl_conns[i].sn_xprt;
	int ret;

	ret = x->x_ops->connect(x); /* 0 when still connected */
	if (ret)
		return ret;
	ret = sess_do_bind_conn_on(cl, x, CDFC4_FORE, gen);
	if (conn_error(ret) && !lost) {
		/* It died quietly since it was last bound: once more. */
		ret = x->x_ops->connect(x);
		if (!ret)
			ret = sess_do_bind_conn_on(cl, x, CDFC4_FORE, gen);
	}
	return ret;
}

static const char *err_name(int ret)
{
	return ret > 0 ? sess_nfsstat_name((nfsstat4)ret) : strerror(-ret);
}

/* Extra @c is down or bound to an older session, and not retired. */
static bool repair_needed_locked(const struct sess_client *cl,
				 const struct sess_conn *c)
{
	return !c->sn_refused &&
	       (c->sn_lost || c->sn_bound_gen != cl->cl_session_gen);
}

bool sess_trunk_repair_pending_locked(const struct sess_client *cl)
{
	uint32_t i;

	for (i = 1; i < cl->cl_nconns; i++)
		if (repair_needed_locked(cl, &cl->cl_conns[i]))
			return true;
	return false;
}

/*
 * An extra that failed while the server was down (killed, restarting) has
 * backed off to as much as 30 s; without this the calls after a recovery
 * would all go over the first connection for that long (in CI a put
 * across a server restart ended with no extra bound again).
 */
void sess_trunk_retry_now_locked(struct sess_client *cl)
{
	struct sess_conn *c;
	uint32_t i;

	for (i = 1; i < cl->cl_nconns; i++) {
		c = &cl->cl_conns[i];
		if (!repair_needed_locked(cl, c))
			continue;
		c->sn_fails = 0;
		c->sn_next_try.tv_sec = 0;
	}
}

void sess_trunk_maintain(struct sess_client *cl, bool force)
{
	struct timespec now;
	struct sess_conn *c;
	uint32_t i, k, bound = 0, usable;
	uint64_t gen = 0;
	bool need, lost;
	int ret, backoff;

	for (i = 1; i < cl->cl_nconns; i++) {
		c = &cl->cl_conns[i];
		clock_gettime(CLOCK_MONOTONIC, &now);
		pthread_mutex_lock(&cl->cl_lock);
		if (cl->cl_stopping || cl->cl_recovering ||
		    !cl->cl_have_session) {
			pthread_mutex_unlock(&cl->cl_lock);
			return; /* after recovery, next round */
		}
		need = repair_needed_locked(cl, c);
		if (need && !force && now.tv_sec < c->sn_next_try.tv_sec)
			need = false;
		lost = c->sn_lost;
		pthread_mutex_unlock(&cl->cl_lock);
		if (!need)
			continue;

		ret = attach(cl, i, lost, &gen);

		pthread_mutex_lock(&cl->cl_lock);
		if (ret == 0) {
			c->sn_lost = false;
			c->sn_bound_gen = gen;
			c->sn_fails = 0;
			cl->cl_stats.cst_trunk_binds++;
		} else if (ret > 0 && !session_error(ret)) {
			c->sn_refused = true;
			cl->cl_stats.cst_trunk_refused++;
		} else {
			if (conn_error(ret))
				c->sn_lost = true;
			if (c->sn_fails < 5)
				c->sn_fails++;
			backoff = 1 << c->sn_fails;
			if (backoff > TRUNK_BACKOFF_MAX_S)
				backoff = TRUNK_BACKOFF_MAX_S;
			c->sn_next_try.tv_sec = now.tv_sec + backoff;
		}
		usable = 1;
		for (k = 1; k < cl->cl_nconns; k++)
			usable += conn_usable(cl, k);
		pthread_mutex_unlock(&cl->cl_lock);

		if (ret == 0) {
			bound++;
			sess_log(cl, SESS_LOG_DEBUG,
				 "connection %u bound to the session "
				 "(BIND_CONN_TO_SESSION, fore channel)",
				 i);
		} else if (ret > 0 && !session_error(ret)) {
			sess_log(cl, SESS_LOG_WARN,
				 "server refused BIND_CONN_TO_SESSION on "
				 "connection %u: %s; going on with %u "
				 "connection(s)",
				 i, err_name(ret), usable);
		} else {
			sess_log(cl, SESS_LOG_WARN,
				 "connection %u not usable yet (%s): retrying "
				 "in the background",
				 i, err_name(ret));
		}
	}
	if (force && cl->cl_nconns > 1)
		sess_log(cl, SESS_LOG_INFO,
			 "session trunking: %u extra connection(s) of %u "
			 "bound",
			 bound, cl->cl_nconns - 1);
}

void sess_trunk_disconnect(struct sess_client *cl)
{
	uint32_t i;

	for (i = 1; i < cl->cl_nconns; i++)
		cl->cl_conns[i].sn_xprt->x_ops->disconnect(
		    cl->cl_conns[i].sn_xprt);
}

void sess_trunk_destroy(struct sess_client *cl)
{
	uint32_t i;

	for (i = 1; i < cl->cl_nconns; i++) {
		cl->cl_conns[i].sn_xprt->x_ops->destroy(
		    cl->cl_conns[i].sn_xprt);
		cl->cl_conns[i].sn_xprt = NULL;
	}
	cl->cl_nconns = 1;
}

void sess_trunk_stats_locked(struct sess_client *cl,
			     struct sess_client_stats *st)
{
	uint32_t i;

	st->cst_conns = cl->cl_nconns;
	st->cst_conns_bound = 0;
	for (i = 1; i < cl->cl_nconns; i++)
		st->cst_conns_bound += conn_usable(cl, i);
}

void sess_trunk_xprt_stats(struct sess_client *cl, struct sess_xprt_stats *sum)
{
	struct sess_xprt_stats x;
	uint32_t i;

	for (i = 1; i < cl->cl_nconns; i++) {
		memset(&x, 0, sizeof(x));
		cl->cl_conns[i].sn_xprt->x_ops->get_stats(
		    cl->cl_conns[i].sn_xprt, &x);
		sum->xt_calls += x.xt_calls;
		sum->xt_replies += x.xt_replies;
		sum->xt_bytes_out += x.xt_bytes_out;
		sum->xt_bytes_in += x.xt_bytes_in;
		sum->xt_cb_calls += x.xt_cb_calls;
		sum->xt_connects += x.xt_connects;
		sum->xt_disconnects += x.xt_disconnects;
		sum->xt_bad_records += x.xt_bad_records;
		sum->xt_timeouts += x.xt_timeouts;
		sum->xt_in_flight += x.xt_in_flight;
		/* the most on one connection: what one peer saw at once */
		if (x.xt_max_in_flight > sum->xt_max_in_flight)
			sum->xt_max_in_flight = x.xt_max_in_flight;
		sum->xt_rdma_read_bytes += x.xt_rdma_read_bytes;
		sum->xt_rdma_write_bytes += x.xt_rdma_write_bytes;
		sum->xt_payload_bytes_copied += x.xt_payload_bytes_copied;
		sum->xt_registered_bytes += x.xt_registered_bytes;
		sum->xt_registrations += x.xt_registrations;
		sum->xt_deregistrations += x.xt_deregistrations;
		sum->xt_bounce_hits += x.xt_bounce_hits;
		sum->xt_bounce_misses += x.xt_bounce_misses;
		sum->xt_bounce_bytes_copied += x.xt_bounce_bytes_copied;
		sum->xt_caller_wakeups += x.xt_caller_wakeups;
		sum->xt_caller_drives += x.xt_caller_drives;
		sum->xt_loop_wakeups += x.xt_loop_wakeups;
	}
}
