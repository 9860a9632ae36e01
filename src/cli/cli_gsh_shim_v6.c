/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The libganesha_nfsd symbol that Ganesha 6.x's nfsv41.h references on
 * top of cli_gsh_shim.c's, for the standalone programs only (built when
 * the SDK is 6.x, see CMakeLists.txt): xdr_io_data(), the data of READ
 * results and WRITE arguments, which 6.x keeps as an iovec (4.3: a
 * counted char *, handled by nfsv41.h itself).
 *
 * The daemon's version decodes without copying, into buffers the server
 * transport keeps alive; a client's receive buffer is reused once the
 * reply is decoded, so here the data is copied into one buffer of its
 * own, freed with the result (XDR_FREE).  The session client never gets
 * here for its own READs and WRITEs (the transport places their data,
 * sess_codec.c); only a READ answered without a caller buffer does.
 */
#include <string.h>

#include "config.h"
#include "nfsv41.h"

static void shim_io_data_release(void *release_data)
{
	gsh_free(release_data);
}

static bool shim_io_data_encode(XDR *xdrs, io_data *objp)
{
	static const char pad[BYTES_PER_XDR_UNIT];
	size_t total = 0;
	u_int i;

	for (i = 0; i < objp->iovcnt; i++)
		total += objp->iov[i].iov_len;
	if (total != objp->data_len || total > XDR_BYTES_MAXLEN_IO)
		return false;
	if (!xdr_u_int32_t(xdrs, &objp->data_len))
		return false;
	for (i = 0; i < objp->iovcnt; i++)
		if (objp->iov[i].iov_len &&
		    !XDR_PUTBYTES(xdrs, objp->iov[i].iov_base,
				  objp->iov[i].iov_len))
			return false;
	if (total % BYTES_PER_XDR_UNIT)
		return XDR_PUTBYTES(
		    xdrs, pad, BYTES_PER_XDR_UNIT - total % BYTES_PER_XDR_UNIT);
	return true;
}

static bool shim_io_data_decode(XDR *xdrs, io_data *objp)
{
	char *buf = NULL;

	if (!xdr_u_int32_t(xdrs, &objp->data_len))
		return false;
	/* the bound 4.3's xdr_bytes() of the same data had */
	if (objp->data_len > XDR_BYTES_MAXLEN_IO)
		return false;
	if (objp->data_len) {
		buf = gsh_malloc(objp->data_len);
		if (!xdr_opaque_decode(xdrs, buf, objp->data_len)) {
			gsh_free(buf);
			return false;
		}
	}
	objp->iov = gsh_calloc(1, sizeof(*objp->iov));
	objp->iov[0].iov_base = buf;
	objp->iov[0].iov_len = objp->data_len;
	objp->iovcnt = 1;
	objp->last_iov_buf_size = objp->data_len;
	objp->release = buf ? shim_io_data_release : NULL;
	objp->release_data = buf;
	return true;
}

/*
 * xdr_io_data() - encode, decode or free @objp like the daemon's (see
 * above for the copy).  Returns false when the stream ends early, the
 * length is over XDR_BYTES_MAXLEN_IO or (encode) disagrees with the iovec.
 */
bool xdr_io_data(XDR *xdrs, io_data *objp)
{
	switch (xdrs->x_op) {
	case XDR_ENCODE:
		return shim_io_data_encode(xdrs, objp);
	case XDR_DECODE:
		return shim_io_data_decode(xdrs, objp);
	default:
		if (objp->release)
			objp->release(objp->release_data);
		objp->release = NULL;
		gsh_free(objp->iov);
		objp->iov = NULL;
		objp->iovcnt = 0;
		return true;
	}
}
