/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Client engine: connect, send calls, match replies.  How this works (the
 * contract is in xr_clnt.h):
 *
 * - One lock (xr_loop.ev_lock) covers the fabric and the engine; one
 *   condition variable (ce_cv) signals state changes and freed credits,
 *   each blocking call waits on its own (cr_cv).  On a fabric that takes
 *   posts from any thread (XR_CAP_POST_ANY_THREAD: ofi), submitting
 *   threads post under the lock; on one that does not (verbs: uverbs
 *   refuses threads whose credentials changed, as a Ganesha worker's do)
 *   they queue the call and the progress thread registers and posts it
 *   (and connects and disconnects): xr_clnt_defer_to_loop().
 *   The progress thread polls, matches replies, and runs completion
 *   callbacks after dropping the lock.
 * - A caller of xr_clnt_call() on such a fabric drives progress itself
 *   while no other caller does (xr_clnt_drive()): it polls and sleeps on
 *   the fabric's descriptor until its reply is in, and the progress
 *   thread meanwhile neither polls (it would take replies the driver
 *   sleeps for) nor watches the fabric: it sleeps on its eventfd alone
 *   (xr_loop_park()), so a
 *   reply wakes one thread - the caller - instead of the progress thread
 *   and then the caller.  The driver never spins (two cores shared with
 *   the server: a spinning caller starves it) and runs no callbacks; it
 *   kicks the progress thread when it stops with work left.
 * - Preallocated at create: `credits` receive buffers and `credits` call
 *   slots with one send buffer each (two registrations, LOCAL), and one
 *   page of zeroes (REMOTE_READ) that supplies XDR padding inside a
 *   Position-Zero chunk.  A slot is busy from submit until both its send
 *   has completed and its reply has arrived (or the connection died).
 * - What the server reaches (Read, Write and Reply chunks) goes through
 *   the bounce pool where there is one (fabrics whose registrations cost
 *   a system call: verbs): one area registered once per engine, remote
 *   read and write, from which each chunk takes a block - the caller's
 *   bytes are copied in before the call is posted, the server's bytes
 *   are copied out to the caller's buffers when the reply has been
 *   checked and before the block is given back, and the caller's memory
 *   never gets a key.  A late RDMA by the server can only reach the pool,
 *   which holds nothing but bytes of this engine's connection to it, and
 *   the pool is zeroed before a new connection is established
 *   (docs/architecture.md, "Memory registration", says why that is safe).
 * - Otherwise (no pool, ofi, or a chunk the pool has no room for) the
 *   caller's memory is registered per call with the least access that
 *   works: REMOTE_READ over the payload (Read chunk) or the message
 *   ranges (Position-Zero chunk), REMOTE_WRITE over exactly the result
 *   buffer (Write chunk) and the reply buffer (Reply chunk).  All of them
 *   are deregistered before the caller is told the call is over.
 * - Connection states: DOWN -> CONNECTING -> UP -> DYING (calls failed,
 *   waiting for the endpoint's operations to flush) -> DOWN.
 */
#include "xr_clnt.h"

#include "xr_cm.h"
#include "xr_core_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/resource.h>

#define XR_CLNT_POLL_BATCH 64
#define XR_CLNT_MAX_REGS 16u
#define XR_CLNT_HDR_CHUNKS 4u
#define XR_CLNT_HDR_SEGS (XR_MAX_CHUNK_SEGS + 2u)
#define XR_CLNT_REPLY_CHUNKS (XR_MAX_WRITE_CHUNKS + 1u)
#define XR_CLNT_REPLY_SEGS (XR_MAX_CHUNK_SEGS * (XR_MAX_WRITE_CHUNKS + 1u))
#define XR_CLNT_ZERO_BYTES 4096u
#define XR_CLNT_MAX_REPLY (1ull << 30)
/* Position-Zero, Read, Write and Reply chunk. */
#define XR_CLNT_BOUNCE_BLOCKS 4u

enum xr_clnt_state {
	XR_CL_DOWN = 0,
	XR_CL_CONNECTING,
	XR_CL_UP,
	XR_CL_DYING,
};

struct xr_clnt_slot {
	struct xr_clnt_req *s_req;
	uint32_t s_index;
	uint32_t s_xid;
	bool s_busy;
	bool s_send_pending;
	bool s_wait_reply;
	bool s_timed_out;
	struct xr_reg s_regs[XR_CLNT_MAX_REGS];
	uint32_t s_nregs;
	/* Bounce blocks taken for this call, given back with s_regs. */
	struct {
		uint8_t *bb_addr;
		uint64_t bb_len;
		uint64_t bb_dirty; /* bytes zeroed when given back */
	} s_bounce[XR_CLNT_BOUNCE_BLOCKS];
	uint32_t s_nbounce;
	uint8_t *s_wbounce; /* the Write chunk's block: copied out on reply */
	uint8_t *s_rbounce; /* the Reply chunk's */
	uint32_t s_wbounce_i, s_rbounce_i; /* their s_bounce[] entries */
	/* What was offered, to check what comes back. */
	struct xr_segment s_wseg;
	bool s_has_wseg;
	struct xr_segment s_rseg;
	bool s_has_rseg;
	struct xr_clnt_slot *s_next;
	bool s_queued; /* waiting in cl_postq for the progress thread */
	struct xr_clnt_slot *s_post_next;
};

struct xr_clnt {
	struct xr_clnt_params ce_p;
	xr_clnt_lost_fn ce_on_lost;
	void *ce_arg;
	struct xr_fabric *ce_fab;
	struct xr_loop ce_loop;
	pthread_cond_t ce_cv; /* with ev_lock: state, credits, deferred work */
	uint32_t ce_cv_waiters; /* threads in pthread_cond_*wait(ce_cv) */
	struct xr_ep *ce_ep;
	enum xr_clnt_state ce_state;
	int ce_conn_status;
	bool ce_lost_pending;
	struct xr_cm_inline ce_inline;
	struct xr_credits ce_credits;
	struct xr_pool ce_recv_pool;
	struct xr_pool ce_send_pool;
	uint8_t *ce_zero;
	struct xr_reg ce_zero_reg;
	struct xr_rpool ce_bounce;  /* pp_base NULL: no bounce pool */
	int64_t ce_bounce_reserved; /* of xr_clnt_bounce_held */
	/* a connection was up since the pool was last zeroed */
	bool ce_bounce_dirty;
	uint32_t *ce_recv_idx; /* context of receive i is &ce_recv_idx[i] */
	uint32_t *ce_repost;
	uint32_t ce_nrepost;
	uint32_t ce_posted;
	struct xr_clnt_slot *ce_slots;
	uint32_t ce_nslots;
	struct xr_clnt_slot *ce_free;
	struct xr_clnt_req **ce_done;
	uint32_t ce_ndone;
	struct xr_hdr_limits ce_limits;
	struct xr_chunk ce_rchunks[XR_CLNT_REPLY_CHUNKS];
	struct xr_segment ce_rsegs[XR_CLNT_REPLY_SEGS];
	struct xr_core_stats ce_stats;
	uint64_t ce_per_conn;
	/*
	 * Fabric without XR_CAP_POST_ANY_THREAD: only the progress thread
	 * touches the device (see xr_clnt_defer_to_loop()); callers queue
	 * their posts and requests here.
	 */
	bool ce_loop_only;
	/* A caller drives progress (xr_clnt_drive()); the loop parks. */
	bool ce_driving;
	/*
	 * The progress thread sleeps on its eventfd alone (xr_loop_park())
	 * and watches the fabric again only once woken or after 1 s: an
	 * asynchronous call posted then must wake it (xr_clnt_submit()).
	 */
	bool ce_parked;
	struct xr_clnt_slot *cl_postq, *ce_postq_tail;
	bool ce_want_connect;
	int ce_connect_ret;
	bool ce_want_disconnect;
};

/*
 * The fabric says whether any thread may drive it (enum xr_fabric_cap).
 * Without XR_CAP_POST_ANY_THREAD (verbs: every command to the device goes
 * through the kernel's uverbs/rdma_cm files, which refuse a thread whose
 * credentials changed - and a Ganesha worker switches to its client's
 * credentials for every request; the gateway FSAL calls in from such
 * threads) the progress thread, whose credentials never change, does all
 * of it: callers queue and wait.  With it (ofi) callers post themselves.
 */
static bool xr_clnt_defer_to_loop(struct xr_clnt *cl)
{
	return cl->ce_loop_only &&
	       !pthread_equal(pthread_self(), cl->ce_loop.ev_thread);
}

/* Drop the connection now, or have the progress thread do it. */
static void xr_clnt_drop_conn(struct xr_clnt *cl)
{
	if (!cl->ce_ep ||
	    (cl->ce_state != XR_CL_UP && cl->ce_state != XR_CL_CONNECTING))
		return;
	if (xr_clnt_defer_to_loop(cl))
		cl->ce_want_disconnect = true;
	else
		xr_disconnect(cl->ce_ep);
}

/* ---- completion of calls ---------------------------------------------- */

/*
 * The call's keys die: per-call registrations are undone, bounce blocks go
 * back to the pool (whatever the server still does to them can only reach
 * the pool - the caller's bytes were copied out before this), zeroed over
 * what this call put there: the payload copied in, the result the server
 * said it placed (all of a sink block when the call failed).  So a later
 * call that the server answers with a length it never wrote gets zeroes,
 * not an earlier call's bytes (sessions.xprt_rdma_hostile).
 */
static void xr_clnt_slot_dereg(struct xr_clnt *cl, struct xr_clnt_slot *s)
{
	uint32_t i;

	for (i = 0; i < s->s_nregs; i++)
		xr_core_dereg(&cl->ce_stats, &s->s_regs[i]);
	s->s_nregs = 0;
	for (i = 0; i < s->s_nbounce; i++) {
		memset(s->s_bounce[i].bb_addr, 0, s->s_bounce[i].bb_dirty);
		xr_rpool_free(&cl->ce_bounce, s->s_bounce[i].bb_addr,
			      s->s_bounce[i].bb_len);
	}
	s->s_nbounce = 0;
	s->s_wbounce = NULL;
	s->s_rbounce = NULL;
}

/*
 * Wake the threads waiting on ce_cv (for a credit, a slot or a state
 * change) - only when there are any: a reply must not wake every caller.
 */
static void xr_clnt_kick(struct xr_clnt *cl)
{
	if (cl->ce_cv_waiters)
		pthread_cond_broadcast(&cl->ce_cv);
}

static void xr_clnt_cv_wait(struct xr_clnt *cl, const struct timespec *ts,
			    int *ret)
{
	cl->ce_cv_waiters++;
	if (ts)
		*ret = pthread_cond_timedwait(&cl->ce_cv, &cl->ce_loop.ev_lock,
					      ts);
	else
		*ret = pthread_cond_wait(&cl->ce_cv, &cl->ce_loop.ev_lock);
	cl->ce_cv_waiters--;
}

static void xr_clnt_slot_free(struct xr_clnt *cl, struct xr_clnt_slot *s)
{
	s->s_busy = false;
	s->s_req = NULL;
	s->s_next = cl->ce_free;
	cl->ce_free = s;
	xr_clnt_kick(cl);
}

/* The call is over for the caller: registrations first, then tell. */
static void xr_clnt_finish(struct xr_clnt *cl, struct xr_clnt_slot *s,
			   int status)
{
	struct xr_clnt_req *req = s->s_req;
	uint32_t i;

	/*
	 * A call that failed zeroes all of its bounce blocks: the lengths a
	 * refused reply named (xr_clnt_take_reply() may have taken them
	 * before it found the reply bad) say nothing of what was written.
	 */
	if (status || s->s_timed_out)
		for (i = 0; i < s->s_nbounce; i++)
			s->s_bounce[i].bb_dirty = s->s_bounce[i].bb_len;
	xr_clnt_slot_dereg(cl, s);
	s->s_wait_reply = false;
	xr_credits_put(&cl->ce_credits);
	cl->ce_stats.cs_calls_live--;
	req->cr_status = s->s_timed_out ? -ETIMEDOUT : status;
	if (req->cr_done) {
		cl->ce_done[cl->ce_ndone++] = req;
	} else {
		/* Wake its caller alone (xr_clnt_call), not every waiter. */
		req->cr_complete = true;
		if (req->cr_sync)
			pthread_cond_signal(&req->cr_cv);
	}
	if (!s->s_send_pending)
		xr_clnt_slot_free(cl, s);
	xr_clnt_kick(cl);
}

static struct xr_clnt_slot *xr_clnt_find(struct xr_clnt *cl, uint32_t xid)
{
	uint32_t i;

	for (i = 0; i < cl->ce_nslots; i++)
		if (cl->ce_slots[i].s_wait_reply &&
		    cl->ce_slots[i].s_xid == xid)
			return &cl->ce_slots[i];
	return NULL;
}

/* Check a returned chunk against the single segment we offered. */
static bool xr_clnt_seg_ok(const struct xr_hdr *h, const struct xr_chunk *ch,
			   const struct xr_segment *offered)
{
	const struct xr_segment *seg;

	if (ch->ch_nsegs != 1)
		return false;
	seg = xr_chunk_seg(h, ch, 0);
	return seg->seg_handle == offered->seg_handle &&
	       seg->seg_offset == offered->seg_offset &&
	       seg->seg_length <= offered->seg_length;
}

/* Validate a decoded reply against the call's offer; fill the request. */
static int xr_clnt_take_reply(struct xr_clnt *cl, struct xr_clnt_slot *s,
			      const struct xr_hdr *h, const uint8_t *buf)
{
	struct xr_clnt_req *req = s->s_req;
	const struct xr_chunk *ch;

	if (h->h_proc == XR_RDMA_ERROR) {
		cl->ce_stats.cs_rdma_error_recvd++;
		return h->h_err == XR_ERR_VERS ? -EPROTONOSUPPORT : -EPROTO;
	}
	if (h->h_nwrite > (s->s_has_wseg ? 1u : 0u))
		goto out_bad;
	req->cr_result_len = 0;
	/*
	 * Bounce blocks are zeroed, when given back, over what the server
	 * says it placed: bytes it wrote beyond that are its own words, which
	 * it could as well write into a later call's block during that call.
	 */
	if (s->s_wbounce)
		s->s_bounce[s->s_wbounce_i].bb_dirty = 0;
	if (h->h_nwrite) {
		ch = xr_hdr_write_chunk(h, 0);
		if (!xr_clnt_seg_ok(h, ch, &s->s_wseg))
			goto out_bad;
		req->cr_result_len = ch->ch_length;
		if (s->s_wbounce && ch->ch_length) {
			/* checked above: ch_length <= the block offered */
			s->s_bounce[s->s_wbounce_i].bb_dirty = ch->ch_length;
			memcpy(req->cr_result_buf, s->s_wbounce, ch->ch_length);
			cl->ce_stats.cs_bounce_bytes_copied += ch->ch_length;
		}
		if (ch->ch_length)
			cl->ce_stats.cs_write_chunk_replies++;
		/* placed by the server's RDMA Writes */
		cl->ce_stats.cs_rdma_write_bytes += ch->ch_length;
	}
	ch = xr_hdr_reply_chunk(h);
	if (ch && (!s->s_has_rseg || !xr_clnt_seg_ok(h, ch, &s->s_rseg)))
		goto out_bad;
	if (s->s_rbounce)
		s->s_bounce[s->s_rbounce_i].bb_dirty =
		    h->h_proc == XR_RDMA_NOMSG ? ch->ch_length : 0;
	if (h->h_proc == XR_RDMA_NOMSG) {
		/* The decoder insists on a Reply chunk for RDMA_NOMSG. */
		req->cr_reply_len = ch->ch_length;
		if (s->s_rbounce && ch->ch_length) {
			memcpy(req->cr_reply_buf, s->s_rbounce, ch->ch_length);
			cl->ce_stats.cs_bounce_bytes_copied += ch->ch_length;
		}
		cl->ce_stats.cs_reply_chunk_replies++;
		return 0;
	}
	if (h->h_msg_len > req->cr_reply_cap)
		return -EMSGSIZE;
	memcpy(req->cr_reply_buf, buf + h->h_msg_offset, h->h_msg_len);
	req->cr_reply_len = h->h_msg_len;
	cl->ce_stats.cs_inline_replies++;
	return 0;

out_bad:
	cl->ce_stats.cs_err_bad_reply++;
	return -EBADMSG;
}

static void xr_clnt_on_recv(struct xr_clnt *cl, uint32_t *idx,
			    const struct xr_completion *wc)
{
	const uint8_t *buf = xr_pool_buf(&cl->ce_recv_pool, *idx);
	struct xr_clnt_slot *s;
	enum xr_hdr_reason reason;
	struct xr_hdr h;
	int ret;

	cl->ce_posted--;
	cl->ce_stats.cs_recvs_posted--;
	if (wc->xc_status) {
		if (wc->xc_status != -ECANCELED)
			cl->ce_stats.cs_err_completion++;
		return;
	}
	xr_hdr_init(&h, cl->ce_rchunks, XR_CLNT_REPLY_CHUNKS, cl->ce_rsegs,
		    XR_CLNT_REPLY_SEGS);
	ret = xr_hdr_decode(buf, wc->xc_len, &cl->ce_limits, &h, &reason);
	if (ret) {
		cl->ce_stats.cs_err_hdr_dropped++;
		/* Fail the call it names rather than let it hang. */
		s = wc->xc_len >= 4 ? xr_clnt_find(cl, h.h_xid) : NULL;
		if (s)
			xr_clnt_finish(cl, s, -EBADMSG);
		goto out_repost;
	}
	xr_credits_update(&cl->ce_credits, h.h_credits);
	xr_clnt_kick(cl);
	s = xr_clnt_find(cl, h.h_xid);
	if (!s) {
		cl->ce_stats.cs_err_unmatched++;
		goto out_repost;
	}
	cl->ce_stats.cs_replies++;
	ret = xr_clnt_take_reply(cl, s, &h, buf);
	xr_clnt_finish(cl, s, ret);

out_repost:
	if (cl->ce_state == XR_CL_UP)
		cl->ce_repost[cl->ce_nrepost++] = *idx;
}

static void xr_clnt_flush_reposts(struct xr_clnt *cl)
{
	struct xr_recv batch[32];
	uint32_t n, i, posted, done = 0;

	while (done < cl->ce_nrepost && cl->ce_state == XR_CL_UP) {
		n = cl->ce_nrepost - done < 32 ? cl->ce_nrepost - done : 32;
		for (i = 0; i < n; i++) {
			uint32_t idx = cl->ce_repost[done + i];

			batch[i].rcv_ctx = &cl->ce_recv_idx[idx];
			batch[i].rcv_nsge = 1;
			batch[i].rcv_sge[0] =
			    (struct xr_sge){xr_pool_buf(&cl->ce_recv_pool, idx),
					    cl->ce_recv_pool.bp_size,
					    cl->ce_recv_pool.bp_reg.rg_mr};
		}
		if (xr_post_recvs(cl->ce_ep, batch, n, &posted))
			cl->ce_stats.cs_err_post++;
		cl->ce_posted += posted;
		cl->ce_stats.cs_recvs_posted += posted;
		done += n;
		if (posted < n)
			break;
	}
	cl->ce_nrepost = 0;
}

static void xr_clnt_completion(struct xr_clnt *cl,
			       const struct xr_completion *wc)
{
	struct xr_clnt_slot *s;

	if (wc->xc_op == XR_OP_RECV) {
		xr_clnt_on_recv(cl, wc->xc_ctx, wc);
		return;
	}
	s = wc->xc_ctx;
	if (wc->xc_status && wc->xc_status != -ECANCELED) {
		cl->ce_stats.cs_err_completion++;
		xr_disconnect(cl->ce_ep);
	}
	s->s_send_pending = false;
	if (!s->s_wait_reply && s->s_busy)
		xr_clnt_slot_free(cl, s);
}

/* ---- connection events ------------------------------------------------- */

static void xr_clnt_conn_gone(struct xr_clnt *cl, int status)
{
	uint32_t i;

	if (cl->ce_state == XR_CL_UP) {
		cl->ce_stats.cs_conn_lost++;
		cl->ce_stats.cs_connections--;
		cl->ce_lost_pending = true;
	}
	if (cl->ce_state == XR_CL_CONNECTING)
		cl->ce_conn_status = status ? status : -ECONNREFUSED;
	cl->ce_state = XR_CL_DYING;
	cl->ce_nrepost = 0;
	/* Calls still queued for posting are failed below like the rest. */
	while (cl->cl_postq) {
		cl->cl_postq->s_queued = false;
		cl->cl_postq = cl->cl_postq->s_post_next;
	}
	cl->ce_postq_tail = NULL;
	for (i = 0; i < cl->ce_nslots; i++)
		if (cl->ce_slots[i].s_wait_reply)
			xr_clnt_finish(cl, &cl->ce_slots[i], -ENOTCONN);
	xr_clnt_kick(cl);
}

static void xr_clnt_on_event(struct xr_clnt *cl, const struct xr_event *ev)
{
	struct xr_cm_private mine = {0}, peer;

	if (ev->xv_ep != cl->ce_ep)
		return;
	switch (ev->xv_type) {
	case XR_EV_ESTABLISHED:
		if (cl->ce_state != XR_CL_CONNECTING)
			return;
		xr_cm_decode(ev->xv_pdata,
			     ev->xv_pdata_len < XR_PDATA_MAX ? ev->xv_pdata_len
							     : XR_PDATA_MAX,
			     &peer);
		mine.pd_send_size = xr_cm_size_advertised(cl->ce_p.cp_inline);
		mine.pd_recv_size = mine.pd_send_size;
		xr_cm_negotiate(&mine, &peer, &cl->ce_inline);
		/*
		 * A new peer may sit at the old address: nothing the last
		 * connection carried stays where this one's keys reach (no
		 * call holds a block: all failed when that one went).  The
		 * first connection finds the pool as mapped: zero pages.
		 * Any peer may have guessed the key, so every connection
		 * that was up counts, whether a block was offered or not.
		 */
		if (cl->ce_bounce_dirty)
			memset(cl->ce_bounce.pp_base, 0,
			       (size_t)cl->ce_bounce.pp_pages * XR_RPOOL_PAGE);
		cl->ce_bounce_dirty = cl->ce_bounce.pp_base != NULL;
		cl->ce_state = XR_CL_UP;
		cl->ce_conn_status = 0;
		cl->ce_stats.cs_connections++;
		cl->ce_stats.cs_connections_total++;
		xr_clnt_kick(cl);
		return;
	case XR_EV_REJECTED:
		xr_clnt_conn_gone(cl, -ECONNREFUSED);
		return;
	case XR_EV_DISCONNECTED:
	case XR_EV_ERROR:
	case XR_EV_DEVICE_REMOVAL:
		xr_clnt_conn_gone(cl, ev->xv_status ? ev->xv_status : -EIO);
		return;
	case XR_EV_CONNECT_REQUEST:
		xr_reject(ev->xv_req, NULL, 0);
		return;
	}
}

/* A dying endpoint whose operations have all flushed is destroyed. */
static void xr_clnt_reap(struct xr_clnt *cl)
{
	if (cl->ce_state != XR_CL_DYING || xr_ep_outstanding(cl->ce_ep))
		return;
	xr_ep_destroy(cl->ce_ep);
	cl->ce_ep = NULL;
	cl->ce_stats.cs_recvs_posted -= cl->ce_posted;
	cl->ce_posted = 0;
	cl->ce_state = XR_CL_DOWN;
	xr_clnt_kick(cl);
}

static void xr_clnt_run_callbacks(struct xr_clnt *cl)
{
	struct xr_clnt_req *done[XR_MAX_CREDITS];
	uint32_t n = cl->ce_ndone, i;
	bool lost = cl->ce_lost_pending;

	if (!n && !lost)
		return;
	memcpy(done, cl->ce_done, n * sizeof(done[0]));
	cl->ce_ndone = 0;
	cl->ce_lost_pending = false;
	pthread_mutex_unlock(&cl->ce_loop.ev_lock);
	for (i = 0; i < n; i++)
		done[i]->cr_done(done[i], done[i]->cr_arg);
	if (lost && cl->ce_on_lost)
		cl->ce_on_lost(cl, cl->ce_arg);
	pthread_mutex_lock(&cl->ce_loop.ev_lock);
}

static int xr_clnt_post_call(struct xr_clnt *cl, struct xr_clnt_slot *s,
			     struct xr_clnt_req *req);
static int xr_clnt_start_connect(struct xr_clnt *cl);

/* What callers left for the progress thread (see xr_clnt_defer_to_loop). */
static void xr_clnt_loop_requests(struct xr_clnt *cl)
{
	struct xr_clnt_slot *s;
	int ret;

	if (cl->ce_want_connect) {
		cl->ce_connect_ret = xr_clnt_start_connect(cl);
		cl->ce_want_connect = false;
		xr_clnt_kick(cl);
	}
	if (cl->ce_want_disconnect) {
		cl->ce_want_disconnect = false;
		xr_clnt_drop_conn(cl);
	}
	while ((s = cl->cl_postq) != NULL) {
		cl->cl_postq = s->s_post_next;
		if (!cl->cl_postq)
			cl->ce_postq_tail = NULL;
		s->s_queued = false;
		ret = cl->ce_state == XR_CL_UP
			  ? xr_clnt_post_call(cl, s, s->s_req)
			  : -ENOTCONN;
		if (ret) {
			xr_clnt_finish(cl, s, ret);
			continue;
		}
		s->s_send_pending = true;
		cl->ce_stats.cs_calls++;
	}
}

/*
 * One progress round (lock held): queued requests, completions, events,
 * reposts, reaping.  Returns whether it found work; *busy says whether
 * more may be waiting right now (full batch, events, queued requests).
 */
static bool xr_clnt_round(struct xr_clnt *cl, bool *busy)
{
	struct xr_completion wc[XR_CLNT_POLL_BATCH];
	struct xr_event ev;
	int n, i, events = 0;

	xr_clnt_loop_requests(cl);
	/* Completions are capped so the done list cannot overflow. */
	n = xr_fabric_poll(cl->ce_fab, wc, XR_CLNT_POLL_BATCH);
	for (i = 0; i < n; i++)
		xr_clnt_completion(cl, &wc[i]);
	while (xr_fabric_get_event(cl->ce_fab, &ev) == 0) {
		xr_clnt_on_event(cl, &ev);
		events++;
	}
	xr_clnt_flush_reposts(cl);
	xr_clnt_reap(cl);
	*busy = n == XR_CLNT_POLL_BATCH || events || cl->cl_postq ||
		cl->ce_want_connect || cl->ce_want_disconnect;
	return n > 0 || events > 0;
}

static void *xr_clnt_thread(void *arg)
{
	struct xr_clnt *cl = arg;
	bool worked, busy;

	pthread_mutex_lock(&cl->ce_loop.ev_lock);
	while (!cl->ce_loop.ev_stop) {
		if (cl->ce_driving) {
			/*
			 * A caller drives the fabric: polling it here could
			 * take that caller's reply while it sleeps on the
			 * fabric's descriptor, which would then stay quiet.
			 */
			cl->ce_parked = true;
			xr_loop_park(&cl->ce_loop, 1000);
			cl->ce_parked = false;
			continue;
		}
		worked = xr_clnt_round(cl, &busy);
		xr_clnt_run_callbacks(cl);
		/*
		 * A short batch drained the queues: sleep (arm() looks once
		 * more) instead of polling again for nothing - on the eventfd
		 * alone while a caller drives the fabric.
		 */
		if (busy)
			xr_loop_yield(&cl->ce_loop);
		else if (!cl->ce_driving)
			xr_loop_sleep(&cl->ce_loop, cl->ce_fab, 1000, worked);
	}
	pthread_mutex_unlock(&cl->ce_loop.ev_lock);
	return NULL;
}

/* ---- connecting -------------------------------------------------------- */

static void xr_deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Start connecting (lock held; the progress thread on verbs). */
static int xr_clnt_start_connect(struct xr_clnt *cl)
{
	struct xr_cm_private mine = {0};
	struct xr_recv *pre;
	struct xr_ep_attr attr;
	uint8_t pdata[XR_CM_PRIVATE_BYTES];
	uint32_t i, credits = cl->ce_p.cp_credits;
	int ret;

	mine.pd_send_size = xr_cm_size_advertised(cl->ce_p.cp_inline);
	mine.pd_recv_size = mine.pd_send_size;
	if (xr_cm_encode(&mine, pdata, sizeof(pdata)) < 0 ||
	    xr_ep_attr_from_credits(credits, &attr))
		return -EINVAL;
	pre = calloc(credits, sizeof(*pre));
	if (!pre)
		return -ENOMEM;
	for (i = 0; i < credits; i++) {
		pre[i].rcv_ctx = &cl->ce_recv_idx[i];
		pre[i].rcv_nsge = 1;
		pre[i].rcv_sge[0] = (struct xr_sge){
		    xr_pool_buf(&cl->ce_recv_pool, i), cl->ce_recv_pool.bp_size,
		    cl->ce_recv_pool.bp_reg.rg_mr};
	}
	xr_credits_init(&cl->ce_credits, credits);
	ret = xr_connect(cl->ce_fab, cl->ce_p.cp_addr, cl->ce_p.cp_port, &attr,
			 pre, credits, pdata, sizeof(pdata), cl, &cl->ce_ep);
	free(pre);
	if (ret)
		return ret;
	cl->ce_posted = credits;
	cl->ce_stats.cs_recvs_posted += credits;
	cl->ce_state = XR_CL_CONNECTING;
	return 0;
}

/* Called with the lock held. */
static int xr_clnt_connect_locked(struct xr_clnt *cl)
{
	struct timespec ts;
	int ret, wret;

	xr_deadline(&ts, cl->ce_p.cp_connect_timeout_ms);
	while (cl->ce_state == XR_CL_DYING ||
	       cl->ce_state == XR_CL_CONNECTING) {
		xr_clnt_cv_wait(cl, &ts, &ret);
		if (ret == ETIMEDOUT)
			return -ETIMEDOUT;
	}
	if (cl->ce_state == XR_CL_UP)
		return 0;
	if (cl->ce_loop.ev_stop)
		return -ESHUTDOWN;
	if (xr_clnt_defer_to_loop(cl)) {
		cl->ce_want_connect = true;
		xr_loop_wake(&cl->ce_loop);
		while (cl->ce_want_connect) {
			xr_clnt_cv_wait(cl, &ts, &wret);
			if (wret == ETIMEDOUT && cl->ce_want_connect) {
				cl->ce_want_connect = false;
				return -ETIMEDOUT;
			}
		}
		ret = cl->ce_connect_ret;
	} else {
		ret = xr_clnt_start_connect(cl);
	}
	if (ret)
		return ret;
	xr_loop_wake(&cl->ce_loop);
	while (cl->ce_state == XR_CL_CONNECTING) {
		xr_clnt_cv_wait(cl, &ts, &wret);
		if (wret == ETIMEDOUT && cl->ce_state == XR_CL_CONNECTING) {
			xr_clnt_drop_conn(cl);
			xr_loop_wake(&cl->ce_loop);
			cl->ce_conn_status = -ETIMEDOUT;
			break;
		}
	}
	if (cl->ce_state == XR_CL_UP)
		return 0;
	return cl->ce_conn_status ? cl->ce_conn_status : -EIO;
}

int xr_clnt_connect(struct xr_clnt *cl)
{
	int ret;

	pthread_mutex_lock(&cl->ce_loop.ev_lock);
	ret = xr_clnt_connect_locked(cl);
	pthread_mutex_unlock(&cl->ce_loop.ev_lock);
	return ret;
}

/* ---- calls ------------------------------------------------------------- */

static int xr_clnt_reg(struct xr_clnt *cl, struct xr_clnt_slot *s, void *addr,
		       size_t len, unsigned int access, struct xr_segment *seg)
{
	struct xr_reg *rg;
	int ret;

	if (s->s_nregs >= XR_CLNT_MAX_REGS || len > UINT32_MAX)
		return -EINVAL;
	rg = &s->s_regs[s->s_nregs];
	ret = xr_core_reg(cl->ce_fab, &cl->ce_stats, addr, len, access, rg);
	if (ret)
		return ret;
	s->s_nregs++;
	seg->seg_handle = xr_mr_handle(rg->rg_mr);
	seg->seg_length = (uint32_t)len;
	seg->seg_offset = xr_mr_wire_offset(rg->rg_mr, addr);
	return 0;
}

/*
 * A block of the bounce pool for @len bytes of a chunk, described in @seg
 * with the pool's key.  NULL (counted as a miss, the caller registers
 * instead) without a pool or when no run of free pages is long enough.
 */
static uint8_t *xr_clnt_bounce(struct xr_clnt *cl, struct xr_clnt_slot *s,
			       uint64_t len, struct xr_segment *seg)
{
	struct xr_rpool *p = &cl->ce_bounce;
	uint8_t *b;

	if (!p->pp_base)
		return NULL;
	if (!len || len > UINT32_MAX || s->s_nbounce >= XR_CLNT_BOUNCE_BLOCKS ||
	    !(b = xr_rpool_alloc(p, len))) {
		cl->ce_stats.cs_bounce_misses++;
		return NULL;
	}
	s->s_bounce[s->s_nbounce].bb_addr = b;
	s->s_bounce[s->s_nbounce].bb_len = len;
	/* until the reply says how much the server placed: all of it */
	s->s_bounce[s->s_nbounce].bb_dirty = len;
	s->s_nbounce++;
	cl->ce_stats.cs_bounce_hits++;
	seg->seg_handle = xr_mr_handle(p->pp_reg.rg_mr);
	seg->seg_length = (uint32_t)len;
	seg->seg_offset = xr_mr_wire_offset(p->pp_reg.rg_mr, b);
	return b;
}

/* Append the non-empty ranges as segments of the chunk being built. */
static int xr_clnt_reg_run(struct xr_clnt *cl, struct xr_clnt_slot *s,
			   const struct iovec *iov, uint32_t n,
			   struct xr_hdr *h, struct xr_chunk *ch)
{
	uint32_t i;
	int ret;

	for (i = 0; i < n; i++) {
		if (!iov[i].iov_len)
			continue;
		if (h->h_nsegs >= h->h_seg_cap)
			return -EINVAL;
		ret =
		    xr_clnt_reg(cl, s, iov[i].iov_base, iov[i].iov_len,
				XR_ACCESS_REMOTE_READ, &h->h_segs[h->h_nsegs]);
		if (ret)
			return ret;
		h->h_nsegs++;
		ch->ch_nsegs++;
		ch->ch_length += iov[i].iov_len;
	}
	return 0;
}

static struct xr_chunk *xr_clnt_new_chunk(struct xr_hdr *h, uint32_t pos)
{
	struct xr_chunk *ch =
	    &h->h_chunks[h->h_nread + h->h_nwrite + (h->h_has_reply ? 1 : 0)];

	*ch = (struct xr_chunk){.ch_position = pos, .ch_first = h->h_nsegs};
	return ch;
}

static int64_t xr_copy_run(uint8_t *dst, uint64_t room, const struct iovec *iov,
			   uint32_t n)
{
	uint64_t off = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (off + iov[i].iov_len > room)
			return -EMSGSIZE;
		memcpy(dst + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	return (int64_t)off;
}

/*
 * Marshalling a call: one helper per chunk kind, in the order the
 * transport header lists them (RFC 8166 section 4.3) - the Read list
 * (xr_clnt_pos_zero_chunk(), xr_clnt_read_chunk()), the Write list
 * (xr_clnt_write_list()), the Reply chunk (xr_clnt_reply_chunk()) - then
 * the inline part (xr_clnt_copy_inline()).  Each chunk helper registers
 * what it offers, appends its chunk and segments to the header and counts
 * the call; the registrations stay on the slot, so a failure part way
 * leaves them for the caller's unwind.  xr_clnt_post_call() plans, calls
 * the helpers in that order, encodes and posts.
 */

/*
 * The Read chunk @ch as one segment over a bounce block holding @n runs of
 * the caller's ranges copied in now (a NULL run of @pad[i] bytes is XDR
 * padding: zeroes).  Returns 1 when done so, 0 when the pool cannot take
 * it (the caller registers instead).
 */
struct xr_bounce_run {
	const struct iovec *br_iov;
	uint32_t br_n;
	uint32_t br_pad;
};

static int xr_clnt_bounce_read(struct xr_clnt *cl, struct xr_clnt_slot *s,
			       const struct xr_bounce_run *runs, uint32_t n,
			       struct xr_hdr *h, struct xr_chunk *ch)
{
	uint64_t len = 0, off = 0;
	uint32_t i;
	uint8_t *b;

	for (i = 0; i < n; i++)
		len +=
		    xr_iov_len(runs[i].br_iov, runs[i].br_n) + runs[i].br_pad;
	if (!len || h->h_nsegs >= h->h_seg_cap ||
	    !(b = xr_clnt_bounce(cl, s, len, &h->h_segs[h->h_nsegs])))
		return 0;
	for (i = 0; i < n; i++) {
		off += (uint64_t)xr_copy_run(b + off, len - off, runs[i].br_iov,
					     runs[i].br_n);
		memset(b + off, 0, runs[i].br_pad);
		off += runs[i].br_pad;
	}
	cl->ce_stats.cs_bounce_bytes_copied += len;
	h->h_nsegs++;
	ch->ch_nsegs++;
	ch->ch_length += len;
	return 1;
}

/* The whole message as one Read chunk at position zero (RDMA_NOMSG). */
static int xr_clnt_pos_zero_chunk(struct xr_clnt *cl, struct xr_clnt_slot *s,
				  const struct xr_msg *m,
				  const struct xr_plan *plan, struct xr_hdr *h)
{
	uint64_t plen = xr_iov_len(m->xm_payload, m->xm_npayload);
	struct xr_chunk *ch = xr_clnt_new_chunk(h, 0);
	bool with_payload = !plan->pl_read_chunk;
	struct xr_bounce_run runs[3] = {{m->xm_head, m->xm_nhead, 0},
					{m->xm_payload,
					 with_payload ? m->xm_npayload : 0,
					 with_payload ? xr_xdr_pad(plen) : 0},
					{m->xm_tail, m->xm_ntail, 0}};
	int ret;

	if (xr_clnt_bounce_read(cl, s, runs, 3, h, ch)) {
		h->h_nread++;
		cl->ce_stats.cs_pos_zero_calls++;
		return 0;
	}
	ret = xr_clnt_reg_run(cl, s, m->xm_head, m->xm_nhead, h, ch);
	if (!ret && !plan->pl_read_chunk) {
		ret = xr_clnt_reg_run(cl, s, m->xm_payload, m->xm_npayload, h,
				      ch);
		if (!ret && xr_xdr_pad(plen)) {
			/* The shared zero page: no per-call registration. */
			h->h_segs[h->h_nsegs] = (struct xr_segment){
			    xr_mr_handle(cl->ce_zero_reg.rg_mr),
			    xr_xdr_pad(plen),
			    xr_mr_wire_offset(cl->ce_zero_reg.rg_mr,
					      cl->ce_zero)};
			h->h_nsegs++;
			ch->ch_nsegs++;
			ch->ch_length += xr_xdr_pad(plen);
		}
	}
	if (!ret)
		ret = xr_clnt_reg_run(cl, s, m->xm_tail, m->xm_ntail, h, ch);
	if (ret)
		return ret;
	h->h_nread++;
	cl->ce_stats.cs_pos_zero_calls++;
	return 0;
}

/* The payload as a Read chunk at its XDR position in the message. */
static int xr_clnt_read_chunk(struct xr_clnt *cl, struct xr_clnt_slot *s,
			      const struct xr_msg *m,
			      const struct xr_plan *plan, struct xr_hdr *h)
{
	struct xr_chunk *ch = xr_clnt_new_chunk(h, (uint32_t)plan->pl_position);
	int ret;

	struct xr_bounce_run run = {m->xm_payload, m->xm_npayload, 0};

	if (plan->pl_position > UINT32_MAX || plan->pl_position % 4)
		return -EINVAL;
	ret =
	    xr_clnt_bounce_read(cl, s, &run, 1, h, ch)
		? 0
		: xr_clnt_reg_run(cl, s, m->xm_payload, m->xm_npayload, h, ch);
	if (ret)
		return ret;
	h->h_nread++;
	cl->ce_stats.cs_read_chunk_calls++;
	/* offered to the server's RDMA Reads */
	cl->ce_stats.cs_rdma_read_bytes += ch->ch_length;
	return 0;
}

/*
 * One single-segment chunk the server may RDMA Write into: registered
 * REMOTE_WRITE over exactly [buf, buf + cap); *offered keeps the segment
 * to check the server's answer against.
 */
static int xr_clnt_sink_chunk(struct xr_clnt *cl, struct xr_clnt_slot *s,
			      struct xr_hdr *h, void *buf, uint64_t cap,
			      struct xr_segment *offered, uint8_t **bounce,
			      uint32_t *bounce_i, bool scrub)
{
	struct xr_chunk *ch = xr_clnt_new_chunk(h, 0);
	int ret;

	if (h->h_nsegs >= h->h_seg_cap)
		return -EINVAL;
	/* From the pool: copied out to buf once the reply is checked. */
	*bounce_i = s->s_nbounce;
	*bounce = xr_clnt_bounce(cl, s, cap, &h->h_segs[h->h_nsegs]);
	if (!*bounce) {
		/*
		 * No room in the pool: the server writes into buf itself and
		 * may claim bytes it never wrote (cr_result_scrub; without a
		 * pool xr_clnt_submit() zeroed buf before taking the lock).
		 */
		if (scrub && cl->ce_bounce.pp_base)
			memset(buf, 0, cap);
		ret = xr_clnt_reg(cl, s, buf, cap, XR_ACCESS_REMOTE_WRITE,
				  &h->h_segs[h->h_nsegs]);
		if (ret)
			return ret;
	}
	*offered = h->h_segs[h->h_nsegs];
	h->h_nsegs++;
	ch->ch_nsegs = 1;
	ch->ch_length = cap;
	return 0;
}

/* The Write list: one chunk over the caller's result buffer. */
static int xr_clnt_write_list(struct xr_clnt *cl, struct xr_clnt_slot *s,
			      struct xr_clnt_req *req, struct xr_hdr *h)
{
	int ret;

	ret = xr_clnt_sink_chunk(cl, s, h, req->cr_result_buf,
				 req->cr_result_cap, &s->s_wseg, &s->s_wbounce,
				 &s->s_wbounce_i, req->cr_result_scrub);
	if (ret)
		return ret;
	s->s_has_wseg = true;
	h->h_nwrite++;
	return 0;
}

/* The Reply chunk over the caller's reply buffer. */
static int xr_clnt_reply_chunk(struct xr_clnt *cl, struct xr_clnt_slot *s,
			       struct xr_clnt_req *req, struct xr_hdr *h)
{
	int ret;

	ret = xr_clnt_sink_chunk(cl, s, h, req->cr_reply_buf, req->cr_reply_cap,
				 &s->s_rseg, &s->s_rbounce, &s->s_rbounce_i,
				 false);
	if (ret)
		return ret;
	s->s_has_rseg = true;
	h->h_has_reply = true;
	return 0;
}

/*
 * Copy what travels inline after the header at buf + off: head, the
 * payload with its XDR pad unless a Read chunk carries it, tail.  Returns
 * the message's end offset, or -EMSGSIZE past the negotiated inline send.
 */
static int64_t xr_clnt_copy_inline(struct xr_clnt *cl, const struct xr_msg *m,
				   const struct xr_plan *plan, uint8_t *buf,
				   uint64_t off)
{
	uint64_t room = cl->ce_inline.ci_max_send, start = off;
	uint64_t plen = xr_iov_len(m->xm_payload, m->xm_npayload);
	int64_t got;

	got = xr_copy_run(buf + off, room - off, m->xm_head, m->xm_nhead);
	if (got < 0)
		return got;
	off += (uint64_t)got;
	if (!plan->pl_read_chunk) {
		got = xr_copy_run(buf + off, room - off, m->xm_payload,
				  m->xm_npayload);
		if (got < 0 || off + got + xr_xdr_pad(plen) > room)
			return -EMSGSIZE;
		off += (uint64_t)got;
		cl->ce_stats.cs_payload_bytes_copied += (uint64_t)got;
		memset(buf + off, 0, xr_xdr_pad(plen));
		off += xr_xdr_pad(plen);
	}
	got = xr_copy_run(buf + off, room - off, m->xm_tail, m->xm_ntail);
	if (got < 0)
		return got;
	off += (uint64_t)got;
	cl->ce_stats.cs_inline_bytes_copied += off - start;
	return (int64_t)off;
}

/* Plan, register, encode and post one call (lock held, slot taken). */
static int xr_clnt_post_call(struct xr_clnt *cl, struct xr_clnt_slot *s,
			     struct xr_clnt_req *req)
{
	const struct xr_msg *m = &req->cr_msg;
	struct xr_plan_in pin = {0};
	struct xr_plan *plan = &req->cr_plan;
	struct xr_chunk chunks[XR_CLNT_HDR_CHUNKS];
	struct xr_segment segs[XR_CLNT_HDR_SEGS];
	uint8_t *buf = xr_pool_buf(&cl->ce_send_pool, s->s_index);
	struct xr_hdr h;
	struct xr_sge sge;
	int64_t end;
	ssize_t hlen;
	int ret;

	pin.pi_head_len = xr_iov_len(m->xm_head, m->xm_nhead);
	pin.pi_payload_len = xr_iov_len(m->xm_payload, m->xm_npayload);
	pin.pi_tail_len = xr_iov_len(m->xm_tail, m->xm_ntail);
	pin.pi_payload_ddp = req->cr_payload_ddp;
	pin.pi_inline_send = cl->ce_inline.ci_max_send;
	pin.pi_inline_recv = cl->ce_inline.ci_max_recv;
	pin.pi_reply_max = req->cr_reply_inline ? 0 : req->cr_reply_cap;
	pin.pi_result_cap = req->cr_result_buf ? req->cr_result_cap : 0;
	ret = xr_plan_call(&pin, plan);
	if (ret)
		return ret;

	memset(&h, 0, sizeof(h));
	xr_hdr_init(&h, chunks, XR_CLNT_HDR_CHUNKS, segs, XR_CLNT_HDR_SEGS);
	h.h_xid = s->s_xid;
	h.h_vers = XR_RPCRDMA_VERSION;
	h.h_credits = cl->ce_credits.cd_max;
	h.h_proc = plan->pl_pos_zero ? XR_RDMA_NOMSG : XR_RDMA_MSG;

	if (plan->pl_pos_zero) {
		ret = xr_clnt_pos_zero_chunk(cl, s, m, plan, &h);
		if (ret)
			return ret;
	}
	if (plan->pl_read_chunk) {
		ret = xr_clnt_read_chunk(cl, s, m, plan, &h);
		if (ret)
			return ret;
	}
	if (plan->pl_write_chunk) {
		ret = xr_clnt_write_list(cl, s, req, &h);
		if (ret)
			return ret;
	}
	if (plan->pl_reply_chunk) {
		ret = xr_clnt_reply_chunk(cl, s, req, &h);
		if (ret)
			return ret;
	}
	if (!plan->pl_pos_zero && !plan->pl_read_chunk)
		cl->ce_stats.cs_inline_calls++;

	hlen = xr_hdr_encode(&h, buf, cl->ce_send_pool.bp_size);
	if (hlen < 0)
		return (int)hlen;
	end = hlen;
	if (!plan->pl_pos_zero) {
		end = xr_clnt_copy_inline(cl, m, plan, buf, (uint64_t)hlen);
		if (end < 0)
			return (int)end;
	}
	sge =
	    (struct xr_sge){buf, (uint32_t)end, cl->ce_send_pool.bp_reg.rg_mr};
	ret = xr_post_send(cl->ce_ep, &sge, 1, false, 0, s);
	if (ret) {
		cl->ce_stats.cs_err_post++;
		return ret;
	}
	return 0;
}

static int xr_clnt_req_check(const struct xr_clnt_req *req, uint32_t *xid)
{
	uint32_t be;

	if (!req || xr_msg_check(&req->cr_msg) || !req->cr_reply_buf ||
	    !req->cr_reply_cap || req->cr_reply_cap > UINT32_MAX ||
	    (req->cr_result_buf &&
	     (!req->cr_result_cap || req->cr_result_cap > UINT32_MAX)) ||
	    !req->cr_msg.xm_nhead || req->cr_msg.xm_head[0].iov_len < 4)
		return -EINVAL;
	memcpy(&be, req->cr_msg.xm_head[0].iov_base, 4);
	*xid = ntohl(be);
	return 0;
}

int xr_clnt_submit(struct xr_clnt *cl, struct xr_clnt_req *req)
{
	struct xr_clnt_slot *s;
	bool stalled = false, kick = false;
	uint32_t xid;
	int ret;

	ret = xr_clnt_req_check(req, &xid);
	if (ret)
		return ret;
	req->cr_status = 0;
	req->cr_reply_len = 0;
	req->cr_result_len = 0;
	req->cr_complete = false;
	/* No callback: only xr_clnt_call(), which waits on cr_cv, may. */
	if (!req->cr_done && !req->cr_sync)
		return -EINVAL;
	/*
	 * No pool (fixed at create): the result buffer will be registered
	 * for the server's writes, so zero it now, outside the engine lock
	 * (cr_result_scrub; with a pool only a miss needs it, under the
	 * lock in xr_clnt_sink_chunk()).
	 */
	if (req->cr_result_scrub && req->cr_result_buf && req->cr_result_cap &&
	    !cl->ce_bounce.pp_base)
		memset(req->cr_result_buf, 0, req->cr_result_cap);
	pthread_mutex_lock(&cl->ce_loop.ev_lock);
	for (;;) {
		if (cl->ce_state != XR_CL_UP || cl->ce_loop.ev_stop) {
			ret = -ENOTCONN;
			goto out_unlock;
		}
		if (cl->ce_free && xr_credits_take(&cl->ce_credits))
			break;
		if (!stalled) {
			stalled = true;
			cl->ce_stats.cs_credit_stalls++;
		}
		/* Only the progress thread frees credits: it must not wait. */
		if (pthread_equal(pthread_self(), cl->ce_loop.ev_thread)) {
			ret = -EAGAIN;
			goto out_unlock;
		}
		xr_clnt_cv_wait(cl, NULL, &ret);
		ret = 0;
	}
	if (xr_clnt_find(cl, xid)) {
		xr_credits_put(&cl->ce_credits);
		ret = -EEXIST;
		goto out_unlock;
	}
	s = cl->ce_free;
	cl->ce_free = s->s_next;
	s->s_busy = true;
	s->s_req = req;
	s->s_xid = xid;
	s->s_timed_out = false;
	s->s_has_wseg = false;
	s->s_has_rseg = false;
	s->s_nregs = 0;
	s->s_nbounce = 0;
	s->s_wbounce = NULL;
	s->s_rbounce = NULL;
	if (xr_clnt_defer_to_loop(cl)) {
		/* The progress thread posts it (xr_clnt_loop_requests). */
		s->s_wait_reply = true;
		s->s_send_pending = false;
		s->s_queued = true;
		s->s_post_next = NULL;
		if (cl->ce_postq_tail)
			cl->ce_postq_tail->s_post_next = s;
		else
			cl->cl_postq = s;
		cl->ce_postq_tail = s;
		cl->ce_stats.cs_calls_live++;
		cl->ce_stats.cs_loop_handoffs++;
		goto out_unlock;
	}
	ret = xr_clnt_post_call(cl, s, req);
	if (ret) {
		xr_clnt_slot_dereg(cl, s);
		xr_credits_put(&cl->ce_credits);
		xr_clnt_slot_free(cl, s);
		goto out_unlock;
	}
	s->s_send_pending = true;
	s->s_wait_reply = true;
	cl->ce_stats.cs_calls++;
	cl->ce_stats.cs_calls_live++;
	/*
	 * An asynchronous call posted while the progress thread is still
	 * parked after a driver stopped (it stops without a kick when no
	 * call is left): no one watches the fabric, so its reply would wait
	 * for the park's 1 s timeout.  A synchronous one drives itself.
	 */
	kick = req->cr_done && cl->ce_parked && !cl->ce_driving;

out_unlock:
	pthread_mutex_unlock(&cl->ce_loop.ev_lock);
	/*
	 * Queued for the progress thread: wake it.  Posted by us: the send's
	 * and the reply's completions wake it through the fabric's
	 * descriptor, an eventfd wake-up would only cost it an empty round -
	 * unless it is parked (kick, above).
	 */
	if (!ret && (kick || xr_clnt_defer_to_loop(cl)))
		xr_loop_wake(&cl->ce_loop);
	return ret;
}

/* Milliseconds from now (CLOCK_REALTIME) to @ts, rounded up; <= 0: past. */
static int xr_ms_until(const struct timespec *ts)
{
	struct timespec now;
	int64_t ns;

	clock_gettime(CLOCK_REALTIME, &now);
	ns = (int64_t)(ts->tv_sec - now.tv_sec) * 1000000000 +
	     (ts->tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	if (ns > (int64_t)INT32_MAX * 1000000)
		return INT32_MAX;
	return (int)((ns + 999999) / 1000000);
}

/* Rounds in a row in which arm() said "pending" but nothing came. */
#define XR_CLNT_DRIVE_IDLE 8

/*
 * Drive progress from the calling thread until @req completes, @deadline
 * passes or the connection leaves UP (lock held; returns with it held).
 * One caller at a time, on a fabric that takes posts from any thread
 * only.  It polls, and sleeps on the fabric's descriptor with the lock
 * dropped - never spins.  Completion callbacks and the lost callback stay
 * for the progress thread (they run there, as xr_clnt.h says), which is
 * kicked when the driver stops with anything left for it.
 */
static void xr_clnt_drive(struct xr_clnt *cl, struct xr_clnt_req *req,
			  const struct timespec *deadline)
{
	struct pollfd pfd = {.fd = xr_fabric_wait_fd(cl->ce_fab),
			     .events = POLLIN};
	uint32_t idle = 0;
	bool busy;
	int ms;

	cl->ce_driving = true;
	cl->ce_stats.cs_caller_drives++;
	while (!req->cr_complete && cl->ce_state == XR_CL_UP &&
	       !cl->ce_loop.ev_stop) {
		if (xr_clnt_round(cl, &busy))
			idle = 0;
		if (req->cr_complete || cl->ce_ndone || cl->ce_lost_pending)
			break;
		ms = xr_ms_until(deadline);
		if (ms <= 0)
			break;
		if (busy) {
			xr_loop_yield(&cl->ce_loop); /* submitters' turn */
			continue;
		}
		if (xr_fabric_arm(cl->ce_fab) == -EAGAIN) {
			/* Pending, yet nothing comes: the loop backs off. */
			if (++idle > XR_CLNT_DRIVE_IDLE)
				break;
			xr_loop_yield(&cl->ce_loop);
			continue;
		}
		pthread_mutex_unlock(&cl->ce_loop.ev_lock);
		if (poll(&pfd, 1, ms < 1000 ? ms : 1000) < 0)
			ms = 0; /* EINTR: just go round */
		pthread_mutex_lock(&cl->ce_loop.ev_lock);
	}
	cl->ce_driving = false;
	if (cl->ce_stats.cs_calls_live || cl->ce_state != XR_CL_UP ||
	    cl->ce_ndone || cl->ce_lost_pending)
		xr_loop_wake(&cl->ce_loop);
}

int xr_clnt_call(struct xr_clnt *cl, struct xr_clnt_req *req, int timeout_ms)
{
	struct timespec ts;
	uint32_t i;
	int ret;

	if (!req)
		return -EINVAL;
	if (pthread_equal(pthread_self(), cl->ce_loop.ev_thread))
		return -EDEADLK; /* from a callback: use xr_clnt_submit() */
	req->cr_done = NULL;
	pthread_cond_init(&req->cr_cv, NULL);
	req->cr_sync = true;
	ret = xr_clnt_submit(cl, req);
	if (ret) {
		req->cr_sync = false;
		pthread_cond_destroy(&req->cr_cv);
		return ret;
	}
	xr_deadline(&ts, timeout_ms > 0 ? timeout_ms : 60000);
	pthread_mutex_lock(&cl->ce_loop.ev_lock);
	if (!cl->ce_loop_only && !cl->ce_driving && !req->cr_complete)
		xr_clnt_drive(cl, req, &ts);
	while (!req->cr_complete) {
		if (pthread_cond_timedwait(&req->cr_cv, &cl->ce_loop.ev_lock,
					   &ts) != ETIMEDOUT ||
		    req->cr_complete) {
			if (req->cr_complete)
				cl->ce_stats.cs_caller_wakeups++;
			continue;
		}
		/* Drop the connection: then no one can write our buffers. */
		for (i = 0; i < cl->ce_nslots; i++)
			if (cl->ce_slots[i].s_req == req)
				cl->ce_slots[i].s_timed_out = true;
		if (cl->ce_state == XR_CL_UP)
			xr_clnt_drop_conn(cl);
		xr_loop_wake(&cl->ce_loop);
		xr_deadline(&ts, 1000);
	}
	pthread_mutex_unlock(&cl->ce_loop.ev_lock);
	req->cr_sync = false;
	pthread_cond_destroy(&req->cr_cv);
	return req->cr_status;
}

/* ---- setup, queries, teardown ------------------------------------------ */

void xr_clnt_disconnect(struct xr_clnt *cl)
{
	pthread_mutex_lock(&cl->ce_loop.ev_lock);
	xr_clnt_drop_conn(cl);
	pthread_mutex_unlock(&cl->ce_loop.ev_lock);
	xr_loop_wake(&cl->ce_loop);
}

bool xr_clnt_connected(struct xr_clnt *cl)
{
	bool up;

	pthread_mutex_lock(&cl->ce_loop.ev_lock);
	up = cl->ce_state == XR_CL_UP;
	pthread_mutex_unlock(&cl->ce_loop.ev_lock);
	return up;
}

void xr_clnt_inline_sizes(struct xr_clnt *cl, uint32_t *send, uint32_t *recv)
{
	pthread_mutex_lock(&cl->ce_loop.ev_lock);
	*send = cl->ce_inline.ci_max_send;
	*recv = cl->ce_inline.ci_max_recv;
	pthread_mutex_unlock(&cl->ce_loop.ev_lock);
}

void xr_clnt_get_stats(struct xr_clnt *cl, struct xr_core_stats *out)
{
	pthread_mutex_lock(&cl->ce_loop.ev_lock);
	*out = cl->ce_stats;
	out->cs_registered_per_conn = cl->ce_per_conn;
	out->cs_loop_kicks =
	    __atomic_load_n(&cl->ce_loop.ev_kicks, __ATOMIC_RELAXED);
	out->cs_loop_wakeups = cl->ce_loop.ev_wakeups;
	pthread_mutex_unlock(&cl->ce_loop.ev_lock);
}

static int xr_clnt_check_params(struct xr_clnt_params *p, char *err,
				size_t errlen)
{
	const char *env;
	char *end;

	if (!p->cp_backend)
		p->cp_backend = "ofi";
	if (!p->cp_port)
		p->cp_port = XR_NFS_RDMA_PORT;
	if (!p->cp_credits)
		p->cp_credits = XR_DEFAULT_CREDITS;
	if (!p->cp_inline)
		p->cp_inline = XR_DEFAULT_INLINE;
	if (p->cp_connect_timeout_ms <= 0)
		p->cp_connect_timeout_ms = 10000;
	/*
	 * Benchmarks compare with and without the pool in one run through
	 * the environment (docs/architecture.md, "Memory registration"):
	 * XR_CLNT_BOUNCE=0 none, =N N bytes; a caller's own choice wins.
	 */
	env = getenv("XR_CLNT_BOUNCE");
	if (!p->cp_bounce_bytes && env && *env) {
		long long v = strtoll(env, &end, 10);

		if (*end || v < 0) {
			snprintf(err, errlen, "XR_CLNT_BOUNCE=%s: not bytes",
				 env);
			return -EINVAL;
		}
		p->cp_bounce_bytes = v ? v : -1;
	}
	if (p->cp_bounce_bytes > XR_CLNT_BOUNCE_MAX) {
		snprintf(err, errlen, "bounce pool %lld bytes over %lld",
			 (long long)p->cp_bounce_bytes,
			 (long long)XR_CLNT_BOUNCE_MAX);
		return -EINVAL;
	}
	if (!p->cp_addr) {
		snprintf(err, errlen, "no server address");
		return -EINVAL;
	}
	if (p->cp_credits > XR_MAX_CREDITS) {
		snprintf(err, errlen, "credits %u out of range 1..%u",
			 p->cp_credits, XR_MAX_CREDITS);
		return -EINVAL;
	}
	if (p->cp_inline < XR_CM_MIN_INLINE ||
	    p->cp_inline > XR_CM_MAX_INLINE || p->cp_inline % 1024) {
		snprintf(err, errlen,
			 "inline size %u not a multiple of 1024 in %u..%u",
			 p->cp_inline, XR_CM_MIN_INLINE, XR_CM_MAX_INLINE);
		return -EINVAL;
	}
	return 0;
}

/*
 * Bytes of default bounce pools this process's live engines hold: the
 * quarter of RLIMIT_MEMLOCK below is the whole process's, not each
 * engine's - a trunked session or a gateway with several backends runs
 * one engine per connection, and four pools of a quarter each would leave
 * nothing for their receive and send pools and per-call chunks.
 */
static int64_t xr_clnt_bounce_held;

/*
 * The default pool: none where a registration costs no system call (ofi);
 * elsewhere XR_CLNT_BOUNCE_DEFAULT, but with a finite RLIMIT_MEMLOCK (as
 * raised by the fabric at open) at most what is left of a quarter of it
 * for all engines (xr_clnt_bounce_held), so that a process held to siw's
 * 8 MiB keeps room for its other pools and the chunks registered per
 * call; none below 1 MiB.  What it returns under a finite limit is
 * reserved in *@reserved, to be given back by xr_clnt_free().
 */
static int64_t xr_clnt_bounce_default(struct xr_fabric *fab, int64_t *reserved)
{
	int64_t bytes, cap, held;
	struct rlimit rl;

	*reserved = 0;
	if (!xr_fabric_local_needs_reg(fab))
		return -1;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return XR_CLNT_BOUNCE_DEFAULT;
	cap = rl.rlim_cur / 4 > (rlim_t)INT64_MAX ? INT64_MAX
						  : (int64_t)(rl.rlim_cur / 4);
	held = __atomic_load_n(&xr_clnt_bounce_held, __ATOMIC_RELAXED);
	do {
		bytes = XR_CLNT_BOUNCE_DEFAULT;
		if (cap - held < bytes)
			bytes = (cap - held) & ~(int64_t)(XR_RPOOL_PAGE - 1);
		if (bytes < (1ll << 20))
			return -1;
	} while (!__atomic_compare_exchange_n(
	    &xr_clnt_bounce_held, &held, held + bytes, false, __ATOMIC_ACQ_REL,
	    __ATOMIC_RELAXED));
	*reserved = bytes;
	return bytes;
}

static int xr_clnt_alloc(struct xr_clnt *cl)
{
	uint32_t credits = cl->ce_p.cp_credits, i;
	int64_t bounce;
	int ret;

	cl->ce_nslots = credits;
	cl->ce_slots = calloc(credits, sizeof(*cl->ce_slots));
	cl->ce_recv_idx = calloc(credits, sizeof(*cl->ce_recv_idx));
	cl->ce_repost = calloc(credits, sizeof(*cl->ce_repost));
	cl->ce_done = calloc(credits, sizeof(*cl->ce_done));
	if (!cl->ce_slots || !cl->ce_recv_idx || !cl->ce_repost || !cl->ce_done)
		return -ENOMEM;
	for (i = credits; i-- > 0;) {
		cl->ce_recv_idx[i] = i;
		cl->ce_slots[i].s_index = i;
		cl->ce_slots[i].s_next = cl->ce_free;
		cl->ce_free = &cl->ce_slots[i];
	}
	ret = xr_pool_init(&cl->ce_recv_pool, cl->ce_fab, &cl->ce_stats,
			   credits, cl->ce_p.cp_inline, XR_ACCESS_LOCAL);
	if (ret)
		return ret;
	ret = xr_pool_init(&cl->ce_send_pool, cl->ce_fab, &cl->ce_stats,
			   credits, cl->ce_p.cp_inline, XR_ACCESS_LOCAL);
	if (ret)
		return ret;
	if (posix_memalign((void **)&cl->ce_zero, 4096, XR_CLNT_ZERO_BYTES))
		return -ENOMEM;
	memset(cl->ce_zero, 0, XR_CLNT_ZERO_BYTES);
	ret = xr_core_reg(cl->ce_fab, &cl->ce_stats, cl->ce_zero,
			  XR_CLNT_ZERO_BYTES, XR_ACCESS_REMOTE_READ,
			  &cl->ce_zero_reg);
	if (ret)
		return ret;
	bounce = cl->ce_p.cp_bounce_bytes;
	if (!bounce)
		bounce =
		    xr_clnt_bounce_default(cl->ce_fab, &cl->ce_bounce_reserved);
	if (bounce <= 0)
		return 0;
	/*
	 * Without a pool every chunk is registered per call, as before: the
	 * pool saves system calls, it is not needed for correctness, so a
	 * pool that cannot be pinned (siw charges RLIMIT_MEMLOCK) is no
	 * reason to refuse the connection (counted in cs_err_reg).
	 */
	if (xr_rpool_init(&cl->ce_bounce, cl->ce_fab, &cl->ce_stats,
			  (uint64_t)bounce,
			  XR_ACCESS_REMOTE_READ | XR_ACCESS_REMOTE_WRITE) &&
	    cl->ce_bounce_reserved) {
		__atomic_sub_fetch(&xr_clnt_bounce_held, cl->ce_bounce_reserved,
				   __ATOMIC_ACQ_REL);
		cl->ce_bounce_reserved = 0;
	}
	return 0;
}

static void xr_clnt_free(struct xr_clnt *cl)
{
	uint32_t i;

	if (cl->ce_ep)
		xr_ep_destroy(cl->ce_ep);
	for (i = 0; cl->ce_slots && i < cl->ce_nslots; i++)
		xr_clnt_slot_dereg(cl, &cl->ce_slots[i]);
	xr_core_dereg(&cl->ce_stats, &cl->ce_zero_reg);
	free(cl->ce_zero);
	if (cl->ce_bounce.pp_base)
		xr_rpool_fini(&cl->ce_bounce, &cl->ce_stats);
	if (cl->ce_bounce_reserved)
		__atomic_sub_fetch(&xr_clnt_bounce_held, cl->ce_bounce_reserved,
				   __ATOMIC_ACQ_REL);
	cl->ce_bounce_reserved = 0;
	if (cl->ce_recv_pool.bp_base)
		xr_pool_fini(&cl->ce_recv_pool, &cl->ce_stats);
	if (cl->ce_send_pool.bp_base)
		xr_pool_fini(&cl->ce_send_pool, &cl->ce_stats);
	if (cl->ce_fab)
		xr_fabric_close(cl->ce_fab);
	free(cl->ce_slots);
	free(cl->ce_recv_idx);
	free(cl->ce_repost);
	free(cl->ce_done);
	pthread_cond_destroy(&cl->ce_cv);
	free(cl);
}

int xr_clnt_create(const struct xr_clnt_params *params, xr_clnt_lost_fn on_lost,
		   void *arg, struct xr_clnt **out, char *err, size_t errlen)
{
	struct xr_fabric_params fp = {0};
	char dummy[8];
	struct xr_clnt *cl;
	int ret;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (!params || !out)
		return -EINVAL;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	pthread_cond_init(&cl->ce_cv, NULL);
	cl->ce_p = *params;
	cl->ce_on_lost = on_lost;
	cl->ce_arg = arg;
	ret = xr_clnt_check_params(&cl->ce_p, err, errlen);
	if (ret)
		goto out_free;
	fp.xfp_backend = cl->ce_p.cp_backend;
	fp.xfp_provider = cl->ce_p.cp_provider;
	ret = xr_fabric_open(&fp, &cl->ce_fab, err, errlen);
	if (ret)
		goto out_free;
	cl->ce_loop_only =
	    !xr_fabric_has_cap(cl->ce_fab, XR_CAP_POST_ANY_THREAD);
	ret = xr_clnt_alloc(cl);
	if (ret) {
		snprintf(err, errlen, "buffer setup failed: %d", ret);
		goto out_free;
	}
	cl->ce_per_conn =
	    xr_conn_registered_bytes(cl->ce_p.cp_credits, cl->ce_p.cp_inline,
				     cl->ce_p.cp_inline, 0, 0) +
	    XR_CLNT_ZERO_BYTES +
	    (uint64_t)cl->ce_bounce.pp_pages * XR_RPOOL_PAGE;
	xr_core_limits(&cl->ce_limits, XR_DIR_REPLY, XR_CLNT_MAX_REPLY,
		       cl->ce_p.cp_inline);
	ret = xr_loop_init(&cl->ce_loop, cl->ce_fab);
	if (ret)
		goto out_free;
	ret = -pthread_create(&cl->ce_loop.ev_thread, NULL, xr_clnt_thread, cl);
	if (ret) {
		xr_loop_fini(&cl->ce_loop);
		goto out_free;
	}
	cl->ce_loop.ev_running = true;
	ret = xr_clnt_connect(cl);
	if (ret) {
		snprintf(err, errlen, "connect to %s:%u failed: %s",
			 cl->ce_p.cp_addr, cl->ce_p.cp_port, strerror(-ret));
		xr_clnt_destroy(cl);
		return ret;
	}
	*out = cl;
	return 0;

out_free:
	xr_clnt_free(cl);
	return ret;
}

void xr_clnt_destroy(struct xr_clnt *cl)
{
	struct timespec ts;

	if (!cl)
		return;
	pthread_mutex_lock(&cl->ce_loop.ev_lock);
	xr_clnt_drop_conn(cl);
	xr_loop_wake(&cl->ce_loop);
	/* Let the progress thread fail the calls and flush (3 s at most). */
	xr_deadline(&ts, 3000);
	while (cl->ce_state != XR_CL_DOWN) {
		int wret;

		xr_clnt_cv_wait(cl, &ts, &wret);
		if (wret == ETIMEDOUT)
			break;
	}
	cl->ce_loop.ev_stop = true;
	pthread_mutex_unlock(&cl->ce_loop.ev_lock);
	xr_loop_wake(&cl->ce_loop);
	pthread_join(cl->ce_loop.ev_thread, NULL);
	xr_loop_fini(&cl->ce_loop);
	xr_clnt_free(cl);
}
