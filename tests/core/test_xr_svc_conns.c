/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Connection-slot guards of the server engine (xr_svc) on the loop
 * fabric, in the unit tier (and so under ASan).  How this works:
 *
 * One engine on the in-process "loop" backend with tiny timeouts
 * (handshake 4 s, idle 3 s, peer 3 s), a per-address cap of 2 and
 * Max_Connections 3; this thread is a raw RPC-over-RDMA client on a loop fabric
 * of its own. Every loop connection comes from the same place, so the cap sees
 * one address.  Checked, each against the engine's counters:
 *  1. an accepted connection that never sends registers only its receive
 *     buffers (one region, (credits + XR_SVC_RECV_SLACK) x inline bytes);
 *  2. the third connection from the address is refused
 *     (cs_err_refused_per_addr), the first two live;
 *  3. silent connections are closed after the handshake timeout
 *     (cs_conns_closed_silent) and everything they held returns;
 *  4. a connection whose call the upper layer still holds is not closed
 *     as idle however long it waits; once the reply went out and nothing
 *     more arrives it is closed after the idle timeout
 *     (cs_conns_closed_idle), and it was never taken for silent;
 *  5. a peer that stops taking messages, so that a reply stays in flight,
 *     is closed after the peer timeout (cs_conns_closed_stalled) even
 *     while the upper layer holds another of its calls;
 *  6. so is one that never serves the RDMA Read of its Read chunk;
 *  7. headers the engine drops prove nothing: a connection sending only
 *     garbage allocates nothing beyond its receives and is closed as
 *     silent after the handshake timeout;
 *  8. a Read chunk of 0 bytes does not allocate the landing area, and
 *     garbage does not keep a served connection from idling out;
 *  9. requesters the fabric cannot name (AF_UNSPEC) are not capped as one
 *     address, IPv6 requesters are capped by /64;
 * 10. a connection calling without pause, each reply made from inside the
 *     delivery callback, is never closed as idle.
 * Timing bounds are generous (the machine is shared): closes are expected
 * within 10 s, and "not closed" is checked at twice the idle timeout.
 */
#include "xr_cm.h"
#include "xr_fabric_loop.h"
#include "xr_hdr.h"
#include "xr_svc.h"
#include "gr_check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CREDITS 8u
#define INLINE 4096u
#define NRECV 4u
#define MAXC 4u
#define HANDSHAKE_S 4u
#define IDLE_S 3u
#define PEER_S 3u
#define RDLEN 4096u

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- the upper layer: holds calls until told to answer ----------------- */

#define MAXHELD 4u

static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xr_svc_call *held[MAXHELD]; /* oldest first */
static uint32_t nheld;
static uint8_t reply_words[24];
static struct iovec reply_iov = {reply_words, sizeof(reply_words)};

static int answer_call(struct xr_svc_call *c);

/*
 * Step 10: answer each call from inside the callback, a few ms after
 * delivery - later than the progress round's clock reading.
 */
static bool answer_inline;

static void on_call(struct xr_svc_call *call, void *ctx)
{
	(void)ctx;
	if (answer_inline) {
		struct timespec pause = {0, 3 * 1000 * 1000};

		nanosleep(&pause, NULL);
		answer_call(call);
		return;
	}
	pthread_mutex_lock(&held_lock);
	if (nheld < MAXHELD)
		held[nheld++] = call;
	else
		xr_svc_drop(call);
	pthread_mutex_unlock(&held_lock);
}

static void on_release(struct xr_svc_call *call, int status, void *ctx)
{
	(void)call;
	(void)status;
	(void)ctx;
}

/* Answer the oldest held call: xr_svc_reply()'s result, -ENOENT if none. */
static int answer_oldest(void)
{
	struct xr_svc_call *c = NULL;

	pthread_mutex_lock(&held_lock);
	if (nheld) {
		c = held[0];
		memmove(held, held + 1, --nheld * sizeof(held[0]));
	}
	pthread_mutex_unlock(&held_lock);
	if (!c)
		return -ENOENT;
	return answer_call(c);
}

