/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RPC-over-RDMA transport under the session client: struct sess_xprt
 * on top of the client engine (src/xprt_rdma/core/xr_clnt.h).
 *
 * How this works: a call's RPC header and encoded arguments form the
 * message head; a WRITE's data (tc_bulk_out) is the DDP-eligible payload,
 * which the engine offers to the server as a Read chunk straight from the
 * caller's buffer; READ data is requested through a Write chunk over the
 * caller's destination (tc_bulk_in), so it lands there without a copy and
 * the decoder is told so (tc_bulk_in_placed).  The reply message lands in
 * a buffer taken from a small free list (large replies arrive through the
 * Reply chunk the engine offers over it).  Calls block the calling thread;
 * many threads may call at once, up to the server's credits.
 *
 * Ganesha 4.3 refuses a backchannel over RDMA, and the engine carries no
 * server-to-client calls: set_cb_handler is accepted and unused, and the
 * session layer must not ask for CONN_BACK_CHAN on this transport.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sess_rpc.h"
#include "sess_xprt.h"
#include "sess_xprt_rdma.h"
#include "xr_clnt.h"

/* RPC header + COMPOUND arguments; a longer call goes Position-Zero. */
#define RDMA_HEAD_MAX (64u * 1024u)

/*
 * A reply buffer.  Buffers are reused by every call on the transport, and
 * a Reply chunk lets the server claim any length up to the offer without
 * writing a byte (RDMA Writes cannot be watched): bytes an earlier reply
 * left behind would then decode as this call's.  db_dirty bounds them -
 * the longest reply held since the buffer was last zeroed (or all of it
 * after a failed call, whose peer may have placed anything) - and the
 * bytes below it are zeroed before a Reply chunk is offered again.  New
 * buffers come zeroed, so no other memory of this process is ever seen.
 */
struct rdma_buf {
	struct rdma_buf *db_next;
	size_t db_dirty;
	uint8_t db_data[];
};

struct rdma_xprt {
	struct sess_xprt rx_base;
	struct xr_clnt *rx_clnt;
	struct xr_clnt_params rx_params;
	char rx_host[64];
	int rx_timeout_ms;
	uint32_t rx_next_xid;
	/* inline receive negotiated at the last connect (RFC 8797) */
	_Atomic uint32_t rx_inline_recv;

	pthread_mutex_t rx_lock;  /* stats and the buffer list; a leaf */
	struct rdma_buf *rx_free; /* reply buffers of x_max_record */
	struct sess_xprt_stats rx_stats;
};

static struct rdma_xprt *to_rdma(struct sess_xprt *x)
{
	return (struct rdma_xprt *)x;
}

static struct rdma_buf *buf_get(struct rdma_xprt *rx)
{
	struct rdma_buf *b;

	pthread_mutex_lock(&rx->rx_lock);
	b = rx->rx_free;
	if (b)
		rx->rx_free = b->db_next;
	pthread_mutex_unlock(&rx->rx_lock);
	if (!b)
		/*
		 * reply area, then the call's head (RDMA_HEAD_MAX); zeroed
		 * (for free: calloc maps fresh pages at this size)
		 */
		b = calloc(1, sizeof(*b) + rx->rx_base.x_max_record +
				  RDMA_HEAD_MAX);
	return b;
}

static void buf_put(struct rdma_xprt *rx, struct rdma_buf *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&rx->rx_lock);
	b->db_next = rx->rx_free;
	rx->rx_free = b;
	pthread_mutex_unlock(&rx->rx_lock);
}

static void stats_begin(struct rdma_xprt *rx)
{
	pthread_mutex_lock(&rx->rx_lock);
	rx->rx_stats.xt_calls++;
	if (++rx->rx_stats.xt_in_flight > rx->rx_stats.xt_max_in_flight)
		rx->rx_stats.xt_max_in_flight = rx->rx_stats.xt_in_flight;
	pthread_mutex_unlock(&rx->rx_lock);
}

static void stats_end(struct rdma_xprt *rx, const struct xr_clnt_req *req,
		      size_t out_bytes)
{
	pthread_mutex_lock(&rx->rx_lock);
	rx->rx_stats.xt_in_flight--;
	if (req->cr_status == 0) {
		rx->rx_stats.xt_replies++;
		rx->rx_stats.xt_bytes_out += out_bytes;
		rx->rx_stats.xt_bytes_in +=
		    req->cr_reply_len + req->cr_result_len;
	} else if (req->cr_status == -ETIMEDOUT) {
		rx->rx_stats.xt_timeouts++;
	} else if (req->cr_status == -EBADMSG) {
		rx->rx_stats.xt_bad_records++;
	}
	pthread_mutex_unlock(&rx->rx_lock);
}

