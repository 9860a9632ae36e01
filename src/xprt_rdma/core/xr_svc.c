/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Server engine: connections, receives, Read-chunk pulls, replies.  How
 * this works (the contract is in xr_svc.h):
 *
 * - One lock (xr_loop.ev_lock) covers the fabric and every structure here.
 *   The progress thread holds it while it polls and processes; it drops it
 *   while sleeping and while running upper-layer callbacks, which it
 *   collects on two lists (calls to deliver, calls to release) during a
 *   round.  Other threads take it in xr_svc_reply()/xr_svc_drop(), post,
 *   and wake the progress thread through the eventfd (the ofi provider
 *   only moves RDMA data while its queues are polled) - on a fabric that
 *   allows posts from any thread (XR_CAP_POST_ANY_THREAD).  On one that
 *   does not (verbs) they queue the answer on sv_postq and the progress
 *   thread, whose credentials never change, posts it (xr_svc_run_postq).
 * - Per connection everything is preallocated, in three steps so that a
 *   peer that never sends pins little: at accept the `credits` receive
 *   buffers (one registration, LOCAL); with the first message the call
 *   contexts and one send buffer per context (credits + slack; one
 *   registration, LOCAL); with the first Read chunk the landing area (one
 *   registration, LOCAL).  A receive that finds no free call context
 *   waits on a backlog list; a call whose chunks do not fit the landing
 *   area right now waits on the pull queue.
 * - Guarding the slots (xr_svc_on_connect_request, xr_svc_timers, both on
 *   the progress thread under the lock): a request beyond sp_max_conns or
 *   sp_max_conns_per_addr is rejected before anything is allocated; once
 *   a second the thread closes connections that sent no acceptable call
 *   within sp_handshake_timeout of their request (headers we drop prove
 *   nothing and allocate nothing: xr_svc_probe_drops), those with a
 *   call waiting on the peer (c_wait_ms: Reads not served, reply not
 *   taken) for sp_peer_timeout, and those idle (no call held by the upper
 * layer, nothing received) for sp_idle_timeout.  Closing is an ordinary
 *   disconnect: the connection is reaped when its operations flushed.
 * - A call's receive buffer is reposted as soon as the reply no longer
 *   needs it: at reply time when the reply does not point into it,
 *   otherwise when the send completes.  Each reply grants
 *   min(posted receives, credits).
 * - Counters live per connection; a reaped connection's counters are
 *   added to sv_retired, so totals survive and leaks show as gauges that
 *   do not return to zero.
 */
#include "xr_svc.h"

#include "xr_cm.h"
#include "xr_core_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XR_SVC_POLL_BATCH 64
/* Refused headers after which a connection is closed (RFC 8166 4.5). */
#define XR_SVC_MAX_BAD_HDRS 32u
#define XR_SVC_MAX_REGS (3u * XR_MSG_MAX_RANGES)
/*
 * Largest reply range copied into the reply's send buffer rather than
 * registered for one reply (xr_svc_small_copy()); xr_core.h names it for
 * cs_reg_small_copies.
 */
#define XR_SVC_SMALL_COPY 64u
/* Chunk/segment storage for any header our limits accept. */
#define XR_SVC_HDR_CHUNKS (XR_MAX_CHUNK_SEGS + XR_MAX_WRITE_CHUNKS + 1u)
#define XR_SVC_HDR_SEGS (XR_MAX_CHUNK_SEGS * (2u + XR_MAX_WRITE_CHUNKS))

/** enum xr_svc_call_state - lifecycle of a call context (see xr_svc.h) */
enum xr_svc_call_state {
	XR_SC_FREE = 0,
	XR_SC_PULLING,	     /* waiting for landing space or RDMA Reads */
	XR_SC_UPPER,	     /* owned by the upper layer */
	XR_SC_SENDING,	     /* reply Writes + Send in flight */
	XR_SC_ERROR_SENDING, /* RDMA_ERROR Send in flight */
};

struct xr_svc_recv {
	struct xr_svc_conn *rv_conn;
	uint32_t rv_index;
	uint32_t rv_len;
	struct xr_svc_recv *rv_next;
};

struct xr_svc_ctx {
	struct xr_svc_call c_pub;
	struct xr_svc_conn *c_conn;
	enum xr_svc_call_state c_state;
	uint32_t c_index;
	struct xr_svc_recv *c_recv;
	struct xr_hdr c_hdr;
	struct xr_chunk c_chunks[XR_SVC_HDR_CHUNKS];
	struct xr_segment c_segs[XR_SVC_HDR_SEGS];
	/* Landing area of the Read chunks, one slice per chunk. */
	uint8_t *c_landing;
	uint64_t c_landing_len;
	uint64_t c_chunk_off[XR_MAX_CHUNK_SEGS];
	uint32_t c_pull_chunk; /* chunk whose reads are being issued */
	struct xr_scatter c_pull;
	struct xr_sge c_pull_sge;
	bool c_pull_started;
	bool c_pull_issued; /* every read posted */
	uint32_t c_ops;	    /* fabric operations outstanding */
	int c_status;
	bool c_upper;	   /* handed to the upper layer: owes sv_on_release */
	bool c_unanswered; /* counted in cn_unanswered */
	bool c_accepted;   /* its header decoded and fit: counts as activity */
	/*
	 * PULLING, SENDING, ERROR_SENDING: since when it waits on the peer
	 * (entry, or the last of its Reads posted or completed).
	 */
	uint64_t c_wait_ms;
	/*
	 * Answered from a thread that may not post (sv_loop_only): queued
	 * on sv_postq with the reply (or a drop) for the progress thread;
	 * the state stays UPPER until then.
	 */
	bool c_queued;
	bool c_queued_drop;
	struct xr_msg c_queued_msg;
	struct xr_reg c_regs[XR_SVC_MAX_REGS];
	uint32_t c_nregs;
	/*
	 * The reply's send buffer, while it is being built: bytes from
	 * c_send_end on are not part of the Send; small ranges are copied
	 * down from c_small_top (xr_svc_small_copy()), never below
	 * c_send_end.  The Send is encoded below c_small_top.
	 */
	uint32_t c_send_end;
	uint32_t c_small_top;
	struct xr_svc_ctx *c_next;
};

/* Largest Write list or Reply chunk a client may offer (bytes). */
#define XR_SVC_MAX_OFFER (64ull * 1024 * 1024)

struct xr_svc_conn {
	struct xr_svc *cn_svc;
	struct xr_ep *cn_ep;
	struct xr_svc_conn *cn_prev, *cn_next;
	struct xr_cm_inline cn_inline;
	uint32_t cn_credits;
	uint32_t cn_nrecv; /* receives: cn_credits + XR_SVC_RECV_SLACK */
	/* Calls received and not answered yet: at most cn_credits. */
	uint32_t cn_unanswered;
	uint32_t cn_bad_hdrs; /* headers refused on this connection */
	struct xr_pool cn_recv_pool;
	struct xr_pool cn_send_pool;
	struct xr_rpool cn_landing;
	struct xr_svc_recv *cn_recvs;
	struct xr_svc_ctx *cn_ctxs;
	uint32_t cn_nctx;
	struct xr_svc_ctx *cn_free;
	struct xr_svc_recv *cn_backlog, *cn_backlog_tail;
	struct xr_svc_recv *cn_repost;
	struct xr_svc_ctx *cn_pull, *cn_pull_tail;
	uint32_t cn_reads_inflight;
	bool cn_pumping; /* inside xr_svc_pump_pulls() */
	uint32_t cn_read_depth;
	uint32_t cn_posted;
	uint32_t cn_live;
	bool cn_dead;
	bool cn_up;
	bool cn_heard;	 /* contexts and send buffers exist */
	bool cn_proven;	 /* a call was accepted: no handshake timer */
	bool cn_closing; /* we closed it (timeout, overrun, garbage): counted
			    once */
	uint64_t cn_born_ms;		 /* connection request, monotonic ms */
	uint64_t cn_active_ms;		 /* last call, reply or call released */
	struct sockaddr_storage cn_peer; /* at the request, for the cap */
	struct xr_hdr_limits cn_limits;
	struct xr_core_stats cn_stats;
	void *cn_upper; /* the upper layer's, see xr_svc_conn_set_ctx */
};

struct xr_svc {
	struct xr_svc_params sv_p;
	struct xr_svc_ops sv_ops;
	void *sv_ctx;
	struct xr_fabric *sv_fab;
	struct xr_listener *sv_lis;
	struct xr_loop sv_loop;
	struct xr_svc_conn *sv_conns;
	uint32_t sv_nconns;
	/*
	 * Memory of the upper layer's registered once (xr_svc_add_area());
	 * an entry is filled before sv_nareas counts it (release/acquire)
	 * and stays until xr_svc_stop().
	 */
	struct xr_svc_area {
		const uint8_t *ar_base;
		size_t ar_len;
		struct xr_reg ar_reg;
	} sv_areas[XR_SVC_MAX_AREAS];
	uint32_t sv_nareas;
	pthread_mutex_t sv_area_lock;	 /* adders against each other; a leaf */
	struct xr_core_stats sv_stats;	 /* engine-level counters */
	struct xr_core_stats sv_retired; /* reaped connections */
	uint64_t sv_per_conn;
	uint64_t sv_now_ms;    /* monotonic ms, taken once per round */
	uint64_t sv_timers_ms; /* when xr_svc_timers() runs next */
	/* Fabric without XR_CAP_POST_ANY_THREAD: only this thread posts. */
	bool sv_loop_only;
	struct xr_svc_ctx *sv_postq, *sv_postq_tail;
	/* Callbacks collected during a round, run without the lock. */
	struct xr_svc_ctx *sv_deliver, *sv_deliver_tail;
	struct xr_svc_ctx *sv_release, *sv_release_tail;
	/* At most one per event and one per completion of a round. */
	struct xr_svc_conn *sv_notify[2 * XR_SVC_POLL_BATCH];
	bool sv_notify_up[2 * XR_SVC_POLL_BATCH];
	uint32_t sv_nnotify;
	/*
	 * Where an unheard connection's first messages are decoded before
	 * anything is allocated for it (progress thread, under the lock).
	 */
	struct xr_hdr sv_probe;
	struct xr_chunk sv_probe_chunks[XR_SVC_HDR_CHUNKS];
	struct xr_segment sv_probe_segs[XR_SVC_HDR_SEGS];
};

static const uint8_t xr_zero_pad[4];

static uint64_t xr_svc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void xr_svc_queue(struct xr_svc_ctx **head, struct xr_svc_ctx **tail,
			 struct xr_svc_ctx *c)
{
	c->c_next = NULL;
	if (*tail)
		(*tail)->c_next = c;
	else
		*head = c;
	*tail = c;
}

/* ---- receives ---------------------------------------------------------- */

static void xr_svc_recv_fill(struct xr_svc_conn *cn, struct xr_svc_recv *rv,
			     struct xr_recv *out)
{
	out->rcv_ctx = rv;
	out->rcv_nsge = 1;
	out->rcv_sge[0].ge_addr = xr_pool_buf(&cn->cn_recv_pool, rv->rv_index);
	out->rcv_sge[0].ge_len = cn->cn_recv_pool.bp_size;
	out->rcv_sge[0].ge_mr = cn->cn_recv_pool.bp_reg.rg_mr;
}

