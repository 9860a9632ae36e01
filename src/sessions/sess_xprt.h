/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The transport seam under the session client.  A transport moves one RPC
 * call out and brings its reply back; many calls may be in flight at once
 * from many threads.  The caller describes where bulk data comes from and
 * where READ data should land, so that an RDMA transport can offer the
 * WRITE payload as a read chunk and let READ data arrive through a write
 * chunk straight into the caller's buffer; the TCP transport (sess_xprt_tcp.c)
 * sends the payload with writev() after the encoded arguments and copies
 * READ data out of the received record.
 *
 * Server-to-client calls on the same connection (the NFSv4.1 backchannel)
 * are handed to the registered callback handler, whose reply is sent back.
 */
#ifndef SESS_XPRT_H
#define SESS_XPRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct sess_xprt;
struct sess_xprt_call;

/* What a reply marked tc_reply_small may take at most. */
#define SESS_XPRT_SMALL_REPLY_MAX 4096u
struct sess_auth_sys;

/*
 * Encoder for the procedure arguments into [buf, buf + cap).  Returns the
 * length written or a negative errno.
 */
typedef int (*sess_encode_fn)(void *arg, uint8_t *buf, size_t cap);
/*
 * Decoder for the procedure results in [buf, buf + len); @buf must be
 * 4-byte aligned (XDR units; ntirpc's xdrmem aborts otherwise).  Returns 0
 * or a negative errno.  @call tells where READ data must land.
 */
typedef int (*sess_decode_fn)(void *arg, const uint8_t *buf, size_t len,
			      struct sess_xprt_call *call);
/*
 * Backchannel: handle the call in [req, req + req_len) (whole RPC message)
 * and write the whole reply message into [rep, rep + rep_cap).  Returns the
 * reply length, 0 to send nothing, or a negative errno (call dropped).
 */
typedef int (*sess_cb_handler_fn)(void *ctx, const uint8_t *req, size_t req_len,
				  uint8_t *rep, size_t rep_cap);

/** One RPC call as the session layer hands it to a transport. */
struct sess_xprt_call {
	uint32_t tc_prog;
	uint32_t tc_vers;
	uint32_t tc_proc;
	/* AUTH_SYS credential of the call (struct sess_auth_sys) */
	const struct sess_auth_sys *tc_cred;
	sess_encode_fn tc_encode;
	void *tc_encode_arg;
	sess_decode_fn tc_decode;
	void *tc_decode_arg;
	/*
	 * Bulk payload that follows the encoded arguments (the data of a
	 * WRITE that is the last operation of its COMPOUND).  The encoder
	 * writes everything up to and including the opaque's length word;
	 * the transport appends the bytes and the XDR padding.
	 */
	const struct iovec *tc_bulk_out;
	int tc_bulk_out_cnt;
	size_t tc_bulk_out_len;
	/* Where READ data should land (capacity in bytes). */
	void *tc_bulk_in;
	size_t tc_bulk_in_cap;
	/* Set by a transport that already placed READ data in tc_bulk_in. */
	bool tc_bulk_in_placed;
	/* ... and how many bytes it placed there (what the server wrote) */
	size_t tc_bulk_in_placed_len;
	/* Set by the decoder: READ bytes it had to copy into tc_bulk_in. */
	uint64_t tc_bulk_in_copied;
	/*
	 * The caller knows the reply is small (at most
	 * SESS_XPRT_SMALL_REPLY_MAX bytes): an RDMA transport whose inline
	 * receive is at least that large then offers no Reply chunk for it.
	 */
	bool tc_reply_small;
	/* Milliseconds to wait for the reply; 0 means the transport default */
	int tc_timeout_ms;
};

