/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A test transport: it wraps a real one (TCP or RDMA) behind the same
 * struct sess_xprt ops and injects faults, so that neither the production
 * transports nor the session client carry test-only code.  It is built as
 * its own library (sess_fault), linked only into tests and the test build
 * of the CLI (nfs41_fault), never into libsess or nfs41.
 *
 * Every fault fires once:
 * - lose a reply: the Nth call (or the next one, armed at run time) is
 *   sent and answered as usual, then its reply is thrown away and the
 *   connection dropped, as if the network had failed after the server
 *   executed the call.  The call fails with -ENOTCONN, as do the calls in
 *   flight with it, and the session layer replays them;
 * - lose the connection: when the Nth call starts, or the first call that
 *   starts a given time after the wrapper was made, the connection is
 *   dropped with whatever is in flight on it;
 * - keep it lost: after the wrapper dropped the connection, connect()
 *   fails with -ECONNREFUSED for a while (a peer still unreachable), so a
 *   test can tell whether calls wait for that connection to come back;
 * - skew a seqid: the next SEQUENCE on a slot goes out with its
 *   sa_sequenceid raised, rewritten in the encoded COMPOUND;
 * - no back channel: the first CREATE_SESSION goes out without
 *   CREATE_SESSION4_FLAG_CONN_BACK_CHAN, rewritten the same way.
 */
#ifndef SESS_XPRT_FAULT_H
#define SESS_XPRT_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "sess_xprt.h"

/** Faults fixed when the wrapper is made (0/false: off). */
struct sess_xprt_fault_opts {
	uint64_t drop_reply_after; /* lose the reply of call N (from 1) */
	uint64_t drop_conn_after;  /* drop the connection as call N starts */
	/* drop it as the first call starts this long after the wrap */
	uint32_t drop_conn_at_ms;
	bool no_back_chan; /* first CREATE_SESSION: no back channel */
	/* after a drop by the wrapper, connect() is refused this long */
	uint32_t refuse_connect_ms;
};

/** What the wrapper did (sess_xprt_fault_get()). */
struct sess_xprt_fault_stats {
	uint64_t fs_calls;		/* calls through the wrapper */
	uint64_t fs_replies_dropped;	/* replies thrown away */
	uint64_t fs_conns_dropped;	/* connections dropped */
	uint64_t fs_seqids_skewed;	/* SEQUENCE ops rewritten */
	uint64_t fs_back_chans_cleared; /* CREATE_SESSION ops rewritten */
	uint64_t fs_connects_refused;	/* refused (refuse_connect_ms) */
};

/**
 * sess_xprt_fault_wrap() - a transport that forwards to @inner and injects
 * the faults of @opts (NULL: none yet).  It takes @inner over: destroying
 * the wrapper destroys @inner.  Returns the wrapper, or NULL with errno
 * EINVAL (@inner NULL) or ENOMEM (then @inner is left to the caller).
 */
struct sess_xprt *sess_xprt_fault_wrap(struct sess_xprt *inner,
				       const struct sess_xprt_fault_opts *opts);

/**
 * sess_xprt_fault_drop_next() - lose the reply of the next call made on
 * @xprt (a wrapper from sess_xprt_fault_wrap()).
 */
void sess_xprt_fault_drop_next(struct sess_xprt *xprt);

/**
 * sess_xprt_fault_skew_seqid() - add @delta to the sa_sequenceid of the
 * next SEQUENCE on slot @slotid sent through @xprt, so that the server
 * answers NFS4ERR_SEQ_MISORDERED.  Returns 0, or -EINVAL for @delta 0.
 */
int sess_xprt_fault_skew_seqid(struct sess_xprt *xprt, uint32_t slotid,
			       uint32_t delta);

/**
 * sess_xprt_fault_drop_conn_in() - drop the connection of @xprt as the
 * @n-th call from now (from 1) starts, with refuse_connect_ms as set at
 * the wrap; replaces drop_conn_after.
 */
void sess_xprt_fault_drop_conn_in(struct sess_xprt *xprt, uint64_t n);

/**
 * sess_xprt_fault_drop_reply_in() - lose the reply of the @n-th call from
 * now (from 1) on @xprt; replaces drop_reply_after.
 */
void sess_xprt_fault_drop_reply_in(struct sess_xprt *xprt, uint64_t n);

/** sess_xprt_fault_get() - what the wrapper @xprt did so far. */
void sess_xprt_fault_get(struct sess_xprt *xprt,
			 struct sess_xprt_fault_stats *st);

#endif /* SESS_XPRT_FAULT_H */
