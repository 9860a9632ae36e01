/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Ganesha's side of the RDMA server: one ntirpc SVCXPRT per RPC-over-RDMA
 * connection, requests handed to Ganesha's normal NFS processing, replies
 * handed back to the server engine (src/xprt_rdma/core/xr_svc.h).
 */
#ifndef XR_GSH_XPRT_H
#define XR_GSH_XPRT_H

#include <stdint.h>
#include <stdio.h>

#include "xr_gsh_conf.h"
#include "xr_gsh_dispatch.h"

struct xr_gsh_server;

/**
 * xr_gsh_server_start() - start the RDMA listener and its workers
 * @conf:	the NFS_RDMA block
 * @dispatch:	Ganesha's dispatcher (taken over: released on failure)
 * @out:	the server
 *
 * Return: 0; -ENOMEM; or the engine's start error (-ENODEV no device or
 * provider, -EADDRINUSE, -EINVAL ...), logged with its reason.
 */
int xr_gsh_server_start(const struct xr_gsh_conf *conf,
			struct xr_gsh_dispatch *dispatch,
			struct xr_gsh_server **out);

/**
 * xr_gsh_server_report() - write the transport counters to @f
 * @srv:	a started server
 * @f:		where to write them, one "name value" line each
 */
void xr_gsh_server_report(struct xr_gsh_server *srv, FILE *f);

/**
 * xr_gsh_server_metrics() - the same counters for Prometheus
 * @srv:	a started server
 * @f:		where to write them, in the text exposition format
 *
 * Names: ganesha_rdma_<stats file name>, counters with _total.  No labels.
 */
void xr_gsh_server_metrics(struct xr_gsh_server *srv, FILE *f);

#endif /* XR_GSH_XPRT_H */
