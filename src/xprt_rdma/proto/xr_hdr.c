/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * RPC-over-RDMA Version 1 transport header codec (RFC 8166).
 *
 * How this works: the decoder walks the received bytes with a bounds-
 * checked cursor (struct xr_cursor); every read first proves the bytes are
 * there.  It fills the caller's chunk and segment arrays in wire order
 * (Read chunks, Write chunks, Reply chunk), checking each count against the
 * limits and the storage before the slot is used.  Only when all three
 * lists are parsed does it know the inline message length, so the Read
 * chunk positions are checked last, against the message they will be
 * spliced into.  Nothing is reported as accepted until every check passed.
 *
 * Positions (RFC 8166 section 3.5.2/3.5.3): a Read chunk's position is its
 * byte offset in the complete XDR stream, i.e. with earlier chunk data
 * (and its XDR roundup) reinserted.  Chunks must therefore appear in
 * increasing position order, may not overlap, and a chunk's splice point in
 * the inline data (position minus the rounded lengths of earlier data
 * chunks) may not lie beyond the inline data.  For RDMA_NOMSG the "inline
 * data" is the Position-Zero chunk that carries the RPC Call.
 *
 * The encoder computes the exact size first and refuses (-EMSGSIZE) before
 * writing anything when the buffer is too small.
 */
#include "xr_hdr.h"

#include <errno.h>
#include <string.h>

/* Bytes of one Read list entry after its discriminator: position + seg. */
#define XR_READ_ENTRY_BYTES (4u + XR_SEGMENT_BYTES)

/* A read-only cursor over received bytes. */
struct xr_cursor {
	const uint8_t *cur_p;
	size_t cur_left;
};

static uint32_t xr_get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void xr_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Callers have checked that 4 bytes remain. */
static uint32_t xr_cur_u32(struct xr_cursor *c)
{
	uint32_t v = xr_get_be32(c->cur_p);

	c->cur_p += 4;
	c->cur_left -= 4;
	return v;
}

/* Callers have checked that XR_SEGMENT_BYTES remain. */
static void xr_cur_segment(struct xr_cursor *c, struct xr_segment *seg)
{
	seg->seg_handle = xr_cur_u32(c);
	seg->seg_length = xr_cur_u32(c);
	seg->seg_offset = (uint64_t)xr_cur_u32(c) << 32;
	seg->seg_offset |= xr_cur_u32(c);
}

/*
 * A list discriminator (XDR optional-data boolean): 1 = an entry follows,
 * 0 = end of list.  Anything else is an XDR error.
 */
static int xr_cur_discrim(struct xr_cursor *c, bool *present,
			  enum xr_hdr_reason *reason)
{
	uint32_t v;

	if (c->cur_left < 4)
		goto out_truncated;
	v = xr_cur_u32(c);
	if (v > 1)
		goto out_bad_discrim;
	*present = v == 1;
	return 0;

out_truncated:
	*reason = XR_REASON_TRUNCATED;
	return -EBADMSG;
out_bad_discrim:
	*reason = XR_REASON_BAD_DISCRIM;
	return -EBADMSG;
}

/* Segment sanity shared by all lists: the target range may not wrap. */
static int xr_check_segment(const struct xr_segment *seg,
			    enum xr_hdr_reason *reason)
{
	if (seg->seg_length != 0 &&
	    seg->seg_offset > UINT64_MAX - (seg->seg_length - 1)) {
		*reason = XR_REASON_SEG_WRAP;
		return -EBADMSG;
	}
	return 0;
}

/* Add @n to the list total @total, refusing overflow and the limit. */
static int xr_add_bytes(uint64_t *total, uint64_t n, uint64_t max,
			enum xr_hdr_reason *reason)
{
	uint64_t sum;

	if (__builtin_add_overflow(*total, n, &sum) || sum > max) {
		*reason = XR_REASON_CHUNK_TOO_BIG;
		return -E2BIG;
	}
	*total = sum;
	return 0;
}

void xr_hdr_init(struct xr_hdr *hdr, struct xr_chunk *chunks,
		 uint32_t chunk_cap, struct xr_segment *segs, uint32_t seg_cap)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->h_chunks = chunks;
	hdr->h_chunk_cap = chunks ? chunk_cap : 0;
	hdr->h_segs = segs;
	hdr->h_seg_cap = segs ? seg_cap : 0;
}

