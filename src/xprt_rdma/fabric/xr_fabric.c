/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Backend-independent half of the fabric seam.  How this works: the
 * xr_*() wrappers find the ops table through the common header at the start
 * of every object (xr_fabric_int.h) and call the backend.  The rest is
 * bookkeeping every backend shares: the registry of backends by name, the
 * error buffer, queue sizing from credits, the preallocated work-request
 * slots, and random memory keys.
 */
#include "xr_fabric_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static const struct xr_fabric_ops *const xr_backends[] = {
    &xr_fabric_ops_verbs,
    &xr_fabric_ops_ofi,
    /*
     * The in-process test seam: only a caller that names "loop" gets it
     * (the NFS_RDMA block's Fabric option offers verbs and ofi only).
     */
    &xr_fabric_ops_loop,
};

const struct xr_fabric_ops *xr_fabric_find_backend(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(xr_backends) / sizeof(xr_backends[0]); i++)
		if (strcmp(xr_backends[i]->name, name) == 0)
			return xr_backends[i];
	return NULL;
}

static int xr_vformat(char *buf, size_t len, const char *backend,
		      const char *fmt, va_list ap)
{
	int n;

	if (!buf || len == 0)
		return 0;
	n = snprintf(buf, len, "%s: ", backend);
	if (n < 0 || (size_t)n >= len)
		return 0;
	vsnprintf(buf + n, len - n, fmt, ap);
	return 0;
}

int xr_fab_err(struct xr_fabric *fab, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xr_vformat(fab->xf_errbuf, sizeof(fab->xf_errbuf), fab->xf_ops->name,
		   fmt, ap);
	va_end(ap);
	return err;
}

int xr_buf_err(char *buf, size_t len, const char *backend, int err,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xr_vformat(buf, len, backend, fmt, ap);
	va_end(ap);
	return err;
}

int xr_fabric_open(const struct xr_fabric_params *params,
		   struct xr_fabric **out, char *errbuf, size_t errlen)
{
	const struct xr_fabric_ops *ops;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	*out = NULL;
	ops = xr_fabric_find_backend(params ? params->xfp_backend : NULL);
	if (!ops)
		return xr_buf_err(errbuf, errlen, "fabric", -ENOENT,
				  "unknown backend \"%s\" (known: verbs, ofi)",
				  params && params->xfp_backend
				      ? params->xfp_backend
				      : "(none)");
	return ops->open(params, out, errbuf, errlen);
}

void xr_fabric_close(struct xr_fabric *fab)
{
	if (fab)
		fab->xf_ops->close(fab);
}

const char *xr_fabric_backend_name(const struct xr_fabric *fab)
{
	return fab->xf_ops->name;
}

bool xr_fabric_has_cap(const struct xr_fabric *fab, unsigned int cap)
{
	return (fab->xf_ops->caps & ~fab->xf_caps_off & cap) == cap;
}

const char *xr_fabric_strerror(const struct xr_fabric *fab)
{
	return fab->xf_errbuf;
}

uint32_t xr_fabric_pdata_max(const struct xr_fabric *fab)
{
	return fab->xf_pdata_max;
}

bool xr_fabric_local_needs_reg(const struct xr_fabric *fab)
{
	return !fab->xf_local_noreg;
}

/* RDMA ops a single RPC may need beside its reply: chunks of a request. */
#define XR_RDMA_OPS_PER_CREDIT 3
#define XR_MAX_CREDITS 1024

int xr_ep_attr_from_credits(uint32_t credits, struct xr_ep_attr *attr)
{
	if (credits == 0 || credits > XR_MAX_CREDITS)
		return -EINVAL;
	attr->xea_recv_depth = credits;
	attr->xea_send_depth = credits * (1 + XR_RDMA_OPS_PER_CREDIT);
	attr->xea_max_sge = XR_MAX_SGE;
	attr->xea_rdma_read_depth = 16;
	return 0;
}

int xr_listen(struct xr_fabric *fab, const char *addr, uint16_t port,
	      int backlog, struct xr_listener **out)
{
	return fab->xf_ops->listen(fab, addr, port, backlog, out);
}

