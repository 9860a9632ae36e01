/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gr_conns: raw RPC-over-RDMA connections to a running NFS-over-RDMA server,
 * for the connection-slot guards (handshake and idle timeouts, the
 * per-address cap).
 *
 *   gr_conns hold ADDR PORT SRC N SECS
 *	open N connections from local address SRC, one after another, and
 *	send nothing on any of them.  Prints "connect I ok" or "connect I
 *	refused" for each, then "established E refused R", then waits up to
 *	SECS seconds for the server to close the established ones and
 *	prints "closed C after T s" (C of E closed when it stops waiting).
 *   gr_conns call ADDR PORT SRC SECS
 *	one connection from SRC, one NFS NULL call.  Prints "call ok" or
 *	"call refused" / "call failed: why"; then, with SECS > 0, stays
 *	silent and prints "closed after T s" when the server closes the
 *	connection, "open after T s" if it did not within SECS.
 *   gr_conns abandon ADDR PORT SRC N
 *	N times: connect, send an NFS NULL call and disconnect at once,
 *	without waiting for the reply (the server answers a connection that
 *	is going or gone).  Prints "abandoned A of N" (A: calls sent).
 *
 * How this works: the project's fabric seam (ofi backend, libfabric's tcp
 * provider), opened with SRC as its local address, so that connections
 * leave from it (127.0.0.2, 127.0.0.3 ... on loopback).  RFC 8797 private
 * data in the connect, the header built by the codec.  Exit 0 when the
 * tool could do what it was asked (the calling script judges the output),
 * 1 on a usage or setup error, 77 when the fabric cannot be opened.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xr_cm.h"
#include "xr_fabric.h"
#include "xr_hdr.h"

#define NRECV 4
#define SLOT 4096
#define MAXCONN 64
#define NFS_PROGRAM 100003u

enum conn_state { CS_CONNECTING, CS_UP, CS_DOWN };

struct conn {
	struct xr_ep *ep;
	enum conn_state state;
	bool refused; /* ended before it was established */
	int got;      /* length of the message received, 0 for none */
	uint8_t msg[SLOT];
};

static struct xr_fabric *fab;
static struct xr_mr *mr;
static uint8_t *bufs; /* per connection NRECV receive slots + 1 send slot */
static struct conn conns[MAXCONN];
static uint32_t nconns;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *slot(uint32_t conn, uint32_t i)
{
	return bufs + ((size_t)conn * (NRECV + 1) + i) * SLOT;
}

static struct conn *conn_of(struct xr_ep *ep)
{
	uint32_t i;

	for (i = 0; i < nconns; i++)
		if (conns[i].ep == ep)
			return &conns[i];
	return NULL;
}

/* One round of events and completions, sleeping up to 10 ms first. */
static void progress(void)
{
	struct pollfd pfd = {.fd = xr_fabric_wait_fd(fab), .events = POLLIN};
	struct xr_completion wc[16];
	struct xr_event ev;
	struct conn *c;
	int n, k;

	if (xr_fabric_arm(fab) == 0)
		poll(&pfd, 1, 10);
	while (xr_fabric_get_event(fab, &ev) == 0) {
		c = conn_of(ev.xv_ep);
		if (!c)
			continue;
		if (ev.xv_type == XR_EV_ESTABLISHED) {
			c->state = CS_UP;
		} else if (ev.xv_type == XR_EV_DISCONNECTED ||
			   ev.xv_type == XR_EV_ERROR ||
			   ev.xv_type == XR_EV_REJECTED) {
			if (c->state == CS_CONNECTING)
				c->refused = true;
			c->state = CS_DOWN;
		}
	}
	n = xr_fabric_poll(fab, wc, 16);
	for (k = 0; k < n; k++) {
		c = conn_of(wc[k].xc_ep);
		if (!c || wc[k].xc_op != XR_OP_RECV || wc[k].xc_status)
			continue;
		if (!c->got && wc[k].xc_len <= SLOT) {
			memcpy(c->msg, wc[k].xc_ctx, wc[k].xc_len);
			c->got = (int)wc[k].xc_len;
		}
	}
}

/* Connect one more endpoint and wait (up to 10 s) for its outcome. */
static struct conn *open_conn(const char *addr, uint16_t port)
{
	struct xr_cm_private mine = {.pd_send_size = SLOT,
				     .pd_recv_size = SLOT};
	struct xr_recv pre[NRECV];
	struct xr_ep_attr attr;
	uint8_t pdata[8];
	struct conn *c;
	uint32_t i, me;
	double end;

