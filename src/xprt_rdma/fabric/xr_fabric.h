/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The fabric seam: the only place where the transport touches an RDMA
 * library.  How this works:
 *
 * - A backend is an ops table (struct xr_fabric_ops), one per file:
 *   fabric_verbs.c (rdma-core: librdmacm + libibverbs) and fabric_ofi.c
 *   (libfabric, FI_EP_MSG, default provider "tcp"); fabric_loop.c is an
 *   in-process test seam with fault injection (xr_fabric_loop.h), used
 *   only when named.  xr_fabric_open() picks
 *   one by name; every other call goes through the table via the small
 *   xr_*() wrappers in xr_fabric.c.
 * - Objects are opaque: a fabric (device + protection domain), listeners,
 *   connection requests, endpoints (one connection each, with their own
 *   completion queue sized from the credits asked for) and memory regions.
 * - Everything a fabric owns is driven from one thread: the caller waits on
 *   one file descriptor (xr_fabric_wait_fd()), then drains connection
 *   events with xr_fabric_get_event() and completions with xr_fabric_poll().
 *   Before blocking it calls xr_fabric_arm(); -EAGAIN means "work is
 *   already pending, poll again instead of sleeping".  The seam is not
 *   thread-safe: one thread per fabric, or the caller locks.
 * - Which threads may drive it is the backend's to say (caps,
 *   xr_fabric_has_cap()): with XR_CAP_POST_ANY_THREAD any thread may post,
 *   connect and disconnect (the caller still locks); without it only
 *   threads whose credentials never changed since the fabric was opened
 *   may, and the engines leave all of it to their progress thread.
 * - Every posted operation gets exactly one completion, carrying the
 *   caller's context pointer.  After a connection is gone the remaining
 *   operations complete with -ECANCELED; xr_ep_outstanding() says when the
 *   last one has been delivered and the endpoint may be destroyed.
 * - Memory is registered with exactly the access asked for (never atomic).
 *   A region hands out a 32-bit handle (the RPC-over-RDMA segment handle)
 *   and a 64-bit wire offset for any byte inside it: what the peer puts in
 *   its RDMA Read/Write.  The peer never needs to know which backend runs.
 */
#ifndef XR_FABRIC_H
#define XR_FABRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* NFS/RDMA's registered port (RFC 5667 / RFC 8267). */
#define XR_NFS_RDMA_PORT 20049

/* Most connection private data carried by any backend (libfabric tcp). */
#define XR_PDATA_MAX 256

/* Most scatter/gather elements in one operation. */
#define XR_MAX_SGE 4

/* Size of the buffer holding a fabric's last error message. */
#define XR_ERRBUF_LEN 256

struct xr_fabric;
struct xr_listener;
struct xr_conn_req;
struct xr_ep;
struct xr_mr;

/* Access rights of a memory region; combine with |.  Never atomic. */
enum xr_access {
	XR_ACCESS_LOCAL = 1 << 0,	 /* local send/recv/RDMA source+sink */
	XR_ACCESS_REMOTE_READ = 1 << 1,	 /* peer may RDMA Read it */
	XR_ACCESS_REMOTE_WRITE = 1 << 2, /* peer may RDMA Write it */
};

/*
 * What a backend lets its callers do (struct xr_fabric_ops.caps; combine
 * with |).
 */
enum xr_fabric_cap {
	/*
	 * Any thread may post, register, connect and disconnect, whatever
	 * its credentials (ofi: sockets do not care).  Without it (verbs:
	 * every command is a write() on a uverbs or rdma_cm file, and the
	 * kernel refuses one from a thread whose credentials are not the
	 * very ones that opened the file - a Ganesha worker switches its
	 * credentials per request) the caller must keep all of that on
	 * threads that never change their credentials.  The kernel compares
	 * the credential object, not its values, so a thread that switched
	 * and switched back is still refused: no cheap per-post check can
	 * say "these match", hence a per-backend yes or no.
	 */
	XR_CAP_POST_ANY_THREAD = 1 << 0,
};

