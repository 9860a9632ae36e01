/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Integration test of the RPC-over-RDMA engines, by default over the
 * ofi fabric on 127.0.0.1.  How this works: the parent process only
 * orchestrates.  It forks the toy server (toy_rpc.c) and learns its port
 * through a pipe, then forks one client process per group of cases:
 *
 *   main      inline calls, 1 MiB Read chunk (checksum on the server),
 *             1 MiB Write chunk (checked here), Reply chunk, Position-Zero
 *             long call, a reply too big for the offer (ERR_CHUNK), 128
 *             calls held by the server at once, 1024 pipelined calls
 *   wakes     4 threads of short calls (inline, Read and Write chunks,
 *             asynchronous) with random 0-3 ms pauses: no call may stall
 *             on a missed wake-up (any call over 900 ms fails)
 *   timeout   an unanswered call times out and drops the connection
 *             (on_lost runs), calls fail while down, reconnect works
 *   malformed a raw fabric client sends bad transport headers and gets
 *             RDMA_ERROR (ERR_VERS, ERR_CHUNK) while an engine client
 *             keeps 32 calls in flight, then is served again
 *   victim    floods 1 MiB transfers and is SIGKILLed mid-transfer
 *   checker   asks the server (STATS) until connections, registrations,
 *             receive buffers and calls are back to one client's worth
 *
 *   max-conns a second server limited to one connection refuses a second
 *             client
 *
 * XR_CORE_ONLY=<group> runs one group alone (wakes, victim, checker...:
 * the names above, max_conns with an underscore) against the same server.
 *
 * Every case prints one PASS/FAIL line; counts are kept in shared memory,
 * the last line is "N passed, N failed".  Exit 0 when all passed, 1 when
 * one failed, 77 when the fabric cannot run here.  --backend verbs
 * --addr <RDMA interface address> runs the same cases on rdma-core (the
 * vm tier's rxe/siw); the default is ofi on 127.0.0.1.
 */
#include "toy_rpc.h"

#include "xr_cm.h"
#include "xr_fabric.h"
#include "xr_hdr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024u * 1024u)
static const char *addr = "127.0.0.1";
static const char *backend = "ofi";

struct tally {
	int t_pass;
	int t_fail;
};

static struct tally *tally;
static uint16_t srv_port;
static uint32_t next_xid = 0x1000;

static void report(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %-34s ", ok ? "PASS" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	__atomic_fetch_add(ok ? &tally->t_pass : &tally->t_fail, 1,
			   __ATOMIC_SEQ_CST);
}

static struct xr_clnt *client(void)
{
	struct xr_clnt_params p = {
	    .cp_backend = backend, .cp_addr = addr, .cp_port = srv_port};
	struct xr_clnt *cl = NULL;
	char err[256];
	int ret;

	ret = xr_clnt_create(&p, NULL, NULL, &cl, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "client: %s (%d)\n", err, ret);
		return NULL;
	}
	return cl;
}

/* A call with an opaque argument; the buffers live in struct toy_call. */
struct toy_call {
	struct xr_clnt_req c_req;
	uint8_t c_hdr[TOY_CALL_HDR + 8];
	struct iovec c_head;
	struct iovec c_payload;
	uint8_t *c_reply;
	uint32_t c_xid;
};

static void call_init(struct toy_call *tc, uint32_t proc, const void *data,
		      uint32_t len, bool ddp, size_t reply_cap)
{
	memset(tc, 0, sizeof(*tc));
	tc->c_xid = __atomic_fetch_add(&next_xid, 1, __ATOMIC_SEQ_CST);
	toy_call_hdr(tc->c_hdr, tc->c_xid, proc);
	tc->c_head.iov_base = tc->c_hdr;
	tc->c_head.iov_len = TOY_CALL_HDR;
	if (data) {
		toy_put32(tc->c_hdr + TOY_CALL_HDR, len);
		tc->c_head.iov_len += 4;
		tc->c_payload.iov_base = (void *)data;
		tc->c_payload.iov_len = len;
		tc->c_req.cr_msg.xm_payload = &tc->c_payload;
		tc->c_req.cr_msg.xm_npayload = 1;
	}
	tc->c_req.cr_msg.xm_head = &tc->c_head;
	tc->c_req.cr_msg.xm_nhead = 1;
	tc->c_req.cr_payload_ddp = ddp;
	tc->c_reply = malloc(reply_cap);
	tc->c_req.cr_reply_buf = tc->c_reply;
	tc->c_req.cr_reply_cap = reply_cap;
}

static void call_fill(struct toy_call *tc, uint32_t len, uint32_t seed,
		      void *result, size_t result_cap, size_t reply_cap)
{
	call_init(tc, TOY_FILL, NULL, 0, false, reply_cap);
	toy_put32(tc->c_hdr + TOY_CALL_HDR, len);
	toy_put32(tc->c_hdr + TOY_CALL_HDR + 4, seed);
	tc->c_head.iov_len += 8;
	tc->c_req.cr_result_buf = result;
	tc->c_req.cr_result_cap = result_cap;
}

static void call_fini(struct toy_call *tc)
{
	free(tc->c_reply);
	tc->c_reply = NULL;
}

/* Results offset of an accepted reply, or -1. */
static int reply_res(struct toy_call *tc)
{
	return toy_reply_ok(tc->c_reply, tc->c_req.cr_reply_len, tc->c_xid);
}

static bool get_stats(struct xr_clnt *cl, uint64_t *v)
{
	struct toy_call tc;
	const uint8_t *p;
	bool ok = false;
	int ret, off, i;

	call_init(&tc, TOY_STATS, NULL, 0, false, 512);
	ret = xr_clnt_call(cl, &tc.c_req, 10000);
	off = reply_res(&tc);
	if (!ret && off > 0 &&
	    tc.c_req.cr_reply_len >= (size_t)off + 4 + 8 * TOY_ST_COUNT &&
	    toy_get32(tc.c_reply + off) == TOY_ST_COUNT) {
		p = tc.c_reply + off + 4;
		for (i = 0; i < TOY_ST_COUNT; i++)
			v[i] = (uint64_t)toy_get32(p + 8 * i) << 32 |
			       toy_get32(p + 8 * i + 4);
		ok = true;
	}
	call_fini(&tc);
	return ok;
}

