/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The ofi backend: the fabric seam on libfabric FI_EP_MSG endpoints with
 * FI_MSG | FI_RMA, provider chosen by name (default "tcp").  How this works:
 *
 * - open: fi_getinfo() for the local address picks fabric + domain; one
 *   event queue and one completion queue (both FI_WAIT_FD) serve every
 *   listener and endpoint.  The fabric's wait descriptor is an epoll set
 *   holding exactly those two fds, however many endpoints there are: on
 *   libfabric 2.x tcp a CQ's wait fd is itself an epoll set, and one
 *   nested per endpoint ran into the kernel's limit on epoll wake-up
 *   paths after ~50 endpoints (epoll_ctl EINVAL, connections refused).
 * - Demultiplexing: the context libfabric gets with each operation is the
 *   operation's slot record (struct xr_ofi_slot), which names its
 *   endpoint.  poll() reads the shared CQ in bounded batches into
 *   per-endpoint rings (one entry per busy work request at most, so a
 *   ring never overflows) and then serves the endpoints that have
 *   something, round robin from a ready list, each at most its share: a
 *   peer that floods cannot stall another.
 * - The provider makes progress only while we read its queues: arm() makes
 *   one more progress pass (see xr_ofi_arm) and then fi_trywait() over the
 *   event queue and the CQ.
 * - Memory: mr_mode is read back.  Without FI_MR_VIRT_ADDR a wire offset
 *   is the offset from the region's start; without FI_MR_PROV_KEY the key
 *   is ours to choose: a random non-zero 32-bit value, retried on collision
 *   so it is unique in the domain and a peer cannot guess it.
 *   Without FI_MR_LOCAL (libfabric tcp) the local side of a send or RDMA
 *   op needs no registration (xr_fabric_local_needs_reg() is false): the
 *   engines post plain addresses and register only what a peer addresses.
 * - Connection data is capped locally (fi_accept does not check it).
 * - When a connection ends (FI_SHUTDOWN, an error, or our own disconnect)
 *   the libfabric endpoint is closed at once and the shared CQ is drained
 *   into the rings, so no entry naming the endpoint is left in it when it
 *   is freed; its ring is served, and operations the provider will never
 *   report are completed with -ECANCELED from the work-request slots.
 * - libfabric has no send-with-invalidate: post_send reports -EOPNOTSUPP.
 */
#include "xr_fabric_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_eq.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>

#define XR_OFI_VERSION FI_VERSION(1, 9)
#define XR_OFI_POLL_BATCH 32
/*
 * Entries of the shared CQ.  Not a limit: libfabric's util CQ keeps what
 * does not fit in an overflow list; past this size each extra entry costs
 * the provider a malloc.
 */
#define XR_OFI_CQ_SIZE 8192
/* Most CQ entries one poll() moves into the rings before serving them. */
#define XR_OFI_FILL_MAX 256

enum xr_ofi_ep_state {
	XR_OFI_CONNECTING,
	XR_OFI_CONNECTED,
	XR_OFI_CLOSED, /* libfabric endpoint closed; CQ being drained */
};

struct xr_ofi_fabric {
	struct xr_fabric of_base;
	struct fi_info *of_info;
	struct fid_fabric *of_fabric;
	struct fid_domain *of_domain;
	struct fid_eq *of_eq;
	int of_eq_fd;
	struct fid_cq *of_cq; /* shared by every endpoint */
	int of_cq_fd;
	int of_epfd;
	uint64_t of_mr_mode;
	bool of_bind_src; /* connect from of_info's source address */
	char of_provider[64];
	struct xr_ofi_ep *of_eps;	/* every endpoint */
	struct xr_ofi_listener *of_lis; /* every listener */
	struct xr_ofi_mr *of_mrs;	/* every region */
	/* Endpoints with completions in their ring or slots to flush. */
	struct xr_ofi_ep *of_ready_head, *of_ready_tail;
	uint32_t of_nready;
	uint32_t of_owed;   /* endpoints owing an XR_EV_DISCONNECTED */
	uint64_t of_nslots; /* work-request slots of every endpoint */
};

struct xr_ofi_listener {
	struct xr_listener ol_base;
	struct xr_ofi_fabric *ol_fab;
	struct fid_pep *ol_pep;
	uint16_t ol_port;
	struct xr_ofi_listener *ol_next;
};

struct xr_ofi_req {
	struct xr_conn_req oq_base;
	struct xr_ofi_listener *oq_lis;
	struct fi_info *oq_info;
};

/*
 * libfabric's context for one operation: the slot of the same index in the
 * endpoint's xr_wr_pool.  Once read from the CQ the result waits here
 * until poll() hands it out.
 */
struct xr_ofi_slot {
	struct xr_ofi_ep *os_ep;
	uint32_t os_len;
	int os_status;
	bool os_done; /* read from the CQ, its index in the ring */
};

struct xr_ofi_ep {
	struct xr_ep oe_base;
	struct xr_ofi_fabric *oe_fab;
	struct fid_ep *oe_ep;
	enum xr_ofi_ep_state oe_state;
	bool oe_report_disconnect; /* an XR_EV_DISCONNECTED is owed */
	bool oe_ready;		   /* on the fabric's ready list */
	int oe_disconnect_status;
	uint32_t oe_nslots; /* receive + send depth */
	struct xr_ofi_slot *oe_slots;
	uint32_t *oe_ring; /* completed slot indices, oe_nslots entries */
	uint32_t oe_ring_head, oe_ring_count;
	struct xr_ofi_ep *oe_prev, *oe_next;
	struct xr_ofi_ep *oe_rprev, *oe_rnext; /* ready list */
};

struct xr_ofi_mr {
	struct xr_mr om_base;
	struct xr_ofi_fabric *om_fab;
	struct fid_mr *om_mr;
	void *om_desc;
	uintptr_t om_start;
	uint32_t om_key;
	struct xr_ofi_mr *om_prev, *om_next;
};

static struct xr_ofi_fabric *ofab(struct xr_fabric *fab)
{
	return XR_CONTAINER_OF(fab, struct xr_ofi_fabric, of_base);
}

static struct xr_ofi_ep *oep(struct xr_ep *ep)
{
	return XR_CONTAINER_OF(ep, struct xr_ofi_ep, oe_base);
}

static struct xr_ofi_mr *omr(struct xr_mr *mr)
{
	return XR_CONTAINER_OF(mr, struct xr_ofi_mr, om_base);
}

static const struct xr_ofi_mr *comr(const struct xr_mr *mr)
{
	return XR_CONTAINER_OF(mr, const struct xr_ofi_mr, om_base);
}

