/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The verbs backend: the fabric seam on rdma-core (librdmacm for
 * connections, libibverbs for queues and memory).  How this works:
 *
 * - open: the device is the one owning the local address (or the first
 *   device); one protection domain, one completion channel and one
 *   rdma_cm event channel per fabric.  The fabric's wait descriptor is an
 *   epoll set over the two channels, the device's async event descriptor
 *   (QP errors, device failure) and a timer (all non-blocking).
 * - Each endpoint is one RC queue pair with its own CQ (sized recv depth +
 *   send depth) on the shared completion channel; the CQ's context is the
 *   endpoint.  Every work request is signaled; wr_id is a slot from the
 *   endpoint's preallocated pool, which knows the operation and the
 *   caller's context even for error completions.
 * - connect resolves address and route synchronously (an id without a
 *   channel), creates the QP, posts the caller's receives, then moves the id
 *   to the fabric's event channel and connects: the outcome is an event.
 * - arm() requests CQ notification, then peeks one completion per CQ into
 *   a one-entry stash so a completion that raced the request is not slept
 *   on.
 * - When a connection ends the QP is moved to the error state, so every
 *   outstanding work request completes as a flush (-ECANCELED); what is
 *   still missing a second later is completed by us (a timerfd in the wait
 *   set wakes the caller for it).
 * - Private data is capped at 56 bytes in connect, accept and reject: the
 *   smallest room rdma_cm leaves on InfiniBand/RoCE (a CM REQ); siw
 *   (iWARP) allows more, but one limit keeps upper layers portable.
 * - Memory: ibv_reg_mr with exactly the access asked for; verbs requires
 *   local write whenever remote write is granted.  The handle is the rkey,
 *   the wire offset the virtual address.  Registered memory is pinned and
 *   charged against RLIMIT_MEMLOCK, which open raises as far as the
 *   process may (xr_vb_raise_memlock).
 */
#include "xr_fabric_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#define XR_VB_PDATA 56
#define XR_VB_RESOLVE_MS 2000
#define XR_VB_POLL_BATCH 32
#define XR_VB_ACK_BATCH 64
/* How long a closed connection may take to flush before we do it. */
#define XR_VB_FLUSH_GRACE_MS 1000

enum xr_vb_kind { XR_VB_LISTENER = 1, XR_VB_EP };

enum xr_vb_state {
	XR_VB_CONNECTING,
	XR_VB_CONNECTED,
	XR_VB_CLOSED,
};

struct xr_vb_fabric {
	struct xr_fabric vf_base;
	struct ibv_context **vf_devs; /* from rdma_get_devices */
	struct ibv_context *vf_ctx;
	struct ibv_device_attr vf_dattr;
	struct ibv_pd *vf_pd;
	struct ibv_comp_channel *vf_cc;
	struct rdma_event_channel *vf_ch;
	struct sockaddr_in vf_src;
	bool vf_have_src;
	int vf_epfd;
	int vf_timerfd; /* wakes the caller when a flush grace ends */
	struct xr_vb_ep *vf_eps;
	uint32_t vf_poll_turn; /* endpoint poll() starts with */
	struct xr_vb_listener *vf_lis;
	struct xr_vb_mr *vf_mrs;
};

struct xr_vb_listener {
	enum xr_vb_kind vl_kind; /* first: cm id contexts are told apart */
	struct xr_listener vl_base;
	struct xr_vb_fabric *vl_fab;
	struct rdma_cm_id *vl_id;
	struct xr_vb_listener *vl_next;
};

struct xr_vb_req {
	struct xr_conn_req vq_base;
	struct xr_vb_fabric *vq_fab;
	struct rdma_cm_id *vq_id;
	uint8_t vq_initiator_depth;
	uint8_t vq_responder_resources;
};

struct xr_vb_ep {
	enum xr_vb_kind ve_kind;
	struct xr_ep ve_base;
	struct xr_vb_fabric *ve_fab;
	struct rdma_cm_id *ve_id;
	struct ibv_cq *ve_cq;
	enum xr_vb_state ve_state;
	uint32_t ve_max_sge;
	uint32_t ve_read_depth;
	unsigned int ve_cq_unacked;
	bool ve_has_stash;
	long ve_closed_ms; /* when the connection ended (monotonic) */
	bool ve_end_told;  /* the caller got its one end-of-connection event */
	struct ibv_wc ve_stash;
	struct xr_vb_ep *ve_prev, *ve_next;
};

struct xr_vb_mr {
	struct xr_mr vm_base;
	struct xr_vb_fabric *vm_fab;
	struct ibv_mr *vm_mr;
	struct xr_vb_mr *vm_prev, *vm_next;
};

static struct xr_vb_fabric *vfab(struct xr_fabric *fab)
{
	return XR_CONTAINER_OF(fab, struct xr_vb_fabric, vf_base);
}

static struct xr_vb_ep *vep(struct xr_ep *ep)
{
	return XR_CONTAINER_OF(ep, struct xr_vb_ep, ve_base);
}

static struct xr_vb_mr *vmr(struct xr_mr *mr)
{
	return XR_CONTAINER_OF(mr, struct xr_vb_mr, vm_base);
}

static const struct xr_vb_mr *cvmr(const struct xr_mr *mr)
{
	return XR_CONTAINER_OF(mr, const struct xr_vb_mr, vm_base);
}

/* ibv access flags for enum xr_access bits; -1 if invalid. */
static int xr_vb_access(unsigned int access)
{
	int va = 0;

	if (!access ||
	    access & ~(unsigned int)(XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_READ |
				     XR_ACCESS_REMOTE_WRITE))
		return -1;
	if (access & XR_ACCESS_LOCAL)
		va |= IBV_ACCESS_LOCAL_WRITE;
	if (access & XR_ACCESS_REMOTE_READ)
		va |= IBV_ACCESS_REMOTE_READ;
	if (access & XR_ACCESS_REMOTE_WRITE)
		va |= IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_LOCAL_WRITE;
	return va;
}

/* Status of a work completion as the seam reports it. */
static int xr_vb_status(enum ibv_wc_status st)
{
	switch (st) {
	case IBV_WC_SUCCESS:
		return 0;
	case IBV_WC_WR_FLUSH_ERR:
		return -ECANCELED;
	case IBV_WC_LOC_PROT_ERR:
	case IBV_WC_LOC_ACCESS_ERR:
	case IBV_WC_REM_ACCESS_ERR:
	case IBV_WC_REM_INV_REQ_ERR:
	case IBV_WC_MW_BIND_ERR:
		return -EACCES;
	default:
		return -EIO;
	}
}

static int xr_vb_parse_addr(const char *addr, uint16_t port,
			    struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (!addr || !*addr)
		return 0;
	return inet_pton(AF_INET, addr, &sin->sin_addr) == 1 ? 0 : -EINVAL;
}

static int xr_vb_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static void xr_vb_close(struct xr_fabric *fab);