static int rdma_call(struct sess_xprt *x, struct sess_xprt_call *c)
{
	struct rdma_xprt *rx = to_rdma(x);
	struct xr_clnt_req req = {0};
	struct iovec head;
	struct rdma_buf *reply = NULL;
	uint8_t *hbuf;
	uint32_t xid;
	size_t body;
	int hlen, alen, ret;

	if (c->tc_bulk_out_cnt < 0 ||
	    (uint32_t)c->tc_bulk_out_cnt > XR_MSG_MAX_RANGES)
		return -EINVAL;
	reply = buf_get(rx);
	if (!reply)
		return -ENOMEM;
	hbuf = reply->db_data + rx->rx_base.x_max_record;
	xid = __atomic_fetch_add(&rx->rx_next_xid, 1, __ATOMIC_RELAXED);
	hlen = sess_rpc_encode_call(hbuf, RDMA_HEAD_MAX, xid, c->tc_prog,
				    c->tc_vers, c->tc_proc, c->tc_cred);
	if (hlen < 0) {
		ret = hlen;
		goto out;
	}
	alen =
	    c->tc_encode(c->tc_encode_arg, hbuf + hlen, RDMA_HEAD_MAX - hlen);
	if (alen < 0) {
		ret = alen;
		goto out;
	}
	head = (struct iovec){hbuf, (size_t)hlen + (size_t)alen};
	req.cr_msg.xm_head = &head;
	req.cr_msg.xm_nhead = 1;
	req.cr_msg.xm_payload = c->tc_bulk_out;
	req.cr_msg.xm_npayload = c->tc_bulk_out ? c->tc_bulk_out_cnt : 0;
	req.cr_payload_ddp = req.cr_msg.xm_npayload > 0;
	req.cr_reply_buf = reply->db_data;
	req.cr_reply_cap = rx->rx_base.x_max_record;
	/*
	 * The session vouches the reply fits a receive of the usual 4 KiB:
	 * offer no Reply chunk, so no buffer is exposed to the server or
	 * registered.  A peer that negotiated less (RFC 8797 allows 1 KiB)
	 * gets one all the same.
	 */
	req.cr_reply_inline =
	    c->tc_reply_small &&
	    atomic_load(&rx->rx_inline_recv) >= SESS_XPRT_SMALL_REPLY_MAX;
	req.cr_result_buf = c->tc_bulk_in;
	req.cr_result_cap = c->tc_bulk_in ? c->tc_bulk_in_cap : 0;
	/*
	 * READ data lands by RDMA Write, which this side cannot watch: the
	 * length the server echoes in the Write chunk (and the READ count
	 * below it) is only the server's word.  The buffer - in the gateway
	 * Ganesha's, uninitialised, holding whatever the heap held - must
	 * then read as zeroes where a server claims bytes it never wrote,
	 * never as this process's memory: the engine sees to it
	 * (cr_result_scrub: it zeroes the buffer when it registers it for
	 * the server, and needs not when the data comes through its bounce
	 * pool, whose blocks hold nothing but zeroes and this connection's
	 * traffic, and copies out exactly the claimed bytes).  Bytes of
	 * another call cannot land here: the registration ends before a call
	 * returns, and a timed-out call drops the connection first
	 * (xr_clnt.c).
	 */
	req.cr_result_scrub = true;
	/*
	 * The same holds for the Reply chunk, offered over the reply buffer:
	 * zero what earlier replies left there (see struct rdma_buf), so
	 * that a server claiming a reply it never wrote yields zeroes, which
	 * fail the xid check below.  This costs the length of the previous
	 * reply, and only on calls that offer a Reply chunk; bytes that a
	 * server wrote beyond what it claimed are its own words, which it
	 * could as well write now, so they need no zeroing.
	 */
	if (!req.cr_reply_inline) {
		memset(reply->db_data, 0,
		       reply->db_dirty < req.cr_reply_cap ? reply->db_dirty
							  : req.cr_reply_cap);
		reply->db_dirty = 0;
	}

	stats_begin(rx);
	ret = xr_clnt_call(rx->rx_clnt, &req,
			   c->tc_timeout_ms ? c->tc_timeout_ms
					    : rx->rx_timeout_ms);
	stats_end(rx, &req, head.iov_len + c->tc_bulk_out_len);
	/*
	 * The engine says -ENOSPC when the send queue had no room (the call
	 * never went out); the session layer reads -ENOSPC as "too large"
	 * and -ENOBUFS as a shortage that calls in flight end (sess_seq.c).
	 */
	if (ret == -ENOSPC)
		ret = -ENOBUFS;
	if (ret) {
		reply->db_dirty = req.cr_reply_cap;
		goto out;
	}
	if (req.cr_reply_len > reply->db_dirty)
		reply->db_dirty = req.cr_reply_len;

	c->tc_bulk_in_placed = req.cr_result_len > 0;
	c->tc_bulk_in_placed_len = req.cr_result_len;
	ret =
	    sess_rpc_decode_reply(reply->db_data, req.cr_reply_len, xid, &body);
	if (ret == -EBADMSG) {
		pthread_mutex_lock(&rx->rx_lock);
		rx->rx_stats.xt_bad_records++;
		pthread_mutex_unlock(&rx->rx_lock);
	}
	if (!ret)
		ret = c->tc_decode(c->tc_decode_arg, reply->db_data + body,
				   req.cr_reply_len - body, c);
out:
	buf_put(rx, reply);
	return ret;
}