/* Answer @c: xr_svc_reply()'s result. */
static int answer_call(struct xr_svc_call *c)
{
	struct xr_msg m = {.xm_head = &reply_iov, .xm_nhead = 1};
	uint32_t xid;

	xid = htonl(c->ac_xid);
	memcpy(reply_words, &xid, 4);
	reply_words[7] = 1; /* REPLY; the rest MSG_ACCEPTED, SUCCESS */
	return xr_svc_reply(c, &m);
}

static bool answer_held(void)
{
	return answer_oldest() == 0;
}

/* ---- the raw client ----------------------------------------------------- */

struct conn {
	struct xr_ep *ep;
	int state; /* 0 connecting, 1 up, 2 gone */
	uint32_t replies;
};

static struct xr_fabric *cfab;
static struct xr_mr *cmr;
static uint8_t *cbuf; /* MAXC x (NRECV receives + 1 send) */
static struct conn conns[MAXC];
static uint8_t rbuf[RDLEN]; /* what the server reads, by RDMA Read */
static struct xr_mr *rmr;

static uint8_t *slot(uint32_t c, uint32_t i)
{
	return cbuf + ((size_t)c * (NRECV + 1) + i) * INLINE;
}

/* Step 10's client makes more calls than it posted receives for. */
static bool repost_recvs;

static void repost(uint32_t c, void *buf)
{
	struct xr_recv r = {
	    .rcv_ctx = buf, .rcv_sge = {{buf, INLINE, cmr}}, .rcv_nsge = 1};
	uint32_t posted;

	xr_post_recvs(conns[c].ep, &r, 1, &posted);
}

static void pump(int ms)
{
	struct pollfd pfd = {.fd = xr_fabric_wait_fd(cfab), .events = POLLIN};
	struct xr_completion wc[16];
	struct xr_event ev;
	uint32_t i;
	int n, k;

	if (xr_fabric_arm(cfab) == 0)
		poll(&pfd, 1, ms);
	while (xr_fabric_get_event(cfab, &ev) == 0)
		for (i = 0; i < MAXC; i++)
			if (conns[i].ep && conns[i].ep == ev.xv_ep)
				conns[i].state =
				    ev.xv_type == XR_EV_ESTABLISHED ? 1 : 2;
	n = xr_fabric_poll(cfab, wc, 16);
	for (k = 0; k < n; k++)
		for (i = 0; i < MAXC; i++)
			if (conns[i].ep == wc[k].xc_ep &&
			    wc[k].xc_op == XR_OP_RECV && !wc[k].xc_status) {
				conns[i].replies++;
				if (repost_recvs)
					repost(i, wc[k].xc_ctx);
			}
}

static int open_conn(uint32_t c, uint16_t port)
{
	struct xr_cm_private mine = {.pd_send_size = INLINE,
				     .pd_recv_size = INLINE};
	uint8_t pdata[XR_CM_PRIVATE_BYTES];
	struct xr_recv pre[NRECV];
	struct xr_ep_attr attr;
	uint32_t i;
	long end;

	for (i = 0; i < NRECV; i++)
		pre[i] =
		    (struct xr_recv){.rcv_ctx = slot(c, i),
				     .rcv_sge = {{slot(c, i), INLINE, cmr}},
				     .rcv_nsge = 1};
	xr_cm_encode(&mine, pdata, sizeof(pdata));
	xr_ep_attr_from_credits(NRECV, &attr);
	conns[c].state = 0;
	conns[c].replies = 0;
	if (xr_connect(cfab, "127.0.0.1", port, &attr, pre, NRECV, pdata,
		       sizeof(pdata), &conns[c], &conns[c].ep))
		return -EIO;
	end = now_ms() + 10000;
	while (conns[c].state == 0 && now_ms() < end)
		pump(20);
	return conns[c].state == 1 ? 0 : -ECONNREFUSED;
}