static void fill_random(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* ---- main group -------------------------------------------------------- */

static void case_inline(struct xr_clnt *cl)
{
	struct toy_call tc;
	uint8_t data[100];
	uint32_t snd, rcv;
	int ret, off;

	xr_clnt_inline_sizes(cl, &snd, &rcv);
	report(snd == 4096 && rcv == 4096, "inline sizes negotiated",
	       "send %u recv %u (want 4096/4096)", snd, rcv);

	call_init(&tc, TOY_NULL, NULL, 0, false, 256);
	ret = xr_clnt_call(cl, &tc.c_req, 10000);
	report(!ret && reply_res(&tc) == TOY_REPLY_HDR &&
		   !tc.c_req.cr_plan.pl_read_chunk &&
		   !tc.c_req.cr_plan.pl_pos_zero,
	       "inline NULL call", "status %d reply %zu bytes", ret,
	       tc.c_req.cr_reply_len);
	call_fini(&tc);

	fill_random(data, sizeof(data), 7);
	call_init(&tc, TOY_ECHO, data, sizeof(data), false, 512);
	ret = xr_clnt_call(cl, &tc.c_req, 10000);
	off = reply_res(&tc);
	report(!ret && off > 0 && toy_get32(tc.c_reply + off) == 100 &&
		   !memcmp(tc.c_reply + off + 4, data, 100) &&
		   tc.c_req.cr_reply_len == (size_t)off + 4 + 100,
	       "inline ECHO 100 bytes", "status %d reply %zu bytes", ret,
	       tc.c_req.cr_reply_len);
	call_fini(&tc);
}

static void case_read_chunk(struct xr_clnt *cl)
{
	uint8_t *data = malloc(MiB);
	struct toy_call tc;
	uint32_t fnv;
	int ret, off;

	fill_random(data, MiB, 11);
	fnv = toy_fnv(TOY_FNV_INIT, data, MiB);
	call_init(&tc, TOY_SUM, data, MiB, true, 256);
	ret = xr_clnt_call(cl, &tc.c_req, 20000);
	off = reply_res(&tc);
	report(!ret && off > 0 && tc.c_req.cr_plan.pl_read_chunk &&
		   toy_get32(tc.c_reply + off) == MiB &&
		   toy_get32(tc.c_reply + off + 4) == fnv,
	       "1 MiB Read chunk (server checksum)",
	       "status %d chunk %d server fnv %08x want %08x", ret,
	       tc.c_req.cr_plan.pl_read_chunk,
	       off > 0 ? toy_get32(tc.c_reply + off + 4) : 0, fnv);
	call_fini(&tc);
	free(data);
}

static bool pattern_ok(const uint8_t *p, uint64_t len, uint32_t seed)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != toy_pattern(seed, i))
			return false;
	return true;
}

static void case_write_chunk(struct xr_clnt *cl)
{
	uint8_t *buf = calloc(1, MiB);
	struct toy_call tc;
	int ret, off;

	call_fill(&tc, MiB, 5, buf, MiB, 256);
	ret = xr_clnt_call(cl, &tc.c_req, 20000);
	off = reply_res(&tc);
	report(!ret && off > 0 && tc.c_req.cr_plan.pl_write_chunk &&
		   tc.c_req.cr_result_len == MiB &&
		   toy_get32(tc.c_reply + off) == MiB &&
		   tc.c_req.cr_reply_len == (size_t)off + 4 &&
		   pattern_ok(buf, MiB, 5),
	       "1 MiB Write chunk (client verifies)",
	       "status %d placed %zu reply %zu bytes", ret,
	       tc.c_req.cr_result_len, tc.c_req.cr_reply_len);
	call_fini(&tc);
	free(buf);
}

/* Payload in 3 pieces (3 segments), odd length, plus an 8 KiB tail. */
static void case_read_chunk_segments(struct xr_clnt *cl, bool long_tail)
{
	const uint32_t len = 300001;
	uint8_t *data = malloc(len), *tail = calloc(1, 8192);
	struct iovec pieces[3] = {
	    {data, 1000}, {data + 1000, 200000}, {data + 201000, len - 201000}};
	struct iovec tail_iov = {tail, 8192};
	struct toy_call tc;
	uint32_t fnv;
	int ret, off;

	fill_random(data, len, 17);
	fnv = toy_fnv(TOY_FNV_INIT, data, len);
	call_init(&tc, TOY_SUM, data, len, true, 256);
	tc.c_req.cr_msg.xm_payload = pieces;
	tc.c_req.cr_msg.xm_npayload = 3;
	if (long_tail) {
		tc.c_req.cr_msg.xm_tail = &tail_iov;
		tc.c_req.cr_msg.xm_ntail = 1;
	}
	ret = xr_clnt_call(cl, &tc.c_req, 20000);
	off = reply_res(&tc);
	report(!ret && off > 0 && tc.c_req.cr_plan.pl_read_chunk &&
		   tc.c_req.cr_plan.pl_pos_zero == long_tail &&
		   toy_get32(tc.c_reply + off) == len &&
		   toy_get32(tc.c_reply + off + 4) == fnv,
	       long_tail ? "Position-Zero + data Read chunk"
			 : "3-segment odd-length Read chunk",
	       "status %d pos0 %d server fnv %08x want %08x", ret,
	       tc.c_req.cr_plan.pl_pos_zero,
	       off > 0 ? toy_get32(tc.c_reply + off + 4) : 0, fnv);
	call_fini(&tc);
	free(data);
	free(tail);
}

/* ECHO with a result buffer: the server writes from the call's buffer. */
static void case_echo_write_chunk(struct xr_clnt *cl)
{
	uint8_t data[2001], *res = calloc(1, 4096);
	struct toy_call tc;
	int ret, off;

	fill_random(data, sizeof(data), 23);
	call_init(&tc, TOY_ECHO, data, sizeof(data), false, 256);
	tc.c_req.cr_result_buf = res;
	tc.c_req.cr_result_cap = 4096;
	ret = xr_clnt_call(cl, &tc.c_req, 10000);
	off = reply_res(&tc);
	report(!ret && off > 0 && tc.c_req.cr_result_len == sizeof(data) &&
		   toy_get32(tc.c_reply + off) == sizeof(data) &&
		   !memcmp(res, data, sizeof(data)),
	       "Write chunk from the call's own buffer", "status %d placed %zu",
	       ret, tc.c_req.cr_result_len);
	call_fini(&tc);
	free(res);
}