static uint32_t xr_sat_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

uint32_t xr_hdr_chunks_needed(const struct xr_hdr_limits *lim)
{
	/* Every Read chunk has at least one segment; plus the Reply chunk. */
	return xr_sat_u32((uint64_t)lim->hl_max_read_segs +
			  lim->hl_max_write_chunks + 1);
}

uint32_t xr_hdr_segs_needed(const struct xr_hdr_limits *lim)
{
	return xr_sat_u32((uint64_t)lim->hl_max_read_segs +
			  ((uint64_t)lim->hl_max_write_chunks + 1) *
			      lim->hl_max_chunk_segs);
}

static void xr_hdr_reset_outputs(struct xr_hdr *hdr)
{
	hdr->h_xid = 0;
	hdr->h_vers = 0;
	hdr->h_credits = 0;
	hdr->h_proc = 0;
	hdr->h_nread = 0;
	hdr->h_nwrite = 0;
	hdr->h_has_reply = false;
	hdr->h_nsegs = 0;
	hdr->h_has_call_chunk = false;
	hdr->h_hdr_len = 0;
	hdr->h_msg_offset = 0;
	hdr->h_msg_len = 0;
	hdr->h_err = 0;
	hdr->h_vers_low = 0;
	hdr->h_vers_high = 0;
}

/*
 * Read list: a linked list of (position, segment).  Consecutive entries
 * with the same position form one chunk; a new position starts the next
 * chunk and must be larger than the previous one.
 */
static int xr_decode_read_list(struct xr_cursor *c,
			       const struct xr_hdr_limits *lim,
			       struct xr_hdr *hdr, enum xr_hdr_reason *reason)
{
	struct xr_chunk *ch = NULL;
	uint64_t total = 0;
	bool present;
	uint32_t pos;
	int rc;

	for (;;) {
		rc = xr_cur_discrim(c, &present, reason);
		if (rc)
			return rc;
		if (!present)
			return 0;
		if (c->cur_left < XR_READ_ENTRY_BYTES)
			goto out_truncated;
		if (hdr->h_nsegs >= lim->hl_max_read_segs ||
		    hdr->h_nsegs >= hdr->h_seg_cap)
			goto out_too_many_read_segs;
		pos = xr_cur_u32(c);
		if (pos & 3u)
			goto out_unaligned;
		if (ch && pos == ch->ch_position) {
			if (ch->ch_nsegs >= lim->hl_max_chunk_segs)
				goto out_too_many_segs;
		} else {
			if (ch && pos < ch->ch_position)
				goto out_order;
			if (lim->hl_max_chunk_segs == 0)
				goto out_too_many_segs;
			if (hdr->h_nread >= hdr->h_chunk_cap)
				goto out_too_many_read_segs;
			ch = &hdr->h_chunks[hdr->h_nread++];
			memset(ch, 0, sizeof(*ch));
			ch->ch_position = pos;
			ch->ch_first = hdr->h_nsegs;
		}
		xr_cur_segment(c, &hdr->h_segs[hdr->h_nsegs]);
		rc = xr_check_segment(&hdr->h_segs[hdr->h_nsegs], reason);
		if (rc)
			return rc;
		rc = xr_add_bytes(&total, hdr->h_segs[hdr->h_nsegs].seg_length,
				  lim->hl_max_chunk_bytes, reason);
		if (rc)
			return rc;
		ch->ch_length += hdr->h_segs[hdr->h_nsegs].seg_length;
		ch->ch_nsegs++;
		hdr->h_nsegs++;
	}

out_truncated:
	*reason = XR_REASON_TRUNCATED;
	return -EBADMSG;
out_too_many_read_segs:
	*reason = XR_REASON_TOO_MANY_READ_SEGS;
	return -E2BIG;
out_unaligned:
	*reason = XR_REASON_UNALIGNED_POS;
	return -EBADMSG;
out_too_many_segs:
	*reason = XR_REASON_TOO_MANY_SEGS;
	return -E2BIG;
out_order:
	*reason = XR_REASON_POS_ORDER;
	return -EBADMSG;
}