/** Counters every transport keeps (read with ops->get_stats). */
struct sess_xprt_stats {
	uint64_t xt_calls;
	uint64_t xt_replies;
	uint64_t xt_bytes_out;
	uint64_t xt_bytes_in;
	uint64_t xt_cb_calls;
	uint64_t xt_connects;
	uint64_t xt_disconnects;
	uint64_t xt_bad_records;
	uint64_t xt_timeouts;
	uint32_t xt_in_flight;
	uint32_t xt_max_in_flight;
	/* RDMA transports only (zero elsewhere). */
	uint64_t xt_rdma_read_bytes;	  /* pulled by the server */
	uint64_t xt_rdma_write_bytes;	  /* placed by the server */
	uint64_t xt_payload_bytes_copied; /* WRITE data sent inline */
	uint64_t xt_registered_bytes;	  /* registered right now */
	uint64_t xt_registered_per_conn;  /* pools of one connection */
	uint64_t xt_registrations;	  /* memory registrations made */
	uint64_t xt_deregistrations;	  /* and undone */
	/* the engine's bounce pool (no registration): chunks placed in it,
	 * chunks registered per call instead, bytes copied in and out */
	uint64_t xt_bounce_hits;
	uint64_t xt_bounce_misses;
	uint64_t xt_bounce_bytes_copied;
	/*
	 * Thread hand-offs (struct xr_core_stats): callers woken with their
	 * reply by the engine's progress thread, calls whose caller drove
	 * progress itself, the progress thread's wake-ups.
	 */
	uint64_t xt_caller_wakeups;
	uint64_t xt_caller_drives;
	uint64_t xt_loop_wakeups;
};

/** Operations of a transport; see each member for its errors. */
struct sess_xprt_ops {
	/* Short name ("tcp", "rdma"). */
	const char *name;
	/*
	 * Send @call and wait for its reply, then run its decoder.  Returns
	 * 0; -ENOTCONN when the connection is down or was lost before the
	 * reply came (the call may or may not have been executed);
	 * -ETIMEDOUT when no reply came in time (the connection is then
	 * dropped so that the caller can reconnect and replay); -EBADMSG
	 * for a malformed reply; the RPC errors of sess_rpc_decode_reply();
	 * or the decoder's error.
	 */
	int (*call)(struct sess_xprt *xprt, struct sess_xprt_call *call);
	/*
	 * (Re)establish the connection if it is down.  Returns 0, or the
	 * negative errno of connect() (e.g. -ECONNREFUSED).
	 */
	int (*connect)(struct sess_xprt *xprt);
	/* Drop the connection (calls in flight fail with -ENOTCONN). */
	void (*disconnect)(struct sess_xprt *xprt);
	/* Install the backchannel call handler. */
	void (*set_cb_handler)(struct sess_xprt *xprt, sess_cb_handler_fn fn,
			       void *ctx);
	void (*get_stats)(struct sess_xprt *xprt, struct sess_xprt_stats *st);
	/* Disconnect and free. */
	void (*destroy)(struct sess_xprt *xprt);
};

/** A transport instance: ops plus the transport's private state. */
struct sess_xprt {
	const struct sess_xprt_ops *x_ops;
	/* Largest record the transport accepts or sends. */
	size_t x_max_record;
	/* True when the transport is RDMA (CREATE_SESSION sets ca_rdma_ird) */
	bool x_is_rdma;
	/*
	 * True when the transport serves server-to-client calls (the TCP
	 * one does).  Without it the session asks for no back channel and
	 * does not try to repair SEQ4_STATUS_CB_PATH_DOWN.
	 */
	bool x_has_backchannel;
	uint32_t x_rdma_ird;
};

/** Options for sess_xprt_tcp_create(). */
struct sess_xprt_tcp_opts {
	const char *host;
	uint16_t port;
	size_t max_record; /* default 4 MiB + 64 KiB */
	int timeout_ms;	   /* default reply timeout, default 60000 */
};

/**
 * sess_xprt_tcp_create() - a TCP transport with RFC 5531 record marking
 * and a receive thread that matches replies by xid.  Does not connect.
 * Returns the transport, or NULL with errno ENOMEM/EINVAL.
 */
struct sess_xprt *sess_xprt_tcp_create(const struct sess_xprt_tcp_opts *opts);

#endif /* SESS_XPRT_H */