static void case_reply_chunk(struct xr_clnt *cl)
{
	const uint32_t len = 16 * 1024;
	struct toy_call tc;
	int ret, off;

	/* No result buffer: the data is part of the reply message. */
	call_fill(&tc, len, 9, NULL, 0, len + 256);
	ret = xr_clnt_call(cl, &tc.c_req, 20000);
	off = reply_res(&tc);
	report(!ret && off > 0 && tc.c_req.cr_plan.pl_reply_chunk &&
		   tc.c_req.cr_reply_len == (size_t)off + 4 + len &&
		   pattern_ok(tc.c_reply + off + 4, len, 9),
	       "16 KiB reply via Reply chunk", "status %d reply %zu bytes", ret,
	       tc.c_req.cr_reply_len);
	call_fini(&tc);
}

static void case_pos_zero(struct xr_clnt *cl)
{
	const uint32_t len = 12 * 1024 + 3; /* odd: XDR padding inside */
	uint8_t *data = malloc(len);
	struct toy_call tc;
	int ret, off;

	fill_random(data, len, 13);
	call_init(&tc, TOY_ECHO, data, len, false, len + 256);
	ret = xr_clnt_call(cl, &tc.c_req, 20000);
	off = reply_res(&tc);
	report(!ret && off > 0 && tc.c_req.cr_plan.pl_pos_zero &&
		   tc.c_req.cr_plan.pl_reply_chunk &&
		   toy_get32(tc.c_reply + off) == len &&
		   !memcmp(tc.c_reply + off + 4, data, len),
	       "12 KiB call via Position-Zero chunk",
	       "status %d pos0 %d reply %zu bytes", ret,
	       tc.c_req.cr_plan.pl_pos_zero, tc.c_req.cr_reply_len);
	call_fini(&tc);
	free(data);
}

struct flight {
	pthread_mutex_t f_lock;
	int f_done;
	int f_ok;
	int f_inflight;
	int f_max;
};

struct flight_call {
	struct toy_call fc_call;
	uint8_t fc_data[512];
	struct flight *fc_f;
};

static void flight_done(struct xr_clnt_req *req, void *arg)
{
	struct flight_call *fc = arg;
	struct flight *f = fc->fc_f;
	int off = reply_res(&fc->fc_call);
	bool ok = !req->cr_status && off > 0 &&
		  toy_get32(fc->fc_call.c_reply + off) == 512 &&
		  !memcmp(fc->fc_call.c_reply + off + 4, fc->fc_data, 512);

	pthread_mutex_lock(&f->f_lock);
	f->f_done++;
	f->f_ok += ok;
	f->f_inflight--;
	pthread_mutex_unlock(&f->f_lock);
}

/* Submit n ECHO calls without waiting; returns how many were accepted. */
static int flight_start(struct xr_clnt *cl, struct flight *f,
			struct flight_call *fcs, int n)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		struct flight_call *fc = &fcs[i];

		fc->fc_f = f;
		fill_random(fc->fc_data, sizeof(fc->fc_data), 100 + i);
		call_init(&fc->fc_call, TOY_ECHO, fc->fc_data, 512, false,
			  1024);
		fc->fc_call.c_req.cr_done = flight_done;
		fc->fc_call.c_req.cr_arg = fc;
		pthread_mutex_lock(&f->f_lock);
		f->f_inflight++;
		if (f->f_inflight > f->f_max)
			f->f_max = f->f_inflight;
		pthread_mutex_unlock(&f->f_lock);
		ret = xr_clnt_submit(cl, &fc->fc_call.c_req);
		if (ret) {
			pthread_mutex_lock(&f->f_lock);
			f->f_inflight--;
			pthread_mutex_unlock(&f->f_lock);
			return i;
		}
	}
	return n;
}

static void barrier_done(struct xr_clnt_req *req, void *arg)
{
	struct flight *f = arg;

	(void)req;
	pthread_mutex_lock(&f->f_lock);
	f->f_done++;
	pthread_mutex_unlock(&f->f_lock);
}

static bool flight_wait(struct flight *f, int n, int ms)
{
	int waited = 0, done;

	for (;;) {
		pthread_mutex_lock(&f->f_lock);
		done = f->f_done;
		pthread_mutex_unlock(&f->f_lock);
		if (done >= n)
			return true;
		if (waited >= ms)
			return false;
		usleep(10000);
		waited += 10;
	}
}

static void case_many_in_flight(struct xr_clnt *cl)
{
	struct flight f = {.f_lock = PTHREAD_MUTEX_INITIALIZER};
	struct flight_call *fcs = calloc(1024, sizeof(*fcs));
	struct xr_core_stats st;
	int started, i;
	bool all;

	/* First 128, then 896 more: the grant must open up to 128. */
	started = flight_start(cl, &f, fcs, 128);
	all = flight_wait(&f, started, 30000);
	started += flight_start(cl, &f, fcs + 128, 896);
	all = flight_wait(&f, started, 60000) && all;
	xr_clnt_get_stats(cl, &st);
	report(all && started == 1024 && f.f_ok == 1024,
	       "1024 pipelined ECHO calls",
	       "started %d ok %d max submitted-not-done %d stalls %llu",
	       started, f.f_ok, f.f_max,
	       (unsigned long long)st.cs_credit_stalls);
	for (i = 0; i < 1024; i++)
		call_fini(&fcs[i].fc_call);
	free(fcs);
}

/*
 * Four 1 MiB Read chunks at once and nothing after them: the landing area
 * holds two, so the other two must be woken when space is freed.
 */
