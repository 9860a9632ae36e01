/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Property test of the server engine (xr_svc) on the loop fabric.  How
 * this works:
 *
 * One engine runs on the in-process "loop" backend; this thread is a raw
 * RPC-over-RDMA client on a loop fabric of its own.  Each round opens one
 * connection and sends random transport headers that the codec accepts
 * (checked with xr_hdr_decode under the engine's own limits before they
 * go): RDMA_MSG and RDMA_NOMSG, Read chunks at random positions including
 * Position-Zero, zero-length segments, chunks of 0 bytes, Write chunks
 * and Reply chunks, all pointing into memory the client registered.  The
 * upper layer (sv_on_call) replies at once, drops, or leaves the call to
 * this thread, which answers it later - sometimes after the client left.
 * About half the rounds also inject faults on both fabrics (completions
 * withheld or held past disconnect, connections broken at a post, short
 * receive batches, -ENOSPC) or make the client stop reading.
 *
 * What must hold:
 *  - in a round without faults, every call sent is delivered to the upper
 *    layer or answered with RDMA_ERROR, and every reply or drop the upper
 *    layer makes reaches the client (replies) within a generous bound;
 *  - in such a round, once everything is answered, the connection has all
 *    its receives (credits + XR_SVC_RECV_SLACK) posted again and no call
 *    live;
 *  - each delivered call is released exactly once;
 *  - after the client disconnects, everything returns: no call, receive,
 *    registration or connection is left in the engine (its stats) or in
 *    the server's fabric (endpoints and regions, xr_loop_get_counts).
 *
 * The fuzz target fuzz_xr_svc_engine includes this file (without main)
 * and runs one round per input, the input's bytes as the random source.
 *
 * Usage: test_xr_svc_prop [seed [rounds]]; GR_PROP_SEED, GR_PROP_ROUNDS
 * and GR_PROP_SECONDS (default 4: rounds stop when it is spent) also set
 * them (GR_PROP_VERBOSE=1 prints each round's time).  The seed is printed
 * first; a failure names the round and the headers of the calls that
 * went missing.
 */
#include "xr_clnt.h"
#include "xr_cm.h"
#include "xr_core_int.h"
#include "xr_fabric_loop.h"
#include "xr_hdr.h"
#include "xr_svc.h"
#include "gr_check.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CREDITS 8u
#define INLINE 4096u
#define CLI_RECVS 16u
#define CLI_SENDS 32u
#define AREA (256u * 1024u)
#define MAX_CALLS 4096u
#define MAX_REQUEST (128u * 1024u)
#define MAX_ROUND_CALLS 40u

static uint64_t rng_state;

/*
 * The random source: xorshift from the seed - or, in the fuzz target
 * (tests/fuzz/fuzz_xr_svc_engine.c), the input's bytes first, four per
 * draw, so libFuzzer steers every decision of a round.
 */
static const uint8_t *rnd_bytes;
static size_t rnd_left;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	uint32_t v = 0;
	int i;

	if (rnd_left) {
		for (i = 0; i < 4; i++) {
			v <<= 8;
			if (rnd_left) {
				v |= *rnd_bytes++;
				rnd_left--;
			}
		}
		return v;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ---- the upper layer (engine callbacks) -------------------------------- */

enum { ST_SENT = 1, ST_DELIVERED = 2, ST_ANSWERED = 4, ST_DROPPED = 8 };

struct reply_buf {
	uint8_t rb_head[INLINE + 2048];
	struct iovec rb_h, rb_p, rb_t;
	struct xr_msg rb_msg;
};

static struct {
	pthread_mutex_t u_lock;
	uint8_t u_state[MAX_CALLS]; /* by xid - base */
	uint32_t u_releases[MAX_CALLS];
	uint32_t u_base;
	struct xr_svc_call *u_deferred[MAX_CALLS];
	uint32_t u_ndeferred;
	uint32_t u_delivered, u_released, u_dropped, u_stray;
	uint64_t u_seed; /* per-round decisions of the upper layer */
	bool u_faults;
} up = {.u_lock = PTHREAD_MUTEX_INITIALIZER};

static uint8_t payload_src[64 * 1024];

static uint64_t up_rnd(void)
{
	uint64_t x = up.u_seed;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	up.u_seed = x;
	return x * 0x2545f4914f6cdd1dull;
}

static int32_t call_slot(uint32_t xid)
{
	uint32_t i = xid - up.u_base;

	return i < MAX_CALLS ? (int32_t)i : -1;
}

/* Answer a call: a reply of random shape, or a drop. */
static void answer(struct xr_svc_call *call, bool drop)
{
	struct reply_buf *rb;
	uint32_t head, plen = 0, i;

	if (drop) {
		int32_t s;

		pthread_mutex_lock(&up.u_lock);
		s = call_slot(call->ac_xid);
		if (s >= 0)
			up.u_state[s] |= ST_DROPPED;
		up.u_dropped++;
		pthread_mutex_unlock(&up.u_lock);
		xr_svc_drop(call);
		return;
	}
	rb = calloc(1, sizeof(*rb));
	if (!rb) {
		xr_svc_drop(call);
		return;
	}
	call->ac_upper = rb;
	/* Mostly small; sometimes too big to go inline. */
	pthread_mutex_lock(&up.u_lock);
	head = up_rnd() % 8 ? 24 + 4 * (uint32_t)(up_rnd() % 32)
			    : 24 + 4 * (uint32_t)(up_rnd() % 1400);
	if (call->ac_nwrite && up_rnd() % 4)
		plen = (uint32_t)(up_rnd() % (call->ac_write_chunks[0] + 1));
	else if (up_rnd() % 8 == 0)
		plen = (uint32_t)(up_rnd() % 3000);
	pthread_mutex_unlock(&up.u_lock);
	if (plen > sizeof(payload_src))
		plen = sizeof(payload_src);
	memset(rb->rb_head, 0, head);
	put32(rb->rb_head, call->ac_xid);
	put32(rb->rb_head + 4, 1);
	for (i = 24; i + 4 <= head; i += 4)
		put32(rb->rb_head + i, i);
	if (plen)
		put32(rb->rb_head + head - 4, plen);
	rb->rb_h = (struct iovec){rb->rb_head, head};
	rb->rb_p = (struct iovec){payload_src, plen};
	rb->rb_t = (struct iovec){rb->rb_head, 4};
	rb->rb_msg = (struct xr_msg){.xm_head = &rb->rb_h,
				     .xm_nhead = 1,
				     .xm_payload = &rb->rb_p,
				     .xm_npayload = plen ? 1 : 0,
				     .xm_tail = &rb->rb_t,
				     .xm_ntail = 1};
	/* Whatever it returns, sv_on_release follows. */
	xr_svc_reply(call, &rb->rb_msg);
}

static void on_call(struct xr_svc_call *call, void *ctx)
{
	int32_t s;
	uint64_t r;

	pthread_mutex_lock(&up.u_lock);
	s = call_slot(call->ac_xid);
	if (s < 0 || (up.u_state[s] & ST_DELIVERED))
		up.u_stray++;
	else
		up.u_state[s] |= ST_DELIVERED;
	up.u_delivered++;
	call->ac_upper = NULL;
	r = up_rnd() % 10;
	if (r >= 7 && up.u_ndeferred < MAX_CALLS) {
		up.u_deferred[up.u_ndeferred++] = call;
		pthread_mutex_unlock(&up.u_lock);
		return;
	}
	pthread_mutex_unlock(&up.u_lock);
	answer(call, r == 6);
}

static void on_release(struct xr_svc_call *call, int status, void *ctx)
{
	int32_t s;

	free(call->ac_upper);
	call->ac_upper = NULL;
	pthread_mutex_lock(&up.u_lock);
	s = call_slot(call->ac_xid);
	if (s >= 0)
		up.u_releases[s]++;
	up.u_released++;
	pthread_mutex_unlock(&up.u_lock);
}

/* Answer the calls left to this thread; drop one in three. */
static void run_deferred(bool all)
{
	struct xr_svc_call *c;
	bool drop;

	for (;;) {
		pthread_mutex_lock(&up.u_lock);
		if (!up.u_ndeferred || (!all && up_rnd() % 2)) {
			pthread_mutex_unlock(&up.u_lock);
			return;
		}
		c = up.u_deferred[--up.u_ndeferred];
		drop = up_rnd() % 3 == 0;
		pthread_mutex_unlock(&up.u_lock);
		answer(c, drop);
	}
}

/* ---- the raw client ----------------------------------------------------- */

struct cli {
	struct xr_fabric *k_fab;
	struct xr_ep *k_ep;
	uint8_t *k_area; /* RDMA target/source for chunks */
	uint8_t *k_msgs; /* CLI_RECVS receives, then CLI_SENDS sends */
	struct xr_mr *k_area_mr, *k_msg_mr;
	bool k_send_busy[CLI_SENDS];
	int k_state; /* 0 connecting, 1 up, 2 gone */
	uint32_t k_answers, k_errors;
};

static void cli_repost(struct cli *k, uint32_t i)
{
	struct xr_recv r = {.rcv_ctx = (void *)(uintptr_t)(i + 1),
			    .rcv_nsge = 1};
	uint32_t posted;

	r.rcv_sge[0] =
	    (struct xr_sge){.ge_addr = k->k_msgs + (size_t)i * INLINE,
			    .ge_len = INLINE,
			    .ge_mr = k->k_msg_mr};
	/* A refused repost (fault) leaves one receive fewer: allowed. */
	xr_post_recvs(k->k_ep, &r, 1, &posted);
}

/* A message arrived: a reply or RDMA_ERROR for one of our calls. */
static void cli_message(struct cli *k, const uint8_t *m, uint32_t len)
{
	uint32_t xid, proc;
	int32_t s;

	if (len < 16)
		return;
	xid = get32(m);
	proc = get32(m + 12);
	pthread_mutex_lock(&up.u_lock);
	s = call_slot(xid);
	if (s >= 0 && (up.u_state[s] & ST_SENT) &&
	    !(up.u_state[s] & ST_ANSWERED)) {
		up.u_state[s] |= ST_ANSWERED;
		if (proc == XR_RDMA_ERROR)
			k->k_errors++;
		else
			k->k_answers++;
	}
	pthread_mutex_unlock(&up.u_lock);
}

static void cli_pump(struct cli *k, int ms)
{
	struct xr_completion wc[32];
	struct pollfd pfd;
	struct xr_event ev;
	uintptr_t ctx;
	int n, i, events = 0;

	while (xr_fabric_get_event(k->k_fab, &ev) == 0) {
		if (ev.xv_type == XR_EV_ESTABLISHED)
			k->k_state = 1;
		else if (ev.xv_type != XR_EV_CONNECT_REQUEST)
			k->k_state = 2;
		events++;
	}
	n = xr_fabric_poll(k->k_fab, wc, 32);
	for (i = 0; i < n; i++) {
		ctx = (uintptr_t)wc[i].xc_ctx;
		if (wc[i].xc_op == XR_OP_RECV) {
			if (wc[i].xc_status)
				continue;
			cli_message(k, k->k_msgs + (ctx - 1) * INLINE,
				    wc[i].xc_len);
			if (k->k_state == 1)
				cli_repost(k, (uint32_t)(ctx - 1));
		} else if (wc[i].xc_op == XR_OP_SEND && ctx) {
			k->k_send_busy[ctx - 1 - CLI_RECVS] = false;
		}
	}
	/* Sleep only when this round found nothing to do. */
	if (n == 0 && !events && ms > 0) {
		pfd = (struct pollfd){.fd = xr_fabric_wait_fd(k->k_fab),
				      .events = POLLIN};
		if (xr_fabric_arm(k->k_fab) == 0)
			poll(&pfd, 1, ms);
	}
}

static int cli_connect(struct cli *k, uint16_t port)
{
	struct xr_cm_private mine = {.pd_send_size = INLINE,
				     .pd_recv_size = INLINE};
	struct xr_recv pre[CLI_RECVS];
	struct xr_ep_attr attr;
	uint8_t pdata[XR_CM_PRIVATE_BYTES];
	long end;
	uint32_t i;
	int ret;

	memset(k->k_send_busy, 0, sizeof(k->k_send_busy));
	k->k_state = 0;
	for (i = 0; i < CLI_RECVS; i++) {
		pre[i] = (struct xr_recv){.rcv_ctx = (void *)(uintptr_t)(i + 1),
					  .rcv_nsge = 1};
		pre[i].rcv_sge[0] =
		    (struct xr_sge){.ge_addr = k->k_msgs + (size_t)i * INLINE,
				    .ge_len = INLINE,
				    .ge_mr = k->k_msg_mr};
	}
	xr_ep_attr_from_credits(CLI_RECVS, &attr);
	attr.xea_send_depth = CLI_SENDS + 8;
	if (xr_cm_encode(&mine, pdata, sizeof(pdata)) < 0)
		return -EINVAL;
	ret = xr_connect(k->k_fab, "127.0.0.1", port, &attr, pre, CLI_RECVS,
			 pdata, sizeof(pdata), k, &k->k_ep);
	if (ret)
		return ret;
	end = now_ms() + 10000;
	while (k->k_state == 0 && now_ms() < end)
		cli_pump(k, 20);
	return k->k_state == 1 ? 0 : -ECONNREFUSED;
}

/* ---- random accepted headers ------------------------------------------- */

struct gen {
	struct xr_hdr g_hdr;
	struct xr_chunk g_chunks[XR_MAX_CHUNK_SEGS + XR_MAX_WRITE_CHUNKS + 1];
	struct xr_segment g_segs[XR_MAX_CHUNK_SEGS * (2 + XR_MAX_WRITE_CHUNKS)];
	uint8_t g_wire[INLINE];
	size_t g_len;
	char g_desc[512];
};

/* A segment into the client's area: often 0 bytes, sometimes 0 offset. */
static void gen_seg(struct cli *k, struct xr_segment *sg, uint32_t maxlen,
		    bool bad_key)
{
	uint32_t len, off;

	switch (rnd_below(6)) {
	case 0:
		len = 0;
		break;
	case 1:
		len = 1 + rnd_below(16);
		break;
	default:
		len = rnd_below(maxlen + 1);
		break;
	}
	off = rnd_below(AREA - len + 1);
	sg->seg_handle = xr_mr_handle(k->k_area_mr) ^ (bad_key ? 0x10u : 0);
	sg->seg_length = len;
	sg->seg_offset = xr_mr_wire_offset(k->k_area_mr, k->k_area + off);
}

/*
 * Build a random header for xid; returns true when the codec accepts it
 * under the engine's limits (only those are sent).
 */
static bool gen_header(struct cli *k, struct gen *g, uint32_t xid, bool bad_key)
{
	struct xr_hdr_limits lim;
	struct xr_hdr d;
	struct xr_chunk dch[XR_MAX_CHUNK_SEGS + XR_MAX_WRITE_CHUNKS + 1];
	struct xr_segment dsg[XR_MAX_CHUNK_SEGS * (2 + XR_MAX_WRITE_CHUNKS)];
	enum xr_hdr_reason why;
	struct xr_hdr *h = &g->g_hdr;
	uint32_t msg_len, nread, nseg = 0, c = 0, i, j, pos, n, maxlen;
	bool nomsg = rnd_below(4) == 0;
	ssize_t hl;

	xr_hdr_init(h, g->g_chunks,
		    sizeof(g->g_chunks) / sizeof(g->g_chunks[0]), g->g_segs,
		    sizeof(g->g_segs) / sizeof(g->g_segs[0]));
	h->h_xid = xid;
	h->h_vers = XR_RPCRDMA_VERSION;
	h->h_credits = 1 + rnd_below(CREDITS * 2);
	h->h_proc = nomsg ? XR_RDMA_NOMSG : XR_RDMA_MSG;
	maxlen = rnd_below(3) ? 512 : 8192;
	msg_len = 4 * (1 + rnd_below(nomsg ? 32 : 200));

	/* Read list: Position-Zero for NOMSG, then data chunks in order. */
	nread = rnd_below(4);
	pos = 0;
	if (nomsg) {
		struct xr_chunk *ch = &g->g_chunks[c++];

		ch->ch_position = 0;
		ch->ch_first = nseg;
		ch->ch_nsegs = 1 + rnd_below(3);
		ch->ch_length = 0;
		for (j = 0; j < ch->ch_nsegs; j++) {
			gen_seg(k, &g->g_segs[nseg], maxlen, bad_key);
			ch->ch_length += g->g_segs[nseg++].seg_length;
		}
		h->h_nread++;
		/* The call chunk holds the message: data positions inside. */
		msg_len = (uint32_t)ch->ch_length & ~3u;
	}
	for (i = 0; i < nread; i++) {
		struct xr_chunk *ch = &g->g_chunks[c];

		if (msg_len < 4 || pos >= msg_len)
			break;
		pos += 4 * (rnd_below(3) == 0 ? 0 : 1 + rnd_below(8));
		if (pos == 0)
			pos = 4;
		if (pos > msg_len)
			pos = msg_len;
		ch->ch_position = pos;
		ch->ch_first = nseg;
		ch->ch_nsegs = 1 + rnd_below(rnd_below(4) ? 2 : 6);
		ch->ch_length = 0;
		for (j = 0; j < ch->ch_nsegs; j++) {
			gen_seg(k, &g->g_segs[nseg], maxlen, bad_key);
			ch->ch_length += g->g_segs[nseg++].seg_length;
		}
		c++;
		h->h_nread++;
	}
	/* Write list. */
	n = rnd_below(3) ? 0 : 1 + rnd_below(2);
	for (i = 0; i < n; i++) {
		struct xr_chunk *ch = &g->g_chunks[c++];

		ch->ch_first = nseg;
		ch->ch_nsegs = 1 + rnd_below(3);
		ch->ch_length = 0;
		for (j = 0; j < ch->ch_nsegs; j++) {
			gen_seg(k, &g->g_segs[nseg], maxlen * 4, false);
			ch->ch_length += g->g_segs[nseg++].seg_length;
		}
		h->h_nwrite++;
	}
	/* Reply chunk. */
	if (rnd_below(3) == 0) {
		struct xr_chunk *ch = &g->g_chunks[c++];

		ch->ch_first = nseg;
		ch->ch_nsegs = 1 + rnd_below(3);
		ch->ch_length = 0;
		for (j = 0; j < ch->ch_nsegs; j++) {
			gen_seg(k, &g->g_segs[nseg], 4096, false);
			ch->ch_length += g->g_segs[nseg++].seg_length;
		}
		h->h_has_reply = true;
	}
	h->h_nsegs = nseg;

	hl = xr_hdr_encode(h, g->g_wire, sizeof(g->g_wire));
	if (hl < 0)
		return false;
	g->g_len = (size_t)hl;
	if (!nomsg) {
		/* The inline RPC call: xid, CALL, then words. */
		if (g->g_len + msg_len > INLINE)
			return false;
		for (i = 0; i < msg_len; i += 4)
			put32(g->g_wire + g->g_len + i, i ? i : xid);
		g->g_len += msg_len;
	} else {
		/* The call chunk's bytes start with the xid too. */
		const struct xr_segment *sg = &g->g_segs[0];

		if (sg->seg_length >= 4 && !bad_key)
			put32((uint8_t *)(uintptr_t)sg->seg_offset, xid);
	}
	xr_core_limits(&lim, XR_DIR_CALL, 64ull * 1024 * 1024, INLINE);
	xr_hdr_init(&d, dch, sizeof(dch) / sizeof(dch[0]), dsg,
		    sizeof(dsg) / sizeof(dsg[0]));
	if (xr_hdr_decode(g->g_wire, g->g_len, &lim, &d, &why))
		return false;
	n = (uint32_t)snprintf(g->g_desc, sizeof(g->g_desc),
			       "xid %u %s msg %u read[", xid,
			       nomsg ? "NOMSG" : "MSG", msg_len);
	for (i = 0; i < h->h_nread && n < sizeof(g->g_desc) - 64; i++)
		n += (uint32_t)snprintf(
		    g->g_desc + n, sizeof(g->g_desc) - n,
		    " pos %u len %" PRIu64 "/%u", g->g_chunks[i].ch_position,
		    g->g_chunks[i].ch_length, g->g_chunks[i].ch_nsegs);
	snprintf(g->g_desc + n, sizeof(g->g_desc) - n, " ] write %u reply %s%s",
		 h->h_nwrite, h->h_has_reply ? "yes" : "no",
		 bad_key ? " BADKEY" : "");
	return true;
}

static int cli_send(struct cli *k, const struct gen *g)
{
	struct xr_sge sge;
	uint32_t i;
	uint8_t *b;

	for (i = 0; i < CLI_SENDS && k->k_send_busy[i]; i++)
		;
	if (i == CLI_SENDS)
		return -ENOSPC;
	b = k->k_msgs + (size_t)(CLI_RECVS + i) * INLINE;
	memcpy(b, g->g_wire, g->g_len);
	sge = (struct xr_sge){
	    .ge_addr = b, .ge_len = (uint32_t)g->g_len, .ge_mr = k->k_msg_mr};
	if (xr_post_send(k->k_ep, &sge, 1, false, 0,
			 (void *)(uintptr_t)(CLI_RECVS + i + 1)))
		return -EIO;
	k->k_send_busy[i] = true;
	return 0;
}

/* ---- one round ---------------------------------------------------------- */

/*
 * A number that moves whenever a call is delivered, answered or
 * released: a faulty round stops waiting once it has stood still for
 * IDLE_MS (withheld completions never come), not after a fixed time.
 */
#define IDLE_MS 15

static uint64_t progress(const struct cli *k)
{
	uint64_t v;

	pthread_mutex_lock(&up.u_lock);
	v = (uint64_t)up.u_delivered + up.u_released + k->k_answers +
	    k->k_errors;
	pthread_mutex_unlock(&up.u_lock);
	return v;
}

/* Waiting in a faulty round: give up after IDLE_MS without progress. */
static bool stalled_for(const struct cli *k, uint64_t *last, long *since)
{
	uint64_t v = progress(k);

	if (v != *last) {
		*last = v;
		*since = now_ms();
		return false;
	}
	return now_ms() - *since > IDLE_MS;
}

/* Calls sent and neither answered nor dropped by the upper layer. */
static uint32_t inflight(uint32_t ncalls)
{
	uint32_t i, n = 0;

	pthread_mutex_lock(&up.u_lock);
	for (i = 0; i < ncalls; i++)
		n += (up.u_state[i] & (ST_SENT | ST_ANSWERED | ST_DROPPED)) ==
		     ST_SENT;
	pthread_mutex_unlock(&up.u_lock);
	return n;
}

struct env {
	struct xr_svc *e_svc;
	struct xr_fabric *e_srv_fab;
	uint16_t e_port;
	struct cli e_cli;
};

static void set_faults(struct env *e, uint32_t round, bool on)
{
	struct xr_loop_faults f = {0};

	if (on) {
		f.lf_seed = (uint32_t)rnd() | 1;
		f.lf_drop = rnd_below(3) ? 0 : 1 + rnd_below(3000);
		f.lf_late = rnd_below(3) ? 0 : 1 + rnd_below(3000);
		f.lf_flush = rnd_below(3) ? 0 : 1 + rnd_below(2000);
		f.lf_partial = rnd_below(3) ? 0 : 1 + rnd_below(8000);
		f.lf_nospc = rnd_below(3) ? 0 : 1 + rnd_below(4000);
	}
	xr_loop_set_faults(e->e_srv_fab, &f);
	if (on)
		f.lf_seed = (uint32_t)rnd() | 1;
	xr_loop_set_faults(e->e_cli.k_fab, on && rnd_below(2) ? &f : NULL);
}

/* Everything back to zero?  Fills why when not. */
static bool all_returned(struct env *e, char *why, size_t len)
{
	struct xr_core_stats st;
	struct xr_loop_counts lc;
	uint32_t unreleased;

	xr_svc_get_stats(e->e_svc, &st);
	xr_loop_get_counts(e->e_srv_fab, &lc);
	pthread_mutex_lock(&up.u_lock);
	unreleased = up.u_delivered - up.u_released;
	pthread_mutex_unlock(&up.u_lock);
	snprintf(why, len, "%u calls not released, ", unreleased);
	snprintf(why + strlen(why), len - strlen(why),
		 "connections %" PRIu64 ", calls %" PRIu64 ", receives %" PRIu64
		 ", registrations %" PRIu64 " (%" PRIu64 " bytes); fabric: "
		 "%u endpoints, %u regions",
		 st.cs_connections, st.cs_calls_live, st.cs_recvs_posted,
		 st.cs_mr_live, st.cs_registered_bytes, lc.lc_eps, lc.lc_mrs);
	return !unreleased && !st.cs_connections && !st.cs_calls_live &&
	       !st.cs_recvs_posted && !st.cs_mr_live && !lc.lc_eps &&
	       !lc.lc_mrs;
}

/* What each call of the round carried, for the failure message. */
static char descs[MAX_ROUND_CALLS][512];

static int run_round(struct env *e, uint32_t round, uint32_t xid0)
{
	struct cli *k = &e->e_cli;
	struct xr_core_stats st;
	static struct gen g;
	char why[256];
	bool faults = rnd_below(2), stalled = false;
	uint32_t ncalls = 1 + rnd_below(MAX_ROUND_CALLS), sent = 0, i,
		 missing = 0;
	uint32_t bad_keys = 0;
	uint64_t last;
	long end, since;
	int ret;

	pthread_mutex_lock(&up.u_lock);
	memset(up.u_state, 0, sizeof(up.u_state));
	memset(up.u_releases, 0, sizeof(up.u_releases));
	up.u_base = xid0;
	up.u_seed = rnd() | 1;
	up.u_faults = faults;
	pthread_mutex_unlock(&up.u_lock);
	g.g_desc[0] = '\0';
	set_faults(e, round, faults);
	ret = cli_connect(k, e->e_port);
	if (ret) {
		/* Only a fault may keep the connection from coming up. */
		if (!faults) {
			printf("FAIL round %u: connect %d\n", round, ret);
			return 1;
		}
		goto out_disconnect;
	}
	for (i = 0; i < ncalls && k->k_state == 1; i++) {
		bool bad = faults && rnd_below(40) == 0;

		if (!gen_header(k, &g, xid0 + i, bad))
			continue;
		end = now_ms() + (faults ? 300 : 10000);
		last = progress(k);
		since = now_ms();
		while (inflight(ncalls) >= CREDITS && k->k_state == 1 &&
		       now_ms() < end &&
		       !(faults && stalled_for(k, &last, &since))) {
			cli_pump(k, 5);
			run_deferred(false);
		}
		if (inflight(ncalls) >= CREDITS)
			break; /* withheld completions: stop sending */
		if (cli_send(k, &g))
			break;
		bad_keys += bad;
		memcpy(descs[i], g.g_desc, sizeof(descs[i]));
		pthread_mutex_lock(&up.u_lock);
		up.u_state[i] |= ST_SENT;
		pthread_mutex_unlock(&up.u_lock);
		sent++;
		if (faults && !stalled && rnd_below(30) == 0) {
			xr_loop_stop_reading(k->k_ep, true);
			stalled = true;
		}
		cli_pump(k, 0);
		run_deferred(false);
	}
	if (stalled)
		xr_loop_stop_reading(k->k_ep, false);

	/* Without faults, every call is delivered or answered by RDMA_ERROR. */
	end = now_ms() + (faults ? 300 : 10000);
	last = progress(k);
	since = now_ms();
	for (;;) {
		run_deferred(true);
		cli_pump(k, 5);
		if (faults && stalled_for(k, &last, &since))
			break;
		pthread_mutex_lock(&up.u_lock);
		for (missing = 0, i = 0; i < ncalls; i++) {
			uint8_t s = up.u_state[i];

			if ((s & ST_SENT) &&
			    !(s & (ST_DELIVERED | ST_ANSWERED)))
				missing++;
		}
		pthread_mutex_unlock(&up.u_lock);
		if (!missing || now_ms() > end || k->k_state != 1)
			break;
	}
	if (missing && !faults) {
		printf("FAIL round %u: %u of %u calls neither delivered nor "
		       "answered (last header: %s)\n",
		       round, missing, sent, g.g_desc);
		for (i = 0; i < ncalls; i++)
			if ((up.u_state[i] & ST_SENT) &&
			    !(up.u_state[i] & (ST_DELIVERED | ST_ANSWERED)))
				printf("  %s\n", descs[i]);
		return 1;
	}
	/* ... and every reply the upper layer made reaches the client. */
	if (!faults) {
		end = now_ms() + 10000;
		while ((missing = inflight(ncalls)) && now_ms() < end) {
			run_deferred(true);
			cli_pump(k, 5);
		}
		if (missing) {
			printf("FAIL round %u: %u replies never reached the "
			       "client\n",
			       round, missing);
			for (i = 0; i < ncalls; i++)
				if ((up.u_state[i] & (ST_SENT | ST_ANSWERED |
						      ST_DROPPED)) == ST_SENT)
					printf("  %s\n", descs[i]);
			return 1;
		}
		/* Connected and idle: every receive (credit) is posted again.
		 */
		end = now_ms() + 10000;
		do {
			run_deferred(true);
			cli_pump(k, 2);
			xr_svc_get_stats(e->e_svc, &st);
		} while ((st.cs_recvs_posted != CREDITS + XR_SVC_RECV_SLACK ||
			  st.cs_calls_live) &&
			 now_ms() < end);
		if (st.cs_recvs_posted != CREDITS + XR_SVC_RECV_SLACK ||
		    st.cs_calls_live) {
			printf("FAIL round %u: idle connection has %" PRIu64
			       " of %u receives posted, %" PRIu64
			       " calls live\n",
			       round, st.cs_recvs_posted,
			       CREDITS + XR_SVC_RECV_SLACK, st.cs_calls_live);
			return 1;
		}
	}

out_disconnect:
	if (k->k_ep) {
		xr_disconnect(k->k_ep);
		end = now_ms() + 10000;
		while ((k->k_state < 2 || xr_ep_outstanding(k->k_ep)) &&
		       now_ms() < end)
			cli_pump(k, 5);
		if (xr_ep_outstanding(k->k_ep)) {
			printf("FAIL round %u: client endpoint keeps %u "
			       "operations\n",
			       round, xr_ep_outstanding(k->k_ep));
			return 1;
		}
		xr_ep_destroy(k->k_ep);
		k->k_ep = NULL;
	}
	/* Calls the upper layer still holds are answered after it left. */
	run_deferred(true);
	end = now_ms() + 10000;
	while (!all_returned(e, why, sizeof(why)) && now_ms() < end) {
		run_deferred(true);
		usleep(200);
	}
	if (!all_returned(e, why, sizeof(why))) {
		printf("FAIL round %u%s: after disconnect the engine holds "
		       "%s; calls never delivered nor answered:\n",
		       round, faults ? " (faults)" : "", why);
		for (i = 0; i < ncalls; i++)
			if ((up.u_state[i] & ST_SENT) &&
			    !(up.u_state[i] & (ST_DELIVERED | ST_ANSWERED)))
				printf("  %s\n", descs[i]);
		return 1;
	}
	pthread_mutex_lock(&up.u_lock);
	for (missing = 0, i = 0; i < MAX_CALLS; i++) {
		bool delivered = up.u_state[i] & ST_DELIVERED;

		if (up.u_releases[i] != (delivered ? 1u : 0u))
			missing++;
	}
	ret = up.u_stray;
	pthread_mutex_unlock(&up.u_lock);
	if (missing || ret) {
		printf("FAIL round %u: %u calls not released exactly once, %d "
		       "delivered twice or unknown\n",
		       round, missing, ret);
		return 1;
	}
	(void)bad_keys;
	return 0;
}

static const struct xr_svc_params prop_params = {.sp_backend = "loop",
						 .sp_addr = "127.0.0.1",
						 .sp_port = XR_SVC_PORT_ANY,
						 .sp_credits = CREDITS,
						 .sp_inline = INLINE,
						 .sp_max_conns = 4,
						 .sp_max_request = MAX_REQUEST,
						 .sp_max_response = MAX_REQUEST,
						 .sp_read_pool =
						     2 * MAX_REQUEST};

/* Start the engine and the client's fabric; 0 or -1 (printed why). */
static int env_setup(struct env *e)
{
	struct xr_svc_ops ops = {.sv_on_call = on_call,
				 .sv_on_release = on_release};
	struct xr_fabric_params fp = {.xfp_backend = "loop"};
	char err[256];
	uint32_t r;

	for (r = 0; r < sizeof(payload_src); r++)
		payload_src[r] = (uint8_t)(r * 7);
	memset(e, 0, sizeof(*e));
	if (xr_svc_start(&prop_params, &ops, NULL, &e->e_svc, err,
			 sizeof(err))) {
		printf("FAIL engine start: %s\n", err);
		return -1;
	}
	e->e_port = xr_svc_port(e->e_svc);
	e->e_srv_fab = xr_loop_listener_fabric(e->e_port);
	if (!e->e_srv_fab ||
	    xr_fabric_open(&fp, &e->e_cli.k_fab, err, sizeof(err))) {
		printf("FAIL loop fabric\n");
		return -1;
	}
	e->e_cli.k_area = calloc(1, AREA);
	e->e_cli.k_msgs = calloc(CLI_RECVS + CLI_SENDS, INLINE);
	if (!e->e_cli.k_area || !e->e_cli.k_msgs ||
	    xr_reg_mr(e->e_cli.k_fab, e->e_cli.k_area, AREA,
		      XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_READ |
			  XR_ACCESS_REMOTE_WRITE,
		      &e->e_cli.k_area_mr) ||
	    xr_reg_mr(e->e_cli.k_fab, e->e_cli.k_msgs,
		      (size_t)(CLI_RECVS + CLI_SENDS) * INLINE, XR_ACCESS_LOCAL,
		      &e->e_cli.k_msg_mr)) {
		printf("FAIL client setup\n");
		return -1;
	}
	return 0;
}

#ifndef XR_PROP_NO_MAIN
static bool verbose;

static void env_teardown(struct env *e)
{
	xr_svc_stop(e->e_svc);
	xr_dereg_mr(e->e_cli.k_area_mr);
	xr_dereg_mr(e->e_cli.k_msg_mr);
	xr_fabric_close(e->e_cli.k_fab);
	free(e->e_cli.k_area);
	free(e->e_cli.k_msgs);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

int main(int argc, char **argv)
{
	struct xr_loop_counts sc, cc;
	struct xr_core_stats st;
	struct env e;
	uint64_t seed, rounds, secs;
	uint32_t r;
	long end;

	seed = env_u64("GR_PROP_SEED",
		       (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16));
	rounds = env_u64("GR_PROP_ROUNDS", 100000);
	secs = env_u64("GR_PROP_SECONDS", 4);
	if (argc > 1)
		seed = strtoull(argv[1], NULL, 0);
	if (argc > 2)
		rounds = strtoull(argv[2], NULL, 0);
	printf("seed %" PRIu64 " (rerun: %s %" PRIu64 ")\n", seed, argv[0],
	       seed);
	fflush(stdout);
	rng_state = seed ? seed : 1;
	if (!CHECK_SAY(!env_setup(&e), "engine and client fabric start"))
		return gr_check_done("test_xr_svc_prop");
	end = now_ms() + (long)secs * 1000;
	verbose = env_u64("GR_PROP_VERBOSE", 0) != 0;
	for (r = 0; r < rounds && now_ms() < end; r++) {
		long t0 = now_ms();

		if (!CHECK(run_round(&e, r, 1000000u + r * MAX_CALLS) == 0))
			break;
		if (verbose)
			printf("round %u: %ld ms%s\n", r, now_ms() - t0,
			       up.u_faults ? " (faults)" : "");
	}
	xr_loop_get_counts(e.e_srv_fab, &sc);
	xr_loop_get_counts(e.e_cli.k_fab, &cc);
	printf(
	    "faults injected (server + client fabric): %" PRIu64
	    " completions withheld, %" PRIu64 " held past disconnect, %" PRIu64
	    " connections broken at a post, %" PRIu64 " short receive "
	    "batches, %" PRIu64 " -ENOSPC, %" PRIu64 " RMA refused\n",
	    sc.lc_dropped + cc.lc_dropped, sc.lc_late + cc.lc_late,
	    sc.lc_flushes + cc.lc_flushes, sc.lc_partial + cc.lc_partial,
	    sc.lc_nospc + cc.lc_nospc, sc.lc_rma_refused + cc.lc_rma_refused);
	xr_svc_get_stats(e.e_svc, &st);
	printf("%u rounds, %" PRIu64 " calls, %" PRIu64 " replies, %" PRIu64
	       " ERR_CHUNK, %u dropped by the upper "
	       "layer, %" PRIu64 " connections\n",
	       r, st.cs_calls, st.cs_replies, st.cs_err_chunk_sent,
	       up.u_dropped, st.cs_connections_total);
	env_teardown(&e);
	if (gr_checks_failed)
		printf("FAIL (seed %" PRIu64 ")\n", seed);
	return gr_check_done("test_xr_svc_prop");
}
#endif
