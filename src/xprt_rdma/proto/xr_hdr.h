/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * RPC-over-RDMA Version 1 transport header codec (RFC 8166).
 *
 * How this works: every RPC-over-RDMA message starts with a transport
 * header of XDR words: rdma_xid, rdma_vers, rdma_credit, rdma_proc, then a
 * body chosen by rdma_proc.  RDMA_MSG and RDMA_NOMSG carry three chunk
 * lists (Read list, Write list, Reply chunk); RDMA_MSG is followed by the
 * inline RPC message.  RDMA_ERROR carries ERR_VERS (with the supported
 * version range) or ERR_CHUNK.  RDMA_MSGP and RDMA_DONE are reserved and
 * are not accepted by Version 1 receivers.
 *
 * xr_hdr_decode() parses and validates the whole header before it reports
 * success, writing the parsed chunk lists into arrays the caller owns (no
 * allocation).  Every count is checked against struct xr_hdr_limits before
 * anything is stored, every length is summed in 64 bits with overflow
 * checks, and Read chunk positions are checked against the message they
 * are spliced into.  On failure it names a reason (enum xr_hdr_reason);
 * xr_hdr_action() turns the reason into what a receiver does: answer
 * ERR_VERS, answer ERR_CHUNK, or drop the message silently.
 *
 * xr_hdr_encode() writes a header from the same parsed structure, and
 * xr_hdr_encode_err_vers()/xr_hdr_encode_err_chunk() build RDMA_ERROR
 * replies.  This file is pure: no verbs, no libfabric, no I/O.
 */
#ifndef XR_HDR_H
#define XR_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define XR_RPCRDMA_VERSION 1u

/* Size of the four fixed words that begin every transport header. */
#define XR_HDR_FIXED_BYTES 16u
/* Smallest RDMA_MSG/RDMA_NOMSG header: fixed words + three empty lists. */
#define XR_HDR_MIN_MSG_BYTES 28u
/* Bytes of one RDMA segment on the wire: handle, length, offset (u64). */
#define XR_SEGMENT_BYTES 16u

/** enum xr_proc - the rdma_proc values of RFC 8166 */
enum xr_proc {
	XR_RDMA_MSG = 0,
	XR_RDMA_NOMSG = 1,
	XR_RDMA_MSGP = 2, /* reserved: not used in Version 1 */
	XR_RDMA_DONE = 3, /* reserved: not used in Version 1 */
	XR_RDMA_ERROR = 4,
};

/** enum xr_errcode - rdma_err values carried by RDMA_ERROR */
enum xr_errcode {
	XR_ERR_VERS = 1,
	XR_ERR_CHUNK = 2,
};

/**
 * struct xr_segment - one RDMA segment (RFC 8166 xdr_rdma_segment)
 * @seg_handle: the steering tag (R_key) the peer registered
 * @seg_length: bytes in the segment
 * @seg_offset: the peer's address (or offset) of the first byte
 */
struct xr_segment {
	uint32_t seg_handle;
	uint32_t seg_length;
	uint64_t seg_offset;
};

/**
 * struct xr_chunk - a run of segments that carry one XDR data item
 * @ch_position: Read chunks only: byte offset in the reconstructed XDR
 *	stream where the chunk data goes (0 = the Position-Zero chunk that
 *	carries a whole RPC Call for RDMA_NOMSG).  Zero for other chunks.
 * @ch_inline_offset: Read chunks only, filled by the decoder: offset in the
 *	inline message (RDMA_MSG) or in the Position-Zero chunk data
 *	(RDMA_NOMSG) where this chunk's data is spliced in.  It equals
 *	@ch_position minus the XDR-rounded lengths of earlier data chunks.
 * @ch_first: index of the first segment in struct xr_hdr.h_segs
 * @ch_nsegs: number of segments (never 0 in a valid header)
 * @ch_length: sum of the segment lengths
 */
struct xr_chunk {
	uint32_t ch_position;
	uint32_t ch_inline_offset;
	uint32_t ch_first;
	uint32_t ch_nsegs;
	uint64_t ch_length;
};

/** enum xr_hdr_dir - which kind of message the receiver expects */
enum xr_hdr_dir {
	/* A responder (server) receiving RPC Calls. */
	XR_DIR_CALL = 0,
	/* A requester (client) receiving RPC Replies. */
	XR_DIR_REPLY = 1,
};