/* Post every receive waiting on cn_repost, in batches. */
static void xr_svc_flush_reposts(struct xr_svc_conn *cn)
{
	struct xr_recv batch[32];
	uint32_t n = 0, posted, i;
	struct xr_svc_recv *rv;
	int ret;

	while (cn->cn_repost || n) {
		while (cn->cn_repost && n < 32) {
			rv = cn->cn_repost;
			cn->cn_repost = rv->rv_next;
			xr_svc_recv_fill(cn, rv, &batch[n++]);
		}
		if (cn->cn_dead) {
			n = 0;
			continue;
		}
		ret = xr_post_recvs(cn->cn_ep, batch, n, &posted);
		cn->cn_posted += posted;
		cn->cn_stats.cs_recvs_posted += posted;
		if (ret) {
			cn->cn_stats.cs_err_post++;
			for (i = posted; i < n; i++) {
				rv = batch[i].rcv_ctx;
				rv->rv_next = cn->cn_repost;
				cn->cn_repost = rv;
			}
			return;
		}
		n = 0;
	}
}

static void xr_svc_repost(struct xr_svc_conn *cn, struct xr_svc_recv *rv)
{
	rv->rv_next = cn->cn_repost;
	cn->cn_repost = rv;
}

/* ---- call contexts ----------------------------------------------------- */

/*
 * The client may send another call once this one is answered (or will
 * never be: dropped, refused).  Called before the answer can reach it.
 */
static void xr_svc_answered(struct xr_svc_ctx *c)
{
	if (!c->c_unanswered)
		return;
	c->c_unanswered = false;
	c->c_conn->cn_unanswered--;
}

static void xr_svc_drop_conn(struct xr_svc_conn *cn)
{
	if (!cn->cn_dead)
		xr_disconnect(cn->cn_ep);
}

static void xr_svc_pump_pulls(struct xr_svc_conn *cn);

/*
 * The call is finished: undo its registrations and landing space, give
 * the receive back, queue sv_on_release if the upper layer saw it.
 */
static void xr_svc_release(struct xr_svc_ctx *c, int status)
{
	struct xr_svc_conn *cn = c->c_conn;
	struct xr_svc *svc = cn->cn_svc;
	bool upper_saw = c->c_upper;
	uint32_t i;

	xr_svc_answered(c);
	for (i = 0; i < c->c_nregs; i++)
		xr_core_dereg(&cn->cn_stats, &c->c_regs[i]);
	c->c_nregs = 0;
	if (c->c_landing) {
		xr_rpool_free(&cn->cn_landing, c->c_landing, c->c_landing_len);
		c->c_landing = NULL;
		/*
		 * Calls queued for landing space may fit now; nothing else
		 * would wake them if no other call is in flight.
		 */
		if (cn->cn_pull && !cn->cn_pumping)
			xr_svc_pump_pulls(cn);
	}
	if (c->c_recv) {
		xr_svc_repost(cn, c->c_recv);
		c->c_recv = NULL;
	}
	c->c_status = status;
	c->c_state = XR_SC_FREE;
	/* A refused or dropped header is no sign of life. */
	if (c->c_accepted)
		cn->cn_active_ms = svc->sv_now_ms;
	c->c_accepted = false;
	cn->cn_stats.cs_calls_live--;
	if (upper_saw) {
		/* Back on the free list after sv_on_release has run. */
		xr_svc_queue(&svc->sv_release, &svc->sv_release_tail, c);
		return;
	}
	cn->cn_live--;
	c->c_next = cn->cn_free;
	cn->cn_free = c;
}

static void xr_svc_send_error(struct xr_svc_ctx *c, enum xr_hdr_action act)
{
	struct xr_svc_conn *cn = c->c_conn;
	uint8_t *buf = xr_pool_buf(&cn->cn_send_pool, c->c_index);
	uint32_t grant = xr_credits_to_grant(cn->cn_posted, cn->cn_credits);
	struct xr_sge sge;
	ssize_t len;
	int ret;

	xr_svc_answered(c);
	if (act == XR_ACT_ERR_VERS) {
		len = xr_hdr_encode_err_vers(
		    c->c_hdr.h_xid, grant, XR_RPCRDMA_VERSION,
		    XR_RPCRDMA_VERSION, buf, cn->cn_send_pool.bp_size);
		cn->cn_stats.cs_err_vers_sent++;
	} else {
		len = xr_hdr_encode_err_chunk(c->c_hdr.h_xid, grant, buf,
					      cn->cn_send_pool.bp_size);
		cn->cn_stats.cs_err_chunk_sent++;
	}
	if (len < 0)
		goto out_release;
	sge =
	    (struct xr_sge){buf, (uint32_t)len, cn->cn_send_pool.bp_reg.rg_mr};
	ret = xr_post_send(cn->cn_ep, &sge, 1, false, 0, c);
	if (ret) {
		cn->cn_stats.cs_err_post++;
		goto out_release;
	}
	c->c_state = XR_SC_ERROR_SENDING;
	c->c_ops = 1;
	/* May run in xr_svc_reply(), where sv_now_ms can be a round old. */
	c->c_wait_ms = xr_svc_now_ms();
	return;

out_release:
	xr_svc_release(c, c->c_status ? c->c_status : -EIO);
}

/*
 * Where Read chunk @i lands.  Chunks of 0 bytes in total never touch the
 * landing area (it may not exist): their ranges point at a static empty
 * spot.
 */
static uint8_t *xr_svc_slice(struct xr_svc_ctx *c, uint32_t i)
{
	if (!c->c_landing)
		return (uint8_t *)xr_zero_pad;
	return c->c_landing + c->c_chunk_off[i];
}

/* Lay the call out as ranges in XDR order and hand it over. */
static int xr_svc_build_call(struct xr_svc_ctx *c)
{
	struct xr_svc_conn *cn = c->c_conn;
	struct xr_svc_call *pub = &c->c_pub;
	const struct xr_hdr *h = &c->c_hdr;
	const uint8_t *base;
	uint64_t base_len, cursor = 0;
	uint32_t i, n = 0;

	if (h->h_proc == XR_RDMA_NOMSG && h->h_has_call_chunk) {
		base = xr_svc_slice(c, 0);
		base_len = xr_hdr_read_chunk(h, 0)->ch_length;
	} else {
		base = xr_pool_buf(&cn->cn_recv_pool, c->c_recv->rv_index) +
		       h->h_msg_offset;
		base_len = h->h_msg_len;
	}
	pub->ac_nchunks = 0;
	for (i = h->h_has_call_chunk ? 1 : 0; i < h->h_nread; i++) {
		const struct xr_chunk *ch = xr_hdr_read_chunk(h, i);

		if (ch->ch_inline_offset < cursor ||
		    ch->ch_inline_offset > base_len)
			return -EBADMSG;
		if (ch->ch_inline_offset > cursor)
			pub->ac_msg[n++] =
			    (struct iovec){(void *)(base + cursor),
					   ch->ch_inline_offset - cursor};
		pub->ac_chunk_range[pub->ac_nchunks++] = n;
		pub->ac_msg[n++] =
		    (struct iovec){xr_svc_slice(c, i), ch->ch_length};
		if (xr_xdr_pad(ch->ch_length))
			pub->ac_msg[n++] = (struct iovec){
			    (void *)xr_zero_pad, xr_xdr_pad(ch->ch_length)};
		cursor = ch->ch_inline_offset;
	}
	if (base_len > cursor)
		pub->ac_msg[n++] =
		    (struct iovec){(void *)(base + cursor), base_len - cursor};
	pub->ac_nmsg = n;
	pub->ac_msg_len = xr_iov_len(pub->ac_msg, n);
	return 0;
}

static void xr_svc_deliver(struct xr_svc_ctx *c)
{
	struct xr_svc *svc = c->c_conn->cn_svc;

	if (xr_svc_build_call(c)) {
		xr_svc_send_error(c, XR_ACT_ERR_CHUNK);
		return;
	}
	c->c_state = XR_SC_UPPER;
	c->c_upper = true;
	xr_svc_queue(&svc->sv_deliver, &svc->sv_deliver_tail, c);
}

/*
 * Every Read of a PULLING call is issued and none is in flight: deliver it,
 * or release it when a Read failed or the connection is gone.  The one
 * way out of PULLING, whether the last Read completed just now or no Read
 * was needed at all (chunks of 0 bytes).
 */
static void xr_svc_pulled(struct xr_svc_ctx *c)
{
	struct xr_svc_conn *cn = c->c_conn;

	if (c->c_status || cn->cn_dead)
		xr_svc_release(c, c->c_status ? c->c_status : -ENOTCONN);
	else
		xr_svc_deliver(c);
}

/*
 * Issue RDMA Reads for the head of the pull queue while the read depth
 * allows; calls whose landing space is not free yet wait in order.
 */
static void xr_svc_do_pump_pulls(struct xr_svc_conn *cn);

static void xr_svc_pump_pulls(struct xr_svc_conn *cn)
{
	cn->cn_pumping = true;
	xr_svc_do_pump_pulls(cn);
	cn->cn_pumping = false;
}

static void xr_svc_do_pump_pulls(struct xr_svc_conn *cn)
{
	struct xr_svc_ctx *c;
	struct xr_sge sge[XR_MAX_SGE];
	uint32_t nsge, segi;
	uint64_t roff;
	int64_t got;
	int ret;

	while ((c = cn->cn_pull) && !cn->cn_dead) {
		if (c->c_landing_len && !c->c_landing) {
			/*
			 * The first Read chunk with bytes in it earns the
			 * landing area; chunks of 0 bytes never need it.
			 */
			if (!cn->cn_landing.pp_base &&
			    xr_rpool_init(&cn->cn_landing, cn->cn_svc->sv_fab,
					  &cn->cn_stats,
					  cn->cn_svc->sv_p.sp_read_pool,
					  XR_ACCESS_LOCAL))
				goto out_fail;
			c->c_landing =
			    xr_rpool_alloc(&cn->cn_landing, c->c_landing_len);
			if (!c->c_landing)
				return;
		}
		while (!c->c_pull_issued &&
		       cn->cn_reads_inflight < cn->cn_read_depth) {
			const struct xr_chunk *ch =
			    xr_hdr_read_chunk(&c->c_hdr, c->c_pull_chunk);

			if (!c->c_pull_started) {
				c->c_pull_sge = (struct xr_sge){
				    xr_svc_slice(c, c->c_pull_chunk),
				    (uint32_t)ch->ch_length,
				    cn->cn_landing.pp_reg.rg_mr};
				xr_scatter_init(&c->c_pull, &c->c_pull_sge, 1,
						xr_chunk_seg(&c->c_hdr, ch, 0),
						ch->ch_nsegs);
				c->c_pull_started = true;
			}
			got = xr_scatter_next(&c->c_pull, sge, &nsge, &segi,
					      &roff);
			if (got == 0) {
				c->c_pull_started = false;
				if (++c->c_pull_chunk == c->c_hdr.h_nread)
					c->c_pull_issued = true;
				continue;
			}
			if (got < 0)
				goto out_fail;
			ret = xr_post_read(
			    cn->cn_ep, sge, nsge, roff,
			    xr_chunk_seg(&c->c_hdr, ch, segi)->seg_handle, c);
			if (ret) {
				cn->cn_stats.cs_err_post++;
				goto out_fail;
			}
			c->c_ops++;
			c->c_wait_ms = cn->cn_svc->sv_now_ms;
			cn->cn_reads_inflight++;
			cn->cn_stats.cs_rdma_read_ops++;
			cn->cn_stats.cs_rdma_read_bytes += (uint64_t)got;
		}
		if (!c->c_pull_issued)
			return;
		cn->cn_pull = c->c_next;
		if (!cn->cn_pull)
			cn->cn_pull_tail = NULL;
		/*
		 * Chunks of 0 bytes post no Read, so no completion would
		 * move the call on: it leaves the pull stage here.
		 */
		if (!c->c_ops)
			xr_svc_pulled(c);
	}
	return;

out_fail:
	/* Reads already posted will flush once the connection is down. */
	c->c_status = -EIO;
	c->c_pull_issued = true;
	xr_svc_drop_conn(cn);
}

