/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Who posts: both engines obey the fabric's XR_CAP_POST_ANY_THREAD.  How
 * this works:
 *
 * The server engine (xr_svc) and the client engine (xr_clnt) run in this
 * process over the in-process "loop" fabric, whose test seam counts every
 * post, connect, disconnect, accept and reject made by a thread other than
 * the one driving (polling) that fabric (xr_loop_foreign_posts()).  The
 * server hands each call to one of WORKERS worker threads, which reply
 * with xr_svc_reply() - as Ganesha's workers do, whose credentials change
 * per request; CALLERS caller threads each make CALLS xr_clnt_call()s,
 * every other one with a Write chunk the server fills by RDMA Write.
 *
 * Twice:
 *  1. fabric declaring no XR_CAP_POST_ANY_THREAD (as verbs): no foreign
 *     post at all, every call handed to the client's progress thread and
 *     every answer to the server's (cs_loop_handoffs), every reply right;
 *  2. fabric declaring it (as ofi): callers and workers post themselves
 *     (foreign posts seen - the count can fail the first run), no
 *     hand-off, every reply right.
 * Then, on the fabric declaring it, one caller alone: it drives progress
 * for its own replies (cs_caller_drives), so the client's progress thread
 * is not woken per reply (cs_loop_wakeups well under the calls; before
 * xr_clnt_drive() it woke for every reply).
 */
#include "xr_clnt.h"
#include "xr_fabric_loop.h"
#include "xr_svc.h"
#include "gr_check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 2
#define CALLERS 3
#define CALLS 150
#define RESULT_LEN 32u

/* One answer: it and its ranges live until sv_on_release. */
struct answer {
	struct xr_svc_call *an_call;
	uint32_t an_words[2]; /* xid, value + 1 (network order) */
	uint8_t an_result[RESULT_LEN];
	struct iovec an_head, an_payload;
	struct xr_msg an_msg;
	struct answer *an_next;
};

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static struct answer *q_head, *q_tail;
static bool q_stop;
static uint32_t reply_errors;

/* Progress thread: queue the call for a worker. */
static void on_call(struct xr_svc_call *call, void *ctx)
{
	struct answer *an = calloc(1, sizeof(*an));

	(void)ctx;
	if (!an) {
		xr_svc_drop(call);
		return;
	}
	an->an_call = call;
	call->ac_upper = an;
	pthread_mutex_lock(&q_lock);
	if (q_tail)
		q_tail->an_next = an;
	else
		q_head = an;
	q_tail = an;
	pthread_cond_signal(&q_cond);
	pthread_mutex_unlock(&q_lock);
}

static void on_release(struct xr_svc_call *call, int status, void *ctx)
{
	(void)ctx;
	if (status)
		__atomic_add_fetch(&reply_errors, 1, __ATOMIC_RELAXED);
	free(call->ac_upper);
}

/* Gather the first 8 bytes of the call: xid and value. */
static void call_words(const struct xr_svc_call *c, uint32_t w[2])
{
	uint8_t b[8] = {0};
	uint32_t i, got = 0;

	for (i = 0; i < c->ac_nmsg && got < 8; i++) {
		uint32_t n = c->ac_msg[i].iov_len < 8 - got
				 ? (uint32_t)c->ac_msg[i].iov_len
				 : 8 - got;

		memcpy(b + got, c->ac_msg[i].iov_base, n);
		got += n;
	}
	memcpy(w, b, 8);
}

/* A Ganesha worker's part: answer from a thread that is not the loop's. */
static void *worker(void *arg)
{
	struct answer *an;
	uint32_t w[2];

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&q_lock);
		while (!q_head && !q_stop)
			pthread_cond_wait(&q_cond, &q_lock);
		an = q_head;
		if (an) {
			q_head = an->an_next;
			if (!q_head)
				q_tail = NULL;
		}
		pthread_mutex_unlock(&q_lock);
		if (!an)
			return NULL;
		call_words(an->an_call, w);
		an->an_words[0] = w[0];
		an->an_words[1] = htonl(ntohl(w[1]) + 1);
		an->an_head = (struct iovec){an->an_words, 8};
		an->an_msg =
		    (struct xr_msg){.xm_head = &an->an_head, .xm_nhead = 1};
		if (an->an_call->ac_nwrite) {
			memset(an->an_result, (int)(ntohl(w[1]) & 0xff),
			       RESULT_LEN);
			an->an_payload =
			    (struct iovec){an->an_result, RESULT_LEN};
			an->an_msg.xm_payload = &an->an_payload;
			an->an_msg.xm_npayload = 1;
		}
		xr_svc_reply(an->an_call, &an->an_msg);
	}
}

struct caller {
	struct xr_clnt *cl;
	uint32_t id;
	uint32_t ok;
};

