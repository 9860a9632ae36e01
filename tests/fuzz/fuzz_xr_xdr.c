/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libFuzzer target: the RDMA server's XDR decode stream over split ranges
 * (xr_gsh_xdr_in, src/xprt_rdma/ganesha/xr_gsh_xdr.c) against ntirpc's own
 * memory stream over the same bytes in one piece.
 *
 * How this works: the input is
 *   [nranges-1 (low 4 bits)] [a 16-bit cut per range boundary]
 *   [program length] [program: 4 bytes per operation] [stream bytes]
 * The stream bytes are cut into up to 16 ranges at the cuts (ranges of 0
 * bytes included, as the engine delivers an empty chunk), each range in
 * a buffer of its own size so ASan sees any read past one; some ranges
 * are marked as chunk data.  The program (u32, u64, int16 via xdr_int,
 * opaque, bytes<max>, string<max>, getpos, setpos, inline words) runs on both
 * streams; every result, value and position must agree, until the first
 * operation that fails (which must fail on both).  Bytes counted as
 * copied out of chunk ranges never exceed what those ranges hold unless a
 * setpos went back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rpc/xdr_inline.h>

#include "xr_gsh_xdr.h"

#define MAX_RANGES 16
#define MAX_ITEM (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *scratch_a, *scratch_b;

static uint32_t arg24(const uint8_t *op)
{
	return (uint32_t)op[1] << 16 | (uint32_t)op[2] << 8 | op[3];
}