	if (nconns == MAXCONN)
		return NULL;
	me = nconns++;
	c = &conns[me];
	for (i = 0; i < NRECV; i++)
		pre[i] = (struct xr_recv){.rcv_ctx = slot(me, i),
					  .rcv_sge = {{slot(me, i), SLOT, mr}},
					  .rcv_nsge = 1};
	xr_cm_encode(&mine, pdata, sizeof(pdata));
	xr_ep_attr_from_credits(NRECV, &attr);
	if (xr_connect(fab, addr, port, &attr, pre, NRECV, pdata, sizeof(pdata),
		       c, &c->ep)) {
		c->state = CS_DOWN;
		c->refused = true;
		return c;
	}
	end = now_s() + 10;
	while (c->state == CS_CONNECTING && now_s() < end)
		progress();
	if (c->state == CS_CONNECTING) {
		c->state = CS_DOWN;
		c->refused = true;
	}
	return c;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* An NFS NULL call; true when a normal RPC reply came back. */
static bool null_call(struct conn *c)
{
	uint32_t me = (uint32_t)(c - conns), xid = 0x636f6e6e, i;
	const uint32_t rpc[10] = {xid, 0, 2, NFS_PROGRAM, 4, 0, 0, 0, 0, 0};
	uint8_t *m = slot(me, NRECV);
	struct xr_chunk ch[1];
	struct xr_segment sg[1];
	struct xr_hdr h;
	struct xr_sge sge;
	ssize_t len;
	double end;

	xr_hdr_init(&h, ch, 1, sg, 1);
	h.h_xid = xid;
	h.h_vers = XR_RPCRDMA_VERSION;
	h.h_credits = NRECV;
	h.h_proc = XR_RDMA_MSG;
	len = xr_hdr_encode(&h, m, SLOT);
	if (len < 0)
		return false;
	for (i = 0; i < 10; i++)
		put32(m + len + 4 * i, rpc[i]);
	sge = (struct xr_sge){m, (uint32_t)len + 40, mr};
	if (xr_post_send(c->ep, &sge, 1, false, 0, NULL))
		return false;
	end = now_s() + 10;
	while (!c->got && c->state == CS_UP && now_s() < end)
		progress();
	/* 28-byte header (xid, vers, credits, RDMA_MSG, 3 empty lists) */
	return c->got >= 28 + 24 && get32(c->msg) == xid &&
	       get32(c->msg + 28) == xid && get32(c->msg + 28 + 4) == 1 &&
	       get32(c->msg + 28 + 8) == 0 && get32(c->msg + 28 + 20) == 0;
}

/*
 * Post a NULL call on @c and leave: disconnect before its reply, wait for
 * the fabric to give the endpoint back, destroy it.  True when the call
 * went out.
 */
static bool abandon_one(struct conn *c)
{
	uint32_t me = (uint32_t)(c - conns), i, k;
	const uint32_t rpc[10] = {0x61626e64, 0, 2, NFS_PROGRAM, 4,
				  0,	      0, 0, 0,		 0};
	uint8_t *m = slot(me, NRECV);
	struct xr_chunk ch[1];
	struct xr_segment sg[1];
	struct xr_hdr h;
	struct xr_sge sge;
	ssize_t len;
	bool sent;

	xr_hdr_init(&h, ch, 1, sg, 1);
	h.h_xid = rpc[0];
	h.h_vers = XR_RPCRDMA_VERSION;
	h.h_credits = NRECV;
	h.h_proc = XR_RDMA_MSG;
	len = xr_hdr_encode(&h, m, SLOT);
	if (len < 0)
		return false;
	for (i = 0; i < 10; i++)
		put32(m + len + 4 * i, rpc[i]);
	sge = (struct xr_sge){m, (uint32_t)len + 40, mr};
	sent = !xr_post_send(c->ep, &sge, 1, false, 0, NULL);
	xr_disconnect(c->ep);
	for (k = 0; k < 500 && xr_ep_outstanding(c->ep); k++)
		progress();
	xr_ep_destroy(c->ep);
	c->ep = NULL;
	return sent;
}

/* Wait up to secs for every established connection to be closed. */
static uint32_t wait_closed(uint32_t want, double secs, double *took)
{
	double start = now_s();
	uint32_t i, closed;

	for (;;) {
		closed = 0;
		for (i = 0; i < nconns; i++)
			if (!conns[i].refused && conns[i].state == CS_DOWN)
				closed++;
		*took = now_s() - start;
		if (closed == want || *took >= secs)
			return closed;
		progress();
	}
}

static void teardown(void)
{
	uint32_t i, k;

	for (i = 0; i < nconns; i++) {
		if (!conns[i].ep)
			continue;
		if (conns[i].state != CS_DOWN)
			xr_disconnect(conns[i].ep);
		for (k = 0; k < 500 && xr_ep_outstanding(conns[i].ep); k++)
			progress();
		xr_ep_destroy(conns[i].ep);
	}
	xr_dereg_mr(mr);
	xr_fabric_close(fab);
	free(bufs);
}

static int open_fabric(struct xr_fabric_params *fp)
{
	size_t size = (size_t)MAXCONN * (NRECV + 1) * SLOT;
	char err[256];

	if (xr_fabric_open(fp, &fab, err, sizeof(err))) {
		printf("SKIP: cannot open the ofi fabric from %s: %s\n",
		       fp->xfp_local_addr, err);
		return 77;
	}
	bufs = aligned_alloc(4096, size);
	if (!bufs || xr_reg_mr(fab, bufs, size, XR_ACCESS_LOCAL, &mr)) {
		fprintf(stderr, "gr_conns: cannot register %zu bytes\n", size);
		return 1;
	}
	return 0;
}

/* gr_conns abandon: one connection slot, reused N times. */
static int run_abandon(const char *addr, uint16_t port,
		       struct xr_fabric_params *fp, uint32_t n)
{
	uint32_t i, sent = 0;
	struct conn *c;
	int ret = open_fabric(fp);

	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		nconns = 0;
		memset(&conns[0], 0, sizeof(conns[0]));
		c = open_conn(addr, port);
		if (c->refused) {
			if (c->ep)
				xr_ep_destroy(c->ep);
			printf("connect %u refused\n", i + 1);
			continue;
		}
		if (abandon_one(c))
			sent++;
	}
	nconns = 0;
	printf("abandoned %u of %u\n", sent, n);
	fflush(stdout);
	teardown();
	return 0;
}