uint16_t xr_listener_port(struct xr_listener *l)
{
	return l->xl_fabric->xf_ops->listener_port(l);
}

void xr_listener_close(struct xr_listener *l)
{
	if (l)
		l->xl_fabric->xf_ops->listener_close(l);
}

int xr_accept(struct xr_conn_req *req, const struct xr_ep_attr *attr,
	      const struct xr_recv *prepost, uint32_t nprepost,
	      const void *pdata, uint32_t pdata_len, void *ctx,
	      struct xr_ep **out)
{
	return req->xq_fabric->xf_ops->accept(req, attr, prepost, nprepost,
					      pdata, pdata_len, ctx, out);
}

int xr_reject(struct xr_conn_req *req, const void *pdata, uint32_t pdata_len)
{
	return req->xq_fabric->xf_ops->reject(req, pdata, pdata_len);
}

int xr_connect(struct xr_fabric *fab, const char *addr, uint16_t port,
	       const struct xr_ep_attr *attr, const struct xr_recv *prepost,
	       uint32_t nprepost, const void *pdata, uint32_t pdata_len,
	       void *ctx, struct xr_ep **out)
{
	return fab->xf_ops->connect(fab, addr, port, attr, prepost, nprepost,
				    pdata, pdata_len, ctx, out);
}

int xr_disconnect(struct xr_ep *ep)
{
	return ep->xe_fabric->xf_ops->disconnect(ep);
}

void xr_ep_destroy(struct xr_ep *ep)
{
	if (ep)
		ep->xe_fabric->xf_ops->ep_destroy(ep);
}

int xr_reg_mr(struct xr_fabric *fab, void *addr, size_t len,
	      unsigned int access, struct xr_mr **out)
{
	return fab->xf_ops->reg_mr(fab, addr, len, access, out);
}

void xr_dereg_mr(struct xr_mr *mr)
{
	if (mr)
		mr->mrg_fabric->xf_ops->dereg_mr(mr);
}

uint32_t xr_mr_handle(const struct xr_mr *mr)
{
	return mr->mrg_fabric->xf_ops->mr_handle(mr);
}

uint64_t xr_mr_wire_offset(const struct xr_mr *mr, const void *addr)
{
	return mr->mrg_fabric->xf_ops->mr_wire_offset(mr, addr);
}

int xr_ep_addrs(struct xr_ep *ep, struct sockaddr_storage *local,
		struct sockaddr_storage *peer)
{
	return ep->xe_fabric->xf_ops->ep_addrs(ep, local, peer);
}

int xr_post_recvs(struct xr_ep *ep, const struct xr_recv *recvs, uint32_t n,
		  uint32_t *posted)
{
	return ep->xe_fabric->xf_ops->post_recvs(ep, recvs, n, posted);
}

int xr_post_send(struct xr_ep *ep, const struct xr_sge *sge, uint32_t nsge,
		 bool invalidate, uint32_t inv_handle, void *ctx)
{
	return ep->xe_fabric->xf_ops->post_send(ep, sge, nsge, invalidate,
						inv_handle, ctx);
}

int xr_post_write(struct xr_ep *ep, const struct xr_sge *sge, uint32_t nsge,
		  uint64_t remote_offset, uint32_t remote_handle, void *ctx)
{
	return ep->xe_fabric->xf_ops->post_write(ep, sge, nsge, remote_offset,
						 remote_handle, ctx);
}

int xr_post_read(struct xr_ep *ep, const struct xr_sge *sge, uint32_t nsge,
		 uint64_t remote_offset, uint32_t remote_handle, void *ctx)
{
	return ep->xe_fabric->xf_ops->post_read(ep, sge, nsge, remote_offset,
						remote_handle, ctx);
}

int xr_fabric_wait_fd(struct xr_fabric *fab)
{
	return fab->xf_ops->wait_fd(fab);
}

int xr_fabric_arm(struct xr_fabric *fab)
{
	return fab->xf_ops->arm(fab);
}

int xr_fabric_poll(struct xr_fabric *fab, struct xr_completion *out, int max)
{
	return fab->xf_ops->poll(fab, out, max);
}

int xr_fabric_get_event(struct xr_fabric *fab, struct xr_event *ev)
{
	return fab->xf_ops->get_event(fab, ev);
}

