/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RDMA SVCXPRT: how RPC-over-RDMA calls reach Ganesha and how its
 * replies leave.
 *
 * Connections: when the engine reports a new connection (sv_on_connect) we
 * make an SVCXPRT of type XPRT_RDMA with our own xp_ops, give it the peer's
 * address (the DRC, NFSv4.0 client records and export access checks key on
 * it) and pass it to Ganesha's NFS rendezvous callback, which installs
 * Ganesha's request handler and per-connection DRC.  ntirpc's event
 * channels are not used: the engine's progress thread and our workers drive
 * everything.  When the engine reports the connection gone we destroy the
 * xprt; it is freed when Ganesha drops its last reference.
 *
 * Calls: the engine's progress thread queues each call (sv_on_call) to a
 * pool of workers - it must never block in an NFS operation.  A worker
 * builds Ganesha's request the way Ganesha's own allocator does, decodes
 * straight from the engine's byte ranges (xr_gsh_xdr_in) and runs Ganesha's
 * process_cb.  Ganesha answers through svc_sendreply() -> our xp_reply,
 * which encodes the reply (READ data set aside for the Write chunk when
 * the client offered one) and gives it to the engine.  Lifetime of our
 * per-call state: one reference for the worker, one for the engine (put in
 * sv_on_release, after the reply's send completed), so READ data and the
 * encode buffer live exactly as long as the RDMA operations need them.
 * A call Ganesha does not answer (a DRC duplicate in progress, a dropped
 * request) is given back to the engine with xr_svc_drop().
 *
 * Denials: before ntirpc decodes a call, the worker reads its header
 * (xr_gsh_rpccall.c).  A call RFC 5531 says must be denied - RPC version
 * other than 2, a credential or verifier cut off or over 400 bytes, which
 * ntirpc's decoder would drop in silence - is answered right there with
 * MSG_DENIED, sent inline through the engine like any reply.  With an
 * Exports list (xr_gsh_exports.h), an NFSv3 or NFSACL call whose handle
 * names an export not served over RDMA is denied the same way
 * (AUTH_TOOWEAK).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "log.h"
#include "gsh_rpc.h"
#include "nfs_core.h"
#include "nfs_proto_data.h"
#include "nfsv41.h"
#include "city.h"

#include "xr_svc.h"
#include "xr_gsh_compat.h"
#include "xr_gsh_xdr.h"
#include "xr_gsh_xprt.h"
#include "xr_gsh_rpccall.h"
#include "xr_gsh_exports.h"
#include "xr_gsh_seqflags.h"
#include "gr_prom.h"
#include "gr_arena.h"

struct xr_gsh_server {
	struct xr_svc *xs_engine;
	struct xr_gsh_dispatch xs_dispatch;
	xdr_uio_release xs_read4_release;
	uint32_t xs_max_response;

	pthread_mutex_t xs_lock; /* the queue below; a leaf */
	pthread_cond_t xs_cond;	 /* workers wait for a call */
	struct xr_gsh_call *xs_head, *xs_tail;
	uint32_t xs_queued;
	pthread_t *xs_workers;
	uint32_t xs_nworkers;

	/*
	 * Reply encode buffers (Max_Response_Size each) are recycled: a
	 * fresh 1 MiB malloc is an mmap and munmap per reply.  Only pages a
	 * reply touched stay resident; at most XS_IDLE_BUFS are kept idle.
	 */
	pthread_mutex_t xs_buf_lock; /* the idle list below; a leaf */
	struct xr_reply_buf *xs_idle_bufs;
	uint32_t xs_nidle;
	/*
	 * The reply pool (reply_pool_start()): where the fabric needs local
	 * registrations, encode buffers come first from xs_rp_count slots
	 * of xs_rp_stride bytes in one mapping registered once (local
	 * access), so that a reply sent through a Reply chunk needs no
	 * registration.  A free slot's index is on xs_rp_free (under
	 * xs_buf_lock); the mapping lives as long as the process.
	 */
	uint8_t *xs_rp_base;
	size_t xs_rp_stride;
	uint32_t xs_rp_count;
	uint32_t *xs_rp_free;
	uint32_t xs_rp_nfree;
	uint64_t xs_rp_gets;   /* buffers taken from the pool */
	uint64_t xs_rp_misses; /* pool empty: malloc (registered per reply) */

	/* Counters (atomics; read for reports). */
	uint64_t xs_requests;
	uint64_t xs_replies;
	uint64_t xs_dropped;
	uint64_t xs_decode_errors;
	uint64_t xs_ddp_replies;
	uint64_t xs_ddp_bytes;
	uint64_t xs_payload_copied; /* READ data copied (no Write chunk) */
	uint64_t xs_read_no_chunk;  /* replies with READ data copied */
	uint64_t xs_cb_down_hidden; /* xr_gsh_seqflags.c */
	uint64_t xs_other_copied;   /* other uio data copied inline */
	uint64_t xs_write_copied;   /* Read chunk data copied by decoders */
	uint64_t xs_xprts_live;
	uint64_t xs_denied_mismatch; /* RPC version other than 2 */
	uint64_t xs_denied_auth;     /* bad credential or verifier */

	/*
	 * The READ arena (xr_gsh_preload_arena.c), when the preload has one
	 * and the fabric needs local registrations: workers arm it while
	 * Ganesha runs their call.  Set before the workers run any call.
	 */
	void (*xs_arena_arm)(int on);
	int (*xs_arena_stats)(struct gr_arena_stats *out);
	/* Ganesha 4.3's NFSv3 READ: the length of the next malloc() */
	void (*xs_arena_expect)(size_t len);
	size_t xs_arena_block; /* the arena's largest block */
};

#define XS_IDLE_BUFS 64
/* The reply pool's mapping, at most (pinned on verbs). */
#define XR_GSH_REPLY_POOL_MAX ((size_t)32 << 20)
/* READ arena blocks: at least a page's worth of 4 KiB pages; at most. */
#define XR_GSH_ARENA_MIN_BLOCK ((size_t)GR_ARENA_PAGE)
#define XR_GSH_ARENA_MAX ((size_t)64 << 20)

struct xr_reply_buf {
	struct xr_reply_buf *bf_next; /* while idle */
};

struct xr_gsh_xprt {
	SVCXPRT xx_xprt;
	struct xr_gsh_server *xx_server;
	svc_xprt_fun_t xx_free_user_data;
};

struct xr_gsh_call {
	struct xr_gsh_call *gc_next; /* worker queue */
	struct xr_msg gc_msg;	     /* the reply; unused for a drop */
	struct xr_svc_call *gc_call;
	struct xr_gsh_xprt *gc_xprt;
	struct xr_gsh_xdr_in gc_in;
	struct xr_gsh_xdr_out gc_out;
	struct xr_gsh_server *gc_srv;
	char *gc_buf;
	/* head, payload (one per buffer of Ganesha's), tail of the reply */
	struct iovec gc_iov[2 + XR_GSH_XDR_MAX_PAYLOAD];
	xdrproc_t gc_results_proc; /* saved around SVCAUTH_WRAP */
	void *gc_results_where;
	int gc_refs;
	bool gc_replied;
	uint8_t gc_denial[24]; /* an RPC denial sent instead */
};

/* What Ganesha sees as its request; nfs_request_t must come first. */
struct xr_gsh_req {
	nfs_request_t gq_nfs;
	struct xr_gsh_call *gq_call;
};

static struct xp_ops xr_gsh_xp_ops;

static bool reply_pool_owns(const struct xr_gsh_server *srv, const char *p)
{
	return srv->xs_rp_base && (const uint8_t *)p >= srv->xs_rp_base &&
	       (size_t)((const uint8_t *)p - srv->xs_rp_base) <
		   (size_t)srv->xs_rp_count * srv->xs_rp_stride;
}

static char *reply_buf_get(struct xr_gsh_server *srv)
{
	struct xr_reply_buf *b;

	PTHREAD_MUTEX_lock(&srv->xs_buf_lock);
	if (srv->xs_rp_nfree) {
		uint32_t i = srv->xs_rp_free[--srv->xs_rp_nfree];

		srv->xs_rp_gets++;
		PTHREAD_MUTEX_unlock(&srv->xs_buf_lock);
		return (char *)srv->xs_rp_base + (size_t)i * srv->xs_rp_stride;
	}
	if (srv->xs_rp_base)
		srv->xs_rp_misses++;
	b = srv->xs_idle_bufs;
	if (b) {
		srv->xs_idle_bufs = b->bf_next;
		srv->xs_nidle--;
	}
	PTHREAD_MUTEX_unlock(&srv->xs_buf_lock);
	return b ? (char *)b : malloc(srv->xs_max_response);
}

static void reply_buf_put(struct xr_gsh_server *srv, char *buf)
{
	struct xr_reply_buf *b = (struct xr_reply_buf *)buf;

	if (!buf)
		return;
	PTHREAD_MUTEX_lock(&srv->xs_buf_lock);
	if (reply_pool_owns(srv, buf)) {
		/* After the engine released the call (gs_on_release). */
		srv->xs_rp_free[srv->xs_rp_nfree++] =
		    (uint32_t)(((uint8_t *)buf - srv->xs_rp_base) /
			       srv->xs_rp_stride);
		PTHREAD_MUTEX_unlock(&srv->xs_buf_lock);
		return;
	}
	if (srv->xs_nidle < XS_IDLE_BUFS) {
		b->bf_next = srv->xs_idle_bufs;
		srv->xs_idle_bufs = b;
		srv->xs_nidle++;
		buf = NULL;
	}
	PTHREAD_MUTEX_unlock(&srv->xs_buf_lock);
	free(buf);
}

static void call_put(struct xr_gsh_call *gc)
{
	if (__atomic_sub_fetch(&gc->gc_refs, 1, __ATOMIC_ACQ_REL) == 0) {
		reply_buf_put(gc->gc_srv, gc->gc_buf);
		free(gc);
	}
}

static void count(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

/*
 * Give a reply (gc_replied) or a drop to the engine, from this worker: on
 * a fabric that takes no posts from a worker whose credentials changed
 * (verbs), the engine hands it to its progress thread itself.
 */
static void send_one(struct xr_gsh_call *gc)
{
	int rc;

	if (!gc->gc_replied) {
		xr_svc_drop(gc->gc_call);
		return;
	}
	rc = xr_svc_reply(gc->gc_call, &gc->gc_msg);
	if (rc)
		LogDebug(COMPONENT_DISPATCH, "NFS_RDMA: reply not sent: %d",
			 rc);
	/* Either way the engine releases the call: sv_on_release. */
}

/* ------------------------------------------------------------- xp_ops */

static enum xprt_stat gx_stat(SVCXPRT *xprt)
{
	if (xprt->xp_flags & SVC_XPRT_FLAG_DESTROYED)
		return XPRT_DESTROYED;
	return XPRT_IDLE;
}

static enum xprt_stat gx_recv(SVCXPRT *xprt)
{
	/* Never called: the engine delivers calls, not ntirpc. */
	return XPRT_IDLE;
}

static enum xprt_stat gx_decode(struct svc_req *req)
{
	struct xr_gsh_req *gr =
	    container_of(req, struct xr_gsh_req, gq_nfs.svc);
	SVCXPRT *xprt = req->rq_xprt;

	req->rq_xdrs->x_op = XDR_DECODE;
	rpc_msg_init(&req->rq_msg);
	if (!xdr_dplx_decode(req->rq_xdrs, &req->rq_msg)) {
		count(&gr->gq_call->gc_xprt->xx_server->xs_decode_errors, 1);
		LogInfo(
		    COMPONENT_DISPATCH,
		    "NFS_RDMA: undecodable RPC message from an RDMA client, dropped");
		return XPRT_IDLE;
	}
	/* Ganesha 4.3 runs no backchannel over RDMA: only calls come here. */
	if (req->rq_msg.rm_direction != CALL)
		return XPRT_IDLE;
	return xprt->xp_dispatch.process_cb(req);
}

/*
 * xdr_nreplymsg() encodes results with ar_results.proc; RPCSEC_GSS needs
 * them wrapped, so the proc is swapped for this trampoline, which puts the
 * original back and lets SVCAUTH_WRAP call it.
 */
static bool gx_wrap_results(XDR *xdrs, void *where)
{
	struct svc_req *req = where;
	struct xr_gsh_req *gr =
	    container_of(req, struct xr_gsh_req, gq_nfs.svc);

	req->rq_msg.RPCM_ack.ar_results.proc = gr->gq_call->gc_results_proc;
	req->rq_msg.RPCM_ack.ar_results.where = gr->gq_call->gc_results_where;
	return SVCAUTH_WRAP(req, xdrs);
}

_Static_assert(XR_GSH_XDR_MAX_PAYLOAD <= XR_MSG_MAX_RANGES,
	       "a DDP payload must fit the engine's payload run");

static void gx_build_msg(struct xr_gsh_call *gc, struct xr_msg *msg)
{
	struct iovec *head = &gc->gc_iov[0], *payload = &gc->gc_iov[1],
		     *tail = &gc->gc_iov[1 + XR_GSH_XDR_MAX_PAYLOAD];
	uint32_t npayload;

	npayload = xr_gsh_xdr_out_split(&gc->gc_out, head, payload, tail);
	*msg = (struct xr_msg){
	    .xm_head = head,
	    .xm_nhead = 1,
	    .xm_payload = payload,
	    .xm_npayload = npayload,
	    .xm_tail = tail,
	    .xm_ntail = tail->iov_len ? 1 : 0,
	};
}

static enum xprt_stat gx_reply(struct svc_req *req)
{
	struct xr_gsh_req *gr =
	    container_of(req, struct xr_gsh_req, gq_nfs.svc);
	struct xr_gsh_call *gc = gr->gq_call;
	struct xr_gsh_server *srv = gc->gc_xprt->xx_server;
	struct xr_msg msg;

	if (gc->gc_replied)
		return XPRT_IDLE;
	gc->gc_buf = reply_buf_get(srv);
	if (!gc->gc_buf)
		return XPRT_DIED;
	xr_gsh_xdr_out_init(&gc->gc_out, gc->gc_buf, srv->xs_max_response,
			    srv->xs_read4_release, gc->gc_call->ac_nwrite > 0);
	/* NFSv3 READ data: recognised by the procedure, not the release. */
	gc->gc_out.xo_ddp_any =
	    req->rq_msg.cb_prog == nfs_param.core_param.program[P_NFS] &&
	    req->rq_msg.cb_vers == NFS_V3 &&
	    req->rq_msg.cb_proc == NFSPROC3_READ;
	if (req->rq_msg.rm_reply.rp_stat == MSG_ACCEPTED &&
	    req->rq_msg.RPCM_ack.ar_stat == SUCCESS && req->rq_auth) {
		gc->gc_results_proc = req->rq_msg.RPCM_ack.ar_results.proc;
		gc->gc_results_where = req->rq_msg.RPCM_ack.ar_results.where;
		req->rq_msg.RPCM_ack.ar_results.proc = gx_wrap_results;
		req->rq_msg.RPCM_ack.ar_results.where = req;
	}
	if (!xdr_nreplymsg(&gc->gc_out.xo_xdrs, &req->rq_msg)) {
		LogCrit(
		    COMPONENT_DISPATCH,
		    "NFS_RDMA: cannot encode the reply to xid %u (more than %u bytes?)",
		    req->rq_msg.rm_xid, srv->xs_max_response);
		xr_gsh_xdr_out_release(&gc->gc_out);
		return XPRT_DIED;
	}
	gx_build_msg(gc, &msg);
	/*
	 * No backchannel over RDMA in Ganesha 4.3: with delegations off no
	 * callback is ever needed, so "callback path down" is not news and
	 * must not send the client into rebinding (xr_gsh_seqflags.c).
	 */
	if (req->rq_msg.cb_prog == nfs_param.core_param.program[P_NFS] &&
	    req->rq_msg.cb_vers == NFS_V4 &&
	    req->rq_msg.cb_proc == NFSPROC4_COMPOUND &&
	    !nfs_param.nfsv4_param.allow_delegations &&
	    xr_gsh_seq_hide_cb_path_down(msg.xm_head[0].iov_base,
					 msg.xm_head[0].iov_len))
		count(&srv->xs_cb_down_hidden, 1);
	count(&srv->xs_payload_copied, gc->gc_out.xo_copied);
	count(&srv->xs_other_copied, gc->gc_out.xo_copied_other);
	/* The arguments are decoded by now: WRITE data copied out of the
	 * landing area (Ganesha's xdr_bytes decode) is known. */
	count(&srv->xs_write_copied, gc->gc_in.xi_chunk_copied);
	if (gc->gc_out.xo_copied)
		count(&srv->xs_read_no_chunk, 1);
	if (msg.xm_npayload) {
		uint32_t i;

		count(&srv->xs_ddp_replies, 1);
		for (i = 0; i < msg.xm_npayload; i++)
			count(&srv->xs_ddp_bytes, msg.xm_payload[i].iov_len);
	}
	gc->gc_replied = true;
	gc->gc_msg = msg;
	count(&srv->xs_replies, 1);
	send_one(gc);
	return XPRT_IDLE;
}

static void gx_checksum(struct svc_req *req, void *data, size_t length)
{
	req->rq_cksum = CityHash64(data, MIN(256, length));
}

static void gx_unlink(SVCXPRT *xprt, u_int flags, const char *tag,
		      const int line)
{
}

static void gx_destroy(SVCXPRT *xprt, u_int flags, const char *tag,
		       const int line)
{
	struct xr_gsh_xprt *gx =
	    container_of(xprt, struct xr_gsh_xprt, xx_xprt);

	if (gx->xx_free_user_data)
		gx->xx_free_user_data(xprt); /* Ganesha's per-xprt DRC */
	if (xprt->xp_parent)
		SVC_RELEASE(xprt->xp_parent, SVC_RELEASE_FLAG_NONE);
	count(&gx->xx_server->xs_xprts_live, -1);
	PTHREAD_MUTEX_destroy(&xprt->xp_lock);
	gsh_free(gx);
}

static bool gx_control(SVCXPRT *xprt, const u_int rq, void *in)
{
	struct xr_gsh_xprt *gx =
	    container_of(xprt, struct xr_gsh_xprt, xx_xprt);

	switch (rq) {
	case SVCGET_XP_FREE_USER_DATA:
		*(svc_xprt_fun_t *)in = gx->xx_free_user_data;
		return true;
	case SVCSET_XP_FREE_USER_DATA:
		gx->xx_free_user_data = (svc_xprt_fun_t)in;
		return true;
	case SVCGET_XP_FLAGS:
		*(u_int *)in = xprt->xp_flags;
		return true;
	default:
		return xr_gsh_compat_control(xprt, rq, in);
	}
}

static struct xp_ops xr_gsh_xp_ops = {
    .xp_recv = gx_recv,
    .xp_stat = gx_stat,
    .xp_decode = gx_decode,
    .xp_reply = gx_reply,
    .xp_checksum = gx_checksum,
    .xp_unlink = gx_unlink,
    .xp_destroy = gx_destroy,
    .xp_control = gx_control,
};

/* ------------------------------------------------------- engine events */

static void gs_on_connect(struct xr_svc_conn *conn, void *ctx)
{
	struct xr_gsh_server *srv = ctx;
	struct xr_gsh_xprt *gx = gsh_calloc(1, sizeof(*gx));
	SVCXPRT *xprt = &gx->xx_xprt;
	socklen_t len;

	gx->xx_server = srv;
	gx->xx_free_user_data = srv->xs_dispatch.xsd_free_user_data;
	xprt->xp_ops = &xr_gsh_xp_ops;
	xprt->xp_fd = -1;
	xprt->xp_fd_send = -1;
	xprt->xp_type = XPRT_RDMA;
	xprt->xp_netid = (char *)"rdma";
	xprt->xp_refcnt = 1;
	xprt->xp_flags = SVC_XPRT_FLAG_INITIAL | SVC_XPRT_FLAG_INITIALIZED;
	PTHREAD_MUTEX_init(&xprt->xp_lock, NULL);
	__rpc_address_setup(&xprt->xp_remote);
	__rpc_address_setup(&xprt->xp_local);
	if (xr_svc_conn_addrs(conn, &xprt->xp_local.ss, &xprt->xp_remote.ss))
		LogWarn(COMPONENT_DISPATCH,
			"NFS_RDMA: the fabric cannot tell a client's address");
	len = xprt->xp_remote.ss.ss_family == AF_INET6
		  ? sizeof(struct sockaddr_in6)
		  : sizeof(struct sockaddr_in);
	xprt->xp_remote.nb.len = len;
	xprt->xp_local.nb.len = len;

	SVC_REF(srv->xs_dispatch.xsd_parent, SVC_REF_FLAG_NONE);
	xprt->xp_parent = srv->xs_dispatch.xsd_parent;
	count(&srv->xs_xprts_live, 1);
	/* Ganesha installs process_cb and its per-connection user data. */
	if (srv->xs_dispatch.xsd_rendezvous(xprt) != XPRT_IDLE ||
	    xr_gsh_compat_xprt_ready(xprt) != XPRT_IDLE) {
		LogCrit(COMPONENT_DISPATCH,
			"NFS_RDMA: Ganesha refused a new RDMA connection");
		SVC_DESTROY(xprt);
		return;
	}
	xr_svc_conn_set_ctx(conn, gx);
}

static void gs_on_disconnect(struct xr_svc_conn *conn, void *ctx)
{
	struct xr_gsh_xprt *gx = xr_svc_conn_ctx(conn);

	if (!gx)
		return;
	xr_svc_conn_set_ctx(conn, NULL);
	/* Requests still in Ganesha hold references; the last one frees. */
	SVC_DESTROY(&gx->xx_xprt);
}

static void gs_on_call(struct xr_svc_call *call, void *ctx)
{
	struct xr_gsh_server *srv = ctx;
	struct xr_gsh_xprt *gx = xr_svc_conn_ctx(call->ac_conn);
	struct xr_gsh_call *gc;

	gc = gx ? calloc(1, sizeof(*gc)) : NULL;
	if (!gc) {
		xr_svc_drop(call);
		return;
	}
	gc->gc_call = call;
	gc->gc_xprt = gx;
	gc->gc_srv = srv;
	gc->gc_refs = 2; /* the worker's and the engine's */
	call->ac_upper = gc;
	/* The worker may run after a disconnect: keep the xprt alive. */
	SVC_REF(&gx->xx_xprt, SVC_REF_FLAG_NONE);
	count(&srv->xs_requests, 1);

	PTHREAD_MUTEX_lock(&srv->xs_lock);
	if (srv->xs_tail)
		srv->xs_tail->gc_next = gc;
	else
		srv->xs_head = gc;
	srv->xs_tail = gc;
	srv->xs_queued++;
	pthread_cond_signal(&srv->xs_cond);
	PTHREAD_MUTEX_unlock(&srv->xs_lock);
}

static void gs_on_release(struct xr_svc_call *call, int status, void *ctx)
{
	struct xr_gsh_call *gc = call->ac_upper;

	if (!gc)
		return;
	xr_gsh_xdr_out_release(&gc->gc_out);
	call_put(gc);
}

static const struct xr_svc_ops gs_engine_ops = {
    .sv_on_call = gs_on_call,
    .sv_on_release = gs_on_release,
    .sv_on_connect = gs_on_connect,
    .sv_on_disconnect = gs_on_disconnect,
};

/* ------------------------------------------------------------- workers */

/* Answer a call with an RPC denial, inline, instead of running it. */
static void gw_deny(struct xr_gsh_server *srv, struct xr_gsh_call *gc,
		    const struct xr_gsh_rpc_call *call,
		    enum xr_gsh_rpc_verdict verdict)
{
	size_t len = xr_gsh_rpc_denial_encode(
	    call->rc_xid, verdict, gc->gc_denial, sizeof(gc->gc_denial));

	if (verdict == XR_GSH_RPC_DENY_TOOWEAK)
		xr_gsh_exports_count_v3();
	else
		count(verdict == XR_GSH_RPC_DENY_MISMATCH
			  ? &srv->xs_denied_mismatch
			  : &srv->xs_denied_auth,
		      1);
	LogDebug(COMPONENT_DISPATCH, "NFS_RDMA: call xid %u denied (%s)",
		 call->rc_xid,
		 verdict == XR_GSH_RPC_DENY_MISMATCH  ? "RPC version"
		 : verdict == XR_GSH_RPC_DENY_BADCRED ? "bad credential"
		 : verdict == XR_GSH_RPC_DENY_BADVERF
		     ? "bad verifier"
		     : "export not served over RDMA");
	gc->gc_iov[0] = (struct iovec){gc->gc_denial, len};
	gc->gc_msg = (struct xr_msg){.xm_head = &gc->gc_iov[0], .xm_nhead = 1};
	gc->gc_replied = len > 0;
	if (gc->gc_replied)
		count(&srv->xs_replies, 1);
	else
		count(&srv->xs_dropped, 1);
	send_one(gc);
}

/*
 * With an Exports list: deny an NFSv3/NFSACL call whose handle names
 * an export not served over RDMA, or whose arguments RPCSEC_GSS privacy
 * hides (its export cannot be known before Ganesha runs it).
 */
static enum xr_gsh_rpc_verdict
gw_export_verdict(struct xr_gsh_call *gc, const struct xr_gsh_rpc_call *call)
{
	struct xr_gsh_rpc_call as_ganesha = *call;
	uint16_t id = 0;
	int rc;

	/* Ganesha's program numbers are configurable (NFS_Program, ...). */
	if (call->rc_prog == nfs_param.core_param.program[P_NFS])
		as_ganesha.rc_prog = XR_GSH_RPC_PROG_NFS;
#ifdef USE_NFSACL3
	else if (call->rc_prog == nfs_param.core_param.program[P_NFSACL])
		as_ganesha.rc_prog = XR_GSH_RPC_PROG_NFSACL;
#endif
	else
		return XR_GSH_RPC_PASS; /* not dispatched on RDMA connections */
	rc = xr_gsh_rpc_call_export(gc->gc_call->ac_msg, gc->gc_call->ac_nmsg,
				    &as_ganesha, &id);
	if (rc == -EACCES || (rc == 1 && !xr_gsh_export_on_rdma(id))) {
		LogInfo(
		    COMPONENT_EXPORT,
		    "NFS_RDMA: program %u version %u call for Export_Id %u refused: not served over RDMA (NFS_RDMA Exports)",
		    call->rc_prog, call->rc_vers, id);
		return XR_GSH_RPC_DENY_TOOWEAK;
	}
	return XR_GSH_RPC_PASS;
}

/*
 * Ganesha 4.3's NFSv3 READ buffer is a malloc() no hook sees: say its
 * length to the preload so that the next malloc() of it on this worker
 * comes from the READ arena (xr_gsh_preload_arena.c).  Returns whether
 * it said one (the caller clears it after Ganesha's dispatch).
 */
static bool gw_expect_read3(struct xr_gsh_server *srv, struct xr_gsh_call *gc,
			    const struct xr_gsh_rpc_call *call)
{
	struct xr_gsh_rpc_call as_ganesha = *call;
	uint32_t cnt;
	size_t len;

	if (!srv->xs_arena_expect ||
	    call->rc_prog != nfs_param.core_param.program[P_NFS])
		return false;
	as_ganesha.rc_prog = XR_GSH_RPC_PROG_NFS;
	if (xr_gsh_rpc_call_read3_count(gc->gc_call->ac_msg,
					gc->gc_call->ac_nmsg, &as_ganesha,
					&cnt) != 1 ||
	    !xr_gsh_compat_read3_len(cnt, &len) || len > srv->xs_arena_block)
		return false;
	srv->xs_arena_expect(len);
	return true;
}

/* Mirrors what ntirpc's svc_request() does around a TCP request. */
static void gw_run(struct xr_gsh_server *srv, struct xr_gsh_call *gc)
{
	SVCXPRT *xprt = &gc->gc_xprt->xx_xprt;
	struct xr_gsh_rpc_call call;
	enum xr_gsh_rpc_verdict verdict;
	struct xr_gsh_req *gr;
	enum xprt_stat stat;
	bool expect;
	uint32_t i;

	if (xr_gsh_xdr_in_init(&gc->gc_in, gc->gc_call->ac_msg,
			       gc->gc_call->ac_nmsg) != 0)
		goto out_drop;
	verdict = xr_gsh_rpc_call_check(gc->gc_call->ac_msg,
					gc->gc_call->ac_nmsg, &call);
	if (verdict == XR_GSH_RPC_PASS && xr_gsh_exports_restricted())
		verdict = gw_export_verdict(gc, &call);
	if (verdict != XR_GSH_RPC_PASS) {
		gw_deny(srv, gc, &call, verdict);
		return;
	}
	for (i = 0; i < gc->gc_call->ac_nchunks; i++)
		xr_gsh_xdr_in_mark_chunk(&gc->gc_in,
					 gc->gc_call->ac_chunk_range[i]);
	gr = gsh_calloc(1, sizeof(*gr));
	gr->gq_call = gc;
	SVC_REF(xprt, SVC_REF_FLAG_NONE);
	gr->gq_nfs.svc.rq_xprt = xprt;
	gr->gq_nfs.svc.rq_xdrs = &gc->gc_in.xi_xdrs;
	gr->gq_nfs.svc.rq_refcnt = 1;
	TAILQ_INIT_ENTRY(&gr->gq_nfs, dupes);

	expect = gw_expect_read3(srv, gc, &call);
	if (srv->xs_arena_arm)
		srv->xs_arena_arm(1);
	stat = SVC_DECODE(&gr->gq_nfs.svc);
	if (srv->xs_arena_arm)
		srv->xs_arena_arm(0);
	if (expect)
		srv->xs_arena_expect(0);
	if (stat == XPRT_SUSPEND)
		return; /* Ganesha resumes and frees the request itself */
	if (gr->gq_nfs.svc.rq_auth)
		SVCAUTH_RELEASE(&gr->gq_nfs.svc);
	if (!gc->gc_replied) {
		count(&srv->xs_dropped, 1);
		send_one(gc);
	}
	gsh_free(gr);
	SVC_RELEASE(xprt, SVC_RELEASE_FLAG_NONE);
	return;

out_drop:
	count(&srv->xs_dropped, 1);
	send_one(gc);
}

static void *gw_thread(void *arg)
{
	struct xr_gsh_server *srv = arg;

	SetNameFunction("rdma_worker");
	for (;;) {
		struct xr_gsh_call *gc;
		SVCXPRT *xprt;

		PTHREAD_MUTEX_lock(&srv->xs_lock);
		while (!srv->xs_head)
			pthread_cond_wait(&srv->xs_cond, &srv->xs_lock);
		gc = srv->xs_head;
		srv->xs_head = gc->gc_next;
		if (!srv->xs_head)
			srv->xs_tail = NULL;
		srv->xs_queued--;
		PTHREAD_MUTEX_unlock(&srv->xs_lock);

		xprt = &gc->gc_xprt->xx_xprt;
		gw_run(srv, gc);
		call_put(gc);
		SVC_RELEASE(xprt, SVC_RELEASE_FLAG_NONE);
	}
	return NULL;
}

/* ----------------------------------------------------------- start-up */

typedef int (*arena_setup_fn)(size_t size, size_t max_block, void **base,
			      size_t *len);

/*
 * READ buffers from an area registered once (docs/architecture.md,
 * "Memory registration"): only where the fabric needs local
 * registrations (GANESHA_RDMA_READ_ARENA overrides: see below) and
 * the preload library that serves the arena is in the process.  Room for two
 * READs of Max_Response_Size per worker (at least 8, at most 64 MiB); a READ
 * that does not fit goes to malloc and its reply is registered on its own, as
 * before.
 */
static void arena_start(struct xr_gsh_server *srv,
			const struct xr_gsh_conf *conf)
{
	arena_setup_fn setup;
	size_t block = XR_GSH_ARENA_MIN_BLOCK, size, len;
	const char *force;
	void (*set_read_len)(int (*)(void *, size_t *));
	void *base;
	int rc;

	/*
	 * GANESHA_RDMA_READ_ARENA=1 makes it on ofi too (tests run Ganesha's
	 * READs through it there), =0 never (bench: before/after side by
	 * side in one run).
	 */
	force = getenv("GANESHA_RDMA_READ_ARENA");
	if (force && !strcmp(force, "0"))
		return;
	if (!xr_svc_needs_local_reg(srv->xs_engine) &&
	    !(force && !strcmp(force, "1")))
		return;
	setup = (arena_setup_fn)dlsym(RTLD_DEFAULT, "gr_read_arena_setup");
	srv->xs_arena_stats = (int (*)(struct gr_arena_stats *))dlsym(
	    RTLD_DEFAULT, "gr_read_arena_stats");
	srv->xs_arena_arm =
	    (void (*)(int))dlsym(RTLD_DEFAULT, "gr_read_arena_arm");
	if (!setup || !srv->xs_arena_stats || !srv->xs_arena_arm) {
		srv->xs_arena_arm = NULL;
		srv->xs_arena_stats = NULL;
		LogInfo(
		    COMPONENT_INIT,
		    "NFS_RDMA: no READ arena (preload library absent): READ replies registered one by one");
		return;
	}
	while (block < conf->xsc_max_response_size)
		block <<= 1;
	size = (size_t)2 * conf->xsc_worker_threads * block;
	if (size < 8 * block)
		size = 8 * block;
	if (size > XR_GSH_ARENA_MAX && XR_GSH_ARENA_MAX >= block)
		size = XR_GSH_ARENA_MAX / block * block;
	set_read_len = (void (*)(int (*)(void *, size_t *)))dlsym(
	    RTLD_DEFAULT, "gr_read_arena_set_read_len");
	if (set_read_len)
		set_read_len(xr_gsh_compat_read_len);
	srv->xs_arena_expect =
	    (void (*)(size_t))dlsym(RTLD_DEFAULT, "gr_read_arena_expect");
	srv->xs_arena_block = block;
	rc = setup(size, block, &base, &len);
	if (!rc)
		rc = xr_svc_add_area(srv->xs_engine, base, len);
	if (rc) {
		/* A made arena stays: nothing arms it, so it is never used. */
		srv->xs_arena_arm = NULL;
		srv->xs_arena_expect = NULL;
		srv->xs_arena_stats = NULL;
		LogWarn(
		    COMPONENT_INIT,
		    "NFS_RDMA: no READ arena (%s): READ replies registered one by one",
		    strerror(-rc));
		return;
	}
	LogEvent(
	    COMPONENT_INIT,
	    "NFS_RDMA: READ arena of %zu MiB registered once (blocks up to %zu KiB)",
	    len >> 20, block >> 10);
}

/*
 * Reply encode buffers from memory registered once (docs/architecture.md,
 * "Memory registration"): on a fabric that needs local registrations
 * (GANESHA_RDMA_REPLY_POOL=1 makes it on ofi too, for the tests; =0
 * never, for side-by-side benchmarks), Worker_Threads + 8 buffers of
 * Max_Response_Size (at most XR_GSH_REPLY_POOL_MAX bytes in all), one
 * mapping registered for local access only.  A reply whose buffer comes
 * from here and goes out through a Reply chunk needs no registration;
 * when all are in use the buffer comes from malloc and such a reply is
 * registered on its own, as before (counted: reply_pool_misses).
 */
static void reply_pool_start(struct xr_gsh_server *srv,
			     const struct xr_gsh_conf *conf)
{
	const char *force = getenv("GANESHA_RDMA_REPLY_POOL");
	size_t stride, count, i;
	uint32_t *idx;
	void *base;
	int rc;

	if (force && !strcmp(force, "0"))
		return;
	if (!xr_svc_needs_local_reg(srv->xs_engine) &&
	    !(force && !strcmp(force, "1")))
		return;
	stride = ((size_t)conf->xsc_max_response_size + 4095) & ~(size_t)4095;
	count = (size_t)conf->xsc_worker_threads + 8;
	if (count * stride > XR_GSH_REPLY_POOL_MAX)
		count = XR_GSH_REPLY_POOL_MAX / stride;
	if (count < 2)
		count = 2;
	base = mmap(NULL, count * stride, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		LogWarn(
		    COMPONENT_INIT,
		    "NFS_RDMA: no reply pool (%s): Reply chunk replies registered one by one",
		    strerror(errno));
		return;
	}
	rc = xr_svc_add_area(srv->xs_engine, base, count * stride);
	if (rc) {
		/* A registration may still hold it: the mapping stays. */
		LogWarn(
		    COMPONENT_INIT,
		    "NFS_RDMA: no reply pool (%s): Reply chunk replies registered one by one",
		    strerror(-rc));
		return;
	}
	idx = gsh_calloc(count, sizeof(*idx));
	for (i = 0; i < count; i++)
		idx[i] = (uint32_t)(count - 1 - i);
	PTHREAD_MUTEX_lock(&srv->xs_buf_lock);
	srv->xs_rp_free = idx;
	srv->xs_rp_stride = stride;
	srv->xs_rp_count = (uint32_t)count;
	srv->xs_rp_nfree = (uint32_t)count;
	srv->xs_rp_base = base; /* last: reply_pool_owns() reads it first */
	PTHREAD_MUTEX_unlock(&srv->xs_buf_lock);
	LogEvent(
	    COMPONENT_INIT,
	    "NFS_RDMA: reply pool of %zu buffers of %zu KiB registered once",
	    count, stride >> 10);
}

int xr_gsh_server_start(const struct xr_gsh_conf *conf,
			struct xr_gsh_dispatch *dispatch,
			struct xr_gsh_server **out)
{
	struct xr_svc_params params = {
	    .sp_backend = xr_gsh_conf_fabric_name(conf),
	    .sp_provider = conf->xsc_provider,
	    .sp_addr = conf->xsc_bind_addr,
	    .sp_port = conf->xsc_port,
	    .sp_credits = conf->xsc_credits,
	    .sp_inline = conf->xsc_inline_size,
	    .sp_max_conns = conf->xsc_max_connections,
	    .sp_max_request = conf->xsc_max_request_size,
	    .sp_max_response = conf->xsc_max_response_size,
	    .sp_handshake_timeout = conf->xsc_handshake_timeout,
	    .sp_idle_timeout = conf->xsc_idle_timeout,
	    .sp_peer_timeout = conf->xsc_peer_timeout,
	    .sp_max_conns_per_addr = conf->xsc_max_conns_per_addr,
	};
	struct xr_gsh_server *srv;
	char err[256] = "";
	uint32_t i;
	int rc;

	srv = gsh_calloc(1, sizeof(*srv));
	srv->xs_dispatch = *dispatch;
	memset(dispatch, 0, sizeof(*dispatch));
	srv->xs_read4_release = xr_gsh_compat_read_release();
	srv->xs_max_response = conf->xsc_max_response_size;
	PTHREAD_MUTEX_init(&srv->xs_lock, NULL);
	pthread_cond_init(&srv->xs_cond, NULL);

	PTHREAD_MUTEX_init(&srv->xs_buf_lock, NULL);

	srv->xs_nworkers = conf->xsc_worker_threads;
	srv->xs_workers = gsh_calloc(srv->xs_nworkers, sizeof(pthread_t));
	for (i = 0; i < srv->xs_nworkers; i++) {
		rc = pthread_create(&srv->xs_workers[i], NULL, gw_thread, srv);
		if (rc) {
			LogCrit(COMPONENT_INIT,
				"NFS_RDMA: cannot start worker threads: %s",
				strerror(rc));
			goto out_release; /* started workers just idle */
		}
		pthread_detach(srv->xs_workers[i]);
	}

	rc = xr_svc_start(&params, &gs_engine_ops, srv, &srv->xs_engine, err,
			  sizeof(err));
	if (rc) {
		LogCrit(COMPONENT_INIT,
			"NFS_RDMA: cannot listen on %s:%u with fabric %s: %s",
			conf->xsc_bind_addr, conf->xsc_port, params.sp_backend,
			err[0] ? err : strerror(-rc));
		goto out_release;
	}
	/* Before the first call: workers read xs_arena_arm unlocked. */
	arena_start(srv, conf);
	reply_pool_start(srv, conf);
	LogEvent(
	    COMPONENT_INIT,
	    "NFS_RDMA: serving NFS over RDMA on %s:%u (fabric %s, credits %u, inline %u, %u workers)",
	    conf->xsc_bind_addr, xr_svc_port(srv->xs_engine), params.sp_backend,
	    conf->xsc_credits, conf->xsc_inline_size, srv->xs_nworkers);
	*out = srv;
	return 0;

out_release:
	/*
	 * The listener reference goes back; srv itself stays, since any
	 * started workers wait on it (they never run work).
	 */
	xr_gsh_dispatch_put(&srv->xs_dispatch);
	return rc > 0 ? -rc : rc;
}

#define REPORT(f, name, value)                                                 \
	fprintf(f, "%-28s %" PRIu64 "\n", name, (uint64_t)(value))

void xr_gsh_server_report(struct xr_gsh_server *srv, FILE *f)
{
	struct xr_core_stats st;

	xr_svc_get_stats(srv->xs_engine, &st);
	REPORT(f, "requests",
	       __atomic_load_n(&srv->xs_requests, __ATOMIC_RELAXED));
	REPORT(f, "replies",
	       __atomic_load_n(&srv->xs_replies, __ATOMIC_RELAXED));
	REPORT(f, "requests_dropped",
	       __atomic_load_n(&srv->xs_dropped, __ATOMIC_RELAXED));
	REPORT(f, "rpc_decode_errors",
	       __atomic_load_n(&srv->xs_decode_errors, __ATOMIC_RELAXED));
	REPORT(f, "ddp_replies",
	       __atomic_load_n(&srv->xs_ddp_replies, __ATOMIC_RELAXED));
	REPORT(f, "ddp_payload_bytes",
	       __atomic_load_n(&srv->xs_ddp_bytes, __ATOMIC_RELAXED));
	REPORT(f, "payload_bytes_copied",
	       __atomic_load_n(&srv->xs_payload_copied, __ATOMIC_RELAXED));
	REPORT(f, "read_replies_without_chunk",
	       __atomic_load_n(&srv->xs_read_no_chunk, __ATOMIC_RELAXED));
	REPORT(f, "cb_path_down_hidden",
	       __atomic_load_n(&srv->xs_cb_down_hidden, __ATOMIC_RELAXED));
	REPORT(f, "other_bytes_copied",
	       __atomic_load_n(&srv->xs_other_copied, __ATOMIC_RELAXED));
	REPORT(f, "write_payload_bytes_copied",
	       __atomic_load_n(&srv->xs_write_copied, __ATOMIC_RELAXED));
	REPORT(f, "xprts_live",
	       __atomic_load_n(&srv->xs_xprts_live, __ATOMIC_RELAXED));
	REPORT(f, "rpc_denied_rpc_mismatch",
	       __atomic_load_n(&srv->xs_denied_mismatch, __ATOMIC_RELAXED));
	REPORT(f, "rpc_denied_auth_error",
	       __atomic_load_n(&srv->xs_denied_auth, __ATOMIC_RELAXED));
	xr_gsh_exports_report(f);
	REPORT(f, "calls_received", st.cs_calls);
	REPORT(f, "replies_sent", st.cs_replies);
	REPORT(f, "inline_calls", st.cs_inline_calls);
	REPORT(f, "read_chunk_calls", st.cs_read_chunk_calls);
	REPORT(f, "pos_zero_calls", st.cs_pos_zero_calls);
	REPORT(f, "inline_replies", st.cs_inline_replies);
	REPORT(f, "write_chunk_replies", st.cs_write_chunk_replies);
	REPORT(f, "reply_chunk_replies", st.cs_reply_chunk_replies);
	REPORT(f, "rdma_read_bytes", st.cs_rdma_read_bytes);
	REPORT(f, "rdma_write_bytes", st.cs_rdma_write_bytes);
	REPORT(f, "credit_stalls", st.cs_credit_stalls);
	REPORT(f, "loop_handoffs", st.cs_loop_handoffs);
	REPORT(f, "loop_kicks", st.cs_loop_kicks);
	REPORT(f, "loop_wakeups", st.cs_loop_wakeups);
	REPORT(f, "err_vers_sent", st.cs_err_vers_sent);
	REPORT(f, "err_chunk_sent", st.cs_err_chunk_sent);
	REPORT(f, "err_hdr_dropped", st.cs_err_hdr_dropped);
	REPORT(f, "err_completion", st.cs_err_completion);
	REPORT(f, "conns_closed_credit_overrun", st.cs_closed_credit_overrun);
	REPORT(f, "conns_closed_malformed", st.cs_closed_malformed);
	REPORT(f, "calls_live", st.cs_calls_live);
	REPORT(f, "err_refused_conns", st.cs_err_refused_conns);
	REPORT(f, "err_refused_per_addr", st.cs_err_refused_per_addr);
	REPORT(f, "conns_closed_silent", st.cs_conns_closed_silent);
	REPORT(f, "conns_closed_idle", st.cs_conns_closed_idle);
	REPORT(f, "conns_closed_stalled", st.cs_conns_closed_stalled);
	REPORT(f, "connections", st.cs_connections);
	REPORT(f, "connections_total", st.cs_connections_total);
	REPORT(f, "registered_bytes", st.cs_registered_bytes);
	REPORT(f, "registered_per_connection", st.cs_registered_per_conn);
	REPORT(f, "registrations", st.cs_reg_calls);
	REPORT(f, "deregistrations", st.cs_dereg_calls);
	REPORT(f, "reg_unneeded", st.cs_reg_unneeded);
	REPORT(f, "reg_pool_hits", st.cs_reg_pool_hits);
	REPORT(f, "reg_area_hits", st.cs_reg_area_hits);
	REPORT(f, "reg_small_copies", st.cs_reg_small_copies);
	{
		struct gr_arena_stats as = {0};

		if (srv->xs_arena_stats)
			(void)srv->xs_arena_stats(&as);
		REPORT(f, "read_arena_bytes", as.as_size);
		REPORT(f, "read_arena_allocs", as.as_allocs);
		REPORT(f, "read_arena_misses", as.as_misses);
		REPORT(f, "read_arena_in_use", as.as_in_use);
	}
	{
		uint64_t gets, misses, in_use;

		PTHREAD_MUTEX_lock(&srv->xs_buf_lock);
		gets = srv->xs_rp_gets;
		misses = srv->xs_rp_misses;
		in_use = srv->xs_rp_count - srv->xs_rp_nfree;
		PTHREAD_MUTEX_unlock(&srv->xs_buf_lock);
		REPORT(f, "reply_pool_buffers", (uint64_t)srv->xs_rp_count);
		REPORT(f, "reply_pool_gets", gets);
		REPORT(f, "reply_pool_misses", misses);
		REPORT(f, "reply_pool_in_use", in_use);
	}
}

/*
 * The same counters for Prometheus (gr_prom.h).  Names are stable: they
 * are the stats file's with the prefix ganesha_rdma_ and, for counters,
 * the suffix _total.  The transport keeps no per-connection counters, so
 * there are no labels: one series per name, whatever the clients do.
 */
struct xr_gsh_metric {
	const char *xm_name;
	enum gr_prom_type xm_type;
	const char *xm_help;
	uint64_t xm_value;
};

#define XM_C(name, help, v)                                                    \
	{                                                                      \
		"ganesha_rdma_" name "_total", GR_PROM_COUNTER, help, (v)      \
	}
#define XM_G(name, help, v)                                                    \
	{                                                                      \
		"ganesha_rdma_" name, GR_PROM_GAUGE, help, (v)                 \
	}
#define XM_LOAD(field) __atomic_load_n(&srv->field, __ATOMIC_RELAXED)

void xr_gsh_server_metrics(struct xr_gsh_server *srv, FILE *f)
{
	struct xr_core_stats st;
	size_t i;

	xr_svc_get_stats(srv->xs_engine, &st);
	{
		const struct xr_gsh_metric m[] = {
		    XM_C("requests", "RPC calls handed to Ganesha",
			 XM_LOAD(xs_requests)),
		    XM_C("replies", "RPC replies Ganesha sent over RDMA",
			 XM_LOAD(xs_replies)),
		    XM_C("requests_dropped",
			 "calls dropped before Ganesha saw them",
			 XM_LOAD(xs_dropped)),
		    XM_C("rpc_decode_errors",
			 "calls whose RPC header did not decode",
			 XM_LOAD(xs_decode_errors)),
		    XM_C("ddp_replies",
			 "replies whose READ data went by RDMA Write",
			 XM_LOAD(xs_ddp_replies)),
		    XM_C("ddp_payload_bytes",
			 "READ data bytes sent by RDMA Write (no copy)",
			 XM_LOAD(xs_ddp_bytes)),
		    XM_C("payload_bytes_copied",
			 "READ data bytes copied inline (no Write chunk)",
			 XM_LOAD(xs_payload_copied)),
		    XM_C("read_replies_without_chunk",
			 "replies with READ data copied inline",
			 XM_LOAD(xs_read_no_chunk)),
		    XM_C(
			"cb_path_down_hidden",
			"SEQUENCE replies whose CB_PATH_DOWN flags were cleared",
			XM_LOAD(xs_cb_down_hidden)),
		    XM_C("other_bytes_copied",
			 "other data bytes (READDIR entries...) copied inline",
			 XM_LOAD(xs_other_copied)),
		    XM_C("write_payload_bytes_copied",
			 "WRITE data bytes copied out of Read chunks",
			 XM_LOAD(xs_write_copied)),
		    XM_G("xprts_live", "transports handed to Ganesha, alive",
			 XM_LOAD(xs_xprts_live)),
		    XM_C("rpc_denied_rpc_mismatch",
			 "calls denied for an RPC version other than 2",
			 XM_LOAD(xs_denied_mismatch)),
		    XM_C("rpc_denied_auth_error",
			 "calls denied for a bad credential or verifier",
			 XM_LOAD(xs_denied_auth)),
		    XM_C("calls_received", "RPC-over-RDMA calls received",
			 st.cs_calls),
		    XM_C("replies_sent", "RPC-over-RDMA replies sent",
			 st.cs_replies),
		    XM_C("inline_calls", "calls with no chunk",
			 st.cs_inline_calls),
		    XM_C("read_chunk_calls", "calls with a data Read chunk",
			 st.cs_read_chunk_calls),
		    XM_C("pos_zero_calls", "calls sent as RDMA_NOMSG",
			 st.cs_pos_zero_calls),
		    XM_C("inline_replies", "replies sent inline",
			 st.cs_inline_replies),
		    XM_C("write_chunk_replies", "replies with a Write chunk",
			 st.cs_write_chunk_replies),
		    XM_C("reply_chunk_replies", "replies in a Reply chunk",
			 st.cs_reply_chunk_replies),
		    XM_C("rdma_read_bytes",
			 "bytes pulled from clients by RDMA Read",
			 st.cs_rdma_read_bytes),
		    XM_C("rdma_write_bytes",
			 "bytes pushed to clients by RDMA Write",
			 st.cs_rdma_write_bytes),
		    XM_C("credit_stalls", "calls that waited for a credit",
			 st.cs_credit_stalls),
		    XM_C("loop_handoffs",
			 "replies handed to the progress thread to post",
			 st.cs_loop_handoffs),
		    XM_C("loop_kicks",
			 "eventfd wake-ups of the progress thread by workers",
			 st.cs_loop_kicks),
		    XM_C("loop_wakeups",
			 "progress thread sleeps ended by an event",
			 st.cs_loop_wakeups),
		    XM_C("err_vers_sent", "RDMA_ERROR ERR_VERS answers",
			 st.cs_err_vers_sent),
		    XM_C("err_chunk_sent", "RDMA_ERROR ERR_CHUNK answers",
			 st.cs_err_chunk_sent),
		    XM_C("err_hdr_dropped", "refused headers dropped silently",
			 st.cs_err_hdr_dropped),
		    XM_C("err_completion",
			 "fabric operations that failed (not flushes)",
			 st.cs_err_completion),
		    XM_C("conns_closed_credit_overrun",
			 "connections closed for more calls than credits",
			 st.cs_closed_credit_overrun),
		    XM_C("conns_closed_malformed",
			 "connections closed for too many refused headers",
			 st.cs_closed_malformed),
		    XM_G("calls_live", "calls held right now",
			 st.cs_calls_live),
		    XM_C("err_refused_conns", "connections refused",
			 st.cs_err_refused_conns),
		    XM_C("err_refused_per_addr",
			 "connections refused by Max_Connections_Per_Address",
			 st.cs_err_refused_per_addr),
		    XM_C("conns_closed_silent",
			 "connections closed silent past Handshake_Timeout",
			 st.cs_conns_closed_silent),
		    XM_C("conns_closed_idle",
			 "connections closed idle past Idle_Timeout",
			 st.cs_conns_closed_idle),
		    XM_C(
			"conns_closed_stalled",
			"connections closed for a peer stalled past Peer_Timeout",
			st.cs_conns_closed_stalled),
		    XM_G("connections", "connections open", st.cs_connections),
		    XM_C("connections_accepted", "connections accepted",
			 st.cs_connections_total),
		    XM_G("registered_bytes", "bytes of memory registered",
			 st.cs_registered_bytes),
		    XM_G("registered_per_connection_bytes",
			 "registered pool bytes of one connection",
			 st.cs_registered_per_conn),
		    XM_C("registrations",
			 "memory registrations made (connection pools too)",
			 st.cs_reg_calls),
		    XM_C("deregistrations", "memory deregistrations made",
			 st.cs_dereg_calls),
		    XM_C("reg_unneeded",
			 "reply ranges sent unregistered (fabric needs none)",
			 st.cs_reg_unneeded),
		    XM_C("reg_pool_hits",
			 "reply ranges inside a registered engine pool",
			 st.cs_reg_pool_hits),
		    XM_C("reg_area_hits",
			 "reply ranges inside the READ arena, registered once",
			 st.cs_reg_area_hits),
		    XM_C("reg_small_copies",
			 "small reply ranges copied into the registered send "
			 "buffer (6.5's unaligned READ tail)",
			 st.cs_reg_small_copies),
		};

		for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
			gr_prom_family(f, m[i].xm_name, m[i].xm_type,
				       m[i].xm_help);
			gr_prom_sample(f, m[i].xm_name, NULL, m[i].xm_value);
		}
	}
	xr_gsh_exports_metrics(f);
}