/* Find the device of the local address (or the first one). */
static int xr_vb_pick_device(struct xr_vb_fabric *vf, const char *addr,
			     char *errbuf, size_t errlen)
{
	struct rdma_cm_id *id;
	int n = 0, ret;

	vf->vf_devs = rdma_get_devices(&n);
	if (!vf->vf_devs || n == 0)
		return xr_buf_err(errbuf, errlen, "verbs", -ENODEV,
				  "no RDMA device on this host");
	if (!addr) {
		vf->vf_ctx = vf->vf_devs[0];
		return 0;
	}
	if (xr_vb_parse_addr(addr, 0, &vf->vf_src))
		return xr_buf_err(errbuf, errlen, "verbs", -EINVAL,
				  "bad IPv4 address \"%s\"", addr);
	if (rdma_create_id(NULL, &id, NULL, RDMA_PS_TCP))
		return xr_buf_err(errbuf, errlen, "verbs", -ENODEV,
				  "rdma_create_id: %s", strerror(errno));
	ret = rdma_bind_addr(id, (struct sockaddr *)&vf->vf_src);
	if (ret || !id->verbs) {
		rdma_destroy_id(id);
		return xr_buf_err(errbuf, errlen, "verbs", -EADDRNOTAVAIL,
				  "address %s is on no RDMA device", addr);
	}
	vf->vf_ctx = id->verbs;
	vf->vf_have_src = true;
	rdma_destroy_id(id);
	return 0;
}

/*
 * Every registration pins its pages, and the kernel charges them against
 * RLIMIT_MEMLOCK.  rxe (through ib_umem_get) lets a process holding
 * CAP_IPC_LOCK - root - past the limit; siw does not: it checks each
 * registration against the limit, root's too, whose default is 8 MiB
 * (the kernel's and systemd's).  The session client registers each
 * WRITE's payload and each READ's destination while the call is in
 * flight, so a gateway with seven 1 MiB WRITEs in flight beside its own
 * buffers crossed it, and its registrations failed with ENOMEM (issue
 * #17).  So the limit is raised once, as far as this process may: to
 * unlimited when it may raise the hard limit (CAP_SYS_RESOURCE), else the
 * soft limit to the hard one.  It is never lowered; a process the hard
 * limit still binds gets ENOMEM from reg_mr, with a hint.
 */
static void xr_vb_raise_memlock(void)
{
	static const struct rlimit all = {RLIM_INFINITY, RLIM_INFINITY};
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return;
	if (setrlimit(RLIMIT_MEMLOCK, &all) == 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_MEMLOCK, &rl);
	}
}

static int xr_vb_open(const struct xr_fabric_params *params,
		      struct xr_fabric **out, char *errbuf, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct xr_vb_fabric *vf;
	int ret;

	vf = calloc(1, sizeof(*vf));
	if (!vf)
		return xr_buf_err(errbuf, errlen, "verbs", -ENOMEM,
				  "no memory");
	xr_vb_raise_memlock();
	vf->vf_base.xf_ops = &xr_fabric_ops_verbs;
	vf->vf_base.xf_pdata_max = XR_VB_PDATA;
	vf->vf_epfd = -1;
	vf->vf_timerfd = -1;
	ret = xr_vb_pick_device(vf, params->xfp_local_addr, errbuf, errlen);
	if (ret)
		goto out_close;
	if (ibv_query_device(vf->vf_ctx, &vf->vf_dattr)) {
		ret = xr_buf_err(
		    errbuf, errlen, "verbs", -EIO, "ibv_query_device(%s): %s",
		    ibv_get_device_name(vf->vf_ctx->device), strerror(errno));
		goto out_close;
	}
	vf->vf_pd = ibv_alloc_pd(vf->vf_ctx);
	vf->vf_cc = ibv_create_comp_channel(vf->vf_ctx);
	vf->vf_ch = rdma_create_event_channel();
	if (!vf->vf_pd || !vf->vf_cc || !vf->vf_ch) {
		ret = xr_buf_err(errbuf, errlen, "verbs", -EIO,
				 "%s: protection domain / channels: %s",
				 ibv_get_device_name(vf->vf_ctx->device),
				 strerror(errno));
		goto out_close;
	}
	vf->vf_timerfd = -1;
	vf->vf_epfd = epoll_create1(EPOLL_CLOEXEC);
	ret = vf->vf_epfd < 0 ? -errno : 0;
	if (!ret) {
		vf->vf_timerfd =
		    timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		ret = vf->vf_timerfd < 0 ? -errno : 0;
	}
	if (!ret && epoll_ctl(vf->vf_epfd, EPOLL_CTL_ADD, vf->vf_timerfd, &ev))
		ret = -errno;
	if (!ret)
		ret = xr_vb_nonblock(vf->vf_cc->fd);
	if (!ret)
		ret = xr_vb_nonblock(vf->vf_ch->fd);
	if (!ret && epoll_ctl(vf->vf_epfd, EPOLL_CTL_ADD, vf->vf_cc->fd, &ev))
		ret = -errno;
	if (!ret)
		ret = xr_vb_nonblock(vf->vf_ctx->async_fd);
	if (!ret &&
	    epoll_ctl(vf->vf_epfd, EPOLL_CTL_ADD, vf->vf_ctx->async_fd, &ev))
		ret = -errno;
	if (!ret && epoll_ctl(vf->vf_epfd, EPOLL_CTL_ADD, vf->vf_ch->fd, &ev))
		ret = -errno;
	if (ret) {
		xr_buf_err(errbuf, errlen, "verbs", ret, "wait set: %s",
			   strerror(-ret));
		goto out_close;
	}
	*out = &vf->vf_base;
	return 0;

out_close:
	xr_vb_close(&vf->vf_base);
	return ret;
}

static void xr_vb_ep_destroy(struct xr_ep *ep);
static void xr_vb_listener_close(struct xr_listener *l);
static void xr_vb_dereg_mr(struct xr_mr *mr);

static void xr_vb_close(struct xr_fabric *fab)
{
	struct xr_vb_fabric *vf = vfab(fab);

	while (vf->vf_eps)
		xr_vb_ep_destroy(&vf->vf_eps->ve_base);
	while (vf->vf_lis)
		xr_vb_listener_close(&vf->vf_lis->vl_base);
	while (vf->vf_mrs)
		xr_vb_dereg_mr(&vf->vf_mrs->vm_base);
	if (vf->vf_epfd >= 0)
		close(vf->vf_epfd);
	if (vf->vf_timerfd >= 0)
		close(vf->vf_timerfd);
	if (vf->vf_ch)
		rdma_destroy_event_channel(vf->vf_ch);
	if (vf->vf_cc)
		ibv_destroy_comp_channel(vf->vf_cc);
	if (vf->vf_pd)
		ibv_dealloc_pd(vf->vf_pd);
	if (vf->vf_devs)
		rdma_free_devices(vf->vf_devs);
	free(vf);
}