/* Which operation a completion belongs to. */
enum xr_op {
	XR_OP_RECV = 1,
	XR_OP_SEND,
	XR_OP_WRITE,
	XR_OP_READ,
};

/*
 * One buffer of an operation: a byte range inside a registered region
 * (ge_mr NULL for a plain address where xr_fabric_local_needs_reg() says
 * the fabric takes one; never for receives).
 */
struct xr_sge {
	void *ge_addr;
	uint32_t ge_len;
	struct xr_mr *ge_mr;
};

/* One receive to post: where the next incoming message lands. */
struct xr_recv {
	void *rcv_ctx; /* returned in the completion */
	struct xr_sge rcv_sge[XR_MAX_SGE];
	uint32_t rcv_nsge;
};

/* One completed operation. */
struct xr_completion {
	struct xr_ep *xc_ep; /* endpoint the operation was posted on */
	void *xc_ctx;	     /* the caller's context from the post */
	enum xr_op xc_op;
	/*
	 * 0 on success; -ECANCELED when flushed because the connection went
	 * away; -EACCES for a protection/key/range violation reported by the
	 * peer; -EIO for any other failure.
	 */
	int xc_status;
	uint32_t xc_len;		/* bytes received (XR_OP_RECV) */
	bool xc_invalidated;		/* RECV: peer sent with invalidate */
	uint32_t xc_invalidated_handle; /* ... of this handle */
};

/* Queue sizes of one connection. */
struct xr_ep_attr {
	uint32_t xea_recv_depth;      /* receives posted at once */
	uint32_t xea_send_depth;      /* sends + RDMA ops outstanding at once */
	uint32_t xea_max_sge;	      /* per operation, 1..XR_MAX_SGE */
	uint32_t xea_rdma_read_depth; /* RDMA Reads in flight per direction */
};

/*
 * Connection events.  An endpoint gets exactly one of REJECTED,
 * DISCONNECTED or ERROR when its connection ends (none before
 * ESTABLISHED except REJECTED/ERROR); after it, keep polling until
 * xr_ep_outstanding() is 0, then destroy the endpoint.
 */
enum xr_event_type {
	XR_EV_CONNECT_REQUEST = 1, /* xv_req + xv_pdata: accept or reject it */
	XR_EV_ESTABLISHED,	   /* xv_ep ready; client: xv_pdata = peer's */
	XR_EV_REJECTED,		   /* xv_ep: peer rejected our connect */
	XR_EV_DISCONNECTED,	   /* xv_ep: peer gone or local disconnect */
	XR_EV_ERROR,		   /* xv_ep: connect failed or fatal error */
	XR_EV_DEVICE_REMOVAL,	   /* the device went away: close it all */
};

/* One connection-management event. */
struct xr_event {
	enum xr_event_type xv_type;
	struct xr_listener *xv_listener; /* CONNECT_REQUEST */
	struct xr_conn_req *xv_req;	 /* CONNECT_REQUEST */
	struct xr_ep *xv_ep;		 /* every other type */
	int xv_status;			 /* negative errno with a reason */
	uint32_t xv_pdata_len;
	/*
	 * Private data as the transport delivered it.  InfiniBand/RoCE CM
	 * pads it to a fixed size with zeroes, so the upper layer's format
	 * must carry its own length or be fixed-size (RFC 8797 is 8 bytes).
	 */
	uint8_t xv_pdata[XR_PDATA_MAX];
	/*
	 * CONNECT_REQUEST: the requester's address, so a listener can apply
	 * per-address limits before it spends anything on the request
	 * (ss_family AF_UNSPEC when the backend cannot tell).
	 */
	struct sockaddr_storage xv_peer;
};

/* What xr_fabric_open() needs. */
struct xr_fabric_params {
	const char *xfp_backend;  /* "verbs", "ofi"; "loop" in tests */
	const char *xfp_provider; /* ofi only; NULL means "tcp" */
	/*
	 * Local IPv4 address naming the device/interface (NULL: the first
	 * device for verbs; the provider's first domain for ofi).  On ofi,
	 * connections made by this fabric also leave from this address.
	 */
	const char *xfp_local_addr;
};

