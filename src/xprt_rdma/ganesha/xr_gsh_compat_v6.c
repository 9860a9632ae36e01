/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Ganesha 6.5 (Debian 13, libntirpc 6.3): the version-specific glue of
 * xr_gsh_compat.h.  Compiled only when the build targets Ganesha 6.x.
 */
#include "config.h"

#include "log.h"
#include "gsh_rpc.h"
#include "abstract_mem.h"
#include "fsal_api.h"

#include "xr_gsh_compat.h"
#include "xr_gsh_xdr.h"

/*
 * Ganesha 6 encodes READ data - NFSv4 and NFSv3 alike - with the exported
 * xdr_io_data(), which hands the stream a uio released by the static
 * xdr_io_data_uio_release().  (xdr_READ4res_uio_setup() is still declared
 * in its headers but no longer defined.)  Encode a 4-byte probe into one
 * of our own streams, which sets the uio aside instead of copying it, and
 * read the release function off it.
 */
xdr_uio_release xr_gsh_compat_read_release(void)
{
	struct xr_gsh_xdr_out out;
	struct iovec iov;
	xdr_uio_release release;
	io_data probe = {0};
	char scratch[16];

	iov.iov_base = gsh_malloc(4);
	iov.iov_len = 4;
	probe.data_len = 4;
	probe.iovcnt = 1;
	probe.iov = &iov;
	xr_gsh_xdr_out_init(&out, scratch, sizeof(scratch), NULL, true);
	out.xo_ddp_any = true; /* set the probe's uio aside, whatever it is */
	if (!xdr_io_data(&out.xo_xdrs, &probe) || !out.xo_uio) {
		LogFatal(
		    COMPONENT_INIT,
		    "NFS_RDMA: Ganesha's xdr_io_data() did not hand over its READ buffer");
	}
	release = out.xo_uio->uio_release;
	/* frees the probe buffer (no op_ctx: not an RDMA buffer) and the uio */
	xr_gsh_xdr_out_release(&out);
	return release;
}

/*
 * Ganesha 6's NFS rendezvous sets remote_addr_set_cb, which ntirpc's TCP
 * xprts call after their first record (a HAProxy header may change the
 * peer); it hands the connection to Ganesha's connection manager and may
 * refuse it.  Our peer address is final from the start: call it now.
 */
enum xprt_stat xr_gsh_compat_xprt_ready(SVCXPRT *xprt)
{
	if (!xprt->xp_dispatch.remote_addr_set_cb)
		return XPRT_IDLE;
	return xprt->xp_dispatch.remote_addr_set_cb(xprt);
}

bool xr_gsh_compat_control(SVCXPRT *xprt, const u_int rq, void *in)
{
	switch (rq) {
	case SVCGET_XP_UNREF_USER_DATA:
		*(svc_xprt_void_fun_t *)in = xprt->xp_ops->xp_unref_user_data;
		return true;
	case SVCSET_XP_UNREF_USER_DATA:
		xprt->xp_ops->xp_unref_user_data = (svc_xprt_void_fun_t)in;
		return true;
	default:
		return false;
	}
}

int xr_gsh_compat_read_len(void *read_arg, size_t *len)
{
	struct fsal_io_arg *arg = read_arg;

	if (!arg || arg->iov_count != 1 || !arg->iov || arg->iov[0].iov_base ||
	    !arg->iov[0].iov_len)
		return 0;
	*len = arg->iov[0].iov_len;
	return 1;
}

/* Ganesha 6's NFSv3 READ allocates inside fsal_read2(): caught there. */
int xr_gsh_compat_read3_len(uint32_t count, size_t *len)
{
	(void)count;
	(void)len;
	return 0;
}