/* Check a decoded call against our own limits; returns true if usable. */
static bool xr_svc_call_fits(struct xr_svc_ctx *c)
{
	struct xr_svc_conn *cn = c->c_conn;
	struct xr_svc *svc = cn->cn_svc;
	const struct xr_hdr *h = &c->c_hdr;
	uint64_t total = 0, msg = h->h_msg_len;
	uint32_t i, data_chunks = 0;

	if (h->h_nread > XR_MAX_CHUNK_SEGS)
		return false;
	for (i = 0; i < h->h_nread; i++) {
		const struct xr_chunk *ch = xr_hdr_read_chunk(h, i);

		c->c_chunk_off[i] = total;
		/* Each slice starts 8-aligned for the upper layer's decode. */
		total += (ch->ch_length + 7) & ~7ull;
		if (ch->ch_position)
			data_chunks++;
		msg += ch->ch_length;
	}
	if (data_chunks > XR_MAX_READ_CHUNKS)
		return false;
	if (msg > svc->sv_p.sp_max_request)
		return false;
	/* The landing area may not exist yet: compare with its size. */
	if (total > svc->sv_p.sp_read_pool)
		return false;
	c->c_landing_len = total;
	return true;
}

/* A peer that keeps sending garbage loses its connection. */
static void xr_svc_bad_hdr(struct xr_svc_conn *cn)
{
	if (++cn->cn_bad_hdrs == XR_SVC_MAX_BAD_HDRS && !cn->cn_closing) {
		cn->cn_closing = true;
		cn->cn_stats.cs_closed_malformed++;
		xr_svc_drop_conn(cn);
	}
}

static void xr_svc_start_call(struct xr_svc_ctx *c, struct xr_svc_recv *rv)
{
	struct xr_svc_conn *cn = c->c_conn;
	struct xr_svc_call *pub = &c->c_pub;
	const uint8_t *buf = xr_pool_buf(&cn->cn_recv_pool, rv->rv_index);
	enum xr_hdr_reason reason;
	enum xr_hdr_action act;
	const struct xr_chunk *ch;
	uint32_t i;

	c->c_recv = rv;
	c->c_state = XR_SC_PULLING;
	c->c_wait_ms = cn->cn_svc->sv_now_ms;
	c->c_upper = false;
	c->c_accepted = false;
	c->c_status = 0;
	c->c_ops = 0;
	c->c_nregs = 0;
	c->c_landing = NULL;
	c->c_pull_chunk = 0;
	c->c_pull_started = false;
	c->c_pull_issued = false;
	c->c_unanswered = true; /* counted when received */
	cn->cn_live++;
	cn->cn_stats.cs_calls_live++;
	xr_hdr_init(&c->c_hdr, c->c_chunks, XR_SVC_HDR_CHUNKS, c->c_segs,
		    XR_SVC_HDR_SEGS);
	if (xr_hdr_decode(buf, rv->rv_len, &cn->cn_limits, &c->c_hdr,
			  &reason)) {
		act = xr_hdr_action(reason, XR_DIR_CALL);
		xr_svc_bad_hdr(cn);
		if (act == XR_ACT_DROP) {
			cn->cn_stats.cs_err_hdr_dropped++;
			xr_svc_release(c, -EBADMSG);
			return;
		}
		xr_svc_send_error(c, act);
		return;
	}
	if (!xr_svc_call_fits(c)) {
		xr_svc_send_error(c, XR_ACT_ERR_CHUNK);
		return;
	}
	/* Only an accepted call proves a connection and counts as activity. */
	c->c_accepted = true;
	cn->cn_proven = true;
	cn->cn_active_ms = cn->cn_svc->sv_now_ms;
	cn->cn_stats.cs_calls++;
	memset(pub, 0, sizeof(*pub));
	pub->ac_conn = cn;
	pub->ac_xid = c->c_hdr.h_xid;
	pub->ac_nwrite = c->c_hdr.h_nwrite;
	for (i = 0; i < c->c_hdr.h_nwrite; i++)
		pub->ac_write_chunks[i] =
		    xr_hdr_write_chunk(&c->c_hdr, i)->ch_length;
	ch = xr_hdr_reply_chunk(&c->c_hdr);
	pub->ac_reply_chunk_len = ch ? ch->ch_length : 0;

	if (!c->c_hdr.h_nread) {
		cn->cn_stats.cs_inline_calls++;
		xr_svc_deliver(c);
		return;
	}
	if (c->c_hdr.h_has_call_chunk)
		cn->cn_stats.cs_pos_zero_calls++;
	if (c->c_hdr.h_nread > (c->c_hdr.h_has_call_chunk ? 1u : 0u))
		cn->cn_stats.cs_read_chunk_calls++;
	if (cn->cn_pull_tail)
		cn->cn_pull_tail->c_next = c;
	else
		cn->cn_pull = c;
	cn->cn_pull_tail = c;
	c->c_next = NULL;
	xr_svc_pump_pulls(cn);
}

/* ---- completions ------------------------------------------------------- */

static void xr_svc_ctx_op_done(struct xr_svc_ctx *c, int status)
{
	struct xr_svc_conn *cn = c->c_conn;

	if (status && !c->c_status)
		c->c_status = status;
	if (--c->c_ops)
		return;
	switch (c->c_state) {
	case XR_SC_PULLING:
		if (!c->c_pull_issued)
			return; /* more reads to issue */
		xr_svc_pulled(c);
		break;
	case XR_SC_SENDING:
		if (!c->c_status)
			cn->cn_stats.cs_replies++;
		xr_svc_release(c, c->c_status);
		break;
	case XR_SC_ERROR_SENDING:
		xr_svc_release(c, c->c_status ? c->c_status : -EPROTO);
		break;
	default:
		break;
	}
}

static void xr_svc_mark_up(struct xr_svc_conn *cn);

/*
 * The connection's first message: only now does it get its call contexts
 * (~3 KiB each) and their send buffers.  cn_nctx stays 0 until both
 * exist, so nothing walks contexts that are not there.  Returns 0,
 * -ENOMEM, or the pool's -EIO.
 */
static int xr_svc_conn_prove(struct xr_svc_conn *cn)
{
	struct xr_svc *svc = cn->cn_svc;
	uint32_t credits = cn->cn_credits;
	uint32_t nctx = credits + credits / 4 + 4, i;
	int ret;

	/* ~500 KiB at the defaults: a mapping of its own (xr_region_alloc) */
	cn->cn_ctxs = xr_region_alloc(nctx * sizeof(*cn->cn_ctxs));
	if (!cn->cn_ctxs)
		return -ENOMEM;
	ret = xr_pool_init(&cn->cn_send_pool, svc->sv_fab, &cn->cn_stats, nctx,
			   svc->sv_p.sp_inline, XR_ACCESS_LOCAL);
	if (ret) {
		xr_region_free(cn->cn_ctxs, nctx * sizeof(*cn->cn_ctxs));
		cn->cn_ctxs = NULL;
		return ret;
	}
	for (i = nctx; i-- > 0;) {
		cn->cn_ctxs[i].c_conn = cn;
		cn->cn_ctxs[i].c_index = i;
		cn->cn_ctxs[i].c_next = cn->cn_free;
		cn->cn_free = &cn->cn_ctxs[i];
	}
	cn->cn_nctx = nctx;
	cn->cn_heard = true;
	return 0;
}

/*
 * A message on a connection that has none of its call contexts yet: a
 * header we would drop unanswered costs nothing - it is counted, its
 * receive goes back, and nothing is allocated (garbage proves nothing).
 * Returns true when it was dropped so.  Anything else (a call, or a
 * header answered with RDMA_ERROR, which needs a send buffer) goes on.
 */
static bool xr_svc_probe_drops(struct xr_svc_conn *cn, struct xr_svc_recv *rv)
{
	struct xr_svc *svc = cn->cn_svc;
	enum xr_hdr_reason reason;

	xr_hdr_init(&svc->sv_probe, svc->sv_probe_chunks, XR_SVC_HDR_CHUNKS,
		    svc->sv_probe_segs, XR_SVC_HDR_SEGS);
	if (!xr_hdr_decode(xr_pool_buf(&cn->cn_recv_pool, rv->rv_index),
			   rv->rv_len, &cn->cn_limits, &svc->sv_probe, &reason))
		return false;
	if (xr_hdr_action(reason, XR_DIR_CALL) != XR_ACT_DROP)
		return false;
	cn->cn_stats.cs_err_hdr_dropped++;
	cn->cn_unanswered--; /* counted at receipt; nothing will answer */
	xr_svc_bad_hdr(cn);
	xr_svc_repost(cn, rv);
	return true;
}

static void xr_svc_on_recv(struct xr_svc_conn *cn, struct xr_svc_recv *rv,
			   const struct xr_completion *wc)
{
	struct xr_svc_ctx *c;

	cn->cn_posted--;
	cn->cn_stats.cs_recvs_posted--;
	if (wc->xc_status || cn->cn_dead || cn->cn_closing) {
		if (wc->xc_status && wc->xc_status != -ECANCELED)
			cn->cn_stats.cs_err_completion++;
		return;
	}
	/*
	 * RFC 8166 3.3.1: a requester has at most the credits granted
	 * outstanding.  Replies are counted before they are posted, so a
	 * call beyond cn_credits was sent before the client could have any
	 * grant for it.  Close the connection: waiting for receives would
	 * let one client hold the progress loop.
	 */
	if (cn->cn_unanswered >= cn->cn_credits) {
		cn->cn_closing = true;
		cn->cn_stats.cs_closed_credit_overrun++;
		xr_svc_drop_conn(cn);
		return;
	}
	cn->cn_unanswered++;
	/* Data can be polled before the ESTABLISHED event is read. */
	xr_svc_mark_up(cn);
	rv->rv_len = wc->xc_len;
	if (!cn->cn_heard) {
		if (xr_svc_probe_drops(cn, rv))
			return;
		if (xr_svc_conn_prove(cn)) {
			xr_svc_drop_conn(cn);
			return;
		}
	}
	c = cn->cn_free;
	if (!c) {
		rv->rv_next = NULL;
		if (cn->cn_backlog_tail)
			cn->cn_backlog_tail->rv_next = rv;
		else
			cn->cn_backlog = rv;
		cn->cn_backlog_tail = rv;
		return;
	}
	cn->cn_free = c->c_next;
	xr_svc_start_call(c, rv);
}

static void xr_svc_completion(struct xr_svc *svc,
			      const struct xr_completion *wc)
{
	struct xr_svc_conn *cn = xr_ep_context(wc->xc_ep);
	struct xr_svc_ctx *c;

	if (wc->xc_status && wc->xc_status != -ECANCELED)
		xr_svc_drop_conn(cn);
	if (wc->xc_op == XR_OP_RECV) {
		xr_svc_on_recv(cn, wc->xc_ctx, wc);
		return;
	}
	c = wc->xc_ctx;
	if (wc->xc_status && wc->xc_status != -ECANCELED)
		cn->cn_stats.cs_err_completion++;
	if (wc->xc_op == XR_OP_READ) {
		cn->cn_reads_inflight--;
		c->c_wait_ms = svc->sv_now_ms; /* the peer served one */
	}
	xr_svc_ctx_op_done(c, wc->xc_status);
	if (wc->xc_op == XR_OP_READ)
		xr_svc_pump_pulls(cn);
}