/*
 * The ops table.  Each backend fills every member.  Unless noted, a member
 * returns 0 on success or a negative errno, and on failure leaves a message
 * naming the backend in the fabric's error buffer (xr_fabric_strerror()).
 */
struct xr_fabric_ops {
	/* Backend name as given to xr_fabric_open(). */
	const char *name;

	/* What callers may do: enum xr_fabric_cap bits. */
	unsigned int caps;

	/*
	 * open: create the fabric (device, protection domain, event
	 * channel, wait set).  On failure returns -ENODEV (no device or
	 * provider), -EADDRNOTAVAIL (address on no device), -ENOMEM, -EIO,
	 * and writes the reason to errbuf.
	 */
	int (*open)(const struct xr_fabric_params *params,
		    struct xr_fabric **out, char *errbuf, size_t errlen);

	/* close: free the fabric and everything still open in it. */
	void (*close)(struct xr_fabric *fab);

	/*
	 * listen: accept connections on addr:port (port 0: pick a free one,
	 * see listener_port).  -EADDRINUSE, -EADDRNOTAVAIL, -EINVAL (bad
	 * address), -ENOMEM, -EIO.
	 */
	int (*listen)(struct xr_fabric *fab, const char *addr, uint16_t port,
		      int backlog, struct xr_listener **out);

	/* listener_port: the port a listener is bound to. */
	uint16_t (*listener_port)(struct xr_listener *l);

	/* listener_close: stop listening; pending requests are dropped. */
	void (*listener_close)(struct xr_listener *l);

	/*
	 * accept: turn a connection request into an endpoint sized by attr,
	 * post the receives in prepost (so the peer never finds none), and
	 * accept with pdata.  The request is consumed whether this succeeds
	 * or not (on failure it is rejected).  -EMSGSIZE (pdata over the
	 * backend's limit), -EINVAL (attr), -ENOMEM, -EIO.
	 */
	int (*accept)(struct xr_conn_req *req, const struct xr_ep_attr *attr,
		      const struct xr_recv *prepost, uint32_t nprepost,
		      const void *pdata, uint32_t pdata_len, void *ctx,
		      struct xr_ep **out);

	/*
	 * reject: refuse a connection request, sending pdata; consumes the
	 * request.  -EMSGSIZE, -EIO (the request is still freed).
	 */
	int (*reject)(struct xr_conn_req *req, const void *pdata,
		      uint32_t pdata_len);

	/*
	 * connect: create an endpoint sized by attr, post prepost, and start
	 * connecting to addr:port with pdata.  The outcome arrives as an
	 * XR_EV_ESTABLISHED, XR_EV_REJECTED or XR_EV_ERROR event.
	 * -EMSGSIZE, -EINVAL, -EHOSTUNREACH/-ENETUNREACH (no route),
	 * -ETIMEDOUT (address resolution), -EXDEV (route leaves the fabric's
	 * device), -ENOMEM, -EIO.
	 */
	int (*connect)(struct xr_fabric *fab, const char *addr, uint16_t port,
		       const struct xr_ep_attr *attr,
		       const struct xr_recv *prepost, uint32_t nprepost,
		       const void *pdata, uint32_t pdata_len, void *ctx,
		       struct xr_ep **out);

	/*
	 * disconnect: orderly close; an XR_EV_DISCONNECTED event follows and
	 * outstanding operations complete with -ECANCELED.  -ENOTCONN if it
	 * was never connected or already gone (not an error to log).
	 */
	int (*disconnect)(struct xr_ep *ep);

	/*
	 * ep_addrs: the local and the peer's address of a connected
	 * endpoint (either pointer may be NULL).  -ENOTCONN when the
	 * endpoint has no connection yet, -EIO when the library fails.
	 */
	int (*ep_addrs)(struct xr_ep *ep, struct sockaddr_storage *local,
			struct sockaddr_storage *peer);

	/* ep_destroy: free an endpoint; contexts still outstanding are lost. */
	void (*ep_destroy)(struct xr_ep *ep);