static int xr_vb_listen(struct xr_fabric *fab, const char *addr, uint16_t port,
			int backlog, struct xr_listener **out)
{
	struct xr_vb_fabric *vf = vfab(fab);
	struct xr_vb_listener *l;
	struct sockaddr_in sin;
	int ret;

	if (xr_vb_parse_addr(addr, port, &sin))
		return xr_fab_err(fab, -EINVAL, "bad IPv4 address \"%s\"",
				  addr);
	l = calloc(1, sizeof(*l));
	if (!l)
		return xr_fab_err(fab, -ENOMEM, "listener: no memory");
	l->vl_kind = XR_VB_LISTENER;
	l->vl_base.xl_fabric = fab;
	l->vl_fab = vf;
	if (rdma_create_id(vf->vf_ch, &l->vl_id, l, RDMA_PS_TCP)) {
		ret = xr_fab_err(fab, -EIO, "rdma_create_id: %s",
				 strerror(errno));
		goto out_free;
	}
	if (rdma_bind_addr(l->vl_id, (struct sockaddr *)&sin)) {
		ret = -errno;
		ret = xr_fab_err(
		    fab, ret == -EADDRINUSE ? -EADDRINUSE : -EADDRNOTAVAIL,
		    "bind %s:%u: %s", addr ? addr : "*", port, strerror(-ret));
		goto out_id;
	}
	if (rdma_listen(l->vl_id, backlog > 0 ? backlog : 128)) {
		ret = xr_fab_err(fab, errno == EADDRINUSE ? -EADDRINUSE : -EIO,
				 "listen %s:%u: %s", addr ? addr : "*", port,
				 strerror(errno));
		goto out_id;
	}
	l->vl_next = vf->vf_lis;
	vf->vf_lis = l;
	*out = &l->vl_base;
	return 0;

out_id:
	rdma_destroy_id(l->vl_id);
out_free:
	free(l);
	return ret;
}

static uint16_t xr_vb_listener_port(struct xr_listener *xl)
{
	struct xr_vb_listener *l =
	    XR_CONTAINER_OF(xl, struct xr_vb_listener, vl_base);

	return ntohs(rdma_get_src_port(l->vl_id));
}

static void xr_vb_listener_close(struct xr_listener *xl)
{
	struct xr_vb_listener *l =
	    XR_CONTAINER_OF(xl, struct xr_vb_listener, vl_base);
	struct xr_vb_listener **pp;

	for (pp = &l->vl_fab->vf_lis; *pp; pp = &(*pp)->vl_next)
		if (*pp == l) {
			*pp = l->vl_next;
			break;
		}
	rdma_destroy_id(l->vl_id);
	free(l);
}

static int xr_vb_check_attr(struct xr_vb_fabric *vf,
			    const struct xr_ep_attr *attr)
{
	const struct ibv_device_attr *d = &vf->vf_dattr;

	if (!attr || !attr->xea_recv_depth || !attr->xea_send_depth ||
	    !attr->xea_max_sge || attr->xea_max_sge > XR_MAX_SGE)
		return xr_fab_err(&vf->vf_base, -EINVAL,
				  "bad endpoint attributes");
	if (attr->xea_recv_depth > (uint32_t)d->max_qp_wr ||
	    attr->xea_send_depth > (uint32_t)d->max_qp_wr ||
	    attr->xea_recv_depth + attr->xea_send_depth >
		(uint32_t)d->max_cqe ||
	    attr->xea_max_sge > (uint32_t)d->max_sge)
		return xr_fab_err(&vf->vf_base, -EINVAL,
				  "%s allows %d work requests, %d CQEs, %d "
				  "sges; asked %u+%u, %u",
				  ibv_get_device_name(vf->vf_ctx->device),
				  d->max_qp_wr, d->max_cqe, d->max_sge,
				  attr->xea_recv_depth, attr->xea_send_depth,
				  attr->xea_max_sge);
	return 0;
}

static void xr_vb_ep_link(struct xr_vb_fabric *vf, struct xr_vb_ep *e)
{
	e->ve_next = vf->vf_eps;
	if (vf->vf_eps)
		vf->vf_eps->ve_prev = e;
	vf->vf_eps = e;
}

/*
 * Give id (already bound to our device) a CQ and an RC QP sized by attr,
 * and post the receives.  On failure the QP and CQ are gone again and id
 * is left to the caller.
 */
static int xr_vb_ep_create(struct xr_vb_fabric *vf, struct rdma_cm_id *id,
			   const struct xr_ep_attr *attr,
			   const struct xr_recv *prepost, uint32_t nprepost,
			   void *ctx, struct xr_vb_ep **out)
{
	struct ibv_qp_init_attr qa;
	struct xr_vb_ep *e;
	uint32_t posted;
	int ret;

	ret = xr_vb_check_attr(vf, attr);
	if (ret)
		return ret;
	if (id->verbs != vf->vf_ctx)
		return xr_fab_err(&vf->vf_base, -EXDEV,
				  "connection uses device %s, fabric is on %s",
				  id->verbs
				      ? ibv_get_device_name(id->verbs->device)
				      : "(none)",
				  ibv_get_device_name(vf->vf_ctx->device));
	e = calloc(1, sizeof(*e));
	if (!e)
		return xr_fab_err(&vf->vf_base, -ENOMEM, "endpoint: no memory");
	e->ve_kind = XR_VB_EP;
	e->ve_base.xe_fabric = &vf->vf_base;
	e->ve_base.xe_ctx = ctx;
	e->ve_fab = vf;
	e->ve_state = XR_VB_CONNECTING;
	e->ve_max_sge = attr->xea_max_sge;
	e->ve_read_depth = attr->xea_rdma_read_depth;
	ret = xr_wr_pool_init(&e->ve_base.xe_wrs, attr->xea_recv_depth,
			      attr->xea_send_depth);
	if (ret) {
		ret = xr_fab_err(&vf->vf_base, ret, "endpoint slots: %s",
				 strerror(-ret));
		goto out_free;
	}
	e->ve_cq = ibv_create_cq(
	    vf->vf_ctx, (int)(attr->xea_recv_depth + attr->xea_send_depth), e,
	    vf->vf_cc, 0);
	if (!e->ve_cq) {
		ret = xr_fab_err(&vf->vf_base, -ENOMEM, "ibv_create_cq: %s",
				 strerror(errno));
		goto out_pool;
	}
	memset(&qa, 0, sizeof(qa));
	qa.qp_context = e;
	qa.send_cq = e->ve_cq;
	qa.recv_cq = e->ve_cq;
	qa.qp_type = IBV_QPT_RC;
	qa.sq_sig_all = 1;
	qa.cap.max_send_wr = attr->xea_send_depth;
	qa.cap.max_recv_wr = attr->xea_recv_depth;
	qa.cap.max_send_sge = attr->xea_max_sge;
	qa.cap.max_recv_sge = attr->xea_max_sge;
	if (rdma_create_qp(id, vf->vf_pd, &qa)) {
		ret = xr_fab_err(&vf->vf_base, -ENOMEM, "rdma_create_qp: %s",
				 strerror(errno));
		goto out_cq;
	}
	e->ve_id = id;
	id->context = e;
	xr_vb_ep_link(vf, e);
	if (nprepost) {
		ret = xr_post_recvs(&e->ve_base, prepost, nprepost, &posted);
		if (ret) {
			e->ve_id = NULL; /* id stays with the caller */
			rdma_destroy_qp(id);
			id->context = NULL;
			xr_vb_ep_destroy(&e->ve_base);
			return ret;
		}
	}
	*out = e;
	return 0;

out_cq:
	ibv_destroy_cq(e->ve_cq);
out_pool:
	xr_wr_pool_fini(&e->ve_base.xe_wrs);
out_free:
	free(e);
	return ret;
}

