/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Creating the RPC-over-RDMA transport of the session client; the
 * transport itself is a struct sess_xprt (sess_xprt.h).  It is built as a
 * plugin (libnfs41_rdma.so) that a program dlopen()s only when it wants
 * RDMA, so that TCP-only runs do not load libfabric and its providers.
 */
#ifndef SESS_XPRT_RDMA_H
#define SESS_XPRT_RDMA_H

#include <stddef.h>
#include <stdint.h>

#include "sess_xprt.h"

/** Options for sess_xprt_rdma_create(); 0/NULL means the default. */
struct sess_xprt_rdma_opts {
	const char *host;     /* server IPv4 address (required) */
	uint16_t port;	      /* default 20049 */
	const char *fabric;   /* "verbs" or "ofi" (default "ofi") */
	const char *provider; /* ofi provider (default "tcp") */
	uint32_t credits;     /* calls in flight asked for (default 128) */
	uint32_t inline_size; /* default 4096 */
	size_t max_record;    /* largest reply (default 1 MiB + 64 KiB) */
	int timeout_ms;	      /* default reply timeout (default 60000) */
};

/**
 * sess_xprt_rdma_create() - an RPC-over-RDMA transport; does not connect
 * (ops->connect does, and reconnects after a loss).
 *
 * Return: the transport, or NULL with errno EINVAL (no host, host too
 * long) or ENOMEM.
 */
struct sess_xprt *sess_xprt_rdma_create(const struct sess_xprt_rdma_opts *o);

/* The plugin holding the transport (built next to nfs41), and its entry. */
#define SESS_XPRT_RDMA_PLUGIN "libnfs41_rdma.so"
#define SESS_XPRT_RDMA_ENTRY "sess_xprt_rdma_create"
typedef struct sess_xprt *(*sess_xprt_rdma_create_fn)(
    const struct sess_xprt_rdma_opts *o);

#endif /* SESS_XPRT_RDMA_H */