/**
 * struct xr_hdr_limits - receiver policy the decoder enforces
 * @hl_dir: calls or replies (see enum xr_hdr_dir)
 * @hl_max_read_segs: Read segments over the whole Read list
 * @hl_max_write_chunks: chunks in the Write list
 * @hl_max_chunk_segs: segments in any one chunk (Read, Write or Reply)
 * @hl_max_chunk_bytes: bytes a list may move: the Read list total, the
 *	Write list total and the Reply chunk are each at most this
 * @hl_inline_size: size of the receive buffer; a message longer than this
 *	cannot have been received legitimately and is dropped
 */
struct xr_hdr_limits {
	enum xr_hdr_dir hl_dir;
	uint32_t hl_max_read_segs;
	uint32_t hl_max_write_chunks;
	uint32_t hl_max_chunk_segs;
	uint64_t hl_max_chunk_bytes;
	uint32_t hl_inline_size;
};

/**
 * struct xr_hdr - a parsed transport header
 *
 * The caller points h_chunks/h_segs at its own storage and sets the two
 * capacities (xr_hdr_init() does this).  Chunks are stored in order: the
 * h_nread Read chunks, then the h_nwrite Write chunks, then the Reply chunk
 * when h_has_reply is set.  Use the accessors below.
 */
struct xr_hdr {
	uint32_t h_xid;
	uint32_t h_vers;
	uint32_t h_credits;
	uint32_t h_proc;

	/* Chunk lists (RDMA_MSG, RDMA_NOMSG). */
	struct xr_chunk *h_chunks;
	uint32_t h_chunk_cap;
	struct xr_segment *h_segs;
	uint32_t h_seg_cap;
	uint32_t h_nread;
	uint32_t h_nwrite;
	bool h_has_reply;
	uint32_t h_nsegs;
	/* Set by the decoder when the Read list has a Position-Zero chunk. */
	bool h_has_call_chunk;

	/* Filled by the decoder: header length and the message after it. */
	uint32_t h_hdr_len;
	uint32_t h_msg_offset;
	uint32_t h_msg_len;

	/* RDMA_ERROR. */
	uint32_t h_err;
	uint32_t h_vers_low;
	uint32_t h_vers_high;
};

/** enum xr_hdr_reason - why a header was refused (0 = accepted) */
enum xr_hdr_reason {
	XR_REASON_OK = 0,
	XR_REASON_NO_XID,	 /* shorter than rdma_xid + rdma_vers */
	XR_REASON_TOO_LONG,	 /* longer than the inline buffer */
	XR_REASON_BAD_VERSION,	 /* rdma_vers is not 1 */
	XR_REASON_SHORT_FIXED,	 /* version ok, credit/proc missing */
	XR_REASON_BAD_PROC,	 /* rdma_proc not defined */
	XR_REASON_RESERVED_PROC, /* RDMA_MSGP or RDMA_DONE */
	XR_REASON_TRUNCATED,	 /* a list runs past the buffer */
	XR_REASON_BAD_DISCRIM,	 /* list discriminator not 0 or 1 */
	XR_REASON_TOO_MANY_READ_SEGS,
	XR_REASON_TOO_MANY_WRITE_CHUNKS,
	XR_REASON_TOO_MANY_SEGS,    /* segment count above per-chunk limit */
	XR_REASON_ZERO_SEGS,	    /* chunk with segment count 0 */
	XR_REASON_SEG_WRAP,	    /* offset + length wraps 64 bits */
	XR_REASON_CHUNK_TOO_BIG,    /* list total above hl_max_chunk_bytes */
	XR_REASON_UNALIGNED_POS,    /* Read position not a multiple of 4 */
	XR_REASON_POS_ORDER,	    /* Read chunks out of order/overlapping */
	XR_REASON_POS_PAST_MSG,	    /* position beyond the message */
	XR_REASON_POS_ZERO_IN_MSG,  /* Position-Zero chunk with RDMA_MSG */
	XR_REASON_EMPTY_CALL_CHUNK, /* Position-Zero chunk of 0 bytes */
	XR_REASON_NOMSG_NO_CHUNK,   /* RDMA_NOMSG without the needed chunk */
	XR_REASON_TRAILING,	    /* bytes after a header that has none */
	XR_REASON_MSG_SHORT,	    /* RDMA_MSG without an RPC xid inline */
	XR_REASON_MSG_UNALIGNED,    /* inline RPC message not XDR-aligned */
	XR_REASON_XID_MISMATCH,	    /* RPC xid differs from rdma_xid */
	XR_REASON_READ_IN_REPLY,    /* Read list in a reply */
	XR_REASON_ERROR_AT_SERVER,  /* RDMA_ERROR received by a responder */
	XR_REASON_BAD_ERRCODE,	    /* RDMA_ERROR with unknown rdma_err */
	XR_REASON_BAD_ERRVERS,	    /* ERR_VERS with low > high */
	XR_REASON_COUNT
};

