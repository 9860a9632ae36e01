/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ntirpc XDR streams for the RDMA server transport (see xr_gsh_xdr.h).
 *
 * The decode stream keeps ntirpc's inline fast path working: x_data walks
 * the current range, vio_wrap is the range's end, and vio_tail is the same
 * end while x_data is 4-byte aligned, so XDR_GETLONG reads straight from
 * the range and only falls back to x_getunit at a range boundary.  Ranges
 * may have any length and start anywhere (a chunk payload need not be a
 * multiple of four): x_getbytes and x_getunit copy across boundaries.
 * When that leaves x_data unaligned, vio_tail is pulled back to x_data:
 * ntirpc's fast paths (xdr_getuint32, xdr_inline_decode) load whole
 * uint32_t words through the pointer, which is undefined behaviour on an
 * unaligned address, so they must fall back to x_getunit/refuse there
 * (found by fuzz_xr_xdr).
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>

#include "xr_gsh_xdr.h"

#define in_of(xdrs)                                                            \
	((struct xr_gsh_xdr_in *)((char *)(xdrs)-offsetof(                     \
	    struct xr_gsh_xdr_in, xi_xdrs)))
#define out_of(xdrs)                                                           \
	((struct xr_gsh_xdr_out *)((char *)(xdrs)-offsetof(                    \
	    struct xr_gsh_xdr_out, xo_xdrs)))

/* Offer the inline fast path only where it may load aligned words. */
static void in_sync_tail(XDR *xdrs)
{
	xdrs->x_v.vio_tail =
	    ((uintptr_t)xdrs->x_data & 3) ? xdrs->x_data : xdrs->x_v.vio_wrap;
}

static void in_point_at(struct xr_gsh_xdr_in *in, uint32_t idx, size_t offset)
{
	XDR *xdrs = &in->xi_xdrs;
	uint8_t *start = idx < in->xi_niov ? in->xi_iov[idx].iov_base : NULL;
	size_t len = idx < in->xi_niov ? in->xi_iov[idx].iov_len : 0;

	in->xi_cur = idx;
	xdrs->x_v.vio_base = start;
	xdrs->x_v.vio_head = start;
	xdrs->x_v.vio_tail = start + len;
	xdrs->x_v.vio_wrap = start + len;
	xdrs->x_data = start + offset;
	in_sync_tail(xdrs);
}

/* Move to the next range that has bytes; false at the end of the stream. */
static bool in_next_range(struct xr_gsh_xdr_in *in)
{
	XDR *xdrs = &in->xi_xdrs;

	while (xdrs->x_data >= xdrs->x_v.vio_wrap) {
		if (in->xi_cur + 1 >= in->xi_niov)
			return false;
		in->xi_base += in->xi_iov[in->xi_cur].iov_len;
		in_point_at(in, in->xi_cur + 1, 0);
	}
	return true;
}

static bool in_getbytes(XDR *xdrs, char *addr, u_int len)
{
	struct xr_gsh_xdr_in *in = in_of(xdrs);

	while (len) {
		size_t avail, n;

		if (!in_next_range(in)) {
			in_sync_tail(xdrs);
			return false;
		}
		avail = xdrs->x_v.vio_wrap - xdrs->x_data;
		n = avail < len ? avail : len;
		memcpy(addr, xdrs->x_data, n);
		if (in->xi_cur < 32 && (in->xi_chunk_mask >> in->xi_cur) & 1)
			in->xi_chunk_copied += n;
		xdrs->x_data += n;
		addr += n;
		len -= n;
	}
	in_sync_tail(xdrs);
	return true;
}

static bool in_getunit(XDR *xdrs, uint32_t *unit)
{
	uint32_t be;

	if (!in_getbytes(xdrs, (char *)&be, sizeof(be)))
		return false;
	*unit = ntohl(be);
	return true;
}

static u_int in_getpostn(XDR *xdrs)
{
	struct xr_gsh_xdr_in *in = in_of(xdrs);

	return in->xi_base + (u_int)(xdrs->x_data - xdrs->x_v.vio_head);
}

static bool in_setpostn(XDR *xdrs, u_int pos)
{
	struct xr_gsh_xdr_in *in = in_of(xdrs);
	u_int base = 0;
	uint32_t i;

	for (i = 0; i < in->xi_niov; i++) {
		size_t len = in->xi_iov[i].iov_len;

		if (pos - base <= len) {
			in->xi_base = base;
			in_point_at(in, i, pos - base);
			return true;
		}
		base += len;
	}
	return false;
}

/*
 * Where the bytes [pos, pos + len) of the stream are: one piece per range
 * they touch, written to @vio when it is not NULL.  Returns the number of
 * pieces, or -1 when the span runs past the end of the stream.
 */
