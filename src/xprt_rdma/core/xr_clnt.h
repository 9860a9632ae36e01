/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The client (requester) engine of RPC-over-RDMA Version 1.  How this
 * works:
 *
 * xr_clnt_create() opens a fabric, starts one progress thread and connects
 * with RFC 8797 private data; the inline sizes are negotiated from the
 * server's accept data.  Calls are submitted from any thread as a struct
 * xr_clnt_req: the RPC call message as byte ranges (struct xr_msg, whose
 * first 4 bytes are the RPC xid), where the reply message should be put,
 * and where a DDP-eligible result (NFS READ data) should land.  The chunk
 * planner (xr_plan_call()) decides:
 *
 *   - a DDP-eligible payload (WRITE data) of 1 KiB or more is offered as a
 *     Read chunk at its XDR position, straight from the caller's memory,
 *     registered REMOTE_READ for this call only;
 *   - a message that still does not fit inline goes as RDMA_NOMSG with a
 *     Position-Zero Read chunk over the caller's ranges;
 *   - a result buffer is offered as a one-segment Write chunk (REMOTE_WRITE
 *     over exactly that range), the reply buffer as a Reply chunk when the
 *     largest expected reply exceeds the inline receive size.
 *
 * Every registration of a call is dropped when its reply arrives (or the
 * connection dies), before the caller hears about it.  Each segment the
 * server returns is checked against what was offered.  The number of calls
 * in flight never exceeds the server's last grant (starting at 1); a call
 * that has to wait for a credit counts as a credit stall.  Replies are
 * matched by xid.  When the connection is lost, every call in flight
 * completes with -ENOTCONN and the on_lost callback runs, so the session
 * layer can reconnect (xr_clnt_connect()) and replay.
 */
#ifndef XR_CLNT_H
#define XR_CLNT_H

#include "xr_core.h"

struct xr_clnt;
struct xr_clnt_req;

/* Completion callback: runs on the progress thread, without engine lock. */
typedef void (*xr_clnt_done_fn)(struct xr_clnt_req *req, void *arg);

/**
 * struct xr_clnt_req - one call
 * @cr_msg: the RPC call message (head, DDP-eligible payload, tail)
 * @cr_payload_ddp: the payload is a DDP-eligible item (may go by chunk)
 * @cr_reply_buf: where the RPC reply message is put
 * @cr_reply_cap: its size: also the largest reply expected
 * @cr_result_buf: where a DDP-eligible result should land, or NULL
 * @cr_result_cap: its size
 * @cr_result_scrub: @cr_result_buf holds bytes the server must never be
 *	able to pass off as its data (a gateway's uninitialised heap): the
 *	engine makes every byte of [0, @cr_result_len) one the server wrote
 *	or a zero.  Through a bounce block that holds by itself (the block
 *	is zero but for this connection's own traffic, and exactly
 *	@cr_result_len bytes are copied out); when @cr_result_buf itself is
 *	registered for the server's writes (no pool, or no room in it) the
 *	engine zeroes it first.  So the zeroing is paid only where it is
 *	needed: per call on ofi, on a pool miss on verbs.
 * @cr_done: completion callback for xr_clnt_submit() (NULL for
 *	xr_clnt_call())
 * @cr_arg: passed to @cr_done
 * @cr_status: result: 0; -ENOTCONN (connection lost; the server may or
 *	may not have executed the call); -ETIMEDOUT; -EBADMSG (reply
 *	refused: malformed or segments beyond the offer); -EMSGSIZE (reply
 *	larger than @cr_reply_cap); -EPROTO (server answered ERR_CHUNK);
 *	-EPROTONOSUPPORT (ERR_VERS)
 * @cr_reply_len: bytes of the reply message in @cr_reply_buf
 * @cr_result_len: bytes the server placed in @cr_result_buf by Write
 *	chunk (0: the result, if any, is inline in the reply message)
 * @cr_chunked: what the plan used, for tests and counters
 *
 * All memory the request points at must stay valid until completion.
 */
struct xr_clnt_req {
	struct xr_msg cr_msg;
	bool cr_payload_ddp;
	void *cr_reply_buf;
	size_t cr_reply_cap;
	/* the reply fits an inline receive: offer no Reply chunk */
	bool cr_reply_inline;
	void *cr_result_buf;
	size_t cr_result_cap;
	bool cr_result_scrub;
	xr_clnt_done_fn cr_done;
	void *cr_arg;
	int cr_status;
	size_t cr_reply_len;
	size_t cr_result_len;
	struct xr_plan cr_plan;
	/* Engine-private. */
	bool cr_complete;
	bool cr_sync;	      /* set by xr_clnt_call(): cr_cv is live */
	pthread_cond_t cr_cv; /* xr_clnt_call()'s caller waits on it */
};

