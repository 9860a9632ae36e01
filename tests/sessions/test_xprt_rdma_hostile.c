/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A backend that claims READ data it never placed (issue 11, finding 5).
 *
 * How this works: the session client's RDMA transport (sess_xprt_rdma.c)
 * and COMPOUND decoder (sess_codec.c, included) run against a raw
 * server on the in-process "loop" fabric.  The server answers a
 * SEQUENCE + PUTFH + READ call with a Write chunk that echoes the client's
 * segment at its full length and a READ count of that many bytes - and
 * writes either nothing (the liar) or a pattern over the first half only
 * (the half-liar), or all of it (honest).  The caller's buffer starts full
 * of a "secret" byte, standing for the heap Ganesha's READ buffer is cut
 * from: whatever the server claims, no secret byte may come back as data.
 * A reply the client refuses (its Write chunk moved off the offered
 * segment) after the server filled that segment must leave nothing for
 * the next liar to serve: the engine zeroes a failed call's blocks whole.
 *
 * The same server also answers by RDMA_NOMSG through the Reply chunk
 * (issue 11 review, finding 5 variant): after an honest reply carrying
 * READ data of another byte (standing for another client's file), it
 * claims a reply of the same length and writes nothing, or only the
 * header (right xid, no data), or replays the earlier reply whole (its
 * xid).  The reply buffer is reused across calls: none of these may
 * hand the earlier call's data back.
 *
 * The engine, not the transport, keeps the secret (cr_result_scrub): it
 * zeroes the caller's buffer only when it registers that buffer for the
 * server, and leaves it alone when the data comes through its bounce
 * pool.  So every case runs once per way a Write chunk can be offered:
 * from the pool (verbs' and loop's default), with no pool (ofi's: per-call
 * registration, zeroed before the lock), and with a pool too small for
 * the chunk (a miss: registered per call, zeroed under the lock) - the
 * counters prove which way each run went.  The fabric is the first
 * argument: loop (default) and ofi in ctest, verbs in the vm tier, with
 * the device's address as the second (default 127.0.0.1).
 */
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sessions/sess_codec.c"
#include "gr_check.h"
#include "sess_xprt_rdma.h"
#include "xr_cm.h"
#include "xr_fabric.h"
#include "xr_hdr.h"
#include "gr_raw_server.h"

/*
 * A READ result's data as the generic decoder left it: a counted char *
 * in Ganesha 4.3's nfsv41.h, an io_data's iovec in 6.x.
 */
static const uint8_t *read_data(const READ4resok *ok)
{
#if GR_GANESHA_VERSION_MAJOR >= 6
	return ok->data.iovcnt ? ok->data.iov[0].iov_base : NULL;
#else
	return (const uint8_t *)ok->data.data_val;
#endif
}

#define SLOT 8192
#define NSLOTS 8
#define DATA_LEN 65536
#define SECRET 0xA5

enum lie {
	LIE_ALL,
	LIE_HALF,
	HONEST,
	BAD_SEG,      /* writes all of it, answers with a segment moved */
	NOMSG_HONEST, /* a whole reply in the Reply chunk */
	NOMSG_NONE,   /* claims the last length, writes nothing */
	NOMSG_HEAD,   /* writes the header, not the READ data */
	NOMSG_REPLAY, /* writes the last reply again, its xid and all */
};

#define NOMSG_DATA 4096
#define OTHER 0x5A /* the data of the honest NOMSG reply */

struct server {
	struct xr_fabric *fab;
	struct xr_listener *lst;
	struct xr_ep *ep;
	struct xr_mr *mr;
	uint8_t *buf; /* NSLOTS receive slots, a send slot, the data */
	volatile enum lie lie;
	volatile bool stop;
	uint32_t last_xid;   /* of the last honest NOMSG reply */
	uint32_t last_claim; /* its length */
	uint16_t port;
	pthread_t thr;
};

static size_t put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
	return 4;
}

static void post_recv(struct server *s, uint8_t *slot)
{
	struct xr_recv r = {
	    .rcv_ctx = slot, .rcv_sge = {{slot, SLOT, s->mr}}, .rcv_nsge = 1};
	uint32_t posted;

	(void)xr_post_recvs(s->ep, &r, 1, &posted);
}