static uint8_t xr_vb_min3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t m = a < b ? a : b;

	m = m < c ? m : c;
	return (uint8_t)(m > 255 ? 255 : m);
}

static int xr_vb_accept(struct xr_conn_req *xreq, const struct xr_ep_attr *attr,
			const struct xr_recv *prepost, uint32_t nprepost,
			const void *pdata, uint32_t pdata_len, void *ctx,
			struct xr_ep **out)
{
	struct xr_vb_req *req =
	    XR_CONTAINER_OF(xreq, struct xr_vb_req, vq_base);
	struct xr_vb_fabric *vf = req->vq_fab;
	struct rdma_conn_param cp;
	struct rdma_cm_id *id = req->vq_id;
	/*
	 * The CM reports a request's depths from the passive side's point of
	 * view: initiator_depth is how many RDMA Reads we may have in flight
	 * towards the peer (its responder resources), responder_resources how
	 * many of its Reads we must serve (its initiator depth).  The Linux
	 * NFS client asks for initiator depth 0: it never reads from us.
	 */
	uint32_t may_initiate = req->vq_initiator_depth;
	uint32_t must_serve = req->vq_responder_resources;
	struct xr_vb_ep *e;
	int ret;

	free(req);
	if (pdata_len > XR_VB_PDATA) {
		ret = xr_fab_err(&vf->vf_base, -EMSGSIZE,
				 "accept data %u bytes, limit %u", pdata_len,
				 XR_VB_PDATA);
		goto out_reject;
	}
	ret = xr_vb_ep_create(vf, id, attr, prepost, nprepost, ctx, &e);
	if (ret)
		goto out_reject;
	memset(&cp, 0, sizeof(cp));
	cp.private_data = pdata_len ? pdata : NULL;
	cp.private_data_len = (uint8_t)pdata_len;
	/* Never promise more Reads than the peer asked for or can take. */
	cp.responder_resources =
	    xr_vb_min3(attr->xea_rdma_read_depth,
		       (uint32_t)vf->vf_dattr.max_qp_rd_atom, must_serve);
	cp.initiator_depth = xr_vb_min3(
	    attr->xea_rdma_read_depth,
	    (uint32_t)vf->vf_dattr.max_qp_init_rd_atom, may_initiate);
	/*
	 * Finite RNR retries (7 would mean forever): a client that stops
	 * posting receives makes our reply's Send fail after 6 retries
	 * (each after the client's own RNR timer, at most ~655 ms) instead
	 * of keeping it - and the call, its buffers and the connection - in
	 * flight for good.  A client that posts its receives never meets
	 * RNR; the engine's peer timeout catches what this does not.
	 */
	cp.rnr_retry_count = 6;
	if (rdma_accept(id, &cp)) {
		ret = xr_fab_err(&vf->vf_base, -EIO, "rdma_accept: %s",
				 strerror(errno));
		xr_vb_ep_destroy(&e->ve_base); /* also destroys id */
		return ret;
	}
	*out = &e->ve_base;
	return 0;

out_reject:
	rdma_reject(id, NULL, 0);
	rdma_destroy_id(id);
	return ret;
}

static int xr_vb_reject(struct xr_conn_req *xreq, const void *pdata,
			uint32_t pdata_len)
{
	struct xr_vb_req *req =
	    XR_CONTAINER_OF(xreq, struct xr_vb_req, vq_base);
	struct rdma_cm_id *id = req->vq_id;
	struct xr_vb_fabric *vf = req->vq_fab;
	int ret = 0;

	free(req);
	if (pdata_len > XR_VB_PDATA) {
		ret = xr_fab_err(&vf->vf_base, -EMSGSIZE,
				 "reject data %u bytes, limit %u", pdata_len,
				 XR_VB_PDATA);
		pdata_len = 0;
	}
	if (rdma_reject(id, pdata_len ? pdata : NULL, (uint8_t)pdata_len) &&
	    !ret)
		ret = xr_fab_err(&vf->vf_base, -EIO, "rdma_reject: %s",
				 strerror(errno));
	rdma_destroy_id(id);
	return ret;
}

/*
 * One connect attempt (xr_vb_connect()).  *port_busy is set when
 * rdma_connect() itself failed with EADDRINUSE: on iWARP (siw) the local
 * port rdma_cm chose can still be held by a kernel TCP socket (an earlier
 * connection's TIME_WAIT), which only a new cm_id - another port - gets
 * past.  Nothing reached the peer then, and the endpoint is gone with its
 * own CQ, so its preposted receives complete nowhere.
 */
static int xr_vb_connect_once(struct xr_fabric *fab, const char *addr,
			      uint16_t port, const struct sockaddr_in *dst_in,
			      const struct xr_ep_attr *attr,
			      const struct xr_recv *prepost, uint32_t nprepost,
			      const void *pdata, uint32_t pdata_len, void *ctx,
			      struct xr_ep **out, bool *port_busy)
{
	struct xr_vb_fabric *vf = vfab(fab);
	struct sockaddr_in dst = *dst_in;
	struct rdma_conn_param cp;
	struct rdma_cm_id *id;
	struct xr_vb_ep *e;
	int ret;

