/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libFuzzer target: encode -> decode round trip with an independent oracle.
 *
 * How this works: the input is not a header but a recipe for one: it is
 * read as a little program (proc, number of Read/Write chunks, a Reply
 * chunk or not, per chunk its segment count and position, per segment its
 * handle, length and offset, and the inline message length).  The header
 * is built, encoded, followed by an inline RPC message that starts with
 * the xid, and decoded as a responder would.  A separate, deliberately
 * simple statement of the RFC 8166 rules (oracle_valid()) says whether
 * the header must be accepted.  The target aborts when decoder and oracle
 * disagree, or when an accepted header does not decode to exactly what
 * was encoded.
 */
#include "xr_hdr.h"

#include <stdlib.h>
#include <string.h>

#define MAX_BYTES (1ull << 30)

struct recipe {
	const uint8_t *p;
	size_t left;
};

static uint32_t take(struct recipe *r, unsigned int nbytes)
{
	uint32_t v = 0;

	while (nbytes--) {
		v <<= 8;
		if (r->left) {
			v |= *r->p++;
			r->left--;
		}
	}
	return v;
}

static uint32_t seg_length(struct recipe *r)
{
	uint32_t sel = take(r, 1);

	if (sel < 200)
		return take(r, 1);
	if (sel < 250)
		return take(r, 2);
	return take(r, 4);
}