/* Answer by RDMA_NOMSG: the reply through the Reply chunk offered. */
static void answer_nomsg(struct server *s, const struct xr_hdr *h)
{
	const struct xr_chunk *rc = xr_hdr_reply_chunk(h);
	uint8_t *out = s->buf + NSLOTS * SLOT, *body = out + SLOT;
	const struct xr_segment *r;
	uint32_t xid = h->h_xid, place = 0;
	struct xr_sge sge;
	size_t n = 0, b = 0;
	int i;

	if (!rc)
		return;
	r = xr_chunk_seg(h, rc, 0);
	if (s->lie == NOMSG_REPLAY)
		xid = s->last_xid;
	/* RPC reply, accepted, AUTH_NONE, SUCCESS; COMPOUND OK, 3 results */
	b += put32(body + b, xid);
	b += put32(body + b, 1);
	for (i = 0; i < 4; i++)
		b += put32(body + b, 0);
	b += put32(body + b, 0);
	b += put32(body + b, 0);
	b += put32(body + b, 3);
	b += put32(body + b, NFS4_OP_SEQUENCE);
	b += put32(body + b, 0);
	for (i = 0; i < 4; i++)
		b += put32(body + b, 0x30313233);
	for (i = 0; i < 5; i++)
		b += put32(body + b, 0);
	b += put32(body + b, NFS4_OP_PUTFH);
	b += put32(body + b, 0);
	b += put32(body + b, NFS4_OP_READ);
	b += put32(body + b, 0);
	b += put32(body + b, 1);
	b += put32(body + b, NOMSG_DATA);
	switch (s->lie) {
	case NOMSG_HONEST:
	case NOMSG_REPLAY:
		memset(body + b, OTHER, NOMSG_DATA);
		place = (uint32_t)b + NOMSG_DATA;
		break;
	case NOMSG_HEAD:
		place = (uint32_t)b;
		break;
	default:
		break;
	}
	if (s->lie == NOMSG_HONEST) {
		s->last_xid = h->h_xid;
		s->last_claim = place;
	}
	if (place) {
		sge = (struct xr_sge){body, place, s->mr};
		(void)xr_post_write(s->ep, &sge, 1, r->seg_offset,
				    r->seg_handle, NULL);
	}
	n += put32(out + n, h->h_xid);
	n += put32(out + n, 1);
	n += put32(out + n, h->h_credits);
	n += put32(out + n, 1); /* RDMA_NOMSG */
	n += put32(out + n, 0); /* no Read list */
	n += put32(out + n, 0); /* no Write list */
	n += put32(out + n, 1); /* a Reply chunk */
	n += put32(out + n, 1); /* of one segment */
	n += put32(out + n, r->seg_handle);
	n += put32(out + n, s->last_claim); /* the honest length */
	n += put32(out + n, (uint32_t)(r->seg_offset >> 32));
	n += put32(out + n, (uint32_t)r->seg_offset);
	sge = (struct xr_sge){out, (uint32_t)n, s->mr};
	(void)xr_post_send(s->ep, &sge, 1, false, 0, NULL);
}