/*
 * One counted array of segments (a Write chunk or the Reply chunk).  The
 * count is bounded, and the bytes it implies proven present, before any
 * segment is stored.
 */
static int xr_decode_counted_chunk(struct xr_cursor *c,
				   const struct xr_hdr_limits *lim,
				   struct xr_hdr *hdr, uint64_t *total,
				   enum xr_hdr_reason *reason)
{
	struct xr_chunk *ch;
	uint32_t nsegs, i, idx;
	int rc;

	if (c->cur_left < 4)
		goto out_truncated;
	nsegs = xr_cur_u32(c);
	if (nsegs == 0)
		goto out_zero;
	if (nsegs > lim->hl_max_chunk_segs)
		goto out_too_many_segs;
	if ((uint64_t)nsegs * XR_SEGMENT_BYTES > c->cur_left)
		goto out_truncated;
	idx = hdr->h_nread + hdr->h_nwrite + (hdr->h_has_reply ? 1 : 0);
	if (idx >= hdr->h_chunk_cap)
		goto out_too_many_chunks;
	if (nsegs > hdr->h_seg_cap - hdr->h_nsegs)
		goto out_too_many_segs;

	ch = &hdr->h_chunks[idx];
	memset(ch, 0, sizeof(*ch));
	ch->ch_first = hdr->h_nsegs;
	for (i = 0; i < nsegs; i++) {
		struct xr_segment *seg = &hdr->h_segs[hdr->h_nsegs + i];

		xr_cur_segment(c, seg);
		rc = xr_check_segment(seg, reason);
		if (rc)
			return rc;
		rc = xr_add_bytes(total, seg->seg_length,
				  lim->hl_max_chunk_bytes, reason);
		if (rc)
			return rc;
		ch->ch_length += seg->seg_length;
	}
	ch->ch_nsegs = nsegs;
	hdr->h_nsegs += nsegs;
	return 0;

out_truncated:
	*reason = XR_REASON_TRUNCATED;
	return -EBADMSG;
out_zero:
	*reason = XR_REASON_ZERO_SEGS;
	return -EBADMSG;
out_too_many_segs:
	*reason = XR_REASON_TOO_MANY_SEGS;
	return -E2BIG;
out_too_many_chunks:
	*reason = XR_REASON_TOO_MANY_WRITE_CHUNKS;
	return -E2BIG;
}

static int xr_decode_write_list(struct xr_cursor *c,
				const struct xr_hdr_limits *lim,
				struct xr_hdr *hdr, enum xr_hdr_reason *reason)
{
	uint64_t total = 0;
	bool present;
	int rc;

	for (;;) {
		rc = xr_cur_discrim(c, &present, reason);
		if (rc)
			return rc;
		if (!present)
			return 0;
		if (hdr->h_nwrite >= lim->hl_max_write_chunks) {
			*reason = XR_REASON_TOO_MANY_WRITE_CHUNKS;
			return -E2BIG;
		}
		rc = xr_decode_counted_chunk(c, lim, hdr, &total, reason);
		if (rc)
			return rc;
		hdr->h_nwrite++;
	}
}

static int xr_decode_reply_chunk(struct xr_cursor *c,
				 const struct xr_hdr_limits *lim,
				 struct xr_hdr *hdr, enum xr_hdr_reason *reason)
{
	uint64_t total = 0;
	bool present;
	int rc;

	rc = xr_cur_discrim(c, &present, reason);
	if (rc || !present)
		return rc;
	rc = xr_decode_counted_chunk(c, lim, hdr, &total, reason);
	if (rc)
		return rc;
	hdr->h_has_reply = true;
	return 0;
}

/*
 * Check Read chunk positions against the data they are spliced into and
 * record each chunk's splice offset.  @base_len is the inline RPC message
 * length (RDMA_MSG) or the Position-Zero chunk length (RDMA_NOMSG).
 */
static int xr_check_read_positions(struct xr_hdr *hdr, uint64_t base_len,
				   enum xr_hdr_reason *reason)
{
	uint64_t stream_end = 0; /* end of previous data chunk in stream */
	uint64_t moved = 0;	 /* rounded bytes of earlier data chunks */
	uint64_t splice;
	uint32_t i;