static void case_read_chunks_queued(struct xr_clnt *cl)
{
	struct flight f = {.f_lock = PTHREAD_MUTEX_INITIALIZER};
	struct toy_call tc[4];
	uint8_t *data = malloc(MiB);
	uint32_t fnv;
	int i, ok = 0, started = 0;

	fill_random(data, MiB, 29);
	fnv = toy_fnv(TOY_FNV_INIT, data, MiB);
	for (i = 0; i < 4; i++) {
		call_init(&tc[i], TOY_SUM, data, MiB, true, 256);
		tc[i].c_req.cr_done = barrier_done;
		tc[i].c_req.cr_arg = &f;
		started += !xr_clnt_submit(cl, &tc[i].c_req);
	}
	flight_wait(&f, started, 20000);
	for (i = 0; i < started; i++) {
		int off = reply_res(&tc[i]);

		ok += !tc[i].c_req.cr_status && off > 0 &&
		      toy_get32(tc[i].c_reply + off + 4) == fnv;
	}
	report(started == 4 && ok == 4, "4 x 1 MiB Read chunks, 2 fit at once",
	       "%d submitted, %d ok", started, ok);
	for (i = 0; i < 4; i++)
		call_fini(&tc[i]);
	free(data);
}

/* The server holds BARRIER calls until 128 are pending: needs 128 credits. */
static void case_barrier(struct xr_clnt *cl)
{
	struct flight f = {.f_lock = PTHREAD_MUTEX_INITIALIZER};
	struct toy_call *tcs = calloc(128, sizeof(*tcs));
	struct toy_call warm;
	int i, ok = 0, ret, started = 0;

	/* One reply first: credits start at 1 (RFC 8166). */
	call_init(&warm, TOY_NULL, NULL, 0, false, 256);
	xr_clnt_call(cl, &warm.c_req, 10000);
	call_fini(&warm);
	for (i = 0; i < 128; i++) {
		call_init(&tcs[i], TOY_BARRIER, NULL, 0, false, 256);
		toy_put32(tcs[i].c_hdr + TOY_CALL_HDR, 128);
		tcs[i].c_head.iov_len += 4;
		tcs[i].c_req.cr_done = barrier_done;
		tcs[i].c_req.cr_arg = &f;
		ret = xr_clnt_submit(cl, &tcs[i].c_req);
		if (ret)
			break;
		started++;
	}
	flight_wait(&f, started, 30000);
	for (i = 0; i < started; i++)
		ok += !tcs[i].c_req.cr_status &&
		      reply_res(&tcs[i]) == TOY_REPLY_HDR;
	report(started == 128 && ok == 128, "128 calls in flight at once",
	       "%d submitted, %d answered ok (server waits for all 128)",
	       started, ok);
	for (i = 0; i < 128; i++)
		call_fini(&tcs[i]);
	free(tcs);
}

struct chain {
	struct xr_clnt *ch_cl;
	struct toy_call ch_first, ch_second, ch_third;
	int ch_submit_ret, ch_call_ret;
	int ch_done;
};

static void chain_second_done(struct xr_clnt_req *req, void *arg)
{
	struct chain *ch = arg;

	(void)req;
	__atomic_store_n(&ch->ch_done, 1, __ATOMIC_SEQ_CST);
}

/* From a completion callback: submit works, a blocking call refuses. */
static void chain_first_done(struct xr_clnt_req *req, void *arg)
{
	struct chain *ch = arg;

	(void)req;
	ch->ch_second.c_req.cr_done = chain_second_done;
	ch->ch_second.c_req.cr_arg = ch;
	ch->ch_submit_ret = xr_clnt_submit(ch->ch_cl, &ch->ch_second.c_req);
	ch->ch_call_ret = xr_clnt_call(ch->ch_cl, &ch->ch_third.c_req, 1000);
}

static void case_callback_submit(struct xr_clnt *cl)
{
	struct chain ch = {.ch_cl = cl};
	int i;

	call_init(&ch.ch_first, TOY_NULL, NULL, 0, false, 256);
	call_init(&ch.ch_second, TOY_NULL, NULL, 0, false, 256);
	call_init(&ch.ch_third, TOY_NULL, NULL, 0, false, 256);
	ch.ch_first.c_req.cr_done = chain_first_done;
	ch.ch_first.c_req.cr_arg = &ch;
	xr_clnt_submit(cl, &ch.ch_first.c_req);
	for (i = 0; i < 1000 && !__atomic_load_n(&ch.ch_done, __ATOMIC_SEQ_CST);
	     i++)
		usleep(10000);
	report(ch.ch_done && !ch.ch_submit_ret && ch.ch_call_ret == -EDEADLK &&
		   !ch.ch_second.c_req.cr_status,
	       "submit from a completion callback",
	       "submit %d, blocking call %d (want 0, %d)", ch.ch_submit_ret,
	       ch.ch_call_ret, -EDEADLK);
	call_fini(&ch.ch_first);
	call_fini(&ch.ch_second);
	call_fini(&ch.ch_third);
}

static void case_registered(struct xr_clnt *cl)
{
	struct xr_core_stats st;
	uint64_t v[TOY_ST_COUNT];
	bool ok = get_stats(cl, v);

	xr_clnt_get_stats(cl, &st);
	report(ok && v[TOY_ST_PER_CONN] <= 4 * MiB &&
		   st.cs_registered_per_conn <= 4 * MiB,
	       "registered memory per connection",
	       "server %llu bytes, client %llu bytes (limit 4 MiB)",
	       (unsigned long long)v[TOY_ST_PER_CONN],
	       (unsigned long long)st.cs_registered_per_conn);
}

/* A reply that fits neither inline nor the offer is refused, not lost. */
static void case_reply_too_big(struct xr_clnt *cl)
{
	struct toy_call tc;
	int ret;

	call_fill(&tc, 16 * 1024, 1, NULL, 0, 1024); /* no Reply chunk */
	ret = xr_clnt_call(cl, &tc.c_req, 10000);
	report(ret == -EPROTO && !tc.c_req.cr_plan.pl_reply_chunk,
	       "reply too big for offer -> ERR_CHUNK", "status %d (want %d)",
	       ret, -EPROTO);
	call_fini(&tc);
}

static int lost_calls;

static void on_lost(struct xr_clnt *cl, void *arg)
{
	(void)cl;
	(void)arg;
	__atomic_fetch_add(&lost_calls, 1, __ATOMIC_SEQ_CST);
}