/* Start calls from the backlog while call contexts are free. */
static void xr_svc_run_backlog(struct xr_svc_conn *cn)
{
	struct xr_svc_recv *rv;
	struct xr_svc_ctx *c;

	while (cn->cn_backlog && cn->cn_free && !cn->cn_dead) {
		rv = cn->cn_backlog;
		cn->cn_backlog = rv->rv_next;
		if (!cn->cn_backlog)
			cn->cn_backlog_tail = NULL;
		c = cn->cn_free;
		cn->cn_free = c->c_next;
		xr_svc_start_call(c, rv);
	}
}

/* ---- connections ------------------------------------------------------- */

static void xr_svc_conn_free(struct xr_svc_conn *cn)
{
	struct xr_svc *svc = cn->cn_svc;

	if (cn->cn_ep)
		xr_ep_destroy(cn->cn_ep);
	xr_pool_fini(&cn->cn_recv_pool, &cn->cn_stats);
	xr_pool_fini(&cn->cn_send_pool, &cn->cn_stats);
	xr_rpool_fini(&cn->cn_landing, &cn->cn_stats);
	cn->cn_stats.cs_recvs_posted -= cn->cn_posted;
	xr_stats_add(&svc->sv_retired, &cn->cn_stats);
	free(cn->cn_recvs);
	xr_region_free(cn->cn_ctxs, cn->cn_nctx * sizeof(*cn->cn_ctxs));
	free(cn);
}

static void xr_svc_unlink(struct xr_svc_conn *cn)
{
	struct xr_svc *svc = cn->cn_svc;

	if (cn->cn_prev)
		cn->cn_prev->cn_next = cn->cn_next;
	else
		svc->sv_conns = cn->cn_next;
	if (cn->cn_next)
		cn->cn_next->cn_prev = cn->cn_prev;
	svc->sv_nconns--;
	svc->sv_stats.cs_connections--;
}

static int xr_svc_conn_alloc(struct xr_svc *svc, const struct xr_cm_inline *ci,
			     struct xr_svc_conn **out)
{
	struct xr_svc_params *p = &svc->sv_p;
	uint32_t credits = p->sp_credits, i;
	struct xr_svc_conn *cn;
	int ret;

	cn = calloc(1, sizeof(*cn));
	if (!cn)
		return -ENOMEM;
	cn->cn_svc = svc;
	cn->cn_inline = *ci;
	cn->cn_credits = credits;
	cn->cn_nrecv = credits + XR_SVC_RECV_SLACK;
	cn->cn_read_depth = 16;
	cn->cn_recvs = calloc(cn->cn_nrecv, sizeof(*cn->cn_recvs));
	if (!cn->cn_recvs) {
		ret = -ENOMEM;
		goto out_free;
	}
	/*
	 * Call contexts, send buffers and the landing area wait for the
	 * first message (xr_svc_conn_prove) and the first Read chunk.
	 */
	ret = xr_pool_init(&cn->cn_recv_pool, svc->sv_fab, &cn->cn_stats,
			   cn->cn_nrecv, p->sp_inline, XR_ACCESS_LOCAL);
	if (ret)
		goto out_free;
	for (i = 0; i < cn->cn_nrecv; i++) {
		cn->cn_recvs[i].rv_conn = cn;
		cn->cn_recvs[i].rv_index = i;
	}
	/*
	 * The codec's bound applies to every list.  Read chunks are bounded
	 * again by sp_max_request before anything is pulled; Write and Reply
	 * chunks are only offers (a client sizes its Reply chunk to its own
	 * largest reply, e.g. 1 MiB + headers), of which we use at most
	 * sp_max_response.  So refuse only absurd offers here.
	 */
	xr_core_limits(&cn->cn_limits, XR_DIR_CALL, XR_SVC_MAX_OFFER,
		       p->sp_inline);
	*out = cn;
	return 0;

out_free:
	free(cn->cn_recvs);
	free(cn);
	return ret;
}

/*
 * The bucket of the per-address cap a peer address falls in: an IPv4
 * address (IPv4-mapped IPv6 ones included) or an IPv6 /64 - what one
 * host (or one site's prefix: hosts get /64s, and SLAAC or privacy
 * addresses give one host any number of addresses in its /64) can use.
 * Returns false for any other family: a backend that cannot tell the
 * requester (verbs leaves AF_IB peers AF_UNSPEC) must not put every such
 * client in one bucket, where one of them would lock the others out;
 * those connections are bounded by sp_max_conns only.
 */
static bool xr_svc_addr_key(const struct sockaddr_storage *a, uint8_t key[9])
{
	/* ::ffff:0:0/96 */
	static const uint8_t v4mapped[12] = {[10] = 0xff, [11] = 0xff};
	const struct sockaddr_in *a4 = (const void *)a;
	const struct sockaddr_in6 *a6 = (const void *)a;
	const uint8_t *b6 = a6->sin6_addr.s6_addr;

	memset(key, 0, 9);
	if (a->ss_family == AF_INET) {
		memcpy(key + 1, &a4->sin_addr.s_addr, 4);
		return true;
	}
	if (a->ss_family != AF_INET6)
		return false;
	if (!memcmp(b6, v4mapped, sizeof(v4mapped))) {
		memcpy(key + 1, b6 + 12, 4);
		return true;
	}
	key[0] = 6;
	memcpy(key + 1, b6, 8);
	return true;
}

/*
 * Connections in @key's bucket (see xr_svc_addr_key), dead ones not yet
 * reaped included: they still hold their buffers.
 */
static uint32_t xr_svc_conns_from(const struct xr_svc *svc,
				  const uint8_t key[9])
{
	const struct xr_svc_conn *cn;
	uint8_t other[9];
	uint32_t n = 0;

	for (cn = svc->sv_conns; cn; cn = cn->cn_next)
		if (xr_svc_addr_key(&cn->cn_peer, other) &&
		    !memcmp(key, other, sizeof(other)))
			n++;
	return n;
}

static void xr_svc_on_connect_request(struct xr_svc *svc,
				      const struct xr_event *ev)
{
	struct xr_svc_params *p = &svc->sv_p;
	struct xr_cm_private mine = {0}, peer;
	struct xr_cm_inline ci;
	struct xr_recv *pre = NULL;
	struct xr_svc_conn *cn = NULL;
	struct xr_ep_attr attr;
	uint8_t pdata[XR_CM_PRIVATE_BYTES], key[9];
	uint32_t i;
	int ret;

	if (svc->sv_nconns >= p->sp_max_conns || svc->sv_loop.ev_stop)
		goto out_reject;
	if (p->sp_max_conns_per_addr && xr_svc_addr_key(&ev->xv_peer, key) &&
	    xr_svc_conns_from(svc, key) >= p->sp_max_conns_per_addr) {
		svc->sv_stats.cs_err_refused_per_addr++;
		goto out_reject;
	}
	xr_cm_decode(ev->xv_pdata,
		     ev->xv_pdata_len < XR_PDATA_MAX ? ev->xv_pdata_len
						     : XR_PDATA_MAX,
		     &peer);
	mine.pd_send_size = xr_cm_size_advertised(p->sp_inline);
	mine.pd_recv_size = mine.pd_send_size;
	if (xr_cm_negotiate(&mine, &peer, &ci) ||
	    xr_cm_encode(&mine, pdata, sizeof(pdata)) < 0)
		goto out_reject;
	if (xr_ep_attr_from_credits(p->sp_credits, &attr))
		goto out_reject;
	/* Room for the extra sends of the slack call contexts. */
	attr.xea_send_depth += p->sp_credits / 4 + 4;
	attr.xea_recv_depth += XR_SVC_RECV_SLACK;
	if (xr_svc_conn_alloc(svc, &ci, &cn))
		goto out_reject;
	cn->cn_peer = ev->xv_peer;
	cn->cn_born_ms = cn->cn_active_ms = svc->sv_now_ms;
	pre = calloc(cn->cn_nrecv, sizeof(*pre));
	if (!pre)
		goto out_conn;
	for (i = 0; i < cn->cn_nrecv; i++)
		xr_svc_recv_fill(cn, &cn->cn_recvs[i], &pre[i]);
	ret = xr_accept(ev->xv_req, &attr, pre, cn->cn_nrecv, pdata,
			sizeof(pdata), cn, &cn->cn_ep);
	free(pre);
	if (ret) {
		svc->sv_stats.cs_err_refused_conns++;
		cn->cn_ep = NULL;
		xr_svc_conn_free(cn);
		return;
	}
	cn->cn_posted = cn->cn_nrecv;
	cn->cn_stats.cs_recvs_posted = cn->cn_nrecv;
	cn->cn_next = svc->sv_conns;
	if (svc->sv_conns)
		svc->sv_conns->cn_prev = cn;
	svc->sv_conns = cn;
	svc->sv_nconns++;
	svc->sv_stats.cs_connections++;
	svc->sv_stats.cs_connections_total++;
	return;

out_conn:
	xr_svc_conn_free(cn);
out_reject:
	svc->sv_stats.cs_err_refused_conns++;
	xr_reject(ev->xv_req, NULL, 0);
}

static void xr_svc_notify(struct xr_svc *svc, struct xr_svc_conn *cn, bool up)
{
	if (svc->sv_nnotify < 2 * XR_SVC_POLL_BATCH) {
		svc->sv_notify[svc->sv_nnotify] = cn;
		svc->sv_notify_up[svc->sv_nnotify++] = up;
	}
}

/* First sign of life: the upper layer hears of it before any call. */
static void xr_svc_mark_up(struct xr_svc_conn *cn)
{
	if (cn->cn_up || cn->cn_dead)
		return;
	cn->cn_up = true;
	xr_svc_notify(cn->cn_svc, cn, true);
}

/* The connection is gone: release what waits on nothing but it. */
static void xr_svc_conn_dead(struct xr_svc_conn *cn)
{
	struct xr_svc_ctx *c, *next;

	if (cn->cn_dead)
		return;
	cn->cn_dead = true;
	cn->cn_stats.cs_conn_lost++;
	if (cn->cn_up)
		xr_svc_notify(cn->cn_svc, cn, false);
	cn->cn_backlog = cn->cn_backlog_tail = NULL;
	cn->cn_repost = NULL;
	/* Pulls that never posted a read have nothing to flush. */
	for (c = cn->cn_pull; c; c = next) {
		next = c->c_next;
		if (!c->c_ops) {
			c->c_pull_issued = true;
			xr_svc_release(c, -ENOTCONN);
		} else {
			c->c_pull_issued = true;
		}
	}
	cn->cn_pull = cn->cn_pull_tail = NULL;
}

static void xr_svc_on_event(struct xr_svc *svc, const struct xr_event *ev)
{
	struct xr_svc_conn *cn;

	switch (ev->xv_type) {
	case XR_EV_CONNECT_REQUEST:
		xr_svc_on_connect_request(svc, ev);
		return;
	case XR_EV_ESTABLISHED:
		xr_svc_mark_up(xr_ep_context(ev->xv_ep));
		return;
	case XR_EV_DISCONNECTED:
	case XR_EV_ERROR:
	case XR_EV_REJECTED:
		xr_svc_conn_dead(xr_ep_context(ev->xv_ep));
		return;
	case XR_EV_DEVICE_REMOVAL:
		for (cn = svc->sv_conns; cn; cn = cn->cn_next)
			xr_svc_drop_conn(cn);
		return;
	}
}

/* Free dead connections whose calls and operations are all back. */
static void xr_svc_reap(struct xr_svc *svc)
{
	struct xr_svc_conn *cn, *next;

	for (cn = svc->sv_conns; cn; cn = next) {
		next = cn->cn_next;
		if (!cn->cn_dead || cn->cn_live || xr_ep_outstanding(cn->cn_ep))
			continue;
		xr_svc_unlink(cn);
		xr_svc_conn_free(cn);
	}
}