/* Answer one call: the READ's data "in" the Write chunk it offered. */
static void answer(struct server *s, const uint8_t *msg, size_t len)
{
	struct xr_chunk ch[4];
	struct xr_segment sg[4];
	struct xr_hdr_limits lim = {.hl_dir = XR_DIR_CALL,
				    .hl_max_read_segs = 4,
				    .hl_max_write_chunks = 4,
				    .hl_max_chunk_segs = 4,
				    .hl_max_chunk_bytes =
					1u << 24, /* the Reply chunk: 1 MiB + */
				    .hl_inline_size = SLOT};
	enum xr_hdr_reason why;
	const struct xr_segment *w;
	uint8_t *out = s->buf + NSLOTS * SLOT, *data = out + SLOT;
	struct xr_sge sge;
	struct xr_hdr h;
	uint32_t placed, moved;
	size_t n = 0;
	int i;

	xr_hdr_init(&h, ch, 4, sg, 4);
	if (xr_hdr_decode(msg, len, &lim, &h, &why))
		return;
	if (s->lie >= NOMSG_HONEST) {
		answer_nomsg(s, &h);
		return;
	}
	if (h.h_nwrite != 1)
		return;
	w = xr_chunk_seg(&h, xr_hdr_write_chunk(&h, 0), 0);
	placed = s->lie == LIE_ALL    ? 0
		 : s->lie == LIE_HALF ? w->seg_length / 2
				      : w->seg_length;
	moved = s->lie == BAD_SEG ? 4 : 0;
	if (placed) {
		memset(data, 0x42, placed);
		sge = (struct xr_sge){data, placed, s->mr};
		(void)xr_post_write(s->ep, &sge, 1, w->seg_offset,
				    w->seg_handle, NULL);
	}
	/* transport header: RDMA_MSG, the Write chunk at full length */
	n += put32(out + n, h.h_xid);
	n += put32(out + n, 1);
	n += put32(out + n, h.h_credits);
	n += put32(out + n, 0); /* RDMA_MSG */
	n += put32(out + n, 0); /* no Read list */
	n += put32(out + n, 1); /* one Write chunk */
	n += put32(out + n, 1); /* of one segment */
	n += put32(out + n, w->seg_handle);
	n += put32(out + n, w->seg_length); /* "all of it" */
	n += put32(out + n, (uint32_t)((w->seg_offset + moved) >> 32));
	n += put32(out + n, (uint32_t)(w->seg_offset + moved));
	n += put32(out + n, 0); /* end of Write list */
	n += put32(out + n, 0); /* no Reply chunk */
	/* RPC reply, accepted, AUTH_NONE, SUCCESS */
	n += put32(out + n, h.h_xid);
	n += put32(out + n, 1);
	n += put32(out + n, 0);
	n += put32(out + n, 0);
	n += put32(out + n, 0);
	n += put32(out + n, 0);
	/* COMPOUND: OK, no tag, 3 results */
	n += put32(out + n, 0);
	n += put32(out + n, 0);
	n += put32(out + n, 3);
	n += put32(out + n, NFS4_OP_SEQUENCE);
	n += put32(out + n, 0);
	for (i = 0; i < 4; i++)
		n += put32(out + n, 0x30313233); /* session id */
	for (i = 0; i < 5; i++)
		n += put32(out + n, 0);
	n += put32(out + n, NFS4_OP_PUTFH);
	n += put32(out + n, 0);
	n += put32(out + n, NFS4_OP_READ);
	n += put32(out + n, 0);
	n += put32(out + n, 1);		    /* eof */
	n += put32(out + n, w->seg_length); /* count: "all of it" */
	sge = (struct xr_sge){out, (uint32_t)n, s->mr};
	(void)xr_post_send(s->ep, &sge, 1, false, 0, NULL);
}

static void *server_loop(void *arg)
{
	struct server *s = arg;
	struct pollfd pfd = {.fd = xr_fabric_wait_fd(s->fab), .events = POLLIN};
	struct xr_completion wc[8];
	int i, n;

	while (!s->stop) {
		struct xr_ep *last = s->ep;

		/* one client at a time: a new one replaces the last */
		gr_raw_accept(s->fab, s->buf, SLOT, NSLOTS, s->mr, &s->ep);
		if (last && s->ep != last)
			xr_ep_destroy(last);
		n = xr_fabric_poll(s->fab, wc, 8);
		for (i = 0; i < n; i++) {
			if (wc[i].xc_op != XR_OP_RECV || wc[i].xc_status)
				continue;
			answer(s, wc[i].xc_ctx, wc[i].xc_len);
			post_recv(s, wc[i].xc_ctx);
		}
		if (n <= 0 && xr_fabric_arm(s->fab) == 0)
			poll(&pfd, 1, 10);
	}
	return NULL;
}

static int server_start(struct server *s, const char *fabric, const char *addr)
{
	struct xr_fabric_params fp = {.xfp_backend = fabric};
	char err[256];
	int ret;

	memset(s, 0, sizeof(*s));
	ret = xr_fabric_open(&fp, &s->fab, err, sizeof(err));
	if (ret)
		return ret;
	s->buf = aligned_alloc(4096, (NSLOTS + 1) * SLOT + DATA_LEN);
	ret = xr_reg_mr(s->fab, s->buf, (NSLOTS + 1) * SLOT + DATA_LEN,
			XR_ACCESS_LOCAL, &s->mr);
	if (!ret)
		ret = xr_listen(s->fab, addr, 0, 4, &s->lst);
	if (ret)
		return ret;
	s->port = xr_listener_port(s->lst);
	return pthread_create(&s->thr, NULL, server_loop, s) ? -EAGAIN : 0;
}

/*
 * SEQUENCE, PUTFH, READ of @count into @bulk (NULL: no bulk buffer, the
 * data comes back in the reply).  Returns sess_raw_call()'s result and
 * the READ's data length in *got (0 when the call failed); *r is left
 * for the caller to free when the call succeeded.
 */
