/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libFuzzer target: the RFC 8166 transport header decoder.
 *
 * How this works: every input is decoded as a responder (calls) and as a
 * requester (replies), with generous and with tight limits.  Besides
 * "never crash, never read out of bounds" (ASan/UBSan), each accepted
 * header must satisfy the decoder's promises, checked here; a broken
 * promise aborts, which libFuzzer reports as a crash:
 *   - chunks and segments lie inside the storage and the limits;
 *   - header + message length equal the input length (RDMA_MSG) or the
 *     header is the whole input (RDMA_NOMSG);
 *   - Read chunk splice offsets never decrease and stay in the message;
 *   - re-encoding reproduces the received header byte for byte.
 */
#include "xr_hdr.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CHUNKS 160
#define MAX_SEGS 600

static struct xr_chunk chunks[MAX_CHUNKS];
static struct xr_segment segs[MAX_SEGS];

static void check_accepted(const uint8_t *data, size_t size,
			   const struct xr_hdr_limits *lim,
			   const struct xr_hdr *h)
{
	static uint8_t out[MAX_SEGS * 32 + 64];
	uint32_t nchunks, i, last_off = 0;
	uint64_t base;
	ssize_t n;

	if (h->h_proc == XR_RDMA_ERROR) {
		if (lim->hl_dir != XR_DIR_REPLY)
			abort();
		return;
	}
	nchunks = h->h_nread + h->h_nwrite + (h->h_has_reply ? 1 : 0);
	if (nchunks > MAX_CHUNKS || h->h_nsegs > MAX_SEGS)
		abort();
	if (h->h_nwrite > lim->hl_max_write_chunks || h->h_hdr_len > size)
		abort();
	for (i = 0; i < nchunks; i++) {
		const struct xr_chunk *c = &h->h_chunks[i];

		if (c->ch_nsegs == 0 || c->ch_nsegs > lim->hl_max_chunk_segs ||
		    c->ch_first + c->ch_nsegs > h->h_nsegs ||
		    c->ch_length > lim->hl_max_chunk_bytes)
			abort();
	}
	if (h->h_proc == XR_RDMA_MSG) {
		if (h->h_msg_offset != h->h_hdr_len ||
		    (size_t)h->h_msg_offset + h->h_msg_len != size)
			abort();
		base = h->h_msg_len;
	} else {
		if (h->h_hdr_len != size || h->h_msg_len)
			abort();
		base = h->h_has_call_chunk ? h->h_chunks[0].ch_length : 0;
	}
	for (i = 0; i < h->h_nread; i++) {
		const struct xr_chunk *c = xr_hdr_read_chunk(h, i);

		if (c->ch_position & 3u)
			abort();
		if (c->ch_position == 0)
			continue;
		if (c->ch_inline_offset < last_off ||
		    c->ch_inline_offset > base)
			abort();
		last_off = c->ch_inline_offset;
	}
	n = xr_hdr_encode(h, out, sizeof(out));
	if (n != (ssize_t)h->h_hdr_len || memcmp(out, data, (size_t)n))
		abort();
}

static void run(const uint8_t *data, size_t size,
		const struct xr_hdr_limits *lim)
{
	enum xr_hdr_reason reason;
	struct xr_hdr h;
	int rc;

	xr_hdr_init(&h, chunks, MAX_CHUNKS, segs, MAX_SEGS);
	rc = xr_hdr_decode(data, size, lim, &h, &reason);
	if ((rc == 0) != (reason == XR_REASON_OK))
		abort();
	if (xr_hdr_action(reason, lim->hl_dir) == XR_ACT_ACCEPT && rc)
		abort();
	if (rc == 0)
		check_accepted(data, size, lim, &h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xr_hdr_limits wide = {
	    .hl_dir = XR_DIR_CALL,
	    .hl_max_read_segs = 64,
	    .hl_max_write_chunks = 16,
	    .hl_max_chunk_segs = 32,
	    .hl_max_chunk_bytes = UINT64_MAX,
	    .hl_inline_size = UINT32_MAX,
	};
	struct xr_hdr_limits tight = {
	    .hl_dir = XR_DIR_CALL,
	    .hl_max_read_segs = 4,
	    .hl_max_write_chunks = 2,
	    .hl_max_chunk_segs = 2,
	    .hl_max_chunk_bytes = 65536,
	    .hl_inline_size = 4096,
	};

	run(data, size, &wide);
	run(data, size, &tight);
	wide.hl_dir = XR_DIR_REPLY;
	tight.hl_dir = XR_DIR_REPLY;
	run(data, size, &wide);
	run(data, size, &tight);
	return 0;
}