/* libfabric access flags for enum xr_access bits; 0 if none is valid. */
static uint64_t xr_ofi_access(unsigned int access)
{
	uint64_t fa = 0;

	if (access & ~(unsigned int)(XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_READ |
				     XR_ACCESS_REMOTE_WRITE))
		return 0;
	if (access & XR_ACCESS_LOCAL)
		fa |= FI_SEND | FI_RECV | FI_READ | FI_WRITE;
	if (access & XR_ACCESS_REMOTE_READ)
		fa |= FI_REMOTE_READ;
	if (access & XR_ACCESS_REMOTE_WRITE)
		fa |= FI_REMOTE_WRITE;
	return fa;
}

/* Status of a failed completion as the seam reports it. */
static int xr_ofi_status(int err)
{
	switch (err) {
	case FI_ECANCELED:
		return -ECANCELED;
	case FI_EACCES:
	case FI_EKEYREJECTED:
	case FI_EPERM:
	case FI_EFAULT:
		return -EACCES;
	default:
		return -EIO;
	}
}

/* Put e at the end of the ready list unless it is on it already. */
static void xr_ofi_ready_add(struct xr_ofi_fabric *of, struct xr_ofi_ep *e)
{
	if (e->oe_ready)
		return;
	e->oe_ready = true;
	e->oe_rnext = NULL;
	e->oe_rprev = of->of_ready_tail;
	if (of->of_ready_tail)
		of->of_ready_tail->oe_rnext = e;
	else
		of->of_ready_head = e;
	of->of_ready_tail = e;
	of->of_nready++;
}

static void xr_ofi_ready_del(struct xr_ofi_fabric *of, struct xr_ofi_ep *e)
{
	if (!e->oe_ready)
		return;
	if (e->oe_rprev)
		e->oe_rprev->oe_rnext = e->oe_rnext;
	else
		of->of_ready_head = e->oe_rnext;
	if (e->oe_rnext)
		e->oe_rnext->oe_rprev = e->oe_rprev;
	else
		of->of_ready_tail = e->oe_rprev;
	e->oe_rprev = e->oe_rnext = NULL;
	e->oe_ready = false;
	of->of_nready--;
}

/* Whether e has something for poll(): a completion, or slots to flush. */
static bool xr_ofi_has_work(const struct xr_ofi_ep *e)
{
	return e->oe_ring_count ||
	       (e->oe_state == XR_OFI_CLOSED && e->oe_base.xe_wrs.xp_busy);
}

static void xr_ofi_set_owed(struct xr_ofi_fabric *of, struct xr_ofi_ep *e,
			    bool owed)
{
	if (e->oe_report_disconnect == owed)
		return;
	e->oe_report_disconnect = owed;
	if (owed)
		of->of_owed++;
	else
		of->of_owed--;
}

/* libfabric's context for the operation in slot wr of e. */
static void *xr_ofi_ctx(struct xr_ofi_ep *e, const struct xr_wr *wr)
{
	return &e->oe_slots[wr - e->oe_base.xe_wrs.xp_slots];
}

/*
 * File one CQ entry with the endpoint its context names.  A context whose
 * slot is not busy, or was filed already, is ignored: the ring holds at
 * most one entry per busy slot and so never overflows.
 */
static void xr_ofi_demux(struct xr_ofi_fabric *of, void *ctx, int status,
			 uint32_t len)
{
	struct xr_ofi_slot *s = ctx;
	struct xr_ofi_ep *e;
	uint32_t idx;

	if (!s)
		return;
	e = s->os_ep;
	idx = (uint32_t)(s - e->oe_slots);
	if (idx >= e->oe_nslots || s->os_done ||
	    !e->oe_base.xe_wrs.xp_slots[idx].xw_busy ||
	    e->oe_ring_count >= e->oe_nslots)
		return;
	s->os_done = true;
	s->os_status = status;
	s->os_len = len;
	e->oe_ring[(e->oe_ring_head + e->oe_ring_count) % e->oe_nslots] = idx;
	e->oe_ring_count++;
	xr_ofi_ready_add(of, e);
}

/*
 * Move up to limit entries of the shared CQ into the endpoints' rings.
 * Every fi_cq_read() runs the provider's progress (two epoll_wait() calls
 * on tcp), so a short read ends it (*drained).  Returns the number of
 * entries read, or -EIO.
 */
static int xr_ofi_fill(struct xr_ofi_fabric *of, int limit, bool *drained)
{
	struct fi_cq_msg_entry ent[XR_OFI_POLL_BATCH];
	struct fi_cq_err_entry err;
	int n = 0, want, i;
	ssize_t ret;

	*drained = false;
	while (n < limit) {
		want = limit - n < XR_OFI_POLL_BATCH ? limit - n
						     : XR_OFI_POLL_BATCH;
		ret = fi_cq_read(of->of_cq, ent, want);
		if (ret == -FI_EAVAIL) {
			memset(&err, 0, sizeof(err));
			ret = fi_cq_readerr(of->of_cq, &err, 0);
			if (ret == -FI_EAGAIN) {
				*drained = true;
				break;
			}
			if (ret < 0)
				return n ? n : -EIO;
			xr_ofi_demux(of, err.op_context, xr_ofi_status(err.err),
				     0);
			n++;
			continue;
		}
		if (ret == -FI_EAGAIN) {
			*drained = true;
			break;
		}
		if (ret < 0)
			return n ? n : -EIO;
		for (i = 0; i < ret; i++)
			xr_ofi_demux(of, ent[i].op_context, 0,
				     (uint32_t)ent[i].len);
		n += (int)ret;
		if (ret < want) {
			*drained = true;
			break;
		}
	}
	return n;
}

/*
 * Read the shared CQ to its end: after an endpoint is closed no entry may
 * be left in it that names the endpoint.  The entries come from busy
 * slots, so of_nslots (plus one batch per error) bounds the loop.
 */
static void xr_ofi_drain(struct xr_ofi_fabric *of)
{
	uint64_t budget = of->of_nslots + XR_OFI_POLL_BATCH;
	bool drained = false;
	int ret;

	while (!drained && budget) {
		ret = xr_ofi_fill(of, XR_OFI_FILL_MAX, &drained);
		if (ret <= 0)
			break;
		budget = (uint64_t)ret >= budget ? 0 : budget - (uint64_t)ret;
	}
}

static struct fi_info *xr_ofi_hints(const char *provider)
{
	struct fi_info *hints = fi_allocinfo();

	if (!hints)
		return NULL;
	hints->ep_attr->type = FI_EP_MSG;
	hints->caps = FI_MSG | FI_RMA;
	hints->addr_format = FI_SOCKADDR_IN;
	hints->mode = 0;
	/* Modes this backend handles; anything else is not offered. */
	hints->domain_attr->mr_mode =
	    FI_MR_LOCAL | FI_MR_VIRT_ADDR | FI_MR_ALLOCATED | FI_MR_PROV_KEY;
	hints->fabric_attr->prov_name = strdup(provider);
	if (!hints->fabric_attr->prov_name) {
		fi_freeinfo(hints);
		return NULL;
	}
	return hints;
}