	/*
	 * reg_mr: register [addr, addr+len) with exactly access.  -EINVAL
	 * (len 0, unknown or no access bits), -ENOMEM, -EIO.
	 */
	int (*reg_mr)(struct xr_fabric *fab, void *addr, size_t len,
		      unsigned int access, struct xr_mr **out);

	/* dereg_mr: deregister; the handle is dead for the peer at once. */
	void (*dereg_mr)(struct xr_mr *mr);

	/* mr_handle: the 32-bit handle (rkey) the peer uses. */
	uint32_t (*mr_handle)(const struct xr_mr *mr);

	/*
	 * mr_wire_offset: the 64-bit value the peer must put in an RDMA op
	 * to address byte addr of the region (caller checks addr is inside).
	 */
	uint64_t (*mr_wire_offset)(const struct xr_mr *mr, const void *addr);

	/*
	 * post_recvs: post n receives; *posted says how many went in.
	 * -ENOSPC (receive queue full), -EINVAL (sge), -ENOTCONN, -EIO.
	 */
	int (*post_recvs)(struct xr_ep *ep, const struct xr_recv *recvs,
			  uint32_t n, uint32_t *posted);

	/*
	 * post_send: send the gathered sges; with invalidate, also tell the
	 * peer to invalidate inv_handle.  -EOPNOTSUPP (invalidate on a
	 * backend without it), -ENOSPC, -EINVAL, -ENOTCONN, -EIO.
	 */
	int (*post_send)(struct xr_ep *ep, const struct xr_sge *sge,
			 uint32_t nsge, bool invalidate, uint32_t inv_handle,
			 void *ctx);

	/*
	 * post_write / post_read: one-sided RDMA from/into the local sges to
	 * the peer's (handle, wire offset).  -ENOSPC, -EINVAL, -ENOTCONN,
	 * -EIO.
	 */
	int (*post_write)(struct xr_ep *ep, const struct xr_sge *sge,
			  uint32_t nsge, uint64_t remote_offset,
			  uint32_t remote_handle, void *ctx);
	int (*post_read)(struct xr_ep *ep, const struct xr_sge *sge,
			 uint32_t nsge, uint64_t remote_offset,
			 uint32_t remote_handle, void *ctx);

	/* wait_fd: descriptor that turns readable when work may be pending. */
	int (*wait_fd)(struct xr_fabric *fab);

	/*
	 * arm: prepare to sleep on wait_fd.  0: safe to sleep; -EAGAIN: work
	 * is pending, poll instead; other negative errno on failure.
	 */
	int (*arm)(struct xr_fabric *fab);

	/*
	 * poll: up to max completions from every endpoint (also drives
	 * progress for backends that need it).  Returns the number stored
	 * (0 when none) or a negative errno.
	 */
	int (*poll)(struct xr_fabric *fab, struct xr_completion *out, int max);

	/*
	 * get_event: next connection event.  0 with *ev filled, -EAGAIN when
	 * none is pending, other negative errno on failure.
	 */
	int (*get_event)(struct xr_fabric *fab, struct xr_event *ev);
};

/*
 * Open a fabric with the backend params->xfp_backend.  Returns 0, or
 * -ENOENT for an unknown backend name, or the backend's open error; errbuf
 * (may be NULL) then says which backend failed and why.
 */
int xr_fabric_open(const struct xr_fabric_params *params,
		   struct xr_fabric **out, char *errbuf, size_t errlen);

/* Close a fabric and everything in it.  NULL is ignored. */
void xr_fabric_close(struct xr_fabric *fab);

/* The ops table of a backend by name, or NULL if there is none. */
const struct xr_fabric_ops *xr_fabric_find_backend(const char *name);

/* Name of the backend a fabric runs on ("verbs", "ofi"). */
const char *xr_fabric_backend_name(const struct xr_fabric *fab);

/*
 * Whether the fabric allows every bit of cap (enum xr_fabric_cap): the
 * backend's caps, less what a test took away from this one fabric.
 */
bool xr_fabric_has_cap(const struct xr_fabric *fab, unsigned int cap);

/* The last error message of the fabric ("" when none yet). */
const char *xr_fabric_strerror(const struct xr_fabric *fab);