static void close_conn(uint32_t c)
{
	int i;

	if (!conns[c].ep)
		return;
	if (conns[c].state != 2)
		xr_disconnect(conns[c].ep);
	for (i = 0;
	     i < 500 && (conns[c].state != 2 || xr_ep_outstanding(conns[c].ep));
	     i++)
		pump(2);
	xr_ep_destroy(conns[c].ep);
	conns[c].ep = NULL;
}

/*
 * One RDMA_MSG carrying a 40-byte RPC call header and, when @rdlen is not
 * @chunk, a Read chunk of @rdlen bytes of rbuf at position 40.
 */
static int send_call_rd(uint32_t c, uint32_t xid, bool chunk, uint32_t rdlen)
{
	uint8_t *m = slot(c, NRECV);
	struct xr_chunk ch[1];
	struct xr_segment sg[1];
	struct xr_hdr h;
	struct xr_sge sge;
	uint32_t w[10] = {xid, 0, 2, 100003, 4, 0, 0, 0, 0, 0}, i;
	ssize_t len;

	xr_hdr_init(&h, ch, 1, sg, 1);
	h.h_xid = xid;
	h.h_vers = XR_RPCRDMA_VERSION;
	h.h_credits = NRECV;
	h.h_proc = XR_RDMA_MSG;
	if (chunk) {
		sg[0] = (struct xr_segment){xr_mr_handle(rmr), rdlen,
					    (uint64_t)(uintptr_t)rbuf};
		ch[0] = (struct xr_chunk){.ch_position = 40,
					  .ch_first = 0,
					  .ch_nsegs = 1,
					  .ch_length = rdlen};
		h.h_nread = 1;
		h.h_nsegs = 1;
	}
	len = xr_hdr_encode(&h, m, INLINE);
	if (len < 0)
		return (int)len;
	for (i = 0; i < 10; i++) {
		uint32_t v = htonl(w[i]);

		memcpy(m + len + 4 * i, &v, 4);
	}
	sge = (struct xr_sge){m, (uint32_t)len + 40, cmr};
	return xr_post_send(conns[c].ep, &sge, 1, false, 0, NULL);
}

static int send_call(uint32_t c, uint32_t xid)
{
	return send_call_rd(c, xid, false, 0);
}

/* Two bytes: a header the engine drops unanswered (no xid). */
static int send_garbage(uint32_t c)
{
	struct xr_sge sge = {slot(c, NRECV), 2, cmr};

	return xr_post_send(conns[c].ep, &sge, 1, false, 0, NULL);
}

/* ---- the checks ---------------------------------------------------------- */

static struct xr_svc *svc;

static struct xr_core_stats stats(void)
{
	struct xr_core_stats st;

	xr_svc_get_stats(svc, &st);
	return st;
}

/* Wait (pumping the client) until the engine's stats satisfy @pred. */
static bool wait_for(bool (*pred)(const struct xr_core_stats *), long ms)
{
	struct xr_core_stats st;
	long end = now_ms() + ms;

	do {
		st = stats();
		if (pred(&st))
			return true;
		pump(20);
	} while (now_ms() < end);
	return false;
}

static bool two_live(const struct xr_core_stats *st)
{
	return st->cs_connections == 2;
}

static bool at_rest(const struct xr_core_stats *st)
{
	return !st->cs_connections && !st->cs_mr_live &&
	       !st->cs_registered_bytes && !st->cs_calls_live;
}

static bool delivered(const struct xr_core_stats *st)
{
	bool got;

	(void)st;
	pthread_mutex_lock(&held_lock);
	got = nheld >= 1;
	pthread_mutex_unlock(&held_lock);
	return got;
}

static bool two_delivered(const struct xr_core_stats *st)
{
	bool got;

	(void)st;
	pthread_mutex_lock(&held_lock);
	got = nheld >= 2;
	pthread_mutex_unlock(&held_lock);
	return got;
}