/* A call that is never answered times out, drops the link; reconnect. */
static int group_timeout(void)
{
	struct xr_clnt_params p = {
	    .cp_backend = backend, .cp_addr = addr, .cp_port = srv_port};
	struct xr_clnt *cl = NULL;
	struct toy_call tc;
	int ret, i;
	bool up;

	ret = xr_clnt_create(&p, on_lost, NULL, &cl, NULL, 0);
	if (ret) {
		report(false, "timeout: connect", "%d", ret);
		return 1;
	}
	call_init(&tc, TOY_NOREPLY, NULL, 0, false, 256);
	ret = xr_clnt_call(cl, &tc.c_req, 300);
	call_fini(&tc);
	for (i = 0; i < 200 && !__atomic_load_n(&lost_calls, __ATOMIC_SEQ_CST);
	     i++)
		usleep(10000);
	up = xr_clnt_connected(cl);
	report(ret == -ETIMEDOUT && !up && lost_calls == 1,
	       "timeout drops the connection", "status %d connected %d lost %d",
	       ret, up, lost_calls);
	call_init(&tc, TOY_NULL, NULL, 0, false, 256);
	ret = xr_clnt_call(cl, &tc.c_req, 300);
	report(ret == -ENOTCONN, "call while down -> ENOTCONN", "status %d",
	       ret);
	ret = xr_clnt_connect(cl);
	if (!ret)
		ret = xr_clnt_call(cl, &tc.c_req, 10000);
	report(!ret && reply_res(&tc) == TOY_REPLY_HDR,
	       "reconnect and call again", "status %d", ret);
	call_fini(&tc);
	xr_clnt_destroy(cl);
	return 0;
}

static int group_main(void)
{
	struct xr_clnt *cl = client();
	struct xr_core_stats st;

	report(cl != NULL, "connect with RFC 8797 private data", "%s",
	       cl ? "connected" : "failed");
	if (!cl)
		return 1;
	case_inline(cl);
	case_read_chunk(cl);
	case_write_chunk(cl);
	case_read_chunks_queued(cl);
	case_read_chunk_segments(cl, false);
	case_read_chunk_segments(cl, true);
	case_echo_write_chunk(cl);
	case_reply_chunk(cl);
	case_pos_zero(cl);
	case_reply_too_big(cl);
	case_barrier(cl);
	case_many_in_flight(cl);
	case_callback_submit(cl);
	case_registered(cl);
	xr_clnt_destroy(cl);
	cl = client();
	report(cl != NULL, "reconnect after destroy", "%s",
	       cl ? "connected" : "failed");
	if (cl) {
		xr_clnt_get_stats(cl, &st);
		xr_clnt_destroy(cl);
	}
	return 0;
}

/* ---- sleep and wake-up ------------------------------------------------- */

/*
 * Short calls with random pauses between them, from several threads at
 * once, so that both engines' loops go to sleep between calls and must be
 * woken by what arrives: inline calls, a 64 KiB Read chunk (the server
 * pulls it by RDMA Read), a 64 KiB Write chunk (the server pushes it by
 * RDMA Write) and asynchronous calls whose callbacks run on the client's
 * progress thread.  Every loop sleep is bounded (1 s), so a missed
 * wake-up shows as a call that takes about a second: the case counts the
 * calls over 900 ms and fails on any (a loaded machine slows calls by
 * milliseconds, not by the loops' exact 1 s cap; a progress thread left
 * parked after a caller's drive held asynchronous calls 1.000 s), or when
 * any call fails or the group does not finish within its timeout.
 */
#define WAKE_THREADS 4
#define WAKE_CALLS 150
#define WAKE_STALL_MS 900

struct wake_ctx {
	struct xr_clnt *w_cl;
	uint32_t w_seed;
	int w_failed;
	int w_stalls;
	int64_t w_max_us;
};

static int64_t wake_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void wake_async_done(struct xr_clnt_req *req, void *arg)
{
	int *done = arg;

	(void)req;
	__atomic_store_n(done, 1, __ATOMIC_RELEASE);
}

/* One call of kind k; 0 when it came back right. */
static int wake_one(struct xr_clnt *cl, uint32_t k, uint8_t *buf, uint32_t n)
{
	struct toy_call tc;
	int done = 0, ret = -1, off, waited;

	switch (k) {
	case 0:
		call_init(&tc, TOY_NULL, NULL, 0, false, 256);
		ret = xr_clnt_call(cl, &tc.c_req, 10000);
		ret = ret ? ret : reply_res(&tc) == TOY_REPLY_HDR ? 0 : -1;
		break;
	case 1: /* Read chunk: the server pulls and checksums it */
		fill_random(buf, n, n);
		call_init(&tc, TOY_SUM, buf, n, true, 256);
		ret = xr_clnt_call(cl, &tc.c_req, 10000);
		off = reply_res(&tc);
		ret = ret ? ret
		      : off > 0 && toy_get32(tc.c_reply + off) == n &&
			      toy_get32(tc.c_reply + off + 4) ==
				  toy_fnv(TOY_FNV_INIT, buf, n)
			  ? 0
			  : -1;
		break;
	case 2: /* Write chunk: the server pushes the result */
		call_fill(&tc, n, 77, buf, n, 256);
		ret = xr_clnt_call(cl, &tc.c_req, 10000);
		ret = ret ? ret
		      : reply_res(&tc) > 0 && tc.c_req.cr_result_len == n &&
			      pattern_ok(buf, n, 77)
			  ? 0
			  : -1;
		break;
	default: /* asynchronous: completes on the progress thread */
		call_init(&tc, TOY_NULL, NULL, 0, false, 256);
		tc.c_req.cr_done = wake_async_done;
		tc.c_req.cr_arg = &done;
		if (xr_clnt_submit(cl, &tc.c_req))
			break;
		for (waited = 0; !__atomic_load_n(&done, __ATOMIC_ACQUIRE) &&
				 waited < 10000000;
		     waited += 50)
			usleep(50);
		ret = __atomic_load_n(&done, __ATOMIC_ACQUIRE) &&
			      !tc.c_req.cr_status &&
			      reply_res(&tc) == TOY_REPLY_HDR
			  ? 0
			  : -1;
		if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE))
			abort(); /* the request is still the engine's */
		break;
	}
	call_fini(&tc);
	return ret;
}