static int in_span(struct xr_gsh_xdr_in *in, u_int pos, u_int len, xdr_vio *vio)
{
	uint64_t base = 0, end = (uint64_t)pos + len;
	int n = 0;
	uint32_t i;

	for (i = 0; i < in->xi_niov && base < end; i++) {
		uint64_t rlen = in->xi_iov[i].iov_len;
		uint64_t from = pos > base ? pos - base : 0;
		uint64_t to = end - base < rlen ? end - base : rlen;

		if (from < to) {
			if (vio) {
				uint8_t *p = (uint8_t *)in->xi_iov[i].iov_base;

				vio[n] = (xdr_vio){
				    .vio_base = p + from,
				    .vio_head = p + from,
				    .vio_tail = p + to,
				    .vio_wrap = p + to,
				    .vio_length = (uint32_t)(to - from),
				    .vio_type = VIO_DATA,
				};
			}
			n++;
		}
		base += rlen;
	}
	return base >= end ? n : -1;
}

/*
 * Ganesha 6's WRITE decoder (xdr_io_data) asks how many buffers the data
 * spans and then for the buffers themselves, so the data is never copied:
 * Ganesha writes straight from the ranges (the RDMA Read landing area).
 * Ganesha 4.3 does not call these.  A span past the end counts 0 buffers,
 * and filling them then fails, so the decode fails.
 */
static int in_iovcount(XDR *xdrs, u_int pos, u_int len)
{
	int n = in_span(in_of(xdrs), pos, len, NULL);

	return n < 0 ? 0 : n;
}

static bool in_fillbufs(XDR *xdrs, u_int pos, xdr_vio *vio, u_int len)
{
	struct xr_gsh_xdr_in *in = in_of(xdrs);

	/* The caller sized vio by in_iovcount(): check the same span. */
	if (in_span(in, pos, len, NULL) <= 0)
		return false;
	in_span(in, pos, len, vio);
	return true;
}

#ifdef XDR_GETSTARTDATAPOS
/* Data is in the stream itself, where the position says (ntirpc 6). */
static u_int in_startdatapos(XDR *xdrs, u_int start, u_int len)
{
	return start;
}

static u_int in_enddatapos(XDR *xdrs, u_int start, u_int len)
{
	return start + len;
}
#endif

static bool in_refuse_put(XDR *xdrs, const char *addr, u_int len)
{
	return false;
}

static bool in_refuse_putunit(XDR *xdrs, const uint32_t unit)
{
	return false;
}

static bool in_no_bufs(XDR *xdrs, xdr_uio *uio, u_int flags)
{
	return false;
}

static bool in_control(XDR *xdrs, int request, void *info)
{
	return false;
}

static void in_destroy(XDR *xdrs)
{
	/* Nothing is owned: the ranges belong to the engine's call. */
}

static const struct xdr_ops in_ops = {
    .x_getunit = in_getunit,
    .x_putunit = in_refuse_putunit,
    .x_getbytes = in_getbytes,
    .x_putbytes = in_refuse_put,
    .x_getpostn = in_getpostn,
    .x_setpostn = in_setpostn,
    .x_destroy = in_destroy,
    .x_control = in_control,
    .x_getbufs = in_no_bufs,
    .x_putbufs = in_no_bufs,
    .x_iovcount = in_iovcount,
    .x_fillbufs = in_fillbufs,
#ifdef XDR_GETSTARTDATAPOS
    .x_getstartdatapos = in_startdatapos,
    .x_getenddatapos = in_enddatapos,
#endif
};

int xr_gsh_xdr_in_init(struct xr_gsh_xdr_in *in, const struct iovec *iov,
		       uint32_t n)
{
	uint64_t total = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (total > UINT32_MAX - 1)
		return -EINVAL;
	memset(in, 0, sizeof(*in));
	in->xi_iov = iov;
	in->xi_niov = n;
	in->xi_xdrs.x_ops = &in_ops;
	in->xi_xdrs.x_op = XDR_DECODE;
	in->xi_xdrs.x_base = &in->xi_xdrs.x_v;
	in_point_at(in, 0, 0);
	return 0;
}

void xr_gsh_xdr_in_mark_chunk(struct xr_gsh_xdr_in *in, uint32_t idx)
{
	if (idx < 32)
		in->xi_chunk_mask |= 1u << idx;
}

/* ------------------------------------------------------------ encoding */

static struct xdr_ops out_ops;
static pthread_once_t out_ops_once = PTHREAD_ONCE_INIT;

static bool out_is_ddp(const struct xr_gsh_xdr_out *out, const xdr_uio *uio)
{
	if (out->xo_ddp_release && uio->uio_release == out->xo_ddp_release)
		return true;
	return out->xo_ddp_any && uio->uio_count == 1;
}

/*
 * A DDP item is an opaque<>: its length word was encoded just before it.
 * Ganesha 4.3's READ4 uio counts the data without padding but its READ3
 * uio with it; Ganesha 6's uios count exactly the data, with the last
 * bytes and the padding in an extra vector when the length is not a
 * multiple of four.  The Write chunk must carry exactly the data (RFC
 * 8166), so the length word wins when it is the smaller.
 */