static int read_call(struct sess_client *cl, uint32_t count, uint8_t *bulk,
		     nfs_argop4 *args, nfs_resop4 *res, struct sess_raw *r,
		     uint32_t *got)
{
	int ret;

	memset(args, 0, 3 * sizeof(*args));
	args[0].argop = NFS4_OP_SEQUENCE;
	args[1].argop = NFS4_OP_PUTFH;
	args[2].argop = NFS4_OP_READ;
	args[2].nfs_argop4_u.opread.count = count;
	*r = (struct sess_raw){.r_args = args,
			       .r_nargs = 3,
			       .r_res = res,
			       .r_bulk_in = bulk,
			       .r_bulk_in_cap = bulk ? count : 0};
	ret = sess_raw_call(cl, r);
	*got = ret ? 0
		   : res[2].nfs_resop4_u.opread.READ4res_u.resok4.data.data_len;
	return ret;
}

/* One READ of DATA_LEN bytes into a buffer full of secrets. */
static void read_case(struct sess_client *cl, struct server *s, enum lie lie,
		      const char *name)
{
	static uint8_t buf[DATA_LEN];
	nfs_argop4 args[3];
	nfs_resop4 res[3];
	struct sess_raw r;
	uint32_t got = 0, secrets = 0, pattern = 0, i;
	int ret;

	s->lie = lie;
	memset(buf, SECRET, sizeof(buf));
	ret = read_call(cl, DATA_LEN, buf, args, res, &r, &got);
	if (ret == 0)
		sess_raw_free(&r);
	for (i = 0; i < got; i++) {
		secrets += buf[i] == SECRET;
		pattern += buf[i] == 0x42;
	}
	printf("%s: call %d, %u bytes served, %u of them secret, %u placed\n",
	       name, ret, got, secrets, pattern);
	CHECK(ret == 0 && got == DATA_LEN); /* claimed: "all of it" */
	CHECK(secrets == 0);
	CHECK(pattern == (lie == LIE_ALL    ? 0
			  : lie == LIE_HALF ? DATA_LEN / 2
					    : DATA_LEN));
}

/*
 * A READ whose reply the client refuses (its Write chunk names another
 * segment than the one offered) after the server filled the offered one:
 * the call fails, and what was written there must not come back as the
 * data of a later call that claims bytes it never wrote (the bounce pool
 * zeroes all of a sink block when its call failed).
 */
static void bad_seg_case(struct sess_client *cl, struct server *s)
{
	static uint8_t buf[DATA_LEN];
	nfs_argop4 args[3];
	nfs_resop4 res[3];
	struct sess_raw r;
	uint32_t got;
	int ret;

	s->lie = BAD_SEG;
	ret = read_call(cl, DATA_LEN, buf, args, res, &r, &got);
	if (ret == 0)
		sess_raw_free(&r);
	printf("Write chunk moved: call %d\n", ret);
	CHECK(ret != 0);
}

/*
 * One READ answered by RDMA_NOMSG, its data inline in the reply.  Only
 * the honest reply may succeed, and no other reply may yield the data.
 */
static void nomsg_case(struct sess_client *cl, struct server *s, enum lie lie,
		       const char *name)
{
	nfs_argop4 args[3];
	nfs_resop4 res[3];
	struct sess_raw r;
	uint32_t got = 0, other = 0, i;
	const uint8_t *d;
	int ret;

	s->lie = lie;
	ret = read_call(cl, NOMSG_DATA, NULL, args, res, &r, &got);
	if (ret == 0) {
		d = read_data(&res[2].nfs_resop4_u.opread.READ4res_u.resok4);
		for (i = 0; i < got; i++)
			other += d[i] == OTHER;
		sess_raw_free(&r);
	}
	printf("%s: call %d, %u bytes served, %u of them the earlier call's\n",
	       name, ret, got, other);
	if (lie == NOMSG_HONEST) {
		CHECK(ret == 0 && got == NOMSG_DATA && other == NOMSG_DATA);
		return;
	}
	CHECK(other == 0);
	/* a reply to another call, or none at all, is refused outright */
	if (lie != NOMSG_HEAD)
		CHECK(ret == -EBADMSG);
}

/* How the engine offers the Write chunk: the bounce pool's size. */
enum way { WAY_POOL, WAY_NOPOOL, WAY_MISS };

