/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Finding Ganesha's NFS dispatcher from inside the process.
 *
 * Ganesha 4.3 has no API for adding a transport, but every xprt it accepts
 * on its NFS listener is handed to a rendezvous callback that installs
 * Ganesha's request handler (process_cb) and its per-connection cleanup
 * (free_user_data).  Calling the same callback on our own SVCXPRT makes
 * Ganesha serve it like any TCP connection.
 */
#ifndef XR_GSH_DISPATCH_H
#define XR_GSH_DISPATCH_H

#include <stdint.h>

#include "gsh_rpc.h"

struct xr_gsh_dispatch {
	SVCXPRT *xsd_parent; /* Ganesha's NFS listener; we hold a ref */
	svc_xprt_fun_t xsd_rendezvous; /* Ganesha's NFS rendezvous */
	svc_xprt_fun_t xsd_free_user_data;
};

/**
 * xr_gsh_dispatch_find() - find Ganesha's NFS listener and its callbacks
 * @nfs_port:	the NFS port Ganesha listens on (nfs_param)
 * @out:	filled on success; release with xr_gsh_dispatch_put()
 *
 * Must run after nfs_init_wait(): the listener exists only then.
 *
 * Return: 0; -ENOENT when no TCP socket of this process listens on
 * @nfs_port; -EPROTO when ntirpc does not know that socket as an xprt or
 * it has no rendezvous callback.
 */
int xr_gsh_dispatch_find(uint16_t nfs_port, struct xr_gsh_dispatch *out);

/**
 * xr_gsh_dispatch_put() - drop the reference taken on the listener
 * @d:	filled by xr_gsh_dispatch_find()
 */
void xr_gsh_dispatch_put(struct xr_gsh_dispatch *d);

#endif /* XR_GSH_DISPATCH_H */
