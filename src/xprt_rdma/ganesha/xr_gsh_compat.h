/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * What differs between the Ganesha versions the transport runs in.
 *
 * How this works: everything else in this directory is written once against
 * what Ganesha 4.3 (Debian 12, libntirpc 4.3) and Ganesha 6.5 (Debian 13,
 * libntirpc 6.3) share.  The few places where they differ are functions
 * declared here and defined once per Ganesha major version, in
 * xr_gsh_compat_v<major>.c (xr_gsh_compat_v4.c, xr_gsh_compat_v6.c); CMake
 * compiles the one file that matches the
 * Ganesha the build targets (cmake/GaneshaSDK.cmake).  Supporting another
 * version is one more such file.  What each version does differently, and
 * why, is written next to each function in its file and in
 * docs/architecture.md ("Ganesha 4.3 and 6.5: what differs").
 */
#ifndef XR_GSH_COMPAT_H
#define XR_GSH_COMPAT_H

#include <stdbool.h>

#include "gsh_rpc.h"
#include "config_parsing.h"

/*
 * A config item parsed by a handler, term by term (Exports = 1, 3;).
 * Ganesha 6 renamed the macro (same fields, same behaviour).
 */
#ifndef CONF_ITEM_PROC
#define CONF_ITEM_PROC CONF_ITEM_PROC_MULT
#endif

/**
 * xr_gsh_compat_read_release() - learn Ganesha's READ payload release
 *
 * READ data reaches the reply stream as a uio whose release function is
 * static in Ganesha; it tells READ data (DDP-eligible) apart from other
 * uios.  Each version learns it from an exported function that installs
 * it, on a 4-byte probe whose uio is released at once.
 *
 * Return: the release function (never NULL).
 */
xdr_uio_release xr_gsh_compat_read_release(void);

/**
 * xr_gsh_compat_xprt_ready() - finish a new xprt after Ganesha's rendezvous
 * @xprt:	our SVCXPRT, its xp_remote filled, Ganesha's rendezvous done
 *
 * Ganesha 6 waits to be told that a connection's peer address is final
 * (ntirpc calls xp_dispatch.remote_addr_set_cb once it has read a possible
 * proxy header) before its connection manager admits it; 4.3 has nothing
 * to tell.
 *
 * Return: XPRT_IDLE when the connection may be served; anything else when
 * Ganesha refused it (the caller destroys the xprt).
 */
enum xprt_stat xr_gsh_compat_xprt_ready(SVCXPRT *xprt);

/**
 * xr_gsh_compat_control() - SVC_CONTROL requests only some ntirpc has
 * @xprt:	our SVCXPRT
 * @rq:		the request
 * @in:		its argument
 *
 * ntirpc 6 adds SVCSET/SVCGET_XP_UNREF_USER_DATA: Ganesha 6's rendezvous
 * installs the callback that SVC_DESTROY() runs to drop the references
 * between the xprt and its NFSv4.1 sessions.  Like ntirpc's own xprts,
 * ours keep it in the xp_ops table, where SVC_DESTROY() looks for it.
 *
 * Return: true when @rq was handled, false when this version has no such
 * request.
 */
bool xr_gsh_compat_control(SVCXPRT *xprt, const u_int rq, void *in);

/**
 * xr_gsh_compat_read_len() - the READ buffer fsal_read2() will malloc
 * @read_arg:	the struct fsal_io_arg * fsal_read2() was given
 * @len:	its buffer's length, when it will allocate one
 *
 * The preload serves that malloc() from the READ arena
 * (xr_gsh_preload_arena.c).  Ganesha 6 allocates the buffer inside
 * fsal_read2() when none was supplied (iov[0].iov_base NULL, one iov);
 * Ganesha 4.3 has no fsal_read2(), so this is never called there.
 *
 * Return: 1 and @len set when the buffer will be allocated, else 0.
 */
int xr_gsh_compat_read_len(void *read_arg, size_t *len);

/**
 * xr_gsh_compat_read3_len() - the buffer an NFSv3 READ of @count mallocs
 * where no fsal_read2() hook can see it
 * @count:	READ3args.count, as the transport read it from the call
 * @len:	set to the length Ganesha will malloc
 *
 * Ganesha 4.3 mallocs the NFSv3 READ buffer in the unexported nfs3_read();
 * the module tells the preload that length before Ganesha runs the call
 * (xr_gsh_preload_arena.c).  Ganesha 6 needs nothing: fsal_read2() does.
 *
 * Return: 1 and @len set when the module should say the length, else 0.
 */
int xr_gsh_compat_read3_len(uint32_t count, size_t *len);

#endif /* XR_GSH_COMPAT_H */