/* The rules, written independently of the decoder (responder side). */
static bool oracle_valid(const struct xr_hdr *h, uint32_t msg_len)
{
	uint64_t stream_end = 0, moved = 0, base, total;
	uint32_t i, j;

	for (i = 0; i < h->h_nread + h->h_nwrite + h->h_has_reply; i++) {
		const struct xr_chunk *c = &h->h_chunks[i];

		for (j = 0; j < c->ch_nsegs; j++) {
			const struct xr_segment *s = xr_chunk_seg(h, c, j);

			if (s->seg_length &&
			    s->seg_offset + (s->seg_length - 1) < s->seg_offset)
				return false;
		}
	}
	/* per-list byte totals */
	total = 0;
	for (i = 0; i < h->h_nread; i++)
		total += h->h_chunks[i].ch_length;
	if (total > MAX_BYTES)
		return false;
	total = 0;
	for (i = 0; i < h->h_nwrite; i++)
		total += xr_hdr_write_chunk(h, i)->ch_length;
	if (total > MAX_BYTES)
		return false;
	if (h->h_has_reply && xr_hdr_reply_chunk(h)->ch_length > MAX_BYTES)
		return false;

	/* Read chunks: distinct, increasing positions. */
	for (i = 1; i < h->h_nread; i++)
		if (h->h_chunks[i].ch_position <=
		    h->h_chunks[i - 1].ch_position)
			return false;
	if (h->h_proc == XR_RDMA_MSG) {
		if (h->h_nread && h->h_chunks[0].ch_position == 0)
			return false;
		base = msg_len;
		i = 0;
	} else {
		if (!h->h_nread || h->h_chunks[0].ch_position != 0 ||
		    h->h_chunks[0].ch_length == 0)
			return false;
		base = h->h_chunks[0].ch_length;
		i = 1;
	}
	for (; i < h->h_nread; i++) {
		const struct xr_chunk *c = &h->h_chunks[i];
		uint64_t rounded = (c->ch_length + 3) & ~3ull;

		if (c->ch_position < stream_end)
			return false;
		if (c->ch_position - moved > base)
			return false;
		stream_end = c->ch_position + rounded;
		moved += rounded;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xr_chunk in_ch[16], out_ch[64];
	static struct xr_segment in_sg[64], out_sg[256];
	static uint8_t buf[8192];
	struct xr_hdr_limits lim = {
	    .hl_dir = XR_DIR_CALL,
	    .hl_max_read_segs = 64,
	    .hl_max_write_chunks = 16,
	    .hl_max_chunk_segs = 32,
	    .hl_max_chunk_bytes = MAX_BYTES,
	    .hl_inline_size = sizeof(buf),
	};
	struct recipe r = {data, size};
	enum xr_hdr_reason reason;
	struct xr_hdr in, out;
	uint32_t i, j, k, msg_len, nchunks;
	uint32_t pos = 0;
	ssize_t n;
	bool valid;
	int rc;

	xr_hdr_init(&in, in_ch, 16, in_sg, 64);
	in.h_xid = take(&r, 4);
	in.h_vers = 1;
	in.h_credits = take(&r, 2);
	in.h_proc = (take(&r, 1) & 1) ? XR_RDMA_NOMSG : XR_RDMA_MSG;
	k = take(&r, 1);
	in.h_nread = k % 5;
	in.h_nwrite = (k / 5) % 5;
	in.h_has_reply = (k / 25) & 1;
	nchunks = in.h_nread + in.h_nwrite + in.h_has_reply;
	for (i = 0; i < nchunks; i++) {
		struct xr_chunk *c = &in_ch[i];

		memset(c, 0, sizeof(*c));
		c->ch_nsegs = 1 + take(&r, 1) % 4;
		c->ch_first = in.h_nsegs;
		if (i < in.h_nread) {
			/* mostly forward steps, sometimes anything */
			k = take(&r, 1);
			k = (k & 0x80) ? 4 * take(&r, 1) : pos + 4 * (k & 0x7f);
			/* Equal positions would merge into one chunk. */
			if (i > 0 && k == pos)
				k += 4;
			pos = k;
			c->ch_position = pos;
		}
		for (j = 0; j < c->ch_nsegs; j++) {
			struct xr_segment *s = &in_sg[in.h_nsegs++];

			s->seg_handle = take(&r, 4);
			s->seg_length = seg_length(&r);
			s->seg_offset = (uint64_t)take(&r, 4) << 32;
			s->seg_offset |= take(&r, 4);
			c->ch_length += s->seg_length;
		}
	}
	msg_len = in.h_proc == XR_RDMA_MSG ? 4 + 4 * (take(&r, 2) % 1024) : 0;

	n = xr_hdr_encode(&in, buf, sizeof(buf));
	if (n < 0 || (size_t)n + msg_len > sizeof(buf))
		abort();
	memset(buf + n, 0, msg_len);
	if (msg_len) {
		buf[n] = (uint8_t)(in.h_xid >> 24);
		buf[n + 1] = (uint8_t)(in.h_xid >> 16);
		buf[n + 2] = (uint8_t)(in.h_xid >> 8);
		buf[n + 3] = (uint8_t)in.h_xid;
	}

	valid = oracle_valid(&in, msg_len);
	xr_hdr_init(&out, out_ch, 64, out_sg, 256);
	rc = xr_hdr_decode(buf, (size_t)n + msg_len, &lim, &out, &reason);
	if (valid != (rc == 0))
		abort();
	if (rc)
		return 0;

	if (out.h_xid != in.h_xid || out.h_credits != in.h_credits ||
	    out.h_proc != in.h_proc || out.h_nread != in.h_nread ||
	    out.h_nwrite != in.h_nwrite || out.h_has_reply != in.h_has_reply ||
	    out.h_nsegs != in.h_nsegs || out.h_hdr_len != (uint32_t)n ||
	    out.h_msg_len != msg_len)
		abort();
	for (i = 0; i < nchunks; i++)
		if (out_ch[i].ch_position != in_ch[i].ch_position ||
		    out_ch[i].ch_nsegs != in_ch[i].ch_nsegs ||
		    out_ch[i].ch_first != in_ch[i].ch_first ||
		    out_ch[i].ch_length != in_ch[i].ch_length)
			abort();
	if (memcmp(out_sg, in_sg, in.h_nsegs * sizeof(in_sg[0])))
		abort();
	return 0;
}
