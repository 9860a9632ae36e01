/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Ganesha 4.3 (Debian 12, libntirpc 4.3): the version-specific glue of
 * xr_gsh_compat.h.  Compiled only when the build targets Ganesha 4.x.
 */
#include "config.h"

#include "gsh_rpc.h"
#include "nfsv41.h"
#include "abstract_mem.h"

#include "xr_gsh_compat.h"

/*
 * Ganesha 4.3's READ4 payload release (xdr_READ4res_uio_release) is
 * static; the exported xdr_READ4res_uio_setup() installs it.  Its NFSv3
 * READ uio has a release of its own, not exported: the reply path
 * recognises NFSv3 READ data by the procedure instead (xo_ddp_any).
 */
xdr_uio_release xr_gsh_compat_read_release(void)
{
	READ4resok probe = {0};
	xdr_uio_release release;
	xdr_uio *uio;

	probe.data.data_len = 4;
	probe.data.data_val = gsh_malloc(4);
	uio = xdr_READ4res_uio_setup(&probe);
	release = uio->uio_release;
	uio->uio_references = 1;
	release(uio, UIO_FLAG_NONE); /* frees the buffer and the uio */
	return release;
}

/* Ganesha 4.3 learns nothing more about a connection after rendezvous. */
enum xprt_stat xr_gsh_compat_xprt_ready(SVCXPRT *xprt)
{
	return XPRT_IDLE;
}

/* libntirpc 4.3 has no control requests beyond the common ones. */
bool xr_gsh_compat_control(SVCXPRT *xprt, const u_int rq, void *in)
{
	return false;
}

/* Ganesha 4.3 has no fsal_read2(): nothing asks. */
int xr_gsh_compat_read_len(void *read_arg, size_t *len)
{
	(void)read_arg;
	(void)len;
	return 0;
}

/*
 * Ganesha 4.3's nfs3_read() mallocs RNDUP(count) on the worker (it clamps
 * count to the export's MaxRead first: then the lengths differ and the
 * buffer is left to malloc).
 */
int xr_gsh_compat_read3_len(uint32_t count, size_t *len)
{
	*len = ((size_t)count + 3) & ~(size_t)3;
	return count > 0;
}