static void *wake_thread(void *arg)
{
	struct wake_ctx *w = arg;
	uint32_t n = 64 * 1024, i, k, pause;
	uint8_t *buf = malloc(n);
	int64_t t0, us;

	for (i = 0; buf && i < WAKE_CALLS; i++) {
		w->w_seed = w->w_seed * 1103515245u + 12345u;
		k = (w->w_seed >> 16) % 4;
		pause = (w->w_seed >> 8) % 4; /* 0-3 ms: loops fall asleep */
		if (pause)
			usleep(pause * 1000);
		t0 = wake_now_us();
		if (wake_one(w->w_cl, k, buf, n))
			w->w_failed++;
		us = wake_now_us() - t0;
		if (us > w->w_max_us)
			w->w_max_us = us;
		if (us > WAKE_STALL_MS * 1000)
			w->w_stalls++;
	}
	if (!buf)
		w->w_failed++;
	free(buf);
	return NULL;
}

static int group_wakes(void)
{
	struct wake_ctx w[WAKE_THREADS];
	pthread_t th[WAKE_THREADS];
	struct xr_clnt *cl = client();
	bool started[WAKE_THREADS] = {false};
	uint32_t seed = (uint32_t)time(NULL);
	int i, failed = 0, stalls = 0;
	int64_t max_us = 0;

	if (!cl) {
		report(false, "wakes: connect", "failed");
		return 1;
	}
	/* the seed is printed; XR_CORE_WAKES_SEED repeats a run */
	if (getenv("XR_CORE_WAKES_SEED"))
		seed = (uint32_t)strtoul(getenv("XR_CORE_WAKES_SEED"), NULL, 0);
	memset(w, 0, sizeof(w));
	for (i = 0; i < WAKE_THREADS; i++) {
		w[i].w_cl = cl;
		w[i].w_seed = seed * 31u + (uint32_t)i;
		started[i] = !pthread_create(&th[i], NULL, wake_thread, &w[i]);
		if (!started[i])
			w[i].w_failed = WAKE_CALLS;
	}
	for (i = 0; i < WAKE_THREADS; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		failed += w[i].w_failed;
		stalls += w[i].w_stalls;
		if (w[i].w_max_us > max_us)
			max_us = w[i].w_max_us;
	}
	report(!failed && !stalls, "short calls with pauses: no stall",
	       "%d calls, %d failed, %d over %d ms, slowest %lld us, seed %u",
	       WAKE_THREADS * WAKE_CALLS, failed, stalls, WAKE_STALL_MS,
	       (long long)max_us, seed);
	xr_clnt_destroy(cl);
	return 0;
}

/* ---- malformed headers ------------------------------------------------- */

struct raw {
	struct xr_fabric *r_fab;
	struct xr_ep *r_ep;
	struct xr_mr *r_mr;
	uint8_t *r_buf; /* 8 receive slots of 4 KiB, then a send slot */
};

static int raw_wait_event(struct raw *r, enum xr_event_type want)
{
	struct pollfd pfd = {.fd = xr_fabric_wait_fd(r->r_fab),
			     .events = POLLIN};
	struct xr_completion wc[8];
	struct xr_event ev;
	int i;

	for (i = 0; i < 1000; i++) {
		while (xr_fabric_get_event(r->r_fab, &ev) == 0)
			if (ev.xv_type == want)
				return 0;
		xr_fabric_poll(r->r_fab, wc, 8);
		if (xr_fabric_arm(r->r_fab) == 0)
			poll(&pfd, 1, 10);
	}
	return -ETIMEDOUT;
}

static int raw_connect(struct raw *r)
{
	struct xr_fabric_params fp = {.xfp_backend = backend};
	struct xr_cm_private mine = {.pd_send_size = 4096,
				     .pd_recv_size = 4096};
	struct xr_recv pre[8];
	struct xr_ep_attr attr;
	uint8_t pdata[8];
	char err[256];
	int i, ret;

	memset(r, 0, sizeof(*r));
	ret = xr_fabric_open(&fp, &r->r_fab, err, sizeof(err));
	if (ret)
		return ret;
	r->r_buf = aligned_alloc(4096, 9 * 4096);
	ret =
	    xr_reg_mr(r->r_fab, r->r_buf, 9 * 4096, XR_ACCESS_LOCAL, &r->r_mr);
	if (ret)
		return ret;
	for (i = 0; i < 8; i++)
		pre[i] = (struct xr_recv){
		    .rcv_ctx = r->r_buf + i * 4096,
		    .rcv_sge = {{r->r_buf + i * 4096, 4096, r->r_mr}},
		    .rcv_nsge = 1};
	xr_cm_encode(&mine, pdata, sizeof(pdata));
	xr_ep_attr_from_credits(8, &attr);
	ret = xr_connect(r->r_fab, addr, srv_port, &attr, pre, 8, pdata, 8,
			 NULL, &r->r_ep);
	if (ret)
		return ret;
	return raw_wait_event(r, XR_EV_ESTABLISHED);
}

/* Send len bytes, wait for one message back; returns its length. */
static int raw_exchange(struct raw *r, const void *msg, uint32_t len,
			uint8_t **reply)
{
	struct pollfd pfd = {.fd = xr_fabric_wait_fd(r->r_fab),
			     .events = POLLIN};
	uint8_t *sbuf = r->r_buf + 8 * 4096;
	struct xr_sge sge = {sbuf, len, r->r_mr};
	struct xr_completion wc[8];
	struct xr_recv re;
	uint32_t posted;
	int i, n, k, got = -ETIMEDOUT;

	memcpy(sbuf, msg, len);
	if (xr_post_send(r->r_ep, &sge, 1, false, 0, NULL))
		return -EIO;
	for (i = 0; i < 1000 && got < 0; i++) {
		n = xr_fabric_poll(r->r_fab, wc, 8);
		for (k = 0; k < n; k++) {
			if (wc[k].xc_op != XR_OP_RECV || wc[k].xc_status)
				continue;
			*reply = wc[k].xc_ctx;
			got = (int)wc[k].xc_len;
			/* Give the slot back for the next exchange. */
			re = (struct xr_recv){
			    .rcv_ctx = *reply,
			    .rcv_sge = {{*reply, 4096, r->r_mr}},
			    .rcv_nsge = 1};
			xr_post_recvs(r->r_ep, &re, 1, &posted);
		}
		if (n <= 0 && xr_fabric_arm(r->r_fab) == 0)
			poll(&pfd, 1, 10);
	}
	return got;
}

