/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The server (responder) engine of RPC-over-RDMA Version 1.  How this
 * works:
 *
 * xr_svc_start() opens a fabric, listens and runs one progress thread that
 * accepts connections (RFC 8797 private data both ways, inline sizes
 * negotiated), keeps `credits` receives posted per connection and decodes
 * each incoming transport header.  A header the codec refuses is answered
 * with RDMA_ERROR (ERR_VERS / ERR_CHUNK) or dropped, as xr_hdr_action()
 * says.  Read chunks are pulled by RDMA Read into the connection's landing
 * area; then the upper layer receives ONE struct xr_svc_call through
 * ops->sv_on_call: the RPC call message as byte ranges in XDR order (the
 * inline head, the chunk payload at its position, its XDR padding, the
 * inline rest) and what the client offered for the reply.
 *
 * The upper layer answers with xr_svc_reply() from any thread.  The reply
 * payload goes by RDMA Write into the client's Write chunk (the caller's
 * buffer registered LOCAL for this I/O only), a message too big to send
 * inline goes through the Reply chunk as RDMA_NOMSG, the rest inline as
 * RDMA_MSG.  Each reply grants credits = receives posted.  When the send
 * has completed the engine calls ops->sv_on_release(call): the upper layer
 * may then free what the reply pointed at, and the call is recycled.
 *
 * Lifecycle of a call (enum xr_svc_call_state, one step per event):
 *   FREE -> PULLING (RDMA Reads in flight; skipped when no Read chunk)
 *        -> UPPER (owned by the upper layer until it replies)
 *        -> SENDING (Writes + Send in flight) -> FREE (sv_on_release).
 *   A refused header goes FREE -> ERROR_SENDING -> FREE.
 *   Every call that enters leaves: PULLING ends when its last Read
 *   completes, or as soon as its Reads are issued when there are none to
 *   wait for (Read chunks of 0 bytes).
 * When a client goes away, calls in PULLING or SENDING are released as
 * their operations flush; calls in UPPER stay valid until the upper layer
 * replies (the reply then fails with -ENOTCONN and releases at once).
 * ops->sv_on_disconnect tells the upper layer first.  The connection's
 * buffers and registrations are freed when its last call is released.
 *
 * A connection costs little until it proves itself: at accept only its
 * receive buffers are allocated and registered; the call contexts and
 * send buffers follow with its first message that is not dropped
 * unanswered, the Read landing area with its first Read chunk of more
 * than 0 bytes.  Only an accepted call proves a connection and counts
 * as activity; headers refused or dropped do neither.  The progress
 * thread closes connections that stay silent past sp_handshake_timeout,
 * whose call waits on the peer past sp_peer_timeout, or idle past
 * sp_idle_timeout, and refuses requests beyond sp_max_conns /
 * sp_max_conns_per_addr (see struct xr_core_stats: cs_err_refused_*,
 * cs_conns_closed_*).
 */
#ifndef XR_SVC_H
#define XR_SVC_H

#include <sys/socket.h>

#include "xr_core.h"

struct xr_svc;
struct xr_svc_conn;

/**
 * struct xr_svc_call - one received RPC call, as the upper layer sees it
 * @ac_msg: the RPC call message in XDR order, as ranges
 * @ac_nmsg: number of ranges
 * @ac_msg_len: total bytes
 * @ac_chunk_range: for each data Read chunk, the index in @ac_msg of its
 *	payload range (the range after it is its XDR padding if any)
 * @ac_nchunks: number of data Read chunks
 * @ac_xid: the RPC xid
 * @ac_write_chunks: Write chunks the client offered (lengths)
 * @ac_nwrite: their number
 * @ac_reply_chunk_len: bytes of the Reply chunk offered, 0 for none
 * @ac_conn: the connection it came on
 * @ac_upper: free for the upper layer
 */
struct xr_svc_call {
	struct iovec ac_msg[XR_CALL_MAX_RANGES];
	uint32_t ac_nmsg;
	uint64_t ac_msg_len;
	uint32_t ac_chunk_range[XR_MAX_READ_CHUNKS];
	uint32_t ac_nchunks;
	uint32_t ac_xid;
	uint64_t ac_write_chunks[XR_MAX_WRITE_CHUNKS];
	uint32_t ac_nwrite;
	uint64_t ac_reply_chunk_len;
	struct xr_svc_conn *ac_conn;
	void *ac_upper;
};

/**
 * struct xr_svc_ops - upper-layer callbacks (run on the progress thread,
 * without the engine's lock: they may call xr_svc_reply())
 * @sv_on_call: a call is ready; the upper layer owns it until it calls
 *	xr_svc_reply() or xr_svc_drop()
 * @sv_on_release: the reply of @call was sent (status 0) or could not be
 *	(negative errno); the call's memory is reused after this returns
 * @sv_on_connect: a connection was established (may be NULL)
 * @sv_on_disconnect: a connection went away; calls the upper layer still
 *	owns stay valid until it replies (may be NULL)
 */