	*port_busy = false;
	/* No channel: address and route resolution complete in the call. */
	if (rdma_create_id(NULL, &id, NULL, RDMA_PS_TCP))
		return xr_fab_err(fab, -EIO, "rdma_create_id: %s",
				  strerror(errno));
	if (rdma_resolve_addr(
		id, vf->vf_have_src ? (struct sockaddr *)&vf->vf_src : NULL,
		(struct sockaddr *)&dst, XR_VB_RESOLVE_MS)) {
		ret = -errno;
		ret = xr_fab_err(fab,
				 ret == -ETIMEDOUT ? -ETIMEDOUT : -EHOSTUNREACH,
				 "resolve %s: %s", addr, strerror(-ret));
		goto out_id;
	}
	if (rdma_resolve_route(id, XR_VB_RESOLVE_MS)) {
		ret = xr_fab_err(fab, -EHOSTUNREACH, "route to %s: %s", addr,
				 strerror(errno));
		goto out_id;
	}
	ret = xr_vb_ep_create(vf, id, attr, prepost, nprepost, ctx, &e);
	if (ret)
		goto out_id;
	if (rdma_migrate_id(id, vf->vf_ch)) {
		ret = xr_fab_err(fab, -EIO, "rdma_migrate_id: %s",
				 strerror(errno));
		xr_vb_ep_destroy(&e->ve_base);
		return ret;
	}
	memset(&cp, 0, sizeof(cp));
	cp.private_data = pdata_len ? pdata : NULL;
	cp.private_data_len = (uint8_t)pdata_len;
	cp.responder_resources =
	    xr_vb_min3(attr->xea_rdma_read_depth,
		       (uint32_t)vf->vf_dattr.max_qp_rd_atom, 255);
	cp.initiator_depth =
	    xr_vb_min3(attr->xea_rdma_read_depth,
		       (uint32_t)vf->vf_dattr.max_qp_init_rd_atom, 255);
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	if (rdma_connect(id, &cp)) {
		*port_busy = errno == EADDRINUSE;
		ret = xr_fab_err(fab, -EIO, "rdma_connect %s:%u: %s", addr,
				 port, strerror(errno));
		xr_vb_ep_destroy(&e->ve_base);
		return ret;
	}
	*out = &e->ve_base;
	return 0;

out_id:
	rdma_destroy_id(id);
	return ret;
}

/* Attempts when the local port is busy (xr_vb_connect_once()). */
#define XR_VB_CONNECT_TRIES 3

static int xr_vb_connect(struct xr_fabric *fab, const char *addr, uint16_t port,
			 const struct xr_ep_attr *attr,
			 const struct xr_recv *prepost, uint32_t nprepost,
			 const void *pdata, uint32_t pdata_len, void *ctx,
			 struct xr_ep **out)
{
	struct sockaddr_in dst;
	bool port_busy;
	int ret = -EIO, i;

	if (pdata_len > XR_VB_PDATA)
		return xr_fab_err(fab, -EMSGSIZE,
				  "connect data %u bytes, limit %u", pdata_len,
				  XR_VB_PDATA);
	if (!addr || xr_vb_parse_addr(addr, port, &dst))
		return xr_fab_err(fab, -EINVAL, "bad IPv4 address \"%s\"",
				  addr ? addr : "(null)");
	for (i = 0; i < XR_VB_CONNECT_TRIES; i++) {
		ret = xr_vb_connect_once(fab, addr, port, &dst, attr, prepost,
					 nprepost, pdata, pdata_len, ctx, out,
					 &port_busy);
		if (!port_busy)
			break;
	}
	return ret;
}

static long xr_vb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Connection over: error the QP so every outstanding request flushes. */
static void xr_vb_ep_shut(struct xr_vb_ep *e)
{
	struct ibv_qp_attr qa = {.qp_state = IBV_QPS_ERR};

	if (e->ve_state == XR_VB_CLOSED)
		return;
	e->ve_state = XR_VB_CLOSED;
	e->ve_closed_ms = xr_vb_now_ms();
	if (e->ve_id && e->ve_id->qp)
		ibv_modify_qp(e->ve_id->qp, &qa, IBV_QP_STATE);
}

static int xr_vb_disconnect(struct xr_ep *ep)
{
	struct xr_vb_ep *e = vep(ep);

	if (e->ve_state != XR_VB_CONNECTED)
		return -ENOTCONN;
	if (rdma_disconnect(e->ve_id))
		return xr_fab_err(&e->ve_fab->vf_base, -EIO,
				  "rdma_disconnect: %s", strerror(errno));
	return 0;
}

static void xr_vb_ep_destroy(struct xr_ep *ep)
{
	struct xr_vb_ep *e = vep(ep);
	struct xr_vb_fabric *vf = e->ve_fab;

	if (e->ve_id) {
		if (e->ve_id->qp)
			rdma_destroy_qp(e->ve_id);
		rdma_destroy_id(e->ve_id);
	}
	if (e->ve_cq) {
		if (e->ve_cq_unacked)
			ibv_ack_cq_events(e->ve_cq, e->ve_cq_unacked);
		ibv_destroy_cq(e->ve_cq);
	}
	if (e->ve_prev)
		e->ve_prev->ve_next = e->ve_next;
	else if (vf->vf_eps == e)
		vf->vf_eps = e->ve_next;
	if (e->ve_next)
		e->ve_next->ve_prev = e->ve_prev;
	xr_wr_pool_fini(&e->ve_base.xe_wrs);
	free(e);
}

static int xr_vb_reg_mr(struct xr_fabric *fab, void *addr, size_t len,
			unsigned int access, struct xr_mr **out)
{
	struct xr_vb_fabric *vf = vfab(fab);
	int va = xr_vb_access(access);
	struct xr_vb_mr *m;

	if (!addr || !len || va < 0)
		return xr_fab_err(fab, -EINVAL,
				  "register: bad region or access 0x%x",
				  access);
	m = calloc(1, sizeof(*m));
	if (!m)
		return xr_fab_err(fab, -ENOMEM, "register: no memory");
	m->vm_mr = ibv_reg_mr(vf->vf_pd, addr, len, va);
	if (!m->vm_mr) {
		int err = errno;

		free(m);
		return xr_fab_err(
		    fab, err == ENOMEM ? -ENOMEM : -EIO,
		    "ibv_reg_mr(%zu bytes): %s%s", len, strerror(err),
		    err == ENOMEM ? " (pinned memory is limited "
				    "by RLIMIT_MEMLOCK, ulimit -l)"
				  : "");
	}
	m->vm_base.mrg_fabric = fab;
	m->vm_fab = vf;
	m->vm_next = vf->vf_mrs;
	if (vf->vf_mrs)
		vf->vf_mrs->vm_prev = m;
	vf->vf_mrs = m;
	*out = &m->vm_base;
	return 0;
}

static void xr_vb_dereg_mr(struct xr_mr *mr)
{
	struct xr_vb_mr *m = vmr(mr);
	struct xr_vb_fabric *vf = m->vm_fab;

	ibv_dereg_mr(m->vm_mr);
	if (m->vm_prev)
		m->vm_prev->vm_next = m->vm_next;
	else if (vf->vf_mrs == m)
		vf->vf_mrs = m->vm_next;
	if (m->vm_next)
		m->vm_next->vm_prev = m->vm_prev;
	free(m);
}

static uint32_t xr_vb_mr_handle(const struct xr_mr *mr)
{
	return cvmr(mr)->vm_mr->rkey;
}

static uint64_t xr_vb_mr_wire_offset(const struct xr_mr *mr, const void *addr)
{
	(void)mr;
	return (uintptr_t)addr;
}

/* Fill an ibv_sge list; returns 0 or -EINVAL. */
static int xr_vb_sges(const struct xr_sge *sge, uint32_t nsge, uint32_t max,
		      struct ibv_sge *out)
{
	uint32_t i;