static int rdma_connect(struct sess_xprt *x)
{
	struct rdma_xprt *rx = to_rdma(x);
	char err[256] = "";
	int ret;

	if (!rx->rx_clnt) {
		ret = xr_clnt_create(&rx->rx_params, NULL, NULL, &rx->rx_clnt,
				     err, sizeof(err));
	} else {
		ret = xr_clnt_connect(rx->rx_clnt);
	}
	if (!ret) {
		uint32_t inline_send, inline_recv;

		xr_clnt_inline_sizes(rx->rx_clnt, &inline_send, &inline_recv);
		atomic_store(&rx->rx_inline_recv, inline_recv);
	}
	pthread_mutex_lock(&rx->rx_lock);
	if (!ret)
		rx->rx_stats.xt_connects++;
	pthread_mutex_unlock(&rx->rx_lock);
	return ret;
}

static void rdma_disconnect(struct sess_xprt *x)
{
	struct rdma_xprt *rx = to_rdma(x);

	if (!rx->rx_clnt)
		return;
	xr_clnt_disconnect(rx->rx_clnt);
	pthread_mutex_lock(&rx->rx_lock);
	rx->rx_stats.xt_disconnects++;
	pthread_mutex_unlock(&rx->rx_lock);
}

static void rdma_set_cb_handler(struct sess_xprt *x, sess_cb_handler_fn fn,
				void *ctx)
{
	/* No backchannel over RDMA (see the top of this file). */
}

static void rdma_get_stats(struct sess_xprt *x, struct sess_xprt_stats *st)
{
	struct rdma_xprt *rx = to_rdma(x);

	struct xr_core_stats es;

	pthread_mutex_lock(&rx->rx_lock);
	*st = rx->rx_stats;
	pthread_mutex_unlock(&rx->rx_lock);
	/* The engine lives from the first connect to destroy. */
	if (!rx->rx_clnt)
		return;
	xr_clnt_get_stats(rx->rx_clnt, &es);
	st->xt_rdma_read_bytes = es.cs_rdma_read_bytes;
	st->xt_rdma_write_bytes = es.cs_rdma_write_bytes;
	st->xt_payload_bytes_copied = es.cs_payload_bytes_copied;
	st->xt_registered_bytes = es.cs_registered_bytes;
	st->xt_registered_per_conn = es.cs_registered_per_conn;
	st->xt_registrations = es.cs_reg_calls;
	st->xt_deregistrations = es.cs_dereg_calls;
	st->xt_bounce_hits = es.cs_bounce_hits;
	st->xt_bounce_misses = es.cs_bounce_misses;
	st->xt_bounce_bytes_copied = es.cs_bounce_bytes_copied;
	st->xt_caller_wakeups = es.cs_caller_wakeups;
	st->xt_caller_drives = es.cs_caller_drives;
	st->xt_loop_wakeups = es.cs_loop_wakeups;
}

static void rdma_destroy(struct sess_xprt *x)
{
	struct rdma_xprt *rx = to_rdma(x);
	struct rdma_buf *b;

	if (rx->rx_clnt)
		xr_clnt_destroy(rx->rx_clnt);
	while ((b = rx->rx_free)) {
		rx->rx_free = b->db_next;
		free(b);
	}
	pthread_mutex_destroy(&rx->rx_lock);
	free(rx);
}

static const struct sess_xprt_ops rdma_ops = {
    .name = "rdma",
    .call = rdma_call,
    .connect = rdma_connect,
    .disconnect = rdma_disconnect,
    .set_cb_handler = rdma_set_cb_handler,
    .get_stats = rdma_get_stats,
    .destroy = rdma_destroy,
};

struct sess_xprt *sess_xprt_rdma_create(const struct sess_xprt_rdma_opts *o)
{
	struct rdma_xprt *rx;
	struct timespec now;

	if (!o || !o->host || strlen(o->host) >= sizeof(rx->rx_host)) {
		errno = EINVAL;
		return NULL;
	}
	rx = calloc(1, sizeof(*rx));
	if (!rx) {
		errno = ENOMEM;
		return NULL;
	}
	snprintf(rx->rx_host, sizeof(rx->rx_host), "%s", o->host);
	rx->rx_params = (struct xr_clnt_params){
	    .cp_backend = o->fabric ? o->fabric : "ofi",
	    .cp_provider = o->provider,
	    .cp_addr = rx->rx_host,
	    .cp_port = o->port ? o->port : 20049,
	    .cp_credits = o->credits,
	    .cp_inline = o->inline_size,
	};
	rx->rx_timeout_ms = o->timeout_ms ? o->timeout_ms : 60000;
	rx->rx_base.x_ops = &rdma_ops;
	rx->rx_base.x_max_record =
	    o->max_record ? o->max_record : (size_t)1024 * 1024 + 64 * 1024;
	rx->rx_base.x_is_rdma = true;
	rx->rx_base.x_rdma_ird = 16;
	clock_gettime(CLOCK_REALTIME, &now);
	rx->rx_next_xid = (uint32_t)(now.tv_nsec ^ now.tv_sec ^ getpid());
	pthread_mutex_init(&rx->rx_lock, NULL);
	return &rx->rx_base;
}