struct xr_svc_ops {
	void (*sv_on_call)(struct xr_svc_call *call, void *ctx);
	void (*sv_on_release)(struct xr_svc_call *call, int status, void *ctx);
	void (*sv_on_connect)(struct xr_svc_conn *conn, void *ctx);
	void (*sv_on_disconnect)(struct xr_svc_conn *conn, void *ctx);
};

/**
 * struct xr_svc_params - listener configuration (0/NULL = default)
 * @sp_backend: "verbs" or "ofi" (default "ofi")
 * @sp_provider: ofi provider (default "tcp")
 * @sp_addr: address to listen on (default "0.0.0.0")
 * @sp_port: port (default 20049; XR_SVC_PORT_ANY picks a free one)
 * @sp_credits: credits per connection, 1..1024 (default 128)
 * @sp_inline: inline send and receive size, 1024..262144 (default 4096)
 * @sp_max_conns: most connections at once (default 64)
 * @sp_max_request: largest call (inline + Read chunks), default ~1 MiB
 * @sp_max_response: largest reply (Write + Reply chunks), default ~1 MiB
 * @sp_read_pool: RDMA Read landing area per connection (default 2 MiB;
 *	at least @sp_max_request); allocated and registered when the
 *	connection's first Read chunk is pulled, not at accept
 * @sp_handshake_timeout: seconds from a connection request until the
 *	connection's first accepted call; a connection that has not sent
 *	one by then is closed, whatever else it sent (0: no limit)
 * @sp_idle_timeout: seconds a connection with no call held by the upper
 *	layer may stay without an accepted call, a reply or a call released
 *	before it is closed (0: no limit)
 * @sp_max_conns_per_addr: most connections from one peer address (IP,
 *	any port) at once; more are rejected (0: only @sp_max_conns)
 * @sp_peer_timeout: seconds a call may wait on the peer - its RDMA Reads
 *	not served, its reply or RDMA_ERROR not taken - before the
 *	connection is closed, whatever else it has in progress (0: no
 *	limit; the idle timeout then still applies)
 */
struct xr_svc_params {
	const char *sp_backend;
	const char *sp_provider;
	const char *sp_addr;
	int sp_port;
	uint32_t sp_credits;
	uint32_t sp_inline;
	uint32_t sp_max_conns;
	uint64_t sp_max_request;
	uint64_t sp_max_response;
	uint64_t sp_read_pool;
	uint32_t sp_handshake_timeout;
	uint32_t sp_idle_timeout;
	uint32_t sp_max_conns_per_addr;
	uint32_t sp_peer_timeout;
};

#define XR_SVC_PORT_ANY (-1)

/*
 * Receives posted per connection beyond its credits: a client that sends
 * more calls than its credits lands in one of these (instead of waiting
 * unread in the provider), so the overrun is seen and that connection is
 * closed.  A connection posts sp_credits + XR_SVC_RECV_SLACK receives.
 */
#define XR_SVC_RECV_SLACK 4u

/**
 * xr_svc_start() - open the fabric, listen, start the progress thread
 * @params: configuration (see struct xr_svc_params)
 * @ops: callbacks (sv_on_call and sv_on_release are required)
 * @ctx: passed to every callback
 * @out: the engine
 * @err: message buffer for the reason of a failure (may be NULL)
 * @errlen: its size
 *
 * Return: 0; -EINVAL for a bad parameter (named in @err); the fabric's
 * error for open/listen (-ENODEV, -EADDRINUSE, ...); -ENOMEM; or the
 * negative errno of pthread_create/eventfd/epoll.
 */
int xr_svc_start(const struct xr_svc_params *params,
		 const struct xr_svc_ops *ops, void *ctx, struct xr_svc **out,
		 char *err, size_t errlen);

/**
 * xr_svc_port() - the port the engine listens on
 *
 * Return: the port number.
 */
uint16_t xr_svc_port(struct xr_svc *svc);