/* Most private data the backend carries in connect / accept / reject. */
uint32_t xr_fabric_pdata_max(const struct xr_fabric *fab);

/*
 * Whether the local side of an operation needs a registration.  true
 * (verbs: every sge needs an lkey; loop): each sge's ge_mr must be a
 * region covering it.  false (ofi when the provider does not ask for
 * FI_MR_LOCAL, as libfabric tcp): the local sges of post_send, post_write
 * and post_read may carry ge_mr NULL - the backend moves the bytes at
 * that virtual address while the operation runs, so the memory must stay
 * mapped and unchanged until its completion, as with a registration.
 * Memory the peer addresses (rkeys) always needs reg_mr.
 */
bool xr_fabric_local_needs_reg(const struct xr_fabric *fab);

/*
 * Queue sizes for a connection that grants `credits` RPC credits: one
 * receive per credit and room for a send plus RDMA ops for each.  Returns
 * -EINVAL for 0 credits or more than 1024 (RFC 8166 leaves it to us).
 */
int xr_ep_attr_from_credits(uint32_t credits, struct xr_ep_attr *attr);

/* Wrappers: see the member of the same name in struct xr_fabric_ops. */
int xr_listen(struct xr_fabric *fab, const char *addr, uint16_t port,
	      int backlog, struct xr_listener **out);
uint16_t xr_listener_port(struct xr_listener *l);
void xr_listener_close(struct xr_listener *l);
int xr_accept(struct xr_conn_req *req, const struct xr_ep_attr *attr,
	      const struct xr_recv *prepost, uint32_t nprepost,
	      const void *pdata, uint32_t pdata_len, void *ctx,
	      struct xr_ep **out);
int xr_reject(struct xr_conn_req *req, const void *pdata, uint32_t pdata_len);
int xr_connect(struct xr_fabric *fab, const char *addr, uint16_t port,
	       const struct xr_ep_attr *attr, const struct xr_recv *prepost,
	       uint32_t nprepost, const void *pdata, uint32_t pdata_len,
	       void *ctx, struct xr_ep **out);
int xr_disconnect(struct xr_ep *ep);
void xr_ep_destroy(struct xr_ep *ep);
int xr_reg_mr(struct xr_fabric *fab, void *addr, size_t len,
	      unsigned int access, struct xr_mr **out);
void xr_dereg_mr(struct xr_mr *mr);
uint32_t xr_mr_handle(const struct xr_mr *mr);
uint64_t xr_mr_wire_offset(const struct xr_mr *mr, const void *addr);
int xr_ep_addrs(struct xr_ep *ep, struct sockaddr_storage *local,
		struct sockaddr_storage *peer);
int xr_post_recvs(struct xr_ep *ep, const struct xr_recv *recvs, uint32_t n,
		  uint32_t *posted);
int xr_post_send(struct xr_ep *ep, const struct xr_sge *sge, uint32_t nsge,
		 bool invalidate, uint32_t inv_handle, void *ctx);
int xr_post_write(struct xr_ep *ep, const struct xr_sge *sge, uint32_t nsge,
		  uint64_t remote_offset, uint32_t remote_handle, void *ctx);
int xr_post_read(struct xr_ep *ep, const struct xr_sge *sge, uint32_t nsge,
		 uint64_t remote_offset, uint32_t remote_handle, void *ctx);
int xr_fabric_wait_fd(struct xr_fabric *fab);
int xr_fabric_arm(struct xr_fabric *fab);
int xr_fabric_poll(struct xr_fabric *fab, struct xr_completion *out, int max);
int xr_fabric_get_event(struct xr_fabric *fab, struct xr_event *ev);

/* The caller's context of an endpoint (from accept/connect). */
void *xr_ep_context(const struct xr_ep *ep);

/* Operations posted on ep whose completion has not been delivered yet. */
uint32_t xr_ep_outstanding(const struct xr_ep *ep);

/* The fabric an endpoint belongs to. */
struct xr_fabric *xr_ep_fabric(const struct xr_ep *ep);

#endif /* XR_FABRIC_H */