	for (i = 0; i < hdr->h_nread; i++) {
		struct xr_chunk *ch = xr_hdr_read_chunk(hdr, i);

		if (ch->ch_position == 0) {
			/* The call chunk itself (only ever first). */
			ch->ch_inline_offset = 0;
			continue;
		}
		if (ch->ch_position < stream_end)
			goto out_order;
		splice = ch->ch_position - moved;
		if (splice > base_len)
			goto out_past;
		ch->ch_inline_offset = (uint32_t)splice;
		stream_end = ch->ch_position + xr_xdr_roundup(ch->ch_length);
		moved += xr_xdr_roundup(ch->ch_length);
	}
	return 0;

out_order:
	*reason = XR_REASON_POS_ORDER;
	return -EBADMSG;
out_past:
	*reason = XR_REASON_POS_PAST_MSG;
	return -EBADMSG;
}

/* Rules that need the whole RDMA_MSG / RDMA_NOMSG header. */
static int xr_check_msg(const uint8_t *buf, size_t len,
			const struct xr_hdr_limits *lim, struct xr_hdr *hdr,
			enum xr_hdr_reason *reason)
{
	struct xr_chunk *first = hdr->h_nread ? xr_hdr_read_chunk(hdr, 0) : 0;
	uint64_t base_len;

	if (lim->hl_dir == XR_DIR_REPLY && hdr->h_nread) {
		*reason = XR_REASON_READ_IN_REPLY;
		return -EPROTO;
	}
	hdr->h_has_call_chunk = first && first->ch_position == 0;

	if (hdr->h_proc == XR_RDMA_MSG) {
		hdr->h_msg_offset = hdr->h_hdr_len;
		hdr->h_msg_len = (uint32_t)(len - hdr->h_hdr_len);
		if (hdr->h_msg_len < 4)
			goto out_msg_short;
		if (hdr->h_msg_len & 3u)
			goto out_msg_unaligned;
		if (xr_get_be32(buf + hdr->h_hdr_len) != hdr->h_xid)
			goto out_xid;
		if (hdr->h_has_call_chunk)
			goto out_pos_zero;
		base_len = hdr->h_msg_len;
	} else {
		if (len != hdr->h_hdr_len)
			goto out_trailing;
		if (lim->hl_dir == XR_DIR_CALL && !hdr->h_has_call_chunk)
			goto out_no_chunk;
		if (lim->hl_dir == XR_DIR_REPLY && !hdr->h_has_reply)
			goto out_no_chunk;
		if (hdr->h_has_call_chunk && first->ch_length == 0)
			goto out_empty_call;
		base_len = hdr->h_has_call_chunk ? first->ch_length : 0;
	}
	return xr_check_read_positions(hdr, base_len, reason);

out_msg_short:
	*reason = XR_REASON_MSG_SHORT;
	return -EBADMSG;
out_msg_unaligned:
	*reason = XR_REASON_MSG_UNALIGNED;
	return -EBADMSG;
out_xid:
	*reason = XR_REASON_XID_MISMATCH;
	return -EBADMSG;
out_pos_zero:
	*reason = XR_REASON_POS_ZERO_IN_MSG;
	return -EBADMSG;
out_trailing:
	*reason = XR_REASON_TRAILING;
	return -EBADMSG;
out_no_chunk:
	*reason = XR_REASON_NOMSG_NO_CHUNK;
	return -EBADMSG;
out_empty_call:
	*reason = XR_REASON_EMPTY_CALL_CHUNK;
	return -EBADMSG;
}

/*
 * RDMA_ERROR body (requester side).  Bytes after the body are ignored:
 * there is nothing in them to misparse, and dropping an error reply would
 * only turn a clear failure into a timeout.
 */
static int xr_decode_error(struct xr_cursor *c, struct xr_hdr *hdr,
			   enum xr_hdr_reason *reason)
{
	if (c->cur_left < 4)
		goto out_truncated;
	hdr->h_err = xr_cur_u32(c);
	switch (hdr->h_err) {
	case XR_ERR_VERS:
		if (c->cur_left < 8)
			goto out_truncated;
		hdr->h_vers_low = xr_cur_u32(c);
		hdr->h_vers_high = xr_cur_u32(c);
		if (hdr->h_vers_low > hdr->h_vers_high) {
			*reason = XR_REASON_BAD_ERRVERS;
			return -EBADMSG;
		}
		return 0;
	case XR_ERR_CHUNK:
		return 0;
	default:
		*reason = XR_REASON_BAD_ERRCODE;
		return -EBADMSG;
	}

out_truncated:
	*reason = XR_REASON_TRUNCATED;
	return -EBADMSG;
}