/*
 * What a proven connection's calls are doing: whether the upper layer (the
 * server's own work) holds one, and the oldest moment one of them started
 * waiting on the peer - Reads not served, a reply or RDMA_ERROR not
 * taken (UINT64_MAX: none waits).  A PULLING call with no Read in flight
 * waits for landing space or read depth, that is for other calls, which
 * are looked at themselves.
 */
static uint64_t xr_svc_oldest_wait(const struct xr_svc_conn *cn, bool *upper)
{
	uint64_t oldest = UINT64_MAX;
	const struct xr_svc_ctx *c;
	uint32_t i;

	*upper = false;
	for (i = 0; i < cn->cn_nctx; i++) {
		c = &cn->cn_ctxs[i];
		switch (c->c_state) {
		case XR_SC_UPPER:
			*upper = true;
			break;
		case XR_SC_PULLING:
			if (!c->c_ops)
				break;
			/* fall through */
		case XR_SC_SENDING:
		case XR_SC_ERROR_SENDING:
			if (c->c_wait_ms < oldest)
				oldest = c->c_wait_ms;
			break;
		default:
			break;
		}
	}
	return oldest;
}

/*
 * At most once a second: close connections that sent nothing within the
 * handshake timeout of their request; those with a call that has waited
 * on the peer for the peer timeout (a peer that stops reading keeps its
 * reply's Send in flight for good on ofi, and on verbs until the RNR
 * retries run out; one that never serves a Read on ofi keeps the call
 * PULLING), whatever else they have in progress; and those idle - no
 * call held by the upper layer, nothing received - for the idle timeout.
 * Only the upper layer's work exempts a connection from the idle check:
 * calls waiting on the peer do not.  A close is a disconnect;
 * xr_svc_reap() frees the connection once its operations have flushed.
 * On verbs a connection the peer never completed cannot be disconnected
 * yet: the CM ends it with an error event of its own (its REP retries
 * time out).
 */
static void xr_svc_timers(struct xr_svc *svc)
{
	const struct xr_svc_params *p = &svc->sv_p;
	/*
	 * A fresh reading, not the round's sv_now_ms: replies made while
	 * the callbacks ran without the lock stamped cn_active_ms and
	 * c_wait_ms from the clock after sv_now_ms was taken, and an
	 * unsigned "now - then" of a later stamp wraps to a huge age (an
	 * active connection was closed as idle).  Every stamp is written
	 * under ev_lock, which is held here, so none is later than this.
	 */
	uint64_t now = xr_svc_now_ms(), oldest;
	struct xr_svc_conn *cn;
	bool upper;

	if (now < svc->sv_timers_ms)
		return;
	svc->sv_timers_ms = now + 1000;
	for (cn = svc->sv_conns; cn; cn = cn->cn_next) {
		if (cn->cn_dead || cn->cn_closing)
			continue;
		if (!cn->cn_proven) {
			if (!p->sp_handshake_timeout || now < cn->cn_born_ms ||
			    now - cn->cn_born_ms <
				p->sp_handshake_timeout * 1000ull)
				continue;
			svc->sv_stats.cs_conns_closed_silent++;
			goto close;
		}
		oldest = xr_svc_oldest_wait(cn, &upper);
		if (p->sp_peer_timeout && oldest != UINT64_MAX &&
		    now >= oldest &&
		    now - oldest >= p->sp_peer_timeout * 1000ull) {
			svc->sv_stats.cs_conns_closed_stalled++;
			goto close;
		}
		if (!p->sp_idle_timeout || upper || now < cn->cn_active_ms ||
		    now - cn->cn_active_ms < p->sp_idle_timeout * 1000ull)
			continue;
		svc->sv_stats.cs_conns_closed_idle++;
	close:
		cn->cn_closing = true;
		xr_svc_drop_conn(cn);
	}
}

/* ---- the progress thread ----------------------------------------------- */

/* Run the callbacks collected this round, without the lock. */
static void xr_svc_run_callbacks(struct xr_svc *svc)
{
	struct xr_svc_ctx *deliver = svc->sv_deliver;
	struct xr_svc_ctx *release = svc->sv_release, *c, *next;
	struct xr_svc_conn *notify[2 * XR_SVC_POLL_BATCH];
	bool up[2 * XR_SVC_POLL_BATCH];
	uint32_t nnotify = svc->sv_nnotify, i;

	if (!deliver && !release && !nnotify)
		return;
	svc->sv_deliver = svc->sv_deliver_tail = NULL;
	svc->sv_release = svc->sv_release_tail = NULL;
	memcpy(notify, svc->sv_notify, nnotify * sizeof(notify[0]));
	memcpy(up, svc->sv_notify_up, nnotify * sizeof(up[0]));
	svc->sv_nnotify = 0;
	pthread_mutex_unlock(&svc->sv_loop.ev_lock);
	for (i = 0; i < nnotify; i++) {
		if (up[i] && svc->sv_ops.sv_on_connect)
			svc->sv_ops.sv_on_connect(notify[i], svc->sv_ctx);
		if (!up[i] && svc->sv_ops.sv_on_disconnect)
			svc->sv_ops.sv_on_disconnect(notify[i], svc->sv_ctx);
	}
	for (c = release; c; c = c->c_next)
		svc->sv_ops.sv_on_release(&c->c_pub, c->c_status, svc->sv_ctx);
	for (c = deliver; c; c = next) {
		next = c->c_next; /* the upper layer may reply at once */
		svc->sv_ops.sv_on_call(&c->c_pub, svc->sv_ctx);
	}
	pthread_mutex_lock(&svc->sv_loop.ev_lock);
	for (c = release; c; c = next) {
		next = c->c_next;
		c->c_conn->cn_live--;
		c->c_next = c->c_conn->cn_free;
		c->c_conn->cn_free = c;
	}
}

static void xr_svc_after_round(struct xr_svc *svc)
{
	struct xr_svc_conn *cn;

	for (cn = svc->sv_conns; cn; cn = cn->cn_next) {
		xr_svc_run_backlog(cn);
		xr_svc_flush_reposts(cn);
	}
}

static void xr_svc_run_postq(struct xr_svc *svc);

static void *xr_svc_thread(void *arg)
{
	struct xr_svc *svc = arg;
	struct xr_completion wc[XR_SVC_POLL_BATCH];
	struct xr_svc_conn *cn;
	struct xr_event ev;
	int n, i, events, stop_rounds = 0;

	pthread_mutex_lock(&svc->sv_loop.ev_lock);
	for (;;) {
		svc->sv_now_ms = xr_svc_now_ms();
		xr_svc_run_postq(svc);
		n = xr_fabric_poll(svc->sv_fab, wc, XR_SVC_POLL_BATCH);
		for (i = 0; i < n; i++)
			xr_svc_completion(svc, &wc[i]);
		events = 0;
		while (events < XR_SVC_POLL_BATCH &&
		       xr_fabric_get_event(svc->sv_fab, &ev) == 0) {
			xr_svc_on_event(svc, &ev);
			events++;
		}
		xr_svc_after_round(svc);
		xr_svc_run_callbacks(svc);
		xr_svc_after_round(svc);
		xr_svc_reap(svc);
		xr_svc_timers(svc);
		if (svc->sv_loop.ev_stop) {
			for (cn = svc->sv_conns; cn; cn = cn->cn_next)
				xr_svc_drop_conn(cn);
			/* Wait (about 3 s at most) for every flush. */
			if (!svc->sv_conns || ++stop_rounds > 300)
				break;
		}
		/* A short batch drained the queues (arm() looks once more). */
		if (n < XR_SVC_POLL_BATCH && !events && !svc->sv_postq)
			xr_loop_sleep(&svc->sv_loop, svc->sv_fab,
				      svc->sv_loop.ev_stop ? 10 : 1000, n > 0);
		else
			xr_loop_yield(&svc->sv_loop); /* repliers' turn */
	}
	pthread_mutex_unlock(&svc->sv_loop.ev_lock);
	return NULL;
}

/* ---- replies ----------------------------------------------------------- */

static bool xr_range_inside(const struct iovec *iov, uint32_t n,
			    const uint8_t *start, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		const uint8_t *b = iov[i].iov_base;

		if (iov[i].iov_len && b < start + len &&
		    b + iov[i].iov_len > start)
			return true;
	}
	return false;
}

/* Does the reply point into the call's receive buffer or landing area? */
static bool xr_reply_uses_call(const struct xr_svc_ctx *c,
			       const struct xr_msg *m)
{
	const struct xr_svc_conn *cn = c->c_conn;
	const uint8_t *rbuf =
	    xr_pool_buf(&cn->cn_recv_pool, c->c_recv->rv_index);
	const struct iovec *runs[3] = {m->xm_head, m->xm_payload, m->xm_tail};
	uint32_t counts[3] = {m->xm_nhead, m->xm_npayload, m->xm_ntail};
	uint32_t r;

	for (r = 0; r < 3; r++) {
		if (xr_range_inside(runs[r], counts[r], rbuf,
				    cn->cn_recv_pool.bp_size))
			return true;
		if (c->c_landing &&
		    xr_range_inside(runs[r], counts[r], c->c_landing,
				    c->c_landing_len))
			return true;
	}
	return false;
}

/*
 * The registration of an engine pool that holds [p, p + len) whole, or
 * NULL: a reply may point into the call's receive buffer or landing area
 * (zero-copy echo, a WRITE's data handed back), and those are registered
 * for as long as the connection lives.
 */
static struct xr_mr *xr_svc_pool_mr(const struct xr_svc_conn *cn, const void *p,
				    size_t len)
{
	const uint8_t *b = p;
	const uint8_t *r = cn->cn_recv_pool.bp_base;
	const uint8_t *l = cn->cn_landing.pp_base;
	size_t rlen =
	    (size_t)cn->cn_recv_pool.bp_count * cn->cn_recv_pool.bp_size;
	size_t llen = (size_t)cn->cn_landing.pp_pages * XR_RPOOL_PAGE;

	if (r && b >= r && len <= rlen && (size_t)(b - r) <= rlen - len)
		return cn->cn_recv_pool.bp_reg.rg_mr;
	if (l && b >= l && len <= llen && (size_t)(b - l) <= llen - len)
		return cn->cn_landing.pp_reg.rg_mr;
	return NULL;
}

/*
 * Whether an area of the upper layer's (xr_svc_add_area()) holds
 * [p, p + len) whole, and its registration in *mr (NULL on a fabric that
 * takes plain local addresses: the area is only recorded there, so that
 * the counters say on ofi too what verbs would have had to register).  A
 * range that only overlaps an area is registered per reply like any
 * other.
 */
static bool xr_svc_area_find(const struct xr_svc *svc, const void *p,
			     size_t len, struct xr_mr **mr)
{
	uint32_t n = __atomic_load_n(&svc->sv_nareas, __ATOMIC_ACQUIRE);
	const uint8_t *b = p;
	uint32_t i;

	for (i = 0; i < n; i++) {
		const struct xr_svc_area *ar = &svc->sv_areas[i];

		if (b >= ar->ar_base && len <= ar->ar_len &&
		    (size_t)(b - ar->ar_base) <= ar->ar_len - len) {
			*mr = ar->ar_reg.rg_mr;
			return true;
		}
	}
	return false;
}