static int xr_ofi_getinfo(struct xr_ofi_fabric *of, const char *node,
			  uint16_t port, uint64_t flags, struct fi_info **out)
{
	struct fi_info *hints = xr_ofi_hints(of->of_provider);
	char service[8];
	int ret;

	if (!hints)
		return -ENOMEM;
	snprintf(service, sizeof(service), "%u", port);
	/* Outgoing connections leave from the address the fabric names. */
	if (!(flags & FI_SOURCE) && of->of_bind_src && of->of_info->src_addr) {
		hints->src_addr = malloc(of->of_info->src_addrlen);
		if (!hints->src_addr) {
			fi_freeinfo(hints);
			return -ENOMEM;
		}
		memcpy(hints->src_addr, of->of_info->src_addr,
		       of->of_info->src_addrlen);
		hints->src_addrlen = of->of_info->src_addrlen;
	}
	ret = fi_getinfo(XR_OFI_VERSION, node, service, flags, hints, out);
	fi_freeinfo(hints);
	return ret;
}

static int xr_ofi_epoll_add(struct xr_ofi_fabric *of, int fd, void *ptr)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = ptr};

	if (epoll_ctl(of->of_epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

static void xr_ofi_close(struct xr_fabric *fab);

static int xr_ofi_open(const struct xr_fabric_params *params,
		       struct xr_fabric **out, char *errbuf, size_t errlen)
{
	const char *prov = params->xfp_provider ? params->xfp_provider : "tcp";
	struct fi_eq_attr eq_attr = {.size = 1024, .wait_obj = FI_WAIT_FD};
	struct fi_cq_attr cq_attr = {.size = XR_OFI_CQ_SIZE,
				     .format = FI_CQ_FORMAT_MSG,
				     .wait_obj = FI_WAIT_FD};
	struct xr_ofi_fabric *of;
	int ret;

	of = calloc(1, sizeof(*of));
	if (!of)
		return xr_buf_err(errbuf, errlen, "ofi", -ENOMEM, "no memory");
	of->of_base.xf_ops = &xr_fabric_ops_ofi;
	of->of_base.xf_pdata_max = XR_PDATA_MAX;
	of->of_eq_fd = -1;
	of->of_cq_fd = -1;
	snprintf(of->of_provider, sizeof(of->of_provider), "%s", prov);
	of->of_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (of->of_epfd < 0) {
		ret = xr_buf_err(errbuf, errlen, "ofi", -errno,
				 "epoll_create1: %s", strerror(errno));
		goto out_free;
	}
	ret = xr_ofi_getinfo(of, params->xfp_local_addr, 0,
			     params->xfp_local_addr ? FI_SOURCE : 0,
			     &of->of_info);
	if (ret) {
		ret = xr_buf_err(errbuf, errlen, "ofi", -ENODEV,
				 "provider \"%s\" offers no FI_EP_MSG with "
				 "FI_MSG|FI_RMA for address %s: %s",
				 prov,
				 params->xfp_local_addr ? params->xfp_local_addr
							: "(any)",
				 fi_strerror(-ret));
		goto out_close;
	}
	of->of_mr_mode = of->of_info->domain_attr->mr_mode;
	/* No FI_MR_LOCAL: local buffers go by address, unregistered. */
	of->of_base.xf_local_noreg = !(of->of_mr_mode & FI_MR_LOCAL);
	of->of_bind_src = params->xfp_local_addr != NULL;
	ret = fi_fabric(of->of_info->fabric_attr, &of->of_fabric, NULL);
	if (ret) {
		ret = xr_buf_err(errbuf, errlen, "ofi", -ENODEV,
				 "fi_fabric(%s): %s", prov, fi_strerror(-ret));
		goto out_close;
	}
	ret = fi_domain(of->of_fabric, of->of_info, &of->of_domain, NULL);
	if (ret) {
		ret = xr_buf_err(errbuf, errlen, "ofi", -ENODEV,
				 "fi_domain(%s): %s", prov, fi_strerror(-ret));
		goto out_close;
	}
	ret = fi_eq_open(of->of_fabric, &eq_attr, &of->of_eq, NULL);
	if (!ret)
		ret = fi_control(&of->of_eq->fid, FI_GETWAIT, &of->of_eq_fd);
	if (ret) {
		ret = xr_buf_err(errbuf, errlen, "ofi", -EIO,
				 "event queue with FI_WAIT_FD: %s",
				 fi_strerror(-ret));
		goto out_close;
	}
	ret = fi_cq_open(of->of_domain, &cq_attr, &of->of_cq, NULL);
	if (!ret)
		ret = fi_control(&of->of_cq->fid, FI_GETWAIT, &of->of_cq_fd);
	if (ret) {
		ret = xr_buf_err(errbuf, errlen, "ofi", -EIO,
				 "completion queue with FI_WAIT_FD: %s",
				 fi_strerror(-ret));
		goto out_close;
	}
	ret = xr_ofi_epoll_add(of, of->of_eq_fd, NULL);
	if (!ret)
		ret = xr_ofi_epoll_add(of, of->of_cq_fd, NULL);
	if (ret) {
		xr_buf_err(errbuf, errlen, "ofi", ret, "epoll_ctl: %s",
			   strerror(-ret));
		goto out_close;
	}
	*out = &of->of_base;
	return 0;

out_close:
	xr_ofi_close(&of->of_base);
	return ret;
out_free:
	free(of);
	return ret;
}

static void xr_ofi_ep_destroy(struct xr_ep *ep);
static void xr_ofi_listener_close(struct xr_listener *l);
static void xr_ofi_dereg_mr(struct xr_mr *mr);

static void xr_ofi_close(struct xr_fabric *fab)
{
	struct xr_ofi_fabric *of = ofab(fab);

	while (of->of_eps)
		xr_ofi_ep_destroy(&of->of_eps->oe_base);
	while (of->of_lis)
		xr_ofi_listener_close(&of->of_lis->ol_base);
	while (of->of_mrs)
		xr_ofi_dereg_mr(&of->of_mrs->om_base);
	if (of->of_eq)
		fi_close(&of->of_eq->fid);
	if (of->of_cq)
		fi_close(&of->of_cq->fid);
	if (of->of_domain)
		fi_close(&of->of_domain->fid);
	if (of->of_fabric)
		fi_close(&of->of_fabric->fid);
	if (of->of_info)
		fi_freeinfo(of->of_info);
	if (of->of_epfd >= 0)
		close(of->of_epfd);
	free(of);
}

static int xr_ofi_listen(struct xr_fabric *fab, const char *addr, uint16_t port,
			 int backlog, struct xr_listener **out)
{
	struct xr_ofi_fabric *of = ofab(fab);
	struct xr_ofi_listener *l;
	struct fi_info *info = NULL;
	struct sockaddr_in sin;
	size_t len = sizeof(sin);
	int ret;

	l = calloc(1, sizeof(*l));
	if (!l)
		return xr_fab_err(fab, -ENOMEM, "listener: no memory");
	l->ol_base.xl_fabric = fab;
	l->ol_fab = of;
	ret = xr_ofi_getinfo(of, addr, port, FI_SOURCE, &info);
	if (ret) {
		ret = xr_fab_err(fab, -EADDRNOTAVAIL,
				 "cannot listen on %s:%u: %s", addr, port,
				 fi_strerror(-ret));
		goto out_free;
	}
	/* The tcp provider binds here, so "in use" can show up already. */
	ret = fi_passive_ep(of->of_fabric, info, &l->ol_pep, l);
	if (ret) {
		ret = xr_fab_err(
		    fab, ret == -FI_EADDRINUSE ? -EADDRINUSE : -EIO,
		    "listen on %s:%u: %s", addr, port, fi_strerror(-ret));
		goto out_info;
	}
	ret = fi_pep_bind(l->ol_pep, &of->of_eq->fid, 0);
	if (ret) {
		ret =
		    xr_fab_err(fab, -EIO, "fi_pep_bind: %s", fi_strerror(-ret));
		goto out_pep;
	}
	if (backlog > 0)
		fi_control(&l->ol_pep->fid, FI_BACKLOG, &backlog);
	ret = fi_listen(l->ol_pep);
	if (ret) {
		ret = xr_fab_err(
		    fab, ret == -FI_EADDRINUSE ? -EADDRINUSE : -EIO,
		    "listen on %s:%u: %s", addr, port, fi_strerror(-ret));
		goto out_pep;
	}
	ret = fi_getname(&l->ol_pep->fid, &sin, &len);
	if (ret || sin.sin_family != AF_INET) {
		ret = xr_fab_err(fab, -EIO, "listener address unknown");
		goto out_pep;
	}
	l->ol_port = ntohs(sin.sin_port);
	fi_freeinfo(info);
	l->ol_next = of->of_lis;
	of->of_lis = l;
	*out = &l->ol_base;
	return 0;

out_pep:
	fi_close(&l->ol_pep->fid);
out_info:
	fi_freeinfo(info);
out_free:
	free(l);
	return ret;
}

static uint16_t xr_ofi_listener_port(struct xr_listener *l)
{
	return XR_CONTAINER_OF(l, struct xr_ofi_listener, ol_base)->ol_port;
}

static void xr_ofi_listener_close(struct xr_listener *xl)
{
	struct xr_ofi_listener *l =
	    XR_CONTAINER_OF(xl, struct xr_ofi_listener, ol_base);
	struct xr_ofi_listener **pp;

	for (pp = &l->ol_fab->of_lis; *pp; pp = &(*pp)->ol_next)
		if (*pp == l) {
			*pp = l->ol_next;
			break;
		}
	fi_close(&l->ol_pep->fid);
	free(l);
}

static int xr_ofi_check_attr(struct xr_ofi_fabric *of,
			     const struct xr_ep_attr *attr)
{
	if (!attr || !attr->xea_recv_depth || !attr->xea_send_depth ||
	    !attr->xea_max_sge || attr->xea_max_sge > XR_MAX_SGE)
		return xr_fab_err(&of->of_base, -EINVAL,
				  "bad endpoint attributes");
	if (attr->xea_max_sge > of->of_info->tx_attr->iov_limit ||
	    attr->xea_max_sge > of->of_info->rx_attr->iov_limit)
		return xr_fab_err(
		    &of->of_base, -EINVAL, "provider allows %zu sges, asked %u",
		    of->of_info->tx_attr->iov_limit, attr->xea_max_sge);
	return 0;
}

/*
 * Create the libfabric endpoint and CQ for info, sized by attr, and post
 * the receives.  On failure everything is undone and a negative errno is
 * returned.
 */
static int xr_ofi_ep_create(struct xr_ofi_fabric *of, struct fi_info *info,
			    const struct xr_ep_attr *attr,
			    const struct xr_recv *prepost, uint32_t nprepost,
			    void *ctx, struct xr_ofi_ep **out)
{
	struct xr_ofi_ep *e;
	uint32_t posted, i;
	int ret;

	ret = xr_ofi_check_attr(of, attr);
	if (ret)
		return ret;
	e = calloc(1, sizeof(*e));
	if (!e)
		return xr_fab_err(&of->of_base, -ENOMEM, "endpoint: no memory");
	e->oe_base.xe_fabric = &of->of_base;
	e->oe_base.xe_ctx = ctx;
	e->oe_fab = of;
	e->oe_state = XR_OFI_CONNECTING;
	ret = xr_wr_pool_init(&e->oe_base.xe_wrs, attr->xea_recv_depth,
			      attr->xea_send_depth);
	if (ret) {
		ret = xr_fab_err(&of->of_base, ret, "endpoint slots: %s",
				 strerror(-ret));
		goto out_free;
	}
	e->oe_nslots = attr->xea_recv_depth + attr->xea_send_depth;
	e->oe_slots = calloc(e->oe_nslots, sizeof(*e->oe_slots));
	e->oe_ring = calloc(e->oe_nslots, sizeof(*e->oe_ring));
	if (!e->oe_slots || !e->oe_ring) {
		ret = xr_fab_err(&of->of_base, -ENOMEM,
				 "endpoint slots: no memory");
		goto out_slots;
	}
	for (i = 0; i < e->oe_nslots; i++)
		e->oe_slots[i].os_ep = e;
	info->tx_attr->size = attr->xea_send_depth;
	info->rx_attr->size = attr->xea_recv_depth;
	info->tx_attr->iov_limit = attr->xea_max_sge;
	info->rx_attr->iov_limit = attr->xea_max_sge;
	ret = fi_endpoint(of->of_domain, info, &e->oe_ep, e);
	if (ret) {
		ret = xr_fab_err(&of->of_base, -EIO, "fi_endpoint: %s",
				 fi_strerror(-ret));
		goto out_slots;
	}
	ret = fi_ep_bind(e->oe_ep, &of->of_eq->fid, 0);
	if (!ret)
		ret = fi_ep_bind(e->oe_ep, &of->of_cq->fid,
				 FI_TRANSMIT | FI_RECV);
	if (!ret)
		ret = fi_enable(e->oe_ep);
	if (ret) {
		ret = xr_fab_err(&of->of_base, -EIO, "endpoint setup: %s",
				 fi_strerror(-ret));
		goto out_ep;
	}
	of->of_nslots += e->oe_nslots;
	e->oe_next = of->of_eps;
	if (of->of_eps)
		of->of_eps->oe_prev = e;
	of->of_eps = e;
	if (nprepost) {
		ret = xr_post_recvs(&e->oe_base, prepost, nprepost, &posted);
		if (ret) {
			xr_ofi_ep_destroy(&e->oe_base);
			return ret;
		}
	}
	*out = e;
	return 0;

out_ep:
	/* Nothing was posted: the shared CQ holds no entry naming e. */
	fi_close(&e->oe_ep->fid);
out_slots:
	free(e->oe_slots);
	free(e->oe_ring);
	xr_wr_pool_fini(&e->oe_base.xe_wrs);
out_free:
	free(e);
	return ret;
}

static int xr_ofi_accept(struct xr_conn_req *xreq,
			 const struct xr_ep_attr *attr,
			 const struct xr_recv *prepost, uint32_t nprepost,
			 const void *pdata, uint32_t pdata_len, void *ctx,
			 struct xr_ep **out)
{
	struct xr_ofi_req *req =
	    XR_CONTAINER_OF(xreq, struct xr_ofi_req, oq_base);
	struct xr_ofi_fabric *of = req->oq_lis->ol_fab;
	struct xr_ofi_ep *e;
	int ret;

	if (pdata_len > of->of_base.xf_pdata_max) {
		ret = xr_fab_err(&of->of_base, -EMSGSIZE,
				 "accept data %u bytes, limit %u", pdata_len,
				 of->of_base.xf_pdata_max);
		goto out_reject;
	}
	ret = xr_ofi_ep_create(of, req->oq_info, attr, prepost, nprepost, ctx,
			       &e);
	if (ret)
		goto out_reject;
	ret = fi_accept(e->oe_ep, pdata_len ? pdata : NULL, pdata_len);
	if (ret) {
		ret = xr_fab_err(&of->of_base, -EIO, "fi_accept: %s",
				 fi_strerror(-ret));
		xr_ofi_ep_destroy(&e->oe_base);
		goto out_reject;
	}
	fi_freeinfo(req->oq_info);
	free(req);
	*out = &e->oe_base;
	return 0;

out_reject:
	fi_reject(req->oq_lis->ol_pep, req->oq_info->handle, NULL, 0);
	fi_freeinfo(req->oq_info);
	free(req);
	return ret;
}

static int xr_ofi_reject(struct xr_conn_req *xreq, const void *pdata,
			 uint32_t pdata_len)
{
	struct xr_ofi_req *req =
	    XR_CONTAINER_OF(xreq, struct xr_ofi_req, oq_base);
	struct xr_ofi_fabric *of = req->oq_lis->ol_fab;
	int ret = 0;

	if (pdata_len > of->of_base.xf_pdata_max) {
		ret = xr_fab_err(&of->of_base, -EMSGSIZE,
				 "reject data %u bytes, limit %u", pdata_len,
				 of->of_base.xf_pdata_max);
		pdata_len = 0;
	}
	fi_reject(req->oq_lis->ol_pep, req->oq_info->handle,
		  pdata_len ? pdata : NULL, pdata_len);
	fi_freeinfo(req->oq_info);
	free(req);
	return ret;
}

static int xr_ofi_connect(struct xr_fabric *fab, const char *addr,
			  uint16_t port, const struct xr_ep_attr *attr,
			  const struct xr_recv *prepost, uint32_t nprepost,
			  const void *pdata, uint32_t pdata_len, void *ctx,
			  struct xr_ep **out)
{
	struct xr_ofi_fabric *of = ofab(fab);
	struct fi_info *info = NULL;
	struct xr_ofi_ep *e;
	int ret;

	if (pdata_len > fab->xf_pdata_max)
		return xr_fab_err(fab, -EMSGSIZE,
				  "connect data %u bytes, limit %u", pdata_len,
				  fab->xf_pdata_max);
	ret = xr_ofi_getinfo(of, addr, port, 0, &info);
	if (ret)
		return xr_fab_err(fab, -EHOSTUNREACH, "no route to %s:%u: %s",
				  addr, port, fi_strerror(-ret));
	ret = xr_ofi_ep_create(of, info, attr, prepost, nprepost, ctx, &e);
	if (ret)
		goto out_info;
	ret = fi_connect(e->oe_ep, info->dest_addr, pdata_len ? pdata : NULL,
			 pdata_len);
	if (ret) {
		ret = xr_fab_err(fab, ret == -FI_EINVAL ? -EINVAL : -EIO,
				 "fi_connect %s:%u: %s", addr, port,
				 fi_strerror(-ret));
		xr_ofi_ep_destroy(&e->oe_base);
		goto out_info;
	}
	*out = &e->oe_base;
out_info:
	fi_freeinfo(info);
	return ret;
}

/* The connection is over: close the libfabric endpoint, owe one event. */
static void xr_ofi_ep_shut(struct xr_ofi_ep *e, int status)
{
	if (e->oe_state == XR_OFI_CLOSED)
		return;
	e->oe_state = XR_OFI_CLOSED;
	fi_close(&e->oe_ep->fid);
	e->oe_ep = NULL;
	xr_ofi_set_owed(e->oe_fab, e, true);
	e->oe_disconnect_status = status;
	/* What the provider reported for e is in its ring now; poll()
	 * serves it and flushes the rest. */
	xr_ofi_drain(e->oe_fab);
	if (xr_ofi_has_work(e))
		xr_ofi_ready_add(e->oe_fab, e);
}

static int xr_ofi_disconnect(struct xr_ep *ep)
{
	struct xr_ofi_ep *e = oep(ep);

	if (e->oe_state == XR_OFI_CLOSED)
		return -ENOTCONN;
	if (e->oe_state == XR_OFI_CONNECTED)
		fi_shutdown(e->oe_ep, 0);
	xr_ofi_ep_shut(e, 0);
	return 0;
}

static void xr_ofi_ep_destroy(struct xr_ep *ep)
{
	struct xr_ofi_ep *e = oep(ep);
	struct xr_ofi_fabric *of = e->oe_fab;

	if (e->oe_ep) {
		fi_close(&e->oe_ep->fid);
		e->oe_ep = NULL;
		/* No entry naming e may outlive it in the shared CQ. */
		xr_ofi_drain(of);
	}
	xr_ofi_ready_del(of, e);
	xr_ofi_set_owed(of, e, false);
	of->of_nslots -= e->oe_nslots;
	if (e->oe_prev)
		e->oe_prev->oe_next = e->oe_next;
	else if (of->of_eps == e)
		of->of_eps = e->oe_next;
	if (e->oe_next)
		e->oe_next->oe_prev = e->oe_prev;
	xr_wr_pool_fini(&e->oe_base.xe_wrs);
	free(e->oe_slots);
	free(e->oe_ring);
	free(e);
}

struct xr_ofi_try_key {
	struct xr_ofi_fabric *of;
	void *addr;
	size_t len;
	uint64_t access;
	struct fid_mr *mr;
};

static int xr_ofi_try_key(uint32_t key, void *arg)
{
	struct xr_ofi_try_key *t = arg;
	int ret;

	ret = fi_mr_reg(t->of->of_domain, t->addr, t->len, t->access, 0, key, 0,
			&t->mr, NULL);
	if (ret == -FI_ENOKEY)
		return -EEXIST;
	return ret ? -EIO : 0;
}

static int xr_ofi_reg_mr(struct xr_fabric *fab, void *addr, size_t len,
			 unsigned int access, struct xr_mr **out)
{
	struct xr_ofi_fabric *of = ofab(fab);
	struct xr_ofi_try_key t = {.of = of, .addr = addr, .len = len};
	struct xr_ofi_mr *m;
	uint32_t key = 0;
	uint64_t pkey;
	int ret;

	t.access = xr_ofi_access(access);
	if (!addr || !len || !t.access)
		return xr_fab_err(fab, -EINVAL,
				  "register: bad region or access 0x%x",
				  access);
	m = calloc(1, sizeof(*m));
	if (!m)
		return xr_fab_err(fab, -ENOMEM, "register: no memory");
	if (of->of_mr_mode & FI_MR_PROV_KEY) {
		ret = fi_mr_reg(of->of_domain, addr, len, t.access, 0, 0, 0,
				&t.mr, NULL);
		if (ret) {
			ret = xr_fab_err(fab, -EIO, "fi_mr_reg: %s",
					 fi_strerror(-ret));
			goto out_free;
		}
		pkey = fi_mr_key(t.mr);
		if (pkey > UINT32_MAX) {
			ret = xr_fab_err(fab, -EOVERFLOW,
					 "provider key does not fit 32 bits");
			fi_close(&t.mr->fid);
			goto out_free;
		}
		key = (uint32_t)pkey;
	} else {
		ret = xr_pick_random_key(xr_ofi_try_key, &t, &key);
		if (ret) {
			ret = xr_fab_err(fab, ret, "fi_mr_reg: %s",
					 ret == -EEXIST ? "no free key"
							: "failed");
			goto out_free;
		}
	}
	m->om_base.mrg_fabric = fab;
	m->om_fab = of;
	m->om_mr = t.mr;
	m->om_desc = fi_mr_desc(t.mr);
	m->om_start = (uintptr_t)addr;
	m->om_key = key;
	m->om_next = of->of_mrs;
	if (of->of_mrs)
		of->of_mrs->om_prev = m;
	of->of_mrs = m;
	*out = &m->om_base;
	return 0;

out_free:
	free(m);
	return ret;
}

static void xr_ofi_dereg_mr(struct xr_mr *mr)
{
	struct xr_ofi_mr *m = omr(mr);
	struct xr_ofi_fabric *of = m->om_fab;

	fi_close(&m->om_mr->fid);
	if (m->om_prev)
		m->om_prev->om_next = m->om_next;
	else if (of->of_mrs == m)
		of->of_mrs = m->om_next;
	if (m->om_next)
		m->om_next->om_prev = m->om_prev;
	free(m);
}

static uint32_t xr_ofi_mr_handle(const struct xr_mr *mr)
{
	return comr(mr)->om_key;
}

static uint64_t xr_ofi_mr_wire_offset(const struct xr_mr *mr, const void *addr)
{
	const struct xr_ofi_mr *m = comr(mr);

	if (m->om_fab->of_mr_mode & FI_MR_VIRT_ADDR)
		return (uintptr_t)addr;
	return (uintptr_t)addr - m->om_start;
}

/*
 * Fill iov/desc from sges; returns the total length or -EINVAL.  With
 * plain (the fabric's xf_local_noreg, never for receives) an sge may
 * carry no region: its descriptor is NULL, which a provider without
 * FI_MR_LOCAL accepts.
 */
static int64_t xr_ofi_iov(const struct xr_sge *sge, uint32_t nsge, bool plain,
			  struct iovec *iov, void **desc)
{
	int64_t total = 0;
	uint32_t i;

	if (!nsge || nsge > XR_MAX_SGE)
		return -EINVAL;
	for (i = 0; i < nsge; i++) {
		if ((!sge[i].ge_mr && !plain) || !sge[i].ge_addr)
			return -EINVAL;
		iov[i].iov_base = sge[i].ge_addr;
		iov[i].iov_len = sge[i].ge_len;
		desc[i] = sge[i].ge_mr ? omr(sge[i].ge_mr)->om_desc : NULL;
		total += sge[i].ge_len;
	}
	return total;
}

static int xr_ofi_post_err(struct xr_ofi_ep *e, ssize_t ret, const char *op)
{
	if (ret == -FI_EAGAIN)
		return -ENOSPC;
	return xr_fab_err(&e->oe_fab->of_base, -EIO, "%s: %s", op,
			  fi_strerror((int)-ret));
}

static int xr_ofi_post_recvs(struct xr_ep *ep, const struct xr_recv *recvs,
			     uint32_t n, uint32_t *posted)
{
	struct xr_ofi_ep *e = oep(ep);
	struct iovec iov[XR_MAX_SGE];
	void *desc[XR_MAX_SGE];
	struct fi_msg msg;
	struct xr_wr *wr;
	uint32_t i;
	ssize_t ret;

	*posted = 0;
	if (e->oe_state == XR_OFI_CLOSED)
		return -ENOTCONN;
	for (i = 0; i < n; i++) {
		if (xr_ofi_iov(recvs[i].rcv_sge, recvs[i].rcv_nsge, false, iov,
			       desc) < 0)
			return -EINVAL;
		wr = xr_wr_get(&ep->xe_wrs, XR_OP_RECV, recvs[i].rcv_ctx);
		if (!wr)
			return -ENOSPC;
		msg = (struct fi_msg){.msg_iov = iov,
				      .desc = desc,
				      .iov_count = recvs[i].rcv_nsge,
				      .context = xr_ofi_ctx(e, wr)};
		ret = fi_recvmsg(e->oe_ep, &msg, FI_COMPLETION);
		if (ret) {
			xr_wr_put(&ep->xe_wrs, wr);
			return xr_ofi_post_err(e, ret, "fi_recvmsg");
		}
		(*posted)++;
	}
	return 0;
}

static int xr_ofi_post_send(struct xr_ep *ep, const struct xr_sge *sge,
			    uint32_t nsge, bool invalidate, uint32_t inv_handle,
			    void *ctx)
{
	struct xr_ofi_ep *e = oep(ep);
	struct iovec iov[XR_MAX_SGE];
	void *desc[XR_MAX_SGE];
	struct fi_msg msg;
	struct xr_wr *wr;
	ssize_t ret;

	if (invalidate)
		return -EOPNOTSUPP;
	if (e->oe_state == XR_OFI_CLOSED)
		return -ENOTCONN;
	if (xr_ofi_iov(sge, nsge, e->oe_fab->of_base.xf_local_noreg, iov,
		       desc) < 0)
		return -EINVAL;
	wr = xr_wr_get(&ep->xe_wrs, XR_OP_SEND, ctx);
	if (!wr)
		return -ENOSPC;
	msg = (struct fi_msg){.msg_iov = iov,
			      .desc = desc,
			      .iov_count = nsge,
			      .context = xr_ofi_ctx(e, wr)};
	ret = fi_sendmsg(e->oe_ep, &msg, FI_COMPLETION);
	if (ret) {
		xr_wr_put(&ep->xe_wrs, wr);
		return xr_ofi_post_err(e, ret, "fi_sendmsg");
	}
	return 0;
}

static int xr_ofi_post_rma(struct xr_ep *ep, enum xr_op op,
			   const struct xr_sge *sge, uint32_t nsge,
			   uint64_t remote_offset, uint32_t remote_handle,
			   void *ctx)
{
	struct xr_ofi_ep *e = oep(ep);
	struct iovec iov[XR_MAX_SGE];
	void *desc[XR_MAX_SGE];
	struct fi_rma_iov rma;
	struct fi_msg_rma msg;
	struct xr_wr *wr;
	int64_t total;
	ssize_t ret;

	if (e->oe_state == XR_OFI_CLOSED)
		return -ENOTCONN;
	total =
	    xr_ofi_iov(sge, nsge, e->oe_fab->of_base.xf_local_noreg, iov, desc);
	if (total < 0)
		return -EINVAL;
	wr = xr_wr_get(&ep->xe_wrs, op, ctx);
	if (!wr)
		return -ENOSPC;
	rma = (struct fi_rma_iov){
	    .addr = remote_offset, .len = (size_t)total, .key = remote_handle};
	msg = (struct fi_msg_rma){.msg_iov = iov,
				  .desc = desc,
				  .iov_count = nsge,
				  .rma_iov = &rma,
				  .rma_iov_count = 1,
				  .context = xr_ofi_ctx(e, wr)};
	if (op == XR_OP_WRITE)
		ret = fi_writemsg(e->oe_ep, &msg, FI_COMPLETION);
	else
		ret = fi_readmsg(e->oe_ep, &msg, FI_COMPLETION);
	if (ret) {
		xr_wr_put(&ep->xe_wrs, wr);
		return xr_ofi_post_err(
		    e, ret, op == XR_OP_WRITE ? "fi_write" : "fi_read");
	}
	return 0;
}

static int xr_ofi_post_write(struct xr_ep *ep, const struct xr_sge *sge,
			     uint32_t nsge, uint64_t remote_offset,
			     uint32_t remote_handle, void *ctx)
{
	return xr_ofi_post_rma(ep, XR_OP_WRITE, sge, nsge, remote_offset,
			       remote_handle, ctx);
}

static int xr_ofi_post_read(struct xr_ep *ep, const struct xr_sge *sge,
			    uint32_t nsge, uint64_t remote_offset,
			    uint32_t remote_handle, void *ctx)
{
	return xr_ofi_post_rma(ep, XR_OP_READ, sge, nsge, remote_offset,
			       remote_handle, ctx);
}

static int xr_ofi_wait_fd(struct xr_fabric *fab)
{
	return ofab(fab)->of_epfd;
}

/*
 * Before sleeping: nothing for poll() (no ring entry, no flush, no owed
 * event), one more progress pass over the shared CQ, then fi_trywait().
 * The extra pass was measured on 1.17 tcp: after a pass that served
 * incoming RMA, fi_trywait() may allow sleeping while the provider still
 * holds work (RDMA Read answers then stall until the next packet: 4 KiB
 * reads fell from ~600 to ~20 MB/s).  O(1) in the number of endpoints.
 */
static int xr_ofi_arm(struct xr_fabric *fab)
{
	struct xr_ofi_fabric *of = ofab(fab);
	struct fid *fids[2];
	bool drained;
	int ret;

	if (of->of_ready_head || of->of_owed)
		return -EAGAIN;
	ret = xr_ofi_fill(of, XR_OFI_POLL_BATCH, &drained);
	if (ret < 0)
		return -EIO;
	if (ret > 0)
		return -EAGAIN;
	fids[0] = &of->of_eq->fid;
	fids[1] = &of->of_cq->fid;
	ret = fi_trywait(of->of_fabric, fids, 2);
	if (ret)
		return ret == -FI_EAGAIN ? -EAGAIN : -EIO;
	return 0;
}

/*
 * Up to max of e's completions: its ring in the order the CQ gave them,
 * then, once closed and the ring is empty, the slots the provider will
 * never report, with -ECANCELED.
 */
static int xr_ofi_serve(struct xr_ofi_ep *e, struct xr_completion *out, int max)
{
	struct xr_wr_pool *pool = &e->oe_base.xe_wrs;
	struct xr_ofi_slot *s;
	uint32_t idx;
	int n = 0;

	while (n < max && e->oe_ring_count) {
		idx = e->oe_ring[e->oe_ring_head];
		e->oe_ring_head = (e->oe_ring_head + 1) % e->oe_nslots;
		e->oe_ring_count--;
		s = &e->oe_slots[idx];
		s->os_done = false;
		xr_wr_complete(&e->oe_base, &pool->xp_slots[idx], s->os_status,
			       s->os_len, &out[n++]);
	}
	if (e->oe_state == XR_OFI_CLOSED && !e->oe_ring_count && n < max)
		n += xr_wr_flush(&e->oe_base, &out[n], max - n);
	return n;
}

/*
 * Fill the rings from the shared CQ (at most XR_OFI_FILL_MAX entries),
 * then serve the ready endpoints in list order, each at most its share of
 * @max; one that still has work goes to the end of the list, so the next
 * call starts with the next endpoint: a peer that floods its queue cannot
 * fill every batch while others wait.
 */
static int xr_ofi_poll(struct xr_fabric *fab, struct xr_completion *out,
		       int max)
{
	struct xr_ofi_fabric *of = ofab(fab);
	struct xr_ofi_ep *e;
	uint32_t turns;
	bool drained;
	int n = 0, ret, share;

	ret = xr_ofi_fill(of, XR_OFI_FILL_MAX, &drained);
	if (ret < 0 && !of->of_ready_head)
		return xr_fab_err(fab, ret, "fi_cq_read");
	if (!of->of_nready)
		return 0;
	share = xr_fab_poll_share(max, of->of_nready);
	for (turns = of->of_nready; turns && n < max; turns--) {
		e = of->of_ready_head;
		xr_ofi_ready_del(of, e);
		n +=
		    xr_ofi_serve(e, &out[n], max - n < share ? max - n : share);
		if (xr_ofi_has_work(e))
			xr_ofi_ready_add(of, e);
	}
	return n;
}

static void xr_ofi_event_ep(struct xr_event *ev, enum xr_event_type type,
			    struct xr_ofi_ep *e, int status)
{
	ev->xv_type = type;
	ev->xv_ep = &e->oe_base;
	ev->xv_status = status;
}

/* An error entry on the event queue. */
static int xr_ofi_eq_error(struct xr_ofi_fabric *of, struct xr_event *ev)
{
	struct fi_eq_err_entry err = {0};
	struct xr_ofi_ep *e;
	ssize_t ret;

	ret = fi_eq_readerr(of->of_eq, &err, 0);
	if (ret < 0)
		return ret == -FI_EAGAIN ? -EAGAIN : -EIO;
	if (!err.fid || !err.fid->context || err.fid->fclass != FI_CLASS_EP)
		return -EAGAIN; /* listener trouble: nothing to report */
	e = err.fid->context;
	if (e->oe_state == XR_OFI_CONNECTING) {
		/* A refused connect shows up with ECONNREFUSED or 115. */
		bool refused =
		    err.err == FI_ECONNREFUSED || err.err == EINPROGRESS;
		xr_ofi_ep_shut(e, refused ? -ECONNREFUSED : -EIO);
		xr_ofi_set_owed(of, e, false);
		xr_ofi_event_ep(ev, refused ? XR_EV_REJECTED : XR_EV_ERROR, e,
				refused ? -ECONNREFUSED : -EIO);
		return 0;
	}
	xr_ofi_ep_shut(e, -EIO);
	xr_ofi_set_owed(of, e, false);
	xr_ofi_event_ep(ev, XR_EV_ERROR, e, -EIO);
	return 0;
}

static int xr_ofi_get_event(struct xr_fabric *fab, struct xr_event *ev)
{
	struct xr_ofi_fabric *of = ofab(fab);
	/* A CM entry followed by up to XR_PDATA_MAX bytes of data. */
	uint64_t raw[(sizeof(struct fi_eq_cm_entry) + XR_PDATA_MAX) / 8 + 1];
	struct fi_eq_cm_entry *ent = (struct fi_eq_cm_entry *)raw;
	struct xr_ofi_listener *l;
	struct xr_ofi_req *req;
	struct xr_ofi_ep *e;
	uint32_t event;
	ssize_t ret, dlen;

	memset(ev, 0, sizeof(*ev));
	for (e = of->of_owed ? of->of_eps : NULL; e; e = e->oe_next)
		if (e->oe_report_disconnect) {
			xr_ofi_set_owed(of, e, false);
			xr_ofi_event_ep(ev, XR_EV_DISCONNECTED, e,
					e->oe_disconnect_status);
			return 0;
		}
	for (;;) {
		ret = fi_eq_read(of->of_eq, &event, raw, sizeof(raw), 0);
		if (ret == -FI_EAGAIN)
			return -EAGAIN;
		if (ret == -FI_EAVAIL) {
			ret = xr_ofi_eq_error(of, ev);
			if (ret == -EAGAIN)
				continue;
			return (int)ret;
		}
		if (ret < 0)
			return xr_fab_err(fab, -EIO, "fi_eq_read: %s",
					  fi_strerror((int)-ret));
		dlen = ret - (ssize_t)sizeof(*ent);
		if (dlen < 0)
			dlen = 0;
		switch (event) {
		case FI_CONNREQ:
			l = ent->fid->context;
			req = calloc(1, sizeof(*req));
			if (!req) {
				fi_reject(l->ol_pep, ent->info->handle, NULL,
					  0);
				fi_freeinfo(ent->info);
				return xr_fab_err(fab, -ENOMEM,
						  "connect request: no memory");
			}
			req->oq_base.xq_fabric = fab;
			req->oq_lis = l;
			req->oq_info = ent->info;
			/* The provider names the requester in dest_addr. */
			if (ent->info->dest_addr && ent->info->dest_addrlen &&
			    ent->info->dest_addrlen <= sizeof(ev->xv_peer))
				memcpy(&ev->xv_peer, ent->info->dest_addr,
				       ent->info->dest_addrlen);
			ev->xv_type = XR_EV_CONNECT_REQUEST;
			ev->xv_listener = &l->ol_base;
			ev->xv_req = &req->oq_base;
			break;
		case FI_CONNECTED:
			e = ent->fid->context;
			if (e->oe_state != XR_OFI_CONNECTING)
				continue;
			e->oe_state = XR_OFI_CONNECTED;
			xr_ofi_event_ep(ev, XR_EV_ESTABLISHED, e, 0);
			break;
		case FI_SHUTDOWN:
			e = ent->fid->context;
			if (e->oe_state == XR_OFI_CLOSED)
				continue;
			xr_ofi_ep_shut(e, -ECONNRESET);
			xr_ofi_set_owed(of, e, false);
			xr_ofi_event_ep(ev, XR_EV_DISCONNECTED, e, -ECONNRESET);
			dlen = 0;
			break;
		default:
			continue;
		}
		ev->xv_pdata_len = (uint32_t)dlen;
		if (dlen > XR_PDATA_MAX)
			dlen = XR_PDATA_MAX;
		memcpy(ev->xv_pdata, ent->data, (size_t)dlen);
		return 0;
	}
}

static int xr_ofi_ep_addrs(struct xr_ep *base, struct sockaddr_storage *local,
			   struct sockaddr_storage *peer)
{
	struct xr_ofi_ep *ep = XR_CONTAINER_OF(base, struct xr_ofi_ep, oe_base);
	size_t len;

	if (!ep->oe_ep)
		return -ENOTCONN;
	if (local) {
		memset(local, 0, sizeof(*local));
		len = sizeof(*local);
		if (fi_getname(&ep->oe_ep->fid, local, &len))
			return -EIO;
	}
	if (peer) {
		memset(peer, 0, sizeof(*peer));
		len = sizeof(*peer);
		if (fi_getpeer(ep->oe_ep, peer, &len))
			return -EIO;
	}
	return 0;
}

const struct xr_fabric_ops xr_fabric_ops_ofi = {
    .name = "ofi",
    /* sockets: any thread, any credentials */
    .caps = XR_CAP_POST_ANY_THREAD,
    .open = xr_ofi_open,
    .close = xr_ofi_close,
    .listen = xr_ofi_listen,
    .listener_port = xr_ofi_listener_port,
    .listener_close = xr_ofi_listener_close,
    .accept = xr_ofi_accept,
    .reject = xr_ofi_reject,
    .connect = xr_ofi_connect,
    .disconnect = xr_ofi_disconnect,
    .ep_addrs = xr_ofi_ep_addrs,
    .ep_destroy = xr_ofi_ep_destroy,
    .reg_mr = xr_ofi_reg_mr,
    .dereg_mr = xr_ofi_dereg_mr,
    .mr_handle = xr_ofi_mr_handle,
    .mr_wire_offset = xr_ofi_mr_wire_offset,
    .post_recvs = xr_ofi_post_recvs,
    .post_send = xr_ofi_post_send,
    .post_write = xr_ofi_post_write,
    .post_read = xr_ofi_post_read,
    .wait_fd = xr_ofi_wait_fd,
    .arm = xr_ofi_arm,
    .poll = xr_ofi_poll,
    .get_event = xr_ofi_get_event,
};