/**
 * xr_svc_reply() - send the reply of @call (any thread)
 * @call: a call delivered by sv_on_call and not yet answered
 * @reply: the RPC reply message; its payload is the DDP-eligible result
 *	(e.g. NFS READ data).  Every range must stay valid until
 *	sv_on_release for this call.  It may point into the call's own
 *	message ranges (the engine then keeps them until the send is done).
 *
 * On a fabric without XR_CAP_POST_ANY_THREAD (verbs) a thread other than
 * the progress thread only queues the reply for it: this then returns 0,
 * any failure reaches the upper layer through sv_on_release alone, and
 * the iovec arrays @reply points to (not only their ranges) must stay
 * valid until sv_on_release.
 *
 * Whatever this returns, sv_on_release runs exactly once for the call
 * afterwards, on the progress thread, with 0 when the reply was sent or
 * the negative errno of the failure.  After this call the call's message
 * ranges (ac_msg) must no longer be read: the receive buffer goes back to
 * the posted pool as soon as the reply does not need it.  When the reply
 * cannot be sent and nothing was posted yet (too big, bad ranges), the
 * client is answered with RDMA_ERROR / ERR_CHUNK so its call ends at once;
 * when a partly posted reply fails, the connection is dropped.
 *
 * Return: 0; -EINVAL for a malformed @reply or a call not owned by the
 * upper layer; -ENOTCONN when the client is gone; -EMSGSIZE when the reply
 * fits neither inline nor in the Reply chunk the client offered;
 * -ENOMEM/-EIO when registering the reply's memory or posting failed.
 */
int xr_svc_reply(struct xr_svc_call *call, const struct xr_msg *reply);

/**
 * xr_svc_drop() - give a call back without answering (any thread)
 *
 * The receive buffer returns to the posted pool; the client gets no reply
 * (it will time out or reconnect).  sv_on_release runs with -ECANCELED.
 */
void xr_svc_drop(struct xr_svc_call *call);

/**
 * xr_svc_get_stats() - copy the engine's counters (any thread)
 */
void xr_svc_get_stats(struct xr_svc *svc, struct xr_core_stats *out);

/**
 * xr_svc_conn_stats() - copy one connection's counters (any thread; the
 * connection must be one the upper layer still holds a call of, or is
 * inside a callback for)
 */
void xr_svc_conn_stats(struct xr_svc_conn *conn, struct xr_core_stats *out);

/**
 * xr_svc_conn_set_ctx() - attach the upper layer's pointer to a connection
 * @conn: a connection from sv_on_connect, valid until sv_on_disconnect
 *	returns (and while the upper layer holds a call of it)
 * @ctx: anything; NULL to clear
 *
 * Only the progress thread may call this (inside a callback), so it needs
 * no lock: it is set in sv_on_connect and read in sv_on_call.
 */
void xr_svc_conn_set_ctx(struct xr_svc_conn *conn, void *ctx);

/**
 * xr_svc_conn_ctx() - the pointer set by xr_svc_conn_set_ctx() (or NULL)
 */
void *xr_svc_conn_ctx(const struct xr_svc_conn *conn);

/**
 * xr_svc_conn_addrs() - the connection's local and peer address (any
 * thread; either pointer may be NULL)
 *
 * Return: 0; -ENOTCONN when the connection is gone; -EIO when the fabric
 * cannot tell.
 */
int xr_svc_conn_addrs(struct xr_svc_conn *conn, struct sockaddr_storage *local,
		      struct sockaddr_storage *peer);

/**
 * xr_svc_needs_local_reg() - whether reply memory needs a registration
 * on this engine's fabric (verbs: yes; libfabric tcp: no)
 */
bool xr_svc_needs_local_reg(const struct xr_svc *svc);

/* How many areas xr_svc_add_area() takes. */
#define XR_SVC_MAX_AREAS 4

/**
 * xr_svc_add_area() - register memory the upper layer serves replies from
 * @svc: the engine
 * @base: the area's first byte
 * @len: its length
 *
 * On a fabric that needs local registrations (verbs), the area is
 * registered once, for local access only (no peer ever gets a key for
 * it), and a reply range that lies wholly inside it is posted with that
 * registration instead of one of its own (counted in cs_reg_area_hits).
 * On a fabric that takes plain local addresses nothing is registered; the
 * area is only recorded, and a range in it is counted in cs_reg_area_hits
 * there too (what verbs would have registered shows as cs_reg_unneeded).
 * The caller promises what makes this safe: the area stays mapped, at the
 * same pages, until xr_svc_stop() - never unmapped, remapped or madvised
 * - and memory in it is handed out again only after the reply that used
 * it was released (sv_on_release).  Any thread, at any time.
 *
 * Return: 0; -EINVAL for no area; -ENOSPC beyond XR_SVC_MAX_AREAS; the
 * fabric's error for the registration (-ENOMEM past RLIMIT_MEMLOCK).
 */
int xr_svc_add_area(struct xr_svc *svc, void *base, size_t len);

/**
 * xr_svc_stop() - stop and free the engine
 *
 * Disconnects every client, waits for their operations to flush (calls
 * the upper layer still owns are released with -ESHUTDOWN), joins the
 * progress thread and frees everything.  Must not be called from a
 * callback.
 */
void xr_svc_stop(struct xr_svc *svc);

#endif /* XR_SVC_H */
