/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * RPC-over-RDMA connection engines: what the server engine (xr_svc.h) and
 * the client engine (xr_clnt.h) share.  How this works:
 *
 * - An RPC message is described, never assembled, as three runs of byte
 *   ranges (struct xr_msg): the head (everything before the DDP-eligible
 *   data item, including that item's XDR length word), the payload (the
 *   item's bytes, without XDR padding) and the tail.  A transport either
 *   sends all of it inline (inserting the padding after the payload) or
 *   moves the payload by RDMA (a Read chunk in a call, a Write chunk in a
 *   reply) and sends head + tail, the padding dropped (RFC 8166 3.4.5).
 * - Chunk planning (xr_plan_call(), xr_plan_reply()) is pure: sizes and
 *   negotiated limits in, a decision out.  The engines follow it.
 * - Credits (struct xr_credits) are pure accounting too: the requester
 *   never has more calls outstanding than the responder granted.
 * - Counters (struct xr_core_stats) are a plain struct, hot fields first,
 *   errors by kind, then gauges of what is held right now (connections,
 *   registrations, registered bytes, calls); an engine copies them out
 *   under its lock.
 */
#ifndef XR_CORE_H
#define XR_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Defaults and bounds of the configuration. */
#define XR_DEFAULT_CREDITS 128u
#define XR_MAX_CREDITS 1024u
#define XR_DEFAULT_INLINE 4096u
#define XR_DEFAULT_MAX_CONNS 64u
#define XR_DEFAULT_MAX_MSG (1024u * 1024u + 64u * 1024u)
/* Server: RDMA Read landing area per connection (holds chunk payloads). */
#define XR_DEFAULT_READ_POOL (2u * 1024u * 1024u)

/* Transport header room the planner keeps free in an inline buffer. */
#define XR_HDR_RESERVE 256u
/* A DDP-eligible item shorter than this goes inline (a copy is cheaper). */
#define XR_DDP_MIN_BYTES 1024u

/* Limits on what one message may carry. */
#define XR_MSG_MAX_RANGES 4u   /* per run (head, payload, tail) */
#define XR_MAX_READ_CHUNKS 4u  /* data Read chunks in one call */
#define XR_MAX_WRITE_CHUNKS 4u /* Write chunks in one call */
#define XR_MAX_CHUNK_SEGS 16u  /* segments in one chunk */
/* Ranges of a received call: head, then per chunk (data, pad, inline). */
#define XR_CALL_MAX_RANGES (1u + 3u * XR_MAX_READ_CHUNKS + 1u)

/**
 * struct xr_msg - an RPC message as byte ranges in XDR order
 * @xm_head: ranges before the payload (include the item's length word)
 * @xm_nhead: their number, 0..XR_MSG_MAX_RANGES
 * @xm_payload: the DDP-eligible item's bytes (no padding), may be empty
 * @xm_npayload: their number, 0..XR_MSG_MAX_RANGES
 * @xm_tail: ranges after the payload (and after its padding)
 * @xm_ntail: their number, 0..XR_MSG_MAX_RANGES
 */
struct xr_msg {
	const struct iovec *xm_head;
	uint32_t xm_nhead;
	const struct iovec *xm_payload;
	uint32_t xm_npayload;
	const struct iovec *xm_tail;
	uint32_t xm_ntail;
};

/**
 * xr_iov_len() - total bytes of @n ranges
 *
 * Return: the sum (64-bit).
 */
uint64_t xr_iov_len(const struct iovec *iov, uint32_t n);

/**
 * xr_msg_check() - validate a message description
 *
 * Return: 0; -EINVAL when a run has more than XR_MSG_MAX_RANGES ranges, a
 * range with bytes has a NULL base, or the message is empty.
 */
int xr_msg_check(const struct xr_msg *m);

/**
 * struct xr_plan_in - what the call planner needs to know
 * @pi_head_len: bytes of the head
 * @pi_payload_len: bytes of the payload (0: none)
 * @pi_tail_len: bytes of the tail
 * @pi_payload_ddp: the payload is a DDP-eligible item (RFC 8267)
 * @pi_inline_send: the negotiated inline send size
 * @pi_inline_recv: the negotiated inline receive size
 * @pi_reply_max: the largest reply message expected (not counting a
 *	result that arrives by Write chunk)
 * @pi_result_cap: room for a DDP-eligible result (READ data) in the
 *	caller's buffer, 0 when the call has none
 */
struct xr_plan_in {
	uint64_t pi_head_len;
	uint64_t pi_payload_len;
	uint64_t pi_tail_len;
	bool pi_payload_ddp;
	uint32_t pi_inline_send;
	uint32_t pi_inline_recv;
	uint64_t pi_reply_max;
	uint64_t pi_result_cap;
};

/**
 * struct xr_plan - how a call travels
 * @pl_read_chunk: the payload goes by a Read chunk at @pl_position
 * @pl_position: XDR position of the payload (== head length)
 * @pl_pos_zero: the message goes by a Position-Zero Read chunk
 *	(RDMA_NOMSG); nothing of it is sent inline
 * @pl_write_chunk: offer a Write chunk for the result
 * @pl_reply_chunk: offer a Reply chunk for the reply message
 * @pl_inline_len: RPC message bytes sent inline after the header
 */
struct xr_plan {
	bool pl_read_chunk;
	uint64_t pl_position;
	bool pl_pos_zero;
	bool pl_write_chunk;
	bool pl_reply_chunk;
	uint64_t pl_inline_len;
};

/**
 * xr_plan_ddp() - is this NFS item DDP-eligible (RFC 8267, xr_ddp.h)?
 * @prog: RPC program
 * @vers: program version
 * @minor: NFSv4 minor version (ignored for v2/v3)
 * @op: v2/v3 procedure or NFSv4 COMPOUND operation carrying the item
 * @objtype: NFSv4 CREATE object type (nfs_ftype4), else 0
 * @result: false for an argument (Call: Read chunk), true for a result
 *	(Reply: Write chunk)
 *
 * A requester sets xr_plan_in.pi_payload_ddp from this for its argument,
 * and offers a Write chunk only for an eligible result.
 *
 * Return: true when the item may be moved by a chunk.
 */
bool xr_plan_ddp(uint32_t prog, uint32_t vers, uint32_t minor, uint32_t op,
		 uint32_t objtype, bool result);

/**
 * xr_plan_call() - decide how a call travels (requester side)
 *
 * A DDP-eligible payload of at least XR_DDP_MIN_BYTES goes by Read chunk;
 * what remains goes inline if it fits in the inline send size less
 * XR_HDR_RESERVE, else by a Position-Zero Read chunk.  A Write chunk is
 * offered whenever the caller has room for a DDP result; a Reply chunk
 * when the largest expected reply does not fit the inline receive size.
 *
 * Return: 0; -EINVAL for a NULL argument or inline sizes below
 * XR_HDR_RESERVE + 4.
 */
int xr_plan_call(const struct xr_plan_in *in, struct xr_plan *out);

/**
 * struct xr_reply_plan_in - what the reply planner needs to know
 * @ri_head_len, @ri_payload_len, @ri_tail_len: the reply message runs
 * @ri_write_chunk_len: bytes of the first unused Write chunk the client
 *	offered (0: none)
 * @ri_reply_chunk_len: bytes of the Reply chunk offered (0: none)
 * @ri_inline_send: the negotiated inline send size (the client's inline
 *	receive size: nothing longer may be sent)
 * @ri_hdr_len: bytes of the transport header of an inline reply (RDMA_MSG,
 *	echoing the client's Write list); 0: XR_HDR_RESERVE
 * @ri_nomsg_hdr_len: bytes of the header of a reply through the Reply
 *	chunk (RDMA_NOMSG, echoing that chunk too); 0: XR_HDR_RESERVE
 */
struct xr_reply_plan_in {
	uint64_t ri_head_len;
	uint64_t ri_payload_len;
	uint64_t ri_tail_len;
	uint64_t ri_write_chunk_len;
	uint64_t ri_reply_chunk_len;
	uint32_t ri_inline_send;
	uint32_t ri_hdr_len;
	uint32_t ri_nomsg_hdr_len;
};

/**
 * struct xr_reply_plan - how a reply travels
 * @rpl_write_chunk: the payload goes by RDMA Write into the Write chunk
 * @rpl_reply_chunk: the message goes through the Reply chunk (RDMA_NOMSG)
 * @rpl_msg_len: bytes of the RPC message (inline or in the Reply chunk)
 */
struct xr_reply_plan {
	bool rpl_write_chunk;
	bool rpl_reply_chunk;
	uint64_t rpl_msg_len;
};

/**
 * xr_plan_reply() - decide how a reply travels (responder side)
 *
 * The payload goes by Write chunk when one was offered and is big enough;
 * otherwise it is part of the message (padded).  The message goes inline
 * when header and message fit the inline send size, else through the
 * Reply chunk when it is big enough and its header alone fits.  Whatever
 * the header sizes, a plan never sends more than @ri_inline_send.
 *
 * Return: 0; -EINVAL for a NULL argument; -EMSGSIZE when the message fits
 * neither inline nor in the Reply chunk (the responder then answers with
 * an RPC error or ERR_CHUNK).
 */
int xr_plan_reply(const struct xr_reply_plan_in *in, struct xr_reply_plan *out);

/**
 * struct xr_credits - requester-side credit accounting (RFC 8166 3.3)
 * @cd_max: the most calls this side is ready to have in flight (its
 *	receive buffers); also what it asks for in rdma_credit
 * @cd_granted: what the responder granted in its last reply (starts at 1)
 * @cd_inflight: calls sent and not yet answered
 */
struct xr_credits {
	uint32_t cd_max;
	uint32_t cd_granted;
	uint32_t cd_inflight;
};

/** xr_credits_init() - start with one credit, as RFC 8166 requires */
void xr_credits_init(struct xr_credits *c, uint32_t max);

/**
 * xr_credits_take() - claim a credit for a new call
 *
 * Return: true when a call may be sent now; false when the grant is used
 * up (the caller waits: a credit stall).
 */
bool xr_credits_take(struct xr_credits *c);

/** xr_credits_put() - a call was answered (or abandoned): free its credit */
void xr_credits_put(struct xr_credits *c);

/**
 * xr_credits_update() - apply the rdma_credit of a reply
 *
 * The grant is clamped to 1..cd_max: a grant of 0 would deadlock a
 * requester, one above cd_max cannot be used.
 */
void xr_credits_update(struct xr_credits *c, uint32_t grant);

/**
 * xr_credits_to_grant() - what a responder grants in a reply
 * @posted: receives posted right now
 * @configured: the configured credit limit
 *
 * Return: min(@posted, @configured): never more than the receives posted.
 */
uint32_t xr_credits_to_grant(uint32_t posted, uint32_t configured);

/**
 * xr_conn_registered_bytes() - registered memory of one connection
 * @credits: credit limit
 * @inline_send: inline send size
 * @inline_recv: inline receive size
 * @extra_sends: send buffers beyond one per credit
 * @read_pool: RDMA Read landing area (server), 0 for a client
 *
 * Return: bytes registered for the pools of one connection (per-I/O
 * registrations of caller buffers are not counted: they are the caller's
 * memory, registered only while an I/O uses them).
 */
uint64_t xr_conn_registered_bytes(uint32_t credits, uint32_t inline_send,
				  uint32_t inline_recv, uint32_t extra_sends,
				  uint64_t read_pool);

/**
 * struct xr_core_stats - counters of one engine (all connections)
 *
 * Hot counters first, then errors by kind, then gauges (current values).
 */
struct xr_core_stats {
	/* Traffic. */
	uint64_t cs_calls;	      /* calls received (svc) / sent (clnt) */
	uint64_t cs_replies;	      /* replies sent (svc) / received (clnt) */
	uint64_t cs_inline_calls;     /* calls with no chunk at all */
	uint64_t cs_read_chunk_calls; /* calls with a data Read chunk */
	uint64_t cs_pos_zero_calls;   /* calls as RDMA_NOMSG */
	uint64_t cs_inline_replies;
	uint64_t cs_write_chunk_replies;
	uint64_t cs_reply_chunk_replies;
	/* svc: ops it posted; clnt: what the server moved in its memory */
	uint64_t cs_rdma_read_ops;
	uint64_t cs_rdma_read_bytes;
	uint64_t cs_rdma_write_ops;
	uint64_t cs_rdma_write_bytes;
	uint64_t cs_inline_bytes_copied; /* non-payload bytes into sends */
	/* clnt: DDP-eligible payload small enough to be copied inline */
	uint64_t cs_payload_bytes_copied;
	uint64_t cs_credit_stalls; /* a call waited for a credit */
	/*
	 * Thread hand-offs (docs/architecture.md, threads and locks): calls
	 * (clnt) or answers (svc) queued for the progress thread to post
	 * (fabric without XR_CAP_POST_ANY_THREAD); eventfd wake-ups of the
	 * progress thread by other threads; its sleeps that ended with
	 * work; callers woken by it with their reply (clnt); calls whose
	 * caller drove progress itself (clnt, xr_clnt_drive()).
	 */
	uint64_t cs_loop_handoffs;
	uint64_t cs_loop_kicks;
	uint64_t cs_loop_wakeups;
	uint64_t cs_caller_wakeups;
	uint64_t cs_caller_drives;
	/*
	 * Registration (docs/architecture.md, "Memory registration"): fabric
	 * registrations and deregistrations made (connection pools included,
	 * so the steady state per RPC is the difference over a run divided
	 * by cs_calls); local ranges of an RDMA op or send that needed none
	 * (the fabric takes plain addresses for local access); ranges found
	 * inside an engine-owned pool, whose registration served; ranges
	 * inside an area the upper layer had registered once
	 * (xr_svc_add_area(): Ganesha's READ buffers from the READ arena);
	 * small ranges (svc, at most XR_SVC_SMALL_COPY bytes: Ganesha 6.5's
	 * unaligned READ tail) copied into the reply's registered send
	 * buffer instead of being registered.
	 */
	uint64_t cs_reg_calls;
	uint64_t cs_dereg_calls;
	uint64_t cs_reg_unneeded;
	uint64_t cs_reg_pool_hits;
	uint64_t cs_reg_area_hits;
	uint64_t cs_reg_small_copies;
	/*
	 * clnt, the bounce pool: chunks placed in it (no registration),
	 * chunks registered per call instead (larger than the pool, or no
	 * room right now), payload bytes copied in and out of it.
	 */
	uint64_t cs_bounce_hits;
	uint64_t cs_bounce_misses;
	uint64_t cs_bounce_bytes_copied;
	/* Errors by kind. */
	uint64_t cs_err_hdr_dropped;   /* refused header, dropped silently */
	uint64_t cs_err_vers_sent;     /* answered RDMA_ERROR/ERR_VERS */
	uint64_t cs_err_chunk_sent;    /* answered RDMA_ERROR/ERR_CHUNK */
	uint64_t cs_rdma_error_recvd;  /* RDMA_ERROR received (clnt) */
	uint64_t cs_err_bad_reply;     /* reply segments beyond the offer */
	uint64_t cs_err_unmatched;     /* reply for no call in flight */
	uint64_t cs_err_completion;    /* failed operations (not flushes) */
	uint64_t cs_err_post;	       /* a post to the fabric failed */
	uint64_t cs_err_reg;	       /* a registration failed */
	uint64_t cs_err_reply_size;    /* reply fit neither inline nor chunk */
	uint64_t cs_err_refused_conns; /* over max connections, bad setup */
	/* svc: of those, refused as over the per-address limit */
	uint64_t cs_err_refused_per_addr;
	uint64_t cs_conn_lost; /* connections that went away */
	/*
	 * svc: closed by us, silent past the handshake timeout / idle /
	 * a call waiting on the peer past the peer timeout
	 */
	uint64_t cs_conns_closed_silent;
	uint64_t cs_conns_closed_idle;
	uint64_t cs_conns_closed_stalled;
	/* svc: connections it closed, by reason (RFC 8166 3.3.1 / 4.5) */
	uint64_t cs_closed_credit_overrun; /* more calls than credits */
	uint64_t cs_closed_malformed;	   /* too many refused headers */
	/* Gauges: what is held right now. */
	uint64_t cs_connections;
	uint64_t cs_connections_total;
	uint64_t cs_mr_live;	      /* registrations alive */
	uint64_t cs_registered_bytes; /* bytes they cover */
	uint64_t cs_calls_live;	      /* svc: calls held; clnt: in flight */
	uint64_t cs_recvs_posted;     /* receive buffers posted */
	/* Registered pool bytes of one connection at this configuration. */
	uint64_t cs_registered_per_conn;
};

#endif /* XR_CORE_H */