static void raw_close(struct raw *r)
{
	if (r->r_ep) {
		xr_disconnect(r->r_ep);
		raw_wait_event(r, XR_EV_DISCONNECTED);
		xr_ep_destroy(r->r_ep);
	}
	if (r->r_mr)
		xr_dereg_mr(r->r_mr);
	xr_fabric_close(r->r_fab);
	free(r->r_buf);
}

static bool raw_expect_error(struct raw *r, const uint32_t *words, int n,
			     uint32_t want_err, const char *name)
{
	struct xr_chunk ch[4];
	struct xr_segment sg[4];
	struct xr_hdr_limits lim = {.hl_dir = XR_DIR_REPLY,
				    .hl_max_read_segs = 4,
				    .hl_max_write_chunks = 4,
				    .hl_max_chunk_segs = 4,
				    .hl_max_chunk_bytes = MiB,
				    .hl_inline_size = 4096};
	enum xr_hdr_reason reason;
	uint32_t be[16];
	uint8_t *rep = NULL;
	struct xr_hdr h;
	int i, len;
	bool ok;

	for (i = 0; i < n; i++)
		be[i] = htonl(words[i]);
	len = raw_exchange(r, be, (uint32_t)n * 4, &rep);
	xr_hdr_init(&h, ch, 4, sg, 4);
	ok = len > 0 && !xr_hdr_decode(rep, (size_t)len, &lim, &h, &reason) &&
	     h.h_proc == XR_RDMA_ERROR && h.h_err == want_err &&
	     h.h_xid == words[0];
	report(ok, name, "reply %d bytes proc %u err %u", len,
	       len > 0 ? h.h_proc : 0, len > 0 ? h.h_err : 0);
	return ok;
}

static int group_malformed(void)
{
	struct flight f = {.f_lock = PTHREAD_MUTEX_INITIALIZER};
	struct flight_call *fcs = calloc(32, sizeof(*fcs));
	const uint32_t bad_vers[] = {0xabc1, 7, 32, XR_RDMA_MSG, 0, 0, 0};
	const uint32_t bad_list[] = {0xabc2, 1, 32, XR_RDMA_MSG, 9, 0, 0};
	uint32_t null_call[7 + 10] = {0xabc3, 1, 32, XR_RDMA_MSG, 0, 0, 0};
	struct xr_clnt *cl = client();
	struct raw r;
	uint8_t *rep = NULL;
	int started = 0, len, i, ret;

	if (!cl) {
		report(false, "malformed: engine client", "connect failed");
		return 1;
	}
	started = flight_start(cl, &f, fcs, 32);
	ret = raw_connect(&r);
	report(!ret, "malformed: raw client connects", "%d", ret);
	if (!ret) {
		raw_expect_error(&r, bad_vers, 7, XR_ERR_VERS,
				 "bad version -> ERR_VERS");
		raw_expect_error(&r, bad_list, 7, XR_ERR_CHUNK,
				 "bad list discriminator -> ERR_CHUNK");
		/* The same connection is still served afterwards. */
		toy_call_hdr((uint8_t *)&null_call[7], 0xabc3, TOY_NULL);
		for (i = 0; i < 7; i++)
			null_call[i] = htonl(null_call[i]);
		len = raw_exchange(&r, null_call, sizeof(null_call), &rep);
		report(len == 28 + TOY_REPLY_HDR &&
			   ntohl(((uint32_t *)rep)[3]) == XR_RDMA_MSG &&
			   toy_reply_ok(rep + 28, TOY_REPLY_HDR, 0xabc3) ==
			       TOY_REPLY_HDR,
		       "served again after RDMA_ERROR", "reply %d bytes", len);
	}
	raw_close(&r);
	report(flight_wait(&f, started, 30000) && f.f_ok == 32,
	       "other client served meanwhile", "%d of 32 ok", f.f_ok);
	for (i = 0; i < 32; i++)
		call_fini(&fcs[i].fc_call);
	free(fcs);
	xr_clnt_destroy(cl);
	return 0;
}

/* ---- killed client ----------------------------------------------------- */

struct victim_call {
	struct toy_call vc_call;
	uint8_t *vc_buf;
};

static int victim_completed;

static void victim_done(struct xr_clnt_req *req, void *arg)
{
	(void)req;
	(void)arg;
	__atomic_fetch_add(&victim_completed, 1, __ATOMIC_SEQ_CST);
}

static int group_victim(int ready_fd)
{
	struct xr_clnt *cl = client();
	struct victim_call *vc = calloc(8, sizeof(*vc));
	char one = 1;
	int i, round, want = 0;

	if (!cl)
		return 1;
	for (i = 0; i < 8; i++) {
		/* filled: the SUM calls send it (memcheck: no uninit bytes) */
		vc[i].vc_buf = malloc(MiB);
		if (vc[i].vc_buf)
			memset(vc[i].vc_buf, i, MiB);
	}
	for (round = 0;; round++) {
		for (i = 0; i < 8; i++) {
			struct toy_call *tc = &vc[i].vc_call;

			call_fini(tc);
			if (i & 1)
				call_fill(tc, MiB, (uint32_t)i, vc[i].vc_buf,
					  MiB, 256);
			else
				call_init(tc, TOY_SUM, vc[i].vc_buf, MiB, true,
					  256);
			tc->c_req.cr_done = victim_done;
			tc->c_req.cr_arg = &vc[i];
			if (!xr_clnt_submit(cl, &tc->c_req))
				want++;
		}
		if (round == 0 && write(ready_fd, &one, 1) != 1)
			return 1;
		/* Reuse the buffers only once every call has completed. */
		while (__atomic_load_n(&victim_completed, __ATOMIC_SEQ_CST) <
		       want)
			usleep(1000);
	}
}