static void *caller(void *arg)
{
	struct caller *c = arg;
	uint32_t i, words[2], reply[2];
	uint8_t result[RESULT_LEN];

	for (i = 0; i < CALLS; i++) {
		struct iovec head = {words, sizeof(words)};
		struct xr_clnt_req req = {0};
		uint32_t v = c->id * 100000u + i;
		bool ddp = i % 2;

		words[0] = htonl(c->id << 16 | (i + 1));
		words[1] = htonl(v);
		req.cr_msg = (struct xr_msg){.xm_head = &head, .xm_nhead = 1};
		req.cr_reply_buf = reply;
		req.cr_reply_cap = sizeof(reply);
		req.cr_reply_inline = true;
		if (ddp) {
			memset(result, 0xee, sizeof(result));
			req.cr_result_buf = result;
			req.cr_result_cap = sizeof(result);
		}
		if (xr_clnt_call(c->cl, &req, 20000))
			continue;
		if (req.cr_reply_len != sizeof(reply) || reply[0] != words[0] ||
		    ntohl(reply[1]) != v + 1)
			continue;
		if (ddp && (req.cr_result_len != RESULT_LEN ||
			    result[0] != (v & 0xff) ||
			    result[RESULT_LEN - 1] != (v & 0xff)))
			continue;
		c->ok++;
	}
	return NULL;
}

static void run(bool any_thread, uint32_t ncallers)
{
	struct xr_svc_params sp = {.sp_backend = "loop",
				   .sp_addr = "127.0.0.1",
				   .sp_port = XR_SVC_PORT_ANY,
				   .sp_credits = 16};
	struct xr_svc_ops ops = {.sv_on_call = on_call,
				 .sv_on_release = on_release};
	struct xr_clnt_params cp = {
	    .cp_backend = "loop", .cp_addr = "127.0.0.1", .cp_credits = 8};
	struct xr_core_stats sst, cst;
	struct caller callers[CALLERS];
	uint32_t calls = ncallers * CALLS;
	pthread_t wt[WORKERS], ct[CALLERS];
	uint64_t foreign0, foreign;
	struct xr_svc *svc;
	struct xr_clnt *cl;
	char err[256] = "";
	uint32_t i, ok = 0;

	printf("fabric %s XR_CAP_POST_ANY_THREAD, %u callers\n",
	       any_thread ? "with" : "without", ncallers);
	xr_loop_set_open_caps(any_thread ? XR_CAP_POST_ANY_THREAD : 0);
	q_stop = false;
	reply_errors = 0;
	if (!CHECK(xr_svc_start(&sp, &ops, NULL, &svc, err, sizeof(err)) ==
		   0)) {
		fprintf(stderr, "svc: %s\n", err);
		return;
	}
	cp.cp_port = xr_svc_port(svc);
	for (i = 0; i < WORKERS; i++)
		pthread_create(&wt[i], NULL, worker, NULL);
	foreign0 = xr_loop_foreign_posts();
	if (!CHECK(xr_clnt_create(&cp, NULL, NULL, &cl, err, sizeof(err)) ==
		   0)) {
		fprintf(stderr, "clnt: %s\n", err);
		goto out_svc;
	}
	for (i = 0; i < ncallers; i++) {
		callers[i] = (struct caller){.cl = cl, .id = i + 1};
		pthread_create(&ct[i], NULL, caller, &callers[i]);
	}
	for (i = 0; i < ncallers; i++) {
		pthread_join(ct[i], NULL);
		ok += callers[i].ok;
	}
	foreign = xr_loop_foreign_posts() - foreign0;
	xr_clnt_get_stats(cl, &cst);
	xr_svc_get_stats(svc, &sst);
	printf("  calls right %u of %u, foreign posts %llu, hand-offs clnt "
	       "%llu svc %llu, loop wake-ups clnt %llu svc %llu, caller "
	       "drives %llu wake-ups %llu\n",
	       ok, calls, (unsigned long long)foreign,
	       (unsigned long long)cst.cs_loop_handoffs,
	       (unsigned long long)sst.cs_loop_handoffs,
	       (unsigned long long)cst.cs_loop_wakeups,
	       (unsigned long long)sst.cs_loop_wakeups,
	       (unsigned long long)cst.cs_caller_drives,
	       (unsigned long long)cst.cs_caller_wakeups);
	CHECK_EQ(ok, calls);
	CHECK_EQ(reply_errors, 0);
	if (any_thread) {
		CHECK(foreign > 0);
		CHECK_EQ(cst.cs_loop_handoffs, 0);
		CHECK_EQ(sst.cs_loop_handoffs, 0);
		CHECK(cst.cs_caller_drives > 0);
	} else {
		CHECK_EQ(foreign, 0);
		CHECK(cst.cs_loop_handoffs >= calls);
		CHECK(sst.cs_loop_handoffs >= calls);
		CHECK_EQ(cst.cs_caller_drives, 0);
	}
	if (any_thread && ncallers == 1) {
		/* Each reply wakes its caller, not the progress thread. */
		CHECK(cst.cs_caller_drives >= calls / 2);
		CHECK(cst.cs_loop_wakeups <= calls / 4);
	}
	xr_clnt_destroy(cl);
out_svc:
	pthread_mutex_lock(&q_lock);
	q_stop = true;
	pthread_cond_broadcast(&q_cond);
	pthread_mutex_unlock(&q_lock);
	for (i = 0; i < WORKERS; i++)
		pthread_join(wt[i], NULL);
	xr_svc_stop(svc);
}

int main(void)
{
	run(false, CALLERS);
	run(true, CALLERS);
	run(true, 1);
	return gr_check_done("core.threads");
}