/*
 * Copy a small reply range (Ganesha 6.5's unaligned READ tail: the last
 * 1-3 bytes of the data in a 4-byte buffer of its own, malloc'd per
 * reply) into the reply's own send buffer and return where, or NULL when
 * it is too long or there is no room.  Why this place and why it is
 * safe:
 * - the send buffer is this call context's alone and registered once
 *   per connection (LOCAL, no rkey); the context is reused only after
 *   every operation of the reply - each RDMA Write and the Send - has
 *   completed (c_ops, xr_svc_release()), so the bytes stay put for as
 *   long as a Write may still read them, and no registration is made;
 * - the copy goes above what the Send will carry: the plan fixed the
 *   Send's length (c_send_end) before any Write is posted, and the Send
 *   is encoded and copied only below c_small_top.  Writes are executed
 *   whenever the NIC gets to them, so the header encoded after they are
 *   posted must not share bytes with them - it does not;
 * - the bytes are taken now, at post time; what Ganesha does with its
 *   buffer later cannot change what is sent.  The client sees them before
 *   the reply because the Send is posted after the Writes on the same
 *   queue pair (RFC 8166 section 3.4.4, ordering on a reliable QP);
 * - a per-connection scratch area would need its own allocator and a
 *   lifetime per reply; the send buffer has exactly that lifetime.
 * Bounded: XR_SVC_SMALL_COPY bytes a range, and the room left between the
 * Send and the XDR pad slot (the buffer's last 4 bytes) for the reply.
 */
static struct xr_mr *xr_svc_small_copy(struct xr_svc_ctx *c,
				       const struct iovec *iov, void **at)
{
	struct xr_svc_conn *cn = c->c_conn;
	uint32_t need = (uint32_t)((iov->iov_len + 7) & ~(size_t)7);
	uint8_t *buf;

	if (iov->iov_len > XR_SVC_SMALL_COPY || !c->c_small_top ||
	    c->c_small_top < c->c_send_end ||
	    c->c_small_top - c->c_send_end < need)
		return NULL;
	buf = xr_pool_buf(&cn->cn_send_pool, c->c_index);
	c->c_small_top -= need;
	memcpy(buf + c->c_small_top, iov->iov_base, iov->iov_len);
	*at = buf + c->c_small_top;
	cn->cn_stats.cs_reg_small_copies++;
	return cn->cn_send_pool.bp_reg.rg_mr;
}

/*
 * The local sges of this reply's RDMA Writes, appended to sge: a range
 * inside an engine pool uses the pool's registration; on a fabric that
 * takes plain local addresses (ofi without FI_MR_LOCAL) the rest go
 * unregistered; a range of a few bytes is copied into the reply's send
 * buffer (xr_svc_small_copy()); otherwise each range is registered LOCAL
 * until the reply is released (the only per-I/O registration left on
 * this engine, see docs/architecture.md "Memory registration").  No rkey
 * is made: a peer can never address these ranges.
 */
static int xr_svc_reg_ranges(struct xr_svc_ctx *c, const struct iovec *iov,
			     uint32_t n, struct xr_sge *sge, uint32_t *nsge)
{
	struct xr_svc_conn *cn = c->c_conn;
	bool plain = !xr_fabric_local_needs_reg(cn->cn_svc->sv_fab);
	struct xr_mr *mr;
	uint32_t i;
	int ret;

	for (i = 0; i < n; i++) {
		void *base = iov[i].iov_base;

		if (!iov[i].iov_len)
			continue;
		if (iov[i].iov_len > UINT32_MAX)
			return -EINVAL;
		mr = xr_svc_pool_mr(cn, iov[i].iov_base, iov[i].iov_len);
		if (mr) {
			cn->cn_stats.cs_reg_pool_hits++;
		} else if (xr_svc_area_find(cn->cn_svc, iov[i].iov_base,
					    iov[i].iov_len, &mr)) {
			/* mr is NULL on a fabric that takes plain addresses */
			cn->cn_stats.cs_reg_area_hits++;
		} else if (plain) {
			cn->cn_stats.cs_reg_unneeded++;
		} else if ((mr = xr_svc_small_copy(c, &iov[i], &base))) {
			/* copied into the send buffer: its registration */
		} else {
			if (c->c_nregs >= XR_SVC_MAX_REGS)
				return -EINVAL;
			ret = xr_core_reg(cn->cn_svc->sv_fab, &cn->cn_stats,
					  iov[i].iov_base, iov[i].iov_len,
					  XR_ACCESS_LOCAL,
					  &c->c_regs[c->c_nregs]);
			if (ret)
				return ret;
			mr = c->c_regs[c->c_nregs].rg_mr;
			c->c_nregs++;
		}
		sge[*nsge] =
		    (struct xr_sge){base, (uint32_t)iov[i].iov_len, mr};
		(*nsge)++;
	}
	return 0;
}

/*
 * RDMA Write local sges into a chunk of the call's header; the chunk's
 * segment lengths become what was written (RFC 8166: the reply echoes the
 * chunk with the lengths actually used).
 */
static int xr_svc_write_chunk(struct xr_svc_ctx *c, struct xr_chunk *ch,
			      const struct xr_sge *local, uint32_t nlocal)
{
	struct xr_svc_conn *cn = c->c_conn;
	struct xr_segment *segs = xr_chunk_seg(&c->c_hdr, ch, 0);
	uint32_t used[XR_MAX_CHUNK_SEGS] = {0};
	struct xr_sge sge[XR_MAX_SGE];
	struct xr_scatter s;
	uint32_t nsge, segi, i;
	uint64_t roff;
	int64_t got;
	int ret;

	xr_scatter_init(&s, local, nlocal, segs, ch->ch_nsegs);
	while ((got = xr_scatter_next(&s, sge, &nsge, &segi, &roff)) > 0) {
		ret = xr_post_write(cn->cn_ep, sge, nsge, roff,
				    segs[segi].seg_handle, c);
		if (ret) {
			cn->cn_stats.cs_err_post++;
			return ret;
		}
		c->c_ops++;
		used[segi] += (uint32_t)got;
		cn->cn_stats.cs_rdma_write_ops++;
		cn->cn_stats.cs_rdma_write_bytes += (uint64_t)got;
	}
	if (got < 0)
		return (int)got;
	ch->ch_length = 0;
	for (i = 0; i < ch->ch_nsegs; i++) {
		segs[i].seg_length = used[i];
		ch->ch_length += used[i];
	}
	return 0;
}

/* Copy the inline message after the header; returns bytes or -EMSGSIZE. */
static int64_t xr_svc_copy_inline(const struct xr_msg *m, bool with_payload,
				  uint8_t *dst, uint64_t room)
{
	const struct iovec *runs[3] = {m->xm_head, m->xm_payload, m->xm_tail};
	uint32_t counts[3] = {m->xm_nhead, m->xm_npayload, m->xm_ntail};
	uint64_t off = 0, plen;
	uint32_t r, i;

	for (r = 0; r < 3; r++) {
		if (r == 1 && !with_payload)
			continue;
		for (i = 0; i < counts[r]; i++) {
			if (off + runs[r][i].iov_len > room)
				return -EMSGSIZE;
			memcpy(dst + off, runs[r][i].iov_base,
			       runs[r][i].iov_len);
			off += runs[r][i].iov_len;
		}
		if (r == 1) {
			plen = xr_iov_len(m->xm_payload, m->xm_npayload);
			if (off + xr_xdr_pad(plen) > room)
				return -EMSGSIZE;
			memset(dst + off, 0, xr_xdr_pad(plen));
			off += xr_xdr_pad(plen);
		}
	}
	return (int64_t)off;
}

/*
 * Marshalling a reply, one helper per step in the order the reply's
 * header lists its chunks (RFC 8166 section 4.3):
 * - xr_svc_plan_reply(): size the header (it echoes the call's Write list
 *   and Reply chunk) and choose inline, Write chunk or Reply chunk;
 * - xr_svc_send_write_list(): RDMA Write the payload into the first Write
 *   chunk, echo the unused ones empty;
 * - xr_svc_send_reply_chunk(): RDMA Write the whole message into the
 *   Reply chunk (RDMA_NOMSG);
 * - xr_svc_give_back_call(): return the call's receive and landing area
 *   unless the reply points into them, so that the grant counts them;
 * - xr_svc_send_reply_msg(): encode the header, copy what travels inline
 *   and post the Send.
 * Each returns a negative errno and leaves what it posted counted in
 * c_ops, so xr_svc_reply() knows whether anything went out.
 */

/*
 * Plan the reply into *plan and prepare its header *rh: a copy of the
 * call's without the Read list, whose chunk array is the call's (the
 * Write list's lengths written later are what it echoes).
 */
static int xr_svc_plan_reply(struct xr_svc_ctx *c, const struct xr_msg *m,
			     struct xr_hdr *rh, struct xr_reply_plan *plan)
{
	struct xr_svc_conn *cn = c->c_conn;
	struct xr_reply_plan_in pin = {0};
	struct xr_chunk *rch = xr_hdr_reply_chunk(&c->c_hdr);
	ssize_t hlen;
	int ret;

	pin.ri_head_len = xr_iov_len(m->xm_head, m->xm_nhead);
	pin.ri_payload_len = xr_iov_len(m->xm_payload, m->xm_npayload);
	pin.ri_tail_len = xr_iov_len(m->xm_tail, m->xm_ntail);
	if (c->c_hdr.h_nwrite)
		pin.ri_write_chunk_len =
		    xr_hdr_write_chunk(&c->c_hdr, 0)->ch_length;
	pin.ri_reply_chunk_len = rch ? rch->ch_length : 0;
	pin.ri_inline_send = cn->cn_inline.ci_max_send;
	if (pin.ri_head_len + pin.ri_payload_len + pin.ri_tail_len >
	    cn->cn_svc->sv_p.sp_max_response + XR_HDR_RESERVE)
		return -EMSGSIZE;
	/* The reply header echoes the client's lists: plan with its size. */
	*rh = c->c_hdr;
	rh->h_chunks = c->c_hdr.h_chunks + c->c_hdr.h_nread;
	rh->h_chunk_cap = c->c_hdr.h_chunk_cap - c->c_hdr.h_nread;
	rh->h_nread = 0;
	rh->h_has_call_chunk = false;
	rh->h_vers = XR_RPCRDMA_VERSION;
	rh->h_has_reply = false;
	rh->h_proc = XR_RDMA_MSG;
	hlen = xr_hdr_encoded_size(rh);
	if (hlen < 0)
		return (int)hlen;
	pin.ri_hdr_len = (uint32_t)hlen;
	if (rch) {
		rh->h_has_reply = true;
		rh->h_proc = XR_RDMA_NOMSG;
		hlen = xr_hdr_encoded_size(rh);
		if (hlen < 0)
			return (int)hlen;
		pin.ri_nomsg_hdr_len = (uint32_t)hlen;
	}
	ret = xr_plan_reply(&pin, plan);
	if (ret) {
		cn->cn_stats.cs_err_reply_size++;
		return ret;
	}
	rh->h_has_reply = plan->rpl_reply_chunk;
	rh->h_proc = plan->rpl_reply_chunk ? XR_RDMA_NOMSG : XR_RDMA_MSG;
	/*
	 * What the Send will carry (xr_svc_send_reply_msg() stays below
	 * c_small_top, which small copies lower but never below this), and
	 * the room above it up to the XDR pad slot.
	 */
	c->c_send_end = plan->rpl_reply_chunk
			    ? pin.ri_nomsg_hdr_len
			    : pin.ri_hdr_len + (uint32_t)plan->rpl_msg_len;
	c->c_small_top = cn->cn_send_pool.bp_size - 4;
	return 0;
}

/*
 * The Write list: the payload goes by RDMA Write into the first Write
 * chunk when the plan says so; every chunk not used is echoed empty.
 */