static bool stalled1(const struct xr_core_stats *st)
{
	return st->cs_conns_closed_stalled == 1;
}

static bool stalled2(const struct xr_core_stats *st)
{
	return st->cs_conns_closed_stalled == 2;
}

static bool silent3(const struct xr_core_stats *st)
{
	return st->cs_conns_closed_silent == 3;
}

static bool got_reply(const struct xr_core_stats *st)
{
	(void)st;
	return conns[0].replies >= 1;
}

/*
 * Send garbage every 300 ms until the engine's stats satisfy @pred or
 * @ms pass; the most registrations seen meanwhile go to *@mr_max.
 */
static bool flood_until(bool (*pred)(const struct xr_core_stats *), long ms,
			uint64_t *mr_max)
{
	struct xr_core_stats st;
	long end = now_ms() + ms, next = 0;

	*mr_max = 0;
	do {
		st = stats();
		if (st.cs_mr_live > *mr_max)
			*mr_max = st.cs_mr_live;
		if (pred(&st))
			return true;
		if (now_ms() >= next && conns[0].state == 1) {
			send_garbage(0);
			next = now_ms() + 300;
		}
		pump(20);
	} while (now_ms() < end);
	return false;
}

static uint64_t idle_goal;

static bool idle_reached(const struct xr_core_stats *st)
{
	return st->cs_conns_closed_idle >= idle_goal;
}

static const struct sockaddr_storage *v6src(const char *ip)
{
	static struct sockaddr_storage ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons(999);
	inet_pton(AF_INET6, ip, &a6->sin6_addr);
	return &ss;
}

static bool replied(const struct xr_core_stats *st)
{
	return st->cs_replies == 1 && conns[0].replies == 1;
}