	if (!nsge || nsge > max)
		return -EINVAL;
	for (i = 0; i < nsge; i++) {
		if (!sge[i].ge_mr || !sge[i].ge_addr)
			return -EINVAL;
		out[i].addr = (uintptr_t)sge[i].ge_addr;
		out[i].length = sge[i].ge_len;
		out[i].lkey = vmr(sge[i].ge_mr)->vm_mr->lkey;
	}
	return 0;
}

static int xr_vb_post_recvs(struct xr_ep *ep, const struct xr_recv *recvs,
			    uint32_t n, uint32_t *posted)
{
	struct xr_vb_ep *e = vep(ep);
	struct ibv_recv_wr wr[XR_VB_POLL_BATCH], *bad;
	struct ibv_sge sg[XR_VB_POLL_BATCH][XR_MAX_SGE];
	struct xr_wr *slot[XR_VB_POLL_BATCH];
	uint32_t done = 0, k, i;
	int ret = 0;

	*posted = 0;
	if (e->ve_state == XR_VB_CLOSED)
		return -ENOTCONN;
	while (done < n && !ret) {
		for (k = 0; k < XR_VB_POLL_BATCH && done + k < n; k++) {
			const struct xr_recv *r = &recvs[done + k];

			if (xr_vb_sges(r->rcv_sge, r->rcv_nsge, e->ve_max_sge,
				       sg[k])) {
				ret = -EINVAL;
				break;
			}
			slot[k] =
			    xr_wr_get(&ep->xe_wrs, XR_OP_RECV, r->rcv_ctx);
			if (!slot[k]) {
				ret = -ENOSPC;
				break;
			}
			memset(&wr[k], 0, sizeof(wr[k]));
			wr[k].wr_id = (uintptr_t)slot[k];
			wr[k].sg_list = sg[k];
			wr[k].num_sge = (int)r->rcv_nsge;
			if (k)
				wr[k - 1].next = &wr[k];
		}
		if (!k)
			break;
		bad = NULL;
		ret = ibv_post_recv(e->ve_id->qp, wr, &bad);
		if (ret) {
			/* wr[0..i) went in, wr[i..k) did not. */
			for (i = 0; i < k && &wr[i] != bad; i++)
				;
			*posted = done + i;
			for (; i < k; i++)
				xr_wr_put(&ep->xe_wrs, slot[i]);
			return xr_fab_err(&e->ve_fab->vf_base, -EIO,
					  "ibv_post_recv: %s", strerror(ret));
		}
		done += k;
		*posted = done;
	}
	return ret;
}

static int xr_vb_post_one(struct xr_vb_ep *e, enum xr_op op,
			  struct ibv_send_wr *wr, const struct xr_sge *sge,
			  uint32_t nsge, void *ctx)
{
	struct ibv_sge sg[XR_MAX_SGE];
	struct ibv_send_wr *bad;
	struct xr_wr *slot;
	int err;

	if (e->ve_state == XR_VB_CLOSED)
		return -ENOTCONN;
	if (xr_vb_sges(sge, nsge, e->ve_max_sge, sg))
		return -EINVAL;
	slot = xr_wr_get(&e->ve_base.xe_wrs, op, ctx);
	if (!slot)
		return -ENOSPC;
	wr->wr_id = (uintptr_t)slot;
	wr->sg_list = sg;
	wr->num_sge = (int)nsge;
	wr->send_flags = IBV_SEND_SIGNALED;
	/* ibv_post_send returns the errno value, it does not set errno. */
	err = ibv_post_send(e->ve_id->qp, wr, &bad);
	if (err) {

		xr_wr_put(&e->ve_base.xe_wrs, slot);
		return xr_fab_err(&e->ve_fab->vf_base,
				  err == ENOMEM ? -ENOSPC : -EIO,
				  "ibv_post_send: %s", strerror(err));
	}
	return 0;
}

static int xr_vb_post_send(struct xr_ep *ep, const struct xr_sge *sge,
			   uint32_t nsge, bool invalidate, uint32_t inv_handle,
			   void *ctx)
{
	struct ibv_send_wr wr;

	memset(&wr, 0, sizeof(wr));
	wr.opcode = invalidate ? IBV_WR_SEND_WITH_INV : IBV_WR_SEND;
	if (invalidate)
		wr.invalidate_rkey = inv_handle;
	return xr_vb_post_one(vep(ep), XR_OP_SEND, &wr, sge, nsge, ctx);
}

static int xr_vb_post_write(struct xr_ep *ep, const struct xr_sge *sge,
			    uint32_t nsge, uint64_t remote_offset,
			    uint32_t remote_handle, void *ctx)
{
	struct ibv_send_wr wr;

	memset(&wr, 0, sizeof(wr));
	wr.opcode = IBV_WR_RDMA_WRITE;
	wr.wr.rdma.remote_addr = remote_offset;
	wr.wr.rdma.rkey = remote_handle;
	return xr_vb_post_one(vep(ep), XR_OP_WRITE, &wr, sge, nsge, ctx);
}

static int xr_vb_post_read(struct xr_ep *ep, const struct xr_sge *sge,
			   uint32_t nsge, uint64_t remote_offset,
			   uint32_t remote_handle, void *ctx)
{
	struct ibv_send_wr wr;

	memset(&wr, 0, sizeof(wr));
	wr.opcode = IBV_WR_RDMA_READ;
	wr.wr.rdma.remote_addr = remote_offset;
	wr.wr.rdma.rkey = remote_handle;
	return xr_vb_post_one(vep(ep), XR_OP_READ, &wr, sge, nsge, ctx);
}

static int xr_vb_wait_fd(struct xr_fabric *fab)
{
	return vfab(fab)->vf_epfd;
}

/* Wake the caller at the end of the earliest flush grace still running. */
static void xr_vb_arm_grace_timer(struct xr_vb_fabric *vf, long left_ms)
{
	struct itimerspec its = {{0, 0}, {0, 0}};

	if (left_ms < 1)
		left_ms = 1;
	its.it_value.tv_sec = left_ms / 1000;
	its.it_value.tv_nsec = (left_ms % 1000) * 1000000L;
	timerfd_settime(vf->vf_timerfd, 0, &its, NULL);
}

static int xr_vb_arm(struct xr_fabric *fab)
{
	struct xr_vb_fabric *vf = vfab(fab);
	long now = xr_vb_now_ms(), left, soonest = -1;
	struct xr_vb_ep *e;
	int pending = 0;

	for (e = vf->vf_eps; e; e = e->ve_next) {
		if (e->ve_has_stash) {
			pending = 1;
			continue;
		}
		if (ibv_req_notify_cq(e->ve_cq, 0))
			return xr_fab_err(fab, -EIO, "ibv_req_notify_cq");
		/* A completion that raced the request: keep it, don't sleep. */
		if (ibv_poll_cq(e->ve_cq, 1, &e->ve_stash) == 1) {
			e->ve_has_stash = true;
			pending = 1;
			continue;
		}
		if (e->ve_state == XR_VB_CLOSED && e->ve_base.xe_wrs.xp_busy) {
			left = e->ve_closed_ms + XR_VB_FLUSH_GRACE_MS - now;
			if (left <= 0)
				pending = 1;
			else if (soonest < 0 || left < soonest)
				soonest = left;
		}
	}
	if (!pending && soonest > 0)
		xr_vb_arm_grace_timer(vf, soonest);
	return pending ? -EAGAIN : 0;
}