int xr_hdr_decode(const void *buf, size_t len, const struct xr_hdr_limits *lim,
		  struct xr_hdr *hdr, enum xr_hdr_reason *reason)
{
	struct xr_cursor c;
	int rc;

	if ((!buf && len) || !lim || !hdr || !reason)
		return -EINVAL;
	xr_hdr_reset_outputs(hdr);
	*reason = XR_REASON_OK;
	c.cur_p = buf;
	c.cur_left = len;

	if (len >= 4)
		hdr->h_xid = xr_get_be32(c.cur_p);
	if (len < 8)
		goto out_no_xid;
	if (len > lim->hl_inline_size)
		goto out_too_long;
	hdr->h_xid = xr_cur_u32(&c);
	hdr->h_vers = xr_cur_u32(&c);
	/* A later version's header may not even have these words. */
	if (hdr->h_vers != XR_RPCRDMA_VERSION)
		goto out_version;
	if (c.cur_left < 8)
		goto out_short_fixed;
	hdr->h_credits = xr_cur_u32(&c);
	hdr->h_proc = xr_cur_u32(&c);

	switch (hdr->h_proc) {
	case XR_RDMA_MSG:
	case XR_RDMA_NOMSG:
		break;
	case XR_RDMA_ERROR:
		if (lim->hl_dir == XR_DIR_CALL)
			goto out_error_at_server;
		rc = xr_decode_error(&c, hdr, reason);
		hdr->h_hdr_len = (uint32_t)(len - c.cur_left);
		return rc;
	case XR_RDMA_MSGP:
	case XR_RDMA_DONE:
		goto out_reserved;
	default:
		goto out_bad_proc;
	}

	rc = xr_decode_read_list(&c, lim, hdr, reason);
	if (rc)
		return rc;
	rc = xr_decode_write_list(&c, lim, hdr, reason);
	if (rc)
		return rc;
	rc = xr_decode_reply_chunk(&c, lim, hdr, reason);
	if (rc)
		return rc;
	hdr->h_hdr_len = (uint32_t)(len - c.cur_left);
	return xr_check_msg(buf, len, lim, hdr, reason);

out_no_xid:
	*reason = XR_REASON_NO_XID;
	return -EBADMSG;
out_too_long:
	*reason = XR_REASON_TOO_LONG;
	return -EBADMSG;
out_version:
	*reason = XR_REASON_BAD_VERSION;
	return -EPROTONOSUPPORT;
out_short_fixed:
	*reason = XR_REASON_SHORT_FIXED;
	return -EBADMSG;
out_error_at_server:
	*reason = XR_REASON_ERROR_AT_SERVER;
	return -EPROTO;
out_reserved:
	*reason = XR_REASON_RESERVED_PROC;
	return -EBADMSG;
out_bad_proc:
	*reason = XR_REASON_BAD_PROC;
	return -EBADMSG;
}

enum xr_hdr_action xr_hdr_action(enum xr_hdr_reason reason, enum xr_hdr_dir dir)
{
	if (reason == XR_REASON_OK)
		return XR_ACT_ACCEPT;
	/* A requester has nobody to answer: replies are never refused. */
	if (dir != XR_DIR_CALL)
		return XR_ACT_DROP;
	switch (reason) {
	case XR_REASON_NO_XID:
	case XR_REASON_TOO_LONG:
	case XR_REASON_ERROR_AT_SERVER:
		return XR_ACT_DROP;
	case XR_REASON_BAD_VERSION:
		return XR_ACT_ERR_VERS;
	default:
		return XR_ACT_ERR_CHUNK;
	}
}