int main(void)
{
	struct xr_svc_params p = {.sp_backend = "loop",
				  .sp_addr = "127.0.0.1",
				  .sp_port = XR_SVC_PORT_ANY,
				  .sp_credits = CREDITS,
				  .sp_inline = INLINE,
				  .sp_max_conns = 3,
				  .sp_handshake_timeout = HANDSHAKE_S,
				  .sp_idle_timeout = IDLE_S,
				  .sp_peer_timeout = PEER_S,
				  .sp_max_conns_per_addr = 2};
	struct xr_svc_ops ops = {.sv_on_call = on_call,
				 .sv_on_release = on_release};
	struct xr_fabric_params fp = {.xfp_backend = "loop"};
	size_t size = (size_t)MAXC * (NRECV + 1) * INLINE;
	struct xr_core_stats st;
	uint16_t port;
	char err[256];
	long t0, took;
	int r0, r1, r2;

	if (xr_svc_start(&p, &ops, NULL, &svc, err, sizeof(err))) {
		printf("FAIL engine start: %s\n", err);
		return 1;
	}
	port = xr_svc_port(svc);
	cbuf = aligned_alloc(4096, size);
	if (!cbuf || xr_fabric_open(&fp, &cfab, err, sizeof(err)) ||
	    xr_reg_mr(cfab, cbuf, size, XR_ACCESS_LOCAL, &cmr) ||
	    xr_reg_mr(cfab, rbuf, sizeof(rbuf),
		      XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_READ, &rmr)) {
		printf("FAIL client setup\n");
		return 1;
	}

	/* 1 + 2: silent connections, the cap. */
	t0 = now_ms();
	r0 = open_conn(0, port);
	r1 = open_conn(1, port);
	r2 = open_conn(2, port);
	CHECK_SAY(!r0 && !r1 && r2 == -ECONNREFUSED,
		  "per-address cap 2: third connection refused");
	st = stats();
	CHECK_SAY(st.cs_err_refused_per_addr == 1 &&
		      st.cs_err_refused_conns == 1,
		  "counted as refused, per address");
	CHECK_SAY(wait_for(two_live, 2000), "two connections live");
	st = stats();
	printf("     two silent connections: %llu regions, %llu bytes\n",
	       (unsigned long long)st.cs_mr_live,
	       (unsigned long long)st.cs_registered_bytes);
	CHECK_SAY(st.cs_mr_live == 2 &&
		      st.cs_registered_bytes ==
			  2ull * (CREDITS + XR_SVC_RECV_SLACK) * INLINE,
		  "a silent connection registers only its receive buffers");

	/* 3: the handshake timeout closes both and frees everything. */
	CHECK_SAY(wait_for(at_rest, 10000),
		  "silent connections closed, at rest");
	took = now_ms() - t0;
	CHECK_SAY(took >= (long)(HANDSHAKE_S - 1) * 1000,
		  "not before the handshake timeout (less the 1 s timer tick)");
	st = stats();
	CHECK_SAY(st.cs_conns_closed_silent == 2 && !st.cs_conns_closed_idle,
		  "cs_conns_closed_silent = 2");
	CHECK_SAY(conns[0].state == 2 && conns[1].state == 2,
		  "the client saw both connections end");
	close_conn(0);
	close_conn(1);
	close_conn(2);

	/* 4: a held call keeps an idle connection; idle after the reply. */
	CHECK_SAY(!open_conn(0, port) && !send_call(0, 0x1d1e),
		  "a new connection sends a call");
	CHECK_SAY(wait_for(delivered, 5000), "the call is delivered");
	st = stats();
	CHECK_SAY(
	    st.cs_mr_live == 2 &&
		st.cs_registered_bytes ==
		    (uint64_t)(CREDITS + XR_SVC_RECV_SLACK) * INLINE +
			(uint64_t)(CREDITS + CREDITS / 4 + 4) * INLINE,
	    "after its first message: receive and send buffers, no landing "
	    "area");
	t0 = now_ms();
	while (now_ms() - t0 < 2 * IDLE_S * 1000)
		pump(20);
	st = stats();
	CHECK_SAY(st.cs_connections == 1 && conns[0].state == 1 &&
		      !st.cs_conns_closed_idle &&
		      st.cs_conns_closed_silent == 2,
		  "not closed while the upper layer holds its call (2 x idle)");
	CHECK_SAY(answer_held(), "the upper layer replies");
	CHECK_SAY(wait_for(replied, 5000), "the client has its reply");
	t0 = now_ms();
	CHECK_SAY(wait_for(at_rest, 10000), "then idle: closed, at rest");
	took = now_ms() - t0;
	st = stats();
	printf("     closed %.1f s after the reply\n", (double)took / 1000);
	CHECK_SAY(st.cs_conns_closed_idle == 1 &&
		      st.cs_conns_closed_silent == 2,
		  "cs_conns_closed_idle = 1, never taken for silent");
	CHECK_SAY(took >= (long)(IDLE_S - 1) * 1000,
		  "not before the idle timeout (less the 1 s timer tick)");
	close_conn(0);

	/*
	 * 5: a peer that stops taking its replies is closed after the peer
	 * timeout, although the upper layer holds another of its calls (only
	 * the server's own work exempts a connection).
	 */
	CHECK_SAY(!open_conn(0, port) && !send_call(0, 0x5a) &&
		      !send_call(0, 0x5b),
		  "a new connection sends two calls");
	CHECK_SAY(wait_for(two_delivered, 5000), "both are delivered");
	xr_loop_stop_reading(conns[0].ep, true);
	t0 = now_ms();
	CHECK_SAY(answer_held(),
		  "the upper layer answers one, keeps the other");
	CHECK_SAY(
	    wait_for(stalled1, 15000),
	    "a peer that takes no reply: closed as stalled (reply stuck in "
	    "SENDING)");
	took = now_ms() - t0;
	printf("     closed %.1f s after the reply was posted\n",
	       (double)took / 1000);
	CHECK_SAY(took >= (long)(PEER_S - 1) * 1000,
		  "not before the peer timeout (less the 1 s timer tick)");
	CHECK_SAY(answer_oldest() == -ENOTCONN,
		  "the held call's reply then finds the connection gone");
	CHECK_SAY(wait_for(at_rest, 10000), "everything returns");
	st = stats();
	CHECK_SAY(st.cs_conns_closed_idle == 1 &&
		      st.cs_conns_closed_silent == 2,
		  "counted as stalled, not idle or silent");
	close_conn(0);

	/* 6: a peer that never serves the RDMA Read of its Read chunk. */
	{
		struct xr_loop_faults f = {
		    .lf_seed = 7, .lf_ops = 1u << XR_OP_READ, .lf_drop = 65536};
		struct xr_fabric *sfab = xr_loop_listener_fabric(port);

		CHECK_SAY(sfab && !xr_loop_set_faults(sfab, &f),
			  "the engine's Reads never complete");
		CHECK_SAY(!open_conn(0, port), "a new connection");
		CHECK_SAY(!send_call_rd(0, 0x6a, true, RDLEN),
			  "it sends a call with a Read chunk");
		t0 = now_ms();
		CHECK_SAY(wait_for(stalled2, 15000),
			  "closed as stalled (call stuck in PULLING)");
		took = now_ms() - t0;
		CHECK_SAY(
		    took >= (long)(PEER_S - 1) * 1000,
		    "not before the peer timeout (less the 1 s timer tick)");
		CHECK_SAY(wait_for(at_rest, 10000), "everything returns");
		xr_loop_set_faults(sfab, NULL);
		close_conn(0);
	}

	/*
	 * 7: garbage proves nothing: a connection that sends only headers the
	 * engine drops allocates nothing more and is closed as silent.
	 */
	{
		uint64_t mr_max, dropped0 = stats().cs_err_hdr_dropped;

		CHECK_SAY(!open_conn(0, port), "a new connection");
		t0 = now_ms();
		CHECK_SAY(
		    flood_until(silent3, 15000, &mr_max),
		    "sending only garbage: closed after the handshake timeout");
		took = now_ms() - t0;
		st = stats();
		printf("     closed %.1f s after connecting; %llu headers "
		       "dropped, at most %llu regions\n",
		       (double)took / 1000,
		       (unsigned long long)(st.cs_err_hdr_dropped - dropped0),
		       (unsigned long long)mr_max);
		CHECK_SAY(st.cs_err_hdr_dropped - dropped0 >= 3,
			  "the garbage was dropped");
		CHECK_SAY(mr_max == 1,
			  "garbage allocates nothing: only the receives");
		CHECK_SAY(took >= (long)(HANDSHAKE_S - 1) * 1000,
			  "not before the handshake timeout");
		CHECK_SAY(wait_for(at_rest, 10000), "everything returns");
		close_conn(0);
	}

	/*
	 * 8: a Read chunk of 0 bytes does not earn the landing area; after
	 * the reply, garbage does not keep the connection from idling out.
	 */
	{
		uint64_t mr_max;

		CHECK_SAY(
		    !open_conn(0, port) && !send_call_rd(0, 0x8a, true, 0),
		    "a new connection sends a call with a 0-byte Read chunk");
		CHECK_SAY(wait_for(delivered, 5000), "the call is delivered");
		st = stats();
		CHECK_SAY(st.cs_mr_live == 2,
			  "receive and send buffers, no landing area");
		CHECK_SAY(answer_held(), "the upper layer replies");
		CHECK_SAY(wait_for(got_reply, 5000),
			  "the client has its reply");
		idle_goal = stats().cs_conns_closed_idle + 1;
		t0 = now_ms();
		CHECK_SAY(flood_until(idle_reached, 15000, &mr_max),
			  "then garbage only: closed after the idle timeout");
		took = now_ms() - t0;
		printf("     closed %.1f s after the reply\n",
		       (double)took / 1000);
		CHECK_SAY(mr_max == 2, "never a landing area");
		CHECK_SAY(wait_for(at_rest, 10000), "everything returns");
		close_conn(0);
	}

	/*
	 * 9: the per-address cap (2) by bucket: requesters the fabric cannot
	 * name (AF_UNSPEC) are not lumped together; IPv6 counts by /64.
	 */
	{
		uint64_t refused0 = stats().cs_err_refused_per_addr;
		uint32_t i;

		CHECK_SAY(!xr_loop_set_source(cfab,
					      &(struct sockaddr_storage){
						  .ss_family = AF_UNSPEC}),
			  "the client poses as an unnamed requester");
		r0 = open_conn(0, port);
		r1 = open_conn(1, port);
		r2 = open_conn(2, port);
		CHECK_SAY(!r0 && !r1 && !r2,
			  "three unnamed requesters: none refused by the cap");
		for (i = 0; i < 3; i++)
			close_conn(i);
		CHECK_SAY(wait_for(at_rest, 10000), "at rest");
		xr_loop_set_source(cfab, v6src("2001:db8:1:2::1"));
		r0 = open_conn(0, port);
		xr_loop_set_source(cfab, v6src("2001:db8:1:2:aaaa::2"));
		r1 = open_conn(1, port);
		xr_loop_set_source(cfab, v6src("2001:db8:1:2:bbbb::3"));
		r2 = open_conn(2, port);
		CHECK_SAY(!r0 && !r1 && r2 == -ECONNREFUSED,
			  "IPv6: the third from one /64 is refused");
		close_conn(2);
		xr_loop_set_source(cfab, v6src("2001:db8:1:3::1"));
		r2 = open_conn(2, port);
		CHECK_SAY(!r2, "IPv6: another /64 is not");
		CHECK_SAY(stats().cs_err_refused_per_addr == refused0 + 1,
			  "one refused, per address");
		xr_loop_set_source(cfab, NULL);
		for (i = 0; i < 3; i++)
			close_conn(i);
		CHECK_SAY(wait_for(at_rest, 10000), "at rest");
	}

	/*
	 * 10: a connection that calls without pause is never idle, even when
	 * each reply is made after the progress round read its clock (the
	 * idle check took "now - last reply" of a later stamp, which wrapped,
	 * and closed busy connections as idle).
	 */
	{
		uint64_t idle0 = stats().cs_conns_closed_idle;
		uint32_t calls = 0, xid = 0x1000;
		long end;

		answer_inline = true;
		repost_recvs = true;
		CHECK_SAY(!open_conn(0, port), "a client connects");
		end = now_ms() + (IDLE_S * 2 + 2) * 1000L;
		while (now_ms() < end && conns[0].state == 1) {
			uint32_t want = conns[0].replies + 1;
			long give_up = now_ms() + 5000;

			if (send_call(0, xid++))
				break;
			while (conns[0].replies < want && conns[0].state == 1 &&
			       now_ms() < give_up)
				pump(5);
			if (conns[0].replies < want)
				break;
			calls++;
		}
		st = stats();
		printf("     %u calls answered inline in %u s\n", calls,
		       IDLE_S * 2 + 2);
		CHECK_SAY(conns[0].state == 1 && now_ms() >= end,
			  "calling without pause: the connection stays up");
		CHECK_SAY(st.cs_conns_closed_idle == idle0,
			  "a busy connection is never closed as idle");
		answer_inline = false;
		repost_recvs = false;
		close_conn(0);
		CHECK_SAY(wait_for(at_rest, 10000), "at rest");
	}

	xr_svc_stop(svc);
	xr_dereg_mr(rmr);
	xr_dereg_mr(cmr);
	xr_fabric_close(cfab);
	free(cbuf);
	return gr_check_done("test_xr_svc_conns");
}