void *xr_ep_context(const struct xr_ep *ep)
{
	return ep->xe_ctx;
}

uint32_t xr_ep_outstanding(const struct xr_ep *ep)
{
	return ep->xe_wrs.xp_busy;
}

struct xr_fabric *xr_ep_fabric(const struct xr_ep *ep)
{
	return ep->xe_fabric;
}

int xr_wr_pool_init(struct xr_wr_pool *pool, uint32_t nrecv, uint32_t nsend)
{
	uint32_t i;

	memset(pool, 0, sizeof(*pool));
	if (nrecv == 0 || nsend == 0)
		return -EINVAL;
	pool->xp_slots = calloc((size_t)nrecv + nsend, sizeof(struct xr_wr));
	if (!pool->xp_slots)
		return -ENOMEM;
	pool->xp_nrecv = nrecv;
	pool->xp_nsend = nsend;
	for (i = 0; i < nrecv; i++) {
		pool->xp_slots[i].xw_next = pool->xp_free_recv;
		pool->xp_free_recv = &pool->xp_slots[i];
	}
	for (i = nrecv; i < nrecv + nsend; i++) {
		pool->xp_slots[i].xw_next = pool->xp_free_send;
		pool->xp_free_send = &pool->xp_slots[i];
	}
	return 0;
}

void xr_wr_pool_fini(struct xr_wr_pool *pool)
{
	free(pool->xp_slots);
	memset(pool, 0, sizeof(*pool));
}

struct xr_wr *xr_wr_get(struct xr_wr_pool *pool, enum xr_op op, void *ctx)
{
	struct xr_wr **head =
	    op == XR_OP_RECV ? &pool->xp_free_recv : &pool->xp_free_send;
	struct xr_wr *wr = *head;

	if (!wr)
		return NULL;
	*head = wr->xw_next;
	wr->xw_next = NULL;
	wr->xw_ctx = ctx;
	wr->xw_op = (uint8_t)op;
	wr->xw_busy = true;
	pool->xp_busy++;
	return wr;
}

void xr_wr_put(struct xr_wr_pool *pool, struct xr_wr *wr)
{
	struct xr_wr **head =
	    wr->xw_op == XR_OP_RECV ? &pool->xp_free_recv : &pool->xp_free_send;

	if (!wr->xw_busy)
		return;
	wr->xw_busy = false;
	wr->xw_ctx = NULL;
	wr->xw_next = *head;
	*head = wr;
	pool->xp_busy--;
}

void xr_wr_complete(struct xr_ep *ep, struct xr_wr *wr, int status,
		    uint32_t len, struct xr_completion *out)
{
	memset(out, 0, sizeof(*out));
	out->xc_ep = ep;
	out->xc_ctx = wr->xw_ctx;
	out->xc_op = (enum xr_op)wr->xw_op;
	out->xc_status = status;
	out->xc_len = wr->xw_op == XR_OP_RECV && status == 0 ? len : 0;
	xr_wr_put(&ep->xe_wrs, wr);
}

int xr_wr_flush(struct xr_ep *ep, struct xr_completion *out, int max)
{
	struct xr_wr_pool *pool = &ep->xe_wrs;
	uint32_t i, total = pool->xp_nrecv + pool->xp_nsend;
	int n = 0;

	for (i = 0; i < total && n < max && pool->xp_busy; i++) {
		if (!pool->xp_slots[i].xw_busy)
			continue;
		xr_wr_complete(ep, &pool->xp_slots[i], -ECANCELED, 0,
			       &out[n++]);
	}
	return n;
}

#define XR_KEY_TRIES 64

int xr_pick_random_key(int (*try_key)(uint32_t key, void *arg), void *arg,
		       uint32_t *key_out)
{
	uint32_t key;
	int i, ret = -EEXIST;

	for (i = 0; i < XR_KEY_TRIES; i++) {
		if (getrandom(&key, sizeof(key), 0) != sizeof(key))
			return -EIO;
		if (key == 0)
			continue;
		ret = try_key(key, arg);
		if (ret != -EEXIST) {
			if (ret == 0)
				*key_out = key;
			return ret;
		}
	}
	return ret;
}