static int xr_svc_send_write_list(struct xr_svc_ctx *c, const struct xr_msg *m,
				  const struct xr_reply_plan *plan)
{
	struct xr_svc_conn *cn = c->c_conn;
	struct xr_sge local[XR_MSG_MAX_RANGES];
	struct xr_chunk *wch = NULL;
	uint32_t nlocal = 0, i;
	int ret;

	if (c->c_hdr.h_nwrite)
		wch = xr_hdr_write_chunk(&c->c_hdr, 0);
	for (i = 0; i < c->c_hdr.h_nwrite; i++) {
		struct xr_chunk *ch = xr_hdr_write_chunk(&c->c_hdr, i);
		uint32_t s;

		if (ch == wch && plan->rpl_write_chunk)
			continue;
		for (s = 0; s < ch->ch_nsegs; s++)
			xr_chunk_seg(&c->c_hdr, ch, s)->seg_length = 0;
		ch->ch_length = 0;
	}
	if (!plan->rpl_write_chunk)
		return 0;
	ret =
	    xr_svc_reg_ranges(c, m->xm_payload, m->xm_npayload, local, &nlocal);
	if (!ret)
		ret = xr_svc_write_chunk(c, wch, local, nlocal);
	if (ret)
		return ret;
	cn->cn_stats.cs_write_chunk_replies++;
	return 0;
}

/*
 * The Reply chunk: head, payload (unless the Write list carried it) with
 * its XDR pad, tail, by RDMA Write.  The pad comes from the last 4 bytes
 * of the call's send buffer @buf, which the header never reaches.
 */
static int xr_svc_send_reply_chunk(struct xr_svc_ctx *c, const struct xr_msg *m,
				   const struct xr_reply_plan *plan,
				   uint8_t *buf)
{
	struct xr_svc_conn *cn = c->c_conn;
	struct xr_sge local[3 * XR_MSG_MAX_RANGES + 1];
	uint64_t plen = xr_iov_len(m->xm_payload, m->xm_npayload);
	uint32_t nlocal = 0;
	int ret;

	ret = xr_svc_reg_ranges(c, m->xm_head, m->xm_nhead, local, &nlocal);
	if (!ret && !plan->rpl_write_chunk) {
		ret = xr_svc_reg_ranges(c, m->xm_payload, m->xm_npayload, local,
					&nlocal);
		if (!ret && xr_xdr_pad(plen)) {
			uint8_t *z = buf + cn->cn_send_pool.bp_size - 4;

			memset(z, 0, 4);
			local[nlocal++] = (struct xr_sge){
			    z, xr_xdr_pad(plen), cn->cn_send_pool.bp_reg.rg_mr};
		}
	}
	if (!ret)
		ret = xr_svc_reg_ranges(c, m->xm_tail, m->xm_ntail, local,
					&nlocal);
	if (!ret)
		ret = xr_svc_write_chunk(c, xr_hdr_reply_chunk(&c->c_hdr),
					 local, nlocal);
	if (ret)
		return ret;
	cn->cn_stats.cs_reply_chunk_replies++;
	return 0;
}

/*
 * Receives go back before the grant is computed - unless the reply
 * points into the call's receive buffer or landing area, which then stay
 * until the send completes (xr_svc_release()).
 */
static void xr_svc_give_back_call(struct xr_svc_ctx *c, const struct xr_msg *m)
{
	struct xr_svc_conn *cn = c->c_conn;

	if (xr_reply_uses_call(c, m))
		return;
	xr_svc_repost(cn, c->c_recv);
	c->c_recv = NULL;
	if (c->c_landing) {
		xr_rpool_free(&cn->cn_landing, c->c_landing, c->c_landing_len);
		c->c_landing = NULL;
		/* Calls waiting for landing space may fit now. */
		if (cn->cn_pull && !cn->cn_pumping)
			xr_svc_pump_pulls(cn);
	}
	xr_svc_flush_reposts(cn);
}

/*
 * The Send: header @rh with the current grant, then the inline part
 * unless the Reply chunk carried the message.
 */
static int xr_svc_send_reply_msg(struct xr_svc_ctx *c, const struct xr_msg *m,
				 struct xr_hdr *rh,
				 const struct xr_reply_plan *plan, uint8_t *buf)
{
	struct xr_svc_conn *cn = c->c_conn;
	/* Below what small copies took; the plan kept that room free. */
	uint32_t limit = c->c_small_top;
	int64_t copied = 0;
	struct xr_sge sge;
	ssize_t hlen;
	int ret;

	rh->h_credits = xr_credits_to_grant(cn->cn_posted, cn->cn_credits);
	hlen = xr_hdr_encode(rh, buf, limit);
	if (hlen < 0)
		return (int)hlen;
	/* The plan saw this size; never send past the client's receive. */
	if ((uint64_t)hlen > cn->cn_inline.ci_max_send) {
		cn->cn_stats.cs_err_reply_size++;
		return -EMSGSIZE;
	}
	if (limit == cn->cn_send_pool.bp_size - 4 ||
	    limit > cn->cn_inline.ci_max_send)
		limit = cn->cn_inline.ci_max_send; /* the client's receive */
	if (!plan->rpl_reply_chunk) {
		copied =
		    xr_svc_copy_inline(m, !plan->rpl_write_chunk, buf + hlen,
				       (uint64_t)limit - (uint64_t)hlen);
		if (copied < 0) {
			cn->cn_stats.cs_err_reply_size++;
			return (int)copied;
		}
		cn->cn_stats.cs_inline_bytes_copied += (uint64_t)copied;
		if (!plan->rpl_write_chunk)
			cn->cn_stats.cs_inline_replies++;
	}
	sge = (struct xr_sge){buf, (uint32_t)(hlen + copied),
			      cn->cn_send_pool.bp_reg.rg_mr};
	ret = xr_post_send(cn->cn_ep, &sge, 1, false, 0, c);
	if (ret) {
		cn->cn_stats.cs_err_post++;
		return ret;
	}
	c->c_ops++;
	return 0;
}

/* Build and post the reply; on error the caller releases the call. */
static int xr_svc_post_reply(struct xr_svc_ctx *c, const struct xr_msg *m)
{
	struct xr_svc_conn *cn = c->c_conn;
	uint8_t *buf = xr_pool_buf(&cn->cn_send_pool, c->c_index);
	struct xr_reply_plan plan;
	struct xr_hdr rh;
	int ret;

	ret = xr_svc_plan_reply(c, m, &rh, &plan);
	if (!ret)
		ret = xr_svc_send_write_list(c, m, &plan);
	if (!ret && plan.rpl_reply_chunk)
		ret = xr_svc_send_reply_chunk(c, m, &plan, buf);
	if (ret)
		return ret;
	xr_svc_give_back_call(c, m);
	return xr_svc_send_reply_msg(c, m, &rh, &plan, buf);
}

/*
 * Whether this thread must leave posting to the progress thread: the
 * fabric does not take posts from any thread (enum xr_fabric_cap), and
 * this is not the progress thread.
 */
static bool xr_svc_defer_to_loop(const struct xr_svc *svc)
{
	return svc->sv_loop_only &&
	       !pthread_equal(pthread_self(), svc->sv_loop.ev_thread);
}

/*
 * Send the reply of @c (lock held, state UPPER, on a thread allowed to
 * post).  Returns what xr_svc_reply() returns; *in_flight says whether
 * the reply is still in flight with nothing left for the loop to do.
 */
static int xr_svc_reply_locked(struct xr_svc_ctx *c, const struct xr_msg *reply,
			       bool *in_flight)
{
	struct xr_svc_conn *cn = c->c_conn;
	struct xr_svc *svc = cn->cn_svc;
	int ret;

	c->c_state = XR_SC_SENDING;
	c->c_ops = 1;	    /* held while posting */
	xr_svc_answered(c); /* before the receive can be reposted */
	/* Not sv_now_ms: this is not the progress thread's round. */
	c->c_wait_ms = xr_svc_now_ms();
	/*
	 * The idle clock restarts here: a call the upper layer worked on for
	 * longer than the idle timeout must not be taken for idle while its
	 * reply is in flight.
	 */
	cn->cn_active_ms = c->c_wait_ms;
	if (cn->cn_dead)
		ret = -ENOTCONN;
	else if (xr_msg_check(reply))
		ret = -EINVAL;
	else
		ret = xr_svc_post_reply(c, reply);
	/*
	 * Posted and still in flight once our hold goes: its completions
	 * wake the loop through the fabric's descriptor, so an eventfd
	 * wake-up would only cost the loop an empty round.  Anything else
	 * (released, failed) may have left callbacks for the loop, and so
	 * may landing space given back (a waiting call needing no Read is
	 * delivered at once).
	 */
	*in_flight =
	    !ret && c->c_ops > 1 && !svc->sv_deliver && !svc->sv_release;
	if (ret && c->c_ops == 1 && !cn->cn_dead) {
		/*
		 * Nothing went out: tell the client with ERR_CHUNK rather
		 * than leave its call hanging.  sv_on_release gets ret.
		 */
		c->c_status = ret;
		c->c_ops = 0;
		xr_svc_send_error(c, XR_ACT_ERR_CHUNK);
	} else {
		if (ret) {
			c->c_status = ret;
			/* A partly posted reply leaves the link unusable. */
			if (c->c_ops > 1)
				xr_svc_drop_conn(cn);
		}
		xr_svc_ctx_op_done(c, ret);
	}
	return ret;
}

/* Drop the call (lock held, state UPPER, on a thread allowed to post). */
static void xr_svc_drop_locked(struct xr_svc_ctx *c)
{
	c->c_state = XR_SC_SENDING;
	c->c_ops = 1;
	xr_svc_answered(c);
	xr_svc_ctx_op_done(c, -ECANCELED);
}

/* Queue an answer for the progress thread (lock held, state UPPER). */
static void xr_svc_queue_answer(struct xr_svc_ctx *c, const struct xr_msg *m)
{
	struct xr_svc *svc = c->c_conn->cn_svc;

	c->c_queued = true;
	c->c_queued_drop = !m;
	if (m)
		c->c_queued_msg = *m; /* the iovec arrays stay the caller's */
	xr_svc_queue(&svc->sv_postq, &svc->sv_postq_tail, c);
	svc->sv_stats.cs_loop_handoffs++;
}

/* Progress thread: post the answers other threads queued (lock held). */
static void xr_svc_run_postq(struct xr_svc *svc)
{
	struct xr_svc_ctx *c;
	bool in_flight;

	while ((c = svc->sv_postq) != NULL) {
		svc->sv_postq = c->c_next;
		if (!svc->sv_postq)
			svc->sv_postq_tail = NULL;
		c->c_queued = false;
		if (c->c_queued_drop)
			xr_svc_drop_locked(c);
		else
			xr_svc_reply_locked(c, &c->c_queued_msg, &in_flight);
	}
}

int xr_svc_reply(struct xr_svc_call *call, const struct xr_msg *reply)
{
	struct xr_svc_ctx *c = XR_CONTAINER(call, struct xr_svc_ctx, c_pub);
	struct xr_svc *svc = c->c_conn->cn_svc;
	bool in_flight = false;
	int ret = 0;

	pthread_mutex_lock(&svc->sv_loop.ev_lock);
	if (c->c_state != XR_SC_UPPER || c->c_queued) {
		pthread_mutex_unlock(&svc->sv_loop.ev_lock);
		return -EINVAL;
	}
	if (xr_svc_defer_to_loop(svc)) {
		/* A NULL reply is queued empty: the loop fails it -EINVAL. */
		xr_svc_queue_answer(c, reply ? reply : &(struct xr_msg){0});
	} else {
		ret = xr_svc_reply_locked(c, reply, &in_flight);
	}
	pthread_mutex_unlock(&svc->sv_loop.ev_lock);
	if (!in_flight)
		xr_loop_wake(&svc->sv_loop);
	return ret;
}