static int group_checker(void)
{
	struct xr_clnt *cl = client();
	uint64_t v[TOY_ST_COUNT] = {0};
	uint64_t credits = XR_DEFAULT_CREDITS;
	bool ok = false;
	int i;

	if (!cl) {
		report(false, "killed client leaves nothing", "no connect");
		return 1;
	}
	/*
	 * Expect exactly this client: one conn, 2 pools (receive and send:
	 * the landing area waits for a Read chunk, which STATS does not
	 * carry), 1 call (STATS).  The server learns of the kill only when the
	 * kernel's reset reaches its progress thread; on a loaded machine under
	 * ASan that took over 10 s, so allow a minute (the loop ends as soon as
	 * it holds).
	 */
	for (i = 0; i < 1200 && !ok; i++) {
		if (!get_stats(cl, v))
			break;
		ok = v[TOY_ST_CONNECTIONS] == 1 && v[TOY_ST_MR_LIVE] == 2 &&
		     v[TOY_ST_REG_BYTES] ==
			 v[TOY_ST_PER_CONN] - XR_DEFAULT_READ_POOL &&
		     v[TOY_ST_CALLS_LIVE] == 1 &&
		     v[TOY_ST_RECVS_POSTED] >= credits - 1;
		if (!ok)
			usleep(50000);
	}
	report(ok && v[TOY_ST_CONN_LOST] >= 1 &&
		   v[TOY_ST_UPPER_CONNECTS] ==
		       v[TOY_ST_UPPER_DISCONNECTS] + 1 &&
		   v[TOY_ST_UPPER_DISCONNECTS] == v[TOY_ST_CONN_LOST],
	       "killed client leaves nothing",
	       "conns %llu regs %llu bytes %llu calls %llu recvs %llu "
	       "lost %llu upper told +%llu -%llu",
	       (unsigned long long)v[TOY_ST_CONNECTIONS],
	       (unsigned long long)v[TOY_ST_MR_LIVE],
	       (unsigned long long)v[TOY_ST_REG_BYTES],
	       (unsigned long long)v[TOY_ST_CALLS_LIVE],
	       (unsigned long long)v[TOY_ST_RECVS_POSTED],
	       (unsigned long long)v[TOY_ST_CONN_LOST],
	       (unsigned long long)v[TOY_ST_UPPER_CONNECTS],
	       (unsigned long long)v[TOY_ST_UPPER_DISCONNECTS]);
	xr_clnt_destroy(cl);
	return 0;
}

/* ---- orchestration ----------------------------------------------------- */

/*
 * Run one group in a child process; exit(), not _exit(), so that
 * LeakSanitizer checks the client engine too.  A child that ends other
 * than with status 0 is a failure of its own: a LeakSanitizer report (exit
 * status 1 under ASan) or an ASan error would otherwise pass unseen.
 */
static int run_child(const char *name, int (*fn)(void))
{
	const char *only = getenv("XR_CORE_ONLY");
	pid_t pid;
	int st;

	/* XR_CORE_ONLY=name runs that group alone (file comment) */
	if (only && strcmp(only, name))
		return 0;
	pid = fork();
	if (pid == 0)
		exit(fn());
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	if (WIFSIGNALED(st)) {
		report(false, "client process", "%s killed by signal %d", name,
		       WTERMSIG(st));
		return -1;
	}
	report(WEXITSTATUS(st) == 0, "client process exits with 0",
	       "%s exit status %d (a leak report ends it with 1)", name,
	       WEXITSTATUS(st));
	return WEXITSTATUS(st);
}

static void case_victim(void)
{
	int pfd[2], st;
	char c;
	pid_t pid;
	bool ready;

	if (pipe(pfd))
		return;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		_exit(group_victim(pfd[1]));
	}
	close(pfd[1]);
	ready = read(pfd[0], &c, 1) == 1;
	close(pfd[0]);
	usleep(150000); /* transfers under way */
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	report(ready && WIFSIGNALED(st), "client killed mid-transfer",
	       "started %d, signal %d", ready,
	       WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* Fork a toy server; returns its pid and sets *port (0 on failure). */
static pid_t start_server(uint32_t max_conns, uint16_t *port, uint32_t *err)
{
	uint32_t msg[2] = {0, 0};
	int pfd[2], st;
	pid_t pid;

	*port = 0;
	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		/* exit(), not _exit(): LeakSanitizer checks the server. */
		exit(toy_server_main(backend, addr, max_conns, pfd[1]));
	}
	close(pfd[1]);
	if (read(pfd[0], msg, sizeof(msg)) != sizeof(msg) || !msg[0]) {
		waitpid(pid, &st, 0);
		*err = msg[1];
		close(pfd[0]);
		return -1;
	}
	close(pfd[0]);
	*port = (uint16_t)msg[0];
	return pid;
}

/* A server limited to one connection refuses the second client. */
static int group_max_conns(void)
{
	struct xr_clnt *one, *two;
	uint16_t saved = srv_port, port;
	uint32_t err = 0;
	pid_t pid;
	int st;

	pid = start_server(1, &port, &err);
	if (pid < 0) {
		report(false, "max connections", "server: error %u", err);
		return 1;
	}
	srv_port = port;
	one = client();
	two = one ? client() : NULL;
	report(one && !two, "max connections (1): second refused",
	       "first %s, second %s", one ? "connected" : "failed",
	       two ? "connected" : "refused");
	xr_clnt_destroy(two);
	xr_clnt_destroy(one);
	srv_port = saved;
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: xr_core_it [--backend ofi|verbs] "
			"[--addr IPv4]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint32_t err = 0;
	int i, st, pass, fail;
	pid_t srv;

	for (i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--backend"))
			backend = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--addr"))
			addr = argv[++i];
		else
			usage();
	}
	tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED)
		return 1;
	srv = start_server(0, &srv_port, &err);
	if (srv < 0) {
		fprintf(stderr,
			"SKIP: the %s fabric cannot listen on %s here "
			"(%s)\n",
			backend, addr, strerror((int)err));
		return 77;
	}
	printf("%s server on %s:%u (pid %d)\n", backend, addr, srv_port,
	       (int)srv);
	fflush(stdout); /* children must not inherit buffered output */

	run_child("main", group_main);
	run_child("wakes", group_wakes);
	run_child("timeout", group_timeout);
	run_child("malformed", group_malformed);
	run_child("max_conns", group_max_conns);
	if (!getenv("XR_CORE_ONLY") ||
	    !strcmp(getenv("XR_CORE_ONLY"), "victim"))
		case_victim();
	run_child("checker", group_checker);

	kill(srv, SIGTERM);
	waitpid(srv, &st, 0);
	report(WIFEXITED(st) && WEXITSTATUS(st) == 0, "server clean shutdown",
	       "exit status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	pass = tally->t_pass;
	fail = tally->t_fail;
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