static const char *const xr_reason_names[XR_REASON_COUNT] = {
    [XR_REASON_OK] = "ok",
    [XR_REASON_NO_XID] = "no-xid",
    [XR_REASON_TOO_LONG] = "too-long",
    [XR_REASON_BAD_VERSION] = "bad-version",
    [XR_REASON_SHORT_FIXED] = "short-fixed",
    [XR_REASON_BAD_PROC] = "bad-proc",
    [XR_REASON_RESERVED_PROC] = "reserved-proc",
    [XR_REASON_TRUNCATED] = "truncated",
    [XR_REASON_BAD_DISCRIM] = "bad-discriminator",
    [XR_REASON_TOO_MANY_READ_SEGS] = "too-many-read-segs",
    [XR_REASON_TOO_MANY_WRITE_CHUNKS] = "too-many-write-chunks",
    [XR_REASON_TOO_MANY_SEGS] = "too-many-segs",
    [XR_REASON_ZERO_SEGS] = "zero-segs",
    [XR_REASON_SEG_WRAP] = "segment-wraps",
    [XR_REASON_CHUNK_TOO_BIG] = "chunk-too-big",
    [XR_REASON_UNALIGNED_POS] = "unaligned-position",
    [XR_REASON_POS_ORDER] = "position-order",
    [XR_REASON_POS_PAST_MSG] = "position-past-message",
    [XR_REASON_POS_ZERO_IN_MSG] = "position-zero-in-msg",
    [XR_REASON_EMPTY_CALL_CHUNK] = "empty-call-chunk",
    [XR_REASON_NOMSG_NO_CHUNK] = "nomsg-without-chunk",
    [XR_REASON_TRAILING] = "trailing-bytes",
    [XR_REASON_MSG_SHORT] = "msg-short",
    [XR_REASON_MSG_UNALIGNED] = "msg-unaligned",
    [XR_REASON_XID_MISMATCH] = "xid-mismatch",
    [XR_REASON_READ_IN_REPLY] = "read-list-in-reply",
    [XR_REASON_ERROR_AT_SERVER] = "rdma-error-at-responder",
    [XR_REASON_BAD_ERRCODE] = "bad-errcode",
    [XR_REASON_BAD_ERRVERS] = "bad-errvers-range",
};

const char *xr_hdr_reason_str(enum xr_hdr_reason reason)
{
	if ((unsigned int)reason >= XR_REASON_COUNT || !xr_reason_names[reason])
		return "?";
	return xr_reason_names[reason];
}

/* Is chunk @ch a valid description inside @hdr's arrays? */
static bool xr_chunk_encodable(const struct xr_hdr *hdr,
			       const struct xr_chunk *ch)
{
	if (ch->ch_nsegs == 0 || ch->ch_first > hdr->h_nsegs ||
	    ch->ch_nsegs > hdr->h_nsegs - ch->ch_first)
		return false;
	return true;
}

ssize_t xr_hdr_encoded_size(const struct xr_hdr *hdr)
{
	uint64_t size = XR_HDR_FIXED_BYTES + 3 * 4; /* list terminators */
	uint64_t nchunks;
	uint32_t i;

	if (!hdr)
		return -EINVAL;
	if (hdr->h_proc != XR_RDMA_MSG && hdr->h_proc != XR_RDMA_NOMSG)
		return -EINVAL;
	nchunks =
	    (uint64_t)hdr->h_nread + hdr->h_nwrite + (hdr->h_has_reply ? 1 : 0);
	if (nchunks > hdr->h_chunk_cap || hdr->h_nsegs > hdr->h_seg_cap)
		return -EINVAL;
	if (nchunks && (!hdr->h_chunks || !hdr->h_segs))
		return -EINVAL;

	for (i = 0; i < hdr->h_nread; i++) {
		const struct xr_chunk *ch = xr_hdr_read_chunk(hdr, i);

		if (!xr_chunk_encodable(hdr, ch) || (ch->ch_position & 3u))
			return -EINVAL;
		/* discriminator + position + segment, per segment */
		size += (uint64_t)ch->ch_nsegs * (4 + XR_READ_ENTRY_BYTES);
	}
	for (i = 0; i < hdr->h_nwrite; i++) {
		const struct xr_chunk *ch = xr_hdr_write_chunk(hdr, i);

		if (!xr_chunk_encodable(hdr, ch))
			return -EINVAL;
		size += 8 + (uint64_t)ch->ch_nsegs * XR_SEGMENT_BYTES;
	}
	if (hdr->h_has_reply) {
		const struct xr_chunk *ch = xr_hdr_reply_chunk(hdr);

		if (!xr_chunk_encodable(hdr, ch))
			return -EINVAL;
		size += 4 + (uint64_t)ch->ch_nsegs * XR_SEGMENT_BYTES;
	}
	if (size > INT32_MAX)
		return -EINVAL;
	return (ssize_t)size;
}