/* Store the completion of wc in out; returns 1, or 0 if already given. */
static int xr_vb_wc(struct xr_vb_ep *e, const struct ibv_wc *wc,
		    struct xr_completion *out)
{
	struct xr_wr *slot = (struct xr_wr *)(uintptr_t)wc->wr_id;

	/* Late entry of an operation the grace flush already completed. */
	if (!slot->xw_busy)
		return 0;
	xr_wr_complete(&e->ve_base, slot, xr_vb_status(wc->status),
		       wc->byte_len, out);
	if (wc->status == IBV_WC_SUCCESS && out->xc_op == XR_OP_RECV &&
	    (wc->wc_flags & IBV_WC_WITH_INV)) {
		out->xc_invalidated = true;
		out->xc_invalidated_handle = wc->invalidated_rkey;
	}
	return 1;
}

/* Take the completion channel's events (they only say "look"). */
static void xr_vb_drain_channel(struct xr_vb_fabric *vf)
{
	struct ibv_cq *cq;
	void *ctx;
	struct xr_vb_ep *e;
	uint64_t ticks;

	while (ibv_get_cq_event(vf->vf_cc, &cq, &ctx) == 0) {
		e = ctx;
		if (++e->ve_cq_unacked >= XR_VB_ACK_BATCH) {
			ibv_ack_cq_events(cq, e->ve_cq_unacked);
			e->ve_cq_unacked = 0;
		}
	}
	if (read(vf->vf_timerfd, &ticks, sizeof(ticks)) < 0)
		ticks = 0; /* not expired: nothing to clear */
}

static int xr_vb_poll_ep(struct xr_vb_ep *e, struct xr_completion *out, int max)
{
	struct ibv_wc wc[XR_VB_POLL_BATCH];
	int n = 0, got, i, want;

	if (e->ve_has_stash && n < max) {
		e->ve_has_stash = false;
		n += xr_vb_wc(e, &e->ve_stash, &out[n]);
	}
	while (n < max) {
		want = max - n < XR_VB_POLL_BATCH ? max - n : XR_VB_POLL_BATCH;
		got = ibv_poll_cq(e->ve_cq, want, wc);
		if (got < 0)
			return n ? n : -EIO;
		for (i = 0; i < got; i++)
			n += xr_vb_wc(e, &wc[i], &out[n]);
		if (got < want)
			break;
	}
	/*
	 * A closed QP flushes every request, but siw was seen to leave one
	 * RDMA op of a connection cut mid-transfer without any entry.  After
	 * a grace period the slots still busy are completed here; the QP is
	 * in the error state, so it no longer touches their memory.
	 */
	if (n < max && e->ve_state == XR_VB_CLOSED &&
	    e->ve_base.xe_wrs.xp_busy &&
	    xr_vb_now_ms() - e->ve_closed_ms >= XR_VB_FLUSH_GRACE_MS)
		n += xr_wr_flush(&e->ve_base, &out[n], max - n);
	return n;
}

/* Endpoints take turns as on ofi (see xr_fab_poll_share()). */
static int xr_vb_poll(struct xr_fabric *fab, struct xr_completion *out, int max)
{
	struct xr_vb_fabric *vf = vfab(fab);
	struct xr_vb_ep *e, *first;
	uint32_t neps = 0, skip;
	int n = 0, ret, share;

	xr_vb_drain_channel(vf);
	for (e = vf->vf_eps; e; e = e->ve_next)
		neps++;
	if (!neps)
		return 0;
	share = xr_fab_poll_share(max, neps);
	skip = vf->vf_poll_turn++ % neps;
	for (first = vf->vf_eps; skip--; first = first->ve_next)
		;
	e = first;
	do {
		ret = xr_vb_poll_ep(e, &out[n],
				    max - n < share ? max - n : share);
		if (ret < 0)
			return n ? n : xr_fab_err(fab, ret, "ibv_poll_cq");
		n += ret;
		e = e->ve_next ? e->ve_next : vf->vf_eps;
	} while (e != first && n < max);
	return n;
}

static void xr_vb_pdata(struct xr_event *ev, const struct rdma_cm_event *cm)
{
	uint32_t len = cm->param.conn.private_data_len;

	if (!cm->param.conn.private_data)
		len = 0;
	if (len > XR_PDATA_MAX)
		len = XR_PDATA_MAX;
	ev->xv_pdata_len = len;
	if (len)
		memcpy(ev->xv_pdata, cm->param.conn.private_data, len);
}

/* The requester's address as the CM resolved it (IPv4 or IPv6). */
static void xr_vb_peer(struct xr_event *ev, struct rdma_cm_id *id)
{
	struct sockaddr *sa = rdma_get_peer_addr(id);
	size_t len = 0;

	if (sa && sa->sa_family == AF_INET)
		len = sizeof(struct sockaddr_in);
	else if (sa && sa->sa_family == AF_INET6)
		len = sizeof(struct sockaddr_in6);
	if (len)
		memcpy(&ev->xv_peer, sa, len);
}

/* Turn one rdma_cm event into *ev; returns 0, or -EAGAIN to skip it. */
static int xr_vb_cm_event(struct xr_vb_fabric *vf, struct rdma_cm_event *cm,
			  struct xr_event *ev)
{
	enum xr_vb_kind *kind = cm->id->context;
	struct xr_vb_ep *e = NULL;
	struct xr_vb_req *req;