static u_int out_payload_len(const struct xr_gsh_xdr_out *out,
			     const xdr_uio *uio, u_int pos)
{
	uint64_t sum = 0;
	u_int len;
	uint32_t be;
	size_t i;

	for (i = 0; i < uio->uio_count; i++)
		sum += uio->uio_vio[i].vio_length;
	len = sum > UINT32_MAX ? UINT32_MAX : (u_int)sum;

	if (pos >= 4) {
		memcpy(&be, out->xo_buf + pos - 4, sizeof(be));
		if (ntohl(be) < len)
			len = ntohl(be);
	}
	return len;
}

static bool out_copy_uio(XDR *xdrs, xdr_uio *uio)
{
	struct xr_gsh_xdr_out *out = out_of(xdrs);
	bool ddp = out_is_ddp(out, uio);
	size_t i;

	for (i = 0; i < uio->uio_count; i++) {
		xdr_vio *v = &uio->uio_vio[i];
		u_int len = v->vio_tail - v->vio_head;

		if (!XDR_PUTBYTES(xdrs, (char *)v->vio_head, len))
			return false;
		if (ddp)
			out->xo_copied += len;
		else
			out->xo_copied_other += len;
	}
	return true;
}

/*
 * Ganesha passes ownership of the uio on success; on failure its caller
 * releases it.  A uio starts with no reference counted, so take one before
 * releasing or keeping it.
 */
static bool out_putbufs(XDR *xdrs, xdr_uio *uio, u_int flags)
{
	struct xr_gsh_xdr_out *out = out_of(xdrs);

	if (out->xo_ddp_ok && out_is_ddp(out, uio) && !out->xo_uio &&
	    uio->uio_count >= 1 && uio->uio_count <= XR_GSH_XDR_MAX_PAYLOAD) {
		uio->uio_references++;
		out->xo_uio = uio;
		out->xo_payload_pos = XDR_GETPOS(xdrs);
		out->xo_payload_len =
		    out_payload_len(out, uio, out->xo_payload_pos);
		return true;
	}
	if (!out_copy_uio(xdrs, uio))
		return false;
	if (uio->uio_release) {
		uio->uio_references++;
		uio->uio_release(uio, flags);
	}
	return true;
}

/* Our encode ops: ntirpc's memory stream with x_putbufs replaced. */
static void out_ops_init(void)
{
	char scratch[8];
	XDR mem;

	xdrmem_ncreate(&mem, scratch, sizeof(scratch), XDR_ENCODE);
	out_ops = *mem.x_ops;
	out_ops.x_putbufs = out_putbufs;
}

void xr_gsh_xdr_out_init(struct xr_gsh_xdr_out *out, char *buf, u_int size,
			 xdr_uio_release ddp_release, bool ddp_ok)
{
	pthread_once(&out_ops_once, out_ops_init);
	memset(out, 0, sizeof(*out));
	xdrmem_ncreate(&out->xo_xdrs, buf, size, XDR_ENCODE);
	out->xo_xdrs.x_ops = &out_ops;
	out->xo_buf = buf;
	out->xo_size = size;
	out->xo_ddp_release = ddp_release;
	out->xo_ddp_ok = ddp_ok;
}

uint32_t xr_gsh_xdr_out_split(const struct xr_gsh_xdr_out *out,
			      struct iovec *head, struct iovec *payload,
			      struct iovec *tail)
{
	XDR *xdrs = (XDR *)&out->xo_xdrs;
	u_int end = XDR_GETPOS(xdrs), left = out->xo_payload_len;
	uint32_t n = 0;
	size_t i;

	payload[0] = (struct iovec){NULL, 0};
	if (!out->xo_uio) {
		*head = (struct iovec){out->xo_buf, end};
		*tail = (struct iovec){NULL, 0};
		return 0;
	}
	*head = (struct iovec){out->xo_buf, out->xo_payload_pos};
	/* The data without padding, vector by vector (at most the max). */
	for (i = 0; i < out->xo_uio->uio_count && left; i++) {
		const xdr_vio *v = &out->xo_uio->uio_vio[i];
		u_int take = v->vio_length < left ? v->vio_length : left;

		if (!take)
			continue;
		payload[n++] = (struct iovec){v->vio_head, take};
		left -= take;
	}
	*tail = (struct iovec){out->xo_buf + out->xo_payload_pos,
			       end - out->xo_payload_pos};
	return n;
}

void xr_gsh_xdr_out_release(struct xr_gsh_xdr_out *out)
{
	xdr_uio *uio = out->xo_uio;

	out->xo_uio = NULL;
	if (uio && uio->uio_release)
		uio->uio_release(uio, UIO_FLAG_NONE);
}