static uint8_t *xr_put_segment(uint8_t *p, const struct xr_segment *seg)
{
	xr_put_be32(p, seg->seg_handle);
	xr_put_be32(p + 4, seg->seg_length);
	xr_put_be32(p + 8, (uint32_t)(seg->seg_offset >> 32));
	xr_put_be32(p + 12, (uint32_t)seg->seg_offset);
	return p + XR_SEGMENT_BYTES;
}

static uint8_t *xr_put_counted_chunk(uint8_t *p, const struct xr_hdr *hdr,
				     const struct xr_chunk *ch)
{
	uint32_t i;

	xr_put_be32(p, ch->ch_nsegs);
	p += 4;
	for (i = 0; i < ch->ch_nsegs; i++)
		p = xr_put_segment(p, xr_chunk_seg(hdr, ch, i));
	return p;
}

ssize_t xr_hdr_encode(const struct xr_hdr *hdr, void *buf, size_t size)
{
	ssize_t need = xr_hdr_encoded_size(hdr);
	uint8_t *p = buf;
	uint32_t i, j;

	if (need < 0)
		return need;
	if (!buf)
		return -EINVAL;
	if ((size_t)need > size)
		return -EMSGSIZE;

	xr_put_be32(p, hdr->h_xid);
	xr_put_be32(p + 4, hdr->h_vers);
	xr_put_be32(p + 8, hdr->h_credits);
	xr_put_be32(p + 12, hdr->h_proc);
	p += XR_HDR_FIXED_BYTES;

	for (i = 0; i < hdr->h_nread; i++) {
		const struct xr_chunk *ch = xr_hdr_read_chunk(hdr, i);

		for (j = 0; j < ch->ch_nsegs; j++) {
			xr_put_be32(p, 1);
			xr_put_be32(p + 4, ch->ch_position);
			p = xr_put_segment(p + 8, xr_chunk_seg(hdr, ch, j));
		}
	}
	xr_put_be32(p, 0);
	p += 4;

	for (i = 0; i < hdr->h_nwrite; i++) {
		xr_put_be32(p, 1);
		p = xr_put_counted_chunk(p + 4, hdr,
					 xr_hdr_write_chunk(hdr, i));
	}
	xr_put_be32(p, 0);
	p += 4;

	if (hdr->h_has_reply) {
		xr_put_be32(p, 1);
		p = xr_put_counted_chunk(p + 4, hdr, xr_hdr_reply_chunk(hdr));
	} else {
		xr_put_be32(p, 0);
		p += 4;
	}
	return p - (uint8_t *)buf;
}

static void xr_put_error_fixed(uint8_t *p, uint32_t xid, uint32_t credits,
			       uint32_t err)
{
	xr_put_be32(p, xid);
	xr_put_be32(p + 4, XR_RPCRDMA_VERSION);
	xr_put_be32(p + 8, credits);
	xr_put_be32(p + 12, XR_RDMA_ERROR);
	xr_put_be32(p + 16, err);
}

ssize_t xr_hdr_encode_err_vers(uint32_t xid, uint32_t credits, uint32_t low,
			       uint32_t high, void *buf, size_t size)
{
	uint8_t *p = buf;

	if (!buf || low > high)
		return -EINVAL;
	if (size < 28)
		return -EMSGSIZE;
	xr_put_error_fixed(p, xid, credits, XR_ERR_VERS);
	xr_put_be32(p + 20, low);
	xr_put_be32(p + 24, high);
	return 28;
}

ssize_t xr_hdr_encode_err_chunk(uint32_t xid, uint32_t credits, void *buf,
				size_t size)
{
	if (!buf)
		return -EINVAL;
	if (size < 20)
		return -EMSGSIZE;
	xr_put_error_fixed(buf, xid, credits, XR_ERR_CHUNK);
	return 20;
}