	if (kind && *kind == XR_VB_EP)
		e = XR_CONTAINER_OF(kind, struct xr_vb_ep, ve_kind);
	switch (cm->event) {
	case RDMA_CM_EVENT_CONNECT_REQUEST:
		req = calloc(1, sizeof(*req));
		if (!req) {
			rdma_reject(cm->id, NULL, 0); /* id freed after ack */
			return xr_fab_err(&vf->vf_base, -ENOMEM,
					  "connect request: no memory");
		}
		req->vq_base.xq_fabric = &vf->vf_base;
		req->vq_fab = vf;
		req->vq_id = cm->id;
		cm->id->context = NULL;
		req->vq_initiator_depth = cm->param.conn.initiator_depth;
		req->vq_responder_resources =
		    cm->param.conn.responder_resources;
		ev->xv_type = XR_EV_CONNECT_REQUEST;
		ev->xv_listener =
		    &XR_CONTAINER_OF(kind, struct xr_vb_listener, vl_kind)
			 ->vl_base;
		ev->xv_req = &req->vq_base;
		xr_vb_pdata(ev, cm);
		xr_vb_peer(ev, cm->id);
		return 0;
	case RDMA_CM_EVENT_ESTABLISHED:
		if (!e)
			return -EAGAIN;
		e->ve_state = XR_VB_CONNECTED;
		ev->xv_type = XR_EV_ESTABLISHED;
		xr_vb_pdata(ev, cm);
		break;
	case RDMA_CM_EVENT_REJECTED:
		if (!e || e->ve_end_told)
			return -EAGAIN;
		e->ve_end_told = true;
		xr_vb_ep_shut(e);
		ev->xv_type = XR_EV_REJECTED;
		ev->xv_status = -ECONNREFUSED;
		xr_vb_pdata(ev, cm);
		break;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
		if (!e || e->ve_end_told)
			return -EAGAIN;
		e->ve_end_told = true;
		xr_vb_ep_shut(e);
		ev->xv_type = XR_EV_ERROR;
		ev->xv_status = cm->status < 0 ? cm->status : -EIO;
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
		if (!e)
			return -EAGAIN;
		if (e->ve_state == XR_VB_CONNECTED)
			rdma_disconnect(e->ve_id); /* answer the peer's */
		xr_vb_ep_shut(e);
		if (e->ve_end_told)
			return -EAGAIN;
		e->ve_end_told = true;
		ev->xv_type = XR_EV_DISCONNECTED;
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		if (e)
			xr_vb_ep_shut(e);
		ev->xv_type = XR_EV_DEVICE_REMOVAL;
		ev->xv_status = -ENODEV;
		break;
	default:
		return -EAGAIN;
	}
	ev->xv_ep = e ? &e->ve_base : NULL;
	return 0;
}

/*
 * Device async events: a QP that went to the error state (fatal, invalid
 * request, access violation by the peer) ends its connection; a fatal
 * device error ends everything.  Returns 0 with *ev, or -EAGAIN.
 */
static int xr_vb_async_event(struct xr_vb_fabric *vf, struct xr_event *ev)
{
	struct ibv_async_event ae;
	struct xr_vb_ep *e;

	while (ibv_get_async_event(vf->vf_ctx, &ae) == 0) {
		enum ibv_event_type type = ae.event_type;
		struct ibv_qp *qp = NULL;

		if (type == IBV_EVENT_QP_FATAL ||
		    type == IBV_EVENT_QP_REQ_ERR ||
		    type == IBV_EVENT_QP_ACCESS_ERR)
			qp = ae.element.qp;
		ibv_ack_async_event(&ae);
		if (type == IBV_EVENT_DEVICE_FATAL) {
			memset(ev, 0, sizeof(*ev));
			ev->xv_type = XR_EV_DEVICE_REMOVAL;
			ev->xv_status = -ENODEV;
			return 0;
		}
		/* Find the endpoint rather than trust a context pointer. */
		for (e = vf->vf_eps; qp && e; e = e->ve_next) {
			if (!e->ve_id || e->ve_id->qp != qp ||
			    e->ve_state == XR_VB_CLOSED)
				continue;
			xr_fab_err(&vf->vf_base, 0, "%s on QP %u",
				   ibv_event_type_str(type), qp->qp_num);
			/* Tell the peer too, then end it here. */
			if (e->ve_state == XR_VB_CONNECTED)
				rdma_disconnect(e->ve_id);
			xr_vb_ep_shut(e);
			e->ve_end_told = true;
			memset(ev, 0, sizeof(*ev));
			ev->xv_type = XR_EV_ERROR;
			ev->xv_ep = &e->ve_base;
			ev->xv_status =
			    type == IBV_EVENT_QP_ACCESS_ERR ? -EACCES : -EIO;
			return 0;
		}
	}
	return -EAGAIN;
}

static int xr_vb_get_event(struct xr_fabric *fab, struct xr_event *ev)
{
	struct xr_vb_fabric *vf = vfab(fab);
	struct rdma_cm_event *cm;
	struct rdma_cm_id *drop;
	int ret;

	if (xr_vb_async_event(vf, ev) == 0)
		return 0;
	for (;;) {
		memset(ev, 0, sizeof(*ev));
		if (rdma_get_cm_event(vf->vf_ch, &cm))
			return errno == EAGAIN || errno == EWOULDBLOCK
				   ? -EAGAIN
				   : xr_fab_err(fab, -EIO,
						"rdma_get_cm_event: %s",
						strerror(errno));
		drop =
		    cm->event == RDMA_CM_EVENT_CONNECT_REQUEST ? cm->id : NULL;
		ret = xr_vb_cm_event(vf, cm, ev);
		rdma_ack_cm_event(cm);
		if (ret == -ENOMEM && drop) {
			rdma_destroy_id(drop);
			return ret;
		}
		if (ret != -EAGAIN)
			return ret;
	}
}

static void xr_vb_copy_addr(struct sockaddr_storage *dst,
			    const struct sockaddr *src)
{
	size_t len = src->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						: sizeof(struct sockaddr_in);

	memset(dst, 0, sizeof(*dst));
	memcpy(dst, src, len);
}

static int xr_vb_ep_addrs(struct xr_ep *base, struct sockaddr_storage *local,
			  struct sockaddr_storage *peer)
{
	struct xr_vb_ep *ep = XR_CONTAINER_OF(base, struct xr_vb_ep, ve_base);

	if (!ep->ve_id)
		return -ENOTCONN;
	/* rdma_cm keeps both addresses in the route of the cm_id. */
	if (local)
		xr_vb_copy_addr(local, rdma_get_local_addr(ep->ve_id));
	if (peer)
		xr_vb_copy_addr(peer, rdma_get_peer_addr(ep->ve_id));
	return 0;
}

const struct xr_fabric_ops xr_fabric_ops_verbs = {
    .name = "verbs",
    /* uverbs: only the opener's credentials (enum xr_fabric_cap) */
    .caps = 0,
    .open = xr_vb_open,
    .close = xr_vb_close,
    .listen = xr_vb_listen,
    .listener_port = xr_vb_listener_port,
    .listener_close = xr_vb_listener_close,
    .accept = xr_vb_accept,
    .reject = xr_vb_reject,
    .connect = xr_vb_connect,
    .disconnect = xr_vb_disconnect,
    .ep_addrs = xr_vb_ep_addrs,
    .ep_destroy = xr_vb_ep_destroy,
    .reg_mr = xr_vb_reg_mr,
    .dereg_mr = xr_vb_dereg_mr,
    .mr_handle = xr_vb_mr_handle,
    .mr_wire_offset = xr_vb_mr_wire_offset,
    .post_recvs = xr_vb_post_recvs,
    .post_send = xr_vb_post_send,
    .post_write = xr_vb_post_write,
    .post_read = xr_vb_post_read,
    .wait_fd = xr_vb_wait_fd,
    .arm = xr_vb_arm,
    .poll = xr_vb_poll,
    .get_event = xr_vb_get_event,
};