/** enum xr_hdr_action - what a receiver does with a refused header */
enum xr_hdr_action {
	XR_ACT_ACCEPT = 0,
	XR_ACT_DROP,	  /* discard silently (count it) */
	XR_ACT_ERR_VERS,  /* answer RDMA_ERROR / ERR_VERS */
	XR_ACT_ERR_CHUNK, /* answer RDMA_ERROR / ERR_CHUNK */
};

/**
 * xr_xdr_pad() - XDR roundup bytes after a data item of @len bytes
 *
 * XDR pads every variable-length item to a multiple of 4 (RFC 4506).  In
 * RPC-over-RDMA (RFC 8166 section 3.4.5) the roundup of a DDP-eligible
 * item moved by a chunk is not transferred: a requester should not include
 * it in a Read chunk (a receiver accepts it either way, because a length
 * that already includes it is a multiple of 4), the roundup appears
 * neither in the chunk nor in the inline stream, and a responder never
 * writes it into a Write chunk.  The receiver that reassembles the XDR
 * stream inserts xr_xdr_pad(len) zero bytes after the chunk data.
 *
 * Return: 0..3.
 */
static inline uint32_t xr_xdr_pad(uint64_t len)
{
	return (uint32_t)((4u - (len & 3u)) & 3u);
}

/**
 * xr_xdr_roundup() - @len rounded up to the next multiple of 4
 *
 * Return: the XDR-aligned length (64-bit, so it cannot wrap for any
 * 32-bit or chunk-sized input).
 */
static inline uint64_t xr_xdr_roundup(uint64_t len)
{
	return len + xr_xdr_pad(len);
}

/**
 * xr_hdr_init() - point a header at caller-owned chunk/segment storage
 * @hdr: header to reset
 * @chunks: array of @chunk_cap chunks
 * @chunk_cap: capacity of @chunks
 * @segs: array of @seg_cap segments
 * @seg_cap: capacity of @segs
 *
 * Storage big enough for any header @lim accepts is
 * xr_hdr_chunks_needed(lim) chunks and xr_hdr_segs_needed(lim) segments.
 */
void xr_hdr_init(struct xr_hdr *hdr, struct xr_chunk *chunks,
		 uint32_t chunk_cap, struct xr_segment *segs, uint32_t seg_cap);

/**
 * xr_hdr_chunks_needed() - chunk storage for any header @lim accepts
 *
 * Return: the count, saturated at UINT32_MAX.
 */
uint32_t xr_hdr_chunks_needed(const struct xr_hdr_limits *lim);

/**
 * xr_hdr_segs_needed() - segment storage for any header @lim accepts
 *
 * Return: the count, saturated at UINT32_MAX.
 */
uint32_t xr_hdr_segs_needed(const struct xr_hdr_limits *lim);

/* Accessors: index must be below h_nread / h_nwrite. */
static inline struct xr_chunk *xr_hdr_read_chunk(const struct xr_hdr *h,
						 uint32_t i)
{
	return &h->h_chunks[i];
}

static inline struct xr_chunk *xr_hdr_write_chunk(const struct xr_hdr *h,
						  uint32_t i)
{
	return &h->h_chunks[h->h_nread + i];
}

/* Return: the Reply chunk, or NULL when none is present. */
static inline struct xr_chunk *xr_hdr_reply_chunk(const struct xr_hdr *h)
{
	return h->h_has_reply ? &h->h_chunks[h->h_nread + h->h_nwrite] : NULL;
}

static inline struct xr_segment *
xr_chunk_seg(const struct xr_hdr *h, const struct xr_chunk *c, uint32_t i)
{
	return &h->h_segs[c->ch_first + i];
}