static const char *const way_name[] = {"bounce pool", "no pool",
				       "pool too small (miss)"};

static void run_cases(struct sess_client *cl, struct server *s)
{
	read_case(cl, s, HONEST, "honest");
	read_case(cl, s, LIE_ALL, "claims 64 KiB, writes none");
	read_case(cl, s, LIE_HALF, "claims 64 KiB, writes half");
	bad_seg_case(cl, s);
	read_case(cl, s, LIE_ALL,
		  "claims 64 KiB after a refused reply, writes none");
	nomsg_case(cl, s, NOMSG_HONEST, "NOMSG honest");
	nomsg_case(cl, s, NOMSG_NONE, "NOMSG claims, writes none");
	nomsg_case(cl, s, NOMSG_HONEST, "NOMSG honest");
	nomsg_case(cl, s, NOMSG_HEAD, "NOMSG writes no data");
	nomsg_case(cl, s, NOMSG_HONEST, "NOMSG honest");
	nomsg_case(cl, s, NOMSG_REPLAY, "NOMSG replays the last");
	nomsg_case(cl, s, NOMSG_HONEST, "NOMSG honest, after all");
}

/* One client engine, offering its Write chunks @way, through the cases. */
static void run_way(struct server *s, const char *fabric, const char *addr,
		    enum way way)
{
	struct sess_xprt_rdma_opts o = {.host = addr,
					.fabric = fabric,
					.credits = 4,
					.inline_size = SLOT,
					.timeout_ms = 10000,
					.port = s->port};
	struct sess_client *cl = calloc(1, sizeof(*cl));
	struct sess_xprt_stats st;
	int ret;

	/* read at engine create (xr_clnt_check_params()) */
	setenv("XR_CLNT_BOUNCE",
	       way == WAY_POOL	   ? "4194304"
	       : way == WAY_NOPOOL ? "0"
				   : "16384", /* under DATA_LEN: a miss */
	       1);
	printf("-- %s at %s, %s\n", fabric, addr, way_name[way]);
	CHECK(cl != NULL);
	if (!cl)
		return;
	pthread_mutex_init(&cl->cl_lock, NULL);
	cl->cl_xprt = sess_xprt_rdma_create(&o);
	CHECK(cl->cl_xprt != NULL);
	if (!cl->cl_xprt) {
		free(cl);
		return;
	}
	ret = cl->cl_xprt->x_ops->connect(cl->cl_xprt);
	CHECK(ret == 0);
	if (ret == 0) {
		run_cases(cl, s);
		cl->cl_xprt->x_ops->get_stats(cl->cl_xprt, &st);
		printf("bounce blocks %llu, misses %llu, registrations %llu\n",
		       (unsigned long long)st.xt_bounce_hits,
		       (unsigned long long)st.xt_bounce_misses,
		       (unsigned long long)st.xt_registrations);
		/* the way asked for is the way the Write chunks went */
		if (way == WAY_POOL)
			CHECK(st.xt_bounce_hits > 0 &&
			      st.xt_bounce_misses == 0);
		else if (way == WAY_NOPOOL)
			CHECK(st.xt_bounce_hits == 0 &&
			      st.xt_bounce_misses == 0);
		else
			CHECK(st.xt_bounce_misses >= 5); /* every READ */
	}
	cl->cl_xprt->x_ops->destroy(cl->cl_xprt);
	pthread_mutex_destroy(&cl->cl_lock);
	free(cl);
}

int main(int argc, char **argv)
{
	const char *fabric = argc > 1 ? argv[1] : "loop";
	const char *addr = argc > 2 ? argv[2] : "127.0.0.1";
	struct server s;
	int ret;

	ret = server_start(&s, fabric, addr);
	if (ret) {
		printf("SKIP: %s fabric server: %d\n", fabric, ret);
		return 77;
	}
	run_way(&s, fabric, addr, WAY_POOL);
	run_way(&s, fabric, addr, WAY_NOPOOL);
	run_way(&s, fabric, addr, WAY_MISS);
	s.stop = true;
	pthread_join(s.thr, NULL);
	if (s.ep)
		xr_ep_destroy(s.ep);
	xr_listener_close(s.lst);
	xr_dereg_mr(s.mr);
	xr_fabric_close(s.fab);
	free(s.buf);
	return gr_check_done("test_xprt_rdma_hostile");
}