int main(int argc, char **argv)
{
	struct xr_fabric_params fp = {.xfp_backend = "ofi"};
	uint32_t i, n = 1, est = 0;
	const char *addr;
	uint16_t port;
	double secs, took;
	bool hold;
	int ret;

	if (argc < 6 ||
	    (strcmp(argv[1], "hold") && strcmp(argv[1], "call") &&
	     strcmp(argv[1], "abandon")) ||
	    (!strcmp(argv[1], "hold") && argc != 7)) {
		fprintf(stderr, "usage: gr_conns hold ADDR PORT SRC N SECS\n"
				"       gr_conns call ADDR PORT SRC SECS\n"
				"       gr_conns abandon ADDR PORT SRC N\n");
		return 1;
	}
	hold = !strcmp(argv[1], "hold");
	addr = argv[2];
	port = (uint16_t)atoi(argv[3]);
	fp.xfp_local_addr = argv[4];
	if (!strcmp(argv[1], "abandon"))
		return run_abandon(addr, port, &fp, (uint32_t)atoi(argv[5]));
	if (hold)
		n = (uint32_t)atoi(argv[5]);
	secs = atof(argv[hold ? 6 : 5]);
	if (!n || n > MAXCONN) {
		fprintf(stderr, "gr_conns: N must be 1..%u\n", MAXCONN);
		return 1;
	}
	ret = open_fabric(&fp);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		struct conn *c = open_conn(addr, port);

		if (hold)
			printf("connect %u %s\n", i + 1,
			       c->refused ? "refused" : "ok");
		if (!c->refused)
			est++;
	}
	if (hold) {
		printf("established %u refused %u\n", est, n - est);
		fflush(stdout);
		i = wait_closed(est, secs, &took);
		printf("closed %u after %.1f s\n", i, took);
	} else if (!est) {
		printf("call refused\n");
	} else if (!null_call(&conns[0])) {
		printf("call failed: %s\n", conns[0].state == CS_DOWN
						? "connection closed"
						: "no normal NULL reply");
	} else {
		printf("call ok\n");
		fflush(stdout);
		if (secs > 0) {
			i = wait_closed(1, secs, &took);
			printf("%s after %.1f s\n", i ? "closed" : "open",
			       took);
		}
	}
	fflush(stdout);
	teardown();
	return 0;
}