/**
 * xr_hdr_decode() - parse and validate a whole transport header
 * @buf: received bytes (the transport header, then for RDMA_MSG the RPC
 *	message)
 * @len: number of bytes received
 * @lim: receiver policy (counts, bytes, direction)
 * @hdr: output; storage set up by xr_hdr_init().  Its contents are
 *	unspecified unless 0 is returned, except h_xid, which is valid
 *	whenever @len >= 4 (needed to address an RDMA_ERROR reply).
 * @reason: output; why the header was refused, XR_REASON_OK on success
 *
 * Nothing is stored until its count has been checked against @lim and
 * the storage capacity, and success is reported only after every field
 * has been validated.
 *
 * Return: 0 on success.
 *	-EINVAL when an argument is NULL (reason not set);
 *	-EPROTONOSUPPORT when rdma_vers is not 1 (XR_REASON_BAD_VERSION);
 *	-E2BIG when a count or byte total exceeds @lim or the storage;
 *	-EPROTO when a well-formed header is not acceptable in this
 *	direction (RDMA_ERROR at a responder, Read list in a reply);
 *	-EBADMSG for every other malformed header.
 *	In every failure case *@reason names the cause.
 */
int xr_hdr_decode(const void *buf, size_t len, const struct xr_hdr_limits *lim,
		  struct xr_hdr *hdr, enum xr_hdr_reason *reason);

/**
 * xr_hdr_action() - what a receiver does with a decode result
 * @reason: the reason xr_hdr_decode() gave
 * @dir: the receiving direction
 *
 * A responder answers ERR_VERS for a bad version and ERR_CHUNK for XDR
 * errors once it knows the xid and the version is 1 (RFC 8166 section
 * 4.5).  It drops messages too short to carry an xid, RDMA_ERROR messages
 * (never answer an error with an error), and messages longer than its
 * buffer.  A requester never answers: every refused reply is dropped.
 *
 * Return: the action; XR_ACT_ACCEPT for XR_REASON_OK.
 */
enum xr_hdr_action xr_hdr_action(enum xr_hdr_reason reason,
				 enum xr_hdr_dir dir);

/**
 * xr_hdr_reason_str() - a short name for @reason, for logs and tests
 *
 * Return: a static string ("?" for an out-of-range value).
 */
const char *xr_hdr_reason_str(enum xr_hdr_reason reason);

/**
 * xr_hdr_encoded_size() - bytes xr_hdr_encode() would write for @hdr
 *
 * Return: the size, or -EINVAL when @hdr is not encodable (see
 * xr_hdr_encode()).
 */
ssize_t xr_hdr_encoded_size(const struct xr_hdr *hdr);

/**
 * xr_hdr_encode() - write an RDMA_MSG or RDMA_NOMSG transport header
 * @hdr: fields and chunk lists to encode (h_xid, h_vers, h_credits,
 *	h_proc, the chunk arrays and counts); ch_inline_offset and the
 *	decoder outputs are ignored
 * @buf: destination
 * @size: bytes available at @buf
 *
 * The RPC message (for RDMA_MSG) is not written: the caller sends it after
 * the returned number of bytes.  Use xr_hdr_encode_err_*() for RDMA_ERROR.
 *
 * Return: bytes written.
 *	-EINVAL when @hdr or @buf is NULL, h_proc is not RDMA_MSG/RDMA_NOMSG,
 *	a chunk has no segments, or chunk/segment indexes are outside the
 *	arrays, or a Read chunk's position is not a multiple of 4;
 *	-EMSGSIZE when @size is too small (nothing useful is written).
 */
ssize_t xr_hdr_encode(const struct xr_hdr *hdr, void *buf, size_t size);

/**
 * xr_hdr_encode_err_vers() - write RDMA_ERROR / ERR_VERS
 * @xid: rdma_xid of the message being refused
 * @credits: credit value to grant
 * @low: lowest RPC-over-RDMA version supported
 * @high: highest version supported
 * @buf: destination
 * @size: bytes available
 *
 * Return: 28 (bytes written); -EINVAL when @buf is NULL or @low > @high;
 * -EMSGSIZE when @size < 28.
 */
ssize_t xr_hdr_encode_err_vers(uint32_t xid, uint32_t credits, uint32_t low,
			       uint32_t high, void *buf, size_t size);

/**
 * xr_hdr_encode_err_chunk() - write RDMA_ERROR / ERR_CHUNK
 *
 * Return: 20 (bytes written); -EINVAL when @buf is NULL; -EMSGSIZE when
 * @size < 20.
 */
ssize_t xr_hdr_encode_err_chunk(uint32_t xid, uint32_t credits, void *buf,
				size_t size);

#endif /* XR_HDR_H */