void xr_svc_drop(struct xr_svc_call *call)
{
	struct xr_svc_ctx *c = XR_CONTAINER(call, struct xr_svc_ctx, c_pub);
	struct xr_svc *svc = c->c_conn->cn_svc;

	pthread_mutex_lock(&svc->sv_loop.ev_lock);
	if (c->c_state == XR_SC_UPPER && !c->c_queued) {
		if (xr_svc_defer_to_loop(svc))
			xr_svc_queue_answer(c, NULL);
		else
			xr_svc_drop_locked(c);
	}
	pthread_mutex_unlock(&svc->sv_loop.ev_lock);
	xr_loop_wake(&svc->sv_loop);
}

/* ---- setup and teardown ------------------------------------------------ */

static int xr_svc_check_params(struct xr_svc_params *p, char *err,
			       size_t errlen)
{
	if (!p->sp_backend)
		p->sp_backend = "ofi";
	if (!p->sp_addr)
		p->sp_addr = "0.0.0.0";
	if (p->sp_port == 0)
		p->sp_port = XR_NFS_RDMA_PORT;
	if (p->sp_port == XR_SVC_PORT_ANY)
		p->sp_port = 0;
	if (!p->sp_credits)
		p->sp_credits = XR_DEFAULT_CREDITS;
	if (!p->sp_inline)
		p->sp_inline = XR_DEFAULT_INLINE;
	if (!p->sp_max_conns)
		p->sp_max_conns = XR_DEFAULT_MAX_CONNS;
	if (!p->sp_max_request)
		p->sp_max_request = XR_DEFAULT_MAX_MSG;
	if (!p->sp_max_response)
		p->sp_max_response = XR_DEFAULT_MAX_MSG;
	if (!p->sp_read_pool)
		p->sp_read_pool = XR_DEFAULT_READ_POOL;
	if (p->sp_port < 0 || p->sp_port > 65535) {
		snprintf(err, errlen, "port %d out of range 1..65535",
			 p->sp_port);
		return -EINVAL;
	}
	if (p->sp_credits > XR_MAX_CREDITS) {
		snprintf(err, errlen, "credits %u out of range 1..%u",
			 p->sp_credits, XR_MAX_CREDITS);
		return -EINVAL;
	}
	if (p->sp_inline < XR_CM_MIN_INLINE ||
	    p->sp_inline > XR_CM_MAX_INLINE || p->sp_inline % 1024) {
		snprintf(err, errlen,
			 "inline size %u not a multiple of 1024 in %u..%u",
			 p->sp_inline, XR_CM_MIN_INLINE, XR_CM_MAX_INLINE);
		return -EINVAL;
	}
	if (p->sp_read_pool < p->sp_max_request) {
		snprintf(err, errlen,
			 "read pool %llu smaller than max request %llu",
			 (unsigned long long)p->sp_read_pool,
			 (unsigned long long)p->sp_max_request);
		return -EINVAL;
	}
	if (p->sp_max_request > (1ull << 30) ||
	    p->sp_max_response > (1ull << 30)) {
		snprintf(err, errlen, "max request/response above 1 GiB");
		return -EINVAL;
	}
	return 0;
}

int xr_svc_start(const struct xr_svc_params *params,
		 const struct xr_svc_ops *ops, void *ctx, struct xr_svc **out,
		 char *err, size_t errlen)
{
	struct xr_fabric_params fp = {0};
	char dummy[8];
	struct xr_svc *svc;
	uint32_t credits;
	int ret;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (!params || !ops || !ops->sv_on_call || !ops->sv_on_release ||
	    !out) {
		snprintf(err, errlen, "missing parameters or callbacks");
		return -EINVAL;
	}
	svc = calloc(1, sizeof(*svc));
	if (!svc)
		return -ENOMEM;
	svc->sv_p = *params;
	ret = xr_svc_check_params(&svc->sv_p, err, errlen);
	if (ret)
		goto out_free;
	svc->sv_ops = *ops;
	svc->sv_ctx = ctx;
	pthread_mutex_init(&svc->sv_area_lock, NULL);
	credits = svc->sv_p.sp_credits;
	svc->sv_per_conn = xr_conn_registered_bytes(
			       credits, svc->sv_p.sp_inline,
			       svc->sv_p.sp_inline, credits / 4 + 4,
			       (svc->sv_p.sp_read_pool + XR_RPOOL_PAGE - 1) /
				   XR_RPOOL_PAGE * XR_RPOOL_PAGE) +
			   (uint64_t)XR_SVC_RECV_SLACK * svc->sv_p.sp_inline;
	fp.xfp_backend = svc->sv_p.sp_backend;
	fp.xfp_provider = svc->sv_p.sp_provider;
	ret = xr_fabric_open(&fp, &svc->sv_fab, err, errlen);
	if (ret)
		goto out_free;
	svc->sv_loop_only =
	    !xr_fabric_has_cap(svc->sv_fab, XR_CAP_POST_ANY_THREAD);
	ret = xr_listen(svc->sv_fab, svc->sv_p.sp_addr,
			(uint16_t)svc->sv_p.sp_port, 64, &svc->sv_lis);
	if (ret) {
		snprintf(err, errlen, "%s", xr_fabric_strerror(svc->sv_fab));
		goto out_fab;
	}
	ret = xr_loop_init(&svc->sv_loop, svc->sv_fab);
	if (ret)
		goto out_lis;
	ret =
	    -pthread_create(&svc->sv_loop.ev_thread, NULL, xr_svc_thread, svc);
	if (ret)
		goto out_loop;
	svc->sv_loop.ev_running = true;
	*out = svc;
	return 0;

out_loop:
	xr_loop_fini(&svc->sv_loop);
out_lis:
	xr_listener_close(svc->sv_lis);
out_fab:
	xr_fabric_close(svc->sv_fab);
out_free:
	free(svc);
	return ret;
}

uint16_t xr_svc_port(struct xr_svc *svc)
{
	uint16_t port;

	pthread_mutex_lock(&svc->sv_loop.ev_lock);
	port = xr_listener_port(svc->sv_lis);
	pthread_mutex_unlock(&svc->sv_loop.ev_lock);
	return port;
}

void xr_svc_get_stats(struct xr_svc *svc, struct xr_core_stats *out)
{
	struct xr_svc_conn *cn;

	pthread_mutex_lock(&svc->sv_loop.ev_lock);
	*out = svc->sv_stats;
	xr_stats_add(out, &svc->sv_retired);
	for (cn = svc->sv_conns; cn; cn = cn->cn_next)
		xr_stats_add(out, &cn->cn_stats);
	out->cs_registered_per_conn = svc->sv_per_conn;
	out->cs_loop_kicks =
	    __atomic_load_n(&svc->sv_loop.ev_kicks, __ATOMIC_RELAXED);
	out->cs_loop_wakeups = svc->sv_loop.ev_wakeups;
	pthread_mutex_unlock(&svc->sv_loop.ev_lock);
}

void xr_svc_conn_stats(struct xr_svc_conn *conn, struct xr_core_stats *out)
{
	struct xr_svc *svc = conn->cn_svc;

	pthread_mutex_lock(&svc->sv_loop.ev_lock);
	*out = conn->cn_stats;
	out->cs_registered_per_conn = svc->sv_per_conn;
	pthread_mutex_unlock(&svc->sv_loop.ev_lock);
}

void xr_svc_conn_set_ctx(struct xr_svc_conn *conn, void *ctx)
{
	conn->cn_upper = ctx;
}

void *xr_svc_conn_ctx(const struct xr_svc_conn *conn)
{
	return conn->cn_upper;
}

int xr_svc_conn_addrs(struct xr_svc_conn *conn, struct sockaddr_storage *local,
		      struct sockaddr_storage *peer)
{
	struct xr_svc *svc = conn->cn_svc;
	int ret = -ENOTCONN;

	pthread_mutex_lock(&svc->sv_loop.ev_lock);
	if (conn->cn_ep && !conn->cn_dead)
		ret = xr_ep_addrs(conn->cn_ep, local, peer);
	pthread_mutex_unlock(&svc->sv_loop.ev_lock);
	return ret;
}

void xr_svc_stop(struct xr_svc *svc)
{
	struct xr_svc_conn *cn, *next;
	uint32_t i;

	if (!svc)
		return;
	pthread_mutex_lock(&svc->sv_loop.ev_lock);
	svc->sv_loop.ev_stop = true;
	pthread_mutex_unlock(&svc->sv_loop.ev_lock);
	xr_loop_wake(&svc->sv_loop);
	if (svc->sv_loop.ev_running)
		pthread_join(svc->sv_loop.ev_thread, NULL);
	/* Whatever did not flush in time: calls the upper layer holds. */
	for (cn = svc->sv_conns; cn; cn = next) {
		next = cn->cn_next;
		for (i = 0; i < cn->cn_nctx; i++) {
			struct xr_svc_ctx *c = &cn->cn_ctxs[i];

			if (c->c_state == XR_SC_UPPER ||
			    c->c_state == XR_SC_SENDING)
				svc->sv_ops.sv_on_release(&c->c_pub, -ESHUTDOWN,
							  svc->sv_ctx);
			if (c->c_state != XR_SC_FREE) {
				uint32_t r;

				for (r = 0; r < c->c_nregs; r++)
					xr_core_dereg(&cn->cn_stats,
						      &c->c_regs[r]);
			}
		}
		xr_svc_unlink(cn);
		xr_svc_conn_free(cn);
	}
	for (i = 0; i < svc->sv_nareas; i++)
		xr_core_dereg(&svc->sv_stats, &svc->sv_areas[i].ar_reg);
	xr_listener_close(svc->sv_lis);
	xr_fabric_close(svc->sv_fab);
	xr_loop_fini(&svc->sv_loop);
	pthread_mutex_destroy(&svc->sv_area_lock);
	free(svc);
}

bool xr_svc_needs_local_reg(const struct xr_svc *svc)
{
	return xr_fabric_local_needs_reg(svc->sv_fab);
}

int xr_svc_add_area(struct xr_svc *svc, void *base, size_t len)
{
	struct xr_svc_area *ar;
	struct xr_core_stats st = {0};
	int ret;

	if (!svc || !base || !len)
		return -EINVAL;
	pthread_mutex_lock(&svc->sv_area_lock);
	if (svc->sv_nareas >= XR_SVC_MAX_AREAS) {
		pthread_mutex_unlock(&svc->sv_area_lock);
		return -ENOSPC;
	}
	ar = &svc->sv_areas[svc->sv_nareas];
	/* Plain local addresses (ofi): recorded for the counters only. */
	ret = xr_fabric_local_needs_reg(svc->sv_fab)
		  ? xr_core_reg(svc->sv_fab, &st, base, len, XR_ACCESS_LOCAL,
				&ar->ar_reg)
		  : 0;
	if (!ret) {
		ar->ar_base = base;
		ar->ar_len = len;
		__atomic_store_n(&svc->sv_nareas, svc->sv_nareas + 1,
				 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&svc->sv_area_lock);
	/* The engine's counters are the progress thread's, under its lock. */
	pthread_mutex_lock(&svc->sv_loop.ev_lock);
	xr_stats_add(&svc->sv_stats, &st);
	pthread_mutex_unlock(&svc->sv_loop.ev_lock);
	return ret;
}