/* Run one operation on both streams; false when the run must stop. */
static bool step(XDR *a, XDR *b, const uint8_t *op, uint8_t *ba, uint8_t *bb,
		 u_int total, bool *went_back)
{
	uint32_t u1 = 0, u2 = 0, max;
	uint64_t w1 = 0, w2 = 0;
	int i1 = 0, i2 = 0;
	u_int l1 = 0, l2 = 0;
	char *p1 = (char *)ba, *p2 = (char *)bb;
	bool r1, r2;

	switch (op[0] % 9) {
	case 0:
		r1 = xdr_u_int32_t(a, &u1);
		r2 = xdr_u_int32_t(b, &u2);
		if (r1 != r2 || (r1 && u1 != u2))
			abort();
		return r1;
	case 1:
		r1 = xdr_u_int64_t(a, &w1);
		r2 = xdr_u_int64_t(b, &w2);
		if (r1 != r2 || (r1 && w1 != w2))
			abort();
		return r1;
	case 2:
		r1 = xdr_int(a, &i1);
		r2 = xdr_int(b, &i2);
		if (r1 != r2 || (r1 && i1 != i2))
			abort();
		return r1;
	case 3:
		l1 = arg24(op) % (MAX_ITEM + 1);
		r1 = xdr_opaque(a, p1, l1);
		r2 = xdr_opaque(b, p2, l1);
		if (r1 != r2 || (r1 && memcmp(p1, p2, l1)))
			abort();
		return r1;
	case 4:
		max = arg24(op) % (MAX_ITEM + 1);
		r1 = xdr_bytes(a, &p1, &l1, max);
		r2 = xdr_bytes(b, &p2, &l2, max);
		if (r1 != r2 ||
		    (r1 && (l1 != l2 || l1 > max || memcmp(p1, p2, l1))))
			abort();
		return r1;
	case 5:
		/*
		 * Let ntirpc allocate: its xdr_string frees a caller's
		 * buffer on some failures and not on others.
		 */
		max = arg24(op) % MAX_ITEM;
		p1 = NULL;
		p2 = NULL;
		r1 = xdr_string(a, &p1, max);
		r2 = xdr_string(b, &p2, max);
		if (r1 != r2 || (r1 && strcmp(p1, p2)))
			abort();
		if (r1) {
			mem_free(p1, strlen(p1) + 1);
			mem_free(p2, strlen(p2) + 1);
		}
		return r1;
	case 6:
		if (XDR_GETPOS(a) != XDR_GETPOS(b))
			abort();
		return true;
	case 7:
		/* XDR positions are whole words (ntirpc's own memory
		 * stream would load unaligned words from anywhere else). */
		l1 = arg24(op) % (total + 8) & ~3u;
		if (l1 < XDR_GETPOS(a))
			*went_back = true;
		r1 = XDR_SETPOS(a, l1);
		r2 = XDR_SETPOS(b, l1);
		if (r1 != r2)
			abort();
		return r1;
	default: {
		/*
		 * Inline access (whole words, as IXDR_GET_* callers ask):
		 * either stream may refuse (ours at a range boundary or
		 * where the words would be unaligned), but bytes it hands
		 * out must be the right ones and the position must move by
		 * exactly that much.
		 */
		u_int pos = XDR_GETPOS(a), n = arg24(op) % 1024 * 4;
		int32_t *q = xdr_inline_decode(a, n);

		if (q) {
			if (pos + n > total || XDR_GETPOS(a) != pos + n ||
			    !XDR_SETPOS(b, pos) || !xdr_opaque(b, p2, n) ||
			    memcmp(q, p2, n))
				abort();
		} else if (XDR_GETPOS(a) != pos) {
			abort();
		}
		return true;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iovec iov[MAX_RANGES];
	uint8_t *piece[MAX_RANGES] = {0};
	uint32_t nr, i, cuts[MAX_RANGES + 1];
	const uint8_t *prog, *body;
	size_t plen, blen, off;
	uint64_t chunk_bytes = 0;
	struct xr_gsh_xdr_in in;
	XDR ref;
	uint8_t *whole = NULL, *ba = NULL, *bb = NULL;
	bool went_back = false;

	if (size < 2)
		return 0;
	nr = (data[0] & 15) + 1;
	off = 1;
	if (size - off < 2 * (nr - 1) + 1)
		return 0;
	for (i = 1; i < nr; i++, off += 2)
		cuts[i] = (uint32_t)data[off] << 8 | data[off + 1];
	plen = (size_t)data[off++] * 4;
	if (size - off < plen)
		plen = (size - off) / 4 * 4;
	prog = data + off;
	body = prog + plen;
	blen = size - off - plen;

	/* Cut points in order, inside the body; equal cuts: empty ranges. */
	cuts[0] = 0;
	cuts[nr] = (uint32_t)blen;
	for (i = 1; i < nr; i++) {
		cuts[i] = blen ? (uint32_t)(cuts[i] % (blen + 1)) : 0;
		if (cuts[i] < cuts[i - 1])
			cuts[i] = cuts[i - 1];
	}
	whole = malloc(blen + 1);
	/* Scratch for decoded items: big, so made once. */
	if (!scratch_a) {
		scratch_a = malloc(MAX_ITEM + 1);
		scratch_b = malloc(MAX_ITEM + 1);
	}
	ba = scratch_a;
	bb = scratch_b;
	if (!whole || !ba || !bb)
		goto out;
	if (blen)
		memcpy(whole, body, blen);
	for (i = 0; i < nr; i++) {
		size_t n = cuts[i + 1] - cuts[i];

		piece[i] = malloc(n ? n : 1);
		if (!piece[i])
			goto out;
		if (n)
			memcpy(piece[i], body + cuts[i], n);
		iov[i] = (struct iovec){piece[i], n};
	}
	if (xr_gsh_xdr_in_init(&in, iov, nr))
		abort(); /* far below 4 GiB */
	for (i = 0; i < nr; i++)
		if ((data[0] >> 4) & (1u << (i % 4))) {
			xr_gsh_xdr_in_mark_chunk(&in, i);
			chunk_bytes += iov[i].iov_len;
		}
	xdrmem_create(&ref, (char *)whole, (u_int)blen, XDR_DECODE);
	for (off = 0; off + 4 <= plen; off += 4) {
		if (!step(&in.xi_xdrs, &ref, prog + off, ba, bb, (u_int)blen,
			  &went_back))
			break;
		if (XDR_GETPOS(&in.xi_xdrs) != XDR_GETPOS(&ref))
			abort();
	}
	if (!went_back && in.xi_chunk_copied > chunk_bytes)
		abort();
	XDR_DESTROY(&ref);
out:
	for (i = 0; i < MAX_RANGES; i++)
		free(piece[i]);
	free(whole);
	return 0;
}