/**
 * struct xr_clnt_params - connection configuration (0/NULL = default)
 * @cp_backend: "verbs" or "ofi" (default "ofi")
 * @cp_provider: ofi provider (default "tcp")
 * @cp_addr: server address (required)
 * @cp_port: server port (default 20049)
 * @cp_credits: calls in flight asked for, 1..1024 (default 128)
 * @cp_inline: inline send and receive size (default 4096)
 * @cp_connect_timeout_ms: default 10000
 * @cp_bounce_bytes: the bounce pool (docs/architecture.md, "Memory
 *	registration"): chunks the server reaches are copied through one
 *	area registered once per engine instead of registering the caller's
 *	memory per call.  0: XR_CLNT_BOUNCE_DEFAULT (the default pools of
 *	all engines together at most a quarter of a finite RLIMIT_MEMLOCK,
 *	none below 1 MiB) where the fabric's
 *	registrations cost a system call (xr_fabric_local_needs_reg(): verbs,
 *	loop), none elsewhere (ofi: a registration pins nothing, one
 *	getrandom() for its key); < 0: none (per-call registration);
 *	> 0: that many bytes, at most XR_CLNT_BOUNCE_MAX.  A pool that
 *	cannot be registered is left out (every chunk per call).
 */
struct xr_clnt_params {
	const char *cp_backend;
	const char *cp_provider;
	const char *cp_addr;
	uint16_t cp_port;
	uint32_t cp_credits;
	uint32_t cp_inline;
	int cp_connect_timeout_ms;
	int64_t cp_bounce_bytes;
};

#define XR_CLNT_BOUNCE_DEFAULT (8ll << 20)
#define XR_CLNT_BOUNCE_MAX (1ll << 30)

/* Called (progress thread, no lock) when an established connection dies. */
typedef void (*xr_clnt_lost_fn)(struct xr_clnt *clnt, void *arg);

/**
 * xr_clnt_create() - open a fabric, start the progress thread, connect
 * @params: configuration
 * @on_lost: connection-loss callback (may be NULL)
 * @arg: its argument
 * @out: the engine
 * @err: reason of a failure (may be NULL)
 * @errlen: its size
 *
 * Return: 0; -EINVAL for a bad parameter; the fabric's open error; the
 * connect error (-ECONNREFUSED when refused, -ETIMEDOUT, -EIO); -ENOMEM.
 */
int xr_clnt_create(const struct xr_clnt_params *params, xr_clnt_lost_fn on_lost,
		   void *arg, struct xr_clnt **out, char *err, size_t errlen);

/**
 * xr_clnt_connect() - reconnect after a loss (blocking; any thread)
 *
 * Return: 0 (also when already connected); -ECONNREFUSED, -ETIMEDOUT,
 * -EIO on failure; -ESHUTDOWN while the engine is being destroyed.
 */
int xr_clnt_connect(struct xr_clnt *clnt);

/**
 * xr_clnt_submit() - start a call; req->cr_done runs when it completes
 *
 * Waits (blocking) while no credit is available; called from a completion
 * callback (the progress thread) it cannot wait and returns -EAGAIN
 * instead.  Return: 0 (the callback will run exactly once); -EINVAL (bad
 * request: no xid, no cr_done, too many ranges, buffers above 4 GiB); -EEXIST
 * (xid already in flight); -ENOTCONN (not connected); -EAGAIN (no credit, from
 * a callback); -ENOMEM/-EIO (registration or post failed).  On an error
 * return the callback does not run.
 */
int xr_clnt_submit(struct xr_clnt *clnt, struct xr_clnt_req *req);

/**
 * xr_clnt_call() - submit @req and wait for its completion
 * @timeout_ms: 0 = 60000; on expiry the connection is dropped (so the
 *	server cannot write into the caller's buffers any more) and the
 *	call completes with -ETIMEDOUT
 *
 * Return: req->cr_status, or the submit error; -EDEADLK when called from
 * a completion callback (it would wait for its own thread).
 */
int xr_clnt_call(struct xr_clnt *clnt, struct xr_clnt_req *req, int timeout_ms);

/**
 * xr_clnt_disconnect() - drop the connection; calls in flight complete
 * with -ENOTCONN
 */
void xr_clnt_disconnect(struct xr_clnt *clnt);

/** xr_clnt_connected() - true while the connection is established */
bool xr_clnt_connected(struct xr_clnt *clnt);

/** xr_clnt_inline_sizes() - negotiated inline send/receive sizes */
void xr_clnt_inline_sizes(struct xr_clnt *clnt, uint32_t *send, uint32_t *recv);

/** xr_clnt_get_stats() - copy the counters (any thread) */
void xr_clnt_get_stats(struct xr_clnt *clnt, struct xr_core_stats *out);

/**
 * xr_clnt_destroy() - disconnect, complete calls in flight with
 * -ENOTCONN, join the progress thread, free everything.  Not from a
 * callback.
 */
void xr_clnt_destroy(struct xr_clnt *clnt);

#endif /* XR_CLNT_H */
